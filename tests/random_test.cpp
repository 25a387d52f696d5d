#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>

#include <keyward/random.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

namespace kr = keyward::random;

BOOST_AUTO_TEST_CASE(fill_gives_distinct_buffers) {
  std::array<std::uint8_t, 32> a{}, b{};
  BOOST_TEST(kr::fill(a.data(), a.size()).has_value());
  BOOST_TEST(kr::fill(b.data(), b.size()).has_value());
  BOOST_TEST((a != b));  // fails with probability 2^-256
  BOOST_TEST(kr::fill(nullptr, 0).has_value());
}

BOOST_AUTO_TEST_CASE(fill_covers_large_buffers_and_every_byte_value) {
  std::vector<std::uint8_t> big(1 << 20, 0);
  BOOST_TEST(kr::fill(big.data(), big.size()).has_value());
  std::array<std::size_t, 256> counts{};
  for (const auto byte : big) ++counts[byte];
  // Each value is expected 4096 times; 3000..5200 is far outside any plausible deviation.
  BOOST_TEST(*std::min_element(counts.begin(), counts.end()) > 3000u);
  BOOST_TEST(*std::max_element(counts.begin(), counts.end()) < 5200u);
}

BOOST_AUTO_TEST_CASE(os_generator_is_a_uniform_random_bit_generator) {
  static_assert(std::is_same_v<kr::os_generator::result_type, std::uint64_t>);
  static_assert(kr::os_generator::min() == 0);
  static_assert(kr::os_generator::max() == ~std::uint64_t{0});
  kr::os_generator gen;
  std::uniform_int_distribution<int> die(1, 6);
  std::array<int, 7> seen{};
  for (int i = 0; i < 600; ++i) ++seen[static_cast<std::size_t>(die(gen))];
  for (int face = 1; face <= 6; ++face) BOOST_TEST(seen[static_cast<std::size_t>(face)] > 40);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100; ++i) values.push_back(gen());
  std::sort(values.begin(), values.end());
  BOOST_TEST((std::adjacent_find(values.begin(), values.end()) == values.end()));
  std::vector<int> deck{1, 2, 3, 4, 5, 6, 7, 8};
  std::shuffle(deck.begin(), deck.end(), gen);
  std::sort(deck.begin(), deck.end());
  BOOST_TEST((deck == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}
