// Tests for include/keyward/keys/redis_store.hpp against real redis-servers started here (exit 77, skipped,
// without redis-server): the life-cycle functions of keys/record.hpp over the store (mint, keys_of, revoke,
// disable, rotate with a grace period, set_scopes, set_limit, set_credits, erase), verification through
// keys::verifier, the cache (expiry, stale-while-revalidate, the negative cache counted with INFO
// commandstats, invalidation across two stores), last-use writes, credits, and failures: a killed server
// (errors, 503), a stopped one (SIGSTOP: a timeout within the deadline, a destructor that returns, a silent
// subscriber found by its PING, a full queue of last uses) and serve_stale_on_failure. One test puts a small
// fake Redis (in this file) in front of the store, to hold a read's reply back while an invalidation comes.
// What Redis holds is read with a plain hiredis client, and the expected field texts come from the format at
// the top of keys/record_fields.hpp.
#define BOOST_TEST_MODULE keys_redis_store
#include <boost/test/unit_test.hpp>

#include <keyward/http/bearer.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/redis_store.hpp>
#include <keyward/keys/verifier.hpp>

#include "support/redis_server.hpp"
#include "support/test_support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
namespace http = keyward::http;
using keyward::errc;

namespace {

// One redis-server for the module (the failure tests start their own).
struct shared_server {
  shared_server() {
    executable = keyward_test::find_redis_server();
    if (executable.empty()) {
      std::fprintf(stderr, "redis-server not found: skipping the Redis store tests\n");
      std::exit(77);
    }
    server = std::make_unique<keyward_test::redis_server>(executable);
    if (!server->running()) {
      std::fprintf(stderr, "redis-server did not start\n");
      std::exit(1);
    }
    instance = this;
  }
  std::string executable;
  std::unique_ptr<keyward_test::redis_server> server;
  static shared_server* instance;
};
shared_server* shared_server::instance = nullptr;
BOOST_TEST_GLOBAL_FIXTURE(shared_server);

// 2026-12-04T12:00:00Z
const keys::sys_nanoseconds t0{std::chrono::seconds(1796385600)};

// A namespace of its own for each store of the module's shared server.
std::string fresh_namespace() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(counter.fetch_add(1)) + ":";
}

keys::redis_store_options options_for(int port, std::string key_namespace) {
  keys::redis_store_options options;
  options.redis.port = port;
  options.redis.connect_timeout = 300ms;
  options.redis.command_timeout = 300ms;
  options.key_namespace = std::move(key_namespace);
  return options;
}

keys::redis_store make_store(const keys::redis_store_options& options) {
  auto made = keys::redis_store::make(options);
  BOOST_TEST_REQUIRE(made.has_value());
  return std::move(*made);
}

// A plain hiredis client, to see and change what Redis holds behind the store's back.
class raw_client {
 public:
  explicit raw_client(int port) {
    timeval limit{1, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port, limit);
    BOOST_TEST_REQUIRE((context_ != nullptr && context_->err == 0));
  }
  ~raw_client() { redisFree(context_); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  // The reply to a command of string arguments, as text: a string or status as is, an integer in decimal,
  // nil as "(nil)", an error as "ERR:<text>", an array as its elements joined by '\n'.
  std::string run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    BOOST_TEST_REQUIRE(reply != nullptr);
    std::string text = render(reply);
    freeReplyObject(reply);
    return text;
  }

  // The calls of `command` in INFO commandstats (cmdstat_<command>:calls=N).
  long calls_of(const std::string& command) {
    const std::string info = run({"INFO", "commandstats"});
    const std::string marker = "cmdstat_" + command + ":calls=";
    const std::size_t at = info.find(marker);
    return at == std::string::npos ? 0 : std::atol(info.c_str() + at + marker.size());
  }

 private:
  static std::string render(const redisReply* r) {
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS: return std::string(r->str, r->len);
      case REDIS_REPLY_ERROR: return "ERR:" + std::string(r->str, r->len);
      case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
      case REDIS_REPLY_NIL: return "(nil)";
      default: break;
    }
    std::string joined;
    for (std::size_t i = 0; i < r->elements; ++i) {
      if (i != 0) joined += '\n';
      joined += render(r->element[i]);
    }
    return joined;
  }
  redisContext* context_ = nullptr;
};

const keys::prefix_entry& live_secret() {
  for (const keys::prefix_entry& e : keys::stripe_prefixes.set()) {
    if (e.prefix == "sk_live_") return e;
  }
  BOOST_FAIL("no sk_live_ in stripe_prefixes");
  return *keys::stripe_prefixes.set().begin();
}

keys::pepper_set peppers() { return *keys::pepper_set::make(3, "the pepper of the redis store tests, 32+ bytes"); }

keys::key_record blueprint(std::string owner = "acct_1") {
  keys::key_record record;
  record.owner = std::move(owner);
  record.scopes = keys::scopes::read;
  record.metadata = R"({"plan":"pro"})";
  return record;
}

keys::minted_key mint(keys::redis_store& store, keys::key_record record = blueprint()) {
  auto minted = keys::mint(store, std::move(record), live_secret(), peppers());
  BOOST_TEST_REQUIRE(minted.has_value());
  return std::move(*minted);
}

// The record of `id`, which must exist.
keys::redis_store::handle found(const keys::redis_store& store, std::string_view id) {
  auto record = store.find(id);
  BOOST_TEST_REQUIRE(record.has_value());
  BOOST_TEST_REQUIRE(static_cast<bool>(*record));
  return *record;
}

std::string record_key(const std::string& ns, const keys::key_id& id) { return ns + "{" + std::string(id.view()) + "}"; }

// Waits (at most `limit`) until `done()`; true when it came.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 2000ms) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

keys::verifier_options verifier_options() {
  keys::verifier_options options;
  options.prefixes = keys::stripe_prefixes;
  options.challenge = *http::challenge_options::make(http::challenge_scheme::bearer, "api");
  return options;
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_checks_the_options) {
  auto options = options_for(shared_server::instance->server->port(), fresh_namespace());
  BOOST_TEST(keys::redis_store::make(options).has_value());
  auto bad = options;
  bad.key_namespace = std::string(65, 'n');
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad = options;
  bad.key_namespace = "a{b}:";  // would move the records' hash tag
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad = options;
  bad.connections = 0;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad.connections = 65;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad = options;
  bad.cache_ttl = -1ms;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad = options;
  bad.negative_ttl = 24h + 1ms;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::key_invalid_options);
  bad.negative_ttl = 24h;
  BOOST_TEST(keys::redis_store::make(bad).has_value());
  bad = options;
  bad.redis.port = 0;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::redis_invalid_options);
  bad = options;
  bad.redis.command_timeout = 0ms;
  BOOST_TEST(keys::redis_store::make(bad).error() == errc::redis_invalid_options);
}

BOOST_AUTO_TEST_CASE(minted_keys_are_hashes_in_the_documented_layout) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  BOOST_TEST(store.connect().has_value());
  const keys::minted_key minted = mint(store);
  raw_client raw(port);
  const std::string key = record_key(ns, minted.id);
  BOOST_TEST(raw.run({"TYPE", key}) == "hash");
  BOOST_TEST(raw.run({"HGET", key, "format"}) == "1");
  BOOST_TEST(raw.run({"HGET", key, "id"}) == std::string(minted.id.view()));
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "1");
  BOOST_TEST(raw.run({"HGET", key, "owner"}) == "acct_1");
  BOOST_TEST(raw.run({"HGET", key, "status"}) == "active");
  BOOST_TEST(raw.run({"HGET", key, "scopes"}) == "1");  // read is bit 0
  BOOST_TEST(raw.run({"HGET", key, "prefix"}) == "sk_live_");
  BOOST_TEST(raw.run({"HGET", key, "digest"}).substr(0, 15) == "hmac-sha256:v3:");
  BOOST_TEST(raw.run({"HEXISTS", key, "last_used"}) == "0");
  BOOST_TEST(raw.run({"SMEMBERS", ns + "owner:{acct_1}"}) == std::string(minted.id.view()));
  // The key itself is nowhere in Redis.
  BOOST_TEST(raw.run({"HGETALL", key}).find(std::string(minted.key.reveal())) == std::string::npos);

  const auto record = found(store, minted.id.view());
  BOOST_TEST((record->id == minted.id));
  BOOST_TEST(record->owner == "acct_1");
  BOOST_TEST(record->metadata == R"({"plan":"pro"})");
  BOOST_TEST(peppers().matches(minted.key.reveal(), record->digest));
  // Unknown and malformed ids: no such key.
  BOOST_TEST(!*store.find("000000000000"));
  BOOST_TEST(!*store.find("not an id"));
  // Inserting the same id again.
  BOOST_TEST(store.insert(*record).error() == errc::key_duplicate_id);
}

BOOST_AUTO_TEST_CASE(admin_operations_change_the_stored_record) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  raw_client raw(port);
  const keys::minted_key first = mint(store);
  const keys::minted_key second = mint(store);
  const keys::minted_key other = mint(store, blueprint("acct_2"));
  const std::string key = record_key(ns, first.id);

  auto listed = store.keys_of("acct_1");
  BOOST_TEST_REQUIRE(listed.has_value());
  BOOST_TEST(listed->size() == 2u);
  BOOST_TEST(store.keys_of("acct_2")->size() == 1u);
  BOOST_TEST(store.keys_of("nobody")->empty());

  BOOST_TEST(keys::disable(store, first.id.view()).has_value());
  BOOST_TEST(raw.run({"HGET", key, "status"}) == "disabled");
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "2");
  BOOST_TEST((found(store, first.id.view())->status == keys::key_status::disabled));  // no stale copy
  BOOST_TEST(keys::revoke(store, first.id.view()).has_value());
  BOOST_TEST(raw.run({"HGET", key, "status"}) == "revoked");
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "3");

  const std::string key2 = record_key(ns, second.id);
  BOOST_TEST(keys::set_scopes(store, second.id.view(), keys::scopes::read | keys::scopes::admin).has_value());
  BOOST_TEST(raw.run({"HGET", key2, "scopes"}) == "5");  // bits 0 and 2
  BOOST_TEST(keys::set_limit(store, second.id.view(), keyward::rate::quota{100, 60s, 10}).has_value());
  BOOST_TEST(raw.run({"HMGET", key2, "limit_count", "limit_period", "limit_burst"}) == "100\n60000000000\n10");
  BOOST_TEST(keys::set_limit(store, second.id.view(), std::nullopt).has_value());
  BOOST_TEST(raw.run({"HEXISTS", key2, "limit_count"}) == "0");  // an optional field removed
  BOOST_TEST(keys::set_credits(store, second.id.view(), keys::credit_plan{500, keys::credit_refill::daily})
                 .has_value());
  BOOST_TEST(raw.run({"HMGET", key2, "credit_allowance", "credit_refill"}) == "500\ndaily");
  const auto record2 = found(store, second.id.view());
  BOOST_TEST((record2->scopes == (keys::scopes::read | keys::scopes::admin)));
  BOOST_TEST((record2->credits == keys::credit_plan{500, keys::credit_refill::daily}));

  // A change that fails stores nothing; one that alters the id is refused; unknown ids are not found.
  BOOST_TEST(store.modify(second.id.view(), [](keys::key_record& r) -> keyward::result<void> {
    r.owner = "changed";
    return errc::key_invalid_scope;
  }).error() == errc::key_invalid_scope);
  BOOST_TEST(raw.run({"HGET", key2, "owner"}) == "acct_1");
  BOOST_TEST(store.modify(second.id.view(), [](keys::key_record& r) -> keyward::result<void> {
    r.id = *keys::key_id::make("000000000001");
    return {};
  }).error() == errc::key_invalid_options);
  BOOST_TEST(keys::revoke(store, "000000000000").error() == errc::key_not_found);
  BOOST_TEST(keys::revoke(store, "bad").error() == errc::key_not_found);

  // Moving a key to another owner: keys_of follows the records, not the stale set entry.
  BOOST_TEST(store.modify(second.id.view(), [](keys::key_record& r) -> keyward::result<void> {
    r.owner = "acct_2";
    return {};
  }).has_value());
  BOOST_TEST(store.keys_of("acct_1")->size() == 1u);
  BOOST_TEST(store.keys_of("acct_2")->size() == 2u);

  BOOST_TEST(store.erase(other.id.view()).has_value());
  BOOST_TEST(raw.run({"EXISTS", record_key(ns, other.id)}) == "0");
  BOOST_TEST(!*store.find(other.id.view()));
  BOOST_TEST(store.keys_of("acct_2")->size() == 1u);
  BOOST_TEST(store.erase(other.id.view()).error() == errc::key_not_found);
  BOOST_TEST(store.erase("bad").error() == errc::key_not_found);
}

BOOST_AUTO_TEST_CASE(rotation_keeps_the_old_key_for_the_grace_period) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key old = mint(store);
  const auto rotated = keys::rotate(store, old.id.view(), 1h, t0, keys::stripe_prefixes, peppers());
  BOOST_TEST_REQUIRE(rotated.has_value());
  const auto old_record = found(store, old.id.view());
  BOOST_TEST_REQUIRE(old_record->expires_at.has_value());
  BOOST_TEST((*old_record->expires_at == std::chrono::system_clock::time_point(t0.time_since_epoch() + 1h)));
  const auto fresh = found(store, rotated->id.view());
  BOOST_TEST(fresh->owner == "acct_1");
  BOOST_TEST(!fresh->expires_at.has_value());
  BOOST_TEST(store.keys_of("acct_1")->size() == 2u);
  raw_client raw(port);
  // 2026-12-04T13:00:00Z = 1796385600 + 3600 s, in nanoseconds.
  BOOST_TEST(raw.run({"HGET", record_key(ns, old.id), "expires_at"}) == "1796389200000000000");
}

BOOST_AUTO_TEST_CASE(the_verifier_authenticates_and_sees_revocation_at_once) {
  const int port = shared_server::instance->server->port();
  keys::redis_store store = make_store(options_for(port, fresh_namespace()));
  const auto verify = keys::verifier<keys::redis_store>::make(store, verifier_options(), peppers());
  BOOST_TEST_REQUIRE(verify.has_value());
  const keys::minted_key minted = mint(store);
  const std::string bearer = *http::bearer(minted.key.reveal());
  const auto who = verify->authenticate(bearer, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(who.has_value());
  BOOST_TEST(who->id() == minted.id.view());
  BOOST_TEST(who->owner() == "acct_1");
  BOOST_TEST(keys::revoke(store, minted.id.view()).has_value());
  const auto denied = verify->authenticate(bearer, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(!denied.has_value());
  BOOST_TEST((denied.error().reason() == http::denial_reason::revoked));
  // An unknown key of a valid format.
  BOOST_TEST_REQUIRE(store.erase(minted.id.view()).has_value());
  const auto gone = verify->authenticate(bearer, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(!gone.has_value());
  BOOST_TEST((gone.error().reason() == http::denial_reason::invalid_key));
}

BOOST_AUTO_TEST_CASE(a_change_behind_the_store_is_seen_after_cache_ttl_and_not_before) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 400ms;
  options.stale_while_revalidate = 0ms;
  options.subscribe = false;
  keys::redis_store store = make_store(options);
  const keys::minted_key minted = mint(store);
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));  // cached now
  raw_client raw(port);
  BOOST_TEST(raw.run({"HSET", record_key(ns, minted.id), "status", "revoked"}) == "0");  // no PUBLISH
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));
  const auto seen = [&] { return found(store, minted.id.view())->status == keys::key_status::revoked; };
  BOOST_TEST(eventually(seen, 2000ms));
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST((waited >= 400ms));
  BOOST_TEST((waited < 1500ms));
}

BOOST_AUTO_TEST_CASE(a_stale_record_is_served_while_one_refresh_runs) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 200ms;
  options.stale_while_revalidate = 5000ms;
  options.subscribe = false;
  keys::redis_store store = make_store(options);
  const keys::minted_key minted = mint(store);
  BOOST_TEST(found(store, minted.id.view())->metadata == R"({"plan":"pro"})");
  raw_client raw(port);
  raw.run({"HSET", record_key(ns, minted.id), "metadata", "v2"});
  std::this_thread::sleep_for(250ms);
  const long before = raw.calls_of("hgetall");
  // Stale: served at once, the refresh in the background.
  BOOST_TEST(found(store, minted.id.view())->metadata == R"({"plan":"pro"})");
  BOOST_TEST(eventually([&] { return found(store, minted.id.view())->metadata == "v2"; }, 1000ms));
  BOOST_TEST(raw.calls_of("hgetall") - before == 1);  // one refresh, whatever the number of finds
}

BOOST_AUTO_TEST_CASE(unknown_ids_are_remembered_negative_ttl_and_forgotten_on_insert) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.negative_ttl = 60s;
  keys::redis_store a = make_store(options);
  keys::redis_store b = make_store(options);
  raw_client raw(port);
  BOOST_TEST_REQUIRE(a.connect().has_value());
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", ns + "invalidate"}) == ns + "invalidate\n2"; }));
  keys::key_record record = blueprint();
  record.id = *keys::key_id::make("Negative0001");
  const long before = raw.calls_of("hgetall");
  for (int i = 0; i < 20; ++i) BOOST_TEST(!*a.find(record.id.view()));
  BOOST_TEST(raw.calls_of("hgetall") - before == 1);
  // Inserted through the other store: its PUBLISH makes `a` forget the negative entry.
  BOOST_TEST(b.insert(record).has_value());
  BOOST_TEST(eventually([&] { return static_cast<bool>(*a.find(record.id.view())); }, 500ms));
}

BOOST_AUTO_TEST_CASE(a_revocation_on_one_store_reaches_another_within_a_pub_sub_hop) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 60s;  // only the invalidation can make b see the change
  keys::redis_store a = make_store(options);
  keys::redis_store b = make_store(options);
  raw_client raw(port);
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", ns + "invalidate"}) == ns + "invalidate\n2"; }));
  const keys::minted_key minted = mint(a);
  const auto verify = *keys::verifier<keys::redis_store>::make(b, verifier_options(), peppers());
  const std::string bearer = *http::bearer(minted.key.reveal());
  BOOST_TEST(verify.authenticate(bearer, keys::scopes::none, t0).has_value());  // b caches the record
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(keys::revoke(a, minted.id.view()).has_value());
  BOOST_TEST(eventually([&] { return !verify.authenticate(bearer, keys::scopes::none, t0).has_value(); }, 1000ms));
  BOOST_TEST((std::chrono::steady_clock::now() - start < 250ms));
  BOOST_TEST((verify.authenticate(bearer, keys::scopes::none, t0).error().reason() == http::denial_reason::revoked));
}

BOOST_AUTO_TEST_CASE(last_uses_are_written_by_the_worker_at_most_once_per_interval) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(store);
  raw_client raw(port);
  const std::string key = record_key(ns, minted.id);
  BOOST_TEST_REQUIRE(static_cast<bool>(*store.find(minted.id.view())));
  store.record_use(minted.id.view(), t0);
  BOOST_TEST(eventually([&] { return raw.run({"HGET", key, "last_used"}) == "1796385600"; }, 3000ms));
  store.record_use(minted.id.view(), t0 + 30s);  // within the 60 s interval: not written
  std::this_thread::sleep_for(1300ms);
  BOOST_TEST(raw.run({"HGET", key, "last_used"}) == "1796385600");
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "1");  // last uses leave the revision alone
  store.record_use(minted.id.view(), t0 + 61s);
  BOOST_TEST(eventually([&] { return raw.run({"HGET", key, "last_used"}) == "1796385661"; }, 3000ms));
  // A later change keeps the last use; a use of an erased key creates nothing.
  BOOST_TEST(keys::disable(store, minted.id.view()).has_value());
  BOOST_TEST(raw.run({"HGET", key, "last_used"}) == "1796385661");
  BOOST_TEST(store.erase(minted.id.view()).has_value());
  store.record_use(minted.id.view(), t0 + 200s);
  std::this_thread::sleep_for(1300ms);
  BOOST_TEST(raw.run({"EXISTS", key}) == "0");
}

BOOST_AUTO_TEST_CASE(credits_are_spent_and_reset_in_redis) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::credit_plan plan{3, keys::credit_refill::daily};
  auto d = store.consume_credits("balance00001", plan, 2, t0);
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->allowed);
  BOOST_TEST(d->remaining == 1u);
  // Daily refill: the next UTC midnight after 2026-12-04T12:00Z is 2026-12-05T00:00Z = 1796428800 s.
  BOOST_TEST_REQUIRE(d->refills_at.has_value());
  BOOST_TEST((*d->refills_at == std::chrono::system_clock::time_point(std::chrono::seconds(1796428800))));
  d = store.consume_credits("balance00001", plan, 2, t0);
  BOOST_TEST(!d->allowed);
  BOOST_TEST(d->remaining == 1u);
  raw_client raw(port);
  BOOST_TEST(raw.run({"HGET", ns + "{balance00001}:credits", "remaining"}) == "1");
  BOOST_TEST(store.reset_credits("balance00001").has_value());
  BOOST_TEST(raw.run({"EXISTS", ns + "{balance00001}:credits"}) == "0");
  BOOST_TEST(store.consume_credits("balance00001", plan, 3, t0)->allowed);
  BOOST_TEST(store.consume_credits("", plan, 1, t0).error() == errc::key_invalid_length);
  BOOST_TEST(store.consume_credits("x", keys::credit_plan{std::uint64_t{1} << 53, keys::credit_refill::never}, 1, t0)
                 .error() == errc::key_invalid_options);
}

BOOST_AUTO_TEST_CASE(a_hash_that_does_not_decode_is_an_error) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(store);
  raw_client raw(port);
  raw.run({"HSET", record_key(ns, minted.id), "status", "sleeping"});
  // The store minted (and cached) it: a fresh store reads Redis.
  keys::redis_store other = make_store(options_for(port, ns));
  BOOST_TEST(other.find(minted.id.view()).error() == errc::key_invalid_record);
  BOOST_TEST(keys::revoke(other, minted.id.view()).error() == errc::key_invalid_record);
  raw.run({"SET", record_key(ns, *keys::key_id::make("WrongType001")), "x"});
  BOOST_TEST(other.find("WrongType001").error() == errc::redis_error_reply);
}

BOOST_AUTO_TEST_CASE(a_killed_server_is_an_error_and_a_503) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  keys::redis_store store = make_store(options_for(server.port(), "k:"));
  const auto verify = *keys::verifier<keys::redis_store>::make(store, verifier_options(), peppers());
  const keys::minted_key minted = mint(store);
  const keys::minted_key other = mint(store);
  BOOST_TEST(verify.authenticate(*http::bearer(minted.key.reveal()), keys::scopes::none, t0).has_value());
  server.kill_now();
  // `other` was never read: the store must ask Redis, which is gone.
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(store.find(other.id.view()).error() == errc::redis_unavailable);
  const auto denied = verify.authenticate(*http::bearer(other.key.reveal()), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(!denied.has_value());
  BOOST_TEST(denied.error().status() == 503);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 1000ms));
  BOOST_TEST(keys::revoke(store, minted.id.view()).error() == errc::redis_unavailable);
  BOOST_TEST(store.consume_credits(minted.id.view(), keys::credit_plan{5, keys::credit_refill::never}, 1, t0)
                 .error() == errc::redis_unavailable);
  // Back (empty: no persistence): the store reconnects.
  BOOST_TEST_REQUIRE(server.restart());
  BOOST_TEST(eventually([&] {
    const auto f = store.find(other.id.view());
    return f.has_value() && !*f;
  }));
}

BOOST_AUTO_TEST_CASE(a_stopped_server_times_out_within_the_deadline) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  auto options = options_for(server.port(), "s:");
  options.redis.connect_timeout = 200ms;
  options.redis.command_timeout = 200ms;
  std::optional<keys::redis_store> store(make_store(options));
  const keys::minted_key minted = mint(*store);
  store->record_use(minted.id.view(), t0);  // pending work for the worker when the server stops
  server.suspend();
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(store->find("Stopped00001").error() == errc::redis_timeout);
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST((took >= 190ms));
  BOOST_TEST((took < 700ms));  // connect_timeout + command_timeout, and slack
  const auto verify = *keys::verifier<keys::redis_store>::make(*store, verifier_options(), peppers());
  keys::memory_store elsewhere = *keys::memory_store::make();
  const keys::minted_key unknown = *keys::mint(elsewhere, blueprint(), live_secret(), peppers());
  BOOST_TEST(verify.authenticate(*http::bearer(unknown.key.reveal()), keys::scopes::none, t0).error().status() == 503);
  const auto stopping = std::chrono::steady_clock::now();
  store.reset();  // the worker's calls are bounded too
  BOOST_TEST((std::chrono::steady_clock::now() - stopping < 1500ms));
  server.resume();
}

BOOST_AUTO_TEST_CASE(serve_stale_on_failure_answers_from_the_cache_however_old) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  auto options = options_for(server.port(), "f:");
  options.cache_ttl = 100ms;
  options.stale_while_revalidate = 0ms;
  options.negative_ttl = 100ms;
  options.serve_stale_on_failure = true;
  keys::redis_store lenient = make_store(options);
  options.serve_stale_on_failure = false;
  keys::redis_store strict = make_store(options);
  // Once subscribed (a subscription clears the cache, since messages may have been lost before it).
  raw_client raw(server.port());
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", "f:invalidate"}) == "f:invalidate\n2"; }));
  const keys::minted_key minted = mint(lenient);
  std::this_thread::sleep_for(50ms);  // the insert's own invalidation message comes back to both stores
  BOOST_TEST(static_cast<bool>(*lenient.find(minted.id.view())));
  BOOST_TEST(static_cast<bool>(*strict.find(minted.id.view())));
  BOOST_TEST(!*lenient.find("Unknown00001"));
  server.kill_now();
  std::this_thread::sleep_for(300ms);  // every entry is past its TTL
  const auto served = lenient.find(minted.id.view());
  BOOST_TEST_REQUIRE(served.has_value());
  BOOST_TEST_REQUIRE(static_cast<bool>(*served));
  BOOST_TEST(((*served)->id == minted.id));
  const auto negative = lenient.find("Unknown00001");
  BOOST_TEST_REQUIRE(negative.has_value());
  BOOST_TEST(!*negative);
  BOOST_TEST(lenient.find("NeverSeen001").error() == errc::redis_unavailable);  // nothing cached
  BOOST_TEST(strict.find(minted.id.view()).error() == errc::redis_unavailable);
}

BOOST_AUTO_TEST_CASE(concurrent_finds_share_the_cache_safely) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_max_entries = 8;  // evictions all along
  keys::redis_store store = make_store(options);
  std::vector<keys::key_id> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(mint(store).id);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const keys::key_id& id = ids[static_cast<std::size_t>((i * 7 + t) % 20)];
        const auto f = store.find(id.view());
        if (!f || !*f || (*f)->id != id) ++failures;
        store.record_use(id.view(), t0);
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
}

BOOST_AUTO_TEST_CASE(modify_retries_a_lost_race_then_reports_a_conflict) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(store);
  raw_client raw(port);
  const std::string key = record_key(ns, minted.id);
  // Another writer changes the revision between the read and the write of the first two attempts.
  int calls = 0;
  BOOST_TEST(store.modify(minted.id.view(), [&](keys::key_record& r) -> keyward::result<void> {
    if (++calls <= 2) raw.run({"HINCRBY", key, "revision", "10"});
    r.metadata = "after " + std::to_string(calls);
    return {};
  }).has_value());
  BOOST_TEST(calls == 3);
  BOOST_TEST(raw.run({"HGET", key, "metadata"}) == "after 3");
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "22");  // 1 + 10 + 10, then + 1
  // ... and on every attempt: nothing written, a conflict.
  calls = 0;
  BOOST_TEST(store.modify(minted.id.view(), [&](keys::key_record& r) -> keyward::result<void> {
    ++calls;
    raw.run({"HINCRBY", key, "revision", "1"});
    r.metadata = "lost";
    return {};
  }).error() == errc::key_store_conflict);
  BOOST_TEST(calls == keys::redis_store::modify_attempts);
  BOOST_TEST(raw.run({"HGET", key, "metadata"}) == "after 3");
  // Erased between the read and the write.
  BOOST_TEST(store.modify(minted.id.view(), [&](keys::key_record&) -> keyward::result<void> {
    raw.run({"DEL", key});
    return {};
  }).error() == errc::key_not_found);
}

BOOST_AUTO_TEST_CASE(concurrent_misses_of_one_id_make_one_read) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  raw_client raw(port);
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", ns + "invalidate"}) == ns + "invalidate\n1"; }));
  const keys::minted_key minted = mint(store);
  std::this_thread::sleep_for(50ms);  // the insert's own invalidation message
  const long before = raw.calls_of("hgetall");
  std::atomic<bool> go{false};
  std::atomic<int> found_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      const auto f = store.find(minted.id.view());
      if (f && *f) ++found_count;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  BOOST_TEST(found_count.load() == 8);
  BOOST_TEST(raw.calls_of("hgetall") - before == 1);
}

BOOST_AUTO_TEST_CASE(the_cache_evicts_the_least_recently_used_and_respects_its_byte_bound) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 60s;
  options.subscribe = false;
  options.cache_max_entries = 2;  // two shards of one entry, or one of two: either way at most 2
  keys::redis_store store = make_store(options);
  std::vector<keys::key_id> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(mint(store).id);
  raw_client raw(port);
  long before = raw.calls_of("hgetall");
  for (const auto& id : ids) BOOST_TEST(static_cast<bool>(*store.find(id.view())));
  for (const auto& id : ids) BOOST_TEST(static_cast<bool>(*store.find(id.view())));
  // Three ids, room for two: the second round misses at least once.
  BOOST_TEST(raw.calls_of("hgetall") - before >= 4);
  options.cache_max_entries = 1000;
  options.cache_max_bytes = 1;  // no record fits
  keys::redis_store tiny = make_store(options);
  before = raw.calls_of("hgetall");
  for (int i = 0; i < 5; ++i) BOOST_TEST(static_cast<bool>(*tiny.find(ids[0].view())));
  BOOST_TEST(raw.calls_of("hgetall") - before == 5);
  options.cache_max_bytes = std::size_t{1} << 20;
  keys::redis_store roomy = make_store(options);
  before = raw.calls_of("hgetall");
  for (int i = 0; i < 5; ++i) BOOST_TEST(static_cast<bool>(*roomy.find(ids[0].view())));
  BOOST_TEST(raw.calls_of("hgetall") - before == 1);
}

BOOST_AUTO_TEST_CASE(a_resubscription_clears_the_cache) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 60s;
  keys::redis_store store = make_store(options);
  raw_client raw(port);
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", ns + "invalidate"}) == ns + "invalidate\n1"; }));
  const keys::minted_key minted = mint(store);
  std::this_thread::sleep_for(50ms);
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));
  raw.run({"HSET", record_key(ns, minted.id), "status", "disabled"});  // no PUBLISH: a lost message
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));
  raw.run({"CLIENT", "KILL", "TYPE", "pubsub"});  // the subscriber's connection breaks
  BOOST_TEST(eventually([&] { return found(store, minted.id.view())->status == keys::key_status::disabled; }));
}

BOOST_AUTO_TEST_CASE(the_verifier_spends_credits_in_redis_across_a_rotation) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const auto verify = *keys::verifier<keys::redis_store>::make(store, verifier_options(), peppers());
  keys::key_record record = blueprint();
  record.credits = keys::credit_plan{3, keys::credit_refill::never};
  const keys::minted_key old = mint(store, record);
  const std::string bearer = *http::bearer(old.key.reveal());
  BOOST_TEST(verify.authenticate(bearer, keys::scopes::none, t0).has_value());
  const auto rotated = keys::rotate(store, old.id.view(), 1h, t0, keys::stripe_prefixes, peppers());
  BOOST_TEST_REQUIRE(rotated.has_value());
  BOOST_TEST((found(store, rotated->id.view())->credit_balance == old.id));
  const std::string fresh_bearer = *http::bearer(rotated->key.reveal());
  const auto spent = verify.authenticate(fresh_bearer, keys::scopes::none, t0);  // the old key's balance
  BOOST_TEST_REQUIRE(spent.has_value());
  BOOST_TEST_REQUIRE(spent->credits().has_value());
  BOOST_TEST(spent->credits()->remaining == 1u);
  raw_client raw(port);
  BOOST_TEST(raw.run({"HGET", ns + "{" + std::string(old.id.view()) + "}:credits", "remaining"}) == "1");
  BOOST_TEST(verify.authenticate(bearer, keys::scopes::none, t0).has_value());
  const auto refused = verify.authenticate(fresh_bearer, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().status() == 402);
}

BOOST_AUTO_TEST_CASE(keys_of_reports_a_record_that_does_not_decode) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key a = mint(store);
  mint(store);
  raw_client raw(port);
  raw.run({"HDEL", record_key(ns, a.id), "digest"});
  BOOST_TEST(store.keys_of("acct_1").error() == errc::key_invalid_record);
  raw.run({"DEL", record_key(ns, a.id)});  // gone: skipped
  BOOST_TEST(store.keys_of("acct_1")->size() == 1u);
  BOOST_TEST(store.connect().has_value());  // the connection stayed in step
}

// An id of the right form for test number `n` (12 base62 characters: `letter` and 11 digits).
namespace {
std::string numbered_id(char letter, long n) {
  std::string digits = std::to_string(n);
  return letter + std::string(11 - digits.size(), '0') + digits;
}
}  // namespace

BOOST_AUTO_TEST_CASE(unknown_ids_never_evict_records) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 60s;
  options.negative_ttl = 60s;
  options.subscribe = false;
  options.cache_max_entries = 64;  // 16 shards of 4 entries: 4 records fit wherever they fall
  keys::redis_store store = make_store(options);
  std::vector<keys::key_id> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(mint(store).id);
  for (const auto& id : ids) BOOST_TEST(static_cast<bool>(*store.find(id.view())));
  raw_client raw(port);
  long before = raw.calls_of("hgetall");
  // 400 made-up ids, about 25 per shard: they used to push every record out of a shard of 4.
  for (long i = 0; i < 400; ++i) BOOST_TEST(!*store.find(numbered_id('U', i)));
  BOOST_TEST(raw.calls_of("hgetall") - before == 400);
  before = raw.calls_of("hgetall");
  for (const auto& id : ids) BOOST_TEST(static_cast<bool>(*store.find(id.view())));
  BOOST_TEST(raw.calls_of("hgetall") - before == 0);  // every record still cached
  BOOST_TEST(!*store.find(numbered_id('U', 399)));      // and the latest unknown id too
  BOOST_TEST(raw.calls_of("hgetall") - before == 0);
}

BOOST_AUTO_TEST_CASE(a_failed_modify_drops_the_cached_copy) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 60s;
  options.subscribe = false;  // only the store's own invalidation can drop its copy
  keys::redis_store store = make_store(options);
  const keys::minted_key minted = mint(store);
  const std::string key = record_key(ns, minted.id);
  BOOST_TEST(found(store, minted.id.view())->metadata == R"({"plan":"pro"})");  // cached now
  raw_client raw(port);
  raw.run({"HSET", key, "metadata", "behind"});  // no PUBLISH
  BOOST_TEST(found(store, minted.id.view())->metadata == R"({"plan":"pro"})");
  // Between modify's read and its write, the record's key holds a string: the script fails (WRONGTYPE).
  BOOST_TEST(store.modify(minted.id.view(), [&](keys::key_record& r) -> keyward::result<void> {
    raw.run({"RENAME", key, key + ":aside"});
    raw.run({"SET", key, "not a hash"});
    r.metadata = "never stored";
    return {};
  }).error() == errc::redis_error_reply);
  raw.run({"DEL", key});
  raw.run({"RENAME", key + ":aside", key});
  // The failed write dropped the cached copy: Redis is read again.
  BOOST_TEST(found(store, minted.id.view())->metadata == "behind");
}

BOOST_AUTO_TEST_CASE(modify_does_not_overwrite_a_record_inserted_again_under_the_same_revision) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store store = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(store);
  const keys::minted_key other = mint(store);
  keys::key_record again = *found(store, other.id.view());
  again.id = minted.id;  // same id, another digest
  raw_client raw(port);
  const std::string key = record_key(ns, minted.id);
  int calls = 0;
  BOOST_TEST(store.modify(minted.id.view(), [&](keys::key_record& r) -> keyward::result<void> {
    if (++calls == 1) {  // erased and inserted again: revision 1 again, as the record read
      BOOST_TEST_REQUIRE(store.erase(minted.id.view()).has_value());
      BOOST_TEST_REQUIRE(store.insert(again).has_value());
    }
    r.metadata = "changed";
    return {};
  }).has_value());
  BOOST_TEST(calls == 2);  // the first compare-and-set failed on the digest
  BOOST_TEST(raw.run({"HGET", key, "digest"}) == raw.run({"HGET", record_key(ns, other.id), "digest"}));
  BOOST_TEST(raw.run({"HGET", key, "metadata"}) == "changed");
  BOOST_TEST(raw.run({"HGET", key, "revision"}) == "2");
}

BOOST_AUTO_TEST_CASE(a_silent_subscriber_is_noticed_and_the_cache_cleared) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  auto options = options_for(server.port(), "p:");
  options.cache_ttl = 60s;  // only a cleared cache can show the change below
  keys::redis_store store = make_store(options);
  raw_client raw(server.port());
  BOOST_TEST_REQUIRE(eventually([&] { return raw.run({"PUBSUB", "NUMSUB", "p:invalidate"}) == "p:invalidate\n1"; }));
  const keys::minted_key minted = mint(store);
  std::this_thread::sleep_for(50ms);  // the insert's own invalidation message
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));
  raw.run({"HSET", record_key("p:", minted.id), "status", "disabled"});  // no PUBLISH
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::active));
  // A stopped server keeps the subscriber's TCP connection open but answers nothing, as a half-open
  // connection would: the PING sent within a second goes unanswered for command_timeout (300 ms).
  server.suspend();
  std::this_thread::sleep_for(1800ms);
  server.resume();
  BOOST_TEST(eventually([&] { return found(store, minted.id.view())->status == keys::key_status::disabled; },
                        4000ms));
}

BOOST_AUTO_TEST_CASE(a_last_use_dropped_by_a_full_queue_is_queued_next_time) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  auto options = options_for(server.port(), "u:");
  options.redis.command_timeout = 3000ms;
  options.subscribe = false;
  keys::redis_store minter = make_store(options);
  const keys::minted_key minted = mint(minter);
  // A store whose worker is stuck for command_timeout in its SUBSCRIBE to a stopped server, so that nothing
  // empties the queue of last uses meanwhile.
  server.suspend();
  options.subscribe = true;
  keys::redis_store store = make_store(options);
  std::this_thread::sleep_for(100ms);
  for (long i = 0; i < 65536; ++i) store.record_use(numbered_id('L', i), t0);  // the queue is full
  store.record_use(minted.id.view(), t0);  // dropped
  server.resume();
  // Once the worker has written the queue, a use of the key is queued (the dropped one left no mark).
  raw_client raw(server.port());
  BOOST_TEST(eventually([&] {
    store.record_use(minted.id.view(), t0);
    return raw.run({"HGET", record_key("u:", minted.id), "last_used"}) == "1796385600";
  }, 6000ms));
  // Written with EVALSHA (the script loaded once), never a whole script per use: the one EVAL is mint's.
  BOOST_TEST(raw.calls_of("evalsha") >= 65537);
  BOOST_TEST(raw.calls_of("eval") == 1);
}

BOOST_AUTO_TEST_CASE(serve_stale_on_failure_does_not_hide_a_record_that_does_not_decode) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  auto options = options_for(port, ns);
  options.cache_ttl = 100ms;
  options.stale_while_revalidate = 0ms;
  options.subscribe = false;
  options.serve_stale_on_failure = true;
  keys::redis_store store = make_store(options);
  const keys::minted_key minted = mint(store);
  BOOST_TEST(static_cast<bool>(found(store, minted.id.view())));  // cached
  raw_client raw(port);
  raw.run({"HSET", record_key(ns, minted.id), "status", "sleeping"});
  std::this_thread::sleep_for(150ms);  // past cache_ttl
  // Redis answered: a broken record is an error, not a reason to serve the old copy.
  const auto answered = store.find(minted.id.view());
  BOOST_TEST_REQUIRE(!answered.has_value());
  BOOST_TEST(answered.error() == errc::key_invalid_record);
}

namespace {

// A stand-in for Redis, for the one test that must hold a reply back: it answers SUBSCRIBE and PING (as
// Redis does, in subscribed mode too), keeps every HGETALL unanswered until answer(), and publishes
// messages on demand. Commands are RESP arrays of bulk strings, as the store sends them.
class fake_redis {
 public:
  fake_redis() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    BOOST_TEST_REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_TEST_REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    BOOST_TEST_REQUIRE(listen(listener_, 16) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_redis() {
    stopping_ = true;
    thread_.join();
    for (const auto& c : clients_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(listener_);
  }
  fake_redis(const fake_redis&) = delete;
  fake_redis& operator=(const fake_redis&) = delete;

  int port() const { return port_; }
  bool subscribed() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return subscriber_ >= 0;
  }
  int hgetalls() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return hgetalls_;
  }
  // Answers the HGETALL held `at` (0: the oldest) with these field-value pairs (none: no such key).
  void answer(const std::vector<std::string>& pairs, std::size_t at = 0) {
    const std::lock_guard<std::mutex> lock(mutex_);
    BOOST_TEST_REQUIRE(held_.size() > at);
    std::string reply = "*" + std::to_string(pairs.size()) + "\r\n";
    for (const auto& p : pairs) reply += bulk(p);
    send_all(held_[at], reply);
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(at));
  }
  void publish(const std::string& channel, const std::string& message) {
    const std::lock_guard<std::mutex> lock(mutex_);
    BOOST_TEST_REQUIRE(subscriber_ >= 0);
    send_all(subscriber_, "*3\r\n" + bulk("message") + bulk(channel) + bulk(message));
  }

 private:
  struct client {
    int fd;
    std::string input;
  };
  static std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }
  static void send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // The next whole command in `input` (taken out of it), or an empty vector.
  static std::vector<std::string> take_command(std::string& input) {
    std::vector<std::string> args;
    if (input.empty() || input[0] != '*') return args;
    std::size_t at = input.find("\r\n");
    if (at == std::string::npos) return args;
    const long count = std::atol(input.c_str() + 1);
    at += 2;
    for (long i = 0; i < count; ++i) {
      const std::size_t end = input.find("\r\n", at);
      if (end == std::string::npos || input[at] != '$') return {};
      const auto size = static_cast<std::size_t>(std::atol(input.c_str() + at + 1));
      if (input.size() < end + 2 + size + 2) return {};
      args.push_back(input.substr(end + 2, size));
      at = end + 2 + size + 2;
    }
    input.erase(0, at);
    return args;
  }
  void serve() {
    while (!stopping_) {
      std::vector<pollfd> watched{{listener_, POLLIN, 0}};
      for (const auto& c : clients_) watched.push_back({c.fd, POLLIN, 0});
      if (poll(watched.data(), static_cast<nfds_t>(watched.size()), 20) <= 0) continue;
      if ((watched[0].revents & POLLIN) != 0) {
        const int fd = accept(listener_, nullptr, nullptr);
        if (fd >= 0) clients_.push_back({fd, {}});
      }
      for (std::size_t i = 1; i < watched.size(); ++i) {
        if (watched[i].revents == 0) continue;
        client& c = clients_[i - 1];
        char buffer[4096];
        const ssize_t n = recv(c.fd, buffer, sizeof buffer, 0);
        if (n <= 0) {  // closed
          const std::lock_guard<std::mutex> lock(mutex_);
          if (subscriber_ == c.fd) subscriber_ = -1;
          close(c.fd);
          c.fd = -1;  // poll(2) skips it
          continue;
        }
        c.input.append(buffer, static_cast<std::size_t>(n));
        for (auto args = take_command(c.input); !args.empty(); args = take_command(c.input)) handle(c.fd, args);
      }
    }
  }
  void handle(int fd, const std::vector<std::string>& args) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (args[0] == "SUBSCRIBE") {
      subscriber_ = fd;
      send_all(fd, "*3\r\n" + bulk("subscribe") + bulk(args[1]) + ":1\r\n");
    } else if (args[0] == "PING") {
      send_all(fd, fd == subscriber_ ? "*2\r\n" + bulk("pong") + bulk("") : std::string("+PONG\r\n"));
    } else if (args[0] == "HGETALL") {
      ++hgetalls_;
      held_.push_back(fd);
    } else {
      send_all(fd, "-ERR not in this fake\r\n");
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::vector<client> clients_;  // the server thread's own
  std::mutex mutex_;             // guards what follows
  int subscriber_ = -1;
  int hgetalls_ = 0;
  std::deque<int> held_;
};

// The field-value pairs of a hash, from raw_client::run's rendering of HGETALL (no value holds a newline).
std::vector<std::string> pairs_of(const std::string& rendered) {
  std::vector<std::string> pairs;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = rendered.find('\n', start);
    pairs.push_back(rendered.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return pairs;
    start = end + 1;
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_find_after_an_invalidation_does_not_join_the_older_read) {
  // The record before and after a revocation, as Redis stores them.
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store real = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(real);
  raw_client raw(port);
  const std::string key = record_key(ns, minted.id);
  const std::vector<std::string> before = pairs_of(raw.run({"HGETALL", key}));
  BOOST_TEST_REQUIRE(keys::revoke(real, minted.id.view()).has_value());
  const std::vector<std::string> after = pairs_of(raw.run({"HGETALL", key}));

  fake_redis fake;
  auto options = options_for(fake.port(), ns);
  options.cache_ttl = 60s;
  options.redis.command_timeout = 3000ms;  // the replies held back stay awaited
  options.connections = 2;
  keys::redis_store store = make_store(options);
  BOOST_TEST_REQUIRE(eventually([&] { return fake.subscribed(); }));
  // A read under way (its reply held back: it saw the record before the revocation) ...
  keys::redis_store::handle first;  // set on the threads, checked here (Boost.Test checks on one thread)
  std::thread reader([&] {
    if (const auto f = store.find(minted.id.view())) first = *f;
  });
  BOOST_TEST_REQUIRE(eventually([&] { return fake.hgetalls() == 1; }));
  // ... then the revocation's invalidation arrives ...
  fake.publish(ns + "invalidate", std::string(minted.id.view()));
  std::this_thread::sleep_for(200ms);  // for the worker to apply it
  // ... and a find that comes after it reads again, rather than wait for the older read.
  keys::redis_store::handle second;
  std::thread later([&] {
    if (const auto f = store.find(minted.id.view())) second = *f;
  });
  BOOST_TEST(eventually([&] { return fake.hgetalls() == 2; }, 1000ms));
  fake.answer(before);
  if (fake.hgetalls() == 2) fake.answer(after);
  reader.join();
  later.join();
  BOOST_TEST_REQUIRE(static_cast<bool>(first));
  BOOST_TEST_REQUIRE(static_cast<bool>(second));
  BOOST_TEST((first->status == keys::key_status::active));
  BOOST_TEST((second->status == keys::key_status::revoked));
  // The older read did not cache its copy either.
  BOOST_TEST((found(store, minted.id.view())->status == keys::key_status::revoked));
  BOOST_TEST(fake.hgetalls() == 2);
}

BOOST_AUTO_TEST_CASE(a_cached_record_ages_from_the_start_of_its_read) {
  const int port = shared_server::instance->server->port();
  const std::string ns = fresh_namespace();
  keys::redis_store real = make_store(options_for(port, ns));
  const keys::minted_key minted = mint(real);
  raw_client raw(port);
  const std::vector<std::string> fields = pairs_of(raw.run({"HGETALL", record_key(ns, minted.id)}));

  fake_redis fake;
  auto options = options_for(fake.port(), ns);
  options.cache_ttl = 400ms;
  options.stale_while_revalidate = 0ms;
  options.subscribe = false;
  options.redis.command_timeout = 3000ms;
  keys::redis_store store = make_store(options);
  std::atomic<int> found_count{0};  // Boost.Test checks only on this thread
  const auto find = [&] {
    const auto f = store.find(minted.id.view());
    if (f && *f) ++found_count;
  };
  std::thread reader(find);
  BOOST_TEST_REQUIRE(eventually([&] { return fake.hgetalls() == 1; }));
  std::this_thread::sleep_for(300ms);  // a slow reply: what it says was true 300 ms ago
  fake.answer(fields);
  reader.join();
  std::this_thread::sleep_for(150ms);  // 450 ms since the read began, 150 ms since its reply
  std::thread again(find);
  BOOST_TEST(eventually([&] { return fake.hgetalls() == 2; }, 1000ms));  // older than cache_ttl: read again
  if (fake.hgetalls() == 2) fake.answer(fields);
  again.join();
  BOOST_TEST(found_count.load() == 2);
}

BOOST_AUTO_TEST_CASE(a_caller_waiting_for_the_pool_takes_whichever_connection_frees_first) {
  const std::string ns = fresh_namespace();
  fake_redis fake;
  auto options = options_for(fake.port(), ns);
  options.connections = 2;
  options.subscribe = false;
  options.redis.command_timeout = 3000ms;
  keys::redis_store store = make_store(options);
  std::atomic<int> unknown{0};  // Boost.Test checks only on this thread
  const auto find = [&](long n) {
    const auto f = store.find(numbered_id('P', n));
    if (f && !*f) ++unknown;
  };
  std::thread first(find, 1);
  BOOST_TEST_REQUIRE(eventually([&] { return fake.hgetalls() == 1; }));
  std::thread second(find, 2);
  BOOST_TEST_REQUIRE(eventually([&] { return fake.hgetalls() == 2; }));
  std::thread third(find, 3);  // both connections busy
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(fake.hgetalls() == 2);
  fake.answer({}, 1);  // the second read ends: its connection frees first
  BOOST_TEST(eventually([&] { return fake.hgetalls() == 3; }, 1000ms));
  fake.answer({}, 0);
  if (fake.hgetalls() == 3) fake.answer({}, 0);
  first.join();
  second.join();
  third.join();
  BOOST_TEST(unknown.load() == 3);
}
