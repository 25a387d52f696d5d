// keyward: constant-time operations on secret data. Comparisons whose running time depends only on the
// lengths of the inputs, never on their contents, a branch-free select, and a wipe the compiler cannot
// remove. The accumulators pass through a value barrier so that no optimiser can turn them back into early
// exits; tests/ctgrind checks the compiled code under valgrind.
/// \file
/// Constant-time comparison, selection and wiping of secret data.
#ifndef KEYWARD_CT_HPP
#define KEYWARD_CT_HPP

#include "config.hpp"
#include "detail/ct.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#elif defined(__GLIBC__) || defined(__OpenBSD__) || defined(__FreeBSD__)
#include <string.h>  // explicit_bzero
#endif

namespace keyward::detail::ct {
/// 1 when `word` is non-zero, else 0, without a branch.
inline std::uint64_t nonzero_bit(std::uint64_t word) noexcept {
  return value_barrier(static_cast<std::uint64_t>((word | (0 - word)) >> 63));
}

template <class T, bool = std::is_enum_v<T>>
struct integer_of {
  using type = T;
};
template <class T>
struct integer_of<T, true> {
  using type = std::underlying_type_t<T>;
};
}  // namespace keyward::detail::ct

/// Constant-time operations on secret data: comparison, selection and a wipe the compiler keeps.
namespace keyward::ct {

/// True when the `size` bytes at `a` and at `b` are equal. The time taken depends on `size` only, never on
/// the bytes or on where they differ. Both ranges must be valid for `size` bytes.
inline bool equal(const void* a, const void* b, std::size_t size) noexcept {
  const auto* left = static_cast<const unsigned char*>(a);
  const auto* right = static_cast<const unsigned char*>(b);
  std::uint64_t difference = 0;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, left + i, 8);
    std::memcpy(&y, right + i, 8);
    difference = detail::ct::value_barrier(difference | (x ^ y));
  }
  for (; i < size; ++i) {
    difference = detail::ct::value_barrier(difference | static_cast<unsigned>(left[i] ^ right[i]));
  }
  return detail::ct::nonzero_bit(difference) == 0;
}

/// True when `a` and `b` have the same length and the same bytes. The lengths are treated as public: when
/// they differ the answer is false at once; otherwise the time depends on the length only. For secrets
/// whose length must stay hidden too, use crypto::equal_length_hiding() (crypto/equal_length_hiding.hpp).
inline bool equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return equal(a.data(), b.data(), a.size());
}

/// `if_true` when `condition` is true, else `if_false`, chosen with masks instead of a branch.
template <class T>
inline T select(bool condition, T if_true, T if_false) noexcept {
  static_assert((std::is_integral_v<T> && !std::is_same_v<T, bool>) || std::is_enum_v<T>,
                "select works on integers and enums (for bool, select between 1 and 0)");
  using bits = std::make_unsigned_t<typename detail::ct::integer_of<T>::type>;
  const auto bit = static_cast<bits>(detail::ct::value_barrier(static_cast<unsigned>(condition)));
  const bits mask = static_cast<bits>(0 - bit);
  const auto t = static_cast<bits>(if_true);
  const auto f = static_cast<bits>(if_false);
  return static_cast<T>(static_cast<bits>((t & mask) | (f & static_cast<bits>(~mask))));
}

/// Overwrites the `size` bytes at `data` with zeros in a way the compiler may not remove as a dead store:
/// explicit_bzero (glibc, BSDs), SecureZeroMemory (Windows), else volatile writes and a compiler barrier.
/// Does nothing when `size` is 0 or `data` is null.
inline void secure_zero(void* data, std::size_t size) noexcept {
  if (size == 0 || data == nullptr) return;
#if defined(_WIN32)
  ::SecureZeroMemory(data, size);
#elif (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))) || \
    defined(__OpenBSD__) || defined(__FreeBSD__)
#if defined(__GNUC__) && !defined(__clang__)
  // GCC 12 with -fsanitize=address at -O2 loses the size of objects wiped from std::variant storage
  // (result<T> holding a pepper_set) and reports a write "into a region of size 0": a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
  ::explicit_bzero(data, size);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#else
  volatile unsigned char* bytes = static_cast<volatile unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = 0;
#if defined(__GNUC__) || defined(__clang__)
  __asm__ __volatile__("" : : "r"(data) : "memory");
#endif
#endif
}

}  // namespace keyward::ct

#endif  // KEYWARD_CT_HPP
