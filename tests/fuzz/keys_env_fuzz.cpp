// libFuzzer target for keyward::keys::from_env and check_key_text. The first byte chooses the options (prefix
// table, keyward format, required environment and kind) and where the value sits (the first of two
// variables, the second behind an unset first one, or the second behind an empty first one); the rest is the
// value, served by a fake environment (so it ends at its first NUL, as a real one does). Checks: nothing
// crashes; from_env and check_key_text agree; a value is accepted exactly when a simple reference written
// here from the documented rules accepts it (text rules, the prefix tables of the contract, parse_key for
// the format); a failure names the right variable, its length and an offset inside the value; and its
// redacted form is a leading part of the value no longer than what is public (the table's prefix, plus the
// id of a valid keyward key), followed by "...": never a byte of the secret part.
#include <keyward/keys/env.hpp>

#include "fuzz_check.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace keys = keyward::keys;
using keyward::errc;

struct two_variables {
  const char* a = nullptr;
  const char* b = nullptr;
  const char* operator()(const char* name) const noexcept {
    if (std::strcmp(name, "A") == 0) return a;
    if (std::strcmp(name, "B") == 0) return b;
    return nullptr;
  }
};

// The reference: the documented text rules, written out plainly.
bool reference_text_ok(const std::string& value) {
  if (value.empty()) return false;
  std::string lower;
  for (const char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* never : {"..", "**", "<", ">", "{{", "}}", "${", "$(", "\xE2\x80\xA6", "\xE2\x80\xA2",
                            "\xE2\x97\x8F"}) {
    if (value.find(never) != std::string::npos) return false;
  }
  if (value[0] == '$') return false;
  for (const char* whole : {"none", "null", "nil", "undefined", "key", "secret", "token", "password", "apikey",
                            "api_key", "api-key", "test"}) {
    if (lower == whole) return false;
  }
  for (std::size_t i = 0; i < lower.size();) {
    const auto alnum = [&](std::size_t k) { return std::isalnum(static_cast<unsigned char>(lower[k])) != 0; };
    if (!alnum(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < lower.size() && alnum(j)) ++j;
    const std::string run = lower.substr(i, j - i);
    if (run.size() >= 3 && run.find_first_not_of('x') == std::string::npos) return false;
    for (const char* word : {"your", "yours", "change", "changeme", "replace", "replaceme", "placeholder",
                             "redacted", "example", "insert", "todo", "fixme"}) {
      if (run == word) return false;
    }
    i = j;
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7E || c == '"' || c == '\'' || c == '`' || c == '\\') return false;
  }
  return true;
}

struct reference_entry {
  std::string_view prefix;
  keys::key_kind kind;
  keys::key_environment environment;
};

constexpr reference_entry stripe_entries[] = {
    {"sk_live_", keys::key_kind::secret, keys::key_environment::live},
    {"sk_test_", keys::key_kind::secret, keys::key_environment::test},
    {"pk_live_", keys::key_kind::publishable, keys::key_environment::live},
    {"pk_test_", keys::key_kind::publishable, keys::key_environment::test},
    {"rk_live_", keys::key_kind::restricted, keys::key_environment::live},
    {"rk_test_", keys::key_kind::restricted, keys::key_environment::test},
    {"whsec_", keys::key_kind::webhook_secret, keys::key_environment::unspecified},
};
constexpr reference_entry live_test_entries[] = {
    {"live_", keys::key_kind::secret, keys::key_environment::live},
    {"test_", keys::key_kind::secret, keys::key_environment::test},
};

template <std::size_t N>
std::optional<reference_entry> reference_classify(const reference_entry (&table)[N], std::string_view value) {
  std::optional<reference_entry> best;
  for (const reference_entry& entry : table) {
    if (value.substr(0, entry.prefix.size()) == entry.prefix && (!best || entry.prefix.size() > best->prefix.size())) {
      best = entry;
    }
  }
  return best;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t choice = data[0];
  const std::string raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string value(raw.c_str());  // what an environment can hold: up to the first NUL

  keys::env_options options;
  const unsigned table = choice & 3u;  // 0 none, 1 Stripe, 2 live/test with keyward's format, 3 live/test
  if (table == 1) options.prefixes = keys::stripe_prefixes;
  if (table >= 2) options.prefixes = keys::live_test_prefixes;
  options.require_keyward_format = table == 2;
  const unsigned environment = (choice >> 2) & 3u;
  if (environment == 1) options.required_environment = keys::key_environment::live;
  if (environment == 2) options.required_environment = keys::key_environment::test;
  const unsigned kind = (choice >> 4) & 3u;
  if (kind == 1) options.required_kind = keys::key_kind::secret;
  if (kind == 2) options.required_kind = keys::key_kind::publishable;

  two_variables env;
  const bool second = (choice & 0x40u) != 0;
  const bool empty_first = (choice & 0x80u) != 0;
  if (empty_first) {
    env.a = "";
    env.b = raw.c_str();
  } else if (second) {
    env.b = raw.c_str();
  } else {
    env.a = raw.c_str();
  }
  const keys::env_result loaded = keys::from_env({"A", "B"}, options, env);

  if (empty_first) {
    FUZZ_CHECK(!loaded && loaded.error().code() == errc::key_env_empty && loaded.error().variable() == "A");
    return 0;
  }
  const std::string_view variable = second ? "B" : "A";

  // The reference verdict.
  std::optional<reference_entry> entry;
  if (table == 1) entry = reference_classify(stripe_entries, value);
  if (table >= 2) entry = reference_classify(live_test_entries, value);
  const bool text_ok = reference_text_ok(value);
  const bool parsed = table == 2 && keys::parse_key(value, keys::live_test_prefixes).has_value();
  bool accepted = text_ok;
  if (table == 0 && (environment == 1 || environment == 2 || kind == 1 || kind == 2)) accepted = false;
  if (table != 0 && !entry) accepted = false;
  if (table == 2 && !parsed) accepted = false;
  if (entry && (environment == 1 || environment == 2) &&
      entry->environment != (environment == 1 ? keys::key_environment::live : keys::key_environment::test)) {
    accepted = false;
  }
  if (entry && (kind == 1 || kind == 2) &&
      entry->kind != (kind == 1 ? keys::key_kind::secret : keys::key_kind::publishable)) {
    accepted = false;
  }

  const keyward::result<void> checked = keys::check_key_text(value, options);
  FUZZ_CHECK(loaded.has_value() == accepted);
  FUZZ_CHECK(checked.has_value() == accepted);
  if (loaded) {
    FUZZ_CHECK(loaded->reveal() == value);
    return 0;
  }

  const keys::env_failure& failure = loaded.error();
  FUZZ_CHECK(failure.cause() == checked.error());
  FUZZ_CHECK(failure.variable() == variable);
  FUZZ_CHECK(failure.length() == value.size());
  FUZZ_CHECK(!failure.cause().has_offset() || failure.offset() <= value.size());
  const errc code = failure.code();
  const bool text_code = code == errc::key_env_empty || code == errc::key_env_placeholder ||
                         code == errc::key_env_whitespace || code == errc::key_invalid_character;
  if (!text_ok) FUZZ_CHECK(text_code);
  if (text_ok) FUZZ_CHECK(!text_code || (table == 2 && code == errc::key_invalid_character));

  // The redacted form: a leading part of the value, no longer than its public part, then "...".
  const std::string_view redacted = failure.redacted();
  if (!redacted.empty()) {
    FUZZ_CHECK(redacted.size() >= 3 && redacted.substr(redacted.size() - 3) == "...");
    const std::string_view shown = redacted.substr(0, redacted.size() - 3);
    std::size_t public_length = entry ? entry->prefix.size() : 0;
    if (parsed) public_length += keys::id_length;
    FUZZ_CHECK(shown.size() <= public_length);
    FUZZ_CHECK(std::string_view(value).substr(0, shown.size()) == shown);
  }
  const std::string message = failure.message();
  FUZZ_CHECK(!message.empty());
  return 0;
}
