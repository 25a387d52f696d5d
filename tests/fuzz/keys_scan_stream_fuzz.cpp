// libFuzzer target for keyward::keys::stream_scanner and stream_redactor (keys/scan.hpp): the matches of a
// stream must equal the one-shot scan's on the same bytes and the redactor's output must equal
// redact_in_place()'s, whatever the chunking, under every kernel this machine has. Input: byte 0 chooses the
// scanner (bits 0-1: the keyward prefix table, none, stripe, live_test or acme; bit 2: GitHub and npm tokens;
// bit 3: the Stripe patterns; bit 4: a 1-byte-prefix pattern); byte 1 is the count N of chunk sizes that
// follow (at most 32), each of 2 bytes (little-endian, used modulo 20000, so chunks from empty to longer than
// the stream's copy piece); the text is the rest, cut by the sizes in turn (cycling).
#include <keyward/kernels.hpp>
#include <keyward/keys/scan.hpp>

#include "fuzz_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace keys = keyward::keys;
using keys::key_environment;
using keys::key_kind;

constexpr auto acme_prefixes = keys::make_prefix_table({
    {"acme_", "acme", key_kind::secret, key_environment::unspecified},
    {"acme_sk_live_", "acme", key_kind::secret, key_environment::live},
    {"acme_sk_test_", "acme", key_kind::secret, key_environment::test},
    {"x", "acme", key_kind::custom, key_environment::test, "x"},
});

keys::prefix_set table(unsigned choice) {
  switch (choice & 3u) {
    case 0: return {};
    case 1: return keys::stripe_prefixes;
    case 2: return keys::live_test_prefixes;
    default: return acme_prefixes;
  }
}

bool same(const keys::scan_match& a, const keys::scan_match& b) {
  return a.offset == b.offset && a.length == b.length && a.public_length == b.public_length && a.source == b.source &&
         a.pattern == b.pattern && a.classification.prefix == b.classification.prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned control = data[0];
  std::vector<keys::scan_pattern> patterns;
  if ((control & 8u) != 0)
    patterns.assign(std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns));
  if ((control & 16u) != 0)
    patterns.push_back({{"h", "acme", key_kind::custom, key_environment::test, "h"}, keys::scan_alphabet::hex, 3, 40});
  const bool tokens = (control & 4u) != 0;
  auto made = keys::scanner::make({table(control), tokens, patterns});
  if (!made) return 0;  // nothing to look for
  const keys::scanner& s = *made;

  const std::size_t count = std::min<std::size_t>(data[1], 32);
  std::vector<std::size_t> sizes;
  std::size_t at = 2;
  for (std::size_t k = 0; k < count && at + 2 <= size; ++k, at += 2)
    sizes.push_back((std::size_t{data[at]} | std::size_t{data[at + 1]} << 8) % 20000);
  if (sizes.empty()) sizes.push_back(1);
  const std::string_view text(reinterpret_cast<const char*>(data + at), size - at);

  const std::vector<keys::scan_match> want = s.scan(text);
  std::string want_redacted(text);
  FUZZ_CHECK(s.redact_in_place(want_redacted) == want.size());

  keys::stream_scanner stream(s);
  keys::stream_redactor redactor(s);
  using keyward::kernels::kernel;
  for (const kernel k : {kernel::scalar, kernel::avx2, kernel::avx512vbmi}) {
    if (!keyward::kernels::available(k)) continue;
    const keyward::kernels::scoped_force forced(k);
    std::size_t seen = 0;
    auto check = [&](const keys::scan_match& m) {
      FUZZ_CHECK(seen < want.size() && same(m, want[seen]));
      ++seen;
    };
    std::string out;
    std::size_t redacted = 0;
    std::size_t fed = 0;
    for (std::size_t k2 = 0; fed < text.size(); ++k2) {
      const std::size_t n = std::min(sizes[k2 % sizes.size()], text.size() - fed);
      stream.feed(text.substr(fed, n), check);
      redacted += redactor.write(text.substr(fed, n), out);
      fed += n;
      FUZZ_CHECK(stream.consumed() == fed);
      FUZZ_CHECK(out.size() <= fed && out.size() + s.max_match_length() >= fed);  // the bound held back
      FUZZ_CHECK(seen <= want.size());
      // every match that ends max_match_length() bytes before the end of what was fed is already reported
      for (std::size_t j = seen; j < want.size(); ++j) FUZZ_CHECK(want[j].offset + s.max_match_length() >= fed);
      if (n == 0 && k2 > sizes.size()) break;  // only empty sizes: feed the rest at once
    }
    if (fed < text.size()) {
      stream.feed(text.substr(fed), check);
      redacted += redactor.write(text.substr(fed), out);
    }
    stream.finish(check);
    redacted += redactor.finish(out);
    FUZZ_CHECK(seen == want.size());
    FUZZ_CHECK(redacted == want.size());
    FUZZ_CHECK(out == want_redacted);
    FUZZ_CHECK(stream.consumed() == 0);
  }
  return 0;
}
