// redis_bench: the throughput of rate::redis_limiter::acquire() against a redis-server of its own on a
// free loopback port, one request per round trip and pipelined in batches, beside redis-benchmark's SET and
// GET on the same server (the ceiling: the same round trips without a script). Prints medians of
// --repetitions runs (default 5) of --seconds each (default 1). The server and redis-benchmark inherit this
// program's CPUs (`taskset -c 1 redis_bench` puts everything on CPU 1); --pin runs the server on CPU 0 and
// the clients on CPU 1 instead. --quick: one short run of each, for CI.
// Exits 77 (skipped) without redis-server; reports the redis-benchmark rows as absent without it.
#include <keyward/rate/redis.hpp>

#include "support/redis_server.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rate = keyward::rate;

namespace {

struct settings {
  int repetitions = 5;
  double seconds = 1.0;
  int redis_benchmark_requests = 20000;  // per run without pipelining; ten times that with it
  bool pin = false;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Keys "bench:0" .. "bench:9999": many keys, as a limiter per API key has.
std::vector<std::string> make_keys() {
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; ++i) keys.push_back("bench:" + std::to_string(i));
  return keys;
}

// Requests per second of acquire(), one per round trip, for `seconds`.
double acquire_rate(rate::redis_limiter& limiter, const std::vector<std::string>& keys, const rate::quota& q,
                    double seconds) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::size_t done = 0;
  while (clock::now() < end) {
    for (int i = 0; i < 64; ++i) {
      if (!limiter.acquire(keys[done % keys.size()], q)) {
        std::fprintf(stderr, "acquire failed: %s\n", std::string(limiter.last_error_detail()).c_str());
        std::exit(1);
      }
      ++done;
    }
  }
  return static_cast<double>(done) / std::chrono::duration<double>(clock::now() - start).count();
}

// Requests per second of acquire_batch() in batches of `batch`, for `seconds`.
double batch_rate(rate::redis_limiter& limiter, const std::vector<std::string>& keys, const rate::quota& q,
                  std::size_t batch, double seconds) {
  using clock = std::chrono::steady_clock;
  std::vector<rate::redis_acquire> requests(batch);
  std::vector<rate::decision> decisions(batch);
  const auto start = clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::size_t done = 0;
  while (clock::now() < end) {
    for (std::size_t i = 0; i < batch; ++i) requests[i] = {keys[(done + i) % keys.size()], q, 1};
    if (!limiter.acquire_batch(requests.data(), batch, decisions.data())) {
      std::fprintf(stderr, "acquire_batch failed: %s\n", std::string(limiter.last_error_detail()).c_str());
      std::exit(1);
    }
    done += batch;
  }
  return static_cast<double>(done) / std::chrono::duration<double>(clock::now() - start).count();
}

// The requests per second redis-benchmark reports for SET and GET with `clients` connections and `pipeline`
// commands per round trip; -1 when it cannot be run.
std::pair<double, double> redis_benchmark(const std::string& program, int port, int clients, int pipeline,
                                          int requests, bool pin) {
  const std::string command = (pin ? "taskset -c 1 " : "") + program + " -h 127.0.0.1 -p " + std::to_string(port) +
                              " -t set,get -q -n " + std::to_string(requests) + " -c " + std::to_string(clients) +
                              " -P " + std::to_string(pipeline) + " 2>/dev/null";
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) return {-1, -1};
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, out)) > 0) text.append(buffer, n);
  if (pclose(out) != 0) return {-1, -1};
  // -q prints lines like "SET: 81234.56 requests per second, p50=0.303 msec", separated by '\r' or '\n'.
  const auto rate_of = [&](const char* name) {
    double value = -1;
    std::size_t at = 0;
    while ((at = text.find(name, at)) != std::string::npos) {  // the last report of the line is the final one
      value = std::strtod(text.c_str() + at + std::strlen(name), nullptr);
      at += std::strlen(name);
    }
    return value;
  };
  return {rate_of("SET: "), rate_of("GET: ")};
}

std::string find_on_path(const char* name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string candidate = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

void print_row(const char* what, const std::vector<double>& runs) {
  if (runs.empty() || runs.front() < 0) {
    std::printf("| %-64s | %12s | %12s |\n", what, "absent", "");
    return;
  }
  const auto [low, high] = std::minmax_element(runs.begin(), runs.end());
  std::printf("| %-64s | %12.0f | %5.0f-%-6.0f |\n", what, median(runs), *low / 1000, *high / 1000);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      s.repetitions = 1;
      s.seconds = 0.2;
      s.redis_benchmark_requests = 1000;
    } else if (arg == "--pin") {
      s.pin = true;
    } else if (arg == "--repetitions" && i + 1 < argc) {
      s.repetitions = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--seconds" && i + 1 < argc) {
      s.seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--pin] [--repetitions N] [--seconds S]\n", argv[0]);
      return 2;
    }
  }
  const std::string server_program = keyward_test::find_redis_server();
  if (server_program.empty()) {
    std::printf("redis-server not found: skipped\n");
    return 77;
  }
  const bool pin = s.pin && sysconf(_SC_NPROCESSORS_ONLN) >= 2;
  keyward_test::redis_server server(server_program, pin ? 0 : -1);
  if (!server.running()) {
    std::fprintf(stderr, "redis-server did not start\n");
    return 1;
  }
  if (pin) {
    cpu_set_t client_cpu;
    CPU_ZERO(&client_cpu);
    CPU_SET(1, &client_cpu);
    sched_setaffinity(0, sizeof client_cpu, &client_cpu);
  }

  rate::redis_options options;
  options.port = server.port();
  options.command_timeout = std::chrono::milliseconds(2000);
  auto made = rate::redis_limiter::make(options);
  if (!made) {
    std::fprintf(stderr, "redis_limiter::make: %s\n", made.error().message());
    return 1;
  }
  rate::redis_limiter& limiter = *made;
  rate::quota q;  // 100 per second per key, burst 100: most requests allowed, each one writes its key
  q.count = 100;
  q.burst = 100;

  // Check the output before timing: a fresh key allows its first request and reports the burst less one.
  const auto first = limiter.acquire("bench:check", q);
  if (!first || !first->allowed() || first->remaining != 99) {
    std::fprintf(stderr, "unexpected first decision\n");
    return 1;
  }

  const auto keys = make_keys();
  std::vector<double> single, batched;
  for (int r = 0; r < s.repetitions; ++r) {
    single.push_back(acquire_rate(limiter, keys, q, s.seconds));
    batched.push_back(batch_rate(limiter, keys, q, 64, s.seconds));
  }

  const std::string benchmark_program = find_on_path("redis-benchmark");
  std::vector<double> set1, get1, set1p, get1p, set50, get50, set50p, get50p;
  for (int r = 0; r < s.repetitions && !benchmark_program.empty(); ++r) {
    auto [a, b] = redis_benchmark(benchmark_program, server.port(), 1, 1, s.redis_benchmark_requests, pin);
    set1.push_back(a);
    get1.push_back(b);
    std::tie(a, b) = redis_benchmark(benchmark_program, server.port(), 1, 64, s.redis_benchmark_requests * 10, pin);
    set1p.push_back(a);
    get1p.push_back(b);
    std::tie(a, b) = redis_benchmark(benchmark_program, server.port(), 50, 1, s.redis_benchmark_requests, pin);
    set50.push_back(a);
    get50.push_back(b);
    std::tie(a, b) = redis_benchmark(benchmark_program, server.port(), 50, 64, s.redis_benchmark_requests * 10, pin);
    set50p.push_back(a);
    get50p.push_back(b);
  }
  if (benchmark_program.empty()) std::printf("redis-benchmark not found: its rows are absent\n");

  std::printf("redis-server %s on 127.0.0.1:%d, %s; medians of %d runs\n\n", server_program.c_str(), server.port(),
              pin ? "server on CPU 0, clients on CPU 1" : "server and clients on this program's CPUs", s.repetitions);
  std::printf("| %-64s | %12s | %12s |\n", "case (1 connection unless said)", "ops/s", "range, k/s");
  std::printf("|%s|%s|%s|\n", std::string(66, '-').c_str(), std::string(13, '-').append(":").c_str(),
              std::string(14, '-').c_str());
  print_row("keyward acquire, one per round trip", single);
  print_row("keyward acquire_batch, 64 per round trip", batched);
  print_row("redis-benchmark SET, one per round trip (-c 1)", set1);
  print_row("redis-benchmark GET, one per round trip (-c 1)", get1);
  print_row("redis-benchmark SET, 64 per round trip (-c 1 -P 64)", set1p);
  print_row("redis-benchmark GET, 64 per round trip (-c 1 -P 64)", get1p);
  print_row("redis-benchmark SET, 50 connections (-c 50)", set50);
  print_row("redis-benchmark GET, 50 connections (-c 50)", get50);
  print_row("redis-benchmark SET, 50 connections, 64 per trip (-c 50 -P 64)", set50p);
  print_row("redis-benchmark GET, 50 connections, 64 per trip (-c 50 -P 64)", get50p);
  return 0;
}
