// A server and a client in one program, with no network in between (keyward owns no transport). The server
// authenticates the Authorization header (Bearer, or Basic with the API key as the user-id), compares the key
// in constant time against its stored SHA-256, limits each key (GCRA: bursts of 3, then 1 request per
// second) and answers with a status, headers and a JSON body. The client takes its key from the environment
// (KONNECT_API_KEY, as a provider's documentation suggests), classifies each answer, and retries with backoff, honouring
// Retry-After in both its forms (delay-seconds, and an HTTP-date read against the client's wall clock). Time
// is simulated, so the program runs instantly and prints the same lines every time; it exits 1 when the
// client does not wait what the server asked.
#include <keyward/keyward.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace http = keyward::http;
namespace rate = keyward::rate;
namespace retry = keyward::retry;

// The simulated clock both sides read; the client's sleeps move it forward.
struct simulated_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<simulated_clock>;
  static constexpr bool is_steady = true;
  static inline duration elapsed{};
  static time_point now() noexcept { return time_point(elapsed); }
  // The wall-clock time at the same instant: the simulation starts at Sun, 06 Nov 1994 08:49:37 GMT (the
  // HTTP-date of RFC 9110 section 5.6.7's example), and HTTP-dates are read against it.
  static std::chrono::system_clock::time_point wall_now() noexcept {
    return std::chrono::system_clock::time_point(std::chrono::seconds(784111777)) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed);
  }
};

struct response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class api_server {
 public:
  explicit api_server(std::string_view live_key)
      : stored_digest_(keyward::crypto::sha256::hash(live_key)),
        limiter_(*rate::keyed<std::string, rate::keyed_hash, simulated_clock>::make(quota(), 10000)) {}

  response handle(std::string_view authorization) {
    if (in_maintenance) return maintenance();
    std::string key;
    if (const auto denied = authenticate(authorization, key)) return deny(*denied);
    const auto limited = limiter_.acquire(key, simulated_clock::now());
    if (!limited) return deny(http::denial::rate_limited(1s));  // rate_capacity_exhausted: fail closed
    response ok;
    ok.headers.emplace_back("RateLimit", *rate::ratelimit(rate::service_limit_of("per-key", *limited)));
    if (!limited->allowed()) {
      response busy = deny(http::denial::rate_limited(limited->wait));
      busy.headers.insert(busy.headers.end(), ok.headers.begin(), ok.headers.end());
      return busy;
    }
    ok.body = R"({"message":"Hello"})";
    return ok;
  }

  bool in_maintenance = false;

 private:
  static rate::quota quota() { return rate::quota{1, 1s, 3}; }

  // Fills `key` and returns nothing when the credentials hold the live key; otherwise the denial.
  std::optional<http::denial> authenticate(std::string_view authorization, std::string& key) const {
    const auto credentials = http::parse_credentials(authorization);
    if (!credentials) return http::denial::from_parse_error(credentials.error());
    if (credentials->scheme_is("Bearer")) {
      const auto token = http::parse_bearer(authorization);
      if (!token) return http::denial::from_parse_error(token.error());
      key.assign(token->data(), token->size());
    } else if (credentials->scheme_is("Basic")) {
      http::basic_buffer<256> buffer;
      const auto user_pass = http::parse_basic(authorization, buffer);
      if (!user_pass) return http::denial::from_parse_error(user_pass.error());
      key.assign(user_pass->user.data(), user_pass->user.size());
    } else {
      return http::denial::wrong_scheme();
    }
    if (key.rfind("sk_test_", 0) == 0) return http::denial::wrong_environment();
    const auto digest = keyward::crypto::sha256::hash(key);
    if (!keyward::ct::equal(digest.data(), stored_digest_.data(), digest.size())) return http::denial::invalid_key();
    return std::nullopt;
  }

  static response deny(const http::denial& why) {
    response out;
    out.status = why.status();
    if (const auto challenge = why.challenge()) out.headers.emplace_back("WWW-Authenticate", *challenge);
    if (const auto seconds = why.retry_after()) out.headers.emplace_back("Retry-After", http::retry_after(*seconds));
    out.body = why.json();
    return out;
  }

  // During maintenance, until 09:50:07 GMT on the simulated wall clock: 503 with Retry-After as an HTTP-date
  // (RFC 9110 section 10.2.3), the form servers use for a known end of downtime.
  static response maintenance() {
    if (simulated_clock::wall_now() >= std::chrono::system_clock::time_point(std::chrono::seconds(784115407))) {
      response ok;
      ok.body = R"({"message":"Hello again"})";
      return ok;
    }
    response down;
    down.status = 503;
    down.headers.emplace_back("Retry-After", "Sun, 06 Nov 1994 09:50:07 GMT");
    down.body = R"({"error":"maintenance"})";
    return down;
  }

  std::array<std::uint8_t, 32> stored_digest_;
  rate::keyed<std::string, rate::keyed_hash, simulated_clock> limiter_;
};

void print(std::string_view who, const response& r) {
  std::printf("  %.*s -> %d", static_cast<int>(who.size()), who.data(), r.status);
  for (const auto& [name, value] : r.headers) std::printf(" | %s: %s", name.c_str(), value.c_str());
  std::printf(" | %s\n", r.body.c_str());
}

int main() {
  const std::string live_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  api_server server(live_key);

  std::printf("server:\n");
  print("no credentials", server.handle(""));
  print("Basic, key as user-id", server.handle(*http::basic_api_key(live_key)));
  print("test key sent to live", server.handle(*http::bearer("sk_test_4eC39HqLyjWDarjtT1zdp7dc")));
  print("wrong key", server.handle(*http::bearer("sk_live_wrong")));
  print("Basic !!!!", server.handle("Basic !!!!"));
  print("header injection", server.handle("Bearer abc\r\nX-Admin: 1"));

  // The client: its key from the environment (KONNECT_API_KEY), else the live key above.
  const char* from_env = std::getenv("KONNECT_API_KEY");
  const auto authorization = http::bearer(from_env != nullptr ? from_env : live_key);
  if (!authorization) {
    std::printf("the key cannot be sent: %s\n", authorization.error().message());
    return 1;
  }
  retry::retry_options options;
  options.backoff = *retry::backoff::full_jitter(100ms, 5s);
  options.max_attempts = 4;
  std::mt19937_64 jitter(7);  // jitter needs no secrecy; a fixed seed keeps the output stable
  // One call: attempts until run() stops, each reply classified and its Retry-After parsed against the
  // client's wall clock.
  const auto call_api = [&](int call) {
    return retry::run(
        options,
        [&](const retry::attempt& attempt) {
          const response reply = server.handle(*authorization);
          const auto advice = http::classify(reply.status, {}, [&]() -> std::optional<std::chrono::seconds> {
            for (const auto& [name, value] : reply.headers) {
              if (name == "Retry-After")
                return http::parse_retry_after(value, simulated_clock::wall_now()).value_or(0s);
            }
            return std::nullopt;
          }());
          if (advice.action == http::client_action::back_off) {
            std::printf("  call %d attempt %u: %d, back off (Retry-After: %lld s)\n", call, attempt.number,
                        reply.status, static_cast<long long>(advice.retry_after.value_or(0s).count()));
          } else {
            std::printf("  call %d attempt %u: %d\n", call, attempt.number, reply.status);
          }
          retry::outcome out;
          out.status = reply.status;
          out.retry_after = advice.retry_after;
          return out;
        },
        nullptr, [](std::chrono::nanoseconds wait) { simulated_clock::elapsed += wait; }, jitter,
        simulated_clock{});
  };
  std::printf("client (burst of 3, then 1 per second; five calls):\n");
  for (int call = 1; call <= 5; ++call) {
    const retry::report report = call_api(call);
    std::printf("  call %d: %s after %u attempt(s)\n", call, retry::to_string(report.reason), report.attempts);
  }

  // Maintenance from 09:49:37 to 09:50:07 GMT: the client is told an HTTP-date 30 s ahead of its wall clock
  // and must wait exactly 30 s (its backoff, at most 5 s, is shorter), then succeed.
  simulated_clock::elapsed = 1h;  // 09:49:37 GMT on the wall clock
  server.in_maintenance = true;
  std::printf("client during maintenance (Retry-After as an HTTP-date):\n");
  const retry::report report = call_api(6);
  std::printf("  call 6: %s after %u attempt(s), waited %lld s\n", retry::to_string(report.reason), report.attempts,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(report.history[0].wait).count()));
  if (!report.succeeded() || report.attempts != 2 || report.history[0].wait != 30s) {
    std::printf("the client did not wait the 30 s the HTTP-date asked for\n");
    return 1;
  }
  return 0;
}
