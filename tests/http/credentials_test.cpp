// Tests for include/keyward/http/credentials.hpp: the RFC 9110 section 11.4 credentials grammar. Expected
// results are derived by hand from the ABNF (RFC 9110 sections 5.6 and 11); each malformed row says which rule
// it breaks, and offsets count bytes from the start of the field value.
#define BOOST_TEST_MODULE http_credentials
#include <boost/test/unit_test.hpp>

#include <keyward/http/credentials.hpp>

#include "support/test_support.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::http::parse_credentials;

namespace {

constexpr std::size_t none = keyward::error::no_offset;

struct row {
  std::string_view input;
  errc code;           // errc{} when the value parses
  std::size_t offset;  // for errors; for values that parse, the number of auth-params
};

// Values that parse. For these, `offset` holds the expected number of auth-params.
const row well_formed[] = {
    {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", errc{}, 0},  // RFC 7617 section 2
    {"basic abc", errc{}, 0},                            // schemes are case-insensitive (11.1)
    {"BASIC abc", errc{}, 0},
    {"  Basic abc  ", errc{}, 0},  // OWS around a field value is not part of it (5.5)
    {"\tBasic abc\t", errc{}, 0},
    {"Basic    abc", errc{}, 0},   // 1*SP
    {"Basic", errc{}, 0},          // the credentials after the scheme are optional
    {"X abc=", errc{}, 0},         // token68 may end in '='
    {"X abc==", errc{}, 0},
    {"X a=", errc{}, 0},           // "a=" is a token68: no value follows the '='
    {"X a/b+c~d.e-f_g", errc{}, 0},
    {"X ,", errc{}, 0},            // #auth-param may be an empty list
    {"X a=b", errc{}, 1},
    {"X abc=def", errc{}, 1},      // a token, '=' and a token: an auth-param, not a token68
    {"X a = b", errc{}, 1},        // BWS on both sides of '='
    {"X a =b", errc{}, 1},
    {"X a= b", errc{}, 1},
    {"X a\t=\tb", errc{}, 1},
    {"X  a=b", errc{}, 1},
    {"X a=b,,c=d", errc{}, 2},     // empty list elements are ignored (5.6.1)
    {"X ,a=b", errc{}, 1},
    {"Newauth \t, realm=x", errc{}, 1},  // OWS before an empty first element
    {"X \t,", errc{}, 0},
    {"X a=b,", errc{}, 1},
    {"X a=b,   ", errc{}, 1},
    {"X a=b,\tc=d", errc{}, 2},
    {"X a=\"x\" , b=c", errc{}, 2},
    {"X a=\"\"", errc{}, 1},       // an empty quoted-string is a value
    {"X a=\"x\ty\"", errc{}, 1},   // HTAB is qdtext
    {"X a=\"\\\\\"", errc{}, 1},   // a quoted-pair escaping '\'
    {"X a=\"\xc3\xa9\"", errc{}, 1},  // obs-text in a quoted-string
    {"X a=\"\\\xe9\"", errc{}, 1},    // a quoted-pair may escape obs-text
    {"Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"", errc{}, 3},  // RFC 9110 11.6.1
};

// Values that do not parse, with the error and the offset of the offending byte.
const row malformed[] = {
    {"", errc::http_empty_value, none},
    {"   ", errc::http_empty_value, none},
    {"\t", errc::http_empty_value, none},
    {"Basic\tabc", errc::http_invalid_scheme, 5},      // 1*SP, not HTAB, after the scheme
    {"Basic\xa0" "abc", errc::http_invalid_scheme, 5},  // NBSP is not SP
    {"Bas/ic abc", errc::http_invalid_scheme, 3},      // '/' is not a tchar
    {"(Basic) abc", errc::http_invalid_scheme, 0},
    {"X\t a=b", errc::http_invalid_scheme, 1},
    {"X \ta=b", errc::http_invalid_token68, 2},       // OWS before the first element only before a comma
    {"Basic, Bearer abc", errc::http_invalid_scheme, 5},  // two schemes joined by a comma
    {"Basic abc def", errc::http_unexpected_data, 10},    // a second word after the token68
    {"Basic QWxh ZGRp", errc::http_unexpected_data, 11},
    {"Basic abc, Basic def", errc::http_invalid_token68, 9},  // comma-joined credentials
    {"Basic abc,Bearer def", errc::http_invalid_token68, 9},
    {"Basic =abc", errc::http_invalid_token68, 6},      // token68 starts with 1*tchar68
    {"X =", errc::http_invalid_token68, 2},
    {"Basic a==b", errc::http_invalid_token68, 9},      // '=' only at the end of a token68
    {"Basic \xff", errc::http_invalid_token68, 6},      // obs-text is not a token68 character
    {"X \"quoted\"", errc::http_invalid_token68, 2},    // a quoted-string is not a token68
    {"X a= ,b=c", errc::http_unexpected_data, 5},       // token68 "a=" then a list
    {"Basic abc\0"sv, errc::http_invalid_character, 9},  // NUL
    {"Basic abc\r\n", errc::http_invalid_character, 9},  // CR LF (header injection)
    {"Basic ab\ncd", errc::http_invalid_character, 8},
    {"Basic abc\r", errc::http_invalid_character, 9},
    {"\0Basic abc"sv, errc::http_invalid_character, 0},
    {"Basic \x7f", errc::http_invalid_character, 6},    // DEL
    {"Basic \x01" "abc", errc::http_invalid_character, 6},
    {"Basic a=\"x\0y\""sv, errc::http_invalid_character, 10},  // NUL inside a quoted-string
    {"Basic a=\"x\x7fy\"", errc::http_invalid_character, 10},
    {"Basic a=\"bad\\\x01\"", errc::http_invalid_character, 13},
    {"X a=\"x\ny\", b=c", errc::http_invalid_character, 6},
    {"Basic a=\"unterminated", errc::http_invalid_quoted_string, 8},
    {"X a=\"\\\"", errc::http_invalid_quoted_string, 4},  // the closing quote is escaped
    {"X a=b, a=c", errc::http_duplicate_parameter, 7},
    {"X a=b, A=c", errc::http_duplicate_parameter, 7},    // names are case-insensitive
    {"X realm=\"a\", Realm=\"b\"", errc::http_duplicate_parameter, 13},
    {"X a=b c=d", errc::http_unexpected_data, 6},         // no comma between two auth-params
    {"X a=b;c=d", errc::http_unexpected_data, 5},
    {"X a=\"x\"y", errc::http_unexpected_data, 7},
    {"X a=b,c", errc::http_invalid_parameter, 7},         // a bare token in a parameter list
    {"X a=b, =c", errc::http_invalid_parameter, 7},       // no name
    {"X a=b, c=", errc::http_invalid_parameter, 9},       // no value
    {"X a=b, c=\"", errc::http_invalid_quoted_string, 9},
    {"X a=@", errc::http_invalid_parameter, 4},           // '@' is neither a token nor a quote
    {"X a=b, c=d e", errc::http_unexpected_data, 11},
    {"X a=b, c==d", errc::http_invalid_parameter, 9},     // the value cannot start with '='
};

void check_row(const row& r) {
  BOOST_TEST_CONTEXT("input: " << keyward_test::to_hex(r.input)) {
    const auto parsed = parse_credentials(r.input);
    if (r.code == errc{}) {
      BOOST_TEST_REQUIRE(parsed.has_value());
      BOOST_TEST(parsed->params.size() == r.offset);
      std::size_t counted = 0;
      for (const auto& param : parsed->params) {
        BOOST_TEST(!param.name().empty());
        ++counted;
      }
      BOOST_TEST(counted == r.offset);
    } else {
      BOOST_TEST_REQUIRE(!parsed.has_value());
      BOOST_TEST(parsed.error().code() == r.code);
      BOOST_TEST(parsed.error().offset() == r.offset);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(well_formed_values_parse) {
  for (const row& r : well_formed) check_row(r);
}

BOOST_AUTO_TEST_CASE(malformed_values_are_rejected_at_the_offending_byte) {
  for (const row& r : malformed) check_row(r);
}

BOOST_AUTO_TEST_CASE(token68_form) {
  const auto parsed = parse_credentials("  Basic  QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->scheme == "Basic");
  BOOST_TEST(parsed->scheme_is("basic"));
  BOOST_TEST(parsed->scheme_is("BASIC"));
  BOOST_TEST(!parsed->scheme_is("Basi"));
  BOOST_TEST(!parsed->scheme_is("Bearer"));
  BOOST_TEST(parsed->token68 == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  BOOST_TEST(parsed->params.empty());
}

BOOST_AUTO_TEST_CASE(scheme_alone) {
  const auto parsed = parse_credentials("Negotiate");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->scheme == "Negotiate");
  BOOST_TEST(parsed->token68.empty());
  BOOST_TEST(parsed->params.empty());
}

BOOST_AUTO_TEST_CASE(parameters_in_order_with_unescaping) {
  // RFC 9110 section 11.6.1's Newauth challenge, used here as credentials: same auth-param grammar.
  const auto parsed = parse_credentials("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->scheme == "Newauth");
  BOOST_TEST(parsed->token68.empty());
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const auto& param : parsed->params) {
    names.emplace_back(param.name());
    values.push_back(param.value());
  }
  BOOST_TEST((names == std::vector<std::string>{"realm", "type", "title"}));
  BOOST_TEST((values == std::vector<std::string>{"apps", "1", "Login to \"apps\""}));

  const auto title = parsed->params.find("TITLE");
  BOOST_TEST_REQUIRE(title.has_value());
  BOOST_TEST(title->quoted());
  BOOST_TEST(title->raw_value() == "Login to \\\"apps\\\"");
  BOOST_TEST(title->value_size() == 15u);
  const auto type = parsed->params.find("type");
  BOOST_TEST_REQUIRE(type.has_value());
  BOOST_TEST(!type->quoted());
  BOOST_TEST(type->raw_value() == "1");
  BOOST_TEST(!parsed->params.find("missing").has_value());
}

BOOST_AUTO_TEST_CASE(unescaping_into_a_buffer) {
  const auto parsed = parse_credentials("X a=\"q\\\"\\\\\\x\"");  // content q\"\\\x -> q"\x
  BOOST_TEST_REQUIRE(parsed.has_value());
  const auto param = *parsed->params.begin();
  BOOST_TEST(param.value_size() == 4u);
  char out[4];
  const auto written = param.value(out, sizeof out);
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(std::string_view(out, *written) == "q\"\\x");
  BOOST_TEST(param.value(out, 3).error() == errc::buffer_too_small);
}

BOOST_AUTO_TEST_CASE(obs_text_is_kept_as_opaque_bytes) {
  const auto parsed = parse_credentials("X realm=\"caf\xc3\xa9\"");
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->params.find("realm")->value() == "caf\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(parameter_count_limit) {
  keyward::http::limits limit;
  limit.max_parameters = 3;
  BOOST_TEST(parse_credentials("X a=1, b=2, c=3", limit).has_value());
  const auto over = parse_credentials("X a=1, b=2, c=3, d=4", limit);
  BOOST_TEST(over.error().code() == errc::http_too_many_parameters);
  BOOST_TEST(over.error().offset() == 17u);

  // The default limit is 32.
  std::string value = "X ";
  for (int i = 0; i < 32; ++i) value += "p" + std::to_string(i) + "=v,";
  BOOST_TEST(parse_credentials(value).has_value());
  const std::size_t extra = value.size();
  value += "p32=v";
  const auto too_many = parse_credentials(value);
  BOOST_TEST(too_many.error().code() == errc::http_too_many_parameters);
  BOOST_TEST(too_many.error().offset() == extra);
}

// Duplicate names in a list longer than the few compared one by one (issue 11, finding 5), and the ceiling
// on parameters that no setting of max_parameters lifts.
BOOST_AUTO_TEST_CASE(duplicates_in_long_lists_and_the_ceiling) {
  keyward::http::limits raised;
  raised.max_parameters = static_cast<std::size_t>(-1);
  raised.max_length = static_cast<std::size_t>(-1);
  std::string value = "X ";
  std::vector<std::size_t> offsets;
  for (int i = 0; i < 300; ++i) {
    if (i != 0) value += ", ";
    offsets.push_back(value.size());
    value += "name_number_" + std::to_string(i) + "=v";  // 13 to 15 bytes: hashed names
  }
  // 300 distinct names: refused at the 257th parameter, whatever max_parameters says.
  BOOST_TEST(keyward::http::limits::max_parameters_ceiling == 256u);
  BOOST_TEST(parse_credentials(value, raised).error() == keyward::error(errc::http_too_many_parameters, offsets[256]));
  // The first 256: accepted; with the last renamed after the 200th (in upper case), refused there.
  const std::string full = value.substr(0, offsets[256] - 2);
  const auto parsed = parse_credentials(full, raised);
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->params.size() == 256u);
  const std::string renamed = full.substr(0, offsets[255]) + "NAME_NUMBER_200=v";
  BOOST_TEST(parse_credentials(renamed, raised).error() ==
             keyward::error(errc::http_duplicate_parameter, offsets[255]));
  // A duplicate of the first name among nine short ones, and names of 8 and 9 bytes that differ in their last.
  BOOST_TEST(parse_credentials("X a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,A=1").error() ==
             keyward::error(errc::http_duplicate_parameter, 34));
  BOOST_TEST(parse_credentials("X abcdefgh=1, abcdefgH=2").error() ==
             keyward::error(errc::http_duplicate_parameter, 14));
  BOOST_TEST(parse_credentials("X abcdefgh=1, abcdefgi=2").has_value());
  BOOST_TEST(parse_credentials("X abcdefghi=1, abcdefghj=2").has_value());
  BOOST_TEST(parse_credentials("X abcdefghi=1, abcdefghJ=2, ABCDEFGHI=3").error() ==
             keyward::error(errc::http_duplicate_parameter, 28));
}

BOOST_AUTO_TEST_CASE(length_limit) {
  const std::string at_limit = "Bearer " + std::string(8192 - 7, 'a');
  BOOST_TEST(parse_credentials(at_limit).has_value());
  const auto over = parse_credentials(at_limit + "a");
  BOOST_TEST(over.error().code() == errc::http_too_long);
  BOOST_TEST(!over.error().has_offset());
  keyward::http::limits limit;
  limit.max_length = 10;
  BOOST_TEST(parse_credentials("Basic abcd", limit).has_value());
  BOOST_TEST(parse_credentials("Basic abcde", limit).error() == errc::http_too_long);
}

BOOST_AUTO_TEST_CASE(every_byte_after_the_scheme) {
  // One byte as the whole token68: it parses exactly when the byte is a token68 character (RFC 9110 11.2);
  // bytes no field value may hold are reported as such, everything else as a bad token68 (trailing OWS is
  // trimmed, so SP and HTAB leave the scheme alone).
  const std::string_view token68_chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  for (int c = 0; c < 256; ++c) {
    std::string value = "X ";
    value.push_back(static_cast<char>(c));
    const auto parsed = parse_credentials(value);
    BOOST_TEST_CONTEXT("byte " << c) {
      if (c == ' ' || c == '\t') {
        BOOST_TEST(parsed.has_value());
      } else if (token68_chars.find(static_cast<char>(c)) != std::string_view::npos) {
        BOOST_TEST(parsed.has_value());
        BOOST_TEST(parsed->token68 == value.substr(2));
      } else if (c == ',') {
        BOOST_TEST(parsed.has_value());  // an empty auth-param list
      } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
        BOOST_TEST(parsed.error() == keyward::error(errc::http_invalid_character, 2));
      } else {
        BOOST_TEST(parsed.error() == keyward::error(errc::http_invalid_token68, 2));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(parsing_is_constexpr) {
  constexpr auto parsed = parse_credentials("Digest a=b, c=\"d\"");
  static_assert(parsed.has_value());
  static_assert(parsed.value().params.size() == 2);
  static_assert(parse_credentials("Basic a==b").error().code() == errc::http_invalid_token68);
  static_assert(parse_credentials("A a=1, b=2, A=3, c=\"").error() == keyward::error(errc::http_duplicate_parameter, 12));
  BOOST_TEST(parsed->scheme == "Digest");
}
