// libFuzzer target: incremental hashing with split points taken from the input equals one-shot hashing,
// for SHA-256 (on every available kernel), SHA-384 and SHA-512.
//
// Input layout: byte 0 = number of split points (mod 8), then 2 bytes per split point (little-endian,
// reduced modulo the message length), then the message.
#include <keyward/crypto/sha2.hpp>
#include <keyward/kernels.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

template <class Hash>
void check(const std::uint8_t* message, std::size_t size, const std::vector<std::size_t>& splits) {
  const auto expected = Hash::hash(message, size);
  Hash h;
  std::size_t at = 0;
  for (const std::size_t split : splits) {
    h.update(message + at, split - at);
    at = split;
  }
  h.update(message + at, size - at);
  if (h.final() != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t count = data[0] % 8u;
  if (size < 1 + 2 * count) return 0;
  const std::uint8_t* message = data + 1 + 2 * count;
  const std::size_t length = size - 1 - 2 * count;
  std::vector<std::size_t> splits;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t raw = static_cast<std::size_t>(data[1 + 2 * i] | (data[2 + 2 * i] << 8));
    splits.push_back(length == 0 ? 0 : raw % (length + 1));
  }
  std::sort(splits.begin(), splits.end());

  using keyward::crypto::sha256;
  const auto scalar = [&] {
    const keyward::kernels::scoped_force only(keyward::kernels::kernel::scalar);
    check<sha256>(message, length, splits);
    return sha256::hash(message, length);
  }();
  check<sha256>(message, length, splits);  // the dispatched kernel (SHA-NI where present)
  if (sha256::hash(message, length) != scalar) std::abort();
  check<keyward::crypto::sha384>(message, length, splits);
  check<keyward::crypto::sha512>(message, length, splits);
  return 0;
}
