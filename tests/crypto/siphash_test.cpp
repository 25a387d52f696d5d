// Tests for include/keyward/crypto/siphash.hpp: the 64 vectors of the reference implementation, the paper's
// appendix A, and vectors computed by OpenSSL for other keys and longer messages (tests/vectors/siphash/,
// provenance in tests/vectors/PROVENANCE.md).
#define BOOST_TEST_MODULE crypto_siphash
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/siphash.hpp>

#include "support/test_support.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using keyward::crypto::siphash24;
using keyward::crypto::siphash_key;

namespace {

// The paper's appendix A: key 00 01 .. 0f, message 00 01 .. 0e (15 bytes), output a129ca6149be45e5; the key
// words are k0 = 0706050403020100, k1 = 0f0e0d0c0b0a0908.
constexpr siphash_key paper_key = siphash_key::from_bytes(
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f});
constexpr std::string_view paper_message("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e", 15);
static_assert(paper_key.k0 == 0x0706050403020100u && paper_key.k1 == 0x0f0e0d0c0b0a0908u);
static_assert(siphash24(paper_key, paper_message) == 0xa129ca6149be45e5u);

// The output as the reference implementation writes it: 8 bytes, little-endian, in hex.
std::string output_hex(std::uint64_t value) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return keyward_test::to_hex(bytes);
}

struct vector {
  siphash_key key;
  std::string message;
  std::string output;  // hex
};

// The vectors of a tests/vectors/siphash/ file: `key <32 hex digits>` sets the key for the lines after it;
// every other line that is not a comment is `<output hex> <message hex>` (no message: the empty one).
std::vector<vector> read_vectors(const std::string& file) {
  const std::string text = keyward_test::read_vector_file(file);
  std::vector<vector> out;
  siphash_key key;
  std::string_view rest(text);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 4) == "key ") {
      const std::string bytes = keyward_test::from_hex(line.substr(4));
      BOOST_TEST_REQUIRE(bytes.size() == 16u);
      std::array<std::uint8_t, 16> raw{};
      for (std::size_t i = 0; i < 16; ++i) raw[i] = static_cast<std::uint8_t>(bytes[i]);
      key = siphash_key::from_bytes(raw);
      continue;
    }
    const std::size_t space = line.find(' ');
    vector v{key, keyward_test::from_hex(space == std::string_view::npos ? std::string_view() : line.substr(space + 1)),
             std::string(line.substr(0, space))};
    BOOST_TEST_REQUIRE(v.output.size() == 16u);
    out.push_back(std::move(v));
  }
  return out;
}

// Checks every vector through both overloads, the pointer one also from every offset of a buffer modulo 8
// (so that the words are read at any alignment).
void check(const std::vector<vector>& vectors) {
  for (const vector& v : vectors) {
    BOOST_TEST(output_hex(siphash24(v.key, v.message)) == v.output, "message of " << v.message.size() << " bytes");
    for (std::size_t offset = 0; offset < 8; ++offset) {
      const std::string shifted = std::string(offset, '\x55') + v.message;
      BOOST_TEST(output_hex(siphash24(v.key, shifted.data() + offset, v.message.size())) == v.output,
                 "message of " << v.message.size() << " bytes at offset " << offset);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(reference_vectors) {
  const auto vectors = read_vectors("siphash/siphash24_64.txt");
  BOOST_TEST_REQUIRE(vectors.size() == 64u);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    // Vector i is the message 00 01 .. (i-1) under the paper's key.
    BOOST_TEST_REQUIRE(vectors[i].message.size() == i);
    BOOST_TEST_REQUIRE((vectors[i].key.k0 == paper_key.k0 && vectors[i].key.k1 == paper_key.k1));
  }
  check(vectors);
  // The paper's appendix A is vector 15, at run time too.
  BOOST_TEST(siphash24(paper_key, vectors[15].message.data(), 15) == 0xa129ca6149be45e5u);
}

BOOST_AUTO_TEST_CASE(openssl_vectors) {
  // Two other keys (one with every byte's top bit set), messages up to 1000 bytes.
  const auto vectors = read_vectors("siphash/openssl_siphash24_64.txt");
  BOOST_TEST_REQUIRE(vectors.size() == 22u);
  check(vectors);
}

BOOST_AUTO_TEST_CASE(empty_message_from_null) {
  // Vector 0 of the reference, the empty message, given as a null pointer.
  BOOST_TEST(output_hex(siphash24(paper_key, nullptr, 0)) == "310e0edd47db6f72");
}

BOOST_AUTO_TEST_CASE(every_key_bit_matters) {
  // Flipping any one of the 128 key bits changes the output of a fixed message (the initialization xors
  // both key words into the state). Differences only: no expected value comes from the code under test.
  const std::string message = "sk_live_0123456789abcdef";
  const std::uint64_t base = siphash24(paper_key, message);
  for (unsigned bit = 0; bit < 128; ++bit) {
    siphash_key flipped = paper_key;
    (bit < 64 ? flipped.k0 : flipped.k1) ^= std::uint64_t{1} << (bit % 64);
    BOOST_TEST(siphash24(flipped, message) != base, "key bit " << bit);
  }
}
