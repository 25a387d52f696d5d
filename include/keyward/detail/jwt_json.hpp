// keyward: private strict JSON reading for jwt/json.hpp (RFC 8259): the validating parser, and the walkers and
// decoders that run over text it has already validated (so they need no bounds checks beyond its brackets).
#ifndef KEYWARD_DETAIL_JWT_JSON_HPP
#define KEYWARD_DETAIL_JWT_JSON_HPP

#include "../config.hpp"
#include "../error.hpp"
#include "utf8.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if KEYWARD_X86_SIMD
#include <emmintrin.h>
#endif

namespace keyward::detail::jwt_json {

/// What a byte means inside a string (RFC 8259 section 7): copied as it is, or one of the bytes that stop the
/// fast scan.
enum string_class : unsigned char {
  plain = 0,      ///< unescaped ASCII, copied as it is
  quote = 1,      ///< '"', the end of the string
  backslash = 2,  ///< '\', an escape
  control = 3,    ///< U+0000 to U+001F, which must be escaped
  high = 4,       ///< a byte of a multi-byte UTF-8 sequence
};

/// Per-byte tables: the string class and the value of a hex digit (0xFF when not one).
struct byte_tables {
  std::array<unsigned char, 256> string_class{};
  std::array<unsigned char, 256> hex{};
};

constexpr byte_tables make_tables() noexcept {
  byte_tables t{};
  for (int c = 0; c < 256; ++c) {
    unsigned char k = plain;
    if (c < 0x20) k = control;
    if (c >= 0x80) k = high;
    if (c == '"') k = quote;
    if (c == '\\') k = backslash;
    t.string_class[static_cast<std::size_t>(c)] = k;
    unsigned char h = 0xFF;
    if (c >= '0' && c <= '9') h = static_cast<unsigned char>(c - '0');
    if (c >= 'a' && c <= 'f') h = static_cast<unsigned char>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') h = static_cast<unsigned char>(c - 'A' + 10);
    t.hex[static_cast<std::size_t>(c)] = h;
  }
  return t;
}

inline constexpr byte_tables tables = make_tables();

constexpr bool is_whitespace(unsigned char c) noexcept {  // RFC 8259 section 2: ws
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

constexpr bool is_digit(unsigned char c) noexcept { return static_cast<unsigned char>(c - '0') < 10; }

/// The number of UTF-8 bytes of the code point `cp` (below 0x110000, not a surrogate).
constexpr std::size_t utf8_size(std::uint32_t cp) noexcept {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/// Writes the UTF-8 form of `cp` at `out` and returns its size.
constexpr std::size_t put_utf8(std::uint32_t cp, unsigned char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<unsigned char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<unsigned char>(0xC0 | (cp >> 6));
    out[1] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<unsigned char>(0xE0 | (cp >> 12));
    out[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<unsigned char>(0xF0 | (cp >> 18));
  out[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
  return 4;
}

// ---------------------------------------------------------------------------------------------------------
// Over validated text: every function below trusts that the bytes were accepted by parser.

/// The four hex digits at `p` of a validated \u escape.
constexpr std::uint32_t hex4(const char* p) noexcept {
  std::uint32_t value = 0;
  for (int k = 0; k < 4; ++k) value = value << 4 | tables.hex[static_cast<unsigned char>(p[k])];
  return value;
}

/// Decodes the validated escape at `p` (its '\') into `out` (room for 4 bytes); returns the size written and
/// sets `consumed` to the escape's size in the text (2, 6 or 12 for a surrogate pair).
constexpr std::size_t decode_escape(const char* p, unsigned char* out, std::size_t& consumed) noexcept {
  consumed = 2;
  switch (p[1]) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': {
      std::uint32_t cp = hex4(p + 2);
      consumed = 6;
      if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low surrogate escape follows
        cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 8) - 0xDC00);
        consumed = 12;
      }
      return put_utf8(cp, out);
    }
    default: out[0] = static_cast<unsigned char>(p[1]); return 1;  // '"', '\\' or '/'
  }
}

/// The decoded bytes of a validated string's content, one at a time.
class decoder {
 public:
  constexpr decoder(const char* begin, const char* end) noexcept : p_(begin), end_(end) {}
  /// True when every byte was taken.
  constexpr bool done() const noexcept { return pending_ == taken_ && p_ == end_; }
  /// The next decoded byte; only when !done().
  constexpr unsigned char next() noexcept {
    if (taken_ < pending_) return buffer_[taken_++];
    if (*p_ != '\\') return static_cast<unsigned char>(*p_++);
    std::size_t consumed = 0;
    pending_ = decode_escape(p_, buffer_, consumed);
    p_ += consumed;
    taken_ = 1;
    return buffer_[0];
  }

 private:
  const char* p_;
  const char* end_;
  unsigned char buffer_[4] = {};
  std::size_t pending_ = 0;
  std::size_t taken_ = 0;
};

/// True when the validated string content [begin, end) decodes to exactly `utf8`.
constexpr bool content_equals(const char* begin, const char* end, std::string_view utf8) noexcept {
  const auto raw = static_cast<std::size_t>(end - begin);
  if (raw == utf8.size()) {  // same size: equal only without escapes, so the raw bytes must match
    return std::char_traits<char>::compare(begin, utf8.data(), raw) == 0 &&
           std::char_traits<char>::find(utf8.data(), raw, '\\') == nullptr;
  }
  if (raw < utf8.size()) return false;  // decoding never lengthens
  decoder d(begin, end);
  for (const char c : utf8) {
    if (d.done() || d.next() != static_cast<unsigned char>(c)) return false;
  }
  return d.done();
}

/// True when two validated string contents decode to the same bytes.
constexpr bool contents_equal(const char* a, const char* a_end, const char* b, const char* b_end) noexcept {
  decoder x(a, a_end);
  decoder y(b, b_end);
  while (!x.done() && !y.done()) {
    if (x.next() != y.next()) return false;
  }
  return x.done() && y.done();
}

/// The decoded size of the validated string content [begin, end).
constexpr std::size_t decoded_size(const char* begin, const char* end) noexcept {
  std::size_t size = 0;
  const char* p = begin;
  while (p != end) {
    if (*p != '\\') {
      ++p;
      ++size;
      continue;
    }
    unsigned char scratch[4] = {};
    std::size_t consumed = 0;
    size += decode_escape(p, scratch, consumed);
    p += consumed;
  }
  return size;
}

/// Writes the decoded validated content [begin, end) at `out`, which has room for decoded_size() bytes.
inline void decode_into(const char* begin, const char* end, char* out) noexcept {
  const char* p = begin;
  const char* stop = end;
  auto* o = reinterpret_cast<unsigned char*>(out);
  while (p != stop) {
    const char* run = p;
    while (p != stop && *p != '\\') ++p;
    if (p != run) {
      std::memcpy(o, run, static_cast<std::size_t>(p - run));
      o += p - run;
    }
    if (p == stop) break;
    std::size_t consumed = 0;
    o += decode_escape(p, o, consumed);
    p += consumed;
  }
}

#if KEYWARD_X86_SIMD
/// The bits of the 16 bytes at `p` (SSE2): bit k set when byte k is '"' or '\', and, when `strict`, also when
/// it is below 0x20 or above 0x7F (a signed compare puts those below 0x20 together).
inline unsigned special_bytes(const char* p, bool strict) noexcept {
  const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\\')));
  if (strict) hits = _mm_or_si128(hits, _mm_cmplt_epi8(block, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(hits));
}

/// special_bytes(p, true), with the bits of the '"' bytes alone in `quotes`.
inline unsigned special_bytes(const char* p, unsigned& quotes) noexcept {
  const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i quote = _mm_cmpeq_epi8(block, _mm_set1_epi8('"'));
  quotes = static_cast<unsigned>(_mm_movemask_epi8(quote));
  const __m128i other =
      _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('\\')), _mm_cmplt_epi8(block, _mm_set1_epi8(0x20)));
  return quotes | static_cast<unsigned>(_mm_movemask_epi8(other));
}
#endif

/// Past the validated string whose opening quote is at `p`; `end` bounds the text (the string ends before).
inline const char* string_end(const char* p, const char* end) noexcept {
  ++p;
#if KEYWARD_X86_SIMD
  while (end - p >= 16) {
    const unsigned hits = special_bytes(p, false);
    if (hits == 0) {
      p += 16;
      continue;
    }
    p += __builtin_ctz(hits);
    if (*p == '"') return p + 1;
    p += 2;  // an escape: the byte after '\' never ends the string
  }
#else
  static_cast<void>(end);
#endif
  while (*p != '"') p += *p == '\\' ? 2 : 1;
  return p + 1;
}

/// Past whitespace at `p` (inside a validated container, which ends with a bracket).
constexpr const char* skip_ws(const char* p) noexcept {
  while (is_whitespace(static_cast<unsigned char>(*p))) ++p;
  return p;
}

/// Past the validated value at `p`, inside a container that ends before `end` (so a number or literal ends
/// before a byte of ",]}" or whitespace).
inline const char* skip_value(const char* p, const char* end) noexcept {
  switch (*p) {
    case '"': return string_end(p, end);
    case '{':
    case '[': {
      std::size_t depth = 0;
      for (;;) {
        const char c = *p;
        if (c == '"') {
          p = string_end(p, end);
          continue;
        }
        ++p;
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) return p;
      }
    }
    default:
      while (*p != ',' && *p != ']' && *p != '}' && !is_whitespace(static_cast<unsigned char>(*p))) ++p;
      return p;
  }
}

/// After the value that ends at `p` inside a container: the start of the next element or member (past the
/// ',' and whitespace), or the closing bracket.
constexpr const char* next_item(const char* p) noexcept {
  p = skip_ws(p);
  return *p == ',' ? skip_ws(p + 1) : p;
}

/// The value of the member whose name is [name, name_end) (quotes included).
constexpr const char* member_value(const char* name_end) noexcept { return skip_ws(skip_ws(name_end) + 1); }

// ---------------------------------------------------------------------------------------------------------
// Numbers: exact conversion of validated number text (RFC 8259 section 6) to int64.

/// The exact value of `number` (validated) as an int64: floored when `floor`, else only when it is an integer;
/// jwt_json_number_out_of_range when it does not fit (or, without `floor`, is not an integer).
constexpr result<std::int64_t> to_int64(std::string_view number, bool floor) noexcept {
  std::size_t i = 0;
  const bool negative = number[0] == '-';
  if (negative) ++i;
  const std::size_t digits_begin = i;
  while (i < number.size() && is_digit(static_cast<unsigned char>(number[i]))) ++i;
  const std::size_t int_end = i;
  std::size_t frac_begin = i;
  std::size_t frac_end = i;
  if (i < number.size() && number[i] == '.') {
    frac_begin = ++i;
    while (i < number.size() && is_digit(static_cast<unsigned char>(number[i]))) ++i;
    frac_end = i;
  }
  std::int64_t exponent = 0;  // saturated far beyond any exponent that can matter
  if (i < number.size()) {    // 'e' or 'E'
    ++i;
    bool exponent_negative = false;
    if (number[i] == '+' || number[i] == '-') exponent_negative = number[i++] == '-';
    for (; i < number.size(); ++i) {
      if (exponent < (std::int64_t{1} << 40)) exponent = exponent * 10 + (number[i] - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  // The digits, integer part then fraction, read as one sequence S: value = S * 10^(exponent - fraction size).
  const std::size_t int_count = int_end - digits_begin;
  const std::size_t total = int_count + (frac_end - frac_begin);
  const auto digit = [&](std::size_t k) -> unsigned {
    return static_cast<unsigned>(number[k < int_count ? digits_begin + k : frac_begin + (k - int_count)] - '0');
  };
  std::size_t first = 0;  // the first significant digit
  while (first < total && digit(first) == 0) ++first;
  if (first == total) return std::int64_t{0};
  // value = 0.d(first)...d(total-1) * 10^point, so `point` digits make the integer part.
  const std::int64_t point = static_cast<std::int64_t>(total - first) + exponent -
                             static_cast<std::int64_t>(frac_end - frac_begin);
  if (point > 19) return errc::jwt_json_number_out_of_range;  // at least 10^19 > 2^63
  std::uint64_t magnitude = 0;                                  // the integer part, below 10^19 < 2^64
  bool fraction = point <= 0;                                   // a non-zero digit after the point
  for (std::int64_t k = 0; k < point; ++k) {
    const std::size_t at = first + static_cast<std::size_t>(k);
    magnitude = magnitude * 10 + (at < total ? digit(at) : 0);
  }
  for (std::size_t at = first + static_cast<std::size_t>(point > 0 ? point : 0); !fraction && at < total; ++at) {
    fraction = digit(at) != 0;
  }
  if (fraction && !floor) return errc::jwt_json_number_out_of_range;
  constexpr std::uint64_t max = static_cast<std::uint64_t>(INT64_MAX);
  if (!negative) {
    if (magnitude > max) return errc::jwt_json_number_out_of_range;
    return static_cast<std::int64_t>(magnitude);
  }
  if (fraction) ++magnitude;  // floor of a negative non-integer: one further from zero
  if (magnitude > max + 1) return errc::jwt_json_number_out_of_range;
  return magnitude == max + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
}

// ---------------------------------------------------------------------------------------------------------
// The validating parser.

/// The limits a parser enforces (a copy of jwt::json_limits, which detail/ cannot name).
struct parse_limits {
  std::size_t max_depth;
  std::size_t max_members;
  std::size_t max_elements;
};

/// Checks that text[0, size) is exactly one JSON value with optional whitespace around it (RFC 8259 section 2)
/// within the limits, with UTF-8 checked and duplicate member names rejected. Recursion depth is bounded by
/// max_depth. On success, value_begin/value_end delimit the value.
class parser {
 public:
  parser(std::string_view text, const parse_limits& limits) noexcept
      : s_(reinterpret_cast<const unsigned char*>(text.data())), n_(text.size()), limits_(limits) {}

  /// Success, or the first error with its offset.
  result<void> run() noexcept {
    std::size_t i = skip_whitespace(0);
    value_begin = i;
    i = parse_value(i, 0);
    if (i == failed) return failure_;
    value_end = i;
    i = skip_whitespace(i);
    if (i != n_) {
      fail_syntax(i);
      return failure_;
    }
    return {};
  }

  std::size_t value_begin = 0;  ///< the value's first byte (after run() succeeded)
  std::size_t value_end = 0;    ///< past the value's last byte

 private:
  // Every parse_x(i, ...) below takes the offset of the first byte of what it reads and returns the offset
  // past it, or `failed` after recording the error in failure_: the position stays in a register.
  static constexpr std::size_t failed = SIZE_MAX;  // never an offset: the text is shorter than SIZE_MAX

  // A member name kept for duplicate detection: its content (without quotes), raw and decoded sizes.
  struct name_entry {
    std::uint64_t head;  // the first (up to) 8 decoded bytes, zero-padded: decides most comparisons alone
    const unsigned char* begin;
    std::uint32_t raw_size;
    std::uint32_t decoded_size;
  };
  // Names of every open object, as a stack (6 KiB). Headers and claims hold a few dozen names; past 256 open
  // names (which the default limits, 16 levels of 64, allow) an object whose names do not fit compares each
  // new name with the earlier ones by walking the object again: slower, still linear in its size per name.
  static constexpr std::size_t name_capacity = 256;

  std::size_t fail(errc code, std::size_t offset) noexcept {
    failure_ = keyward::error(code, offset);
    return failed;
  }

  // A syntax error at `offset`, unless the bytes there are ill-formed UTF-8 (text outside a string).
  std::size_t fail_syntax(std::size_t offset) noexcept {
    if (offset < n_ && s_[offset] >= 0x80 && utf8::sequence_length(s_ + offset, n_ - offset) == 0) {
      return fail(errc::jwt_json_invalid_utf8, offset);
    }
    return fail(errc::jwt_json_syntax, offset);
  }

  // Past the whitespace at i (RFC 8259 section 2); JWTs rarely have any, so one compare usually decides.
  std::size_t skip_whitespace(std::size_t i) const noexcept {
    return i < n_ && s_[i] <= ' ' ? skip_whitespace_run(i) : i;
  }
  std::size_t skip_whitespace_run(std::size_t i) const noexcept {
    while (i < n_ && is_whitespace(s_[i])) ++i;
    return i;
  }

  bool at(std::size_t i, unsigned char c) const noexcept { return i < n_ && s_[i] == c; }

  std::size_t parse_value(std::size_t i, std::size_t depth) noexcept {
    if (i >= n_) return fail_syntax(i);
    switch (s_[i]) {
      case '"': {
        std::size_t decoded = 0;
        return parse_string(i, decoded);
      }
      case '{': return parse_object(i, depth + 1);
      case '[': return parse_array(i, depth + 1);
      case 't': return parse_literal(i, "true", 4);
      case 'f': return parse_literal(i, "false", 5);
      case 'n': return parse_literal(i, "null", 4);
      default: return parse_number(i);
    }
  }

  std::size_t parse_literal(std::size_t i, const char* word, std::size_t size) noexcept {
    for (std::size_t k = 0; k < size; ++k) {
      if (i + k >= n_ || s_[i + k] != static_cast<unsigned char>(word[k])) return fail_syntax(i + k);
    }
    return i + size;
  }

  // RFC 8259 section 6: [ minus ] int [ frac ] [ exp ]; the byte after it is checked by the caller.
  std::size_t parse_number(std::size_t i) noexcept {
    if (s_[i] == '-') ++i;
    if (i < n_ && s_[i] == '0') {
      ++i;
    } else {
      if (i >= n_ || !is_digit(s_[i])) return fail_syntax(i);
      while (i < n_ && is_digit(s_[i])) ++i;
    }
    if (i < n_ && s_[i] == '.') {
      ++i;
      if (i >= n_ || !is_digit(s_[i])) return fail_syntax(i);
      while (i < n_ && is_digit(s_[i])) ++i;
    }
    if (i < n_ && (s_[i] | 0x20) == 'e') {
      ++i;
      if (i < n_ && (s_[i] == '+' || s_[i] == '-')) ++i;
      if (i >= n_ || !is_digit(s_[i])) return fail_syntax(i);
      while (i < n_ && is_digit(s_[i])) ++i;
    }
    return i;
  }

  // The four hex digits at i (within bounds); false with the offset of the first bad one.
  bool read_hex4(std::size_t i, std::uint32_t& cp) noexcept {
    cp = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
      const unsigned char h = k < n_ ? tables.hex[s_[k]] : 0xFF;
      if (h == 0xFF) {
        fail(errc::jwt_json_syntax, k < n_ ? k : n_);
        return false;
      }
      cp = cp << 4 | h;
    }
    return true;
  }

  // RFC 8259 section 7, at the opening quote `open`; `decoded` gets the decoded size. Lone surrogate escapes
  // are rejected (stricter than section 8.2). Most strings of a JWT are short and plain: when the 16 bytes
  // after the quote hold the closing quote before any byte that needs a look, this small part (inlined into
  // the callers) is all that runs.
  std::size_t parse_string(std::size_t open, std::size_t& decoded) noexcept {
#if KEYWARD_X86_SIMD
    if (KEYWARD_LIKELY(n_ - open > 16)) {
      unsigned quotes = 0;
      const unsigned hits = special_bytes(reinterpret_cast<const char*>(s_ + open + 1), quotes);
      const unsigned first = hits & (0u - hits);  // the lowest bit set, or 0
      if (KEYWARD_LIKELY((first & quotes) != 0)) {
        decoded = static_cast<std::size_t>(__builtin_ctz(first));
        return open + 1 + decoded + 1;
      }
    }
#endif
    return parse_any_string(open, decoded);
  }

  // parse_string() for any string: escapes, UTF-8, long strings, the end of the text.
  std::size_t parse_any_string(std::size_t open, std::size_t& decoded) noexcept {
    std::size_t i = open + 1;
    std::size_t shrink = 0;  // raw bytes minus decoded bytes, from escapes
    for (;;) {
#if KEYWARD_X86_SIMD
      if (KEYWARD_LIKELY(n_ - i >= 16)) {  // 16 bytes at a time while they fit
        const unsigned hits = special_bytes(reinterpret_cast<const char*>(s_ + i), true);
        if (hits == 0) {
          i += 16;
          continue;
        }
        i += static_cast<std::size_t>(__builtin_ctz(hits));
      } else if (n_ >= 16) {  // then the text's last 16 bytes, without the ones before i
        const unsigned hits = special_bytes(reinterpret_cast<const char*>(s_ + n_ - 16), true) >> (i - (n_ - 16));
        if (hits == 0) return fail(errc::jwt_json_syntax, n_);
        i += static_cast<std::size_t>(__builtin_ctz(hits));
      } else
#endif
      {
        while (i < n_ && tables.string_class[s_[i]] == plain) ++i;
        if (i >= n_) return fail(errc::jwt_json_syntax, n_);
      }
      if (KEYWARD_LIKELY(s_[i] == '"')) {
        decoded = i - open - 1 - shrink;
        return i + 1;
      }
      switch (tables.string_class[s_[i]]) {
        case control: return fail(errc::jwt_json_syntax, i);
        case high: {
          const std::size_t length = utf8::sequence_length(s_ + i, n_ - i);
          if (length == 0) return fail(errc::jwt_json_invalid_utf8, i);
          i += length;
          break;
        }
        default: {  // backslash
          if (i + 1 >= n_) return fail(errc::jwt_json_syntax, n_);
          const unsigned char e = s_[i + 1];
          if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
            shrink += 1;
            i += 2;
            break;
          }
          if (e != 'u') return fail(errc::jwt_json_syntax, i + 1);
          std::uint32_t cp = 0;
          if (!read_hex4(i + 2, cp)) return failed;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(errc::jwt_json_syntax, i);  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // must be followed by an escaped low surrogate
            std::uint32_t low = 0;
            if (i + 7 >= n_ || s_[i + 6] != '\\' || s_[i + 7] != 'u' || !read_hex4(i + 8, low) || low < 0xDC00 ||
                low > 0xDFFF) {
              return fail(errc::jwt_json_syntax, i);
            }
            shrink += 12 - 4;
            i += 12;
            break;
          }
          shrink += 6 - utf8_size(cp);
          i += 6;
          break;
        }
      }
    }
  }

  std::size_t parse_array(std::size_t i, std::size_t depth) noexcept {
    if (depth > limits_.max_depth) return fail(errc::jwt_json_too_deep, i);
    i = skip_whitespace(i + 1);
    if (at(i, ']')) return i + 1;
    for (std::size_t count = 1;; ++count) {
      if (count > limits_.max_elements) return fail(errc::jwt_json_too_many_members, i);
      i = parse_value(i, depth);
      if (i == failed) return failed;
      i = skip_whitespace(i);
      if (at(i, ',')) {
        i = skip_whitespace(i + 1);
        continue;
      }
      if (at(i, ']')) return i + 1;
      return fail_syntax(i);
    }
  }

  // True when the name at `name` (its opening quote) equals the name of an earlier member of the object that
  // opens at `object`; walks the validated part of the object.
  bool duplicate_by_walk(std::size_t object, std::size_t name) const noexcept {
    const char* text = reinterpret_cast<const char*>(s_);
    const char* end = text + n_;
    const char* target = text + name;
    const char* target_end = string_end(target, end) - 1;
    for (const char* p = skip_ws(text + object + 1); p != target;) {
      const char* name_end = string_end(p, end);
      if (contents_equal(p + 1, name_end - 1, target + 1, target_end)) return true;
      p = next_item(skip_value(member_value(name_end), end));
    }
    return false;
  }

  std::size_t parse_object(std::size_t i, std::size_t depth) noexcept {
    if (depth > limits_.max_depth) return fail(errc::jwt_json_too_deep, i);
    const std::size_t object = i;
    i = skip_whitespace(i + 1);
    if (at(i, '}')) return i + 1;
    const std::size_t base = names_;
    bool walk = false;        // the names of this object no longer fit in the stack
    std::uint64_t seen = 0;   // a one-word Bloom filter of the names so far: most new names need no comparison
    for (std::size_t count = 1;; ++count) {
      if (!at(i, '"')) return fail_syntax(i);
      if (count > limits_.max_members) return fail(errc::jwt_json_too_many_members, i);
      const std::size_t name = i;
      std::size_t decoded = 0;
      i = parse_string(i, decoded);
      if (i == failed) return failed;
      const std::size_t raw = i - name - 2;
      walk = walk || names_ == name_capacity || raw > UINT32_MAX;
      if (walk) {
        if (duplicate_by_walk(object, name)) return fail(errc::jwt_json_duplicate_member, name);
      } else {
        const name_entry entry{head(name + 1, raw, decoded), s_ + name + 1, static_cast<std::uint32_t>(raw),
                               static_cast<std::uint32_t>(decoded)};
        const std::uint64_t bit = std::uint64_t{1} << (((entry.head ^ decoded) * 0x9E3779B97F4A7C15u) >> 58);
        if ((seen & bit) != 0) {
          for (std::size_t k = base; k < names_; ++k) {
            if (same_name(stack_[k], entry)) return fail(errc::jwt_json_duplicate_member, name);
          }
        }
        seen |= bit;
        stack_[names_++] = entry;
      }
      i = skip_whitespace(i);
      if (!at(i, ':')) return fail_syntax(i);
      i = parse_value(skip_whitespace(i + 1), depth);
      if (i == failed) return failed;
      i = skip_whitespace(i);
      if (at(i, ',')) {
        i = skip_whitespace(i + 1);
        continue;
      }
      if (at(i, '}')) {
        names_ = base;
        return i + 1;
      }
      return fail_syntax(i);
    }
  }

  // The first min(decoded, 8) decoded bytes of the string content at `at` (`raw` bytes in the text), byte k in
  // bits 8k to 8k+7, the rest zero.
  std::uint64_t head(std::size_t at, std::size_t raw, std::size_t decoded) const noexcept {
    const std::size_t take = decoded < 8 ? decoded : 8;
    if (raw != decoded) {  // escaped: decode the first bytes
      const char* begin = reinterpret_cast<const char*>(s_ + at);
      decoder d(begin, begin + raw);
      std::uint64_t word = 0;
      for (std::size_t k = 0; k < take; ++k) word |= std::uint64_t{d.next()} << (8 * k);
      return word;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n_ - at >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, s_ + at, 8);
      return take == 8 ? word : word & ((std::uint64_t{1} << (8 * take)) - 1);
    }
#endif
    std::uint64_t word = 0;
    for (std::size_t k = 0; k < take; ++k) word |= std::uint64_t{s_[at + k]} << (8 * k);
    return word;
  }

  static bool same_name(const name_entry& a, const name_entry& b) noexcept {
    if (a.head != b.head || a.decoded_size != b.decoded_size) return false;
    const char* x = reinterpret_cast<const char*>(a.begin);
    const char* y = reinterpret_cast<const char*>(b.begin);
    if (a.raw_size == a.decoded_size && b.raw_size == b.decoded_size) {  // neither has an escape
      return a.raw_size <= 8 || std::memcmp(x + 8, y + 8, a.raw_size - 8) == 0;
    }
    return contents_equal(x, x + a.raw_size, y, y + b.raw_size);
  }

  const unsigned char* s_;
  std::size_t n_;
  parse_limits limits_;
  std::size_t names_ = 0;
  keyward::error failure_{errc::jwt_json_syntax};
  name_entry stack_[name_capacity];
};

}  // namespace keyward::detail::jwt_json

#endif  // KEYWARD_DETAIL_JWT_JSON_HPP
