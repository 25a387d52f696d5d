// keyward: Slack request signatures ("Verifying requests from Slack", api.slack.com/authentication/
// verifying-requests-from-slack): `X-Slack-Signature: v0=<hex>` holds the lower-case hex of
// HMAC-SHA256(signing secret, "v0:" timestamp ":" body), where the timestamp is the value of
// `X-Slack-Request-Timestamp` and the signing secret is taken as its bytes, as configured (no decoding).
// Slack asks receivers to refuse a timestamp more than five minutes from the local clock; keyward checks
// both directions with a settable tolerance (default 300 s), both ends included.
/// \file
/// Slack request signatures (X-Slack-Signature, X-Slack-Request-Timestamp).
#ifndef KEYWARD_WEBHOOK_SLACK_HPP
#define KEYWARD_WEBHOOK_SLACK_HPP

#include "../config.hpp"
#include "../detail/webhook.hpp"
#include "../error.hpp"
#include "keyring.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::webhook {

/// The name of the field holding the timestamp.
inline constexpr std::string_view slack_timestamp_header = "X-Slack-Request-Timestamp";
/// The name of the field holding the signature.
inline constexpr std::string_view slack_signature_header = "X-Slack-Signature";

/// The two header field values of a Slack request, as received (empty when absent).
struct slack_headers {
  std::string_view timestamp;  ///< X-Slack-Request-Timestamp
  std::string_view signature;  ///< X-Slack-Signature
};

/// Settings of slack_verifier, checked by make().
struct slack_options {
  /// How far the timestamp may be from `now`, in either direction: more than 0.
  std::chrono::seconds tolerance{300};
};

/// Verifies Slack requests under one or several signing secrets (several while one is rotated). Holds the
/// prepared HMAC keys and the options; copyable. verify() allocates nothing.
class slack_verifier {
 public:
  /// Prepares one HMAC key per signing secret, each taken as raw bytes. webhook_invalid_options when
  /// `secrets` is empty or the tolerance is not positive, webhook_invalid_secret when a secret is empty.
  static result<slack_verifier> make(const std::vector<std::string_view>& secrets, const slack_options& options = {}) {
    if (options.tolerance.count() <= 0) return errc::webhook_invalid_options;
    result<keyring> ring = keyring::make(secrets);
    if (!ring) return ring.error();
    return slack_verifier(std::move(*ring), options);
  }

  /// Verifies a request: its header field values `headers` (OWS around each ignored) and raw body `body`, at
  /// `now` (a system_clock time point of any integer precision, floored to seconds). Checks, in this order:
  /// both fields present (webhook_missing_header); the timestamp, 1 to 19 digits without sign or leading zero
  /// (webhook_invalid_timestamp at its offset); the signature field, `v0=` and 64 lower-case hex digits
  /// (webhook_invalid_signature_header at its offset, webhook_no_signature for another version); the
  /// tolerance (webhook_timestamp_too_old, webhook_timestamp_too_new); the MAC of `v0:timestamp:body`
  /// under every secret (webhook_signature_mismatch; raw bytes compared in constant time).
  template <class Duration>
  result<void> verify(const slack_headers& headers, std::string_view body,
                      std::chrono::time_point<std::chrono::system_clock, Duration> now) const noexcept {
    namespace hook = detail::webhook;
    const hook::span time_span = hook::trim_ows(headers.timestamp);
    const hook::span signature_span = hook::trim_ows(headers.signature);
    if (time_span.begin == time_span.end || signature_span.begin == signature_span.end) {
      return errc::webhook_missing_header;
    }
    const result<std::int64_t> timestamp = hook::parse_seconds(headers.timestamp, time_span.begin, time_span.end);
    if (!timestamp) return timestamp.error();
    tag received{};
    if (const result<void> parsed = hook::parse_named_hex_tag(headers.signature, "v0", received.data()); !parsed) {
      return parsed.error();
    }
    if (const result<void> fresh = hook::check_window(*timestamp, now, options_.tolerance); !fresh) {
      return fresh.error();
    }
    const std::string_view time_text = headers.timestamp.substr(time_span.begin, time_span.end - time_span.begin);
    const auto feed = [&](crypto::hmac_sha256::stream& mac) {
      mac.update("v0:", 3);
      mac.update(time_text);
      mac.update(":", 1);
      mac.update(body);
    };
    if (!keys_.matches_any(feed, &received, 1)) return errc::webhook_signature_mismatch;
    return {};
  }

  /// The options the verifier was made with.
  const slack_options& options() const noexcept { return options_; }

 private:
  slack_verifier(keyring keys, const slack_options& options) noexcept : keys_(std::move(keys)), options_(options) {}

  keyring keys_;
  slack_options options_;
};

}  // namespace keyward::webhook

#endif  // KEYWARD_WEBHOOK_SLACK_HPP
