// keyward benchmarks: cpp-jwt (header-only, over nlohmann/json and OpenSSL) beside keyward in jwt_bench: this
// file is linked into the jwt_bench binary when cpp-jwt is found (KEYWARD_BENCH_CPPJWT). cpp-jwt's namespace
// `jwt` clashes with libjwt's `struct jwt`, hence a translation unit of its own. cpp-jwt verifies keyward's
// token and keyward verifies cpp-jwt's before timing.
#include <jwt/jwt.hpp>

#include <benchmark/benchmark.h>

#include "jwt_bench_common.hpp"

#include <string>
#include <system_error>

namespace {

using namespace keyward_bench;

template <kw::algorithm Alg>
bool cppjwt_verifies(const std::string& token) {
  std::error_code failure;
  auto decoded = ::jwt::decode(token, ::jwt::params::algorithms({Alg == kw::algorithm::hs256 ? "HS256" : "HS512"}),
                               failure, ::jwt::params::secret(secret()), ::jwt::params::verify(true),
                               ::jwt::params::issuer("https://auth.example.com"),
                               ::jwt::params::aud("https://api.example.com"), ::jwt::params::leeway(60));
  return !failure && decoded.payload().get_claim_value<std::string>("sub") == "user_2c9f1b7e4a";
}

template <kw::algorithm Alg>
void verify_cppjwt(benchmark::State& state) {
  const std::string token = keyward_token(Alg);
  require(cppjwt_verifies<Alg>(token), "cpp-jwt rejects keyward's token");
  for (auto _ : state) benchmark::DoNotOptimize(cppjwt_verifies<Alg>(token));
}
BENCHMARK(verify_cppjwt<kw::algorithm::hs256>)->Name("verify_hs256/cpp-jwt");
BENCHMARK(verify_cppjwt<kw::algorithm::hs512>)->Name("verify_hs512/cpp-jwt");

std::string cppjwt_sign() {
  ::jwt::jwt_object token{::jwt::params::algorithm("HS256"), ::jwt::params::secret(secret()),
                          ::jwt::params::payload({{"iss", "https://auth.example.com"},
                                                  {"sub", "user_2c9f1b7e4a"},
                                                  {"aud", "https://api.example.com"},
                                                  {"jti", "01JE3K8Q9ZB6WB7H4"},
                                                  {"scope", "read write"}})};
  token.add_claim("exp", expires).add_claim("nbf", issued).add_claim("iat", issued);
  return token.signature();
}

void sign_cppjwt(benchmark::State& state) {
  require(keyward_verifies(keyward_verifier(kw::algorithm::hs256), cppjwt_sign()), "keyward rejects cpp-jwt's token");
  for (auto _ : state) benchmark::DoNotOptimize(cppjwt_sign());
}
BENCHMARK(sign_cppjwt)->Name("sign_hs256/cpp-jwt");

}  // namespace
