// keyward: the error model. Fallible calls return result<T>: a value, or an error holding an errc and,
// where it helps, the byte offset in the input at which the problem was found.
/// \file
/// The error model: errc, error, result<T> and keyward's std::error_category.
#ifndef KEYWARD_ERROR_HPP
#define KEYWARD_ERROR_HPP

#include "config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

/// Everything public in keyward. This namespace holds the error model (errc, error, result), secret and
/// the version; each module has its own namespace below it.
namespace keyward {

/// Every way a keyward call can fail, one enum for the whole library. Each area owns a block of 100 values
/// (general 1-99, base64 100-199, and so on) so that codes stay stable as areas grow. Zero is never an error,
/// as std::error_code requires.
enum class errc : std::uint16_t {
  // general
  buffer_too_small = 1,  ///< the caller's output buffer cannot hold the result

  // base64 (RFC 4648 sections 4 and 5)
  base64_invalid_character = 100,  ///< a byte outside the alphabet (whitespace included unless skipped)
  base64_invalid_padding = 101,    ///< '=' in the wrong place, too many or too few of them
  base64_missing_padding = 102,    ///< the final quantum lacks the '=' that padding::required demands
  base64_unexpected_padding = 103, ///< '=' present although padding::forbidden was asked for
  base64_invalid_length = 104,     ///< a final quantum of a single character, which encodes no byte
  base64_non_canonical = 105,      ///< the last character carries non-zero unused bits (RFC 4648 3.5)

  // HTTP authentication fields (RFC 9110 section 11, RFC 7617, RFC 6750)
  http_empty_value = 200,              ///< the field value is empty or only whitespace (no credentials sent)
  http_invalid_character = 201,        ///< NUL, CR, LF or another byte the grammar does not allow here
  http_invalid_scheme = 202,           ///< the auth-scheme is missing or is not a token
  http_invalid_token68 = 203,          ///< a malformed token68 ('=' not only at the end, or a bad byte)
  http_invalid_parameter = 204,        ///< a malformed auth-param (no '=', no name or no value)
  http_invalid_quoted_string = 205,    ///< an unterminated quoted-string or a byte not allowed in one
  http_duplicate_parameter = 206,      ///< the same auth-param name twice (names compare case-insensitively)
  http_too_long = 207,                 ///< the value exceeds the configured length limit
  http_too_many_parameters = 208,      ///< more auth-params than the configured limit
  http_unexpected_data = 209,          ///< bytes after a complete value where none may follow
  http_wrong_scheme = 210,             ///< a well-formed value for another auth-scheme than the one expected
  http_missing_token = 211,            ///< the scheme is present but the credentials after it are missing
  http_too_many_challenges = 212,      ///< more challenges than the configured limit
  http_invalid_parameter_value = 213,  ///< a value that a builder cannot send (outside its allowed set)
  http_invalid_date = 214,             ///< not an HTTP-date in any form RFC 9110 section 5.6.7 accepts
  http_invalid_retry_after = 215,      ///< neither delay-seconds nor an HTTP-date (RFC 9110 section 10.2.3)
  basic_missing_colon = 220,           ///< the decoded user-pass has no ':' (RFC 7617 section 2)
  basic_control_character = 221,      ///< a control character in the user-id or password
  basic_invalid_utf8 = 222,            ///< the decoded user-pass is not valid UTF-8
  basic_colon_in_user = 223,           ///< a user-id containing ':' cannot be sent (RFC 7617 section 2)
  bearer_invalid_token = 230,          ///< a byte outside the b64token charset (RFC 6750 section 2.1)

  // crypto and randomness
  random_unavailable = 400,      ///< the OS random source failed or is missing (no fallback to a PRNG)
  crypto_mac_mismatch = 401,        ///< a received MAC tag does not match the one computed
  crypto_invalid_mac_length = 402,  ///< a received MAC tag has the wrong length for the algorithm or truncation
  crypto_invalid_truncation = 403,  ///< a requested tag truncation is below 80 bits or above the digest size

  // API keys (500-519: prefixes and format; 520-529: digests; 530-549: environment; 550-599: stores, verifier)
  key_unknown_prefix = 500,      ///< no entry of the prefix table begins the key
  key_invalid_length = 501,      ///< a key, id, secret or checksum of the wrong length for the format
  key_invalid_character = 502,   ///< a byte outside the key format's alphabet (base62 after the prefix)
  key_checksum_mismatch = 503,   ///< the key's checksum does not match the bytes before it
  key_invalid_format = 504,      ///< an unusable format: a secret under 32 characters, a prefix with a byte not allowed
  key_invalid_digest = 520,      ///< an unusable stored digest: wrong length, bad hex or Base64, unknown algorithm
  key_unknown_pepper = 521,      ///< a digest made with a pepper version the verifier does not hold
  key_invalid_pepper = 522,      ///< a pepper under 32 bytes, a version given twice, or no current pepper
  key_env_missing = 530,         ///< none of the environment variables is set
  key_env_empty = 531,           ///< the environment variable is set but empty
  key_env_whitespace = 532,      ///< whitespace or a line break inside or around the value (a copy-paste error)
  key_env_placeholder = 533,     ///< a placeholder or masked value (`sk_live_...`, `****`, `<your key>`), not a key
  key_wrong_environment = 534,   ///< a key of another environment than required (a test key where live is required)
  key_wrong_kind = 535,          ///< a key of another kind than required (publishable where secret is required)
  key_not_found = 550,           ///< no record with this id in the store
  key_duplicate_id = 551,        ///< a record with this id is already in the store
  key_rotation_refused = 552,    ///< rotating a key that is expired, revoked or disabled
  key_invalid_options = 553,     ///< verifier or rotation options out of range (a grace period over 24 h)
  key_invalid_scope = 554,       ///< a scope name that is empty, not a scope-token, unknown, or one too many
  key_store_conflict = 555,      ///< a record kept changing under a store's compare-and-set update; retry later
  key_invalid_record = 556,      ///< a stored record that does not decode (a field missing, malformed or out of range)

  // JSON Web Tokens (600-649: 600-619 the token and its JSON, 620-639 keys and signatures, 640-649 claims)
  jwt_too_large = 600,                ///< the token is longer than the configured cap (checked before decoding)
  jwt_malformed = 601,                ///< not three '.'-separated segments of base64url (RFC 7515 section 7.1)
  jwt_encrypted = 602,                ///< five segments: an encrypted JWT (JWE), which is not supported
  jwt_invalid_base64 = 603,           ///< a segment that is not canonical unpadded base64url (RFC 7515 section 2)
  jwt_json_syntax = 604,              ///< the header or claims are not JSON (RFC 8259), or bytes follow the value
  jwt_json_invalid_utf8 = 605,        ///< ill-formed UTF-8 in the JSON text (RFC 8259 section 8.1)
  jwt_json_too_deep = 606,            ///< arrays and objects nested beyond the configured depth
  jwt_json_too_many_members = 607,    ///< an object or array with more members than the configured limit
  jwt_json_duplicate_member = 608,    ///< the same member name twice in one object (compared after unescaping)
  jwt_json_not_object = 609,          ///< the header or claims are valid JSON but not an object
  jwt_json_wrong_type = 610,          ///< a JSON value read as a type it does not have (a number as a string)
  jwt_json_number_out_of_range = 611, ///< a JSON number outside the range the caller reads it into
  jwt_invalid_header = 612,           ///< a registered header parameter of the wrong type or value (kid, typ, b64)
  jwt_invalid_claim = 613,            ///< a registered claim of the wrong type (iss not a string, aud not strings)
  jwt_invalid_crit = 614,             ///< crit empty, not an array of strings, a registered or absent name, or one twice
  jwt_unsupported_crit = 615,         ///< crit lists an extension the verifier does not understand (RFC 7515 4.1.11)
  jwt_missing_algorithm = 620,        ///< no "alg" header parameter, or not a string
  jwt_algorithm_none = 621,           ///< "alg":"none", an unsecured JWS, which is never accepted
  jwt_unknown_algorithm = 622,        ///< an "alg" that names no algorithm keyward knows (names are case-sensitive)
  jwt_algorithm_not_allowed = 623,    ///< an algorithm that no key of the verifier is bound to (RFC 8725 section 3.1)
  jwt_unknown_key = 624,              ///< a "kid" that names no key of the verifier
  jwt_invalid_signature_length = 625, ///< a signature of the wrong length for its algorithm
  jwt_invalid_signature = 626,        ///< the signature does not verify
  jwt_key_too_short = 627,            ///< an HMAC key shorter than the hash output (RFC 7518 section 3.2)
  jwt_invalid_options = 628,          ///< a verifier or signer misconfigured: no key, a key id twice, a negative leeway
  jwt_missing_claim = 640,            ///< a required claim is absent (exp by default, iss or aud when configured)
  jwt_invalid_numeric_date = 641,     ///< exp, nbf or iat not a JSON number in range (RFC 7519 section 2)
  jwt_expired = 642,                  ///< now is at or after exp plus the leeway (RFC 7519 section 4.1.4)
  jwt_not_yet_valid = 643,            ///< now is before nbf minus the leeway (RFC 7519 section 4.1.5)
  jwt_issued_in_future = 644,         ///< iat is after now plus the leeway
  jwt_wrong_issuer = 645,             ///< iss is not the expected issuer (RFC 7519 section 4.1.1)
  jwt_wrong_audience = 646,           ///< no aud value is an expected audience (RFC 7519 section 4.1.3)
  jwt_wrong_subject = 647,            ///< sub is not the expected subject (RFC 7519 section 4.1.2)
  jwt_wrong_type = 648,               ///< typ is not the expected media type (RFC 9068 section 4, RFC 8725 3.11)

  // webhook signatures (650-699)
  webhook_missing_header = 650,       ///< a required header (id, timestamp, signature) is absent or empty
  webhook_invalid_id = 651,           ///< a message id with a byte or a length the scheme does not allow
  webhook_invalid_timestamp = 652,    ///< not a strict decimal integer of seconds (no sign, space or leading zero)
  webhook_timestamp_too_old = 653,    ///< the timestamp is older than now minus the tolerance
  webhook_timestamp_too_new = 654,    ///< the timestamp is later than now plus the tolerance
  webhook_invalid_signature_header = 655, ///< a signature field that does not parse for its scheme
  webhook_too_many_signatures = 656,  ///< more signatures in one field than the configured cap
  webhook_no_signature = 657,         ///< no signature of a version the verifier knows (v1, sha256=, v0=)
  webhook_signature_mismatch = 658,   ///< signatures of a known version, none of which matches
  webhook_invalid_secret = 659,       ///< a secret that does not decode or is too short (whsec_ base64 under 24 bytes)
  webhook_invalid_options = 660,      ///< no secret, a tolerance of zero or less, or a cap of zero
  webhook_replayed = 661,             ///< the replay cache has seen this message id within the tolerance

  // rate limiting (700-749: limiters and headers; 750-799: the Redis backend)
  rate_invalid_quota = 700,       ///< a zero count, period or burst, a rate above 4e9/s or a window beyond range
  rate_capacity_exhausted = 701,  ///< a new key, but every slot of the keyed limiter holds a key still in debt
  rate_invalid_capacity = 702,    ///< a keyed limiter asked for zero keys, or for more than it can index
  rate_header_empty = 730,               ///< the field value is empty or only whitespace
  rate_header_invalid_integer = 731,     ///< not a non-negative decimal integer (1*DIGIT): a sign, dot or other byte
  rate_header_integer_overflow = 732,    ///< an integer too large for 64 bits
  rate_header_invalid_list = 733,        ///< not a Structured Field List (RFC 9651 section 4.2)
  rate_header_invalid_string = 734,      ///< a name or unit with a byte an SF String cannot carry (RFC 9651 3.3.3)
  rate_header_value_out_of_range = 735,  ///< above 999,999,999,999,999 (RFC 9651 3.3.1), or a zero window
  redis_unavailable = 750,               ///< Redis cannot be reached, or the connection was lost
  redis_timeout = 751,                   ///< Redis did not connect or answer within the configured timeout
  redis_protocol = 752,                  ///< a reply of the wrong shape, impossible values, or an unsolicited reply
  redis_error_reply = 753,               ///< Redis answered with an error (a key of another type, OOM, read-only)
  redis_unsupported_quota = 754,         ///< a window or burst * count beyond the script's exact range
  redis_invalid_options = 755,           ///< an empty host, a port outside 1-65535, or a timeout of zero or less
  redis_unsupported_time = 756,          ///< a supplied time beyond 2^53 microseconds of 1970 (the script's exact range)

  // retry and backoff (800-899)
  retry_invalid_backoff = 800,  ///< a backoff base, cap, multiplier or jitter fraction out of range
};

/// A short English description of `code`; never contains input or secret material. Unknown values give
/// "unknown keyward error".
constexpr const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::buffer_too_small: return "output buffer too small";
    case errc::base64_invalid_character: return "base64: invalid character";
    case errc::base64_invalid_padding: return "base64: invalid padding";
    case errc::base64_missing_padding: return "base64: missing padding";
    case errc::base64_unexpected_padding: return "base64: padding not allowed";
    case errc::base64_invalid_length: return "base64: invalid length";
    case errc::base64_non_canonical: return "base64: non-canonical encoding (non-zero trailing bits)";
    case errc::http_empty_value: return "http: empty field value";
    case errc::http_invalid_character: return "http: invalid character";
    case errc::http_invalid_scheme: return "http: missing or invalid auth-scheme";
    case errc::http_invalid_token68: return "http: invalid token68";
    case errc::http_invalid_parameter: return "http: invalid auth-param";
    case errc::http_invalid_quoted_string: return "http: invalid quoted-string";
    case errc::http_duplicate_parameter: return "http: duplicate auth-param";
    case errc::http_too_long: return "http: value too long";
    case errc::http_too_many_parameters: return "http: too many auth-params";
    case errc::http_unexpected_data: return "http: unexpected data after the value";
    case errc::http_wrong_scheme: return "http: unexpected auth-scheme";
    case errc::http_missing_token: return "http: credentials missing after the scheme";
    case errc::http_too_many_challenges: return "http: too many challenges";
    case errc::http_invalid_parameter_value: return "http: value not allowed in this parameter";
    case errc::http_invalid_date: return "http: invalid HTTP-date";
    case errc::http_invalid_retry_after: return "http: Retry-After is neither delay-seconds nor an HTTP-date";
    case errc::basic_missing_colon: return "basic: no ':' between user-id and password";
    case errc::basic_control_character: return "basic: control character in user-id or password";
    case errc::basic_invalid_utf8: return "basic: user-id or password is not valid UTF-8";
    case errc::basic_colon_in_user: return "basic: user-id contains ':'";
    case errc::bearer_invalid_token: return "bearer: invalid character in token";
    case errc::random_unavailable: return "random: the OS random source failed";
    case errc::crypto_mac_mismatch: return "crypto: MAC tag mismatch";
    case errc::crypto_invalid_mac_length: return "crypto: MAC tag has the wrong length";
    case errc::crypto_invalid_truncation: return "crypto: MAC truncation length out of range";
    // API keys
    case errc::key_unknown_prefix: return "key: unknown prefix";
    case errc::key_invalid_length: return "key: wrong length";
    case errc::key_invalid_character: return "key: invalid character";
    case errc::key_checksum_mismatch: return "key: checksum mismatch";
    case errc::key_invalid_format: return "key: invalid format parameters";
    case errc::key_invalid_digest: return "key: invalid stored digest";
    case errc::key_unknown_pepper: return "key: unknown pepper version";
    case errc::key_invalid_pepper: return "key: invalid pepper";
    case errc::key_env_missing: return "key: environment variable not set";
    case errc::key_env_empty: return "key: environment variable is empty";
    case errc::key_env_whitespace: return "key: whitespace in the key";
    case errc::key_env_placeholder: return "key: placeholder instead of a key";
    case errc::key_wrong_environment: return "key: wrong environment";
    case errc::key_wrong_kind: return "key: wrong kind";
    case errc::key_not_found: return "key: no such key";
    case errc::key_duplicate_id: return "key: id already in use";
    case errc::key_rotation_refused: return "key: cannot rotate an expired or revoked key";
    case errc::key_invalid_options: return "key: invalid options";
    case errc::key_invalid_scope: return "key: invalid scope";
    case errc::key_store_conflict: return "key: record changed concurrently; retry";
    case errc::key_invalid_record: return "key: stored record does not decode";
    // JSON Web Tokens and webhooks
    case errc::jwt_too_large: return "jwt: token too large";
    case errc::jwt_malformed: return "jwt: not a compact JWS of three segments";
    case errc::jwt_encrypted: return "jwt: encrypted token (JWE) not supported";
    case errc::jwt_invalid_base64: return "jwt: segment is not canonical unpadded base64url";
    case errc::jwt_json_syntax: return "jwt: invalid JSON";
    case errc::jwt_json_invalid_utf8: return "jwt: invalid UTF-8 in JSON";
    case errc::jwt_json_too_deep: return "jwt: JSON nested too deeply";
    case errc::jwt_json_too_many_members: return "jwt: too many JSON members";
    case errc::jwt_json_duplicate_member: return "jwt: duplicate JSON member name";
    case errc::jwt_json_not_object: return "jwt: JSON value is not an object";
    case errc::jwt_json_wrong_type: return "jwt: JSON value of another type";
    case errc::jwt_json_number_out_of_range: return "jwt: JSON number out of range";
    case errc::jwt_invalid_header: return "jwt: invalid header parameter";
    case errc::jwt_invalid_claim: return "jwt: invalid claim";
    case errc::jwt_invalid_crit: return "jwt: invalid crit header parameter";
    case errc::jwt_unsupported_crit: return "jwt: unsupported critical extension";
    case errc::jwt_missing_algorithm: return "jwt: missing alg";
    case errc::jwt_algorithm_none: return "jwt: alg none is never accepted";
    case errc::jwt_unknown_algorithm: return "jwt: unknown algorithm";
    case errc::jwt_algorithm_not_allowed: return "jwt: algorithm not allowed";
    case errc::jwt_unknown_key: return "jwt: unknown key id";
    case errc::jwt_invalid_signature_length: return "jwt: signature has the wrong length";
    case errc::jwt_invalid_signature: return "jwt: invalid signature";
    case errc::jwt_key_too_short: return "jwt: HMAC key shorter than the hash output";
    case errc::jwt_invalid_options: return "jwt: invalid options";
    case errc::jwt_missing_claim: return "jwt: required claim missing";
    case errc::jwt_invalid_numeric_date: return "jwt: invalid NumericDate";
    case errc::jwt_expired: return "jwt: token expired";
    case errc::jwt_not_yet_valid: return "jwt: token not yet valid";
    case errc::jwt_issued_in_future: return "jwt: token issued in the future";
    case errc::jwt_wrong_issuer: return "jwt: wrong issuer";
    case errc::jwt_wrong_audience: return "jwt: wrong audience";
    case errc::jwt_wrong_subject: return "jwt: wrong subject";
    case errc::jwt_wrong_type: return "jwt: wrong token type";
    case errc::webhook_missing_header: return "webhook: required header missing";
    case errc::webhook_invalid_id: return "webhook: invalid message id";
    case errc::webhook_invalid_timestamp: return "webhook: invalid timestamp";
    case errc::webhook_timestamp_too_old: return "webhook: timestamp too old";
    case errc::webhook_timestamp_too_new: return "webhook: timestamp too far in the future";
    case errc::webhook_invalid_signature_header: return "webhook: malformed signature header";
    case errc::webhook_too_many_signatures: return "webhook: too many signatures";
    case errc::webhook_no_signature: return "webhook: no signature of a supported version";
    case errc::webhook_signature_mismatch: return "webhook: no signature matches";
    case errc::webhook_invalid_secret: return "webhook: invalid secret";
    case errc::webhook_invalid_options: return "webhook: invalid options";
    case errc::webhook_replayed: return "webhook: message id already seen (replay)";
    // rate limiting
    case errc::rate_invalid_quota: return "rate: invalid or out-of-range quota";
    case errc::rate_capacity_exhausted: return "rate: no room for a new key (every key is still limited)";
    case errc::rate_invalid_capacity: return "rate: invalid key capacity";
    case errc::rate_header_empty: return "rate header: empty field value";
    case errc::rate_header_invalid_integer: return "rate header: not a non-negative integer";
    case errc::rate_header_integer_overflow: return "rate header: integer too large";
    case errc::rate_header_invalid_list: return "rate header: not a Structured Field list";
    case errc::rate_header_invalid_string: return "rate header: character not allowed in a string";
    case errc::rate_header_value_out_of_range: return "rate header: value out of range";
    case errc::redis_unavailable: return "redis: unavailable or connection lost";
    case errc::redis_timeout: return "redis: timed out";
    case errc::redis_protocol: return "redis: unexpected reply";
    case errc::redis_error_reply: return "redis: error reply";
    case errc::redis_unsupported_quota: return "redis: quota beyond the script's exact range";
    case errc::redis_invalid_options: return "redis: invalid connection options";
    case errc::redis_unsupported_time: return "redis: time beyond the script's exact range";

    // retry and backoff
    case errc::retry_invalid_backoff: return "retry: backoff parameter out of range";

  }
  return "unknown keyward error";
}

/// A failure: what went wrong and, when known, the byte offset in the input where it was found.
class error {
 public:
  /// The offset value meaning "no position in the input applies".
  static constexpr std::size_t no_offset = static_cast<std::size_t>(-1);

  /// An error with `code` found at byte `offset` of the input (or no_offset).
  constexpr error(errc code, std::size_t offset = no_offset) noexcept : code_(code), offset_(offset) {}

  /// What went wrong.
  constexpr errc code() const noexcept { return code_; }
  /// The byte offset in the input where it was found; no_offset when none applies.
  constexpr std::size_t offset() const noexcept { return offset_; }
  /// True when offset() names a position in the input.
  constexpr bool has_offset() const noexcept { return offset_ != no_offset; }
  /// to_string(code()).
  constexpr const char* message() const noexcept { return to_string(code_); }

  /// Errors are equal when code and offset are; an error equals an errc when its code does.
  ///@{
  friend constexpr bool operator==(const error& a, const error& b) noexcept {
    return a.code_ == b.code_ && a.offset_ == b.offset_;
  }
  friend constexpr bool operator!=(const error& a, const error& b) noexcept { return !(a == b); }
  friend constexpr bool operator==(const error& a, errc b) noexcept { return a.code_ == b; }
  friend constexpr bool operator!=(const error& a, errc b) noexcept { return a.code_ != b; }
  ///@}

 private:
  errc code_;
  std::size_t offset_;
};

/// The std::error_category of keyward's errc values; its name() is "keyward".
inline const std::error_category& error_category() noexcept {
  class category final : public std::error_category {
   public:
    const char* name() const noexcept override { return "keyward"; }
    std::string message(int value) const override {
      return value > 0 && value <= 0xFFFF ? to_string(static_cast<errc>(value)) : "unknown keyward error";
    }
  };
  static const category instance;
  return instance;
}

/// `code` as a std::error_code in keyward's category.
inline std::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

namespace detail {
/// Called when a result is read the wrong way (value() of an error, error() of a value): a programming
/// error, not bad input, so it stops the program in every build, with or without exceptions.
[[noreturn]] inline void bad_result_access() noexcept { std::abort(); }
}  // namespace detail

/// A value of type T, or an error: the return type of every fallible keyward call (an expected-like type,
/// usable with -fno-exceptions). Reading value() of an error, or error() of a value, aborts.
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_same_v<std::decay_t<T>, keyward::error>, "result<error> is not meaningful");

 public:
  /// T, the type of the value held on success.
  using value_type = T;

  /// A result holding `value`.
  ///@{
  constexpr result(const T& value) : storage_(std::in_place_index<0>, value) {}
  constexpr result(T&& value) : storage_(std::in_place_index<0>, std::move(value)) {}
  ///@}
  /// A result holding the T made in place from `args`: T is neither copied nor moved.
  template <class... Args>
  constexpr explicit result(std::in_place_t, Args&&... args)
      : storage_(std::in_place_index<0>, std::forward<Args>(args)...) {}
  /// A result holding the failure `failure`, or error(`code`) without an offset.
  ///@{
  constexpr result(keyward::error failure) noexcept : storage_(std::in_place_index<1>, failure) {}
  constexpr result(errc code) noexcept : storage_(std::in_place_index<1>, keyward::error(code)) {}
  ///@}

  /// True when a value is held.
  ///@{
  constexpr bool has_value() const noexcept { return storage_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  ///@}

  /// The value; aborts when an error is held.
  ///@{
  constexpr T& value() & noexcept { check_value(); return *std::get_if<0>(&storage_); }
  constexpr const T& value() const& noexcept { check_value(); return *std::get_if<0>(&storage_); }
  constexpr T&& value() && noexcept { check_value(); return std::move(*std::get_if<0>(&storage_)); }
  ///@}

  /// The error; aborts when a value is held.
  constexpr const keyward::error& error() const noexcept {
    if (has_value()) detail::bad_result_access();
    return *std::get_if<1>(&storage_);
  }

  /// The value (moved out of an rvalue result), or `fallback` converted to T when an error is held.
  ///@{
  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&storage_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  constexpr T value_or(U&& fallback) && {
    return has_value() ? std::move(*std::get_if<0>(&storage_)) : static_cast<T>(std::forward<U>(fallback));
  }
  ///@}

  /// The value, like value(): aborts when an error is held.
  ///@{
  constexpr T& operator*() & noexcept { return value(); }
  constexpr const T& operator*() const& noexcept { return value(); }
  constexpr T&& operator*() && noexcept { return std::move(*this).value(); }
  constexpr T* operator->() noexcept { return &value(); }
  constexpr const T* operator->() const noexcept { return &value(); }
  ///@}

 private:
  constexpr void check_value() const noexcept {
    if (!has_value()) detail::bad_result_access();
  }

  std::variant<T, keyward::error> storage_;
};

/// The result of a fallible call that produces nothing but success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  /// void: success carries no value.
  using value_type = void;

  /// Success.
  constexpr result() noexcept = default;
  /// The failure `failure`, or error(`code`) without an offset.
  ///@{
  constexpr result(keyward::error failure) noexcept : failure_(failure) {}
  constexpr result(errc code) noexcept : failure_(code) {}
  ///@}

  /// True on success.
  ///@{
  constexpr bool has_value() const noexcept { return failure_.code() == errc{}; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  ///@}
  /// Does nothing on success; aborts when an error is held.
  constexpr void value() const noexcept {
    if (!has_value()) detail::bad_result_access();
  }
  /// The error; aborts on success.
  constexpr const keyward::error& error() const noexcept {
    if (has_value()) detail::bad_result_access();
    return failure_;
  }

 private:
  keyward::error failure_{errc{}};  // errc{} (zero) is never an error: it means success
};

}  // namespace keyward

namespace std {
template <>
struct is_error_code_enum<keyward::errc> : true_type {};
}  // namespace std

#endif  // KEYWARD_ERROR_HPP
