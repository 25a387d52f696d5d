// Constant-time check of JWT verification (jwt/verifier.hpp), for tests/ctgrind/ctgrind_check.cpp: the HMAC
// key of a jwt::key and the received signature are marked secret (undefined for memcheck), so that any
// branch or memory index depending on them, in the key's preparation, the MAC or the comparison, is
// reported. Only the verifier's verdict becomes public (detail::ct::declassify in the verifier, active since
// ctgrind_check.cpp defines KEYWARD_CONSTANT_TIME_VALIDATION). Selecting the key by kid and alg, the
// signature's length and the claims are public by design (RFC 8725: they come from the token).
//
// Self-contained: include it anywhere in ctgrind_check.cpp (which includes valgrind/memcheck.h) and add
// `failures += check_jwt();` to run_real(). Prints one line per check, as the harness's expect() does, and
// returns the number of wrong verdicts.
#ifndef KEYWARD_TESTS_CTGRIND_JWT_CHECKS_HPP
#define KEYWARD_TESTS_CTGRIND_JWT_CHECKS_HPP

#include <keyward/base64.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/jwt/verifier.hpp>

#include <valgrind/memcheck.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace keyward_ctgrind_jwt {

inline int report(const char* what, bool got, bool wanted) {
  std::printf("%-40s %s\n", what, got == wanted ? "ok" : "WRONG");
  return got == wanted ? 0 : 1;
}

// A token over `header` and `payload` MACed with `secret` under `alg` (computed while nothing is secret).
inline std::string token(keyward::jwt::algorithm alg, std::string_view header, std::string_view payload,
                         std::string_view secret) {
  namespace crypto = keyward::crypto;
  const std::string input = keyward::base64::encode(header, keyward::base64::url) + "." +
                            keyward::base64::encode(payload, keyward::base64::url);
  std::string mac;
  if (alg == keyward::jwt::algorithm::hs384) {
    const auto tag = crypto::hmac_sha384::compute(secret, input);
    mac.assign(reinterpret_cast<const char*>(tag.data()), tag.size());
  } else if (alg == keyward::jwt::algorithm::hs512) {
    const auto tag = crypto::hmac_sha512::compute(secret, input);
    mac.assign(reinterpret_cast<const char*>(tag.data()), tag.size());
  } else {
    const auto tag = crypto::hmac_sha256::compute(secret, input);
    mac.assign(reinterpret_cast<const char*>(tag.data()), tag.size());
  }
  return input + "." + keyward::base64::encode(mac, keyward::base64::url);
}

}  // namespace keyward_ctgrind_jwt

/// jwt::verifier::verify() of HS256, HS384 and HS512 tokens, right and wrong, with the key secret, and with
/// the key and the decoded received signature secret (verify() of a token parse_jws() decoded); two keys
/// without kid, so that a wrong token is compared with both. Returns the number of wrong verdicts.
inline int check_jwt() {
  namespace jwt = keyward::jwt;
  using keyward_ctgrind_jwt::report;
  using keyward_ctgrind_jwt::token;
  const auto now = jwt::sys_seconds(std::chrono::seconds(1700000000));
  const std::string payload = R"({"sub":"ctgrind","exp":1700003600})";
  int wrong = 0;
  struct variant {
    jwt::algorithm alg;
    const char* header;
    const char* name;
  };
  for (const variant& v : {variant{jwt::algorithm::hs256, R"({"alg":"HS256"})", "HS256"},
                           variant{jwt::algorithm::hs384, R"({"alg":"HS384"})", "HS384"},
                           variant{jwt::algorithm::hs512, R"({"alg":"HS512"})", "HS512"}}) {
    std::string secret(jwt::hmac_size(v.alg) + 5, '\0'), other = secret;
    for (std::size_t i = 0; i < secret.size(); ++i) {
      secret[i] = static_cast<char>(0x3C ^ (i * 29));
      other[i] = static_cast<char>(0xA5 + i * 7);
    }
    const std::string good = token(v.alg, v.header, payload, secret);
    std::string bad = good;
    bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
    (void)VALGRIND_MAKE_MEM_UNDEFINED(secret.data(), secret.size());
    (void)VALGRIND_MAKE_MEM_UNDEFINED(other.data(), other.size());
    auto verifier = jwt::verifier<>::make({*jwt::key::hmac(v.alg, other), *jwt::key::hmac(v.alg, secret)});
    if (!verifier) {
      wrong += report("jwt verifier make", false, true);
      continue;
    }
    jwt::token_buffer buffer;
    char label[64];
    std::snprintf(label, sizeof label, "jwt %s verify good token", v.name);
    wrong += report(label, verifier->verify(good, now, buffer).has_value(), true);
    std::snprintf(label, sizeof label, "jwt %s verify bad signature", v.name);
    wrong += report(label, verifier->verify(bad, now, buffer).has_value(), false);
    // The received signature secret as well: decoded by parse_jws(), then marked.
    for (const std::string* sent : {&good, static_cast<const std::string*>(&bad)}) {
      const auto parsed = jwt::parse_jws(*sent, buffer);
      if (!parsed) {
        wrong += report("jwt parse_jws", false, true);
        continue;
      }
      (void)VALGRIND_MAKE_MEM_UNDEFINED(parsed->signature.data(), parsed->signature.size());
      std::snprintf(label, sizeof label, "jwt %s secret signature, %s", v.name, sent == &good ? "good" : "bad");
      wrong += report(label, verifier->verify(*parsed, now, buffer).has_value(), sent == &good);
    }
  }
  return wrong;
}

#endif  // KEYWARD_TESTS_CTGRIND_JWT_CHECKS_HPP
