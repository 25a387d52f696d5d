// keyward: classify an API key by its prefix (`sk_live_`, `pk_test_`, `ghp_`, `acme_sk_live_`), from a table
// fixed at compile time. A table maps prefixes to a vendor, a kind (secret, publishable, restricted, webhook
// secret or a named kind of the user's) and an environment (live or test). The longest matching prefix wins;
// a lookup costs O(length of the prefix), whatever the table's size, and allocates nothing. A
// malformed constexpr table (an empty prefix, a prefix twice, a byte outside [0-9A-Za-z_-], a prefix over 32
// bytes) fails to compile, naming the problem.
/// \file
/// Classifying an API key by its prefix, from a table fixed at compile time.
#ifndef KEYWARD_KEYS_PREFIX_HPP
#define KEYWARD_KEYS_PREFIX_HPP

#include "../detail/keys_prefix.hpp"
#include "../error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::keys {

/// What a key is for.
enum class key_kind : std::uint8_t {
  secret,          ///< a server-side secret key (`sk_`)
  publishable,     ///< a key meant to be embedded in clients (`pk_`)
  restricted,      ///< a secret key limited to some permissions (`rk_`)
  webhook_secret,  ///< a webhook signing secret (`whsec_`)
  custom,          ///< a kind of the user's, named by prefix_entry::kind_name
};

/// Which world a key belongs to: live and test keys never act on each other's data.
enum class key_environment : std::uint8_t {
  live,         ///< production
  test,         ///< test mode
  unspecified,  ///< the prefix does not say (webhook secrets, GitHub and npm tokens)
};

/// "secret", "publishable", "restricted", "webhook_secret" or "custom"; "unknown" for a value outside the
/// enum. Never fails.
constexpr const char* to_string(key_kind kind) noexcept {
  switch (kind) {
    case key_kind::secret: return "secret";
    case key_kind::publishable: return "publishable";
    case key_kind::restricted: return "restricted";
    case key_kind::webhook_secret: return "webhook_secret";
    case key_kind::custom: return "custom";
  }
  return "unknown";
}

/// "live", "test" or "unspecified"; "unknown" for a value outside the enum. Never fails.
constexpr const char* to_string(key_environment environment) noexcept {
  switch (environment) {
    case key_environment::live: return "live";
    case key_environment::test: return "test";
    case key_environment::unspecified: return "unspecified";
  }
  return "unknown";
}

/// The longest prefix a table may hold, in bytes.
inline constexpr std::size_t max_prefix_length = detail::keys_prefix::max_length;

/// One row of a prefix table. The string views must outlive the table (string literals in practice). For
/// keys in keyward's format, end a prefix with '_' or '-' (outside base62): then no id character can turn one
/// prefix into a longer one of the same table, and the longest match is always the prefix the key was made
/// with.
struct prefix_entry {
  std::string_view prefix;          ///< non-empty, at most max_prefix_length bytes of [0-9A-Za-z_-]
  std::string_view vendor;          ///< "stripe", "github", "npm", "keyward", or the user's own
  key_kind kind;                    ///< what the key is for
  key_environment environment;      ///< live, test or unspecified
  std::string_view kind_name = {};  ///< the name of a custom kind; empty for the others
};

/// The kind's name: kind_name for key_kind::custom, to_string(kind) otherwise. Never fails.
constexpr std::string_view kind_name_of(const prefix_entry& entry) noexcept {
  return entry.kind == key_kind::custom ? entry.kind_name : std::string_view(to_string(entry.kind));
}

/// What is wrong with a table's entries; none for a well-formed table.
enum class prefix_problem : std::uint8_t {
  none,                 ///< well formed
  empty_prefix,         ///< an entry with an empty prefix
  prefix_too_long,      ///< a prefix over max_prefix_length bytes
  invalid_prefix_byte,  ///< a prefix byte outside [0-9A-Za-z_-]
  duplicate_prefix,     ///< the same prefix in two entries
};

/// The first problem of a single prefix (empty, too long, a byte not allowed), or prefix_problem::none.
constexpr prefix_problem find_prefix_problem(std::string_view prefix) noexcept {
  if (prefix.empty()) return prefix_problem::empty_prefix;
  if (prefix.size() > max_prefix_length) return prefix_problem::prefix_too_long;
  for (const char c : prefix)
    if (detail::keys_prefix::code_of(c) == detail::keys_prefix::no_code) return prefix_problem::invalid_prefix_byte;
  return prefix_problem::none;
}

/// The first problem of `entries` (entries checked in order, then duplicates), with the index of the entry
/// concerned in `*at` when `at` is not null; prefix_problem::none for a well-formed table.
template <std::size_t N>
constexpr prefix_problem find_prefix_problem(const prefix_entry (&entries)[N], std::size_t* at = nullptr) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    const prefix_problem problem = find_prefix_problem(entries[i].prefix);
    if (problem != prefix_problem::none) {
      if (at != nullptr) *at = i;
      return problem;
    }
  }
  for (std::size_t i = 1; i < N; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[i].prefix == entries[j].prefix) {
        if (at != nullptr) *at = i;
        return prefix_problem::duplicate_prefix;
      }
    }
  }
  return prefix_problem::none;
}

class prefix_set;

}  // namespace keyward::keys

namespace keyward::detail::keys_prefix {
/// What keys/format.hpp needs from a prefix_set: the matching entry itself rather than a copy (see below).
struct access;
}  // namespace keyward::detail::keys_prefix

namespace keyward::keys {

/// A non-owning view of a prefix_table<N> of any N: what functions taking "some table" accept. Cheap to copy;
/// valid while the table lives (a table converts only as an lvalue, never as a temporary). A default
/// prefix_set is empty and recognises nothing.
class prefix_set {
 public:
  /// An empty set: classify() always fails with errc::key_unknown_prefix.
  constexpr prefix_set() noexcept = default;

  /// The entry whose prefix is the longest that begins `key`; errc::key_unknown_prefix when none does.
  /// O(length of that prefix): one step per index node (up to 9 bytes each), no allocation.
  constexpr result<prefix_entry> classify(std::string_view key) const noexcept {
    const std::uint16_t index = detail::keys_prefix::longest_match(nodes_, key);
    if (index == detail::keys_prefix::no_entry) return errc::key_unknown_prefix;
    return entries_[index];
  }

  /// The number of entries.
  constexpr std::size_t size() const noexcept { return size_; }
  /// The entries, in the order the table was given them.
  ///@{
  constexpr const prefix_entry* begin() const noexcept { return entries_; }
  constexpr const prefix_entry* end() const noexcept { return entries_ + size_; }
  ///@}

 private:
  template <std::size_t>
  friend class prefix_table;
  friend struct detail::keys_prefix::access;
  constexpr prefix_set(const prefix_entry* entries, std::size_t size, const detail::keys_prefix::node* nodes) noexcept
      : entries_(entries), size_(size), nodes_(nodes) {}

  const prefix_entry* entries_ = nullptr;
  std::size_t size_ = 0;
  const detail::keys_prefix::node* nodes_ = &detail::keys_prefix::empty_root;
};

}  // namespace keyward::keys

namespace keyward::detail::keys_prefix {
struct access {
  /// The entry of `set` whose prefix is the longest that begins `key`, or nullptr: classify() without
  /// copying the entry into a result.
  static constexpr const keys::prefix_entry* find(const keys::prefix_set& set, std::string_view key) noexcept {
    const std::uint16_t index = longest_match(set.nodes_, key);
    return index == no_entry ? nullptr : set.entries_ + index;
  }
};
}  // namespace keyward::detail::keys_prefix

namespace keyward::keys {

template <std::size_t N>
class prefix_table;

template <std::size_t N>
constexpr prefix_table<N> make_prefix_table(const prefix_entry (&entries)[N]) noexcept;

/// N entries and their lookup index, built at compile time by make_prefix_table() (or at run time by
/// make()). Classification is constexpr, and the table converts to a prefix_set.
template <std::size_t N>
class prefix_table {
  static_assert(N >= 1 && N <= detail::keys_prefix::max_entries, "a prefix table holds 1 to 2047 entries");

 public:
  /// A table of `entries`, checked at run time: errc::key_invalid_format when they are malformed (see
  /// prefix_problem; the error's offset is the index of the entry concerned).
  static constexpr result<prefix_table> make(const prefix_entry (&entries)[N]) noexcept {
    std::size_t at = 0;
    if (find_prefix_problem(entries, &at) != prefix_problem::none) return keyward::error(errc::key_invalid_format, at);
    return prefix_table(entries);
  }

  /// The entry whose prefix is the longest that begins `key`; errc::key_unknown_prefix when none does.
  /// O(length of that prefix): one step per index node (up to 9 bytes each), no allocation.
  constexpr result<prefix_entry> classify(std::string_view key) const noexcept {
    const std::uint16_t index = detail::keys_prefix::longest_match(nodes_.data(), key);
    if (index == detail::keys_prefix::no_entry) return errc::key_unknown_prefix;
    return entries_[index];
  }

  /// A view of this table (not of a temporary one), also by implicit conversion.
  ///@{
  constexpr prefix_set set() const& noexcept { return prefix_set(entries_.data(), N, nodes_.data()); }
  prefix_set set() const&& = delete;
  constexpr operator prefix_set() const& noexcept { return set(); }  // NOLINT: implicit by design
  operator prefix_set() const&& = delete;
  ///@}

  /// The number of entries.
  static constexpr std::size_t size() noexcept { return N; }
  /// The entries, in the order they were given.
  constexpr const std::array<prefix_entry, N>& entries() const noexcept { return entries_; }

 private:
  friend constexpr prefix_table make_prefix_table<N>(const prefix_entry (&entries)[N]) noexcept;

  constexpr explicit prefix_table(const prefix_entry (&entries)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) entries_[i] = entries[i];
    detail::keys_prefix::build(entries_, nodes_);
  }

  std::array<prefix_entry, N> entries_{};
  std::array<detail::keys_prefix::node, detail::keys_prefix::node_capacity(N)> nodes_{};
};

/// The table of `entries`, for `constexpr auto table = make_prefix_table({{"acme_sk_live_", "acme",
/// key_kind::secret, key_environment::live}, ...});`. A malformed table fails to compile when the table is
/// constexpr, the error naming the problem (a call to the non-constexpr table_has_empty_prefix,
/// table_has_prefix_longer_than_32_bytes, table_has_prefix_byte_outside_0_9_A_Z_a_z_underscore_hyphen or
/// table_has_same_prefix_twice); built at run time, it aborts instead (use prefix_table<N>::make() there).
template <std::size_t N>
constexpr prefix_table<N> make_prefix_table(const prefix_entry (&entries)[N]) noexcept {
  switch (find_prefix_problem(entries)) {
    case prefix_problem::none: break;
    case prefix_problem::empty_prefix: detail::keys_prefix::table_has_empty_prefix();
    case prefix_problem::prefix_too_long: detail::keys_prefix::table_has_prefix_longer_than_32_bytes();
    case prefix_problem::invalid_prefix_byte:
      detail::keys_prefix::table_has_prefix_byte_outside_0_9_A_Z_a_z_underscore_hyphen();
    case prefix_problem::duplicate_prefix: detail::keys_prefix::table_has_same_prefix_twice();
  }
  return prefix_table<N>(entries);
}

/// Stripe-style keys: secret (`sk_`), publishable (`pk_`) and restricted (`rk_`) keys for `live_` and
/// `test_`, and webhook signing secrets (`whsec_`, environment unspecified). Vendor "stripe".
inline constexpr auto stripe_prefixes = make_prefix_table({
    {"sk_live_", "stripe", key_kind::secret, key_environment::live},
    {"sk_test_", "stripe", key_kind::secret, key_environment::test},
    {"pk_live_", "stripe", key_kind::publishable, key_environment::live},
    {"pk_test_", "stripe", key_kind::publishable, key_environment::test},
    {"rk_live_", "stripe", key_kind::restricted, key_environment::live},
    {"rk_test_", "stripe", key_kind::restricted, key_environment::test},
    {"whsec_", "stripe", key_kind::webhook_secret, key_environment::unspecified},
});

/// Secret keys whose prefix is just the environment: `live_` and `test_`. Vendor "keyward".
inline constexpr auto live_test_prefixes = make_prefix_table({
    {"live_", "keyward", key_kind::secret, key_environment::live},
    {"test_", "keyward", key_kind::secret, key_environment::test},
});

/// Tokens to recognise when they leak: GitHub (`ghp_` personal, `gho_` OAuth, `ghu_` user-to-server, `ghs_`
/// server-to-server, `ghr_` refresh, `github_pat_` fine-grained personal) and npm (`npm_`). All of kind
/// secret, environment unspecified, vendor "github" or "npm".
inline constexpr auto leaked_token_prefixes = make_prefix_table({
    {"ghp_", "github", key_kind::secret, key_environment::unspecified},
    {"gho_", "github", key_kind::secret, key_environment::unspecified},
    {"ghu_", "github", key_kind::secret, key_environment::unspecified},
    {"ghs_", "github", key_kind::secret, key_environment::unspecified},
    {"ghr_", "github", key_kind::secret, key_environment::unspecified},
    {"github_pat_", "github", key_kind::secret, key_environment::unspecified},
    {"npm_", "npm", key_kind::secret, key_environment::unspecified},
});

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_PREFIX_HPP
