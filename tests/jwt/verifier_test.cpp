// jwt/verifier.hpp: RFC 7515 appendix A.1 at a pinned time, keys bound to one algorithm (RFC 8725 section
// 3.1), kid rotation, a table of hostile tokens (RFC 8725 and the known attack classes) each with its exact
// error, the asymmetric Backend contract (exact lengths, ES R and S ranges), the denials of authenticate()
// (RFC 6750 section 3), no allocation on the verify path, and PyJWT (python3-jwt) both ways at test time.
#define BOOST_TEST_MODULE jwt_verifier
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/jwt/sign.hpp>
#include <keyward/jwt/verifier.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace jwt = keyward::jwt;
using keyward::errc;
using keyward_test::from_hex;

namespace {

jwt::sys_seconds at(std::int64_t seconds) { return jwt::sys_seconds(std::chrono::seconds(seconds)); }

std::string b64url(std::string_view bytes) { return keyward::base64::encode(bytes, keyward::base64::url); }

std::string hmac_of(jwt::algorithm alg, std::string_view secret, std::string_view input) {
  namespace crypto = keyward::crypto;
  if (alg == jwt::algorithm::hs384) {
    const auto tag = crypto::hmac_sha384::compute(secret, input);
    return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
  }
  if (alg == jwt::algorithm::hs512) {
    const auto tag = crypto::hmac_sha512::compute(secret, input);
    return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
  }
  const auto tag = crypto::hmac_sha256::compute(secret, input);
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

// A compact JWS of the exact header and payload texts, MACed with `secret` under `alg`.
std::string hs_token(std::string_view header, std::string_view payload, std::string_view secret,
                     jwt::algorithm alg = jwt::algorithm::hs256) {
  const std::string input = b64url(header) + "." + b64url(payload);
  return input + "." + b64url(hmac_of(alg, secret, input));
}

// A compact JWS of the exact header and payload texts with the raw signature bytes `signature`.
std::string raw_token(std::string_view header, std::string_view payload, std::string_view signature) {
  return b64url(header) + "." + b64url(payload) + "." + b64url(signature);
}

const std::string secret256(32, 'A');  // HS256 "hs"
const std::string secret512 = std::string(32, 'B') + std::string(32, 'C');  // HS512 "hs512"
constexpr std::int64_t now_s = 1700000000;
const std::string claims_ok = R"({"sub":"user-1","exp":1700003600})";

// A PEM public key, as the HS/RS confusion attack uses it for the HMAC secret (RFC 8725 section 2.1).
const std::string pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n"
    "+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh\n"
    "kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ\n"
    "0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg\n"
    "cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc\n"
    "mwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// A Backend for the tests: RS256 keys of 256-byte signatures that verify when every byte is 0x01, ES256 keys
// whose signatures always verify (so that only the verifier's range check can refuse them); counts calls.
struct fake_backend {
  std::size_t rsa_size = 256;
  std::size_t* calls = nullptr;
  std::size_t signature_size(const jwt::key& k) const {
    if (k.kid() == "unknown") return 0;
    switch (k.alg()) {
      case jwt::algorithm::es256: return 64;
      case jwt::algorithm::es384: return 96;
      case jwt::algorithm::es512: return 132;
      case jwt::algorithm::eddsa: return 64;
      default: return rsa_size;
    }
  }
  bool verify(const jwt::key& k, std::string_view signing_input, std::string_view signature) const {
    if (calls != nullptr) ++*calls;
    if (signing_input.find('.') == std::string_view::npos) return false;
    if (k.alg() == jwt::algorithm::es256 || k.alg() == jwt::algorithm::es384 || k.alg() == jwt::algorithm::es512) {
      return signature.size() == signature_size(k);
    }
    return signature.find_first_not_of('\x01') == std::string_view::npos;
  }
};

jwt::verifier<fake_backend> standard_verifier(std::size_t* calls = nullptr) {
  std::vector<jwt::key> keys;
  keys.push_back(*jwt::key::hmac(jwt::algorithm::hs256, secret256, "hs"));
  keys.push_back(*jwt::key::hmac(jwt::algorithm::hs512, secret512, "hs512"));
  keys.push_back(*jwt::key::asymmetric(jwt::algorithm::rs256, "rsa"));
  keys.push_back(*jwt::key::asymmetric(jwt::algorithm::es256, "ec"));
  fake_backend backend;
  backend.calls = calls;
  auto made = jwt::verifier<fake_backend>::make(std::move(keys), {}, backend);
  BOOST_TEST_REQUIRE(made.has_value());
  return std::move(*made);
}

}  // namespace

BOOST_AUTO_TEST_CASE(rfc7515_a1_at_a_pinned_time) {
  // RFC 7515 appendix A.1: the header and payload hold CR LF; the MAC is over the received ASCII.
  const std::string vector = keyward_test::read_vector_file("jwt/rfc7515_A1_hs256.json");
  const auto field = [&](const std::string& name) {
    const std::size_t start = vector.find("\"" + name + "\": \"") + name.size() + 5;
    return vector.substr(start, vector.find('"', start) - start);
  };
  const std::string token = field("jws_compact");
  const std::string key = from_hex(field("key_hex"));
  BOOST_TEST_REQUIRE(token.size() > 100u);
  BOOST_TEST_REQUIRE(key.size() == 64u);
  jwt::verifier_options options;
  options.claims.issuer = "joe";
  options.claims.type = "JWT";
  auto verify = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, key)}, options);
  BOOST_TEST_REQUIRE(verify.has_value());
  constexpr std::int64_t exp = 1300819380;  // 2011-03-22T18:43:00Z
  jwt::token_buffer buffer;
  for (const std::int64_t when : {exp - 86400, exp - 1, exp, exp + 59}) {
    const auto verified = verify->verify(token, at(when), buffer);
    BOOST_TEST_REQUIRE(verified.has_value(), when);
    BOOST_TEST(verified->claims().issuer() == "joe");
    BOOST_TEST(verified->claims().expires_at()->time_since_epoch().count() == exp);
    BOOST_TEST(*verified->claims().find("http://example.com/is_root")->boolean() == true);
    BOOST_TEST(verified->jws().typ == "JWT");
    BOOST_TEST((verified->jws().alg == jwt::algorithm::hs256));
    BOOST_TEST(std::string(verified->jws().signature) == from_hex(field("signature_hex")));
  }
  BOOST_TEST(verify->verify(token, at(exp + 60), buffer).error() == errc::jwt_expired);
  BOOST_TEST(verify->verify(token, std::chrono::system_clock::now(), buffer).error() == errc::jwt_expired);
  // One character of the signature changed.
  std::string forged = token;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'X' ? 'Y' : 'X';
  BOOST_TEST(verify->verify(forged, at(exp - 1), buffer).error() == errc::jwt_invalid_signature);
}

BOOST_AUTO_TEST_CASE(keys_are_bound_to_one_algorithm) {
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::rs256, secret256).error() == errc::jwt_invalid_options);
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::eddsa, secret512).error() == errc::jwt_invalid_options);
  BOOST_TEST(jwt::key::asymmetric(jwt::algorithm::hs256).error() == errc::jwt_invalid_options);
  // RFC 7518 section 3.2: a key of the same size as the hash output or larger.
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs256, std::string(31, 'k')).error() == errc::jwt_key_too_short);
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs256, std::string(32, 'k')).has_value());
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs384, std::string(47, 'k')).error() == errc::jwt_key_too_short);
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs384, std::string(48, 'k')).has_value());
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs512, std::string(63, 'k')).error() == errc::jwt_key_too_short);
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs512, std::string(64, 'k')).has_value());
  BOOST_TEST(jwt::key::hmac(jwt::algorithm::hs256, "").error() == errc::jwt_key_too_short);
  const auto k = jwt::key::hmac(jwt::algorithm::hs384, std::string(48, 'k'), "kid-1");
  BOOST_TEST((k->alg() == jwt::algorithm::hs384));
  BOOST_TEST(k->kid() == "kid-1");
  BOOST_TEST(k->signature_size() == 48u);
  BOOST_TEST(jwt::key::asymmetric(jwt::algorithm::ps256, "p")->signature_size() == 0u);
}

BOOST_AUTO_TEST_CASE(make_refuses_what_cannot_work) {
  const auto hs = [](std::string_view kid) { return *jwt::key::hmac(jwt::algorithm::hs256, secret256, kid); };
  const auto asym = [](jwt::algorithm alg, std::string_view kid) { return *jwt::key::asymmetric(alg, kid); };
  BOOST_TEST(jwt::verifier<>::make({}).error() == errc::jwt_invalid_options);
  BOOST_TEST(jwt::verifier<>::make({hs("a"), hs("b"), hs("a")}).error() == keyward::error(errc::jwt_invalid_options, 2));
  BOOST_TEST(jwt::verifier<>::make({hs(""), hs(""), hs("a")}).has_value());  // rotation without kids
  BOOST_TEST(jwt::verifier<>::make({hs("a"), asym(jwt::algorithm::rs256, "r")}).error() ==
             keyward::error(errc::jwt_invalid_options, 1));
  jwt::verifier_options bad;
  bad.claims.leeway = std::chrono::seconds(-1);
  BOOST_TEST(jwt::verifier<>::make({hs("a")}, bad).error() == errc::jwt_invalid_options);
  bad.claims.leeway = std::chrono::minutes(10);
  BOOST_TEST(jwt::verifier<>::make({hs("a")}, bad).error() == errc::jwt_invalid_options);

  using fake = jwt::verifier<fake_backend>;
  BOOST_TEST(fake::make({asym(jwt::algorithm::rs256, "r"), asym(jwt::algorithm::es256, "e")}).has_value());
  BOOST_TEST(fake::make({asym(jwt::algorithm::rs256, ""), asym(jwt::algorithm::rs256, "")}).error() ==
             keyward::error(errc::jwt_invalid_options, 1));
  BOOST_TEST(fake::make({asym(jwt::algorithm::rs256, ""), asym(jwt::algorithm::ps256, "")}).has_value());
  BOOST_TEST(fake::make({asym(jwt::algorithm::rs256, "unknown")}).error() == errc::jwt_invalid_options);
  fake_backend wrong_curve;
  wrong_curve.rsa_size = 64;
  BOOST_TEST(fake::make({asym(jwt::algorithm::rs256, "e")}, {}, wrong_curve).error() == errc::jwt_invalid_options);
  BOOST_TEST(fake::make({asym(jwt::algorithm::eddsa, "e")}).has_value());
  for (const std::size_t size : {0u, 128u, 255u, 1025u}) {
    fake_backend small;
    small.rsa_size = size;
    BOOST_TEST(fake::make({asym(jwt::algorithm::ps384, "p")}, {}, small).error() == errc::jwt_invalid_options, size);
  }
  for (const std::size_t size : {256u, 384u, 512u, 1024u}) {
    fake_backend rsa;
    rsa.rsa_size = size;
    const auto made = fake::make({asym(jwt::algorithm::rs512, "p")}, {}, rsa);
    BOOST_TEST_REQUIRE(made.has_value(), size);
    BOOST_TEST(made->keys()[0].signature_size() == size);
    BOOST_TEST(made->options().claims.leeway.count() == 60);
  }
}

BOOST_AUTO_TEST_CASE(kid_rotation_and_several_keys) {
  const std::string old_secret(32, 'o'), new_secret(32, 'n'), other(48, 'x');
  auto verify = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, old_secret, "2024"),
                                       *jwt::key::hmac(jwt::algorithm::hs256, new_secret, "2025"),
                                       *jwt::key::hmac(jwt::algorithm::hs384, other)});
  BOOST_TEST_REQUIRE(verify.has_value());
  jwt::token_buffer buffer;
  const auto check = [&](const std::string& token) {
    const auto r = verify->verify(token, at(now_s), buffer);
    return r ? errc{} : r.error().code();
  };
  BOOST_TEST(check(hs_token(R"({"alg":"HS256","kid":"2024"})", claims_ok, old_secret)) == errc{});
  BOOST_TEST(check(hs_token(R"({"alg":"HS256","kid":"2025"})", claims_ok, new_secret)) == errc{});
  // The kid selects one key: the other key's MAC does not verify under it.
  BOOST_TEST(check(hs_token(R"({"alg":"HS256","kid":"2024"})", claims_ok, new_secret)) == errc::jwt_invalid_signature);
  BOOST_TEST(check(hs_token(R"({"alg":"HS256","kid":"2026"})", claims_ok, new_secret)) == errc::jwt_unknown_key);
  // Without a kid, every key bound to the alg is tried.
  BOOST_TEST(check(hs_token(R"({"alg":"HS256"})", claims_ok, old_secret)) == errc{});
  BOOST_TEST(check(hs_token(R"({"alg":"HS256"})", claims_ok, new_secret)) == errc{});
  BOOST_TEST(check(hs_token(R"({"alg":"HS256"})", claims_ok, std::string(32, 'z'))) == errc::jwt_invalid_signature);
  BOOST_TEST(check(hs_token(R"({"alg":"HS384"})", claims_ok, other, jwt::algorithm::hs384)) == errc{});
  BOOST_TEST(check(hs_token(R"({"alg":"HS512"})", claims_ok, std::string(64, 'o'), jwt::algorithm::hs512)) ==
             errc::jwt_algorithm_not_allowed);
  // The kid is compared decoded: "\u0032024" is "2024".
  BOOST_TEST(check(hs_token(R"({"alg":"HS256","kid":"\u0032024"})", claims_ok, old_secret)) == errc{});
  const auto verified = verify->verify(hs_token(R"({"alg":"HS256","kid":"2025"})", claims_ok, new_secret), at(now_s), buffer);
  BOOST_TEST(verified->jws().kid == "2025");
  BOOST_TEST(verified->claims().subject() == "user-1");
}

BOOST_AUTO_TEST_CASE(hostile_tokens) {
  std::size_t backend_calls = 0;
  const auto verify = standard_verifier(&backend_calls);
  const std::string hs = R"({"alg":"HS256","kid":"hs"})";
  const std::string sig256 = hmac_of(jwt::algorithm::hs256, secret256, b64url(hs) + "." + b64url(claims_ok));
  const std::string good = hs_token(hs, claims_ok, secret256);
  const std::string good_segments[3] = {good.substr(0, good.find('.')),
                                        good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1),
                                        good.substr(good.rfind('.') + 1)};
  std::string flipped_sig = sig256;
  flipped_sig[7] = static_cast<char>(flipped_sig[7] ^ 0x20);
  std::string deep_header = R"({"alg":"HS256","x":)";
  for (int i = 0; i < 30; ++i) deep_header += "[";
  for (int i = 0; i < 30; ++i) deep_header += "]";
  deep_header += "}";
  std::string deep_claims = R"({"exp":1700003600,"x":)";
  for (int i = 0; i < 17; ++i) deep_claims += R"({"a":)";
  deep_claims += "1";
  for (int i = 0; i < 17; ++i) deep_claims += "}";
  deep_claims += "}";
  // The last character of a 32-byte signature carries 2 unused bits: set one (non-canonical).
  std::string non_canonical = good;
  {
    const char last = non_canonical.back();
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    non_canonical.back() = alphabet[alphabet.find(last) | 1];
  }
  std::string standard_alphabet = b64url(hs) + "." + b64url(claims_ok) + "." +
                                  keyward::base64::encode(std::string(32, '\xfb'), {keyward::base64::alphabet::standard,
                                                                                   keyward::base64::padding::forbidden});
  const std::string es_header = R"({"alg":"ES256","kid":"ec"})";
  const std::string order = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const std::string order_less_1 = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
  const std::string zero32(32, '\0'), one32 = std::string(31, '\0') + "\x01";

  struct row {
    const char* what;
    std::string token;
    errc code;
  };
  const std::vector<row> rows = {
      {"control: a good token", good, errc{}},
      // alg none (RFC 8725 section 2.1), in every casing, with and without a signature.
      {"alg none, empty signature", raw_token(R"({"alg":"none"})", claims_ok, ""), errc::jwt_algorithm_none},
      {"alg None", raw_token(R"({"alg":"None"})", claims_ok, ""), errc::jwt_algorithm_none},
      {"alg NONE", raw_token(R"({"alg":"NONE"})", claims_ok, ""), errc::jwt_algorithm_none},
      {"alg nOnE", raw_token(R"({"alg":"nOnE"})", claims_ok, ""), errc::jwt_algorithm_none},
      {"alg none with the good MAC", raw_token(R"({"alg":"none","kid":"hs"})", claims_ok, sig256), errc::jwt_algorithm_none},
      {"alg none escaped", raw_token(R"({"alg":"\u006eone"})", claims_ok, ""), errc::jwt_algorithm_none},
      {"no alg", raw_token(R"({"kid":"hs"})", claims_ok, sig256), errc::jwt_missing_algorithm},
      {"alg null", raw_token(R"({"alg":null})", claims_ok, sig256), errc::jwt_missing_algorithm},
      {"alg a number", raw_token(R"({"alg":256})", claims_ok, sig256), errc::jwt_missing_algorithm},
      {"alg in lower case", hs_token(R"({"alg":"hs256","kid":"hs"})", claims_ok, secret256), errc::jwt_unknown_algorithm},
      {"alg with a space", hs_token(R"({"alg":"HS256 ","kid":"hs"})", claims_ok, secret256), errc::jwt_unknown_algorithm},
      {"alg unknown", hs_token(R"({"alg":"HS1"})", claims_ok, secret256), errc::jwt_unknown_algorithm},
      // Algorithm confusion: HS256 MACed with the PEM of the RSA key (RFC 8725 section 2.1).
      {"HS/RS confusion, kid of the RSA key", hs_token(R"({"alg":"HS256","kid":"rsa"})", claims_ok, pem),
       errc::jwt_algorithm_not_allowed},
      {"HS/RS confusion, no kid", hs_token(R"({"alg":"HS256"})", claims_ok, pem), errc::jwt_invalid_signature},
      {"RS256 claimed for the HMAC key", raw_token(R"({"alg":"RS256","kid":"hs"})", claims_ok, std::string(256, '\x01')),
       errc::jwt_algorithm_not_allowed},
      {"HS512 claimed for the HS256 key", hs_token(R"({"alg":"HS512","kid":"hs"})", claims_ok, secret256, jwt::algorithm::hs512),
       errc::jwt_algorithm_not_allowed},
      {"HS256 claimed for the HS512 key", hs_token(R"({"alg":"HS256","kid":"hs512"})", claims_ok, secret512),
       errc::jwt_algorithm_not_allowed},
      {"an algorithm no key has", hs_token(R"({"alg":"HS384"})", claims_ok, std::string(48, 'A'), jwt::algorithm::hs384),
       errc::jwt_algorithm_not_allowed},
      {"EdDSA for the HMAC key", raw_token(R"({"alg":"EdDSA","kid":"hs"})", claims_ok, std::string(64, '\x01')),
       errc::jwt_algorithm_not_allowed},
      // kid games.
      {"unknown kid", hs_token(R"({"alg":"HS256","kid":"other"})", claims_ok, secret256), errc::jwt_unknown_key},
      {"kid path traversal", hs_token(R"({"alg":"HS256","kid":"../../../../dev/null"})", claims_ok, ""), errc::jwt_unknown_key},
      {"kid SQL injection", hs_token(R"({"alg":"HS256","kid":"x' UNION SELECT 'AAAA"})", claims_ok, "AAAA"), errc::jwt_unknown_key},
      {"kid with a NUL after a real kid", hs_token(R"({"alg":"HS256","kid":"hs\u0000"})", claims_ok, secret256), errc::jwt_unknown_key},
      {"kid a number", hs_token(R"({"alg":"HS256","kid":1})", claims_ok, secret256), errc::jwt_invalid_header},
      {"embedded jwk ignored", hs_token(R"({"alg":"HS256","kid":"hs","jwk":{"kty":"oct","k":"QUFB"}})", claims_ok, "AAA"),
       errc::jwt_invalid_signature},
      {"jku ignored", hs_token(R"({"alg":"HS256","jku":"https://evil.example/jwks"})", claims_ok, std::string(32, 'e')),
       errc::jwt_invalid_signature},
      // Signatures.
      {"empty signature", raw_token(hs, claims_ok, ""), errc::jwt_invalid_signature_length},
      {"truncated signature", raw_token(hs, claims_ok, sig256.substr(0, 31)), errc::jwt_invalid_signature_length},
      {"16-byte truncated MAC", raw_token(hs, claims_ok, sig256.substr(0, 16)), errc::jwt_invalid_signature_length},
      {"signature one byte long", raw_token(hs, claims_ok, sig256 + "x"), errc::jwt_invalid_signature_length},
      {"one bit flipped", raw_token(hs, claims_ok, flipped_sig), errc::jwt_invalid_signature},
      {"MAC over the decoded parts", raw_token(hs, claims_ok, hmac_of(jwt::algorithm::hs256, secret256, hs + "." + claims_ok)),
       errc::jwt_invalid_signature},
      {"MAC with an empty key", hs_token(hs, claims_ok, ""), errc::jwt_invalid_signature},
      {"payload swapped under a good MAC", good_segments[0] + "." + b64url(R"({"sub":"admin","exp":1700003600})") + "." + good_segments[2],
       errc::jwt_invalid_signature},
      // Base64url (RFC 7515 section 2): unpadded, canonical, url alphabet only.
      {"padded signature", good + "=", errc::jwt_invalid_base64},
      {"padded header", b64url(R"({"alg":"HS256","kid":"hs"} )") + "==." + good_segments[1] + "." + good_segments[2],
       errc::jwt_invalid_base64},
      {"non-canonical last character", non_canonical, errc::jwt_invalid_base64},
      {"'+' and '/' alphabet", standard_alphabet, errc::jwt_invalid_base64},
      {"space inside", good.substr(0, 10) + " " + good.substr(10), errc::jwt_invalid_base64},
      {"leading space", " " + good, errc::jwt_invalid_base64},
      {"trailing newline", good + "\n", errc::jwt_invalid_base64},
      {"a NUL inside", good.substr(0, 10) + std::string(1, '\0') + good.substr(10), errc::jwt_invalid_base64},
      // Segments (RFC 7515 section 7.1, RFC 7516 section 7.1).
      {"trailing dot", good + ".", errc::jwt_malformed},
      {"two segments", good_segments[0] + "." + good_segments[1], errc::jwt_malformed},
      {"one segment", good_segments[0], errc::jwt_malformed},
      {"empty token", "", errc::jwt_malformed},
      {"only dots", "..", errc::jwt_json_syntax},
      {"five segments (JWE)", good + ".a.b", errc::jwt_encrypted},
      {"six segments", good + ".a.b.c", errc::jwt_malformed},
      {"huge token", hs_token(hs, R"({"exp":1700003600,"pad":")" + std::string(8200, 'p') + "\"}", secret256),
       errc::jwt_too_large},
      // JSON (RFC 8259, RFC 7515 section 4, RFC 7519 section 4).
      {"duplicate alg in the header", hs_token(R"({"alg":"HS256","alg":"none","kid":"hs"})", claims_ok, secret256),
       errc::jwt_json_duplicate_member},
      {"duplicate kid, escaped", hs_token(R"({"alg":"HS256","kid":"hs","\u006bid":"hs512"})", claims_ok, secret256),
       errc::jwt_json_duplicate_member},
      {"duplicate exp in the claims", hs_token(hs, R"({"exp":1,"sub":"x","exp":1700003600})", secret256),
       errc::jwt_json_duplicate_member},
      {"duplicate sub, escaped", hs_token(hs, R"({"sub":"a","exp":1700003600,"s\u0075b":"admin"})", secret256),
       errc::jwt_json_duplicate_member},
      {"deep header", hs_token(deep_header, claims_ok, secret256), errc::jwt_json_too_deep},
      {"deep claims", hs_token(hs, deep_claims, secret256), errc::jwt_json_too_deep},
      {"header an array", hs_token(R"([{"alg":"HS256"}])", claims_ok, secret256), errc::jwt_json_not_object},
      {"header not JSON", hs_token(R"({alg:HS256})", claims_ok, secret256), errc::jwt_json_syntax},
      {"header with a BOM", hs_token("\xEF\xBB\xBF{\"alg\":\"HS256\",\"kid\":\"hs\"}", claims_ok, secret256), errc::jwt_json_syntax},
      {"header bad UTF-8", hs_token("{\"alg\":\"HS256\",\"kid\":\"hs\",\"x\":\"\xC0\xAF\"}", claims_ok, secret256),
       errc::jwt_json_invalid_utf8},
      {"claims not JSON", hs_token(hs, R"({"exp":1700003600,})", secret256), errc::jwt_json_syntax},
      {"claims an array", hs_token(hs, "[]", secret256), errc::jwt_json_not_object},
      {"claims empty", hs_token(hs, "", secret256), errc::jwt_json_syntax},
      {"claims with NaN", hs_token(hs, R"({"exp":NaN})", secret256), errc::jwt_json_syntax},
      {"claims with a lone surrogate", hs_token(hs, R"({"exp":1700003600,"sub":"\udc00"})", secret256), errc::jwt_json_syntax},
      {"nested JWT (cty JWT)", hs_token(R"({"alg":"HS256","kid":"hs","cty":"JWT"})", good, secret256), errc::jwt_json_syntax},
      // crit (RFC 7515 section 4.1.11).
      {"crit empty", hs_token(R"({"alg":"HS256","kid":"hs","crit":[]})", claims_ok, secret256), errc::jwt_invalid_crit},
      {"crit a string", hs_token(R"({"alg":"HS256","kid":"hs","crit":"exp","exp":1})", claims_ok, secret256), errc::jwt_invalid_crit},
      {"crit lists alg", hs_token(R"({"alg":"HS256","kid":"hs","crit":["alg"]})", claims_ok, secret256), errc::jwt_invalid_crit},
      {"crit lists an absent name", hs_token(R"({"alg":"HS256","kid":"hs","crit":["x"]})", claims_ok, secret256), errc::jwt_invalid_crit},
      {"crit unknown extension", hs_token(R"({"alg":"HS256","kid":"hs","crit":["x"],"x":1})", claims_ok, secret256),
       errc::jwt_unsupported_crit},
      {"crit b64 (RFC 7797)", hs_token(R"({"alg":"HS256","kid":"hs","crit":["b64"],"b64":false})", claims_ok, secret256),
       errc::jwt_unsupported_crit},
      {"b64 false without crit", hs_token(R"({"alg":"HS256","kid":"hs","b64":false})", claims_ok, secret256), errc::jwt_invalid_header},
      // Claims under a good MAC.
      {"exp a string", hs_token(hs, R"({"exp":"1700003600"})", secret256), errc::jwt_invalid_numeric_date},
      {"exp true", hs_token(hs, R"({"exp":true})", secret256), errc::jwt_invalid_numeric_date},
      {"exp 1e400", hs_token(hs, R"({"exp":1e400})", secret256), errc::jwt_invalid_numeric_date},
      {"exp missing", hs_token(hs, R"({"sub":"x"})", secret256), errc::jwt_missing_claim},
      {"expired", hs_token(hs, R"({"exp":1699999940})", secret256), errc::jwt_expired},
      {"not yet valid", hs_token(hs, R"({"exp":1700003600,"nbf":1700000061})", secret256), errc::jwt_not_yet_valid},
      {"issued in the future", hs_token(hs, R"({"exp":1700003600,"iat":1700000061})", secret256), errc::jwt_issued_in_future},
      {"aud not asked for", hs_token(hs, R"({"exp":1700003600,"aud":"api"})", secret256), errc::jwt_wrong_audience},
      {"iss a number", hs_token(hs, R"({"exp":1700003600,"iss":7})", secret256), errc::jwt_invalid_claim},
      // ES256 R || S out of range never reaches the backend (RFC 7518 section 3.4).
      {"ES256 R = 0", raw_token(es_header, claims_ok, zero32 + one32), errc::jwt_invalid_signature},
      {"ES256 S = 0", raw_token(es_header, claims_ok, one32 + zero32), errc::jwt_invalid_signature},
      {"ES256 R = n", raw_token(es_header, claims_ok, order + one32), errc::jwt_invalid_signature},
      {"ES256 S = n", raw_token(es_header, claims_ok, one32 + order), errc::jwt_invalid_signature},
      {"ES256 S = 2^256 - 1", raw_token(es_header, claims_ok, one32 + std::string(32, '\xff')), errc::jwt_invalid_signature},
      {"ES256 DER signature", raw_token(es_header, claims_ok, "\x30\x44\x02\x20" + one32 + "\x02\x20" + one32),
       errc::jwt_invalid_signature_length},
      {"ES256 R = S = n - 1 (backend says yes)", raw_token(es_header, claims_ok, order_less_1 + order_less_1), errc{}},
      {"RS256 wrong size", raw_token(R"({"alg":"RS256","kid":"rsa"})", claims_ok, std::string(255, '\x01')),
       errc::jwt_invalid_signature_length},
      {"RS256 rejected by the backend", raw_token(R"({"alg":"RS256","kid":"rsa"})", claims_ok, std::string(256, '\x02')),
       errc::jwt_invalid_signature},
  };
  BOOST_TEST(rows.size() >= 40u);
  jwt::token_buffer buffer;
  for (const row& r : rows) {
    const std::size_t calls_before = backend_calls;
    const auto verified = verify.verify(r.token, at(now_s), buffer);
    BOOST_TEST((verified ? errc{} : verified.error().code()) == r.code, r.what);
    const bool backend_may_run = r.code == errc{} ? r.token.find(good) != 0 : r.code == errc::jwt_invalid_signature;
    if (!backend_may_run) BOOST_TEST(backend_calls == calls_before, r.what);
  }
  BOOST_TEST(backend_calls == 2u);  // "R = S = n - 1" and "rejected by the backend"

  // The classic HS/RS confusion (RFC 8725 section 2.1) against a verifier that holds only the RSA key: an
  // HS256 token MACed with the key's PEM finds no key bound to HS256, with or without the RSA key's kid.
  auto rsa_only = jwt::verifier<fake_backend>::make({*jwt::key::asymmetric(jwt::algorithm::rs256, "rsa")}, {},
                                                    fake_backend{256, &backend_calls});
  BOOST_TEST_REQUIRE(rsa_only.has_value());
  for (const char* header : {R"({"alg":"HS256","kid":"rsa"})", R"({"alg":"HS256"})", R"({"alg":"HS256","typ":"JWT"})"}) {
    BOOST_TEST(rsa_only->verify(hs_token(header, claims_ok, pem), at(now_s), buffer).error() ==
                   errc::jwt_algorithm_not_allowed, header);
  }
  BOOST_TEST(backend_calls == 2u);
}

BOOST_AUTO_TEST_CASE(ecdsa_scalars_are_range_checked_on_every_curve) {
  // RFC 7518 section 3.4: R || S, each as long as the order n. The orders, from `openssl ecparam -name <curve>
  // -param_enc explicit -text -noout` (OpenSSL 3.0.19; FIPS 186-4 appendix D.1.2): prime256v1, secp384r1,
  // secp521r1.
  struct curve {
    jwt::algorithm alg;
    const char* order_hex;
  };
  const curve curves[] = {
      {jwt::algorithm::es256, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"},
      {jwt::algorithm::es384,
       "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"},
      {jwt::algorithm::es512,
       "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8"
       "899c47aebb6fb71e91386409"},
  };
  for (const curve& c : curves) {
    std::size_t calls = 0;
    fake_backend backend;
    backend.calls = &calls;
    auto verify = jwt::verifier<fake_backend>::make({*jwt::key::asymmetric(c.alg, "ec")}, {}, backend);
    BOOST_TEST_REQUIRE(verify.has_value());
    const std::string n = from_hex(c.order_hex);
    const std::size_t size = n.size();
    BOOST_TEST_REQUIRE((size == 32u || size == 48u || size == 66u));
    // n - 1 and n + 1, big-endian (the orders end in no 0x00 or 0xFF byte).
    std::string below = n, above = n;
    below.back() = static_cast<char>(below.back() - 1);
    above.back() = static_cast<char>(above.back() + 1);
    const std::string zero(size, '\0'), one = std::string(size - 1, '\0') + "\x01", ones(size, '\xff');
    const std::string header = "{\"alg\":\"" + std::string(jwt::name(c.alg)) + "\",\"kid\":\"ec\"}";
    jwt::token_buffer buffer;
    const auto check = [&](const std::string& r, const std::string& s) {
      const auto verified = verify->verify(raw_token(header, claims_ok, r + s), at(now_s), buffer);
      return verified ? errc{} : verified.error().code();
    };
    BOOST_TEST(check(one, one) == errc{});
    BOOST_TEST(check(below, below) == errc{});
    BOOST_TEST(check(one, below) == errc{});
    BOOST_TEST(calls == 3u);
    const std::string* const out_of_range[] = {&zero, &n, &above, &ones};
    for (const std::string* bad : out_of_range) {
      BOOST_TEST(check(*bad, one) == errc::jwt_invalid_signature);
      BOOST_TEST(check(one, *bad) == errc::jwt_invalid_signature);
    }
    BOOST_TEST(calls == 3u);  // none of those reached the backend
    BOOST_TEST(verify->verify(raw_token(header, claims_ok, one + one + "\x01"), at(now_s), buffer).error() ==
               errc::jwt_invalid_signature_length);
  }
}

BOOST_AUTO_TEST_CASE(error_offsets_point_into_the_token) {
  const auto verify = standard_verifier();
  jwt::token_buffer buffer;
  const std::string hs = R"({"alg":"HS256","kid":"hs"})";
  // The claims error at decoded byte 7 of the payload ("exp" value) maps to base64url character 7 / 3 * 4 +
  // 7 % 3 = 9 of the payload segment (RFC 4648: 3 bytes per 4 characters).
  const std::string token = hs_token(hs, R"({"exp":"1"})", secret256);
  const auto failed = verify.verify(token, at(now_s), buffer);
  BOOST_TEST(failed.error() == keyward::error(errc::jwt_invalid_numeric_date, b64url(hs).size() + 1 + 9));
  // Signature errors point at the signature segment, after the second dot.
  const std::string good = hs_token(hs, claims_ok, secret256);
  const std::size_t signature_at = good.rfind('.') + 1;
  BOOST_TEST(verify.verify(good.substr(0, good.size() - 3), at(now_s), buffer).error() ==
             keyward::error(errc::jwt_invalid_signature_length, signature_at));
  std::string forged = good;
  forged[signature_at] = forged[signature_at] == 'A' ? 'B' : 'A';
  BOOST_TEST(verify.verify(forged, at(now_s), buffer).error() == keyward::error(errc::jwt_invalid_signature, signature_at));
  const std::string big = hs_token(hs, claims_ok, secret256) + std::string(9000, 'A');
  BOOST_TEST(verify.verify(big, at(now_s), buffer).error() == keyward::error(errc::jwt_too_large));
}

BOOST_AUTO_TEST_CASE(size_cap_and_typ) {
  jwt::verifier_options options;
  options.claims.type = "at+jwt";
  const std::string token = hs_token(R"({"alg":"HS256","typ":"at+JWT"})", claims_ok, secret256);
  options.jws.max_size = token.size();
  auto verify = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, secret256)}, options);
  jwt::token_buffer buffer;
  BOOST_TEST(verify->verify(token, at(now_s), buffer).has_value());
  options.jws.max_size = token.size() - 1;
  auto smaller = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, secret256)}, options);
  BOOST_TEST(smaller->verify(token, at(now_s), buffer).error() == errc::jwt_too_large);
  options.jws.max_size = 8192;
  verify = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, secret256)}, options);
  // RFC 8725 section 3.11: an ID token (typ JWT) or a token without typ is no access token.
  for (const char* header : {R"({"alg":"HS256","typ":"JWT"})", R"({"alg":"HS256"})", R"({"alg":"HS256","typ":"jwt+at"})"}) {
    BOOST_TEST(verify->verify(hs_token(header, claims_ok, secret256), at(now_s), buffer).error() == errc::jwt_wrong_type,
               header);
  }
  BOOST_TEST(verify->verify(hs_token(R"({"alg":"HS256","typ":"application/at+jwt"})", claims_ok, secret256), at(now_s),
                            buffer).has_value());
  // A bad signature is reported before the type: nothing of an unauthenticated token is judged.
  BOOST_TEST(verify->verify(hs_token(R"({"alg":"HS256","typ":"JWT"})", claims_ok, std::string(32, 'z')), at(now_s),
                            buffer).error() == errc::jwt_invalid_signature);
}

BOOST_AUTO_TEST_CASE(verify_a_parsed_token) {
  const auto verify = standard_verifier();
  jwt::token_buffer buffer;
  const std::string token = hs_token(R"({"alg":"HS256","kid":"hs"})", R"({"iss":"a\/b","exp":1700003600})", secret256);
  const auto parsed = jwt::parse_jws(token, buffer);
  BOOST_TEST_REQUIRE(parsed.has_value());
  const auto verified = verify.verify(*parsed, at(now_s), buffer);
  BOOST_TEST_REQUIRE(verified.has_value());
  BOOST_TEST(verified->claims().issuer() == "a/b");
  BOOST_TEST(verified->jws().signing_input == token.substr(0, token.rfind('.')));
}

BOOST_AUTO_TEST_CASE(denials) {
  jwt::verifier_options options;
  options.challenge = *keyward::http::challenge_options::make(keyward::http::challenge_scheme::bearer, "api");
  auto verify = jwt::verifier<>::make({*jwt::key::hmac(jwt::algorithm::hs256, secret256, "hs")}, options);
  BOOST_TEST_REQUIRE(verify.has_value());
  jwt::token_buffer buffer;
  const std::string good = hs_token(R"({"alg":"HS256","kid":"hs"})", claims_ok, secret256);
  const std::string expired = hs_token(R"({"alg":"HS256","kid":"hs"})", R"({"exp":1600000000})", secret256);
  const std::string forged = hs_token(R"({"alg":"HS256","kid":"hs"})", claims_ok, std::string(32, 'z'));

  const auto ok = verify->authenticate("Bearer " + good, at(now_s), buffer);
  BOOST_TEST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->claims().subject() == "user-1");
  BOOST_TEST(verify->authenticate("  bearer   " + good + " ", at(now_s), buffer).has_value());

  struct row {
    std::string field;
    int status;
    const char* challenge;
    errc cause;
  };
  const char* invalid = R"(Bearer realm="api", error="invalid_token", error_description="The access token is invalid")";
  const row rows[] = {
      {"", 401, R"(Bearer realm="api")", errc::http_empty_value},
      {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 401, R"(Bearer realm="api")", errc::http_wrong_scheme},
      {"Bearer", 400,
       R"(Bearer realm="api", error="invalid_request", error_description="The Authorization header is malformed")",
       errc::http_missing_token},
      {"Bearer " + good + " extra", 400,
       R"(Bearer realm="api", error="invalid_request", error_description="The Authorization header is malformed")",
       errc::http_unexpected_data},
      {"Bearer " + expired, 401,
       R"(Bearer realm="api", error="invalid_token", error_description="The access token expired")", errc::jwt_expired},
      {"Bearer " + forged, 401, invalid, errc::jwt_invalid_signature},
      {"Bearer " + good + ".x.y", 401, invalid, errc::jwt_encrypted},
      {"Bearer a.b.c", 401, invalid, errc::jwt_invalid_base64},
      {"Bearer e30.e30.e30", 401, invalid, errc::jwt_missing_algorithm},
      {"Bearer " + hs_token(R"({"alg":"none"})", claims_ok, ""), 401, invalid, errc::jwt_algorithm_none},
      {"Bearer " + hs_token(R"({"alg":"HS256","kid":"hs"})", R"({"exp":1700003600,"nbf":1800000000})", secret256), 401,
       invalid, errc::jwt_not_yet_valid},
  };
  for (const row& r : rows) {
    const auto denied = verify->authenticate(r.field, at(now_s), buffer);
    BOOST_TEST_REQUIRE(!denied.has_value(), r.field);
    BOOST_TEST(denied.error().status() == r.status, r.field);
    BOOST_TEST(*denied.error().challenge() == r.challenge, r.field);
    BOOST_TEST(denied.cause().code() == r.cause, r.field);
  }
  // The body in the errors_array shape ({"type":"client_error","errors":[...]}, what JWT APIs answer).
  const auto denied = verify->authenticate("Bearer " + forged, at(now_s), buffer);
  BOOST_TEST(denied.error().json(keyward::http::json_style::errors_array) ==
             R"({"type":"client_error","errors":[{"code":"invalid_token","detail":"The access token is invalid",)"
             R"("attr":null,"extra":null}]})");
  const auto late = verify->authenticate("Bearer " + expired, at(now_s), buffer);
  BOOST_TEST(late.error().json(keyward::http::json_style::errors_array) ==
             R"({"type":"client_error","errors":[{"code":"invalid_token","detail":"The access token expired",)"
             R"("attr":null,"extra":null}]})");
  BOOST_TEST((late.error().reason() == keyward::http::denial_reason::expired));
  // A token longer than the cap but within the field's slack is an invalid token, not a malformed field.
  const auto huge = verify->authenticate("Bearer " + good + std::string(8192 - good.size() + 1, 'A'), at(now_s), buffer);
  BOOST_TEST(huge.error().status() == 401);
  BOOST_TEST(huge.cause().code() == errc::jwt_too_large);
}

BOOST_AUTO_TEST_CASE(verify_allocates_nothing) {
  const auto verify = standard_verifier();
  jwt::token_buffer buffer;
  const std::vector<std::string> tokens = {
      hs_token(R"({"alg":"HS256","kid":"hs"})", R"({"iss":"https:\/\/a.example","sub":"caf\u00e9","exp":1700003600})", secret256),
      hs_token(R"({"alg":"HS512","kid":"hs512"})", claims_ok, secret512, jwt::algorithm::hs512),
      hs_token(R"({"alg":"HS256"})", claims_ok, std::string(32, 'z')),
      hs_token(R"({"alg":"HS256","kid":"hs"})", R"({"exp":1})", secret256),
      "x.y.z", "", "a.b.c.d.e"};
  const std::string field = "Bearer " + tokens[0];
  // Denials too: a forged token, a missing field, another scheme, a malformed field.
  const std::vector<std::string> denials = {"Bearer " + tokens[2], "", "Basic QQ==", "Bearer"};
  std::size_t accepted = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (const std::string& token : tokens) accepted += verify.verify(token, at(now_s), buffer).has_value() ? 1 : 0;
  accepted += verify.authenticate(field, at(now_s), buffer).has_value() ? 1 : 0;
  for (const std::string& denied : denials) accepted += verify.authenticate(denied, at(now_s), buffer).has_value() ? 1 : 0;
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  BOOST_TEST(accepted == 3u);
}

namespace {

// The Python that has PyJWT, run isolated: "python3" first, then the system's (a pyenv shim may come first on PATH, as on
// a developer's machine; on Debian CI both are /usr/bin/python3 with python3-jwt). PyJWT is a requirement of
// the test suite: without it the test fails, so that CI cannot pass with the interoperability unchecked.
std::string python_with_pyjwt() {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    // -I (isolated): neither the working directory nor the script's is put on sys.path, where this
    // repository's tests/jwt/ directory would pass for a `jwt` package.
    const std::string isolated = std::string(python) + " -I";
    const std::string probe = isolated + " -c 'import jwt.api_jwt' >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return isolated;
  }
  BOOST_FAIL("PyJWT cannot be imported by python3 nor by /usr/bin/python3: install python3-jwt "
             "(apt-get install python3-jwt)");
  return {};
}

std::string script() { return std::string(KEYWARD_TEST_VECTORS) + "/../jwt/pyjwt_interop.py"; }

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::string out;
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  BOOST_TEST_REQUIRE(pclose(pipe) == 0);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pyjwt_mints_keyward_verifies) {
  const std::string python = python_with_pyjwt();
  std::istringstream lines(run(python + " " + script() + " mint"));
  std::string line;
  std::size_t count = 0, accepted = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::int64_t now = 0;
    std::string alg_name, key_hex, kid, issuer, audience, verdict, token;
    fields >> now >> alg_name >> key_hex >> kid >> issuer >> audience >> verdict >> token;
    BOOST_TEST_REQUIRE(!token.empty(), line);
    const jwt::algorithm alg = *jwt::algorithm_from_name(alg_name);
    jwt::verifier_options options;
    if (issuer != "-") options.claims.issuer = issuer;
    if (audience != "-") options.claims.audiences = {audience};
    auto verify = jwt::verifier<>::make({*jwt::key::hmac(alg, from_hex(key_hex), kid == "-" ? "" : kid)}, options);
    BOOST_TEST_REQUIRE(verify.has_value());
    jwt::token_buffer buffer;
    const auto verified = verify->verify(token, at(now), buffer);
    const errc got = verified ? errc{} : verified.error().code();
    if (verdict == "ok") {
      BOOST_TEST(got == errc{}, line);
      ++accepted;
    } else if (verdict == "ExpiredSignatureError") {
      BOOST_TEST(got == errc::jwt_expired, line);
    } else if (verdict == "ImmatureSignatureError") {
      BOOST_TEST((got == errc::jwt_not_yet_valid || got == errc::jwt_issued_in_future), line);
    } else if (verdict == "InvalidIssuerError") {
      BOOST_TEST(got == errc::jwt_wrong_issuer, line);
    } else if (verdict == "InvalidAudienceError") {
      BOOST_TEST(got == errc::jwt_wrong_audience, line);
    } else if (verdict == "InvalidSignatureError") {
      BOOST_TEST(got == errc::jwt_invalid_signature, line);
    } else {
      BOOST_TEST(false, "unexpected PyJWT verdict: " + line);
    }
    ++count;
  }
  BOOST_TEST(count >= 39u);
  BOOST_TEST(accepted >= 24u);
}

BOOST_AUTO_TEST_CASE(keyward_mints_pyjwt_verifies) {
  const std::string python = python_with_pyjwt();
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string exp = std::to_string(now + 3600), iat = std::to_string(now);
  const std::vector<std::string> claim_sets = {
      R"({"sub":"user-1","exp":)" + exp + "}",
      R"({"iss":"https://issuer.example","aud":["api","web"],"exp":)" + exp + R"(,"iat":)" + iat + R"(,"jti":"x-1"})",
      R"({"sub":"caf\u00e9 \ud83d\ude00","name":"\"q\" \\ \/","exp":)" + exp + R"(,"n":-12345678901234,"f":1.5})",
      R"({"exp":)" + exp + R"(,"nested":{"a":[1,2,{"b":null}],"t":true},"empty":{},"list":[]})",
      "{\"exp\":" + exp + ",\"utf8\":\"\xE2\x82\xAC \xF0\x9F\x98\x80\"}",
  };
  const std::string path = "/tmp/keyward_pyjwt_" + std::to_string(getpid()) + ".txt";
  std::size_t count = 0;
  {
    std::ofstream out(path);
    for (const jwt::algorithm alg : {jwt::algorithm::hs256, jwt::algorithm::hs384, jwt::algorithm::hs512}) {
      for (std::size_t i = 0; i < claim_sets.size(); ++i) {
        std::string secret(jwt::hmac_size(alg) + i, '\0');
        for (std::size_t j = 0; j < secret.size(); ++j) secret[j] = static_cast<char>(j * 13 + i + 1);
        const std::string kid = i % 2 ? "key-" + std::to_string(i) : "";
        const auto signer = jwt::signer::make(alg, secret, kid);
        BOOST_TEST_REQUIRE(signer.has_value());
        const auto token = signer->token(claim_sets[i]);
        BOOST_TEST_REQUIRE(token.has_value(), claim_sets[i]);
        out << jwt::name(alg) << ' ' << keyward_test::to_hex(secret) << ' ' << *token << ' ' << claim_sets[i] << '\n';
        // keyward reads back its own token too.
        auto verify = jwt::verifier<>::make({*jwt::key::hmac(alg, secret, kid)}, {});
        jwt::token_buffer buffer;
        const auto verified = verify->verify(*token, at(now), buffer);
        BOOST_TEST((verified.has_value() || verified.error() == errc::jwt_wrong_audience), claim_sets[i]);
        ++count;
      }
    }
  }
  const std::string verdicts = run(python + " " + script() + " verify " + path);
  std::remove(path.c_str());
  std::istringstream lines(verdicts);
  std::string line;
  std::size_t ok = 0;
  while (std::getline(lines, line)) {
    BOOST_TEST(line == "ok");
    ok += line == "ok" ? 1 : 0;
  }
  BOOST_TEST(ok == count);
  BOOST_TEST(count == 15u);
}
