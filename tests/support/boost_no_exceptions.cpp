// Boost.Test, dynamically linked, builds with -fno-exceptions once the program defines how Boost reports
// what would have been a throw: here, by aborting, which the test runner records as a failure.
#include <boost/config.hpp>

#ifdef BOOST_NO_EXCEPTIONS
#include <boost/assert/source_location.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace boost {
[[noreturn]] void throw_exception(const std::exception& e) {
  std::fprintf(stderr, "boost::throw_exception without exceptions: %s\n", e.what());
  std::abort();
}
[[noreturn]] void throw_exception(const std::exception& e, const boost::source_location&) {
  throw_exception(e);
}
}  // namespace boost
#endif
