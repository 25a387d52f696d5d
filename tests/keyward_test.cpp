// Tests for include/keyward/keyward.hpp, the umbrella: it includes every public header but the optional
// adapters that need a third-party library, and the README's example (an API key as the Basic username with an
// empty password) works end to end through it.
#define BOOST_TEST_MODULE keyward
#include <boost/test/unit_test.hpp>

#include <keyward/keyward.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {
const std::filesystem::path include_root = std::filesystem::path(KEYWARD_TEST_VECTORS) / ".." / ".." / "include";
}

BOOST_AUTO_TEST_CASE(umbrella_includes_every_public_header) {
  std::ifstream umbrella(include_root / "keyward" / "keyward.hpp");
  std::stringstream text;
  text << umbrella.rdbuf();
  // Need hiredis: included on their own.
  const std::set<std::string> optional = {"rate/redis.hpp", "keys/redis_limits.hpp", "keys/redis_store.hpp"};
  std::size_t public_headers = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(include_root / "keyward")) {
    const std::string relative = entry.path().lexically_relative(include_root / "keyward").generic_string();
    if (entry.path().extension() != ".hpp" || relative.rfind("detail/", 0) == 0 || relative == "keyward.hpp") continue;
    ++public_headers;
    const bool included = text.str().find("#include \"" + relative + "\"") != std::string::npos;
    BOOST_TEST(included == (optional.count(relative) == 0), relative);
  }
  BOOST_TEST(public_headers > 10u);
}

BOOST_AUTO_TEST_CASE(seed_basic_header_example) {
  // The worked example of the Basic-auth provider page: key "live_ScaleRocks", empty password.
  const std::string header = "Basic " + keyward::base64::encode("live_ScaleRocks:");
  BOOST_TEST(header == "Basic bGl2ZV9TY2FsZVJvY2tzOg==");
  const keyward::result<std::string> credentials = keyward::base64::decode(header.substr(6));
  BOOST_TEST(credentials.value() == "live_ScaleRocks:");
}
