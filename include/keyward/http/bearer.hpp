// keyward: the Bearer authentication scheme of RFC 6750 section 2.1 (`Bearer 1*SP b64token`): building the
// field value a client sends with an API key or a token, and parsing it on a server into a view of the token.
#ifndef KEYWARD_HTTP_BEARER_HPP
#define KEYWARD_HTTP_BEARER_HPP

#include "../detail/http_grammar.hpp"
#include "../error.hpp"
#include "credentials.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace keyward::http {

/// Which bytes a bearer token may hold.
enum class bearer_charset : std::uint8_t {
  b64token,       ///< exactly RFC 6750 section 2.1: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  visible_ascii,  ///< lenient: any VCHAR but ',' and '"', for servers that must take tokens outside b64token
};

/// Options of parse_bearer() and write_bearer().
struct bearer_options {
  bearer_charset charset = bearer_charset::b64token;  ///< which bytes the token may hold
  std::size_t max_length = limits{}.max_length;       ///< the longest field value accepted, in bytes
};

}  // namespace keyward::http

namespace keyward::detail::bearer {

/// The index of the first byte at or after `i` that cannot be part of a token in `charset`; for b64token,
/// '=' is only allowed as a run at the end of the token.
constexpr std::size_t token_end(std::string_view text, std::size_t i, ::keyward::http::bearer_charset charset) noexcept {
  if (charset == ::keyward::http::bearer_charset::b64token) return http_grammar::scan_token68(text, i);
  while (i < text.size()) {
    const char c = text[i];
    if (c < 0x21 || c > 0x7E || c == ',' || c == '"') break;
    ++i;
  }
  return i;
}

/// The error for a field value that does not hold Bearer credentials: http_wrong_scheme when it is a
/// well-formed credentials value of another scheme, otherwise the grammar error parse_credentials() reports.
constexpr keyward::error not_bearer(std::string_view value, std::size_t scheme_offset, std::size_t max_length) noexcept {
  ::keyward::http::limits limit;
  limit.max_length = max_length;
  const result<::keyward::http::credentials> parsed = ::keyward::http::parse_credentials(value, limit);
  if (!parsed) return parsed.error();
  return keyward::error(errc::http_wrong_scheme, scheme_offset);
}

}  // namespace keyward::detail::bearer

namespace keyward::http {

/// Parses an Authorization (or Proxy-Authorization) field value holding a bearer token (RFC 6750 section 2.1):
/// exactly `Bearer` (any case, RFC 9110 section 11.1) 1*SP token, with nothing after the token but OWS, and OWS
/// before the scheme ignored. Returns a view of the token inside `field_value`. Allocates nothing. Fails with
/// http_too_long, http_empty_value, http_invalid_character (NUL, CR, LF, other CTLs), http_invalid_scheme,
/// http_wrong_scheme, http_missing_token, bearer_invalid_token (a byte outside the charset, or '=' before the
/// end of a b64token) or http_unexpected_data (a second word after the token), each with its offset.
constexpr result<std::string_view> parse_bearer(std::string_view field_value,
                                                const bearer_options& options = {}) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  if (field_value.size() > options.max_length) return errc::http_too_long;
  std::size_t end = field_value.size();
  std::size_t token = 7;
  // The usual shape first: "Bearer " at the start and no OWS at the end.
  const bool usual = end > 7 && (field_value[0] | 0x20) == 'b' && (field_value[1] | 0x20) == 'e' &&
                     (field_value[2] | 0x20) == 'a' && (field_value[3] | 0x20) == 'r' &&
                     (field_value[4] | 0x20) == 'e' && (field_value[5] | 0x20) == 'r' && field_value[6] == ' ' &&
                     !grammar::is(field_value[end - 1], grammar::ows);
  if (!KEYWARD_LIKELY(usual)) {
    while (end > 0 && grammar::is(field_value[end - 1], grammar::ows)) --end;
    std::size_t begin = 0;
    while (begin < end && grammar::is(field_value[begin], grammar::ows)) ++begin;
    if (begin == end) return grammar::reject(field_value, errc::http_empty_value, error::no_offset);
    const std::size_t scheme_end = grammar::skip(grammar::slice(field_value, 0, end), begin, grammar::tchar);
    if (!grammar::iequal(grammar::slice(field_value, begin, scheme_end), "Bearer")) {
      return detail::bearer::not_bearer(field_value, begin, options.max_length);
    }
    if (scheme_end == end) return keyward::error(errc::http_missing_token, end);
    if (field_value[scheme_end] != ' ') return grammar::reject(field_value, errc::http_invalid_scheme, scheme_end);
    token = scheme_end + 1;
  }
  const std::string_view text = grammar::slice(field_value, 0, end);
  while (text[token] == ' ') ++token;  // stops before `end`, which is not OWS

  const std::size_t token_end = detail::bearer::token_end(text, token, options.charset);
  if (KEYWARD_LIKELY(token_end == end && token_end != token)) return grammar::slice(text, token, token_end);
  if (token_end != token && grammar::is(text[token_end], grammar::ows)) {
    return grammar::reject(field_value, errc::http_unexpected_data, grammar::skip(text, token_end, grammar::ows));
  }
  return grammar::reject(field_value, errc::bearer_invalid_token, token_end);
}

/// The size of the field value that write_bearer() produces for a token of `token_size` bytes.
constexpr std::size_t bearer_field_size(std::size_t token_size) noexcept { return 7 + token_size; }

/// Writes the field value `Bearer <token>` (RFC 6750 section 2.1) into `out` and returns its size. The token
/// must be non-empty (http_missing_token) and made only of bytes of `options.charset` (bearer_invalid_token
/// with the offset in `token`), so no header can be injected through it; buffer_too_small when it does not
/// fit (nothing written then). Allocates nothing.
inline result<std::size_t> write_bearer(std::string_view token, char* out, std::size_t capacity,
                                        const bearer_options& options = {}) noexcept {
  if (token.empty()) return errc::http_missing_token;
  const std::size_t end = detail::bearer::token_end(token, 0, options.charset);
  if (end != token.size() || end == 0) return keyward::error(errc::bearer_invalid_token, end);
  if (capacity < bearer_field_size(token.size())) return errc::buffer_too_small;
  std::memcpy(out, "Bearer ", 7);
  std::memcpy(out + 7, token.data(), token.size());
  return bearer_field_size(token.size());
}

/// The field value `Bearer <token>` as a string; errors as write_bearer() (never buffer_too_small).
inline result<std::string> bearer(std::string_view token, const bearer_options& options = {}) {
  std::string field(bearer_field_size(token.size()), '\0');
  const result<std::size_t> written = write_bearer(token, &field[0], field.size(), options);
  if (!written) return written.error();
  return field;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_BEARER_HPP
