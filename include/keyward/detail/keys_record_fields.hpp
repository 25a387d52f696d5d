// keyward (private): the text forms of keys/record_fields.hpp that need no public type: the texts of the
// record's enums and canonical decimals. No stability promise; not for direct use.
#ifndef KEYWARD_DETAIL_KEYS_RECORD_FIELDS_HPP
#define KEYWARD_DETAIL_KEYS_RECORD_FIELDS_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace keyward::detail::keys_record_fields {

/// The texts of the enums, by value.
inline constexpr std::string_view kinds[] = {"secret", "publishable", "restricted", "webhook_secret", "custom"};
inline constexpr std::string_view environments[] = {"live", "test", "unspecified"};
inline constexpr std::string_view statuses[] = {"active", "disabled", "revoked"};
inline constexpr std::string_view refills[] = {"never", "daily", "monthly"};

/// The index of `text` in `names`, or -1.
template <std::size_t N>
constexpr int enum_index(const std::string_view (&names)[N], std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<int>(i);
  }
  return -1;
}

/// A canonical decimal: digits, no leading zero; with `negative_allowed`, a '-' before a non-zero value.
/// The value's magnitude in `magnitude` (at most `limit`) and its sign in `negative`; false otherwise.
constexpr bool read_decimal(std::string_view text, bool negative_allowed, std::uint64_t limit,
                            std::uint64_t& magnitude, bool& negative) noexcept {
  negative = !text.empty() && text[0] == '-' && negative_allowed;
  if (negative) text.remove_prefix(1);
  if (text.empty() || (text[0] == '0' && (text.size() > 1 || negative))) return false;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (limit - digit) / 10) return false;
    value = value * 10 + digit;
  }
  magnitude = value;
  return true;
}

/// A canonical unsigned decimal of at least `least`.
constexpr bool read_unsigned(std::string_view text, std::uint64_t least, std::uint64_t& out) noexcept {
  bool negative = false;
  return read_decimal(text, false, (std::numeric_limits<std::uint64_t>::max)(), out, negative) && out >= least;
}

/// A canonical signed decimal above the int64 minimum (which no stored time uses: it is last_use's "never").
constexpr bool read_signed(std::string_view text, std::int64_t& out) noexcept {
  constexpr auto top = static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)());
  std::uint64_t magnitude = 0;
  bool negative = false;
  if (!read_decimal(text, true, top, magnitude, negative)) return false;
  out = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

}  // namespace keyward::detail::keys_record_fields

#endif  // KEYWARD_DETAIL_KEYS_RECORD_FIELDS_HPP
