// The precompiled header of the unit-test suites (tests/meson.build): the standard headers the suites and
// keyward include, and Boost.Test, parsed once per build instead of once per suite. keyward's own headers stay
// out, so each suite still compiles them with its own macros and the shims of the single-header build (with
// them in, the suites also built slower, with both compilers). The compiler reads this before a suite's first line:
// a macro a suite defined for a standard header would come too late (no suite does). headers_compile_alone and
// the Redis adapters' alone checks are built without it.
#ifndef KEYWARD_TESTS_PCH_SUITES_HPP
#define KEYWARD_TESTS_PCH_SUITES_HPP

// A suite defines BOOST_TEST_MODULE and then includes <boost/test/unit_test.hpp>, which defines main() when
// Boost.Test's config has turned BOOST_TEST_MODULE into BOOST_TEST_MAIN; that config is included here, before
// the suite's #define, so BOOST_TEST_MAIN is set here. <boost/test/unit_test.hpp> and
// <boost/test/unit_test_suite.hpp> (which name the master suite after BOOST_TEST_MODULE) are left to the suite.
#define BOOST_TEST_MAIN
#include <boost/test/framework.hpp>
#include <boost/test/test_tools.hpp>
#include <boost/test/tree/auto_registration.hpp>
#include <boost/test/tree/global_fixture.hpp>
#include <boost/test/tree/test_case_template.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <iterator>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <random>
#include <ratio>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#endif  // KEYWARD_TESTS_PCH_SUITES_HPP
