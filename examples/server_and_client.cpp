// A server and a client in one program, with no network in between (keyward owns no transport). The server
// mints API keys in keyward's format (keys::mint: HMAC-SHA256 digests under a pepper in a keys::memory_store,
// each key shown once), then authenticates every Authorization header with one call to a keys::verifier
// (Bearer; Basic with the key as the user-id; Basic with the key's id and secret as a pair), which also checks
// the key's environment, expiry and scopes and limits each key with the quota of its record (a
// keys::tiered_limiter, GCRA: bursts of 3, then 1 request per second). Every refusal is the verifier's
// http::denial, sent as a status, headers and a JSON body. The client loads its key with keys::from_env
// (KONNECT_API_KEY, as a provider's documentation suggests; the program sets it itself, to stay
// self-contained), classifies each answer, and retries with backoff, honouring Retry-After in both its forms
// (delay-seconds, and an HTTP-date read against the client's wall clock). Time is simulated, so the program
// runs instantly and prints the same lines every time (the keys are random, so they are never printed); it
// exits 1 when the setup fails or the client does not wait what the server asked.
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
namespace keys = keyward::keys;
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
  // HTTP-date of RFC 9110 section 5.6.7's example); the verifier and HTTP-dates are read against it.
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

// The server's key checks: the verifier over the store, with a limiter holding the one plan tier of its keys.
using key_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::tiered_limiter>;

class api_server {
 public:
  explicit api_server(const key_verifier& verifier) : verifier_(verifier) {}

  response handle(std::string_view authorization) const {
    if (in_maintenance) return maintenance();
    const auto who = verifier_.authenticate(authorization, read_scope, simulated_clock::wall_now());
    response out = who ? response{} : deny(who.error());
    if (const auto decision = who.rate())  // the key's limit, on a success and on a 429
      out.headers.emplace_back("RateLimit", *rate::ratelimit(rate::service_limit_of("per-key", *decision)));
    if (who) out.body = R"({"message":"Hello"})";
    return out;
  }

  bool in_maintenance = false;

 private:
  static constexpr keys::scope_requirement read_scope = keys::scopes::all_of(keys::scopes::read);

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

  const key_verifier& verifier_;
};

void print(std::string_view who, const response& r) {
  std::printf("  %.*s -> %d", static_cast<int>(who.size()), who.data(), r.status);
  for (const auto& [name, value] : r.headers) std::printf(" | %s: %s", name.c_str(), value.c_str());
  std::printf(" | %s\n", r.body.c_str());
}

// The value of `made`, or nullopt after printing why it failed.
template <class T>
std::optional<T> checked(keyward::result<T> made, const char* what) {
  if (made) return std::move(*made);
  std::printf("%s: %s\n", what, made.error().message());
  return std::nullopt;
}

int main() {
  // The server's setup: a store, a pepper (32 random bytes; a real server reads it from its secrets), the
  // per-key plan tier, and keys minted for one account. mint() returns each key once: it is stored nowhere.
  const rate::quota per_key{1, 1s, 3};
  std::array<char, 32> pepper{};
  if (!keyward::random::fill(pepper.data(), pepper.size())) return 1;
  auto store = checked(keys::memory_store::make(), "store");
  auto peppers = checked(keys::pepper_set::make(1, std::string_view(pepper.data(), pepper.size())), "pepper");
  keyward::ct::secure_zero(pepper.data(), pepper.size());
  auto limiter = checked(keys::tiered_limiter::make({per_key}, 10000), "limiter");
  if (!store || !peppers || !limiter) return 1;
  const keys::prefix_set prefixes = keys::stripe_prefixes;
  const auto live = prefixes.classify("sk_live_"), test = prefixes.classify("sk_test_");
  keys::key_record plan;
  plan.owner = "acme";
  plan.scopes = keys::scopes::read | keys::scopes::write;
  plan.limit = per_key;
  keys::key_record expired = plan, webhooks_only = plan;
  expired.expires_at = simulated_clock::wall_now() - 24h;
  webhooks_only.scopes = keys::scopes::webhook;
  auto live_key = checked(keys::mint(*store, plan, *live, *peppers), "mint");
  auto test_key = checked(keys::mint(*store, plan, *test, *peppers), "mint");
  auto expired_key = checked(keys::mint(*store, expired, *live, *peppers), "mint");
  auto webhook_key = checked(keys::mint(*store, webhooks_only, *live, *peppers), "mint");
  auto never_issued = checked(keys::generate_key(*live), "generate");
  if (!live_key || !test_key || !expired_key || !webhook_key || !never_issued) return 1;

  // The verifier: keys of this table, live ones only, sent with Bearer or Basic (either Basic form).
  keys::verifier_options options;
  options.prefixes = prefixes;
  options.forms.basic_key_as_user = true;
  options.forms.basic_id_secret_pair = true;
  const auto verifier =
      checked(key_verifier::make(*store, std::move(options), std::move(*peppers), std::move(*limiter)), "verifier");
  if (!verifier) return 1;
  api_server server(*verifier);

  const std::string_view key = live_key->key.reveal();
  const auto parts = keys::parse_key(key, prefixes);  // the pair form: the handle as user-id, the rest as password
  std::string relabelled(test_key->key.reveal());     // a test key passed off as live: its checksum fails
  relabelled.replace(0, 8, "sk_live_");
  std::printf("server:\n");
  print("no credentials", server.handle(""));
  print("Basic, key as user-id", server.handle(*http::basic_api_key(key)));
  print("Basic, id and secret as a pair", server.handle(*http::basic(parts->handle(), parts->secret_part())));
  print("test key sent to live", server.handle(*http::bearer(test_key->key.reveal())));
  print("test key relabelled live", server.handle(*http::bearer(relabelled)));
  print("key never issued", server.handle(*http::bearer(never_issued->reveal())));
  print("expired key", server.handle(*http::bearer(expired_key->key.reveal())));
  print("key without the read scope", server.handle(*http::bearer(webhook_key->key.reveal())));
  print("Basic !!!!", server.handle("Basic !!!!"));
  print("header injection", server.handle("Bearer abc\r\nX-Admin: 1"));

  // The client: its key from the environment (KONNECT_API_KEY), checked before use: a live secret key of
  // keyward's format (no whitespace, no placeholder, a valid checksum). Here the program puts it there.
  if (::setenv("KONNECT_API_KEY", std::string(key).c_str(), 1) != 0) return 1;
  keys::env_options wanted;
  wanted.prefixes = prefixes;
  wanted.required_environment = keys::key_environment::live;
  wanted.required_kind = keys::key_kind::secret;
  wanted.require_keyward_format = true;
  const keys::env_result loaded = keys::from_env("KONNECT_API_KEY", wanted);
  if (!loaded) {
    std::printf("no usable key: %s\n", loaded.error().message().c_str());
    return 1;
  }
  const auto authorization = http::bearer(loaded->reveal());
  if (!authorization) {
    std::printf("the key cannot be sent: %s\n", authorization.error().message());
    return 1;
  }
  retry::retry_options retry_rules;
  retry_rules.backoff = *retry::backoff::full_jitter(100ms, 5s);
  retry_rules.max_attempts = 4;
  std::mt19937_64 jitter(7);  // jitter needs no secrecy; a fixed seed keeps the output stable
  // One call: attempts until run() stops, each reply classified and its Retry-After parsed against the
  // client's wall clock.
  const auto call_api = [&](int call) {
    return retry::run(
        retry_rules,
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
