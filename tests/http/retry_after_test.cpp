// Tests for include/keyward/http/retry_after.hpp: RFC 9110 section 10.2.3's examples, delay-seconds with
// leading zeros and saturation at 2^31, HTTP-dates in the three forms relative to `now` (past ones clamp to
// zero), optional whitespace, and malformed values with the offset of the first bad byte; the rounding rule
// for the delay a server sends, and the writer trio.
#define BOOST_TEST_MODULE retry_after
#include <boost/test/unit_test.hpp>

#include <keyward/http/retry_after.hpp>

#include "support/test_support.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace http = keyward::http;
using keyward::errc;
using keyward::error;

namespace {

using namespace std::string_view_literals;

http::sys_seconds at(std::int64_t seconds) { return http::sys_seconds(std::chrono::seconds(seconds)); }

// 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (the derivation is in tests/http/date_test.cpp).
const http::sys_seconds example_now = at(784111777);
constexpr std::int64_t cap = std::int64_t{1} << 31;  // 2147483648

std::int64_t delay(std::string_view value, http::sys_seconds now = example_now) {
  const auto r = http::parse_retry_after(value, now);
  BOOST_TEST_REQUIRE(r.has_value(), "rejected: \"" << value << "\"");
  return r->count();
}

constexpr auto delay_at_compile_time = http::parse_retry_after(" 120\t", http::sys_seconds{});
static_assert(delay_at_compile_time.has_value() && delay_at_compile_time->count() == 120);

}  // namespace

// RFC 9110 section 10.2.3: "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT" and "Retry-After: 120".
// 946684800 is 2000-01-01T00:00:00Z (10957 days: 30 years with 7 leap days, 30 * 365 + 7 = 10957), so the
// date is 946684799; seen two minutes before, 946684679, it asks for 120 s.
BOOST_AUTO_TEST_CASE(rfc9110_examples) {
  BOOST_TEST(delay("Fri, 31 Dec 1999 23:59:59 GMT", at(946684679)) == 120);
  BOOST_TEST(delay("120") == 120);
}

BOOST_AUTO_TEST_CASE(delay_seconds) {
  BOOST_TEST(delay("0") == 0);
  BOOST_TEST(delay("1") == 1);
  BOOST_TEST(delay("000120") == 120);  // 1*DIGIT: leading zeros are digits
  BOOST_TEST(delay(" 120") == 120);
  BOOST_TEST(delay("120 ") == 120);
  BOOST_TEST(delay(" \t 120 \t ") == 120);
  BOOST_TEST(delay("86400") == 86400);
  // The delay does not depend on `now`.
  BOOST_TEST(delay("120", at(INT64_MIN)) == 120);
  BOOST_TEST(delay("120", at(INT64_MAX)) == 120);
}

// Saturation at 2^31 s (RFC 9111 section 1.2.2), however many digits.
BOOST_AUTO_TEST_CASE(huge_delays_saturate) {
  BOOST_TEST(http::max_retry_after.count() == cap);
  BOOST_TEST(delay("2147483647") == cap - 1);
  BOOST_TEST(delay("2147483648") == cap);
  BOOST_TEST(delay("2147483649") == cap);
  BOOST_TEST(delay("9223372036854775807") == cap);   // int64 max
  BOOST_TEST(delay("9223372036854775808") == cap);   // int64 max + 1
  BOOST_TEST(delay("18446744073709551617") == cap);  // 2^64 + 1: would wrap to 1 in 64 bits
  BOOST_TEST(delay(std::string(10000, '9')) == cap);
  BOOST_TEST(delay(std::string(10000, '0') + "7") == 7);
}

// The three HTTP-date forms, relative to now = 06 Nov 1994 08:49:37.
BOOST_AUTO_TEST_CASE(http_dates_in_every_form) {
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:50:37 GMT") == 60);
  BOOST_TEST(delay("Sunday, 06-Nov-94 08:49:47 GMT") == 10);
  BOOST_TEST(delay("Sun Nov  6 09:49:37 1994") == 3600);
  BOOST_TEST(delay("Mon, 07 Nov 1994 08:49:37 GMT") == 86400);
  BOOST_TEST(delay("  Sun, 06 Nov 1994 08:50:37 GMT\t") == 60);
  // 23:59:60 counts as 23:59:59: from 23:59:00, 59 s.
  BOOST_TEST(delay("Sat, 31 Dec 2016 23:59:60 GMT", at(1483228740)) == 59);  // 1483228800 = 2017-01-01
}

BOOST_AUTO_TEST_CASE(past_dates_clamp_to_zero) {
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:37 GMT") == 0);  // now itself
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:36 GMT") == 0);
  BOOST_TEST(delay("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  BOOST_TEST(delay("Sat, 01 Jan 0000 00:00:00 GMT") == 0);
  BOOST_TEST(delay("Sat, 01 Jan 0000 00:00:00 GMT", at(INT64_MAX)) == 0);
}

// A date further ahead than 2^31 s saturates, even from the most negative `now` (no overflow in date - now).
BOOST_AUTO_TEST_CASE(far_dates_saturate) {
  BOOST_TEST(delay("Fri, 31 Dec 9999 23:59:59 GMT") == cap);
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:37 GMT", at(INT64_MIN)) == cap);
  // Exactly 2^31 s ahead (now = 784111777 - 2147483648 = -1363371871), and one second less.
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:37 GMT", at(784111777 - cap)) == cap);
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:37 GMT", at(784111777 - cap + 1)) == cap - 1);
}

// Offsets are in the value as given, leading whitespace included.
BOOST_AUTO_TEST_CASE(malformed_values_with_offsets) {
  struct bad {
    std::string_view text;
    std::size_t offset;
  };
  const bad table[] = {
      {""sv, 0},        {"   "sv, 3},       {"\t"sv, 1},      {"-1"sv, 0},      {"+1"sv, 0},
      {"1.5"sv, 1},     {"1,5"sv, 1},       {"1 2"sv, 2},     {" 12 x"sv, 4},   {"120s"sv, 3},
      {"0x10"sv, 1},    {"1e3"sv, 1},       {"\n120"sv, 0},   {"120\r\n"sv, 3}, {"120\0"sv, 3},
      {"\xef\xbc\x91\xef\xbc\x92"sv, 0},  // FULLWIDTH DIGIT ONE, TWO: not DIGIT
      {"Sun, 06 Nov 1994 08:49:37 UTC"sv, 26},
      {"  Sun, 06 Nov 1994 08:49:37 UTC"sv, 28},
      {"Sun, 06 Nov 1994 08:49:37 GMT x"sv, 30},
      {"Sun, 06 Nov 1994 08:49:37 GMT120"sv, 29},
      {"Sun, 31 Apr 1994 08:49:37 GMT"sv, 5},
      {" Sun, 06 Nov 1994"sv, 17},  // stops early: the end
      {"120 Sun, 06 Nov 1994 08:49:37 GMT"sv, 4},
      {"now"sv, 0},
  };
  for (const auto& [text, offset] : table) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(text)) {
      const auto r = http::parse_retry_after(text, example_now);
      BOOST_TEST_REQUIRE(!r.has_value());
      BOOST_TEST(r.error() == error(errc::http_invalid_retry_after, offset));
    }
  }
}

// The one rounding rule for the delay-seconds a server sends (RFC 9110 section 10.2.3 allows only whole
// seconds): up to the next whole second, never 0 (a client told 0 retries at once), at most 2^31.
BOOST_AUTO_TEST_CASE(waits_round_up_to_whole_seconds_never_zero) {
  using std::chrono::nanoseconds;
  using std::chrono::seconds;
  BOOST_TEST(http::retry_after_delay(nanoseconds(1)).count() == 1);
  BOOST_TEST(http::retry_after_delay(nanoseconds(999'999'999)).count() == 1);
  BOOST_TEST(http::retry_after_delay(seconds(1)).count() == 1);
  BOOST_TEST(http::retry_after_delay(nanoseconds(1'000'000'001)).count() == 2);
  BOOST_TEST(http::retry_after_delay(seconds(120)).count() == 120);
  BOOST_TEST(http::retry_after_delay(nanoseconds(0)).count() == 1);
  BOOST_TEST(http::retry_after_delay(nanoseconds(-5)).count() == 1);
  BOOST_TEST(http::retry_after_delay(nanoseconds::min()).count() == 1);
  BOOST_TEST(http::retry_after_delay(seconds(cap)).count() == cap);
  BOOST_TEST(http::retry_after_delay(seconds(cap) + nanoseconds(1)).count() == cap);
  BOOST_TEST(http::retry_after_delay(nanoseconds::max()).count() == cap);  // 9223372036.85 s
}

// The writer trio: nothing written when the buffer is short, the exact size up front, and a value that
// parse_retry_after reads back.
BOOST_AUTO_TEST_CASE(writer_trio) {
  using std::chrono::seconds;
  BOOST_TEST(http::retry_after(seconds(120)) == "120");
  BOOST_TEST(http::retry_after(seconds(0)) == "0");
  BOOST_TEST(http::retry_after(seconds(-3)) == "0");
  BOOST_TEST(http::retry_after(seconds(cap)) == "2147483648");
  BOOST_TEST(http::retry_after_size(seconds(9)) == 1u);
  BOOST_TEST(http::retry_after_size(seconds(10)) == 2u);
  BOOST_TEST(http::retry_after_size(seconds(-1)) == 1u);
  BOOST_TEST(http::retry_after_size(seconds(INT64_MAX)) == 19u);
  char out[4] = {'x', 'x', 'x', 'x'};
  const auto short_buffer = http::write_retry_after(seconds(1234), out, 3);
  BOOST_TEST((short_buffer.error() == errc::buffer_too_small));
  BOOST_TEST(std::string(out, 4) == "xxxx");
  const auto written = http::write_retry_after(seconds(1234), out, 4);
  BOOST_TEST(written.value() == 4u);
  BOOST_TEST(std::string(out, 4) == "1234");
  for (const std::int64_t value : {std::int64_t{0}, std::int64_t{1}, std::int64_t{59}, std::int64_t{86400}, cap}) {
    BOOST_TEST(delay(http::retry_after(seconds(value))) == value);
  }
}

// `now` may be any system_clock time point: system_clock's own precision floors to whole seconds.
BOOST_AUTO_TEST_CASE(now_of_any_precision) {
  const auto fine = std::chrono::system_clock::time_point(std::chrono::seconds(946684679)) +
                    std::chrono::milliseconds(999);
  BOOST_TEST(http::parse_retry_after("Fri, 31 Dec 1999 23:59:59 GMT", fine).value().count() == 120);
}

BOOST_AUTO_TEST_CASE(now_at_the_ends_of_coarse_time_points) {
  // A `now` in minutes beyond the int64 seconds counts as their first or last second (before: floor<seconds>
  // overflowed, undefined behaviour, and minutes::max() read as 1969-12-31T23:59:00, so a date of 1994 was
  // 784111837 s away instead of long past).
  using minute_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::minutes>;
  const auto date = "Sun, 06 Nov 1994 08:49:37 GMT"sv;
  BOOST_TEST(keyward::http::parse_retry_after(date, minute_point(std::chrono::minutes::max()))->count() == 0);
  BOOST_TEST(keyward::http::parse_retry_after(date, minute_point(std::chrono::minutes::min()))->count() ==
             keyward::http::max_retry_after.count());
  BOOST_TEST(keyward::http::parse_retry_after("120", minute_point(std::chrono::minutes::max()))->count() == 120);
}
