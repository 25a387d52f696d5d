// keyward (private): the portable constant-time Base64 kernels, for base64::timing::constant.
//
// No branch and no memory index depends on a byte of the data or of the text: a character's 6-bit value
// is computed with range masks (after the constant-time codecs of BoringSSL and of Sc00bz, also in
// libsodium's sodium_base642bin), and a value's character by adding the offsets of the ranges it is above.
// Invalid characters set bit 8 of their value, collected into one word returned to the caller, who makes
// that one verdict public (detail::ct::declassify()) and branches on it once.
#ifndef KEYWARD_DETAIL_BASE64_CT_HPP
#define KEYWARD_DETAIL_BASE64_CT_HPP

#include "../config.hpp"
#include "ct.hpp"

#include <cstddef>
#include <cstdint>

namespace keyward::detail::base64 {

using ct::declassify;

/// All ones when lo <= c <= hi, else zero; for c, lo and hi in 0-255.
constexpr std::uint32_t ct_in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  return (((c - lo) | (hi - c)) >> 31) - 1u;
}

/// All ones when v > k, else zero; for v and k below 2^31.
constexpr std::uint32_t ct_above(std::uint32_t v, std::uint32_t k) noexcept { return 0u - ((k - v) >> 31); }

/// The 6-bit value of the character `c` in the standard or (`url`) URL alphabet; with bit 8 set, and the
/// value 0, when `c` is outside the alphabet.
constexpr std::uint32_t ct_value(unsigned char c, bool url) noexcept {
  const std::uint32_t x = c;
  const std::uint32_t upper = ct_in_range(x, 'A', 'Z');
  const std::uint32_t lower = ct_in_range(x, 'a', 'z');
  const std::uint32_t digit = ct_in_range(x, '0', '9');
  const std::uint32_t c62 = ct_in_range(x, url ? '-' : '+', url ? '-' : '+');
  const std::uint32_t c63 = ct_in_range(x, url ? '_' : '/', url ? '_' : '/');
  const std::uint32_t value = (upper & (x - 'A')) | (lower & (x - 'a' + 26)) | (digit & (x - '0' + 52)) |
                              (c62 & 62u) | (c63 & 63u);
  return value | (~(upper | lower | digit | c62 | c63) & 0x100u);
}

/// The character of the 6-bit value `v` in the standard or (`url`) URL alphabet.
constexpr char ct_char(std::uint32_t v, bool url) noexcept {
  std::uint32_t c = v + 'A';
  c += ct_above(v, 25) & 6u;                  // 26-51: 'a' - 26 - 'A'
  c -= ct_above(v, 51) & 75u;                 // 52-61: '0' - 52 - ('a' - 26)
  c -= ct_above(v, 61) & (url ? 13u : 15u);   // 62: '-' or '+'
  c += ct_above(v, 62) & (url ? 49u : 3u);    // 63: '_' or '/'
  return static_cast<char>(c);
}

// SWAR (eight bytes in a 64-bit word), for the bodies of the portable kernels: no carry crosses a byte.
inline constexpr std::uint64_t swar_ones = 0x0101010101010101u;
inline constexpr std::uint64_t swar_high = 0x8080808080808080u;
inline constexpr std::uint64_t swar_low7 = 0x7F7F7F7F7F7F7F7Fu;

/// Bit 7 of each byte of `x` set when that byte is above `k` (k below 128).
constexpr std::uint64_t swar_above(std::uint64_t x, std::uint64_t k) noexcept {
  return (((x & swar_low7) + swar_ones * (0x7F - k)) | x) & swar_high;
}

/// Bit 7 of each byte of `x` set when lo <= byte <= hi (1 <= lo <= hi < 128).
constexpr std::uint64_t swar_in_range(std::uint64_t x, std::uint64_t lo, std::uint64_t hi) noexcept {
  return swar_above(x, lo - 1) & ~swar_above(x, hi);
}

/// Each byte whose bit 7 is set in `bits` (and no other bit) as 0xFF, the others 0.
constexpr std::uint64_t swar_mask(std::uint64_t bits) noexcept { return (bits >> 7) * 0xFF; }

/// The bytes of `a` plus those of `b`, each modulo 256.
constexpr std::uint64_t swar_add(std::uint64_t a, std::uint64_t b) noexcept {
  return ((a & swar_low7) + (b & swar_low7)) ^ ((a ^ b) & swar_high);
}

/// Decodes the eight characters at `in` into the six bytes at `out`; returns bit 7 set in the bytes of
/// the characters outside the alphabet.
inline std::uint64_t decode_8_ct(const unsigned char* in, std::uint8_t* out, bool url) noexcept {
  std::uint64_t x = 0;
  for (int k = 7; k >= 0; --k) x = (x << 8) | in[k];  // character k in byte k
  const std::uint64_t upper = swar_in_range(x, 'A', 'Z');
  const std::uint64_t lower = swar_in_range(x, 'a', 'z');
  const std::uint64_t digit = swar_in_range(x, '0', '9');
  const std::uint64_t c62 = swar_in_range(x, url ? '-' : '+', url ? '-' : '+');
  const std::uint64_t c63 = swar_in_range(x, url ? '_' : '/', url ? '_' : '/');
  // The value minus the character, modulo 256, by range.
  const auto offset = [](unsigned value, unsigned c) { return swar_ones * ((value + 256 - c) & 0xFF); };
  const std::uint64_t add = (swar_mask(upper) & offset(0, 'A')) | (swar_mask(lower) & offset(26, 'a')) |
                            (swar_mask(digit) & offset(52, '0')) | (swar_mask(c62) & offset(62, url ? '-' : '+')) |
                            (swar_mask(c63) & offset(63, url ? '_' : '/'));
  const std::uint64_t values = swar_add(x, add) & 0x3F3F3F3F3F3F3F3Fu;
  // Pairs of values into 12 bits per 16-bit lane, then pairs of those into 24 bits per 32-bit lane.
  const std::uint64_t pairs = ((values & 0x00FF00FF00FF00FFu) << 6) | ((values >> 8) & 0x00FF00FF00FF00FFu);
  const std::uint64_t groups = ((pairs & 0x0000FFFF0000FFFFu) << 12) | ((pairs >> 16) & 0x0000FFFF0000FFFFu);
  out[0] = static_cast<std::uint8_t>(groups >> 16);
  out[1] = static_cast<std::uint8_t>(groups >> 8);
  out[2] = static_cast<std::uint8_t>(groups);
  out[3] = static_cast<std::uint8_t>(groups >> 48);
  out[4] = static_cast<std::uint8_t>(groups >> 40);
  out[5] = static_cast<std::uint8_t>(groups >> 32);
  return ~(upper | lower | digit | c62 | c63) & swar_high;
}

/// Encodes the six bytes at `in` into the eight characters at `out`.
inline void encode_6_ct(const unsigned char* in, char* out, bool url) noexcept {
  const std::uint64_t first = (std::uint64_t{in[0]} << 16) | (std::uint64_t{in[1]} << 8) | in[2];
  const std::uint64_t second = (std::uint64_t{in[3]} << 16) | (std::uint64_t{in[4]} << 8) | in[5];
  const std::uint64_t groups = first | (second << 32);  // 24 bits per 32-bit lane
  // 12 bits per 16-bit lane (the first half of a group below), then 6 bits per byte (the first value below).
  const std::uint64_t pairs = ((groups >> 12) & 0x00000FFF00000FFFu) | ((groups & 0x00000FFF00000FFFu) << 16);
  const std::uint64_t values = ((pairs >> 6) & 0x003F003F003F003Fu) | ((pairs & 0x003F003F003F003Fu) << 8);
  // The character minus the value, modulo 256, chosen by range without a carry between bytes.
  const auto offset = [](unsigned c, unsigned value) { return swar_ones * ((c + 256 - value) & 0xFF); };
  const std::uint64_t o0 = offset('A', 0), o26 = offset('a', 26), o52 = offset('0', 52);
  const std::uint64_t o62 = offset(url ? '-' : '+', 62), o63 = offset(url ? '_' : '/', 63);
  const std::uint64_t add = o0 ^ (swar_mask(swar_above(values, 25)) & (o0 ^ o26)) ^
                            (swar_mask(swar_above(values, 51)) & (o26 ^ o52)) ^
                            (swar_mask(swar_above(values, 61)) & (o52 ^ o62)) ^
                            (swar_mask(swar_above(values, 62)) & (o62 ^ o63));
  const std::uint64_t chars = swar_add(values, add);
  for (int k = 0; k < 8; ++k) out[k] = static_cast<char>(chars >> (8 * k));
}

/// The contract of decode_unpadded (base64_scalar.hpp) in constant time: decodes `length` characters of
/// unpadded Base64 without whitespace (length % 4 != 1) into `out`, which holds the exact decoded size, or
/// only checks them when `out` is null. Returns zero when every character is in the alphabet and the unused
/// bits of the last one are zero, else a non-zero word (with `out` unspecified).
inline std::uint32_t decode_unpadded_ct(const unsigned char* in, std::size_t length, std::uint8_t* out,
                                        bool url) noexcept {
  std::uint64_t invalid_8 = 0;
  std::size_t i = 0;
  std::uint8_t scratch[6];  // the output of a check without `out`
  for (; length - i >= 8; i += 8) {
    invalid_8 |= decode_8_ct(in + i, out != nullptr ? out : scratch, url);
    if (out != nullptr) out += 6;
  }
  std::uint32_t invalid = 0;
  for (; length - i >= 4; i += 4) {
    const std::uint32_t a = ct_value(in[i], url), b = ct_value(in[i + 1], url);
    const std::uint32_t c = ct_value(in[i + 2], url), d = ct_value(in[i + 3], url);
    invalid |= a | b | c | d;
    const std::uint32_t group = (a << 18) | (b << 12) | (c << 6) | d;  // wrong only when invalid
    if (out != nullptr) {
      *out++ = static_cast<std::uint8_t>(group >> 16);
      *out++ = static_cast<std::uint8_t>(group >> 8);
      *out++ = static_cast<std::uint8_t>(group);
    }
  }
  invalid &= 0x100u;
  if (length - i >= 2) {
    const std::uint32_t a = ct_value(in[i], url), b = ct_value(in[i + 1], url);
    const std::uint32_t c = length - i == 3 ? ct_value(in[i + 2], url) : 0;
    invalid |= (a | b | c) & 0x100u;
    // The unused bits: the low four of the second character, or the low two of the third.
    invalid |= length - i == 3 ? c & 0x03u : b & 0x0Fu;
    if (out != nullptr) {
      out[0] = static_cast<std::uint8_t>((a << 2) | ((b & 0x3Fu) >> 4));
      if (length - i == 3) out[1] = static_cast<std::uint8_t>((b << 4) | ((c & 0x3Fu) >> 2));
    }
  }
  return invalid | static_cast<std::uint32_t>(invalid_8 | (invalid_8 >> 32));
}

/// The contract of encode_group (base64_scalar.hpp) in constant time, with the standard or (`url`) URL
/// alphabet: encodes the final group of `count` bytes (1 to 3) held big-endian in the low 24 bits of `group`.
inline std::size_t encode_group_ct(std::uint32_t group, std::size_t count, char* out, bool url,
                                   bool pad) noexcept {
  out[0] = ct_char((group >> 18) & 63, url);
  out[1] = ct_char((group >> 12) & 63, url);
  std::size_t written = 2;
  if (count >= 2) out[written++] = ct_char((group >> 6) & 63, url);
  if (count == 3) out[written++] = ct_char(group & 63, url);
  if (pad) {
    while (written < 4) out[written++] = '=';
  }
  return written;
}

/// The contract of encode (base64_scalar.hpp) in constant time, with the standard or (`url`) URL alphabet.
inline std::size_t encode_ct(const unsigned char* in, std::size_t length, char* out, bool url, bool pad) noexcept {
  char* const start = out;
  std::size_t left = length;
  for (; left >= 6; left -= 6, in += 6, out += 8) encode_6_ct(in, out, url);
  for (; left >= 3; left -= 3, in += 3) {
    out += encode_group_ct((std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2], 3, out, url, pad);
  }
  if (left != 0) {
    const std::uint32_t group = (std::uint32_t{in[0]} << 16) | (left == 2 ? std::uint32_t{in[1]} << 8 : 0u);
    out += encode_group_ct(group, left, out, url, pad);
  }
  return static_cast<std::size_t>(out - start);
}

}  // namespace keyward::detail::base64

#endif  // KEYWARD_DETAIL_BASE64_CT_HPP
