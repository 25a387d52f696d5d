#define BOOST_TEST_MODULE webhook_slack
#include <boost/test/unit_test.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"
#include "webhook/webhook_test_support.hpp"

#include <keyward/webhook/slack.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace webhook = keyward::webhook;
using keyward::errc;
using keyward::error;
using webhook_test::at;

namespace {

// The python-slack-sdk test vector (tests/vectors/webhooks/slack_v0_signature.json).
struct sdk_vector {
  std::string text = keyward_test::read_vector_file("webhooks/slack_v0_signature.json");
  std::string secret = webhook_test::json_string(text, "signing_secret");
  std::string ts = webhook_test::json_string(text, "timestamp");
  std::string body = webhook_test::json_string(text, "body");
  std::string signature = webhook_test::json_string(text, "expected_signature");
  std::int64_t timestamp = 1531420618;
  webhook::slack_verifier verifier(const webhook::slack_options& options = {}) const {
    return webhook::slack_verifier::make({secret}, options).value();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(sdk_vector_verifies) {
  const sdk_vector v;
  BOOST_TEST_REQUIRE(v.ts == std::to_string(v.timestamp));
  BOOST_TEST_REQUIRE(v.signature.size() == 67u);
  const auto verifier = v.verifier();
  BOOST_TEST(verifier.verify({v.ts, v.signature}, v.body, at(v.timestamp)).has_value());
  BOOST_TEST(verifier.verify({" " + v.ts + " ", "\t" + v.signature}, v.body, at(v.timestamp)).has_value());
  BOOST_TEST(verifier.verify({v.ts, v.signature}, v.body + "&x=1", at(v.timestamp)).error() ==
             error(errc::webhook_signature_mismatch));
  // The vector file's pitfall: the secret without its last '5' does not match.
  const std::string pitfall = v.secret.substr(0, v.secret.size() - 1);
  BOOST_TEST(webhook::slack_verifier::make({pitfall}).value().verify({v.ts, v.signature}, v.body, at(v.timestamp)).error() ==
             errc::webhook_signature_mismatch);
  BOOST_TEST(webhook::slack_verifier::make({pitfall, v.secret}).value().verify({v.ts, v.signature}, v.body, at(v.timestamp))
                 .has_value());
  // Another timestamp inside the window is another message.
  BOOST_TEST(verifier.verify({"1531420619", v.signature}, v.body, at(v.timestamp)).error() ==
             errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(tolerance_both_ways) {
  const sdk_vector v;
  const auto verifier = v.verifier();
  const webhook::slack_headers h{v.ts, v.signature};
  BOOST_TEST(verifier.verify(h, v.body, at(v.timestamp + 300)).has_value());
  BOOST_TEST(verifier.verify(h, v.body, at(v.timestamp + 301)).error() == error(errc::webhook_timestamp_too_old));
  BOOST_TEST(verifier.verify(h, v.body, at(v.timestamp - 300)).has_value());
  BOOST_TEST(verifier.verify(h, v.body, at(v.timestamp - 301)).error() == error(errc::webhook_timestamp_too_new));
  BOOST_TEST(verifier.verify(h, v.body, at(v.timestamp - 300) - std::chrono::microseconds(1)).error() ==
             errc::webhook_timestamp_too_new);
  webhook::slack_options narrow;
  narrow.tolerance = std::chrono::seconds(60);
  BOOST_TEST(v.verifier(narrow).verify(h, v.body, at(v.timestamp + 60)).has_value());
  BOOST_TEST(v.verifier(narrow).verify(h, v.body, at(v.timestamp + 61)).error() == errc::webhook_timestamp_too_old);
  BOOST_TEST(v.verifier(narrow).verify(h, v.body, at(v.timestamp - 61)).error() == errc::webhook_timestamp_too_new);
}

BOOST_AUTO_TEST_CASE(every_rejection) {
  const sdk_vector v;
  const auto verifier = v.verifier();
  const auto check = [&](const std::string& ts, const std::string& sig) {
    return verifier.verify({ts, sig}, v.body, at(v.timestamp));
  };
  const std::string hex = v.signature.substr(3);
  BOOST_TEST(check("", v.signature).error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(v.ts, "").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(v.ts, " ").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check("+1531420618", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check("01531420618", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check("1531420618.000", v.signature).error() == error(errc::webhook_invalid_timestamp, 10));
  BOOST_TEST(check("1e9", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check("18446744073709551616", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.ts, hex).error() == error(errc::webhook_invalid_signature_header, 64));
  BOOST_TEST(check(v.ts, "v0:" + hex).error() == error(errc::webhook_invalid_signature_header, 2));
  BOOST_TEST(check(v.ts, "v0=").error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check(v.ts, "v0=" + hex.substr(1)).error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check(v.ts, "v0=A" + hex.substr(1)).error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check(v.ts, "v0=" + hex + "," + v.signature).error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check(v.ts, "v1=" + hex).error() == error(errc::webhook_no_signature, 0));
  BOOST_TEST(check(v.ts, "V0=" + hex).error() == error(errc::webhook_no_signature, 0));
  // make()
  BOOST_TEST(webhook::slack_verifier::make({}).error() == error(errc::webhook_invalid_options));
  BOOST_TEST(webhook::slack_verifier::make({""}).error() == error(errc::webhook_invalid_secret));
  webhook::slack_options zero;
  zero.tolerance = std::chrono::seconds(0);
  BOOST_TEST(webhook::slack_verifier::make({v.secret}, zero).error() == error(errc::webhook_invalid_options));
  BOOST_TEST(v.verifier().options().tolerance.count() == 300);
}

BOOST_AUTO_TEST_CASE(python_cross_check) {
  const auto cases = webhook_test::random_cases(150, 1, 0x5eed0004);
  const auto signed_by_python = webhook_test::python_sign("slack", cases);
  BOOST_TEST_REQUIRE(signed_by_python.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto verifier = webhook::slack_verifier::make({c.key}).value();
    const std::string ts = std::to_string(c.timestamp);
    BOOST_TEST(verifier.verify({ts, signed_by_python[i].signature}, c.body, at(c.timestamp)).has_value(), "case " << i);
    BOOST_TEST(verifier.verify({ts, signed_by_python[i].signature}, "x" + c.body, at(c.timestamp)).error() ==
               errc::webhook_signature_mismatch);
  }
}

BOOST_AUTO_TEST_CASE(verify_allocates_nothing) {
  const sdk_vector v;
  const auto verifier = v.verifier();
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool good = verifier.verify({v.ts, v.signature}, v.body, at(v.timestamp)).has_value();
  const bool bad = !verifier.verify({v.ts, "v0=1"}, v.body, at(v.timestamp)).has_value();
  keyward_test::counting = false;
  BOOST_TEST(good);
  BOOST_TEST(bad);
  BOOST_TEST(keyward_test::allocations == 0u);
}
