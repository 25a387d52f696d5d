#define BOOST_TEST_MODULE webhook_github
#include <boost/test/unit_test.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"
#include "webhook/webhook_test_support.hpp"

#include <keyward/webhook/github.hpp>

#include <string>
#include <vector>

namespace webhook = keyward::webhook;
using keyward::errc;
using keyward::error;

namespace {

// The example of GitHub's documentation (tests/vectors/webhooks/github_webhook_x_hub_signature_256.json).
struct documented {
  std::string text = keyward_test::read_vector_file("webhooks/github_webhook_x_hub_signature_256.json");
  std::string secret = webhook_test::json_string(text, "secret");
  std::string body = webhook_test::json_string(text, "payload");
  std::string hex = webhook_test::json_string(text, "signature_hex");
  std::string header = webhook_test::json_string(text, "header");
  webhook::github_verifier verifier() const { return webhook::github_verifier::make({secret}).value(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(documented_example) {
  const documented d;
  BOOST_TEST_REQUIRE(d.secret == "It's a Secret to Everybody");
  BOOST_TEST_REQUIRE(d.header == "sha256=" + d.hex);
  const auto verifier = d.verifier();
  BOOST_TEST(verifier.verify(d.header, d.body).has_value());
  BOOST_TEST(verifier.verify(" " + d.header + "\t", d.body).has_value());
  BOOST_TEST(verifier.verify(d.header, "Hello, World?").error() == error(errc::webhook_signature_mismatch));
  BOOST_TEST(verifier.verify(d.header, "").error() == error(errc::webhook_signature_mismatch));
  // Rotation: the old and the new secret.
  BOOST_TEST(webhook::github_verifier::make({"old secret", d.secret}).value().verify(d.header, d.body).has_value());
  BOOST_TEST(webhook::github_verifier::make({"old secret"}).value().verify(d.header, d.body).error() ==
             errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(every_rejection) {
  const documented d;
  const auto verifier = d.verifier();
  const auto check = [&](const std::string& field) { return verifier.verify(field, d.body); };
  BOOST_TEST(check("").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check("  ").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(d.hex).error() == error(errc::webhook_invalid_signature_header, 64));
  BOOST_TEST(check("=" + d.hex).error() == error(errc::webhook_invalid_signature_header, 0));
  BOOST_TEST(check("sha256").error() == error(errc::webhook_invalid_signature_header, 6));
  BOOST_TEST(check("sha-256=" + d.hex).error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check("sha256 =" + d.hex).error() == error(errc::webhook_invalid_signature_header, 6));
  BOOST_TEST(check("sha256=").error() == error(errc::webhook_invalid_signature_header, 7));
  BOOST_TEST(check("sha256=" + d.hex.substr(2)).error() == error(errc::webhook_invalid_signature_header, 7));
  BOOST_TEST(check("sha256=" + d.hex + "00").error() == error(errc::webhook_invalid_signature_header, 7));
  BOOST_TEST(check("sha256=" + d.hex + " x").error() == error(errc::webhook_invalid_signature_header, 7));
  // Upper-case hex (GitHub sends lower case): the first upper-case digit.
  std::string upper = d.hex;
  upper[1] = 'A';  // 757107ea... -> 7A...
  BOOST_TEST(check("sha256=" + upper).error() == error(errc::webhook_invalid_signature_header, 8));
  BOOST_TEST(check("sha256=" + d.hex.substr(0, 63) + "z").error() == error(errc::webhook_invalid_signature_header, 70));
  // Another algorithm (the legacy SHA-1 field's form) or case: not a signature keyward verifies.
  BOOST_TEST(check("sha1=" + d.hex.substr(0, 40)).error() == error(errc::webhook_no_signature, 0));
  BOOST_TEST(check("SHA256=" + d.hex).error() == error(errc::webhook_no_signature, 0));
  BOOST_TEST(check(" sha512=" + d.hex).error() == error(errc::webhook_no_signature, 1));
  // make()
  BOOST_TEST(webhook::github_verifier::make({}).error() == error(errc::webhook_invalid_options));
  BOOST_TEST(webhook::github_verifier::make({d.secret, ""}).error() == error(errc::webhook_invalid_secret));
}

BOOST_AUTO_TEST_CASE(python_cross_check) {
  const auto cases = webhook_test::random_cases(150, 1, 0x5eed0003);
  const auto signed_by_python = webhook_test::python_sign("github", cases);
  BOOST_TEST_REQUIRE(signed_by_python.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto verifier = webhook::github_verifier::make({c.key}).value();
    BOOST_TEST(verifier.verify(signed_by_python[i].signature, c.body).has_value(), "case " << i);
    BOOST_TEST(verifier.verify(signed_by_python[i].signature, c.body + '\0').error() == errc::webhook_signature_mismatch);
  }
}

BOOST_AUTO_TEST_CASE(verify_allocates_nothing) {
  const documented d;
  const auto verifier = d.verifier();
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool good = verifier.verify(d.header, d.body).has_value();
  const bool bad = !verifier.verify("sha256=zz", d.body).has_value();
  keyward_test::counting = false;
  BOOST_TEST(good);
  BOOST_TEST(bad);
  BOOST_TEST(keyward_test::allocations == 0u);
}
