// keyward: private. The pieces of compact JWS parsing (jwt/jws.hpp) that need no JSON: splitting a token
// into its segments, mapping an offset in a decoded segment back to the token, the sizes a token_buffer
// needs, and the names of the JOSE header parameters that parse_jws() reads or that "crit" may not list.
#ifndef KEYWARD_DETAIL_JWT_JWS_HPP
#define KEYWARD_DETAIL_JWT_JWS_HPP

#include "../config.hpp"
#include "../error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace keyward::detail::jwt_jws {

/// Where the two '.' of a compact JWS are (RFC 7515 section 7.1).
struct segments {
  std::size_t first_dot;
  std::size_t second_dot;
};

/// The dots of `token`: exactly two, or jwt_encrypted for exactly four (the five segments of a JWE, RFC 7516
/// section 7.1), or jwt_malformed at the offset of the third dot (more than two but not four) or at the end
/// of the token (fewer than two).
inline result<segments> split(std::string_view token) noexcept {
  const char* const begin = token.data();
  const char* const end = begin + token.size();
  const auto next_dot = [end](const char* from) noexcept -> const char* {
    return from == end ? nullptr : static_cast<const char*>(std::memchr(from, '.', static_cast<std::size_t>(end - from)));
  };
  const char* const first = next_dot(begin);
  const char* const second = first == nullptr ? nullptr : next_dot(first + 1);
  if (second == nullptr) return keyward::error(errc::jwt_malformed, token.size());
  const char* const third = next_dot(second + 1);
  if (KEYWARD_LIKELY(third == nullptr)) {
    return segments{static_cast<std::size_t>(first - begin), static_cast<std::size_t>(second - begin)};
  }
  std::size_t dots = 3;
  for (const char* at = next_dot(third + 1); at != nullptr && dots <= 4; at = next_dot(at + 1)) ++dots;
  if (dots == 4) return errc::jwt_encrypted;
  return keyward::error(errc::jwt_malformed, static_cast<std::size_t>(third - begin));
}

/// The offset in the token of the first base64url character that carries bits of byte `decoded_offset` of
/// a segment that starts at `segment_begin` and has `segment_size` characters (capped to the segment's end,
/// for an offset at the end of the decoded bytes).
constexpr std::size_t token_offset(std::size_t segment_begin, std::size_t segment_size,
                                   std::size_t decoded_offset) noexcept {
  const std::size_t in_segment = decoded_offset / 3 * 4 + decoded_offset % 3;
  return segment_begin + (in_segment < segment_size ? in_segment : segment_size);
}

/// The bytes a token_buffer needs for a token whose segments decode to at most `header`, `payload` and
/// `signature` bytes: the three decoded segments, then room for every string of the header and the payload
/// decoded from its escapes (a decoded string is never longer than its JSON text). Saturates at SIZE_MAX.
constexpr std::size_t buffer_size(std::size_t header, std::size_t payload, std::size_t signature) noexcept {
  const std::size_t strings = header + payload;
  if (strings < header || strings > SIZE_MAX / 2) return SIZE_MAX;
  const std::size_t total = 2 * strings + signature;
  return total < signature ? SIZE_MAX : total;
}

/// The header parameters parse_jws() reads (RFC 7515 section 4.1, RFC 7797 section 3).
enum class parameter : std::uint8_t { other, alg, kid, typ, cty, crit, b64 };

/// Which parameter the (decoded) member name `name` is.
constexpr parameter classify(std::string_view name) noexcept {
  if (name.size() == 3) {
    if (name == "alg") return parameter::alg;
    if (name == "kid") return parameter::kid;
    if (name == "typ") return parameter::typ;
    if (name == "cty") return parameter::cty;
    if (name == "b64") return parameter::b64;
  } else if (name == "crit") {
    return parameter::crit;
  }
  return parameter::other;
}

/// True for the header parameter names that RFC 7515 section 4.1 defines, which "crit" must not list
/// (RFC 7515 section 4.1.11; RFC 7518 defines none for JWS).
constexpr bool is_registered(std::string_view name) noexcept {
  for (const std::string_view registered : {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ",
                                            "cty", "crit"}) {
    if (name == registered) return true;
  }
  return false;
}

/// True when `name` is "none" in any ASCII casing: "None" and "NONE" are no algorithm either (names are
/// case-sensitive), but they are the same attack and get the same error.
constexpr bool is_none(std::string_view name) noexcept {
  if (name.size() != 4) return false;
  const char lower[] = "none";
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
    if (c != lower[i]) return false;
  }
  return true;
}

/// The header parameters that parse_jws() reads, each absent or the value of its member. `Value` is
/// jwt::json_value (a template so that this private header includes no public one).
template <class Value>
struct parameters {
  std::optional<Value> alg, kid, typ, cty, crit, b64;
};

/// The parameters of the JSON object `header` (names compared after unescaping; a validated object holds
/// each name once).
template <class Value, class Object>
parameters<Value> find_parameters(const Object& header) noexcept {
  parameters<Value> found;
  for (const auto& member : header) {
    parameter which = parameter::other;
    if (const std::optional<std::string_view> plain = member.name.plain_string()) {
      which = classify(*plain);
    } else {
      constexpr std::string_view names[] = {"alg", "kid", "typ", "cty", "crit", "b64"};
      for (std::size_t i = 0; i < 6; ++i) {
        if (member.name.string_equals(names[i])) which = static_cast<parameter>(i + 1);
      }
    }
    switch (which) {
      case parameter::alg: found.alg = member.value; break;
      case parameter::kid: found.kid = member.value; break;
      case parameter::typ: found.typ = member.value; break;
      case parameter::cty: found.cty = member.value; break;
      case parameter::crit: found.crit = member.value; break;
      case parameter::b64: found.b64 = member.value; break;
      case parameter::other: break;
    }
  }
  return found;
}

/// True when the JSON value `value` is a string.
template <class Value>
bool is_string(const Value& value) noexcept {
  return value.type() == decltype(value.type())::string;
}

/// The decoded content of the JSON string `value`: a view into the JSON text when it holds no escape,
/// else unescaped into `buffer` (a token_buffer, which parse_jws() sized for every string of the header);
/// buffer_too_small when the buffer has no room left.
template <class Value, class Buffer>
result<std::string_view> decoded_string(const Value& value, Buffer& buffer) noexcept {
  if (const std::optional<std::string_view> plain = value.plain_string()) return *plain;
  const std::size_t size = value.string_size();
  char* const at = buffer.reserve(size);
  if (at == nullptr) return errc::buffer_too_small;
  const result<std::size_t> written = value.write_string(at, size);
  if (!written) return written.error();
  return std::string_view(at, *written);
}

/// The checks of the protected header after its JSON was read (`Value`, `Object`: jwt::json_value and
/// jwt::json_object; `Buffer`: jwt::token_buffer), with error offsets in the decoded header text `text`
/// (parse_jws() maps them into the token).
template <class Value, class Object, class Buffer>
class header_reader {
 public:
  header_reader(std::string_view text, Buffer& buffer) noexcept : text_(text), buffer_(buffer) {}

  /// An error `code` at `value` in the header text.
  keyward::error at(errc code, const Value& value) const noexcept {
    return keyward::error(code, static_cast<std::size_t>(value.raw().data() - text_.data()));
  }

  /// The decoded name in the "alg" value `alg` (RFC 7515 section 4.1.1): jwt_missing_algorithm when absent
  /// or not a string, jwt_algorithm_none for "none" in any casing.
  result<std::string_view> algorithm_name(const std::optional<Value>& alg) const noexcept {
    if (!alg) return errc::jwt_missing_algorithm;
    if (!is_string(*alg)) return at(errc::jwt_missing_algorithm, *alg);
    const result<std::string_view> text = decoded_string(*alg, buffer_);
    if (!text) return text.error();
    if (is_none(*text)) return at(errc::jwt_algorithm_none, *alg);
    return *text;
  }

  /// The decoded string of an optional string parameter (kid, typ, cty): empty when absent,
  /// jwt_invalid_header when not a string.
  result<std::string_view> optional_string(const std::optional<Value>& value) const noexcept {
    if (!value) return std::string_view();
    if (!is_string(*value)) return at(errc::jwt_invalid_header, *value);
    return decoded_string(*value, buffer_);
  }

  /// RFC 7515 section 4.1.11 for the "crit" value `crit` of `header`: jwt_invalid_crit for a value that is
  /// not a non-empty array of strings, or an entry that is a name of RFC 7515, absent from the header or
  /// listed twice (at that entry); else jwt_unsupported_crit at the first entry, since keyward understands no
  /// extension (RFC 7797's "b64" included).
  result<void> check_crit(const Value& crit, const Object& header) const noexcept {
    const auto list = crit.array();
    if (!list || list->size() == 0) return at(errc::jwt_invalid_crit, crit);
    std::size_t index = 0;
    for (const Value& entry : *list) {
      if (!is_string(entry)) return at(errc::jwt_invalid_crit, entry);
      const result<std::string_view> name = decoded_string(entry, buffer_);
      if (!name || is_registered(*name) || !header.find(*name)) return at(errc::jwt_invalid_crit, entry);
      // Every earlier entry named a distinct member of the header, so this runs at most max_members times.
      std::size_t earlier_index = 0;
      for (const Value& earlier : *list) {
        if (earlier_index++ == index) break;
        if (earlier.string_equals(*name)) return at(errc::jwt_invalid_crit, entry);
      }
      ++index;
    }
    return at(errc::jwt_unsupported_crit, *list->begin());
  }

 private:
  std::string_view text_;
  Buffer& buffer_;
};

}  // namespace keyward::detail::jwt_jws

#endif  // KEYWARD_DETAIL_JWT_JWS_HPP
