// keyward: private parts of http/challenge.hpp (RFC 9110 sections 11.3 and 11.6.1, RFC 6750 section 3): the
// scanner of one challenge in a #challenge list, the checks of what the builder may send, and quoting.
#ifndef KEYWARD_DETAIL_HTTP_CHALLENGE_HPP
#define KEYWARD_DETAIL_HTTP_CHALLENGE_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "http_grammar.hpp"
#include "writer.hpp"

#include <cstddef>
#include <string_view>

namespace keyward::detail::http_challenge {

namespace grammar = ::keyward::detail::http_grammar;

/// One challenge as scanned: where it ends and how many auth-params it has, or the error that stopped the scan.
struct scanned_challenge {
  grammar::scanned scan;         ///< end: one past the challenge's last byte (scheme, token68 or last auth-param)
  std::size_t param_count = 0;   ///< 0 when a token68 or nothing follows the scheme
  std::size_t scheme_end = 0;    ///< one past the scheme's last byte
};

/// A scan that failed with `code` at `offset`.
constexpr scanned_challenge scan_failure(errc code, std::size_t offset) noexcept {
  return {{0, code, offset}, 0, 0};
}

/// Where the value of the auth-param starting at `i` starts (grammar::param_value_start), with `name_end` set
/// to the end of its name; npos when no auth-param starts at `i` (grammar::param_starts_at). Always inlined:
/// clang otherwise calls it for each auth-param.
KEYWARD_ALWAYS_INLINE constexpr std::size_t param_value_at(std::string_view text, std::size_t i,
                                                           std::size_t& name_end) noexcept {
  name_end = grammar::skip(text, i, grammar::tchar);
  return name_end != i ? grammar::param_value_start(text, name_end) : std::string_view::npos;
}

/// The failure to report when the scan of a challenge's auth-params stopped at the error `stop`: a duplicate
/// that `names` finds only at the end of what was scanned comes first, since it lies before `stop`.
template <class Names>
constexpr scanned_challenge params_failure(Names& names, std::string_view text, const grammar::scanned& stop) noexcept {
  const std::size_t duplicate = names.first_duplicate(text);
  if (duplicate != std::string_view::npos) return scan_failure(errc::http_duplicate_parameter, duplicate);
  return scan_failure(stop.code, stop.offset);
}

/// Scans the auth-params of one challenge whose scheme ends at `scheme_end`, the first at `begin`, its name
/// ending at `name_end` and its value starting at `value` (param_value_at(), which found it). After a comma,
/// the next list element still belongs to this challenge when it starts with `token BWS "="` and a value
/// (grammar::param_value_start); anything else ends the challenge (RFC 9110 sections 11.2 and 11.6.1). With
/// the duplicate-name check `Names` (grammar::name_table, or grammar::names_before when constant evaluated),
/// fails with http_invalid_parameter (no token where the value must be), http_invalid_quoted_string,
/// http_too_many_parameters (more than max_parameters, or than grammar::max_parameters_ceiling) or
/// http_duplicate_parameter, at the first offending parameter or byte.
template <class Names>
constexpr scanned_challenge scan_params_with(std::string_view text, std::size_t scheme_end, std::size_t begin,
                                             std::size_t name_end, std::size_t value,
                                             std::size_t max_parameters) noexcept {
  const std::size_t most = grammar::parameter_limit(max_parameters);
  Names names(most);
  std::size_t i = begin;
  std::size_t count = 0;
  std::size_t end = 0;
  while (true) {
    if (text[value] == '"') {  // `value` is before the end (param_value_at)
      const grammar::scanned quoted = grammar::scan_quoted_string(text, value);
      if (!quoted.ok()) return params_failure(names, text, quoted);
      end = quoted.end;
    } else {
      end = grammar::skip(text, value, grammar::tchar);
      if (end == value) return params_failure(names, text, {0, errc::http_invalid_parameter, value});
    }
    if (count == most) return params_failure(names, text, {0, errc::http_too_many_parameters, i});
    if (!names.add(text, begin, i, grammar::slice(text, i, name_end))) {
      return scan_failure(errc::http_duplicate_parameter, i);
    }
    ++count;
    const std::size_t next = grammar::next_element(text, end);
    if (next == std::string_view::npos) break;
    value = param_value_at(text, next, name_end);
    if (value == std::string_view::npos) break;
    i = next;
  }
  const std::size_t duplicate = names.first_duplicate(text);
  if (duplicate != std::string_view::npos) return scan_failure(errc::http_duplicate_parameter, duplicate);
  return {{end, errc{}, 0}, count, scheme_end};
}

/// scan_params_with() with the duplicate-name check that suits the evaluation.
constexpr scanned_challenge scan_params(std::string_view text, std::size_t scheme_end, std::size_t begin,
                                        std::size_t name_end, std::size_t value, std::size_t max_parameters) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (!__builtin_is_constant_evaluated()) {
    return scan_params_with<grammar::name_table>(text, scheme_end, begin, name_end, value, max_parameters);
  }
#endif
  return scan_params_with<grammar::names_before>(text, scheme_end, begin, name_end, value, max_parameters);
}

/// Scans the challenge (`auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, RFC 9110 section 11.3) whose scheme
/// starts at `i` in `text` (trailing OWS already excluded). An auth-param where a scheme must be fails with
/// http_invalid_parameter (scan_param's error when it is malformed too); otherwise fails with
/// http_invalid_scheme, http_invalid_token68 or the scan_params errors, at the offending byte.
constexpr scanned_challenge scan_challenge(std::string_view text, std::size_t i, std::size_t max_parameters) noexcept {
  const std::size_t scheme_end = grammar::skip(text, i, grammar::tchar);
  if (scheme_end == i) return scan_failure(errc::http_invalid_scheme, i);

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
      std::size_t name_end = 0;
      const std::size_t value = param_value_at(text, first, name_end);
      if (value != std::string_view::npos) return scan_params(text, scheme_end, first, name_end, value, max_parameters);
    }
    return {{scheme_end, errc{}, 0}, 0, scheme_end};
  }
  if (text[scheme_end] != ' ') return scan_failure(errc::http_invalid_scheme, scheme_end);
  std::size_t j = scheme_end;
  while (text[j] == ' ') ++j;  // stops at or before `next`, which holds neither SP nor HTAB

  std::size_t name_end = 0;
  const std::size_t value = param_value_at(text, j, name_end);
  if (value != std::string_view::npos) return scan_params(text, scheme_end, j, name_end, value, max_parameters);
  const std::size_t token_end = grammar::scan_token68(text, j);
  if (token_end == j) return scan_failure(errc::http_invalid_token68, j);
  if (token_end < text.size() && text[token_end] != ',' && !grammar::is(text[token_end], grammar::ows)) {
    return scan_failure(errc::http_invalid_token68, token_end);
  }
  return {{token_end, errc{}, 0}, 0, scheme_end};
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

/// Puts `value` as a quoted-string, '"' and '\\' escaped as quoted-pairs (RFC 9110 section 5.6.4).
inline void put_quoted(writer::counting_writer& out, std::string_view value) noexcept {
  out.put('"');
  for (const char c : value) {
    if (c == '"' || c == '\\') out.put('\\');
    out.put(c);
  }
  out.put('"');
}

}  // namespace keyward::detail::http_challenge

#endif  // KEYWARD_DETAIL_HTTP_CHALLENGE_HPP
