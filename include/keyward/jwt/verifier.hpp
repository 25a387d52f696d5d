// keyward: verifying JSON Web Tokens (RFC 7519) sent as compact JWS (RFC 7515), by the rules of RFC 8725:
// a verifier built from an allow-list of keys, each bound to exactly one algorithm; HS256, HS384 and HS512
// checked by keyward itself, with keys prepared once; RS*, PS*, ES* and EdDSA checked by a Backend the user
// plugs in (see below); then the claims (jwt/claims.hpp). authenticate() goes from an Authorization field
// value to a verified token or the http::denial to answer with (RFC 6750 section 3).
//
// The Backend contract. A Backend is any copyable or movable type with these two const member functions,
// which must not throw:
//
//   std::size_t signature_size(const jwt::key& k) const;
//     The exact size in bytes of a signature by the key `k` (its alg() and kid() tell the backend which key
//     it is), or 0 when the backend has no such key. Called by verifier::make() once per asymmetric key,
//     which refuses the key (jwt_invalid_options) unless the size fits its algorithm: 256 to 1024 bytes for
//     RS* and PS* (RSA keys of 2048 to 8192 bits: RFC 7518 sections 3.3 and 3.5 forbid shorter ones), 64,
//     96 or 132 for ES256, ES384 and ES512 (RFC 7518 section 3.4), 64 (Ed25519) or 114 (Ed448) for EdDSA
//     (RFC 8037 section 3.1).
//
//   bool verify(const jwt::key& k, std::string_view signing_input, std::string_view signature) const;
//     True when `signature` is a valid signature of `signing_input` (the exact received `header.payload`)
//     by the key `k` under k.alg(). Called only after the token parsed, the key was selected, its algorithm
//     matched the token's alg, and the signature has exactly signature_size(k) bytes. For ES256, ES384 and
//     ES512 the signature is in the JWS form R || S (RFC 7518 section 3.4: two big-endian integers of 32, 48
//     or 66 bytes, not DER), and the verifier has already checked 0 < R < n and 0 < S < n against the order
//     n of the curve (P-256, P-384, P-521), so that zero and out-of-range values never reach the backend.
//
// The backend tells keys apart by alg() and kid(): make() refuses two keys with one kid, and two
// asymmetric keys of one algorithm without a kid. examples/jwt_openssl_backend.cpp is a Backend on OpenSSL.
/// \file
/// Verifying JWTs by the rules of RFC 8725: jwt::verifier.
#ifndef KEYWARD_JWT_VERIFIER_HPP
#define KEYWARD_JWT_VERIFIER_HPP

#include "../crypto/hmac.hpp"
#include "../detail/arith.hpp"
#include "../detail/ct.hpp"
#include "../detail/jwt_jws.hpp"
#include "../error.hpp"
#include "../http/bearer.hpp"
#include "../http/denial.hpp"
#include "algorithm.hpp"
#include "claims.hpp"
#include "json.hpp"
#include "jws.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace keyward::jwt {
class key;
}  // namespace keyward::jwt

namespace keyward::detail::jwt_verifier {

/// The order n of the curves of ES256, ES384 and ES512 (P-256, P-384, P-521; FIPS 186-4 appendix D.1.2),
/// big-endian, as long as one integer of a JWS signature (RFC 7518 section 3.4).
inline constexpr unsigned char p256_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
inline constexpr unsigned char p384_order[48] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
    0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73};
inline constexpr unsigned char p521_order[66] = {
    0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFA,
    0x51, 0x86, 0x87, 0x83, 0xBF, 0x2F, 0x96, 0x6B, 0x7F, 0xCC, 0x01, 0x48, 0xF7, 0x09, 0xA5, 0xD0, 0x3B,
    0xB5, 0xC9, 0xB8, 0x89, 0x9C, 0x47, 0xAE, 0xBB, 0x6F, 0xB7, 0x1E, 0x91, 0x38, 0x64, 0x09};

/// True when the big-endian integer of `size` bytes at `x` is in [1, order - 1].
constexpr bool in_scalar_range(const unsigned char* x, const unsigned char* order, std::size_t size) noexcept {
  bool nonzero = false;
  for (std::size_t i = 0; i < size; ++i) nonzero = nonzero || x[i] != 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (x[i] != order[i]) return nonzero && x[i] < order[i];
  }
  return false;  // x == order
}

/// True when the JWS ECDSA signature `signature` (R || S, of the right size for `es`: 0 for ES256, 1 for
/// ES384, 2 for ES512) has 0 < R < n and 0 < S < n.
inline bool ecdsa_scalars_in_range(std::string_view signature, int es) noexcept {
  const unsigned char* const order = es == 0 ? p256_order : (es == 1 ? p384_order : p521_order);
  const std::size_t half = signature.size() / 2;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  return in_scalar_range(bytes, order, half) && in_scalar_range(bytes + half, order, half);
}

template <class B, class = void>
struct is_backend : std::false_type {};
template <class B>
struct is_backend<B, std::void_t<decltype(static_cast<std::size_t>(std::declval<const B&>().signature_size(
                                     std::declval<const ::keyward::jwt::key&>()))),
                                 decltype(static_cast<bool>(std::declval<const B&>().verify(
                                     std::declval<const ::keyward::jwt::key&>(), std::string_view(),
                                     std::string_view())))>> : std::true_type {};

}  // namespace keyward::detail::jwt_verifier

namespace keyward::jwt {

/// One verification key, bound to exactly one algorithm (RFC 8725 section 3.1), with an optional key id
/// that tokens name in their "kid" header parameter (RFC 7515 section 4.1.4). An HMAC key is prepared once
/// (crypto::hmac) and keeps only the prepared state, which it wipes on destruction; an asymmetric key is
/// only a name (alg and kid) for the verifier's Backend, which holds the key material.
class key {
 public:
  /// An HS256, HS384 or HS512 key from the raw secret bytes `secret`. jwt_invalid_options when `alg` is not
  /// an HMAC algorithm; jwt_key_too_short when the secret is shorter than the hash output, hmac_size(alg)
  /// bytes (RFC 7518 section 3.2).
  static result<key> hmac(algorithm alg, std::string_view secret, std::string_view kid = {}) {
    if (!is_hmac(alg)) return errc::jwt_invalid_options;
    if (secret.size() < hmac_size(alg)) return errc::jwt_key_too_short;
    key made(alg, kid);
    if (alg == algorithm::hs256) {
      made.mac_.emplace<crypto::hmac_sha256>(secret);
    } else if (alg == algorithm::hs384) {
      made.mac_.emplace<crypto::hmac_sha384>(secret);
    } else {
      made.mac_.emplace<crypto::hmac_sha512>(secret);
    }
    made.signature_size_ = hmac_size(alg);
    return made;
  }

  /// A key of the asymmetric algorithm `alg` (RS*, PS*, ES*, EdDSA), verified by the verifier's Backend,
  /// which knows it by `alg` and `kid`. jwt_invalid_options for an HMAC algorithm.
  static result<key> asymmetric(algorithm alg, std::string_view kid = {}) {
    if (is_hmac(alg)) return errc::jwt_invalid_options;
    return key(alg, kid);
  }

  /// The one algorithm this key verifies.
  algorithm alg() const noexcept { return alg_; }
  /// The key id; empty for none.
  std::string_view kid() const noexcept { return kid_; }
  /// The exact size of its signatures: hmac_size(alg()) for HMAC; for an asymmetric key, what the Backend
  /// said once the key is in a verifier, 0 before.
  std::size_t signature_size() const noexcept { return signature_size_; }

 private:
  template <class Backend>
  friend class verifier;

  key(algorithm alg, std::string_view kid) : kid_(kid), alg_(alg) {}

  // True when `signature` is the HMAC of `signing_input` (of signature_size() bytes, checked by the caller),
  // compared in constant time; the verdict is public from here on.
  bool mac_matches(std::string_view signing_input, std::string_view signature) const noexcept {
    bool same = false;
    if (const auto* mac256 = std::get_if<crypto::hmac_sha256>(&mac_)) {
      same = mac256->verify(signing_input, signature);
    } else if (const auto* mac384 = std::get_if<crypto::hmac_sha384>(&mac_)) {
      same = mac384->verify(signing_input, signature);
    } else if (const auto* mac512 = std::get_if<crypto::hmac_sha512>(&mac_)) {
      same = mac512->verify(signing_input, signature);
    }
    return detail::ct::declassify(same);
  }

  std::string kid_;
  std::variant<std::monostate, crypto::hmac_sha256, crypto::hmac_sha384, crypto::hmac_sha512> mac_;
  std::size_t signature_size_ = 0;
  algorithm alg_;
};

/// How a verifier works; checked by verifier::make().
struct verifier_options {
  /// What the claims must satisfy (claims_requirements: exp required, 60 s leeway, no aud accepted by default).
  claims_requirements claims;
  /// The token's size cap and the JSON limits, for the header and the claims.
  jws_options jws;
  /// The scheme and realm of the challenges of authenticate()'s denials.
  http::challenge_options challenge;
};

/// The Backend of a verifier of HMAC keys only: make() refuses asymmetric keys with jwt_invalid_options.
struct no_backend {};

template <class Backend>
class verifier;

/// A token whose signature verified and whose claims met the requirements: views into the token and the
/// token_buffer it was verified with, which must outlive it. Only verifier::verify() makes one.
class verified_token {
 public:
  /// The parsed token: alg, kid, typ, the whole header, the payload and signature bytes.
  const jws_view& jws() const noexcept { return jws_; }
  /// The checked claims.
  const jwt::claims& claims() const noexcept { return claims_; }


 private:
  template <class Backend>
  friend class verifier;

  verified_token(const jws_view& jws, const jwt::claims& checked) noexcept : jws_(jws), claims_(checked) {}

  jws_view jws_;
  jwt::claims claims_;
};

/// What verifier::authenticate() returns: a verified token, or the http::denial to answer with, read like a
/// keyward::result: `if (!who) { status = who.error().status(); ... }`. Reading the wrong side aborts.
class authentication {
 public:
  /// A success.
  explicit authentication(const verified_token& token) noexcept : outcome_(std::in_place_index<0>, token) {}
  /// A failure: the denial sent, and the error that caused it.
  authentication(http::denial why, keyward::error cause) noexcept
      : outcome_(std::in_place_index<1>, std::move(why)), cause_(cause) {}

  /// True when a verified token is held.
  ///@{
  bool has_value() const noexcept { return outcome_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  ///@}
  /// The verified token; aborts on a denial.
  ///@{
  const verified_token& value() const noexcept {
    if (!has_value()) detail::bad_result_access();
    return *std::get_if<0>(&outcome_);
  }
  const verified_token& operator*() const noexcept { return value(); }
  const verified_token* operator->() const noexcept { return &value(); }
  ///@}
  /// The denial (status, challenge with the verifier's scheme and realm, body); aborts on a success.
  const http::denial& error() const noexcept {
    if (has_value()) detail::bad_result_access();
    return *std::get_if<1>(&outcome_);
  }
  /// Why the token was refused, for the server's logs (never sent: the denial tells the client only what
  /// RFC 6750 lets it know): the error of http::parse_bearer() or of verifier::verify(); aborts on a success.
  keyward::error cause() const noexcept {
    if (has_value()) detail::bad_result_access();
    return cause_;
  }

 private:
  std::variant<verified_token, http::denial> outcome_;
  keyward::error cause_{errc{}};
};

/// Verifies compact JWS tokens against an allow-list of keys (RFC 8725 section 3.1), then their claims.
/// Built by make(); verify() or authenticate() per request. Immutable once made, so thread-safe when the
/// Backend's const functions are. Backend: see the top of this header; no_backend for HMAC keys only.
template <class Backend = no_backend>
class verifier {
  static_assert(std::is_same_v<Backend, no_backend> || detail::jwt_verifier::is_backend<Backend>::value,
                "jwt::verifier: a Backend needs `std::size_t signature_size(const jwt::key&) const` and `bool "
                "verify(const jwt::key&, std::string_view signing_input, std::string_view signature) const`");

 public:
  /// A verifier of the keys `keys` with `options` and `backend`. jwt_invalid_options when there is no key,
  /// two keys share a kid, two asymmetric keys of one algorithm have no kid, an asymmetric key is given
  /// with no_backend or gets a signature size from the backend that its algorithm cannot have (see the top
  /// of this header), or options.claims fails check_requirements(); the offset is the index of the key at fault.
  static result<verifier> make(std::vector<key> keys, verifier_options options = {}, Backend backend = Backend()) {
    if (keys.empty()) return errc::jwt_invalid_options;
    if (const result<void> usable = check_requirements(options.claims); !usable) return usable.error();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      key& k = keys[i];
      for (std::size_t j = 0; j < i; ++j) {
        const bool same_kid = !k.kid().empty() && k.kid() == keys[j].kid();
        const bool unnamed_pair = k.kid().empty() && keys[j].kid().empty() && !is_hmac(k.alg()) &&
                                  k.alg() == keys[j].alg();
        if (same_kid || unnamed_pair) return keyward::error(errc::jwt_invalid_options, i);
      }
      if (is_hmac(k.alg())) continue;
      if constexpr (std::is_same_v<Backend, no_backend>) {
        return keyward::error(errc::jwt_invalid_options, i);
      } else {
        k.signature_size_ = static_cast<std::size_t>(backend.signature_size(static_cast<const key&>(k)));
        if (!size_fits(k.alg(), k.signature_size_)) return keyward::error(errc::jwt_invalid_options, i);
      }
    }
    return verifier(std::move(keys), std::move(options), std::move(backend));
  }

  /// Verifies the compact JWS `token` at `now` (any system_clock time point of integer precision), decoding
  /// it into `buffer`, and returns views of it. The steps, each with its error:
  /// 1. parse_jws() with options().jws, and its errors (size cap, segments, base64url, header JSON, alg,
  ///    crit);
  /// 2. then the rest of verify(parsed, now, buffer).
  /// Errors carry the offset in `token` where one applies. Allocates nothing for tokens within 8 KiB.
  template <class Duration>
  result<verified_token> verify(std::string_view token, std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                token_buffer& buffer) const noexcept {
    const result<jws_view> parsed = parse_jws(token, buffer, options_.jws);
    if (!parsed) return parsed.error();
    return verify(*parsed, now, buffer);
  }

  /// Verifies the token `parsed`, which parse_jws() parsed into `buffer` (for a server that reads the header
  /// first), at `now`. `parsed` must be parse_jws()'s result as it was returned: the MAC covers its
  /// signing_input, while the key choice, typ and the claims are read from its other members, which only
  /// parse_jws() guarantees to be that input's decoding. The steps:
  /// 1. The key: a kid selects the key with that kid (jwt_unknown_key when none has it), whose algorithm
  ///    must be the token's alg (jwt_algorithm_not_allowed); a token without a kid tries every key bound to
  ///    its alg (jwt_algorithm_not_allowed when there is none).
  /// 2. The signature: exactly the key's signature_size() bytes (jwt_invalid_signature_length), then for
  ///    HMAC the MAC over the exact signing_input compared in constant time (RFC 7515 section 5.2 step 8,
  ///    RFC 7518 section 3.2), for ES* the ranges of R and S, then the Backend (jwt_invalid_signature); both
  ///    errors carry the offset in the token of the signature segment.
  /// 3. The typ header parameter against options().claims.type (check_type(): jwt_wrong_type).
  /// 4. The claims (check_claims() with options().claims and options().jws.json, and its errors).
  /// An error about a claim's value carries the offset in the token of the first base64url character that
  /// carries it.
  template <class Duration>
  result<verified_token> verify(const jws_view& parsed,
                                std::chrono::time_point<std::chrono::system_clock, Duration> now,
                                token_buffer& buffer) const noexcept {
    const std::string_view signature = parsed.signature;
    bool bound = false, sized = false, valid = false;
    if (!parsed.kid.empty()) {
      const key* named = nullptr;
      for (const key& k : keys_) {
        if (k.kid() == parsed.kid) {
          named = &k;
          break;
        }
      }
      if (named == nullptr) return errc::jwt_unknown_key;
      if (named->alg() != parsed.alg) return errc::jwt_algorithm_not_allowed;
      bound = true;
      sized = signature.size() == named->signature_size();
      valid = sized && signed_by(*named, parsed);
    } else {
      for (const key& k : keys_) {
        if (k.alg() != parsed.alg) continue;
        bound = true;
        if (signature.size() != k.signature_size()) continue;
        sized = true;
        if (signed_by(k, parsed)) {
          valid = true;
          break;
        }
      }
    }
    if (!bound) return errc::jwt_algorithm_not_allowed;
    const std::size_t signature_at = parsed.signing_input.size() + 1;
    if (!sized) return keyward::error(errc::jwt_invalid_signature_length, signature_at);
    if (!valid) return keyward::error(errc::jwt_invalid_signature, signature_at);
    if (const result<void> typed = check_type(parsed.typ, options_.claims); !typed) return typed.error();

    const result<jwt::claims> checked = check_claims(parsed.payload, now, options_.claims, buffer, options_.jws.json);
    if (!checked) {
      const keyward::error failure = checked.error();
      if (!failure.has_offset()) return failure;
      // The payload segment follows the first dot of signing_input.
      const std::size_t begin = parsed.signing_input.find('.') + 1;
      return keyward::error(failure.code(), detail::jwt_jws::token_offset(
                                                begin, parsed.signing_input.size() - begin, failure.offset()));
    }
    return verified_token(parsed, *checked);
  }

  /// Authenticates the Authorization field value `authorization` (empty when the request has none) at `now`:
  /// http::parse_bearer() (the field may be up to options().jws.max_size + 64 bytes), then verify(). Every
  /// failure is a denial with options().challenge: a missing, malformed or other-scheme field as
  /// http::denial::from_parse_error() says (401 without an error code, or 400 invalid_request),
  /// jwt_expired gives denial::expired() and every other failure denial::invalid_key(), both 401 with
  /// `error="invalid_token"` (RFC 6750 section 3.1). cause() keeps the error for the logs. Allocates
  /// nothing on success.
  template <class Duration>
  authentication authenticate(std::string_view authorization,
                              std::chrono::time_point<std::chrono::system_clock, Duration> now,
                              token_buffer& buffer) const noexcept {
    http::bearer_options bearer;
    const std::size_t cap = options_.jws.max_size;
    bearer.limit.max_length = detail::arith::add_saturated(cap, 64);
    const result<std::string_view> token = http::parse_bearer(authorization, bearer);
    if (!token) return deny(http::denial::from_parse_error(token.error()), token.error());
    const result<verified_token> verified = verify(*token, now, buffer);
    if (!verified) {
      const keyward::error failure = verified.error();
      return deny(failure == errc::jwt_expired ? http::denial::expired() : http::denial::invalid_key(), failure);
    }
    return authentication(*verified);
  }

  /// The keys, in the order given to make().
  const std::vector<key>& keys() const noexcept { return keys_; }
  /// The options.
  const verifier_options& options() const noexcept { return options_; }

 private:
  verifier(std::vector<key> keys, verifier_options options, Backend backend)
      : keys_(std::move(keys)), options_(std::move(options)), backend_(std::move(backend)) {}

  // True when a Backend may give `size` for a key of `alg` (see the top of this header).
  static constexpr bool size_fits(algorithm alg, std::size_t size) noexcept {
    switch (alg) {
      case algorithm::es256: return size == 64;
      case algorithm::es384: return size == 96;
      case algorithm::es512: return size == 132;
      case algorithm::eddsa: return size == 64 || size == 114;
      default: return size >= 256 && size <= 1024;
    }
  }

  // True when the signature of `parsed` (of k.signature_size() bytes) verifies with `k`.
  bool signed_by(const key& k, const jws_view& parsed) const noexcept {
    if (is_hmac(k.alg())) return k.mac_matches(parsed.signing_input, parsed.signature);
    if constexpr (std::is_same_v<Backend, no_backend>) {
      return false;
    } else {
      const algorithm alg = k.alg();
      if (alg == algorithm::es256 || alg == algorithm::es384 || alg == algorithm::es512) {
        const int es = alg == algorithm::es256 ? 0 : (alg == algorithm::es384 ? 1 : 2);
        if (!detail::jwt_verifier::ecdsa_scalars_in_range(parsed.signature, es)) return false;
      }
      return static_cast<bool>(backend_.verify(k, parsed.signing_input, parsed.signature));
    }
  }

  authentication deny(http::denial why, keyward::error cause) const noexcept {
    why.with_challenge(options_.challenge);
    return authentication(std::move(why), cause);
  }

  std::vector<key> keys_;
  verifier_options options_;
  Backend backend_;
};

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_VERIFIER_HPP
