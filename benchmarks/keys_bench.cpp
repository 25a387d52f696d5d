// keyward benchmarks: API keys. Classifying and checksumming a key, minting one, and the whole verification
// of an Authorization value against a store of many keys, by keyward::keys::verifier and by the verifier a
// user writes by hand when no library does the job: OpenSSL HMAC(), a std::unordered_map<std::string,
// record> and CRYPTO_memcmp (enabled by KEYWARD_BENCH_OPENSSL, which benchmarks/meson.build sets when
// OpenSSL is found). Both verify the same header values against the same keys; every implementation's
// verdicts are checked before timing. KEYWARD_BENCH_KEYS sets the store size (default 1,000,000).
// Names: <operation>/<library>[/<variant>].
#include <keyward/keys/digest.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/verifier.hpp>
#include <keyward/base64.hpp>

#include <benchmark/benchmark.h>

#include "support/count_allocations.hpp"

#if KEYWARD_BENCH_OPENSSL
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

namespace keys = keyward::keys;
using namespace std::chrono_literals;

// A 10-byte prefix, so that a key is 10 + 12 + 32 + 6 = 60 characters.
constexpr keys::prefix_entry acme_entries[] = {
    {"acme_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
    {"acme_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
};
constexpr auto acme_prefixes = keys::make_prefix_table(acme_entries);
const std::string pepper(40, 'p');

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "keys_bench: %s\n", what);
    std::exit(1);
  }
}

std::size_t store_size() {
  const char* text = std::getenv("KEYWARD_BENCH_KEYS");
  const long value = text ? std::atol(text) : 1000000L;
  return value > 0 ? static_cast<std::size_t>(value) : 1000000u;
}

// The keys, their records in a keyward memory_store, and the header values sent: 4096 of the stored keys,
// visited in a shuffled order so that no single record stays in the caches.
struct fixture {
  keys::memory_store store = *keys::memory_store::make();
  keys::pepper_set peppers = *keys::pepper_set::make(1, pepper);
  std::vector<std::string> sample_keys;
  std::vector<std::string> bearer_values;
  std::vector<std::string> basic_values;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();

  fixture() {
    const std::size_t count = store_size();
    const std::size_t sample = count < 4096 ? count : 4096;
    const std::size_t stride = count / sample;
    for (std::size_t i = 0; i < count; ++i) {
      keys::key_record blueprint;
      blueprint.owner = "org_" + std::to_string(i % 1000);
      blueprint.scopes = keys::scopes::read | keys::scopes::write;
      blueprint.expires_at = now + 24h;
      auto minted = keys::mint(store, std::move(blueprint), acme_entries[0], peppers);
      require(minted.has_value(), "minting failed");
      if (i % stride == 0 && sample_keys.size() < sample) sample_keys.emplace_back(minted->key.reveal());
    }
    std::uint64_t x = 0x9e3779b97f4a7c15u;
    for (std::size_t i = sample_keys.size(); i > 1; --i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::swap(sample_keys[i - 1], sample_keys[x % i]);
    }
    for (const std::string& key : sample_keys) {
      bearer_values.push_back("Bearer " + key);
      basic_values.push_back("Basic " + keyward::base64::encode(key + ":"));
    }
  }
};

fixture& shared_fixture() {
  static fixture made;
  return made;
}

const keys::scope_requirement required = keys::scopes::all_of(keys::scopes::write);

// ---------------------------------------------------------------------------------------------------------
// Classify + checksum, and generation

void classify_checksum_keyward(benchmark::State& state) {
  const std::vector<std::string>& keys_sent = shared_fixture().sample_keys;
  std::size_t i = 0;
  for (auto _ : state) {
    auto parsed = keys::parse_key(keys_sent[i], acme_prefixes);
    benchmark::DoNotOptimize(parsed);
    i = (i + 1) % keys_sent.size();
  }
}

void generate_keyward(benchmark::State& state) {
  for (auto _ : state) {
    auto key = keys::generate_key(acme_entries[0]);
    benchmark::DoNotOptimize(key);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The whole verification

template <bool Basic>
void verify_keyward(benchmark::State& state) {
  fixture& f = shared_fixture();
  keys::verifier_options options;
  options.prefixes = acme_prefixes;
  options.forms.bearer = !Basic;
  options.forms.basic_key_as_user = Basic;
  auto verifier = keys::verifier<keys::memory_store>::make(f.store, options, f.peppers);
  require(verifier.has_value(), "verifier::make failed");
  const std::vector<std::string>& values = Basic ? f.basic_values : f.bearer_values;
  for (const std::string& value : values) {
    require(static_cast<bool>(verifier->authenticate(value, required, f.now)), "keyward denies a stored key");
  }
  std::string wrong = values[0];
  wrong[wrong.size() - 10] = wrong[wrong.size() - 10] == 'a' ? 'b' : 'a';
  require(!verifier->authenticate(wrong, required, f.now), "keyward accepts a changed key");
  std::size_t i = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (auto _ : state) {
    auto who = verifier->authenticate(values[i], required, f.now);
    benchmark::DoNotOptimize(who);
    i = (i + 1) % values.size();
  }
  keyward_test::counting = false;
  state.counters["allocs/call"] = static_cast<double>(keyward_test::allocations) /
                                  static_cast<double>(state.iterations());
}

#if KEYWARD_BENCH_OPENSSL
// The verifier written by hand: strip "Bearer ", check the prefix and length, find the record by id in a
// std::unordered_map, HMAC-SHA256 the key with OpenSSL's one-shot HMAC(), compare with CRYPTO_memcmp, then
// expiry and scopes. It does less than keyward's (no checksum, no token68 check, no denial to build).
struct handwritten_record {
  std::array<unsigned char, 32> digest;
  std::string owner;
  std::uint64_t scopes;
  std::int64_t expires_at;
  bool revoked;
};

struct handwritten_verifier {
  std::unordered_map<std::string, handwritten_record> by_id;

  bool verify(std::string_view header, std::uint64_t required_scopes, std::int64_t now) const {
    constexpr std::string_view scheme = "Bearer ";
    constexpr std::string_view prefix = "acme_live_";
    if (header.substr(0, scheme.size()) != scheme) return false;
    const std::string_view key = header.substr(scheme.size());
    if (key.size() != prefix.size() + 12 + 32 + 6 || key.substr(0, prefix.size()) != prefix) return false;
    const auto found = by_id.find(std::string(key.substr(prefix.size(), 12)));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
         reinterpret_cast<const unsigned char*>(key.data()), key.size(), mac, &mac_size);
    if (found == by_id.end()) return false;
    const handwritten_record& record = found->second;
    if (CRYPTO_memcmp(mac, record.digest.data(), record.digest.size()) != 0) return false;
    if (record.revoked || record.expires_at <= now) return false;
    return (record.scopes & required_scopes) == required_scopes;
  }
};

void verify_handwritten_openssl(benchmark::State& state) {
  fixture& f = shared_fixture();
  static const handwritten_verifier peer = [&f] {
    handwritten_verifier made;
    const std::size_t count = store_size();
    made.by_id.reserve(count);
    // The same number of records as keyward's store: the sampled keys, and filler ids for the rest.
    const std::int64_t expires = std::chrono::duration_cast<std::chrono::seconds>(
                                     (f.now + 24h).time_since_epoch()).count();
    for (const std::string& key : f.sample_keys) {
      handwritten_record record{};
      const auto digest = f.peppers.digest(key);
      std::memcpy(record.digest.data(), digest.bytes.data(), 32);
      record.owner = "org_1";
      record.scopes = 3;
      record.expires_at = expires;
      made.by_id.emplace(key.substr(10, 12), record);
    }
    for (std::size_t i = made.by_id.size(); i < count; ++i) {
      std::string id = std::to_string(i);
      id.insert(0, 12 - id.size(), 'F');  // never base62-random-looking: no clash with a sampled id
      handwritten_record record{};
      record.owner = "org_2";
      made.by_id.emplace(std::move(id), record);
    }
    return made;
  }();
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(f.now.time_since_epoch()).count();
  for (const std::string& value : f.bearer_values) {
    require(peer.verify(value, 2, now), "the hand-written verifier denies a stored key");
  }
  std::size_t i = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (auto _ : state) {
    bool ok = peer.verify(f.bearer_values[i], 2, now);
    benchmark::DoNotOptimize(ok);
    i = (i + 1) % f.bearer_values.size();
  }
  keyward_test::counting = false;
  state.counters["allocs/call"] = static_cast<double>(keyward_test::allocations) /
                                  static_cast<double>(state.iterations());
}
#endif

BENCHMARK(classify_checksum_keyward)->Name("classify_checksum/keyward/60");
BENCHMARK(generate_keyward)->Name("generate/keyward/60");
BENCHMARK(verify_keyward<false>)->Name("verify/keyward/bearer");
BENCHMARK(verify_keyward<true>)->Name("verify/keyward/basic");
#if KEYWARD_BENCH_OPENSSL
BENCHMARK(verify_handwritten_openssl)->Name("verify/handwritten-openssl/bearer");
#endif

}  // namespace

BENCHMARK_MAIN();
