// Helpers shared by the unit tests: reading files under tests/vectors/, reading their flat JSON, and hex
// conversion.
#ifndef KEYWARD_TESTS_SUPPORT_TEST_SUPPORT_HPP
#define KEYWARD_TESTS_SUPPORT_TEST_SUPPORT_HPP

#include <keyward/error.hpp>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace keyward_test {

/// The whole content of tests/vectors/<name>; empty when the file cannot be read (tests then fail on size).
inline std::string read_vector_file(const std::string& name) {
  std::ifstream in(std::string(KEYWARD_TEST_VECTORS) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Bytes from lower- or upper-case hex; an odd length or a non-hex digit yields an empty string.
inline std::string from_hex(std::string_view hex) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes;
  if (hex.size() % 2 != 0) return bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]);
    const int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return bytes;
}

/// Lower-case hex of `bytes`.
inline std::string to_hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 15]);
  }
  return hex;
}

/// One `"name": value` pair of a vector file, as json_pairs() reports it.
struct json_pair {
  std::string_view name;
  std::string_view value;  // without quotes for strings
};

/// A purpose-built reader for the flat JSON of the vector files (Wycheproof): walks the text and reports, in
/// order, every `"name": value` pair whose value is a string, a number or null (arrays and objects are
/// entered, not skipped, so nested pairs are reported too).
inline std::vector<json_pair> json_pairs(std::string_view text) {
  std::vector<json_pair> pairs;
  std::size_t i = 0;
  while (true) {
    const std::size_t open = text.find('"', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('"', open + 1);
    if (close == std::string_view::npos) break;
    std::size_t j = close + 1;
    while (j < text.size() && text[j] == ' ') ++j;
    if (j >= text.size() || text[j] != ':') {  // a string value in an array: not a pair
      i = close + 1;
      continue;
    }
    ++j;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\n')) ++j;
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (j < text.size() && text[j] == '"') {
      const std::size_t end = text.find('"', j + 1);  // the vector files have no escaped quotes in values
      pairs.push_back({name, text.substr(j + 1, end - j - 1)});
      i = end + 1;
    } else {
      std::size_t end = j;
      while (end < text.size() && text[end] != ',' && text[end] != '\n' && text[end] != '}' && text[end] != '[' &&
             text[end] != '{')
        ++end;
      std::string_view value = text.substr(j, end - j);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (!value.empty()) pairs.push_back({name, value});
      i = end;
    }
  }
  return pairs;
}

}  // namespace keyward_test

namespace keyward {
// How Boost.Test prints keyward's error types in a failed assertion (found by argument-dependent lookup).
inline std::ostream& boost_test_print_type(std::ostream& out, errc code) {
  return out << to_string(code) << " (" << static_cast<int>(code) << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& out, const error& e) {
  out << e.message();
  if (e.has_offset()) out << " at offset " << e.offset();
  return out;
}
}  // namespace keyward

#endif  // KEYWARD_TESTS_SUPPORT_TEST_SUPPORT_HPP
