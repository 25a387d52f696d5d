// keyward: find API keys in text and redact them, for logs, error messages and crash reports.
//
// A scanner looks for three sources of keys, configured once with scanner::make():
//   1. keyward-format keys (keys/format.hpp) of a prefix_set, confirmed by parse_key(): prefix, length,
//      base62 and CRC-32 checksum, so a look-alike with a wrong checksum is not reported;
//   2. leaked GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm tokens (`npm_`) of
//      leaked_token_prefixes, confirmed by check_github_token() (their CRC-32 checksum); `github_pat_` has no
//      published checksum and is left to a pattern;
//   3. scan_patterns for formats without a checksum (Stripe's `sk_live_` + 24 to 99 base62 characters):
//      a prefix, an alphabet and a body length range, matched as text only.
//
// Where a match is, precisely. A match starts at a position s where a prefix of one of the sources begins
// and that is the start of the text or follows a byte outside [0-9A-Za-z_-] (so `xsk_live_...` and
// `a_ghp_...` hold no match). Its body is the longest run of the source's alphabet after the prefix (base62
// for sources 1 and 2, the pattern's alphabet for 3); the match ends where the run ends, so the byte after a
// match, if any, is outside its alphabet. The run's length must be allowed: 50 to 82 (12 + 32..64 + 6) and
// the checksum valid for a keyward key of the longest prefix of the set at s, exactly 36 and the checksum
// valid for a token, min_length to max_length for a pattern; a run one byte too long is no match (the key
// is part of a longer run of its alphabet). The rule is asymmetric: a word byte may not precede a match,
// but a word byte outside the alphabet may follow it (`ghp_<36 base62>_x` holds a token). The sources are
// tried in that order (keyward keys, tokens, patterns in the order given) and the first that matches at s
// wins. Every byte of a match is in [0-9A-Za-z_-], so no match starts inside another: matches never
// overlap, and are reported in increasing order of offset.
//
// Redaction replaces every byte of a match after its public part with redaction_char ('*'), keeping the
// length: the public part is the prefix and the id of a keyward key (`sk_live_AbCdEfGhIjKl****...`), the
// prefix alone for the others (`ghp_****...`), so that a log line still says which key was used.
//
// The streaming forms (stream_scanner, stream_redactor) report exactly the matches of a one-shot scan of
// the concatenated chunks, however the text is cut: a position is decided once the max_match_length() + 1
// bytes from it are known, so they hold back at most max_match_length() bytes.
//
// Candidate positions are found 64 (AVX-512 BW), 32 (AVX2) or 1 byte at a time, chosen at run time like
// Base64's kernels (keyward/kernels.hpp); every candidate is then decided by the same scalar code, so every
// kernel reports the same matches.
/// \file
/// Finding API keys in text and redacting them, for logs and error messages.
#ifndef KEYWARD_KEYS_SCAN_HPP
#define KEYWARD_KEYS_SCAN_HPP

#include "../detail/keys_scan.hpp"
#include "../error.hpp"
#include "format.hpp"
#include "prefix.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyward::keys {

/// The byte that replaces the secret bytes of a key when redacting.
inline constexpr char redaction_char = '*';

/// The most bytes a scan_pattern's body may have.
inline constexpr std::size_t max_pattern_body_length = 256;

/// The most patterns a scanner may hold.
inline constexpr std::size_t max_scan_patterns = 256;

/// The bytes a pattern's body may hold.
enum class scan_alphabet : std::uint8_t {
  base62,      ///< [0-9A-Za-z]
  base62_url,  ///< [0-9A-Za-z_-] (base62 plus '-' and '_')
  hex,         ///< [0-9A-Fa-f]
  hex_lower,   ///< [0-9a-f]
};

/// A key format without a checksum: `entry.prefix`, then min_length to max_length bytes of `alphabet`. The
/// entry's vendor, kind, environment and kind_name classify the matches. The string views must outlive the
/// scanner (string literals in practice).
struct scan_pattern {
  prefix_entry entry;  ///< the prefix (non-empty, <= 32 bytes of [0-9A-Za-z_-]) and the classification
  scan_alphabet alphabet = scan_alphabet::base62;  ///< what the body holds
  std::size_t min_length = 1;  ///< the fewest body bytes, at least 1
  std::size_t max_length = 1;  ///< the most body bytes, min_length to max_pattern_body_length
};

/// Stripe's secret and restricted keys, live and test: the prefix then 24 to 99 base62 characters.
inline constexpr scan_pattern stripe_scan_patterns[] = {
    {{"sk_live_", "stripe", key_kind::secret, key_environment::live}, scan_alphabet::base62, 24, 99},
    {{"sk_test_", "stripe", key_kind::secret, key_environment::test}, scan_alphabet::base62, 24, 99},
    {{"rk_live_", "stripe", key_kind::restricted, key_environment::live}, scan_alphabet::base62, 24, 99},
    {{"rk_test_", "stripe", key_kind::restricted, key_environment::test}, scan_alphabet::base62, 24, 99},
};

/// What a scanner looks for.
struct scanner_options {
  prefix_set keys = {};                ///< keyward-format keys of these prefixes (none when empty); a view
  bool leaked_tokens = true;           ///< GitHub (ghp_ gho_ ghu_ ghs_ ghr_) and npm (npm_) tokens
  std::vector<scan_pattern> patterns;  ///< formats without a checksum, tried in this order
};

/// Which source found a match.
enum class scan_source : std::uint8_t {
  keyward_key,   ///< a keyward-format key of scanner_options::keys (checksum verified)
  leaked_token,  ///< a GitHub or npm token (checksum verified)
  pattern,       ///< a scan_pattern (not verified)
};

/// "keyward_key", "leaked_token" or "pattern"; "unknown" for a value outside the enum. Never fails.
constexpr const char* to_string(scan_source source) noexcept {
  switch (source) {
    case scan_source::keyward_key: return "keyward_key";
    case scan_source::leaked_token: return "leaked_token";
    case scan_source::pattern: return "pattern";
  }
  return "unknown";
}

/// One key found in a text.
struct scan_match {
  std::size_t offset = 0;          ///< where the key starts (in a stream: since the start of the stream)
  std::size_t length = 0;          ///< its bytes
  std::size_t public_length = 0;   ///< its leading bytes kept by redaction: prefix + id, or the prefix
  scan_source source = scan_source::pattern;  ///< which source matched
  std::size_t pattern = 0;         ///< for scan_source::pattern, the index in scanner_options::patterns; else 0
  prefix_entry classification{};   ///< the prefix's entry: vendor, kind, environment
};

/// Finds and redacts keys in text (see the top of this header). Thread-safe for concurrent calls; copyable.
class scanner {
 public:
  /// A scanner for `options`. Errors: errc::key_invalid_options when nothing would be looked for (no keys,
  /// no tokens, no pattern), when there are over max_scan_patterns patterns, or for a pattern whose prefix is
  /// empty, over max_prefix_length bytes or holds a byte outside [0-9A-Za-z_-], whose min_length is 0 or above
  /// max_length, whose max_length is over max_pattern_body_length, or whose alphabet, kind or environment is
  /// outside its enum (the error's offset is the pattern's index; max_scan_patterns for too many). The
  /// prefix table of `options.keys` and the patterns' strings must outlive the scanner.
  static result<scanner> make(scanner_options options) {
    if (options.patterns.size() > max_scan_patterns)
      return keyward::error(errc::key_invalid_options, max_scan_patterns);
    for (std::size_t k = 0; k < options.patterns.size(); ++k) {
      const scan_pattern& p = options.patterns[k];
      if (find_prefix_problem(p.entry.prefix) != prefix_problem::none || p.min_length == 0 ||
          p.min_length > p.max_length || p.max_length > max_pattern_body_length ||
          p.alphabet > scan_alphabet::hex_lower || p.entry.kind > key_kind::custom ||
          p.entry.environment > key_environment::unspecified)
        return keyward::error(errc::key_invalid_options, k);
    }
    if (options.keys.size() == 0 && !options.leaked_tokens && options.patterns.empty())
      return errc::key_invalid_options;
    return scanner(std::move(options));
  }

  /// Calls on_match(const scan_match&) for every key in `text`, in increasing order of offset. Allocates
  /// nothing (but what on_match does). Never fails.
  template <class OnMatch>
  void scan(std::string_view text, OnMatch&& on_match) const {
    decide_range(text.data(), text.size(), 0, text.size(), 0, on_match);
  }

  /// The keys in `text`, in increasing order of offset.
  std::vector<scan_match> scan(std::string_view text) const {
    std::vector<scan_match> found;
    scan(text, [&found](const scan_match& m) { found.push_back(m); });
    return found;
  }

  /// Replaces the bytes of every key in data[0, size) after its public part with redaction_char; the size
  /// is unchanged. Returns the number of keys redacted. Allocates nothing; never fails.
  std::size_t redact_in_place(char* data, std::size_t size) const noexcept {
    // A match is applied once the next one is found (or at the end), so that no redacted byte is read as
    // the byte before a later candidate: the text is scanned as it was.
    std::size_t count = 0;
    scan_match pending;
    auto apply = [data](const scan_match& m) noexcept {
      for (std::size_t i = m.offset + m.public_length; i < m.offset + m.length; ++i) data[i] = redaction_char;
    };
    auto on_match = [&](const scan_match& m) noexcept {
      if (count != 0) apply(pending);
      pending = m;
      ++count;
    };
    decide_range(data, size, 0, size, 0, on_match);
    if (count != 0) apply(pending);
    return count;
  }

  /// redact_in_place() on the bytes of `text`.
  std::size_t redact_in_place(std::string& text) const noexcept { return redact_in_place(&text[0], text.size()); }

  /// The longest match this scanner can report, in bytes: what a stream holds back.
  std::size_t max_match_length() const noexcept { return max_match_; }

 private:
  friend class stream_scanner;
  friend class stream_redactor;

  explicit scanner(scanner_options options) : options_(std::move(options)) {
    std::vector<std::string_view> prefixes;
    std::size_t longest = 0;
    for (const prefix_entry& e : options_.keys) {
      prefixes.push_back(e.prefix);
      longest = std::max(longest, e.prefix.size() + id_length + max_secret_length + checksum_length);
    }
    if (options_.leaked_tokens) {
      for (const prefix_entry& e : leaked_token_prefixes.entries()) {
        if (e.prefix == github_fine_grained) continue;
        prefixes.push_back(e.prefix);
        longest = std::max(longest, e.prefix.size() + token_random_length + checksum_length);
      }
    }
    for (const scan_pattern& p : options_.patterns) {
      prefixes.push_back(p.entry.prefix);
      longest = std::max(longest, p.entry.prefix.size() + p.max_length);
    }
    filter_ = detail::keys_scan::make_filter(prefixes.size(), [&prefixes](std::size_t k) { return prefixes[k]; });
    max_match_ = longest;
  }

  static constexpr std::string_view github_fine_grained = "github_pat_";

  /// Whether a key starts at data[s] (data[0] being the start of the text); reads data[s - 1, s +
  /// max_match_ + 1) at most, and data[s - 1, size) when that is shorter (the end of the text).
  bool decide(const char* data, std::size_t size, std::size_t s, scan_match& m) const noexcept {
    namespace scan = detail::keys_scan;
    // the kernels' candidates are a superset: the boundary is checked here too, so that a match never
    // depends on the kernel
    if (s != 0 && scan::is_word(static_cast<unsigned char>(data[s - 1]))) return false;
    const std::string_view rest(data + s, size - s);
    if (options_.keys.size() != 0) {
      if (const prefix_entry* e = detail::keys_prefix::access::find(options_.keys, rest)) {
        const std::size_t p = e->prefix.size();
        const std::size_t most = id_length + max_secret_length + checksum_length;
        const std::size_t run = scan::run_length(data, s + p, size, scan::base62_bit, most + 1);
        if (run >= id_length + min_secret_length + checksum_length && run <= most &&
            parse_key(rest.substr(0, p + run), options_.keys)) {
          m = {s, p + run, p + id_length, scan_source::keyward_key, 0, *e};
          return true;
        }
      }
    }
    if (options_.leaked_tokens) {
      const prefix_entry* e = detail::keys_prefix::access::find(leaked_token_prefixes, rest);
      if (e != nullptr && e->prefix != github_fine_grained) {
        const std::size_t p = e->prefix.size();
        const std::size_t body = token_random_length + checksum_length;
        if (scan::run_length(data, s + p, size, scan::base62_bit, body + 1) == body &&
            check_github_token(rest.substr(0, p + body))) {
          m = {s, p + body, p, scan_source::leaked_token, 0, *e};
          return true;
        }
      }
    }
    // the run measured last per alphabet: from s + cached[a].p, cut at cached[a].cap (p 0: none yet), so that
    // patterns of one prefix and alphabet measure it once
    struct cached_run {
      std::size_t p = 0, cap = 0, run = 0;
    } cached[4];
    for (std::size_t k = 0; k < options_.patterns.size(); ++k) {
      const scan_pattern& pattern = options_.patterns[k];
      const std::size_t p = pattern.entry.prefix.size();
      if (rest.substr(0, p) != pattern.entry.prefix) continue;
      const auto a = static_cast<unsigned>(pattern.alphabet);
      const std::size_t cap = pattern.max_length + 1;
      cached_run& c = cached[a];
      // the cached run is exact when it stopped before its cap, and a cut of it when the cap is not larger
      if (c.p != p || (c.run == c.cap && cap > c.cap))
        c = {p, cap, scan::run_length(data, s + p, size, static_cast<std::uint8_t>(1u << a), cap)};
      const std::size_t run = std::min(c.run, cap);
      if (run >= pattern.min_length && run <= pattern.max_length) {
        m = {s, p + run, p, scan_source::pattern, k, pattern.entry};
        return true;
      }
    }
    return false;
  }

  /// Decides the candidates in [from, to) of data[0, size), calling on_match with offsets plus `offset`.
  template <class OnMatch>
  void decide_range(const char* data, std::size_t size, std::size_t from, std::size_t to, std::size_t offset,
                    OnMatch& on_match) const {
    auto on_candidate = [&](std::size_t s) {
      scan_match m;
      if (decide(data, size, s, m)) {
        m.offset += offset;
        on_match(static_cast<const scan_match&>(m));
      }
    };
    detail::keys_scan::for_each_candidate(filter_, data, size, from, to, on_candidate);
  }

  scanner_options options_;
  detail::keys_scan::prefix_filter filter_;
  std::size_t max_match_ = 0;
};

/// The bytes a stream copies at a time behind its held-back tail.
inline constexpr std::size_t stream_piece_size = 16384;

/// A scanner fed a text chunk by chunk: reports exactly the matches of scanner::scan() on the concatenated
/// chunks (offsets from the start of the stream), however the text is cut, holding back at most
/// max_match_length() bytes. Allocates its buffer once, at construction; feed() and finish() allocate
/// nothing.
class stream_scanner {
 public:
  /// A stream scanning with `s`.
  explicit stream_scanner(scanner s)
      : scanner_(std::move(s)), window_(scanner_.max_match_length(), stream_piece_size) {}

  /// Scans `chunk`, the next bytes of the stream, calling on_match(const scan_match&) for every key decided
  /// (a key near the end may be reported by a later call). Never fails.
  template <class OnMatch>
  void feed(std::string_view chunk, OnMatch&& on_match) {
    step(on_match, [this, chunk](auto& decide, auto& flush) { window_.feed(chunk, decide, flush); });
  }

  /// Ends the stream: reports the keys left, then starts a new stream (offsets from 0 again). Never fails.
  template <class OnMatch>
  void finish(OnMatch&& on_match) {
    step(on_match, [this](auto& decide, auto& flush) { window_.finish(decide, flush); });
  }

  /// The bytes fed since the stream started.
  std::size_t consumed() const noexcept { return window_.total(); }

 private:
  /// Runs window_.feed() or finish() (through `run`) with a decider that reports to on_match.
  template <class OnMatch, class Run>
  void step(OnMatch& on_match, Run&& run) {
    auto decide = [&](const char* data, std::size_t size, std::size_t from, std::size_t to, std::size_t offset) {
      scanner_.decide_range(data, size, from, to, offset, on_match);
    };
    auto flush = [](const char*, std::size_t, std::size_t) noexcept {};
    run(decide, flush);
  }

  scanner scanner_;
  detail::keys_scan::stream_window window_;
};

/// Redacts a text written chunk by chunk: emits the bytes of scanner::redact_in_place() on the concatenated
/// chunks, in order, holding back at most max_match_length() bytes until finish(). Allocates its buffer once,
/// at construction; write() and finish() allocate nothing (but what `out` does).
class stream_redactor {
 public:
  /// A redactor scanning with `s`.
  explicit stream_redactor(scanner s)
      : scanner_(std::move(s)), window_(scanner_.max_match_length(), stream_piece_size) {}

  /// Takes `chunk`, the next bytes of the text, and passes the redacted bytes that are final to
  /// out(std::string_view), in order and in pieces (none empty). Returns the number of keys found by this
  /// call. Never fails.
  template <class Out>
  std::size_t write(std::string_view chunk, Out&& out) {
    return step(out, [this, chunk](auto& decide, auto& flush) { window_.feed(chunk, decide, flush); });
  }

  /// write() appending to `out`.
  std::size_t write(std::string_view chunk, std::string& out) {
    return write(chunk, [&out](std::string_view piece) { out.append(piece.data(), piece.size()); });
  }

  /// Ends the text: emits the bytes held back, redacted, then starts a new text. Returns the number of keys
  /// found by this call. Never fails.
  template <class Out>
  std::size_t finish(Out&& out) {
    const std::size_t count = step(out, [this](auto& decide, auto& flush) { window_.finish(decide, flush); });
    emitted_ = redact_from_ = redact_to_ = 0;
    return count;
  }

  /// finish() appending to `out`.
  std::size_t finish(std::string& out) {
    return finish([&out](std::string_view piece) { out.append(piece.data(), piece.size()); });
  }

 private:
  /// Runs window_.feed() or finish() (through `run`) with a decider that emits the bytes before each key's
  /// secret part and marks the part for redaction, and a flush that emits what is final; returns the keys found.
  template <class Out, class Run>
  std::size_t step(Out& out, Run&& run) {
    std::size_t count = 0;
    auto decide = [&](const char* data, std::size_t size, std::size_t from, std::size_t to, std::size_t offset) {
      auto on_match = [&](const scan_match& m) {
        emit(data, offset, m.offset + m.public_length, out);
        redact_from_ = m.offset + m.public_length;
        redact_to_ = m.offset + m.length;
        ++count;
      };
      scanner_.decide_range(data, size, from, to, offset, on_match);
    };
    auto flush = [&](const char* data, std::size_t offset, std::size_t until) { emit(data, offset, until, out); };
    run(decide, flush);
    return count;
  }

  /// Emits the stream's bytes [emitted_, until) from data (whose byte 0 is stream offset `offset`), the
  /// bytes in [redact_from_, redact_to_) as redaction_char.
  template <class Out>
  void emit(const char* data, std::size_t offset, std::size_t until, Out& out) {
    static constexpr char stars[64] = {
        '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*',
        '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*',
        '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*', '*'};
    static_assert(redaction_char == '*', "stars holds the redaction character");
    while (emitted_ < until) {
      if (emitted_ >= redact_from_ && emitted_ < redact_to_) {
        std::size_t n = std::min(until, redact_to_) - emitted_;
        if (n > sizeof stars) n = sizeof stars;
        out(std::string_view(stars, n));
        emitted_ += n;
      } else {
        const std::size_t end = emitted_ < redact_from_ ? std::min(until, redact_from_) : until;
        out(std::string_view(data + (emitted_ - offset), end - emitted_));
        emitted_ = end;
      }
    }
  }

  scanner scanner_;
  detail::keys_scan::stream_window window_;
  std::size_t emitted_ = 0;      // stream bytes passed to out
  std::size_t redact_from_ = 0;  // the secret bytes of the last key found: [redact_from_, redact_to_)
  std::size_t redact_to_ = 0;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_SCAN_HPP
