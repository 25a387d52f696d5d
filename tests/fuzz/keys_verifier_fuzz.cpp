// libFuzzer target for keyward::keys::verifier: random Authorization values against a small memory_store
// holding three real keys (one live secret key, one test key, one restricted key with a 64-character secret;
// one expired, one rate-limited). The first input byte picks the verifier's options (forms, no-oracle, the
// environment, fail open) and the time; the rest is the field value. Checks: nothing crashes or reads out of
// bounds; a success happens only for a real key sent with its exact bytes (as a Bearer token, as a Basic
// user-id with an empty password, or as a Basic pair whose user-id and password join into it), and names
// that key's record; every denial has a status of 400, 401, 403, 429 or 503, a challenge exactly when the
// status is 401 or 403, and a non-empty body.
//
// The keys' checksums were computed independently, with Python's zlib:
//   python3 -c 'import zlib; A="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
//     b="sk_live_Fz0Kq81wXyT2r7GmVb2QpL9sNc4HdJ6tWa0UeY3kZx5R"; v=zlib.crc32(b.encode()); s=""
//     exec("for _ in range(6): s=A[v%62]+s; v//=62"); print(b+s)'
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/denial.hpp>
#include <keyward/keys/limits.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/verifier.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace keys = keyward::keys;
namespace http = keyward::http;
namespace rate = keyward::rate;

constexpr std::string_view real_keys[] = {
    "sk_live_Fz0Kq81wXyT2r7GmVb2QpL9sNc4HdJ6tWa0UeY3kZx5R10EIHE",
    "sk_test_Ab3Cd4Ef5Gh6Mn7Op8Qr9St0Uv1Wx2Yz3Ab4Cd5Ef6Gh70swuqY",
    "rk_live_Q1w2E3r4T5y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q7W84b039J",
};
constexpr std::size_t prefix_size = 8;

// 2026-12-04T12:00:00Z
const keys::sys_nanoseconds t0{std::chrono::seconds(1796385600)};
const rate::quota tier{1, std::chrono::seconds(1), 2};

using limited_verifier = keys::verifier<keys::memory_store, std::chrono::system_clock, keys::tiered_limiter>;

struct world {
  keys::memory_store store = *keys::memory_store::make();
  keys::pepper_set peppers = *keys::pepper_set::make(1, "the fuzz target's pepper, thirty-two bytes at least");
  limited_verifier verifiers[16];

  static world& get() {
    static world instance;
    return instance;
  }

 private:
  static keys::verifier_options options_for(unsigned selector) {
    keys::verifier_options options;
    options.prefixes = keys::stripe_prefixes;
    options.forms.bearer = (selector & 1) == 0;
    options.forms.basic_key_as_user = (selector & 2) != 0 || (selector & 1) != 0;
    options.forms.basic_id_secret_pair = (selector & 2) != 0;
    options.uniform_key_denials = (selector & 4) != 0;
    options.environment = (selector & 8) != 0 ? keys::key_environment::test : keys::key_environment::live;
    options.on_limiter_failure =
        (selector & 4) != 0 ? keys::limiter_failure::fail_open : keys::limiter_failure::fail_closed;
    options.scope_names = {"billing"};
    return options;
  }
  static limited_verifier make_verifier(keys::memory_store& store, const keys::pepper_set& peppers, unsigned selector) {
    return *limited_verifier::make(store, options_for(selector), peppers, *keys::tiered_limiter::make({tier}, 16));
  }

  limited_verifier make(unsigned selector) { return make_verifier(store, peppers, selector); }

  world()
      : verifiers{make(0), make(1), make(2),  make(3),  make(4),  make(5),  make(6),  make(7),
                  make(8), make(9), make(10), make(11), make(12), make(13), make(14), make(15)} {
    for (std::size_t i = 0; i < 3; ++i) {
      const std::string_view key = real_keys[i];
      keys::key_record record;
      record.id = *keys::key_id::make(key.substr(prefix_size, keys::id_length));
      record.prefix = std::string(key.substr(0, prefix_size));
      record.owner = "owner" + std::to_string(i);
      record.digest = peppers.digest(key);
      record.scopes = keys::scopes::read;
      if (i == 1) record.limit = tier;
      if (i == 2) record.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1796385600 + 3600));
      FUZZ_CHECK(store.insert(std::move(record)).has_value());
    }
  }
};

// True when `value` carries exactly `key` in a form a verifier may accept.
bool carries(std::string_view value, std::string_view key) {
  if (const auto token = http::parse_bearer(value)) return *token == key;
  http::basic_buffer<512> buffer;
  const auto basic = http::parse_basic(value, buffer, {http::basic_charset::raw, {}});
  if (!basic) return false;
  if (basic->password.empty()) return basic->user == key;
  return std::string(basic->user) + std::string(basic->password) == key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  world& w = world::get();
  const unsigned selector = data[0] & 15u;
  const auto now = t0 + std::chrono::minutes(static_cast<int>(data[0] >> 4) * 10);  // 0 to 150 minutes
  const std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
  const keys::scope_requirement required =
      (data[0] & 0x80) != 0 ? keys::scopes::any_of(keys::scopes::read, keys::scopes::admin) : keys::scopes::none;
  const auto who = w.verifiers[selector].authenticate(value, required, now);
  if (who) {
    bool real = false;
    for (const std::string_view key : real_keys) {
      if (key.substr(prefix_size, keys::id_length) == who->id()) {
        FUZZ_CHECK(carries(value, key));
        real = true;
      }
    }
    FUZZ_CHECK(real);
    FUZZ_CHECK(who->owner().substr(0, 5) == "owner");
    return 0;
  }
  const http::denial& why = who.error();
  const int status = why.status();
  FUZZ_CHECK(status == 400 || status == 401 || status == 403 || status == 429 || status == 503);
  FUZZ_CHECK(why.challenge().has_value() == (status == 400 || status == 401 || status == 403));
  FUZZ_CHECK(why.json().size() > 20);
  FUZZ_CHECK(why.retry_after().has_value() == (status == 429 || status == 503));
  return 0;
}
