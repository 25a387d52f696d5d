// keyward: the Retry-After response field (RFC 9110 section 10.2.3), read as the delay a client should wait.
#ifndef KEYWARD_RETRY_RETRY_AFTER_HPP
#define KEYWARD_RETRY_RETRY_AFTER_HPP

#include "../error.hpp"
#include "../http/date.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::retry {

/// The longest delay parse_retry_after() reports: 2^31 seconds (about 68 years), the value RFC 9111 section
/// 1.2.2 tells caches to use for a delta-seconds too large to represent. Longer delays saturate to it.
inline constexpr std::chrono::seconds max_retry_after{std::int64_t{1} << 31};

/// The delay that a Retry-After field value asks for (RFC 9110 section 10.2.3):
/// - delay-seconds (1*DIGIT: no sign, no fraction; leading zeros allowed): that many seconds, saturating at
///   max_retry_after however many digits there are;
/// - an HTTP-date in any of the three forms of http::parse_date(): the time from `now` until then, zero for
///   a date not after `now`, at most max_retry_after.
/// Optional whitespace (SP, HTAB) around the value is ignored. Fails with errc::retry_after_invalid at the
/// offset in `value` of the first byte that cannot belong to either form (value.size() when the value is
/// empty or stops early), or of the date field whose value is impossible.
constexpr result<std::chrono::seconds> parse_retry_after(std::string_view value, http::sys_seconds now) noexcept {
  const auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  while (i < value.size() && is_ows(value[i])) ++i;
  std::int64_t delay = 0;
  if (i < value.size() && value[i] >= '0' && value[i] <= '9') {
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
      delay = delay * 10 + (value[i] - '0');  // at most 2^31 * 10 + 9: no overflow
      if (delay > max_retry_after.count()) delay = max_retry_after.count();
      ++i;
    }
  } else {
    const auto date = detail::parse_http_date_prefix(value.substr(i), now);
    if (!date) return error(errc::retry_after_invalid, i + date.error().offset());
    i += date->length;
    if (date->value > now) {
      // The difference of two int64 values, exact in uint64 whenever it is positive.
      const std::uint64_t until = static_cast<std::uint64_t>(date->value.time_since_epoch().count()) -
                                  static_cast<std::uint64_t>(now.time_since_epoch().count());
      const auto cap = static_cast<std::uint64_t>(max_retry_after.count());
      delay = static_cast<std::int64_t>(until < cap ? until : cap);
    }
  }
  while (i < value.size() && is_ows(value[i])) ++i;
  if (i != value.size()) return error(errc::retry_after_invalid, i);
  return std::chrono::seconds(delay);
}

}  // namespace keyward::retry

#endif  // KEYWARD_RETRY_RETRY_AFTER_HPP
