// Tests for include/keyward/rate/quota.hpp: a decision's Retry-After (RFC 9110 section 10.2.3, delay-seconds
// rounded up by http::retry_after_delay()) and the rounding of reset delays to whole seconds.
#define BOOST_TEST_MODULE rate_quota
#include <boost/test/unit_test.hpp>

#include <keyward/rate/quota.hpp>

#include "support/count_allocations.hpp"
#include "support/make_decision.hpp"
#include "support/test_support.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

// Optional values are compared whole; Boost.Test cannot print them.
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::chrono::seconds>)

using keyward::errc;
using keyward_test::make_decision;
using namespace std::chrono_literals;
namespace rate = keyward::rate;

using keyward_test::allocations;
using keyward_test::counting;

BOOST_AUTO_TEST_CASE(valid_quotas) {
  BOOST_TEST((rate::quota{1, 1s, 1}.valid()));
  BOOST_TEST(!(rate::quota{0, 1s, 1}.valid()));
  BOOST_TEST(!(rate::quota{1, 0s, 1}.valid()));
  BOOST_TEST(!(rate::quota{1, -1s, 1}.valid()));
  BOOST_TEST(!(rate::quota{1, 1s, 0}.valid()));
  BOOST_TEST((rate::quota{1, 1s, 1} == rate::quota{1, 1000ms, 1}));
  BOOST_TEST((rate::quota{1, 1s, 1} != rate::quota{1, 1s, 2}));
}

BOOST_AUTO_TEST_CASE(reset_delays_round_up) {
  using keyward::detail::rate_quota::seconds_rounded_up;
  BOOST_TEST(seconds_rounded_up(1ns) == 1u);
  BOOST_TEST(seconds_rounded_up(1s) == 1u);
  BOOST_TEST(seconds_rounded_up(1s + 1ns) == 2u);  // 1.000000001 s
  BOOST_TEST(seconds_rounded_up(999'999'999ns) == 1u);
  BOOST_TEST(seconds_rounded_up(2s) == 2u);
  BOOST_TEST(seconds_rounded_up(0ns) == 0u);
  BOOST_TEST(seconds_rounded_up(-5s) == 0u);
  BOOST_TEST(seconds_rounded_up(std::chrono::nanoseconds::max()) == 9'223'372'037u);  // ceil(9223372036.854775807)
  static_assert(seconds_rounded_up(1500ms) == 2);
}

BOOST_AUTO_TEST_CASE(retry_after_from_decisions) {
  using rate::verdict;
  BOOST_TEST(!rate::retry_after(make_decision(verdict::allowed, 5, 4, 0ns, 1s)).has_value());
  BOOST_TEST(rate::retry_after(make_decision(verdict::denied, 5, 0, 1ns, 5s)) == std::optional(1s));
  BOOST_TEST(rate::retry_after(make_decision(verdict::denied, 5, 0, 1s, 5s)) == std::optional(1s));
  BOOST_TEST(rate::retry_after(make_decision(verdict::denied, 5, 0, 1s + 1ns, 5s)) == std::optional(2s));
  // A denial is never "retry now", even from a decision that says 0.
  BOOST_TEST(rate::retry_after(make_decision(verdict::denied, 5, 0, 0ns, 5s)) == std::optional(1s));
  // Waiting cannot help a request larger than the burst.
  BOOST_TEST(!rate::retry_after(make_decision(verdict::never, 5, 5, 0ns, 0ns)).has_value());
  static_assert(*rate::retry_after(make_decision(verdict::denied, 5, 0, 1500ms, 5s)) == 2s);

  const auto denied = make_decision(verdict::denied, 5, 0, 2500ms, 5s);
  BOOST_TEST(keyward::http::retry_after(*rate::retry_after(denied)) == "3");
  char out[20];
  auto n = keyward::http::write_retry_after(*rate::retry_after(denied), out, sizeof out);
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(std::string_view(out, *n) == "3");
  char small[1] = {'x'};
  const auto big = make_decision(verdict::denied, 5, 0, 12s, 20s);
  BOOST_TEST(keyward::http::write_retry_after(*rate::retry_after(big), small, sizeof small).error() ==
             errc::buffer_too_small);
  BOOST_TEST(small[0] == 'x');  // nothing written
}

BOOST_AUTO_TEST_CASE(retry_after_allocates_nothing) {
  char out[20];
  allocations = 0;
  counting = true;
  const auto delay = rate::retry_after(make_decision(rate::verdict::denied, 1, 0, 1s, 1s));
  const bool written = delay && keyward::http::write_retry_after(*delay, out, sizeof out).has_value();
  counting = false;
  BOOST_TEST(allocations == 0u);
  BOOST_TEST(written);
}
