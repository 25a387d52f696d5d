// keyward: compiler and platform detection shared by every header.
/// \file
/// Compiler and platform macros shared by every header (KEYWARD_LIKELY, KEYWARD_ALWAYS_INLINE, KEYWARD_X86_SIMD,
/// KEYWARD_NO_SIMD).
#ifndef KEYWARD_CONFIG_HPP
#define KEYWARD_CONFIG_HPP

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "keyward needs C++17 or later"
#endif

/// Branch-prediction hint for the path that valid input takes.
#if defined(__GNUC__) || defined(__clang__)
#define KEYWARD_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define KEYWARD_LIKELY(x) (x)
#endif

/// Inlines a small function on a hot path whatever the compiler's inlining heuristics decide (clang leaves
/// calls that GCC inlines, and a parser's per-byte or per-parameter helpers then cost a call each).
#if defined(__GNUC__) || defined(__clang__)
#define KEYWARD_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define KEYWARD_ALWAYS_INLINE inline
#endif

/// 1 on x86-64 with GCC or Clang, where the run-time dispatched SIMD kernels can be compiled. Defining
/// KEYWARD_NO_SIMD before including keyward turns every SIMD path off; define it (or not) for the whole
/// program, since inline functions whose bodies differ between translation units break the ODR.
#if !defined(KEYWARD_NO_SIMD) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KEYWARD_X86_SIMD 1
#else
#define KEYWARD_X86_SIMD 0
#endif

#endif  // KEYWARD_CONFIG_HPP
