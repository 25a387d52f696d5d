// libFuzzer target for keyward::jwt::verifier: random tokens and Authorization values against verifiers of
// four HMAC keys (HS256 with and without a kid, HS384, HS512) and two asymmetric keys (ES256, RS256) checked
// by a dummy Backend, under four claims policies, at times across the whole range of two clocks.
//
// Input: byte 0 picks the verifier (bits 0-1), verify() or authenticate() (bit 2), whether the rest is a
// whole token or only `header.payload` that the target signs with one of the HMAC keys (bit 3, key in bits
// 4-5), and the clock (bits 6-7: seconds or nanoseconds); byte 1 picks the time; the rest is the text.
//
// Checks, against a reference written here from the RFCs on top of the lower layers (base64, crypto::hmac,
// the JSON reader), never through claims.hpp or verifier.hpp:
// - nothing crashes or reads out of bounds;
// - a success only when the token is three canonical base64url segments, its signature segment decodes to
//   the HMAC (recomputed here with crypto::hmac) of the exact signing input under a key bound to the header's
//   alg and, when the header has a kid, with that kid (or the dummy Backend's rule for the asymmetric keys,
//   with 0 < R, S < n for ES256), and the claims satisfy the required: NumericDates are JSON numbers, exp/nbf/iat
//   against the floored time with the leeway (RFC 7519 section 4.1), iss, aud, sub and typ as configured;
// - the views of a success are the reference's: signing input, payload, iss, sub;
// - a token the target signed itself with a key that the header selects is never refused for its signature;
// - the Backend is called only with a signature of exactly its size, and ES256 scalars in range;
// - authenticate() denies only with 400 or 401, with a challenge, and a 401 with error="invalid_token" exactly
//   when verify() failed.
#include <keyward/base64.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/jwt/json.hpp>
#include <keyward/jwt/jws.hpp>
#include <keyward/jwt/verifier.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace jwt = keyward::jwt;
namespace crypto = keyward::crypto;

// The order of P-256 (FIPS 186-4 appendix D.1.2.3), big-endian.
constexpr unsigned char p256_n[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
                                      0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

// 0 < x < n for a 32-byte big-endian x: lexicographic compare of equal-length byte strings.
bool reference_scalar_ok(std::string_view x) {
  const std::string n(reinterpret_cast<const char*>(p256_n), 32);
  if (x.find_first_not_of('\0') == std::string_view::npos) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    const auto a = static_cast<unsigned char>(x[i]), b = static_cast<unsigned char>(n[i]);
    if (a != b) return a < b;
  }
  return false;
}

// The dummy Backend: an ES256 key ("ec") and an RS256 key ("rsa", 256-byte signatures); a signature verifies
// when its last byte is the signing input's size modulo 256.
struct dummy_backend {
  std::size_t signature_size(const jwt::key& k) const { return k.alg() == jwt::algorithm::es256 ? 64 : 256; }
  bool verify(const jwt::key& k, std::string_view signing_input, std::string_view signature) const {
    FUZZ_CHECK(signature.size() == signature_size(k));
    if (k.alg() == jwt::algorithm::es256) {
      FUZZ_CHECK(reference_scalar_ok(signature.substr(0, 32)) && reference_scalar_ok(signature.substr(32)));
    }
    return static_cast<unsigned char>(signature.back()) == (signing_input.size() & 0xFF);
  }
};

struct hmac_key {
  jwt::algorithm alg;
  std::string secret;
  std::string kid;
};

const hmac_key hmac_keys[4] = {
    {jwt::algorithm::hs256, "fuzz-hs256-key-with-a-kid-32-bytes!", "k256"},
    {jwt::algorithm::hs256, "fuzz-hs256-key-without-a-kid-32-b", ""},
    {jwt::algorithm::hs384, "fuzz-hs384-key-forty-eight-bytes-long-0123456789ab", "k384"},
    {jwt::algorithm::hs512, "fuzz-hs512-key-sixty-four-bytes-long-0123456789abcdefghijklmnopqr", ""},
};

std::string mac(const hmac_key& k, std::string_view input) {
  if (k.alg == jwt::algorithm::hs384) {
    const auto t = crypto::hmac_sha384::compute(k.secret, input);
    return std::string(reinterpret_cast<const char*>(t.data()), t.size());
  }
  if (k.alg == jwt::algorithm::hs512) {
    const auto t = crypto::hmac_sha512::compute(k.secret, input);
    return std::string(reinterpret_cast<const char*>(t.data()), t.size());
  }
  const auto t = crypto::hmac_sha256::compute(k.secret, input);
  return std::string(reinterpret_cast<const char*>(t.data()), t.size());
}

using fuzz_verifier = jwt::verifier<dummy_backend>;

// The four policies: 0 the defaults; 1 iss, two audiences, typ at+jwt, no leeway; 2 no exp required, the
// longest leeway, sub; 3 no exp required, an audience, leeway 1 s.
jwt::verifier_options options_for(unsigned which) {
  jwt::verifier_options options;
  if (which == 1) {
    options.claims.issuer = "https://issuer.example";
    options.claims.audiences = {"api", "web"};
    options.claims.type = "at+jwt";
    options.claims.leeway = std::chrono::seconds(0);
  } else if (which == 2) {
    options.claims.require_expiry = false;
    options.claims.leeway = jwt::claims_requirements::max_leeway;
    options.claims.subject = "user-1";
  } else if (which == 3) {
    options.claims.require_expiry = false;
    options.claims.audiences = {"api"};
    options.claims.leeway = std::chrono::seconds(1);
  }
  return options;
}

fuzz_verifier make_verifier(unsigned which) {
  std::vector<jwt::key> keys;
  for (const hmac_key& k : hmac_keys) keys.push_back(*jwt::key::hmac(k.alg, k.secret, k.kid));
  keys.push_back(*jwt::key::asymmetric(jwt::algorithm::es256, "ec"));
  keys.push_back(*jwt::key::asymmetric(jwt::algorithm::rs256, "rsa"));
  auto made = fuzz_verifier::make(std::move(keys), options_for(which));
  FUZZ_CHECK(made.has_value());
  return std::move(*made);
}

const fuzz_verifier verifiers[4] = {make_verifier(0), make_verifier(1), make_verifier(2), make_verifier(3)};

std::optional<std::string> string_member(const jwt::json_object& object, std::string_view name) {
  const auto value = object.find(name);
  if (!value || value->type() != jwt::json_type::string) return std::nullopt;
  return *value->string();
}

// now < value + delta, exactly, for any int64 values and |delta| <= 300 (no sum is formed that overflows).
bool before_sum(std::int64_t now, std::int64_t value, std::int64_t delta) {
  constexpr std::int64_t lowest = (std::numeric_limits<std::int64_t>::min)();
  constexpr std::int64_t highest = (std::numeric_limits<std::int64_t>::max)();
  if (delta >= 0) return now < lowest + delta || now - delta < value;  // now - delta below int64: true
  return now <= highest + delta && now - delta < value;                // now - delta above int64: false
}

// The media type `typ` names, in lower case, with the "application/" that RFC 7515 section 4.1.9 implies
// when it holds no '/' (media types compare without regard to case: RFC 2045 section 5.1).
std::string full_media_type(std::string_view typ) {
  std::string full = typ.find('/') == std::string_view::npos ? "application/" + std::string(typ) : std::string(typ);
  for (char& c : full) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
  return full;
}

// True when `token` must be acceptable by the reference: the checks listed at the top of this file. Also
// checks the views of `verified` against the reference's.
bool reference_accepts(std::string_view token, std::int64_t now, unsigned which, const jwt::verified_token& verified) {
  const jwt::claims_requirements required = options_for(which).claims;
  const std::size_t first = token.find('.'), last = token.rfind('.');
  if (first == std::string_view::npos || token.find('.', first + 1) != last) return false;
  std::string parts[3];
  const std::string_view texts[3] = {token.substr(0, first), token.substr(first + 1, last - first - 1),
                                     token.substr(last + 1)};
  for (int i = 0; i < 3; ++i) {
    auto decoded = keyward::base64::decode(texts[i], keyward::base64::url);
    if (!decoded || keyward::base64::encode(*decoded, keyward::base64::url) != texts[i]) return false;
    parts[i] = std::move(*decoded);
  }
  const std::string_view signing_input = token.substr(0, last);
  FUZZ_CHECK(verified.jws().signing_input == signing_input);
  FUZZ_CHECK(verified.jws().payload == parts[1]);
  FUZZ_CHECK(verified.jws().signature == parts[2]);

  // The signature.
  const auto header = jwt::parse_json_object(parts[0]);
  if (!header) return false;
  const std::optional<std::string> alg = string_member(*header, "alg");
  if (!alg) return false;
  const std::string kid = string_member(*header, "kid").value_or("");
  bool signed_ok = false;
  for (const hmac_key& k : hmac_keys) {
    if (jwt::name(k.alg) == *alg && (kid.empty() || kid == k.kid) && mac(k, signing_input) == parts[2]) signed_ok = true;
  }
  const bool by_backend = !parts[2].empty() && static_cast<unsigned char>(parts[2].back()) == (signing_input.size() & 0xFF);
  if (*alg == "ES256" && (kid.empty() || kid == "ec") && parts[2].size() == 64 &&
      reference_scalar_ok(std::string_view(parts[2]).substr(0, 32)) &&
      reference_scalar_ok(std::string_view(parts[2]).substr(32)) && by_backend) {
    signed_ok = true;
  }
  if (*alg == "RS256" && (kid.empty() || kid == "rsa") && parts[2].size() == 256 && by_backend) signed_ok = true;
  if (!signed_ok) return false;

  // typ (RFC 8725 section 3.11).
  if (!required.type.empty()) {
    const std::optional<std::string> typ = string_member(*header, "typ");
    if (!typ || full_media_type(*typ) != full_media_type(required.type)) return false;
  }

  // The claims (RFC 7519 section 4.1).
  const auto claims = jwt::parse_json_object(parts[1]);
  if (!claims) return false;
  const std::int64_t leeway = required.leeway.count();
  const char* const dates[3] = {"exp", "nbf", "iat"};
  std::optional<std::int64_t> values[3];
  for (int i = 0; i < 3; ++i) {
    const auto value = claims->find(dates[i]);
    if (!value) continue;
    if (value->type() != jwt::json_type::number) return false;
    const auto seconds = value->floor_integer();
    if (!seconds) return false;
    values[i] = *seconds;
  }
  if (required.require_expiry && !values[0]) return false;
  if (values[0] && !before_sum(now, *values[0], leeway)) return false;    // now < exp + L
  if (values[1] && before_sum(now, *values[1], -leeway)) return false;     // now < nbf - L
  if (values[2] && before_sum(now, *values[2], -leeway)) return false;     // iat > now + L
  const auto iss = claims->find("iss");
  if (iss && iss->type() != jwt::json_type::string) return false;
  const auto sub = claims->find("sub");
  if (sub && sub->type() != jwt::json_type::string) return false;
  const auto jti = claims->find("jti");
  if (jti && jti->type() != jwt::json_type::string) return false;
  if (!required.issuer.empty() && (!iss || *iss->string() != required.issuer)) return false;
  if (!required.subject.empty() && (!sub || *sub->string() != required.subject)) return false;
  if (const auto aud = claims->find("aud")) {
    std::vector<std::string> names;
    if (aud->type() == jwt::json_type::string) {
      names.push_back(*aud->string());
    } else if (aud->type() == jwt::json_type::array) {
      const auto elements = aud->array();
      for (const jwt::json_value& element : *elements) {
        if (element.type() != jwt::json_type::string) return false;
        names.push_back(*element.string());
      }
    } else {
      return false;
    }
    bool matched = false;
    for (const std::string& name : names) {
      for (const std::string& expected : required.audiences) matched = matched || name == expected;
    }
    if (!matched) return false;  // RFC 7519 section 4.1.3, also when no audience is configured
  } else if (!required.audiences.empty()) {
    return false;
  }
  FUZZ_CHECK(verified.claims().issuer() == (iss ? *iss->string() : std::string()));
  FUZZ_CHECK(verified.claims().subject() == (sub ? *sub->string() : std::string()));
  FUZZ_CHECK(verified.claims().jwt_id() == (jti ? *jti->string() : std::string()));
  return true;
}

// The time picked by `byte` as seconds since the epoch (floored), and the same instant as a time point of
// the clock picked by `nanoseconds`: mostly near the seeds' times, sometimes at the ends of the clock.
template <class Duration>
std::chrono::time_point<std::chrono::system_clock, Duration> time_for(unsigned byte, std::int64_t& seconds) {
  using rep = typename Duration::rep;
  constexpr std::int64_t per_second = static_cast<std::int64_t>(Duration::period::den);
  rep count = 0;
  if (byte >= 0xF8) {
    const rep ends[8] = {(std::numeric_limits<rep>::min)(), (std::numeric_limits<rep>::max)(), 0, -1,
                         static_cast<rep>(-per_second), static_cast<rep>(per_second - 1),
                         (std::numeric_limits<rep>::min)() + 1, (std::numeric_limits<rep>::max)() - 1};
    count = ends[byte - 0xF8];
  } else {
    // 1700000000 (2023-11-14T22:13:20Z) plus -124 to 123 steps of 37.5 s, so that the leeway edges are hit.
    const std::int64_t half_seconds = 2 * std::int64_t{1700000000} + (static_cast<std::int64_t>(byte) - 124) * 75;
    count = static_cast<rep>(half_seconds * per_second / 2);
  }
  std::int64_t floored = count / per_second;
  if (count % per_second < 0) --floored;
  seconds = floored;
  return std::chrono::time_point<std::chrono::system_clock, Duration>(Duration(count));
}

template <class Duration>
void run(const std::uint8_t* data, std::size_t size) {
  const unsigned selector = data[0];
  const unsigned which = selector & 3u;
  const bool authenticate = (selector & 4u) != 0;
  const bool sign = (selector & 8u) != 0;
  const hmac_key& signer = hmac_keys[(selector >> 4) & 3u];
  std::int64_t seconds = 0;
  const auto now = time_for<Duration>(data[1], seconds);
  std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  if (sign) text += "." + keyward::base64::encode(mac(signer, text), keyward::base64::url);

  const fuzz_verifier& v = verifiers[which];
  jwt::token_buffer buffer;
  if (!authenticate) {
    const auto verified = v.verify(text, now, buffer);
    if (verified) {
      FUZZ_CHECK(reference_accepts(text, seconds, which, *verified));
    } else if (sign && (verified.error() == keyward::errc::jwt_invalid_signature ||
                        verified.error() == keyward::errc::jwt_invalid_signature_length)) {
      // Our own MAC was refused: the header must not select our key.
      jwt::token_buffer own;
      const auto parsed = jwt::parse_jws(text, own);
      FUZZ_CHECK(parsed.has_value());
      FUZZ_CHECK(parsed->alg != signer.alg || (!parsed->kid.empty() && parsed->kid != signer.kid));
    }
    return;
  }
  const std::string field = sign ? "Bearer " + text : text;
  const auto who = v.authenticate(field, now, buffer);
  keyward::http::bearer_options bearer;
  bearer.limit.max_length = 8192 + 64;
  const auto token = keyward::http::parse_bearer(field, bearer);
  if (who) {
    FUZZ_CHECK(token.has_value());
    FUZZ_CHECK(reference_accepts(*token, seconds, which, *who));
    return;
  }
  const int status = who.error().status();
  FUZZ_CHECK(status == 400 || status == 401);
  FUZZ_CHECK(who.error().challenge().has_value());
  const bool invalid_token = who.error().challenge()->find("error=\"invalid_token\"") != std::string::npos;
  if (token) {
    jwt::token_buffer again;
    FUZZ_CHECK(!v.verify(*token, now, again).has_value());
    FUZZ_CHECK(status == 401 && invalid_token);
    FUZZ_CHECK(who.cause().code() != keyward::errc{});
  } else {
    FUZZ_CHECK(!invalid_token);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if ((data[0] & 0x40u) != 0) {
    run<std::chrono::nanoseconds>(data, size);
  } else {
    run<std::chrono::seconds>(data, size);
  }
  return 0;
}
