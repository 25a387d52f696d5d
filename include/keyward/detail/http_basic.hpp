// keyward: private parts of http/basic.hpp (RFC 7617): the scan of a decoded user-pass and its checks, in
// constant time, and the ISO-8859-1 to UTF-8 transcoding of basic_charset::latin1_fallback (not constant-time).
#ifndef KEYWARD_DETAIL_HTTP_BASIC_HPP
#define KEYWARD_DETAIL_HTTP_BASIC_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "base64_ct.hpp"
#include "ct.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#endif

namespace keyward::detail::http_basic {

/// Where the first ':' of a decoded user-pass is (npos when there is none), and whether every byte is
/// printable ASCII (0x20-0x7E), in which case no control character or UTF-8 check is needed.
struct user_pass_scan {
  std::size_t colon = std::string_view::npos;
  bool printable_ascii = true;
};

/// Scans the decoded user-pass `bytes[0, size)` in constant time: 16 bytes at a time with SSE2 (the last
/// block overlapping the one before it), byte by byte for short inputs and without SIMD. Only the results,
/// which the caller learns anyway, are made public (detail::ct::declassify()) at the end.
inline user_pass_scan scan_user_pass(const char* bytes, std::size_t size) noexcept {
  namespace b64 = ::keyward::detail::base64;
  std::size_t colon = std::string_view::npos;  // the first ':' so far: the minimum of the candidates
  std::uint32_t special = 0;
  const auto keep_first = [&colon](std::size_t candidate) {
    const std::size_t earlier = ct::value_barrier(std::size_t{0} - static_cast<std::size_t>(candidate < colon));
    colon ^= (colon ^ candidate) & earlier;
  };
  std::size_t i = 0;
#if KEYWARD_X86_SIMD
  if (size >= 16) {
    // 16 bytes at a time, the ':' of 64 bytes gathered into one mask so that one candidate per 64 bytes is
    // kept; the last block overlaps the one before it (its bits are ORed in again, to the same place).
    const auto block_at = [bytes, &special](std::size_t at) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + at));
      // Signed compare: bytes above 0x7F are negative, so "below 0x20" catches them with the CTLs.
      special |= static_cast<std::uint32_t>(_mm_movemask_epi8(
          _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F)))));
      return static_cast<std::uint64_t>(
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(':')))));
    };
    const auto keep_mask = [&keep_first, &colon](std::size_t base, std::uint64_t colons) {
      // All ones when these 64 bytes hold no ':'.
      const std::size_t none = ct::value_barrier(std::size_t{0} - static_cast<std::size_t>(colons == 0));
      const auto first = static_cast<std::size_t>(__builtin_ctzll(colons | (std::uint64_t{1} << 63)));
      const std::size_t candidate = (base + first) | none;
      if (base == 0) {
        colon = candidate;  // the first 64 bytes: nothing to compare with
      } else {
        keep_first(candidate);
      }
    };
    std::size_t base = 0;  // the first byte of the current 64
    for (;; base += 64) {
      std::uint64_t colons = 0;  // bit k: byte base + k is ':'
      if (size - base <= 64) {
        for (std::size_t j = base; j + 16 < size; j += 16) colons |= block_at(j) << (j - base);
        const std::size_t last = size - 16;  // before `base` when fewer than 16 bytes are left
        colons |= last >= base ? block_at(last) << (last - base) : block_at(last) >> (base - last);
        keep_mask(base, colons);
        break;
      }
      for (std::size_t j = base; j < base + 64; j += 16) colons |= block_at(j) << (j - base);
      keep_mask(base, colons);
    }
    i = size;
  }
#endif
  for (; i < size; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    special |= ~b64::ct_in_range(c, 0x20, 0x7E);
    keep_first(i | (std::size_t{0} - static_cast<std::size_t>(~b64::ct_in_range(c, ':', ':') & 1u)));
  }
  user_pass_scan scan;
  scan.colon = ct::declassify(colon);
  scan.printable_ascii = ct::declassify(special == 0);
  return scan;
}

/// True when the decoded user-pass `bytes[0, size)` holds a control character (RFC 5234 CTL: %x00-1F / %x7F),
/// found in constant time; only the verdict is made public.
inline bool has_control(const char* bytes, std::size_t size) noexcept {
  namespace b64 = ::keyward::detail::base64;
  std::uint32_t found = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    found |= b64::ct_in_range(c, 0x00, 0x1F) | b64::ct_in_range(c, 0x7F, 0x7F);
  }
  return ct::declassify(found != 0);
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

/// Checks a user-id and password before they are sent (RFC 7617 section 2), in constant time; only the
/// verdict is made public: no ':' in the user-id (basic_colon_in_user), no control character in either
/// (basic_control_character).
inline errc check_user_pass(std::string_view user, std::string_view password) noexcept {
  namespace b64 = ::keyward::detail::base64;
  std::uint32_t colon = 0;
  for (const char c : user) colon |= b64::ct_in_range(static_cast<unsigned char>(c), ':', ':');
  if (ct::declassify(colon != 0)) return errc::basic_colon_in_user;
  if (has_control(user.data(), user.size()) || has_control(password.data(), password.size())) {
    return errc::basic_control_character;
  }
  return errc{};
}

}  // namespace keyward::detail::http_basic

#endif  // KEYWARD_DETAIL_HTTP_BASIC_HPP
