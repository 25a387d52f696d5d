// keyward (private): the candidate search of keys/scan.hpp with AVX2 (32 positions at a time) and AVX-512 BW
// (64 at a time), compiled through target attributes like the Base64 kernels, so no special flags are needed;
// called only when detail::cpu::has() allows the kernel (cpu::avx2; cpu::avx512vbmi, which implies BW).
//
// For a block of positions [i, i + 32): three unaligned loads, at i - 1 (the byte before each position), i
// (the first prefix byte) and i + 1 (the second). The buckets a byte may start are the AND of two VPSHUFB
// lookups, by its low and its high nibble (detail::keys_scan::prefix_filter::nibbles); likewise the
// buckets it may continue as a second byte. Word bytes [0-9A-Za-z_-] are recognised the same way, with
// exact nibble tables: a high nibble selects a class (2: '-', 3: digits, 4 and 6: letters after '@' and
// '`', 5: 'P'-'Z' and '_', 7: 'p'-'z'), whose low nibbles are listed in the low-nibble table. Bytes from
// 0x80 up have a high nibble of 8 or more, in no class and no bucket. A position is a candidate when its
// first- and second-byte buckets meet and the byte before it is not a word byte.
#ifndef KEYWARD_DETAIL_KEYS_SCAN_X86_HPP
#define KEYWARD_DETAIL_KEYS_SCAN_X86_HPP

#include "../config.hpp"

#include <cstddef>
#include <cstdint>

#if KEYWARD_X86_SIMD
#include <immintrin.h>

namespace keyward::detail::keys_scan {

/// Word bytes by low nibble: bit 0 '-' (0x2D), bit 1 digits (0x30-0x39), bit 2 0x41-0x4F and 0x61-0x6F,
/// bit 3 0x50-0x5A and '_' (0x5F), bit 4 0x70-0x7A.
inline constexpr std::uint8_t word_low_nibble[16] = {
    0x1A, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E, 0x1C, 0x04, 0x04, 0x05, 0x04, 0x0C,
};
/// Word bytes by high nibble: the class of each (0: no word byte has it).
inline constexpr std::uint8_t word_high_nibble[16] = {
    0, 0, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
};

/// A 16-byte table in both 128-bit lanes.
__attribute__((target("avx2"))) inline __m256i scan_avx2_table(const std::uint8_t* table) noexcept {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table)));
}

/// The bucket (or class) bits of each byte of `bytes`: the AND of its low- and high-nibble lookups.
__attribute__((target("avx2"))) inline __m256i scan_avx2_lookup(__m256i bytes, __m256i low, __m256i high,
                                                                __m256i low_mask) noexcept {
  const __m256i l = _mm256_shuffle_epi8(low, _mm256_and_si256(bytes, low_mask));
  const __m256i h = _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_mask));
  return _mm256_and_si256(l, h);
}

/// Calls on_candidate(i) for the candidates of the blocks of 32 positions from `from` (>= 1) while a block
/// fits below `to` and its loads below `size`; returns the first position not examined.
template <class OnCandidate>
__attribute__((target("avx2"))) std::size_t candidates_avx2(const std::uint8_t (&nibbles)[4][16], const char* text,
                                                            std::size_t size, std::size_t from, std::size_t to,
                                                            OnCandidate& on_candidate) {
  const __m256i first_low = scan_avx2_table(nibbles[0]);
  const __m256i first_high = scan_avx2_table(nibbles[1]);
  const __m256i second_low = scan_avx2_table(nibbles[2]);
  const __m256i second_high = scan_avx2_table(nibbles[3]);
  const __m256i word_low = scan_avx2_table(word_low_nibble);
  const __m256i word_high = scan_avx2_table(word_high_nibble);
  const __m256i low_mask = _mm256_set1_epi8(0x0F);
  const __m256i zero = _mm256_setzero_si256();
  std::size_t i = from;
  for (; i + 32 <= to && i + 33 <= size; i += 32) {
    const char* at = text + i;
    const __m256i before = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at - 1));
    const __m256i here = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + 1));
    const __m256i first = scan_avx2_lookup(here, first_low, first_high, low_mask);
    const __m256i buckets = _mm256_and_si256(first, scan_avx2_lookup(next, second_low, second_high, low_mask));
    const __m256i word = scan_avx2_lookup(before, word_low, word_high, low_mask);
    const auto none = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(buckets, zero)));
    const auto boundary = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(word, zero)));
    std::uint32_t found = ~none & boundary;
    while (found != 0) {
      on_candidate(i + static_cast<std::size_t>(__builtin_ctz(found)));
      found &= found - 1;
    }
  }
  return i;
}

#define KEYWARD_DETAIL_KEYS_SCAN_AVX512_TARGET __attribute__((target("avx512f,avx512bw")))

/// A 16-byte table in all four 128-bit lanes (from memory: GCC 12 warns about _mm512_broadcast_i32x4).
KEYWARD_DETAIL_KEYS_SCAN_AVX512_TARGET inline __m512i scan_avx512_table(const std::uint8_t* table) noexcept {
  std::uint8_t lanes[64];
  for (std::size_t k = 0; k < 64; ++k) lanes[k] = table[k & 15u];
  return _mm512_loadu_si512(lanes);
}

/// scan_avx2_lookup() for 64 bytes.
KEYWARD_DETAIL_KEYS_SCAN_AVX512_TARGET inline __m512i scan_avx512_lookup(__m512i bytes, __m512i low, __m512i high,
                                                                         __m512i low_mask) noexcept {
  const __m512i l = _mm512_shuffle_epi8(low, _mm512_and_si512(bytes, low_mask));
  const __m512i h = _mm512_shuffle_epi8(high, _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low_mask));
  return _mm512_and_si512(l, h);
}

/// candidates_avx2() for blocks of 64 positions, with AVX-512 BW.
template <class OnCandidate>
KEYWARD_DETAIL_KEYS_SCAN_AVX512_TARGET std::size_t candidates_avx512(const std::uint8_t (&nibbles)[4][16],
                                                                     const char* text, std::size_t size,
                                                                     std::size_t from, std::size_t to,
                                                                     OnCandidate& on_candidate) {
  const __m512i first_low = scan_avx512_table(nibbles[0]);
  const __m512i first_high = scan_avx512_table(nibbles[1]);
  const __m512i second_low = scan_avx512_table(nibbles[2]);
  const __m512i second_high = scan_avx512_table(nibbles[3]);
  const __m512i word_low = scan_avx512_table(word_low_nibble);
  const __m512i word_high = scan_avx512_table(word_high_nibble);
  const __m512i low_mask = _mm512_set1_epi8(0x0F);
  std::size_t i = from;
  for (; i + 64 <= to && i + 65 <= size; i += 64) {
    const char* at = text + i;
    const __m512i before = _mm512_loadu_si512(at - 1);
    const __m512i here = _mm512_loadu_si512(at);
    const __m512i next = _mm512_loadu_si512(at + 1);
    const __m512i first = scan_avx512_lookup(here, first_low, first_high, low_mask);
    const __m512i second = scan_avx512_lookup(next, second_low, second_high, low_mask);
    const __m512i word = scan_avx512_lookup(before, word_low, word_high, low_mask);
    std::uint64_t found = _mm512_test_epi8_mask(first, second) & _mm512_testn_epi8_mask(word, word);
    while (found != 0) {
      on_candidate(i + static_cast<std::size_t>(__builtin_ctzll(found)));
      found &= found - 1;
    }
  }
  return i;
}

#undef KEYWARD_DETAIL_KEYS_SCAN_AVX512_TARGET

}  // namespace keyward::detail::keys_scan

#endif  // KEYWARD_X86_SIMD
#endif  // KEYWARD_DETAIL_KEYS_SCAN_X86_HPP
