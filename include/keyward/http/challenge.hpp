// keyward: WWW-Authenticate and Proxy-Authenticate challenges (RFC 9110 sections 11.3, 11.6.1 and 11.7.1):
// a builder that only produces values a recipient parses back to the same scheme and parameters (quoted and
// escaped, no control characters, the RFC 7617 and RFC 6750 parameter rules), and a parser for a field value
// holding several challenges that returns views into the input and allocates nothing.
/// \file
/// WWW-Authenticate and Proxy-Authenticate challenges (RFC 9110 section 11.6.1): parsing and building.
#ifndef KEYWARD_HTTP_CHALLENGE_HPP
#define KEYWARD_HTTP_CHALLENGE_HPP

#include "../detail/http_challenge.hpp"
#include "../detail/http_grammar.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "credentials.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::http {

/// The error codes of a Bearer challenge (RFC 6750 section 3.1).
enum class bearer_error : std::uint8_t {
  none,                ///< no error attribute: the request lacked authentication information
  invalid_request,     ///< malformed request (400)
  invalid_token,       ///< the token is expired, revoked, malformed or invalid otherwise (401)
  insufficient_scope,  ///< the token lacks privileges the request requires (403)
  other,               ///< (received only) an error attribute with another value
};

}  // namespace keyward::http

namespace keyward::detail::http_challenge {

/// The RFC 6750 section 3.1 spelling of `error` (empty for none and other).
constexpr std::string_view bearer_error_name(::keyward::http::bearer_error error) noexcept {
  using ::keyward::http::bearer_error;
  switch (error) {
    case bearer_error::invalid_request: return "invalid_request";
    case bearer_error::invalid_token: return "invalid_token";
    case bearer_error::insufficient_scope: return "insufficient_scope";
    case bearer_error::none:
    case bearer_error::other: break;
  }
  return {};
}

}  // namespace keyward::detail::http_challenge

namespace keyward::http {

/// Builds one WWW-Authenticate / Proxy-Authenticate challenge (RFC 9110 section 11.3): the scheme, then
/// either a token68 or auth-params, each value sent as a quoted-string. make() checks the scheme; setters
/// chain, and the first invalid argument is kept (later calls do nothing) and reported by str() and write(),
/// with the offset of the offending byte in that argument where one applies. Anything str() returns parses
/// back, with parse_challenges (within its limits), to the same scheme and values: no CR, LF or other
/// control character can be injected.
class challenge_builder {
 public:
  /// Starts a challenge for `scheme`; it must be a token (RFC 9110 section 11.1), else http_invalid_scheme
  /// (at the first bad byte; no offset when empty).
  static result<challenge_builder> make(std::string_view scheme) {
    if (const result<void> valid = detail::http_challenge::check_token(scheme, errc::http_invalid_scheme); !valid) {
      return valid.error();
    }
    return challenge_builder(scheme);
  }

  /// `Basic realm="<realm>", charset="UTF-8"` (RFC 7617 sections 2 and 2.1). Fails with
  /// http_invalid_parameter_value when `realm` holds a CTL (at its offset in `realm`).
  static result<challenge_builder> basic(std::string_view realm) {
    if (const result<void> valid = detail::http_challenge::check_quotable(realm); !valid) return valid.error();
    challenge_builder builder("Basic");
    builder.realm(realm).param("charset", "UTF-8");
    return builder;
  }
  /// `Bearer`, with `realm="<realm>"` unless `realm` is empty (RFC 6750 section 3). Fails with
  /// http_invalid_parameter_value when `realm` holds a CTL (at its offset in `realm`).
  static result<challenge_builder> bearer(std::string_view realm = {}) {
    if (const result<void> valid = detail::http_challenge::check_quotable(realm); !valid) return valid.error();
    challenge_builder builder("Bearer");
    if (!realm.empty()) builder.realm(realm);
    return builder;
  }

  /// Adds `realm` (RFC 9110 section 11.5), quoted and escaped; any byte but a CTL is allowed
  /// (http_invalid_parameter_value).
  challenge_builder& realm(std::string_view value) {
    return add("realm", value, detail::http_challenge::check_quotable(value));
  }
  /// Adds the RFC 6750 section 3 `scope`: space-separated scope-tokens of %x21 / %x23-5B / %x5D-7E, one space
  /// between two (http_invalid_parameter_value otherwise, or when empty).
  challenge_builder& scope(std::string_view value) {
    return add("scope", value, detail::http_challenge::check_scope(value));
  }
  /// Adds the RFC 6750 section 3 `error` code (invalid_request, invalid_token, insufficient_scope or an
  /// extension): 1*( %x20-21 / %x23-5B / %x5D-7E ), else http_invalid_parameter_value.
  challenge_builder& error(std::string_view value) {
    return add("error", value, detail::http_challenge::check_nqschar(value));
  }
  /// Adds the RFC 6750 section 3 `error_description`: 1*( %x20-21 / %x23-5B / %x5D-7E ), else
  /// http_invalid_parameter_value.
  challenge_builder& error_description(std::string_view value) {
    return add("error_description", value, detail::http_challenge::check_nqschar(value));
  }
  /// Adds the RFC 6750 section 3 `error_uri`: only %x21 / %x23-5B / %x5D-7E, else
  /// http_invalid_parameter_value.
  challenge_builder& error_uri(std::string_view value) {
    return add("error_uri", value, detail::http_challenge::check_uri_chars(value));
  }
  /// Adds the auth-param `name="value"` (RFC 9110 section 11.2). `name` must be a token
  /// (http_invalid_parameter); `value` is quoted and escaped and may hold any byte but a CTL
  /// (http_invalid_parameter_value).
  challenge_builder& param(std::string_view name, std::string_view value) {
    if (failed()) return *this;
    const result<void> valid_name = detail::http_challenge::check_token(name, errc::http_invalid_parameter);
    if (!valid_name) return fail(valid_name.error());
    return add(name, value, detail::http_challenge::check_quotable(value));
  }
  /// Sends `value` as the challenge's token68 (RFC 9110 section 11.2): it must be one
  /// (http_invalid_token68 at the first bad byte) and is exclusive with auth-params and with another token68
  /// (http_unexpected_data).
  challenge_builder& token68(std::string_view value) {
    if (failed()) return *this;
    const std::size_t end = detail::http_grammar::scan_token68(value, 0);
    if (value.empty()) return fail(keyward::error(errc::http_invalid_token68));
    if (end != value.size()) return fail(keyward::error(errc::http_invalid_token68, end));
    if (has_token68_ || text_.size() > scheme_size_) return fail(keyward::error(errc::http_unexpected_data));
    text_ += ' ';
    text_.append(value.data(), value.size());
    has_token68_ = true;
    return *this;
  }

  /// The size of the challenge that str() returns and write() writes; 0 after an error.
  std::size_t size() const noexcept { return failed() ? 0 : text_.size(); }
  /// Writes the challenge into `out[0, capacity)` and returns its size. Fails with the first error (see
  /// str()), or buffer_too_small when capacity < size(); nothing is written on any error.
  result<std::size_t> write(char* out, std::size_t capacity) const noexcept {
    return detail::writer::write_into(out, capacity, [this](detail::writer::counting_writer& w) noexcept {
      return put(w);
    });
  }
  /// The challenge, or the first error: http_invalid_parameter, http_invalid_parameter_value,
  /// http_invalid_token68 (with the offset in the argument at fault), http_duplicate_parameter (names compare
  /// case-insensitively), http_too_many_parameters (more than limits::max_parameters_ceiling, which no
  /// recipient of keyward's would accept) or http_unexpected_data (a token68 and auth-params together).
  result<std::string> str() const {
    if (failed()) return failure_;
    return text_;
  }

 private:
  // `scheme` is a token (checked by the factories).
  explicit challenge_builder(std::string_view scheme) : text_(scheme), scheme_size_(scheme.size()) {}

  bool failed() const noexcept { return failure_.code() != errc{}; }

  result<void> put(detail::writer::counting_writer& out) const noexcept {
    if (failed()) return failure_;
    out.put(text_);
    return {};
  }

  challenge_builder& fail(keyward::error failure) noexcept {
    failure_ = failure;
    return *this;
  }

  challenge_builder& add(std::string_view name, std::string_view value, const result<void>& valid) {
    if (failed()) return *this;
    if (!valid) return fail(valid.error());
    if (has_token68_) return fail(keyward::error(errc::http_unexpected_data));
    const std::string_view params = std::string_view(text_).substr(scheme_size_);
    if (detail::http_grammar::has_param(params, name)) return fail(keyward::error(errc::http_duplicate_parameter));
    if (param_count_ == limits::max_parameters_ceiling) return fail(keyward::error(errc::http_too_many_parameters));
    ++param_count_;
    const bool first = params.empty();
    text_ += *detail::writer::write_string([&](detail::writer::counting_writer& w) noexcept {
      w.put(first ? " " : ", ");
      w.put(name);
      w.put('=');
      detail::http_challenge::put_quoted(w, value);
    });
    return *this;
  }

  std::string text_;
  std::size_t scheme_size_ = 0;
  std::size_t param_count_ = 0;
  bool has_token68_ = false;
  keyward::error failure_{errc{}};  // errc{} (zero) means no failure so far
};

/// One parsed challenge: the scheme and either a token68 or auth-params (or neither). Views into the parsed
/// field value, which must outlive it.
struct challenge {
  std::string_view scheme;   ///< the auth-scheme as sent; compare it with scheme_is()
  std::string_view token68;  ///< the token68, empty when the scheme is followed by auth-params or nothing
  auth_params params;        ///< the auth-params, empty when the scheme is followed by a token68 or nothing

  /// True when the scheme equals `name`, ignoring ASCII case (RFC 9110 section 11.1).
  constexpr bool scheme_is(std::string_view name) const noexcept { return detail::http_grammar::iequal(scheme, name); }
};

}  // namespace keyward::http

namespace keyward::http {

class challenge_list;
constexpr result<challenge_list> parse_challenges(std::string_view value, const limits& limit = {}) noexcept;

/// The challenges of a parsed WWW-Authenticate or Proxy-Authenticate value, in order: a range of challenge
/// that reads them from the (already validated) input on demand, allocating nothing. Parsing records where
/// each challenge starts and how many auth-params it has (at most limits::max_challenges_ceiling of them), so
/// that iterating scans no challenge twice.
class challenge_list {
  // What parse_challenges() passes to the constructor that makes a list to fill.
  struct filling {
    constexpr explicit filling() noexcept = default;
  };

 public:
  /// Iterates over the challenges of a list, which must outlive the iterator; dereferencing gives a challenge
  /// by value (views into the field value), so that a challenge outlives both.
  class iterator {
   public:
    /// The iterator's std::iterator_traits: an input iterator whose elements are given by value.
    ///@{
    using iterator_category = std::input_iterator_tag;
    using value_type = challenge;
    using difference_type = std::ptrdiff_t;
    using pointer = const challenge*;
    using reference = challenge;
    ///@}

    constexpr iterator() noexcept = default;

    /// The current challenge.
    ///@{
    constexpr challenge operator*() const noexcept { return current_; }
    constexpr pointer operator->() const noexcept { return &current_; }
    ///@}
    /// Moves to the next challenge (the postfix form returns the iterator from before the move).
    ///@{
    constexpr iterator& operator++() noexcept {
      load(index_ + 1);
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    ///@}
    /// Two iterators over the same list are equal when they stand at the same challenge.
    ///@{
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.index_ == b.index_; }
    friend constexpr bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }
    ///@}

   private:
    friend class challenge_list;
    constexpr iterator(const challenge_list& list, std::size_t index) noexcept : list_(&list) { load(index); }

    constexpr void load(std::size_t index) noexcept {
      index_ = index;
      if (index < list_->count_) current_ = list_->read(index);
    }

    const challenge_list* list_ = nullptr;
    std::size_t index_ = 0;
    challenge current_{};
  };

  constexpr challenge_list() noexcept = default;
  /// An empty list of the field value `list`, which parse_challenges() fills in place: only challenge_list can
  /// make a `filling`.
  constexpr challenge_list(std::string_view list, filling) noexcept : list_(list) {}
  /// A copy; only the recorded challenges are read, one by one (copied in wide blocks right after it is filled,
  /// a list would be read back from fields just stored, which stalls store forwarding).
  constexpr challenge_list(const challenge_list& other) noexcept : list_(other.list_), count_(other.count_) {
    for (std::size_t k = 0; k < count_; ++k) {
      starts_[k] = other.starts_[k];
      scheme_ends_[k] = other.scheme_ends_[k];
      param_counts_[k] = other.param_counts_[k];
    }
  }
  /// Replaces this list with a copy of `other`.
  constexpr challenge_list& operator=(const challenge_list& other) noexcept = default;

  /// The first challenge.
  constexpr iterator begin() const noexcept { return iterator(*this, 0); }
  /// Past the last challenge.
  constexpr iterator end() const noexcept { return iterator(*this, count_); }
  /// The number of challenges.
  constexpr std::size_t size() const noexcept { return count_; }
  /// True when there is no challenge (only for a default-constructed list: parsing never gives one).
  constexpr bool empty() const noexcept { return count_ == 0; }
  /// The first challenge whose scheme is `scheme` (ASCII case-insensitive), or nullopt.
  constexpr std::optional<challenge> find(std::string_view scheme) const noexcept {
    for (const challenge& candidate : *this) {
      if (candidate.scheme_is(scheme)) return candidate;
    }
    return std::nullopt;
  }
  /// The challenge list as it appears in the input, without trailing OWS.
  constexpr std::string_view text() const noexcept { return list_; }

 private:
  friend constexpr result<challenge_list> parse_challenges(std::string_view value, const limits& limit) noexcept;

  // parse_challenges() at run time: the list is filled where the result holds it, so that it is not copied
  // there. (A list filled aside is copied into the result; a result filled in place is returned by its move
  // constructor, which std::variant does not make constexpr in C++17: this path is for run time only.)
  static result<challenge_list> parse_in_place(std::string_view value, const limits& limit) noexcept {
    result<challenge_list> parsed(std::in_place, value, filling{});
    const result<void> filled = parsed->fill(value, limit);
    if (!filled) parsed = filled.error();
    return parsed;
  }

  // Fills this empty list of `value` with its challenges: see parse_challenges().
  constexpr result<void> fill(std::string_view value, const limits& limit) noexcept;

  // Records challenge `index` of the list: it starts at `start`, its scheme ends at `scheme_end` and it has
  // `param_count` auth-params (0: a token68 or nothing follows the scheme). At most max_challenges_ceiling
  // (parse_challenges' limit), in a list shorter than 2^32 bytes.
  constexpr void record(std::size_t index, std::size_t start, std::size_t scheme_end,
                        std::size_t param_count) noexcept {
    starts_[index] = static_cast<std::uint32_t>(start);
    scheme_ends_[index] = static_cast<std::uint32_t>(scheme_end);
    param_counts_[index] = static_cast<std::uint16_t>(param_count);
  }

  // The challenge `index`: its token68 or auth-params lie between the separators after its scheme and those
  // before the next challenge (or the end of the list), as neither a token68 nor an auth-param begins or ends
  // with a separator.
  constexpr challenge read(std::size_t index) const noexcept {
    namespace grammar = ::keyward::detail::http_grammar;
    const std::size_t scheme_end = scheme_ends_[index];
    std::size_t part_end = index + 1 < count_ ? starts_[index + 1] : list_.size();
    while (part_end > scheme_end && grammar::is(list_[part_end - 1], grammar::separator)) --part_end;
    const std::size_t part_begin = grammar::skip_list_separators(list_, scheme_end);
    const std::string_view scheme = grammar::slice(list_, starts_[index], scheme_end);
    if (part_begin >= part_end) return challenge{scheme, {}, {}};
    const std::string_view part = grammar::slice(list_, part_begin, part_end);
    if (param_counts_[index] == 0) return challenge{scheme, part, {}};
    return challenge{scheme, {}, auth_params(part, param_counts_[index])};
  }

  std::string_view list_;
  std::size_t count_ = 0;
  std::uint32_t starts_[detail::http_grammar::max_challenges_ceiling]{};
  std::uint32_t scheme_ends_[detail::http_grammar::max_challenges_ceiling]{};
  std::uint16_t param_counts_[detail::http_grammar::max_challenges_ceiling]{};
  static_assert(detail::http_grammar::max_parameters_ceiling <= UINT16_MAX, "a parameter count fits");
};

/// Parses a WWW-Authenticate or Proxy-Authenticate field value (`#challenge`, RFC 9110 sections 11.6.1 and
/// 11.7.1; each challenge `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, section 11.3). OWS around the
/// value and empty list elements are ignored. The comma ambiguity is resolved as section 11.6.1 implies:
/// after a comma, `token BWS "="` followed by a value continues the current challenge's auth-params, and a
/// bare token starts a new challenge; a token68 challenge takes no auth-params, nor does a scheme followed
/// directly by a comma (`Basic, realm="x"`: no 1*SP, so no `#auth-param` list). Quoted-strings keep
/// obs-text as opaque bytes. Fails with http_too_long (over limit.max_length, and at 4 GiB whatever the
/// limit; offset: the length allowed), http_empty_value (no
/// challenge; no offset), http_invalid_character (NUL, CR, LF, other CTLs but HTAB, DEL: anywhere, first
/// offset, taking precedence), http_invalid_scheme, http_invalid_token68, http_invalid_parameter (malformed,
/// or where a scheme must be), http_invalid_quoted_string, http_duplicate_parameter (within one challenge,
/// names compared case-insensitively), http_too_many_parameters (per challenge: more than
/// limit.max_parameters, at most limits::max_parameters_ceiling), http_too_many_challenges (more than
/// limit.max_challenges, at most limits::max_challenges_ceiling; at the first challenge too many) or
/// http_unexpected_data, each with the offset of the offending byte in `value`.
constexpr result<challenge_list> parse_challenges(std::string_view value, const limits& limit) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (!__builtin_is_constant_evaluated()) return challenge_list::parse_in_place(value, limit);
#endif
  challenge_list list;
  const result<void> filled = list.fill(value, limit);
  if (!filled) return filled.error();
  return list;
}

constexpr result<void> challenge_list::fill(std::string_view value, const limits& limit) noexcept {
  namespace grammar = ::keyward::detail::http_grammar;
  const std::size_t max_length = limit.max_length < grammar::max_challenges_length_ceiling
                                     ? limit.max_length
                                     : grammar::max_challenges_length_ceiling;
  if (value.size() > max_length) return keyward::error(errc::http_too_long, max_length);
  std::size_t end = value.size();
  while (end > 0 && grammar::is(value[end - 1], grammar::ows)) --end;
  const std::string_view text = grammar::slice(value, 0, end);

  std::size_t i = grammar::skip_list_separators(text, 0);
  if (i == end) return grammar::reject(value, errc::http_empty_value, keyward::error::no_offset);
  const std::size_t most = limit.max_challenges < grammar::max_challenges_ceiling ? limit.max_challenges
                                                                                  : grammar::max_challenges_ceiling;
  std::size_t count = 0;  // kept out of count_ until the end: the compiler must assume a call may write to *this
  while (i < end) {
    if (count == most) return grammar::reject(value, errc::http_too_many_challenges, i);
    const auto scanned = detail::http_challenge::scan_challenge(text, i, limit.max_parameters);
    if (!scanned.scan.ok()) return grammar::reject(value, scanned.scan.code, scanned.scan.offset);
    record(count++, i, scanned.scheme_end, scanned.param_count);
    const std::size_t after = grammar::skip(text, scanned.scan.end, grammar::ows);
    if (after < end && text[after] != ',') return grammar::reject(value, errc::http_unexpected_data, after);
    i = grammar::skip_list_separators(text, after);
  }
  list_ = text;
  count_ = count;
  return {};
}

}  // namespace keyward::http

namespace keyward::detail::http_challenge {

/// Puts `challenges` separated by ", ", each checked to parse as exactly one challenge (see
/// http::write_challenges()).
inline result<void> put_challenges(writer::counting_writer& out,
                                   std::initializer_list<std::string_view> challenges) noexcept {
  if (challenges.size() == 0) return errc::http_empty_value;
  for (const std::string_view piece : challenges) {
    const std::size_t base = out.size() == 0 ? 0 : out.size() + 2;
    ::keyward::http::limits one_challenge;  // no limit but the piece itself, and one challenge
    one_challenge.max_length = piece.size();
    one_challenge.max_parameters = http_grammar::max_parameters_ceiling;
    one_challenge.max_challenges = 1;
    const auto parsed = ::keyward::http::parse_challenges(piece, one_challenge);
    if (!parsed) {
      const keyward::error failure = parsed.error();
      return failure.has_offset() ? keyward::error(failure.code(), base + failure.offset()) : failure;
    }
    if (base != 0) out.put(", ");
    out.put(piece);
  }
  return {};
}

}  // namespace keyward::detail::http_challenge

namespace keyward::http {

/// The size of the field value write_challenges() writes for `challenges`: their sizes and ", " between two;
/// SIZE_MAX when that does not fit in a std::size_t.
constexpr std::size_t challenges_size(std::initializer_list<std::string_view> challenges) noexcept {
  std::size_t size = 0;
  for (const std::string_view piece : challenges) {
    const std::size_t separator = size == 0 ? 0 : 2;
    if (size > SIZE_MAX - separator || piece.size() > SIZE_MAX - separator - size) return SIZE_MAX;
    size += separator + piece.size();
  }
  return size;
}

/// Writes challenges built by challenge_builder (or any single valid challenge each) into `out[0, capacity)`
/// as one WWW-Authenticate or Proxy-Authenticate field value, separated by ", " (RFC 9110 section 11.6.1),
/// and returns its size (challenges_size()). Each must parse as exactly one challenge: fails with
/// parse_challenges' errors with no limit but one challenge per piece and limits::max_parameters_ceiling
/// auth-params per challenge (http_too_many_challenges when one holds two, http_empty_value when one or the
/// list is empty), the offset counted in the joined value; then buffer_too_small. Nothing is written on any
/// error.
inline result<std::size_t> write_challenges(std::initializer_list<std::string_view> challenges, char* out,
                                            std::size_t capacity) noexcept {
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& w) noexcept {
    return detail::http_challenge::put_challenges(w, challenges);
  });
}

/// The joined field value as a string (see write_challenges()); the same errors but buffer_too_small.
inline result<std::string> challenges(std::initializer_list<std::string_view> challenges) {
  return detail::writer::write_string([&](detail::writer::counting_writer& w) noexcept {
    return detail::http_challenge::put_challenges(w, challenges);
  });
}

}  // namespace keyward::http

#endif  // KEYWARD_HTTP_CHALLENGE_HPP
