// keyward benchmarks: the GCRA limiter (rate::gcra) and the keyed limiter (rate::keyed) beside what users
// write by hand: a token bucket (double tokens, last refill time) behind a std::mutex, and for keys a
// std::unordered_map of such buckets behind one std::mutex (unbounded). Before anything is timed, each
// keyward limiter and its baseline answer the same scripted requests and must agree.
// Names: <case>/<library>/<variant>: acquire/keyward/now (time passed in), acquire/keyward/clock (each
// call reads std::chrono::steady_clock), shared/keyward/under/threads:N (one limiter, N threads),
// keyed/keyward/1M (a million keys, random order): there every request is allowed (the quota is far above
// the demand), so every call takes capacity, the write path, the one that contends; keyed/keyward_std_hash/1M
// is the same with Hash = std::hash<std::uint64_t> (what 64-bit keys got before the default hash was keyed).
// shared/.../over: the demand far above the quota, nearly every request denied. flood/<hash>/<keys>: hash
// flooding as reported in issue 11: keyed<std::string> with room for 1M keys holding 15,000 24-byte
// "sk_live_" keys, each call acquiring the next one (1 us later than the last), under the default hash
// (keyward: SipHash-2-4 under the limiter's random key) or Hash = std::hash<std::string> (std_hash: what every
// key got before), with random keys or keys crafted to collide in libstdc++'s std::hash (generated below;
// the crafted rows are skipped elsewhere). hash/<function>/24B: one hash of a 24-byte key.

#include <keyward/crypto/siphash.hpp>
#include <keyward/rate/gcra.hpp>
#include <keyward/rate/keyed.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using keyward::rate::gcra;
using keyward::rate::keyed;
using keyward::rate::quota;
using std::chrono::nanoseconds;

// The limiters' clock's time point `ns` nanoseconds after its epoch: the `now` passed in.
std::chrono::steady_clock::time_point at(std::int64_t ns) {
  return std::chrono::steady_clock::time_point(nanoseconds(ns));
}

// 4e9 per second (T = 0.25 ns) with a burst of 2^40 (W = 275 s): no thread's demand (one request per ns
// of its own time) ever empties it, however far the threads' times drift apart.
quota fast_quota() {
  quota q;
  q.count = 4'000'000'000;
  q.period = std::chrono::seconds(1);
  q.burst = std::uint64_t{1} << 40;
  return q;
}

// Per key: 100 per second, burst 10. Each key comes back about once per million requests (1 s at 1 us each).
quota per_key_quota() {
  quota q;
  q.count = 100;
  q.period = std::chrono::seconds(1);
  q.burst = 10;
  return q;
}

constexpr std::size_t million_keys = 1'000'000;
constexpr std::size_t keyed_capacity = std::size_t{1} << 20;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "rate_bench: %s\n", what);
    std::exit(1);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The baseline: a token bucket as users write it, with the time passed in like keyward's `now` overloads.

struct token_bucket {
  double tokens = 0;
  std::int64_t last_ns = 0;
  bool started = false;

  // Refills for the time since the last call (never backwards), then takes `cost` if there is that much.
  bool take(std::int64_t now_ns, double per_ns, double burst, double cost, double* remaining) {
    if (!started) {
      tokens = burst;
      last_ns = now_ns;
      started = true;
    } else if (now_ns > last_ns) {
      tokens = std::min(burst, tokens + static_cast<double>(now_ns - last_ns) * per_ns);
      last_ns = now_ns;
    }
    const bool allowed = tokens >= cost;
    if (allowed) tokens -= cost;
    *remaining = tokens;
    return allowed;
  }
};

struct mutex_bucket {
  explicit mutex_bucket(const quota& q)
      : per_ns(static_cast<double>(q.count) / static_cast<double>(q.period.count())),
        burst(static_cast<double>(q.burst)) {}
  bool acquire(std::int64_t now_ns, double* remaining) {
    const std::lock_guard<std::mutex> lock(mutex);
    return bucket.take(now_ns, per_ns, burst, 1.0, remaining);
  }
  std::mutex mutex;
  token_bucket bucket;
  double per_ns;
  double burst;
};

// Counts the bytes an unordered_map asks for (nodes and bucket array; the allocator's own overhead, 8 to 16
// bytes per node with glibc, comes on top).
std::size_t map_bytes = 0;
template <class T>
struct counting_allocator {
  using value_type = T;
  counting_allocator() = default;
  template <class U>
  counting_allocator(const counting_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    map_bytes += n * sizeof(T);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    map_bytes -= n * sizeof(T);
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const counting_allocator&, const counting_allocator&) noexcept { return true; }
  friend bool operator!=(const counting_allocator&, const counting_allocator&) noexcept { return false; }
};

struct mutex_map {
  explicit mutex_map(const quota& q)
      : per_ns(static_cast<double>(q.count) / static_cast<double>(q.period.count())),
        burst(static_cast<double>(q.burst)) {}
  bool acquire(std::uint64_t key, std::int64_t now_ns, double* remaining) {
    const std::lock_guard<std::mutex> lock(mutex);
    return buckets[key].take(now_ns, per_ns, burst, 1.0, remaining);
  }
  std::mutex mutex;
  std::unordered_map<std::uint64_t, token_bucket, std::hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     counting_allocator<std::pair<const std::uint64_t, token_bucket>>>
      buckets;
  double per_ns;
  double burst;
};

// ---------------------------------------------------------------------------------------------------------
// Agreement before timing: 10 per second, burst 5, requests at times off the refill boundaries (where a
// double token count and GCRA's integer time could round differently): both must allow the same ones.

void check_agreement() {
  quota q;
  q.count = 10;
  q.period = std::chrono::seconds(1);
  q.burst = 5;
  auto limiter = gcra<>::make(q);
  auto per_key = keyed<std::uint64_t>::make(q, 16);
  require(limiter.has_value() && per_key.has_value(), "cannot make the limiters");
  mutex_bucket bucket(q);
  mutex_map map(q);
  std::mt19937_64 random(1);
  std::int64_t now = 0;
  int allowed = 0;
  for (int i = 0; i < 2000; ++i) {
    now += static_cast<std::int64_t>(random() % 4) * 50'000'000 + 25'000'000;  // odd multiples of 25 ms
    double remaining = 0;
    const bool expected = bucket.acquire(now, &remaining);
    require(limiter->acquire(at(now)).allowed() == expected, "gcra disagrees with the token bucket");
    const auto keyed_answer = per_key->acquire(3, at(now));
    require(keyed_answer && keyed_answer->allowed() == map.acquire(3, now, &remaining),
            "keyed disagrees with the map of token buckets");
    allowed += expected ? 1 : 0;
  }
  require(allowed > 500 && allowed < 2000, "the agreement check allowed all or nothing");
}

// ---------------------------------------------------------------------------------------------------------
// One limiter, one thread.

void acquire_keyward_now(benchmark::State& state) {
  auto limiter = gcra<>::make(fast_quota());
  require(limiter.has_value(), "cannot make the limiter");
  std::int64_t now = 0;
  std::uint64_t denied = 0;
  for (auto _ : state) {
    const keyward::rate::decision answer = limiter->acquire(at(++now));
    denied += answer.allowed() ? 0 : 1;
    benchmark::DoNotOptimize(answer);
  }
  require(denied == 0, "keyward denied a request");
}

void acquire_mutex_now(benchmark::State& state) {
  mutex_bucket bucket(fast_quota());
  std::int64_t now = 0;
  std::uint64_t denied = 0;
  for (auto _ : state) {
    double remaining = 0;
    const bool allowed = bucket.acquire(++now, &remaining);
    denied += allowed ? 0 : 1;
    const double left = remaining;
    benchmark::DoNotOptimize(left);
  }
  require(denied == 0, "the token bucket denied a request");
}

void acquire_keyward_clock(benchmark::State& state) {
  auto limiter = gcra<>::make(fast_quota());
  require(limiter.has_value(), "cannot make the limiter");
  for (auto _ : state) {
    const keyward::rate::decision answer = limiter->acquire();
    benchmark::DoNotOptimize(answer);
  }
}

void acquire_mutex_clock(benchmark::State& state) {
  mutex_bucket bucket(fast_quota());
  for (auto _ : state) {
    double remaining = 0;
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    const bool allowed = bucket.acquire(std::chrono::duration_cast<nanoseconds>(now).count(), &remaining);
    benchmark::DoNotOptimize(allowed);
  }
}

// ---------------------------------------------------------------------------------------------------------
// One limiter shared by the benchmark's threads, each passing its own time (1 ns more per call), under the
// quota (fast_quota: every request allowed, every call writes) or over it (over_quota: 1000 per second,
// burst 10, so nearly every request is denied, as under a flood). Thread 0 makes a new limiter before each
// run (the framework starts no thread's loop before all have arrived).

quota over_quota() {
  quota q;
  q.count = 1000;
  q.period = std::chrono::seconds(1);
  q.burst = 10;
  return q;
}

std::unique_ptr<gcra<>> shared_limiter;
std::unique_ptr<mutex_bucket> shared_bucket;

// Under the quota nothing is denied; over it a thread that ran n iterations (times 1 to n ns, like every
// other thread) saw at most burst + n ns / T of them allowed.
bool within(const quota& limit, const benchmark::State& state, std::uint64_t denied) {
  if (limit == fast_quota()) return denied == 0;
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  return iterations - denied <= limit.burst + iterations * limit.count / 1'000'000'000;
}

void shared_keyward_now(benchmark::State& state, quota limit) {
  if (state.thread_index() == 0) {
    auto made = gcra<>::make(limit);
    require(made.has_value(), "cannot make the limiter");
    shared_limiter = std::make_unique<gcra<>>(std::move(*made));
  }
  std::int64_t now = 0;
  std::uint64_t denied = 0;
  for (auto _ : state) {
    const keyward::rate::decision answer = shared_limiter->acquire(at(++now));
    denied += answer.allowed() ? 0 : 1;
    benchmark::DoNotOptimize(answer);
  }
  require(within(limit, state, denied), "keyward allowed more or fewer requests than the quota");
  state.SetItemsProcessed(state.iterations());
}

void shared_mutex_now(benchmark::State& state, quota limit) {
  if (state.thread_index() == 0) shared_bucket = std::make_unique<mutex_bucket>(limit);
  std::int64_t now = 0;
  std::uint64_t denied = 0;
  for (auto _ : state) {
    double remaining = 0;
    const bool allowed = shared_bucket->acquire(++now, &remaining);
    denied += allowed ? 0 : 1;
    const double left = remaining;
    benchmark::DoNotOptimize(left);
  }
  require(within(limit, state, denied), "the token bucket allowed more or fewer requests than the quota");
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------------------------
// A million keys (in a table with room for 2^20), requested in random order, each call 1 us later than the
// thread's previous one. The tables are filled once, before the first run; each run starts where the
// previous one's time ended, so no key ever sees time go backwards.

const std::vector<std::uint64_t>& random_keys() {
  static const std::vector<std::uint64_t> keys = [] {
    std::vector<std::uint64_t> k(std::size_t{1} << 22);
    std::mt19937_64 random(42);
    for (auto& key : k) key = (random() % million_keys) * 0x9E3779B97F4A7C15u;  // spread ids
    return k;
  }();
  return keys;
}


template <class Limiter, class Acquire>
void run_keyed(benchmark::State& state, Limiter& limiter, std::int64_t& start_ns, Acquire acquire) {
  const auto& keys = random_keys();
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 4099;
  std::int64_t now = start_ns;
  for (auto _ : state) acquire(limiter, keys[next++ & (keys.size() - 1)], now += 1000);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) start_ns = now + 1'000'000'000;  // every loop has ended: none reads it now
}

// Hash: the default (SipHash-2-4 under the limiter's random key), or std::hash<std::uint64_t> mixed with
// that key (what 64-bit keys got before the default became a keyed hash); one limiter each.
// The shared limiter and map are made, filled with a million keys, by whichever thread of the first run
// comes first (a function-local static: the other threads wait for it), whatever order the runs take.
template <class Hash>
void keyed_keyward_with(benchmark::State& state) {
  static const std::unique_ptr<keyed<std::uint64_t, Hash>> shared_keyed = [] {
    auto made = keyed<std::uint64_t, Hash>::make(per_key_quota(), keyed_capacity);
    require(made.has_value(), "cannot make the keyed limiter");
    auto limiter = std::make_unique<keyed<std::uint64_t, Hash>>(std::move(*made));
    for (std::uint64_t id = 0; id < million_keys; ++id)
      require(limiter->acquire(id * 0x9E3779B97F4A7C15u, at(0)).has_value(), "a key did not fit");
    return limiter;
  }();
  static std::int64_t keyward_start_ns = 1'000'000'000;
  run_keyed(state, *shared_keyed, keyward_start_ns,
            [](keyed<std::uint64_t, Hash>& limiter, std::uint64_t key, std::int64_t now) {
              const auto answer = limiter.acquire(key, at(now));
              benchmark::DoNotOptimize(answer);
            });
  state.counters["bytes_per_key"] =
      benchmark::Counter(shared_keyed->bytes_per_key(), benchmark::Counter::kAvgThreads);
}
void keyed_keyward(benchmark::State& state) { keyed_keyward_with<keyward::rate::keyed_hash>(state); }
void keyed_keyward_std_hash(benchmark::State& state) { keyed_keyward_with<std::hash<std::uint64_t>>(state); }

void keyed_mutex_map(benchmark::State& state) {
  static const std::unique_ptr<mutex_map> shared_map = [] {
    auto map = std::make_unique<mutex_map>(per_key_quota());
    double remaining = 0;
    for (std::uint64_t id = 0; id < million_keys; ++id) map->acquire(id * 0x9E3779B97F4A7C15u, 0, &remaining);
    return map;
  }();
  static std::int64_t map_start_ns = 1'000'000'000;  // where each one's next run starts, moved on by thread 0
  run_keyed(state, *shared_map, map_start_ns, [](mutex_map& map, std::uint64_t key, std::int64_t now) {
    double remaining = 0;
    const bool allowed = map.acquire(key, now, &remaining);
    benchmark::DoNotOptimize(allowed);
  });
  state.counters["bytes_per_key"] = benchmark::Counter(
      static_cast<double>(map_bytes) / static_cast<double>(shared_map->buckets.size()),
      benchmark::Counter::kAvgThreads);
}

// ---------------------------------------------------------------------------------------------------------
// Hash flooding. libstdc++'s std::hash<std::string> (64-bit) is _Hash_bytes with the fixed seed 0xc70f6907:
// state = seed ^ (length * m), then state = (state ^ mix(w)) * m for each 8-byte word w, where mix(w) =
// shift_mix(w * m) * m and shift_mix(v) = v ^ (v >> 47). m is odd and shift_mix is its own inverse, so the
// last word of a 24-byte key can be solved for to bring the state to one target: all such keys collide.
// (tests/rate/keyed_test.cpp generates the same keys and checks that they collide.)

#if defined(__GLIBCXX__) && SIZE_MAX == UINT64_MAX
constexpr bool can_craft_keys = true;
#else
constexpr bool can_craft_keys = false;
#endif

constexpr std::size_t flood_keys = 15'000;
constexpr std::uint64_t murmur_m = 0xc6a4a7935bd1e995u;
constexpr std::uint64_t inverse_of(std::uint64_t odd) {
  std::uint64_t x = odd;
  for (int i = 0; i < 5; ++i) x *= 2 - odd * x;  // Newton: 3, 6, ..., 96 correct bits
  return x;
}
constexpr std::uint64_t murmur_m_inverse = inverse_of(murmur_m);
constexpr std::uint64_t shift_mix(std::uint64_t v) { return v ^ (v >> 47); }
constexpr std::uint64_t mix_word(std::uint64_t w) { return shift_mix(w * murmur_m) * murmur_m; }
constexpr std::uint64_t unmix_word(std::uint64_t d) { return shift_mix(d * murmur_m_inverse) * murmur_m_inverse; }
std::uint64_t load_word(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

// 15,000 distinct keys "sk_live_" + 16 random characters, the last 8 replaced, when `crafted`, by the bytes
// that bring _Hash_bytes to one state.
std::vector<std::string> make_flood_keys(bool crafted) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::mt19937_64 random(crafted ? 11 : 12);
  const std::uint64_t prefix_state = ((0xc70f6907u ^ (24 * murmur_m)) ^ mix_word(load_word("sk_live_"))) * murmur_m;
  const std::uint64_t target = 0x5eed5eed5eed5eedu;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < flood_keys; ++i) {
    std::string key = "sk_live_";
    for (int j = 0; j < 16; ++j) key.push_back(alphabet[random() % 32]);
    if (crafted) {
      const std::uint64_t state = (prefix_state ^ mix_word(load_word(key.data() + 8))) * murmur_m;
      const std::uint64_t last = unmix_word((target * murmur_m_inverse) ^ state);
      std::memcpy(&key[16], &last, 8);
      require(std::hash<std::string>{}(key) == std::hash<std::string>{}(keys.empty() ? key : keys[0]),
              "a crafted key does not collide in std::hash");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

const std::vector<std::string>& flood_key_set(bool crafted) {
  static const std::vector<std::string> random_set = make_flood_keys(false);
  static const std::vector<std::string> crafted_set = make_flood_keys(true);
  return crafted ? crafted_set : random_set;
}

// One limiter per row, holding its 15,000 keys before the first run; each run goes on from the time the
// previous one ended.
template <class Hash>
void flood(benchmark::State& state, bool crafted) {
  if (crafted && !can_craft_keys) {
    state.SkipWithError("keys are crafted for libstdc++'s 64-bit std::hash only");
    return;
  }
  static std::unique_ptr<keyed<std::string, Hash>> limiters[2];
  static std::int64_t start_ns[2] = {1'000'000'000, 1'000'000'000};
  const auto& keys = flood_key_set(crafted);
  auto& limiter = limiters[crafted ? 1 : 0];
  if (!limiter) {
    auto made = keyed<std::string, Hash>::make(per_key_quota(), million_keys);
    require(made.has_value(), "cannot make the keyed limiter");
    limiter = std::make_unique<keyed<std::string, Hash>>(std::move(*made));
    for (const auto& key : keys) require(limiter->acquire(key, at(0)).has_value(), "a key did not fit");
  }
  std::int64_t now = start_ns[crafted ? 1 : 0];
  std::size_t next = 0;
  for (auto _ : state) {
    const auto answer = limiter->acquire(keys[next], at(now += 1000));
    benchmark::DoNotOptimize(answer);
    next = next + 1 == keys.size() ? 0 : next + 1;
  }
  start_ns[crafted ? 1 : 0] = now + 1'000'000'000;
}

void flood_keyward(benchmark::State& state, bool crafted) { flood<keyward::rate::keyed_hash>(state, crafted); }
void flood_std_hash(benchmark::State& state, bool crafted) { flood<std::hash<std::string>>(state, crafted); }

void hash_siphash24(benchmark::State& state) {
  const auto& keys = flood_key_set(false);
  keyward::crypto::siphash_key key;
  require(keyward::random::fill(&key, sizeof key).has_value(), "no random key");
  std::size_t next = 0;
  for (auto _ : state) {
    const std::uint64_t h = keyward::crypto::siphash24(key, keys[next]);
    benchmark::DoNotOptimize(h);
    next = next + 1 == 1024 ? 0 : next + 1;
  }
}

void hash_std_hash(benchmark::State& state) {
  const auto& keys = flood_key_set(false);
  std::size_t next = 0;
  for (auto _ : state) {
    const std::size_t h = std::hash<std::string_view>{}(keys[next]);
    benchmark::DoNotOptimize(h);
    next = next + 1 == 1024 ? 0 : next + 1;
  }
}

}  // namespace

// Threaded cases: wall-clock time, and items_per_second = requests per second over all threads.
BENCHMARK(acquire_keyward_now)->Name("acquire/keyward/now");
BENCHMARK(acquire_mutex_now)->Name("acquire/mutex/now");
BENCHMARK(acquire_keyward_clock)->Name("acquire/keyward/clock");
BENCHMARK(acquire_mutex_clock)->Name("acquire/mutex/clock");
BENCHMARK_CAPTURE(shared_keyward_now, under, fast_quota())
    ->Name("shared/keyward/under")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(shared_mutex_now, under, fast_quota())
    ->Name("shared/mutex/under")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(shared_keyward_now, over, over_quota())
    ->Name("shared/keyward/over")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(shared_mutex_now, over, over_quota())
    ->Name("shared/mutex/over")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(keyed_keyward)->Name("keyed/keyward/1M")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(keyed_keyward_std_hash)->Name("keyed/keyward_std_hash/1M")->Threads(1)->UseRealTime();
BENCHMARK(keyed_mutex_map)->Name("keyed/mutex_map/1M")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(flood_keyward, random, false)->Name("flood/keyward/random");
BENCHMARK_CAPTURE(flood_keyward, crafted, true)->Name("flood/keyward/crafted");
BENCHMARK_CAPTURE(flood_std_hash, random, false)->Name("flood/std_hash/random");
BENCHMARK_CAPTURE(flood_std_hash, crafted, true)->Name("flood/std_hash/crafted");
BENCHMARK(hash_siphash24)->Name("hash/siphash24/24B");
BENCHMARK(hash_std_hash)->Name("hash/std_hash/24B");

int main(int argc, char** argv) {
  check_agreement();
  // glibc locks a mutex more cheaply in a process that has never started a thread; a server has threads,
  // so the baselines are timed as in one (this run's single-threaded cases would otherwise be 3x cheaper).
  std::thread([] {}).join();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
