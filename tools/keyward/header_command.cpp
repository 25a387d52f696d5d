// `keyward header basic|bearer|parse`: make the Authorization value for an API key, and explain an
// Authorization or WWW-Authenticate value (http/credentials.hpp, basic.hpp, bearer.hpp, challenge.hpp).
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/ct.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/challenge.hpp>
#include <keyward/http/credentials.hpp>
#include <keyward/keys/env.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/scan.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace keyward_cli;
namespace http = keyward::http;
namespace keys = keyward::keys;

/// `keyward header`: the group's help (its sub-verbs).
constexpr verb group_verb{"header",
                          "usage: keyward header basic|bearer|parse [options]\n"
                          "\n"
                          "  header basic               Basic base64(KEY:) for the key in $KEYWARD_API_KEY (or on stdin)\n"
                          "  header bearer              Bearer KEY for the key in $KEYWARD_API_KEY (or on stdin)\n"
                          "  header parse VALUE|-       explain an Authorization or WWW-Authenticate value\n"
                          "\n"
                          "Each sub-verb has its own --help.\n"};

/// `keyward header basic`: its name and help.
constexpr verb basic_verb{
    "header basic",
    "usage: keyward header basic [--key-env NAME] [--json]\n"
    "\n"
    "Prints the Authorization value that sends an API key as the Basic user-id with an empty password\n"
    "(RFC 7617): `Basic base64(KEY:)`. The key comes from the environment, or else from the first line of\n"
    "stdin, never from the command line (which other users of the machine can read). The key is checked\n"
    "first: empty, a placeholder (`<your key>`, `sk_live_...`), whitespace or quotes around it are refused.\n"
    "  curl -H \"Authorization: $(keyward header basic)\" https://api.example/v1/items\n"
    "\n"
    "Options:\n"
    "  --key-env NAME       read the key from NAME instead of KEYWARD_API_KEY\n"
    "  --json               {\"authorization\": \"Basic ...\"}\n"
    "\n"
    "Environment:\n"
    "  KEYWARD_API_KEY      the key; when unset, the first line of stdin is read\n"
    "\n"
    "Exit codes: 0 printed, 1 the key cannot be sent (the reason on stderr), 2 usage (the variable unset and\n"
    "nothing on stdin or stdin a terminal, the variable set but empty (stdin is then not read), stdin\n"
    "unreadable or its line over 64 KiB, --key-env empty, a bad or repeated option).\n"};

/// `keyward header bearer`: its name and help.
constexpr verb bearer_verb{
    "header bearer",
    "usage: keyward header bearer [--key-env NAME] [--json]\n"
    "\n"
    "Prints the Authorization value `Bearer KEY` (RFC 6750 section 2.1). The key comes from the environment,\n"
    "or else from the first line of stdin, never from the command line. The key is checked first (empty, a\n"
    "placeholder, whitespace or quotes, a byte outside RFC 6750's b64token).\n"
    "  curl -H \"Authorization: $(keyward header bearer)\" https://api.example/v1/items\n"
    "\n"
    "Options:\n"
    "  --key-env NAME       read the key from NAME instead of KEYWARD_API_KEY\n"
    "  --json               {\"authorization\": \"Bearer ...\"}\n"
    "\n"
    "Environment:\n"
    "  KEYWARD_API_KEY      the key; when unset, the first line of stdin is read\n"
    "\n"
    "Exit codes: 0 printed, 1 the key cannot be sent (the reason on stderr), 2 usage (the variable unset and\n"
    "nothing on stdin or stdin a terminal, the variable set but empty (stdin is then not read), stdin\n"
    "unreadable or its line over 64 KiB, --key-env empty, a bad or repeated option).\n"};

/// `keyward header parse`: its name and help.
constexpr verb parse_verb{
    "header parse",
    "usage: keyward header parse VALUE|- [--as credentials|challenge] [--json]\n"
    "\n"
    "Explains an Authorization value (credentials, RFC 9110 section 11.4) or a WWW-Authenticate value (one or\n"
    "more challenges, section 11.6.1). `-` reads the value from stdin (one line). A leading field name\n"
    "(`Authorization:`, `Proxy-Authorization:`, `WWW-Authenticate:`, `Proxy-Authenticate:`) is allowed and\n"
    "says which it is. Without it or --as, the value is read as credentials, then as challenges; a Basic or\n"
    "Bearer value with auth-params (`Bearer realm=\"api\"`) is a challenge, as their credentials are a token.\n"
    "\n"
    "Secrets are never printed. Credentials: the scheme; for Basic the user-id (redacted when it is an API\n"
    "key, that is when the password is empty or it has a key's form) and whether the password is empty (it\n"
    "is never printed); for Bearer the token, redacted (an API key's prefix and id, else its length); for\n"
    "other schemes the parameter names and the lengths of their values, or the length of the token68.\n"
    "Challenges: each challenge's scheme and its parameters (a value that is an API key redacted), and its\n"
    "token68 redacted like a Bearer token.\n"
    "\n"
    "On an error, prints on stdout the value with every byte after the scheme masked as '*' (the length\n"
    "kept; spaces, commas, '=' and '\"' shown), the offending byte itself shown only when it belongs to no\n"
    "token or quoted value, and a caret under it; the reason goes to stderr (`... at byte N`, N from 0).\n"
    "\n"
    "Options:\n"
    "  --as credentials|challenge   how to read the value (default: detect it)\n"
    "  --json               one JSON object: kind, scheme and details (credentials), or kind and challenges\n"
    "                       [{scheme, token68, token68_length, params [{name, value, quoted}]}]; nothing on\n"
    "                       stdout when the value does not parse\n"
    "\n"
    "Exit codes: 0 the value parses, 1 it does not, or the line on stdin is over 64 KiB (the reason on\n"
    "stderr), 2 usage (a bad or repeated option, no value, empty or unreadable stdin).\n"};

/// The key from `variable`, else the first line of stdin, checked as a key's text (keys::check_key_text:
/// not empty, no placeholder, no whitespace or quotes); nullopt after printing the error, with `status` set.
std::optional<keyward::secret> read_key(const verb& v, std::string_view variable, int& status) {
  std::string error;
  std::optional<std::string> text = secret_from_env_or_stdin(variable, error);
  if (!text) {
    status = usage_error(v, error);
    return std::nullopt;
  }
  keyward::secret key(std::move(*text));
  if (const keyward::result<void> checked = keys::check_key_text(key.reveal()); !checked) {
    status = rejected(v, "the key cannot be sent: " + describe(checked.error()));
    return std::nullopt;
  }
  return key;
}

/// Prints the Authorization value `value` (text, or {"authorization": ...} with --json).
void print_authorization(std::string_view value, bool json) {
  if (json) {
    std::printf("{\"authorization\":%s}\n", json_string(value).c_str());
  } else {
    std::printf("%.*s\n", static_cast<int>(value.size()), value.data());
  }
}

/// `keyward header basic` and `keyward header bearer`: `basic` chooses which.
int header_authorization(const verb& v, bool basic, const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(v, args_in, {{"key-env", true}}, status);
  if (!args) return status;
  if (!args->positional().empty())
    return usage_error(v, "the key is not an argument: set KEYWARD_API_KEY (or --key-env NAME) or pipe it to stdin");
  const std::string_view variable = args->value("key-env").value_or("KEYWARD_API_KEY");
  if (variable.empty()) return usage_error(v, "--key-env needs a variable name");
  const std::optional<keyward::secret> key = read_key(v, variable, status);
  if (!key) return status;
  keyward::result<std::string> value = basic ? http::basic_api_key(key->reveal()) : http::bearer(key->reveal());
  if (!value) return rejected(v, "the key cannot be sent: " + describe(value.error()));
  print_authorization(*value, args->json());
  keyward::ct::secure_zero(value->data(), value->size());
  return exit_ok;
}

/// `keyward header basic`.
int header_basic(const std::vector<std::string_view>& args) { return header_authorization(basic_verb, true, args); }

/// `keyward header bearer`.
int header_bearer(const std::vector<std::string_view>& args) { return header_authorization(bearer_verb, false, args); }

// ---------------------------------------------------------------------------------------------------------
// header parse

/// What may be shown of a secret: the public part of a key, or its length.
struct shown_secret {
  std::string text;     ///< what to print
  bool is_key = false;  ///< true when the secret has the form of an API key
};

/// What may be shown of `text` when it is a secret: the public part of a key (a keyward key of any prefix
/// that parses, as inferred_key_entry() finds it; a Stripe-style key), else its length.
shown_secret show_secret(std::string_view text) {
  if (const std::optional<keys::prefix_entry> entry = inferred_key_entry(text)) {
    const keyward::result<keys::prefix_table<1>> table = keys::prefix_table<1>::make({*entry});
    if (table) return {keys::redact(text, *table) + " (an API key, redacted)", true};
  }
  keys::scanner_options options;
  options.patterns.assign(std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns));
  if (const keyward::result<keys::scanner> scanner = keys::scanner::make(std::move(options))) {
    const std::vector<keys::scan_match> found = scanner->scan(text);
    if (found.size() == 1 && found[0].offset == 0 && found[0].length == text.size())
      return {std::string(text.substr(0, found[0].public_length)) + "... (an API key, redacted)", true};
  }
  return {"[" + std::to_string(text.size()) + " bytes, not shown]", false};
}

/// How much of auth-param values may be shown.
enum class param_values {
  lengths_only,   ///< credentials of other schemes (Digest response=, Token token=): any value may be a secret
  keys_redacted,  ///< challenges (realm, error, nonce are public): only a value that is an API key is redacted
};

/// What is shown of the value of `p` under `policy`: nullopt for its length only, else the value (resolved),
/// or its redaction when it is an API key.
std::optional<std::string> shown_value(const http::auth_param& p, param_values policy) {
  if (policy == param_values::lengths_only) return std::nullopt;
  std::string value = p.value();
  shown_secret shown = show_secret(value);
  keyward::ct::secure_zero(value.data(), value.size());
  if (shown.is_key) return std::move(shown.text);
  return p.value();
}

/// The parameters `params` as a JSON array of {name, value, quoted} (keys_redacted) or {name, value_length,
/// quoted} (lengths_only).
std::string params_json(const http::auth_params& params, param_values policy) {
  std::string text = "[";
  for (const http::auth_param& p : params) {
    if (text.size() > 1) text += ',';
    const std::optional<std::string> value = shown_value(p, policy);
    text += "{\"name\":" + json_string(p.name()) +
            (value ? ",\"value\":" + json_string(*value) : ",\"value_length\":" + std::to_string(p.value_size())) +
            ",\"quoted\":" + (p.quoted() ? "true" : "false") + "}";
  }
  return text + "]";
}

/// Prints `params` one a line, indented, as name = "value" (quoted-pairs resolved), name = token, or
/// name = [N bytes, not shown] (lengths_only).
void print_params(const http::auth_params& params, param_values policy) {
  for (const http::auth_param& p : params) {
    const std::optional<std::string> value = shown_value(p, policy);
    std::string shown = "[" + std::to_string(p.value_size()) + " bytes, not shown]";
    if (value) shown = p.quoted() ? json_string(*value) : printable(*value);
    std::printf("  %s = %s\n", printable(p.name()).c_str(), shown.c_str());
  }
}

/// Which kind of value `header parse` reads.
enum class value_kind {
  credentials,  ///< an Authorization value (RFC 9110 section 11.4)
  challenge,    ///< a WWW-Authenticate value: one or more challenges (section 11.6.1)
};

/// The value to parse, where it sits in the text given (`shift`: the bytes of a field name before it), and
/// the kind its field name says, if any.
struct field_input {
  std::string_view value;            ///< the field value (after the field name and its colon)
  std::size_t shift = 0;             ///< where `value` starts in the text given
  std::optional<value_kind> named;   ///< the kind the field name says, if one was given
};

/// Splits a leading field name off `text` (Authorization:, Proxy-Authorization:, WWW-Authenticate:,
/// Proxy-Authenticate:, any case).
field_input split_field_name(std::string_view text) {
  /// A field name (lower case, with its colon) and the kind of value it holds.
  struct name {
    std::string_view text;  ///< lower case, with the colon
    value_kind kind;        ///< what the field holds
  };
  static constexpr name names[] = {{"authorization:", value_kind::credentials},
                                   {"proxy-authorization:", value_kind::credentials},
                                   {"www-authenticate:", value_kind::challenge},
                                   {"proxy-authenticate:", value_kind::challenge}};
  for (const name& n : names) {
    if (equal_ignoring_ascii_case(text.substr(0, n.text.size()), n.text)) {
      return {text.substr(n.text.size()), n.text.size(), n.kind};
    }
  }
  return {text, 0, std::nullopt};
}

/// Why a value did not parse: the kind it was read as and the library's error.
struct parse_failure {
  value_kind kind;       ///< what the value was read as
  keyward::error cause;  ///< the parser's error (its offset counts from the start of the field value)
};

/// Explains Basic credentials `value` (already valid as credentials); the failure of parse_basic otherwise.
std::optional<parse_failure> explain_basic(std::string_view value, std::string_view scheme, bool json) {
  std::string buffer(http::basic_buffer_size(value), '\0');
  const keyward::result<http::basic_credentials> parsed = http::parse_basic(value, buffer.data(), buffer.size());
  if (!parsed) {
    keyward::ct::secure_zero(buffer.data(), buffer.size());
    return parse_failure{value_kind::credentials, parsed.error()};
  }
  const bool empty_password = parsed->password.empty();
  const shown_secret shown_key = show_secret(parsed->user);
  const bool user_is_key = empty_password || shown_key.is_key;
  const std::string user = user_is_key ? shown_key.text : std::string(parsed->user);
  if (json) {
    std::printf("{\"kind\":\"credentials\",\"scheme\":%s,\"user\":%s,\"user_redacted\":%s,\"password_empty\":%s}\n",
                json_string(scheme).c_str(), json_string(user).c_str(), user_is_key ? "true" : "false",
                empty_password ? "true" : "false");
  } else {
    std::printf("kind:         credentials (an Authorization value)\n");
    std::printf("scheme:       %.*s\n", static_cast<int>(scheme.size()), scheme.data());
    std::printf("user:         %s\n", printable(user).c_str());
    std::printf("password:     %s\n", empty_password ? "empty (an API key sent as the user-id)" : "set (not shown)");
  }
  keyward::ct::secure_zero(buffer.data(), buffer.size());
  return std::nullopt;
}

/// Explains Bearer credentials `value`; the failure of parse_bearer otherwise.
std::optional<parse_failure> explain_bearer(std::string_view value, std::string_view scheme, bool json) {
  const keyward::result<std::string_view> token = http::parse_bearer(value);
  if (!token) return parse_failure{value_kind::credentials, token.error()};
  const std::string shown = show_secret(*token).text;
  if (json) {
    std::printf("{\"kind\":\"credentials\",\"scheme\":%s,\"token\":%s,\"token_length\":%zu}\n",
                json_string(scheme).c_str(), json_string(shown).c_str(), token->size());
  } else {
    std::printf("kind:         credentials (an Authorization value)\n");
    std::printf("scheme:       %.*s\n", static_cast<int>(scheme.size()), scheme.data());
    std::printf("token:        %s\n", shown.c_str());
  }
  return std::nullopt;
}

/// Explains credentials `c` of `value`: Basic and Bearer by their own parsers, other schemes generically.
std::optional<parse_failure> explain_credentials(std::string_view value, const http::credentials& c, bool json) {
  if (c.scheme_is("basic")) return explain_basic(value, c.scheme, json);
  if (c.scheme_is("bearer")) return explain_bearer(value, c.scheme, json);
  if (json) {
    std::printf("{\"kind\":\"credentials\",\"scheme\":%s,\"token68_length\":%s,\"params\":%s}\n",
                json_string(c.scheme).c_str(), c.token68.empty() ? "null" : std::to_string(c.token68.size()).c_str(),
                params_json(c.params, param_values::lengths_only).c_str());
    return std::nullopt;
  }
  std::printf("kind:         credentials (an Authorization value)\n");
  std::printf("scheme:       %.*s\n", static_cast<int>(c.scheme.size()), c.scheme.data());
  if (!c.token68.empty()) std::printf("token68:      [%zu bytes, not shown]\n", c.token68.size());
  if (!c.params.empty()) {
    std::printf("parameters:   %zu\n", c.params.size());
    print_params(c.params, param_values::lengths_only);
  }
  return std::nullopt;
}

/// Explains the challenges `list`.
void explain_challenges(const http::challenge_list& list, bool json) {
  if (json) {
    std::string text = "{\"kind\":\"challenge\",\"challenges\":[";
    bool first = true;
    for (const http::challenge& c : list) {
      if (!first) text += ',';
      first = false;
      const bool token68 = !c.token68.empty();
      text += "{\"scheme\":" + json_string(c.scheme) +
              ",\"token68\":" + (token68 ? json_string(show_secret(c.token68).text) : std::string("null")) +
              ",\"token68_length\":" + (token68 ? std::to_string(c.token68.size()) : std::string("null")) +
              ",\"params\":" + params_json(c.params, param_values::keys_redacted) + "}";
    }
    text += "]}\n";
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::printf("kind:         challenge (a WWW-Authenticate value), %zu challenge%s\n", list.size(),
              list.size() == 1 ? "" : "s");
  std::size_t n = 0;
  for (const http::challenge& c : list) {
    std::printf("challenge %zu:  %.*s\n", ++n, static_cast<int>(c.scheme.size()), c.scheme.data());
    if (!c.token68.empty()) std::printf("  token68 = %s\n", show_secret(c.token68).text.c_str());
    print_params(c.params, param_values::keys_redacted);
  }
}

/// Whether `c` is a tchar (RFC 9110 section 5.6.2) or '/': a byte of a scheme, a token or a token68.
bool is_token_byte(char c) {
  constexpr std::string_view others = "!#$%&'*+-.^_`|~/";
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         others.find(c) != std::string_view::npos;
}

/// `text` (a field value from byte `shift` on) as it may be echoed above a caret at byte `at`: the field name,
/// the blanks and the first scheme kept; after it, every byte masked as '*' (same length, so the caret lines
/// up) but the structure (space, tab, ',', '=', '"'), and the byte at `at` when it is outside quotes and
/// not a token byte (so belongs to no token68, token or quoted value). Control bytes are left for
/// print_caret to show as '.'.
std::string masked_for_echo(std::string_view text, std::size_t shift, std::size_t at) {
  std::string shown(text);
  std::size_t i = shift;
  while (i < shown.size() && (shown[i] == ' ' || shown[i] == '\t')) ++i;
  while (i < shown.size() && is_token_byte(shown[i])) ++i;  // the scheme
  bool quoted = false, escaped = false;
  for (; i < shown.size(); ++i) {
    const char c = shown[i];
    const bool in_quotes = quoted;
    if (escaped) {
      escaped = false;
    } else if (quoted && c == '\\') {
      escaped = true;
    } else if (c == '"') {
      quoted = !quoted;
    }
    const bool structure = c == ' ' || c == '\t' || c == ',' || c == '=' || (c == '"' && !escaped);
    const auto byte = static_cast<unsigned char>(c);
    const bool offending_shown = i == at && !in_quotes && !is_token_byte(c) && byte < 0x80;
    if (!structure && !offending_shown) shown[i] = '*';
  }
  return shown;
}

/// Prints the failure `f` of the value `text` (as given, field name included; the value starts at byte
/// `shift`): the value masked (masked_for_echo) with a caret on stdout unless `json` (a rejection prints
/// nothing on stdout then), the reason on stderr. Returns exit_rejected.
int report_failure(std::string_view text, std::size_t shift, const parse_failure& f, bool json) {
  const char* kind = f.kind == value_kind::credentials ? "credentials" : "challenge";
  const keyward::error& cause = f.cause;
  const std::size_t at = cause.offset() + shift;
  if (!json && cause.has_offset()) {
    std::string masked = masked_for_echo(text, shift, at);
    print_caret(stdout, masked, at);
    keyward::ct::secure_zero(masked.data(), masked.size());
  }
  std::fflush(stdout);
  std::string reason = std::string("not valid ") + kind + ": " + cause.message();
  if (cause.has_offset()) reason += " at byte " + std::to_string(at);
  return rejected(parse_verb, reason);
}

/// The offset of a failure for comparing how far two parses got (no offset counts as before the start).
std::size_t reach(const keyward::error& e) { return e.has_offset() ? e.offset() + 1 : 0; }

/// `keyward header parse`.
int header_parse(const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(parse_verb, args_in, {{"as", true}}, status);
  if (!args) return status;
  std::optional<value_kind> wanted;
  if (const auto as = args->value("as")) {
    if (*as == "credentials") wanted = value_kind::credentials;
    else if (*as == "challenge") wanted = value_kind::challenge;
    else return usage_error(parse_verb, "--as must be credentials or challenge");
  }
  std::optional<std::string> given = value_or_stdin_line(parse_verb, *args, "VALUE", status);
  if (!given) return status;
  std::string& text = *given;
  const field_input input = split_field_name(text);
  if (input.named && wanted && *input.named != *wanted)
    return usage_error(parse_verb, "the field name contradicts --as");
  if (input.named) wanted = input.named;
  const bool json = args->json();

  const keyward::result<http::credentials> credentials = http::parse_credentials(input.value);
  const keyward::result<http::challenge_list> challenges = http::parse_challenges(input.value);
  // Basic and Bearer credentials are a token68: with auth-params (or nothing) such a value is a challenge.
  const bool token_scheme = credentials && (credentials->scheme_is("basic") || credentials->scheme_is("bearer"));
  const bool reads_as_challenge = token_scheme && credentials->token68.empty() && challenges;
  value_kind kind = value_kind::credentials;
  if (wanted) {
    kind = *wanted;
  } else if (credentials) {
    kind = reads_as_challenge ? value_kind::challenge : value_kind::credentials;
  } else if (challenges || reach(challenges.error()) > reach(credentials.error())) {
    kind = value_kind::challenge;
  }

  std::optional<parse_failure> failure;
  if (kind == value_kind::credentials) {
    if (!credentials) {
      failure = parse_failure{kind, credentials.error()};
    } else {
      failure = explain_credentials(input.value, *credentials, json);
    }
  } else if (!challenges) {
    failure = parse_failure{kind, challenges.error()};
  } else {
    explain_challenges(*challenges, json);
  }
  int result = exit_ok;
  if (failure) result = report_failure(text, input.shift, *failure, json);
  keyward::ct::secure_zero(text.data(), text.size());
  return result;
}

}  // namespace

namespace keyward_cli {

/// `keyward header basic|bearer|parse` (commands.hpp).
int header_command(const std::vector<std::string_view>& args) {
  return run_group(group_verb, args, {{"basic", header_basic}, {"bearer", header_bearer}, {"parse", header_parse}});
}

}  // namespace keyward_cli
