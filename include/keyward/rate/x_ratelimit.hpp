// keyward: the de-facto X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset response fields: the
// values a server sends for a limiter's decision, and a strict parser for clients.
//
// The fields have no specification; each holds one integer. Limit is
// the request quota, Remaining what is left of it. Reset means different things in different APIs: GitHub
// (and others) send the Unix time in seconds at which the quota is restored, many others the number of
// seconds to wait (as the early IETF drafts' RateLimit-Reset did). A client must know which its server
// sends; reset_meaning names the two.
/// \file
/// The de-facto X-RateLimit-Limit, -Remaining and -Reset response fields.
#ifndef KEYWARD_RATE_X_RATELIMIT_HPP
#define KEYWARD_RATE_X_RATELIMIT_HPP

#include "../detail/arith.hpp"
#include "../detail/time_convert.hpp"
#include "../error.hpp"
#include "quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::rate {

/// What an X-RateLimit-Reset integer counts.
enum class reset_meaning : std::uint8_t {
  delay_seconds,  ///< seconds from now until the quota is restored
  unix_seconds,   ///< the Unix time (seconds since 1970-01-01T00:00:00Z) at which it is restored (GitHub)
};

/// The three X-RateLimit-* values, as integers.
struct x_ratelimit_values {
  std::uint64_t limit = 0;      ///< X-RateLimit-Limit
  std::uint64_t remaining = 0;  ///< X-RateLimit-Remaining
  std::uint64_t reset = 0;      ///< X-RateLimit-Reset, in the reset_meaning chosen
};

/// The X-RateLimit-* values for `d` at `now`: Limit is the burst (decision::limit), Remaining
/// decision::remaining, Reset the end of decision::reset_after (a negative one counts as 0) rounded up to
/// whole seconds (never announced early, to the nanosecond: a finer `now` is read rounded down to it), as a
/// delay or as a Unix time: `now` plus the delay, where `now` is a system_clock time point of any integer
/// precision (a floating-point one does not compile). Edges: a
/// Unix time at or before 1970 (a `now` before 1970 plus a short delay) gives 0; a `now` beyond the int64
/// seconds (only a period coarser than a second reaches it) counts as their first or last nanosecond. Never
/// fails, and no value of `now` or `d` overflows.
template <class Duration>
constexpr x_ratelimit_values x_ratelimit(const decision& d,
                                         std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                         reset_meaning meaning) noexcept {
  if (meaning == reset_meaning::delay_seconds)
    return {d.limit, d.remaining, detail::rate_quota::seconds_rounded_up(d.reset_after)};
  const auto at = detail::time_convert::split_seconds(now.time_since_epoch());
  // From the start of `now`'s second to the reset: below 2^63 + 10^9 ns, exact in uint64.
  const std::uint64_t after =
      static_cast<std::uint64_t>(at.nanoseconds) +
      (d.reset_after.count() > 0 ? static_cast<std::uint64_t>(d.reset_after.count()) : 0);
  const std::uint64_t delay = detail::arith::ceil_div(after, 1'000'000'000u);  // at most 2^33 + 1
  const auto base = static_cast<std::uint64_t>(at.seconds);  // modulo 2^64: exact sums below
  const std::uint64_t reset = at.seconds < 0 && delay <= 0 - base ? 0 : base + delay;
  return {d.limit, d.remaining, reset};
}

/// Parses one X-RateLimit-* value strictly: 1*DIGIT, with the surrounding spaces and tabs of a field
/// value allowed; no sign, fraction or exponent. Errors: rate_header_empty; rate_header_invalid_integer at
/// the first byte that is not a digit; rate_header_integer_overflow (at the digit) above 2^64 - 1.
constexpr result<std::uint64_t> parse_x_ratelimit(std::string_view value) noexcept {
  std::size_t begin = 0, end = value.size();
  while (begin < end && (value[begin] == ' ' || value[begin] == '\t')) ++begin;
  while (end > begin && (value[end - 1] == ' ' || value[end - 1] == '\t')) --end;
  if (begin == end) return errc::rate_header_empty;
  std::uint64_t number = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (c < '0' || c > '9') return error(errc::rate_header_invalid_integer, i);
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (number > (UINT64_MAX - digit) / 10) return error(errc::rate_header_integer_overflow, i);
    number = number * 10 + digit;
  }
  return number;
}

/// The delay until the reset that an X-RateLimit-Reset value announces at `now` (a system_clock time point
/// of any integer precision; a floating-point one does not compile), read with `meaning`: the value as
/// seconds, or the Unix time minus `now` (zero when that time is not after `now`). Never negative: delays
/// beyond what nanoseconds hold (292 years, e.g. a reset in 2300, or any reset seen from a `now` before
/// 1678) are clamped to the most whole seconds they do hold, 9,223,372,036 s; a `now` beyond the int64
/// seconds counts as their first or last nanosecond. Errors as parse_x_ratelimit().
template <class Duration>
constexpr result<std::chrono::nanoseconds> parse_x_ratelimit_reset(
    std::string_view value, std::chrono::time_point<std::chrono::system_clock, Duration> now,
    reset_meaning meaning) noexcept {
  using std::chrono::nanoseconds;
  const auto number = parse_x_ratelimit(value);
  if (!number) return number.error();
  constexpr std::uint64_t max_seconds = static_cast<std::uint64_t>((nanoseconds::max)().count() / 1'000'000'000);
  if (meaning == reset_meaning::delay_seconds) {
    const std::uint64_t seconds = *number < max_seconds ? *number : max_seconds;
    return nanoseconds(static_cast<std::int64_t>(seconds) * 1'000'000'000);
  }
  const auto at = detail::time_convert::split_seconds(now.time_since_epoch());
  // Whole seconds from the start of `now`'s second to the reset, or more than max_seconds + 1.
  std::uint64_t seconds = max_seconds + 2;
  if (at.seconds >= 0) {
    const auto past = static_cast<std::uint64_t>(at.seconds);
    if (*number <= past) return nanoseconds(0);
    seconds = *number - past;
  } else if (*number <= max_seconds) {
    seconds = *number + (0 - static_cast<std::uint64_t>(at.seconds));  // below 2^63 + 2^34: no wrap
  }
  if (seconds > max_seconds + 1) return nanoseconds(static_cast<std::int64_t>(max_seconds) * 1'000'000'000);
  // At most (max_seconds + 1) * 10^9 < 2^64, and positive: `seconds` >= 1 > the fraction.
  const std::uint64_t exact = seconds * 1'000'000'000 - static_cast<std::uint64_t>(at.nanoseconds);
  const std::uint64_t most = max_seconds * 1'000'000'000;
  return nanoseconds(static_cast<std::int64_t>(exact < most ? exact : most));
}

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_X_RATELIMIT_HPP
