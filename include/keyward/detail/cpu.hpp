// keyward (private): which x86 instruction sets the CPU and the OS support, detected once with cpuid and
// xgetbv and cached, plus the test hook that restricts the kernels the dispatchers may choose.
#ifndef KEYWARD_DETAIL_CPU_HPP
#define KEYWARD_DETAIL_CPU_HPP

#include "../config.hpp"

#include <atomic>
#include <cstdint>

#if KEYWARD_X86_SIMD
#include <cpuid.h>
#endif

namespace keyward::detail {

/// Instruction-set extensions that keyward has kernels for, as bits of a set.
enum class isa : std::uint32_t {
  none = 0,
  avx2 = 1u << 0,        ///< AVX2 with OS support for the YMM state
  avx512 = 1u << 1,      ///< AVX-512 F, BW and VL with OS support for the ZMM and opmask state
  avx512vbmi = 1u << 2,  ///< AVX-512 VBMI (in addition to `avx512`)
  sha = 1u << 3,         ///< SHA extensions (SHA-NI) with SSSE3 and SSE4.1
  all = (1u << 4) - 1,
};

constexpr isa operator|(isa a, isa b) noexcept {
  return static_cast<isa>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr isa operator&(isa a, isa b) noexcept {
  return static_cast<isa>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}

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
/// The extensions this CPU and OS support, from cpuid leaves 1 and 7 and XCR0 (read only when the OS has
/// set OSXSAVE). Queried on every call; use supported_isa() for the cached value.
inline isa detect_isa() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return isa::none;
  __cpuid_count(1, 0, eax, ebx, ecx, edx);
  const bool ssse3 = (ecx >> 9) & 1u;
  const bool sse41 = (ecx >> 19) & 1u;
  const bool osxsave = (ecx >> 27) & 1u;
  const bool avx = (ecx >> 28) & 1u;
  std::uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (std::uint64_t{hi} << 32) | lo;
  }
  const bool ymm_state = (xcr0 & 0x6u) == 0x6u;     // XMM and YMM
  const bool zmm_state = (xcr0 & 0xe6u) == 0xe6u;   // plus opmask, ZMM_Hi256, Hi16_ZMM
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  isa found = isa::none;
  if (avx && ymm_state && ((ebx >> 5) & 1u)) found = found | isa::avx2;
  const bool avx512fbwvl = ((ebx >> 16) & 1u) && ((ebx >> 30) & 1u) && ((ebx >> 31) & 1u);
  if (avx && zmm_state && avx512fbwvl) {
    found = found | isa::avx512;
    if ((ecx >> 1) & 1u) found = found | isa::avx512vbmi;
  }
  if (((ebx >> 29) & 1u) && ssse3 && sse41) found = found | isa::sha;
  return found;
}
#else
/// Without SIMD kernels (KEYWARD_NO_SIMD, or not x86-64 with GCC/Clang) nothing is ever reported.
inline isa detect_isa() noexcept { return isa::none; }
#endif

/// The extensions this machine supports, detected on first use and cached for the process.
inline isa supported_isa() noexcept {
  static const isa cached = detect_isa();
  return cached;
}

/// The set the dispatchers are allowed to use (all unless a test restricted it with force_isa()).
inline std::atomic<std::uint32_t>& allowed_isa_storage() noexcept {
  static std::atomic<std::uint32_t> allowed{static_cast<std::uint32_t>(isa::all)};
  return allowed;
}

/// Test hook: from now on the dispatchers use only kernels within `allowed` (isa::none forces the scalar
/// code everywhere, isa::all restores the default). Extensions the machine lacks stay unused whatever
/// `allowed` says. Returns the previous setting.
inline isa force_isa(isa allowed) noexcept {
  return static_cast<isa>(allowed_isa_storage().exchange(static_cast<std::uint32_t>(allowed)));
}

/// The extensions the dispatchers may use right now: supported_isa() within the force_isa() setting.
inline isa active_isa() noexcept {
  return supported_isa() & static_cast<isa>(allowed_isa_storage().load(std::memory_order_relaxed));
}

/// True when every extension in `wanted` may be used right now.
inline bool has_isa(isa wanted) noexcept { return (active_isa() & wanted) == wanted; }

/// Test hook: restricts the dispatchers to `allowed` for the lifetime of the object, then restores the
/// previous setting.
class scoped_isa {
 public:
  explicit scoped_isa(isa allowed) noexcept : previous_(force_isa(allowed)) {}
  ~scoped_isa() { force_isa(previous_); }
  scoped_isa(const scoped_isa&) = delete;
  scoped_isa& operator=(const scoped_isa&) = delete;

 private:
  isa previous_;
};

}  // namespace keyward::detail

#endif  // KEYWARD_DETAIL_CPU_HPP
