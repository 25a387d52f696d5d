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
#include <keyward/detail/crc32.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/keys/callback.hpp>
#include <keyward/keys/digest.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/verifier.hpp>
#include <keyward/kernels.hpp>
#include <keyward/secret.hpp>

#include <valgrind/memcheck.h>

#include "jwt_checks.hpp"
#include "webhook_checks.hpp"

#include <array>
#include <chrono>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

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

// detail::crc32 (the checksum of keyward's API keys) on secret bytes: through the dispatcher forced to the
// portable loop and left to choose (PCLMULQDQ once detail/cpu.hpp reports it), and compute_pclmul directly
// where the CPU has it. Every length to 130 (every tail, the one-block path, the four-lane loop from 113
// bytes) and two longer ones, at an odd offset; checked against the portable loop run before classify().
void check_crc32() {
  namespace crc32 = keyward::detail::crc32;
  using keyward::kernels::kernel;
  struct way {
    const char* name;
    kernel allowed;
    std::uint32_t (*crc)(const unsigned char*, std::size_t);
  };
  std::vector<way> ways{{"crc32 dispatched, scalar", kernel::scalar, &crc32::compute},
                        {"crc32 dispatched, all", kernel::all, &crc32::compute}};
#if KEYWARD_X86_SIMD
  if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3"))
    ways.push_back({"crc32 compute_pclmul", kernel::all, &crc32::compute_pclmul});
#endif
  for (const way& w : ways) {
    const keyward::kernels::scoped_force forced(w.allowed);
    bool all_ok = true;
    for (std::size_t size = 0; size <= 300; size += size < 130 ? 1 : 85) {
      std::vector<unsigned char> buffer(size + 3);
      unsigned char* bytes = buffer.data() + 3;
      for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(0x9D * i + size);
      const std::uint32_t expected = crc32::compute_portable(bytes, size);
      classify(bytes, size);
      std::uint32_t crc = w.crc(bytes, size);
      declassify(&crc, sizeof crc);
      all_ok = all_ok && crc == expected;
    }
    char label[64];
    std::snprintf(label, sizeof label, "%s 0-300 bytes", w.name);
    expect(label, all_ok, true);
  }
}

// keys::parse_key, check_crc32_token / check_github_token and redact with the bytes after the key's id (or
// after a token's prefix) secret: valid keys of several secret lengths, a changed secret character (checksum
// mismatch) and a byte outside base62 (the invalid-character path and its offset); only verdicts are public.
void check_keys() {
  namespace keys = keyward::keys;
  bool all_ok = true;
  for (const std::size_t length : {32u, 33u, 47u, 64u}) {
    for (const keys::prefix_entry& entry : keys::stripe_prefixes.entries()) {
      const auto made = keys::generate_key(entry, length);
      if (!made) {
        all_ok = false;
        continue;
      }
      const std::size_t public_size = entry.prefix.size() + keys::id_length;
      std::string key(made->reveal()), wrong = key, outside = key;
      wrong[public_size + 20] = wrong[public_size + 20] == 'A' ? 'B' : 'A';
      outside[public_size + 9] = '_';
      for (std::string* k : {&key, &wrong, &outside}) classify(k->data() + public_size, k->size() - public_size);
      const auto good = keys::parse_key(key, keys::stripe_prefixes);
      const auto bad = keys::parse_key(wrong, keys::stripe_prefixes);
      const auto odd = keys::parse_key(outside, keys::stripe_prefixes);
      all_ok = all_ok && good.has_value() && good->secret.size() == length && !bad.has_value() &&
               bad.error() == keyward::errc::key_checksum_mismatch && !odd.has_value() &&
               odd.error() == keyward::error(keyward::errc::key_invalid_character, public_size + 9);
      all_ok = all_ok && keys::redact(key, keys::stripe_prefixes).size() == public_size + 3 &&
               keys::redact(wrong, keys::stripe_prefixes).size() == entry.prefix.size() + 3;
    }
  }
  std::string token = "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", fake = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
  classify(token.data() + 4, token.size() - 4);
  classify(fake.data() + 4, fake.size() - 4);
  all_ok = all_ok && keys::check_github_token(token).has_value() &&
           keys::check_github_token(fake).error() == keyward::errc::key_checksum_mismatch;
  expect("keys parse_key, check_github_token, redact", all_ok, true);
}

// keys/digest.hpp: the pepper, the whole key and the stored digest are secret; the algorithm, the pepper
// version and the lengths are public. matches() / verify() / matches_nothing() / digest(), the text form
// and both imports, with every kernel valgrind can run (it has no SHA-NI; AVX2 for the Base64 kernels).
void check_keys_digest() {
  namespace keys = keyward::keys;
  using keyward::kernels::kernel;
  for (const kernel k : {kernel::scalar, kernel::avx2}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force forced(k);
    std::string pepper(32, '\0'), old_pepper(48, '\0');
    for (std::size_t i = 0; i < pepper.size(); ++i) pepper[i] = static_cast<char>(0x5A ^ (i * 29));
    for (std::size_t i = 0; i < old_pepper.size(); ++i) old_pepper[i] = static_cast<char>(0xC3 + i * 17);
    std::string key = "kw_live_0123456789ABaZ3kQ9xLm2Pq7RtV4wYb8NcD1eFgH5jKsU00aBcD";  // 60 bytes
    // Expected values, computed before anything is secret.
    auto plain = keys::pepper_set::make(7, pepper);
    auto plain_old = keys::pepper_set::make(6, old_pepper);
    if (!plain || !plain_old) { expect("keys digest setup", false, true); return; }
    const keys::key_digest good = plain->digest(key), good_old = plain_old->digest(key);
    const keys::key_digest good_sha = keys::sha256_digest(key);
    const std::string text = keys::digest_text(good), sha_text = keys::digest_text(good_sha);
    static const char hex_digits[] = "0123456789abcdef";
    std::string hex, upper_hex;
    for (const auto b : good_sha.bytes) {
      hex += hex_digits[b >> 4];
      hex += hex_digits[b & 15];
      upper_hex += static_cast<char>(std::toupper(hex_digits[b >> 4]));
      upper_hex += static_cast<char>(std::toupper(hex_digits[b & 15]));
    }
    const std::string b64 = keyward::base64::encode(
        std::string_view(reinterpret_cast<const char*>(good_sha.bytes.data()), good_sha.bytes.size()));

    classify(pepper.data(), pepper.size());
    classify(old_pepper.data(), old_pepper.size());
    classify(key.data(), key.size());
    auto set = keys::pepper_set::make(7, pepper);
    const bool added = set && set->add_previous(6, old_pepper).has_value();
    bool all_ok = added;
    if (set) {
      keys::key_digest stored = good, stored_old = good_old, stored_sha = good_sha;
      keys::key_digest wrong = good, wrong_sha = good_sha, unknown = good;
      wrong.bytes[31] ^= 1;
      wrong_sha.bytes[0] ^= 0x80;
      unknown.pepper_version = 99;
      for (keys::key_digest* d : {&stored, &stored_old, &stored_sha, &wrong, &wrong_sha, &unknown}) {
        classify(d->bytes.data(), d->bytes.size());
      }
      all_ok = all_ok && set->matches(key, stored) && set->matches(key, stored_old) &&
               set->matches(key, stored_sha) && !set->matches(key, wrong) && !set->matches(key, wrong_sha) &&
               !set->matches(key, unknown) && !set->matches_nothing(key) &&
               !set->matches_nothing(key, keys::digest_algorithm::sha256);
      all_ok = all_ok && set->verify(key, stored).has_value() &&
               set->verify(key, wrong).error() == keyward::errc::crypto_mac_mismatch &&
               set->verify(key, unknown).error() == keyward::errc::key_unknown_pepper;
      {
        const keys::presented_digest presented = set->present(key);
        all_ok = all_ok && set->matches(key, presented, stored) && set->matches(key, presented, stored_old) &&
                 set->matches(key, presented, stored_sha) && !set->matches(key, presented, wrong) &&
                 !set->matches(key, presented, wrong_sha) && !set->matches(key, presented, unknown);
      }
      const keys::key_digest minted = set->digest(key);
      all_ok = all_ok && minted.pepper_version == 7 &&
               verdict(keyward::ct::equal(minted.bytes.data(), good.bytes.data(), good.bytes.size()));
      // The text form: write secret bytes, parse secret characters (labels and version are public).
      char out[keys::max_digest_text_size];
      const auto written = keys::write_digest_text(stored, out, sizeof out);
      all_ok = all_ok && written && *written == text.size() &&
               verdict(keyward::ct::equal(out, text.data(), text.size()));
      for (const std::string& t : {text, sha_text}) {
        std::string secret_text = t;
        classify(secret_text.data() + secret_text.size() - 43, 43);
        const auto parsed = keys::parse_digest_text(secret_text);
        const auto& expected = t == text ? good : good_sha;
        all_ok = all_ok && parsed &&
                 verdict(keyward::ct::equal(parsed->bytes.data(), expected.bytes.data(), expected.bytes.size()));
      }
      // The imports, with every character secret.
      for (std::string h : {hex, upper_hex}) {
        classify(h.data(), h.size());
        const auto imported = keys::import_sha256_hex(h);
        all_ok = all_ok && imported &&
                 verdict(keyward::ct::equal(imported->bytes.data(), good_sha.bytes.data(), good_sha.bytes.size()));
      }
      std::string b = b64;
      classify(b.data(), b.size());
      const auto imported = keys::import_sha256_base64(b);
      all_ok = all_ok && imported &&
               verdict(keyward::ct::equal(imported->bytes.data(), good_sha.bytes.data(), good_sha.bytes.size()));
    }
    char label[64];
    std::snprintf(label, sizeof label, "keys digest, text, imports %s", k == kernel::scalar ? "scalar" : "avx2");
    expect(label, all_ok, true);
  }
}

// keys::static_callback_auth::check: the received value's bytes (all but the first and last, whose OWS trim
// is public) are secret through the keyed SHA-256 and the digest compare; check() declassifies the verdict.
void check_callback() {
  const std::string key = "cbk_live_7Hq2ZpL9xWm4Rt8Vn3Ks6Yd1";
  const auto auth = keyward::keys::static_callback_auth::make("x-callback-auth", key);
  std::string good = key, bad = key, longer = key + "12";
  bad[10] = static_cast<char>(bad[10] ^ 1);
  classify(good.data() + 1, good.size() - 2);
  classify(bad.data() + 1, bad.size() - 2);
  classify(longer.data() + 1, longer.size() - 2);
  expect("static_callback_auth::check good", auth->check(good).has_value(), true);
  expect("static_callback_auth::check bad", auth->check(bad).has_value(), false);
  expect("static_callback_auth::check longer", auth->check(longer).has_value(), false);
}

// keys::verifier, the whole path from a Bearer value to a decision (parse, classify, checksum, lookup, HMAC,
// compare) with everything after "Bearer " + prefix + id secret: a right and a wrong key.
void check_key_verifier() {
  namespace keys = keyward::keys;
  auto store = *keys::memory_store::make();
  const auto peppers = *keys::pepper_set::make(1, "the ctgrind pepper, thirty-two bytes or more");
  keys::verifier_options options;
  options.prefixes = keys::stripe_prefixes;
  const auto verify = *keys::verifier<keys::memory_store>::make(store, options, peppers);
  const keys::prefix_entry live{"sk_live_", "stripe", keys::key_kind::secret, keys::key_environment::live};
  const std::string key((*keys::mint(store, keys::key_record{}, live, peppers)).key.reveal());
  const std::string wrong = key.substr(0, 30) + (key[30] == 'a' ? 'b' : 'a') + key.substr(31);
  const auto now = std::chrono::system_clock::now();
  for (const std::string* sent : {&key, &wrong}) {
    std::string field = *keyward::http::bearer(*sent);
    const std::size_t handle = 7 + 8 + 12;  // "Bearer " + "sk_live_" + id: public
    classify(field.data() + handle, field.size() - handle);
    const bool accepted = verdict(verify.authenticate(field, keys::scopes::none, now).has_value());
    expect(sent == &key ? "keys::verifier (right key)" : "keys::verifier (wrong key)", accepted, sent == &key);
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
  check_crc32();
  check_keys();
  check_keys_digest();
  check_callback();
  check_key_verifier();
  failures += check_jwt();
  failures += check_webhooks();
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
