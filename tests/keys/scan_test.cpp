// Tests for include/keyward/keys/scan.hpp: keys planted by the test at known offsets (every offset of a buffer,
// every split point of a stream) must be found exactly there and redacted exactly so; look-alikes (a wrong
// checksum, a byte out of the alphabet, a prefix inside a longer word, too short, too long) must not be. The
// keys are published examples (GitHub's and npm's from tests/vectors, keyward-format keys whose checksums
// Python computed in tests/vectors/keys/keyward_format.txt, Stripe's documented test key) and keys made by
// keys::generate_key. Expected offsets, lengths and redacted texts are where and what the test planted,
// never what the scanner computed. Runs once per kernel (KEYWARD_TEST_ISA), and compares every kernel the
// machine has on the same texts.
#define BOOST_TEST_MODULE keys_scan
#include <boost/test/unit_test.hpp>

#include <keyward/kernels.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/scan.hpp>

#include "support/count_allocations.hpp"
#include "support/forced_isa.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

struct kernel_from_environment {
  kernel_from_environment() { BOOST_TEST_MESSAGE("kernel: " << keyward_test::force_kernel_from_environment()); }
};
BOOST_TEST_GLOBAL_FIXTURE(kernel_from_environment);

namespace {

namespace keys = keyward::keys;
using keyward::errc;
using keys::key_environment;
using keys::key_kind;
using keys::scan_alphabet;
using keys::scan_match;
using keys::scan_pattern;
using keys::scan_source;
using keys::scanner;
using keys::scanner_options;

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// The same table as TABLES["acme"] in tests/keys/format_crosscheck.py (it has a 1-byte prefix, "x").
constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_", "acme", key_kind::secret, key_environment::unspecified},
    {"acme_sk_live_", "acme", key_kind::secret, key_environment::live},
    {"acme_sk_test_", "acme", key_kind::secret, key_environment::test},
    {"x", "acme", key_kind::custom, key_environment::test, "x"},
});

keys::prefix_set table_named(std::string_view name) {
  if (name == "stripe") return keys::stripe_prefixes;
  if (name == "live_test") return keys::live_test_prefixes;
  return acme_prefixes;
}

// A published GitHub token (DataDog's secret-scanner vector, also in tests/keys/format_test.cpp), and the same
// random part under npm_.
const std::string github_token = "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";
const std::string npm_token = "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";
// Stripe's documented test secret key (stripe.com/docs/api/authentication): sk_test_ + 24 base62.
const std::string stripe_doc_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

struct vector_line {
  std::string table, expected, key;
};

std::vector<vector_line> keyward_vectors() {
  std::istringstream in(keyward_test::read_vector_file("keys/keyward_format.txt"));
  std::vector<vector_line> lines;
  vector_line line;
  while (in >> line.table >> line.expected >> line.key) lines.push_back(line);
  return lines;
}

std::vector<std::string> github_fixtures() {
  std::istringstream in(keyward_test::read_vector_file("keys/github_tokens_base62-token-js_fixtures.txt"));
  std::vector<std::string> tokens;
  for (std::string token; in >> token;) tokens.push_back(token);
  return tokens;
}

std::vector<scan_pattern> stripe_patterns() {
  return {std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns)};
}

scanner make_scanner(scanner_options options) {
  auto made = scanner::make(std::move(options));
  BOOST_TEST_REQUIRE(made.has_value());
  return *made;
}

// Keyward keys of acme and stripe, GitHub and npm tokens, Stripe patterns: every source at once.
scanner full_scanner(keys::prefix_set set = acme_prefixes) {
  return make_scanner({set, true, stripe_patterns()});
}

// What the test planted: a key at `offset` whose first `shown` bytes stay when redacting.
struct planted {
  std::size_t offset, length, shown;
  scan_source source;
};

// Bytes that are never word bytes: separators, punctuation, and a UTF-8 sequence (é).
constexpr std::string_view separators = " \t\n.,;:=\"'()[]{}<>/\\|!?@#$%^&*+~`\xc3\xa9";

std::string filler(std::mt19937& rng, std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < size; ++i) text.push_back(separators[rng() % separators.size()]);
  return text;
}

// `text` with the secret bytes of every planted key replaced by '*'.
std::string redacted_by_hand(std::string text, const std::vector<planted>& keys_planted) {
  for (const planted& p : keys_planted)
    for (std::size_t i = p.offset + p.shown; i < p.offset + p.length; ++i) text[i] = '*';
  return text;
}

void check_matches(const std::vector<scan_match>& found, const std::vector<planted>& want, const std::string& what) {
  BOOST_TEST_REQUIRE(found.size() == want.size(), what);
  for (std::size_t i = 0; i < want.size(); ++i) {
    BOOST_TEST(found[i].offset == want[i].offset, what);
    BOOST_TEST(found[i].length == want[i].length, what);
    BOOST_TEST(found[i].public_length == want[i].shown, what);
    BOOST_TEST((found[i].source == want[i].source), what);
  }
}

std::vector<scan_match> stream_scan(keys::stream_scanner& stream, std::string_view text,
                                    const std::vector<std::size_t>& cuts) {
  std::vector<scan_match> found;
  auto add = [&found](const scan_match& m) { found.push_back(m); };
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    cut = std::min(std::max(cut, at), text.size());
    stream.feed(text.substr(at, cut - at), add);
    at = cut;
  }
  stream.feed(text.substr(at), add);
  stream.finish(add);
  return found;
}

std::string stream_redact(keys::stream_redactor& redactor, std::string_view text, const std::vector<std::size_t>& cuts,
                          std::size_t max_held, std::size_t& count) {
  std::string out;
  std::size_t at = 0;
  count = 0;
  for (std::size_t cut : cuts) {
    cut = std::min(std::max(cut, at), text.size());
    count += redactor.write(text.substr(at, cut - at), out);
    at = cut;
    BOOST_TEST(out.size() + max_held >= at);  // holds back at most max_match_length() bytes
    BOOST_TEST(out.size() <= at);
  }
  count += redactor.write(text.substr(at), out);
  count += redactor.finish(out);
  return out;
}

// Every check of one text: scan, both redactions, the stream forms cut at `cuts`.
void check_text(const scanner& s, const std::string& text, const std::vector<planted>& want,
                const std::vector<std::vector<std::size_t>>& cuttings, const std::string& what) {
  check_matches(s.scan(text), want, what);
  const std::string expected = redacted_by_hand(text, want);
  std::string copy = text;
  BOOST_TEST(s.redact_in_place(copy) == want.size(), what);
  BOOST_TEST(copy == expected, what);
  keys::stream_scanner stream(s);
  keys::stream_redactor redactor(s);
  for (const auto& cuts : cuttings) {
    check_matches(stream_scan(stream, text, cuts), want, what + " (stream)");
    std::size_t count = 0;
    BOOST_TEST(stream_redact(redactor, text, cuts, s.max_match_length(), count) == expected, what + " (stream)");
    BOOST_TEST(count == want.size(), what);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(make_refuses_bad_options) {
  const keys::prefix_entry entry{"tok_", "acme", key_kind::secret, key_environment::live};
  const auto refused = [](std::vector<scan_pattern> patterns, std::size_t at) {
    const auto made = scanner::make({{}, true, std::move(patterns)});
    BOOST_TEST_REQUIRE(!made.has_value());
    BOOST_TEST(made.error().code() == errc::key_invalid_options);
    BOOST_TEST(made.error().offset() == at);
  };
  const scan_pattern good{entry, scan_alphabet::hex, 32, 32};
  // an empty prefix
  refused({good, {{"", "acme", key_kind::secret, key_environment::live}, scan_alphabet::hex, 1, 2}}, 1);
  refused({{entry, scan_alphabet::hex, 33, 32}}, 0);                                                     // min > max
  refused({{entry, scan_alphabet::hex, 0, 32}}, 0);                                                      // min 0
  refused({good, good, {entry, scan_alphabet::hex, 1, keys::max_pattern_body_length + 1}}, 2);           // max too big
  refused({{{"to k_", "acme", key_kind::secret, key_environment::live}, scan_alphabet::hex, 1, 2}}, 0);  // a space
  refused({{{std::string_view("abcdefghijklmnopqrstuvwxyz0123456"), "acme", key_kind::secret, key_environment::live},
            scan_alphabet::hex, 1, 2}},
          0);  // 33 bytes
  refused({{entry, static_cast<scan_alphabet>(4), 1, 2}}, 0);
  refused(std::vector<scan_pattern>(keys::max_scan_patterns + 1, good), keys::max_scan_patterns);
  // nothing to look for
  const auto nothing = scanner::make({{}, false, {}});
  BOOST_TEST_REQUIRE(!nothing.has_value());
  BOOST_TEST(nothing.error().code() == errc::key_invalid_options);
  // the edges that are allowed
  BOOST_TEST(scanner::make({{}, false, {{entry, scan_alphabet::hex, 1, keys::max_pattern_body_length}}}).has_value());
  BOOST_TEST(scanner::make({{}, false, std::vector<scan_pattern>(keys::max_scan_patterns, good)}).has_value());
  BOOST_TEST(scanner::make({acme_prefixes, false, {}}).has_value());
  BOOST_TEST(scanner::make({}).has_value());  // GitHub and npm tokens by default
  // the longest match: a 32-byte keyward prefix + 82; a token 4 + 36; a pattern prefix + max
  BOOST_TEST(scanner::make({})->max_match_length() == 40u);
  BOOST_TEST(scanner::make({acme_prefixes, false, {}})->max_match_length() == 13u + 82u);
  BOOST_TEST(scanner::make({{}, false, {good}})->max_match_length() == 4u + 32u);
}

BOOST_AUTO_TEST_CASE(published_keys_are_found_where_planted) {
  const std::vector<vector_line> lines = keyward_vectors();
  BOOST_TEST_REQUIRE(lines.size() > 400u);
  std::size_t ok = 0;
  for (const vector_line& line : lines) {
    if (line.expected.compare(0, 3, "ok:") != 0) continue;
    const std::size_t prefix = std::stoul(line.expected.substr(3));
    const scanner s = make_scanner({table_named(line.table), false, {}});
    const std::string text = "Authorization: Bearer " + line.key + "\r\n";
    check_text(s, text, {{22, line.key.size(), prefix + 12, scan_source::keyward_key}}, {{}, {30}}, line.key);
    const auto found = s.scan(text);
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].classification.prefix == line.key.substr(0, prefix));
    ++ok;
  }
  BOOST_TEST(ok == 69u);

  const scanner tokens = make_scanner({});
  std::vector<std::string> published = github_fixtures();
  BOOST_TEST_REQUIRE(published.size() == 20u);
  published.push_back(github_token);
  published.push_back(npm_token);
  for (const std::string& token : published) {
    const std::string text = "{\"token\":\"" + token + "\"}";
    check_text(tokens, text, {{10, 40, 4, scan_source::leaked_token}}, {{}, {12}, {30}}, token);
    const auto found = tokens.scan(text);
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].classification.vendor == (token[0] == 'n' ? "npm" : "github"));
  }

  const scanner stripe = make_scanner({{}, false, stripe_patterns()});
  const std::string text = "curl https://api.stripe.com/v1/charges -u " + stripe_doc_key + ":";
  check_text(stripe, text, {{42, stripe_doc_key.size(), 8, scan_source::pattern}}, {{}, {50}}, text);
  const auto found = stripe.scan(text);
  BOOST_TEST_REQUIRE(found.size() == 1u);
  BOOST_TEST(found[0].pattern == 1u);  // sk_test_ is the second of stripe_scan_patterns
  BOOST_TEST(found[0].classification.vendor == "stripe");
  BOOST_TEST((found[0].classification.environment == key_environment::test));
  BOOST_TEST((found[0].classification.kind == key_kind::secret));
}

BOOST_AUTO_TEST_CASE(look_alikes_are_not_reported) {
  // every vector that parse_key refuses (wrong checksum, a byte out of base62, wrong length, no prefix)
  std::size_t refused = 0;
  for (const vector_line& line : keyward_vectors()) {
    if (line.expected.compare(0, 3, "ok:") == 0) continue;
    const scanner s = make_scanner({table_named(line.table), false, {}});
    const std::string text = "key=" + line.key + "\n";
    BOOST_TEST(s.scan(text).empty(), line.key);
    ++refused;
  }
  BOOST_TEST(refused > 300u);

  // GitHub tokens with one character changed
  const scanner tokens = make_scanner({});
  std::size_t k = 0;
  for (const std::string& token : github_fixtures()) {
    std::string flipped = token;
    const std::size_t at = 4 + k % 36;
    flipped[at] = base62[(base62.find(flipped[at]) + 1 + k) % 62];
    BOOST_TEST(tokens.scan(" " + flipped + " ").empty(), flipped);
    ++k;
  }

  const scanner s = full_scanner(keys::stripe_prefixes);
  const std::string key = "sk_live_kV0M5DnB6XrZDNBZfLu1Ne4vbNBviyOb0TWZzPC0aIvH4THDp8";  // ok:8 in the vectors
  const std::string body24 = "4eC39HqLyjWDarjtT1zdp7dc";
  const std::string not_found[] = {
      "x" + github_token,                                // inside a longer word
      "a_" + github_token, "a-" + github_token, "9" + github_token, "Z" + npm_token,
      github_token + "X",                                // too long: one more base62 byte
      github_token.substr(0, 39),                        // too short
      github_token.substr(0, 20) + "." + github_token.substr(21),  // a byte out of the alphabet
      "ghp-" + github_token.substr(4),                   // not the prefix
      "GHP_" + github_token.substr(4),
      "xsk_live_" + body24,                              // pattern inside a longer word
      "sk_live_" + body24.substr(1),                     // 23: too short
      "sk_live_" + body24 + body24 + body24 + body24 + body24.substr(0, 4),  // 100: too long
      "_" + key,                                         // keyward key inside a longer word
      "pk_live_" + body24,                               // a publishable key: no pattern, not a keyward key
  };
  for (const std::string& text : not_found) {
    BOOST_TEST(s.scan(text).empty(), text);
    BOOST_TEST(s.scan("(" + text + ")").empty(), text);
  }
  // keyward keys alone (the Stripe patterns, which check nothing, would take these)
  const scanner keyward_only = make_scanner({keys::stripe_prefixes, true, {}});
  BOOST_TEST(keyward_only.scan(key).size() == 1u);
  for (const std::string& text : {key + "0",                      // one more base62 byte: 51, a wrong checksum
                                  key.substr(0, key.size() - 1),  // too short for its checksum
                                  "x" + key, "-" + key}) {
    BOOST_TEST(keyward_only.scan(text).empty(), text);
    BOOST_TEST(keyward_only.scan("=" + text + "&").empty(), text);
  }
  // the end of a match only has to leave the alphabet: '-' and '_' may follow a base62 body
  check_text(s, github_token + "-x", {{0, 40, 4, scan_source::leaked_token}}, {{}}, "dash after");
  check_text(s, github_token + "_x", {{0, 40, 4, scan_source::leaked_token}}, {{}}, "underscore after");
  // the edges of a pattern's length
  const std::string body99 = body24 + body24 + body24 + body24 + "abc";
  check_text(s, "sk_live_" + body24, {{0, 32, 8, scan_source::pattern}}, {{}}, "24");
  check_text(s, "sk_live_" + body99, {{0, 107, 8, scan_source::pattern}}, {{}}, "99");
}

BOOST_AUTO_TEST_CASE(keys_in_context) {
  const scanner s = full_scanner();
  const std::string body30 = "AbCdEfGhIjKlMnOpQrStUvWxYz0123";
  const std::string stripe_key = "rk_live_" + body30;
  const std::string keys_in[] = {github_token, npm_token, stripe_key, stripe_doc_key};
  const std::string contexts[] = {
      "{}",
      "token={}",
      "token={}&next=1",
      "{\"api_key\":\"{}\",\"user\":\"bob\"}",
      "'{}'",
      "`{}`",
      "Authorization: Bearer {}\r\n",
      "GET /v1/items?key={};q=2 HTTP/1.1",
      "export GITHUB_TOKEN={}\n",
      "[{}]",
      "<key>{}</key>",
      "caf\xc3\xa9{}\xc3\xa9",
      "error: invalid key {}.",
      "{}, {}",
      "{}\t{}\n{}",
  };
  for (const std::string& key : keys_in) {
    const scan_source source = key[0] == 'r' || key[0] == 's' ? scan_source::pattern : scan_source::leaked_token;
    const std::size_t shown = source == scan_source::pattern ? 8 : 4;
    for (const std::string& context : contexts) {
      std::string text;
      std::vector<planted> want;
      for (std::size_t i = 0; i < context.size(); ++i) {
        if (context.compare(i, 2, "{}") == 0) {
          want.push_back({text.size(), key.size(), shown, source});
          text += key;
          ++i;
        } else {
          text.push_back(context[i]);
        }
      }
      check_text(s, text, want, {{}, {1}, {text.size() / 2}}, text);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_offset_of_a_buffer) {
  std::mt19937 rng(20261204);
  const scanner s = full_scanner();
  const auto made = keys::generate_key(*acme_prefixes.classify("acme_sk_live_"), 40, rng);
  BOOST_TEST_REQUIRE(made.has_value());
  const auto made_x = keys::generate_key(*acme_prefixes.classify("x"), 32, rng);  // the 1-byte prefix
  BOOST_TEST_REQUIRE(made_x.has_value());
  struct kind {
    std::string key;
    std::size_t shown;
    scan_source source;
  };
  const kind kinds[] = {
      {std::string(made->reveal()), 13 + 12, scan_source::keyward_key},
      {std::string(made_x->reveal()), 1 + 12, scan_source::keyward_key},
      {github_token, 4, scan_source::leaked_token},
      {npm_token, 4, scan_source::leaked_token},
      {stripe_doc_key, 8, scan_source::pattern},
  };
  constexpr std::size_t buffer = 200;
  for (const kind& k : kinds) {
    const std::string background = filler(rng, buffer);
    BOOST_TEST_REQUIRE(s.scan(background).empty());
    keys::stream_scanner stream(s);
    keys::stream_redactor redactor(s);
    for (std::size_t offset = 0; offset + k.key.size() <= buffer; ++offset) {
      std::string text = background;
      text.replace(offset, k.key.size(), k.key);
      const std::vector<planted> want = {{offset, k.key.size(), k.shown, k.source}};
      const std::string what = k.key + " at " + std::to_string(offset);
      check_matches(s.scan(text), want, what);
      // the key alone at the end of the text too
      check_matches(s.scan(std::string_view(text).substr(0, offset + k.key.size())), want, what + " (end)");
      std::string copy = text;
      BOOST_TEST(s.redact_in_place(copy) == 1u);
      BOOST_TEST(copy == redacted_by_hand(text, want), what);
      // every split point, in two chunks
      for (std::size_t cut = 0; cut <= text.size(); cut += (offset % 7 == 0 ? 1 : 13)) {
        check_matches(stream_scan(stream, text, {cut}), want, what + " cut " + std::to_string(cut));
        std::size_t count = 0;
        BOOST_TEST(stream_redact(redactor, text, {cut}, s.max_match_length(), count) == copy, what);
        BOOST_TEST(count == 1u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(sources_in_order) {
  // a keyward key of stripe_prefixes is also a Stripe pattern match: the keyward source wins, and shows the id
  const std::string key = "sk_live_kV0M5DnB6XrZDNBZfLu1Ne4vbNBviyOb0TWZzPC0aIvH4THDp8";  // ok:8 in the vectors
  const scanner both = full_scanner(keys::stripe_prefixes);
  check_text(both, key, {{0, key.size(), 8 + 12, scan_source::keyward_key}}, {{}}, "keyward first");
  // with a wrong checksum, only the pattern (which checks nothing) reports it
  std::string wrong = key;
  wrong.back() = wrong.back() == '8' ? '9' : '8';
  check_text(both, wrong, {{0, key.size(), 8, scan_source::pattern}}, {{}}, "pattern after");
  // patterns in the order given; the index is reported
  const keys::prefix_entry tok{"tok_", "acme", key_kind::custom, key_environment::live, "token"};
  const scanner patterns = make_scanner({{}, false,
                                         {{tok, scan_alphabet::hex_lower, 8, 8},
                                          {tok, scan_alphabet::hex, 8, 8},
                                          {tok, scan_alphabet::base62_url, 4, 20}}});
  const auto found = patterns.scan("tok_0123abcd tok_0123ABCD tok_0123-_xyz tok_0123abcde");
  BOOST_TEST_REQUIRE(found.size() == 4u);
  BOOST_TEST(found[0].pattern == 0u);
  BOOST_TEST(found[1].pattern == 1u);
  BOOST_TEST(found[2].pattern == 2u);
  BOOST_TEST(found[3].pattern == 2u);  // 9 hex: only base62_url takes it
  BOOST_TEST(found[3].length == 13u);
  BOOST_TEST(found[0].classification.kind_name == "token");
  // the rule is asymmetric: a word byte outside the alphabet may follow a match ('_' after a hex body), not
  // precede it
  const auto after = patterns.scan("tok_0123abcd_ x_tok_0123abcd");
  BOOST_TEST_REQUIRE(after.size() == 1u);
  BOOST_TEST(after[0].offset == 0u);
  BOOST_TEST(after[0].length == 12u);
  BOOST_TEST(after[0].pattern == 0u);
  // one prefix and alphabet with two length ranges, in both orders: a run measured for the first pattern (cut
  // after max_length + 1 bytes) must not decide the second. Bodies of 6, 12 and 25 base62 bytes: 6 is in 5..8
  // only, 12 in 10..20 only, 25 in neither.
  for (const bool short_first : {true, false}) {
    const scan_pattern short_range{tok, scan_alphabet::base62, 5, 8};
    const scan_pattern long_range{tok, scan_alphabet::base62, 10, 20};
    std::vector<scan_pattern> both_ranges{short_range, long_range};
    if (!short_first) std::swap(both_ranges[0], both_ranges[1]);
    const scanner ranges = make_scanner({{}, false, both_ranges});
    const auto got = ranges.scan("tok_abcdef tok_abcdefghijkl tok_abcdefghijklmnopqrstuvwxy");
    BOOST_TEST_REQUIRE(got.size() == 2u);
    BOOST_TEST(got[0].offset == 0u);
    BOOST_TEST(got[0].length == 4u + 6u);
    BOOST_TEST(got[0].pattern == (short_first ? 0u : 1u));
    BOOST_TEST(got[1].offset == 11u);  // "tok_abcdef " is 11 bytes
    BOOST_TEST(got[1].length == 4u + 12u);
    BOOST_TEST(got[1].pattern == (short_first ? 1u : 0u));
  }
}

BOOST_AUTO_TEST_CASE(many_prefixes_share_buckets) {
  // 12 patterns with 12 different first-two-byte pairs (more than the filter's 8 buckets), a 1-byte prefix,
  // and prefixes that begin with '-' and '_'
  static const char* const prefixes[] = {"aa_", "ab_", "ba_", "bb_", "ca_", "cb_", "da_", "db_",
                                         "ea_", "eb_", "-f", "_g", "h"};
  std::vector<scan_pattern> patterns;
  for (const char* p : prefixes)
    patterns.push_back({{p, "acme", key_kind::secret, key_environment::live}, scan_alphabet::hex_lower, 6, 6});
  const scanner s = make_scanner({{}, false, patterns});
  std::mt19937 rng(7);
  std::string text;
  std::vector<planted> want;
  for (int round = 0; round < 400; ++round) {
    text += filler(rng, 1 + rng() % 40);
    const std::string prefix = prefixes[rng() % 13];
    if (rng() % 4 == 0) {
      text += prefix + "0123456";  // 7 hex: too long
    } else if (rng() % 4 == 0) {
      text += prefix.substr(0, 1) + "z" + prefix.substr(1) + "012345";  // a look-alike pair
    } else {
      want.push_back({text.size(), prefix.size() + 6, prefix.size(), scan_source::pattern});
      text += prefix + "abc012";
    }
  }
  want.push_back({text.size() + 1, 7, 1, scan_source::pattern});
  text += " habcdef";  // a 1-byte prefix at the very end
  check_text(s, text, want, {{}, {text.size() / 3, text.size() / 2}}, "many prefixes");
  BOOST_TEST(s.scan("h").empty());
  BOOST_TEST(s.scan("habcde").empty());
  check_text(s, "habcdef", {{0, 7, 1, scan_source::pattern}}, {{}, {1}, {6}}, "h alone");
}

BOOST_AUTO_TEST_CASE(every_kernel_agrees_on_planted_keys) {
  std::mt19937 rng(99);
  const scanner s = full_scanner(acme_prefixes);
  std::vector<std::string> keyward_keys;
  for (int i = 0; i < 8; ++i) {
    const auto made = keys::generate_key(*acme_prefixes.classify(i % 2 ? "acme_" : "acme_sk_test_"),
                                         32 + static_cast<std::size_t>(i) * 4, rng);
    BOOST_TEST_REQUIRE(made.has_value());
    keyward_keys.emplace_back(made->reveal());
  }
  const std::vector<std::string> fixtures = github_fixtures();
  // log-like text: words (which hold no prefix at a word start), separators, and keys
  static const char* const words[] = {"GET", "POST", "/api/v1/users", "Mozilla/5.0", "200", "status", "latency_ms",
                                      "xsk_live_abc", "ghost", "npmjs", "skate", "acme", "exit", "a_ghp_x"};
  using keyward::kernels::kernel;
  const kernel all_kernels[] = {kernel::scalar, kernel::avx2, kernel::avx512vbmi};
  for (int round = 0; round < 60; ++round) {
    std::string text;
    std::vector<planted> want;
    const std::size_t pieces = 5 + rng() % 200;
    for (std::size_t p = 0; p < pieces; ++p) {
      text += filler(rng, 1 + rng() % 3);
      const auto pick = rng() % 20;
      if (pick == 0) {
        const std::string& key = keyward_keys[rng() % keyward_keys.size()];
        const std::size_t prefix = key.compare(0, 13, "acme_sk_test_") == 0 ? 13 : 5;
        want.push_back({text.size(), key.size(), prefix + 12, scan_source::keyward_key});
        text += key;
      } else if (pick == 1) {
        want.push_back({text.size(), 40, 4, scan_source::leaked_token});
        text += fixtures[rng() % fixtures.size()];
      } else if (pick == 2) {
        want.push_back({text.size(), stripe_doc_key.size(), 8, scan_source::pattern});
        text += stripe_doc_key;
      } else if (pick == 3) {
        // a look-alike: a token after a word byte, or one byte too long
        static constexpr std::string_view word_bytes = "0P9pzZ_-";
        const std::string& token = fixtures[rng() % fixtures.size()];
        text += rng() % 2 ? word_bytes[rng() % word_bytes.size()] + token : token + "0";
      } else {
        text += words[rng() % (sizeof words / sizeof words[0])];
      }
    }
    for (const kernel k : all_kernels) {
      if (!keyward::kernels::available(k)) continue;
      const keyward::kernels::scoped_force forced(k);
      check_text(s, text, want, {{}, {text.size() / 2}, {1, 2, 3, 64, 65, 200}}, "round " + std::to_string(round));
    }
  }
}

BOOST_AUTO_TEST_CASE(streams_cut_everywhere) {
  std::mt19937 rng(5);
  const scanner s = full_scanner();
  // keys next to each other, a stream longer than the stream's copy piece (16384 bytes)
  std::string text;
  std::vector<planted> want;
  while (text.size() < 40000) {
    text += filler(rng, 1 + rng() % 90);
    if (rng() % 2) {
      want.push_back({text.size(), 40, 4, scan_source::leaked_token});
      text += github_token;
    } else {
      want.push_back({text.size(), stripe_doc_key.size(), 8, scan_source::pattern});
      text += stripe_doc_key;
    }
  }
  std::vector<std::vector<std::size_t>> cuttings;
  for (std::size_t step : {1u, 2u, 7u, 39u, 40u, 41u, 64u, 4096u, 16383u, 16384u, 16385u}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = step; at < text.size(); at += step) cuts.push_back(at);
    cuttings.push_back(cuts);
  }
  std::vector<std::size_t> random_cuts;
  for (std::size_t at = 0; at < text.size(); at += rng() % 300) random_cuts.push_back(at);
  cuttings.push_back(random_cuts);
  // keys planted across the copy piece's boundary
  for (const std::size_t at : {16384u - 20u, 32768u - 1u}) {
    std::string around = text;
    around.replace(at - 1, 42, " " + github_token + " ");
    std::vector<planted> want_around;
    for (const planted& p : want)
      if (p.offset + p.length <= at - 1 || p.offset >= at + 41) want_around.push_back(p);
    want_around.push_back({at, 40, 4, scan_source::leaked_token});
    std::sort(want_around.begin(), want_around.end(),
              [](const planted& a, const planted& b) { return a.offset < b.offset; });
    check_text(s, around, want_around, {{}, {at}, {at + 20}}, "around " + std::to_string(at));
  }
  check_text(s, text, want, cuttings, "long stream");
  // a stream is reusable after finish(), offsets starting again from 0
  keys::stream_scanner stream(s);
  check_matches(stream_scan(stream, github_token, {}), {{0, 40, 4, scan_source::leaked_token}}, "first");
  check_matches(stream_scan(stream, " " + github_token, {}), {{1, 40, 4, scan_source::leaked_token}}, "second");
  BOOST_TEST(stream.consumed() == 0u);
  // empty chunks and an empty stream
  std::vector<scan_match> none;
  stream.feed("", [&none](const scan_match& m) { none.push_back(m); });
  stream.finish([&none](const scan_match& m) { none.push_back(m); });
  BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(scanning_allocates_nothing) {
  const scanner s = full_scanner();
  std::string text = "x " + github_token + " y " + stripe_doc_key + " z";
  for (int i = 0; i < 6; ++i) text += text;
  keys::stream_scanner stream(s);
  keys::stream_redactor redactor(s);
  std::size_t found = 0;
  std::size_t out_bytes = 0;
  auto count = [&found](const scan_match&) { ++found; };
  auto sink = [&out_bytes](std::string_view piece) { out_bytes += piece.size(); };
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  s.scan(text, count);
  stream.feed(text, count);
  stream.finish(count);
  redactor.write(std::string_view(text).substr(0, 1000), sink);
  redactor.write(std::string_view(text).substr(1000), sink);
  redactor.finish(sink);
  const std::size_t redacted = s.redact_in_place(text);
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  BOOST_TEST(found == 256u);
  BOOST_TEST(redacted == 128u);
  BOOST_TEST(out_bytes == text.size());
}

// Python's re and zlib.crc32 (tests/keys/scan_crosscheck.py, run now) find the same keys in random texts:
// keys, damaged keys, tokens, Stripe-style keys of every length around the bounds, prefixes alone, and
// random bytes of every value.
BOOST_AUTO_TEST_CASE(python_finds_the_same_keys) {
  std::mt19937 rng(1234);
  const scanner s = full_scanner();
  const std::vector<std::string> fixtures = github_fixtures();
  static const char* const prefixes[] = {"acme_", "acme_sk_live_", "acme_sk_test_", "x", "ghp_", "npm_", "gho_",
                                         "github_pat_", "sk_live_", "rk_test_", "pk_live_"};
  // One file per process: the suite runs once per kernel, possibly at the same time.
  const std::string path = "/tmp/keyward_scan_test_" + std::to_string(static_cast<long>(getpid()));
  std::size_t total = 0;
  for (int round = 0; round < 12; ++round) {
    std::string text;
    for (int piece = 0; piece < 300; ++piece) {
      switch (rng() % 8) {
        case 0: {
          const auto key = keys::generate_key(*acme_prefixes.classify(prefixes[rng() % 4]), 32 + rng() % 33, rng);
          BOOST_TEST_REQUIRE(key.has_value());
          std::string k(key->reveal());
          if (rng() % 3 == 0) k[rng() % k.size()] = base62[rng() % 62];  // maybe damaged
          text += k;
          break;
        }
        case 1: text += fixtures[rng() % fixtures.size()]; break;
        case 2: {
          text += prefixes[rng() % 11];
          const std::size_t n = 20 + rng() % 85;
          for (std::size_t i = 0; i < n; ++i) text.push_back(base62[rng() % 62]);
          break;
        }
        case 3:
          for (std::size_t i = rng() % 6; i > 0; --i) text.push_back(static_cast<char>(rng() % 256));
          break;
        case 4: text += "-_a9"[rng() % 4]; break;
        default: text += filler(rng, 1 + rng() % 4); break;
      }
    }
    {
      std::ofstream out(path, std::ios::binary);
      out << text;
    }
    const std::string command =
        "python3 " + std::string(KEYWARD_TEST_VECTORS) + "/../keys/scan_crosscheck.py " + path;
    FILE* pipe = popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(pipe != nullptr);
    std::vector<planted> want;
    std::size_t offset = 0, length = 0, shown = 0;
    unsigned source = 0;
    while (std::fscanf(pipe, "%zu %zu %zu %u", &offset, &length, &shown, &source) == 4)
      want.push_back({offset, length, shown, static_cast<scan_source>(source)});
    BOOST_TEST_REQUIRE(pclose(pipe) == 0);
    check_text(s, text, want, {{}, {text.size() / 2}}, "round " + std::to_string(round));
    total += want.size();
  }
  std::remove(path.c_str());
  BOOST_TEST(total > 150u);  // the texts do hold keys (220 with this seed)
}

BOOST_AUTO_TEST_CASE(names) {
  BOOST_TEST(std::string(keys::to_string(scan_source::keyward_key)) == "keyward_key");
  BOOST_TEST(std::string(keys::to_string(scan_source::leaked_token)) == "leaked_token");
  BOOST_TEST(std::string(keys::to_string(scan_source::pattern)) == "pattern");
  BOOST_TEST(std::string(keys::to_string(static_cast<scan_source>(9))) == "unknown");
  BOOST_TEST(keys::redaction_char == '*');
}
