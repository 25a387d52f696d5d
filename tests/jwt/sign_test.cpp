#define BOOST_TEST_MODULE jwt_sign
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/hmac.hpp>
#include <keyward/jwt/jws.hpp>
#include <keyward/jwt/sign.hpp>

#include "support/test_support.hpp"

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace jwt = keyward::jwt;
using jwt::algorithm;
using keyward::errc;
using std::chrono::system_clock;

namespace {

constexpr algorithm hmac_algorithms[] = {algorithm::hs256, algorithm::hs384, algorithm::hs512};

// The key of RFC 7515 appendix A.1 (64 bytes).
const std::string rfc_key = keyward_test::from_hex(
    "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebfd3fb5a92d20647ef968ab4c377623d223d2e2172052e"
    "4f08c0cd9af567d080a3");


std::string hex_or_dash(std::string_view bytes) { return bytes.empty() ? "-" : keyward_test::to_hex(bytes); }

// Runs tests/jwt/sign_crosscheck.py (Python's base64, json and hmac: an implementation independent of keyward;
// its docstring gives the line format and what it checks) on `lines` and returns its output lines.
std::vector<std::string> run_python(const std::vector<std::string>& lines) {
  const std::string path = "/tmp/keyward_sign_test_" + std::to_string(static_cast<long>(getpid())) + ".txt";
  {
    std::ofstream data(path);
    for (const std::string& line : lines) data << line << '\n';
  }
  const std::string command =
      "python3 " + std::string(KEYWARD_TEST_VECTORS) + "/../jwt/sign_crosscheck.py " + path;
  FILE* pipe = popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::vector<std::string> output;
  std::string current;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
    if (c == '\n') {
      output.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(c));
    }
  }
  BOOST_TEST(pclose(pipe) == 0);
  std::remove(path.c_str());
  return output;
}

std::string pattern_key(std::size_t size, unsigned seed) {
  std::string key(size, '\0');
  for (std::size_t i = 0; i < size; ++i) key[i] = static_cast<char>((i * 131 + seed * 17 + 7) % 256);
  return key;
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_refuses_what_cannot_sign) {
  // keyward signs HMAC only (the asymmetric ones are verified through a backend, never signed here).
  for (const algorithm other : {algorithm::rs256, algorithm::rs384, algorithm::rs512, algorithm::ps256,
                                algorithm::ps384, algorithm::ps512, algorithm::es256, algorithm::es384,
                                algorithm::es512, algorithm::eddsa}) {
    const auto made = jwt::signer::make(other, std::string(64, 'k'));
    BOOST_TEST((!made && made.error() == errc::jwt_invalid_options), jwt::name(other));
  }
  // RFC 7518 section 3.2: a key of the same size as the hash output or larger MUST be used.
  for (const auto& [alg, size] : {std::pair{algorithm::hs256, 32}, std::pair{algorithm::hs384, 48},
                                  std::pair{algorithm::hs512, 64}}) {
    const auto short_key = jwt::signer::make(alg, std::string(static_cast<std::size_t>(size) - 1, 'k'));
    BOOST_TEST((!short_key && short_key.error() == errc::jwt_key_too_short), jwt::name(alg));
    BOOST_TEST(jwt::signer::make(alg, std::string(static_cast<std::size_t>(size), 'k')).has_value());
    const auto empty = jwt::signer::make(alg, "");
    BOOST_TEST((!empty && empty.error() == errc::jwt_key_too_short), jwt::name(alg));
  }
  const auto bad_kid = jwt::signer::make(algorithm::hs256, rfc_key, "ok\xC3");
  BOOST_TEST_REQUIRE(!bad_kid.has_value());
  BOOST_TEST(bad_kid.error() == keyward::error(errc::jwt_invalid_header, 2));
  const auto bad_typ = jwt::signer::make(algorithm::hs256, rfc_key, "", "\xED\xA0\x80");  // a surrogate
  BOOST_TEST_REQUIRE(!bad_typ.has_value());
  BOOST_TEST(bad_typ.error() == keyward::error(errc::jwt_invalid_header, 0));
}

BOOST_AUTO_TEST_CASE(known_answer) {
  // Computed with Python (the header and claims below, the key of RFC 7515 A.1):
  //   e = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
  //   h = e(b'{"alg":"HS256","typ":"JWT"}'); p = e(b'{"iss":"joe","exp":1300819380}')
  //   h + '.' + p + '.' + e(hmac.new(key, (h + '.' + p).encode(), hashlib.sha256).digest())
  const auto s = jwt::signer::make(algorithm::hs256, rfc_key);
  BOOST_TEST_REQUIRE(s.has_value());
  const auto token = s->token(R"({"iss":"joe","exp":1300819380})");
  BOOST_TEST_REQUIRE(token.has_value());
  BOOST_TEST(*token ==
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJqb2UiLCJleHAiOjEzMDA4MTkzODB9."
             "vtajAuiiED5N1IlkJw6biq1sZzHqaV69C97gFipZlqk");
}

BOOST_AUTO_TEST_CASE(writer_trio) {
  const auto s = jwt::signer::make(algorithm::hs512, rfc_key, "key-1");
  BOOST_TEST_REQUIRE(s.has_value());
  const std::string claims = R"({"sub":"user","n":[1,2,3]})";
  const std::size_t size = s->token_size(claims);
  const auto whole = s->token(claims);
  BOOST_TEST_REQUIRE(whole.has_value());
  BOOST_TEST(whole->size() == size);
  std::string out(size + 8, '#');
  // One byte short: buffer_too_small, nothing written.
  const auto too_small = s->write_token(claims, out.data(), size - 1);
  BOOST_TEST((!too_small && too_small.error() == errc::buffer_too_small));
  BOOST_TEST(out == std::string(size + 8, '#'));
  const auto written = s->write_token(claims, out.data(), size);
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(*written == size);
  BOOST_TEST(out.substr(0, size) == *whole);
  BOOST_TEST(out.substr(size) == "########");
  // Tokens are deterministic (HMAC).
  BOOST_TEST(*s->token(claims) == *whole);
}

BOOST_AUTO_TEST_CASE(claims_are_checked_as_strict_json_objects) {
  const auto s = jwt::signer::make(algorithm::hs256, rfc_key);
  BOOST_TEST_REQUIRE(s.has_value());
  struct bad {
    std::string claims;
    keyward::error expected;
  };
  const bad cases[] = {
      {"", {errc::jwt_json_syntax, 0}},
      {"[]", {errc::jwt_json_not_object, 0}},
      {R"("sub")", {errc::jwt_json_not_object, 0}},
      {R"({"a":1,"a":2})", {errc::jwt_json_duplicate_member, 7}},
      {R"({"a":1,"\u0061":2})", {errc::jwt_json_duplicate_member, 7}},
      {"{\"a\":\"\xC0\xAF\"}", {errc::jwt_json_invalid_utf8, 6}},
  };
  for (const bad& c : cases) {
    std::string out(256, '#');
    const auto written = s->write_token(c.claims, out.data(), out.size());
    BOOST_TEST_REQUIRE(!written.has_value(), c.claims);
    BOOST_TEST(written.error() == c.expected, c.claims);
    BOOST_TEST(out == std::string(256, '#'), c.claims);
    const auto text = s->token(c.claims);
    BOOST_TEST((!text && text.error() == c.expected), c.claims);
  }
  // Errors in the claims take precedence over the buffer's size.
  char tiny[4];
  BOOST_TEST(s->write_token("{", tiny, sizeof tiny).error() == errc::jwt_json_syntax);
  // The default JSON limits: 17 levels are too deep.
  const auto deep = s->token(R"({"a":)" + std::string(16, '[') + std::string(16, ']') + "}");
  BOOST_TEST((!deep && deep.error() == errc::jwt_json_too_deep));
  // Claims are signed exactly as given: whitespace and CR LF kept (RFC 7515 A.1's payload).
  const std::string spaced = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
  const auto token = s->token(spaced);
  BOOST_TEST_REQUIRE(token.has_value());
  BOOST_TEST(token->substr(37, 94) ==
             "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ");
}

BOOST_AUTO_TEST_CASE(python_verifies_minted_tokens_and_parse_jws_reads_them) {
  const std::vector<std::string> kids = {"", "k1", "2024-rotation", "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87",
                                         "q\"uo\\te\nline\x01", "\xF0\x9F\x94\x91"};
  const std::vector<std::string> typs = {"JWT", "", "at+jwt", "application/at+JWT"};
  const std::vector<std::string> claim_sets = {
      "{}",
      R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
      "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}",
      R"({"aud":["a","b"],"nested":{"x":[1,2.5,-3e2,null,true]},"s":"\u00e9\ud83d\ude00\"\\"})",
      "{\"utf8\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}",
      "{\"big\":\"" + std::string(3000, 'z') + "\"}",
  };
  std::vector<std::string> lines;
  jwt::token_buffer buffer;
  unsigned seed = 0;
  for (const algorithm alg : hmac_algorithms) {
    const std::size_t minimum = jwt::hmac_size(alg);
    // Keys: the minimum, RFC 7515's 64 bytes, one longer than a hash block (hashed first, RFC 2104 section 3).
    for (const std::string& key : {pattern_key(minimum, ++seed), rfc_key, pattern_key(200, ++seed)}) {
      for (std::size_t k = 0; k < kids.size(); ++k) {
        const std::string& kid = kids[k];
        const std::string& typ = typs[(k + seed) % typs.size()];
        const auto s = jwt::signer::make(alg, key, kid, typ);
        BOOST_TEST_REQUIRE(s.has_value());
        for (const std::string& claims : claim_sets) {
          const auto token = s->token(claims);
          BOOST_TEST_REQUIRE(token.has_value());
          lines.push_back(*token + " " + std::string(jwt::name(alg)) + " " + hex_or_dash(key) + " " +
                          hex_or_dash(kid) + " " + hex_or_dash(typ) + " " + hex_or_dash(claims));
          // keyward's own parser reads back what keyward wrote.
          const auto parsed = jwt::parse_jws(*token, buffer);
          BOOST_TEST_REQUIRE(parsed.has_value());
          BOOST_TEST((parsed->alg == alg));
          BOOST_TEST(parsed->kid == kid);
          BOOST_TEST(parsed->typ == typ);
          BOOST_TEST(parsed->payload == claims);
          BOOST_TEST(parsed->signature.size() == minimum);
        }
      }
    }
  }
  const std::vector<std::string> output = run_python(lines);
  BOOST_TEST_REQUIRE(!output.empty());
  for (std::size_t i = 0; i + 1 < output.size(); ++i) BOOST_ERROR("python: " << output[i]);
  BOOST_TEST(output.back() == "checked " + std::to_string(lines.size()));
  BOOST_TEST(lines.size() == 3u * 3u * 6u * 6u);
}

BOOST_AUTO_TEST_CASE(claims_builder_writes_registered_and_custom_claims) {
  using seconds_point = std::chrono::time_point<system_clock, std::chrono::seconds>;
  const seconds_point exp{std::chrono::seconds(1767225600)};
  const auto json = jwt::claims_builder()
                        .issuer("https://issuer.example")
                        .subject("user-1")
                        .audience("api")
                        .expires_at(exp)
                        .not_before(exp - std::chrono::hours(1))
                        .issued_at(exp - std::chrono::hours(1))
                        .jwt_id("id-1")
                        .json();
  BOOST_TEST_REQUIRE(json.has_value());
  BOOST_TEST(*json ==
             R"({"iss":"https://issuer.example","sub":"user-1","aud":"api","exp":1767225600,"nbf":1767222000,)"
             R"("iat":1767222000,"jti":"id-1"})");
  BOOST_TEST(*jwt::claims_builder().json() == "{}");
  // Several audiences: an array, at the place of the first, in order.
  const auto audiences = jwt::claims_builder().audience("a").subject("s").audience("b").audience("c").json();
  BOOST_TEST_REQUIRE(audiences.has_value());
  BOOST_TEST(*audiences == R"({"aud":["a","b","c"],"sub":"s"})");
  // Custom claims, escaped as RFC 8259 section 7 says.
  const auto custom = jwt::claims_builder()
                          .string_claim("role", "a\"b\\c\n\x01\xC3\xA9")
                          .integer_claim("min", std::numeric_limits<std::int64_t>::min())
                          .integer_claim("max", std::numeric_limits<std::int64_t>::max())
                          .boolean_claim("admin", true)
                          .boolean_claim("guest", false)
                          .string_claim("q\"", "")
                          .json();
  BOOST_TEST_REQUIRE(custom.has_value());
  BOOST_TEST(*custom == "{\"role\":\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\",\"min\":-9223372036854775808,"
                        "\"max\":9223372036854775807,\"admin\":true,\"guest\":false,\"q\\\"\":\"\"}");
  // NumericDates are floored to whole seconds (RFC 7519 section 2), before 1970 too.
  using millis = std::chrono::time_point<system_clock, std::chrono::milliseconds>;
  using micros = std::chrono::time_point<system_clock, std::chrono::microseconds>;
  const auto floored = jwt::claims_builder()
                           .expires_at(micros(std::chrono::microseconds(1'900'000)))
                           .not_before(millis(std::chrono::milliseconds(-1500)))
                           .issued_at(millis(std::chrono::milliseconds(-1000)))
                           .json();
  BOOST_TEST_REQUIRE(floored.has_value());
  BOOST_TEST(*floored == R"({"exp":1,"nbf":-2,"iat":-1})");
}

BOOST_AUTO_TEST_CASE(claims_builder_rejects_duplicates_and_bad_utf8) {
  const std::chrono::time_point<system_clock, std::chrono::seconds> when{std::chrono::seconds(100)};
  const auto duplicate = [](const keyward::result<std::string>& json) {
    return !json && json.error() == keyward::error(errc::jwt_json_duplicate_member);
  };
  BOOST_TEST(duplicate(jwt::claims_builder().issuer("a").issuer("b").json()));
  BOOST_TEST(duplicate(jwt::claims_builder().audience("a").string_claim("aud", "b").json()));
  BOOST_TEST(duplicate(jwt::claims_builder().string_claim("exp", "x").expires_at(when).json()));
  BOOST_TEST(duplicate(jwt::claims_builder().integer_claim("n", 1).boolean_claim("n", true).json()));
  BOOST_TEST(duplicate(jwt::claims_builder().subject("s").string_claim("sub", "s").json()));
  const auto bad_value = jwt::claims_builder().subject("ok").string_claim("x", "ab\xFF").json();
  BOOST_TEST((!bad_value && bad_value.error() == keyward::error(errc::jwt_json_invalid_utf8, 2)));
  const auto bad_name = jwt::claims_builder().boolean_claim("\xE2\x82", true).json();
  BOOST_TEST((!bad_name && bad_name.error() == keyward::error(errc::jwt_json_invalid_utf8, 0)));
}

BOOST_AUTO_TEST_CASE(python_reads_claims_builder_output) {
  // Python's json (strict: no duplicates, no NaN) reads every builder output back to the same values, which
  // it prints canonically (sorted names, ASCII escapes): compared with the expected text written here.
  const std::chrono::time_point<system_clock, std::chrono::seconds> when{std::chrono::seconds(1700000000)};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {*jwt::claims_builder().json(), "{}"},
      {*jwt::claims_builder().issuer("iss").audience("x").audience("y").expires_at(when).json(),
       R"({"aud":["x","y"],"exp":1700000000,"iss":"iss"})"},
      {*jwt::claims_builder().string_claim("s", "\x7F\x1F\"\\/\xF0\x9F\x98\x80").json(),
       R"({"s":"\u007f\u001f\"\\/\ud83d\ude00"})"},
      {*jwt::claims_builder().string_claim("", "empty name").integer_claim("z", -1).json(),
       R"({"":"empty name","z":-1})"},
  };
  std::vector<std::string> lines;
  for (const auto& c : cases) lines.push_back("claims " + keyward_test::to_hex(c.first));
  const std::vector<std::string> output = run_python(lines);
  BOOST_TEST_REQUIRE(output.size() == cases.size() + 1);
  for (std::size_t i = 0; i < cases.size(); ++i) BOOST_TEST(output[i] == "claims " + cases[i].second);
  BOOST_TEST(output.back() == "checked " + std::to_string(cases.size()));
  // And a signer signs what the builder wrote.
  const auto s = jwt::signer::make(algorithm::hs384, pattern_key(48, 3));
  BOOST_TEST_REQUIRE(s.has_value());
  BOOST_TEST(s->token(cases[1].first).has_value());
}
