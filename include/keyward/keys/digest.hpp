// keyward: what a server stores for an API key: a digest of the whole key, never the key. HMAC-SHA256
// under a server-held pepper with its version (pepper_set), or plain SHA-256 (sha256_digest, and the import
// of SHA-256 digests from other key services in hex or Base64), a text form for a database column, and a
// constant-time comparison.
//
// Which digest to store. The keys that keyward mints carry at least 32 base62 characters (190 bits) of
// randomness, so a leaked table of plain SHA-256 digests still cannot be searched for them: trying
// candidate keys offline is hopeless. That is not true of short or human-chosen keys, nor of keys of other
// services whose secret part is small: whoever reads a table of their SHA-256 digests can test guesses
// offline, as fast as GPUs hash. HMAC-SHA256 under a pepper kept outside the database (configuration, a
// secrets manager, an HSM-backed variable) makes a leaked database alone useless: without the pepper no
// candidate can be tested. So keyward mints HMAC digests (pepper_set::digest), and accepts plain SHA-256
// digests for keys imported from elsewhere; pepper_set::is_current() tells the verifier when to replace a
// stored digest by a current one after a successful check (the key is in hand then).
//
// Rotating the pepper: build the pepper_set with the new pepper as current and the old ones as previous
// (add_previous); digests are minted with the current pepper only, and digests of every pepper held still
// match. Once every stored digest has been re-made (is_current() is true for all), drop the old pepper.
//
// Text form (one database column, ASCII, at most max_digest_text_size = 67 characters), exactly:
//
//   digest-text = hmac-text / sha256-text
//   hmac-text   = "hmac-sha256:v" version ":" bytes       e.g. hmac-sha256:v3:<43 characters>
//   sha256-text = "sha256:" bytes                          e.g. sha256:<43 characters>
//   version     = "0" / ( %x31-39 0*9DIGIT )               decimal, no leading zero, at most 4294967295
//   bytes       = 43 base64url characters (RFC 4648 section 5) without padding, the 32 digest bytes; the
//                 last character's two unused bits are zero (canonical, section 3.5)
//
// Why this form: the algorithm is named, so migrated SHA-256 rows and HMAC rows share one column and a
// reader can never take one for the other; the pepper version travels with the digest, so rotation needs no
// second column; base64url is shorter than hex (43 characters rather than 64) and, like ':' and '-', needs
// no quoting in SQL, CSV, JSON, URLs or shells (unlike the '$' and '=' of the PHC string format); the
// length is fixed per algorithm, so padding carries no information. Everything is lower-case and strict:
// one digest has exactly one text.
//
// Constant time: the key bytes, the stored digest bytes and the peppers are secret; the algorithm, the
// pepper version and the lengths are public. No branch and no memory index depends on a secret byte, only
// the final verdicts are made public (detail::ct::declassify), and this is checked under valgrind
// (tests/ctgrind). Parsing an invalid text or hex digest then finds the error offset in ordinary code: an
// invalid input is not a stored digest.
/// \file
/// What a server stores for an API key: peppered HMAC-SHA256 or SHA-256 digests, and their text form.
#ifndef KEYWARD_KEYS_DIGEST_HPP
#define KEYWARD_KEYS_DIGEST_HPP

#include "../base64.hpp"
#include "../config.hpp"
#include "../crypto/hmac.hpp"
#include "../crypto/sha2.hpp"
#include "../ct.hpp"
#include "../detail/ct.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::keys {

/// How a stored digest was made: HMAC-SHA256 under a pepper (the default for new keys), or plain SHA-256
/// (keys imported from other services; see the top of this header for the trade-off).
enum class digest_algorithm : std::uint8_t { hmac_sha256, sha256 };

/// Bytes in a digest of either algorithm.
inline constexpr std::size_t digest_size = 32;
/// Bytes in the shortest pepper accepted (256 bits, the size of an HMAC-SHA256 tag).
inline constexpr std::size_t min_pepper_size = 32;
/// The most peppers a pepper_set holds: the current one and up to seven previous ones.
inline constexpr std::size_t max_peppers = 8;
/// Characters in the longest digest text ("hmac-sha256:v4294967295:" and 43 characters).
inline constexpr std::size_t max_digest_text_size = 67;

/// What a server stores for a key. The bytes are secret (compare them only through pepper_set::matches);
/// the algorithm and the version are public. `pepper_version` is that of the pepper for hmac_sha256 and 0
/// (ignored) for sha256.
struct key_digest {
  digest_algorithm algorithm = digest_algorithm::hmac_sha256;  ///< how the bytes were computed
  std::uint32_t pepper_version = 0;                            ///< the pepper's version (hmac_sha256 only)
  std::array<std::uint8_t, digest_size> bytes{};               ///< the digest (secret)
};

/// The plain SHA-256 digest of the whole key (FIPS 180-4), with algorithm sha256 and pepper_version 0.
/// Prefer pepper_set::digest for keys that are not long random strings. Never fails.
inline key_digest sha256_digest(std::string_view whole_key) noexcept {
  return {digest_algorithm::sha256, 0, crypto::sha256::hash(whole_key.data(), whole_key.size())};
}

}  // namespace keyward::keys

namespace keyward::detail::keys_digest {

/// The value of the hex digit `c` (either case) in the low 4 bits, and 0xFF00 added when `c` is not a hex
/// digit; no branch or table lookup on `c` (the masks of libsodium's sodium_hex2bin).
inline std::uint32_t hex_value(unsigned char c) noexcept {
  const std::uint32_t num = ct::value_barrier(std::uint32_t{c} ^ 48u);
  const std::uint32_t num_ok = ((num - 10u) >> 8) & 0xFFu;  // 0xFF when '0'..'9'
  const std::uint32_t alpha = ct::value_barrier((std::uint32_t{c} & ~32u) - 55u);
  const std::uint32_t alpha_ok = (((alpha - 10u) ^ (alpha - 16u)) >> 8) & 0xFFu;  // 0xFF when A..F / a..f
  const std::uint32_t ok = num_ok | alpha_ok;
  return ((num_ok & num) | (alpha_ok & alpha)) | ((ok ^ 0xFFu) << 8);
}

/// The length of the common beginning of `text` and `expected`.
constexpr std::size_t common_prefix(std::string_view text, std::string_view expected) noexcept {
  std::size_t i = 0;
  while (i < text.size() && i < expected.size() && text[i] == expected[i]) ++i;
  return i;
}

inline constexpr std::string_view hmac_label = "hmac-sha256:v";
inline constexpr std::string_view sha256_label = "sha256:";
inline constexpr std::size_t text_bytes_size = 43;  // base64url of 32 bytes, unpadded

/// Decodes the 43 base64url characters at `text[at, at + 43)` (their count checked by the caller) into
/// `out` in constant time; errc::key_invalid_digest at the offending offset of `text` otherwise.
inline result<void> decode_bytes(std::string_view text, std::size_t at, std::uint8_t* out) noexcept {
  const auto written = keyward::base64::write_decoded(text.substr(at), out, keys::digest_size,
                                                      keyward::base64::url_ct);
  if (!written) {
    return error(errc::key_invalid_digest, at + (written.error().has_offset() ? written.error().offset() : 0));
  }
  return {};
}

}  // namespace keyward::detail::keys_digest

namespace keyward::keys {

/// Reads a SHA-256 digest written as 64 hex digits, either case (as `sha256sum` and most key services
/// print it), into a key_digest of algorithm sha256, in constant time in the digits. Errors, all
/// errc::key_invalid_digest: a length other than 64 (offset: the first byte missing or in excess, that is
/// min(size, 64)), then a byte that is not a hex digit (its offset).
inline result<key_digest> import_sha256_hex(std::string_view hex) noexcept {
  if (hex.size() != 2 * digest_size) {
    return error(errc::key_invalid_digest, hex.size() < 2 * digest_size ? hex.size() : 2 * digest_size);
  }
  key_digest d{digest_algorithm::sha256, 0, {}};
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < digest_size; ++i) {
    const std::uint32_t hi = detail::keys_digest::hex_value(static_cast<unsigned char>(hex[2 * i]));
    const std::uint32_t lo = detail::keys_digest::hex_value(static_cast<unsigned char>(hex[2 * i + 1]));
    bad |= (hi | lo) >> 8;
    d.bytes[i] = static_cast<std::uint8_t>(((hi & 15u) << 4) | (lo & 15u));
  }
  if (detail::ct::declassify(static_cast<std::uint32_t>(detail::ct::value_barrier(bad))) != 0) {
    ct::secure_zero(d.bytes.data(), d.bytes.size());
    for (std::size_t i = 0; i < hex.size(); ++i) {
      if (detail::keys_digest::hex_value(static_cast<unsigned char>(hex[i])) >> 8) return error(errc::key_invalid_digest, i);
    }
  }
  return d;
}

/// Reads a SHA-256 digest written in standard padded Base64 (RFC 4648 section 4: 43 characters and one
/// '='), into a key_digest of algorithm sha256, in constant time in the characters. Errors, all
/// errc::key_invalid_digest with an offset: a length other than 44 (min(size, 44)); a byte outside the
/// alphabet, a misplaced '=' or non-zero unused bits (the offset the Base64 decoder reports, the first
/// error); then "==" (offset 42: the text holds 31 bytes) or no '=' (offset 43: it holds 33 bytes).
inline result<key_digest> import_sha256_base64(std::string_view text) noexcept {
  constexpr std::size_t length = base64::encoded_size(digest_size);  // 44
  if (text.size() != length) return error(errc::key_invalid_digest, text.size() < length ? text.size() : length);
  std::array<std::uint8_t, digest_size + 1> bytes{};
  const auto written = base64::write_decoded(text, bytes.data(), bytes.size(), base64::standard_ct);
  if (!written) {
    ct::secure_zero(bytes.data(), bytes.size());
    return error(errc::key_invalid_digest, written.error().has_offset() ? written.error().offset() : 0);
  }
  if (*written != digest_size) {
    ct::secure_zero(bytes.data(), bytes.size());
    return error(errc::key_invalid_digest, *written < digest_size ? length - 2 : length - 1);
  }
  key_digest d{digest_algorithm::sha256, 0, {}};
  for (std::size_t i = 0; i < digest_size; ++i) d.bytes[i] = bytes[i];
  ct::secure_zero(bytes.data(), bytes.size());
  return d;
}

/// The number of characters write_digest_text() writes for `d`: 50 for sha256, 24 + the decimal digits of
/// the version for hmac_sha256 (at most max_digest_text_size), 0 for an algorithm outside the enum.
constexpr std::size_t digest_text_size(const key_digest& d) noexcept {
  if (d.algorithm == digest_algorithm::sha256) {
    return detail::keys_digest::sha256_label.size() + detail::keys_digest::text_bytes_size;
  }
  if (d.algorithm != digest_algorithm::hmac_sha256) return 0;
  return detail::keys_digest::hmac_label.size() + detail::writer::decimal_size(d.pepper_version) + 1 +
         detail::keys_digest::text_bytes_size;
}

/// Writes the text form of `d` (top of this header) into `out[0, capacity)`; the digest bytes are encoded
/// in constant time. Returns the characters written (digest_text_size(d)), errc::key_invalid_digest when
/// d.algorithm is outside the enum, or errc::buffer_too_small; nothing is written on any error.
inline result<std::size_t> write_digest_text(const key_digest& d, char* out, std::size_t capacity) noexcept {
  const std::size_t size = digest_text_size(d);
  if (size == 0) return errc::key_invalid_digest;
  if (capacity < size) return errc::buffer_too_small;
  detail::writer::counting_writer text(out, capacity);
  if (d.algorithm == digest_algorithm::sha256) {
    text.put(detail::keys_digest::sha256_label);
  } else {
    text.put(detail::keys_digest::hmac_label);
    text.put_decimal(d.pepper_version);
    text.put(':');
  }
  const std::size_t at = text.size();
  (void)base64::write_encoded(d.bytes.data(), d.bytes.size(), out + at, capacity - at, base64::url_ct);
  return size;
}

/// The text form of `d` as a new string (write_digest_text); empty when d.algorithm is outside the enum.
inline std::string digest_text(const key_digest& d) {
  std::string text(digest_text_size(d), '\0');
  if (!text.empty()) (void)write_digest_text(d, text.data(), text.size());
  return text;
}

/// Reads a digest in the text form (top of this header), strictly: exact lower-case labels, no leading
/// zero or overflow in the version, exactly 43 canonical base64url characters, nothing around. The 43
/// characters are decoded in constant time. Errors, all errc::key_invalid_digest with the offset of the
/// first byte that cannot belong to a digest text (the end of the text when it stops short): an unknown
/// label, a missing or malformed version, a missing ':', a byte outside base64url or non-zero unused bits
/// (the byte's offset), and a byte part of another length than 43 (the offset of the first byte missing or
/// in excess, checked before the characters).
inline result<key_digest> parse_digest_text(std::string_view text) noexcept {
  namespace d = detail::keys_digest;
  key_digest digest{};
  std::size_t at = 0;
  if (text.substr(0, d::sha256_label.size()) == d::sha256_label) {
    digest.algorithm = digest_algorithm::sha256;
    at = d::sha256_label.size();
  } else if (text.substr(0, d::hmac_label.size()) == d::hmac_label) {
    at = d::hmac_label.size();
    const std::size_t first = at;
    std::uint64_t version = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at != first && text[first] == '0') return error(errc::key_invalid_digest, at);  // leading zero
      version = version * 10 + static_cast<std::uint64_t>(text[at] - '0');
      if (version > UINT32_MAX) return error(errc::key_invalid_digest, at);
      ++at;
    }
    if (at == first || at == text.size() || text[at] != ':') return error(errc::key_invalid_digest, at);
    ++at;
    digest.pepper_version = static_cast<std::uint32_t>(version);
  } else {
    const std::size_t a = d::common_prefix(text, d::sha256_label), b = d::common_prefix(text, d::hmac_label);
    return error(errc::key_invalid_digest, a > b ? a : b);
  }
  const std::size_t rest = text.size() - at;
  if (rest != d::text_bytes_size) {
    return error(errc::key_invalid_digest, at + (rest < d::text_bytes_size ? rest : d::text_bytes_size));
  }
  if (const result<void> decoded = d::decode_bytes(text, at, digest.bytes.data()); !decoded) {
    ct::secure_zero(digest.bytes.data(), digest.bytes.size());
    return decoded.error();
  }
  return digest;
}

class pepper_set;

/// The digest of a key presented by a client under the current pepper of a pepper_set, made before the
/// key's stored digest is known (pepper_set::present), so that the HMAC can run while the store looks the
/// record up; pepper_set::matches(whole_key, presented, stored) then compares it with the stored digest.
/// The bytes are secret: they are wiped when the object goes, and nothing reads them but that compare.
/// Neither copyable nor movable (it lives on the stack of one verification).
class presented_digest {
 public:
  presented_digest(const presented_digest&) = delete;
  presented_digest& operator=(const presented_digest&) = delete;
  ~presented_digest() { ct::secure_zero(bytes_.data(), bytes_.size()); }

 private:
  friend class pepper_set;
  // The tag is made in place (C++17 guaranteed elision), so no copy of it is left behind unwiped.
  presented_digest(const pepper_set* made_by, std::uint32_t version, const crypto::hmac_sha256& mac,
                   std::string_view whole_key) noexcept
      : made_by_(made_by), version_(version), bytes_(mac.sign(whole_key)) {}

  const pepper_set* made_by_;
  std::uint32_t version_;
  std::array<std::uint8_t, digest_size> bytes_;
};

/// The server's HMAC peppers: one current version, with which every new digest is made, and up to
/// max_peppers - 1 previous versions whose digests are still accepted (a rotation in progress). Versions
/// are unique 32-bit numbers, public (they are stored next to the digests); the peppers are secret, at least
/// min_pepper_size bytes, and should be random (32 bytes from random::fill). The set keeps no copy of a
/// pepper: it holds each one prepared as a crypto::hmac<sha256> (the hashed inner and outer padded keys, so
/// a digest costs the compressions of the key plus the outer one, with no re-keying), and those states are
/// wiped when the set (or a copy of it) is destroyed. Build with make(), then add_previous(). No allocation.
class pepper_set {
 public:
  /// A set whose current pepper is `current_pepper` with version `current_version`.
  /// errc::key_invalid_pepper when the pepper is under min_pepper_size bytes.
  static result<pepper_set> make(std::uint32_t current_version, std::string_view current_pepper) noexcept {
    if (current_pepper.size() < min_pepper_size) return errc::key_invalid_pepper;
    pepper_set set;
    set.versions_[0] = current_version;
    set.macs_[0].emplace(current_pepper);
    set.count_ = 1;
    return set;
  }

  /// Adds an older pepper: digests made with it still match, new ones are never made with it.
  /// errc::key_invalid_pepper when it is under min_pepper_size bytes, when `version` is already held, or
  /// when the set already holds max_peppers peppers; the set is then unchanged.
  result<void> add_previous(std::uint32_t version, std::string_view pepper) noexcept {
    if (pepper.size() < min_pepper_size || has_version(version) || count_ == max_peppers) {
      return errc::key_invalid_pepper;
    }
    versions_[count_] = version;
    macs_[count_].emplace(pepper);
    ++count_;
    return {};
  }

  /// The version of the pepper that digest() uses.
  std::uint32_t current_version() const noexcept { return versions_[0]; }
  /// True when the set holds the pepper of `version`.
  bool has_version(std::uint32_t version) const noexcept { return slot_of(version) != npos; }
  /// The number of peppers held (the current one included): 1 to max_peppers.
  std::size_t size() const noexcept { return count_; }

  /// The digest to store for a new key: HMAC-SHA256 (RFC 2104) of the whole key under the current pepper,
  /// with its version. Never fails.
  key_digest digest(std::string_view whole_key) const noexcept {
    return {digest_algorithm::hmac_sha256, versions_[0], macs_[0]->sign(whole_key)};
  }

  /// True when `stored` is the digest of `whole_key`: for hmac_sha256, made with the pepper of
  /// stored.pepper_version; for sha256, the plain SHA-256. The bytes are compared in constant time
  /// (ct::equal); the time depends only on the key's length and on the algorithm. False for a pepper
  /// version the set does not hold (after the same work under the current pepper) and for an algorithm
  /// outside the enum. verify() tells these cases apart.
  bool matches(std::string_view whole_key, const key_digest& stored) const noexcept {
    return check(whole_key, stored) == outcome::match;
  }

  /// HMAC-SHA256 of the whole key under the current pepper, for matches(whole_key, presented, stored): the
  /// first half of matches(), which needs no stored digest. Never fails.
  presented_digest present(std::string_view whole_key) const noexcept {
    return presented_digest(this, versions_[0], *macs_[0], whole_key);
  }

  /// matches(whole_key, stored) given `presented`, which present(whole_key) made on this set: when
  /// `stored` is an HMAC digest under the current pepper (the usual case), a constant-time comparison of
  /// the bytes with no hashing; otherwise (a previous pepper, SHA-256, an unknown version, a `presented`
  /// made by another set or under another current version) exactly matches(whole_key, stored), with its
  /// work. The verdict is the same as matches(whole_key, stored) whenever presented belongs to whole_key.
  bool matches(std::string_view whole_key, const presented_digest& presented,
               const key_digest& stored) const noexcept {
    if (presented.made_by_ != this || presented.version_ != versions_[0] ||
        stored.algorithm != digest_algorithm::hmac_sha256 || stored.pepper_version != versions_[0]) {
      return matches(whole_key, stored);
    }
    return detail::ct::declassify(ct::equal(presented.bytes_.data(), stored.bytes.data(), digest_size));
  }

  /// matches() with the reason for a rejection: errc::crypto_mac_mismatch when the digest is not that of
  /// the key, errc::key_unknown_pepper when stored is hmac_sha256 with a version the set does not hold (a
  /// configuration error: a pepper dropped too early), errc::key_invalid_digest for an algorithm outside the
  /// enum. Branching on the result is fine: it is public once returned.
  result<void> verify(std::string_view whole_key, const key_digest& stored) const noexcept {
    switch (check(whole_key, stored)) {
      case outcome::match: return {};
      case outcome::mismatch: return errc::crypto_mac_mismatch;
      case outcome::unknown_pepper: return errc::key_unknown_pepper;
      case outcome::invalid: break;
    }
    return errc::key_invalid_digest;
  }

  /// The work of matches(whole_key, stored) for a stored digest of `algorithm` (with the current pepper
  /// for hmac_sha256), against no digest at all; always false. For the verifier's unknown-id path, so that
  /// an unknown id costs what a wrong secret costs: pass the algorithm most stored digests use.
  bool matches_nothing(std::string_view whole_key,
                       digest_algorithm algorithm = digest_algorithm::hmac_sha256) const noexcept {
    key_digest dummy{algorithm, versions_[0], {}};
    const bool same = compare(whole_key, dummy, 0);
    // An opaque zero: the compiler must still compute `same`, yet the answer is always false.
    const unsigned never = detail::ct::value_barrier(0u);
    return (static_cast<unsigned>(same) & never) != 0;
  }

  /// True when `stored` is an HMAC digest under the current pepper; false for a previous pepper's digest
  /// and for a plain SHA-256 one, which the server may replace by digest(key) once matches() accepted it.
  bool is_current(const key_digest& stored) const noexcept {
    return stored.algorithm == digest_algorithm::hmac_sha256 && stored.pepper_version == versions_[0];
  }

 private:
  enum class outcome : std::uint8_t { match, mismatch, unknown_pepper, invalid };
  static constexpr std::size_t npos = max_peppers;

  pepper_set() noexcept = default;

  std::size_t slot_of(std::uint32_t version) const noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (versions_[i] == version) return i;
    }
    return npos;
  }

  // Computes the digest of `whole_key` as `stored` says (HMAC under the pepper in `slot`, or SHA-256) and
  // compares it with stored.bytes in constant time; the verdict is declassified.
  bool compare(std::string_view whole_key, const key_digest& stored, std::size_t slot) const noexcept {
    std::array<std::uint8_t, digest_size> computed =
        stored.algorithm == digest_algorithm::sha256 ? crypto::sha256::hash(whole_key.data(), whole_key.size())
                                                     : macs_[slot]->sign(whole_key);
    const bool same = ct::equal(computed.data(), stored.bytes.data(), digest_size);
    ct::secure_zero(computed.data(), computed.size());
    return detail::ct::declassify(same);
  }

  outcome check(std::string_view whole_key, const key_digest& stored) const noexcept {
    if (stored.algorithm == digest_algorithm::sha256) {
      return compare(whole_key, stored, 0) ? outcome::match : outcome::mismatch;
    }
    if (stored.algorithm != digest_algorithm::hmac_sha256) return outcome::invalid;
    const std::size_t slot = slot_of(stored.pepper_version);
    if (slot == npos) {
      // The same work as a wrong digest; matches_nothing() is always false, but its result must be used.
      return matches_nothing(whole_key) ? outcome::mismatch : outcome::unknown_pepper;
    }
    return compare(whole_key, stored, slot) ? outcome::match : outcome::mismatch;
  }

  std::array<std::uint32_t, max_peppers> versions_{};
  std::array<std::optional<crypto::hmac_sha256>, max_peppers> macs_{};
  std::size_t count_ = 0;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_DIGEST_HPP
