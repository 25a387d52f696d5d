#define BOOST_TEST_MODULE webhook_standard
#include <boost/test/unit_test.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"
#include "webhook/webhook_test_support.hpp"

#include <keyward/webhook/standard.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace webhook = keyward::webhook;
using keyward::errc;
using keyward::error;
using webhook_test::at;

namespace {

// The official vector of tests/vectors/webhooks/standard_webhooks_v1.json (standard-webhooks libraries' tests).
struct official {
  std::string text = keyward_test::read_vector_file("webhooks/standard_webhooks_v1.json");
  std::string secret = webhook_test::json_string(text, "secret");
  std::string raw_hex = webhook_test::json_string(text, "secret_raw_hex");
  std::string id = webhook_test::json_string(text, "msg_id");
  std::int64_t timestamp = 1614265330;  // "timestamp": 1614265330 (a JSON number in the file)
  std::string body = webhook_test::json_string(text, "payload");
  std::string signature = webhook_test::json_string(text, "expected_signature");
  std::string time_text = std::to_string(timestamp);

  webhook::standard_headers headers(std::string_view sig) const { return {id, time_text, sig}; }
  webhook::standard_verifier verifier(const webhook::standard_options& options = {}) const {
    return webhook::standard_verifier::make({secret}, options).value();
  }
};

// The signature entries of the vector file's "negative_vectors", in order.
std::vector<std::string> negative_signatures(const std::string& text) {
  std::vector<std::string> found;
  std::size_t from = text.find("\"negative_vectors\"");
  for (int i = 0; i < 4; ++i) found.push_back(webhook_test::json_string(text, "signature", from));
  return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(official_vector_verifies_and_signs) {
  const official v;
  BOOST_TEST_REQUIRE(v.text.size() > 0u);
  BOOST_TEST(v.text.find("\"timestamp\": 1614265330") != std::string::npos);
  const auto verifier = v.verifier();
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body, at(v.timestamp)).has_value());
  // The body is bound: one byte more, less or changed fails.
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body + " ", at(v.timestamp)).error() ==
             error(errc::webhook_signature_mismatch));
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body.substr(1), at(v.timestamp)).error() ==
             errc::webhook_signature_mismatch);
  // The signer writes the vector's signature, and the timestamp writer its timestamp.
  const auto signer = webhook::standard_signer::make(v.secret).value();
  BOOST_TEST(signer.signature(v.id, v.body, at(v.timestamp)).value() == v.signature);
  BOOST_TEST(webhook::timestamp(at(v.timestamp)).value() == "1614265330");
  BOOST_TEST(webhook::standard_signer::signature_size() == v.signature.size());
}

BOOST_AUTO_TEST_CASE(negative_vectors) {
  const official v;
  const auto verifier = v.verifier();
  const std::vector<std::string> sigs = negative_signatures(v.text);
  BOOST_TEST_REQUIRE(sigs.size() == 4u);
  BOOST_TEST(sigs[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=");
  // Last Base64 character changed: a well-formed tag that does not match.
  BOOST_TEST(verifier.verify(v.headers(sigs[0]), v.body, at(v.timestamp)).error() == errc::webhook_signature_mismatch);
  // The decoy of the multi-signature tests.
  BOOST_TEST(verifier.verify(v.headers(sigs[1]), v.body, at(v.timestamp)).error() == errc::webhook_signature_mismatch);
  // 22 characters: no Base64 of 32 bytes, a malformed field (the value starts at offset 3).
  const auto short_value = verifier.verify(v.headers(sigs[2]), v.body, at(v.timestamp));
  BOOST_TEST(short_value.error().code() == errc::webhook_invalid_signature_header);
  // A valid MAC under an unknown version is ignored: no v1 entry at all.
  BOOST_TEST(verifier.verify(v.headers(sigs[3]), v.body, at(v.timestamp)).error() == error(errc::webhook_no_signature));
}

BOOST_AUTO_TEST_CASE(multi_signature_header) {
  const official v;
  const std::string multi = webhook_test::json_string(v.text, "multi_signature_header_example");
  BOOST_TEST_REQUIRE(multi.size() > 100u);
  BOOST_TEST(v.verifier().verify(v.headers(multi), v.body, at(v.timestamp)).has_value());
  // Each entry alone: only the third verifies.
  std::size_t begin = 0;
  int accepted = 0;
  while (begin < multi.size()) {
    std::size_t end = multi.find(' ', begin);
    if (end == std::string::npos) end = multi.size();
    if (v.verifier().verify(v.headers(multi.substr(begin, end - begin)), v.body, at(v.timestamp))) ++accepted;
    begin = end + 1;
  }
  BOOST_TEST(accepted == 1);
  // A cap of 3 entries refuses the four, at the offset of the fourth entry.
  webhook::standard_options three;
  three.max_signatures = 3;
  BOOST_TEST(v.verifier(three).verify(v.headers(multi), v.body, at(v.timestamp)).error() ==
             error(errc::webhook_too_many_signatures, multi.rfind(' ') + 1));
}

BOOST_AUTO_TEST_CASE(spec_example_headers_parse) {
  // The headers of spec/standard-webhooks.md, whose secret is not published: the field parses (one v1 and
  // one v1a entry, ignored), so the result is a mismatch and not a malformed field.
  const std::string text = keyward_test::read_vector_file("webhooks/standard_webhooks_v1.json");
  std::size_t from = text.find("spec_example_not_verifiable");
  const std::string id = webhook_test::json_string(text, "webhook-id", from);
  const std::string ts = webhook_test::json_string(text, "webhook-timestamp", from);
  const std::string sig = webhook_test::json_string(text, "webhook-signature", from);
  BOOST_TEST_REQUIRE(sig.find(" v1a,") != std::string::npos);
  const official v;
  BOOST_TEST(v.verifier().verify({id, ts, sig}, "{}", at(std::stoll(ts))).error() == errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(secret_decoding) {
  const official v;
  const std::string plain = v.secret.substr(6);  // without whsec_
  // The prefix is optional: both give the key of the vector.
  const auto without_prefix = webhook::standard_verifier::make({plain}).value();
  BOOST_TEST(without_prefix.verify(v.headers(v.signature), v.body, at(v.timestamp)).has_value());
  BOOST_TEST(keyward_test::to_hex(keyward::base64::decode(plain).value()) == v.raw_hex);
  // The Python tests' truncated secrets have non-zero unused bits in their last character: refused as
  // non-canonical, at that character (stricter than the reference libraries; no encoder writes them).
  BOOST_TEST(webhook::standard_verifier::make({"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"}).error() ==
             error(errc::webhook_invalid_secret, 30));
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr"}).error() ==
             error(errc::webhook_invalid_secret, 6 + 33));
  BOOST_TEST(webhook::standard_verifier::make({"whsec_"}).error() == error(errc::webhook_invalid_secret));
  BOOST_TEST(webhook::standard_verifier::make({""}).error() == error(errc::webhook_invalid_secret));
  BOOST_TEST(webhook::standard_signer::make("whsec_").error() == error(errc::webhook_invalid_secret));
  // Not Base64 at all, and a character outside the alphabet (offset in the whole secret).
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjU-D8ILPZIo2LaLaSw"}).error() ==
             error(errc::webhook_invalid_secret, 6 + 16));
  // 23 bytes (canonical, unpadded "...LaQ") is under the minimum of 24.
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaQ"}).error() ==
             error(errc::webhook_invalid_secret));
  // Canonical unpadded forms of 25 and 26 bytes are accepted (the Python cross-check covers their MACs).
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBg"}).has_value());
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBgA"}).has_value());
  BOOST_TEST(webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBgA="}).has_value());
  // One bad secret among good ones fails make().
  BOOST_TEST(webhook::standard_verifier::make({v.secret, "whsec_%"}).error() == error(errc::webhook_invalid_secret, 6));
}

BOOST_AUTO_TEST_CASE(options_are_checked) {
  const official v;
  BOOST_TEST(webhook::standard_verifier::make({}).error() == error(errc::webhook_invalid_options));
  webhook::standard_options o;
  o.tolerance = std::chrono::seconds(0);
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).error() == errc::webhook_invalid_options);
  o.tolerance = std::chrono::seconds(-5);
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).error() == errc::webhook_invalid_options);
  o = {};
  o.max_signatures = 0;
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).error() == errc::webhook_invalid_options);
  o.max_signatures = 17;
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).error() == errc::webhook_invalid_options);
  o.max_signatures = 16;
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).has_value());
  o = {};
  o.max_id_size = 0;
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).error() == errc::webhook_invalid_options);
  o.max_id_size = 1;
  BOOST_TEST(webhook::standard_verifier::make({v.secret}, o).value().options().max_id_size == 1u);
}

BOOST_AUTO_TEST_CASE(tolerance_both_ways) {
  const official v;
  const auto verifier = v.verifier();
  const auto headers = v.headers(v.signature);
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  // now after the timestamp: 300 s is inside, 301 s outside; the fraction of a second is floored.
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp + 300)).has_value());
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp + 300) + milliseconds(999)).has_value());
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp + 301)).error() == error(errc::webhook_timestamp_too_old));
  // now before the timestamp: 300 s is inside, 301 s outside; 1 ms into second -301 floors to -301.
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp - 300)).has_value());
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp - 301)).error() == error(errc::webhook_timestamp_too_new));
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp - 301) + milliseconds(1)).error() ==
             errc::webhook_timestamp_too_new);
  BOOST_TEST(verifier.verify(headers, v.body, at(v.timestamp - 300) - milliseconds(1)).error() ==
             errc::webhook_timestamp_too_new);
  // A sys_seconds and a coarse time point work too.
  const std::chrono::time_point<std::chrono::system_clock, seconds> exact{seconds(v.timestamp)};
  BOOST_TEST(verifier.verify(headers, v.body, exact).has_value());
  const std::chrono::time_point<std::chrono::system_clock, std::chrono::minutes> minute{
      std::chrono::minutes(v.timestamp / 60)};  // 1614265320: 10 s before
  BOOST_TEST(verifier.verify(headers, v.body, minute).has_value());
  // A tolerance of 1 s.
  webhook::standard_options tight;
  tight.tolerance = seconds(1);
  BOOST_TEST(v.verifier(tight).verify(headers, v.body, at(v.timestamp + 1)).has_value());
  BOOST_TEST(v.verifier(tight).verify(headers, v.body, at(v.timestamp + 2)).error() == errc::webhook_timestamp_too_old);
  BOOST_TEST(v.verifier(tight).verify(headers, v.body, at(v.timestamp - 2)).error() == errc::webhook_timestamp_too_new);
  // The ends of the clock: no overflow in the distance.
  const auto lowest = std::chrono::time_point<std::chrono::system_clock, seconds>(seconds(INT64_MIN));
  const auto highest = std::chrono::time_point<std::chrono::system_clock, seconds>(seconds(INT64_MAX));
  BOOST_TEST(verifier.verify(headers, v.body, lowest).error() == errc::webhook_timestamp_too_new);
  BOOST_TEST(verifier.verify(headers, v.body, highest).error() == errc::webhook_timestamp_too_old);
  BOOST_TEST(verifier.verify({v.id, "9223372036854775807", v.signature}, v.body, lowest).error() ==
             errc::webhook_timestamp_too_new);
  BOOST_TEST(verifier.verify({v.id, "0", v.signature}, v.body, highest).error() == errc::webhook_timestamp_too_old);
  // The widest tolerance: a distance of INT64_MAX is inside, the 2^64 - 1 between the ends of the clock is
  // not (the distance must not wrap, which UBSan and the verdict would show).
  webhook::standard_options widest;
  widest.tolerance = seconds(INT64_MAX);
  const auto wide = v.verifier(widest);
  BOOST_TEST(wide.verify({v.id, "0", v.signature}, v.body, highest).error() == errc::webhook_signature_mismatch);
  BOOST_TEST(wide.verify({v.id, "9223372036854775807", v.signature}, v.body, at(0)).error() ==
             errc::webhook_signature_mismatch);
  BOOST_TEST(wide.verify({v.id, "9223372036854775807", v.signature}, v.body, lowest).error() ==
             errc::webhook_timestamp_too_new);
  BOOST_TEST(wide.verify({v.id, "0", v.signature}, v.body, lowest + seconds(1)).error() ==
             errc::webhook_signature_mismatch);  // 0 - (INT64_MIN + 1) = INT64_MAX: inside
  BOOST_TEST(wide.verify({v.id, "0", v.signature}, v.body, lowest).error() ==
             errc::webhook_timestamp_too_new);  // 0 - INT64_MIN = 2^63: outside
}

BOOST_AUTO_TEST_CASE(missing_and_invalid_headers) {
  const official v;
  const auto verifier = v.verifier();
  const auto now = at(v.timestamp);
  const auto check = [&](std::string_view id, std::string_view ts, std::string_view sig) {
    return verifier.verify({id, ts, sig}, v.body, now);
  };
  // Missing (empty or OWS only), in the order id, timestamp, signature.
  BOOST_TEST(check("", v.time_text, v.signature).error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(" \t", v.time_text, v.signature).error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(v.id, "", v.signature).error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(v.id, v.time_text, "").error() == error(errc::webhook_missing_header));
  BOOST_TEST(check(v.id, v.time_text, "  ").error() == error(errc::webhook_missing_header));
  // OWS around every value is ignored.
  BOOST_TEST(check(" " + v.id + "\t", " " + v.time_text + " ", "\t" + v.signature + " ").has_value());
  // Ids: a space or a byte outside %x21-7E at its offset (after leading OWS), too long.
  BOOST_TEST(check("msg p5j", v.time_text, v.signature).error() == error(errc::webhook_invalid_id, 3));
  BOOST_TEST(check("  msg\x7f", v.time_text, v.signature).error() == error(errc::webhook_invalid_id, 5));
  BOOST_TEST(check("m\xc3\xa9", v.time_text, v.signature).error() == error(errc::webhook_invalid_id, 1));
  BOOST_TEST(check(std::string(257, 'a'), v.time_text, v.signature).error() == error(errc::webhook_invalid_id, 256));
  BOOST_TEST(check(std::string(256, 'a'), v.time_text, v.signature).error() == errc::webhook_signature_mismatch);
  webhook::standard_options short_ids;
  short_ids.max_id_size = 27;  // the vector's id is 28 bytes
  BOOST_TEST(v.verifier(short_ids).verify(v.headers(v.signature), v.body, now).error() ==
             error(errc::webhook_invalid_id, 27));
  // Timestamps: strict digits.
  BOOST_TEST(check(v.id, "+1614265330", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.id, "-1", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.id, "01614265330", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check(v.id, "00", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check(v.id, "1614265330.0", v.signature).error() == error(errc::webhook_invalid_timestamp, 10));
  BOOST_TEST(check(v.id, "1614265330 1", v.signature).error() == error(errc::webhook_invalid_timestamp, 10));
  BOOST_TEST(check(v.id, "1.6e9", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check(v.id, "0x60381f32", v.signature).error() == error(errc::webhook_invalid_timestamp, 1));
  BOOST_TEST(check(v.id, "\xef\xbc\x91", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.id, "9223372036854775808", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.id, "99999999999999999999", v.signature).error() == error(errc::webhook_invalid_timestamp, 0));
  BOOST_TEST(check(v.id, "9223372036854775807", v.signature).error() == errc::webhook_timestamp_too_new);
  BOOST_TEST(check(v.id, "0", v.signature).error() == errc::webhook_timestamp_too_old);
  // A timestamp within the tolerance but not the one signed: a mismatch.
  BOOST_TEST(check(v.id, "1614265331", v.signature).error() == errc::webhook_signature_mismatch);
  BOOST_TEST(check(v.id + "x", v.time_text, v.signature).error() == errc::webhook_signature_mismatch);
}

BOOST_AUTO_TEST_CASE(malformed_signature_fields) {
  const official v;
  const auto verifier = v.verifier();
  const auto check = [&](std::string_view sig) { return verifier.verify(v.headers(sig), v.body, at(v.timestamp)); };
  const std::string good = v.signature;          // v1,<44>
  const std::string value = good.substr(3);      // the Base64
  BOOST_TEST(check("v1").error() == error(errc::webhook_invalid_signature_header, 0));
  BOOST_TEST(check("," + value).error() == error(errc::webhook_invalid_signature_header, 0));
  BOOST_TEST(check("v1,").error() == error(errc::webhook_invalid_signature_header, 3));
  BOOST_TEST(check(good + "  " + good).error() == error(errc::webhook_invalid_signature_header, 48));
  BOOST_TEST(check(good + " v2").error() == error(errc::webhook_invalid_signature_header, 48));
  BOOST_TEST(check("v1=" + value).error() == error(errc::webhook_invalid_signature_header, 0));
  // v1 values that cannot be a 32-byte tag: unpadded, URL alphabet, 33 bytes, non-canonical, a ',' inside.
  BOOST_TEST(check("v1," + value.substr(0, 43)).error().code() == errc::webhook_invalid_signature_header);
  std::string url = value;
  url[8] = '-';  // the vector's value has '+' at index 8
  BOOST_TEST(check("v1," + url).error() == error(errc::webhook_invalid_signature_header, 3 + 8));
  BOOST_TEST(check("v1," + value.substr(0, 40) + "AAAAAAAA").error() == error(errc::webhook_invalid_signature_header, 3));
  std::string stray = value;
  stray[42] = 'F';  // ...1OE= -> ...1OF=: non-zero unused bits
  BOOST_TEST(check("v1," + stray).error() == error(errc::webhook_invalid_signature_header, 3 + 42));
  BOOST_TEST(check("v1," + value + ",x").error().code() == errc::webhook_invalid_signature_header);
  BOOST_TEST(check("V1," + value).error() == errc::webhook_no_signature);   // versions are case-sensitive
  BOOST_TEST(check("v1a," + value + " v2,x").error() == errc::webhook_no_signature);
  // Unknown versions are ignored, whatever their value (but counted against the cap).
  BOOST_TEST(check("v0,%%% " + good + " v9,a,b").has_value());
  BOOST_TEST(check(std::string("v2,a v2,a v2,a v2,a v2,a v2,a v2,a v2,a ") + good).error() ==
             error(errc::webhook_too_many_signatures, 40));
  BOOST_TEST(check(std::string("v2,a v2,a v2,a v2,a v2,a v2,a v2,a ") + good).has_value());
}

BOOST_AUTO_TEST_CASE(several_secrets) {
  const official v;
  const std::string other = "whsec_" + keyward::base64::encode(std::string(32, '\x5a'));
  const auto rotated = webhook::standard_verifier::make({other, v.secret}).value();
  BOOST_TEST(rotated.verify(v.headers(v.signature), v.body, at(v.timestamp)).has_value());
  const auto first = webhook::standard_verifier::make({v.secret, other}).value();
  BOOST_TEST(first.verify(v.headers(v.signature), v.body, at(v.timestamp)).has_value());
  const auto old_only = webhook::standard_verifier::make({other}).value();
  BOOST_TEST(old_only.verify(v.headers(v.signature), v.body, at(v.timestamp)).error() ==
             errc::webhook_signature_mismatch);
  // A sender signing with both secrets: the field holds both tags; each verifier accepts its own.
  const std::string both = webhook::standard_signer::make(other).value().signature(v.id, v.body, at(v.timestamp)).value() +
                           " " + v.signature;
  BOOST_TEST(old_only.verify(v.headers(both), v.body, at(v.timestamp)).has_value());
  BOOST_TEST(v.verifier().verify(v.headers(both), v.body, at(v.timestamp)).has_value());
}

BOOST_AUTO_TEST_CASE(replay_hook) {
  const official v;
  const auto verifier = v.verifier();
  std::vector<std::pair<std::string, std::int64_t>> calls;
  std::vector<std::string> cache;
  const auto remember = [&](std::string_view id, webhook::sys_seconds when) {
    calls.emplace_back(std::string(id), when.time_since_epoch().count());
    for (const std::string& known : cache) {
      if (known == id) return false;
    }
    cache.emplace_back(id);
    return true;
  };
  const auto now = at(v.timestamp + 10);
  // Not called for a forged, malformed or stale message: it cannot be filled or spent by them.
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body + "x", now, remember).error() ==
             errc::webhook_signature_mismatch);
  BOOST_TEST(verifier.verify(v.headers("v1,x"), v.body, now, remember).error().code() ==
             errc::webhook_invalid_signature_header);
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body, at(v.timestamp + 400), remember).error() ==
             errc::webhook_timestamp_too_old);
  BOOST_TEST(calls.empty());
  // The first delivery passes and is remembered (the id without OWS, the timestamp); the second is a replay.
  BOOST_TEST(verifier.verify({" " + v.id, v.time_text, v.signature}, v.body, now, remember).has_value());
  BOOST_TEST_REQUIRE(calls.size() == 1u);
  BOOST_TEST(calls[0].first == v.id);
  BOOST_TEST(calls[0].second == v.timestamp);
  BOOST_TEST(verifier.verify(v.headers(v.signature), v.body, now, remember).error() == error(errc::webhook_replayed));
  BOOST_TEST(calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(signer_and_timestamp_writers) {
  const official v;
  const auto signer = webhook::standard_signer::make(v.secret).value();
  char out[64];
  std::fill(out, out + sizeof out, '#');
  BOOST_TEST(signer.write_signature(v.id, v.body, at(v.timestamp), out, 46).error() == errc::buffer_too_small);
  BOOST_TEST(out[0] == '#');
  BOOST_TEST(signer.write_signature(v.id, v.body, at(v.timestamp), out, 47).value() == 47u);
  BOOST_TEST(std::string(out, 47) == v.signature);
  BOOST_TEST(out[47] == '#');
  // Sub-second precision is floored, as the verifier does.
  BOOST_TEST(signer.signature(v.id, v.body, at(v.timestamp) + std::chrono::milliseconds(999)).value() == v.signature);
  BOOST_TEST(signer.signature("", v.body, at(v.timestamp)).error() == error(errc::webhook_missing_header));
  BOOST_TEST(signer.signature("a b", v.body, at(v.timestamp)).error() == error(errc::webhook_invalid_id, 1));
  BOOST_TEST(signer.signature(std::string(257, 'a'), v.body, at(v.timestamp)).error() == error(errc::webhook_invalid_id, 256));
  BOOST_TEST(signer.signature(v.id, v.body, at(-1)).error() == error(errc::webhook_invalid_timestamp));
  BOOST_TEST(signer.write_signature(v.id, v.body, at(-1), out, 0).error() == errc::webhook_invalid_timestamp);
  // Timestamp trio.
  BOOST_TEST(webhook::timestamp_size(at(v.timestamp)) == 10u);
  BOOST_TEST(webhook::timestamp_size(at(0)) == 1u);
  BOOST_TEST(webhook::timestamp(at(0)).value() == "0");
  BOOST_TEST(webhook::timestamp(at(-1)).error() == error(errc::webhook_invalid_timestamp));
  BOOST_TEST(webhook::timestamp_size(at(-1)) == 0u);
  const std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds> last{std::chrono::seconds(INT64_MAX)};
  BOOST_TEST(webhook::timestamp(last).value() == "9223372036854775807");
  std::fill(out, out + sizeof out, '#');
  BOOST_TEST(webhook::write_timestamp(at(v.timestamp), out, 9).error() == errc::buffer_too_small);
  BOOST_TEST(out[0] == '#');
  BOOST_TEST(webhook::write_timestamp(at(v.timestamp), out, 10).value() == 10u);
  BOOST_TEST(std::string(out, 10) == v.time_text);
  // What the signer writes, a default verifier accepts.
  const std::string id(256, '~');
  BOOST_TEST(v.verifier().verify({id, v.time_text, signer.signature(id, "", at(v.timestamp)).value()}, "",
                                 at(v.timestamp)).has_value());
}

BOOST_AUTO_TEST_CASE(python_cross_check) {
  // Python's hmac/base64 (tests/webhook/webhook_crosscheck.py, run now) signs random messages under random
  // 24-64 byte secrets written with and without padding: keyward verifies each, refuses it with one body
  // bit flipped, and its signer writes the same field.
  const std::vector<webhook_test::signing_case> cases = webhook_test::random_cases(200, 24, 0x5eed0001);
  const std::vector<webhook_test::signed_case> signed_by_python = webhook_test::python_sign("standard", cases);
  BOOST_TEST_REQUIRE(signed_by_python.size() == cases.size());
  int unpadded = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const webhook_test::signing_case& c = cases[i];
    const webhook_test::signed_case& p = signed_by_python[i];
    if (p.secret.back() != '=' && c.key.size() % 3 != 0) ++unpadded;
    const auto verifier = webhook::standard_verifier::make({p.secret});
    BOOST_TEST_REQUIRE(verifier.has_value());
    const std::string ts = std::to_string(c.timestamp);
    BOOST_TEST(verifier->verify({c.id, ts, p.signature}, c.body, at(c.timestamp)).has_value(), "case " << i);
    std::string flipped = c.body.empty() ? std::string("\x01") : c.body;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
    BOOST_TEST(verifier->verify({c.id, ts, p.signature}, flipped, at(c.timestamp)).error() ==
               errc::webhook_signature_mismatch);
    BOOST_TEST(webhook::standard_signer::make(p.secret).value().signature(c.id, c.body, at(c.timestamp)).value() ==
               p.signature);
  }
  BOOST_TEST(unpadded > 20);
}

BOOST_AUTO_TEST_CASE(verify_allocates_nothing) {
  const official v;
  const auto verifier = v.verifier();
  const std::string multi = webhook_test::json_string(v.text, "multi_signature_header_example");
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  const bool good = verifier.verify(v.headers(multi), v.body, at(v.timestamp)).has_value();
  const bool bad = !verifier.verify(v.headers("v1,%"), v.body, at(v.timestamp)).has_value();
  const bool replay = verifier.verify(v.headers(v.signature), v.body, at(v.timestamp),
                                      [](std::string_view, webhook::sys_seconds) { return true; })
                          .has_value();
  keyward_test::counting = false;
  BOOST_TEST(good);
  BOOST_TEST(bad);
  BOOST_TEST(replay);
  BOOST_TEST(keyward_test::allocations == 0u);
}
