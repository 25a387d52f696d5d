// keyward: private JSON output for the error bodies of http/denial.hpp: string escaping per RFC 8259 section 7
// into the library's counting writer, which always yields valid JSON (ill-formed UTF-8 is replaced by U+FFFD,
// one per maximal subpart, Unicode Standard section 3.9).
#ifndef KEYWARD_DETAIL_JSON_HPP
#define KEYWARD_DETAIL_JSON_HPP

#include "utf8.hpp"
#include "writer.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace keyward::detail::json {

/// The length of the maximal subpart of an ill-formed UTF-8 sequence at the start of `bytes[0, size)` (Unicode
/// Standard section 3.9, definition D93b): the longest prefix that some well-formed sequence starts with, or
/// 1 when the first byte starts none. Only meaningful where utf8::sequence_length() gave 0.
inline std::size_t maximal_subpart(const unsigned char* bytes, std::size_t size) noexcept {
  if (bytes[0] < 0xC2 || bytes[0] > 0xF4) return 1;
  const std::size_t length = bytes[0] <= 0xDF ? 2 : bytes[0] <= 0xEF ? 3 : 4;
  // A prefix of k bytes is valid when completing it with 0x80 (allowed in every position after the second)
  // gives a well-formed sequence.
  std::size_t valid = 1;
  for (std::size_t k = 2; k < length && k <= size; ++k) {
    unsigned char completed[4] = {0x80, 0x80, 0x80, 0x80};
    for (std::size_t i = 0; i < k; ++i) completed[i] = bytes[i];
    if (utf8::sequence_length(completed, length) == 0) break;
    valid = k;
  }
  return valid;
}

/// Puts the UTF-8 sequence that starts at `text[i]` (a byte above 0x7F): as it is when well-formed, else
/// U+FFFD for its maximal subpart. Returns the index past what it consumed.
inline std::size_t put_utf8_sequence(writer::counting_writer& out, std::string_view text, std::size_t i) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data()) + i;
  const std::size_t length = utf8::sequence_length(bytes, text.size() - i);
  if (length != 0) {
    out.put(text.substr(i, length));
    return i + length;
  }
  out.put("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
  return i + maximal_subpart(bytes, text.size() - i);
}

/// `text` as put_string() writes its characters: each maximal subpart of ill-formed UTF-8 replaced by
/// U+FFFD, every other byte kept (nothing escaped). Two texts give the same JSON string exactly when they
/// give the same result here.
inline std::string replace_ill_formed(std::string text) {
  if (utf8::valid(reinterpret_cast<const unsigned char*>(text.data()), text.size())) return text;
  return *writer::write_string([&](writer::counting_writer& out) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
      if (static_cast<unsigned char>(text[i]) < 0x80) {
        out.put(text[i++]);
      } else {
        i = put_utf8_sequence(out, text, i);
      }
    }
  });
}

/// Puts `text` as a JSON string (RFC 8259 section 7): quoted; '"' and '\' escaped; the control characters
/// U+0000 to U+001F as \b \t \n \f \r or \u00XX; well-formed UTF-8 kept; each maximal subpart of ill-formed
/// UTF-8 replaced by U+FFFD.
inline void put_string(writer::counting_writer& out, std::string_view text) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  out.put('"');
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t plain_end = i;  // a run of bytes copied as they are
    while (plain_end < text.size() && bytes[plain_end] >= 0x20 && bytes[plain_end] < 0x80 &&
           bytes[plain_end] != '"' && bytes[plain_end] != '\\') {
      ++plain_end;
    }
    if (plain_end > i) {
      out.put(text.substr(i, plain_end - i));
      i = plain_end;
      continue;
    }
    const unsigned char c = bytes[i];
    if (c >= 0x80) {
      i = put_utf8_sequence(out, text, i);
      continue;
    }
    ++i;
    if (c == '"' || c == '\\') {
      out.put('\\');
      out.put(static_cast<char>(c));
    } else if (c == '\b') {
      out.put("\\b");
    } else if (c == '\t') {
      out.put("\\t");
    } else if (c == '\n') {
      out.put("\\n");
    } else if (c == '\f') {
      out.put("\\f");
    } else if (c == '\r') {
      out.put("\\r");
    } else {
      out.put("\\u00");
      out.put(hex[c >> 4]);
      out.put(hex[c & 15]);
    }
  }
  out.put('"');
}

}  // namespace keyward::detail::json

#endif  // KEYWARD_DETAIL_JSON_HPP
