// libFuzzer target for keyward::webhook::standard_verifier (webhook/standard.hpp). Input: 8 bytes of `now`
// (seconds, little-endian, any int64), then `id \n timestamp \n signature \n body`. A signature entry
// "v1,@" is replaced by the true tag of the message (so that the accepting path is reached). Checks against a
// reference written from the header's rules with plain string operations (split on ' ' and ','; the MAC
// computed one-shot over the concatenated message, Base64 through base64::decode): the same error code,
// offsets inside their field, and the replay hook called exactly when the message verified.
#include <keyward/webhook/standard.hpp>

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

const std::string secret_bytes(24, '\x42');

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

errc reference(std::string_view id, std::string_view ts, std::string_view sig, std::string_view body, std::int64_t now,
               std::size_t cap) {
  id = trim(id);
  ts = trim(ts);
  sig = trim(sig);
  if (id.empty() || ts.empty() || sig.empty()) return errc::webhook_missing_header;
  if (id.size() > 256) return errc::webhook_invalid_id;
  for (const char c : id) {
    if (c < 0x21 || c > 0x7E) return errc::webhook_invalid_id;
  }
  if (ts.size() > 19 || (ts.size() > 1 && ts[0] == '0')) return errc::webhook_invalid_timestamp;
  for (const char c : ts) {
    if (c < '0' || c > '9') return errc::webhook_invalid_timestamp;
  }
  if (ts.size() == 19 && ts > "9223372036854775807") return errc::webhook_invalid_timestamp;
  const std::int64_t t = std::stoll(std::string(ts));
  std::vector<std::string> tags;
  std::size_t entries = 0;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = std::min(sig.find(' ', begin), sig.size());
    const std::string_view entry = sig.substr(begin, end - begin);
    if (++entries > cap) return errc::webhook_too_many_signatures;
    const std::size_t comma = entry.find(',');
    if (comma == std::string_view::npos || comma == 0 || comma + 1 == entry.size()) {
      return errc::webhook_invalid_signature_header;
    }
    if (entry.substr(0, comma) == "v1") {
      const auto bytes = keyward::base64::decode(entry.substr(comma + 1));
      if (!bytes || bytes->size() != 32) return errc::webhook_invalid_signature_header;
      tags.push_back(*bytes);
    }
    if (end == sig.size()) break;
    begin = end + 1;
  }
  if (tags.empty()) return errc::webhook_no_signature;
  __extension__ typedef __int128 wide;
  const wide distance = static_cast<wide>(now) - t;
  if (distance > 300) return errc::webhook_timestamp_too_old;
  if (distance < -300) return errc::webhook_timestamp_too_new;
  std::string message = std::string(id) + "." + std::string(ts) + "." + std::string(body);
  const auto mac = keyward::crypto::hmac_sha256::compute(secret_bytes, message);
  for (const std::string& tag : tags) {
    if (std::memcmp(tag.data(), mac.data(), 32) == 0) return errc{};
  }
  return errc::webhook_signature_mismatch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const webhook::standard_verifier verifier =
      webhook::standard_verifier::make({"whsec_" + keyward::base64::encode(secret_bytes)}).value();
  static const webhook::standard_verifier narrow = [] {
    webhook::standard_options o;
    o.max_signatures = 2;
    return webhook::standard_verifier::make({keyward::base64::encode(secret_bytes)}, o).value();
  }();
  std::uint64_t raw = 0;
  const std::size_t now_bytes = size < 8 ? size : 8;
  for (std::size_t i = 0; i < now_bytes; ++i) raw |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const auto now_seconds = static_cast<std::int64_t>(raw);
  const webhook::sys_seconds now{std::chrono::seconds(now_seconds)};
  const std::string text(reinterpret_cast<const char*>(data) + now_bytes, size - now_bytes);
  std::string_view parts[4];
  std::size_t begin = 0;
  for (int i = 0; i < 3; ++i) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    parts[i] = std::string_view(text).substr(begin, end - begin);
    begin = end < text.size() ? end + 1 : end;
  }
  parts[3] = std::string_view(text).substr(begin);
  std::string signature(parts[2]);
  if (const std::size_t at = signature.find("v1,@"); at != std::string::npos) {
    const std::string message =
        std::string(trim(parts[0])) + "." + std::string(trim(parts[1])) + "." + std::string(parts[3]);
    const auto mac = keyward::crypto::hmac_sha256::compute(secret_bytes, message);
    signature.replace(at + 3, 1, keyward::base64::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), 32)));
  }
  // Exactly-sized copies so that an overread of a field is caught.
  const std::string id(parts[0]), ts(parts[1]), body(parts[3]);
  for (const webhook::standard_verifier* v : {&verifier, &narrow}) {
    int calls = 0;
    const auto got = v->verify({id, ts, signature}, body, now, [&](std::string_view seen, webhook::sys_seconds) {
      ++calls;
      FUZZ_CHECK(seen == trim(id));
      return true;
    });
    const errc expected = reference(id, ts, signature, body, now_seconds, v->options().max_signatures);
    FUZZ_CHECK(got.has_value() == (expected == errc{}));
    FUZZ_CHECK(calls == (got.has_value() ? 1 : 0));
    if (!got) {
      FUZZ_CHECK(got.error().code() == expected);
      const keyward::errc code = got.error().code();
      if (got.error().has_offset()) {
        const std::size_t limit = code == errc::webhook_invalid_id ? id.size()
                                  : code == errc::webhook_invalid_timestamp ? ts.size()
                                                                            : signature.size();
        FUZZ_CHECK(got.error().offset() <= limit);
      }
      FUZZ_CHECK(v->verify({id, ts, signature}, body, now).error() == got.error());
    }
  }
  return 0;
}
