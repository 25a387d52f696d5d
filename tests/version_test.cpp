// Tests for include/keyward/version.hpp: the macros, the number and the string agree, and match the
// version that meson.build declares.
#define BOOST_TEST_MODULE version
#include <boost/test/unit_test.hpp>

#include <keyward/version.hpp>

#include <fstream>
#include <sstream>
#include <string>

BOOST_AUTO_TEST_CASE(macros_string_and_build_agree) {
  const std::string expected = std::to_string(KEYWARD_VERSION_MAJOR) + "." + std::to_string(KEYWARD_VERSION_MINOR) +
                               "." + std::to_string(KEYWARD_VERSION_PATCH);
  BOOST_TEST(keyward::version_string == expected);
  BOOST_TEST(KEYWARD_VERSION == KEYWARD_VERSION_MAJOR * 10000 + KEYWARD_VERSION_MINOR * 100 + KEYWARD_VERSION_PATCH);
  std::ifstream build(std::string(KEYWARD_TEST_VECTORS) + "/../../meson.build");
  std::stringstream text;
  text << build.rdbuf();
  BOOST_TEST(text.str().find("version: '" + expected + "'") != std::string::npos);
}
