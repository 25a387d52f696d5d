// keyward (private): x86 kernels for SHA-2: SHA-256 with the SHA extensions (SHA-NI), called only when
// detail::cpu::has(cpu::sha_ni); SHA-384/512 with an AVX2 message schedule and BMI2 scalar rounds, called
// only when detail::cpu::has(cpu::avx2) (which includes BMI1 and BMI2). Compiled through target attributes,
// so no special flags are needed.
#ifndef KEYWARD_DETAIL_SHA2_X86_HPP
#define KEYWARD_DETAIL_SHA2_X86_HPP

#include "../config.hpp"
#include "sha2_scalar.hpp"

#include <cstddef>
#include <cstdint>

#if KEYWARD_X86_SIMD
#include <immintrin.h>

namespace keyward::detail::sha2 {

/// Processes `blocks` 64-byte blocks at `p` into the SHA-256 `state` (a..h) with SHA256RNDS2, SHA256MSG1 and
/// SHA256MSG2. The registers hold the state as {A,B,E,F} and {C,D,G,H}, the layout SHA256RNDS2 works on.
__attribute__((target("sha,sse4.1,ssse3"))) inline void compress256_shani(std::uint32_t* state,
                                                                           const std::uint8_t* p,
                                                                           std::size_t blocks) noexcept {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  // dwords {a,b,c,d} and {e,f,g,h} (lowest first) into {f,e,b,a} = ABEF and {h,g,d,c} = CDGH.
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xB1);
  __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1B);
  __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);

  for (; blocks != 0; --blocks, p += 64) {
    const __m128i abef_start = abef;
    const __m128i cdgh_start = cdgh;
    __m128i w[4];
    for (int i = 0; i < 4; ++i)
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), byte_swap);
#if defined(__clang__)
#pragma unroll
#elif defined(__GNUC__)
#pragma GCC unroll 16
#endif
    for (int group = 0; group < 16; ++group) {
      if (group >= 4) {
        // W[t..t+3] from W[t-16..t-1] held in w[group], w[group+1], w[group+2], w[group+3] (mod 4).
        __m128i& oldest = w[group & 3];
        const __m128i next = w[(group + 1) & 3];
        const __m128i third = w[(group + 2) & 3];
        const __m128i newest = w[(group + 3) & 3];
        const __m128i partial =
            _mm_add_epi32(_mm_sha256msg1_epu32(oldest, next), _mm_alignr_epi8(newest, third, 4));
        oldest = _mm_sha256msg2_epu32(partial, newest);
      }
      __m128i wk = _mm_add_epi32(w[group & 3], _mm_loadu_si128(reinterpret_cast<const __m128i*>(k256 + 4 * group)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);  // two rounds: cdgh now holds the new ABEF
      wk = _mm_shuffle_epi32(wk, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);  // two more: abef holds ABEF again, cdgh CDGH
    }
    abef = _mm_add_epi32(abef, abef_start);
    cdgh = _mm_add_epi32(cdgh, cdgh_start);
  }

  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);  // {a,b,e,f}
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);  // {g,h,c,d}
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/// SHA-512's Sigma0 (FIPS 180-4 4.1.3), with rotations the compiler turns into RORX.
__attribute__((target("bmi,bmi2"), always_inline)) inline std::uint64_t big0_512(std::uint64_t x) noexcept {
  return rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39);
}
/// SHA-512's Sigma1 (FIPS 180-4 4.1.3), with rotations the compiler turns into RORX.
__attribute__((target("bmi,bmi2"), always_inline)) inline std::uint64_t big1_512(std::uint64_t x) noexcept {
  return rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41);
}

/// One SHA-512 round (FIPS 180-4 6.4.2 step 3) given K[t] + W[t]; the caller rotates the roles of a..h, so
/// only d and h change. Ch(e,f,g) = (e & f) + (~e & g) (the two terms share no bit, so + equals the xor of
/// the definition), which lets the terms that do not wait for Sigma1(e) be summed while it is computed, so
/// that the new e is one add after Sigma1(e). Maj(a,b,c) = ((a ^ b) & (b ^ c)) ^ b, where b ^ c is the
/// previous round's a ^ b, carried in `b_xor_c` (one operation fewer than two ANDs, an XOR and an add).
__attribute__((target("bmi,bmi2"), always_inline)) inline void round512(
    std::uint64_t a, std::uint64_t b, std::uint64_t& d, std::uint64_t e, std::uint64_t f,
    std::uint64_t g, std::uint64_t& h, std::uint64_t k_plus_w, std::uint64_t& b_xor_c) noexcept {
  const std::uint64_t early = h + k_plus_w + (e & f) + (~e & g);
  std::uint64_t d_early = d + early;
  __asm__("" : "+r"(d_early));  // keeps d + early from being regrouped as d + (early + s1), a step longer
  const std::uint64_t s1 = big1_512(e);
  // Maj(a, b, c) = ((a ^ b) & (b ^ c)) ^ b, and a ^ b is the next round's b ^ c.
  const std::uint64_t a_xor_b = a ^ b;
  const std::uint64_t maj = (a_xor_b & b_xor_c) ^ b;
  b_xor_c = a_xor_b;
  h = early + s1 + maj + big0_512(a);
  d = d_early + s1;
}

/// The working variables a..h of SHA-512 (FIPS 180-4 6.4.2), kept in registers by the kernels.
struct vars512 {
  std::uint64_t a, b, c, d, e, f, g, h;
  std::uint64_t b_xor_c;  // b ^ c, carried from round to round for Maj
};

/// Eight rounds, reading K[t] + W[t] for them at kw[0], kw[1], kw[4], kw[5], kw[8], kw[9], kw[12], kw[13]
/// (one block's half of the layout compress512_avx2 stores).
__attribute__((target("bmi,bmi2"), always_inline)) inline void eight_rounds512(vars512& v,
                                                                               const std::uint64_t* kw) noexcept {
  round512(v.a, v.b, v.d, v.e, v.f, v.g, v.h, kw[0], v.b_xor_c);
  round512(v.h, v.a, v.c, v.d, v.e, v.f, v.g, kw[1], v.b_xor_c);
  round512(v.g, v.h, v.b, v.c, v.d, v.e, v.f, kw[4], v.b_xor_c);
  round512(v.f, v.g, v.a, v.b, v.c, v.d, v.e, kw[5], v.b_xor_c);
  round512(v.e, v.f, v.h, v.a, v.b, v.c, v.d, kw[8], v.b_xor_c);
  round512(v.d, v.e, v.g, v.h, v.a, v.b, v.c, kw[9], v.b_xor_c);
  round512(v.c, v.d, v.f, v.g, v.h, v.a, v.b, kw[12], v.b_xor_c);
  round512(v.b, v.c, v.e, v.f, v.g, v.h, v.a, kw[13], v.b_xor_c);
}

/// The message schedule of two blocks in eight YMM registers: w[j] holds, in its low half, the schedule
/// words W[2i-16+2j] and W[2i-15+2j] of the first block and, in its high half, the same words of the second
/// block, where i is the next step (one step makes two words, FIPS 180-4 6.4.2 step 1, of both blocks).
struct schedule512 {
  __m256i w[8];
};

/// Within each 128-bit half: the byte order of each quadword reversed (big-endian loads).
__attribute__((target("avx2"), always_inline)) inline __m256i byte_swap512() noexcept {
  return _mm256_set_epi64x(0x08090a0b0c0d0e0fLL, 0x0001020304050607LL, 0x08090a0b0c0d0e0fLL, 0x0001020304050607LL);
}

/// Loads W[0..15] of the blocks at `first` and `second` into `s` and stores W[t] + K[t] for t < 16 at `kw`
/// (word t of the first block at kw[4 * (t / 2) + t % 2], of the second two places further).
__attribute__((target("avx2"), always_inline)) inline void load_schedule512(schedule512& s, const std::uint8_t* first,
                                                                             const std::uint8_t* second,
                                                                             std::uint64_t* kw) noexcept {
  const __m256i swap = byte_swap512();
  for (int i = 0; i < 8; ++i) {
    const __m256i both = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(first + 16 * i))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(second + 16 * i)), 1);
    s.w[i] = _mm256_shuffle_epi8(both, swap);
    const __m256i k = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k512 + 2 * i)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(kw + 4 * i), _mm256_add_epi64(s.w[i], k));
  }
}

/// W[t] and W[t+1] of both blocks, t = 2i, from the ring: W[t-16..t-15] is w[at], W[t-15..t-14] spans w[at]
/// and w[at+1], W[t-7..t-6] spans w[at+4] and w[at+5], W[t-2..t-1] is `previous` (indices mod 8).
__attribute__((target("avx2"), always_inline)) inline __m256i schedule_step512(__m256i oldest, __m256i next,
                                                                                __m256i minus8, __m256i minus6,
                                                                                __m256i previous) noexcept {
  const __m256i rotate8 = _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL, 0x080f0e0d0c0b0a09LL,
                                            0x0007060504030201LL);
  const __m256i w15 = _mm256_alignr_epi8(next, oldest, 8);
  const __m256i w7 = _mm256_alignr_epi8(minus6, minus8, 8);
  // sigma0 = ROTR1 ^ ROTR8 ^ SHR7, sigma1 = ROTR19 ^ ROTR61 ^ SHR6 (FIPS 180-4 4.1.3); ROTR8 is a byte shuffle.
  const __m256i s0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(w15, 1), _mm256_slli_epi64(w15, 63)),
                                      _mm256_xor_si256(_mm256_shuffle_epi8(w15, rotate8), _mm256_srli_epi64(w15, 7)));
  const __m256i s1 = _mm256_xor_si256(
      _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(previous, 19), _mm256_slli_epi64(previous, 45)),
                       _mm256_xor_si256(_mm256_srli_epi64(previous, 61), _mm256_slli_epi64(previous, 3))),
      _mm256_srli_epi64(previous, 6));
  return _mm256_add_epi64(_mm256_add_epi64(oldest, w7), _mm256_add_epi64(s0, s1));
}

/// Steps i and i+1 (8 <= i < 40): W[2i..2i+3] of both blocks into the ring, plus K, stored at kw.
__attribute__((target("avx2"), always_inline)) inline void two_steps512(schedule512& s, int i,
                                                                         std::uint64_t* kw) noexcept {
  const __m256i first = schedule_step512(s.w[0], s.w[1], s.w[4], s.w[5], s.w[7]);
  const __m256i second = schedule_step512(s.w[1], s.w[2], s.w[5], s.w[6], first);
  for (int j = 0; j < 6; ++j) s.w[j] = s.w[j + 2];
  s.w[6] = first;
  s.w[7] = second;
  const __m256i k = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k512 + 2 * i));  // K[2i..2i+3]
  _mm256_store_si256(reinterpret_cast<__m256i*>(kw + 4 * i),
                     _mm256_add_epi64(first, _mm256_permute4x64_epi64(k, 0x44)));
  _mm256_store_si256(reinterpret_cast<__m256i*>(kw + 4 * i + 4),
                     _mm256_add_epi64(second, _mm256_permute4x64_epi64(k, 0xEE)));
}

/// The 80 rounds of one block on `state` from K[t] + W[t] at kw (one block's half, see eight_rounds512).
/// Between groups of eight rounds, schedule steps `step` to `end` (of the pair of blocks in `s`, stored at
/// `scheduled`) run, 2 * `per_group` steps per group: their vector work and latency hide behind the rounds.
__attribute__((target("avx2,bmi,bmi2"), always_inline)) inline void block512(
    std::uint64_t* state, const std::uint64_t* kw, schedule512& s, std::uint64_t* scheduled, int step, int end,
    int per_group) noexcept {
  vars512 v{state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7], state[1] ^ state[2]};
  for (int group = 0; group < 10; ++group) {
    for (int i = 0; i < per_group && step < end; ++i, step += 2) two_steps512(s, step, scheduled);
    eight_rounds512(v, kw + 16 * group);
  }
  state[0] += v.a;
  state[1] += v.b;
  state[2] += v.c;
  state[3] += v.d;
  state[4] += v.e;
  state[5] += v.f;
  state[6] += v.g;
  state[7] += v.h;
}

/// Processes `blocks` 128-byte blocks at `p` into the SHA-512 `state`, two at a time. The message schedule
/// (FIPS 180-4 6.4.2 step 1) of both blocks runs in AVX2 (schedule512), plus K, into a stack buffer; the
/// rounds run in scalar code with RORX and ANDN and carry the schedule steps between them, each step well
/// ahead of the rounds that read its words: the first pair's steps 8 to 39 in its first block, then each
/// second block loads the next pair and runs its steps 8 to 23, and that pair's first block steps 24 to 39.
/// An odd last block is loaded into both halves and its second copy ignored.
__attribute__((target("avx2,bmi,bmi2"))) inline void compress512_avx2(std::uint64_t* state, const std::uint8_t* p,
                                                                       std::size_t blocks) noexcept {
  alignas(32) std::uint64_t kw[2][160];
  schedule512 s;
  load_schedule512(s, p, blocks >= 2 ? p + 128 : p, kw[0]);
  int first_step = 8;  // of the current pair's schedule, still to run during its first block
  for (int current = 0;; current ^= 1, blocks -= 2, p += 256) {
    std::uint64_t* now = kw[current];
    std::uint64_t* next = kw[current ^ 1];
    block512(state, now, s, now, first_step, 40, first_step == 8 ? 2 : 1);
    if (blocks == 1) return;
    if (blocks == 2) {
      block512(state, now + 2, s, next, 0, 0, 0);
      return;
    }
    load_schedule512(s, p + 256, blocks >= 4 ? p + 384 : p + 256, next);
    block512(state, now + 2, s, next, 8, 24, 1);
    first_step = 24;
  }
}

}  // namespace keyward::detail::sha2

#endif  // KEYWARD_X86_SIMD

#endif  // KEYWARD_DETAIL_SHA2_X86_HPP
