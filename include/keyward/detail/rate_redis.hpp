// keyward (private): the parts of the Redis GCRA limiter (rate/redis.hpp) that need no hiredis: the script's
// exact integer arguments for a quota, the check that a reply is one the script can give for them, and the
// script's form of a time. The connection is detail/redis_connection.hpp's.
// No stability promise; not for users.
#ifndef KEYWARD_DETAIL_RATE_REDIS_HPP
#define KEYWARD_DETAIL_RATE_REDIS_HPP

#include "../error.hpp"
#include "arith.hpp"
#include "time_convert.hpp"

#include <chrono>
#include <cstdint>
#include <ratio>

namespace keyward::detail::rate_redis {

/// A duration of nanoseconds as a pair (ns, f) = ns + f / count, 0 <= f < count: the script's exact form.
struct redis_pair {
  std::uint64_t ns = 0;
  std::uint64_t fraction = 0;
};

/// What the script needs from a quota and a cost (T, W and cost * T as pairs), and what checking its reply
/// needs besides (the quota, the cost, and W - cost * T).
struct redis_gcra_args {
  redis_pair interval;
  redis_pair window;
  redis_pair need;   // cost * T; zero when cost > burst (verdict::never)
  redis_pair slack;  // W - cost * T; zero when cost > burst
  std::uint64_t count = 0;
  std::uint64_t period = 0;
  std::uint64_t burst = 0;
  std::uint64_t cost = 0;
};

/// The bound on the window (in ns) and on burst * count below which the script computes exactly in doubles
/// (see redis_gcra_script).
inline constexpr std::uint64_t redis_exact_limit = std::uint64_t{1} << 51;

/// `times` emission intervals of `period` / `count` as a pair; times * (period % count) must stay below 2^64.
constexpr redis_pair redis_intervals(std::uint64_t count, std::uint64_t period, std::uint64_t times) noexcept {
  const std::uint64_t whole = period / count, fraction = period % count;
  const std::uint64_t fractions = times * fraction;
  return {times * whole + fractions / count, fractions % count};
}

/// The script's arguments for a quota of `count` per `period` with `burst` at once, and `cost`:
/// errc::rate_invalid_quota when count, period or burst is not positive, errc::redis_unsupported_quota
/// when W or burst * count reaches redis_exact_limit.
constexpr result<redis_gcra_args> make_redis_gcra_args(std::uint64_t count, std::chrono::nanoseconds quota_period,
                                                       std::uint64_t burst, std::uint64_t cost) noexcept {
  if (count == 0 || quota_period.count() <= 0 || burst == 0) return errc::rate_invalid_quota;
  if (count >= redis_exact_limit / burst) return errc::redis_unsupported_quota;
  const auto period = static_cast<std::uint64_t>(quota_period.count());
  if (period / count >= redis_exact_limit / burst) return errc::redis_unsupported_quota;
  redis_gcra_args args;
  args.interval = redis_intervals(count, period, 1);
  args.window = redis_intervals(count, period, burst);
  if (args.window.ns >= redis_exact_limit) return errc::redis_unsupported_quota;
  if (cost <= burst) {  // a larger cost is verdict::never
    args.need = redis_intervals(count, period, cost);
    args.slack = redis_intervals(count, period, burst - cost);
  }
  args.count = count;
  args.period = period;
  args.burst = burst;
  args.cost = cost;
  return args;
}

/// The first four elements of a script reply, each already checked to be an integer of at least 0.
struct redis_reply_fields {
  std::uint64_t verdict = 0;  // 0 allowed, 1 denied, 2 never
  std::uint64_t remaining = 0;
  std::uint64_t wait = 0;         // ns
  std::uint64_t reset_after = 0;  // ns
};

/// `p` rounded up to whole nanoseconds.
constexpr std::uint64_t redis_ceil(redis_pair p) noexcept { return p.ns + (p.fraction != 0 ? 1 : 0); }

/// True when a + (extra, 0) < b, for pairs of the same quota (a.ns + extra below 2^64).
constexpr bool redis_sum_below(redis_pair a, std::uint64_t extra, redis_pair b) noexcept {
  const std::uint64_t ns = a.ns + extra;
  return ns < b.ns || (ns == b.ns && a.fraction < b.fraction);
}

/// True when `reply` is a decision the script can give for `args` (whatever the state and the time were).
/// With D' the debt the decision leaves (the debt found, for a denial or verdict::never), the script
/// replies reset_after = ceil(D') and remaining = floor((W - D') / T) with 0 <= D' <= W, so reset_after is
/// at most ceil(W) and some D' in (reset_after - 1, reset_after] gives that remaining. Besides: allowed only
/// when cost <= burst, with wait 0, remaining <= burst - cost and reset_after >= ceil(cost * T) (D' >=
/// cost * T); denied only when 0 < cost <= burst, with remaining < cost, 1 <= wait <= ceil(cost * T) and
/// wait = ceil(D' - (W - cost * T)) (so reset_after - wait lies between W - cost * T rounded down and
/// rounded up); verdict::never exactly when cost > burst, with wait 0. Every sum stays below 2^53.
constexpr bool redis_reply_possible(const redis_gcra_args& args, const redis_reply_fields& reply) noexcept {
  if (reply.reset_after > redis_ceil(args.window) || reply.remaining > args.burst) return false;
  if (reply.reset_after == 0) {
    if (reply.remaining != args.burst) return false;  // D' = 0
  } else {
    // Some D' in (reset_after - 1, reset_after] has floor((W - D') / T) = remaining: remaining * T <
    // W - (reset_after - 1) and (remaining + 1) * T > W - reset_after.
    const redis_pair taken = redis_intervals(args.count, args.period, reply.remaining);
    const redis_pair more = redis_intervals(args.count, args.period, reply.remaining + 1);
    if (!redis_sum_below(taken, reply.reset_after - 1, args.window)) return false;
    if (!redis_sum_below(args.window, 0, {more.ns + reply.reset_after, more.fraction})) return false;
  }
  const bool fits = args.cost <= args.burst;
  switch (reply.verdict) {
    case 0:
      return fits && reply.wait == 0 && reply.remaining <= args.burst - args.cost &&
             reply.reset_after >= redis_ceil(args.need);
    case 1:
      return fits && reply.remaining < args.cost && reply.wait >= 1 && reply.wait <= redis_ceil(args.need) &&
             reply.reset_after >= reply.wait && reply.reset_after - reply.wait >= args.slack.ns &&
             reply.reset_after - reply.wait <= redis_ceil(args.slack);
    case 2:
      return !fits && reply.wait == 0;
    default:
      return false;
  }
}

/// A time since the Unix epoch as the script takes it: whole microseconds (rounded down) and the
/// nanoseconds beyond them (0 to 999).
struct script_time {
  std::int64_t micros = 0;
  std::int64_t nanos = 0;
};

/// True when `t` lies within 2^53 microseconds of the epoch (from the year 1685 to 2255), where the script
/// is exact and a time in nanoseconds fits 64 bits.
constexpr bool script_time_exact(const script_time& t) noexcept {
  return t.micros < (std::int64_t{1} << 53) && t.micros > -(std::int64_t{1} << 53);
}

/// `now` as a script_time (system_clock of any integer precision: the microseconds are floored, and the
/// rest is below 1 us). A time beyond 2^53 us of the epoch (saturating, never overflowing) comes back as
/// 2^53 us, which script_time_exact() refuses.
template <class Duration>
constexpr script_time script_time_of(std::chrono::time_point<std::chrono::system_clock, Duration> now) noexcept {
  const time_convert::scaled_count micros = time_convert::scale_duration<std::micro>(now.time_since_epoch());
  if (micros.saturated || !script_time_exact({micros.value, 0})) return {std::int64_t{1} << 53, 0};
  // The remainder counts 1/den of a microsecond; in nanoseconds, rounded down.
  constexpr auto den = static_cast<std::uint64_t>(std::ratio_divide<typename Duration::period, std::micro>::den);
  const std::uint64_t nanos = arith::divide_wide(arith::multiply_wide(micros.remainder, 1000), den).quotient;
  return {micros.value, static_cast<std::int64_t>(nanos)};
}

}  // namespace keyward::detail::rate_redis

#endif  // KEYWARD_DETAIL_RATE_REDIS_HPP
