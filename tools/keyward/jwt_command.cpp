// `keyward jwt decode|verify|sign`: JSON Web Tokens (RFC 7519) in compact JWS form (RFC 7515) signed with
// HS256, HS384 or HS512, through keyward::jwt (parse_jws, verifier, signer, claims_builder). Secrets come
// from an environment variable, never from argv.
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/jwt/algorithm.hpp>
#include <keyward/jwt/json.hpp>
#include <keyward/jwt/jws.hpp>
#include <keyward/jwt/sign.hpp>
#include <keyward/jwt/verifier.hpp>
#include <keyward/secret.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward_cli {
namespace {

using std::chrono::seconds;
/// A UTC instant in whole seconds: what --now gives and what the verifier and the claims builder take.
using unix_time = std::chrono::time_point<std::chrono::system_clock, seconds>;

/// The variable the HMAC secret is read from when --secret-env is not given.
constexpr std::string_view default_secret_variable = "KEYWARD_JWT_SECRET";
/// The most --claims-json reads from stdin.
constexpr std::size_t max_claims_json = 1024 * 1024;
/// The longest --ttl: 2^31 seconds (about 68 years).
constexpr std::int64_t max_ttl = std::int64_t{1} << 31;

/// `keyward jwt decode`: its name and help.
constexpr verb decode_verb{"jwt decode",
                           "usage: keyward jwt decode TOKEN|- [--json]\n"
                           "\n"
                           "Prints the header and the claims of a JWT (compact JWS), pretty-printed, and the\n"
                           "registered times (exp, nbf, iat) as UTC dates. The signature is NOT verified (a note\n"
                           "on stderr says so): use 'keyward jwt verify' to trust a token.\n"
                           "\n"
                           "  TOKEN         the token; '-' reads it from the first line of stdin\n"
                           "  --json        one JSON object: header, claims, times, signature_bytes, verified\n"
                           "\n"
                           "Exit codes: 0 decoded; 1 the token is malformed (reason and byte offset on stderr;\n"
                           "nothing on stdout) or the line on stdin is longer than 64 KiB; 2 usage error (no\n"
                           "TOKEN, empty or unreadable stdin).\n"};

/// `keyward jwt verify`: its name and help.
constexpr verb verify_verb{
    "jwt verify",
    "usage: keyward jwt verify TOKEN|- [--secret-env NAME] [--alg HS256|HS384|HS512] [--iss ISSUER]\n"
    "                          [--aud AUDIENCE]... [--sub SUBJECT] [--leeway SECONDS] [--now UNIX_SECONDS]\n"
    "                          [--json]\n"
    "\n"
    "Verifies the signature and the claims of a JWT with keyward's jwt::verifier: exp is required,\n"
    "alg must be the one given (alg none is never accepted), a token carrying aud is refused unless\n"
    "--aud names one of its values. Prints 'valid' and the claims.\n"
    "\n"
    "  TOKEN              the token; '-' reads it from the first line of stdin\n"
    "  --secret-env NAME  the variable holding the HMAC secret (default KEYWARD_JWT_SECRET); at least\n"
    "                     32, 48 or 64 bytes for HS256, HS384, HS512\n"
    "  --alg ALG          the one algorithm accepted (default HS256)\n"
    "  --iss ISSUER       iss is required and must equal ISSUER\n"
    "  --aud AUDIENCE     an accepted audience (repeatable); aud is then required\n"
    "  --sub SUBJECT      sub is required and must equal SUBJECT\n"
    "  --leeway SECONDS   clock skew tolerated on exp, nbf and iat, 0 to 300 (default 60)\n"
    "  --now UNIX_SECONDS the time to check at, 0 or more (default: now)\n"
    "  --json             one JSON object: valid, alg, kid, claims, times\n"
    "\n"
    "Environment: KEYWARD_JWT_SECRET (or the variable named by --secret-env).\n"
    "Exit codes: 0 valid; 1 rejected (the reason on stderr, nothing on stdout: expired, wrong\n"
    "audience, invalid signature, alg none, ...; or the line on stdin is longer than 64 KiB); 2 usage\n"
    "error (a bad option, no TOKEN, empty or unreadable stdin, the secret variable unset, empty or\n"
    "too short).\n"};

/// `keyward jwt sign`: its name and help.
constexpr verb sign_verb{
    "jwt sign",
    "usage: keyward jwt sign [--secret-env NAME] [--alg HS256|HS384|HS512] [--iss ISSUER] [--sub SUBJECT]\n"
    "                        [--aud AUDIENCE]... [--ttl SECONDS] [--claim NAME=VALUE]...\n"
    "                        [--claims-json JSON|-] [--kid KID] [--now UNIX_SECONDS] [--json]\n"
    "\n"
    "Makes a signed JWT and prints it. The claims are those of --claims-json (if given), then iat\n"
    "(now) and exp (now + ttl) unless --claims-json has them, then --iss, --sub, --aud and each\n"
    "--claim. A claim given twice is an error.\n"
    "\n"
    "  --secret-env NAME  the variable holding the HMAC secret (default KEYWARD_JWT_SECRET); at least\n"
    "                     32, 48 or 64 bytes for HS256, HS384, HS512\n"
    "  --alg ALG          HS256 (default), HS384 or HS512\n"
    "  --iss, --sub       the iss and sub claims\n"
    "  --aud AUDIENCE     an audience (repeatable: several make an array)\n"
    "  --ttl SECONDS      exp = now + SECONDS, 1 to 2147483648 (default 3600)\n"
    "  --claim NAME=VALUE a custom claim: a decimal integer VALUE is a number, true and false are\n"
    "                     booleans, anything else a string (repeatable)\n"
    "  --claims-json JSON a JSON object of claims; '-' reads it from stdin (at most 1 MiB)\n"
    "  --kid KID          the kid header parameter\n"
    "  --now UNIX_SECONDS the time the token is issued at, 0 or more (default: now)\n"
    "  --json             one JSON object: token, alg, claims\n"
    "\n"
    "Environment: KEYWARD_JWT_SECRET (or the variable named by --secret-env).\n"
    "Exit codes: 0 signed; 1 rejected input (bad --claims-json, a claim twice, bad UTF-8, stdin\n"
    "longer than 1 MiB; nothing on stdout); 2 usage error (a bad option, empty or unreadable stdin,\n"
    "the secret variable unset, empty or too short).\n"};

/// `keyward jwt`: the group's name and help.
constexpr verb group_verb{
    "jwt",
    "usage: keyward jwt decode|verify|sign ...\n"
    "\n"
    "  jwt decode TOKEN|-   print the header and claims, unverified\n"
    "  jwt verify TOKEN|-   verify the signature and the claims (secret in $KEYWARD_JWT_SECRET)\n"
    "  jwt sign             make a token (secret in $KEYWARD_JWT_SECRET)\n"
    "\n"
    "Each takes --help. Exit codes: 0 ok or valid, 1 rejected, 2 usage error.\n"};

/// The time given by --now (unix_seconds_option()), else now; nullopt with `status` set after a usage error.
std::optional<unix_time> now_option(const verb& v, const arguments& args, int& status) {
  const std::optional<std::int64_t> now = unix_seconds_option(v, args, "now", status);
  if (!now) return std::nullopt;
  return unix_time(seconds(*now));
}

/// The algorithm given by --alg (default HS256); nullopt with `status` set for anything but HS256/384/512.
std::optional<keyward::jwt::algorithm> algorithm_from(const verb& v, const arguments& args, int& status) {
  const std::string_view name = args.value("alg").value_or("HS256");
  const std::optional<keyward::jwt::algorithm> alg = keyward::jwt::algorithm_from_name(name);
  if (!alg || !keyward::jwt::is_hmac(*alg)) {
    status = usage_error(v, "--alg must be HS256, HS384 or HS512 (got '" + std::string(name) + "')");
    return std::nullopt;
  }
  return alg;
}

/// The HMAC secret from the variable secret_variable() names (default KEYWARD_JWT_SECRET), checked to be long
/// enough for `alg`; nullopt with `status` set (a usage error) otherwise. The copy read is wiped.
std::optional<keyward::secret> secret_from(const verb& v, const arguments& args, keyward::jwt::algorithm alg,
                                           int& status) {
  const std::optional<std::string_view> variable = secret_variable(v, args, default_secret_variable, status);
  if (!variable) return std::nullopt;
  std::string error;
  std::optional<std::string> text = from_environment(*variable, error);
  if (!text) {
    status = usage_error(v, error);
    return std::nullopt;
  }
  keyward::secret secret(std::move(*text));
  if (secret.size() < keyward::jwt::hmac_size(alg)) {
    status = usage_error(v, std::string(*variable) + " holds " + std::to_string(secret.size()) + " bytes; " +
                                std::string(keyward::jwt::name(alg)) + " needs at least " +
                                std::to_string(keyward::jwt::hmac_size(alg)) + " (RFC 7518 section 3.2)");
    return std::nullopt;
  }
  return secret;
}

/// `when` as an RFC 3339 UTC date ("2026-01-01T00:00:00Z"); "out of range" when the C library cannot
/// express it.
std::string utc_date(std::int64_t when) {
  const auto time = static_cast<std::time_t>(when);
  const std::tm* const parts = std::gmtime(&time);  // the command has one thread: its static result is safe
  char text[64];
  if (parts == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", parts) == 0) return "out of range";
  return text;
}

/// Appends `value` as indented JSON (two spaces per level, starting at `depth`) to `out`. Strings and
/// numbers are copied as they are in the token, escapes included.
void pretty(const keyward::jwt::json_value& value, std::size_t depth, std::string& out) {
  using keyward::jwt::json_type;
  const std::string inner((depth + 1) * 2, ' ');
  const std::string outer(depth * 2, ' ');
  if (value.type() == json_type::object) {
    const keyward::jwt::json_object object = *value.object();
    if (object.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const keyward::jwt::json_member& member : object) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      out += member.name.raw();
      out += ": ";
      pretty(member.value, depth + 1, out);
    }
    out += "\n" + outer + "}";
  } else if (value.type() == json_type::array) {
    const keyward::jwt::json_array array = *value.array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const keyward::jwt::json_value& element : array) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      pretty(element, depth + 1, out);
    }
    out += "\n" + outer + "]";
  } else {
    out += value.raw();
  }
}

/// The object `object` as indented JSON.
std::string pretty(const keyward::jwt::json_object& object) {
  std::string out;
  pretty(*keyward::jwt::parse_json(object.raw()), 0, out);
  return out;
}

/// One registered time claim shown as a date: its name, its NumericDate (floored), and whether it is one.
struct time_claim {
  std::string_view name;
  std::optional<std::int64_t> unix_seconds;  ///< nullopt when the claim is not a NumericDate
};

/// The exp, nbf and iat claims present in `claims`, in that order.
std::vector<time_claim> time_claims(const keyward::jwt::json_object& claims) {
  std::vector<time_claim> found;
  for (const std::string_view name : {"exp", "nbf", "iat"}) {
    const std::optional<keyward::jwt::json_value> value = claims.find(name);
    if (!value) continue;
    const keyward::result<std::int64_t> numeric_date = value->floor_integer();
    found.push_back({name, numeric_date ? std::optional<std::int64_t>(*numeric_date) : std::nullopt});
  }
  return found;
}

/// The times of `claims` as text lines ("  exp  1767225600  2026-01-01T00:00:00Z"), empty when none.
std::string times_text(const keyward::jwt::json_object& claims) {
  std::string out;
  for (const time_claim& t : time_claims(claims)) {
    out += "  " + std::string(t.name) + "  ";
    out += t.unix_seconds ? std::to_string(*t.unix_seconds) + "  " + utc_date(*t.unix_seconds) : "not a NumericDate";
    out += "\n";
  }
  return out.empty() ? out : "times (UTC):\n" + out;
}

/// The times of `claims` as a JSON object {"exp":"2026-01-01T00:00:00Z",...} (null for a non-date).
std::string times_json(const keyward::jwt::json_object& claims) {
  std::string out = "{";
  for (const time_claim& t : time_claims(claims)) {
    if (out.size() > 1) out += ",";
    out += json_string(t.name) + ":" + (t.unix_seconds ? json_string(utc_date(*t.unix_seconds)) : "null");
  }
  return out + "}";
}

/// `keyward jwt decode`.
int decode(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args = parse_or_report(decode_verb, argv, {}, status);
  if (!args) return status;
  const std::optional<std::string> token = value_or_stdin_line(decode_verb, *args, "TOKEN", status);
  if (!token) return status;

  keyward::jwt::token_buffer buffer;
  const keyward::result<keyward::jwt::jws_view> parsed = keyward::jwt::parse_jws(*token, buffer);
  if (!parsed) return rejected(decode_verb, describe(parsed.error(), "the token"));
  const keyward::result<keyward::jwt::json_object> claims = keyward::jwt::parse_json_object(parsed->payload);
  if (!claims) return rejected(decode_verb, "claims: " + describe(claims.error(), "the decoded payload"));

  std::fputs("note: the signature was NOT verified (use 'keyward jwt verify')\n", stderr);
  if (args->json()) {
    std::printf("{\"header\":%s,\"claims\":%s,\"times\":%s,\"signature_bytes\":%zu,\"verified\":false}\n",
                std::string(parsed->header.raw()).c_str(), std::string(claims->raw()).c_str(),
                times_json(*claims).c_str(), parsed->signature.size());
    return exit_ok;
  }
  std::printf("header:\n%s\nclaims:\n%s\n%ssignature: %zu bytes (%s, not verified)\n", pretty(parsed->header).c_str(),
              pretty(*claims).c_str(), times_text(*claims).c_str(), parsed->signature.size(),
              std::string(keyward::jwt::name(parsed->alg)).c_str());
  return exit_ok;
}

/// For a token refused for its times (expired, not yet valid, issued in the future): " (exp DATE, now
/// DATE, leeway N s)" with the claim concerned; empty for other failures.
std::string when_detail(const keyward::error& failure, std::string_view token, unix_time now, seconds leeway) {
  using keyward::errc;
  const std::string_view name = failure == errc::jwt_expired         ? "exp"
                                : failure == errc::jwt_not_yet_valid ? "nbf"
                                : failure == errc::jwt_issued_in_future ? "iat"
                                                                        : "";
  if (name.empty()) return {};
  keyward::jwt::token_buffer buffer;
  const keyward::result<keyward::jwt::jws_view> parsed = keyward::jwt::parse_jws(token, buffer);
  if (!parsed) return {};
  const keyward::result<keyward::jwt::json_object> claims = keyward::jwt::parse_json_object(parsed->payload);
  if (!claims) return {};
  for (const time_claim& t : time_claims(*claims)) {
    if (t.name != name || !t.unix_seconds) continue;
    return " (" + std::string(name) + " " + utc_date(*t.unix_seconds) + ", now " +
           utc_date(now.time_since_epoch().count()) + ", leeway " + std::to_string(leeway.count()) + " s)";
  }
  return {};
}

/// `keyward jwt verify`.
int verify(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args =
      parse_or_report(verify_verb, argv,
                      {{"secret-env", true}, {"alg", true}, {"iss", true}, {"aud", true, true}, {"sub", true},
                       {"leeway", true}, {"now", true}},
                      status);
  if (!args) return status;
  const std::optional<keyward::jwt::algorithm> alg = algorithm_from(verify_verb, *args, status);
  if (!alg) return status;
  const std::optional<unix_time> now = now_option(verify_verb, *args, status);
  if (!now) return status;

  keyward::jwt::verifier_options options;
  if (const std::optional<std::string_view> leeway = args->value("leeway")) {
    const std::optional<std::int64_t> value = parse_integer(*leeway);
    if (!value || *value < 0 || seconds(*value) > keyward::jwt::claims_requirements::max_leeway) {
      return usage_error(verify_verb, "--leeway must be a whole number of seconds from 0 to 300");
    }
    options.claims.leeway = seconds(*value);
  }
  const seconds leeway = options.claims.leeway;
  options.claims.issuer = std::string(args->value("iss").value_or(""));
  options.claims.subject = std::string(args->value("sub").value_or(""));
  for (const std::string_view audience : args->values("aud")) {
    if (audience.empty()) return usage_error(verify_verb, "--aud needs a non-empty audience");
    options.claims.audiences.emplace_back(audience);
  }
  const std::optional<std::string> token = value_or_stdin_line(verify_verb, *args, "TOKEN", status);
  if (!token) return status;
  const std::optional<keyward::secret> secret = secret_from(verify_verb, *args, *alg, status);
  if (!secret) return status;

  keyward::result<keyward::jwt::key> key = keyward::jwt::key::hmac(*alg, secret->reveal());
  if (!key) return usage_error(verify_verb, describe(key.error()));
  const keyward::result<keyward::jwt::verifier<>> verifier =
      keyward::jwt::verifier<>::make({std::move(*key)}, std::move(options));
  if (!verifier) return usage_error(verify_verb, describe(verifier.error()));

  keyward::jwt::token_buffer buffer;
  const keyward::result<keyward::jwt::verified_token> verified = verifier->verify(*token, *now, buffer);
  if (!verified) {
    const keyward::error failure = verified.error();
    return rejected(verify_verb, describe(failure, "the token") + when_detail(failure, *token, *now, leeway));
  }
  const keyward::jwt::json_object& claims = verified->claims().object();
  const std::string alg_name(keyward::jwt::name(verified->jws().alg));
  if (args->json()) {
    std::printf("{\"valid\":true,\"alg\":%s,\"kid\":%s,\"claims\":%s,\"times\":%s}\n", json_string(alg_name).c_str(),
                json_string(verified->jws().kid).c_str(), std::string(claims.raw()).c_str(),
                times_json(claims).c_str());
    return exit_ok;
  }
  std::printf("valid (%s)\nclaims:\n%s\n%s", alg_name.c_str(), pretty(claims).c_str(), times_text(claims).c_str());
  return exit_ok;
}

/// Adds `--claim NAME=VALUE` to `claims`: an integer, a boolean or a string. False for a missing '=' or name.
bool add_claim(std::string_view given, keyward::jwt::claims_builder& claims) {
  const std::size_t equals = given.find('=');
  if (equals == std::string_view::npos || equals == 0) return false;
  const std::string_view name = given.substr(0, equals);
  const std::string_view value = given.substr(equals + 1);
  if (const std::optional<std::int64_t> number = parse_integer(value)) {
    claims.integer_claim(name, *number);
  } else if (value == "true" || value == "false") {
    claims.boolean_claim(name, value == "true");
  } else {
    claims.string_claim(name, value);
  }
  return true;
}

/// Why the claims of `keyward jwt sign` cannot be signed: a claim given twice, or the library's reason.
std::string claims_error(const keyward::error& failure) {
  if (failure == keyward::errc::jwt_json_duplicate_member) {
    return "a claim is given twice (by two options, or by an option and --claims-json)";
  }
  return "claims: " + describe(failure);
}

/// `keyward jwt sign`.
int sign(const std::vector<std::string_view>& argv) {
  int status = exit_ok;
  const std::optional<arguments> args =
      parse_or_report(sign_verb, argv,
                      {{"secret-env", true}, {"alg", true}, {"iss", true}, {"sub", true}, {"aud", true, true},
                       {"ttl", true}, {"claim", true, true}, {"claims-json", true}, {"kid", true}, {"now", true}},
                      status);
  if (!args) return status;
  if (!args->positional().empty()) return usage_error(sign_verb, "takes no positional argument");
  const std::optional<keyward::jwt::algorithm> alg = algorithm_from(sign_verb, *args, status);
  if (!alg) return status;
  const std::optional<unix_time> now = now_option(sign_verb, *args, status);
  if (!now) return status;
  const std::optional<std::int64_t> ttl = parse_integer(args->value("ttl").value_or("3600"));
  if (!ttl || *ttl < 1 || *ttl > max_ttl) {
    return usage_error(sign_verb, "--ttl must be a whole number of seconds from 1 to 2147483648");
  }
  const unix_time expires = *now + seconds(*ttl);

  // The --claims-json object, whose members come first.
  std::string given_json = "{}";
  if (const std::optional<std::string_view> text = args->value("claims-json")) {
    stdin_failure failure;
    const std::optional<std::string> read = *text == "-" ? read_stdin(max_claims_json, failure) : std::string(*text);
    if (!read) return report(sign_verb, failure);
    if (*text == "-" && read->empty()) return usage_error(sign_verb, "nothing on stdin");
    given_json = *read;
  }
  const keyward::result<keyward::jwt::json_object> given = keyward::jwt::parse_json_object(given_json);
  if (!given) return rejected(sign_verb, "--claims-json: " + describe(given.error()));

  keyward::jwt::claims_builder claims;
  if (!given->find("iat")) claims.issued_at(*now);
  if (!given->find("exp")) claims.expires_at(expires);
  if (const std::optional<std::string_view> issuer = args->value("iss")) claims.issuer(*issuer);
  if (const std::optional<std::string_view> subject = args->value("sub")) claims.subject(*subject);
  for (const std::string_view audience : args->values("aud")) claims.audience(audience);
  for (const std::string_view claim : args->values("claim")) {
    if (!add_claim(claim, claims)) return usage_error(sign_verb, "--claim needs NAME=VALUE");
  }
  const keyward::result<std::string> added = claims.json();
  if (!added) return rejected(sign_verb, claims_error(added.error()));

  // Both objects are valid JSON: join their members ("{a}" and "{b}" make "{a,b}"); the signer checks the
  // result again, duplicate names included.
  std::string joined = *added;
  if (!given->empty()) {
    joined = std::string(given->raw().substr(0, given->raw().size() - 1));
    joined += *added == "{}" ? "}" : "," + added->substr(1);
  }

  const std::optional<keyward::secret> secret = secret_from(sign_verb, *args, *alg, status);
  if (!secret) return status;
  const keyward::result<keyward::jwt::signer> signer =
      keyward::jwt::signer::make(*alg, secret->reveal(), args->value("kid").value_or(""));
  if (!signer) return rejected(sign_verb, describe(signer.error(), "--kid"));
  const keyward::result<std::string> token = signer->token(joined);
  if (!token) return rejected(sign_verb, claims_error(token.error()));
  if (args->json()) {
    const keyward::result<keyward::jwt::json_object> signed_claims = keyward::jwt::parse_json_object(joined);
    std::printf("{\"token\":%s,\"alg\":%s,\"claims\":%s}\n", json_string(*token).c_str(),
                json_string(keyward::jwt::name(*alg)).c_str(), std::string(signed_claims->raw()).c_str());
    return exit_ok;
  }
  std::printf("%s\n", token->c_str());
  return exit_ok;
}

}  // namespace

/// `keyward jwt decode|verify|sign` (commands.hpp).
int jwt_command(const std::vector<std::string_view>& args) {
  return run_group(group_verb, args, {{"decode", decode}, {"verify", verify}, {"sign", sign}});
}

}  // namespace keyward_cli
