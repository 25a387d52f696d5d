// keyward: which SIMD kernels the run-time dispatchers may choose, for tests and benchmarks.
//
// keyward picks its kernels at run time: Base64 uses AVX-512 VBMI or AVX2 when the CPU and OS support them
// and the input is long enough to pay off, the API-key scanner (keys/scan.hpp) finds candidate positions with
// AVX-512 BW or AVX2, SHA-256 uses the SHA extensions (SHA-NI), SHA-384 and SHA-512 (so HMAC-SHA384/512 and
// the HS384/HS512 JWTs) use AVX2 with BMI2, the CRC-32 of API keys uses PCLMULQDQ; everything else, and every
// call during constant evaluation, runs the portable scalar code.
// All kernels give byte-identical results. Production code never needs this header: it exists so that a test
// suite or a benchmark can run each kernel on a machine that has several, and compare them.
//
// The setting is process-wide (one atomic, shared by every thread). Changing it while another thread is
// inside a keyward call is not a data race, but that call may use either setting, so change it only while no
// keyward call runs (at the start of a test program, or around a benchmark loop).
/// \file
/// Which SIMD kernels the run-time dispatchers may choose, for tests and benchmarks.
#ifndef KEYWARD_KERNELS_HPP
#define KEYWARD_KERNELS_HPP

#include "config.hpp"
#include "detail/cpu.hpp"

#include <cstdint>

/// Which SIMD kernels the run-time dispatchers may choose: for tests and benchmarks only.
namespace keyward::kernels {

/// A set of SIMD kernels: one of the named kernels, or several combined with `|`. `scalar` is the empty set
/// (the portable code everywhere); `all` is every kernel keyward has.
enum class kernel : std::uint32_t {
  scalar = 0,                             ///< no SIMD kernel: the portable code
  avx2 = detail::cpu::avx2,               ///< AVX2 (with BMI1, BMI2): Base64, key scanner candidates, SHA-384/512
  avx512vbmi = detail::cpu::avx512vbmi,   ///< Base64 with AVX-512 F, BW, VL and VBMI; the key scanner with AVX-512 BW
  sha_ni = detail::cpu::sha_ni,           ///< SHA-256 with the x86 SHA extensions
  pclmul = detail::cpu::pclmul,           ///< CRC-32 with PCLMULQDQ (carry-less multiplication)
  all = detail::cpu::all,                 ///< every kernel above
};

/// The union of two kernel sets.
constexpr kernel operator|(kernel a, kernel b) noexcept {
  return static_cast<kernel>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
/// The intersection of two kernel sets.
constexpr kernel operator&(kernel a, kernel b) noexcept {
  return static_cast<kernel>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}

/// The kernels this CPU, OS and build support (detected once with cpuid and cached). Always `scalar` when
/// built with KEYWARD_NO_SIMD or for a target other than x86-64 with GCC or Clang.
inline kernel available() noexcept { return static_cast<kernel>(detail::cpu::supported()); }

/// True when every kernel in `k` is available (always true for `scalar`).
inline bool available(kernel k) noexcept { return (available() & k) == k; }

/// The kernels the dispatchers may use right now: available() within the last force() (all by default).
inline kernel active() noexcept { return static_cast<kernel>(detail::cpu::active()); }

/// Restricts the dispatchers, for the whole process, to the kernels in `k`: force(kernel::scalar) runs the
/// portable code everywhere, force(kernel::avx2) runs Base64, the key scanner and SHA-384/512 with AVX2 and
/// SHA-256 without SHA-NI, and force(kernel::all) restores the default. A kernel in `k` that is not available is simply not used (the
/// dispatcher falls back to the best remaining kernel, at worst the portable code): check available(k)
/// first to know that it will run. Returns the previous setting. Not for use while other threads are inside
/// keyward calls (see the top of this header).
inline kernel force(kernel k) noexcept {
  return static_cast<kernel>(detail::cpu::allowed().exchange(static_cast<std::uint32_t>(k)));
}

/// force(k) for the lifetime of the object, then the previous setting again. For tests and benchmarks.
class scoped_force {
 public:
  /// Restricts the dispatchers to `k` (see force()).
  explicit scoped_force(kernel k) noexcept : previous_(force(k)) {}
  /// Restores the setting in force before construction.
  ~scoped_force() { force(previous_); }
  scoped_force(const scoped_force&) = delete;
  scoped_force& operator=(const scoped_force&) = delete;

 private:
  kernel previous_;
};

}  // namespace keyward::kernels

#endif  // KEYWARD_KERNELS_HPP
