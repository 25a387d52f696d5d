// Tests for include/keyward/http/basic.hpp: the Basic scheme of RFC 7617. Expected values come from RFC 7617
// (sections 2 and 2.1), from an API provider's documented example, and from Base64 encodings written out in
// the comments (`printf %s 'user:pass' | base64` on Debian; the Base64 module itself is checked against
// Python's base64 elsewhere).
#define BOOST_TEST_MODULE http_basic
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/kernels.hpp>

#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <limits>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::http::basic_buffer;
using keyward::http::basic_charset;
using keyward::http::basic_options;
using keyward::http::parse_basic;

namespace {

struct user_pass {
  std::string user;
  std::string password;
  bool transcoded = false;
};

keyward::result<user_pass> parse(std::string_view value, basic_charset charset = basic_charset::utf8) {
  basic_buffer<512> buffer;
  basic_options options;
  options.charset = charset;
  const auto parsed = parse_basic(value, buffer, options);
  if (!parsed) return parsed.error();
  return user_pass{std::string(parsed->user), std::string(parsed->password), parsed->transcoded};
}

std::string basic_of(std::string_view user_pass) { return "Basic " + keyward::base64::encode(user_pass); }

}  // namespace

BOOST_AUTO_TEST_CASE(rfc7617_examples) {
  // RFC 7617 section 2: user-id "Aladdin", password "open sesame".
  const auto aladdin = parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  BOOST_TEST_REQUIRE(aladdin.has_value());
  BOOST_TEST(aladdin->user == "Aladdin");
  BOOST_TEST(aladdin->password == "open sesame");
  BOOST_TEST(!aladdin->transcoded);
  // RFC 7617 section 2.1: user-id "test", password "123" followed by U+00A3 POUND SIGN, sent as UTF-8.
  const auto pound = parse("Basic dGVzdDoxMjPCow==");
  BOOST_TEST_REQUIRE(pound.has_value());
  BOOST_TEST(pound->user == "test");
  BOOST_TEST(pound->password == "123\xc2\xa3");

  BOOST_TEST(*keyward::http::basic("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  BOOST_TEST(*keyward::http::basic("test", "123\xc2\xa3") == "Basic dGVzdDoxMjPCow==");
}

BOOST_AUTO_TEST_CASE(provider_api_key_as_user_id) {
  // An API provider's documentation ("How does Basic Auth work?"): the API key is the user-id and the password is empty, so the
  // user-pass is "key:". Its example header is `Basic bGl2ZV9TY2FsZVJvY2tzOg==`, which decodes to
  // "live_ScaleRocks:" (the page's prose names another key, live_Refonte_AI_Rocks; the header is what a server
  // receives).
  const auto parsed = parse("Basic bGl2ZV9TY2FsZVJvY2tzOg==");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->user == "live_ScaleRocks");
  BOOST_TEST(parsed->password.empty());
  BOOST_TEST(*keyward::http::basic_api_key("live_ScaleRocks") == "Basic bGl2ZV9TY2FsZVJvY2tzOg==");
  // printf %s 'live_Refonte_AI_Rocks:' | base64
  BOOST_TEST(*keyward::http::basic_api_key("live_Refonte_AI_Rocks") == "Basic bGl2ZV9SZWZvbnRlX0FJX1JvY2tzOg==");
}

BOOST_AUTO_TEST_CASE(splitting_at_the_first_colon) {
  // printf %s 'user:pa:ss' | base64 -> dXNlcjpwYTpzcw==
  const auto colons = parse("Basic dXNlcjpwYTpzcw==");
  BOOST_TEST(colons->user == "user");
  BOOST_TEST(colons->password == "pa:ss");
  // printf %s ':pass' | base64 -> OnBhc3M= (an empty user-id is allowed by the grammar)
  const auto empty_user = parse("Basic OnBhc3M=");
  BOOST_TEST(empty_user->user.empty());
  BOOST_TEST(empty_user->password == "pass");
  // printf %s ':' | base64 -> Og==
  const auto both_empty = parse("Basic Og==");
  BOOST_TEST(both_empty->user.empty());
  BOOST_TEST(both_empty->password.empty());
}

BOOST_AUTO_TEST_CASE(scheme_and_whitespace) {
  for (const std::string_view value : {"basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "BASIC QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
                                       "  Basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t "}) {
    BOOST_TEST_CONTEXT(value) { BOOST_TEST(parse(value)->user == "Aladdin"); }
  }
}

BOOST_AUTO_TEST_CASE(malformed_field_values) {
  struct row {
    std::string_view input;
    errc code;
    std::size_t offset;
  };
  constexpr std::size_t none = keyward::error::no_offset;
  const row rows[] = {
      {"", errc::http_empty_value, none},
      {"  ", errc::http_empty_value, none},
      {"Basic", errc::http_missing_token, 5},
      {"Basic   ", errc::http_missing_token, 5},           // trailing OWS is not credentials
      {"Bearer abc", errc::http_wrong_scheme, 0},
      {"  Digest a=b", errc::http_wrong_scheme, 2},
      {"Basicx YQ==", errc::http_wrong_scheme, 0},         // another (well-formed) scheme
      {"Bearer a b", errc::http_unexpected_data, 9},       // not Basic, and not well-formed either
      {"Basic\tQWxh", errc::http_invalid_scheme, 5},
      {"Basic/ QWxh", errc::http_invalid_scheme, 5},
      {"Basic !!!!", errc::base64_invalid_character, 6},   // not read as an empty user-id
      {"Basic QWxh ZGRp", errc::base64_invalid_character, 10},
      {"Basic QWxh\r\nX: y", errc::http_invalid_character, 10},
      {"Basic QWxh\0"sv, errc::http_invalid_character, 10},
      {"Basic QW\x7fh", errc::http_invalid_character, 8},
      {"Basic QWxh,Basic QWxh", errc::base64_invalid_character, 10},
      {"Basic YWJj", errc::basic_missing_colon, none},     // "abc"
      {"Basic YWJjZA==", errc::basic_missing_colon, none}, // "abcd"
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(r.input)) {
      const auto parsed = parse(r.input);
      BOOST_TEST_REQUIRE(!parsed.has_value());
      BOOST_TEST(parsed.error().code() == r.code);
      BOOST_TEST(parsed.error().offset() == r.offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(base64_is_strict_and_offsets_point_into_the_field_value) {
  // Each token is rejected by strict RFC 4648 decoding; the error is base64's own, moved by the token's offset.
  for (const std::string_view token : {"QWxhZGRpbjpvcGVuIHNlc2FtZQ",    // padding missing
                                       "QWxhZGRpbjpvcGVuIHNlc2FtZR==",  // non-zero trailing bits
                                       "QWxhZGRpbjpvcGVuIHNlc2FtZQ=",   // one '=' short
                                       "QWxh=ZGRp",                      // '=' inside
                                       "QWxhZ",                          // a lone final character
                                       "QWxh-_Rp"}) {                    // URL alphabet
    BOOST_TEST_CONTEXT(token) {
      const auto alone = keyward::base64::decode(token);
      BOOST_TEST_REQUIRE(!alone.has_value());
      const auto parsed = parse("Basic  " + std::string(token));
      BOOST_TEST_REQUIRE(!parsed.has_value());
      BOOST_TEST(parsed.error().code() == alone.error().code());
      BOOST_TEST(parsed.error().offset() == 7 + alone.error().offset());
    }
  }
}

BOOST_AUTO_TEST_CASE(control_characters_in_the_decoded_user_pass) {
  // RFC 7617 section 2: the user-id and password MUST NOT contain control characters (CTL: %x00-1F / %x7F).
  for (const std::string_view user_pass :
       {"a\r\nb:c"sv, "user:pa\0ss"sv, "user:\x7f"sv, "\t:x"sv, "user:x\n"sv, "us\x1b" "er:x"sv}) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(user_pass)) {
      for (const auto charset : {basic_charset::utf8, basic_charset::latin1_fallback, basic_charset::raw}) {
        BOOST_TEST(parse(basic_of(user_pass), charset).error() == errc::basic_control_character);
      }
    }
  }
  // Every byte below 0x20 and DEL, in every position of a long user-pass (the word-at-a-time check).
  for (int c = 0; c < 0x80; ++c) {
    const bool control = c < 0x20 || c == 0x7f;
    for (std::size_t at = 0; at < 20; ++at) {
      std::string user_pass = "abcdefghij:klmnopqrstu";
      if (user_pass[at] == ':') continue;
      user_pass[at] = static_cast<char>(c);
      const auto parsed = parse(basic_of(user_pass));
      BOOST_TEST_CONTEXT("byte " << c << " at " << at) {
        if (control) {
          BOOST_TEST(parsed.error() == errc::basic_control_character);
        } else if (c == ':' && at < 10) {
          BOOST_TEST(parsed->user == user_pass.substr(0, at));
        } else {
          BOOST_TEST(parsed.has_value());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(utf8_is_validated_by_default) {
  // Ill-formed per RFC 3629 / Unicode table 3-7: a lone continuation byte, a truncated sequence, overlong
  // forms, a surrogate, a code point above U+10FFFF, bytes that never appear.
  for (const std::string_view bad : {"\x80", "\xc3", "\xe2\x82", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                                     "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "caf\xe9"}) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(bad)) {
      BOOST_TEST(parse(basic_of("user:" + std::string(bad))).error() == errc::basic_invalid_utf8);
      BOOST_TEST(parse(basic_of(std::string(bad) + ":x")).error() == errc::basic_invalid_utf8);
      const auto raw = parse(basic_of("user:" + std::string(bad)), basic_charset::raw);
      BOOST_TEST(raw->password == bad);
    }
  }
  // Well-formed: 2-, 3- and 4-byte sequences at the edges of table 3-7.
  for (const std::string_view good : {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                                      "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "\xf0\x9f\x94\x91"}) {
    BOOST_TEST_CONTEXT(keyward_test::to_hex(good)) {
      const auto parsed = parse(basic_of(std::string(good) + ":" + std::string(good)));
      BOOST_TEST_REQUIRE(parsed.has_value());
      BOOST_TEST(parsed->user == good);
      BOOST_TEST(parsed->password == good);
    }
  }
}

BOOST_AUTO_TEST_CASE(latin1_fallback) {
  // "test:123" followed by 0xA3, the pound sign in ISO-8859-1 (RFC 7617 section 2.1 discusses this case);
  // printf 'test:123\xa3' | base64 -> dGVzdDoxMjOj
  BOOST_TEST(parse("Basic dGVzdDoxMjOj").error() == errc::basic_invalid_utf8);
  const auto latin1 = parse("Basic dGVzdDoxMjOj", basic_charset::latin1_fallback);
  BOOST_TEST_REQUIRE(latin1.has_value());
  BOOST_TEST(latin1->user == "test");
  BOOST_TEST(latin1->password == "123\xc2\xa3");  // U+00A3 in UTF-8
  BOOST_TEST(latin1->transcoded);
  // Valid UTF-8 is not transcoded.
  const auto utf8 = parse("Basic dGVzdDoxMjPCow==", basic_charset::latin1_fallback);
  BOOST_TEST(utf8->password == "123\xc2\xa3");
  BOOST_TEST(!utf8->transcoded);
  // Every byte 0x80-0xFF maps to U+0080-U+00FF: C2 or C3, then 0x80 | (byte & 0x3F).
  std::string high = "\xe9:";
  for (int c = 0x80; c < 0x100; ++c) high.push_back(static_cast<char>(c));
  const auto all = parse(basic_of(high), basic_charset::latin1_fallback);
  BOOST_TEST_REQUIRE(all.has_value());
  BOOST_TEST(all->user == "\xc3\xa9");
  BOOST_TEST_REQUIRE(all->password.size() == 256u);
  for (int c = 0x80; c < 0x100; ++c) {
    const auto i = static_cast<std::size_t>(2 * (c - 0x80));
    BOOST_TEST(static_cast<unsigned char>(all->password[i]) == (c < 0xC0 ? 0xC2 : 0xC3));
    BOOST_TEST(static_cast<unsigned char>(all->password[i + 1]) == (0x80 | (c & 0x3F)));
  }
}

BOOST_AUTO_TEST_CASE(buffer_and_length_limits) {
  const std::string_view value = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";  // 19 decoded bytes
  char buffer[64];
  BOOST_TEST(keyward::http::basic_buffer_size(value) >= 19u);
  BOOST_TEST(parse_basic(value, buffer, 19).has_value());
  BOOST_TEST(parse_basic(value, buffer, 18).error() == errc::buffer_too_small);
  // Latin-1 transcoding needs room for the grown text: "test:123\xa3" is 9 bytes, 10 once transcoded.
  basic_options latin1;
  latin1.charset = basic_charset::latin1_fallback;
  BOOST_TEST(parse_basic("Basic dGVzdDoxMjOj", buffer, 10, latin1).has_value());
  BOOST_TEST(parse_basic("Basic dGVzdDoxMjOj", buffer, 9, latin1).error() == errc::buffer_too_small);
  BOOST_TEST(keyward::http::basic_buffer_size("Basic dGVzdDoxMjOj", basic_charset::latin1_fallback) >= 10u);

  basic_options short_values;
  short_values.limit.max_length = 10;
  BOOST_TEST(parse_basic("Basic Og==", buffer, sizeof buffer, short_values).has_value());
  BOOST_TEST(parse_basic("Basic  Og==", buffer, sizeof buffer, short_values).error() == errc::http_too_long);
  BOOST_TEST(parse("Basic " + std::string(8192, 'A')).error() == errc::http_too_long);
}

BOOST_AUTO_TEST_CASE(building_rejects_what_cannot_be_sent) {
  BOOST_TEST(keyward::http::basic("a:b", "x").error() == errc::basic_colon_in_user);
  BOOST_TEST(keyward::http::basic_api_key("sk:live").error() == errc::basic_colon_in_user);
  BOOST_TEST(keyward::http::basic("a\r\nb", "").error() == errc::basic_control_character);
  BOOST_TEST(keyward::http::basic("a", "b\r\nX-Injected: 1").error() == errc::basic_control_character);
  BOOST_TEST(keyward::http::basic("a", "b\r\n").error() == errc::basic_control_character);
  BOOST_TEST(keyward::http::basic("a", "\x7f").error() == errc::basic_control_character);
  BOOST_TEST(keyward::http::basic("a", "\0"sv).error() == errc::basic_control_character);
  BOOST_TEST(keyward::http::basic("a", "pa:ss").has_value());  // ':' is fine in the password
  // A default-constructed (null) view is an empty user-id or password.
  BOOST_TEST(*keyward::http::basic_api_key(std::string_view{}) == "Basic Og==");
  BOOST_TEST(*keyward::http::basic(std::string_view{}, std::string_view{}) == "Basic Og==");

  char out[64];
  std::fill(std::begin(out), std::end(out), '#');
  BOOST_TEST(keyward::http::basic_size(7, 11) == 34u);  // "Basic " + 28 characters
  BOOST_TEST(keyward::http::write_basic("Aladdin", "open sesame", out, 33).error() == errc::buffer_too_small);
  BOOST_TEST(out[0] == '#');  // nothing written
  BOOST_TEST(keyward::http::write_basic("a:b", "x", out, sizeof out).error() == errc::basic_colon_in_user);
  BOOST_TEST(keyward::http::write_basic("a:b", "x", out, 0).error() == errc::basic_colon_in_user);  // input first
  BOOST_TEST(out[0] == '#');
  const auto written = keyward::http::write_basic("Aladdin", "open sesame", out, 34);
  BOOST_TEST(std::string_view(out, *written) == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  BOOST_TEST(out[34] == '#');
}

// The size helpers saturate at SIZE_MAX instead of wrapping: the sizes come from the caller.
BOOST_AUTO_TEST_CASE(sizes_saturate) {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  BOOST_TEST(keyward::http::basic_size(max, 0) == max);
  BOOST_TEST(keyward::http::basic_size(0, max) == max);
  BOOST_TEST(keyward::http::basic_size(max / 2, max / 2) == max);
  BOOST_TEST(keyward::http::basic_size(max / 4 * 3, 0) == max);  // the encoding alone would need 4/3 of it
  // The largest user-pass that fits: groups = (max - 6) / 4, the field 6 + 4 * groups <= max.
  constexpr std::size_t groups = (max - 6) / 4;
  BOOST_TEST(keyward::http::basic_size(3 * groups - 1, 0) == 6 + 4 * groups);
  BOOST_TEST(keyward::http::basic_size(3 * groups, 0) == max);
  BOOST_TEST(keyward::http::basic_size(0, 0) == 10u);  // "Basic Og=="
  static_assert(keyward::http::basic_size(7, 11) == 34u);
  // Latin-1 transcoding doubles the decoded size: saturated for a length whose double does not fit.
  const std::string_view huge(static_cast<const char*>(nullptr), max);  // only its size is read
  BOOST_TEST(keyward::http::basic_buffer_size(huge, basic_charset::latin1_fallback) == max);
  BOOST_TEST(keyward::http::basic_buffer_size(huge, basic_charset::utf8) == max / 4 * 3 + 2);
}

// Long user-ids and passwords (past the SIMD encoders' 12- and 24-byte thresholds and several of their
// blocks): every split gives what encoding the joined text gives.
BOOST_AUTO_TEST_CASE(building_long_user_ids_and_passwords) {
  std::string letters;
  for (int i = 0; i < 200; ++i) letters += static_cast<char>('A' + i % 26);
  for (const std::size_t u : std::initializer_list<std::size_t>{0, 1, 2, 3, 46, 47, 48, 49, 94, 95, 96, 97, 150}) {
    for (const std::size_t p : std::initializer_list<std::size_t>{0, 1, 2, 3, 45, 46, 47, 48, 49, 96, 143, 144, 145}) {
      const std::string user = letters.substr(0, u);
      const std::string password = letters.substr(letters.size() - p);
      const auto field = keyward::http::basic(user, password);
      BOOST_TEST_REQUIRE(field.has_value());
      BOOST_TEST(*field == basic_of(user + ":" + password));
      BOOST_TEST(field->size() == keyward::http::basic_size(u, p));
    }
  }
}

BOOST_AUTO_TEST_CASE(building_agrees_with_encoding_the_joined_user_pass) {
  // write_basic() encodes the user-id, ':' and the password without joining them; every split of the
  // 3-byte groups must give what encoding the joined text gives.
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ\xc3\xa9\xff";
  for (std::size_t u = 0; u < 12; ++u) {
    for (std::size_t p = 0; p < 12; ++p) {
      const std::string user = letters.substr(0, u);
      const std::string password = letters.substr(letters.size() - p);
      const auto field = keyward::http::basic(user, password);
      BOOST_TEST_REQUIRE(field.has_value());
      BOOST_TEST(*field == basic_of(user + ":" + password));
      const auto back = parse(*field, basic_charset::raw);
      BOOST_TEST(back->user == user);
      BOOST_TEST(back->password == password);
    }
  }
}

// Building and parsing run the constant-time Base64 and user-pass scan (whose timing tests/ctgrind checks):
// with each kernel, at every length around the kernels' blocks and the scan's 16-byte blocks, they agree
// with encoding the joined text (timing::variable), and a password holding ':' splits at the first one.
BOOST_AUTO_TEST_CASE(every_kernel_builds_and_parses_alike) {
  using keyward::kernels::kernel;
  std::string letters;
  for (int i = 0; i < 100; ++i) letters += static_cast<char>(i % 7 == 3 ? ':' : 'a' + i % 26);
  for (const kernel k : {kernel::scalar, kernel::avx2, kernel::avx512vbmi}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force forced(k);
    std::vector<std::size_t> user_sizes;
    for (std::size_t u = 0; u <= 40; ++u) user_sizes.push_back(u);
    for (const std::size_t u : {63u, 64u, 65u, 70u, 127u, 128u, 129u}) user_sizes.push_back(u);
    for (const std::size_t u : user_sizes) {
      for (std::size_t p = 0; p <= 60; ++p) {
        std::string user(u, 'U');
        for (std::size_t i = 0; i < u; ++i) user[i] = static_cast<char>('A' + (i * 5 + p) % 26);
        const std::string password = letters.substr(p, p);
        const auto field = keyward::http::basic(user, password);
        BOOST_TEST_REQUIRE(field.has_value());
        BOOST_TEST_REQUIRE(*field == basic_of(user + ":" + password));
        const auto back = parse(*field);
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST_REQUIRE(back->user == user);
        BOOST_TEST_REQUIRE(back->password == password);
      }
    }
    BOOST_TEST(keyward::http::basic("us:er", "pw").error() == errc::basic_colon_in_user);
    BOOST_TEST(keyward::http::basic(std::string(20, 'u'), "p\x7f").error() == errc::basic_control_character);
    BOOST_TEST(parse(basic_of(std::string(40, 'u'))).error() == errc::basic_missing_colon);
  }
}

BOOST_AUTO_TEST_CASE(buffer_is_zeroized_on_destruction) {
  alignas(basic_buffer<32>) unsigned char storage[sizeof(basic_buffer<32>)];
  auto* buffer = new (storage) basic_buffer<32>;
  BOOST_TEST(parse_basic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", *buffer).has_value());
  BOOST_TEST(std::string_view(buffer->data(), 7) == "Aladdin");
  buffer->~basic_buffer<32>();
  for (const unsigned char byte : storage) BOOST_TEST(byte == 0u);
}
