// The seed example end to end: an API key as the Basic username with an empty password, as several API
// providers require. Builds the Authorization header a client sends, decodes it as a server would, and
// shows that strict decoding rejects what lenient decoders let through.
#include <keyward/keyward.hpp>

#include <cstdio>
#include <string>

int main() {
  namespace base64 = keyward::base64;
  const std::string api_key = "live_ScaleRocks";

  // Client: "key:" in Base64, padding included (RFC 7617 section 2).
  const std::string header = "Basic " + base64::encode(api_key + ":");
  std::printf("Authorization: %s\n", header.c_str());

  // Compile time works too.
  constexpr auto precomputed = base64::encode_literal("live_ScaleRocks:");
  static_assert(precomputed.view() == "bGl2ZV9TY2FsZVJvY2tzOg==");

  // Server: decode the credentials and split user from password at the first colon.
  const auto credentials = base64::decode(std::string_view(header).substr(6));
  if (!credentials) {
    std::printf("rejected: %s\n", credentials.error().message());
    return 1;
  }
  const std::size_t colon = credentials->find(':');
  std::printf("decoded: user \"%s\", password \"%s\"\n", credentials->substr(0, colon).c_str(),
              credentials->substr(colon + 1).c_str());

  // Strictness: each of these is refused with the offset of the first bad byte.
  for (const char* bad : {"bGl2ZV9TY2FsZVJvY2tzOh==", "bGl2ZV9TY2FsZVJvY2tzOg", "bGl2ZV9T Y2FsZVJvY2tzOg==", "!!!!"}) {
    const auto r = base64::decode(bad);
    std::printf("%-28s -> %s at offset %zu\n", bad, r ? "accepted?!" : r.error().message(),
                r ? 0 : r.error().offset());
  }
  return 0;
}
