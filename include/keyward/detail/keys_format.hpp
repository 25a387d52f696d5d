// keyward (private): the constant-time pieces of the key formats of keys/format.hpp: the base62 charset
// check, the digit <-> character mapping and the 6-character base62 checksum, all with arithmetic masks (no
// table indexed by a secret byte, no branch on one), so that they may run over the secret part of a key.
#ifndef KEYWARD_DETAIL_KEYS_FORMAT_HPP
#define KEYWARD_DETAIL_KEYS_FORMAT_HPP

#include "../config.hpp"
#include "crc32.hpp"
#include "ct.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#endif

namespace keyward::detail::keys_format {

/// 1 when lo <= c <= hi, else 0, for c, lo, hi below 2^31, without a branch: one of c - lo and hi - c
/// wraps (sets bit 31) exactly when c is outside.
constexpr std::uint32_t in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  return (((c - lo) | (hi - c)) >> 31) ^ 1u;
}

/// 1 when the byte `c` is a base62 character ([0-9A-Za-z]), else 0, without a branch.
constexpr std::uint32_t is_base62(unsigned char c) noexcept {
  return in_range(c, '0', '9') | in_range(c, 'A', 'Z') | in_range(c, 'a', 'z');
}

/// The base62 character of `digit` (0-61) in the alphabet 0-9A-Za-z, computed without a table: '0' + digit,
/// plus 7 from digit 10 on (to 'A'), plus 6 more from digit 36 on (to 'a').
constexpr char base62_char(std::uint32_t digit) noexcept {
  const std::uint32_t from_upper = ((9u - digit) >> 31) & 1u;   // digit >= 10
  const std::uint32_t from_lower = ((35u - digit) >> 31) & 1u;  // digit >= 36
  return static_cast<char>('0' + digit + 7u * from_upper + 6u * from_lower);
}

/// floor(x / 62) for any 32-bit x, as a multiplication: floor(x / 62) = floor(floor(x / 2) / 31), and for
/// y < 2^31, floor(y / 31) = (y * ceil(2^36 / 31)) >> 36 (the error 29 y / 2^36 stays below 1/31). No
/// division instruction, whose latency may depend on the operands.
constexpr std::uint32_t divide_by_62(std::uint32_t x) noexcept {
  return static_cast<std::uint32_t>((std::uint64_t{x >> 1} * 2216757315u) >> 36);
}

/// The number of base62 characters of a checksum.
inline constexpr std::size_t checksum_length = 6;

/// Writes `value` as 6 base62 characters at `out`, most significant first, left-padded with '0' (every
/// 32-bit value fits: 62^6 > 2^32). Constant time.
constexpr void write_checksum(std::uint32_t value, char* out) noexcept {
  for (std::size_t i = checksum_length; i-- > 0;) {
    const std::uint32_t quotient = divide_by_62(value);
    out[i] = base62_char(value - 62u * quotient);
    value = quotient;
  }
}

/// Writes the base62 CRC-32 (zlib) checksum of the `size` bytes at `data` into out[0, 6). Constant time.
inline void write_crc32_checksum(const char* data, std::size_t size, char* out) noexcept {
  write_checksum(crc32::compute(reinterpret_cast<const unsigned char*>(data), size), out);
}

/// The number written by the 6 base62 characters at `checksum`, which must be base62 and preceded by two
/// readable bytes (whose values do not matter). All six at once: the 8 bytes from checksum - 2 as a word
/// (byte k in bits 8k), each lane's digit by masks (c - '0', minus 7 from 'A' on, minus 6 more from 'a' on),
/// then pairs of lanes joined by multiplications, 8 -> 16 -> 32 -> 64 bits. No branch, no table; below 62^6.
inline std::uint64_t read_checksum(const char* checksum) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t high = 0x8080808080808080u;
  std::uint64_t word = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::memcpy(&word, checksum - 2, 8);
#else
  for (std::size_t j = 0; j < 8; ++j) word |= std::uint64_t{static_cast<unsigned char>((checksum - 2)[j])} << (8 * j);
#endif
  word &= ~std::uint64_t{0xFFFF};  // the two bytes before the checksum
  const std::uint64_t digits_lanes = ~std::uint64_t{0xFFFF} & ones;
  // per lane, with bit 7 clear: bit 7 of c + (0x80 - lo) is set exactly when c >= lo
  const std::uint64_t from_upper = (((word + 0x3Fu * ones) & high) >> 7) & digits_lanes;  // c >= 'A' (0x41)
  const std::uint64_t from_lower = (((word + 0x1Fu * ones) & high) >> 7) & digits_lanes;  // c >= 'a' (0x61)
  const std::uint64_t digits = word - '0' * digits_lanes - 7u * from_upper - 6u * from_lower;
  // lane pairs (first digit the more significant): 16-bit lanes below 62^2, then 32-bit lanes below 62^4
  const std::uint64_t pairs = (digits & 0x00FF00FF00FF00FFu) * 62u + ((digits >> 8) & 0x00FF00FF00FF00FFu);
  const std::uint64_t quads = (pairs & 0x0000FFFF0000FFFFu) * 3844u + ((pairs >> 16) & 0x0000FFFF0000FFFFu);
  return (quads & 0xFFFFFFFFu) * 14776336u + (quads >> 32);
}

/// True when the 6 base62 characters at `checksum` are the CRC-32 (zlib) of the `size` bytes at `data`.
/// The characters are read back as a number (read_checksum(); `checksum` - 2 must be readable) and compared
/// with masks: the time depends on `size` only, and the verdict is declassified. Reading the 6 digits is
/// cheaper than writing them (independent multiplications instead of a chain of divisions).
inline bool crc32_checksum_matches(const char* data, std::size_t size, const char* checksum) noexcept {
  const std::uint64_t written = read_checksum(checksum);
  const std::uint64_t computed = crc32::compute(reinterpret_cast<const unsigned char*>(data), size);
  std::uint64_t difference = ct::value_barrier(written ^ computed);
  difference = (difference | (0 - difference)) >> 63;  // 1 when they differ
  return ct::declassify(ct::value_barrier(difference)) == 0;
}

/// The byte 0x80 of each lane of `word` whose byte is not base62, 0 in the others: eight bytes at a time,
/// without a branch. For a byte's low 7 bits y, y + (0x80 - lo) sets bit 7 exactly when y >= lo, and
/// y + (0x7F - hi) exactly when y > hi (neither carries into the next lane); a byte with bit 7 set is out.
constexpr std::uint64_t non_base62_lanes(std::uint64_t word) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t high = 0x8080808080808080u;
  const std::uint64_t low = word & ~high;
  const auto in = [low](std::uint64_t lo, std::uint64_t hi) {
    return (low + ones * (0x80 - lo)) & ~(low + ones * (0x7F - hi)) & high;
  };
  const std::uint64_t valid = (in('0', '9') | in('A', 'Z') | in('a', 'z')) & ~word;
  return ~valid & high;
}

/// has_non_base62() without SIMD: eight bytes at a time, the last word overlapping the one before. The time
/// depends on `size` only; the verdict is declassified (it becomes public).
inline bool has_non_base62_portable(const char* text, std::size_t size) noexcept {
  std::uint64_t bad = 0;
  if (size >= 8) {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
      std::memcpy(&word, text + i, 8);
      bad |= non_base62_lanes(word);
    }
    std::memcpy(&word, text + size - 8, 8);
    bad |= non_base62_lanes(word);
  } else {
    for (std::size_t i = 0; i < size; ++i) bad |= is_base62(static_cast<unsigned char>(text[i])) ^ 1u;
  }
  return ct::declassify(ct::value_barrier(bad)) != 0;
}

#if KEYWARD_X86_SIMD
/// has_non_base62() with SSE2 (part of every x86-64 CPU) for `size` >= 16: 16 bytes at a time, the last
/// block overlapping the one before. A byte is a letter exactly when it is an upper-case one with bit 5
/// cleared (bytes above 0x7F stay outside every range). The time depends on `size` only; the
/// verdict is declassified.
inline bool has_non_base62_sse2(const char* text, std::size_t size) noexcept {
  const __m128i case_bit = _mm_set1_epi8(0x20);
  const auto good = [&case_bit](const char* at) {
    // c + (0x80 - lo) wraps [lo, lo + n) onto [-128, -128 + n): one add and one signed compare per range
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    const __m128i digit = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 10), _mm_add_epi8(bytes, _mm_set1_epi8(0x80 - '0')));
    const __m128i upper = _mm_add_epi8(_mm_andnot_si128(case_bit, bytes), _mm_set1_epi8(0x80 - 'A'));
    return _mm_or_si128(digit, _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 26), upper));
  };
  __m128i all = good(text + size - 16);
  for (std::size_t i = 0; i + 16 < size; i += 16) all = _mm_and_si128(all, good(text + i));
  const auto mask = static_cast<std::uint32_t>(_mm_movemask_epi8(all));
  return ct::declassify(ct::value_barrier(mask)) != 0xFFFFu;
}
#endif

/// True when a byte of `text[0, size)` is not base62. The time depends on `size` only; the verdict is
/// declassified (it becomes public). SSE2 on x86-64 for 16 bytes or more, has_non_base62_portable() else.
inline bool has_non_base62(const char* text, std::size_t size) noexcept {
#if KEYWARD_X86_SIMD
  if (size >= 16) return has_non_base62_sse2(text, size);
#endif
  return has_non_base62_portable(text, size);
}

/// The index of the first byte of `text[0, size)` that is not base62, or `size`, computed with masks (no
/// early exit) and then declassified. For the error path, once has_non_base62() said there is one.
inline std::size_t first_non_base62(const char* text, std::size_t size) noexcept {
  std::size_t first = size;
  std::size_t seen = 0;  // all ones once a bad byte was seen
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t bad = 0 - static_cast<std::size_t>(is_base62(static_cast<unsigned char>(text[i])) ^ 1u);
    const std::size_t take = ct::value_barrier(bad & ~seen);
    first = (first & ~take) | (i & take);
    seen |= bad;
  }
  return ct::declassify(first);
}

/// The random byte `byte` as a base62 character, and whether rejection sampling accepts it: the low 6 bits
/// are a uniform value 0-63, of which 62 and 63 are rejected (no modulo bias). No branch, no table.
struct sampled {
  char character;
  std::uint32_t accepted;  ///< 1 or 0
};
constexpr sampled sample_base62(unsigned char byte) noexcept {
  const std::uint32_t value = byte & 63u;
  return {base62_char(value), ((value - 62u) >> 31) & 1u};
}

}  // namespace keyward::detail::keys_format

#endif  // KEYWARD_DETAIL_KEYS_FORMAT_HPP
