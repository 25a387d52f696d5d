// libFuzzer target: HMAC verification with arbitrary keys, messages and received tags agrees with a
// recomputation: a tag is accepted exactly when it equals the computed tag (or, with an explicit
// truncation, its prefix), and never at the wrong length. Prepared and one-shot forms agree.
//
// Input layout: byte 0 = key length, byte 1 = tag length (mod 65), byte 2 = bit 7: replace the tag by the
// genuine one (of the same length), bits 0-6: truncation length to verify with; byte 3 = bit 7: flip one bit
// of the tag, at the byte chosen by bits 0-6; then key, tag, message.
#include <keyward/crypto/hmac.hpp>
#include <keyward/kernels.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

template <class Hash>
void check(std::string_view key, std::string tag, std::string_view message, std::uint8_t control,
           std::uint8_t flip) {
  using mac = keyward::crypto::hmac<Hash>;
  const mac prepared(key);
  const auto computed = prepared.sign(message);
  if (computed != mac::compute(key, message)) std::abort();
  const std::string full(reinterpret_cast<const char*>(computed.data()), computed.size());
  if (control & 0x80u) {  // start from the genuine tag of the fuzzed length, maybe with one byte flipped
    tag = full.substr(0, std::min(tag.size(), full.size()));
    if ((flip & 0x80u) && !tag.empty()) tag[(flip & 0x7fu) % tag.size()] = static_cast<char>(tag[(flip & 0x7fu) % tag.size()] ^ 0x01);
  }
  const bool expected_full = tag == full;
  if (prepared.verify(message, tag) != expected_full) std::abort();
  if (prepared.check(message, tag).has_value() != expected_full) std::abort();

  const std::size_t truncation = control & 0x7fu;
  const bool truncation_allowed = truncation >= mac::min_truncated_size && truncation <= mac::tag_size;
  const bool expected_truncated = truncation_allowed && tag.size() == truncation && tag == full.substr(0, truncation);
  if (prepared.verify(message, tag, truncation) != expected_truncated) std::abort();
  if (prepared.check(message, tag, truncation).has_value() != expected_truncated) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = 4;
  if (size < header) return 0;
  const std::size_t key_size = data[0];
  const std::size_t tag_size = data[1] % 65u;
  const std::uint8_t control = data[2];
  const std::uint8_t flip = data[3];
  if (size < header + key_size + tag_size) return 0;
  const auto* bytes = reinterpret_cast<const char*>(data + header);
  const std::string_view key(bytes, key_size);
  const std::string tag(bytes + key_size, tag_size);
  const std::string_view message(bytes + key_size + tag_size, size - header - key_size - tag_size);
  check<keyward::crypto::sha256>(key, tag, message, control, flip);
  {
    const keyward::kernels::scoped_force scalar(keyward::kernels::kernel::scalar);
    check<keyward::crypto::sha256>(key, tag, message, control, flip);
  }
  check<keyward::crypto::sha384>(key, tag, message, control, flip);
  check<keyward::crypto::sha512>(key, tag, message, control, flip);
  return 0;
}
