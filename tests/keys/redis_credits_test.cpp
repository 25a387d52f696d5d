// Credit balances in Redis (keys::redis_store's consume_credits and reset_credits, and the script of
// detail/keys_redis_credits.hpp behind them), against a redis-server the test starts: the rule of
// keys::spend_credits, keys/credits.hpp (refill on a later period, none on an earlier one, cost 0, a cost
// above the balance takes nothing, the exact limits 2^53 - 1, a change of refill kind, a rotated pair of two
// kinds), balances written by hand (a late clock, a lowered allowance, a hash the script did not write, a
// hash of an older version without `refill`), the reply check on hand-built replies, the call on the wire
// against a fake server (its arguments, the reload after NOSCRIPT, replies refused, the deadline), and the proof that
// processes and threads sharing one balance spend exactly its allowance, never more, beside memory_store's
// threads. The private parts are reached through keys/redis_store.hpp. Exits 77 (skipped) without
// redis-server.
#define BOOST_TEST_MODULE keys_redis_credits
#include <boost/test/unit_test.hpp>

#include <keyward/keys/credits.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/redis_store.hpp>

#include "support/redis_server.hpp"
#include "support/test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using keyward::errc;
namespace keys = keyward::keys;
namespace credits = keyward::detail::keys_redis_credits;
using namespace std::chrono_literals;

namespace {

// One redis-server for the whole module; without redis-server the module exits 77 (skipped).
struct shared_server {
  shared_server() {
    const std::string executable = keyward_test::find_redis_server();
    if (executable.empty()) {
      std::fprintf(stderr, "redis-server not found: skipping the Redis credit tests\n");
      std::exit(77);
    }
    server = std::make_unique<keyward_test::redis_server>(executable);
    if (!server->running()) {
      std::fprintf(stderr, "redis-server did not start\n");
      std::exit(1);
    }
    instance = this;
  }
  std::unique_ptr<keyward_test::redis_server> server;
  static shared_server* instance;
};
shared_server* shared_server::instance = nullptr;
BOOST_TEST_GLOBAL_FIXTURE(shared_server);

int port() { return shared_server::instance->server->port(); }

keys::redis_store_options store_options(std::string key_namespace = "keyward:keys:") {
  keys::redis_store_options options;
  options.redis.port = port();
  options.redis.connect_timeout = 2000ms;
  options.redis.command_timeout = 2000ms;
  options.key_namespace = std::move(key_namespace);
  options.subscribe = false;
  return options;
}

// redis_store::make may return the store or a unique_ptr to it.
template <class T>
T& deref(T& value) {
  return value;
}
template <class T>
T& deref(std::unique_ptr<T>& value) {
  return *value;
}

// A plain hiredis connection to read and write the balances directly.
class raw_connection {
 public:
  raw_connection() {
    context_ = redisConnect("127.0.0.1", port());
    BOOST_TEST_REQUIRE((context_ != nullptr && context_->err == 0));
  }
  ~raw_connection() { redisFree(context_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  std::unique_ptr<redisReply, void (*)(void*)> run(std::vector<std::string> args) {
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
  // A field of a hash as text; "(nil)" when absent.
  std::string field(const std::string& key, const std::string& name) {
    auto reply = run({"HGET", key, name});
    if (reply->type == REDIS_REPLY_NIL) return "(nil)";
    BOOST_TEST_REQUIRE(reply->type == REDIS_REPLY_STRING);
    return std::string(reply->str, reply->len);
  }

 private:
  redisContext* context_ = nullptr;
};

// Times, hand-derived (date -u -d ... +%s): 2026-12-04T10:00:00Z is 1796378400 s, day 20791 since
// 1970-01-01 (1796378400 / 86400 = 20791.4); 2026-12-05T00:00:00Z is 1796428800 s (day 20792);
// 2026-12-06T00:00:00Z 1796515200 s; 2027-01-01T00:00:00Z 1798761600 s.
keys::sys_nanoseconds at_seconds(std::int64_t seconds) { return keys::sys_nanoseconds(std::chrono::seconds(seconds)); }
const keys::sys_nanoseconds dec4_10h = at_seconds(1796378400);
const keys::sys_nanoseconds dec5 = at_seconds(1796428800);
const keys::sys_nanoseconds dec6 = at_seconds(1796515200);
const keys::sys_nanoseconds jan1_2027 = at_seconds(1798761600);

std::chrono::system_clock::time_point wall(keys::sys_nanoseconds t) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch()));
}

keys::credit_plan plan_of(std::uint64_t allowance, keys::credit_refill refill) {
  keys::credit_plan plan;
  plan.allowance = allowance;
  plan.refill = refill;
  return plan;
}

// Checks one consume_credits call.
template <class Store>
void expect(Store& store, const char* id, const keys::credit_plan& plan, std::uint64_t cost,
            keys::sys_nanoseconds now, bool allowed, std::uint64_t remaining,
            std::optional<keys::sys_nanoseconds> refills_at) {
  const auto d = store.consume_credits(id, plan, cost, now);
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->allowed == allowed);
  BOOST_TEST(d->remaining == remaining);
  BOOST_TEST(d->refills_at.has_value() == refills_at.has_value());
  if (d->refills_at && refills_at) BOOST_TEST((*d->refills_at == wall(*refills_at)));
}

constexpr std::uint64_t two_53 = std::uint64_t{1} << 53;

}  // namespace

BOOST_AUTO_TEST_CASE(script_sha1_is_the_name_redis_gives_it) {
  raw_connection raw;
  auto reply = raw.run({"SCRIPT", "LOAD", std::string(credits::script)});
  BOOST_TEST_REQUIRE(reply->type == REDIS_REPLY_STRING);
  BOOST_TEST(std::string(reply->str, reply->len) == std::string(credits::script_sha1));
}

BOOST_AUTO_TEST_CASE(balance_key_is_namespace_hash_tag_credits) {
  BOOST_TEST(*credits::balance_key("keyward:keys:", "AbCdEf012345") == "keyward:keys:{AbCdEf012345}:credits");
  BOOST_TEST(*credits::balance_key("", "AbCdEf012345") == "{AbCdEf012345}:credits");
  BOOST_TEST(credits::balance_key(std::string(65, 'n'), "AbCdEf012345").error() == errc::key_invalid_options);
  BOOST_TEST(credits::balance_key("n:", std::string(65, 'i')).error() == errc::key_invalid_length);
  BOOST_TEST(credits::balance_key("n:", "").error() == errc::key_invalid_length);
  BOOST_TEST(credits::balance_key(std::string(64, 'n'), std::string(64, 'i'))->size() == credits::max_key_size);

  // The store writes there, under its namespace.
  auto made = keys::redis_store::make(store_options("kwtest:ns:"));
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  const auto d = store.consume_credits("nameTest0001", plan_of(5, keys::credit_refill::never), 2, dec4_10h);
  BOOST_TEST_REQUIRE(d.has_value());
  raw_connection raw;
  BOOST_TEST(raw.field("kwtest:ns:{nameTest0001}:credits", "remaining") == "3");
  BOOST_TEST(raw.field("kwtest:ns:{nameTest0001}:credits", "period") == "0");
  BOOST_TEST(raw.field("kwtest:ns:{nameTest0001}:credits", "refill") == "0");
}

BOOST_AUTO_TEST_CASE(daily_refills_on_a_later_day_only) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  const char* id = "dailyTest001";
  const auto plan = plan_of(10, keys::credit_refill::daily);
  expect(store, id, plan, 3, dec4_10h, true, 7, dec5);    // no balance: 10 - 3
  expect(store, id, plan, 7, dec4_10h, true, 0, dec5);    // exactly what is left
  expect(store, id, plan, 1, dec4_10h, false, 0, dec5);   // nothing left: denied
  expect(store, id, plan, 0, dec4_10h, true, 0, dec5);    // cost 0 is allowed and takes nothing
  expect(store, id, plan, 1, dec5, true, 9, dec6);        // the next day, at 00:00:00 exactly: refilled
  expect(store, id, plan, 1, dec5 - 1ns, true, 8, dec6);  // a late clock (the day before): no refill
  expect(store, id, plan, 9, dec5, false, 8, dec6);       // more than is left: denied, nothing taken
  expect(store, id, plan, 8, dec5, true, 0, dec6);
  raw_connection raw;
  BOOST_TEST(raw.field("keyward:keys:{dailyTest001}:credits", "period") == "20792");
  BOOST_TEST(raw.field("keyward:keys:{dailyTest001}:credits", "remaining") == "0");
  BOOST_TEST(raw.field("keyward:keys:{dailyTest001}:credits", "refill") == "1");
}

BOOST_AUTO_TEST_CASE(monthly_and_never) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  // December 2026 is month (2026 - 1970) * 12 + 11 = 683; it ends at 2027-01-01T00:00:00Z.
  expect(store, "monthTest001", plan_of(2, keys::credit_refill::monthly), 2, dec4_10h, true, 0, jan1_2027);
  expect(store, "monthTest001", plan_of(2, keys::credit_refill::monthly), 1, dec6, false, 0, jan1_2027);
  // January 2027 (month 684) ends at 2027-02-01T00:00:00Z = 1801440000 s.
  expect(store, "monthTest001", plan_of(2, keys::credit_refill::monthly), 1, jan1_2027, true, 1,
         at_seconds(1801440000));
  raw_connection raw;
  BOOST_TEST(raw.field("keyward:keys:{monthTest001}:credits", "period") == "684");
  BOOST_TEST(raw.field("keyward:keys:{monthTest001}:credits", "refill") == "2");
  // never: one allowance, whatever the time.
  expect(store, "neverTest001", plan_of(2, keys::credit_refill::never), 2, dec4_10h, true, 0, std::nullopt);
  expect(store, "neverTest001", plan_of(2, keys::credit_refill::never), 1, jan1_2027 + 24h * 3650, false, 0,
         std::nullopt);
}

BOOST_AUTO_TEST_CASE(exact_up_to_two_to_the_53_minus_one) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  const auto plan = plan_of(two_53 - 1, keys::credit_refill::never);
  expect(store, "limitTest001", plan, two_53 - 2, dec4_10h, true, 1, std::nullopt);
  expect(store, "limitTest001", plan, 2, dec4_10h, false, 1, std::nullopt);
  raw_connection raw;
  BOOST_TEST(raw.field("keyward:keys:{limitTest001}:credits", "remaining") == "1");
  expect(store, "limitTest001", plan, 1, dec4_10h, true, 0, std::nullopt);
  // A fresh balance of the largest allowance, spent by one: 9007199254740990 (2^53 - 2) stored exactly.
  expect(store, "limitTest002", plan, 1, dec4_10h, true, two_53 - 2, std::nullopt);
  BOOST_TEST(raw.field("keyward:keys:{limitTest002}:credits", "remaining") == "9007199254740990");
  expect(store, "limitTest002", plan, two_53 - 2, dec4_10h, true, 0, std::nullopt);

  // Beyond: refused before anything is sent.
  BOOST_TEST(store.consume_credits("limitTest003", plan_of(two_53, keys::credit_refill::never), 1, dec4_10h).error() ==
             errc::key_invalid_options);
  BOOST_TEST(store.consume_credits("limitTest003", plan, two_53, dec4_10h).error() == errc::key_invalid_options);
  BOOST_TEST(raw.field("keyward:keys:{limitTest003}:credits", "remaining") == "(nil)");
}

BOOST_AUTO_TEST_CASE(reset_starts_again_from_the_allowance) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  const auto plan = plan_of(3, keys::credit_refill::never);
  expect(store, "resetTest001", plan, 3, dec4_10h, true, 0, std::nullopt);
  expect(store, "resetTest001", plan, 1, dec4_10h, false, 0, std::nullopt);
  BOOST_TEST(store.reset_credits("resetTest001").has_value());
  raw_connection raw;
  auto exists = raw.run({"EXISTS", "keyward:keys:{resetTest001}:credits"});
  BOOST_TEST(exists->integer == 0);
  expect(store, "resetTest001", plan, 1, dec4_10h, true, 2, std::nullopt);
  BOOST_TEST(store.reset_credits("resetTest002").has_value());  // no balance: nothing to delete
}

BOOST_AUTO_TEST_CASE(balances_written_by_hand) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  raw_connection raw;
  const auto plan = plan_of(10, keys::credit_refill::daily);
  // A balance of a later day (written by a server whose clock is ahead): kept, with its day; it refills at
  // the start of the day after it (2026-12-06).
  raw.run({"HSET", "keyward:keys:{handTest0001}:credits", "refill", "1", "period", "20792", "remaining", "3"});
  expect(store, "handTest0001", plan, 1, dec4_10h, true, 2, dec6);
  BOOST_TEST(raw.field("keyward:keys:{handTest0001}:credits", "period") == "20792");
  // More than the allowance (the plan was lowered): capped at the allowance.
  raw.run({"HSET", "keyward:keys:{handTest0002}:credits", "refill", "1", "period", "20791", "remaining", "1000"});
  expect(store, "handTest0002", plan, 1, dec4_10h, true, 9, dec5);
  // An earlier day with more than the allowance: refilled to the allowance.
  raw.run({"HSET", "keyward:keys:{handTest0003}:credits", "refill", "1", "period", "20000", "remaining", "1000"});
  expect(store, "handTest0003", plan, 0, dec4_10h, true, 10, dec5);
  // Not a balance: refused by the script (an error reply), never spent.
  for (const std::vector<std::string>& fields :
       {std::vector<std::string>{"period", "20791", "remaining", "x"}, {"period", "20791", "remaining", "-1"},
        {"period", "1.5", "remaining", "1"}, {"period", "20791", "remaining", "12345678901234567"},
        {"period", "20791", "remaining", "9007199254740992"}, {"period", "9007199254740992", "remaining", "1"},
        {"remaining", "3"}, {"refill", "1", "remaining", "3"}, {"refill", "3", "period", "20791", "remaining", "1"},
        {"refill", "x", "period", "20791", "remaining", "1"}, {"refill", "01", "period", "20791", "remaining", "1"},
        {"refill", "1"}}) {
    raw.run({"DEL", "keyward:keys:{handTest0004}:credits"});
    std::vector<std::string> command{"HSET", "keyward:keys:{handTest0004}:credits"};
    command.insert(command.end(), fields.begin(), fields.end());
    raw.run(command);
    BOOST_TEST(store.consume_credits("handTest0004", plan, 1, dec4_10h).error() == errc::redis_error_reply);
  }
  raw.run({"SET", "keyward:keys:{handTest0005}:credits", "7"});  // another type
  BOOST_TEST(store.consume_credits("handTest0005", plan, 1, dec4_10h).error() == errc::redis_error_reply);
  // The store still works afterwards.
  expect(store, "handTest0006", plan, 1, dec4_10h, true, 9, dec5);
  // A hash without `refill` (written by an older version: its period's units are unknown, 20791 could be a
  // day or, read as a month, the year 3702) is another kind: refilled to 10, 10 - 1 = 9, and written anew.
  raw.run({"HSET", "keyward:keys:{handTest0007}:credits", "period", "20791", "remaining", "0"});
  expect(store, "handTest0007", plan, 1, dec4_10h, true, 9, dec5);
  BOOST_TEST(raw.field("keyward:keys:{handTest0007}:credits", "refill") == "1");
  BOOST_TEST(raw.field("keyward:keys:{handTest0007}:credits", "remaining") == "9");
}

BOOST_AUTO_TEST_CASE(a_change_of_refill_kind_compares_no_periods_across_units) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  raw_connection raw;
  const char* id = "kindTest0001";
  const std::string key = "keyward:keys:{kindTest0001}:credits";
  const auto daily = plan_of(10, keys::credit_refill::daily);
  const auto monthly = plan_of(100, keys::credit_refill::monthly);
  // Daily 10 on Dec 4: 10 - 3 = 7. Then monthly, no reset: the daily balance (a finer kind) lasts its day:
  // 7 - 1 = 6, refilled at Dec 5 00:00 (before the fix: day 20791 read as month 20791, never refilled).
  expect(store, id, daily, 3, dec4_10h, true, 7, dec5);
  expect(store, id, monthly, 1, dec4_10h, true, 6, dec5);
  BOOST_TEST(raw.field(key, "refill") == "1");
  BOOST_TEST(raw.field(key, "period") == "20791");
  // Dec 5: its day has ended: the monthly allowance of month 683, 100 - 1 = 99, refilled at Jan 1.
  expect(store, id, monthly, 1, dec5, true, 99, jan1_2027);
  BOOST_TEST(raw.field(key, "refill") == "2");
  BOOST_TEST(raw.field(key, "period") == "683");
  // Back to daily: a coarser balance is refilled at once, 10 - 1 = 9, until Dec 6.
  expect(store, id, daily, 1, dec5, true, 9, dec6);
  BOOST_TEST(raw.field(key, "refill") == "1");
  BOOST_TEST(raw.field(key, "period") == "20792");
  // never after daily: the day's balance first (min(9, 2) - 1 = 1, until Dec 6), then the pack, for good.
  expect(store, id, plan_of(2, keys::credit_refill::never), 1, dec5, true, 1, dec6);
  expect(store, id, plan_of(2, keys::credit_refill::never), 1, dec6, true, 1, std::nullopt);
  BOOST_TEST(raw.field(key, "refill") == "0");
  BOOST_TEST(raw.field(key, "period") == "0");
}

BOOST_AUTO_TEST_CASE(a_rotated_pair_of_two_kinds_gets_at_most_two_refills_a_day) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  // One balance, key A daily 10 and key B monthly 100, alternating at cost 1 (keys::spend_credits' rule, as in
  // credits_test.cpp): Dec 4 from A: A fills it as daily 10, B draws on that day's balance: 10 of 20 pass.
  // Dec 5 from B: B fills it as monthly 100 (1 passes), A finds a coarser balance and fills it as daily 10
  // (1 passes, 9 left), both draw on those 9: 2 + 9 = 11 of 30.
  const auto a = plan_of(10, keys::credit_refill::daily);
  const auto b = plan_of(100, keys::credit_refill::monthly);
  const auto run = [&](keys::sys_nanoseconds at, bool a_first, int calls) {
    int allowed = 0;
    for (int i = 0; i < calls; ++i) {
      const auto d = store.consume_credits("pairTest0001", (i % 2 == 0) == a_first ? a : b, 1, at);
      BOOST_TEST_REQUIRE(d.has_value());
      allowed += d->allowed ? 1 : 0;
    }
    return allowed;
  };
  BOOST_TEST(run(dec4_10h, true, 20) == 10);
  BOOST_TEST(run(dec5 + 60s, false, 30) == 11);
}

BOOST_AUTO_TEST_CASE(script_flushed_is_loaded_again) {
  auto made = keys::redis_store::make(store_options());
  BOOST_TEST_REQUIRE(made.has_value());
  auto& store = deref(*made);
  const auto plan = plan_of(5, keys::credit_refill::never);
  expect(store, "flushTest001", plan, 1, dec4_10h, true, 4, std::nullopt);
  raw_connection raw;
  raw.run({"SCRIPT", "FLUSH"});
  expect(store, "flushTest001", plan, 1, dec4_10h, true, 3, std::nullopt);
}

namespace {

// A reply built by hand, as hiredis would build it.
struct built_reply {
  redisReply top{};
  redisReply items[5]{};
  redisReply* pointers[5]{};
  built_reply(std::initializer_list<long long> values, int type = REDIS_REPLY_INTEGER) {
    top.type = REDIS_REPLY_ARRAY;
    top.elements = values.size();
    top.element = pointers;
    std::size_t i = 0;
    for (const long long v : values) {
      items[i].type = type;
      items[i].integer = v;
      pointers[i] = &items[i];
      ++i;
    }
  }
};

errc decoded(const credits::request& sent, const redisReply* value) {
  std::string_view why;
  const auto r = credits::decode_reply(value, sent, why);
  return r ? errc{} : r.error().code();
}
errc decoded(const credits::request& sent, const built_reply& value) { return decoded(sent, &value.top); }

}  // namespace

BOOST_AUTO_TEST_CASE(replies_the_script_cannot_give_are_refused) {
  // cost 3, allowance 10, daily, now in day 100 and month 7; replies {allowed, remaining, period, refill}.
  const credits::request sent = *credits::make_request(3, 10, credits::refill_daily, 100, 7);
  const errc ok{};
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100, 1})) == ok);     // a fresh balance
  BOOST_TEST(decoded(sent, built_reply({1, 0, 100, 1})) == ok);
  BOOST_TEST(decoded(sent, built_reply({1, 5, 101, 1})) == ok);     // a later period stored
  BOOST_TEST(decoded(sent, built_reply({0, 2, 100, 1})) == ok);     // denied: 2 < 3
  BOOST_TEST(decoded(sent, built_reply({1, 8, 100, 1})) == errc::redis_protocol);   // 8 > 10 - 3
  BOOST_TEST(decoded(sent, built_reply({0, 3, 100, 1})) == errc::redis_protocol);   // 3 would fit
  BOOST_TEST(decoded(sent, built_reply({0, 11, 100, 1})) == errc::redis_protocol);  // above the allowance
  BOOST_TEST(decoded(sent, built_reply({1, 7, 99, 1})) == errc::redis_protocol);    // an earlier period
  BOOST_TEST(decoded(sent, built_reply({2, 1, 100, 1})) == errc::redis_protocol);   // not 0/1
  BOOST_TEST(decoded(sent, built_reply({1, -1, 100, 1})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 1LL << 53, 1})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100, 1, 0})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100, 1}, REDIS_REPLY_STRING)) == errc::redis_protocol);
  // The refill kind: a coarser balance (monthly, never) is never kept for a daily plan; 3 and -1 are no kind.
  BOOST_TEST(decoded(sent, built_reply({1, 7, 7, 2})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 0, 0})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100, 3})) == errc::redis_protocol);
  BOOST_TEST(decoded(sent, built_reply({1, 7, 100, -1})) == errc::redis_protocol);
  // A monthly plan may spend a daily balance of today or later, never one of an ended day.
  const credits::request monthly = *credits::make_request(3, 10, credits::refill_monthly, 100, 7);
  BOOST_TEST(decoded(monthly, built_reply({1, 7, 100, 1})) == ok);
  BOOST_TEST(decoded(monthly, built_reply({1, 7, 99, 1})) == errc::redis_protocol);
  BOOST_TEST(decoded(monthly, built_reply({1, 7, 7, 2})) == ok);
  BOOST_TEST(decoded(monthly, built_reply({1, 7, 6, 2})) == errc::redis_protocol);
  BOOST_TEST(decoded(monthly, built_reply({1, 7, 0, 0})) == errc::redis_protocol);
  // A never plan may spend a current daily or monthly balance, or its own.
  const credits::request once = *credits::make_request(3, 10, credits::refill_never, 100, 7);
  BOOST_TEST(decoded(once, built_reply({1, 7, 100, 1})) == ok);
  BOOST_TEST(decoded(once, built_reply({1, 7, 7, 2})) == ok);
  BOOST_TEST(decoded(once, built_reply({1, 7, 0, 0})) == ok);
  BOOST_TEST(decoded(once, built_reply({1, 7, 6, 2})) == errc::redis_protocol);
  redisReply error{};
  error.type = REDIS_REPLY_ERROR;
  char text[] = "ERR something";
  error.str = text;
  error.len = sizeof text - 1;
  BOOST_TEST(decoded(sent, &error) == errc::redis_error_reply);
  redisReply integer{};
  integer.type = REDIS_REPLY_INTEGER;
  BOOST_TEST(decoded(sent, &integer) == errc::redis_protocol);
  // Cost 0 is never denied; a cost above the allowance never allowed.
  const credits::request free_call = *credits::make_request(0, 10, credits::refill_daily, 100, 7);
  BOOST_TEST(decoded(free_call, built_reply({0, 0, 100, 1})) == errc::redis_protocol);
  BOOST_TEST(decoded(free_call, built_reply({1, 10, 100, 1})) == ok);
  const credits::request too_much = *credits::make_request(11, 10, credits::refill_daily, 100, 7);
  BOOST_TEST(decoded(too_much, built_reply({1, 0, 100, 1})) == errc::redis_protocol);
  BOOST_TEST(decoded(too_much, built_reply({0, 10, 100, 1})) == ok);
  // The request's own limits.
  BOOST_TEST(credits::make_request(two_53 - 1, two_53 - 1, 0, 0, 0).has_value());
  BOOST_TEST(credits::make_request(two_53, 1, 0, 0, 0).error() == errc::key_invalid_options);
  BOOST_TEST(credits::make_request(1, two_53, 0, 0, 0).error() == errc::key_invalid_options);
  BOOST_TEST(credits::make_request(1, 1, 3, 0, 0).error() == errc::key_invalid_options);
  BOOST_TEST(credits::make_request(1, 1, 1, static_cast<std::int64_t>(two_53), 0).error() == errc::key_invalid_options);
  BOOST_TEST(credits::make_request(1, 1, 2, 0, -static_cast<std::int64_t>(two_53)).error() ==
             errc::key_invalid_options);
}

// ---------------------------------------------------------------------------------------------------------
// The call on the wire, against a fake server that answers what the test tells it.

namespace {

// A fake Redis server on a free loopback port, run by a thread: it reads each command (a RESP array of bulk
// strings), records it, and answers the next of `answers` (nothing once they run out).
class fake_server {
 public:
  explicit fake_server(std::vector<std::string> answers) : answers_(std::move(answers)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    BOOST_TEST_REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    BOOST_TEST_REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_TEST_REQUIRE(listen(listener_, 4) == 0);
    BOOST_TEST_REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_server() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  int port() const { return port_; }
  // The commands received, each as its arguments; read once the calls are done.
  std::vector<std::vector<std::string>> commands() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return commands_;
  }

 private:
  void serve() {
    int client = -1;
    std::string input;
    std::size_t next = 0;
    while (!stop_) {
      pollfd watched{client >= 0 ? client : listener_, POLLIN, 0};
      if (poll(&watched, 1, 20) <= 0) continue;
      if (client < 0) {
        client = accept(listener_, nullptr, nullptr);
        continue;
      }
      char buffer[4096];
      const ssize_t n = recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) {
        close(client);
        client = -1;
        input.clear();
        continue;
      }
      input.append(buffer, static_cast<std::size_t>(n));
      std::vector<std::string> command;
      while (take_command(input, command)) {
        {
          const std::lock_guard<std::mutex> lock(mutex_);
          commands_.push_back(command);
        }
        if (next < answers_.size()) {
          const std::string& answer = answers_[next++];
          (void)send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
        }
      }
    }
    if (client >= 0) close(client);
  }

  // Removes one complete command from the front of `input` into `command`; false when none is complete.
  static bool take_command(std::string& input, std::vector<std::string>& command) {
    command.clear();
    std::size_t at = 0;
    const auto number_after = [&](char marker, long long& value) {
      if (at >= input.size() || input[at] != marker) return false;
      const std::size_t end = input.find("\r\n", at);
      if (end == std::string::npos) return false;
      value = std::stoll(input.substr(at + 1, end - at - 1));
      at = end + 2;
      return true;
    };
    long long count = 0;
    if (!number_after('*', count)) return false;
    for (long long i = 0; i < count; ++i) {
      long long length = 0;
      if (!number_after('$', length)) return false;
      if (input.size() < at + static_cast<std::size_t>(length) + 2) return false;
      command.push_back(input.substr(at, static_cast<std::size_t>(length)));
      at += static_cast<std::size_t>(length) + 2;
    }
    input.erase(0, at);
    return true;
  }

  std::vector<std::string> answers_;
  int listener_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::vector<std::string>> commands_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

keyward::detail::redis::connection connection_to(int server_port) {
  keyward::detail::redis::endpoint where;
  where.host = "127.0.0.1";
  where.port = server_port;
  where.connect_timeout = 1000ms;
  where.command_timeout = 300ms;
  return keyward::detail::redis::connection(std::move(where));
}

std::string resp_integers(std::initializer_list<long long> values) {
  std::string out = "*" + std::to_string(values.size()) + "\r\n";
  for (const long long v : values) out += ":" + std::to_string(v) + "\r\n";
  return out;
}

const std::string noscript = "-NOSCRIPT No matching script. Please use EVAL.\r\n";

}  // namespace

BOOST_AUTO_TEST_CASE(the_call_on_the_wire) {
  // cost 3, allowance 10, daily; Dec 4 2026 is day 20791 and month 683.
  const credits::request sent = *credits::make_request(3, 10, credits::refill_daily, 20791, 683);
  const std::string key = *credits::balance_key("keyward:keys:", "wireTest0001");
  const std::string sha(credits::script_sha1);
  {
    // NOSCRIPT, then SCRIPT LOAD answering the script's name, then the script's reply.
    fake_server fake({noscript, "$40\r\n" + sha + "\r\n", resp_integers({1, 7, 20791, 1})});
    auto connection = connection_to(fake.port());
    const auto r = credits::consume(connection, key, sent);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->allowed);
    BOOST_TEST(r->remaining == 7u);
    BOOST_TEST(r->period == 20791);
    BOOST_TEST(r->refill == credits::refill_daily);
    const auto commands = fake.commands();
    BOOST_TEST_REQUIRE(commands.size() == 3u);
    const std::vector<std::string> evalsha{"EVALSHA", sha, "1", key, "3", "10", "1", "20791", "683"};
    BOOST_TEST(commands[0] == evalsha, boost::test_tools::per_element());
    BOOST_TEST(commands[1].size() == 3u);
    BOOST_TEST(commands[1][0] == "SCRIPT");
    BOOST_TEST(commands[1][2] == std::string(credits::script));
    BOOST_TEST(commands[2] == evalsha, boost::test_tools::per_element());
  }
  {
    // A negative period and the largest numbers, as decimal text.
    const credits::request big = *credits::make_request(two_53 - 1, two_53 - 1, credits::refill_monthly, -5, -1);
    fake_server fake({resp_integers({1, 0, -1, 2})});
    auto connection = connection_to(fake.port());
    BOOST_TEST(credits::consume(connection, key, big).has_value());
    const auto commands = fake.commands();
    BOOST_TEST_REQUIRE(commands.size() == 1u);
    const std::vector<std::string> evalsha{"EVALSHA", sha, "1", key, "9007199254740991", "9007199254740991", "2",
                                           "-5", "-1"};
    BOOST_TEST(commands[0] == evalsha, boost::test_tools::per_element());
  }
  {
    // A reload answering another name.
    fake_server fake({noscript, "$40\r\n" + std::string(40, 'a') + "\r\n"});
    auto connection = connection_to(fake.port());
    BOOST_TEST(credits::consume(connection, key, sent).error() == errc::redis_protocol);
    BOOST_TEST(!connection.connected());
  }
  {
    // A reply the script cannot give (9 left after taking 3 of 10) drops the connection; an error reply
    // keeps it, with Redis's text.
    fake_server fake({resp_integers({1, 9, 20791, 1}), "-ERR out of luck\r\n", resp_integers({0, 2, 20792, 1})});
    auto connection = connection_to(fake.port());
    BOOST_TEST(credits::consume(connection, key, sent).error() == errc::redis_protocol);
    BOOST_TEST(!connection.connected());
    BOOST_TEST(credits::consume(connection, key, sent).error() == errc::redis_error_reply);
    BOOST_TEST(connection.connected());
    BOOST_TEST(connection.last_error_detail() == "ERR out of luck");
    const auto late = credits::consume(connection, key, sent);  // a later period stored: denied, 2 < 3
    BOOST_TEST_REQUIRE(late.has_value());
    BOOST_TEST(!late->allowed);
    BOOST_TEST(late->period == 20792);
  }
  {
    // Bytes beyond the reply.
    fake_server fake({resp_integers({1, 7, 20791, 1}) + ":1\r\n"});
    auto connection = connection_to(fake.port());
    BOOST_TEST(credits::consume(connection, key, sent).error() == errc::redis_protocol);
  }
  {
    // reset: DEL answers a count; anything else is a protocol error.
    fake_server fake({":1\r\n", ":0\r\n", "+OK\r\n"});
    auto connection = connection_to(fake.port());
    BOOST_TEST(credits::reset(connection, key).has_value());
    BOOST_TEST(credits::reset(connection, key).has_value());
    BOOST_TEST(credits::reset(connection, key).error() == errc::redis_protocol);
    const auto commands = fake.commands();
    BOOST_TEST_REQUIRE(commands.size() == 3u);
    const std::vector<std::string> del{"DEL", key};
    BOOST_TEST(commands[0] == del, boost::test_tools::per_element());
  }
  {
    // No answer: the command deadline.
    fake_server fake({});
    auto connection = connection_to(fake.port());
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(credits::consume(connection, key, sent).error() == errc::redis_timeout);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST((took >= 300ms && took < 1000ms));
  }
}

// ---------------------------------------------------------------------------------------------------------
// The proof: processes and threads sharing one balance spend exactly its allowance.

namespace {

constexpr int process_count = 4;
constexpr int thread_count = 4;
constexpr std::uint64_t allowance = 5000;

// What one child reports through its pipe.
struct tally {
  std::uint64_t taken = 0;       // credits taken by allowed calls
  std::uint64_t allowed = 0;     // allowed calls
  std::uint64_t denied = 0;      // denied calls
  std::uint64_t errors = 0;      // calls that failed
  std::uint64_t impossible = 0;  // decisions that contradict the rule (a denial with enough left...)
};

// The costs a thread cycles through: all 1, or a mix whose cycle ends on 1 (so that every thread stops
// only when a cost of 1 is refused: the balance is empty).
std::vector<std::uint64_t> costs_for(bool mixed, int thread) {
  if (!mixed) return {1};
  std::vector<std::uint64_t> costs{7, 2, 5, 3, 1};
  std::rotate(costs.begin(), costs.begin() + thread % 4, costs.end() - 1);
  return costs;
}

// Spends from `id` until a cost of 1 is refused; adds to `out`.
template <class Store>
void spend_until_empty(Store& store, const char* id, const keys::credit_plan& plan, bool mixed, int thread,
                       tally& out) {
  const std::vector<std::uint64_t> costs = costs_for(mixed, thread);
  for (std::size_t i = 0;; ++i) {
    const std::uint64_t cost = costs[i % costs.size()];
    const auto d = store.consume_credits(id, plan, cost, dec4_10h);
    if (!d) {
      ++out.errors;
      if (out.errors > 100) return;
      continue;
    }
    if (d->allowed) {
      ++out.allowed;
      out.taken += cost;
      if (d->remaining > plan.allowance - cost) ++out.impossible;
    } else {
      ++out.denied;
      if (d->remaining >= cost) ++out.impossible;
      if (cost == 1) return;
    }
  }
}

template <class Store>
tally spend_in_threads(Store& store, const char* id, const keys::credit_plan& plan, bool mixed) {
  std::vector<tally> tallies(thread_count);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t)
    threads.emplace_back([&, t] { spend_until_empty(store, id, plan, mixed, t, tallies[static_cast<std::size_t>(t)]); });
  for (auto& thread : threads) thread.join();
  tally sum;
  for (const tally& one : tallies) {
    sum.taken += one.taken;
    sum.allowed += one.allowed;
    sum.denied += one.denied;
    sum.errors += one.errors;
    sum.impossible += one.impossible;
  }
  return sum;
}

// Forks process_count children, each with its own redis_store made from the same options and thread_count
// threads spending `id`; returns the sum of their tallies (errors counted for a child that failed).
tally spend_in_processes(const char* id, const keys::credit_plan& plan, bool mixed) {
  std::vector<int> pipes;
  std::vector<pid_t> children;
  for (int p = 0; p < process_count; ++p) {
    int ends[2];
    BOOST_TEST_REQUIRE(pipe(ends) == 0);
    const pid_t child = fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
      close(ends[0]);
      tally mine;
      {
        auto made = keys::redis_store::make(store_options());
        if (made) mine = spend_in_threads(deref(*made), id, plan, mixed);
        else mine.errors = 1000;
      }
      const bool written = write(ends[1], &mine, sizeof mine) == static_cast<ssize_t>(sizeof mine);
      _exit(written ? 0 : 1);
    }
    close(ends[1]);
    pipes.push_back(ends[0]);
    children.push_back(child);
  }
  tally sum;
  for (int p = 0; p < process_count; ++p) {
    tally one;
    std::size_t got = 0;
    while (got < sizeof one) {
      const ssize_t n = read(pipes[static_cast<std::size_t>(p)], reinterpret_cast<char*>(&one) + got, sizeof one - got);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    close(pipes[static_cast<std::size_t>(p)]);
    int status = 0;
    waitpid(children[static_cast<std::size_t>(p)], &status, 0);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    BOOST_TEST(got == sizeof one);
    if (got != sizeof one) one.errors = 1000;
    sum.taken += one.taken;
    sum.allowed += one.allowed;
    sum.denied += one.denied;
    sum.errors += one.errors;
    sum.impossible += one.impossible;
  }
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_CASE(processes_and_threads_spend_exactly_the_allowance_in_redis) {
  // No store and no thread in this process while it forks: each child makes its own.
  raw_connection raw;
  const auto plan = plan_of(allowance, keys::credit_refill::daily);
  for (const bool mixed : {false, true}) {
    const char* id = mixed ? "proofMixed01" : "proofOnes001";
    const std::string key = std::string("keyward:keys:{") + id + "}:credits";
    raw.run({"DEL", key});
    const tally sum = spend_in_processes(id, plan, mixed);
    BOOST_TEST_MESSAGE("Redis, " << (mixed ? "mixed costs" : "cost 1") << ": " << sum.allowed << " allowed, "
                                 << sum.denied << " denied, " << sum.errors << " errors");
    BOOST_TEST(sum.errors == 0u);
    BOOST_TEST(sum.impossible == 0u);
    BOOST_TEST(sum.taken == allowance);  // exactly: never more, and nothing left unspent
    if (!mixed) BOOST_TEST(sum.allowed == allowance);
    BOOST_TEST(sum.denied >= static_cast<std::uint64_t>(process_count * thread_count));
    BOOST_TEST(raw.field(key, "remaining") == "0");
    BOOST_TEST(raw.field(key, "period") == "20791");
    BOOST_TEST(raw.field(key, "refill") == "1");
  }
}

BOOST_AUTO_TEST_CASE(threads_spend_exactly_the_allowance_in_memory_store) {
  auto made = keys::memory_store::make();
  BOOST_TEST_REQUIRE(made.has_value());
  const auto plan = plan_of(allowance, keys::credit_refill::daily);
  for (const bool mixed : {false, true}) {
    // As many threads as the Redis proof has in all.
    std::vector<tally> tallies(process_count);
    std::vector<std::thread> groups;
    const char* id = mixed ? "proofMixed01" : "proofOnes001";
    for (int g = 0; g < process_count; ++g)
      groups.emplace_back([&, g] { tallies[static_cast<std::size_t>(g)] = spend_in_threads(*made, id, plan, mixed); });
    for (auto& group : groups) group.join();
    tally sum;
    for (const tally& one : tallies) {
      sum.taken += one.taken;
      sum.errors += one.errors;
      sum.impossible += one.impossible;
    }
    BOOST_TEST(sum.errors == 0u);
    BOOST_TEST(sum.impossible == 0u);
    BOOST_TEST(sum.taken == allowance);
    const auto after = made->consume_credits(id, plan, 0, dec4_10h);
    BOOST_TEST_REQUIRE(after.has_value());
    BOOST_TEST(after->remaining == 0u);
  }
}
