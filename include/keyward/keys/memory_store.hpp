// keyward: a thread-safe in-memory key store, for tests, examples and small services: records by id in a
// hash table under a reader-writer lock, copy-on-write, so that a reader holds a consistent snapshot of a
// record for as long as it wants while writers replace it.
#ifndef KEYWARD_KEYS_MEMORY_STORE_HPP
#define KEYWARD_KEYS_MEMORY_STORE_HPP

#include "../crypto/siphash.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "record.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace keyward::detail::keys_memory_store {

/// SipHash-2-4 of an id under the store's random key: ids come from clients, so their collisions must not
/// be computable offline (CONTRIBUTING, "Hash tables keyed by what a client sends").
struct id_hash {
  crypto::siphash_key key;
  std::size_t operator()(const ::keyward::keys::key_id& id) const noexcept {
    return static_cast<std::size_t>(crypto::siphash24(key, id.chars().data(), id.chars().size()));
  }
};

}  // namespace keyward::detail::keys_memory_store

namespace keyward::keys {

/// Key records in memory, by id. Thread-safe: find() takes a shared lock, writers an exclusive one. Records
/// are immutable once stored (copy-on-write): modify() stores a changed copy, so a handle returned by find()
/// keeps the record it saw, whole and unchanged, for as long as it lives (the last use excepted, an atomic
/// the verifier updates; a use recorded on a snapshot that is being replaced may be lost). It implements the
/// store concepts of the verifier (find) and of the life-cycle functions of keys/record.hpp (insert, modify).
/// Not copyable; a moved-from store must not be used.
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

  memory_store(memory_store&&) noexcept = default;
  memory_store& operator=(memory_store&&) noexcept = default;

  /// The record of `id`, or null when there is none (ids that are not 12 base62 characters included).
  /// Allocates nothing: a shared lock and a reference count.
  handle find(std::string_view id) const {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return nullptr;
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    const auto found = state_->records.find(*parsed);
    return found == state_->records.end() ? nullptr : found->second;
  }

  /// Stores `record` under its id. errc::key_duplicate_id when the id is taken (nothing changes).
  result<void> insert(key_record record) {
    auto stored = std::make_shared<const key_record>(std::move(record));
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    const bool added = state_->records.emplace(stored->id, stored).second;
    if (!added) return errc::key_duplicate_id;
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
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    const auto found = state_->records.find(*parsed);
    if (found == state_->records.end()) return errc::key_not_found;
    key_record copy = *found->second;
    if (const result<void> changed = change(copy); !changed) return changed;
    if (copy.id != *parsed) return errc::key_invalid_options;
    found->second = std::make_shared<const key_record>(std::move(copy));
    return {};
  }

  /// Removes the record of `id` (handles already returned keep their snapshot). errc::key_not_found when
  /// there is none.
  result<void> erase(std::string_view id) {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return errc::key_not_found;
    const std::unique_lock<std::shared_mutex> lock(state_->mutex);
    if (state_->records.erase(*parsed) == 0) return errc::key_not_found;
    return {};
  }

  /// Every record of `owner` (all statuses), in no particular order: the keys of one account during a
  /// rotation, or for a listing. A linear scan.
  std::vector<handle> keys_of(std::string_view owner) const {
    std::vector<handle> found;
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    for (const auto& entry : state_->records) {
      if (entry.second->owner == owner) found.push_back(entry.second);
    }
    return found;
  }

  /// The number of records.
  std::size_t size() const {
    const std::shared_lock<std::shared_mutex> lock(state_->mutex);
    return state_->records.size();
  }

 private:
  struct state {
    explicit state(const crypto::siphash_key& key) : records(16, detail::keys_memory_store::id_hash{key}) {}
    mutable std::shared_mutex mutex;
    std::unordered_map<key_id, handle, detail::keys_memory_store::id_hash> records;
  };

  explicit memory_store(const crypto::siphash_key& key) : state_(std::make_unique<state>(key)) {}

  std::unique_ptr<state> state_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_MEMORY_STORE_HPP
