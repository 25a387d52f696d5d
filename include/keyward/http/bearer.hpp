// keyward: the Bearer authentication scheme of RFC 6750 section 2.1 (`Bearer 1*SP b64token`): building the
// field value a client sends with an API key or a token, and parsing it on a server into a view of the token.
/// \file
/// The Bearer authentication scheme (RFC 6750 section 2.1): parse_bearer, and the bearer writer trio.
#ifndef KEYWARD_HTTP_BEARER_HPP
#define KEYWARD_HTTP_BEARER_HPP

#include "../detail/arith.hpp"
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
  limits limit;  ///< limit.max_length bounds the field value parse_bearer() accepts (http_too_long)
};

}  // namespace keyward::http

namespace keyward::detail::http_bearer {

/// The index of the first byte at or after `i` that cannot be part of a token in `charset`; for b64token,
/// '=' is only allowed as a run at the end of the token.
constexpr std::size_t token_end(std::string_view text, std::size_t i,
                                ::keyward::http::bearer_charset charset) noexcept {
  if (charset == ::keyward::http::bearer_charset::b64token) return http_grammar::scan_token68(text, i);
  while (i < text.size()) {
    const char c = text[i];
    if (c < 0x21 || c > 0x7E || c == ',' || c == '"') break;
    ++i;
  }
  return i;
}

/// Success when `token` can be sent: non-empty (http_missing_token) and only bytes of `charset`
/// (bearer_invalid_token at the first other byte).
constexpr result<void> check_token(std::string_view token, ::keyward::http::bearer_charset charset) noexcept {
  if (token.empty()) return errc::http_missing_token;
  const std::size_t end = token_end(token, 0, charset);
  if (end != token.size()) return keyward::error(errc::bearer_invalid_token, end);
  return {};
}

/// Writes `Bearer <token>` at `out`, which has room for it (bearer_size()).
inline void write_field(char* out, std::string_view token) noexcept {
  std::memcpy(out, "Bearer ", 7);
  if (!token.empty()) std::memcpy(out + 7, token.data(), token.size());
}

}  // namespace keyward::detail::http_bearer

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
  const result<grammar::token_span> span = grammar::find_scheme_token(
      field_value, "bearer", options.limit.max_length, options.limit.max_parameters);
  if (!span) return span.error();
  const std::string_view text = grammar::slice(field_value, 0, span->end);
  const std::size_t token_end = detail::http_bearer::token_end(text, span->begin, options.charset);
  if (KEYWARD_LIKELY(token_end == span->end && token_end != span->begin)) {
    return grammar::slice(text, span->begin, token_end);
  }
  if (token_end != span->begin && grammar::is(text[token_end], grammar::ows)) {
    return grammar::reject(field_value, errc::http_unexpected_data, grammar::skip(text, token_end, grammar::ows));
  }
  return grammar::reject(field_value, errc::bearer_invalid_token, token_end);
}

/// The size of the field value that write_bearer() writes for a token of `token_size` bytes (7 + token_size),
/// SIZE_MAX when that does not fit in a std::size_t.
constexpr std::size_t bearer_size(std::size_t token_size) noexcept {
  constexpr std::size_t prefix = 7;  // "Bearer "
  return detail::arith::add_saturated(prefix, token_size);
}

/// Writes the field value `Bearer <token>` (RFC 6750 section 2.1) into `out[0, capacity)` and returns its size
/// (bearer_size()). The token must be non-empty (http_missing_token) and made only of bytes of
/// `options.charset` (bearer_invalid_token with the offset in `token`), so no header can be injected through
/// it; buffer_too_small when it does not fit. Nothing is written on any error. Allocates nothing.
inline result<std::size_t> write_bearer(std::string_view token, char* out, std::size_t capacity,
                                        const bearer_options& options = {}) noexcept {
  if (const result<void> valid = detail::http_bearer::check_token(token, options.charset); !valid) return valid.error();
  if (bearer_size(token.size()) > capacity) return errc::buffer_too_small;
  detail::http_bearer::write_field(out, token);
  return bearer_size(token.size());
}

/// The field value `Bearer <token>` as a string; errors as write_bearer() (never buffer_too_small).
inline result<std::string> bearer(std::string_view token, const bearer_options& options = {}) {
  if (const result<void> valid = detail::http_bearer::check_token(token, options.charset); !valid) return valid.error();
  std::string field(bearer_size(token.size()), '\0');
  detail::http_bearer::write_field(field.data(), token);
  return field;
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_BEARER_HPP
