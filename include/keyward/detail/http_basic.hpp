// keyward: private parts of http/basic.hpp (RFC 7617): the scan of a decoded user-pass, its checks, and the
// ISO-8859-1 to UTF-8 transcoding of basic_charset::latin1_fallback.
#ifndef KEYWARD_DETAIL_HTTP_BASIC_HPP
#define KEYWARD_DETAIL_HTTP_BASIC_HPP

#include "../config.hpp"
#include "../error.hpp"

#include <cstddef>
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

}  // namespace keyward::detail::http_basic

#endif  // KEYWARD_DETAIL_HTTP_BASIC_HPP
