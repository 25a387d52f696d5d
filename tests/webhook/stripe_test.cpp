#define BOOST_TEST_MODULE webhook_stripe
#include <boost/test/unit_test.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"
#include "webhook/webhook_test_support.hpp"

#include <keyward/webhook/stripe.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace webhook = keyward::webhook;
using keyward::errc;
using keyward::error;
using webhook_test::at;

namespace {

// One event signed by Python (tests/webhook/webhook_crosscheck.py, run now): the endpoint secret "whsec_"
// plus 32 characters, used as raw bytes as Stripe does.
struct event {
  std::string secret = "whsec_" + std::string("5a1ee7c0ffee5a1ee7c0ffee5a1ee7c0");
  std::int64_t timestamp = 1492774577;  // the timestamp of Stripe's documentation example
  std::string body = R"({"id":"evt_1","object":"event","type":"payment_intent.succeeded"})";
  std::string header;  // t=...,v1=... from Python
  std::string v1;      // the hex of the v1 item

  event() {
    webhook_test::signing_case c;
    c.key = secret;
    c.timestamp = timestamp;
    c.body = body;
    const auto signed_by_python = webhook_test::python_sign("stripe", {c});
    if (signed_by_python.size() == 1) header = signed_by_python[0].signature;
    v1 = header.substr(header.find("v1=") + 3);
  }
  webhook::stripe_verifier verifier(const webhook::stripe_options& options = {}) const {
    return webhook::stripe_verifier::make({secret}, options).value();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(python_signed_event_verifies) {
  const event e;
  BOOST_TEST_REQUIRE(e.header == "t=1492774577,v1=" + e.v1);
  BOOST_TEST_REQUIRE(e.v1.size() == 64u);
  const auto verifier = e.verifier();
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp)).has_value());
  BOOST_TEST(verifier.verify(e.header, e.body + "\n", at(e.timestamp)).error() == error(errc::webhook_signature_mismatch));
  // The secret is the key as its bytes: without "whsec_" (or Base64-decoded) it is another key.
  BOOST_TEST(webhook::stripe_verifier::make({e.secret.substr(6)}).value().verify(e.header, e.body, at(e.timestamp)).error() ==
             errc::webhook_signature_mismatch);
  // Item order does not matter; v0 items and unknown names are ignored; OWS around the value is.
  BOOST_TEST(verifier.verify("v1=" + e.v1 + ",t=1492774577", e.body, at(e.timestamp)).has_value());
  BOOST_TEST(verifier.verify(" t=1492774577,v0=" + std::string(64, '0') + ",v1=" + e.v1 + ",x9=y ", e.body, at(e.timestamp))
                 .has_value());
  // Several v1 items (Stripe rolling a secret): any may match.
  BOOST_TEST(verifier.verify("t=1492774577,v1=" + std::string(64, 'a') + ",v1=" + e.v1, e.body, at(e.timestamp)).has_value());
  BOOST_TEST(verifier.verify("t=1492774577,v1=" + std::string(64, 'a'), e.body, at(e.timestamp)).error() ==
             errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(tolerance_both_ways) {
  const event e;
  const auto verifier = e.verifier();
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp + 300)).has_value());
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp + 301)).error() == error(errc::webhook_timestamp_too_old));
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp - 300)).has_value());
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp - 301)).error() == error(errc::webhook_timestamp_too_new));
  BOOST_TEST(verifier.verify(e.header, e.body, at(e.timestamp + 300) + std::chrono::nanoseconds(999'999'999)).has_value());
  webhook::stripe_options wide;
  wide.tolerance = std::chrono::hours(1);
  BOOST_TEST(e.verifier(wide).verify(e.header, e.body, at(e.timestamp + 3600)).has_value());
  BOOST_TEST(e.verifier(wide).verify(e.header, e.body, at(e.timestamp + 3601)).error() == errc::webhook_timestamp_too_old);
  BOOST_TEST(e.verifier(wide).verify(e.header, e.body, at(e.timestamp - 3601)).error() == errc::webhook_timestamp_too_new);
}

BOOST_AUTO_TEST_CASE(every_rejection_of_the_field) {
  const event e;
  const auto verifier = e.verifier();
  const auto check = [&](const std::string& field) { return verifier.verify(field, e.body, at(e.timestamp)); };
  const std::string v1 = "v1=" + e.v1;
  BOOST_TEST(check("").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(" \t ").error() == error(errc::webhook_missing_header));
  // Items: no '=', an empty name, a name byte outside [A-Za-z0-9], an empty value, an empty item.
  BOOST_TEST(check("t1492774577," + v1).error() == error(errc::webhook_invalid_signature_header, 11));
  BOOST_TEST(check("=1," + v1).error() == error(errc::webhook_invalid_signature_header, 0));
  BOOST_TEST(check("t=1492774577, " + v1).error() == error(errc::webhook_invalid_signature_header, 13));
  BOOST_TEST(check("t=1492774577,v_1=a," + v1).error() == error(errc::webhook_invalid_signature_header, 14));
  BOOST_TEST(check("t=," + v1).error() == error(errc::webhook_invalid_signature_header, 2));
  BOOST_TEST(check("t=1492774577,," + v1).error() == error(errc::webhook_invalid_signature_header, 13));
  BOOST_TEST(check("t=1492774577," + v1 + ",").error() == error(errc::webhook_invalid_signature_header, 81));
  // The timestamp: twice, absent, not strict digits.
  BOOST_TEST(check("t=1492774577,t=1492774577," + v1).error() == error(errc::webhook_invalid_signature_header, 13));
  BOOST_TEST(check(v1).error() == error(errc::webhook_invalid_signature_header));
  BOOST_TEST(check("t=01492774577," + v1).error() == error(errc::webhook_invalid_timestamp, 3));
  BOOST_TEST(check("t=-1," + v1).error() == error(errc::webhook_invalid_timestamp, 2));
  BOOST_TEST(check("t=1492774577.5," + v1).error() == error(errc::webhook_invalid_timestamp, 12));
  BOOST_TEST(check("t=99999999999999999999," + v1).error() == error(errc::webhook_invalid_timestamp, 2));
  // v1 values: upper-case hex, too short, too long, a non-hex digit.
  std::string upper = e.v1;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  BOOST_TEST_REQUIRE(upper != e.v1);  // 64 hex digits with no letter: the case would test nothing
  std::size_t first = 0;
  while (upper[first] == e.v1[first]) ++first;
  BOOST_TEST(check("t=1492774577,v1=" + upper).error() == error(errc::webhook_invalid_signature_header, 16 + first));
  BOOST_TEST(check("t=1492774577,v1=" + e.v1.substr(1)).error() == error(errc::webhook_invalid_signature_header, 16));
  BOOST_TEST(check("t=1492774577," + v1 + "0").error() == error(errc::webhook_invalid_signature_header, 16));
  BOOST_TEST(check("t=1492774577,v1=g" + e.v1.substr(1)).error() == error(errc::webhook_invalid_signature_header, 16));
  // No v1 at all: only v0 or unknown schemes.
  BOOST_TEST(check("t=1492774577,v0=" + e.v1).error() == error(errc::webhook_no_signature));
  BOOST_TEST(check("t=1492774577").error() == error(errc::webhook_no_signature));
  BOOST_TEST(check("t=1492774577,V1=" + e.v1).error() == error(errc::webhook_no_signature));
  // The cap counts every item but t: 8 pass, the 9th is refused at its offset.
  std::string eight = "t=1492774577";
  for (int i = 0; i < 7; ++i) eight += ",v0=ab";
  BOOST_TEST(check(eight + "," + v1).has_value());
  BOOST_TEST(check(eight + ",v0=ab," + v1).error() == error(errc::webhook_too_many_signatures, eight.size() + 7));
  webhook::stripe_options one;
  one.max_signatures = 1;
  BOOST_TEST(e.verifier(one).verify("t=1492774577,v1=" + std::string(64, 'a') + "," + v1, e.body, at(e.timestamp)).error() ==
             error(errc::webhook_too_many_signatures, 13 + 67 + 1));
}

BOOST_AUTO_TEST_CASE(make_checks_secrets_and_options) {
  BOOST_TEST(webhook::stripe_verifier::make({}).error() == error(errc::webhook_invalid_options));
  BOOST_TEST(webhook::stripe_verifier::make({""}).error() == error(errc::webhook_invalid_secret));
  BOOST_TEST(webhook::stripe_verifier::make({"whsec_a", ""}).error() == error(errc::webhook_invalid_secret));
  webhook::stripe_options o;
  o.tolerance = std::chrono::seconds(0);
  BOOST_TEST(webhook::stripe_verifier::make({"whsec_a"}, o).error() == errc::webhook_invalid_options);
  o = {};
  o.max_signatures = 0;
  BOOST_TEST(webhook::stripe_verifier::make({"whsec_a"}, o).error() == errc::webhook_invalid_options);
  o.max_signatures = 17;
  BOOST_TEST(webhook::stripe_verifier::make({"whsec_a"}, o).error() == errc::webhook_invalid_options);
  o.max_signatures = 16;
  BOOST_TEST(webhook::stripe_verifier::make({"whsec_a"}, o).value().options().max_signatures == 16u);
}

BOOST_AUTO_TEST_CASE(several_secrets) {
  const event e;
  const auto rotated = webhook::stripe_verifier::make({"whsec_old", e.secret}).value();
  BOOST_TEST(rotated.verify(e.header, e.body, at(e.timestamp)).has_value());
  const auto old_only = webhook::stripe_verifier::make({"whsec_old"}).value();
  BOOST_TEST(old_only.verify(e.header, e.body, at(e.timestamp)).error() == errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(python_cross_check) {
  // Random secrets (1-64 bytes, any byte), timestamps and bodies signed by Python's hmac now.
  const auto cases = webhook_test::random_cases(150, 1, 0x5eed0002);
  const auto signed_by_python = webhook_test::python_sign("stripe", cases);
  BOOST_TEST_REQUIRE(signed_by_python.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto verifier = webhook::stripe_verifier::make({c.key}).value();
    BOOST_TEST(verifier.verify(signed_by_python[i].signature, c.body, at(c.timestamp)).has_value(), "case " << i);
    BOOST_TEST(verifier.verify(signed_by_python[i].signature, c.body + "x", at(c.timestamp)).error() ==
               errc::webhook_signature_mismatch);
  }
}

BOOST_AUTO_TEST_CASE(verify_allocates_nothing) {
  const event e;
  const auto verifier = e.verifier();
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool good = verifier.verify(e.header, e.body, at(e.timestamp)).has_value();
  const bool bad = !verifier.verify("t=1,v1=x", e.body, at(e.timestamp)).has_value();
  keyward_test::counting = false;
  BOOST_TEST(good);
  BOOST_TEST(bad);
  BOOST_TEST(keyward_test::allocations == 0u);
}
