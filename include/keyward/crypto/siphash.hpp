// keyward: SipHash-2-4 with a 64-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// INDOCRYPT 2012), the keyed hash that makes hash tables safe against keys chosen to collide: without the
// 128-bit key, outputs cannot be predicted, so collisions cannot be arranged beyond chance. Portable
// (little-endian reads assembled from bytes, whatever the machine's byte order), constexpr through the
// std::string_view overload, noexcept; nothing here allocates or fails.
#ifndef KEYWARD_CRYPTO_SIPHASH_HPP
#define KEYWARD_CRYPTO_SIPHASH_HPP

#include "../config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::detail::siphash {

/// A byte of any 8-bit character type as a 64-bit word.
template <class Byte>
constexpr std::uint64_t byte(Byte b) noexcept {
  return static_cast<std::uint8_t>(b);
}

/// The eight bytes at `p` as a little-endian 64-bit word (paper section 2: m_i are read little-endian).
/// Written out byte by byte, which compilers turn into one load (and a byte swap on big-endian machines).
template <class Byte>
constexpr std::uint64_t load_le(const Byte* p) noexcept {
  return byte(p[0]) | byte(p[1]) << 8 | byte(p[2]) << 16 | byte(p[3]) << 24 | byte(p[4]) << 32 | byte(p[5]) << 40 |
         byte(p[6]) << 48 | byte(p[7]) << 56;
}

constexpr std::uint64_t rotl(std::uint64_t x, unsigned bits) noexcept { return (x << bits) | (x >> (64 - bits)); }

/// The internal state v0..v3 and its round, SipRound (paper section 2, figure 2.1).
struct state {
  std::uint64_t v0, v1, v2, v3;
  constexpr void round() noexcept {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  /// Compression of one message word m with two SipRounds.
  constexpr void absorb(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

/// SipHash-2-4 of the `size` bytes at `p` under the key (k0, k1).
template <class Byte>
constexpr std::uint64_t hash24(std::uint64_t k0, std::uint64_t k1, const Byte* p, std::size_t size) noexcept {
  // Initialization: the key xored with "somepseudorandomlygeneratedbytes".
  state s{k0 ^ 0x736f6d6570736575u, k1 ^ 0x646f72616e646f6du, k0 ^ 0x6c7967656e657261u, k1 ^ 0x7465646279746573u};
  const std::size_t whole = size - size % 8;
  for (std::size_t i = 0; i < whole; i += 8) s.absorb(load_le(p + i));
  // The last word: the remaining 0 to 7 bytes, then the length modulo 256 in the top byte.
  std::uint64_t last = static_cast<std::uint64_t>(size) << 56;
  for (std::size_t i = 0; i < size % 8; ++i) last |= byte(p[whole + i]) << (8 * i);
  s.absorb(last);
  // Finalization: four SipRounds after v2 ^= 0xff.
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace keyward::detail::siphash

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
