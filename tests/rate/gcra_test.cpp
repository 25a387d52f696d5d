// Tests for include/keyward/rate/gcra.hpp. Every expected decision is derived by hand from GCRA in the
// comments: emission interval T = period / count, window W = burst * T, debt = max(0, TAT - now); a
// request of cost c is allowed when debt + c*T <= W and then adds c*T to the debt; remaining =
// floor((W - debt) / T) after the request; wait = debt + c*T - W; reset_after = the debt.
#define BOOST_TEST_MODULE rate_gcra
#include <boost/test/unit_test.hpp>

#include <keyward/rate/gcra.hpp>

#include "support/test_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <ratio>
#include <algorithm>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using keyward::errc;
using keyward::rate::decision;
using keyward::rate::gcra;
using keyward::rate::quota;
using keyward::rate::reservation;
using keyward::rate::verdict;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

// The default clock's time point `since_epoch` after its epoch: the `now` every call below passes.
std::chrono::steady_clock::time_point at(nanoseconds since_epoch) {
  return std::chrono::steady_clock::time_point(since_epoch);
}

gcra<> make_limiter(const quota& q) {
  auto made = gcra<>::make(q);
  BOOST_REQUIRE(made.has_value());
  return std::move(*made);
}

const char* name_of(verdict v) {
  switch (v) {
    case verdict::allowed: return "allowed";
    case verdict::denied: return "denied";
    case verdict::never: return "never";
  }
  return "?";
}

// A duration in the largest of s, ms, us, ns that divides it.
std::string format(nanoseconds d) {
  const auto n = d.count();
  if (n != 0 && n % 1'000'000'000 == 0) return std::to_string(n / 1'000'000'000) + "s";
  if (n != 0 && n % 1'000'000 == 0) return std::to_string(n / 1'000'000) + "ms";
  if (n != 0 && n % 1'000 == 0) return std::to_string(n / 1'000) + "us";
  return std::to_string(n) + "ns";
}

// "<verdict> remaining=R retry=X reset=Y", so a failed check shows every field at the caller's line.
std::string describe(const decision& d) {
  return std::string(name_of(d.outcome)) + " remaining=" + std::to_string(d.remaining) +
         " retry=" + format(d.wait) + " reset=" + format(d.reset_after);
}

// A clock whose time the test sets: static now(), like the standard clocks.
struct manual_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = nanoseconds;
  using time_point = std::chrono::time_point<manual_clock>;
  static inline std::atomic<std::int64_t> ticks{0};
  static time_point now() noexcept { return time_point(duration(ticks.load())); }
};

// A clock with state and a member now(): reads the counter it points to.
struct pointer_clock {
  using duration = std::chrono::microseconds;
  using time_point = std::chrono::time_point<pointer_clock, duration>;
  const std::int64_t* micros = nullptr;
  time_point now() const noexcept { return time_point(duration(*micros)); }
};

}  // namespace

namespace keyward::rate {
// How Boost.Test prints a verdict in a failed assertion (found by argument-dependent lookup).
inline std::ostream& boost_test_print_type(std::ostream& out, verdict v) { return out << name_of(v); }
}  // namespace keyward::rate

BOOST_AUTO_TEST_CASE(burst_then_deny) {
  // 10 per second, burst 5: T = 100 ms, W = 500 ms. At t = 0 each request adds 100 ms of debt: after k
  // requests remaining = 5 - k and reset_after = k * 100 ms. The 6th: 500 + 100 > 500, denied, wait =
  // 500 + 100 - 500 = 100 ms, remaining 0, reset_after 500 ms; being denied it changes nothing.
  auto limiter = make_limiter(quota{10, 1s, 5});
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "allowed remaining=4 retry=0ns reset=100ms");
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "allowed remaining=3 retry=0ns reset=200ms");
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "allowed remaining=2 retry=0ns reset=300ms");
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "allowed remaining=1 retry=0ns reset=400ms");
  const decision last = limiter.acquire(at(0ns));
  BOOST_TEST(describe(last) == "allowed remaining=0 retry=0ns reset=500ms");
  BOOST_TEST(last.limit == 5u);
  BOOST_TEST(last.allowed());
  const decision denied = limiter.acquire(at(0ns));
  BOOST_TEST(describe(denied) == "denied remaining=0 retry=100ms reset=500ms");
  BOOST_TEST(denied.limit == 5u);
  BOOST_TEST(!denied);
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=100ms reset=500ms");
  // Exactly wait later (t = 100 ms): debt 400 ms, 400 + 100 <= 500, allowed, debt 500 ms again.
  BOOST_TEST(describe(limiter.acquire(at(100ms))) == "allowed remaining=0 retry=0ns reset=500ms");
  // One nanosecond before the next slot (t = 200 ms - 1 ns): debt 400 ms + 1 ns, denied, exact wait 1 ns.
  // Internal units are 100 ms / 2^27 = 0.745 ns and that time is not a whole number of them: the report may
  // round up by one more nanosecond, never down.
  const decision early = limiter.acquire(at(200ms - 1ns));
  BOOST_TEST(early.outcome == verdict::denied);
  BOOST_TEST(early.wait.count() >= 1);
  BOOST_TEST(early.wait.count() <= 2);
  BOOST_TEST(early.reset_after.count() >= 400'000'001);
  BOOST_TEST(early.reset_after.count() <= 400'000'002);
}

BOOST_AUTO_TEST_CASE(partial_refill) {
  // 10 per second, burst 5 (T = 100 ms, W = 500 ms). Five at t = 0 leave TAT = 500 ms.
  auto limiter = make_limiter(quota{10, 1s, 5});
  for (int i = 0; i < 5; ++i) BOOST_TEST(limiter.acquire(at(0ns)).allowed());
  // t = 250 ms: debt 250 ms; 250 + 100 <= 500: allowed, debt 350, remaining floor(150 / 100) = 1.
  BOOST_TEST(describe(limiter.acquire(at(250ms))) == "allowed remaining=1 retry=0ns reset=350ms");
  // Same time: debt 350 + 100 = 450 <= 500: allowed, remaining floor(50 / 100) = 0.
  BOOST_TEST(describe(limiter.acquire(at(250ms))) == "allowed remaining=0 retry=0ns reset=450ms");
  // Same time: 450 + 100 = 550 > 500: denied, wait 50 ms.
  BOOST_TEST(describe(limiter.acquire(at(250ms))) == "denied remaining=0 retry=50ms reset=450ms");
  // t = 300 ms: TAT = 700 ms, debt 400 ms: allowed, debt 500 ms.
  BOOST_TEST(describe(limiter.acquire(at(300ms))) == "allowed remaining=0 retry=0ns reset=500ms");
}

BOOST_AUTO_TEST_CASE(cost_above_one) {
  // 10 per second, burst 5: a cost of 3 adds 300 ms.
  auto limiter = make_limiter(quota{10, 1s, 5});
  BOOST_TEST(describe(limiter.acquire(at(0ns), 3)) == "allowed remaining=2 retry=0ns reset=300ms");
  // 300 + 300 = 600 > 500: denied, wait 100 ms, remaining floor(200 / 100) = 2 (of cost 1).
  BOOST_TEST(describe(limiter.acquire(at(0ns), 3)) == "denied remaining=2 retry=100ms reset=300ms");
  // 300 + 200 = 500 <= 500: allowed.
  BOOST_TEST(describe(limiter.acquire(at(0ns), 2)) == "allowed remaining=0 retry=0ns reset=500ms");
  // t = 300 ms: debt 200 ms; cost 3: 200 + 300 = 500, allowed.
  BOOST_TEST(describe(limiter.acquire(at(300ms), 3)) == "allowed remaining=0 retry=0ns reset=500ms");
}

BOOST_AUTO_TEST_CASE(cost_above_burst_is_never) {
  // A cost of 6 needs 600 ms of a 500 ms window: never, whatever the debt; nothing is taken.
  auto limiter = make_limiter(quota{10, 1s, 5});
  BOOST_TEST(describe(limiter.acquire(at(0ns), 6)) == "never remaining=5 retry=0ns reset=0ns");
  BOOST_TEST(describe(limiter.acquire(at(0ns), std::numeric_limits<std::uint64_t>::max())) ==
             "never remaining=5 retry=0ns reset=0ns");
  BOOST_TEST(limiter.is_fresh(at(0ns)));
  BOOST_TEST(limiter.acquire(at(0ns), 2).allowed());
  // With 200 ms of debt: still never (not denied), and the report shows the debt.
  BOOST_TEST(describe(limiter.acquire(at(0ns), 6)) == "never remaining=3 retry=0ns reset=200ms");
  const auto reserved = limiter.reserve(at(0ns), 6);
  BOOST_TEST(reserved.outcome == verdict::never);
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=3 retry=0ns reset=200ms");
}

BOOST_AUTO_TEST_CASE(peek_changes_nothing) {
  auto limiter = make_limiter(quota{10, 1s, 5});
  for (int i = 0; i < 3; ++i) BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=5 retry=0ns reset=0ns");
  BOOST_TEST(describe(limiter.acquire(at(0ns), 0)) == "allowed remaining=5 retry=0ns reset=0ns");
  // Never used: fresh at any time, including times a 64-bit unit counter would see as far apart.
  for (const nanoseconds t : {0ns, nanoseconds(-1s), nanoseconds(std::numeric_limits<std::int64_t>::min()),
                              nanoseconds(std::numeric_limits<std::int64_t>::max())})
    BOOST_TEST(limiter.is_fresh(at(t)));
  BOOST_TEST(limiter.acquire(at(0ns)).allowed());
  // After one request (debt 100 ms): peek reports it and leaves it.
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=4 retry=0ns reset=100ms");
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=4 retry=0ns reset=100ms");
  BOOST_TEST(describe(limiter.peek(at(50ms))) == "allowed remaining=4 retry=0ns reset=50ms");
  BOOST_TEST(!limiter.is_fresh(at(99ms)));
  BOOST_TEST(limiter.is_fresh(at(100ms)));
}

BOOST_AUTO_TEST_CASE(long_idle_refills_to_the_burst_only) {
  // After an hour idle (36,000 emission intervals) the bucket holds the burst, 5, and no more.
  auto limiter = make_limiter(quota{10, 1s, 5});
  for (int i = 0; i < 5; ++i) BOOST_TEST(limiter.acquire(at(0ns)).allowed());
  BOOST_TEST(describe(limiter.peek(at(1h))) == "allowed remaining=5 retry=0ns reset=0ns");
  int allowed = 0;
  while (limiter.acquire(at(1h)).allowed()) ++allowed;
  BOOST_TEST(allowed == 5);
  BOOST_TEST(describe(limiter.acquire(at(1h))) == "denied remaining=0 retry=100ms reset=500ms");
}

BOOST_AUTO_TEST_CASE(time_going_backwards_adds_nothing) {
  // 10 per second, burst 5. Three at t = 1 s: TAT = 1.3 s.
  auto limiter = make_limiter(quota{10, 1s, 5});
  for (int i = 0; i < 3; ++i) BOOST_TEST(limiter.acquire(at(1s)).allowed());
  BOOST_TEST(describe(limiter.peek(at(1s))) == "allowed remaining=2 retry=0ns reset=300ms");
  // At t = 0.9 s the debt is 400 ms: the bucket looks emptier, never fuller.
  BOOST_TEST(describe(limiter.peek(at(900ms))) == "allowed remaining=1 retry=0ns reset=400ms");
  // One allowed there (400 + 100 <= 500): TAT = 1.4 s, so at t = 1 s one remains, not two.
  BOOST_TEST(describe(limiter.acquire(at(900ms))) == "allowed remaining=0 retry=0ns reset=500ms");
  BOOST_TEST(describe(limiter.peek(at(1s))) == "allowed remaining=1 retry=0ns reset=400ms");
  // t = 0: TAT is 1.4 s ahead, more than 2W = 1 s, which no sequence of requests can reach: read as the
  // oldest time that could (debt = 1 s): denied, wait = 1000 + 100 - 500 = 600 ms, not 1.4 s.
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=600ms reset=1s");
  BOOST_TEST(describe(limiter.peek(at(1s))) == "allowed remaining=1 retry=0ns reset=400ms");

  // Random times from t = 0, a third of the steps going backwards (up to 30 ms, or 2 s once in a while).
  // Each allowed request moves the TAT T = 100 ms further and needs TAT <= its time + W, and the first was
  // at t = 0, so N * T <= latest time + W: N never exceeds the burst plus one per T up to the latest time.
  auto random_limiter = make_limiter(quota{10, 1s, 5});
  std::mt19937_64 random(7);
  std::int64_t t = 0, latest = 0;
  std::uint64_t allowed = random_limiter.acquire(at(0ns)).allowed() ? 1 : 0;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<std::int64_t>(random() % 20'000'000);
    if (random() % 3 == 0) t -= static_cast<std::int64_t>(random() % 30'000'000);
    if (random() % 1000 == 0) t -= 2'000'000'000;
    if (t > latest) latest = t;
    if (random_limiter.acquire(at(nanoseconds(t))).allowed()) ++allowed;
    BOOST_REQUIRE(allowed <= 5 + static_cast<std::uint64_t>(latest) / 100'000'000);
  }
  BOOST_TEST(allowed > 100u);
}

BOOST_AUTO_TEST_CASE(negative_times) {
  // Times before the clock's epoch (a system clock before 1970, a test clock below 0) work the same.
  // 10 per second, burst 1: T = W = 100 ms.
  auto limiter = make_limiter(quota{10, 1s, 1});
  BOOST_TEST(describe(limiter.acquire(at(-1s))) == "allowed remaining=0 retry=0ns reset=100ms");
  BOOST_TEST(describe(limiter.acquire(at(-950ms))) == "denied remaining=0 retry=50ms reset=50ms");
  BOOST_TEST(describe(limiter.acquire(at(-900ms))) == "allowed remaining=0 retry=0ns reset=100ms");
  BOOST_TEST(describe(limiter.acquire(at(50ms))) == "allowed remaining=0 retry=0ns reset=100ms");
}

BOOST_AUTO_TEST_CASE(one_per_day) {
  // 1 per day, burst 1: T = W = 86,400 s.
  auto limiter = make_limiter(quota{1, 24h, 1});
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "allowed remaining=0 retry=0ns reset=86400s");
  BOOST_TEST(describe(limiter.acquire(at(12h))) == "denied remaining=0 retry=43200s reset=43200s");
  // 1 ns before the day is over the exact wait is 1 ns; internal units are 86,400 s / 2^47 = 0.61 ns, so the
  // report may round up by one more nanosecond, never down.
  const decision almost = limiter.acquire(at(24h - 1ns));
  BOOST_TEST(almost.outcome == verdict::denied);
  BOOST_TEST(almost.wait.count() >= 1);
  BOOST_TEST(almost.wait.count() <= 2);
  BOOST_TEST(describe(limiter.acquire(at(24h))) == "allowed remaining=0 retry=0ns reset=86400s");
  // Below one per day: 1 per week, burst 3 (W = 3 weeks). Two years idle refill to 3, not 104.
  auto weekly = make_limiter(quota{1, 168h, 3});
  BOOST_TEST(weekly.acquire(at(0ns), 3).allowed());
  BOOST_TEST(describe(weekly.acquire(at(0ns))) == "denied remaining=0 retry=604800s reset=1814400s");
  BOOST_TEST(describe(weekly.peek(at(2 * 8760h))) == "allowed remaining=3 retry=0ns reset=0ns");
}

BOOST_AUTO_TEST_CASE(no_drift_at_an_inexact_rate) {
  // 3 per second, burst 10: T = 333,333,333.33... ns. Ten at t = 0 leave TAT = 10T. Then a request at t is
  // allowed when TAT + T <= t + 10T; with demand kept up the TAT stays ahead of t and after k more it is
  // (10 + k)T, so the k-th is allowed from exactly kT on: at ceil(k * 1e9 / 3) ns and not 1 ns earlier, for
  // every k up to 3000 (1000 s): no rounding accumulates.
  auto limiter = make_limiter(quota{3, 1s, 10});
  BOOST_TEST(limiter.acquire(at(0ns), 10).allowed());
  for (std::int64_t k = 1; k <= 3000; ++k) {
    const std::int64_t due = (k * 1'000'000'000 + 2) / 3;  // ceil(k * 1e9 / 3)
    BOOST_REQUIRE(limiter.acquire(at(nanoseconds(due - 1))).outcome == verdict::denied);
    BOOST_REQUIRE(limiter.acquire(at(nanoseconds(due))).allowed());
  }
  // TAT = 3010 T = 1003.33 s; at t = 1000 s the debt is 3.33 s: reported rounded up, 3,333,333,334 ns.
  BOOST_TEST(describe(limiter.peek(at(1000s))) == "allowed remaining=0 retry=0ns reset=3333333334ns");
  // At t = 1001 s the debt is 2.33 s and a cost of 3 (3T = 1 s) fills the window exactly: allowed.
  BOOST_TEST(limiter.acquire(at(1001s), 3).allowed());
  BOOST_TEST(describe(limiter.peek(at(1001s))) == "allowed remaining=0 retry=0ns reset=3333333334ns");
  BOOST_TEST(describe(limiter.acquire(at(1001s))) == "denied remaining=0 retry=333333334ns reset=3333333334ns");
  // 3T is exactly 1 s, reported as such (a reciprocal of T rounded up would make it 1 s + 1 ns).
  auto one_second = make_limiter(quota{3, 1s, 3});
  BOOST_TEST(describe(one_second.acquire(at(0ns), 3)) == "allowed remaining=0 retry=0ns reset=1s");
}

BOOST_AUTO_TEST_CASE(sub_nanosecond_intervals) {
  // 2e9 per second, burst 1000: T = 0.5 ns, W = 500 ns.
  auto limiter = make_limiter(quota{2'000'000'000, 1s, 1000});
  for (std::uint64_t i = 1; i <= 1000; ++i) BOOST_REQUIRE(limiter.acquire(at(0ns)).remaining == 1000 - i);
  // Debt 500 ns: a request needs 0.5 ns more, reported rounded up to 1 ns.
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=1ns reset=500ns");
  // t = 100 ns: debt 400 ns, room for 100 ns / 0.5 ns = 200 requests.
  int allowed = 0;
  while (limiter.acquire(at(100ns)).allowed()) ++allowed;
  BOOST_TEST(allowed == 200);
  // Cost 3 = 1.5 ns: at t = 101 ns the debt is 499 ns, 499 + 1.5 > 500: denied, retry 0.5 ns -> 1 ns.
  BOOST_TEST(describe(limiter.acquire(at(101ns), 3)) == "denied remaining=2 retry=1ns reset=499ns");

  // 3e9 per second, burst 3000 (T = 1/3 ns, W = 1000 ns), drained at t = 0: TAT = 1000 ns. At time t the
  // n-th further request is allowed when 1000 + n/3 <= t + 1000, so n(t) = 3t: exactly 3 per ns.
  auto third = make_limiter(quota{3'000'000'000, 1s, 3000});
  BOOST_TEST(third.acquire(at(0ns), 3000).allowed());
  std::int64_t total = 0;
  for (std::int64_t t = 1; t <= 1000; ++t) {
    while (third.acquire(at(nanoseconds(t))).allowed()) ++total;
    BOOST_REQUIRE(total == 3 * t);
  }
  // 1.5e9 per second (3 per 2 ns), burst 1500 (T = 2/3 ns, W = 1000 ns), drained: likewise
  // n(t) = floor(t / (2/3)) = floor(1.5 t), alternately 1 and 2 per ns.
  auto two_thirds = make_limiter(quota{3, 2ns, 1500});
  BOOST_TEST(two_thirds.acquire(at(0ns), 1500).allowed());
  total = 0;
  for (std::int64_t t = 1; t <= 999; ++t) {
    while (two_thirds.acquire(at(nanoseconds(t))).allowed()) ++total;
    BOOST_REQUIRE(total == 3 * t / 2);
  }
}

BOOST_AUTO_TEST_CASE(huge_burst_and_extreme_times) {
  // 1e6 per second, burst 1e12: T = 1 us, W = 1e12 us = 1e6 s.
  auto limiter = make_limiter(quota{1'000'000, 1s, 1'000'000'000'000});
  BOOST_TEST(describe(limiter.acquire(at(0ns), 1'000'000'000'000)) == "allowed remaining=0 retry=0ns reset=1000000s");
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=1us reset=1000000s");
  BOOST_TEST(describe(limiter.peek(at(500000s))) == "allowed remaining=500000000000 retry=0ns reset=500000s");

  // 2e9 per second (T = 1 unit = 0.5 ns) near the latest time the limiter tells apart: the clock's epoch is
  // unit 2^62 and the last unit 2^64 - 1 - 2W, so with burst 99 (W = 99 units) the last distinct time is
  // t = (3 * 2^62 - 199) / 2 ns, rounded down: 3 * 2^61 - 100 ns. From t = 3 * 2^61 - 120 ns, cost 3
  // (3 units): 33 allowed, the 34th denied; 10 ns (20 units) later, 20 / 3 = 6 more.
  auto fast = make_limiter(quota{2'000'000'000, 1s, 99});
  const nanoseconds late(3 * (std::int64_t{1} << 61) - 120);
  int allowed = 0;
  while (fast.acquire(at(late), 3).allowed()) ++allowed;
  BOOST_TEST(allowed == 33);
  allowed = 0;
  while (fast.acquire(at(late + 10ns), 3).allowed()) ++allowed;
  BOOST_TEST(allowed == 6);
  // Then 2 units are left. The last distinct time, 3 * 2^61 - 100 ns, is 20 units later: 22 units, 7 more.
  // Beyond it time stands still: 2^62 ns and the clock's last nanosecond, 2^63 - 1, both read as the last
  // unit, one more: 2 units left, nothing more.
  allowed = 0;
  for (const std::int64_t t : {3 * (std::int64_t{1} << 61) - 100, std::int64_t{1} << 62,
                               std::numeric_limits<std::int64_t>::max()})
    while (fast.acquire(at(nanoseconds(t)), 3).allowed()) ++allowed;
  BOOST_TEST(allowed == 7);

  // The largest burst at 2e9 per second: 2^61 (W = 2^60 ns, 36.5 years) at the earliest time the limiter
  // tells apart, unit 1 (t = -2^61 ns is unit 0, left out): every earlier time reads as unit 1. Drained
  // there, the TAT is unit 2^61 + 1. At t = -2^61 + 2^59 + 1 ns (unit 2^60 + 2) the debt is 2^60 - 1 units
  // (T = 1 unit): 2^60 + 1 more fit in the window, a cost of 2^60, then one, then not one more.
  auto widest = make_limiter(quota{2'000'000'000, 1s, std::uint64_t{1} << 61});
  const nanoseconds earliest(std::numeric_limits<std::int64_t>::min());
  const nanoseconds first(-(std::int64_t{1} << 61));
  const decision all = widest.acquire(at(earliest), std::uint64_t{1} << 61);
  BOOST_TEST(all.allowed());
  BOOST_TEST(all.reset_after.count() == std::int64_t{1} << 60);
  BOOST_TEST(!widest.acquire(at(first)).allowed());  // the same unit: nothing refilled
  const nanoseconds later = first + nanoseconds((std::int64_t{1} << 59) + 1);
  BOOST_TEST(widest.acquire(at(later), std::uint64_t{1} << 60).allowed());
  BOOST_TEST(widest.acquire(at(later)).allowed());
  BOOST_TEST(!widest.acquire(at(later)).allowed());
}

// ---- The edges of time ---------------------------------------------------------------------------------
// Clocks of several representations, each at the ends of its range. The GCRA keeps time in units of at
// most 1 ns on one axis of 2^64 units that does not wrap: 2^62 units before the clock's epoch to about
// 3 * 2^62 after it (gcra's class comment), and a time beyond reads as that end.

// A clock counting in Rep, ticks of Period, whose time the test passes as `now`.
template <class Rep, class Period>
struct counting_clock {
  using rep = Rep;
  using period = Period;
  using duration = std::chrono::duration<Rep, Period>;
  using time_point = std::chrono::time_point<counting_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(duration(0)); }
};
// Whole seconds in int64 (its range, +-2.9e11 years, far exceeds nanoseconds').
using seconds_clock = counting_clock<std::int64_t, std::ratio<1>>;
// A steady-like clock counting nanoseconds from its own epoch (say, the start of some service), whose times
// may lie anywhere in int64.
using service_clock = counting_clock<std::int64_t, std::nano>;
// Microseconds in an unsigned 64-bit integer: times up to 2^64 - 1 us (584,000 years).
using unsigned_clock = counting_clock<std::uint64_t, std::micro>;

// Drains a limiter of 10 per second, burst 5, at `drained`, then asks at each of `later` in turn (each
// earlier than `drained` or beyond the limiter's axis, where at most 10 per second of the clock's forward
// movement inside the axis may come back): returns how many of 5 requests per time were allowed in all.
template <class Clock>
int allowed_after_drain(typename Clock::time_point drained, std::initializer_list<typename Clock::time_point> later) {
  auto made = gcra<Clock>::make(quota{10, 1s, 5});
  BOOST_REQUIRE(made.has_value());
  BOOST_REQUIRE(made->acquire(drained, 5).allowed());
  int allowed = 0;
  for (const auto& t : later) {
    for (int i = 0; i < 5; ++i) allowed += made->acquire(t).allowed() ? 1 : 0;
    BOOST_TEST(made->peek(t).remaining <= 5u);
    BOOST_TEST(made->peek(t).reset_after.count() >= 0);
  }
  return allowed;
}

BOOST_AUTO_TEST_CASE(backward_jumps_never_refill) {
  // 10 per second: a unit is 1e8 ns / 2^27 = 0.745 ns, so 2^63 units are 6.9e18 ns, 218 years. A clock
  // going back by that much, or by any amount, must not find the bucket full again: before, the modular
  // time read a jump back of 2^63 units or more as a jump forward, and refilled it.
  using steady = std::chrono::steady_clock;
  const auto max_ns = std::numeric_limits<std::int64_t>::max();
  const auto min_ns = std::numeric_limits<std::int64_t>::min();
  // Drained 2^62 ns (146 years) after the epoch, asked at 2^62 ns before it (2^63 ns back), and at the
  // clock's first time point.
  BOOST_TEST(allowed_after_drain<steady>(steady::time_point(nanoseconds(std::int64_t{1} << 62)),
                                         {steady::time_point(nanoseconds(-(std::int64_t{1} << 62))),
                                          steady::time_point(nanoseconds(min_ns))}) == 0);
  // Each of the jumps back from the last time point: by 2^62, 2^63 and 2^64 - 1 ns.
  BOOST_TEST(allowed_after_drain<service_clock>(
                 service_clock::time_point(nanoseconds(max_ns)),
                 {service_clock::time_point(nanoseconds(max_ns - (std::int64_t{1} << 62))),
                  service_clock::time_point(nanoseconds(-1)), service_clock::time_point(nanoseconds(min_ns))}) == 0);
  // A clock counting seconds: from 2^40 s (34,800 years) back to the epoch, to -2^40 s and to its first.
  const std::chrono::seconds far(std::int64_t{1} << 40);
  BOOST_TEST(allowed_after_drain<seconds_clock>(seconds_clock::time_point(far),
                                                {seconds_clock::time_point(0s), seconds_clock::time_point(-far),
                                                 seconds_clock::time_point(std::chrono::seconds::min())}) == 0);
  // Unsigned microseconds: from the last (2^64 - 1 us) back to 2^63 us and to 0.
  using unsigned_duration = unsigned_clock::duration;
  BOOST_TEST(allowed_after_drain<unsigned_clock>(
                 unsigned_clock::time_point(unsigned_duration(~std::uint64_t{0})),
                 {unsigned_clock::time_point(unsigned_duration(std::uint64_t{1} << 63)),
                  unsigned_clock::time_point(unsigned_duration(0))}) == 0);
}

BOOST_AUTO_TEST_CASE(times_beyond_the_axis_stand_still) {
  // A clock counting seconds beyond what nanoseconds hold (past 2262): those times saturate instead of
  // overflowing (undefined behaviour before), so a limiter drained there refills nothing later, however far
  // (before, the wrapped conversion read one second later as one second later, 2^40 s later as anything).
  const seconds_clock::time_point far(std::chrono::seconds(std::int64_t{1} << 40));
  BOOST_TEST(allowed_after_drain<seconds_clock>(far, {far + 1s, far + 1h, seconds_clock::time_point::max()}) == 0);
  // Inside the axis a seconds clock behaves as any other: 10 per second, burst 5, drained at 1000 s; 300 ms
  // later 3 refilled, and 4 more a second after (the bucket holds 5 at most, 2 were left).
  auto made = gcra<seconds_clock>::make(quota{10, 1s, 5});
  BOOST_REQUIRE(made.has_value());
  const seconds_clock::time_point start(std::chrono::seconds(1000));
  BOOST_TEST(made->acquire(start, 5).allowed());
  BOOST_TEST(describe(made->acquire(start)) == "denied remaining=0 retry=100ms reset=500ms");
  BOOST_TEST(describe(made->peek(start + 1s)) == "allowed remaining=5 retry=0ns reset=0ns");
  // Unsigned microseconds beyond what nanoseconds hold (2^63 us is 292,000 years): they saturate too.
  using unsigned_duration = unsigned_clock::duration;
  const unsigned_clock::time_point middle(unsigned_duration(std::uint64_t{1} << 63));
  BOOST_TEST(allowed_after_drain<unsigned_clock>(middle, {unsigned_clock::time_point::max()}) == 0);
}

BOOST_AUTO_TEST_CASE(changing_the_quota_at_the_edges) {
  // set_quota at the ends of a clock's range converts nothing that overflows, and keeps the debt: drained
  // at the last nanosecond, the bucket stays empty under a new quota and the same time. Changed at the
  // first nanosecond, a clock gone back 584 years, the debt is read at the oldest time the state could have
  // been reached by (2W before the TAT, as acquire reads it) and counts from there: nothing refills, at the
  // first time or back at the last (before, the new state counted from the first time, so the last one
  // found a full bucket).
  const service_clock::time_point last{nanoseconds(std::numeric_limits<std::int64_t>::max())};
  const service_clock::time_point first{nanoseconds(std::numeric_limits<std::int64_t>::min())};
  auto made = gcra<service_clock>::make(quota{10, 1s, 5});
  BOOST_REQUIRE(made.has_value());
  BOOST_TEST(made->acquire(last, 5).allowed());
  BOOST_TEST(made->set_quota(quota{20, 2s, 5}, last).has_value());
  BOOST_TEST(!made->acquire(last).allowed());
  BOOST_TEST(made->set_quota(quota{10, 1s, 5}, first).has_value());
  BOOST_TEST(!made->acquire(first).allowed());
  BOOST_TEST(!made->acquire(last).allowed());
  BOOST_TEST(describe(made->peek(last)) == "allowed remaining=0 retry=0ns reset=500ms");
}

BOOST_AUTO_TEST_CASE(invalid_quotas) {
  const quota invalid[] = {
      quota{0, 1s, 1},
      quota{1, 0ns, 1},
      quota{1, -1s, 1},
      quota{1, 1s, 0},
      quota{4'000'000'001, 1s, 1},                       // above 4 per ns
      quota{5, 1ns, 1},                                  // 5 per ns
      quota{2'000'000'000, 1s, (std::uint64_t{1} << 61) + 1},  // W > 2^61 units of 0.5 ns
      quota{1, 24h, 16385},                              // 2^61 / 2^47 = 16384 days at most
      quota{1, 100 * 8766h, 1},                          // one per century: W > 2^61 units
      quota{1, nanoseconds(std::numeric_limits<std::int64_t>::max()), 1},
      quota{std::numeric_limits<std::uint64_t>::max(), 1ns, 1},
  };
  for (const quota& q : invalid) {
    const auto made = gcra<>::make(q);
    BOOST_TEST(!made.has_value());
    if (!made) BOOST_TEST(made.error().code() == errc::rate_invalid_quota);
  }
  const quota valid[] = {quota{4'000'000'000, 1s, 1}, quota{4, 1ns, 1}, quota{1, 24h, 16384},
                         quota{1, 30 * 8766h, 1}, quota{1, 1ns, 1}};
  for (const quota& q : valid) BOOST_TEST(gcra<>::make(q).has_value());
}

BOOST_AUTO_TEST_CASE(changing_the_quota) {
  // 10 per second, burst 5; three at t = 0: debt 300 ms.
  auto limiter = make_limiter(quota{10, 1s, 5});
  for (int i = 0; i < 3; ++i) BOOST_TEST(limiter.acquire(at(0ns)).allowed());
  // A larger burst (10: W = 1 s) keeps the 300 ms debt: 7 remain.
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 10}, at(0ns)).has_value());
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=7 retry=0ns reset=300ms");
  BOOST_TEST((limiter.current_quota() == quota{10, 1s, 10}));
  // Take 5 more: debt 800 ms. A smaller burst (2: W = 200 ms) caps the debt at 200 ms, so the wait is one
  // interval (200 + 100 - 200 = 100 ms), not 700 ms.
  BOOST_TEST(limiter.acquire(at(0ns), 5).allowed());
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 2}, at(0ns)).has_value());
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=100ms reset=200ms");
  // A slower rate (5 per second, burst 5: T = 200 ms, W = 1 s) at t = 100 ms: the debt (100 ms) is kept as
  // time, so 4 full intervals remain (floor(900 / 200)).
  BOOST_TEST(limiter.set_quota(quota{5, 1s, 5}, at(100ms)).has_value());
  BOOST_TEST(describe(limiter.peek(at(100ms))) == "allowed remaining=4 retry=0ns reset=100ms");
  // A faster rate with a different internal unit (2e9 per second, burst 10: W = 5 ns) at the same time:
  // 100 ms of debt is capped at 5 ns.
  BOOST_TEST(limiter.set_quota(quota{2'000'000'000, 1s, 10}, at(100ms)).has_value());
  BOOST_TEST(describe(limiter.peek(at(100ms))) == "allowed remaining=0 retry=0ns reset=5ns");
  BOOST_TEST(describe(limiter.peek(at(100ms + 2ns))) == "allowed remaining=4 retry=0ns reset=3ns");
  // An invalid quota is refused and changes nothing.
  const auto refused = limiter.set_quota(quota{0, 1s, 1}, at(100ms));
  BOOST_TEST(!refused.has_value());
  if (!refused) BOOST_TEST(refused.error().code() == errc::rate_invalid_quota);
  BOOST_TEST(describe(limiter.peek(at(100ms + 2ns))) == "allowed remaining=4 retry=0ns reset=3ns");
  // A fresh limiter stays fresh.
  auto fresh = make_limiter(quota{10, 1s, 5});
  BOOST_TEST(fresh.set_quota(quota{1, 1s, 1}, at(5s)).has_value());
  BOOST_TEST(fresh.is_fresh(at(5s)));
}

BOOST_AUTO_TEST_CASE(reservations) {
  // 10 per second, burst 2: T = 100 ms, W = 200 ms; reservations may queue up to 2W = 400 ms of debt.
  auto limiter = make_limiter(quota{10, 1s, 2});
  reservation first = limiter.reserve(at(0ns));  // debt 100 ms: no wait
  BOOST_TEST(first.allowed());
  BOOST_TEST(first.delay.count() == 0);
  reservation second = limiter.reserve(at(0ns));  // debt 200 ms: no wait
  BOOST_TEST(second.delay.count() == 0);
  reservation third = limiter.reserve(at(0ns));  // debt 300 ms: wait 300 - 200 = 100 ms
  BOOST_TEST(third.allowed());
  BOOST_TEST(format(third.delay) == "100ms");
  reservation fourth = limiter.reserve(at(0ns));  // debt 400 ms: wait 200 ms
  BOOST_TEST(format(fourth.delay) == "200ms");
  // Debt 500 ms would exceed 400 ms: denied, wait 100 ms; acquire: 400 + 100 - 200 = 300 ms.
  const reservation fifth = limiter.reserve(at(0ns));
  BOOST_TEST(fifth.outcome == verdict::denied);
  BOOST_TEST(format(fifth.wait) == "100ms");
  BOOST_TEST(describe(limiter.acquire(at(0ns))) == "denied remaining=0 retry=300ms reset=400ms");

  // Cancelling the latest gives its 100 ms back; a second cancel of it does nothing.
  BOOST_TEST(limiter.cancel(fourth));
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=0 retry=0ns reset=300ms");
  BOOST_TEST(!limiter.cancel(fourth));
  // The second is not the latest (the third was allowed after it): nothing is given back.
  BOOST_TEST(!limiter.cancel(second));
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=0 retry=0ns reset=300ms");
  // The third is now the latest: back to 200 ms. The first is not the latest claim: refused.
  BOOST_TEST(limiter.cancel(third));
  BOOST_TEST(!limiter.cancel(first));
  BOOST_TEST(describe(limiter.peek(at(0ns))) == "allowed remaining=0 retry=0ns reset=200ms");
  // After an acquire, an earlier reservation can no longer be cancelled.
  reservation later = limiter.reserve(at(200ms));  // debt 0 + 100 ms at t = 200 ms
  BOOST_TEST(later.delay.count() == 0);
  BOOST_TEST(limiter.acquire(at(200ms)).allowed());
  BOOST_TEST(!limiter.cancel(later));
  // A reservation on an idle limiter, cancelled, leaves it fresh.
  auto idle = make_limiter(quota{10, 1s, 2});
  reservation only = idle.reserve(at(0ns), 2);
  BOOST_TEST(only.allowed());
  BOOST_TEST(!idle.is_fresh(at(0ns)));
  BOOST_TEST(idle.cancel(only));
  BOOST_TEST(idle.is_fresh(at(0ns)));
  // A quota change voids outstanding reservations.
  reservation before_change = idle.reserve(at(0ns));
  BOOST_TEST(idle.set_quota(quota{10, 1s, 3}, at(0ns)).has_value());
  BOOST_TEST(!idle.cancel(before_change));
  // Cost 0: allowed, holds nothing.
  reservation nothing = idle.reserve(at(0ns), 0);
  BOOST_TEST(nothing.allowed());
  BOOST_TEST(!idle.cancel(nothing));
}

BOOST_AUTO_TEST_CASE(clock_overloads) {
  manual_clock::ticks = 0;
  auto made = gcra<manual_clock>::make(quota{10, 1s, 2});
  BOOST_REQUIRE(made.has_value());
  auto& limiter = *made;
  BOOST_TEST(limiter.acquire().allowed());
  BOOST_TEST(limiter.acquire().allowed());
  BOOST_TEST(describe(limiter.acquire()) == "denied remaining=0 retry=100ms reset=200ms");
  BOOST_TEST(!limiter.is_fresh());
  manual_clock::ticks = 150'000'000;
  BOOST_TEST(describe(limiter.peek()) == "allowed remaining=1 retry=0ns reset=50ms");
  BOOST_TEST(describe(limiter.acquire(manual_clock::time_point(150ms))) ==
             "allowed remaining=0 retry=0ns reset=150ms");
  BOOST_TEST(limiter.reserve().allowed());
  manual_clock::ticks = 1'000'000'000;
  BOOST_TEST(limiter.is_fresh());
  BOOST_TEST(limiter.set_quota(quota{1, 1s, 1}).has_value());

  // A clock with state, read through its member now(), in microseconds.
  std::int64_t micros = 0;
  pointer_clock clock;
  clock.micros = &micros;
  auto counted = gcra<pointer_clock>::make(quota{1, 1ms, 1}, clock);
  BOOST_REQUIRE(counted.has_value());
  BOOST_TEST(counted->acquire().allowed());
  BOOST_TEST(describe(counted->acquire()) == "denied remaining=0 retry=1ms reset=1ms");
  micros = 1000;
  BOOST_TEST(counted->acquire().allowed());
  BOOST_TEST(counted->acquire(pointer_clock::time_point(std::chrono::microseconds(2000))).allowed());
}

BOOST_AUTO_TEST_CASE(small_object) {
  // The state plus the quota-derived constants, in one cache line.
  BOOST_TEST(sizeof(gcra<>) <= 64u);
  BOOST_TEST(sizeof(gcra<manual_clock>) <= 64u);
}

BOOST_AUTO_TEST_CASE(threads_never_exceed_the_quota) {
  // 1000 per second, burst 10: T = 1 ms, W = 10 ms. Four threads step through t = 0, 5, ..., 995 ms, each
  // trying 20 times per step (more than the 10 a step can offer), at their own pace (so some use times
  // older than the state). The first thread at a step empties the bucket: debt > W - T = 9 ms, which 5 ms
  // later is still positive, so the TAT never falls behind the clock and only grows by T per allowed
  // request from TAT = 0: after N requests it is N ms. The last step leaves it in (995 + 9, 995 + 10] ms,
  // so N = 1005 = burst + 995 ms / T: the quota exactly, and never more.
  auto limiter = make_limiter(quota{1000, 1s, 10});
  std::atomic<std::uint64_t> allowed{0};
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&limiter, &allowed] {
      std::uint64_t mine = 0;
      for (std::int64_t step = 0; step < 200; ++step)
        for (int attempt = 0; attempt < 20; ++attempt)
          if (limiter.acquire(at(nanoseconds(step * 5'000'000))).allowed()) ++mine;
      allowed += mine;
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(allowed.load() == 1005u);

  // Reservations and cancels from two threads, acquires from two others, at one fixed time: whatever the
  // interleaving, what is held at the end (acquired + reserved - cancelled) equals the debt, at most 2W.
  auto shared = make_limiter(quota{1000, 1s, 10});
  std::atomic<std::uint64_t> held{0};
  threads.clear();
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&shared, &held, thread] {
      for (int i = 0; i < 2000; ++i) {
        if (thread < 2) {
          if (shared.acquire(at(0ns)).allowed()) ++held;
        } else {
          reservation claim = shared.reserve(at(0ns));
          if (!claim.allowed()) continue;
          ++held;
          if (i % 2 == 0 && shared.cancel(claim)) --held;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(held.load() <= 20u);
  BOOST_TEST(shared.peek(at(0ns)).reset_after.count() == static_cast<std::int64_t>(held.load()) * 1'000'000);
}

#if defined(__SIZEOF_INT128__)
namespace {
__extension__ typedef __int128 int128;

// GCRA in exact rational arithmetic, written independently of the library: every time is kept multiplied
// by quota.count, so T = period / count becomes the integer `period` and nothing ever rounds. Debt is
// capped at 2W as gcra documents for times older than the state. Durations are rounded up to whole ns.
struct exact_gcra {
  int128 count, period, burst;
  bool used = false;
  int128 tat = 0;  // in ns * count

  decision decide(std::int64_t now_ns, std::uint64_t cost, bool take) {
    const int128 now = now_ns * count, window = burst * period;
    int128 debt = used && tat > now ? tat - now : 0;
    if (debt > 2 * window) debt = 2 * window;
    const auto ceil_ns = [this](int128 scaled) { return nanoseconds(static_cast<std::int64_t>((scaled + count - 1) / count)); };
    decision d;
    d.limit = static_cast<std::uint64_t>(burst);
    if (cost > static_cast<std::uint64_t>(burst)) {
      d.outcome = verdict::never;
    } else if (cost > 0 && debt + cost * period > window) {
      d.outcome = verdict::denied;
      d.wait = ceil_ns(debt + cost * period - window);
    } else {
      d.outcome = verdict::allowed;
      debt += cost * period;
      if (take && cost > 0) {
        tat = now + debt;
        used = true;
      }
    }
    d.remaining = debt >= window ? 0 : static_cast<std::uint64_t>((window - debt) / period);
    d.reset_after = ceil_ns(debt);
    return d;
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(agrees_with_exact_arithmetic) {
  // Random quotas (sub-nanosecond to one per day, odd counts, bursts 1 to 1000), random costs, and times
  // going forwards and backwards. Times are multiples of the quota's internal unit (the unit is
  // period / (count * 2^k) ns, so a multiple of period / gcd(period, count * 2^k) ns is a whole number of
  // units), where every field must agree exactly; between units the library may round a time down by less
  // than a unit (under a nanosecond), which the rule for reported waits covers.
  std::mt19937_64 random(2024);
  const std::int64_t periods[] = {1, 3, 1'000, 1'000'000, 1'000'000'000, 60'000'000'000, 86'400'000'000'000};
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    const std::int64_t period = periods[random() % 7];
    std::uint64_t count = 1 + random() % (random() % 2 == 0 ? 10 : 1'000'000);
    if (count > 4 * static_cast<std::uint64_t>(period)) count = 4 * static_cast<std::uint64_t>(period);
    const std::uint64_t burst = 1 + random() % (random() % 2 == 0 ? 5 : 1000);
    const quota q = quota{count, nanoseconds(period), burst};
    auto made = gcra<>::make(q);
    if (!made) continue;  // a window beyond range (asserted elsewhere)
    auto& limiter = *made;
    exact_gcra reference{count, period, burst};
    std::uint64_t scaled = count;  // count * 2^k, the units in one period, as gcra chooses k
    while (scaled < static_cast<std::uint64_t>(period)) scaled <<= 1;
    std::uint64_t a = static_cast<std::uint64_t>(period), b = scaled;
    while (b != 0) a = std::exchange(b, a % b);
    const std::int64_t step = period / static_cast<std::int64_t>(a);  // ns per whole number of units
    const std::int64_t interval_steps = std::max<std::int64_t>(1, period / static_cast<std::int64_t>(count) / step);
    std::int64_t t = step * static_cast<std::int64_t>(random() % 1000);
    for (int i = 0; i < 300; ++i) {
      const auto move = static_cast<std::int64_t>(random() % (3 * static_cast<std::uint64_t>(interval_steps) + 1));
      t += step * (random() % 4 == 0 ? -move : move);
      if (t < 0) t = 0;
      const std::uint64_t cost = random() % 8 == 0 ? 0 : 1 + random() % (random() % 4 == 0 ? burst + 1 : 3);
      const bool just_peek = random() % 5 == 0;
      const decision expected = reference.decide(t, just_peek ? 0 : cost, !just_peek);
      const decision actual = just_peek ? limiter.peek(at(nanoseconds(t))) : limiter.acquire(at(nanoseconds(t)), cost);
      BOOST_TEST_CONTEXT("quota " << count << " per " << period << " ns, burst " << burst << ", t = " << t
                                  << " ns, cost " << cost << (just_peek ? " (peek)" : "")) {
        BOOST_TEST_REQUIRE(describe(actual) == describe(expected));
        BOOST_TEST_REQUIRE(actual.limit == expected.limit);
      }
      ++checked;
    }
  }
  BOOST_TEST(checked > 100'000);
}
#endif

BOOST_AUTO_TEST_CASE(wide_arithmetic_helpers) {
  namespace kd = keyward::detail::arith;
  // (2^64 - 1)^2 = 2^128 - 2^65 + 1: high 2^64 - 2, low 1.
  const auto square = kd::multiply_wide_portable(~std::uint64_t{0}, ~std::uint64_t{0});
  BOOST_TEST(square.high == ~std::uint64_t{0} - 1);
  BOOST_TEST(square.low == 1u);
  std::mt19937_64 random(11);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t a = random() >> (random() % 64), b = random() >> (random() % 64);
    const auto portable = kd::multiply_wide_portable(a, b);
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 uint128;
    const uint128 product = static_cast<uint128>(a) * b;
    BOOST_REQUIRE(portable.high == static_cast<std::uint64_t>(product >> 64));
    BOOST_REQUIRE(portable.low == static_cast<std::uint64_t>(product));
    const std::uint64_t divisor = (random() >> (random() % 64)) | 1u;
    const std::uint64_t high = random() % divisor;
    const uint128 dividend = (static_cast<uint128>(high) << 64) | a;
    const auto divided = kd::divide_wide({high, a}, divisor);
    BOOST_REQUIRE(divided.quotient == static_cast<std::uint64_t>(dividend / divisor));
    BOOST_REQUIRE(divided.remainder == static_cast<std::uint64_t>(dividend % divisor));
#endif
    BOOST_REQUIRE(kd::multiply_wide(a, b).high == portable.high);
  }
}
