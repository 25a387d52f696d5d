// keyward (private): the part of Structured Field Values for HTTP (RFC 9651) that the RateLimit and
// RateLimit-Policy fields need: a List parser that accepts every valid List (all bare item types, inner
// lists, parameters) and rejects every invalid one, reporting each member as views into the input, and
// the serialization of Strings and Integers on the counting writer, with their exact sizes. No allocation.
#ifndef KEYWARD_DETAIL_STRUCTURED_FIELDS_HPP
#define KEYWARD_DETAIL_STRUCTURED_FIELDS_HPP

#include "../error.hpp"
#include "arith.hpp"
#include "http_grammar.hpp"
#include "utf8.hpp"
#include "writer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace keyward::detail::structured_fields {

/// The largest magnitude of an Integer (RFC 9651 section 3.3.1: at most 15 decimal digits).
inline constexpr std::int64_t max_integer = 999'999'999'999'999;

/// The types of bare item (RFC 9651 section 3.3).
enum class item_type : std::uint8_t { integer, decimal, string, token, byte_sequence, boolean, date, display_string };

/// One bare item, as views into the parsed input.
struct bare_item {
  item_type type = item_type::boolean;
  /// string: the characters between the quotes, escapes still in place; token: the token; byte_sequence:
  /// the Base64 text between the colons; other types: the whole item as written.
  std::string_view text;
  std::int64_t integer = 0;  ///< the value of an integer or a date
};

/// One member of a List (RFC 9651 section 3.1).
struct member {
  bool inner_list = false;      ///< true for an Inner List, whose items are not reported
  bare_item item;               ///< the Item's bare item; meaningless for an inner list
  std::string_view parameters;  ///< the member's parameters as written, from the first ';'; empty for none
};

/// True for ALPHA.
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
/// True for DIGIT.
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
/// True for lcalpha.
constexpr bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }

/// True for the characters a String may hold unescaped: printable ASCII except '"' and '\'.
constexpr bool is_unescaped_string_char(char c) noexcept {
  return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

/// A parser over one field value, following the algorithms of RFC 9651 section 4.2 step by step. Every
/// parse_* function returns false on invalid input, leaving pos() at the offending byte.
class parser {
 public:
  constexpr explicit parser(std::string_view input) noexcept : in_(input) {}

  /// Where parsing stands (or failed).
  constexpr std::size_t pos() const noexcept { return pos_; }

  /// Section 4.2 with section 4.2.1: the whole input as a List, calling on_member(const member&) for each
  /// member in order.
  template <class OnMember>
  constexpr bool parse_list_field(OnMember&& on_member) {
    skip_sp();
    while (!at_end()) {
      member m;
      if (peek() == '(') {
        m.inner_list = true;
        if (!parse_inner_list(m.parameters)) return false;
      } else if (!parse_item(m.item, m.parameters)) {
        return false;
      }
      on_member(static_cast<const member&>(m));
      skip_ows();
      if (at_end()) return true;
      if (peek() != ',') return false;
      ++pos_;
      skip_ows();
      if (at_end()) return false;  // a trailing comma
    }
    return true;  // an empty list (the final "discard SP, then nothing may remain" step is met too)
  }

  /// Section 4.2.3.2: parameters, if any, with `parameters` set to their text. Keys are not collected here:
  /// find_parameter() looks them up afterwards, last occurrence winning as step 2.7 says.
  constexpr bool parse_parameters(std::string_view& parameters) {
    const std::size_t start = pos_;
    while (!at_end() && peek() == ';') {
      ++pos_;
      skip_sp();
      std::string_view key;
      if (!parse_key(key)) return false;
      if (!at_end() && peek() == '=') {
        ++pos_;
        bare_item value;
        if (!parse_bare_item(value)) return false;
      }
    }
    parameters = in_.substr(start, pos_ - start);
    return true;
  }

  /// Section 4.2.3.3.
  constexpr bool parse_key(std::string_view& key) {
    const std::size_t start = pos_;
    if (at_end() || !(is_lcalpha(peek()) || peek() == '*')) return false;
    while (!at_end()) {
      const char c = peek();
      if (!(is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*')) break;
      ++pos_;
    }
    key = in_.substr(start, pos_ - start);
    return true;
  }

  /// Section 4.2.3.1.
  constexpr bool parse_bare_item(bare_item& item) {
    if (at_end()) return false;
    const char c = peek();
    if (c == '-' || is_digit(c)) return parse_number(item);
    if (c == '"') return parse_string(item);
    if (is_alpha(c) || c == '*') return parse_token(item);
    if (c == ':') return parse_byte_sequence(item);
    if (c == '?') return parse_boolean(item);
    if (c == '@') return parse_date(item);
    if (c == '%') return parse_display_string(item);
    return false;
  }

 private:
  constexpr bool at_end() const noexcept { return pos_ >= in_.size(); }
  constexpr char peek() const noexcept { return in_[pos_]; }
  constexpr void skip_sp() noexcept {
    while (!at_end() && peek() == ' ') ++pos_;
  }
  constexpr void skip_ows() noexcept {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }

  // Section 4.2.1.2; the items inside are checked, not reported.
  constexpr bool parse_inner_list(std::string_view& parameters) {
    ++pos_;  // '('
    while (!at_end()) {
      skip_sp();
      if (at_end()) break;
      if (peek() == ')') {
        ++pos_;
        return parse_parameters(parameters);
      }
      bare_item item;
      std::string_view item_parameters;
      if (!parse_item(item, item_parameters)) return false;
      if (at_end()) break;
      if (peek() != ' ' && peek() != ')') return false;
    }
    return false;  // no closing parenthesis
  }

  // Section 4.2.3.
  constexpr bool parse_item(bare_item& item, std::string_view& parameters) {
    return parse_bare_item(item) && parse_parameters(parameters);
  }

  // Section 4.2.4.
  constexpr bool parse_number(bare_item& item) {
    const std::size_t start = pos_;
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (at_end() || !is_digit(peek())) return false;
    bool decimal = false;
    std::size_t digits = 0;           // characters of input_number, the '.' included
    std::size_t fraction_digits = 0;  // after the '.'
    std::int64_t value = 0;
    // Each limit is checked before the character that would break it is consumed, so that pos() names it.
    while (!at_end()) {
      const char c = peek();
      if (is_digit(c)) {
        if (!decimal && digits == 15) return false;  // step 5.5
        if (decimal && fraction_digits == 3) return false;  // step 7.2 (and so step 5.6, with step 5.3.1)
        ++pos_;
        ++digits;
        if (decimal) ++fraction_digits;
        else value = value * 10 + (c - '0');  // at most 15 digits: no overflow
      } else if (!decimal && c == '.') {
        if (digits > 12) return false;  // step 5.3.1
        ++pos_;
        ++digits;
        decimal = true;
      } else {
        break;
      }
    }
    if (decimal) {
      if (fraction_digits == 0) {  // step 7.1: ends with '.'
        --pos_;
        return false;
      }
      item.type = item_type::decimal;
    } else {
      item.type = item_type::integer;
      item.integer = negative ? -value : value;
    }
    item.text = in_.substr(start, pos_ - start);
    return true;
  }

  // Section 4.2.5.
  constexpr bool parse_string(bare_item& item) {
    ++pos_;  // DQUOTE
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = peek();
      if (c == '\\') {
        ++pos_;
        if (at_end()) return false;
        if (peek() != '"' && peek() != '\\') return false;
        ++pos_;
      } else if (c == '"') {
        item.type = item_type::string;
        item.text = in_.substr(start, pos_ - start);
        ++pos_;
        return true;
      } else if (!is_unescaped_string_char(c)) {
        return false;
      } else {
        ++pos_;
      }
    }
    return false;  // no closing quote
  }

  // Section 4.2.6.
  constexpr bool parse_token(bare_item& item) {
    const std::size_t start = pos_;
    ++pos_;  // ALPHA or '*', checked by the caller
    while (!at_end() && (http_grammar::is(peek(), http_grammar::tchar) || peek() == ':' || peek() == '/')) ++pos_;
    item.type = item_type::token;
    item.text = in_.substr(start, pos_ - start);
    return true;
  }

  // Section 4.2.7. Missing '=' padding and non-zero pad bits are accepted, as the section recommends;
  // Base64 that no decoder could decode (misplaced '=', a lone final character, wrong padding) is not.
  constexpr bool parse_byte_sequence(bare_item& item) {
    ++pos_;  // ':'
    const std::size_t start = pos_;
    std::size_t data = 0;
    std::size_t pad = 0;
    while (!at_end() && peek() != ':') {
      const char c = peek();
      if (c == '=') {
        ++pad;
      } else if (is_alpha(c) || is_digit(c) || c == '+' || c == '/') {
        if (pad != 0) return false;  // '=' before data
        ++data;
      } else {
        return false;
      }
      ++pos_;
    }
    if (at_end()) return false;  // no closing ':'
    if (data % 4 == 1 || pad > 2 || (pad != 0 && (data + pad) % 4 != 0)) return false;
    item.type = item_type::byte_sequence;
    item.text = in_.substr(start, pos_ - start);
    ++pos_;
    return true;
  }

  // Section 4.2.8.
  constexpr bool parse_boolean(bare_item& item) {
    ++pos_;  // '?'
    if (at_end() || (peek() != '0' && peek() != '1')) return false;
    item.type = item_type::boolean;
    item.text = in_.substr(pos_ - 1, 2);
    ++pos_;
    return true;
  }

  // Section 4.2.9.
  constexpr bool parse_date(bare_item& item) {
    const std::size_t start = pos_;
    ++pos_;  // '@'
    if (at_end() || !parse_number(item)) return false;
    if (item.type != item_type::integer) {  // step 4: the '.' is where an Integer cannot go on
      pos_ = start + item.text.find('.') + 1;
      return false;
    }
    item.type = item_type::date;
    item.text = in_.substr(start, pos_ - start);
    return true;
  }

  // Section 4.2.10, with the UTF-8 check (RFC 3629 section 4) done on the decoded bytes as they come.
  constexpr bool parse_display_string(bare_item& item) {
    const std::size_t start = pos_;
    ++pos_;  // '%'
    if (at_end() || peek() != '"') return false;
    ++pos_;
    utf8::checker decoded;
    while (!at_end()) {
      const char c = peek();
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte > 0x7e) return false;
      if (c == '%') {
        ++pos_;
        int octet = 0;
        for (int digit = 0; digit < 2; ++digit, ++pos_) {
          const int value = at_end() ? -1 : lower_hex(peek());
          if (value < 0) return false;
          octet = octet * 16 + value;
        }
        if (!decoded.next(static_cast<unsigned char>(octet))) {
          pos_ -= 3;  // the '%' of the octet that breaks UTF-8
          return false;
        }
      } else if (c == '"') {
        if (!decoded.complete()) return false;
        ++pos_;
        item.type = item_type::display_string;
        item.text = in_.substr(start, pos_ - start);
        return true;
      } else {
        if (!decoded.next(byte)) return false;
        ++pos_;
      }
    }
    return false;  // no closing quote
  }

  static constexpr int lower_hex(char c) noexcept {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

/// The value of the last parameter named `key` in `parameters` (the text of member::parameters, already
/// validated), or nothing when `key` is absent. The last occurrence wins (RFC 9651 section 4.2.3.2, step
/// 2.7: a repeated key overwrites the value); a key without a value is the boolean true.
constexpr std::optional<bare_item> find_parameter(std::string_view parameters, std::string_view key) noexcept {
  std::optional<bare_item> found;
  std::size_t at = 0;  // at a ';'
  while (at < parameters.size()) {
    std::size_t next = at + 1;
    while (next < parameters.size() && parameters[next] == ' ') ++next;
    parser key_parser(parameters.substr(next));
    std::string_view this_key;
    if (!key_parser.parse_key(this_key)) return found;  // not reached for validated parameters
    next += key_parser.pos();
    bare_item value;  // a Boolean (true) unless a value follows
    if (next < parameters.size() && parameters[next] == '=') {
      ++next;
      parser value_parser(parameters.substr(next));
      if (!value_parser.parse_bare_item(value)) return found;  // not reached for validated parameters
      next += value_parser.pos();
    }
    if (this_key == key) found = value;
    at = next;
  }
  return found;
}

/// Writes `text` as a String (RFC 9651 section 4.1.6): quoted, '"' and '\' escaped.
/// errc::rate_header_invalid_string for a byte outside printable ASCII.
inline result<void> put_string(writer::counting_writer& w, std::string_view text) noexcept {
  w.put('"');
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return errc::rate_header_invalid_string;
    if (c == '"' || c == '\\') w.put('\\');
    w.put(c);
  }
  w.put('"');
  return {};
}

/// The bytes put_string() writes for a valid `text`: the quotes, the text and one backslash per escape.
constexpr std::size_t string_size(std::string_view text) noexcept {
  std::size_t size = arith::add_saturated(text.size(), 2);
  for (const char c : text) {
    if (c == '"' || c == '\\') size = arith::add_saturated(size, 1);
  }
  return size;
}

/// Writes a non-negative Integer (RFC 9651 section 4.1.4). errc::rate_header_value_out_of_range above
/// max_integer (15 digits).
inline result<void> put_integer(writer::counting_writer& w, std::uint64_t value) noexcept {
  if (value > static_cast<std::uint64_t>(max_integer)) return errc::rate_header_value_out_of_range;
  w.put_decimal(value);
  return {};
}

}  // namespace keyward::detail::structured_fields

#endif  // KEYWARD_DETAIL_STRUCTURED_FIELDS_HPP
