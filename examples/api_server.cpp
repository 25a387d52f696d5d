// An HTTP API protected by keyward, on cpp-httplib: API keys sent with Bearer or Basic (the key as the user),
// scopes per endpoint, live/test separation, per-key rate limits with the RateLimit and Retry-After fields,
// JSON error bodies, a Standard Webhooks receiver and a JWT-protected endpoint. With --redis HOST:PORT the keys
// (keys::redis_store) and the limits (keys::redis_limits) live in Redis, so several server processes share
// keys, revocations and quotas. docs/examples.md lists the endpoints, the options and the environment.
//
// Every key check is one call to keys::verifier::authenticate(); every refusal is the http::denial it returns,
// sent as its status, WWW-Authenticate challenge, Retry-After and JSON body.
#include <keyward/keyward.hpp>
#ifdef KEYWARD_EXAMPLE_REDIS
#include <keyward/keys/redis_limits.hpp>
#include <keyward/keys/redis_store.hpp>
#endif

#include <httplib.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace http = keyward::http;
namespace jwt = keyward::jwt;
namespace keys = keyward::keys;
namespace rate = keyward::rate;
namespace webhook = keyward::webhook;
using std::chrono::system_clock;

namespace {

/// The key prefixes this API issues: secret keys, live and test.
constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_sk_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
    {"acme_sk_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
});

/// The protection space named in every challenge.
constexpr std::string_view realm = "acme-api";

/// The largest request body accepted: 64 KiB, plenty for these endpoints' small JSON bodies.
constexpr std::size_t max_body_size = 64 * 1024;

/// The command line, checked.
struct settings {
  std::string host = "127.0.0.1";
  int port = 8080;
  keys::key_environment environment = keys::key_environment::live;
  rate::quota quota{10, std::chrono::seconds(1), 10};
  std::optional<std::pair<std::string, int>> redis;  ///< host and port
  std::string demo_keys_file;                        ///< empty: no demo keys
  std::size_t threads = 16;                          ///< HTTP worker threads
  bool log = false;
};

constexpr const char* usage =
    "usage: api_server [--host 127.0.0.1] [--port 8080] [--environment live|test] [--quota N/SECONDS] "
    "[--burst B] [--redis HOST:PORT] [--demo-keys FILE] [--threads N] [--log]";

/// `text` as a whole decimal number in [low, high], or nullopt.
std::optional<std::uint64_t> number(std::string_view text, std::uint64_t low, std::uint64_t high) {
  std::uint64_t value = 0;
  const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failure != std::errc() || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

/// The Redis limiter's documented bound (rate/redis.hpp): it computes exactly only while burst * count and
/// the window burst * period / count (in nanoseconds) stay below 2^51; it answers any other quota with
/// errc::redis_unsupported_quota, which the verifier turns into 503 on every request of such a key.
bool redis_limiter_supports(const rate::quota& limit) {
  constexpr std::uint64_t exact_limit = std::uint64_t{1} << 51;
  const std::uint64_t most = exact_limit / limit.burst;
  const auto period = static_cast<std::uint64_t>(limit.period.count());
  if (limit.count >= most || period / limit.count >= most) return false;
  const std::uint64_t window = limit.burst * (period / limit.count) + limit.burst * (period % limit.count) / limit.count;
  return window < exact_limit;
}

/// The settings of `argv`, or the one-line reason they are wrong.
std::pair<std::optional<settings>, std::string> parse_arguments(int argc, char** argv) {
  settings out;
  std::optional<std::uint64_t> burst;
  for (int i = 1; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--log") {
      out.log = true;
      continue;
    }
    static constexpr std::string_view with_value[] = {"--host", "--port", "--environment", "--quota", "--burst",
                                                      "--redis", "--demo-keys", "--threads"};
    if (std::find(std::begin(with_value), std::end(with_value), option) == std::end(with_value)) {
      return {std::nullopt, "unknown option " + std::string(option) + " (" + usage + ")"};
    }
    if (i + 1 >= argc) return {std::nullopt, std::string(option) + " needs a value (" + usage + ")"};
    const std::string_view value = argv[++i];
    const std::string bad = "invalid " + std::string(option) + " '" + std::string(value) + "'";
    if (option == "--host") {
      if (value.empty()) return {std::nullopt, bad};
      out.host = std::string(value);
    } else if (option == "--port") {
      const auto port = number(value, 0, 65535);
      if (!port) return {std::nullopt, bad};
      out.port = static_cast<int>(*port);
    } else if (option == "--environment") {
      if (value != "live" && value != "test") return {std::nullopt, bad + ": live or test"};
      out.environment = value == "live" ? keys::key_environment::live : keys::key_environment::test;
    } else if (option == "--quota") {
      const std::size_t slash = value.find('/');
      const auto count = number(value.substr(0, slash), 1, 1000000000000);
      const auto seconds = slash == std::string_view::npos ? std::nullopt : number(value.substr(slash + 1), 1, 86400);
      if (!count || !seconds) return {std::nullopt, bad + ": N/SECONDS, both at least 1"};
      out.quota.count = *count;
      out.quota.period = std::chrono::seconds(*seconds);
    } else if (option == "--burst") {
      burst = number(value, 1, 1000000000000);
      if (!burst) return {std::nullopt, bad};
    } else if (option == "--redis") {
      const std::size_t colon = value.rfind(':');
      const auto port = colon == std::string_view::npos ? std::nullopt : number(value.substr(colon + 1), 1, 65535);
      if (!port || colon == 0) return {std::nullopt, bad + ": HOST:PORT"};
      out.redis.emplace(std::string(value.substr(0, colon)), static_cast<int>(*port));
    } else if (option == "--demo-keys") {
      if (value.empty()) return {std::nullopt, bad};
      out.demo_keys_file = std::string(value);
    } else {  // --threads
      const auto threads = number(value, 1, 1024);
      if (!threads) return {std::nullopt, bad};
      out.threads = static_cast<std::size_t>(*threads);
    }
  }
  out.quota.burst = burst.value_or(out.quota.count);
  // The checks the limiters make when they start, made now so that a quota they cannot enforce is a usage
  // error rather than a failed start (memory mode) or a 503 on every request (Redis mode).
  if (!rate::gcra<>::make(out.quota)) {
    return {std::nullopt, "invalid --quota/--burst: more than 4 requests per nanosecond, or a window "
                          "(burst x SECONDS / N) over about 36 years"};
  }
  if (out.redis && !redis_limiter_supports(out.quota)) {
    return {std::nullopt, "invalid --quota/--burst with --redis: the Redis limiter needs burst x N and the window "
                          "(burst x SECONDS / N, in nanoseconds) below 2^51"};
  }
  return {out, std::string()};
}

/// `text` as the contents of a JSON string (quotes, backslashes and control characters escaped).
std::string json_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escape;
    } else {
      out += c;
    }
  }
  return out;
}

/// The field names and values this server writes or reads, made once (httplib's header map takes
/// std::string keys, so a lookup by a literal would build one per call).
const std::string content_type_field = "Content-Type";
const std::string json_media_type = "application/json";
const std::string authorization_field = "Authorization";
const std::string ratelimit_field = "RateLimit";
const std::string ratelimit_policy_field = "RateLimit-Policy";

/// Sends `body` (built for this answer, moved in) as JSON with `status`.
void send_json(httplib::Response& res, int status, std::string&& body) {
  res.status = status;
  res.body = std::move(body);
  res.headers.emplace(content_type_field, json_media_type);
}

/// Sends the fixed JSON text `body` with `status`.
template <std::size_t Size>
void send_json(httplib::Response& res, int status, const char (&body)[Size]) {
  res.status = status;
  res.body.assign(body, Size - 1);
  res.headers.emplace(content_type_field, json_media_type);
}

/// Sends an error in the shape of http::denial::json(): {"success":false,"error":{code, message, details}}.
void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  send_json(res, status,
            R"({"success":false,"error":{"code":")" + json_escaped(code) + R"(","message":")" +
                json_escaped(message) + R"(","details":{}}})");
}

/// The value of the request's field `name` (the first one), empty when absent; copies nothing (`name` is
/// already a std::string, the map's key type).
std::string_view field(const httplib::Request& req, const std::string& name) {
  const auto found = req.headers.find(name);
  return found == req.headers.end() ? std::string_view() : std::string_view(found->second);
}

/// The key id of the request being answered on this thread, for the --log line ("-" when none).
thread_local std::string request_key_id;

/// The RateLimit-Policy values of the server's plans: its quota and the bulk demo key's, written once.
class plan_policies {
 public:
  /// The policies of `server_quota` and `bulk_quota`, under the policy name "key".
  plan_policies(const rate::quota& server_quota, const rate::quota& bulk_quota)
      : server_{server_quota, *rate::ratelimit_policy(*rate::quota_policy_of("key", server_quota))},
        bulk_{bulk_quota, *rate::ratelimit_policy(*rate::quota_policy_of("key", bulk_quota))} {}

  /// The policy of a key limited by `limit` (the key's record). A plan other than these two (a key minted
  /// by another server on the same Redis, with its own --quota) is written into a per-thread buffer: the
  /// reference is valid until this thread's next call.
  const std::string& policy_of(const rate::quota& limit) const {
    if (limit == bulk_.first) return bulk_.second;
    if (limit == server_.first) return server_.second;
    thread_local std::string other;
    other = *rate::ratelimit_policy(*rate::quota_policy_of("key", limit));
    return other;
  }

 private:
  std::pair<rate::quota, std::string> server_;
  std::pair<rate::quota, std::string> bulk_;
};

/// The quota of the bulk demo key: practically unlimited (for load tests).
constexpr rate::quota bulk_quota{1000000000, std::chrono::seconds(1), 1000000000};
/// The bulk quota in Redis mode: the Redis limiter computes exactly only while burst * count < 2^51
/// (errc::redis_unsupported_quota otherwise), so the burst is a million there.
constexpr rate::quota redis_bulk_quota{1000000000, std::chrono::seconds(1), 1000000};

/// Remembers the webhook ids accepted within the tolerance, to refuse replays. Thread-safe.
class replay_cache {
 public:
  /// A cache forgetting ids whose timestamp is more than `tolerance` old (verify() refuses those anyway).
  explicit replay_cache(std::chrono::seconds tolerance) : tolerance_(tolerance) {}

  /// Records `id`, signed at `when`, and returns true, or returns false when it was already recorded (the
  /// replay hook). `now` is the server's time of the request (the one verify() checked `when` against):
  /// pruning forgets the ids older than now - tolerance, never by the message's own timestamp (a message
  /// dated in the future must not erase ids still in the window).
  bool remember(std::string_view id, webhook::sys_seconds when, webhook::sys_seconds now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (seen_.size() >= prune_at_) forget_older_than(now - tolerance_);
    return seen_.emplace(std::string(id), when).second;
  }

 private:
  /// Forgets the ids signed before `oldest` (verify() refuses them as too old anyway).
  void forget_older_than(webhook::sys_seconds oldest) {
    for (auto it = seen_.begin(); it != seen_.end();) it = it->second < oldest ? seen_.erase(it) : std::next(it);
    prune_at_ = seen_.size() * 2 + 1024;
  }

  std::chrono::seconds tolerance_;
  std::mutex mutex_;
  std::unordered_map<std::string, webhook::sys_seconds> seen_;
  std::size_t prune_at_ = 1024;
};

/// The webhook failures: the status and the upper-cased errc name of each.
struct webhook_failure {
  keyward::errc code;
  int status;
  const char* name;
};
constexpr webhook_failure webhook_failures[] = {
    {keyward::errc::webhook_missing_header, 400, "WEBHOOK_MISSING_HEADER"},
    {keyward::errc::webhook_invalid_id, 400, "WEBHOOK_INVALID_ID"},
    {keyward::errc::webhook_invalid_timestamp, 400, "WEBHOOK_INVALID_TIMESTAMP"},
    {keyward::errc::webhook_invalid_signature_header, 400, "WEBHOOK_INVALID_SIGNATURE_HEADER"},
    {keyward::errc::webhook_too_many_signatures, 400, "WEBHOOK_TOO_MANY_SIGNATURES"},
    {keyward::errc::webhook_no_signature, 401, "WEBHOOK_NO_SIGNATURE"},
    {keyward::errc::webhook_signature_mismatch, 401, "WEBHOOK_SIGNATURE_MISMATCH"},
    {keyward::errc::webhook_timestamp_too_old, 401, "WEBHOOK_TIMESTAMP_TOO_OLD"},
    {keyward::errc::webhook_timestamp_too_new, 401, "WEBHOOK_TIMESTAMP_TOO_NEW"},
    {keyward::errc::webhook_replayed, 409, "WEBHOOK_REPLAYED"},
};

/// The secrets read from the environment, checked: the webhook and JWT verifiers, when configured.
struct receivers {
  std::optional<webhook::standard_verifier> webhooks;
  std::optional<jwt::verifier<>> tokens;
};

/// The receivers of WEBHOOK_SECRET and JWT_SECRET (each optional), or the reason one is unusable.
std::pair<std::optional<receivers>, std::string> make_receivers() {
  receivers out;
  if (const char* secret = std::getenv("WEBHOOK_SECRET")) {
    auto made = webhook::standard_verifier::make({secret});
    if (!made) return {std::nullopt, std::string("WEBHOOK_SECRET: ") + made.error().message()};
    out.webhooks = std::move(*made);
  }
  if (const char* secret = std::getenv("JWT_SECRET")) {
    auto key = jwt::key::hmac(jwt::algorithm::hs256, secret);
    if (!key) return {std::nullopt, std::string("JWT_SECRET (at least 32 bytes): ") + key.error().message()};
    jwt::verifier_options options;
    options.claims.issuer = "acme-auth";
    options.claims.audiences = {"acme-api"};
    options.challenge = *http::challenge_options::make(http::challenge_scheme::bearer, realm);
    auto made = jwt::verifier<>::make({std::move(*key)}, std::move(options));
    if (!made) return {std::nullopt, std::string("JWT_SECRET: ") + made.error().message()};
    out.tokens = std::move(*made);
  }
  return {std::move(out), std::string()};
}

/// The verifier options of this server: the acme prefixes, Bearer and Basic (key as user), its environment,
/// its scopes, and challenges in the acme-api realm.
keys::verifier_options verifier_settings(keys::key_environment environment) {
  keys::verifier_options options;
  options.prefixes = acme_prefixes;
  options.forms.basic_key_as_user = true;
  options.environment = environment;
  options.scope_names = {"items:read", "items:write", "keys:admin"};
  options.challenge = *http::challenge_options::make(http::challenge_scheme::bearer, realm);
  return options;
}

/// The endpoints, over a Store (memory_store or redis_store) and a source of verifiers: `Verifiers::get()`
/// returns the verifier the calling thread may use (one shared, or one per thread), nullptr when none.
template <class Store, class Verifiers>
class api {
 public:
  /// The API over `store`, `verifiers`, the plan policies and the optional receivers; `log`: record each
  /// request's key id for the --log line.
  api(Store& store, Verifiers& verifiers, plan_policies policies, receivers optional, bool log)
      : store_(store),
        verifiers_(verifiers),
        policies_(std::move(policies)),
        receivers_(std::move(optional)),
        log_(log) {
    const auto& any = *verifiers.get();
    read_ = *any.all_of("items:read");
    write_ = *any.all_of("items:write");
    admin_ = *any.all_of("keys:admin");
  }

  /// Routes every endpoint of `server` here.
  void route(httplib::Server& server) {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, R"({"status":"ok"})");
    });
    server.Get("/public/ping", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, R"({"pong":true})");
    });
    server.Get("/v1/ping", [this](const httplib::Request& req, httplib::Response& res) {
      with_key(req, res, keys::scopes::none, [&](const auto&) { send_json(res, 200, R"({"pong":true})"); });
    });
    server.Get("/v1/items", [this](const httplib::Request& req, httplib::Response& res) {
      with_key(req, res, read_, [&](const auto& who) {
        const bool live = who.environment() == keys::key_environment::live;
        send_json(res, 200,
                  R"({"items":[{"id":"item_1","name":"first"},{"id":"item_2","name":"second"}],"owner":")" +
                      json_escaped(who.owner()) + R"(","livemode":)" + (live ? "true" : "false") + "}");
      });
    });
    server.Post("/v1/items", [this](const httplib::Request& req, httplib::Response& res) {
      with_key(req, res, write_, [&](const auto& who) {
        send_json(res, 201, R"({"created":true,"owner":")" + json_escaped(who.owner()) + R"("})");
      });
    });
    server.Post(R"(/v1/keys/([^/]+)/revoke)", [this](const httplib::Request& req, httplib::Response& res) {
      with_key(req, res, admin_, [&](const auto&) { revoke(req.matches[1].str(), res); });
    });
    server.Post("/webhooks/standard", [this](const httplib::Request& req, httplib::Response& res) {
      receive_webhook(req, res);
    });
    server.Get("/v1/jwt/whoami", [this](const httplib::Request& req, httplib::Response& res) {
      whoami(req, res);
    });
  }

 private:
  /// Authenticates the request for `required`, then calls `handle(principal)`, or sends the denial. Sets the
  /// RateLimit-Policy and RateLimit fields whenever the key was limited (on a success and on a 429).
  template <class Handle>
  void with_key(const httplib::Request& req, httplib::Response& res, const keys::scope_requirement& required,
                Handle&& handle) {
    const auto* verifier = verifiers_.get();
    if (verifier == nullptr) {
      deny(http::denial::unavailable(std::chrono::seconds(5)), res);
      return;
    }
    const std::string_view authorization = field(req, authorization_field);
    const auto who = verifier->authenticate(authorization, required);
    if (const std::optional<rate::decision> decision = who.rate()) {
      // A success names the key's quota (its record's). A 429 does not carry the record: the key's own plan
      // is looked up (a cache hit in both stores); when that fails the policy is left out rather than guessed.
      if (who) {
        res.headers.emplace(ratelimit_policy_field, policies_.policy_of(*who->record().limit));
      } else if (const std::optional<rate::quota> plan = plan_of(authorization)) {
        res.headers.emplace(ratelimit_policy_field, policies_.policy_of(*plan));
      }
      char value[96];
      const auto size = rate::write_ratelimit(rate::service_limit_of("key", *decision), value, sizeof value);
      if (size) res.headers.emplace(ratelimit_field, std::string(value, *size));
    }
    if (!who) {
      deny(who.error(), res);
      return;
    }
    if (log_) request_key_id.assign(who->id());
    handle(*who);
  }

  /// The quota in the record of the key sent in `authorization` (Bearer, or Basic with the key as the user),
  /// or nullopt when the field holds no key of the acme format or the store cannot tell.
  std::optional<rate::quota> plan_of(std::string_view authorization) const {
    http::basic_buffer<256> decoded;
    std::string_view key;
    if (const auto bearer = http::parse_bearer(authorization)) {
      key = *bearer;
    } else if (const auto basic = http::parse_basic(authorization, decoded)) {
      key = basic->user;
    }
    const auto parsed = keys::parse_key(key, acme_prefixes);
    if (!parsed) return std::nullopt;
    const auto found = store_.find(parsed->id);
    if constexpr (std::is_same_v<Store, keys::memory_store>) {
      if (found) return found->limit;
    } else {
      if (found && *found) return (*found)->limit;
    }
    return std::nullopt;
  }

  /// Sends `why`: its status, WWW-Authenticate (when it has one), Retry-After (when it has one) and body.
  static void deny(const http::denial& why, httplib::Response& res) {
    if (auto challenge = why.challenge()) res.set_header("WWW-Authenticate", *challenge);
    if (const auto seconds = why.retry_after()) res.set_header("Retry-After", http::retry_after(*seconds));
    send_json(res, why.status(), why.json());
  }

  /// Revokes the key `id` (keys::revoke): 200, 404 KEY_NOT_FOUND, or 503 when the store cannot answer.
  void revoke(const std::string& id, httplib::Response& res) {
    const keyward::result<void> done = keys::revoke(store_, id);
    if (done) {
      send_json(res, 200, R"({"revoked":")" + json_escaped(id) + R"("})");
    } else if (done.error() == keyward::errc::key_not_found || done.error() == keyward::errc::key_invalid_length ||
               done.error() == keyward::errc::key_invalid_character) {
      send_error(res, 404, "KEY_NOT_FOUND", "No key has this id");
    } else {
      deny(http::denial::unavailable(std::chrono::seconds(5)), res);
    }
  }

  /// The Standard Webhooks receiver: verifies the signature and the timestamp, then refuses replays.
  void receive_webhook(const httplib::Request& req, httplib::Response& res) {
    if (!receivers_.webhooks) {
      send_error(res, 503, "WEBHOOK_NOT_CONFIGURED", "WEBHOOK_SECRET is not set");
      return;
    }
    static const std::string id_field = "webhook-id", timestamp_field = "webhook-timestamp",
                             signature_field = "webhook-signature";
    const webhook::standard_headers headers{field(req, id_field), field(req, timestamp_field),
                                            field(req, signature_field)};
    // One reading of the clock per request: verify() checks the timestamp against it and the replay cache
    // prunes by it.
    const auto now = system_clock::now();
    const auto now_seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
    const auto remember = [this, now_seconds](std::string_view id, webhook::sys_seconds when) {
      return replays_.remember(id, when, now_seconds);
    };
    const keyward::result<void> verified = receivers_.webhooks->verify(headers, req.body, now, remember);
    if (verified) {
      send_json(res, 200, R"({"received":true,"id":")" + json_escaped(headers.id) + R"("})");
      return;
    }
    for (const webhook_failure& failure : webhook_failures) {
      if (verified.error() == failure.code) {
        send_error(res, failure.status, failure.name, verified.error().message());
        return;
      }
    }
    send_error(res, 400, "WEBHOOK_INVALID", verified.error().message());
  }

  /// The JWT endpoint: a Bearer HS256 token from acme-auth for acme-api; 200 with its subject.
  void whoami(const httplib::Request& req, httplib::Response& res) const {
    if (!receivers_.tokens) {
      send_error(res, 503, "JWT_NOT_CONFIGURED", "JWT_SECRET is not set");
      return;
    }
    jwt::token_buffer buffer;
    const auto who = receivers_.tokens->authenticate(field(req, authorization_field), system_clock::now(), buffer);
    if (who) {
      send_json(res, 200, R"({"sub":")" + json_escaped(who->claims().subject()) + R"("})");
      return;
    }
    const http::denial& why = who.error();
    if (why.reason() == http::denial_reason::missing_credentials) {
      res.set_header("WWW-Authenticate", *why.challenge());
      send_error(res, 401, "MISSING_TOKEN", "A bearer token is required");
      return;
    }
    // Every other failure (a malformed field, another scheme, a bad token) is an invalid token (RFC 6750).
    const bool token_error = why.rfc6750_error() == http::bearer_error::invalid_token;
    res.set_header("WWW-Authenticate",
                   *(token_error ? why : http::denial::invalid_key().with_challenge(why.challenge_settings()))
                        .challenge());
    send_error(res, 401, "INVALID_TOKEN", who.cause().message());
  }

  Store& store_;
  Verifiers& verifiers_;
  plan_policies policies_;
  receivers receivers_;
  replay_cache replays_{webhook::standard_options().tolerance};  // the verifier's (default) tolerance
  keys::scope_requirement read_, write_, admin_;
  bool log_;
};

/// The demo keys, in the order of the file: name, prefix, owner, scopes, and whether it has the bulk quota.
struct demo_key {
  const char* name;
  const char* prefix;
  const char* owner;
  const char* scopes;
  bool bulk;
};
constexpr demo_key demo_keys[] = {
    {"LIVE_KEY", "acme_sk_live_", "acct_demo", "items:read items:write", false},
    {"TEST_KEY", "acme_sk_test_", "acct_demo", "items:read items:write", false},
    {"READONLY_KEY", "acme_sk_live_", "acct_reader", "items:read", false},
    {"ADMIN_KEY", "acme_sk_live_", "acct_admin", "keys:admin", false},
    {"BULK_KEY", "acme_sk_live_", "acct_bulk", "items:read", true},
};

/// How long the demo keys are valid: they are minted at every start (into a shared Redis too), so they
/// expire rather than pile up as live keys.
constexpr std::chrono::hours demo_key_lifetime{24};

/// Mints the demo keys into `store`, each expiring after demo_key_lifetime, and writes them to `path`
/// (mode 0600) as NAME=value lines after a comment line; the error line otherwise.
template <class Store, class Verifier>
std::string write_demo_keys(Store& store, const Verifier& verifier, const rate::quota& quota, const rate::quota& bulk,
                            const std::string& path) {
  std::string lines = "# api_server demo keys: they expire 24 hours after the server started\n";
  const auto expiry = system_clock::now() + demo_key_lifetime;
  for (const demo_key& demo : demo_keys) {
    keys::key_record blueprint;
    blueprint.expires_at = expiry;
    blueprint.owner = demo.owner;
    blueprint.scopes = *verifier.scopes().parse(demo.scopes);
    blueprint.limit = demo.bulk ? bulk : quota;
    auto minted = keys::mint(store, std::move(blueprint), *acme_prefixes.classify(demo.prefix), verifier.peppers());
    if (!minted) return std::string("cannot mint the demo keys: ") + minted.error().message();
    lines += std::string(demo.name) + "=" + std::string(minted->key.reveal()) + "\n";
    lines += std::string(demo.name) + "_ID=" + std::string(minted->id.view()) + "\n";
  }
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool written = file >= 0 && ::fchmod(file, 0600) == 0 &&
                 ::write(file, lines.data(), lines.size()) == static_cast<ssize_t>(lines.size());
  if (file >= 0) written = ::close(file) == 0 && written;
  keyward::ct::secure_zero(lines.data(), lines.size());
  return written ? std::string() : "cannot write the demo keys to " + path;
}

/// The longest request path a --log line shows, in bytes (after escaping).
constexpr std::size_t logged_path_limit = 200;

/// `path` for a --log line: the keys in it (acme keys, Stripe's key patterns) redacted (before the cut, so no
/// key is cut short of being recognised), then every byte outside printable ASCII, and `\`, written as \xHH
/// (so %0a cannot forge a line), cut to logged_path_limit bytes with `...`.
std::string loggable(std::string_view path, const keys::scanner& redactor) {
  std::string redacted(path);
  redactor.redact_in_place(redacted);
  std::string out;
  out.reserve(std::min(redacted.size(), logged_path_limit) + 3);
  for (const char c : redacted) {
    const auto byte = static_cast<unsigned char>(c);
    char escaped[5] = {c, 0, 0, 0, 0};
    if (byte < 0x20 || byte >= 0x7f || c == '\\') std::snprintf(escaped, sizeof escaped, "\\x%02x", unsigned{byte});
    const std::size_t size = std::char_traits<char>::length(escaped);
    if (out.size() + size > logged_path_limit) {
      out += "...";
      break;
    }
    out.append(escaped, size);
  }
  return out;
}

/// The scanner of the --log lines: keyward-format acme keys and Stripe's secret and restricted key patterns.
std::optional<keys::scanner> log_redactor() {
  keys::scanner_options options;
  options.keys = acme_prefixes;
  options.patterns.assign(std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns));
  auto made = keys::scanner::make(std::move(options));
  if (!made) return std::nullopt;
  return std::move(*made);
}

/// The blocked signals: SIGINT and SIGTERM, waited for by stop_on_signal().
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// What the signal thread shares with serve(): the server to stop and how listening ended.
struct stopper_state {
  httplib::Server* server;
  std::atomic<bool> finished{false};   ///< listening has ended
  std::atomic<bool> signalled{false};  ///< a SIGINT or SIGTERM came while listening
};

/// The signal thread (pthread_create's start routine, over a stopper_state): waits for SIGINT or SIGTERM,
/// then stops the server. stop() does nothing until the server runs, so it is repeated until listening ends.
void* stop_on_signal(void* shared) {
  auto& state = *static_cast<stopper_state*>(shared);
  const sigset_t set = stop_signals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  state.signalled = !state.finished;
  while (!state.finished) {
    state.server->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nullptr;
}

/// One verifier shared by every thread (memory_store and tiered_limiter are thread-safe).
template <class Verifier>
struct shared_verifier {
  Verifier verifier;
  /// The verifier; never null.
  const Verifier* get() const noexcept { return &verifier; }
};

/// Serves `settings` over `store` and `verifiers` (the bulk demo key limited by `bulk`) until SIGINT or
/// SIGTERM: the exit status.
template <class Store, class Verifiers>
int serve(const settings& config, Store& store, Verifiers& verifiers, const rate::quota& bulk, receivers optional) {
  const auto* verifier = verifiers.get();
  if (!config.demo_keys_file.empty()) {
    if (const std::string failed = write_demo_keys(store, *verifier, config.quota, bulk, config.demo_keys_file);
        !failed.empty()) {
      std::fprintf(stderr, "api_server: %s\n", failed.c_str());
      return 1;
    }
  }
  api<Store, Verifiers> endpoints(store, verifiers, plan_policies(config.quota, bulk), std::move(optional),
                                  config.log);
  httplib::Server server;
  // Each connection holds a worker thread while open. The ThreadPool starts its threads when listening
  // starts; std::thread's failure there (std::system_error) ends the process, as it would under
  // -fno-exceptions anyway.
  const std::size_t threads = config.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Answers leave at once (no Nagle delay between httplib's header and body writes), and a connection
  // serves up to 100 requests before httplib closes it (its default is 5).
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100);
  // Bounds on what a client may hold: an idle keep-alive connection is closed after 1 s, a request or an
  // answer that stalls for 2 s ends its connection (so idle connections cannot hold every worker for long,
  // and a stop waits at most about a second for them), and a body over 64 KiB is refused with 413 before
  // it is stored (httplib reads the whole body before a handler runs; these endpoints take small JSON).
  server.set_keep_alive_timeout(1);
  server.set_read_timeout(2);
  server.set_write_timeout(2);
  server.set_payload_max_length(max_body_size);
  endpoints.route(server);
  // Called for every status from 400 on: fills in a JSON body where no handler wrote one (404 and the like).
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own error
    if (res.status == 404) {
      send_error(res, 404, "NOT_FOUND", "No such endpoint");
    } else if (res.status == 413) {
      send_error(res, 413, "PAYLOAD_TOO_LARGE", "The request body is over 64 KiB");
    } else {
      send_error(res, res.status, "BAD_REQUEST", "The request could not be served");
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  if (config.log) {
    std::optional<keys::scanner> redactor = log_redactor();
    if (!redactor) {
      std::fprintf(stderr, "api_server: cannot set up the log redactor\n");
      return 1;
    }
    server.set_logger([redactor = std::move(*redactor)](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "%s %s %d %s\n", loggable(req.method, redactor).c_str(),
                   loggable(req.path, redactor).c_str(), res.status,
                   request_key_id.empty() ? "-" : request_key_id.c_str());
      request_key_id.clear();
    });
  }
  int port = config.port;
  if (port == 0) {
    port = server.bind_to_any_port(config.host);
  } else if (!server.bind_to_port(config.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "api_server: cannot listen on %s:%d\n", config.host.c_str(), config.port);
    return 1;
  }

  // SIGINT and SIGTERM are blocked in every thread (main() blocked them first); the signal thread takes them
  // and stops the server. Made with pthread_create so that a failure is reported, not thrown.
  stopper_state state{&server};
  pthread_t stopper;
  if (pthread_create(&stopper, nullptr, stop_on_signal, &state) != 0) {
    std::fprintf(stderr, "api_server: cannot start the signal thread\n");
    return 1;
  }
  const bool literal_ipv6 = config.host.find(':') != std::string::npos;  // written in brackets in a URL
  std::printf("listening on http://%s%s%s:%d\n", literal_ipv6 ? "[" : "", config.host.c_str(),
              literal_ipv6 ? "]" : "", port);
  std::fflush(stdout);
  const bool listened = server.listen_after_bind();
  state.finished = true;
  pthread_kill(stopper, SIGTERM);  // wakes the signal thread when no signal came
  pthread_join(stopper, nullptr);
  if (!listened && !state.signalled) {
    std::fprintf(stderr, "api_server: the server stopped listening\n");
    return 1;
  }
  return 0;
}

/// The pepper: KEYWARD_PEPPER, or (when `may_generate`) a random one; the error line otherwise.
std::pair<std::optional<keys::pepper_set>, std::string> load_pepper(bool may_generate) {
  const char* given = std::getenv("KEYWARD_PEPPER");
  if (given == nullptr && !may_generate) return {std::nullopt, "KEYWARD_PEPPER is required with --redis"};
  std::array<char, 32> random{};
  if (given == nullptr) {
    if (!keyward::random::fill(random.data(), random.size())) return {std::nullopt, "no random bytes for the pepper"};
    std::fprintf(stderr, "api_server: note: KEYWARD_PEPPER is unset: a random pepper is used (keys last until exit)\n");
  }
  auto peppers = keys::pepper_set::make(1, given ? std::string_view(given) : std::string_view(random.data(), 32));
  keyward::ct::secure_zero(random.data(), random.size());
  if (!peppers) return {std::nullopt, "KEYWARD_PEPPER must be at least 32 bytes"};
  return {std::move(*peppers), std::string()};
}

/// Memory mode: a keys::memory_store and in-process limits (keys::tiered_limiter, one tier per plan).
int serve_in_memory(const settings& config, keys::pepper_set peppers, receivers optional) {
  using verifier_type = keys::verifier<keys::memory_store, system_clock, keys::tiered_limiter>;
  auto store = keys::memory_store::make();
  auto limiter = config.quota == bulk_quota ? keys::tiered_limiter::make({bulk_quota}, 100000)
                                            : keys::tiered_limiter::make({config.quota, bulk_quota}, 100000);
  if (!store || !limiter) {
    std::fprintf(stderr, "api_server: cannot set up the key store\n");
    return 1;
  }
  auto verifier =
      verifier_type::make(*store, verifier_settings(config.environment), std::move(peppers), std::move(*limiter));
  if (!verifier) {
    std::fprintf(stderr, "api_server: %s\n", verifier.error().message());
    return 1;
  }
  shared_verifier<verifier_type> verifiers{std::move(*verifier)};
  return serve(config, *store, verifiers, bulk_quota, std::move(optional));
}

#ifdef KEYWARD_EXAMPLE_REDIS
/// Redis mode's verifiers: rate::redis_limiter is not thread-safe, so each thread gets its own limiter and a
/// verifier over it, made on its first request; the store (redis_store, thread-safe) is shared.
class redis_verifiers {
 public:
  using verifier_type = keys::verifier<keys::redis_store, system_clock, keys::redis_limits>;

  /// Verifiers over `store`, limiting in the Redis server of `redis` with `options` and `peppers`.
  redis_verifiers(keys::redis_store& store, rate::redis_options redis, keys::verifier_options options,
                  keys::pepper_set peppers)
      : store_(store), redis_(std::move(redis)), options_(std::move(options)), peppers_(std::move(peppers)) {}

  /// The calling thread's verifier, made on its first call; nullptr when it cannot be made.
  const verifier_type* get() const {
    thread_local std::unique_ptr<per_thread> mine;
    if (!mine) {
      auto limiter = rate::redis_limiter::make(redis_);
      if (!limiter) return nullptr;
      auto made = std::make_unique<per_thread>(std::move(*limiter));
      auto limits = keys::redis_limits::make(made->limiter, "acme:limits:");
      if (!limits) return nullptr;
      auto verifier = verifier_type::make(store_, options_, peppers_, std::move(*limits));
      if (!verifier) return nullptr;
      made->verifier.emplace(std::move(*verifier));
      mine = std::move(made);
    }
    return &*mine->verifier;
  }

 private:
  /// A thread's limiter and the verifier that refers to it (so it never moves once made).
  struct per_thread {
    explicit per_thread(rate::redis_limiter made) : limiter(std::move(made)) {}
    rate::redis_limiter limiter;
    std::optional<verifier_type> verifier;
  };

  keys::redis_store& store_;
  rate::redis_options redis_;
  keys::verifier_options options_;
  keys::pepper_set peppers_;
};

/// Redis mode: keys in a keys::redis_store and limits in Redis (keys::redis_limits), shared by every server
/// on the same Redis.
int serve_with_redis(const settings& config, keys::pepper_set peppers, receivers optional) {
  keys::redis_store_options store_options;
  store_options.redis.host = config.redis->first;
  store_options.redis.port = config.redis->second;
  store_options.key_namespace = "acme:keys:";
  store_options.connections = 16;
  auto store = keys::redis_store::make(store_options);
  if (!store) {
    std::fprintf(stderr, "api_server: %s\n", store.error().message());
    return 1;
  }
  if (const auto up = store->connect(); !up) {
    std::fprintf(stderr, "api_server: cannot reach Redis at %s:%d: %s\n", config.redis->first.c_str(),
                 config.redis->second, up.error().message());
    return 1;
  }
  redis_verifiers verifiers(*store, store_options.redis, verifier_settings(config.environment), std::move(peppers));
  if (verifiers.get() == nullptr) {
    std::fprintf(stderr, "api_server: cannot set up the Redis limiter\n");
    return 1;
  }
  return serve(config, *store, verifiers, redis_bulk_quota, std::move(optional));
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread starts, so that only the stopper thread (sigwait) takes them.
  const sigset_t blocked = stop_signals();
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);

  auto [config, wrong] = parse_arguments(argc, argv);
  if (!config) {
    std::fprintf(stderr, "api_server: %s\n", wrong.c_str());
    return 2;
  }
#ifndef KEYWARD_EXAMPLE_REDIS
  if (config->redis) {
    std::fprintf(stderr, "api_server: --redis is not available: this build has no hiredis\n");
    return 2;
  }
#endif
  auto [optional, unusable] = make_receivers();
  if (!optional) {
    std::fprintf(stderr, "api_server: %s\n", unusable.c_str());
    return 1;
  }
  auto [peppers, no_pepper] = load_pepper(!config->redis);
  if (!peppers) {
    std::fprintf(stderr, "api_server: %s\n", no_pepper.c_str());
    return 1;
  }
#ifdef KEYWARD_EXAMPLE_REDIS
  if (config->redis) return serve_with_redis(*config, std::move(*peppers), std::move(*optional));
#endif
  return serve_in_memory(*config, std::move(*peppers), std::move(*optional));
}
