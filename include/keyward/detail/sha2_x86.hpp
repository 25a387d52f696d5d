// keyward (private): x86 kernels for SHA-2: SHA-256 with the SHA extensions (SHA-NI). Compiled through a
// target attribute, so no special flags are needed; called only when detail::cpu::has(cpu::sha_ni).
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

}  // namespace keyward::detail::sha2

#endif  // KEYWARD_X86_SIMD

#endif  // KEYWARD_DETAIL_SHA2_X86_HPP
