// keyward: what a server answers when authenticating a request fails: the status, the WWW-Authenticate
// challenge, Retry-After and a JSON error body (RFC 6750 section 3, RFC 7617 section 2, RFC 6585 section 4,
// RFC 9110 sections 15.5.3 and 15.6.4).
/// \file
/// What a server answers when authentication fails: status, challenge, Retry-After and JSON body.
#ifndef KEYWARD_HTTP_DENIAL_HPP
#define KEYWARD_HTTP_DENIAL_HPP

#include "../detail/json.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "challenge.hpp"
#include "retry_after.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::http {

/// Every way authenticating a request can fail.
enum class denial_reason : std::uint8_t {
  missing_credentials,    ///< no Authorization field, or an empty one
  malformed_credentials,  ///< an Authorization field that does not parse
  wrong_scheme,           ///< well-formed credentials of a scheme the server does not accept
  invalid_key,            ///< a key or token the server does not know
  expired,                ///< a key or token past its expiry
  revoked,                ///< a key or token that was revoked
  insufficient_scope,     ///< a valid key or token without the scope the request needs
  wrong_environment,      ///< a valid key of another environment (a test key sent to live, or the reverse)
  rate_limited,           ///< too many requests (RFC 6585 section 4)
  disabled,               ///< a key that is suspended (it may be enabled again)
  unavailable,            ///< the check could not be made (a limiter backend is down): 503, fail closed
  credits_exhausted,      ///< a valid key whose usage credits are used up: 402 Payment Required
};

/// The auth-scheme a server challenges with.
enum class challenge_scheme : std::uint8_t {
  bearer,  ///< RFC 6750 section 3: realm (when given), error, error_description, scope
  basic,   ///< RFC 7617 section 2: realm and charset="UTF-8"
};

/// How denial::challenge() builds the WWW-Authenticate value: the scheme and the realm. The realm is checked
/// once, by make(), so that challenge() cannot fail; it is a view, which must outlive the options.
class challenge_options {
 public:
  /// A Bearer challenge without a realm.
  constexpr challenge_options() noexcept = default;

  /// A challenge of `scheme` in the protection space `realm` (RFC 9110 section 11.5; omitted from a Bearer
  /// challenge when empty). The realm is sent as a quoted-string, so it may hold any byte but a CTL: fails
  /// with http_invalid_parameter_value at the first one.
  static constexpr result<challenge_options> make(challenge_scheme scheme, std::string_view realm = {}) noexcept {
    if (const result<void> valid = detail::http_challenge::check_quotable(realm); !valid) return valid.error();
    return challenge_options(scheme, realm);
  }

  /// The scheme the server accepts.
  constexpr challenge_scheme scheme() const noexcept { return scheme_; }
  /// The protection space; empty for none.
  constexpr std::string_view realm() const noexcept { return realm_; }

 private:
  constexpr challenge_options(challenge_scheme scheme, std::string_view realm) noexcept
      : scheme_(scheme), realm_(realm) {}

  challenge_scheme scheme_ = challenge_scheme::bearer;
  std::string_view realm_;
};

/// The shape of a denial's JSON body.
enum class json_style : std::uint8_t {
  /// `{"success":false,"error":{"code":"INVALID_API_KEY","message":"...","details":{...}}}`: one upper snake
  /// case code per denial_reason; details is the caller's details, `{}` when there are none.
  error_object,
  /// `{"type":"client_error","errors":[{"code":"invalid_token","detail":"...","attr":null,"extra":null}]}`:
  /// the code is the RFC 6750 error code where one applies, else not_authenticated (missing credentials,
  /// wrong scheme), throttled (rate limited), credits_exhausted or service_unavailable (unavailable, whose
  /// type is "server_error"); extra is the caller's details, null when there are none.
  errors_array,
};

}  // namespace keyward::http

namespace keyward::detail::http_denial {

using bearer = ::keyward::http::bearer_error;

/// What a denial_reason gives: status, RFC 6750 error code, and the code and message of each body style.
struct reason_facts {
  int status;
  bearer error;
  std::string_view object_code;     ///< json_style::error_object
  std::string_view object_message;  ///< json_style::error_object (API-key wording of the providers' docs)
  std::string_view array_code;      ///< json_style::errors_array
  std::string_view token_message;   ///< json_style::errors_array, and error_description in a challenge
};

// Indexed by denial_reason. Every token_message stays within RFC 6750's error_description set
// (%x20-21 / %x23-5B / %x5D-7E), so the challenges built from them cannot fail.
inline constexpr reason_facts facts[] = {
    {401, bearer::none, "MISSING_API_KEY", "API key is required",
     "not_authenticated", "Authentication credentials were not provided"},
    {400, bearer::invalid_request, "MALFORMED_API_KEY", "The Authorization header is malformed",
     "invalid_request", "The Authorization header is malformed"},
    {401, bearer::none, "UNSUPPORTED_AUTH_SCHEME", "The authentication scheme is not supported",
     "not_authenticated", "The authentication scheme is not supported"},
    {401, bearer::invalid_token, "INVALID_API_KEY", "The provided API key is invalid",
     "invalid_token", "The access token is invalid"},
    {401, bearer::invalid_token, "EXPIRED_API_KEY", "The API key has expired",
     "invalid_token", "The access token expired"},
    {401, bearer::invalid_token, "REVOKED_API_KEY", "The API key has been revoked",
     "invalid_token", "The access token has been revoked"},
    {403, bearer::insufficient_scope, "INSUFFICIENT_SCOPE", "The API key lacks the required scope",
     "insufficient_scope", "The request requires higher privileges than provided by the access token"},
    {401, bearer::invalid_token, "WRONG_ENVIRONMENT", "The API key is not valid in this environment",
     "invalid_token", "The access token is not valid in this environment"},
    {429, bearer::none, "RATE_LIMIT_EXCEEDED", "Too many requests",
     "throttled", "Too many requests"},
    {401, bearer::invalid_token, "DISABLED_API_KEY", "The API key has been disabled",
     "invalid_token", "The access token has been disabled"},
    {503, bearer::none, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable",
     "service_unavailable", "The service is temporarily unavailable"},
    {402, bearer::none, "CREDITS_EXHAUSTED", "The API key has no credits left",
     "credits_exhausted", "The usage credits of the access token are exhausted"},
};

}  // namespace keyward::detail::http_denial

namespace keyward::http {

/// Why a request was not authenticated, and everything the server answers with: status(), challenge()
/// (the WWW-Authenticate value), retry_after() and the JSON body (json(), write_json()).
///
/// A denial never holds the credential that was sent: its factories take none, and its outputs are the
/// library's fixed texts plus what the caller adds with with_message() and with_detail(). Those are the
/// caller's and are written to the body as given (escaped): never put a key, token or password in them.
class denial {
 public:
  /// No credentials (RFC 6750 section 3.1: no error code): 401 with a challenge that carries no error.
  static denial missing_credentials() noexcept { return denial(denial_reason::missing_credentials); }
  /// Credentials that do not parse: 400 with error="invalid_request" (RFC 6750 section 3.1).
  static denial malformed_credentials() noexcept { return denial(denial_reason::malformed_credentials); }
  /// Credentials of a scheme the server does not use: 401 with a challenge that carries no error (RFC 6750
  /// section 3.1 treats an unsupported authentication method as lacking authentication information).
  static denial wrong_scheme() noexcept { return denial(denial_reason::wrong_scheme); }
  /// An unknown key or token: 401 with error="invalid_token".
  static denial invalid_key() noexcept { return denial(denial_reason::invalid_key); }
  /// An expired key or token: 401 with error="invalid_token".
  static denial expired() noexcept { return denial(denial_reason::expired); }
  /// A revoked key or token: 401 with error="invalid_token".
  static denial revoked() noexcept { return denial(denial_reason::revoked); }
  /// A key or token without the scope the request needs: 403 with error="insufficient_scope" and, when
  /// `required_scope` is not empty, scope="<required_scope>" in the Bearer challenge (RFC 6750 section 3).
  /// The scope is checked here, so that challenge() cannot fail: scope-tokens of %x21 / %x23-5B / %x5D-7E
  /// separated by single spaces (RFC 6749 appendix A.4), else http_invalid_parameter_value at the offending
  /// byte.
  static result<denial> insufficient_scope(std::string required_scope) noexcept {
    if (!required_scope.empty()) {
      if (const result<void> valid = detail::http_challenge::check_scope(required_scope); !valid) {
        return valid.error();
      }
    }
    denial made(denial_reason::insufficient_scope);
    made.scope_ = std::move(required_scope);
    return made;
  }
  /// A genuine key of another environment (a test key sent to live, or the reverse): 401 with
  /// error="invalid_token", since RFC 6750 section 3.1 gives that code to any token the resource server does
  /// not accept, and the client's remedy is the same as for an invalid key: send the right one.
  static denial wrong_environment() noexcept { return denial(denial_reason::wrong_environment); }
  /// Too many requests (RFC 6585 section 4): 429, no challenge, and a Retry-After of retry_after_delay(wait):
  /// the limiter's `wait` rounded up to whole seconds, at least 1 and at most max_retry_after.
  static denial rate_limited(std::chrono::nanoseconds wait) noexcept {
    denial made(denial_reason::rate_limited);
    made.retry_after_ = retry_after_delay(wait);
    return made;
  }
  /// A suspended key (one that may be enabled again): 401 with error="invalid_token", as for a revoked key.
  static denial disabled() noexcept { return denial(denial_reason::disabled); }
  /// The credentials could not be checked because something they depend on failed, such as a rate limiter's
  /// backend, and the server fails closed: 503 Service Unavailable (RFC 9110 section 15.6.4), no challenge
  /// (the credentials were not found wanting), and a Retry-After of retry_after_delay(wait), as for
  /// rate_limited().
  static denial unavailable(std::chrono::nanoseconds wait) noexcept {
    denial made(denial_reason::unavailable);
    made.retry_after_ = retry_after_delay(wait);
    return made;
  }
  /// A valid key whose usage credits are used up (keys::credit_plan): 402 Payment Required (RFC 9110 section
  /// 15.5.3), no challenge (the key is fine: nothing about the credentials must change), and a Retry-After of
  /// retry_after_delay(*until_refill), rounded up to whole seconds as for rate_limited(), only when a refill
  /// is scheduled (`until_refill` is the time until it); none for credits that never refill.
  ///
  /// Why 402 and not 429: a 429 reports a rate over time, which clients, keyward::retry among them, retry on
  /// their own after Retry-After (http::classify_status() puts it with 503 in status_class::try_later).
  /// Exhausted credits are a billing state that no retry fixes before the refill, which may be a month away:
  /// a client must not hammer the server, and a person must buy more credits or wait. A 402 is a client error
  /// that clients do not retry (status_class::client_error, client_action::fail); its Retry-After only says
  /// when the credits come back.
  static denial credits_exhausted(std::optional<std::chrono::nanoseconds> until_refill) noexcept {
    denial made(denial_reason::credits_exhausted);
    if (until_refill.has_value()) made.retry_after_ = retry_after_delay(*until_refill);
    return made;
  }
  /// The denial for a failed parse of the Authorization field (parse_credentials, parse_basic,
  /// parse_bearer and the Base64 they use): http_empty_value gives missing_credentials, http_wrong_scheme
  /// gives wrong_scheme, and every other code gives malformed_credentials.
  static denial from_parse_error(const keyward::error& failure) noexcept {
    switch (failure.code()) {
      case errc::http_empty_value: return missing_credentials();
      case errc::http_wrong_scheme: return wrong_scheme();
      default: return malformed_credentials();
    }
  }

  /// Replaces the body's message (in both styles; an empty one restores the default). The challenge's
  /// error_description keeps the library's text, which always fits RFC 6750's character set.
  ///@{
  denial& with_message(std::string message) & noexcept {
    message_ = std::move(message);
    return *this;
  }
  denial&& with_message(std::string message) && noexcept { return std::move(with_message(std::move(message))); }
  ///@}

  /// Adds the string `value` under `name` to the body's details (error_object) or extra (errors_array),
  /// after those added before; a name given again replaces its value. Both are JSON-escaped. Names are
  /// compared as the body writes them, ill-formed UTF-8 replaced by U+FFFD: two names that differ only in
  /// ill-formed bytes (`"\xff"` and `"\xfe"`) are the same name, so the body never holds one member twice
  /// (RFC 8259 section 4).
  ///@{
  denial& with_detail(std::string name, std::string value) & {
    name = detail::json::replace_ill_formed(std::move(name));
    for (auto& detail : details_) {
      if (detail.first == name) {
        detail.second = std::move(value);
        return *this;
      }
    }
    details_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  denial&& with_detail(std::string name, std::string value) && {
    return std::move(with_detail(std::move(name), std::move(value)));
  }
  ///@}

  /// Sets the options challenge() uses when called without any (by default a Bearer challenge without a
  /// realm), so that whoever made the denial (a verifier) can give it the server's scheme and realm.
  ///@{
  denial& with_challenge(const challenge_options& options) & noexcept {
    challenge_ = options;
    return *this;
  }
  denial&& with_challenge(const challenge_options& options) && noexcept { return std::move(with_challenge(options)); }
  ///@}

  /// Why authentication failed.
  denial_reason reason() const noexcept { return reason_; }
  /// The status code: 400, 401, 403 (RFC 6750 section 3.1), 402 (exhausted credits, RFC 9110 section
  /// 15.5.3), 429 (RFC 6585 section 4) or 503 (RFC 9110 section 15.6.4).
  int status() const noexcept { return facts().status; }
  /// The error code a Bearer challenge carries (RFC 6750 section 3.1); none for missing credentials, a wrong
  /// scheme, rate limiting, exhausted credits and unavailability.
  bearer_error rfc6750_error() const noexcept { return facts().error; }
  /// The scope given to insufficient_scope(); empty otherwise.
  std::string_view required_scope() const noexcept { return scope_; }
  /// The Retry-After delay in whole seconds (RFC 9110 section 10.2.3, delta-seconds) when rate limited,
  /// unavailable, or out of credits with a refill scheduled; nullopt otherwise.
  std::optional<std::chrono::seconds> retry_after() const noexcept { return retry_after_; }
  /// The options challenge() uses when called without any: those given to with_challenge(), else a Bearer
  /// challenge without a realm.
  const challenge_options& challenge_settings() const noexcept { return challenge_; }

  /// The WWW-Authenticate value to send, built with challenge_settings(); see challenge(options).
  std::optional<std::string> challenge() const { return challenge(challenge_); }

  /// The WWW-Authenticate value to send, or nullopt when none is sent (rate limited, out of credits or
  /// unavailable: a 429, a 402 or a 503 is not an authentication failure). Bearer (RFC 6750 section 3): realm when not empty, then error and
  /// error_description when rfc6750_error() is not none, then scope for insufficient_scope, e.g.
  /// `Bearer realm="example", error="invalid_token", error_description="The access token expired"`.
  /// Basic (RFC 7617 section 2): `Basic realm="...", charset="UTF-8"`, which has no error attributes.
  /// Cannot fail: the caller's texts, the realm and the scope, were checked by challenge_options::make()
  /// and insufficient_scope(), and the library's own texts fit RFC 6750's character sets.
  std::optional<std::string> challenge(const challenge_options& options) const {
    if (!challenges()) return std::nullopt;
    result<challenge_builder> builder = options.scheme() == challenge_scheme::basic
                                            ? challenge_builder::basic(options.realm())
                                            : challenge_builder::bearer(options.realm());
    if (options.scheme() == challenge_scheme::bearer && facts().error != bearer_error::none) {
      builder->error(detail::http_challenge::bearer_error_name(facts().error)).error_description(facts().token_message);
      if (!scope_.empty()) builder->scope(scope_);
    }
    return *builder->str();
  }

  /// The size in bytes of the JSON body write_json() writes in `style`.
  std::size_t json_size(json_style style = json_style::error_object) const noexcept {
    return *detail::writer::measure([&](detail::writer::counting_writer& w) noexcept { put_body(w, style); });
  }
  /// Writes the JSON body (RFC 8259, UTF-8, no whitespace) in `style` into `out[0, capacity)` and returns its
  /// size (json_size(style)); buffer_too_small when it does not fit, with nothing written.
  result<std::size_t> write_json(char* out, std::size_t capacity,
                                 json_style style = json_style::error_object) const noexcept {
    return detail::writer::write_into(out, capacity,
                                      [&](detail::writer::counting_writer& w) noexcept { put_body(w, style); });
  }
  /// The JSON body in `style`, for example `{"success":false,"error":{"code":"EXPIRED_API_KEY","message":"The API
  /// key has expired","details":{}}}`. Every string is escaped per RFC 8259 section 7 (ill-formed UTF-8 in
  /// the caller's text becomes U+FFFD), so the body is always valid JSON. Cannot fail.
  std::string json(json_style style = json_style::error_object) const {
    return *detail::writer::write_string([&](detail::writer::counting_writer& w) noexcept { put_body(w, style); });
  }

 private:
  explicit denial(denial_reason reason) noexcept : reason_(reason) {}

  // False for the denials that are no authentication failure, which send no challenge.
  bool challenges() const noexcept {
    return reason_ != denial_reason::rate_limited && reason_ != denial_reason::unavailable &&
           reason_ != denial_reason::credits_exhausted;
  }

  const detail::http_denial::reason_facts& facts() const noexcept {
    return detail::http_denial::facts[static_cast<std::size_t>(reason_)];
  }

  void put_details(detail::writer::counting_writer& out) const noexcept {
    out.put('{');
    for (std::size_t i = 0; i < details_.size(); ++i) {
      if (i > 0) out.put(',');
      detail::json::put_string(out, details_[i].first);
      out.put(':');
      detail::json::put_string(out, details_[i].second);
    }
    out.put('}');
  }

  void put_body(detail::writer::counting_writer& out, json_style style) const noexcept {
    if (style == json_style::error_object) {
      out.put(R"({"success":false,"error":{"code":)");
      detail::json::put_string(out, facts().object_code);
      out.put(R"(,"message":)");
      detail::json::put_string(out, message_.empty() ? facts().object_message : std::string_view(message_));
      out.put(R"(,"details":)");
      put_details(out);
      out.put("}}");
      return;
    }
    out.put(facts().status >= 500 ? R"({"type":"server_error","errors":[{"code":)"
                                  : R"({"type":"client_error","errors":[{"code":)");
    detail::json::put_string(out, facts().array_code);
    out.put(R"(,"detail":)");
    detail::json::put_string(out, message_.empty() ? facts().token_message : std::string_view(message_));
    out.put(R"(,"attr":null,"extra":)");
    if (details_.empty()) {
      out.put("null");
    } else {
      put_details(out);
    }
    out.put("}]}");
  }

  denial_reason reason_;
  challenge_options challenge_;
  std::optional<std::chrono::seconds> retry_after_;
  std::string scope_;
  std::string message_;
  std::vector<std::pair<std::string, std::string>> details_;
};

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_DENIAL_HPP
