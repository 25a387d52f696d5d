// Tests for include/keyward/keys/digest.hpp: stored digests of API keys. Expected digests and their texts
// come from tests/vectors/keys_digest/digests.txt, computed by Python's hmac, hashlib and base64 modules and
// rechecked with OpenSSL (tests/vectors/keys_digest/PROVENANCE.md); expected error offsets are those the
// header documents, worked out by hand in the comments.
#define BOOST_TEST_MODULE keys_digest
#include <boost/test/unit_test.hpp>

#include <keyward/kernels.hpp>
#include <keyward/keys/digest.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::error;
using keyward::keys::digest_algorithm;
using keyward::keys::key_digest;
using keyward::keys::pepper_set;

namespace {

struct vector_case {
  std::uint32_t version = 0;
  std::string pepper, key, hmac, hmac_text, sha256, sha256_text, sha256_base64, sha256_hex;
};

std::vector<vector_case> load_vectors() {
  std::vector<vector_case> cases;
  std::istringstream lines(keyward_test::read_vector_file("keys_digest/digests.txt"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    vector_case c;
    std::string pepper, key, mac;
    fields >> c.version >> pepper >> key >> mac >> c.hmac_text >> c.sha256_hex >> c.sha256_text >> c.sha256_base64;
    c.pepper = keyward_test::from_hex(pepper);
    c.key = key == "-" ? "" : keyward_test::from_hex(key);
    c.hmac = keyward_test::from_hex(mac);
    c.sha256 = keyward_test::from_hex(c.sha256_hex);
    cases.push_back(c);
  }
  return cases;
}

const std::vector<vector_case>& vectors() {
  static const std::vector<vector_case> cases = load_vectors();
  return cases;
}

std::string bytes_of(const key_digest& d) { return {reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()}; }

key_digest make_digest(digest_algorithm algorithm, std::uint32_t version, std::string_view bytes) {
  key_digest d{algorithm, version, {}};
  for (std::size_t i = 0; i < d.bytes.size() && i < bytes.size(); ++i) d.bytes[i] = static_cast<std::uint8_t>(bytes[i]);
  return d;
}

// The 60-byte key of the vectors and the digest of it under the pepper of `version`.
const vector_case& key60(std::uint32_t version) {
  for (const auto& c : vectors()) {
    if (c.key.size() == 60 && c.version == version) return c;
  }
  BOOST_FAIL("no 60-byte vector for this version");
  return vectors().front();
}

// Each SHA-256 and Base64 kernel this machine has (the digests must not depend on the kernel).
std::vector<keyward::kernels::kernel> kernel_sets() {
  using keyward::kernels::kernel;
  std::vector<kernel> sets{kernel::scalar};
  for (const kernel k : {kernel::sha_ni, kernel::avx2, kernel::avx512vbmi}) {
    if (keyward::kernels::available(k)) sets.push_back(k);
  }
  if (keyward::kernels::available(kernel::sha_ni | kernel::avx2)) sets.push_back(kernel::sha_ni | kernel::avx2);
  return sets;
}

keyward::result<key_digest> parse(std::string_view text) { return keyward::keys::parse_digest_text(text); }

void expect_error(const keyward::result<key_digest>& got, std::size_t offset, std::string_view what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST(got.error() == error(errc::key_invalid_digest, offset));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(vectors_loaded) {
  BOOST_TEST_REQUIRE(vectors().size() == 16u);
  for (const auto& c : vectors()) {
    BOOST_TEST(c.pepper.size() >= 32u);
    BOOST_TEST(c.hmac.size() == 32u);
    BOOST_TEST(c.sha256.size() == 32u);
  }
}

BOOST_AUTO_TEST_CASE(hmac_and_sha256_digests_match_python) {
  for (const auto k : kernel_sets()) {
    const keyward::kernels::scoped_force only(k);
    for (const auto& c : vectors()) {
      BOOST_TEST_CONTEXT("kernel " << static_cast<unsigned>(k) << ", key of " << c.key.size()
                                   << " bytes, pepper version " << c.version) {
        const auto set = pepper_set::make(c.version, c.pepper);
        BOOST_TEST_REQUIRE(set.has_value());
        const key_digest d = set->digest(c.key);
        BOOST_TEST((d.algorithm == digest_algorithm::hmac_sha256));
        BOOST_TEST(d.pepper_version == c.version);
        BOOST_TEST(keyward_test::to_hex(bytes_of(d)) == keyward_test::to_hex(c.hmac));
        BOOST_TEST(set->matches(c.key, d));
        BOOST_TEST(set->verify(c.key, d).has_value());
        BOOST_TEST(set->is_current(d));

        const key_digest s = keyward::keys::sha256_digest(c.key);
        BOOST_TEST((s.algorithm == digest_algorithm::sha256));
        BOOST_TEST(s.pepper_version == 0u);
        BOOST_TEST(keyward_test::to_hex(bytes_of(s)) == c.sha256_hex);
        BOOST_TEST(set->matches(c.key, s));
        BOOST_TEST(!set->is_current(s));

        // Any one bit of the digest flipped, the last byte of the key changed, a byte more or less.
        for (const std::size_t i : {0u, 13u, 31u}) {
          key_digest wrong = d;
          wrong.bytes[i] ^= 0x80;
          BOOST_TEST(!set->matches(c.key, wrong));
          BOOST_TEST(set->verify(c.key, wrong).error() == errc::crypto_mac_mismatch);
          key_digest wrong_sha = s;
          wrong_sha.bytes[i] ^= 1;
          BOOST_TEST(!set->matches(c.key, wrong_sha));
        }
        std::string other = c.key + "x";
        BOOST_TEST(!set->matches(other, d));
        BOOST_TEST(!set->matches(other, s));
        if (!c.key.empty()) {
          other = c.key;
          other.back() = static_cast<char>(other.back() ^ 1);
          BOOST_TEST(!set->matches(other, d));
          BOOST_TEST(!set->matches(c.key.substr(0, c.key.size() - 1), d));
        }
        // The algorithm is part of the digest: the same bytes under the other label do not match.
        BOOST_TEST(!set->matches(c.key, make_digest(digest_algorithm::sha256, 0, c.hmac)));
        BOOST_TEST(!set->matches(c.key, make_digest(digest_algorithm::hmac_sha256, c.version, c.sha256)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(text_form_matches_python) {
  for (const auto k : kernel_sets()) {
    const keyward::kernels::scoped_force only(k);
    for (const auto& c : vectors()) {
      const key_digest d = make_digest(digest_algorithm::hmac_sha256, c.version, c.hmac);
      const key_digest s = make_digest(digest_algorithm::sha256, 0, c.sha256);
      BOOST_TEST(keyward::keys::digest_text(d) == c.hmac_text);
      BOOST_TEST(keyward::keys::digest_text(s) == c.sha256_text);
      BOOST_TEST(keyward::keys::digest_text_size(d) == c.hmac_text.size());
      BOOST_TEST(keyward::keys::digest_text_size(s) == c.sha256_text.size());

      const auto back = parse(c.hmac_text);
      BOOST_TEST_REQUIRE(back.has_value());
      BOOST_TEST((back->algorithm == digest_algorithm::hmac_sha256));
      BOOST_TEST(back->pepper_version == c.version);
      BOOST_TEST(bytes_of(*back) == c.hmac);
      const auto back_sha = parse(c.sha256_text);
      BOOST_TEST_REQUIRE(back_sha.has_value());
      BOOST_TEST((back_sha->algorithm == digest_algorithm::sha256));
      BOOST_TEST(back_sha->pepper_version == 0u);
      BOOST_TEST(bytes_of(*back_sha) == c.sha256);
    }
  }
}

BOOST_AUTO_TEST_CASE(text_sizes) {
  using keyward::keys::digest_text_size;
  // "hmac-sha256:v" (13) + digits + ":" + 43; "sha256:" (7) + 43.
  BOOST_TEST(digest_text_size({digest_algorithm::hmac_sha256, 0, {}}) == 58u);
  BOOST_TEST(digest_text_size({digest_algorithm::hmac_sha256, 9, {}}) == 58u);
  BOOST_TEST(digest_text_size({digest_algorithm::hmac_sha256, 10, {}}) == 59u);
  BOOST_TEST(digest_text_size({digest_algorithm::hmac_sha256, 4294967295u, {}}) == 67u);
  BOOST_TEST(keyward::keys::max_digest_text_size == 67u);
  BOOST_TEST(digest_text_size({digest_algorithm::sha256, 77, {}}) == 50u);
  static_assert(digest_text_size({digest_algorithm::hmac_sha256, 123, {}}) == 60);

  // Every version width round-trips, and the version is written in decimal without leading zeros.
  for (const std::uint32_t v : {0u, 1u, 9u, 10u, 99u, 100u, 65535u, 4294967294u, 4294967295u}) {
    const key_digest d = make_digest(digest_algorithm::hmac_sha256, v, std::string(32, '\xA5'));
    const std::string text = keyward::keys::digest_text(d);
    BOOST_TEST(text.size() == digest_text_size(d));
    BOOST_TEST(text.substr(0, text.size() - 44) == "hmac-sha256:v" + std::to_string(v));
    const auto back = parse(text);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->pepper_version == v);
    BOOST_TEST(bytes_of(*back) == std::string(32, '\xA5'));
  }
  // A sha256 digest's version is ignored by the writer.
  BOOST_TEST(keyward::keys::digest_text(make_digest(digest_algorithm::sha256, 5, vectors()[0].sha256)) ==
             vectors()[0].sha256_text);
}

BOOST_AUTO_TEST_CASE(text_writer_buffer_and_invalid_algorithm) {
  const auto& c = key60(3);
  const key_digest d = make_digest(digest_algorithm::hmac_sha256, 3, c.hmac);
  char out[80];
  for (std::size_t capacity = 0; capacity < c.hmac_text.size(); ++capacity) {
    std::fill(std::begin(out), std::end(out), '#');
    const auto written = keyward::keys::write_digest_text(d, out, capacity);
    BOOST_TEST_REQUIRE(!written.has_value());
    BOOST_TEST(written.error() == errc::buffer_too_small);
    BOOST_TEST(std::string(out, sizeof out) == std::string(sizeof out, '#'));  // nothing written
  }
  std::fill(std::begin(out), std::end(out), '#');
  const auto written = keyward::keys::write_digest_text(d, out, c.hmac_text.size());
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(*written == c.hmac_text.size());
  BOOST_TEST(std::string(out, *written) == c.hmac_text);
  BOOST_TEST(out[*written] == '#');

  const key_digest bad = make_digest(static_cast<digest_algorithm>(7), 1, c.hmac);
  BOOST_TEST(keyward::keys::digest_text_size(bad) == 0u);
  BOOST_TEST(keyward::keys::digest_text(bad).empty());
  const auto refused = keyward::keys::write_digest_text(bad, out, sizeof out);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error() == errc::key_invalid_digest);
  const auto set = pepper_set::make(3, c.pepper);
  BOOST_TEST_REQUIRE(set.has_value());
  BOOST_TEST(!set->matches(c.key, bad));
  BOOST_TEST(set->verify(c.key, bad).error() == errc::key_invalid_digest);
  BOOST_TEST(!set->is_current(bad));
}

BOOST_AUTO_TEST_CASE(every_malformed_text) {
  const auto& c = key60(10);
  const std::string b = c.hmac_text.substr(c.hmac_text.size() - 43);  // the 43 base64url characters
  const std::string h = "hmac-sha256:v10:";                           // 16 characters
  const std::string s = "sha256:";                                    // 7 characters
  BOOST_TEST_REQUIRE(parse(h + b).has_value());
  BOOST_TEST_REQUIRE(parse(s + b).has_value());

  // Labels: the offset is where the text leaves both labels.
  expect_error(parse(""), 0, "empty");
  expect_error(parse("sha256"), 6, "sha256 without ':'");
  expect_error(parse("sha25"), 5, "cut label");
  expect_error(parse("SHA256:" + b), 0, "upper-case label");
  expect_error(parse("sha-256:" + b), 3, "sha-256");
  expect_error(parse(" sha256:" + b), 0, "leading space");
  expect_error(parse("sha512:" + b), 3, "sha512");
  expect_error(parse("hmac-sha512:v1:" + b), 8, "hmac-sha512");
  expect_error(parse("hmac-sha256:" + b), 12, "no 'v'");
  expect_error(parse("hmac-sha256:V1:" + b), 12, "upper-case 'V'");
  expect_error(parse("hmac-sha256"), 11, "cut hmac label");
  expect_error(parse("hmac_sha256:v1:" + b), 4, "hmac_sha256");
  // Versions: at the first byte that cannot continue the version.
  expect_error(parse("hmac-sha256:v:" + b), 13, "empty version");
  expect_error(parse("hmac-sha256:v"), 13, "nothing after 'v'");
  expect_error(parse("hmac-sha256:v01:" + b), 14, "leading zero");
  expect_error(parse("hmac-sha256:v00:" + b), 14, "two zeros");
  expect_error(parse("hmac-sha256:v4294967296:" + b), 22, "2^32 (the last digit overflows)");
  expect_error(parse("hmac-sha256:v9999999999:" + b), 22, "ten nines");
  expect_error(parse("hmac-sha256:v42949672950:" + b), 23, "eleven digits");
  expect_error(parse("hmac-sha256:v1"), 14, "no ':' after the version");
  expect_error(parse("hmac-sha256:v1x:" + b), 14, "letter in the version");
  expect_error(parse("hmac-sha256:v-1:" + b), 13, "negative version");
  expect_error(parse("hmac-sha256:v+1:" + b), 13, "signed version");
  expect_error(parse("hmac-sha256:v 1:" + b), 13, "space before the version");
  expect_error(parse("hmac-sha256:v1 :" + b), 14, "space after the version");
  expect_error(parse("hmac-sha256:v1;" + b), 14, "';' for ':'");
  // The bytes: the length first (the first byte missing or in excess), then each character.
  expect_error(parse(h), 16, "no bytes");
  expect_error(parse(s), 7, "no bytes (sha256)");
  expect_error(parse(h + b.substr(0, 42)), 16 + 42, "42 characters");
  expect_error(parse(h + b + "A"), 16 + 43, "44 characters");
  expect_error(parse(h + b + "="), 16 + 43, "padded");
  expect_error(parse(s + b + "\n"), 7 + 43, "trailing line feed");
  expect_error(parse(s + b + " "), 7 + 43, "trailing space");
  expect_error(parse("sha256:v1:" + b), 7 + 43, "a version on sha256");
  expect_error(parse(h + b.substr(0, 40) + "==="), 16 + 40, "padding inside");
  for (const std::size_t at : {0u, 1u, 20u, 41u, 42u}) {
    for (const char bad : {'+', '/', '=', '.', ' ', '\0', ':', '~', '\x80', '\xff'}) {
      std::string bytes = b;
      bytes[at] = bad;
      expect_error(parse(h + bytes), 16 + at, "bad character");
      expect_error(parse(s + bytes), 7 + at, "bad character (sha256)");
    }
  }
  // Non-canonical: the last character carries 4 bits and 2 unused ones, which must be zero (RFC 4648 3.5).
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::size_t last = alphabet.find(b[42]);
  BOOST_TEST_REQUIRE(last % 4 == 0u);  // the canonical one, from Python
  for (std::size_t extra = 1; extra < 4; ++extra) {
    std::string bytes = b;
    bytes[42] = alphabet[last + extra];
    expect_error(parse(h + bytes), 16 + 42, "non-canonical last character");
    expect_error(parse(s + bytes), 7 + 42, "non-canonical last character (sha256)");
  }
}

BOOST_AUTO_TEST_CASE(import_hex) {
  for (const auto& c : vectors()) {
    for (std::string hex : {c.sha256_hex, std::string()}) {
      if (hex.empty()) {  // upper case, then mixed
        hex = c.sha256_hex;
        for (std::size_t i = 0; i < hex.size(); ++i) {
          if (i % 3 != 0 && hex[i] >= 'a') hex[i] = static_cast<char>(hex[i] - 'a' + 'A');
        }
      }
      const auto d = keyward::keys::import_sha256_hex(hex);
      BOOST_TEST_REQUIRE(d.has_value());
      BOOST_TEST((d->algorithm == digest_algorithm::sha256));
      BOOST_TEST(d->pepper_version == 0u);
      BOOST_TEST(bytes_of(*d) == c.sha256);
      const auto set = pepper_set::make(1, c.pepper);
      BOOST_TEST_REQUIRE(set.has_value());
      BOOST_TEST(set->matches(c.key, *d));
    }
  }
  const std::string good = key60(1).sha256_hex;
  auto expect_hex_error = [](std::string_view hex, std::size_t offset) {
    const auto d = keyward::keys::import_sha256_hex(hex);
    BOOST_TEST_REQUIRE(!d.has_value());
    BOOST_TEST(d.error() == error(errc::key_invalid_digest, offset));
  };
  expect_hex_error("", 0);
  expect_hex_error(good.substr(0, 63), 63);
  expect_hex_error(good.substr(0, 62), 62);
  expect_hex_error(good + "0", 64);
  expect_hex_error(good + good, 64);
  expect_hex_error(" " + good.substr(1), 0);
  expect_hex_error("0x" + good.substr(2), 1);
  // Every byte value at offsets 0, 37 and 63: accepted exactly when it is a hex digit, with its value.
  for (int value = 0; value < 256; ++value) {
    const char ch = static_cast<char>(value);
    const bool is_hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    for (const std::size_t at : {0u, 37u, 63u}) {
      std::string hex = good;
      hex[at] = ch;
      const auto d = keyward::keys::import_sha256_hex(hex);
      BOOST_TEST_CONTEXT("byte " << value << " at " << at) {
        BOOST_TEST(d.has_value() == is_hex);
        if (is_hex && d) {
          BOOST_TEST(bytes_of(*d) == keyward_test::from_hex(hex));
        } else if (!d) {
          BOOST_TEST(d.error() == error(errc::key_invalid_digest, at));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(import_base64) {
  for (const auto& c : vectors()) {
    const auto d = keyward::keys::import_sha256_base64(c.sha256_base64);
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST((d->algorithm == digest_algorithm::sha256));
    BOOST_TEST(bytes_of(*d) == c.sha256);
  }
  const std::string good = key60(1).sha256_base64;
  BOOST_TEST_REQUIRE(good.size() == 44u);
  BOOST_TEST_REQUIRE(good[43] == '=');
  auto expect_b64_error = [](std::string_view text, std::size_t offset, std::string_view what) {
    const auto d = keyward::keys::import_sha256_base64(text);
    BOOST_TEST_CONTEXT(what) {
      BOOST_TEST_REQUIRE(!d.has_value());
      BOOST_TEST(d.error() == error(errc::key_invalid_digest, offset));
    }
  };
  expect_b64_error("", 0, "empty");
  expect_b64_error(good.substr(0, 43), 43, "unpadded (43 characters)");
  expect_b64_error(good + "=", 44, "45 characters");
  expect_b64_error(good + "\n", 44, "trailing line feed");
  expect_b64_error(good.substr(0, 43) + "A", 43, "no '=' (33 bytes)");
  expect_b64_error(good.substr(0, 20) + "=" + good.substr(21), 20, "'=' inside");
  expect_b64_error("=" + good.substr(1), 0, "'=' first");
  for (const std::size_t at : {0u, 17u, 42u}) {
    for (const char bad : {'-', '_', '.', ' ', '\0', '\x80'}) {
      std::string text = good;
      text[at] = bad;
      expect_b64_error(text, at, "bad character");
    }
  }
  // Non-canonical: the last data character holds 4 bits and 2 unused ones, which must be zero.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::size_t last = alphabet.find(good[42]);
  BOOST_TEST_REQUIRE(last % 4 == 0u);
  std::string text = good;
  text[42] = alphabet[last + 1];
  expect_b64_error(text, 42, "non-canonical");
  // "==": 31 bytes, offset 42; unless the character before it has non-zero unused bits (4 of them now),
  // which the Base64 decoder reports first, at 41.
  const std::size_t before = alphabet.find(good[41]);
  expect_b64_error(good.substr(0, 41) + alphabet[before & ~std::size_t{15}] + "==", 42, "two '=' (31 bytes)");
  expect_b64_error(good.substr(0, 41) + alphabet[(before & ~std::size_t{15}) | 4] + "==", 41,
                   "two '=' after a non-canonical character");
  // The URL alphabet (the text form's) is not accepted here: the first '-' or '_' is the error.
  std::size_t url_cases = 0;
  for (const auto& c : vectors()) {
    const std::string url = c.sha256_text.substr(7) + "=";
    const std::size_t at = url.find_first_of("-_");
    if (at == std::string::npos) continue;
    expect_b64_error(url, at, "base64url");
    ++url_cases;
  }
  BOOST_TEST(url_cases > 0u);
}

BOOST_AUTO_TEST_CASE(pepper_set_errors) {
  const std::string p32(32, 'p'), p31(31, 'p');
  BOOST_TEST(pepper_set::make(1, p31).error() == errc::key_invalid_pepper);
  BOOST_TEST(pepper_set::make(1, "").error() == errc::key_invalid_pepper);
  BOOST_TEST(pepper_set::make(1, p32).has_value());
  BOOST_TEST(pepper_set::make(0, p32).has_value());
  BOOST_TEST(pepper_set::make(4294967295u, std::string(1000, 'q')).has_value());

  auto set = pepper_set::make(5, p32);
  BOOST_TEST_REQUIRE(set.has_value());
  BOOST_TEST(set->size() == 1u);
  BOOST_TEST(set->current_version() == 5u);
  BOOST_TEST(set->add_previous(5, std::string(40, 'x')).error() == errc::key_invalid_pepper);  // the current's
  BOOST_TEST(set->add_previous(4, p31).error() == errc::key_invalid_pepper);
  BOOST_TEST(set->size() == 1u);
  BOOST_TEST(!set->has_version(4));
  BOOST_TEST(set->add_previous(4, p32).has_value());
  BOOST_TEST(set->add_previous(4, std::string(33, 'y')).error() == errc::key_invalid_pepper);  // twice
  for (std::uint32_t v = 100; v < 106; ++v) BOOST_TEST(set->add_previous(v, std::string(32, char('a' + v % 26))).has_value());
  BOOST_TEST(set->size() == keyward::keys::max_peppers);
  BOOST_TEST(set->add_previous(200, p32).error() == errc::key_invalid_pepper);  // a ninth
  BOOST_TEST(set->size() == keyward::keys::max_peppers);
  BOOST_TEST(!set->has_version(200));
  BOOST_TEST(set->current_version() == 5u);
  for (const std::uint32_t v : {5u, 4u, 100u, 105u}) BOOST_TEST(set->has_version(v));
}

BOOST_AUTO_TEST_CASE(rotation) {
  const auto& old_case = key60(1);
  const auto& new_case = key60(3);
  const key_digest old_digest = make_digest(digest_algorithm::hmac_sha256, 1, old_case.hmac);
  const key_digest new_digest = make_digest(digest_algorithm::hmac_sha256, 3, new_case.hmac);
  const key_digest sha = keyward::keys::sha256_digest(old_case.key);

  // During the rotation: 3 is current, 1 still accepted.
  auto rotating = pepper_set::make(3, new_case.pepper);
  BOOST_TEST_REQUIRE(rotating.has_value());
  BOOST_TEST(rotating->add_previous(1, old_case.pepper).has_value());
  const key_digest minted = rotating->digest(old_case.key);
  BOOST_TEST(minted.pepper_version == 3u);
  BOOST_TEST(bytes_of(minted) == new_case.hmac);  // made with the current pepper only
  BOOST_TEST(rotating->matches(old_case.key, old_digest));
  BOOST_TEST(rotating->matches(old_case.key, new_digest));
  BOOST_TEST(rotating->matches(old_case.key, sha));
  BOOST_TEST(!rotating->is_current(old_digest));
  BOOST_TEST(rotating->is_current(new_digest));
  // A copy works the same (each copy wipes its own states).
  const pepper_set copy = *rotating;
  BOOST_TEST(copy.matches(old_case.key, old_digest));
  BOOST_TEST(bytes_of(copy.digest(old_case.key)) == new_case.hmac);

  // After it: the old pepper is gone, its digests are refused as of an unknown version.
  const auto after = pepper_set::make(3, new_case.pepper);
  BOOST_TEST_REQUIRE(after.has_value());
  BOOST_TEST(!after->matches(old_case.key, old_digest));
  BOOST_TEST(after->verify(old_case.key, old_digest).error() == errc::key_unknown_pepper);
  BOOST_TEST(after->matches(old_case.key, new_digest));
  // The wrong pepper under the right version number: a mismatch, not an unknown version.
  const auto swapped = pepper_set::make(1, new_case.pepper);
  BOOST_TEST_REQUIRE(swapped.has_value());
  BOOST_TEST(!swapped->matches(old_case.key, old_digest));
  BOOST_TEST(swapped->verify(old_case.key, old_digest).error() == errc::crypto_mac_mismatch);
  // The previous pepper is never used to mint, even when its version number is higher.
  auto downgrade = pepper_set::make(1, old_case.pepper);
  BOOST_TEST_REQUIRE(downgrade.has_value());
  BOOST_TEST(downgrade->add_previous(3, new_case.pepper).has_value());
  BOOST_TEST(downgrade->digest(old_case.key).pepper_version == 1u);
  BOOST_TEST(bytes_of(downgrade->digest(old_case.key)) == old_case.hmac);
  BOOST_TEST(downgrade->matches(old_case.key, new_digest));
}

BOOST_AUTO_TEST_CASE(matches_nothing_is_always_false) {
  const auto& c = key60(0);
  const auto set = pepper_set::make(0, c.pepper);
  BOOST_TEST_REQUIRE(set.has_value());
  for (const auto& v : vectors()) {
    BOOST_TEST(!set->matches_nothing(v.key));
    BOOST_TEST(!set->matches_nothing(v.key, digest_algorithm::sha256));
  }
  // Even for a key whose digest is all zero bytes, the dummy value: false whatever the digest.
  BOOST_TEST(!set->matches_nothing(c.key, static_cast<digest_algorithm>(9)));
}

BOOST_AUTO_TEST_CASE(no_allocation) {
  const auto& c = key60(3);
  auto set = pepper_set::make(3, c.pepper);
  BOOST_TEST_REQUIRE(set.has_value());
  char out[80];
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  auto more = pepper_set::make(4, c.pepper);
  const bool added = more && more->add_previous(3, c.pepper).has_value();
  const key_digest d = set->digest(c.key);
  const bool matched = set->matches(c.key, d) && more->matches(c.key, d) && !set->matches_nothing(c.key) &&
                       set->matches(c.key, set->present(c.key), d);
  const auto written = keyward::keys::write_digest_text(d, out, sizeof out);
  const auto parsed = keyward::keys::parse_digest_text(c.hmac_text);
  const auto hex = keyward::keys::import_sha256_hex(c.sha256_hex);
  const auto b64 = keyward::keys::import_sha256_base64(c.sha256_base64);
  const auto bad = keyward::keys::parse_digest_text("hmac-sha256:v1:!");
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  BOOST_TEST(added);
  BOOST_TEST(matched);
  BOOST_TEST(written.has_value());
  BOOST_TEST(parsed.has_value());
  BOOST_TEST(hex.has_value());
  BOOST_TEST(b64.has_value());
  BOOST_TEST(!bad.has_value());
}

// present() + matches(key, presented, stored) gives the verdicts of matches(key, stored), against the
// Python-made digests: the current pepper's (compared without hashing), a previous pepper's, SHA-256's,
// an unknown version's and an invalid algorithm's (all through matches(key, stored)).
BOOST_AUTO_TEST_CASE(presented_digest_matches_as_matches_does) {
  const auto& old_case = key60(1);
  const auto& new_case = key60(3);
  const key_digest old_digest = make_digest(digest_algorithm::hmac_sha256, 1, old_case.hmac);
  const key_digest new_digest = make_digest(digest_algorithm::hmac_sha256, 3, new_case.hmac);
  const key_digest sha = make_digest(digest_algorithm::sha256, 0, old_case.sha256);
  auto rotating = pepper_set::make(3, new_case.pepper);
  BOOST_TEST_REQUIRE(rotating.has_value());
  BOOST_TEST_REQUIRE(rotating->add_previous(1, old_case.pepper).has_value());
  const keyward::keys::presented_digest presented = rotating->present(old_case.key);
  BOOST_TEST(rotating->matches(old_case.key, presented, new_digest));
  BOOST_TEST(rotating->matches(old_case.key, presented, old_digest));
  BOOST_TEST(rotating->matches(old_case.key, presented, sha));
  for (const std::size_t i : {0u, 17u, 31u}) {
    for (key_digest wrong : {new_digest, old_digest, sha}) {
      wrong.bytes[i] ^= 0x01;
      BOOST_TEST(!rotating->matches(old_case.key, presented, wrong));
    }
  }
  // The labels count: the current version's bytes under another version or algorithm do not match.
  BOOST_TEST(!rotating->matches(old_case.key, presented, make_digest(digest_algorithm::hmac_sha256, 1, new_case.hmac)));
  BOOST_TEST(!rotating->matches(old_case.key, presented, make_digest(digest_algorithm::sha256, 0, new_case.hmac)));
  BOOST_TEST(!rotating->matches(old_case.key, presented, make_digest(digest_algorithm::hmac_sha256, 7, new_case.hmac)));
  BOOST_TEST(!rotating->matches(old_case.key, presented, make_digest(static_cast<digest_algorithm>(9), 3, new_case.hmac)));
  // A presented digest of another key, or made by another set, never passes for this key's.
  const keyward::keys::presented_digest other_key = rotating->present(new_case.key + "x");
  BOOST_TEST(!rotating->matches(old_case.key, other_key, new_digest));
  auto stranger = pepper_set::make(3, old_case.pepper);  // the same version number, another pepper
  BOOST_TEST_REQUIRE(stranger.has_value());
  const keyward::keys::presented_digest foreign = stranger->present(old_case.key);
  BOOST_TEST(rotating->matches(old_case.key, foreign, new_digest));  // recomputed under the right pepper
  BOOST_TEST(!stranger->matches(old_case.key, foreign, new_digest));
  // Every vector, every kernel: the presented path agrees with the Python HMAC.
  for (const auto k : kernel_sets()) {
    const keyward::kernels::scoped_force only(k);
    for (const auto& c : vectors()) {
      const auto set = pepper_set::make(c.version, c.pepper);
      BOOST_TEST_REQUIRE(set.has_value());
      const keyward::keys::presented_digest p = set->present(c.key);
      key_digest d = make_digest(digest_algorithm::hmac_sha256, c.version, c.hmac);
      BOOST_TEST(set->matches(c.key, p, d));
      d.bytes[5] ^= 0x40;
      BOOST_TEST(!set->matches(c.key, p, d));
    }
  }
}
