#define BOOST_TEST_MODULE ct
#include <boost/test/unit_test.hpp>

#include <keyward/ct.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ct = keyward::ct;

BOOST_AUTO_TEST_CASE(equal_finds_every_difference) {
  for (std::size_t size = 0; size <= 70; ++size) {
    std::string a(size, '\x5a');
    std::string b = a;
    BOOST_TEST(ct::equal(a.data(), b.data(), size));
    BOOST_TEST(ct::equal(a, b));
    for (std::size_t at = 0; at < size; ++at) {
      for (const unsigned bit : {0u, 3u, 7u}) {
        b[at] = static_cast<char>(static_cast<unsigned char>(a[at]) ^ (1u << bit));
        if (ct::equal(a.data(), b.data(), size)) BOOST_ERROR("size " << size << " difference at " << at);
        b[at] = a[at];
      }
    }
  }
  BOOST_TEST(ct::equal(nullptr, nullptr, 0));
}

BOOST_AUTO_TEST_CASE(equal_of_views_treats_lengths_as_public) {
  BOOST_TEST(ct::equal(std::string_view("abc"), std::string_view("abc")));
  BOOST_TEST(!ct::equal(std::string_view("abc"), std::string_view("abcd")));
  BOOST_TEST(!ct::equal(std::string_view(""), std::string_view("a")));
  BOOST_TEST(ct::equal(std::string_view(""), std::string_view("")));
}

// The values only: that select() and equal() do not branch on secrets is checked on the compiled code by
// tests/ctgrind.
BOOST_AUTO_TEST_CASE(select_picks_the_operand_named_by_the_condition) {
  BOOST_TEST(ct::select(true, 7, 9) == 7);
  BOOST_TEST(ct::select(false, 7, 9) == 9);
  BOOST_TEST(ct::select<std::uint8_t>(true, 0xff, 0) == 0xff);
  BOOST_TEST(ct::select<std::uint64_t>(false, ~0ull, 5ull) == 5ull);
  BOOST_TEST(ct::select<std::int32_t>(true, -1, 1) == -1);
  enum class color : std::uint8_t { red = 1, blue = 2 };
  BOOST_TEST((ct::select(false, color::red, color::blue) == color::blue));
}

BOOST_AUTO_TEST_CASE(secure_zero_wipes) {
  unsigned char buffer[37];
  for (auto& b : buffer) b = 0xa5;
  ct::secure_zero(buffer, sizeof buffer);
  for (const auto b : buffer) BOOST_TEST(b == 0);
  ct::secure_zero(nullptr, 0);
}
