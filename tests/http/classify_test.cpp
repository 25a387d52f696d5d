// Tests for include/keyward/http/classify.hpp: the client-side classification of a response from its status
// (the rule of http::classify_status(), RFC 9110 section 15; 1xx is an interim response, never final, RFC 9110
// section 15.2), its WWW-Authenticate challenges (RFC 6750 section 3.1) and Retry-After (RFC 6585 section 4),
// and the agreement of denial.hpp's answers with it.
#define BOOST_TEST_MODULE http_classify
#include <boost/test/unit_test.hpp>

#include <keyward/http/classify.hpp>
#include <keyward/http/denial.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

using namespace std::chrono_literals;
using keyward::errc;
using keyward::http::bearer_error;
using keyward::http::challenge_options;
using keyward::http::challenge_scheme;
using keyward::http::classify;
using keyward::http::client_action;
using keyward::http::denial;
using keyward::http::denial_reason;

using keyward_test::allocations;
using keyward_test::counting;

namespace keyward::http {
inline std::ostream& boost_test_print_type(std::ostream& out, client_action action) {
  return out << "client_action(" << static_cast<int>(action) << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& out, bearer_error error) {
  return out << "bearer_error(" << static_cast<int>(error) << ")";
}
}  // namespace keyward::http

BOOST_AUTO_TEST_CASE(classification_table) {
  struct row {
    int status;
    std::string_view www_authenticate;
    std::optional<std::chrono::seconds> retry_after;
    client_action action;
    bearer_error error;
    std::string_view scope;
    std::optional<std::chrono::seconds> advised_retry;
  };
  const auto none = bearer_error::none;
  const std::optional<std::chrono::seconds> no_delay;
  const row rows[] = {
      // 2xx and 3xx: not an authentication outcome; the header is not even read.
      {200, "", no_delay, client_action::proceed, none, "", no_delay},
      {204, R"(Bearer error="invalid_token")", 5s, client_action::proceed, none, "", no_delay},
      {304, "", no_delay, client_action::proceed, none, "", no_delay},
      // 1xx: an interim response is never final (RFC 9110 section 15.2), so a client that is handed one as
      // the response has nothing to act on: fail (the issue's decision, the one rule of classify_status).
      {100, "", no_delay, client_action::fail, none, "", no_delay},
      {101, "", no_delay, client_action::fail, none, "", no_delay},
      {199, R"(Bearer error="invalid_token")", 5s, client_action::fail, none, "", no_delay},
      // Not a status code (RFC 9110 section 15: three digits, 1xx-5xx).
      {99, "", no_delay, client_action::fail, none, "", no_delay},
      {600, "", no_delay, client_action::fail, none, "", no_delay},
      {-401, "", no_delay, client_action::fail, none, "", no_delay},
      // 401 without error code (RFC 6750 section 3.1: no authentication information): authenticate.
      {401, "", no_delay, client_action::authenticate, none, "", no_delay},
      {401, R"(Bearer realm="example")", no_delay, client_action::authenticate, none, "", no_delay},
      {401, R"(Basic realm="foo", charset="UTF-8")", no_delay, client_action::authenticate, none, "", no_delay},
      // RFC 9110 section 11.6.1's example: two challenges, neither Bearer.
      {401, R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")", no_delay,
       client_action::authenticate, none, "", no_delay},
      // 401 with invalid_token on Bearer: refresh. RFC 6750 section 3's example, and variants.
      {401, R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")",
       no_delay, client_action::refresh_token, bearer_error::invalid_token, "", no_delay},
      {401, "bearer error=invalid_token", no_delay, client_action::refresh_token, bearer_error::invalid_token, "",
       no_delay},  // scheme case-insensitive; token form of the value
      {401, R"(Bearer error="invalid\_token")", no_delay, client_action::refresh_token, bearer_error::invalid_token,
       "", no_delay},  // a quoted-pair stands for its character (RFC 9110 section 5.6.4)
      {401, R"(Basic realm="foo", Bearer error="invalid_token")", no_delay, client_action::refresh_token,
       bearer_error::invalid_token, "", no_delay},
      {401, R"(Bearer error="invalid_token", Bearer error="invalid_request")", no_delay,
       client_action::refresh_token, bearer_error::invalid_token, "", no_delay},  // the first Bearer counts
      {401, R"(Bearer error="invalid_token")", 5s, client_action::refresh_token, bearer_error::invalid_token, "",
       no_delay},  // Retry-After only advises back_off
      // Other error values on a 401: authenticate.
      {401, R"(Bearer error="invalid_request")", no_delay, client_action::authenticate,
       bearer_error::invalid_request, "", no_delay},
      {401, R"(Bearer error="Invalid_Token")", no_delay, client_action::authenticate, bearer_error::other, "",
       no_delay},  // error codes are case-sensitive
      {401, R"(Bearer error="invalid_token_and_more_than_32_bytes")", no_delay, client_action::authenticate,
       bearer_error::other, "", no_delay},
      {401, R"(Bearer error="")", no_delay, client_action::authenticate, bearer_error::other, "", no_delay},
      // Malformed WWW-Authenticate: no challenge is read; a 401 still means authenticate.
      {401, R"(Bearer error="invalid_token)", no_delay, client_action::authenticate, none, "", no_delay},
      {401, "Bearer error=\"invalid_token\"\r\n", no_delay, client_action::authenticate, none, "", no_delay},
      {401, R"(Bearer error="invalid_token", error="invalid_token")", no_delay, client_action::authenticate, none,
       "", no_delay},  // duplicate parameter
      {401, R"(=Bearer, error="invalid_token")", no_delay, client_action::authenticate, none, "", no_delay},
      {401, ",,,", no_delay, client_action::authenticate, none, "", no_delay},
      // 407 is 401 for a proxy (the caller passes Proxy-Authenticate).
      {407, R"(Bearer error="invalid_token")", no_delay, client_action::refresh_token, bearer_error::invalid_token,
       "", no_delay},
      {407, R"(Basic realm="proxy")", no_delay, client_action::authenticate, none, "", no_delay},
      // 400 and 403: fail; insufficient_scope names the scope.
      {400, R"(Bearer error="invalid_request")", no_delay, client_action::fail, bearer_error::invalid_request, "",
       no_delay},
      {403, R"(Bearer realm="example", error="insufficient_scope", scope="write")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "write", no_delay},
      {403, R"(Bearer error="insufficient_scope", scope="files:read files:write")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "files:read files:write", no_delay},
      {403, "Bearer error=insufficient_scope, scope=admin", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "admin", no_delay},
      // Scopes outside RFC 6750's syntax are not exposed: double space, empty, leading space, quoted-pair.
      {403, R"(Bearer error="insufficient_scope", scope="a  b")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "", no_delay},
      {403, R"(Bearer error="insufficient_scope", scope="")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "", no_delay},
      {403, R"(Bearer error="insufficient_scope", scope=" a")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "", no_delay},
      {403, R"(Bearer error="insufficient_scope", scope="a\"b")", no_delay, client_action::fail,
       bearer_error::insufficient_scope, "", no_delay},
      {403, "", no_delay, client_action::fail, none, "", no_delay},
      {403, R"(Bearer error="insufficient_scope", scope="write)", no_delay, client_action::fail, none, "",
       no_delay},  // malformed: nothing read
      // Other 4xx and 5xx but 503: fail.
      {404, "", no_delay, client_action::fail, none, "", no_delay},
      {405, "", no_delay, client_action::fail, none, "", no_delay},
      {422, "", no_delay, client_action::fail, none, "", no_delay},
      {500, "", no_delay, client_action::fail, none, "", no_delay},
      {502, "", 5s, client_action::fail, none, "", no_delay},
      // 429 (RFC 6585 section 4) and 503 (RFC 9110 section 15.6.4): back off, with the Retry-After given.
      {429, "", 30s, client_action::back_off, none, "", 30s},
      // 402 (RFC 9110 section 15.5.3), exhausted usage credits: a billing state no retry fixes, so fail, even
      // with a Retry-After (it only says when the credits refill; a client must not hammer until then).
      {402, "", 86400s, client_action::fail, none, "", no_delay},
      {402, "", no_delay, client_action::fail, none, "", no_delay},
      {429, "", no_delay, client_action::back_off, none, "", no_delay},
      {503, "", 120s, client_action::back_off, none, "", 120s},
      {503, "", 0s, client_action::back_off, none, "", 0s},
      {503, "", -5s, client_action::back_off, none, "", 0s},  // clamped
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT("status " << r.status << ", WWW-Authenticate " << keyward_test::to_hex(r.www_authenticate)) {
      const auto outcome = classify(r.status, r.www_authenticate, r.retry_after);
      BOOST_TEST(outcome.action == r.action);
      BOOST_TEST(outcome.error == r.error);
      BOOST_TEST(outcome.scope == r.scope);
      BOOST_TEST(outcome.retry_after.has_value() == r.advised_retry.has_value());
      if (outcome.retry_after && r.advised_retry) BOOST_TEST(outcome.retry_after->count() == r.advised_retry->count());
    }
  }
  // The two-argument form is the three-argument one without Retry-After.
  BOOST_TEST(classify(401, R"(Bearer error="invalid_token")").action == client_action::refresh_token);
  BOOST_TEST(!classify(429, "").retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(classification_degrades_on_oversized_or_hostile_values) {
  // Over the default limits (8192 bytes, 32 parameters, 16 challenges): not parsed, so read as no challenge.
  std::string huge = R"(Bearer error="invalid_token", x=")" + std::string(9000, 'a') + "\"";
  BOOST_TEST(classify(401, huge).action == client_action::authenticate);
  std::string many_challenges;
  for (int i = 0; i < 17; ++i) many_challenges += "Basic, ";
  many_challenges += R"(Bearer error="invalid_token")";
  BOOST_TEST(classify(401, many_challenges).action == client_action::authenticate);
  // The scope view points into the caller's value: `Bearer ` (7) `error="insufficient_scope"` (26) `, ` (2)
  // `scope="` (7) put it at offset 7 + 26 + 2 + 7 = 42.
  const std::string value = R"(Bearer error="insufficient_scope", scope="write")";
  const auto outcome = classify(403, value);
  BOOST_TEST(static_cast<const void*>(outcome.scope.data()) == static_cast<const void*>(value.data() + 42));
  BOOST_TEST(outcome.scope.size() == 5u);
}

BOOST_AUTO_TEST_CASE(what_a_denial_sends_the_client_understands) {
  // Server and client halves agree: each denial's status and Bearer challenge classify as its remedy.
  const challenge_options options = *challenge_options::make(challenge_scheme::bearer, "example");
  const std::pair<denial, client_action> rows[] = {
      {denial::missing_credentials(), client_action::authenticate},
      {denial::wrong_scheme(), client_action::authenticate},
      {denial::malformed_credentials(), client_action::fail},
      {denial::invalid_key(), client_action::refresh_token},
      {denial::expired(), client_action::refresh_token},
      {denial::revoked(), client_action::refresh_token},
      {denial::wrong_environment(), client_action::refresh_token},
      {*denial::insufficient_scope("files:write"), client_action::fail},
      {denial::rate_limited(1500ms), client_action::back_off},
      {denial::unavailable(1500ms), client_action::back_off},
      {denial::credits_exhausted(1500ms), client_action::fail},
      {denial::credits_exhausted(std::nullopt), client_action::fail},
  };
  for (const auto& [made, action] : rows) {
    const std::string header = made.challenge(options).value_or("");
    const auto outcome = classify(made.status(), header, made.retry_after());
    BOOST_TEST(outcome.action == action);
    BOOST_TEST(outcome.error == made.rfc6750_error());
    BOOST_TEST(outcome.scope == made.required_scope());
    if (made.reason() == denial_reason::rate_limited) BOOST_TEST(outcome.retry_after->count() == 2);
    if (made.reason() == denial_reason::credits_exhausted) BOOST_TEST(!outcome.retry_after.has_value());
  }
  // classify_status(), the rule retry::run() applies too, puts 402 with the client errors, not with 429.
  BOOST_TEST((keyward::http::classify_status(402) == keyward::http::status_class::client_error));
  BOOST_TEST((keyward::http::classify_status(429) == keyward::http::status_class::try_later));
}

BOOST_AUTO_TEST_CASE(classification_does_not_allocate) {
  bool classified = true;
  allocations = 0;
  counting = true;
  classified = classify(401, R"(Basic realm="foo", Bearer realm="x", error="invalid_token")").action ==
                   client_action::refresh_token &&
               classify(403, R"(Bearer error="insufficient_scope", scope="write")").scope == "write";
  counting = false;
  BOOST_TEST(allocations == 0u);
  BOOST_TEST(classified);
}
