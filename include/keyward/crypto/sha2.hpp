// keyward: SHA-256, SHA-384 and SHA-512 (FIPS 180-4), incremental and one-shot.
//
// The portable code is constexpr (through update(std::string_view) and hash(std::string_view)); at run time
// SHA-256 uses the x86 SHA extensions when the CPU has them (kernels::kernel::sha_ni), and SHA-384 and
// SHA-512 an AVX2 message schedule with BMI2 rounds (kernels::kernel::avx2), see kernels.hpp. Every
// implementation gives byte-identical digests. Nothing here allocates or fails.
/// \file
/// SHA-256, SHA-384 and SHA-512 (FIPS 180-4), incremental and one-shot.
#ifndef KEYWARD_CRYPTO_SHA2_HPP
#define KEYWARD_CRYPTO_SHA2_HPP

#include "../config.hpp"
#include "../detail/cpu.hpp"
#include "../detail/sha2_scalar.hpp"
#include "../detail/sha2_x86.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keyward::detail::sha2 {

/// Digest size and initial hash value (FIPS 180-4 section 5.3.3) of SHA-256.
struct sha256_params {
  using functions = functions256;
  static constexpr std::size_t digest_size = 32;
  static constexpr std::array<std::uint32_t, 8> initial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
};
/// Digest size and initial hash value (FIPS 180-4 section 5.3.4) of SHA-384.
struct sha384_params {
  using functions = functions512;
  static constexpr std::size_t digest_size = 48;
  static constexpr std::array<std::uint64_t, 8> initial = {
      0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
      0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
};
/// Digest size and initial hash value (FIPS 180-4 section 5.3.5) of SHA-512.
struct sha512_params {
  using functions = functions512;
  static constexpr std::size_t digest_size = 64;
  static constexpr std::array<std::uint64_t, 8> initial = {
      0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
      0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
};

}  // namespace keyward::detail::sha2

/// Hashes and MACs without OpenSSL: SHA-256/384/512 (FIPS 180-4), HMAC (RFC 2104), SipHash-2-4, and the
/// length-hiding comparison.
namespace keyward::crypto {

/// A SHA-2 hash (FIPS 180-4 sections 5 and 6): feed bytes with update(), read the digest with final().
/// Use the aliases sha256, sha384 and sha512. Copyable: a copy continues from the same point, which is how
/// hmac reuses a prepared key. All members are noexcept and never fail.
template <class Params>
class sha2_hash {
  using functions = typename Params::functions;
  using word = typename functions::word;

 public:
  /// Bytes in a digest: 32, 48 or 64.
  static constexpr std::size_t digest_size = Params::digest_size;
  /// Bytes in a message block (FIPS 180-4 section 1): 64 for SHA-256, 128 for SHA-384 and SHA-512.
  static constexpr std::size_t block_size = 16 * sizeof(word);
  /// The digest type.
  using digest = std::array<std::uint8_t, digest_size>;

  /// A hash of the empty message so far.
  constexpr sha2_hash() noexcept = default;

  /// Forgets everything hashed so far.
  constexpr void reset() noexcept { *this = sha2_hash(); }

  /// Appends `size` bytes at `data` (which may be null when size is 0) to the message.
  void update(const void* data, std::size_t size) noexcept {
    if (size != 0) absorb(static_cast<const std::uint8_t*>(data), size);
  }
  /// Appends the bytes of `bytes` to the message; usable in constant expressions.
  constexpr void update(std::string_view bytes) noexcept {
    if (!bytes.empty()) absorb(bytes.data(), bytes.size());
  }

  /// The digest of everything given to update() (padding of FIPS 180-4 section 5.1); the object is then
  /// reset and can hash a new message.
  constexpr digest final() noexcept {
    constexpr std::size_t length_field = 2 * sizeof(word);  // 64 or 128 bits of message length
    const std::uint64_t bytes = total_;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > block_size - length_field) {
      while (buffered_ < block_size) buffer_[buffered_++] = 0;
      compress(buffer_.data(), 1);
      buffered_ = 0;
    }
    while (buffered_ < block_size - 8) buffer_[buffered_++] = 0;
    // The bit length (with its top bits, for the 128-bit field, taken from bytes >> 61).
    if constexpr (length_field == 16) buffer_[block_size - 9] = static_cast<std::uint8_t>(bytes >> 61);
    const std::uint64_t bits = bytes << 3;
    for (std::size_t i = 0; i < 8; ++i) buffer_[block_size - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
    compress(buffer_.data(), 1);

    digest out{};
    for (std::size_t i = 0; i < digest_size; ++i)
      out[i] = static_cast<std::uint8_t>(state_[i / sizeof(word)] >> (8 * (sizeof(word) - 1 - i % sizeof(word))));
    reset();
    return out;
  }

  /// The digest of the `size` bytes at `data`.
  static digest hash(const void* data, std::size_t size) noexcept {
    sha2_hash h;
    h.update(data, size);
    return h.final();
  }
  /// The digest of `bytes`; usable in constant expressions.
  static constexpr digest hash(std::string_view bytes) noexcept {
    sha2_hash h;
    h.update(bytes);
    return h.final();
  }

 private:
  template <class Byte>
  constexpr void absorb(const Byte* p, std::size_t size) noexcept {
    total_ += size;
    if (buffered_ != 0) {
      const std::size_t room = block_size - buffered_;
      const std::size_t take = size < room ? size : room;
      for (std::size_t i = 0; i < take; ++i) buffer_[buffered_ + i] = static_cast<std::uint8_t>(p[i]);
      buffered_ += take;
      p += take;
      size -= take;
      if (buffered_ < block_size) return;
      compress(buffer_.data(), 1);
      buffered_ = 0;
    }
    const std::size_t blocks = size / block_size;
    if (blocks != 0) {
      compress(p, blocks);
      p += blocks * block_size;
      size -= blocks * block_size;
    }
    for (std::size_t i = 0; i < size; ++i) buffer_[i] = static_cast<std::uint8_t>(p[i]);
    buffered_ = size;
  }

  template <class Byte>
  constexpr void compress(const Byte* p, std::size_t blocks) noexcept {
#if KEYWARD_X86_SIMD
    if constexpr (sizeof(word) == 4) {
      if (!detail::cpu::is_constant_evaluated() && detail::cpu::has(detail::cpu::sha_ni)) {
        detail::sha2::compress256_shani(state_.data(), reinterpret_cast<const std::uint8_t*>(p), blocks);
        return;
      }
    } else {
      if (!detail::cpu::is_constant_evaluated() && detail::cpu::has(detail::cpu::avx2)) {
        detail::sha2::compress512_avx2(state_.data(), reinterpret_cast<const std::uint8_t*>(p), blocks);
        return;
      }
    }
#endif
    detail::sha2::compress<functions>(state_.data(), p, blocks);
  }

  std::array<word, 8> state_ = Params::initial;
  std::array<std::uint8_t, block_size> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;  // bytes so far; messages are limited to 2^64 - 1 bytes
};

/// SHA-256, FIPS 180-4 section 6.2: 32-byte digest, 64-byte blocks.
using sha256 = sha2_hash<detail::sha2::sha256_params>;
/// SHA-384, FIPS 180-4 section 6.5: 48-byte digest, 128-byte blocks.
using sha384 = sha2_hash<detail::sha2::sha384_params>;
/// SHA-512, FIPS 180-4 section 6.4: 64-byte digest, 128-byte blocks.
using sha512 = sha2_hash<detail::sha2::sha512_params>;

}  // namespace keyward::crypto

#endif  // KEYWARD_CRYPTO_SHA2_HPP
