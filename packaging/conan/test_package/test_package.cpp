// Conan test package for keyward: parses a Basic Authorization header (an API key as the user-id, RFC 7617)
// with the installed headers, prints what it found, and exits non-zero if the result is wrong.
#include <keyward/http/basic.hpp>
#include <keyward/version.hpp>

#include <cstdio>

int main() {
  keyward::http::basic_buffer<64> buffer;
  const auto credentials = keyward::http::parse_basic("Basic bGl2ZV9TY2FsZVJvY2tzOg==", buffer);
  if (!credentials || credentials->user != "live_ScaleRocks" || !credentials->password.empty()) {
    std::fprintf(stderr, "parse_basic did not give the user \"live_ScaleRocks\"\n");
    return 1;
  }
  std::printf("keyward %s: Basic credentials for \"%.*s\"\n", keyward::version_string,
              static_cast<int>(credentials->user.size()), credentials->user.data());
  return 0;
}
