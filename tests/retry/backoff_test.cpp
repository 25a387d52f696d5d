// Tests for include/keyward/retry/backoff.hpp: each jitter kind's delays under a scripted random source,
// derived by hand from the rule in the header (a draw in [lo, hi] from 64 bits r is
// lo + floor(r * (hi - lo + 1) / 2^64), so r = 0 gives lo, r = 2^64 - 1 gives hi and r = 2^63 gives
// lo + floor((hi - lo + 1) / 2)); no overflow at huge retry numbers or extreme caps; parameter checks;
// narrower generators; and the shared retry budget, its exhaustion, refill and thread safety.
#define BOOST_TEST_MODULE retry_backoff
#include <boost/test/unit_test.hpp>

#include <keyward/retry/backoff.hpp>

#include "support/test_support.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <random>
#include <thread>
#include <vector>

namespace retry = keyward::retry;
using keyward::errc;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace {

constexpr std::uint64_t r_zero = 0;
constexpr std::uint64_t r_half = std::uint64_t{1} << 63;
constexpr std::uint64_t r_quarter = std::uint64_t{1} << 62;
constexpr std::uint64_t r_max = ~std::uint64_t{0};
constexpr auto ns_max = (nanoseconds::max)();

// A UniformRandomBitGenerator that hands out the values it was given, in order; running out aborts.
template <class Word, Word Max>
struct scripted_generator {
  using result_type = Word;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return Max; }
  std::vector<Word> values;
  std::size_t used = 0;
  result_type operator()() noexcept {
    if (used == values.size()) std::abort();
    return values[used++];
  }
};
using scripted = scripted_generator<std::uint64_t, ~std::uint64_t{0}>;
using scripted32 = scripted_generator<std::uint32_t, 0xFFFFFFFFu>;
using scripted24 = scripted_generator<std::uint32_t, 0xFFFFFFu>;  // like std::ranlux24

retry::backoff make(keyward::result<retry::backoff> r) {
  BOOST_TEST_REQUIRE(r.has_value());
  return *r;
}

std::vector<std::int64_t> sequence(const retry::backoff& schedule, scripted& random, int count) {
  retry::backoff_sequence<scripted> delays(schedule, random);
  std::vector<std::int64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(delays.next().count());
  return out;
}

using v = std::vector<std::int64_t>;

}  // namespace

// min(cap, base * 2^n) with base 100 ms, cap 10 s: 100, 200, 400, ..., 6400 ms, then 12800 > 10000: the cap.
// No randomness is drawn (an empty script would abort).
BOOST_AUTO_TEST_CASE(exponential_with_cap) {
  const auto schedule = make(retry::backoff::exponential(milliseconds(100), seconds(10)));
  scripted none;
  const v expected = {100'000'000, 200'000'000, 400'000'000, 800'000'000, 1'600'000'000, 3'200'000'000,
                      6'400'000'000, 10'000'000'000, 10'000'000'000};
  BOOST_TEST(sequence(schedule, none, 9) == expected, boost::test_tools::per_element());
  BOOST_TEST(none.used == 0u);
  // Multiplier 1.5 from 1 s: 1, 1.5, 2.25, 3.375 s, exact in binary floating point.
  const auto slower = make(retry::backoff::exponential(seconds(1), seconds(3), 1.5));
  BOOST_TEST(sequence(slower, none, 4) == (v{1'000'000'000, 1'500'000'000, 2'250'000'000, 3'000'000'000}),
             boost::test_tools::per_element());
  // Multiplier 1: constant.
  const auto constant = make(retry::backoff::exponential(milliseconds(250), seconds(1), 1.0));
  BOOST_TEST(constant.ceiling(0).count() == 250'000'000);
  BOOST_TEST(constant.ceiling(1'000'000'000).count() == 250'000'000);
}

// Full jitter, base 100 ms, cap 10 s: uniform in [0, t(n)].
// retry 0: t = 10^8, r = 0 -> 0. retry 1: t = 2 * 10^8, r = max -> 2 * 10^8.
// retry 2: t = 4 * 10^8, r = 2^63 -> floor(400000001 / 2) = 200000000.
// retry 3: t = 8 * 10^8, r = 2^62 -> floor(800000001 / 4) = 200000000.
BOOST_AUTO_TEST_CASE(full_jitter) {
  const auto schedule = make(retry::backoff::full_jitter(milliseconds(100), seconds(10)));
  scripted random{{r_zero, r_max, r_half, r_quarter}};
  BOOST_TEST(sequence(schedule, random, 4) == (v{0, 200'000'000, 200'000'000, 200'000'000}),
             boost::test_tools::per_element());
  BOOST_TEST(random.used == 4u);
}

// Equal jitter, base 100 ms, cap 10 s: uniform in [t/2, t].
// retry 0: [5 * 10^7, 10^8], r = 0 -> 50000000. retry 1: [10^8, 2 * 10^8], r = max -> 200000000.
// retry 2: [2 * 10^8, 4 * 10^8], span 200000001, r = 2^63 -> 2 * 10^8 + 100000000 = 300000000.
// Odd ceiling: base 101 ns: [50, 101], span 52, r = 2^63 -> 50 + 26 = 76.
BOOST_AUTO_TEST_CASE(equal_jitter) {
  const auto schedule = make(retry::backoff::equal_jitter(milliseconds(100), seconds(10)));
  scripted random{{r_zero, r_max, r_half}};
  BOOST_TEST(sequence(schedule, random, 3) == (v{50'000'000, 200'000'000, 300'000'000}),
             boost::test_tools::per_element());
  const auto odd = make(retry::backoff::equal_jitter(nanoseconds(101), nanoseconds(1000)));
  scripted one{{r_half}};
  BOOST_TEST(sequence(odd, one, 1) == v{76}, boost::test_tools::per_element());
}

// Decorrelated jitter, base 100 ms, cap 1 s: sleep = min(cap, uniform in [base, 3 * sleep]), sleep = base
// at first. [1e8, 3e8] r = 2^63 -> 1e8 + floor(200000001 / 2) = 2e8; [1e8, 6e8] r = max -> 6e8;
// [1e8, 1.8e9] r = max -> 1.8e9, capped to 1e9; [1e8, 3e9] r = 0 -> 1e8;
// [1e8, 3e8] r = 2^62 -> 1e8 + floor(200000001 / 4) = 1.5e8.
BOOST_AUTO_TEST_CASE(decorrelated_jitter) {
  const auto schedule = make(retry::backoff::decorrelated_jitter(milliseconds(100), seconds(1)));
  BOOST_TEST(schedule.multiplier() == 3.0);
  scripted random{{r_half, r_max, r_max, r_zero, r_quarter}};
  BOOST_TEST(sequence(schedule, random, 5) == (v{200'000'000, 600'000'000, 1'000'000'000, 100'000'000, 150'000'000}),
             boost::test_tools::per_element());
}

// The gRPC connection backoff with its defaults (1 s, x1.6, +-20 %, 120 s): the first wait is exactly 1 s,
// with no draw. retry 1: 1.6 s +- 0.32 s = [1.28e9, 1.92e9], r = 0 -> 1.28e9.
// retry 2: 2.56 s +- 0.512 s = [2.048e9, 3.072e9], r = max -> 3.072e9.
// retry 3: 4.096 s +- 0.8192 s = [3.2768e9, 4.9152e9], span 1638400001, r = 2^63 -> 3.2768e9 + 819200000.
// 1.6^10 = 109.95 < 120 <= 1.6^11 = 175.9, so from retry 11 on the ceiling is 120 s and a delay lies in
// [96 s, 144 s]: above the cap, as in gRPC.
BOOST_AUTO_TEST_CASE(grpc_connection_backoff) {
  const auto schedule = make(retry::backoff::grpc());
  BOOST_TEST(schedule.base().count() == 1'000'000'000);
  BOOST_TEST(schedule.cap().count() == 120'000'000'000);
  scripted random{{r_zero, r_max, r_half}};
  BOOST_TEST(sequence(schedule, random, 4) == (v{1'000'000'000, 1'280'000'000, 3'072'000'000, 4'096'000'000}),
             boost::test_tools::per_element());
  BOOST_TEST(random.used == 3u);  // nothing drawn for the first retry
  BOOST_TEST(schedule.ceiling(10).count() < 120'000'000'000);
  BOOST_TEST(schedule.ceiling(11).count() == 120'000'000'000);
  scripted extremes{{r_max, r_zero, r_max}};
  BOOST_TEST(schedule.delay(11, {}, extremes).count() == 144'000'000'000);
  BOOST_TEST(schedule.delay(1'000'000'000, {}, extremes).count() == 96'000'000'000);
  BOOST_TEST(schedule.delay(~std::uint64_t{0}, {}, extremes).count() == 144'000'000'000);
}

// Attempt 10^9, 2^64 - 1 and everything between give the cap (or a draw below it), never overflow: the
// exponent overflows a double to infinity, which compares above the cap.
BOOST_AUTO_TEST_CASE(no_overflow_at_huge_retry_numbers) {
  for (const std::uint64_t retry : {std::uint64_t{63}, std::uint64_t{64}, std::uint64_t{1024},
                                    std::uint64_t{1'000'000'000}, ~std::uint64_t{0}}) {
    BOOST_TEST_CONTEXT("retry " << retry) {
      const auto exponential = make(retry::backoff::exponential(milliseconds(100), seconds(30)));
      BOOST_TEST(exponential.ceiling(retry).count() == 30'000'000'000);
      scripted random{{r_max, r_zero, r_max}};
      const auto full = make(retry::backoff::full_jitter(milliseconds(100), seconds(30)));
      BOOST_TEST(full.delay(retry, {}, random).count() == 30'000'000'000);
      const auto equal = make(retry::backoff::equal_jitter(milliseconds(100), seconds(30)));
      BOOST_TEST(equal.delay(retry, {}, random).count() == 15'000'000'000);
      BOOST_TEST(equal.delay(retry, {}, random).count() == 30'000'000'000);
    }
  }
  // The largest cap nanoseconds can hold: 2^62 is still below it, 2^63 is not.
  const auto widest = make(retry::backoff::exponential(nanoseconds(1), ns_max));
  BOOST_TEST(widest.ceiling(62).count() == std::int64_t{1} << 62);
  BOOST_TEST(widest.ceiling(63).count() == ns_max.count());
  BOOST_TEST(widest.ceiling(1'000'000'000).count() == ns_max.count());
  scripted random{{r_max, r_max, r_max, r_max}};
  BOOST_TEST(make(retry::backoff::full_jitter(nanoseconds(1), ns_max)).delay(500, {}, random).count() == ns_max.count());
  // Proportional jitter of 100 % around the largest ceiling saturates instead of wrapping.
  BOOST_TEST(make(retry::backoff::grpc(nanoseconds(1), 2.0, 1.0, ns_max)).delay(500, {}, random).count() == ns_max.count());
  // Decorrelated: 3 * previous saturates.
  const auto decorrelated = make(retry::backoff::decorrelated_jitter(nanoseconds(1), ns_max));
  BOOST_TEST(decorrelated.delay(0, ns_max, random).count() == ns_max.count());
  // A sequence that runs long keeps giving the cap.
  const auto schedule = make(retry::backoff::exponential(milliseconds(1), seconds(2)));
  scripted none;
  retry::backoff_sequence<scripted> delays(schedule, none);
  for (int i = 0; i < 5000; ++i) delays.next();
  BOOST_TEST(delays.next().count() == 2'000'000'000);
  BOOST_TEST(delays.retries() == 5001u);
}

BOOST_AUTO_TEST_CASE(sequence_reset) {
  const auto schedule = make(retry::backoff::decorrelated_jitter(milliseconds(100), seconds(10)));
  scripted random{{r_max, r_max, r_max}};
  retry::backoff_sequence<scripted> delays(schedule, random);
  BOOST_TEST(delays.next().count() == 300'000'000);  // [1e8, 3e8], r = max
  BOOST_TEST(delays.next().count() == 900'000'000);  // [1e8, 9e8]
  delays.reset();
  BOOST_TEST(delays.retries() == 0u);
  BOOST_TEST(delays.next().count() == 300'000'000);  // from base again
}

// Generators narrower than 64 bits: outputs are put side by side, most significant first.
// 32-bit: 0x80000000 then 0 make r = 2^63. 24-bit: three outputs give 72 bits of which the low 64 are
// kept, so 0x008000, 0, 0 make r = 0x8000 << 48 = 2^63.
BOOST_AUTO_TEST_CASE(narrow_generators) {
  const auto schedule = make(retry::backoff::full_jitter(milliseconds(100), seconds(10)));
  scripted32 words{{0x80000000u, 0u}};
  BOOST_TEST(schedule.delay(2, {}, words).count() == 200'000'000);
  BOOST_TEST(words.used == 2u);
  scripted24 small{{0x008000u, 0u, 0u}};
  BOOST_TEST(schedule.delay(2, {}, small).count() == 200'000'000);
  BOOST_TEST(small.used == 3u);
  // Standard engines work too, and stay in range.
  std::mt19937 mt(7);
  std::ranlux24 lux(7);
  for (int i = 0; i < 1000; ++i) {
    const auto a = schedule.delay(3, {}, mt).count();
    const auto b = schedule.delay(3, {}, lux).count();
    BOOST_TEST_REQUIRE((a >= 0 && a <= 800'000'000 && b >= 0 && b <= 800'000'000));
  }
  // The default: the OS generator.
  keyward::random::os_generator os;
  retry::backoff_sequence<> delays(schedule, os);
  BOOST_TEST(delays.next().count() <= 100'000'000);
}

BOOST_AUTO_TEST_CASE(invalid_parameters) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  using bp = retry::backoff;
  const keyward::result<bp> bad[] = {
      bp::exponential(nanoseconds(0), seconds(1)),
      bp::exponential(nanoseconds(-1), seconds(1)),
      bp::exponential(seconds(2), seconds(1)),
      bp::exponential(seconds(1), seconds(2), 0.5),
      bp::exponential(seconds(1), seconds(2), nan),
      bp::exponential(seconds(1), seconds(2), inf),
      bp::full_jitter(seconds(0), seconds(2)),
      bp::equal_jitter(seconds(1), seconds(2), 0.99),
      bp::decorrelated_jitter(seconds(3), seconds(2)),
      bp::grpc(seconds(1), 1.6, -0.1),
      bp::grpc(seconds(1), 1.6, 1.1),
      bp::grpc(seconds(1), 1.6, nan),
      bp::grpc(seconds(1), nan, 0.2),
      bp::grpc(seconds(200), 1.6, 0.2, seconds(120)),
  };
  for (const auto& r : bad) {
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == errc::retry_invalid_backoff);
  }
  BOOST_TEST(bp::exponential(seconds(1), seconds(1), 1.0).has_value());  // the edges are valid
  BOOST_TEST(bp::grpc(seconds(1), 1.0, 0.0, seconds(1)).has_value());
  BOOST_TEST(bp::grpc(seconds(1), 1.0, 1.0, seconds(1)).has_value());
  // The default schedule: full jitter from 100 ms, doubling, capped at 20 s.
  const bp fallback;
  BOOST_TEST((fallback.kind() == retry::jitter::full));
  BOOST_TEST(fallback.ceiling(0).count() == 100'000'000);
  BOOST_TEST(fallback.ceiling(7).count() == 12'800'000'000);
  BOOST_TEST(fallback.ceiling(8).count() == 20'000'000'000);
}

// The AWS-like defaults: 500 tokens, 5 per retry: 100 retries, then none until successes refill it.
BOOST_AUTO_TEST_CASE(retry_budget_exhaustion_and_refill) {
  retry::retry_budget budget;
  BOOST_TEST(budget.capacity() == 500u);
  BOOST_TEST(budget.retry_cost() == 5u);
  BOOST_TEST(budget.success_refund() == 1u);
  int granted = 0;
  while (budget.try_spend()) ++granted;
  BOOST_TEST(granted == 100);
  BOOST_TEST(budget.available() == 0u);
  for (int i = 0; i < 4; ++i) budget.record_success();
  BOOST_TEST(!budget.try_spend());  // 4 < 5: refused, and nothing taken
  BOOST_TEST(budget.available() == 4u);
  budget.record_success();
  BOOST_TEST(budget.try_spend());
  BOOST_TEST(budget.available() == 0u);
  for (int i = 0; i < 1000; ++i) budget.record_success();
  BOOST_TEST(budget.available() == 500u);  // never beyond capacity
}

BOOST_AUTO_TEST_CASE(retry_budget_edges) {
  retry::retry_budget too_small(4, 5, 1);
  BOOST_TEST(!too_small.try_spend());
  retry::retry_budget free_retries(0, 0, 0);
  BOOST_TEST(free_retries.try_spend());
  const std::uint32_t most = std::numeric_limits<std::uint32_t>::max();
  retry::retry_budget huge(most, 1, most);  // the refund would wrap a 32-bit sum
  BOOST_TEST(huge.try_spend());
  huge.record_success();
  BOOST_TEST(huge.available() == most);
}

// Four threads race for 1000 one-token retries: exactly 1000 are granted.
BOOST_AUTO_TEST_CASE(retry_budget_is_thread_safe) {
  retry::retry_budget budget(1000, 1, 1);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (budget.try_spend()) granted.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(granted.load() == 1000);
  BOOST_TEST(budget.available() == 0u);
  // Spending and refunding at once keeps the count within [0, capacity], and balanced work restores it.
  retry::retry_budget shared(100, 1, 1);
  threads.clear();
  std::atomic<int> spent{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        if (shared.try_spend()) {
          spent.fetch_add(1, std::memory_order_relaxed);
          shared.record_success();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(spent.load() > 0);
  BOOST_TEST(shared.available() == 100u);
}
