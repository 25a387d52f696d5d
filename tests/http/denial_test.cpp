// Tests for include/keyward/http/denial.hpp: denials (status, challenge, Retry-After, JSON bodies). Statuses
// and error codes come from RFC 6750 section 3.1, RFC 6585 section 4, RFC 9110 section 15.5.3 (402) and
// section 15.6.4 (503);
// challenge texts follow the RFC 6750
// section 3 and RFC 7617 section 2.1 examples; body shapes are those of the providers' documentation (seeds
// 002 and 004); escapes follow RFC 8259 section 7 and the
// U+FFFD replacements the Unicode Standard's section 3.9 (tables 3-8 to 3-11). tests/http_denial_crosscheck.py
// also parses every body back with Python's json module at test time.
#define BOOST_TEST_MODULE http_denial
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/challenge.hpp>
#include <keyward/http/credentials.hpp>
#include <keyward/http/denial.hpp>
#include <keyward/http/retry_after.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using namespace std::string_view_literals;
using keyward::errc;
using keyward::http::bearer_error;
using keyward::http::challenge_options;
using keyward::http::challenge_scheme;
using keyward::http::denial;
using keyward::http::denial_reason;
using keyward::http::json_style;

using keyward_test::allocations;
using keyward_test::counting;

namespace keyward::http {
inline std::ostream& boost_test_print_type(std::ostream& out, bearer_error error) {
  return out << "bearer_error(" << static_cast<int>(error) << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& out, denial_reason reason) {
  return out << "denial_reason(" << static_cast<int>(reason) << ")";
}
}  // namespace keyward::http

namespace {

// One denial of each reason, with what RFC 6750 section 3.1 / RFC 6585 section 4 say it must give.
struct expected_denial {
  denial made;
  denial_reason reason;
  int status;
  bearer_error error;
};

std::vector<expected_denial> every_denial() {
  return {
      {denial::missing_credentials(), denial_reason::missing_credentials, 401, bearer_error::none},
      {denial::malformed_credentials(), denial_reason::malformed_credentials, 400, bearer_error::invalid_request},
      {denial::wrong_scheme(), denial_reason::wrong_scheme, 401, bearer_error::none},
      {denial::invalid_key(), denial_reason::invalid_key, 401, bearer_error::invalid_token},
      {denial::expired(), denial_reason::expired, 401, bearer_error::invalid_token},
      {denial::revoked(), denial_reason::revoked, 401, bearer_error::invalid_token},
      {*denial::insufficient_scope("write"), denial_reason::insufficient_scope, 403, bearer_error::insufficient_scope},
      {denial::wrong_environment(), denial_reason::wrong_environment, 401, bearer_error::invalid_token},
      {denial::rate_limited(30s), denial_reason::rate_limited, 429, bearer_error::none},
      {denial::disabled(), denial_reason::disabled, 401, bearer_error::invalid_token},
      {denial::unavailable(30s), denial_reason::unavailable, 503, bearer_error::none},
      {denial::credits_exhausted(30s), denial_reason::credits_exhausted, 402, bearer_error::none},
  };
}

challenge_options bearer_realm(std::string_view realm) {
  const auto options = challenge_options::make(challenge_scheme::bearer, realm);
  BOOST_TEST_REQUIRE(options.has_value(), "refused realm: " << realm);
  return *options;
}

challenge_options basic_realm(std::string_view realm) {
  const auto options = challenge_options::make(challenge_scheme::basic, realm);
  BOOST_TEST_REQUIRE(options.has_value(), "refused realm: " << realm);
  return *options;
}

// The denials that are no authentication failure: no challenge (RFC 6585 section 4, RFC 9110 sections 15.5.3
// and 15.6.4 ask for none), and a Retry-After (here every one of them was made with a delay).
bool without_challenge(denial_reason reason) {
  return reason == denial_reason::rate_limited || reason == denial_reason::unavailable ||
         reason == denial_reason::credits_exhausted;
}

// The challenge text, "<none>" when no challenge is sent.
std::string challenge_text(const denial& d, const challenge_options& options) {
  return d.challenge(options).value_or("<none>");
}

}  // namespace

BOOST_AUTO_TEST_CASE(status_and_error_code_of_every_denial) {
  for (const expected_denial& row : every_denial()) {
    BOOST_TEST_CONTEXT("status " << row.status) {
      BOOST_TEST(row.made.reason() == row.reason);
      BOOST_TEST(row.made.status() == row.status);
      BOOST_TEST(row.made.rfc6750_error() == row.error);
      BOOST_TEST(row.made.retry_after().has_value() == without_challenge(row.reason));
    }
  }
  BOOST_TEST(denial::insufficient_scope("write")->required_scope() == "write");
  BOOST_TEST(denial::invalid_key().required_scope().empty());
}

BOOST_AUTO_TEST_CASE(bearer_challenges_follow_rfc6750) {
  const auto options = bearer_realm("example");
  // RFC 6750 section 3, first example: a request lacking authentication information gets no error code.
  BOOST_TEST(challenge_text(denial::missing_credentials(), options) == R"(Bearer realm="example")");
  // ... and so does one using an unsupported authentication method (section 3.1).
  BOOST_TEST(challenge_text(denial::wrong_scheme(), options) == R"(Bearer realm="example")");
  // RFC 6750 section 3, second example, byte for byte.
  BOOST_TEST(challenge_text(denial::expired(), options) ==
             R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")");
  BOOST_TEST(challenge_text(denial::invalid_key(), options) ==
             R"(Bearer realm="example", error="invalid_token", error_description="The access token is invalid")");
  BOOST_TEST(challenge_text(denial::revoked(), options) ==
             R"(Bearer realm="example", error="invalid_token", error_description="The access token has been revoked")");
  BOOST_TEST(challenge_text(denial::wrong_environment(), options) ==
             R"(Bearer realm="example", error="invalid_token", )"
             R"(error_description="The access token is not valid in this environment")");
  BOOST_TEST(challenge_text(denial::malformed_credentials(), options) ==
             R"(Bearer realm="example", error="invalid_request", )"
             R"(error_description="The Authorization header is malformed")");
  // Section 3: the scope attribute names the scope needed; the description is RFC 6750 section 3.1's own.
  BOOST_TEST(challenge_text(*denial::insufficient_scope("files:read files:write"), options) ==
             R"(Bearer realm="example", error="insufficient_scope", )"
             R"(error_description="The request requires higher privileges than provided by the access token", )"
             R"(scope="files:read files:write")");
  BOOST_TEST(challenge_text(*denial::insufficient_scope(""), options) ==
             R"(Bearer realm="example", error="insufficient_scope", )"
             R"(error_description="The request requires higher privileges than provided by the access token")");
  // RFC 6585 section 4 / RFC 6750: a 429 is not an authentication failure, no challenge is sent; nor is a 503.
  BOOST_TEST(challenge_text(denial::rate_limited(1s), options) == "<none>");
  BOOST_TEST(challenge_text(denial::unavailable(1s), options) == "<none>");
  BOOST_TEST(challenge_text(denial::disabled(), options) ==
             R"(Bearer realm="example", error="invalid_token", )"
             R"(error_description="The access token has been disabled")");

  // Without a realm (optional in RFC 6750 section 3), the challenge starts with the first attribute.
  BOOST_TEST(challenge_text(denial::missing_credentials(), {}) == "Bearer");
  BOOST_TEST(challenge_text(denial::expired(), {}) ==
             R"(Bearer error="invalid_token", error_description="The access token expired")");
  // The realm is quoted and escaped (RFC 9110 section 5.6.4).
  BOOST_TEST(challenge_text(denial::missing_credentials(), bearer_realm(R"(a "b" \c)")) ==
             R"(Bearer realm="a \"b\" \\c")");
}

BOOST_AUTO_TEST_CASE(basic_challenges_follow_rfc7617) {
  // RFC 7617 section 2.1's example, `Basic realm="foo", charset="UTF-8"`, for every denial but 429: Basic has
  // no error attributes.
  for (const expected_denial& row : every_denial()) {
    BOOST_TEST_CONTEXT("status " << row.status) {
      const std::string expected = without_challenge(row.reason) ? "<none>" : R"(Basic realm="foo", charset="UTF-8")";
      BOOST_TEST(challenge_text(row.made, basic_realm("foo")) == expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(built_challenges_parse_back) {
  for (const expected_denial& row : every_denial()) {
    const auto built = row.made.challenge(bearer_realm("api"));
    if (!built.has_value()) continue;
    const auto parsed = keyward::http::parse_challenges(*built);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->size() == 1u);
    const keyward::http::challenge first = *parsed->begin();
    BOOST_TEST(first.scheme_is("Bearer"));
    BOOST_TEST(first.params.find("realm")->value() == "api");
    const auto error = first.params.find("error");
    BOOST_TEST(error.has_value() == (row.error != bearer_error::none));
  }
}

BOOST_AUTO_TEST_CASE(the_callers_text_is_checked_before_any_challenge) {
  // A CR LF in the realm would split the header: challenge_options::make refuses it at its offset (3).
  const auto injected = challenge_options::make(challenge_scheme::bearer, "api\r\nSet-Cookie: x=1");
  BOOST_REQUIRE(!injected.has_value());
  BOOST_TEST(injected.error() == keyward::error(errc::http_invalid_parameter_value, 3));
  BOOST_TEST(challenge_options::make(challenge_scheme::basic, "a\nb").error() ==
             keyward::error(errc::http_invalid_parameter_value, 1));
  // '"' is outside RFC 6750's scope-token set (%x21 / %x23-5B / %x5D-7E): offset 1.
  const auto bad_scope = denial::insufficient_scope(R"(a"b)");
  BOOST_REQUIRE(!bad_scope.has_value());
  BOOST_TEST(bad_scope.error() == keyward::error(errc::http_invalid_parameter_value, 1));
  BOOST_TEST(denial::insufficient_scope("read  write").error() ==
             keyward::error(errc::http_invalid_parameter_value, 5));
  // A caller's message never reaches the challenge, so it cannot make it fail.
  BOOST_TEST(challenge_text(denial::expired().with_message("\"quoted\"\r\n"), bearer_realm("example")) ==
             R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")");
  // The default options: Bearer, no realm.
  BOOST_TEST((challenge_options().scheme() == challenge_scheme::bearer));
  BOOST_TEST(challenge_options().realm().empty());
}

BOOST_AUTO_TEST_CASE(retry_after_rounds_up_to_whole_seconds) {
  struct row {
    std::chrono::nanoseconds delay;
    long long seconds;
  };
  const row rows[] = {
      {30s, 30},                        // whole seconds stay as they are
      {1ns, 1},                         // 0.000000001 s rounds up to 1
      {999ms, 1},                       // 0.999 s -> 1
      {1s, 1},                          // exactly 1
      {1s + 1ns, 2},                    // 1.000000001 s -> 2
      {1500ms, 2},                      // 1.5 s -> 2
      {0s, 1},                          // at least 1: "retry after 0" invites an immediate retry storm
      {-5s, 1},                         // a delay in the past is still 1
      {std::chrono::hours(2), 7200},    // 2 * 3600
      // at most 2^31 s (max_retry_after, RFC 9111 section 1.2.2's largest delta-seconds)
      {std::chrono::nanoseconds::max(), 2147483648LL},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT("delay " << r.delay.count() << " ns") {
      const auto seconds = denial::rate_limited(r.delay).retry_after();
      BOOST_REQUIRE(seconds.has_value());
      BOOST_TEST(seconds->count() == r.seconds);
    }
  }
  BOOST_TEST(!denial::invalid_key().retry_after().has_value());
}

BOOST_AUTO_TEST_CASE(parse_errors_map_to_missing_wrong_scheme_or_malformed) {
  namespace http = keyward::http;
  const auto reason_of = [](const keyward::error& failure) { return denial::from_parse_error(failure).reason(); };
  // The errors come from the real parsers: each input's rule is in the comment.
  BOOST_TEST(reason_of(http::parse_bearer("").error()) == denial_reason::missing_credentials);    // empty
  BOOST_TEST(reason_of(http::parse_bearer("   ").error()) == denial_reason::missing_credentials);  // OWS only
  BOOST_TEST(reason_of(http::parse_bearer("Basic YTpi").error()) == denial_reason::wrong_scheme);
  BOOST_TEST(reason_of(http::parse_bearer("Bearer").error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_bearer("Bearer a b").error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_bearer("Bearer a\r\nX: y").error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_bearer("Bearer a,b").error()) == denial_reason::malformed_credentials);
  http::basic_buffer<64> buffer;
  BOOST_TEST(reason_of(http::parse_basic("Basic !!!!", buffer).error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_basic("Basic Zh==", buffer).error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_basic("Basic YWJj", buffer).error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(http::parse_basic("Bearer abc", buffer).error()) == denial_reason::wrong_scheme);
  BOOST_TEST(reason_of(http::parse_basic("", buffer).error()) == denial_reason::missing_credentials);
  BOOST_TEST(reason_of(http::parse_credentials("X a=\"b").error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(keyward::base64::decode("A").error()) == denial_reason::malformed_credentials);
  BOOST_TEST(reason_of(errc::http_too_long) == denial_reason::malformed_credentials);
}

BOOST_AUTO_TEST_CASE(error_object_bodies) {
  // {"success":false,"error":{"code":...,"message":...,"details":{...}}}, the error_object shape of one API provider's documentation, no whitespace.
  const std::pair<denial, std::string_view> rows[] = {
      {denial::missing_credentials(),
       R"({"success":false,"error":{"code":"MISSING_API_KEY","message":"API key is required","details":{}}})"},
      {denial::malformed_credentials(),
       R"({"success":false,"error":{"code":"MALFORMED_API_KEY","message":"The Authorization header is malformed",)"
       R"("details":{}}})"},
      {denial::wrong_scheme(),
       R"({"success":false,"error":{"code":"UNSUPPORTED_AUTH_SCHEME",)"
       R"("message":"The authentication scheme is not supported","details":{}}})"},
      {denial::invalid_key(),
       R"({"success":false,"error":{"code":"INVALID_API_KEY","message":"The provided API key is invalid",)"
       R"("details":{}}})"},
      {denial::expired(),
       R"({"success":false,"error":{"code":"EXPIRED_API_KEY","message":"The API key has expired","details":{}}})"},
      {denial::revoked(),
       R"({"success":false,"error":{"code":"REVOKED_API_KEY","message":"The API key has been revoked",)"
       R"("details":{}}})"},
      {*denial::insufficient_scope("write"),
       R"({"success":false,"error":{"code":"INSUFFICIENT_SCOPE","message":"The API key lacks the required scope",)"
       R"("details":{}}})"},
      {denial::wrong_environment(),
       R"({"success":false,"error":{"code":"WRONG_ENVIRONMENT",)"
       R"("message":"The API key is not valid in this environment","details":{}}})"},
      {denial::rate_limited(5s),
       R"({"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests","details":{}}})"},
      {denial::disabled(),
       R"({"success":false,"error":{"code":"DISABLED_API_KEY","message":"The API key has been disabled",)"
       R"("details":{}}})"},
      {denial::unavailable(5s),
       R"({"success":false,"error":{"code":"SERVICE_UNAVAILABLE",)"
       R"("message":"The service is temporarily unavailable","details":{}}})"},
      {denial::credits_exhausted(5s),
       R"({"success":false,"error":{"code":"CREDITS_EXHAUSTED","message":"The API key has no credits left",)"
       R"("details":{}}})"},
      {denial::credits_exhausted(std::nullopt),
       R"({"success":false,"error":{"code":"CREDITS_EXHAUSTED","message":"The API key has no credits left",)"
       R"("details":{}}})"},
  };
  for (const auto& [made, expected] : rows) {
    BOOST_TEST(made.json() == expected);
    BOOST_TEST(made.json(json_style::error_object) == expected);
  }
}

BOOST_AUTO_TEST_CASE(errors_array_bodies) {
  // {"type":"client_error","errors":[{"code":...,"detail":...,"attr":null,"extra":null}]}, the errors_array
  // shape of another provider's documentation: RFC 6750 error codes where they apply, not_authenticated /
  // throttled otherwise.
  const std::pair<denial, std::string_view> rows[] = {
      {denial::missing_credentials(),
       R"({"type":"client_error","errors":[{"code":"not_authenticated",)"
       R"("detail":"Authentication credentials were not provided","attr":null,"extra":null}]})"},
      {denial::malformed_credentials(),
       R"({"type":"client_error","errors":[{"code":"invalid_request",)"
       R"("detail":"The Authorization header is malformed","attr":null,"extra":null}]})"},
      {denial::wrong_scheme(),
       R"({"type":"client_error","errors":[{"code":"not_authenticated",)"
       R"("detail":"The authentication scheme is not supported","attr":null,"extra":null}]})"},
      {denial::invalid_key(),
       R"({"type":"client_error","errors":[{"code":"invalid_token",)"
       R"("detail":"The access token is invalid","attr":null,"extra":null}]})"},
      {denial::expired(),
       R"({"type":"client_error","errors":[{"code":"invalid_token",)"
       R"("detail":"The access token expired","attr":null,"extra":null}]})"},
      {denial::revoked(),
       R"({"type":"client_error","errors":[{"code":"invalid_token",)"
       R"("detail":"The access token has been revoked","attr":null,"extra":null}]})"},
      {*denial::insufficient_scope("write"),
       R"({"type":"client_error","errors":[{"code":"insufficient_scope",)"
       R"("detail":"The request requires higher privileges than provided by the access token",)"
       R"("attr":null,"extra":null}]})"},
      {denial::wrong_environment(),
       R"({"type":"client_error","errors":[{"code":"invalid_token",)"
       R"("detail":"The access token is not valid in this environment","attr":null,"extra":null}]})"},
      {denial::rate_limited(5s),
       R"({"type":"client_error","errors":[{"code":"throttled","detail":"Too many requests","attr":null,)"
       R"("extra":null}]})"},
      {denial::disabled(),
       R"({"type":"client_error","errors":[{"code":"invalid_token",)"
       R"("detail":"The access token has been disabled","attr":null,"extra":null}]})"},
      // A 5xx is a server error in this shape (its type is server_error).
      {denial::unavailable(5s),
       R"({"type":"server_error","errors":[{"code":"service_unavailable",)"
       R"("detail":"The service is temporarily unavailable","attr":null,"extra":null}]})"},
      // 402 is a client error (RFC 9110 section 15.5.3).
      {denial::credits_exhausted(5s),
       R"({"type":"client_error","errors":[{"code":"credits_exhausted",)"
       R"("detail":"The usage credits of the access token are exhausted","attr":null,"extra":null}]})"},
  };
  for (const auto& [made, expected] : rows) BOOST_TEST(made.json(json_style::errors_array) == expected);
}

BOOST_AUTO_TEST_CASE(a_denial_carries_the_challenge_options_it_was_given) {
  // Without with_challenge(): a Bearer challenge without a realm, as before.
  BOOST_TEST(denial::invalid_key().challenge().value_or("<none>") ==
             R"(Bearer error="invalid_token", error_description="The access token is invalid")");
  BOOST_TEST(denial::missing_credentials().challenge().value_or("<none>") == "Bearer");
  // With it, challenge() uses the scheme and realm given; challenge(options) still overrides them.
  const denial expired = denial::expired().with_challenge(bearer_realm("example"));
  BOOST_TEST(expired.challenge().value_or("<none>") ==
             R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")");
  BOOST_TEST(expired.challenge(basic_realm("foo")).value_or("<none>") == R"(Basic realm="foo", charset="UTF-8")");
  BOOST_TEST(expired.challenge_settings().realm() == "example");
  denial basic = denial::wrong_scheme();
  basic.with_challenge(basic_realm("WallyWorld"));
  BOOST_TEST(basic.challenge().value_or("<none>") == R"(Basic realm="WallyWorld", charset="UTF-8")");
  BOOST_TEST(!denial::unavailable(1s).with_challenge(bearer_realm("x")).challenge().has_value());
  // 503's Retry-After rounds like 429's (RFC 9110 section 10.2.3).
  BOOST_TEST(denial::unavailable(1500ms).retry_after()->count() == 2);
  BOOST_TEST(denial::unavailable(0s).retry_after()->count() == 1);
}

BOOST_AUTO_TEST_CASE(provider_examples_are_reproduced) {
  // The error_object provider's three documented examples, minified.
  BOOST_TEST(denial::invalid_key().with_detail("key_id", "key_1234567890").json() ==
             R"({"success":false,"error":{"code":"INVALID_API_KEY","message":"The provided API key is invalid",)"
             R"("details":{"key_id":"key_1234567890"}}})");
  BOOST_TEST(denial::expired().with_detail("expired_at", "2024-01-01T00:00:00Z").json() ==
             R"({"success":false,"error":{"code":"EXPIRED_API_KEY","message":"The API key has expired",)"
             R"("details":{"expired_at":"2024-01-01T00:00:00Z"}}})");
  BOOST_TEST(denial::missing_credentials().with_detail("header", "Authorization").json() ==
             R"({"success":false,"error":{"code":"MISSING_API_KEY","message":"API key is required",)"
             R"("details":{"header":"Authorization"}}})");
  // The errors_array provider's documented example, minified, with its message.
  const denial documented = denial::expired().with_message("The provided token is expired or invalid.");
  BOOST_TEST(documented.json(json_style::errors_array) ==
             R"({"type":"client_error","errors":[{"code":"invalid_token",)"
             R"("detail":"The provided token is expired or invalid.","attr":null,"extra":null}]})");
}

BOOST_AUTO_TEST_CASE(details_and_messages) {
  // Details keep their order; a repeated name replaces its value in place; extra holds them in style B.
  denial d = *denial::insufficient_scope("write");
  d.with_detail("required_scope", "write").with_detail("key_id", "k1").with_detail("required_scope", "admin");
  BOOST_TEST(d.json() == R"({"success":false,"error":{"code":"INSUFFICIENT_SCOPE",)"
                         R"("message":"The API key lacks the required scope",)"
                         R"("details":{"required_scope":"admin","key_id":"k1"}}})");
  BOOST_TEST(d.json(json_style::errors_array) ==
             R"({"type":"client_error","errors":[{"code":"insufficient_scope",)"
             R"("detail":"The request requires higher privileges than provided by the access token",)"
             R"("attr":null,"extra":{"required_scope":"admin","key_id":"k1"}}]})");
  // The message replaces the default in both styles; an empty message restores it.
  d.with_message("Needs admin");
  BOOST_TEST(d.json().find(R"("message":"Needs admin")") != std::string::npos);
  BOOST_TEST(d.json(json_style::errors_array).find(R"("detail":"Needs admin")") != std::string::npos);
  d.with_message("");
  BOOST_TEST(d.json().find(R"("message":"The API key lacks the required scope")") != std::string::npos);
  // Empty names and values are strings like any other.
  BOOST_TEST(denial::revoked().with_detail("", "").json() ==
             R"({"success":false,"error":{"code":"REVOKED_API_KEY","message":"The API key has been revoked",)"
             R"("details":{"":""}}})");
}

BOOST_AUTO_TEST_CASE(json_escaping_of_the_callers_text) {
  struct row {
    std::string_view input;
    std::string_view escaped;  // the JSON string, quotes included
  };
  const row rows[] = {
      // RFC 8259 section 7: '"' and '\' must be escaped; '/' and DEL need not be.
      {R"(say "hi")", R"("say \"hi\"")"},
      {R"(C:\path)", R"("C:\\path")"},
      {"a/b\x7f", "\"a/b\x7f\""},
      // The control characters U+0000-U+001F: the two-character escapes where RFC 8259 has one, else \u00XX.
      {"\b\t\n\f\r", R"("\b\t\n\f\r")"},
      {"\x00\x01\x1f"sv, R"("\u0000\u0001\u001f")"},
      {"\x0b\x1b", R"("\u000b\u001b")"},
      // Well-formed UTF-8 is kept: U+00E9, U+20AC, U+1F600, U+10FFFF.
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\""},
      // Ill-formed UTF-8: one U+FFFD (EF BF BD) per maximal subpart (Unicode section 3.9, D93b).
      // Table 3-8's example: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d
      // (F1 80 80 is one subpart, E1 80 another, C2 a third; 80 and BF are each one).
      {"a\xf1\x80\x80\xe1\x80\xc2" "b\x80" "c\x80\xbf" "d",
       "\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd" "d\""},
      // Table 3-9 (non-shortest forms): C0 AF and E0 80 AF start no well-formed sequence: one FFFD per byte.
      {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
      {"\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
      // Table 3-10 (surrogates): ED A0 80 is three subparts (ED's second byte must be 80-9F).
      {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
      // Above U+10FFFF: F4 90 80 80 is four subparts (F4's second byte must be 80-8F); F5-FF are never leads.
      {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
      {"\xff\xfe", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
      // Truncated at the end: F0 9F 98 and E2 82 are each one subpart; the '"' after E2 82 is kept and escaped.
      {"x\xf0\x9f\x98", "\"x\xef\xbf\xbd\""},
      {"\xe2\x82\"", "\"\xef\xbf\xbd\\\"\""},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT("input " << keyward_test::to_hex(r.input)) {
      // The message and a detail's name and value all go through the same escaping.
      const denial d = denial::invalid_key().with_message(std::string(r.input)).with_detail(std::string(r.input),
                                                                                             std::string(r.input));
      const std::string expected = std::string(R"({"success":false,"error":{"code":"INVALID_API_KEY","message":)") +
                                   std::string(r.escaped) + R"(,"details":{)" + std::string(r.escaped) + ":" +
                                   std::string(r.escaped) + "}}}";
      BOOST_TEST(keyward_test::to_hex(d.json()) == keyward_test::to_hex(expected));
    }
  }
}

// Names that differ only in ill-formed UTF-8 become the same JSON string (one U+FFFD per maximal subpart, as
// in json_escaping_of_the_callers_text), so they are one name: a later one replaces the value and the body
// never holds a member twice (RFC 8259 section 4: names SHOULD be unique). Issue 11, finding 6.
BOOST_AUTO_TEST_CASE(detail_names_compare_as_the_body_writes_them) {
  const std::string fffd = "\xef\xbf\xbd";  // U+FFFD in UTF-8
  const std::string head = R"({"success":false,"error":{"code":"INVALID_API_KEY",)"
                           R"("message":"The provided API key is invalid","details":)";
  const denial two_bytes = denial::invalid_key().with_detail("\xff", "a").with_detail("\xfe", "b");
  BOOST_TEST(keyward_test::to_hex(two_bytes.json()) ==
             keyward_test::to_hex(head + "{\"" + fffd + "\":\"b\"}}}"));
  BOOST_TEST(keyward_test::to_hex(two_bytes.json(json_style::errors_array)) ==
             keyward_test::to_hex(R"({"type":"client_error","errors":[{"code":"invalid_token",)"
                                  R"("detail":"The access token is invalid","attr":null,"extra":{")" +
                                  fffd + R"(":"b"}}]})"));
  // E2 82 is one maximal subpart, as FF is, and an actual U+FFFD writes the same; FF FF is two subparts, so
  // another name.
  const denial mixed = denial::invalid_key()
                           .with_detail("x\xe2\x82", "a")
                           .with_detail("x\xff", "b")
                           .with_detail("x\xff\xff", "c")
                           .with_detail("x" + fffd, "d");
  BOOST_TEST(keyward_test::to_hex(mixed.json()) ==
             keyward_test::to_hex(head + "{\"x" + fffd + "\":\"d\",\"x" + fffd + fffd + "\":\"c\"}}}"));
  // Well-formed names are kept byte for byte and compared exactly.
  const denial distinct = denial::invalid_key().with_detail("caf\xc3\xa9", "1").with_detail("cafe", "2");
  BOOST_TEST(distinct.json() == head + "{\"caf\xc3\xa9\":\"1\",\"cafe\":\"2\"}}}");
}

BOOST_AUTO_TEST_CASE(write_json_into_a_buffer) {
  const denial d = denial::expired().with_detail("expired_at", "2024-01-01T00:00:00Z");
  for (const json_style style : {json_style::error_object, json_style::errors_array}) {
    const std::string expected = d.json(style);
    BOOST_TEST(d.json_size(style) == expected.size());
    std::string buffer(expected.size() + 4, '#');
    const auto written = d.write_json(&buffer[0], expected.size(), style);
    BOOST_REQUIRE(written.has_value());
    BOOST_TEST(*written == expected.size());
    BOOST_TEST(buffer == expected + "####");  // nothing past the size
    // One byte short: buffer_too_small, and the buffer is left alone.
    std::string small(expected.size() - 1, '#');
    const auto refused = d.write_json(&small[0], small.size(), style);
    BOOST_REQUIRE(!refused.has_value());
    BOOST_TEST(refused.error() == errc::buffer_too_small);
    BOOST_TEST(small == std::string(expected.size() - 1, '#'));
  }
  BOOST_TEST(!denial::invalid_key().write_json(nullptr, 0).has_value());
}

BOOST_AUTO_TEST_CASE(no_body_or_challenge_holds_the_credential) {
  // Credentials as a server receives them, well-formed or not; each gives the denials a server could answer
  // with. No output may contain the key, its Base64 form, or any 8 consecutive bytes of either.
  const std::string key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  const std::string key_base64 = keyward::base64::encode(key + ":");
  const std::vector<std::string> fields = {
      "Bearer " + key,
      "bearer   " + key + "  ",
      "Basic " + key_base64,
      "Bearer " + key + " trailing",           // http_unexpected_data
      "Bearer " + key + "\r\nX-Injected: 1",   // http_invalid_character
      "Bearer \"" + key + "\"",                // bearer_invalid_token
      "Token " + key,                          // http_wrong_scheme
      "Basic " + key_base64.substr(1),         // a Base64 length error
      "Basic " + keyward::base64::encode(key), // no colon
  };
  std::vector<std::string> windows;
  for (const std::string& secret : {key, key_base64}) {
    for (std::size_t i = 0; i + 8 <= secret.size(); ++i) windows.push_back(secret.substr(i, 8));
  }
  std::size_t outputs = 0;
  const auto check = [&](const std::string& output) {
    ++outputs;
    for (const std::string& window : windows) BOOST_TEST(output.find(window) == std::string::npos, output);
  };
  for (const std::string& field : fields) {
    BOOST_TEST_CONTEXT("field " << keyward_test::to_hex(field)) {
      std::vector<denial> answers;
      const auto bearer = keyward::http::parse_bearer(field);
      keyward::http::basic_buffer<128> buffer;
      const auto basic = keyward::http::parse_basic(field, buffer);
      if (bearer || basic) {
        answers = {denial::invalid_key(), denial::expired(), denial::revoked(), denial::wrong_environment(),
                   *denial::insufficient_scope("write"), denial::rate_limited(2s)};
      } else {
        answers = {denial::from_parse_error(bearer.error()), denial::from_parse_error(basic.error())};
      }
      for (const denial& answer : answers) {
        for (const json_style style : {json_style::error_object, json_style::errors_array}) check(answer.json(style));
        for (const auto& options : {bearer_realm("api"), bearer_realm(""), basic_realm("api")}) {
          check(challenge_text(answer, options));
        }
      }
    }
  }
  BOOST_TEST(outputs == 3u * 6 * 5 + 6u * 2 * 5);  // 3 fields parse (6 denials), 6 do not (2); 5 outputs each
}

BOOST_AUTO_TEST_CASE(hot_paths_do_not_allocate) {
  char body[512];
  std::size_t written = 0;
  allocations = 0;
  counting = true;
  {
    const denial answers[] = {denial::missing_credentials(), denial::malformed_credentials(), denial::invalid_key(),
                              denial::expired(), denial::from_parse_error(errc::http_empty_value),
                              denial::rate_limited(3s), denial::unavailable(3s), denial::credits_exhausted(3s),
                              denial::credits_exhausted(std::nullopt)};
    for (const denial& answer : answers) {
      for (const json_style style : {json_style::error_object, json_style::errors_array}) {
        written += answer.write_json(body, sizeof body, style).value_or(0);
      }
    }
  }
  counting = false;
  BOOST_TEST(allocations == 0u);
  BOOST_TEST(written > 18u * 60);  // every body was written (the shortest is over 60 bytes)
}

// Exhausted usage credits: 402 Payment Required (RFC 9110 section 15.5.3), never a 429 (which clients retry
// on their own), no challenge (the key is fine), and a Retry-After only when a refill is scheduled, rounded up
// to whole seconds like 429's (RFC 9110 section 10.2.3).
BOOST_AUTO_TEST_CASE(exhausted_credits_are_402_without_a_challenge) {
  const denial never_refills = denial::credits_exhausted(std::nullopt);
  BOOST_TEST(never_refills.status() == 402);
  BOOST_TEST((never_refills.reason() == denial_reason::credits_exhausted));
  BOOST_TEST((never_refills.rfc6750_error() == bearer_error::none));
  BOOST_TEST(!never_refills.retry_after().has_value());
  for (const auto& options : {bearer_realm("api"), bearer_realm(""), basic_realm("api")}) {
    BOOST_TEST(challenge_text(never_refills, options) == "<none>");
    BOOST_TEST(challenge_text(denial::credits_exhausted(1h), options) == "<none>");
  }
  BOOST_TEST(!denial::credits_exhausted(std::nullopt).with_challenge(bearer_realm("x")).challenge().has_value());
  struct row {
    std::chrono::nanoseconds until_refill;
    long long seconds;
  };
  const row rows[] = {
      {1500ms, 2},                        // 1.5 s -> 2
      {1ns, 1},                           // rounded up, never 0
      {0s, 1},                            // at least 1
      {11h, 39600},                       // 11 * 3600: 13:00 to midnight
      {std::chrono::hours(27 * 24), 2332800},  // 27 days * 86400: to the first of next month
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT("until refill " << r.until_refill.count() << " ns") {
      const auto seconds = denial::credits_exhausted(r.until_refill).retry_after();
      BOOST_REQUIRE(seconds.has_value());
      BOOST_TEST(seconds->count() == r.seconds);
    }
  }
  // The caller's message and details go into the body as for every denial.
  BOOST_TEST(denial::credits_exhausted(std::nullopt).with_detail("plan", "free").json() ==
             R"({"success":false,"error":{"code":"CREDITS_EXHAUSTED","message":"The API key has no credits left",)"
             R"("details":{"plan":"free"}}})");
}
