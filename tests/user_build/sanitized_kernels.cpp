// Built by tests/user_build/run.sh with clang++ -O2 -fsanitize=address,undefined and no
// -fno-omit-frame-pointer, as users build their own sanitized tests: every SIMD kernel of the library is
// reached from here (Base64 in both timings and alphabets, SHA-256/384/512 and HMAC, the CRC-32 of key
// checksums, the key scanner), so a compiler that cannot build one of them under the sanitizers is caught.
// clang 14 once crashed on the AVX-512 Base64 decoder in this configuration.
#include <keyward/keyward.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  namespace base64 = keyward::base64;
  namespace crypto = keyward::crypto;
  namespace keys = keyward::keys;
  const std::string input = argc > 1 ? argv[1] : "live_ScaleRocks:0123456789abcdefghijklmnopqrstuvwxyz";
  std::size_t sink = 0;
  for (const base64::options& opt : {base64::standard, base64::url, base64::standard_ct, base64::url_ct}) {
    const std::string text = base64::encode(input, opt);
    const auto back = base64::decode(text, opt);
    sink += text.size() + (back ? back->size() : 0);
  }
  sink += crypto::sha256::hash(input)[0] + crypto::sha384::hash(input)[0] + crypto::sha512::hash(input)[0];
  sink += crypto::hmac_sha256::compute(input, input)[0] + crypto::hmac_sha512::compute(input, input)[0];
  sink += keys::check_crc32_token("npm_0123456789abcdefghijABCDEFGHIJ000000", keys::leaked_token_prefixes) ? 1 : 0;
  keys::scanner_options scan_options;
  scan_options.keys = keys::stripe_prefixes;
  if (auto made = keys::scanner::make(scan_options)) {
    std::string log = "GET /?key=sk_live_" + input + " 200\n";
    sink += made->redact_in_place(log);
  }
  std::printf("%zu\n", sink);
  return 0;
}
