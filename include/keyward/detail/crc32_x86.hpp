// keyward (private): CRC-32 (zlib's) with PCLMULQDQ, in constant time: the loads, the table rows and the
// branches depend on the size only. Compiled through a target attribute, so no special flags are needed;
// called only when detail::cpu::has(cpu::pclmul).
//
// The method is carry-less multiplication by powers of x modulo P (Gopal et al., "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", Intel, 2009), reshaped for short inputs:
// - The input is seen as 16-byte blocks, with `pad` = (-size mod 16) zero bytes in front. Leading zeros
//   leave the CRC unchanged when the register starts at 0xFFFFFFFF * x^(-8 pad) mod P instead of 0xFFFFFFFF
//   (initial_values[pad]); the first block is the first 16 - pad bytes moved up by a byte shuffle, so every
//   load stays inside the input.
// - Inputs of 8 blocks or more are first folded four blocks at a time in four lanes (B * x^512 mod P).
// - Then each remaining block (at most 7) is multiplied straight into one 96-bit remainder T: block
//   B = H x^64 + L (H its first 8 bytes) with d blocks after it adds H * k(128 d + 96) + L * k(128 d + 32),
//   two carry-less products; the last block needs one, since L x^32 is L itself in T's frame. The products
//   are independent, so the blocks cost throughput, not a chain of latencies.
// - Barrett reduction takes T to the 32-bit CRC in two dependent products: with mu = floor(x^96 / P) =
//   x^64 + mu_low and A = floor(T / x^32) (T's first 64 bits), the quotient is Q = A + floor(A * mu_low /
//   x^64), and the register is (T + Q * (P - x^32)) mod x^32.
//
// Representation: a w-bit reflected integer v stands for the sum of x^(w-1-k) over its set bits k, so a
// 16-byte block loaded little-endian is 128-bit reflected and zlib's register 32-bit reflected, and the
// carry-less product of a-bit and b-bit reflected integers is their (a+b-1)-bit reflected product. k(n) is
// x^n mod P as a 33-bit reflected integer (the bit-reversed 32-bit remainder shifted left by one), so that a
// half-block times k(n) is 96-bit reflected: the frame of T, a polynomial of degree < 96 congruent to the
// register (the message times x^32, modulo P). A half-block standing for h x^e in the message thus adds
// h * k(e + 32): k(128 d + 96) for H, k(128 d + 32) for L.
//
// The constants were derived with Python's integers (polynomial remainders and quotients, x^-1 = (P + 1) / x
// for the initial values); tests/keys/crc32_crosscheck.py derives them again, checks these tables against
// them, and checks a bit-exact model of compute_pclmul against zlib.crc32.
#ifndef KEYWARD_DETAIL_CRC32_X86_HPP
#define KEYWARD_DETAIL_CRC32_X86_HPP

#include "../config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#include <tmmintrin.h>
#include <wmmintrin.h>

namespace keyward::detail::crc32 {

/// Row d (d = 0..6): {k(128 d + 96), k(128 d + 32)}, the multipliers of the first and the second 8 bytes
/// of a block with d blocks after it.
alignas(16) inline constexpr std::uint64_t pclmul_block_constants[7][2] = {
    {0x0ccaa009e, 0x1db710640},  // d = 0 (only the first is used, see the top)
    {0x15a546366, 0x1751997d0},  // d = 1
    {0x174359406, 0x0f1da05aa},  // d = 2
    {0x1c6e41596, 0x03db1ecdc},  // d = 3
    {0x0ae0b5394, 0x154442bd4},  // d = 4
    {0x18cb44e58, 0x1c7569e54},  // d = 5
    {0x1d7cfc6ac, 0x0df068dc2},  // d = 6
};

/// {k(4*128+32), k(4*128-32)}: a block's first and second 8 bytes, moved four blocks on. The products are
/// 96-bit reflected, so read as a 128-bit block they carry the x^32 left out of these exponents.
alignas(16) inline constexpr std::uint64_t pclmul_four_block_constants[2] = {0x154442bd4, 0x1c6e41596};

/// {mu_low, P - x^32}: mu_low = floor(x^96 / P) - x^64 as a 65-bit reflected integer (its x^0 coefficient,
/// which would be bit 64, is zero), and 0x04C11DB7 as a 33-bit reflected integer (zlib's 0xEDB88320 shifted
/// left by one).
alignas(16) inline constexpr std::uint64_t pclmul_barrett_constants[2] = {0xb4e5b025f7011640, 0x1db710640};

/// initial_values[z] = 0xFFFFFFFF * x^(-8 z) mod P (32-bit reflected): the register that becomes zlib's
/// 0xFFFFFFFF after z zero bytes (x is invertible modulo P since P(0) = 1).
inline constexpr std::uint32_t pclmul_initial_values[16] = {
    0xffffffffu, 0xf0958fd9u, 0x9a1c9d90u, 0xa32e2681u,
    0x9226f562u, 0xf47bf9ccu, 0xaf4c9d16u, 0x46865aa9u,
    0xefe4d0afu, 0x31c08543u, 0xae0bacaeu, 0xdac6e4e8u,
    0xa65c386bu, 0xe06f0ca5u, 0xbae5bb0au, 0x358d0ff4u,
};

/// PSHUFB controls: the 16 bytes at offset 16 - pad move a block up by `pad` bytes, zeros coming in.
alignas(16) inline constexpr unsigned char pclmul_head_shuffle[32] = {
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0,    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15,
};

/// 16 bytes at `p`, any alignment.
__attribute__((target("pclmul,ssse3"))) inline __m128i load_block(const void* p) noexcept {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

/// What block `block` adds to the 96-bit remainder when `distance` (1..6) blocks follow it.
__attribute__((target("pclmul,ssse3"))) inline __m128i reduce_block_pclmul(__m128i block,
                                                                          std::size_t distance) noexcept {
  const __m128i k = load_block(pclmul_block_constants[distance]);
  return _mm_xor_si128(_mm_clmulepi64_si128(block, k, 0x00), _mm_clmulepi64_si128(block, k, 0x11));
}

/// `lane` moved four blocks on, plus the block `next`.
__attribute__((target("pclmul,ssse3"))) inline __m128i fold_four_blocks_pclmul(__m128i lane, __m128i k,
                                                                              __m128i next) noexcept {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(lane, k, 0x00), _mm_clmulepi64_si128(lane, k, 0x11)),
                       next);
}

/// zlib's crc32() of the `size` bytes at `data` with PCLMULQDQ; branches, loads and table rows depend on
/// `size` only.
__attribute__((target("pclmul,ssse3"))) inline std::uint32_t compute_pclmul(const unsigned char* data,
                                                                           std::size_t size) noexcept {
  if (size == 0) return 0;
  const std::size_t blocks = (size + 15) / 16;
  const std::size_t pad = blocks * 16 - size;
  __m128i first;
  if (size >= 16) {
    first = _mm_shuffle_epi8(load_block(data), load_block(pclmul_head_shuffle + (16 - pad)));
  } else {
    alignas(16) unsigned char head[16] = {};
    std::memcpy(head + pad, data, size);
    first = load_block(head);
  }
  first = _mm_xor_si128(first, _mm_cvtsi32_si128(static_cast<int>(pclmul_initial_values[pad])));

  const unsigned char* next = data + (16 - pad);  // the second block (the end of the input when size < 16)
  std::size_t left = blocks - 1;                  // blocks from `next` on
  __m128i remainder = _mm_setzero_si128();
  __m128i last = first;  // the latest block not yet in `remainder`, followed by `left` blocks at `next`
  if (blocks >= 8) {
    const __m128i k = load_block(pclmul_four_block_constants);
    __m128i lane0 = first, lane1 = load_block(next), lane2 = load_block(next + 16);
    __m128i lane3 = load_block(next + 32);
    next += 48;
    left -= 3;
    do {
      lane0 = fold_four_blocks_pclmul(lane0, k, load_block(next));
      lane1 = fold_four_blocks_pclmul(lane1, k, load_block(next + 16));
      lane2 = fold_four_blocks_pclmul(lane2, k, load_block(next + 32));
      lane3 = fold_four_blocks_pclmul(lane3, k, load_block(next + 48));
      next += 64;
      left -= 4;
    } while (left >= 4);
    remainder = _mm_xor_si128(_mm_xor_si128(reduce_block_pclmul(lane0, left + 3), reduce_block_pclmul(lane1, left + 2)),
                              reduce_block_pclmul(lane2, left + 1));
    last = lane3;
  }
  if (left != 0) {
    remainder = _mm_xor_si128(remainder, reduce_block_pclmul(last, left));
    for (std::size_t i = 0; i + 1 < left; ++i)
      remainder = _mm_xor_si128(remainder, reduce_block_pclmul(load_block(next + 16 * i), left - 1 - i));
    last = load_block(next + 16 * (left - 1));
  }
  const __m128i k_last = load_block(pclmul_block_constants[0]);
  remainder = _mm_xor_si128(remainder,
                            _mm_xor_si128(_mm_srli_si128(last, 8), _mm_clmulepi64_si128(last, k_last, 0x00)));

  // Barrett (see the top): A is the low qword of the remainder; A * mu_low is 128-bit reflected, so
  // floor(A * mu_low / x^64) is its low qword, in the frame of A.
  const __m128i barrett = load_block(pclmul_barrett_constants);
  const __m128i quotient = _mm_xor_si128(_mm_clmulepi64_si128(remainder, barrett, 0x00), remainder);
  const __m128i crc = _mm_xor_si128(remainder, _mm_clmulepi64_si128(quotient, barrett, 0x10));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(crc, 8))) ^ 0xFFFFFFFFu;
}

}  // namespace keyward::detail::crc32

#endif  // KEYWARD_X86_SIMD

#endif  // KEYWARD_DETAIL_CRC32_X86_HPP
