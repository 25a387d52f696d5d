// `keyward retry-after VALUE` and `keyward backoff`: the wait a Retry-After field value asks for
// (http::parse_retry_after, RFC 9110 section 10.2.3) and the schedule of waits of a retry::backoff policy.
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/http/date.hpp>
#include <keyward/http/retry_after.hpp>
#include <keyward/random.hpp>
#include <keyward/retry/backoff.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace keyward_cli {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

/// `keyward retry-after`: its name and help.
constexpr verb retry_after_verb{
    "retry-after",
    "usage: keyward retry-after VALUE|- [--now HTTP-DATE|UNIX_SECONDS] [--json]\n"
    "\n"
    "Prints the wait a Retry-After field value asks for (RFC 9110 section 10.2.3), in seconds, and\n"
    "the time it ends. VALUE is delay-seconds (\"120\") or an HTTP-date in any of its three forms:\n"
    "IMF-fixdate (\"Sun, 06 Nov 1994 08:49:37 GMT\"), RFC 850 (\"Sunday, 06-Nov-94 08:49:37 GMT\") or\n"
    "asctime (\"Sun Nov  6 08:49:37 1994\"). A date not after now is a wait of 0; waits are capped at\n"
    "2^31 seconds.\n"
    "\n"
    "  VALUE          the field value; '-' reads it from the first line of stdin; put '--' before\n"
    "                 a VALUE that starts with '-'\n"
    "  --now TIME     the time the response was received: an HTTP-date or seconds since 1970-01-01\n"
    "                 UTC, 0 or more (default: now)\n"
    "  --json         one JSON object: form, wait_seconds, until, until_unix\n"
    "\n"
    "Exit codes: 0 parsed; 1 the value is not valid (the reason and byte offset on stderr; without\n"
    "--json the value is also printed on stdout with a caret under the offending byte; with --json\n"
    "nothing is printed on stdout) or the line on stdin is longer than 64 KiB; 2 usage error (a bad\n"
    "option or --now, a missing VALUE, empty or unreadable stdin).\n"};

/// `keyward backoff`: its name and help.
constexpr verb backoff_verb{
    "backoff",
    "usage: keyward backoff --policy POLICY --attempts N [--base DURATION] [--cap DURATION]\n"
    "                       [--multiplier X] [--jitter-fraction F] [--seed S] [--json]\n"
    "\n"
    "Prints the schedule of waits of a retry loop of N attempts under a backoff policy of keyward's\n"
    "retry::backoff: one line per attempt with its number, the wait before it (none before the\n"
    "first) and the total waited so far. With t(n) = min(cap, base * multiplier^n) for retry n:\n"
    "  exponential          t(n) exactly\n"
    "  full-jitter          uniform in [0, t(n)]\n"
    "  equal-jitter         uniform in [t(n)/2, t(n)]\n"
    "  decorrelated-jitter  min(cap, uniform in [base, 3 * previous wait]) (no --multiplier)\n"
    "  grpc                 gRPC connection backoff: base first, then t(n) +- jitter-fraction * t(n)\n"
    "                       (may exceed cap by that fraction)\n"
    "\n"
    "  --policy POLICY        one of the five above (required)\n"
    "  --attempts N           attempts in all, the first included: 1 to 10000 (required)\n"
    "  --base DURATION        the first wait (default 100ms; grpc: 1s)\n"
    "  --cap DURATION         the largest t(n) (default 10s; grpc: 120s)\n"
    "  --multiplier X         growth per retry, at least 1 (default 2; grpc: 1.6)\n"
    "  --jitter-fraction F    grpc only: 0 to 1 (default 0.2)\n"
    "  --seed S               seed a generator (std::mt19937_64) so that a jittered schedule can be\n"
    "                         reproduced; without it the draws come from the OS random source and\n"
    "                         differ on every run\n"
    "  --json                 one JSON object: policy, attempts ([{attempt, wait_ns, cumulative_ns}])\n"
    "\n"
    "DURATION: a number with a unit, ns, us, ms, s or m: 100ms, 1.5s, 2m.\n"
    "Exit codes: 0 printed, 2 usage error (a parameter out of range included).\n"};

/// The time --now gives (an HTTP-date, or Unix seconds by unix_seconds_option()), else the system clock's
/// now; nullopt with `status` set (a usage error) when it is neither.
std::optional<keyward::http::sys_seconds> now_option(const arguments& args, int& status) {
  const std::optional<std::string_view> given = args.value("now");
  if (!given || parse_integer(*given)) {
    const std::optional<std::int64_t> unix_seconds = unix_seconds_option(retry_after_verb, args, "now", status);
    if (!unix_seconds) return std::nullopt;
    return keyward::http::sys_seconds(seconds(*unix_seconds));
  }
  const keyward::http::sys_seconds clock_now =
      std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
  const keyward::result<keyward::http::sys_seconds> date = keyward::http::parse_date(*given, clock_now);
  if (!date) {
    status = usage_error(retry_after_verb, "--now is neither an HTTP-date nor seconds since 1970-01-01 (" +
                                               describe(date.error()) + ")");
    return std::nullopt;
  }
  return *date;
}

/// A duration such as 100ms, 1.5s or 2m (units ns, us, ms, s, m; at most 9 decimals), in nanoseconds;
/// nullopt when it does not parse or exceeds a day.
std::optional<nanoseconds> parse_duration(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) ++end;
  const std::string_view number = text.substr(0, end);
  const std::string_view unit = text.substr(end);
  std::int64_t scale = 0;  // nanoseconds per unit
  if (unit == "ns") scale = 1;
  if (unit == "us") scale = 1000;
  if (unit == "ms") scale = 1000 * 1000;
  if (unit == "s") scale = 1000 * 1000 * 1000;
  if (unit == "m") scale = std::int64_t{60} * 1000 * 1000 * 1000;
  const std::size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (scale == 0 || whole.empty() || whole.size() > 6 || fraction.size() > 9 ||
      (dot != std::string_view::npos && fraction.empty()) || fraction.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t value = *parse_integer(whole) * scale;
  std::int64_t place = scale;
  for (const char digit : fraction) {
    place /= 10;
    value += (digit - '0') * place;  // digits past the unit's nanoseconds count for nothing
  }
  if (value > std::int64_t{86400} * 1000 * 1000 * 1000) return std::nullopt;
  return nanoseconds(value);
}

/// A finite decimal number such as 2 or 1.6 (digits and at most one '.'), or nullopt.
std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789.") != std::string_view::npos ||
      text.find('.') != text.rfind('.') || text.front() == '.' || text.back() == '.') {
    return std::nullopt;
  }
  return std::stod(std::string(text));
}

/// `count` nanoseconds in milliseconds, without trailing zeros: "100", "73.912345", "0".
std::string milliseconds_text(std::int64_t count) {
  std::string text = std::to_string(count / 1000000);
  std::string fraction = std::to_string(count % 1000000);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? text : text + "." + fraction;
}

/// Prints the schedule of `attempts` attempts of `delays`, drawing from `random`.
template <class Random>
void print_schedule(const keyward::retry::backoff& delays, std::uint32_t attempts, Random& random,
                    std::string_view policy, const arguments& args) {
  keyward::retry::backoff_sequence<Random> sequence(delays, random);
  std::int64_t total = 0;
  std::string json = "{\"policy\":" + json_string(policy) + ",\"attempts\":[";
  if (!args.json()) std::printf("%-8s %16s %18s\n", "attempt", "wait (ms)", "cumulative (ms)");
  for (std::uint32_t attempt = 1; attempt <= attempts; ++attempt) {
    const std::int64_t wait = attempt == 1 ? 0 : sequence.next().count();
    total += wait;
    if (args.json()) {
      if (attempt != 1) json += ",";
      json += "{\"attempt\":" + std::to_string(attempt) + ",\"wait_ns\":" + std::to_string(wait) +
              ",\"cumulative_ns\":" + std::to_string(total) + "}";
    } else {
      std::printf("%-8u %16s %18s\n", attempt, milliseconds_text(wait).c_str(), milliseconds_text(total).c_str());
    }
  }
  if (args.json()) std::printf("%s]}\n", json.c_str());
}

}  // namespace

/// `keyward retry-after VALUE|-` (commands.hpp).
int retry_after_command(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args = parse_or_report(retry_after_verb, argv, {{"now", true}}, status);
  if (!args) return status;
  const std::optional<keyward::http::sys_seconds> now = now_option(*args, status);
  if (!now) return status;
  const std::optional<std::string> value = value_or_stdin_line(retry_after_verb, *args, "VALUE", status);
  if (!value) return status;

  const keyward::result<seconds> wait = keyward::http::parse_retry_after(*value, *now);
  if (!wait) {
    if (!args->json() && wait.error().has_offset()) {
      print_caret(stdout, *value, wait.error().offset());
      std::fflush(stdout);  // the caret before the reason, when both go to one pipe
    }
    return rejected(retry_after_verb, describe(wait.error()));
  }
  const std::size_t first = value->find_first_not_of(" \t");
  const bool delay_seconds = (*value)[first] >= '0' && (*value)[first] <= '9';
  const std::string_view form = delay_seconds ? "delay-seconds" : "HTTP-date";
  const keyward::http::sys_seconds until = *now + *wait;
  const keyward::result<std::string> until_text = keyward::http::imf_fixdate(until);
  const long long wait_count = static_cast<long long>(wait->count());
  const long long until_count = static_cast<long long>(until.time_since_epoch().count());
  if (args->json()) {
    std::printf("{\"form\":%s,\"wait_seconds\":%lld,\"until\":%s,\"until_unix\":%lld}\n",
                json_string(form).c_str(), wait_count, until_text ? json_string(*until_text).c_str() : "null",
                until_count);
    return exit_ok;
  }
  std::printf("wait %lld s (%.*s)\nuntil %s (%lld)\n", wait_count, static_cast<int>(form.size()), form.data(),
              until_text ? until_text->c_str() : "a date outside years 0000-9999", until_count);
  return exit_ok;
}

/// `keyward backoff --policy ... --attempts N` (commands.hpp).
int backoff_command(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args =
      parse_or_report(backoff_verb, argv,
                      {{"policy", true}, {"attempts", true}, {"base", true}, {"cap", true}, {"multiplier", true},
                       {"jitter-fraction", true}, {"seed", true}},
                      status);
  if (!args) return status;
  if (!args->positional().empty()) return usage_error(backoff_verb, "takes no positional argument");
  const std::string_view policy = args->value("policy").value_or("");
  const bool grpc = policy == "grpc";
  if (policy != "exponential" && policy != "full-jitter" && policy != "equal-jitter" &&
      policy != "decorrelated-jitter" && !grpc) {
    return usage_error(backoff_verb,
                       policy.empty() ? "needs --policy" : "unknown --policy '" + std::string(policy) + "'");
  }
  const std::optional<std::int64_t> attempts = parse_integer(args->value("attempts").value_or(""));
  if (!attempts || *attempts < 1 || *attempts > 10000) {
    return usage_error(backoff_verb, "--attempts needs a number from 1 to 10000");
  }
  const std::optional<nanoseconds> base = parse_duration(args->value("base").value_or(grpc ? "1s" : "100ms"));
  const std::optional<nanoseconds> cap = parse_duration(args->value("cap").value_or(grpc ? "120s" : "10s"));
  if (!base || !cap) {
    return usage_error(backoff_verb, "--base and --cap need a duration such as 100ms or 1.5s, up to 24 h");
  }
  const std::optional<double> multiplier = parse_decimal(args->value("multiplier").value_or(grpc ? "1.6" : "2"));
  if (!multiplier) return usage_error(backoff_verb, "--multiplier needs a decimal number such as 2 or 1.6");
  if (policy == "decorrelated-jitter" && args->value("multiplier")) {
    return usage_error(backoff_verb,
                       "decorrelated-jitter has no --multiplier (it draws up to 3 times the previous wait)");
  }
  if (!grpc && args->value("jitter-fraction")) {
    return usage_error(backoff_verb, "--jitter-fraction is for --policy grpc");
  }
  const std::optional<double> fraction = parse_decimal(args->value("jitter-fraction").value_or("0.2"));
  if (!fraction) return usage_error(backoff_verb, "--jitter-fraction needs a decimal number from 0 to 1");

  using keyward::retry::backoff;
  keyward::result<backoff> delays = keyward::errc::retry_invalid_backoff;
  if (policy == "exponential") delays = backoff::exponential(*base, *cap, *multiplier);
  if (policy == "full-jitter") delays = backoff::full_jitter(*base, *cap, *multiplier);
  if (policy == "equal-jitter") delays = backoff::equal_jitter(*base, *cap, *multiplier);
  if (policy == "decorrelated-jitter") delays = backoff::decorrelated_jitter(*base, *cap);
  if (grpc) delays = backoff::grpc(*base, *multiplier, *fraction, *cap);
  if (!delays) {
    return usage_error(backoff_verb, std::string(delays.error().message()) +
                                         " (base must be above 0 and at most cap, multiplier at least 1, "
                                         "jitter-fraction from 0 to 1)");
  }
  const auto count = static_cast<std::uint32_t>(*attempts);
  if (const std::optional<std::string_view> seed = args->value("seed")) {
    const std::optional<std::int64_t> value = parse_integer(*seed);
    if (!value || *value < 0) return usage_error(backoff_verb, "--seed needs a whole number from 0 to 10^18 - 1");
    std::mt19937_64 seeded(static_cast<std::uint64_t>(*value));
    print_schedule(*delays, count, seeded, policy, *args);
  } else {
    keyward::random::os_generator system;
    print_schedule(*delays, count, system, policy, *args);
  }
  return exit_ok;
}


}  // namespace keyward_cli
