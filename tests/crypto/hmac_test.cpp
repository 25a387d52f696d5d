#define BOOST_TEST_MODULE hmac
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/hmac.hpp>
#include <keyward/kernels.hpp>

#include "support/test_support.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using keyward::errc;
using keyward::crypto::hmac;
using keyward::crypto::sha256;
using keyward::crypto::sha384;
using keyward::crypto::sha512;
using keyward::kernels::kernel;

namespace {

std::vector<kernel> implementations() {
  std::vector<kernel> all{kernel::scalar};
  if (keyward::kernels::available(kernel::sha_ni)) all.push_back(kernel::sha_ni);
  if (keyward::kernels::available(kernel::avx2)) all.push_back(kernel::avx2);  // SHA-384/512
  return all;
}

template <class Tag>
std::string as_string(const Tag& tag) {
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

struct wycheproof_totals {
  std::size_t tests = 0, valid = 0, invalid = 0, truncated = 0;
};

template <class Hash>
wycheproof_totals run_wycheproof(const std::string& file) {
  using mac = hmac<Hash>;
  const std::string text = keyward_test::read_vector_file(file);
  BOOST_TEST_REQUIRE(!text.empty(), file);
  wycheproof_totals totals;
  std::size_t tag_bits = 0;
  std::string id, key, msg, tag;
  for (const auto& [name, value] : keyward_test::json_pairs(text)) {
    if (name == "tagSize") tag_bits = std::stoul(std::string(value));
    else if (name == "tcId") id = std::string(value);
    else if (name == "key") key = keyward_test::from_hex(value);
    else if (name == "msg") msg = keyward_test::from_hex(value);
    else if (name == "tag") tag = keyward_test::from_hex(value);
    else if (name == "result") {
      ++totals.tests;
      const bool valid = value == "valid";
      valid ? ++totals.valid : ++totals.invalid;
      const std::size_t tag_bytes = tag_bits / 8;
      const bool truncated = tag_bytes != mac::tag_size;
      if (truncated) ++totals.truncated;
      const mac prepared(key);
      const bool accepted = truncated ? prepared.verify(msg, tag, tag_bytes) : prepared.verify(msg, tag);
      if (accepted != valid) BOOST_ERROR(file << " tcId " << id << ": verify gave " << accepted);
      const auto check = truncated ? prepared.check(msg, tag, tag_bytes) : prepared.check(msg, tag);
      if (check.has_value() != valid) BOOST_ERROR(file << " tcId " << id << ": check disagrees");
      if (!valid && !check.has_value() && check.error() != errc::crypto_mac_mismatch)
        BOOST_ERROR(file << " tcId " << id << ": wrong errc " << check.error().message());
      const std::string computed = as_string(mac::compute(key, msg)).substr(0, tag_bytes);
      if ((computed == tag) != valid) BOOST_ERROR(file << " tcId " << id << ": sign disagrees");
      // A truncated tag is never accepted without the caller asking for that truncation.
      if (truncated && prepared.verify(msg, tag)) BOOST_ERROR(file << " tcId " << id << ": untruncated verify");
      if (truncated && prepared.check(msg, tag).error() != errc::crypto_invalid_mac_length)
        BOOST_ERROR(file << " tcId " << id << ": expected crypto_invalid_mac_length");
    }
  }
  return totals;
}

template <class Hash>
void check_rfc4231_case(const std::string& key, const std::string& data, const std::string& mac_hex,
                        std::size_t truncated_bits, const std::string& label) {
  using mac = hmac<Hash>;
  const std::string expected = keyward_test::from_hex(mac_hex);
  const mac prepared(key);
  const std::string full = as_string(prepared.sign(data));
  if (truncated_bits == 0) {
    BOOST_TEST(full == expected, label);
    BOOST_TEST(prepared.verify(data, expected), label);
  } else {
    BOOST_TEST(full.substr(0, truncated_bits / 8) == expected, label);
    BOOST_TEST(prepared.verify(data, expected, truncated_bits / 8), label);
    BOOST_TEST(!prepared.verify(data, expected), label);
  }
  // The streaming form in two pieces agrees.
  auto s = prepared.start();
  s.update(std::string_view(data).substr(0, data.size() / 2));
  s.update(data.data() + data.size() / 2, data.size() - data.size() / 2);
  BOOST_TEST(as_string(s.final()) == full, label);
}

}  // namespace

BOOST_AUTO_TEST_CASE(wycheproof_all_cases) {
  for (const kernel impl : implementations()) {
    const keyward::kernels::scoped_force only(impl);
    BOOST_TEST_MESSAGE("kernel bits " << static_cast<unsigned>(impl));
    for (const auto& totals : {run_wycheproof<sha256>("wycheproof/hmac_sha256_test.json"),
                               run_wycheproof<sha384>("wycheproof/hmac_sha384_test.json"),
                               run_wycheproof<sha512>("wycheproof/hmac_sha512_test.json")}) {
      BOOST_TEST(totals.tests == 174u);
      BOOST_TEST(totals.valid == 66u);
      BOOST_TEST(totals.invalid == 108u);
      BOOST_TEST(totals.truncated > 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc4231) {
  const std::string text = keyward_test::read_vector_file("rfc/rfc4231_hmac.json");
  BOOST_TEST_REQUIRE(!text.empty());
  for (const kernel impl : implementations()) {
    const keyward::kernels::scoped_force only(impl);
    std::size_t checked = 0;
    std::string number, hash, key, data, mac_hex;
    for (const auto& [name, value] : keyward_test::json_pairs(text)) {
      if (name == "case") number = std::string(value);
      else if (name == "hash") hash = std::string(value);
      else if (name == "key") key = keyward_test::from_hex(value);
      else if (name == "data") data = keyward_test::from_hex(value);
      else if (name == "mac") mac_hex = std::string(value);
      else if (name == "truncated_bits") {
        const std::size_t bits = value == "null" ? 0 : std::stoul(std::string(value));
        const std::string label = "RFC 4231 case " + number + " " + hash;
        if (hash == "sha256") check_rfc4231_case<sha256>(key, data, mac_hex, bits, label);
        else if (hash == "sha384") check_rfc4231_case<sha384>(key, data, mac_hex, bits, label);
        else if (hash == "sha512") check_rfc4231_case<sha512>(key, data, mac_hex, bits, label);
        else continue;  // SHA-224 is not provided
        ++checked;
      }
    }
    BOOST_TEST(checked == 21u);
  }
}

BOOST_AUTO_TEST_CASE(prepared_key_is_reusable) {
  const hmac<sha256> prepared(std::string_view("key"));
  const auto first = prepared.sign("The quick brown fox jumps over the lazy dog");
  const auto second = prepared.sign("The quick brown fox jumps over the lazy dog");
  BOOST_TEST(first == second);
  BOOST_TEST(keyward_test::to_hex(as_string(first)) ==
             "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  BOOST_TEST(prepared.sign("") != first);
  const hmac<sha256> copy = prepared;
  BOOST_TEST(copy.sign("The quick brown fox jumps over the lazy dog") == first);
  BOOST_TEST(hmac<sha256>::compute("key", 3, "The quick brown fox jumps over the lazy dog", 43) == first);
}

BOOST_AUTO_TEST_CASE(verify_rejects_wrong_lengths_and_bad_truncations) {
  const hmac<sha256> prepared(std::string_view("key"));
  const std::string tag = as_string(prepared.sign("message"));
  BOOST_TEST(prepared.verify("message", tag));
  BOOST_TEST(!prepared.verify("messagf", tag));
  BOOST_TEST(!prepared.verify("message", tag.substr(0, 31)));
  BOOST_TEST(!prepared.verify("message", tag + "x"));
  BOOST_TEST(!prepared.verify("message", ""));
  BOOST_TEST((prepared.check("message", tag.substr(0, 16)).error() == errc::crypto_invalid_mac_length));
  BOOST_TEST((prepared.check("messagf", tag).error() == errc::crypto_mac_mismatch));
  BOOST_TEST(prepared.check("message", tag).has_value());
  // explicit truncation: 10 to 32 bytes
  BOOST_TEST(prepared.verify("message", tag.substr(0, 16), 16));
  BOOST_TEST(prepared.verify("message", tag.substr(0, 10), 10));
  BOOST_TEST(prepared.verify("message", tag, 32));
  BOOST_TEST(!prepared.verify("message", tag.substr(0, 9), 9));
  BOOST_TEST((prepared.check("message", tag.substr(0, 9), 9).error() == errc::crypto_invalid_truncation));
  BOOST_TEST((prepared.check("message", tag, 33).error() == errc::crypto_invalid_truncation));
  BOOST_TEST((prepared.check("message", tag.substr(0, 20), 16).error() == errc::crypto_invalid_mac_length));
  std::string flipped = tag.substr(0, 16);
  flipped[15] = static_cast<char>(flipped[15] ^ 1);
  BOOST_TEST((prepared.check("message", flipped, 16).error() == errc::crypto_mac_mismatch));
}

BOOST_AUTO_TEST_CASE(long_keys_are_hashed_first) {
  const std::string long_key(200, 'k');
  const auto digest = sha256::hash(long_key.data(), long_key.size());
  BOOST_TEST(hmac<sha256>::compute(long_key, "m") ==
             hmac<sha256>::compute(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()), "m"));
  const std::string block_key(64, 'k');  // exactly one block: used as is
  BOOST_TEST(hmac<sha256>::compute(block_key, "m") !=
             hmac<sha256>::compute(as_string(sha256::hash(block_key.data(), block_key.size())), "m"));
}
