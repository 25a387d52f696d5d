// keyward (private): the portable scalar Base64 kernels and their lookup tables.
//
// Decoding is table driven and free of data-dependent branches on valid input: each character indexes a
// 256-entry table that holds its 6 bits already shifted into place, the four lookups of a quantum are ORed
// into the three output bytes, and every invalid character sets bit 24, which is collected into one
// accumulator and tested once at the end. Any failure (a bad character, a non-canonical tail) makes the
// kernel return false; the caller then runs the careful validator, which finds the exact error and offset.
#ifndef KEYWARD_DETAIL_BASE64_SCALAR_HPP
#define KEYWARD_DETAIL_BASE64_SCALAR_HPP

#include "../config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace keyward::detail::base64 {

/// The 64 characters of RFC 4648 section 4 (standard) and section 5 (URL and filename safe).
inline constexpr char standard_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in decode_tables::value.
inline constexpr std::uint8_t not_in_alphabet = 0xFF;
/// Set (with lower bits) in a shifted table entry for a byte outside the alphabet.
inline constexpr std::uint32_t shifted_invalid = 0x01FFFFFFu;

/// Decoding tables of one alphabet. `shifted[k][c]` is the value of c placed where the k-th character of a
/// quantum lands in the three output bytes, read as a little-endian 32-bit word; `value[c]` is the plain
/// 6-bit value, or not_in_alphabet.
struct decode_tables {
  std::uint32_t shifted[4][256];
  std::uint8_t value[256];
};

constexpr decode_tables make_decode_tables(const char* chars) {
  decode_tables t{};
  for (int c = 0; c < 256; ++c) {
    t.value[c] = not_in_alphabet;
    for (int k = 0; k < 4; ++k) t.shifted[k][c] = shifted_invalid;
  }
  for (std::uint32_t v = 0; v < 64; ++v) {
    const auto c = static_cast<unsigned char>(chars[v]);
    t.value[c] = static_cast<std::uint8_t>(v);
    t.shifted[0][c] = v << 2;                                   // byte 0, high six bits
    t.shifted[1][c] = (v >> 4) | ((v & 0x0Fu) << 12);          // byte 0 low two, byte 1 high four
    t.shifted[2][c] = ((v >> 2) << 8) | ((v & 0x03u) << 22);   // byte 1 low four, byte 2 high two
    t.shifted[3][c] = v << 16;                                  // byte 2, low six bits
  }
  return t;
}

inline constexpr decode_tables standard_decode = make_decode_tables(standard_chars);
inline constexpr decode_tables url_decode = make_decode_tables(url_chars);

/// Encoding table of one alphabet: the two characters of every 12-bit group, `pairs[2g]`, `pairs[2g + 1]`.
struct encode_table {
  char pairs[2 * 4096];
};

constexpr encode_table make_encode_table(const char* chars) {
  encode_table t{};
  for (int g = 0; g < 4096; ++g) {
    t.pairs[2 * g] = chars[g >> 6];
    t.pairs[2 * g + 1] = chars[g & 63];
  }
  return t;
}

inline constexpr encode_table standard_encode = make_encode_table(standard_chars);
inline constexpr encode_table url_encode = make_encode_table(url_chars);

/// The bytes that `length` data characters (no padding, no whitespace) decode to.
constexpr std::size_t decoded_size_unpadded(std::size_t length) noexcept {
  return length / 4 * 3 + (length % 4 > 1 ? length % 4 - 1 : 0);
}

/// Writes the three bytes of a decoded quantum; `room_for_four` allows one 32-bit store (the fourth byte is
/// overwritten by the next quantum).
inline void store_quantum(std::uint8_t* out, std::uint32_t bytes, bool room_for_four) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (room_for_four) {
    std::memcpy(out, &bytes, 4);
    return;
  }
#else
  (void)room_for_four;
#endif
  out[0] = static_cast<std::uint8_t>(bytes);
  out[1] = static_cast<std::uint8_t>(bytes >> 8);
  out[2] = static_cast<std::uint8_t>(bytes >> 16);
}

/// Decodes `length` characters of unpadded Base64 with no whitespace (a multiple of four, plus a tail of 0,
/// 2 or 3) into `out`, which holds the exact decoded size. Returns false, with `out` unspecified, when a
/// character is outside the alphabet or the tail has non-zero unused bits.
inline bool decode_unpadded(const unsigned char* in, std::size_t length, std::uint8_t* out,
                            const decode_tables& t) noexcept {
  const std::size_t quanta = length / 4;
  const std::size_t tail = length % 4;
  std::uint32_t invalid = 0;
  for (std::size_t q = 0; q < quanta; ++q) {
    const std::uint32_t bytes =
        t.shifted[0][in[0]] | t.shifted[1][in[1]] | t.shifted[2][in[2]] | t.shifted[3][in[3]];
    invalid |= bytes;
    store_quantum(out, bytes, q + 1 < quanta || tail != 0);
    in += 4;
    out += 3;
  }
  if (tail == 2) {
    const std::uint32_t bytes = t.shifted[0][in[0]] | t.shifted[1][in[1]];
    invalid |= bytes | ((bytes & 0xFF00u) << 16);  // unused low four bits of the second character
    out[0] = static_cast<std::uint8_t>(bytes);
  } else if (tail == 3) {
    const std::uint32_t bytes = t.shifted[0][in[0]] | t.shifted[1][in[1]] | t.shifted[2][in[2]];
    invalid |= bytes | ((bytes & 0xFF0000u) << 8);  // unused low two bits of the third character
    out[0] = static_cast<std::uint8_t>(bytes);
    out[1] = static_cast<std::uint8_t>(bytes >> 8);
  }
  return invalid < (1u << 24);
}

/// Reads eight bytes as a big-endian 64-bit number.
inline std::uint64_t load_big_endian_64(const unsigned char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/// Encodes one final group of `count` bytes (1 to 3), held big-endian in the low 24 bits of `group` (the first
/// byte in bits 23-16, missing bytes zero), into `out`: 4 characters for 3 bytes, else 2 or 3 characters and,
/// when `pad`, '=' up to 4. Returns the number of characters written. Takes the bytes in a register so that a
/// caller assembling a group from pieces (a Basic user-id, ':' and password) never copies them to memory.
inline std::size_t encode_group(std::uint32_t group, std::size_t count, char* out, const encode_table& t,
                                bool pad) noexcept {
  const char* pairs = t.pairs;
  std::memcpy(out, pairs + 2 * (group >> 12), 2);
  if (count == 3) {
    std::memcpy(out + 2, pairs + 2 * (group & 0xFFF), 2);
    return 4;
  }
  std::size_t written = 2;
  if (count == 2) out[written++] = pairs[2 * (group & 0xFFF)];
  if (pad) {
    while (written < 4) out[written++] = '=';
  }
  return written;
}

/// Encodes `length` bytes into `out` (which holds the exact encoded size) with the alphabet of `t`; the final
/// partial quantum is followed by '=' when `pad`. Returns the number of characters written.
inline std::size_t encode(const unsigned char* in, std::size_t length, char* out, const encode_table& t,
                          bool pad) noexcept {
  char* const start = out;
  const char* pairs = t.pairs;
  std::size_t left = length;
  // Six bytes per step through one 64-bit load: the two bytes past the six must exist, hence left >= 8.
  while (left >= 8) {
    const std::uint64_t v = load_big_endian_64(in);
    std::memcpy(out, pairs + 2 * ((v >> 52) & 0xFFF), 2);
    std::memcpy(out + 2, pairs + 2 * ((v >> 40) & 0xFFF), 2);
    std::memcpy(out + 4, pairs + 2 * ((v >> 28) & 0xFFF), 2);
    std::memcpy(out + 6, pairs + 2 * ((v >> 16) & 0xFFF), 2);
    in += 6;
    out += 8;
    left -= 6;
  }
  while (left >= 3) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    std::memcpy(out, pairs + 2 * (v >> 12), 2);
    std::memcpy(out + 2, pairs + 2 * (v & 0xFFF), 2);
    in += 3;
    out += 4;
    left -= 3;
  }
  if (left != 0) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (left == 2 ? std::uint32_t{in[1]} << 8 : 0u);
    out += encode_group(v, left, out, t, pad);
  }
  return static_cast<std::size_t>(out - start);
}

}  // namespace keyward::detail::base64

#endif  // KEYWARD_DETAIL_BASE64_SCALAR_HPP
