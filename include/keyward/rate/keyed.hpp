// keyward: per-key GCRA rate limiting (one bucket per API key, user or address) in a fixed amount of memory:
// sharded open-addressing tables allocated once, where only keys whose bucket is full again are ever dropped.
/// \file
/// Per-key GCRA rate limiting in a fixed amount of memory: rate::keyed.
#ifndef KEYWARD_RATE_KEYED_HPP
#define KEYWARD_RATE_KEYED_HPP

#include "../crypto/siphash.hpp"
#include "../detail/arith.hpp"
#include "../detail/rate_gcra.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "gcra.hpp"
#include "quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
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

/// Whether T is a std::basic_string or a std::basic_string_view (any character type, traits, allocator).
template <class T>
struct is_string : std::false_type {};
template <class Char, class Traits, class Allocator>
struct is_string<std::basic_string<Char, Traits, Allocator>> : std::true_type {};
template <class Char, class Traits>
struct is_string<std::basic_string_view<Char, Traits>> : std::true_type {};

/// Whether the bytes of a T are its value: trivially copyable, no padding, one representation per value.
template <class T>
constexpr bool is_plain_bytes = std::is_trivially_copyable_v<T> && std::has_unique_object_representations_v<T>;

/// Whether Hash is a keyed hash of Key: hash(const crypto::siphash_key&, const Key&) -> std::uint64_t.
template <class Hash, class Key>
constexpr bool is_keyed_hash =
    std::is_invocable_r_v<std::uint64_t, const Hash&, const crypto::siphash_key&, const Key&>;

/// Whether Hash is a hash of Key alone, like std::hash: hash(const Key&) -> std::size_t.
template <class Hash, class Key>
constexpr bool is_plain_hash = std::is_invocable_r_v<std::size_t, const Hash&, const Key&>;

}  // namespace keyward::detail::rate_keyed

namespace keyward::rate {

/// The default Hash of rate::keyed: SipHash-2-4 (crypto::siphash24) under the limiter's random 128-bit key,
/// of the characters of a string key (std::basic_string with any traits and allocator, or
/// std::basic_string_view), or of the bytes of a key that is trivially copyable with unique object
/// representations (an integer, an enum, std::array<std::uint8_t, 32> for a digest, a struct of such members
/// without padding). Such a key must compare equal exactly when its bytes are equal. Other key types have no
/// default: keyed then asks for a Hash. Never fails.
struct keyed_hash {
  /// Whether keyed_hash takes keys of type Key (what keyed checks before using it as the default).
  template <class Key>
  static constexpr bool accepts = detail::rate_keyed::is_string<Key>::value || detail::rate_keyed::is_plain_bytes<Key>;

  /// The hash of the characters of `text` (size() * sizeof(Char) bytes) under `key`.
  template <class Char, class Traits, class Allocator>
  std::uint64_t operator()(const crypto::siphash_key& key,
                           const std::basic_string<Char, Traits, Allocator>& text) const noexcept {
    static_assert(detail::rate_keyed::is_plain_bytes<Char>, "rate::keyed_hash: a character type with padding");
    return crypto::siphash24(key, text.data(), text.size() * sizeof(Char));
  }
  /// The hash of the characters of `text` under `key`.
  template <class Char, class Traits>
  std::uint64_t operator()(const crypto::siphash_key& key, std::basic_string_view<Char, Traits> text) const noexcept {
    static_assert(detail::rate_keyed::is_plain_bytes<Char>, "rate::keyed_hash: a character type with padding");
    return crypto::siphash24(key, text.data(), text.size() * sizeof(Char));
  }
  /// The hash of the sizeof(Key) bytes of `value` under `key`.
  template <
      class Key,
      std::enable_if_t<!detail::rate_keyed::is_string<Key>::value && detail::rate_keyed::is_plain_bytes<Key>, int> = 0>
  std::uint64_t operator()(const crypto::siphash_key& key, const Key& value) const noexcept {
    return crypto::siphash24(key, std::addressof(value), sizeof(Key));
  }
};

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
/// copy-assignable and equality-comparable. A Key that owns heap memory (std::string) allocates when a new
/// key is stored; fixed-size keys (an integer id, an address, a digest) never do.
///
/// Hashing and hash flooding. make() draws a random 128-bit hash key (a crypto::siphash_key) for each
/// limiter, and the default Hash, keyed_hash, is SipHash-2-4 of the key's bytes under it (strings, integers,
/// enums, byte arrays: keyed_hash::accepts, checked at compile time). An attacker who does not know the
/// limiter's hash key cannot make keys collide beyond chance, however the keys are chosen (an API token
/// presented before authentication, a client address): they land in shards and slots as random keys do, so
/// no shard fills before the others and probe chains stay as short as with random keys. A Hash of the user's
/// is called as hash(hash_key, key) -> std::uint64_t when it takes the crypto::siphash_key (a keyed hash the
/// user writes; its value is used as it is), otherwise as hash(key) -> std::size_t like std::hash, its value
/// mixed with the hash key. The collisions of such an unkeyed hash are the user's responsibility: keys with
/// equal hash(key) share one shard and one probe chain whatever the mixing, and std::hash<std::string> of
/// the common standard libraries is unkeyed, so its collisions can be computed offline. The hash key is not
/// wiped on destruction (the tables hold the keys themselves).
///
/// Memory: bytes_per_key() = memory_bytes() / max_keys, where memory_bytes() = shards * sizeof(shard) + table
/// slots * sizeof(slot), sizeof(slot) = sizeof(Key) + 8 rounded up to the alignment, and table slots = about
/// 4/3 * max_keys; for a 64-bit key, 16 * 4/3 = 21.3 bytes per key.
template <class Key, class Hash = keyed_hash, class Clock = std::chrono::steady_clock>
class keyed : private detail::rate_gcra::clock_holder<Clock> {
  static_assert(!std::is_same_v<Hash, keyed_hash> || keyed_hash::accepts<Key>,
                "rate::keyed: the default hash, rate::keyed_hash, takes strings (std::basic_string, "
                "std::basic_string_view) and trivially copyable keys with unique object representations (integers, "
                "enums, std::array of bytes); pass a Hash for this Key type");
  static_assert(detail::rate_keyed::is_keyed_hash<Hash, Key> || detail::rate_keyed::is_plain_hash<Hash, Key>,
                "rate::keyed: Hash must be callable as hash(const crypto::siphash_key&, const Key&) -> std::uint64_t "
                "(a keyed hash) or as hash(const Key&) -> std::size_t (like std::hash)");

 public:
  /// The key type.
  using key_type = Key;
  /// The clock read by the overloads without `now`.
  using clock_type = Clock;
  /// What the clock returns.
  using time_point = decltype(std::declval<const Clock&>().now());

  /// A limiter enforcing `limit` on each of at most `max_keys` keys at a time, with every table allocated
  /// now (std::bad_alloc propagates), hashing keys under a random key drawn now. errc::rate_invalid_quota as
  /// gcra::make(); errc::rate_invalid_capacity when max_keys is 0 or above 2^31 per shard;
  /// errc::random_unavailable when the OS gives no random key.
  static result<keyed> make(const quota& limit, std::size_t max_keys, const Hash& hash = Hash(),
                            const Clock& clock = Clock()) {
    auto params = detail::rate_gcra::make_gcra_params(limit.count, limit.period, limit.burst);
    if (!params) return params.error();
    if (max_keys == 0) return errc::rate_invalid_capacity;
    std::size_t shards = 1;
    while (shards < max_shards && shards * 2 * keys_per_shard <= max_keys) shards *= 2;
    if (max_keys / shards >= max_keys_per_shard) return errc::rate_invalid_capacity;
    crypto::siphash_key hash_key;
    if (auto filled = random::fill(&hash_key, sizeof hash_key); !filled) return filled.error();
    return keyed(*params, max_keys, shards, hash_key, hash, clock);
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

  keyed(const detail::rate_gcra::gcra_params& params, std::size_t max_keys, std::size_t shards,
        const crypto::siphash_key& hash_key, const Hash& hash, const Clock& clock)
      : detail::rate_gcra::clock_holder<Clock>(clock),
        shards_(new shard[shards]),
        shard_count_(shards),
        max_keys_(max_keys),
        memory_bytes_(shards * sizeof(shard)),
        hash_key_(hash_key),
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
    if constexpr (detail::rate_keyed::is_keyed_hash<Hash, Key>)
      return static_cast<std::uint64_t>(hash_(hash_key_, key));
    else
      return detail::rate_keyed::mix_hash(static_cast<std::uint64_t>(hash_(key)) ^ hash_key_.k0);
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
    if (part.all_in_debt && now < part.all_in_debt_until) return false;
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
  crypto::siphash_key hash_key_;
  Hash hash_;
};

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_KEYED_HPP
