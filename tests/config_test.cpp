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
  BOOST_TEST(KEYWARD_LIKELY(true));
}
