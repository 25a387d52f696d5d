// Tests for include/keyward/keys/credits.hpp: the credit periods (UTC days and months since 1970, floored
// before 1970, saturated at the ends of int64 nanoseconds) at hand-derived instants, the refill times, and
// the rule of spend_credits(): refill on a later period, none on the same or an earlier one (a late clock), the
// cap at a lowered allowance, cost 0, a cost that does not fit takes nothing; balances of another refill kind
// (periods never compared across units; a finer balance lasts its own period, a coarser one is refilled; keys
// of two kinds spending one balance alternately get at most two refills a day).
#define BOOST_TEST_MODULE keys_credits
#include <boost/test/unit_test.hpp>

#include <keyward/keys/credits.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

namespace keys = keyward::keys;
using keys::credit_refill;

namespace {

constexpr std::int64_t s = 1'000'000'000;  // ns per second

keys::sys_nanoseconds at_ns(std::int64_t ns) { return keys::sys_nanoseconds(std::chrono::nanoseconds(ns)); }
keys::sys_nanoseconds at_s(std::int64_t seconds) { return keys::sys_nanoseconds(std::chrono::seconds(seconds)); }
std::int64_t start_s(credit_refill refill, std::int64_t period) {
  return keys::credit_period_start(refill, period).time_since_epoch().count() / s;
}
std::optional<std::chrono::system_clock::time_point> wall_s(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

// 2026-12-04T13:00:00Z. Days since 1970-01-01: 56 years of 365 days and 14 leap days (1972 ... 2024) to
// 2026-01-01 = 20454, plus 337 days to Dec 4 (31+28+31+30+31+30+31+31+30+31+30 = 334, + 3) = 20791
// (python3: (date(2026,12,4) - date(1970,1,1)).days = 20791); so 20791 * 86400 + 13 * 3600 = 1796389200 s.
constexpr std::int64_t dec4_13h = 1796389200;
constexpr std::int64_t dec4 = 20791 * 86400;     // 1796342400, day 20791's midnight
constexpr std::int64_t dec5 = dec4 + 86400;      // 1796428800
constexpr std::int64_t dec1 = dec4 - 3 * 86400;  // 1796083200, the start of month 683
constexpr std::int64_t jan1 = dec1 + 31 * 86400;  // 1798761600, 2027-01-01: month 684

}  // namespace

BOOST_AUTO_TEST_CASE(periods_are_utc_days_and_months) {
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_s(dec4_13h)) == 20791);
  // Month (2026 - 1970) * 12 + (12 - 1) = 683.
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_s(dec4_13h)) == 683);
  BOOST_TEST(keys::credit_period(credit_refill::never, at_s(dec4_13h)) == 0);
  BOOST_TEST(start_s(credit_refill::daily, 20791) == dec4);
  BOOST_TEST(start_s(credit_refill::daily, 20792) == dec5);
  BOOST_TEST(start_s(credit_refill::monthly, 683) == dec1);
  BOOST_TEST(start_s(credit_refill::monthly, 684) == jan1);
  // The edges: the last nanosecond of Dec 4 is still day 20791, Dec 5 00:00 is day 20792; the last of
  // December is month 683, 2027-01-01 00:00 month 684.
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_ns(dec5 * s - 1)) == 20791);
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_s(dec5)) == 20792);
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_ns(jan1 * s - 1)) == 683);
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_s(jan1)) == 684);
  // Leap February: 2024-02-29T12:00Z = 1709208000 s is month 54 * 12 + 1 = 649, which starts 2024-02-01 =
  // 1706745600 s; month 650 starts 2024-03-01 = 1706745600 + 29 * 86400 = 1709251200 s.
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_s(1709208000)) == 649);
  BOOST_TEST(start_s(credit_refill::monthly, 649) == 1706745600);
  BOOST_TEST(start_s(credit_refill::monthly, 650) == 1709251200);
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_ns(0)) == 0);
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_ns(0)) == 0);
}

BOOST_AUTO_TEST_CASE(periods_before_1970_are_floored) {
  // The last nanosecond of 1969 is day -1 and month -1 (1969-12, which starts 31 days before 1970).
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_ns(-1)) == -1);
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_ns(-1)) == -1);
  BOOST_TEST(start_s(credit_refill::monthly, -1) == -31 * 86400);
  BOOST_TEST(start_s(credit_refill::daily, -1) == -86400);
  // 1960-02-29T12:00Z: 1960-01-01 is 3653 days before 1970 (10 years, leap years 1960, 1964, 1968), Feb 29
  // is 59 days after it: day -3594, at -3594 * 86400 + 43200 = -310478400 s. Month (1960 - 1970) * 12 + 1 =
  // -119, from 1960-02-01 (day -3653 + 31 = -3622) to 1960-03-01 (day -3653 + 60 = -3593).
  BOOST_TEST(keys::credit_period(credit_refill::daily, at_s(-310478400)) == -3594);
  BOOST_TEST(keys::credit_period(credit_refill::monthly, at_s(-310478400)) == -119);
  BOOST_TEST(start_s(credit_refill::monthly, -119) == -3622 * 86400);
  BOOST_TEST(start_s(credit_refill::monthly, -118) == -3593 * 86400);
}

BOOST_AUTO_TEST_CASE(period_starts_saturate) {
  constexpr std::int64_t most = (std::numeric_limits<std::int64_t>::max)();
  constexpr std::int64_t least = (std::numeric_limits<std::int64_t>::min)();
  const auto start = [](credit_refill refill, std::int64_t period) {
    return keys::credit_period_start(refill, period).time_since_epoch().count();
  };
  // int64 nanoseconds end at 2262-04-11T23:47:16Z, day 106751: day 106752 (2262-04-12) does not fit.
  BOOST_TEST(start(credit_refill::daily, 106751) == std::int64_t{106751} * 86400 * s);
  BOOST_TEST(start(credit_refill::daily, 106752) == most);
  BOOST_TEST(start(credit_refill::daily, -106752) == least);
  BOOST_TEST(start(credit_refill::monthly, most) == most);
  BOOST_TEST(start(credit_refill::monthly, least) == least);
  BOOST_TEST(start(credit_refill::daily, most) == most);
  BOOST_TEST(start(credit_refill::never, 0) == most);
  BOOST_TEST(!keys::credit_refills_at(credit_refill::never, 0).has_value());
  BOOST_TEST((keys::credit_refills_at(credit_refill::daily, 20791) == wall_s(dec5)));
  BOOST_TEST((keys::credit_refills_at(credit_refill::monthly, 683) == wall_s(jan1)));
}

BOOST_AUTO_TEST_CASE(every_time_lies_in_its_period) {
  // start(p) <= t < start(p + 1), across the whole int64 range (a property; the instants above fix the values).
  constexpr std::int64_t most = (std::numeric_limits<std::int64_t>::max)();
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  int outside = 0;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const auto t = static_cast<std::int64_t>(x >> (i % 3 == 0 ? 1 : 8)) * (i % 2 == 0 ? 1 : -1);
    for (const credit_refill refill : {credit_refill::daily, credit_refill::monthly}) {
      const std::int64_t p = keys::credit_period(refill, at_ns(t));
      const std::int64_t from = keys::credit_period_start(refill, p).time_since_epoch().count();
      const std::int64_t to = keys::credit_period_start(refill, p + 1).time_since_epoch().count();
      // The last period of int64 has no start after it: it saturates to the maximum, which t may equal.
      if (!(from <= t && t < to) && to != most) ++outside;
    }
  }
  BOOST_TEST(outside == 0);
}

BOOST_AUTO_TEST_CASE(spending_refills_takes_and_refuses) {
  const keys::credit_plan plan{10, credit_refill::daily};
  std::optional<keys::credit_balance> balance;
  // None stored: the balance starts full in today's period, and 3 are taken.
  keys::credit_decision d = keys::spend_credits(balance, plan, 3, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 7u);
  BOOST_TEST((d.refills_at == wall_s(dec5)));
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::daily, 20791, 7})));
  // A cost that does not fit takes nothing.
  d = keys::spend_credits(balance, plan, 8, at_s(dec4_13h));
  BOOST_TEST(!d.allowed);
  BOOST_TEST(d.remaining == 7u);
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::daily, 20791, 7})));
  // Exactly what is left fits; then 0 is left, and cost 0 is still allowed, taking nothing.
  BOOST_TEST(keys::spend_credits(balance, plan, 7, at_s(dec4_13h)).allowed);
  d = keys::spend_credits(balance, plan, 0, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 0u);
  BOOST_TEST(!keys::spend_credits(balance, plan, 1, at_ns(dec5 * s - 1)).allowed);
  // The next day refills to the allowance.
  d = keys::spend_credits(balance, plan, 1, at_s(dec5));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 9u);
  BOOST_TEST((d.refills_at == wall_s(dec5 + 86400)));
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::daily, 20792, 9})));
}

BOOST_AUTO_TEST_CASE(a_late_clock_never_refills) {
  const keys::credit_plan plan{10, credit_refill::daily};
  // Stored on Dec 5 (day 20792) by a server ahead; spent by one whose clock still says Dec 4: kept as it is.
  std::optional<keys::credit_balance> balance = keys::credit_balance{credit_refill::daily, 20792, 2};
  const keys::credit_decision d = keys::spend_credits(balance, plan, 1, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 1u);
  BOOST_TEST((d.refills_at == wall_s(dec5 + 86400)));  // after the stored period, not the caller's
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::daily, 20792, 1})));
  BOOST_TEST(!keys::spend_credits(balance, plan, 2, at_s(dec4_13h)).allowed);
}

BOOST_AUTO_TEST_CASE(a_lowered_allowance_caps_the_balance) {
  std::optional<keys::credit_balance> balance = keys::credit_balance{credit_refill::daily, 20791, 7};
  const keys::credit_plan lowered{5, credit_refill::daily};
  // Denied, but the cap applies and is stored: 7 becomes 5.
  keys::credit_decision d = keys::spend_credits(balance, lowered, 6, at_s(dec4_13h));
  BOOST_TEST(!d.allowed);
  BOOST_TEST(d.remaining == 5u);
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::daily, 20791, 5})));
  d = keys::spend_credits(balance, lowered, 1, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 4u);
  // A raised allowance does not add credits within the period.
  d = keys::spend_credits(balance, keys::credit_plan{100, credit_refill::daily}, 0, at_s(dec4_13h));
  BOOST_TEST(d.remaining == 4u);
}

BOOST_AUTO_TEST_CASE(a_plan_without_refill_is_granted_once) {
  const keys::credit_plan pack{2, credit_refill::never};
  std::optional<keys::credit_balance> balance;
  keys::credit_decision d = keys::spend_credits(balance, pack, 2, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(!d.refills_at.has_value());
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::never, 0, 0})));
  // Years later, and before 1970, the period is still 0: nothing is refilled.
  d = keys::spend_credits(balance, pack, 1, at_s(jan1 + 400 * 86400));
  BOOST_TEST(!d.allowed);
  BOOST_TEST(d.remaining == 0u);
  BOOST_TEST(!keys::spend_credits(balance, pack, 1, at_s(-310478400)).allowed);
  // A plan of allowance 0 lets only cost 0 through.
  std::optional<keys::credit_balance> empty;
  BOOST_TEST(!keys::spend_credits(empty, keys::credit_plan{0, credit_refill::daily}, 1, at_s(dec4_13h)).allowed);
  BOOST_TEST(keys::spend_credits(empty, keys::credit_plan{0, credit_refill::daily}, 0, at_s(dec4_13h)).allowed);
}

BOOST_AUTO_TEST_CASE(monthly_balances_refill_on_the_first) {
  const keys::credit_plan plan{3, credit_refill::monthly};
  std::optional<keys::credit_balance> balance;
  keys::credit_decision d = keys::spend_credits(balance, plan, 3, at_s(dec4_13h));
  BOOST_TEST((d.refills_at == wall_s(jan1)));
  BOOST_TEST(!keys::spend_credits(balance, plan, 1, at_ns(jan1 * s - 1)).allowed);
  d = keys::spend_credits(balance, plan, 1, at_s(jan1));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 2u);
  BOOST_TEST((balance == std::optional<keys::credit_balance>(keys::credit_balance{credit_refill::monthly, 684, 2})));
}

namespace {

using balance_t = std::optional<keys::credit_balance>;
balance_t stored(credit_refill refill, std::int64_t period, std::uint64_t remaining) {
  return keys::credit_balance{refill, period, remaining};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_daily_balance_spent_by_a_monthly_plan_refills_when_its_day_ends) {
  // The defect: day 20791 read as a month index is year 1970 + 20791 / 12 = 3702, so a daily balance spent by
  // a monthly plan (a store without reset_credits, a rotated pair, a stale snapshot) was never refilled again.
  const keys::credit_plan daily{10, credit_refill::daily};
  const keys::credit_plan monthly{100, credit_refill::monthly};
  balance_t balance;
  BOOST_TEST(keys::spend_credits(balance, daily, 3, at_s(dec4_13h)).remaining == 7u);
  // Dec 4, monthly plan: the daily balance (finer) still lasts its day: 7 - 1 = 6, refilled at Dec 5 00:00.
  keys::credit_decision d = keys::spend_credits(balance, monthly, 1, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 6u);
  BOOST_TEST((d.refills_at == wall_s(dec5)));
  BOOST_TEST((balance == stored(credit_refill::daily, 20791, 6)));
  // Dec 5 00:00: its day ended, so it becomes the monthly allowance in month 683: 100 - 1 = 99, until Jan 1.
  d = keys::spend_credits(balance, monthly, 1, at_s(dec5));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 99u);
  BOOST_TEST((d.refills_at == wall_s(jan1)));
  BOOST_TEST((balance == stored(credit_refill::monthly, 683, 99)));
  // And month 684 refills it again: 100 - 2 = 98.
  BOOST_TEST(keys::spend_credits(balance, monthly, 2, at_s(jan1)).remaining == 98u);
  BOOST_TEST((balance == stored(credit_refill::monthly, 684, 98)));
}

BOOST_AUTO_TEST_CASE(a_coarser_balance_of_another_kind_is_refilled_at_once) {
  // Monthly (month 683, empty) spent by a daily plan on Dec 4: a coarser kind, refilled: 10 - 1 = 9.
  balance_t balance = stored(credit_refill::monthly, 683, 0);
  const keys::credit_plan daily{10, credit_refill::daily};
  keys::credit_decision d = keys::spend_credits(balance, daily, 1, at_s(dec4_13h));
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.remaining == 9u);
  BOOST_TEST((d.refills_at == wall_s(dec5)));
  BOOST_TEST((balance == stored(credit_refill::daily, 20791, 9)));
  // A one-off balance (never, the coarsest) spent by a monthly plan: refilled, 100 - 0.
  balance = stored(credit_refill::never, 0, 0);
  const keys::credit_plan monthly{100, credit_refill::monthly};
  BOOST_TEST(keys::spend_credits(balance, monthly, 0, at_s(dec4_13h)).remaining == 100u);
  BOOST_TEST((balance == stored(credit_refill::monthly, 683, 100)));
  // A daily balance spent by a never plan lasts its day (capped at the pack's 5), then becomes the pack.
  balance = stored(credit_refill::daily, 20791, 8);
  d = keys::spend_credits(balance, keys::credit_plan{5, credit_refill::never}, 1, at_s(dec4_13h));
  BOOST_TEST(d.remaining == 4u);  // min(8, 5) - 1
  BOOST_TEST((d.refills_at == wall_s(dec5)));
  d = keys::spend_credits(balance, keys::credit_plan{5, credit_refill::never}, 1, at_s(dec5));
  BOOST_TEST(d.remaining == 4u);  // 5 - 1, for good
  BOOST_TEST(!d.refills_at.has_value());
  BOOST_TEST((balance == stored(credit_refill::never, 0, 4)));
  // A finer balance written by a clock ahead (day 20792) is kept by a monthly plan on Dec 4, until Dec 6.
  balance = stored(credit_refill::daily, 20792, 2);
  d = keys::spend_credits(balance, monthly, 1, at_s(dec4_13h));
  BOOST_TEST(d.remaining == 1u);
  BOOST_TEST((d.refills_at == wall_s(dec5 + 86400)));
}

BOOST_AUTO_TEST_CASE(keys_of_two_kinds_sharing_a_balance_get_two_refills_a_day_at_most) {
  // A rotated pair during its grace period: key A daily 10, key B monthly 100, one balance, alternating A, B,
  // A, B ... at cost 1. Dec 4: A fills it (daily, 10); B finds a finer balance of the same day and draws on
  // it; so 20 calls get exactly 10 through.
  const keys::credit_plan a{10, credit_refill::daily};
  const keys::credit_plan b{100, credit_refill::monthly};
  balance_t balance;
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += keys::spend_credits(balance, i % 2 == 0 ? a : b, 1, at_s(dec4_13h)).allowed;
  BOOST_TEST(allowed == 10);
  // Dec 5, starting with B: B finds the daily balance ended and fills it (monthly, 100 - 1 = 99); A finds a
  // coarser one and fills it (daily, 10 - 1 = 9); then both draw on those 9. 2 + 9 = 11 of 30, no more.
  allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += keys::spend_credits(balance, i % 2 == 0 ? b : a, 1, at_s(dec5 + 60)).allowed;
  BOOST_TEST(allowed == 11);
  BOOST_TEST((balance == stored(credit_refill::daily, 20792, 0)));
}
