// jwt/claims.hpp: every rule of check_claims() (RFC 7519 sections 2 and 4.1), the leeway at its exact edges
// on both sides, NumericDate in every JSON form, the requirement checks and check_type() (RFC 7515 section 4.1.9).
// Expected values come from the RFC rules written out here, not from the code under test.
#define BOOST_TEST_MODULE jwt_claims
#include <boost/test/unit_test.hpp>

#include <keyward/jwt/claims.hpp>

#include "support/test_support.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace jwt = keyward::jwt;
using keyward::errc;
using keyward::error;

namespace {

jwt::sys_seconds at(std::int64_t seconds) { return jwt::sys_seconds(std::chrono::seconds(seconds)); }

jwt::claims_requirements no_expiry() {
  jwt::claims_requirements required;
  required.require_expiry = false;
  return required;
}

// check_claims() of `json` at `now` seconds, its error or errc{} (0) on success.
keyward::error check(std::string_view json, std::int64_t now, const jwt::claims_requirements& required = {}) {
  jwt::token_buffer buffer;
  const auto checked = jwt::check_claims(json, at(now), required, buffer);
  return checked ? keyward::error(errc{}) : checked.error();
}

const keyward::error ok{errc{}};

}  // namespace

BOOST_AUTO_TEST_CASE(reads_registered_and_custom_claims) {
  const std::string json =
      R"({"iss":"https://issuer.example","sub":"user-42","aud":["api","web"],"exp":1700000600,)"
      R"("nbf":1700000000,"iat":1699999990,"jti":"id-7","scope":"read write","admin":true,"n":3})";
  jwt::claims_requirements required;
  required.audiences = {"web"};
  jwt::token_buffer buffer;
  const auto claims = jwt::check_claims(json, at(1700000100), required, buffer);
  BOOST_TEST_REQUIRE(claims.has_value());
  BOOST_TEST(claims->issuer() == "https://issuer.example");
  BOOST_TEST(claims->subject() == "user-42");
  BOOST_TEST(claims->jwt_id() == "id-7");
  BOOST_TEST(claims->expires_at()->time_since_epoch().count() == 1700000600);
  BOOST_TEST(claims->not_before()->time_since_epoch().count() == 1700000000);
  BOOST_TEST(claims->issued_at()->time_since_epoch().count() == 1699999990);
  BOOST_TEST(claims->has_audience("api"));
  BOOST_TEST(claims->has_audience("web"));
  BOOST_TEST(!claims->has_audience("ap"));
  BOOST_TEST(claims->audience()->raw() == R"(["api","web"])");
  BOOST_TEST(*claims->find("scope")->plain_string() == "read write");
  BOOST_TEST(*claims->find("admin")->boolean() == true);
  BOOST_TEST(*claims->find("n")->integer() == 3);
  BOOST_TEST(!claims->find("missing").has_value());
  BOOST_TEST(claims->object().size() == 10u);
  BOOST_TEST(claims->object().raw() == json);
}

BOOST_AUTO_TEST_CASE(absent_claims_read_as_empty) {
  jwt::token_buffer buffer;
  const auto claims = jwt::check_claims("{}", at(0), no_expiry(), buffer);
  BOOST_TEST_REQUIRE(claims.has_value());
  BOOST_TEST(!claims->expires_at().has_value());
  BOOST_TEST(!claims->not_before().has_value());
  BOOST_TEST(!claims->issued_at().has_value());
  BOOST_TEST(claims->issuer().empty());
  BOOST_TEST(claims->subject().empty());
  BOOST_TEST(claims->jwt_id().empty());
  BOOST_TEST(!claims->audience().has_value());
  BOOST_TEST(!claims->has_audience("api"));
}

BOOST_AUTO_TEST_CASE(escaped_strings_are_decoded_into_the_buffer) {
  // "\/" is how PHP's json_encode writes a slash; \u0065 is 'e'. Member names compare decoded too.
  const std::string json = R"({"iss":"https:\/\/issuer.example","\u0073ub":"caf\u00e9 \ud83d\ude00",)"
                           R"("jti":"a\"b","aud":"\u0061pi","\u0065xp":100})";
  jwt::claims_requirements required;
  required.issuer = "https://issuer.example";
  required.subject = "caf\xC3\xA9 \xF0\x9F\x98\x80";
  required.audiences = {"api"};
  jwt::token_buffer buffer;
  const std::size_t before = buffer.available();
  const auto claims = jwt::check_claims(json, at(0), required, buffer);
  BOOST_TEST_REQUIRE(claims.has_value());
  BOOST_TEST(claims->issuer() == "https://issuer.example");
  BOOST_TEST(claims->subject() == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  BOOST_TEST(claims->jwt_id() == "a\"b");
  BOOST_TEST(claims->expires_at()->time_since_epoch().count() == 100);
  BOOST_TEST(before - buffer.available() == 22u + 10u + 3u);
  // A buffer with no room left cannot hold them.
  jwt::token_buffer full;
  BOOST_TEST_REQUIRE(full.reserve(full.available()) != nullptr);
  const auto refused = jwt::check_claims(json, at(0), required, full);
  BOOST_TEST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error() == errc::buffer_too_small);
  // Plain strings need no room.
  BOOST_TEST(jwt::check_claims(R"({"iss":"https://issuer.example","exp":1})", at(0), no_expiry(), full).has_value());
}

BOOST_AUTO_TEST_CASE(expiry_at_the_leeway_edges) {
  // RFC 7519 4.1.4: "the current date/time MUST be before the expiration date/time", plus the leeway.
  const std::string json = R"({"exp":1000})";
  jwt::claims_requirements required;  // leeway 60
  BOOST_TEST(check(json, 1059, required) == ok);
  BOOST_TEST(check(json, 1060, required) == error(errc::jwt_expired));
  BOOST_TEST(check(json, -5000, required) == ok);
  required.leeway = std::chrono::seconds(0);
  BOOST_TEST(check(json, 999, required) == ok);
  BOOST_TEST(check(json, 1000, required) == error(errc::jwt_expired));
  required.leeway = jwt::claims_requirements::max_leeway;
  BOOST_TEST(check(json, 1299, required) == ok);
  BOOST_TEST(check(json, 1300, required) == error(errc::jwt_expired));
}

BOOST_AUTO_TEST_CASE(not_before_and_issued_at_at_the_leeway_edges) {
  // RFC 7519 4.1.5: "the current date/time MUST be after or equal to the not-before date/time"; 4.1.6 and
  // RFC 8725 section 3.10 for an iat in the future. Both at 1000 s: the same edges, each with its error.
  struct row {
    const char* json;
    errc code;
  };
  for (const row& r : {row{R"({"nbf":1000})", errc::jwt_not_yet_valid}, row{R"({"iat":1000})", errc::jwt_issued_in_future}}) {
    jwt::claims_requirements required = no_expiry();
    BOOST_TEST(check(r.json, 940, required) == ok, r.json);
    BOOST_TEST(check(r.json, 939, required) == error(r.code), r.json);
    required.leeway = std::chrono::seconds(0);
    BOOST_TEST(check(r.json, 1000, required) == ok, r.json);
    BOOST_TEST(check(r.json, 999, required) == error(r.code), r.json);
    BOOST_TEST(check(r.json, 1 << 30, required) == ok, r.json);  // long after: exp bounds the lifetime
  }
}

BOOST_AUTO_TEST_CASE(time_points_of_any_precision_are_floored) {
  const std::string json = R"({"exp":1000})";
  jwt::claims_requirements required;
  required.leeway = std::chrono::seconds(0);
  jwt::token_buffer buffer;
  using ns = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;
  BOOST_TEST(jwt::check_claims(json, ns(std::chrono::nanoseconds(999'999'999'999)), required, buffer).has_value());
  BOOST_TEST(jwt::check_claims(json, ns(std::chrono::nanoseconds(1'000'000'000'000)), required, buffer).error() ==
             errc::jwt_expired);
  using minutes = std::chrono::time_point<std::chrono::system_clock, std::chrono::minutes>;
  BOOST_TEST(jwt::check_claims(json, minutes(std::chrono::minutes(16)), required, buffer).has_value());  // 960 s
  BOOST_TEST(jwt::check_claims(json, minutes(std::chrono::minutes(17)), required, buffer).error() == errc::jwt_expired);
  // Negative times floor toward the past: -0.5 s is -1 s.
  BOOST_TEST(jwt::check_claims(R"({"exp":0})", ns(std::chrono::nanoseconds(-500'000'000)), required, buffer).has_value());
  // The ends of the clocks' ranges neither overflow nor wrap.
  BOOST_TEST(jwt::check_claims(json, ns::max(), required, buffer).error() == errc::jwt_expired);
  BOOST_TEST(jwt::check_claims(json, ns::min(), required, buffer).has_value());
  BOOST_TEST(jwt::check_claims(json, minutes::max(), required, buffer).error() == errc::jwt_expired);
  required.leeway = jwt::claims_requirements::max_leeway;
  BOOST_TEST(jwt::check_claims(R"({"exp":9223372036854775807})", jwt::sys_seconds::max(), required, buffer).has_value());
  BOOST_TEST(jwt::check_claims(R"({"exp":9223372036854775807,"nbf":-9223372036854775808,"iat":-9223372036854775808})",
                               jwt::sys_seconds::min(), required, buffer)
                 .has_value());
  BOOST_TEST(jwt::check_claims(R"({"exp":-9223372036854775808})", jwt::sys_seconds::min(), required, buffer)
                 .has_value());  // exp + leeway is after now
  required.leeway = std::chrono::seconds(0);
  BOOST_TEST(jwt::check_claims(R"({"exp":-9223372036854775808})", jwt::sys_seconds::min(), required, buffer).error() ==
             errc::jwt_expired);
  constexpr std::int64_t most = (std::numeric_limits<std::int64_t>::max)();
  BOOST_TEST(jwt::check_claims(R"({"nbf":9223372036854775807})", at(most - 60), no_expiry(), buffer).has_value());
  BOOST_TEST(jwt::check_claims(R"({"nbf":9223372036854775807})", at(most - 61), no_expiry(), buffer).error() ==
             errc::jwt_not_yet_valid);
  BOOST_TEST(jwt::check_claims(R"({"iat":9223372036854775807})", at(most - 61), no_expiry(), buffer).error() ==
             errc::jwt_issued_in_future);
}

BOOST_AUTO_TEST_CASE(numeric_dates_are_json_numbers) {
  // RFC 7519 section 2: a JSON numeric value of seconds, non-integer values allowed (floored here).
  struct row {
    const char* exp;
    std::int64_t floored;  // meaningful when accepted
    errc code;
  };
  const row rows[] = {
      {"1000", 1000, errc{}},
      {"1000.9", 1000, errc{}},
      {"1e3", 1000, errc{}},
      {"1E+3", 1000, errc{}},
      {"10000e-1", 1000, errc{}},
      {"-0.5", -1, errc{}},
      {"-1.5e0", -2, errc{}},
      {"0.999", 0, errc{}},
      {"1E-400", 0, errc{}},
      {"-1E-400", -1, errc{}},
      {"-0", 0, errc{}},
      {"9223372036854775807", (std::numeric_limits<std::int64_t>::max)(), errc{}},
      {"-9223372036854775808", (std::numeric_limits<std::int64_t>::min)(), errc{}},
      {"9223372036854775807.5", (std::numeric_limits<std::int64_t>::max)(), errc{}},
      {"9223372036854775808", 0, errc::jwt_invalid_numeric_date},
      {"-9223372036854775809", 0, errc::jwt_invalid_numeric_date},
      {"1e400", 0, errc::jwt_invalid_numeric_date},
      {"-1e400", 0, errc::jwt_invalid_numeric_date},
      {"1e19", 0, errc::jwt_invalid_numeric_date},
      {"\"1000\"", 0, errc::jwt_invalid_numeric_date},
      {"\"\"", 0, errc::jwt_invalid_numeric_date},
      {"true", 0, errc::jwt_invalid_numeric_date},
      {"false", 0, errc::jwt_invalid_numeric_date},
      {"null", 0, errc::jwt_invalid_numeric_date},
      {"[1000]", 0, errc::jwt_invalid_numeric_date},
      {"{\"t\":1000}", 0, errc::jwt_invalid_numeric_date},
      // Not JSON at all: RFC 8259 has no NaN, Infinity, hex, leading '+' or '.5'.
      {"NaN", 0, errc::jwt_json_syntax},
      {"Infinity", 0, errc::jwt_json_syntax},
      {"-Infinity", 0, errc::jwt_json_syntax},
      {"0x3E8", 0, errc::jwt_json_syntax},
      {"+1000", 0, errc::jwt_json_syntax},
      {".5", 0, errc::jwt_json_syntax},
      {"01000", 0, errc::jwt_json_syntax},
  };
  for (const char* name : {"exp", "nbf", "iat"}) {
    for (const row& r : rows) {
      const std::string json = std::string(R"({")") + name + R"(":)" + r.exp + "}";
      jwt::token_buffer buffer;
      const auto checked = jwt::check_claims(json, jwt::sys_seconds::min(), no_expiry(), buffer);
      // At the earliest time only nbf and iat can fail the time checks: use a far-future now for them.
      const auto late = jwt::check_claims(json, jwt::sys_seconds::max(), no_expiry(), buffer);
      const auto& relevant = std::string_view(name) == "exp" ? checked : late;
      if (r.code == errc{}) {
        BOOST_TEST_REQUIRE(relevant.has_value(), json);
        const auto value = std::string_view(name) == "exp"   ? relevant->expires_at()
                           : std::string_view(name) == "nbf" ? relevant->not_before()
                                                             : relevant->issued_at();
        BOOST_TEST(value->time_since_epoch().count() == r.floored, json);
      } else {
        BOOST_TEST_REQUIRE(!relevant.has_value(), json);
        BOOST_TEST(relevant.error().code() == r.code, json);
        if (r.code == errc::jwt_invalid_numeric_date) {
          BOOST_TEST(relevant.error().offset() == 7u, json);  // where the value starts
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(expiry_is_required_by_default) {
  BOOST_TEST(check("{}", 0) == error(errc::jwt_missing_claim));
  BOOST_TEST(check(R"({"nbf":0,"iat":0})", 0) == error(errc::jwt_missing_claim));
  BOOST_TEST(check("{}", 0, no_expiry()) == ok);
}

BOOST_AUTO_TEST_CASE(registered_string_claims_have_their_types) {
  // RFC 7519 4.1.1, 4.1.2, 4.1.7: StringOrURI / case-sensitive strings, checked even when not asked for.
  BOOST_TEST(check(R"({"iss":1})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  BOOST_TEST(check(R"({"sub":null})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  BOOST_TEST(check(R"({"jti":["a"]})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  BOOST_TEST(check(R"({"iss":{"a":"b"}})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  // RFC 7519 4.1.3: aud is a string or an array of strings.
  BOOST_TEST(check(R"({"aud":1})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  BOOST_TEST(check(R"({"aud":["a",2]})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 12));
  BOOST_TEST(check(R"({"aud":[["a"]]})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 8));
  BOOST_TEST(check(R"({"aud":true})", 0, no_expiry()) == error(errc::jwt_invalid_claim, 7));
  // Unregistered names of the same shape are custom claims, never read.
  BOOST_TEST(check(R"({"ISS":1,"exp2":"x","Aud":3})", 0, no_expiry()) == ok);
}

BOOST_AUTO_TEST_CASE(issuer_and_subject) {
  jwt::claims_requirements required = no_expiry();
  required.issuer = "https://issuer.example";
  BOOST_TEST(check(R"({"iss":"https://issuer.example"})", 0, required) == ok);
  BOOST_TEST(check(R"({"iss":"https:\/\/issuer.example"})", 0, required) == ok);
  BOOST_TEST(check(R"({"iss":"https://issuer.example/"})", 0, required) == error(errc::jwt_wrong_issuer, 7));
  BOOST_TEST(check(R"({"iss":"HTTPS://ISSUER.EXAMPLE"})", 0, required) == error(errc::jwt_wrong_issuer, 7));
  BOOST_TEST(check(R"({"sub":"x"})", 0, required) == error(errc::jwt_missing_claim));
  required = no_expiry();
  required.subject = "user-42";
  BOOST_TEST(check(R"({"sub":"user-42"})", 0, required) == ok);
  BOOST_TEST(check(R"({"a":1,"sub":"user-4"})", 0, required) == error(errc::jwt_wrong_subject, 13));
  BOOST_TEST(check(R"({"sub":"user-42\u0000"})", 0, required) == error(errc::jwt_wrong_subject, 7));
  BOOST_TEST(check(R"({"iss":"user-42"})", 0, required) == error(errc::jwt_missing_claim));
}

BOOST_AUTO_TEST_CASE(audience) {
  jwt::claims_requirements required = no_expiry();
  required.audiences = {"api", "https://api.example"};
  BOOST_TEST(check(R"({"aud":"api"})", 0, required) == ok);
  BOOST_TEST(check(R"({"aud":"https://api.example"})", 0, required) == ok);
  BOOST_TEST(check(R"({"aud":["other","api"]})", 0, required) == ok);
  BOOST_TEST(check(R"({"aud":"\u0061pi"})", 0, required) == ok);
  BOOST_TEST(check(R"({"aud":"API"})", 0, required) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"aud":["other"]})", 0, required) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"aud":[]})", 0, required) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"aud":""})", 0, required) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"sub":"api"})", 0, required) == error(errc::jwt_missing_claim));
  // RFC 7519 4.1.3: a recipient that identifies with no value of a present aud MUST reject the token.
  const jwt::claims_requirements none = no_expiry();
  BOOST_TEST(check(R"({"aud":"api"})", 0, none) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"aud":[]})", 0, none) == error(errc::jwt_wrong_audience, 7));
  BOOST_TEST(check(R"({"sub":"x"})", 0, none) == ok);
}

BOOST_AUTO_TEST_CASE(who_is_checked_before_when) {
  jwt::claims_requirements required;
  required.issuer = "a";
  required.audiences = {"b"};
  required.subject = "c";
  BOOST_TEST(check(R"({"exp":1,"iss":"x","aud":"b","sub":"c"})", 100, required).code() == errc::jwt_wrong_issuer);
  BOOST_TEST(check(R"({"exp":1,"iss":"a","aud":"x","sub":"c"})", 100, required).code() == errc::jwt_wrong_audience);
  BOOST_TEST(check(R"({"exp":1,"iss":"a","aud":"b","sub":"x"})", 100, required).code() == errc::jwt_wrong_subject);
  BOOST_TEST(check(R"({"exp":1,"iss":"a","aud":"b","sub":"c"})", 100, required).code() == errc::jwt_expired);
  BOOST_TEST(check(R"({"exp":1000,"nbf":500,"iat":600,"iss":"a","aud":"b","sub":"c"})", 100, required).code() ==
             errc::jwt_not_yet_valid);
  BOOST_TEST(check(R"({"exp":1000,"iat":600,"iss":"a","aud":"b","sub":"c"})", 100, required).code() ==
             errc::jwt_issued_in_future);
  // Types are checked before anything else.
  BOOST_TEST(check(R"({"iss":"x","exp":"1"})", 100, required).code() == errc::jwt_invalid_numeric_date);
}

BOOST_AUTO_TEST_CASE(the_claims_are_strict_json) {
  BOOST_TEST(check(R"({"exp":1,"exp":2})", 0).code() == errc::jwt_json_duplicate_member);
  BOOST_TEST(check(R"({"exp":1,"\u0065xp":2})", 0).code() == errc::jwt_json_duplicate_member);
  BOOST_TEST(check(R"([{"exp":1}])", 0).code() == errc::jwt_json_not_object);
  BOOST_TEST(check(R"("exp")", 0).code() == errc::jwt_json_not_object);
  BOOST_TEST(check("", 0).code() == errc::jwt_json_syntax);
  BOOST_TEST(check(R"({"exp":1,})", 0).code() == errc::jwt_json_syntax);
  BOOST_TEST(check(R"({"exp":1} {})", 0).code() == errc::jwt_json_syntax);
  BOOST_TEST(check("{\"iss\":\"\xff\",\"exp\":1}", 0).code() == errc::jwt_json_invalid_utf8);
  BOOST_TEST(check(R"({"iss":"\ud800","exp":1})", 0).code() == errc::jwt_json_syntax);
  std::string deep = R"({"exp":1,"x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  BOOST_TEST(check(deep, 0).code() == errc::jwt_json_too_deep);
  // The limits are the caller's.
  jwt::json_limits limits;
  limits.max_members = 2;
  jwt::token_buffer buffer;
  BOOST_TEST(jwt::check_claims(R"({"exp":1,"a":1,"b":2})", at(0), jwt::claims_requirements(), buffer, limits).error() ==
             errc::jwt_json_too_many_members);
}

BOOST_AUTO_TEST_CASE(requirements_are_checked) {
  jwt::claims_requirements required;
  BOOST_TEST(jwt::check_requirements(required).has_value());
  required.leeway = std::chrono::seconds(-1);
  BOOST_TEST(jwt::check_requirements(required).error() == errc::jwt_invalid_options);
  BOOST_TEST(check(R"({"exp":5})", 0, required) == error(errc::jwt_invalid_options));
  required.leeway = std::chrono::seconds(301);
  BOOST_TEST(jwt::check_requirements(required).error() == errc::jwt_invalid_options);
  required.leeway = std::chrono::seconds(300);
  BOOST_TEST(jwt::check_requirements(required).has_value());
  required.audiences = {"a", ""};
  BOOST_TEST(jwt::check_requirements(required).error() == errc::jwt_invalid_options);
  required.audiences.clear();
  required.type = "application/";
  BOOST_TEST(jwt::check_requirements(required).error() == errc::jwt_invalid_options);
  required.type = "Application/at+jwt";
  BOOST_TEST(jwt::check_requirements(required).has_value());
}

BOOST_AUTO_TEST_CASE(media_types) {
  // RFC 7515 4.1.9: case-insensitive, "application/" may be omitted; RFC 9068 section 2.1 uses "at+jwt".
  jwt::claims_requirements required;
  BOOST_TEST(jwt::check_type("", required).has_value());
  BOOST_TEST(jwt::check_type("anything", required).has_value());
  required.type = "at+jwt";
  for (const char* same : {"at+jwt", "AT+JWT", "At+Jwt", "application/at+jwt", "APPLICATION/AT+JWT"}) {
    BOOST_TEST(jwt::check_type(same, required).has_value(), same);
  }
  for (const char* other : {"", "JWT", "jwt", "at+jwt ", "application/", "application/jwt", "text/at+jwt",
                            "applicationat+jwt", "application/application/at+jwt"}) {
    BOOST_TEST(jwt::check_type(other, required).error() == errc::jwt_wrong_type, other);
  }
  required.type = "application/at+jwt";
  BOOST_TEST(jwt::check_type("at+jwt", required).has_value());
}
