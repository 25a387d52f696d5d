// keyward: a key store in Redis, shared by every process and host that shares the Redis server, with a local
// cache in front of it so that a verification seldom leaves the process. It implements the store concepts of
// keys::verifier (find, record_use, consume_credits) and of the life-cycle functions of keys/record.hpp
// (insert, modify, erase, keys_of, reset_credits). Built on hiredis (0.14 or later); needs Redis 5 or later. An
// optional adapter, like rate/redis.hpp: include it yourself (keyward.hpp does not) and link -lhiredis.
//
//   keyward::keys::redis_store_options options;             // 127.0.0.1:6379, "keyward:keys:", 1 s cache
//   auto store = keyward::keys::redis_store::make(options);  // starts its worker thread; does not connect
//   if (auto up = store->connect(); !up) { /* Redis is not there (yet): decide whether to start anyway */ }
//   auto verifier = keyward::keys::verifier<keyward::keys::redis_store>::make(*store, ...);
//
// In Redis (the namespace defaults to "keyward:keys:"):
//   <namespace>{<id>}            a hash: the record's fields (keys/record_fields.hpp) and its revision
//   <namespace>{<id>}:credits    a hash: the credit balance of the keys whose balance id is <id>
//   <namespace>owner:{<owner>}   a set: the ids of an owner's keys (it may hold ids of erased keys or of keys
//                                whose owner changed: keys_of() reads each record and skips those)
//   <namespace>invalidate        the channel on which every change publishes the id changed
//
// What is guaranteed:
// - Fail closed: find() returns an error when Redis cannot answer for a record it has no fresh copy of
//   (errc::redis_unavailable, errc::redis_timeout, ...), and the verifier then answers 503 with a
//   Retry-After; only serve_stale_on_failure serves the cache (a record or an "unknown id", however old)
//   instead, and only when the read failed for want of Redis (errc::redis_unavailable, or errc::redis_timeout
//   on the connection): never for a record that does not decode, an error reply, or a wait for a free
//   pooled connection that ran out.
// - Staleness: a record found in the cache is at most cache_ttl old (time since the read that fetched it
//   began), or cache_ttl + stale_while_revalidate while one background refresh runs; an unknown id is
//   remembered negative_ttl. Those are the bounds when invalidations are lost (no subscriber, a broken
//   connection).
// - Invalidation: every change made through a redis_store (insert, modify and the functions built on it,
//   erase) publishes the id, and every store subscribed drops its copy on receipt: one pub/sub hop, well
//   under a millisecond on a LAN. A change written to Redis by other means is seen after cache_ttl. The
//   store that made a change drops its own copy at once. After its subscriber (re)connects, a store clears
//   its whole cache, since messages may have been lost meanwhile. The subscriber is sent a PING when it
//   has heard nothing for a second (or cache_ttl / 2 when shorter, but not under 100 ms); when no answer
//   comes within command_timeout (a connection dead without a word, such as half-open TCP), it subscribes
//   again and so clears the cache. A read that started before an invalidation never puts its older copy in
//   the cache afterwards, nor hands it to a find() that comes after the invalidation.
// - Deadlines: each call to Redis waits at most connect_timeout + command_timeout for a free connection of
//   the pool (first come, first served), then at most connect_timeout to connect and command_timeout for
//   its commands. Not bounded: resolving a host name (getaddrinfo, at each new connection, before any
//   deadline applies; the system resolver's own timeouts hold): give an IP address for a hard bound. find() makes at
//   most one call, insert() and erase() two, modify() two per attempt (three when the owner changes; up to
//   modify_attempts attempts), keys_of() one (SMEMBERS, then its HGETALLs pipelined, within one
//   command_timeout). The destructor stops the worker, whose own calls have the same bounds: it returns
//   within about two calls (the one under way, then a last write of the queued last uses, which stops at
//   its first failure), however Redis behaves.
// - The request path: find() on a fresh cached record takes a shard mutex and a hash probe; record_use()
//   queues a write at most once per key per last_used_interval, written by the worker (pipelined); no Redis
//   round trip on either. consume_credits() is one script run (atomic in Redis).
/// \file
/// A key store in Redis with a local cache in front of it (needs hiredis).
#ifndef KEYWARD_KEYS_REDIS_STORE_HPP
#define KEYWARD_KEYS_REDIS_STORE_HPP

#include "../crypto/siphash.hpp"
#include "../detail/keys_redis_credits.hpp"
#include "../detail/keys_redis_store.hpp"
#include "../detail/redis_connection.hpp"
#include "../detail/time_convert.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "../rate/redis.hpp"
#include "record.hpp"
#include "record_fields.hpp"

#include <hiredis/hiredis.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace keyward::keys {

/// How a redis_store works; checked by redis_store::make().
struct redis_store_options {
  rate::redis_options redis;                     ///< host, port, connect and command timeouts (rate/redis.hpp)
  std::string key_namespace = "keyward:keys:";   ///< prefix of every Redis key: at most 64 bytes, no '{' or '}'
  std::size_t connections = 4;                   ///< the pool of command connections: 1 to 64
  std::chrono::milliseconds cache_ttl{1000};     ///< a cached record is fresh this long: 0 (no cache) to 24 h
  std::chrono::milliseconds stale_while_revalidate{4000};  ///< then served stale while one refresh runs: 0 to 24 h
  std::chrono::milliseconds negative_ttl{1000};  ///< an unknown id is remembered this long: 0 (never) to 24 h
  std::size_t cache_max_entries = 100000;        ///< records and unknown ids cached, at most (0: no cache)
  std::size_t cache_max_bytes = std::size_t{64} << 20;  ///< their estimated memory, at most
  bool subscribe = true;                         ///< listen on the invalidation channel
  bool serve_stale_on_failure = false;           ///< when Redis is unreachable, answer from the cache however old
  std::chrono::seconds last_used_interval{60};   ///< last_used written at most once per key per interval
};

}  // namespace keyward::keys

namespace keyward::detail::keys_redis_store {

/// An estimate of the memory a cached record takes: the record, its strings and the cache's bookkeeping.
inline std::size_t record_bytes(const ::keyward::keys::key_record& r) noexcept {
  return sizeof(::keyward::keys::key_record) + r.prefix.capacity() + r.owner.capacity() + r.metadata.capacity() +
         192;
}

/// Hashes key ids with SipHash-2-4 under a random key (ids come from clients).
struct id_hasher {
  const crypto::siphash_key* key;
  std::size_t operator()(const ::keyward::keys::key_id& id) const noexcept {
    return static_cast<std::size_t>(crypto::siphash24(*key, id.chars().data(), ::keyward::keys::id_length));
  }
};

static_assert(::keyward::keys::id_length <= keys_redis_credits::max_id, "a record key holds an id");

}  // namespace keyward::detail::keys_redis_store

namespace keyward::keys {

/// Key records in Redis behind a local cache; see the top of this header for the layout and the guarantees.
/// Thread-safe: every member may be called from any number of threads at once. Owns a worker thread (the
/// invalidation subscriber, the background refreshes and the last-use writes), stopped and joined by the
/// destructor. Movable (a moved-from store must not be used), not copyable.
///
/// The cache: shards (up to 16) chosen by a SipHash of the id under a random key, each behind its own mutex,
/// each with an LRU list of records and one of unknown ids, bounded together by the shard's share of
/// cache_max_entries and cache_max_bytes (records are estimated: the record, its strings and about 200
/// bytes of bookkeeping). Unknown ids, which a client can make up at will, take at most a quarter of a
/// shard's entries (at least one) and evict only one another: a record is evicted only by a record. A miss
/// asks Redis (HGETALL); concurrent misses of one id wait for the one read (single flight), unless the id
/// is invalidated meanwhile (then a later miss reads again). An entry older than cache_ttl but within
/// stale_while_revalidate is served while the worker refreshes it (once); an older one is read again before
/// it is served, but kept until evicted, for serve_stale_on_failure. The worker runs at most 64 refreshes in
/// a row, and applies the invalidations received between any two of them.
///
/// Errors: those of the connection (errc::redis_unavailable, errc::redis_timeout when Redis does not answer
/// in time or no pooled connection frees up, errc::redis_protocol, errc::redis_error_reply), and
/// errc::key_invalid_record for a stored hash that does not decode (keys/record_fields.hpp), each member
/// adding its own.
class redis_store {
 public:
  /// What find() returns: a shared, read-only snapshot of a record, or null.
  using handle = std::shared_ptr<const key_record>;

  /// modify() tries its compare-and-set this many times before errc::key_store_conflict.
  static constexpr int modify_attempts = 5;

  /// A store for `options`, with its worker thread started (it subscribes in the background, retrying with a
  /// backoff while Redis is away); makes no connection on the caller's thread (see connect()).
  /// errc::redis_invalid_options for options.redis as rate::redis_limiter::make() refuses it;
  /// errc::key_invalid_options for a namespace over 64 bytes or holding '{' or '}', connections outside 1 to
  /// 64, a cache_ttl, stale_while_revalidate or negative_ttl outside 0 to 24 hours, or a negative
  /// last_used_interval; errc::random_unavailable without OS randomness for the cache's hash key;
  /// errc::redis_unavailable when the worker's wake-up pipe cannot be made (no file descriptor left). Not an
  /// error code: when the system cannot start a thread, std::thread throws std::system_error (under
  /// -fno-exceptions the program aborts), as it does for a memory allocation that fails.
  static result<redis_store> make(redis_store_options options) {
    const detail::redis::endpoint where{options.redis.host, options.redis.port, options.redis.connect_timeout,
                                        options.redis.command_timeout};
    if (!detail::redis::endpoint_valid(where)) return errc::redis_invalid_options;
    if (options.key_namespace.size() > detail::keys_redis_store::max_namespace ||
        options.key_namespace.find_first_of("{}") != std::string::npos || options.connections < 1 ||
        options.connections > 64 || !detail::keys_redis_store::within_a_day(options.cache_ttl) ||
        !detail::keys_redis_store::within_a_day(options.stale_while_revalidate) ||
        !detail::keys_redis_store::within_a_day(options.negative_ttl) || options.last_used_interval.count() < 0) {
      return errc::key_invalid_options;
    }
    crypto::siphash_key key;
    if (const result<void> filled = random::fill(&key, sizeof key); !filled) return filled.error();
    auto made = std::make_unique<state>(std::move(options), where, key);
    if (made->wake[0] < 0) return errc::redis_unavailable;
    return result<redis_store>(redis_store(std::move(made)));
  }

  ~redis_store() { stop(); }
  /// Takes over `other`'s connections, cache and worker thread; `other` may then only be destroyed or
  /// assigned to. Assignment first shuts this store down (worker joined, connections closed).
  ///@{
  redis_store(redis_store&& other) noexcept = default;
  redis_store& operator=(redis_store&& other) noexcept {
    if (this != &other) {
      stop();
      state_ = std::move(other.state_);
      worker_ = std::move(other.worker_);
    }
    return *this;
  }
  ///@}
  redis_store(const redis_store&) = delete;
  redis_store& operator=(const redis_store&) = delete;

  /// Connects a pooled connection if it has none and checks that Redis answers (PING): a way to check
  /// Redis at start-up. The errors of the connection.
  result<void> connect() {
    return state_->call([](detail::redis::connection& c, detail::redis::steady_time deadline) -> result<void> {
      const char* const argv[1] = {"PING"};
      const std::size_t lengths[1] = {4};
      detail::redis::reply_holder held;
      if (auto answered = state::exchange(c, 1, argv, lengths, deadline, held); !answered) return answered;
      if (held.reply->type == REDIS_REPLY_ERROR) return c.error_reply(held.reply);
      if (held.reply->type != REDIS_REPLY_STATUS) return c.give_up(errc::redis_protocol, "PING did not answer PONG");
      return {};
    });
  }

  /// The record of `id`: a null handle when there is none (ids that are not 12 base62 characters included,
  /// without asking Redis), from the cache when it holds a fresh copy (see the class), else read from Redis.
  /// Errors: those of the connection and errc::key_invalid_record, unless serve_stale_on_failure finds a
  /// cached entry to answer with instead (only for errc::redis_unavailable, or errc::redis_timeout from the
  /// connection itself rather than from the wait for a pooled connection).
  result<handle> find(std::string_view id) const {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return handle();
    return state_->find(*parsed);
  }

  /// Stores `record` under its id, with revision 1, adds the id to its owner's set and publishes the id (so
  /// that caches remembering it as unknown forget that). errc::key_duplicate_id when the id is taken
  /// (nothing is written but the owner set, which keys_of() filters); errc::key_invalid_record for a record
  /// the fields cannot hold (keys/record_fields.hpp); the errors of the connection.
  result<void> insert(key_record record) {
    const result<encoded_record> fields = encoded_record::make(record, 1);
    if (!fields) return fields.error();
    if (auto indexed = state_->add_to_owner(record.owner, record.id); !indexed) return indexed;
    const result<long long> written = state_->write_script(detail::keys_redis_store::insert_script, record.id,
                                                           nullptr, 0, *fields);
    state_->invalidate(record.id);
    if (!written) return written.error();
    return *written == 1 ? result<void>() : result<void>(errc::key_duplicate_id);
  }

  /// Applies `change`, called as change(key_record&) -> result<void>, to the record of `id` read from Redis
  /// (never from the cache), and stores the result when the record's revision and digest are still the ones
  /// read (a compare-and-set in one script, which also publishes the id; the digest tells a record erased
  /// and inserted again, whose revision restarts, from the one read); when another writer came first, reads and
  /// applies `change` again, up to modify_attempts times: `change` must be repeatable. Nothing is stored when
  /// change fails, and its error is returned. errc::key_not_found when there is no such record (or `id` is
  /// not an id); errc::key_invalid_options when the change altered the id; errc::key_store_conflict when
  /// every attempt lost the race; errc::key_invalid_record as insert(); the errors of the connection. When
  /// the owner changes, the id is added to the new owner's set first. Whenever the write fails (the script
  /// may have run, its reply lost), the store's own cached copy is dropped all the same.
  template <class Change>
  result<void> modify(std::string_view id, Change&& change) {
    static_assert(std::is_invocable_r_v<result<void>, Change&, key_record&>,
                  "redis_store::modify: change must be callable as change(key_record&) -> result<void>");
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return errc::key_not_found;
    for (int attempt = 0; attempt < modify_attempts; ++attempt) {
      result<std::optional<stored_record>> current = state_->read(*parsed);
      if (!current) return current.error();
      if (!current->has_value()) return errc::key_not_found;
      stored_record& stored = **current;
      key_record copy = stored.record;
      if (const result<void> changed = change(copy); !changed) return changed;
      if (copy.id != *parsed) return errc::key_invalid_options;
      const result<encoded_record> fields = encoded_record::make(copy, stored.revision + 1);
      if (!fields) return fields.error();
      if (copy.owner != stored.record.owner) {
        if (auto indexed = state_->add_to_owner(copy.owner, copy.id); !indexed) return indexed;
      }
      char expected[24];
      const auto digits = std::to_chars(expected, expected + sizeof expected, stored.revision);
      const result<std::string> digest = record_field_value(stored.record, record_field_name::digest, 0);
      if (!digest) return digest.error();
      const std::string_view guards[2] = {
          std::string_view(expected, static_cast<std::size_t>(digits.ptr - expected)), *digest};
      const result<long long> written =
          state_->write_script(detail::keys_redis_store::modify_script, *parsed, guards, 2, *fields);
      if (!written) {
        state_->invalidate(*parsed);  // the script may have run (a reply lost or late)
        return written.error();
      }
      if (*written == 1) {
        state_->invalidate(*parsed);
        return {};
      }
      if (*written == -1) return errc::key_not_found;
    }
    return errc::key_store_conflict;
  }

  /// Removes the record of `id` (handles already returned keep their snapshot), publishes the id and takes
  /// it out of its owner's set. The credit balance stays (other keys may spend it: see
  /// key_record::credit_balance). errc::key_not_found when there is none; the errors of the connection.
  result<void> erase(std::string_view id) {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return errc::key_not_found;
    return state_->erase(*parsed);
  }

  /// Every record of `owner` (all statuses), in no particular order, read from Redis (SMEMBERS of the owner's
  /// set, then one pipelined HGETALL per id); ids whose record is gone or belongs to another owner now are
  /// skipped. errc::key_invalid_record when a record does not decode; the errors of the connection.
  result<std::vector<handle>> keys_of(std::string_view owner) const { return state_->keys_of(owner); }

  /// Notes that `id` was used at `now` (the verifier calls it on every success): queues a write of the
  /// record's last_used (seconds) at most once per key per last_used_interval, which the worker makes within
  /// about a second, pipelined, never creating a record nor moving a last use back. No Redis round trip
  /// here; never fails (a write that fails is dropped, as are uses beyond 65536 pending).
  void record_use(std::string_view id, sys_nanoseconds now) const {
    const result<key_id> parsed = key_id::make(id);
    if (!parsed) return;
    state_->record_use(*parsed, detail::time_convert::floor_seconds(now).time_since_epoch().count());
  }

  /// Spends `cost` credits of `plan` from the balance of `balance_id` at `now`, in one script run (atomic in
  /// Redis; the rule of keys::spend_credits(), keys/credits.hpp: refilled at each period of plan.refill; the
  /// hash stores the balance's refill kind, and one written by an older version without it is refilled once).
  /// errc::key_invalid_options for an allowance or a cost above 2^53 - 1, errc::key_invalid_length for a
  /// balance id that is empty or over 64 bytes, errc::redis_error_reply when the balance key holds something
  /// else; the errors of the connection.
  result<credit_decision> consume_credits(std::string_view balance_id, const credit_plan& plan, std::uint64_t cost,
                                          sys_nanoseconds now) {
    namespace credits = detail::keys_redis_credits;
    static_assert(static_cast<std::uint8_t>(credit_refill::never) == credits::refill_never &&
                      static_cast<std::uint8_t>(credit_refill::daily) == credits::refill_daily &&
                      static_cast<std::uint8_t>(credit_refill::monthly) == credits::refill_monthly,
                  "the script numbers the refill kinds as keys::credit_refill does");
    char key[credits::max_key_size];
    const result<std::size_t> size = credits::write_balance_key(state_->options.key_namespace, balance_id, key);
    if (!size) return size.error();
    const result<credits::request> sent =
        credits::make_request(cost, plan.allowance, static_cast<std::uint8_t>(plan.refill),
                              credit_period(credit_refill::daily, now), credit_period(credit_refill::monthly, now));
    if (!sent) return sent.error();
    const std::string_view balance_key(key, *size);
    result<credits::reply> spent = state_->with_connection(
        [&](detail::redis::connection& c) { return credits::consume(c, balance_key, *sent); });
    if (!spent) return spent.error();
    return credits::to_decision<credit_decision, credit_refill>(*spent, &credit_refills_at);
  }

  /// Deletes the balance of `balance_id`, so that its next spend starts from a full allowance (deleting none
  /// succeeds). The errors of consume_credits() about the id and the connection.
  result<void> reset_credits(std::string_view balance_id) {
    namespace credits = detail::keys_redis_credits;
    char key[credits::max_key_size];
    const result<std::size_t> size = credits::write_balance_key(state_->options.key_namespace, balance_id, key);
    if (!size) return size.error();
    const std::string_view balance_key(key, *size);
    return state_->with_connection(
        [&](detail::redis::connection& c) { return credits::reset(c, balance_key); });
  }

 private:
  using steady_clock = std::chrono::steady_clock;
  using steady_time = detail::redis::steady_time;
  using hasher = detail::keys_redis_store::id_hasher;

  // One cached answer: a record, or "no such key" (a null record).
  struct entry {
    key_id id;
    handle record;
    steady_time fetched;  // when the read that gave it began
    std::size_t bytes = 0;
    bool refreshing = false;  // a background refresh is queued or running
  };

  // A read of Redis that concurrent misses of one id wait for.
  struct flight {
    bool done = false;
    result<handle> outcome = handle();
    std::condition_variable ready;
  };

  // Records and unknown ids live in two LRU lists, so that unknown ids (which anyone can make up) evict
  // only one another and never a record; `index` points into both (the list is the one of record != null).
  struct shard {
    explicit shard(const crypto::siphash_key* key)
        : index(16, hasher{key}), flights(4, hasher{key}), uses(16, hasher{key}) {}
    std::mutex mutex;
    std::list<entry> records;  // most recently used first
    std::list<entry> unknown;  // the same, for unknown ids
    std::unordered_map<key_id, std::list<entry>::iterator, hasher> index;
    std::unordered_map<key_id, std::shared_ptr<flight>, hasher> flights;
    std::unordered_map<key_id, std::int64_t, hasher> uses;  // the last use queued of each id, in seconds
    std::size_t bytes = 0;                                   // of both lists
    std::uint64_t generation = 0;  // bumped by every invalidation of an id of the shard (and by clear())
    std::list<entry>& list_of(const entry& e) noexcept { return e.record ? records : unknown; }
  };

  // A caller waiting for a pooled connection: given one by release(), first come first served.
  struct pool_waiter {
    detail::redis::connection* given = nullptr;
    std::condition_variable handed;
  };

  // Everything the worker shares with the callers; at a stable address.
  struct state {
    state(redis_store_options given, const detail::redis::endpoint& where, const crypto::siphash_key& key)
        : options(std::move(given)), hash_key(key), pending_uses(16, hasher{&hash_key}), subscriber(where) {
      channel = options.key_namespace + "invalidate";
      for (std::size_t i = 0; i < options.connections; ++i) {
        pool.push_back(std::make_unique<detail::redis::connection>(where));
      }
      idle.reserve(pool.size());
      for (const auto& c : pool) idle.push_back(c.get());
      caching = options.cache_max_entries > 0 && options.cache_ttl.count() > 0;
      const std::size_t count = options.cache_max_entries < 16 ? (caching ? options.cache_max_entries : 1) : 16;
      for (std::size_t i = 0; i < count; ++i) shards.push_back(std::make_unique<shard>(&hash_key));
      shard_entries = options.cache_max_entries / count;
      shard_unknown = shard_entries / 4 > 0 ? shard_entries / 4 : 1;
      shard_bytes = options.cache_max_bytes / count;
      using std::chrono::milliseconds;
      ping_interval = milliseconds(1000);
      if (caching && options.cache_ttl / 2 < ping_interval) ping_interval = options.cache_ttl / 2;
      if (ping_interval < milliseconds(100)) ping_interval = milliseconds(100);
      int fds[2];
      if (::pipe(fds) == 0) {
        for (const int fd : fds) {
          (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
          (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        wake[0] = fds[0];
        wake[1] = fds[1];
      }
    }
    ~state() {
      for (const int fd : wake) {
        if (fd >= 0) ::close(fd);
      }
    }
    state(const state&) = delete;
    state& operator=(const state&) = delete;

    // ---- Redis calls -------------------------------------------------------------------------------------

    // A free pooled connection: at once when one is free and nobody waits, else the first one freed after
    // the callers that waited before (first come, first served); null when none came within
    // connect_timeout + command_timeout.
    detail::redis::connection* acquire() {
      const steady_time deadline = detail::redis::deadline_after(
          steady_clock::now(), options.redis.connect_timeout + options.redis.command_timeout);
      std::unique_lock<std::mutex> lock(pool_mutex);
      if (waiting.empty() && !idle.empty()) {
        detail::redis::connection* c = idle.back();
        idle.pop_back();
        return c;
      }
      pool_waiter me;
      const auto place = waiting.insert(waiting.end(), &me);
      while (me.given == nullptr) {
        if (me.handed.wait_until(lock, deadline) == std::cv_status::timeout && me.given == nullptr) {
          waiting.erase(place);
          return nullptr;
        }
      }
      return me.given;
    }

    // Gives `c` back: to the caller that has waited longest, or to the free list (reserved: no allocation).
    void release(detail::redis::connection* c) noexcept {
      const std::lock_guard<std::mutex> lock(pool_mutex);
      if (waiting.empty()) {
        idle.push_back(c);
        return;
      }
      pool_waiter* next = waiting.front();
      waiting.pop_front();
      next->given = c;
      next->handed.notify_one();
    }

    // Runs `body(connection)` on a pooled connection (acquire()); errc::redis_timeout, with
    // *pool_timed_out set when given, when none freed up in time.
    template <class Body>
    auto with_connection(Body&& body, bool* pool_timed_out = nullptr)
        -> decltype(body(std::declval<detail::redis::connection&>())) {
      detail::redis::connection* taken = acquire();
      if (taken == nullptr) {
        if (pool_timed_out != nullptr) *pool_timed_out = true;
        return errc::redis_timeout;
      }
      struct giver {
        state* owner;
        detail::redis::connection* c;
        ~giver() { owner->release(c); }
      } const give_back{this, taken};
      return body(*taken);
    }

    // with_connection() for a body called with the connection, connected, and the deadline of its commands.
    template <class Body>
    auto call(Body&& body, bool* pool_timed_out = nullptr)
        -> decltype(body(std::declval<detail::redis::connection&>(), std::declval<steady_time>())) {
      return with_connection(
          [&](detail::redis::connection& c) {
            const steady_time start = steady_clock::now();
            bool fresh = false;
            using outcome = decltype(body(c, start));
            if (auto connected = c.ensure_connected(start, fresh); !connected) return outcome(connected.error());
            return body(c, c.command_deadline(start, fresh));
          },
          pool_timed_out);
    }

    // Sends one command and reads its one reply.
    static result<void> exchange(detail::redis::connection& c, std::size_t argc, const char* const* argv,
                                 const std::size_t* lengths, steady_time deadline,
                                 detail::redis::reply_holder& held) noexcept {
      if (!c.append(argc, argv, lengths)) return c.give_up(errc::redis_unavailable, "out of memory");
      return c.exchange(deadline, held);
    }

    // The record in an HGETALL reply for `id`: nullopt for an empty reply (no such key).
    static result<std::optional<stored_record>> decode(detail::redis::connection& c, const redisReply* reply,
                                                       const key_id& id) {
      if (reply->type == REDIS_REPLY_ERROR) return c.error_reply(reply);
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0) {
        return c.give_up(errc::redis_protocol, "HGETALL did not answer field-value pairs");
      }
      if (reply->elements == 0) return std::optional<stored_record>();
      const std::size_t pairs = reply->elements / 2;
      if (pairs > record_field_count) return errc::key_invalid_record;
      std::array<record_field, record_field_count> fields{};
      for (std::size_t i = 0; i < pairs; ++i) {
        const redisReply* name = reply->element[2 * i];
        const redisReply* value = reply->element[2 * i + 1];
        if (name->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING) {
          return c.give_up(errc::redis_protocol, "HGETALL answered something other than strings");
        }
        fields[i] = {std::string_view(name->str, name->len), std::string_view(value->str, value->len)};
      }
      result<stored_record> parsed = parse_record_fields(fields.data(), pairs);
      if (!parsed) return errc::key_invalid_record;
      if (parsed->record.id != id) return errc::key_invalid_record;
      return std::optional<stored_record>(std::move(*parsed));
    }

    // The record of `id` read from Redis (HGETALL); nullopt when there is none.
    result<std::optional<stored_record>> read(const key_id& id, bool* pool_timed_out = nullptr) {
      char key[detail::keys_redis_store::max_record_key];
      const std::size_t size = detail::keys_redis_store::write_record_key(options.key_namespace, id.view(), key);
      return call(
          [&](detail::redis::connection& c, steady_time deadline) -> result<std::optional<stored_record>> {
            const char* const argv[2] = {"HGETALL", key};
            const std::size_t lengths[2] = {7, size};
            detail::redis::reply_holder held;
            if (auto answered = exchange(c, 2, argv, lengths, deadline, held); !answered) return answered.error();
            return decode(c, held.reply, id);
          },
          pool_timed_out);
    }

    // read() as a handle (null: none).
    result<handle> fetch(const key_id& id, bool* pool_timed_out = nullptr) {
      result<std::optional<stored_record>> read_back = read(id, pool_timed_out);
      if (!read_back) return read_back.error();
      if (!read_back->has_value()) return handle();
      return handle(std::make_shared<const key_record>(std::move((*read_back)->record)));
    }

    // SADD of `id` to the set of `owner`.
    result<void> add_to_owner(std::string_view owner, const key_id& id) {
      const std::string set = owner_key(owner);
      return call([&](detail::redis::connection& c, steady_time deadline) -> result<void> {
        const char* const argv[3] = {"SADD", set.data(), id.view().data()};
        const std::size_t lengths[3] = {4, set.size(), id_length};
        detail::redis::reply_holder held;
        if (auto answered = exchange(c, 3, argv, lengths, deadline, held); !answered) return answered;
        if (held.reply->type == REDIS_REPLY_ERROR) return c.error_reply(held.reply);
        if (held.reply->type != REDIS_REPLY_INTEGER) return c.give_up(errc::redis_protocol, "SADD did not answer a count");
        return {};
      });
    }

    std::string owner_key(std::string_view owner) const {
      std::string set = options.key_namespace;
      set += "owner:{";
      set.append(owner.data(), owner.size());
      set += '}';
      return set;
    }

    // EVAL of `script` on the record of `id` with ARGV channel, id, the `guards` (the values the script
    // compares), then the fields; its integer reply.
    result<long long> write_script(std::string_view script, const key_id& id, const std::string_view* guards,
                                   std::size_t guard_count, const encoded_record& fields) {
      char key[detail::keys_redis_store::max_record_key];
      const std::size_t size = detail::keys_redis_store::write_record_key(options.key_namespace, id.view(), key);
      detail::keys_redis_store::command cmd;
      for (const std::string_view arg : {std::string_view("EVAL"), script, std::string_view("1"),
                                         std::string_view(key, size), std::string_view(channel), id.view()}) {
        cmd.add(arg);
      }
      for (std::size_t i = 0; i < guard_count; ++i) cmd.add(guards[i]);
      for (std::size_t i = 0; i < fields.size(); ++i) {
        cmd.add(fields[i].name);
        cmd.add(fields[i].value);
      }
      return call([&](detail::redis::connection& c, steady_time deadline) -> result<long long> {
        detail::redis::reply_holder held;
        if (auto answered = exchange(c, cmd.argv.size(), cmd.argv.data(), cmd.lengths.data(), deadline, held);
            !answered) {
          return answered.error();
        }
        if (held.reply->type == REDIS_REPLY_ERROR) return c.error_reply(held.reply);
        if (held.reply->type != REDIS_REPLY_INTEGER) return c.give_up(errc::redis_protocol, "a script's reply");
        return held.reply->integer;
      });
    }

    result<void> erase(const key_id& id) {
      char key[detail::keys_redis_store::max_record_key];
      const std::size_t size = detail::keys_redis_store::write_record_key(options.key_namespace, id.view(), key);
      std::string owner;
      const result<bool> erased = call([&](detail::redis::connection& c, steady_time deadline) -> result<bool> {
        const std::string_view script = detail::keys_redis_store::erase_script;
        const char* const argv[6] = {"EVAL", script.data(), "1", key, channel.data(), id.view().data()};
        const std::size_t lengths[6] = {4, script.size(), 1, size, channel.size(), id_length};
        detail::redis::reply_holder held;
        if (auto answered = exchange(c, 6, argv, lengths, deadline, held); !answered) return answered.error();
        const redisReply* r = held.reply;
        if (r->type == REDIS_REPLY_ERROR) return c.error_reply(r);
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_INTEGER) {
          return c.give_up(errc::redis_protocol, "a script's reply");
        }
        if (r->element[0]->integer == 0) return false;
        if (r->elements != 2 || r->element[1]->type != REDIS_REPLY_STRING) {
          return c.give_up(errc::redis_protocol, "a script's reply");
        }
        owner.assign(r->element[1]->str, r->element[1]->len);
        return true;
      });
      invalidate(id);
      if (!erased) return erased.error();
      if (!*erased) return errc::key_not_found;
      // The owner's set: best effort (keys_of() skips ids whose record is gone).
      const std::string set = owner_key(owner);
      static_cast<void>(call([&](detail::redis::connection& c, steady_time deadline) -> result<void> {
        const char* const argv[3] = {"SREM", set.data(), id.view().data()};
        const std::size_t lengths[3] = {4, set.size(), id_length};
        detail::redis::reply_holder held;
        return exchange(c, 3, argv, lengths, deadline, held);
      }));
      return {};
    }

    result<std::vector<handle>> keys_of(std::string_view owner) {
      const std::string set = owner_key(owner);
      return call([&](detail::redis::connection& c, steady_time deadline) -> result<std::vector<handle>> {
        std::vector<key_id> ids;
        {
          const char* const argv[2] = {"SMEMBERS", set.data()};
          const std::size_t lengths[2] = {8, set.size()};
          detail::redis::reply_holder held;
          if (auto answered = exchange(c, 2, argv, lengths, deadline, held); !answered) return answered.error();
          if (held.reply->type == REDIS_REPLY_ERROR) return c.error_reply(held.reply);
          if (held.reply->type != REDIS_REPLY_ARRAY) return c.give_up(errc::redis_protocol, "SMEMBERS's reply");
          for (std::size_t i = 0; i < held.reply->elements; ++i) {
            const redisReply* member = held.reply->element[i];
            if (member->type != REDIS_REPLY_STRING) return c.give_up(errc::redis_protocol, "SMEMBERS's reply");
            const result<key_id> id = key_id::make(std::string_view(member->str, member->len));
            if (id) ids.push_back(*id);
          }
        }
        std::vector<handle> found;
        if (ids.empty()) return found;
        for (const key_id& id : ids) {
          char key[detail::keys_redis_store::max_record_key];
          const std::size_t size = detail::keys_redis_store::write_record_key(options.key_namespace, id.view(), key);
          const char* const argv[2] = {"HGETALL", key};
          const std::size_t lengths[2] = {7, size};
          if (!c.append(2, argv, lengths)) return c.give_up(errc::redis_unavailable, "out of memory");
        }
        if (auto sent = c.send_all(deadline); !sent) return sent.error();
        result<void> failure;
        for (const key_id& id : ids) {
          detail::redis::reply_holder held;
          if (auto received = c.receive(deadline, held); !received) return received.error();
          if (!failure) continue;  // read every reply, so that the connection stays in step
          result<std::optional<stored_record>> decoded = decode(c, held.reply, id);
          if (!decoded) {
            if (decoded.error() == errc::redis_protocol) return decoded.error();
            failure = decoded.error();
            continue;
          }
          if (decoded->has_value() && (*decoded)->record.owner == owner) {
            found.push_back(std::make_shared<const key_record>(std::move((*decoded)->record)));
          }
        }
        if (auto drained = c.expect_drained(); !drained) return drained.error();
        if (!failure) return failure.error();
        return found;
      });
    }

    // ---- the cache ---------------------------------------------------------------------------------------

    std::uint64_t hash_of(const key_id& id) const noexcept {
      return crypto::siphash24(hash_key, id.chars().data(), id_length);
    }
    shard& shard_of(const key_id& id) const noexcept {
      return *shards[static_cast<std::size_t>(hash_of(id) >> 32) % shards.size()];
    }

    // The errors after which serve_stale_on_failure answers from the cache: Redis unreachable or silent on
    // the connection (not a local pool wait, an error reply or a record that does not decode).
    static bool unreachable(const keyward::error& e) noexcept {
      return e == errc::redis_unavailable || e == errc::redis_timeout;
    }

    // Ends the flight `led` of `id` with `outcome` and wakes its joiners; removes it from the shard unless an
    // invalidation already did (then another flight may stand there). Shard lock held.
    static void land(shard& s, const key_id& id, flight& led, const result<handle>& outcome) {
      led.outcome = outcome;
      led.done = true;
      if (const auto at = s.flights.find(id); at != s.flights.end() && at->second.get() == &led) s.flights.erase(at);
      led.ready.notify_all();
    }

    /// \cond
    /// Private: kept out of the API reference, where doxygen would list it (a struct in a private one).
    // Lands a flight that its leader leaves without landing it (an exception out of fetch() or keep()), so
    // that its joiners and later finds never wait for it forever.
    struct flight_guard {
      shard& s;
      const key_id& id;
      std::unique_lock<std::mutex>& lock;
      flight* led;
      ~flight_guard() {
        if (led == nullptr) return;
        if (!lock.owns_lock()) lock.lock();
        land(s, id, *led, result<handle>(errc::redis_unavailable));
      }
    };
    /// \endcond

    result<handle> find(const key_id& id) {
      if (!caching) return fetch(id);
      shard& s = shard_of(id);
      std::unique_lock<std::mutex> lock(s.mutex);
      const steady_time now = steady_clock::now();
      if (const auto at = s.index.find(id); at != s.index.end()) {
        entry& e = *at->second;
        const auto age = now - e.fetched;
        if (e.record) {
          if (age < options.cache_ttl) return touch(s, at->second);
          if (age < options.cache_ttl + options.stale_while_revalidate) {
            if (!e.refreshing) {
              e.refreshing = true;
              queue_refresh(id);
            }
            return touch(s, at->second);
          }
        } else if (age < options.negative_ttl) {
          return touch(s, at->second);
        }
      }
      if (const auto in_flight = s.flights.find(id); in_flight != s.flights.end()) {
        const std::shared_ptr<flight> joined = in_flight->second;
        joined->ready.wait(lock, [&joined] { return joined->done; });
        return joined->outcome;
      }
      const auto led = std::make_shared<flight>();
      s.flights.emplace(id, led);
      flight_guard guard{s, id, lock, led.get()};
      const std::uint64_t seen = s.generation;
      lock.unlock();
      const steady_time asked = steady_clock::now();  // the record is at most as old as the read's start
      bool pool_timed_out = false;
      const result<handle> fetched = fetch(id, &pool_timed_out);
      lock.lock();
      result<handle> outcome = fetched;
      if (fetched) {
        if (s.generation == seen) keep(s, id, *fetched, asked);
      } else if (options.serve_stale_on_failure && !pool_timed_out && unreachable(fetched.error())) {
        if (const auto at = s.index.find(id); at != s.index.end()) outcome = at->second->record;
      }
      guard.led = nullptr;
      land(s, id, *led, outcome);
      return outcome;
    }

    // The record of an entry, now the most recently used of its list. Shard lock held.
    static handle touch(shard& s, std::list<entry>::iterator at) {
      std::list<entry>& list = s.list_of(*at);
      list.splice(list.begin(), list, at);
      return at->record;
    }

    // Caches `record` (null: unknown id) for `id`, read from `when` on, evicting the least recently used
    // entries beyond the shard's bounds (see trim()). Shard lock held, generation checked.
    void keep(shard& s, const key_id& id, const handle& record, steady_time when) {
      if (!record && options.negative_ttl.count() == 0) {
        drop(s, id);
        return;
      }
      const std::size_t bytes = record ? detail::keys_redis_store::record_bytes(*record) : sizeof(entry) + 128;
      if (bytes > shard_bytes) {
        drop(s, id);
        return;
      }
      std::list<entry>& to = record ? s.records : s.unknown;
      std::list<entry>::iterator at;
      if (const auto found = s.index.find(id); found != s.index.end()) {
        at = found->second;
        s.bytes -= at->bytes;
        to.splice(to.begin(), s.list_of(*at), at);
      } else {
        to.emplace_front();
        at = to.begin();
        at->id = id;
        s.index.emplace(id, at);
      }
      at->record = record;
      at->fetched = when;
      at->bytes = bytes;
      at->refreshing = false;
      s.bytes += bytes;
      trim(s);
    }

    // Evicts down to the shard's bounds: unknown ids beyond their share (a quarter of the entries, at least
    // one) among themselves; then, while the entries or bytes are over, unknown ids first and records last
    // (never the last record, which keep() checked fits). Shard lock held.
    void trim(shard& s) {
      while (s.unknown.size() > shard_unknown) evict_last(s, s.unknown);
      while (s.records.size() + s.unknown.size() > shard_entries || s.bytes > shard_bytes) {
        if (!s.unknown.empty()) {
          evict_last(s, s.unknown);
        } else if (s.records.size() > 1) {
          evict_last(s, s.records);
        } else {
          break;
        }
      }
    }

    static void evict_last(shard& s, std::list<entry>& list) {
      s.bytes -= list.back().bytes;
      s.index.erase(list.back().id);
      list.pop_back();
    }

    // Forgets `id`. Shard lock held.
    static void drop(shard& s, const key_id& id) {
      const auto at = s.index.find(id);
      if (at == s.index.end()) return;
      s.bytes -= at->second->bytes;
      s.list_of(*at->second).erase(at->second);
      s.index.erase(at);
    }

    // Forgets `id`, keeps reads of its shard already under way from caching what they read, and detaches the
    // read of `id` under way, so that a later find() reads again rather than wait for an older answer.
    void invalidate(const key_id& id) {
      if (!caching) return;
      shard& s = shard_of(id);
      const std::lock_guard<std::mutex> lock(s.mutex);
      ++s.generation;
      drop(s, id);
      s.flights.erase(id);
    }

    // invalidate() for every id.
    void clear() {
      if (!caching) return;
      for (const auto& s : shards) {
        const std::lock_guard<std::mutex> lock(s->mutex);
        ++s->generation;
        s->records.clear();
        s->unknown.clear();
        s->index.clear();
        s->flights.clear();
        s->bytes = 0;
      }
    }

    // ---- work for the worker -----------------------------------------------------------------------------

    void queue_refresh(const key_id& id) {
      {
        const std::lock_guard<std::mutex> lock(work_mutex);
        refreshes.push_back(id);
      }
      wake_up();
    }

    // Queues a last use unless one was queued for `id` less than last_used_interval before. The times
    // queued are kept per shard, beside the cache (invalidations do not reset them), and only for uses the
    // queue took (a use dropped because 65536 are pending is not remembered); a shard forgets them all when
    // it holds too many, which at worst writes a few uses early.
    void record_use(const key_id& id, std::int64_t seconds) {
      const std::int64_t interval = static_cast<std::int64_t>(options.last_used_interval.count());
      shard& s = shard_of(id);
      const std::lock_guard<std::mutex> lock(s.mutex);
      const auto at = s.uses.find(id);
      if (at != s.uses.end() && seconds < detail::keys_record::add_saturated(at->second, interval)) return;
      {
        const std::lock_guard<std::mutex> work(work_mutex);
        const auto pending = pending_uses.find(id);
        if (pending != pending_uses.end()) {
          if (pending->second < seconds) pending->second = seconds;
        } else if (pending_uses.size() < max_pending_uses) {
          pending_uses.emplace(id, seconds);
        } else {
          return;
        }
      }
      if (at != s.uses.end()) {
        at->second = seconds;
        return;
      }
      if (s.uses.size() >= max_pending_uses / shards.size()) s.uses.clear();
      s.uses.emplace(id, seconds);
    }

    void wake_up() noexcept {
      const char byte = 1;
      if (wake[1] >= 0) static_cast<void>(::write(wake[1], &byte, 1));
    }

    // The worker's loop: subscriber (with its keepalive), refreshes, last uses; returns once `stopping` is
    // set.
    void run() {
      using std::chrono::milliseconds;
      next_subscribe = steady_clock::now();
      steady_time next_flush = steady_clock::now() + milliseconds(1000);
      milliseconds backoff(50);
      while (!stopping.load(std::memory_order_acquire)) {
        steady_time now = steady_clock::now();
        if (options.subscribe && !subscribed && now >= next_subscribe) {
          if (subscribe_now()) {
            backoff = milliseconds(50);
            clear();  // messages may have been lost while there was no subscription
          } else {
            next_subscribe = steady_clock::now() + backoff;
            backoff = backoff * 2 > milliseconds(2000) ? milliseconds(2000) : backoff * 2;
          }
          continue;
        }
        if (subscribed) {
          // A connection that went silent (a half-open TCP connection says nothing) is found by a PING
          // unanswered within command_timeout; then the worker subscribes again, and clears the cache.
          if (ping_outstanding && now >= ping_deadline) {
            drop_subscriber();
            continue;
          }
          if (!ping_outstanding && now >= last_heard + ping_interval && !send_ping()) {
            drop_subscriber();
            continue;
          }
        }
        steady_time until = next_flush;
        if (options.subscribe && !subscribed && next_subscribe < until) until = next_subscribe;
        if (subscribed) {
          const steady_time due = ping_outstanding ? ping_deadline : last_heard + ping_interval;
          if (due < until) until = due;
        }
        if (refresh_count() != 0) until = now;
        pollfd watched[2] = {};
        watched[0].fd = wake[0];
        watched[0].events = POLLIN;
        nfds_t count = 1;
        if (subscribed) {
          watched[1].fd = subscriber.fd();
          watched[1].events = POLLIN;
          count = 2;
        }
        const auto left = until > now ? std::chrono::ceil<milliseconds>(until - now).count() : 0;
        const int ready = ::poll(watched, count, static_cast<int>(left < 1000 ? left : 1000));
        if (ready > 0 && (watched[0].revents & POLLIN) != 0) {
          char drain[64];
          while (::read(wake[0], drain, sizeof drain) > 0) {
          }
        }
        if (ready > 0 && subscribed && watched[1].revents != 0 && !read_messages()) drop_subscriber();
        run_refreshes();
        if (steady_clock::now() >= next_flush || pending_count() >= flush_threshold) {
          flush_uses();
          next_flush = steady_clock::now() + milliseconds(1000);
        }
      }
      flush_uses();
      subscriber.disconnect();
    }

    // Connects the subscriber and subscribes to the channel: true (and `subscribed`) once Redis confirmed.
    bool subscribe_now() {
      subscriber.disconnect();
      const steady_time start = steady_clock::now();
      bool fresh = false;
      if (!subscriber.ensure_connected(start, fresh)) return false;
      const char* const argv[2] = {"SUBSCRIBE", channel.data()};
      const std::size_t lengths[2] = {9, channel.size()};
      detail::redis::reply_holder held;
      if (!subscriber.append(2, argv, lengths) || !subscriber.send_all(subscriber.command_deadline(start, fresh)) ||
          !subscriber.receive(subscriber.command_deadline(start, fresh), held)) {
        subscriber.disconnect();
        return false;
      }
      const redisReply* r = held.reply;
      const bool confirmed = r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
                             r->element[0]->type == REDIS_REPLY_STRING &&
                             std::string_view(r->element[0]->str, r->element[0]->len) == "subscribe";
      if (!confirmed) {
        subscriber.disconnect();
        return false;
      }
      subscribed = true;
      ping_outstanding = false;
      last_heard = steady_clock::now();
      if (!handle_messages()) {  // messages that came with the confirmation
        drop_subscriber();
        return false;
      }
      return true;
    }

    void drop_subscriber() {
      subscriber.disconnect();
      subscribed = false;
      ping_outstanding = false;
      next_subscribe = steady_clock::now();
    }

    // Sends a PING on the subscriber (answered, in subscribed mode, by ["pong", ""]); false when it failed.
    bool send_ping() {
      const char* const argv[1] = {"PING"};
      const std::size_t lengths[1] = {4};
      const steady_time now = steady_clock::now();
      ping_deadline = detail::redis::deadline_after(now, options.redis.command_timeout);
      if (!subscriber.append(1, argv, lengths) || !subscriber.send_all(ping_deadline)) return false;
      ping_outstanding = true;
      return handle_messages();  // replies send_all() read meanwhile
    }

    // Reads what the subscriber's socket holds and applies every whole message: false when the connection
    // failed.
    bool read_messages() {
      if (!subscriber.read_available()) return false;
      return handle_messages();
    }

    // Between refreshes: applies the invalidations that came meanwhile, without waiting.
    void check_subscriber() {
      if (!subscribed) return;
      pollfd watched{};
      watched.fd = subscriber.fd();
      watched.events = POLLIN;
      if (::poll(&watched, 1, 0) > 0 && !read_messages()) drop_subscriber();
    }

    bool handle_messages() {
      for (;;) {
        detail::redis::reply_holder held;
        const result<bool> taken = subscriber.take_buffered(held);
        if (!taken) return false;
        if (!*taken) return true;
        last_heard = steady_clock::now();
        ping_outstanding = false;  // anything heard shows the connection alive (a pong included)
        const redisReply* r = held.reply;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[2]->type != REDIS_REPLY_STRING ||
            std::string_view(r->element[0]->str, r->element[0]->len) != "message") {
          continue;
        }
        const result<key_id> id = key_id::make(std::string_view(r->element[2]->str, r->element[2]->len));
        if (id) invalidate(*id);
      }
    }

    std::size_t refresh_count() {
      const std::lock_guard<std::mutex> lock(work_mutex);
      return refreshes.size();
    }

    // Runs at most refresh_batch queued refreshes (the oldest), applying invalidations between them.
    void run_refreshes() {
      std::vector<key_id> taken;
      {
        const std::lock_guard<std::mutex> lock(work_mutex);
        if (refreshes.size() <= refresh_batch) {
          taken.swap(refreshes);
        } else {
          const auto end = refreshes.begin() + static_cast<std::ptrdiff_t>(refresh_batch);
          taken.assign(refreshes.begin(), end);
          refreshes.erase(refreshes.begin(), end);
        }
      }
      for (const key_id& id : taken) {
        if (stopping.load(std::memory_order_acquire)) break;
        check_subscriber();
        shard& s = shard_of(id);
        std::uint64_t seen;
        {
          const std::lock_guard<std::mutex> lock(s.mutex);
          seen = s.generation;
        }
        const steady_time asked = steady_clock::now();
        const result<handle> fetched = fetch(id);
        const std::lock_guard<std::mutex> lock(s.mutex);
        if (fetched && s.generation == seen) {
          keep(s, id, *fetched, asked);
        } else if (const auto at = s.index.find(id); at != s.index.end()) {
          at->second->refreshing = false;
        }
      }
    }

    std::size_t pending_count() {
      const std::lock_guard<std::mutex> lock(work_mutex);
      return pending_uses.size();
    }

    // Writes the queued last uses, pipelined, flush_chunk per call (EVALSHA of last_used_script, loaded on
    // each fresh connection and again after NOSCRIPT); a failure drops the chunk and the rest.
    void flush_uses() {
      std::unordered_map<key_id, std::int64_t, hasher> taken(16, hasher{&hash_key});
      {
        const std::lock_guard<std::mutex> lock(work_mutex);
        taken.swap(pending_uses);
      }
      auto next = taken.begin();
      while (next != taken.end()) {
        const auto first = next;
        std::size_t count = 0;
        while (next != taken.end() && count < flush_chunk) {
          ++next;
          ++count;
        }
        bool written = false;
        for (int attempt = 0; attempt < 2 && !written; ++attempt) {
          bool noscript = false;
          written = write_uses(first, next, noscript).has_value();
          if (!written && !noscript) return;
        }
        if (!written) return;
      }
    }

    template <class Iterator>
    result<void> write_uses(Iterator first, Iterator last, bool& noscript) {
      return with_connection([&](detail::redis::connection& c) -> result<void> {
        const steady_time start = steady_clock::now();
        bool fresh = false;
        if (auto connected = c.ensure_connected(start, fresh); !connected) return connected;
        if (fresh || last_used_sha[0] == '\0') {
          const steady_time until = fresh ? c.connect_deadline(start) : c.command_deadline(start, false);
          if (auto loaded = c.load_script(detail::keys_redis_store::last_used_script, last_used_sha, until); !loaded) {
            return loaded;
          }
        }
        const steady_time deadline = c.command_deadline(start, fresh);
        std::size_t count = 0;
        for (Iterator at = first; at != last; ++at, ++count) {
          char key[detail::keys_redis_store::max_record_key];
          const std::size_t size =
              detail::keys_redis_store::write_record_key(options.key_namespace, at->first.view(), key);
          char digits[24];
          const auto end = std::to_chars(digits, digits + sizeof digits, at->second).ptr;
          const char* const argv[5] = {"EVALSHA", last_used_sha, "1", key, digits};
          const std::size_t lengths[5] = {7, 40, 1, size, static_cast<std::size_t>(end - digits)};
          if (!c.append(5, argv, lengths)) return c.give_up(errc::redis_unavailable, "out of memory");
        }
        if (auto sent = c.send_all(deadline); !sent) return sent;
        for (std::size_t i = 0; i < count; ++i) {
          detail::redis::reply_holder held;
          if (auto received = c.receive(deadline, held); !received) return received;
          if (detail::redis::is_noscript(held.reply)) noscript = true;
        }
        if (auto drained = c.expect_drained(); !drained) return drained;
        if (noscript) {
          last_used_sha[0] = '\0';
          return errc::redis_error_reply;
        }
        return {};
      });
    }

    static constexpr std::size_t max_pending_uses = 65536;
    static constexpr std::size_t flush_threshold = 1024;
    static constexpr std::size_t flush_chunk = 1024;
    static constexpr std::size_t refresh_batch = 64;

    redis_store_options options;
    crypto::siphash_key hash_key;
    std::string channel;
    bool caching = false;
    std::vector<std::unique_ptr<detail::redis::connection>> pool;
    std::mutex pool_mutex;                          // guards idle and waiting
    std::vector<detail::redis::connection*> idle;   // free connections (capacity: the whole pool)
    std::list<pool_waiter*> waiting;                // callers waiting for one, oldest first
    std::vector<std::unique_ptr<shard>> shards;
    std::size_t shard_entries = 0;
    std::size_t shard_unknown = 0;  // unknown ids a shard keeps at most
    std::size_t shard_bytes = 0;
    std::mutex work_mutex;  // guards refreshes and pending_uses
    std::vector<key_id> refreshes;
    std::unordered_map<key_id, std::int64_t, hasher> pending_uses;
    // The worker's own:
    detail::redis::connection subscriber;
    bool subscribed = false;
    steady_time next_subscribe{};
    bool ping_outstanding = false;
    steady_time ping_deadline{};
    steady_time last_heard{};
    std::chrono::milliseconds ping_interval{1000};
    char last_used_sha[41] = {};
    int wake[2] = {-1, -1};  // the worker's wake-up pipe: read end, write end
    std::atomic<bool> stopping{false};
  };

  explicit redis_store(std::unique_ptr<state> made) : state_(std::move(made)) {
    state* shared = state_.get();
    worker_ = std::thread([shared] { shared->run(); });
  }

  void stop() noexcept {
    if (!state_) return;
    state_->stopping.store(true, std::memory_order_release);
    state_->wake_up();
    if (worker_.joinable()) worker_.join();
    state_.reset();
  }

  std::unique_ptr<state> state_;
  std::thread worker_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_REDIS_STORE_HPP
