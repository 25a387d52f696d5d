// keyward: the private machinery behind every writer trio of the library (`write_x(..., out, capacity)`,
// `x_size(...)`, `x(...)`): one counting writer, and the two drivers that run a write once to validate and
// measure and once more to fill the caller's buffer or a new string. Nothing is written into the caller's
// buffer unless the whole result fits and every check passed.
#ifndef KEYWARD_DETAIL_WRITER_HPP
#define KEYWARD_DETAIL_WRITER_HPP

#include "../error.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace keyward::detail::writer {

/// The number of decimal digits of `value`: what counting_writer::put_decimal() writes for it.
constexpr std::size_t decimal_size(std::uint64_t value) noexcept {
  std::size_t digits = 1;
  for (; value >= 10; value /= 10) ++digits;
  return digits;
}

/// Writes into `out[0, capacity)` while there is room and counts every byte it is asked to write, so that a
/// pass with no buffer (null, 0) measures exactly what a second pass writes.
class counting_writer {
 public:
  counting_writer(char* out, std::size_t capacity) noexcept : out_(out), capacity_(capacity) {}

  /// Appends one byte.
  void put(char c) noexcept {
    if (size_ < capacity_) out_[size_] = c;
    ++size_;
  }
  /// Appends `text` as it is.
  void put(std::string_view text) noexcept {
    if (char* at = claim(text.size()); at != nullptr && !text.empty()) std::memcpy(at, text.data(), text.size());
  }
  /// Counts `size` bytes and returns where the caller writes them, or null when they do not all fit (a
  /// measuring pass): for encoders that write straight into the output.
  char* claim(std::size_t size) noexcept {
    char* at = size_ <= capacity_ && size <= capacity_ - size_ ? out_ + size_ : nullptr;
    size_ += size;
    return at;
  }
  /// Appends the decimal digits of `value` (a '-' first when it is negative).
  template <class Integer>
  void put_decimal(Integer value) noexcept {
    static_assert(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>, "put_decimal takes an integer");
    char digits[24];
    const char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  /// Appends `value` (non-negative) as exactly `width` decimal digits, zero-padded on the left; only the
  /// `width` lowest digits of a larger value are written.
  void put_digits(std::uint64_t value, int width) noexcept {
    char digits[20];
    for (int i = width - 1; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    put(std::string_view(digits, static_cast<std::size_t>(width)));
  }

  /// Bytes written, or that would have been written with enough room.
  std::size_t size() const noexcept { return size_; }

 private:
  char* out_;
  std::size_t capacity_;
  std::size_t size_ = 0;
};

/// Runs `write(counting_writer&)`, which returns result<void> (for checks on its input) or nothing.
template <class Write>
result<void> run(Write& write, counting_writer& out) noexcept {
  if constexpr (std::is_void_v<decltype(write(out))>) {
    write(out);
    return {};
  } else {
    return write(out);
  }
}

/// The number of bytes `write` produces, or the error it reports.
template <class Write>
result<std::size_t> measure(Write&& write) noexcept {
  counting_writer counter(nullptr, 0);
  if (const result<void> valid = run(write, counter); !valid) return valid.error();
  return counter.size();
}

/// The driver of every `write_x(..., out, capacity)`: validates and measures, then writes into
/// `out[0, capacity)` only when all of it fits. Returns the bytes written, the writer's error, or
/// errc::buffer_too_small (input errors take precedence); nothing is written on any error.
template <class Write>
result<std::size_t> write_into(char* out, std::size_t capacity, Write&& write) noexcept {
  const result<std::size_t> size = measure(write);
  if (!size) return size.error();
  if (*size > capacity) return errc::buffer_too_small;
  counting_writer writer(out, capacity);
  (void)run(write, writer);
  return writer.size();
}

/// The driver of every `x(...)` returning a string: the same text in a new std::string of the exact size.
template <class Write>
result<std::string> write_string(Write&& write) {
  const result<std::size_t> size = measure(write);
  if (!size) return size.error();
  std::string text(*size, '\0');
  counting_writer writer(text.data(), text.size());
  (void)run(write, writer);
  return text;
}

}  // namespace keyward::detail::writer

#endif  // KEYWARD_DETAIL_WRITER_HPP
