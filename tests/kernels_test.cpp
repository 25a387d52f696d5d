// Tests for include/keyward/kernels.hpp: the kernel set the dispatchers may use, forced and restored.
// (That each forced kernel gives the same results is tested by the Base64 suites, run once per kernel, and
// by the SHA-2 and HMAC suites, run once per available implementation.)
#define BOOST_TEST_MODULE kernels
#include <boost/test/unit_test.hpp>

#include <keyward/kernels.hpp>

#include <cstdint>

namespace kernels = keyward::kernels;
using kernels::kernel;

namespace {
const kernel each[] = {kernel::scalar, kernel::avx2,        kernel::avx512vbmi,           kernel::sha_ni,
                       kernel::pclmul, kernel::all, kernel::avx2 | kernel::sha_ni};
}

BOOST_AUTO_TEST_CASE(sets_combine_bit_by_bit) {
  static_assert((kernel::avx2 | kernel::avx512vbmi | kernel::sha_ni | kernel::pclmul) == kernel::all);
  static_assert((kernel::avx2 & kernel::sha_ni) == kernel::scalar);
  static_assert(((kernel::avx2 | kernel::sha_ni) & kernel::sha_ni) == kernel::sha_ni);
  static_assert(static_cast<std::uint32_t>(kernel::scalar) == 0);
}

BOOST_AUTO_TEST_CASE(availability_is_a_subset_of_all) {
  BOOST_TEST(kernels::available(kernel::scalar));
  BOOST_TEST(((kernels::available() & kernel::all) == kernels::available()));
  for (const kernel k : each) {
    BOOST_TEST(kernels::available(k) == ((kernels::available() & k) == k), "set " << static_cast<unsigned>(k));
  }
#if !KEYWARD_X86_SIMD
  BOOST_TEST((kernels::available() == kernel::scalar));
#endif
  BOOST_TEST_MESSAGE("available kernel bits: " << static_cast<unsigned>(kernels::available()));
}

BOOST_AUTO_TEST_CASE(by_default_every_available_kernel_is_active) {
  BOOST_TEST((kernels::active() == kernels::available()));
}

BOOST_AUTO_TEST_CASE(force_restricts_and_returns_the_previous_setting) {
  for (const kernel k : each) {
    BOOST_TEST((kernels::force(k) == kernel::all));
    // An unavailable kernel is not used: what is active is what is both forced and available.
    BOOST_TEST((kernels::active() == (kernels::available() & k)), "set " << static_cast<unsigned>(k));
    BOOST_TEST((kernels::force(kernel::all) == k));
    BOOST_TEST((kernels::active() == kernels::available()));
  }
}

BOOST_AUTO_TEST_CASE(scoped_force_restores_on_exit_and_nests) {
  {
    const kernels::scoped_force outer(kernel::sha_ni);
    BOOST_TEST((kernels::active() == (kernels::available() & kernel::sha_ni)));
    {
      const kernels::scoped_force inner(kernel::scalar);
      BOOST_TEST((kernels::active() == kernel::scalar));
    }
    BOOST_TEST((kernels::active() == (kernels::available() & kernel::sha_ni)));
  }
  BOOST_TEST((kernels::active() == kernels::available()));
}
