#define BOOST_TEST_MODULE sha2
#include <boost/test/unit_test.hpp>

#include <keyward/crypto/sha2.hpp>
#include <keyward/kernels.hpp>

#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using keyward::crypto::sha256;
using keyward::crypto::sha384;
using keyward::crypto::sha512;
using keyward::kernels::kernel;

namespace {

// The constant-evaluated scalar path: FIPS 180-2 appendix B.1 ("abc") and B.3 / C.1.
constexpr auto abc256 = sha256::hash("abc");
static_assert(abc256[0] == 0xba && abc256[1] == 0x78 && abc256[30] == 0x15 && abc256[31] == 0xad);
constexpr auto abc512 = sha512::hash("abc");
static_assert(abc512[0] == 0xdd && abc512[1] == 0xaf && abc512[63] == 0x9f);
constexpr auto abc384 = sha384::hash("abc");
static_assert(abc384[0] == 0xcb && abc384[47] == 0xa7);
static_assert(sha256::digest_size == 32 && sha256::block_size == 64);
static_assert(sha384::digest_size == 48 && sha384::block_size == 128);
static_assert(sha512::digest_size == 64 && sha512::block_size == 128);

// Each implementation the machine can run, as the set of kernels the dispatcher is limited to.
struct implementation {
  const char* name;
  kernel allowed;
};

std::vector<implementation> implementations() {
  std::vector<implementation> all{{"scalar", kernel::scalar}};
  if (keyward::kernels::available(kernel::sha_ni)) all.push_back({"sha-ni", kernel::sha_ni});
  if (keyward::kernels::available(kernel::avx2)) all.push_back({"avx2", kernel::avx2});
  all.push_back({"all", kernel::all});
  return all;
}

template <class Digest>
std::string hex(const Digest& d) {
  return keyward_test::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

template <class Hash>
std::string hash_hex(std::string_view message) {
  return hex(Hash::hash(message.data(), message.size()));
}

// "Name = value" → value, for one line of a CAVP .rsp file; empty when the line has another name.
std::string_view field(std::string_view line, std::string_view name) {
  if (line.size() < name.size() + 3 || line.substr(0, name.size()) != name) return {};
  if (line.substr(name.size(), 3) != " = ") return {};
  std::string_view value = line.substr(name.size() + 3);
  while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.remove_suffix(1);
  return value;
}

std::vector<std::string_view> lines(const std::string& text) {
  std::vector<std::string_view> out;
  std::string_view rest(text);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    out.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return out;
}

// Runs every Len/Msg/MD triple of a ShortMsg or LongMsg file; returns the number of vectors checked.
template <class Hash>
std::size_t run_message_file(const std::string& file) {
  const std::string text = keyward_test::read_vector_file(file);
  BOOST_TEST_REQUIRE(!text.empty(), file);
  std::size_t count = 0;
  std::size_t bits = 0;
  std::string message;
  for (const std::string_view line : lines(text)) {
    if (const auto len = field(line, "Len"); !len.empty()) {
      bits = std::stoul(std::string(len));
    } else if (const auto msg = field(line, "Msg"); !msg.empty()) {
      message = keyward_test::from_hex(msg).substr(0, bits / 8);
    } else if (const auto md = field(line, "MD"); !md.empty()) {
      ++count;
      const std::string got = hash_hex<Hash>(message);
      if (got != md) BOOST_ERROR(file << ": Len = " << bits << ": got " << got << ", expected " << md);
    }
  }
  return count;
}

// SHAVS Monte Carlo test (SHAVS section 6.4); returns the number of checkpoints checked.
template <class Hash>
std::size_t run_monte_file(const std::string& file) {
  const std::string text = keyward_test::read_vector_file(file);
  BOOST_TEST_REQUIRE(!text.empty(), file);
  std::string seed;
  std::size_t count = 0;
  for (const std::string_view line : lines(text)) {
    if (const auto s = field(line, "Seed"); !s.empty()) {
      seed = keyward_test::from_hex(s);
    } else if (const auto md = field(line, "MD"); !md.empty()) {
      std::string m[3] = {seed, seed, seed};
      for (int i = 3; i < 1003; ++i) {
        Hash h;
        h.update(m[0].data(), m[0].size());
        h.update(m[1].data(), m[1].size());
        h.update(m[2].data(), m[2].size());
        const auto digest = h.final();
        m[0] = std::move(m[1]);
        m[1] = std::move(m[2]);
        m[2].assign(reinterpret_cast<const char*>(digest.data()), digest.size());
      }
      seed = m[2];
      const std::string got = keyward_test::to_hex(seed);
      if (got != md) BOOST_ERROR(file << ": checkpoint " << count << ": got " << got << ", expected " << md);
      ++count;
    }
  }
  return count;
}

// A deterministic test message of `size` bytes.
std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t x = 0x12345678u;
  for (auto& c : bytes) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return bytes;
}

// Returns the number of splits that disagreed with the one-shot digest.
template <class Hash>
std::size_t check_every_split(std::size_t size) {
  std::size_t mismatches = 0;
  const std::string message = pattern(size);
  const auto expected = Hash::hash(message.data(), message.size());
  for (std::size_t split = 0; split <= size; ++split) {
    Hash h;
    h.update(message.data(), split);
    h.update(std::string_view(message).substr(split));
    if (h.final() != expected) {
      ++mismatches;
      BOOST_ERROR("size " << size << " split at " << split);
    }
    // three pieces: split, a middle piece of up to 70 bytes, the rest
    const std::size_t middle = std::min<std::size_t>(70, size - split);
    Hash g;
    g.update(message.data(), split);
    g.update(message.data() + split, middle);
    g.update(message.data() + split + middle, size - split - middle);
    if (g.final() != expected) {
      ++mismatches;
      BOOST_ERROR("size " << size << " three pieces at " << split);
    }
  }
  return mismatches;
}

}  // namespace

BOOST_AUTO_TEST_CASE(known_answers_fips_180_examples) {
  for (const auto& impl : implementations()) {
    const keyward::kernels::scoped_force only(impl.allowed);
    BOOST_TEST_MESSAGE("implementation " << impl.name);
    BOOST_TEST(hash_hex<sha256>("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(hash_hex<sha256>("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hash_hex<sha256>("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    BOOST_TEST(hash_hex<sha384>("abc") ==
               "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    BOOST_TEST(hash_hex<sha512>("abc") ==
               "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
               "454d4423643ce80e2a9ac94fa54ca49f");
    // One million 'a' (FIPS 180-2 appendix B.3, C.3), fed in pieces of 1000.
    const std::string thousand(1000, 'a');
    sha256 h256;
    sha512 h512;
    for (int i = 0; i < 1000; ++i) {
      h256.update(thousand);
      h512.update(thousand.data(), thousand.size());
    }
    BOOST_TEST(hex(h256.final()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    BOOST_TEST(hex(h512.final()) ==
               "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31b"
               "eb009c5c2c49aa2e4eadb217ad8cc09b");
  }
}

BOOST_AUTO_TEST_CASE(constexpr_matches_runtime) {
  BOOST_TEST(sha256::hash(std::string_view("abc")) == abc256);
  BOOST_TEST(sha512::hash(std::string_view("abc")) == abc512);
  BOOST_TEST(sha384::hash(std::string_view("abc")) == abc384);
}

BOOST_AUTO_TEST_CASE(nist_cavp_short_and_long_messages) {
  for (const auto& impl : implementations()) {
    const keyward::kernels::scoped_force only(impl.allowed);
    BOOST_TEST_MESSAGE("implementation " << impl.name);
    BOOST_TEST(run_message_file<sha256>("nist-cavp-shavs/SHA256ShortMsg.rsp") == 65u);
    BOOST_TEST(run_message_file<sha256>("nist-cavp-shavs/SHA256LongMsg.rsp") == 64u);
    BOOST_TEST(run_message_file<sha384>("nist-cavp-shavs/SHA384ShortMsg.rsp") == 129u);
    BOOST_TEST(run_message_file<sha384>("nist-cavp-shavs/SHA384LongMsg.rsp") == 128u);
    BOOST_TEST(run_message_file<sha512>("nist-cavp-shavs/SHA512ShortMsg.rsp") == 129u);
    BOOST_TEST(run_message_file<sha512>("nist-cavp-shavs/SHA512LongMsg.rsp") == 128u);
  }
}

BOOST_AUTO_TEST_CASE(nist_cavp_monte_carlo) {
  for (const auto& impl : implementations()) {
    const keyward::kernels::scoped_force only(impl.allowed);
    BOOST_TEST_MESSAGE("implementation " << impl.name);
    BOOST_TEST(run_monte_file<sha256>("nist-cavp-shavs/SHA256Monte.rsp") == 100u);
    BOOST_TEST(run_monte_file<sha384>("nist-cavp-shavs/SHA384Monte.rsp") == 100u);
    BOOST_TEST(run_monte_file<sha512>("nist-cavp-shavs/SHA512Monte.rsp") == 100u);
  }
}

BOOST_AUTO_TEST_CASE(incremental_equals_one_shot_at_every_split) {
  for (const auto& impl : implementations()) {
    const keyward::kernels::scoped_force only(impl.allowed);
    BOOST_TEST_MESSAGE("implementation " << impl.name);
    for (const std::size_t size : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 111u, 112u, 127u, 128u, 129u, 300u}) {
      BOOST_TEST(check_every_split<sha256>(size) == 0u);
      BOOST_TEST(check_every_split<sha384>(size) == 0u);
      BOOST_TEST(check_every_split<sha512>(size) == 0u);
    }
  }
}

// Returns the number of (implementation, length) pairs whose digest differs from the scalar code's.
template <class Hash>
std::size_t disagreements(const std::vector<std::size_t>& sizes, std::size_t offset) {
  const auto impls = implementations();
  std::size_t differ = 0;
  for (const std::size_t size : sizes) {
    const std::string message = pattern(size + offset);
    const char* start = message.data() + offset;  // unaligned for offset != 0
    std::string first;
    for (const auto& impl : impls) {
      const keyward::kernels::scoped_force only(impl.allowed);
      const std::string got = hex(Hash::hash(start, size));
      if (first.empty()) first = got;
      if (got != first) {
        ++differ;
        BOOST_ERROR(impl.name << " differs at length " << size << ", offset " << offset);
      }
    }
  }
  return differ;
}

BOOST_AUTO_TEST_CASE(implementations_agree_on_every_length) {
  BOOST_TEST((implementations().front().allowed == kernel::scalar));
  std::vector<std::size_t> sizes;
  for (std::size_t size = 0; size < 600; ++size) sizes.push_back(size);
  // Around every block count up to 12 (the SHA-512 kernels take blocks two at a time and pipeline their
  // schedule across pairs), and a few long messages.
  for (std::size_t blocks = 4; blocks <= 12; ++blocks)
    for (const std::size_t size : {128 * blocks - 17, 128 * blocks - 1, 128 * blocks, 128 * blocks + 1})
      sizes.push_back(size);
  for (const std::size_t size : {4096u, 65536u + 3u, 1u << 20}) sizes.push_back(size);
  for (const std::size_t offset : {0u, 1u, 7u}) {
    BOOST_TEST(disagreements<sha256>(sizes, offset) == 0u);
    BOOST_TEST(disagreements<sha384>(sizes, offset) == 0u);
    BOOST_TEST(disagreements<sha512>(sizes, offset) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(final_resets_and_copies_continue) {
  sha256 h;
  h.update("ab", 2);
  sha256 copy = h;
  h.update("c", 1);
  BOOST_TEST(h.final() == abc256);
  BOOST_TEST(h.final() == sha256::hash("", 0));  // reset after final
  copy.update(std::string_view("c"));
  BOOST_TEST(copy.final() == abc256);
  h.update("zzz", 3);
  h.reset();
  h.update("abc", 3);
  BOOST_TEST(h.final() == abc256);
  h.update(nullptr, 0);
  BOOST_TEST(h.final() == sha256::hash("", 0));
}
