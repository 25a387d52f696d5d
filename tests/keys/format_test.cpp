// Tests for include/keyward/keys/format.hpp. Expected values come from:
//   - tests/vectors/keys/keyward_format.txt: keyward's own format, every verdict computed with Python's
//     zlib.crc32 and a base62 encoder of its own (tests/keys/format_crosscheck.py; the command is in
//     tests/vectors/keys/PROVENANCE.md);
//   - tests/vectors/keys/github_*: GitHub token checksum vectors of DataDog's dd-sensitive-data-scanner and
//     of base62-token.js (PROVENANCE.md there);
//   - the base62 alphabet written out below, for generation with a scripted random source;
//   - the chi-square distribution with 61 degrees of freedom for the generation statistics (critical values
//     computed with mpmath 1.3.0, see generation_statistics).
#define BOOST_TEST_MODULE keys_format
#include <boost/test/unit_test.hpp>

#include <keyward/keys/format.hpp>

#include "support/test_support.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

using namespace std::string_view_literals;
using keyward::errc;
using keyward::keys::check_github_token;
using keyward::keys::key_environment;
using keyward::keys::key_kind;
using keyward::keys::parse_key;
using keyward::keys::prefix_entry;
using keyward::keys::prefix_set;

namespace {

constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// The same table as TABLES["acme"] in tests/keys/format_crosscheck.py.
constexpr auto acme_prefixes = keyward::keys::make_prefix_table({
    {"acme_", "acme", key_kind::secret, key_environment::unspecified},
    {"acme_sk_live_", "acme", key_kind::secret, key_environment::live},
    {"acme_sk_test_", "acme", key_kind::secret, key_environment::test},
    {"x", "acme", key_kind::custom, key_environment::test, "x"},
});

prefix_set table_named(std::string_view name) {
  if (name == "stripe") return keyward::keys::stripe_prefixes;
  if (name == "live_test") return keyward::keys::live_test_prefixes;
  return acme_prefixes;
}

// The verdict of parse_key in the vector file's notation.
std::string verdict(const keyward::result<keyward::keys::key_view>& parsed) {
  if (parsed) return "ok:" + std::to_string(parsed->prefix.size());
  switch (parsed.error().code()) {
    case errc::key_unknown_prefix: return "unknown_prefix";
    case errc::key_invalid_length: return "invalid_length";
    case errc::key_invalid_character: return "invalid_character:" + std::to_string(parsed.error().offset());
    case errc::key_checksum_mismatch: return "checksum_mismatch";
    default: return "unexpected";
  }
}

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

// The strings after `"token": "` in `text` between `from` and `to`.
std::vector<std::string> json_tokens(const std::string& text, std::string_view from, std::string_view to) {
  std::vector<std::string> tokens;
  const std::size_t begin = text.find(from);
  const std::size_t end = text.find(to, begin);
  constexpr std::string_view field = "\"token\": \"";
  for (std::size_t at = text.find(field, begin); at < end; at = text.find(field, at + 1)) {
    const std::size_t start = at + field.size();
    tokens.push_back(text.substr(start, text.find('"', start) - start));
  }
  return tokens;
}

// A scripted UniformRandomBitGenerator: the bytes given, in a loop.
struct scripted_bytes {
  using result_type = std::uint8_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 255; }
  std::vector<std::uint8_t> bytes;
  std::size_t next = 0;
  result_type operator()() { return bytes[next++ % bytes.size()]; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(python_vectors) {
  const std::vector<vector_line> lines = keyward_vectors();
  BOOST_TEST_REQUIRE(lines.size() == 476u);
  std::size_t valid = 0;
  for (const vector_line& line : lines) {
    const prefix_set table = table_named(line.table);
    const auto parsed = parse_key(line.key, table);
    BOOST_TEST(verdict(parsed) == line.expected, line.table << " " << line.key);
    const std::string redacted = keyward::keys::redact(line.key, table);
    if (parsed) {
      ++valid;
      const auto& k = *parsed;
      BOOST_TEST(k.whole == line.key);
      BOOST_TEST(k.id.size() == 12u);
      BOOST_TEST(k.checksum.size() == 6u);
      BOOST_TEST(k.prefix.size() + k.id.size() + k.secret.size() + k.checksum.size() == line.key.size());
      BOOST_TEST(std::string(k.prefix) + std::string(k.id) + std::string(k.secret) + std::string(k.checksum) == line.key);
      BOOST_TEST(k.classification.prefix == k.prefix);
      BOOST_TEST(std::string(k.handle()) + std::string(k.secret_part()) == line.key);
      BOOST_TEST(k.handle() == line.key.substr(0, k.prefix.size() + 12));
      BOOST_TEST(redacted == std::string(k.handle()) + "...");
    } else {
      // only the recognised prefix, or nothing, then "..."
      const auto entry = table.classify(line.key);
      BOOST_TEST(redacted == (entry ? line.key.substr(0, entry->prefix.size()) : std::string()) + "...");
    }
    BOOST_TEST(keyward::keys::redacted_size(line.key, table) == redacted.size());
  }
  BOOST_TEST(valid == 69u);  // the ok: lines of the file
}

BOOST_AUTO_TEST_CASE(relabelled_test_key_fails_offline) {
  // Each valid sk_test_ key of the Python vectors, relabelled sk_live_: keyward's checksum covers the prefix.
  std::size_t relabelled = 0;
  for (const vector_line& line : keyward_vectors()) {
    if (line.table != "stripe" || line.expected != "ok:8" || line.key.compare(0, 8, "sk_test_") != 0) continue;
    BOOST_TEST(parse_key(line.key, keyward::keys::stripe_prefixes).has_value());
    const std::string live = "sk_live_" + line.key.substr(8);
    BOOST_TEST(parse_key(live, keyward::keys::stripe_prefixes).error() == errc::key_checksum_mismatch);
    ++relabelled;
  }
  BOOST_TEST(relabelled >= 5u);
  // GitHub's checksum covers the random part only: relabelling ghp_ to gho_ passes there.
  const std::string token = "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";
  BOOST_TEST(check_github_token(token).has_value());
  const std::string relabelled_token = "gho_" + token.substr(4);
  const auto gho = check_github_token(relabelled_token);
  BOOST_TEST_REQUIRE(gho.has_value());
  BOOST_TEST(gho->prefix == "gho_");
}

BOOST_AUTO_TEST_CASE(github_vectors) {
  const std::string json = keyward_test::read_vector_file("keys/github_token_crc32_base62.json");
  const std::vector<std::string> valid = json_tokens(json, "\"valid\"", "\"invalid\"");
  const std::vector<std::string> invalid = json_tokens(json, "\"invalid\"", "\"more_fixtures\"");
  BOOST_TEST_REQUIRE(valid.size() == 7u);
  BOOST_TEST_REQUIRE(invalid.size() == 5u);

  // The same rule under other prefixes than GitHub's, as the vectors use them.
  constexpr auto other_prefixes = keyward::keys::make_prefix_table({
      {"ghp_", "github", key_kind::secret, key_environment::unspecified},
      {"b62_", "test", key_kind::secret, key_environment::unspecified},
      {"MoreThanFour_", "test", key_kind::secret, key_environment::unspecified},
  });
  for (const std::string& token : valid) {
    const auto checked = keyward::keys::check_crc32_token(token, other_prefixes);
    BOOST_TEST_REQUIRE(checked.has_value(), token);
    BOOST_TEST(checked->random.size() == 30u);
    BOOST_TEST(checked->checksum == token.substr(token.size() - 6));
    BOOST_TEST(checked->checksum_verified);
    BOOST_TEST(std::string(checked->prefix) + std::string(checked->random) + std::string(checked->checksum) == token);
    if (token.compare(0, 4, "ghp_") == 0) {
      BOOST_TEST(check_github_token(token).has_value(), token);
      BOOST_TEST(check_github_token(token)->classification.vendor == "github");
    }
  }
  // The labels of the invalid ones, in file order (their "why" fields).
  const errc expected[] = {errc::key_checksum_mismatch, errc::key_invalid_character, errc::key_unknown_prefix,
                           errc::key_invalid_length, errc::key_checksum_mismatch};
  for (std::size_t i = 0; i < invalid.size(); ++i) {
    const auto checked = check_github_token(invalid[i]);
    BOOST_TEST_REQUIRE(!checked.has_value(), invalid[i]);
    BOOST_TEST(checked.error() == expected[i], invalid[i]);
  }
  BOOST_TEST(check_github_token(invalid[1]).error().offset() == 39u);  // the '/'

  // The crc32 and checksum fields: 6 base62 digits of the CRC, left-padded.
  std::size_t pairs = 0;
  for (std::size_t at = json.find("\"crc32\": "); at != std::string::npos; at = json.find("\"crc32\": ", at + 1)) {
    const std::uint32_t crc = static_cast<std::uint32_t>(std::stoul(json.substr(at + 9)));
    const std::size_t field = json.find("\"checksum\": \"", at) + 13;
    char written[6];
    keyward::detail::keys_format::write_checksum(crc, written);
    BOOST_TEST(std::string_view(written, 6) == json.substr(field, 6));
    ++pairs;
  }
  BOOST_TEST(pairs == 7u);

  std::istringstream fixtures(keyward_test::read_vector_file("keys/github_tokens_base62-token-js_fixtures.txt"));
  std::size_t count = 0;
  for (std::string token; fixtures >> token; ++count) {
    const auto checked = check_github_token(token);
    BOOST_TEST(checked.has_value(), token);
    // any one character changed fails
    std::string flipped = token;
    const std::size_t at = 4 + count % 36;
    flipped[at] = alphabet[(alphabet.find(flipped[at]) + 1 + count) % 62];
    BOOST_TEST(check_github_token(flipped).error() == errc::key_checksum_mismatch, flipped);
  }
  BOOST_TEST(count == 20u);
}

BOOST_AUTO_TEST_CASE(github_token_shapes) {
  // npm tokens follow the same rule: the random part of a DataDog vector under npm_.
  const auto npm = check_github_token("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");
  BOOST_TEST_REQUIRE(npm.has_value());
  BOOST_TEST(npm->classification.vendor == "npm");
  // fine-grained tokens: classified only, as documented
  const auto pat = check_github_token("github_pat_11ABCDEFG0123456789_abcdefghij");
  BOOST_TEST_REQUIRE(pat.has_value());
  BOOST_TEST(!pat->checksum_verified);
  BOOST_TEST(pat->checksum.empty());
  BOOST_TEST(pat->random == "11ABCDEFG0123456789_abcdefghij");
  BOOST_TEST(check_github_token("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X").error() == errc::key_invalid_length);
  BOOST_TEST(check_github_token("ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V").error() == errc::key_invalid_length);
  BOOST_TEST(check_github_token("ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V\xff").error() ==
             keyward::error(errc::key_invalid_character, 39));
  BOOST_TEST(check_github_token("").error() == errc::key_unknown_prefix);
  BOOST_TEST(keyward::keys::redact("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", keyward::keys::leaked_token_prefixes) ==
             "ghp_...");
}

BOOST_AUTO_TEST_CASE(parse_errors) {
  // A valid key from the Python vectors, damaged in ways the vector file does not show.
  std::string key;
  for (const vector_line& line : keyward_vectors())
    if (line.table == "stripe" && line.expected == "ok:8" && line.key.size() == 8 + 12 + 32 + 6) key = line.key;
  BOOST_TEST_REQUIRE(!key.empty());
  const auto stripe = keyward::keys::stripe_prefixes;
  BOOST_TEST(parse_key(key, stripe).has_value());
  for (const char bad : {'\0', '\x80', '\xff', ' ', '\n', '_', '='}) {
    for (const std::size_t at : {std::size_t{8}, std::size_t{25}, key.size() - 1}) {
      std::string damaged = key;
      damaged[at] = bad;
      BOOST_TEST(parse_key(damaged, stripe).error() == keyward::error(errc::key_invalid_character, at));
    }
  }
  std::string two = key;
  two[30] = '.';
  two[12] = '-';
  BOOST_TEST(parse_key(two, stripe).error() == keyward::error(errc::key_invalid_character, 12));  // the first
  BOOST_TEST(parse_key("sk_live_", stripe).error() == errc::key_invalid_length);
  BOOST_TEST(parse_key("", stripe).error() == errc::key_unknown_prefix);
  BOOST_TEST(parse_key(key, prefix_set()).error() == errc::key_unknown_prefix);
  BOOST_TEST(parse_key(key, keyward::keys::live_test_prefixes).error() == errc::key_unknown_prefix);
  // the length check precedes the charset check
  BOOST_TEST(parse_key("sk_live_!!!", stripe).error() == errc::key_invalid_length);
}

BOOST_AUTO_TEST_CASE(writer_trio) {
  std::string key;
  for (const vector_line& line : keyward_vectors())
    if (line.table == "acme" && line.expected == "ok:13") key = line.key;
  BOOST_TEST_REQUIRE(!key.empty());
  const std::string want = key.substr(0, 13 + 12) + "...";
  BOOST_TEST(keyward::keys::redact(key, acme_prefixes) == want);
  BOOST_TEST(keyward::keys::redacted_size(key, acme_prefixes) == want.size());
  std::array<char, 64> buffer;
  buffer.fill('#');
  const auto short_write = keyward::keys::write_redacted(key, acme_prefixes, buffer.data(), want.size() - 1);
  BOOST_TEST(short_write.error() == errc::buffer_too_small);
  BOOST_TEST(std::string(buffer.data(), buffer.size()) == std::string(64, '#'));  // nothing written
  const auto written = keyward::keys::write_redacted(key, acme_prefixes, buffer.data(), want.size());
  BOOST_TEST_REQUIRE(written.has_value());
  BOOST_TEST(std::string(buffer.data(), *written) == want);
  BOOST_TEST(buffer[want.size()] == '#');
  // no prefix: only "..."
  BOOST_TEST(keyward::keys::redact("hunter2", acme_prefixes) == "...");
  BOOST_TEST(*keyward::keys::write_redacted("", acme_prefixes, buffer.data(), 3) == 3u);
  BOOST_TEST(keyward::keys::write_redacted("", acme_prefixes, buffer.data(), 2).error() == errc::buffer_too_small);
  BOOST_TEST(keyward::keys::write_redacted(key, acme_prefixes, nullptr, 0).error() == errc::buffer_too_small);
  // a recognised prefix on a key that does not parse: the prefix only, never the id
  std::string broken = key;
  broken.back() = broken.back() == 'a' ? 'b' : 'a';
  BOOST_TEST(keyward::keys::redact(broken, acme_prefixes) == key.substr(0, 13) + "...");
}

BOOST_AUTO_TEST_CASE(generate_and_parse) {
  for (const prefix_entry& entry : keyward::keys::stripe_prefixes.entries()) {
    for (const std::size_t length : {std::size_t{32}, std::size_t{33}, std::size_t{50}, std::size_t{64}}) {
      const auto key = keyward::keys::generate_key(entry, length);
      BOOST_TEST_REQUIRE(key.has_value());
      BOOST_TEST(key->size() == entry.prefix.size() + 12 + length + 6);
      const auto parsed = parse_key(key->reveal(), keyward::keys::stripe_prefixes);
      BOOST_TEST_REQUIRE(parsed.has_value());
      BOOST_TEST(parsed->prefix == entry.prefix);
      BOOST_TEST(parsed->secret.size() == length);
      BOOST_TEST((parsed->classification.kind == entry.kind));
    }
  }
  const auto default_key = keyward::keys::generate_key(acme_prefixes.entries()[1]);
  BOOST_TEST_REQUIRE(default_key.has_value());
  BOOST_TEST(default_key->size() == 13u + 12 + 32 + 6);
  const prefix_entry longest = {"abcdefghijabcdefghijabcdefghij_-", "x", key_kind::secret, key_environment::live};
  BOOST_TEST(keyward::keys::generate_key(longest, 64)->size() == keyward::keys::max_key_length);

  const prefix_entry& sk = keyward::keys::stripe_prefixes.entries()[0];
  BOOST_TEST(keyward::keys::generate_key(sk, 31).error() == errc::key_invalid_format);
  BOOST_TEST(keyward::keys::generate_key(sk, 65).error() == errc::key_invalid_format);
  BOOST_TEST(keyward::keys::generate_key(sk, 0).error() == errc::key_invalid_format);
  for (const std::string_view bad : {""sv, "sk live_"sv, "sk.live_"sv, "abcdefghijabcdefghijabcdefghijabc"sv}) {
    const prefix_entry entry = {bad, "x", key_kind::secret, key_environment::live};
    BOOST_TEST(keyward::keys::generate_key(entry).error() == errc::key_invalid_format, bad);
  }
}

BOOST_AUTO_TEST_CASE(rejection_sampling_with_a_scripted_source) {
  // Bytes whose low 6 bits are 62 or 63 are rejected; the others map to alphabet[byte & 63].
  scripted_bytes source;
  std::string want;
  for (int i = 0; i < 300; ++i) {
    const auto byte = static_cast<std::uint8_t>((i * 37 + 11) & 0xFF);
    source.bytes.push_back(byte);
    if ((byte & 63) < 62) want.push_back(alphabet[byte & 63]);
  }
  const prefix_entry entry = {"t_", "x", key_kind::secret, key_environment::test};
  const auto key = keyward::keys::generate_key(entry, 40, source);
  BOOST_TEST_REQUIRE(key.has_value());
  BOOST_TEST(key->reveal().substr(2, 52) == want.substr(0, 52));
  const auto table = keyward::keys::make_prefix_table({{"t_", "x", key_kind::secret, key_environment::test}});
  BOOST_TEST(parse_key(key->reveal(), table).has_value());

  // A source stuck on rejected values cannot produce a key: an error, not an endless loop.
  scripted_bytes stuck;
  stuck.bytes = {62, 63, 0xFF, 0x7E};
  BOOST_TEST(keyward::keys::generate_key(entry, 32, stuck).error() == errc::random_unavailable);
}

BOOST_AUTO_TEST_CASE(generation_statistics) {
  // 100,000 keys with 32-character secrets: 3.2 million secret characters and 1.2 million id characters.
  // Each set of counts over the 62 characters is tested with Pearson's chi-square, 61 degrees of freedom.
  // Critical values at p = 1e-6 in each tail (mpmath 1.3.0, regularized incomplete gamma:
  // chi2.isf(1e-6, 61) = 128.524, chi2.ppf(1e-6, 61) = 21.998, both tails, since a too-regular output is
  // as suspect as a skewed one): a correct generator fails one of the four bounds with probability 4e-6.
  constexpr std::size_t keys = 100000;
  std::array<std::uint64_t, 256> secret_counts{}, id_counts{};
  std::unordered_set<std::string> whole_keys, ids;
  whole_keys.reserve(keys);
  ids.reserve(keys);
  const prefix_entry& entry = keyward::keys::live_test_prefixes.entries()[0];
  for (std::size_t n = 0; n < keys; ++n) {
    const auto key = keyward::keys::generate_key(entry);
    BOOST_TEST_REQUIRE(key.has_value());
    const auto parsed = parse_key(key->reveal(), keyward::keys::live_test_prefixes);
    BOOST_TEST_REQUIRE(parsed.has_value());
    for (const char c : parsed->secret) ++secret_counts[static_cast<unsigned char>(c)];
    for (const char c : parsed->id) ++id_counts[static_cast<unsigned char>(c)];
    whole_keys.emplace(key->reveal());
    ids.emplace(parsed->id);
  }
  BOOST_TEST(whole_keys.size() == keys);  // no duplicate key
  BOOST_TEST(ids.size() == keys);         // no duplicate id (collision odds: 1e10 / 2 / 62^12 = 1.5e-12)

  const auto chi_square = [](const std::array<std::uint64_t, 256>& counts, double expected) {
    double sum = 0;
    for (const char c : alphabet) {
      const double d = static_cast<double>(counts[static_cast<unsigned char>(c)]) - expected;
      sum += d * d / expected;
    }
    return sum;
  };
  std::uint64_t secret_total = 0, id_total = 0;
  for (const char c : alphabet) {
    secret_total += secret_counts[static_cast<unsigned char>(c)];
    id_total += id_counts[static_cast<unsigned char>(c)];
  }
  BOOST_TEST(secret_total == keys * 32);  // nothing outside the alphabet
  BOOST_TEST(id_total == keys * 12);
  const double secret_chi = chi_square(secret_counts, keys * 32 / 62.0);
  const double id_chi = chi_square(id_counts, keys * 12 / 62.0);
  BOOST_TEST_MESSAGE("chi-square (61 df): secret " << secret_chi << ", id " << id_chi);
  BOOST_TEST(secret_chi < 128.524);
  BOOST_TEST(secret_chi > 21.998);
  BOOST_TEST(id_chi < 128.524);
  BOOST_TEST(id_chi > 21.998);

  // The test can fail: the modulo bias that rejection sampling avoids (byte % 62 over 0-255 favours the
  // first 8 characters, 5 chances in 256 against 4) gives a statistic far beyond the bound.
  std::array<std::uint64_t, 256> biased{};
  for (std::size_t i = 0; i < keys * 32; ++i) ++biased[static_cast<unsigned char>(alphabet[(i * 131 % 256) % 62])];
  BOOST_TEST(chi_square(biased, keys * 32 / 62.0) > 1000.0);
}

BOOST_AUTO_TEST_CASE(charset_kernels_agree) {
  // Every length to 130 (the SSE2 kernel's one block, its overlapping last block, the portable loop's word
  // and byte paths), every position, every byte value: each implementation says "not base62" exactly when
  // the alphabet above does not hold the byte.
  namespace fmt = keyward::detail::keys_format;
  std::size_t mismatches = 0, checked = 0;
  for (std::size_t size = 0; size <= 130; ++size) {
    std::string text(size, '0');
    for (std::size_t i = 0; i < size; ++i) text[i] = alphabet[(i * 7 + size) % alphabet.size()];
    BOOST_TEST(!fmt::has_non_base62(text.data(), size));
    BOOST_TEST(!fmt::has_non_base62_portable(text.data(), size));
    for (std::size_t at = 0; at < size; ++at) {
      const char kept = text[at];
      for (int byte = 0; byte < 256; ++byte) {
        text[at] = static_cast<char>(byte);
        const bool outside = alphabet.find(static_cast<char>(byte)) == std::string_view::npos;
        bool agree = fmt::has_non_base62(text.data(), size) == outside &&
                     fmt::has_non_base62_portable(text.data(), size) == outside;
#if KEYWARD_X86_SIMD
        if (size >= 16) agree = agree && fmt::has_non_base62_sse2(text.data(), size) == outside;
#endif
        if (outside) agree = agree && fmt::first_non_base62(text.data(), size) == at;
        mismatches += agree ? 0 : 1;
        ++checked;
      }
      text[at] = kept;
    }
  }
  BOOST_TEST(mismatches == 0u);
  BOOST_TEST(checked > 2000000u);
}

BOOST_AUTO_TEST_CASE(checksum_read_back) {
  // read_checksum() against the digits' positions in the alphabet, most significant first: the extremes,
  // each digit alone in each place, and pseudo-random strings. The two bytes before the checksum are
  // varied too: they must not matter.
  namespace fmt = keyward::detail::keys_format;
  const auto expected = [](std::string_view digits) {
    std::uint64_t value = 0;
    for (const char c : digits) value = value * 62 + alphabet.find(c);
    return value;
  };
  std::vector<std::string> cases{"000000", "zzzzzz", "000001", "100000", "4gfFC3", "0Zz9aA"};
  for (std::size_t place = 0; place < 6; ++place) {
    for (const char c : alphabet) {
      std::string digits(6, '0');
      digits[place] = c;
      cases.push_back(digits);
    }
  }
  std::uint64_t state = 0x243F6A8885A308D3u;
  for (int n = 0; n < 20000; ++n) {
    std::string digits;
    for (int i = 0; i < 6; ++i) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      digits.push_back(alphabet[(state >> 33) % 62]);
    }
    cases.push_back(digits);
  }
  BOOST_TEST(expected("zzzzzz") == 56800235583u);  // 62^6 - 1
  std::size_t mismatches = 0;
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const std::string text = std::string(1, static_cast<char>(n)) + static_cast<char>(0xFF - n % 256) + cases[n];
    mismatches += fmt::read_checksum(text.data() + 2) == expected(cases[n]) ? 0 : 1;
  }
  BOOST_TEST(mismatches == 0u);
}
