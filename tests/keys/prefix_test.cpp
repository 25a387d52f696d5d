// Tests for include/keyward/keys/prefix.hpp: classification by the longest prefix. Expected values are the
// prefixes written out in each table (Stripe's documented key prefixes, GitHub's "Behind GitHub's new
// authentication token formats", npm's `npm_`) and a plain linear scan written here as the reference; the
// compile-time rejection of malformed tables is checked by static_assert on find_prefix_problem() here and by
// tests/keys/prefix_compile_fail.py, which compiles malformed tables and expects the compiler to refuse them.
#define BOOST_TEST_MODULE keys_prefix
#include <boost/test/unit_test.hpp>

#include <keyward/keys/prefix.hpp>

#include "support/test_support.hpp"

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::keys::key_environment;
using keyward::keys::key_kind;
using keyward::keys::make_prefix_table;
using keyward::keys::prefix_entry;
using keyward::keys::prefix_problem;
using keyward::keys::prefix_set;

namespace {

// Users' own prefixes, nested: the longest must win.
constexpr auto acme_prefixes = make_prefix_table({
    {"acme_", "acme", key_kind::custom, key_environment::unspecified, "legacy"},
    {"acme_sk_live_", "acme", key_kind::secret, key_environment::live},
    {"acme_sk_test_", "acme", key_kind::secret, key_environment::test},
    {"acme_sk_", "acme", key_kind::secret, key_environment::unspecified},
    {"a", "acme", key_kind::custom, key_environment::unspecified, "tiny"},
    {"acme-pk_live_", "acme", key_kind::publishable, key_environment::live},
    {"Z9_", "acme", key_kind::restricted, key_environment::test},
    {"0123456789abcdefghijABCDEFGHIJ_-", "acme", key_kind::webhook_secret, key_environment::live},  // 32 bytes
});

// Compile-time classification and table checks.
constexpr auto stripe_live = keyward::keys::stripe_prefixes.classify("sk_live_51Habc");
static_assert(stripe_live.has_value());
static_assert(stripe_live.value().kind == key_kind::secret);
static_assert(stripe_live.value().environment == key_environment::live);
constexpr auto acme_longest = acme_prefixes.classify("acme_sk_live_x");
static_assert(acme_longest.value().prefix == "acme_sk_live_");
static_assert(!keyward::keys::stripe_prefixes.classify("sk_live"));

constexpr prefix_entry empty_one[] = {{"", "x", key_kind::secret, key_environment::live}};
constexpr prefix_entry twice[] = {{"ab_", "x", key_kind::secret, key_environment::live},
                                  {"cd_", "x", key_kind::secret, key_environment::live},
                                  {"ab_", "x", key_kind::secret, key_environment::test}};
constexpr prefix_entry dotted[] = {{"ab.", "x", key_kind::secret, key_environment::live}};
constexpr prefix_entry high_byte[] = {{"ab\xc3\xa9", "x", key_kind::secret, key_environment::live}};
constexpr prefix_entry too_long[] = {{"abcdefghijabcdefghijabcdefghijabc", "x", key_kind::secret, key_environment::live}};
constexpr prefix_entry longest_allowed[] = {{"abcdefghijabcdefghijabcdefghijab", "x", key_kind::secret, key_environment::live}};
static_assert(keyward::keys::find_prefix_problem(empty_one) == prefix_problem::empty_prefix);
static_assert(keyward::keys::find_prefix_problem(twice) == prefix_problem::duplicate_prefix);
static_assert(keyward::keys::find_prefix_problem(dotted) == prefix_problem::invalid_prefix_byte);
static_assert(keyward::keys::find_prefix_problem(high_byte) == prefix_problem::invalid_prefix_byte);
static_assert(keyward::keys::find_prefix_problem(too_long) == prefix_problem::prefix_too_long);
static_assert(keyward::keys::find_prefix_problem(longest_allowed) == prefix_problem::none);

// The reference: every entry whose prefix begins the key, the longest kept.
const prefix_entry* linear_longest(const prefix_set& set, std::string_view key) {
  const prefix_entry* best = nullptr;
  for (const prefix_entry& entry : set) {
    if (key.substr(0, entry.prefix.size()) == entry.prefix && (best == nullptr || entry.prefix.size() > best->prefix.size()))
      best = &entry;
  }
  return best;
}

bool same(const prefix_entry& a, const prefix_entry& b) {
  return a.prefix == b.prefix && a.vendor == b.vendor && a.kind == b.kind && a.environment == b.environment &&
         a.kind_name == b.kind_name;
}

void check_against_reference(const prefix_set& set, std::string_view key) {
  const auto got = set.classify(key);
  const prefix_entry* want = linear_longest(set, key);
  if (want == nullptr) {
    BOOST_TEST_REQUIRE(!got.has_value(), "key " << key);
    BOOST_TEST(got.error() == errc::key_unknown_prefix);
    BOOST_TEST(!got.error().has_offset());
  } else {
    BOOST_TEST_REQUIRE(got.has_value(), "key " << key);
    BOOST_TEST(same(*got, *want), "key " << key);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(stripe_table) {
  struct row {
    std::string_view key;
    key_kind kind;
    key_environment environment;
  };
  const row rows[] = {
      {"sk_live_4eC39HqLyjWDarjtT1zdp7dc", key_kind::secret, key_environment::live},
      {"sk_test_4eC39HqLyjWDarjtT1zdp7dc", key_kind::secret, key_environment::test},
      {"pk_live_TYooMQauvdEDq54NiTphI7jx", key_kind::publishable, key_environment::live},
      {"pk_test_TYooMQauvdEDq54NiTphI7jx", key_kind::publishable, key_environment::test},
      {"rk_live_abc", key_kind::restricted, key_environment::live},
      {"rk_test_", key_kind::restricted, key_environment::test},
      {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key_kind::webhook_secret, key_environment::unspecified},
  };
  for (const row& r : rows) {
    const auto got = keyward::keys::stripe_prefixes.classify(r.key);
    BOOST_TEST_REQUIRE(got.has_value(), r.key);
    BOOST_TEST(r.key.substr(0, got->prefix.size()) == got->prefix);
    BOOST_TEST(got->vendor == "stripe");
    BOOST_TEST((got->kind == r.kind));
    BOOST_TEST((got->environment == r.environment));
    BOOST_TEST(got->kind_name.empty());
  }
  for (const std::string_view key : {""sv, "s"sv, "sk_"sv, "sk_live"sv, "SK_LIVE_abc"sv, "sk-live_abc"sv, "xsk_live_"sv,
                                     "whsec"sv, "sk_prod_abc"sv, " sk_live_abc"sv}) {
    const auto got = keyward::keys::stripe_prefixes.classify(key);
    BOOST_TEST_REQUIRE(!got.has_value(), key);
    BOOST_TEST(got.error() == errc::key_unknown_prefix);
  }
  BOOST_TEST(keyward::keys::stripe_prefixes.size() == 7u);
}

BOOST_AUTO_TEST_CASE(live_test_and_leaked_tables) {
  const auto live = keyward::keys::live_test_prefixes.classify("live_ScaleRocks");
  BOOST_TEST_REQUIRE(live.has_value());
  BOOST_TEST(live->prefix == "live_");
  BOOST_TEST((live->kind == key_kind::secret && live->environment == key_environment::live));
  const auto test = keyward::keys::live_test_prefixes.classify("test_abc");
  BOOST_TEST_REQUIRE(test.has_value());
  BOOST_TEST((test->environment == key_environment::test));
  BOOST_TEST(!keyward::keys::live_test_prefixes.classify("Live_abc"));
  BOOST_TEST(!keyward::keys::live_test_prefixes.classify("sk_live_abc"));

  struct row {
    std::string_view token, prefix, vendor;
  };
  const row rows[] = {{"ghp_abc", "ghp_", "github"}, {"gho_abc", "gho_", "github"}, {"ghu_abc", "ghu_", "github"},
                      {"ghs_abc", "ghs_", "github"}, {"ghr_abc", "ghr_", "github"},
                      {"github_pat_11ABC", "github_pat_", "github"}, {"npm_abc", "npm_", "npm"}};
  for (const row& r : rows) {
    const auto got = keyward::keys::leaked_token_prefixes.classify(r.token);
    BOOST_TEST_REQUIRE(got.has_value(), r.token);
    BOOST_TEST(got->prefix == r.prefix);
    BOOST_TEST(got->vendor == r.vendor);
    BOOST_TEST((got->kind == key_kind::secret && got->environment == key_environment::unspecified));
  }
  for (const std::string_view token : {"gh_abc"sv, "ghx_abc"sv, "github_abc"sv, "github_pa_x"sv, "npm"sv, "NPM_x"sv})
    BOOST_TEST(!keyward::keys::leaked_token_prefixes.classify(token), token);
}

BOOST_AUTO_TEST_CASE(longest_prefix_wins) {
  struct row {
    std::string_view key, prefix;
  };
  const row rows[] = {
      {"acme_sk_live_abc", "acme_sk_live_"}, {"acme_sk_test_abc", "acme_sk_test_"}, {"acme_sk_prod_x", "acme_sk_"},
      {"acme_sk_live", "acme_sk_"},          {"acme_x", "acme_"},                   {"acme", "a"},
      {"acme-pk_live_Q", "acme-pk_live_"},   {"acme-pk_live", "a"},                 {"a", "a"},
      {"Z9_", "Z9_"},                        {"0123456789abcdefghijABCDEFGHIJ_-rest", "0123456789abcdefghijABCDEFGHIJ_-"},
  };
  for (const row& r : rows) {
    const auto got = acme_prefixes.classify(r.key);
    BOOST_TEST_REQUIRE(got.has_value(), r.key);
    BOOST_TEST(got->prefix == r.prefix, r.key);
  }
  const auto legacy = acme_prefixes.classify("acme_abc");
  BOOST_TEST((legacy->kind == key_kind::custom));
  BOOST_TEST(keyward::keys::kind_name_of(*legacy) == "legacy");
  BOOST_TEST(keyward::keys::kind_name_of(*acme_prefixes.classify("acme_sk_live_")) == "secret");
  BOOST_TEST(!acme_prefixes.classify("Z9"));
  BOOST_TEST(!acme_prefixes.classify("0123456789abcdefghijABCDEFGHIJ_"));
  BOOST_TEST(!acme_prefixes.classify(""));
}

BOOST_AUTO_TEST_CASE(agrees_with_a_linear_scan) {
  // Random keys built from pieces of the tables' prefixes and random bytes, so that most share a start with
  // some prefix; each table's trie must agree with the linear scan on every one.
  const prefix_set sets[] = {keyward::keys::stripe_prefixes, keyward::keys::live_test_prefixes,
                             keyward::keys::leaked_token_prefixes, acme_prefixes};
  std::mt19937_64 rng(12);
  const std::string bytes = "_-aAzZ09ghpknstlive\xff\x80 .";
  std::size_t found = 0;
  for (const prefix_set& set : sets) {
    std::vector<std::string_view> prefixes;
    for (const prefix_entry& entry : set) prefixes.push_back(entry.prefix);
    for (int n = 0; n < 4000; ++n) {
      std::string key;
      const std::string_view base = prefixes[rng() % prefixes.size()];
      key.append(base.substr(0, rng() % (base.size() + 1)));
      const std::size_t extra = rng() % 4;
      for (std::size_t i = 0; i < extra; ++i) key.push_back(bytes[rng() % bytes.size()]);
      if (rng() % 3 == 0) key.append(prefixes[rng() % prefixes.size()]);
      check_against_reference(set, key);
      if (set.classify(key)) ++found;
    }
  }
  BOOST_TEST(found > 2000u);  // the keys do hit prefixes
}

BOOST_AUTO_TEST_CASE(sets_and_tables_agree) {
  const prefix_set set = acme_prefixes;
  BOOST_TEST(set.size() == acme_prefixes.size());
  BOOST_TEST(set.begin() == acme_prefixes.entries().data());
  const prefix_set copy = set;  // cheap to copy, same view
  BOOST_TEST(copy.classify("acme_sk_test_1")->prefix == "acme_sk_test_");
  BOOST_TEST(acme_prefixes.set().classify("Z9_x")->prefix == "Z9_");

  const prefix_set empty;
  BOOST_TEST(empty.size() == 0u);
  BOOST_TEST(empty.begin() == empty.end());
  BOOST_TEST(empty.classify("sk_live_x").error() == errc::key_unknown_prefix);
  BOOST_TEST(empty.classify("").error() == errc::key_unknown_prefix);
}

BOOST_AUTO_TEST_CASE(runtime_make_reports_problems) {
  const prefix_entry good[] = {{"x_", "x", key_kind::secret, key_environment::live},
                               {"x_y_", "x", key_kind::secret, key_environment::test}};
  const auto made = keyward::keys::prefix_table<2>::make(good);
  BOOST_TEST_REQUIRE(made.has_value());
  BOOST_TEST(made->classify("x_y_z")->prefix == "x_y_");

  const auto duplicate = keyward::keys::prefix_table<3>::make(twice);
  BOOST_TEST_REQUIRE(!duplicate.has_value());
  BOOST_TEST(duplicate.error() == keyward::error(errc::key_invalid_format, 2));
  BOOST_TEST(keyward::keys::prefix_table<1>::make(empty_one).error() == keyward::error(errc::key_invalid_format, 0));
  BOOST_TEST(keyward::keys::prefix_table<1>::make(dotted).error() == errc::key_invalid_format);
  BOOST_TEST(keyward::keys::prefix_table<1>::make(too_long).error() == errc::key_invalid_format);
  BOOST_TEST(keyward::keys::prefix_table<1>::make(longest_allowed).has_value());

  std::size_t at = 99;
  BOOST_TEST((keyward::keys::find_prefix_problem(twice, &at) == prefix_problem::duplicate_prefix));
  BOOST_TEST(at == 2u);
}

BOOST_AUTO_TEST_CASE(names) {
  BOOST_TEST(keyward::keys::to_string(key_kind::secret) == "secret"sv);
  BOOST_TEST(keyward::keys::to_string(key_kind::publishable) == "publishable"sv);
  BOOST_TEST(keyward::keys::to_string(key_kind::restricted) == "restricted"sv);
  BOOST_TEST(keyward::keys::to_string(key_kind::webhook_secret) == "webhook_secret"sv);
  BOOST_TEST(keyward::keys::to_string(key_kind::custom) == "custom"sv);
  BOOST_TEST(keyward::keys::to_string(static_cast<key_kind>(77)) == "unknown"sv);
  BOOST_TEST(keyward::keys::to_string(key_environment::live) == "live"sv);
  BOOST_TEST(keyward::keys::to_string(key_environment::test) == "test"sv);
  BOOST_TEST(keyward::keys::to_string(key_environment::unspecified) == "unspecified"sv);
  BOOST_TEST(keyward::keys::to_string(static_cast<key_environment>(9)) == "unknown"sv);
}

BOOST_AUTO_TEST_CASE(compressed_index_edges) {
  // Nested prefixes along one 32-byte chain, ending at lengths around the 8-byte labels (1, 7, 8, 9, 16,
  // 17, 18, 26, 32), with branches inside it and beside it: every truncation of the chain, with every
  // position changed, and with bytes after it, agrees with the linear scan (keys shorter than 8 bytes past
  // a label take the byte-by-byte load).
  static constexpr std::string_view chain = "abcdefghijklmnopqrstuvwxyz012345";
  constexpr auto nested = make_prefix_table({
      {chain.substr(0, 1), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 7), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 8), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 9), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 16), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 17), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 18), "t", key_kind::secret, key_environment::live},
      {chain.substr(0, 26), "t", key_kind::secret, key_environment::live},
      {chain, "t", key_kind::secret, key_environment::live},
      {"abcdefghijklmnopqrstuvwxyz01234_", "t", key_kind::secret, key_environment::test},
      {"abcdefghij_", "t", key_kind::secret, key_environment::test},
      {"abcdefghijklmnopqrstuvwxyZ", "t", key_kind::secret, key_environment::test},
      {"b", "t", key_kind::secret, key_environment::test},
      {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "t", key_kind::secret, key_environment::test},
      {"-", "t", key_kind::secret, key_environment::test},
  });
  static_assert(nested.classify("abcdefghijklmnopqrstuvwxyz0123456789").value().prefix == chain);
  static_assert(nested.classify("abcdefghiX").value().prefix == "abcdefghi");
  static_assert(nested.classify("abcdefghij_xyz").value().prefix == "abcdefghij_");
  const std::string tails[] = {"", "_", "x", "0123456789", "\xff", "_-_-_-_-_-_-_-_-"};
  for (std::size_t length = 0; length <= chain.size(); ++length) {
    for (const std::string& tail : tails) {
      std::string key = std::string(chain.substr(0, length)) + tail;
      check_against_reference(nested, key);
      for (std::size_t at = 0; at < length; ++at) {
        const char kept = key[at];
        for (const char c : {'_', '-', 'A', 'z', '0', '\x80'}) {
          key[at] = c;
          check_against_reference(nested, key);
        }
        key[at] = kept;
      }
    }
  }
  for (std::size_t length = 0; length <= 40; ++length) check_against_reference(nested, std::string(length, 'b'));
}

// A table shaped to need many index nodes (every entry a 32-byte prefix, nested entries along chains,
// branches at each level) still builds within its reserved capacity at compile time.
constexpr auto many_nodes = make_prefix_table({
    {"a", "t", key_kind::secret, key_environment::live},
    {"ab", "t", key_kind::secret, key_environment::live},
    {"abc", "t", key_kind::secret, key_environment::live},
    {"abcdefghijabcdefghijabcdefghij01", "t", key_kind::secret, key_environment::live},
    {"abcdefghijabcdefghijabcdefghij02", "t", key_kind::secret, key_environment::live},
    {"abcdefghiXabcdefghijabcdefghij01", "t", key_kind::secret, key_environment::live},
    {"abcdefghijabcdefghYjabcdefghij01", "t", key_kind::secret, key_environment::live},
    {"0bcdefghijabcdefghijabcdefghij01", "t", key_kind::secret, key_environment::live},
    {"1bcdefghijabcdefghijabcdefghij01", "t", key_kind::secret, key_environment::live},
    {"2", "t", key_kind::secret, key_environment::live},
});
constexpr auto many_nodes_long = many_nodes.classify("abcdefghijabcdefghYjabcdefghij01xyz");
static_assert(many_nodes_long.value().prefix == "abcdefghijabcdefghYjabcdefghij01");
constexpr auto many_nodes_short = many_nodes.classify("abcdefghijabcdefghYjabcdefghij0");
static_assert(many_nodes_short.value().prefix == "abc");
static_assert(!many_nodes.classify("1bcdefghijabcdefghijabcdefghij0").has_value());
