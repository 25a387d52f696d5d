// Tests for include/keyward/keys/redis_limits.hpp: make()'s checks, decisions under the quota given to each
// call, the two clocks (the Redis server's TIME, or the caller's `now`), the Redis key `<namespace><id>`
// (looked at with a plain hiredis connection), the errors of rate::redis_limiter passed through, and the
// adapter inside keys::verifier: 429 after a key's burst, then 503 or a pass-through when Redis is gone.
//
// Each test module starts its own redis-server on a free loopback port (tests/support/redis_server.hpp);
// without redis-server it exits 77, which meson reports as skipped.
//
// Expected decisions follow the GCRA as rate/gcra.hpp documents it, not the code under test: with quota
// {count, period, burst}, the emission interval is T = period / count and the window W = burst * T; `burst`
// requests at one instant are allowed, the next waits T; remaining = floor((W - D) / T) for the debt D left.
// The state a decision writes is "<TAT us> <TAT ns remainder> <fraction>" (rate::redis_gcra_script's
// documentation), with TAT = now + D. Statuses and bodies as tests/keys/verifier_test.cpp has them: 429 from
// RFC 6585 section 4, 503 with Retry-After from RFC 9110 section 15.6.4.
#define BOOST_TEST_MODULE keys_redis_limits
#include <boost/test/unit_test.hpp>

#include <keyward/http/bearer.hpp>
#include <keyward/http/denial.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/redis_limits.hpp>
#include <keyward/keys/verifier.hpp>
#include <keyward/rate/redis.hpp>

#include "support/redis_server.hpp"
#include "support/test_support.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
namespace http = keyward::http;
namespace rate = keyward::rate;
using keyward::errc;
using keys::sys_nanoseconds;

namespace {

// One redis-server for the module; the verifier test that kills a server starts its own.
struct shared_server {
  shared_server() {
    executable = keyward_test::find_redis_server();
    if (executable.empty()) {
      std::fprintf(stderr, "redis-server not found: skipping the Redis tests\n");
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

int shared_port() { return shared_server::instance->server->port(); }

// A redis_limiter for 127.0.0.1:`port` with short deadlines (200 ms each), so that no call waits long.
rate::redis_limiter make_limiter(int port) {
  rate::redis_options options;
  options.port = port;
  options.connect_timeout = 200ms;
  options.command_timeout = 200ms;
  auto made = rate::redis_limiter::make(options);
  BOOST_TEST_REQUIRE(made.has_value());
  return std::move(*made);
}

// A plain hiredis connection to look at the server directly (EXISTS, GET, PTTL, TIME).
class raw_connection {
 public:
  explicit raw_connection(int port) {
    const timeval limit{1, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port, limit);
    BOOST_TEST_REQUIRE((context_ != nullptr && context_->err == 0));
    BOOST_TEST_REQUIRE(redisSetTimeout(context_, limit) == REDIS_OK);
  }
  ~raw_connection() { redisFree(context_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // The reply to a command given as separate arguments (binary-safe).
  std::unique_ptr<redisReply, void (*)(void*)> run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    BOOST_TEST_REQUIRE(reply != nullptr);
    return {reply, freeReplyObject};
  }
  long long integer(const std::vector<std::string>& args) {
    auto reply = run(args);
    BOOST_TEST_REQUIRE(reply->type == REDIS_REPLY_INTEGER);
    return reply->integer;
  }
  // GET `key`: its value, or "<nil>".
  std::string get(const std::string& key) {
    auto reply = run({"GET", key});
    if (reply->type == REDIS_REPLY_NIL) return "<nil>";
    BOOST_TEST_REQUIRE(reply->type == REDIS_REPLY_STRING);
    return std::string(reply->str, reply->len);
  }
  bool exists(const std::string& key) { return integer({"EXISTS", key}) == 1; }
  // The server's clock (TIME) in microseconds.
  std::int64_t time_us() {
    auto reply = run({"TIME"});
    BOOST_TEST_REQUIRE((reply->type == REDIS_REPLY_ARRAY && reply->elements == 2));
    return std::stoll(reply->element[0]->str) * 1'000'000 + std::stoll(reply->element[1]->str);
  }

 private:
  redisContext* context_ = nullptr;
};

// 2026-12-04T12:00:00Z, and its Unix time in microseconds.
const sys_nanoseconds t0{std::chrono::seconds(1796385600)};
constexpr long long t0_us = 1796385600LL * 1000000;
// A time beyond 2^53 microseconds after 1970 (year 2258), which the script cannot use exactly:
// rate::redis_limiter refuses it as a supplied time (errc::redis_unsupported_time).
const sys_nanoseconds beyond_script_time{std::chrono::seconds(9'100'000'000LL)};

const rate::quota free_tier{1, 1s, 2};  // 1 per second, bursts of 2: T = 1 s, W = 2 s

// Twelve base62 characters, distinct per test (a key id's shape).
const std::string id_a = "AAAAAAAAAAAA";
const std::string id_b = "BBBBBBBBBBBB";

long long ms(std::chrono::nanoseconds d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_checks_the_namespace_and_does_not_connect) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  const std::string longest(keys::redis_limits::max_namespace_length, 'n');
  BOOST_TEST(keys::redis_limits::max_namespace_length == 64u);
  BOOST_TEST(keys::redis_limits::make(limiter).has_value());
  BOOST_TEST(keys::redis_limits::make(limiter, "").has_value());
  BOOST_TEST(keys::redis_limits::make(limiter, longest).has_value());
  BOOST_TEST(keys::redis_limits::make(limiter, longest + "n").error() == errc::key_invalid_options);
  BOOST_TEST(keys::redis_limits::make(limiter, std::string(1000, 'n'), keys::redis_clock::caller).error() ==
             errc::key_invalid_options);
  // make() only records where to go: over a port where nothing listens it succeeds, and the first acquire()
  // reports the connection's failure.
  rate::redis_limiter nowhere = make_limiter(keyward_test::free_loopback_port());
  auto limits = keys::redis_limits::make(nowhere, "keyward:key:", keys::redis_clock::caller);
  BOOST_TEST_REQUIRE(limits.has_value());
  BOOST_TEST(limits->acquire(id_a, free_tier, t0).error() == errc::redis_unavailable);
  auto by_server = keys::redis_limits::make(nowhere);
  BOOST_TEST(by_server->acquire(id_a, free_tier, t0).error() == errc::redis_unavailable);
}

BOOST_AUTO_TEST_CASE(caller_clock_allows_the_burst_then_denies_under_the_given_quota) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  raw_connection raw(shared_port());
  const std::string ns = "test:caller:";
  for (const auto& id : {id_a, id_b}) raw.run({"DEL", ns + id});
  auto limits = *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller);

  // Quota {1, 1 s, 2}: two at t0, the third waits T = 1 s; at t0 + 1 s one more.
  const auto first = limits.acquire(id_a, free_tier, t0);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->allowed());
  BOOST_TEST(first->limit == 2u);
  BOOST_TEST(first->remaining == 1u);
  BOOST_TEST(first->reset_after.count() == 1'000'000'000);
  const auto second = limits.acquire(id_a, free_tier, t0);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(second->allowed());
  BOOST_TEST(second->remaining == 0u);
  BOOST_TEST(second->reset_after.count() == 2'000'000'000);
  const auto third = limits.acquire(id_a, free_tier, t0);
  BOOST_TEST_REQUIRE(third.has_value());
  BOOST_TEST(static_cast<int>(third->outcome) == static_cast<int>(rate::verdict::denied));
  BOOST_TEST(third->wait.count() == 1'000'000'000);
  BOOST_TEST(!limits.acquire(id_a, free_tier, t0 + 999ms)->allowed());
  BOOST_TEST(limits.acquire(id_a, free_tier, t0 + 1s)->allowed());
  // The decision's time is the caller's, to the nanosecond.
  BOOST_TEST((limiter.decided_at() == t0 + 1s));

  // The quota is the argument's: another id under {1, 1 s, 1} is denied after one; under {1, 1 s, 4} after
  // four, at the same instant.
  const rate::quota one{1, 1s, 1};
  BOOST_TEST(limits.acquire(id_b, one, t0)->allowed());
  BOOST_TEST(!limits.acquire(id_b, one, t0)->allowed());
  raw.run({"DEL", ns + id_b});
  const rate::quota four{1, 1s, 4};
  for (std::uint64_t left = 3; left + 1 > 0; --left) {
    const auto d = limits.acquire(id_b, four, t0);
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->allowed());
    BOOST_TEST(d->remaining == left);
  }
  BOOST_TEST(!limits.acquire(id_b, four, t0)->allowed());

  // A plan change applies at once: id_a holds TAT = t0 + 3 s (three allowed); at t0 + 1 s its debt is 2 s,
  // over the window of {1, 1 s, 2} but within that of {1, 1 s, 5} (W = 5 s): allowed, D' = 3 s, remaining
  // floor((5 - 3) / 1) = 2.
  BOOST_TEST(!limits.acquire(id_a, free_tier, t0 + 1s)->allowed());
  const auto upgraded = limits.acquire(id_a, rate::quota{1, 1s, 5}, t0 + 1s);
  BOOST_TEST_REQUIRE(upgraded.has_value());
  BOOST_TEST(upgraded->allowed());
  BOOST_TEST(upgraded->limit == 5u);
  BOOST_TEST(upgraded->remaining == 2u);
  BOOST_TEST(upgraded->reset_after.count() == 3'000'000'000);

  // Caller-clock keys are written without expiry (rate::redis_limiter: the server's clock must not end them).
  BOOST_TEST(raw.integer({"PTTL", ns + id_a}) == -1);
  BOOST_TEST(raw.integer({"PTTL", ns + id_b}) == -1);
}

BOOST_AUTO_TEST_CASE(caller_clock_uses_now_to_the_nanosecond) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  raw_connection raw(shared_port());
  const std::string ns = "test:nanos:";
  raw.run({"DEL", ns + id_a});
  auto limits = *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller);
  // One request at t0 + 123456789 ns under T = 1 s sets TAT = t0 + 1.123456789 s: "<us> <ns> <fraction 0>".
  const sys_nanoseconds at = t0 + 123'456'789ns;
  BOOST_TEST_REQUIRE(limits.acquire(id_a, free_tier, at)->allowed());
  BOOST_TEST(raw.get(ns + id_a) == std::to_string(t0_us + 1'123'456) + " 789 0");
  BOOST_TEST((limiter.decided_at() == at));
  // A time the script cannot hold exactly is refused before anything is sent.
  BOOST_TEST(limits.acquire(id_a, free_tier, beyond_script_time).error() == errc::redis_unsupported_time);
  BOOST_TEST(raw.get(ns + id_a) == std::to_string(t0_us + 1'123'456) + " 789 0");
}

BOOST_AUTO_TEST_CASE(server_clock_ignores_now_and_sets_an_expiry) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  raw_connection raw(shared_port());
  const std::string ns = "test:server:";
  raw.run({"DEL", ns + id_a});
  auto limits = *keys::redis_limits::make(limiter, ns);  // redis_clock::server is the default
  const rate::quota hourly{1, 1h, 1};                    // T = W = 1 h

  const std::int64_t before_us = raw.time_us();
  // `now` is not used: the Unix epoch, then a time no supplied clock may give.
  const auto first = limits.acquire(id_a, hourly, sys_nanoseconds{});
  const std::int64_t after_us = raw.time_us();
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->allowed());
  BOOST_TEST(first->remaining == 0u);
  // decided_at() is the Redis TIME the script read, between the two TIMEs around the call.
  const auto decided_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              limiter.decided_at().time_since_epoch()).count();
  BOOST_TEST(decided_us >= before_us);
  BOOST_TEST(decided_us <= after_us);
  // The key expires on the server's clock once its TAT (1 h ahead) has passed: PX of 3600 s + 1 ms.
  const long long pttl = raw.integer({"PTTL", ns + id_a});
  BOOST_TEST(pttl > 3'599'000);
  BOOST_TEST(pttl <= 3'600'001);

  const auto second = limits.acquire(id_a, hourly, beyond_script_time);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(static_cast<int>(second->outcome) == static_cast<int>(rate::verdict::denied));
  BOOST_TEST(ms(second->wait) > 3'599'000);
  BOOST_TEST(ms(second->wait) <= 3'600'000);
  // The same `now` with the caller's clock is refused: the server mode did not pass it on.
  auto by_caller = *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller);
  BOOST_TEST(by_caller.acquire(id_a, hourly, beyond_script_time).error() == errc::redis_unsupported_time);
}

BOOST_AUTO_TEST_CASE(the_redis_key_is_the_namespace_then_the_id) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  raw_connection raw(shared_port());
  const std::string longest(keys::redis_limits::max_namespace_length, 'L');
  const std::string with_nul("ns\0bin:", 7);
  for (const std::string& key :
       {"keyward:key:" + id_a, "keyward:key:" + id_b, id_a, longest + id_a, with_nul + id_a, "ns" + id_a}) {
    raw.run({"DEL", key});
  }

  auto by_default = *keys::redis_limits::make(limiter, "keyward:key:", keys::redis_clock::caller);
  BOOST_TEST_REQUIRE(by_default.acquire(id_a, free_tier, t0)->allowed());
  BOOST_TEST(raw.get("keyward:key:" + id_a) == std::to_string(t0_us + 1'000'000) + " 0 0");
  BOOST_TEST(!raw.exists(id_a));

  // The namespace defaults to "keyward:key:" (server clock: with an expiry).
  auto defaults = *keys::redis_limits::make(limiter);
  BOOST_TEST_REQUIRE(defaults.acquire(id_b, free_tier, t0)->allowed());
  BOOST_TEST(raw.integer({"PTTL", "keyward:key:" + id_b}) > 0);
  raw.run({"DEL", "keyward:key:" + id_b});

  // An empty namespace: the key is the id alone.
  auto bare = *keys::redis_limits::make(limiter, "", keys::redis_clock::caller);
  BOOST_TEST_REQUIRE(bare.acquire(id_a, free_tier, t0)->allowed());
  BOOST_TEST(raw.exists(id_a));
  BOOST_TEST(raw.integer({"DBSIZE"}) >= 1);

  // The longest namespace, whole.
  auto longest_ns = *keys::redis_limits::make(limiter, longest, keys::redis_clock::caller);
  BOOST_TEST_REQUIRE(longest_ns.acquire(id_a, free_tier, t0)->allowed());
  BOOST_TEST(raw.exists(longest + id_a));
  BOOST_TEST(!raw.exists(longest.substr(1) + id_a));

  // Any bytes, a NUL included (Redis keys are binary): not cut at the NUL.
  auto binary = *keys::redis_limits::make(limiter, with_nul, keys::redis_clock::caller);
  BOOST_TEST_REQUIRE(binary.acquire(id_a, free_tier, t0)->allowed());
  BOOST_TEST(raw.exists(with_nul + id_a));
  BOOST_TEST(!raw.exists("ns" + id_a));

  // Two namespaces keep two limits for one id; one namespace shares it between adapters.
  auto again = *keys::redis_limits::make(limiter, "keyward:key:", keys::redis_clock::caller);
  BOOST_TEST(again.acquire(id_a, free_tier, t0)->remaining == 0u);   // the second of by_default's burst
  BOOST_TEST(bare.acquire(id_a, free_tier, t0)->remaining == 0u);    // the second of its own
  BOOST_TEST(!by_default.acquire(id_a, free_tier, t0)->allowed());   // both of the shared burst spent

  // An id that is not id_length characters is refused before anything is sent.
  const std::size_t keys_before = static_cast<std::size_t>(raw.integer({"DBSIZE"}));
  BOOST_TEST(by_default.acquire("AAAA", free_tier, t0).error() == errc::key_invalid_length);
  BOOST_TEST(by_default.acquire(id_a + "A", free_tier, t0).error() == errc::key_invalid_length);
  BOOST_TEST(by_default.acquire("", free_tier, t0).error() == errc::key_invalid_length);
  BOOST_TEST(static_cast<std::size_t>(raw.integer({"DBSIZE"})) == keys_before);
  BOOST_TEST(!raw.exists("keyward:key:AAAA"));
}

BOOST_AUTO_TEST_CASE(the_limiters_errors_pass_through) {
  rate::redis_limiter limiter = make_limiter(shared_port());
  raw_connection raw(shared_port());
  const std::string ns = "test:errors:";
  raw.run({"DEL", ns + id_a});
  auto limits = *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller);
  BOOST_TEST(limits.acquire(id_a, rate::quota{0, 1s, 1}, t0).error() == errc::rate_invalid_quota);
  BOOST_TEST(limits.acquire(id_a, rate::quota{1, 1s, 0}, t0).error() == errc::rate_invalid_quota);
  BOOST_TEST(!raw.exists(ns + id_a));
  // A key holding something else: Redis's error reply (the script refuses it).
  raw.run({"SET", ns + id_a, "not a GCRA state"});
  BOOST_TEST(limits.acquire(id_a, free_tier, t0).error() == errc::redis_error_reply);
  BOOST_TEST(raw.get(ns + id_a) == "not a GCRA state");
  raw.run({"DEL", ns + id_a});
  BOOST_TEST(limits.acquire(id_a, free_tier, t0)->allowed());
}

namespace {

const char* const pepper = "pepper of the tests, thirty-two bytes or more";

const keys::prefix_entry& sk_live() {
  for (const keys::prefix_entry& e : keys::stripe_prefixes.set()) {
    if (e.prefix == "sk_live_") return e;
  }
  BOOST_FAIL("no sk_live_ in stripe_prefixes");
  return *keys::stripe_prefixes.set().begin();
}

keys::verifier_options options_with(keys::limiter_failure on_failure) {
  keys::verifier_options options;
  options.prefixes = keys::stripe_prefixes;
  options.on_limiter_failure = on_failure;
  return options;
}

using redis_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::redis_limits>;

// Mints a key with `limit` (none: not limited) into `store`: the whole key and its id.
std::pair<std::string, std::string> mint(keys::memory_store& store, std::optional<rate::quota> limit) {
  keys::key_record record;
  record.owner = "acct_42";
  record.limit = limit;
  auto minted = keys::mint(store, std::move(record), sk_live(), *keys::pepper_set::make(1, pepper));
  BOOST_TEST_REQUIRE(minted.has_value());
  return {std::string(minted->key.reveal()), std::string(minted->id.view())};
}

// The status, body and Retry-After of a denial.
struct answer {
  int status;
  std::string body;
  std::string retry_after;  // "<none>" when there is none
};
std::ostream& operator<<(std::ostream& out, const answer& a) {
  return out << a.status << " | " << a.body << " | " << a.retry_after;
}
bool operator==(const answer& a, const answer& b) {
  return a.status == b.status && a.body == b.body && a.retry_after == b.retry_after;
}
answer answer_of(const redis_verifier::outcome_type& who) {
  BOOST_TEST_REQUIRE(!who.has_value());
  const http::denial& why = who.error();
  const auto retry = why.retry_after();
  return {why.status(), why.json(), retry ? std::to_string(retry->count()) : "<none>"};
}

const std::string rate_limited_body =
    R"({"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests","details":{}}})";
const std::string unavailable_body =
    R"({"success":false,"error":{"code":"SERVICE_UNAVAILABLE",)"
    R"("message":"The service is temporarily unavailable","details":{}}})";

}  // namespace

BOOST_AUTO_TEST_CASE(through_the_verifier_429_after_the_burst_then_503_or_open_without_redis) {
  // A server of its own, since this test stops it.
  keyward_test::redis_server own(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(own.running());
  rate::redis_limiter limiter = make_limiter(own.port());
  raw_connection raw(own.port());
  const std::string ns = "test:verifier:";

  auto store = *keys::memory_store::make();
  const auto peppers = *keys::pepper_set::make(1, pepper);
  const auto closed = *redis_verifier::make(store, options_with(keys::limiter_failure::fail_closed), peppers,
                                            *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller));
  const auto open = *redis_verifier::make(store, options_with(keys::limiter_failure::fail_open), peppers,
                                          *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller));
  const auto [key, id] = mint(store, free_tier);
  const std::string field = *http::bearer(key);

  // {1, 1 s, 2}: two at t0, with the decision in the principal; the third gets 429 with Retry-After 1 and the
  // decision in who.rate().
  const auto first = closed.authenticate(field, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->id() == id);
  BOOST_TEST_REQUIRE(first->rate().has_value());
  BOOST_TEST(first->rate()->limit == 2u);
  BOOST_TEST(first->rate()->remaining == 1u);
  BOOST_TEST(!first->limiter_failed());
  BOOST_TEST(raw.get(ns + id) == std::to_string(t0_us + 1'000'000) + " 0 0");
  const auto second = closed.authenticate(field, keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(second->rate()->remaining == 0u);
  const auto third = closed.authenticate(field, keys::scopes::none, t0);
  BOOST_TEST(answer_of(third) == (answer{429, rate_limited_body, "1"}));
  BOOST_TEST_REQUIRE(third.rate().has_value());
  BOOST_TEST(static_cast<int>(third.rate()->outcome) == static_cast<int>(rate::verdict::denied));
  BOOST_TEST(third.rate()->limit == 2u);
  BOOST_TEST(third.rate()->remaining == 0u);
  BOOST_TEST(third.rate()->wait.count() == 1'000'000'000);
  // The fail-open verifier shares the limit (same namespace): also refused, since Redis did decide.
  BOOST_TEST(answer_of(open.authenticate(field, keys::scopes::none, t0)).status == 429);
  BOOST_TEST(closed.authenticate(field, keys::scopes::none, t0 + 1s).has_value());

  // The record's quota is what Redis enforces: raised to bursts of 5, the key's debt of 2 s at t0 + 1 s
  // fits (remaining floor((5 - 3) / 1) = 2).
  BOOST_TEST_REQUIRE(store.modify(id, [](keys::key_record& r) -> keyward::result<void> {
    r.limit = rate::quota{1, 1s, 5};
    return {};
  }).has_value());
  const auto upgraded = closed.authenticate(field, keys::scopes::none, t0 + 1s);
  BOOST_TEST_REQUIRE(upgraded.has_value());
  BOOST_TEST(upgraded->rate()->limit == 5u);
  BOOST_TEST(upgraded->rate()->remaining == 2u);

  // A key without a quota never reaches Redis.
  const auto [unlimited, unlimited_id] = mint(store, std::nullopt);
  const auto free_pass = closed.authenticate(*http::bearer(unlimited), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(free_pass.has_value());
  BOOST_TEST(!free_pass->rate().has_value());
  BOOST_TEST(!raw.exists(ns + unlimited_id));

  // By the server's clock: {1, 1 h, 1} gives 429 with Retry-After 3600 (a wait just under 1 h, rounded up).
  const auto by_server = *redis_verifier::make(store, options_with(keys::limiter_failure::fail_closed), peppers,
                                               *keys::redis_limits::make(limiter, ns, keys::redis_clock::server));
  const auto [hourly_key, hourly_id] = mint(store, rate::quota{1, 1h, 1});
  const std::string hourly_field = *http::bearer(hourly_key);
  BOOST_TEST(by_server.authenticate(hourly_field, keys::scopes::none, t0).has_value());
  BOOST_TEST(raw.integer({"PTTL", ns + hourly_id}) > 3'599'000);
  BOOST_TEST(answer_of(by_server.authenticate(hourly_field, keys::scopes::none, t0)) ==
             (answer{429, rate_limited_body, "3600"}));

  // Redis gone (killed, as in a crash): the limiter cannot decide. Fail closed: 503 with the default
  // Retry-After of 5 s and no decision; fail open: the principal, unlimited, with limiter_failed().
  own.kill_now();
  const auto started = std::chrono::steady_clock::now();
  const auto refused = closed.authenticate(field, keys::scopes::none, t0 + 10s);
  BOOST_TEST(answer_of(refused) == (answer{503, unavailable_body, "5"}));
  BOOST_TEST(!refused.rate().has_value());
  BOOST_TEST(answer_of(by_server.authenticate(hourly_field, keys::scopes::none, t0)) ==
             (answer{503, unavailable_body, "5"}));
  const auto through = open.authenticate(field, keys::scopes::none, t0 + 10s);
  BOOST_TEST_REQUIRE(through.has_value());
  BOOST_TEST(through->limiter_failed());
  BOOST_TEST(!through->rate().has_value());
  BOOST_TEST(through->id() == id);
  // Each failed call ends within connect_timeout + command_timeout (400 ms); three of them.
  BOOST_TEST(ms(std::chrono::steady_clock::now() - started) < 1200);
  // The Retry-After of the 503 is the verifier's option.
  keys::verifier_options slower = options_with(keys::limiter_failure::fail_closed);
  slower.unavailable_retry_after = 30s;
  const auto closed_30 = *redis_verifier::make(store, slower, peppers,
                                               *keys::redis_limits::make(limiter, ns, keys::redis_clock::caller));
  BOOST_TEST(answer_of(closed_30.authenticate(field, keys::scopes::none, t0 + 10s)) ==
             (answer{503, unavailable_body, "30"}));

  // Redis back (empty: no persistence): the same verifier decides again, from a fresh limit.
  BOOST_TEST_REQUIRE(own.restart());
  const auto back = closed.authenticate(field, keys::scopes::none, t0 + 10s);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->rate().has_value());
  BOOST_TEST(back->rate()->remaining == 4u);
  BOOST_TEST(!back->limiter_failed());
}
