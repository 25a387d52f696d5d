// keyward: HMAC (RFC 2104) over any keyward hash, with a key prepared once (the padded inner and outer keys
// hashed a single time) and reused for any number of messages, and tag verification in constant time.
/// \file
/// HMAC (RFC 2104) with a key prepared once, and tag verification in constant time.
#ifndef KEYWARD_CRYPTO_HMAC_HPP
#define KEYWARD_CRYPTO_HMAC_HPP

#include "../config.hpp"
#include "../ct.hpp"
#include "../error.hpp"
#include "sha2.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::crypto {

/// HMAC with the hash `Hash` (RFC 2104 section 2), such as hmac<sha256>. Constructing it prepares the key:
/// the inner and outer padded keys are hashed once, and every sign() or verify() continues from copies of
/// those states. The object holds key-derived state and wipes it on destruction. Copyable; never fails.
template <class Hash>
class hmac {
 public:
  /// The underlying hash.
  using hash_type = Hash;
  /// Bytes in a full tag: the hash's digest size (L in RFC 2104).
  static constexpr std::size_t tag_size = Hash::digest_size;
  /// Bytes in a hash block (B in RFC 2104); longer keys are hashed first (RFC 2104 section 3).
  static constexpr std::size_t block_size = Hash::block_size;
  /// The shortest truncation accepted: 80 bits, the lower bound of RFC 2104 section 5.
  static constexpr std::size_t min_truncated_size = 10;
  /// A full tag.
  using tag = typename Hash::digest;

  /// An HMAC computation in progress, for messages that arrive in pieces: update() then final().
  class stream {
   public:
    /// Appends `size` bytes at `data` to the message.
    void update(const void* data, std::size_t size) noexcept { inner_.update(data, size); }
    /// Appends `bytes` to the message.
    void update(std::string_view bytes) noexcept { inner_.update(bytes.data(), bytes.size()); }
    /// The tag of the message given to update(); the stream must not be used afterwards.
    tag final() noexcept {
      auto inner_digest = inner_.final();
      outer_.update(inner_digest.data(), inner_digest.size());
      ct::secure_zero(inner_digest.data(), inner_digest.size());
      return outer_.final();
    }
    ~stream() {
      ct::secure_zero(&inner_, sizeof inner_);
      ct::secure_zero(&outer_, sizeof outer_);
    }
    /// Copies the computation, to finish a common prefix with several endings; each copy wipes its own
    /// state.
    ///@{
    stream(const stream&) = default;
    stream& operator=(const stream&) = default;
    ///@}

   private:
    friend class hmac;
    stream(const Hash& inner, const Hash& outer) noexcept : inner_(inner), outer_(outer) {}
    Hash inner_;
    Hash outer_;
  };

  /// Prepares the `size`-byte key at `key` (any length, including 0).
  hmac(const void* key, std::size_t size) noexcept { prepare(static_cast<const std::uint8_t*>(key), size); }
  /// Prepares the key `key` (any length, including empty).
  explicit hmac(std::string_view key) noexcept { prepare(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()); }

  /// Copies the prepared key state; each copy wipes its own.
  ///@{
  hmac(const hmac&) = default;
  hmac& operator=(const hmac&) = default;
  ///@}
  ~hmac() {
    ct::secure_zero(&inner_, sizeof inner_);
    ct::secure_zero(&outer_, sizeof outer_);
  }

  /// A stream that computes the tag of a message given in pieces.
  stream start() const noexcept { return stream(inner_, outer_); }

  /// The tag of the `size` bytes at `message` (RFC 2104 section 2).
  tag sign(const void* message, std::size_t size) const noexcept {
    stream s = start();
    s.update(message, size);
    return s.final();
  }
  /// The tag of `message`.
  tag sign(std::string_view message) const noexcept { return sign(message.data(), message.size()); }

  /// True when `received` is the full tag of `message`. A tag of any other length is rejected. The tag
  /// comparison takes the same time wherever the bytes differ (ct::equal).
  bool verify(std::string_view message, std::string_view received) const noexcept {
    return received.size() == tag_size && matches(message, received);
  }
  /// True when `received` is the tag of `message` truncated to its leftmost `truncated_size` bytes (RFC 2104
  /// section 5). False when `received` is not exactly `truncated_size` bytes or `truncated_size` is outside
  /// [min_truncated_size, tag_size]. Accepting truncated tags is an explicit choice of the caller.
  bool verify(std::string_view message, std::string_view received, std::size_t truncated_size) const noexcept {
    if (truncated_size < min_truncated_size || truncated_size > tag_size || received.size() != truncated_size)
      return false;
    return matches(message, received);
  }

  /// verify() with the reason for a rejection (it branches on the verdict, which is public once returned):
  /// errc::crypto_invalid_mac_length for a tag that is not tag_size bytes,
  /// errc::crypto_mac_mismatch for a wrong tag.
  result<void> check(std::string_view message, std::string_view received) const noexcept {
    if (received.size() != tag_size) return errc::crypto_invalid_mac_length;
    if (!matches(message, received)) return errc::crypto_mac_mismatch;
    return {};
  }
  /// verify() of a truncated tag with the reason for a rejection: errc::crypto_invalid_truncation when
  /// `truncated_size` is outside [min_truncated_size, tag_size], errc::crypto_invalid_mac_length when `received` is
  /// not `truncated_size` bytes, errc::crypto_mac_mismatch for a wrong tag.
  result<void> check(std::string_view message, std::string_view received, std::size_t truncated_size) const noexcept {
    if (truncated_size < min_truncated_size || truncated_size > tag_size) return errc::crypto_invalid_truncation;
    if (received.size() != truncated_size) return errc::crypto_invalid_mac_length;
    if (!matches(message, received)) return errc::crypto_mac_mismatch;
    return {};
  }

  /// One-shot: the tag of `message` under `key`.
  static tag compute(std::string_view key, std::string_view message) noexcept { return hmac(key).sign(message); }
  /// One-shot: the tag of the `message_size` bytes at `message` under the `key_size` bytes at `key`.
  static tag compute(const void* key, std::size_t key_size, const void* message, std::size_t message_size) noexcept {
    return hmac(key, key_size).sign(message, message_size);
  }

 private:
  // Compares the leftmost received.size() bytes of the computed tag with `received` in constant time.
  bool matches(std::string_view message, std::string_view received) const noexcept {
    tag expected = sign(message);
    const bool same = ct::equal(expected.data(), received.data(), received.size());
    ct::secure_zero(expected.data(), expected.size());
    return same;
  }

  void prepare(const std::uint8_t* key, std::size_t size) noexcept {
    std::array<std::uint8_t, block_size> pad{};
    if (size > block_size) {
      auto digest = Hash::hash(key, size);
      for (std::size_t i = 0; i < digest.size(); ++i) pad[i] = digest[i];
      ct::secure_zero(digest.data(), digest.size());
    } else {
      for (std::size_t i = 0; i < size; ++i) pad[i] = key[i];
    }
    for (auto& byte : pad) byte ^= 0x36;  // ipad
    inner_.update(pad.data(), pad.size());
    for (auto& byte : pad) byte ^= 0x36 ^ 0x5c;  // opad
    outer_.update(pad.data(), pad.size());
    ct::secure_zero(pad.data(), pad.size());
  }

  Hash inner_;
  Hash outer_;
};

/// HMAC-SHA-256 (RFC 4231 vectors).
using hmac_sha256 = hmac<sha256>;
/// HMAC-SHA-384 (RFC 4231 vectors).
using hmac_sha384 = hmac<sha384>;
/// HMAC-SHA-512 (RFC 4231 vectors).
using hmac_sha512 = hmac<sha512>;

}  // namespace keyward::crypto

#endif  // KEYWARD_CRYPTO_HMAC_HPP
