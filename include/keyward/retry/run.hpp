// keyward: a retry loop that owns no transport. The caller's function makes one attempt and reports its
// outcome; retry::run() decides whether to try again and how long to wait, following retry::retry_options
// (backoff.hpp), the server's Retry-After (RFC 9110 section 10.2.3) or RateLimit reset
// (draft-ietf-httpapi-ratelimit-headers), and an optional retry_budget shared with other calls. The clock,
// the sleep and the random source are parameters, so tests run it without waiting.
//
// Decisions, for each outcome (its status classified by http::classify_status(), the library's one rule):
// - 2xx, 3xx: done (succeeded); the retry budget gets its refund.
// - 401, 403: never retried: getting new credentials is the caller's job (not_retryable). So is every other
//   4xx but 429, and any status outside 200-599 (1xx included: an interim response is never final).
// - 429, 503: retried after max(backoff delay, server delay), the server delay being Retry-After when
//   present (the RateLimit draft says it takes precedence), else the RateLimit reset, else none. A server
//   delay longer than retry_options::max_server_delay, or than the time budget left, ends the loop
//   (server_delay_too_long): it never sleeps past the budget.
// - other 5xx, and attempts without a response: retried when retry_options::retry_server_errors /
//   retry_transport_errors say so, after the backoff delay.
// A retry is made only while attempts, time budget and the shared retry budget all allow it, checked in that
// order; the retry budget is asked last, so tokens are spent only on retries that happen.
/// \file
/// A retry loop that owns no transport: retry::run.
#ifndef KEYWARD_RETRY_RUN_HPP
#define KEYWARD_RETRY_RUN_HPP

#include "../detail/time_convert.hpp"
#include "../http/status.hpp"
#include "../random.hpp"
#include "backoff.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

/// Client retries: backoff with jitter, retry budgets, and a loop that honours Retry-After and owns no
/// transport.
namespace keyward::retry {

/// What one attempt produced: an HTTP status with the delays the server asked for, or no response at all.
struct outcome {
  int status = 0;  ///< the HTTP status code; ignored when transport_error is set
  std::optional<std::chrono::seconds> retry_after;      ///< Retry-After (http::parse_retry_after()), if sent
  std::optional<std::chrono::seconds> ratelimit_reset;  ///< the RateLimit reset delay, if sent
  bool transport_error = false;  ///< no HTTP response: connection refused or reset, timeout, TLS failure

  /// An outcome without an HTTP response.
  static constexpr outcome no_response() noexcept {
    outcome failed;
    failed.transport_error = true;
    return failed;
  }
};

/// What the caller's function is told about the attempt it is asked to make.
struct attempt {
  std::uint32_t number = 1;              ///< 1 for the first attempt
  std::chrono::nanoseconds elapsed{};    ///< since the first attempt started
  std::chrono::nanoseconds remaining{};  ///< of the time budget: a timeout the attempt may use
};

/// Why run() stopped.
enum class stop_reason : std::uint8_t {
  succeeded,               ///< a 2xx or 3xx response
  not_retryable,           ///< a status (401, 403, other 4xx, ...) or failure the options do not retry
  attempts_exhausted,      ///< retry_options::max_attempts attempts made, the last one failing
  time_budget_exhausted,   ///< the backoff delay would end after the time budget
  retry_budget_exhausted,  ///< the shared retry_budget had too few tokens for another retry
  server_delay_too_long,   ///< the server asked for a wait beyond max_server_delay or the time budget left
};

/// A short English name for `reason`, for logs.
constexpr const char* to_string(stop_reason reason) noexcept {
  switch (reason) {
    case stop_reason::succeeded: return "succeeded";
    case stop_reason::not_retryable: return "not retryable";
    case stop_reason::attempts_exhausted: return "attempts exhausted";
    case stop_reason::time_budget_exhausted: return "time budget exhausted";
    case stop_reason::retry_budget_exhausted: return "retry budget exhausted";
    case stop_reason::server_delay_too_long: return "server delay too long";
  }
  return "unknown stop reason";
}

/// One attempt as run() saw it.
struct attempt_record {
  outcome reply;                    ///< what the attempt produced
  std::chrono::nanoseconds wait{};  ///< the sleep requested after it; zero for the last attempt
};

/// How many attempts a report keeps: the first ones, in order, in a fixed array (no allocation).
inline constexpr std::size_t history_capacity = 16;

/// What run() did: the last outcome, why it stopped, and the first history_capacity attempts.
struct report {
  outcome last;                      ///< what the last attempt produced
  stop_reason reason = stop_reason::not_retryable;  ///< why no further attempt was made
  std::uint32_t attempts = 0;        ///< attempts made, including those beyond the history
  std::array<attempt_record, history_capacity> history{};  ///< the first history_size() attempts

  /// The number of attempts recorded in history: min(attempts, history_capacity).
  constexpr std::size_t history_size() const noexcept {
    return attempts < history_capacity ? attempts : history_capacity;
  }
  /// True when the last attempt succeeded.
  constexpr bool succeeded() const noexcept { return reason == stop_reason::succeeded; }
};

/// run()'s default sleep: std::this_thread::sleep_for.
struct thread_sleep {
  /// Blocks the calling thread for at least `duration`.
  void operator()(std::chrono::nanoseconds duration) const { std::this_thread::sleep_for(duration); }
};

}  // namespace keyward::retry

namespace keyward::detail::retry_run {

/// What run() makes of one outcome.
enum class verdict : std::uint8_t { succeeded, not_retryable, retryable };

/// The verdict on `o` under `options` (the rules at the top of this header).
constexpr verdict classify_outcome(const retry::outcome& o, const retry::retry_options& options) noexcept {
  if (o.transport_error) return options.retry_transport_errors ? verdict::retryable : verdict::not_retryable;
  switch (http::classify_status(o.status)) {
    case http::status_class::success: return verdict::succeeded;
    case http::status_class::try_later: return verdict::retryable;
    case http::status_class::server_error:
      return options.retry_server_errors ? verdict::retryable : verdict::not_retryable;
    default: return verdict::not_retryable;
  }
}

/// The wait the server asked for in a 429 or 503: Retry-After, else the RateLimit reset, else zero;
/// negative values count as zero and values beyond nanoseconds' range saturate.
constexpr std::chrono::nanoseconds server_delay(const retry::outcome& o) noexcept {
  if (o.transport_error || http::classify_status(o.status) != http::status_class::try_later) return {};
  const std::optional<std::chrono::seconds>& asked = o.retry_after ? o.retry_after : o.ratelimit_reset;
  if (!asked || asked->count() <= 0) return {};
  constexpr auto most_seconds = (std::chrono::nanoseconds::max)().count() / 1000000000;
  if (asked->count() > most_seconds) return (std::chrono::nanoseconds::max)();
  return *asked;
}

/// budget - elapsed, or zero once the budget is spent.
constexpr std::chrono::nanoseconds time_left(std::chrono::nanoseconds budget,
                                             std::chrono::nanoseconds elapsed) noexcept {
  return budget > elapsed ? budget - elapsed : std::chrono::nanoseconds::zero();
}

/// The time from `start` to `clock.now()`: zero when the clock went back, at most nanoseconds::max() (for a
/// clock counting seconds or jumping across its range), never overflowing. A clock counting in floating
/// point does not compile.
template <class Clock>
std::chrono::nanoseconds elapsed_since(const Clock& clock, decltype(std::declval<const Clock&>().now()) start) {
  return std::chrono::nanoseconds(detail::time_convert::nanoseconds_between(start, clock.now()));
}

}  // namespace keyward::detail::retry_run

namespace keyward::retry {

/// Calls `call(const attempt&)`, which makes one attempt and returns its outcome, until an outcome ends the
/// loop or a limit of `options` is reached (the decisions are listed at the top of this header). Between
/// attempts it calls `sleep(std::chrono::nanoseconds)` with the wait; time is read from `clock.now()` (a
/// Clock object: std::chrono::steady_clock by default, a manual clock in tests, with a static or const
/// member now()); backoff randomness comes from `random`, a UniformRandomBitGenerator (the OS CSPRNG by
/// default). `budget`, when given, is a retry_budget shared with other loops: each retry spends from it and
/// a success refills it. The first attempt is always made. Returns the last outcome, why the loop stopped
/// and the history of attempts; never fails otherwise. Nothing is allocated. Exceptions from `call`,
/// `sleep` or the clock pass through.
template <class Clock = std::chrono::steady_clock, class Call, class Sleep = thread_sleep,
          class Random = random::os_generator>
report run(const retry_options& options, Call&& call, retry_budget* budget = nullptr, Sleep&& sleep = Sleep{},
           Random&& random = Random{}, const Clock& clock = Clock{}) {
  static_assert(std::is_invocable_r_v<outcome, Call&, const attempt&>,
                "keyward: the call must take const retry::attempt& and return retry::outcome");
  namespace loop = detail::retry_run;
  report out;
  backoff_sequence<std::remove_reference_t<Random>> delays(options.backoff, random);
  const std::uint32_t max_attempts = options.max_attempts > 1 ? options.max_attempts : 1;
  const auto start = clock.now();
  for (;;) {
    attempt current;
    current.number = out.attempts + 1;
    current.elapsed = loop::elapsed_since(clock, start);
    current.remaining = loop::time_left(options.time_budget, current.elapsed);
    out.last = call(static_cast<const attempt&>(current));
    const std::size_t index = out.attempts++;
    if (index < history_capacity) out.history[index].reply = out.last;

    const loop::verdict verdict = loop::classify_outcome(out.last, options);
    if (verdict == loop::verdict::succeeded) {
      if (budget != nullptr) budget->record_success();
      out.reason = stop_reason::succeeded;
      return out;
    }
    if (verdict == loop::verdict::not_retryable) {
      out.reason = stop_reason::not_retryable;
      return out;
    }
    if (out.attempts >= max_attempts) {
      out.reason = stop_reason::attempts_exhausted;
      return out;
    }
    const std::chrono::nanoseconds server = loop::server_delay(out.last);
    if (server > options.max_server_delay) {
      out.reason = stop_reason::server_delay_too_long;
      return out;
    }
    const std::chrono::nanoseconds backoff_delay = delays.next();
    const std::chrono::nanoseconds wait = backoff_delay > server ? backoff_delay : server;
    const std::chrono::nanoseconds left = loop::time_left(options.time_budget, loop::elapsed_since(clock, start));
    if (wait > left) {
      out.reason = server > left ? stop_reason::server_delay_too_long : stop_reason::time_budget_exhausted;
      return out;
    }
    if (budget != nullptr && !budget->try_spend()) {
      out.reason = stop_reason::retry_budget_exhausted;
      return out;
    }
    if (index < history_capacity) out.history[index].wait = wait;
    sleep(wait);
  }
}

}  // namespace keyward::retry

#endif  // KEYWARD_RETRY_RUN_HPP
