// keyward: static callback authentication, a legacy mode: some API providers authenticate the callbacks they
// send to a customer's server with a header (e.g. `<vendor>-callback-auth`) holding a fixed key shown on
// their dashboard. static_callback_auth checks that header against the configured key without leaking the
// key, its length, or how much of a guess matched.
//
// Prefer signed callbacks (webhook signatures: an HMAC of the body with a timestamp) wherever the provider
// offers them. A static key is sent with every callback: anyone who sees one (a proxy, a log line) can forge
// any later one, it does not bind the body, and it cannot stop a replay.
/// \file
/// Static callback authentication: a fixed key in a header of the callbacks an API provider sends.
#ifndef KEYWARD_KEYS_CALLBACK_HPP
#define KEYWARD_KEYS_CALLBACK_HPP

#include "../config.hpp"
#include "../crypto/equal_length_hiding.hpp"
#include "../ct.hpp"
#include "../detail/http_grammar.hpp"
#include "../error.hpp"
#include "../http/denial.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace keyward::keys {

/// What static_callback_auth::check() returns: success, or the http::denial to answer with, read like a
/// keyward::result (and like verifier::authenticate()'s authentication): `if (!checked) { status =
/// checked.error().status(); ... }`. Reading error() of a success aborts.
class callback_authentication {
 public:
  /// A success: the callback carries the configured key.
  static callback_authentication success() noexcept { return callback_authentication(); }
  /// A failure, answered with `why`.
  static callback_authentication failure(http::denial why) noexcept { return callback_authentication(std::move(why)); }

  /// True when the callback carries the configured key.
  ///@{
  bool has_value() const noexcept { return !denial_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  ///@}
  /// What to answer a refused callback with (status, challenge, JSON body); aborts on a success.
  const http::denial& error() const noexcept {
    if (!denial_) detail::bad_result_access();
    return *denial_;
  }

 private:
  callback_authentication() noexcept = default;
  explicit callback_authentication(http::denial why) noexcept : denial_(std::move(why)) {}

  std::optional<http::denial> denial_;
};

/// Legacy static callback authentication: the provider sends the configured key in the header
/// header_name() of every callback. Holds the header name and a keyed SHA-256 digest of the key (under
/// crypto::equal_length_hiding's random per-process key), not the key itself. Prefer signed webhooks.
class static_callback_auth {
 public:
  /// Checks the configuration once: `header_name` must be a field-name (RFC 9110 section 5.1: a token), else
  /// http_invalid_parameter_value (at the first byte outside tchar, no offset when empty); `expected_key`
  /// must be 1 or more bytes of printable ASCII (%x21-7E: what a field value carries without change), else
  /// key_invalid_length when empty, key_invalid_character at the first other byte. A short key is the
  /// caller's risk: the provider's key is taken as given.
  static result<static_callback_auth> make(std::string_view header_name, std::string_view expected_key) {
    namespace grammar = detail::http_grammar;
    if (header_name.empty()) return errc::http_invalid_parameter_value;
    const std::size_t name_end = grammar::skip(header_name, 0, grammar::tchar);
    if (name_end != header_name.size()) return keyward::error(errc::http_invalid_parameter_value, name_end);
    if (expected_key.empty()) return errc::key_invalid_length;
    for (std::size_t i = 0; i < expected_key.size(); ++i) {
      const auto byte = static_cast<unsigned char>(expected_key[i]);
      if (byte < 0x21 || byte > 0x7E) return keyward::error(errc::key_invalid_character, i);
    }
    return static_callback_auth(std::string(header_name),
                                detail::equal_length_hiding::keyed_digest(expected_key));
  }

  /// The name of the header to read, as configured (such as "refonte.ai-callback-auth").
  std::string_view header_name() const noexcept { return header_name_; }
  /// True when `name` is header_name() in any ASCII case (field names are case-insensitive, RFC 9110 5.1).
  bool is_header(std::string_view name) const noexcept { return detail::http_grammar::iequal(name, header_name_); }

  /// Checks the value of the header header_name() as received (empty when the callback has none). OWS around
  /// it is not part of the value (RFC 9110 section 5.5) and is ignored. An empty value gives
  /// http::denial::missing_credentials() (401); a value other than the configured key gives
  /// http::denial::invalid_key() (401). The comparison is of keyed SHA-256 digests with ct::equal: its time
  /// depends on the received value's length only, never on the configured key, its length, or how much of
  /// the value matches. Never fails otherwise; allocates nothing.
  callback_authentication check(std::string_view header_value) const noexcept {
    namespace grammar = detail::http_grammar;
    std::size_t begin = 0, end = header_value.size();
    while (begin < end && grammar::is(header_value[begin], grammar::ows)) ++begin;
    while (end > begin && grammar::is(header_value[end - 1], grammar::ows)) --end;
    if (begin == end) return callback_authentication::failure(http::denial::missing_credentials());
    const auto received = detail::equal_length_hiding::keyed_digest(header_value.substr(begin, end - begin));
    const bool same = detail::ct::declassify(ct::equal(received.data(), expected_.data(), expected_.size()));
    if (same) return callback_authentication::success();
    return callback_authentication::failure(http::denial::invalid_key());
  }

 private:
  static_callback_auth(std::string header_name, const crypto::sha256::digest& expected) noexcept
      : header_name_(std::move(header_name)), expected_(expected) {}

  std::string header_name_;
  crypto::sha256::digest expected_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_CALLBACK_HPP
