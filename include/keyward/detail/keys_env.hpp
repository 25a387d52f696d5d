// keyward (private): the text checks of keys/env.hpp: placeholders and masked keys, whitespace (ASCII and
// the invisible Unicode spaces), and the other bytes no API key holds. Each finding carries the error (code
// and offset) and a static English description of what was found, never a byte of the value.
#ifndef KEYWARD_DETAIL_KEYS_ENV_HPP
#define KEYWARD_DETAIL_KEYS_ENV_HPP

#include "../error.hpp"
#include "http_grammar.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace keyward::detail::keys_env {

/// An error and a static description of what was found.
struct finding {
  keyward::error cause;
  std::string_view hint;
};

/// True for an ASCII letter or digit.
constexpr bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Texts that are never part of a key, anywhere in the value.
struct mark {
  std::string_view text;
  std::string_view hint;
};
inline constexpr mark marks[] = {
    {"..", "\"...\": an elided key"},
    {"\xE2\x80\xA6", "an ellipsis: an elided key"},
    {"**", "\"****\": a masked key"},
    {"\xE2\x80\xA2", "bullets: a masked key"},
    {"\xE2\x97\x8F", "bullets: a masked key"},
    {"<", "\"<...>\": a placeholder from the documentation"},
    {">", "\"<...>\": a placeholder from the documentation"},
    {"{{", "\"{{...}}\": a template that was not filled in"},
    {"}}", "\"{{...}}\": a template that was not filled in"},
    {"${", "\"${...}\": a variable that was not expanded"},
    {"$(", "\"$(...)\": a command that was not run"},
};

/// Whole values (any case) that are a word, not a key.
inline constexpr std::string_view placeholder_values[] = {
    "none", "null", "nil", "undefined", "key", "secret", "token", "password", "apikey", "api_key", "api-key", "test",
};

/// Words (any case) that, as a whole run of letters and digits, mark a placeholder: a random key never has
/// such a run (its random part is one long run), documentation does (YOUR_API_KEY, <your key>).
inline constexpr std::string_view placeholder_words[] = {
    "your", "yours", "change", "changeme", "replace", "replaceme", "placeholder", "redacted", "example", "insert",
    "todo", "fixme",
};

/// The first placeholder pattern in `value`: a mark anywhere, a leading '$', a placeholder value, or a run of
/// letters and digits that is a placeholder word or at least three x/X (`sk_live_xxx`). The earliest offset
/// wins; nullopt when there is none.
inline std::optional<finding> find_placeholder(std::string_view value) noexcept {
  constexpr std::string_view word_hint = "a placeholder such as YOUR_API_KEY or changeme";
  for (const std::string_view whole : placeholder_values) {
    if (http_grammar::iequal(value, whole)) return finding{{errc::key_env_placeholder, 0}, word_hint};
  }
  if (!value.empty() && value[0] == '$') {
    return finding{{errc::key_env_placeholder, 0}, "\"$...\": a variable that was not expanded"};
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    for (const mark& m : marks) {
      if (value[i] == m.text[0] && value.substr(i, m.text.size()) == m.text) {
        return finding{{errc::key_env_placeholder, i}, m.hint};
      }
    }
    if (!is_alnum(value[i]) || (i > 0 && is_alnum(value[i - 1]))) continue;
    std::size_t end = i;
    bool only_x = true;
    for (; end < value.size() && is_alnum(value[end]); ++end) only_x = only_x && (value[end] | 0x20) == 'x';
    const std::string_view run = value.substr(i, end - i);
    if (only_x && run.size() >= 3) return finding{{errc::key_env_placeholder, i}, "\"xxx\": a placeholder"};
    for (const std::string_view word : placeholder_words) {
      if (http_grammar::iequal(run, word)) return finding{{errc::key_env_placeholder, i}, word_hint};
    }
  }
  return std::nullopt;
}

/// Invisible Unicode spaces (UTF-8), reported as whitespace: what a copy from a web page or a word processor
/// brings. U+200B-U+200D and U+FEFF are not White_Space in Unicode, but are as invisible.
inline constexpr std::string_view unicode_spaces[] = {
    "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83",
    "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
    "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x80\xA8", "\xE2\x80\xA9",
    "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE2\x81\xA0", "\xE3\x80\x80", "\xEF\xBB\xBF",
};

/// The first byte of `value` that no key holds (key_env_whitespace or key_invalid_character), or nullopt.
inline std::optional<finding> find_bad_byte(std::string_view value) noexcept {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    switch (byte) {
      case ' ': return finding{{errc::key_env_whitespace, i}, "a space"};
      case '\t': return finding{{errc::key_env_whitespace, i}, "a tab"};
      case '\n': return finding{{errc::key_env_whitespace, i}, "a line break (LF), as echo adds"};
      case '\r': return finding{{errc::key_env_whitespace, i}, "a carriage return (CR), as Windows files hold"};
      case '\v':
      case '\f': return finding{{errc::key_env_whitespace, i}, "a vertical tab or form feed"};
      case '"':
      case '\'':
      case '`': return finding{{errc::key_invalid_character, i}, "a quote, as a copied .env line holds"};
      case '\\': return finding{{errc::key_invalid_character, i}, "a backslash, as a written-out \\n holds"};
      default: break;
    }
    if (byte >= 0x21 && byte <= 0x7E) continue;
    if (byte >= 0x80) {
      for (const std::string_view space : unicode_spaces) {
        if (value.substr(i, space.size()) == space) {
          return finding{{errc::key_env_whitespace, i}, "an invisible Unicode space"};
        }
      }
      return finding{{errc::key_invalid_character, i}, "a non-ASCII byte"};
    }
    return finding{{errc::key_invalid_character, i}, "a control character"};
  }
  return std::nullopt;
}

}  // namespace keyward::detail::keys_env

#endif  // KEYWARD_DETAIL_KEYS_ENV_HPP
