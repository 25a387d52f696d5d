// `keyward key new|inspect|scan|redact`: mint a key in keyward's checksummed format, explain one, and find
// or mask keys in text (keys/format.hpp, keys/prefix.hpp, keys/digest.hpp, keys/scan.hpp).
#include "cli.hpp"
#include "commands.hpp"

#include <keyward/ct.hpp>
#include <keyward/keys/digest.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/scan.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace keyward_cli;
namespace keys = keyward::keys;

/// `keyward key`: the group's help (its sub-verbs).
constexpr verb group_verb{"key",
                          "usage: keyward key new|inspect|scan|redact [options]\n"
                          "\n"
                          "  key new --prefix PREFIX    mint a key (printed once), its id, redaction and storage digest\n"
                          "  key inspect KEY|-          prefix, kind, environment, format and checksum verdict\n"
                          "  key scan FILE...|-         report the keys found in files (exit 1 when any)\n"
                          "  key redact                 copy stdin to stdout with every key masked\n"
                          "\n"
                          "Each sub-verb has its own --help.\n"};

/// `keyward key new`: its name and help.
constexpr verb new_verb{
    "key new",
    "usage: keyward key new --prefix PREFIX [--kind KIND] [--environment ENV] [--secret-length N]\n"
    "                       [--secret-env NAME] [--pepper-version V] [--key-only] [--json]\n"
    "\n"
    "Mints a key <prefix><12-character id><secret><6-character CRC-32 checksum> from the OS random source and\n"
    "prints it once, with its id and its redaction. When the pepper variable is set, also prints the digest a\n"
    "server stores for it (HMAC-SHA256 of the whole key under the pepper, as keys::pepper_set::digest makes it,\n"
    "in the text form hmac-sha256:v<version>:<base64url>).\n"
    "\n"
    "Options:\n"
    "  --prefix PREFIX      the key's prefix: 1 to 32 bytes of [0-9A-Za-z_-], ending with '_' or '-'\n"
    "  --kind KIND          secret, publishable, restricted or webhook_secret (default: a built-in prefix's\n"
    "                       kind, as `key inspect` shows it, else from the prefix's words: sk -> secret,\n"
    "                       pk -> publishable, rk -> restricted, whsec -> webhook_secret, else secret)\n"
    "  --environment ENV    live, test or unspecified (default: a built-in prefix's, else from the prefix's\n"
    "                       words: live, test, else unspecified)\n"
    "  --secret-length N    random characters of the secret part, 32 to 64 (default 32)\n"
    "  --secret-env NAME    read the pepper from NAME instead of KEYWARD_PEPPER (then NAME must be set)\n"
    "  --pepper-version V   the pepper's version stored with the digest, 0 to 4294967295 (default 1)\n"
    "  --key-only           print the key alone on one line (for $(...) and pipes); not with --json\n"
    "  --json               one JSON object: key, id, redacted, prefix, vendor, kind, environment, digest,\n"
    "                       pepper_version (digest and pepper_version null without a pepper)\n"
    "\n"
    "Environment:\n"
    "  KEYWARD_PEPPER       the server's pepper (32 bytes or more); no digest is printed when it is unset\n"
    "\n"
    "Exit codes: 0 minted, 1 the OS random source failed, 2 usage (a bad, missing or repeated option, a bad\n"
    "prefix, --key-only with --json, the pepper variable empty, the variable named by --secret-env unset, a\n"
    "pepper under 32 bytes).\n"};

/// `keyward key inspect`: its name and help.
constexpr verb inspect_verb{
    "key inspect",
    "usage: keyward key inspect KEY|- [--prefix PREFIX]... [--json]\n"
    "\n"
    "Explains a key: which prefix table entry it belongs to (vendor, kind, environment), whether it has\n"
    "keyward's format (prefix, 12-character id, 32 to 64-character secret, 6-character CRC-32 checksum) and a\n"
    "valid checksum, its id and its redaction. The key itself is never printed. `-` reads the key from the\n"
    "first line of stdin.\n"
    "\n"
    "Prefixes known: the built-in tables (Stripe-style sk_ pk_ rk_ live_/test_ and whsec_; live_ and test_;\n"
    "GitHub ghp_ gho_ ghu_ ghs_ ghr_ github_pat_ and npm_ tokens, checked by their own CRC-32 rule) and every\n"
    "--prefix given. A key whose prefix is in no table is still checked when what follows its last '_' or '-'\n"
    "has the exact shape of a keyward key's body (50 to 82 base62 characters): the prefix is shown, as\n"
    "inferred, only when the key then parses with a valid checksum; otherwise the prefix is unknown and\n"
    "nothing of the key is shown (give --prefix to get the checksum verdict).\n"
    "\n"
    "Options:\n"
    "  --prefix PREFIX      one more prefix to recognise (repeatable, up to 23); kind and environment from\n"
    "                       its words (sk, pk, rk, whsec; live, test)\n"
    "  --json               one JSON object: valid (true), redacted, prefix, prefix_origin, vendor, kind,\n"
    "                       environment, format, checksum, id; nothing on stdout when the key is invalid\n"
    "\n"
    "Exit codes: 0 the key is valid (format and checksum), 1 it is not, or the line on stdin is over 64 KiB\n"
    "(the reason on stderr), 2 usage (a bad or repeated option, no key, empty or unreadable stdin).\n"};

/// `keyward key scan`: its name and help.
constexpr verb scan_verb{
    "key scan",
    "usage: keyward key scan FILE|-... [--prefix PREFIX]... [--verified-only] [--json]\n"
    "\n"
    "Reports every key found in the files (`-` is stdin), one line each:\n"
    "  FILE:LINE:COLUMN: VENDOR KIND key[, ENVIRONMENT], HOW: REDACTED\n"
    "LINE and COLUMN count from 1 (COLUMN in bytes); REDACTED shows the public part only (prefix and id of a\n"
    "keyward key, the prefix of a token), never the whole key. HOW is `checksum verified` for keyward keys of\n"
    "the known prefixes and GitHub/npm tokens, `pattern only` for Stripe keys (sk_/rk_ live/test, 24 to 99\n"
    "base62 characters), which carry no checksum. Files are read in pieces: any size works. Control bytes\n"
    "in file names are shown as \\xNN.\n"
    "\n"
    "Only the prefixes of the built-in tables and of --prefix are looked for: a keyward key with a prefix of\n"
    "your own (acme_sk_live_...) is NOT found without --prefix acme_sk_live_ (`key inspect` can infer such a\n"
    "prefix for one key; a scanner cannot, in text). Give every prefix your keys use.\n"
    "\n"
    "Options:\n"
    "  --prefix PREFIX      one more keyward-format prefix to look for (repeatable, up to 23)\n"
    "  --verified-only      report only keys whose checksum was verified (no Stripe patterns)\n"
    "  --json               one JSON array of {file, line, column, offset, length, source, vendor, kind,\n"
    "                       environment, redacted}\n"
    "\n"
    "Exit codes: 0 no key found, 1 a key was found (for CI gates), 2 usage or a file (or stdin) could not be\n"
    "read (the other files are still scanned and reported).\n"};

/// `keyward key redact`: its name and help.
constexpr verb redact_verb{
    "key redact",
    "usage: keyward key redact [--prefix PREFIX]... [--verified-only]\n"
    "\n"
    "Copies stdin to stdout with the secret part of every key replaced by '*' (same length; the prefix and,\n"
    "for a keyward key, its id are kept), as `key scan` finds them. Streams: any size of input works.\n"
    "\n"
    "Only the prefixes of the built-in tables and of --prefix are looked for: a keyward key with a prefix of\n"
    "your own (acme_sk_live_...) passes through UNMASKED without --prefix acme_sk_live_. Give every prefix\n"
    "your keys use.\n"
    "\n"
    "Options:\n"
    "  --prefix PREFIX      one more keyward-format prefix to look for (repeatable, up to 23)\n"
    "  --verified-only      mask only keys whose checksum was verified (no Stripe patterns)\n"
    "\n"
    "Exit codes: 0 done, 2 usage (an argument, --json, which does not apply, a bad option) or stdin could\n"
    "not be read.\n"};

/// The most entries of the prefix table a command builds (the built-in tables and the --prefix options).
constexpr std::size_t max_table_entries = 32;
/// The bytes read from a file or stdin at a time.
constexpr std::size_t read_chunk_size = 64 * 1024;

/// The parts of a prefix between its '_' and '-' separators.
std::vector<std::string_view> prefix_words(std::string_view prefix) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= prefix.size(); ++i) {
    if (i == prefix.size() || prefix[i] == '_' || prefix[i] == '-') {
      if (i > start) words.push_back(prefix.substr(start, i - start));
      start = i + 1;
    }
  }
  return words;
}

/// The kind `word` names (sk, pk, rk, whsec), or nullopt.
std::optional<keys::key_kind> kind_word(std::string_view word) {
  if (word == "sk") return keys::key_kind::secret;
  if (word == "pk") return keys::key_kind::publishable;
  if (word == "rk") return keys::key_kind::restricted;
  if (word == "whsec") return keys::key_kind::webhook_secret;
  return std::nullopt;
}

/// The environment `word` names (live, test), or nullopt.
std::optional<keys::key_environment> environment_word(std::string_view word) {
  if (word == "live") return keys::key_environment::live;
  if (word == "test") return keys::key_environment::test;
  return std::nullopt;
}

/// A table entry for a prefix of the user's, classified from its words: `acme_sk_live_` is vendor acme, kind
/// secret, environment live. The vendor is the first word that names no kind or environment ("custom" when
/// none does); the kind defaults to secret, the environment to unspecified. Views into `prefix`.
keys::prefix_entry describe_prefix(std::string_view prefix) {
  keys::prefix_entry entry{prefix, "custom", keys::key_kind::secret, keys::key_environment::unspecified};
  bool vendor_found = false;
  for (const std::string_view word : prefix_words(prefix)) {
    if (const auto kind = kind_word(word)) {
      entry.kind = *kind;
    } else if (const auto environment = environment_word(word)) {
      entry.environment = *environment;
    } else if (!vendor_found) {
      entry.vendor = word;
      vendor_found = true;
    }
  }
  return entry;
}

/// Why `prefix` cannot be a prefix (empty when it can): the library's rules (keys::find_prefix_problem).
std::string prefix_problem_reason(std::string_view prefix) {
  switch (keys::find_prefix_problem(prefix)) {
    case keys::prefix_problem::none: return {};
    case keys::prefix_problem::empty_prefix: return "the prefix is empty";
    case keys::prefix_problem::prefix_too_long:
      return "the prefix '" + std::string(prefix) + "' is longer than 32 bytes";
    case keys::prefix_problem::invalid_prefix_byte:
    case keys::prefix_problem::duplicate_prefix: break;
  }
  return "the prefix '" + std::string(prefix) + "' holds a byte outside [0-9A-Za-z_-]";
}

/// The entries of the built-in keyward-format tables: keys::stripe_prefixes and keys::live_test_prefixes.
std::vector<keys::prefix_entry> builtin_entries() {
  std::vector<keys::prefix_entry> entries(keys::stripe_prefixes.entries().begin(),
                                          keys::stripe_prefixes.entries().end());
  entries.insert(entries.end(), keys::live_test_prefixes.entries().begin(), keys::live_test_prefixes.entries().end());
  return entries;
}

/// The table entry of `prefix`: the built-in one when a built-in table holds exactly this prefix (so that
/// `key new --prefix sk_live_` and `key inspect` classify it alike), else describe_prefix(prefix).
keys::prefix_entry entry_for_prefix(std::string_view prefix) {
  for (const keys::prefix_entry& e : builtin_entries()) {
    if (e.prefix == prefix) return e;
  }
  return describe_prefix(prefix);
}

/// The built-in entries followed by one for each --prefix not already held; nullopt with `error` set for a
/// malformed prefix or too many of them.
std::optional<std::vector<keys::prefix_entry>> table_entries(const arguments& args, std::string& error) {
  std::vector<keys::prefix_entry> entries = builtin_entries();
  for (const std::string_view prefix : args.values("prefix")) {
    error = prefix_problem_reason(prefix);
    if (!error.empty()) return std::nullopt;
    const bool held = std::any_of(entries.begin(), entries.end(),
                                  [prefix](const keys::prefix_entry& e) { return e.prefix == prefix; });
    if (held) continue;
    if (entries.size() == max_table_entries) {
      error = "too many --prefix options (at most " + std::to_string(max_table_entries - builtin_entries().size()) + ")";
      return std::nullopt;
    }
    entries.push_back(entry_for_prefix(prefix));
  }
  return entries;
}

/// Calls use(keys::prefix_set) with a table of `entries` (1 to max_table_entries of them, well formed and
/// distinct), built at run time: a prefix_table's size is a template argument, so the size is found by
/// recursion from N. Returns what `use` returns.
template <std::size_t N, class Use>
int with_prefix_set(const std::vector<keys::prefix_entry>& entries, Use& use) {
  if constexpr (N < max_table_entries) {
    if (entries.size() != N) return with_prefix_set<N + 1>(entries, use);
  }
  keys::prefix_entry array[N];
  std::copy_n(entries.begin(), N, array);
  const keyward::result<keys::prefix_table<N>> table = keys::prefix_table<N>::make(array);
  if (!table) {
    std::fputs("keyward: internal error: the prefix table is malformed\n", stderr);
    return exit_usage;
  }
  const keys::prefix_table<N>& built = *table;
  return use(built.set());
}

/// Whether `c` is a base62 character [0-9A-Za-z].
bool is_base62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

namespace keyward_cli {

/// The entry (describe_prefix) of the prefix a keyward key of no known table was made with, when `key` has
/// exactly that shape: a valid prefix ending at its last '_' or '-', then 50 to 82 base62 characters (12 id
/// + 32..64 secret + 6 checksum; base62 holds neither '_' nor '-'), and the key parses with it (valid
/// checksum). nullopt otherwise, so that nothing of a secret that merely holds a '_' or '-' is ever taken
/// for a prefix and shown. Views into `key`.
std::optional<keys::prefix_entry> inferred_key_entry(std::string_view key) {
  const std::size_t last = key.find_last_of("_-");
  if (last == std::string_view::npos) return std::nullopt;
  const std::string_view prefix = key.substr(0, last + 1);
  const std::string_view body = key.substr(last + 1);
  constexpr std::size_t shortest = keys::id_length + keys::min_secret_length + keys::checksum_length;
  constexpr std::size_t longest = keys::id_length + keys::max_secret_length + keys::checksum_length;
  if (keys::find_prefix_problem(prefix) != keys::prefix_problem::none || body.size() < shortest ||
      body.size() > longest || !std::all_of(body.begin(), body.end(), is_base62))
    return std::nullopt;
  const keys::prefix_entry entry = describe_prefix(prefix);
  const keyward::result<keys::prefix_table<1>> table = keys::prefix_table<1>::make({entry});
  if (!table || !keys::parse_key(key, *table)) return std::nullopt;
  return entry;
}

}  // namespace keyward_cli

namespace {

/// `text` as a JSON value: the string, or null when empty.
std::string json_or_null(std::string_view text) { return text.empty() ? "null" : json_string(text); }

// ---------------------------------------------------------------------------------------------------------
// key new

/// The decimal integer `text` (parse_integer) when it lies in [low, high]; nullopt otherwise.
std::optional<std::int64_t> integer_in_range(std::string_view text, std::int64_t low, std::int64_t high) {
  const std::optional<std::int64_t> value = parse_integer(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return value;
}

/// `keyward key new`.
int key_new(const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(new_verb, args_in,
                                    {{"prefix", true},  // one prefix: a repeat is a usage error
                                     {"kind", true},
                                     {"environment", true},
                                     {"secret-length", true},
                                     {"secret-env", true},
                                     {"pepper-version", true},
                                     {"key-only", false}},
                                    status);
  if (!args) return status;
  if (!args->positional().empty()) return usage_error(new_verb, "unexpected argument " + std::string(args->positional()[0]));
  if (args->flag("key-only") && args->json())
    return usage_error(new_verb, "--key-only and --json exclude each other (--json's \"key\" holds the key)");
  const auto prefix = args->value("prefix");
  if (!prefix) return usage_error(new_verb, "--prefix is required");
  if (const std::string problem = prefix_problem_reason(*prefix); !problem.empty()) return usage_error(new_verb, problem);
  if (prefix->back() != '_' && prefix->back() != '-')
    return usage_error(new_verb, "the prefix '" + std::string(*prefix) +
                                     "' must end with '_' or '-', so that the key's id cannot extend it");
  keys::prefix_entry entry = entry_for_prefix(*prefix);
  if (const auto kind = args->value("kind")) {
    if (*kind == "secret") entry.kind = keys::key_kind::secret;
    else if (*kind == "publishable") entry.kind = keys::key_kind::publishable;
    else if (*kind == "restricted") entry.kind = keys::key_kind::restricted;
    else if (*kind == "webhook_secret") entry.kind = keys::key_kind::webhook_secret;
    else return usage_error(new_verb, "--kind must be secret, publishable, restricted or webhook_secret");
  }
  if (const auto environment = args->value("environment")) {
    if (*environment == "live") entry.environment = keys::key_environment::live;
    else if (*environment == "test") entry.environment = keys::key_environment::test;
    else if (*environment == "unspecified") entry.environment = keys::key_environment::unspecified;
    else return usage_error(new_verb, "--environment must be live, test or unspecified");
  }
  std::size_t secret_length = keys::default_secret_length;
  if (const auto length = args->value("secret-length")) {
    const auto parsed = integer_in_range(*length, keys::min_secret_length, keys::max_secret_length);
    if (!parsed) return usage_error(new_verb, "--secret-length must be a number from 32 to 64");
    secret_length = static_cast<std::size_t>(*parsed);
  }
  std::uint32_t pepper_version = 1;
  if (const auto version = args->value("pepper-version")) {
    const auto parsed = integer_in_range(*version, 0, UINT32_MAX);
    if (!parsed) return usage_error(new_verb, "--pepper-version must be a number from 0 to 4294967295");
    pepper_version = static_cast<std::uint32_t>(*parsed);
  }
  const std::optional<std::string_view> pepper_variable = secret_variable(new_verb, *args, "KEYWARD_PEPPER", status);
  if (!pepper_variable) return status;
  const std::string_view pepper_name = *pepper_variable;
  // The default variable is optional (no digest without it); a variable named by --secret-env is required.
  std::optional<keyward::secret> pepper;
  if (args->value("secret-env") || std::getenv(std::string(pepper_name).c_str()) != nullptr) {
    std::string env_error;
    auto value = from_environment(pepper_name, env_error);
    if (!value) return usage_error(new_verb, env_error);
    pepper.emplace(std::move(*value));
  }
  std::optional<keys::pepper_set> peppers;
  if (pepper) {
    auto made = keys::pepper_set::make(pepper_version, pepper->reveal());
    if (!made) return usage_error(new_verb, std::string(pepper_name) + " holds under 32 bytes: too short for a pepper");
    peppers.emplace(std::move(*made));
  }

  const keyward::result<keyward::secret> key = keys::generate_key(entry, secret_length);
  if (!key) return rejected(new_verb, std::string("cannot mint a key: ") + key.error().message());
  const std::string_view whole = key->reveal();
  const std::string_view id = whole.substr(prefix->size(), keys::id_length);
  const keys::prefix_table<1> table = *keys::prefix_table<1>::make({entry});
  const std::string redacted = keys::redact(whole, table);
  const std::string digest = peppers ? keys::digest_text(peppers->digest(whole)) : std::string();

  if (args->flag("key-only")) {
    std::printf("%.*s\n", static_cast<int>(whole.size()), whole.data());
    return exit_ok;
  }
  if (args->json()) {
    std::printf(
        "{\"key\":%s,\"id\":%s,\"redacted\":%s,\"prefix\":%s,\"vendor\":%s,\"kind\":%s,\"environment\":%s,"
        "\"digest\":%s,\"pepper_version\":%s}\n",
        json_string(whole).c_str(), json_string(id).c_str(), json_string(redacted).c_str(),
        json_string(entry.prefix).c_str(), json_string(entry.vendor).c_str(),
        json_string(keys::to_string(entry.kind)).c_str(), json_string(keys::to_string(entry.environment)).c_str(),
        json_or_null(digest).c_str(), peppers ? std::to_string(pepper_version).c_str() : "null");
    return exit_ok;
  }
  std::printf("key:          %.*s\n", static_cast<int>(whole.size()), whole.data());
  std::printf("id:           %.*s\n", static_cast<int>(id.size()), id.data());
  std::printf("redacted:     %s\n", redacted.c_str());
  std::printf("prefix:       %.*s (vendor %.*s, kind %s, environment %s)\n", static_cast<int>(entry.prefix.size()),
              entry.prefix.data(), static_cast<int>(entry.vendor.size()), entry.vendor.data(),
              keys::to_string(entry.kind), keys::to_string(entry.environment));
  if (peppers) {
    std::printf("digest:       %s (HMAC-SHA256 under %.*s, pepper version %u)\n", digest.c_str(),
                static_cast<int>(pepper_name.size()), pepper_name.data(), pepper_version);
  } else {
    std::printf("digest:       none (set KEYWARD_PEPPER to the server's pepper to get the digest to store)\n");
  }
  std::printf("The key is shown only now: store it where it is needed; keep only its digest on the server.\n");
  return exit_ok;
}

// ---------------------------------------------------------------------------------------------------------
// key inspect

/// What `key inspect` finds out about a key.
struct inspection {
  keys::prefix_entry entry{};           ///< the classification (meaningful when `prefix` is not empty)
  std::string_view prefix;              ///< the prefix found, empty when none
  std::string_view origin;              ///< where the prefix comes from: built-in table, --prefix, inferred
  std::string_view format = "unknown";  ///< keyward, github_token, npm_token or unknown
  std::string_view checksum = "not_checked";  ///< valid, mismatch, not_checked or not_published
  std::string_view id;                  ///< the key's public id (keyward format only)
  std::string redacted = "...";         ///< what may be shown of the key
  std::optional<keyward::error> failure;  ///< why the key is not valid
};

/// The checksum verdict that goes with a parse failure: mismatch for a checksum error, else not checked.
std::string_view checksum_after(const keyward::error& failure) {
  return failure == keyward::errc::key_checksum_mismatch ? "mismatch" : "not_checked";
}

/// Checks `key` as a keyward key of the prefix `set` (which classified it) and fills `found`.
void inspect_keyward(std::string_view key, const keys::prefix_set& set, inspection& found) {
  found.format = "keyward";
  found.redacted = keys::redact(key, set);
  const keyward::result<keys::key_view> parsed = keys::parse_key(key, set);
  if (!parsed) {
    found.failure = parsed.error();
    found.checksum = checksum_after(parsed.error());
    return;
  }
  found.checksum = "valid";
  found.id = parsed->id;
}

/// Classifies and checks `key` against the table `set` (built-in entries and --prefix ones), then GitHub
/// and npm tokens, then a prefix inferred from the key (inferred_key_entry: only for a key that then
/// parses). `custom` holds the --prefix values.
inspection inspect_key(std::string_view key, const keys::prefix_set& set, const std::vector<std::string_view>& custom) {
  inspection found;
  if (const keyward::result<keys::prefix_entry> entry = set.classify(key)) {
    found.entry = *entry;
    found.prefix = entry->prefix;
    const bool given = std::find(custom.begin(), custom.end(), entry->prefix) != custom.end();
    found.origin = given ? "--prefix" : "built-in table";
    inspect_keyward(key, set, found);
    return found;
  }
  if (const keyward::result<keys::prefix_entry> entry = keys::leaked_token_prefixes.classify(key)) {
    found.entry = *entry;
    found.prefix = entry->prefix;
    found.origin = "built-in table";
    found.format = entry->vendor == "npm" ? "npm_token" : "github_token";
    found.redacted = std::string(entry->prefix) + "...";
    const keyward::result<keys::checked_token> checked = keys::check_github_token(key);
    if (!checked) {
      found.failure = checked.error();
      found.checksum = checksum_after(checked.error());
    } else {
      found.checksum = checked->checksum_verified ? "valid" : "not_published";
    }
    return found;
  }
  const std::optional<keys::prefix_entry> inferred = inferred_key_entry(key);
  if (!inferred) {
    found.failure = keyward::error(keyward::errc::key_unknown_prefix);
    return found;
  }
  found.entry = *inferred;
  found.prefix = inferred->prefix;
  found.origin = "inferred";
  const keys::prefix_table<1> table = *keys::prefix_table<1>::make({found.entry});
  inspect_keyward(key, table, found);
  return found;
}

/// Prints `found` as text, or as JSON (only called with --json for a valid key: a rejection prints nothing on
/// stdout).
void print_inspection(const inspection& found, bool json) {
  const keys::prefix_entry& e = found.entry;
  const bool classified = !found.prefix.empty();
  if (json) {
    std::printf(
        "{\"valid\":true,\"redacted\":%s,\"prefix\":%s,\"prefix_origin\":%s,\"vendor\":%s,\"kind\":%s,"
        "\"environment\":%s,\"format\":%s,\"checksum\":%s,\"id\":%s}\n",
        json_string(found.redacted).c_str(), json_or_null(found.prefix).c_str(),
        json_or_null(found.origin).c_str(), classified ? json_string(e.vendor).c_str() : "null",
        classified ? json_string(keys::kind_name_of(e)).c_str() : "null",
        classified ? json_string(keys::to_string(e.environment)).c_str() : "null", json_string(found.format).c_str(),
        json_string(found.checksum).c_str(), json_or_null(found.id).c_str());
    return;
  }
  std::printf("redacted:     %s\n", found.redacted.c_str());
  if (classified) {
    const std::string_view kind = keys::kind_name_of(e);
    const std::string_view origin =
        found.origin == "inferred" ? std::string_view("in no table: inferred from the key") : found.origin;
    std::printf("prefix:       %.*s (%.*s; vendor %.*s, kind %.*s, environment %s)\n",
                static_cast<int>(found.prefix.size()), found.prefix.data(), static_cast<int>(origin.size()),
                origin.data(),
                static_cast<int>(e.vendor.size()), e.vendor.data(), static_cast<int>(kind.size()), kind.data(),
                keys::to_string(e.environment));
  } else {
    std::printf("prefix:       unknown (in no table, and not a keyward key of another prefix: try --prefix)\n");
  }
  std::printf("format:       %.*s\n", static_cast<int>(found.format.size()), found.format.data());
  std::printf("checksum:     %.*s\n", static_cast<int>(found.checksum.size()), found.checksum.data());
  if (!found.id.empty()) std::printf("id:           %.*s\n", static_cast<int>(found.id.size()), found.id.data());
  if (found.failure) {
    std::printf("verdict:      invalid: %s\n", describe(*found.failure).c_str());
  } else {
    std::printf("verdict:      valid\n");
  }
}

/// `keyward key inspect`.
int key_inspect(const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(inspect_verb, args_in, {{"prefix", true, true}}, status);
  if (!args) return status;
  std::string error;
  const auto entries = table_entries(*args, error);
  if (!entries) return usage_error(inspect_verb, error);
  std::optional<std::string> key = value_or_stdin_line(inspect_verb, *args, "KEY", status);
  if (!key) return status;
  const std::vector<std::string_view> custom = args->values("prefix");
  auto use = [&](const keys::prefix_set& set) {
    const inspection found = inspect_key(*key, set, custom);
    if (!found.failure || !args->json()) print_inspection(found, args->json());
    std::fflush(stdout);
    if (found.failure) return rejected(inspect_verb, "the key is invalid: " + describe(*found.failure));
    return static_cast<int>(exit_ok);
  };
  const int result = with_prefix_set<1>(*entries, use);
  keyward::ct::secure_zero(key->data(), key->size());
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// key scan and key redact

/// The scanner of `key scan` and `key redact`: keyward keys of `set`, GitHub and npm tokens, and, unless
/// verified_only, Stripe's patterns.
keyward::result<keys::scanner> make_scanner(const keys::prefix_set& set, bool verified_only) {
  keys::scanner_options options;
  options.keys = set;
  options.leaked_tokens = true;
  if (!verified_only)
    options.patterns.assign(std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns));
  return keys::scanner::make(std::move(options));
}

/// One key found by `key scan`, ready to print.
struct found_key {
  std::string file;         ///< the file's name as given ("<stdin>" for -), raw: printable() it for text
  std::size_t line = 0;     ///< the line the key starts on, from 1
  std::size_t column = 0;   ///< its byte column on that line, from 1
  keys::scan_match match;   ///< what the scanner reported (offset from the start of the file)
  std::string redacted;     ///< the public part of the key and "..."
};

/// Scans one stream with a keys::stream_scanner, keeping what it needs to say where each key is and to show
/// its public part: the bytes a match may still start in (the last max_match_length() + 1 bytes fed before
/// the current chunk, and the chunk), and the line count up to a cursor that only moves forward.
class located_scan {
 public:
  /// A scan of the stream named `file` with `scanner`, appending what it finds to `out`.
  located_scan(const keys::scanner& scanner, std::string file, std::vector<found_key>& out)
      : stream_(scanner), keep_(scanner.max_match_length() + 1), file_(std::move(file)), out_(out) {}

  /// Scans the next bytes of the stream.
  void feed(std::string_view chunk) {
    if (window_.size() > keep_) {
      const std::size_t drop = window_.size() - keep_;
      count_lines_to(base_ + drop);
      window_.erase(0, drop);
      base_ += drop;
    }
    window_.append(chunk.data(), chunk.size());
    stream_.feed(chunk, [this](const keys::scan_match& m) { report(m); });
  }

  /// Ends the stream, reporting the keys held back.
  void finish() {
    stream_.finish([this](const keys::scan_match& m) { report(m); });
  }

 private:
  /// Moves the line cursor to stream offset `to`, counting the line feeds it passes.
  void count_lines_to(std::size_t to) {
    for (; counted_ < to; ++counted_) {
      if (window_[counted_ - base_] == '\n') {
        ++line_;
        line_start_ = counted_ + 1;
      }
    }
  }

  /// Records the match `m`: its line, column and public part.
  void report(const keys::scan_match& m) {
    count_lines_to(m.offset);
    found_key key{file_, line_, m.offset - line_start_ + 1, m, {}};
    key.redacted = window_.substr(m.offset - base_, m.public_length) + "...";
    out_.push_back(std::move(key));
  }

  keys::stream_scanner stream_;  ///< the library's streaming scanner
  std::size_t keep_;             ///< the bytes of window_ kept before a new chunk: max_match_length() + 1
  std::string file_;             ///< the stream's name, for found_key::file
  std::vector<found_key>& out_;  ///< where the keys found go
  std::string window_;           ///< the stream's bytes from offset base_ on
  std::size_t base_ = 0;         ///< the stream offset of window_[0]
  std::size_t counted_ = 0;      ///< the line cursor: the line feeds before this offset are counted
  std::size_t line_ = 1;         ///< the line of counted_, from 1
  std::size_t line_start_ = 0;   ///< the stream offset where line_ starts
};

/// Scans the file `path` (stdin for "-") into `out`; false with `error` set when it cannot be read.
bool scan_file(const keys::scanner& scanner, std::string_view path, std::vector<found_key>& out, std::string& error) {
  const bool from_stdin = path == "-";
  std::FILE* file = from_stdin ? stdin : std::fopen(std::string(path).c_str(), "rb");
  if (file == nullptr) {
    error = "cannot open " + std::string(path) + ": " + std::strerror(errno);  // printable() when printed
    return false;
  }
  located_scan scan(scanner, from_stdin ? "<stdin>" : std::string(path), out);
  std::vector<char> chunk(read_chunk_size);
  std::size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file)) > 0) scan.feed({chunk.data(), got});
  const bool failed = std::ferror(file) != 0;
  const int read_errno = errno;
  if (!from_stdin) std::fclose(file);
  if (failed) {
    error = "cannot read " + std::string(from_stdin ? "stdin" : path) + ": " + std::strerror(read_errno);
    return false;
  }
  scan.finish();
  return true;
}

/// How a match was confirmed, for people.
const char* how_confirmed(keys::scan_source source) {
  return source == keys::scan_source::pattern ? "pattern only" : "checksum verified";
}

/// Prints the keys found, as lines or as one JSON array.
void print_found(const std::vector<found_key>& found, bool json) {
  if (json) {
    std::string text = "[";
    for (const found_key& k : found) {
      const keys::prefix_entry& e = k.match.classification;
      if (text.size() > 1) text += ',';
      text += "{\"file\":" + json_string(k.file) + ",\"line\":" + std::to_string(k.line) +
              ",\"column\":" + std::to_string(k.column) + ",\"offset\":" + std::to_string(k.match.offset) +
              ",\"length\":" + std::to_string(k.match.length) +
              ",\"source\":" + json_string(keys::to_string(k.match.source)) + ",\"vendor\":" + json_string(e.vendor) +
              ",\"kind\":" + json_string(keys::kind_name_of(e)) +
              ",\"environment\":" + json_string(keys::to_string(e.environment)) +
              ",\"redacted\":" + json_string(k.redacted) + "}";
    }
    text += "]\n";
    std::fputs(text.c_str(), stdout);
    return;
  }
  for (const found_key& k : found) {
    const keys::prefix_entry& e = k.match.classification;
    const std::string_view kind = keys::kind_name_of(e);
    std::string environment;
    if (e.environment != keys::key_environment::unspecified)
      environment = std::string(", ") + keys::to_string(e.environment);
    std::printf("%s:%zu:%zu: %.*s %.*s key%s, %s: %s\n", printable(k.file).c_str(), k.line, k.column,
                static_cast<int>(e.vendor.size()), e.vendor.data(), static_cast<int>(kind.size()), kind.data(),
                environment.c_str(), how_confirmed(k.match.source), k.redacted.c_str());
  }
}

/// `keyward key scan`.
int key_scan(const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(scan_verb, args_in, {{"prefix", true, true}, {"verified-only", false}}, status);
  if (!args) return status;
  if (args->positional().empty()) return usage_error(scan_verb, "give at least one FILE (or - for stdin)");
  std::string error;
  const auto entries = table_entries(*args, error);
  if (!entries) return usage_error(scan_verb, error);
  auto use = [&](const keys::prefix_set& set) {
    const keyward::result<keys::scanner> scanner = make_scanner(set, args->flag("verified-only"));
    if (!scanner) return usage_error(scan_verb, std::string("cannot make the scanner: ") + scanner.error().message());
    std::vector<found_key> found;
    bool unreadable = false;
    for (const std::string_view path : args->positional()) {
      if (!scan_file(*scanner, path, found, error)) {
        rejected(scan_verb, error);  // the one-line report (printable); the exit code is exit_usage below
        unreadable = true;
      }
    }
    print_found(found, args->json());
    if (unreadable) return static_cast<int>(exit_usage);
    return static_cast<int>(found.empty() ? exit_ok : exit_rejected);
  };
  return with_prefix_set<1>(*entries, use);
}

/// `keyward key redact`.
int key_redact(const std::vector<std::string_view>& args_in) {
  int status = exit_ok;
  const auto args = parse_or_report(redact_verb, args_in, {{"prefix", true, true}, {"verified-only", false}}, status);
  if (!args) return status;
  if (!args->positional().empty())
    return usage_error(redact_verb, "unexpected argument " + std::string(args->positional()[0]) + " (input is stdin)");
  if (args->json()) return usage_error(redact_verb, "--json does not apply: the output is the redacted text");
  std::string error;
  const auto entries = table_entries(*args, error);
  if (!entries) return usage_error(redact_verb, error);
  auto use = [&](const keys::prefix_set& set) {
    const keyward::result<keys::scanner> scanner = make_scanner(set, args->flag("verified-only"));
    if (!scanner) return usage_error(redact_verb, std::string("cannot make the scanner: ") + scanner.error().message());
    keys::stream_redactor redactor(*scanner);
    auto write = [](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); };
    std::vector<char> chunk(read_chunk_size);
    std::size_t got = 0;
    while ((got = std::fread(chunk.data(), 1, chunk.size(), stdin)) > 0) redactor.write({chunk.data(), got}, write);
    const bool failed = std::ferror(stdin) != 0;
    redactor.finish(write);
    std::fflush(stdout);
    const char* problem = failed ? "cannot read stdin" : std::ferror(stdout) ? "cannot write stdout" : nullptr;
    if (problem == nullptr) return static_cast<int>(exit_ok);
    rejected(redact_verb, problem);  // the one-line report; unreadable stdin is a usage error (exit 2)
    return static_cast<int>(exit_usage);
  };
  return with_prefix_set<1>(*entries, use);
}

}  // namespace

namespace keyward_cli {

/// `keyward key new|inspect|scan|redact` (commands.hpp).
int key_command(const std::vector<std::string_view>& args) {
  return run_group(group_verb, args, {{"new", key_new}, {"inspect", key_inspect}, {"scan", key_scan}, {"redact", key_redact}});
}

}  // namespace keyward_cli
