// Consumer built by tests/install/run.sh against each way of getting keyward (install + pkg-config, CMake
// find_package / add_subdirectory / FetchContent, meson subproject, single header): checks that the
// headers are found and work by a Base64 round trip. Exits 0 on success.
#include <keyward/keyward.hpp>

#include <cstdio>
#include <string>

int main() {
  const std::string plain = "live_ScaleRocks:";
  const std::string encoded = keyward::base64::encode(plain);
  if (encoded != "bGl2ZV9TY2FsZVJvY2tzOg==") {
    std::fprintf(stderr, "base64::encode gave \"%s\"\n", encoded.c_str());
    return 1;
  }
  const auto decoded = keyward::base64::decode(encoded);
  if (!decoded || *decoded != plain) {
    std::fprintf(stderr, "base64::decode did not give the input back\n");
    return 1;
  }
  std::printf("keyward %s: base64 round trip ok\n", keyward::version_string);
  return 0;
}
