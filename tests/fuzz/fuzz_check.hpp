// FUZZ_CHECK(cond): stops a fuzz target with abort() when `cond` is false, in every build mode, so libFuzzer
// records the input as a crash.
#ifndef KEYWARD_TESTS_FUZZ_FUZZ_CHECK_HPP
#define KEYWARD_TESTS_FUZZ_FUZZ_CHECK_HPP

#include <cstdlib>

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

#endif  // KEYWARD_TESTS_FUZZ_FUZZ_CHECK_HPP
