// keyward: private scanners for the RFC 9110 grammar shared by the Authorization and WWW-Authenticate
// parsers: character classes, OWS, token, token68, quoted-string and auth-param (RFC 9110 sections 5.6 and 11).
#ifndef KEYWARD_DETAIL_HTTP_GRAMMAR_HPP
#define KEYWARD_DETAIL_HTTP_GRAMMAR_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "ct.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#endif

namespace keyward::detail::http_grammar {

/// Character classes, one bit each, for every byte value.
enum char_class : std::uint8_t {
  tchar = 1,            ///< token character (RFC 9110 section 5.6.2)
  token68_char = 2,     ///< ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" (section 11.2), '=' excluded
  qdtext_but_htab = 4,  ///< SP / %x21 / %x23-5B / %x5D-7E / obs-text: qdtext (section 5.6.4) without HTAB
  pair_char = 8,        ///< what may follow '\' in a quoted-pair: HTAB / SP / VCHAR / obs-text
  ows = 16,             ///< SP / HTAB
  forbidden = 32,       ///< bytes no field value may hold: CTLs other than HTAB, and DEL (section 5.5)
  separator = 64,       ///< what separates list elements: ',' and OWS (section 5.6.1)
};

constexpr std::array<std::uint8_t, 256> make_char_classes() noexcept {
  std::array<std::uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t bits = 0;
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool vchar = c >= 0x21 && c <= 0x7E;
    const bool obs_text = c >= 0x80;
    if (alnum || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      bits |= tchar;
    }
    if (alnum || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') bits |= token68_char;
    if (c == ' ' || (vchar && c != '"' && c != '\\') || obs_text) bits |= qdtext_but_htab;
    if (c == '\t' || c == ' ' || vchar || obs_text) bits |= pair_char;
    if (c == ' ' || c == '\t') bits |= ows | separator;
    if (c == ',') bits |= separator;
    if ((c < 0x20 && c != '\t') || c == 0x7F) bits |= forbidden;
    classes[static_cast<std::size_t>(c)] = bits;
  }
  return classes;
}

inline constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

/// True when byte `c` is in class `cls`.
constexpr bool is(char c, char_class cls) noexcept {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}

/// The index of the first byte at or after `i` that is not in class `cls` (text.size() when none).
constexpr std::size_t skip(std::string_view text, std::size_t i, char_class cls) noexcept {
  while (i < text.size() && is(text[i], cls)) ++i;
  return i;
}
/// The bytes [begin, end) of `text`, which the caller knows to be in range: string_view::substr checks the
/// bounds again and, where the compiler does not inline it, costs a call on the hot paths.
constexpr std::string_view slice(std::string_view text, std::size_t begin, std::size_t end) noexcept {
  return std::string_view(text.data() + begin, end - begin);
}

/// The offset of the first byte no field value may hold (NUL, CR, LF, other CTLs but HTAB, DEL), or npos.
constexpr std::size_t find_forbidden(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is(text[i], forbidden)) return i;
  }
  return std::string_view::npos;
}

/// ASCII case-insensitive equality (auth-scheme and auth-param names, RFC 9110 sections 11.1 and 11.2).
constexpr bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y && ((x | 0x20u) != (y | 0x20u) || (x | 0x20u) < 'a' || (x | 0x20u) > 'z')) return false;
  }
  return true;
}

#if KEYWARD_X86_SIMD
/// The index of the first byte at or after `i` that is not a token68 character, 16 bytes at a time with
/// SSE2 (part of every x86-64 CPU), the last block overlapping the one before it; texts shorter than 16
/// bytes are left to the caller (`i` is returned).
inline std::size_t skip_token68_chars_sse2(std::string_view text, std::size_t i) noexcept {
  if (text.size() < 16 || i >= text.size()) return i;
  const __m128i lower_case_bit = _mm_set1_epi8(0x20);
  while (true) {
    // The last block overlaps the one before it; bytes before `i` in it are not the caller's to judge.
    const std::size_t block = i + 16 <= text.size() ? i : text.size() - 16;
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + block));
    // OR-ing 0x20 maps exactly the letters to 'a'-'z'; bytes above 0x7F are negative and fail every range.
    const __m128i folded = _mm_or_si128(bytes, lower_case_bit);
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)),
                                         _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
    const __m128i dash_to_nine = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('-' - 1)),
                                               _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1)));  // - . / 0-9
    const __m128i others = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('+')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('_'))),
        _mm_cmpeq_epi8(bytes, _mm_set1_epi8('~')));
    // Which bytes are token68 characters is the parse's public verdict (a Bearer token may be a secret).
    const auto accepted = ct::declassify(static_cast<unsigned>(_mm_movemask_epi8(
                                             _mm_or_si128(_mm_or_si128(letter, dash_to_nine), others))) |
                                         ((1u << (i - block)) - 1));
    if (accepted != 0xFFFF) return block + static_cast<std::size_t>(__builtin_ctz(~accepted));
    if (block + 16 == text.size()) return text.size();
    i = block + 16;
  }
}
#endif

/// The index of the first byte at or after `i` that is not a token68 character (text.size() when none).
constexpr std::size_t skip_token68_chars(std::string_view text, std::size_t i) noexcept {
#if KEYWARD_X86_SIMD
  if (!__builtin_is_constant_evaluated()) i = skip_token68_chars_sse2(text, i);
#endif
  return skip(text, i, token68_char);
}

/// The end of the token68 starting at `i` (its characters, then any '='), or `i` when there is none.
constexpr std::size_t scan_token68(std::string_view text, std::size_t i) noexcept {
  const std::size_t start = i;
  i = skip_token68_chars(text, i);
  if (i == start) return start;
  while (i < text.size() && text[i] == '=') ++i;
  return i;
}

/// The outcome of scanning one syntactic element: where it ends, or the error found.
struct scanned {
  std::size_t end = 0;   ///< one past the element, when ok
  errc code{};           ///< zero when ok
  std::size_t offset = 0;  ///< where the error was found

  constexpr bool ok() const noexcept { return code == errc{}; }
};

#if KEYWARD_X86_SIMD
/// The index of the first byte at or after `i` that is not qdtext_but_htab ('"', '\', a CTL, HTAB included,
/// DEL), 16 bytes at a time with SSE2: whole blocks from `i`, then the last 16 bytes of the text, overlapping
/// the block before them (texts shorter than 16 bytes: the remaining bytes are left to the caller). The walk
/// is skip_escapable_sse2's, but for its first block, written out in each: the hostile challenge list parsed
/// 4% slower through a template that both shared (g++ 12 -O3).
inline std::size_t skip_qdtext_but_htab_sse2(std::string_view text, std::size_t i) noexcept {
  const auto stops_at = [&text](std::size_t block) noexcept {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + block));
    // 0x00-0x1F, the bytes that an unsigned minimum with 0x1F leaves unchanged (HTAB among them: excluding it
    // took two more operations on the path from one auth-param to the next), DEL, '"' and '\'.
    const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
    const __m128i others = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))),
        _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7F)));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(ctl, others)));
  };
  const auto first = [](unsigned stops) noexcept {  // the offset of the first stop in a mask that has one
    return static_cast<std::size_t>(static_cast<unsigned>(__builtin_ctz(stops)));
  };
  if (i + 16 <= text.size()) {
    // The first block apart: a short quoted-string ends in it, and its load then takes `i` as given rather than
    // a loop counter kept 16 bytes ahead, one addition less on the path from one auth-param to the next.
    const unsigned stops = stops_at(i);
    if (stops != 0) return i + first(stops);
    for (i += 16; i + 16 <= text.size(); i += 16) {
      const unsigned more = stops_at(i);
      if (more != 0) return i + first(more);
    }
  }
  if (text.size() < 16 || i >= text.size()) return i;
  const std::size_t block = text.size() - 16;
  const unsigned stops = stops_at(block) & ~((1u << (i - block)) - 1);  // bytes before `i` are not the caller's
  return stops != 0 ? block + first(stops) : text.size();
}
#endif

/// The index of the first byte at or after `i` that is not qdtext_but_htab (text.size() when none): where a
/// quoted-string ends, holds a quoted-pair or an HTAB, or is invalid.
constexpr std::size_t skip_qdtext_but_htab(std::string_view text, std::size_t i) noexcept {
#if KEYWARD_X86_SIMD
  if (!__builtin_is_constant_evaluated() && text.size() >= 16) return skip_qdtext_but_htab_sse2(text, i);
#endif
  return skip(text, i, qdtext_but_htab);
}

#if KEYWARD_X86_SIMD
/// The index of the first '"' or '\\' at or after `i`, 16 bytes at a time with SSE2: whole blocks from `i`
/// (a short quoted-string ends in the first one), then the last 16 bytes of the text, overlapping the block
/// before them (texts shorter than 16 bytes: the remaining bytes are left to the caller).
inline std::size_t skip_escapable_sse2(std::string_view text, std::size_t i) noexcept {
  const auto stops_at = [&text](std::size_t block) noexcept {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + block));
    return static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\')))));
  };
  for (; i + 16 <= text.size(); i += 16) {
    const unsigned stops = stops_at(i);
    if (stops != 0) return i + static_cast<std::size_t>(__builtin_ctz(stops));
  }
  if (text.size() < 16 || i >= text.size()) return i;
  const std::size_t block = text.size() - 16;
  const unsigned stops = stops_at(block) & ~((1u << (i - block)) - 1);  // bytes before `i` are not the caller's
  return stops != 0 ? block + static_cast<std::size_t>(__builtin_ctz(stops)) : text.size();
}
#endif

/// The index of the first '"' or '\\' at or after `i` (text.size() when none): where a quoted-string already
/// validated may end or hold a quoted-pair.
constexpr std::size_t skip_escapable(std::string_view text, std::size_t i) noexcept {
#if KEYWARD_X86_SIMD
  if (!__builtin_is_constant_evaluated()) i = skip_escapable_sse2(text, i);
#endif
  while (i < text.size() && text[i] != '"' && text[i] != '\\') ++i;
  return i;
}

/// Scans the quoted-string whose opening '"' is at `i`: the result ends past the closing quote.
/// Fails with http_invalid_quoted_string at the offending byte, or at the opening quote when unterminated.
constexpr scanned scan_quoted_string(std::string_view text, std::size_t i) noexcept {
  const std::size_t open = i++;
  while (true) {
    i = skip_qdtext_but_htab(text, i);
    if (i >= text.size()) break;
    const char c = text[i];
    if (c == '"') return {i + 1, errc{}, 0};
    if (c == '\t') {  // qdtext too
      ++i;
      continue;
    }
    if (c != '\\') return {0, errc::http_invalid_quoted_string, i};
    if (i + 1 >= text.size()) break;
    if (!is(text[i + 1], pair_char)) return {0, errc::http_invalid_quoted_string, i + 1};
    i += 2;
  }
  return {0, errc::http_invalid_quoted_string, open};
}

/// The end of the quoted-string whose opening '"' is at `i` in text already validated by scan_quoted_string:
/// past the closing quote (text.size() when there is none, so that reading an invalid list still ends).
constexpr std::size_t skip_quoted_string(std::string_view text, std::size_t i) noexcept {
  ++i;
  while (true) {
    i = skip_escapable(text, i);
    if (i >= text.size()) return text.size();
    if (text[i] == '"') return i + 1;
    i += text[i] == '\\' ? 2 : 1;
  }
}

/// One auth-param (`token BWS "=" BWS ( token / quoted-string )`, RFC 9110 section 11.2) as found in the text.
struct raw_param {
  std::string_view name;
  std::string_view value;  ///< the token, or the quoted-string's content without the quotes, escapes intact
  bool quoted = false;
};

/// Where the value of an auth-param whose name ends at `name_end` starts: past `BWS "=" BWS`, when a value
/// follows (anything but '=', ',' or the end); npos otherwise. This is how a token68 ending in '=' is told
/// apart from an auth-param (section 11.2).
constexpr std::size_t param_value_start(std::string_view text, std::size_t name_end) noexcept {
  if (name_end + 1 < text.size() && text[name_end] == '=') {  // the usual shapes: no BWS, a quoted-string first
    const char c = text[name_end + 1];
    if (c == '"') return name_end + 1;
    if (!is(c, ows)) return c != '=' && c != ',' ? name_end + 1 : std::string_view::npos;
  }
  std::size_t j = skip(text, name_end, ows);
  if (j >= text.size() || text[j] != '=') return std::string_view::npos;
  j = skip(text, j + 1, ows);
  return j < text.size() && text[j] != '=' && text[j] != ',' ? j : std::string_view::npos;
}

/// True when an auth-param starts at `i`: `token BWS "="` followed (after BWS) by something other than '=',
/// ',' or the end (param_value_start).
constexpr bool param_starts_at(std::string_view text, std::size_t i) noexcept {
  const std::size_t name_end = skip(text, i, tchar);
  return name_end != i && param_value_start(text, name_end) != std::string_view::npos;
}

/// Scans the value (token or quoted-string) of an auth-param, starting at `j`, into `param.value` and
/// `param.quoted`. Fails with http_invalid_parameter (no token there) or http_invalid_quoted_string, at the
/// offending byte.
constexpr scanned scan_param_value(std::string_view text, std::size_t j, raw_param& param) noexcept {
  if (j < text.size() && text[j] == '"') {
    const scanned quoted = scan_quoted_string(text, j);
    if (!quoted.ok()) return quoted;
    param.value = slice(text, j + 1, quoted.end - 1);
    param.quoted = true;
    return {quoted.end, errc{}, 0};
  }
  const std::size_t value_end = skip(text, j, tchar);
  if (value_end == j) return {0, errc::http_invalid_parameter, j};
  param.value = slice(text, j, value_end);
  param.quoted = false;
  return {value_end, errc{}, 0};
}

/// Scans the auth-param starting at `i` into `param`. Fails with http_invalid_parameter (no name, no '=',
/// no value) or http_invalid_quoted_string, at the offending byte.
constexpr scanned scan_param(std::string_view text, std::size_t i, raw_param& param) noexcept {
  const std::size_t name_end = skip(text, i, tchar);
  if (name_end == i) return {0, errc::http_invalid_parameter, i};
  param.name = slice(text, i, name_end);
  std::size_t j = skip(text, name_end, ows);
  if (j >= text.size() || text[j] != '=') return {0, errc::http_invalid_parameter, j};
  return scan_param_value(text, skip(text, j + 1, ows), param);
}

/// Reads the value starting at `j` of an auth-param already validated by scan_param_value into `param`,
/// without checking it again, and returns its end.
constexpr std::size_t read_param_value(std::string_view text, std::size_t j, raw_param& param) noexcept {
  if (j < text.size() && text[j] == '"') {
    const std::size_t end = skip_quoted_string(text, j);
    param.value = slice(text, j + 1, end - (text[end - 1] == '"' && end > j + 1 ? 1 : 0));
    param.quoted = true;
    return end;
  }
  const std::size_t end = skip(text, j, tchar);
  param.value = slice(text, j, end);
  param.quoted = false;
  return end;
}

/// The index past the list separators at `i`: OWS, commas and empty list elements (RFC 9110 section 5.6.1).
constexpr std::size_t skip_list_separators(std::string_view text, std::size_t i) noexcept {
  return skip(text, i, separator);
}

/// True when the two bytes of `text` at `i` (before its last byte) are `pair`: at run time one 16-bit compare,
/// where two byte compares cost a load and a branch more on the path from one auth-param to the next.
constexpr bool holds_pair(std::string_view text, std::size_t i, const char (&pair)[3]) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (!__builtin_is_constant_evaluated()) return std::memcmp(text.data() + i, pair, 2) == 0;
#endif
  return text[i] == pair[0] && text[i + 1] == pair[1];
}

/// Where the list element after the one that ends at `end` starts: past OWS, a comma and the separators after
/// it (RFC 9110 section 5.6.1); npos when no comma follows the OWS (the text ends, or other data follows).
/// The usual shape, ", " and the element, is recognized without a loop.
constexpr std::size_t next_element(std::string_view text, std::size_t end) noexcept {
  if (end + 2 < text.size() && holds_pair(text, end, ", ") && !is(text[end + 2], separator)) return end + 2;
  const std::size_t after = skip(text, end, ows);
  if (after >= text.size() || text[after] != ',') return std::string_view::npos;
  return skip_list_separators(text, after);
}

/// Reads the auth-param at `i` of a list already validated by scan_param into `param`, without checking it
/// again, and returns its end (always past `i`, so that reading an invalid list still ends).
constexpr std::size_t read_param(std::string_view text, std::size_t i, raw_param& param) noexcept {
  const std::size_t name_end = skip(text, i, tchar);
  param.name = slice(text, i, name_end);
  std::size_t j = name_end;
  if (j + 1 < text.size() && text[j] == '=' && !is(text[j + 1], ows)) {  // the usual shape: no BWS
    ++j;
  } else {
    j = skip(text, j, ows);
    if (j < text.size()) j = skip(text, j + 1, ows);  // past '=' and BWS
  }
  const std::size_t end = read_param_value(text, j, param);
  return end > i ? end : i + 1;
}

/// True when the #auth-param list `list` (valid, as checked by scan_param_list) has a parameter named `name`.
constexpr bool has_param(std::string_view list, std::string_view name) noexcept {
  raw_param param;
  for (std::size_t i = skip_list_separators(list, 0); i < list.size(); i = skip_list_separators(list, i)) {
    i = read_param(list, i, param);
    if (iequal(param.name, name)) return true;
  }
  return false;
}

/// The most auth-params one list (one credentials value, one challenge) may hold, whatever the limits say:
/// the duplicate check keeps the names of a list and its table on the stack, 20 bytes a name (name_table).
inline constexpr std::size_t max_parameters_ceiling = 256;

/// The most challenges one WWW-Authenticate value may hold, whatever the limits say: the challenge list that
/// parse_challenges returns records where each starts, so that reading them does not scan the value again.
inline constexpr std::size_t max_challenges_ceiling = 16;

/// The longest WWW-Authenticate value, whatever the limits say: the challenge list records its offsets in 32
/// bits.
inline constexpr std::size_t max_challenges_length_ceiling = UINT32_MAX;

/// `max_parameters`, at most max_parameters_ceiling.
constexpr std::size_t parameter_limit(std::size_t max_parameters) noexcept {
  return max_parameters < max_parameters_ceiling ? max_parameters : max_parameters_ceiling;
}

/// The bytes [p, p + size) as a word (size at most 8), zero-padded, in memory order; `readable` bytes from p
/// may be read.
inline std::uint64_t load_word(const char* p, std::size_t size, std::size_t readable) noexcept {
  // size leading 0xFF bytes then zeros, whatever the byte order.
  static constexpr unsigned char leading_ones[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  std::uint64_t word = 0;
  if (readable >= 8) {
    std::uint64_t mask = 0;
    std::memcpy(&word, p, 8);
    std::memcpy(&mask, leading_ones + 8 - size, 8);
    return word & mask;
  }
  std::memcpy(&word, p, size);
  return word;
}

/// `word` (bytes below 0x80) with the ASCII upper case letters of each byte turned to lower case.
inline std::uint64_t fold_word(std::uint64_t word) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  const std::uint64_t at_least_a = (word + ones * (0x80 - 'A')) & ones * 0x80;  // no carry: bytes below 0x80
  const std::uint64_t above_z = (word + ones * (0x80 - 'Z' - 1)) & ones * 0x80;
  return word | ((at_least_a & ~above_z) >> 2);
}

/// The key of the auth-param name `name` (a token), which lies in a text with `readable` bytes from its start,
/// for the duplicate check: its bytes with bit 0x20 set, which is lower case for letters. Names up to 8 bytes
/// are that word (a tchar is never 0 and never above 0x7E, so the top bit is clear), longer names a hash of
/// those words with the top bit set. Equal names, case-insensitively, have equal keys; some different names do
/// too, as '^' and '~' do, so equal keys are always confirmed by comparing the names.
inline std::uint64_t name_key(std::string_view name, std::size_t readable) noexcept {
  constexpr std::uint64_t lower_case_bits = 0x2020202020202020u;
  if (name.size() <= 8) {
    return load_word(name.data(), name.size(), readable) | (lower_case_bits >> (64 - 8 * name.size()));
  }
  constexpr std::uint64_t multiplier = 0x9E3779B97F4A7C15u;  // 2^64 / golden ratio, odd
  std::uint64_t hash = name.size();
  for (std::size_t i = 0; i < name.size(); i += 8) {
    const std::size_t size = name.size() - i < 8 ? name.size() - i : 8;
    hash = (hash ^ (load_word(name.data() + i, size, readable - i) | lower_case_bits)) * multiplier;
    hash ^= hash >> 29;
  }
  return hash | (std::uint64_t{1} << 63);
}

/// The name of the auth-param starting at `offset` of `text`.
constexpr std::string_view name_at(std::string_view text, std::size_t offset) noexcept {
  return slice(text, offset, skip(text, offset, tchar));
}

/// One name of an auth-param list for the duplicate check: its key (name_key) and where the parameter starts.
struct name_entry {
  std::uint64_t key;
  std::size_t offset;
};

/// Orders names by key, then (names whose keys are equal) case-insensitively by their bytes, then by position:
/// equal names end up next to each other, the first of them first.
struct name_order {
  std::string_view text;

  bool operator()(const name_entry& a, const name_entry& b) const noexcept {
    if (a.key != b.key) return a.key < b.key;
    const std::string_view x = name_at(text, a.offset);
    const std::string_view y = name_at(text, b.offset);
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      const std::uint64_t fx = fold_word(static_cast<unsigned char>(x[i]));
      const std::uint64_t fy = fold_word(static_cast<unsigned char>(y[i]));
      if (fx != fy) return fx < fy;
    }
    if (x.size() != y.size()) return x.size() < y.size();
    return a.offset < b.offset;
  }
};

/// The duplicate-name check of one auth-param list at run time, allocating nothing and taking at most
/// n log n steps for n names (at most `most`, itself at most max_parameters_ceiling), whatever they are;
/// linear for names that do not collide (compilers without __builtin_is_constant_evaluated use the quadratic
/// names_before, bounded by the same ceiling). Each name is looked up among the earlier ones as it comes: the
/// first `filtered` through a 256-bit Bloom filter (two bits a name; only when both are already set are the
/// earlier names compared, one by one), the rest in an open-addressing table on the stack, at most half full. Names
/// chosen to collide in the filter or the table would make that quadratic, so past a budget of comparisons the
/// names are only recorded, then sorted once at the end of the list (first_duplicate()). Either way the
/// parameter reported is the first whose name an earlier one has.
class name_table {
 public:
  /// A table for at most `most` names (at most max_parameters_ceiling). The arrays are filled as names come.
  explicit name_table(std::size_t most) noexcept : most_(most) {}
  name_table(const name_table&) = delete;
  name_table& operator=(const name_table&) = delete;

  /// Adds `name`, the name of the parameter at `offset` of `text`; false when an earlier parameter has it
  /// (true, once the names are only recorded, whatever they are: first_duplicate() answers). Names past the
  /// table's capacity are not kept (the caller stops the list there). Always inlined: clang otherwise calls it
  /// for each name.
  KEYWARD_ALWAYS_INLINE bool add(std::string_view text, std::size_t /*begin*/, std::size_t offset,
                                 std::string_view name) noexcept {
    const std::uint64_t key = name_key(name, text.size() - offset);
    const std::size_t k = count_;
    if (k >= max_parameters_ceiling) return true;
    if (k < filtered) {
      // The name's two bits in the filter: the top two bytes of key * spread.
      const std::uint64_t product = key * spread;
      const auto first = static_cast<unsigned>(product >> 56);
      const auto second = static_cast<unsigned>(product >> 48) & 255u;
      const std::uint64_t first_mask = std::uint64_t{1} << (first & 63u);
      const std::uint64_t second_mask = std::uint64_t{1} << (second & 63u);
      const bool both_set = (filter_[first >> 6] & first_mask) != 0 && (filter_[second >> 6] & second_mask) != 0;
      if (both_set && !deferred_ && !over_budget(k, k)) {  // an earlier name may be the same
        for (std::size_t earlier = 0; earlier < k; ++earlier) {
          if (same(text, earlier, key, name)) return false;
        }
      }
      filter_[first >> 6] |= first_mask;
      filter_[second >> 6] |= second_mask;
    } else if (!deferred_) {
      if (k == filtered) {
        while ((std::size_t{1} << bits_) < 2 * most_ && bits_ < table_bits) ++bits_;
        for (std::size_t slot = 0; slot < (std::size_t{1} << bits_); ++slot) slots_[slot] = 0;
        for (std::size_t earlier = 0; earlier < filtered; ++earlier) {
          slots_[free_slot(names_[earlier].key)] = index(earlier);
        }
      }
      const std::size_t mask = (std::size_t{1} << bits_) - 1;
      std::size_t slot = home(key);
      for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
        if (same(text, slots_[slot] - 1u, key, name)) return false;
        if (over_budget(k, 1)) break;
      }
      if (!deferred_) slots_[slot] = index(k);
    }
    names_[k] = name_entry{key, offset};
    count_ = k + 1;
    return true;
  }

  /// After the last name of the list: when the names were only recorded, the offset of the first parameter
  /// whose name an earlier one has (the names sorted, O(n log n)); npos otherwise (add() answered).
  std::size_t first_duplicate(std::string_view text) noexcept {
    if (!deferred_) return std::string_view::npos;
    std::sort(names_, names_ + count_, name_order{text});
    std::size_t first = std::string_view::npos;
    for (std::size_t k = 1; k < count_; ++k) {
      if (names_[k].offset < first && same(text, k - 1, names_[k].key, name_at(text, names_[k].offset))) {
        first = names_[k].offset;
      }
    }
    return first;
  }

 private:
  static constexpr std::size_t filtered = 32;  // limits::max_parameters' default: the table is for raised limits
  static constexpr unsigned table_bits = 9;     // 2 * max_parameters_ceiling slots
  static_assert((std::size_t{1} << table_bits) >= 2 * max_parameters_ceiling, "the table stays at most half full");
  static constexpr std::uint64_t spread = 0x9E3779B97F4A7C15u;  // 2^64 / golden ratio, odd: top bits from all

  static std::uint16_t index(std::size_t k) noexcept { return static_cast<std::uint16_t>(k + 1); }
  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * spread) >> (64 - bits_));
  }
  /// Counts `comparisons` comparisons of names about to be made; true, and then they are not made and from then
  /// on the names are only recorded, once the list of `k` names so far would take far more comparisons than
  /// distinct names give.
  bool over_budget(std::size_t k, std::size_t comparisons) noexcept {
    probes_ += comparisons;
    if (probes_ <= 4 * k + 64) return false;
    deferred_ = true;
    return true;
  }
  std::size_t free_slot(std::uint64_t key) const noexcept {
    std::size_t slot = home(key);
    while (slots_[slot] != 0) slot = (slot + 1) & ((std::size_t{1} << bits_) - 1);
    return slot;
  }
  bool same(std::string_view text, std::size_t earlier, std::uint64_t key, std::string_view name) const noexcept {
    return names_[earlier].key == key && iequal(name_at(text, names_[earlier].offset), name);
  }

  name_entry names_[max_parameters_ceiling];
  std::uint64_t filter_[4] = {};
  std::uint16_t slots_[std::size_t{1} << table_bits];
  std::size_t most_;
  std::size_t count_ = 0;
  std::size_t probes_ = 0;
  unsigned bits_ = 4;
  bool deferred_ = false;
};

/// The duplicate-name check under constant evaluation: each name against the earlier parameters of the list,
/// which starts at `begin` (quadratic, but only for lists written in the source).
struct names_before {
  constexpr explicit names_before(std::size_t /*most*/) noexcept {}

  /// Adds `name`, the name of the parameter at `offset` of the list starting at `begin` of `text`; false when
  /// an earlier parameter has it.
  constexpr bool add(std::string_view text, std::size_t begin, std::size_t offset,
                     std::string_view name) const noexcept {
    return !has_param(slice(text, begin, offset), name);
  }
  /// npos: add() answered for every name.
  constexpr std::size_t first_duplicate(std::string_view /*text*/) const noexcept { return std::string_view::npos; }
};

/// The outcome of scanning an #auth-param list: how many parameters it holds, or the error found.
struct param_list {
  scanned scan;
  std::size_t count = 0;
};

/// scan_param_list() with the duplicate-name check `Names` (name_table, or names_before when constant
/// evaluated).
template <class Names>
constexpr param_list scan_param_list_with(std::string_view text, std::size_t begin, std::size_t most) noexcept {
  param_list list;
  Names names(most);
  std::size_t i = begin;
  scanned stop;  // the error that ended the scan, if any; every parameter before it is valid
  while (true) {
    i = skip_list_separators(text, i);
    if (i >= text.size()) break;
    raw_param param;
    const scanned scan = scan_param(text, i, param);
    if (!scan.ok()) {
      stop = scan;
      break;
    }
    if (list.count == most) {
      stop = {0, errc::http_too_many_parameters, i};
      break;
    }
    ++list.count;
    if (!names.add(text, begin, i, param.name)) return {{0, errc::http_duplicate_parameter, i}, list.count};
    i = skip(text, scan.end, ows);
    if (i < text.size() && text[i] != ',') {
      stop = {0, errc::http_unexpected_data, i};
      break;
    }
  }
  // A duplicate the names' sort finds comes before `stop`: one by one, it would have been found first.
  const std::size_t duplicate = names.first_duplicate(text);
  if (duplicate != std::string_view::npos) return {{0, errc::http_duplicate_parameter, duplicate}, list.count};
  if (!stop.ok()) return {stop, list.count};
  list.scan.end = text.size();
  return list;
}

/// Scans the #auth-param list from `begin` to the end of `text` (trailing OWS already excluded; empty list
/// elements allowed, RFC 9110 section 5.6.1). Fails with the scan_param errors, http_too_many_parameters
/// (more than max_parameters, or than max_parameters_ceiling), http_duplicate_parameter (names compared
/// case-insensitively) or http_unexpected_data (no comma between two parameters), at the first offending
/// parameter or byte.
constexpr param_list scan_param_list(std::string_view text, std::size_t begin, std::size_t max_parameters) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (!__builtin_is_constant_evaluated()) {
    return scan_param_list_with<name_table>(text, begin, parameter_limit(max_parameters));
  }
#endif
  return scan_param_list_with<names_before>(text, begin, parameter_limit(max_parameters));
}

/// The error to report for a value that failed to parse: any byte no field value may hold takes precedence
/// (http_invalid_character at the first one), so CR, LF and NUL are always named as such.
constexpr keyward::error reject(std::string_view value, errc code, std::size_t offset) noexcept {
  const std::size_t bad = find_forbidden(value);
  if (bad != std::string_view::npos) return keyward::error(errc::http_invalid_character, bad);
  return keyward::error(code, offset);
}

/// The length of the quoted-string content `content` once its quoted-pairs are resolved.
constexpr std::size_t unescaped_size(std::string_view content) noexcept {
  std::size_t size = 0;
  for (std::size_t i = 0; i < content.size(); ++i, ++size) {
    if (content[i] == '\\') ++i;
  }
  return size;
}

/// Writes `content` with its quoted-pairs resolved to `out` (room for unescaped_size(content) bytes).
constexpr void unescape_into(std::string_view content, char* out) noexcept {
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\\') ++i;
    *out++ = content[i];
  }
}

/// The parts of a credentials value (RFC 9110 section 11.4) as found in the text.
struct scanned_credentials {
  std::string_view scheme;
  std::string_view token68;
  std::string_view params;  ///< the #auth-param list, up to the end of the value without trailing OWS
  std::size_t param_count = 0;
};

/// Scans an Authorization or Proxy-Authorization field value (the rule of http::parse_credentials(), which
/// documents it and its errors), with `max_length` bytes and `max_parameters` auth-params at most.
constexpr result<scanned_credentials> scan_credentials(std::string_view value, std::size_t max_length,
                                                       std::size_t max_parameters) noexcept {
  if (value.size() > max_length) return errc::http_too_long;
  std::size_t end = value.size();
  while (end > 0 && is(value[end - 1], ows)) --end;
  const std::string_view text = slice(value, 0, end);
  const std::size_t begin = skip(text, 0, ows);
  if (begin == end) return reject(value, errc::http_empty_value, error::no_offset);

  scanned_credentials parsed;
  const std::size_t scheme_end = skip(text, begin, tchar);
  if (scheme_end == begin) return reject(value, errc::http_invalid_scheme, begin);
  parsed.scheme = slice(text, begin, scheme_end);
  if (scheme_end == end) return parsed;
  if (text[scheme_end] != ' ') return reject(value, errc::http_invalid_scheme, scheme_end);
  std::size_t i = scheme_end;
  while (text[i] == ' ') ++i;  // stops before `end`: trailing OWS was excluded

  // An auth-param, or an empty first list element (`OWS ","`, RFC 9110 section 5.6.1), starts a list.
  if (text[skip(text, i, ows)] == ',' || param_starts_at(text, i)) {
    const param_list list = scan_param_list(text, i, max_parameters);
    if (!list.scan.ok()) return reject(value, list.scan.code, list.scan.offset);
    parsed.params = slice(text, i, end);
    parsed.param_count = list.count;
    return parsed;
  }
  const std::size_t token_end = scan_token68(text, i);
  if (token_end == i) return reject(value, errc::http_invalid_token68, i);
  if (token_end != end) {
    if (is(text[token_end], ows)) return reject(value, errc::http_unexpected_data, skip(text, token_end, ows));
    return reject(value, errc::http_invalid_token68, token_end);
  }
  parsed.token68 = slice(text, i, token_end);
  return parsed;
}

/// `verdict` (0 or 1), made public by ct::declassify() (outside constant evaluation) so that it may be
/// branched on.
constexpr bool declassified(unsigned verdict) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (!__builtin_is_constant_evaluated()) return ct::declassify(verdict) != 0;
#endif
  return verdict != 0;
}

/// Whether byte `c` is SP, for a byte that may be a secret token character (the Basic user-pass): a compare
/// (no table lookup indexed by `c`) whose verdict alone is made public, and no token character is SP, so it
/// reveals nothing.
constexpr bool is_sp_ct(char c) noexcept { return declassified(c == ' '); }

/// Whether byte `c` is OWS (SP or HTAB), as is_sp_ct(): the two compares are combined with `|`, not `||`.
constexpr bool is_ows_ct(char c) noexcept {
  return declassified(static_cast<unsigned>(c == ' ') | static_cast<unsigned>(c == '\t'));
}

/// Where the token of a credentials value lies: [begin, end) of the field value, trailing OWS excluded.
struct token_span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// find_scheme_token() for any shape of value: OWS around it, several SP, errors.
constexpr result<token_span> find_scheme_token_slowly(std::string_view value, std::string_view scheme,
                                                      std::size_t max_length, std::size_t max_parameters) noexcept {
  std::size_t end = value.size();
  while (end > 0 && is_ows_ct(value[end - 1])) --end;  // the token's last byte may be secret
  std::size_t begin = 0;
  while (begin < end && is(value[begin], ows)) ++begin;
  if (begin == end) return reject(value, errc::http_empty_value, error::no_offset);
  const std::size_t scheme_end = skip(slice(value, 0, end), begin, tchar);
  if (!iequal(slice(value, begin, scheme_end), scheme)) {
    const result<scanned_credentials> other = scan_credentials(value, max_length, max_parameters);
    if (!other) return other.error();
    return keyward::error(errc::http_wrong_scheme, begin);
  }
  if (scheme_end == end) return keyward::error(errc::http_missing_token, end);
  if (value[scheme_end] != ' ') return reject(value, errc::http_invalid_scheme, scheme_end);
  begin = scheme_end + 1;
  while (is_sp_ct(value[begin])) ++begin;  // stops before `end`, which is not OWS
  return token_span{begin, end};
}

/// The one scanner of the Basic and Bearer parsers: finds the token after `scheme` (given in lower case,
/// matched in any case, RFC 9110 section 11.1) and 1*SP, with OWS around the value ignored; what the token
/// may hold is the caller's to check. The usual shape (the scheme at the start, then SP, no trailing OWS)
/// is recognized here without a scan, the rest by find_scheme_token_slowly(). Fails with http_too_long,
/// http_empty_value, http_wrong_scheme (at the scheme, for a well-formed value of another scheme; a
/// malformed one gives the scan_credentials() error), http_missing_token or http_invalid_scheme, CR, LF and
/// other CTLs taking precedence (reject()).
constexpr result<token_span> find_scheme_token(std::string_view value, std::string_view scheme,
                                               std::size_t max_length, std::size_t max_parameters) noexcept {
  if (value.size() > max_length) return errc::http_too_long;
  const std::size_t size = value.size();
  const std::size_t n = scheme.size();
  if (KEYWARD_LIKELY(size > n + 1 && value[n] == ' ' && !is_ows_ct(value[size - 1]))) {
    unsigned differ = 0;  // no early exit: the loop unrolls into a few compares
    for (std::size_t i = 0; i < n; ++i) {
      differ |= static_cast<unsigned char>(value[i] | 0x20) ^ static_cast<unsigned char>(scheme[i]);
    }
    if (KEYWARD_LIKELY(differ == 0)) {
      std::size_t begin = n + 1;
      while (is_sp_ct(value[begin])) ++begin;  // stops before the end, which is not OWS
      return token_span{begin, size};
    }
  }
  return find_scheme_token_slowly(value, scheme, max_length, max_parameters);
}

}  // namespace keyward::detail::http_grammar

#endif  // KEYWARD_DETAIL_HTTP_GRAMMAR_HPP
