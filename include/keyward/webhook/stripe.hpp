// keyward: Stripe webhook signatures ("Verify webhook signatures", docs.stripe.com/webhooks): the field
// `Stripe-Signature: t=<timestamp>,v1=<hex>[,v1=<hex>...][,v0=<hex>]` holds the timestamp and the lower-case
// hex of HMAC-SHA256(endpoint secret, timestamp "." body), once per active secret while Stripe rolls one. The
// endpoint secret (`whsec_...`) is the HMAC key as its bytes, prefix included: unlike Standard Webhooks it
// is not Base64-decoded.
//
// How keyward reads the field: comma-separated `name=value` items, each name non-empty ASCII letters and
// digits and each value non-empty; exactly one `t`, a strict count of seconds (no sign, no leading zero);
// `v1` values must be 64 lower-case hex digits; other names (`v0`, the test-mode scheme) are ignored but
// counted against max_signatures (default 8). Any v1 may match, under any of the verifier's secrets. The
// timestamp must lie within the tolerance (default 300 s) on both sides of `now`: Stripe's libraries check
// only the past, but a timestamp in the future has no source other than a skewed clock.
/// \file
/// Stripe webhook signatures (Stripe-Signature).
#ifndef KEYWARD_WEBHOOK_STRIPE_HPP
#define KEYWARD_WEBHOOK_STRIPE_HPP

#include "../config.hpp"
#include "../detail/webhook.hpp"
#include "../error.hpp"
#include "keyring.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::webhook {

/// The name of the field holding the timestamp and the signatures.
inline constexpr std::string_view stripe_signature_header = "Stripe-Signature";

/// Settings of stripe_verifier, checked by make().
struct stripe_options {
  /// How far the timestamp may be from `now`, in either direction: more than 0.
  std::chrono::seconds tolerance{300};
  /// The most signature items (every item but `t`) the field may hold: 1 to 16.
  std::size_t max_signatures = 8;
};

}  // namespace keyward::webhook

namespace keyward::detail::webhook_stripe {

/// What parse_field() found: the timestamp, its text and the decoded v1 tags.
struct fields {
  std::int64_t timestamp = 0;
  std::string_view timestamp_text;
  std::array<keyward::webhook::tag, webhook::max_signatures_ceiling> tags;
  std::size_t count = 0;
};

/// Reads a Stripe-Signature value (see the top of the header). webhook_missing_header when empty (after
/// OWS); at the offending offset: webhook_invalid_signature_header (an item without '=', an empty or
/// non-alphanumeric name, an empty value, a second `t`, a v1 value that is not 64 lower-case hex digits),
/// webhook_invalid_timestamp, webhook_too_many_signatures (the first item past `max_signatures`); then,
/// without an offset, webhook_invalid_signature_header when there is no `t` and webhook_no_signature when
/// there is no v1.
inline result<void> parse_field(std::string_view text, std::size_t max_signatures, fields& found) noexcept {
  const webhook::span field = webhook::trim_ows(text);
  if (field.begin == field.end) return errc::webhook_missing_header;
  bool has_time = false;
  std::size_t signatures = 0;
  for (std::size_t i = field.begin;;) {
    std::size_t name_end = i;
    while (name_end < field.end && webhook::is_name_char(text[name_end])) ++name_end;
    if (name_end == i || name_end == field.end || text[name_end] != '=') {
      return keyward::error(errc::webhook_invalid_signature_header, name_end);
    }
    std::size_t item_end = name_end + 1;
    while (item_end < field.end && text[item_end] != ',') ++item_end;
    if (item_end == name_end + 1) return keyward::error(errc::webhook_invalid_signature_header, item_end);
    const std::string_view name = text.substr(i, name_end - i);
    if (name == "t") {
      if (has_time) return keyward::error(errc::webhook_invalid_signature_header, i);
      const result<std::int64_t> seconds = webhook::parse_seconds(text, name_end + 1, item_end);
      if (!seconds) return seconds.error();
      has_time = true;
      found.timestamp = *seconds;
      found.timestamp_text = text.substr(name_end + 1, item_end - name_end - 1);
    } else {
      if (++signatures > max_signatures) return keyward::error(errc::webhook_too_many_signatures, i);
      if (name == "v1") {
        if (const result<void> tag = webhook::decode_hex_tag(text, name_end + 1, item_end, found.tags[found.count].data());
            !tag) {
          return tag.error();
        }
        ++found.count;
      }
    }
    if (item_end == field.end) break;
    i = item_end + 1;
  }
  if (!has_time) return errc::webhook_invalid_signature_header;
  if (found.count == 0) return errc::webhook_no_signature;
  return {};
}

}  // namespace keyward::detail::webhook_stripe

namespace keyward::webhook {

/// Verifies Stripe webhook events under one or several endpoint secrets (several while one is rotated).
/// Holds the prepared HMAC keys and the options; copyable. verify() allocates nothing.
class stripe_verifier {
 public:
  /// Prepares one HMAC key per endpoint secret, each taken as raw bytes (`whsec_` included).
  /// webhook_invalid_options when `secrets` is empty, the tolerance is not positive or max_signatures is
  /// outside 1-16; webhook_invalid_secret when a secret is empty.
  static result<stripe_verifier> make(const std::vector<std::string_view>& secrets,
                                      const stripe_options& options = {}) {
    if (options.tolerance.count() <= 0 || options.max_signatures == 0 ||
        options.max_signatures > detail::webhook::max_signatures_ceiling) {
      return errc::webhook_invalid_options;
    }
    result<keyring> ring = keyring::make(secrets);
    if (!ring) return ring.error();
    return stripe_verifier(std::move(*ring), options);
  }

  /// Verifies an event: the Stripe-Signature field value `signature_header` and the raw body `body`, at
  /// `now` (a system_clock time point of any integer precision, floored to seconds). Returns the first
  /// failure of: the field (the errors of its grammar, see the top of the header, with their offsets in
  /// `signature_header`); the tolerance (webhook_timestamp_too_old, webhook_timestamp_too_new); the MAC of
  /// `timestamp.body` under every secret against every v1 tag (webhook_signature_mismatch; raw bytes
  /// compared in constant time).
  template <class Duration>
  result<void> verify(std::string_view signature_header, std::string_view body,
                      std::chrono::time_point<std::chrono::system_clock, Duration> now) const noexcept {
    detail::webhook_stripe::fields found;
    if (const result<void> parsed = detail::webhook_stripe::parse_field(signature_header, options_.max_signatures, found);
        !parsed) {
      return parsed.error();
    }
    if (const result<void> fresh = detail::webhook::check_window(found.timestamp, now, options_.tolerance); !fresh) {
      return fresh.error();
    }
    const auto feed = [&](crypto::hmac_sha256::stream& mac) {
      mac.update(found.timestamp_text);
      mac.update(".", 1);
      mac.update(body);
    };
    if (!keys_.matches_any(feed, found.tags.data(), found.count)) return errc::webhook_signature_mismatch;
    return {};
  }

  /// The options the verifier was made with.
  const stripe_options& options() const noexcept { return options_; }

 private:
  stripe_verifier(keyring keys, const stripe_options& options) noexcept : keys_(std::move(keys)), options_(options) {}

  keyring keys_;
  stripe_options options_;
};

}  // namespace keyward::webhook

#endif  // KEYWARD_WEBHOOK_STRIPE_HPP
