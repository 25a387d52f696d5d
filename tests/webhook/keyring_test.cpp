#define BOOST_TEST_MODULE webhook_keyring
#include <boost/test/unit_test.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"
#include "webhook/webhook_test_support.hpp"

#include <keyward/webhook/keyring.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace webhook = keyward::webhook;
using keyward::errc;
using keyward::error;

namespace {

// The full-length HMAC-SHA-256 cases of RFC 4231 (tests/vectors/rfc/rfc4231_hmac.json): key, data, tag.
struct rfc_case {
  std::string key, data;
  webhook::tag mac;
};
std::vector<rfc_case> rfc4231_sha256() {
  const std::string text = keyward_test::read_vector_file("rfc/rfc4231_hmac.json");
  std::vector<rfc_case> cases;
  for (std::size_t from = 0;;) {
    const std::size_t at = text.find("\"hash\": \"sha256\"", from);
    if (at == std::string::npos) break;
    from = at;
    rfc_case c;
    c.key = keyward_test::from_hex(webhook_test::json_string(text, "key", from));
    c.data = keyward_test::from_hex(webhook_test::json_string(text, "data", from));
    const std::string mac = keyward_test::from_hex(webhook_test::json_string(text, "mac", from));
    if (mac.size() != c.mac.size()) continue;  // case 5 is truncated
    std::memcpy(c.mac.data(), mac.data(), mac.size());
    cases.push_back(c);
  }
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_refuses_no_key_and_empty_keys) {
  BOOST_TEST(webhook::keyring::make({}).error() == error(errc::webhook_invalid_options));
  BOOST_TEST(webhook::keyring::make({""}).error() == error(errc::webhook_invalid_secret));
  BOOST_TEST(webhook::keyring::make({"a", ""}).error() == error(errc::webhook_invalid_secret));
  BOOST_TEST(webhook::keyring::make({"a", "b", "c"}).value().size() == 3u);
}

BOOST_AUTO_TEST_CASE(rfc4231_tags_match_under_any_key) {
  const std::vector<rfc_case> cases = rfc4231_sha256();
  BOOST_TEST_REQUIRE(cases.size() == 6u);
  for (const rfc_case& c : cases) {
    const auto feed = [&](keyward::crypto::hmac_sha256::stream& s) { s.update(c.data); };
    // The key alone, first, last, or absent among others.
    BOOST_TEST(webhook::keyring::make({c.key}).value().matches_any(feed, &c.mac, 1));
    BOOST_TEST(webhook::keyring::make({c.key, "other"}).value().matches_any(feed, &c.mac, 1));
    BOOST_TEST(webhook::keyring::make({"other", "more", c.key}).value().matches_any(feed, &c.mac, 1));
    BOOST_TEST(!webhook::keyring::make({"other", "more"}).value().matches_any(feed, &c.mac, 1));
    // Among several received tags, in any position; a one-bit change anywhere fails.
    webhook::tag tags[3] = {c.mac, c.mac, c.mac};
    tags[0][5] ^= 1;
    tags[2][31] ^= 0x80;
    const auto ring = webhook::keyring::make({c.key}).value();
    BOOST_TEST(ring.matches_any(feed, tags, 3));
    BOOST_TEST(!ring.matches_any(feed, tags, 1));
    BOOST_TEST(!ring.matches_any(feed, tags + 2, 1));
    BOOST_TEST(!ring.matches_any(feed, tags, 0));
    // The message fed in pieces is the same message.
    const auto pieces = [&](keyward::crypto::hmac_sha256::stream& s) {
      for (const char byte : c.data) s.update(&byte, 1);
    };
    BOOST_TEST(ring.matches_any(pieces, &c.mac, 1));
    // sign() uses the first key.
    BOOST_TEST(keyward_test::to_hex(std::string(reinterpret_cast<const char*>(ring.sign(feed).data()), 32)) ==
               keyward_test::to_hex(std::string(reinterpret_cast<const char*>(c.mac.data()), 32)));
    const auto second = webhook::keyring::make({"other", c.key}).value();
    BOOST_TEST(second.sign(feed) != c.mac);
  }
}

BOOST_AUTO_TEST_CASE(matches_any_allocates_nothing) {
  const std::vector<rfc_case> cases = rfc4231_sha256();
  BOOST_TEST_REQUIRE(!cases.empty());
  const auto ring = webhook::keyring::make({"x", cases[0].key}).value();
  const auto feed = [&](keyward::crypto::hmac_sha256::stream& s) { s.update(cases[0].data); };
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool matched = ring.matches_any(feed, &cases[0].mac, 1);
  keyward_test::counting = false;
  BOOST_TEST(matched);
  BOOST_TEST(keyward_test::allocations == 0u);
}
