// keyward benchmarks: JSON Web Tokens (HS256 and HS512 verification with the claims checked, HS256 signing)
// and webhook signatures (Standard Webhooks over a 1 KiB body), by keyward and by the peers found at build
// time: libjwt (KEYWARD_BENCH_LIBJWT), cpp-jwt (jwt_bench_cppjwt.cpp, with nlohmann/json and OpenSSL) and
// OpenSSL's one-shot HMAC() as the floor of any HS256 verifier (KEYWARD_BENCH_OPENSSL). jwt-cpp (Thalhammer)
// has no Debian package and is not measured. Every library verifies keyward's token and keyward verifies
// every peer's before timing. cpp-jwt's benchmarks are in jwt_bench_cppjwt.cpp, linked into the same binary:
// its namespace `jwt` clashes with libjwt's `struct jwt`, so the two cannot share a translation unit.
// Names: <operation>/<library>[/<variant>].
#include <keyward/crypto/hmac.hpp>
#include <keyward/jwt/sign.hpp>
#include <keyward/jwt/verifier.hpp>
#include <keyward/webhook/standard.hpp>

#include "jwt_bench_common.hpp"

#include <benchmark/benchmark.h>

#if KEYWARD_BENCH_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
#if KEYWARD_BENCH_LIBJWT
#include <jwt.h>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace keyward_bench;
using std::chrono::system_clock;

template <kw::algorithm Alg>
void verify_keyward(benchmark::State& state) {
  const auto verifier = keyward_verifier(Alg);
  const std::string token = keyward_token(Alg);
  require(keyward_verifies(verifier, token), "keyward rejects its own token");
  for (auto _ : state) {
    kw::token_buffer buffer;
    auto verified = verifier.verify(token, system_clock::now(), buffer);
    benchmark::DoNotOptimize(verified);
  }
  state.counters["token_bytes"] = static_cast<double>(token.size());
}
BENCHMARK(verify_keyward<kw::algorithm::hs256>)->Name("verify_hs256/keyward");
BENCHMARK(verify_keyward<kw::algorithm::hs512>)->Name("verify_hs512/keyward");

void sign_keyward(benchmark::State& state) {
  auto signer = kw::signer::make(kw::algorithm::hs256, secret());
  require(signer.has_value(), "keyward cannot make a signer");
  const std::string claims = claims_json();
  std::vector<char> out(signer->token_size(claims));
  for (auto _ : state) {
    auto written = signer->write_token(claims, out.data(), out.size());
    benchmark::DoNotOptimize(written);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(sign_keyward)->Name("sign_hs256/keyward");

#if KEYWARD_BENCH_OPENSSL
// The MAC alone: what any HS256 verifier must at least spend (no Base64, no JSON, no claims).
void verify_openssl_hmac(benchmark::State& state) {
  const std::string token = keyward_token(kw::algorithm::hs256);
  const std::string_view signing_input(token.data(), token.rfind('.'));
  for (auto _ : state) {
    unsigned char tag[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), secret().data(), static_cast<int>(secret().size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), tag, &size);
    benchmark::DoNotOptimize(tag);
  }
}
BENCHMARK(verify_openssl_hmac)->Name("verify_hs256/openssl_hmac_floor");
#endif

#if KEYWARD_BENCH_LIBJWT
// libjwt 1.10 checks the signature only; the claims are checked here as a user of it must.
template <kw::algorithm Alg>
bool libjwt_verifies(const std::string& token) {
  jwt_t* decoded = nullptr;
  if (jwt_decode(&decoded, token.c_str(), reinterpret_cast<const unsigned char*>(secret().data()),
                 static_cast<int>(secret().size())) != 0)
    return false;
  const char* alg_ok = jwt_get_alg(decoded) == (Alg == kw::algorithm::hs256 ? JWT_ALG_HS256 : JWT_ALG_HS512)
                           ? "" : nullptr;
  const long now = static_cast<long>(std::time(nullptr));
  const char* iss = jwt_get_grant(decoded, "iss");
  const char* aud = jwt_get_grant(decoded, "aud");
  const char* sub = jwt_get_grant(decoded, "sub");
  const bool ok = alg_ok != nullptr && jwt_get_grant_int(decoded, "exp") > now - 60 &&
                  jwt_get_grant_int(decoded, "nbf") <= now + 60 && iss != nullptr &&
                  std::strcmp(iss, "https://auth.example.com") == 0 && aud != nullptr &&
                  std::strcmp(aud, "https://api.example.com") == 0 && sub != nullptr &&
                  std::strcmp(sub, "user_2c9f1b7e4a") == 0;
  jwt_free(decoded);
  return ok;
}

template <kw::algorithm Alg>
void verify_libjwt(benchmark::State& state) {
  const std::string token = keyward_token(Alg);
  require(libjwt_verifies<Alg>(token), "libjwt rejects keyward's token");
  for (auto _ : state) benchmark::DoNotOptimize(libjwt_verifies<Alg>(token));
}
BENCHMARK(verify_libjwt<kw::algorithm::hs256>)->Name("verify_hs256/libjwt");
BENCHMARK(verify_libjwt<kw::algorithm::hs512>)->Name("verify_hs512/libjwt");

std::string libjwt_sign() {
  jwt_t* token = nullptr;
  jwt_new(&token);
  jwt_set_alg(token, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret().data()),
              static_cast<int>(secret().size()));
  jwt_add_grant(token, "iss", "https://auth.example.com");
  jwt_add_grant(token, "sub", "user_2c9f1b7e4a");
  jwt_add_grant(token, "aud", "https://api.example.com");
  jwt_add_grant_int(token, "exp", static_cast<long>(expires));
  jwt_add_grant_int(token, "nbf", static_cast<long>(issued));
  jwt_add_grant_int(token, "iat", static_cast<long>(issued));
  jwt_add_grant(token, "jti", "01JE3K8Q9ZB6WB7H4");
  jwt_add_grant(token, "scope", "read write");
  char* text = jwt_encode_str(token);
  std::string out = text != nullptr ? text : "";
  std::free(text);  // jwt_encode_str() allocates with malloc (libjwt 1.10 has no jwt_free_str)
  jwt_free(token);
  return out;
}

void sign_libjwt(benchmark::State& state) {
  require(keyward_verifies(keyward_verifier(kw::algorithm::hs256), libjwt_sign()), "keyward rejects libjwt's token");
  for (auto _ : state) benchmark::DoNotOptimize(libjwt_sign());
}
BENCHMARK(sign_libjwt)->Name("sign_hs256/libjwt");
#endif


// ---------------------------------------------------------------------------------------------------------
// Webhooks: Standard Webhooks v1 over a 1 KiB body, against one bare HMAC-SHA256 of the same bytes (the
// floor: a verifier must MAC id.timestamp.body, then decode and compare the tag).

constexpr std::string_view webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view webhook_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";

const std::string& webhook_body() {
  static const std::string body = [] {
    std::string text = "{\"type\":\"invoice.paid\",\"data\":{\"lines\":\"";
    while (text.size() < 1024 - 3) text += static_cast<char>('a' + text.size() % 26);
    return text + "\"}}";
  }();
  return body;
}

void webhook_verify_keyward(benchmark::State& state) {
  const auto signer = keyward::webhook::standard_signer::make(webhook_secret);
  const auto verifier = keyward::webhook::standard_verifier::make({webhook_secret});
  require(signer.has_value() && verifier.has_value(), "keyward refuses the webhook secret");
  const auto now = system_clock::now();
  const std::string timestamp = *keyward::webhook::timestamp(now);
  const std::string signature = *signer->signature(webhook_id, webhook_body(), now);
  const keyward::webhook::standard_headers headers{webhook_id, timestamp, signature};
  require(verifier->verify(headers, webhook_body(), now).has_value(), "keyward rejects its own webhook");
  for (auto _ : state) benchmark::DoNotOptimize(verifier->verify(headers, webhook_body(), now));
}
BENCHMARK(webhook_verify_keyward)->Name("webhook_verify_1KiB/keyward");

void webhook_bare_hmac_keyward(benchmark::State& state) {
  const keyward::crypto::hmac<keyward::crypto::sha256> key(std::string_view("24-byte webhook secret.."));
  for (auto _ : state) benchmark::DoNotOptimize(key.sign(webhook_body()));
}
BENCHMARK(webhook_bare_hmac_keyward)->Name("webhook_verify_1KiB/bare_hmac_sha256_keyward");

#if KEYWARD_BENCH_OPENSSL
void webhook_bare_hmac_openssl(benchmark::State& state) {
  const std::string_view key = "24-byte webhook secret..";
  for (auto _ : state) {
    unsigned char tag[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(webhook_body().data()), webhook_body().size(), tag, &size);
    benchmark::DoNotOptimize(tag);
  }
}
BENCHMARK(webhook_bare_hmac_openssl)->Name("webhook_verify_1KiB/bare_hmac_sha256_openssl");
#endif

}  // namespace

BENCHMARK_MAIN();
