// Tests for include/keyward/config.hpp: the feature macros describe the build they are compiled in.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <keyward/config.hpp>

BOOST_AUTO_TEST_CASE(simd_macro_matches_the_target) {
#if defined(__x86_64__) && !defined(KEYWARD_NO_SIMD)
  BOOST_TEST(KEYWARD_X86_SIMD == 1);
#else
  BOOST_TEST(KEYWARD_X86_SIMD == 0);
#endif
}

BOOST_AUTO_TEST_CASE(likely_keeps_the_truth_value_and_evaluates_once) {
  int evaluations = 0;
  const auto count = [&](int value) {
    ++evaluations;
    return value;
  };
  BOOST_TEST(!KEYWARD_LIKELY(count(0)));
  BOOST_TEST(KEYWARD_LIKELY(count(7)) == 1);  // a truth value, not the operand
  BOOST_TEST(evaluations == 2);
}
