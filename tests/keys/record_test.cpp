// Tests for include/keyward/keys/record.hpp: key ids, the last-use stamp, and the key's life over a store:
// mint (the record holds the digest, never the key), rotate (grace period 0 to 24 h as the issue asks; never
// lengthens a key's life; refused for expired, revoked, disabled and unknown keys; the new key spends the old
// key's credit balance), revoke and disable; set_scopes, set_limit and set_credits. The credit arithmetic
// (periods, spend_credits) is tested in credits_test.cpp.
#define BOOST_TEST_MODULE keys_record
#include <boost/test/unit_test.hpp>

#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>

#include "support/test_support.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
using keyward::errc;

namespace {

// 2026-12-04T12:00:00Z
const keys::sys_nanoseconds t0{std::chrono::seconds(1796385600)};

const keys::prefix_entry live{"tk_live_", "tests", keys::key_kind::secret, keys::key_environment::live};
const keys::prefix_entry test{"tk_test_", "tests", keys::key_kind::secret, keys::key_environment::test};
const keys::prefix_entry entries[] = {live, test};

std::chrono::system_clock::time_point at(keys::sys_nanoseconds when) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(when.time_since_epoch()));
}

struct fixture {
  keys::memory_store store = *keys::memory_store::make();
  keys::pepper_set peppers = *keys::pepper_set::make(7, "the pepper of the record tests, 32+ bytes");
  keys::prefix_table<2> table = keys::make_prefix_table(entries);

  keys::minted_key mint(keys::key_record blueprint = {}) {
    blueprint.owner = "acct_1";
    auto minted = keys::mint(store, std::move(blueprint), live, peppers);
    BOOST_TEST_REQUIRE(minted.has_value());
    return std::move(*minted);
  }
  const keys::key_record& record(std::string_view id) {
    handle = store.find(id);
    BOOST_TEST_REQUIRE(static_cast<bool>(handle));
    return *handle;
  }
  keys::memory_store::handle handle;
};

}  // namespace

BOOST_AUTO_TEST_CASE(key_ids_are_12_base62_characters) {
  BOOST_TEST(keys::key_id::make("0123456789Az")->view() == "0123456789Az");
  BOOST_TEST(keys::key_id::make("0123456789A").error() == errc::key_invalid_length);
  BOOST_TEST(keys::key_id::make("0123456789Azz").error() == errc::key_invalid_length);
  BOOST_TEST(keys::key_id::make("01234_6789Az").error() == keyward::error(errc::key_invalid_character, 5));
  BOOST_TEST(keys::key_id().view() == "000000000000");
  BOOST_TEST((*keys::key_id::make("AAAAAAAAAAAA") < *keys::key_id::make("BBBBBBBBBBBB")));
}

BOOST_AUTO_TEST_CASE(last_use_keeps_the_latest_second) {
  keys::last_use stamp;
  BOOST_TEST(!stamp.time().has_value());
  stamp.record(t0 + 1500ms);
  BOOST_TEST(stamp.time()->time_since_epoch().count() == 1796385601);
  stamp.record(t0);  // an older use racing in does not move it back
  BOOST_TEST(stamp.time()->time_since_epoch().count() == 1796385601);
  const keys::last_use copy = stamp;
  BOOST_TEST(copy.time()->time_since_epoch().count() == 1796385601);
}

BOOST_FIXTURE_TEST_CASE(mint_stores_the_digest_not_the_key, fixture) {
  keys::key_record blueprint;
  blueprint.scopes = keys::scopes::read;
  blueprint.metadata = "m";
  blueprint.kind = keys::key_kind::publishable;  // overwritten by the prefix's
  blueprint.environment = keys::key_environment::test;
  const keys::minted_key minted = mint(blueprint);
  const std::string_view key = minted.key.reveal();
  BOOST_TEST(key.substr(0, 8) == "tk_live_");
  BOOST_TEST(key.size() == 8u + 12u + 32u + 6u);
  BOOST_TEST(minted.id.view() == key.substr(8, 12));
  const keys::key_record& stored = record(minted.id.view());
  BOOST_TEST(stored.prefix == "tk_live_");
  BOOST_TEST(stored.owner == "acct_1");
  BOOST_TEST(stored.metadata == "m");
  BOOST_TEST((stored.kind == keys::key_kind::secret));
  BOOST_TEST((stored.environment == keys::key_environment::live));
  BOOST_TEST(stored.digest.pepper_version == 7u);
  BOOST_TEST(peppers.matches(key, stored.digest));
  BOOST_TEST(!peppers.matches(std::string(key) + "x", stored.digest));
  // The record holds nothing of the secret part.
  const std::string_view secret_part = key.substr(20, 32);
  BOOST_TEST(stored.metadata.find(secret_part) == std::string::npos);
  BOOST_TEST(stored.owner.find(secret_part) == std::string::npos);
  // Two mints give two keys.
  BOOST_TEST(mint().key.reveal() != key);
  // A bad secret length is refused before anything is stored.
  BOOST_TEST(keys::mint(store, keys::key_record{}, live, peppers, 31).error() == errc::key_invalid_format);
  BOOST_TEST(store.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(rotate_gives_the_old_key_an_expiry_of_now_plus_grace, fixture) {
  const keys::minted_key old = mint();
  const auto rotated = keys::rotate(store, old.id.view(), 2h, t0, table, peppers);
  BOOST_TEST_REQUIRE(rotated.has_value());
  BOOST_TEST((record(old.id.view()).expires_at == std::optional(at(t0 + 2h))));
  const keys::key_record& fresh = record(rotated->id.view());
  BOOST_TEST(fresh.owner == "acct_1");
  BOOST_TEST(!fresh.expires_at.has_value());
  BOOST_TEST((fresh.status == keys::key_status::active));
  BOOST_TEST(peppers.matches(rotated->key.reveal(), fresh.digest));
  // Both stay in the store: several keys per owner.
  BOOST_TEST(store.keys_of("acct_1").size() == 2u);

  // Rotating never lengthens a key's life: an expiry sooner than now + grace is kept.
  keys::key_record soon;
  soon.expires_at = at(t0 + 10min);
  const keys::minted_key short_lived = mint(soon);
  BOOST_TEST_REQUIRE(keys::rotate(store, short_lived.id.view(), 24h, t0, table, peppers).has_value());
  BOOST_TEST((record(short_lived.id.view()).expires_at == std::optional(at(t0 + 10min))));
  // A grace of 0 ends the old key now; 24 h is the longest.
  const keys::minted_key now_gone = mint();
  BOOST_TEST_REQUIRE(keys::rotate(store, now_gone.id.view(), 0s, t0, table, peppers).has_value());
  BOOST_TEST((record(now_gone.id.view()).expires_at == std::optional(at(t0))));
  BOOST_TEST(keys::rotate(store, mint().id.view(), 24h, t0, table, peppers).has_value());
}

BOOST_FIXTURE_TEST_CASE(rotate_refuses_what_it_must, fixture) {
  const keys::minted_key key = mint();
  BOOST_TEST(keys::rotate(store, key.id.view(), 24h + 1s, t0, table, peppers).error() == errc::key_invalid_options);
  BOOST_TEST(keys::rotate(store, key.id.view(), -1s, t0, table, peppers).error() == errc::key_invalid_options);
  BOOST_TEST(keys::rotate(store, "ZZZZZZZZZZZZ", 1h, t0, table, peppers).error() == errc::key_not_found);
  // Expired (at its expiry instant already), revoked, disabled: refused, and nothing is minted.
  const std::size_t before = store.size();
  keys::key_record expiring;
  expiring.expires_at = at(t0);
  const keys::minted_key expired = mint(expiring);
  BOOST_TEST(keys::rotate(store, expired.id.view(), 1h, t0, table, peppers).error() == errc::key_rotation_refused);
  BOOST_TEST(keys::rotate(store, expired.id.view(), 1h, t0 - 1ns, table, peppers).has_value());
  const keys::minted_key revoked = mint();
  BOOST_TEST_REQUIRE(keys::revoke(store, revoked.id.view()).has_value());
  BOOST_TEST(keys::rotate(store, revoked.id.view(), 1h, t0, table, peppers).error() == errc::key_rotation_refused);
  const keys::minted_key disabled = mint();
  BOOST_TEST_REQUIRE(keys::disable(store, disabled.id.view()).has_value());
  BOOST_TEST(keys::rotate(store, disabled.id.view(), 1h, t0, table, peppers).error() == errc::key_rotation_refused);
  BOOST_TEST(store.size() == before + 4u);  // the three keys and the one successful rotation
  // A prefix the table no longer holds.
  const keys::prefix_entry other[] = {test};
  const auto other_table = keys::make_prefix_table(other);
  BOOST_TEST(keys::rotate(store, key.id.view(), 1h, t0, other_table, peppers).error() ==
             errc::key_unknown_prefix);
  BOOST_TEST(keys::revoke(store, "ZZZZZZZZZZZZ").error() == errc::key_not_found);
  BOOST_TEST(keys::disable(store, "ZZZZZZZZZZZZ").error() == errc::key_not_found);
}

namespace {

// A memory_store whose insert (the new key of a rotation) first narrows the scopes of the key `narrowed`, as
// an administrator could between rotate()'s read of the old key and its update.
struct narrowing_store {
  keys::memory_store& inner;
  std::string narrowed;
  keys::memory_store::handle find(std::string_view id) const { return inner.find(id); }
  keyward::result<void> insert(keys::key_record record) {
    const keyward::result<void> narrowed_now =
        inner.modify(narrowed, [](keys::key_record& old) -> keyward::result<void> {
          old.scopes = keys::scopes::read;
          return {};
        });
    if (!narrowed_now) return narrowed_now.error();
    return inner.insert(std::move(record));
  }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    return inner.modify(id, std::forward<Change>(change));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(rotate_refuses_when_the_old_key_changes_meanwhile, fixture) {
  keys::key_record blueprint;
  blueprint.scopes = keys::scopes::read | keys::scopes::admin;
  const keys::minted_key key = mint(blueprint);
  narrowing_store racing{store, std::string(key.id.view())};
  const std::size_t before = store.size();
  BOOST_TEST(keys::rotate(racing, key.id.view(), 1h, t0, table, peppers).error() == errc::key_rotation_refused);
  // The new key was stored with the admin scope the old key lost: it is revoked, and the old key keeps its
  // narrowed scopes and no expiry.
  BOOST_TEST_REQUIRE(store.size() == before + 1u);
  std::size_t revoked_new_keys = 0;
  for (const keys::memory_store::handle& each : store.keys_of("acct_1")) {
    if (each->id == key.id) {
      BOOST_TEST((each->scopes == keys::scopes::read));
      BOOST_TEST(!each->expires_at.has_value());
    } else if (each->status == keys::key_status::revoked && each->scopes.contains(keys::scopes::admin)) {
      ++revoked_new_keys;
    }
  }
  BOOST_TEST(revoked_new_keys == 1u);
}

BOOST_FIXTURE_TEST_CASE(rotation_shares_the_credit_balance, fixture) {
  keys::key_record metered;
  metered.credits = keys::credit_plan{100, keys::credit_refill::monthly};
  metered.limit = keyward::rate::quota{5, 1s, 5};
  const keys::minted_key old = mint(metered);
  BOOST_TEST(!record(old.id.view()).credit_balance.has_value());
  const auto rotated = keys::rotate(store, old.id.view(), 1h, t0, table, peppers);
  BOOST_TEST_REQUIRE(rotated.has_value());
  const keys::key_record& fresh = record(rotated->id.view());
  BOOST_TEST((fresh.credits == metered.credits));
  BOOST_TEST((fresh.limit == metered.limit));
  BOOST_TEST((fresh.credit_balance == std::optional<keys::key_id>(old.id)));
  // Rotating again keeps the first balance: the chain never refills.
  const auto again = keys::rotate(store, rotated->id.view(), 1h, t0, table, peppers);
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST((record(again->id.view()).credit_balance == std::optional<keys::key_id>(old.id)));
}

namespace {

// A memory_store whose insert (the new key of a rotation) first changes the credit plan of the key `changed`.
struct replanning_store {
  keys::memory_store& inner;
  std::string changed;
  keys::memory_store::handle find(std::string_view id) const { return inner.find(id); }
  keyward::result<void> insert(keys::key_record record) {
    const keyward::result<void> replanned = keys::set_credits(inner, changed, keys::credit_plan{1, keys::credit_refill::never});
    if (!replanned) return replanned.error();
    return inner.insert(std::move(record));
  }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    return inner.modify(id, std::forward<Change>(change));
  }
};

// A store whose find() fails, as a Redis store does when Redis is down.
struct failing_store {
  keyward::result<keys::memory_store::handle> find(std::string_view) const { return errc::redis_unavailable; }
  keyward::result<void> insert(keys::key_record) { return errc::redis_unavailable; }
  template <class Change>
  keyward::result<void> modify(std::string_view, Change&&) {
    return errc::redis_unavailable;
  }
};

// A store whose find() returns a result, and which finds what memory_store does.
struct result_store {
  keys::memory_store& inner;
  keyward::result<keys::memory_store::handle> find(std::string_view id) const { return inner.find(id); }
  keyward::result<void> insert(keys::key_record record) { return inner.insert(std::move(record)); }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    return inner.modify(id, std::forward<Change>(change));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(rotate_refuses_when_the_credit_plan_changes_meanwhile, fixture) {
  keys::key_record metered;
  metered.credits = keys::credit_plan{100, keys::credit_refill::daily};
  const keys::minted_key key = mint(metered);
  replanning_store racing{store, std::string(key.id.view())};
  BOOST_TEST(keys::rotate(racing, key.id.view(), 1h, t0, table, peppers).error() == errc::key_rotation_refused);
  BOOST_TEST(!record(key.id.view()).expires_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(rotate_over_a_store_whose_find_returns_a_result, fixture) {
  failing_store down;
  BOOST_TEST(keys::rotate(down, "AAAAAAAAAAAA", 1h, t0, table, peppers).error() == errc::redis_unavailable);
  result_store wrapped{store};
  const keys::minted_key key = mint();
  BOOST_TEST(keys::rotate(wrapped, key.id.view(), 1h, t0, table, peppers).has_value());
  BOOST_TEST(keys::rotate(wrapped, "ZZZZZZZZZZZZ", 1h, t0, table, peppers).error() == errc::key_not_found);
}

BOOST_FIXTURE_TEST_CASE(set_scopes_limit_and_credits, fixture) {
  const keys::minted_key key = mint();
  const std::string_view id = key.id.view();
  BOOST_TEST_REQUIRE(keys::set_scopes(store, id, keys::scopes::read | keys::scopes::admin).has_value());
  BOOST_TEST((record(id).scopes == (keys::scopes::read | keys::scopes::admin)));
  BOOST_TEST(keys::set_scopes(store, "ZZZZZZZZZZZZ", keys::scopes::read).error() == errc::key_not_found);

  const keyward::rate::quota tier{10, 1s, 20};
  BOOST_TEST_REQUIRE(keys::set_limit(store, id, tier).has_value());
  BOOST_TEST((record(id).limit == std::optional<keyward::rate::quota>(tier)));
  // An invalid quota (a zero count, period or burst) is refused and nothing changes.
  BOOST_TEST(keys::set_limit(store, id, keyward::rate::quota{0, 1s, 1}).error() == errc::rate_invalid_quota);
  BOOST_TEST(keys::set_limit(store, id, keyward::rate::quota{1, 0s, 1}).error() == errc::rate_invalid_quota);
  BOOST_TEST(keys::set_limit(store, id, keyward::rate::quota{1, 1s, 0}).error() == errc::rate_invalid_quota);
  BOOST_TEST((record(id).limit == std::optional<keyward::rate::quota>(tier)));
  BOOST_TEST_REQUIRE(keys::set_limit(store, id, std::nullopt).has_value());
  BOOST_TEST(!record(id).limit.has_value());
  BOOST_TEST(keys::set_limit(store, "ZZZZZZZZZZZZ", tier).error() == errc::key_not_found);

  // set_credits stores the plan and starts it full: the balance spent before is forgotten.
  const keys::credit_plan small{3, keys::credit_refill::daily};
  BOOST_TEST_REQUIRE(keys::set_credits(store, id, small).has_value());
  BOOST_TEST((record(id).credits == std::optional<keys::credit_plan>(small)));
  BOOST_TEST(store.consume_credits(id, small, 3, t0)->remaining == 0u);
  BOOST_TEST(!store.consume_credits(id, small, 1, t0)->allowed);
  const keys::credit_plan large{50, keys::credit_refill::monthly};
  BOOST_TEST_REQUIRE(keys::set_credits(store, id, large).has_value());
  BOOST_TEST(store.consume_credits(id, large, 1, t0)->remaining == 49u);
  // The same plan again refills by hand.
  BOOST_TEST_REQUIRE(keys::set_credits(store, id, large).has_value());
  BOOST_TEST(store.consume_credits(id, large, 0, t0)->remaining == 50u);
  BOOST_TEST_REQUIRE(keys::set_credits(store, id, std::nullopt).has_value());
  BOOST_TEST(!record(id).credits.has_value());
  BOOST_TEST(keys::set_credits(store, "ZZZZZZZZZZZZ", small).error() == errc::key_not_found);
  // A rotated key's plan resets the balance it shares with the old key.
  BOOST_TEST_REQUIRE(keys::set_credits(store, id, small).has_value());
  const auto rotated = keys::rotate(store, id, 1h, t0, table, peppers);
  BOOST_TEST_REQUIRE(rotated.has_value());
  BOOST_TEST(store.consume_credits(id, small, 3, t0)->remaining == 0u);
  BOOST_TEST_REQUIRE(keys::set_credits(store, rotated->id.view(), small).has_value());
  BOOST_TEST(store.consume_credits(id, small, 0, t0)->remaining == 3u);
  // Removing a plan resets nothing: the old key spends 2 of the shared 3, the new key's plan is removed, and
  // the old key still has 3 - 2 = 1 (a reset would have given it 3 again).
  BOOST_TEST(store.consume_credits(id, small, 2, t0)->remaining == 1u);
  BOOST_TEST_REQUIRE(keys::set_credits(store, rotated->id.view(), std::nullopt).has_value());
  BOOST_TEST(!record(rotated->id.view()).credits.has_value());
  BOOST_TEST(store.consume_credits(id, small, 0, t0)->remaining == 1u);
}
