// A batch front end to keyward::http::parse_date / imf_fixdate and keyward::http::parse_retry_after for
// tests/http_date_crosscheck.py, which compares them with Python's email.utils, datetime and re. One request
// per line on stdin, one answer per line on stdout:
//   parse <now> <hex of text>        -> "ok <seconds since 1970>" or "err <errc value> <offset>"
//   format <seconds since 1970>      -> "ok <IMF-fixdate>" or "err <errc value>"
//   retry_after <now> <hex of text>  -> "ok <seconds>" or "err <errc value> <offset>"
// where <now> is in seconds since 1970.
#include <keyward/http/date.hpp>
#include <keyward/http/retry_after.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])));
  }
  return bytes;
}

keyward::http::sys_seconds at(long long seconds) {
  return keyward::http::sys_seconds(std::chrono::seconds(seconds));
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string command;
    long long number = 0;
    std::string hex;
    fields >> command >> number >> hex;
    const std::string text = from_hex(hex);
    if (command == "parse") {
      const auto r = keyward::http::parse_date(text, at(number));
      if (r) {
        std::cout << "ok " << r->time_since_epoch().count() << '\n';
      } else {
        std::cout << "err " << static_cast<int>(r.error().code()) << ' ' << r.error().offset() << '\n';
      }
    } else if (command == "format") {
      const auto r = keyward::http::imf_fixdate(at(number));
      if (r) {
        std::cout << "ok " << *r << '\n';
      } else {
        std::cout << "err " << static_cast<int>(r.error().code()) << '\n';
      }
    } else if (command == "retry_after") {
      const auto r = keyward::http::parse_retry_after(text, at(number));
      if (r) {
        std::cout << "ok " << r->count() << '\n';
      } else {
        std::cout << "err " << static_cast<int>(r.error().code()) << ' ' << r.error().offset() << '\n';
      }
    } else {
      std::cerr << "http_date_tool: unknown command \"" << command << "\"\n";
      return 2;
    }
  }
  return 0;
}
