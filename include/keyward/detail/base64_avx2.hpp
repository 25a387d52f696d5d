// keyward (private): Base64 kernels for AVX2, after Muła and Lemire, "Faster Base64 Encoding and Decoding
// Using AVX2 Instructions" (ACM TWEB, 2018). Compiled through target attributes, so no special flags are
// needed; called only when the CPU has AVX2 (detail::cpu::has(cpu::avx2)).
//
// Decoding, 32 characters at a time: a character is valid when the class bits that its low nibble and its
// high nibble look up (two VPSHUFB) have nothing in common; the validation results are ORed into one
// register tested once at the end. The 6-bit value is the character plus an offset looked up by its high
// nibble, except for the one character that shares its high nibble with characters of another offset ('/'
// or '_'), which is routed to slot 0. VPMADDUBSW and VPMADDWD pack four values into each 24-bit group,
// VPSHUFB and VPERMD gather the 24 bytes. All tables are computed at compile time from the alphabet.
//
// Encoding, 24 bytes at a time: VPSHUFB spreads each 3 bytes over a 32-bit word, VPMULHUW and VPMULLW move
// the four 6-bit fields into the four bytes, and each value becomes a character by adding an offset that
// VPSHUFB looks up from its range (A-Z, a-z, 0-9, the two last characters).
//
// Both kernels read and write only inside the caller's buffers: a last vector that would cross the end is
// moved back to overlap the previous one (its bytes are recomputed identically), and inputs too short for
// one vector, plus the final partial quantum, go to the scalar kernels. Their constant-time forms
// (decode_unpadded_avx2_ct, encode_avx2_ct) instead load what is left after the whole vectors into a
// register with loads sized by the length, so that the same vector code handles it.
#ifndef KEYWARD_DETAIL_BASE64_AVX2_HPP
#define KEYWARD_DETAIL_BASE64_AVX2_HPP

#include "../config.hpp"
#include "base64_scalar.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#if KEYWARD_X86_SIMD
#include <immintrin.h>

namespace keyward::detail::base64 {

/// The 16-entry VPSHUFB tables of one alphabet for the AVX2 kernels.
struct avx2_alphabet {
  std::uint8_t low_nibble_classes[16];  ///< the classes in which a low nibble is invalid, one bit each
  std::uint8_t high_nibble_class[16];   ///< the class of a high nibble (0: every low nibble valid)
  std::uint8_t value_offsets[16];       ///< value minus character by high nibble; slot 0 for `shared`
  std::uint8_t char_offsets[16];        ///< character minus value by encoding range (see avx2_encode_lanes)
  unsigned char shared;                 ///< the character whose offset differs from its high nibble's
};

/// The tables of the alphabet `chars` (64 characters), whose character `shared` gets value_offsets slot 0.
constexpr avx2_alphabet make_avx2_alphabet(const char* chars, unsigned char shared) {
  avx2_alphabet a{};
  a.shared = shared;
  std::uint16_t valid_low[16] = {};
  for (int v = 0; v < 64; ++v) {
    const auto c = static_cast<unsigned char>(chars[v]);
    valid_low[c >> 4] = static_cast<std::uint16_t>(valid_low[c >> 4] | (1u << (c & 15)));
    a.value_offsets[c == shared ? 0 : c >> 4] = static_cast<std::uint8_t>(v - c);
    const int range = v < 26 ? 0 : (v < 52 ? 1 : v - 50);
    a.char_offsets[range] = static_cast<std::uint8_t>(c - v);
  }
  // High nibbles with the same set of invalid low nibbles share a class; more than eight classes would
  // index past `class_sets` and fail constant evaluation.
  std::uint16_t class_sets[8] = {};
  int classes = 0;
  for (int high = 0; high < 16; ++high) {
    const auto invalid = static_cast<std::uint16_t>(~valid_low[high]);
    if (invalid == 0) continue;
    int k = 0;
    while (k < classes && class_sets[k] != invalid) ++k;
    if (k == classes) class_sets[classes++] = invalid;
    a.high_nibble_class[high] = static_cast<std::uint8_t>(1u << k);
    for (int low = 0; low < 16; ++low) {
      if ((invalid >> low) & 1u) {
        a.low_nibble_classes[low] = static_cast<std::uint8_t>(a.low_nibble_classes[low] | (1u << k));
      }
    }
  }
  return a;
}

inline constexpr avx2_alphabet standard_avx2 = make_avx2_alphabet(standard_chars, '/');
inline constexpr avx2_alphabet url_avx2 = make_avx2_alphabet(url_chars, '_');

/// The decoding constants of one alphabet, held in registers for the whole call.
struct avx2_decoder {
  __m256i low_classes, high_class, value_offsets, shared, nibble_mask;
};

/// A 16-byte table in both 128-bit lanes.
__attribute__((target("avx2"))) inline __m256i avx2_table(const std::uint8_t* table) noexcept {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table)));
}

/// Loads the decoding constants of alphabet `a`.
__attribute__((target("avx2"))) inline avx2_decoder make_avx2_decoder(const avx2_alphabet& a) noexcept {
  return {avx2_table(a.low_nibble_classes), avx2_table(a.high_nibble_class), avx2_table(a.value_offsets),
          _mm256_set1_epi8(static_cast<char>(a.shared)), _mm256_set1_epi8(0x0F)};
}

/// Translates 32 characters into their 24 bytes, gathered at the start of each 128-bit lane (12 bytes
/// each); ORs a non-zero byte into `invalid` for each character outside the alphabet.
__attribute__((target("avx2"))) inline __m256i avx2_decode_lanes(__m256i chars, const avx2_decoder& d,
                                                                 __m256i& invalid) noexcept {
  const __m256i high = _mm256_and_si256(_mm256_srli_epi32(chars, 4), d.nibble_mask);
  const __m256i low = _mm256_and_si256(chars, d.nibble_mask);
  invalid = _mm256_or_si256(invalid, _mm256_and_si256(_mm256_shuffle_epi8(d.low_classes, low),
                                                      _mm256_shuffle_epi8(d.high_class, high)));
  const __m256i slot = _mm256_andnot_si256(_mm256_cmpeq_epi8(chars, d.shared), high);
  const __m256i values = _mm256_add_epi8(chars, _mm256_shuffle_epi8(d.value_offsets, slot));
  // Four 6-bit values a, b, c, d per 32-bit word become the 24-bit number abcd, low byte first.
  const __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
  const __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
  const __m256i gather = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                          2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  return _mm256_shuffle_epi8(words, gather);
}

/// Decodes the 32 characters at `in` into the 24 bytes at `out`; with `room_for_32`, one 32-byte store
/// whose last 8 bytes the caller overwrites later.
__attribute__((target("avx2"))) inline void avx2_decode_32(const unsigned char* in, std::uint8_t* out,
                                                           const avx2_decoder& d, __m256i& invalid,
                                                           bool room_for_32) noexcept {
  const __m256i chars = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  __m256i lanes = avx2_decode_lanes(chars, d, invalid);
#if defined(__clang__)
  // Clang 14 would merge the VPSHUFB that ends avx2_decode_lanes with the VPERMD below into four shuffles.
  __asm__("" : "+x"(lanes));
#endif
  const __m256i bytes = _mm256_permutevar8x32_epi32(lanes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
  if (room_for_32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), bytes);
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(bytes, 1));
  }
}

/// Decodes the 16 characters at `in` into the 12 bytes at `out`.
__attribute__((target("avx2"))) inline void avx2_decode_16(const unsigned char* in, std::uint8_t* out,
                                                           const avx2_decoder& d, __m256i& invalid) noexcept {
  // Both lanes hold the same characters, so the upper lane adds to `invalid` only what the lower one does.
  const __m256i chars = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));
  const __m128i bytes = _mm256_castsi256_si128(avx2_decode_lanes(chars, d, invalid));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  const auto last = static_cast<std::uint32_t>(_mm_extract_epi32(bytes, 2));
  std::memcpy(out + 8, &last, 4);
}

/// Characters from which decode_unpadded_avx2 beats the scalar kernel (measured on AMD Zen 5: 4.9 against
/// 6.0 ns at 16 characters); shorter inputs run the scalar kernel inside it anyway.
inline constexpr std::size_t avx2_decode_threshold = 16;
static_assert(avx2_decode_threshold >= 16, "the vector code needs one 16-character block");

/// The contract of decode_unpadded (base64_scalar.hpp) with AVX2: decodes `length` characters of unpadded
/// Base64 without whitespace (length % 4 != 1) of the standard or, when `url`, the URL alphabet into
/// `out`, which holds exactly the decoded size. Returns false, with `out` unspecified, when a character is
/// outside the alphabet or the last character has non-zero unused bits. Inputs with fewer than
/// avx2_decode_threshold characters before the final partial quantum run the scalar kernel.
__attribute__((target("avx2"))) inline bool decode_unpadded_avx2(const unsigned char* in, std::size_t length,
                                                                std::uint8_t* out, bool url) noexcept {
  const std::size_t tail = length % 4;
  const std::size_t full = length - tail;
  const std::size_t full_out = full / 4 * 3;
  const std::size_t size = full_out + (tail > 1 ? tail - 1 : 0);
  const decode_tables& scalar = url ? url_decode : standard_decode;
  if (full < avx2_decode_threshold) return decode_unpadded(in, length, out, scalar);

  const avx2_decoder d = make_avx2_decoder(url ? url_avx2 : standard_avx2);
  __m256i invalid = _mm256_setzero_si256();
  if (full < 32) {
    avx2_decode_16(in, out, d, invalid);
    avx2_decode_16(in + full - 16, out + full_out - 12, d, invalid);
  } else {
    std::size_t i = 0;
    std::size_t o = 0;
    for (; full - i >= 32 && size - o >= 32; i += 32, o += 24) {
      avx2_decode_32(in + i, out + o, d, invalid, true);
    }
    for (; full - i >= 32; i += 32, o += 24) avx2_decode_32(in + i, out + o, d, invalid, false);
    if (i != full) avx2_decode_32(in + full - 32, out + full_out - 24, d, invalid, false);
  }
  const bool tail_valid = decode_unpadded(in + full, tail, out + full_out, scalar);
  return static_cast<bool>(_mm256_testz_si256(invalid, invalid)) && tail_valid;
}

/// Turns the bytes that `spread` picks from each 128-bit lane of `lanes` (12 per lane) into 32 characters;
/// `char_offsets` holds the alphabet's avx2_alphabet::char_offsets in both lanes.
__attribute__((target("avx2"))) inline __m256i avx2_encode_lanes(__m256i lanes, __m256i spread,
                                                                 __m256i char_offsets) noexcept {
  // Bytes x, y, z become the 32-bit word y x z y (low byte first): its 16-bit halves are xy and yz.
  const __m256i words = _mm256_shuffle_epi8(lanes, spread);
  // The first and third 6-bit fields (bits 10-15 of xy, 6-11 of yz) into the low byte of each half,
  // the second and fourth (bits 4-9 of xy, 0-5 of yz) into the high byte.
  const __m256i first_third = _mm256_mulhi_epu16(_mm256_and_si256(words, _mm256_set1_epi32(0x0FC0FC00)),
                                                 _mm256_set1_epi32(0x04000040));
  __m256i second_fourth_scale = _mm256_set1_epi32(0x01000010);
#if defined(__clang__)
  // Clang 14 would replace the VPMULLW by a constant with two shifts and a blend.
  __asm__("" : "+x"(second_fourth_scale));
#endif
  const __m256i second_fourth =
      _mm256_mullo_epi16(_mm256_and_si256(words, _mm256_set1_epi32(0x003F03F0)), second_fourth_scale);
  const __m256i values = _mm256_or_si256(first_third, second_fourth);
  // Range of each value: 0 for 0-25, 1 for 26-51, 2-13 for 52-63.
  const __m256i range = _mm256_sub_epi8(_mm256_subs_epu8(values, _mm256_set1_epi8(51)),
                                        _mm256_cmpgt_epi8(values, _mm256_set1_epi8(25)));
  return _mm256_add_epi8(values, _mm256_shuffle_epi8(char_offsets, range));
}

/// Encodes the 24 bytes at `in` into 32 characters. Lane 0 loads bytes 0-15 and uses 0-11, lane 1 loads
/// bytes 8-23 and uses its last 12, so exactly 24 bytes are read.
__attribute__((target("avx2"))) inline void avx2_encode_24(const unsigned char* in, char* out,
                                                           __m256i char_offsets) noexcept {
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14);
  const __m256i bytes =
      _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in))),
                              _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 8)), 1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), avx2_encode_lanes(bytes, spread, char_offsets));
}

/// Encodes the 24 bytes at `in` into 32 characters with one load of the 32 bytes from `in` - 4 (each lane
/// then holds its 12 bytes in place): reads 4 bytes before and 4 bytes after the block.
__attribute__((target("avx2"))) inline void avx2_encode_24_shifted(const unsigned char* in, char* out,
                                                                   __m256i char_offsets) noexcept {
  const __m256i spread = _mm256_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in - 4));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), avx2_encode_lanes(bytes, spread, char_offsets));
}

/// Bytes from which encode_avx2 beats the scalar kernel (measured on AMD Zen 5: 5.2 against 8.3 ns at 24
/// bytes); shorter inputs run the scalar kernel inside it anyway.
inline constexpr std::size_t avx2_encode_threshold = 24;
static_assert(avx2_encode_threshold >= 24, "the vector code needs one 24-byte block");

/// The contract of encode (base64_scalar.hpp) with AVX2: encodes `length` bytes into `out` (which holds
/// exactly the encoded size) with the standard or, when `url`, the URL alphabet, padding the final partial
/// quantum with '=' when `pad`. Returns the number of characters written. Inputs with fewer than
/// avx2_encode_threshold bytes before the final partial quantum run the scalar kernel.
__attribute__((target("avx2"))) inline std::size_t encode_avx2(const unsigned char* in, std::size_t length,
                                                               char* out, bool url, bool pad) noexcept {
  const encode_table& scalar = url ? url_encode : standard_encode;
  const std::size_t full = length - length % 3;
  if (full < avx2_encode_threshold) return encode(in, length, out, scalar, pad);

  const __m256i char_offsets = avx2_table((url ? url_avx2 : standard_avx2).char_offsets);
  const std::size_t full_out = full / 3 * 4;
  // The first block and the last one or two take exact loads (the last moved back to overlap the one
  // before it); the blocks between take the single shifted load, which needs 4 bytes on either side.
  avx2_encode_24(in, out, char_offsets);
  std::size_t i = 24;
  std::size_t o = 32;
  for (; length - i >= 52; i += 48, o += 64) {
    avx2_encode_24_shifted(in + i, out + o, char_offsets);
    avx2_encode_24_shifted(in + i + 24, out + o + 32, char_offsets);
  }
  for (; length - i >= 28; i += 24, o += 32) avx2_encode_24_shifted(in + i, out + o, char_offsets);
  for (; full - i >= 24; i += 24, o += 32) avx2_encode_24(in + i, out + o, char_offsets);
  if (i != full) avx2_encode_24(in + full - 24, out + full_out - 32, char_offsets);
  return full_out + encode(in + full, length - full, out + full_out, scalar, pad);
}

/// The `n` bytes at `p` (0 <= n <= 16) in the low bytes of a register, zero above; reads only those bytes,
/// with loads whose sizes and places depend on `n` alone (overlapping loads give identical bytes).
inline __m128i load_partial_16(const unsigned char* p, std::size_t n) noexcept {
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  if (n >= 8) {
    std::memcpy(&low, p, 8);
    if (n > 8) {
      std::memcpy(&high, p + n - 8, 8);
      high >>= 8 * (16 - n);
    }
  } else if (n >= 4) {
    std::uint32_t first;
    std::uint32_t last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    low = first | (std::uint64_t{last} << (8 * (n - 4)));
  } else if (n != 0) {
    low = p[0] | (std::uint64_t{p[n / 2]} << (8 * (n / 2))) | (std::uint64_t{p[n - 1]} << (8 * (n - 1)));
  }
  return _mm_set_epi64x(static_cast<long long>(high), static_cast<long long>(low));
}

/// Writes the first `n` bytes (0 <= n <= 32) of `bytes` to `out`, with stores whose sizes and places depend
/// on `n` alone (overlapping stores write identical bytes).
inline void store_partial_32(std::uint8_t* out, const std::uint8_t* bytes, std::size_t n) noexcept {
  if (n >= 16) {
    std::memcpy(out, bytes, 16);
    std::memcpy(out + n - 16, bytes + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(out, bytes, 8);
    std::memcpy(out + n - 8, bytes + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(out, bytes, 4);
    std::memcpy(out + n - 4, bytes + n - 4, 4);
  } else if (n != 0) {
    out[0] = bytes[0];
    out[n / 2] = bytes[n / 2];
    out[n - 1] = bytes[n - 1];
  }
}

/// The contract of decode_unpadded_avx2 in constant time (base64::timing::constant): the whole 32-character
/// blocks go through decode_unpadded_avx2, whose vector code indexes nothing in memory by the characters;
/// the rest (fewer than 32 characters, the final partial quantum included) is loaded into a register padded
/// with 'A' (value 0) and decoded by the same vector code, and the decoded group's bytes past the output,
/// which hold the unused bits of the last character, must be zero. No scalar table is read.
__attribute__((target("avx2"))) inline bool decode_unpadded_avx2_ct(const unsigned char* in, std::size_t length,
                                                                   std::uint8_t* out, bool url) noexcept {
  const std::size_t whole = length - length % 32;
  const std::size_t rest = length - whole;
  // Both verdicts are always computed: no early exit on the first.
  const bool whole_valid = whole == 0 || decode_unpadded_avx2(in, whole, out, url);
  __m256i invalid = _mm256_setzero_si256();
  if (rest != 0) {
    const unsigned char* p = in + whole;
    const __m128i low = rest >= 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)) : load_partial_16(p, rest);
    const __m128i high = rest > 16 ? load_partial_16(p + 16, rest - 16) : _mm_setzero_si128();
    const __m256i loaded = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
    const __m256i index = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                           21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m256i inside = _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(rest)), index);
    const __m256i chars = _mm256_blendv_epi8(_mm256_set1_epi8('A'), loaded, inside);
    const __m256i lanes = avx2_decode_lanes(chars, make_avx2_decoder(url ? url_avx2 : standard_avx2), invalid);
    const __m256i decoded = _mm256_permutevar8x32_epi32(lanes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
    alignas(32) std::uint8_t bytes[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(bytes), decoded);
    const std::size_t written = decoded_size_unpadded(rest);
    // The bytes of the last group past the output (bit k for byte k) must be zero.
    const std::size_t group_end = (rest + 3) / 4 * 3;
    const auto past_output = static_cast<std::uint32_t>(((std::uint64_t{1} << group_end) - 1) >> written << written);
    const auto nonzero =
        ~static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(decoded, _mm256_setzero_si256())));
    invalid = _mm256_or_si256(invalid, _mm256_set1_epi32(static_cast<int>(nonzero & past_output)));
    store_partial_32(out + whole / 4 * 3, bytes, written);
  }
  return static_cast<bool>(static_cast<unsigned>(whole_valid) &
                           static_cast<unsigned>(_mm256_testz_si256(invalid, invalid)));
}

/// The contract of encode_avx2 in constant time (base64::timing::constant): the whole 24-byte blocks go
/// through encode_avx2, whose vector code indexes nothing in memory by the bytes; the rest (fewer than 24
/// bytes) is loaded into a register padded with zero bits and encoded by the same vector code, and the
/// characters past the data become '=' (when `pad`) by their position, which the length alone fixes. No
/// scalar table is read.
__attribute__((target("avx2"))) inline std::size_t encode_avx2_ct(const unsigned char* in, std::size_t length,
                                                                  char* out, bool url, bool pad) noexcept {
  const std::size_t whole = length - length % 24;
  const std::size_t rest = length - whole;
  std::size_t written = whole == 0 ? 0 : encode_avx2(in, whole, out, url, pad);
  if (rest != 0) {
    // Lane 0 holds bytes 0-15 of the rest, lane 1 bytes 8-23, as avx2_encode_24 loads them.
    const unsigned char* p = in + whole;
    const __m128i low = rest >= 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)) : load_partial_16(p, rest);
    const __m128i high = rest > 8 ? load_partial_16(p + 8, rest - 8) : _mm_setzero_si128();
    const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                            5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14);
    const __m256i chars =
        avx2_encode_lanes(_mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1), spread,
                          avx2_table((url ? url_avx2 : standard_avx2).char_offsets));
    const std::size_t data_chars = (4 * rest + 2) / 3;
    const std::size_t tail = pad ? (rest + 2) / 3 * 4 : data_chars;
    const __m256i index = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                           21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m256i data = _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(data_chars)), index);
    alignas(32) std::uint8_t text[32];
    _mm256_store_si256(reinterpret_cast<__m256i*>(text), _mm256_blendv_epi8(_mm256_set1_epi8('='), chars, data));
    store_partial_32(reinterpret_cast<std::uint8_t*>(out + written), text, tail);
    written += tail;
  }
  return written;
}

}  // namespace keyward::detail::base64

#endif  // KEYWARD_X86_SIMD
#endif  // KEYWARD_DETAIL_BASE64_AVX2_HPP
