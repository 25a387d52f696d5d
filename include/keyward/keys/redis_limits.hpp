// keyward: per-key rate limits kept in Redis, for keys::verifier: a Limiter (keys/limits.hpp) over
// rate::redis_limiter, so that every application server sharing the Redis server shares each key's limit.
// Optional, like rate/redis.hpp: it needs hiredis, so keyward.hpp does not include it.
//
//   auto redis = *keyward::rate::redis_limiter::make(redis_options);      // one per thread (see there)
//   using limited = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::redis_limits>;
//   auto verify = *limited::make(store, options, peppers, *keys::redis_limits::make(redis));
/// \file
/// Per-key rate limits kept in Redis, for keys::verifier (needs hiredis).
#ifndef KEYWARD_KEYS_REDIS_LIMITS_HPP
#define KEYWARD_KEYS_REDIS_LIMITS_HPP

#include "../error.hpp"
#include "../rate/quota.hpp"
#include "../rate/redis.hpp"
#include "format.hpp"
#include "record.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace keyward::keys {

/// Whose clock times a key's limit in Redis.
enum class redis_clock : std::uint8_t {
  server,  ///< the Redis server's (TIME), shared by the fleet, with expiring keys: the default
  caller,  ///< the verifier's `now` (for tests and replays; keys are written without expiry, see rate::redis_limiter)
};

/// A Limiter over a rate::redis_limiter: each key's limit lives at the Redis key `<key_namespace><id>`, under
/// the quota of its record (a plan change applies at once: the stored state is read under the new quota).
/// Holds a reference to the redis_limiter, which must outlive it; not thread-safe, like the redis_limiter
/// (give each thread its own verifier, or guard one). Allocates nothing per call beyond what
/// rate::redis_limiter does.
class redis_limits {
 public:
  /// The longest key namespace, in bytes.
  static constexpr std::size_t max_namespace_length = 64;

  /// A limiter over `limiter`, with Redis keys `<key_namespace><id>` timed by `clock`.
  /// errc::key_invalid_options when key_namespace is longer than max_namespace_length.
  static result<redis_limits> make(rate::redis_limiter& limiter, std::string_view key_namespace = "keyward:key:",
                                   redis_clock clock = redis_clock::server) noexcept {
    if (key_namespace.size() > max_namespace_length) return errc::key_invalid_options;
    return redis_limits(limiter, key_namespace, clock);
  }

  /// Takes one request from the limit of `key_id` under `limit`: rate::redis_limiter::acquire() at the
  /// server's time, or at `now` with redis_clock::caller. Its errors (errc::redis_unavailable,
  /// redis_timeout, redis_protocol, redis_error_reply, rate_invalid_quota, redis_unsupported_quota,
  /// redis_unsupported_time), on which the verifier fails closed unless told otherwise;
  /// errc::key_invalid_length when key_id is not id_length characters.
  result<rate::decision> acquire(std::string_view key_id, const rate::quota& limit, sys_nanoseconds now) noexcept {
    if (key_id.size() != id_length) return errc::key_invalid_length;
    char name[max_namespace_length + id_length];
    std::memcpy(name, namespace_, namespace_size_);
    std::memcpy(name + namespace_size_, key_id.data(), id_length);
    const std::string_view key(name, namespace_size_ + id_length);
    if (clock_ == redis_clock::caller) return limiter_->acquire(key, now, limit);
    return limiter_->acquire(key, limit);
  }

 private:
  redis_limits(rate::redis_limiter& limiter, std::string_view key_namespace, redis_clock clock) noexcept
      : limiter_(&limiter), namespace_size_(key_namespace.size()), clock_(clock) {
    if (!key_namespace.empty()) std::memcpy(namespace_, key_namespace.data(), key_namespace.size());
  }

  rate::redis_limiter* limiter_;
  char namespace_[max_namespace_length] = {};
  std::size_t namespace_size_;
  redis_clock clock_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_REDIS_LIMITS_HPP
