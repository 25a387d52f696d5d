// libFuzzer target for keyward::webhook::github_verifier (webhook/github.hpp). Input: `X-Hub-Signature-256
// value \n body`; a value "sha256=@" is replaced by the true tag (so that the accepting path is reached).
// Checks against a reference written from the header's rules with plain string operations (the hex tag
// compared as text with the lower-case hex of a one-shot MAC): the same error code, offsets inside the field.
#include <keyward/webhook/github.hpp>

#include "fuzz_check.hpp"

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace webhook = keyward::webhook;
using keyward::errc;

const std::string secret = "It's a Secret to Everybody";

std::string hex_mac(std::string_view body) {
  const auto mac = keyward::crypto::hmac_sha256::compute(secret, body);
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t b : mac) {
    text.push_back(digits[b >> 4]);
    text.push_back(digits[b & 15]);
  }
  return text;
}

errc reference(std::string_view field, std::string_view body) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.empty()) return errc::webhook_missing_header;
  const std::size_t eq = field.find('=');
  if (eq == std::string_view::npos || eq == 0) return errc::webhook_invalid_signature_header;
  for (const char c : field.substr(0, eq)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return errc::webhook_invalid_signature_header;
  }
  if (field.substr(0, eq) != "sha256") return errc::webhook_no_signature;
  const std::string_view value = field.substr(eq + 1);
  if (value.size() != 64) return errc::webhook_invalid_signature_header;
  for (const char c : value) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return errc::webhook_invalid_signature_header;
  }
  return value == hex_mac(body) ? errc{} : errc::webhook_signature_mismatch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const webhook::github_verifier verifier = webhook::github_verifier::make({secret}).value();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = std::min(text.find('\n'), text.size());
  std::string field = text.substr(0, newline);
  const std::string body = newline < text.size() ? text.substr(newline + 1) : std::string();
  if (const std::size_t at = field.find("sha256=@"); at != std::string::npos) field.replace(at + 7, 1, hex_mac(body));
  const std::string exact(field);
  const auto got = verifier.verify(exact, body);
  const errc expected = reference(exact, body);
  FUZZ_CHECK(got.has_value() == (expected == errc{}));
  if (!got) {
    FUZZ_CHECK(got.error().code() == expected);
    FUZZ_CHECK(!got.error().has_offset() || got.error().offset() <= exact.size());
  }
  return 0;
}
