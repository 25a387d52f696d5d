// Tests for include/keyward/base64.hpp: RFC 4648 vectors, round trips against a bit-by-bit reference written
// here, every error class with its offset, every byte value in every position of a quantum, options; each
// with timing::variable and timing::constant (whose constant time tests/ctgrind checks), which must agree.
#define BOOST_TEST_MODULE base64
#include <boost/test/unit_test.hpp>

#include <keyward/base64.hpp>
#include <keyward/kernels.hpp>

#include "support/forced_isa.hpp"

#include "support/test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// KEYWARD_TEST_ISA picks the kernel under test (tests/meson.build runs this suite once per kernel).
struct kernel_from_environment {
  kernel_from_environment() { BOOST_TEST_MESSAGE("kernel: " << keyward_test::force_kernel_from_environment()); }
};
BOOST_TEST_GLOBAL_FIXTURE(kernel_from_environment);

namespace base64 = keyward::base64;
using keyward::errc;

namespace {

// `opt` with timing::constant.
constexpr base64::options constant_time(base64::options opt) {
  opt.time = base64::timing::constant;
  return opt;
}

const base64::options all_options[] = {
    {base64::alphabet::standard, base64::padding::required, base64::whitespace::reject},
    {base64::alphabet::standard, base64::padding::optional, base64::whitespace::reject},
    {base64::alphabet::standard, base64::padding::forbidden, base64::whitespace::reject},
    {base64::alphabet::url, base64::padding::required, base64::whitespace::reject},
    {base64::alphabet::url, base64::padding::optional, base64::whitespace::reject},
    {base64::alphabet::url, base64::padding::forbidden, base64::whitespace::reject},
    {base64::alphabet::standard, base64::padding::required, base64::whitespace::skip},
    {base64::alphabet::url, base64::padding::forbidden, base64::whitespace::skip},
    base64::standard_ct,
    constant_time({base64::alphabet::standard, base64::padding::optional, base64::whitespace::reject}),
    constant_time({base64::alphabet::standard, base64::padding::forbidden, base64::whitespace::reject}),
    constant_time({base64::alphabet::url, base64::padding::required, base64::whitespace::reject}),
    constant_time({base64::alphabet::url, base64::padding::optional, base64::whitespace::reject}),
    base64::url_ct,
    constant_time({base64::alphabet::standard, base64::padding::required, base64::whitespace::skip}),
    constant_time({base64::alphabet::url, base64::padding::forbidden, base64::whitespace::skip}),
};

// An independent reference: RFC 4648 section 4 read literally, six bits at a time.
std::string reference_encode(std::string_view bytes, base64::options opt) {
  const std::string chars = opt.chars == base64::alphabet::url
                                ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<int> bits;
  for (const char c : bytes) {
    for (int b = 7; b >= 0; --b) bits.push_back((static_cast<unsigned char>(c) >> b) & 1);
  }
  while (bits.size() % 6 != 0) bits.push_back(0);
  std::string text;
  for (std::size_t i = 0; i < bits.size(); i += 6) {
    int v = 0;
    for (std::size_t k = 0; k < 6; ++k) v = v * 2 + bits[i + k];
    text.push_back(chars[static_cast<std::size_t>(v)]);
  }
  if (opt.pad != base64::padding::forbidden) {
    while (text.size() % 4 != 0) text.push_back('=');
  }
  return text;
}

std::string random_bytes(std::mt19937& rng, std::size_t size) {
  std::string bytes(size, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng() & 0xFF);
  return bytes;
}

// The values of a `"key": "value"` pair list in the given section of a small JSON file, in order.
std::vector<std::string> json_strings(const std::string& json, const std::string& section, const std::string& key) {
  std::vector<std::string> values;
  const std::size_t begin = json.find("\"" + section + "\"");
  const std::size_t end = json.find(']', begin);
  const std::string needle = "\"" + key + "\": \"";
  for (std::size_t at = json.find(needle, begin); at < end; at = json.find(needle, at + 1)) {
    const std::size_t start = at + needle.size();
    values.push_back(json.substr(start, json.find('"', start) - start));
  }
  return values;
}

keyward::error decode_error(std::string_view text, base64::options opt = base64::standard) {
  char out[64];
  const auto r = base64::write_decoded(text, out, sizeof out, opt);
  BOOST_REQUIRE_MESSAGE(!r, "expected an error for '" << text << "'");
  return r.error();
}

}  // namespace

BOOST_AUTO_TEST_CASE(rfc4648_section10_vectors) {
  const std::string json = keyward_test::read_vector_file("rfc/rfc4648_s10.json");
  const auto in = json_strings(json, "base64", "in");
  const auto out = json_strings(json, "base64", "out");
  BOOST_REQUIRE_EQUAL(in.size(), 7u);
  BOOST_REQUIRE_EQUAL(out.size(), 7u);
  for (std::size_t i = 0; i < in.size(); ++i) {
    BOOST_TEST(base64::encode(in[i]) == out[i]);
    BOOST_TEST(base64::decode(out[i]).value() == in[i]);
  }
  const auto url_in = json_strings(json, "base64url_nopad_derived", "in");
  const auto url_out = json_strings(json, "base64url_nopad_derived", "out");
  BOOST_REQUIRE_EQUAL(url_in.size(), 7u);
  for (std::size_t i = 0; i < url_in.size(); ++i) {
    BOOST_TEST(base64::encode(url_in[i], base64::url) == url_out[i]);
    BOOST_TEST(base64::decode(url_out[i], base64::url).value() == url_in[i]);
  }
}

BOOST_AUTO_TEST_CASE(rfc4648_section9_examples) {
  const std::string json = keyward_test::read_vector_file("rfc/rfc4648_s10.json");
  const auto in = json_strings(json, "section9_examples_hex_to_base64", "in_hex");
  const auto out = json_strings(json, "section9_examples_hex_to_base64", "out");
  BOOST_REQUIRE_EQUAL(in.size(), 3u);
  for (std::size_t i = 0; i < in.size(); ++i) {
    BOOST_TEST(base64::encode(keyward_test::from_hex(in[i])) == out[i]);
    BOOST_TEST(keyward_test::to_hex(base64::decode(out[i]).value()) == in[i]);
  }
}

BOOST_AUTO_TEST_CASE(seed_example_and_compile_time_literal) {
  constexpr auto encoded = base64::encode_literal("live_ScaleRocks:");
  static_assert(encoded.view() == "bGl2ZV9TY2FsZVJvY2tzOg==");
  static_assert(base64::encode_literal("f", base64::url).view() == "Zg");
  static_assert(base64::encode_literal("").view().empty());
  static_assert(base64::encode_literal("\xfb\xff", base64::url).view() == "-_8");
  static_assert(base64::encode_literal("\xfb\xff").view() == "+/8=");
  BOOST_TEST(base64::decode("bGl2ZV9TY2FsZVJvY2tzOg==").value() == "live_ScaleRocks:");
}

BOOST_AUTO_TEST_CASE(sizes) {
  static_assert(base64::encoded_size(0) == 0);
  static_assert(base64::encoded_size(1) == 4);
  static_assert(base64::encoded_size(3) == 4);
  static_assert(base64::encoded_size(4) == 8);
  static_assert(base64::encoded_size(1, base64::url) == 2);
  static_assert(base64::encoded_size(2, base64::url) == 3);
  static_assert(base64::encoded_size(3, base64::url) == 4);
  static_assert(base64::decoded_size("Zg==") == 1);
  static_assert(base64::decoded_size("Zm8=") == 2);
  static_assert(base64::decoded_size("Zm9v") == 3);
  static_assert(base64::decoded_size("Zm9vYg") == 4);
  static_assert(base64::max_decoded_size(4) == 3);
  static_assert(base64::max_decoded_size(6) == 4);
  static_assert(base64::max_decoded_size(5) == 3);
  std::mt19937 rng(1);
  for (std::size_t n = 0; n < 200; ++n) {
    for (const auto& opt : all_options) {
      const std::string text = base64::encode(random_bytes(rng, n), opt);
      BOOST_TEST(text.size() == base64::encoded_size(n, opt));
      BOOST_TEST(base64::decoded_size(text) == n);
      BOOST_TEST(base64::max_decoded_size(text.size()) >= n);
    }
  }
}

// The sizes never wrap: a count that does not fit in std::size_t is SIZE_MAX. The reference is
// 4 * ceil(n / 3) (padded) or ceil(4n / 3) (unpadded), computed in 128 bits.
__extension__ typedef unsigned __int128 wide;  // GCC and Clang: exact sizes beyond 64 bits

BOOST_AUTO_TEST_CASE(sizes_saturate_instead_of_wrapping) {
  const auto reference = [](std::size_t n, bool pad) {
    const wide exact = pad ? (wide{n} + 2) / 3 * 4 : (wide{n} * 4 + 2) / 3;
    return exact > SIZE_MAX ? SIZE_MAX : static_cast<std::size_t>(exact);
  };
  const std::size_t edge = SIZE_MAX / 4 * 3;  // the largest multiple of 3 whose padded encoding fits
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, edge - 1, edge, edge + 1, edge + 2, edge + 3,
                              SIZE_MAX / 3 * 2, SIZE_MAX - 1, SIZE_MAX}) {
    BOOST_TEST_CONTEXT("n = " << n) {
      BOOST_TEST(base64::encoded_size(n) == reference(n, true));
      BOOST_TEST(base64::encoded_size(n, base64::url) == reference(n, false));
    }
  }
  static_assert(base64::encoded_size(SIZE_MAX) == SIZE_MAX);
  static_assert(base64::encoded_size(SIZE_MAX / 4 * 3) == SIZE_MAX - 3);
  static_assert(base64::encoded_size(SIZE_MAX / 4 * 3 + 1) == SIZE_MAX);
  static_assert(base64::encoded_size(SIZE_MAX / 4 * 3 + 1, base64::url) == SIZE_MAX - 1);
  static_assert(base64::encoded_size(SIZE_MAX / 4 * 3 + 2, base64::url) == SIZE_MAX);
  // Decoded sizes are at most 3/4 of the length, so they cannot overflow: floor(3n / 4).
  BOOST_TEST(base64::max_decoded_size(SIZE_MAX) == static_cast<std::size_t>(wide{SIZE_MAX} * 3 / 4));
  BOOST_TEST(base64::max_decoded_size(SIZE_MAX - 3) == static_cast<std::size_t>(wide{SIZE_MAX - 3} * 3 / 4));
  // A buffer form asked for more than fits reports buffer_too_small and writes nothing.
  char text[4] = {'#', '#', '#', '#'};
  BOOST_TEST(base64::write_encoded(text, SIZE_MAX, text, sizeof text).error() == errc::buffer_too_small);
  BOOST_TEST(std::string_view(text, 4) == "####");
}

BOOST_AUTO_TEST_CASE(round_trips_match_reference_at_every_length) {
  std::mt19937 rng(2);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 2048; ++n) lengths.push_back(n);
  for (std::size_t n : {4095u, 65536u, 65537u, 1048576u + 2}) lengths.push_back(n);
  for (const std::size_t n : lengths) {
    const std::string bytes = random_bytes(rng, n);
    std::string references[2][3];  // by alphabet and padding, computed once (the reference is slow)
    for (const auto& opt : all_options) {
      if (opt.space == base64::whitespace::skip && n > 4096) continue;
      std::string& reference = references[static_cast<int>(opt.chars)][static_cast<int>(opt.pad)];
      if (reference.empty()) reference = reference_encode(bytes, opt);
      const std::string text = base64::encode(bytes, opt);
      BOOST_REQUIRE_MESSAGE(text == reference, "encode mismatch at length " << n);
      const auto back = base64::decode(text, opt);
      BOOST_REQUIRE_MESSAGE(back && *back == bytes, "round trip failed at length " << n);
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_with_offsets) {
  struct bad_case {
    const char* text;
    base64::options opt;
    errc code;
    std::size_t offset;
  };
  const base64::options optional_pad{base64::alphabet::standard, base64::padding::optional, base64::whitespace::reject};
  const base64::options skip{base64::alphabet::standard, base64::padding::required, base64::whitespace::skip};
  const bad_case cases[] = {
      {"!AAA", base64::standard, errc::base64_invalid_character, 0},
      {"AA!A", base64::standard, errc::base64_invalid_character, 2},
      {"AAAAAAA*", base64::standard, errc::base64_invalid_character, 7},
      {"AAAA AAAA", base64::standard, errc::base64_invalid_character, 4},
      {"AAAA\n", base64::standard, errc::base64_invalid_character, 4},
      {"-AAA", base64::standard, errc::base64_invalid_character, 0},
      {"+AAA", base64::url, errc::base64_invalid_character, 0},
      {"AA/A", base64::url, errc::base64_invalid_character, 2},
      {"AAA\x80", base64::standard, errc::base64_invalid_character, 3},
      {"AAA\xff", base64::standard, errc::base64_invalid_character, 3},
      {"=AAA", base64::standard, errc::base64_invalid_padding, 0},
      {"A===", base64::standard, errc::base64_invalid_padding, 1},
      {"AA=A", base64::standard, errc::base64_invalid_padding, 3},
      {"AA===", base64::standard, errc::base64_invalid_padding, 4},
      {"AAA==", base64::standard, errc::base64_invalid_padding, 4},
      {"AA=", base64::standard, errc::base64_invalid_padding, 3},
      {"AA=", optional_pad, errc::base64_invalid_padding, 3},
      {"AA==AA==", base64::standard, errc::base64_invalid_padding, 4},
      {"AAAA====", base64::standard, errc::base64_invalid_padding, 4},
      {"AA==", base64::url, errc::base64_unexpected_padding, 2},
      {"AAA=", base64::url, errc::base64_unexpected_padding, 3},
      {"AA", base64::standard, errc::base64_missing_padding, 2},
      {"AAAAAAA", base64::standard, errc::base64_missing_padding, 7},
      {"A", base64::standard, errc::base64_invalid_length, 0},
      {"AAAAA", base64::url, errc::base64_invalid_length, 4},
      {"AAAAA", optional_pad, errc::base64_invalid_length, 4},
      {"Zh==", base64::standard, errc::base64_non_canonical, 1},
      {"Zm9=", base64::standard, errc::base64_non_canonical, 2},
      {"Zh", base64::url, errc::base64_non_canonical, 1},
      {"Zm9", base64::url, errc::base64_non_canonical, 2},
      {"Zh", base64::standard, errc::base64_non_canonical, 1},
      {"Zh=", base64::standard, errc::base64_non_canonical, 1},
      {"Zh=a", base64::standard, errc::base64_non_canonical, 1},
      {"Zg = = =", skip, errc::base64_invalid_padding, 7},
      {"Zg = ", skip, errc::base64_invalid_padding, 5},
  };
  for (const auto& c : cases) {
    for (const base64::options opt : {c.opt, constant_time(c.opt)}) {
      const keyward::error e = decode_error(c.text, opt);
      BOOST_TEST_CONTEXT("input '" << c.text << "', timing " << static_cast<int>(opt.time)) {
        BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(c.code));
        BOOST_TEST(e.offset() == c.offset);
        BOOST_TEST(e.has_offset());
      }
    }
  }
}

// Every byte value at every position, in texts of one and of 32 quanta (so that every lane of the vector
// kernels and every boundary between vector and scalar code is hit), ending in a full quantum or in each
// padded final quantum. Also guards against bytes 0x80-0xFF indexing a table through a signed char.
BOOST_AUTO_TEST_CASE(every_byte_in_every_position) {
  for (const auto& opt : all_options) {
    const std::string chars = opt.chars == base64::alphabet::url
                                  ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const bool pad_allowed = opt.pad != base64::padding::forbidden;
    const bool skip_space = opt.space == base64::whitespace::skip;
    for (const std::size_t quanta : {2u, 32u}) {
      for (const std::string ending : {"AAAA", "AA==", "AAA="}) {
        const std::string base = std::string(4 * (quanta - 1), 'A') + ending;
        const std::size_t data_chars = std::min(base.find('='), base.size());
        if (data_chars != base.size() && !pad_allowed) continue;
        const std::size_t unused_mask = data_chars % 4 == 0 ? 0 : (data_chars % 4 == 2 ? 0x0F : 0x03);
        std::vector<unsigned char> out(base.size());
        for (std::size_t pos = 0; pos < data_chars; ++pos) {
          for (int b = 0; b < 256; ++b) {
            std::string text = base;
            const char c = static_cast<char>(b);
            text[pos] = c;
            const auto r = base64::write_decoded(text, out.data(), out.size(), opt);
            const std::size_t value = chars.find(c);
            if (value != std::string::npos) {
              if (pos == data_chars - 1 && (value & unused_mask) != 0) {
                BOOST_REQUIRE_MESSAGE(!r && r.error() == errc::base64_non_canonical && r.error().offset() == pos,
                                      "'" << text << "' must be non-canonical at " << pos);
              } else {
                BOOST_REQUIRE_MESSAGE(r.has_value(), "'" << text << "' must decode");
              }
            } else if (skip_space && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
              // Skipping is removal: the same outcome as the text without that character.
              std::string removed = text;
              removed.erase(pos, 1);
              const auto expected = base64::decode(removed, opt);
              BOOST_REQUIRE(r.has_value() == expected.has_value());
              if (r && expected) BOOST_REQUIRE(std::string(reinterpret_cast<const char*>(out.data()), *r) == *expected);
              if (!r && !expected) BOOST_REQUIRE(r.error().code() == expected.error().code());
            } else if (c == '=') {
              // Padding in the middle of data is never accepted; at the end only in canonical form.
              if (r) {
                const base64::options padded{opt.chars, base64::padding::required, opt.space, opt.time};
                const std::string bytes(reinterpret_cast<const char*>(out.data()), *r);
                BOOST_REQUIRE(base64::encode(bytes, padded) == text);
              } else {
                BOOST_REQUIRE(r.error().offset() >= pos);
              }
            } else {
              BOOST_REQUIRE_MESSAGE(!r && r.error() == errc::base64_invalid_character && r.error().offset() == pos,
                                    "byte " << b << " at " << pos << " of a " << text.size()
                                            << "-character text must be an invalid character");
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_forced_kernel_is_the_one_dispatched) {
  using keyward::kernels::kernel;
  const char* name = std::getenv("KEYWARD_TEST_ISA");
  const std::string forced = name == nullptr ? "default" : name;
  if (forced == "scalar") {
    BOOST_TEST((keyward::kernels::active() == kernel::scalar));
  } else if (forced == "avx2") {
    BOOST_TEST((keyward::kernels::active() == kernel::avx2));
  } else if (forced == "avx512vbmi") {
    BOOST_TEST((keyward::kernels::active() == kernel::avx512vbmi));
  } else {
    BOOST_TEST(forced == "default");
    BOOST_TEST((keyward::kernels::active() == keyward::kernels::available()));
  }
}

BOOST_AUTO_TEST_CASE(padding_modes) {
  const base64::options optional_pad{base64::alphabet::standard, base64::padding::optional, base64::whitespace::reject};
  const base64::options forbidden{base64::alphabet::standard, base64::padding::forbidden, base64::whitespace::reject};
  BOOST_TEST(base64::decode("Zm8=", optional_pad).value() == "fo");
  BOOST_TEST(base64::decode("Zm8", optional_pad).value() == "fo");
  BOOST_TEST(base64::decode("Zg", optional_pad).value() == "f");
  BOOST_TEST(base64::decode("Zm8", forbidden).value() == "fo");
  BOOST_TEST(base64::decode("Zm8=", forbidden).error() == errc::base64_unexpected_padding);
  BOOST_TEST(base64::decode("Zm8").error() == errc::base64_missing_padding);
  // Encoding pads unless padding is forbidden.
  BOOST_TEST(base64::encode("f", optional_pad) == "Zg==");
  BOOST_TEST(base64::encode("f", forbidden) == "Zg");
  const base64::options url_padded{base64::alphabet::url, base64::padding::required, base64::whitespace::reject};
  BOOST_TEST(base64::encode("\xfb\xff", url_padded) == "-_8=");
  BOOST_TEST(base64::decode("-_8=", url_padded).value() == "\xfb\xff");
}

BOOST_AUTO_TEST_CASE(whitespace_skipping_is_opt_in) {
  const base64::options skip{base64::alphabet::standard, base64::padding::required, base64::whitespace::skip};
  BOOST_TEST(base64::decode("Zm9v\r\nYmFy").error() == errc::base64_invalid_character);
  BOOST_TEST(base64::decode("Zm9v\r\nYmFy", skip).value() == "foobar");
  BOOST_TEST(base64::decode(" Z m 9 v\tY g = = \n", skip).value() == "foob");
  BOOST_TEST(base64::decode("\n\n", skip).value().empty());
  const auto e = base64::decode("Zm9v Yg= =x", skip).error();
  BOOST_TEST(e == errc::base64_invalid_padding);
  BOOST_TEST(e.offset() == 10u);
  // Only SP, HT, CR and LF are skipped.
  BOOST_TEST(base64::decode("Zm9v\vYmFy", skip).error() == errc::base64_invalid_character);
  BOOST_TEST(base64::decode("Zm9v\fYmFy", skip).error().offset() == 4u);
}

BOOST_AUTO_TEST_CASE(buffer_capacity) {
  char text[8] = {'#', '#', '#', '#', '#', '#', '#', '#'};
  BOOST_TEST(base64::write_encoded("foo", text, 3).error() == errc::buffer_too_small);
  BOOST_TEST(std::string_view(text, 8) == "########");  // nothing written on error
  BOOST_TEST(base64::write_encoded("foo", text, 4).value() == 4u);
  BOOST_TEST(std::string_view(text, 4) == "Zm9v");
  BOOST_TEST(base64::write_encoded("fo", text, 3, base64::url).value() == 3u);
  BOOST_TEST(base64::write_encoded("fo", text, 2, base64::url).error() == errc::buffer_too_small);
  BOOST_TEST(std::string_view(text, 4) == "Zm8v");
  const unsigned char raw[2] = {0xfb, 0xff};
  BOOST_TEST(base64::write_encoded(raw, sizeof raw, text, 4).value() == 4u);
  BOOST_TEST(std::string_view(text, 4) == "+/8=");

  unsigned char bytes[8] = {};
  BOOST_TEST(base64::write_decoded("Zm9vYmFy", bytes, 5).error() == errc::buffer_too_small);
  BOOST_TEST(!base64::write_decoded("Zm9vYmFy", bytes, 5).error().has_offset());
  BOOST_TEST(base64::write_decoded("Zm9vYmFy", bytes, 6).value() == 6u);
  BOOST_TEST(base64::write_decoded("Zm9vYg==", bytes, 4).value() == 4u);
  BOOST_TEST(base64::write_decoded("Zm9vYg==", bytes, 3).error() == errc::buffer_too_small);
  // Input errors take precedence over a short buffer.
  BOOST_TEST(base64::write_decoded("Zm9v!mFy", bytes, 1).error() == errc::base64_invalid_character);
  BOOST_TEST(base64::write_decoded("Zh==", bytes, 0).error() == errc::base64_non_canonical);
  const base64::options skip{base64::alphabet::standard, base64::padding::required, base64::whitespace::skip};
  BOOST_TEST(base64::write_decoded("Zm9v YmFy", bytes, 5, skip).error() == errc::buffer_too_small);
  BOOST_TEST(base64::write_decoded("Zm9v YmFy", bytes, 6, skip).value() == 6u);
}

// timing::constant keeps the contract of the buffer forms: nothing written when the buffer is too small to
// encode, buffer_too_small only for valid input, which it finds without writing.
BOOST_AUTO_TEST_CASE(buffer_capacity_in_constant_time) {
  char text[8] = {'#', '#', '#', '#', '#', '#', '#', '#'};
  BOOST_TEST(base64::write_encoded("foo", text, 3, base64::standard_ct).error() == errc::buffer_too_small);
  BOOST_TEST(std::string_view(text, 8) == "########");
  BOOST_TEST(base64::write_encoded("\xfb\xff", text, 3, base64::url_ct).value() == 3u);
  BOOST_TEST(std::string_view(text, 4) == "-_8#");
  unsigned char bytes[8] = {};
  for (const base64::options opt :
       {base64::standard_ct, constant_time({base64::alphabet::standard, base64::padding::required,
                                            base64::whitespace::skip})}) {
    BOOST_TEST(base64::write_decoded("Zm9vYmFy", bytes, 5, opt).error() == errc::buffer_too_small);
    BOOST_TEST(base64::write_decoded("Zm9vYg==", bytes, 3, opt).error() == errc::buffer_too_small);
    BOOST_TEST(base64::write_decoded("Zm9v!mFy", bytes, 1, opt).error() == errc::base64_invalid_character);
    BOOST_TEST(base64::write_decoded("Zh==", bytes, 0, opt).error() == errc::base64_non_canonical);
    BOOST_TEST(base64::write_decoded("Zm9vYg==", bytes, 4, opt).value() == 4u);
    BOOST_TEST(std::string_view(reinterpret_cast<const char*>(bytes), 4) == "foob");
  }
  // decode() sizes its string by the length alone, then trims it.
  BOOST_TEST(base64::decode("Zm8=", base64::standard_ct).value() == "fo");
  BOOST_TEST(base64::decode("", base64::url_ct).value().empty());
}

BOOST_AUTO_TEST_CASE(random_garbage_never_decodes_partially) {
  std::mt19937 rng(3);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n!";
  for (int i = 0; i < 200000; ++i) {
    std::string text(rng() % 13, 'A');
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    for (const auto& opt : all_options) {
      const auto r = base64::decode(text, opt);
      if (opt.time == base64::timing::variable) {
        // Both timings give the same bytes, or the same error at the same offset.
        const auto same = base64::decode(text, constant_time(opt));
        BOOST_REQUIRE(same.has_value() == r.has_value());
        if (r) BOOST_REQUIRE(*same == *r);
        if (!r) BOOST_REQUIRE(same.error() == r.error().code() && same.error().offset() == r.error().offset());
      }
      if (r) {
        // Anything accepted is canonical: it re-encodes to the input (less any skipped whitespace).
        std::string compact;
        for (const char c : text) {
          if (c != ' ' && c != '\n') compact.push_back(c);
        }
        std::string again = base64::encode(*r, opt);
        if (opt.pad == base64::padding::optional && compact.find('=') == std::string::npos) {
          again = base64::encode(*r, base64::options{opt.chars, base64::padding::forbidden, opt.space, opt.time});
        }
        BOOST_REQUIRE_MESSAGE(again == compact, "accepted non-canonical '" << text << "'");
      } else {
        BOOST_REQUIRE(r.error().offset() <= text.size());
      }
    }
  }
}
