// keyward (private): which x86 instruction sets the CPU and the OS support, detected once with cpuid and
// xgetbv and cached, and the process-wide set of kernels the dispatchers may choose (set through the public
// keyward/kernels.hpp).
#ifndef KEYWARD_DETAIL_CPU_HPP
#define KEYWARD_DETAIL_CPU_HPP

#include "../config.hpp"

#include <atomic>
#include <cstdint>

#if KEYWARD_X86_SIMD
#include <cpuid.h>
#endif

namespace keyward::detail::cpu {

/// The bits of a kernel set: one per family of SIMD kernels that keyward has.
inline constexpr std::uint32_t avx2 = 1u << 0;        ///< AVX2, BMI1 and BMI2 with OS support for the YMM state
inline constexpr std::uint32_t avx512vbmi = 1u << 1;  ///< AVX-512 F, BW, VL and VBMI with OS ZMM/opmask state
inline constexpr std::uint32_t sha_ni = 1u << 2;      ///< SHA extensions with SSSE3 and SSE4.1
inline constexpr std::uint32_t pclmul = 1u << 3;      ///< PCLMULQDQ (carry-less multiplication) with SSSE3
inline constexpr std::uint32_t all = avx2 | avx512vbmi | sha_ni | pclmul;

/// True during constant evaluation, where only the portable scalar code may run; false at run time and
/// on compilers that cannot tell (which then never reach a SIMD branch in a constant expression).
constexpr bool is_constant_evaluated() noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_is_constant_evaluated();
#else
  return false;
#endif
}

#if KEYWARD_X86_SIMD
/// The kernels this CPU and OS support, from cpuid leaves 1 and 7 and XCR0 (read only when the OS has set
/// OSXSAVE). Queried on every call; supported() caches it.
inline std::uint32_t detect() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return 0;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  const bool ssse3 = (ecx >> 9) & 1u;
  const bool sse41 = (ecx >> 19) & 1u;
  const bool osxsave = (ecx >> 27) & 1u;
  const bool avx = (ecx >> 28) & 1u;
  const bool pclmulqdq = (ecx >> 1) & 1u;
  std::uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (std::uint64_t{hi} << 32) | lo;
  }
  const bool ymm_state = (xcr0 & 0x6u) == 0x6u;     // XMM and YMM
  const bool zmm_state = (xcr0 & 0xe6u) == 0xe6u;   // plus opmask, ZMM_Hi256, Hi16_ZMM
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  std::uint32_t found = 0;
  const bool bmi = ((ebx >> 3) & 1u) && ((ebx >> 8) & 1u);  // BMI1 and BMI2 (ANDN, RORX), on every AVX2 CPU so far
  if (avx && ymm_state && ((ebx >> 5) & 1u) && bmi) found |= avx2;
  const bool avx512fbwvl = ((ebx >> 16) & 1u) && ((ebx >> 30) & 1u) && ((ebx >> 31) & 1u);
  if (avx && zmm_state && avx512fbwvl && ((ecx >> 1) & 1u)) found |= avx512vbmi;
  if (((ebx >> 29) & 1u) && ssse3 && sse41) found |= sha_ni;
  if (pclmulqdq && ssse3) found |= pclmul;
  return found;
}
#else
/// Without SIMD kernels (KEYWARD_NO_SIMD, or not x86-64 with GCC/Clang) nothing is ever reported.
inline std::uint32_t detect() noexcept { return 0; }
#endif

/// The kernels this machine and build support, detected on first use and cached for the process.
inline std::uint32_t supported() noexcept {
  static const std::uint32_t cached = detect();
  return cached;
}

/// The kernels the dispatchers are allowed to use: all unless restricted through kernels::force().
inline std::atomic<std::uint32_t>& allowed() noexcept {
  static std::atomic<std::uint32_t> bits{all};
  return bits;
}

/// The kernels the dispatchers may use right now: supported() within allowed().
inline std::uint32_t active() noexcept { return supported() & allowed().load(std::memory_order_relaxed); }

/// True when every kernel in `wanted` may be used right now.
inline bool has(std::uint32_t wanted) noexcept { return (active() & wanted) == wanted; }

}  // namespace keyward::detail::cpu

#endif  // KEYWARD_DETAIL_CPU_HPP
