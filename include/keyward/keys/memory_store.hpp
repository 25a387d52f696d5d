// keyward: a thread-safe in-memory key store, for tests, examples and small services: records by id in an
// open-addressing hash table under a reader-writer lock, copy-on-write, so that a reader holds a consistent
// snapshot of a record for as long as it wants while writers replace it; usage-credit balances in a table of
// their own under a mutex.
/// \file
/// A thread-safe in-memory key store, for tests, examples and small services.
#ifndef KEYWARD_KEYS_MEMORY_STORE_HPP
#define KEYWARD_KEYS_MEMORY_STORE_HPP

#include "../crypto/siphash.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "record.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace keyward::detail::keys_memory_store {

/// SipHash-2-4 of an id under the store's random key: ids come from clients, so their collisions must not
/// be computable offline (CONTRIBUTING, "Hash tables keyed by what a client sends").
inline std::uint64_t id_hash(const crypto::siphash_key& key, const char* id) noexcept {
  return crypto::siphash24(key, id, ::keyward::keys::id_length);
}

/// Brings the cache line at `address` towards the core; a hint that never faults, whatever the address.
inline void prefetch_line(const void* address) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(address, 0, 3);
#else
  static_cast<void>(address);
#endif
}

/// One slot of the open-addressing table: empty when `record` is null; else the id (inline, so that a
/// probe compares it without leaving the slot), the low 32 bits of its hash (the home slot is these bits
/// masked) and the record. 32 bytes, two to a cache line.
struct alignas(32) slot {
  ::keyward::keys::key_id id;
  std::uint32_t hash = 0;
  std::shared_ptr<const ::keyward::keys::key_record> record;
};

/// The hash of the credit-balance table: SipHash-2-4 of the id under the store's key, as for the records.
struct balance_hash {
  crypto::siphash_key key;
  std::size_t operator()(const ::keyward::keys::key_id& id) const noexcept {
    return static_cast<std::size_t>(id_hash(key, id.chars().data()));
  }
};

/// Tables of at least this many bytes are aligned to it and, on Linux, advised to use transparent huge pages.
inline constexpr std::size_t huge_page_size = std::size_t{2} << 20;

/// An owning array of empty slots, a power of two of them. On Linux, an array of 2 MiB or more is aligned
/// to 2 MiB and advised (madvise MADV_HUGEPAGE) to be backed by transparent huge pages, so that the random
/// accesses of a large store do not miss the TLB on every look-up (the advice is a hint: it changes nothing
/// when the system has huge pages off). Allocation failure throws std::bad_alloc, like the records'.
class slot_array {
 public:
  slot_array() noexcept = default;
  explicit slot_array(std::size_t count) : count_(count) {
    const std::size_t bytes = count * sizeof(slot);
    align_ = bytes >= huge_page_size ? huge_page_size : alignof(slot);
    void* memory = ::operator new(bytes, std::align_val_t(align_));
#if defined(__linux__)
    if (align_ == huge_page_size) static_cast<void>(::madvise(memory, bytes, MADV_HUGEPAGE));
#endif
    slots_ = static_cast<slot*>(memory);
    std::uninitialized_value_construct_n(slots_, count);
  }
  slot_array(slot_array&& other) noexcept
      : slots_(std::exchange(other.slots_, nullptr)), count_(std::exchange(other.count_, 0)), align_(other.align_) {}
  slot_array& operator=(slot_array&& other) noexcept {
    slot_array(std::move(other)).swap(*this);
    return *this;
  }
  ~slot_array() {
    if (slots_ == nullptr) return;
    std::destroy_n(slots_, count_);
    ::operator delete(slots_, std::align_val_t(align_));
  }
  void swap(slot_array& other) noexcept {
    std::swap(slots_, other.slots_);
    std::swap(count_, other.count_);
    std::swap(align_, other.align_);
  }

  slot* data() const noexcept { return slots_; }
  slot& operator[](std::size_t i) const noexcept { return slots_[i]; }

 private:
  slot* slots_ = nullptr;
  std::size_t count_ = 0;
  std::size_t align_ = alignof(slot);
};

}  // namespace keyward::detail::keys_memory_store

namespace keyward::keys {

/// Key records in memory, by id. Thread-safe: find() takes a shared lock, writers an exclusive one. Records
/// are immutable once stored (copy-on-write): modify() stores a changed copy, so a handle returned by find()
/// keeps the record it saw, whole and unchanged, for as long as it lives (the last use excepted, an atomic
/// the verifier updates; a use recorded on a snapshot that is being replaced may be lost). It implements the
/// store concepts of the verifier (find, the prefetch hint, consume_credits) and of the life-cycle functions
/// of keys/record.hpp (insert, modify, reset_credits). Not copyable; a moved-from store must not be used.
///
/// The table: open addressing with linear probing over a power-of-two array of slots, each holding the id,
/// its hash (SipHash-2-4 under a random key, as ids come from clients) and the record's handle, so that a
/// look-up reads one slot (rarely two) and then the record. At most half the slots are used (the table
/// doubles on insert); erase shifts the following slots back, leaving no tombstones.
///
/// Credits: balances live in a second table, by balance id, under a mutex of their own (never in the
/// copy-on-write records, whose snapshots would lose spends), so consume_credits() is atomic and takes no
/// record lock. A balance is kept from its first spend until reset_credits() forgets it, whatever happens to
/// the records that spend it, as in keys::redis_store (whose erase() leaves the balance hash): erasing a key
/// and inserting it again, or taking its credits away and giving them back with a raw modify(), finds the
/// balance as it was (keys::set_credits() with a plan resets it). The table thus holds one small entry per
/// balance id ever spent: only the verifier spends, and only for a key it has verified, so a client cannot
/// make it grow; a service that erases many metered keys calls reset_credits(balance id) once no key spends
/// that balance any more.
class memory_store {
 public:
  /// What find() returns: a shared, read-only snapshot of a record, or null.
  using handle = std::shared_ptr<const key_record>;

  /// An empty store with a hash key drawn from the OS. errc::random_unavailable when there is none.
  static result<memory_store> make() {
    crypto::siphash_key key;
    if (const result<void> filled = random::fill(&key, sizeof key); !filled) return filled.error();
    return memory_store(key);
  }

  /// Takes over the records; the moved-from store may then only be destroyed or assigned to.
  ///@{
  memory_store(memory_store&&) noexcept = default;
  memory_store& operator=(memory_store&&) noexcept = default;
  ///@}

  /// The record of `id`, or null when there is none (ids that are not 12 base62 characters included).
  /// Allocates nothing: a shared lock and a reference count.
  handle find(std::string_view id) const {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return nullptr;
    const std::uint64_t hash = detail::keys_memory_store::id_hash(state_->key, parsed->chars().data());
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    const std::size_t at = state_->locate(*parsed, hash);
    return at == npos ? nullptr : state_->slots[at].record;
  }

  /// A hint that find(id) comes soon: starts loading the slot of `id`, so that the verifier's HMAC runs
  /// while it arrives. Takes no lock and changes nothing; ignores ids that are not 12 characters. Never
  /// fails.
  void prefetch(std::string_view id) const noexcept {
    if (id.size() != id_length) return;
    const std::uint64_t hash = detail::keys_memory_store::id_hash(state_->key, id.data());
    // Read without the lock: a table being replaced gives a stale address, harmless for a prefetch. The two
    // loads may come from two tables, so the address is computed as an integer, never as pointer arithmetic
    // that could leave an array.
    const auto base = reinterpret_cast<std::uintptr_t>(state_->published.load(std::memory_order_relaxed));
    const std::size_t mask = state_->published_mask.load(std::memory_order_relaxed);
    const std::uintptr_t offset = (static_cast<std::uint32_t>(hash) & mask) * sizeof(detail::keys_memory_store::slot);
    detail::keys_memory_store::prefetch_line(reinterpret_cast<const void*>(base + offset));
  }

  /// Stores `record` under its id. errc::key_duplicate_id when the id is taken (nothing changes).
  result<void> insert(key_record record) {
    const std::uint64_t hash = detail::keys_memory_store::id_hash(state_->key, record.id.chars().data());
    const key_id id = record.id;
    handle stored = std::make_shared<const key_record>(std::move(record));
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    if (state_->locate(id, hash) != npos) return errc::key_duplicate_id;
    if (2 * (state_->count + 1) > state_->capacity) state_->grow();
    state_->place(id, static_cast<std::uint32_t>(hash), std::move(stored));
    ++state_->count;
    return {};
  }

  /// Applies `change`, called as change(key_record&) -> result<void>, to a copy of the record of `id` and
  /// stores the copy in its place, all under the exclusive lock (so changes never interleave; keep them
  /// short). Nothing is stored when change fails, and its error is returned. errc::key_not_found when there
  /// is no such record; errc::key_invalid_options when the change altered the id (nothing is stored).
  template <class Change>
  result<void> modify(std::string_view id, Change&& change) {
    static_assert(std::is_invocable_r_v<result<void>, Change&, key_record&>,
                  "memory_store::modify: change must be callable as change(key_record&) -> result<void>");
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return errc::key_not_found;
    const std::uint64_t hash = detail::keys_memory_store::id_hash(state_->key, parsed->chars().data());
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    const std::size_t at = state_->locate(*parsed, hash);
    if (at == npos) return errc::key_not_found;
    key_record copy = *state_->slots[at].record;
    if (const result<void> changed = change(copy); !changed) return changed;
    if (copy.id != *parsed) return errc::key_invalid_options;
    handle changed = std::make_shared<const key_record>(std::move(copy));
    state_->slots[at].record = std::move(changed);
    return {};
  }

  /// Removes the record of `id` (handles already returned keep their snapshot); its credit balance stays
  /// (reset_credits() forgets it). errc::key_not_found when there is none.
  result<void> erase(std::string_view id) {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return errc::key_not_found;
    const std::uint64_t hash = detail::keys_memory_store::id_hash(state_->key, parsed->chars().data());
    handle removed;  // released after the lock, so that a record's destruction does not hold the writers
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    const std::size_t at = state_->locate(*parsed, hash);
    if (at == npos) return errc::key_not_found;
    removed = state_->remove(at);
    return {};
  }

  /// Spends `cost` credits of `plan` at `now` from the balance `balance_id` (a key's credit_balance, else its
  /// id), atomically (under a lock), by the rule of keys::spend_credits(): a balance of an earlier period (a UTC
  /// day or month, per plan.refill), or none, starts from plan.allowance (a balance of another refill kind
  /// too, unless it is of a finer kind and its own period still lasts); its credits are capped at the
  /// allowance; the cost is taken when it fits, else nothing is taken (allowed false); cost 0 is allowed and
  /// takes nothing; a `now` in an earlier period than the balance's (a late clock) does not refill it. The
  /// decision holds the credits left and refills_at, the start of the balance's next period (none for
  /// credit_refill::never). errc::key_not_found when `balance_id` is not an id (12 base62 characters). The
  /// first spend of a balance allocates its entry, which stays until reset_credits().
  result<credit_decision> consume_credits(std::string_view balance_id, const credit_plan& plan, std::uint64_t cost,
                                          sys_nanoseconds now) {
    const result<key_id> parsed = key_id::make(balance_id);
    if (!parsed) return errc::key_not_found;
    const std::lock_guard<std::mutex> lock(state_->balance_mutex);
    const auto found = state_->balances.find(*parsed);
    std::optional<credit_balance> balance;
    if (found != state_->balances.end()) balance = found->second;
    const credit_decision decision = spend_credits(balance, plan, cost, now);
    if (found != state_->balances.end()) {
      found->second = *balance;
    } else {
      state_->balances.emplace(*parsed, *balance);  // std::bad_alloc: nothing spent, nothing stored
    }
    return decision;
  }

  /// Forgets the balance `balance_id`, so that its next spend starts from a full allowance (what
  /// keys::set_credits() calls after setting a plan), and frees its entry. Succeeds when there is no such
  /// balance; errc::key_not_found when `balance_id` is not an id.
  result<void> reset_credits(std::string_view balance_id) {
    const result<key_id> parsed = key_id::make(balance_id);
    if (!parsed) return errc::key_not_found;
    const std::lock_guard<std::mutex> lock(state_->balance_mutex);
    state_->balances.erase(*parsed);
    return {};
  }

  /// Every record of `owner` (all statuses), in no particular order: the keys of one account during a
  /// rotation, or for a listing. A linear scan.
  std::vector<handle> keys_of(std::string_view owner) const {
    std::vector<handle> found;
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    for (std::size_t i = 0; i < state_->capacity; ++i) {
      const handle& record = state_->slots[i].record;
      if (record && record->owner == owner) found.push_back(record);
    }
    return found;
  }

  /// The number of records.
  std::size_t size() const {
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    return state_->count;
  }

 private:
  static constexpr std::size_t npos = ~std::size_t{0};
  static constexpr std::size_t initial_capacity = 16;

  struct state {
    explicit state(const crypto::siphash_key& hash_key)
        : key(hash_key), balances(16, detail::keys_memory_store::balance_hash{hash_key}) {
      adopt(detail::keys_memory_store::slot_array(initial_capacity), initial_capacity);
    }

    // The slot holding `id` (whose hash is `hash`), or npos. Under either lock.
    std::size_t locate(const key_id& id, std::uint64_t hash) const noexcept {
      const std::size_t mask = capacity - 1;
      const std::uint32_t low = static_cast<std::uint32_t>(hash);
      for (std::size_t i = low & mask;; i = (i + 1) & mask) {
        const detail::keys_memory_store::slot& s = slots[i];
        if (!s.record) return npos;  // never full: at most half the slots are used
        if (s.hash == low && s.id == id) return i;
      }
    }

    // Puts a record not in the table into the first free slot of its probe sequence. Exclusive lock.
    void place(const key_id& id, std::uint32_t hash, handle record) noexcept {
      const std::size_t mask = capacity - 1;
      std::size_t i = hash & mask;
      while (slots[i].record) i = (i + 1) & mask;
      slots[i].id = id;
      slots[i].hash = hash;
      slots[i].record = std::move(record);
    }

    // Empties slot `at` and shifts back the slots after it whose probe sequence crosses it (backward-shift
    // deletion: every record stays reachable from its home slot, with no tombstone). Returns the record
    // removed. Exclusive lock.
    handle remove(std::size_t at) noexcept {
      const std::size_t mask = capacity - 1;
      handle removed = std::move(slots[at].record);
      std::size_t hole = at;
      for (std::size_t i = (at + 1) & mask; slots[i].record; i = (i + 1) & mask) {
        const std::size_t home = slots[i].hash & mask;
        // The record at i may move to the hole when its home is not in (hole, i], cyclically.
        const bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (stays) continue;
        slots[hole].id = slots[i].id;
        slots[hole].hash = slots[i].hash;
        slots[hole].record = std::move(slots[i].record);
        hole = i;
      }
      --count;
      return removed;
    }

    // Doubles the table. Exclusive lock. The larger table is allocated first, so that std::bad_alloc leaves
    // the store as it was.
    void grow() {
      detail::keys_memory_store::slot_array bigger(2 * capacity);
      detail::keys_memory_store::slot_array old = std::move(slots);
      const std::size_t old_capacity = capacity;
      adopt(std::move(bigger), 2 * old_capacity);
      for (std::size_t i = 0; i < old_capacity; ++i) {
        if (old[i].record) place(old[i].id, old[i].hash, std::move(old[i].record));
      }
    }

    // Installs `fresh`, an empty table of `size` slots (a power of two).
    void adopt(detail::keys_memory_store::slot_array fresh, std::size_t size) noexcept {
      slots = std::move(fresh);
      capacity = size;
      published.store(slots.data(), std::memory_order_relaxed);
      published_mask.store(size - 1, std::memory_order_relaxed);
    }

    crypto::siphash_key key;
    mutable std::shared_mutex mutex;
    detail::keys_memory_store::slot_array slots;
    std::size_t capacity = 0;  // a power of two
    std::size_t count = 0;
    // The table's address and mask for prefetch(), which reads them without the lock.
    std::atomic<const detail::keys_memory_store::slot*> published{nullptr};
    std::atomic<std::size_t> published_mask{0};
    // The credit balances, by balance id, each kept until reset_credits(); never held with `mutex`.
    std::mutex balance_mutex;
    std::unordered_map<key_id, credit_balance, detail::keys_memory_store::balance_hash> balances;
  };

  explicit memory_store(const crypto::siphash_key& key) : state_(std::make_unique<state>(key)) {}

  std::unique_ptr<state> state_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_MEMORY_STORE_HPP
