// keyward: the Basic authentication scheme (RFC 7617): building `Basic <base64(user-id ":" password)>` for a
// client, including the API-key form several providers use (the key as the user-id, an empty password), and
// parsing it on a server into a caller's buffer without allocating.
#ifndef KEYWARD_HTTP_BASIC_HPP
#define KEYWARD_HTTP_BASIC_HPP

#include "../base64.hpp"
#include "../config.hpp"
#include "../ct.hpp"
#include "../detail/http_grammar.hpp"
#include "../detail/utf8.hpp"
#include "../error.hpp"
#include "credentials.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#endif

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
  std::size_t max_length = limits{}.max_length; ///< the longest field value accepted, in bytes
};

/// A parsed Basic credential: views into the buffer it was decoded into.
struct basic_credentials {
  std::string_view user;      ///< the user-id (the API key, for providers that send the key as the user-id)
  std::string_view password;  ///< the password; empty for an API key sent as `key:`
  bool transcoded = false;    ///< true when basic_charset::latin1_fallback transcoded ISO-8859-1 to UTF-8
};

/// The buffer size that parse_basic() needs for `field_value` with `charset`: enough for any outcome.
constexpr std::size_t basic_buffer_size(std::string_view field_value,
                                        basic_charset charset = basic_charset::utf8) noexcept {
  const std::size_t decoded = base64::max_decoded_size(field_value.size());
  return charset == basic_charset::latin1_fallback ? 2 * decoded : decoded;
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

namespace keyward::detail::basic {

/// Where the first ':' of a decoded user-pass is (npos when there is none), and whether every byte is
/// printable ASCII (0x20-0x7E), in which case no control character or UTF-8 check is needed.
struct user_pass_scan {
  std::size_t colon = std::string_view::npos;
  bool printable_ascii = true;
};

/// Scans the decoded user-pass `bytes[0, size)`: 16 bytes at a time with SSE2 (the last block overlapping the
/// one before it), byte by byte for short inputs and without SIMD.
inline user_pass_scan scan_user_pass(const char* bytes, std::size_t size) noexcept {
  user_pass_scan scan;
#if KEYWARD_X86_SIMD
  if (size >= 16) {
    for (std::size_t i = 0;; i += 16) {
      if (i + 16 > size) i = size - 16;
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
      // Signed compare: bytes above 0x7F are negative, so "below 0x20" catches them with the CTLs.
      const __m128i special = _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)),
                                           _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)));
      if (_mm_movemask_epi8(special) != 0) scan.printable_ascii = false;
      const int colons = _mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(':')));
      if (colons != 0 && scan.colon == std::string_view::npos) {
        scan.colon = i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(colons)));
      }
      if (i + 16 == size) return scan;
    }
  }
#endif
  for (std::size_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 || c > 0x7E) scan.printable_ascii = false;
    if (c == ':' && scan.colon == std::string_view::npos) scan.colon = i;
  }
  return scan;
}

/// True when the decoded user-pass `bytes[0, size)` holds a control character (RFC 5234 CTL: %x00-1F / %x7F).
inline bool has_control(const char* bytes, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

/// Transcodes the ISO-8859-1 bytes `buffer[0, size)` to UTF-8 in place (back to front). Returns the new size,
/// or 0 when `capacity` is too small.
inline std::size_t latin1_to_utf8(char* buffer, std::size_t size, std::size_t capacity) noexcept {
  std::size_t grown = size;
  for (std::size_t i = 0; i < size; ++i) grown += static_cast<unsigned char>(buffer[i]) >> 7;
  if (grown > capacity) return 0;
  std::size_t out = grown;
  for (std::size_t i = size; i-- > 0;) {
    const auto c = static_cast<unsigned char>(buffer[i]);
    if (c < 0x80) {
      buffer[--out] = static_cast<char>(c);
    } else {
      buffer[--out] = static_cast<char>(0x80 | (c & 0x3F));
      buffer[--out] = static_cast<char>(0xC0 | (c >> 6));
    }
  }
  return grown;
}

/// Where the Base64 token of a Basic field value lies: [begin, end) of the field value.
struct token_span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// The error for a field value that does not hold Basic credentials: http_wrong_scheme when it is a
/// well-formed credentials value of another scheme, otherwise the grammar error parse_credentials() reports.
inline keyward::error not_basic(std::string_view value, std::size_t scheme_offset, std::size_t max_length) noexcept {
  ::keyward::http::limits limit;
  limit.max_length = max_length;
  const result<::keyward::http::credentials> parsed = ::keyward::http::parse_credentials(value, limit);
  if (!parsed) return parsed.error();
  return keyward::error(errc::http_wrong_scheme, scheme_offset);
}

/// Checks a user-id and password before they are sent (RFC 7617 section 2): no ':' in the user-id
/// (basic_colon_in_user), no control character in either (basic_control_character).
constexpr errc check_user_pass(std::string_view user, std::string_view password) noexcept {
  for (const char c : user) {
    if (c == ':') return errc::basic_colon_in_user;
  }
  for (const std::string_view part : {user, password}) {
    for (const char c : part) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7F) return errc::basic_control_character;
    }
  }
  return errc{};
}

/// Finds the token of a Basic field value for parse_basic(): `Basic` (any case), 1*SP, the token, with OWS
/// around the value ignored. Fails with the errors parse_basic() documents for the field value's shape.
inline result<token_span> find_token(std::string_view value, std::size_t max_length) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  if (value.size() > max_length) return errc::http_too_long;
  const std::size_t size = value.size();
  // The usual shape first: "Basic " at the start and no OWS at the end.
  if (KEYWARD_LIKELY(size > 6 && (value[0] | 0x20) == 'b' && (value[1] | 0x20) == 'a' &&
                     (value[2] | 0x20) == 's' && (value[3] | 0x20) == 'i' && (value[4] | 0x20) == 'c' &&
                     value[5] == ' ' && !grammar::is(value[size - 1], grammar::ows))) {
    std::size_t begin = 6;
    while (value[begin] == ' ') ++begin;  // stops before the end, which is not OWS
    return token_span{begin, size};
  }
  std::size_t end = size;
  while (end > 0 && grammar::is(value[end - 1], grammar::ows)) --end;
  std::size_t begin = 0;
  while (begin < end && grammar::is(value[begin], grammar::ows)) ++begin;
  if (begin == end) return grammar::reject(value, errc::http_empty_value, error::no_offset);
  const std::size_t scheme_end = grammar::skip(grammar::slice(value, 0, end), begin, grammar::tchar);
  if (!grammar::iequal(grammar::slice(value, begin, scheme_end), "Basic")) return not_basic(value, begin, max_length);
  if (scheme_end == end) return keyward::error(errc::http_missing_token, end);
  if (value[scheme_end] != ' ') return grammar::reject(value, errc::http_invalid_scheme, scheme_end);
  begin = scheme_end + 1;
  while (value[begin] == ' ') ++begin;
  return token_span{begin, end};
}

}  // namespace keyward::detail::basic

namespace keyward::http {

/// Parses an Authorization (or Proxy-Authorization) field value holding Basic credentials (RFC 7617 section 2):
/// `Basic` (any case) 1*SP token, OWS around the value ignored; the token is strict Base64 (RFC 4648 standard
/// alphabet, padding required, canonical); the decoded user-pass is split at its first ':' (the password may
/// contain ':'), must hold no control character, and is checked per `options.charset`. Decodes into `buffer`
/// (`capacity` bytes; basic_buffer_size() is always enough) and returns views into it. Allocates nothing.
/// Fails with http_too_long, http_empty_value, http_invalid_character (NUL, CR, LF, other CTLs in the field
/// value), http_invalid_scheme, http_wrong_scheme, http_missing_token, a base64_* error (each with the offset
/// in `field_value`), basic_missing_colon, basic_control_character, basic_invalid_utf8 or buffer_too_small.
/// On failure the buffer may hold partial data and must not be used.
inline result<basic_credentials> parse_basic(std::string_view field_value, char* buffer, std::size_t capacity,
                                             const basic_options& options = {}) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  const result<detail::basic::token_span> token = detail::basic::find_token(field_value, options.max_length);
  if (!token) return token.error();
  const std::string_view text = grammar::slice(field_value, token->begin, token->end);
  const result<std::size_t> decoded = base64::decode(text, buffer, capacity, base64::standard);
  if (!decoded) {
    const keyward::error failure = decoded.error();
    if (!failure.has_offset()) return failure;
    return grammar::reject(field_value, failure.code(), token->begin + failure.offset());
  }
  std::size_t size = *decoded;
  const detail::basic::user_pass_scan scan = detail::basic::scan_user_pass(buffer, size);
  if (scan.colon == std::string_view::npos) return errc::basic_missing_colon;
  basic_credentials parsed;
  std::size_t split = scan.colon;
  if (!scan.printable_ascii) {
    if (detail::basic::has_control(buffer, size)) return errc::basic_control_character;
    if (options.charset != basic_charset::raw &&
        !detail::utf8::valid(reinterpret_cast<const unsigned char*>(buffer), size)) {
      if (options.charset == basic_charset::utf8) return errc::basic_invalid_utf8;
      size = detail::basic::latin1_to_utf8(buffer, size, capacity);
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

/// The size of the field value that write_basic() produces for a user-id and password of these sizes.
constexpr std::size_t basic_field_size(std::size_t user_size, std::size_t password_size) noexcept {
  return 6 + base64::encoded_size(user_size + 1 + password_size);
}

/// Writes the field value `Basic <base64(user ":" password)>` (RFC 7617 section 2) into `out` and returns its
/// size (basic_field_size()). The bytes are sent as given; RFC 7617 section 2.1 asks for UTF-8 when the
/// server's challenge says charset="UTF-8". Fails with basic_colon_in_user, basic_control_character or
/// buffer_too_small (nothing written). Allocates nothing.
inline result<std::size_t> write_basic(std::string_view user, std::string_view password, char* out,
                                       std::size_t capacity) noexcept {
  if (const errc invalid = detail::basic::check_user_pass(user, password); invalid != errc{}) return invalid;
  const std::size_t size = basic_field_size(user.size(), password.size());
  if (capacity < size) return errc::buffer_too_small;
  std::memcpy(out, "Basic ", 6);
  char* cursor = out + 6;
  // Encode user ":" password without joining them: whole 3-byte groups of the user-id, then one group that
  // bridges the user-id's last bytes, the ':' and the password's first bytes, then the rest of the password.
  const std::size_t whole = user.size() - user.size() % 3;
  cursor += *base64::encode(user.substr(0, whole), cursor, 4 * whole / 3);
  char bridge[3];
  std::size_t bridge_size = 0;
  for (std::size_t i = whole; i < user.size(); ++i) bridge[bridge_size++] = user[i];
  bridge[bridge_size++] = ':';
  std::size_t taken = 0;
  while (bridge_size < 3 && taken < password.size()) bridge[bridge_size++] = password[taken++];
  cursor += *base64::encode(std::string_view(bridge, bridge_size), cursor, 4);
  const std::string_view rest = password.substr(taken);
  cursor += *base64::encode(rest, cursor, base64::encoded_size(rest.size()));
  return static_cast<std::size_t>(cursor - out);
}

/// The field value `Basic <base64(user ":" password)>` as a string; errors as write_basic().
inline result<std::string> basic(std::string_view user, std::string_view password) {
  std::string field(basic_field_size(user.size(), password.size()), '\0');
  const result<std::size_t> written = write_basic(user, password, &field[0], field.size());
  if (!written) return written.error();
  return field;
}

/// The field value for an API key sent as the user-id with an empty password, `Basic <base64(key ":")>`, as
/// several providers require. Fails with basic_colon_in_user or basic_control_character.
inline result<std::string> basic_api_key(std::string_view key) { return basic(key, {}); }

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_BASIC_HPP
