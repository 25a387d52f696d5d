// libFuzzer target for keyward::base64. The first input byte picks the options, the rest is the text.
// Checks: decoding never reads or writes out of bounds (the output buffer is a heap block of exactly the
// capacity given, so AddressSanitizer sees any overrun, including with a buffer one byte short); accepted
// input re-encodes to itself; acceptance and bytes agree with the simple reference decoder below; errors
// point inside the input; any data survives an encode/decode round trip; and every kernel this CPU has
// (scalar, AVX2, AVX-512 VBMI), with timing::variable and with timing::constant, gives the same bytes and
// the same error, at the same offset, also into a buffer one byte short, without touching guard zones
// around its output (AddressSanitizer does not see AVX-512 masked stores).
#include <keyward/base64.hpp>
#include <keyward/kernels.hpp>

#include "fuzz_check.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace base64 = keyward::base64;

// The grammar of RFC 4648 read directly: whitespace removed first when skipped, then data characters,
// then padding to a multiple of four (or none), with zero unused bits. Returns the bytes, or nothing.
std::optional<std::string> reference_decode(std::string_view text, base64::options opt) {
  const std::string_view chars = opt.chars == base64::alphabet::url
                                     ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                     : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string compact;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!(space && opt.space == base64::whitespace::skip)) compact.push_back(c);
  }
  std::size_t data = compact.find('=');
  if (data == std::string::npos) data = compact.size();
  const std::size_t pads = compact.size() - data;
  for (std::size_t i = data; i < compact.size(); ++i) {
    if (compact[i] != '=') return std::nullopt;
  }
  if (pads != 0 && (opt.pad == base64::padding::forbidden || compact.size() % 4 != 0 || pads > 2)) {
    return std::nullopt;
  }
  if (pads == 0 && data % 4 != 0 && opt.pad == base64::padding::required) return std::nullopt;
  if (data % 4 == 1) return std::nullopt;
  std::string bytes;
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < data; ++i) {
    const std::size_t v = chars.find(compact[i]);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;  // non-zero unused bits
  return bytes;
}

// What one kernel made of the input: decode outcome and bytes, and the encoding of the input as data.
struct kernel_output {
  bool decoded = false;
  keyward::errc code{};
  std::size_t offset = 0;
  std::string bytes;
  keyward::errc short_code{};  // the error decoding into a buffer one byte short of the bytes, when any
  std::string encoded;
  bool operator==(const kernel_output& o) const {
    return decoded == o.decoded && code == o.code && offset == o.offset && bytes == o.bytes &&
           short_code == o.short_code && encoded == o.encoded;
  }
};

constexpr std::size_t guard = 64;
constexpr unsigned char guard_byte = 0xA5;

bool guards_intact(const unsigned char* block, std::size_t size) {
  for (std::size_t i = 0; i < guard; ++i) {
    if (block[i] != guard_byte || block[guard + size + i] != guard_byte) return false;
  }
  return true;
}

kernel_output run_kernel(keyward::kernels::kernel kernel, std::string_view text, base64::options opt) {
  const keyward::kernels::scoped_force forced(kernel);
  kernel_output result;
  const std::size_t capacity = base64::max_decoded_size(text.size());
  std::unique_ptr<unsigned char[]> block(new unsigned char[capacity + 2 * guard]);
  std::memset(block.get(), guard_byte, capacity + 2 * guard);
  const auto decoded = base64::write_decoded(text, block.get() + guard, capacity, opt);
  FUZZ_CHECK(guards_intact(block.get(), capacity));
  result.decoded = decoded.has_value();
  if (decoded) {
    result.bytes.assign(reinterpret_cast<const char*>(block.get() + guard), *decoded);
    if (*decoded != 0) {
      std::memset(block.get(), guard_byte, capacity + 2 * guard);
      const auto too_small = base64::write_decoded(text, block.get() + guard, *decoded - 1, opt);
      FUZZ_CHECK(!too_small && guards_intact(block.get(), *decoded - 1));
      result.short_code = too_small.error().code();
    }
  } else {
    result.code = decoded.error().code();
    result.offset = decoded.error().offset();
  }
  const std::size_t encoded_size = base64::encoded_size(text.size(), opt);
  block.reset(new unsigned char[encoded_size + 2 * guard]);
  std::memset(block.get(), guard_byte, encoded_size + 2 * guard);
  const auto written = base64::write_encoded(text, reinterpret_cast<char*>(block.get() + guard), encoded_size, opt);
  FUZZ_CHECK(written && *written == encoded_size && guards_intact(block.get(), encoded_size));
  result.encoded.assign(reinterpret_cast<const char*>(block.get() + guard), encoded_size);
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  base64::options opt;
  opt.chars = (selector & 1) ? base64::alphabet::url : base64::alphabet::standard;
  opt.pad = static_cast<base64::padding>((selector >> 1) % 3);
  opt.space = (selector & 8) ? base64::whitespace::skip : base64::whitespace::reject;
  // A heap copy of exactly the input, so that a read past its end is caught.
  const std::unique_ptr<char[]> input(new char[size - 1]);
  for (std::size_t i = 1; i < size; ++i) input[i - 1] = static_cast<char>(data[i]);
  const std::string_view text(input.get(), size - 1);

  const std::size_t capacity = opt.space == base64::whitespace::skip ? base64::max_decoded_size(text.size())
                                                                      : base64::decoded_size(text);
  const std::unique_ptr<unsigned char[]> out(new unsigned char[capacity + 1]);
  const auto decoded = base64::write_decoded(text, out.get(), capacity, opt);
  const auto expected = reference_decode(text, opt);
  FUZZ_CHECK(decoded.has_value() == expected.has_value());
  if (decoded) {
    const std::string bytes(reinterpret_cast<const char*>(out.get()), *decoded);
    FUZZ_CHECK(bytes == *expected);
    // Canonical: re-encoding gives the input back (whitespace aside; unpadded stays unpadded).
    base64::options again = opt;
    if (text.find('=') == std::string_view::npos && opt.pad == base64::padding::optional) {
      again.pad = base64::padding::forbidden;
    }
    std::string compact;
    for (const char c : text) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
    }
    FUZZ_CHECK(base64::encode(bytes, again) == compact);
    // One byte short is an error, never an overrun.
    if (*decoded != 0) {
      const std::unique_ptr<unsigned char[]> short_out(new unsigned char[*decoded - 1]);
      const auto too_small = base64::write_decoded(text, short_out.get(), *decoded - 1, opt);
      FUZZ_CHECK(!too_small && too_small.error() == keyward::errc::buffer_too_small);
    }
  } else {
    FUZZ_CHECK(decoded.error().has_offset() || decoded.error() == keyward::errc::buffer_too_small);
    FUZZ_CHECK(decoded.error().offset() <= text.size() || !decoded.error().has_offset());
  }

  // Any bytes round-trip through an exact-size encode buffer.
  const std::size_t encoded_capacity = base64::encoded_size(text.size(), opt);
  const std::unique_ptr<char[]> encoded(new char[encoded_capacity]);
  const auto written = base64::write_encoded(text, encoded.get(), encoded_capacity, opt);
  FUZZ_CHECK(written && *written == encoded_capacity);
  const auto back = base64::decode(std::string_view(encoded.get(), *written), opt);
  FUZZ_CHECK(back && *back == text);

  // Every kernel, in either timing, agrees with the scalar one with timing::variable.
  using keyward::kernels::kernel;
  base64::options constant = opt;
  constant.time = base64::timing::constant;
  const kernel_output scalar = run_kernel(kernel::scalar, text, opt);
  FUZZ_CHECK(run_kernel(kernel::scalar, text, constant) == scalar);
  for (const kernel k : {kernel::avx2, kernel::avx512vbmi}) {
    if (!keyward::kernels::available(k)) continue;
    FUZZ_CHECK(run_kernel(k, text, opt) == scalar);
    FUZZ_CHECK(run_kernel(k, text, constant) == scalar);
  }
  return 0;
}
