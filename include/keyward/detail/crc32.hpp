// keyward (private): CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial value and final
// XOR 0xFFFFFFFF), in constant time: no table is indexed and no branch is taken on the data, so it may run
// over the secret part of an API key. PCLMULQDQ where the CPU has it (detail/crc32_x86.hpp, kernel
// kernels::kernel::pclmul), otherwise a portable word-at-a-time loop.
#ifndef KEYWARD_DETAIL_CRC32_HPP
#define KEYWARD_DETAIL_CRC32_HPP

#include "../config.hpp"
#include "cpu.hpp"
#include "crc32_x86.hpp"
#include "ct.hpp"

#include <cstddef>
#include <cstdint>

namespace keyward::detail::crc32 {

/// The register after `bits` steps of the bitwise CRC-32 (one step: shift right, XOR 0xEDB88320 when the
/// bit shifted out was set) from `value`.
constexpr std::uint32_t step_bits(std::uint32_t value, int bits) noexcept {
  for (int i = 0; i < bits; ++i) value = (value >> 1) ^ (0xEDB88320u & (0u - (value & 1u)));
  return value;
}

/// What each register bit becomes after 32 steps (`word`) and after 8 steps (`byte`). The steps are linear,
/// so a register after n steps is the XOR of these columns over its set bits (plus its shifted-in part when
/// n < 32): the bits select columns through masks, never through an index.
struct crc32_columns {
  std::uint32_t word[32];
  std::uint32_t byte[8];
};

constexpr crc32_columns make_columns() noexcept {
  crc32_columns c{};
  for (int b = 0; b < 32; ++b) c.word[b] = step_bits(std::uint32_t{1} << b, 32);
  for (int b = 0; b < 8; ++b) c.byte[b] = step_bits(std::uint32_t{1} << b, 8);
  return c;
}

inline constexpr crc32_columns columns = make_columns();

/// zlib's crc32() of the `size` bytes at `data`, portable: four bytes per step, each of the register's 32
/// bits choosing its column through a mask. The time taken depends on `size` only.
inline std::uint32_t compute_portable(const unsigned char* data, std::size_t size) noexcept {
  std::uint32_t crc = 0xFFFFFFFFu;
  std::size_t i = 0;
  for (; size - i >= 4; i += 4) {
    crc ^= static_cast<std::uint32_t>(data[i]) | static_cast<std::uint32_t>(data[i + 1]) << 8 |
           static_cast<std::uint32_t>(data[i + 2]) << 16 | static_cast<std::uint32_t>(data[i + 3]) << 24;
    std::uint32_t next = 0;
    for (int b = 0; b < 32; ++b) next ^= ct::value_barrier(0u - ((crc >> b) & 1u)) & columns.word[b];
    crc = next;
  }
  for (; i < size; ++i) {
    crc ^= data[i];
    std::uint32_t next = crc >> 8;
    for (int b = 0; b < 8; ++b) next ^= ct::value_barrier(0u - ((crc >> b) & 1u)) & columns.byte[b];
    crc = next;
  }
  return ~crc;
}

/// The CRC-32 (zlib's crc32()) of the `size` bytes at `data`: PCLMULQDQ when allowed (kernels::kernel::
/// pclmul), the portable loop otherwise. Same result either way; the time taken depends on `size` only.
inline std::uint32_t compute(const unsigned char* data, std::size_t size) noexcept {
#if KEYWARD_X86_SIMD
  if (cpu::has(cpu::pclmul)) return compute_pclmul(data, size);
#endif
  return compute_portable(data, size);
}

}  // namespace keyward::detail::crc32

#endif  // KEYWARD_DETAIL_CRC32_HPP
