// keyward (private): the two primitives of constant-time code, shared by ct.hpp and the constant-time
// Base64 and Basic paths: a value barrier that stops the optimiser from turning masks back into branches, and
// the one way to make a verdict computed from secret bytes public.
#ifndef KEYWARD_DETAIL_CT_HPP
#define KEYWARD_DETAIL_CT_HPP

#include "../config.hpp"

#include <type_traits>

#if defined(KEYWARD_CONSTANT_TIME_VALIDATION)
#include <valgrind/memcheck.h>
#endif

namespace keyward::detail::ct {

/// `value`, unchanged, but opaque to the optimiser: it can no longer reason about which values are
/// possible, so it cannot specialise the code that follows on them (as Clang does with `x | (0 - (y == 0))`,
/// turning a mask back into a branch).
template <class T>
inline T value_barrier(T value) noexcept {
  static_assert(std::is_integral_v<T>, "value_barrier works on integers");
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(value));
#else
  volatile T opaque = value;
  value = opaque;
#endif
  return value;
}

/// Marks a value computed from secret bytes as public: the one point where constant-time code may branch on
/// it. Does nothing, unless built with KEYWARD_CONSTANT_TIME_VALIDATION (tests/ctgrind), where it tells
/// valgrind's memcheck that the value is defined, so that memcheck reports only the secret-dependent
/// branches and indexes that are not meant.
template <class T>
inline T declassify(T value) noexcept {
#if defined(KEYWARD_CONSTANT_TIME_VALIDATION)
  (void)VALGRIND_MAKE_MEM_DEFINED(&value, sizeof value);
#endif
  return value;
}

}  // namespace keyward::detail::ct

#endif  // KEYWARD_DETAIL_CT_HPP
