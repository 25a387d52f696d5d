// keyward: what a rate limiter is asked to enforce (quota), what it answers (decision), and the Retry-After
// a denial is sent with. Shared by the in-process GCRA limiter (rate/gcra.hpp), the keyed limiter
// (rate/keyed.hpp), the Redis backend (rate/redis.hpp) and the header writers (rate/ratelimit_fields.hpp,
// rate/x_ratelimit.hpp).
/// \file
/// What a rate limiter enforces (quota) and answers (decision).
#ifndef KEYWARD_RATE_QUOTA_HPP
#define KEYWARD_RATE_QUOTA_HPP

#include "../detail/arith.hpp"
#include "../http/retry_after.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace keyward::detail::rate_quota {

/// `delay` in whole seconds, rounded up (1 ns gives 1, 1 s gives 1, 1.000000001 s gives 2), 0 for a delay of
/// zero or less: how the rate fields announce a reset, which must never come early.
constexpr std::uint64_t seconds_rounded_up(std::chrono::nanoseconds delay) noexcept {
  if (delay.count() <= 0) return 0;
  return arith::ceil_div(static_cast<std::uint64_t>(delay.count()), 1'000'000'000u);
}

}  // namespace keyward::detail::rate_quota

namespace keyward::rate {

/// A rate limit: on average `count` requests per `period`, with up to `burst` requests at once. In GCRA
/// terms the emission interval is period / count and the burst tolerance is (burst - 1) emission intervals.
struct quota {
  std::uint64_t count = 1;                     ///< requests allowed per period; at least 1
  std::chrono::nanoseconds period{std::chrono::seconds(1)};  ///< the period; at least 1 ns
  std::uint64_t burst = 1;                     ///< the most requests allowed at once; at least 1

  /// True when count, period and burst are all positive.
  constexpr bool valid() const noexcept { return count > 0 && period.count() > 0 && burst > 0; }

  /// Quotas are equal when count, period and burst are.
  ///@{
  friend constexpr bool operator==(const quota& a, const quota& b) noexcept {
    return a.count == b.count && a.period == b.period && a.burst == b.burst;
  }
  friend constexpr bool operator!=(const quota& a, const quota& b) noexcept { return !(a == b); }
  ///@}
};

/// The outcome of asking a limiter for capacity.
enum class verdict : std::uint8_t {
  allowed,  ///< the request may proceed; its cost has been taken
  denied,   ///< not now: retry after decision::wait
  never,    ///< the cost exceeds the burst, so no amount of waiting can allow it
};

/// A limiter's answer to one request: the verdict plus what the RateLimit and Retry-After headers report.
struct decision {
  verdict outcome = verdict::denied;       ///< allowed, denied, or never
  std::uint64_t limit = 0;                 ///< the burst: the most requests allowed at once
  std::uint64_t remaining = 0;             ///< cost-1 requests that would still be allowed right now
  std::chrono::nanoseconds wait{};         ///< when denied: how long until this request would be allowed
  std::chrono::nanoseconds reset_after{};  ///< how long until the limiter is back to a full burst

  /// True when the request was allowed.
  constexpr bool allowed() const noexcept { return outcome == verdict::allowed; }
  /// allowed().
  constexpr explicit operator bool() const noexcept { return allowed(); }
};

/// The Retry-After delay to send with `d` (RFC 9110 section 10.2.3): when denied, its wait rounded up to
/// whole seconds and at least 1 s by http::retry_after_delay(); nothing when allowed, or for verdict::never,
/// since no wait helps (send no Retry-After then). Write it with http::write_retry_after().
constexpr std::optional<std::chrono::seconds> retry_after(const decision& d) noexcept {
  if (d.outcome != verdict::denied) return std::nullopt;
  return http::retry_after_delay(d.wait);
}

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_QUOTA_HPP
