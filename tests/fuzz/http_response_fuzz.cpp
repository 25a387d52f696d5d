// libFuzzer target: the client-side classifier on arbitrary statuses and WWW-Authenticate values, and a
// denial's body and challenge built around arbitrary caller text.
// - classify() follows its table (restated here), exposes a scope only as a view into the input that has RFC
//   6750 syntax, an error code only when the value parses with a Bearer challenge carrying one, and a
//   Retry-After only when backing off.
// - Every body is valid UTF-8 with no raw control character; json(), json_size() and write_json() agree; the
//   message read back with an independent JSON string decoder ends exactly where the body format says, keeps
//   the input's ASCII bytes in order, and equals the input when that is valid UTF-8.
// - The input as realm is refused by challenge_options::make exactly when it holds a CTL; otherwise the
//   challenge parses back to that realm; a 429 has none.
//
// Input layout: bytes 0-1 = status ((b0 * 256 + b1) % 1000 - 100); byte 2 = bit 7: a Retry-After is given,
// bits 0-6: its value minus 16 seconds; byte 3 = denial_reason (mod 9), bit 7: Basic challenge; the rest is
// the WWW-Authenticate value and the caller text.
#include <keyward/detail/utf8.hpp>
#include <keyward/http/challenge.hpp>
#include <keyward/http/classify.hpp>
#include <keyward/http/denial.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = keyward::http;

void require(bool condition) {
  if (!condition) std::abort();
}

bool is_valid_utf8(std::string_view text) {
  return keyward::detail::utf8::valid(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::string ascii_only(std::string_view text) {
  std::string ascii;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x80) ascii += c;
  }
  return ascii;
}

// Decodes the JSON string whose opening quote is at `i` (RFC 8259 section 7); sets `end` past the closing
// quote. Aborts on anything RFC 8259 does not allow in a string.
std::string decode_json_string(std::string_view json, std::size_t i, std::size_t& end) {
  require(i < json.size() && json[i] == '"');
  std::string out;
  for (++i; i < json.size(); ++i) {
    const char c = json[i];
    require(static_cast<unsigned char>(c) >= 0x20);
    if (c == '"') {
      end = i + 1;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    require(++i < json.size());
    switch (json[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        require(i + 4 < json.size());
        unsigned value = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
          const char h = json[i + k];
          const int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
          require(digit >= 0);
          value = value * 16 + static_cast<unsigned>(digit);
        }
        require(value < 0x80);  // keyward escapes control characters only
        out += static_cast<char>(value);
        i += 4;
        break;
      }
      default: std::abort();
    }
  }
  std::abort();
}

bool rfc6750_scope(std::string_view scope) {
  if (scope.empty() || scope.front() == ' ' || scope.back() == ' ') return false;
  for (std::size_t i = 0; i < scope.size(); ++i) {
    const char c = scope[i];
    if (c == ' ' ? scope[i - 1] == ' ' : (c < 0x21 || c > 0x7E || c == '"' || c == '\\')) return false;
  }
  return true;
}

void check_classify(int status, std::string_view value, std::optional<std::chrono::seconds> retry_after) {
  const http::classification outcome = http::classify(status, value, retry_after);
  http::client_action expected = http::client_action::fail;
  if (status >= 200 && status <= 399) expected = http::client_action::proceed;  // 1xx is never final
  if (status == 429 || status == 503) expected = http::client_action::back_off;
  if (status == 401 || status == 407) {
    expected = outcome.error == http::bearer_error::invalid_token ? http::client_action::refresh_token
                                                                   : http::client_action::authenticate;
  }
  require(outcome.action == expected);
  require(outcome.retry_after.has_value() == (expected == http::client_action::back_off && retry_after.has_value()));
  if (outcome.retry_after) require(outcome.retry_after->count() == std::max<long long>(0, retry_after->count()));

  if (outcome.error != http::bearer_error::none || !outcome.scope.empty()) {
    require(status >= 400 && status <= 599);
    const auto parsed = http::parse_challenges(value);
    require(parsed.has_value());
    const auto bearer = parsed->find("bearer");
    require(bearer.has_value());
    if (outcome.error != http::bearer_error::none) require(bearer->params.find("error").has_value());
  }
  if (!outcome.scope.empty()) {
    const std::size_t offset = static_cast<std::size_t>(outcome.scope.data() - value.data());
    require(outcome.scope.data() >= value.data() && offset + outcome.scope.size() <= value.size());
    require(rfc6750_scope(outcome.scope));
  }
}

void check_body(const http::denial& made, http::json_style style, std::string_view text) {
  const std::string body = made.json(style);
  require(made.json_size(style) == body.size());
  std::vector<char> buffer(body.size());
  const auto written = made.write_json(buffer.data(), buffer.size(), style);
  require(written.has_value() && *written == body.size() && std::string_view(buffer.data(), body.size()) == body);
  if (!body.empty()) require(!made.write_json(buffer.data(), body.size() - 1, style).has_value());
  require(is_valid_utf8(body));
  for (const char c : body) require(static_cast<unsigned char>(c) >= 0x20);

  const bool object = style == http::json_style::error_object;
  const std::string_view key = object ? R"("message":)" : R"("detail":)";
  const std::size_t start = body.find(key);
  require(start != std::string::npos);
  std::size_t end = 0;
  const std::string message = decode_json_string(body, start + key.size(), end);
  require(std::string_view(body).substr(end, object ? 11 : 8) == (object ? R"(,"details":)" : R"(,"attr":)"));
  if (text.empty()) return;  // the default message
  require(ascii_only(message) == ascii_only(text));
  if (is_valid_utf8(text)) require(message == text);
}

void check_challenge(const http::denial& made, bool basic, std::string_view text) {
  bool has_ctl = false;
  for (const char c : text) has_ctl = has_ctl || static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  const auto options =
      http::challenge_options::make(basic ? http::challenge_scheme::basic : http::challenge_scheme::bearer, text);
  require(options.has_value() == !has_ctl);
  if (!options) return;
  const auto built = made.challenge(*options);
  if (made.reason() == http::denial_reason::rate_limited || made.reason() == http::denial_reason::unavailable) {
    // no challenge
    require(!built.has_value());
    return;
  }
  require(built.has_value());
  const auto parsed = http::parse_challenges(*built, {~std::size_t{0}, 32, 16});
  require(parsed.has_value() && parsed->size() == 1);
  const http::challenge first = *parsed->begin();
  require(first.scheme_is(basic ? "Basic" : "Bearer"));
  const auto realm = first.params.find("realm");
  require(realm.has_value() == (basic || !text.empty()));
  if (realm) require(realm->value() == text);
}

http::denial make_denial(std::uint8_t selector) {
  switch (selector % 11) {
    case 0: return http::denial::missing_credentials();
    case 1: return http::denial::malformed_credentials();
    case 2: return http::denial::wrong_scheme();
    case 3: return http::denial::invalid_key();
    case 4: return http::denial::expired();
    case 5: return http::denial::revoked();
    case 6: return *http::denial::insufficient_scope("files:write");
    case 7: return http::denial::wrong_environment();
    case 8: return http::denial::disabled();
    case 9: return http::denial::unavailable(std::chrono::milliseconds(1500));
    default: return http::denial::rate_limited(std::chrono::milliseconds(1500));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = 4;
  if (size < header) return 0;
  const int status = (data[0] * 256 + data[1]) % 1000 - 100;
  std::optional<std::chrono::seconds> retry_after;
  if (data[2] & 0x80u) retry_after = std::chrono::seconds(static_cast<int>(data[2] & 0x7fu) - 16);
  const std::string_view text(reinterpret_cast<const char*>(data + header), size - header);

  check_classify(status, text, retry_after);

  const std::string caller_text(text);
  const http::denial made = make_denial(data[3]).with_message(caller_text).with_detail(caller_text, caller_text);
  check_body(made, http::json_style::error_object, text);
  check_body(made, http::json_style::errors_array, text);
  check_challenge(made, (data[3] & 0x80u) != 0, text);
  return 0;
}
