// Test helper: a rate::decision with every field given, for the header writers' tests.
#ifndef KEYWARD_TEST_MAKE_DECISION_HPP
#define KEYWARD_TEST_MAKE_DECISION_HPP

#include <keyward/rate/quota.hpp>

#include <chrono>
#include <cstdint>

namespace keyward_test {

constexpr keyward::rate::decision make_decision(keyward::rate::verdict outcome, std::uint64_t limit,
                                                std::uint64_t remaining, std::chrono::nanoseconds wait,
                                                std::chrono::nanoseconds reset_after) {
  keyward::rate::decision d;
  d.outcome = outcome;
  d.limit = limit;
  d.remaining = remaining;
  d.wait = wait;
  d.reset_after = reset_after;
  return d;
}

}  // namespace keyward_test

#endif  // KEYWARD_TEST_MAKE_DECISION_HPP
