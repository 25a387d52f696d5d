// keyward: what the status code of a final HTTP response tells a client, the one rule that both
// http::classify() and retry::run() apply (RFC 9110 section 15, RFC 6585 section 4).
/// \file
/// What a final status code tells a client (RFC 9110 section 15): classify_status.
#ifndef KEYWARD_HTTP_STATUS_HPP
#define KEYWARD_HTTP_STATUS_HPP

#include <cstdint>

namespace keyward::http {

/// The class of a final response's status code, before any header field is read.
enum class status_class : std::uint8_t {
  invalid,       ///< outside 100-599, or 1xx: an interim response is never final (RFC 9110 section 15.2)
  success,       ///< 2xx and 3xx: handled (a redirect is the transport's to follow)
  unauthorized,  ///< 401 and 407: credentials missing or refused (RFC 9110 sections 15.5.2 and 15.5.8)
  forbidden,     ///< 403: understood but refused, as for an insufficient scope (RFC 9110 section 15.5.4)
  try_later,     ///< 429 (RFC 6585 section 4) and 503 (RFC 9110 section 15.6.4): the same request may succeed later
  /// any other 4xx: the request itself must change, or a person must act (402 Payment Required, RFC 9110
  /// section 15.5.3, for exhausted usage credits: not retried, since no retry helps before a refill)
  client_error,
  server_error,  ///< any other 5xx
};

/// The class of `status`; never fails (an impossible code is status_class::invalid).
constexpr status_class classify_status(int status) noexcept {
  if (status < 200 || status > 599) return status_class::invalid;
  if (status < 400) return status_class::success;
  if (status == 429 || status == 503) return status_class::try_later;
  if (status == 401 || status == 407) return status_class::unauthorized;
  if (status == 403) return status_class::forbidden;
  return status < 500 ? status_class::client_error : status_class::server_error;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_STATUS_HPP
