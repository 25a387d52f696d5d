// libFuzzer target: incremental hashing with split points taken from the input equals one-shot hashing,
// for SHA-256, SHA-384 and SHA-512, and every kernel the machine has (SHA-NI for SHA-256, AVX2 for
// SHA-384/512, the dispatcher's default) gives the portable code's digest, from an aligned and an
// unaligned copy of the message.
//
// Input layout: byte 0 = number of split points (mod 8), then 2 bytes per split point (little-endian,
// reduced modulo the message length), then the message.
#include <keyward/crypto/sha2.hpp>
#include <keyward/kernels.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using keyward::kernels::kernel;

template <class Hash>
typename Hash::digest incremental(const std::uint8_t* message, std::size_t size,
                                  const std::vector<std::size_t>& splits) {
  Hash h;
  std::size_t at = 0;
  for (const std::size_t split : splits) {
    h.update(message + at, split - at);
    at = split;
  }
  h.update(message + at, size - at);
  return h.final();
}

// Every kernel set gives the scalar digest, one-shot and incremental, at `message` and at an odd address.
template <class Hash>
void check(const std::uint8_t* message, std::size_t size, const std::vector<std::size_t>& splits) {
  const auto expected = [&] {
    const keyward::kernels::scoped_force only(kernel::scalar);
    return Hash::hash(message, size);
  }();
  std::vector<std::uint8_t> shifted(size + 1);
  if (size != 0) std::memcpy(shifted.data() + 1, message, size);
  for (const kernel k : {kernel::scalar, kernel::sha_ni, kernel::avx2, kernel::all}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force only(k);
    if (Hash::hash(message, size) != expected) std::abort();
    if (Hash::hash(shifted.data() + 1, size) != expected) std::abort();
    if (incremental<Hash>(message, size, splits) != expected) std::abort();
  }
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

  check<keyward::crypto::sha256>(message, length, splits);
  check<keyward::crypto::sha384>(message, length, splits);
  check<keyward::crypto::sha512>(message, length, splits);
  return 0;
}
