#define BOOST_TEST_MODULE jwt_algorithm
#include <boost/test/unit_test.hpp>

#include <keyward/jwt/algorithm.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jwt = keyward::jwt;
using jwt::algorithm;

namespace {

// The "alg" Parameter Values of RFC 7518 section 3.1 (and EdDSA, RFC 8037 section 3.1), typed from the RFCs,
// with the MAC size of RFC 7518 section 3.2 for the HMAC ones.
struct registered {
  algorithm alg;
  std::string_view name;
  std::size_t mac_size;
};
constexpr registered table[] = {
    {algorithm::hs256, "HS256", 32}, {algorithm::hs384, "HS384", 48}, {algorithm::hs512, "HS512", 64},
    {algorithm::rs256, "RS256", 0},  {algorithm::rs384, "RS384", 0},  {algorithm::rs512, "RS512", 0},
    {algorithm::ps256, "PS256", 0},  {algorithm::ps384, "PS384", 0},  {algorithm::ps512, "PS512", 0},
    {algorithm::es256, "ES256", 0},  {algorithm::es384, "ES384", 0},  {algorithm::es512, "ES512", 0},
    {algorithm::eddsa, "EdDSA", 0},
};

}  // namespace

BOOST_AUTO_TEST_CASE(names_of_rfc7518_and_rfc8037) {
  for (const registered& r : table) {
    BOOST_TEST(jwt::name(r.alg) == r.name);
    const std::optional<algorithm> back = jwt::algorithm_from_name(r.name);
    BOOST_TEST_REQUIRE(back.has_value(), r.name);
    BOOST_TEST((*back == r.alg), r.name);
    BOOST_TEST(jwt::is_hmac(r.alg) == (r.mac_size != 0), r.name);
    BOOST_TEST(jwt::hmac_size(r.alg) == r.mac_size, r.name);
  }
}

BOOST_AUTO_TEST_CASE(names_are_exact_and_case_sensitive) {
  // RFC 7515 section 4.1.1: "alg" values are case-sensitive. "none" (RFC 7518 section 3.6) is never an
  // algorithm here (RFC 8725 section 3.2).
  const std::string_view others[] = {"none", "None", "NONE", "", "hs256", "Hs256", "HS256 ", " HS256", std::string_view("HS256\0", 6), "HS25",
        "HS2566", "EDDSA", "eddsa", "Ed25519", "ES256K", "HS224", "RSA1_5", "dir", "A128KW"};
  for (const std::string_view other : others) {
    BOOST_TEST(!jwt::algorithm_from_name(other).has_value(), std::string(other));
  }
}

BOOST_AUTO_TEST_CASE(usable_in_constant_expressions) {
  static_assert(jwt::name(algorithm::es384) == "ES384");
  static_assert(*jwt::algorithm_from_name("PS512") == algorithm::ps512);
  static_assert(!jwt::algorithm_from_name("none"));
  static_assert(jwt::is_hmac(algorithm::hs384) && !jwt::is_hmac(algorithm::eddsa));
  static_assert(jwt::hmac_size(algorithm::hs512) == 64 && jwt::hmac_size(algorithm::rs256) == 0);
  BOOST_TEST(true);
}
