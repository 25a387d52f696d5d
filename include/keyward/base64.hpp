// keyward: Base64 encoding and strict decoding, RFC 4648 section 4 (standard alphabet) and section 5 (URL
// and filename safe alphabet).
//
// Decoding is strict by default: a byte outside the alphabet (whitespace included), a misplaced, excess or
// missing '=', a length no encoding can have, and non-zero unused bits in the last character (RFC 4648
// section 3.5) are all errors, reported with the offset of the offending byte. Leniency is explicit:
// padding::optional, whitespace::skip.
#ifndef KEYWARD_BASE64_HPP
#define KEYWARD_BASE64_HPP

#include "config.hpp"
#include "detail/base64_avx2.hpp"
#include "detail/base64_avx512.hpp"
#include "detail/base64_scalar.hpp"
#include "detail/cpu.hpp"
#include "error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keyward::base64 {

/// Which 64 characters encode the data: '+' '/' (RFC 4648 section 4) or '-' '_' (section 5).
enum class alphabet : std::uint8_t { standard, url };

/// How '=' padding is treated. Encoding pads unless padding::forbidden; decoding demands it (required),
/// accepts it when complete and correct (optional), or rejects any '=' (forbidden, as JWS uses base64url).
enum class padding : std::uint8_t { required, optional, forbidden };

/// Whether decoding rejects whitespace (the default) or skips space, tab, CR and LF anywhere in the input.
enum class whitespace : std::uint8_t { reject, skip };

/// How to encode and decode: alphabet, padding and whitespace handling.
struct options {
  alphabet chars = alphabet::standard;
  padding pad = padding::required;
  whitespace space = whitespace::reject;
};

/// RFC 4648 section 4 with padding required: the form of HTTP Basic credentials.
inline constexpr options standard{alphabet::standard, padding::required, whitespace::reject};
/// RFC 4648 section 5 without padding: the form of JWS segments (RFC 7515 section 2).
inline constexpr options url{alphabet::url, padding::forbidden, whitespace::reject};

/// The number of characters that encoding `size` bytes produces with `opt`.
constexpr std::size_t encoded_size(std::size_t size, options opt = standard) noexcept {
  const std::size_t rest = size % 3;
  const std::size_t tail = rest == 0 ? 0 : (opt.pad == padding::forbidden ? rest + 1 : 4);
  return size / 3 * 4 + tail;
}

/// An upper bound on the bytes that any `length` characters of Base64 decode to, whatever the options; exact
/// for `length` data characters without padding or whitespace.
constexpr std::size_t max_decoded_size(std::size_t length) noexcept {
  return detail::b64::decoded_size_unpadded(length);
}

/// The number of bytes that `text` decodes to: exact for valid input without whitespace (trailing '=' are
/// taken into account), and never less than the true size for any input without whitespace.
constexpr std::size_t decoded_size(std::string_view text) noexcept {
  std::size_t length = text.size();
  for (int i = 0; i < 2 && length != 0 && text[length - 1] == '='; ++i) --length;
  return max_decoded_size(length);
}

}  // namespace keyward::base64

namespace keyward::detail::b64 {

/// The scalar decoding tables of alphabet `a`.
constexpr const decode_tables& decode_tables_for(base64::alphabet a) noexcept {
  return a == base64::alphabet::url ? url_decode : standard_decode;
}

/// True for the bytes that whitespace::skip passes over: SP, HT, CR, LF.
constexpr bool is_skipped_space(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// The one dispatch point for decoding: decode_unpadded() (see base64_scalar.hpp) with the fastest kernel
/// that this CPU has and that pays off at `length` characters.
inline bool decode_unpadded_fastest(const unsigned char* in, std::size_t length, std::uint8_t* out,
                                    base64::alphabet chars) noexcept {
#if KEYWARD_X86_SIMD
  const bool url = chars == base64::alphabet::url;
  if (length >= avx512vbmi_decode_threshold && has_isa(isa::avx512 | isa::avx512vbmi)) {
    return decode_unpadded_avx512vbmi(in, length, out, url);
  }
  if (length >= avx2_decode_threshold && has_isa(isa::avx2)) return decode_unpadded_avx2(in, length, out, url);
#endif
  return decode_unpadded(in, length, out, decode_tables_for(chars));
}

/// The one dispatch point for encoding: encode() (see base64_scalar.hpp) with the fastest kernel that this
/// CPU has and that pays off at `length` bytes.
inline std::size_t encode_fastest(const unsigned char* in, std::size_t length, char* out, base64::alphabet chars,
                                  bool pad) noexcept {
  const bool url = chars == base64::alphabet::url;
#if KEYWARD_X86_SIMD
  if (length >= avx512vbmi_encode_threshold && has_isa(isa::avx512 | isa::avx512vbmi)) {
    return encode_avx512vbmi(in, length, out, url, pad);
  }
  if (length >= avx2_encode_threshold && has_isa(isa::avx2)) return encode_avx2(in, length, out, url, pad);
#endif
  return encode(in, length, out, url ? url_encode : standard_encode, pad);
}

/// Checks `text` character by character and returns the exact decoded size, or the first error with its
/// offset. The reference for every decoding path: a fast path that fails hands over to this function.
/// End-of-input problems are reported in this order: a lone final character (base64_invalid_length, at
/// that character), non-zero unused bits (base64_non_canonical, at the last character), then missing
/// or incomplete padding (at the end of the input).
constexpr result<std::size_t> validate(std::string_view text, base64::options opt) noexcept {
  const auto& table = decode_tables_for(opt.chars).value;
  std::size_t data_chars = 0;
  std::size_t last_data_offset = 0;
  std::size_t pads_seen = 0;
  std::size_t pads_expected = 0;
  // True when the last data character has zero unused bits, for a final quantum of 2 or 3 characters.
  const auto canonical = [&](std::size_t quantum) {
    const std::uint8_t last = table[static_cast<unsigned char>(text[last_data_offset])];
    return (last & (quantum == 2 ? 0x0Fu : 0x03u)) == 0;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (table[c] != not_in_alphabet) {
      if (pads_seen != 0) return error(errc::base64_invalid_padding, i);
      ++data_chars;
      last_data_offset = i;
    } else if (c == '=') {
      if (opt.pad == base64::padding::forbidden) return error(errc::base64_unexpected_padding, i);
      if (pads_seen == 0) {
        const std::size_t quantum = data_chars % 4;
        if (quantum < 2) return error(errc::base64_invalid_padding, i);
        if (!canonical(quantum)) return error(errc::base64_non_canonical, last_data_offset);
        pads_expected = 4 - quantum;
      } else if (pads_seen == pads_expected) {
        return error(errc::base64_invalid_padding, i);
      }
      ++pads_seen;
    } else if (opt.space == base64::whitespace::skip && is_skipped_space(c)) {
      continue;
    } else {
      return error(errc::base64_invalid_character, i);
    }
  }
  const std::size_t quantum = data_chars % 4;
  if (pads_seen == 0) {
    if (quantum == 1) return error(errc::base64_invalid_length, last_data_offset);
    if (quantum != 0 && !canonical(quantum)) return error(errc::base64_non_canonical, last_data_offset);
    if (quantum != 0 && opt.pad == base64::padding::required) return error(errc::base64_missing_padding, text.size());
  } else if (pads_seen != pads_expected) {
    return error(errc::base64_invalid_padding, text.size());
  }
  return base64::max_decoded_size(data_chars);
}

/// Decodes `text`, already accepted by validate(), into `out`, passing over whitespace and padding.
inline void decode_validated(std::string_view text, std::uint8_t* out, base64::alphabet chars) noexcept {
  const auto& table = decode_tables_for(chars).value;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char ch : text) {
    const std::uint8_t v = table[static_cast<unsigned char>(ch)];
    if (v == not_in_alphabet) continue;  // whitespace or padding
    bits = (bits << 6) | v;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      *out++ = static_cast<std::uint8_t>(bits >> bit_count);
    }
  }
}

}  // namespace keyward::detail::b64

namespace keyward::base64 {

/// Encodes `size` bytes at `data` into `out`, which has room for `capacity` characters. Returns the number
/// of characters written, or errc::buffer_too_small (nothing written) when capacity < encoded_size(size, opt).
/// Allocates nothing. opt.space is ignored.
inline result<std::size_t> encode(const void* data, std::size_t size, char* out, std::size_t capacity,
                                  options opt = standard) noexcept {
  if (capacity < encoded_size(size, opt)) return errc::buffer_too_small;
  return detail::b64::encode_fastest(static_cast<const unsigned char*>(data), size, out, opt.chars,
                                     opt.pad != padding::forbidden);
}

/// Encodes the bytes of `data` into `out` (see the pointer form).
inline result<std::size_t> encode(std::string_view data, char* out, std::size_t capacity,
                                  options opt = standard) noexcept {
  return encode(data.data(), data.size(), out, capacity, opt);
}

/// The Base64 encoding of the bytes of `data` as a new string.
inline std::string encode(std::string_view data, options opt = standard) {
  std::string text(encoded_size(data.size(), opt), '\0');
  (void)encode(data, text.data(), text.size(), opt);
  return text;
}

/// Decodes `text` into `out`, which has room for `capacity` bytes. Returns the number of bytes written, or
/// the first error with the offset of the offending byte in `text`: base64_invalid_character,
/// base64_invalid_padding, base64_missing_padding, base64_unexpected_padding, base64_invalid_length or
/// base64_non_canonical; errc::buffer_too_small when the input is valid but does not fit. On error the
/// contents of `out` are unspecified and must not be used. Allocates nothing.
inline result<std::size_t> decode(std::string_view text, void* out, std::size_t capacity,
                                  options opt = standard) noexcept {
  auto* const bytes = static_cast<std::uint8_t*>(out);
  if (opt.space == whitespace::reject) {
    std::size_t length = text.size();
    std::size_t pads = 0;
    if (opt.pad != padding::forbidden) {
      while (pads < 2 && length != 0 && text[length - 1] == '=') {
        --length;
        ++pads;
      }
    }
    const std::size_t tail = length % 4;
    const bool shape_ok = pads == 0 ? (tail == 0 || (tail != 1 && opt.pad != padding::required))
                                    : tail + pads == 4;
    const std::size_t size = max_decoded_size(length);
    if (KEYWARD_LIKELY(shape_ok && size <= capacity) &&
        KEYWARD_LIKELY(detail::b64::decode_unpadded_fastest(reinterpret_cast<const unsigned char*>(text.data()),
                                                            length, bytes, opt.chars))) {
      return size;
    }
  }
  const result<std::size_t> checked = detail::b64::validate(text, opt);
  if (!checked) return checked.error();
  if (*checked > capacity) return errc::buffer_too_small;
  detail::b64::decode_validated(text, bytes, opt.chars);
  return *checked;
}

/// Decodes `text` into a new string of bytes; the errors are those of the buffer form.
inline result<std::string> decode(std::string_view text, options opt = standard) {
  std::string bytes(opt.space == whitespace::skip ? max_decoded_size(text.size()) : decoded_size(text), '\0');
  const result<std::size_t> written = decode(text, bytes.data(), bytes.size(), opt);
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
template <std::size_t N>
constexpr static_text<(N - 1 + 2) / 3 * 4> encode_literal(const char (&literal)[N], options opt = standard) noexcept {
  static_text<(N - 1 + 2) / 3 * 4> text{};
  const char* chars = opt.chars == alphabet::url ? detail::b64::url_chars : detail::b64::standard_chars;
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
