// libFuzzer target for the Authorization parsers: keyward::http::parse_credentials, parse_basic and
// parse_bearer, run on the same input (the input is the field value). Checks: nothing reads out of bounds (the
// input and Basic's output buffer are heap blocks of exactly their size); errors point inside the input; every
// parsed view lies inside the input; the three parsers agree with each other (a value parse_bearer or
// parse_basic accepts is a credentials value with that scheme and that token68, and the reverse for Bearer);
// and what parses re-builds and re-parses to the same values (Basic's user-id and password, Bearer's token,
// every auth-param's unescaped value). The SSE2 scanners (token68 characters; a decoded user-pass's first colon
// and printable-ASCII check) agree with the byte-at-a-time definitions at every starting offset.
#include <keyward/base64.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/credentials.hpp>

#include "fuzz_check.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace http = keyward::http;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

template <class T>
void check_error_offset(const keyward::result<T>& parsed, std::string_view input) {
  if (!parsed && parsed.error().has_offset()) FUZZ_CHECK(parsed.error().offset() <= input.size());
}

void check_credentials(std::string_view input) {
  const auto parsed = http::parse_credentials(input);
  check_error_offset(parsed, input);
  if (!parsed) return;
  FUZZ_CHECK(!parsed->scheme.empty() && inside(parsed->scheme, input));
  FUZZ_CHECK(inside(parsed->token68, input));
  FUZZ_CHECK(parsed->token68.empty() || parsed->params.empty());
  std::size_t count = 0;
  for (const auto& param : parsed->params) {
    ++count;
    FUZZ_CHECK(!param.name().empty() && inside(param.name(), input) && inside(param.raw_value(), input));
    FUZZ_CHECK(parsed->params.find(param.name()).has_value());
    const std::string value = param.value();
    FUZZ_CHECK(value.size() == param.value_size());
    // Re-quote the value and parse it back as a one-parameter credentials value.
    std::string quoted = "X " + std::string(param.name()) + "=\"";
    for (const char c : value) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    quoted += '"';
    const auto again = http::parse_credentials(quoted);
    FUZZ_CHECK(again.has_value() && again->params.size() == 1);
    FUZZ_CHECK(again->params.begin()->value() == value);
  }
  FUZZ_CHECK(count == parsed->params.size());
}

void check_bearer(std::string_view input) {
  const auto strict = http::parse_bearer(input);
  check_error_offset(strict, input);
  http::bearer_options lenient;
  lenient.charset = http::bearer_charset::visible_ascii;
  const auto loose = http::parse_bearer(input, lenient);
  check_error_offset(loose, input);

  const auto generic = http::parse_credentials(input);
  const bool generic_bearer = generic && generic->scheme_is("Bearer") && !generic->token68.empty();
  FUZZ_CHECK(strict.has_value() == generic_bearer);
  if (!strict) return;
  FUZZ_CHECK(*strict == generic->token68 && inside(*strict, input));
  FUZZ_CHECK(loose.has_value() && *loose == *strict);  // b64token is a subset of the lenient charset
  const auto built = http::bearer(*strict);
  FUZZ_CHECK(built.has_value());
  FUZZ_CHECK(*http::parse_bearer(*built) == *strict);
}

void check_basic(std::string_view input) {
  const std::size_t capacity = http::basic_buffer_size(input, http::basic_charset::latin1_fallback);
  const auto buffer = std::make_unique<char[]>(capacity);
  for (const auto charset : {http::basic_charset::utf8, http::basic_charset::latin1_fallback, http::basic_charset::raw}) {
    http::basic_options options;
    options.charset = charset;
    const auto parsed = http::parse_basic(input, buffer.get(), capacity, options);
    check_error_offset(parsed, input);
    if (!parsed) continue;
    const auto generic = http::parse_credentials(input);
    FUZZ_CHECK(generic && generic->scheme_is("Basic") && !generic->token68.empty());
    const auto decoded = keyward::base64::decode(generic->token68);
    FUZZ_CHECK(decoded.has_value());
    if (!parsed->transcoded) {
      FUZZ_CHECK(std::string(parsed->user) + ":" + std::string(parsed->password) == *decoded);
    }
    const std::string user(parsed->user);
    const std::string password(parsed->password);
    const auto built = http::basic(user, password);
    FUZZ_CHECK(built.has_value());
    const std::size_t room = http::basic_buffer_size(*built, charset);
    const auto rebuffer = std::make_unique<char[]>(room);
    http::basic_options reparse = options;
    reparse.limit.max_length = built->size();  // ISO-8859-1 transcoded to UTF-8 can outgrow the default limit
    const auto reparsed = http::parse_basic(*built, rebuffer.get(), room, reparse);
    FUZZ_CHECK(reparsed.has_value() && reparsed->user == user && reparsed->password == password);
  }
}

void check_simd_scanners(std::string_view input) {
  namespace grammar = keyward::detail::http_grammar;
  for (std::size_t i = 0; i <= input.size() && i < 64; ++i) {
    FUZZ_CHECK(grammar::skip_token68_chars(input, i) == grammar::skip(input, i, grammar::token68_char));
  }
  const auto scan = keyward::detail::http_basic::scan_user_pass(input.data(), input.size());
  FUZZ_CHECK(scan.colon == input.find(':'));
  bool printable = true;
  for (const char c : input) printable = printable && c >= 0x20 && c <= 0x7E;
  FUZZ_CHECK(scan.printable_ascii == printable);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto copy = std::make_unique<char[]>(size);
  if (size != 0) std::memcpy(copy.get(), data, size);
  const std::string_view input(copy.get(), size);
  check_credentials(input);
  check_bearer(input);
  check_basic(input);
  check_simd_scanners(input);
  return 0;
}
