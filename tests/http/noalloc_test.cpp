// The HTTP parse paths and writers into a caller's buffer allocate nothing, on valid input and on every error
// path: this program replaces the global operator new and counts calls while keyward::http works.
#define BOOST_TEST_MODULE http_noalloc
#include <boost/test/unit_test.hpp>

#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/challenge.hpp>
#include <keyward/http/credentials.hpp>
#include <keyward/http/date.hpp>

#include "support/count_allocations.hpp"

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using keyward_test::allocations;
using keyward_test::counting;

// The write_x() halves of the writer trios allocate nothing either, on success and on error.
BOOST_AUTO_TEST_CASE(writers_do_not_allocate) {
  namespace http = keyward::http;
  char out[256];
  std::size_t written = 0;
  std::size_t failures = 0;
  const std::string long_password(100, 'p');  // more than one chunk of the Basic encoder

  counting = true;
  written += http::write_basic("Aladdin", "open sesame", out, sizeof out).value_or(0);
  written += http::write_basic("key", long_password, out, sizeof out).value_or(0);
  failures += http::write_basic("a:b", "c", out, sizeof out).has_value() ? 0 : 1;
  failures += http::write_basic("Aladdin", "open sesame", out, 4).has_value() ? 0 : 1;
  written += http::write_bearer("mF_9.B5f-4.1JqM", out, sizeof out).value_or(0);
  failures += http::write_bearer("a b", out, sizeof out).has_value() ? 0 : 1;
  written += http::write_challenges({"Basic realm=\"x\"", "Bearer"}, out, sizeof out).value_or(0);
  failures += http::write_challenges({"Basic", "A, B"}, out, sizeof out).has_value() ? 0 : 1;
  written += http::write_imf_fixdate(http::sys_seconds(std::chrono::seconds(784111777)), out, sizeof out).value_or(0);
  failures += http::write_imf_fixdate(http::sys_seconds(std::chrono::seconds(784111777)), out, 28).has_value() ? 0 : 1;
  counting = false;

  BOOST_TEST(allocations == 0u);
  // 34 + (6 + 140) + 23 + 22 + 29: "Basic " and 4 * ceil(104 / 3) characters for the long password
  BOOST_TEST(written == 34u + 146u + 23u + 22u + 29u);
  BOOST_TEST(failures == 5u);
}

BOOST_AUTO_TEST_CASE(parsers_do_not_allocate) {
  namespace http = keyward::http;
  // Valid and invalid values of every kind, long ones included (no small-string optimisation hides a copy).
  const std::vector<std::string> values = {
      "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Basic dGVzdDoxMjOj", "Basic dGVzdDoxMjPCow==", "Basic !!!!",
      "Basic YWJj", "Basic", "", "Bearer mF_9.B5f-4.1JqM", "Bearer abc def", "Bearer a\r\nb",
      "Bearer " + std::string(4000, 'x'), "Basic " + std::string(4000, 'A'), "Basic " + std::string(9000, 'A'),
      "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"", "X a=b, a=c", "X a=\"unterminated",
      "Basic realm=\"simple\", Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\"",
      "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"",
      "Negotiate abc==, Basic realm=\"x\", charset=\"UTF-8\"", ", ,Basic realm=\"x\",, Bearer"};
  // Lists longer than the few names the duplicate check compares as they come (then checked at the end of
  // the list), with and without a duplicate, up to the ceiling on parameters and past it, parsed with raised
  // limits too.
  std::vector<std::string> long_lists(4, "X ");
  for (int i = 0; i < 300; ++i) {
    const std::string param = "parameter_" + std::to_string(i) + "=\"v\", ";
    if (i < 20) long_lists[0] += param;
    if (i < 20) long_lists[1] += i == 19 ? "PARAMETER_3=v" : param;
    if (i < 256) long_lists[2] += param;
    long_lists[3] += param;
  }
  http::limits raised;
  raised.max_length = static_cast<std::size_t>(-1);
  raised.max_parameters = static_cast<std::size_t>(-1);
  std::vector<char> buffer(20000);
  std::size_t parsed = 0;
  std::size_t visited = 0;

  counting = true;
  for (const std::string& value : values) {
    const auto credentials = http::parse_credentials(value);
    if (credentials) {
      ++parsed;
      for (const auto& param : credentials->params) visited += param.value_size();
    }
    for (const auto charset :
         {http::basic_charset::utf8, http::basic_charset::latin1_fallback, http::basic_charset::raw}) {
      http::basic_options options;
      options.charset = charset;
      parsed += http::parse_basic(value, buffer.data(), buffer.size(), options).has_value() ? 1 : 0;
    }
    http::basic_buffer<64> small;
    parsed += http::parse_basic(value, small).has_value() ? 1 : 0;
    parsed += http::parse_bearer(value).has_value() ? 1 : 0;
    const auto challenges = http::parse_challenges(value);
    if (challenges) {
      ++parsed;
      for (const auto& challenge : *challenges) {
        for (const auto& param : challenge.params) visited += param.value_size();
      }
    }
  }
  std::size_t long_parsed = 0;
  std::size_t long_params = 0;
  for (const std::string& value : long_lists) {
    for (const http::limits& limit : {http::limits{}, raised}) {
      const auto credentials = http::parse_credentials(value, limit);
      if (credentials) {
        ++long_parsed;
        for (const auto& param : credentials->params) long_params += param.value_size();
      }
      const auto challenges = http::parse_challenges(value, limit);
      if (challenges) {
        ++long_parsed;
        for (const auto& challenge : *challenges) {
          for (const auto& param : challenge.params) long_params += param.value_size();
        }
      }
    }
  }
  counting = false;

  BOOST_TEST(allocations == 0u);
  BOOST_TEST(long_parsed == 6u);  // list 0 in all four ways, list 2 with raised limits (twice)
  BOOST_TEST(long_params == 4u * 20 + 2u * 256);
  BOOST_TEST(parsed > 10u);  // the loop did parse something
  BOOST_TEST(visited > 10u);
}
