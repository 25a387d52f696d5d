// keyward: the Retry-After response field (RFC 9110 section 10.2.3): the one rule that turns a wait into the
// delay-seconds a server sends, the writer trio for it, and the parser a client reads it with.
/// \file
/// The Retry-After field (RFC 9110 section 10.2.3): parsing, writing, and retry_after_delay.
#ifndef KEYWARD_HTTP_RETRY_AFTER_HPP
#define KEYWARD_HTTP_RETRY_AFTER_HPP

#include "../detail/arith.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "date.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keyward::http {

/// The longest delay parse_retry_after() reports: 2^31 seconds (about 68 years), the value RFC 9111 section
/// 1.2.2 tells caches to use for a delta-seconds too large to represent. Longer delays saturate to it.
inline constexpr std::chrono::seconds max_retry_after{std::int64_t{1} << 31};

/// The delay that a Retry-After field value asks for (RFC 9110 section 10.2.3):
/// - delay-seconds (1*DIGIT: no sign, no fraction; leading zeros allowed): that many seconds, saturating at
///   max_retry_after however many digits there are;
/// - an HTTP-date in any of the three forms of http::parse_date(): the time from `now` until then, zero for
///   a date not after `now`, at most max_retry_after.
/// Optional whitespace (SP, HTAB) around the value is ignored. Fails with errc::http_invalid_retry_after at the
/// offset in `value` of the first byte that cannot belong to either form (value.size() when the value is
/// empty or stops early), or of the date field whose value is impossible. `now` is a system_clock time point
/// of any integer precision (system_clock::now(), or an http::sys_seconds; a floating-point one does not
/// compile), floored to whole seconds; beyond the int64 seconds (only a period coarser than a second
/// reaches that) it counts as the first or last of them.
template <class Duration>
constexpr result<std::chrono::seconds> parse_retry_after(
    std::string_view value, std::chrono::time_point<std::chrono::system_clock, Duration> now) noexcept {
  const sys_seconds now_s = detail::time_convert::floor_seconds(now);
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
    const auto date = detail::http_date::parse_prefix(value.substr(i), now_s);
    if (!date) return error(errc::http_invalid_retry_after, i + date.error().offset());
    i += date->length;
    if (date->value > now_s) {
      // The difference of two int64 values, exact in uint64 whenever it is positive.
      const std::uint64_t until = static_cast<std::uint64_t>(date->value.time_since_epoch().count()) -
                                  static_cast<std::uint64_t>(now_s.time_since_epoch().count());
      const auto cap = static_cast<std::uint64_t>(max_retry_after.count());
      delay = static_cast<std::int64_t>(until < cap ? until : cap);
    }
  }
  while (i < value.size() && is_ows(value[i])) ++i;
  if (i != value.size()) return error(errc::http_invalid_retry_after, i);
  return std::chrono::seconds(delay);
}

/// The delay-seconds to send for a wait of `wait`: rounded up to whole seconds (1 ns gives 1 s, 1 s gives 1 s,
/// 1.000000001 s gives 2 s), at least 1 s (a zero or negative wait gives 1 s: a client told 0 would retry at
/// once) and at most max_retry_after. The only rounding rule of the library: denials and rate limiters use it.
constexpr std::chrono::seconds retry_after_delay(std::chrono::nanoseconds wait) noexcept {
  if (wait.count() <= 0) return std::chrono::seconds(1);
  const std::uint64_t seconds = detail::arith::ceil_div(static_cast<std::uint64_t>(wait.count()), 1'000'000'000u);
  const auto cap = static_cast<std::uint64_t>(max_retry_after.count());
  return std::chrono::seconds(static_cast<std::int64_t>(seconds < cap ? seconds : cap));
}

/// The length of the Retry-After value write_retry_after() writes for `delay` (its decimal digits).
constexpr std::size_t retry_after_size(std::chrono::seconds delay) noexcept {
  return detail::writer::decimal_size(delay.count() < 0 ? 0 : static_cast<std::uint64_t>(delay.count()));
}

/// Writes `delay` as a Retry-After value in delay-seconds form (RFC 9110 section 10.2.3: 1*DIGIT; a negative
/// delay is written as 0) into `out[0, capacity)`. Returns the number of characters written, or
/// errc::buffer_too_small with nothing written (20 characters always suffice).
inline result<std::size_t> write_retry_after(std::chrono::seconds delay, char* out, std::size_t capacity) noexcept {
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& w) noexcept {
    w.put_decimal(delay.count() < 0 ? 0 : delay.count());
  });
}

/// The Retry-After value for `delay` as a new string (see write_retry_after()).
inline std::string retry_after(std::chrono::seconds delay) {
  std::string text(retry_after_size(delay), '\0');
  (void)write_retry_after(delay, text.data(), text.size());
  return text;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_RETRY_AFTER_HPP
