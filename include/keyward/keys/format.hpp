// keyward: keyward's own API key format, and a checker for GitHub and npm tokens.
//
// A keyward key is `<prefix><id><secret><checksum>`, with no separator after the prefix:
//   - prefix: an entry of a prefix table (keys/prefix.hpp), e.g. `sk_live_`; up to 32 bytes of [0-9A-Za-z_-];
//   - id: 12 base62 characters, the public handle under which a server stores the key;
//   - secret: 32 to 64 base62 characters (32 by default, about 190 bits) drawn uniformly from the OS CSPRNG;
//   - checksum: the CRC-32 of zlib (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF)
//     of every byte before it, prefix included, as 6 base62 characters, most significant digit first,
//     left-padded with '0'.
// The base62 alphabet is `0-9A-Za-z` (digit 0 is '0', 10 is 'A', 36 is 'a'). A key is parsed by position:
// the longest prefix of the table that begins it, then the next 12 characters, the last 6, and the secret
// between them; never by splitting on '_' (base62 holds no '_', so the end of the prefix is unambiguous).
// Secret scanners can match `<prefix>[0-9A-Za-z]{50,82}` and confirm a hit offline with the checksum; a key
// relabelled from test to live (`sk_test_` -> `sk_live_`) fails the checksum, because the prefix is covered.
/// \file
/// keyward's API key format (prefix, random body, CRC-32 checksum), and a checker for GitHub and npm tokens.
#ifndef KEYWARD_KEYS_FORMAT_HPP
#define KEYWARD_KEYS_FORMAT_HPP

#include "../ct.hpp"
#include "../detail/ct.hpp"
#include "../detail/keys_format.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "../random.hpp"
#include "../secret.hpp"
#include "prefix.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace keyward::keys {

/// Characters of a key's id.
inline constexpr std::size_t id_length = 12;
/// Characters of a key's checksum.
inline constexpr std::size_t checksum_length = detail::keys_format::checksum_length;
/// The fewest characters of a key's secret part.
inline constexpr std::size_t min_secret_length = 32;
/// The most characters of a key's secret part.
inline constexpr std::size_t max_secret_length = 64;
/// The secret length generate_key() uses unless told otherwise (32 base62 characters: 190 bits).
inline constexpr std::size_t default_secret_length = 32;
/// The longest keyward key: a 32-byte prefix, the id, a 64-character secret and the checksum (114 bytes).
inline constexpr std::size_t max_key_length = max_prefix_length + id_length + max_secret_length + checksum_length;

/// A parsed keyward key: views into the text given to parse_key(), which must outlive it.
struct key_view {
  prefix_entry classification;  ///< the table entry of the prefix
  std::string_view whole;       ///< the whole key
  std::string_view prefix;      ///< the prefix (classification.prefix, as it appears in the key)
  std::string_view id;          ///< the 12-character public handle
  std::string_view secret;      ///< the 32 to 64 secret characters
  std::string_view checksum;    ///< the 6 checksum characters

  /// prefix + id: public, safe to log; the Basic user-id of the pair form.
  std::string_view handle() const noexcept { return {whole.data(), prefix.size() + id.size()}; }
  /// secret + checksum: the Basic password of the pair form (handle() + secret_part() == whole).
  std::string_view secret_part() const noexcept { return whole.substr(prefix.size() + id.size()); }
};

/// Parses and validates `key` in keyward's format against the prefixes of `prefixes`, before any storage
/// lookup. Errors, in this order: errc::key_unknown_prefix (no prefix of the table begins it),
/// errc::key_invalid_length (not 12 + 32..64 + 6 characters after the prefix), errc::key_invalid_character
/// (a non-base62 byte after the prefix; the offset is its index in `key`), errc::key_checksum_mismatch.
/// Constant time in the bytes after the prefix (the charset is checked with masks, the CRC uses no table, the
/// checksum is read back and compared with masks; only verdicts are declassified); the prefix lookup decides on the
/// bytes of the prefix and, for a table with a longer prefix that begins the key, the public id bytes after it (its
/// 8-byte loads may reach further; those bytes are masked off before any decision).
inline result<key_view> parse_key(std::string_view key, const prefix_set& prefixes) noexcept {
  const prefix_entry* const entry = detail::keys_prefix::access::find(prefixes, key);
  if (entry == nullptr) return errc::key_unknown_prefix;
  const std::size_t prefix_size = entry->prefix.size();
  const std::size_t rest = key.size() - prefix_size;  // the entry matched: prefix_size <= key.size()
  if (prefix_size > key.size() || rest < id_length + min_secret_length + checksum_length ||
      rest > id_length + max_secret_length + checksum_length)
    return errc::key_invalid_length;
  const char* body = key.data() + prefix_size;
  if (detail::keys_format::has_non_base62(body, rest))
    return keyward::error(errc::key_invalid_character, prefix_size + detail::keys_format::first_non_base62(body, rest));
  const std::size_t checked = key.size() - checksum_length;
  if (!detail::keys_format::crc32_checksum_matches(key.data(), checked, key.data() + checked))
    return errc::key_checksum_mismatch;
  const char* const start = key.data();
  return key_view{*entry,
                  key,
                  {start, prefix_size},
                  {body, id_length},
                  {body + id_length, rest - id_length - checksum_length},
                  {start + checked, checksum_length}};
}

}  // namespace keyward::keys

namespace keyward::detail::keys_format {

/// generate_key() with `fill(unsigned char*, std::size_t) -> result<void>` as the random source. The id
/// and secret characters are drawn together by rejection sampling (sample_base62); the store index
/// advances with the accepted count, so the time reveals how many bytes were rejected, never a character.
template <class Fill>
result<secret> generate(const keys::prefix_entry& prefix, std::size_t secret_length, Fill& fill) {
  if (keys::find_prefix_problem(prefix.prefix) != keys::prefix_problem::none ||
      secret_length < keys::min_secret_length || secret_length > keys::max_secret_length)
    return errc::key_invalid_format;
  char key[keys::max_key_length];
  unsigned char pool[keys::id_length + keys::max_secret_length + 16];
  const std::size_t prefix_size = prefix.prefix.size();
  std::memcpy(key, prefix.prefix.data(), prefix_size);
  const std::size_t needed = keys::id_length + secret_length;
  char* out = key + prefix_size;  // out[needed] is the first checksum byte: a spare slot until the end
  std::size_t count = 0;
  for (int round = 0; ct::declassify(count) < needed; ++round) {
    const std::size_t draw = needed - count + 16;  // 16 spare draws: a second round has p < 1e-8
    // 64 rounds with too few accepted bytes happen only with a source stuck on 62 or 63 (p < 2^-900 else)
    const result<void> filled = round < 64 ? fill(pool, draw) : result<void>(errc::random_unavailable);
    if (!filled) {
      ::keyward::ct::secure_zero(key, sizeof key);
      ::keyward::ct::secure_zero(pool, sizeof pool);
      return filled.error();
    }
    for (std::size_t i = 0; i < draw; ++i) {
      const sampled s = sample_base62(pool[i]);
      out[count] = s.character;
      const std::size_t room = (count - needed) >> (sizeof(std::size_t) * 8 - 1);  // count < needed
      count += s.accepted & room;
    }
  }
  write_crc32_checksum(key, prefix_size + needed, out + needed);
  result<secret> made = secret(key, prefix_size + needed + keys::checksum_length);
  ::keyward::ct::secure_zero(key, sizeof key);
  ::keyward::ct::secure_zero(pool, sizeof pool);
  return made;
}

/// What redaction shows of `key`: prefix + id when it parses, else the prefix the table recognises, else
/// nothing.
inline std::string_view redaction_shown(std::string_view key, const keys::prefix_set& prefixes) noexcept {
  if (const result<keys::key_view> parsed = keys::parse_key(key, prefixes)) return parsed->handle();
  if (const result<keys::prefix_entry> entry = prefixes.classify(key)) return key.substr(0, entry->prefix.size());
  return {};
}

}  // namespace keyward::detail::keys_format

namespace keyward::keys {

/// A new key `<prefix><id><secret><checksum>` with `secret_length` secret characters, drawn from the OS
/// CSPRNG (random::fill) by rejection sampling, in a keyward::secret. Errors: errc::key_invalid_format
/// (`secret_length` outside 32..64, or a prefix that is empty, over 32 bytes or holds a byte outside
/// [0-9A-Za-z_-]), errc::random_unavailable (the OS source failed). The working buffers are wiped.
inline result<secret> generate_key(const prefix_entry& prefix, std::size_t secret_length = default_secret_length) {
  auto fill = [](unsigned char* out, std::size_t size) noexcept { return random::fill(out, size); };
  return detail::keys_format::generate(prefix, secret_length, fill);
}

/// generate_key() drawing its random bytes from `source` instead of the OS (for tests with a scripted
/// source): one byte per call, the low 8 bits of `source() - source.min()`, so the generator's range must
/// be a multiple of 256 values. Errors: errc::key_invalid_format, errc::random_unavailable (a source that
/// keeps giving bytes that rejection sampling refuses: 64 rounds without enough accepted ones).
template <class UniformRandomBitGenerator>
result<secret> generate_key(const prefix_entry& prefix, std::size_t secret_length, UniformRandomBitGenerator& source) {
  using generator = std::remove_reference_t<UniformRandomBitGenerator>;
  static_assert(((generator::max() - generator::min()) & 0xFFu) == 0xFFu,
                "the generator's range must be a multiple of 256 values");
  auto fill = [&source](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>((source() - generator::min()) & 0xFFu);
    return result<void>();
  };
  return detail::keys_format::generate(prefix, secret_length, fill);
}

/// The size of redact(key, prefixes): what it shows plus 3. Never fails.
inline std::size_t redacted_size(std::string_view key, const prefix_set& prefixes) noexcept {
  return detail::keys_format::redaction_shown(key, prefixes).size() + 3;
}

/// Writes the redacted form of `key` at `out`: prefix + id + "..." for a key that parses (parse_key); for
/// one that does not, the prefix the table recognises + "...", or just "..."; never a secret character.
/// Returns the bytes written, or errc::buffer_too_small (nothing written) when `capacity` is short.
inline result<std::size_t> write_redacted(std::string_view key, const prefix_set& prefixes, char* out,
                                          std::size_t capacity) noexcept {
  const std::string_view shown = detail::keys_format::redaction_shown(key, prefixes);
  return detail::writer::write_into(out, capacity, [shown](detail::writer::counting_writer& text) noexcept {
    text.put(shown);
    text.put(std::string_view("..."));
  });
}

/// The redacted form of `key` (see write_redacted()), safe for logs: `sk_live_AbCdEfGhIjKl...`. Never fails.
inline std::string redact(std::string_view key, const prefix_set& prefixes) {
  const std::string_view shown = detail::keys_format::redaction_shown(key, prefixes);
  std::string text;
  text.reserve(shown.size() + 3);
  text.append(shown).append("...");
  return text;
}

/// The random characters of a GitHub or npm token after its prefix.
inline constexpr std::size_t token_random_length = 30;

/// A token checked by check_crc32_token() or check_github_token(): views into the text given.
struct checked_token {
  prefix_entry classification;     ///< the table entry of the prefix
  std::string_view whole;          ///< the whole token
  std::string_view prefix;         ///< the prefix, such as `ghp_`
  std::string_view random;         ///< the random part (for github_pat_, everything after the prefix)
  std::string_view checksum;       ///< the 6 checksum characters (empty for github_pat_)
  bool checksum_verified = false;  ///< true when the checksum was checked (false only for github_pat_)
};

/// Checks `token` against the scheme of GitHub's and npm's identifiable tokens, for any prefix of
/// `prefixes`: `<prefix><30 base62 random characters><6-character checksum>`, the checksum being the CRC-32
/// (zlib) of the 30 random characters only (not of the prefix), in base62 0-9A-Za-z, most significant digit
/// first, left-padded with '0'. Because the prefix is not covered, a token relabelled to another prefix
/// still passes. Errors: errc::key_unknown_prefix, errc::key_invalid_length (not 36 characters after the
/// prefix), errc::key_invalid_character (offset in `token`), errc::key_checksum_mismatch. Constant time in
/// the bytes after the prefix, like parse_key().
inline result<checked_token> check_crc32_token(std::string_view token, const prefix_set& prefixes) noexcept {
  const result<prefix_entry> classified = prefixes.classify(token);
  if (!classified) return classified.error();
  const std::size_t prefix_size = classified->prefix.size();
  if (prefix_size > token.size() || token.size() - prefix_size != token_random_length + checksum_length)
    return errc::key_invalid_length;
  const char* body = token.data() + prefix_size;
  const std::size_t body_size = token_random_length + checksum_length;
  if (detail::keys_format::has_non_base62(body, body_size))
    return keyward::error(errc::key_invalid_character,
                          prefix_size + detail::keys_format::first_non_base62(body, body_size));
  if (!detail::keys_format::crc32_checksum_matches(body, token_random_length, body + token_random_length))
    return errc::key_checksum_mismatch;
  return checked_token{*classified,
                       token,
                       token.substr(0, prefix_size),
                       token.substr(prefix_size, token_random_length),
                       token.substr(prefix_size + token_random_length),
                       true};
}

/// Tells a real GitHub or npm token from a look-alike, offline, with leaked_token_prefixes: for `ghp_`,
/// `gho_`, `ghu_`, `ghs_`, `ghr_` and `npm_`, check_crc32_token(). GitHub publishes no checksum rule for
/// fine-grained tokens (`github_pat_`): those are only classified (random = everything after the prefix,
/// checksum empty, checksum_verified false), so any text after `github_pat_` is accepted. Errors: those of
/// check_crc32_token().
inline result<checked_token> check_github_token(std::string_view token) noexcept {
  const result<prefix_entry> classified = leaked_token_prefixes.classify(token);
  if (!classified) return classified.error();
  if (classified->prefix == "github_pat_") {
    const std::size_t prefix_size = classified->prefix.size();
    return checked_token{*classified, token, token.substr(0, prefix_size), token.substr(prefix_size), {}, false};
  }
  return check_crc32_token(token, leaked_token_prefixes);
}

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_FORMAT_HPP
