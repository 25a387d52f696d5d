// `keyward webhook sign|verify`: signed webhooks of four styles through keyward::webhook: Standard Webhooks
// (standard_signer, standard_verifier), Stripe, GitHub and Slack (their verifiers; a keyring signs for
// them). The body is stdin, byte for byte; the secret comes from an environment variable, never from argv.
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/base64.hpp>
#include <keyward/random.hpp>
#include <keyward/secret.hpp>
#include <keyward/webhook/github.hpp>
#include <keyward/webhook/keyring.hpp>
#include <keyward/webhook/slack.hpp>
#include <keyward/webhook/standard.hpp>
#include <keyward/webhook/stripe.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward_cli {
namespace {

using std::chrono::seconds;
using keyward::webhook::sys_seconds;

/// The variable the secret is read from when --secret-env is not given.
constexpr std::string_view default_secret_variable = "KEYWARD_WEBHOOK_SECRET";
/// The largest body read from stdin.
constexpr std::size_t max_body = 64 * 1024 * 1024;

/// `keyward webhook sign`: its name and help.
constexpr verb sign_verb{
    "webhook sign",
    "usage: keyward webhook sign --style standard|stripe|github|slack [--secret-env NAME] [--id ID]\n"
    "                            [--timestamp UNIX_SECONDS] [--json] < BODY\n"
    "\n"
    "Signs the body read from stdin (exactly its bytes) and prints the header fields to send with it,\n"
    "one 'Name: value' per line:\n"
    "  standard  webhook-id, webhook-timestamp, webhook-signature (Standard Webhooks v1; the secret is\n"
    "            whsec_ and the Base64 of at least 24 bytes)\n"
    "  stripe    Stripe-Signature: t=TIMESTAMP,v1=HEX (the whsec_ secret used as it is)\n"
    "  github    X-Hub-Signature-256: sha256=HEX (no timestamp is signed)\n"
    "  slack     X-Slack-Request-Timestamp and X-Slack-Signature: v0=HEX\n"
    "\n"
    "  --style STYLE          one of the four above (required)\n"
    "  --secret-env NAME      the variable holding the secret (default KEYWARD_WEBHOOK_SECRET)\n"
    "  --id ID                standard only: the webhook-id (default: msg_ and 24 random characters)\n"
    "  --timestamp SECONDS    standard, stripe, slack: the time signed, in Unix seconds, 0 or more\n"
    "                         (default: now)\n"
    "  --json                 one JSON object: style, headers (an object of name: value)\n"
    "\n"
    "Environment: KEYWARD_WEBHOOK_SECRET (or the variable named by --secret-env).\n"
    "Exit codes: 0 signed; 1 rejected input (an id a verifier would refuse, a body over 64 MiB;\n"
    "nothing on stdout); 2 usage error (no --style, a bad option, unreadable stdin, the secret\n"
    "variable unset, empty or not a secret of the style).\n"};

/// `keyward webhook verify`: its name and help.
constexpr verb verify_verb{
    "webhook verify",
    "usage: keyward webhook verify --style standard|stripe|github|slack [--secret-env NAME]\n"
    "                              --header 'Name: value'... [--tolerance SECONDS] [--now UNIX_SECONDS]\n"
    "                              [--json] < BODY\n"
    "\n"
    "Verifies a webhook: the body read from stdin (exactly its bytes) and its header fields, with\n"
    "keyward's verifier of the style (see 'keyward webhook sign --help' for the fields of each).\n"
    "Header names are matched without regard to case; other headers are ignored.\n"
    "\n"
    "  --style STYLE          standard, stripe, github or slack (required)\n"
    "  --secret-env NAME      the variable holding the secret (default KEYWARD_WEBHOOK_SECRET)\n"
    "  --header 'Name: value' a received header field (repeatable)\n"
    "  --tolerance SECONDS    standard, stripe, slack: how far the timestamp may be from now, in\n"
    "                         either direction (default 300)\n"
    "  --now UNIX_SECONDS     standard, stripe, slack: the time to check at, 0 or more (default: now)\n"
    "  --json                 one JSON object: valid, style\n"
    "\n"
    "Environment: KEYWARD_WEBHOOK_SECRET (or the variable named by --secret-env).\n"
    "Exit codes: 0 valid; 1 rejected (the library's reason on stderr, nothing on stdout: no\n"
    "signature matches, timestamp too old, required header missing, ...; or a body over 64 MiB);\n"
    "2 usage error (no --style, a bad option, a --header without ':' or given twice, unreadable\n"
    "stdin, the secret variable unset, empty or not a secret of the style).\n"};

/// `keyward webhook`: the group's name and help.
constexpr verb group_verb{
    "webhook",
    "usage: keyward webhook sign|verify --style standard|stripe|github|slack ...\n"
    "\n"
    "  webhook sign     sign the body on stdin; print the header fields to send\n"
    "  webhook verify   verify the body on stdin against --header fields\n"
    "\n"
    "The secret is read from $KEYWARD_WEBHOOK_SECRET. Each takes --help.\n"
    "Exit codes: 0 ok or valid, 1 rejected, 2 usage error.\n"};

/// The four signature schemes.
enum class style {
  standard,  ///< Standard Webhooks v1: webhook-id, webhook-timestamp, webhook-signature
  stripe,    ///< Stripe-Signature: t=TIMESTAMP,v1=HEX
  github,    ///< X-Hub-Signature-256: sha256=HEX
  slack,     ///< X-Slack-Request-Timestamp and X-Slack-Signature: v0=HEX
};

/// The style named by --style; nullopt with `status` set (a usage error) when absent or unknown.
std::optional<style> style_from(const verb& v, const arguments& args, int& status) {
  const std::optional<std::string_view> name = args.value("style");
  if (name == "standard") return style::standard;
  if (name == "stripe") return style::stripe;
  if (name == "github") return style::github;
  if (name == "slack") return style::slack;
  status = usage_error(v, name ? "unknown --style '" + std::string(*name) + "': use standard, stripe, github or slack"
                               : "needs --style standard, stripe, github or slack");
  return std::nullopt;
}

/// The time option `name` gives (unix_seconds_option()), else now; nullopt with `status` set after a usage
/// error.
std::optional<sys_seconds> time_option(const verb& v, const arguments& args, std::string_view name, int& status) {
  const std::optional<std::int64_t> when = unix_seconds_option(v, args, name, status);
  if (!when) return std::nullopt;
  return sys_seconds(seconds(*when));
}

/// The secret from the variable secret_variable() names (default KEYWARD_WEBHOOK_SECRET); nullopt with
/// `status` set (a usage error) when unset or empty. `variable` receives the name, for messages. The copy
/// read is wiped.
std::optional<keyward::secret> secret_from(const verb& v, const arguments& args, std::string_view& variable,
                                           int& status) {
  const std::optional<std::string_view> named = secret_variable(v, args, default_secret_variable, status);
  if (!named) return std::nullopt;
  variable = *named;
  std::string error;
  std::optional<std::string> text = from_environment(variable, error);
  if (!text) {
    status = usage_error(v, error);
    return std::nullopt;
  }
  return keyward::secret(std::move(*text));
}

/// The body: all of stdin; nullopt with `status` set when it is too long (rejected) or cannot be read (a
/// usage error).
std::optional<std::string> body_from_stdin(const verb& v, int& status) {
  stdin_failure failure;
  std::optional<std::string> body = read_stdin(max_body, failure);
  if (!body) status = report(v, failure);
  return body;
}

/// The lower-case hex of `mac`.
std::string hex(const keyward::webhook::tag& mac) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : mac) {
    text += digits[byte >> 4];
    text += digits[byte & 0xF];
  }
  return text;
}

/// The HMAC-SHA256 under `secret` (its bytes) of the concatenation of `parts`, in lower-case hex: the
/// signature of the Stripe, GitHub and Slack schemes.
std::string hex_mac(std::string_view secret, std::initializer_list<std::string_view> parts) {
  // `secret` comes from from_environment(), which refuses an empty value: make() cannot fail.
  const keyward::result<keyward::webhook::keyring> ring = keyward::webhook::keyring::make({secret});
  return hex(ring->sign([&](keyward::crypto::hmac_sha256::stream& mac) {
    for (const std::string_view part : parts) mac.update(part);
  }));
}

/// A new webhook-id: "msg_" and the base64url of 18 random bytes; nullopt when the OS source fails.
std::optional<std::string> new_message_id() {
  unsigned char bytes[18];
  if (!keyward::random::fill(bytes, sizeof bytes)) return std::nullopt;
  return "msg_" + keyward::base64::encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes),
                                          keyward::base64::url);
}

/// Prints header fields as `Name: value` lines, or as {"style":...,"headers":{...}} with --json.
void print_headers(const arguments& args, std::string_view style_name,
                   const std::vector<std::pair<std::string_view, std::string>>& fields) {
  if (!args.json()) {
    for (const auto& [name, value] : fields) {
      std::printf("%.*s: %s\n", static_cast<int>(name.size()), name.data(), value.c_str());
    }
    return;
  }
  std::string out = "{\"style\":" + json_string(style_name) + ",\"headers\":{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out += ",";
    out += json_string(fields[i].first) + ":" + json_string(fields[i].second);
  }
  std::printf("%s}}\n", out.c_str());
}

/// `keyward webhook sign`.
int sign(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args =
      parse_or_report(sign_verb, argv, {{"style", true}, {"secret-env", true}, {"id", true}, {"timestamp", true}},
                      status);
  if (!args) return status;
  if (!args->positional().empty()) return usage_error(sign_verb, "takes no positional argument (the body is stdin)");
  const std::optional<style> kind = style_from(sign_verb, *args, status);
  if (!kind) return status;
  if (args->value("id") && *kind != style::standard) return usage_error(sign_verb, "--id is for --style standard");
  if (args->value("timestamp") && *kind == style::github) {
    return usage_error(sign_verb, "--timestamp does not apply to github, which signs no timestamp");
  }
  const std::optional<sys_seconds> when = time_option(sign_verb, *args, "timestamp", status);
  if (!when) return status;
  std::string_view variable;
  const std::optional<keyward::secret> secret = secret_from(sign_verb, *args, variable, status);
  if (!secret) return status;
  const std::string style_name(args->value("style").value_or(""));
  const std::string timestamp = std::to_string(when->time_since_epoch().count());

  if (*kind == style::standard) {
    const keyward::result<keyward::webhook::standard_signer> signer =
        keyward::webhook::standard_signer::make(secret->reveal());
    if (!signer) {
      return usage_error(sign_verb, std::string(variable) + ": " + signer.error().message() +
                                        " (a Standard Webhooks secret is whsec_ and the Base64 of 24 bytes or more)");
    }
    std::string id;
    if (const std::optional<std::string_view> given = args->value("id")) {
      id = std::string(*given);
    } else if (const std::optional<std::string> made = new_message_id()) {
      id = *made;
    } else {
      return rejected(sign_verb, "the operating system's random source failed");
    }
    const std::optional<std::string> body = body_from_stdin(sign_verb, status);
    if (!body) return status;
    const keyward::result<std::string> signature = signer->signature(id, *body, *when);
    if (!signature) return rejected(sign_verb, "--id: " + describe(signature.error()));
    print_headers(*args, style_name,
                  {{keyward::webhook::standard_id_header, id},
                   {keyward::webhook::standard_timestamp_header, timestamp},
                   {keyward::webhook::standard_signature_header, *signature}});
    return exit_ok;
  }
  const std::optional<std::string> body = body_from_stdin(sign_verb, status);
  if (!body) return status;
  switch (*kind) {
    case style::stripe:
      print_headers(*args, style_name,
                    {{keyward::webhook::stripe_signature_header,
                      "t=" + timestamp + ",v1=" + hex_mac(secret->reveal(), {timestamp, ".", *body})}});
      break;
    case style::github:
      print_headers(*args, style_name,
                    {{keyward::webhook::github_signature_header, "sha256=" + hex_mac(secret->reveal(), {*body})}});
      break;
    default:
      print_headers(*args, style_name,
                    {{keyward::webhook::slack_timestamp_header, timestamp},
                     {keyward::webhook::slack_signature_header,
                      "v0=" + hex_mac(secret->reveal(), {"v0:", timestamp, ":", *body})}});
      break;
  }
  return exit_ok;
}

/// The received header fields, from the --header options.
class received_headers {
 public:
  /// Reads every --header 'Name: value'; false with `error` set for one without ':' or a name given twice.
  bool read(const arguments& args, std::string& error) {
    for (const std::string_view field : args.values("header")) {
      const std::size_t colon = field.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        error = "--header needs 'Name: value' (got '" + std::string(field) + "')";
        return false;
      }
      const std::string_view name = field.substr(0, colon);
      if (has(name)) {
        error = "--header " + std::string(name) + " is given twice";
        return false;
      }
      // Without the OWS around it (RFC 9110 section 5.5), so that error offsets count from its first byte.
      std::string_view value = field.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      fields_.emplace_back(name, value);
    }
    return true;
  }
  /// Whether a field `name` was given (even with an empty value).
  bool has(std::string_view name) const {
    for (const auto& field : fields_) {
      if (equal_ignoring_ascii_case(field.first, name)) return true;
    }
    return false;
  }
  /// The value of the field `name`; empty when absent.
  std::string_view value(std::string_view name) const {
    for (const auto& [given, value] : fields_) {
      if (equal_ignoring_ascii_case(given, name)) return value;
    }
    return {};
  }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> fields_;  ///< name and value (OWS trimmed), in order
};

/// The header a verifier error concerns, for the message: which field holds the offset.
std::string_view field_of(style kind, keyward::errc code) {
  using keyward::errc;
  switch (kind) {
    case style::standard:
      if (code == errc::webhook_invalid_id) return keyward::webhook::standard_id_header;
      if (code == errc::webhook_invalid_timestamp) return keyward::webhook::standard_timestamp_header;
      return keyward::webhook::standard_signature_header;
    case style::stripe: return keyward::webhook::stripe_signature_header;
    case style::github: return keyward::webhook::github_signature_header;
    default:
      if (code == errc::webhook_invalid_timestamp) return keyward::webhook::slack_timestamp_header;
      return keyward::webhook::slack_signature_header;
  }
}

/// The header fields `kind` needs, for the message of webhook_missing_header.
std::string_view fields_needed(style kind) {
  switch (kind) {
    case style::standard: return "webhook-id, webhook-timestamp and webhook-signature";
    case style::stripe: return "Stripe-Signature";
    case style::github: return "X-Hub-Signature-256";
    default: return "X-Slack-Request-Timestamp and X-Slack-Signature";
  }
}

/// `keyward webhook verify`.
int verify(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args =
      parse_or_report(verify_verb, argv,
                      {{"style", true},
                       {"secret-env", true},
                       {"header", true, true},
                       {"tolerance", true},
                       {"now", true}},
                      status);
  if (!args) return status;
  if (!args->positional().empty()) return usage_error(verify_verb, "takes no positional argument (the body is stdin)");
  const std::optional<style> kind = style_from(verify_verb, *args, status);
  if (!kind) return status;
  if (*kind == style::github && (args->value("tolerance") || args->value("now"))) {
    return usage_error(verify_verb, "--tolerance and --now do not apply to github, which signs no timestamp");
  }
  const std::optional<sys_seconds> now = time_option(verify_verb, *args, "now", status);
  if (!now) return status;
  const std::optional<std::int64_t> tolerance = parse_integer(args->value("tolerance").value_or("300"));
  if (!tolerance || *tolerance < 1) {
    return usage_error(verify_verb, "--tolerance needs a whole number of seconds, at least 1");
  }
  received_headers headers;
  std::string error;
  if (!headers.read(*args, error)) return usage_error(verify_verb, error);
  std::string_view variable;
  const std::optional<keyward::secret> secret = secret_from(verify_verb, *args, variable, status);
  if (!secret) return status;
  const std::optional<std::string> body = body_from_stdin(verify_verb, status);
  if (!body) return status;

  namespace hook = keyward::webhook;
  keyward::result<void> verdict;
  std::optional<keyward::error> setup;  // why the verifier of the style could not be made
  switch (*kind) {
    case style::standard: {
      hook::standard_options options;
      options.tolerance = seconds(*tolerance);
      const keyward::result<hook::standard_verifier> verifier =
          hook::standard_verifier::make({secret->reveal()}, options);
      if (!verifier) {
        setup = verifier.error();
        break;
      }
      verdict = verifier->verify({headers.value(hook::standard_id_header),
                                  headers.value(hook::standard_timestamp_header),
                                  headers.value(hook::standard_signature_header)},
                                 *body, *now);
      break;
    }
    case style::stripe: {
      hook::stripe_options options;
      options.tolerance = seconds(*tolerance);
      const keyward::result<hook::stripe_verifier> verifier = hook::stripe_verifier::make({secret->reveal()}, options);
      if (!verifier) {
        setup = verifier.error();
        break;
      }
      verdict = verifier->verify(headers.value(hook::stripe_signature_header), *body, *now);
      break;
    }
    case style::github: {
      const keyward::result<hook::github_verifier> verifier = hook::github_verifier::make({secret->reveal()});
      if (!verifier) {
        setup = verifier.error();
        break;
      }
      verdict = verifier->verify(headers.value(hook::github_signature_header), *body);
      break;
    }
    case style::slack: {
      hook::slack_options options;
      options.tolerance = seconds(*tolerance);
      const keyward::result<hook::slack_verifier> verifier = hook::slack_verifier::make({secret->reveal()}, options);
      if (!verifier) {
        setup = verifier.error();
        break;
      }
      verdict = verifier->verify(
          {headers.value(hook::slack_timestamp_header), headers.value(hook::slack_signature_header)}, *body, *now);
      break;
    }
  }
  if (setup) return usage_error(verify_verb, std::string(variable) + ": " + setup->message());
  if (!verdict) {
    const keyward::error failure = verdict.error();
    if (failure == keyward::errc::webhook_missing_header) {
      return rejected(verify_verb,
                      std::string(failure.message()) + " (" + std::string(fields_needed(*kind)) + " needed)");
    }
    return rejected(verify_verb, describe(failure, field_of(*kind, failure.code())));
  }
  if (args->json()) {
    std::printf("{\"valid\":true,\"style\":%s}\n", json_string(args->value("style").value_or("")).c_str());
  } else {
    std::puts("valid");
  }
  return exit_ok;
}

}  // namespace

/// `keyward webhook sign|verify` (commands.hpp).
int webhook_command(const std::vector<std::string_view>& args) {
  return run_group(group_verb, args, {{"sign", sign}, {"verify", verify}});
}

}  // namespace keyward_cli
