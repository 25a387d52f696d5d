// keyward (private): the machinery of keys/scan.hpp that knows nothing of key formats: the prefix filter
// that finds candidate positions (a scalar loop, and 32- or 64-byte kernels in keys_scan_x86.hpp chosen at run
// time like Base64's), the alphabets of scan patterns, and the bounded window that lets a stream be scanned
// chunk by chunk with exactly the decisions of a one-shot scan.
//
// The filter, after Hyperscan's "Teddy": each distinct pair of first two prefix bytes goes to one of 8
// buckets (one each when there are at most 8 pairs; pairs sorted and grouped otherwise). A position i is a
// candidate when some bucket accepts the byte at i as a first byte and the byte at i + 1 as a second byte
// (a bucket of a 1-byte prefix accepts any second byte, and the end of the text), and the byte before i, if
// any, is not a word byte [0-9A-Za-z_-]. The SIMD kernels look bytes up by their low and high nibble
// (VPSHUFB): a bucket shared by several pairs accepts their cross product, and the word-byte test is exact,
// so a kernel's candidates are a superset of the true prefix starts; every candidate is then decided by the
// same scalar code, which is why every kernel reports the same matches.
#ifndef KEYWARD_DETAIL_KEYS_SCAN_HPP
#define KEYWARD_DETAIL_KEYS_SCAN_HPP

#include "../config.hpp"
#include "cpu.hpp"
#include "keys_format.hpp"
#include "keys_prefix.hpp"
#include "keys_scan_x86.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace keyward::detail::keys_scan {

/// Byte classes: bit 0 base62 [0-9A-Za-z], bit 1 base62 plus '-' and '_', bit 2 hex [0-9A-Fa-f], bit 3
/// lower-case hex [0-9a-f], bit 4 word byte [0-9A-Za-z_-] (what may not precede a match).
struct class_table {
  std::uint8_t bits[256];
};

inline constexpr std::uint8_t base62_bit = 1u << 0;
inline constexpr std::uint8_t base62_url_bit = 1u << 1;
inline constexpr std::uint8_t hex_bit = 1u << 2;
inline constexpr std::uint8_t hex_lower_bit = 1u << 3;
inline constexpr std::uint8_t word_bit = 1u << 4;

/// The classes of every byte: base62 as keys_format::is_base62() says, word bytes as the prefix alphabet of
/// keys_prefix::code_of() (which is base62 plus '-' and '_'), hex by range.
constexpr class_table make_class_table() noexcept {
  class_table t{};
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<unsigned char>(b);
    const bool digit = b >= '0' && b <= '9';
    unsigned bits = 0;
    if (keys_format::is_base62(c) != 0) bits |= base62_bit;
    if (keys_prefix::code_of(static_cast<char>(c)) != keys_prefix::no_code) bits |= base62_url_bit | word_bit;
    if (digit || (b >= 'A' && b <= 'F') || (b >= 'a' && b <= 'f')) bits |= hex_bit;
    if (digit || (b >= 'a' && b <= 'f')) bits |= hex_lower_bit;
    t.bits[b] = static_cast<std::uint8_t>(bits);
  }
  return t;
}

inline constexpr class_table classes = make_class_table();

/// True for a word byte [0-9A-Za-z_-].
constexpr bool is_word(unsigned char c) noexcept { return (classes.bits[c] & word_bit) != 0; }

/// The number of bytes of class `bit` from data[from], stopping at `size` or after `cap` bytes.
inline std::size_t run_length(const char* data, std::size_t from, std::size_t size, std::uint8_t bit,
                              std::size_t cap) noexcept {
  const std::size_t end = size - from < cap ? size : from + cap;
  std::size_t i = from;
  while (i < end && (classes.bits[static_cast<unsigned char>(data[i])] & bit) != 0) ++i;
  return i - from;
}

/// The candidate filter of a set of prefixes (see the top of this file).
struct prefix_filter {
  std::uint8_t first[256] = {};   ///< buckets accepting the byte as a first byte
  std::uint8_t second[256] = {};  ///< buckets accepting the byte as a second byte
  std::uint8_t at_end = 0;        ///< buckets accepting the end of the text as the second byte (1-byte prefixes)
  /// VPSHUFB tables: buckets by low and high nibble of the first byte (0, 1), of the second byte (2, 3).
  std::uint8_t nibbles[4][16] = {};
};

/// The filter of the prefixes prefix(0) ... prefix(count - 1) (non-empty strings of bytes below 0x80).
template <class PrefixAt>
prefix_filter make_filter(std::size_t count, PrefixAt&& prefix_at) {
  // a pair: first byte << 9 | second byte, or first byte << 9 | 256 for a 1-byte prefix
  std::unique_ptr<unsigned[]> pairs(new unsigned[count == 0 ? 1 : count]);
  for (std::size_t k = 0; k < count; ++k) {
    const std::string_view p = prefix_at(k);
    pairs[k] = (unsigned{static_cast<unsigned char>(p[0])} << 9) |
               (p.size() > 1 ? unsigned{static_cast<unsigned char>(p[1])} : 256u);
  }
  std::sort(pairs.get(), pairs.get() + count);
  const std::size_t distinct = static_cast<std::size_t>(std::unique(pairs.get(), pairs.get() + count) - pairs.get());
  prefix_filter f;
  for (std::size_t k = 0; k < distinct; ++k) {
    const auto bucket = static_cast<std::uint8_t>(1u << (distinct <= 8 ? k : k * 8 / distinct));
    const unsigned a = pairs[k] >> 9;
    const unsigned b = pairs[k] & 511u;
    f.first[a] = static_cast<std::uint8_t>(f.first[a] | bucket);
    f.nibbles[0][a & 15u] = static_cast<std::uint8_t>(f.nibbles[0][a & 15u] | bucket);
    f.nibbles[1][a >> 4] = static_cast<std::uint8_t>(f.nibbles[1][a >> 4] | bucket);
    if (b == 256) {
      f.at_end = static_cast<std::uint8_t>(f.at_end | bucket);
      for (unsigned c = 0; c < 256; ++c) f.second[c] = static_cast<std::uint8_t>(f.second[c] | bucket);
      for (unsigned n = 0; n < 16; ++n) {
        f.nibbles[2][n] = static_cast<std::uint8_t>(f.nibbles[2][n] | bucket);
        f.nibbles[3][n] = static_cast<std::uint8_t>(f.nibbles[3][n] | bucket);
      }
    } else {
      f.second[b] = static_cast<std::uint8_t>(f.second[b] | bucket);
      f.nibbles[2][b & 15u] = static_cast<std::uint8_t>(f.nibbles[2][b & 15u] | bucket);
      f.nibbles[3][b >> 4] = static_cast<std::uint8_t>(f.nibbles[3][b >> 4] | bucket);
    }
  }
  return f;
}

/// True when position `i` of data[0, size) is a candidate (see the top of this file); position 0 is the start
/// of the text, which no byte precedes.
inline bool candidate_at(const prefix_filter& f, const unsigned char* data, std::size_t size, std::size_t i) noexcept {
  const std::uint8_t a = f.first[data[i]];
  if (a == 0) return false;
  const std::uint8_t b = i + 1 < size ? f.second[data[i + 1]] : f.at_end;
  return (a & b) != 0 && (i == 0 || !is_word(data[i - 1]));
}

/// Calls on_candidate(i) for every candidate position i in [from, to), in increasing order, one byte at a time.
template <class OnCandidate>
void for_each_candidate_scalar(const prefix_filter& f, const char* text, std::size_t size, std::size_t from,
                               std::size_t to, OnCandidate& on_candidate) {
  const auto* data = reinterpret_cast<const unsigned char*>(text);
  for (std::size_t i = from; i < to; ++i)
    if (f.first[data[i]] != 0 && candidate_at(f, data, size, i)) on_candidate(i);
}

/// Calls on_candidate(i) for every candidate position i in [from, to) of text[0, size), in increasing order
/// (to <= size), with the fastest kernel that may run: AVX-512 BW (the avx512vbmi kernel bit) 64 positions
/// at a time, AVX2 32 at a time, else the scalar loop; the first position and the last ones, which the
/// vector loads would overrun, go to the scalar loop. The kernels read text[0, size) only. The callback may
/// change bytes before the position it is given, never after it.
template <class OnCandidate>
void for_each_candidate(const prefix_filter& f, const char* text, std::size_t size, std::size_t from, std::size_t to,
                        OnCandidate& on_candidate) {
#if KEYWARD_X86_SIMD
  if (to - from >= 128 && (cpu::has(cpu::avx512vbmi) || cpu::has(cpu::avx2))) {
    const auto* data = reinterpret_cast<const unsigned char*>(text);
    if (from == 0) {
      if (candidate_at(f, data, size, 0)) on_candidate(std::size_t{0});
      from = 1;
    }
    from = cpu::has(cpu::avx512vbmi) ? candidates_avx512(f.nibbles, text, size, from, to, on_candidate)
                                     : candidates_avx2(f.nibbles, text, size, from, to, on_candidate);
  }
#endif
  for_each_candidate_scalar(f, text, size, from, to, on_candidate);
}

/// The bounded tail of a stream: a position s is decided once the `window` bytes after it are known (a
/// decision reads text[s, s + window]), so only the last `window` bytes, whose positions are undecided, plus
/// the byte before them (for the word-boundary test) must be kept. Chunks are copied in pieces of at most
/// `piece` bytes into a buffer of window + 1 + piece bytes, allocated once, at construction; the kept bytes
/// are moved to its front only when the next piece would not fit, so that small pieces cost no move each.
class stream_window {
 public:
  stream_window(std::size_t window, std::size_t piece)
      : buffer_(new char[window + 1 + piece]), window_(window), piece_(piece) {}

  /// Appends `chunk`; for each piece, calls decide(data, size, from, to, offset) to decide positions [from,
  /// to) of data[0, size) (`offset`: the stream offset of data[0]; position 0 is the start of the stream,
  /// which no byte precedes), then flush(data, offset, decided) with the stream offset below which every
  /// position is decided.
  template <class Decide, class Flush>
  void feed(std::string_view chunk, Decide& decide, Flush& flush) {
    const char* in = chunk.data();
    std::size_t left = chunk.size();
    while (left != 0) {
      const std::size_t take = left < piece_ ? left : piece_;
      if (window_ + 1 + piece_ - length_ < take) {
        // keep [decided_ - 1, total_): at most window_ + 1 bytes, so that a whole piece fits behind them
        const std::size_t keep_from = decided_ > 0 ? decided_ - 1 : 0;
        std::memmove(buffer_.get(), buffer_.get() + (keep_from - start_), total_ - keep_from);
        start_ = keep_from;
        length_ = total_ - keep_from;
      }
      std::memcpy(buffer_.get() + length_, in, take);
      in += take;
      left -= take;
      length_ += take;
      total_ += take;
      const std::size_t frontier = total_ > window_ ? total_ - window_ : 0;
      if (frontier > decided_) {
        decide(static_cast<const char*>(buffer_.get()), length_, decided_ - start_, frontier - start_, start_);
        decided_ = frontier;
      }
      flush(static_cast<const char*>(buffer_.get()), start_, decided_);
    }
  }

  /// Decides the positions left, knowing the stream ends, flushes everything, and starts a new stream.
  template <class Decide, class Flush>
  void finish(Decide& decide, Flush& flush) {
    if (total_ > decided_) decide(static_cast<const char*>(buffer_.get()), length_, decided_ - start_, length_, start_);
    flush(static_cast<const char*>(buffer_.get()), start_, total_);
    start_ = length_ = total_ = decided_ = 0;
  }

  /// The bytes fed since the stream started.
  std::size_t total() const noexcept { return total_; }

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t window_;
  std::size_t piece_;
  std::size_t start_ = 0;    // stream offset of buffer_[0]
  std::size_t length_ = 0;   // bytes held
  std::size_t total_ = 0;    // bytes fed
  std::size_t decided_ = 0;  // every position below is decided
};

}  // namespace keyward::detail::keys_scan

#endif  // KEYWARD_DETAIL_KEYS_SCAN_HPP
