// Tests for include/keyward/http/date.hpp: the RFC 9110 section 5.6.7 example in its three forms, the
// grammar's edges (case, spacing, digits, trailing bytes) with the offset of each error, calendar validity
// (month lengths, leap years), leap seconds, RFC 850 two-digit years relative to `now`, and IMF-fixdate
// formatting over years 0000-9999. Expected instants come from hand arithmetic (shown) or from
// naive_seconds() below, a slow day-by-day count written independently of the library.
#define BOOST_TEST_MODULE http_date
#include <boost/test/unit_test.hpp>

#include <keyward/http/date.hpp>

#include "support/test_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>

namespace http = keyward::http;
using keyward::errc;
using keyward::error;

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

// Seconds since 1970-01-01T00:00:00Z, counted the slow way: whole years, whole months, then days.
std::int64_t naive_seconds(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  const auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t days = 0;
  for (int y = 1970; y < year; ++y) days += leap(y) ? 366 : 365;
  for (int y = year; y < 1970; ++y) days -= leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m) days += (m == 2 && leap(year)) ? 29 : lengths[m - 1];
  days += day - 1;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

http::sys_seconds at(std::int64_t seconds) { return http::sys_seconds(std::chrono::seconds(seconds)); }

// 2024-06-15T12:00:00Z: `now` for the tests where it does not matter.
const http::sys_seconds default_now = at(naive_seconds(2024, 6, 15, 12));

std::int64_t parsed(std::string_view text, http::sys_seconds now = default_now) {
  const auto r = http::parse_date(text, now);
  BOOST_TEST_REQUIRE(r.has_value(), "rejected: " << text);
  return r->time_since_epoch().count();
}

void check_rejected(std::string_view text, std::size_t offset, http::sys_seconds now = default_now) {
  BOOST_TEST_CONTEXT(keyward_test::to_hex(text) << " \"" << text << "\"") {
    const auto r = http::parse_date(text, now);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == error(errc::http_invalid_date, offset));
  }
}

// The IMF-fixdate of `seconds` by write_imf_fixdate(), checked against imf_fixdate().
std::string formatted(std::int64_t seconds) {
  char out[http::imf_fixdate_size];
  const auto r = http::write_imf_fixdate(at(seconds), out, sizeof out);
  BOOST_TEST_REQUIRE(r.has_value(), "cannot format " << seconds);
  BOOST_TEST_REQUIRE(*r == http::imf_fixdate_size);
  const std::string text(out, *r);
  BOOST_TEST_REQUIRE(*http::imf_fixdate(at(seconds)) == text);
  return text;
}

// Usable in constant expressions (the result is a named constexpr object, as g++ 12 requires).
constexpr auto example_at_compile_time = http::parse_date("Sun, 06 Nov 1994 08:49:37 GMT", http::sys_seconds{});
static_assert(example_at_compile_time.has_value() &&
              example_at_compile_time->time_since_epoch().count() == 784111777);

}  // namespace

// RFC 9110 section 5.6.7's example in its three forms. By hand: 1970-1993 are 24 years with 6 leap days
// (1972 ... 1992), 8766 days; January to October 1994 add 31+28+31+30+31+30+31+31+30+31 = 304, and the 6th
// adds 5: 9075 days = 784080000 s; 08:49:37 adds 28800 + 2940 + 37 = 31777 s: 784111777.
BOOST_AUTO_TEST_CASE(rfc9110_example_in_every_form) {
  BOOST_TEST(parsed("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  BOOST_TEST(parsed("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  BOOST_TEST(parsed("Sun Nov  6 08:49:37 1994") == 784111777);
  BOOST_TEST(parsed("Sun Nov 06 08:49:37 1994") == 784111777);  // date3 also allows 2DIGIT
  BOOST_TEST(formatted(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  BOOST_TEST(naive_seconds(1994, 11, 6, 8, 49, 37) == 784111777);
}

// RFC 9110 section 5.6.7's date1 example: "02 Jun 1982"; and the epoch.
BOOST_AUTO_TEST_CASE(other_fixed_points) {
  // 1970-1981: 12 years, 3 leap days (72, 76, 80): 4383 days; Jan-May 1982: 151; +1: 4535 days.
  BOOST_TEST(parsed("Wed, 02 Jun 1982 00:00:00 GMT") == 4535 * 86400);
  BOOST_TEST(parsed("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  BOOST_TEST(parsed("Wed, 31 Dec 1969 23:59:59 GMT") == -1);
  BOOST_TEST(formatted(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
  BOOST_TEST(formatted(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  // 2^31 s: the 32-bit time_t overflow, 2038-01-19T03:14:08Z (a Tuesday).
  BOOST_TEST(formatted(2147483648) == "Tue, 19 Jan 2038 03:14:08 GMT");
  BOOST_TEST(parsed("Tue, 19 Jan 2038 03:14:08 GMT") == 2147483648);
}

// Years 0000 and 9999 bound what four digits can say. 0000-01-01 to 1970-01-01: 1970 years with 493
// multiples of 4 in 0-1969, minus the 15 centuries not divisible by 400 (100, 200, 300, 500, ..., 1900):
// 478 leap days, 1970 * 365 + 478 = 719528 days = 62167219200 s. 719528 = 7 * 102789 + 5: five days before
// a Thursday, a Saturday. 1970-01-01 to 10000-01-01: 8030 years, 2007 multiples of 4 (1972-9996) minus 60
// of the 80 centuries 2000-9900: 1947 leap days, 2932897 days = 253402300800 s; its last day, index
// 2932896, is (2932896 + 4) mod 7 = 5 days after a Sunday: a Friday.
BOOST_AUTO_TEST_CASE(year_range_for_formatting) {
  BOOST_TEST(formatted(-62167219200) == "Sat, 01 Jan 0000 00:00:00 GMT");
  BOOST_TEST(formatted(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT");
  BOOST_TEST(parsed("Sat, 01 Jan 0000 00:00:00 GMT") == -62167219200);
  BOOST_TEST(parsed("Fri, 31 Dec 9999 23:59:59 GMT") == 253402300799);
  BOOST_TEST(parsed("Sat Jan  1 00:00:00 0000") == -62167219200);
  for (const std::int64_t outside : {std::int64_t{-62167219201}, std::int64_t{253402300800},
                                     INT64_MIN, INT64_MAX}) {
    char out[http::imf_fixdate_size];
    const auto r = http::write_imf_fixdate(at(outside), out, sizeof out);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == error(errc::http_invalid_date));  // no offset: there is no input text
    BOOST_TEST(http::write_imf_fixdate(at(outside), out, 0).error() == error(errc::http_invalid_date));  // first
    BOOST_TEST(http::imf_fixdate(at(outside)).error() == error(errc::http_invalid_date));
  }
  BOOST_TEST(*http::imf_fixdate(at(784111777)) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

// write_imf_fixdate: buffer_too_small below 29 bytes, with nothing written.
BOOST_AUTO_TEST_CASE(formatting_into_a_buffer) {
  char out[40];
  std::fill(std::begin(out), std::end(out), '#');
  BOOST_TEST(http::write_imf_fixdate(at(784111777), out, http::imf_fixdate_size - 1).error() ==
             error(errc::buffer_too_small));
  BOOST_TEST(std::string_view(out, sizeof out) == std::string(sizeof out, '#'));
  const auto r = http::write_imf_fixdate(at(784111777), out, sizeof out);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(std::string_view(out, *r) == "Sun, 06 Nov 1994 08:49:37 GMT");
  BOOST_TEST(out[29] == '#');
}

// `when` and `now` are system_clock time points of any precision, floored to whole seconds: 0.999999999 s
// after the RFC 9110 example is still that second, and half a second before the epoch is 1969-12-31T23:59:59.
BOOST_AUTO_TEST_CASE(time_points_of_any_precision_are_floored) {
  using std::chrono::nanoseconds;
  using std::chrono::system_clock;
  using nano_point = std::chrono::time_point<system_clock, nanoseconds>;
  const nano_point late(nanoseconds(784111777'999999999));
  BOOST_TEST(*http::imf_fixdate(late) == "Sun, 06 Nov 1994 08:49:37 GMT");
  const nano_point before_epoch(nanoseconds(-500'000'000));
  BOOST_TEST(*http::imf_fixdate(before_epoch) == "Wed, 31 Dec 1969 23:59:59 GMT");
  using milli_point = std::chrono::time_point<system_clock, std::chrono::milliseconds>;
  BOOST_TEST(*http::imf_fixdate(milli_point(std::chrono::milliseconds(1'500))) == "Thu, 01 Jan 1970 00:00:01 GMT");
  // now = 2024-06-15T12:00:00.5Z: "94" is still 1994 (RFC 850 years within 50 years of now).
  const nano_point now(nanoseconds(naive_seconds(2024, 6, 15, 12) * 1'000'000'000 + 500'000'000));
  const auto r = http::parse_date("Sunday, 06-Nov-94 08:49:37 GMT", now);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->time_since_epoch().count() == 784111777);
  BOOST_TEST(http::parse_date("Sun, 06 Nov 1994 08:49:37 GMT", system_clock::now()).has_value());
}

BOOST_AUTO_TEST_CASE(coarse_time_points_at_the_ends_of_their_range) {
  // A count of minutes or hours can lie beyond the int64 seconds: flooring it saturates to their first or
  // last second (before, floor<seconds> multiplied by 60 and overflowed, undefined behaviour, and
  // minutes::max() wrapped to -60 s, which was written as "Wed, 31 Dec 1969 23:59:00 GMT").
  using std::chrono::system_clock;
  using minute_point = std::chrono::time_point<system_clock, std::chrono::minutes>;
  using hour_point = std::chrono::time_point<system_clock, std::chrono::hours>;
  char out[http::imf_fixdate_size];
  BOOST_TEST(http::imf_fixdate(minute_point(std::chrono::minutes::max())).error() == errc::http_invalid_date);
  BOOST_TEST(http::write_imf_fixdate(minute_point(std::chrono::minutes::min()), out, sizeof out).error() ==
             errc::http_invalid_date);
  BOOST_TEST(http::imf_fixdate(hour_point(std::chrono::hours::max())).error() == errc::http_invalid_date);
  // 2024-06-15 12:00 in minutes and hours: an ordinary coarse time point is exact.
  const auto noon = naive_seconds(2024, 6, 15, 12);
  BOOST_TEST(*http::imf_fixdate(minute_point(std::chrono::minutes(noon / 60))) == "Sat, 15 Jun 2024 12:00:00 GMT");
  BOOST_TEST(*http::imf_fixdate(hour_point(std::chrono::hours(noon / 3600))) == "Sat, 15 Jun 2024 12:00:00 GMT");
  // RFC 850 relative to the ends of the minutes: the year is out of range, an error, not undefined behaviour.
  BOOST_TEST(!http::parse_date("Sunday, 06-Nov-94 08:49:37 GMT", minute_point(std::chrono::minutes::max())));
  BOOST_TEST(!http::parse_date("Sunday, 06-Nov-94 08:49:37 GMT", minute_point(std::chrono::minutes::min())));
}

BOOST_AUTO_TEST_CASE(month_lengths_and_leap_years) {
  const char* months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 0; m < 12; ++m) {
    const std::string last = "Mon, " + std::to_string(lengths[m]) + " " + months[m] + " 2023 10:00:00 GMT";
    BOOST_TEST(parsed(last) == naive_seconds(2023, m + 1, lengths[m], 10));
    check_rejected("Mon, " + std::to_string(lengths[m] + 1) + " " + months[m] + " 2023 10:00:00 GMT", 5);
    check_rejected("Mon, 00 "s + months[m] + " 2023 10:00:00 GMT", 5);
  }
  check_rejected("Mon, 32 Jan 2023 10:00:00 GMT", 5);
  check_rejected("Mon, 99 Jan 2023 10:00:00 GMT", 5);
  // 29 February: leap years are divisible by 4, except centuries, except those divisible by 400.
  BOOST_TEST(parsed("Tue, 29 Feb 2000 00:00:00 GMT") == naive_seconds(2000, 2, 29));
  BOOST_TEST(parsed("Thu, 29 Feb 2024 00:00:00 GMT") == naive_seconds(2024, 2, 29));
  BOOST_TEST(parsed("Tue, 29 Feb 1600 00:00:00 GMT") == naive_seconds(1600, 2, 29));
  BOOST_TEST(parsed("Sat, 29 Feb 0000 00:00:00 GMT") == naive_seconds(0, 2, 29));
  check_rejected("Thu, 29 Feb 1900 00:00:00 GMT", 5);
  check_rejected("Mon, 29 Feb 2100 00:00:00 GMT", 5);
  check_rejected("Wed, 29 Feb 2023 00:00:00 GMT", 5);
  check_rejected("Wed, 30 Feb 2024 00:00:00 GMT", 5);
  check_rejected("Thu Feb 29 00:00:00 1900", 8);   // asctime: the day field starts at offset 8
  check_rejected("Sun Apr 31 00:00:00 2024", 8);
  check_rejected("Sun Apr  0 00:00:00 2024", 8);   // " 0": the field (SP DIGIT) starts at the space
  check_rejected("Friday, 31-Apr-24 00:00:00 GMT", 8);
  check_rejected("Friday, 29-Feb-23 00:00:00 GMT", 8);
}

// The leap second 23:59:60 is accepted and counted as 23:59:59 (Unix time has no leap seconds); second 60
// at any other time, and second 61, are errors at the second's offset.
BOOST_AUTO_TEST_CASE(leap_seconds) {
  BOOST_TEST(parsed("Sat, 31 Dec 2016 23:59:60 GMT") == naive_seconds(2016, 12, 31, 23, 59, 59));
  BOOST_TEST(parsed("Saturday, 31-Dec-16 23:59:60 GMT") == naive_seconds(2016, 12, 31, 23, 59, 59));
  BOOST_TEST(parsed("Sat Dec 31 23:59:60 2016") == naive_seconds(2016, 12, 31, 23, 59, 59));
  check_rejected("Sat, 31 Dec 2016 23:58:60 GMT", 23);
  check_rejected("Sat, 31 Dec 2016 22:59:60 GMT", 23);
  check_rejected("Sat, 31 Dec 2016 23:59:61 GMT", 23);
  check_rejected("Sat Dec 31 12:00:60 2016", 17);
}

// Day names must be valid names of the form, but are not matched against the date (see date.hpp).
BOOST_AUTO_TEST_CASE(day_name_not_checked_against_the_date) {
  BOOST_TEST(parsed("Mon, 06 Nov 1994 08:49:37 GMT") == 784111777);
  BOOST_TEST(parsed("Friday, 06-Nov-94 08:49:37 GMT") == 784111777);
  BOOST_TEST(parsed("Wed Nov  6 08:49:37 1994") == 784111777);
}

// Each malformed date fails at the first byte the grammar does not allow, or at the start of a field
// whose value is out of range. Offsets counted by hand on the template
// "Sun, 06 Nov 1994 08:49:37 GMT": day 5, month 8, year 12, hour 17, minute 20, second 23, "GMT" 26.
BOOST_AUTO_TEST_CASE(malformed_dates_with_offsets) {
  struct bad {
    std::string_view text;
    std::size_t offset;
  };
  const bad table[] = {
      {""sv, 0},
      {"sun, 06 Nov 1994 08:49:37 GMT"sv, 0},    // day names are case-sensitive
      {"SUN, 06 Nov 1994 08:49:37 GMT"sv, 1},    // 'S' starts Sun and Sat; 'U' neither
      {"Snu, 06 Nov 1994 08:49:37 GMT"sv, 1},
      {"Tux, 06 Nov 1994 08:49:37 GMT"sv, 2},
      {"Sun, 06 nov 1994 08:49:37 GMT"sv, 8},    // month names too
      {"Sun, 06 NOV 1994 08:49:37 GMT"sv, 9},
      {"Sun, 06 Nox 1994 08:49:37 GMT"sv, 10},
      {"Sun, 06 November 1994 08:49:37 GMT"sv, 11},
      {" Sun, 06 Nov 1994 08:49:37 GMT"sv, 0},   // no surrounding whitespace
      {"Sun, 06 Nov 1994 08:49:37 GMT "sv, 29},
      {"Sun,  06 Nov 1994 08:49:37 GMT"sv, 5},   // exact spacing
      {"Sun,06 Nov 1994 08:49:37 GMT"sv, 4},
      {"Sun,\t06 Nov 1994 08:49:37 GMT"sv, 4},
      {"Sun, 06  Nov 1994 08:49:37 GMT"sv, 8},
      {"Sun, 06 Nov 1994  08:49:37 GMT"sv, 17},
      {"Sun, 06 Nov 1994 08:49:37  GMT"sv, 26},
      {"Sun, 6 Nov 1994 08:49:37 GMT"sv, 6},     // two-digit fields
      {"Sun, 06 Nov 94 08:49:37 GMT"sv, 14},
      {"Sun, 06 Nov 01994 08:49:37 GMT"sv, 16},
      {"Sun, 06 Nov 1994 8:49:37 GMT"sv, 18},
      {"Sun, 06 Nov 1994 08:9:37 GMT"sv, 21},
      {"Sun, 06 Nov 1994 08:49:7 GMT"sv, 24},
      {"Sun, 06 Nov 1994 08.49.37 GMT"sv, 19},
      {"Sun, 0x Nov 1994 08:49:37 GMT"sv, 6},
      {"Sun, 06 Nov 199x 08:49:37 GMT"sv, 15},
      {"Sun, \xd9\xa0\x36 Nov 1994 08:49:37 GMT"sv, 5},  // ARABIC-INDIC DIGIT ZERO is not a DIGIT
      {"Sun, 06 Nov 1994 24:00:00 GMT"sv, 17},   // bad times
      {"Sun, 06 Nov 1994 99:00:00 GMT"sv, 17},
      {"Sun, 06 Nov 1994 08:60:00 GMT"sv, 20},
      {"Sun, 06 Nov 1994 08:49:60 GMT"sv, 23},
      {"Sun, 06 Nov 1994 08:49:37 gmt"sv, 26},   // only "GMT"
      {"Sun, 06 Nov 1994 08:49:37 UTC"sv, 26},
      {"Sun, 06 Nov 1994 08:49:37 +0000"sv, 26},
      {"Sun, 06 Nov 1994 08:49:37 GMT+1"sv, 29}, // trailing garbage
      {"Sun, 06 Nov 1994 08:49:37 GMTGMT"sv, 29},
      {"Sun, 06 Nov 1994 08:49:37 GMT\0"sv, 29}, // NUL
      {"Sun, 06 Nov 1994 08:49:37\0GMT"sv, 25},
      {"Sun, 06\0Nov 1994 08:49:37 GMT"sv, 7},
      {"\0Sun, 06 Nov 1994 08:49:37 GMT"sv, 0},
      {"Sun, 06 Nov 1994 08:49:37\r\n"sv, 25},
      {"Sun, 06 Nov 1994 08:49:37"sv, 25},       // truncated: the offset is the end
      {"Sun, 06 Nov 1994 08:49"sv, 22},
      {"Sun, 06 Nov"sv, 11},
      {"Sun"sv, 3},
      {"Su"sv, 2},
      {"Sunday, 06-Nov-94 08:49:37 GMT "sv, 30},  // RFC 850
      {"sunday, 06-Nov-94 08:49:37 GMT"sv, 0},
      {"Sundy, 06-Nov-94 08:49:37 GMT"sv, 4},
      {"SundayX 06-Nov-94 08:49:37 GMT"sv, 6},
      {"Sunday,06-Nov-94 08:49:37 GMT"sv, 7},
      {"Sunday, 06 Nov 94 08:49:37 GMT"sv, 10},
      {"Sunday, 06-Nov-1994 08:49:37 GMT"sv, 17},
      {"Sunday, 06-Nov-9 08:49:37 GMT"sv, 16},
      {"Sunday, 6-Nov-94 08:49:37 GMT"sv, 9},
      {"Sunday, 06-Nov-94 08:49:37"sv, 26},
      {"Sunday, 06-Nov-94 08:49:37 UTC"sv, 27},
      {"Sun, 06-Nov-94 08:49:37 GMT"sv, 7},       // short day name: IMF-fixdate's spaces expected
      {"Sun Nov 6 08:49:37 1994"sv, 9},           // asctime: one-digit day needs SP before it
      {"Sun Nov   6 08:49:37 1994"sv, 9},
      {"Sun Nov  6 08:49:37 94"sv, 22},
      {"Sun Nov  6 08:49:37 1994 "sv, 24},
      {"Sun Nov  6 08:49:37 1994 GMT"sv, 24},
      {"Sun  Nov  6 08:49:37 1994"sv, 4},
      {"Sun nov  6 08:49:37 1994"sv, 4},
      {"Sun 06 Nov 1994 08:49:37 GMT"sv, 4},      // a comma missing makes it asctime, with a month next
      {"Sun Nov  6 08:49:37 GMT 1994"sv, 20},
  };
  for (const auto& [text, offset] : table) check_rejected(text, offset);
}

// RFC 9110 section 5.6.7: a two-digit year that appears more than 50 years in the future is in the past
// century. With now = 2024-06-15T12:00:00Z the limit is 2074-06-15T12:00:00Z, compared to the second.
BOOST_AUTO_TEST_CASE(rfc850_two_digit_years_relative_to_now) {
  const auto now = at(naive_seconds(2024, 6, 15, 12));
  BOOST_TEST(parsed("Friday, 15-Jun-74 12:00:00 GMT", now) == naive_seconds(2074, 6, 15, 12));  // exactly 50 y
  BOOST_TEST(parsed("Friday, 15-Jun-74 12:00:01 GMT", now) == naive_seconds(1974, 6, 15, 12, 0, 1));
  BOOST_TEST(parsed("Friday, 16-Jun-74 00:00:00 GMT", now) == naive_seconds(1974, 6, 16));
  BOOST_TEST(parsed("Friday, 14-Jun-74 23:59:59 GMT", now) == naive_seconds(2074, 6, 14, 23, 59, 59));
  BOOST_TEST(parsed("Friday, 01-Jul-74 00:00:00 GMT", now) == naive_seconds(1974, 7, 1));
  BOOST_TEST(parsed("Friday, 31-Dec-73 00:00:00 GMT", now) == naive_seconds(2073, 12, 31));
  BOOST_TEST(parsed("Friday, 01-Jan-75 00:00:00 GMT", now) == naive_seconds(1975, 1, 1));
  BOOST_TEST(parsed("Friday, 01-Jan-00 00:00:00 GMT", now) == naive_seconds(2000, 1, 1));
  BOOST_TEST(parsed("Friday, 15-Jun-24 12:00:00 GMT", now) == naive_seconds(2024, 6, 15, 12));
  BOOST_TEST(parsed("Friday, 31-Dec-99 23:59:59 GMT", now) == naive_seconds(1999, 12, 31, 23, 59, 59));

  // Late in a century the window reaches into the next one: at 2099-01-01 the limit is 2149-01-01, so
  // "01" is 2101 (a fixed 1970-2069 window would say 2001), "48" is 2148 and "50" falls back to 2050.
  const auto late = at(naive_seconds(2099, 1, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-01 00:00:00 GMT", late) == naive_seconds(2101, 1, 1));
  BOOST_TEST(parsed("Sunday, 31-Dec-48 00:00:00 GMT", late) == naive_seconds(2148, 12, 31));
  BOOST_TEST(parsed("Sunday, 01-Jan-49 00:00:00 GMT", late) == naive_seconds(2149, 1, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-49 00:00:01 GMT", late) == naive_seconds(2049, 1, 1, 0, 0, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-50 00:00:00 GMT", late) == naive_seconds(2050, 1, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-99 00:00:00 GMT", late) == naive_seconds(2099, 1, 1));

  // Before 1970 too: at 1901-01-01 the limit is 1951-01-01, so "99" is 1899 and "50" is 1950.
  const auto early = at(naive_seconds(1901, 1, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-99 00:00:00 GMT", early) == naive_seconds(1899, 1, 1));
  BOOST_TEST(parsed("Sunday, 01-Jan-50 00:00:00 GMT", early) == naive_seconds(1950, 1, 1));

  // The century is chosen first, then the day checked: "29-Feb-00" is 2000 (a leap year) seen from 2024,
  // but 2100 (not one) seen from 2060, whose limit is 2110.
  BOOST_TEST(parsed("Tuesday, 29-Feb-00 00:00:00 GMT", now) == naive_seconds(2000, 2, 29));
  check_rejected("Tuesday, 29-Feb-00 00:00:00 GMT", 9, at(naive_seconds(2060, 1, 1)));
}

// `now` anywhere in sys_seconds' range: no overflow, and years the type cannot hold are rejected.
BOOST_AUTO_TEST_CASE(rfc850_with_extreme_now) {
  for (const std::int64_t now : {INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX}) {
    const auto r = http::parse_date("Sunday, 06-Nov-94 08:49:37 GMT", at(now));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == error(errc::http_invalid_date, 15));  // the two-digit year
  }
  BOOST_TEST(parsed("Sun, 06 Nov 1994 08:49:37 GMT", at(INT64_MIN)) == 784111777);  // now unused
  BOOST_TEST(parsed("Sun Nov  6 08:49:37 1994", at(INT64_MAX)) == 784111777);
}

// Every instant formats to an IMF-fixdate that parses back to itself, whose fields are those of the naive
// count; the RFC 850 and asctime spellings of the same fields give the same instant.
BOOST_AUTO_TEST_CASE(round_trips_over_the_whole_range) {
  std::mt19937_64 rng(56);
  std::uniform_int_distribution<std::int64_t> any(-62167219200, 253402300799);
  const char* months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = i < 2 ? (i == 0 ? -62167219200 : 253402300799) : any(rng);
    const std::string text = formatted(t);
    BOOST_TEST_REQUIRE(text.size() == http::imf_fixdate_size);
    BOOST_TEST_REQUIRE(parsed(text) == t, text);
    const int day = std::stoi(text.substr(5, 2));
    const int month = static_cast<int>(std::string_view("JanFebMarAprMayJunJulAugSepOctNovDec").find(text.substr(8, 3)) / 3) + 1;
    const int year = std::stoi(text.substr(12, 4));
    const int hour = std::stoi(text.substr(17, 2)), minute = std::stoi(text.substr(20, 2)),
              second = std::stoi(text.substr(23, 2));
    BOOST_TEST_REQUIRE(naive_seconds(year, month, day, hour, minute, second) == t, text);
    // asctime: "Www Mmm dd hh:mm:ss yyyy" with the day as SP DIGIT below 10.
    std::string asctime = text.substr(0, 3) + " " + months[month - 1] + " " +
                          (day < 10 ? " " + std::to_string(day) : std::to_string(day)) + " " +
                          text.substr(17, 8) + " " + text.substr(12, 4);
    BOOST_TEST_REQUIRE(parsed(asctime) == t, asctime);
  }
}
