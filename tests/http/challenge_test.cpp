// WWW-Authenticate / Proxy-Authenticate challenges: the RFC 9110, RFC 7235, RFC 7616, RFC 7617 and RFC 6750
// examples, the comma ambiguity of RFC 9110 section 11.6.1, a table of malformed values derived from the
// grammar (expected offsets computed by hand in the comments), builder validation, build -> parse round
// trips, and a check that parsing and iterating allocate nothing.
#define BOOST_TEST_MODULE http_challenge
#include <boost/test/unit_test.hpp>

#include <keyward/http/challenge.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif

using keyward::errc;
using keyward::http::challenge_builder;
using keyward::http::challenges;
using keyward::http::challenges_size;
using keyward::http::write_challenges;
using keyward::http::parse_challenges;
using namespace std::string_view_literals;

namespace {

constexpr std::size_t no_offset = keyward::error::no_offset;

// A parsed value rendered canonically, values unescaped: `scheme(token68)[name=value|name=value]`, challenges
// separated by " ; ". Also checks that size() agrees with iteration.
std::string describe(std::string_view value, const keyward::http::limits& limit = {}) {
  const auto parsed = parse_challenges(value, limit);
  if (!parsed) {
    return "error " + std::to_string(static_cast<int>(parsed.error().code())) + " at " +
           (parsed.error().has_offset() ? std::to_string(parsed.error().offset()) : "-");
  }
  std::string out;
  std::size_t count = 0;
  for (const auto& challenge : *parsed) {
    if (count++ != 0) out += " ; ";
    out += std::string(challenge.scheme);
    if (!challenge.token68.empty()) out += "(" + std::string(challenge.token68) + ")";
    if (!challenge.params.empty()) {
      out += "[";
      std::size_t params = 0;
      for (const auto& param : challenge.params) {
        if (params++ != 0) out += "|";
        out += std::string(param.name()) + "=" + param.value();
      }
      out += "]";
      BOOST_TEST(params == challenge.params.size());
    }
  }
  BOOST_TEST(count == parsed->size());
  return out;
}

keyward::error error_of(std::string_view value, const keyward::http::limits& limit = {}) {
  const auto parsed = parse_challenges(value, limit);
  BOOST_TEST_REQUIRE(!parsed.has_value(), "parsed although malformed: " << value);
  return parsed.error();
}

// The error of a factory (make, basic, bearer) that refused its argument.
keyward::error build_error(const keyward::result<challenge_builder>& made) {
  BOOST_TEST_REQUIRE(!made.has_value(), "made although invalid");
  return made.error();
}

template <class Builder>
keyward::error build_error(const Builder& builder) {
  const auto built = builder.str();
  BOOST_TEST_REQUIRE(!built.has_value(), "built: " << built.value_or(""));
  return built.error();
}

}  // namespace

using keyward_test::allocations;
using keyward_test::counting;

// RFC 9110 section 11.6.1: "This header field contains two challenges, one for the "Basic" scheme with a
// realm value of "simple" and another for the "Newauth" scheme with a realm value of "apps". It also
// contains two additional parameters, "type" and "title"." (they belong to Newauth: they follow it).
BOOST_AUTO_TEST_CASE(rfc9110_section_11_6_1_example) {
  const std::string_view value = R"(Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"")";
  BOOST_TEST(describe(value) == R"(Basic[realm=simple] ; Newauth[realm=apps|type=1|title=Login to "apps"])");

  const auto parsed = parse_challenges(value);
  BOOST_TEST_REQUIRE(parsed.has_value());
  const auto newauth = parsed->find("newauth");
  BOOST_TEST_REQUIRE(newauth.has_value());
  const auto type = newauth->params.find("TYPE");
  BOOST_TEST_REQUIRE(type.has_value());
  BOOST_TEST(!type->quoted());
  const auto title = newauth->params.find("title");
  BOOST_TEST_REQUIRE(title.has_value());
  BOOST_TEST(title->quoted());
  BOOST_TEST(title->raw_value() == R"(Login to \"apps\")");
  BOOST_TEST(parsed->find("Basic")->params.size() == 1u);
  BOOST_TEST(!parsed->find("Bearer").has_value());
}

// RFC 7235 section 4.1 prints the same two challenges in the other order.
BOOST_AUTO_TEST_CASE(rfc7235_section_4_1_example) {
  BOOST_TEST(describe(R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")") ==
             R"(Newauth[realm=apps|type=1|title=Login to "apps"] ; Basic[realm=simple])");
}

// RFC 7617 section 2 (`Basic realm="WallyWorld"`) and section 2.1 (`Basic realm="foo", charset="UTF-8"`).
BOOST_AUTO_TEST_CASE(rfc7617_examples) {
  BOOST_TEST(describe(R"(Basic realm="WallyWorld")") == "Basic[realm=WallyWorld]");
  BOOST_TEST(describe(R"(Basic realm="foo", charset="UTF-8")") == "Basic[realm=foo|charset=UTF-8]");
  BOOST_TEST(*challenge_builder::basic("foo")->str() == R"(Basic realm="foo", charset="UTF-8")");
  BOOST_TEST(*challenge_builder::basic("WallyWorld")->str() == R"(Basic realm="WallyWorld", charset="UTF-8")");
}

// RFC 6750 section 3: `Bearer realm="example"` and the expired-token response.
BOOST_AUTO_TEST_CASE(rfc6750_examples) {
  const std::string_view expired =
      R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")";
  BOOST_TEST(describe(R"(Bearer realm="example")") == "Bearer[realm=example]");
  BOOST_TEST(describe(expired) ==
             "Bearer[realm=example|error=invalid_token|error_description=The access token expired]");
  BOOST_TEST(*challenge_builder::bearer("example")->str() == R"(Bearer realm="example")");
  BOOST_TEST(*challenge_builder::bearer("example")
                  ->error("invalid_token")
                  .error_description("The access token expired")
                  .str() == expired);
  BOOST_TEST(*challenge_builder::bearer()->str() == "Bearer");
}

// RFC 7616 section 3.9.1 sends two Digest challenges (SHA-256 and MD5) as two field lines; combined into one
// value with ", " (RFC 9110 section 5.3) they are two challenges with the same parameter names each.
BOOST_AUTO_TEST_CASE(rfc7616_two_digest_challenges_in_one_value) {
  const std::string_view value =
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, )"
      R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", )"
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, )"
      R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";
  BOOST_TEST(describe(value) ==
             "Digest[realm=http-auth@example.org|qop=auth, auth-int|algorithm=SHA-256|"
             "nonce=7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v|opaque=FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS]"
             " ; Digest[realm=http-auth@example.org|qop=auth, auth-int|algorithm=MD5|"
             "nonce=7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v|opaque=FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS]");
}

BOOST_AUTO_TEST_CASE(token68_challenges) {
  BOOST_TEST(describe("Negotiate abc==") == "Negotiate(abc==)");
  BOOST_TEST(describe(R"(Negotiate abc==, Basic realm="x")") == "Negotiate(abc==) ; Basic[realm=x]");
  BOOST_TEST(describe("Negotiate a-._~+/Z9") == "Negotiate(a-._~+/Z9)");
  // `realm=` followed by a comma or the end has no value, so it is a token68 ending in '=' (section 11.2).
  BOOST_TEST(describe("Basic realm=") == "Basic(realm=)");
  BOOST_TEST(describe(R"(Newauth realm=, Other realm=value, Basic realm="b")") ==
             "Newauth(realm=) ; Other[realm=value] ; Basic[realm=b]");
  // `abc=def` reads as an auth-param, the only reading under which the value is valid.
  BOOST_TEST(describe("Newauth abc=def") == "Newauth[abc=def]");
  BOOST_TEST(describe("Newauth abc= def") == "Newauth[abc=def]");
  const auto parsed = parse_challenges("Negotiate abc==");
  BOOST_TEST(parsed->begin()->params.empty());
}

BOOST_AUTO_TEST_CASE(challenges_without_parameters) {
  BOOST_TEST(describe("Basic") == "Basic");
  BOOST_TEST(describe("A, B") == "A ; B");
  BOOST_TEST(describe("Basic, Bearer realm=\"x\", Negotiate") == "Basic ; Bearer[realm=x] ; Negotiate");
  BOOST_TEST(describe("Basic , Bearer") == "Basic ; Bearer");  // 1*SP then an empty #auth-param list
  BOOST_TEST(describe("Basic\t, Bearer") == "Basic ; Bearer");  // OWS before the list comma
  BOOST_TEST(describe("  Basic  ") == "Basic");
}

// Empty list elements and OWS around them are ignored (RFC 9110 section 5.6.1), between challenges and
// between the parameters of one challenge.
BOOST_AUTO_TEST_CASE(empty_list_elements) {
  BOOST_TEST(describe(R"(,Basic realm="basic")") == "Basic[realm=basic]");
  BOOST_TEST(describe(R"(Basic realm="x",, , Newauth)") == "Basic[realm=x] ; Newauth");
  BOOST_TEST(describe(R"(Basic realm="x",)") == "Basic[realm=x]");
  BOOST_TEST(describe(R"(Bearer , realm = "a, b" ,, error = "invalid_token")") ==
             "Bearer[realm=a, b|error=invalid_token]");
  BOOST_TEST(describe(R"(Basic ,, realm="x")") == "Basic[realm=x]");
  BOOST_TEST(describe(R"(Basic realm="x" ,,, foo=bar)") == "Basic[realm=x|foo=bar]");
  BOOST_TEST(describe("Negotiate abc== ,, Basic") == "Negotiate(abc==) ; Basic");
}

BOOST_AUTO_TEST_CASE(names_values_and_bytes) {
  // Scheme and parameter names compare case-insensitively; the same name in two challenges is fine.
  BOOST_TEST(describe(R"(Basic realm="a", Bearer REALM="b")") == "Basic[realm=a] ; Bearer[REALM=b]");
  const auto parsed = parse_challenges(R"(bEaReR Realm="x")");
  BOOST_TEST(parsed->begin()->scheme_is("Bearer"));
  BOOST_TEST(parsed->begin()->params.find("realm")->value() == "x");
  // obs-text stays opaque inside quoted-strings; HTAB and commas are allowed there.
  BOOST_TEST(describe("Basic realm=\"Z\xC3\xBCrich\"") == "Basic[realm=Z\xC3\xBCrich]");
  BOOST_TEST(describe("Basic realm=\"a\tb\"") == "Basic[realm=a\tb]");
  BOOST_TEST(describe(R"(Basic realm="a, b=c, Newauth")") == "Basic[realm=a, b=c, Newauth]");
  BOOST_TEST(describe(R"(Basic realm="\a\\\"")") == R"(Basic[realm=a\"])");
  BOOST_TEST(describe(R"(Basic realm = "x")") == "Basic[realm=x]");  // BWS around '='
  // A challenge list's text ends before trailing OWS; offsets are views into the input.
  const std::string_view value = "Basic realm=x, Bearer  \t ";
  const auto list = parse_challenges(value);
  BOOST_TEST(list->text() == "Basic realm=x, Bearer");
  BOOST_TEST(std::next(list->begin())->scheme.data() == value.data() + 15);  // "Basic realm=x, " is 15 bytes
}

// Values of 16 bytes and more, where quoted-strings are searched 16 bytes at a time: the usual parameter
// shapes (`name="..."`, `name=token`, ", " between two) and every other one (quoted-pairs, BWS, OWS before a
// comma, HTAB) must give the grammar's answer, near the end of the value too (the last block overlaps the one
// before it), and so must errors just after a parameter.
BOOST_AUTO_TEST_CASE(usual_and_unusual_shapes_in_long_values) {
  BOOST_TEST(describe(R"(Newauth realm="k3Jd9aQz", p1="abcdefg", p2=token, p3="a\"b", p4 = "bws", )"
                      R"(p5="0123456789abcdefXYZ", p6=last)") ==
             R"(Newauth[realm=k3Jd9aQz|p1=abcdefg|p2=token|p3=a"b|p4=bws|p5=0123456789abcdefXYZ|p6=last])");
  BOOST_TEST(describe(R"(Newauth realm="0123456789", type=1)") == "Newauth[realm=0123456789|type=1]");
  BOOST_TEST(describe(R"(Newauth realm=abc, p1=defgh, p2="x")") == "Newauth[realm=abc|p1=defgh|p2=x]");
  BOOST_TEST(describe("Newauth realm=\"0123456789\",\tp1=x") == "Newauth[realm=0123456789|p1=x]");
  BOOST_TEST(describe(R"(Newauth realm="0123456789" , p1="x" ,p2=y)") == "Newauth[realm=0123456789|p1=x|p2=y]");
  BOOST_TEST(describe(R"(Newauth realm="0123456789", p1 = "x")") == "Newauth[realm=0123456789|p1=x]");
  BOOST_TEST(describe(R"(Newauth realm="0123456789", Basic realm="y", Negotiate abc==)") ==
             "Newauth[realm=0123456789] ; Basic[realm=y] ; Negotiate(abc==)");
  BOOST_TEST(describe(R"(A b="c", d=e)") == "A[b=c|d=e]");  // under 16 bytes: byte by byte only
  BOOST_TEST(describe(R"(Basic realm="abc", charset="UTF-8", Bearer realm="abc", error="invalid_token", )"
                      R"(error_description="The access token expired", Newauth realm="abc", type=1, )"
                      R"(title="Login to \"abc\"")") ==
             R"(Basic[realm=abc|charset=UTF-8] ; Bearer[realm=abc|error=invalid_token|)"
             R"(error_description=The access token expired] ; Newauth[realm=abc|type=1|title=Login to "abc"])");
  // A CTL inside the second quoted-string: `Newauth ` 8 + `realm="0123456789"` 18 + `, ` 2 + `p1="ab` 6 = 34.
  BOOST_TEST(error_of("Newauth realm=\"0123456789\", p1=\"ab\x01c\"") ==
             keyward::error(errc::http_invalid_character, 34));
  // obs-text is qdtext, '\x7f' is not: the DEL at 34 again.
  BOOST_TEST(describe("Newauth realm=\"0123456789\", p1=\"ab\xFF\"") == "Newauth[realm=0123456789|p1=ab\xFF]");
  BOOST_TEST(error_of("Newauth realm=\"0123456789\", p1=\"ab\x7F\"") ==
             keyward::error(errc::http_invalid_character, 34));
  // `p(1)` is no auth-param, so it starts a challenge whose scheme `p` is followed by '(' (28 + 1 = 29).
  BOOST_TEST(error_of(R"(Newauth realm="0123456789", p(1)="x")") == keyward::error(errc::http_invalid_scheme, 29));
  // `p1==` is no auth-param either: a challenge `p1` followed by `=`, whose value starts at the second '=' (31).
  BOOST_TEST(error_of(R"(Newauth realm="0123456789", p1=="x")") == keyward::error(errc::http_invalid_parameter, 31));
  // A duplicate among parameters read from blocks: `Newauth a="1", b="2", ` is 8 + 5 + 2 + 5 + 2 = 22 bytes.
  BOOST_TEST(error_of(R"(Newauth a="1", b="2", A="3")") == keyward::error(errc::http_duplicate_parameter, 22));
  // The last quoted-string unterminated, in the last block: its quote after `Newauth realm="0123456789", p=` (30).
  BOOST_TEST(error_of(R"(Newauth realm="0123456789", p="abc)") == keyward::error(errc::http_invalid_quoted_string, 30));
  // A token value with a byte no token holds: `p=ab/c` ends the list at '/' (30 + 2 = 32).
  BOOST_TEST(error_of(R"(Newauth realm="0123456789", p=ab/c)") == keyward::error(errc::http_unexpected_data, 32));
  // HTAB is qdtext wherever it falls in a block: first, last, doubled, before a quoted-pair, before the closing
  // quote, and in the last block, which overlaps the one before it.
  BOOST_TEST(describe("Newauth realm=\"\tab\t\tcdefghijklm\t\", p1=\"\t\\\"\t\", p2=\"0123456789abcdef\t\"") ==
             "Newauth[realm=\tab\t\tcdefghijklm\t|p1=\t\"\t|p2=0123456789abcdef\t]");
  // A CTL or DEL after an HTAB is still refused: `Newauth realm="0123456789", p1="` is 32 bytes, the HTAB is at
  // 32 and the byte after it at 33.
  BOOST_TEST(error_of("Newauth realm=\"0123456789\", p1=\"\t\x01\"") ==
             keyward::error(errc::http_invalid_character, 33));
  BOOST_TEST(error_of("Newauth realm=\"0123456789\", p1=\"\t\x7F\t\"") ==
             keyward::error(errc::http_invalid_character, 33));
  // Quoted-strings of 40 bytes, with enough text after them that a whole block, not the last one, finds their
  // end; and a DEL in the third block of one: `Newauth realm="` is 15 bytes, 35 more put it at 50.
  const std::string forty(40, 'q');
  BOOST_TEST(describe("Newauth realm=\"" + forty + "\", p1=\"" + forty + "\", p2=x") ==
             "Newauth[realm=" + forty + "|p1=" + forty + "|p2=x]");
  BOOST_TEST(error_of("Newauth realm=\"" + std::string(35, 'q') + "\x7F\", p2=" + forty) ==
             keyward::error(errc::http_invalid_character, 50));
  // An HTAB last, with no closing quote: the quoted-string is unterminated, at its opening quote (31).
  BOOST_TEST(error_of("Newauth realm=\"0123456789\", p1=\"ab\t") ==
             keyward::error(errc::http_invalid_quoted_string, 31));
}

BOOST_AUTO_TEST_CASE(limits_at_the_boundary) {
  keyward::http::limits limit;
  limit.max_challenges = 3;
  BOOST_TEST(describe("A, B, C", limit) == "A ; B ; C");
  limit.max_parameters = 2;
  BOOST_TEST(describe("A a=1, b=2, B c=3, d=4", limit) == "A[a=1|b=2] ; B[c=3|d=4]");  // counted per challenge
  limit.max_length = 15;
  BOOST_TEST(describe(R"(Basic realm="x")", limit) == "Basic[realm=x]");  // exactly 15 bytes
}

// Each row: the value, the error, and where it is (arithmetic in the comment).
BOOST_AUTO_TEST_CASE(malformed_values) {
  struct row {
    std::string_view value;
    errc code;
    std::size_t offset;
  };
  const row rows[] = {
      // nothing but OWS and empty elements: no challenge, no byte at fault
      {"", errc::http_empty_value, no_offset},
      {"   ", errc::http_empty_value, no_offset},
      {", ,", errc::http_empty_value, no_offset},
      // unterminated quoted-string: at its opening quote, after `Basic realm=` (6 + 6 = 12)
      {R"(Basic realm="x)", errc::http_invalid_quoted_string, 12},
      // a quoted-pair cut by the end: same opening quote
      {R"(Basic realm="x\)", errc::http_invalid_quoted_string, 12},
      // unterminated quote in a later parameter: `Basic realm="x", ` is 17, `title=` 6 more: 23
      {R"(Basic realm="x", title="abc)", errc::http_invalid_quoted_string, 23},
      // quoted-pair escaping DEL: `Basic realm="a\` is 15 bytes, DEL at 15
      {"Basic realm=\"a\\\x7F\"", errc::http_invalid_character, 15},
      // '=' with no value after a comma: `Basic realm="x", foo=` is 21 bytes, the value is missing at 21
      {R"(Basic realm="x", foo=)", errc::http_invalid_parameter, 21},
      // ... and before another element: the ',' after `foo=` is at 17 + 4 = 21
      {R"(Basic realm="x", foo=, bar=1)", errc::http_invalid_parameter, 21},
      // `realm==x`: not a param ("=" after "="), so token68 `realm==` (6 + 7 = 13) followed by 'x'
      {"Basic realm==x", errc::http_invalid_token68, 13},
      // duplicated parameter, the second at 6 + 9 (`realm="a"`) + 2 = 17; names compare case-insensitively
      {R"(Basic realm="a", realm="b")", errc::http_duplicate_parameter, 17},
      {R"(Basic realm="a", REALM="b")", errc::http_duplicate_parameter, 17},
      // an empty element between them changes nothing but the offset: 17 + 2 = 19
      {R"(Basic realm="a", , realm="b")", errc::http_duplicate_parameter, 19},
      // duplicate inside the second challenge: 17 + 7 (`Bearer `) + 9 + 2 = 35
      {R"(Basic realm="x", Bearer realm="y", realm="z")", errc::http_duplicate_parameter, 35},
      // CR LF inside a quoted value (header injection): CR at 6 + 6 + 1 + 1 = 14
      {"Basic realm=\"a\r\nX-Injected: 1\"", errc::http_invalid_character, 14},
      // NUL after the scheme: at 5
      {"Basic\0 realm=\"x\""sv, errc::http_invalid_character, 5},
      // DEL outside quotes: at 5
      {"Basic\x7F", errc::http_invalid_character, 5},
      // a trailing LF is not OWS: at 15, after `Basic realm="x"` (15 bytes)
      {"Basic realm=\"x\"\n", errc::http_invalid_character, 15},
      // CR as if it were whitespace: at 5
      {"Basic\r realm=\"x\"", errc::http_invalid_character, 5},
      // a forbidden byte wins over an earlier grammar error ('=' at 0 has no scheme): SOH at 1
      {"=\x01", errc::http_invalid_character, 1},
      // an auth-param where a challenge must start: first in the value, at 0
      {R"(realm="x")", errc::http_invalid_parameter, 0},
      // ... after a token68 challenge: `Negotiate abc==` is 15, `, ` 2 more: 17
      {R"(Negotiate abc==, realm="x")", errc::http_invalid_parameter, 17},
      {"Newauth abc==, def=ghi", errc::http_invalid_parameter, 15},  // 8 + 5 + 2
      // ... after a scheme with no SP before the comma (no #auth-param list can start): 5 + 2 = 7
      {R"(Basic, realm="x")", errc::http_invalid_parameter, 7},
      // `Basic ="x"` is `token BWS "=" value` where a scheme must be: at 0
      {R"(Basic ="x")", errc::http_invalid_parameter, 0},
      // a '"' inside the scheme: at 2
      {R"(Ba"sic)", errc::http_invalid_scheme, 2},
      // no scheme: '=' at 0
      {"=Basic", errc::http_invalid_scheme, 0},
      // obs-text is no tchar: 0xC3 at 1 ends the scheme `B`
      {"B\xC3\xA9sic", errc::http_invalid_scheme, 1},
      // HTAB instead of SP after the scheme (1*SP): at 5
      {"Basic\trealm=\"x\"", errc::http_invalid_scheme, 5},
      // a byte that starts neither token68 nor auth-param: '@' at 6
      {"Basic @", errc::http_invalid_token68, 6},
      // token68 followed by a '"': at 10 + 3 = 13
      {R"(Negotiate abc")", errc::http_invalid_token68, 13},
      // two elements with no comma: `Basic realm="x"` is 15, SP, 'B' at 16
      {R"(Basic realm="x" Bearer)", errc::http_unexpected_data, 16},
      // token68 then more data: `Negotiate abc` 13, SP, 'd' at 14
      {"Negotiate abc def", errc::http_unexpected_data, 14},
      // a space inside an unquoted value: `Bearer error=invalid` is 7 + 13 = 20, 't' at 21
      {"Bearer error=invalid token", errc::http_unexpected_data, 21},
      // a quote after a token value: `Basic realm=a` is 13, '"' at 13
      {R"(Basic realm=a"b")", errc::http_unexpected_data, 13},
      // obs-text in a token value: `Basic realm=caf` is 15, 0xC3 at 15
      {"Basic realm=caf\xC3\xA9", errc::http_unexpected_data, 15},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT("value: " << r.value) {
      BOOST_TEST(error_of(r.value) == keyward::error(r.code, r.offset));
    }
  }
  BOOST_TEST(std::size(rows) >= 30u);
}

// At most limits::max_challenges_ceiling challenges, whatever max_challenges says: the one after them is
// refused where it starts; as many are read back, each with its own scheme and auth-param.
BOOST_AUTO_TEST_CASE(challenges_beyond_the_ceiling_are_refused) {
  BOOST_TEST(keyward::http::limits::max_challenges_ceiling == 16u);
  std::string value;
  std::string expected;
  std::vector<std::size_t> starts;
  for (std::size_t k = 0; k <= 16; ++k) {
    if (k != 0) value += ", ";
    starts.push_back(value.size());
    value += "S" + std::to_string(k) + " p=\"" + std::to_string(k) + "\"";
    if (k < 16) expected += (k != 0 ? " ; S" : "S") + std::to_string(k) + "[p=" + std::to_string(k) + "]";
  }
  keyward::http::limits raised;
  raised.max_length = std::numeric_limits<std::size_t>::max();
  raised.max_challenges = std::numeric_limits<std::size_t>::max();
  BOOST_TEST(error_of(value, raised) == keyward::error(errc::http_too_many_challenges, starts[16]));
  BOOST_TEST(describe(value.substr(0, starts[16] - 2), raised) == expected);
}

// Each challenge's token68 or auth-params are exactly the text between the separators after its scheme and
// those before the next challenge.
BOOST_AUTO_TEST_CASE(each_challenge_spans_its_own_text) {
  const auto list = parse_challenges("Negotiate abc== ,, Basic ,, realm=\"x, y\" , a=b ,, Bearer\t, C t=1,, D");
  BOOST_TEST_REQUIRE(list.has_value());
  std::vector<std::string> seen;
  for (const auto& challenge : *list) {
    seen.push_back(std::string(challenge.scheme) + "|" + std::string(challenge.token68) + "|" +
                   std::string(challenge.params.text()) + "|" + std::to_string(challenge.params.size()));
  }
  const std::vector<std::string> expected = {"Negotiate|abc==||0", "Basic||realm=\"x, y\" , a=b|2", "Bearer|||0",
                                             "C||t=1|1", "D|||0"};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(limits_exceeded) {
  keyward::http::limits limit;
  limit.max_challenges = 2;
  // `A, B, C`: the third challenge starts at 1 + 2 + 1 + 2 = 6
  BOOST_TEST(error_of("A, B, C", limit) == keyward::error(errc::http_too_many_challenges, 6));
  limit = {};
  limit.max_parameters = 2;
  // `A a=1, b=2, c=3`: the third parameter starts at 2 + 3 + 2 + 3 + 2 = 12
  BOOST_TEST(error_of("A a=1, b=2, c=3", limit) == keyward::error(errc::http_too_many_parameters, 12));
  limit = {};
  limit.max_length = 14;
  // 15 bytes against a limit of 14: the first byte over the limit is at 14
  BOOST_TEST(error_of(R"(Basic realm="x")", limit) == keyward::error(errc::http_too_long, 14));
  BOOST_TEST(error_of(std::string(8193, 'a')) == keyward::error(errc::http_too_long, 8192));
  BOOST_TEST(describe(std::string(8192, 'a')) == std::string(8192, 'a'));  // the default limit, exactly
}

// Whatever limit.max_length says, a value of 4 GiB or more is too long (the challenge list records offsets in
// 32 bits): 2^32 - 1 bytes are read (here NUL bytes, refused where the first one is), 2^32 are not. The bytes
// are an anonymous mapping that is never written, so only the pages read take memory.
BOOST_AUTO_TEST_CASE(values_of_4_gib_are_too_long_whatever_the_limit) {
#if __has_include(<sys/mman.h>)
  if constexpr (sizeof(std::size_t) > 4) {
    const std::size_t size = std::size_t{0xFFFFFFFFu} + 1;  // 2^32 (this branch: a 64-bit size_t)
    void* pages = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    BOOST_TEST_REQUIRE(pages != MAP_FAILED);
    const char* bytes = static_cast<const char*>(pages);
    keyward::http::limits unlimited;
    unlimited.max_length = std::numeric_limits<std::size_t>::max();
    BOOST_TEST(error_of(std::string_view(bytes, size), unlimited) == keyward::error(errc::http_too_long, size - 1));
    BOOST_TEST(error_of(std::string_view(bytes, size - 1), unlimited) ==
               keyward::error(errc::http_invalid_character, 0));
    munmap(pages, size);
  }
#endif
}

// Parsing is constexpr: a challenge list can be checked at compile time.
BOOST_AUTO_TEST_CASE(parsing_at_compile_time) {
  constexpr auto parsed = parse_challenges(R"(Basic realm="x", Bearer)");
  static_assert(parsed.has_value() && parsed->size() == 2);
  static_assert(parsed->begin()->scheme == "Basic");
  static_assert(parsed->find("bearer").has_value());
  static_assert(parse_challenges("Basic realm=\"x").error() == keyward::error(errc::http_invalid_quoted_string, 12));
  static_assert(parse_challenges("A a=1, b=2, A=3, c=\"").error() == keyward::error(errc::http_duplicate_parameter, 12));
  static_assert(parse_challenges("A a=1, b=2, c=3, B")->begin()->params.size() == 3);
  BOOST_TEST(parsed->size() == 2u);
}

BOOST_AUTO_TEST_CASE(builder_output) {
  BOOST_TEST(*challenge_builder::make("Newauth")
                  ->realm("apps")
                  .param("type", "1")
                  .param("title", "Login to \"apps\"")
                  .str() ==
             R"(Newauth realm="apps", type="1", title="Login to \"apps\"")");
  BOOST_TEST(*challenge_builder::make("Negotiate")->token68("abc==").str() == "Negotiate abc==");
  BOOST_TEST(*challenge_builder::make("Negotiate")->str() == "Negotiate");
  BOOST_TEST(*challenge_builder::basic(R"(a"b\c)")->str() == R"(Basic realm="a\"b\\c", charset="UTF-8")");
  BOOST_TEST(*challenge_builder::bearer("example")->error("insufficient_scope").scope("read write").str() ==
             R"(Bearer realm="example", error="insufficient_scope", scope="read write")");
  BOOST_TEST(*challenge_builder::bearer()->error("invalid_request").error_uri("https://example.com/e?c=1#x").str() ==
             R"(Bearer error="invalid_request", error_uri="https://example.com/e?c=1#x")");
  BOOST_TEST(*challenge_builder::bearer()->error_uri("").str() == R"(Bearer error_uri="")");
  BOOST_TEST(*challenge_builder::basic("")->str() == R"(Basic realm="", charset="UTF-8")");
  BOOST_TEST(*challenge_builder::make("X")->param("empty", "").str() == R"(X empty="")");
}

BOOST_AUTO_TEST_CASE(builder_rejects_what_it_cannot_send) {
  using keyward::error;
  const auto value_error = [](std::size_t offset) { return error(errc::http_invalid_parameter_value, offset); };
  // scheme: a token
  BOOST_TEST(build_error(challenge_builder::make("")) == error(errc::http_invalid_scheme));
  BOOST_TEST(build_error(challenge_builder::make("Ba sic")) == error(errc::http_invalid_scheme, 2));
  BOOST_TEST(build_error(challenge_builder::make("Basic\r\n")) == error(errc::http_invalid_scheme, 5));
  // realm and param values: any byte but a CTL (HTAB and DEL included)
  BOOST_TEST(build_error(challenge_builder::basic("a\r\nSet-Cookie: x")) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::bearer("ab\n")) == value_error(2));
  BOOST_TEST(build_error(challenge_builder::basic("x\0y"sv)) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::basic("tab\there")) == value_error(3));
  BOOST_TEST(build_error(challenge_builder::basic("del\x7F")) == value_error(3));
  BOOST_TEST(build_error(challenge_builder::make("X")->param("p", "a\rb")) == value_error(1));
  // param names: a token
  BOOST_TEST(build_error(challenge_builder::make("X")->param("na me", "x")) == error(errc::http_invalid_parameter, 2));
  BOOST_TEST(build_error(challenge_builder::make("X")->param("", "x")) == error(errc::http_invalid_parameter));
  BOOST_TEST(build_error(challenge_builder::make("X")->param("a=b", "x")) == error(errc::http_invalid_parameter, 1));
  // duplicates, case-insensitive
  BOOST_TEST(build_error(challenge_builder::bearer("x")->realm("y")) == error(errc::http_duplicate_parameter));
  BOOST_TEST(build_error(challenge_builder::bearer("x")->param("REALM", "y")) == error(errc::http_duplicate_parameter));
  BOOST_TEST(build_error(challenge_builder::basic("x")->param("Charset", "y")) ==
             error(errc::http_duplicate_parameter));
  // RFC 6750 scope: NQCHAR tokens separated by single spaces
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("")) == error(errc::http_invalid_parameter_value));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope(" read")) == value_error(0));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("read ")) == value_error(4));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("read  write")) == value_error(5));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("read\twrite")) == value_error(4));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope(R"(a"b)")) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope(R"(a\b)")) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("caf\xC3\xA9")) == value_error(3));
  // RFC 6750 error and error_description: 1*NQSCHAR (space allowed, quote, backslash, CTLs and obs-text not)
  BOOST_TEST(build_error(challenge_builder::bearer()->error("")) == error(errc::http_invalid_parameter_value));
  BOOST_TEST(build_error(challenge_builder::bearer()->error(R"(a"b)")) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::bearer()->error("tab\there")) == value_error(3));
  BOOST_TEST(build_error(challenge_builder::bearer()->error("\xC3\xA9")) == value_error(0));
  BOOST_TEST(build_error(challenge_builder::bearer()->error_description("line\nbreak")) == value_error(4));
  BOOST_TEST(build_error(challenge_builder::bearer()->error_description(R"(back\slash)")) == value_error(4));
  BOOST_TEST(build_error(challenge_builder::bearer()->error_description("")) ==
             error(errc::http_invalid_parameter_value));
  BOOST_TEST(*challenge_builder::bearer()->error("has space").str() == R"(Bearer error="has space")");
  // RFC 6750 error_uri: no space either
  BOOST_TEST(build_error(challenge_builder::bearer()->error_uri("a b")) == value_error(1));
  BOOST_TEST(build_error(challenge_builder::bearer()->error_uri("a\"b")) == value_error(1));
  // token68: the grammar, and never together with auth-params or another token68
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("")) == error(errc::http_invalid_token68));
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("ab c")) == error(errc::http_invalid_token68, 2));
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("=abc")) == error(errc::http_invalid_token68, 0));
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("ab=c")) == error(errc::http_invalid_token68, 3));
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("abc").param("a", "b")) ==
             error(errc::http_unexpected_data));
  BOOST_TEST(build_error(challenge_builder::make("N")->param("a", "b").token68("abc")) ==
             error(errc::http_unexpected_data));
  BOOST_TEST(build_error(challenge_builder::make("N")->token68("abc").token68("def")) ==
             error(errc::http_unexpected_data));
  // the first error sticks: the empty scope (no offset), not the bad name that follows
  BOOST_TEST(build_error(challenge_builder::bearer()->scope("").param("bad name", "x").realm("\r")) ==
             error(errc::http_invalid_parameter_value));
}

// What the builder sends parses back to the same scheme and, once unescaped, the same values.
BOOST_AUTO_TEST_CASE(build_then_parse_round_trips) {
  const std::string_view values[] = {
      "", "plain", R"(with "quotes")", R"(back\slash)", R"(trailing\)", R"(\")", R"(\\\")", "comma, and = sign",
      "Z\xC3\xBCrich", "  spaces  ", R"(realm="fake", evil=1)", "Bearer x=\"y\"", "~!#$%&'()*+-./:;<=>?@[]^_`{|}",
  };
  for (const std::string_view value : values) {
    BOOST_TEST_CONTEXT("value: " << value) {
      const auto built = challenge_builder::make("Custom-Scheme")->realm(value).param("Title", value).str();
      BOOST_TEST_REQUIRE(built.has_value());
      const auto parsed = parse_challenges(*built);
      BOOST_TEST_REQUIRE(parsed.has_value());
      BOOST_TEST(parsed->size() == 1u);
      const auto challenge = *parsed->begin();
      BOOST_TEST(challenge.scheme == "Custom-Scheme");
      BOOST_TEST(challenge.params.size() == 2u);
      BOOST_TEST(challenge.params.find("realm")->value() == value);
      BOOST_TEST(challenge.params.find("title")->value() == value);
    }
  }
  const auto bearer = challenge_builder::bearer("api")
                          ->error("insufficient_scope")
                          .error_description("Needs write access, ask an admin")
                          .scope("read write:all")
                          .error_uri("https://example.com/docs#scopes")
                          .str();
  BOOST_TEST(describe(*bearer) ==
             "Bearer[realm=api|error=insufficient_scope|error_description=Needs write access, ask an admin|"
             "scope=read write:all|error_uri=https://example.com/docs#scopes]");
  BOOST_TEST(describe(*challenge_builder::make("Negotiate")->token68("a+/b==").str()) == "Negotiate(a+/b==)");
}

BOOST_AUTO_TEST_CASE(joining_challenges) {
  const auto basic = challenge_builder::make("Basic")->realm("simple").str();
  const auto newauth =
      challenge_builder::make("Newauth")->realm("apps").param("type", "1").param("title", "Login to \"apps\"").str();
  const auto joined = challenges({*basic, *newauth});
  BOOST_TEST_REQUIRE(joined.has_value());
  BOOST_TEST(*joined == R"(Basic realm="simple", Newauth realm="apps", type="1", title="Login to \"apps\"")");
  BOOST_TEST(describe(*joined) == R"(Basic[realm=simple] ; Newauth[realm=apps|type=1|title=Login to "apps"])");
  BOOST_TEST(*challenges({"Negotiate abc=", "Basic"}) == "Negotiate abc=, Basic");
  BOOST_TEST(describe(*challenges({"Negotiate abc=", "Basic"})) == "Negotiate(abc=) ; Basic");

  using keyward::error;
  BOOST_TEST(challenges({}).error() == error(errc::http_empty_value));
  BOOST_TEST(challenges({"Basic", ""}).error() == error(errc::http_empty_value));
  // `Basic, ` is 7 bytes; the second challenge of "A, B" is at 3 in it: 10 in the joined value
  BOOST_TEST(challenges({"Basic", "A, B"}).error() == error(errc::http_too_many_challenges, 10));
  BOOST_TEST(challenges({"Basic", "x\r\n"}).error() == error(errc::http_invalid_character, 8));  // 7 + 1
  // a bare parameter would attach to the previous challenge: `Basic realm="x", ` is 17
  BOOST_TEST(challenges({R"(Basic realm="x")", R"(realm="y")"}).error() ==
             error(errc::http_invalid_parameter, 17));
}

// write_challenges: the same value into a buffer, of challenges_size(); nothing written on any error, input
// errors before buffer_too_small.
BOOST_AUTO_TEST_CASE(writing_challenges_into_a_buffer) {
  using keyward::error;
  const std::string_view expected = "Negotiate abc=, Basic";  // 14 + 2 + 5 = 21 bytes
  BOOST_TEST(challenges_size({"Negotiate abc=", "Basic"}) == 21u);
  BOOST_TEST(challenges_size({"Basic"}) == 5u);
  BOOST_TEST(challenges_size({}) == 0u);
  char out[32];
  std::fill(std::begin(out), std::end(out), '#');
  BOOST_TEST(write_challenges({"Negotiate abc=", "Basic"}, out, 20).error() == error(errc::buffer_too_small));
  BOOST_TEST(std::string_view(out, sizeof out) == std::string(32, '#'));
  BOOST_TEST(write_challenges({"Basic", "A, B"}, out, 2).error() == error(errc::http_too_many_challenges, 10));
  BOOST_TEST(std::string_view(out, sizeof out) == std::string(32, '#'));
  const auto written = write_challenges({"Negotiate abc=", "Basic"}, out, 21);
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(std::string_view(out, *written) == expected);
  BOOST_TEST(out[21] == '#');
}

// challenges_size saturates instead of wrapping: the sizes come from the caller.
BOOST_AUTO_TEST_CASE(challenges_size_saturates) {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  const std::string_view huge(static_cast<const char*>(nullptr), max - 1);  // only its size is read
  BOOST_TEST(challenges_size({huge}) == max - 1);
  BOOST_TEST(challenges_size({huge, "A"}) == max);      // max - 1 + 2 + 1 would wrap
  BOOST_TEST(challenges_size({"A", huge}) == max);
  const std::string_view fits(static_cast<const char*>(nullptr), max - 3);
  BOOST_TEST(challenges_size({fits, "A"}) == max);      // exactly max - 3 + 2 + 1
}

// The builder's own writer trio: size(), write() and str() agree, and write() writes nothing on an error.
BOOST_AUTO_TEST_CASE(builder_writes_into_a_buffer) {
  using keyward::error;
  auto builder = challenge_builder::bearer("example");
  BOOST_TEST_REQUIRE(builder.has_value());
  builder->error("invalid_token");
  const std::string_view expected = R"(Bearer realm="example", error="invalid_token")";
  BOOST_TEST(builder->size() == expected.size());
  char out[64];
  std::fill(std::begin(out), std::end(out), '#');
  BOOST_TEST(builder->write(out, expected.size() - 1).error() == error(errc::buffer_too_small));
  BOOST_TEST(out[0] == '#');
  const auto written = builder->write(out, sizeof out);
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(std::string_view(out, *written) == expected);
  BOOST_TEST(*builder->str() == expected);

  builder->scope("");  // invalid: the builder keeps the error
  BOOST_TEST(builder->size() == 0u);
  BOOST_TEST(builder->write(out, sizeof out).error() == error(errc::http_invalid_parameter_value));
  BOOST_TEST(builder->str().error() == error(errc::http_invalid_parameter_value));
}

BOOST_AUTO_TEST_CASE(parsing_allocates_nothing) {
  const std::string_view valid = R"(Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"", )"
                                 R"(Negotiate abc==, Bearer realm="example", error="invalid_token")";
  const std::string_view malformed[] = {R"(Basic realm="x)", "Basic\r\n", R"(Basic realm="a", realm="b")", ""};
  char buffer[64];
  std::size_t challenges = 0;
  std::size_t params = 0;
  std::size_t unescaped = 0;
  std::size_t failures = 0;

  counting = true;
  const auto parsed = parse_challenges(valid);
  if (parsed) {
    for (const auto& challenge : *parsed) {
      ++challenges;
      for (const auto& param : challenge.params) {
        ++params;
        unescaped += param.value(buffer, sizeof buffer).value_or(0);
      }
    }
    unescaped += parsed->find("bearer").has_value() ? 1 : 0;
  }
  for (const std::string_view value : malformed) failures += parse_challenges(value).has_value() ? 0 : 1;
  counting = false;

  BOOST_TEST(allocations == 0u);
  BOOST_TEST(challenges == 4u);
  BOOST_TEST(params == 6u);
  // simple 6 + apps 4 + 1 1 + `Login to "apps"` 15 + example 7 + invalid_token 13 = 46, plus 1 for find
  BOOST_TEST(unescaped == 47u);
  BOOST_TEST(failures == std::size(malformed));
}

// Duplicate auth-param names (issue 11, finding 5). The expected answers come from a reference written here:
// each name compared with every earlier one, letters folded by hand.

namespace {

bool same_name_reference(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// `Newauth n0="v", n1=v, ...` (quoted and token values alternate) and where each parameter starts.
struct param_value {
  std::string text;
  std::vector<std::size_t> offsets;
};

param_value make_params(const std::vector<std::string>& names) {
  param_value made{"Newauth ", {}};
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k != 0) made.text += k % 3 == 0 ? " ,, " : ", ";
    made.offsets.push_back(made.text.size());
    made.text += names[k] + (k % 2 == 0 ? "=\"a, b=\\\"c\\\"\"" : "=v");
  }
  return made;
}

// What parse_challenges must answer for the value make_params(names) gives, with at most `most` parameters:
// the first parameter whose name an earlier one has, else the first one over the limit, else success.
keyward::error expected_for(const std::vector<std::string>& names, const param_value& value, std::size_t most) {
  for (std::size_t k = 0; k < names.size() && k < most; ++k) {
    for (std::size_t earlier = 0; earlier < k; ++earlier) {
      if (same_name_reference(names[k], names[earlier])) {
        return keyward::error(errc::http_duplicate_parameter, value.offsets[k]);
      }
    }
  }
  if (names.size() > most) return keyward::error(errc::http_too_many_parameters, value.offsets[most]);
  return keyward::error(errc{});
}

keyward::error outcome(std::string_view value, const keyward::http::limits& limit) {
  const auto parsed = parse_challenges(value, limit);
  return parsed ? keyward::error(errc{}) : parsed.error();
}

keyward::http::limits raised_limits() {
  keyward::http::limits limit;
  limit.max_length = std::numeric_limits<std::size_t>::max();
  limit.max_parameters = std::numeric_limits<std::size_t>::max();
  return limit;
}

}  // namespace

BOOST_AUTO_TEST_CASE(duplicates_anywhere_in_the_list) {
  const keyward::http::limits limit = raised_limits();
  // Lists of 2, 4, 5, 9, 32, 33, 40 and 256 names (the first 32 go through a filter, later ones are looked up in
  // a table): a duplicate of the first name, of a middle one or of the one before it, placed at the start, in
  // the middle or last; names of 1 to 20 bytes (up to 8 bytes a name is its own key, longer ones are hashed).
  for (const std::size_t count : {2u, 4u, 5u, 9u, 32u, 33u, 40u, 256u}) {
    for (const std::size_t length : {1u, 7u, 8u, 9u, 20u}) {
      std::vector<std::string> names;
      for (std::size_t k = 0; k < count; ++k) {
        std::string name(length, 'x');
        for (std::size_t digit = 0, n = k; digit < length && (n != 0 || digit == 0); ++digit, n /= 36) {
          name[length - 1 - digit] = "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
        }
        names.push_back(name);
      }
      if (length == 1 && count > 36) continue;  // not enough distinct one-byte names
      BOOST_TEST_CONTEXT("count " << count << ", length " << length) {
        const param_value distinct = make_params(names);
        BOOST_TEST(outcome(distinct.text, limit) == keyward::error(errc{}));
        for (const std::size_t at : {std::size_t{1}, count / 2, count - 1}) {
          for (const std::size_t of : {std::size_t{0}, at / 2, at - 1}) {
            if (at == 0 || of >= at) continue;
            std::vector<std::string> with_duplicate = names;
            with_duplicate[at] = names[of];
            // The copy differs in case: names compare case-insensitively (RFC 9110 section 11.2).
            for (char& c : with_duplicate[at]) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
            const param_value value = make_params(with_duplicate);
            BOOST_TEST_CONTEXT("duplicate of " << of << " at " << at) {
              BOOST_TEST(outcome(value.text, limit) == expected_for(with_duplicate, value, 256));
              BOOST_TEST(outcome(value.text, limit) == keyward::error(errc::http_duplicate_parameter, value.offsets[at]));
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(duplicates_against_a_reference) {
  // Random lists of names over a small alphabet, in random case, so that equal names are common and many
  // share their first 8 bytes (and so their hash input's first word), with '^' and '~', which share a key;
  // seeded, so every run is the same.
  const keyward::http::limits limit = raised_limits();
  std::uint64_t state = 0x2545F4914F6CDD1Du;
  const auto next = [&state](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % bound;
  };
  std::size_t duplicates = 0, successes = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::size_t count = 1 + next(round % 10 == 0 ? 300 : 20);
    const std::size_t length = 1 + next(16);
    std::vector<std::string> names;
    for (std::size_t k = 0; k < count; ++k) {
      std::string name = length > 8 ? std::string(length - 2, 'P') : "";
      const std::size_t tail = length > 8 ? 2 : length;
      for (std::size_t i = 0; i < tail; ++i) name += "aA^~bB-_"[next(length > 8 ? 8 : 4)];
      if (next(2) == 0) name[0] = static_cast<char>(name[0] == 'P' ? 'p' : name[0]);
      names.push_back(name);
    }
    const param_value value = make_params(names);
    const keyward::error expected = expected_for(names, value, 256);
    BOOST_TEST_REQUIRE(outcome(value.text, limit) == expected, "value: " << value.text);
    duplicates += expected.code() == errc::http_duplicate_parameter ? 1 : 0;
    successes += expected.code() == errc{} ? 1 : 0;
  }
  BOOST_TEST(duplicates > 100u);
  BOOST_TEST(successes > 100u);
}

// Names chosen to collide in the duplicate check: names up to 8 bytes are keyed by their bytes in memory order
// with bit 0x20 set (lower case, for letters and digits); with p = key * 0x9E3779B97F4A7C15, the first 32 names
// of a list set bits p >> 56 and (p >> 48) & 255 of a filter, and a list that may hold 256 names puts the later
// ones in table slot p >> 55. Names that all share both filter bits (`shift` 48, and so a slot too), or a slot
// (`shift` 55), would make the lookups quadratic, so the check gives up and sorts the names at the end of the
// list: the answers must stay the reference's, in challenges and in credentials.
BOOST_AUTO_TEST_CASE(duplicates_among_names_that_collide) {
  for (const unsigned shift : {55u, 48u}) {
    BOOST_TEST_CONTEXT("names sharing " << (shift == 48 ? "both filter bits" : "a table slot")) {
      const keyward::http::limits limit = raised_limits();
      std::vector<std::string> names;
      std::uint64_t first_slot = 0;
      const std::size_t length = shift == 48 ? 5 : 4;  // 36^4 names hold only about 25 that share 16 bits
      for (std::size_t v = 0; names.size() < 256; ++v) {
        char name[8] = {};
        for (std::size_t x = v, d = 0; d < length; ++d, x /= 36) {
          name[d] = "0123456789abcdefghijklmnopqrstuvwxyz"[x % 36];
        }
        std::uint64_t key = 0;  // the name's bytes in memory order, as the parser reads them
        std::memcpy(&key, name, length);
        const std::uint64_t slot = (key * 0x9E3779B97F4A7C15u) >> shift;
        if (names.empty()) first_slot = slot;
        if (slot == first_slot) names.emplace_back(name, length);
      }
      const auto check = [&](const std::vector<std::string>& list, const std::string& tail) {
        param_value value = make_params(list);
        value.text += tail;
        const auto credentials = keyward::http::parse_credentials(value.text, limit);
        return std::make_pair(outcome(value.text, limit), credentials ? keyward::error(errc{}) : credentials.error());
      };
      BOOST_TEST((check(names, "") == std::make_pair(keyward::error(errc{}), keyward::error(errc{}))));
      for (const std::size_t at : {9u, 31u, 32u, 40u, 255u}) {
        for (const std::size_t of : {std::size_t{0}, std::size_t{8}, at - 1}) {
          std::vector<std::string> with_duplicate = names;
          with_duplicate[at] = names[of];
          for (char& c : with_duplicate[at]) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
          const param_value value = make_params(with_duplicate);
          const keyward::error expected = expected_for(with_duplicate, value, 256);
          BOOST_TEST_CONTEXT("duplicate of " << of << " at " << at) {
            BOOST_TEST(expected == keyward::error(errc::http_duplicate_parameter, value.offsets[at]));
            BOOST_TEST((check(with_duplicate, "") == std::make_pair(expected, expected)));
            // A later malformed parameter, or one over the ceiling, is not reached: the duplicate comes first.
            BOOST_TEST((check(with_duplicate, R"(, zz=")") == std::make_pair(expected, expected)));
            BOOST_TEST((check(with_duplicate, ", zz=1") == std::make_pair(expected, expected)));
          }
        }
      }
    }
  }
}

// Different names with one key: the key sets bit 0x20 of every byte, which turns '^' (0x5E) into '~' (0x7E).
// The 256 names of 8 bytes over "^~" all share one key, so every lookup meets equal keys: the filter of the
// first 32 names, the table of the later ones and the sort at the end (the comparisons soon exceed the budget)
// must each compare the names themselves, in challenges and in credentials.
BOOST_AUTO_TEST_CASE(different_names_with_one_key) {
  const keyward::http::limits limit = raised_limits();
  std::vector<std::string> names;
  for (std::size_t v = 0; v < 256; ++v) {
    std::string name;
    for (std::size_t bit = 0; bit < 8; ++bit) name += (v >> bit & 1u) != 0 ? '~' : '^';
    names.push_back(name);
  }
  const auto check = [&limit](const std::vector<std::string>& list) {
    const param_value value = make_params(list);
    const auto credentials = keyward::http::parse_credentials(value.text, limit);
    return std::make_pair(outcome(value.text, limit), credentials ? keyward::error(errc{}) : credentials.error());
  };
  for (const std::size_t count : {2u, 32u, 33u, 40u, 256u}) {
    BOOST_TEST_CONTEXT("count " << count) {
      const std::vector<std::string> distinct(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(count));
      BOOST_TEST((check(distinct) == std::make_pair(keyward::error(errc{}), keyward::error(errc{}))));
      for (const std::size_t at : {std::size_t{1}, count / 2, count - 1}) {
        for (const std::size_t of : {std::size_t{0}, at - 1}) {
          std::vector<std::string> with_duplicate = distinct;
          with_duplicate[at] = distinct[of];
          const param_value value = make_params(with_duplicate);
          const keyward::error expected = expected_for(with_duplicate, value, 256);
          BOOST_TEST_CONTEXT("duplicate of " << of << " at " << at) {
            BOOST_TEST(expected == keyward::error(errc::http_duplicate_parameter, value.offsets[at]));
            BOOST_TEST((check(with_duplicate) == std::make_pair(expected, expected)));
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_duplicate_comes_before_a_later_error) {
  // Found one by one, the duplicate at 12 comes first; a later malformed parameter, a later parameter over the
  // limit and later data without a comma are not reached.
  BOOST_TEST(error_of(R"(A a=1, b=2, A=3, c="x)") == keyward::error(errc::http_duplicate_parameter, 12));
  keyward::http::limits limit;
  limit.max_parameters = 3;
  BOOST_TEST(error_of("A a=1, b=2, A=3, c=4", limit) == keyward::error(errc::http_duplicate_parameter, 12));
  BOOST_TEST(error_of("A a=1, b=2, c=3, a=4", limit) == keyward::error(errc::http_too_many_parameters, 17));
  // In a longer list too: the ninth repeats the first.
  BOOST_TEST(error_of(R"(A a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,a=1,i="x)") ==
             keyward::error(errc::http_duplicate_parameter, 34));
  BOOST_TEST(error_of(R"(A a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1,j="x)") ==
             keyward::error(errc::http_invalid_quoted_string, 40));
  // And past the first 32 (looked up in a table, with raised limits): the 34th repeats the first.
  std::string list = "A ";
  for (char c = 'a'; c <= 'z'; ++c) list += std::string(1, c) + "=1,";
  for (char c = 'A'; c <= 'G'; ++c) list += std::string(1, c) + "0=1,";  // 33 distinct names
  const std::size_t at = list.size();
  BOOST_TEST(error_of(list + R"(a=1,z0="x)", raised_limits()) == keyward::error(errc::http_duplicate_parameter, at));
  BOOST_TEST(error_of(list + R"(z0=1,z1="x)", raised_limits()) ==
             keyward::error(errc::http_invalid_quoted_string, at + 8));
}

// No setting of max_parameters lets one challenge hold more than limits::max_parameters_ceiling (256)
// parameters, so the duplicate check stays linear in the value's length. With the old quadratic check, this
// 1 MiB value of 100,000 distinct parameters took minutes (about 85 s on the reviewer's machine) and was then
// accepted.
BOOST_AUTO_TEST_CASE(parameters_beyond_the_ceiling_are_refused) {
  BOOST_TEST(keyward::http::limits::max_parameters_ceiling == 256u);
  std::vector<std::string> names;
  for (std::size_t k = 0; k < 100000; ++k) names.push_back("p" + std::to_string(k));
  const param_value huge = make_params(names);
  BOOST_TEST(huge.text.size() > 1000000u);
  BOOST_TEST(outcome(huge.text, raised_limits()) ==
             keyward::error(errc::http_too_many_parameters, huge.offsets[256]));
  // Joining challenges parses each with no limit but the ceiling.
  const auto joined = challenges({"Basic", huge.text});
  BOOST_TEST_REQUIRE(!joined.has_value());
  BOOST_TEST(joined.error() == keyward::error(errc::http_too_many_parameters, 7 + huge.offsets[256]));
  // Exactly at the ceiling: accepted, every parameter visited.
  names.resize(256);
  const param_value full = make_params(names);
  const auto parsed = parse_challenges(full.text, raised_limits());
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->begin()->params.size() == 256u);
  BOOST_TEST(static_cast<std::size_t>(std::distance(parsed->begin()->params.begin(),
                                                    parsed->begin()->params.end())) == 256u);
  BOOST_TEST(challenges({full.text}).has_value());
  // The builder refuses a parameter past the ceiling.
  auto builder = challenge_builder::make("Newauth");
  for (std::size_t k = 0; k < 256; ++k) builder->param("p" + std::to_string(k), "v");
  BOOST_TEST(builder->str().has_value());
  builder->param("one_more", "v");
  BOOST_TEST(build_error(*builder) == keyward::error(errc::http_too_many_parameters));
}

BOOST_AUTO_TEST_CASE(the_allocation_counter_counts) {
  counting = true;
  auto* text = new std::string(100, 'x');
  counting = false;
  BOOST_TEST(allocations >= 1u);
  delete text;
}
