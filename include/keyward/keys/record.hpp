// keyward: what a server stores for one API key (key_record: the id, the owner, the digest, never the key),
// and the key's life over any store: mint (the key is shown once), rotate (a new key, the old one kept for
// a grace period), revoke and disable.
//
// The store concept for the life-cycle functions (keys::memory_store is one; a SQL table is another):
//   find(std::string_view id) -> something contextually bool that dereferences to a key_record (null: no such
//       key), or a keyward::result of one (an error: the store could not answer)
//   insert(key_record) -> result<void>              errc::key_duplicate_id when the id is taken
//   modify(std::string_view id, Change) -> result<void>
//       applies change(key_record&) -> result<void> to the record atomically (in a transaction, under a
//       lock, or with a compare-and-swap): nothing is stored when change fails, and its error is returned;
//       errc::key_not_found when there is no such record. The change must not alter the id.
//   reset_credits(std::string_view balance_id) -> result<void>   (optional; used by set_credits when it sets a
//       plan)
//
// Usage credits (credit_plan): a key may carry a plan of `allowance` calls per UTC day or month, or once. Its
// balance is (the period it was last refilled in, the credits remaining), kept by the store under the
// key's balance id (key_record::credit_balance, else its own id), and spent by the verifier through the
// store's consume_credits(), atomically. Every store applies the same rule, keys::spend_credits()
// (keys/credits.hpp): a balance of an earlier period, or none, is first refilled to the allowance (periods
// are counted per refill kind, which the balance stores); a cost that fits is taken; a cost that does not is
// refused and nothing is taken.
/// \file
/// What a server stores for one API key: key_record.
#ifndef KEYWARD_KEYS_RECORD_HPP
#define KEYWARD_KEYS_RECORD_HPP

#include "../detail/time_convert.hpp"
#include "../error.hpp"
#include "../rate/quota.hpp"
#include "../secret.hpp"
#include "credits.hpp"
#include "digest.hpp"
#include "format.hpp"
#include "prefix.hpp"
#include "scopes.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace keyward::keys {

/// Whether a key may be used, apart from its validity period.
enum class key_status : std::uint8_t {
  active,    ///< usable
  disabled,  ///< suspended by its owner or the service; can be made active again (store.modify)
  revoked,   ///< withdrawn for good
};

/// The public id of a key: the 12 base62 characters after its prefix (keys::id_length), held inline.
class key_id {
 public:
  /// An id of twelve '0'.
  constexpr key_id() noexcept {
    for (char& c : chars_) c = '0';
  }
  /// The id `text`: errc::key_invalid_length unless it has id_length characters, errc::key_invalid_character
  /// at the first byte outside base62 (0-9, A-Z, a-z).
  static constexpr result<key_id> make(std::string_view text) noexcept {
    if (text.size() != id_length) return errc::key_invalid_length;
    key_id id;
    for (std::size_t i = 0; i < id_length; ++i) {
      const char c = text[i];
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return keyward::error(errc::key_invalid_character, i);
      }
      id.chars_[i] = c;
    }
    return id;
  }
  /// The id as text (a view into this object).
  constexpr std::string_view view() const noexcept { return std::string_view(chars_.data(), id_length); }
  /// The characters, for hashing.
  constexpr const std::array<char, id_length>& chars() const noexcept { return chars_; }

  /// Compare the texts (operator<: byte order, for ordered containers).
  ///@{
  friend constexpr bool operator==(const key_id& a, const key_id& b) noexcept { return a.view() == b.view(); }
  friend constexpr bool operator!=(const key_id& a, const key_id& b) noexcept { return !(a == b); }
  friend constexpr bool operator<(const key_id& a, const key_id& b) noexcept { return a.view() < b.view(); }
  ///@}

 private:
  std::array<char, id_length> chars_{};
};

/// When a key was last used successfully, to the second: an atomic a verifier updates through a const
/// record (a relaxed load, and a store only when the second changed, so that a busy key costs no cache-line
/// traffic per request). Copies take the value at the time of the copy.
class last_use {
 public:
  /// Never used.
  last_use() noexcept = default;
  /// Takes `other`'s value at the time of the copy (relaxed atomics).
  ///@{
  last_use(const last_use& other) noexcept : seconds_(other.seconds_.load(std::memory_order_relaxed)) {}
  last_use& operator=(const last_use& other) noexcept {
    seconds_.store(other.seconds_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  ///@}

  /// Records a use at `now` (floored to the second); keeps the later time when two uses race. Never fails.
  template <class Duration>
  void record(std::chrono::time_point<std::chrono::system_clock, Duration> now) const noexcept {
    const std::int64_t at = detail::time_convert::floor_seconds(now).time_since_epoch().count();
    std::int64_t seen = seconds_.load(std::memory_order_relaxed);
    while (seen < at && !seconds_.compare_exchange_weak(seen, at, std::memory_order_relaxed)) {
    }
  }
  /// The last recorded use, floored to the second; nullopt when never used.
  std::optional<detail::time_convert::sys_seconds> time() const noexcept {
    const std::int64_t at = seconds_.load(std::memory_order_relaxed);
    if (at == never) return std::nullopt;
    return detail::time_convert::sys_seconds(std::chrono::seconds(at));
  }

 private:
  static constexpr std::int64_t never = (std::numeric_limits<std::int64_t>::min)();
  mutable std::atomic<std::int64_t> seconds_{never};
};

/// What a server stores for one key. Never the key itself: its digest (keys/digest.hpp), from which the key
/// cannot be recovered. Fields a store does not have keep their defaults. The fields the verifier reads come
/// first and the strings last, so that a verification touches few cache lines of a record.
struct key_record {
  key_id id;                      ///< the public id (the key's 12 characters after the prefix)
  key_digest digest{};            ///< how the key is recognised (HMAC-SHA256 with a pepper, or SHA-256)
  key_kind kind = key_kind::secret;                       ///< as the prefix says
  key_environment environment = key_environment::live;    ///< as the prefix says
  key_status status = key_status::active;                 ///< active, disabled or revoked
  scope_set scopes;               ///< the scopes granted
  /// The first instant the key is valid; none for "since it was minted".
  std::optional<std::chrono::system_clock::time_point> not_before;
  /// The first instant the key is no longer valid; none for "no expiry".
  std::optional<std::chrono::system_clock::time_point> expires_at;
  /// The key's rate limit (its plan tier); none for "not limited per key".
  std::optional<rate::quota> limit;
  /// The key's usage credits; none for "unmetered" (set_credits() changes them and refills the balance).
  std::optional<credit_plan> credits;
  /// The id whose credit balance this key spends; none for its own id. rotate() sets it on the new key to the
  /// old key's balance, so that both keys spend one balance and rotating never refills credits.
  std::optional<key_id> credit_balance;
  last_use last_used;             ///< updated by the verifier on each success
  std::string prefix;             ///< the key's prefix (public), from which rotate() mints the next key
  std::string owner;              ///< the account, user or project the key belongs to
  std::string metadata;           ///< the server's own data (a JSON object, a plan name ...), opaque here
};

}  // namespace keyward::keys

namespace keyward::detail::keys_record {

/// `when` in nanoseconds since 1970, floored and saturated to int64 (the years 1678 to 2262).
template <class Duration>
constexpr std::int64_t unix_nanoseconds(std::chrono::time_point<std::chrono::system_clock, Duration> when) noexcept {
  return time_convert::floor_nanoseconds(when.time_since_epoch());
}

/// The system_clock time of ns since 1970 (keys/credits.hpp).
using keys_credits::system_time;

/// a + b for b >= 0, saturated at the int64 maximum.
constexpr std::int64_t add_saturated(std::int64_t a, std::int64_t b) noexcept {
  return a > (std::numeric_limits<std::int64_t>::max)() - b ? (std::numeric_limits<std::int64_t>::max)() : a + b;
}

/// True when `record` is expired at `now_ns` (its expiry at or before now).
inline bool expired_at(const ::keyward::keys::key_record& record, std::int64_t now_ns) noexcept {
  return record.expires_at.has_value() && unix_nanoseconds(*record.expires_at) <= now_ns;
}

/// What a Store's find() returns: T (a handle), or keyward::result<H> of a handle H (is_result).
template <class T>
struct found_handle {
  using type = T;
  static constexpr bool is_result = false;
};
template <class H>
struct found_handle<::keyward::result<H>> {
  using type = H;
  static constexpr bool is_result = true;
};

/// The handle type of Store::find, unwrapped from a keyward::result.
template <class Store>
using handle_of = typename found_handle<std::decay_t<decltype(std::declval<Store&>().find(std::string_view()))>>::type;

/// store.find(id) as a result: the store's own result, or its handle wrapped in one (never an error).
template <class Store>
::keyward::result<handle_of<Store>> find_record(Store& store, std::string_view id) {
  return store.find(id);
}

/// Whether Store has reset_credits(std::string_view balance_id).
template <class Store, class = void>
struct has_reset_credits : std::false_type {};
template <class Store>
struct has_reset_credits<Store, std::void_t<decltype(std::declval<Store&>().reset_credits(std::string_view()))>>
    : std::true_type {};

}  // namespace keyward::detail::keys_record

namespace keyward::keys {

/// A freshly minted key: the whole key, to show its owner once (it is not stored anywhere), and its id.
struct minted_key {
  secret key;  ///< the whole key; give it to the owner, then let it go (it wipes itself)
  key_id id;   ///< its public id, for the record and for redaction
};

/// Mints a key of `prefix` (generate_key, `secret_length` random base62 characters) and inserts its record
/// into `store`: `blueprint` with the new id, the prefix, kind and environment of `prefix`, the digest of
/// the key under the current pepper of `peppers` (pepper_set::digest) and last_used cleared; the owner,
/// scopes, status, validity period, limit, credits, credit balance and metadata are the blueprint's. Returns the key, which exists
/// nowhere else. Errors: those of generate_key (errc::key_invalid_format, errc::random_unavailable) and of
/// store.insert (an id drawn twice is drawn again, up to three times, then errc::key_duplicate_id).
template <class Store>
result<minted_key> mint(Store& store, key_record blueprint, const prefix_entry& prefix, const pepper_set& peppers,
                        std::size_t secret_length = default_secret_length) {
  for (int attempt = 0;; ++attempt) {
    result<secret> key = generate_key(prefix, secret_length);
    if (!key) return key.error();
    const std::string_view whole = key->reveal();
    const result<key_id> id = key_id::make(whole.substr(prefix.prefix.size(), id_length));
    if (!id) return id.error();
    key_record record = blueprint;
    record.id = *id;
    record.prefix.assign(prefix.prefix.data(), prefix.prefix.size());
    record.kind = prefix.kind;
    record.environment = prefix.environment;
    record.digest = peppers.digest(whole);
    record.last_used = last_use();
    const result<void> inserted = store.insert(std::move(record));
    if (inserted) return minted_key{std::move(*key), *id};
    if (inserted.error() != errc::key_duplicate_id || attempt == 2) return inserted.error();
  }
}

/// The longest grace period rotate() gives the old key: 24 hours.
inline constexpr std::chrono::hours max_rotation_grace{24};

/// Replaces the key `id` by a new one: mints a key with the old key's prefix (classified in `prefixes`),
/// owner, scopes, limit, credits and metadata (no validity period: set one with store.modify), then sets the
/// old key's expiry to now + grace, or keeps its own expiry when that is earlier (rotating never lengthens a
/// key's life). During the grace period both keys are valid; after it the old one gets EXPIRED_API_KEY.
/// The new key spends the old key's credit balance (its credit_balance is the old key's, or the old id), so
/// both keys draw on one balance and rotating never refills credits.
/// `grace` is 0 (the old key stops at once) to 24 hours. Returns the new key. Errors:
/// errc::key_invalid_options (a grace period outside 0 to 24 h), errc::key_not_found, the store's error when
/// its find() fails, errc::key_rotation_refused (the old key is revoked, disabled or expired at `now`; also
/// when it became so, or its owner, scopes, limit, credits, credit balance, metadata or prefix changed, while
/// the new key was minted, and the new key is then revoked), the prefix's errors (errc::key_unknown_prefix
/// when `prefixes` no longer holds it) and those of mint().
template <class Store, class Rep, class Period, class Duration>
result<minted_key> rotate(Store& store, std::string_view id, std::chrono::duration<Rep, Period> grace,
                          std::chrono::time_point<std::chrono::system_clock, Duration> now,
                          const prefix_set& prefixes, const pepper_set& peppers) {
  namespace step = detail::keys_record;
  const std::int64_t grace_ns = detail::time_convert::floor_nanoseconds(grace);
  if (grace.count() < 0 || grace_ns > std::chrono::nanoseconds(max_rotation_grace).count()) {
    return errc::key_invalid_options;
  }
  const std::int64_t now_ns = step::unix_nanoseconds(now);
  const auto refused = [now_ns](const key_record& record) {
    return record.status != key_status::active || step::expired_at(record, now_ns);
  };
  key_record blueprint;
  {
    const auto found = step::find_record(store, id);
    if (!found) return found.error();
    if (!*found) return errc::key_not_found;
    const key_record& old = **found;
    if (refused(old)) return errc::key_rotation_refused;
    blueprint = old;
  }
  const result<prefix_entry> prefix = prefixes.classify(blueprint.prefix);
  if (!prefix) return prefix.error();
  if (prefix->prefix.size() != blueprint.prefix.size()) return errc::key_unknown_prefix;
  blueprint.status = key_status::active;
  blueprint.not_before.reset();
  blueprint.expires_at.reset();
  blueprint.credit_balance = blueprint.credit_balance.value_or(blueprint.id);
  // What the new key inherits, compared again when the old key is shortened: a change made meanwhile (fewer
  // scopes, another limit or credit plan) must not be lost in the new key.
  const key_record inherited = blueprint;
  const auto inheritance_changed = [&inherited](const key_record& old) {
    return old.scopes != inherited.scopes || old.limit != inherited.limit || old.credits != inherited.credits ||
           old.credit_balance.value_or(old.id) != inherited.credit_balance || old.owner != inherited.owner ||
           old.metadata != inherited.metadata || old.prefix != inherited.prefix;
  };
  result<minted_key> minted = mint(store, std::move(blueprint), *prefix, peppers);
  if (!minted) return minted.error();
  const std::int64_t until = step::add_saturated(now_ns, grace_ns);
  const result<void> shortened = store.modify(id, [&](key_record& old) -> result<void> {
    if (refused(old) || inheritance_changed(old)) return errc::key_rotation_refused;
    if (!old.expires_at.has_value() || step::unix_nanoseconds(*old.expires_at) > until) {
      old.expires_at = step::system_time(until);
    }
    return {};
  });
  if (!shortened) {
    // The old key changed meanwhile (revoked, disabled, erased, its scopes or limit changed): the new key,
    // whose secret is dropped here, must not outlive the refusal.
    static_cast<void>(store.modify(minted->id.view(), [](key_record& fresh) -> result<void> {
      fresh.status = key_status::revoked;
      return {};
    }));
    return shortened.error() == errc::key_not_found ? errc::key_rotation_refused : shortened.error();
  }
  return minted;
}

/// Revokes the key `id` for good (status revoked; the verifier answers REVOKED_API_KEY). Revoking a revoked
/// key succeeds. errc::key_not_found, or the store's error.
template <class Store>
result<void> revoke(Store& store, std::string_view id) {
  return store.modify(id, [](key_record& record) -> result<void> {
    record.status = key_status::revoked;
    return {};
  });
}

/// Disables the key `id` (status disabled; the verifier answers DISABLED_API_KEY); store.modify can set it
/// active again. A revoked key stays revoked (and the call succeeds). errc::key_not_found, or the store's
/// error.
template <class Store>
result<void> disable(Store& store, std::string_view id) {
  return store.modify(id, [](key_record& record) -> result<void> {
    if (record.status == key_status::active) record.status = key_status::disabled;
    return {};
  });
}

/// Replaces the scopes of the key `id` with `scopes` (a verifier sees them on the key's next request).
/// errc::key_not_found, or the store's error.
template <class Store>
result<void> set_scopes(Store& store, std::string_view id, scope_set scopes) {
  return store.modify(id, [scopes](key_record& record) -> result<void> {
    record.scopes = scopes;
    return {};
  });
}

/// Sets the rate limit of the key `id` (its plan tier) to `limit`; nullopt removes it (not limited per key).
/// errc::rate_invalid_quota when `limit` is not valid() (a zero count, period or burst; nothing is stored),
/// errc::key_not_found, or the store's error.
template <class Store>
result<void> set_limit(Store& store, std::string_view id, std::optional<rate::quota> limit) {
  if (limit.has_value() && !limit->valid()) return errc::rate_invalid_quota;
  return store.modify(id, [&limit](key_record& record) -> result<void> {
    record.limit = limit;
    return {};
  });
}

/// Sets the usage credits of the key `id` to `plan` (nullopt: unmetered), then, when a plan is given and the
/// store has reset_credits(), resets the key's balance (its credit_balance, else its id) so that the new plan
/// starts full: calling it again with the same plan refills the key by hand. The balance is one with every key
/// that shares it (a key rotated from this one, or the one it was rotated from), which are refilled too; their
/// plans are their own. Removing the plan (nullopt) leaves the balance as it is, so the other keys that spend
/// it are not refilled (and giving this key a plan again resets it). A plan of allowance 0 lets no metered
/// call through. Errors: errc::key_not_found or the store's error from modify() (nothing changed), or the
/// store's error from reset_credits() (the plan is stored, the balance is not reset: call again).
template <class Store>
result<void> set_credits(Store& store, std::string_view id, std::optional<credit_plan> plan) {
  key_id balance;
  const result<void> changed = store.modify(id, [&plan, &balance](key_record& record) -> result<void> {
    record.credits = plan;
    balance = record.credit_balance.value_or(record.id);
    return {};
  });
  if (!changed) return changed;
  if constexpr (detail::keys_record::has_reset_credits<Store>::value) {
    if (plan.has_value()) return store.reset_credits(balance.view());
  }
  return {};
}

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_RECORD_HPP
