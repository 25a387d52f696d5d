// keyward: private UTF-8 validation (RFC 3629 section 4; the Unicode Standard table 3-7): no overlong forms,
// no surrogates, nothing above U+10FFFF.
#ifndef KEYWARD_DETAIL_UTF8_HPP
#define KEYWARD_DETAIL_UTF8_HPP

#include <cstddef>
#include <cstdint>

namespace keyward::detail::utf8 {

/// The length of the well-formed UTF-8 sequence at the start of `bytes[0, size)`, or 0 when it is not one.
constexpr std::size_t sequence_length(const unsigned char* bytes, std::size_t size) noexcept {
  const unsigned char lead = bytes[0];
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;  // bounds of the second byte (table 3-7)
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (size < length || bytes[1] < low || bytes[1] > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (bytes[i] < 0x80 || bytes[i] > 0xBF) return 0;
  }
  return length;
}

/// True when `bytes[0, size)` is well-formed UTF-8.
constexpr bool valid(const unsigned char* bytes, std::size_t size) noexcept {
  std::size_t i = 0;
  while (i < size) {
    const std::size_t length = sequence_length(bytes + i, size - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace keyward::detail::utf8

#endif  // KEYWARD_DETAIL_UTF8_HPP
