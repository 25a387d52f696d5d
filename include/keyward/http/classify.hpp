// keyward: what a client does with a response to an authenticated request: its status (the one rule of
// http::classify_status(), RFC 9110 section 15) and its WWW-Authenticate challenges (RFC 6750 section 3)
// classified into an action.
/// \file
/// What a client does with a response to an authenticated request: classify().
#ifndef KEYWARD_HTTP_CLASSIFY_HPP
#define KEYWARD_HTTP_CLASSIFY_HPP

#include "../error.hpp"
#include "challenge.hpp"
#include "credentials.hpp"
#include "status.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace keyward::detail::http_classify {

using bearer = ::keyward::http::bearer_error;

/// The error attribute of a Bearer challenge: its value with quoted-pairs resolved, read as an RFC 6750
/// error code (other for any value it does not define).
inline bearer read_bearer_error(const ::keyward::http::auth_param& param) noexcept {
  char value[32];
  const result<std::size_t> size = param.value(value, sizeof value);
  if (!size) return bearer::other;
  const std::string_view name(value, *size);
  constexpr bearer defined[] = {bearer::invalid_request, bearer::invalid_token, bearer::insufficient_scope};
  for (const bearer error : defined) {
    if (name == http_challenge::bearer_error_name(error)) return error;
  }
  return bearer::other;
}

}  // namespace keyward::detail::http_classify

namespace keyward::http {

/// What a client should do with a response.
enum class client_action : std::uint8_t {
  proceed,        ///< 2xx and 3xx: not an authentication failure
  authenticate,   ///< 401 (or 407) without error="invalid_token": send credentials, or fix them
  refresh_token,  ///< 401 (or 407) with a Bearer challenge carrying error="invalid_token": get a new token
  /// 400, 402 (usage credits exhausted: a person must buy more or wait for the refill the Retry-After may
  /// name), 403, any other 4xx, 5xx but 503, 1xx (an interim response is never final, RFC 9110 section 15.2)
  /// or a status outside 100-599: retrying is pointless
  fail,
  back_off,       ///< 429 or 503: wait (retry_after when the server said) and try again
};

/// The outcome of classify(): the action, and what the server's Bearer challenge said. Views into the
/// WWW-Authenticate value given to classify(), which must outlive it.
struct classification {
  /// What the client should do.
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
/// parsed to seconds: see client_action. The status is read by classify_status() (RFC 9110 section 15), the
/// rule retry::run() applies too. The challenges of a 4xx or 5xx are parsed with parse_challenges() and default
/// limits; a malformed value degrades to "no challenge": a 401 then gives authenticate (never
/// refresh_token, which needs the server to say invalid_token), a 403 gives fail with no scope. Never fails.
inline classification classify(int status, std::string_view www_authenticate = {},
                               std::optional<std::chrono::seconds> retry_after = std::nullopt) noexcept {
  classification outcome;
  const status_class kind = classify_status(status);
  if (kind != status_class::invalid && kind != status_class::success && !www_authenticate.empty()) {
    const result<challenge_list> challenges = parse_challenges(www_authenticate);
    const std::optional<challenge> bearer = challenges ? challenges->find("Bearer") : std::nullopt;
    if (bearer) {
      if (const auto error = bearer->params.find("error")) {
        outcome.error = detail::http_classify::read_bearer_error(*error);
      }
      const auto scope = bearer->params.find("scope");
      if (scope && detail::http_challenge::check_scope(scope->raw_value())) outcome.scope = scope->raw_value();
    }
  }
  switch (kind) {
    case status_class::success:
      outcome.action = client_action::proceed;
      break;
    case status_class::unauthorized:
      outcome.action =
          outcome.error == bearer_error::invalid_token ? client_action::refresh_token : client_action::authenticate;
      break;
    case status_class::try_later:
      outcome.action = client_action::back_off;
      if (retry_after) outcome.retry_after = std::max(*retry_after, std::chrono::seconds(0));
      break;
    case status_class::invalid:
    case status_class::forbidden:
    case status_class::client_error:
    case status_class::server_error:
      outcome.action = client_action::fail;
      break;
  }
  return outcome;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_CLASSIFY_HPP
