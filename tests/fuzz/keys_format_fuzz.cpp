// libFuzzer target for keyward::keys (prefix.hpp, format.hpp): classify, parse_key, redact and its writer,
// check_github_token, and generate_key with the input as its random source. The first input byte chooses
// the table (low 2 bits) and whether to repair the checksum (bit 2: the last 6 bytes are replaced by the
// reference checksum, so that valid keys are reached); the rest is the key. Everything is compared with a
// slow reference written here: a linear longest-prefix scan, a table-driven CRC-32 (the classic zlib
// table), base62 digits by `%` and `/`, and the format's rules as plain loops.
#include <keyward/keys/format.hpp>

#include "fuzz_check.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace {

namespace keys = keyward::keys;
using keyward::errc;

constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_", "acme", keys::key_kind::secret, keys::key_environment::unspecified},
    {"acme_sk_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
    {"acme_sk_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
    {"a", "acme", keys::key_kind::custom, keys::key_environment::test, "a"},
    {"acme-", "acme", keys::key_kind::restricted, keys::key_environment::live},
});

keys::prefix_set table(unsigned choice) {
  switch (choice & 3u) {
    case 0: return keys::stripe_prefixes;
    case 1: return keys::live_test_prefixes;
    case 2: return keys::leaked_token_prefixes;
    default: return acme_prefixes;
  }
}

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

std::uint32_t reference_crc(std::string_view text) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : text) c = crc_table[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string reference_checksum(std::string_view text) {
  std::uint32_t value = reference_crc(text);
  std::string digits(6, '0');
  for (int i = 5; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = alphabet[value % 62];
    value /= 62;
  }
  return digits;
}

bool is_base62(char c) { return alphabet.find(c) != std::string_view::npos; }

const keys::prefix_entry* reference_classify(const keys::prefix_set& set, std::string_view key) {
  const keys::prefix_entry* best = nullptr;
  for (const keys::prefix_entry& e : set)
    if (key.substr(0, e.prefix.size()) == e.prefix && (best == nullptr || e.prefix.size() > best->prefix.size()))
      best = &e;
  return best;
}

// The expected error of parse_key (errc{} for success) and its offset.
keyward::error reference_parse(const keys::prefix_set& set, std::string_view key) {
  const keys::prefix_entry* e = reference_classify(set, key);
  if (e == nullptr) return errc::key_unknown_prefix;
  const std::size_t rest = key.size() - e->prefix.size();
  if (rest < 50 || rest > 82) return errc::key_invalid_length;
  for (std::size_t i = e->prefix.size(); i < key.size(); ++i)
    if (!is_base62(key[i])) return keyward::error(errc::key_invalid_character, i);
  if (reference_checksum(key.substr(0, key.size() - 6)) != key.substr(key.size() - 6)) return errc::key_checksum_mismatch;
  return errc{};
}

keyward::error reference_github(std::string_view token) {
  const keys::prefix_entry* e = reference_classify(keys::leaked_token_prefixes, token);
  if (e == nullptr) return errc::key_unknown_prefix;
  if (e->prefix == "github_pat_") return errc{};
  const std::size_t p = e->prefix.size();
  if (token.size() - p != 36) return errc::key_invalid_length;
  for (std::size_t i = p; i < token.size(); ++i)
    if (!is_base62(token[i])) return keyward::error(errc::key_invalid_character, i);
  if (reference_checksum(token.substr(p, 30)) != token.substr(p + 30)) return errc::key_checksum_mismatch;
  return errc{};
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
  if (size == 0) return 0;
  const unsigned control = data[0];
  const keys::prefix_set set = table(control);
  std::string key(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((control & 4u) != 0 && key.size() > 6) key.replace(key.size() - 6, 6, reference_checksum(key.substr(0, key.size() - 6)));

  // classify
  const auto classified = set.classify(key);
  const keys::prefix_entry* want_entry = reference_classify(set, key);
  FUZZ_CHECK(classified.has_value() == (want_entry != nullptr));
  if (want_entry != nullptr) FUZZ_CHECK(classified->prefix == want_entry->prefix && classified->vendor == want_entry->vendor);

  // parse_key
  const auto parsed = keys::parse_key(key, set);
  const keyward::error want = reference_parse(set, key);
  if (want.code() == errc{}) {
    FUZZ_CHECK(parsed.has_value());
    const std::size_t p = want_entry->prefix.size();
    FUZZ_CHECK(parsed->whole.data() == key.data() && parsed->whole.size() == key.size());
    FUZZ_CHECK(parsed->prefix.data() == key.data() && parsed->prefix.size() == p);
    FUZZ_CHECK(parsed->id == std::string_view(key).substr(p, 12));
    FUZZ_CHECK(parsed->secret == std::string_view(key).substr(p + 12, key.size() - p - 18));
    FUZZ_CHECK(parsed->checksum == std::string_view(key).substr(key.size() - 6));
    FUZZ_CHECK(parsed->handle().size() + parsed->secret_part().size() == key.size());
  } else {
    FUZZ_CHECK(!parsed.has_value());
    FUZZ_CHECK(parsed.error() == want);
  }

  // redaction: the handle of a valid key, else the recognised prefix or nothing; then "..."
  const std::string redacted = keys::redact(key, set);
  const std::string want_redacted =
      (want.code() == errc{} ? key.substr(0, want_entry->prefix.size() + 12)
                             : (want_entry != nullptr ? key.substr(0, want_entry->prefix.size()) : std::string())) +
      "...";
  FUZZ_CHECK(redacted == want_redacted);
  FUZZ_CHECK(keys::redacted_size(key, set) == redacted.size());
  char buffer[keys::max_prefix_length + keys::id_length + 3];
  const std::size_t capacity = (control >> 3) % (sizeof buffer + 1);
  std::memset(buffer, '#', sizeof buffer);
  const auto written = keys::write_redacted(key, set, buffer, capacity);
  if (capacity >= redacted.size()) {
    FUZZ_CHECK(written.has_value() && *written == redacted.size());
    FUZZ_CHECK(std::memcmp(buffer, redacted.data(), redacted.size()) == 0);
  } else {
    FUZZ_CHECK(!written.has_value() && written.error() == errc::buffer_too_small);
    for (const char c : buffer) FUZZ_CHECK(c == '#');
  }

  // check_github_token, on the key and on its bytes after the first (so that ghp_... inputs line up)
  for (const std::string_view token : {std::string_view(key), std::string_view(key).substr(key.empty() ? 0 : 1)}) {
    const auto checked = keys::check_github_token(token);
    const keyward::error want_token = reference_github(token);
    if (want_token.code() == errc{}) {
      FUZZ_CHECK(checked.has_value());
      FUZZ_CHECK(checked->checksum_verified == (checked->prefix != "github_pat_"));
      FUZZ_CHECK(checked->prefix.size() + checked->random.size() + checked->checksum.size() == token.size());
    } else {
      FUZZ_CHECK(!checked.has_value() && checked.error() == want_token);
    }
  }

  // generate_key with the input as the random source: always a key the reference accepts
  if (classified) {
    input_source source{data, size};
    const std::size_t secret_length = 32 + (control >> 3) % 33;
    const auto made = keys::generate_key(*classified, secret_length, source);
    if (made) {
      FUZZ_CHECK(made->size() == classified->prefix.size() + 12 + secret_length + 6);
      FUZZ_CHECK(reference_parse(set, made->reveal()).code() == errc{});
      FUZZ_CHECK(keys::parse_key(made->reveal(), set).has_value());
    } else {
      FUZZ_CHECK(made.error() == errc::random_unavailable);  // an input of rejected bytes only
    }
  }
  return 0;
}
