// keyward (private): the portable SHA-256 and SHA-512 compression functions (FIPS 180-4 sections 6.2.2 and
// 6.4.2), constexpr so that the scalar hashes work in constant expressions.
#ifndef KEYWARD_DETAIL_SHA2_SCALAR_HPP
#define KEYWARD_DETAIL_SHA2_SCALAR_HPP

#include "../config.hpp"
#include "cpu.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace keyward::detail::sha2 {

/// SHA-256 round constants, FIPS 180-4 section 4.2.2.
inline constexpr std::uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/// SHA-384 and SHA-512 round constants, FIPS 180-4 section 4.2.3.
inline constexpr std::uint64_t k512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

template <class Word>
constexpr Word rotr(Word x, unsigned n) noexcept {
  return static_cast<Word>((x >> n) | (x << (sizeof(Word) * 8 - n)));
}

/// The functions of FIPS 180-4 section 4.1.2 (SHA-224/256) and 4.1.3 (SHA-384/512).
struct functions256 {
  using word = std::uint32_t;
  static constexpr unsigned rounds = 64;
  static constexpr const word* constants = k256;
  static constexpr word big0(word x) noexcept { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
  static constexpr word big1(word x) noexcept { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
  static constexpr word small0(word x) noexcept { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
  static constexpr word small1(word x) noexcept { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }
};
struct functions512 {
  using word = std::uint64_t;
  static constexpr unsigned rounds = 80;
  static constexpr const word* constants = k512;
  static constexpr word big0(word x) noexcept { return rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39); }
  static constexpr word big1(word x) noexcept { return rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41); }
  static constexpr word small0(word x) noexcept { return rotr(x, 1) ^ rotr(x, 8) ^ (x >> 7); }
  static constexpr word small1(word x) noexcept { return rotr(x, 19) ^ rotr(x, 61) ^ (x >> 6); }
};

/// The big-endian word at `p` (bytes of any 8-bit character type).
template <class Word, class Byte>
constexpr Word load_be(const Byte* p) noexcept {
  Word value = 0;
  for (std::size_t i = 0; i < sizeof(Word); ++i) value = static_cast<Word>((value << 8) | static_cast<std::uint8_t>(p[i]));
  return value;
}

/// One round (FIPS 180-4 6.2.2 step 3) given K[t] + W[t]. The caller rotates the roles of a..h instead of
/// moving the values, so only d and h change.
template <class F>
KEYWARD_ALWAYS_INLINE constexpr void round_kw(typename F::word a, typename F::word b, typename F::word c,
                                              typename F::word& d, typename F::word e, typename F::word f,
                                              typename F::word g, typename F::word& h,
                                              typename F::word constant_plus_w) noexcept {
  using word = typename F::word;
  // Ch(e,f,g) and Maj(a,b,c) of FIPS 180-4 4.1.2 in equivalent forms with fewer operations.
  const word t1 = static_cast<word>(h + F::big1(e) + static_cast<word>(g ^ (e & (f ^ g))) + constant_plus_w);
  const word t2 = static_cast<word>(F::big0(a) + static_cast<word>((a & b) | (c & (a | b))));
  d = static_cast<word>(d + t1);
  h = static_cast<word>(t1 + t2);
}

/// Round t with j = t mod 16: for t >= 16 (`expand`) first computes W[t] = s1(W[t-2]) + W[t-7] +
/// s0(W[t-15]) + W[t-16] (FIPS 180-4 6.2.2 step 1) in the 16-word ring `w`.
template <class F>
KEYWARD_ALWAYS_INLINE constexpr void round(typename F::word a, typename F::word b, typename F::word c,
                                           typename F::word& d, typename F::word e, typename F::word f,
                                           typename F::word g, typename F::word& h, typename F::word* w,
                                           const typename F::word* k, std::size_t j, bool expand) noexcept {
  using word = typename F::word;
  if (expand)
    w[j] = static_cast<word>(w[j] + F::small1(w[(j + 14) & 15]) + w[(j + 9) & 15] + F::small0(w[(j + 1) & 15]));
  round_kw<F>(a, b, c, d, e, f, g, h, static_cast<word>(k[j] + w[j]));
}

/// Sixteen rounds with constant ring indices, so that the schedule can stay in registers.
template <class F>
KEYWARD_ALWAYS_INLINE constexpr void sixteen_rounds(typename F::word* s, typename F::word* w,
                                                    const typename F::word* k, bool expand) noexcept {
  auto& a = s[0];
  auto& b = s[1];
  auto& c = s[2];
  auto& d = s[3];
  auto& e = s[4];
  auto& f = s[5];
  auto& g = s[6];
  auto& h = s[7];
  round<F>(a, b, c, d, e, f, g, h, w, k, 0, expand);
  round<F>(h, a, b, c, d, e, f, g, w, k, 1, expand);
  round<F>(g, h, a, b, c, d, e, f, w, k, 2, expand);
  round<F>(f, g, h, a, b, c, d, e, w, k, 3, expand);
  round<F>(e, f, g, h, a, b, c, d, w, k, 4, expand);
  round<F>(d, e, f, g, h, a, b, c, w, k, 5, expand);
  round<F>(c, d, e, f, g, h, a, b, w, k, 6, expand);
  round<F>(b, c, d, e, f, g, h, a, w, k, 7, expand);
  round<F>(a, b, c, d, e, f, g, h, w, k, 8, expand);
  round<F>(h, a, b, c, d, e, f, g, w, k, 9, expand);
  round<F>(g, h, a, b, c, d, e, f, w, k, 10, expand);
  round<F>(f, g, h, a, b, c, d, e, w, k, 11, expand);
  round<F>(e, f, g, h, a, b, c, d, w, k, 12, expand);
  round<F>(d, e, f, g, h, a, b, c, w, k, 13, expand);
  round<F>(c, d, e, f, g, h, a, b, w, k, 14, expand);
  round<F>(b, c, d, e, f, g, h, a, w, k, 15, expand);
}

/// Processes `blocks` consecutive message blocks at `p` into `state` (eight words a..h), FIPS 180-4
/// sections 6.2.2 (SHA-256) and 6.4.2 (SHA-512).
template <class F, class Byte>
constexpr void compress(typename F::word* state, const Byte* p, std::size_t blocks) noexcept {
  using word = typename F::word;
  constexpr std::size_t block_size = 16 * sizeof(word);
  for (; blocks != 0; --blocks, p += block_size) {
    word w[16] = {};
#if defined(__GNUC__) || defined(__clang__)
    if (!cpu::is_constant_evaluated()) {  // one load and a byte swap per word
      std::memcpy(w, p, block_size);
      for (std::size_t i = 0; i < 16; ++i) {
        if constexpr (sizeof(word) == 4) w[i] = __builtin_bswap32(w[i]);
        else w[i] = __builtin_bswap64(w[i]);
      }
    } else
#endif
      for (std::size_t i = 0; i < 16; ++i) w[i] = load_be<word>(p + i * sizeof(word));
    word s[8] = {state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]};
    sixteen_rounds<F>(s, w, F::constants, false);
    for (std::size_t t = 16; t < F::rounds; t += 16) sixteen_rounds<F>(s, w, F::constants + t, true);
    for (std::size_t i = 0; i < 8; ++i) state[i] = static_cast<word>(state[i] + s[i]);
  }
}

}  // namespace keyward::detail::sha2

#endif  // KEYWARD_DETAIL_SHA2_SCALAR_HPP
