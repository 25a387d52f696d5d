// Tests for include/keyward/keys/memory_store.hpp: insert, find, modify (copy-on-write snapshots), erase,
// keys_of, and a thread-safety smoke test (readers verifying while a writer rotates), which is also run
// under -fsanitize=thread; credit balances (consume_credits, reset_credits): exact totals under threads,
// daily and monthly refills at hand-derived UTC instants, a late clock, cost 0, balances kept until
// reset_credits(), and a change of refill kind.
#define BOOST_TEST_MODULE keys_memory_store
#include <boost/test/unit_test.hpp>

#include <keyward/http/bearer.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/verifier.hpp>

#include "support/test_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace keys = keyward::keys;
using keyward::errc;

namespace {

keys::key_record record_of(std::string_view id, std::string_view owner) {
  keys::key_record record;
  record.id = *keys::key_id::make(id);
  record.owner = std::string(owner);
  return record;
}

keyward::result<void> set_owner(keys::key_record& record, std::string owner) {
  record.owner = std::move(owner);
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(insert_find_modify_erase) {
  auto store = *keys::memory_store::make();
  BOOST_TEST(store.size() == 0u);
  BOOST_TEST(!store.find("AAAAAAAAAAAA"));
  BOOST_TEST_REQUIRE(store.insert(record_of("AAAAAAAAAAAA", "alice")).has_value());
  BOOST_TEST_REQUIRE(store.insert(record_of("BBBBBBBBBBBB", "bob")).has_value());
  BOOST_TEST(store.insert(record_of("AAAAAAAAAAAA", "mallory")).error() == errc::key_duplicate_id);
  BOOST_TEST(store.size() == 2u);
  BOOST_TEST(store.find("AAAAAAAAAAAA")->owner == "alice");
  // Ids that are no ids find nothing.
  BOOST_TEST(!store.find("AAAAAAAAAAA"));
  BOOST_TEST(!store.find("AAAAAAAAAAAAA"));
  BOOST_TEST(!store.find("AAAAAAAAAAA_"));
  BOOST_TEST(!store.find(""));

  // Copy-on-write: a handle keeps the record it saw.
  const keys::memory_store::handle before = store.find("AAAAAAAAAAAA");
  const auto rename = [](keys::key_record& r) { return set_owner(r, "alice2"); };
  BOOST_TEST_REQUIRE(store.modify("AAAAAAAAAAAA", rename).has_value());
  BOOST_TEST(before->owner == "alice");
  BOOST_TEST(store.find("AAAAAAAAAAAA")->owner == "alice2");
  // A failing change stores nothing and returns its error.
  BOOST_TEST(store.modify("AAAAAAAAAAAA", [](keys::key_record& r) -> keyward::result<void> {
                   r.owner = "x";
                   return errc::key_rotation_refused;
                 }).error() == errc::key_rotation_refused);
  BOOST_TEST(store.find("AAAAAAAAAAAA")->owner == "alice2");
  // The id cannot change.
  BOOST_TEST(store.modify("AAAAAAAAAAAA", [](keys::key_record& r) -> keyward::result<void> {
                   r.id = *keys::key_id::make("CCCCCCCCCCCC");
                   return {};
                 }).error() == errc::key_invalid_options);
  BOOST_TEST(store.modify("ZZZZZZZZZZZZ", [](keys::key_record&) -> keyward::result<void> { return {}; }).error() ==
             errc::key_not_found);

  BOOST_TEST_REQUIRE(store.insert(record_of("CCCCCCCCCCCC", "bob")).has_value());
  BOOST_TEST(store.keys_of("bob").size() == 2u);
  BOOST_TEST(store.keys_of("nobody").empty());
  BOOST_TEST(store.erase("BBBBBBBBBBBB").has_value());
  BOOST_TEST(store.erase("BBBBBBBBBBBB").error() == errc::key_not_found);
  BOOST_TEST(store.keys_of("bob").size() == 1u);
  BOOST_TEST(store.size() == 2u);
}

// The open-addressing table against a std::map model: random inserts, modifies and erases over a small
// pool of ids (so that probe sequences collide and erase shifts records back often), then a growth to many
// thousand records. Every id the model holds is found with its owner; every other id is not.
BOOST_AUTO_TEST_CASE(random_operations_agree_with_a_map) {
  auto store = *keys::memory_store::make();
  std::map<std::string, std::string> model;
  std::vector<std::string> ids;
  const std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (std::size_t i = 0; i < 48; ++i) {
    std::string id(12, 'k');
    id[0] = base62[i % 62];
    id[11] = base62[(i * 7) % 62];
    ids.push_back(id);
  }
  std::uint64_t x = 0x2545f4914f6cdd1dull;
  const auto next = [&x](std::size_t n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return static_cast<std::size_t>(x % n);
  };
  const auto agrees = [&] {
    if (store.size() != model.size()) return false;
    for (const std::string& id : ids) {
      store.prefetch(id);
      const auto found = store.find(id);
      const auto expected = model.find(id);
      if (static_cast<bool>(found) != (expected != model.end())) return false;
      if (found && (found->owner != expected->second || found->id.view() != id)) return false;
    }
    return true;
  };
  int disagreements = 0;
  for (int step = 0; step < 20000; ++step) {
    const std::string& id = ids[next(ids.size())];
    const std::string owner = "o" + std::to_string(step);
    const bool held = model.count(id) != 0;
    switch (next(3)) {
      case 0: {
        const auto inserted = store.insert(record_of(id, owner));
        if (inserted.has_value() == held) ++disagreements;
        if (!held) model[id] = owner;
        break;
      }
      case 1: {
        const auto changed = store.modify(id, [&](keys::key_record& r) { return set_owner(r, owner); });
        if (changed.has_value() != held) ++disagreements;
        if (held) model[id] = owner;
        break;
      }
      default: {
        const auto erased = store.erase(id);
        if (erased.has_value() != held) ++disagreements;
        model.erase(id);
        break;
      }
    }
    if (step % 97 == 0 && !agrees()) ++disagreements;
  }
  BOOST_TEST(disagreements == 0);
  BOOST_TEST(agrees());

  // Growth well past the first table, then erasing every other record.
  for (const auto& entry : model) BOOST_TEST_REQUIRE(store.erase(entry.first).has_value());
  BOOST_TEST(store.size() == 0u);
  ids.clear();
  model.clear();
  for (std::size_t i = 0; i < 5000; ++i) {
    std::string id = std::to_string(i);
    id.insert(0, 12 - id.size(), 'g');
    ids.push_back(id);
    model[id] = "grown";
    BOOST_TEST_REQUIRE(store.insert(record_of(id, "grown")).has_value());
  }
  for (std::size_t i = 0; i < ids.size(); i += 2) {
    BOOST_TEST_REQUIRE(store.erase(ids[i]).has_value());
    model.erase(ids[i]);
  }
  BOOST_TEST(store.keys_of("grown").size() == 2500u);
  BOOST_TEST(agrees());
  // prefetch() ignores what is not an id.
  store.prefetch("");
  store.prefetch("short");
  store.prefetch("far too long for an id");
}

BOOST_AUTO_TEST_CASE(readers_verify_while_a_writer_rotates) {
  static constexpr keys::prefix_entry entries[] = {
      {"tk_live_", "tests", keys::key_kind::secret, keys::key_environment::live}};
  static constexpr auto table = keys::make_prefix_table(entries);
  auto store = *keys::memory_store::make();
  auto peppers = *keys::pepper_set::make(3, "a pepper of at least thirty-two bytes, for the threads");
  keys::verifier_options options;
  options.prefixes = table;
  const auto verify = *keys::verifier<keys::memory_store>::make(store, options, peppers);
  keys::key_record blueprint;
  blueprint.owner = "acct";
  blueprint.scopes = keys::scopes::read;
  const auto stable = *keys::mint(store, blueprint, entries[0], peppers);
  const std::string stable_field = *keyward::http::bearer(stable.key.reveal());
  auto current = *keys::mint(store, blueprint, entries[0], peppers);

  const auto start = std::chrono::system_clock::now();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<long> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const auto who = verify.authenticate(stable_field, keys::scopes::all_of(keys::scopes::read), start);
        if (!who || who->owner() != "acct") ++failures;
        for (const auto& handle : store.keys_of("acct")) {
          if (handle->owner != "acct" || handle->id.view().size() != 12) ++failures;
        }
        ++checks;
      }
    });
  }
  while (checks.load() == 0) std::this_thread::yield();  // the readers run during the rotations
  const long before = checks.load();
  for (int i = 0; i < 200; ++i) {
    if (i % 20 == 0) std::this_thread::sleep_for(1ms);
    auto next = keys::rotate(store, current.id.view(), 0s, start, table, peppers);
    if (!next) {
      ++failures;
      break;
    }
    current = std::move(*next);
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(checks.load() > before);
  BOOST_TEST(store.size() == 202u);
  // Every rotated key expired at `start`, and the latest works.
  const auto latest = verify.authenticate(*keyward::http::bearer(current.key.reveal()), keys::scopes::none, start);
  BOOST_TEST(latest.has_value());
}

namespace {

// UTC instants as Unix seconds, derived by hand from 2026-12-04T12:00:00Z = 1796385600 (the other tests' t0):
//   2026-12-04T13:00Z = t0 + 3600                         = 1796389200
//   2026-12-05T00:00Z = t0 + 12 h (43200)                 = 1796428800
//   2026-12-06T00:00Z = 2026-12-05 + 86400                = 1796515200
//   2026-12-01T00:00Z = t0 - 3 days 12 h (302400)         = 1796083200
//   2027-01-01T00:00Z = 2026-12-05 + 27 days (2332800)    = 1798761600
keys::sys_nanoseconds utc(std::int64_t unix_seconds) { return keys::sys_nanoseconds(std::chrono::seconds(unix_seconds)); }
std::optional<std::chrono::system_clock::time_point> utc_point(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}
const std::int64_t dec04_1300 = 1796389200;
const std::int64_t dec05 = 1796428800;
const std::int64_t dec06 = 1796515200;
const std::int64_t dec01 = 1796083200;
const std::int64_t jan01 = 1798761600;

}  // namespace

BOOST_AUTO_TEST_CASE(threads_spend_exactly_the_allowance) {
  auto store = *keys::memory_store::make();
  const keys::credit_plan plan{5000, keys::credit_refill::daily};
  constexpr int threads = 4;
  constexpr int calls = 2000;  // 8000 attempts for 5000 credits
  std::vector<std::vector<std::uint64_t>> seen(threads);
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        const auto spent = store.consume_credits("BBBBBBBBBBBB", plan, 1, utc(dec04_1300));
        if (!spent) {
          ++errors;
        } else if (spent->allowed) {
          seen[static_cast<std::size_t>(t)].push_back(spent->remaining);
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  BOOST_TEST(errors.load() == 0);
  std::set<std::uint64_t> remaining;
  std::size_t allowed = 0;
  for (const auto& each : seen) {
    allowed += each.size();
    remaining.insert(each.begin(), each.end());
  }
  BOOST_TEST(allowed == 5000u);
  // Every allowed call saw its own balance: 4999, 4998, ..., 0, each once.
  BOOST_TEST(remaining.size() == 5000u);
  BOOST_TEST(*remaining.begin() == 0u);
  BOOST_TEST(*remaining.rbegin() == 4999u);
  const auto after = *store.consume_credits("BBBBBBBBBBBB", plan, 1, utc(dec04_1300));
  BOOST_TEST(!after.allowed);
  BOOST_TEST(after.remaining == 0u);
}

BOOST_AUTO_TEST_CASE(daily_credits_refill_at_midnight_utc) {
  auto store = *keys::memory_store::make();
  const keys::credit_plan plan{3, keys::credit_refill::daily};
  const std::string_view id = "CCCCCCCCCCCC";
  auto spent = *store.consume_credits(id, plan, 2, utc(dec04_1300));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 1u);
  BOOST_TEST((spent.refills_at == utc_point(dec05)));
  // A cost above the remaining credits is refused and takes nothing.
  spent = *store.consume_credits(id, plan, 2, utc(dec04_1300));
  BOOST_TEST(!spent.allowed);
  BOOST_TEST(spent.remaining == 1u);
  BOOST_TEST((spent.refills_at == utc_point(dec05)));
  spent = *store.consume_credits(id, plan, 1, utc(dec05) - std::chrono::nanoseconds(1));  // 23:59:59.999999999
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 0u);
  // Cost 0 is allowed on an empty balance and takes nothing.
  spent = *store.consume_credits(id, plan, 0, utc(dec04_1300));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 0u);
  BOOST_TEST(!store.consume_credits(id, plan, 1, utc(dec04_1300))->allowed);
  // At midnight the balance is the allowance again.
  spent = *store.consume_credits(id, plan, 1, utc(dec05));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 2u);
  BOOST_TEST((spent.refills_at == utc_point(dec06)));
  spent = *store.consume_credits(id, plan, 2, utc(dec05 + 60));
  BOOST_TEST(spent.remaining == 0u);
  // A server whose clock is late (still on December 4th) does not refill the balance of December 5th.
  spent = *store.consume_credits(id, plan, 1, utc(dec04_1300));
  BOOST_TEST(!spent.allowed);
  BOOST_TEST(spent.remaining == 0u);
  BOOST_TEST((spent.refills_at == utc_point(dec06)));
  // A later day refills, whatever was left.
  spent = *store.consume_credits(id, plan, 0, utc(dec06 + 86400 * 10));
  BOOST_TEST(spent.remaining == 3u);
}

BOOST_AUTO_TEST_CASE(monthly_and_one_off_credits) {
  auto store = *keys::memory_store::make();
  const keys::credit_plan monthly{10, keys::credit_refill::monthly};
  auto spent = *store.consume_credits("DDDDDDDDDDDD", monthly, 10, utc(dec04_1300));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 0u);
  BOOST_TEST((spent.refills_at == utc_point(jan01)));
  // Earlier in December (a late clock) and later in December: the same, empty balance.
  BOOST_TEST(!store.consume_credits("DDDDDDDDDDDD", monthly, 1, utc(dec01))->allowed);
  BOOST_TEST(!store.consume_credits("DDDDDDDDDDDD", monthly, 1, utc(jan01) - std::chrono::nanoseconds(1))->allowed);
  spent = *store.consume_credits("DDDDDDDDDDDD", monthly, 1, utc(jan01));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 9u);

  // never: one allowance, no refill time, no refill years later.
  const keys::credit_plan once{2, keys::credit_refill::never};
  spent = *store.consume_credits("EEEEEEEEEEEE", once, 2, utc(dec04_1300));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(!spent.refills_at.has_value());
  spent = *store.consume_credits("EEEEEEEEEEEE", once, 1, utc(jan01 + 86400 * 3650));
  BOOST_TEST(!spent.allowed);
  BOOST_TEST(spent.remaining == 0u);
  BOOST_TEST(!spent.refills_at.has_value());
  // A reset forgets the balance: the next spend starts from the allowance.
  BOOST_TEST(store.reset_credits("EEEEEEEEEEEE").has_value());
  BOOST_TEST(store.consume_credits("EEEEEEEEEEEE", once, 1, utc(dec04_1300))->remaining == 1u);
  BOOST_TEST(store.reset_credits("FFFFFFFFFFFF").has_value());  // nothing to forget
  // A lowered allowance applies at once: the remaining credits are capped by it.
  BOOST_TEST(store.consume_credits("DDDDDDDDDDDD", keys::credit_plan{4, keys::credit_refill::monthly}, 0,
                                   utc(jan01))->remaining == 4u);
  // What is no id has no balance.
  BOOST_TEST(store.consume_credits("short", once, 1, utc(dec04_1300)).error() == errc::key_not_found);
  BOOST_TEST(store.reset_credits("").error() == errc::key_not_found);
}

BOOST_AUTO_TEST_CASE(a_balance_outlives_its_keys_until_reset) {
  auto store = *keys::memory_store::make();
  const keys::credit_plan plan{10, keys::credit_refill::never};
  keys::key_record first = record_of("GGGGGGGGGGGG", "acct");
  first.credits = plan;
  keys::key_record second = record_of("HHHHHHHHHHHH", "acct");
  second.credits = plan;
  second.credit_balance = first.id;  // as rotate() leaves the new key
  BOOST_TEST_REQUIRE(store.insert(first).has_value());
  BOOST_TEST_REQUIRE(store.insert(second).has_value());
  BOOST_TEST(store.consume_credits("GGGGGGGGGGGG", plan, 4, utc(dec04_1300))->remaining == 6u);  // 10 - 4
  // Erasing the first key keeps the balance the second spends: 6 - 1.
  BOOST_TEST_REQUIRE(store.erase("GGGGGGGGGGGG").has_value());
  BOOST_TEST(store.consume_credits("GGGGGGGGGGGG", plan, 1, utc(dec04_1300))->remaining == 5u);
  // A modify that does not touch the credits keeps it too: 5 - 1.
  BOOST_TEST_REQUIRE(store.modify("HHHHHHHHHHHH", [](keys::key_record& r) { return set_owner(r, "acct2"); }).has_value());
  BOOST_TEST(store.consume_credits("GGGGGGGGGGGG", plan, 1, utc(dec04_1300))->remaining == 4u);
  // Taking the credits away and giving them back with a raw modify refills nothing (as in Redis): 4 - 1.
  for (const bool metered : {false, true}) {
    BOOST_TEST_REQUIRE(store.modify("HHHHHHHHHHHH", [&](keys::key_record& r) -> keyward::result<void> {
      r.credits = metered ? std::optional<keys::credit_plan>(plan) : std::nullopt;
      return {};
    }).has_value());
  }
  BOOST_TEST(store.consume_credits("GGGGGGGGGGGG", plan, 1, utc(dec04_1300))->remaining == 3u);
  // Erasing a key and inserting it again finds its balance as it was: 10 - 10 = 0, still 0 afterwards.
  keys::key_record alone = record_of("JJJJJJJJJJJJ", "acct");
  alone.credits = plan;
  BOOST_TEST_REQUIRE(store.insert(alone).has_value());
  BOOST_TEST(store.consume_credits("JJJJJJJJJJJJ", plan, 10, utc(dec04_1300))->remaining == 0u);
  BOOST_TEST_REQUIRE(store.erase("JJJJJJJJJJJJ").has_value());
  BOOST_TEST_REQUIRE(store.insert(alone).has_value());
  BOOST_TEST(!store.consume_credits("JJJJJJJJJJJJ", plan, 1, utc(dec04_1300))->allowed);
  // Only a reset forgets it: the next spend starts from the allowance, 10 - 0.
  BOOST_TEST(store.reset_credits("JJJJJJJJJJJJ").has_value());
  BOOST_TEST(store.consume_credits("JJJJJJJJJJJJ", plan, 0, utc(dec04_1300))->remaining == 10u);
}

BOOST_AUTO_TEST_CASE(a_daily_balance_then_a_monthly_plan_is_not_bricked) {
  // No reset between them (a store without reset_credits, a stale snapshot, a rotated pair): Dec 4 13:00,
  // daily 3 spends 2 (1 left, day 20791); a monthly 50 plan then draws on that day's balance (1 - 1 = 0) and
  // is refused, with the refill at Dec 5 00:00; at Dec 5 00:00 the day has ended and the balance becomes the
  // monthly allowance of month 683 (50 - 1 = 49, refilled at Jan 1). Before the fix the day index 20791 was
  // compared with month 683 as if both were months: no refill before the year 3702.
  auto store = *keys::memory_store::make();
  const std::string_view id = "KKKKKKKKKKKK";
  const keys::credit_plan daily{3, keys::credit_refill::daily};
  const keys::credit_plan monthly{50, keys::credit_refill::monthly};
  BOOST_TEST(store.consume_credits(id, daily, 2, utc(dec04_1300))->remaining == 1u);
  BOOST_TEST(store.consume_credits(id, monthly, 1, utc(dec04_1300))->remaining == 0u);
  auto spent = *store.consume_credits(id, monthly, 1, utc(dec04_1300));
  BOOST_TEST(!spent.allowed);
  BOOST_TEST((spent.refills_at == utc_point(dec05)));
  spent = *store.consume_credits(id, monthly, 1, utc(dec05));
  BOOST_TEST(spent.allowed);
  BOOST_TEST(spent.remaining == 49u);
  BOOST_TEST((spent.refills_at == utc_point(jan01)));
  // And back to daily: a coarser (monthly) balance is refilled at once as daily 3: 3 - 1 = 2.
  spent = *store.consume_credits(id, daily, 1, utc(dec05 + 60));
  BOOST_TEST(spent.remaining == 2u);
  BOOST_TEST((spent.refills_at == utc_point(dec06)));
}
