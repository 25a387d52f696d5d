// keyward: an in-process rate limiter on the Generic Cell Rate Algorithm (GCRA, the virtual scheduling form
// of ITU-T I.371 / ATM Forum TM 4.1): one 64-bit atomic state, a lock-free compare-and-swap per request, no
// allocation, integer time.
/// \file
/// An in-process rate limiter on the Generic Cell Rate Algorithm: rate::gcra.
#ifndef KEYWARD_RATE_GCRA_HPP
#define KEYWARD_RATE_GCRA_HPP

#include "../detail/rate_gcra.hpp"
#include "../error.hpp"
#include "quota.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

namespace keyward::detail::rate_gcra {

/// The public form of a GCRA step's answer (rate/keyed.hpp uses it too).
constexpr rate::decision to_decision(const answer& step) noexcept {
  rate::decision made;
  made.outcome = step.result == outcome::allowed  ? rate::verdict::allowed
                 : step.result == outcome::denied ? rate::verdict::denied
                                                  : rate::verdict::never;
  made.limit = step.limit;
  made.remaining = step.remaining;
  made.wait = step.wait;
  made.reset_after = step.reset_after;
  return made;
}

}  // namespace keyward::detail::rate_gcra

/// Rate limiting with GCRA, in process (one key or many) or in Redis, and the RateLimit and X-RateLimit
/// header fields that report it (draft-ietf-httpapi-ratelimit-headers).
namespace keyward::rate {

template <class Clock>
class gcra;

/// Capacity claimed ahead of time by gcra::reserve(), for callers that wait instead of being refused.
class reservation {
 public:
  /// allowed: the capacity is held, proceed once `delay` has passed; denied: the reservation queue is full
  /// (see wait); never: the cost exceeds the burst.
  verdict outcome = verdict::denied;
  std::chrono::nanoseconds delay{};  ///< when allowed: how long after `now` the request may proceed
  std::chrono::nanoseconds wait{};   ///< when denied: how long until a reservation would be allowed

  /// True when the capacity is held (verdict::allowed).
  constexpr bool allowed() const noexcept { return outcome == verdict::allowed; }
  /// allowed().
  constexpr explicit operator bool() const noexcept { return allowed(); }

 private:
  template <class Clock>
  friend class gcra;
  std::uint64_t before_ = 0;    // the limiter state it replaced
  std::uint64_t after_ = 0;     // the limiter state it left; 0 when it holds nothing (cost 0, cancelled)
  std::uint32_t revision_ = 0;  // the limiter's quota revision when it was made
};

/// A GCRA rate limiter for one subject (a process, a route, an upstream): on average quota.count requests per
/// quota.period, at most quota.burst at once. Thread-safe and lock-free (except set_quota, see there).
///
/// Clock: std::chrono::steady_clock or anything with a static or const member now() returning a
/// std::chrono::time_point counting in an integer type of at most 64 bits, of any period (tests use manual
/// clocks; a clock counting in floating point does not compile); the limiter keeps a copy (none for a clock
/// without state). Every call that needs the time has two overloads: one taking `now`, that clock's time_point,
/// which does not read the clock (reading it costs more than the limiter, so a caller that has the time
/// already should pass it), and one that reads the stored clock.
///
/// Semantics (GCRA with emission interval T = period / count and window W = burst * T): the state is the
/// theoretical arrival time TAT, and its debt at `now` is max(0, TAT - now), the time until the bucket is
/// full again. A request of `cost` is allowed when debt + cost * T <= W, and then adds cost * T to the debt.
/// A cost above the burst can never be allowed (verdict::never). Idle time refills at most to the burst.
///
/// Resolution: time is kept in units of T / 2^k, the coarsest that is at most 1 ns (T itself when T < 1 ns),
/// so T is exact and the rate never drifts; conversions from and to nanoseconds round so that a reported
/// wait always suffices (it may be 1 ns longer than the exact value). Rates up to 4e9 per second and windows
/// (burst emission intervals) up to 36.5 years (2^61 emission intervals when those are below 1 ns) are
/// accepted; see make().
///
/// Time going backwards never adds capacity, however far it goes: the debt is measured from the given
/// `now`, so an older `now` sees the bucket as it was at that time (never fuller than now). A `now` older
/// than any the state could have been reached by (TAT more than two windows ahead) is read as that oldest
/// possible time, so reported waits stay within two windows; set_quota() reads it the same way.
///
/// Edges of time: no time point overflows, whatever its value. The limiter tells times apart from 2^62
/// units before the clock's epoch to 3 * 2^62 units, less two windows, after it: for emission intervals
/// over 0.5 ns at least 73 years before and 146 years after (with system_clock: 1897 to 2116; to 2189 for
/// windows of a few years or less), for shorter intervals at least half of that; steady_clock counts from
/// boot. A time beyond
/// reads as the nearest end of that span (time points beyond 292 years, which only a clock counting coarser
/// than nanoseconds has, included): there time stands still, so nothing refills while the clock stays
/// beyond, and never more than the burst passes.
template <class Clock = std::chrono::steady_clock>
class gcra : private detail::rate_gcra::clock_holder<Clock> {
 public:
  /// The clock read by the overloads without `now`.
  using clock_type = Clock;
  /// What the clock returns.
  using time_point = decltype(std::declval<const Clock&>().now());

  /// A limiter enforcing `limit`, with a full bucket. errc::rate_invalid_quota when count, period or burst is
  /// zero, when the rate exceeds 4 per nanosecond, or when the window (burst * period / count) exceeds 2^61
  /// internal units: 36.5 to 73 years for emission intervals of 1 ns or more, 2^61 of them below.
  static result<gcra> make(const quota& limit, const Clock& clock = Clock()) noexcept {
    auto params = detail::rate_gcra::make_gcra_params(limit.count, limit.period, limit.burst);
    if (!params) return params.error();
    return gcra(*params, clock);
  }

  /// Moves the state; not safe while another thread uses `other`.
  gcra(gcra&& other) noexcept
      : detail::rate_gcra::clock_holder<Clock>(other),
        state_(other.state_.load(std::memory_order_relaxed)),
        params_(other.params_),
        revision_(other.revision_) {}
  gcra(const gcra&) = delete;
  gcra& operator=(const gcra&) = delete;
  gcra& operator=(gcra&&) = delete;

  /// Takes `cost` (default 1) if the bucket holds it at `now`: verdict::allowed with the remaining capacity
  /// and reset_after (until full again); verdict::denied, taking nothing, with wait (until this cost would
  /// be allowed); verdict::never when cost > burst. A cost of 0 takes nothing, like peek(). Never fails.
  decision acquire(time_point now, std::uint64_t cost = 1) noexcept {
    namespace gcra_step = detail::rate_gcra;
    const std::uint64_t at = params_.to_units(gcra_step::nanoseconds_since_epoch(now));
    if (cost > params_.burst) return refuse_never(at);
    const std::uint64_t need = params_.units_of_cost(cost);
    const std::uint64_t window = params_.window();
    std::uint64_t state = state_.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t debt = gcra_step::gcra_debt(state, at, params_.debt_cap());
      if (need == 0) return gcra_step::to_decision(gcra_step::gcra_allowed(params_, debt));
      if (debt + need > window)
        return gcra_step::to_decision(
            gcra_step::gcra_refused(params_, gcra_step::outcome::denied, debt, debt + need - window));
      // Relaxed is enough: the decision depends on this one variable only, and read-modify-writes of one
      // atomic are totally ordered.
      if (state_.compare_exchange_weak(state, gcra_step::gcra_state(at + debt + need), std::memory_order_relaxed,
                                       std::memory_order_relaxed))
        return gcra_step::to_decision(gcra_step::gcra_allowed(params_, debt + need));
    }
  }
  /// acquire() at the stored clock's present time.
  decision acquire(std::uint64_t cost = 1) noexcept(detail::rate_gcra::clock_reads_noexcept<Clock>) {
    return acquire(this->read_clock(), cost);
  }

  /// What the limiter holds at `now`, changing nothing (acquire with a cost of 0): always verdict::allowed,
  /// with remaining and reset_after.
  decision peek(time_point now) const noexcept {
    return detail::rate_gcra::to_decision(detail::rate_gcra::gcra_allowed(params_, debt_at(now)));
  }
  /// peek() at the stored clock's present time.
  decision peek() const noexcept(detail::rate_gcra::clock_reads_noexcept<Clock>) { return peek(this->read_clock()); }

  /// True when the limiter at `now` is a full bucket (never used, or idle long enough): dropping it and
  /// starting a new one would change nothing.
  bool is_fresh(time_point now) const noexcept { return debt_at(now) == 0; }
  /// is_fresh() at the stored clock's present time.
  bool is_fresh() const noexcept(detail::rate_gcra::clock_reads_noexcept<Clock>) {
    return is_fresh(this->read_clock());
  }

  /// Claims `cost` at `now` for a request that may have to wait: allowed (verdict::allowed) whenever the wait
  /// is at most one window (burst emission intervals), with `delay` = how long to wait (0 when acquire()
  /// would have allowed it); denied with `wait` when more capacity than that is already reserved; never
  /// when cost > burst. An allowed reservation holds its capacity until cancel() returns it. Never fails.
  reservation reserve(time_point now, std::uint64_t cost = 1) noexcept {
    namespace gcra_step = detail::rate_gcra;
    reservation claim;
    if (cost > params_.burst) {
      claim.outcome = verdict::never;
      return claim;
    }
    const std::uint64_t at = params_.to_units(gcra_step::nanoseconds_since_epoch(now));
    const std::uint64_t need = params_.units_of_cost(cost);
    const std::uint64_t cap = params_.debt_cap();
    std::uint64_t state = state_.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t debt = gcra_step::gcra_debt(state, at, cap);
      if (debt + need > cap) {
        claim.wait = params_.to_duration(debt + need - cap);
        return claim;
      }
      const std::uint64_t before = state;
      const std::uint64_t next = gcra_step::gcra_state(at + debt + need);
      if (need == 0 ||
          state_.compare_exchange_weak(state, next, std::memory_order_relaxed, std::memory_order_relaxed)) {
        claim.outcome = verdict::allowed;
        if (debt + need > params_.window()) claim.delay = params_.to_duration(debt + need - params_.window());
        if (need != 0) {
          claim.before_ = before;
          claim.after_ = next;
          claim.revision_ = revision_;
        }
        return claim;
      }
    }
  }
  /// reserve() at the stored clock's present time.
  reservation reserve(std::uint64_t cost = 1) noexcept(detail::rate_gcra::clock_reads_noexcept<Clock>) {
    return reserve(this->read_clock(), cost);
  }

  /// Gives back the capacity `claim` holds if nothing has been taken from this limiter since `claim` was
  /// allowed (every later reservation cancelled first, in reverse order, counts as nothing taken), and the
  /// quota has not been changed since: then the limiter is exactly as if `claim` had never been made. Returns
  /// true when the capacity was given back. Otherwise returns false and changes nothing: later requests were
  /// admitted on the assumption that `claim` is used, and its capacity refills with time as usual. Either
  /// way `claim` holds nothing afterwards, so a second cancel() returns false. Call it only for a claim this
  /// limiter made and only if the request did not proceed.
  bool cancel(reservation& claim) noexcept {
    if (claim.after_ == 0 || claim.revision_ != revision_) return false;
    std::uint64_t expected = claim.after_;
    claim.after_ = 0;
    return state_.compare_exchange_strong(expected, claim.before_, std::memory_order_relaxed,
                                          std::memory_order_relaxed);
  }

  /// Enforces `limit` from `now` on. The time until the bucket is full again is kept (the TAT), so spent
  /// capacity stays spent, but capped at one window of the new quota, so a smaller burst or a slower rate
  /// never makes anyone wait longer than a full refill under it; time reserved beyond the window is kept the
  /// same way (capped at one more window). Reservations made before cannot be cancelled afterwards.
  /// errc::rate_invalid_quota (as make()) leaves the limiter unchanged.
  /// Not thread-safe: no other call on this limiter may run at the same time (rate::keyed::set_quota is).
  result<void> set_quota(const quota& limit, time_point now) noexcept {
    namespace gcra_step = detail::rate_gcra;
    auto params = gcra_step::make_gcra_params(limit.count, limit.period, limit.burst);
    if (!params) return params.error();
    const std::uint64_t state = state_.load(std::memory_order_relaxed);
    if (state != 0)  // a limiter never used stays so: a full bucket at any time, under any quota
      state_.store(gcra_step::gcra_rebase(params_, *params, state, gcra_step::nanoseconds_since_epoch(now)),
                   std::memory_order_relaxed);
    params_ = *params;
    ++revision_;
    return {};
  }
  /// set_quota() at the stored clock's present time.
  result<void> set_quota(const quota& limit) noexcept(detail::rate_gcra::clock_reads_noexcept<Clock>) {
    return set_quota(limit, this->read_clock());
  }

  /// The quota being enforced.
  quota current_quota() const noexcept {
    return quota{params_.count, std::chrono::nanoseconds(static_cast<std::int64_t>(params_.period_ns)), params_.burst};
  }

 private:
  gcra(const detail::rate_gcra::gcra_params& params, const Clock& clock) noexcept
      : detail::rate_gcra::clock_holder<Clock>(clock), state_(0), params_(params) {}

  std::uint64_t debt_at(time_point now) const noexcept {
    return detail::rate_gcra::gcra_debt(state_.load(std::memory_order_relaxed),
                                        params_.to_units(detail::rate_gcra::nanoseconds_since_epoch(now)),
                                        params_.debt_cap());
  }

  decision refuse_never(std::uint64_t at) const noexcept {
    namespace gcra_step = detail::rate_gcra;
    const std::uint64_t debt = gcra_step::gcra_debt(state_.load(std::memory_order_relaxed), at, params_.debt_cap());
    return gcra_step::to_decision(gcra_step::gcra_refused(params_, gcra_step::outcome::never, debt, 0));
  }

  std::atomic<std::uint64_t> state_;  // the TAT in units (see detail::rate_gcra::gcra_params), 0 when never used
  detail::rate_gcra::gcra_params params_;
  std::uint32_t revision_ = 0;  // incremented by set_quota(), checked by cancel()
};

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_GCRA_HPP
