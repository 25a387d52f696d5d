// keyward: SipHash-2-4 with a 64-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// INDOCRYPT 2012), the keyed hash that makes hash tables safe against keys chosen to collide: without the
// 128-bit key, outputs cannot be predicted, so collisions cannot be arranged beyond chance. Portable
// (little-endian reads assembled from bytes, whatever the machine's byte order), constexpr through the
// std::string_view overload, noexcept; nothing here allocates or fails.
/// \file
/// SipHash-2-4, the keyed hash for tables keyed by what clients send.
#ifndef KEYWARD_CRYPTO_SIPHASH_HPP
#define KEYWARD_CRYPTO_SIPHASH_HPP

#include "../config.hpp"
#include "../detail/siphash.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::crypto {

/// A 128-bit SipHash key as two 64-bit words: k0 is key bytes 0-7 and k1 bytes 8-15, each read
/// little-endian (paper section 2). Fill it with random::fill(&key, sizeof key) for a random key (every bit
/// pattern is a key); from_bytes() reads a key given as 16 bytes, as in published vectors.
struct siphash_key {
  /// Key bytes 0-7, little-endian.
  std::uint64_t k0 = 0;
  /// Key bytes 8-15, little-endian.
  std::uint64_t k1 = 0;

  /// The key whose bytes are `bytes` (k0 from bytes 0-7, k1 from bytes 8-15, each little-endian).
  static constexpr siphash_key from_bytes(const std::array<std::uint8_t, 16>& bytes) noexcept {
    return siphash_key{detail::siphash::load_le(bytes.data()), detail::siphash::load_le(bytes.data() + 8)};
  }
};

/// SipHash-2-4 (2 compression rounds, 4 finalization rounds; paper section 2) of the `size` bytes at `data`
/// (which may be null when size is 0) under `key`: the 64-bit output, whose little-endian bytes are the 8
/// bytes of the reference implementation's output. Never fails.
inline std::uint64_t siphash24(const siphash_key& key, const void* data, std::size_t size) noexcept {
  return detail::siphash::hash24(key.k0, key.k1, static_cast<const unsigned char*>(data), size);
}

/// SipHash-2-4 of the bytes of `bytes` under `key`, as siphash24(key, data, size); usable in constant
/// expressions.
constexpr std::uint64_t siphash24(const siphash_key& key, std::string_view bytes) noexcept {
  return detail::siphash::hash24(key.k0, key.k1, bytes.data(), bytes.size());
}

}  // namespace keyward::crypto

#endif  // KEYWARD_CRYPTO_SIPHASH_HPP
