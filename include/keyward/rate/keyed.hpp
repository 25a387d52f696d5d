// keyward: per-key GCRA rate limiting (one bucket per API key, user or address) in a fixed amount of memory:
// sharded open-addressing tables allocated once, where only keys whose bucket is full again are ever dropped.
#ifndef KEYWARD_RATE_KEYED_HPP
#define KEYWARD_RATE_KEYED_HPP

#include "../detail/arith.hpp"
#include "../detail/rate_gcra.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "gcra.hpp"
#include "quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

namespace keyward::detail::rate_keyed {

/// Spreads the bits of a hash value over all 64 (the MurmurHash3 64-bit finalizer), so that hashes that
/// differ in a few bits, or std::hash of an integer (the integer itself), land in unrelated places.
constexpr std::uint64_t mix_hash(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53u;
  h ^= h >> 33;
  return h;
}

}  // namespace keyward::detail::rate_keyed

namespace keyward::rate {

/// One GCRA bucket per key (see rate::gcra for the algorithm, its resolution and its treatment of time), all
/// under one quota, for at most `max_keys` keys in memory allocated once by make(). Thread-safe: the keys are
/// spread by hash over a fixed number of shards (one per 1024 keys, a power of two, at most 64), each a mutex
/// and an open-addressing table (linear probing, at most 75% full) that never grows.
///
/// Memory bound and eviction. A key is stored when a request of it is first allowed; a key whose bucket is
/// full again at `now` (its debt is repaid: it is "fresh") equals a key never seen, so dropping it loses
/// nothing. When a shard is at its share of max_keys and a new key arrives, the shard sweeps its table and
/// drops fresh keys; a key with any debt is never dropped, so flooding the limiter with new keys can never
/// hand a limited key a new bucket. (Recency is therefore not tracked: fresh keys are dropped in table order,
/// and no other key may be dropped at all.) When every key of the shard is still in debt, the new key fails
/// closed with errc::rate_capacity_exhausted, and keeps failing in constant time until the earliest of those
/// debts is repaid; the limited keys keep their state. Answer it like a denial (429 or 503 with a
/// Retry-After). Each shard holds its share of max_keys, and keys spread by hash, so a shard can fill a
/// little before max_keys keys are stored in all (the first refusal comes at about 98% of a million): size
/// max_keys with some headroom over the number of keys in debt at once (active within one window).
///
/// Keys are stored whole, so two different keys never share a bucket. Key must be default-constructible,
/// copy-assignable and equality-comparable; Hash maps it to std::size_t (its value is mixed with a random
/// seed drawn by make(), so that hash values chosen by an attacker do not cluster in the table). A Key that
/// owns heap memory (std::string) allocates when a new key is stored; fixed-size keys (an integer id, an
/// address, a digest) never do. Memory: bytes_per_key() = memory_bytes() / max_keys, where memory_bytes() =
/// shards * sizeof(shard) + table slots * sizeof(slot), sizeof(slot) = sizeof(Key) + 8 rounded up to the
/// alignment, and table slots = about 4/3 * max_keys; for a 64-bit key, 16 * 4/3 = 21.3 bytes per key.
template <class Key, class Hash = std::hash<Key>, class Clock = std::chrono::steady_clock>
class keyed : private detail::rate_gcra::clock_holder<Clock> {
 public:
  /// The key type.
  using key_type = Key;
  /// The clock read by the overloads without `now`.
  using clock_type = Clock;
  /// What the clock returns.
  using time_point = decltype(std::declval<const Clock&>().now());

  /// A limiter enforcing `limit` on each of at most `max_keys` keys at a time, with every table allocated
  /// now (std::bad_alloc propagates). errc::rate_invalid_quota as gcra::make(); errc::rate_invalid_capacity
  /// when max_keys is 0 or above 2^31 per shard; errc::random_unavailable when the OS gives no seed.
  static result<keyed> make(const quota& limit, std::size_t max_keys, const Hash& hash = Hash(),
                            const Clock& clock = Clock()) {
    auto params = detail::rate_gcra::make_gcra_params(limit.count, limit.period, limit.burst);
    if (!params) return params.error();
    if (max_keys == 0) return errc::rate_invalid_capacity;
    std::size_t shards = 1;
    while (shards < max_shards && shards * 2 * keys_per_shard <= max_keys) shards *= 2;
    if (max_keys / shards >= max_keys_per_shard) return errc::rate_invalid_capacity;
    std::uint64_t seed = 0;
    if (auto filled = random::fill(&seed, sizeof seed); !filled) return filled.error();
    return keyed(*params, max_keys, shards, seed, hash, clock);
  }

  /// Takes `cost` (default 1) from the bucket of `key` at `now`: the decision of gcra::acquire() for that
  /// bucket (a key not stored has a full one). errc::rate_capacity_exhausted when `key` is not stored, the
  /// request would be allowed, and its shard is full of keys still in debt (nothing is taken).
  result<decision> acquire(const Key& key, time_point now, std::uint64_t cost = 1) {
    namespace gcra_step = detail::rate_gcra;
    const std::uint64_t h = hash_of(key);
    shard& part = shard_of(h);
    const std::lock_guard<std::mutex> lock(part.mutex);
    const gcra_step::gcra_params& params = part.params;
    const std::uint64_t at = params.to_units(gcra_step::nanoseconds_since_epoch(now));
    std::uint32_t index = find(part, key, h);
    const std::uint64_t state = part.slots[index].state;  // 0 when the key is not stored
    const std::uint64_t debt = gcra_step::gcra_debt(state, at, params.debt_cap());
    if (cost > params.burst)
      return gcra_step::to_decision(gcra_step::gcra_refused(params, gcra_step::outcome::never, debt, 0));
    const std::uint64_t need = params.units_of_cost(cost);
    if (need == 0) return gcra_step::to_decision(gcra_step::gcra_allowed(params, debt));
    const std::uint64_t window = params.window();
    if (debt + need > window)
      return gcra_step::to_decision(
          gcra_step::gcra_refused(params, gcra_step::outcome::denied, debt, debt + need - window));
    if (state == 0) {
      if (part.size == part.limit) {
        if (!make_room(part, at)) return errc::rate_capacity_exhausted;
        index = find(part, key, h);  // dropping keys moved others
      }
      part.slots[index].key = key;
      ++part.size;
    }
    part.slots[index].state = gcra_step::gcra_state(at + debt + need);
    return gcra_step::to_decision(gcra_step::gcra_allowed(params, debt + need));
  }
  /// acquire() at the stored clock's present time.
  result<decision> acquire(const Key& key, std::uint64_t cost = 1) { return acquire(key, this->read_clock(), cost); }

  /// What the bucket of `key` holds at `now`, changing nothing and storing nothing (gcra::peek()). Never
  /// fails.
  decision peek(const Key& key, time_point now) const {
    namespace gcra_step = detail::rate_gcra;
    const std::uint64_t h = hash_of(key);
    shard& part = shard_of(h);
    const std::lock_guard<std::mutex> lock(part.mutex);
    const std::uint64_t state = part.slots[find(part, key, h)].state;
    const std::uint64_t at = part.params.to_units(gcra_step::nanoseconds_since_epoch(now));
    return gcra_step::to_decision(
        gcra_step::gcra_allowed(part.params, gcra_step::gcra_debt(state, at, part.params.debt_cap())));
  }
  /// peek() at the stored clock's present time.
  decision peek(const Key& key) const { return peek(key, this->read_clock()); }

  /// Enforces `limit` on every key from `now` on, converting each stored bucket as gcra::set_quota() does
  /// (the time until full is kept, capped at one window of the new quota). Thread-safe: shard by shard, each
  /// key switching at once; requests meanwhile see the old or the new quota. errc::rate_invalid_quota (as
  /// gcra::make()) changes nothing.
  result<void> set_quota(const quota& limit, time_point now) {
    namespace gcra_step = detail::rate_gcra;
    auto params = gcra_step::make_gcra_params(limit.count, limit.period, limit.burst);
    if (!params) return params.error();
    const std::int64_t now_ns = gcra_step::nanoseconds_since_epoch(now);
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shard& part = shards_[i];
      const std::lock_guard<std::mutex> lock(part.mutex);
      for (std::uint32_t j = 0; j < part.capacity; ++j) {
        std::uint64_t& state = part.slots[j].state;
        if (state != 0) state = gcra_step::gcra_rebase(part.params, *params, state, now_ns);
      }
      part.params = *params;
      part.all_in_debt = false;
    }
    return {};
  }
  /// set_quota() at the stored clock's present time.
  result<void> set_quota(const quota& limit) { return set_quota(limit, this->read_clock()); }

  /// The quota being enforced (during set_quota(), that of the first shard).
  quota current_quota() const {
    const std::lock_guard<std::mutex> lock(shards_[0].mutex);
    const detail::rate_gcra::gcra_params& params = shards_[0].params;
    return quota{params.count, std::chrono::nanoseconds(static_cast<std::int64_t>(params.period_ns)), params.burst};
  }

  /// The number of keys stored, fresh ones not yet dropped included.
  std::size_t size() const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      const std::lock_guard<std::mutex> lock(shards_[i].mutex);
      total += shards_[i].size;
    }
    return total;
  }
  /// The most keys stored at once: max_keys given to make().
  std::size_t capacity() const noexcept { return max_keys_; }
  /// Bytes allocated by make() for the shards and their tables (heap memory owned by keys not included).
  std::size_t memory_bytes() const noexcept { return memory_bytes_; }
  /// memory_bytes() / capacity(): the memory cost of one key, table overhead included.
  double bytes_per_key() const noexcept {
    return static_cast<double>(memory_bytes_) / static_cast<double>(max_keys_);
  }

 private:
  static constexpr std::size_t keys_per_shard = 1024;
  static constexpr std::size_t max_shards = 64;
  static constexpr std::size_t max_keys_per_shard = std::size_t{1} << 31;
  static constexpr std::uint32_t sweep_batch = 32;  // slots examined at least, once one key is dropped

  struct slot {
    std::uint64_t state = 0;  // the TAT in units, 0 when the slot is empty
    Key key{};
  };

  struct alignas(64) shard {
    std::mutex mutex;
    detail::rate_gcra::gcra_params params{};
    std::unique_ptr<slot[]> slots;
    std::uint32_t capacity = 0;  // slots in the table
    std::uint32_t limit = 0;     // keys allowed: this shard's share of max_keys
    std::uint32_t size = 0;      // keys stored
    std::uint32_t sweep = 0;     // where the next sweep for fresh keys starts
    bool all_in_debt = false;    // the last sweep found no fresh key, and none is fresh before:
    std::uint64_t all_in_debt_until = 0;  // this time, in units
  };

  keyed(const detail::rate_gcra::gcra_params& params, std::size_t max_keys, std::size_t shards, std::uint64_t seed,
        const Hash& hash, const Clock& clock)
      : detail::rate_gcra::clock_holder<Clock>(clock),
        shards_(new shard[shards]),
        shard_count_(shards),
        max_keys_(max_keys),
        memory_bytes_(shards * sizeof(shard)),
        seed_(seed),
        hash_(hash) {
    for (std::size_t i = 0; i < shards; ++i) {
      shard& part = shards_[i];
      part.params = params;
      part.limit = static_cast<std::uint32_t>(max_keys / shards + (i < max_keys % shards ? 1 : 0));
      part.capacity = part.limit + part.limit / 3 + 1;
      part.slots.reset(new slot[part.capacity]);
      memory_bytes_ += part.capacity * sizeof(slot);
    }
  }

  std::uint64_t hash_of(const Key& key) const {
    return detail::rate_keyed::mix_hash(static_cast<std::uint64_t>(hash_(key)) ^ seed_);
  }
  shard& shard_of(std::uint64_t h) const { return shards_[h & (shard_count_ - 1)]; }
  static std::uint32_t home(std::uint64_t h, std::uint32_t capacity) noexcept {
    return static_cast<std::uint32_t>(detail::arith::multiply_high(h, capacity));
  }
  static std::uint32_t next(std::uint32_t index, std::uint32_t capacity) noexcept {
    return index + 1 == capacity ? 0 : index + 1;
  }

  // The slot holding `key`, or the empty slot where it would be stored (a table always has one).
  std::uint32_t find(const shard& part, const Key& key, std::uint64_t h) const {
    std::uint32_t index = home(h, part.capacity);
    while (part.slots[index].state != 0 && !(part.slots[index].key == key)) index = next(index, part.capacity);
    return index;
  }

  // Removes the key at `index`, moving back the keys after it that may fill the hole (backward-shift
  // deletion), so that every key stays reachable from its home slot with no tombstones.
  void erase(shard& part, std::uint32_t index) {
    std::uint32_t hole = index;
    for (std::uint32_t probe = next(hole, part.capacity); part.slots[probe].state != 0;
         probe = next(probe, part.capacity)) {
      const std::uint32_t wanted = home(hash_of(part.slots[probe].key), part.capacity);
      const bool stays = hole <= probe ? (hole < wanted && wanted <= probe) : (hole < wanted || wanted <= probe);
      if (!stays) {
        part.slots[hole] = std::move(part.slots[probe]);
        hole = probe;
      }
    }
    part.slots[hole].state = 0;
    part.slots[hole].key = Key();
    --part.size;
  }

  // Drops keys that are fresh at `now` (units), sweeping on from where the last sweep stopped, until at
  // least one is dropped and sweep_batch slots are examined. False when a whole sweep finds every key in
  // debt; then no sweep runs again before the smallest of those debts is repaid.
  bool make_room(shard& part, std::uint64_t now) {
    if (part.all_in_debt && now - part.all_in_debt_until >= (std::uint64_t{1} << 63)) return false;
    const std::uint64_t cap = part.params.debt_cap();
    std::uint64_t least_debt = cap;
    std::uint32_t examined = 0;
    bool dropped = false;
    while (examined < part.capacity && !(dropped && examined >= sweep_batch)) {
      const std::uint64_t state = part.slots[part.sweep].state;
      if (state != 0) {
        const std::uint64_t debt = detail::rate_gcra::gcra_debt(state, now, cap);
        if (debt == 0) {
          erase(part, part.sweep);  // a key may have moved into this slot: examine it again
          dropped = true;
          continue;
        }
        if (debt < least_debt) least_debt = debt;
      }
      part.sweep = next(part.sweep, part.capacity);
      ++examined;
    }
    part.all_in_debt = !dropped;
    part.all_in_debt_until = now + least_debt;
    return dropped;
  }

  std::unique_ptr<shard[]> shards_;
  std::size_t shard_count_;
  std::size_t max_keys_;
  std::size_t memory_bytes_;
  std::uint64_t seed_;
  Hash hash_;
};

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_KEYED_HPP
