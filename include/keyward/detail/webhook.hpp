// keyward (private): the header grammar shared by the webhook verifiers (webhook/*.hpp): strict decimal
// timestamps, the tolerance window, lower-case hex tags, message ids and OWS trimming. Nothing here touches a
// secret; the MAC itself is computed and compared by webhook::keyring.
#ifndef KEYWARD_DETAIL_WEBHOOK_HPP
#define KEYWARD_DETAIL_WEBHOOK_HPP

#include "../error.hpp"
#include "http_grammar.hpp"
#include "time_convert.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::detail::webhook {

/// Bytes in an HMAC-SHA256 tag, the MAC of every scheme here.
inline constexpr std::size_t tag_size = 32;

/// The hard ceiling on the signatures one field may carry (options::max_signatures is 1 to this): the
/// decoded tags are held on the stack while they are compared.
inline constexpr std::size_t max_signatures_ceiling = 16;

/// The bounds [begin, end) of `value` without the OWS (SP / HTAB) at either end (RFC 9110 section 5.5: OWS
/// around a field value is not part of it).
struct span {
  std::size_t begin;
  std::size_t end;
};
constexpr span trim_ows(std::string_view value) noexcept {
  namespace grammar = http_grammar;
  const std::size_t begin = grammar::skip(value, 0, grammar::ows);
  std::size_t end = value.size();
  while (end > begin && grammar::is(value[end - 1], grammar::ows)) --end;
  return {begin, end};
}

/// Reads `text[begin, end)` as a strict count of seconds: 1 to 19 ASCII digits, no sign, no space, no
/// leading zero (but "0" itself), at most INT64_MAX. webhook_invalid_timestamp at the offending byte of
/// `text` otherwise (at `begin` when empty or when the value overflows).
constexpr result<std::int64_t> parse_seconds(std::string_view text, std::size_t begin, std::size_t end) noexcept {
  if (begin == end) return keyward::error(errc::webhook_invalid_timestamp, begin);
  if (text[begin] == '0' && end - begin > 1) return keyward::error(errc::webhook_invalid_timestamp, begin + 1);
  constexpr std::uint64_t most = static_cast<std::uint64_t>(INT64_MAX);
  std::uint64_t value = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return keyward::error(errc::webhook_invalid_timestamp, i);
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (most - digit) / 10) return keyward::error(errc::webhook_invalid_timestamp, begin);
    value = value * 10 + digit;
  }
  return static_cast<std::int64_t>(value);
}

/// Success when `timestamp` (seconds since the epoch) lies within `tolerance` (> 0) of `now` (a system_clock
/// time point of any integer precision, floored to seconds by detail/time_convert.hpp), both ends included:
/// webhook_timestamp_too_old when timestamp < now - tolerance, webhook_timestamp_too_new when timestamp >
/// now + tolerance. Exact over the whole int64 range of both (the distance is taken in 64-bit unsigned).
template <class Duration>
constexpr result<void> check_window(std::int64_t timestamp,
                                    std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                    std::chrono::seconds tolerance) noexcept {
  const auto t = static_cast<std::uint64_t>(timestamp);
  const std::int64_t now_seconds = time_convert::floor_seconds(now).time_since_epoch().count();
  const auto n = static_cast<std::uint64_t>(now_seconds);
  const auto limit = static_cast<std::uint64_t>(tolerance.count());
  if (timestamp < now_seconds && n - t > limit) return errc::webhook_timestamp_too_old;
  if (timestamp > now_seconds && t - n > limit) return errc::webhook_timestamp_too_new;
  return {};
}

/// The value 0-15 of a lower-case hex digit, or -1 (upper case included: every scheme here sends lower case).
constexpr int lower_hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// Decodes `text[begin, end)`, which must be exactly 2 * tag_size lower-case hex digits, into `out`.
/// webhook_invalid_signature_header at the first bad digit, or at `begin` for a wrong length. The received
/// tag is public (the sender chose it), so this may branch on it.
constexpr result<void> decode_hex_tag(std::string_view text, std::size_t begin, std::size_t end,
                                      std::uint8_t* out) noexcept {
  if (end - begin != 2 * tag_size) return keyward::error(errc::webhook_invalid_signature_header, begin);
  for (std::size_t i = 0; i < tag_size; ++i) {
    const int high = lower_hex_digit(text[begin + 2 * i]);
    if (high < 0) return keyward::error(errc::webhook_invalid_signature_header, begin + 2 * i);
    const int low = lower_hex_digit(text[begin + 2 * i + 1]);
    if (low < 0) return keyward::error(errc::webhook_invalid_signature_header, begin + 2 * i + 1);
    out[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return {};
}

/// True for the bytes of a scheme or version name in a signature field (`v1`, `sha256`, `t`): ASCII letters
/// and digits.
constexpr bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Reads a field value holding one signature `<name>=<64 lower-case hex digits>` (GitHub's `sha256=`, Slack's
/// `v0=`) into `out`, where `name` is the one version the scheme knows. OWS at both ends is ignored.
/// webhook_missing_header when nothing else is there; webhook_invalid_signature_header at the offending byte
/// for a missing or empty name, a byte of the name outside [A-Za-z0-9], or a value that is not 64 lower-case
/// hex digits; webhook_no_signature (at 0) for a well-formed name other than `name`.
constexpr result<void> parse_named_hex_tag(std::string_view value, std::string_view name, std::uint8_t* out) noexcept {
  const span field = trim_ows(value);
  if (field.begin == field.end) return errc::webhook_missing_header;
  std::size_t i = field.begin;
  while (i < field.end && is_name_char(value[i])) ++i;
  if (i == field.begin || i == field.end || value[i] != '=') {
    return keyward::error(errc::webhook_invalid_signature_header, i);
  }
  if (value.substr(field.begin, i - field.begin) != name) return keyward::error(errc::webhook_no_signature, field.begin);
  return decode_hex_tag(value, i + 1, field.end, out);
}

/// Success when `id` can be a message id: 1 to `max_size` bytes of visible ASCII (%x21-7E, what a field
/// value carries unchanged). webhook_missing_header when empty, webhook_invalid_id at the first other byte
/// (or at max_size when longer).
constexpr result<void> check_id(std::string_view id, std::size_t max_size) noexcept {
  if (id.empty()) return errc::webhook_missing_header;
  if (id.size() > max_size) return keyward::error(errc::webhook_invalid_id, max_size);
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (id[i] < 0x21 || id[i] > 0x7E) return keyward::error(errc::webhook_invalid_id, i);
  }
  return {};
}

}  // namespace keyward::detail::webhook

#endif  // KEYWARD_DETAIL_WEBHOOK_HPP
