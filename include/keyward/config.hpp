// keyward: compiler and platform detection shared by every header.
#ifndef KEYWARD_CONFIG_HPP
#define KEYWARD_CONFIG_HPP

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "keyward needs C++17 or later"
#endif

/// 1 when the translation unit is compiled with exceptions enabled, else 0. keyward never throws on bad
/// input either way; this only tells the optional conveniences what they may rely on.
#ifndef KEYWARD_USE_EXCEPTIONS
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define KEYWARD_USE_EXCEPTIONS 1
#else
#define KEYWARD_USE_EXCEPTIONS 0
#endif
#endif

/// Branch-prediction hints for paths that valid input never takes.
#if defined(__GNUC__) || defined(__clang__)
#define KEYWARD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define KEYWARD_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define KEYWARD_UNLIKELY(x) (x)
#define KEYWARD_LIKELY(x) (x)
#endif

/// 1 on x86-64 with GCC or Clang, where the run-time dispatched SIMD kernels can be compiled. Defining
/// KEYWARD_NO_SIMD before including keyward turns every SIMD path off.
#if !defined(KEYWARD_NO_SIMD) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KEYWARD_X86_SIMD 1
#else
#define KEYWARD_X86_SIMD 0
#endif

#endif  // KEYWARD_CONFIG_HPP
