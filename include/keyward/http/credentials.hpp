// keyward: the generic credentials grammar of RFC 9110 section 11.4, for Authorization and
// Proxy-Authorization field values (`auth-scheme [ 1*SP ( token68 / #auth-param ) ]`). Parsing returns views
// into the input and allocates nothing.
/// \file
/// The generic credentials grammar of Authorization values (RFC 9110 section 11.4): parse_credentials.
#ifndef KEYWARD_HTTP_CREDENTIALS_HPP
#define KEYWARD_HTTP_CREDENTIALS_HPP

#include "../detail/http_grammar.hpp"
#include "../error.hpp"

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

/// HTTP authentication, independent of any transport: Authorization and WWW-Authenticate parsing and
/// writing (RFC 9110 section 11, Basic RFC 7617, Bearer RFC 6750), HTTP dates and Retry-After, the
/// denial (status, challenge, JSON body) for every refusal, and the client's reading of a response.
namespace keyward::http {

/// Limits on what the parsers accept, with safe defaults. A value over a limit is rejected, never truncated.
struct limits {
  /// The most auth-params of one credentials value or one challenge that any setting of max_parameters
  /// allows: the duplicate-name check keeps the names of a list on the stack, so that it allocates nothing
  /// and takes at most n log n steps for n names.
  static constexpr std::size_t max_parameters_ceiling = detail::http_grammar::max_parameters_ceiling;
  /// The most challenges of one WWW-Authenticate value that any setting of max_challenges allows: the list
  /// parse_challenges returns records where each challenge starts, so that reading it scans nothing again.
  static constexpr std::size_t max_challenges_ceiling = detail::http_grammar::max_challenges_ceiling;

  std::size_t max_length = 8192;     ///< the longest field value, in bytes (http_too_long)
  /// The most auth-params per credentials or challenge (http_too_many_parameters); a setting above
  /// max_parameters_ceiling acts as max_parameters_ceiling.
  std::size_t max_parameters = 32;
  /// The most challenges in one WWW-Authenticate value (http_too_many_challenges); a setting above
  /// max_challenges_ceiling acts as max_challenges_ceiling.
  std::size_t max_challenges = 16;
};

/// One auth-param (RFC 9110 section 11.2): a name and a value that was a token or a quoted-string. Views
/// into the parsed field value.
class auth_param {
 public:
  /// An empty parameter (no name, no value).
  constexpr auth_param() noexcept = default;
  /// The parameter `name` with `value` as raw_value() returns it, `quoted` when it was a quoted-string.
  /// Checks nothing: the parsers build these from input they have validated.
  constexpr auth_param(std::string_view name, std::string_view value, bool quoted) noexcept
      : name_(name), value_(value), quoted_(quoted) {}

  /// The parameter name as sent; compare it with name_is(), names are case-insensitive.
  constexpr std::string_view name() const noexcept { return name_; }
  /// True when the name equals `name`, ignoring ASCII case.
  constexpr bool name_is(std::string_view name) const noexcept { return detail::http_grammar::iequal(name_, name); }
  /// The value as sent: the token, or the quoted-string's content without its quotes, quoted-pairs intact.
  constexpr std::string_view raw_value() const noexcept { return value_; }
  /// True when the value was a quoted-string.
  constexpr bool quoted() const noexcept { return quoted_; }
  /// The size of the value once quoted-pairs are resolved (RFC 9110 section 5.6.4).
  constexpr std::size_t value_size() const noexcept {
    return quoted_ ? detail::http_grammar::unescaped_size(value_) : value_.size();
  }
  /// Writes the value with its quoted-pairs resolved to `out` and returns its size; buffer_too_small when
  /// `capacity` is less than value_size() (nothing is written then).
  constexpr result<std::size_t> value(char* out, std::size_t capacity) const noexcept {
    const std::size_t size = value_size();
    if (size > capacity) return errc::buffer_too_small;
    if (quoted_) {
      detail::http_grammar::unescape_into(value_, out);
    } else {
      for (std::size_t i = 0; i < size; ++i) out[i] = value_[i];
    }
    return size;
  }
  /// The value with its quoted-pairs resolved, as a string.
  std::string value() const {
    std::string text(value_size(), '\0');
    if (!text.empty()) static_cast<void>(value(&text[0], text.size()));
    return text;
  }

 private:
  std::string_view name_;
  std::string_view value_;
  bool quoted_ = false;
};

}  // namespace keyward::http

namespace keyward::http {

/// The auth-params of a parsed credentials or challenge value, in order: a range of auth_param that reads
/// them from the (already validated) input on demand; it can be iterated any number of times.
class auth_params {
 public:
  /// Iterates over the parameters, reading each from the list as it comes; dereferencing gives an auth_param
  /// by value (it holds two views into the field value), so a parameter outlives the iterator that produced
  /// it.
  class iterator {
   public:
    /// The iterator's std::iterator_traits: an input iterator whose elements are given by value.
    ///@{
    using iterator_category = std::input_iterator_tag;
    using value_type = auth_param;
    using difference_type = std::ptrdiff_t;
    using pointer = const auth_param*;
    using reference = auth_param;
    ///@}

    constexpr iterator() noexcept = default;

    /// The current parameter.
    ///@{
    constexpr auth_param operator*() const noexcept { return current_; }
    constexpr pointer operator->() const noexcept { return &current_; }
    ///@}
    /// Moves to the next parameter (the postfix form returns the iterator from before the move).
    ///@{
    constexpr iterator& operator++() noexcept {
      load(next_);
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    ///@}
    /// Two iterators over the same list are equal when they stand at the same position.
    ///@{
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_;
    }
    friend constexpr bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }
    ///@}

   private:
    friend class auth_params;
    // The first parameter at or after `position` of `list` (the end at list.size()).
    constexpr iterator(std::string_view list, std::size_t position) noexcept : list_(list) { load(position); }

    constexpr void load(std::size_t position) noexcept {
      position_ = detail::http_grammar::skip_list_separators(list_, position);
      if (position_ >= list_.size()) {
        position_ = list_.size();
        return;
      }
      detail::http_grammar::raw_param raw;
      next_ = detail::http_grammar::read_param(list_, position_, raw);
      current_ = auth_param(raw.name, raw.value, raw.quoted);
    }

    std::string_view list_;
    std::size_t position_ = 0;
    std::size_t next_ = 0;
    auth_param current_{};
  };

  constexpr auth_params() noexcept = default;
  /// The parameters of `list`, which must already be a valid `#auth-param` list holding `count` of them.
  constexpr auth_params(std::string_view list, std::size_t count) noexcept : list_(list), count_(count) {}

  /// The first parameter.
  constexpr iterator begin() const noexcept { return iterator(list_, 0); }
  /// Past the last parameter.
  constexpr iterator end() const noexcept { return iterator(list_, list_.size()); }
  /// The number of parameters.
  constexpr std::size_t size() const noexcept { return count_; }
  /// True when there is no parameter.
  constexpr bool empty() const noexcept { return count_ == 0; }
  /// The parameter named `name` (ASCII case-insensitive), or nullopt.
  constexpr std::optional<auth_param> find(std::string_view name) const noexcept {
    for (const auth_param& param : *this) {
      if (param.name_is(name)) return param;
    }
    return std::nullopt;
  }
  /// The parameter list as it appears in the input.
  constexpr std::string_view text() const noexcept { return list_; }

 private:
  std::string_view list_;
  std::size_t count_ = 0;
};

/// A parsed credentials value: the scheme and either a token68 or auth-params (or neither). Views into the
/// parsed field value, which must outlive it.
struct credentials {
  std::string_view scheme;   ///< the auth-scheme as sent; compare it with scheme_is()
  std::string_view token68;  ///< the token68, empty when the scheme is followed by auth-params or nothing
  auth_params params;        ///< the auth-params, empty when the scheme is followed by a token68 or nothing

  /// True when the scheme equals `name`, ignoring ASCII case (RFC 9110 section 11.1).
  constexpr bool scheme_is(std::string_view name) const noexcept { return detail::http_grammar::iequal(scheme, name); }
};

/// Parses an Authorization or Proxy-Authorization field value per RFC 9110 section 11.4: OWS around the
/// value is ignored; the scheme is a token, followed by nothing or by 1*SP and either a token68 or a list of
/// auth-params (`token BWS "=" BWS ( token / quoted-string )`, empty list elements ignored). Fails with
/// http_too_long, http_empty_value, http_invalid_character (NUL, CR, LF, other CTLs, DEL: anywhere, first
/// offset), http_invalid_scheme, http_invalid_token68, http_invalid_parameter, http_invalid_quoted_string,
/// http_duplicate_parameter (names compared case-insensitively), http_too_many_parameters (more than
/// limit.max_parameters, at most limits::max_parameters_ceiling) or http_unexpected_data, each with the offset
/// of the offending byte in `value`.
constexpr result<credentials> parse_credentials(std::string_view value, const limits& limit = {}) noexcept {
  const auto scanned = detail::http_grammar::scan_credentials(value, limit.max_length, limit.max_parameters);
  if (!scanned) return scanned.error();
  return credentials{scanned->scheme, scanned->token68, auth_params(scanned->params, scanned->param_count)};
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_CREDENTIALS_HPP
