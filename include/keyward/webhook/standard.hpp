// keyward: Standard Webhooks v1 (standardwebhooks.com, spec/standard-webhooks.md "Signature scheme"):
// verifying the webhooks a sender signed, and signing them for senders.
//
// A message carries three header fields: `webhook-id` (a unique message id), `webhook-timestamp` (integer
// seconds since the Unix epoch) and `webhook-signature` (a space-separated list of `<version>,<value>`; the
// value of a `v1` entry is the Base64 of HMAC-SHA256(key, id "." timestamp "." body)). The key is the
// Base64 decoding of the secret, which is written with a `whsec_` prefix.
//
// How keyward reads it (strict where the specification is silent, and why):
// - The secret: `whsec_` is optional; the Base64 (RFC 4648 section 4) may omit its '=' padding, as the
//   reference libraries accept, but must be canonical (no stray bits in the last character: no encoder
//   writes them), and decode to at least 24 bytes (the specification's lower bound).
// - The timestamp: 1 to 19 ASCII digits, no sign, no leading zero; accepted within the tolerance (default
//   300 s, the specification's example) on both sides of `now`, both ends included.
// - The signature field: entries separated by exactly one SP; each entry is a non-empty version, ',' and a
//   non-empty value; unknown versions (`v1a`, `v2`) are ignored, a `v1` value must be the canonical padded
//   Base64 of 32 bytes (a value that cannot be a tag is a malformed field, not a mismatch). At most
//   max_signatures entries (default 8). Any v1 entry may match, under any of the verifier's secrets.
// - The id: 1 to max_id_size (default 256) bytes of visible ASCII (%x21-7E).
// - The tags are compared as raw bytes (decoded from Base64) in constant time, never as strings.
// OWS (SP / HTAB) around each field value is not part of it (RFC 9110 section 5.5) and is ignored.
/// \file
/// Standard Webhooks v1 signatures (webhook-id, webhook-timestamp, webhook-signature).
#ifndef KEYWARD_WEBHOOK_STANDARD_HPP
#define KEYWARD_WEBHOOK_STANDARD_HPP

#include "../base64.hpp"
#include "../config.hpp"
#include "../detail/ct.hpp"
#include "../detail/time_convert.hpp"
#include "../detail/webhook.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "../secret.hpp"
#include "keyring.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::webhook {

/// A UTC instant with one-second resolution: what the replay hook of standard_verifier::verify() is given.
using sys_seconds = detail::time_convert::sys_seconds;

/// The name of the field holding the message id.
inline constexpr std::string_view standard_id_header = "webhook-id";
/// The name of the field holding the timestamp.
inline constexpr std::string_view standard_timestamp_header = "webhook-timestamp";
/// The name of the field holding the signatures.
inline constexpr std::string_view standard_signature_header = "webhook-signature";

/// The three header field values of a Standard Webhooks message, as received (empty when absent).
struct standard_headers {
  std::string_view id;         ///< webhook-id
  std::string_view timestamp;  ///< webhook-timestamp
  std::string_view signature;  ///< webhook-signature
};

/// Settings of standard_verifier, checked by make().
struct standard_options {
  /// How far the timestamp may be from `now`, in either direction: more than 0.
  std::chrono::seconds tolerance{300};
  /// The most entries webhook-signature may hold (every version counted): 1 to 16.
  std::size_t max_signatures = 8;
  /// The longest webhook-id accepted, in bytes: at least 1.
  std::size_t max_id_size = 256;
};

}  // namespace keyward::webhook

namespace keyward::detail::webhook_standard {

/// The key bytes of a Standard Webhooks secret (see the top of the header): webhook_invalid_secret, with the
/// offset in `text` of a Base64 error, or without one when it decodes to under 24 bytes. Decoded in
/// constant time (base64::timing::constant).
inline result<keyward::secret> decode_secret(std::string_view text) {
  constexpr std::string_view prefix = "whsec_";
  const std::size_t skip = text.substr(0, prefix.size()) == prefix ? prefix.size() : 0;
  constexpr keyward::base64::options rules{keyward::base64::alphabet::standard, keyward::base64::padding::optional,
                                           keyward::base64::whitespace::reject, keyward::base64::timing::constant};
  const std::string_view encoded = text.substr(skip);
  // Sized from the length alone: decoded_size() would branch on the secret's trailing '='.
  std::string bytes(keyward::base64::max_decoded_size(encoded.size()), '\0');
  const result<std::size_t> size = keyward::base64::write_decoded(encoded, bytes.data(), bytes.size(), rules);
  if (!size) {  // the buffer may hold part of the key: wipe it
    keyward::ct::secure_zero(bytes.data(), bytes.size());
    const keyward::error& e = size.error();
    return keyward::error(errc::webhook_invalid_secret, e.has_offset() ? skip + e.offset() : keyward::error::no_offset);
  }
  keyward::ct::secure_zero(bytes.data() + *size, bytes.size() - *size);
  bytes.resize(*size);
  keyward::secret key(std::move(bytes));  // takes the bytes and wipes `bytes`
  if (key.size() < 24) return errc::webhook_invalid_secret;
  return key;
}

/// What parse_signatures() found: the decoded v1 tags, in order.
struct signatures {
  std::array<keyward::webhook::tag, webhook::max_signatures_ceiling> tags;
  std::size_t count = 0;
};

/// Reads the webhook-signature value `text[begin, end)` (OWS already trimmed; not empty) into `found`:
/// webhook_invalid_signature_header (an empty entry, an entry without ',' or with an empty version or
/// value, a v1 value that is not the canonical padded Base64 of 32 bytes) or webhook_too_many_signatures
/// (at the first entry past `max_entries`), each at its offset in `text`; webhook_no_signature when no
/// entry is v1.
inline result<void> parse_signatures(std::string_view text, std::size_t begin, std::size_t end,
                                     std::size_t max_entries, signatures& found) noexcept {
  std::size_t entries = 0;
  for (std::size_t i = begin;;) {
    std::size_t entry_end = i;
    std::size_t comma = std::string_view::npos;
    for (; entry_end < end && text[entry_end] != ' '; ++entry_end) {
      if (text[entry_end] == ',' && comma == std::string_view::npos) comma = entry_end;
    }
    if (++entries > max_entries) return keyward::error(errc::webhook_too_many_signatures, i);
    if (comma == std::string_view::npos || comma == i) return keyward::error(errc::webhook_invalid_signature_header, i);
    if (comma + 1 == entry_end) return keyward::error(errc::webhook_invalid_signature_header, entry_end);
    if (comma - i == 2 && text[i] == 'v' && text[i + 1] == '1') {
      keyward::webhook::tag& slot = found.tags[found.count];
      const std::string_view value = text.substr(comma + 1, entry_end - comma - 1);
      const result<std::size_t> size = keyward::base64::write_decoded(value, slot.data(), slot.size());
      if (!size) {
        const keyward::error& e = size.error();
        return keyward::error(errc::webhook_invalid_signature_header, comma + 1 + (e.has_offset() ? e.offset() : 0));
      }
      if (*size != slot.size()) return keyward::error(errc::webhook_invalid_signature_header, comma + 1);
      ++found.count;
    }
    if (entry_end == end) break;
    i = entry_end + 1;
  }
  if (found.count == 0) return errc::webhook_no_signature;
  return {};
}

}  // namespace keyward::detail::webhook_standard

namespace keyward::webhook {

/// Verifies Standard Webhooks v1 messages under one or several secrets (several while one is rotated).
/// Holds the prepared HMAC keys (keyring) and the options; copyable. verify() allocates nothing.
class standard_verifier {
 public:
  /// Decodes each secret (`whsec_` optional, Base64 with or without padding, at least 24 bytes: see the top
  /// of the header) and prepares its HMAC key once. webhook_invalid_secret (with the offset of a Base64
  /// error in that secret) for a secret that does not decode or is too short; webhook_invalid_options when
  /// `secrets` is empty, the tolerance is not positive, max_signatures is outside 1-16 or max_id_size is 0.
  static result<standard_verifier> make(const std::vector<std::string_view>& secrets,
                                        const standard_options& options = {}) {
    if (secrets.empty() || options.tolerance.count() <= 0 || options.max_signatures == 0 ||
        options.max_signatures > detail::webhook::max_signatures_ceiling || options.max_id_size == 0) {
      return errc::webhook_invalid_options;
    }
    std::vector<keyward::secret> keys;
    std::vector<std::string_view> views;
    keys.reserve(secrets.size());
    for (const std::string_view text : secrets) {
      result<keyward::secret> key = detail::webhook_standard::decode_secret(text);
      if (!key) return key.error();
      keys.push_back(std::move(*key));
      views.push_back(keys.back().reveal());
    }
    result<keyring> ring = keyring::make(views);
    if (!ring) return ring.error();
    return standard_verifier(std::move(*ring), options);
  }

  /// Verifies a message: its header field values `headers` and its raw body `body`, at `now` (a
  /// system_clock time point of any integer precision, floored to seconds). Checks, in this order, and
  /// returns the first failure: a field empty (webhook_missing_header); the id (webhook_invalid_id at its
  /// offset); the timestamp (webhook_invalid_timestamp at its offset); the signature field
  /// (webhook_invalid_signature_header or webhook_too_many_signatures at the offset,
  /// webhook_no_signature when no entry is v1); the tolerance (webhook_timestamp_too_old,
  /// webhook_timestamp_too_new); the MAC of `id.timestamp.body` under every secret against every v1 tag
  /// (webhook_signature_mismatch). Offsets are in the field they name. The body is fed to the HMAC where it
  /// lies, never copied.
  template <class Duration>
  result<void> verify(const standard_headers& headers, std::string_view body,
                      std::chrono::time_point<std::chrono::system_clock, Duration> now) const noexcept {
    checked fields;
    if (const result<void> valid = check(headers, body, now, fields); !valid) return valid.error();
    return {};
  }

  /// verify(), then, only when the message is authentic and within the tolerance, the replay check:
  /// `remember(id, timestamp)` (a std::string_view of the id without OWS and the message's timestamp as a
  /// sys_seconds) must record the id and return true when it had not been
  /// recorded, false when it had (then webhook_replayed). It is called last so that a forged or stale message
  /// can neither fill the cache nor spend the id of a genuine one; entries may be dropped once their
  /// timestamp is more than the tolerance in the past, since verify() refuses such messages anyway.
  /// `remember` must not throw (verify() is noexcept).
  template <class Duration, class Remember>
  result<void> verify(const standard_headers& headers, std::string_view body,
                      std::chrono::time_point<std::chrono::system_clock, Duration> now,
                      Remember&& remember) const noexcept {
    checked fields;
    if (const result<void> valid = check(headers, body, now, fields); !valid) return valid.error();
    const sys_seconds when{std::chrono::seconds(fields.timestamp)};
    if (!remember(fields.id, when)) return errc::webhook_replayed;
    return {};
  }

  /// The options the verifier was made with.
  const standard_options& options() const noexcept { return options_; }

 private:
  struct checked {
    std::string_view id;
    std::int64_t timestamp = 0;
  };

  standard_verifier(keyring keys, const standard_options& options) noexcept
      : keys_(std::move(keys)), options_(options) {}

  template <class Duration>
  result<void> check(const standard_headers& headers, std::string_view body,
                     std::chrono::time_point<std::chrono::system_clock, Duration> now,
                     checked& fields) const noexcept {
    namespace hook = detail::webhook;
    const hook::span id_span = hook::trim_ows(headers.id);
    const hook::span time_span = hook::trim_ows(headers.timestamp);
    const hook::span signature_span = hook::trim_ows(headers.signature);
    if (id_span.begin == id_span.end || time_span.begin == time_span.end ||
        signature_span.begin == signature_span.end) {
      return errc::webhook_missing_header;
    }
    const std::string_view id = headers.id.substr(id_span.begin, id_span.end - id_span.begin);
    if (const result<void> valid = hook::check_id(id, options_.max_id_size); !valid) {
      return keyward::error(errc::webhook_invalid_id, id_span.begin + valid.error().offset());
    }
    const result<std::int64_t> timestamp = hook::parse_seconds(headers.timestamp, time_span.begin, time_span.end);
    if (!timestamp) return timestamp.error();
    detail::webhook_standard::signatures found;
    if (const result<void> parsed = detail::webhook_standard::parse_signatures(
            headers.signature, signature_span.begin, signature_span.end, options_.max_signatures, found);
        !parsed) {
      return parsed.error();
    }
    if (const result<void> fresh = hook::check_window(*timestamp, now, options_.tolerance); !fresh) {
      return fresh.error();
    }
    const std::string_view time_text = headers.timestamp.substr(time_span.begin, time_span.end - time_span.begin);
    const auto feed = [&](crypto::hmac_sha256::stream& mac) {
      mac.update(id);
      mac.update(".", 1);
      mac.update(time_text);
      mac.update(".", 1);
      mac.update(body);
    };
    if (!keys_.matches_any(feed, found.tags.data(), found.count)) return errc::webhook_signature_mismatch;
    fields.id = id;
    fields.timestamp = *timestamp;
    return {};
  }

  keyring keys_;
  standard_options options_;
};

/// The number of characters of the webhook-timestamp value for `now`: its whole seconds in decimal (0 for
/// a time before the epoch, which write_timestamp() refuses).
template <class Duration>
constexpr std::size_t timestamp_size(std::chrono::time_point<std::chrono::system_clock, Duration> now) noexcept {
  const std::int64_t seconds = detail::time_convert::floor_seconds(now).time_since_epoch().count();
  return seconds < 0 ? 0 : detail::writer::decimal_size(static_cast<std::uint64_t>(seconds));
}

/// Writes the webhook-timestamp value for `now` (a system_clock time point of any integer precision,
/// floored to seconds): its seconds since the epoch in decimal. webhook_invalid_timestamp for a time
/// before the epoch, buffer_too_small when it does not fit (nothing is written on either error).
template <class Duration>
result<std::size_t> write_timestamp(std::chrono::time_point<std::chrono::system_clock, Duration> now, char* out,
                                    std::size_t capacity) noexcept {
  const std::int64_t seconds = detail::time_convert::floor_seconds(now).time_since_epoch().count();
  if (seconds < 0) return errc::webhook_invalid_timestamp;
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& w) { w.put_decimal(seconds); });
}

/// The webhook-timestamp value for `now` as a string; errors as write_timestamp() (never buffer_too_small).
template <class Duration>
result<std::string> timestamp(std::chrono::time_point<std::chrono::system_clock, Duration> now) {
  const std::int64_t seconds = detail::time_convert::floor_seconds(now).time_since_epoch().count();
  if (seconds < 0) return errc::webhook_invalid_timestamp;
  return detail::writer::write_string([&](detail::writer::counting_writer& w) { w.put_decimal(seconds); });
}

/// Signs Standard Webhooks v1 messages with one secret, for senders. Copyable; the prepared key is wiped on
/// destruction.
class standard_signer {
 public:
  /// Decodes `secret` as standard_verifier::make() does and prepares its HMAC key: webhook_invalid_secret
  /// when it does not decode (with the offset) or is under 24 bytes.
  static result<standard_signer> make(std::string_view secret) {
    result<keyward::secret> key = detail::webhook_standard::decode_secret(secret);
    if (!key) return key.error();
    result<keyring> ring = keyring::make({key->reveal()});
    if (!ring) return ring.error();
    return standard_signer(std::move(*ring));
  }

  /// The size of every webhook-signature value written: "v1," and the 44 characters of Base64 of a tag.
  static constexpr std::size_t signature_size() noexcept { return 3 + 44; }

  /// Writes the webhook-signature value `v1,<Base64 of HMAC-SHA256(key, id "." timestamp "." body)>` for the
  /// message `id` with the body `body` sent at `now` (the timestamp write_timestamp() writes for the same
  /// `now`; send both). webhook_missing_header for an empty id, webhook_invalid_id for an id a default
  /// standard_verifier refuses (over 256 bytes, a byte outside %x21-7E: its offset),
  /// webhook_invalid_timestamp for a time before the epoch, buffer_too_small under signature_size() bytes;
  /// nothing is written on any error.
  template <class Duration>
  result<std::size_t> write_signature(std::string_view id, std::string_view body,
                                      std::chrono::time_point<std::chrono::system_clock, Duration> now, char* out,
                                      std::size_t capacity) const noexcept {
    if (const result<void> valid = detail::webhook::check_id(id, standard_options{}.max_id_size); !valid) {
      return valid.error();
    }
    char digits[20];  // the most digits of an int64
    const result<std::size_t> digit_count = write_timestamp(now, digits, sizeof digits);
    if (!digit_count) return digit_count.error();  // a time before the epoch
    if (capacity < signature_size()) return errc::buffer_too_small;
    const std::string_view time_text(digits, *digit_count);
    // The tag is public once written (it is sent), so it may go through the fastest Base64 encoder.
    tag mac = detail::ct::declassify(key_.sign([&](crypto::hmac_sha256::stream& stream) {
      stream.update(id);
      stream.update(".", 1);
      stream.update(time_text);
      stream.update(".", 1);
      stream.update(body);
    }));
    out[0] = 'v';
    out[1] = '1';
    out[2] = ',';
    (void)base64::write_encoded(mac.data(), mac.size(), out + 3, capacity - 3);
    ct::secure_zero(mac.data(), mac.size());
    return signature_size();
  }

  /// The webhook-signature value as a string; errors as write_signature() (never buffer_too_small).
  template <class Duration>
  result<std::string> signature(std::string_view id, std::string_view body,
                                std::chrono::time_point<std::chrono::system_clock, Duration> now) const {
    std::string text(signature_size(), '\0');
    const result<std::size_t> written = write_signature(id, body, now, text.data(), text.size());
    if (!written) return written.error();
    return text;
  }

 private:
  explicit standard_signer(keyring key) noexcept : key_(std::move(key)) {}

  keyring key_;
};

}  // namespace keyward::webhook

#endif  // KEYWARD_WEBHOOK_STANDARD_HPP
