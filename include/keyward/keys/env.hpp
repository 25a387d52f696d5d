// keyward: a client's API key, loaded from environment variables: the first variable set, in the caller's
// order of precedence, checked before it is used (no silent trimming) and held in a keyward::secret, with an
// error that names the variable and shows only the public part of what it found.
//
// The checks, in order (the first that fails decides; check_key_text() gives them without the environment):
//   1. key_env_empty: the variable is set to "".
//   2. key_env_placeholder: a placeholder or a masked key instead of a key (detail/keys_env.hpp lists the
//      patterns: `..`, `**`, `<`, `{{`, `${`, `YOUR_API_KEY`, `changeme`, `sk_live_xxx` ...).
//   3. key_env_whitespace: whitespace inside or around the value: space, tab, CR, LF, VT, FF, and the
//      invisible Unicode spaces a copy from a web page brings (NBSP, U+2000-U+200D, U+2028/9, BOM ...), at its
//      offset: the trailing LF of `echo $KEY > key.txt`, the CR of a Windows file, a space pasted around.
//      key_invalid_character: any other byte but printable ASCII, and the quotes '"' '\'' '`' and the
//      backslash, which no key holds but a copied `.env` line (`KEY="sk_..."`) or an escaped `\n` does.
//   4. with a prefix table: key_unknown_prefix; with keyward's format required: parse_key()'s errors
//      (key_invalid_length, key_invalid_character, key_checksum_mismatch); then key_wrong_environment and
//      key_wrong_kind.
//
// These checks branch on the key's bytes: they run once, in the client that owns the key, where no other
// party can time them; what must be constant-time (the checksum) is parse_key()'s own code.
/// \file
/// A client's API key, loaded from an environment variable: from_env.
#ifndef KEYWARD_KEYS_ENV_HPP
#define KEYWARD_KEYS_ENV_HPP

#include "../config.hpp"
#include "../detail/keys_env.hpp"
#include "../error.hpp"
#include "../secret.hpp"
#include "format.hpp"
#include "prefix.hpp"

#include <cstddef>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace keyward::keys {

/// What from_env() and check_key_text() require of a key beyond the text checks (which always apply).
struct env_options {
  /// The table the key's prefix must be in (key_unknown_prefix otherwise); none by default. The table
  /// must outlive the options. Needed by every requirement below: with one of them and no table, every
  /// call fails with key_invalid_options.
  std::optional<prefix_set> prefixes;
  /// The environment the key's prefix entry must have: a test key (or one of unspecified environment)
  /// where live is required fails with key_wrong_environment. None by default.
  std::optional<key_environment> required_environment;
  /// The kind the key's prefix entry must have: a publishable key where a secret one is required fails with
  /// key_wrong_kind. key_kind::custom accepts every custom kind. None by default.
  std::optional<key_kind> required_kind;
  /// True to require keyward's own key format (parse_key(): lengths, base62, CRC-32 checksum).
  bool require_keyward_format = false;
};

/// Reads the process environment with std::getenv: the default environment of from_env(). std::getenv is not
/// safe against a concurrent setenv(), putenv() or unsetenv() (POSIX); load keys before starting threads
/// that change the environment, or pass a function object that reads it under the program's own lock.
struct process_environment {
  /// The value of the variable `name`, or nullptr when it is not set.
  const char* operator()(const char* name) const noexcept { return std::getenv(name); }
};

/// Why from_env() found no usable key: the error (code and offset), the variable at fault, and what can be
/// shown of the value found. Nothing in it holds a secret byte: redacted() is at most the key's prefix (from
/// the prefix table, so public) and, for a valid keyward key, its public id.
class env_failure {
 public:
  /// A failure `cause` for the variable `variable`, whose value of `length` bytes shows as `redacted`;
  /// `hint` is a static English description of what was found (empty for none).
  env_failure(keyward::error cause, std::string variable, std::string redacted = {}, std::size_t length = 0,
              std::string_view hint = {}) noexcept
      : cause_(cause), variable_(std::move(variable)), redacted_(std::move(redacted)), length_(length),
        hint_(hint) {}

  /// The error: its code and, where one applies, the byte offset in the value.
  const keyward::error& cause() const noexcept { return cause_; }
  /// cause().code().
  errc code() const noexcept { return cause_.code(); }
  /// cause().offset(): the byte offset in the value, or keyward::error::no_offset.
  std::size_t offset() const noexcept { return cause_.offset(); }
  /// The variable whose value failed; for key_env_missing, every name tried, separated by ", ".
  std::string_view variable() const noexcept { return variable_; }
  /// The public part of the value found: "<prefix>..." when a prefix table classifies it, "<prefix><id>..."
  /// for a valid keyward key (redact()), empty when nothing of it is known to be public.
  std::string_view redacted() const noexcept { return redacted_; }
  /// The length in bytes of the value found; 0 when there is none (key_env_missing).
  std::size_t length() const noexcept { return length_; }
  /// A short description of what was found at offset() ("a line break (LF)", "\"...\": an elided key"), or
  /// empty. Never holds a byte of the value.
  std::string_view hint() const noexcept { return hint_; }

  /// A line for a person, for example `ACME_API_KEY: key: whitespace in the key at offset 40 (a line break (LF),
  /// as echo adds); found sk_live_... (41 bytes)`. Holds no secret byte.
  std::string message() const {
    std::string text(variable_);
    if (!text.empty()) text += ": ";
    text += to_string(cause_.code());
    if (cause_.has_offset()) text += " at offset " + std::to_string(cause_.offset());
    if (!hint_.empty()) text.append(" (").append(hint_).append(")");
    if (length_ > 0) {
      text += "; found ";
      if (!redacted_.empty()) text.append(redacted_).append(" (");
      text += std::to_string(length_) + (length_ == 1 ? " byte" : " bytes");
      if (!redacted_.empty()) text += ")";
    }
    return text;
  }

  /// True when the code is `code` (operator!=: when it is not).
  ///@{
  friend bool operator==(const env_failure& failure, errc code) noexcept { return failure.code() == code; }
  friend bool operator!=(const env_failure& failure, errc code) noexcept { return failure.code() != code; }
  ///@}

 private:
  keyward::error cause_;
  std::string variable_;
  std::string redacted_;
  std::size_t length_;
  std::string_view hint_;
};

/// The result of from_env(): the key in a keyward::secret, or an env_failure. Used like keyward::result<T>:
/// has_value(), operator bool, value() / operator* (abort on a failure), error() (aborts on a key).
class [[nodiscard]] env_result {
 public:
  /// A result holding the key `key`.
  env_result(secret key) noexcept : storage_(std::in_place_index<0>, std::move(key)) {}
  /// A result holding `failure`.
  env_result(env_failure failure) noexcept : storage_(std::in_place_index<1>, std::move(failure)) {}

  /// True when a key is held.
  ///@{
  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  ///@}

  /// The key; aborts when a failure is held.
  ///@{
  secret& value() & noexcept { return *checked_value(); }
  const secret& value() const& noexcept { return *checked_value(); }
  secret&& value() && noexcept { return std::move(*checked_value()); }
  secret& operator*() & noexcept { return value(); }
  const secret& operator*() const& noexcept { return value(); }
  secret* operator->() noexcept { return checked_value(); }
  const secret* operator->() const noexcept { return checked_value(); }
  ///@}

  /// The failure; aborts when a key is held.
  const env_failure& error() const noexcept {
    const env_failure* failure = std::get_if<1>(&storage_);
    if (failure == nullptr) detail::bad_result_access();
    return *failure;
  }

 private:
  secret* checked_value() noexcept {
    secret* key = std::get_if<0>(&storage_);
    if (key == nullptr) detail::bad_result_access();
    return key;
  }
  const secret* checked_value() const noexcept {
    const secret* key = std::get_if<0>(&storage_);
    if (key == nullptr) detail::bad_result_access();
    return key;
  }

  std::variant<secret, env_failure> storage_;
};

}  // namespace keyward::keys

namespace keyward::detail::keys_env {

/// The checks of check_key_text(), with a description of what was found.
inline std::optional<finding> check(std::string_view value, const ::keyward::keys::env_options& options) noexcept {
  if (value.empty()) return finding{{errc::key_env_empty}, {}};
  if (const auto placeholder = find_placeholder(value)) return placeholder;
  if (const auto bad = find_bad_byte(value)) return bad;
  const bool requires_table =
      options.require_keyward_format || options.required_environment || options.required_kind;
  if (!options.prefixes) {
    if (requires_table) return finding{{errc::key_invalid_options}, "a requirement without a prefix table"};
    return std::nullopt;
  }
  const result<::keyward::keys::prefix_entry> entry = options.prefixes->classify(value);
  if (!entry) return finding{entry.error(), {}};
  if (options.require_keyward_format) {
    const auto parsed = ::keyward::keys::parse_key(value, *options.prefixes);
    if (!parsed) return finding{parsed.error(), {}};
  }
  if (options.required_environment && entry->environment != *options.required_environment) {
    return finding{{errc::key_wrong_environment}, {}};
  }
  if (options.required_kind && entry->kind != *options.required_kind) {
    return finding{{errc::key_wrong_kind}, {}};
  }
  return std::nullopt;
}

/// What may be shown of `value`: redact() for a valid keyward key when that format is required, else the
/// prefix the table gives, followed by "..."; empty without a table or a matching prefix.
inline std::string redacted(std::string_view value, const ::keyward::keys::env_options& options) {
  if (!options.prefixes) return {};
  if (options.require_keyward_format && ::keyward::keys::parse_key(value, *options.prefixes)) {
    return ::keyward::keys::redact(value, *options.prefixes);
  }
  const result<::keyward::keys::prefix_entry> entry = options.prefixes->classify(value);
  if (!entry) return {};
  return std::string(entry->prefix) + "...";
}

}  // namespace keyward::detail::keys_env

namespace keyward::keys {

/// Checks `value` as from_env() checks a variable's value (see the header comment for the order): success, or
/// key_env_empty, key_env_placeholder, key_env_whitespace, key_invalid_character (each with its offset),
/// key_unknown_prefix, key_invalid_length, key_checksum_mismatch, key_wrong_environment, key_wrong_kind, or
/// key_invalid_options (a requirement without a prefix table). For keys read from a file or a config
/// value. Allocates nothing.
inline result<void> check_key_text(std::string_view value, const env_options& options = {}) noexcept {
  if (const auto found = detail::keys_env::check(value, options)) return found->cause;
  return {};
}

/// Loads an API key from the first of `names` that is set in `environment` (by default the process's, through
/// std::getenv: see process_environment for thread safety) and checks it with check_key_text(). Precedence
/// is strict: the first variable set decides, and a variable set to "" is an error (key_env_empty), not
/// skipped, so that a deliberately blanked variable never lets a lower one through. Fails with
/// key_env_missing when none is set (a null name counts as not set), else with check_key_text()'s errors,
/// naming the variable. The value is copied into a keyward::secret; nothing is trimmed. The variable keeps
/// its value (child processes inherit it): a program that wants it gone unsets it after loading.
/// `environment` is any function object taking a `const char*` name and returning a `const char*` value,
/// nullptr for an unset variable.
template <class Environment = process_environment>
env_result from_env(std::initializer_list<const char*> names, const env_options& options = {},
                    const Environment& environment = {}) {
  for (const char* name : names) {
    if (name == nullptr) continue;
    const char* raw = environment(name);
    if (raw == nullptr) continue;
    const std::string_view value(raw);
    if (const auto found = detail::keys_env::check(value, options)) {
      return env_failure(found->cause, name, detail::keys_env::redacted(value, options), value.size(), found->hint);
    }
    return secret(value);
  }
  std::string tried;
  for (const char* name : names) {
    if (name == nullptr) continue;
    if (!tried.empty()) tried += ", ";
    tried += name;
  }
  return env_failure(errc::key_env_missing, std::move(tried));
}

/// Loads an API key from the variable `name`: from_env({name}, options, environment).
/// e.g. `auto key = keyward::keys::from_env("ACME_API_KEY");`
template <class Environment = process_environment>
env_result from_env(const char* name, const env_options& options = {}, const Environment& environment = {}) {
  return from_env({name}, options, environment);
}

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_ENV_HPP
