// keyward: private. The one place where a time point of any clock and integer precision becomes integers
// (whole seconds, nanoseconds), saturating instead of overflowing, for every header that takes a `now`.
// std::chrono's own conversions (duration_cast, floor, time point arithmetic) multiply in the
// representation and overflow, which is undefined, at the ends of its range: floor<seconds> of a minutes
// count, nanoseconds of a seconds count past 2262, `now - floor<seconds>(now)` within a second of the most
// negative nanosecond. These compute the exact value in 128 bits and saturate it instead.
#ifndef KEYWARD_DETAIL_TIME_CONVERT_HPP
#define KEYWARD_DETAIL_TIME_CONVERT_HPP

#include "arith.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>

namespace keyward::detail::time_convert {

/// A UTC instant with one-second resolution (the type of http::sys_seconds).
using sys_seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

/// True for the representations a time point given to keyward may count in: the built-in integers of at
/// most 64 bits. Floating-point counts are refused at compile time (their NaN and out-of-range values have
/// no integer meaning): floor them to an integer duration first.
template <class Rep>
inline constexpr bool is_integer_time = std::is_integral<Rep>::value && !std::is_same<Rep, bool>::value &&
                                        sizeof(Rep) <= sizeof(std::int64_t);

/// The count `negative ? -magnitude : magnitude` times Num / Den (Num, Den > 0), rounded down and
/// saturated to int64, and what rounding down left over, in 1/Den (0 to Den - 1; 0 when saturated).
struct scaled_count {
  std::int64_t value;
  std::uint64_t remainder;
  bool saturated;
};
template <std::uintmax_t Num, std::uintmax_t Den>
constexpr scaled_count scale_count(bool negative, std::uint64_t magnitude) noexcept {
  static_assert(Num > 0 && Den > 0 && Num <= UINT64_MAX && Den <= UINT64_MAX, "keyward: time ratio out of range");
  constexpr scaled_count highest{(std::numeric_limits<std::int64_t>::max)(), 0, true};
  constexpr scaled_count lowest{(std::numeric_limits<std::int64_t>::min)(), 0, true};
  std::uint64_t whole = 0, rest = 0;  // magnitude * Num / Den = whole + rest / Den
  if constexpr (Den == 1) {
    const arith::wide_product product = arith::multiply_wide(magnitude, Num);
    if (product.high != 0) return negative ? lowest : highest;
    whole = product.low;
  } else if constexpr (Num == 1) {
    whole = magnitude / Den;
    rest = magnitude % Den;
  } else {
    const arith::wide_product product = arith::multiply_wide(magnitude, Num);
    if (product.high >= Den) return negative ? lowest : highest;  // a quotient of 2^64 or more
    const arith::wide_quotient divided = arith::divide_wide(product, Den);
    whole = divided.quotient;
    rest = divided.remainder;
  }
  constexpr std::uint64_t most = static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)());
  if (!negative) return whole > most ? highest : scaled_count{static_cast<std::int64_t>(whole), rest, false};
  if (rest != 0) {  // rounding down a negative value moves away from zero
    ++whole;
    rest = Den - rest;
  }
  if (whole == 0) return {0, 0, false};
  if (whole > most + 1) return lowest;
  return {-static_cast<std::int64_t>(whole - 1) - 1, rest, false};
}

/// scale_count() of the count of `d`, by the ratio of its period to `To` (a std::ratio).
template <class To, class Rep, class Period>
constexpr scaled_count scale_duration(std::chrono::duration<Rep, Period> d) noexcept {
  static_assert(is_integer_time<Rep>,
                "keyward: time points must count in a built-in integer type of at most 64 bits; floor a "
                "floating-point time point to an integer duration first (std::chrono::floor)");
  using ratio = std::ratio_divide<Period, To>;
  const Rep count = d.count();
  if constexpr (std::is_signed<Rep>::value) {
    const auto wide = static_cast<std::int64_t>(count);
    const auto bits = static_cast<std::uint64_t>(wide);
    return scale_count<ratio::num, ratio::den>(wide < 0, wide < 0 ? 0 - bits : bits);
  } else {
    return scale_count<ratio::num, ratio::den>(false, static_cast<std::uint64_t>(count));
  }
}

/// `d` in nanoseconds, rounded down (toward the past), saturated to the int64 range (about +-292 years).
template <class Rep, class Period>
constexpr std::int64_t floor_nanoseconds(std::chrono::duration<Rep, Period> d) noexcept {
  return scale_duration<std::nano>(d).value;
}

/// A time point as whole seconds since its clock's epoch, rounded down, and the nanoseconds past that second.
struct seconds_and_nanoseconds {
  std::int64_t seconds;
  std::int64_t nanoseconds;  ///< 0 to 999,999,999
};

/// `since_epoch` split into whole seconds (rounded down) and nanoseconds (rounded down). A count of seconds
/// beyond int64 (only a period coarser than a second can reach it) saturates to the first or the last
/// nanosecond that int64 seconds hold.
template <class Rep, class Period>
constexpr seconds_and_nanoseconds split_seconds(std::chrono::duration<Rep, Period> since_epoch) noexcept {
  const scaled_count whole = scale_duration<std::ratio<1>>(since_epoch);
  if (whole.saturated) return {whole.value, whole.value < 0 ? 0 : 999'999'999};
  // The fraction whole.remainder / den of a second, in nanoseconds rounded down.
  constexpr auto den = static_cast<std::uint64_t>(std::ratio_divide<Period, std::ratio<1>>::den);
  std::uint64_t fraction = 0;
  if constexpr (1'000'000'000 % den == 0) {
    fraction = whole.remainder * (1'000'000'000 / den);
  } else {
    fraction = arith::divide_wide(arith::multiply_wide(whole.remainder, 1'000'000'000), den).quotient;
  }
  return {whole.value, static_cast<std::int64_t>(fraction)};
}

/// A system_clock time point of any integer precision as sys_seconds, rounded down (toward the past), and
/// saturated to the ends of sys_seconds (only a period coarser than a second can reach them).
template <class Duration>
constexpr sys_seconds floor_seconds(std::chrono::time_point<std::chrono::system_clock, Duration> when) noexcept {
  return sys_seconds(std::chrono::seconds(scale_duration<std::ratio<1>>(when.time_since_epoch()).value));
}

/// The nanoseconds from `from` to `to` (time points of one clock), rounded down; 0 when `to` is not after
/// `from`; saturated at the int64 maximum (about 292 years).
template <class TimePoint>
constexpr std::int64_t nanoseconds_between(TimePoint from, TimePoint to) noexcept {
  using rep = typename TimePoint::rep;
  static_assert(is_integer_time<rep>,
                "keyward: time points must count in a built-in integer type of at most 64 bits");
  if (!(from < to)) return 0;
  // The difference of two integers of at most 64 bits, exact in uint64 when it is positive.
  using wide = std::conditional_t<std::is_signed<rep>::value, std::int64_t, std::uint64_t>;
  const std::uint64_t ticks = static_cast<std::uint64_t>(static_cast<wide>(to.time_since_epoch().count())) -
                              static_cast<std::uint64_t>(static_cast<wide>(from.time_since_epoch().count()));
  using ratio = std::ratio_divide<typename TimePoint::period, std::nano>;
  return scale_count<ratio::num, ratio::den>(false, ticks).value;
}

}  // namespace keyward::detail::time_convert

#endif  // KEYWARD_DETAIL_TIME_CONVERT_HPP
