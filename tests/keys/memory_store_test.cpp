// Tests for include/keyward/keys/memory_store.hpp: insert, find, modify (copy-on-write snapshots), erase,
// keys_of, and a thread-safety smoke test (readers verifying while a writer rotates), which is also run
// under -fsanitize=thread.
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
