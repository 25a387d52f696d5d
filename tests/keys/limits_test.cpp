// Tests for include/keyward/keys/limits.hpp: tiered_limiter (one GCRA table per plan tier) and no_limiter.
// Expected decisions follow the GCRA of rate/gcra.hpp's documentation: with quota {count, period, burst}, a
// burst of `burst` requests at one instant is allowed, the next waits period / count.
#define BOOST_TEST_MODULE keys_limits
#include <boost/test/unit_test.hpp>

#include <keyward/keys/limits.hpp>

#include "support/test_support.hpp"

#include <chrono>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
namespace rate = keyward::rate;
using keyward::errc;

namespace {
const keys::sys_nanoseconds t0{std::chrono::seconds(1796385600)};
const rate::quota free_tier{1, 1s, 2};   // 1 per second, bursts of 2
const rate::quota pro_tier{100, 1s, 50};
}  // namespace

BOOST_AUTO_TEST_CASE(each_key_is_limited_under_its_tier) {
  auto limiter = *keys::tiered_limiter::make({free_tier, pro_tier}, 100);
  BOOST_TEST(limiter.tier_count() == 2u);
  const auto a1 = limiter.acquire("AAAAAAAAAAAA", free_tier, t0);
  BOOST_TEST_REQUIRE(a1.has_value());
  BOOST_TEST(a1->allowed());
  BOOST_TEST(a1->limit == 2u);
  BOOST_TEST(a1->remaining == 1u);
  BOOST_TEST(limiter.acquire("AAAAAAAAAAAA", free_tier, t0)->allowed());
  const auto a3 = limiter.acquire("AAAAAAAAAAAA", free_tier, t0);
  BOOST_TEST(!a3->allowed());
  BOOST_TEST(a3->wait.count() == 1000000000);
  // Another key has its own bucket; the same id in another tier too.
  BOOST_TEST(limiter.acquire("BBBBBBBBBBBB", free_tier, t0)->allowed());
  BOOST_TEST(limiter.acquire("AAAAAAAAAAAA", pro_tier, t0)->remaining == 49u);
  // One emission interval later, one more.
  BOOST_TEST(limiter.acquire("AAAAAAAAAAAA", free_tier, t0 + 1s)->allowed());
  BOOST_TEST(!limiter.acquire("AAAAAAAAAAAA", free_tier, t0 + 1s)->allowed());
}

BOOST_AUTO_TEST_CASE(an_undeclared_quota_is_an_error) {
  auto limiter = *keys::tiered_limiter::make({free_tier}, 10);
  BOOST_TEST(limiter.acquire("AAAAAAAAAAAA", rate::quota{1, 1s, 3}, t0).error() == errc::rate_invalid_quota);
  BOOST_TEST(limiter.acquire("AAAA", free_tier, t0).error() == errc::key_invalid_length);
}

BOOST_AUTO_TEST_CASE(make_checks_the_tiers) {
  BOOST_TEST(keys::tiered_limiter::make({}, 10).error() == errc::key_invalid_options);
  BOOST_TEST(keys::tiered_limiter::make({free_tier, free_tier}, 10).error() == errc::key_invalid_options);
  BOOST_TEST(keys::tiered_limiter::make({rate::quota{0, 1s, 1}}, 10).error() == errc::rate_invalid_quota);
  BOOST_TEST(keys::tiered_limiter::make({free_tier}, 0).error() == errc::rate_invalid_capacity);
}

BOOST_AUTO_TEST_CASE(a_full_tier_fails_and_no_limiter_allows) {
  auto limiter = *keys::tiered_limiter::make({rate::quota{1, 1h, 1}}, 1);
  BOOST_TEST(limiter.acquire("AAAAAAAAAAAA", rate::quota{1, 1h, 1}, t0)->allowed());
  BOOST_TEST(limiter.acquire("BBBBBBBBBBBB", rate::quota{1, 1h, 1}, t0).error() == errc::rate_capacity_exhausted);
  const keys::no_limiter none;
  BOOST_TEST(none.acquire("AAAAAAAAAAAA", free_tier, t0)->allowed());
}
