// keyward: the claims of a JSON Web Token (RFC 7519 section 4.1): reading the registered claims of a claims
// set (exp, nbf, iat as NumericDates; iss, sub, jti, aud), checking them against the requirements at a given time by
// the rules of RFC 7519 and RFC 8725, and views of custom claims.
/// \file
/// The claims of a JWT (RFC 7519 section 4.1): reading them, and checking them at a given time (RFC 8725).
#ifndef KEYWARD_JWT_CLAIMS_HPP
#define KEYWARD_JWT_CLAIMS_HPP

#include "../detail/http_grammar.hpp"
#include "../detail/time_convert.hpp"
#include "../error.hpp"
#include "json.hpp"
#include "jws.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward::detail::jwt_claims {

/// The registered claims read by check_claims(), as bit positions.
enum registered : unsigned { claim_exp, claim_nbf, claim_iat, claim_iss, claim_sub, claim_aud, claim_jti, claim_other };

/// `type` without an "application/" prefix (any case), which RFC 7515 section 4.1.9 lets senders omit.
constexpr std::string_view media_subtype(std::string_view type) noexcept {
  constexpr std::string_view prefix = "application/";
  if (type.size() >= prefix.size() && http_grammar::iequal(type.substr(0, prefix.size()), prefix)) {
    return type.substr(prefix.size());
  }
  return type;
}

/// True when the media types `a` and `b` are the same (not empty) type, as check_type() says.
constexpr bool same_media_type(std::string_view a, std::string_view b) noexcept {
  const std::string_view sub = media_subtype(a);
  return !sub.empty() && http_grammar::iequal(sub, media_subtype(b));
}

}  // namespace keyward::detail::jwt_claims

namespace keyward::jwt {

/// A UTC instant with one-second resolution: what a NumericDate means (RFC 7519 section 2).
using sys_seconds = detail::time_convert::sys_seconds;

/// What a claims set must satisfy (RFC 7519 section 4.1, RFC 8725 sections 3.8 to 3.11). The defaults fit an
/// access token: exp required, a 60 s leeway, no iss, sub or typ check, and no aud accepted: a token that
/// carries an aud is refused unless `audiences` names one of its values, as RFC 7519 section 4.1.3 requires
/// of a recipient that identifies with none.
struct claims_requirements {
  /// The longest leeway accepted: RFC 7519 section 4.1.4 speaks of "a small leeway, usually no more than a
  /// few minutes"; a longer one lets expired tokens live on, and is refused with jwt_invalid_options.
  static constexpr std::chrono::seconds max_leeway{300};

  /// exp is required (jwt_missing_claim without it): access tokens should always expire.
  bool require_expiry = true;
  /// The clock skew tolerated on exp, nbf and iat, from 0 to max_leeway.
  std::chrono::seconds leeway{60};
  /// When not empty: iss is required (jwt_missing_claim) and must equal it (jwt_wrong_issuer).
  std::string issuer;
  /// When not empty: aud is required (jwt_missing_claim), and it (a string) or one of its elements (an
  /// array) must equal one of these (jwt_wrong_audience). When empty: a token with an aud is refused
  /// (jwt_wrong_audience), since RFC 7519 section 4.1.3 says a recipient that does not identify itself with
  /// a value of a present aud MUST reject the token; configure the audiences of a server whose tokens carry
  /// one. No entry may be empty.
  std::vector<std::string> audiences;
  /// When not empty: sub is required (jwt_missing_claim) and must equal it (jwt_wrong_subject).
  std::string subject;
  /// When not empty: the typ header parameter is required and must name this media type (jwt_wrong_type),
  /// compared as check_type() says, such as "at+jwt" for RFC 9068 access tokens (RFC 8725 section 3.11).
  std::string type;
};

/// Success when `required` can be used: a leeway from 0 to claims_requirements::max_leeway, no empty audience, and
/// a type that is not "application/" alone; jwt_invalid_options otherwise.
inline result<void> check_requirements(const claims_requirements& required) noexcept {
  if (required.leeway < std::chrono::seconds(0) || required.leeway > claims_requirements::max_leeway) {
    return errc::jwt_invalid_options;
  }
  for (const std::string& audience : required.audiences) {
    if (audience.empty()) return errc::jwt_invalid_options;
  }
  if (!required.type.empty() && detail::jwt_claims::media_subtype(required.type).empty()) {
    return errc::jwt_invalid_options;
  }
  return {};
}

/// Success when the typ header parameter `typ` (decoded; empty when absent) names the media type
/// required.type, or when required.type is empty. Media types compare without regard to the case of ASCII
/// letters, and an "application/" prefix on either side is ignored (RFC 7515 section 4.1.9): "at+jwt",
/// "AT+JWT" and "application/at+jwt" are one type. jwt_wrong_type when `typ` is absent or another type.
inline result<void> check_type(std::string_view typ, const claims_requirements& required) noexcept {
  if (required.type.empty()) return {};
  if (!detail::jwt_claims::same_media_type(typ, required.type)) return errc::jwt_wrong_type;
  return {};
}

class claims;

/// Checks the claims set `payload_json` (a JWT's decoded payload) at `now` (any system_clock time point of
/// integer precision, floored to a second) against `required`, and returns a view of it. The steps, in order:
/// 1. The text is one strict JSON object: parse_json_object() with `limits`, and its errors.
/// 2. The registered claims have their types (RFC 7519 section 4.1): exp, nbf and iat are NumericDates,
///    JSON numbers of seconds with fractions floored (RFC 7519 section 2); a string, a boolean, null, an
///    object, an array, or a number outside int64 (1e400) gives jwt_invalid_numeric_date. iss, sub and jti
///    are strings and aud a string or an array of strings, else jwt_invalid_claim. A missing exp gives
///    jwt_missing_claim when `required` asks for one.
/// 3. Who: iss, aud and sub against `required` (jwt_missing_claim, jwt_wrong_issuer, jwt_wrong_audience,
///    jwt_wrong_subject; see claims_requirements).
/// 4. When, with L the leeway: jwt_expired when now >= exp + L (RFC 7519 section 4.1.4), jwt_not_yet_valid
///    when now < nbf - L (section 4.1.5), jwt_issued_in_future when iat > now + L.
/// Errors about a claim's value carry its offset in `payload_json`. jwt_invalid_options when `required`
/// fails check_requirements(). The decoded iss, sub and jti are written into `buffer` (token_buffer::reserve())
/// when they hold escapes, so the result's views live as long as the buffer and the text; buffer_too_small
/// when it has no room left (never after parse_jws() of the token into it). Allocates nothing.
template <class Duration>
result<claims> check_claims(std::string_view payload_json,
                            std::chrono::time_point<std::chrono::system_clock, Duration> now,
                            const claims_requirements& required, token_buffer& buffer, const json_limits& limits = {}) noexcept;

/// A view of a checked claims set: the registered claims, decoded, and the whole object for custom claims.
/// Points into the JSON text and the token_buffer it was checked with, which must outlive it.
class claims {
 public:
  /// exp, floored to a second (RFC 7519 section 4.1.4); nullopt when absent.
  std::optional<sys_seconds> expires_at() const noexcept { return date(detail::jwt_claims::claim_exp); }
  /// nbf, floored to a second (RFC 7519 section 4.1.5); nullopt when absent.
  std::optional<sys_seconds> not_before() const noexcept { return date(detail::jwt_claims::claim_nbf); }
  /// iat, floored to a second (RFC 7519 section 4.1.6); nullopt when absent.
  std::optional<sys_seconds> issued_at() const noexcept { return date(detail::jwt_claims::claim_iat); }
  /// iss, decoded (RFC 7519 section 4.1.1); empty when absent.
  std::string_view issuer() const noexcept { return issuer_; }
  /// sub, decoded (RFC 7519 section 4.1.2); empty when absent.
  std::string_view subject() const noexcept { return subject_; }
  /// jti, decoded (RFC 7519 section 4.1.7); empty when absent.
  std::string_view jwt_id() const noexcept { return jwt_id_; }
  /// aud (RFC 7519 section 4.1.3): a string or an array of strings (checked); nullopt when absent.
  const std::optional<json_value>& audience() const noexcept { return audience_; }
  /// True when aud is `name` or is an array holding `name` (compared with the decoded strings).
  bool has_audience(std::string_view name) const noexcept {
    if (!audience_.has_value()) return false;
    if (audience_->type() == json_type::string) return audience_->string_equals(name);
    const result<json_array> values = audience_->array();
    if (!values) return false;
    for (const json_value& value : *values) {
      if (value.string_equals(name)) return true;
    }
    return false;
  }
  /// The claim `name` (custom or registered), a view into the JSON text; nullopt when absent.
  std::optional<json_value> find(std::string_view name) const noexcept { return object_.find(name); }
  /// The whole claims object.
  const json_object& object() const noexcept { return object_; }

 private:
  template <class Duration>
  friend result<claims> check_claims(std::string_view payload_json,
                                     std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                     const claims_requirements& required, token_buffer& buffer,
                                     const json_limits& limits) noexcept;

  explicit claims(json_object object) noexcept : object_(object) {}

  std::optional<sys_seconds> date(unsigned which) const noexcept {
    if ((present_ & (1u << which)) == 0) return std::nullopt;
    return sys_seconds(std::chrono::seconds(dates_[which]));
  }

  // The offset of `value` in `text`, which holds it.
  static std::size_t offset_in(std::string_view text, const json_value& value) noexcept {
    return static_cast<std::size_t>(value.raw().data() - text.data());
  }

  // Which registered claim `name` is (compared decoded: "\u0065xp" is exp).
  static unsigned classify(const json_value& name) noexcept {
    using namespace detail::jwt_claims;
    if (const std::optional<std::string_view> plain = name.plain_string()) {
      if (plain->size() != 3) return claim_other;
      const char* const c = plain->data();
      switch (c[0]) {  // one branch per first letter instead of seven comparisons
        case 'e': return c[1] == 'x' && c[2] == 'p' ? claim_exp : claim_other;
        case 'n': return c[1] == 'b' && c[2] == 'f' ? claim_nbf : claim_other;
        case 'i':
          if (c[1] == 'a' && c[2] == 't') return claim_iat;
          return c[1] == 's' && c[2] == 's' ? claim_iss : claim_other;
        case 's': return c[1] == 'u' && c[2] == 'b' ? claim_sub : claim_other;
        case 'a': return c[1] == 'u' && c[2] == 'd' ? claim_aud : claim_other;
        case 'j': return c[1] == 't' && c[2] == 'i' ? claim_jti : claim_other;
        default: return claim_other;
      }
    }
    static constexpr std::string_view names[] = {"exp", "nbf", "iat", "iss", "sub", "aud", "jti"};
    for (unsigned i = 0; i < claim_other; ++i) {
      if (name.string_equals(names[i])) return i;
    }
    return claim_other;
  }

  // Reads the string claim `value` into `out`, unescaped into `buffer` when it holds escapes.
  static result<void> read_string(std::string_view text, const json_value& value, std::string_view& out,
                                  token_buffer& buffer) noexcept {
    if (value.type() != json_type::string) return keyward::error(errc::jwt_invalid_claim, offset_in(text, value));
    if (const std::optional<std::string_view> plain = value.plain_string()) {
      out = *plain;
      return {};
    }
    const std::size_t size = value.string_size();
    char* const at = buffer.reserve(size);
    if (at == nullptr) return errc::buffer_too_small;
    const result<std::size_t> written = value.write_string(at, size);
    if (!written) return written.error();
    out = std::string_view(at, *written);
    return {};
  }

  // Reads the claims object `object` (of the text `text`) and checks it against `required` at `now` seconds.
  result<void> read(std::string_view text, std::int64_t now, const claims_requirements& required,
                    token_buffer& buffer) noexcept {
    using namespace detail::jwt_claims;
    std::size_t issuer_at = 0, subject_at = 0, audience_at = 0;
    for (const json_member& member : object_) {
      const unsigned which = classify(member.name);
      const json_value& value = member.value;
      switch (which) {
        case claim_exp:
        case claim_nbf:
        case claim_iat: {
          const std::size_t at = offset_in(text, value);
          if (value.type() != json_type::number) return keyward::error(errc::jwt_invalid_numeric_date, at);
          const result<std::int64_t> seconds = value.floor_integer();
          if (!seconds) return keyward::error(errc::jwt_invalid_numeric_date, at);
          dates_[which] = *seconds;
          break;
        }
        case claim_iss:
          issuer_at = offset_in(text, value);
          if (const result<void> r = read_string(text, value, issuer_, buffer); !r) return r;
          break;
        case claim_sub:
          subject_at = offset_in(text, value);
          if (const result<void> r = read_string(text, value, subject_, buffer); !r) return r;
          break;
        case claim_jti:
          if (const result<void> r = read_string(text, value, jwt_id_, buffer); !r) return r;
          break;
        case claim_aud: {
          audience_at = offset_in(text, value);
          if (value.type() == json_type::array) {
            const result<json_array> elements = value.array();
            for (const json_value& element : *elements) {
              if (element.type() != json_type::string) {
                return keyward::error(errc::jwt_invalid_claim, offset_in(text, element));
              }
            }
          } else if (value.type() != json_type::string) {
            return keyward::error(errc::jwt_invalid_claim, audience_at);
          }
          audience_ = value;
          break;
        }
        default: continue;
      }
      present_ |= 1u << which;
    }
    if (required.require_expiry && (present_ & (1u << claim_exp)) == 0) return errc::jwt_missing_claim;

    // Who: iss, aud, sub.
    if (!required.issuer.empty()) {
      if ((present_ & (1u << claim_iss)) == 0) return errc::jwt_missing_claim;
      if (issuer_ != required.issuer) return keyward::error(errc::jwt_wrong_issuer, issuer_at);
    }
    if (audience_.has_value()) {
      bool matched = false;
      for (const std::string& expected : required.audiences) matched = matched || has_audience(expected);
      if (!matched) return keyward::error(errc::jwt_wrong_audience, audience_at);
    } else if (!required.audiences.empty()) {
      return errc::jwt_missing_claim;
    }
    if (!required.subject.empty()) {
      if ((present_ & (1u << claim_sub)) == 0) return errc::jwt_missing_claim;
      if (subject_ != required.subject) return keyward::error(errc::jwt_wrong_subject, subject_at);
    }

    // When, with the leeway (0 to 300 s, so the bounds below cannot overflow).
    constexpr std::int64_t lowest = (std::numeric_limits<std::int64_t>::min)();
    constexpr std::int64_t highest = (std::numeric_limits<std::int64_t>::max)();
    const std::int64_t leeway = required.leeway.count();
    if ((present_ & (1u << claim_exp)) != 0 && dates_[claim_exp] <= highest - leeway &&
        now >= dates_[claim_exp] + leeway) {
      return errc::jwt_expired;
    }
    if ((present_ & (1u << claim_nbf)) != 0 && dates_[claim_nbf] >= lowest + leeway &&
        now < dates_[claim_nbf] - leeway) {
      return errc::jwt_not_yet_valid;
    }
    if ((present_ & (1u << claim_iat)) != 0 && dates_[claim_iat] >= lowest + leeway &&
        dates_[claim_iat] - leeway > now) {
      return errc::jwt_issued_in_future;
    }
    return {};
  }

  json_object object_;
  std::optional<json_value> audience_;
  std::string_view issuer_;
  std::string_view subject_;
  std::string_view jwt_id_;
  std::int64_t dates_[3] = {0, 0, 0};
  unsigned present_ = 0;  // bit i: the registered claim i is present
};

// check_claims(), declared above.
template <class Duration>
result<claims> check_claims(std::string_view payload_json,
                            std::chrono::time_point<std::chrono::system_clock, Duration> now,
                            const claims_requirements& required, token_buffer& buffer, const json_limits& limits) noexcept {
  if (const result<void> usable = check_requirements(required); !usable) return usable.error();
  const result<json_object> object = parse_json_object(payload_json, limits);
  if (!object) return object.error();
  claims checked(*object);
  const std::int64_t seconds = detail::time_convert::floor_seconds(now).time_since_epoch().count();
  if (const result<void> r = checked.read(payload_json, seconds, required, buffer); !r) return r.error();
  return checked;
}

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_CLAIMS_HPP
