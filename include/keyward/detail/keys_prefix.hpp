// keyward (private): the lookup index of keys::prefix_table, a trie over the 64 bytes a key prefix may hold
// ([0-9A-Za-z_-]), built at compile time. Each node keeps a 64-bit mask of the bytes that continue it and the
// index of its first child; children are stored contiguously in byte-code order, so the child for code c is
// first_child + popcount(mask & (2^c - 1)). One step per byte of the key: classifying costs O(length of the
// longest prefix that begins the key), whatever the number of entries (a first-byte index with entries sorted
// longest first would scan every entry sharing a first byte, which grows with the table). The node count is
// bounded by 1 + the sum of the prefix lengths, so a table of N entries reserves 32 N + 1 nodes (16 bytes
// each). A lookup never reads past a leaf, so after a prefix that no longer one extends (`sk_live_`, `ghp_`)
// not one byte of the key's secret part is read.
#ifndef KEYWARD_DETAIL_KEYS_PREFIX_HPP
#define KEYWARD_DETAIL_KEYS_PREFIX_HPP

#include "../config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace keyward::detail::keys_prefix {

/// The longest prefix a table may hold (keys::max_prefix_length).
inline constexpr std::size_t max_length = 32;
/// The largest table: node indexes are 16 bits and a table reserves 32 N + 1 nodes.
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

/// One trie node: which codes continue it, where its children start, which entry (if any) ends here.
struct node {
  std::uint64_t children = 0;
  std::uint16_t first_child = 0;
  std::uint16_t entry = no_entry;
};

/// The one node of an empty table (a default prefix_set): no child, no entry.
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

/// The number of nodes a table of N entries reserves.
constexpr std::size_t node_capacity(std::size_t entries) noexcept { return entries * max_length + 1; }

/// Builds the trie of the N valid, distinct prefixes `entries[i].prefix` into `nodes` (node_capacity(N)
/// of them, value-initialized). Breadth first: a node is a run [lo, hi) of the entries sorted in code order
/// that share its first `depth` bytes, and all children of a node are appended together, so they are
/// contiguous and in code order. Compile-time cost O(N log N + sum of lengths) besides the sort.
template <std::size_t N, class Entry>
constexpr void build(const std::array<Entry, N>& entries, std::array<node, node_capacity(N)>& nodes) noexcept {
  std::array<std::uint16_t, N> order{};
  for (std::size_t i = 0; i < N; ++i) order[i] = static_cast<std::uint16_t>(i);
  for (std::size_t i = 1; i < N; ++i) {  // insertion sort: tables are small and this runs at compile time
    const std::uint16_t moving = order[i];
    std::size_t j = i;
    for (; j > 0 && compare(entries[order[j - 1]].prefix, entries[moving].prefix) > 0; --j) order[j] = order[j - 1];
    order[j] = moving;
  }
  std::array<std::uint16_t, node_capacity(N)> lo{}, hi{};
  std::array<std::uint8_t, node_capacity(N)> depth{};
  hi[0] = static_cast<std::uint16_t>(N);
  std::size_t count = 1;
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t a = lo[k];
    const std::size_t b = hi[k] < N ? hi[k] : N;  // always hi[k]; the bound is for the optimiser's warnings
    const std::size_t d = depth[k];
    if (a < b && entries[order[a]].prefix.size() == d) nodes[k].entry = order[a++];
    nodes[k].first_child = static_cast<std::uint16_t>(count);
    while (a < b) {
      const std::uint8_t c = code_of(entries[order[a]].prefix[d]);
      std::size_t e = a + 1;
      while (e < b && code_of(entries[order[e]].prefix[d]) == c) ++e;
      nodes[k].children |= std::uint64_t{1} << c;
      lo[count] = static_cast<std::uint16_t>(a);
      hi[count] = static_cast<std::uint16_t>(e);
      depth[count] = static_cast<std::uint8_t>(d + 1);
      ++count;
      a = e;
    }
  }
}

/// The index of the entry with the longest prefix that begins `key`, or no_entry: one trie step per byte,
/// stopping at a leaf or at the first byte that continues no prefix. The bytes read are those of the
/// matched prefix and, only where a longer prefix of the table begins the same way, the bytes after it up
/// to the first that differs from every such longer prefix.
constexpr std::uint16_t longest_match(const node* nodes, std::string_view key) noexcept {
  std::uint16_t best = no_entry;
  std::size_t at = 0;
  const std::size_t end = key.size() < max_length ? key.size() : max_length;
  for (std::size_t i = 0; i < end; ++i) {
    const std::uint64_t children = nodes[at].children;
    if (children == 0) break;  // a leaf: no longer prefix continues, so the next byte is not even read
    const std::uint8_t c = code_of(key[i]);
    if (c == no_code) break;
    const std::uint64_t bit = std::uint64_t{1} << c;
    if ((children & bit) == 0) break;
    // the rank of the code among the node's children; a node with one child (most, in a chain such as
    // "live_") skips the popcount, a libgcc call on targets without POPCNT
    const std::uint64_t below = children & (bit - 1);
    at = nodes[at].first_child + (below == 0 ? 0u : popcount(below));
    if (nodes[at].entry != no_entry) best = nodes[at].entry;
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
