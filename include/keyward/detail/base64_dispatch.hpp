// keyward (private): the Base64 entry points behind base64.hpp: the choice of kernel (the fastest one this
// CPU has and the kernels::force() setting allows, for the input's length), the careful validator that
// finds the exact error and its offset, and the decoder of validated text.
#ifndef KEYWARD_DETAIL_BASE64_DISPATCH_HPP
#define KEYWARD_DETAIL_BASE64_DISPATCH_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "base64_avx2.hpp"
#include "base64_avx512.hpp"
#include "base64_ct.hpp"
#include "base64_scalar.hpp"
#include "cpu.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::detail::base64 {

/// What a decoder accepts: the base64::options of base64.hpp as plain flags.
struct rules {
  bool url;           ///< '-' '_' (RFC 4648 section 5) instead of '+' '/' (section 4)
  bool pad_allowed;   ///< '=' may complete the final quantum (padding::required or padding::optional)
  bool pad_required;  ///< a final partial quantum must be padded (padding::required)
  bool skip_space;    ///< SP, HT, CR and LF are passed over (whitespace::skip)
};

/// The scalar decoding tables of the URL alphabet (`url`) or the standard one.
constexpr const decode_tables& decode_tables_for(bool url) noexcept { return url ? url_decode : standard_decode; }

/// All ones for the bytes that whitespace::skip passes over (SP, HT, CR, LF), else zero, without branching
/// on `c`.
constexpr std::uint32_t ct_is_skipped_space(unsigned char c) noexcept {
  return ct_in_range(c, ' ', ' ') | ct_in_range(c, '\t', '\t') | ct_in_range(c, '\r', '\r') |
         ct_in_range(c, '\n', '\n');
}

/// The one dispatch point for decoding: decode_unpadded() (see base64_scalar.hpp) with the fastest kernel
/// that may run and that pays off at `length` characters.
inline bool decode_unpadded_fastest(const unsigned char* in, std::size_t length, std::uint8_t* out,
                                    bool url) noexcept {
#if KEYWARD_X86_SIMD
  if (length >= avx512vbmi_decode_threshold && cpu::has(cpu::avx512vbmi)) {
    return decode_unpadded_avx512vbmi(in, length, out, url);
  }
  if (length >= avx2_decode_threshold && cpu::has(cpu::avx2)) return decode_unpadded_avx2(in, length, out, url);
#endif
  return decode_unpadded(in, length, out, decode_tables_for(url));
}

/// The one dispatch point for encoding: encode() (see base64_scalar.hpp) with the fastest kernel that may
/// run and that pays off at `length` bytes. Returns the number of characters written.
inline std::size_t encode_fastest(const unsigned char* in, std::size_t length, char* out, bool url,
                                  bool pad) noexcept {
#if KEYWARD_X86_SIMD
  if (length >= avx512vbmi_encode_threshold && cpu::has(cpu::avx512vbmi)) {
    return encode_avx512vbmi(in, length, out, url, pad);
  }
  if (length >= avx2_encode_threshold && cpu::has(cpu::avx2)) return encode_avx2(in, length, out, url, pad);
#endif
  return encode(in, length, out, url ? url_encode : standard_encode, pad);
}

/// The one dispatch point for constant-time decoding (timing::constant): decode_unpadded() with a kernel whose
/// branches and memory indexes depend only on `length`: AVX-512 VBMI (whose masked tail is constant-time
/// already) at any length, else AVX2 with its tail in a local block, else the portable arithmetic kernel.
/// Returns the verdict, still secret (see declassify()).
inline bool decode_unpadded_ct_fastest(const unsigned char* in, std::size_t length, std::uint8_t* out,
                                       bool url) noexcept {
#if KEYWARD_X86_SIMD
  if (cpu::has(cpu::avx512vbmi)) return decode_unpadded_avx512vbmi(in, length, out, url);
  if (cpu::has(cpu::avx2)) return decode_unpadded_avx2_ct(in, length, out, url);
#endif
  return decode_unpadded_ct(in, length, out, url) == 0;
}

/// The one dispatch point for constant-time encoding (timing::constant): encode() with a kernel whose
/// branches and memory indexes depend only on `length`, chosen as by decode_unpadded_ct_fastest().
inline std::size_t encode_ct_fastest(const unsigned char* in, std::size_t length, char* out, bool url,
                                     bool pad) noexcept {
#if KEYWARD_X86_SIMD
  if (cpu::has(cpu::avx512vbmi)) return encode_avx512vbmi(in, length, out, url, pad);
  if (cpu::has(cpu::avx2)) return encode_avx2_ct(in, length, out, url, pad);
#endif
  return encode_ct(in, length, out, url, pad);
}

/// Checks `text` character by character and returns the exact decoded size, or the first error with its
/// offset. The reference for every decoding path: a fast path that fails hands over to this function.
/// End-of-input problems are reported in this order: a lone final character (base64_invalid_length, at
/// that character), non-zero unused bits (base64_non_canonical, at the last character), then missing
/// or incomplete padding (at the end of the input).
constexpr result<std::size_t> validate(std::string_view text, rules accept) noexcept {
  const auto& table = decode_tables_for(accept.url).value;
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
      if (!accept.pad_allowed) return error(errc::base64_unexpected_padding, i);
      if (pads_seen == 0) {
        const std::size_t quantum = data_chars % 4;
        if (quantum < 2) return error(errc::base64_invalid_padding, i);
        if (!canonical(quantum)) return error(errc::base64_non_canonical, last_data_offset);
        pads_expected = 4 - quantum;
      } else if (pads_seen == pads_expected) {
        return error(errc::base64_invalid_padding, i);
      }
      ++pads_seen;
    } else if (accept.skip_space && ct_is_skipped_space(c) != 0) {
      continue;
    } else {
      return error(errc::base64_invalid_character, i);
    }
  }
  const std::size_t quantum = data_chars % 4;
  if (pads_seen == 0) {
    if (quantum == 1) return error(errc::base64_invalid_length, last_data_offset);
    if (quantum != 0 && !canonical(quantum)) return error(errc::base64_non_canonical, last_data_offset);
    if (quantum != 0 && accept.pad_required) return error(errc::base64_missing_padding, text.size());
  } else if (pads_seen != pads_expected) {
    return error(errc::base64_invalid_padding, text.size());
  }
  return decoded_size_unpadded(data_chars);
}

/// Decodes `text`, already accepted by validate(), into `out`, passing over whitespace and padding.
inline void decode_validated(std::string_view text, std::uint8_t* out, bool url) noexcept {
  const auto& table = decode_tables_for(url).value;
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

/// validate(), then decode_validated(): the careful path for any text, which every decoder takes for the
/// exact error and offset when its fast pass fails (and for whitespace::skip). Kept out of line, so that
/// decode_into() and decode_into_ct() stay small enough to be inlined into their callers.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
inline result<std::size_t> decode_checked(std::string_view text, std::uint8_t* out, std::size_t capacity,
                                          rules accept) noexcept {
  const result<std::size_t> checked = validate(text, accept);
  if (!checked) return checked.error();
  if (*checked > capacity) return errc::buffer_too_small;
  decode_validated(text, out, accept.url);
  return *checked;
}

/// True when `data` characters of Base64 followed by `pads` '=' can be valid under `accept`, whatever
/// the characters are.
constexpr bool possible_shape(std::size_t data, std::size_t pads, rules accept) noexcept {
  const std::size_t tail = data % 4;
  return pads == 0 ? (tail == 0 || (tail != 1 && !accept.pad_required)) : tail + pads == 4;
}

/// Decodes `text` into `out[0, capacity)`: one pass of the fastest kernel when the text has no whitespace
/// and a possible shape, else (or when that pass fails) validate() for the exact error, then
/// decode_validated(). Returns the bytes written, the first input error, or errc::buffer_too_small.
inline result<std::size_t> decode_into(std::string_view text, std::uint8_t* out, std::size_t capacity,
                                       rules accept) noexcept {
  if (!accept.skip_space) {
    std::size_t length = text.size();
    std::size_t pads = 0;
    if (accept.pad_allowed) {
      while (pads < 2 && length != 0 && text[length - 1] == '=') {
        --length;
        ++pads;
      }
    }
    const bool shape_ok = possible_shape(length, pads, accept);
    const std::size_t size = decoded_size_unpadded(length);
    if (KEYWARD_LIKELY(shape_ok && size <= capacity) &&
        KEYWARD_LIKELY(decode_unpadded_fastest(reinterpret_cast<const unsigned char*>(text.data()), length, out,
                                               accept.url))) {
      return size;
    }
  }
  return decode_checked(text, out, capacity, accept);
}

/// The number of '=' (0 to 2) among the characters at `last` and `before` (npos for none), counted from
/// the end, without branching on the characters, then made public: it is known from the decoded size.
inline std::size_t ct_count_padding(const unsigned char* in, std::size_t last, std::size_t before) noexcept {
  constexpr std::size_t none = std::string_view::npos;
  const std::uint32_t one = last == none ? 0u : ct_in_range(in[last], '=', '=') & 1u;
  const std::uint32_t two = before == none ? 0u : ct_in_range(in[before], '=', '=') & one;
  return declassify(static_cast<std::size_t>(one + two));
}

/// decode_into() for whitespace::skip in constant time, but for the positions of the whitespace: each
/// character is classified without branching, only "is it whitespace" is made public, and the data
/// characters are decoded 6 bits at a time into positions that depend on their count only.
inline result<std::size_t> decode_into_ct_skipping(std::string_view text, std::uint8_t* out, std::size_t capacity,
                                                   rules accept) noexcept {
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  constexpr std::size_t none = std::string_view::npos;
  std::size_t count = 0;
  std::size_t last = none;
  std::size_t before = none;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (declassify(ct_is_skipped_space(in[i])) != 0) continue;
    ++count;
    before = last;
    last = i;
  }
  const std::size_t pads = accept.pad_allowed ? ct_count_padding(in, last, before) : 0;
  const std::size_t data = count - pads;
  const std::size_t size = decoded_size_unpadded(data);
  if (!possible_shape(data, pads, accept)) return decode_checked(text, out, capacity, accept);
  const bool write = size <= capacity;
  std::uint32_t invalid = 0;
  std::uint32_t bits = 0;
  int bit_count = 0;
  std::size_t seen = 0;
  std::size_t o = 0;
  for (std::size_t i = 0; i < text.size() && seen < data; ++i) {
    if (declassify(ct_is_skipped_space(in[i])) != 0) continue;
    const std::uint32_t v = ct_value(in[i], accept.url);
    invalid |= v;
    bits = (bits << 6) | (v & 63u);
    bit_count += 6;
    ++seen;
    if (bit_count >= 8) {
      bit_count -= 8;
      if (write) out[o] = static_cast<std::uint8_t>(bits >> bit_count);
      ++o;
    }
  }
  invalid = (invalid & 0x100u) | (bits & ((1u << bit_count) - 1u));  // the unused bits must be zero
  if (!declassify(invalid == 0)) return decode_checked(text, out, capacity, accept);
  if (!write) return errc::buffer_too_small;
  return size;
}

/// decode_into() in constant time (timing::constant): the branches and memory indexes depend only on the
/// length of `text`, the number of trailing '=' (which the decoded size tells anyway), whether the text is
/// valid (decided over the whole text, then made public once) and, with whitespace::skip, where the
/// whitespace is. Invalid text is handed to decode_checked(), as decode_into() hands it, so the errors and
/// offsets are identical.
inline result<std::size_t> decode_into_ct(std::string_view text, std::uint8_t* out, std::size_t capacity,
                                          rules accept) noexcept {
  if (accept.skip_space) return decode_into_ct_skipping(text, out, capacity, accept);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const std::size_t pads =
      accept.pad_allowed && n != 0 ? ct_count_padding(in, n - 1, n >= 2 ? n - 2 : std::string_view::npos) : 0;
  const std::size_t length = n - pads;
  const std::size_t size = decoded_size_unpadded(length);
  if (!possible_shape(length, pads, accept)) return decode_checked(text, out, capacity, accept);
  if (size > capacity) {
    if (declassify(decode_unpadded_ct(in, length, nullptr, accept.url) == 0)) return errc::buffer_too_small;
    return decode_checked(text, out, capacity, accept);
  }
  if (declassify(decode_unpadded_ct_fastest(in, length, out, accept.url))) return size;
  return decode_checked(text, out, capacity, accept);
}

}  // namespace keyward::detail::base64

#endif  // KEYWARD_DETAIL_BASE64_DISPATCH_HPP
