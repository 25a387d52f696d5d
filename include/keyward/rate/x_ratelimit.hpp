// keyward: the de-facto X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset response fields: the
// values a server sends for a limiter's decision, and a strict parser for clients.
//
// The fields have no specification; each holds one integer. Limit is
// the request quota, Remaining what is left of it. Reset means different things in different APIs: GitHub
// (and others) send the Unix time in seconds at which the quota is restored, many others the number of
// seconds to wait (as the early IETF drafts' RateLimit-Reset did). A client must know which its server
// sends; reset_meaning names the two.
#ifndef KEYWARD_RATE_X_RATELIMIT_HPP
#define KEYWARD_RATE_X_RATELIMIT_HPP

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
/// decision::remaining, Reset the end of decision::reset_after rounded up to whole seconds (never announced
/// early), as a delay or as a Unix time (`now`, a system_clock time point of any precision, plus the delay;
/// 0 for a time before 1970). Never fails.
template <class Duration>
constexpr x_ratelimit_values x_ratelimit(const decision& d,
                                         std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                         reset_meaning meaning) noexcept {
  using std::chrono::nanoseconds;
  if (meaning == reset_meaning::delay_seconds)
    return {d.limit, d.remaining, detail::rate_quota::seconds_rounded_up(d.reset_after)};
  const auto whole = std::chrono::floor<std::chrono::seconds>(now);
  const nanoseconds fraction = std::chrono::ceil<nanoseconds>(now - whole);  // in [0, 1 s]
  const nanoseconds until = d.reset_after < (nanoseconds::max)() - fraction ? d.reset_after + fraction
                                                                          : (nanoseconds::max)();
  const std::uint64_t delay = detail::rate_quota::seconds_rounded_up(until);
  const std::int64_t since_epoch = whole.time_since_epoch().count();
  const auto base = static_cast<std::uint64_t>(since_epoch);  // modulo 2^64: exact sums below
  const std::uint64_t reset = since_epoch < 0 && delay < 0 - base ? 0 : base + delay;
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
/// of any precision), read with `meaning`: the value as seconds, or the Unix time minus `now` (zero when
/// that time has passed). Delays beyond what nanoseconds hold (292 years) are clamped to the most whole
/// seconds they do hold. Errors as parse_x_ratelimit().
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
  const auto whole = std::chrono::floor<std::chrono::seconds>(now);
  const std::int64_t since_epoch = whole.time_since_epoch().count();
  std::uint64_t seconds = max_seconds;  // from `whole` to the reset, clamped
  if (since_epoch >= 0) {
    const auto past = static_cast<std::uint64_t>(since_epoch);
    if (*number <= past) return nanoseconds(0);
    if (*number - past < max_seconds) seconds = *number - past;
  } else if (*number < max_seconds) {
    seconds = *number + (0 - static_cast<std::uint64_t>(since_epoch));  // below 2^63 + 2^34: no wrap
    if (seconds > max_seconds) seconds = max_seconds;
  }
  const nanoseconds fraction = std::chrono::floor<nanoseconds>(now - whole);  // in [0, 1 s)
  return nanoseconds(static_cast<std::int64_t>(seconds) * 1'000'000'000) - fraction;
}

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_X_RATELIMIT_HPP
