// Tests for include/keyward/rate/x_ratelimit.hpp: the X-RateLimit-* values of a decision, and their
// strict parsing.
#define BOOST_TEST_MODULE rate_x_ratelimit
#include <boost/test/unit_test.hpp>

#include <keyward/rate/x_ratelimit.hpp>

#include "support/count_allocations.hpp"
#include "support/make_decision.hpp"
#include "support/test_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

using keyward::errc;
using keyward_test::make_decision;
using namespace std::chrono_literals;
namespace rate = keyward::rate;

using keyward_test::allocations;
using keyward_test::counting;

// ---- X-RateLimit-* ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(x_ratelimit_values_from_a_decision) {
  using rate::verdict;
  const auto d = make_decision(verdict::allowed, 10, 7, 0ns, 2500ms);
  const std::chrono::system_clock::time_point epoch{};
  const auto delay = rate::x_ratelimit(d, epoch, rate::reset_meaning::delay_seconds);
  BOOST_TEST(delay.limit == 10u);
  BOOST_TEST(delay.remaining == 7u);
  BOOST_TEST(delay.reset == 3u);  // ceil(2.5 s)
  // Unix time: now = 1700000000.6 s, plus 2.5 s = 1700000003.1 s, rounded up to 1700000004.
  const std::chrono::system_clock::time_point now{std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(1'700'000'000) + 600ms)};
  const auto unix_time = rate::x_ratelimit(d, now, rate::reset_meaning::unix_seconds);
  BOOST_TEST(unix_time.reset == 1'700'000'004u);
  BOOST_TEST(unix_time.limit == 10u);
}

BOOST_AUTO_TEST_CASE(x_ratelimit_integers_strictly) {
  BOOST_TEST(*rate::parse_x_ratelimit("60") == 60u);
  BOOST_TEST(*rate::parse_x_ratelimit(" 60\t") == 60u);
  BOOST_TEST(*rate::parse_x_ratelimit("0") == 0u);
  BOOST_TEST(*rate::parse_x_ratelimit("007") == 7u);
  BOOST_TEST(*rate::parse_x_ratelimit("18446744073709551615") == UINT64_MAX);
  struct bad {
    std::string_view value;
    errc code;
    std::size_t offset;
  };
  const bad cases[] = {
      {"+5", errc::rate_header_invalid_integer, 0},
      {"-1", errc::rate_header_invalid_integer, 0},
      {"1.0", errc::rate_header_invalid_integer, 1},
      {"1e3", errc::rate_header_invalid_integer, 1},
      {"0x10", errc::rate_header_invalid_integer, 1},
      {"6 0", errc::rate_header_invalid_integer, 1},
      {"60,60", errc::rate_header_invalid_integer, 2},
      {"\"60\"", errc::rate_header_invalid_integer, 0},
      {"18446744073709551616", errc::rate_header_integer_overflow, 19},  // 2^64
      {"99999999999999999999", errc::rate_header_integer_overflow, 19},
  };
  for (const auto& c : cases) {
    const auto r = rate::parse_x_ratelimit(c.value);
    BOOST_TEST_REQUIRE(!r.has_value(), c.value);
    BOOST_TEST(r.error() == keyward::error(c.code, c.offset), c.value);
  }
  BOOST_TEST(rate::parse_x_ratelimit("").error() == errc::rate_header_empty);
  BOOST_TEST(rate::parse_x_ratelimit(" \t ").error() == errc::rate_header_empty);
}

BOOST_AUTO_TEST_CASE(x_ratelimit_reset_both_meanings) {
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1'700'000'000)};
  using rate::reset_meaning;
  BOOST_TEST(rate::parse_x_ratelimit_reset("30", now, reset_meaning::delay_seconds)->count() == 30'000'000'000);
  // GitHub's form: the Unix time of the reset, 60 s after now.
  BOOST_TEST(rate::parse_x_ratelimit_reset("1700000060", now, reset_meaning::unix_seconds)->count() ==
             60'000'000'000);
  BOOST_TEST(rate::parse_x_ratelimit_reset("1699999999", now, reset_meaning::unix_seconds)->count() == 0);
  BOOST_TEST(rate::parse_x_ratelimit_reset("soon", now, reset_meaning::delay_seconds).error() ==
             errc::rate_header_invalid_integer);
}

BOOST_AUTO_TEST_CASE(any_precision_of_now) {
  using keyward::http::sys_seconds;
  const auto d = make_decision(rate::verdict::allowed, 10, 7, 0ns, 2500ms);
  // Whole seconds: 1700000000 + ceil(2.5 s) = 1700000003.
  BOOST_TEST(rate::x_ratelimit(d, sys_seconds(1'700'000'000s), rate::reset_meaning::unix_seconds).reset ==
             1'700'000'003u);
  // The extremes of a sys_seconds convert without overflow: the reset saturates, or is 0 before 1970.
  const sys_seconds latest{std::chrono::seconds(std::numeric_limits<std::int64_t>::max())};
  const sys_seconds earliest{std::chrono::seconds(std::numeric_limits<std::int64_t>::min())};
  BOOST_TEST(rate::x_ratelimit(d, latest, rate::reset_meaning::unix_seconds).reset ==
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 3u);
  BOOST_TEST(rate::x_ratelimit(d, earliest, rate::reset_meaning::unix_seconds).reset == 0u);
  // 60 s after a sys_seconds now, and a reset long past for the latest now.
  BOOST_TEST(rate::parse_x_ratelimit_reset("1700000060", sys_seconds(1'700'000'000s),
                                           rate::reset_meaning::unix_seconds)->count() == 60'000'000'000);
  BOOST_TEST(rate::parse_x_ratelimit_reset("1700000060", latest, rate::reset_meaning::unix_seconds)->count() == 0);
  // From the earliest now, any reset is further than nanoseconds hold: clamped to their whole seconds.
  BOOST_TEST(rate::parse_x_ratelimit_reset("0", earliest, rate::reset_meaning::unix_seconds)->count() ==
             9'223'372'036'000'000'000);
  // Sub-second precision: the delay runs from now itself (1700000000.6 s to 1700000060 s is 59.4 s).
  const std::chrono::system_clock::time_point now{std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(1'700'000'000) + 600ms)};
  BOOST_TEST(rate::parse_x_ratelimit_reset("1700000060", now, rate::reset_meaning::unix_seconds)->count() ==
             59'400'000'000);
}

BOOST_AUTO_TEST_CASE(edges_of_time) {
  // Each `now` below is converted without overflow (before, `now - floor<seconds>(now)` and floor<seconds>
  // of a coarser count overflowed: undefined behaviour, then the wrong values noted). Expected values by
  // hand: Reset = ceil(now + reset_after) as a Unix time, 0 at or before 1970; the parsed delay is
  // max(0, reset - now), clamped to 9,223,372,036 s.
  using std::chrono::system_clock;
  using nano_time = std::chrono::time_point<system_clock, std::chrono::nanoseconds>;
  using minute_time = std::chrono::time_point<system_clock, std::chrono::minutes>;
  const auto unix_seconds = rate::reset_meaning::unix_seconds;
  const auto d = make_decision(rate::verdict::allowed, 10, 7, 0ns, 2500ms);
  const auto reset_at = [&](auto now, std::chrono::nanoseconds reset_after) {
    return rate::x_ratelimit(make_decision(rate::verdict::allowed, 10, 7, 0ns, reset_after), now, unix_seconds).reset;
  };
  const auto delay_at = [&](std::string_view value, auto now) {
    return rate::parse_x_ratelimit_reset(value, now, unix_seconds)->count();
  };

  // 1969-12-31T23:59:59 and 23:59:59.5: resets of 1 and ceil(1.5) = 2, or 0 when at or before 1970.
  const nano_time one_second_before(-1s);
  const nano_time half_second_before(-500ms);
  BOOST_TEST(reset_at(one_second_before, 2s) == 1u);
  BOOST_TEST(reset_at(one_second_before, 500ms) == 0u);
  BOOST_TEST(reset_at(half_second_before, 2s) == 2u);
  BOOST_TEST(delay_at("1", half_second_before) == 1'500'000'000);
  BOOST_TEST(delay_at("0", one_second_before) == 1'000'000'000);

  // The first nanosecond of a nanosecond system_clock, 1677-09-21T00:12:43.145224192 (-9223372036.854775808
  // s): a reset at 0 (1970) is 9223372036.854775808 s ahead, more than nanoseconds hold: clamped to
  // 9223372036 s (before: 9223372035.854775808 s, and undefined behaviour on the way).
  const nano_time first_ns{std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::min())};
  BOOST_TEST(reset_at(first_ns, 2500ms) == 0u);
  BOOST_TEST(reset_at(first_ns, std::chrono::nanoseconds::max()) == 0u);  // 1677 + 292 years: still before 1970
  BOOST_TEST(delay_at("0", first_ns) == 9'223'372'036'000'000'000);
  BOOST_TEST(delay_at("1700000060", first_ns) == 9'223'372'036'000'000'000);
  // The last one, 2262-04-11T23:47:16.854775807, plus the longest reset_after (2^63 - 1 ns): 2 * (2^63 - 1)
  // ns = 18446744073.709551614 s, rounded up to 18446744074 (before: 18446744073, a second early).
  const nano_time last_ns{std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max())};
  BOOST_TEST(reset_at(last_ns, std::chrono::nanoseconds::max()) == 18'446'744'074u);
  BOOST_TEST(reset_at(last_ns, 1ns) == 9'223'372'037u);

  // A reset_after below zero counts as zero: at 1700000000.6 s the reset is 1700000001, never earlier than
  // now (before: 1700000000).
  const nano_time late(std::chrono::seconds(1'700'000'000) + 600ms);
  BOOST_TEST(reset_at(late, -5s) == 1'700'000'001u);

  // Minutes reach beyond the int64 seconds, where `now` counts as their first or last second (before:
  // floor<seconds> overflowed, then a reset of 1 at the earliest time and 0 at the latest, and delays of 1 s
  // and 61 s instead of the clamp and 0).
  const minute_time first_minute(std::chrono::minutes::min());
  const minute_time last_minute(std::chrono::minutes::max());
  BOOST_TEST(rate::x_ratelimit(d, first_minute, unix_seconds).reset == 0u);
  BOOST_TEST(delay_at("1", first_minute) == 9'223'372'036'000'000'000);
  // The last nanosecond of the int64 seconds is 1 ns before 2^63 s: plus 2.5 s, 2^63 + 2.499999999 s,
  // rounded up: 2^63 + 3.
  BOOST_TEST(rate::x_ratelimit(d, last_minute, unix_seconds).reset == (std::uint64_t{1} << 63) + 3u);
  BOOST_TEST(delay_at("1", last_minute) == 0);
  BOOST_TEST(delay_at("18446744073709551615", last_minute) == 9'223'372'036'000'000'000);
}

BOOST_AUTO_TEST_CASE(parsers_allocate_nothing) {
  const std::string values[] = {"60", " 60 ", "", "  ", "18446744073709551616", "1700000060", "soon",
                                std::string(3000, '7')};
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1'700'000'000)};
  std::uint64_t seen = 0;
  allocations = 0;
  counting = true;
  for (const std::string& value : values) {
    if (const auto number = rate::parse_x_ratelimit(value)) seen += *number;
    if (const auto reset = rate::parse_x_ratelimit_reset(value, now, rate::reset_meaning::unix_seconds))
      seen += static_cast<std::uint64_t>(reset->count());
  }
  counting = false;
  BOOST_TEST(allocations == 0u);
  BOOST_TEST(seen > 0u);
}
