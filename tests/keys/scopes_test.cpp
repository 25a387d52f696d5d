// Tests for include/keyward/keys/scopes.hpp: scope sets, all-of / any-of requirements, and the scope table
// of user-named scopes. Scope-token syntax from RFC 6749 appendix A.4 (%x21 / %x23-5B / %x5D-7E) and the
// space-separated list of RFC 6749 section 3.3; the built-in names are those of the issue (read, write,
// admin, webhook).
#define BOOST_TEST_MODULE keys_scopes
#include <boost/test/unit_test.hpp>

#include <keyward/keys/scopes.hpp>

#include "support/test_support.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace keys = keyward::keys;
using keyward::errc;
using keys::scope_set;
namespace scopes = keys::scopes;

BOOST_AUTO_TEST_CASE(built_in_scopes_are_bits_0_to_3) {
  BOOST_TEST(scopes::read.bits() == 1u);
  BOOST_TEST(scopes::write.bits() == 2u);
  BOOST_TEST(scopes::admin.bits() == 4u);
  BOOST_TEST(scopes::webhook.bits() == 8u);
  BOOST_TEST(scope_set::bit(63).bits() == 0x8000000000000000u);
  BOOST_TEST(scope_set::bit(64).empty());
  static_assert((scopes::read | scopes::write).contains(scopes::write), "contains");
  static_assert(!scopes::read.contains(scopes::read | scopes::write), "contains all");
  static_assert((scopes::read | scopes::admin).intersects(scopes::admin | scopes::webhook), "intersects");
  static_assert(!scopes::read.intersects(scopes::write), "disjoint");
}

BOOST_AUTO_TEST_CASE(all_of_and_any_of) {
  const scope_set granted = scopes::read | scopes::webhook;
  BOOST_TEST(scopes::all_of(scopes::read).satisfied_by(granted));
  BOOST_TEST(scopes::all_of(scopes::read, scopes::webhook).satisfied_by(granted));
  BOOST_TEST(!scopes::all_of(scopes::read, scopes::write).satisfied_by(granted));
  BOOST_TEST(scopes::any_of(scopes::write, scopes::webhook).satisfied_by(granted));
  BOOST_TEST(!scopes::any_of(scopes::write, scopes::admin).satisfied_by(granted));
  // No scope required: every key, even one without scopes, meets it, in both modes.
  BOOST_TEST(scopes::none.satisfied_by(scope_set()));
  BOOST_TEST(scopes::all_of().satisfied_by(scope_set()));
  BOOST_TEST(scopes::any_of().satisfied_by(scope_set()));
  BOOST_TEST(!scopes::any_of(scopes::read).satisfied_by(scope_set()));
  static_assert(scopes::all_of(scopes::read, scopes::write).required.bits() == 3u, "constexpr");
}

BOOST_AUTO_TEST_CASE(a_table_names_bits_4_to_63) {
  const auto table = keys::scope_table::make({"billing", "reports:read", "x"});
  BOOST_TEST_REQUIRE(table.has_value());
  BOOST_TEST(table->named_count() == 3u);
  BOOST_TEST(table->find("read")->bits() == 1u);
  BOOST_TEST(table->find("webhook")->bits() == 8u);
  BOOST_TEST(table->find("billing")->bits() == 16u);
  BOOST_TEST(table->find("reports:read")->bits() == 32u);
  BOOST_TEST(table->find("x")->bits() == 64u);
  BOOST_TEST(table->find("Billing").error() == errc::key_invalid_scope);  // case-sensitive
  BOOST_TEST(table->name_of(4) == "billing");
  BOOST_TEST(table->name_of(7).empty());
  BOOST_TEST(table->parse("read billing x")->bits() == (1u | 16u | 64u));
  BOOST_TEST(table->parse("")->empty());
  BOOST_TEST(table->parse("read  billing").error() == keyward::error(errc::key_invalid_scope, 5));
  BOOST_TEST(table->parse("read ").error() == keyward::error(errc::key_invalid_scope, 5));
  BOOST_TEST(table->parse(" read").error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(table->parse("read nope").error() == keyward::error(errc::key_invalid_scope, 5));
  BOOST_TEST((table->all_of("read billing")->match == keys::scope_match::all_of));
  BOOST_TEST((table->any_of("read billing")->match == keys::scope_match::any_of));
  // Back to names, in bit order, single spaces: an RFC 6749 scope value.
  BOOST_TEST(table->names(scopes::write | scopes::read | *table->find("x")) == "read write x");
  BOOST_TEST(table->names(scope_set::bit(40)).empty());  // unnamed bits are left out
  char small[5];
  BOOST_TEST(table->write_names(scopes::read | scopes::write, small, sizeof small).error() == errc::buffer_too_small);
  BOOST_TEST(*table->write_names(scopes::read, small, sizeof small) == 4u);
}

BOOST_AUTO_TEST_CASE(bad_tables_are_refused_with_the_index_of_the_name) {
  BOOST_TEST(keys::scope_table::make({"ok", ""}).error() == keyward::error(errc::key_invalid_scope, 1));
  BOOST_TEST(keys::scope_table::make({"a b"}).error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(keys::scope_table::make({"quote\""}).error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(keys::scope_table::make({"back\\slash"}).error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(keys::scope_table::make({"caf\xc3\xa9"}).error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(keys::scope_table::make({"admin"}).error() == keyward::error(errc::key_invalid_scope, 0));
  BOOST_TEST(keys::scope_table::make({"a", "b", "a"}).error() == keyward::error(errc::key_invalid_scope, 2));
  BOOST_TEST(keys::scope_table::make({std::string_view(std::string(256, 'a'))}).error() == errc::key_invalid_scope);
  // Every byte RFC 6749 allows is accepted: ! # $ ... [ ] ... ~
  BOOST_TEST(keys::scope_table::make({"!#$%&'()*+,-./:;<=>?@[]^_`{|}~"}).has_value());
  // 60 names fill bits 4 to 63; the 61st is one too many.
  std::vector<std::string> names;
  for (int i = 0; i < 61; ++i) names.push_back("s" + std::to_string(i));
  std::vector<std::string_view> views(names.begin(), names.end());
  const auto full = keys::scope_table::make(views.data(), 60);
  BOOST_TEST_REQUIRE(full.has_value());
  BOOST_TEST(full->find("s59")->bits() == 0x8000000000000000u);
  BOOST_TEST(keys::scope_table::make(views.data(), 61).error() == keyward::error(errc::key_invalid_scope, 60));
}
