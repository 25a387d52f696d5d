// keyward: minting JWTs signed with HS256, HS384 or HS512 (RFC 7515 section 7.1 compact serialization, RFC
// 7518 section 3.2 MACs, RFC 7519 claims), for tests and for servers that issue their own tokens. A signer
// holds one prepared HMAC key and the encoded header; claims_builder writes the claims JSON it signs.
/// \file
/// Minting JWTs signed with HS256, HS384 or HS512.
#ifndef KEYWARD_JWT_SIGN_HPP
#define KEYWARD_JWT_SIGN_HPP

#include "../base64.hpp"
#include "../crypto/hmac.hpp"
#include "../crypto/sha2.hpp"
#include "../detail/arith.hpp"
#include "../detail/json.hpp"
#include "../detail/time_convert.hpp"
#include "../detail/utf8.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "algorithm.hpp"
#include "json.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace keyward::detail::jwt_sign {

/// Success when `text` is well-formed UTF-8, else `code` at the first ill-formed byte.
inline result<void> check_utf8(std::string_view text, errc code) noexcept {
  const std::size_t bad = utf8::first_invalid(reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (bad != text.size()) return keyward::error(code, bad);
  return {};
}

}  // namespace keyward::detail::jwt_sign

namespace keyward::jwt {

/// Signs compact JWS tokens with one HMAC key (HS256, HS384 or HS512, RFC 7518 section 3.2). The key is
/// prepared once in make() and the header `{"alg":"HS256","typ":"JWT","kid":"..."}` (typ and kid left out
/// when empty) encoded once; each token then costs one pass over the claims and one HMAC. Copyable; wipes
/// its key state on destruction.
class signer {
 public:
  /// A signer for `alg` with the key `secret`, writing "kid" when `kid` is not empty and "typ" when `typ` is
  /// not empty. Fails with jwt_invalid_options when `alg` is not HS256, HS384 or HS512 (keyward signs no
  /// other), jwt_key_too_short when `secret` is shorter than hmac_size(alg) (RFC 7518 section 3.2), and
  /// jwt_invalid_header when `kid` or `typ` is not well-formed UTF-8 (offset of the first bad byte in it).
  static result<signer> make(algorithm alg, std::string_view secret, std::string_view kid = {},
                             std::string_view typ = "JWT") {
    if (!is_hmac(alg)) return errc::jwt_invalid_options;
    if (secret.size() < hmac_size(alg)) return errc::jwt_key_too_short;
    if (const result<void> ok = detail::jwt_sign::check_utf8(kid, errc::jwt_invalid_header); !ok) return ok.error();
    if (const result<void> ok = detail::jwt_sign::check_utf8(typ, errc::jwt_invalid_header); !ok) return ok.error();
    const std::string header = *detail::writer::write_string([&](detail::writer::counting_writer& out) noexcept {
      out.put("{\"alg\":\"");
      out.put(name(alg));
      out.put('"');
      if (!typ.empty()) {
        out.put(",\"typ\":");
        detail::json::put_string(out, typ);
      }
      if (!kid.empty()) {
        out.put(",\"kid\":");
        detail::json::put_string(out, kid);
      }
      out.put('}');
    });
    std::string encoded = base64::encode(header, base64::url);
    encoded.push_back('.');
    switch (alg) {
      case algorithm::hs384: return signer(std::move(encoded), key_type(std::in_place_index<1>, secret));
      case algorithm::hs512: return signer(std::move(encoded), key_type(std::in_place_index<2>, secret));
      default: return signer(std::move(encoded), key_type(std::in_place_index<0>, secret));
    }
  }

  /// The size of the token that write_token() writes for `claims` when they are valid (for any claims: the
  /// size their encoding would take), SIZE_MAX when that does not fit in a std::size_t.
  std::size_t token_size(std::string_view claims) const noexcept {
    const std::size_t encoded = base64::encoded_size(claims.size(), base64::url);
    return detail::arith::add_saturated(header_.size() + 1 + base64::encoded_size(mac_size(), base64::url),
                                            encoded);
  }

  /// Writes into `out[0, capacity)` the compact JWS (RFC 7515 section 7.1) of the claims JSON text `claims`,
  /// which is signed as given (not re-serialized) after it is checked as parse_json_object() checks it with
  /// the default json_limits (so that a verifier with default options can read it back): its errors, with
  /// the offset in `claims`. Returns the token's size (token_size()), or buffer_too_small, after those
  /// checks, when it does not fit. Nothing is written on any error. Allocates nothing.
  result<std::size_t> write_token(std::string_view claims, char* out, std::size_t capacity) const noexcept {
    if (const result<json_object> valid = parse_json_object(claims); !valid) return valid.error();
    const std::size_t size = token_size(claims);
    if (size > capacity) return errc::buffer_too_small;
    std::memcpy(out, header_.data(), header_.size());
    std::size_t at = header_.size();
    at += *base64::write_encoded(claims, out + at, capacity - at, base64::url);
    const std::string_view signing_input(out, at);
    out[at++] = '.';
    switch (key_.index()) {
      case 1: at += write_mac(std::get_if<1>(&key_)->sign(signing_input), out + at, capacity - at); break;
      case 2: at += write_mac(std::get_if<2>(&key_)->sign(signing_input), out + at, capacity - at); break;
      default: at += write_mac(std::get_if<0>(&key_)->sign(signing_input), out + at, capacity - at); break;
    }
    return at;
  }

  /// The token for `claims` as a new string; errors as write_token() (never buffer_too_small).
  result<std::string> token(std::string_view claims) const {
    std::string text(token_size(claims), '\0');
    const result<std::size_t> written = write_token(claims, text.data(), text.size());
    if (!written) return written.error();
    return text;
  }

 private:
  using key_type = std::variant<crypto::hmac<crypto::sha256>, crypto::hmac<crypto::sha384>,
                                crypto::hmac<crypto::sha512>>;

  signer(std::string header, key_type key) : header_(std::move(header)), key_(std::move(key)) {}

  std::size_t mac_size() const noexcept {
    return key_.index() == 0 ? crypto::sha256::digest_size
                             : key_.index() == 1 ? crypto::sha384::digest_size : crypto::sha512::digest_size;
  }

  template <class Tag>
  static std::size_t write_mac(const Tag& tag, char* out, std::size_t capacity) noexcept {
    return *base64::write_encoded(tag.data(), tag.size(), out, capacity, base64::url);
  }

  std::string header_;  // BASE64URL(header) '.'
  key_type key_;
};

/// Writes the claims JSON object that signer signs (RFC 7519 section 4): the registered claims iss, sub, aud,
/// exp, nbf, iat and jti, and custom string, integer and boolean claims, in the order they are added. Each
/// name may be given once ("aud" through any number of audience() calls), which json() checks.
class claims_builder {
 public:
  /// Sets "iss" (RFC 7519 section 4.1.1).
  claims_builder& issuer(std::string_view value) { return add("iss", kind::string, value, 0); }
  /// Sets "sub" (RFC 7519 section 4.1.2).
  claims_builder& subject(std::string_view value) { return add("sub", kind::string, value, 0); }
  /// Adds one audience to "aud" (RFC 7519 section 4.1.3): written as a string when there is one, as an array
  /// of strings, in order, when there are several.
  claims_builder& audience(std::string_view value) { return add("aud", kind::audience, value, 0); }
  /// Sets "jti" (RFC 7519 section 4.1.7).
  claims_builder& jwt_id(std::string_view value) { return add("jti", kind::string, value, 0); }
  /// Sets "exp" to `when` as a NumericDate (RFC 7519 sections 2 and 4.1.4), floored to whole seconds.
  template <class Duration>
  claims_builder& expires_at(std::chrono::time_point<std::chrono::system_clock, Duration> when) {
    return add("exp", kind::integer, {}, numeric_date(when));
  }
  /// Sets "nbf" to `when` as a NumericDate (RFC 7519 section 4.1.5), floored to whole seconds.
  template <class Duration>
  claims_builder& not_before(std::chrono::time_point<std::chrono::system_clock, Duration> when) {
    return add("nbf", kind::integer, {}, numeric_date(when));
  }
  /// Sets "iat" to `when` as a NumericDate (RFC 7519 section 4.1.6), floored to whole seconds.
  template <class Duration>
  claims_builder& issued_at(std::chrono::time_point<std::chrono::system_clock, Duration> when) {
    return add("iat", kind::integer, {}, numeric_date(when));
  }
  /// Adds the custom claim `name` with the string `value`.
  claims_builder& string_claim(std::string_view name, std::string_view value) {
    return add(name, kind::string, value, 0);
  }
  /// Adds the custom claim `name` with the integer `value`.
  claims_builder& integer_claim(std::string_view name, std::int64_t value) {
    return add(name, kind::integer, {}, value);
  }
  /// Adds the custom claim `name` with the boolean `value`.
  claims_builder& boolean_claim(std::string_view name, bool value) {
    return add(name, kind::boolean, {}, value ? 1 : 0);
  }

  /// The claims as compact JSON (RFC 8259), members in the order they were added, strings escaped as RFC
  /// 8259 section 7 requires. Fails with jwt_json_duplicate_member when a name was given twice (a registered
  /// one included, "aud" given by audience() and string_claim()), and jwt_json_invalid_utf8 when a name or a
  /// string is not well-formed UTF-8 (offsets within that name or string).
  result<std::string> json() const {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (const result<void> ok = detail::jwt_sign::check_utf8(members_[i].name, errc::jwt_json_invalid_utf8); !ok)
        return ok.error();
      if (const result<void> ok = detail::jwt_sign::check_utf8(members_[i].text, errc::jwt_json_invalid_utf8); !ok)
        return ok.error();
      for (std::size_t j = 0; j < i; ++j) {
        const bool both_audience = members_[i].type == kind::audience && members_[j].type == kind::audience;
        if (members_[j].name == members_[i].name && !both_audience) return errc::jwt_json_duplicate_member;
      }
    }
    return detail::writer::write_string([this](detail::writer::counting_writer& out) noexcept {
      out.put('{');
      bool first = true;
      bool audience_written = false;
      for (const member& m : members_) {
        if (m.type == kind::audience && audience_written) continue;
        if (!first) out.put(',');
        first = false;
        detail::json::put_string(out, m.name);
        out.put(':');
        switch (m.type) {
          case kind::string: detail::json::put_string(out, m.text); break;
          case kind::integer: out.put_decimal(m.number); break;
          case kind::boolean: out.put(m.number != 0 ? "true" : "false"); break;
          case kind::audience: put_audience(out); audience_written = true; break;
        }
      }
      out.put('}');
    });
  }

 private:
  enum class kind : std::uint8_t { string, integer, boolean, audience };
  struct member {
    std::string name;
    kind type;
    std::string text;
    std::int64_t number;
  };

  template <class Duration>
  static std::int64_t numeric_date(std::chrono::time_point<std::chrono::system_clock, Duration> when) noexcept {
    return detail::time_convert::floor_seconds(when).time_since_epoch().count();
  }

  claims_builder& add(std::string_view name, kind type, std::string_view text, std::int64_t number) {
    members_.push_back(member{std::string(name), type, std::string(text), number});
    return *this;
  }

  // "aud": the one audience as a string, several as an array.
  void put_audience(detail::writer::counting_writer& out) const noexcept {
    std::size_t count = 0;
    for (const member& m : members_) count += m.type == kind::audience ? 1 : 0;
    if (count > 1) out.put('[');
    bool first = true;
    for (const member& m : members_) {
      if (m.type != kind::audience) continue;
      if (!first) out.put(',');
      first = false;
      detail::json::put_string(out, m.text);
    }
    if (count > 1) out.put(']');
  }

  std::vector<member> members_;
};

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_SIGN_HPP
