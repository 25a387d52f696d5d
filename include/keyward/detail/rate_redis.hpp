// keyward (private): the parts of the Redis GCRA limiter (rate/redis.hpp) that need no hiredis: the script's
// exact integer arguments for a quota, the script's form of a time, and the SIGPIPE guard around each call.
// No stability promise; not for users.
#ifndef KEYWARD_DETAIL_RATE_REDIS_HPP
#define KEYWARD_DETAIL_RATE_REDIS_HPP

#include "../error.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace keyward::detail::rate_redis {

/// Blocks SIGPIPE in the calling thread while alive, and discards a SIGPIPE raised meanwhile (a write to a
/// connection the server has closed): hiredis writes with write(2), which would otherwise kill a process
/// that has not ignored SIGPIPE. Thread-safe: only this thread's signal mask changes.
class sigpipe_blocker {
 public:
  sigpipe_blocker() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~sigpipe_blocker() {
    const int saved_errno = errno;
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    errno = saved_errno;
  }
  sigpipe_blocker(const sigpipe_blocker&) = delete;
  sigpipe_blocker& operator=(const sigpipe_blocker&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

/// A duration of nanoseconds as a pair (ns, f) = ns + f / count, 0 <= f < count: the script's exact form.
struct redis_pair {
  std::uint64_t ns = 0;
  std::uint64_t fraction = 0;
};

/// What the script needs from a quota and a cost: T, W and cost * T as pairs.
struct redis_gcra_args {
  redis_pair interval;
  redis_pair window;
  redis_pair need;
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
  if (cost <= burst) args.need = redis_intervals(count, period, cost);  // a larger cost is verdict::never
  return args;
}

/// A time since the Unix epoch as the script takes it: whole microseconds (rounded down) and the
/// nanoseconds beyond them (0 to 999).
struct script_time {
  std::int64_t micros = 0;
  std::int64_t nanos = 0;
};

/// `now` as a script_time (system_clock of any precision: the microseconds are floored, which never
/// overflows, and the rest is below 1 us).
template <class Duration>
constexpr script_time script_time_of(std::chrono::time_point<std::chrono::system_clock, Duration> now) noexcept {
  const auto micros = std::chrono::floor<std::chrono::microseconds>(now);
  return {static_cast<std::int64_t>(micros.time_since_epoch().count()),
          static_cast<std::int64_t>(std::chrono::floor<std::chrono::nanoseconds>(now - micros).count())};
}

}  // namespace keyward::detail::rate_redis

#endif  // KEYWARD_DETAIL_RATE_REDIS_HPP
