// keyward: what to answer when authentication fails (server side: status, WWW-Authenticate challenge,
// Retry-After and a JSON error body, RFC 6750 section 3 and RFC 6585 section 4) and what to do with such an
// answer (client side: classify a status and its WWW-Authenticate challenges into an action).
#ifndef KEYWARD_HTTP_RESPONSE_HPP
#define KEYWARD_HTTP_RESPONSE_HPP

#include "../detail/json.hpp"
#include "../error.hpp"
#include "challenge.hpp"
#include "credentials.hpp"

#include <algorithm>
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
};

/// The error codes of a Bearer challenge (RFC 6750 section 3.1).
enum class bearer_error : std::uint8_t {
  none,                ///< no error attribute: the request lacked authentication information
  invalid_request,     ///< malformed request (400)
  invalid_token,       ///< the token is expired, revoked, malformed or invalid otherwise (401)
  insufficient_scope,  ///< the token lacks privileges the request requires (403)
  other,               ///< (received only) an error attribute with another value
};

/// The auth-scheme a server challenges with.
enum class challenge_scheme : std::uint8_t {
  bearer,  ///< RFC 6750 section 3: realm (when given), error, error_description, scope
  basic,   ///< RFC 7617 section 2: realm and charset="UTF-8"
};

/// How denial::challenge() builds the WWW-Authenticate value.
struct challenge_options {
  challenge_scheme scheme = challenge_scheme::bearer;  ///< the scheme the server accepts
  std::string_view realm;  ///< the protection space; omitted from a Bearer challenge when empty
};

/// The shape of a denial's JSON body.
enum class json_style : std::uint8_t {
  /// `{"success":false,"error":{"code":"INVALID_API_KEY","message":"...","details":{...}}}`: one upper snake
  /// case code per denial_reason; details is the caller's details, `{}` when there are none.
  error_object,
  /// `{"type":"client_error","errors":[{"code":"invalid_token","detail":"...","attr":null,"extra":null}]}`:
  /// the code is the RFC 6750 error code where one applies, else not_authenticated (missing credentials,
  /// wrong scheme) or throttled (rate limited); extra is the caller's details, null when there are none.
  errors_array,
};

}  // namespace keyward::http

namespace keyward::detail::response {

using http_bearer_error = ::keyward::http::bearer_error;

/// What a denial_reason gives: status, RFC 6750 error code, and the code and message of each body style.
struct reason_facts {
  int status;
  http_bearer_error error;
  std::string_view object_code;     ///< json_style::error_object
  std::string_view object_message;  ///< json_style::error_object (API-key wording of the providers' docs)
  std::string_view array_code;      ///< json_style::errors_array
  std::string_view token_message;   ///< json_style::errors_array, and error_description in a challenge
};

// Indexed by denial_reason. Every token_message stays within RFC 6750's error_description set
// (%x20-21 / %x23-5B / %x5D-7E), so the challenges built from them cannot fail.
inline constexpr reason_facts facts[] = {
    {401, http_bearer_error::none, "MISSING_API_KEY", "API key is required",
     "not_authenticated", "Authentication credentials were not provided"},
    {400, http_bearer_error::invalid_request, "MALFORMED_API_KEY", "The Authorization header is malformed",
     "invalid_request", "The Authorization header is malformed"},
    {401, http_bearer_error::none, "UNSUPPORTED_AUTH_SCHEME", "The authentication scheme is not supported",
     "not_authenticated", "The authentication scheme is not supported"},
    {401, http_bearer_error::invalid_token, "INVALID_API_KEY", "The provided API key is invalid",
     "invalid_token", "The access token is invalid"},
    {401, http_bearer_error::invalid_token, "EXPIRED_API_KEY", "The API key has expired",
     "invalid_token", "The access token expired"},
    {401, http_bearer_error::invalid_token, "REVOKED_API_KEY", "The API key has been revoked",
     "invalid_token", "The access token has been revoked"},
    {403, http_bearer_error::insufficient_scope, "INSUFFICIENT_SCOPE", "The API key lacks the required scope",
     "insufficient_scope", "The request requires higher privileges than provided by the access token"},
    {401, http_bearer_error::invalid_token, "WRONG_ENVIRONMENT", "The API key is not valid in this environment",
     "invalid_token", "The access token is not valid in this environment"},
    {429, http_bearer_error::none, "RATE_LIMIT_EXCEEDED", "Too many requests",
     "throttled", "Too many requests"},
};

/// The RFC 6750 section 3.1 spelling of `error` (empty for none and other).
constexpr std::string_view bearer_error_name(http_bearer_error error) noexcept {
  switch (error) {
    case http_bearer_error::invalid_request: return "invalid_request";
    case http_bearer_error::invalid_token: return "invalid_token";
    case http_bearer_error::insufficient_scope: return "insufficient_scope";
    case http_bearer_error::none:
    case http_bearer_error::other: break;
  }
  return {};
}

/// The error attribute of a Bearer challenge: its value with quoted-pairs resolved, read as an RFC 6750
/// error code (other for any value it does not define).
inline http_bearer_error read_bearer_error(const ::keyward::http::auth_param& param) noexcept {
  char value[32];
  const result<std::size_t> size = param.value(value, sizeof value);
  if (!size) return http_bearer_error::other;
  const std::string_view name(value, *size);
  constexpr http_bearer_error defined[] = {http_bearer_error::invalid_request, http_bearer_error::invalid_token,
                                           http_bearer_error::insufficient_scope};
  for (const http_bearer_error error : defined) {
    if (name == bearer_error_name(error)) return error;
  }
  return http_bearer_error::other;
}

}  // namespace keyward::detail::response

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
  static denial insufficient_scope(std::string required_scope) noexcept {
    denial made(denial_reason::insufficient_scope);
    made.scope_ = std::move(required_scope);
    return made;
  }
  /// A genuine key of another environment (a test key sent to live, or the reverse): 401 with
  /// error="invalid_token", since RFC 6750 section 3.1 gives that code to any token the resource server does
  /// not accept, and the client's remedy is the same as for an invalid key: send the right one.
  static denial wrong_environment() noexcept { return denial(denial_reason::wrong_environment); }
  /// Too many requests (RFC 6585 section 4): 429, no challenge, Retry-After of `retry_after` rounded up to
  /// whole seconds and at least 1 (a zero or negative delay gives 1).
  static denial rate_limited(std::chrono::nanoseconds retry_after) noexcept {
    denial made(denial_reason::rate_limited);
    const auto whole = std::chrono::duration_cast<std::chrono::seconds>(retry_after);  // rounds toward zero
    made.retry_after_ = whole < retry_after ? whole + std::chrono::seconds(1) : whole;
    if (made.retry_after_ < std::chrono::seconds(1)) made.retry_after_ = std::chrono::seconds(1);
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
  denial& with_message(std::string message) & noexcept {
    message_ = std::move(message);
    return *this;
  }
  denial&& with_message(std::string message) && noexcept { return std::move(with_message(std::move(message))); }

  /// Adds the string `value` under `name` to the body's details (error_object) or extra (errors_array),
  /// after those added before; a name given again replaces its value. Both are JSON-escaped.
  denial& with_detail(std::string name, std::string value) & {
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

  /// Why authentication failed.
  denial_reason reason() const noexcept { return reason_; }
  /// The status code: 400, 401, 403 (RFC 6750 section 3.1) or 429 (RFC 6585 section 4).
  int status() const noexcept { return facts().status; }
  /// The error code a Bearer challenge carries (RFC 6750 section 3.1); none for missing credentials, a wrong
  /// scheme and rate limiting.
  bearer_error rfc6750_error() const noexcept { return facts().error; }
  /// The scope given to insufficient_scope(); empty otherwise.
  std::string_view required_scope() const noexcept { return scope_; }
  /// The Retry-After delay in whole seconds (RFC 9110 section 10.2.3, delta-seconds) when rate limited;
  /// nullopt otherwise.
  std::optional<std::chrono::seconds> retry_after() const noexcept {
    if (reason_ != denial_reason::rate_limited) return std::nullopt;
    return retry_after_;
  }

  /// The WWW-Authenticate value to send, or nullopt when none is sent (rate limited: a 429 is not an
  /// authentication failure). Bearer (RFC 6750 section 3): realm when not empty, then error and
  /// error_description when rfc6750_error() is not none, then scope for insufficient_scope, e.g.
  /// `Bearer realm="example", error="invalid_token", error_description="The access token expired"`.
  /// Basic (RFC 7617 section 2): `Basic realm="...", charset="UTF-8"`, which has no error attributes.
  /// Fails only on the caller's text: a realm or scope the challenge_builder rejects, with its error.
  result<std::optional<std::string>> challenge(const challenge_options& options = {}) const {
    using built = std::optional<std::string>;
    if (reason_ == denial_reason::rate_limited) return built();
    challenge_builder builder = options.scheme == challenge_scheme::basic ? challenge_builder::basic(options.realm)
                                                                          : challenge_builder::bearer(options.realm);
    if (options.scheme == challenge_scheme::bearer && facts().error != bearer_error::none) {
      builder.error(detail::response::bearer_error_name(facts().error)).error_description(facts().token_message);
      if (!scope_.empty()) builder.scope(scope_);
    }
    result<std::string> text = builder.str();
    if (!text) return text.error();
    return built(std::move(*text));
  }

  /// The size in bytes of the JSON body in `style`.
  std::size_t json_size(json_style style = json_style::error_object) const noexcept {
    detail::json::writer counter(nullptr, 0);
    write_body(counter, style);
    return counter.size();
  }
  /// Writes the JSON body (RFC 8259, UTF-8, no whitespace) in `style` to `out` and returns its size;
  /// buffer_too_small when `capacity` is less than json_size(style) (nothing is written then).
  result<std::size_t> write_json(char* out, std::size_t capacity,
                                 json_style style = json_style::error_object) const noexcept {
    const std::size_t size = json_size(style);
    if (size > capacity) return errc::buffer_too_small;
    detail::json::writer writer(out, capacity);
    write_body(writer, style);
    return size;
  }
  /// The JSON body in `style`, e.g. `{"success":false,"error":{"code":"EXPIRED_API_KEY","message":"The API
  /// key has expired","details":{}}}`. Every string is escaped per RFC 8259 section 7 (ill-formed UTF-8 in
  /// the caller's text becomes U+FFFD), so the body is always valid JSON.
  std::string json(json_style style = json_style::error_object) const {
    std::string body(json_size(style), '\0');
    detail::json::writer writer(&body[0], body.size());
    write_body(writer, style);
    return body;
  }

 private:
  explicit denial(denial_reason reason) noexcept : reason_(reason) {}

  const detail::response::reason_facts& facts() const noexcept {
    return detail::response::facts[static_cast<std::size_t>(reason_)];
  }

  void write_details(detail::json::writer& out) const noexcept {
    out.literal("{");
    for (std::size_t i = 0; i < details_.size(); ++i) {
      if (i > 0) out.literal(",");
      out.string(details_[i].first);
      out.literal(":");
      out.string(details_[i].second);
    }
    out.literal("}");
  }

  void write_body(detail::json::writer& out, json_style style) const noexcept {
    if (style == json_style::error_object) {
      out.literal(R"({"success":false,"error":{"code":)");
      out.string(facts().object_code);
      out.literal(R"(,"message":)");
      out.string(message_.empty() ? facts().object_message : std::string_view(message_));
      out.literal(R"(,"details":)");
      write_details(out);
      out.literal("}}");
      return;
    }
    out.literal(R"({"type":"client_error","errors":[{"code":)");
    out.string(facts().array_code);
    out.literal(R"(,"detail":)");
    out.string(message_.empty() ? facts().token_message : std::string_view(message_));
    out.literal(R"(,"attr":null,"extra":)");
    if (details_.empty()) {
      out.literal("null");
    } else {
      write_details(out);
    }
    out.literal("}]}");
  }

  denial_reason reason_;
  std::chrono::seconds retry_after_{0};
  std::string scope_;
  std::string message_;
  std::vector<std::pair<std::string, std::string>> details_;
};

/// What a client should do with a response.
enum class client_action : std::uint8_t {
  proceed,        ///< 1xx-3xx: not an authentication failure
  authenticate,   ///< 401 (or 407) without error="invalid_token": send credentials, or fix them
  refresh_token,  ///< 401 (or 407) with a Bearer challenge carrying error="invalid_token": get a new token
  fail,           ///< 400, 403, any other 4xx, 5xx but 503, or a status outside 100-599: retrying is pointless
  back_off,       ///< 429 or 503: wait (retry_after when the server said) and try again
};

/// The outcome of classify(): the action, and what the server's Bearer challenge said. Views into the
/// WWW-Authenticate value given to classify(), which must outlive it.
struct classification {
  client_action action = client_action::proceed;
  /// The error attribute of the first Bearer challenge; none when there is no such attribute, no Bearer
  /// challenge or the field value is malformed.
  bearer_error error = bearer_error::none;
  /// The scope attribute of the first Bearer challenge as sent (with insufficient_scope: the scope the
  /// request needs); empty when absent, or when it is not an RFC 6750 scope (which never needs quoted-pairs).
  std::string_view scope;
  /// back_off only: the Retry-After given to classify(), negative values clamped to zero.
  std::optional<std::chrono::seconds> retry_after;
};

/// Classifies a response from its `status` and its WWW-Authenticate field value (for 407, pass the
/// Proxy-Authenticate value; several field lines joined with ", ") and, optionally, its Retry-After already
/// parsed to seconds: see client_action. The challenges are parsed with parse_challenges() and default
/// limits; a malformed value degrades to "no challenge": a 401 then gives authenticate (never
/// refresh_token, which needs the server to say invalid_token), a 403 gives fail with no scope. Never fails.
inline classification classify(int status, std::string_view www_authenticate = {},
                               std::optional<std::chrono::seconds> retry_after = std::nullopt) noexcept {
  classification outcome;
  if (status >= 400 && status <= 599 && !www_authenticate.empty()) {
    const result<challenge_list> challenges = parse_challenges(www_authenticate);
    const std::optional<challenge> bearer = challenges ? challenges->find("Bearer") : std::nullopt;
    if (bearer) {
      if (const auto error = bearer->params.find("error")) outcome.error = detail::response::read_bearer_error(*error);
      const auto scope = bearer->params.find("scope");
      if (scope && detail::http_challenge::check_scope(scope->raw_value())) outcome.scope = scope->raw_value();
    }
  }
  if (status < 100 || status > 599) {
    outcome.action = client_action::fail;
  } else if (status < 400) {
    outcome.action = client_action::proceed;
  } else if (status == 429 || status == 503) {
    outcome.action = client_action::back_off;
    if (retry_after) outcome.retry_after = std::max(*retry_after, std::chrono::seconds(0));
  } else if (status == 401 || status == 407) {
    outcome.action =
        outcome.error == bearer_error::invalid_token ? client_action::refresh_token : client_action::authenticate;
  } else {
    outcome.action = client_action::fail;
  }
  return outcome;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_RESPONSE_HPP
