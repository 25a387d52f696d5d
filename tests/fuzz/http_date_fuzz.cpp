// libFuzzer target for keyward::http::parse_date, write_imf_fixdate and imf_fixdate. The first 8 input bytes
// are `now` (seconds since 1970, little-endian, any int64), the rest is the text. Checks: the parser accepts
// exactly what the slow reference below accepts (the RFC 9110 section 5.6.7 grammar read by fixed positions,
// day counts by year-by-year loops inside 400-year cycles), with the same instant; errors point inside the
// text; every accepted instant in years 0000-9999 formats to an IMF-fixdate that parses back to it; and `now`
// itself formats exactly when it lies in those years, and round-trips.
#include <keyward/http/date.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

namespace {

namespace http = keyward::http;

constexpr std::string_view short_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view long_days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int month_length(std::int64_t y, int m) {
  const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : lengths[m - 1];
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

// Days from 1970-01-01: whole 400-year cycles (146097 days each), then years and months one by one.
std::int64_t reference_days(std::int64_t year, int month, int day) {
  const std::int64_t cycles = floor_div(year - 1970, 400);
  std::int64_t days = cycles * 146097;
  for (std::int64_t y = 1970 + cycles * 400; y < year; ++y) days += leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m) days += month_length(year, m);
  return days + day - 1;
}

struct civil {
  std::int64_t year;
  int month, day;
  std::int64_t time;
};

// The inverse, the same way round: cycles, then years, then months.
civil reference_civil(std::int64_t seconds) {
  std::int64_t days = floor_div(seconds, 86400);
  const std::int64_t time = seconds - days * 86400;  // no overflow: callers keep |seconds| < 2^62
  const std::int64_t cycles = floor_div(days, 146097);
  days -= cycles * 146097;
  std::int64_t year = 1970 + cycles * 400;
  while (days >= (leap(year) ? 366 : 365)) days -= leap(year) ? 366 : 365, ++year;
  int month = 1;
  while (days >= month_length(year, month)) days -= month_length(year, month), ++month;
  return {year, month, static_cast<int>(days) + 1, time};
}

int index_of(std::string_view word, const std::string_view* list, int count) {
  for (int i = 0; i < count; ++i) {
    if (list[i] == word) return i;
  }
  return -1;
}

bool digits_at(std::string_view s, std::size_t at, std::size_t count, int& value) {
  if (at + count > s.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

// "hh:mm:ss" at `at`.
bool time_at(std::string_view s, std::size_t at, int& h, int& m, int& sec) {
  return digits_at(s, at, 2, h) && s[at + 2] == ':' && digits_at(s, at + 3, 2, m) && s[at + 5] == ':' &&
         digits_at(s, at + 6, 2, sec);
}

// The RFC 9110 grammar by fixed positions; the instant, or nothing.
std::optional<std::int64_t> reference_parse(std::string_view s, std::int64_t now) {
  std::int64_t year = 0;
  int y = 0, month = 0, day = 0, h = 0, m = 0, sec = 0;
  bool two_digit_year = false;
  const std::size_t comma = s.find(',');
  if (s.size() == 29 && comma == 3) {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (index_of(s.substr(0, 3), short_days, 7) < 0 || s[4] != ' ' || !digits_at(s, 5, 2, day) || s[7] != ' ' ||
        (month = index_of(s.substr(8, 3), months, 12) + 1) == 0 || s[11] != ' ' || !digits_at(s, 12, 4, y) ||
        s[16] != ' ' || !time_at(s, 17, h, m, sec) || s.substr(25) != " GMT")
      return std::nullopt;
    year = y;
  } else if (s.size() == 24 && comma == std::string_view::npos) {  // asctime: "Sun Nov  6 08:49:37 1994"
    if (index_of(s.substr(0, 3), short_days, 7) < 0 || s[3] != ' ' ||
        (month = index_of(s.substr(4, 3), months, 12) + 1) == 0 || s[7] != ' ' || s[10] != ' ' ||
        !time_at(s, 11, h, m, sec) || s[19] != ' ' || !digits_at(s, 20, 4, y))
      return std::nullopt;
    if (s[8] == ' ') {
      if (!digits_at(s, 9, 1, day)) return std::nullopt;
    } else if (!digits_at(s, 8, 2, day)) {
      return std::nullopt;
    }
    year = y;
  } else if (comma != std::string_view::npos && index_of(s.substr(0, comma), long_days, 7) >= 0 &&
             s.size() == comma + 24) {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    const std::string_view rest = s.substr(comma + 1);  // " 06-Nov-94 08:49:37 GMT"
    if (rest[0] != ' ' || !digits_at(rest, 1, 2, day) || rest[3] != '-' ||
        (month = index_of(rest.substr(4, 3), months, 12) + 1) == 0 || rest[7] != '-' || !digits_at(rest, 8, 2, y) ||
        rest[10] != ' ' || !time_at(rest, 11, h, m, sec) || rest.substr(19) != " GMT")
      return std::nullopt;
    two_digit_year = true;
  } else {
    return std::nullopt;
  }
  if (h > 23 || m > 59 || sec > 60 || (sec == 60 && !(h == 23 && m == 59))) return std::nullopt;
  if (two_digit_year) {
    // From a `now` beyond +-2^61 s (years beyond +-7 * 10^10) every candidate year is beyond the documented
    // limit of +-10^9.
    if (now <= -(std::int64_t{1} << 61) || now >= (std::int64_t{1} << 61)) return std::nullopt;
    // RFC 9110 section 5.6.7, tried candidate by candidate: the latest year ending in y, from three
    // centuries around now's, whose timestamp is not more than 50 years after now.
    const civil today = reference_civil(now);
    const auto not_after_limit = [&](std::int64_t c) {
      const std::int64_t a[6] = {c, month, day, h, m, sec};
      const std::int64_t b[6] = {today.year + 50, today.month, today.day, today.time / 3600, today.time / 60 % 60,
                                 today.time % 60};
      for (int i = 0; i < 6; ++i) {
        if (a[i] != b[i]) return a[i] < b[i];
      }
      return true;
    };
    const std::int64_t century = floor_div(today.year, 100) * 100;
    bool found = false;
    for (std::int64_t c = century + 200 + y; c >= century - 200; c -= 100) {
      if (not_after_limit(c)) {
        year = c;
        found = true;
        break;
      }
    }
    FUZZ_CHECK(found);
    if (year > 1000000000 || year < -1000000000) return std::nullopt;  // the documented limit
  }
  if (day < 1 || day > month_length(year, month)) return std::nullopt;
  return reference_days(year, month, day) * 86400 + h * 3600 + m * 60 + (sec == 60 ? 59 : sec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t raw = 0;
  const std::size_t now_bytes = size < 8 ? size : 8;
  for (std::size_t i = 0; i < now_bytes; ++i) raw |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const auto now = static_cast<std::int64_t>(raw);
  // A heap copy of exactly the text, so that a read past its end is caught.
  const std::size_t length = size - now_bytes;
  const std::unique_ptr<char[]> copy(new char[length + 1]);
  if (length != 0) std::memcpy(copy.get(), data + now_bytes, length);
  const std::string_view text(copy.get(), length);

  const http::sys_seconds now_point{std::chrono::seconds(now)};
  const auto parsed = http::parse_date(text, now_point);
  const auto expected = reference_parse(text, now);
  FUZZ_CHECK(parsed.has_value() == expected.has_value());
  if (parsed) FUZZ_CHECK(parsed->time_since_epoch().count() == *expected);
  if (parsed) {
    const std::int64_t t = parsed->time_since_epoch().count();
    char formatted[http::imf_fixdate_size];
    const auto written = http::write_imf_fixdate(*parsed, formatted, sizeof formatted);
    FUZZ_CHECK(written.has_value() == (t >= -62167219200 && t <= 253402300799));
    if (written) {
      FUZZ_CHECK(*written == http::imf_fixdate_size);
      const auto again = http::parse_date(std::string_view(formatted, *written), now_point);
      FUZZ_CHECK(again && *again == *parsed);
    }
  } else {
    FUZZ_CHECK(parsed.error() == keyward::errc::http_invalid_date);
    FUZZ_CHECK(parsed.error().has_offset() && parsed.error().offset() <= text.size());
  }

  // `now` as an instant to format: exactly years 0000-9999, with the fields of the reference.
  const auto now_text = http::imf_fixdate(now_point);
  FUZZ_CHECK(now_text.has_value() == (now >= -62167219200 && now <= 253402300799));
  if (now_text) {
    const civil c = reference_civil(now);
    const std::string_view v = *now_text;
    int day = 0, year = 0;
    FUZZ_CHECK(digits_at(v, 5, 2, day) && day == c.day && digits_at(v, 12, 4, year) && year == c.year);
    FUZZ_CHECK(v.substr(8, 3) == months[c.month - 1]);
    const auto back = http::parse_date(v, now_point);
    FUZZ_CHECK(back && back->time_since_epoch().count() == now);
  }
  return 0;
}
