// libFuzzer target for keyward::webhook::stripe_verifier (webhook/stripe.hpp). Input: 8 bytes of `now`
// (seconds, little-endian, any int64), then `Stripe-Signature value \n body`. An item "v1=@" is replaced by
// the true tag (so that the accepting path is reached). Checks against a reference written from the header's
// rules with plain string operations (split on ',' then on the first '='; the MAC computed one-shot over the
// concatenated message): the same error code, and offsets inside the field.
#include <keyward/webhook/stripe.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace webhook = keyward::webhook;
using keyward::errc;

const std::string secret = "whsec_fuzz";

std::string hex(const std::uint8_t* bytes, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < size; ++i) {
    text.push_back(digits[bytes[i] >> 4]);
    text.push_back(digits[bytes[i] & 15]);
  }
  return text;
}

errc reference(std::string_view field, std::string_view body, std::int64_t now, std::size_t cap) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.empty()) return errc::webhook_missing_header;
  std::string_view ts;
  bool has_time = false;
  std::vector<std::string_view> tags;
  std::size_t signatures = 0;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = std::min(field.find(',', begin), field.size());
    const std::string_view item = field.substr(begin, end - begin);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return errc::webhook_invalid_signature_header;
    for (const char c : item.substr(0, eq)) {
      if (!std::isalnum(static_cast<unsigned char>(c))) return errc::webhook_invalid_signature_header;
    }
    const std::string_view name = item.substr(0, eq), value = item.substr(eq + 1);
    if (value.empty()) return errc::webhook_invalid_signature_header;
    if (name == "t") {
      if (has_time) return errc::webhook_invalid_signature_header;
      if (value.size() > 19 || (value.size() > 1 && value[0] == '0')) return errc::webhook_invalid_timestamp;
      for (const char c : value) {
        if (c < '0' || c > '9') return errc::webhook_invalid_timestamp;
      }
      if (value.size() == 19 && value > "9223372036854775807") return errc::webhook_invalid_timestamp;
      has_time = true;
      ts = value;
    } else {
      if (++signatures > cap) return errc::webhook_too_many_signatures;
      if (name == "v1") {
        if (value.size() != 64) return errc::webhook_invalid_signature_header;
        for (const char c : value) {
          if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return errc::webhook_invalid_signature_header;
        }
        tags.push_back(value);
      }
    }
    if (end == field.size()) break;
    begin = end + 1;
  }
  if (!has_time) return errc::webhook_invalid_signature_header;
  if (tags.empty()) return errc::webhook_no_signature;
  __extension__ typedef __int128 wide;
  const wide distance = static_cast<wide>(now) - std::stoll(std::string(ts));
  if (distance > 300) return errc::webhook_timestamp_too_old;
  if (distance < -300) return errc::webhook_timestamp_too_new;
  const auto mac = keyward::crypto::hmac_sha256::compute(secret, std::string(ts) + "." + std::string(body));
  const std::string expected = hex(mac.data(), mac.size());
  for (const std::string_view tag : tags) {
    if (tag == expected) return errc{};
  }
  return errc::webhook_signature_mismatch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const webhook::stripe_verifier verifier = webhook::stripe_verifier::make({"other", secret}).value();
  std::uint64_t raw = 0;
  const std::size_t now_bytes = size < 8 ? size : 8;
  for (std::size_t i = 0; i < now_bytes; ++i) raw |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const auto now_seconds = static_cast<std::int64_t>(raw);
  const std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds> now{std::chrono::seconds(now_seconds)};
  const std::string text(reinterpret_cast<const char*>(data) + now_bytes, size - now_bytes);
  const std::size_t newline = std::min(text.find('\n'), text.size());
  std::string field = text.substr(0, newline);
  const std::string body = newline < text.size() ? text.substr(newline + 1) : std::string();
  if (const std::size_t at = field.find("v1=@"); at != std::string::npos) {
    const std::size_t t = field.find("t=");
    if (t != std::string::npos) {
      const std::size_t t_end = std::min(field.find(',', t), field.size());
      const std::string ts = field.substr(t + 2, t_end - t - 2);
      const auto mac = keyward::crypto::hmac_sha256::compute(secret, ts + "." + body);
      field.replace(at + 3, 1, hex(mac.data(), mac.size()));
    }
  }
  const std::string exact(field);
  const auto got = verifier.verify(exact, body, now);
  const errc expected = reference(exact, body, now_seconds, verifier.options().max_signatures);
  FUZZ_CHECK(got.has_value() == (expected == errc{}));
  if (!got) {
    FUZZ_CHECK(got.error().code() == expected);
    FUZZ_CHECK(!got.error().has_offset() || got.error().offset() <= exact.size());
  }
  return 0;
}
