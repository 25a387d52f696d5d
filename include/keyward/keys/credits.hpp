// keyward: usage credits, a key's allowance of calls per UTC day or month (or once), and the one rule every
// store spends them by. A key's balance is a credit_balance (the refill kind and period it was last refilled
// in, the credits left); a store keeps it under the key's balance id and spends it with spend_credits()
// inside whatever makes the call atomic (keys::memory_store: a lock; a SQL store: a transaction that reads
// the row, calls spend_credits() and writes it back; keys::redis_store: a Lua script that applies the same
// rule).
//
//   std::optional<keyward::keys::credit_balance> balance = /* the stored row, or nullopt */;
//   const auto decision = keyward::keys::spend_credits(balance, plan, 1, now);
//   /* store *balance (it always has a value after the call) */
//   if (!decision.allowed) { /* 402: out of credits until decision.refills_at */ }
/// \file
/// Usage credits: a key's allowance of calls per UTC day or month (or once), and how they are spent.
#ifndef KEYWARD_KEYS_CREDITS_HPP
#define KEYWARD_KEYS_CREDITS_HPP

#include "../detail/arith.hpp"
#include "../detail/http_date.hpp"
#include "../detail/time_convert.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

namespace keyward::keys {

/// A time on the wall clock to the nanosecond, what the verifier, the stores and the limiters work in.
using sys_nanoseconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

/// When a key's credits are refilled: at the start of each UTC calendar day or month, or never (the allowance
/// is granted once).
enum class credit_refill : std::uint8_t {
  never,    ///< one allowance for the key's life (a trial, a prepaid pack)
  daily,    ///< refilled at 00:00 UTC each day
  monthly,  ///< refilled at 00:00 UTC on the first day of each month
};

/// How many calls a key may make per refill period: its usage credits (a plan tier, a prepaid pack). A call
/// costs 1 credit unless the server says otherwise (verifier::authenticate()'s `cost`).
struct credit_plan {
  std::uint64_t allowance = 0;                ///< credits at the start of each period (or once, for never)
  credit_refill refill = credit_refill::never;  ///< when the balance is filled to the allowance again

  /// Plans are equal when allowance and refill are.
  ///@{
  friend constexpr bool operator==(const credit_plan& a, const credit_plan& b) noexcept {
    return a.allowance == b.allowance && a.refill == b.refill;
  }
  friend constexpr bool operator!=(const credit_plan& a, const credit_plan& b) noexcept { return !(a == b); }
  ///@}
};

/// A store's answer to spending credits (spend_credits(), a store's consume_credits()).
struct credit_decision {
  bool allowed = false;        ///< true when the cost was taken
  std::uint64_t remaining = 0;  ///< credits left after this call (or before it, when denied)
  /// The start of the next period, when the balance is filled again; none for credit_refill::never.
  std::optional<std::chrono::system_clock::time_point> refills_at;
};

/// The stored state of a credit balance: what a store keeps per balance id (three integer columns). Its
/// period is counted in the units of its own refill kind (days, months, or 0 for never), so it is compared
/// with a time only through credit_period(refill, now), never with the period of another kind.
struct credit_balance {
  credit_refill refill = credit_refill::never;  ///< the kind of period `period` counts (the plan that filled it)
  std::int64_t period = 0;       ///< the period it was last refilled in (credit_period(refill, ...))
  std::uint64_t remaining = 0;   ///< the credits left in it

  /// Balances are equal when refill, period and remaining are.
  ///@{
  friend constexpr bool operator==(const credit_balance& a, const credit_balance& b) noexcept {
    return a.refill == b.refill && a.period == b.period && a.remaining == b.remaining;
  }
  friend constexpr bool operator!=(const credit_balance& a, const credit_balance& b) noexcept { return !(a == b); }
  ///@}
};

}  // namespace keyward::keys

namespace keyward::detail::keys_credits {

/// Nanoseconds in a UTC day (Unix time has no leap seconds).
inline constexpr std::int64_t nanoseconds_per_day = 86'400'000'000'000;

/// The system_clock time `nanoseconds` after 1970, floored to the clock's precision.
inline std::chrono::system_clock::time_point system_time(std::int64_t nanoseconds) noexcept {
  using period = std::chrono::system_clock::period;
  const auto count = time_convert::scale_duration<period>(std::chrono::nanoseconds(nanoseconds)).value;
  return std::chrono::system_clock::time_point(
      std::chrono::system_clock::duration(static_cast<std::chrono::system_clock::rep>(count)));
}

/// How fine a refill kind's periods are: daily 0, monthly 1, never 2 (one period for all time).
constexpr int refill_rank(::keyward::keys::credit_refill refill) noexcept {
  using ::keyward::keys::credit_refill;
  return refill == credit_refill::daily ? 0 : refill == credit_refill::monthly ? 1 : 2;
}

}  // namespace keyward::detail::keys_credits

namespace keyward::keys {

/// The index of the refill period `now` lies in: 0 for credit_refill::never; for daily, the UTC days since
/// 1970-01-01, floored (the last nanosecond of 1969 is day -1); for monthly, the UTC calendar months since
/// 1970-01, (year - 1970) * 12 + month - 1, floored the same way (1969-12 is -1). Never fails.
constexpr std::int64_t credit_period(credit_refill refill, sys_nanoseconds now) noexcept {
  namespace d = detail;
  if (refill == credit_refill::never) return 0;
  const std::int64_t day = d::arith::floor_div(now.time_since_epoch().count(), d::keys_credits::nanoseconds_per_day);
  if (refill == credit_refill::daily) return day;
  const d::http_date::civil_date date = d::http_date::civil_from_days(day);
  return (date.year - 1970) * 12 + (date.month - 1);
}

/// The instant period `period` of `refill` starts (00:00 UTC of its day, or of its month's first day),
/// saturated at the ends of sys_nanoseconds (the years 1677 and 2262); for credit_refill::never, whose one
/// period is never followed by another, the latest sys_nanoseconds. Never fails.
constexpr sys_nanoseconds credit_period_start(credit_refill refill, std::int64_t period) noexcept {
  namespace d = detail;
  constexpr std::int64_t latest = (std::numeric_limits<std::int64_t>::max)();
  constexpr std::int64_t earliest = (std::numeric_limits<std::int64_t>::min)();
  constexpr std::int64_t per_day = d::keys_credits::nanoseconds_per_day;
  const auto at = [](std::int64_t ns) { return sys_nanoseconds(std::chrono::nanoseconds(ns)); };
  std::int64_t day = period;
  if (refill == credit_refill::never) return at(latest);
  if (refill == credit_refill::monthly) {
    // A thousand years either way is far beyond int64 nanoseconds, and keeps the calendar arithmetic exact.
    if (period > 12 * 1000) return at(latest);
    if (period < -12 * 1000) return at(earliest);
    const std::int64_t months = period + 1970 * 12;
    const std::int64_t year = d::arith::floor_div(months, 12);
    day = d::http_date::days_from_civil(year, static_cast<int>(months - year * 12) + 1, 1);
  }
  if (day > latest / per_day) return at(latest);
  if (day < earliest / per_day) return at(earliest);  // the quotient rounds toward zero: day * per_day fits
  return at(day * per_day);
}

/// When a balance refilled in `period` is filled again: the start of period + 1 (credit_period_start()),
/// as a system_clock time floored to the clock's precision; nullopt for credit_refill::never. What
/// credit_decision::refills_at holds, for a store that spends by the rule of spend_credits() elsewhere (in a
/// Redis script, a SQL statement). Never fails.
inline std::optional<std::chrono::system_clock::time_point> credit_refills_at(credit_refill refill,
                                                                              std::int64_t period) noexcept {
  if (refill == credit_refill::never) return std::nullopt;
  const std::int64_t next = period == (std::numeric_limits<std::int64_t>::max)() ? period : period + 1;
  return detail::keys_credits::system_time(credit_period_start(refill, next).time_since_epoch().count());
}

/// Spends `cost` credits of `plan` at `now` from `balance` (nullopt: none stored yet), the rule of every
/// store, applied in this order:
/// 1. The balance is kept when it is of the plan's refill kind and its period is p = credit_period(plan.refill,
///    now) or later (a later one was written by a server whose clock runs ahead: a late clock never refills a
///    balance, nor moves its period back). A balance of another kind (the plan changed kind and the balance
///    was not reset, or keys sharing a balance have plans of different kinds) is kept, with its own kind and
///    period, only while its own period lasts (credit_period(balance->refill, now) <= its period) and only
///    when its kind is finer than the plan's (daily, then monthly, then never). Otherwise (none stored, an
///    earlier period, a coarser or ended balance of another kind) it becomes {plan.refill, p, plan.allowance}.
///    Periods of different kinds are never compared, and a balance refilled for one kind is not refilled
///    again by spending it alternately under plans of two kinds: each refill needs a period of the finer kind
///    to begin, so keys of two kinds sharing a balance get at most two refills per finer period.
/// 2. Its remaining credits are capped at plan.allowance, so that a lowered allowance applies at once.
/// 3. When cost <= remaining, the cost is taken and the call allowed (a cost of 0 is always allowed and takes
///    nothing); otherwise it is denied and nothing is taken.
/// Returns the decision: allowed, the remaining credits after the call (before it, when denied), and
/// refills_at = credit_refills_at(the balance's kind, its period). `balance` always holds the state to store
/// afterwards (written back even when denied: a refill or a cap may have changed it). Never fails.
inline credit_decision spend_credits(std::optional<credit_balance>& balance, const credit_plan& plan,
                                     std::uint64_t cost, sys_nanoseconds now) noexcept {
  const std::int64_t period = credit_period(plan.refill, now);
  bool keep = false;
  if (balance.has_value()) {
    if (balance->refill == plan.refill) {
      keep = balance->period >= period;
    } else {
      keep = detail::keys_credits::refill_rank(balance->refill) < detail::keys_credits::refill_rank(plan.refill) &&
             balance->period >= credit_period(balance->refill, now);
    }
  }
  if (!keep) balance = credit_balance{plan.refill, period, plan.allowance};
  if (balance->remaining > plan.allowance) balance->remaining = plan.allowance;
  credit_decision decision;
  decision.allowed = cost <= balance->remaining;
  if (decision.allowed) balance->remaining -= cost;
  decision.remaining = balance->remaining;
  decision.refills_at = credit_refills_at(balance->refill, balance->period);
  return decision;
}

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_CREDITS_HPP
