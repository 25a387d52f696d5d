// keyward: private UTF-8 validation (RFC 3629 section 4; the Unicode Standard table 3-7): no overlong forms,
// no surrogates, nothing above U+10FFFF.
#ifndef KEYWARD_DETAIL_UTF8_HPP
#define KEYWARD_DETAIL_UTF8_HPP

#include <cstddef>
#include <cstdint>

namespace keyward::detail::utf8 {

/// Checks UTF-8 one byte at a time, for bytes that arrive one by one (percent-decoded, for instance).
class checker {
 public:
  /// Takes the next byte; false when it cannot continue well-formed UTF-8 (the checker is then unusable).
  constexpr bool next(unsigned char byte) noexcept {
    if (pending_ == 0) {
      if (byte < 0x80) return true;
      low_ = 0x80;  // bounds of the second byte (table 3-7)
      high_ = 0xBF;
      if (byte >= 0xC2 && byte <= 0xDF) {
        pending_ = 1;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        pending_ = 2;
        if (byte == 0xE0) low_ = 0xA0;   // overlong
        if (byte == 0xED) high_ = 0x9F;  // surrogates
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        pending_ = 3;
        if (byte == 0xF0) low_ = 0x90;   // overlong
        if (byte == 0xF4) high_ = 0x8F;  // above U+10FFFF
      } else {
        return false;
      }
      return true;
    }
    if (byte < low_ || byte > high_) return false;
    --pending_;
    low_ = 0x80;
    high_ = 0xBF;
    return true;
  }
  /// True when no sequence is left unfinished.
  constexpr bool complete() const noexcept { return pending_ == 0; }

 private:
  int pending_ = 0;  // continuation bytes still expected
  unsigned char low_ = 0x80;
  unsigned char high_ = 0xBF;
};

/// The length of the well-formed UTF-8 sequence at the start of `bytes[0, size)`, or 0 when it is not one.
constexpr std::size_t sequence_length(const unsigned char* bytes, std::size_t size) noexcept {
  checker check;
  for (std::size_t i = 0; i < size && i < 4; ++i) {
    if (!check.next(bytes[i])) return 0;
    if (check.complete()) return i + 1;
  }
  return 0;
}

/// The offset of the first byte of `bytes[0, size)` that starts no well-formed UTF-8 sequence, or `size` when
/// all of it is well-formed.
constexpr std::size_t first_invalid(const unsigned char* bytes, std::size_t size) noexcept {
  std::size_t i = 0;
  while (i < size) {
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = sequence_length(bytes + i, size - i);
    if (length == 0) return i;
    i += length;
  }
  return size;
}

/// True when `bytes[0, size)` is well-formed UTF-8.
constexpr bool valid(const unsigned char* bytes, std::size_t size) noexcept {
  return first_invalid(bytes, size) == size;
}

}  // namespace keyward::detail::utf8

#endif  // KEYWARD_DETAIL_UTF8_HPP
