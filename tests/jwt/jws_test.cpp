#define BOOST_TEST_MODULE jwt_jws
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/jwt/jws.hpp>
#include <keyward/jwt/sign.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <cstddef>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jwt = keyward::jwt;
using jwt::algorithm;
using keyward::errc;

namespace {

constexpr std::size_t none = keyward::error::no_offset;

// Tokens are assembled with keyward's base64url encoder (tested against RFC 4648 in base64_test.cpp); every
// expected error and offset below is derived by hand from RFC 7515 and RFC 4648, never from parse_jws().
std::string b64(std::string_view bytes) { return keyward::base64::encode(bytes, keyward::base64::url); }

const std::string some_signature = b64(std::string(32, '\x5A'));

std::string make_token(std::string_view header_json, std::string_view payload = "{}") {
  return b64(header_json) + "." + b64(payload) + "." + some_signature;
}

// The offset in the token of the first base64url character carrying bits of byte `k` of the header (RFC 4648
// section 4: each 3 bytes become 4 characters, byte k%3 starting in character k%3 of its group).
std::size_t header_offset(std::size_t k) { return k == none ? none : k / 3 * 4 + k % 3; }

std::string describe(const keyward::error& e) {
  return std::string(e.message()) + (e.has_offset() ? " at " + std::to_string(e.offset()) : "");
}

void expect_error(std::string_view token, errc code, std::size_t offset, const std::string& label,
                  const jwt::jws_options& options = {}) {
  jwt::token_buffer buffer;
  const keyward::result<jwt::jws_view> parsed = jwt::parse_jws(token, buffer, options);
  if (parsed.has_value()) {
    BOOST_ERROR(label << ": accepted");
    return;
  }
  BOOST_TEST(parsed.error().code() == code, label << ": got " << describe(parsed.error()));
  BOOST_TEST(parsed.error().offset() == offset, label << ": got " << describe(parsed.error()));
  if (parsed.error().has_offset()) BOOST_TEST(parsed.error().offset() <= token.size(), label);
}

struct header_case {
  const char* header;
  errc code;
  std::size_t offset;  // in the decoded header, counted by hand; `none` when no offset applies
  const char* why;
};

// Headers that parse_jws() must reject, each with its error and the offset in the decoded header of the
// value or name at fault (the offsets are counted on the text: `{"alg":` is 7 bytes, `{"alg":"HS256",` 15).
const header_case hostile_headers[] = {
    {R"({"typ":"JWT"})", errc::jwt_missing_algorithm, none, "no alg (RFC 7515 4.1.1: MUST be present)"},
    {R"({})", errc::jwt_missing_algorithm, none, "empty header"},
    {R"({"alg":256})", errc::jwt_missing_algorithm, 7, "alg a number"},
    {R"({"alg":null})", errc::jwt_missing_algorithm, 7, "alg null"},
    {R"({"alg":["HS256"]})", errc::jwt_missing_algorithm, 7, "alg an array"},
    {R"({"alg":true})", errc::jwt_missing_algorithm, 7, "alg a boolean"},
    {R"({"alg":"none"})", errc::jwt_algorithm_none, 7, "alg none (RFC 8725 3.2)"},
    {R"({"alg":"None"})", errc::jwt_algorithm_none, 7, "alg None"},
    {R"({"alg":"NONE"})", errc::jwt_algorithm_none, 7, "alg NONE"},
    {R"({"alg":"nOnE"})", errc::jwt_algorithm_none, 7, "alg nOnE"},
    {R"({"alg":"\u006eone"})", errc::jwt_algorithm_none, 7, "alg none behind an escape"},
    {R"({"typ":"JWT", "alg" : "none"})", errc::jwt_algorithm_none, 22, "alg none after typ, with spaces"},
    {R"({"alg":"none "})", errc::jwt_unknown_algorithm, 7, "alg none with a space"},
    {R"({"alg":"hs256"})", errc::jwt_unknown_algorithm, 7, "alg in lower case"},
    {R"({"alg":"Hs256"})", errc::jwt_unknown_algorithm, 7, "alg in mixed case"},
    {R"({"alg":""})", errc::jwt_unknown_algorithm, 7, "alg empty"},
    {R"({"alg":"HS256\u0000"})", errc::jwt_unknown_algorithm, 7, "alg with a NUL"},
    {R"({"alg":"RSA1_5"})", errc::jwt_unknown_algorithm, 7, "a JWE algorithm"},
    {R"({"alg":"HS224"})", errc::jwt_unknown_algorithm, 7, "an unregistered HMAC"},
    {R"({"alg":"HS256","kid":7})", errc::jwt_invalid_header, 21, "kid a number (RFC 7515 4.1.4)"},
    {R"({"alg":"HS256","kid":null})", errc::jwt_invalid_header, 21, "kid null"},
    {R"({"alg":"HS256","typ":["JWT"]})", errc::jwt_invalid_header, 21, "typ an array (RFC 7515 4.1.9)"},
    {R"({"alg":"HS256","cty":{}})", errc::jwt_invalid_header, 21, "cty an object (RFC 7515 4.1.10)"},
    {R"({"alg":"HS256","crit":[]})", errc::jwt_invalid_crit, 22, "crit empty (RFC 7515 4.1.11)"},
    {R"({"alg":"HS256","crit":"exp","exp":1})", errc::jwt_invalid_crit, 22, "crit a string"},
    {R"({"alg":"HS256","crit":[1]})", errc::jwt_invalid_crit, 23, "crit of a number"},
    {R"({"alg":"HS256","crit":["alg"]})", errc::jwt_invalid_crit, 23, "crit lists alg"},
    {R"({"alg":"HS256","crit":["kid"],"kid":"a"})", errc::jwt_invalid_crit, 23, "crit lists kid"},
    {R"({"alg":"HS256","crit":["x5t#S256"],"x5t#S256":"a"})", errc::jwt_invalid_crit, 23, "crit lists x5t#S256"},
    {R"({"alg":"HS256","crit":["crit"]})", errc::jwt_invalid_crit, 23, "crit lists crit"},
    {R"({"alg":"HS256","crit":["exp"]})", errc::jwt_invalid_crit, 23, "crit lists an absent name"},
    {R"({"alg":"HS256","crit":["exp","exp"],"exp":1})", errc::jwt_invalid_crit, 29, "crit lists a name twice"},
    {R"({"alg":"HS256","crit":["exp","\u0065xp"],"exp":1})", errc::jwt_invalid_crit, 29, "twice, once escaped"},
    {R"({"alg":"HS256","crit":["exp"],"exp":1})", errc::jwt_unsupported_crit, 23, "an unknown extension"},
    {R"({"alg":"HS256","exp":1,"crit":["\u0065xp"]})", errc::jwt_unsupported_crit, 31, "escaped extension"},
    {R"({"alg":"HS256","crit":["b64"],"b64":false})", errc::jwt_unsupported_crit, 23, "RFC 7797 unencoded"},
    {R"({"alg":"HS256","crit":["b64"],"b64":true})", errc::jwt_unsupported_crit, 23, "RFC 7797 b64 true"},
    {R"({"alg":"HS256","b64":false})", errc::jwt_invalid_header, 21, "b64 false without crit"},
    {R"({"alg":"HS256","b64":"true"})", errc::jwt_invalid_header, 21, "b64 a string"},
    {R"({"alg":"HS256","b64":1})", errc::jwt_invalid_header, 21, "b64 a number"},
    {R"({"alg":"none","kid":7})", errc::jwt_algorithm_none, 7, "alg is checked before kid"},
    {R"({"kid":7,"alg":"HS256"})", errc::jwt_invalid_header, 7, "kid checked whatever the member order"},
    {R"({"alg":"HS256","alg":"none"})", errc::jwt_json_duplicate_member, 15, "alg twice (RFC 7515 4)"},
    {R"({"alg":"HS256","\u0061lg":"none"})", errc::jwt_json_duplicate_member, 15, "alg twice, escaped"},
    {R"({"alg":"HS256","kid":"a","kid":"b"})", errc::jwt_json_duplicate_member, 25, "kid twice"},
    {R"([])", errc::jwt_json_not_object, 0, "an array"},
    {R"("HS256")", errc::jwt_json_not_object, 0, "a string"},
    {R"( 1)", errc::jwt_json_not_object, 1, "a number after a space"},
    {"", errc::jwt_json_syntax, 0, "an empty header"},
    {"\xEF\xBB\xBF{\"alg\":\"HS256\"}", errc::jwt_json_syntax, 0, "a byte order mark"},
    {R"({"alg":"HS256"}x)", errc::jwt_json_syntax, 15, "bytes after the object"},
    {R"({'alg':'HS256'})", errc::jwt_json_syntax, 1, "single quotes"},
    {"{\"alg\":\"HS256\",\"x\":\"\xFF\"}", errc::jwt_json_invalid_utf8, 20, "ill-formed UTF-8"},
    {"{\"alg\":\"HS256\",\"x\":\"\xED\xA0\x80\"}", errc::jwt_json_invalid_utf8, 20, "an encoded surrogate"},
};

// Headers that parse, with the algorithm, kid and typ they give.
struct accepted_case {
  const char* header;
  algorithm alg;
  std::string_view kid;
  std::string_view typ;
};

const accepted_case accepted_headers[] = {
    {R"({"alg":"HS256"})", algorithm::hs256, "", ""},
    {R"({"alg":"HS384","typ":"JWT"})", algorithm::hs384, "", "JWT"},
    {R"({"typ":"at+jwt","alg":"HS512","kid":"2024-01"})", algorithm::hs512, "2024-01", "at+jwt"},
    {R"({"alg":"\u0048S256"})", algorithm::hs256, "", ""},
    {R"({"alg":"RS256","kid":"k\u0031","typ":"application/at+jwt"})", algorithm::rs256, "k1", "application/at+jwt"},
    {R"({"alg":"ES256","kid":"caf\u00e9 \"q\" \\ \ud83d\ude00"})", algorithm::es256,
     "caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80", ""},
    {"{\"alg\":\"EdDSA\",\"kid\":\"caf\xC3\xA9\"}", algorithm::eddsa, "caf\xC3\xA9", ""},
    {R"({"alg":"PS256","kid":""})", algorithm::ps256, "", ""},
    {R"( { "alg" : "HS256" , "typ" : "JWT" } )", algorithm::hs256, "", "JWT"},
    {"{\r\n \"alg\":\"HS256\"\t}", algorithm::hs256, "", ""},
    {R"({"alg":"HS256","b64":true})", algorithm::hs256, "", ""},
    {R"({"alg":"HS256","cty":"JWT"})", algorithm::hs256, "", ""},
    {R"({"alg":"HS256","jku":"https://x","x5t#S256":"a","unknown":{"deep":[1,2,{"kid":5}]}})", algorithm::hs256,
     "", ""},
    {R"({"alg":"HS256","\u006bid":"escaped name"})", algorithm::hs256, "escaped name", ""},
};

}  // namespace

BOOST_AUTO_TEST_CASE(rfc7515_appendix_a1) {
  const std::string text = keyward_test::read_vector_file("jwt/rfc7515_A1_hs256.json");
  BOOST_TEST_REQUIRE(!text.empty());
  const auto field = [&](std::string_view name) {
    const std::size_t at = text.find("\"" + std::string(name) + "\": \"");
    BOOST_TEST_REQUIRE(at != std::string::npos, name);
    const std::size_t begin = at + name.size() + 5;
    return text.substr(begin, text.find('"', begin) - begin);
  };
  const std::string token = field("jws_compact");
  jwt::token_buffer buffer;
  const keyward::result<jwt::jws_view> parsed = jwt::parse_jws(token, buffer);
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST((parsed->alg == algorithm::hs256));
  BOOST_TEST(parsed->typ == "JWT");
  BOOST_TEST(parsed->kid.empty());
  // The header and payload are the exact bytes of the RFC, CR LF and spaces included.
  BOOST_TEST(keyward_test::to_hex(parsed->header.raw()) == field("protected_header_bytes_hex"));
  BOOST_TEST(keyward_test::to_hex(parsed->payload) == field("payload_bytes_hex"));
  BOOST_TEST(keyward_test::to_hex(parsed->signature) == field("signature_hex"));
  BOOST_TEST(parsed->signing_input == field("signing_input"));
  BOOST_TEST(parsed->signing_input.data() == token.data());  // a view of the received bytes
  BOOST_TEST(parsed->header.find("alg")->string_equals("HS256"));
  // The MAC of RFC 7515 A.1 over the signing input, with the JWK's key, is the signature.
  const keyward::crypto::hmac_sha256 key(keyward_test::from_hex(field("key_hex")));
  BOOST_TEST(key.verify(parsed->signing_input, parsed->signature));
  // One flipped bit anywhere in the received signing input no longer verifies.
  std::string tampered = token;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  const keyward::result<jwt::jws_view> other = jwt::parse_jws(tampered, buffer);
  if (other) BOOST_TEST(!key.verify(other->signing_input, other->signature));
}

namespace {

struct wycheproof_counts {
  std::size_t applied = 0, valid = 0, short_keys = 0;
};

// What "applies" means for a Wycheproof HMAC vector (key, msg, tag) at the JWS layer: a JWS carries the full
// MAC (RFC 7518 section 3.2 allows no truncation) under a key at least as long as the hash output, so the
// vectors with a truncated tag are skipped, and those with a shorter key must be refused by signer::make.
// For every other vector: (1) a token whose payload segment is the message and whose signature segment is
// the tag parses, and gives back exactly those bytes (whatever their values), on which the MAC verifies
// exactly when the vector is valid; (2) signer::make accepts the key, and the tokens it mints verify under it
// over their signing input (and no longer with one bit of the MAC flipped).
template <class Hash>
wycheproof_counts run_wycheproof(const std::string& file, algorithm alg) {
  using mac = keyward::crypto::hmac<Hash>;
  const std::string text = keyward_test::read_vector_file(file);
  BOOST_TEST_REQUIRE(!text.empty(), file);
  wycheproof_counts counts;
  std::size_t key_bits = 0, tag_bits = 0;
  std::string id, key, msg, tag;
  jwt::token_buffer buffer;
  const std::string header = b64(R"({"alg":")" + std::string(jwt::name(alg)) + R"("})");
  for (const auto& [name, value] : keyward_test::json_pairs(text)) {
    if (name == "keySize") key_bits = std::stoul(std::string(value));
    else if (name == "tagSize") tag_bits = std::stoul(std::string(value));
    else if (name == "tcId") id = std::string(value);
    else if (name == "key") key = keyward_test::from_hex(value);
    else if (name == "msg") msg = keyward_test::from_hex(value);
    else if (name == "tag") tag = keyward_test::from_hex(value);
    else if (name == "result") {
      const std::string label = file + " tcId " + id;
      BOOST_TEST_REQUIRE(key.size() * 8 == key_bits, label);
      if (tag_bits / 8 != mac::tag_size) continue;  // a truncated tag: never a JWS
      if (key.size() < Hash::digest_size) {
        const auto made = jwt::signer::make(alg, key);
        BOOST_TEST((!made && made.error() == errc::jwt_key_too_short), label);
        ++counts.short_keys;
        continue;
      }
      ++counts.applied;
      const bool valid = value == "valid";
      if (valid) ++counts.valid;
      const std::string token = header + "." + b64(msg) + "." + b64(tag);
      const keyward::result<jwt::jws_view> parsed = jwt::parse_jws(token, buffer);
      BOOST_TEST_REQUIRE(parsed.has_value(), label);
      BOOST_TEST((parsed->alg == alg), label);
      BOOST_TEST(parsed->payload == msg, label);
      BOOST_TEST(parsed->signature == tag, label);
      BOOST_TEST(mac(key).verify(parsed->payload, parsed->signature) == valid, label);

      const auto made = jwt::signer::make(alg, key, "tc" + id);
      BOOST_TEST_REQUIRE(made.has_value(), label);
      const keyward::result<std::string> minted = made->token(R"({"tcId":)" + id + "}");
      BOOST_TEST_REQUIRE(minted.has_value(), label);
      const keyward::result<jwt::jws_view> back = jwt::parse_jws(*minted, buffer);
      BOOST_TEST_REQUIRE(back.has_value(), label);
      BOOST_TEST((back->alg == alg), label);
      BOOST_TEST(back->kid == "tc" + id, label);
      BOOST_TEST(back->signature.size() == Hash::digest_size, label);
      BOOST_TEST(mac(key).verify(back->signing_input, back->signature), label);
      std::string flipped(back->signature);
      flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
      BOOST_TEST(!mac(key).verify(back->signing_input, flipped), label);
    }
  }
  return counts;
}

}  // namespace

BOOST_AUTO_TEST_CASE(wycheproof_hmac_through_the_jws_layer) {
  for (const wycheproof_counts counts :
       {run_wycheproof<keyward::crypto::sha256>("wycheproof/hmac_sha256_test.json", algorithm::hs256),
        run_wycheproof<keyward::crypto::sha384>("wycheproof/hmac_sha384_test.json", algorithm::hs384),
        run_wycheproof<keyward::crypto::sha512>("wycheproof/hmac_sha512_test.json", algorithm::hs512)}) {
    // Per file: 81 vectors with a full-size key and tag, and 3 with a longer key (520 bits); 3 short keys.
    BOOST_TEST(counts.applied == 84u);
    BOOST_TEST(counts.valid == 30u);
    BOOST_TEST(counts.short_keys == 3u);
  }
}

BOOST_AUTO_TEST_CASE(hostile_headers_reject_with_their_error_and_offset) {
  for (const header_case& c : hostile_headers) {
    expect_error(make_token(c.header), c.code, header_offset(c.offset), c.why);
  }
}

BOOST_AUTO_TEST_CASE(json_limits_apply_to_the_header) {
  // Nesting: the header object is depth 1, so 16 brackets inside it make depth 17.
  const std::string deep = R"({"alg":"HS256","x":)" + std::string(16, '[') + std::string(16, ']') + "}";
  jwt::token_buffer buffer;
  const auto deep_result = jwt::parse_jws(make_token(deep), buffer);
  BOOST_TEST_REQUIRE(!deep_result.has_value());
  BOOST_TEST(deep_result.error() == errc::jwt_json_too_deep);
  const std::string shallow = R"({"alg":"HS256","x":)" + std::string(15, '[') + std::string(15, ']') + "}";
  BOOST_TEST(jwt::parse_jws(make_token(shallow), buffer).has_value());
  jwt::jws_options tight;
  tight.json.max_depth = 2;
  const auto tight_result = jwt::parse_jws(make_token(R"({"alg":"HS256","x":[[]]})"), buffer, tight);
  BOOST_TEST_REQUIRE(!tight_result.has_value());
  BOOST_TEST(tight_result.error() == errc::jwt_json_too_deep);
  // Members: 64 pass by default, 65 do not.
  std::string members = R"({"alg":"HS256")";
  for (int i = 1; i < 64; ++i) members += ",\"m" + std::to_string(i) + "\":" + std::to_string(i);
  BOOST_TEST(jwt::parse_jws(make_token(members + "}"), buffer).has_value());
  const auto many = jwt::parse_jws(make_token(members + ",\"m64\":0}"), buffer);
  BOOST_TEST_REQUIRE(!many.has_value());
  BOOST_TEST(many.error() == errc::jwt_json_too_many_members);
}

BOOST_AUTO_TEST_CASE(accepted_headers_give_alg_kid_and_typ) {
  jwt::token_buffer buffer;
  for (const accepted_case& c : accepted_headers) {
    const std::string token = make_token(c.header, R"({"sub":"x"})");
    const keyward::result<jwt::jws_view> parsed = jwt::parse_jws(token, buffer);
    BOOST_TEST_REQUIRE(parsed.has_value(), c.header << ": " << (parsed ? "" : describe(parsed.error())));
    BOOST_TEST((parsed->alg == c.alg), c.header);
    BOOST_TEST(parsed->kid == c.kid, c.header);
    BOOST_TEST(parsed->typ == c.typ, c.header);
    BOOST_TEST(parsed->payload == R"({"sub":"x"})", c.header);
    BOOST_TEST(parsed->signature == std::string(32, '\x5A'), c.header);
    BOOST_TEST(parsed->signing_input == token.substr(0, token.rfind('.')), c.header);
    BOOST_TEST(parsed->header.find("alg").has_value(), c.header);
  }
  // Every registered algorithm parses (verification decides which are allowed).
  for (const std::string_view name : {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                      "ES256", "ES384", "ES512", "EdDSA"}) {
    const keyward::result<jwt::jws_view> parsed =
        jwt::parse_jws(make_token(R"({"alg":")" + std::string(name) + "\"}"), buffer);
    BOOST_TEST_REQUIRE(parsed.has_value(), name);
    BOOST_TEST(jwt::name(parsed->alg) == name);
  }
}

BOOST_AUTO_TEST_CASE(segments) {
  const std::string good = make_token(R"({"alg":"HS256"})");  // 20 + 1 + 3 + 1 + 43 characters
  BOOST_TEST_REQUIRE(good.size() == 68u);
  expect_error("", errc::jwt_malformed, 0, "empty");
  expect_error("eyJhbGciOiJIUzI1NiJ9", errc::jwt_malformed, 20, "one segment");
  expect_error("eyJhbGciOiJIUzI1NiJ9.e30", errc::jwt_malformed, 24, "two segments");
  expect_error("a.b.c.d", errc::jwt_malformed, 5, "four segments");
  expect_error(good + ".", errc::jwt_malformed, 68, "a trailing dot");
  expect_error(good + ".." + some_signature, errc::jwt_encrypted, none, "five segments, a JWE");
  expect_error("....", errc::jwt_encrypted, none, "five empty segments");
  // RFC 7516 appendix A.3's JWE (truncated segments) has five segments.
  expect_error("eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.6KB707dM9YTIgHtLvtgWQ8mKwboJW3of9locizkDTHzBC2IlrT1"
               "oOQ.AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSUrfmqCHXaI9wOGY.U0m_YmjN04DJvceFICbCVQ",
               errc::jwt_encrypted, none, "RFC 7516 A.3");
  expect_error("a.b.c.d.e.f", errc::jwt_malformed, 5, "six segments");
  expect_error("..", errc::jwt_json_syntax, 0, "three empty segments: an empty header");
  // Empty payload and empty signature segments parse (the verifier rejects the signature's length).
  jwt::token_buffer buffer;
  const auto empty_parts = jwt::parse_jws("eyJhbGciOiJIUzI1NiJ9..", buffer);
  BOOST_TEST_REQUIRE(empty_parts.has_value());
  BOOST_TEST(empty_parts->payload.empty());
  BOOST_TEST(empty_parts->signature.empty());
  BOOST_TEST(empty_parts->signing_input == "eyJhbGciOiJIUzI1NiJ9.");
}

BOOST_AUTO_TEST_CASE(base64url_is_canonical_and_unpadded) {
  const std::string header = "eyJhbGciOiJIUzI1NiJ9";  // {"alg":"HS256"}: 15 bytes, 20 characters
  const std::string sig = some_signature;                // 32 bytes: 43 characters, the last one 'o'
  BOOST_TEST_REQUIRE(sig.size() == 43u);
  // {"a":1} is 7 bytes: 10 characters, which RFC 4648 would pad with "==".
  expect_error(header + ".eyJhIjoxfQ==." + sig, errc::jwt_invalid_base64, 31, "padded payload");
  expect_error(header + ".eyJhIjoxfQ=." + sig, errc::jwt_invalid_base64, 31, "half-padded payload");
  expect_error(header + "=.e30." + sig, errc::jwt_invalid_base64, 20, "'=' after a complete header");
  expect_error(header + ".e30." + sig + "=", errc::jwt_invalid_base64, 68, "padded signature");
  std::string plus = header + ".e30." + sig;
  plus[30] = '+';
  expect_error(plus, errc::jwt_invalid_base64, 30, "'+' of the standard alphabet");
  std::string slash = header + ".e30." + sig;
  slash[40] = '/';
  expect_error(slash, errc::jwt_invalid_base64, 40, "'/' of the standard alphabet");
  // "e30" is "{}"; "e31" has unused low bits set (RFC 4648 section 3.5): not canonical.
  expect_error(header + ".e31." + sig, errc::jwt_invalid_base64, 23, "non-canonical last character");
  expect_error(header + ".e30." + sig.substr(0, 42) + "p", errc::jwt_invalid_base64, 67, "non-canonical signature");
  expect_error(header + ".e30." + sig + "\n", errc::jwt_invalid_base64, 68, "a trailing newline");
  expect_error(" " + header + ".e30." + sig, errc::jwt_invalid_base64, 0, "a leading space");
  expect_error(header + ".e3 0." + sig, errc::jwt_invalid_base64, 23, "a space inside");
  expect_error(header + ".e30." + sig.substr(0, 41), errc::jwt_invalid_base64, 25 + 40, "5 mod 4 characters");
  expect_error(header + ".e30.A", errc::jwt_invalid_base64, 25, "one character");
  expect_error(std::string("eyJhbGciOiJIUzI1NiJ9\0.e30.", 26) + sig, errc::jwt_invalid_base64, 20, "a NUL");
}

BOOST_AUTO_TEST_CASE(size_cap_is_checked_first) {
  // A token of exactly 8192 bytes parses; 8193 bytes fail before anything is read.
  const std::string header = "eyJhbGciOiJIUzI1NiJ9";
  const std::size_t payload_chars = 8192 - header.size() - 2 - some_signature.size();  // 8127: 6095 bytes
  const std::string payload = "{\"x\":\"" + std::string(payload_chars * 3 / 4 - 8, 'a') + "\"}";
  const std::string largest = header + "." + b64(payload) + "." + some_signature;
  BOOST_TEST_REQUIRE(largest.size() == 8192u);
  jwt::token_buffer buffer;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const auto parsed = jwt::parse_jws(largest, buffer);
  keyward_test::counting = false;
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST((parsed->payload == payload));
  BOOST_TEST(keyward_test::allocations == 0u);
  expect_error(std::string(8193, '!'), errc::jwt_too_large, none, "8193 bytes of anything");
  expect_error(largest + "A", errc::jwt_too_large, none, "8193 bytes");
  jwt::jws_options small;
  small.max_size = 67;
  expect_error(make_token(R"({"alg":"HS256"})"), errc::jwt_too_large, none, "68 bytes over a cap of 67", small);
  small.max_size = 68;
  BOOST_TEST(jwt::parse_jws(make_token(R"({"alg":"HS256"})"), buffer, small).has_value());
}

BOOST_AUTO_TEST_CASE(larger_tokens_spill_to_the_heap_once) {
  jwt::jws_options large;
  large.max_size = 1 << 20;
  const std::string payload = "{\"x\":\"" + std::string(300000, 'b') + "\"}";
  const std::string big = make_token(R"({"alg":"HS512","kid":"big"})", payload);
  const std::string small = make_token(R"({"alg":"HS256","kid":"small"})");
  jwt::token_buffer buffer;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool first = jwt::parse_jws(big, buffer, large).has_value();
  const std::size_t after_first = keyward_test::allocations;
  {
    const auto again = jwt::parse_jws(big, buffer, large);
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST((again->payload == payload));  // not printed when it fails: 300 kB
    BOOST_TEST(again->kid == "big");
  }
  const auto small_result = jwt::parse_jws(small, buffer, large);
  keyward_test::counting = false;
  BOOST_TEST(first);
  BOOST_TEST(after_first == 1u);
  BOOST_TEST(keyward_test::allocations == 1u);  // the heap block is kept for later tokens
  BOOST_TEST_REQUIRE(small_result.has_value());
  BOOST_TEST(small_result->kid == "small");
  BOOST_TEST(small_result->payload == "{}");
  expect_error(big, errc::jwt_too_large, none, "the default cap");
}

BOOST_AUTO_TEST_CASE(typical_tokens_allocate_nothing) {
  const std::string token = make_token(R"({"alg":"HS256","typ":"JWT","kid":"k\u0031"})",
                                       R"({"iss":"https://issuer.example","sub":"user-123","aud":["api","web"],)"
                                       R"("exp":1767225600,"nbf":1767222000,"iat":1767222000,"jti":"abc"})");
  jwt::token_buffer buffer;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const auto parsed = jwt::parse_jws(token, buffer);
  keyward_test::counting = false;
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->kid == "k1");
  BOOST_TEST(keyward_test::allocations == 0u);
}

BOOST_AUTO_TEST_CASE(buffer_reuse_and_spare_room) {
  jwt::token_buffer buffer;
  BOOST_TEST(buffer.available() == jwt::token_buffer::inline_capacity);
  const std::string a = make_token(R"({"alg":"HS256","kid":"\u0061a"})", R"({"n":1})");
  const std::string b = make_token(R"({"alg":"HS384","kid":"bb"})", R"({"n":2})");
  const auto first = jwt::parse_jws(a, buffer);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->kid == "aa");
  // The room left holds every string of the header and the payload unescaped.
  const std::size_t room = buffer.available();
  BOOST_TEST(room >= first->header.raw().size() + first->payload.size());
  BOOST_TEST(buffer.reserve(room + 1) == nullptr);
  BOOST_TEST(buffer.available() == room);
  BOOST_TEST(buffer.reserve(room) != nullptr);
  BOOST_TEST(buffer.available() == 0u);
  BOOST_TEST(buffer.reserve(0) != nullptr);
  const auto second = jwt::parse_jws(b, buffer);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST((second->alg == algorithm::hs384));
  BOOST_TEST(second->kid == "bb");
  BOOST_TEST(second->payload == R"({"n":2})");
}

BOOST_AUTO_TEST_CASE(json_error_offsets_point_into_the_header_segment) {
  // A syntax error in the decoded header (a trailing comma at byte 15, the '}') is reported at the first
  // base64url character carrying that byte: 15 / 3 * 4 + 15 % 3 = 20, the first character of the 6th group.
  const std::string token = make_token(R"({"alg":"HS256",})");
  jwt::token_buffer buffer;
  const auto parsed = jwt::parse_jws(token, buffer);
  BOOST_TEST_REQUIRE(!parsed.has_value());
  BOOST_TEST(parsed.error().code() == errc::jwt_json_syntax);
  BOOST_TEST(parsed.error().offset() == 20u);
  // Byte 16 (the second byte of a group) is carried from character 21 on, byte 17 from character 22.
  expect_error(make_token(R"({"alg":"HS256" ,})"), errc::jwt_json_syntax, 21, "error at byte 16");
  expect_error(make_token(R"({"alg":"HS256"  ,})"), errc::jwt_json_syntax, 22, "error at byte 17");
}
