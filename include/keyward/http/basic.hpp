// keyward: the Basic authentication scheme (RFC 7617): building `Basic <base64(user-id ":" password)>` for a
// client, including the API-key form several providers use (the key as the user-id, an empty password), and
// parsing it on a server into a caller's buffer without allocating.
//
// The credentials are secrets: their Base64 is encoded and decoded in constant time (base64::standard_ct),
// and so are the checks of a user-id and password made of printable ASCII. What stays public is the length
// of the field value and of the user-id (the position of the first ':'), and whether the user-pass holds a
// byte outside printable ASCII: such bytes go through the UTF-8 check and the ISO-8859-1 transcoding,
// which are not constant-time. Checked under valgrind (tests/ctgrind).
/// \file
/// The Basic authentication scheme (RFC 7617): parse_basic, and the basic writer trio.
#ifndef KEYWARD_HTTP_BASIC_HPP
#define KEYWARD_HTTP_BASIC_HPP

#include "../base64.hpp"
#include "../config.hpp"
#include "../ct.hpp"
#include "../detail/http_basic.hpp"
#include "../detail/http_grammar.hpp"
#include "../detail/utf8.hpp"
#include "../error.hpp"
#include "credentials.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace keyward::http {

/// How a parsed user-pass is checked for its character encoding (RFC 7617 section 2.1).
enum class basic_charset : std::uint8_t {
  utf8,             ///< must be well-formed UTF-8: what a server asking for charset="UTF-8" receives
  latin1_fallback,  ///< well-formed UTF-8 is kept as is; anything else is read as ISO-8859-1 and transcoded
  raw,              ///< the bytes as sent, unchecked (control characters are still rejected)
};

/// Options of parse_basic().
struct basic_options {
  basic_charset charset = basic_charset::utf8;  ///< how the decoded user-pass is checked
  limits limit;  ///< limit.max_length bounds the field value accepted (http_too_long)
};

/// A parsed Basic credential: views into the buffer it was decoded into.
struct basic_credentials {
  std::string_view user;      ///< the user-id (the API key, for providers that send the key as the user-id)
  std::string_view password;  ///< the password; empty for an API key sent as `key:`
  bool transcoded = false;    ///< true when basic_charset::latin1_fallback transcoded ISO-8859-1 to UTF-8
};

/// The buffer size that parse_basic() needs for `field_value` with `charset`: enough for any outcome
/// (SIZE_MAX when that does not fit in a std::size_t).
constexpr std::size_t basic_buffer_size(std::string_view field_value,
                                        basic_charset charset = basic_charset::utf8) noexcept {
  const std::size_t decoded = base64::max_decoded_size(field_value.size());
  if (charset != basic_charset::latin1_fallback) return decoded;
  return decoded > SIZE_MAX / 2 ? SIZE_MAX : 2 * decoded;  // each transcoded byte may take two
}

/// A fixed-capacity buffer for parse_basic() that lives inside the caller's object (no allocation) and is
/// zeroized when destroyed, since it holds a password. Not copyable.
template <std::size_t Capacity>
class basic_buffer {
  static_assert(Capacity > 0, "a basic_buffer needs room");

 public:
  basic_buffer() noexcept = default;
  basic_buffer(const basic_buffer&) = delete;
  basic_buffer& operator=(const basic_buffer&) = delete;
  ~basic_buffer() { ct::secure_zero(bytes_, Capacity); }

  /// The first byte of the buffer.
  char* data() noexcept { return bytes_; }
  /// The number of bytes it holds.
  static constexpr std::size_t capacity() noexcept { return Capacity; }

 private:
  char bytes_[Capacity];
};

}  // namespace keyward::http

namespace keyward::detail::http_basic {

/// Writes the Base64 encoding of user ":" password (both already checked) at `out`, which has room for it,
/// in constant time and without joining them in memory: the user-id's whole 3-byte groups, then the one
/// group that bridges its last bytes, the ':' and the password's first bytes (assembled in a register, never
/// copied to memory), then the rest of the password. Returns the end of what it wrote.
inline char* write_user_pass(char* out, std::string_view user, std::string_view password) noexcept {
  const auto encode = [&out](const char* bytes, std::size_t size) {
    const std::size_t length = ::keyward::base64::encoded_size(size);
    out += *::keyward::base64::write_encoded(bytes, size, out, length, ::keyward::base64::standard_ct);
  };
  const std::size_t whole = user.size() - user.size() % 3;
  encode(user.data(), whole);
  std::uint32_t group = 0;
  std::size_t count = 0;
  const auto take = [&](char c) { group |= std::uint32_t{static_cast<unsigned char>(c)} << (16 - 8 * count++); };
  for (std::size_t i = whole; i < user.size(); ++i) take(user[i]);
  take(':');
  std::size_t taken = 0;
  while (count < 3 && taken < password.size()) take(password[taken++]);
  out += base64::encode_group_ct(group, count, out, false, true);
  encode(password.data() + taken, password.size() - taken);
  return out;
}

}  // namespace keyward::detail::http_basic

namespace keyward::http {

/// Parses an Authorization (or Proxy-Authorization) field value holding Basic credentials (RFC 7617 section 2):
/// `Basic` (any case) 1*SP token, OWS around the value ignored; the token is strict Base64 (RFC 4648 standard
/// alphabet, padding required, canonical); the decoded user-pass is split at its first ':' (the password may
/// contain ':'), must hold no control character, and is checked per `options.charset`. Decodes into `buffer`
/// (`capacity` bytes; basic_buffer_size() is always enough) and returns views into it. Allocates nothing.
/// Constant-time for the token's characters and a printable ASCII user-pass (see the top of this header).
/// Fails with http_too_long, http_empty_value, http_invalid_character (NUL, CR, LF, other CTLs in the field
/// value), http_invalid_scheme, http_wrong_scheme, http_missing_token, a base64_* error (each with the offset
/// in `field_value`), basic_missing_colon, basic_control_character, basic_invalid_utf8 or buffer_too_small.
/// On failure the buffer may hold partial data and must not be used.
inline result<basic_credentials> parse_basic(std::string_view field_value, char* buffer, std::size_t capacity,
                                             const basic_options& options = {}) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  namespace scan = ::keyward::detail::http_basic;
  const result<grammar::token_span> token =
      grammar::find_scheme_token(field_value, "basic", options.limit.max_length, options.limit.max_parameters);
  if (!token) return token.error();
  const std::string_view text = grammar::slice(field_value, token->begin, token->end);
  const result<std::size_t> decoded = base64::write_decoded(text, buffer, capacity, base64::standard_ct);
  if (!decoded) {
    const keyward::error failure = decoded.error();
    if (!failure.has_offset()) return failure;
    return grammar::reject(field_value, failure.code(), token->begin + failure.offset());
  }
  std::size_t size = *decoded;
  const scan::user_pass_scan found = scan::scan_user_pass(buffer, size);
  if (found.colon == std::string_view::npos) return errc::basic_missing_colon;
  basic_credentials parsed;
  std::size_t split = found.colon;
  if (!found.printable_ascii) {
    if (scan::has_control(buffer, size)) return errc::basic_control_character;
    if (options.charset != basic_charset::raw &&
        !detail::utf8::valid(reinterpret_cast<const unsigned char*>(buffer), size)) {
      if (options.charset == basic_charset::utf8) return errc::basic_invalid_utf8;
      size = scan::latin1_to_utf8(buffer, size, capacity);
      if (size == 0) return errc::buffer_too_small;
      parsed.transcoded = true;
      // Transcoding moves the ':' when the user-id holds bytes above 0x7F; it never creates one (each byte
      // above 0x7F becomes two bytes above 0x7F), so the first ':' is found again.
      split = static_cast<std::size_t>(static_cast<const char*>(std::memchr(buffer, ':', size)) - buffer);
    }
  }
  parsed.user = std::string_view(buffer, split);
  parsed.password = std::string_view(buffer + split + 1, size - split - 1);
  return parsed;
}

/// parse_basic() into a basic_buffer; the views stay valid as long as `buffer` lives and is not reused.
template <std::size_t Capacity>
result<basic_credentials> parse_basic(std::string_view field_value, basic_buffer<Capacity>& buffer,
                                      const basic_options& options = {}) noexcept {
  return parse_basic(field_value, buffer.data(), Capacity, options);
}

/// The size of the field value that write_basic() writes for a user-id and password of these sizes:
/// `Basic ` and the Base64 encoding of user-id ":" password; SIZE_MAX when that does not fit in a std::size_t.
constexpr std::size_t basic_size(std::size_t user_size, std::size_t password_size) noexcept {
  constexpr std::size_t prefix = 6;  // "Basic "
  // The longest user-pass whose field size fits: 4 characters per started group of 3 bytes.
  constexpr std::size_t longest = (SIZE_MAX - prefix) / 4 * 3;
  if (user_size >= longest || password_size > longest - 1 - user_size) return SIZE_MAX;
  return prefix + base64::encoded_size(user_size + 1 + password_size);
}

/// Writes the field value `Basic <base64(user ":" password)>` (RFC 7617 section 2) into `out[0, capacity)` and
/// returns its size (basic_size()), in constant time for the bytes of both. The bytes are sent as given;
/// RFC 7617 section 2.1 asks for UTF-8 when the server's challenge says charset="UTF-8". Fails with
/// basic_colon_in_user, basic_control_character or buffer_too_small; nothing is written on any error.
/// Allocates nothing.
inline result<std::size_t> write_basic(std::string_view user, std::string_view password, char* out,
                                       std::size_t capacity) noexcept {
  if (const errc invalid = detail::http_basic::check_user_pass(user, password); invalid != errc{}) return invalid;
  if (basic_size(user.size(), password.size()) > capacity) return errc::buffer_too_small;
  std::memcpy(out, "Basic ", 6);
  return static_cast<std::size_t>(detail::http_basic::write_user_pass(out + 6, user, password) - out);
}

/// The field value `Basic <base64(user ":" password)>` as a string, in constant time for the bytes of both;
/// errors as write_basic() (never buffer_too_small).
inline result<std::string> basic(std::string_view user, std::string_view password) {
  if (const errc invalid = detail::http_basic::check_user_pass(user, password); invalid != errc{}) return invalid;
  std::string field(basic_size(user.size(), password.size()), '\0');
  std::memcpy(field.data(), "Basic ", 6);
  detail::http_basic::write_user_pass(field.data() + 6, user, password);
  return field;
}

/// The field value for an API key sent as the user-id with an empty password, `Basic <base64(key ":")>`, as
/// several providers require. Fails with basic_colon_in_user or basic_control_character.
inline result<std::string> basic_api_key(std::string_view key) { return basic(key, {}); }

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_BASIC_HPP
