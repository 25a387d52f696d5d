// keyward: GitHub webhook signatures ("Validating webhook deliveries", docs.github.com): the field
// `X-Hub-Signature-256: sha256=<hex>` holds the lower-case hex of HMAC-SHA256(secret, body), where the secret
// is the webhook's secret taken as its UTF-8 bytes, as configured (no decoding).
//
// GitHub signs the body only: there is no timestamp, so a captured delivery stays valid for as long as the
// secret does. A server that must refuse replays can remember the `X-GitHub-Delivery` id of each delivery
// it accepted. The legacy SHA-1 field `X-Hub-Signature: sha1=...` is not supported.
/// \file
/// GitHub webhook signatures (X-Hub-Signature-256).
#ifndef KEYWARD_WEBHOOK_GITHUB_HPP
#define KEYWARD_WEBHOOK_GITHUB_HPP

#include "../config.hpp"
#include "../detail/webhook.hpp"
#include "../error.hpp"
#include "keyring.hpp"

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::webhook {

/// The name of the field holding the signature.
inline constexpr std::string_view github_signature_header = "X-Hub-Signature-256";

/// Verifies GitHub webhook deliveries under one or several secrets (several while one is rotated). Holds
/// the prepared HMAC keys; copyable. verify() allocates nothing.
class github_verifier {
 public:
  /// Prepares one HMAC key per secret, each taken as raw bytes. webhook_invalid_options when `secrets` is
  /// empty, webhook_invalid_secret when one is empty.
  static result<github_verifier> make(const std::vector<std::string_view>& secrets) {
    result<keyring> ring = keyring::make(secrets);
    if (!ring) return ring.error();
    return github_verifier(std::move(*ring));
  }

  /// Verifies a delivery: the X-Hub-Signature-256 field value `signature_header` (OWS around it ignored) and
  /// the raw body `body`. webhook_missing_header when the value is empty; webhook_invalid_signature_header at
  /// the offending byte when it is not `<name>=` and 64 lower-case hex digits; webhook_no_signature for a name
  /// other than `sha256`; webhook_signature_mismatch when the tag is not the HMAC-SHA256 of the body under
  /// any secret (compared as raw bytes in constant time, keyring::matches_any).
  result<void> verify(std::string_view signature_header, std::string_view body) const noexcept {
    tag received{};
    if (const result<void> parsed = detail::webhook::parse_named_hex_tag(signature_header, "sha256", received.data());
        !parsed) {
      return parsed.error();
    }
    const auto feed = [&](crypto::hmac_sha256::stream& mac) { mac.update(body); };
    if (!keys_.matches_any(feed, &received, 1)) return errc::webhook_signature_mismatch;
    return {};
  }

 private:
  explicit github_verifier(keyring keys) noexcept : keys_(std::move(keys)) {}

  keyring keys_;
};

}  // namespace keyward::webhook

#endif  // KEYWARD_WEBHOOK_GITHUB_HPP
