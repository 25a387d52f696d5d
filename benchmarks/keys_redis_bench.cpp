// keys_redis_bench: API keys with their records and credit balances in Redis (keys::redis_store), against a
// redis-server the program starts on a free loopback port, beside memory_store and redis-benchmark on the
// same server:
//   verify/memory_store           the whole Bearer verification over keys::memory_store (the ceiling)
//   verify/redis_store/warm       the same keys and verifier options over redis_store, every record cached
//   verify/redis_store/cold       the same with the cache off (no positive entry kept): one read per call
//   credits/redis_store           consume_credits, cost 1, one connection, one call after the other
//   credits/memory_store          the same over memory_store
// The cold and credit rows carry redis-benchmark's rate for the same round trip without keyward
// (`-c 1 -q HGETALL <a record>`, `-c 1 -q INCRBY <key> 1`) as the counter redis_benchmark_ops/s, run once
// per repetition. Every row is timed in real time (UseRealTime: a round trip is mostly waiting, which CPU time
// would miss). At the end a summary prints the medians (over --benchmark_repetitions), this process's CPU
// time per call (the fairer figure for the in-process rows on a busy machine) and the ratios.
// KEYWARD_BENCH_KEYS sets the number of keys (default 1000), KEYWARD_BENCH_REDIS_REQUESTS redis-benchmark's
// -n (default 20000). Exits 77 (skipped) without redis-server; the redis-benchmark figures are absent
// without redis-benchmark.
#include <keyward/keys/credits.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/redis_store.hpp>
#include <keyward/keys/verifier.hpp>

#include <benchmark/benchmark.h>

#include "support/redis_server.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace keys = keyward::keys;
using namespace std::chrono_literals;

constexpr keys::prefix_entry acme_entries[] = {
    {"acme_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
};
constexpr auto acme_prefixes = keys::make_prefix_table(acme_entries);
const std::string pepper(40, 'p');
const keys::scope_requirement required = keys::scopes::all_of(keys::scopes::write);

[[noreturn]] void fail(const char* what, const char* detail = "") {
  std::fprintf(stderr, "keys_redis_bench: %s%s%s\n", what, *detail ? ": " : "", detail);
  std::exit(1);
}

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  const long value = text ? std::atol(text) : 0;
  return value > 0 ? static_cast<std::size_t>(value) : fallback;
}

// redis_store::make may return the store or a unique_ptr to it: the store either way, kept alive.
template <class T>
std::shared_ptr<keys::redis_store> hold(T&& made) {
  if constexpr (std::is_same_v<std::decay_t<T>, std::unique_ptr<keys::redis_store>>) {
    return std::shared_ptr<keys::redis_store>(std::move(made));
  } else {
    return std::make_shared<keys::redis_store>(std::move(made));
  }
}

std::string find_on_path(const char* name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string candidate =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

// Everything the benchmarks share: the server, the stores holding the same keys, the header values.
struct fixture {
  std::unique_ptr<keyward_test::redis_server> server;
  std::string redis_benchmark;
  keys::redis_store_options base;
  std::shared_ptr<keys::redis_store> warm;  // records cached for an hour
  std::shared_ptr<keys::redis_store> cold;  // no record cached
  keys::memory_store memory = *keys::memory_store::make();
  keys::pepper_set peppers = *keys::pepper_set::make(1, pepper);
  std::vector<std::string> bearer_values;
  std::string record_key;  // a record's hash, for redis-benchmark's HGETALL
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();

  explicit fixture(const std::string& server_program) {
    server = std::make_unique<keyward_test::redis_server>(server_program);
    if (!server->running()) fail("redis-server did not start");
    redis_benchmark = find_on_path("redis-benchmark");
    base.redis.port = server->port();
    base.redis.connect_timeout = 2000ms;
    base.redis.command_timeout = 2000ms;
    base.connections = 1;
    base.subscribe = false;

    keys::redis_store_options warm_options = base;
    warm_options.cache_ttl = std::chrono::hours(1);
    warm = make_store(warm_options, "a warm redis_store");
    cold = make_cold();

    const std::size_t count = env_size("KEYWARD_BENCH_KEYS", 1000);
    for (std::size_t i = 0; i < count; ++i) {
      keys::key_record blueprint;
      blueprint.owner = "org_" + std::to_string(i % 100);
      blueprint.scopes = keys::scopes::read | keys::scopes::write;
      blueprint.expires_at = now + 24h;
      auto minted = keys::mint(*warm, blueprint, acme_entries[0], peppers);
      if (!minted) fail("minting into redis_store failed", minted.error().message());
      const std::string key(minted->key.reveal());
      // The same record in memory_store, under the same id and digest.
      auto stored = warm->find(minted->id.view());
      if (!stored || !*stored) fail("a minted key is not found in redis_store");
      if (!memory.insert(**stored)) fail("insert into memory_store failed");
      bearer_values.push_back("Bearer " + key);
      if (i == 0) record_key = base.key_namespace + "{" + std::string(minted->id.view()) + "}";
    }
  }

  static std::shared_ptr<keys::redis_store> make_store(const keys::redis_store_options& options, const char* what) {
    auto made = keys::redis_store::make(options);
    if (!made) fail(what, made.error().message());
    return hold(std::move(*made));
  }

  // A store that caches nothing (cache_ttl 0 and no entries): every find() reads Redis.
  std::shared_ptr<keys::redis_store> make_cold() const {
    keys::redis_store_options options = base;
    options.cache_ttl = 0ms;
    options.stale_while_revalidate = 0ms;
    options.negative_ttl = 0ms;
    options.cache_max_entries = 0;
    return make_store(options, "a redis_store without cache");
  }
};

fixture* shared = nullptr;

// The rate redis-benchmark reports for `command` on one connection; -1 when it cannot be run.
double redis_benchmark_rate(const std::string& command) {
  if (shared->redis_benchmark.empty()) return -1;
  const std::string line = shared->redis_benchmark + " -h 127.0.0.1 -p " + std::to_string(shared->server->port()) +
                           " -c 1 -q -n " + std::to_string(env_size("KEYWARD_BENCH_REDIS_REQUESTS", 20000)) + " " +
                           command + " 2>/dev/null";
  FILE* out = popen(line.c_str(), "r");
  if (out == nullptr) return -1;
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, out)) > 0) text.append(buffer, n);
  if (pclose(out) != 0) return -1;
  // -q prints "<COMMAND ...>: 81234.56 requests per second, p50=..." (progress lines before it end in '\r').
  const std::size_t end = text.rfind(" requests per second");
  const std::size_t at = end == std::string::npos ? end : text.rfind(": ", end);
  return at == std::string::npos ? -1 : std::strtod(text.c_str() + at + 2, nullptr);
}

template <class Store>
void verify(benchmark::State& state, Store& store) {
  keys::verifier_options options;
  options.prefixes = acme_prefixes;
  auto verifier = keys::verifier<Store>::make(store, options, shared->peppers);
  if (!verifier) fail("verifier::make failed", verifier.error().message());
  const std::vector<std::string>& values = shared->bearer_values;
  for (const std::string& value : values)  // checks every key, and warms a cache
    if (!verifier->authenticate(value, required, shared->now)) fail("a stored key is denied");
  std::string wrong = values[0];
  wrong[wrong.size() - 10] = wrong[wrong.size() - 10] == 'a' ? 'b' : 'a';
  if (verifier->authenticate(wrong, required, shared->now)) fail("a changed key is accepted");
  std::size_t i = 0;
  for (auto _ : state) {
    auto who = verifier->authenticate(values[i], required, shared->now);
    if (!who) fail("a stored key is denied while timed");
    benchmark::DoNotOptimize(who);
    i = (i + 1) % values.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void verify_memory(benchmark::State& state) { verify(state, shared->memory); }
void verify_redis_warm(benchmark::State& state) { verify(state, *shared->warm); }
void verify_redis_cold(benchmark::State& state) {
  verify(state, *shared->cold);
  state.counters["redis_benchmark_ops/s"] = redis_benchmark_rate("HGETALL '" + shared->record_key + "'");
}

template <class Store>
void spend(benchmark::State& state, Store& store, const char* id) {
  keys::credit_plan plan;  // never runs out within a run
  plan.allowance = (std::uint64_t{1} << 53) - 1;
  plan.refill = keys::credit_refill::never;
  const keys::sys_nanoseconds now = std::chrono::time_point_cast<std::chrono::nanoseconds>(shared->now);
  const auto first = store.consume_credits(id, plan, 0, now);
  if (!first || !first->allowed) fail("consume_credits failed");
  for (auto _ : state) {
    auto d = store.consume_credits(id, plan, 1, now);
    if (!d || !d->allowed) fail("consume_credits failed while timed");
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void credits_redis(benchmark::State& state) {
  spend(state, *shared->warm, "benchCredit1");
  state.counters["redis_benchmark_ops/s"] = redis_benchmark_rate("INCRBY keyward-bench:counter 1");
}
void credits_memory(benchmark::State& state) { spend(state, shared->memory, "benchCredit1"); }

// Keeps the figures of every run while the console reporter prints it, for the summary: the median
// aggregate when there are repetitions, else each run.
class summary_reporter : public benchmark::ConsoleReporter {
 public:
  struct figures {
    std::vector<double> ns;    // real time per call, of each run or their median
    std::vector<double> cpu;   // CPU time per call (this process), likewise
    std::vector<double> peer;  // redis-benchmark's rate, likewise
    bool from_median = false;
  };
  std::map<std::string, figures> runs;

  void ReportRuns(const std::vector<Run>& reports) override {
    for (const Run& run : reports) {
      if (run.error_occurred) continue;
      const bool is_median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !is_median) continue;
      figures& f = runs[run.run_name.function_name];
      if (f.from_median) continue;
      if (is_median) f = figures{{}, {}, {}, true};
      f.ns.push_back(run.GetAdjustedRealTime());
      f.cpu.push_back(run.GetAdjustedCPUTime());
      const auto peer = run.counters.find("redis_benchmark_ops/s");
      if (peer != run.counters.end()) f.peer.push_back(peer->second.value);
    }
    ConsoleReporter::ReportRuns(reports);
  }
};

double median(std::vector<double> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void print_summary(const summary_reporter& reporter) {
  const auto ns_of = [&](const char* name) {
    const auto found = reporter.runs.find(name);
    return found == reporter.runs.end() ? -1.0 : median(found->second.ns);
  };
  const auto cpu_of = [&](const char* name) {
    const auto found = reporter.runs.find(name);
    return found == reporter.runs.end() ? -1.0 : median(found->second.cpu);
  };
  const auto peer_of = [&](const char* name) {
    const auto found = reporter.runs.find(name);
    return found == reporter.runs.end() ? -1.0 : median(found->second.peer);
  };
  const auto rate = [](double ns) { return ns > 0 ? 1e9 / ns : -1.0; };
  std::printf("\nSummary (real time; the median over the repetitions when there are several):\n");
  std::printf("| %-26s | %9s | %9s | %9s | %-52s |\n", "case", "ns/call", "calls/s", "CPU ns", "compared with");
  const auto row = [&](const char* name, double ns, const std::string& against) {
    if (ns < 0) return;
    std::printf("| %-26s | %9.0f | %9.0f | %9.0f | %-52s |\n", name, ns, rate(ns), cpu_of(name), against.c_str());
  };
  const auto ratio_text = [](const char* what, double value) {
    char text[96];
    if (value < 0) std::snprintf(text, sizeof text, "%s: absent", what);
    else std::snprintf(text, sizeof text, "%s: %.2f", what, value);
    return std::string(text);
  };
  const double memory = ns_of("verify/memory_store"), warm = ns_of("verify/redis_store/warm");
  const double cold = ns_of("verify/redis_store/cold"), hgetall = peer_of("verify/redis_store/cold");
  const double spend = ns_of("credits/redis_store"), incrby = peer_of("credits/redis_store");
  const double spend_memory = ns_of("credits/memory_store");
  row("verify/memory_store", memory, "");
  const double memory_cpu = cpu_of("verify/memory_store"), warm_cpu = cpu_of("verify/redis_store/warm");
  row("verify/redis_store/warm", warm,
      ratio_text("time / memory_store", memory > 0 && warm > 0 ? warm / memory : -1) +
          ratio_text(", CPU", memory_cpu > 0 && warm_cpu > 0 ? warm_cpu / memory_cpu : -1));
  row("verify/redis_store/cold", cold,
      ratio_text(("rate / HGETALL (" + std::to_string(static_cast<long>(hgetall)) + "/s)").c_str(),
                 hgetall > 0 && cold > 0 ? rate(cold) / hgetall : -1));
  row("credits/redis_store", spend,
      ratio_text(("rate / INCRBY (" + std::to_string(static_cast<long>(incrby)) + "/s)").c_str(),
                 incrby > 0 && spend > 0 ? rate(spend) / incrby : -1));
  row("credits/memory_store", spend_memory, "");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  const std::string server_program = keyward_test::find_redis_server();
  if (server_program.empty()) {
    std::printf("redis-server not found: skipped\n");
    return 77;
  }
  fixture made(server_program);
  shared = &made;
  std::printf("redis-server %s on 127.0.0.1:%d, %zu keys; redis-benchmark %s\n", server_program.c_str(),
              made.server->port(), made.bearer_values.size(),
              made.redis_benchmark.empty() ? "not found (its figures are absent)" : made.redis_benchmark.c_str());
  benchmark::RegisterBenchmark("verify/memory_store", verify_memory)->UseRealTime();
  benchmark::RegisterBenchmark("verify/redis_store/warm", verify_redis_warm)->UseRealTime();
  benchmark::RegisterBenchmark("verify/redis_store/cold", verify_redis_cold)->UseRealTime();
  benchmark::RegisterBenchmark("credits/redis_store", credits_redis)->UseRealTime();
  benchmark::RegisterBenchmark("credits/memory_store", credits_memory)->UseRealTime();
  summary_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary(reporter);
  benchmark::Shutdown();
  shared = nullptr;
  return 0;
}
