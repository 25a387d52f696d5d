// libFuzzer target for keyward::webhook::slack_verifier (webhook/slack.hpp). Input: 8 bytes of `now`
// (seconds, little-endian, any int64), then `timestamp \n X-Slack-Signature value \n body`; a value "v0=@"
// is replaced by the true tag (so that the accepting path is reached). Checks against a reference written
// from the header's rules with plain string operations (the hex tag compared as text with the lower-case hex
// of a one-shot MAC of "v0:ts:body"): the same error code, and offsets inside their field.
#include <keyward/webhook/slack.hpp>

#include "fuzz_check.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace webhook = keyward::webhook;
using keyward::errc;

const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string hex_mac(std::string_view ts, std::string_view body) {
  const auto mac = keyward::crypto::hmac_sha256::compute(secret, "v0:" + std::string(ts) + ":" + std::string(body));
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t b : mac) {
    text.push_back(digits[b >> 4]);
    text.push_back(digits[b & 15]);
  }
  return text;
}

errc reference(std::string_view ts, std::string_view field, std::string_view body, std::int64_t now) {
  ts = trim(ts);
  field = trim(field);
  if (ts.empty() || field.empty()) return errc::webhook_missing_header;
  if (ts.size() > 19 || (ts.size() > 1 && ts[0] == '0')) return errc::webhook_invalid_timestamp;
  for (const char c : ts) {
    if (c < '0' || c > '9') return errc::webhook_invalid_timestamp;
  }
  if (ts.size() == 19 && ts > "9223372036854775807") return errc::webhook_invalid_timestamp;
  const std::size_t eq = field.find('=');
  if (eq == std::string_view::npos || eq == 0) return errc::webhook_invalid_signature_header;
  for (const char c : field.substr(0, eq)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return errc::webhook_invalid_signature_header;
  }
  if (field.substr(0, eq) != "v0") return errc::webhook_no_signature;
  const std::string_view value = field.substr(eq + 1);
  if (value.size() != 64) return errc::webhook_invalid_signature_header;
  for (const char c : value) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return errc::webhook_invalid_signature_header;
  }
  __extension__ typedef __int128 wide;
  const wide distance = static_cast<wide>(now) - std::stoll(std::string(ts));
  if (distance > 300) return errc::webhook_timestamp_too_old;
  if (distance < -300) return errc::webhook_timestamp_too_new;
  return value == hex_mac(ts, body) ? errc{} : errc::webhook_signature_mismatch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const webhook::slack_verifier verifier = webhook::slack_verifier::make({secret}).value();
  std::uint64_t raw = 0;
  const std::size_t now_bytes = size < 8 ? size : 8;
  for (std::size_t i = 0; i < now_bytes; ++i) raw |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const auto now_seconds = static_cast<std::int64_t>(raw);
  const std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds> now{std::chrono::seconds(now_seconds)};
  const std::string text(reinterpret_cast<const char*>(data) + now_bytes, size - now_bytes);
  const std::size_t first = std::min(text.find('\n'), text.size());
  const std::size_t second = first < text.size() ? std::min(text.find('\n', first + 1), text.size()) : text.size();
  const std::string ts = text.substr(0, first);
  std::string field = first < text.size() ? text.substr(first + 1, second - first - 1) : std::string();
  const std::string body = second < text.size() ? text.substr(second + 1) : std::string();
  if (const std::size_t at = field.find("v0=@"); at != std::string::npos) {
    field.replace(at + 3, 1, hex_mac(trim(ts), body));
  }
  const std::string exact(field);
  const auto got = verifier.verify({ts, exact}, body, now);
  const errc expected = reference(ts, exact, body, now_seconds);
  FUZZ_CHECK(got.has_value() == (expected == errc{}));
  if (!got) {
    FUZZ_CHECK(got.error().code() == expected);
    const std::size_t limit = got.error().code() == errc::webhook_invalid_timestamp ? ts.size() : exact.size();
    FUZZ_CHECK(!got.error().has_offset() || got.error().offset() <= limit);
  }
  return 0;
}
