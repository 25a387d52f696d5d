// keyward: private integer arithmetic shared by every module: saturating size sums, floor division and
// 64 x 64 -> 128-bit products and quotients, each written once.
#ifndef KEYWARD_DETAIL_ARITH_HPP
#define KEYWARD_DETAIL_ARITH_HPP

#include <cstddef>
#include <cstdint>

namespace keyward::detail::arith {

/// a + b, or SIZE_MAX when the sum does not fit: how every size a writer reports saturates.
constexpr std::size_t add_saturated(std::size_t a, std::size_t b) noexcept {
  return b > SIZE_MAX - a ? SIZE_MAX : a + b;
}

/// a / b rounded toward negative infinity (b > 0).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - (a % b < 0 ? 1 : 0);
}

/// a / b rounded up (b > 0).
constexpr std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) noexcept { return a / b + (a % b != 0 ? 1 : 0); }

/// A 128-bit unsigned value as two 64-bit halves.
struct wide_product {
  std::uint64_t high;
  std::uint64_t low;
};

/// a * b as 128 bits, from four 32-bit partial products (the path of compilers without a 128-bit integer,
/// kept callable so that tests can compare it with the native one).
constexpr wide_product multiply_wide_portable(std::uint64_t a, std::uint64_t b) noexcept {
  constexpr std::uint64_t mask = 0xFFFFFFFFu;
  const std::uint64_t low_low = (a & mask) * (b & mask);
  const std::uint64_t low_high = (a & mask) * (b >> 32);
  const std::uint64_t high_low = (a >> 32) * (b & mask);
  const std::uint64_t high_high = (a >> 32) * (b >> 32);
  const std::uint64_t middle = (low_low >> 32) + (low_high & mask) + (high_low & mask);  // cannot overflow
  return {high_high + (low_high >> 32) + (high_low >> 32) + (middle >> 32), (middle << 32) | (low_low & mask)};
}

/// a * b as 128 bits (one multiply instruction where the compiler offers a 128-bit integer).
constexpr wide_product multiply_wide(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ typedef unsigned __int128 uint128;
  const uint128 product = static_cast<uint128>(a) * b;
  return {static_cast<std::uint64_t>(product >> 64), static_cast<std::uint64_t>(product)};
#else
  return multiply_wide_portable(a, b);
#endif
}

/// The high 64 bits of a * b.
constexpr std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b) noexcept { return multiply_wide(a, b).high; }

/// A 64-bit quotient and remainder of a 128-bit dividend (see divide_wide()).
struct wide_quotient {
  std::uint64_t quotient;
  std::uint64_t remainder;
};

/// `dividend` / `divisor` and the remainder, by shift-and-subtract (slow: for set-up code, not hot paths).
/// Requires divisor != 0 and dividend.high < divisor, so that the quotient fits in 64 bits.
constexpr wide_quotient divide_wide(wide_product dividend, std::uint64_t divisor) noexcept {
  std::uint64_t remainder = dividend.high;
  std::uint64_t quotient = 0;
  for (int bit = 63; bit >= 0; --bit) {
    const bool carry = (remainder >> 63) != 0;
    remainder = (remainder << 1) | ((dividend.low >> bit) & 1u);
    quotient <<= 1;
    if (carry || remainder >= divisor) {
      remainder -= divisor;  // modulo 2^64, which is exact when `carry` held the 65th bit
      quotient |= 1u;
    }
  }
  return {quotient, remainder};
}

}  // namespace keyward::detail::arith

#endif  // KEYWARD_DETAIL_ARITH_HPP
