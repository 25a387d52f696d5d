// Tests for include/keyward/http/bearer.hpp: `Bearer 1*SP b64token` (RFC 6750 section 2.1). Expected values
// come from RFC 6750's example, the seeds (002, 003, 004) and the b64token grammar; offsets count bytes from
// the start of the field value.
#define BOOST_TEST_MODULE http_bearer
#include <boost/test/unit_test.hpp>

#include <keyward/http/bearer.hpp>

#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::http::bearer_charset;
using keyward::http::bearer_options;
using keyward::http::parse_bearer;

namespace {

constexpr std::size_t none = keyward::error::no_offset;

bearer_options lenient() {
  bearer_options options;
  options.charset = bearer_charset::visible_ascii;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rfc6750_and_provider_examples) {
  // RFC 6750 section 2.1.
  BOOST_TEST(*parse_bearer("Bearer mF_9.B5f-4.1JqM") == "mF_9.B5f-4.1JqM");
  // Two API providers' documented examples (Konnect and another): an API key as the token.
  BOOST_TEST(*parse_bearer("Bearer sk_live_your_api_key_here") == "sk_live_your_api_key_here");
  BOOST_TEST(*parse_bearer("Bearer YOUR_API_KEY") == "YOUR_API_KEY");
  // A provider's documented example: a JWT (base64url segments joined by '.').
  const std::string_view jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  BOOST_TEST(*parse_bearer("Bearer " + std::string(jwt)) == jwt);
  BOOST_TEST(*keyward::http::bearer("mF_9.B5f-4.1JqM") == "Bearer mF_9.B5f-4.1JqM");
}

BOOST_AUTO_TEST_CASE(scheme_case_spaces_and_padding) {
  BOOST_TEST(*parse_bearer("bearer abc") == "abc");
  BOOST_TEST(*parse_bearer("BEARER abc") == "abc");
  BOOST_TEST(*parse_bearer("Bearer   abc") == "abc");
  BOOST_TEST(*parse_bearer(" \tBearer abc \t") == "abc");
  BOOST_TEST(*parse_bearer("Bearer abc==") == "abc==");
  BOOST_TEST(*parse_bearer("Bearer a/b+c~d.e-f_g") == "a/b+c~d.e-f_g");
}

BOOST_AUTO_TEST_CASE(malformed_field_values) {
  struct row {
    std::string_view input;
    errc code;
    std::size_t offset;
  };
  const row rows[] = {
      {"", errc::http_empty_value, none},
      {" \t ", errc::http_empty_value, none},
      {"Bearer", errc::http_missing_token, 6},
      {"Bearer   ", errc::http_missing_token, 6},
      {"Bearer\tabc", errc::http_invalid_scheme, 6},     // 1*SP
      {"Bearer,abc", errc::http_invalid_scheme, 6},
      {"Basic abc", errc::http_wrong_scheme, 0},
      {"Bearerx abc", errc::http_wrong_scheme, 0},
      {"Token token=\"abc\"", errc::http_wrong_scheme, 0},
      {"Bear er abc", errc::http_unexpected_data, 8},    // not Bearer and not well-formed
      {"Bearer abc def", errc::http_unexpected_data, 11},
      {"Bearer abc Bearer def", errc::http_unexpected_data, 11},
      {"Bearer abc,def", errc::bearer_invalid_token, 10},  // comma-joined values
      {"Bearer abc, Bearer def", errc::bearer_invalid_token, 10},
      {"Bearer a=b", errc::bearer_invalid_token, 9},       // '=' only at the end
      {"Bearer =", errc::bearer_invalid_token, 7},
      {"Bearer ==abc", errc::bearer_invalid_token, 7},
      {"Bearer \"abc\"", errc::bearer_invalid_token, 7},
      {"Bearer ab@c", errc::bearer_invalid_token, 9},
      {"Bearer caf\xc3\xa9", errc::bearer_invalid_token, 10},  // obs-text
      {"Bearer realm=\"x\"", errc::bearer_invalid_token, 13},  // auth-params are not a b64token
      {"Bearer abc\r\nX-Injected: 1", errc::http_invalid_character, 10},
      {"Bearer abc\0"sv, errc::http_invalid_character, 10},
      {"Bearer a\x7f" "b", errc::http_invalid_character, 8},
      {"\nBearer abc", errc::http_invalid_character, 0},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(r.input)) {
      const auto parsed = parse_bearer(r.input);
      BOOST_TEST_REQUIRE(!parsed.has_value());
      BOOST_TEST(parsed.error().code() == r.code);
      BOOST_TEST(parsed.error().offset() == r.offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_byte_in_a_token) {
  // "Bearer a" + byte + "b": strict accepts exactly the b64token characters (RFC 6750 section 2.1); lenient
  // accepts every VCHAR but ',' and '"'.
  const std::string_view b64token = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  for (int c = 0; c < 256; ++c) {
    std::string value = "Bearer a";
    value.push_back(static_cast<char>(c));
    value.push_back('b');
    const auto strict = parse_bearer(value);
    const auto loose = parse_bearer(value, lenient());
    const bool in_b64token = b64token.find(static_cast<char>(c)) != std::string_view::npos;
    const bool visible = c >= 0x21 && c <= 0x7e && c != ',' && c != '"';
    const bool forbidden = (c < 0x20 && c != '\t') || c == 0x7f;
    BOOST_TEST_CONTEXT("byte " << c) {
      BOOST_TEST(strict.has_value() == in_b64token);
      BOOST_TEST(loose.has_value() == visible);
      if (in_b64token) BOOST_TEST(*strict == value.substr(7));
      if (visible) BOOST_TEST(*loose == value.substr(7));
      if (forbidden) {
        BOOST_TEST(strict.error() == keyward::error(errc::http_invalid_character, 8));
        BOOST_TEST(loose.error() == keyward::error(errc::http_invalid_character, 8));
      } else if (c == ' ' || c == '\t') {
        BOOST_TEST(strict.error() == keyward::error(errc::http_unexpected_data, 9));
      } else if (!in_b64token && c != '=') {
        BOOST_TEST(strict.error() == keyward::error(errc::bearer_invalid_token, 8));
      }
    }
  }
  // '=' is a b64token character at the end only.
  BOOST_TEST(parse_bearer("Bearer a=b").error() == keyward::error(errc::bearer_invalid_token, 9));
  BOOST_TEST(*parse_bearer("Bearer a=b", lenient()) == "a=b");
}

BOOST_AUTO_TEST_CASE(length_limit) {
  const std::string at_limit = "Bearer " + std::string(8192 - 7, 'a');
  BOOST_TEST(parse_bearer(at_limit).has_value());
  BOOST_TEST(parse_bearer(at_limit + "a").error() == errc::http_too_long);
  bearer_options short_values;
  short_values.limit.max_length = 10;
  BOOST_TEST(*parse_bearer("Bearer abc", short_values) == "abc");
  BOOST_TEST(parse_bearer("Bearer abcd", short_values).error() == errc::http_too_long);
}

BOOST_AUTO_TEST_CASE(building_rejects_what_cannot_be_sent) {
  BOOST_TEST(keyward::http::bearer("").error() == errc::http_missing_token);
  BOOST_TEST(keyward::http::bearer("a b").error() == keyward::error(errc::bearer_invalid_token, 1));
  BOOST_TEST(keyward::http::bearer("abc\r\nX-Injected: 1").error() == keyward::error(errc::bearer_invalid_token, 3));
  BOOST_TEST(keyward::http::bearer("a=b").error() == keyward::error(errc::bearer_invalid_token, 2));
  BOOST_TEST(keyward::http::bearer("=").error() == keyward::error(errc::bearer_invalid_token, 0));
  BOOST_TEST(keyward::http::bearer("a,b", lenient()).error() == keyward::error(errc::bearer_invalid_token, 1));
  BOOST_TEST(*keyward::http::bearer("abc==") == "Bearer abc==");
  BOOST_TEST(*keyward::http::bearer("a@b", lenient()) == "Bearer a@b");

  char out[16];
  std::fill(std::begin(out), std::end(out), '#');
  BOOST_TEST(keyward::http::bearer_size(3) == 10u);
  BOOST_TEST(keyward::http::write_bearer("abc", out, 9).error() == errc::buffer_too_small);
  BOOST_TEST(keyward::http::write_bearer("a b", out, 0).error() == keyward::error(errc::bearer_invalid_token, 1));
  BOOST_TEST(out[0] == '#');  // nothing written on an error
  const auto written = keyward::http::write_bearer("abc", out, 10);
  BOOST_TEST(std::string_view(out, *written) == "Bearer abc");
  BOOST_TEST(out[10] == '#');
}

// bearer_size saturates at SIZE_MAX instead of wrapping.
BOOST_AUTO_TEST_CASE(size_saturates) {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  static_assert(keyward::http::bearer_size(0) == 7u);
  BOOST_TEST(keyward::http::bearer_size(max) == max);
  BOOST_TEST(keyward::http::bearer_size(max - 6) == max);
  BOOST_TEST(keyward::http::bearer_size(max - 7) == max);  // exactly max
  BOOST_TEST(keyward::http::bearer_size(max - 8) == max - 1);
}

BOOST_AUTO_TEST_CASE(build_then_parse_round_trips) {
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  for (std::size_t n = 1; n < 200; ++n) {
    std::string token;
    for (std::size_t i = 0; i < n; ++i) token.push_back(alphabet[(i * 7 + n) % alphabet.size()]);
    token.append(n % 3, '=');
    const auto field = keyward::http::bearer(token);
    BOOST_TEST_REQUIRE(field.has_value());
    BOOST_TEST(*parse_bearer(*field) == token);
  }
}

BOOST_AUTO_TEST_CASE(parsing_is_constexpr) {
  static_assert(parse_bearer("Bearer abc").value() == "abc");
  static_assert(parse_bearer("Bearer a b").error().code() == errc::http_unexpected_data);
  BOOST_TEST(true);
}
