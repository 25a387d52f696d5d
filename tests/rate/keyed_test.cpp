// Tests for include/keyward/rate/keyed.hpp. Each key follows GCRA (see tests/rate/gcra_test.cpp for the
// rules used in the derivations: T = period / count, W = burst * T, debt = max(0, TAT - now), allowed when
// debt + cost*T <= W, remaining = floor((W - debt) / T)); the cases here are about keys: independence, the
// memory bound, eviction of fresh keys only, failing closed, concurrent use, and hash flooding (keys crafted
// to collide in std::hash, generated here by inverting libstdc++'s string hash).
#define BOOST_TEST_MODULE rate_keyed
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/siphash.hpp>
#include <keyward/rate/keyed.hpp>

#include "support/test_support.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using keyward::errc;
using keyward::rate::decision;
using keyward::rate::keyed;
using keyward::rate::quota;
using keyward::rate::verdict;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

// The default clock's time point `since_epoch` after its epoch: the `now` the calls below pass.
std::chrono::steady_clock::time_point at(nanoseconds since_epoch) {
  return std::chrono::steady_clock::time_point(since_epoch);
}

keyed<std::uint64_t> make_limiter(const quota& q, std::size_t max_keys) {
  auto made = keyed<std::uint64_t>::make(q, max_keys);
  BOOST_REQUIRE(made.has_value());
  return std::move(*made);
}

// "<verdict> remaining=R retry=X reset=Y" (durations in ms), or the error message.
std::string describe(const decision& d) {
  const char* names[] = {"allowed", "denied", "never"};
  return std::string(names[static_cast<int>(d.outcome)]) + " remaining=" + std::to_string(d.remaining) +
         " retry=" + std::to_string(d.wait.count() / 1'000'000) + "ms" +
         " reset=" + std::to_string(d.reset_after.count() / 1'000'000) + "ms";
}
std::string describe(const keyward::result<decision>& r) { return r ? describe(*r) : r.error().message(); }

const std::string exhausted = keyward::to_string(errc::rate_capacity_exhausted);

struct manual_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = nanoseconds;
  using time_point = std::chrono::time_point<manual_clock>;
  static inline std::atomic<std::int64_t> ticks{0};
  static time_point now() noexcept { return time_point(duration(ticks.load())); }
};

// A 16-byte key (an IPv6 address) and its hash.
using address = std::array<std::uint8_t, 16>;
struct address_hash {
  std::size_t operator()(const address& a) const noexcept {
    std::uint64_t h = 14695981039346656037u;  // FNV-1a
    for (const std::uint8_t byte : a) h = (h ^ byte) * 1099511628211u;
    return static_cast<std::size_t>(h);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(invalid_arguments) {
  const auto no_keys = keyed<std::uint64_t>::make(quota{1, 1s, 1}, 0);
  BOOST_TEST(!no_keys.has_value());
  if (!no_keys) BOOST_TEST(no_keys.error().code() == errc::rate_invalid_capacity);
  // 64 shards of 2^31 keys are the most a table can index.
  const auto too_many = keyed<std::uint64_t>::make(quota{1, 1s, 1}, std::numeric_limits<std::size_t>::max());
  BOOST_TEST(!too_many.has_value());
  if (!too_many) BOOST_TEST(too_many.error().code() == errc::rate_invalid_capacity);
  const auto bad_quota = keyed<std::uint64_t>::make(quota{1, 1s, 0}, 10);
  BOOST_TEST(!bad_quota.has_value());
  if (!bad_quota) BOOST_TEST(bad_quota.error().code() == errc::rate_invalid_quota);
}

BOOST_AUTO_TEST_CASE(keys_are_independent) {
  // 10 per second, burst 5: T = 100 ms, W = 500 ms, per key.
  auto limiter = make_limiter(quota{10, 1s, 5}, 100);
  BOOST_TEST(describe(limiter.acquire(1, at(0ns))) == "allowed remaining=4 retry=0ms reset=100ms");
  BOOST_TEST(describe(limiter.acquire(1, at(0ns), 4)) == "allowed remaining=0 retry=0ms reset=500ms");
  BOOST_TEST(describe(limiter.acquire(1, at(0ns))) == "denied remaining=0 retry=100ms reset=500ms");
  BOOST_TEST(describe(limiter.acquire(2, at(0ns))) == "allowed remaining=4 retry=0ms reset=100ms");
  // t = 250 ms: key 1 has 250 ms of debt (remaining 2), key 2 none (remaining 5).
  BOOST_TEST(describe(limiter.acquire(1, at(250ms))) == "allowed remaining=1 retry=0ms reset=350ms");
  BOOST_TEST(describe(limiter.peek(2, at(250ms))) == "allowed remaining=5 retry=0ms reset=0ms");
  BOOST_TEST(limiter.size() == 2u);
  const auto answer = limiter.acquire(3, at(0ns));
  BOOST_REQUIRE(answer.has_value());
  BOOST_TEST(answer->limit == 5u);
}

BOOST_AUTO_TEST_CASE(never_and_peek_store_nothing) {
  auto limiter = make_limiter(quota{10, 1s, 5}, 100);
  BOOST_TEST(describe(limiter.acquire(7, at(0ns), 6)) == "never remaining=5 retry=0ms reset=0ms");
  BOOST_TEST(describe(limiter.peek(7, at(0ns))) == "allowed remaining=5 retry=0ms reset=0ms");
  BOOST_TEST(describe(limiter.acquire(7, at(0ns), 0)) == "allowed remaining=5 retry=0ms reset=0ms");
  BOOST_TEST(limiter.size() == 0u);
  BOOST_TEST(limiter.acquire(7, at(0ns), 2).has_value());
  BOOST_TEST(describe(limiter.acquire(7, at(0ns), 6)) == "never remaining=3 retry=0ms reset=200ms");
  BOOST_TEST(describe(limiter.peek(7, at(100ms))) == "allowed remaining=4 retry=0ms reset=100ms");
  BOOST_TEST(limiter.size() == 1u);
}

BOOST_AUTO_TEST_CASE(only_fresh_keys_are_evicted) {
  // 1 per second, burst 2: T = 1 s, W = 2 s. Room for 4 keys (one shard).
  auto limiter = make_limiter(quota{1, 1s, 2}, 4);
  BOOST_TEST(limiter.capacity() == 4u);
  for (std::uint64_t key = 1; key <= 4; ++key)
    BOOST_TEST(describe(limiter.acquire(key, at(0ns))) == "allowed remaining=1 retry=0ms reset=1000ms");
  // Every key has 1 s of debt: a fifth fails closed, and the four keep their state.
  BOOST_TEST(describe(limiter.acquire(5, at(0ns))) == exhausted);
  BOOST_TEST(limiter.size() == 4u);
  BOOST_TEST(describe(limiter.acquire(1, at(0ns))) == "allowed remaining=0 retry=0ms reset=2000ms");
  BOOST_TEST(describe(limiter.acquire(1, at(0ns))) == "denied remaining=0 retry=1000ms reset=2000ms");
  // t = 0.5 s: no debt is repaid before t = 1 s.
  BOOST_TEST(describe(limiter.acquire(5, at(500ms))) == exhausted);
  // t = 1 s: keys 2, 3 and 4 are fresh (full buckets: dropping them loses nothing); key 1 still owes 1 s.
  BOOST_TEST(describe(limiter.acquire(5, at(1s))) == "allowed remaining=1 retry=0ms reset=1000ms");
  BOOST_TEST(limiter.size() == 2u);
  // Key 1 was not evicted: 1 s of debt + 1 s = 2 s, remaining 0 (a new bucket would say 1).
  BOOST_TEST(describe(limiter.acquire(1, at(1s))) == "allowed remaining=0 retry=0ms reset=2000ms");
  // A dropped key reads as the full bucket it had.
  BOOST_TEST(describe(limiter.peek(2, at(1s))) == "allowed remaining=2 retry=0ms reset=0ms");
  BOOST_TEST(limiter.acquire(6, at(1s)).has_value());
  BOOST_TEST(limiter.acquire(7, at(1s)).has_value());
  // Full again with keys 1 (2 s of debt), 5, 6, 7 (1 s each): new keys, key 2 included, fail closed.
  BOOST_TEST(describe(limiter.acquire(8, at(1s))) == exhausted);
  BOOST_TEST(describe(limiter.acquire(2, at(1s))) == exhausted);
  BOOST_TEST(limiter.size() == 4u);
  // t = 2 s: 5, 6 and 7 are fresh, key 1 owes 1 s.
  BOOST_TEST(describe(limiter.acquire(8, at(2s))) == "allowed remaining=1 retry=0ms reset=1000ms");
  BOOST_TEST(describe(limiter.acquire(1, at(2s))) == "allowed remaining=0 retry=0ms reset=2000ms");
}

BOOST_AUTO_TEST_CASE(flooding_never_resets_a_limited_key) {
  // 1 per second, burst 5 (T = 1 s, W = 5 s); room for 64 keys (one shard). The victim, key 0, spends its
  // burst at t = 0 (TAT = 5 s). Every 100 ms until 4.9 s, 200 new keys arrive, one request each (1 s of
  // debt). At t = 0, 63 of them fit; the rest, and all until t = 1 s, fail closed (no debt is repaid before
  // 1 s). At t = 1 s the 63 are fresh and are replaced by 63 new ones, and so on at 2, 3 and 4 s: 5 * 63 =
  // 315 flood keys are let in. The victim is never fresh before 5 s, so it is never dropped: at time t its
  // debt is 5 s - t and it can take floor(t / 1 s).
  auto limiter = make_limiter(quota{1, 1s, 5}, 64);
  BOOST_TEST(limiter.acquire(0, at(0ns), 5).has_value());
  std::uint64_t next_key = 1, flood_allowed = 0;
  for (std::int64_t step = 0; step < 50; ++step) {
    const nanoseconds t = step * 100ms;
    for (int i = 0; i < 200; ++i) {
      const auto answer = limiter.acquire(next_key++, at(t));
      if (answer) {
        BOOST_REQUIRE(answer->allowed());
        ++flood_allowed;
      } else {
        BOOST_REQUIRE(answer.error().code() == errc::rate_capacity_exhausted);
      }
    }
    BOOST_REQUIRE(limiter.size() <= 64u);
    BOOST_REQUIRE(limiter.peek(0, at(t)).remaining == static_cast<std::uint64_t>(step / 10));
  }
  BOOST_TEST(flood_allowed == 315u);
  // t = 4.9 s: debt 0.1 s; one more leaves 1.1 s: floor(3.9) = 3 remain.
  const auto victim = limiter.acquire(0, at(4900ms));
  BOOST_REQUIRE(victim.has_value());
  BOOST_TEST(victim->allowed());
  BOOST_TEST(victim->remaining == 3u);
}

BOOST_AUTO_TEST_CASE(changing_the_quota) {
  // 10 per second, burst 5: key 1 owes 300 ms, key 2 owes 500 ms.
  auto limiter = make_limiter(quota{10, 1s, 5}, 100);
  BOOST_TEST(limiter.acquire(1, at(0ns), 3).has_value());
  BOOST_TEST(limiter.acquire(2, at(0ns), 5).has_value());
  // Burst 10 (W = 1 s): the debts are kept: 7 and 5 remain.
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 10}, at(0ns)).has_value());
  BOOST_TEST(describe(limiter.peek(1, at(0ns))) == "allowed remaining=7 retry=0ms reset=300ms");
  BOOST_TEST(describe(limiter.peek(2, at(0ns))) == "allowed remaining=5 retry=0ms reset=500ms");
  BOOST_TEST((limiter.current_quota() == quota{10, 1s, 10}));
  // Burst 2 (W = 200 ms): both debts are capped at 200 ms, a wait of one interval.
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 2}, at(0ns)).has_value());
  BOOST_TEST(describe(limiter.acquire(1, at(0ns))) == "denied remaining=0 retry=100ms reset=200ms");
  BOOST_TEST(describe(limiter.acquire(2, at(100ms))) == "allowed remaining=0 retry=0ms reset=200ms");
  // New keys get the new quota; an invalid quota changes nothing.
  BOOST_TEST(describe(limiter.acquire(3, at(0ns))) == "allowed remaining=1 retry=0ms reset=100ms");
  const auto refused = limiter.set_quota(quota{0, 1s, 1}, at(0ns));
  BOOST_TEST(!refused.has_value());
  if (!refused) BOOST_TEST(refused.error().code() == errc::rate_invalid_quota);
  BOOST_TEST((limiter.current_quota() == quota{10, 1s, 2}));
}

BOOST_AUTO_TEST_CASE(string_keys_never_share_a_bucket) {
  // 1000 distinct names, burst 2: each gets exactly 2, however their hashes fall.
  auto made = keyed<std::string>::make(quota{1, 1s, 2}, 2000);
  BOOST_REQUIRE(made.has_value());
  auto& limiter = *made;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 1000; ++i) {
      const auto answer = limiter.acquire("user-" + std::to_string(i) + "-with-a-name-longer-than-sso", at(0ns));
      BOOST_REQUIRE(answer.has_value());
      BOOST_REQUIRE(answer->allowed() == (round < 2));
    }
  BOOST_TEST(limiter.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(memory_per_key) {
  // 2^20 keys: 64 shards (one per 1024 keys, at most 64) of 16,384 keys, each a table of 16,384 + 16,384/3
  // + 1 = 21,846 slots; a 64-bit key's slot is 8 + 8 = 16 bytes: 64 * 21,846 * 16 = 22,370,304 bytes, plus
  // 64 shard headers (a mutex, the quota constants, a few counters: between 64 and 256 bytes each).
  auto limiter = make_limiter(quota{100, 1s, 10}, std::size_t{1} << 20);
  BOOST_TEST(limiter.memory_bytes() >= 22'370'304u + 64u * 64u);
  BOOST_TEST(limiter.memory_bytes() <= 22'370'304u + 64u * 256u);
  BOOST_TEST(limiter.bytes_per_key() < 21.4);  // 22,386,688 / 1,048,576 = 21.35 at most
  BOOST_TEST(limiter.bytes_per_key() <= 64.0);
  // A 16-byte key: 24-byte slots, 64 * 21,846 * 24 / 2^20 = 32.0 bytes per key, plus the headers.
  auto addresses = keyed<address, address_hash>::make(quota{100, 1s, 10}, std::size_t{1} << 20);
  BOOST_REQUIRE(addresses.has_value());
  BOOST_TEST(addresses->bytes_per_key() < 32.1);
  address a{};
  a[15] = 1;
  BOOST_TEST(addresses->acquire(a, at(0ns)).has_value());
  // Half the capacity, spread by hash over 64 shards, always fits (each shard holds 1024 of 65,536).
  auto spread = make_limiter(quota{1, 1s, 1}, 65536);
  for (std::uint64_t key = 0; key < 32768; ++key) BOOST_REQUIRE(spread.acquire(key * 7919, at(0ns)).has_value());
  BOOST_TEST(spread.size() == 32768u);
}

BOOST_AUTO_TEST_CASE(clock_overloads) {
  manual_clock::ticks = 0;
  auto made = keyed<std::uint64_t, std::hash<std::uint64_t>, manual_clock>::make(quota{10, 1s, 2}, 10);
  BOOST_REQUIRE(made.has_value());
  auto& limiter = *made;
  BOOST_TEST(describe(limiter.acquire(1)) == "allowed remaining=1 retry=0ms reset=100ms");
  BOOST_TEST(describe(limiter.acquire(1, 1)) == "allowed remaining=0 retry=0ms reset=200ms");
  BOOST_TEST(describe(limiter.acquire(1)) == "denied remaining=0 retry=100ms reset=200ms");
  manual_clock::ticks = 150'000'000;
  BOOST_TEST(describe(limiter.peek(1)) == "allowed remaining=1 retry=0ms reset=50ms");
  BOOST_TEST(describe(limiter.acquire(1, manual_clock::time_point(150ms))) ==
             "allowed remaining=0 retry=0ms reset=150ms");
  BOOST_TEST(describe(limiter.peek(1, manual_clock::time_point(200ms))) ==
             "allowed remaining=1 retry=0ms reset=100ms");
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 4}).has_value());
  BOOST_TEST(describe(limiter.peek(1)) == "allowed remaining=2 retry=0ms reset=150ms");
  BOOST_TEST(limiter.set_quota(quota{10, 1s, 4}, manual_clock::time_point(150ms)).has_value());
}

BOOST_AUTO_TEST_CASE(concurrent_use) {
  // Four threads try each of 1000 keys twice at t = 0, burst 3: each key allows exactly 3 of its 8 tries.
  auto limiter = make_limiter(quota{1, 1s, 3}, 4096);
  std::vector<std::atomic<int>> allowed(1000);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread)
    threads.emplace_back([&limiter, &allowed, thread] {
      for (int round = 0; round < 2; ++round)
        for (std::uint64_t i = 0; i < 1000; ++i) {
          const std::uint64_t key = (i + static_cast<std::uint64_t>(thread) * 250) % 1000;
          const auto answer = limiter.acquire(key, at(0ns));
          if (answer && answer->allowed()) ++allowed[key];
        }
    });
  for (auto& t : threads) t.join();
  for (const auto& count : allowed) BOOST_REQUIRE(count.load() == 3);
  BOOST_TEST(limiter.size() == 1000u);

  // One thread hammers a key while three flood 30,000 new keys into a limiter with room for 2048, all at
  // t = 0: whatever the interleaving, the hammered key (stored first) gets the rest of its burst, 4 of 5,
  // and not one more.
  auto flooded = make_limiter(quota{1, 1s, 5}, 2048);
  BOOST_TEST(flooded.acquire(0, at(0ns)).has_value());
  std::atomic<int> victim_allowed{0};
  threads.clear();
  for (int thread = 0; thread < 4; ++thread)
    threads.emplace_back([&flooded, &victim_allowed, thread] {
      for (std::uint64_t i = 0; i < 10000; ++i) {
        if (thread == 0) {
          const auto answer = flooded.acquire(0, at(0ns));
          if (answer && answer->allowed()) ++victim_allowed;
        } else {
          (void)flooded.acquire(1 + i * 3 + static_cast<std::uint64_t>(thread), at(0ns));
        }
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(victim_allowed.load() == 4);
  BOOST_TEST(flooded.size() <= 2048u);
}

// ---------------------------------------------------------------------------------------------------------
// Hash flooding. std::hash<std::string> of libstdc++ (64-bit) is _Hash_bytes with the fixed seed 0xc70f6907,
// a MurmurHash64A variant: state = seed ^ (length * m); for each 8-byte word w (native byte order),
// state = (state ^ mix(w)) * m with mix(w) = shift_mix(w * m) * m and shift_mix(v) = v ^ (v >> 47); then
// two final mixes of the state alone. Every step is invertible (m is odd, so it has an inverse modulo 2^64,
// and shift_mix is its own inverse since 2 * 47 >= 64), so for any first 16 bytes the last 8 bytes can be
// solved for so that the state after 24 bytes is a chosen value: every such key has the same std::hash.
// Elsewhere the keys are random-looking, and the unkeyed hash is an injected one with known collisions.

namespace {

#if defined(__GLIBCXX__) && SIZE_MAX == UINT64_MAX
constexpr bool crafting_for_std_hash = true;
#else
constexpr bool crafting_for_std_hash = false;
#endif

constexpr std::uint64_t murmur_m = 0xc6a4a7935bd1e995u;
// The inverse of an odd number modulo 2^64 by Newton's iteration (correct bits double: 3, 6, ..., 96).
constexpr std::uint64_t inverse_of(std::uint64_t odd) {
  std::uint64_t x = odd;
  for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
  return x;
}
constexpr std::uint64_t murmur_m_inverse = inverse_of(murmur_m);
static_assert(murmur_m * murmur_m_inverse == 1);
constexpr std::uint64_t shift_mix(std::uint64_t v) { return v ^ (v >> 47); }
constexpr std::uint64_t mix_word(std::uint64_t w) { return shift_mix(w * murmur_m) * murmur_m; }
constexpr std::uint64_t unmix_word(std::uint64_t d) { return shift_mix(d * murmur_m_inverse) * murmur_m_inverse; }
static_assert(unmix_word(mix_word(0x0123456789abcdefu)) == 0x0123456789abcdefu);
std::uint64_t load_word(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

// "sk_live_" and 16 characters drawn from `random`: an API key of 24 bytes.
std::string api_key(std::mt19937_64& random) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string key = "sk_live_";
  for (int i = 0; i < 16; ++i) key.push_back(alphabet[random() % 32]);
  return key;
}

// `count` distinct 24-byte keys "sk_live_<8 characters><8 bytes>" that all share one unkeyed_hash() value:
// on libstdc++ the last 8 bytes bring the state of _Hash_bytes to one target; elsewhere the first 16 bytes
// are the same (unkeyed_hash below hashes only those).
std::vector<std::string> colliding_keys(std::size_t count) {
  std::mt19937_64 random(11);
  std::vector<std::string> keys;
  std::uint64_t prefix_state = 0xc70f6907u ^ (24 * murmur_m);
  prefix_state = (prefix_state ^ mix_word(load_word("sk_live_"))) * murmur_m;
  const std::uint64_t target = 0x5eed5eed5eed5eedu;
  for (std::size_t i = 0; i < count; ++i) {
    std::string key = api_key(random);
    if (crafting_for_std_hash) {
      const std::uint64_t state = (prefix_state ^ mix_word(load_word(key.data() + 8))) * murmur_m;
      const std::uint64_t last = unmix_word((target * murmur_m_inverse) ^ state);
      std::memcpy(&key[16], &last, 8);
    } else {
      key.replace(8, 8, "collided");
      for (std::size_t j = 0; j < 8; ++j) key[16 + j] = static_cast<char>('a' + (i >> (3 * j)) % 8);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// `count` random keys of the same form, none of the colliding ones.
std::vector<std::string> random_keys(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < count; ++i) keys.push_back(api_key(random));
  return keys;
}

// The unkeyed hash that keyed applied before it had a keyed one: std::hash of the bytes on libstdc++, else
// FNV-1a of the first 16 bytes (an injected hash whose collisions colliding_keys() knows).
std::size_t unkeyed_hash(std::string_view bytes) {
  if (crafting_for_std_hash) return std::hash<std::string_view>{}(bytes);
  std::uint64_t h = 14695981039346656037u;
  for (std::size_t i = 0; i < 16 && i < bytes.size(); ++i)
    h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211u;
  return static_cast<std::size_t>(h);
}

// Key comparisons: basic_string's operator== compares through Traits::compare, so a key type with these
// traits counts every stored key the limiter compares a requested key with (one per occupied slot probed).
std::uint64_t key_comparisons = 0;
struct counting_traits : std::char_traits<char> {
  static int compare(const char* a, const char* b, std::size_t n) noexcept {
    ++key_comparisons;
    return std::char_traits<char>::compare(a, b, n);
  }
};
using counted_string = std::basic_string<char, counting_traits>;

std::vector<counted_string> counted(const std::vector<std::string>& keys) {
  std::vector<counted_string> out;
  for (const auto& key : keys) out.emplace_back(key.data(), key.size());
  return out;
}

}  // namespace

// std::hash of the counted keys is the unkeyed hash of their bytes: what keyed did to every key before, and
// what a user passing std::hash as Hash gets.
namespace std {
template <>
struct hash<counted_string> {
  std::size_t operator()(const counted_string& key) const noexcept {
    return unkeyed_hash(std::string_view(key.data(), key.size()));
  }
};
}  // namespace std

namespace {

// 1 per minute, burst 10: every key allowed at t = 0 keeps a debt for the whole test, so none is ever dropped.
// Room for 65,536 keys: 64 shards of 1024 keys.
const quota flood_quota{1, 60s, 10};
constexpr std::size_t flood_capacity = 65536;
constexpr std::size_t attack_size = 8192;
constexpr std::size_t genuine_size = 4096;

struct flood_result {
  double comparisons_per_acquire = 0;
  std::size_t refused = 0;  // rate_capacity_exhausted
};

// Every key of `keys` twice at t = 0 (first stored, then found): comparisons per acquire, and refusals
// (each key counted once). Any other answer than allowed or rate_capacity_exhausted fails the test.
template <class Limiter>
flood_result acquire_all(Limiter& limiter, const std::vector<counted_string>& keys) {
  flood_result result;
  const std::uint64_t before = key_comparisons;
  for (int round = 0; round < 2; ++round)
    for (const auto& key : keys) {
      const auto answer = limiter.acquire(key, at(0ns));
      if (answer) {
        BOOST_REQUIRE(answer->allowed());
      } else {
        BOOST_REQUIRE(answer.error().code() == errc::rate_capacity_exhausted);
        if (round == 0) ++result.refused;
      }
    }
  result.comparisons_per_acquire =
      static_cast<double>(key_comparisons - before) / static_cast<double>(2 * keys.size());
  return result;
}

template <class Limiter>
Limiter make_flood_limiter() {
  auto made = Limiter::make(flood_quota, flood_capacity);
  BOOST_REQUIRE(made.has_value());
  return std::move(*made);
}

}  // namespace

BOOST_AUTO_TEST_CASE(crafted_keys_collide_in_the_unkeyed_hash) {
  const auto keys = colliding_keys(attack_size);
  BOOST_TEST_MESSAGE((crafting_for_std_hash ? "keys crafted for libstdc++'s std::hash"
                                            : "no libstdc++: an injected hash with known collisions"));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  BOOST_TEST((std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()));  // all distinct
  for (const auto& key : keys) {
    BOOST_REQUIRE(key.size() == 24u);
    BOOST_REQUIRE(key.compare(0, 8, "sk_live_") == 0);
    BOOST_REQUIRE(unkeyed_hash(key) == unkeyed_hash(keys[0]));
    if (crafting_for_std_hash) BOOST_REQUIRE(std::hash<std::string>{}(key) == std::hash<std::string>{}(keys[0]));
  }
  // The random keys do not collide.
  const auto genuine = random_keys(genuine_size, 12);
  std::size_t same = 0;
  for (const auto& key : genuine) same += unkeyed_hash(key) == unkeyed_hash(keys[0]) ? 1 : 0;
  BOOST_TEST(same == 0u);
}

BOOST_AUTO_TEST_CASE(colliding_keys_cost_what_random_keys_cost) {
  // The default hash (SipHash-2-4 under the limiter's random key): the 8192 crafted keys are spread like
  // random ones, about 128 per shard of 1024, and each acquire compares about as many stored keys as one of
  // 8192 random keys does (about half a comparison: none on most inserts, one on each second request).
  const auto attack = counted(colliding_keys(attack_size));
  const auto genuine = counted(random_keys(genuine_size, 12));
  auto random_limiter = make_flood_limiter<keyed<counted_string>>();
  const flood_result random_cost = acquire_all(random_limiter, counted(random_keys(attack_size, 13)));
  auto attacked = make_flood_limiter<keyed<counted_string>>();
  const flood_result attack_cost = acquire_all(attacked, attack);
  BOOST_TEST_MESSAGE("comparisons per acquire: random keys " << random_cost.comparisons_per_acquire
                                                             << ", crafted keys "
                                                             << attack_cost.comparisons_per_acquire);
  BOOST_TEST(random_cost.refused == 0u);
  BOOST_TEST(attack_cost.refused == 0u);
  BOOST_TEST(attack_cost.comparisons_per_acquire <= 3 * random_cost.comparisons_per_acquire);
  // Genuine new keys arriving during the attack are all stored.
  BOOST_TEST(acquire_all(attacked, genuine).refused == 0u);
  BOOST_TEST(attacked.size() == attack_size + genuine_size);

  // The same with std::string keys, the limiter of the report (keyed<std::string> with its default hash).
  auto plain = make_flood_limiter<keyed<std::string>>();
  std::size_t refused = 0;
  for (const auto& key : colliding_keys(attack_size)) refused += plain.acquire(key, at(0ns)).has_value() ? 0 : 1;
  for (const auto& key : random_keys(genuine_size, 12)) refused += plain.acquire(key, at(0ns)).has_value() ? 0 : 1;
  BOOST_TEST(refused == 0u);
  BOOST_TEST(plain.size() == attack_size + genuine_size);
}

BOOST_AUTO_TEST_CASE(an_unkeyed_user_hash_keeps_its_collisions) {
  // Hash = std::hash (unkeyed; what every key got before): the crafted keys share one hash value, so one
  // shard and one probe chain, whatever the limiter's random key. Of 2048 (fewer than above: each costs
  // a walk of the chain), the shard stores 1024, each further key walks the whole chain of 1024 and is
  // refused, and genuine keys landing in that shard (1 in 64) are refused too.
  constexpr std::size_t attack_here = 2048;
  const auto attack = counted(colliding_keys(attack_here));
  const auto genuine = counted(random_keys(genuine_size, 12));
  using unkeyed = keyed<counted_string, std::hash<counted_string>>;
  auto random_limiter = make_flood_limiter<unkeyed>();
  const flood_result random_cost = acquire_all(random_limiter, counted(random_keys(attack_here, 13)));
  auto attacked = make_flood_limiter<unkeyed>();
  const flood_result attack_cost = acquire_all(attacked, attack);
  BOOST_TEST_MESSAGE("comparisons per acquire: random keys " << random_cost.comparisons_per_acquire
                                                             << ", crafted keys "
                                                             << attack_cost.comparisons_per_acquire);
  BOOST_TEST(random_cost.refused == 0u);
  BOOST_TEST(attack_cost.refused == attack_here - 1024);
  BOOST_TEST(attack_cost.comparisons_per_acquire > 100 * random_cost.comparisons_per_acquire);
  // 4096 genuine keys, each in the flooded shard with probability 1/64: about 64 refused (none refused has
  // probability (63/64)^4096, below 10^-27).
  BOOST_TEST(acquire_all(attacked, genuine).refused > 0u);
}

namespace {

// What the default hash takes: strings and keys whose bytes are their value; not a double (+0 and -0 are
// equal with different bytes) nor a struct with padding.
enum class tier : std::uint8_t { free, paid };
struct padded {
  std::uint64_t id;
  std::uint8_t flag;
};
static_assert(keyward::rate::keyed_hash::accepts<std::string> && keyward::rate::keyed_hash::accepts<std::string_view>);
static_assert(keyward::rate::keyed_hash::accepts<std::u16string> && keyward::rate::keyed_hash::accepts<counted_string>);
static_assert(keyward::rate::keyed_hash::accepts<std::uint64_t> && keyward::rate::keyed_hash::accepts<tier>);
static_assert(keyward::rate::keyed_hash::accepts<std::array<std::uint8_t, 32>>);
static_assert(!keyward::rate::keyed_hash::accepts<double> && !keyward::rate::keyed_hash::accepts<padded>);

// A keyed hash of the user's for `padded` (hashing the members, not the padding), recording the hash keys
// it is given.
std::vector<keyward::crypto::siphash_key> hash_keys_seen;
struct padded_hash {
  std::uint64_t operator()(const keyward::crypto::siphash_key& key, const padded& value) const {
    hash_keys_seen.push_back(key);
    unsigned char bytes[9];
    std::memcpy(bytes, &value.id, 8);
    bytes[8] = value.flag;
    return keyward::crypto::siphash24(key, bytes, sizeof bytes);
  }
};
bool operator==(const padded& a, const padded& b) { return a.id == b.id && a.flag == b.flag; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_user_keyed_hash_gets_the_limiter_key) {
  // Each limiter hands its own random hash key to the user's keyed hash, the same on every call.
  auto first = keyed<padded, padded_hash>::make(quota{10, 1s, 2}, 100);
  auto second = keyed<padded, padded_hash>::make(quota{10, 1s, 2}, 100);
  BOOST_REQUIRE((first.has_value() && second.has_value()));
  hash_keys_seen.clear();
  BOOST_TEST(describe(first->acquire(padded{1, 0}, at(0ns))) == "allowed remaining=1 retry=0ms reset=100ms");
  BOOST_TEST(describe(first->acquire(padded{1, 1}, at(0ns))) == "allowed remaining=1 retry=0ms reset=100ms");
  BOOST_TEST(describe(first->acquire(padded{1, 0}, at(0ns))) == "allowed remaining=0 retry=0ms reset=200ms");
  BOOST_TEST(describe(second->acquire(padded{1, 0}, at(0ns))) == "allowed remaining=1 retry=0ms reset=100ms");
  BOOST_REQUIRE(hash_keys_seen.size() == 4u);
  for (std::size_t i = 1; i < 3; ++i)
    BOOST_TEST((hash_keys_seen[i].k0 == hash_keys_seen[0].k0 && hash_keys_seen[i].k1 == hash_keys_seen[0].k1));
  // Two random 128-bit keys are equal with probability 2^-128.
  BOOST_TEST(!(hash_keys_seen[3].k0 == hash_keys_seen[0].k0 && hash_keys_seen[3].k1 == hash_keys_seen[0].k1));
}
