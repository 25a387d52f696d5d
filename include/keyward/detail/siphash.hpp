// keyward (private): the SipHash-2-4 rounds behind crypto/siphash.hpp (Aumasson and Bernstein, "SipHash:
// a fast short-input PRF", INDOCRYPT 2012): little-endian words assembled from bytes, the state and its
// SipRound, and the whole hash over any 8-bit character type (so that it is constexpr for std::string_view).
#ifndef KEYWARD_DETAIL_SIPHASH_HPP
#define KEYWARD_DETAIL_SIPHASH_HPP

#include "../config.hpp"

#include <cstddef>
#include <cstdint>

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

#endif  // KEYWARD_DETAIL_SIPHASH_HPP
