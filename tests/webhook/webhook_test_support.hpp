// Helpers shared by the webhook tests (tests/webhook/*_test.cpp): reading string members of the vector files
// in tests/vectors/webhooks/, and signing random cases with Python's hmac at test time
// (tests/webhook/webhook_crosscheck.py).
#ifndef KEYWARD_TESTS_WEBHOOK_WEBHOOK_TEST_SUPPORT_HPP
#define KEYWARD_TESTS_WEBHOOK_WEBHOOK_TEST_SUPPORT_HPP

#include "support/test_support.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace webhook_test {

/// A time point `seconds` after the epoch.
inline std::chrono::system_clock::time_point at(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

/// The string value of the member `"name": "..."` found at or after `from` in the JSON text `text` (only
/// \" and \\ escapes occur in the vector files), and where it ends in `from`; empty when absent.
inline std::string json_string(const std::string& text, const std::string& name, std::size_t& from) {
  const std::string key = "\"" + name + "\":";
  std::size_t at = text.find(key, from);
  if (at == std::string::npos) return {};
  at = text.find('"', at + key.size());
  std::string value;
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      value.push_back(text[++i]);
    } else if (text[i] == '"') {
      from = i + 1;
      return value;
    } else {
      value.push_back(text[i]);
    }
  }
  return {};
}
inline std::string json_string(const std::string& text, const std::string& name) {
  std::size_t from = 0;
  return json_string(text, name, from);
}

/// One message to sign: see tests/webhook/webhook_crosscheck.py.
struct signing_case {
  std::string key;  ///< raw key bytes
  std::string id;
  std::int64_t timestamp = 0;
  std::string body;
  bool padded = true;
};

/// What Python printed for a case: the secret text and the signature field value.
struct signed_case {
  std::string secret;
  std::string signature;
};

/// `count` random cases (fixed seed): keys of `min_key` to 64 bytes, ids of 1 to 40 visible ASCII bytes
/// without '.', timestamps across 2001-2255 (system_clock's nanoseconds end in 2262), bodies of 0 to 2100 random bytes (some sizes near SHA-256
/// block boundaries).
inline std::vector<signing_case> random_cases(std::size_t count, std::size_t min_key, std::uint32_t seed) {
  std::mt19937 random(seed);
  const auto pick = [&](std::size_t low, std::size_t high) {
    return std::uniform_int_distribution<std::size_t>(low, high)(random);
  };
  std::vector<signing_case> cases;
  for (std::size_t n = 0; n < count; ++n) {
    signing_case c;
    for (std::size_t i = pick(min_key, 64); i > 0; --i) c.key.push_back(static_cast<char>(pick(0, 255)));
    for (std::size_t i = pick(1, 40); i > 0; --i) {
      char byte = static_cast<char>(pick(0x21, 0x7E));
      c.id.push_back(byte == '.' ? '_' : byte);
    }
    c.timestamp = static_cast<std::int64_t>(pick(1'000'000'000, 9'000'000'000));
    const std::size_t sizes[] = {0, 1, 55, 56, 63, 64, 119, 120, 1024};
    const std::size_t size = n < 9 ? sizes[n] : pick(0, 2100);
    for (std::size_t i = 0; i < size; ++i) c.body.push_back(static_cast<char>(pick(0, 255)));
    c.padded = pick(0, 1) == 1;
    cases.push_back(c);
  }
  return cases;
}

/// Signs every case with `scheme` in Python (run now); empty when Python could not be run.
inline std::vector<signed_case> python_sign(const std::string& scheme, const std::vector<signing_case>& cases) {
  const std::string path = "/tmp/keyward_webhook_" + scheme + "_" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream out(path);
    for (const signing_case& c : cases) {
      out << scheme << ' ' << keyward_test::to_hex(c.key) << ' ' << (c.id.empty() ? "-" : c.id) << ' ' << c.timestamp
          << ' ' << (c.body.empty() ? "-" : keyward_test::to_hex(c.body)) << ' ' << (c.padded ? 1 : 0) << '\n';
    }
  }
  const std::string command = "python3 " + std::string(KEYWARD_TEST_VECTORS) + "/../webhook/webhook_crosscheck.py " + path;
  std::vector<signed_case> results;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char line[4096];
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
      std::string text(line);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      const std::size_t space = text.find(' ');
      if (space == std::string::npos) break;
      results.push_back({text.substr(0, space), text.substr(space + 1)});
    }
    pclose(pipe);
  }
  std::remove(path.c_str());
  return results;
}

}  // namespace webhook_test

#endif  // KEYWARD_TESTS_WEBHOOK_WEBHOOK_TEST_SUPPORT_HPP
