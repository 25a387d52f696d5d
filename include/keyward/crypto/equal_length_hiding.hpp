// keyward: comparison of secrets whose lengths must stay hidden too: both sides are hashed with SHA-256
// (FIPS 180-4) under a random per-process key and the digests compared in constant time (ct::equal).
//
// It lives here, not in ct.hpp, because it needs SHA-256 and the OS random source: ct.hpp (and secret.hpp,
// which every header handling secrets includes) stays free of both. It is not in crypto/hmac.hpp either,
// so that HMAC users do not pull in the OS random source.
/// \file
/// Comparison of secrets in a time that hides their lengths too.
#ifndef KEYWARD_CRYPTO_EQUAL_LENGTH_HIDING_HPP
#define KEYWARD_CRYPTO_EQUAL_LENGTH_HIDING_HPP

#include "../config.hpp"
#include "../ct.hpp"
#include "../random.hpp"
#include "sha2.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::detail::equal_length_hiding {
/// A random 32-byte key drawn once per process. If the OS random source fails the key stays all-zero: the
/// comparison is then still correct and still constant-time (the digests are compared with ct::equal());
/// only the extra defence of unpredictable digests is lost.
inline const std::array<std::uint8_t, 32>& key() noexcept {
  static const std::array<std::uint8_t, 32> bytes = [] {
    std::array<std::uint8_t, 32> k{};
    if (!keyward::random::fill(k.data(), k.size())) k.fill(0);
    return k;
  }();
  return bytes;
}

/// SHA-256(key || length || bytes): a keyed digest of `bytes` for comparisons.
inline crypto::sha256::digest keyed_digest(std::string_view bytes) noexcept {
  crypto::sha256 h;
  const auto& k = key();
  h.update(k.data(), k.size());
  const std::uint64_t length = bytes.size();
  h.update(&length, sizeof length);
  h.update(bytes.data(), bytes.size());
  return h.final();
}
}  // namespace keyward::detail::equal_length_hiding

namespace keyward::crypto {

/// True when `a` and `b` are the same bytes, for secrets whose lengths may differ and must not leak through
/// an early exit: both are hashed with SHA-256 under a random per-process key and the digests compared with
/// ct::equal(). The time depends on the two lengths (hashing time) but never on the contents or on where, or
/// whether, they differ. Never fails.
inline bool equal_length_hiding(std::string_view a, std::string_view b) noexcept {
  const auto left = detail::equal_length_hiding::keyed_digest(a);
  const auto right = detail::equal_length_hiding::keyed_digest(b);
  return ct::equal(left.data(), right.data(), left.size());
}

}  // namespace keyward::crypto

#endif  // KEYWARD_CRYPTO_EQUAL_LENGTH_HIDING_HPP
