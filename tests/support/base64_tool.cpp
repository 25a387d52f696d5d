// A batch front end to keyward::base64 for tests/base64_crosscheck.py, which compares it with Python's
// base64 module. Usage: base64_tool encode|decode standard|url required|optional|forbidden reject|skip
// Reads one hex-encoded input per line on stdin; prints per line the Base64 text (encode), or for decode
// "ok <hex of bytes>" or "err <errc value> <offset>". KEYWARD_TEST_ISA picks the kernel (forced_isa.hpp).
#include <keyward/base64.hpp>

#include "forced_isa.hpp"

#include <cstdio>
#include <cstring>
#include <iostream>
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

std::string to_hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : bytes) {
    hex.push_back(digits[static_cast<unsigned char>(c) >> 4]);
    hex.push_back(digits[static_cast<unsigned char>(c) & 15]);
  }
  return hex;
}

}  // namespace

int main(int argc, char** argv) {
  namespace base64 = keyward::base64;
  if (argc != 5) {
    std::fprintf(stderr, "usage: base64_tool encode|decode standard|url required|optional|forbidden reject|skip\n");
    return 2;
  }
  keyward_test::force_kernel_from_environment();
  const bool encode = std::strcmp(argv[1], "encode") == 0;
  base64::options opt;
  opt.chars = std::strcmp(argv[2], "url") == 0 ? base64::alphabet::url : base64::alphabet::standard;
  opt.pad = std::strcmp(argv[3], "optional") == 0    ? base64::padding::optional
            : std::strcmp(argv[3], "forbidden") == 0 ? base64::padding::forbidden
                                                      : base64::padding::required;
  opt.space = std::strcmp(argv[4], "skip") == 0 ? base64::whitespace::skip : base64::whitespace::reject;
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string input = from_hex(line);
    if (encode) {
      std::cout << base64::encode(input, opt) << '\n';
      continue;
    }
    const auto decoded = base64::decode(input, opt);
    if (decoded) {
      std::cout << "ok " << to_hex(*decoded) << '\n';
    } else {
      std::cout << "err " << static_cast<int>(decoded.error().code()) << ' ' << decoded.error().offset() << '\n';
    }
  }
  return 0;
}
