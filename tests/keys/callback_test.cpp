// Tests for include/keyward/keys/callback.hpp: static callback authentication, the legacy mode in which an API
// provider sends a fixed key in a `<vendor>-callback-auth` header (the header name below is the one a
// provider documents). Expected verdicts follow from the values: the configured key itself, and values that
// differ from it in one byte, in case, or in length. Field names are tokens (RFC 9110 section 5.6.2) and OWS
// around a field value is not part of it (RFC 9110 section 5.5).
#define BOOST_TEST_MODULE keys_callback
#include <boost/test/unit_test.hpp>

#include <keyward/keys/callback.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

using keyward::errc;
using keyward::http::denial_reason;
using keyward::keys::callback_authentication;
using keyward::keys::static_callback_auth;

namespace keyward::http {
inline std::ostream& boost_test_print_type(std::ostream& out, denial_reason reason) {
  return out << static_cast<int>(reason);
}
}  // namespace keyward::http

namespace {

constexpr std::string_view header = "refonte.ai-callback-auth";
constexpr std::string_view key = "cbk_live_7Hq2ZpL9xWm4Rt8Vn3Ks6Yd1";

static_callback_auth configured() {
  auto made = static_callback_auth::make(header, key);
  BOOST_TEST_REQUIRE(made.has_value());
  return std::move(made).value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_configured_key_is_allowed) {
  const static_callback_auth auth = configured();
  BOOST_TEST(auth.header_name() == header);
  const callback_authentication checked = auth.check(key);
  BOOST_TEST(checked.has_value());
  BOOST_TEST(static_cast<bool>(checked));
  // OWS around the field value is not part of it.
  BOOST_TEST(auth.check(" " + std::string(key) + "\t ").has_value());
  BOOST_TEST(auth.check("\t" + std::string(key)).has_value());
}

BOOST_AUTO_TEST_CASE(other_values_are_refused_as_invalid_keys) {
  const static_callback_auth auth = configured();
  std::string one_byte(key);
  one_byte.back() = one_byte.back() == '1' ? '2' : '1';
  std::string first_byte(key);
  first_byte.front() = 'C';
  std::string upper(key);
  for (char& c : upper) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  const std::string shorter(key.substr(0, key.size() - 1));
  const std::string longer = std::string(key) + "1";
  const std::string inner = std::string(key.substr(0, 10)) + " " + std::string(key.substr(10));
  const std::string twice = std::string(key) + ", " + std::string(key);  // the header sent twice, combined
  for (const std::string& value : {one_byte, first_byte, upper, shorter, longer, inner, twice, std::string("x")}) {
    const callback_authentication checked = auth.check(value);
    BOOST_TEST_CONTEXT(value) {
      BOOST_TEST(!checked.has_value());
      BOOST_TEST_REQUIRE(!static_cast<bool>(checked));
      BOOST_TEST(checked.error().reason() == denial_reason::invalid_key);
      BOOST_TEST(checked.error().status() == 401);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_missing_header_is_missing_credentials) {
  const static_callback_auth auth = configured();
  for (const std::string_view value : {std::string_view(), std::string_view(" "), std::string_view(" \t ")}) {
    const callback_authentication checked = auth.check(value);
    BOOST_TEST_REQUIRE(!checked.has_value());
    BOOST_TEST(checked.error().reason() == denial_reason::missing_credentials);
    BOOST_TEST(checked.error().status() == 401);
  }
}

BOOST_AUTO_TEST_CASE(header_names_compare_without_case) {
  const static_callback_auth auth = configured();
  BOOST_TEST(auth.is_header("refonte.ai-callback-auth"));
  BOOST_TEST(auth.is_header("Refonte.AI-Callback-Auth"));
  BOOST_TEST(!auth.is_header("refonte.ai-callback-aut"));
  BOOST_TEST(!auth.is_header("refonte.ai-callback-auth2"));
  BOOST_TEST(!auth.is_header(""));
}

BOOST_AUTO_TEST_CASE(make_checks_the_configuration) {
  const auto no_name = static_callback_auth::make("", key);
  BOOST_TEST_REQUIRE(!no_name.has_value());
  BOOST_TEST(no_name.error() == keyward::error(errc::http_invalid_parameter_value));
  const auto space = static_callback_auth::make("x callback-auth", key);
  BOOST_TEST_REQUIRE(!space.has_value());
  BOOST_TEST(space.error() == keyward::error(errc::http_invalid_parameter_value, 1));
  const auto colon = static_callback_auth::make("x-callback-auth:", key);
  BOOST_TEST_REQUIRE(!colon.has_value());
  BOOST_TEST(colon.error() == keyward::error(errc::http_invalid_parameter_value, 15));

  const auto empty = static_callback_auth::make(header, "");
  BOOST_TEST_REQUIRE(!empty.has_value());
  BOOST_TEST(empty.error() == keyward::error(errc::key_invalid_length));
  for (const auto& [bad, offset] : {std::pair<std::string_view, std::size_t>{"abc def", 3},
                                    {" abcdef", 0}, {"abcdef\n", 6}, {"abc\x7F", 3}, {"ab\xC3\xA9", 2}}) {
    const auto made = static_callback_auth::make(header, bad);
    BOOST_TEST_REQUIRE(!made.has_value());
    BOOST_TEST(made.error() == keyward::error(errc::key_invalid_character, offset));
  }
  BOOST_TEST(static_callback_auth::make("X-Hook-Auth", "k").has_value());
}

BOOST_AUTO_TEST_CASE(two_configurations_are_independent) {
  const static_callback_auth a = configured();
  const auto b = static_callback_auth::make("other-callback-auth", "another key without spaces").has_value();
  BOOST_TEST(!b);  // the space
  const auto c = static_callback_auth::make("other-callback-auth", "another_key");
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->check("another_key").has_value());
  BOOST_TEST(!c->check(key).has_value());
  BOOST_TEST(!a.check("another_key").has_value());
  const static_callback_auth copied = a;
  BOOST_TEST(copied.check(key).has_value());
}

BOOST_AUTO_TEST_CASE(check_allocates_nothing) {
  const static_callback_auth auth = configured();
  const std::string wrong = std::string(key.substr(1)) + "Z";
  std::size_t allowed = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (const std::string_view value : {key, std::string_view(wrong), std::string_view()}) {
    allowed += auth.check(value).has_value() ? 1 : 0;
  }
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  BOOST_TEST(allowed == 1u);
}
