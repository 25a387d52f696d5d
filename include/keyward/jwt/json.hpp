// keyward: a small strict JSON reader (RFC 8259) for JWT headers and claims (RFC 7515 section 4, RFC 7519
// section 4). parse_json() validates the whole text once, allocating nothing; the json_value, json_object and
// json_array views it returns point into the caller's text (which must outlive them) and read it again on
// demand, so looking up a member walks the object.
//
// Exactly RFC 8259, with these choices for hostile tokens (RFC 8725 sections 2.6 and 3.7, RFC 8259 section 9):
// - duplicate member names reject, compared after unescaping: {"a":1,"\u0061":2} rejects (section 4 only says
//   names SHOULD be unique; RFC 7515 section 4 and RFC 7519 section 4 let a parser reject them or keep the
//   last, and keeping one hides the other from a reader that keeps the first);
// - an escaped lone surrogate (\uD800 not followed by an escaped low surrogate, or a lone \uDC00) rejects as
//   jwt_json_syntax: section 8.2 allows it, but it cannot be UTF-8, so only a hostile token has one;
// - a byte order mark rejects (section 8.1 lets a parser ignore one; a JWT never has one);
// - nesting depth, members per object and elements per array are limited (json_limits, section 9);
// - ill-formed UTF-8 rejects everywhere (section 8.1), as in detail/utf8.hpp (no surrogates, no overlong
//   forms, nothing above U+10FFFF). \u0000 is allowed (section 7): a decoded string may hold NUL.
/// \file
/// The strict JSON reader (RFC 8259) for JWT headers and claims.
#ifndef KEYWARD_JWT_JSON_HPP
#define KEYWARD_JWT_JSON_HPP

#include "../detail/jwt_json.hpp"
#include "../error.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::jwt {

/// Limits on what parse_json() accepts (RFC 8259 section 9 lets a parser set them). Exceeding one fails with
/// jwt_json_too_deep or jwt_json_too_many_members at the offending byte.
struct json_limits {
  std::size_t max_depth = 16;     ///< nesting of arrays and objects; a top-level array or object is depth 1
  std::size_t max_members = 64;   ///< members of one object
  std::size_t max_elements = 256; ///< elements of one array
};

/// The six kinds of JSON value (RFC 8259 section 3).
enum class json_type : std::uint8_t { null, boolean, number, string, array, object };

class json_object;
class json_array;

/// A view of one value inside JSON text that parse_json() validated: a pointer and a size, cheap to copy. The
/// text must outlive it. A default-constructed json_value is `null`.
class json_value {
 public:
  /// A view of the literal `null`.
  constexpr json_value() noexcept = default;

  /// The kind of value, from its first byte.
  constexpr json_type type() const noexcept {
    switch (raw_[0]) {
      case '{': return json_type::object;
      case '[': return json_type::array;
      case '"': return json_type::string;
      case 't':
      case 'f': return json_type::boolean;
      case 'n': return json_type::null;
      default: return json_type::number;
    }
  }
  /// The exact JSON text of the value, quotes and escapes included.
  constexpr std::string_view raw() const noexcept { return raw_; }
  /// True for `null`.
  constexpr bool is_null() const noexcept { return raw_[0] == 'n'; }

  /// True when the value is a string whose decoded content (RFC 8259 section 7) equals the bytes `utf8`;
  /// false when it differs or the value is not a string. Allocates nothing.
  constexpr bool string_equals(std::string_view utf8) const noexcept {
    return type() == json_type::string && detail::jwt_json::content_equals(content_begin(), content_end(), utf8);
  }
  /// The content of a string that holds no escape, as a view into the text (already its decoded value);
  /// nullopt when the string has an escape (read it with write_string() or string()) or the value is not a
  /// string.
  constexpr std::optional<std::string_view> plain_string() const noexcept {
    if (type() != json_type::string) return std::nullopt;
    const std::string_view content = raw_.substr(1, raw_.size() - 2);
    if (content.find('\\') != std::string_view::npos) return std::nullopt;
    return content;
  }
  /// The size of the decoded string in UTF-8; 0 when the value is not a string.
  constexpr std::size_t string_size() const noexcept {
    return type() == json_type::string ? detail::jwt_json::decoded_size(content_begin(), content_end()) : 0;
  }
  /// Writes the decoded string (UTF-8, escapes resolved, RFC 8259 section 7) into `out[0, capacity)` and
  /// returns its size (string_size()). jwt_json_wrong_type when the value is not a string, buffer_too_small
  /// when it does not fit; nothing is written on error. Allocates nothing.
  result<std::size_t> write_string(char* out, std::size_t capacity) const noexcept {
    if (type() != json_type::string) return errc::jwt_json_wrong_type;
    const std::size_t size = string_size();
    if (size > capacity) return errc::buffer_too_small;
    detail::jwt_json::decode_into(content_begin(), content_end(), out);
    return size;
  }
  /// The decoded string; jwt_json_wrong_type when the value is not a string.
  result<std::string> string() const {
    if (type() != json_type::string) return errc::jwt_json_wrong_type;
    std::string decoded(string_size(), '\0');
    detail::jwt_json::decode_into(content_begin(), content_end(), decoded.data());
    return decoded;
  }

  /// The value of `true` or `false`; jwt_json_wrong_type for any other value.
  constexpr result<bool> boolean() const noexcept {
    if (type() != json_type::boolean) return errc::jwt_json_wrong_type;
    return raw_[0] == 't';
  }
  /// The exact value of a number that is an integer (RFC 8259 section 6), read from its decimal text without
  /// rounding: 1e3, 10.0 and -0 are integers. jwt_json_wrong_type when the value is not a number;
  /// jwt_json_number_out_of_range when it has a non-zero fraction (1.5, 1E-400) or lies outside int64.
  constexpr result<std::int64_t> integer() const noexcept {
    if (type() != json_type::number) return errc::jwt_json_wrong_type;
    return detail::jwt_json::to_int64(raw_, false);
  }
  /// The largest integer not above the number, computed exactly from its decimal text (1.9 -> 1, -0.5 -> -1,
  /// 1e2 -> 100, 1E-400 -> 0), as RFC 7519 section 2 NumericDate readers need. jwt_json_wrong_type when the
  /// value is not a number; jwt_json_number_out_of_range when the result lies outside int64 (1e400).
  constexpr result<std::int64_t> floor_integer() const noexcept {
    if (type() != json_type::number) return errc::jwt_json_wrong_type;
    return detail::jwt_json::to_int64(raw_, true);
  }
  /// The value as an object view; jwt_json_wrong_type when it is not an object.
  constexpr result<json_object> object() const noexcept;
  /// The value as an array view; jwt_json_wrong_type when it is not an array.
  constexpr result<json_array> array() const noexcept;

 private:
  friend class json_object;
  friend class json_array;
  friend result<json_value> parse_json(std::string_view, const json_limits&) noexcept;

  constexpr explicit json_value(std::string_view raw) noexcept : raw_(raw) {}
  constexpr const char* content_begin() const noexcept { return raw_.data() + 1; }
  constexpr const char* content_end() const noexcept { return raw_.data() + raw_.size() - 1; }

  std::string_view raw_ = "null";
};

/// One member of an object: its name (a string json_value) and its value.
struct json_member {
  json_value name;   ///< the member name, a string (compare it with string_equals())
  json_value value;  ///< the member value
};

/// A view of an object inside validated JSON text (RFC 8259 section 4): member names are unique (checked by
/// parse_json()). A default-constructed json_object is the empty object `{}`.
class json_object {
 public:
  /// Forward iteration over the members in document order; each step walks past one value.
  class const_iterator {
   public:
    /// The iterator's std::iterator_traits: an input iterator over const values.
    ///@{
    using iterator_category = std::input_iterator_tag;
    using value_type = json_member;
    using difference_type = std::ptrdiff_t;
    using pointer = const json_member*;
    using reference = const json_member&;
    ///@}

    /// The current member.
    ///@{
    constexpr const json_member& operator*() const noexcept { return member_; }
    constexpr const json_member* operator->() const noexcept { return &member_; }
    ///@}
    /// Moves to the next member (the postfix form returns the iterator from before the move).
    ///@{
    const_iterator& operator++() noexcept {
      at_ = detail::jwt_json::next_item(member_.value.raw().data() + member_.value.raw().size());
      load();
      return *this;
    }
    const_iterator operator++(int) noexcept {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    ///@}
    /// Iterators are equal when they are at the same place of the same object.
    ///@{
    friend constexpr bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
      return a.at_ == b.at_;
    }
    friend constexpr bool operator!=(const const_iterator& a, const const_iterator& b) noexcept {
      return a.at_ != b.at_;
    }
    ///@}

   private:
    friend class json_object;
    const_iterator(const char* at, const char* close) noexcept : at_(at), close_(close) { load(); }
    void load() noexcept {
      if (at_ == close_) return;
      const char* name_end = detail::jwt_json::string_end(at_, close_);
      const char* value = detail::jwt_json::member_value(name_end);
      member_.name = json_value(std::string_view(at_, static_cast<std::size_t>(name_end - at_)));
      member_.value = json_value(
          std::string_view(value, static_cast<std::size_t>(detail::jwt_json::skip_value(value, close_) - value)));
    }

    const char* at_;     // the member's opening quote, or the object's closing '}'
    const char* close_;  // the object's closing '}'
    json_member member_;
  };

  /// A view of `{}`.
  constexpr json_object() noexcept = default;

  /// The first member.
  const_iterator begin() const noexcept { return const_iterator(detail::jwt_json::skip_ws(raw_.data() + 1), close()); }
  /// Past the last member.
  const_iterator end() const noexcept { return const_iterator(close(), close()); }

  /// The value of the member whose decoded name equals the bytes `name`; nullopt when there is none. Walks
  /// the object; allocates nothing.
  std::optional<json_value> find(std::string_view name) const noexcept {
    for (const char* p = detail::jwt_json::skip_ws(raw_.data() + 1); p != close();) {
      const char* name_end = detail::jwt_json::string_end(p, close());
      const char* value = detail::jwt_json::member_value(name_end);
      const char* value_end = detail::jwt_json::skip_value(value, close());
      if (detail::jwt_json::content_equals(p + 1, name_end - 1, name)) {
        return json_value(std::string_view(value, static_cast<std::size_t>(value_end - value)));
      }
      p = detail::jwt_json::next_item(value_end);
    }
    return std::nullopt;
  }
  /// The number of members (walks the object).
  std::size_t size() const noexcept {
    std::size_t count = 0;
    for (auto it = begin(), stop = end(); it != stop; ++it) ++count;
    return count;
  }
  /// True when the object has no member.
  constexpr bool empty() const noexcept { return *detail::jwt_json::skip_ws(raw_.data() + 1) == '}'; }
  /// The exact JSON text of the object, braces included.
  constexpr std::string_view raw() const noexcept { return raw_; }

 private:
  friend class json_value;
  friend result<json_object> parse_json_object(std::string_view, const json_limits&) noexcept;
  constexpr explicit json_object(std::string_view raw) noexcept : raw_(raw) {}
  constexpr const char* close() const noexcept { return raw_.data() + raw_.size() - 1; }

  std::string_view raw_ = "{}";
};

/// A view of an array inside validated JSON text (RFC 8259 section 5). A default-constructed json_array is
/// the empty array `[]`.
class json_array {
 public:
  /// Forward iteration over the elements in document order; each step walks past one value.
  class const_iterator {
   public:
    /// The iterator's std::iterator_traits: an input iterator over const values.
    ///@{
    using iterator_category = std::input_iterator_tag;
    using value_type = json_value;
    using difference_type = std::ptrdiff_t;
    using pointer = const json_value*;
    using reference = const json_value&;
    ///@}

    /// The current element.
    ///@{
    constexpr const json_value& operator*() const noexcept { return value_; }
    constexpr const json_value* operator->() const noexcept { return &value_; }
    ///@}
    /// Moves to the next element (the postfix form returns the iterator from before the move).
    ///@{
    const_iterator& operator++() noexcept {
      at_ = detail::jwt_json::next_item(at_ + value_.raw().size());
      load();
      return *this;
    }
    const_iterator operator++(int) noexcept {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    ///@}
    /// Iterators are equal when they are at the same place of the same array.
    ///@{
    friend constexpr bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
      return a.at_ == b.at_;
    }
    friend constexpr bool operator!=(const const_iterator& a, const const_iterator& b) noexcept {
      return a.at_ != b.at_;
    }
    ///@}

   private:
    friend class json_array;
    const_iterator(const char* at, const char* close) noexcept : at_(at), close_(close) { load(); }
    void load() noexcept {
      if (at_ == close_) return;
      value_ = json_value(
          std::string_view(at_, static_cast<std::size_t>(detail::jwt_json::skip_value(at_, close_) - at_)));
    }

    const char* at_;     // the element's first byte, or the array's closing ']'
    const char* close_;  // the array's closing ']'
    json_value value_;
  };

  /// A view of `[]`.
  constexpr json_array() noexcept = default;

  /// The first element.
  const_iterator begin() const noexcept { return const_iterator(detail::jwt_json::skip_ws(raw_.data() + 1), close()); }
  /// Past the last element.
  const_iterator end() const noexcept { return const_iterator(close(), close()); }
  /// The number of elements (walks the array).
  std::size_t size() const noexcept {
    std::size_t count = 0;
    for (auto it = begin(), stop = end(); it != stop; ++it) ++count;
    return count;
  }
  /// True when the array has no element.
  constexpr bool empty() const noexcept { return *detail::jwt_json::skip_ws(raw_.data() + 1) == ']'; }
  /// The exact JSON text of the array, brackets included.
  constexpr std::string_view raw() const noexcept { return raw_; }

 private:
  friend class json_value;
  constexpr explicit json_array(std::string_view raw) noexcept : raw_(raw) {}
  constexpr const char* close() const noexcept { return raw_.data() + raw_.size() - 1; }

  std::string_view raw_ = "[]";
};

constexpr result<json_object> json_value::object() const noexcept {
  if (type() != json_type::object) return errc::jwt_json_wrong_type;
  return json_object(raw_);
}

constexpr result<json_array> json_value::array() const noexcept {
  if (type() != json_type::array) return errc::jwt_json_wrong_type;
  return json_array(raw_);
}

/// Validates `text` as JSON (RFC 8259 section 2: exactly one value with optional whitespace around it) under
/// `limits` and the rules in this header's comment, and returns a view of the value. Fails with
/// jwt_json_syntax (also for a lone surrogate escape, a control character in a string, a byte order mark,
/// or bytes after the value), jwt_json_invalid_utf8, jwt_json_too_deep, jwt_json_too_many_members (objects
/// and arrays) or jwt_json_duplicate_member (at the second name's opening quote), each with its byte offset
/// in `text`: a syntax error at the first byte that cannot continue the text (text.size() when it ends too
/// soon; a bad escape at the byte after '', a lone surrogate at its ''), ill-formed UTF-8 at the first byte
/// of the sequence, a limit at the bracket or member that exceeds it. Allocates nothing; recursion is bounded
/// by limits.max_depth (about 6 KiB of stack, plus a few hundred bytes per level of nesting).
inline result<json_value> parse_json(std::string_view text, const json_limits& limits = {}) noexcept {
  detail::jwt_json::parser reader(text, {limits.max_depth, limits.max_members, limits.max_elements});
  if (const result<void> valid = reader.run(); !valid) return valid.error();
  return json_value(text.substr(reader.value_begin, reader.value_end - reader.value_begin));
}

/// Like parse_json(), for text that must be an object (a JOSE header, RFC 7515 section 4; a JWT Claims Set,
/// RFC 7519 section 4): jwt_json_not_object (offset of the value) when it is valid JSON of another type.
inline result<json_object> parse_json_object(std::string_view text, const json_limits& limits = {}) noexcept {
  const result<json_value> value = parse_json(text, limits);
  if (!value) return value.error();
  if (value->type() != json_type::object) {
    return keyward::error(errc::jwt_json_not_object, static_cast<std::size_t>(value->raw().data() - text.data()));
  }
  return json_object(value->raw());
}

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_JSON_HPP
