// A batch front end to keyward::http::denial for tests/http_denial_crosscheck.py, which parses every body
// back with Python's json module. Reads one request per line on stdin:
//   <reason>[:<argument>] <style> <message or -> [<detail name> <detail value>]...
// reason is a denial_reason name; rate_limited and unavailable take the delay in nanoseconds,
// credits_exhausted takes the time until the refill in nanoseconds or nothing (no refill), insufficient_scope
// the scope; style is error_object or errors_array; message, names and values are 'h' and
// their bytes in hex ('-' for the default message). Prints per line: <status> <retry-after seconds or -> <body>.
// Exits 1 when json(), json_size() and write_json() disagree.
#include <keyward/http/denial.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The bytes of "h<hex>".
std::string from_hex(const std::string& field) {
  const std::string hex = field.substr(1);
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])));
  }
  return bytes;
}

bool make_denial(const std::string& spec, keyward::http::denial& out) {
  using keyward::http::denial;
  const std::size_t colon = spec.find(':');
  const std::string reason = spec.substr(0, colon);
  const std::string argument = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
  if (reason == "missing_credentials") out = denial::missing_credentials();
  else if (reason == "malformed_credentials") out = denial::malformed_credentials();
  else if (reason == "wrong_scheme") out = denial::wrong_scheme();
  else if (reason == "invalid_key") out = denial::invalid_key();
  else if (reason == "expired") out = denial::expired();
  else if (reason == "revoked") out = denial::revoked();
  else if (reason == "insufficient_scope") {
    auto made = denial::insufficient_scope(argument);
    if (!made) return false;
    out = std::move(*made);
  }
  else if (reason == "wrong_environment") out = denial::wrong_environment();
  else if (reason == "rate_limited") out = denial::rate_limited(std::chrono::nanoseconds(std::stoll(argument)));
  else if (reason == "disabled") out = denial::disabled();
  else if (reason == "unavailable") out = denial::unavailable(std::chrono::nanoseconds(std::stoll(argument)));
  else if (reason == "credits_exhausted") {
    std::optional<std::chrono::nanoseconds> until_refill;
    if (colon != std::string::npos) until_refill = std::chrono::nanoseconds(std::stoll(argument));
    out = denial::credits_exhausted(until_refill);
  }
  else return false;
  return true;
}

}  // namespace

int main() {
  using keyward::http::json_style;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string spec, style_name, message;
    fields >> spec >> style_name >> message;
    keyward::http::denial made = keyward::http::denial::invalid_key();
    if (!make_denial(spec, made) || (style_name != "error_object" && style_name != "errors_array")) {
      std::fprintf(stderr, "bad request line: %s\n", line.c_str());
      return 2;
    }
    const json_style style = style_name == "error_object" ? json_style::error_object : json_style::errors_array;
    if (message != "-") made.with_message(from_hex(message));
    std::string name, value;
    while (fields >> name >> value) made.with_detail(from_hex(name), from_hex(value));

    const std::string body = made.json(style);
    std::vector<char> buffer(body.size());
    const auto written = made.write_json(buffer.data(), buffer.size(), style);
    if (made.json_size(style) != body.size() || !written || std::string(buffer.data(), *written) != body) {
      std::fprintf(stderr, "json(), json_size() and write_json() disagree for: %s\n", line.c_str());
      return 1;
    }
    const auto retry = made.retry_after();
    std::cout << made.status() << ' ' << (retry ? std::to_string(retry->count()) : "-") << ' ' << body << '\n';
  }
  return 0;
}
