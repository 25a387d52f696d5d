// keyward: private parts of http/date.hpp (RFC 9110 section 5.6.7): proleptic Gregorian calendar arithmetic,
// the names of days and months, and the parser of the three HTTP-date forms.
#ifndef KEYWARD_DETAIL_HTTP_DATE_HPP
#define KEYWARD_DETAIL_HTTP_DATE_HPP

#include "../error.hpp"
#include "arith.hpp"
#include "time_convert.hpp"
#include "writer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ratio>
#include <string_view>
#include <type_traits>

namespace keyward::detail::http_date {

/// A UTC instant with one-second resolution (the type of http::sys_seconds).
using sys_seconds = time_convert::sys_seconds;

/// Whole days since 1970-01-01 and the seconds into the last of them (0-86399), for any count of seconds.
struct day_and_time {
  std::int64_t days;
  std::int64_t time;
};
constexpr day_and_time split_days(std::int64_t seconds) noexcept {
  const std::int64_t time = seconds % 86400;  // never multiplies back: no overflow at the ends of int64
  return time < 0 ? day_and_time{seconds / 86400 - 1, time + 86400} : day_and_time{seconds / 86400, time};
}

/// True for the leap years of the proleptic Gregorian calendar.
constexpr bool is_leap_year(std::int64_t year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/// The number of days in `month` (1-12) of `year`.
constexpr int days_in_month(std::int64_t year, int month) noexcept {
  constexpr int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

// Calendar arithmetic in the proleptic Gregorian calendar, after the well-known public-domain derivation
// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). Two ideas make it branch-free:
// - Count years from March: the leap day then falls at the very end of a year, and the month lengths from
//   March to January repeat the pattern 31 30 31 30 31 every five months, 153 days, so the days before the
//   1st of the m-th month after March are (153 * m + 2) / 5 (integer division).
// - The calendar repeats every 400 years (an era) of exactly 146097 days, so only an offset inside an era
//   needs the leap rules: a year of the era has 365 days plus one every 4 years, minus one every 100.

/// Days from 1970-01-01 to year-month-day (month 1-12, day 1-31); negative before 1970. Valid for every
/// year whose day count fits comfortably in 64 bits (|year| < 10^15).
constexpr std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
  const std::int64_t march_year = month <= 2 ? year - 1 : year;  // January and February end the March year
  const std::int64_t era = arith::floor_div(march_year, 400);
  const std::int64_t year_of_era = march_year - era * 400;  // 0-399
  const std::int64_t months_since_march = month > 2 ? month - 3 : month + 9;  // 0-11
  const std::int64_t day_of_year = (153 * months_since_march + 2) / 5 + day - 1;  // 0-365
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  // 719468 days separate 0000-03-01, the start of era 0, from 1970-01-01.
  return era * 146097 + day_of_era - 719468;
}

/// A calendar date.
struct civil_date {
  std::int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

/// The date `days` days after 1970-01-01 (before it when negative): the inverse of days_from_civil().
constexpr civil_date civil_from_days(std::int64_t days) noexcept {
  const std::int64_t shifted = days + 719468;  // days since 0000-03-01
  const std::int64_t era = arith::floor_div(shifted, 146097);
  const std::int64_t day_of_era = shifted - era * 146097;  // 0-146096
  // Undo the leap-day count: the 4-, 100- and 400-year boundaries of the era each add or remove a day.
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // 0-399
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t months_since_march = (5 * day_of_year + 2) / 153;  // 0-11
  const int day = static_cast<int>(day_of_year - (153 * months_since_march + 2) / 5 + 1);
  const int month = static_cast<int>(months_since_march < 10 ? months_since_march + 3 : months_since_march - 9);
  const std::int64_t march_year = era * 400 + year_of_era;
  return {month <= 2 ? march_year + 1 : march_year, month, day};
}

inline constexpr std::string_view day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
inline constexpr std::string_view day_names_long[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                            "Thursday", "Friday", "Saturday"};
inline constexpr std::string_view month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// The fields of an HTTP-date as written, with the offsets of the fields that range checks refer to.
struct date_fields {
  std::int64_t year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::size_t day_offset = 0, year_offset = 0;
};

/// A cursor over an HTTP-date that stops at the first byte the grammar does not allow there. Each method
/// consumes a grammar element and returns true, or leaves offset() at the first bad byte and returns false.
class reader {
 public:
  constexpr explicit reader(std::string_view text) noexcept : text_(text) {}

  constexpr std::size_t offset() const noexcept { return offset_; }
  constexpr bool at_end() const noexcept { return offset_ == text_.size(); }
  constexpr char peek() const noexcept { return at_end() ? '\0' : text_[offset_]; }

  /// Consumes exactly `literal`; on a mismatch, stops at the first byte that differs.
  constexpr bool expect(std::string_view literal) noexcept {
    for (const char c : literal) {
      if (at_end() || text_[offset_] != c) return false;
      ++offset_;
    }
    return true;
  }

  /// Consumes one of the `count` names, none a prefix of another, and returns its index; on failure stops
  /// after the longest prefix that some name shares with the input and returns -1.
  constexpr int one_of(const std::string_view* names, int count) noexcept {
    std::size_t longest = 0;
    for (int i = 0; i < count; ++i) {
      std::size_t n = 0;
      while (n < names[i].size() && offset_ + n < text_.size() && text_[offset_ + n] == names[i][n]) ++n;
      if (n == names[i].size()) {
        offset_ += n;
        return i;
      }
      if (n > longest) longest = n;
    }
    offset_ += longest;
    return -1;
  }

  /// Consumes `count` DIGITs (0-9 only) into `value`.
  constexpr bool digits(int count, int& value) noexcept {
    value = 0;
    for (int i = 0; i < count; ++i) {
      const char c = peek();
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
      ++offset_;
    }
    return true;
  }

 private:
  std::string_view text_;
  std::size_t offset_ = 0;
};

/// An HTTP-date at the start of a text: its value and how many bytes it took.
struct match {
  sys_seconds value;
  std::size_t length;
};

/// True when the day (01-31) can occur in the month in some year: 29 Feb passes until the year is known.
constexpr bool day_fits_month(const date_fields& f) noexcept {
  return f.day <= (f.month == 2 ? 29 : days_in_month(2001, f.month));
}

/// Reads time-of-day = hour ":" minute ":" second, each 2DIGIT, and checks the ranges.
constexpr result<void> read_time_of_day(reader& in, date_fields& f) noexcept {
  const std::size_t hour_offset = in.offset();
  if (!in.digits(2, f.hour)) return error(errc::http_invalid_date, in.offset());
  if (f.hour > 23) return error(errc::http_invalid_date, hour_offset);
  if (!in.expect(":")) return error(errc::http_invalid_date, in.offset());
  const std::size_t minute_offset = in.offset();
  if (!in.digits(2, f.minute)) return error(errc::http_invalid_date, in.offset());
  if (f.minute > 59) return error(errc::http_invalid_date, minute_offset);
  if (!in.expect(":")) return error(errc::http_invalid_date, in.offset());
  const std::size_t second_offset = in.offset();
  if (!in.digits(2, f.second)) return error(errc::http_invalid_date, in.offset());
  // time-of-day is 00:00:00 - 23:59:60: second 60 only in the leap second at 23:59.
  if (f.second > 60 || (f.second == 60 && (f.hour != 23 || f.minute != 59)))
    return error(errc::http_invalid_date, second_offset);
  return {};
}

/// Reads `day` (2DIGIT, or SP DIGIT when asctime allows it) and checks it is 01-31.
constexpr result<void> read_day(reader& in, date_fields& f, bool space_digit_allowed) noexcept {
  f.day_offset = in.offset();
  const bool ok = space_digit_allowed && in.peek() == ' ' ? in.expect(" ") && in.digits(1, f.day) : in.digits(2, f.day);
  if (!ok) return error(errc::http_invalid_date, in.offset());
  if (f.day < 1 || f.day > 31) return error(errc::http_invalid_date, f.day_offset);
  return {};
}

/// Reads a month name (case-sensitive, as RFC 9110 spells them).
constexpr result<void> read_month(reader& in, date_fields& f) noexcept {
  const int month = in.one_of(month_names, 12);
  if (month < 0) return error(errc::http_invalid_date, in.offset());
  f.month = month + 1;
  return {};
}

/// The year an RFC 850 two-digit year stands for, seen at `now` (RFC 9110 section 5.6.7): the latest year
/// ending in those digits whose timestamp (the other fields of `f`) is not more than 50 years after `now`.
constexpr std::int64_t rfc850_year(int two_digits, const date_fields& f, sys_seconds now) noexcept {
  const day_and_time at_now = split_days(now.time_since_epoch().count());
  const std::int64_t now_time = at_now.time;  // a plain variable: lambdas cannot capture bindings in C++17
  const civil_date today = civil_from_days(at_now.days);
  const std::int64_t limit_year = today.year + 50;
  const std::int64_t time = (f.hour * 60 + f.minute) * 60 + f.second;  // second 60 compares after 59: fine
  const auto not_beyond_limit = [&](std::int64_t year) {
    if (year != limit_year) return year < limit_year;
    if (f.month != today.month) return f.month < today.month;
    if (f.day != today.day) return f.day < today.day;
    return time <= now_time;
  };
  // The candidate in the limit's century, or the one a century before when that is beyond the limit.
  const std::int64_t year = arith::floor_div(limit_year, 100) * 100 + two_digits;
  return not_beyond_limit(year) ? year : year - 100;
}

/// The instant of complete, range-checked fields; checks the day against the month of that year, and that
/// the instant fits in sys_seconds (only RFC 850 years relative to an extreme `now` can fail that).
constexpr result<sys_seconds> instant(const date_fields& f) noexcept {
  if (f.day > days_in_month(f.year, f.month)) return error(errc::http_invalid_date, f.day_offset);
  constexpr std::int64_t year_limit = 1000000000;  // far inside what 64-bit seconds can count
  if (f.year > year_limit || f.year < -year_limit) return error(errc::http_invalid_date, f.year_offset);
  const int second = f.second == 60 ? 59 : f.second;  // 23:59:60 is counted as 23:59:59 by Unix time
  const std::int64_t seconds =
      days_from_civil(f.year, f.month, f.day) * 86400 + (f.hour * 60 + f.minute) * 60 + second;
  return sys_seconds(std::chrono::seconds(seconds));
}

/// Parses the HTTP-date at the start of `text` (RFC 9110 section 5.6.7) and reports how many bytes it took;
/// bytes after it are left to the caller. errc::http_invalid_date with the offset of the first byte the
/// grammar does not allow, or of the field whose value is out of range.
constexpr result<match> parse_prefix(std::string_view text, sys_seconds now) noexcept {
  reader in(text);
  date_fields f;
  const int weekday = in.one_of(day_names, 7);
  if (weekday < 0) return error(errc::http_invalid_date, in.offset());
  if (in.peek() == ',') {
    // IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT; date1 = day SP month SP year
    if (!in.expect(", ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_day(in, f, false); !r) return r.error();
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_month(in, f); !r) return r.error();
    if (!day_fits_month(f)) return error(errc::http_invalid_date, f.day_offset);
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    f.year_offset = in.offset();
    int year = 0;
    if (!in.digits(4, year)) return error(errc::http_invalid_date, in.offset());
    f.year = year;
    if (f.day > days_in_month(f.year, f.month)) return error(errc::http_invalid_date, f.day_offset);
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_time_of_day(in, f); !r) return r.error();
    if (!in.expect(" GMT")) return error(errc::http_invalid_date, in.offset());
  } else if (in.peek() == ' ') {
    // asctime-date = day-name SP date3 SP time-of-day SP year; date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
    in.expect(" ");
    if (auto r = read_month(in, f); !r) return r.error();
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_day(in, f, true); !r) return r.error();
    if (!day_fits_month(f)) return error(errc::http_invalid_date, f.day_offset);
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_time_of_day(in, f); !r) return r.error();
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    f.year_offset = in.offset();
    int year = 0;
    if (!in.digits(4, year)) return error(errc::http_invalid_date, in.offset());
    f.year = year;
  } else {
    // rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT; date2 = day "-" month "-" 2DIGIT.
    // Each long name starts with its short one, which is already read.
    if (!in.expect(day_names_long[weekday].substr(3))) return error(errc::http_invalid_date, in.offset());
    if (!in.expect(", ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_day(in, f, false); !r) return r.error();
    if (!in.expect("-")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_month(in, f); !r) return r.error();
    if (!day_fits_month(f)) return error(errc::http_invalid_date, f.day_offset);
    if (!in.expect("-")) return error(errc::http_invalid_date, in.offset());
    f.year_offset = in.offset();
    int two_digits = 0;
    if (!in.digits(2, two_digits)) return error(errc::http_invalid_date, in.offset());
    if (!in.expect(" ")) return error(errc::http_invalid_date, in.offset());
    if (auto r = read_time_of_day(in, f); !r) return r.error();
    if (!in.expect(" GMT")) return error(errc::http_invalid_date, in.offset());
    f.year = rfc850_year(two_digits, f, now);
  }
  const result<sys_seconds> value = instant(f);
  if (!value) return value.error();
  return match{*value, in.offset()};
}

/// The first second of 0000-01-01 and the last second of 9999-12-31, in seconds since 1970-01-01T00:00:00Z.
inline constexpr std::int64_t first_imf_fixdate_second = -62167219200;
inline constexpr std::int64_t last_imf_fixdate_second = 253402300799;

/// True when the instant `seconds` after 1970-01-01T00:00:00Z falls in years 0000-9999.
constexpr bool has_imf_fixdate(std::int64_t seconds) noexcept {
  return seconds >= first_imf_fixdate_second && seconds <= last_imf_fixdate_second;
}

/// Puts the IMF-fixdate "Www, DD Mmm YYYY HH:MM:SS GMT" of `seconds` (has_imf_fixdate()).
inline void put_imf_fixdate(writer::counting_writer& out, std::int64_t seconds) noexcept {
  const day_and_time at = split_days(seconds);
  const civil_date date = civil_from_days(at.days);
  // 0 = Sunday; 1970-01-01 was a Thursday.
  const std::int64_t weekday = (at.days + 4) - arith::floor_div(at.days + 4, 7) * 7;
  out.put(day_names[weekday]);
  out.put(", ");
  out.put_digits(static_cast<std::uint64_t>(date.day), 2);
  out.put(' ');
  out.put(month_names[date.month - 1]);
  out.put(' ');
  out.put_digits(static_cast<std::uint64_t>(date.year), 4);
  out.put(' ');
  out.put_digits(static_cast<std::uint64_t>(at.time / 3600), 2);
  out.put(':');
  out.put_digits(static_cast<std::uint64_t>(at.time / 60 % 60), 2);
  out.put(':');
  out.put_digits(static_cast<std::uint64_t>(at.time % 60), 2);
  out.put(" GMT");
}

}  // namespace keyward::detail::http_date

#endif  // KEYWARD_DETAIL_HTTP_DATE_HPP
