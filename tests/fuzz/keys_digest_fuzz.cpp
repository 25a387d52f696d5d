// libFuzzer target: the stored-digest parsers of keys/digest.hpp. parse_digest_text accepts a text exactly
// when writing the digest back gives the same text (one text per digest), and its error offsets lie within
// the text; import_sha256_hex agrees with a plain hex decoder, import_sha256_base64 with the ordinary
// (variable-time) Base64 decoder; every accepted digest matches itself through a pepper_set.
#include <keyward/base64.hpp>
#include <keyward/keys/digest.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace keys = keyward::keys;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto parsed = keys::parse_digest_text(text);
  if (parsed) {
    FUZZ_CHECK(keys::digest_text(*parsed) == text);
  } else {
    FUZZ_CHECK(parsed.error() == keyward::errc::key_invalid_digest && parsed.error().offset() <= size);
  }

  const auto hex = keys::import_sha256_hex(text);
  bool hex_ok = size == 64;
  std::string bytes;
  for (std::size_t i = 0; hex_ok && i < 64; i += 2) {
    int v[2];
    for (int j = 0; j < 2; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      v[j] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      hex_ok = hex_ok && v[j] >= 0;
    }
    if (hex_ok) bytes.push_back(static_cast<char>(v[0] * 16 + v[1]));
  }
  FUZZ_CHECK(hex.has_value() == hex_ok);
  if (hex) FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(hex->bytes.data()), 32) == bytes);
  if (!hex) FUZZ_CHECK(hex.error().offset() <= size);

  const auto b64 = keys::import_sha256_base64(text);
  const auto plain = keyward::base64::decode(text);
  const bool b64_ok = size == 44 && plain && plain->size() == 32;
  FUZZ_CHECK(b64.has_value() == b64_ok);
  if (b64) FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(b64->bytes.data()), 32) == *plain);
  if (!b64) FUZZ_CHECK(b64.error().offset() <= size);

  static const auto peppers = keys::pepper_set::make(7, "0123456789abcdef0123456789abcdef");
  const keys::key_digest d = peppers->digest(text);
  FUZZ_CHECK(peppers->matches(text, d) && peppers->matches(text, keys::sha256_digest(text)));
  FUZZ_CHECK(!peppers->matches_nothing(text));
  const auto back = keys::parse_digest_text(keys::digest_text(d));
  FUZZ_CHECK(back && back->bytes == d.bytes && back->pepper_version == 7);
  return 0;
}
