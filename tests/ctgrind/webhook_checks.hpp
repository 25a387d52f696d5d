// Constant-time checks of the webhook verifiers (include/keyward/webhook/), for tests/ctgrind/ctgrind_check.cpp:
// the secrets are marked undefined (secret) before make() decodes and prepares them, so every byte derived from
// them (the decoded Standard Webhooks key, the prepared HMAC states, each computed MAC) is secret; the received
// fields and the body stay public. verify() must then reach its verdict with no branch or index on a secret
// byte: only keyring::matches_any's final declassify makes the verdict public. Each scheme is run with a right
// and a wrong signature, and with two secrets where the second matches (rotation).
//
// Include after KEYWARD_CONSTANT_TIME_VALIDATION is defined (as ctgrind_check.cpp does first) and call
// `failures += check_webhooks();` from the "real" mode. Prints one line per check, as ctgrind_check.cpp does.
#ifndef KEYWARD_TESTS_CTGRIND_WEBHOOK_CHECKS_HPP
#define KEYWARD_TESTS_CTGRIND_WEBHOOK_CHECKS_HPP

#include <keyward/base64.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/webhook/github.hpp>
#include <keyward/webhook/slack.hpp>
#include <keyward/webhook/standard.hpp>
#include <keyward/webhook/stripe.hpp>

#include <valgrind/memcheck.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace webhook_ctgrind {

// Marks the bytes of `text` from `from` on as secret.
inline void secret_bytes(std::string& text, std::size_t from = 0) {
  (void)VALGRIND_MAKE_MEM_UNDEFINED(text.data() + from, text.size() - from);
}

inline int expect(const char* what, bool got, bool wanted) {
  std::printf("%-40s %s\n", what, got == wanted ? "ok" : "WRONG");
  return got == wanted ? 0 : 1;
}

// Lower-case hex of a tag computed outside the checks (before any byte is marked secret).
inline std::string hex(const keyward::crypto::hmac_sha256::tag& tag) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t b : tag) {
    text.push_back(digits[b >> 4]);
    text.push_back(digits[b & 15]);
  }
  return text;
}

}  // namespace webhook_ctgrind

/// Runs every webhook constant-time check; returns the number of wrong verdicts (memcheck reports any
/// secret-dependent branch or index on its own).
inline int check_webhooks() {
  namespace webhook = keyward::webhook;
  using keyward::crypto::hmac_sha256;
  using webhook_ctgrind::expect;
  using webhook_ctgrind::secret_bytes;
  int failures = 0;
  const std::int64_t t = 1700000000;
  const std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds> now{std::chrono::seconds(t)};
  const std::string body = R"({"type":"invoice.paid","id":"evt_ctgrind"})";

  {  // Standard Webhooks: whsec_ + Base64 of a 32-byte key (the Base64 part secret), unpadded too.
    const std::string key(32, '\x6b'), other_key(24, '\x17');
    std::string secret = "whsec_" + keyward::base64::encode(key);
    std::string other = "whsec_" + keyward::base64::encode(other_key);
    std::string unpadded = "whsec_" + keyward::base64::encode(other_key + "xy");
    unpadded.pop_back();  // 26 bytes: one '=' dropped
    const std::string id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", ts = std::to_string(t);
    const auto mac = hmac_sha256::compute(key, id + "." + ts + "." + body);
    const std::string good = "v1," + keyward::base64::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), 32));
    std::string bad = good;
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    secret_bytes(secret, 6);
    secret_bytes(other, 6);
    secret_bytes(unpadded, 6);
    const auto one = webhook::standard_verifier::make({secret});
    const auto two = webhook::standard_verifier::make({other, secret});
    const auto three = webhook::standard_verifier::make({unpadded});
    failures += expect("webhook standard make", one.has_value() && two.has_value() && three.has_value(), true);
    if (one && two && three) {
      failures += expect("webhook standard good", one->verify({id, ts, good}, body, now).has_value(), true);
      failures += expect("webhook standard bad", one->verify({id, ts, bad}, body, now).has_value(), false);
      failures += expect("webhook standard rotated", two->verify({id, ts, bad + " " + good}, body, now).has_value(), true);
      failures += expect("webhook standard unpadded key", three->verify({id, ts, good}, body, now).has_value(), false);
    }
    const auto signer = webhook::standard_signer::make(secret);
    failures += expect("webhook standard signer", signer && signer->signature(id, body, now).value() == good, true);
  }

  {  // Stripe: the endpoint secret as raw bytes, all of it secret.
    const std::string key = "whsec_ctgrindStripeEndpointSecret01";
    std::string secret = key, old = "whsec_ctgrindOldSecret";
    const std::string good_hex = webhook_ctgrind::hex(hmac_sha256::compute(key, std::to_string(t) + "." + body));
    const std::string good = "t=" + std::to_string(t) + ",v1=" + good_hex;
    const std::string bad = "t=" + std::to_string(t) + ",v1=" + std::string(64, 'a');
    secret_bytes(secret);
    secret_bytes(old);
    const auto verifier = webhook::stripe_verifier::make({old, secret});
    failures += expect("webhook stripe make", verifier.has_value(), true);
    if (verifier) {
      failures += expect("webhook stripe good", verifier->verify(good, body, now).has_value(), true);
      failures += expect("webhook stripe bad", verifier->verify(bad, body, now).has_value(), false);
    }
  }

  {  // GitHub: the secret as raw bytes.
    const std::string key = "It's a Secret to Everybody";
    std::string secret = key;
    const std::string good = "sha256=" + webhook_ctgrind::hex(hmac_sha256::compute(key, body));
    std::string bad = good;
    bad[20] = bad[20] == '0' ? '1' : '0';
    secret_bytes(secret);
    const auto verifier = webhook::github_verifier::make({secret});
    failures += expect("webhook github make", verifier.has_value(), true);
    if (verifier) {
      failures += expect("webhook github good", verifier->verify(good, body).has_value(), true);
      failures += expect("webhook github bad", verifier->verify(bad, body).has_value(), false);
    }
  }

  {  // Slack: the signing secret as raw bytes.
    const std::string key = "8f742231b10e8888abcd99yyyzzz85a5";
    std::string secret = key;
    const std::string ts = std::to_string(t);
    const std::string good = "v0=" + webhook_ctgrind::hex(hmac_sha256::compute(key, "v0:" + ts + ":" + body));
    std::string bad = good;
    bad[63] = bad[63] == 'f' ? 'e' : 'f';
    secret_bytes(secret);
    const auto verifier = webhook::slack_verifier::make({secret});
    failures += expect("webhook slack make", verifier.has_value(), true);
    if (verifier) {
      failures += expect("webhook slack good", verifier->verify({ts, good}, body, now).has_value(), true);
      failures += expect("webhook slack bad", verifier->verify({ts, bad}, body, now).has_value(), false);
    }
  }
  return failures;
}

#endif  // KEYWARD_TESTS_CTGRIND_WEBHOOK_CHECKS_HPP
