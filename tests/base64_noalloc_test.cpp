// Encoding and decoding into caller buffers allocate nothing, on valid input and on every error path: this
// program replaces the global operator new and counts calls while keyward::base64 runs.
#define BOOST_TEST_MODULE base64_noalloc
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>

#include "support/count_allocations.hpp"
#include "support/forced_isa.hpp"

#include <cstdlib>
#include <string>
#include <vector>

// KEYWARD_TEST_ISA picks the kernel under test (tests/meson.build runs this suite once per kernel).
struct kernel_from_environment {
  kernel_from_environment() { BOOST_TEST_MESSAGE("kernel: " << keyward_test::force_kernel_from_environment()); }
};
BOOST_TEST_GLOBAL_FIXTURE(kernel_from_environment);

using keyward_test::allocations;
using keyward_test::counting;

BOOST_AUTO_TEST_CASE(buffer_forms_do_not_allocate) {
  namespace base64 = keyward::base64;
  const base64::options skip{base64::alphabet::standard, base64::padding::required, base64::whitespace::skip};
  std::vector<std::string> inputs;
  for (std::size_t n = 0; n < 300; ++n) inputs.push_back(std::string(n, static_cast<char>('a' + n % 26)));
  const std::vector<std::string> bad = {"Zh==", "AA=A", "A", "!!!!", "AA", "AAA\xff", "Zg==Zg=="};
  std::vector<char> text(1024);
  std::vector<unsigned char> bytes(1024);
  std::size_t successes = 0;
  std::size_t failures = 0;

  counting = true;
  for (const auto& in : inputs) {
    for (const auto opt : {base64::standard, base64::url, skip}) {
      const auto encoded = base64::write_encoded(in, text.data(), text.size(), opt);
      const auto decoded = base64::write_decoded({text.data(), *encoded}, bytes.data(), bytes.size(), opt);
      successes += decoded.has_value() ? 1 : 0;
    }
  }
  for (const auto& in : bad) {
    failures += base64::write_decoded(in, bytes.data(), bytes.size()).has_value() ? 0 : 1;
    failures += base64::write_decoded(in, bytes.data(), bytes.size(), skip).has_value() ? 0 : 1;
  }
  failures += base64::write_decoded("Zm9vYmFy", bytes.data(), 2).has_value() ? 0 : 1;
  counting = false;

  BOOST_TEST(allocations == 0u);
  BOOST_TEST(successes == 3 * inputs.size());
  BOOST_TEST(failures == 2 * bad.size() + 1);
}

BOOST_AUTO_TEST_CASE(the_counter_counts) {
  counting = true;
  std::string* s = new std::string(100, 'x');
  counting = false;
  BOOST_TEST(allocations >= 1u);
  delete s;
}
