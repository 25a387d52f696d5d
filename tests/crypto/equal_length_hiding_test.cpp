// Tests for include/keyward/crypto/equal_length_hiding.hpp: equality of contents whatever the lengths.
#define BOOST_TEST_MODULE crypto_equal_length_hiding
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/equal_length_hiding.hpp>

#include <string>
#include <string_view>

using keyward::crypto::equal_length_hiding;

BOOST_AUTO_TEST_CASE(length_hiding_compare) {
  BOOST_TEST(equal_length_hiding("secret-token", "secret-token"));
  BOOST_TEST(!equal_length_hiding("secret-token", "secret-tokem"));
  BOOST_TEST(!equal_length_hiding("secret-token", "secret-token-longer"));
  BOOST_TEST(!equal_length_hiding("", "a"));
  BOOST_TEST(equal_length_hiding("", ""));
  // The length is bound into the digest: a prefix with trailing zero bytes is still different.
  BOOST_TEST(!equal_length_hiding(std::string_view("ab", 2), std::string_view("ab\0", 3)));
}

BOOST_AUTO_TEST_CASE(every_single_bit_difference_is_found) {
  for (std::size_t size = 1; size <= 130; size += 43) {
    const std::string a(size, '\x5a');
    for (std::size_t at = 0; at < size; ++at) {
      std::string b = a;
      b[at] = static_cast<char>(b[at] ^ 0x01);
      if (equal_length_hiding(a, b)) BOOST_ERROR("size " << size << ": difference at " << at << " missed");
    }
    BOOST_TEST(equal_length_hiding(a, std::string(a)));
  }
}
