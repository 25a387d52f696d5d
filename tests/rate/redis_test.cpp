#define BOOST_TEST_MODULE rate_redis
#include <boost/test/unit_test.hpp>

#include <keyward/rate/gcra.hpp>
#include <keyward/rate/redis.hpp>

#include "support/redis_server.hpp"
#include "support/test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using keyward::errc;
using keyward::rate::decision;
using keyward::rate::quota;
using keyward::rate::redis_limiter;
using keyward::rate::redis_options;
using keyward::rate::verdict;
using namespace std::chrono_literals;

namespace {

// One redis-server for the whole module (the tests that kill a server start their own). Without
// redis-server the module exits 77, which meson reports as skipped.
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

redis_options options_for(int port, std::chrono::milliseconds timeout = 500ms) {
  redis_options options;
  options.port = port;
  options.connect_timeout = timeout;
  options.command_timeout = timeout;
  return options;
}
redis_options shared_options() { return options_for(shared_server::instance->server->port()); }

// A limiter for `options`, which must be valid.
redis_limiter make_limiter(const redis_options& options) {
  auto made = redis_limiter::make(options);
  BOOST_TEST_REQUIRE(made.has_value());
  return std::move(*made);
}

// A plain hiredis connection to look at the server directly (TIME, PTTL, SCRIPT FLUSH, INFO).
class raw_connection {
 public:
  explicit raw_connection(int port) {
    context_ = redisConnect("127.0.0.1", port);
    BOOST_TEST_REQUIRE((context_ != nullptr && context_->err == 0));
  }
  ~raw_connection() { redisFree(context_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // The reply to a command given as separate arguments.
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
  long long integer(std::vector<std::string> args) {
    auto reply = run(std::move(args));
    BOOST_TEST_REQUIRE(reply->type == REDIS_REPLY_INTEGER);
    return reply->integer;
  }
  // The server's clock (TIME) in microseconds.
  std::int64_t time_us() {
    auto reply = run({"TIME"});
    BOOST_TEST_REQUIRE((reply->type == REDIS_REPLY_ARRAY && reply->elements == 2));
    return std::stoll(reply->element[0]->str) * 1'000'000 + std::stoll(reply->element[1]->str);
  }
  // The number of SCRIPT LOAD calls the server has run, from INFO commandstats.
  long long script_loads() {
    auto reply = run({"INFO", "commandstats"});
    const std::string text(reply->str, reply->len);
    const std::string marker = "cmdstat_script|load:calls=";
    const std::size_t at = text.find(marker);
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + marker.size()));
  }

 private:
  redisContext* context_ = nullptr;
};

// A duration in whole milliseconds, for assertions that print their operands.
template <class Duration>
long long to_ms(Duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// A unique key per test, so that tests sharing the server do not meet.
std::string key_for(const char* test) { return std::string("keyward-test:") + test; }

struct expected_step {
  std::chrono::nanoseconds at;  // since the start of the sequence
  std::uint64_t cost;
  verdict outcome;
  std::uint64_t remaining;
  std::chrono::nanoseconds wait;
  std::chrono::nanoseconds reset_after;
  const char* derivation;
};

void check(const keyward::result<decision>& got, const expected_step& step, std::uint64_t burst) {
  BOOST_TEST_CONTEXT(step.derivation) {
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(static_cast<int>(got->outcome) == static_cast<int>(step.outcome));
    BOOST_TEST(got->limit == burst);
    BOOST_TEST(got->remaining == step.remaining);
    BOOST_TEST(got->wait.count() == step.wait.count());
    BOOST_TEST(got->reset_after.count() == step.reset_after.count());
  }
}

// 1.7e9 s: a present-day Unix time, so that the microseconds of the script are realistic.
const std::chrono::system_clock::time_point epoch_start{std::chrono::seconds(1'700'000'000)};

}  // namespace

BOOST_AUTO_TEST_CASE(exact_decisions_whole_interval) {
  // 10 per second, burst 3: T = 100 ms, W = 3 T = 300 ms. D is the debt max(TAT - now, 0) before the
  // request; allowed when D + cost * T <= W; then remaining = floor((W - D') / T), reset_after = D'.
  const quota q = quota{10, 1s, 3};
  const expected_step steps[] = {
      {0ms, 1, verdict::allowed, 2, 0ms, 100ms, "D = 0: 0 + 100 <= 300; D' = 100, remaining (300 - 100) / 100 = 2"},
      {0ms, 1, verdict::allowed, 1, 0ms, 200ms, "D = 100: 200 <= 300; remaining 1"},
      {0ms, 1, verdict::allowed, 0, 0ms, 300ms, "D = 200: 300 <= 300 (the boundary is allowed); remaining 0"},
      {0ms, 1, verdict::denied, 0, 100ms, 300ms, "D = 300: 400 > 300; retry 400 - 300 = 100"},
      {50ms, 1, verdict::denied, 0, 50ms, 250ms, "D = 300 - 50 = 250: 350 > 300; retry 50; remaining 50 / 100 = 0"},
      {100ms, 1, verdict::allowed, 0, 0ms, 300ms, "D = 200: 300 <= 300, exactly when the retry said"},
      {100ms, 2, verdict::denied, 0, 200ms, 300ms, "D = 300, cost 2: 500 > 300; retry 200"},
      {100ms, 4, verdict::never, 0, 0ms, 300ms, "cost 4 > burst 3: never; D = 300 reported as reset_after"},
      {1000ms, 3, verdict::allowed, 0, 0ms, 300ms, "TAT = 400 ms has passed: D = 0; cost 3: 300 <= 300"},
      {1000ms, 0, verdict::allowed, 0, 0ms, 300ms, "cost 0 takes nothing: D stays 300"},
      {1250ms, 1, verdict::allowed, 1, 0ms, 150ms, "TAT = 1300 ms: D = 50; 150 <= 300; remaining 150 / 100 = 1"},
  };
  redis_limiter limiter = make_limiter(shared_options());
  const std::string key = key_for("whole");
  raw_connection raw(shared_server::instance->server->port());
  raw.run({"DEL", key});
  for (const auto& step : steps) check(limiter.acquire(key, epoch_start + step.at, q, step.cost), step, 3);
}

BOOST_AUTO_TEST_CASE(exact_decisions_fractional_interval) {
  // 3 per second, burst 2: T = 333,333,333 1/3 ns, W = 666,666,666 2/3 ns: exact in the script, and every
  // wait rounded up to whole nanoseconds.
  const quota q = quota{3, 1s, 2};
  const expected_step steps[] = {
      {0ns, 1, verdict::allowed, 1, 0ns, 333'333'334ns, "D' = T = 333,333,333.33: reset rounds up; (W - T) / T = 1"},
      {0ns, 1, verdict::allowed, 0, 0ns, 666'666'667ns, "D' = W = 666,666,666.67"},
      {0ns, 1, verdict::denied, 0, 333'333'334ns, 666'666'667ns, "D + T - W = T"},
      {333'333'333ns, 1, verdict::denied, 0, 1ns, 333'333'334ns,
       "D = W - 333,333,333 = 333,333,333.67; D + T = 666,666,667 > W by 1/3 ns: retry 1 ns"},
      {333'333'334ns, 1, verdict::allowed, 0, 0ns, 666'666'666ns,
       "D = 333,333,332.67; D + T = 666,666,666 <= W; D' = 666,666,666 exactly"},
  };
  redis_limiter limiter = make_limiter(shared_options());
  const std::string key = key_for("fractional");
  raw_connection raw(shared_server::instance->server->port());
  raw.run({"DEL", key});
  for (const auto& step : steps) check(limiter.acquire(key, epoch_start + step.at, q, step.cost), step, 2);
}

BOOST_AUTO_TEST_CASE(agrees_with_the_in_process_gcra) {
  // The same scripted sequences through rate::gcra (rate/gcra.hpp) and the script: the same verdicts and
  // remaining counts, waits within 1 ns (gcra.hpp counts in units of at most 1 ns, the script exactly).
  struct scenario {
    quota q;
    std::vector<std::pair<std::chrono::nanoseconds, std::uint64_t>> requests;  // (time, cost)
  };
  std::vector<std::pair<std::chrono::nanoseconds, std::uint64_t>> dense;
  for (int i = 0; i < 400; ++i)  // every 7 ms for 2.8 s, costs 1, 2, 3, 1, 2, 3...
    dense.emplace_back(std::chrono::milliseconds(7 * i), std::uint64_t(1 + i % 3));
  const scenario scenarios[] = {
      {quota{10, 1s, 3}, {{0ms, 1}, {0ms, 1}, {0ms, 1}, {0ms, 1}, {50ms, 1}, {100ms, 1}, {100ms, 2},
                               {100ms, 4}, {1000ms, 3}, {1000ms, 0}, {1250ms, 1}}},
      {quota{3, 1s, 2}, dense},
      {quota{1000, 1s, 50}, dense},
      {quota{7, 60s, 7}, dense},
  };
  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  int index = 0;
  for (const auto& s : scenarios) {
    const std::string key = key_for("agree") + std::to_string(index++);
    raw.run({"DEL", key});
    auto local = keyward::rate::gcra<std::chrono::system_clock>::make(s.q);
    BOOST_TEST_REQUIRE(local.has_value());
    for (const auto& [at, cost] : s.requests) {
      const auto now = epoch_start + at;
      const decision expected = local->acquire(now, cost);
      const auto got = limiter.acquire(key, now, s.q, cost);
      BOOST_TEST_CONTEXT("quota " << s.q.count << "/" << s.q.period.count() << "ns burst " << s.q.burst
                                  << " at " << at.count() << " ns cost " << cost) {
        BOOST_TEST_REQUIRE(got.has_value());
        BOOST_TEST(static_cast<int>(got->outcome) == static_cast<int>(expected.outcome));
        BOOST_TEST(got->limit == expected.limit);
        BOOST_TEST(got->remaining == expected.remaining);
        BOOST_TEST(std::llabs(got->wait.count() - expected.wait.count()) <= 1);
        BOOST_TEST(std::llabs(got->reset_after.count() - expected.reset_after.count()) <= 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(exact_at_the_longest_window) {
  // 1 per 26 days, burst 1: W = T = 2,246,400,000,000,000 ns, just below 2^51 = 2,251,799,813,685,248.
  const quota q = quota{1, 26 * 24h, 1};
  const std::chrono::nanoseconds w = 26 * 24h;
  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  const std::string key = key_for("long-window");
  raw.run({"DEL", key});
  const expected_step steps[] = {
      {0ns, 1, verdict::allowed, 0, 0ns, w, "D = 0: T <= W; D' = W"},
      {1ns, 1, verdict::denied, 0, w - 1ns, w - 1ns, "D = W - 1 ns: retry D + T - W = W - 1 ns"},
      {w - 1ns, 1, verdict::denied, 0, 1ns, 1ns, "D = 1 ns: 1 ns too early"},
      {w, 1, verdict::allowed, 0, 0ns, w, "D = 0 exactly at the TAT"},
  };
  for (const auto& step : steps) check(limiter.acquire(key, epoch_start + step.at, q, step.cost), step, 1);
  // The key expires with the state: PX is W in milliseconds plus at most 1.
  const long long ttl = raw.integer({"PTTL", key});
  BOOST_TEST(ttl > 0);
  BOOST_TEST(ttl <= 26LL * 24 * 3600 * 1000 + 1);
}

BOOST_AUTO_TEST_CASE(keys_expire_when_fresh) {
  // 10 per second: one request leaves TAT = now + 100 ms, so the key expires (PX) within 100 ms + 1 ms.
  const quota q = quota{10, 1s, 2};
  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  const std::string key = key_for("expire");
  raw.run({"DEL", key});
  BOOST_TEST_REQUIRE(limiter.acquire(key, q).has_value());
  const long long ttl = raw.integer({"PTTL", key});
  BOOST_TEST(ttl > 0);
  BOOST_TEST(ttl <= 101);
  // A denied request writes nothing: the expiry stays that of the last allowed one.
  BOOST_TEST_REQUIRE(limiter.acquire(key, q, 3).has_value());  // cost 3 > burst 2: never
  BOOST_TEST(raw.integer({"PTTL", key}) <= ttl);
  std::this_thread::sleep_for(150ms);
  BOOST_TEST(raw.integer({"EXISTS", key}) == 0);
  // Fresh again: a full burst.
  const auto d = limiter.acquire(key, q);
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->remaining == 1u);
}

BOOST_AUTO_TEST_CASE(script_reloaded_after_flush) {
  const quota q = quota{10, 1s, 3};
  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  const std::string key = key_for("noscript");
  raw.run({"DEL", key});
  BOOST_TEST_REQUIRE(limiter.connect().has_value());
  const long long loads = raw.script_loads();
  BOOST_TEST(limiter.acquire(key, epoch_start, q, 1)->remaining == 2u);
  BOOST_TEST(raw.script_loads() == loads);  // loaded once, at connect()

  raw.run({"SCRIPT", "FLUSH"});
  const auto after_flush = limiter.acquire(key, epoch_start, q, 1);  // NOSCRIPT, load, retry
  BOOST_TEST_REQUIRE(after_flush.has_value());
  BOOST_TEST(after_flush->remaining == 1u);  // the state survived: the second request of the burst
  BOOST_TEST(raw.script_loads() == loads + 1);

  raw.run({"SCRIPT", "FLUSH"});
  const keyward::rate::redis_acquire batch[2] = {{key, q, 1}, {key, q, 1}};
  decision decisions[2];
  BOOST_TEST_REQUIRE(limiter.acquire_batch(batch, 2, decisions).has_value());
  BOOST_TEST(raw.script_loads() == loads + 2);
  // Real time now, long after epoch_start: D = 0 again, so the burst of 3 allows both.
  BOOST_TEST(decisions[0].remaining == 2u);
  BOOST_TEST(decisions[1].remaining == 1u);
}

BOOST_AUTO_TEST_CASE(batches_in_order) {
  const quota q = quota{1, 60s, 3};  // T = 60 s: nothing refills during the test
  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  const std::string a = key_for("batch-a"), b = key_for("batch-b");
  raw.run({"DEL", a, b});
  const keyward::rate::redis_acquire batch[] = {{a, q, 1}, {b, q, 2}, {a, q, 1}, {a, q, 1}, {a, q, 1}, {b, q, 2}};
  decision d[6];
  BOOST_TEST_REQUIRE(limiter.acquire_batch(batch, 6, d).has_value());
  // a: three allowed (remaining 2, 1, 0), then denied; b: cost 2 allowed (remaining 1), then 2 more denied.
  BOOST_TEST((d[0].allowed() && d[0].remaining == 2));
  BOOST_TEST((d[1].allowed() && d[1].remaining == 1));
  BOOST_TEST((d[2].allowed() && d[2].remaining == 1));
  BOOST_TEST((d[3].allowed() && d[3].remaining == 0));
  BOOST_TEST(static_cast<int>(d[4].outcome) == static_cast<int>(verdict::denied));
  BOOST_TEST(static_cast<int>(d[5].outcome) == static_cast<int>(verdict::denied));
  BOOST_TEST(d[5].limit == 3u);
}

BOOST_AUTO_TEST_CASE(make_checks_the_options) {
  // Options that cannot work fail at make(), not on first use; make() connects to nothing.
  const auto invalid = [](redis_options o) {
    const auto made = redis_limiter::make(std::move(o));
    return !made.has_value() && made.error() == errc::redis_invalid_options;
  };
  redis_options o = options_for(6379);
  o.host = "";
  BOOST_TEST(invalid(o));
  o.host = std::string("127.0.0.1\0evil", 14);
  BOOST_TEST(invalid(o));
  for (const int port : {0, -1, 65536}) BOOST_TEST(invalid(options_for(port)), port);
  BOOST_TEST(invalid(options_for(6379, 0ms)));
  BOOST_TEST(invalid(options_for(6379, -1ms)));
  o = options_for(6379);
  o.connect_timeout = 0ms;
  BOOST_TEST(invalid(o));
  o = options_for(6379);
  o.command_timeout = -5ms;
  BOOST_TEST(invalid(o));
  // Valid edges, and a port where no server listens: made, not connected.
  BOOST_TEST(redis_limiter::make(options_for(65535, 1ms)).has_value());
  BOOST_TEST(redis_limiter::make(options_for(1)).has_value());
}

BOOST_AUTO_TEST_CASE(errors_from_the_quota_and_the_key) {
  // Checked before anything is sent: no server on this port is ever contacted.
  redis_limiter nowhere = make_limiter(options_for(1));
  BOOST_TEST(nowhere.acquire("k", quota{0, 1s, 1}).error() == errc::rate_invalid_quota);
  // W must stay below 2^51 ns (26.06 days) and burst * count below 2^51.
  BOOST_TEST(nowhere.acquire("k", quota{1, 27 * 24h, 1}).error() == errc::redis_unsupported_quota);
  BOOST_TEST(nowhere.acquire("k", quota{1, 24h, 27}).error() == errc::redis_unsupported_quota);
  BOOST_TEST(nowhere.acquire("k", quota{1u << 29, 1s, 1u << 22}).error() == errc::redis_unsupported_quota);

  redis_limiter limiter = make_limiter(shared_options());
  raw_connection raw(shared_server::instance->server->port());
  const std::string list = key_for("a-list"), text = key_for("a-string");
  raw.run({"DEL", list, text});
  raw.run({"RPUSH", list, "x"});
  raw.run({"SET", text, "not a state"});
  BOOST_TEST(limiter.acquire(list, quota{1, 1s, 1}).error() == errc::redis_error_reply);
  BOOST_TEST(std::string(limiter.last_error_detail()).find("WRONGTYPE") != std::string::npos);
  BOOST_TEST(limiter.acquire(text, quota{1, 1s, 1}).error() == errc::redis_error_reply);
  BOOST_TEST(std::string(limiter.last_error_detail()).find("no GCRA state") != std::string::npos);
  // The connection is still good afterwards.
  BOOST_TEST(limiter.acquire(key_for("after-errors"), quota{1, 1s, 1}).has_value());
}

BOOST_AUTO_TEST_CASE(threads_share_one_limit) {
  // Four threads, one redis_limiter each, hammer one key for 1 s with 100 per second, burst 5 (T = 10 ms).
  // GCRA admits at most burst + (t1 - t0) / T in any span [t0, t1] (each admission moves the TAT by T, and
  // an admission at s needs TAT <= s + W); t0 and t1 are read from the server's clock before the first
  // and after the last request. While requests keep coming, it admits one per T once the burst is spent,
  // so the total is at least burst + (t1 - t0 - slack) / T, with 100 ms of slack for the threads to start,
  // stop and be scheduled on a busy machine.
  const quota q = quota{100, 1s, 5};
  raw_connection raw(shared_server::instance->server->port());
  const std::string key = key_for("threads");
  raw.run({"DEL", key});
  std::atomic<bool> go{false}, stop{false};
  std::atomic<std::uint64_t> allowed{0}, denied{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      redis_limiter limiter = make_limiter(shared_options());
      if (!limiter.connect()) ++failed;
      while (!go.load()) std::this_thread::yield();
      while (!stop.load()) {
        const auto d = limiter.acquire(key, q);
        if (!d) ++failed;
        else if (d->allowed()) ++allowed;
        else ++denied;
      }
    });
  }
  const std::int64_t t0 = raw.time_us();
  go = true;
  std::this_thread::sleep_for(1s);
  stop = true;
  for (auto& thread : threads) thread.join();
  const std::int64_t t1 = raw.time_us();
  const std::uint64_t span_us = static_cast<std::uint64_t>(t1 - t0);
  const std::uint64_t upper = 5 + span_us / 10'000;
  const std::uint64_t lower = 5 + (span_us - 100'000) / 10'000;
  BOOST_TEST_MESSAGE("allowed " << allowed << ", denied " << denied << " over " << span_us << " us");
  BOOST_TEST(failed == 0u);
  BOOST_TEST(allowed <= upper);
  BOOST_TEST(allowed >= lower);
  BOOST_TEST(denied > 0u);
}

BOOST_AUTO_TEST_CASE(server_killed_gives_an_error_in_time) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  const auto timeout = 300ms;
  redis_limiter limiter = make_limiter(options_for(server.port(), timeout));
  const quota q = quota{10, 1s, 3};
  BOOST_TEST_REQUIRE(limiter.acquire("k", q).has_value());
  server.kill_now();
  for (int i = 0; i < 3; ++i) {  // the broken connection, then reconnection attempts
    const auto start = std::chrono::steady_clock::now();
    const auto d = limiter.acquire("k", q);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST_REQUIRE(!d.has_value());
    BOOST_TEST(d.error() == errc::redis_unavailable);
    BOOST_TEST(to_ms(took) < to_ms(2 * timeout + 200ms));  // a connect and a command at most
  }
  // Back again: the next call reconnects and loads the script into the new server.
  BOOST_TEST_REQUIRE(server.restart());
  const auto d = limiter.acquire("k", q);
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->remaining == 2u);  // a new server: a fresh key
}

BOOST_AUTO_TEST_CASE(server_gone_during_a_large_batch) {
  // 20,000 pipelined calls (about 3 MB) take many write() calls; the server has closed the connection, so
  // after its reset a write fails with EPIPE and raises SIGPIPE, which would end this process (SIGPIPE is not
  // ignored here) unless the limiter blocks and discards it.
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  redis_limiter limiter = make_limiter(options_for(server.port()));
  const quota q = quota{10, 1s, 3};
  BOOST_TEST_REQUIRE(limiter.connect().has_value());
  server.kill_now();
  std::this_thread::sleep_for(50ms);
  const std::string key(128, 'k');
  std::vector<keyward::rate::redis_acquire> batch(20000, keyward::rate::redis_acquire{key, q, 1});
  std::vector<decision> decisions(batch.size());
  const auto result = limiter.acquire_batch(batch.data(), batch.size(), decisions.data());
  BOOST_TEST_REQUIRE(!result.has_value());
  BOOST_TEST(result.error() == errc::redis_unavailable);
}

BOOST_AUTO_TEST_CASE(frozen_server_times_out) {
  keyward_test::redis_server server(shared_server::instance->executable);
  BOOST_TEST_REQUIRE(server.running());
  const auto timeout = 300ms;
  redis_limiter limiter = make_limiter(options_for(server.port(), timeout));
  const quota q = quota{10, 1s, 3};
  BOOST_TEST_REQUIRE(limiter.acquire("k", q).has_value());
  server.suspend();  // the kernel still accepts connections; nothing answers
  for (int i = 0; i < 2; ++i) {  // a command on the open connection, then a new connection's SCRIPT LOAD
    const auto start = std::chrono::steady_clock::now();
    const auto d = limiter.acquire("k", q);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST_REQUIRE(!d.has_value());
    BOOST_TEST(d.error() == errc::redis_timeout);
    BOOST_TEST(to_ms(took) >= to_ms(timeout - 10ms));
    BOOST_TEST(to_ms(took) < to_ms(2 * timeout + 200ms));
  }
  decision batch_decisions[2];
  const keyward::rate::redis_acquire batch[2] = {{"k", q, 1}, {"k", q, 1}};
  BOOST_TEST(limiter.acquire_batch(batch, 2, batch_decisions).error() == errc::redis_timeout);
  server.resume();
  BOOST_TEST(limiter.acquire("k", q).has_value());
}

BOOST_AUTO_TEST_CASE(connect_timeout) {
  // A listening socket whose accept queue is full (backlog 0, never accepted): the kernel drops further
  // SYNs, so a connection attempt hangs until the connect timeout ends it.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  BOOST_TEST_REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  BOOST_TEST_REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  BOOST_TEST_REQUIRE(listen(listener, 0) == 0);
  BOOST_TEST_REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(filler);
  }
  std::this_thread::sleep_for(100ms);
  const auto timeout = 300ms;
  redis_limiter limiter = make_limiter(options_for(ntohs(address.sin_port), timeout));
  const auto start = std::chrono::steady_clock::now();
  const auto d = limiter.acquire("k", quota{1, 1s, 1});
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST_REQUIRE(!d.has_value());
  BOOST_TEST(d.error() == errc::redis_timeout);
  BOOST_TEST(to_ms(took) >= to_ms(timeout - 10ms));
  BOOST_TEST(to_ms(took) < to_ms(timeout + 300ms));
  for (const int fd : fillers) close(fd);
  close(listener);
}
