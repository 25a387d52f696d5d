// Tests for include/keyward/keys/verifier.hpp: every denial path with its status, challenge and body, the
// three Authorization forms, the no-oracle option, expiry, not-before, revocation, disabling, rotation
// through the verifier, scopes (all-of, any-of, user-named), per-key limits (allow, deny, fail closed, fail
// open), usage credits (402 with Retry-After until the refill, costs, fail closed on a store that errs or
// cannot count, one balance across a rotation), a store whose find() returns a result (503 when it fails), a
// store that records its look-ups, and zero allocations on the success path.
//
// Expected texts are written from the specifications, not from the code: statuses and challenge attributes
// from RFC 6750 sections 3 and 3.1 (the expired-token challenge is section 3's example, realm changed),
// RFC 7617 section 2 (Basic challenges), RFC 6585 section 4 (429), RFC 9110 section 15.5.3 (402) and section
// 15.6.4 (503); the
// error_object bodies from the providers' documentation the issue quotes (INVALID_API_KEY "The provided API
// key is invalid", EXPIRED_API_KEY "The API key has expired", MISSING_API_KEY "API key is required"). Keys
// with a valid checksum but a wrong secret are built here with Boost.CRC (an independent CRC-32), not with
// keyward's own code.
#define BOOST_TEST_MODULE keys_verifier
#include <boost/test/unit_test.hpp>

#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/denial.hpp>
#include <keyward/keys/limits.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/verifier.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <boost/crc.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
namespace http = keyward::http;
namespace rate = keyward::rate;
using keyward::errc;
using keys::sys_nanoseconds;

namespace {

// 2026-12-04T12:00:00Z
const sys_nanoseconds t0{std::chrono::seconds(1796385600)};

// A clock the tests move by hand.
struct manual_clock {
  const sys_nanoseconds* at;
  sys_nanoseconds now() const noexcept { return *at; }
};

const char* const pepper = "pepper of the tests, thirty-two bytes or more";

keys::pepper_set peppers() { return *keys::pepper_set::make(1, pepper); }

// A memory_store that counts its find() and prefetch() calls, to prove which keys never reach a store.
struct recording_store {
  keys::memory_store inner = *keys::memory_store::make();
  mutable std::size_t finds = 0;
  mutable std::size_t prefetches = 0;
  mutable std::string last_prefetched;  // the id of the last prefetch() not yet followed by find(id)
  keys::memory_store::handle find(std::string_view id) const {
    ++finds;
    if (last_prefetched == id) last_prefetched.clear();
    return inner.find(id);
  }
  void prefetch(std::string_view id) const {
    ++prefetches;
    last_prefetched = std::string(id);
    inner.prefetch(id);
  }
  keyward::result<void> insert(keys::key_record record) { return inner.insert(std::move(record)); }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    return inner.modify(id, std::forward<Change>(change));
  }
};

// A store returning copies (like a database row), with record_use.
struct copying_store {
  std::map<std::string, keys::key_record, std::less<>> rows;
  std::size_t uses = 0;
  std::optional<keys::key_record> find(std::string_view id) const {
    const auto found = rows.find(id);
    if (found == rows.end()) return std::nullopt;
    return found->second;
  }
  void record_use(std::string_view, sys_nanoseconds) { ++uses; }
};

// A limiter whose backend is down.
struct broken_limiter {
  keyward::result<rate::decision> acquire(std::string_view, const rate::quota&, sys_nanoseconds) const noexcept {
    return errc::redis_unavailable;
  }
};

// The zlib CRC-32 of `text` in 6 base62 digits, most significant first: the key format's checksum,
// computed with Boost.CRC.
std::string checksum_of(std::string_view text) {
  boost::crc_32_type crc;
  crc.process_bytes(text.data(), text.size());
  std::uint32_t value = crc.checksum();
  const char* digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out(6, '0');
  for (std::size_t i = 6; i-- > 0;) {
    out[i] = digits[value % 62];
    value /= 62;
  }
  return out;
}

// `key` with its secret replaced by `secret` (same length), and a valid checksum.
std::string with_secret(std::string_view key, std::size_t prefix_size, char fill) {
  std::string body(key.substr(0, key.size() - 6));
  for (std::size_t i = prefix_size + 12; i < body.size(); ++i) body[i] = fill;
  return body + checksum_of(body);
}

const keys::prefix_entry& entry(std::string_view prefix) {
  for (const keys::prefix_entry& e : keys::stripe_prefixes.set()) {
    if (e.prefix == prefix) return e;
  }
  BOOST_FAIL("no such prefix in stripe_prefixes");
  return *keys::stripe_prefixes.set().begin();
}

keys::key_record blueprint(keys::scope_set scopes = keys::scopes::read | keys::scopes::write) {
  keys::key_record record;
  record.owner = "acct_42";
  record.scopes = scopes;
  record.metadata = R"({"plan":"pro"})";
  return record;
}

// Mints a key of `prefix` into `store` and returns it.
template <class Store>
std::string mint_key(Store& store, keys::key_record record, std::string_view prefix, const keys::pepper_set& peppers) {
  auto minted = keys::mint(store, std::move(record), entry(prefix), peppers);
  BOOST_TEST_REQUIRE(minted.has_value());
  return std::string(minted->key.reveal());
}

keys::verifier_options base_options() {
  keys::verifier_options options;
  options.prefixes = keys::stripe_prefixes;
  options.challenge = *http::challenge_options::make(http::challenge_scheme::bearer, "api");
  options.forms.basic_key_as_user = true;
  options.forms.basic_id_secret_pair = true;
  options.scope_names = {"billing", "reports"};
  return options;
}

// The three parts of a denial, compared at once.
struct answer {
  int status;
  std::string challenge;  // "<none>" when no challenge is sent
  std::string body;
  std::string retry_after;  // "<none>" when there is none
};

std::ostream& operator<<(std::ostream& out, const answer& a) {
  return out << a.status << " | " << a.challenge << " | " << a.body << " | " << a.retry_after;
}
bool operator==(const answer& a, const answer& b) {
  return a.status == b.status && a.challenge == b.challenge && a.body == b.body && a.retry_after == b.retry_after;
}

template <class Outcome>
answer answer_of(const Outcome& who) {
  BOOST_TEST_REQUIRE(!who.has_value());
  const http::denial& why = who.error();
  const auto retry = why.retry_after();
  return {why.status(), why.challenge().value_or("<none>"), why.json(),
          retry ? std::to_string(retry->count()) : "<none>"};
}

// The expected answers.
const answer invalid_key{
    401, R"(Bearer realm="api", error="invalid_token", error_description="The access token is invalid")",
    R"({"success":false,"error":{"code":"INVALID_API_KEY","message":"The provided API key is invalid","details":{}}})",
    "<none>"};
const answer expired_key{
    401, R"(Bearer realm="api", error="invalid_token", error_description="The access token expired")",
    R"({"success":false,"error":{"code":"EXPIRED_API_KEY","message":"The API key has expired","details":{}}})",
    "<none>"};
const answer missing_key{
    401, R"(Bearer realm="api")",
    R"({"success":false,"error":{"code":"MISSING_API_KEY","message":"API key is required","details":{}}})",
    "<none>"};

struct fixture {
  sys_nanoseconds now = t0;
  keys::memory_store store = *keys::memory_store::make();
  keys::verifier<keys::memory_store, manual_clock> verify =
      *keys::verifier<keys::memory_store, manual_clock>::make(store, base_options(), peppers(), {}, manual_clock{&now});

  std::string mint(std::string_view prefix, keys::key_record record = blueprint()) {
    auto minted = keys::mint(store, std::move(record), entry(prefix), verify.peppers());
    BOOST_TEST_REQUIRE(minted.has_value());
    return std::string(minted->key.reveal());
  }
  auto bearer(std::string_view key, const keys::scope_requirement& required = keys::scopes::none) {
    return verify.authenticate(*http::bearer(key), required, now);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_live_key_sent_as_bearer_gives_its_principal, fixture) {
  const std::string key = mint("sk_live_");
  const auto who = bearer(key, keys::scopes::all_of(keys::scopes::read));
  BOOST_TEST_REQUIRE(who.has_value());
  BOOST_TEST(who->id() == key.substr(8, 12));
  BOOST_TEST(who->owner() == "acct_42");
  BOOST_TEST((who->kind() == keys::key_kind::secret));
  BOOST_TEST((who->environment() == keys::key_environment::live));
  BOOST_TEST((who->scopes() == (keys::scopes::read | keys::scopes::write)));
  BOOST_TEST(who->metadata() == R"({"plan":"pro"})");
  BOOST_TEST(!who->rate().has_value());
  BOOST_TEST(!who.rate().has_value());
  // The last use is recorded in the store's record, to the second.
  BOOST_TEST((store.find(who->id())->last_used.time() == keyward::detail::time_convert::floor_seconds(t0)));
  // The overload without `now` reads the verifier's clock.
  now = t0 + 90s;
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none).has_value());
  BOOST_TEST((store.find(who->id())->last_used.time() == keyward::detail::time_convert::floor_seconds(t0 + 90s)));
}

BOOST_FIXTURE_TEST_CASE(the_three_forms_of_the_authorization_field, fixture) {
  const std::string key = mint("sk_live_");
  // Basic with the key as the user-id and an empty password (RFC 7617; seeds 000 and 003).
  BOOST_TEST(verify.authenticate(*http::basic_api_key(key), keys::scopes::none, now).has_value());
  // Basic with prefix + id as the user-id and secret + checksum as the password (seed 001's HTTPBasicAuth).
  const std::string handle = key.substr(0, 8 + 12);
  const std::string rest = key.substr(8 + 12);
  BOOST_TEST(verify.authenticate(*http::basic(handle, rest), keys::scopes::none, now).has_value());
  // The same bytes split elsewhere are not the pair form.
  BOOST_TEST(answer_of(verify.authenticate(*http::basic(key.substr(0, 25), key.substr(25)), keys::scopes::none,
                                           now)) == invalid_key);
  // Scheme names are case-insensitive (RFC 9110 section 11.1).
  BOOST_TEST(verify.authenticate("bearer " + key, keys::scopes::none, now).has_value());

  // A verifier that takes Bearer only: Basic is a scheme it does not use (RFC 6750 section 3.1).
  keys::verifier_options bearer_only = base_options();
  bearer_only.forms = keys::accepted_forms{};
  const auto strict = *keys::verifier<keys::memory_store>::make(store, bearer_only, peppers());
  BOOST_TEST(strict.authenticate(*http::bearer(key), keys::scopes::none, now).has_value());
  BOOST_TEST(answer_of(strict.authenticate(*http::basic_api_key(key), keys::scopes::none, now)) ==
             (answer{401, R"(Bearer realm="api")",
                     R"({"success":false,"error":{"code":"UNSUPPORTED_AUTH_SCHEME",)"
                     R"("message":"The authentication scheme is not supported","details":{}}})",
                     "<none>"}));
  // Basic only: Bearer is the wrong scheme; the key as user-id only: a password makes it no key.
  keys::verifier_options user_only = base_options();
  user_only.forms.bearer = false;
  user_only.forms.basic_id_secret_pair = false;
  user_only.challenge = *http::challenge_options::make(http::challenge_scheme::basic, "api");
  const auto basic = *keys::verifier<keys::memory_store>::make(store, user_only, peppers());
  BOOST_TEST(basic.authenticate(*http::basic_api_key(key), keys::scopes::none, now).has_value());
  BOOST_TEST(answer_of(basic.authenticate(*http::bearer(key), keys::scopes::none, now)).challenge ==
             R"(Basic realm="api", charset="UTF-8")");
  BOOST_TEST(answer_of(basic.authenticate(*http::bearer(key), keys::scopes::none, now)).status == 401);
  BOOST_TEST(answer_of(basic.authenticate(*http::basic(handle, rest), keys::scopes::none, now)).body ==
             invalid_key.body);
  // And no form at all is refused by make().
  keys::verifier_options none = base_options();
  none.forms = keys::accepted_forms{false, false, false};
  BOOST_TEST(keys::verifier<keys::memory_store>::make(store, none, peppers()).error() == errc::key_invalid_options);
  // Nor is a verifier without prefixes (every key would be unknown).
  keys::verifier_options no_prefixes = base_options();
  no_prefixes.prefixes = keys::prefix_set();
  BOOST_TEST(keys::verifier<keys::memory_store>::make(store, no_prefixes, peppers()).error() ==
             errc::key_invalid_options);
  // Nor one whose prefixes are all of kinds it refuses: live_ and test_ are secret keys.
  keys::verifier_options refusing = base_options();
  refusing.prefixes = keys::live_test_prefixes;
  refusing.kinds.secret = false;
  BOOST_TEST(keys::verifier<keys::memory_store>::make(store, refusing, peppers()).error() ==
             errc::key_invalid_options);
  refusing.kinds.secret = true;  // one accepted kind is enough
  BOOST_TEST(keys::verifier<keys::memory_store>::make(store, refusing, peppers()).has_value());
}

BOOST_FIXTURE_TEST_CASE(missing_malformed_and_wrong_scheme, fixture) {
  BOOST_TEST(answer_of(verify.authenticate("", keys::scopes::none, now)) == missing_key);
  BOOST_TEST(answer_of(verify.authenticate("   ", keys::scopes::none, now)) == missing_key);
  const answer malformed{
      400, R"(Bearer realm="api", error="invalid_request", error_description="The Authorization header is malformed")",
      R"({"success":false,"error":{"code":"MALFORMED_API_KEY","message":"The Authorization header is malformed",)"
      R"("details":{}}})",
      "<none>"};
  BOOST_TEST(answer_of(verify.authenticate("Bearer a b", keys::scopes::none, now)) == malformed);
  BOOST_TEST(answer_of(verify.authenticate("Bearer", keys::scopes::none, now)) == malformed);
  BOOST_TEST(answer_of(verify.authenticate("Basic !!!!", keys::scopes::none, now)) == malformed);
  BOOST_TEST(answer_of(verify.authenticate("Bearer abc\r\nX-Admin: 1", keys::scopes::none, now)) == malformed);
  const answer unsupported{401, R"(Bearer realm="api")",
                           R"({"success":false,"error":{"code":"UNSUPPORTED_AUTH_SCHEME",)"
                           R"("message":"The authentication scheme is not supported","details":{}}})",
                           "<none>"};
  BOOST_TEST(answer_of(verify.authenticate("Digest username=\"x\"", keys::scopes::none, now)) == unsupported);
  // A Basic credential too long to hold a key is not decoded: it cannot be a key.
  BOOST_TEST(answer_of(verify.authenticate(*http::basic(std::string(300, 'a'), ""), keys::scopes::none, now)) ==
             invalid_key);
}

BOOST_FIXTURE_TEST_CASE(bad_checksum_unknown_id_and_wrong_secret_look_the_same, fixture) {
  const std::string key = mint("sk_live_");
  std::string bad_checksum = key;
  bad_checksum.back() = bad_checksum.back() == 'A' ? 'B' : 'A';
  const std::string wrong_secret = with_secret(key, 8, 'Z');
  std::string unknown_id_body = key.substr(0, key.size() - 6);
  unknown_id_body[8] = unknown_id_body[8] == 'q' ? 'r' : 'q';
  const std::string unknown_id = unknown_id_body + checksum_of(unknown_id_body);
  BOOST_TEST_REQUIRE(bearer(key).has_value());
  for (const std::string& sent : {bad_checksum, wrong_secret, unknown_id, std::string("sk_live_short"),
                                  std::string("xx_live_") + key.substr(8), key.substr(0, key.size() - 1) + "_"}) {
    BOOST_TEST_CONTEXT(sent) {
      const auto who = bearer(sent);
      BOOST_TEST(answer_of(who) == invalid_key);
      BOOST_TEST((who.error().reason() == http::denial_reason::invalid_key));
    }
  }
  // A test key relabelled as live (and the reverse) fails the checksum, which covers the prefix.
  const std::string test_key = mint("sk_test_");
  BOOST_TEST(answer_of(bearer("sk_live_" + test_key.substr(8))) == invalid_key);
}

BOOST_AUTO_TEST_CASE(keys_failing_the_format_never_reach_the_store) {
  recording_store store;
  const auto verify = *keys::verifier<recording_store>::make(store, base_options(), peppers());
  const std::string key = mint_key(store, blueprint(), "sk_live_", verify.peppers());
  std::string bad_checksum = key;
  bad_checksum[30] = bad_checksum[30] == 'A' ? 'B' : 'A';
  for (const std::string& sent : {bad_checksum, std::string("sk_live_tooshort"), std::string("ghp_") + key.substr(8),
                                  key.substr(0, 20) + "-" + key.substr(21), key + "0"}) {
    BOOST_TEST_CONTEXT(sent) {
      BOOST_TEST(answer_of(verify.authenticate(*http::bearer(sent), keys::scopes::none, t0)) == invalid_key);
    }
  }
  BOOST_TEST(store.finds == 0u);
  // Missing and malformed credentials do not either.
  static_cast<void>(verify.authenticate("", keys::scopes::none, t0));
  static_cast<void>(verify.authenticate("Basic !!!!", keys::scopes::none, t0));
  BOOST_TEST(store.finds == 0u);
  BOOST_TEST(store.prefetches == 0u);  // nor the prefetch hint
  // A well-formed key is looked up once, found or not, after one prefetch of the same id.
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, t0).has_value());
  BOOST_TEST(store.finds == 1u);
  BOOST_TEST(store.prefetches == 1u);
  BOOST_TEST(store.last_prefetched.empty());
  static_cast<void>(verify.authenticate(*http::bearer(with_secret(key, 8, 'Q')), keys::scopes::none, t0));
  BOOST_TEST(store.finds == 2u);
  BOOST_TEST(store.prefetches == 2u);
  BOOST_TEST(store.last_prefetched.empty());
}

// Digests other than the current pepper's HMAC (a previous pepper's, a plain SHA-256 imported from
// elsewhere) still verify, wrong secrets against them still fail, and a digest under a pepper the verifier
// no longer holds is an invalid key.
BOOST_AUTO_TEST_CASE(previous_pepper_and_sha256_digests_verify) {
  keys::memory_store store = *keys::memory_store::make();
  const auto old_peppers = *keys::pepper_set::make(1, pepper);
  const std::string older = mint_key(store, blueprint(), "sk_live_", old_peppers);
  auto rotating = *keys::pepper_set::make(2, "the next pepper of the tests, also thirty-two bytes");
  BOOST_TEST_REQUIRE(rotating.add_previous(1, pepper).has_value());
  const std::string current = mint_key(store, blueprint(), "sk_live_", rotating);
  const std::string imported = mint_key(store, blueprint(), "sk_live_", rotating);
  // The imported key's record holds the plain SHA-256 of the key (sha256_digest, checked against Python's
  // hashlib in digest_test.cpp), as a key migrated from another service would.
  BOOST_TEST_REQUIRE(store.modify(imported.substr(8, 12), [&](keys::key_record& r) -> keyward::result<void> {
                       r.digest = keys::sha256_digest(imported);
                       return {};
                     }).has_value());
  const auto verify = *keys::verifier<keys::memory_store>::make(store, base_options(), rotating);
  for (const std::string& key : {older, current, imported}) {
    BOOST_TEST_CONTEXT(key) {
      BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, t0).has_value());
      BOOST_TEST(answer_of(verify.authenticate(*http::bearer(with_secret(key, 8, 'Q')), keys::scopes::none, t0)) ==
                 invalid_key);
    }
  }
  // Once pepper 1 is dropped, the older key is refused as any invalid key.
  const auto after = *keys::verifier<keys::memory_store>::make(
      store, base_options(), *keys::pepper_set::make(2, "the next pepper of the tests, also thirty-two bytes"));
  BOOST_TEST(answer_of(after.authenticate(*http::bearer(older), keys::scopes::none, t0)) == invalid_key);
  BOOST_TEST(after.authenticate(*http::bearer(current), keys::scopes::none, t0).has_value());
  BOOST_TEST(after.authenticate(*http::bearer(imported), keys::scopes::none, t0).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_test_key_on_a_live_server_is_its_own_denial, fixture) {
  const std::string test_key = mint("sk_test_");
  const answer wrong_environment{
      401,
      R"(Bearer realm="api", error="invalid_token", )"
      R"(error_description="The access token is not valid in this environment")",
      R"({"success":false,"error":{"code":"WRONG_ENVIRONMENT",)"
      R"("message":"The API key is not valid in this environment","details":{}}})",
      "<none>"};
  BOOST_TEST(answer_of(bearer(test_key)) == wrong_environment);
  keys::verifier_options test_options = base_options();
  test_options.environment = keys::key_environment::test;
  const auto test_server = *keys::verifier<keys::memory_store>::make(store, test_options, peppers());
  BOOST_TEST(test_server.authenticate(*http::bearer(test_key), keys::scopes::none, now).has_value());
  const std::string live_key = mint("sk_live_");
  BOOST_TEST(answer_of(test_server.authenticate(*http::bearer(live_key), keys::scopes::none, now)).body ==
             wrong_environment.body);
}

BOOST_FIXTURE_TEST_CASE(kinds_not_accepted_are_invalid_keys, fixture) {
  const std::string publishable = mint("pk_live_");
  BOOST_TEST(answer_of(bearer(publishable)) == invalid_key);
  keys::verifier_options options = base_options();
  options.kinds.publishable = true;
  const auto lenient = *keys::verifier<keys::memory_store>::make(store, options, peppers());
  const auto who = lenient.authenticate(*http::bearer(publishable), keys::scopes::none, now);
  BOOST_TEST_REQUIRE(who.has_value());
  BOOST_TEST((who->kind() == keys::key_kind::publishable));
  BOOST_TEST(bearer(mint("rk_live_")).has_value());
}

BOOST_FIXTURE_TEST_CASE(status_and_validity_period, fixture) {
  keys::key_record timed = blueprint();
  timed.not_before = std::chrono::system_clock::time_point(t0.time_since_epoch() + 1h);
  timed.expires_at = std::chrono::system_clock::time_point(t0.time_since_epoch() + 2h);
  const std::string key = mint("sk_live_", timed);
  // Before not-before: not a valid key yet.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 59min)) == invalid_key);
  // From not-before (inclusive) to expiry (exclusive): valid.
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 1h).has_value());
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 2h - 1ns).has_value());
  // At and after expiry: EXPIRED_API_KEY, with RFC 6750 section 3's own challenge.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 2h)) == expired_key);
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 1000h)) == expired_key);
  // A time point of another precision works alike.
  const auto in_seconds = std::chrono::time_point_cast<std::chrono::seconds>(now + 2h);
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, in_seconds)) == expired_key);

  const std::string revoked = mint("sk_live_");
  BOOST_TEST_REQUIRE(keys::revoke(store, revoked.substr(8, 12)).has_value());
  BOOST_TEST(answer_of(bearer(revoked)) ==
             (answer{401,
                     R"(Bearer realm="api", error="invalid_token", )"
                     R"(error_description="The access token has been revoked")",
                     R"({"success":false,"error":{"code":"REVOKED_API_KEY","message":"The API key has been revoked",)"
                     R"("details":{}}})",
                     "<none>"}));
  const std::string disabled = mint("sk_live_");
  BOOST_TEST_REQUIRE(keys::disable(store, disabled.substr(8, 12)).has_value());
  BOOST_TEST(answer_of(bearer(disabled)) ==
             (answer{401,
                     R"(Bearer realm="api", error="invalid_token", )"
                     R"(error_description="The access token has been disabled")",
                     R"({"success":false,"error":{"code":"DISABLED_API_KEY","message":"The API key has been disabled",)"
                     R"("details":{}}})",
                     "<none>"}));
  // Enabled again through modify.
  BOOST_TEST_REQUIRE(store.modify(disabled.substr(8, 12), [](keys::key_record& r) -> keyward::result<void> {
    r.status = keys::key_status::active;
    return {};
  }).has_value());
  BOOST_TEST(bearer(disabled).has_value());
  // Revocation wins over expiry; a revoked key cannot be disabled back into use.
  BOOST_TEST_REQUIRE(keys::disable(store, revoked.substr(8, 12)).has_value());
  BOOST_TEST((store.find(revoked.substr(8, 12))->status == keys::key_status::revoked));
}

BOOST_FIXTURE_TEST_CASE(no_oracle_makes_every_key_failure_invalid, fixture) {
  keys::verifier_options options = base_options();
  options.uniform_key_denials = true;
  const auto quiet = *keys::verifier<keys::memory_store>::make(store, options, peppers());
  keys::key_record short_lived = blueprint();
  short_lived.expires_at = std::chrono::system_clock::time_point(t0.time_since_epoch() + 1s);
  const std::string expired = mint("sk_live_", short_lived);
  const std::string revoked = mint("sk_live_");
  static_cast<void>(keys::revoke(store, revoked.substr(8, 12)));
  const std::string disabled = mint("sk_live_");
  static_cast<void>(keys::disable(store, disabled.substr(8, 12)));
  const std::string test_key = mint("sk_test_");
  for (const std::string& sent : {expired, revoked, disabled, test_key, with_secret(revoked, 8, 'x')}) {
    BOOST_TEST_CONTEXT(sent) {
      BOOST_TEST(answer_of(quiet.authenticate(*http::bearer(sent), keys::scopes::none, now + 1s)) == invalid_key);
    }
  }
  // Scope denials need a valid key, so they stay what they are.
  const std::string reader = mint("sk_live_", blueprint(keys::scopes::read));
  BOOST_TEST(answer_of(quiet.authenticate(*http::bearer(reader), keys::scopes::all_of(keys::scopes::admin), now))
                 .status == 403);
}

BOOST_FIXTURE_TEST_CASE(scopes_all_of_and_any_of, fixture) {
  const auto billing = *verify.scopes().find("billing");
  const std::string key = mint("sk_live_", blueprint(keys::scopes::read | billing));
  using keys::scopes::all_of;
  using keys::scopes::any_of;
  BOOST_TEST(bearer(key, all_of(keys::scopes::read)).has_value());
  BOOST_TEST(bearer(key, all_of(keys::scopes::read, billing)).has_value());
  BOOST_TEST(bearer(key, any_of(keys::scopes::admin, billing)).has_value());
  BOOST_TEST(bearer(key, *verify.all_of("read billing")).has_value());
  BOOST_TEST(bearer(key, *verify.any_of("webhook billing")).has_value());
  const std::string insufficient =
      R"(Bearer realm="api", error="insufficient_scope", )"
      R"(error_description="The request requires higher privileges than provided by the access token", )";
  const std::string body =
      R"({"success":false,"error":{"code":"INSUFFICIENT_SCOPE","message":"The API key lacks the required scope",)"
      R"("details":{}}})";
  // RFC 6750 section 3: the scope attribute names the scopes the resource needs.
  BOOST_TEST(answer_of(bearer(key, all_of(keys::scopes::read, keys::scopes::write))) ==
             (answer{403, insufficient + R"(scope="read write")", body, "<none>"}));
  BOOST_TEST(answer_of(bearer(key, any_of(keys::scopes::admin, keys::scopes::webhook))) ==
             (answer{403, insufficient + R"(scope="admin webhook")", body, "<none>"}));
  BOOST_TEST(answer_of(bearer(key, *verify.all_of("reports billing"))) ==
             (answer{403, insufficient + R"(scope="billing reports")", body, "<none>"}));
  BOOST_TEST(verify.all_of("read bogus").error() == keyward::error(errc::key_invalid_scope, 5));
  // Scope names are checked by make().
  keys::verifier_options bad = base_options();
  bad.scope_names = {"billing", "has space"};
  BOOST_TEST(keys::verifier<keys::memory_store>::make(store, bad, peppers()).error() ==
             keyward::error(errc::key_invalid_scope, 1));
}

BOOST_AUTO_TEST_CASE(per_key_limits_allow_deny_and_fail_closed_or_open) {
  const rate::quota free_tier{1, 1s, 2};
  const rate::quota pro_tier{10, 1s, 10};
  auto store = *keys::memory_store::make();
  using limited_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::tiered_limiter>;
  const auto verify =
      *limited_verifier::make(store, base_options(), peppers(), *keys::tiered_limiter::make({free_tier, pro_tier}, 64));
  keys::key_record free_key = blueprint();
  free_key.limit = free_tier;
  const std::string key = mint_key(store, free_key, "sk_live_", verify.peppers());

  const auto first = verify.authenticate(*http::bearer(key), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST_REQUIRE(first->rate().has_value());
  BOOST_TEST(first->rate()->limit == 2u);
  BOOST_TEST(first->rate()->remaining == 1u);
  const auto second = verify.authenticate(*http::bearer(key), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(second->rate()->remaining == 0u);
  // The third in the same instant waits one emission interval (1 s): 429, Retry-After 1, no challenge
  // (RFC 6585 section 4), and the decision for the RateLimit headers.
  const auto third = verify.authenticate(*http::bearer(key), keys::scopes::none, t0);
  BOOST_TEST(answer_of(third) ==
             (answer{429, "<none>",
                     R"({"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests",)"
                     R"("details":{}}})",
                     "1"}));
  BOOST_TEST_REQUIRE(third.rate().has_value());
  BOOST_TEST(third.rate()->wait.count() == 1000000000);
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, t0 + 1s).has_value());

  // A quota that is no tier cannot be enforced: 503 with the configured Retry-After (RFC 9110 section
  // 15.6.4), no challenge.
  keys::key_record odd = blueprint();
  odd.limit = rate::quota{7, 1s, 7};
  const std::string odd_key = mint_key(store, odd, "sk_live_", verify.peppers());
  const answer unavailable{503, "<none>",
                           R"({"success":false,"error":{"code":"SERVICE_UNAVAILABLE",)"
                           R"("message":"The service is temporarily unavailable","details":{}}})",
                           "5"};
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(odd_key), keys::scopes::none, t0)) == unavailable);
  // A key without a quota is not limited.
  const std::string unlimited = mint_key(store, blueprint(), "sk_live_", verify.peppers());
  const auto free_pass = verify.authenticate(*http::bearer(unlimited), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(free_pass.has_value());
  BOOST_TEST(!free_pass->rate().has_value());

  // A backend that is down: fail closed by default, open when asked.
  using broken_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, broken_limiter>;
  keys::verifier_options options = base_options();
  options.unavailable_retry_after = 30s;
  const auto closed = *broken_verifier::make(store, options, peppers());
  BOOST_TEST(answer_of(closed.authenticate(*http::bearer(key), keys::scopes::none, t0)).retry_after == "30");
  BOOST_TEST(answer_of(closed.authenticate(*http::bearer(key), keys::scopes::none, t0)).status == 503);
  options.on_limiter_failure = keys::limiter_failure::fail_open;
  const auto open = *broken_verifier::make(store, options, peppers());
  const auto through = open.authenticate(*http::bearer(key), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(through.has_value());
  BOOST_TEST(through->limiter_failed());
  BOOST_TEST(!through->rate().has_value());
  options.unavailable_retry_after = 0s;
  BOOST_TEST(broken_verifier::make(store, options, peppers()).error() == errc::key_invalid_options);
}

BOOST_FIXTURE_TEST_CASE(rotation_keeps_the_old_key_for_the_grace_period, fixture) {
  const std::string old_key = mint("sk_live_");
  const std::string old_id = old_key.substr(8, 12);
  auto rotated = keys::rotate(store, old_id, 1h, now, keys::stripe_prefixes, verify.peppers());
  BOOST_TEST_REQUIRE(rotated.has_value());
  const std::string new_key(rotated->key.reveal());
  BOOST_TEST(new_key.substr(0, 8) == "sk_live_");
  BOOST_TEST(new_key != old_key);
  // Both keys work during the grace period, for the same owner.
  const auto fresh = verify.authenticate(*http::bearer(new_key), keys::scopes::none, now + 59min);
  BOOST_TEST_REQUIRE(fresh.has_value());
  BOOST_TEST(fresh->owner() == "acct_42");
  BOOST_TEST((fresh->scopes() == (keys::scopes::read | keys::scopes::write)));
  BOOST_TEST(verify.authenticate(*http::bearer(old_key), keys::scopes::none, now + 1h - 1ns).has_value());
  // Then the old one is expired, and the new one goes on.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(old_key), keys::scopes::none, now + 1h)) == expired_key);
  BOOST_TEST(verify.authenticate(*http::bearer(new_key), keys::scopes::none, now + 1000h).has_value());
  BOOST_TEST(store.keys_of("acct_42").size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_store_returning_copies_plugs_in, fixture) {
  copying_store rows;
  const auto verify_rows = *keys::verifier<copying_store>::make(rows, base_options(), peppers());
  // Mint through a memory_store, then copy the record, as a migration would.
  const std::string key = mint("sk_live_");
  rows.rows.emplace(key.substr(8, 12), *store.find(key.substr(8, 12)));
  const auto who = verify_rows.authenticate(*http::basic_api_key(key), keys::scopes::none, now);
  BOOST_TEST_REQUIRE(who.has_value());
  BOOST_TEST(who->owner() == "acct_42");
  BOOST_TEST(rows.uses == 1u);
  BOOST_TEST(answer_of(verify_rows.authenticate(*http::bearer(with_secret(key, 8, '7')), keys::scopes::none, now)) ==
             invalid_key);
  BOOST_TEST(rows.uses == 1u);
}

BOOST_AUTO_TEST_CASE(the_success_path_allocates_nothing) {
  auto store = *keys::memory_store::make();
  using limited_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::tiered_limiter>;
  const rate::quota tier{1000, 1s, 1000};
  const auto verify =
      *limited_verifier::make(store, base_options(), peppers(), *keys::tiered_limiter::make({tier}, 64));
  keys::key_record limited = blueprint();
  limited.limit = tier;
  const std::string key = mint_key(store, limited, "sk_live_", verify.peppers());
  const std::string bearer = *http::bearer(key);
  const std::string basic = *http::basic_api_key(key);
  const std::string pair = *http::basic(key.substr(0, 20), key.substr(20));
  const std::string wrong = *http::bearer(with_secret(key, 8, 'w'));
  const keys::scope_requirement required = keys::scopes::all_of(keys::scopes::read);
  // The first request of a key stores it in the limiter's table (no allocation either: the id is inline).
  std::size_t successes = 0;
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (int i = 0; i < 3; ++i) {
    successes += verify.authenticate(bearer, required, t0).has_value() ? 1 : 0;
    successes += verify.authenticate(basic, required, t0).has_value() ? 1 : 0;
    successes += verify.authenticate(pair, required, t0).has_value() ? 1 : 0;
    // Denials without a scope allocate nothing either.
    successes += verify.authenticate("", required, t0).has_value() ? 1 : 0;
    successes += verify.authenticate(wrong, required, t0).has_value() ? 1 : 0;
  }
  keyward_test::counting = false;
  BOOST_TEST(successes == 9u);
  BOOST_TEST(keyward_test::allocations == 0u);

  // A metered key allocates its balance on its first spend, then nothing.
  keys::key_record metered = limited;
  metered.credits = keys::credit_plan{1000, keys::credit_refill::monthly};
  const std::string paying = *http::bearer(mint_key(store, metered, "sk_live_", verify.peppers()));
  BOOST_TEST_REQUIRE(verify.authenticate(paying, required, t0).has_value());
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (int i = 0; i < 3; ++i) successes += verify.authenticate(paying, required, t0).has_value() ? 1 : 0;
  keyward_test::counting = false;
  BOOST_TEST(successes == 12u);
  BOOST_TEST(keyward_test::allocations == 0u);
}

namespace {

// A memory_store whose find() returns a keyward::result, and fails while `down` (as Redis does).
struct fallible_store {
  keys::memory_store inner = *keys::memory_store::make();
  bool down = false;
  keyward::result<keys::memory_store::handle> find(std::string_view id) const {
    if (down) return errc::redis_unavailable;
    return inner.find(id);
  }
  keyward::result<keys::credit_decision> consume_credits(std::string_view id, const keys::credit_plan& plan,
                                                         std::uint64_t cost, sys_nanoseconds now) {
    if (down) return errc::redis_timeout;
    return inner.consume_credits(id, plan, cost, now);
  }
  keyward::result<void> insert(keys::key_record record) { return inner.insert(std::move(record)); }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    return inner.modify(id, std::forward<Change>(change));
  }
};

// A memory_store whose finds work and whose consume_credits fails.
struct unmetered_backend {
  keys::memory_store inner = *keys::memory_store::make();
  keys::memory_store::handle find(std::string_view id) const { return inner.find(id); }
  keyward::result<keys::credit_decision> consume_credits(std::string_view, const keys::credit_plan&, std::uint64_t,
                                                         sys_nanoseconds) {
    return errc::redis_unavailable;
  }
  keyward::result<void> insert(keys::key_record record) { return inner.insert(std::move(record)); }
};

keys::key_record metered(std::uint64_t allowance, keys::credit_refill refill) {
  keys::key_record record = blueprint();
  record.credits = keys::credit_plan{allowance, refill};
  return record;
}

const answer credits_exhausted_without_refill{
    402, "<none>",
    R"({"success":false,"error":{"code":"CREDITS_EXHAUSTED","message":"The API key has no credits left","details":{}}})",
    "<none>"};

const answer unavailable_5s{503, "<none>",
                            R"({"success":false,"error":{"code":"SERVICE_UNAVAILABLE",)"
                            R"("message":"The service is temporarily unavailable","details":{}}})",
                            "5"};

}  // namespace

BOOST_FIXTURE_TEST_CASE(credits_allow_then_answer_402_until_the_refill, fixture) {
  const std::string key = mint("sk_live_", metered(3, keys::credit_refill::daily));
  // t0 is 2026-12-04T12:00:00Z; the daily refill is at 2026-12-05T00:00:00Z, 12 h = 43200 s later.
  const auto day_end = std::chrono::system_clock::time_point(std::chrono::seconds(1796428800));
  for (std::uint64_t left : {2u, 1u, 0u}) {
    const auto who = bearer(key);
    BOOST_TEST_REQUIRE(who.has_value());
    BOOST_TEST_REQUIRE(who->credits().has_value());
    BOOST_TEST(who->credits()->allowed);
    BOOST_TEST(who->credits()->remaining == left);
    BOOST_TEST((who->credits()->refills_at == std::optional(day_end)));
    BOOST_TEST(who.credits()->remaining == left);
  }
  // The fourth: 402, no challenge (the key is fine), Retry-After 43200 (RFC 9110 section 15.5.3; the delay
  // to the refill in whole seconds).
  const auto refused = bearer(key);
  BOOST_TEST(answer_of(refused) ==
             (answer{402, "<none>",
                     R"({"success":false,"error":{"code":"CREDITS_EXHAUSTED",)"
                     R"("message":"The API key has no credits left","details":{}}})",
                     "43200"}));
  BOOST_TEST((refused.error().reason() == http::denial_reason::credits_exhausted));
  BOOST_TEST_REQUIRE(refused.credits().has_value());
  BOOST_TEST(!refused.credits()->allowed);
  BOOST_TEST(refused.credits()->remaining == 0u);
  // Half a second later, 11:59:59.5 are left: rounded up to 43200 s.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, now + 500ms)).retry_after ==
             "43200");
  // One nanosecond before midnight: 1 s; at midnight the allowance is back.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none,
                                           sys_nanoseconds(day_end.time_since_epoch()) - 1ns))
                 .retry_after == "1");
  const auto next_day = verify.authenticate(*http::bearer(key), keys::scopes::none, sys_nanoseconds(day_end.time_since_epoch()));
  BOOST_TEST_REQUIRE(next_day.has_value());
  BOOST_TEST(next_day->credits()->remaining == 2u);
  // Credits that never refill: 402 without a Retry-After.
  const std::string once = mint("sk_live_", metered(1, keys::credit_refill::never));
  BOOST_TEST(bearer(once).has_value());
  BOOST_TEST(answer_of(bearer(once)) == credits_exhausted_without_refill);
  // An unmetered key has no credit decision.
  const auto free_key = bearer(mint("sk_live_"));
  BOOST_TEST_REQUIRE(free_key.has_value());
  BOOST_TEST(!free_key->credits().has_value());
}

BOOST_FIXTURE_TEST_CASE(a_request_costs_what_the_server_says, fixture) {
  const std::string key = mint("sk_live_", metered(10, keys::credit_refill::never));
  const std::string field = *http::bearer(key);
  const auto five = verify.authenticate(field, keys::scopes::none, now, 5);
  BOOST_TEST_REQUIRE(five.has_value());
  BOOST_TEST(five->credits()->remaining == 5u);
  // Cost 0 spends nothing and reads nothing: no credit decision.
  const auto free_call = verify.authenticate(field, keys::scopes::none, now, 0);
  BOOST_TEST_REQUIRE(free_call.has_value());
  BOOST_TEST(!free_call->credits().has_value());
  // A cost above what is left is refused and takes nothing.
  const auto six = verify.authenticate(field, keys::scopes::none, now, 6);
  BOOST_TEST(answer_of(six) == credits_exhausted_without_refill);
  BOOST_TEST(six.credits()->remaining == 5u);
  // The overload reading the clock takes a cost too.
  const auto by_clock = verify.authenticate(field, keys::scopes::none, 5);
  BOOST_TEST_REQUIRE(by_clock.has_value());
  BOOST_TEST(by_clock->credits()->remaining == 0u);
  // Cost 0 still goes through on an empty balance.
  BOOST_TEST(verify.authenticate(field, keys::scopes::none, now, 0).has_value());
  BOOST_TEST(answer_of(verify.authenticate(field, keys::scopes::none, now)) == credits_exhausted_without_refill);
}

BOOST_AUTO_TEST_CASE(stores_that_fail_or_cannot_count_answer_503) {
  fallible_store store;
  keys::verifier_options options = base_options();
  options.on_limiter_failure = keys::limiter_failure::fail_open;  // credits fail closed whatever this says
  const auto verify = *keys::verifier<fallible_store>::make(store, options, peppers());
  static_assert(std::is_same_v<keys::verifier<fallible_store>::handle_type, keys::memory_store::handle>);
  const std::string key = mint_key(store, metered(10, keys::credit_refill::daily), "sk_live_", verify.peppers());
  const std::string free_key = mint_key(store, blueprint(), "sk_live_", verify.peppers());
  const auto who = verify.authenticate(*http::bearer(key), keys::scopes::none, t0);
  BOOST_TEST_REQUIRE(who.has_value());
  BOOST_TEST(who->credits()->remaining == 9u);
  // Not found is a success holding a null handle: an invalid key, as ever.
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(with_secret(key, 8, 'Q')), keys::scopes::none, t0)) ==
             invalid_key);
  std::string unknown_body = key.substr(0, key.size() - 6);
  unknown_body[8] = unknown_body[8] == 'q' ? 'r' : 'q';
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(unknown_body + checksum_of(unknown_body)),
                                           keys::scopes::none, t0)) == invalid_key);
  // The store is down: find() fails, 503 with the configured Retry-After, for every key.
  store.down = true;
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, t0)) == unavailable_5s);
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(free_key), keys::scopes::none, t0)) == unavailable_5s);
  store.down = false;
  BOOST_TEST(verify.authenticate(*http::bearer(free_key), keys::scopes::none, t0).has_value());

  // consume_credits fails: 503, even with fail_open; a key without credits is not affected.
  unmetered_backend failing;
  const auto strict = *keys::verifier<unmetered_backend>::make(failing, options, peppers());
  const std::string paying = mint_key(failing, metered(10, keys::credit_refill::daily), "sk_live_", peppers());
  BOOST_TEST(answer_of(strict.authenticate(*http::bearer(paying), keys::scopes::none, t0)) == unavailable_5s);
  BOOST_TEST(strict.authenticate(*http::bearer(mint_key(failing, blueprint(), "sk_live_", peppers())),
                                 keys::scopes::none, t0)
                 .has_value());

  // A store without consume_credits cannot meter a key: 503 for a key with credits, success without.
  copying_store rows;
  const auto copies = *keys::verifier<copying_store>::make(rows, options, peppers());
  auto minted = *keys::memory_store::make();
  const std::string metered_key = mint_key(minted, metered(10, keys::credit_refill::daily), "sk_live_", peppers());
  const std::string plain_key = mint_key(minted, blueprint(), "sk_live_", peppers());
  for (const std::string& k : {metered_key, plain_key}) rows.rows.emplace(k.substr(8, 12), *minted.find(k.substr(8, 12)));
  BOOST_TEST(answer_of(copies.authenticate(*http::bearer(metered_key), keys::scopes::none, t0)) == unavailable_5s);
  BOOST_TEST(copies.authenticate(*http::bearer(plain_key), keys::scopes::none, t0).has_value());
  BOOST_TEST(rows.uses == 1u);  // the refused request is not a use

  // Cost 0 never asks the store: it goes through where the store's consume_credits fails, where the store
  // has none, and where the store is down for credits only.
  BOOST_TEST(strict.authenticate(*http::bearer(paying), keys::scopes::none, t0, 0).has_value());
  BOOST_TEST(copies.authenticate(*http::bearer(metered_key), keys::scopes::none, t0, 0).has_value());
  BOOST_TEST(rows.uses == 2u);
}

namespace {

// A memory_store that counts the calls of consume_credits.
struct counting_store {
  keys::memory_store inner = *keys::memory_store::make();
  std::size_t spends = 0;
  keys::memory_store::handle find(std::string_view id) const { return inner.find(id); }
  keyward::result<keys::credit_decision> consume_credits(std::string_view id, const keys::credit_plan& plan,
                                                         std::uint64_t cost, sys_nanoseconds now) {
    ++spends;
    return inner.consume_credits(id, plan, cost, now);
  }
  keyward::result<void> insert(keys::key_record record) { return inner.insert(std::move(record)); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(cost_zero_skips_the_credits_step) {
  counting_store store;
  const auto verify = *keys::verifier<counting_store>::make(store, base_options(), peppers());
  const std::string key = *http::bearer(mint_key(store, metered(0, keys::credit_refill::daily), "sk_live_", peppers()));
  const auto free_call = verify.authenticate(key, keys::scopes::none, t0, 0);
  BOOST_TEST_REQUIRE(free_call.has_value());
  BOOST_TEST(!free_call->credits().has_value());
  BOOST_TEST(store.spends == 0u);
  // Cost 1 of an allowance of 0: 402, and no Retry-After: no refill can ever let it through.
  BOOST_TEST(answer_of(verify.authenticate(key, keys::scopes::none, t0, 1)) == credits_exhausted_without_refill);
  BOOST_TEST(store.spends == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_cost_above_the_allowance_gets_no_retry_after, fixture) {
  // Daily 5, at 2026-12-04T12:00:00Z: cost 6 can never fit, refill or not: 402 without Retry-After; cost 5
  // fits today (5 - 5 = 0); then cost 5 again waits for the refill at midnight, 12 h = 43200 s away.
  const std::string key = mint("sk_live_", metered(5, keys::credit_refill::daily));
  const std::string field = *http::bearer(key);
  const auto six = verify.authenticate(field, keys::scopes::none, now, 6);
  BOOST_TEST(answer_of(six) == credits_exhausted_without_refill);
  BOOST_TEST(six.credits()->remaining == 5u);
  BOOST_TEST(verify.authenticate(field, keys::scopes::none, now, 5).has_value());
  BOOST_TEST(answer_of(verify.authenticate(field, keys::scopes::none, now, 5)).retry_after == "43200");
}

BOOST_FIXTURE_TEST_CASE(a_rotated_pair_of_two_refill_kinds_is_neither_bricked_nor_refilled_twice, fixture) {
  // The old key is daily 3; its rotation's new key gets monthly 100 (set_credits resets the shared balance).
  // At 2026-12-04T12:00:00Z, alternating old, new, old, new ...: the old key fills the balance as daily 3;
  // the new (monthly) key draws on that day's balance, a finer kind still current: 3 requests of 10 pass,
  // the rest get 402 with Retry-After 43200 (midnight, 12 h away). At midnight the day has ended: the new key
  // fills it as monthly 100, the old key, finding a coarser balance, as daily 3; both draw on those 3: 1 + 3
  // = 4 of 10 at 01:00 (the old key expires at 12:00), with Retry-After 23 h = 82800 s to the next midnight.
  // (A balance refilled whenever the kind differs would let the pair alternate without end; the day index
  // read as a month would refuse the new key until the year 3702.)
  const std::string old_key = mint("sk_live_", metered(3, keys::credit_refill::daily));
  auto rotated = keys::rotate(store, old_key.substr(8, 12), 24h, now, keys::stripe_prefixes, verify.peppers());
  BOOST_TEST_REQUIRE(rotated.has_value());
  const std::string new_key(rotated->key.reveal());
  BOOST_TEST_REQUIRE(
      keys::set_credits(store, rotated->id.view(), keys::credit_plan{100, keys::credit_refill::monthly}).has_value());
  const auto run = [&](sys_nanoseconds at, bool old_first, const std::string& retry_after) {
    int allowed = 0;
    for (int i = 0; i < 10; ++i) {
      const std::string& sent = (i % 2 == 0) == old_first ? old_key : new_key;
      const auto who = verify.authenticate(*http::bearer(sent), keys::scopes::none, at);
      if (who.has_value()) {
        ++allowed;
      } else {
        BOOST_TEST(answer_of(who).status == 402);
        BOOST_TEST(answer_of(who).retry_after == retry_after);
      }
    }
    return allowed;
  };
  BOOST_TEST(run(now, true, "43200") == 3);
  // 2026-12-05T01:00:00Z is t0 + 13 h.
  BOOST_TEST(run(now + 13h, false, "82800") == 4);
}

BOOST_FIXTURE_TEST_CASE(a_rotated_pair_spends_one_balance, fixture) {
  const std::string old_key = mint("sk_live_", metered(10, keys::credit_refill::never));
  BOOST_TEST(verify.authenticate(*http::bearer(old_key), keys::scopes::none, now, 3).has_value());
  auto rotated = keys::rotate(store, old_key.substr(8, 12), 1h, now, keys::stripe_prefixes, verify.peppers());
  BOOST_TEST_REQUIRE(rotated.has_value());
  const std::string new_key(rotated->key.reveal());
  // Rotation did not refill: the new key starts with the 7 left, and both keys draw on them.
  std::uint64_t allowed = 3;
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string& sent = i % 2 == 0 ? new_key : old_key;
    const auto who = verify.authenticate(*http::bearer(sent), keys::scopes::none, now + 1min);
    if (who.has_value()) {
      ++allowed;
    } else {
      BOOST_TEST(who.error().status() == 402);
      ++refused;
    }
  }
  BOOST_TEST(allowed == 10u);
  BOOST_TEST(refused == 3);
}

BOOST_AUTO_TEST_CASE(a_request_refused_by_the_limiter_spends_no_credit) {
  const rate::quota tier{1, 1s, 1};
  auto store = *keys::memory_store::make();
  using limited_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::tiered_limiter>;
  const auto verify =
      *limited_verifier::make(store, base_options(), peppers(), *keys::tiered_limiter::make({tier}, 64));
  keys::key_record record = metered(5, keys::credit_refill::never);
  record.limit = tier;
  const std::string key = mint_key(store, record, "sk_live_", verify.peppers());
  BOOST_TEST(verify.authenticate(*http::bearer(key), keys::scopes::none, t0)->credits()->remaining == 4u);
  BOOST_TEST(answer_of(verify.authenticate(*http::bearer(key), keys::scopes::none, t0)).status == 429);
  const auto later = verify.authenticate(*http::bearer(key), keys::scopes::none, t0 + 1s);
  BOOST_TEST_REQUIRE(later.has_value());
  BOOST_TEST(later->credits()->remaining == 3u);
  BOOST_TEST(later->rate().has_value());
}
