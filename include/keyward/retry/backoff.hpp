// keyward: how long a client waits before each retry, and when it stops. Exponential backoff with a cap and
// the jitter variants of the AWS Architecture Blog post "Exponential Backoff And Jitter" (M. Brooker, 2015),
// the gRPC connection backoff (grpc/grpc doc/connection-backoff.md), the limits of one retry loop (attempts,
// total time, which failures to retry), and a retry budget shared by every call to one dependency, so that
// a failing dependency does not get a retry storm.
//
// Randomness comes from a UniformRandomBitGenerator given by the caller (keyward::random::os_generator by
// default) and is mapped to a range by a fixed rule, so a scripted generator gives delays that can be
// derived by hand: a draw in [lo, hi] (nanoseconds, both included) from 64 random bits r is
// lo + floor(r * (hi - lo + 1) / 2^64).
/// \file
/// How long a client waits before each retry, and when it stops: backoff and retry budgets.
#ifndef KEYWARD_RETRY_BACKOFF_HPP
#define KEYWARD_RETRY_BACKOFF_HPP

#include "../detail/arith.hpp"
#include "../error.hpp"
#include "../random.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace keyward::detail::retry_backoff {

/// 64 uniformly random bits from `random`, a UniformRandomBitGenerator whose range holds a power of two of
/// values (every standard engine but the linear congruential ones, std::random_device, os_generator): one
/// call for a 64-bit range, else the outputs of several calls side by side.
template <class Random>
std::uint64_t random_bits(Random& random) noexcept(noexcept(random())) {
  constexpr auto low = static_cast<std::uint64_t>((Random::min)());
  constexpr std::uint64_t range = static_cast<std::uint64_t>((Random::max)()) - low;
  static_assert(range != 0 && (range & (range + 1)) == 0,
                "keyward: the random source must produce every value of a power-of-two range");
  if constexpr (range == (std::numeric_limits<std::uint64_t>::max)()) {
    return static_cast<std::uint64_t>(random()) - low;
  } else {
    constexpr int width = [] {
      int bits = 0;
      for (std::uint64_t r = range; r != 0; r >>= 1) ++bits;
      return bits;
    }();
    std::uint64_t bits = 0;
    for (int filled = 0; filled < 64; filled += width) bits = (bits << width) | (static_cast<std::uint64_t>(random()) - low);
    return bits;
  }
}

/// A uniformly random count in [lo, hi] (0 <= lo <= hi): lo + floor(r * (hi - lo + 1) / 2^64).
template <class Random>
std::int64_t uniform_between(std::int64_t lo, std::int64_t hi, Random& random) noexcept(noexcept(random())) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;  // at most 2^63: no wrap
  return lo + static_cast<std::int64_t>(arith::multiply_high(random_bits(random), span));
}

/// `value` (>= 0) times `factor` (>= 0), rounded to the nearest integer, or int64's maximum when larger.
inline std::int64_t scale_saturated(std::int64_t value, double factor) noexcept {
  const double product = static_cast<double>(value) * factor;
  constexpr double limit = 9223372036854775808.0;  // 2^63; every double below it fits in int64
  if (!(product < limit)) return (std::numeric_limits<std::int64_t>::max)();
  return static_cast<std::int64_t>(std::llround(product));
}

}  // namespace keyward::detail::retry_backoff

namespace keyward::retry {

/// How a backoff randomizes its delays. t(n) = min(cap, base * multiplier^n) is the exponential
/// ceiling for retry n (0 before the first retry).
enum class jitter : std::uint8_t {
  none,          ///< exactly t(n) (the blog's "Exponential")
  full,          ///< uniform in [0, t(n)] (the blog's "Full Jitter")
  equal,         ///< uniform in [t(n) / 2, t(n)], t(n) / 2 rounded down (the blog's "Equal Jitter")
  decorrelated,  ///< min(cap, uniform in [base, 3 * previous delay]), starting from base ("Decorrelated Jitter")
  proportional,  ///< gRPC: base before the first retry, then t(n) +- fraction * t(n), uniform; may exceed cap
};

/// The delays between attempts: a kind of jitter over an exponential ceiling. Built by the named functions,
/// which check the parameters; the default is full jitter from 100 ms, doubling, capped at 20 s. Delays are
/// nanoseconds; they never overflow, whatever the retry number.
class backoff {
 public:
  /// Full jitter, base 100 ms, multiplier 2, cap 20 s.
  constexpr backoff() noexcept = default;

  /// min(cap, base * multiplier^n), no randomness. errc::retry_invalid_backoff unless 0 < base <= cap
  /// and multiplier is finite and >= 1.
  static constexpr result<backoff> exponential(std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                                               double multiplier = 2.0) noexcept {
    return make(jitter::none, base, cap, multiplier, 0.0);
  }
  /// The blog's "Full Jitter": uniform in [0, min(cap, base * multiplier^n)]; errors as exponential().
  static constexpr result<backoff> full_jitter(std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                                               double multiplier = 2.0) noexcept {
    return make(jitter::full, base, cap, multiplier, 0.0);
  }
  /// The blog's "Equal Jitter": half of min(cap, base * multiplier^n) plus a uniform draw up to the other
  /// half; errors as exponential().
  static constexpr result<backoff> equal_jitter(std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                                                double multiplier = 2.0) noexcept {
    return make(jitter::equal, base, cap, multiplier, 0.0);
  }
  /// The blog's "Decorrelated Jitter": sleep = min(cap, uniform in [base, sleep * 3]), sleep starting at
  /// base. errc::retry_invalid_backoff unless 0 < base <= cap.
  static constexpr result<backoff> decorrelated_jitter(std::chrono::nanoseconds base,
                                                       std::chrono::nanoseconds cap) noexcept {
    return make(jitter::decorrelated, base, cap, 3.0, 0.0);
  }
  /// The gRPC connection backoff (doc/connection-backoff.md), its defaults included: `initial` before the
  /// first retry, then b(n) = min(initial * multiplier^n, max) plus a uniform draw in
  /// [-jitter_fraction * b(n), +jitter_fraction * b(n)] (rounded to the nanosecond), so a delay may exceed
  /// `max` by that fraction as in gRPC. errc::retry_invalid_backoff unless 0 < initial <= max,
  /// multiplier is finite and >= 1, and 0 <= jitter_fraction <= 1.
  static constexpr result<backoff> grpc(std::chrono::nanoseconds initial = std::chrono::seconds(1),
                                        double multiplier = 1.6, double jitter_fraction = 0.2,
                                        std::chrono::nanoseconds max = std::chrono::seconds(120)) noexcept {
    return make(jitter::proportional, initial, max, multiplier, jitter_fraction);
  }

  /// How the delays are randomized.
  constexpr retry::jitter kind() const noexcept { return kind_; }
  /// The delay scale: the first ceiling, and the least decorrelated delay.
  constexpr std::chrono::nanoseconds base() const noexcept { return base_; }
  /// The largest ceiling (exceeded only by proportional jitter).
  constexpr std::chrono::nanoseconds cap() const noexcept { return cap_; }
  /// The growth factor per retry (3 for decorrelated jitter).
  constexpr double multiplier() const noexcept { return multiplier_; }
  /// The +- fraction of proportional jitter; 0 for the other kinds.
  constexpr double jitter_fraction() const noexcept { return jitter_fraction_; }

  /// The exponential ceiling before retry `retry` (0 for the first): min(cap, base * multiplier^retry),
  /// rounded to the nanosecond; cap for any retry number large enough, 10^9 and 2^64 - 1 included.
  std::chrono::nanoseconds ceiling(std::uint64_t retry) const noexcept {
    // pow() overflows to infinity, never to undefined behaviour; infinity and anything >= cap give cap.
    const double scaled = static_cast<double>(base_.count()) * std::pow(multiplier_, static_cast<double>(retry));
    if (!(scaled < static_cast<double>(cap_.count()))) return cap_;
    const auto rounded = static_cast<std::int64_t>(std::llround(scaled));
    return std::chrono::nanoseconds(rounded < cap_.count() ? rounded : cap_.count());
  }

  /// The delay before retry `retry` (0 for the first), drawing from `random` as the header comment says.
  /// `previous` is the delay returned for the retry before (base() before the first); only decorrelated
  /// jitter uses it. backoff_sequence keeps that state for a loop.
  template <class Random>
  std::chrono::nanoseconds delay(std::uint64_t retry, std::chrono::nanoseconds previous, Random& random) const
      noexcept(noexcept(random())) {
    using std::chrono::nanoseconds;
    namespace draw = detail::retry_backoff;
    switch (kind_) {
      case jitter::none:
        return ceiling(retry);
      case jitter::full:
        return nanoseconds(draw::uniform_between(0, ceiling(retry).count(), random));
      case jitter::equal: {
        const std::int64_t t = ceiling(retry).count();
        return nanoseconds(draw::uniform_between(t / 2, t, random));
      }
      case jitter::decorrelated: {
        const std::int64_t from = previous > base_ ? previous.count() : base_.count();
        const std::int64_t drawn =
            draw::uniform_between(base_.count(), draw::scale_saturated(from, multiplier_), random);
        return nanoseconds(drawn < cap_.count() ? drawn : cap_.count());
      }
      case jitter::proportional: {
        if (retry == 0) return base_;
        const std::int64_t t = ceiling(retry).count();
        const std::int64_t product = draw::scale_saturated(t, jitter_fraction_);
        const std::int64_t spread = product < t ? product : t;  // rounding aside, fraction <= 1 keeps it <= t
        const std::int64_t top = (std::numeric_limits<std::int64_t>::max)();
        return nanoseconds(draw::uniform_between(t - spread, t > top - spread ? top : t + spread, random));
      }
    }
    return base_;  // not reached: every jitter is handled above
  }

 private:
  constexpr backoff(jitter kind, std::chrono::nanoseconds base, std::chrono::nanoseconds cap,
                           double multiplier, double jitter_fraction) noexcept
      : kind_(kind), base_(base), cap_(cap), multiplier_(multiplier), jitter_fraction_(jitter_fraction) {}

  static constexpr result<backoff> make(jitter kind, std::chrono::nanoseconds base,
                                        std::chrono::nanoseconds cap, double multiplier,
                                        double jitter_fraction) noexcept {
    // Written so that NaN fails every test.
    const bool valid = base.count() > 0 && cap >= base && multiplier >= 1.0 &&
                       multiplier <= (std::numeric_limits<double>::max)() && jitter_fraction >= 0.0 &&
                       jitter_fraction <= 1.0;
    if (!valid) return errc::retry_invalid_backoff;
    return backoff(kind, base, cap, multiplier, jitter_fraction);
  }

  jitter kind_ = jitter::full;
  std::chrono::nanoseconds base_ = std::chrono::milliseconds(100);
  std::chrono::nanoseconds cap_ = std::chrono::seconds(20);
  double multiplier_ = 2.0;
  double jitter_fraction_ = 0.0;
};

/// The successive delays of one retry loop under a backoff: the retry number, and the previous delay
/// for decorrelated jitter. Holds a reference to the random source, which must outlive it.
template <class Random = random::os_generator>
class backoff_sequence {
 public:
  /// A sequence of `delays`, drawing from `random`, before its first retry.
  backoff_sequence(const backoff& delays, Random& random) noexcept
      : delays_(delays), random_(&random), previous_(delays.base()) {}

  /// The delay before the next retry.
  std::chrono::nanoseconds next() noexcept(noexcept(std::declval<Random&>()())) {
    previous_ = delays_.delay(retries_, previous_, *random_);
    if (retries_ != (std::numeric_limits<std::uint64_t>::max)()) ++retries_;
    return previous_;
  }
  /// How many delays next() has returned (saturating at 2^64 - 1).
  std::uint64_t retries() const noexcept { return retries_; }
  /// Back to the state before the first retry.
  void reset() noexcept {
    retries_ = 0;
    previous_ = delays_.base();
  }

 private:
  backoff delays_;
  Random* random_;
  std::uint64_t retries_ = 0;
  std::chrono::nanoseconds previous_;
};

/// The limits of one retry loop and which failures it retries (retry::run() follows them; see run.hpp).
struct retry_options {
  retry::backoff backoff;          ///< the wait before each retry
  std::uint32_t max_attempts = 3;  ///< attempts in all, the first included; 0 and 1 both mean "never retry"
  /// Measured from the start of the first attempt: no wait may end after it, so a retry that would need
  /// one is not made. nanoseconds::max() for no limit.
  std::chrono::nanoseconds time_budget = std::chrono::seconds(60);
  /// A Retry-After or RateLimit reset delay longer than this ends the loop rather than being waited for.
  std::chrono::nanoseconds max_server_delay = std::chrono::seconds(60);
  bool retry_server_errors = true;     ///< retry 5xx other than 503 (always retried)
  bool retry_transport_errors = true;  ///< retry attempts that got no HTTP response at all
};

/// A token bucket that bounds retries across every call sharing it, like the AWS SDKs' retry quota (which
/// uses 500 tokens, 5 per retry and 1 back per success: the defaults here) and gRPC retry throttling: each
/// retry costs retry_cost tokens and is refused when fewer are left; each success puts success_refund back,
/// up to capacity. Starts full. Thread-safe and lock-free (one atomic counter), no allocation; not copyable.
class retry_budget {
 public:
  /// A full bucket of `capacity` tokens.
  constexpr explicit retry_budget(std::uint32_t capacity = 500, std::uint32_t retry_cost = 5,
                                  std::uint32_t success_refund = 1) noexcept
      : capacity_(capacity), retry_cost_(retry_cost), success_refund_(success_refund), tokens_(capacity) {}
  retry_budget(const retry_budget&) = delete;
  retry_budget& operator=(const retry_budget&) = delete;

  /// Takes retry_cost() tokens and returns true when that many are left; returns false, taking nothing,
  /// when fewer are.
  bool try_spend() noexcept {
    std::uint32_t tokens = tokens_.load(std::memory_order_relaxed);
    do {
      if (tokens < retry_cost_) return false;
    } while (!tokens_.compare_exchange_weak(tokens, tokens - retry_cost_, std::memory_order_relaxed));
    return true;
  }
  /// Puts success_refund() tokens back, never beyond capacity().
  void record_success() noexcept {
    std::uint32_t tokens = tokens_.load(std::memory_order_relaxed);
    std::uint32_t refilled = 0;
    do {
      refilled = capacity_ - tokens <= success_refund_ ? capacity_ : tokens + success_refund_;
    } while (refilled != tokens &&
             !tokens_.compare_exchange_weak(tokens, refilled, std::memory_order_relaxed));
  }
  /// The tokens left now.
  std::uint32_t available() const noexcept { return tokens_.load(std::memory_order_relaxed); }
  /// The most tokens the bucket holds.
  constexpr std::uint32_t capacity() const noexcept { return capacity_; }
  /// The tokens a retry takes.
  constexpr std::uint32_t retry_cost() const noexcept { return retry_cost_; }
  /// The tokens a success puts back.
  constexpr std::uint32_t success_refund() const noexcept { return success_refund_; }

 private:
  const std::uint32_t capacity_;
  const std::uint32_t retry_cost_;
  const std::uint32_t success_refund_;
  std::atomic<std::uint32_t> tokens_;
};

}  // namespace keyward::retry

#endif  // KEYWARD_RETRY_BACKOFF_HPP
