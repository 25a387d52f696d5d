// A client of examples/api_server, on cpp-httplib: it loads its API key from the environment (ACME_API_KEY,
// checked by keys::from_env before use: an acme secret key of keyward's format), sends it with Bearer, and
// retries with keyward::retry::run: full-jitter backoff from 100 ms to 10 s, waiting at least what the server
// asks for on a 429 or 503 (Retry-After, else the RateLimit field's reset). docs/examples.md shows it running.
//
//   api_client BASE_URL [--path /v1/items] [--attempts N (default 4)] [--max-wait-seconds S (default 30)]
//   api_client --help
//
// The key travels in cleartext over http://, so a plain http:// BASE_URL (or one without a scheme) must name
// this machine: 127.0.0.1, localhost or [::1]; any other host needs https://. Each attempt waits at most 5 s
// to connect and 10 s for the answer, both cut to S when S is shorter.
//
// Exit status: 0 on success, 1 when it gave up, 2 for bad arguments or no usable key.
#include <keyward/keyward.hpp>

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace http = keyward::http;
namespace keys = keyward::keys;
namespace rate = keyward::rate;
namespace retry = keyward::retry;
using namespace std::chrono_literals;

namespace {

/// The key prefixes of the acme API (the server's table).
constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_sk_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
    {"acme_sk_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
});

constexpr const char* usage =
    "usage: api_client BASE_URL [--path /v1/items] [--attempts N] [--max-wait-seconds S]";

/// What --help prints.
constexpr const char* help =
    "usage: api_client BASE_URL [--path /v1/items] [--attempts N] [--max-wait-seconds S]\n"
    "GET BASE_URL+path with the key of ACME_API_KEY (Bearer), retrying with backoff on 429, 503 and no answer.\n"
    "  --path P               the path, starting with / (default /v1/items)\n"
    "  --attempts N           at most N attempts, 1 to 100 (default 4)\n"
    "  --max-wait-seconds S   at most S seconds in all, 1 to 86400 (default 30); each attempt waits at most\n"
    "                         5 s to connect and 10 s for the answer, or S when shorter\n"
    "BASE_URL: http:// only for 127.0.0.1, localhost or [::1] (the key would travel in cleartext); https://\n"
    "otherwise.\n"
    "Environment: ACME_API_KEY, an acme_sk_live_ or acme_sk_test_ key.\n"
    "Exit status: 0 success, 1 gave up, 2 bad arguments or no usable key.\n";

/// The command line, checked.
struct settings {
  std::string base_url;
  std::string path = "/v1/items";
  std::uint32_t attempts = 4;
  std::chrono::seconds max_wait{30};
};

/// `text` as a whole decimal number in [low, high], or nullopt.
std::optional<std::uint32_t> number(std::string_view text, std::uint32_t low, std::uint32_t high) {
  std::uint32_t value = 0;
  const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failure != std::errc() || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

/// The host of `url` when the key would travel to it in cleartext (http://, or no scheme, which cpp-httplib
/// reads as http://), without brackets; nullopt for https:// and other schemes.
std::optional<std::string_view> cleartext_host(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    if (url.substr(0, scheme_end) != "http") return std::nullopt;
    url.remove_prefix(scheme_end + 3);
  }
  if (!url.empty() && url.front() == '[') {
    const std::size_t close = url.find(']');
    return url.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  }
  return url.substr(0, url.find_first_of(":/?#"));
}

/// The settings of `argv`, or nullopt after printing why they are wrong (or the help, with `exit_status` 0).
std::optional<settings> parse_arguments(int argc, char** argv, int& exit_status) {
  settings out;
  exit_status = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (option == "--help" || option == "-h") {
      std::fputs(help, stdout);
      exit_status = 0;
      return std::nullopt;
    }
    if (option.substr(0, 2) != "--") {
      if (!out.base_url.empty()) {
        std::fprintf(stderr, "api_client: unexpected argument '%s': one BASE_URL only (%s)\n", argv[i], usage);
        return std::nullopt;
      }
      out.base_url = std::string(option);
      continue;
    }
    const char* value = i + 1 < argc ? argv[++i] : nullptr;
    std::optional<std::uint32_t> parsed;
    if (value != nullptr && option == "--path" && value[0] == '/') {
      out.path = value;
      continue;
    }
    if (value != nullptr && option == "--attempts" && (parsed = number(value, 1, 100))) {
      out.attempts = *parsed;
      continue;
    }
    if (value != nullptr && option == "--max-wait-seconds" && (parsed = number(value, 1, 86400))) {
      out.max_wait = std::chrono::seconds(*parsed);
      continue;
    }
    std::fprintf(stderr, "api_client: invalid %.*s (%s)\n", static_cast<int>(option.size()), option.data(), usage);
    return std::nullopt;
  }
  if (out.base_url.empty()) {
    std::fprintf(stderr, "api_client: no BASE_URL (%s)\n", usage);
    return std::nullopt;
  }
  if (const auto host = cleartext_host(out.base_url);
      host && *host != "127.0.0.1" && *host != "localhost" && *host != "::1") {
    std::fprintf(stderr,
                 "api_client: refusing to send the key in cleartext to '%.*s': use https:// (http:// only for "
                 "127.0.0.1, localhost or [::1])\n",
                 static_cast<int>(host->size()), host->data());
    return std::nullopt;
  }
  return out;
}

/// The reset delay of the first limit in a RateLimit field value (its t parameter), if any.
std::optional<std::chrono::seconds> ratelimit_reset(std::string_view value) {
  std::optional<std::chrono::seconds> reset;
  const auto parsed = rate::parse_ratelimit(value, [&](const rate::service_limit_view& limit) {
    if (!reset && limit.effective_window_seconds) {
      reset = std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*limit.effective_window_seconds));
    }
  });
  return parsed ? reset : std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_status = 2;
  const std::optional<settings> config = parse_arguments(argc, argv, exit_status);
  if (!config) return exit_status;

  keys::env_options wanted;
  wanted.prefixes = acme_prefixes;
  wanted.required_kind = keys::key_kind::secret;
  wanted.require_keyward_format = true;
  const keys::env_result key = keys::from_env("ACME_API_KEY", wanted);
  if (!key) {
    std::fprintf(stderr, "api_client: no usable key: %s\n", key.error().message().c_str());
    return 2;
  }
  const auto authorization = http::bearer(key->reveal());
  if (!authorization) {
    std::fprintf(stderr, "api_client: the key cannot be sent: %s\n", authorization.error().message());
    return 2;
  }
  httplib::Client client(config->base_url);
  if (!client.is_valid()) {
    std::fprintf(stderr, "api_client: invalid BASE_URL '%s'\n", config->base_url.c_str());
    return 2;
  }
  // One attempt's bounds, never beyond the whole budget.
  client.set_connection_timeout(std::min(std::chrono::seconds(5), config->max_wait));
  client.set_read_timeout(std::min(std::chrono::seconds(10), config->max_wait));
  const httplib::Headers headers{{"Authorization", *authorization}};

  retry::retry_options options;
  options.backoff = *retry::backoff::full_jitter(100ms, 10s);
  options.max_attempts = config->attempts;
  options.time_budget = config->max_wait;
  options.max_server_delay = config->max_wait;
  std::string body;
  const retry::report report = retry::run(
      options,
      [&](const retry::attempt& attempt) {
        const httplib::Result reply = client.Get(config->path, headers);
        if (!reply) {
          std::printf("attempt %u: no response (%s)\n", attempt.number, httplib::to_string(reply.error()).c_str());
          return retry::outcome::no_response();
        }
        std::printf("attempt %u: %d\n", attempt.number, reply->status);
        retry::outcome out;
        out.status = reply->status;
        if (reply->has_header("Retry-After")) {
          const auto delay = http::parse_retry_after(reply->get_header_value("Retry-After"), std::chrono::system_clock::now());
          if (delay) out.retry_after = *delay;
        }
        if (reply->has_header("RateLimit")) out.ratelimit_reset = ratelimit_reset(reply->get_header_value("RateLimit"));
        body = reply->body;
        return out;
      },
      nullptr,
      [](std::chrono::nanoseconds wait) {
        std::printf("waiting %lld ms\n",
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
        std::fflush(stdout);
        retry::thread_sleep()(wait);
      });
  if (report.succeeded()) {
    std::printf("succeeded after %u attempts\nbody: %s\n", report.attempts, body.c_str());
    return 0;
  }
  if (report.last.transport_error) {
    std::printf("gave up: %s (no response) after %u attempts\n", retry::to_string(report.reason), report.attempts);
  } else {
    std::printf("gave up: %s (status %d) after %u attempts\n", retry::to_string(report.reason), report.last.status,
                report.attempts);
  }
  return 1;
}
