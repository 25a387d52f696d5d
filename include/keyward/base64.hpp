// keyward: Base64 encoding and strict decoding, RFC 4648 section 4 (standard alphabet) and section 5 (URL
// and filename safe alphabet).
//
// Decoding is strict by default: a byte outside the alphabet (whitespace included), a misplaced, excess or
// missing '=', a length no encoding can have, and non-zero unused bits in the last character (RFC 4648
// section 3.5) are all errors, reported with the offset of the offending byte. Leniency is explicit:
// padding::optional, whitespace::skip.
//
// Secrets (passwords, keys, Basic credentials) take timing::constant (the presets standard_ct and url_ct):
// no branch and no memory index then depends on the bytes encoded or the characters decoded, only on the
// sizes (see timing for exactly what stays public). The default, timing::variable, is the fastest: its
// kernels index tables by the characters and finish short inputs with them.
//
// Each direction is a writer trio: write_encoded / encoded_size / encode and write_decoded / decoded_size
// (max_decoded_size) / decode. The kernel (scalar, AVX2, AVX-512 VBMI) is chosen at run time; see kernels.hpp.
/// \file
/// Base64 encoding and strict decoding (RFC 4648 sections 4 and 5): encode, decode and their writer trios.
#ifndef KEYWARD_BASE64_HPP
#define KEYWARD_BASE64_HPP

#include "config.hpp"
#include "detail/base64_dispatch.hpp"
#include "detail/base64_scalar.hpp"
#include "error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

/// Base64 encoding and strict decoding (RFC 4648 sections 4 and 5), as writer trios, with a constant-time
/// mode for secrets.
namespace keyward::base64 {

/// Which 64 characters encode the data: '+' '/' (RFC 4648 section 4) or '-' '_' (section 5).
enum class alphabet : std::uint8_t { standard, url };

/// How '=' padding is treated. Encoding pads unless padding::forbidden; decoding demands it (required),
/// accepts it when complete and correct (optional), or rejects any '=' (forbidden, as JWS uses base64url).
enum class padding : std::uint8_t { required, optional, forbidden };

/// Whether decoding rejects whitespace (the default) or skips space, tab, CR and LF anywhere in the input.
enum class whitespace : std::uint8_t { reject, skip };

/// Whether the running time may depend on the bytes and characters (variable, the default and the fastest:
/// the kernels index tables by them) or only on what is public (constant), for secrets. With constant, no
/// branch and no memory index depends on a data byte (encoding) or a character (decoding); they depend only
/// on the size of the input, the number of trailing '=' (which the decoded size tells anyway), whether the
/// input is valid (decided over the whole input, then once), the kernel, and with whitespace::skip, where
/// the whitespace is (not hidden: a text with secret line breaks would need them removed beforehand). An
/// invalid input is then examined by the ordinary decoder, whose error and offset are not secret: both
/// timings give identical results and errors. Checked under valgrind (tests/ctgrind) with the scalar and AVX2
/// kernels; valgrind cannot run the AVX-512 one, whose code indexes no memory by the data either.
enum class timing : std::uint8_t { variable, constant };

/// How to encode and decode: alphabet, padding, whitespace handling and timing.
struct options {
  alphabet chars = alphabet::standard;    ///< '+' '/' or '-' '_'
  padding pad = padding::required;        ///< whether '=' is written, and required or accepted when decoding
  whitespace space = whitespace::reject;  ///< decoding only: reject or skip space, tab, CR and LF
  timing time = timing::variable;         ///< variable (fastest) or constant (for secrets)
};

/// RFC 4648 section 4 with padding required.
inline constexpr options standard{alphabet::standard, padding::required, whitespace::reject, timing::variable};
/// RFC 4648 section 5 without padding: the form of JWS segments (RFC 7515 section 2).
inline constexpr options url{alphabet::url, padding::forbidden, whitespace::reject, timing::variable};
/// standard in constant time, for secrets: the form of HTTP Basic credentials (RFC 7617), which
/// http::parse_basic and http::write_basic use.
inline constexpr options standard_ct{alphabet::standard, padding::required, whitespace::reject, timing::constant};
/// url in constant time, for secrets such as keys sent in base64url.
inline constexpr options url_ct{alphabet::url, padding::forbidden, whitespace::reject, timing::constant};

/// The number of characters that write_encoded() writes for `size` bytes with `opt` (opt.space is ignored).
/// Saturates: when the true count does not fit in std::size_t the result is SIZE_MAX, never a wrapped small
/// number (such an input and its encoding could not both fit in memory anyway).
constexpr std::size_t encoded_size(std::size_t size, options opt = standard) noexcept {
  const std::size_t rest = size % 3;
  const std::size_t tail = rest == 0 ? 0 : (opt.pad == padding::forbidden ? rest + 1 : 4);
  const std::size_t quanta = size / 3;
  if (quanta > (SIZE_MAX - tail) / 4) return SIZE_MAX;
  return quanta * 4 + tail;
}

/// An upper bound on the bytes that any `length` characters of Base64 decode to, whatever the options; exact
/// for `length` data characters without padding or whitespace. Never overflows (it is at most 3/4 of
/// `length`).
constexpr std::size_t max_decoded_size(std::size_t length) noexcept {
  return detail::base64::decoded_size_unpadded(length);
}

/// The number of bytes that write_decoded() writes for `text`: exact for valid input without whitespace
/// (trailing '=' are taken into account), and never less than the true size for any input without
/// whitespace. Never overflows.
constexpr std::size_t decoded_size(std::string_view text) noexcept {
  std::size_t length = text.size();
  for (int i = 0; i < 2 && length != 0 && text[length - 1] == '='; ++i) --length;
  return max_decoded_size(length);
}

}  // namespace keyward::base64

namespace keyward::detail::base64 {
/// The flags of `opt` for the decoders of detail/base64_dispatch.hpp.
constexpr rules rules_of(keyward::base64::options opt) noexcept {
  return {opt.chars == keyward::base64::alphabet::url, opt.pad != keyward::base64::padding::forbidden,
          opt.pad == keyward::base64::padding::required, opt.space == keyward::base64::whitespace::skip};
}
}  // namespace keyward::detail::base64

namespace keyward::base64 {

/// Encodes the `size` bytes at `data` into `out[0, capacity)` (RFC 4648 section 4, or section 5 with
/// alphabet::url; '=' padding unless padding::forbidden; opt.space is ignored; in constant time with
/// timing::constant). Returns the number of characters written, encoded_size(size, opt), or
/// errc::buffer_too_small when capacity is less than that, in which case nothing is written. Allocates
/// nothing.
inline result<std::size_t> write_encoded(const void* data, std::size_t size, char* out, std::size_t capacity,
                                         options opt = standard) noexcept {
  if (capacity < encoded_size(size, opt)) return errc::buffer_too_small;
  const auto* bytes = static_cast<const unsigned char*>(data);
  const bool url_chars = opt.chars == alphabet::url;
  const bool pad = opt.pad != padding::forbidden;
  if (opt.time == timing::constant) return detail::base64::encode_ct_fastest(bytes, size, out, url_chars, pad);
  return detail::base64::encode_fastest(bytes, size, out, url_chars, pad);
}

/// Encodes the bytes of `bytes` into `out[0, capacity)`; see the pointer form.
inline result<std::size_t> write_encoded(std::string_view bytes, char* out, std::size_t capacity,
                                         options opt = standard) noexcept {
  return write_encoded(bytes.data(), bytes.size(), out, capacity, opt);
}

/// The Base64 encoding of the bytes of `bytes` as a new string of encoded_size(bytes.size(), opt)
/// characters. Cannot fail (other than by std::bad_alloc).
inline std::string encode(std::string_view bytes, options opt = standard) {
  std::string text(encoded_size(bytes.size(), opt), '\0');
  (void)write_encoded(bytes, text.data(), text.size(), opt);
  return text;
}

/// Decodes `text` into `out[0, capacity)` under the rules of `opt` (RFC 4648 sections 3.3, 3.5, 4 and 5;
/// strict by default, see the top of this header; in constant time with timing::constant, see timing).
/// Returns the number of bytes written, or the first
/// error with the offset of the offending byte in `text`: base64_invalid_character, base64_invalid_padding,
/// base64_missing_padding, base64_unexpected_padding, base64_invalid_length or base64_non_canonical; then
/// errc::buffer_too_small (no offset) when the input is valid but does not fit, so input errors take
/// precedence. On any error the bytes of `out[0, capacity)` are unspecified (the fast path decodes and
/// validates in one pass) and must not be used. Allocates nothing.
inline result<std::size_t> write_decoded(std::string_view text, void* out, std::size_t capacity,
                                         options opt = standard) noexcept {
  auto* const bytes = static_cast<std::uint8_t*>(out);
  if (opt.time == timing::constant) {
    return detail::base64::decode_into_ct(text, bytes, capacity, detail::base64::rules_of(opt));
  }
  return detail::base64::decode_into(text, bytes, capacity, detail::base64::rules_of(opt));
}

/// Decodes `text` into a new string of bytes; the errors are those of write_decoded().
inline result<std::string> decode(std::string_view text, options opt = standard) {
  // decoded_size() reads the characters; the sizes of timing::constant depend on the length alone.
  const bool by_length = opt.space == whitespace::skip || opt.time == timing::constant;
  std::string bytes(by_length ? max_decoded_size(text.size()) : decoded_size(text), '\0');
  const result<std::size_t> written = write_decoded(text, bytes.data(), bytes.size(), opt);
  if (!written) return written.error();
  bytes.resize(*written);
  return bytes;
}

/// A fixed-capacity character array holding a Base64 text computed at compile time.
template <std::size_t Capacity>
struct static_text {
  char chars[Capacity + 1] = {};  ///< the text, NUL-terminated
  std::size_t length = 0;         ///< characters in the text
  /// The text as a view.
  constexpr std::string_view view() const noexcept { return {chars, length}; }
};

/// The Base64 encoding of a string literal (without its terminating NUL), computed at compile time when
/// used in a constant expression: `constexpr auto header = base64::encode_literal("live_ScaleRocks:");`.
/// opt.time is ignored: a literal written in the program is no secret.
template <std::size_t N>
constexpr static_text<(N - 1 + 2) / 3 * 4> encode_literal(const char (&literal)[N], options opt = standard) noexcept {
  static_text<(N - 1 + 2) / 3 * 4> text{};
  const char* chars = opt.chars == alphabet::url ? detail::base64::url_chars : detail::base64::standard_chars;
  const std::size_t size = N - 1;
  std::size_t out = 0;
  for (std::size_t i = 0; i < size; i += 3) {
    const std::size_t take = size - i < 3 ? size - i : 3;
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(literal[i])} << 16;
    if (take > 1) v |= std::uint32_t{static_cast<unsigned char>(literal[i + 1])} << 8;
    if (take > 2) v |= static_cast<unsigned char>(literal[i + 2]);
    for (std::size_t k = 0; k < 4; ++k) {
      if (k <= take) text.chars[out++] = chars[(v >> (18 - 6 * k)) & 63];
      else if (opt.pad != padding::forbidden) text.chars[out++] = '=';
    }
  }
  text.length = out;
  return text;
}

}  // namespace keyward::base64

#endif  // KEYWARD_BASE64_HPP
