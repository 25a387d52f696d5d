// Constant-time check under valgrind (the BoringSSL method): secret bytes are marked undefined with
// memcheck's client requests, the operation under test runs on them, and only its final verdict is marked
// defined again. Any branch or memory index that depends on a secret byte then shows up as a memcheck error
// ("Conditional jump or move depends on uninitialised value(s)"), which run.sh turns into a failure.
//
// keyward's own constant-time code marks its few public verdicts (a text is valid, where the ':' of a
// user-pass is) the same way when built with KEYWARD_CONSTANT_TIME_VALIDATION (detail/base64_ct.hpp).
//
// Usage: ctgrind_check real           every constant-time operation; valgrind must report nothing
//        ctgrind_check leaky          a deliberately early-exit compare; valgrind must report an error
//        ctgrind_check leaky-base64   Base64 with timing::variable (its tables are indexed by the secret
//                                     characters); valgrind must report an error
#define KEYWARD_CONSTANT_TIME_VALIDATION 1

#include <keyward/base64.hpp>
#include <keyward/crypto/equal_length_hiding.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/ct.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/kernels.hpp>
#include <keyward/secret.hpp>

#include <valgrind/memcheck.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace {

// Marks `size` bytes at `p` as secret: memcheck treats them as undefined from now on.
void classify(const void* p, std::size_t size) { (void)VALGRIND_MAKE_MEM_UNDEFINED(p, size); }
// Marks a result computed from secrets as public.
void declassify(const void* p, std::size_t size) { (void)VALGRIND_MAKE_MEM_DEFINED(p, size); }

bool verdict(bool value) {
  declassify(&value, sizeof value);
  return value;
}

// The leak the harness must catch: stops at the first difference, like memcmp.
__attribute__((noinline)) bool leaky_equal(const unsigned char* a, const unsigned char* b, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

int failures = 0;

void expect(const char* what, bool got, bool wanted) {
  std::printf("%-40s %s\n", what, got == wanted ? "ok" : "WRONG");
  if (got != wanted) ++failures;
}

std::array<unsigned char, 64> pattern(unsigned char seed) {
  std::array<unsigned char, 64> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(seed + 31 * i);
  return bytes;
}

// Base64 of secret bytes with timing::constant under `opt` with every kernel that can run here (valgrind
// offers AVX2 but not AVX-512), for every length up to 64 and a few longer ones: the tails of every kernel.
// Encodes the secret bytes, decodes the (secret) text back, and decodes it into a buffer one byte short.
void check_base64(keyward::base64::options opt, const char* name) {
  namespace base64 = keyward::base64;
  using keyward::kernels::kernel;
  for (const kernel k : {kernel::scalar, kernel::avx2, kernel::avx512vbmi}) {
    const char* kernel_name = k == kernel::scalar ? "scalar" : (k == kernel::avx2 ? "avx2" : "avx512vbmi");
    if (!keyward::kernels::available(k)) {
      std::printf("%-40s %s\n", (std::string("base64 ") + kernel_name).c_str(), "not available: skipped");
      continue;
    }
    const keyward::kernels::scoped_force forced(k);
    bool all_ok = true;
    for (std::size_t size = 0; size <= 200; size += size < 64 ? 1 : 67) {
      std::string bytes(size, '\0');
      for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(0x9D * i + size);
      base64::options plain = opt;
      plain.time = base64::timing::variable;
      std::string expected = base64::encode(bytes, plain);  // computed before the bytes become secret
      std::string text(expected.size(), '\0');
      classify(bytes.data(), bytes.size());
      const auto written = base64::write_encoded(bytes, text.data(), text.size(), opt);
      all_ok = all_ok && written && *written == expected.size() &&
               verdict(keyward::ct::equal(text.data(), expected.data(), expected.size()));
      // The text holds the secret: decode it back in constant time.
      classify(text.data(), text.size());
      std::string back(base64::max_decoded_size(text.size()), '\0');
      const auto decoded = base64::write_decoded(text, back.data(), back.size(), opt);
      all_ok = all_ok && decoded && *decoded == size &&
               verdict(keyward::ct::equal(back.data(), bytes.data(), size));
      if (size != 0) {
        const auto short_room = base64::write_decoded(text, back.data(), size - 1, opt);
        all_ok = all_ok && !short_room && short_room.error() == keyward::errc::buffer_too_small;
      }
      // With whitespace::skip, only where the whitespace is may show (a line break every 8 characters).
      std::string wrapped;
      for (std::size_t i = 0; i < expected.size(); ++i) wrapped += (i % 8 == 7 ? "\r\n" : "") + expected.substr(i, 1);
      classify(wrapped.data(), wrapped.size());
      base64::options skipping = opt;
      skipping.space = base64::whitespace::skip;
      const auto unwrapped = base64::write_decoded(wrapped, back.data(), back.size(), skipping);
      all_ok = all_ok && unwrapped && *unwrapped == size &&
               verdict(keyward::ct::equal(back.data(), bytes.data(), size));
    }
    char label[64];
    std::snprintf(label, sizeof label, "base64 %s %s 0-200 bytes", name, kernel_name);
    expect(label, all_ok, true);
  }
}

// http::parse_basic on a secret token, and write_basic / basic / basic_api_key on a secret user-id and
// password, with every kernel that can run here.
void check_basic() {
  namespace http = keyward::http;
  using keyward::kernels::kernel;
  for (const kernel k : {kernel::scalar, kernel::avx2}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force forced(k);
    bool all_ok = true;
    for (std::size_t user_size = 0; user_size <= 40; user_size += user_size < 8 ? 1 : 11) {
      for (std::size_t password_size = 0; password_size <= 50; password_size += password_size < 6 ? 1 : 13) {
        std::string user(user_size, 'u'), password(password_size, 'p');
        for (std::size_t i = 0; i < user_size; ++i) user[i] = static_cast<char>('A' + (i * 7 + password_size) % 26);
        for (std::size_t i = 0; i < password_size; ++i) password[i] = static_cast<char>(0x21 + (i * 13) % 94);
        const std::string user_pass = user + ":" + password;
        const std::string expected = "Basic " + keyward::base64::encode(user_pass);
        classify(user.data(), user.size());
        classify(password.data(), password.size());
        char field[128];
        const auto written = http::write_basic(user, password, field, sizeof field);
        all_ok = all_ok && written && *written == expected.size() &&
                 verdict(keyward::ct::equal(field, expected.data(), expected.size()));
        const auto built = password_size == 0 ? http::basic_api_key(user) : http::basic(user, password);
        all_ok = all_ok && built && built->size() == expected.size() &&
                 verdict(keyward::ct::equal(built->data(), expected.data(), expected.size()));
        // Parse the field back with its whole token secret ("Basic " is public), as sent and with OWS around
        // it and two SP before the token (the scanner's other path).
        const std::string token = expected.substr(6);
        for (const std::string& value : {expected, " basic  " + token + " \t"}) {
          const std::size_t token_begin = value.find(token);
          classify(value.data() + token_begin, token.size());
          http::basic_buffer<128> buffer;
          const auto parsed = http::parse_basic(value, buffer);
          all_ok = all_ok && parsed && parsed->user.size() == user_size &&
                   parsed->password.size() == password_size &&
                   verdict(keyward::ct::equal(parsed->user.data(), user_pass.data(), user_size)) &&
                   verdict(keyward::ct::equal(parsed->password.data(), password.data(), password_size));
        }
      }
    }
    char label[64];
    std::snprintf(label, sizeof label, "http basic build and parse %s", k == kernel::scalar ? "scalar" : "avx2");
    expect(label, all_ok, true);
  }
}

void run_real() {
  for (const std::size_t size : {16u, 32u, 33u, 64u}) {
    auto a = pattern(7), b = pattern(7), c = pattern(7);
    c[size / 2] ^= 0x10;
    classify(a.data(), size);
    classify(b.data(), size);
    classify(c.data(), size);
    char label[64];
    std::snprintf(label, sizeof label, "ct::equal %zu bytes, same", size);
    expect(label, verdict(keyward::ct::equal(a.data(), b.data(), size)), true);
    std::snprintf(label, sizeof label, "ct::equal %zu bytes, different", size);
    expect(label, verdict(keyward::ct::equal(a.data(), c.data(), size)), false);
  }

  {
    std::string a(40, 'x'), b(40, 'x'), c(23, 'x');
    b[39] = 'y';
    classify(a.data(), a.size());
    classify(b.data(), b.size());
    classify(c.data(), c.size());
    expect("crypto::equal_length_hiding same", verdict(keyward::crypto::equal_length_hiding(a, a)), true);
    expect("crypto::equal_length_hiding different", verdict(keyward::crypto::equal_length_hiding(a, b)), false);
    expect("crypto::equal_length_hiding other length", verdict(keyward::crypto::equal_length_hiding(a, c)), false);
  }

  {
    auto selected = keyward::ct::select(true, 0x1234u, 0x5678u);
    bool condition = true;
    classify(&condition, sizeof condition);
    selected = keyward::ct::select(condition, 0x1234u, 0x5678u);
    declassify(&selected, sizeof selected);
    expect("ct::select", selected == 0x1234u, true);
  }

  {
    // HMAC-SHA256 verify: the key and the received tag are secret.
    std::string key(32, 'k'), message = "GET /v1/things 1700000000";
    const auto good = keyward::crypto::hmac<keyward::crypto::sha256>::compute(key, message);
    std::string tag(reinterpret_cast<const char*>(good.data()), good.size());
    std::string bad = tag;
    bad[5] = static_cast<char>(bad[5] ^ 1);
    classify(key.data(), key.size());
    classify(tag.data(), tag.size());
    classify(bad.data(), bad.size());
    const keyward::crypto::hmac<keyward::crypto::sha256> prepared(key);
    expect("hmac<sha256>::verify good tag", verdict(prepared.verify(message, tag)), true);
    expect("hmac<sha256>::verify bad tag", verdict(prepared.verify(message, bad)), false);
    expect("hmac<sha256>::verify truncated 16", verdict(prepared.verify(message, tag.substr(0, 16), 16)), true);
    const keyward::crypto::hmac<keyward::crypto::sha512> prepared512(key);
    const auto tag512 = prepared512.sign(message);
    std::string t512(reinterpret_cast<const char*>(tag512.data()), tag512.size());
    classify(t512.data(), t512.size());
    expect("hmac<sha512>::verify good tag", verdict(prepared512.verify(message, t512)), true);
  }

  {
    std::string raw(48, 's');
    classify(raw.data(), raw.size());
    const keyward::secret a{std::string_view(raw)};
    const keyward::secret b{std::string_view(raw)};
    raw[47] = 't';
    const keyward::secret c{std::string_view(raw)};
    expect("secret == same", verdict(a == b), true);
    expect("secret == different", verdict(a == c), false);
  }

  namespace base64 = keyward::base64;
  check_base64(base64::standard_ct, "standard");
  check_base64(base64::url_ct, "url");
  check_base64({base64::alphabet::url, base64::padding::required, base64::whitespace::reject,
                base64::timing::constant}, "url padded");
  check_base64({base64::alphabet::standard, base64::padding::optional, base64::whitespace::reject,
                base64::timing::constant}, "standard optional");
  check_basic();
}

void run_leaky() {
  auto a = pattern(7), b = pattern(7);
  b[20] ^= 1;
  classify(a.data(), a.size());
  classify(b.data(), b.size());
  expect("leaky early-exit compare", verdict(leaky_equal(a.data(), b.data(), a.size())), false);
}

// The leak the harness must catch in Base64: the ordinary decoder (timing::variable) indexes its tables by
// the characters, as parse_basic did before it took timing::constant.
void run_leaky_base64() {
  std::string text = "c2VjcmV0OnB3";  // "secret:pw"
  classify(text.data(), text.size());
  char out[16];
  const auto decoded = keyward::base64::write_decoded(text, out, sizeof out);
  expect("leaky base64 decode", decoded && *decoded == 9, true);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "real") {
    run_real();
  } else if (mode == "leaky") {
    run_leaky();
  } else if (mode == "leaky-base64") {
    run_leaky_base64();
  } else {
    std::fprintf(stderr, "usage: %s real|leaky|leaky-base64\n", argv[0]);
    return 2;
  }
  std::printf("running under valgrind: %s; SHA-256 kernel: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no",
              (keyward::kernels::active() & keyward::kernels::kernel::sha_ni) == keyward::kernels::kernel::sha_ni
                  ? "sha-ni"
                  : "scalar");
  return failures == 0 ? 0 : 1;
}
