// keyward: HTTP-date (RFC 9110 section 5.6.7). Parses all three forms a recipient must accept, IMF-fixdate,
// the obsolete RFC 850 form and asctime, exactly as the grammar says, and formats IMF-fixdate without
// allocating.
//
// Decisions the RFC leaves open, made here:
// - Leap seconds: the grammar's comment allows second 60; it is accepted only as 23:59:60 (the one time a
//   leap second is inserted) and read as 23:59:59, which is how system_clock (Unix time, no leap seconds)
//   counts that second. Second 60 at any other time of day is an error.
// - Day names: must be one of the seven names of the form (case-sensitive), but are not checked against the
//   date. The grammar does not tie them together, the date alone fixes the instant, and RFC 9110 asks
//   recipients to be robust in parsing timestamps; Python's email.utils and Go's net/http do the same.
// - RFC 850 two-digit years: the latest year with those two digits whose timestamp is not more than 50 years
//   after `now` (compared field by field: year, month, day, time of day), as RFC 9110 section 5.6.7 requires.
//   A year beyond +-10^9, which only a `now` near the ends of sys_seconds can produce, is an error.
/// \file
/// HTTP-date (RFC 9110 section 5.6.7): parse_date, and the imf_fixdate writer trio.
#ifndef KEYWARD_HTTP_DATE_HPP
#define KEYWARD_HTTP_DATE_HPP

#include "../detail/http_date.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keyward::http {

/// A UTC instant with one-second resolution: the type of std::chrono::sys_seconds in C++20.
using sys_seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

/// The length of an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": what write_imf_fixdate() writes.
inline constexpr std::size_t imf_fixdate_size = 29;

/// Parses an HTTP-date in any of the three forms of RFC 9110 section 5.6.7: IMF-fixdate
/// ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime
/// ("Sun Nov  6 08:49:37 1994", read as UTC). Exactly the grammar: case-sensitive names, single spaces, no
/// surrounding whitespace, two-digit fields (asctime also allows SP DIGIT for the day), four-digit years
/// 0000-9999. `now` only matters for an RFC 850 date, whose two-digit year is read relative to it (see the
/// top of this header, as for leap seconds and day names); it is a system_clock time point of any integer
/// precision (system_clock::now(), or a sys_seconds; a floating-point one does not compile), floored to whole
/// seconds, and beyond the int64 seconds (only a period coarser than a second reaches that) the first or
/// last of them. Fails with errc::http_invalid_date at
/// the offset of the first byte the grammar does not allow (the end of the text when it stops early), or at
/// the start of a field whose value is impossible: hour, minute or second out of range, a day the month does
/// not have in that year (31 Apr, 29 Feb 1900).
template <class Duration>
constexpr result<sys_seconds> parse_date(std::string_view text,
                                         std::chrono::time_point<std::chrono::system_clock, Duration> now) noexcept {
  const auto match = detail::http_date::parse_prefix(text, detail::time_convert::floor_seconds(now));
  if (!match) return match.error();
  if (match->length != text.size()) return error(errc::http_invalid_date, match->length);
  return match->value;
}

/// Writes `when`, floored to whole seconds, as an IMF-fixdate (RFC 9110 section 5.6.7), the only form a
/// sender may generate, into `out[0, capacity)` and returns imf_fixdate_size. `when` is a system_clock time
/// point of any integer precision (a floating-point one does not compile). Fails with
/// errc::http_invalid_date (without an offset) when `when` lies outside years 0000-9999, which the
/// four-digit year cannot express (a minutes or hours count beyond the int64 seconds included), then with
/// buffer_too_small; nothing is written on any error. Allocates nothing.
template <class Duration>
result<std::size_t> write_imf_fixdate(std::chrono::time_point<std::chrono::system_clock, Duration> when, char* out,
                                      std::size_t capacity) noexcept {
  const std::int64_t seconds = detail::time_convert::floor_seconds(when).time_since_epoch().count();
  if (!detail::http_date::has_imf_fixdate(seconds)) return errc::http_invalid_date;
  if (capacity < imf_fixdate_size) return errc::buffer_too_small;
  detail::writer::counting_writer writer(out, capacity);
  detail::http_date::put_imf_fixdate(writer, seconds);
  return writer.size();
}

/// `when` as an IMF-fixdate string (see write_imf_fixdate()); the same error but buffer_too_small.
template <class Duration>
result<std::string> imf_fixdate(std::chrono::time_point<std::chrono::system_clock, Duration> when) {
  const std::int64_t seconds = detail::time_convert::floor_seconds(when).time_since_epoch().count();
  if (!detail::http_date::has_imf_fixdate(seconds)) return errc::http_invalid_date;
  std::string text(imf_fixdate_size, '\0');
  detail::writer::counting_writer writer(text.data(), text.size());
  detail::http_date::put_imf_fixdate(writer, seconds);
  return text;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_DATE_HPP
