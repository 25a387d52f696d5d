// libFuzzer target for keyward::keys::scanner (keys/scan.hpp): scan() and redact_in_place() against a slow
// reference written here from the header's definition (every position, linear longest-prefix lookups,
// uncapped runs, a table-driven CRC-32 and base62 digits by `%` and `/`), under every kernel this machine
// has (keyward::kernels::force), which must all agree. Input: byte 0 chooses the keyward prefix table (bits
// 0-1: none, stripe, live_test, acme), whether GitHub and npm tokens are looked for (bit 2) and which
// patterns (bits 3-7, one pattern each); bit 0 of byte 1 plants a keyward key of the table (entry and secret
// length from the other bits, its random bytes drawn from the input) over the text at offset 2 * byte 2, so
// that valid keys are reached; the text is the rest.
#include <keyward/kernels.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/scan.hpp>

#include "fuzz_check.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace keys = keyward::keys;
using keys::key_environment;
using keys::key_kind;
using keys::scan_alphabet;

constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_", "acme", key_kind::secret, key_environment::unspecified},
    {"acme_sk_live_", "acme", key_kind::secret, key_environment::live},
    {"acme_sk_test_", "acme", key_kind::secret, key_environment::test},
    {"x", "acme", key_kind::custom, key_environment::test, "x"},
});

keys::prefix_set table(unsigned choice) {
  switch (choice & 3u) {
    case 0: return {};
    case 1: return keys::stripe_prefixes;
    case 2: return keys::live_test_prefixes;
    default: return acme_prefixes;
  }
}

const keys::scan_pattern all_patterns[] = {
    keys::stripe_scan_patterns[0],
    keys::stripe_scan_patterns[1],
    {{"tok_", "acme", key_kind::secret, key_environment::live}, scan_alphabet::hex, 8, 16},
    {{"h", "acme", key_kind::custom, key_environment::test, "h"}, scan_alphabet::base62_url, 3, 10},
    {{"-d", "acme", key_kind::restricted, key_environment::live}, scan_alphabet::hex_lower, 4, 4},
};

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}
const std::array<std::uint32_t, 256> crc_table = make_crc_table();

std::string reference_checksum(std::string_view text) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : text) c = crc_table[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
  std::uint32_t value = c ^ 0xFFFFFFFFu;
  std::string digits(6, '0');
  for (int i = 5; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = alphabet[value % 62];
    value /= 62;
  }
  return digits;
}

bool in_alphabet(char c, scan_alphabet a) {
  const bool digit = c >= '0' && c <= '9';
  const bool lower_hex = c >= 'a' && c <= 'f';
  switch (a) {
    case scan_alphabet::base62: return alphabet.find(c) != std::string_view::npos;
    case scan_alphabet::base62_url: return alphabet.find(c) != std::string_view::npos || c == '-' || c == '_';
    case scan_alphabet::hex: return digit || lower_hex || (c >= 'A' && c <= 'F');
    case scan_alphabet::hex_lower: return digit || lower_hex;
  }
  return false;
}

bool is_word(char c) { return in_alphabet(c, scan_alphabet::base62_url); }

std::size_t run(std::string_view text, std::size_t from, scan_alphabet a) {
  std::size_t i = from;
  while (i < text.size() && in_alphabet(text[i], a)) ++i;
  return i - from;
}

const keys::prefix_entry* longest(const keys::prefix_set& set, std::string_view text) {
  const keys::prefix_entry* best = nullptr;
  for (const keys::prefix_entry& e : set)
    if (text.substr(0, e.prefix.size()) == e.prefix && (best == nullptr || e.prefix.size() > best->prefix.size()))
      best = &e;
  return best;
}

struct ref_match {
  std::size_t offset, length, shown;
  keys::scan_source source;
  std::size_t pattern;
};

std::vector<ref_match> reference_scan(std::string_view text, const keys::prefix_set& set, bool tokens,
                                      const std::vector<keys::scan_pattern>& patterns) {
  std::vector<ref_match> found;
  for (std::size_t s = 0; s < text.size(); ++s) {
    if (s > 0 && is_word(text[s - 1])) continue;
    const std::string_view rest = text.substr(s);
    if (const keys::prefix_entry* e = longest(set, rest)) {
      const std::size_t p = e->prefix.size();
      const std::size_t r = run(text, s + p, scan_alphabet::base62);
      if (r >= 50 && r <= 82 && reference_checksum(rest.substr(0, p + r - 6)) == rest.substr(p + r - 6, 6)) {
        found.push_back({s, p + r, p + 12, keys::scan_source::keyward_key, 0});
        continue;
      }
    }
    if (tokens) {
      const keys::prefix_entry* e = longest(keys::leaked_token_prefixes, rest);
      if (e != nullptr && e->prefix != "github_pat_") {
        const std::size_t p = e->prefix.size();
        if (run(text, s + p, scan_alphabet::base62) == 36 &&
            reference_checksum(rest.substr(p, 30)) == rest.substr(p + 30, 6)) {
          found.push_back({s, p + 36, p, keys::scan_source::leaked_token, 0});
          continue;
        }
      }
    }
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      const keys::scan_pattern& pattern = patterns[k];
      const std::size_t p = pattern.entry.prefix.size();
      if (rest.substr(0, p) != pattern.entry.prefix) continue;
      const std::size_t r = run(text, s + p, pattern.alphabet);
      if (r >= pattern.min_length && r <= pattern.max_length) {
        found.push_back({s, p + r, p, keys::scan_source::pattern, k});
        break;
      }
    }
  }
  return found;
}

struct input_source {  // the fuzz input as a UniformRandomBitGenerator, repeating (zeros when empty)
  using result_type = std::uint8_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 255; }
  const std::uint8_t* data;
  std::size_t size, next = 0;
  result_type operator()() { return size == 0 ? 0 : data[next++ % size]; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const unsigned control = data[0];
  const keys::prefix_set set = table(control);
  const bool tokens = (control & 4u) != 0;
  std::vector<keys::scan_pattern> patterns;
  for (unsigned k = 0; k < 5; ++k)
    if ((control >> (3 + k)) & 1u) patterns.push_back(all_patterns[k]);
  auto made = keys::scanner::make({set, tokens, patterns});
  if (set.size() == 0 && !tokens && patterns.empty()) {
    FUZZ_CHECK(!made.has_value());
    return 0;
  }
  FUZZ_CHECK(made.has_value());
  const keys::scanner& s = *made;
  std::string text(reinterpret_cast<const char*>(data + 3), size - 3);
  if ((data[1] & 1u) != 0 && set.size() != 0) {  // plant a valid keyward key
    input_source source{data, size};
    const keys::prefix_entry& entry = set.begin()[(data[1] >> 1) % set.size()];
    const auto key = keys::generate_key(entry, 32 + (data[1] >> 3) % 33, source);
    if (key) {
      const std::size_t at = std::size_t{data[2]} * 2;
      if (text.size() < at) text.resize(at, ' ');
      text.replace(at, std::min(key->size(), text.size() - at), key->reveal());
    }
  }

  const std::vector<ref_match> want = reference_scan(text, set, tokens, patterns);
  std::string want_redacted = text;
  for (const ref_match& m : want)
    for (std::size_t i = m.offset + m.shown; i < m.offset + m.length; ++i) want_redacted[i] = '*';

  using keyward::kernels::kernel;
  for (const kernel k : {kernel::scalar, kernel::avx2, kernel::avx512vbmi}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force forced(k);
    std::size_t i = 0;
    s.scan(text, [&](const keys::scan_match& m) {
      FUZZ_CHECK(i < want.size());
      FUZZ_CHECK(m.offset == want[i].offset && m.length == want[i].length && m.public_length == want[i].shown);
      FUZZ_CHECK(m.source == want[i].source && m.pattern == want[i].pattern);
      FUZZ_CHECK(m.classification.prefix == std::string_view(text).substr(m.offset, m.classification.prefix.size()));
      ++i;
    });
    FUZZ_CHECK(i == want.size());
    std::string copy = text;
    FUZZ_CHECK(s.redact_in_place(copy) == want.size());
    FUZZ_CHECK(copy == want_redacted);
  }
  return 0;
}
