// keyward: the JWS algorithms (RFC 7518 section 3.1, and EdDSA from RFC 8037 section 3.1) by their "alg"
// names. keyward verifies and signs the HMAC ones (HS256, HS384, HS512) itself; the others are verified by a
// backend the user plugs into jwt::verifier. "none" (an unsecured JWS, RFC 7518 section 3.6) is not an
// algorithm here: it names nothing and is never accepted.
/// \file
/// The JWS algorithms by their "alg" names (RFC 7518 section 3.1, RFC 8037 section 3.1).
#ifndef KEYWARD_JWT_ALGORITHM_HPP
#define KEYWARD_JWT_ALGORITHM_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace keyward::jwt {

/// A JWS "alg" value (RFC 7518 section 3.1; eddsa is RFC 8037 section 3.1).
enum class algorithm : std::uint8_t {
  hs256,  ///< HMAC with SHA-256
  hs384,  ///< HMAC with SHA-384
  hs512,  ///< HMAC with SHA-512
  rs256,  ///< RSASSA-PKCS1-v1_5 with SHA-256
  rs384,  ///< RSASSA-PKCS1-v1_5 with SHA-384
  rs512,  ///< RSASSA-PKCS1-v1_5 with SHA-512
  ps256,  ///< RSASSA-PSS with SHA-256 and MGF1 with SHA-256
  ps384,  ///< RSASSA-PSS with SHA-384 and MGF1 with SHA-384
  ps512,  ///< RSASSA-PSS with SHA-512 and MGF1 with SHA-512
  es256,  ///< ECDSA with P-256 and SHA-256
  es384,  ///< ECDSA with P-384 and SHA-384
  es512,  ///< ECDSA with P-521 and SHA-512
  eddsa,  ///< EdDSA (Ed25519 or Ed448, RFC 8037)
};

}  // namespace keyward::jwt

namespace keyward::detail::jwt_algorithm {

/// The "alg" names in the order of jwt::algorithm.
inline constexpr std::string_view names[] = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                             "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"};

}  // namespace keyward::detail::jwt_algorithm

namespace keyward::jwt {

/// The "alg" name of `a` as registered (RFC 7518 section 3.1, RFC 8037 section 3.1): "HS256" ... "EdDSA".
constexpr std::string_view name(algorithm a) noexcept {
  return detail::jwt_algorithm::names[static_cast<std::size_t>(a)];
}

/// The algorithm named `text`, compared exactly and case-sensitively (RFC 7515 section 4.1.1: "alg" values
/// are case-sensitive); std::nullopt for any other text, "none" included (keyward never accepts an
/// unsecured JWS, RFC 8725 section 3.2).
constexpr std::optional<algorithm> algorithm_from_name(std::string_view text) noexcept {
  for (std::size_t i = 0; i < sizeof detail::jwt_algorithm::names / sizeof detail::jwt_algorithm::names[0]; ++i) {
    if (detail::jwt_algorithm::names[i] == text) return static_cast<algorithm>(i);
  }
  return std::nullopt;
}

/// True for HS256, HS384 and HS512 (RFC 7518 section 3.2).
constexpr bool is_hmac(algorithm a) noexcept {
  return a == algorithm::hs256 || a == algorithm::hs384 || a == algorithm::hs512;
}

/// The MAC size in bytes of an HMAC algorithm (32, 48 or 64), which is also the shortest key it may be used
/// with (RFC 7518 section 3.2); 0 for every other algorithm.
constexpr std::size_t hmac_size(algorithm a) noexcept {
  switch (a) {
    case algorithm::hs256: return 32;
    case algorithm::hs384: return 48;
    case algorithm::hs512: return 64;
    default: return 0;
  }
}

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_ALGORITHM_HPP
