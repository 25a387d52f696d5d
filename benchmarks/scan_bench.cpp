// keyward benchmarks: finding and redacting API keys in logs (keys/scan.hpp). The text is 1 MiB of
// access-log and JSON log lines (paths, query strings, user agents, request ids) in which 0.1% of the lines
// hold a key: keyward keys of an `acme_live_`/`acme_test_` table, GitHub and npm tokens, and Stripe-style
// keys. The scanner looks for all three sources. Each benchmark runs once per kernel this machine has
// (keyward::kernels::force): scan (the callback form), redact (redact_in_place) and stream (stream_scanner
// fed 4 KiB chunks).
//
// redact changes the text it times, so the planted keys must be put back before the next iteration. That is
// done inside the timed loop, by copying back the bytes of the planted keys only (6 keys, 320 bytes in all:
// 6 memcpy calls, about 15 ns against a pass of 100 microseconds or more), rather than with
// PauseTiming()/ResumeTiming(), which cost more per iteration than that, or with a fresh copy of the whole
// MiB, which would cost a large fraction of a fast kernel's pass. restore_keys times that restore alone: it is
// the most the restore can add to a redact iteration.
//
// Python's `re` runs in the same process run (python3 -c, over the same text written to a temporary file,
// best of 5 timed passes with the equivalent pattern: the same prefixes, lengths and word boundaries,
// without the checksums): re.finditer for scan and stream, re.subn with a function that keeps the public
// part (prefix, and the id of a keyward key) and stars the rest for redact; Python's redacted text must equal
// redact_in_place()'s. Its speed is reported as the counter re_bytes_per_second, and each benchmark's ratio to
// it as x_re (keyward's bytes per second / re's). Without python3, both are 0.
// Names: <operation>/keyward/<kernel>, restore_keys.
#include <keyward/kernels.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/scan.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace {

namespace keys = keyward::keys;
using keyward::kernels::kernel;

constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
    {"acme_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
});

// The pattern Python's re runs: the scanner's three sources, as the header of keys/scan.hpp defines them
// (a keyward key's body: the 12-byte id then 38 to 70 bytes, 50 to 82 in all). Each source's public part is
// a group, the one re.subn keeps.
constexpr const char* python_pattern =
    R"((?<![A-Za-z0-9_-])(?:((?:acme_live_|acme_test_)[0-9A-Za-z]{12})[0-9A-Za-z]{38,70}(?![0-9A-Za-z])|)"
    R"((ghp_|gho_|ghu_|ghs_|ghr_|npm_)[0-9A-Za-z]{36}(?![0-9A-Za-z])|)"
    R"((sk_live_|sk_test_|rk_live_|rk_test_)[0-9A-Za-z]{24,99}(?![0-9A-Za-z])))";

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "scan_bench: %s\n", what);
    std::exit(1);
  }
}

const keys::scanner& the_scanner() {
  static const keys::scanner s = [] {
    auto made = keys::scanner::make({acme_prefixes, true,
                                     {std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns)}});
    require(made.has_value(), "scanner::make failed");
    return *made;
  }();
  return s;
}

struct corpus {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> keys_at;  // offset, length of each planted key
};

// 1 MiB of log lines; one line in 1000 holds a key.
const corpus& the_corpus() {
  static const corpus c = [] {
    corpus made;
    std::mt19937 rng(20261204);
    static const char* const methods[] = {"GET", "POST", "PUT", "DELETE"};
    static const char* const paths[] = {"/api/v1/users/", "/v1/charges/", "/static/js/app.", "/healthz?probe=",
                                        "/api/v2/orders/", "/login?next=/dashboard&ref=", "/search?q=test+skate&page="};
    static const char* const agents[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15",
        "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/2.0", "npm/10.2.4 node/v20.10.0 linux x64"};
    static const char* const levels[] = {"info", "warn", "debug", "error"};
    static const char* const messages[] = {"request completed", "cache miss for user settings",
                                           "retrying upstream call", "token refreshed for session",
                                           "github webhook delivered", "skipped stale record"};
    std::vector<std::string> secrets;
    for (int i = 0; i < 4; ++i) {
      const auto key = keys::generate_key(acme_prefixes.entries()[static_cast<std::size_t>(i % 2)], 32, rng);
      require(key.has_value(), "generate_key failed");
      secrets.emplace_back(key->reveal());
    }
    secrets.push_back("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");  // DataDog's published vector
    secrets.push_back("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");
    secrets.push_back("sk_test_4eC39HqLyjWDarjtT1zdp7dc");          // Stripe's documented test key
    std::size_t line = 0;
    char buffer[1024];
    while (made.text.size() < (std::size_t{1} << 20)) {
      const unsigned r = static_cast<unsigned>(rng());
      if (line % 2 == 0) {
        std::snprintf(buffer, sizeof buffer,
                      "203.0.%u.%u - - [04/Dec/2026:20:%02u:%02u +0000] \"%s %s%u HTTP/1.1\" %u %u \"-\" \"%s\"\n",
                      r % 256, (r >> 8) % 256, (r >> 16) % 60, (r >> 22) % 60, methods[r % 4], paths[(r >> 3) % 7],
                      r % 100000, r % 3 == 0 ? 404u : 200u, (r >> 5) % 20000, agents[(r >> 9) % 6]);
      } else {
        std::snprintf(buffer, sizeof buffer,
                      "{\"ts\":\"2026-12-04T20:%02u:%02u.%03uZ\",\"level\":\"%s\",\"msg\":\"%s\",\"path\":\"%s%u\","
                      "\"status\":%u,\"latency_ms\":%u.%u,\"request_id\":\"req_%08x\"}\n",
                      (r >> 16) % 60, (r >> 22) % 60, r % 1000, levels[r % 4], messages[(r >> 4) % 6],
                      paths[(r >> 3) % 7], r % 1000, r % 5 == 0 ? 500u : 200u, r % 300, r % 10, r);
      }
      std::string text = buffer;
      if (++line % 1000 == 500) {  // 0.1% of the lines hold a key
        const std::string& secret = secrets[(line / 1000) % secrets.size()];
        const std::string head = line % 2 ? "{\"level\":\"debug\",\"msg\":\"outgoing call\",\"authorization\":\"Bearer "
                                          : "POST /v1/hooks?api_key=";
        made.keys_at.push_back({made.text.size() + head.size(), secret.size()});
        text = head + secret + (line % 2 ? "\"}\n" : " HTTP/1.1\n");
      }
      made.text += text;
    }
    return made;
  }();
  return c;
}

// Python's re over the corpus, in bytes per second (best of 5): `find` for re.finditer, `sub` for re.subn;
// 0 when python3 is missing or fails. The number of matches must equal the planted keys', and re.subn's
// text redact_in_place()'s, or the comparison would be unfair.
struct python_rates {
  double find = 0;
  double sub = 0;
};

const python_rates& python_re() {
  static const python_rates rates = [] {
    python_rates none;
    const corpus& c = the_corpus();
    std::string want = c.text;
    require(the_scanner().redact_in_place(want) == c.keys_at.size(), "redact: not every planted key redacted");
    char path[] = "/tmp/keyward_scan_bench_XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return none;
    const ssize_t written = write(fd, c.text.data(), c.text.size());
    close(fd);
    const std::string redacted_path = std::string(path) + ".redacted";
    double find_seconds = 0, sub_seconds = 0;
    std::size_t find_count = 0, sub_count = 0;
    if (written == static_cast<ssize_t>(c.text.size())) {
      const std::string script =
          "import re, sys, time\n"
          "text = open(sys.argv[1], 'rb').read().decode('latin-1')\n"
          "pattern = re.compile(sys.argv[2])\n"
          "def hide(m):\n"
          "    shown = m.group(m.lastindex)\n"
          "    return shown + '*' * (m.end() - m.start() - len(shown))\n"
          "def best_of_5(run):\n"
          "    best = None\n"
          "    for _ in range(5):\n"
          "        start = time.perf_counter()\n"
          "        result = run()\n"
          "        elapsed = time.perf_counter() - start\n"
          "        best = elapsed if best is None or elapsed < best else best\n"
          "    return best, result\n"
          "find, n = best_of_5(lambda: sum(1 for _ in pattern.finditer(text)))\n"
          "sub, (out, m) = best_of_5(lambda: pattern.subn(hide, text))\n"
          "open(sys.argv[3], 'wb').write(out.encode('latin-1'))\n"
          "print(find, n, sub, m)\n";
      const std::string command = "python3 -c \"$KEYWARD_SCAN_BENCH_SCRIPT\" " + std::string(path) + " '" +
                                  python_pattern + "' " + redacted_path;
      setenv("KEYWARD_SCAN_BENCH_SCRIPT", script.c_str(), 1);
      if (FILE* pipe = popen(command.c_str(), "r")) {
        if (std::fscanf(pipe, "%lf %zu %lf %zu", &find_seconds, &find_count, &sub_seconds, &sub_count) != 4)
          find_seconds = sub_seconds = 0;
        pclose(pipe);
      }
    }
    std::string redacted;
    if (FILE* in = std::fopen(redacted_path.c_str(), "rb")) {
      char buffer[65536];
      for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) != 0;) redacted.append(buffer, n);
      std::fclose(in);
    }
    unlink(path);
    unlink(redacted_path.c_str());
    if (find_seconds <= 0 || sub_seconds <= 0) return none;
    if (find_count != c.keys_at.size() || sub_count != c.keys_at.size()) {
      std::fprintf(stderr, "scan_bench: Python's re found %zu and %zu keys, %zu planted\n", find_count, sub_count,
                   c.keys_at.size());
      return none;
    }
    if (redacted != want) {
      std::fprintf(stderr, "scan_bench: Python's re.subn text differs from redact_in_place()'s\n");
      return none;
    }
    const auto bytes = static_cast<double>(c.text.size());
    return python_rates{bytes / find_seconds, bytes / sub_seconds};
  }();
  return rates;
}

// Bytes processed, and the ratio to Python's re at `re` bytes per second.
void add_counters(benchmark::State& state, std::size_t bytes_per_iteration, double re) {
  const double bytes = static_cast<double>(bytes_per_iteration) * static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["re_bytes_per_second"] = re;
  // bytes / elapsed / re: a rate counter divides by the elapsed time
  state.counters["x_re"] = benchmark::Counter(re > 0 ? bytes / re : 0.0, benchmark::Counter::kIsRate);
}

void scan(benchmark::State& state, kernel k) {
  const keyward::kernels::scoped_force forced(k);
  const corpus& c = the_corpus();
  const keys::scanner& s = the_scanner();
  std::size_t found = 0;
  s.scan(c.text, [&found](const keys::scan_match&) { ++found; });
  require(found == c.keys_at.size(), "scan: not every planted key found");
  for (auto _ : state) {
    std::size_t n = 0;
    s.scan(c.text, [&n](const keys::scan_match& m) { n += m.length; });
    benchmark::DoNotOptimize(n);
  }
  add_counters(state, c.text.size(), python_re().find);
}

void redact(benchmark::State& state, kernel k) {
  const keyward::kernels::scoped_force forced(k);
  const corpus& c = the_corpus();
  const keys::scanner& s = the_scanner();
  std::string text = c.text;
  for (auto _ : state) {
    const std::size_t n = s.redact_in_place(text.data(), text.size());
    benchmark::DoNotOptimize(n);
    require(n == c.keys_at.size(), "redact: not every planted key redacted");
    for (const auto& [offset, length] : c.keys_at) std::memcpy(&text[offset], &c.text[offset], length);
  }
  add_counters(state, c.text.size(), python_re().sub);
}

// The restore of redact's loop alone (see the top of this file).
void restore_keys(benchmark::State& state) {
  const corpus& c = the_corpus();
  std::string text = c.text;
  for (auto _ : state) {
    for (const auto& [offset, length] : c.keys_at) std::memcpy(&text[offset], &c.text[offset], length);
    benchmark::DoNotOptimize(text.data());
    benchmark::ClobberMemory();
  }
}

void stream(benchmark::State& state, kernel k) {
  const keyward::kernels::scoped_force forced(k);
  const corpus& c = the_corpus();
  keys::stream_scanner scanner(the_scanner());
  const std::string_view text = c.text;
  for (auto _ : state) {
    std::size_t n = 0;
    auto count = [&n](const keys::scan_match&) { ++n; };
    for (std::size_t at = 0; at < text.size(); at += 4096) scanner.feed(text.substr(at, 4096), count);
    scanner.finish(count);
    require(n == c.keys_at.size(), "stream: not every planted key found");
  }
  add_counters(state, c.text.size(), python_re().find);
}

}  // namespace

int main(int argc, char** argv) {
  const struct {
    kernel k;
    const char* name;
  } kernels[] = {{kernel::scalar, "scalar"}, {kernel::avx2, "avx2"}, {kernel::avx512vbmi, "avx512vbmi"}};
  for (const auto& each : kernels) {
    if (!keyward::kernels::available(each.k)) continue;
    benchmark::RegisterBenchmark((std::string("scan/keyward/") + each.name).c_str(), scan, each.k);
    benchmark::RegisterBenchmark((std::string("redact/keyward/") + each.name).c_str(), redact, each.k);
    benchmark::RegisterBenchmark((std::string("stream/keyward/") + each.name).c_str(), stream, each.k);
  }
  benchmark::RegisterBenchmark("restore_keys", restore_keys);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::size_t key_bytes = 0;
  for (const auto& planted : the_corpus().keys_at) key_bytes += planted.second;
  std::fprintf(stderr, "text: %zu bytes, %zu keys (%zu bytes); Python re: finditer %.0f MB/s, subn %.0f MB/s\n",
               the_corpus().text.size(), the_corpus().keys_at.size(), key_bytes, python_re().find / 1e6,
               python_re().sub / 1e6);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
