// keyward benchmarks: what jwt_bench.cpp and jwt_bench_cppjwt.cpp (one binary) share: the key, the claims of
// a typical access token, and keyward's token and verifier that every peer is checked against.
#ifndef KEYWARD_BENCHMARKS_JWT_BENCH_COMMON_HPP
#define KEYWARD_BENCHMARKS_JWT_BENCH_COMMON_HPP

#include <keyward/jwt/sign.hpp>
#include <keyward/jwt/verifier.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace keyward_bench {

namespace kw = keyward::jwt;

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "jwt_bench: %s\n", what);
    std::exit(1);
  }
}

// 64 bytes: the minimum key for HS512 (RFC 7518 section 3.2), and more than HS256 needs.
inline const std::string& secret() {
  static const std::string key = "a3f1c9e07b5d42868e2f9a1c6b0d7e35f48a2c1e9b7d06f3a5c8e1b4d2f09a7c";
  return key;
}

inline constexpr std::int64_t expires = 4102444800;  // 2100-01-01T00:00:00Z
inline constexpr std::int64_t issued = 1764806400;   // 2025-12-04T00:00:00Z

// The claims of a typical access token: about 300 bytes once signed with HS256.
inline std::string claims_json() {
  return std::string("{\"iss\":\"https://auth.example.com\",\"sub\":\"user_2c9f1b7e4a\",") +
         "\"aud\":\"https://api.example.com\",\"exp\":" + std::to_string(expires) +
         ",\"nbf\":" + std::to_string(issued) + ",\"iat\":" + std::to_string(issued) +
         ",\"jti\":\"01JE3K8Q9ZB6WB7H4\",\"scope\":\"read write\"}";
}

inline std::string keyward_token(kw::algorithm alg) {
  auto signer = kw::signer::make(alg, secret());
  require(signer.has_value(), "keyward cannot make a signer");
  auto token = signer->token(claims_json());
  require(token.has_value(), "keyward cannot sign");
  return *token;
}

inline kw::verifier<> keyward_verifier(kw::algorithm alg) {
  std::vector<kw::key> keys;
  auto key = kw::key::hmac(alg, secret());
  require(key.has_value(), "keyward refuses the key");
  keys.push_back(std::move(*key));
  kw::verifier_options options;
  options.claims.issuer = "https://auth.example.com";
  options.claims.audiences = {"https://api.example.com"};
  auto made = kw::verifier<>::make(std::move(keys), options);
  require(made.has_value(), "keyward cannot make a verifier");
  return std::move(*made);
}

inline bool keyward_verifies(const kw::verifier<>& verifier, const std::string& token) {
  kw::token_buffer buffer;
  auto verified = verifier.verify(token, std::chrono::system_clock::now(), buffer);
  return verified.has_value() && verified->claims().subject() == "user_2c9f1b7e4a";
}

}  // namespace keyward_bench

#endif  // KEYWARD_BENCHMARKS_JWT_BENCH_COMMON_HPP
