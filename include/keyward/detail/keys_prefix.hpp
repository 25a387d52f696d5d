// keyward (private): the lookup index of keys::prefix_table, built at compile time: a trie over the 64 bytes a
// key prefix may hold ([0-9A-Za-z_-]), path-compressed. Each node holds a label of up to 8 bytes that must
// follow (compared with the key in one 8-byte step), the entry (if any) whose prefix ends after the label,
// and a 64-bit mask of the bytes that continue from there; children are stored contiguously in byte-code
// order, so the child for code c is first_child + popcount(mask & (2^c - 1)). A table of `acme_live_` and
// `acme_test_` is three nodes: `acme_`, then `l` + `ive_` or `t` + `est_`. Classifying costs O(length of the
// longest prefix that begins the key), whatever the number of entries (a first-byte index with entries
// sorted longest first would scan every entry sharing a first byte, which grows with the table). A table of
// N entries has at most 6 N - 1 nodes (see node_capacity), 32 bytes each. A lookup never reads past a leaf,
// so after a prefix that no longer one extends (`sk_live_`, `ghp_`) no byte of the key's secret part decides
// anything (a label's 8-byte load may reach up to 7 bytes past the label; they are masked off).
#ifndef KEYWARD_DETAIL_KEYS_PREFIX_HPP
#define KEYWARD_DETAIL_KEYS_PREFIX_HPP

#include "../config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace keyward::detail::keys_prefix {

/// The longest prefix a table may hold (keys::max_prefix_length).
inline constexpr std::size_t max_length = 32;
/// The largest table: indexes are 16 bits, and build() goes through a byte trie of up to 32 N + 1 nodes.
inline constexpr std::size_t max_entries = 2047;
/// A node that ends no entry.
inline constexpr std::uint16_t no_entry = 0xFFFF;
/// The code of a byte no prefix may hold.
inline constexpr std::uint8_t no_code = 0xFF;

/// Byte -> trie code: '0'-'9' 0-9, 'A'-'Z' 10-35, 'a'-'z' 36-61, '-' 62, '_' 63, anything else no_code.
/// Indexed only by prefix bytes and the public bytes that follow them, never by a key's secret part.
struct code_table {
  std::uint8_t code[256];
};

constexpr code_table make_code_table() noexcept {
  code_table table{};
  for (int b = 0; b < 256; ++b) {
    std::uint8_t code = no_code;
    if (b >= '0' && b <= '9') code = static_cast<std::uint8_t>(b - '0');
    if (b >= 'A' && b <= 'Z') code = static_cast<std::uint8_t>(b - 'A' + 10);
    if (b >= 'a' && b <= 'z') code = static_cast<std::uint8_t>(b - 'a' + 36);
    if (b == '-') code = 62;
    if (b == '_') code = 63;
    table.code[b] = code;
  }
  return table;
}

inline constexpr code_table codes = make_code_table();

/// The trie code of `c`, or no_code.
constexpr std::uint8_t code_of(char c) noexcept { return codes.code[static_cast<unsigned char>(c)]; }

/// The byte of trie code `code` (0-63): the inverse of code_of().
constexpr char char_of(unsigned code) noexcept {
  return static_cast<char>(code < 10 ? '0' + code : code < 36 ? 'A' + (code - 10) : code < 62 ? 'a' + (code - 36)
                                                                                  : code == 62 ? '-' : '_');
}

/// The number of set bits of `word`.
constexpr unsigned popcount(std::uint64_t word) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__POPCNT__)
  return static_cast<unsigned>(__builtin_popcountll(word));  // one instruction; a libgcc call without POPCNT
#else
  word = word - ((word >> 1) & 0x5555555555555555u);
  word = (word & 0x3333333333333333u) + ((word >> 2) & 0x3333333333333333u);
  word = (word + (word >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
  return static_cast<unsigned>((word * 0x0101010101010101u) >> 56);
#endif
}

/// The most bytes of one node's label.
inline constexpr std::size_t max_label = 8;

/// One node of the index: the label that must follow, the entry that ends after it, the codes that continue.
struct node {
  /// The label's bytes, the first in the low 8 bits, 0 beyond label_length.
  std::uint64_t label = 0;
  /// 0xFF in the bytes of the label, 0 beyond.
  std::uint64_t label_mask = 0;
  /// Bit c: a child for code c, reached by one more byte after the label; 0 for a leaf.
  std::uint64_t children = 0;
  std::uint16_t first_child = 0;
  /// The entry whose prefix ends after the label, or no_entry.
  std::uint16_t entry = no_entry;
  std::uint8_t label_length = 0;
};

/// The one node of an empty table (a default prefix_set): no label, no child, no entry.
inline constexpr node empty_root{};

/// Negative, zero or positive as `a` sorts before, with or after `b` in code order (a prefix of a string
/// sorts before it). Both hold only bytes with a code.
constexpr int compare(std::string_view a, std::string_view b) noexcept {
  const std::size_t common = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < common; ++i) {
    const int d = int{code_of(a[i])} - int{code_of(b[i])};
    if (d != 0) return d;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

/// The number of nodes a table of N entries reserves: 6 N + 1. Every node but the root is the child of a
/// node whose label stopped at a byte-trie node that branches (children of branching nodes: at most
/// 2 N - 2), that ends an entry with one child (at most N), or after 8 bytes (the parent's label and the
/// child's byte take 9 of a path's at most 32 bytes: at most 3 per path, 3 N).
constexpr std::size_t node_capacity(std::size_t entries) noexcept { return 6 * entries + 1; }

/// A node of the uncompressed trie that build() starts from (one per distinct prefix of a prefix).
struct trie_node {
  std::uint64_t children = 0;
  std::uint16_t first_child = 0;
  std::uint16_t entry = no_entry;
};

/// Called when build() would exceed node_capacity(): never, by the bound above; not constexpr, so a
/// constexpr table would fail to compile rather than overflow.
[[noreturn]] inline void index_capacity_exceeded() noexcept { std::abort(); }

/// Builds the index of the N valid, distinct prefixes `entries[i].prefix` into `nodes`
/// (value-initialized). First the byte trie, breadth first: a trie node is a run [lo, hi) of the entries
/// sorted in code order that share its first `depth` bytes, and all children of a node are appended
/// together, so they are contiguous and in code order. Then the compressed nodes, breadth first too: a
/// node starting at trie node t takes the chain of single children from t as its label (up to 8 bytes,
/// stopping after a node with an entry; empty when t itself ends an entry), and its children start at the
/// children of the trie node where the label ends. Compile-time cost O(N log N + sum of lengths) besides the
/// sort.
template <std::size_t N, class Entry>
constexpr void build(const std::array<Entry, N>& entries, std::array<node, node_capacity(N)>& nodes) noexcept {
  constexpr std::size_t trie_capacity = N * max_length + 1;
  std::array<std::uint16_t, N> order{};
  for (std::size_t i = 0; i < N; ++i) order[i] = static_cast<std::uint16_t>(i);
  for (std::size_t i = 1; i < N; ++i) {  // insertion sort: tables are small and this runs at compile time
    const std::uint16_t moving = order[i];
    std::size_t j = i;
    for (; j > 0 && compare(entries[order[j - 1]].prefix, entries[moving].prefix) > 0; --j) order[j] = order[j - 1];
    order[j] = moving;
  }
  std::array<trie_node, trie_capacity> trie{};
  std::array<std::uint16_t, trie_capacity> lo{}, hi{};
  std::array<std::uint8_t, trie_capacity> depth{};
  hi[0] = static_cast<std::uint16_t>(N);
  std::size_t count = 1;
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t a = lo[k];
    const std::size_t b = hi[k] < N ? hi[k] : N;  // always hi[k]; the bound is for the optimiser's warnings
    const std::size_t d = depth[k];
    if (a < b && entries[order[a]].prefix.size() == d) trie[k].entry = order[a++];
    trie[k].first_child = static_cast<std::uint16_t>(count);
    while (a < b) {
      const std::uint8_t c = code_of(entries[order[a]].prefix[d]);
      std::size_t e = a + 1;
      while (e < b && code_of(entries[order[e]].prefix[d]) == c) ++e;
      trie[k].children |= std::uint64_t{1} << c;
      lo[count] = static_cast<std::uint16_t>(a);
      hi[count] = static_cast<std::uint16_t>(e);
      depth[count] = static_cast<std::uint8_t>(d + 1);
      ++count;
      a = e;
    }
  }
  std::array<std::uint16_t, node_capacity(N)> start{};  // the trie node where each compressed node starts
  std::size_t made = 1;
  for (std::size_t k = 0; k < made; ++k) {
    std::size_t at = start[k];
    std::size_t length = 0;
    std::uint64_t label = 0;
    if (trie[at].entry == no_entry) {
      while (length < max_label && popcount(trie[at].children) == 1) {
        unsigned code = 0;
        while (((trie[at].children >> code) & 1u) == 0) ++code;
        label |= std::uint64_t{static_cast<unsigned char>(char_of(code))} << (8 * length);
        at = trie[at].first_child;
        ++length;
        if (trie[at].entry != no_entry) break;
      }
    }
    node& out = nodes[k];
    out.label = label;
    out.label_mask = length == 0 ? 0 : ~std::uint64_t{0} >> (64 - 8 * length);
    out.label_length = static_cast<std::uint8_t>(length);
    out.entry = trie[at].entry;
    out.children = trie[at].children;
    out.first_child = static_cast<std::uint16_t>(made);
    const unsigned child_count = popcount(trie[at].children);
    if (made + child_count > node_capacity(N)) index_capacity_exceeded();
    for (unsigned j = 0; j < child_count; ++j) start[made++] = static_cast<std::uint16_t>(trie[at].first_child + j);
  }
}

/// The 8 bytes at `p`, the first in the low 8 bits: one load at run time on little-endian targets.
constexpr std::uint64_t load8(const char* p) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (!__builtin_is_constant_evaluated()) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    return word;
  }
#endif
  std::uint64_t word = 0;
  for (std::size_t j = 0; j < 8; ++j) word |= std::uint64_t{static_cast<unsigned char>(p[j])} << (8 * j);
  return word;
}

/// The index of the entry with the longest prefix that begins `key`, or no_entry: per node, the label is
/// compared in one step, then one byte chooses the child; the walk stops at a leaf, at a label that does
/// not follow, or at a byte that continues no prefix. The bytes that decide a branch are those of the
/// matched prefix and, only where a longer prefix of the table begins the same way, the bytes after it up to
/// the end of the label or the byte where they differ from every such longer prefix. A label's step loads 8
/// bytes when the key has them (the bytes past the label are masked off before any decision).
constexpr std::uint16_t longest_match(const node* nodes, std::string_view key) noexcept {
  std::uint16_t best = no_entry;
  const node* here = nodes;
  std::size_t i = 0;
  const std::size_t size = key.size();
  const char* bytes = key.data();
  for (;;) {
    if (here->label_length != 0) {
      const std::size_t length = here->label_length;
      if (size - i < length) break;
      std::uint64_t word = 0;
      if (size - i >= 8) {
        word = load8(bytes + i);
      } else {
        for (std::size_t j = 0; j < length; ++j) word |= std::uint64_t{static_cast<unsigned char>(bytes[i + j])} << (8 * j);
      }
      if (((word ^ here->label) & here->label_mask) != 0) break;
      i += length;
    }
    if (here->entry != no_entry) best = here->entry;
    const std::uint64_t children = here->children;
    // a leaf: no longer prefix continues, so the next byte is not even read
    if (children == 0 || i >= size) break;
    const std::uint8_t c = code_of(bytes[i]);
    if (c == no_code) break;
    const std::uint64_t bit = std::uint64_t{1} << c;
    if ((children & bit) == 0) break;
    // the rank of the code among the node's children; the first child skips the popcount (a dozen
    // instructions on targets without POPCNT)
    const std::uint64_t below = children & (bit - 1);
    here = nodes + here->first_child + (below == 0 ? 0u : popcount(below));
    ++i;
  }
  return best;
}

// What make_prefix_table() calls for a malformed table. None is constexpr, so a constexpr table that calls
// one fails to compile with the function's name in the error; at run time each aborts (a programming error:
// prefix_table<N>::make() reports it as an error instead).
[[noreturn]] inline void table_has_empty_prefix() noexcept { std::abort(); }
[[noreturn]] inline void table_has_prefix_longer_than_32_bytes() noexcept { std::abort(); }
[[noreturn]] inline void table_has_prefix_byte_outside_0_9_A_Z_a_z_underscore_hyphen() noexcept { std::abort(); }
[[noreturn]] inline void table_has_same_prefix_twice() noexcept { std::abort(); }

}  // namespace keyward::detail::keys_prefix

#endif  // KEYWARD_DETAIL_KEYS_PREFIX_HPP
