// keyward: the HMAC-SHA256 keys of a webhook verifier. Every signed-webhook scheme keyward verifies
// (Standard Webhooks, Stripe, GitHub, Slack) is an HMAC-SHA256 (RFC 2104) over a message built from the
// request; a keyring holds one or several keys (several while a secret is rotated), each prepared once, and
// checks received tags against all of them in constant time.
/// \file
/// The HMAC-SHA256 keys of a webhook verifier, rotated without downtime.
#ifndef KEYWARD_WEBHOOK_KEYRING_HPP
#define KEYWARD_WEBHOOK_KEYRING_HPP

#include "../config.hpp"
#include "../crypto/hmac.hpp"
#include "../ct.hpp"
#include "../detail/ct.hpp"
#include "../error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

/// Signed webhooks verified with HMAC-SHA256: Standard Webhooks, Stripe, GitHub and Slack, each with key
/// rotation and a timestamp tolerance where the scheme signs one.
namespace keyward::webhook {

/// A received or computed HMAC-SHA256 tag (32 bytes).
using tag = crypto::hmac_sha256::tag;

/// One or several HMAC-SHA256 keys, prepared once (crypto::hmac), for verifying webhooks. Copyable; the
/// prepared keys are wiped on destruction.
class keyring {
 public:
  /// Prepares one key per element of `keys`, taken as raw bytes. webhook_invalid_options when `keys` is
  /// empty, webhook_invalid_secret (no offset: secrets are not located in errors) when one is empty.
  static result<keyring> make(const std::vector<std::string_view>& keys) {
    if (keys.empty()) return errc::webhook_invalid_options;
    std::vector<crypto::hmac_sha256> prepared;
    prepared.reserve(keys.size());
    for (const std::string_view key : keys) {
      if (key.empty()) return errc::webhook_invalid_secret;
      prepared.emplace_back(key);
    }
    return keyring(std::move(prepared));
  }

  /// The number of keys.
  std::size_t size() const noexcept { return keys_.size(); }

  /// True when one of the `count` tags at `tags` is the HMAC-SHA256, under one of the keys, of the message
  /// that `feed(stream)` appends to a crypto::hmac_sha256::stream (it is called once per key and must append
  /// the same bytes each time). Each key's MAC is computed once and compared with every tag by ct::equal;
  /// the verdict is made public once, at the end (detail::ct::declassify): the time depends on the number
  /// of keys and tags and on the message length, never on which key or tag matched or where the bytes
  /// differ. Allocates nothing.
  template <class Feed>
  bool matches_any(const Feed& feed, const tag* tags, std::size_t count) const noexcept {
    std::uint64_t found = 0;
    for (const crypto::hmac_sha256& key : keys_) {
      crypto::hmac_sha256::stream stream = key.start();
      feed(stream);
      tag expected = stream.final();
      for (std::size_t i = 0; i < count; ++i) {
        const bool same = ct::equal(expected.data(), tags[i].data(), expected.size());
        found = detail::ct::value_barrier(found | static_cast<std::uint64_t>(same));
      }
      ct::secure_zero(expected.data(), expected.size());
    }
    return detail::ct::declassify(found) != 0;
  }

  /// The HMAC-SHA256 under the first key of the message that `feed(stream)` appends: what a sender signs.
  template <class Feed>
  tag sign(const Feed& feed) const noexcept {
    crypto::hmac_sha256::stream stream = keys_.front().start();
    feed(stream);
    return stream.final();
  }

 private:
  explicit keyring(std::vector<crypto::hmac_sha256> keys) noexcept : keys_(std::move(keys)) {}

  std::vector<crypto::hmac_sha256> keys_;
};

}  // namespace keyward::webhook

#endif  // KEYWARD_WEBHOOK_KEYRING_HPP
