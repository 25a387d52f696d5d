// keyward: private helpers of the GCRA limiters (rate/gcra.hpp, rate/keyed.hpp): the integer time unit
// derived from a quota, conversions between nanoseconds and that unit, the GCRA step itself on a 64-bit
// state, and the answer it gives (turned into a rate::decision by rate/gcra.hpp). No stability promise;
// not for users.
#ifndef KEYWARD_DETAIL_RATE_GCRA_HPP
#define KEYWARD_DETAIL_RATE_GCRA_HPP

#include "../error.hpp"
#include "arith.hpp"
#include "time_convert.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace keyward::detail::rate_gcra {

using arith::multiply_wide;
using arith::wide_product;
using arith::wide_quotient;

/// What a quota means in integers. Time inside a limiter is counted in units of period / (count * 2^shift)
/// nanoseconds: 2^shift units per emission interval exactly, so taking capacity never rounds, and
/// shift is the smallest that makes a unit at most 1 ns (a unit lies in (0.5, 1] ns for emission intervals
/// of 1 ns or more, and equals the emission interval below that). Times are converted to units by a
/// multiplication rounded so that a wait reported in nanoseconds always suffices.
///
/// Times are units on one axis that never wraps, so that a clock jumping back by any amount is never read
/// as a jump forward: unit epoch_unit (2^62) is the clock's epoch, and a time before unit 1 or after
/// last_unit() (2^64 - 1 - debt_cap()) reads as that end (unit 0 is left out, so that no TAT is ever 0).
/// The axis spans from 2^62 units before the epoch to 3 * 2^62 - debt_cap() after it: for emission intervals
/// over 0.5 ns (under 2 units per ns) at least 73 years before and 146 after (system_clock: 1897 to 2116 at
/// least, 2189 for windows of a few years or less), for shorter intervals (down to 0.25 ns) at least half
/// that. It starts a quarter of the way in because clocks rarely count far before their epoch.
///
/// A state is the theoretical arrival time (TAT) in units, or 0 for "never used". Its distance ahead of the
/// present is the debt: how long until the bucket is full again. Validation keeps every debt at most
/// debt_cap() (2^62 units) and times stop at last_unit(), so a TAT never exceeds 2^64 - 1.
struct gcra_params {
  std::uint64_t count;                  // quota::count, as given
  std::uint64_t period_ns;              // quota::period in nanoseconds, as given
  std::uint64_t burst;                  // quota::burst, as given
  std::uint64_t units_per_ns_fraction;  // fractional part of units per ns, in 2^-64, rounded up
  std::uint64_t ns_per_unit_q63;        // nanoseconds per unit in 2^-63, rounded up (at most 2^63)
  std::uint8_t units_per_ns_whole;      // whole part of units per ns: 1 to 4
  std::uint8_t shift;                   // log2 of the units in one emission interval
  bool ns_per_unit_exact;               // ns_per_unit_q63 needed no rounding

  /// Units in one period: count * 2^shift (below 2^64).
  constexpr std::uint64_t units_per_period() const noexcept { return count << shift; }

  /// Units in burst emission intervals: the debt at which the bucket is empty.
  constexpr std::uint64_t window() const noexcept { return burst << shift; }
  /// The largest debt a state can carry: a full window plus a full window of reservations (at most 2^62).
  constexpr std::uint64_t debt_cap() const noexcept { return window() << 1; }
  /// The clock's epoch on the axis of units.
  static constexpr std::uint64_t epoch_unit = std::uint64_t{1} << 62;
  /// The last unit of the axis: the latest time a limiter tells apart from later ones. A TAT at most
  /// debt_cap() after it still fits in 64 bits.
  constexpr std::uint64_t last_unit() const noexcept { return UINT64_MAX - debt_cap(); }
  /// The units taken by a request of `cost` (cost at most burst).
  constexpr std::uint64_t units_of_cost(std::uint64_t cost) const noexcept { return cost << shift; }

  /// The unit on the axis (see the top) of the time `ns` nanoseconds after the clock's epoch (before it
  /// when negative): rounded down, and 1 or last_unit() for a time beyond the axis.
  constexpr std::uint64_t to_units(std::int64_t ns) const noexcept {
    const auto bits = static_cast<std::uint64_t>(ns);
    if (bits < (std::uint64_t{1} << 61)) {  // 0 <= ns < 2^61 (73 years): below 5 * 2^61 units, no overflow
      const std::uint64_t units = bits * units_per_ns_whole + multiply_wide(bits, units_per_ns_fraction).high;
      return units > last_unit() - epoch_unit ? last_unit() : epoch_unit + units;
    }
    return far_to_units(ns);
  }

  /// The duration `ns` (>= 0) in units, rounded up, or `cap` (at most 2^61) when that is smaller. Exact
  /// (a division), for set_quota only.
  constexpr std::uint64_t duration_to_units(std::uint64_t ns, std::uint64_t cap) const noexcept {
    if (ns >= static_cast<std::uint64_t>(to_duration(cap).count())) return cap;
    // ns < cap units, so ns * units_per_period / period < 2^61 and the quotient fits.
    const wide_quotient units = arith::divide_wide(multiply_wide(ns, units_per_period()), period_ns);
    const std::uint64_t rounded = units.quotient + (units.remainder != 0 ? 1 : 0);
    return rounded < cap ? rounded : cap;
  }

  /// The time of unit `unit` on the axis, in nanoseconds since the clock's epoch: rounded up (never earlier),
  /// and saturated to the int64 range.
  constexpr std::int64_t to_nanoseconds(std::uint64_t unit) const noexcept {
    const bool before_epoch = unit < epoch_unit;
    const wide_product product = multiply_wide(before_epoch ? epoch_unit - unit : unit - epoch_unit, ns_per_unit_q63);
    const std::uint64_t whole = (product.high << 1) | (product.low >> 63);  // below 2^64: product < 2^127
    if (before_epoch) {
      // ns_per_unit_q63 is rounded up by less than 2^-63 ns, which at most 2^62 units carry by less than
      // 0.5 ns: the exact time lies more than whole - 1 ns before the epoch.
      return 1 - static_cast<std::int64_t>(whole);
    }
    const std::uint64_t up = whole + ((product.low << 1) != 0 ? 1 : 0);
    constexpr auto most = static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)());
    return static_cast<std::int64_t>(up < most ? up : most);
  }

  /// `units` (below 2^63) as a duration, rounded up to whole nanoseconds: exactly ceil(units * ns per unit).
  constexpr std::chrono::nanoseconds to_duration(std::uint64_t units) const noexcept {
    const wide_product product = multiply_wide(units, ns_per_unit_q63);
    std::uint64_t ns = (product.high << 1) | (product.low >> 63);
    if ((product.low & ((std::uint64_t{1} << 63) - 1)) != 0) {
      ++ns;
      // ns_per_unit_q63 rounded up overestimates by less than one nanosecond in all, which can carry a
      // result that is a whole number of nanoseconds over to the next: keep ns - 1 when it covers `units`.
      if (!ns_per_unit_exact && covers(ns - 1, units)) --ns;
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
  }

 private:
  // to_units() for any `ns`, in 128 bits.
  constexpr std::uint64_t far_to_units(std::int64_t ns) const noexcept {
    const bool before_epoch = ns < 0;
    const auto bits = static_cast<std::uint64_t>(ns);
    const std::uint64_t magnitude = before_epoch ? 0 - bits : bits;
    // magnitude * units per ns = units + 2^64 * high, plus fraction.low / 2^64 (at most 2^63 * 5 units).
    const wide_product whole = multiply_wide(magnitude, units_per_ns_whole);
    const wide_product fraction = multiply_wide(magnitude, units_per_ns_fraction);
    std::uint64_t units = whole.low + fraction.high;
    std::uint64_t high = whole.high + (units < fraction.high ? 1 : 0);
    if (before_epoch) {
      // Rounding -units down moves away from zero.
      if (fraction.low != 0 && ++units == 0) ++high;
      return high != 0 || units >= epoch_unit ? 1 : epoch_unit - units;
    }
    return high != 0 || units > last_unit() - epoch_unit ? last_unit() : epoch_unit + units;
  }

  // True when `ns` nanoseconds are at least `units` units: ns * units_per_period >= units * period.
  constexpr bool covers(std::uint64_t ns, std::uint64_t units) const noexcept {
    const wide_product time = multiply_wide(ns, units_per_period());
    const wide_product needed = multiply_wide(units, period_ns);
    return time.high != needed.high ? time.high > needed.high : time.low >= needed.low;
  }
};

/// The integers behind a quota of `count` per `period` with `burst` at once, or errc::rate_invalid_quota when
/// count, period or burst is zero or negative, when the rate exceeds 4 per nanosecond (4e9 per second), or
/// when the window (burst emission intervals) exceeds 2^61 units: 36.5 to 73 years for emission intervals of
/// 1 ns or more, 2^61 emission intervals below.
inline result<gcra_params> make_gcra_params(std::uint64_t count, std::chrono::nanoseconds quota_period,
                                            std::uint64_t burst) noexcept {
  if (count == 0 || quota_period.count() <= 0 || burst == 0) return errc::rate_invalid_quota;
  const auto period = static_cast<std::uint64_t>(quota_period.count());
  std::uint8_t shift = 0;
  while ((count << shift) < period) ++shift;  // count << (shift - 1) < period < 2^63: never overflows
  const std::uint64_t units_per_period = count << shift;
  const std::uint64_t whole = units_per_period / period;
  if (whole > 4 || (whole == 4 && units_per_period % period != 0)) return errc::rate_invalid_quota;
  if (burst > ((std::uint64_t{1} << 61) >> shift)) return errc::rate_invalid_quota;

  gcra_params params{};
  params.count = count;
  params.period_ns = period;
  params.burst = burst;
  params.shift = shift;
  params.units_per_ns_whole = static_cast<std::uint8_t>(whole);
  const wide_quotient fraction = arith::divide_wide({units_per_period % period, 0}, period);
  params.units_per_ns_fraction = fraction.quotient + (fraction.remainder != 0 ? 1 : 0);
  // ns per unit = period / units_per_period <= 1; times 2^63, rounded up.
  const wide_quotient ns_per_unit = arith::divide_wide({period >> 1, period << 63}, units_per_period);
  params.ns_per_unit_q63 = ns_per_unit.quotient + (ns_per_unit.remainder != 0 ? 1 : 0);
  params.ns_per_unit_exact = ns_per_unit.remainder == 0;
  return params;
}

/// The debt of `state` at `now` (both units on the axis): 0 when the state is unused or its TAT is not
/// after `now`, else how far ahead, at most `cap`. A `now` so old that the state could not have been reached
/// by then (more than `cap` before the TAT: a clock gone backwards, however far) is read as the oldest time
/// that could, so going back in time never refills a bucket and no wait grows unbounded.
constexpr std::uint64_t gcra_debt(std::uint64_t state, std::uint64_t now, std::uint64_t cap) noexcept {
  if (state <= now) return 0;  // state 0, never used, included
  const std::uint64_t ahead = state - now;
  return ahead < cap ? ahead : cap;
}

/// The state for a TAT of `tat` units: 0 means "never used", so a TAT of exactly 0 would be stored as 1 (one
/// unit, under a nanosecond, later: never more capacity); times start at unit 1, so no TAT is 0.
constexpr std::uint64_t gcra_state(std::uint64_t tat) noexcept { return tat + (tat == 0 ? 1 : 0); }

/// The outcome of one GCRA step, in the order of rate::verdict.
enum class outcome : std::uint8_t { allowed, denied, never };

/// The answer of one GCRA step: the fields of rate::decision (rate/gcra.hpp converts it).
struct answer {
  outcome result = outcome::denied;
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;
  std::chrono::nanoseconds wait{};
  std::chrono::nanoseconds reset_after{};
};

/// The answer for a request that was allowed, leaving `debt_after` units of debt (above the window only for
/// a peek while reservations are queued).
constexpr answer gcra_allowed(const gcra_params& params, std::uint64_t debt_after) noexcept {
  answer out;
  out.result = outcome::allowed;
  out.limit = params.burst;
  out.remaining = debt_after >= params.window() ? 0 : (params.window() - debt_after) >> params.shift;
  out.reset_after = params.to_duration(debt_after);
  return out;
}

/// The answer for a request that was not allowed (`result` denied or never) at a debt of `debt`; `wait` is
/// the wait reported for denied (ignored for never).
constexpr answer gcra_refused(const gcra_params& params, outcome result, std::uint64_t debt,
                              std::uint64_t wait) noexcept {
  answer out;
  out.result = result;
  out.limit = params.burst;
  out.remaining = debt >= params.window() ? 0 : (params.window() - debt) >> params.shift;
  out.reset_after = params.to_duration(debt);
  if (result == outcome::denied) out.wait = params.to_duration(wait);
  return out;
}

/// The state under `to` that a state under `from` becomes when the quota changes at `now_ns`: the time until
/// the bucket is full again is kept, split into the part within `from`'s window (spent capacity) and the part
/// beyond it (reservations), each rounded up to `to`'s units and capped at `to`'s window. A `now_ns` older
/// than the state could have been reached is read as the oldest time that could (as gcra_debt() does), and
/// the new state counts from there, so a clock gone back gives no capacity through a quota change either.
/// Never 0; call it for a used state only (a state of 0, never used, stays 0 under any quota).
constexpr std::uint64_t gcra_rebase(const gcra_params& from, const gcra_params& to, std::uint64_t state,
                                    std::int64_t now_ns) noexcept {
  const std::uint64_t cap = from.debt_cap();
  if (const std::uint64_t at = from.to_units(now_ns); state > at && state - at > cap) {
    const std::int64_t oldest = from.to_nanoseconds(state - cap);
    if (oldest > now_ns) now_ns = oldest;
  }
  const std::uint64_t debt = gcra_debt(state, from.to_units(now_ns), cap);
  const std::uint64_t spent = debt < from.window() ? debt : from.window();
  const auto spent_ns = static_cast<std::uint64_t>(from.to_duration(spent).count());
  const auto reserved_ns = static_cast<std::uint64_t>(from.to_duration(debt - spent).count());
  const std::uint64_t new_debt =
      to.duration_to_units(spent_ns, to.window()) + to.duration_to_units(reserved_ns, to.window());
  return gcra_state(to.to_units(now_ns) + new_debt);
}

/// A time point as nanoseconds since its clock's epoch, rounded down and saturated to the int64 range (a
/// clock counting seconds goes beyond it after 292 years). A clock counting in floating point fails to
/// compile here, with a message.
template <class TimePoint>
constexpr std::int64_t nanoseconds_since_epoch(TimePoint now) noexcept {
  return time_convert::floor_nanoseconds(now.time_since_epoch());
}

/// True when reading `Clock` cannot throw.
template <class Clock>
constexpr bool clock_reads_noexcept = noexcept(std::declval<const Clock&>().now());

/// Holds the clock of a limiter: nothing for a clock without state (a default-constructed one is read), a
/// copy otherwise. Limiters derive from it so an empty clock takes no space.
template <class Clock, bool Stateless = std::is_empty<Clock>::value>
class clock_holder {
 protected:
  explicit clock_holder(const Clock& clock) : clock_(clock) {}
  auto read_clock() const noexcept(clock_reads_noexcept<Clock>) { return clock_.now(); }

 private:
  Clock clock_;
};

template <class Clock>
class clock_holder<Clock, true> {
 protected:
  explicit clock_holder(const Clock&) noexcept {}
  auto read_clock() const noexcept(clock_reads_noexcept<Clock>) { return Clock().now(); }
};

}  // namespace keyward::detail::rate_gcra

#endif  // KEYWARD_DETAIL_RATE_GCRA_HPP
