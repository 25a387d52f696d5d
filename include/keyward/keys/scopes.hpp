// keyward: the permissions of an API key as a 64-bit set (read, write, admin and webhook built in, up to 60
// scopes named by the server), and what a request requires of them: all of a set, or any of it.
/// \file
/// The permissions of an API key as a 64-bit set, and what a request requires of them.
#ifndef KEYWARD_KEYS_SCOPES_HPP
#define KEYWARD_KEYS_SCOPES_HPP

#include "../detail/http_challenge.hpp"
#include "../error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace keyward::keys {

/// A set of scopes: bit i is the scope numbered i. Bits 0-3 are read, write, admin and webhook
/// (scopes::read ...); bits 4-63 are the scopes a scope_table names. Cheap to copy; never fails.
class scope_set {
 public:
  /// The empty set.
  constexpr scope_set() noexcept = default;
  /// The set whose bits are `bits`.
  static constexpr scope_set from_bits(std::uint64_t bits) noexcept { return scope_set(bits); }
  /// The set holding only scope number `index` (0 to 63); the empty set for a larger index.
  static constexpr scope_set bit(std::size_t index) noexcept {
    return scope_set(index < 64 ? std::uint64_t{1} << index : 0);
  }

  /// The bits of the set.
  constexpr std::uint64_t bits() const noexcept { return bits_; }
  /// True when the set holds no scope.
  constexpr bool empty() const noexcept { return bits_ == 0; }
  /// True when every scope of `other` is in this set (always true for an empty `other`).
  constexpr bool contains(scope_set other) const noexcept { return (bits_ & other.bits_) == other.bits_; }
  /// True when this set and `other` share at least one scope.
  constexpr bool intersects(scope_set other) const noexcept { return (bits_ & other.bits_) != 0; }

  /// The union.
  friend constexpr scope_set operator|(scope_set a, scope_set b) noexcept { return scope_set(a.bits_ | b.bits_); }
  /// The intersection.
  friend constexpr scope_set operator&(scope_set a, scope_set b) noexcept { return scope_set(a.bits_ & b.bits_); }
  /// Adds the scopes of `other`.
  constexpr scope_set& operator|=(scope_set other) noexcept {
    bits_ |= other.bits_;
    return *this;
  }
  /// Sets are equal when they hold the same scopes.
  ///@{
  friend constexpr bool operator==(scope_set a, scope_set b) noexcept { return a.bits_ == b.bits_; }
  friend constexpr bool operator!=(scope_set a, scope_set b) noexcept { return a.bits_ != b.bits_; }
  ///@}

 private:
  constexpr explicit scope_set(std::uint64_t bits) noexcept : bits_(bits) {}
  std::uint64_t bits_ = 0;
};

/// How a scope_requirement is met.
enum class scope_match : std::uint8_t {
  all_of,  ///< the key holds every scope of the set
  any_of,  ///< the key holds at least one scope of the set
};

/// What a request requires of a key's scopes. An empty requirement (the default, scopes::none) is met by
/// every key, in both modes.
struct scope_requirement {
  scope_set required;                     ///< the scopes the requirement names
  scope_match match = scope_match::all_of;  ///< whether all of them or any of them are needed

  /// True when a key holding `granted` meets the requirement.
  constexpr bool satisfied_by(scope_set granted) const noexcept {
    if (required.empty()) return true;
    return match == scope_match::all_of ? granted.contains(required) : granted.intersects(required);
  }
};

/// The built-in scopes and the requirement builders.
namespace scopes {
inline constexpr scope_set read = scope_set::bit(0);     ///< "read": read data
inline constexpr scope_set write = scope_set::bit(1);    ///< "write": create and update resources
inline constexpr scope_set admin = scope_set::bit(2);    ///< "admin": administrative access
inline constexpr scope_set webhook = scope_set::bit(3);  ///< "webhook": manage webhooks
/// The number of built-in scopes (bits 0 to builtin_count - 1).
inline constexpr std::size_t builtin_count = 4;
/// The names of the built-in scopes, by bit.
inline constexpr std::string_view builtin_names[builtin_count] = {"read", "write", "admin", "webhook"};

/// No scope required: met by every key.
inline constexpr scope_requirement none{};

/// A requirement met by keys holding every scope of `sets` (their union); met by every key when empty.
template <class... Sets>
constexpr scope_requirement all_of(Sets... sets) noexcept {
  scope_set joined;
  ((joined |= sets), ...);
  return {joined, scope_match::all_of};
}
/// A requirement met by keys holding at least one scope of `sets`; met by every key when empty.
template <class... Sets>
constexpr scope_requirement any_of(Sets... sets) noexcept {
  scope_set joined;
  ((joined |= sets), ...);
  return {joined, scope_match::any_of};
}
}  // namespace scopes

}  // namespace keyward::keys

namespace keyward::detail::keys_scopes {

/// The offset of the first byte of `name` outside RFC 6749 appendix A.4's scope-token (NQCHAR: %x21 /
/// %x23-5B / %x5D-7E), std::string_view::npos when there is none.
constexpr std::size_t first_bad_char(std::string_view name) noexcept {
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!http_challenge::is_nqchar(name[i])) return i;
  }
  return std::string_view::npos;
}

}  // namespace keyward::detail::keys_scopes

namespace keyward::keys {

/// The names of a server's scopes: the four built-in ones, then up to 60 user-named scopes on bits 4 to 63 in
/// the order given to make(). It keeps its own copy of the names. Turns names into scope sets and
/// requirements (at start-up, so that the hot path holds only bits) and scope sets back into names (for the
/// scope attribute of an insufficient_scope challenge).
class scope_table {
 public:
  /// The most user-named scopes: bits 4 to 63.
  static constexpr std::size_t max_named = 64 - scopes::builtin_count;
  /// The longest scope name, in bytes.
  static constexpr std::size_t max_name_length = 255;

  /// A table of the built-in scopes only.
  scope_table() = default;

  /// A table naming bits 4, 5, ... after `names`, in order. errc::key_invalid_scope with the index of the
  /// offending name as offset for an empty name, one longer than max_name_length, one with a byte outside
  /// RFC 6749's scope-token (%x21 / %x23-5B / %x5D-7E), a built-in name, a name given twice, or the 61st name.
  static result<scope_table> make(const std::string_view* names, std::size_t count) {
    scope_table table;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view name = names[i];
      if (i >= max_named || name.empty() || name.size() > max_name_length ||
          detail::keys_scopes::first_bad_char(name) != std::string_view::npos || table.find(name).has_value()) {
        return keyward::error(errc::key_invalid_scope, i);
      }
      table.ends_[i] = static_cast<std::uint16_t>(table.names_.size() + name.size());
      table.names_.append(name.data(), name.size());
      table.count_ = i + 1;
    }
    return table;
  }
  /// make() over an initializer list.
  static result<scope_table> make(std::initializer_list<std::string_view> names) {
    return make(names.begin(), names.size());
  }

  /// The number of user-named scopes.
  std::size_t named_count() const noexcept { return count_; }

  /// The name of scope number `index`, empty when it has none.
  std::string_view name_of(std::size_t index) const noexcept {
    if (index < scopes::builtin_count) return scopes::builtin_names[index];
    index -= scopes::builtin_count;
    if (index >= count_) return {};
    const std::size_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(names_).substr(begin, ends_[index] - begin);
  }

  /// The scope named `name` (case-sensitive); errc::key_invalid_scope when no scope has that name.
  result<scope_set> find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < scopes::builtin_count + count_; ++i) {
      if (name_of(i) == name) return scope_set::bit(i);
    }
    return errc::key_invalid_scope;
  }

  /// The set of the scopes named in `list`, names separated by single spaces (RFC 6749 section 3.3's scope
  /// syntax); an empty list gives the empty set. errc::key_invalid_scope at the offset of the first name
  /// that is unknown or empty (two spaces, or one at either end).
  result<scope_set> parse(std::string_view list) const noexcept {
    scope_set set;
    if (list.empty()) return set;
    std::size_t begin = 0;
    while (true) {
      const std::size_t space = list.find(' ', begin);
      const std::size_t end = space == std::string_view::npos ? list.size() : space;
      const result<scope_set> one = find(list.substr(begin, end - begin));
      if (!one) return keyward::error(errc::key_invalid_scope, begin);
      set |= *one;
      if (space == std::string_view::npos) return set;
      begin = space + 1;
    }
  }

  /// The requirement that a key hold every scope named in `list` (parse()'s syntax and errors).
  result<scope_requirement> all_of(std::string_view list) const noexcept {
    const result<scope_set> set = parse(list);
    if (!set) return set.error();
    return scope_requirement{*set, scope_match::all_of};
  }
  /// The requirement that a key hold at least one scope named in `list` (parse()'s syntax and errors).
  result<scope_requirement> any_of(std::string_view list) const noexcept {
    const result<scope_set> set = parse(list);
    if (!set) return set.error();
    return scope_requirement{*set, scope_match::any_of};
  }

  /// The size of what write_names() writes for `set`.
  std::size_t names_size(scope_set set) const noexcept {
    std::size_t size = 0;
    for (std::size_t i = 0; i < 64; ++i) {
      if (!set.intersects(scope_set::bit(i))) continue;
      const std::string_view name = name_of(i);
      if (!name.empty()) size += (size == 0 ? 0 : 1) + name.size();
    }
    return size;
  }
  /// Writes the names of the scopes of `set`, in bit order, separated by single spaces (a valid RFC 6749
  /// scope value), into `out[0, capacity)` and returns the size; bits without a name are left out.
  /// errc::buffer_too_small when it does not fit, with nothing written.
  result<std::size_t> write_names(scope_set set, char* out, std::size_t capacity) const noexcept {
    const std::size_t size = names_size(set);
    if (size > capacity) return errc::buffer_too_small;
    std::size_t at = 0;
    for (std::size_t i = 0; i < 64; ++i) {
      if (!set.intersects(scope_set::bit(i))) continue;
      const std::string_view name = name_of(i);
      if (name.empty()) continue;
      if (at != 0) out[at++] = ' ';
      std::memcpy(out + at, name.data(), name.size());
      at += name.size();
    }
    return at;
  }
  /// The names of the scopes of `set` as write_names() writes them, as a string.
  std::string names(scope_set set) const {
    std::string text(names_size(set), '\0');
    if (!text.empty()) static_cast<void>(write_names(set, &text[0], text.size()));
    return text;
  }

 private:
  std::string names_;                        // the user-named scopes, concatenated
  std::array<std::uint16_t, max_named> ends_{};  // where each name ends in names_
  std::size_t count_ = 0;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_SCOPES_HPP
