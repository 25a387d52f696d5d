// keyward: per-key rate limits for the verifier, the quota of each key taken from its record (its plan
// tier). The Limiter concept, no_limiter (no per-key limit), and tiered_limiter: one in-process
// rate::keyed limiter per plan tier, declared when it is made.
//
// The Limiter concept (what verifier<Store, Clock, Limiter> calls, once per authenticated request whose
// record has a quota):
//   acquire(std::string_view key_id, const rate::quota& limit, keys::sys_nanoseconds now)
//       -> result<rate::decision>
// An error means the limiter could not decide (a backend down, no room for the key, a quota it does not
// enforce); the verifier then fails closed (503) unless verifier_options::on_limiter_failure says open.
// keys/redis_limits.hpp adapts rate::redis_limiter (optional: it needs hiredis, so keyward.hpp leaves it out).
/// \file
/// Per-key rate limits for keys::verifier: the Limiter concept, no_limiter and tiered_limiter (in process).
#ifndef KEYWARD_KEYS_LIMITS_HPP
#define KEYWARD_KEYS_LIMITS_HPP

#include "../error.hpp"
#include "../rate/keyed.hpp"
#include "../rate/quota.hpp"
#include "format.hpp"
#include "record.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::detail::keys_limits {

/// The wall clock counted in nanoseconds since 1970, as rate::keyed's Clock: the verifier hands the limiter
/// its `now` in this form, so that every platform's system_clock precision converts without overflow.
struct unix_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<unix_clock, duration>;
  static constexpr bool is_steady = false;
  static time_point now() noexcept {
    return time_point(duration(time_convert::floor_nanoseconds(std::chrono::system_clock::now().time_since_epoch())));
  }
};

}  // namespace keyward::detail::keys_limits

namespace keyward::keys {

/// The Limiter of a verifier without per-key rate limits (the default): the verifier skips the step, and
/// principal::rate() is empty. Its acquire() allows everything, for code that calls it directly.
struct no_limiter {
  /// An allowed decision with nothing counted. Never fails.
  result<rate::decision> acquire(std::string_view, const rate::quota&, sys_nanoseconds) const noexcept {
    rate::decision allowed;
    allowed.outcome = rate::verdict::allowed;
    return allowed;
  }
};

/// Per-key GCRA limits in process, one rate::keyed limiter per plan tier (a quota), all declared by make():
/// a key is limited under the tier equal to its record's quota, and a quota that is not a tier is an error
/// (errc::rate_invalid_quota), which the verifier answers by failing closed, since enforcing an undeclared
/// quota would need memory the limiter does not have. Keys are held as their 12-character id, so acquire()
/// never allocates. Thread-safe (see rate::keyed). Times are the verifier's `now`.
class tiered_limiter {
 public:
  /// A limiter for the `count` quotas at `tiers`, each tracking up to `max_keys_per_tier` keys at once (see
  /// rate::keyed for the memory this takes, allocated now). errc::key_invalid_options for no tier or a
  /// quota given twice; the errors of rate::keyed::make() (rate_invalid_quota, rate_invalid_capacity,
  /// random_unavailable).
  static result<tiered_limiter> make(const rate::quota* tiers, std::size_t count, std::size_t max_keys_per_tier) {
    if (count == 0) return errc::key_invalid_options;
    tiered_limiter made;
    made.tiers_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (tiers[j] == tiers[i]) return errc::key_invalid_options;
      }
      result<bucket_table> table = bucket_table::make(tiers[i], max_keys_per_tier);
      if (!table) return table.error();
      made.tiers_.push_back(tier{tiers[i], std::move(*table)});
    }
    return made;
  }
  /// make() over an initializer list.
  static result<tiered_limiter> make(std::initializer_list<rate::quota> tiers, std::size_t max_keys_per_tier) {
    return make(tiers.begin(), tiers.size(), max_keys_per_tier);
  }

  /// Takes one request from the bucket of `key_id` in the tier of `limit`, at `now`: rate::keyed::acquire().
  /// errc::rate_invalid_quota when `limit` is not a tier, errc::key_invalid_length when `key_id` is not
  /// id_length characters, errc::rate_capacity_exhausted when the tier is full of keys still in debt.
  result<rate::decision> acquire(std::string_view key_id, const rate::quota& limit, sys_nanoseconds now) {
    if (key_id.size() != id_length) return errc::key_invalid_length;
    for (tier& each : tiers_) {
      if (each.limit != limit) continue;
      std::array<char, id_length> id{};
      for (std::size_t i = 0; i < id_length; ++i) id[i] = key_id[i];
      return each.buckets.acquire(id, detail::keys_limits::unix_clock::time_point(now.time_since_epoch()));
    }
    return errc::rate_invalid_quota;
  }

  /// The number of tiers.
  std::size_t tier_count() const noexcept { return tiers_.size(); }

 private:
  using bucket_table = rate::keyed<std::array<char, id_length>, rate::keyed_hash, detail::keys_limits::unix_clock>;
  struct tier {
    rate::quota limit;
    bucket_table buckets;
  };
  tiered_limiter() = default;
  std::vector<tier> tiers_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_LIMITS_HPP
