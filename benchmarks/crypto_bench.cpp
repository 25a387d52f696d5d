// keyward benchmarks: SHA-256/384/512, HMAC-SHA256/512 and constant-time comparison by keyward and by the peers
// found at build time (OpenSSL libcrypto, libsodium), side by side. Peers are enabled by
// KEYWARD_BENCH_OPENSSL / KEYWARD_BENCH_SODIUM (set by benchmarks/meson.build when found). Every
// implementation's output is checked against keyward's before timing.
// Names: <operation>/<library>[/<variant>]/<size in bytes>.
#include <keyward/crypto/hmac.hpp>
#include <keyward/crypto/sha2.hpp>
#include <keyward/ct.hpp>
#include <keyward/kernels.hpp>

#include <benchmark/benchmark.h>

#if KEYWARD_BENCH_OPENSSL
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
#if KEYWARD_BENCH_SODIUM
#include <sodium.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using keyward::crypto::hmac;
using keyward::crypto::sha256;
using keyward::crypto::sha384;
using keyward::crypto::sha512;
using keyward::kernels::kernel;

const std::vector<std::uint8_t>& input() {
  static const std::vector<std::uint8_t> bytes = [] {
    std::vector<std::uint8_t> b(1 << 20);
    std::uint32_t x = 0x9e3779b9u;
    for (auto& c : b) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      c = static_cast<std::uint8_t>(x);
    }
    return b;
  }();
  return bytes;
}

const std::uint8_t hmac_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
constexpr std::size_t hmac_message_size = 300;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "crypto_bench: %s gives a wrong result\n", what);
    std::exit(1);
  }
}

void set_bytes(benchmark::State& state, std::size_t size) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
}

// ---------------------------------------------------------------------------------------------------------
// Hashing

template <class Hash>
void hash_keyward(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::uint8_t* data = input().data();
  for (auto _ : state) {
    auto digest = Hash::hash(data, size);
    benchmark::DoNotOptimize(digest);
  }
  set_bytes(state, size);
}

// keyward limited to one set of kernels (SHA-512's AVX2 kernel, or the portable code); skipped when the
// machine lacks it.
template <class Hash, kernel Kernels>
void hash_keyward_forced(benchmark::State& state) {
  if (!keyward::kernels::available(Kernels)) {
    state.SkipWithError("kernel not available on this machine");
    return;
  }
  const keyward::kernels::scoped_force only(Kernels);
  hash_keyward<Hash>(state);
}

#if KEYWARD_BENCH_OPENSSL
template <class Hash>
const EVP_MD* evp_md() {
  return Hash::digest_size == 32 ? EVP_sha256() : Hash::digest_size == 48 ? EVP_sha384() : EVP_sha512();
}

template <class Hash>
void hash_openssl_evp(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::uint8_t* data = input().data();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = evp_md<Hash>();
  unsigned char digest[64];
  unsigned length = 0;
  for (auto _ : state) {
    EVP_DigestInit_ex(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, data, size);
    EVP_DigestFinal_ex(ctx, digest, &length);
    benchmark::DoNotOptimize(digest);
  }
  EVP_MD_CTX_free(ctx);
  require(std::memcmp(digest, Hash::hash(data, size).data(), Hash::digest_size) == 0, "OpenSSL EVP");
  set_bytes(state, size);
}

template <class Hash>
void hash_openssl_oneshot(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::uint8_t* data = input().data();
  unsigned char digest[64];
  for (auto _ : state) {
    if constexpr (Hash::digest_size == 32) SHA256(data, size, digest);
    else if constexpr (Hash::digest_size == 48) SHA384(data, size, digest);
    else SHA512(data, size, digest);
    benchmark::DoNotOptimize(digest);
  }
  require(std::memcmp(digest, Hash::hash(data, size).data(), Hash::digest_size) == 0, "OpenSSL SHA256/SHA512");
  set_bytes(state, size);
}
#endif

#if KEYWARD_BENCH_SODIUM
template <class Hash>
void hash_sodium(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::uint8_t* data = input().data();
  unsigned char digest[64];
  for (auto _ : state) {
    if constexpr (Hash::digest_size == 32) crypto_hash_sha256(digest, data, size);
    else crypto_hash_sha512(digest, data, size);
    benchmark::DoNotOptimize(digest);
  }
  require(std::memcmp(digest, Hash::hash(data, size).data(), Hash::digest_size) == 0, "libsodium hash");
  set_bytes(state, size);
}
#endif

// ---------------------------------------------------------------------------------------------------------
// HMAC-SHA256 of a 300-byte message (the size of a typical JWT's signing input); HMAC-SHA512 for HS512

const auto& expected_hmac() {
  static const auto tag = hmac<sha256>::compute(hmac_key, sizeof hmac_key, input().data(), hmac_message_size);
  return tag;
}

void hmac_keyward_prepared(benchmark::State& state) {
  const hmac<sha256> prepared(hmac_key, sizeof hmac_key);
  const std::uint8_t* data = input().data();
  for (auto _ : state) {
    auto tag = prepared.sign(data, hmac_message_size);
    benchmark::DoNotOptimize(tag);
  }
  set_bytes(state, hmac_message_size);
}

void hmac_keyward_scratch(benchmark::State& state) {
  const std::uint8_t* data = input().data();
  for (auto _ : state) {
    auto tag = hmac<sha256>::compute(hmac_key, sizeof hmac_key, data, hmac_message_size);
    benchmark::DoNotOptimize(tag);
  }
  set_bytes(state, hmac_message_size);
}

void hmac_keyward_prepared_scalar(benchmark::State& state) {
  const keyward::kernels::scoped_force scalar(keyward::kernels::kernel::scalar);
  hmac_keyward_prepared(state);
}

// HMAC-SHA512 with a 64-byte key (RFC 7518 section 3.2's minimum for HS512), prepared once.
const std::uint8_t hmac512_key[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                                      33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
                                      49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64};

template <kernel Kernels>
void hmac512_keyward_prepared(benchmark::State& state) {
  if (!keyward::kernels::available(Kernels)) {
    state.SkipWithError("kernel not available on this machine");
    return;
  }
  const keyward::kernels::scoped_force only(Kernels);
  const hmac<sha512> prepared(hmac512_key, sizeof hmac512_key);
  const std::uint8_t* data = input().data();
  for (auto _ : state) {
    auto tag = prepared.sign(data, hmac_message_size);
    benchmark::DoNotOptimize(tag);
  }
  set_bytes(state, hmac_message_size);
}

#if KEYWARD_BENCH_OPENSSL
// EVP_MAC context keyed once; each message re-initialises it with a NULL key, which reuses the key.
void hmac_openssl_evp_mac(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, hmac_key, sizeof hmac_key, params);
  const std::uint8_t* data = input().data();
  unsigned char tag[32];
  std::size_t length = 0;
  for (auto _ : state) {
    EVP_MAC_init(ctx, nullptr, 0, nullptr);
    EVP_MAC_update(ctx, data, hmac_message_size);
    EVP_MAC_final(ctx, tag, &length, sizeof tag);
    benchmark::DoNotOptimize(tag);
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  require(std::memcmp(tag, expected_hmac().data(), 32) == 0, "OpenSSL EVP_MAC");
  set_bytes(state, hmac_message_size);
}

void hmac512_openssl_evp_mac(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA512";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, hmac512_key, sizeof hmac512_key, params);
  const std::uint8_t* data = input().data();
  unsigned char tag[64];
  std::size_t length = 0;
  for (auto _ : state) {
    EVP_MAC_init(ctx, nullptr, 0, nullptr);
    EVP_MAC_update(ctx, data, hmac_message_size);
    EVP_MAC_final(ctx, tag, &length, sizeof tag);
    benchmark::DoNotOptimize(tag);
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  const auto expected = hmac<sha512>::compute(hmac512_key, sizeof hmac512_key, data, hmac_message_size);
  require(std::memcmp(tag, expected.data(), 64) == 0, "OpenSSL EVP_MAC SHA512");
  set_bytes(state, hmac_message_size);
}

void hmac_openssl_oneshot(benchmark::State& state) {
  const std::uint8_t* data = input().data();
  unsigned char tag[32];
  unsigned length = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), hmac_key, sizeof hmac_key, data, hmac_message_size, tag, &length);
    benchmark::DoNotOptimize(tag);
  }
  require(std::memcmp(tag, expected_hmac().data(), 32) == 0, "OpenSSL HMAC()");
  set_bytes(state, hmac_message_size);
}
#endif

#if KEYWARD_BENCH_SODIUM
void hmac_sodium_scratch(benchmark::State& state) {
  const std::uint8_t* data = input().data();
  unsigned char tag[32];
  for (auto _ : state) {
    crypto_auth_hmacsha256(tag, data, hmac_message_size, hmac_key);
    benchmark::DoNotOptimize(tag);
  }
  require(std::memcmp(tag, expected_hmac().data(), 32) == 0, "libsodium crypto_auth_hmacsha256");
  set_bytes(state, hmac_message_size);
}

// A keyed state prepared once and copied per message.
void hmac_sodium_prepared(benchmark::State& state) {
  crypto_auth_hmacsha256_state keyed;
  crypto_auth_hmacsha256_init(&keyed, hmac_key, sizeof hmac_key);
  const std::uint8_t* data = input().data();
  unsigned char tag[32];
  for (auto _ : state) {
    crypto_auth_hmacsha256_state s = keyed;
    crypto_auth_hmacsha256_update(&s, data, hmac_message_size);
    crypto_auth_hmacsha256_final(&s, tag);
    benchmark::DoNotOptimize(tag);
  }
  require(std::memcmp(tag, expected_hmac().data(), 32) == 0, "libsodium hmacsha256 state");
  set_bytes(state, hmac_message_size);
}
#endif

// ---------------------------------------------------------------------------------------------------------
// Equality of two equal buffers (the worst case for early-exit compares: every byte is read)

template <class Compare>
void compare_bench(benchmark::State& state, Compare compare) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> a(input().begin(), input().begin() + 64), b = a;
  const std::uint8_t* pa = a.data();
  const std::uint8_t* pb = b.data();
  for (auto _ : state) {
    benchmark::DoNotOptimize(pa);
    benchmark::DoNotOptimize(pb);
    bool same = compare(pa, pb, size);
    benchmark::DoNotOptimize(same);
  }
}

void equal_keyward(benchmark::State& state) {
  compare_bench(state, [](const void* a, const void* b, std::size_t n) { return keyward::ct::equal(a, b, n); });
}
void equal_memcmp(benchmark::State& state) {
  compare_bench(state, [](const void* a, const void* b, std::size_t n) { return std::memcmp(a, b, n) == 0; });
}
#if KEYWARD_BENCH_OPENSSL
void equal_openssl(benchmark::State& state) {
  compare_bench(state, [](const void* a, const void* b, std::size_t n) { return CRYPTO_memcmp(a, b, n) == 0; });
}
#endif
#if KEYWARD_BENCH_SODIUM
void equal_sodium(benchmark::State& state) {
  compare_bench(state, [](const void* a, const void* b, std::size_t n) { return sodium_memcmp(a, b, n) == 0; });
}
#endif

void hash_sizes(benchmark::internal::Benchmark* b) { b->Arg(64)->Arg(1024)->Arg(1 << 20); }
void compare_sizes(benchmark::internal::Benchmark* b) { b->Arg(16)->Arg(32)->Arg(64); }

}  // namespace

BENCHMARK_TEMPLATE(hash_keyward, sha256)->Name("sha256/keyward")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_keyward_forced, sha256, kernel::scalar)->Name("sha256/keyward_scalar")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_keyward, sha384)->Name("sha384/keyward")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_keyward, sha512)->Name("sha512/keyward")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_keyward_forced, sha512, kernel::avx2)->Name("sha512/keyward_avx2")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_keyward_forced, sha512, kernel::scalar)->Name("sha512/keyward_scalar")->Apply(hash_sizes);
#if KEYWARD_BENCH_OPENSSL
BENCHMARK_TEMPLATE(hash_openssl_evp, sha256)->Name("sha256/openssl_evp")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_openssl_oneshot, sha256)->Name("sha256/openssl_oneshot")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_openssl_evp, sha384)->Name("sha384/openssl_evp")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_openssl_evp, sha512)->Name("sha512/openssl_evp")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_openssl_oneshot, sha512)->Name("sha512/openssl_oneshot")->Apply(hash_sizes);
#endif
#if KEYWARD_BENCH_SODIUM
BENCHMARK_TEMPLATE(hash_sodium, sha256)->Name("sha256/sodium")->Apply(hash_sizes);
BENCHMARK_TEMPLATE(hash_sodium, sha512)->Name("sha512/sodium")->Apply(hash_sizes);
#endif

BENCHMARK(hmac_keyward_prepared)->Name("hmac_sha256/keyward/prepared/300");
BENCHMARK(hmac_keyward_prepared_scalar)->Name("hmac_sha256/keyward_scalar/prepared/300");
BENCHMARK(hmac_keyward_scratch)->Name("hmac_sha256/keyward/scratch/300");
BENCHMARK_TEMPLATE(hmac512_keyward_prepared, kernel::all)->Name("hmac_sha512/keyward/prepared/300");
BENCHMARK_TEMPLATE(hmac512_keyward_prepared, kernel::scalar)->Name("hmac_sha512/keyward_scalar/prepared/300");
#if KEYWARD_BENCH_OPENSSL
BENCHMARK(hmac_openssl_evp_mac)->Name("hmac_sha256/openssl_evp_mac/prepared/300");
BENCHMARK(hmac512_openssl_evp_mac)->Name("hmac_sha512/openssl_evp_mac/prepared/300");
BENCHMARK(hmac_openssl_oneshot)->Name("hmac_sha256/openssl_oneshot/scratch/300");
#endif
#if KEYWARD_BENCH_SODIUM
BENCHMARK(hmac_sodium_prepared)->Name("hmac_sha256/sodium/prepared/300");
BENCHMARK(hmac_sodium_scratch)->Name("hmac_sha256/sodium/scratch/300");
#endif

BENCHMARK(equal_keyward)->Name("equal/keyward_ct")->Apply(compare_sizes);
BENCHMARK(equal_memcmp)->Name("equal/memcmp")->Apply(compare_sizes);
#if KEYWARD_BENCH_OPENSSL
BENCHMARK(equal_openssl)->Name("equal/CRYPTO_memcmp")->Apply(compare_sizes);
#endif
#if KEYWARD_BENCH_SODIUM
BENCHMARK(equal_sodium)->Name("equal/sodium_memcmp")->Apply(compare_sizes);
#endif

int main(int argc, char** argv) {
#if KEYWARD_BENCH_SODIUM
  if (sodium_init() < 0) return 1;
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
