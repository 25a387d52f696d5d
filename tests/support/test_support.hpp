// Helpers shared by the unit tests: reading files under tests/vectors/ and hex conversion.
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
