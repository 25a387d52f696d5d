// Tests for include/keyward/keyward.hpp, the umbrella: everything is reachable through it, and the seed
// example (an API key as the Basic username with an empty password) works end to end.
#define BOOST_TEST_MODULE keyward
#include <boost/test/unit_test.hpp>

#include <keyward/keyward.hpp>

#include <string>

BOOST_AUTO_TEST_CASE(seed_basic_header_example) {
  // The worked example of the Basic-auth provider page: key "live_ScaleRocks", empty password.
  const std::string header = "Basic " + keyward::base64::encode("live_ScaleRocks:");
  BOOST_TEST(header == "Basic bGl2ZV9TY2FsZVJvY2tzOg==");
  const keyward::result<std::string> credentials = keyward::base64::decode(header.substr(6));
  BOOST_TEST(credentials.value() == "live_ScaleRocks:");
  BOOST_TEST(std::string(keyward::version_string).size() >= 5u);
}
