// Tests for include/keyward/keys/verifier.hpp: every denial path with its status, challenge and body, the
// three Authorization forms, the no-oracle option, expiry, not-before, revocation, disabling, rotation
// through the verifier, scopes (all-of, any-of, user-named), per-key limits (allow, deny, fail closed, fail
// open), a store that records its look-ups, and zero allocations on the success path.
//
// Expected texts are written from the specifications, not from the code: statuses and challenge attributes
// from RFC 6750 sections 3 and 3.1 (the expired-token challenge is section 3's example, realm changed),
// RFC 7617 section 2 (Basic challenges), RFC 6585 section 4 (429) and RFC 9110 section 15.6.4 (503); the
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
}
