// keyward: a byte string for secrets (API keys, HMAC keys, passwords). It wipes its storage when destroyed
// or moved from, prints as "[redacted]", shows its bytes only through the explicitly named reveal(), and
// compares only in constant time.
/// \file
/// A byte string for secrets that wipes itself and never prints: keyward::secret.
#ifndef KEYWARD_SECRET_HPP
#define KEYWARD_SECRET_HPP

#include "config.hpp"
#include "ct.hpp"

#include <cstddef>
#include <cstring>
#include <iosfwd>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

namespace keyward {

/// A secret byte string. Its bytes live in one heap block of exactly size() bytes that is zeroized before it
/// is freed (on destruction, clear(), assignment and move-from), so no stale copy is left behind by growth
/// or by a small-string buffer. It is move-only; clone() makes a deliberate copy. Equality is ct::equal
/// (lengths public); printing gives "[redacted]". Allocation failure is that of new[] (std::bad_alloc, or
/// termination without exceptions).
class secret {
 public:
  /// The text that operator<< and to_string() produce instead of the value.
  static constexpr std::string_view redacted = "[redacted]";

  /// An empty secret.
  secret() noexcept = default;
  /// A secret holding a copy of the `size` bytes at `data`.
  secret(const void* data, std::size_t size) { assign(data, size); }
  /// A secret holding a copy of `bytes`.
  explicit secret(std::string_view bytes) { assign(bytes.data(), bytes.size()); }
  /// A secret holding a copy of the NUL-terminated `text` (without the NUL).
  explicit secret(const char* text) : secret(std::string_view(text)) {}
  /// A secret taking the bytes of `bytes`, whose size() bytes are then zeroized and which is cleared.
  explicit secret(std::string&& bytes) {
    assign(bytes.data(), bytes.size());
    ct::secure_zero(&bytes[0], bytes.size());
    bytes.clear();
  }

  /// Takes the storage of `other`, which is left empty.
  secret(secret&& other) noexcept : bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}
  /// Wipes this secret, then takes the storage of `other`, which is left empty.
  secret& operator=(secret&& other) noexcept {
    if (this != &other) {
      clear();
      bytes_ = std::move(other.bytes_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  secret(const secret&) = delete;
  secret& operator=(const secret&) = delete;
  ~secret() { clear(); }

  /// A separate copy of this secret, made on purpose.
  secret clone() const { return secret(bytes_.get(), size_); }

  /// The secret bytes. The view is valid until the secret is changed or destroyed; do not log it.
  std::string_view reveal() const noexcept { return {bytes_.get(), size_}; }
  /// The number of bytes.
  std::size_t size() const noexcept { return size_; }
  /// True when there are no bytes.
  bool empty() const noexcept { return size_ == 0; }

  /// Zeroizes and frees the bytes; the secret is then empty.
  void clear() noexcept {
    if (bytes_) ct::secure_zero(bytes_.get(), size_);
    bytes_.reset();
    size_ = 0;
  }

  /// True when both hold the same bytes (operator!=: when they do not), compared with ct::equal: the time
  /// depends on the lengths only.
  ///@{
  friend bool operator==(const secret& a, const secret& b) noexcept { return ct::equal(a.reveal(), b.reveal()); }
  friend bool operator!=(const secret& a, const secret& b) noexcept { return !(a == b); }
  ///@}

  /// Writes "[redacted]", never the value.
  template <class CharT, class Traits>
  friend std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& out, const secret&) {
    for (const char c : redacted) out.put(out.widen(c));
    return out;
  }

 private:
  void assign(const void* data, std::size_t size) {
    clear();
    if (size == 0) return;
    bytes_.reset(new char[size]);
    std::memcpy(bytes_.get(), data, size);
    size_ = size;
  }

  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;
};

/// "[redacted]" (secret::redacted, NUL-terminated): a secret's printable form, which never contains its
/// value. Never fails.
constexpr const char* to_string(const secret&) noexcept { return secret::redacted.data(); }

}  // namespace keyward

#endif  // KEYWARD_SECRET_HPP
