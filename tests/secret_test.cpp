#define BOOST_TEST_MODULE secret
#include <boost/test/unit_test.hpp>

#include <keyward/secret.hpp>

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

using keyward::secret;

BOOST_AUTO_TEST_CASE(holds_and_reveals_bytes) {
  const secret s(std::string_view("sk_live_abc"));
  BOOST_TEST(s.reveal() == "sk_live_abc");
  BOOST_TEST(s.size() == 11u);
  BOOST_TEST(!s.empty());
  const secret binary("a\0b", 3);
  BOOST_TEST(binary.reveal() == std::string_view("a\0b", 3));
  const secret empty;
  BOOST_TEST(empty.empty());
  BOOST_TEST(empty.reveal().empty());
}

BOOST_AUTO_TEST_CASE(prints_redacted) {
  const secret s(std::string_view("hunter2"));
  std::ostringstream out;
  out << s;
  BOOST_TEST(out.str() == "[redacted]");
  static_assert(std::is_same_v<decltype(to_string(s)), const char*>);
  BOOST_TEST(std::string_view(to_string(s)) == "[redacted]");
  std::wostringstream wide;
  wide << s;
  BOOST_TEST((wide.str() == L"[redacted]"));
}

BOOST_AUTO_TEST_CASE(move_empties_the_source) {
  secret a(std::string_view("token"));
  secret b(std::move(a));
  BOOST_TEST(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  BOOST_TEST(a.reveal().empty());
  BOOST_TEST(b.reveal() == "token");
  secret c(std::string_view("other"));
  c = std::move(b);
  BOOST_TEST(b.empty());  // NOLINT(bugprone-use-after-move)
  BOOST_TEST(c.reveal() == "token");
  c.clear();
  BOOST_TEST(c.empty());
}

BOOST_AUTO_TEST_CASE(adopting_a_string_wipes_it) {
  std::string source = "a-fairly-long-api-key-beyond-small-string-size";
  const char* storage = source.data();
  const std::size_t size = source.size();
  const secret s(std::move(source));
  BOOST_TEST(s.reveal() == "a-fairly-long-api-key-beyond-small-string-size");
  BOOST_TEST(source.empty());
  // The string's buffer (still owned by `source`, cleared but not freed) holds only zeros.
  for (std::size_t i = 0; i < size; ++i) BOOST_TEST(storage[i] == '\0');
}

BOOST_AUTO_TEST_CASE(compares_by_content) {
  const secret a(std::string_view("same")), b(std::string_view("same")), c(std::string_view("diff")),
      d(std::string_view("longer"));
  BOOST_TEST((a == b));
  BOOST_TEST((a != c));
  BOOST_TEST((a != d));
  const secret copy = a.clone();
  BOOST_TEST((copy == a));
  BOOST_TEST(static_cast<const void*>(copy.reveal().data()) != static_cast<const void*>(a.reveal().data()));
}

BOOST_AUTO_TEST_CASE(constructed_from_a_literal) {
  const keyward::secret key("sk_live_abc");
  BOOST_TEST(key.reveal() == "sk_live_abc");
  BOOST_TEST(key.size() == 11u);
}
