// keyward (private): Base64 kernels for AVX-512 VBMI, after Muła and Lemire, "Base64 encoding and decoding
// at almost the speed of a memory copy" (Software: Practice and Experience, 2020). Compiled through target
// attributes, so no special flags are needed; called only when the CPU has AVX-512 F, BW, VL and VBMI
// (detail::cpu::has(cpu::avx512vbmi)).
//
// Decoding, 64 characters at a time: VPERMI2B looks every character up in a 128-entry table (its low seven
// bits index it) that holds the 6-bit value or 0x80 outside the alphabet; the table result ORed with the
// character itself has its top bit set exactly for invalid bytes (0x80-0xFF included), and is ORed into one
// register tested once at the end. VPMADDUBSW and VPMADDWD pack four values into each 24-bit group and
// VPERMB gathers the 48 bytes.
//
// Encoding, 48 bytes at a time: VPERMB places each 3 bytes x, y, z as the 32-bit word y x z y, one
// VPMULTISHIFTQB extracts the four 6-bit fields into four bytes, and VPERMB with the 64 characters as its
// table (it uses only the low six bits of each index) turns them into characters.
//
// Whatever is left after the whole vectors, final partial quantum included, goes through masked loads and
// stores, which neither read nor write outside the caller's buffers: encoding loads zero bits past the end
// (what the last characters need) and writes '=' for padding; decoding loads 'A' (value 0) past the end
// and checks that the decoded group's bytes past the output, which hold the unused bits of the last
// character, are zero. No scalar code runs.
#ifndef KEYWARD_DETAIL_BASE64_AVX512_HPP
#define KEYWARD_DETAIL_BASE64_AVX512_HPP

#include "../config.hpp"
#include "base64_scalar.hpp"

#include <cstddef>
#include <cstdint>

#if KEYWARD_X86_SIMD
#include <immintrin.h>

#define KEYWARD_DETAIL_BASE64_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi")))

namespace keyward::detail::base64 {

/// The decoding table of one alphabet for VPERMI2B: the 6-bit value of each ASCII character, 0x80 outside.
struct avx512_decode_table {
  alignas(64) std::uint8_t value[128];
};

/// The table of the alphabet `chars` (64 characters).
constexpr avx512_decode_table make_avx512_decode_table(const char* chars) {
  avx512_decode_table t{};
  for (auto& v : t.value) v = 0x80;
  for (int v = 0; v < 64; ++v) t.value[static_cast<unsigned char>(chars[v])] = static_cast<std::uint8_t>(v);
  return t;
}

inline constexpr avx512_decode_table standard_avx512 = make_avx512_decode_table(standard_chars);
inline constexpr avx512_decode_table url_avx512 = make_avx512_decode_table(url_chars);

/// VPERMB indices that gather the three bytes of each 24-bit group (held low byte first in a 32-bit word)
/// into 48 consecutive bytes, most significant first.
struct avx512_decode_gather {
  alignas(64) std::uint8_t index[64];
};

/// The gather indices (see avx512_decode_gather).
constexpr avx512_decode_gather make_avx512_decode_gather() {
  avx512_decode_gather g{};
  for (int k = 0; k < 48; ++k) g.index[k] = static_cast<std::uint8_t>(k / 3 * 4 + 2 - k % 3);
  return g;
}

inline constexpr avx512_decode_gather avx512_decode_gather_index = make_avx512_decode_gather();

/// VPERMB indices that spread each 3 input bytes x, y, z into the 32-bit word y x z y (low byte first).
struct avx512_encode_spread {
  alignas(64) std::uint8_t index[64];
};

/// The spread indices (see avx512_encode_spread).
constexpr avx512_encode_spread make_avx512_encode_spread() {
  avx512_encode_spread s{};
  for (int j = 0; j < 16; ++j) {
    s.index[4 * j] = static_cast<std::uint8_t>(3 * j + 1);
    s.index[4 * j + 1] = static_cast<std::uint8_t>(3 * j);
    s.index[4 * j + 2] = static_cast<std::uint8_t>(3 * j + 2);
    s.index[4 * j + 3] = static_cast<std::uint8_t>(3 * j + 1);
  }
  return s;
}

inline constexpr avx512_encode_spread avx512_encode_spread_index = make_avx512_encode_spread();

/// Every lane: the zero-masked forms of VPERMB and VPMULTISHIFTQB are used with it because GCC 12 warns
/// (-Wmaybe-uninitialized) about the undefined source register of the unmasked intrinsics.
inline constexpr __mmask64 avx512_all_lanes = ~__mmask64{0};

/// The mask of the first `n` byte lanes, for 1 <= n <= 64.
constexpr __mmask64 avx512_first_lanes(std::size_t n) noexcept { return ~__mmask64{0} >> (64 - n); }

/// The decoding constants of one alphabet, held in registers for the whole call.
struct avx512_decoder {
  __m512i table_low, table_high, gather;
};

/// Decodes 64 characters into 48 bytes at the start of the result; ORs a byte with its top bit set into
/// `invalid` for each character outside the alphabet.
KEYWARD_DETAIL_BASE64_AVX512_TARGET inline __m512i avx512_decode_64(__m512i chars, const avx512_decoder& d,
                                                                   __m512i& invalid) noexcept {
  const __m512i values = _mm512_permutex2var_epi8(d.table_low, chars, d.table_high);
  invalid = _mm512_ternarylogic_epi32(invalid, values, chars, 0xFE);  // invalid | values | chars
  // Four 6-bit values a, b, c, d per 32-bit word become the 24-bit number abcd, low byte first.
  const __m512i pairs = _mm512_maddubs_epi16(values, _mm512_set1_epi32(0x01400140));
  const __m512i words = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00011000));
  return _mm512_maskz_permutexvar_epi8(avx512_all_lanes, d.gather, words);
}

/// Characters from which decode_unpadded_avx512vbmi beats the scalar kernel (measured on AMD Zen 5: 5.1
/// against 6.0 ns at 16 characters, about 5 ns for any length up to 64); the dispatcher should run the
/// scalar kernel below it.
inline constexpr std::size_t avx512vbmi_decode_threshold = 16;

/// The contract of decode_unpadded (base64_scalar.hpp) with AVX-512 VBMI: decodes `length` characters of
/// unpadded Base64 without whitespace (length % 4 != 1) of the standard or, when `url`, the URL alphabet
/// into `out`, which holds exactly the decoded size. Returns false, with `out` unspecified, when a
/// character is outside the alphabet or the last character has non-zero unused bits. Correct for any
/// length; worth calling from avx512vbmi_decode_threshold characters.
KEYWARD_DETAIL_BASE64_AVX512_TARGET inline bool decode_unpadded_avx512vbmi(
    const unsigned char* in, std::size_t length, std::uint8_t* out, bool url) noexcept {
  const std::size_t size = decoded_size_unpadded(length);
  const avx512_decode_table& table = url ? url_avx512 : standard_avx512;
  const avx512_decoder d{_mm512_load_si512(table.value), _mm512_load_si512(table.value + 64),
                         _mm512_load_si512(avx512_decode_gather_index.index)};
  __m512i invalid = _mm512_setzero_si512();
  std::size_t i = 0;
  std::size_t o = 0;
  for (; length - i >= 64 && size - o >= 64; i += 64, o += 48) {
    _mm512_storeu_si512(out + o, avx512_decode_64(_mm512_loadu_si512(in + i), d, invalid));
  }
  // The rest, less than two vectors, through masked loads (unused lanes read 'A', whose value is 0)
  // and stores. The final group's bytes past the output then hold the unused bits of the last character,
  // which must be zero. The loop walks pointers, not indexes: with indexes, clang 14 crashes ("Cannot emit
  // physreg copy instruction") on this function under -fsanitize=address,pointer-overflow when optimizing.
  __mmask64 unused_bits = 0;
  const unsigned char* rest = in + i;
  const unsigned char* const end = in + length;
  std::uint8_t* to = out + o;
  while (rest != end) {
    const auto left = static_cast<std::size_t>(end - rest);
    const std::size_t n = left < 64 ? left : 64;
    const std::size_t written = decoded_size_unpadded(n);
    const __m512i chars = _mm512_mask_loadu_epi8(_mm512_set1_epi8('A'), avx512_first_lanes(n), rest);
    const __m512i bytes = avx512_decode_64(chars, d, invalid);
    const __mmask64 past_output = avx512_first_lanes((n + 3) / 4 * 3) & ~avx512_first_lanes(written);
    unused_bits |= _mm512_mask_test_epi8_mask(past_output, bytes, bytes);
    _mm512_mask_storeu_epi8(to, avx512_first_lanes(written), bytes);
    rest += n;
    to += written;
  }
  return (_mm512_movepi8_mask(invalid) | unused_bits) == 0;
}

/// The encoding constants of one alphabet, held in registers for the whole call.
struct avx512_encoder {
  __m512i spread, shifts, chars;
};

/// Encodes the first 48 bytes of `bytes` into 64 characters.
KEYWARD_DETAIL_BASE64_AVX512_TARGET inline __m512i avx512_encode_48(__m512i bytes,
                                                                   const avx512_encoder& e) noexcept {
  // In the word y x z y, the four fields start at bits 10, 4, 22 and 16 (and 32 more in the second word
  // of each 64-bit lane); the index bytes keep the two garbage bits above each field, which VPERMB ignores.
  const __m512i fields = _mm512_maskz_multishift_epi64_epi8(
      avx512_all_lanes, e.shifts, _mm512_maskz_permutexvar_epi8(avx512_all_lanes, e.spread, bytes));
  return _mm512_maskz_permutexvar_epi8(avx512_all_lanes, fields, e.chars);
}

/// Bytes from which encode_avx512vbmi beats the scalar kernel (measured on AMD Zen 5: 4.6 against 5.3 ns
/// at 12 bytes, about 4.5 ns for any length up to 48); the dispatcher should run the scalar kernel below it.
inline constexpr std::size_t avx512vbmi_encode_threshold = 12;

/// The contract of encode (base64_scalar.hpp) with AVX-512 VBMI: encodes `length` bytes into `out` (which
/// holds exactly the encoded size) with the standard or, when `url`, the URL alphabet, padding the final
/// partial quantum with '=' when `pad`. Returns the number of characters written. Correct for any length;
/// worth calling from avx512vbmi_encode_threshold bytes.
KEYWARD_DETAIL_BASE64_AVX512_TARGET inline std::size_t encode_avx512vbmi(
    const unsigned char* in, std::size_t length, char* out, bool url, bool pad) noexcept {
  const avx512_encoder e{_mm512_load_si512(avx512_encode_spread_index.index),
                         _mm512_set1_epi64(0x3036242A1016040ALL),
                         _mm512_loadu_si512(url ? url_chars : standard_chars)};
  std::size_t i = 0;
  std::size_t o = 0;
  for (; length - i >= 64; i += 48, o += 64) {
    _mm512_storeu_si512(out + o, avx512_encode_48(_mm512_loadu_si512(in + i), e));
  }
  // The rest, at most 63 bytes, through masked loads (unused lanes read zero bits, exactly what the
  // characters of a final partial group need) and stores; the lanes past the data characters become '='.
  while (i != length) {
    const std::size_t n = length - i < 48 ? length - i : 48;
    const std::size_t data_chars = (4 * n + 2) / 3;
    const std::size_t written = pad ? (n + 2) / 3 * 4 : data_chars;
    const __m512i chars = avx512_encode_48(_mm512_maskz_loadu_epi8(avx512_first_lanes(n), in + i), e);
    const __m512i padded = _mm512_mask_mov_epi8(_mm512_set1_epi8('='), avx512_first_lanes(data_chars), chars);
    _mm512_mask_storeu_epi8(out + o, avx512_first_lanes(written), padded);
    i += n;
    o += written;
  }
  return o;
}

}  // namespace keyward::detail::base64

#undef KEYWARD_DETAIL_BASE64_AVX512_TARGET

#endif  // KEYWARD_X86_SIMD
#endif  // KEYWARD_DETAIL_BASE64_AVX512_HPP
