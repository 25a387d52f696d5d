// Tests for include/keyward/retry/run.hpp: the loop's decision for scripted outcome sequences, checked
// through the exact sleeps it requests from a fake sleep that moves a manual clock. Unless a test says
// otherwise the backoff is exponential without jitter from 1 s, doubling, capped at 30 s (so the waits are
// 1, 2, 4, 8, 16, 30 s), with 5 attempts, a 60 s time budget and a 60 s limit on server delays.
#define BOOST_TEST_MODULE retry_run
#include <boost/test/unit_test.hpp>

#include <keyward/retry/run.hpp>

#include "support/test_support.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <ostream>
#include <ratio>
#include <string>
#include <vector>

namespace retry = keyward::retry;
using retry::stop_reason;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace keyward::retry {
// How Boost.Test prints a stop_reason in a failed assertion.
inline std::ostream& boost_test_print_type(std::ostream& out, stop_reason reason) { return out << to_string(reason); }
}  // namespace keyward::retry

namespace {

// Time moves only when the fake sleep, or an attempt, moves it.
struct manual_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = nanoseconds;
  using time_point = std::chrono::time_point<manual_clock>;
  static inline time_point current{};
  static time_point now() noexcept { return current; }
};

// A UniformRandomBitGenerator that hands out the values it was given, in order; running out aborts.
struct scripted_random {
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~std::uint64_t{0}; }
  std::vector<std::uint64_t> values;
  std::size_t used = 0;
  result_type operator()() noexcept {
    if (used == values.size()) std::abort();
    return values[used++];
  }
};

// Plays the given outcomes in order, records what each attempt was told, and lets each attempt take
// `duration` on the manual clock. Asking for more attempts than scripted aborts.
struct scripted_server {
  std::vector<retry::outcome> replies;
  nanoseconds duration{};
  std::vector<retry::attempt> seen{};
  retry::outcome operator()(const retry::attempt& a) {
    if (seen.size() == replies.size()) std::abort();
    seen.push_back(a);
    manual_clock::current += duration;
    return replies[seen.size() - 1];
  }
};

retry::outcome status(int code) {
  retry::outcome o;
  o.status = code;
  return o;
}
retry::outcome with_retry_after(int code, seconds delay) {
  retry::outcome o = status(code);
  o.retry_after = delay;
  return o;
}
retry::outcome with_reset(int code, seconds delay) {
  retry::outcome o = status(code);
  o.ratelimit_reset = delay;
  return o;
}

retry::retry_options standard_options() {
  retry::retry_options p;
  p.backoff = *retry::backoff::exponential(seconds(1), seconds(30));
  p.max_attempts = 5;
  p.time_budget = seconds(60);
  p.max_server_delay = seconds(60);
  return p;
}

struct run_result {
  retry::report report;
  std::vector<std::int64_t> sleeps_ms;  // every sleep requested, in milliseconds
};

run_result run_script(const retry::retry_options& p, scripted_server& server, retry::retry_budget* budget = nullptr,
                      scripted_random random = {}) {
  manual_clock::current = {};
  std::vector<std::int64_t> sleeps;
  const auto sleep = [&](nanoseconds d) {
    sleeps.push_back(std::chrono::duration_cast<milliseconds>(d).count());
    manual_clock::current += d;
  };
  retry::report report = retry::run(p, server, budget, sleep, random, manual_clock{});
  return {report, sleeps};
}

using ms = std::vector<std::int64_t>;

}  // namespace

// 500, 503, then 200: waits of 1 s and 2 s. Each attempt is told its number, the time since the first and
// what is left of the 60 s budget; the history holds the outcomes and the waits.
BOOST_AUTO_TEST_CASE(success_after_two_failures) {
  scripted_server server{{status(500), status(503), status(200)}};
  retry::retry_budget budget(10, 5, 1);
  const auto [report, sleeps] = run_script(standard_options(), server, &budget);
  BOOST_TEST(report.reason == stop_reason::succeeded);
  BOOST_TEST(report.succeeded());
  BOOST_TEST(report.attempts == 3u);
  BOOST_TEST(report.last.status == 200);
  BOOST_TEST(sleeps == (ms{1000, 2000}), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(server.seen.size() == 3u);
  const std::int64_t elapsed[] = {0, 1, 3}, remaining[] = {60, 59, 57};
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(server.seen[i].number == i + 1);
    BOOST_TEST(server.seen[i].elapsed.count() == elapsed[i] * 1'000'000'000);
    BOOST_TEST(server.seen[i].remaining.count() == remaining[i] * 1'000'000'000);
  }
  BOOST_TEST(report.history_size() == 3u);
  BOOST_TEST(report.history[0].reply.status == 500);
  BOOST_TEST(report.history[0].wait.count() == 1'000'000'000);
  BOOST_TEST(report.history[1].reply.status == 503);
  BOOST_TEST(report.history[1].wait.count() == 2'000'000'000);
  BOOST_TEST(report.history[2].reply.status == 200);
  BOOST_TEST(report.history[2].wait.count() == 0);
  // Two retries took 5 tokens each (10 -> 0); the success put 1 back.
  BOOST_TEST(budget.available() == 1u);
}

// 429 asking for 120 s, beyond the 60 s limit on server delays: stop at once, without sleeping.
BOOST_AUTO_TEST_CASE(retry_after_beyond_the_limit_gives_up) {
  scripted_server server{{with_retry_after(429, seconds(120))}};
  const auto [report, sleeps] = run_script(standard_options(), server);
  BOOST_TEST(report.reason == stop_reason::server_delay_too_long);
  BOOST_TEST(report.attempts == 1u);
  BOOST_TEST(sleeps.empty());
  BOOST_TEST(report.last.retry_after->count() == 120);
}

// A server delay within max_server_delay but beyond what is left of the time budget also ends the loop:
// 429 asking for 30 s is waited for (max(1 s backoff, 30 s)); the next asks for 40 s with 60 - 30 = 30 s
// left: stop, having slept 30 s only.
BOOST_AUTO_TEST_CASE(retry_after_beyond_the_time_left_gives_up) {
  retry::retry_options p = standard_options();
  p.max_server_delay = seconds(300);
  scripted_server server{{with_retry_after(429, seconds(30)), with_retry_after(429, seconds(40))}};
  const auto [report, sleeps] = run_script(p, server);
  BOOST_TEST(report.reason == stop_reason::server_delay_too_long);
  BOOST_TEST(report.attempts == 2u);
  BOOST_TEST(sleeps == ms{30000}, boost::test_tools::per_element());
  // Asking for exactly the time left is allowed: 30 s, then 30 s with 30 s left, then success.
  scripted_server exact{{with_retry_after(429, seconds(30)), with_retry_after(429, seconds(30)), status(204)}};
  const auto fits = run_script(p, exact);
  BOOST_TEST(fits.report.reason == stop_reason::succeeded);
  BOOST_TEST(fits.sleeps_ms == (ms{30000, 30000}), boost::test_tools::per_element());
}

// 503 with a short Retry-After: the wait is the larger of backoff and server delay. 5 s > 1 s backoff;
// then 1 s < 2 s backoff.
BOOST_AUTO_TEST_CASE(short_retry_after_waits_the_larger) {
  scripted_server server{{with_retry_after(503, seconds(5)), with_retry_after(503, seconds(1)), status(200)}};
  const auto [report, sleeps] = run_script(standard_options(), server);
  BOOST_TEST(report.reason == stop_reason::succeeded);
  BOOST_TEST(sleeps == (ms{5000, 2000}), boost::test_tools::per_element());
}

// Retry-After takes precedence over the RateLimit reset (draft-ietf-httpapi-ratelimit-headers); the reset
// is used when it is the only delay; neither is looked at outside 429 and 503.
BOOST_AUTO_TEST_CASE(ratelimit_reset_and_precedence) {
  retry::outcome both = with_retry_after(429, seconds(3));
  both.ratelimit_reset = seconds(10);
  retry::outcome on_500 = with_retry_after(500, seconds(30));
  on_500.ratelimit_reset = seconds(30);
  scripted_server server{{both, with_reset(429, seconds(10)), on_500, status(200)}};
  const auto [report, sleeps] = run_script(standard_options(), server);
  BOOST_TEST(report.reason == stop_reason::succeeded);
  BOOST_TEST(sleeps == (ms{3000, 10000, 4000}), boost::test_tools::per_element());  // backoffs 1, 2, 4 s
}

// 401 and 403 are never retried (new credentials are the caller's job), nor is any other 4xx but 429.
BOOST_AUTO_TEST_CASE(client_errors_stop) {
  for (const int code : {401, 403, 400, 404, 408, 409, 422}) {
    BOOST_TEST_CONTEXT("status " << code) {
      scripted_server server{{status(code)}};
      const auto [report, sleeps] = run_script(standard_options(), server);
      BOOST_TEST(report.reason == stop_reason::not_retryable);
      BOOST_TEST(report.attempts == 1u);
      BOOST_TEST(report.last.status == code);
      BOOST_TEST(sleeps.empty());
    }
  }
  // Even with a Retry-After, and even when every other failure is retried.
  scripted_server server{{with_retry_after(401, seconds(1))}};
  BOOST_TEST(run_script(standard_options(), server).report.reason == stop_reason::not_retryable);
}

// 2xx and 3xx end the loop as done; statuses outside 200-599 are not retried.
BOOST_AUTO_TEST_CASE(other_statuses) {
  for (const int code : {200, 201, 204, 299, 301, 304, 399}) {
    scripted_server server{{status(code)}};
    BOOST_TEST(run_script(standard_options(), server).report.reason == stop_reason::succeeded, code);
  }
  for (const int code : {0, 100, 101, 199, 600, -1}) {
    scripted_server server{{status(code)}};
    BOOST_TEST(run_script(standard_options(), server).report.reason == stop_reason::not_retryable, code);
  }
}

// Other 5xx are retried only when the options say so; 503 always is.
BOOST_AUTO_TEST_CASE(server_errors_follow_the_options) {
  scripted_server retried{{status(500), status(502), status(504), status(200)}};
  const auto yes = run_script(standard_options(), retried);
  BOOST_TEST(yes.report.reason == stop_reason::succeeded);
  BOOST_TEST(yes.sleeps_ms == (ms{1000, 2000, 4000}), boost::test_tools::per_element());

  retry::retry_options p = standard_options();
  p.retry_server_errors = false;
  scripted_server not_retried{{status(500)}};
  const auto no = run_script(p, not_retried);
  BOOST_TEST(no.report.reason == stop_reason::not_retryable);
  BOOST_TEST(no.report.attempts == 1u);
  BOOST_TEST(no.sleeps_ms.empty());
  scripted_server unavailable{{status(503), status(200)}};
  BOOST_TEST(run_script(p, unavailable).sleeps_ms == ms{1000}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(transport_errors_follow_the_options) {
  scripted_server flaky{{retry::outcome::no_response(), status(200)}};
  const auto yes = run_script(standard_options(), flaky);
  BOOST_TEST(yes.report.reason == stop_reason::succeeded);
  BOOST_TEST(yes.sleeps_ms == ms{1000}, boost::test_tools::per_element());
  BOOST_TEST(yes.report.history[0].reply.transport_error);

  retry::retry_options p = standard_options();
  p.retry_transport_errors = false;
  retry::outcome dropped = retry::outcome::no_response();
  dropped.status = 200;  // ignored: there was no response
  scripted_server down{{dropped}};
  const auto no = run_script(p, down);
  BOOST_TEST(no.report.reason == stop_reason::not_retryable);
  BOOST_TEST(no.sleeps_ms.empty());
}

// Three attempts allowed, all failing: two waits, none after the last.
BOOST_AUTO_TEST_CASE(attempts_exhausted) {
  retry::retry_options p = standard_options();
  p.max_attempts = 3;
  scripted_server server{{status(500), status(503), retry::outcome::no_response()}};
  const auto [report, sleeps] = run_script(p, server);
  BOOST_TEST(report.reason == stop_reason::attempts_exhausted);
  BOOST_TEST(report.attempts == 3u);
  BOOST_TEST(report.last.transport_error);
  BOOST_TEST(sleeps == (ms{1000, 2000}), boost::test_tools::per_element());
  // 0 and 1 both mean a single attempt.
  for (const std::uint32_t attempts : {0u, 1u}) {
    p.max_attempts = attempts;
    scripted_server once{{status(500)}};
    const auto single = run_script(p, once);
    BOOST_TEST(single.report.reason == stop_reason::attempts_exhausted);
    BOOST_TEST(single.report.attempts == 1u);
    BOOST_TEST(single.sleeps_ms.empty());
  }
}

// A 10 s budget with attempts of 1.5 s each: attempt 1 ends at 1.5 s, wait 1 s; attempt 2 ends at 4 s,
// wait 2 s; attempt 3 ends at 7.5 s; the next wait, 4 s, would end at 11.5 s > 10 s: stop.
BOOST_AUTO_TEST_CASE(time_budget_exhausted) {
  retry::retry_options p = standard_options();
  p.time_budget = seconds(10);
  scripted_server server{{status(500), status(500), status(500), status(500)}, milliseconds(1500)};
  const auto [report, sleeps] = run_script(p, server);
  BOOST_TEST(report.reason == stop_reason::time_budget_exhausted);
  BOOST_TEST(report.attempts == 3u);
  BOOST_TEST(sleeps == (ms{1000, 2000}), boost::test_tools::per_element());
  BOOST_TEST(server.seen[2].remaining.count() == 4'000'000'000);  // 10 - (1.5 + 1 + 1.5 + 2)
  // A zero budget allows no retry at all.
  p.time_budget = nanoseconds(0);
  scripted_server none{{status(500)}};
  BOOST_TEST(run_script(p, none).report.reason == stop_reason::time_budget_exhausted);
}

// A shared budget of 10 tokens at 5 per retry allows two retries across calls; a success refunds 1.
BOOST_AUTO_TEST_CASE(retry_budget_exhausted_across_calls) {
  retry::retry_options p = standard_options();
  p.max_attempts = 10;
  retry::retry_budget budget(10, 5, 1);
  scripted_server first{{status(500), status(500), status(500)}};
  const auto a = run_script(p, first, &budget);
  BOOST_TEST(a.report.reason == stop_reason::retry_budget_exhausted);
  BOOST_TEST(a.report.attempts == 3u);
  BOOST_TEST(a.sleeps_ms == (ms{1000, 2000}), boost::test_tools::per_element());
  BOOST_TEST(budget.available() == 0u);
  // The next call gets no retry at all.
  scripted_server second{{status(503)}};
  const auto b = run_script(p, second, &budget);
  BOOST_TEST(b.report.reason == stop_reason::retry_budget_exhausted);
  BOOST_TEST(b.report.attempts == 1u);
  BOOST_TEST(b.sleeps_ms.empty());
  // Five successes refill 5 tokens: one retry again.
  for (int i = 0; i < 5; ++i) {
    scripted_server ok{{status(200)}};
    BOOST_TEST(run_script(p, ok, &budget).report.succeeded());
  }
  BOOST_TEST(budget.available() == 5u);
  scripted_server third{{status(500), status(200)}};
  BOOST_TEST(run_script(p, third, &budget).report.succeeded());
  BOOST_TEST(budget.available() == 1u);  // 5 - 5 + 1
}

// The backoff's randomness comes from the generator given: full jitter from 1 s draws
// [0, 1e9] r = 2^63 -> floor(1000000001 / 2) = 500000000 ns, then [0, 2e9] r = max -> 2e9 ns.
BOOST_AUTO_TEST_CASE(jitter_uses_the_given_generator) {
  retry::retry_options p = standard_options();
  p.backoff = *retry::backoff::full_jitter(seconds(1), seconds(30));
  scripted_server server{{status(500), status(500), status(200)}};
  const auto [report, sleeps] = run_script(p, server, nullptr, scripted_random{{std::uint64_t{1} << 63, ~std::uint64_t{0}}});
  BOOST_TEST(report.succeeded());
  BOOST_TEST(sleeps == (ms{500, 2000}), boost::test_tools::per_element());
}

// More attempts than the history holds: the first history_capacity are kept, the count is exact.
BOOST_AUTO_TEST_CASE(history_is_bounded) {
  retry::retry_options p = standard_options();
  p.max_attempts = 40;
  p.backoff = *retry::backoff::exponential(milliseconds(1), milliseconds(1));
  p.time_budget = (nanoseconds::max)();
  scripted_server server{std::vector<retry::outcome>(39, status(500))};
  server.replies.push_back(status(502));
  const auto [report, sleeps] = run_script(p, server);
  BOOST_TEST(report.reason == stop_reason::attempts_exhausted);
  BOOST_TEST(report.attempts == 40u);
  BOOST_TEST(report.history_size() == retry::history_capacity);
  BOOST_TEST(report.history[retry::history_capacity - 1].reply.status == 500);
  BOOST_TEST(report.history[retry::history_capacity - 1].wait.count() == 1'000'000);
  BOOST_TEST(report.last.status == 502);
  BOOST_TEST(sleeps.size() == 39u);
}

// Server delays at the edges of the types: huge ones saturate (no overflow) and stop the loop, here on the
// 1 h time budget; negative ones count as none (only the backoff is waited).
BOOST_AUTO_TEST_CASE(extreme_server_delays) {
  retry::retry_options p = standard_options();
  p.max_server_delay = (nanoseconds::max)();
  p.time_budget = std::chrono::hours(1);
  scripted_server huge{{with_retry_after(429, (seconds::max)())}};
  const auto a = run_script(p, huge);
  BOOST_TEST(a.report.reason == stop_reason::server_delay_too_long);
  BOOST_TEST(a.sleeps_ms.empty());
  scripted_server negative{{with_retry_after(503, seconds(-5)), status(200)}};
  BOOST_TEST(run_script(standard_options(), negative).sleeps_ms == ms{1000}, boost::test_tools::per_element());
}

// The clock is an object: run() reads the one it is given (here a clock with state, whose time is the
// counter it points to), not a static now().
BOOST_AUTO_TEST_CASE(reads_the_clock_object_given) {
  struct counter_clock {
    using duration = milliseconds;
    using time_point = std::chrono::time_point<counter_clock, duration>;
    const std::int64_t* millis = nullptr;
    time_point now() const noexcept { return time_point(duration(*millis)); }
  };
  std::int64_t millis = 5'000;
  retry::retry_options p = standard_options();
  p.time_budget = seconds(10);
  std::vector<nanoseconds> elapsed;
  std::vector<nanoseconds> remaining;
  const retry::report report = retry::run(
      p,
      [&](const retry::attempt& a) {
        elapsed.push_back(a.elapsed);
        remaining.push_back(a.remaining);
        millis += 3'000;  // each attempt takes 3 s on this clock
        return status(503);
      },
      nullptr, [&](nanoseconds d) { millis += std::chrono::duration_cast<milliseconds>(d).count(); },
      scripted_random{}, counter_clock{&millis});
  // Attempt 1 at 0 s takes 3 s, waits 1 s; attempt 2 at 4 s takes 3 s; the 2 s wait would end at 9 s,
  // within 10 s; attempt 3 at 9 s takes 3 s, and at 12 s the budget is spent.
  BOOST_TEST(report.reason == stop_reason::time_budget_exhausted);
  BOOST_TEST_REQUIRE(elapsed.size() == 3u);
  BOOST_TEST(elapsed[0].count() == 0);
  BOOST_TEST(elapsed[1].count() == 4'000'000'000);
  BOOST_TEST(elapsed[2].count() == 9'000'000'000);
  BOOST_TEST(remaining[2].count() == 1'000'000'000);
}

// The defaults: steady_clock, std::this_thread::sleep_for and the OS generator.
BOOST_AUTO_TEST_CASE(default_clock_sleep_and_random) {
  retry::retry_options p;
  p.backoff = *retry::backoff::exponential(milliseconds(2), milliseconds(2));
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  const retry::report report = retry::run(p, [&](const retry::attempt& a) {
    ++calls;
    return status(a.number == 1 ? 503 : 200);
  });
  BOOST_TEST(report.succeeded());
  BOOST_TEST(calls == 2);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= milliseconds(2)));
  BOOST_TEST(std::string(retry::to_string(stop_reason::retry_budget_exhausted)) == "retry budget exhausted");
}

BOOST_AUTO_TEST_CASE(a_clock_counting_seconds_jumps_past_what_nanoseconds_hold) {
  // A clock counting seconds whose attempt takes 2^40 s (34,800 years): the elapsed time saturates at
  // nanoseconds::max() (before, duration_cast<nanoseconds> overflowed, undefined behaviour, and the wrapped
  // value left time in the budget), so the 60 s budget is spent and the loop stops before any sleep.
  static std::int64_t clock_seconds = 0;
  struct seconds_clock {
    using duration = seconds;
    using time_point = std::chrono::time_point<seconds_clock, duration>;
    time_point now() const noexcept { return time_point(duration(clock_seconds)); }
  };
  clock_seconds = 0;
  std::vector<nanoseconds> sleeps;
  const auto slow = [&](const retry::attempt&) {
    clock_seconds += std::int64_t{1} << 40;
    return status(503);
  };
  const retry::report report = retry::run(standard_options(), slow, nullptr,
                                          [&](nanoseconds d) { sleeps.push_back(d); }, scripted_random{{0}},
                                          seconds_clock{});
  BOOST_TEST(report.reason == stop_reason::time_budget_exhausted);
  BOOST_TEST(report.attempts == 1u);
  BOOST_TEST(sleeps.empty());
  // A clock going back by its whole range: the elapsed time is zero, never negative or overflowing.
  clock_seconds = std::numeric_limits<std::int64_t>::max();
  const auto back = [&](const retry::attempt& a) {
    BOOST_TEST(a.elapsed.count() == 0);
    clock_seconds = std::numeric_limits<std::int64_t>::min();
    return status(200);
  };
  BOOST_TEST(retry::run(standard_options(), back, nullptr, [](nanoseconds) {}, scripted_random{}, seconds_clock{})
                 .reason == stop_reason::succeeded);
}
