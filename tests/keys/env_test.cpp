// Tests for include/keyward/keys/env.hpp: loading a client's API key from environment variables. The
// environment is a fake (a map), so no test depends on the process's. The expected offsets are those of
// the bytes placed in each value (found with std::string::find, not by the code under test). The two
// keyward-format keys were made by Python's zlib.crc32 (the format's checksum, base62 most significant digit
// first, padded to 6):
//   python3 -c "import zlib; A='0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
//     b=lambda n: ''.join(A[n // 62**k % 62] for k in range(5, -1, -1))
//     [print(p+'AbCdEfGh1234QRSTUWXYZqrstuwyzQRSTUWXYZqrstuw'
//            + b(zlib.crc32((p+'AbCdEfGh1234QRSTUWXYZqrstuwyzQRSTUWXYZqrstuw').encode()))) for p in ('live_','test_')]"
#define BOOST_TEST_MODULE keys_env
#include <boost/test/unit_test.hpp>

#include <keyward/keys/env.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <cstdlib>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::keys {
// How Boost.Test prints an env_failure in a failed assertion.
inline std::ostream& boost_test_print_type(std::ostream& out, const env_failure& failure) {
  return out << failure.message();
}
}  // namespace keyward::keys

using namespace std::string_view_literals;
using keyward::errc;
using keyward::keys::check_key_text;
using keyward::keys::env_options;
using keyward::keys::env_result;
using keyward::keys::from_env;
using keyward::keys::key_environment;
using keyward::keys::key_kind;

namespace {

// A fake environment: the variables of a map; records the names asked for, in order.
struct fake_environment {
  std::map<std::string, std::string> variables;
  mutable std::vector<std::string> asked;

  const char* operator()(const char* name) const {
    asked.emplace_back(name);
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  }
};

fake_environment with(std::string name, std::string value) {
  fake_environment env;
  env.variables.emplace(std::move(name), std::move(value));
  return env;
}

// The secret part of the keyward keys below, and the keys (see the header comment for how they were made).
constexpr std::string_view keyward_secret = "QRSTUWXYZqrstuwyzQRSTUWXYZqrstuw";
constexpr std::string_view live_keyward_key = "live_AbCdEfGh1234QRSTUWXYZqrstuwyzQRSTUWXYZqrstuw19HtOx";
constexpr std::string_view test_keyward_key = "test_AbCdEfGh1234QRSTUWXYZqrstuwyzQRSTUWXYZqrstuw19Jl3S";

// A Stripe-style secret key whose random part shares no character with "sk_live_" or "...".
constexpr std::string_view stripe_secret = "QRSTUWXYZ0123QRSTUWXYZ4567QRSTUW";
const std::string stripe_live = "sk_live_" + std::string(stripe_secret);

// The failure of `loaded`, which must be one.
const keyward::keys::env_failure& failure_of(const env_result& loaded) {
  BOOST_TEST_REQUIRE(!loaded.has_value());
  return loaded.error();
}

// Loads `value` from ACME_API_KEY and returns the code and offset of the failure.
keyward::error load_error(std::string value, const env_options& options = {}) {
  const auto env = with("ACME_API_KEY", std::move(value));
  const env_result loaded = from_env("ACME_API_KEY", options, env);
  return failure_of(loaded).cause();
}

// True when no run of 3 characters of `secret_part` appears in `text`.
bool shares_no_run(std::string_view text, std::string_view secret_part) {
  for (std::size_t i = 0; i + 3 <= secret_part.size(); ++i) {
    if (text.find(secret_part.substr(i, 3)) != std::string_view::npos) return false;
  }
  return true;
}

env_options stripe_options() {
  env_options options;
  options.prefixes = keyward::keys::stripe_prefixes;
  return options;
}

env_options keyward_options() {
  env_options options;
  options.prefixes = keyward::keys::live_test_prefixes;
  options.require_keyward_format = true;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_CASE(loads_a_key_into_a_secret) {
  const auto env = with("KONNECT_API_KEY", stripe_live);
  env_result loaded = from_env("KONNECT_API_KEY", {}, env);
  BOOST_TEST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->reveal() == stripe_live);
  BOOST_TEST(loaded.value().size() == stripe_live.size());
  const keyward::secret moved = std::move(loaded).value();
  BOOST_TEST(moved.reveal() == stripe_live);
}

BOOST_AUTO_TEST_CASE(missing_names_every_variable_tried) {
  fake_environment env;
  env.variables["OTHER"] = "sk_live_abc";
  const env_result loaded = from_env({"ACME_API_KEY", "API_KEY"}, {}, env);
  const auto& failure = failure_of(loaded);
  BOOST_TEST(failure.code() == errc::key_env_missing);
  BOOST_TEST(failure == errc::key_env_missing);
  BOOST_TEST(!failure.cause().has_offset());
  BOOST_TEST(failure.variable() == "ACME_API_KEY, API_KEY");
  BOOST_TEST(failure.length() == 0u);
  BOOST_TEST(failure.redacted().empty());
  BOOST_TEST(failure.message() == "ACME_API_KEY, API_KEY: key: environment variable not set");
  BOOST_TEST((env.asked == std::vector<std::string>{"ACME_API_KEY", "API_KEY"}));

  const env_result none = from_env(std::initializer_list<const char*>{}, {}, env);
  BOOST_TEST(failure_of(none).code() == errc::key_env_missing);
  BOOST_TEST(failure_of(none).message() == "key: environment variable not set");
  // A null name counts as not set.
  const env_result null_name = from_env({nullptr, "OTHER"}, {}, env);
  BOOST_TEST_REQUIRE(null_name.has_value());
  BOOST_TEST(null_name->reveal() == "sk_live_abc");
}

BOOST_AUTO_TEST_CASE(precedence_is_the_order_given) {
  fake_environment env;
  env.variables["API_KEY"] = "sk_live_second";
  env.variables["ACME_API_KEY"] = "sk_live_first";
  const env_result both = from_env({"ACME_API_KEY", "API_KEY"}, {}, env);
  BOOST_TEST_REQUIRE(both.has_value());
  BOOST_TEST(both->reveal() == "sk_live_first");
  BOOST_TEST((env.asked == std::vector<std::string>{"ACME_API_KEY"}));  // stops at the first set

  env.asked.clear();
  const env_result reversed = from_env({"API_KEY", "ACME_API_KEY"}, {}, env);
  BOOST_TEST_REQUIRE(reversed.has_value());
  BOOST_TEST(reversed->reveal() == "sk_live_second");

  env.variables.erase("ACME_API_KEY");
  env.asked.clear();
  const env_result fallback = from_env({"ACME_API_KEY", "API_KEY"}, {}, env);
  BOOST_TEST_REQUIRE(fallback.has_value());
  BOOST_TEST(fallback->reveal() == "sk_live_second");
  BOOST_TEST((env.asked == std::vector<std::string>{"ACME_API_KEY", "API_KEY"}));
}

BOOST_AUTO_TEST_CASE(an_empty_earlier_variable_is_an_error_not_skipped) {
  fake_environment env;
  env.variables["ACME_API_KEY"] = "";
  env.variables["API_KEY"] = "sk_live_second";
  const env_result loaded = from_env({"ACME_API_KEY", "API_KEY"}, {}, env);
  const auto& failure = failure_of(loaded);
  BOOST_TEST(failure.code() == errc::key_env_empty);
  BOOST_TEST(!failure.cause().has_offset());
  BOOST_TEST(failure.variable() == "ACME_API_KEY");
  BOOST_TEST(failure.message() == "ACME_API_KEY: key: environment variable is empty");
  // An invalid earlier value is not skipped either.
  env.variables["ACME_API_KEY"] = "sk_live_abc\n";
  const env_result invalid = from_env({"ACME_API_KEY", "API_KEY"}, {}, env);
  BOOST_TEST(failure_of(invalid).code() == errc::key_env_whitespace);
}

BOOST_AUTO_TEST_CASE(whitespace_inside_or_around_with_its_offset) {
  const std::vector<std::string> values = {
      stripe_live + "\n",              // echo $KEY > file
      stripe_live + "\r\n",            // a Windows file
      " " + stripe_live,               // a space before
      stripe_live + " ",               // a space after
      "sk_live_ab cd",                 // inside
      "sk_live_ab\tcd",                // a tab
      "sk_live_ab\vcd", "sk_live_ab\fcd",
      "sk_live_ab\xC2\xA0" "cd",       // U+00A0 NO-BREAK SPACE
      "\xEF\xBB\xBF" + stripe_live,    // a byte order mark
      stripe_live + "\xE2\x80\x8B",    // U+200B ZERO WIDTH SPACE
      "sk_live_\xE3\x80\x80" "ab",     // U+3000 IDEOGRAPHIC SPACE
      "sk_live_\xE2\x80\xA8" "ab",     // U+2028 LINE SEPARATOR
  };
  for (const std::string& value : values) {
    const std::size_t expected = value.find_first_of(" \t\n\r\v\f\xC2\xEF\xE2\xE3");
    const keyward::error found = load_error(value);
    BOOST_TEST_CONTEXT(keyward_test::to_hex(value)) {
      BOOST_TEST(found.code() == errc::key_env_whitespace);
      BOOST_TEST(found.offset() == expected);
      BOOST_TEST(check_key_text(value).error() == found);
    }
  }
  const auto env = with("ACME_API_KEY", stripe_live + "\n");
  const env_result loaded = from_env("ACME_API_KEY", stripe_options(), env);
  const auto& failure = failure_of(loaded);
  BOOST_TEST(failure.offset() == stripe_live.size());
  BOOST_TEST(failure.hint() == "a line break (LF), as echo adds");
  BOOST_TEST(failure.redacted() == "sk_live_...");
  BOOST_TEST(failure.length() == stripe_live.size() + 1);
  BOOST_TEST(failure.message() == "ACME_API_KEY: key: whitespace in the key at offset 40 (a line break (LF), as "
                                  "echo adds); found sk_live_... (41 bytes)");
}

BOOST_AUTO_TEST_CASE(other_bytes_no_key_holds) {
  const std::vector<std::pair<std::string, std::string_view>> values = {
      {"\"" + stripe_live + "\"", "a quote, as a copied .env line holds"},
      {"'" + stripe_live + "'", "a quote, as a copied .env line holds"},
      {"sk_live_ab`cd", "a quote, as a copied .env line holds"},
      {stripe_live + "\\n", "a backslash, as a written-out \\n holds"},
      {"sk_live_ab\x01" "cd", "a control character"},
      {"sk_live_ab\x7F" "cd", "a control character"},
      {"sk_live_ab\xC3\xA9" "cd", "a non-ASCII byte"},  // U+00E9
      {"sk_live_ab\xE2\x80\x93" "cd", "a non-ASCII byte"},  // U+2013 EN DASH, as word processors write "-"
  };
  for (const auto& [value, hint] : values) {
    const std::size_t expected = value.find_first_of("\"'`\\\x01\x7F\xC3\xE2");
    const auto env = with("ACME_API_KEY", value);
    const env_result loaded = from_env("ACME_API_KEY", {}, env);
    BOOST_TEST_CONTEXT(keyward_test::to_hex(value)) {
      BOOST_TEST(failure_of(loaded).code() == errc::key_invalid_character);
      BOOST_TEST(failure_of(loaded).offset() == expected);
      BOOST_TEST(failure_of(loaded).hint() == hint);
    }
  }
  // Every printable ASCII byte but the quotes and the backslash is accepted.
  std::string printable;
  for (char c = 0x21; c <= 0x7E; ++c) {
    if (c != '"' && c != '\'' && c != '`' && c != '\\' && c != '<' && c != '>') printable += c;
  }
  BOOST_TEST(check_key_text(printable).has_value());
}

BOOST_AUTO_TEST_CASE(placeholders_and_masked_values) {
  const std::vector<std::pair<std::string, std::size_t>> values = {
      {"sk_live_...", 8},
      {"sk_live_...abcd", 8},
      {"sk_live_\xE2\x80\xA6" "abcd", 8},  // U+2026 HORIZONTAL ELLIPSIS
      {"sk_live_xxx", 8},
      {"sk_live_XXXXXXXXXXXXXXXXXXXXXXXX", 8},
      {"xxxxxxxx", 0},
      {"****", 0},
      {"sk_live_****abcd", 8},
      {"sk_live_\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "abcd", 8},  // U+2022 BULLET
      {"<your key>", 0},
      {"<YOUR_API_KEY>", 0},
      {"YOUR_API_KEY", 0},
      {"your-api-key-here", 0},
      {"sk_live_YOUR_KEY", 8},
      {"changeme", 0},
      {"CHANGEME", 0},
      {"REPLACE_ME", 0},
      {"change-me", 0},
      {"{{ApiKey}}", 0},       // a Postman variable, as in API providers' examples
      {"${ACME_API_KEY}", 0},
      {"$ACME_API_KEY", 0},
      {"$(cat key.txt)", 0},
      {"null", 0},
      {"None", 0},
      {"undefined", 0},
      {"api_key", 0},
      {"INSERT_KEY_HERE", 0},
      {"sk_test_TODO", 8},
      {"[redacted]", 1},
      {"sk_live_ab  ...", 12},  // the placeholder decides before the whitespace at 10
  };
  for (const auto& [value, offset] : values) {
    const keyward::error found = load_error(value);
    BOOST_TEST_CONTEXT(value) {
      BOOST_TEST(found.code() == errc::key_env_placeholder);
      BOOST_TEST(found.offset() == offset);
    }
  }
  const auto env = with("ACME_API_KEY", "sk_live_...");
  const env_result loaded = from_env("ACME_API_KEY", stripe_options(), env);
  BOOST_TEST(failure_of(loaded).hint() == "\"...\": an elided key");
  BOOST_TEST(failure_of(loaded).redacted() == "sk_live_...");
  BOOST_TEST(failure_of(loaded).message() ==
             "ACME_API_KEY: key: placeholder instead of a key at offset 8 (\"...\": an elided key); found "
             "sk_live_... (11 bytes)");
}

BOOST_AUTO_TEST_CASE(not_placeholders) {
  // Real keys and key-like values that hold a word, an x or a star but none of the patterns.
  for (const std::string_view value :
       {"sk_test_4eC39HqLyjWDarjtT1zdp7dc"sv,  // Stripe's documented test key
        "pk_live_51HxxXabcdefXXyz"sv, "sk_live_abxxcd"sv, "sk_live_xx"sv, "replacement"sv, "sk_live_a*b"sv,
        "sk_live_a.b"sv, "sk_live_yourself"sv, "sk_live_$abc"sv, "ghp_16C7e42F292c6912E7710c838347Ae178B4a"sv,
        "tester"sv, "npm_Abcdefghijklmnopqrstuvwxyz0123456789"sv}) {
    BOOST_TEST_CONTEXT(value) { BOOST_TEST(check_key_text(value).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(unknown_prefix_with_a_table) {
  const keyward::error found = load_error("ak_live_QRSTUWXYZ0123", stripe_options());
  BOOST_TEST(found.code() == errc::key_unknown_prefix);
  // Without a table, any prefix is accepted.
  BOOST_TEST(check_key_text("ak_live_QRSTUWXYZ0123").has_value());
  const auto env = with("ACME_API_KEY", "ak_live_QRSTUWXYZ0123");
  const env_result loaded = from_env("ACME_API_KEY", stripe_options(), env);
  BOOST_TEST(failure_of(loaded).redacted().empty());  // nothing of it is known to be public
  BOOST_TEST(failure_of(loaded).message().find("found 21 bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_environment_and_kind) {
  env_options live_secret = stripe_options();
  live_secret.required_environment = key_environment::live;
  live_secret.required_kind = key_kind::secret;

  const std::string test_key = "sk_test_" + std::string(stripe_secret);
  const keyward::error test_found = load_error(test_key, live_secret);
  BOOST_TEST(test_found.code() == errc::key_wrong_environment);
  BOOST_TEST(!test_found.has_offset());

  const std::string publishable = "pk_live_" + std::string(stripe_secret);
  const keyward::error kind_found = load_error(publishable, live_secret);
  BOOST_TEST(kind_found.code() == errc::key_wrong_kind);
  BOOST_TEST(!kind_found.has_offset());

  // whsec_ has no environment: not live.
  BOOST_TEST(load_error("whsec_" + std::string(stripe_secret), live_secret).code() == errc::key_wrong_environment);

  const auto env = with("ACME_API_KEY", stripe_live);
  const env_result loaded = from_env("ACME_API_KEY", live_secret, env);
  BOOST_TEST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->reveal() == stripe_live);

  env_options test_only = stripe_options();
  test_only.required_environment = key_environment::test;
  BOOST_TEST(check_key_text(test_key, test_only).has_value());
  BOOST_TEST(check_key_text(stripe_live, test_only).error().code() == errc::key_wrong_environment);
  env_options publishable_only = stripe_options();
  publishable_only.required_kind = key_kind::publishable;
  BOOST_TEST(check_key_text(publishable, publishable_only).has_value());
  BOOST_TEST(check_key_text(stripe_live, publishable_only).error().code() == errc::key_wrong_kind);

  const auto test_env = with("ACME_API_KEY", test_key);
  const env_result wrong = from_env("ACME_API_KEY", live_secret, test_env);
  BOOST_TEST(failure_of(wrong).redacted() == "sk_test_...");
  BOOST_TEST(failure_of(wrong).message() == "ACME_API_KEY: key: wrong environment; found sk_test_... (40 bytes)");
}

BOOST_AUTO_TEST_CASE(requirements_without_a_table_are_refused) {
  env_options options;
  options.required_environment = key_environment::live;
  BOOST_TEST(check_key_text(stripe_live, options).error().code() == errc::key_invalid_options);
  options = {};
  options.required_kind = key_kind::secret;
  BOOST_TEST(check_key_text(stripe_live, options).error().code() == errc::key_invalid_options);
  options = {};
  options.require_keyward_format = true;
  BOOST_TEST(check_key_text(stripe_live, options).error().code() == errc::key_invalid_options);
}

BOOST_AUTO_TEST_CASE(keyward_format_and_checksum) {
  const env_options options = keyward_options();
  BOOST_TEST(check_key_text(live_keyward_key, options).has_value());
  BOOST_TEST(check_key_text(test_keyward_key, options).has_value());

  // Relabelled from test to live: the checksum covers the prefix.
  std::string relabelled(test_keyward_key);
  relabelled.replace(0, 5, "live_");
  BOOST_TEST(relabelled != live_keyward_key);
  BOOST_TEST(load_error(relabelled, options).code() == errc::key_checksum_mismatch);
  // One character of the secret changed.
  std::string changed(live_keyward_key);
  changed[20] = changed[20] == 'Q' ? 'R' : 'Q';
  BOOST_TEST(load_error(changed, options).code() == errc::key_checksum_mismatch);
  // Too short for the format.
  BOOST_TEST(load_error("live_AbCdEfGh1234QRST19HtOx", options).code() == errc::key_invalid_length);
  // Without the format required, any text after a known prefix passes.
  env_options prefix_only;
  prefix_only.prefixes = keyward::keys::live_test_prefixes;
  BOOST_TEST(check_key_text(relabelled, prefix_only).has_value());

  // A valid test key where live is required: its public id may be shown, never its secret.
  env_options live = options;
  live.required_environment = key_environment::live;
  const auto env = with("ACME_API_KEY", std::string(test_keyward_key));
  const env_result loaded = from_env("ACME_API_KEY", live, env);
  const auto& failure = failure_of(loaded);
  BOOST_TEST(failure.code() == errc::key_wrong_environment);
  BOOST_TEST(failure.redacted().substr(0, 5) == "test_");
  BOOST_TEST(failure.redacted().substr(5).find_first_of(keyward_secret) == std::string_view::npos);
  BOOST_TEST(shares_no_run(failure.message(), keyward_secret));
  BOOST_TEST(shares_no_run(failure.message(), test_keyward_key.substr(test_keyward_key.size() - 6)));
}

BOOST_AUTO_TEST_CASE(redacted_form_never_holds_a_secret_character) {
  // Every failure of a value made of a known prefix and a known secret part: the redacted form holds none of
  // the secret part's characters, and the message no run of three of them.
  const std::vector<std::string> values = {
      stripe_live + "\n", " " + stripe_live, stripe_live + "...", "\"" + stripe_live + "\"",
      "sk_test_" + std::string(stripe_secret), "pk_live_" + std::string(stripe_secret),
      stripe_live.substr(0, 20) + "\t" + stripe_live.substr(20), "sk_live_" + std::string(stripe_secret) + "_xxx",
  };
  env_options options = stripe_options();
  options.required_environment = key_environment::live;
  options.required_kind = key_kind::secret;
  for (const std::string& value : values) {
    const auto env = with("ACME_API_KEY", value);
    const env_result loaded = from_env("ACME_API_KEY", options, env);
    BOOST_TEST_CONTEXT(keyward_test::to_hex(value)) {
      const auto& failure = failure_of(loaded);
      BOOST_TEST(failure.redacted().find_first_of(stripe_secret) == std::string_view::npos);
      BOOST_TEST(shares_no_run(failure.message(), stripe_secret));
      BOOST_TEST(failure.length() == value.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_the_process_environment_by_default) {
  // The one test of std::getenv: a variable name no other test uses.
#if defined(_WIN32)
  BOOST_TEST_REQUIRE(::_putenv_s("KEYWARD_ENV_TEST_KEY", "sk_live_QRSTUWXYZ") == 0);
#else
  BOOST_TEST_REQUIRE(::setenv("KEYWARD_ENV_TEST_KEY", "sk_live_QRSTUWXYZ", 1) == 0);
#endif
  const env_result loaded = from_env("KEYWARD_ENV_TEST_KEY");
  BOOST_TEST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->reveal() == "sk_live_QRSTUWXYZ");
#if defined(_WIN32)
  BOOST_TEST_REQUIRE(::_putenv_s("KEYWARD_ENV_TEST_KEY", "") == 0);
#else
  BOOST_TEST_REQUIRE(::unsetenv("KEYWARD_ENV_TEST_KEY") == 0);
#endif
  const env_result unset = from_env({"KEYWARD_ENV_TEST_KEY"});
  BOOST_TEST(failure_of(unset).code() == errc::key_env_missing);
}

BOOST_AUTO_TEST_CASE(check_key_text_allocates_nothing) {
  env_options live = keyward_options();
  live.required_environment = key_environment::live;
  env_options stripe = stripe_options();
  stripe.required_kind = key_kind::secret;
  const std::string relabelled = "live_" + std::string(test_keyward_key.substr(5));
  std::size_t failures = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (const std::string_view value : {live_keyward_key, test_keyward_key, std::string_view(relabelled),
                                       std::string_view(stripe_live), "sk_live_...\n"sv, "<your key>"sv, ""sv,
                                       "pk_live_abc"sv, "sk_live_ab\xC2\xA0"sv}) {
    failures += check_key_text(value, live).has_value() ? 0 : 1;
    failures += check_key_text(value, stripe).has_value() ? 0 : 1;
    failures += check_key_text(value).has_value() ? 0 : 1;
  }
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  // Passes: live_keyward_key (live, none), test_keyward_key and relabelled (none: no format required),
  // stripe_live (stripe, none), pk_live_abc (none): 7 of 27.
  BOOST_TEST(failures == 20u);
}
