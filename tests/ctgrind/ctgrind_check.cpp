// Constant-time check under valgrind (the BoringSSL method): secret bytes are marked undefined with
// memcheck's client requests, the operation under test runs on them, and only its final verdict is marked
// defined again. Any branch or memory index that depends on a secret byte then shows up as a memcheck error
// ("Conditional jump or move depends on uninitialised value(s)"), which run.sh turns into a failure.
//
// Usage: ctgrind_check real    every constant-time operation; valgrind must report nothing
//        ctgrind_check leaky   a deliberately early-exit compare; valgrind must report an error
#include <keyward/crypto/equal_length_hiding.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/ct.hpp>
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
}

void run_leaky() {
  auto a = pattern(7), b = pattern(7);
  b[20] ^= 1;
  classify(a.data(), a.size());
  classify(b.data(), b.size());
  expect("leaky early-exit compare", verdict(leaky_equal(a.data(), b.data(), a.size())), false);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "real") {
    run_real();
  } else if (mode == "leaky") {
    run_leaky();
  } else {
    std::fprintf(stderr, "usage: %s real|leaky\n", argv[0]);
    return 2;
  }
  std::printf("running under valgrind: %s; SHA-256 kernel: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no",
              (keyward::kernels::active() & keyward::kernels::kernel::sha_ni) == keyward::kernels::kernel::sha_ni
                  ? "sha-ni"
                  : "scalar");
  return failures == 0 ? 0 : 1;
}
