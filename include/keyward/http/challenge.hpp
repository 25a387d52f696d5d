// keyward: WWW-Authenticate and Proxy-Authenticate challenges (RFC 9110 sections 11.3, 11.6.1 and 11.7.1):
// a builder that only produces values a recipient parses back to the same scheme and parameters (quoted and
// escaped, no control characters, the RFC 7617 and RFC 6750 parameter rules), and a parser for a field value
// holding several challenges that returns views into the input and allocates nothing.
#ifndef KEYWARD_HTTP_CHALLENGE_HPP
#define KEYWARD_HTTP_CHALLENGE_HPP

#include "../detail/http_grammar.hpp"
#include "../error.hpp"
#include "credentials.hpp"

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::detail::http_challenge {

namespace grammar = ::keyward::detail::http_grammar;

/// One challenge as found in the text, or the error that stopped the scan.
struct scanned_challenge {
  grammar::scanned scan;       ///< end: one past the challenge's last byte (scheme, token68 or last auth-param)
  std::string_view scheme;
  std::string_view token68;
  std::string_view params;     ///< from the first auth-param to the end of the last one
  std::size_t param_count = 0;
};

/// A scan that failed with `code` at `offset`.
constexpr scanned_challenge scan_failure(errc code, std::size_t offset) noexcept {
  scanned_challenge challenge;
  challenge.scan = {0, code, offset};
  return challenge;
}

/// Scans the auth-params of one challenge, the first at `begin`. After a comma, the next list element still
/// belongs to this challenge when it starts with `token BWS "="` and a value (grammar::param_starts_at);
/// anything else ends the challenge (RFC 9110 sections 11.2 and 11.6.1). Fails like scan_param, or with
/// http_too_many_parameters or http_duplicate_parameter (only looked for when `validating`: re-reading a
/// validated list skips that quadratic check) at the offending parameter.
constexpr scanned_challenge scan_params(std::string_view text, std::size_t begin, std::size_t max_parameters,
                                        bool validating, scanned_challenge challenge) noexcept {
  std::size_t i = begin;
  while (true) {
    grammar::raw_param param;
    const grammar::scanned scan = grammar::scan_param(text, i, param);
    if (!scan.ok()) return scan_failure(scan.code, scan.offset);
    if (++challenge.param_count > max_parameters) return scan_failure(errc::http_too_many_parameters, i);
    if (validating && grammar::has_param(grammar::slice(text, begin, i), param.name)) {
      return scan_failure(errc::http_duplicate_parameter, i);
    }
    challenge.scan.end = scan.end;
    const std::size_t after = grammar::skip(text, scan.end, grammar::ows);
    if (after >= text.size() || text[after] != ',') break;
    const std::size_t next = grammar::skip_list_separators(text, after);
    if (!grammar::param_starts_at(text, next)) break;
    i = next;
  }
  challenge.params = grammar::slice(text, begin, challenge.scan.end);
  return challenge;
}

/// Scans the challenge (`auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, RFC 9110 section 11.3) whose scheme
/// starts at `i` in `text` (trailing OWS already excluded). An auth-param where a scheme must be fails with
/// http_invalid_parameter (scan_param's error when it is malformed too); otherwise fails with
/// http_invalid_scheme, http_invalid_token68 or the scan_params errors, at the offending byte.
constexpr scanned_challenge scan_challenge(std::string_view text, std::size_t i, std::size_t max_parameters,
                                           bool validating) noexcept {
  const std::size_t scheme_end = grammar::skip(text, i, grammar::tchar);
  if (scheme_end == i) return scan_failure(errc::http_invalid_scheme, i);
  scanned_challenge challenge;
  challenge.scheme = grammar::slice(text, i, scheme_end);
  challenge.scan.end = scheme_end;

  const std::size_t next = grammar::skip(text, scheme_end, grammar::ows);
  if (next < text.size() && text[next] == '=') {
    grammar::raw_param param;
    const grammar::scanned scan = grammar::scan_param(text, i, param);
    return scan.ok() ? scan_failure(errc::http_invalid_parameter, i) : scan_failure(scan.code, scan.offset);
  }
  if (next == text.size() || text[next] == ',') {
    // The scheme alone, unless 1*SP introduces an #auth-param list that starts with empty elements.
    if (next > scheme_end && text[scheme_end] == ' ') {
      const std::size_t first = grammar::skip_list_separators(text, next);
      if (grammar::param_starts_at(text, first)) return scan_params(text, first, max_parameters, validating, challenge);
    }
    return challenge;
  }
  if (text[scheme_end] != ' ') return scan_failure(errc::http_invalid_scheme, scheme_end);
  std::size_t j = scheme_end;
  while (text[j] == ' ') ++j;  // stops at or before `next`, which holds neither SP nor HTAB

  if (grammar::param_starts_at(text, j)) return scan_params(text, j, max_parameters, validating, challenge);
  const std::size_t token_end = grammar::scan_token68(text, j);
  if (token_end == j) return scan_failure(errc::http_invalid_token68, j);
  if (token_end < text.size() && text[token_end] != ',' && !grammar::is(text[token_end], grammar::ows)) {
    return scan_failure(errc::http_invalid_token68, token_end);
  }
  challenge.token68 = grammar::slice(text, j, token_end);
  challenge.scan.end = token_end;
  return challenge;
}

/// A visible US-ASCII byte other than '"' and '\' (RFC 6750 section 3: %x21 / %x23-5B / %x5D-7E).
constexpr bool is_nqchar(char c) noexcept { return c >= 0x21 && c <= 0x7E && c != '"' && c != '\\'; }

/// Success when `text` is a token (RFC 9110 section 5.6.2); else `code` at the first bad byte (no offset
/// when empty).
constexpr result<void> check_token(std::string_view text, errc code) noexcept {
  if (text.empty()) return code;
  const std::size_t end = grammar::skip(text, 0, grammar::tchar);
  if (end != text.size()) return keyward::error(code, end);
  return {};
}

/// Success when `value` can be sent as a quoted-string: no CTL (%x00-1F, HTAB included, or %x7F) anywhere;
/// obs-text is kept as opaque bytes. Else http_invalid_parameter_value at the first CTL.
constexpr result<void> check_quotable(std::string_view value) noexcept {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) return keyward::error(errc::http_invalid_parameter_value, i);
  }
  return {};
}

/// Success when `value` is an RFC 6750 section 3 scope: scope-tokens of %x21 / %x23-5B / %x5D-7E separated
/// by single spaces (RFC 6749 appendix A.4). Else http_invalid_parameter_value at the offending byte (no
/// offset when empty).
constexpr result<void> check_scope(std::string_view value) noexcept {
  if (value.empty()) return errc::http_invalid_parameter_value;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const bool separator_ok = value[i] == ' ' && i > 0 && value[i - 1] != ' ' && i + 1 < value.size();
    if (!separator_ok && !is_nqchar(value[i])) return keyward::error(errc::http_invalid_parameter_value, i);
  }
  return {};
}

/// Success when `value` is 1*NQSCHAR (%x20-21 / %x23-5B / %x5D-7E), the RFC 6750 section 3 set for error and
/// error_description (RFC 6749 appendices A.7 and A.8). Else http_invalid_parameter_value at the offending
/// byte (no offset when empty).
constexpr result<void> check_nqschar(std::string_view value) noexcept {
  if (value.empty()) return errc::http_invalid_parameter_value;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != ' ' && !is_nqchar(value[i])) return keyward::error(errc::http_invalid_parameter_value, i);
  }
  return {};
}

/// Success when every byte of `value` is in the RFC 6750 section 3 set for error_uri (%x21 / %x23-5B /
/// %x5D-7E); an empty URI-reference is allowed. Else http_invalid_parameter_value at the first other byte.
constexpr result<void> check_uri_chars(std::string_view value) noexcept {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!is_nqchar(value[i])) return keyward::error(errc::http_invalid_parameter_value, i);
  }
  return {};
}

/// Appends `value` as a quoted-string, '"' and '\' escaped as quoted-pairs (RFC 9110 section 5.6.4).
inline void append_quoted(std::string& out, std::string_view value) {
  out += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace keyward::detail::http_challenge

namespace keyward::http {

/// Builds one WWW-Authenticate / Proxy-Authenticate challenge (RFC 9110 section 11.3): the scheme, then
/// either a token68 or auth-params, each value sent as a quoted-string. Setters chain; the first invalid
/// input is kept (later calls do nothing) and str() returns it, with the offset of the offending byte in that
/// argument where one applies. Anything str() returns parses back, with parse_challenges (within its
/// limits), to the same scheme and values: no CR, LF or other control character can be injected.
class challenge_builder {
 public:
  /// Starts a challenge for `scheme`; it must be a token (RFC 9110 section 11.1), else http_invalid_scheme.
  explicit challenge_builder(std::string_view scheme) {
    const result<void> valid = detail::http_challenge::check_token(scheme, errc::http_invalid_scheme);
    if (!valid) {
      failure_ = valid.error();
      return;
    }
    text_.assign(scheme.data(), scheme.size());
    scheme_size_ = scheme.size();
  }

  /// `Basic realm="<realm>", charset="UTF-8"` (RFC 7617 sections 2 and 2.1).
  static challenge_builder basic(std::string_view realm) {
    challenge_builder builder("Basic");
    builder.realm(realm).param("charset", "UTF-8");
    return builder;
  }
  /// `Bearer`, with `realm="<realm>"` unless `realm` is empty (RFC 6750 section 3).
  static challenge_builder bearer(std::string_view realm = {}) {
    challenge_builder builder("Bearer");
    if (!realm.empty()) builder.realm(realm);
    return builder;
  }

  /// Adds `realm` (RFC 9110 section 11.5), quoted and escaped; any byte but a CTL is allowed
  /// (http_invalid_parameter_value).
  challenge_builder& realm(std::string_view value) {
    return add("realm", value, detail::http_challenge::check_quotable(value));
  }
  /// Adds the RFC 6750 section 3 `scope`: space-separated scope-tokens of %x21 / %x23-5B / %x5D-7E, one space
  /// between two (http_invalid_parameter_value otherwise, or when empty).
  challenge_builder& scope(std::string_view value) {
    return add("scope", value, detail::http_challenge::check_scope(value));
  }
  /// Adds the RFC 6750 section 3 `error` code (invalid_request, invalid_token, insufficient_scope or an
  /// extension): 1*( %x20-21 / %x23-5B / %x5D-7E ), else http_invalid_parameter_value.
  challenge_builder& error(std::string_view value) {
    return add("error", value, detail::http_challenge::check_nqschar(value));
  }
  /// Adds the RFC 6750 section 3 `error_description`: 1*( %x20-21 / %x23-5B / %x5D-7E ), else
  /// http_invalid_parameter_value.
  challenge_builder& error_description(std::string_view value) {
    return add("error_description", value, detail::http_challenge::check_nqschar(value));
  }
  /// Adds the RFC 6750 section 3 `error_uri`: only %x21 / %x23-5B / %x5D-7E, else
  /// http_invalid_parameter_value.
  challenge_builder& error_uri(std::string_view value) {
    return add("error_uri", value, detail::http_challenge::check_uri_chars(value));
  }
  /// Adds the auth-param `name="value"` (RFC 9110 section 11.2). `name` must be a token
  /// (http_invalid_parameter); `value` is quoted and escaped and may hold any byte but a CTL
  /// (http_invalid_parameter_value).
  challenge_builder& param(std::string_view name, std::string_view value) {
    if (failed()) return *this;
    const result<void> valid_name = detail::http_challenge::check_token(name, errc::http_invalid_parameter);
    if (!valid_name) return fail(valid_name.error());
    return add(name, value, detail::http_challenge::check_quotable(value));
  }
  /// Sends `value` as the challenge's token68 (RFC 9110 section 11.2): it must be one
  /// (http_invalid_token68 at the first bad byte) and is exclusive with auth-params and with another token68
  /// (http_unexpected_data).
  challenge_builder& token68(std::string_view value) {
    if (failed()) return *this;
    const std::size_t end = detail::http_grammar::scan_token68(value, 0);
    if (value.empty()) return fail(keyward::error(errc::http_invalid_token68));
    if (end != value.size()) return fail(keyward::error(errc::http_invalid_token68, end));
    if (has_token68_ || text_.size() > scheme_size_) return fail(keyward::error(errc::http_unexpected_data));
    text_ += ' ';
    text_.append(value.data(), value.size());
    has_token68_ = true;
    return *this;
  }

  /// The challenge, or the first error: http_invalid_scheme, http_invalid_parameter,
  /// http_invalid_parameter_value, http_invalid_token68 (with the offset in the argument at fault),
  /// http_duplicate_parameter (names compare case-insensitively) or http_unexpected_data (a token68 and
  /// auth-params together).
  result<std::string> str() const {
    if (failed()) return failure_;
    return text_;
  }

 private:
  bool failed() const noexcept { return failure_.code() != errc{}; }

  challenge_builder& fail(keyward::error failure) noexcept {
    failure_ = failure;
    return *this;
  }

  challenge_builder& add(std::string_view name, std::string_view value, const result<void>& valid) {
    if (failed()) return *this;
    if (!valid) return fail(valid.error());
    if (has_token68_) return fail(keyward::error(errc::http_unexpected_data));
    const std::string_view params = std::string_view(text_).substr(scheme_size_);
    if (detail::http_grammar::has_param(params, name)) return fail(keyward::error(errc::http_duplicate_parameter));
    text_ += params.empty() ? " " : ", ";
    text_.append(name.data(), name.size());
    text_ += '=';
    detail::http_challenge::append_quoted(text_, value);
    return *this;
  }

  std::string text_;
  std::size_t scheme_size_ = 0;
  bool has_token68_ = false;
  keyward::error failure_{errc{}};  // errc{} (zero) means no failure so far
};

/// One parsed challenge: the scheme and either a token68 or auth-params (or neither). Views into the parsed
/// field value, which must outlive it.
struct challenge {
  std::string_view scheme;   ///< the auth-scheme as sent; compare it with scheme_is()
  std::string_view token68;  ///< the token68, empty when the scheme is followed by auth-params or nothing
  auth_params params;        ///< the auth-params, empty when the scheme is followed by a token68 or nothing

  /// True when the scheme equals `name`, ignoring ASCII case (RFC 9110 section 11.1).
  constexpr bool scheme_is(std::string_view name) const noexcept { return detail::http_grammar::iequal(scheme, name); }
};

/// The challenges of a parsed WWW-Authenticate or Proxy-Authenticate value, in order: a range of
/// challenge that reads them from the (already validated) input on demand, allocating nothing.
class challenge_list {
 public:
  /// Iterates over the challenges; dereferencing gives a challenge.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = challenge;
    using difference_type = std::ptrdiff_t;
    using pointer = const challenge*;
    using reference = challenge;

    constexpr iterator() noexcept = default;
    /// The first challenge at or after `position` of the valid list `list` (the end at list.size()).
    constexpr iterator(std::string_view list, std::size_t position) noexcept : list_(list) { load(position); }

    /// The current challenge, by value (views into the field value), so it outlives the iterator.
    constexpr challenge operator*() const noexcept { return current_; }
    constexpr pointer operator->() const noexcept { return &current_; }
    constexpr iterator& operator++() noexcept {
      load(next_);
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_;
    }
    friend constexpr bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

   private:
    constexpr void load(std::size_t position) noexcept {
      position_ = detail::http_grammar::skip_list_separators(list_, position);
      if (position_ >= list_.size()) {
        position_ = list_.size();
        return;
      }
      const auto scanned =
          detail::http_challenge::scan_challenge(list_, position_, static_cast<std::size_t>(-1), false);
      next_ = scanned.scan.end;
      current_ = challenge{scanned.scheme, scanned.token68, auth_params(scanned.params, scanned.param_count)};
    }

    std::string_view list_;
    std::size_t position_ = 0;
    std::size_t next_ = 0;
    challenge current_;
  };

  constexpr challenge_list() noexcept = default;
  /// The challenges of `list`, which must already be a valid #challenge list (trailing OWS excluded)
  /// holding `count` of them.
  constexpr challenge_list(std::string_view list, std::size_t count) noexcept : list_(list), count_(count) {}

  /// The first challenge.
  constexpr iterator begin() const noexcept { return iterator(list_, 0); }
  /// Past the last challenge.
  constexpr iterator end() const noexcept { return iterator(list_, list_.size()); }
  /// The number of challenges.
  constexpr std::size_t size() const noexcept { return count_; }
  /// True when there is no challenge (only for a default-constructed list: parsing never gives one).
  constexpr bool empty() const noexcept { return count_ == 0; }
  /// The first challenge whose scheme is `scheme` (ASCII case-insensitive), or nullopt.
  constexpr std::optional<challenge> find(std::string_view scheme) const noexcept {
    for (const challenge& candidate : *this) {
      if (candidate.scheme_is(scheme)) return candidate;
    }
    return std::nullopt;
  }
  /// The challenge list as it appears in the input, without trailing OWS.
  constexpr std::string_view text() const noexcept { return list_; }

 private:
  std::string_view list_;
  std::size_t count_ = 0;
};

/// Parses a WWW-Authenticate or Proxy-Authenticate field value (`#challenge`, RFC 9110 sections 11.6.1 and
/// 11.7.1; each challenge `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, section 11.3). OWS around the
/// value and empty list elements are ignored. The comma ambiguity is resolved as section 11.6.1 implies:
/// after a comma, `token BWS "="` followed by a value continues the current challenge's auth-params, and a
/// bare token starts a new challenge; a token68 challenge takes no auth-params, nor does a scheme followed
/// directly by a comma (`Basic, realm="x"`: no 1*SP, so no #auth-param list). Quoted-strings keep
/// obs-text as opaque bytes. Fails with http_too_long (offset: limit.max_length), http_empty_value (no
/// challenge; no offset), http_invalid_character (NUL, CR, LF, other CTLs but HTAB, DEL: anywhere, first
/// offset, taking precedence), http_invalid_scheme, http_invalid_token68, http_invalid_parameter (malformed,
/// or where a scheme must be), http_invalid_quoted_string, http_duplicate_parameter (within one challenge,
/// names compared case-insensitively), http_too_many_parameters (per challenge), http_too_many_challenges
/// or http_unexpected_data, each with the offset of the offending byte in `value`.
constexpr result<challenge_list> parse_challenges(std::string_view value, const limits& limit = {}) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  if (value.size() > limit.max_length) return keyward::error(errc::http_too_long, limit.max_length);
  std::size_t end = value.size();
  while (end > 0 && grammar::is(value[end - 1], grammar::ows)) --end;
  const std::string_view text = grammar::slice(value, 0, end);

  std::size_t i = grammar::skip_list_separators(text, 0);
  if (i == end) return grammar::reject(value, errc::http_empty_value, keyward::error::no_offset);
  std::size_t count = 0;
  while (i < end) {
    if (++count > limit.max_challenges) return grammar::reject(value, errc::http_too_many_challenges, i);
    const auto scanned = detail::http_challenge::scan_challenge(text, i, limit.max_parameters, true);
    if (!scanned.scan.ok()) return grammar::reject(value, scanned.scan.code, scanned.scan.offset);
    const std::size_t after = grammar::skip(text, scanned.scan.end, grammar::ows);
    if (after < end && text[after] != ',') return grammar::reject(value, errc::http_unexpected_data, after);
    i = grammar::skip_list_separators(text, after);
  }
  return challenge_list(text, count);
}

/// Joins challenges built by challenge_builder (or any single valid challenge each) into one field value,
/// separated by ", " (RFC 9110 section 11.6.1). Each must parse as exactly one challenge: fails with
/// parse_challenges' errors (http_too_many_challenges when one holds two, http_empty_value when one or the
/// list is empty), the offset counted in the joined value.
inline result<std::string> join_challenges(std::initializer_list<std::string_view> challenges) {
  limits one_challenge;
  one_challenge.max_length = static_cast<std::size_t>(-1);
  one_challenge.max_parameters = static_cast<std::size_t>(-1);
  one_challenge.max_challenges = 1;
  std::string joined;
  for (const std::string_view piece : challenges) {
    const std::size_t base = joined.empty() ? 0 : joined.size() + 2;
    const result<challenge_list> parsed = parse_challenges(piece, one_challenge);
    if (!parsed) {
      const keyward::error failure = parsed.error();
      return failure.has_offset() ? keyward::error(failure.code(), base + failure.offset()) : failure;
    }
    if (!joined.empty()) joined += ", ";
    joined.append(piece.data(), piece.size());
  }
  if (joined.empty()) return errc::http_empty_value;
  return joined;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_CHALLENGE_HPP
