// An API key as the Basic user-id with an empty password, end to end, as several API providers require
// (their example header: `Basic bGl2ZV9TY2FsZVJvY2tzOg==`). Builds the Authorization header a client sends, parses it as a server would,
// and shows that strict parsing rejects what lenient parsers let through.
#include <keyward/keyward.hpp>

#include <cstdio>
#include <string>

int main() {
  namespace http = keyward::http;
  const std::string api_key = "live_ScaleRocks";

  // Client: "key:" in Base64, padding included (RFC 7617 section 2).
  const auto header = http::basic_api_key(api_key);
  if (!header) return 1;
  std::printf("Authorization: %s\n", header->c_str());

  // Compile time works too.
  constexpr auto precomputed = keyward::base64::encode_literal("live_ScaleRocks:");
  static_assert(precomputed.view() == "bGl2ZV9TY2FsZVJvY2tzOg==");

  // Server: decode into a buffer on the stack (wiped when it goes out of scope) and split at the first colon.
  http::basic_buffer<128> buffer;
  const auto credentials = http::parse_basic(*header, buffer);
  if (!credentials) {
    std::printf("rejected: %s\n", credentials.error().message());
    return 1;
  }
  std::printf("decoded: user \"%.*s\", password \"%.*s\"\n", static_cast<int>(credentials->user.size()),
              credentials->user.data(), static_cast<int>(credentials->password.size()),
              credentials->password.data());

  // Strictness: each of these is refused with the offset of the first bad byte in the field value.
  for (const char* bad : {"Basic bGl2ZV9TY2FsZVJvY2tzOh==", "Basic bGl2ZV9TY2FsZVJvY2tzOg", "Basic bGl2ZV9T Y2FsZVJvY2tzOg==",
                          "Basic !!!!", "Basic bGl2ZV9TY2FsZVJvY2tzOg==\r\nX-Admin: 1", "Bearer bGl2ZV9TY2FsZVJvY2tzOg=="}) {
    const auto r = http::parse_basic(bad, buffer);
    std::string shown;
    for (const char* c = bad; *c != '\0'; ++c) shown += *c == '\r' ? "\\r" : *c == '\n' ? "\\n" : std::string(1, *c);
    std::printf("%-42.42s -> %s at offset %zu\n", shown.c_str(), r ? "accepted?!" : r.error().message(),
                r ? 0 : r.error().offset());
  }
  return 0;
}
