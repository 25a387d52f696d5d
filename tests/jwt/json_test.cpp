// Tests of keyward::jwt's strict JSON reader (include/keyward/jwt/json.hpp): the examples of RFC 8259, every
// error code with its offset, JSONTestSuite-style accept/reject cases and random texts checked at test time
// against Python's json module (tests/jwt/json_crosscheck.py; where keyward is stricter than RFC 8259 the
// script applies the same extra rules: duplicates, lone surrogates, limits), exact numbers against Python's
// decimal and fractions, string decoding, the views, and the absence of allocation.
#define BOOST_TEST_MODULE jwt_json
#include <boost/test/unit_test.hpp>

#include <keyward/jwt/json.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace jwt = keyward::jwt;
using keyward::errc;
using keyward::error;
using namespace std::string_literals;

namespace {

// Every value reached from `value` (itself included) walked through the views, and their strings decoded:
// exercises the walkers on validated text. Returns the number of values.
std::size_t walk(const jwt::json_value& value) {
  std::size_t count = 1;
  if (auto object = value.object()) {
    for (const jwt::json_member& member : *object) {
      BOOST_TEST((member.name.type() == jwt::json_type::string));
      BOOST_TEST(member.name.string().has_value());
      BOOST_TEST(object->find(*member.name.string()).has_value());
      count += walk(member.value);
    }
  } else if (auto array = value.array()) {
    for (const jwt::json_value& element : *array) count += walk(element);
  } else if (value.type() == jwt::json_type::string) {
    BOOST_TEST(value.string()->size() == value.string_size());
  }
  return count;
}

// Runs tests/jwt/json_crosscheck.py with `args` on `lines` (one per line, written to a file unique to this
// process) and returns its output lines.
std::vector<std::string> run_python(const std::string& mode, const std::vector<std::string>& lines,
                                    const std::string& args = "") {
  const std::string path = "/tmp/keyward_jwt_json_test_" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& line : lines) out << line << '\n';
  }
  const std::string command = "python3 " + std::string(KEYWARD_TEST_VECTORS) + "/../jwt/json_crosscheck.py " +
                              mode + " " + path + " " + args;
  FILE* pipe = popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  std::vector<std::string> result;
  std::string line;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
    if (c == '\n') {
      result.push_back(line);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  BOOST_TEST_REQUIRE(pclose(pipe) == 0);
  std::remove(path.c_str());
  BOOST_TEST_REQUIRE(result.size() == lines.size());
  return result;
}

std::string limits_args(const jwt::json_limits& limits) {
  return std::to_string(limits.max_depth) + " " + std::to_string(limits.max_members) + " " +
         std::to_string(limits.max_elements);
}

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

// An object of `n` members "0", "1", ... with the value 0, as JSON text.
std::string object_of(std::size_t n) {
  std::string text = "{";
  for (std::size_t i = 0; i < n; ++i) text += (i ? ",\"" : "\"") + std::to_string(i) + "\":0";
  return text + "}";
}

}  // namespace

// RFC 8259 section 13: the two examples, read through the views.
BOOST_AUTO_TEST_CASE(rfc8259_section13_examples) {
  const std::string image = R"({
      "Image": {
          "Width":  800,
          "Height": 600,
          "Title":  "View from 15th Floor",
          "Thumbnail": {
              "Url":    "http://www.example.com/image/481989943",
              "Height": 125,
              "Width":  100
          },
          "Animated" : false,
          "IDs": [116, 943, 234, 38793]
        }
    })";
  const auto top = jwt::parse_json_object(image);
  BOOST_TEST_REQUIRE(top.has_value());
  BOOST_TEST(top->size() == 1u);
  const auto img = top->find("Image")->object();
  BOOST_TEST_REQUIRE(img.has_value());
  BOOST_TEST(img->size() == 6u);
  BOOST_TEST(*img->find("Width")->integer() == 800);
  BOOST_TEST(*img->find("Height")->integer() == 600);
  BOOST_TEST(img->find("Title")->string_equals("View from 15th Floor"));
  BOOST_TEST(*img->find("Title")->plain_string() == "View from 15th Floor");
  const auto thumb = img->find("Thumbnail")->object();
  BOOST_TEST(thumb->find("Url")->string_equals("http://www.example.com/image/481989943"));
  BOOST_TEST(*thumb->find("Height")->integer() == 125);
  BOOST_TEST(*thumb->find("Width")->integer() == 100);
  BOOST_TEST(*img->find("Animated")->boolean() == false);
  const auto ids = img->find("IDs")->array();
  BOOST_TEST_REQUIRE(ids.has_value());
  std::vector<std::int64_t> got;
  for (const jwt::json_value& id : *ids) got.push_back(*id.integer());
  BOOST_TEST((got == std::vector<std::int64_t>{116, 943, 234, 38793}));
  BOOST_TEST(ids->size() == 4u);
  BOOST_TEST(!img->find("width").has_value());  // names are case-sensitive
  BOOST_TEST(walk(*top->find("Image")) == 14u);

  const std::string places = R"([
        {
           "precision": "zip",
           "Latitude":  37.7668,
           "Longitude": -122.3959,
           "Address":   "",
           "City":      "SAN FRANCISCO",
           "State":     "CA",
           "Zip":       "94107",
           "Country":   "US"
        },
        {
           "precision": "zip",
           "Latitude":  37.371991,
           "Longitude": -122.026020,
           "Address":   "",
           "City":      "SUNNYVALE",
           "State":     "CA",
           "Zip":       "94085",
           "Country":   "US"
        }
      ])";
  const auto list = jwt::parse_json(places);
  BOOST_TEST_REQUIRE(list.has_value());
  BOOST_TEST((list->type() == jwt::json_type::array));
  BOOST_TEST(list->array()->size() == 2u);
  auto it = list->array()->begin();
  const auto first = it->object();
  BOOST_TEST(*first->find("Latitude")->floor_integer() == 37);
  BOOST_TEST(*first->find("Longitude")->floor_integer() == -123);
  BOOST_TEST(first->find("Latitude")->integer().error() == errc::jwt_json_number_out_of_range);
  BOOST_TEST(first->find("Address")->string_size() == 0u);
  ++it;
  BOOST_TEST(it->object()->find("City")->string_equals("SUNNYVALE"));
  ++it;
  BOOST_TEST((it == list->array()->end()));
  BOOST_TEST(jwt::parse_json_object(places).error() == error(errc::jwt_json_not_object, 0));

  // Section 13's small texts: values other than objects and arrays at the top.
  BOOST_TEST(jwt::parse_json("\"Hello world!\"")->string_equals("Hello world!"));
  BOOST_TEST(*jwt::parse_json("42")->integer() == 42);
  BOOST_TEST(*jwt::parse_json("true")->boolean() == true);
}

// RFC 7519 section 3.1's claims set, with its CRLF line breaks, and a typical JOSE header.
BOOST_AUTO_TEST_CASE(rfc7519_claims_and_header) {
  const auto claims = jwt::parse_json_object("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n"
                                             " \"http://example.com/is_root\":true}");
  BOOST_TEST_REQUIRE(claims.has_value());
  BOOST_TEST(claims->find("iss")->string_equals("joe"));
  BOOST_TEST(*claims->find("exp")->floor_integer() == 1300819380);
  BOOST_TEST(*claims->find("http://example.com/is_root")->boolean());
  BOOST_TEST(!claims->find("sub").has_value());
  const auto header = jwt::parse_json_object("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
  BOOST_TEST_REQUIRE(header.has_value());
  BOOST_TEST(header->find("alg")->string_equals("HS256"));
  BOOST_TEST(header->raw().size() == 30u);
}

// Every error code, with the offset the header documents.
BOOST_AUTO_TEST_CASE(errors_and_offsets) {
  struct row {
    std::string text;
    errc code;
    std::size_t offset;
  };
  const std::vector<row> rows = {
      {"", errc::jwt_json_syntax, 0},
      {"   ", errc::jwt_json_syntax, 3},
      {"{", errc::jwt_json_syntax, 1},
      {"{\"a\"", errc::jwt_json_syntax, 4},
      {"{\"a\":}", errc::jwt_json_syntax, 5},
      {"{\"a\" 1}", errc::jwt_json_syntax, 5},
      {"{\"a\":1,}", errc::jwt_json_syntax, 7},
      {"{\"a\":1 \"b\":2}", errc::jwt_json_syntax, 7},
      {"{a:1}", errc::jwt_json_syntax, 1},
      {"{'a':1}", errc::jwt_json_syntax, 1},
      {"[1,]", errc::jwt_json_syntax, 3},
      {"[1 2]", errc::jwt_json_syntax, 3},
      {"[}", errc::jwt_json_syntax, 1},
      {"{]", errc::jwt_json_syntax, 1},
      {"01", errc::jwt_json_syntax, 1},
      {"-01", errc::jwt_json_syntax, 2},
      {"1.", errc::jwt_json_syntax, 2},
      {"1.e5", errc::jwt_json_syntax, 2},
      {"-", errc::jwt_json_syntax, 1},
      {"- 1", errc::jwt_json_syntax, 1},
      {"1e", errc::jwt_json_syntax, 2},
      {"1e+", errc::jwt_json_syntax, 3},
      {"+1", errc::jwt_json_syntax, 0},
      {".5", errc::jwt_json_syntax, 0},
      {"NaN", errc::jwt_json_syntax, 0},
      {"-Infinity", errc::jwt_json_syntax, 1},
      {"tru", errc::jwt_json_syntax, 3},
      {"trUe", errc::jwt_json_syntax, 2},
      {"nul", errc::jwt_json_syntax, 3},
      {"{} {}", errc::jwt_json_syntax, 3},
      {"[1]/*c*/", errc::jwt_json_syntax, 3},
      {"\"abc", errc::jwt_json_syntax, 4},
      {"\"a\tb\"", errc::jwt_json_syntax, 2},
      {"\"a\0b\""s, errc::jwt_json_syntax, 2},
      {"\"\\x\"", errc::jwt_json_syntax, 2},
      {"\"\\", errc::jwt_json_syntax, 2},
      {"\"\\u12G4\"", errc::jwt_json_syntax, 5},
      {"\"\\u12\"", errc::jwt_json_syntax, 5},
      {"\"\\u12", errc::jwt_json_syntax, 5},
      {"\"\\ud800\"", errc::jwt_json_syntax, 1},      // a lone high surrogate: at its '\'
      {"\"ab\\udc00\"", errc::jwt_json_syntax, 3},    // a lone low surrogate
      {"\"\\ud800\\u0041\"", errc::jwt_json_syntax, 1},
      {"\"\\ud800\\ud800\"", errc::jwt_json_syntax, 1},
      {"\"\\ud800\\n\"", errc::jwt_json_syntax, 1},
      {"\"\\ud800", errc::jwt_json_syntax, 1},
      {"\xEF\xBB\xBF{}", errc::jwt_json_syntax, 0},  // a byte order mark
      {"[\xC3\xA9]", errc::jwt_json_syntax, 1},      // well-formed UTF-8 outside a string
      {"[\"\xC3\"]", errc::jwt_json_invalid_utf8, 2},
      {"\"\xED\xA0\x80\"", errc::jwt_json_invalid_utf8, 1},  // an encoded surrogate
      {"\"a\xC0\xAF\"", errc::jwt_json_invalid_utf8, 2},     // overlong
      {"\"\xF4\x90\x80\x80\"", errc::jwt_json_invalid_utf8, 1},  // above U+10FFFF
      {"\"\xE2\x82", errc::jwt_json_invalid_utf8, 1},            // truncated by the end
      {"[\xFF]", errc::jwt_json_invalid_utf8, 1},
      {"\xFF", errc::jwt_json_invalid_utf8, 0},
      {repeat("[", 17) + repeat("]", 17), errc::jwt_json_too_deep, 16},
      {"{\"a\":" + repeat("{\"a\":", 15) + "{}" + repeat("}", 16), errc::jwt_json_too_deep, 80},
      {object_of(65), errc::jwt_json_too_many_members, 1 + 64 * 5 + 10 * 1 + 54 * 2},
      {"[" + repeat("0,", 256) + "0]", errc::jwt_json_too_many_members, 513},
      {"{\"a\":1,\"a\":2}", errc::jwt_json_duplicate_member, 7},
      {"{\"a\":1, \"\\u0061\":2}", errc::jwt_json_duplicate_member, 8},
      {"{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", errc::jwt_json_duplicate_member, 18},
  };
  for (const row& r : rows) {
    const auto parsed = jwt::parse_json(r.text);
    BOOST_TEST_CONTEXT("text " << keyward_test::to_hex(r.text)) {
      BOOST_TEST_REQUIRE(!parsed.has_value());
      BOOST_TEST(parsed.error() == error(r.code, r.offset));
      // parse_json_object() reports the same error
      BOOST_TEST(jwt::parse_json_object(r.text).error() == parsed.error());
    }
  }
  BOOST_TEST(jwt::parse_json_object("  [1]").error() == error(errc::jwt_json_not_object, 2));
  BOOST_TEST(jwt::parse_json_object("\"{}\"").error() == error(errc::jwt_json_not_object, 0));

  // The wrong type, and numbers out of range.
  const auto object = *jwt::parse_json_object(R"({"s":"x","n":1.5,"b":true,"z":null,"a":[],"o":{}})");
  const jwt::json_value s = *object.find("s");
  const jwt::json_value n = *object.find("n");
  BOOST_TEST(s.integer().error() == error(errc::jwt_json_wrong_type));
  BOOST_TEST(s.floor_integer().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(s.boolean().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(s.object().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(s.array().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(n.string().error() == errc::jwt_json_wrong_type);
  char out[8];
  BOOST_TEST(n.write_string(out, sizeof out).error() == errc::jwt_json_wrong_type);
  BOOST_TEST(n.string_size() == 0u);
  BOOST_TEST(!n.plain_string().has_value());
  BOOST_TEST(!n.string_equals("1.5"));
  BOOST_TEST(n.integer().error() == error(errc::jwt_json_number_out_of_range));
  BOOST_TEST(object.find("b")->integer().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(object.find("z")->boolean().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(object.find("a")->object().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(object.find("o")->array().error() == errc::jwt_json_wrong_type);
  BOOST_TEST(object.find("z")->is_null());
  BOOST_TEST(!object.find("b")->is_null());
}

// The limits: exactly at each limit accepted, one beyond rejected; custom limits.
BOOST_AUTO_TEST_CASE(limits) {
  BOOST_TEST(jwt::parse_json(repeat("[", 16) + repeat("]", 16)).has_value());
  BOOST_TEST(jwt::parse_json(repeat("{\"a\":", 15) + "{}" + repeat("}", 15)).has_value());
  BOOST_TEST(jwt::parse_json(object_of(64)).has_value());
  BOOST_TEST(jwt::parse_json("[" + repeat("0,", 255) + "0]").has_value());
  BOOST_TEST(jwt::parse_json("[" + repeat("\"\",", 255) + "{}]")->array()->size() == 256u);

  const jwt::json_limits tight{2, 2, 3};
  BOOST_TEST(jwt::parse_json("[[1]]", tight).has_value());
  BOOST_TEST(jwt::parse_json("[[[1]]]", tight).error() == error(errc::jwt_json_too_deep, 2));
  BOOST_TEST(jwt::parse_json("{\"a\":1,\"b\":2}", tight).has_value());
  BOOST_TEST(jwt::parse_json("{\"a\":1,\"b\":2,\"c\":3}", tight).error() == error(errc::jwt_json_too_many_members, 13));
  BOOST_TEST(jwt::parse_json("[1,2,3]", tight).has_value());
  BOOST_TEST(jwt::parse_json("[1,2,3,4]", tight).error() == error(errc::jwt_json_too_many_members, 7));
  // Depth counts containers only: scalars at the top need none.
  const jwt::json_limits flat{0, 1, 1};
  BOOST_TEST(jwt::parse_json("\"x\"", flat).has_value());
  BOOST_TEST(jwt::parse_json("{}", flat).error() == error(errc::jwt_json_too_deep, 0));
  // Raised limits go beyond the defaults.
  BOOST_TEST(jwt::parse_json(repeat("[", 500) + repeat("]", 500), {500, 64, 256}).has_value());
  BOOST_TEST(jwt::parse_json(object_of(1000), {16, 1000, 256}).has_value());
}

// Duplicates are found after unescaping, in every object, however many names are open at once (beyond the
// parser's stack of names it walks the object again).
BOOST_AUTO_TEST_CASE(duplicates) {
  BOOST_TEST(jwt::parse_json("[{\"a\":1},{\"a\":2}]").has_value());
  BOOST_TEST(jwt::parse_json("{\"a\":{\"a\":{\"a\":1}}}").has_value());
  BOOST_TEST(jwt::parse_json("{\"a\":1,\"A\":2,\"ab\":3,\"a \":4,\"\\u0061b\\u0063\":5}").has_value());
  BOOST_TEST(jwt::parse_json("{\"abcdefghij1\":1,\"abcdefghij2\":2}").has_value());
  BOOST_TEST(jwt::parse_json("{\"abcdefghij1\":1,\"abcdefghij1\":2}").error() ==
             error(errc::jwt_json_duplicate_member, 17));
  BOOST_TEST(jwt::parse_json("{\"\\u00e9\":1,\"\xC3\xA9\":2}").error() == error(errc::jwt_json_duplicate_member, 12));
  BOOST_TEST(jwt::parse_json("{\"\\ud83d\\ude00\":1,\"\xF0\x9F\x98\x80\":2}").error() ==
             error(errc::jwt_json_duplicate_member, 18));
  BOOST_TEST(jwt::parse_json("{\"/\":1,\"\\/\":2}").error() == error(errc::jwt_json_duplicate_member, 7));
  BOOST_TEST(jwt::parse_json("{\"\":1,\"\":2}").error() == error(errc::jwt_json_duplicate_member, 6));
  // Names that share their first 8 decoded bytes and size, escaped differently.
  BOOST_TEST(jwt::parse_json("{\"aaaaaaaa\\u0062\":1,\"a\\u0061aaaaaac\":2}").has_value());
  BOOST_TEST(jwt::parse_json("{\"aaaaaaaa\\u0062\":1,\"a\\u0061aaaaaab\":2}").error() ==
             error(errc::jwt_json_duplicate_member, 20));

  // 5 levels of 63 names each, open at once (315 names), then an object deeper still: its duplicate is found
  // by walking it, whether plain or escaped, at its first or last member.
  std::string outer;
  for (int level = 0; level < 5; ++level) {
    outer += "{";
    for (int m = 0; m < 62; ++m) outer += "\"" + std::to_string(m) + "\":[0],";
    outer += "\"next\":";
  }
  const std::string close = repeat("}", 5);
  BOOST_TEST(jwt::parse_json(outer + object_of(64) + close).has_value());
  BOOST_TEST(jwt::parse_json(outer + "{\"a\":{},\"b\":1,\"\\u0061\":2}" + close).error().code() ==
             errc::jwt_json_duplicate_member);
  const std::string deep = outer + "{\"x\":[1,{\"y\":2}],\"y\":3,\"x\":4}" + close;
  BOOST_TEST(jwt::parse_json(deep).error() == error(errc::jwt_json_duplicate_member, deep.find("\"x\":4")));
  const std::string last = outer + object_of(63).substr(0, object_of(63).size() - 1) + ",\"62\":0}" + close;
  BOOST_TEST(jwt::parse_json(last).error() == error(errc::jwt_json_duplicate_member, last.rfind("\"62\"")));
  // The outer levels still see their own duplicates after the deep object closed (the 64th member).
  const std::string after = outer + "{}, \"61\":1" + close;
  BOOST_TEST(jwt::parse_json(after).error() == error(errc::jwt_json_duplicate_member, after.rfind("\"61\"")));
}

// Decoding: every escape of RFC 8259 section 7, surrogate pairs, UTF-8 kept, the writer trio.
BOOST_AUTO_TEST_CASE(strings) {
  const auto all = jwt::parse_json(R"("\"\\\/\b\f\n\r\t\u0000\u0041\u00e9\u20AC\ud83d\ude00\uDBFF\uDFFF")");
  BOOST_TEST_REQUIRE(all.has_value());
  const std::string want = "\"\\/\b\f\n\r\t\0A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"s;
  BOOST_TEST(*all->string() == want);
  BOOST_TEST(all->string_size() == want.size());
  BOOST_TEST(all->string_equals(want));
  BOOST_TEST(!all->string_equals(want.substr(1)));
  BOOST_TEST(!all->string_equals(want + "x"));
  BOOST_TEST(!all->plain_string().has_value());

  char out[64];
  BOOST_TEST(*all->write_string(out, sizeof out) == want.size());
  BOOST_TEST(std::string(out, want.size()) == want);
  char small[4] = {'x', 'x', 'x', 'x'};
  BOOST_TEST(all->write_string(small, sizeof small).error() == errc::buffer_too_small);
  BOOST_TEST(std::string(small, 4) == "xxxx");  // nothing written
  BOOST_TEST(*all->write_string(out, want.size()) == want.size());

  const auto plain = jwt::parse_json("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  BOOST_TEST(*plain->plain_string() == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  BOOST_TEST(plain->plain_string()->data() == plain->raw().data() + 1);  // a view into the text
  BOOST_TEST(plain->string_equals("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  BOOST_TEST(!plain->string_equals("cafe \xF0\x9F\x98\x80"));
  BOOST_TEST(plain->raw() == "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");

  // string_equals() compares decoded bytes: a query holding a backslash is not an escape.
  const auto quoted = jwt::parse_json(R"("a\"b")");
  BOOST_TEST(quoted->string_equals("a\"b"));
  BOOST_TEST(!quoted->string_equals("a\\\"b"));
  const auto backslash = jwt::parse_json(R"("a\\b")");
  BOOST_TEST(backslash->string_equals("a\\b"));
  BOOST_TEST(!backslash->string_equals("a\\\\b"));
  BOOST_TEST(jwt::parse_json("\"\"")->string_equals(""));
  BOOST_TEST(*jwt::parse_json("\"\"")->plain_string() == "");

  // Long strings (the 16-byte scan) with special bytes at every position of a block.
  for (std::size_t at = 0; at < 40; ++at) {
    std::string body(40, 'x');
    body.replace(at, 1, "\\n");
    const std::string literal = "\"" + body + "\"";  // the views point into it
    const auto value = jwt::parse_json(literal);
    BOOST_TEST_REQUIRE(value.has_value());
    std::string expect(40, 'x');
    expect[at] = '\n';
    BOOST_TEST(*value->string() == expect);
    std::string bad = "\"" + std::string(40, 'x') + "\"";
    bad[1 + at] = '\x1f';
    BOOST_TEST(jwt::parse_json(bad).error() == error(errc::jwt_json_syntax, 1 + at));
    bad[1 + at] = '\xC3';
    BOOST_TEST(jwt::parse_json(bad).error() == error(errc::jwt_json_invalid_utf8, 1 + at));
    // an object member whose name and value are long, found again by name
    const std::string name = std::string(at, 'n') + "\\\"" + std::string(40 - at, 'n');
    const std::string text = "{\"" + name + "\":\"" + body + "\",\"k\":1}";
    const auto object = jwt::parse_json_object(text);
    BOOST_TEST_REQUIRE(object.has_value());
    BOOST_TEST(*object->find(std::string(at, 'n') + "\"" + std::string(40 - at, 'n'))->string() == expect);
    BOOST_TEST(*object->find("k")->integer() == 1);
  }
}

// Numbers: the examples of the API's contract, then exact values checked against Python's decimal and
// fractions at test time.
BOOST_AUTO_TEST_CASE(numbers) {
  const auto floor_of = [](const std::string& text) { return jwt::parse_json(text)->floor_integer(); };
  const auto integer_of = [](const std::string& text) { return jwt::parse_json(text)->integer(); };
  BOOST_TEST(*floor_of("1.9") == 1);
  BOOST_TEST(*floor_of("-0.5") == -1);
  BOOST_TEST(*floor_of("1e2") == 100);
  BOOST_TEST(*floor_of("1E-400") == 0);
  BOOST_TEST(*floor_of("-1E-400") == -1);
  BOOST_TEST(floor_of("1e400").error() == errc::jwt_json_number_out_of_range);
  BOOST_TEST(*integer_of("1e3") == 1000);
  BOOST_TEST(*integer_of("10.0") == 10);
  BOOST_TEST(*integer_of("-0") == 0);
  BOOST_TEST(integer_of("1.5").error() == errc::jwt_json_number_out_of_range);
  BOOST_TEST(*integer_of("9223372036854775807") == INT64_MAX);
  BOOST_TEST(*integer_of("-9223372036854775808") == INT64_MIN);
  BOOST_TEST(integer_of("9223372036854775808").error() == errc::jwt_json_number_out_of_range);
  BOOST_TEST(*floor_of("-9223372036854775807.5") == INT64_MIN);
  BOOST_TEST(floor_of("-9223372036854775808.5").error() == errc::jwt_json_number_out_of_range);

  std::vector<std::string> texts = {
      "0", "-0", "0.0", "-0.0e-5", "0e999999999999999999999", "1", "-1", "1.9", "-1.9", "-0.5", "0.5", "1e2",
      "1E-400", "-1E-400", "1e400", "-1e400", "1e18", "1e19", "9.223372036854775807e18", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "-9223372036854775808.0000001",
      "-9223372036854775807.9", "9223372036854775807.9999999999999", "1300819380", "1300819380.999",
      "1.300819380E9", "130081938000e-2", "13008193800000000000000000000e-19", "0.000000000000000000001e21",
      "100000000000000000000e-2", "1e-1", "-1e-1", "12345678901234567890123", "123.456e1", "-123.456e1",
      "5E+0", "5e-0", "0.1e1", "1.0000000000000000000000001", "99999999999999999999e-2",
      "-99999999999999999999e-2", "1e-99999999999999999999", "-1e99999999999999999999"};
  std::mt19937_64 rng(2024);
  for (int i = 0; i < 400; ++i) {
    std::string t = rng() % 2 ? "-" : "";
    const std::size_t int_digits = 1 + rng() % 22;
    t += std::to_string(1 + rng() % 9);
    for (std::size_t k = 1; k < int_digits; ++k) t += std::to_string(rng() % 10);
    if (rng() % 3 == 0) t = (t[0] == '-' ? "-0" : "0");
    if (rng() % 2) {
      t += ".";
      const std::size_t frac = 1 + rng() % 12;
      for (std::size_t k = 0; k < frac; ++k) t += std::to_string(rng() % 3 == 0 ? 0 : rng() % 10);
    }
    if (rng() % 2) t += (rng() % 2 ? "e" : "E") + std::string(rng() % 3 == 0 ? "-" : rng() % 2 ? "+" : "") +
                        std::to_string(rng() % 25);
    texts.push_back(t);
  }
  const std::vector<std::string> python = run_python("numbers", texts);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto value = jwt::parse_json(texts[i]);
    BOOST_TEST_CONTEXT("number " << texts[i]) {
      BOOST_TEST_REQUIRE(value.has_value());
      const auto floor = value->floor_integer();
      const auto integer = value->integer();
      const std::string ours = (floor ? std::to_string(*floor) : "R") + " " +
                               (integer ? std::to_string(*integer) : "R");
      BOOST_TEST(ours == python[i]);
      if (!floor) BOOST_TEST(floor.error() == error(errc::jwt_json_number_out_of_range));
    }
  }
}

// JSONTestSuite-style cases: y_ accepted, n_ rejected, s_ rejected by keyward where RFC 8259 (and Python)
// accept (the stricter rules of json.hpp). Python's json checks the table at test time: it accepts y_ and
// s_, rejects n_, and under the same stricter rules rejects s_.
BOOST_AUTO_TEST_CASE(accept_reject_table_agrees_with_python) {
  struct row {
    const char* name;
    std::string text;
  };
  const std::vector<row> rows = {
      {"y_object_empty", "{}"},
      {"y_array_empty", "[]"},
      {"y_array_empty_ws", "[ ]"},
      {"y_string_empty", "\"\""},
      {"y_number_0", "0"},
      {"y_number_minus_0", "-0"},
      {"y_number_int", "123"},
      {"y_number_negative", "-123"},
      {"y_number_fraction", "1.5"},
      {"y_number_exp", "1e10"},
      {"y_number_capital_exp", "1E10"},
      {"y_number_exp_plus", "1e+2"},
      {"y_number_exp_minus", "1e-2"},
      {"y_number_all_parts", "-1.25E-3"},
      {"y_number_0e1", "0e1"},
      {"y_number_0_0", "0.0"},
      {"y_number_huge_exp", "1e400"},
      {"y_number_big_int", "123456789012345678901234567890"},
      {"y_number_tiny", "-0.000001"},
      {"y_true", "true"},
      {"y_false", "false"},
      {"y_null", "null"},
      {"y_whitespace_around", " \t\r\n{} \n"},
      {"y_nested_arrays", "[[[]]]"},
      {"y_nested_objects", "{\"a\":{\"b\":{\"c\":{}}}}"},
      {"y_string_escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""},
      {"y_string_u0000", "\"\\u0000\""},
      {"y_string_unicode_escape", "\"\\u00e9\""},
      {"y_string_utf8_2", "\"\xC3\xA9\""},
      {"y_string_utf8_3", "\"\xE2\x82\xAC\""},
      {"y_string_utf8_4", "\"\xF0\x9F\x98\x80\""},
      {"y_string_utf8_max", "\"\xF4\x8F\xBF\xBF\""},
      {"y_string_surrogate_pair", "\"\\ud83d\\ude00\""},
      {"y_string_surrogate_pair_upper", "\"\\uD83D\\uDE00\""},
      {"y_string_last_code_point", "\"\\udbff\\udfff\""},
      {"y_string_noncharacter", "\"\\uffff\""},
      {"y_string_del", "\"\x7F\""},
      {"y_string_u2028", "\"\xE2\x80\xA8\""},
      {"y_string_slashes", "\"/\\/\""},
      {"y_string_long", "\"" + repeat("abcdefghij", 30) + "\""},
      {"y_array_mixed", "[1,\"a\",null,true,false,{},[]]"},
      {"y_object_whitespace", "{ \"a\" : 1 , \"b\" : [ 2 ] }"},
      {"y_object_same_name_sibling_objects", "[{\"a\":1},{\"a\":2}]"},
      {"y_object_names_differ_in_case", "{\"a\":1,\"A\":2}"},
      {"y_object_prefix_names", "{\"ab\":1,\"abc\":2,\"a\":3}"},
      {"y_object_long_names_differ_at_end", "{\"abcdefghij1\":1,\"abcdefghij2\":2}"},
      {"y_object_escaped_names_differ", "{\"\\u0061b\":1,\"ab\\u0063\":2}"},
      {"y_object_empty_name", "{\"\":0}"},
      {"y_jose_header", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"},
      {"y_rfc7519_claims", "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"},
      {"y_depth_16", repeat("[", 16) + repeat("]", 16)},
      {"y_members_64", object_of(64)},
      {"n_empty", ""},
      {"n_whitespace_only", " "},
      {"n_array_trailing_comma", "[1,]"},
      {"n_object_trailing_comma", "{\"a\":1,}"},
      {"n_array_leading_comma", "[,1]"},
      {"n_array_double_comma", "[1,,2]"},
      {"n_object_missing_colon", "{\"a\" 1}"},
      {"n_object_missing_value", "{\"a\":}"},
      {"n_single_quotes", "['a']"},
      {"n_unquoted_name", "{a:1}"},
      {"n_line_comment", "[1]//"},
      {"n_block_comment", "/**/[]"},
      {"n_nan", "NaN"},
      {"n_minus_nan", "-NaN"},
      {"n_infinity", "Infinity"},
      {"n_minus_infinity", "-Infinity"},
      {"n_leading_zero", "01"},
      {"n_minus_leading_zero", "-01"},
      {"n_plus", "+1"},
      {"n_dot_first", ".1"},
      {"n_dot_last", "1."},
      {"n_exp_empty", "1e"},
      {"n_exp_sign_only", "1e-"},
      {"n_frac_empty_exp", "0.e1"},
      {"n_exp_fraction", "1e1.5"},
      {"n_hex", "0x1"},
      {"n_minus_space", "- 1"},
      {"n_minus_only", "-"},
      {"n_two_values", "1 2"},
      {"n_two_objects", "{}{}"},
      {"n_unclosed_array", "[1"},
      {"n_unclosed_object", "{\"a\":1"},
      {"n_unclosed_string", "\"abc"},
      {"n_tab_in_string", "\"a\tb\""},
      {"n_newline_in_string", "\"a\nb\""},
      {"n_nul_in_string", "\"a\0b\""s},
      {"n_bad_escape", "\"\\a\""},
      {"n_escape_x", "\"\\x41\""},
      {"n_short_unicode_escape", "\"\\u00e\""},
      {"n_capital_U_escape", "\"\\U0041\""},
      {"n_true_capitalised", "True"},
      {"n_null_truncated", "nul"},
      {"n_bom", "\xEF\xBB\xBF{}"},
      {"n_utf8_ff", "\"\xFF\""},
      {"n_utf8_overlong", "\"\xC0\xAF\""},
      {"n_utf8_surrogate_bytes", "\"\xED\xA0\x80\""},
      {"n_utf8_above_10ffff", "\"\xF4\x90\x80\x80\""},
      {"n_utf8_truncated", "\"\xE2\x82\""},
      {"n_utf8_lone_continuation", "\"\x80\""},
      {"n_non_ascii_outside_string", "[\xC3\xA9]"},
      {"n_array_closed_by_brace", "[}"},
      {"n_object_closed_by_bracket", "{]"},
      {"n_colon_in_array", "[1:2]"},
      {"n_array_as_name", "{[]:1}"},
      {"n_number_as_name", "{1:1}"},
      {"n_escape_outside_string", "\\\"a\""},
      {"n_string_escaped_end", "\"\\\""},
      {"n_nested_unclosed", "[[[]]"},
      {"n_extra_close", "[]]"},
      {"n_vertical_tab_whitespace", "\x0B[]"},
      {"n_form_feed_whitespace", "\x0C[]"},
      {"n_nbsp_whitespace", "\xC2\xA0[]"},
      {"n_capital_exp_plus_empty", "1E+"},
      {"s_duplicate", "{\"a\":1,\"a\":2}"},
      {"s_duplicate_escaped", "{\"a\":1,\"\\u0061\":2}"},
      {"s_duplicate_utf8_and_escape", "{\"\\u00e9\":1,\"\xC3\xA9\":2}"},
      {"s_duplicate_pair_and_utf8", "{\"\\ud83d\\ude00\":1,\"\xF0\x9F\x98\x80\":2}"},
      {"s_duplicate_nested", "{\"x\":{\"b\":1,\"c\":2,\"b\":3}}"},
      {"s_duplicate_slash", "{\"/\":1,\"\\/\":2}"},
      {"s_duplicate_empty", "{\"\":1,\"\":2}"},
      {"s_lone_high_surrogate", "\"\\ud800\""},
      {"s_lone_low_surrogate", "\"\\udc00\""},
      {"s_high_then_letter", "\"\\ud800\\u0041\""},
      {"s_high_then_high", "\"\\ud800\\ud800\""},
      {"s_reversed_pair", "\"\\ude00\\ud83d\""},
      {"s_lone_surrogate_in_name", "{\"\\udfff\":1}"},
      {"s_depth_17", repeat("[", 17) + repeat("]", 17)},
      {"s_depth_17_objects", repeat("{\"a\":", 16) + "{}" + repeat("}", 16)},
      {"s_members_65", object_of(65)},
      {"s_elements_257", "[" + repeat("0,", 256) + "0]"},
  };
  BOOST_TEST(rows.size() >= 120u);
  std::vector<std::string> hex;
  for (const row& r : rows) hex.push_back(keyward_test::to_hex(r.text));
  const std::vector<std::string> python = run_python("texts", hex, limits_args({}));
  std::size_t stricter = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const char kind = rows[i].name[0];
    const auto parsed = jwt::parse_json(rows[i].text);
    BOOST_TEST_CONTEXT(rows[i].name) {
      BOOST_TEST(parsed.has_value() == (kind == 'y'));
      const std::string plain = python[i].substr(0, 1);
      const std::string strict = python[i].substr(2, 1);
      BOOST_TEST(plain == (kind == 'n' ? "0" : "1"));
      BOOST_TEST(strict == (kind == 'y' ? "1" : "0"));
      if (parsed && parsed->type() == jwt::json_type::string) {
        const std::string decoded = *parsed->string();
        BOOST_TEST(python[i].substr(4) == (decoded.empty() ? "=" : keyward_test::to_hex(decoded)));
      }
      if (parsed) walk(*parsed);
    }
    stricter += kind == 's' ? 1 : 0;
  }
  BOOST_TEST(stricter == 17u);
}

namespace {

// A random JSON-like text: mostly valid, with names that repeat (plainly or escaped), strings with escapes
// and UTF-8, numbers of every shape, nesting near the limits.
class text_maker {
 public:
  explicit text_maker(std::uint64_t seed) : rng_(seed) {}

  std::string value(int depth) {
    switch (pick(depth > 5 ? 5 : 8)) {
      case 0: return number();
      case 1: return string_literal();
      case 2: return pick(2) ? "true" : "false";
      case 3: return "null";
      case 4: return string_literal();
      case 5:
      case 6: {
        std::string out = "[";
        const std::size_t n = pick(5);
        for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + space() + value(depth + 1) + space();
        return out + "]";
      }
      default: {
        std::string out = "{";
        const std::size_t n = pick(6);
        for (std::size_t i = 0; i < n; ++i) {
          out += (i ? "," : "") + space() + name() + space() + ":" + space() + value(depth + 1);
        }
        return out + "}";
      }
    }
  }

  // Damages `text` a little: a byte removed, inserted, replaced or a piece repeated.
  std::string mutate(std::string text) {
    static const char bytes[] = "{}[],:\"\\ u0123456789abcdefnrt-+.eE\x01\x1f\x7f\xC3\xA9\xED\xA0\x80\xFF\xF0";
    const std::size_t rounds = 1 + pick(3);
    for (std::size_t r = 0; r < rounds && !text.empty(); ++r) {
      const std::size_t at = pick(text.size());
      switch (pick(4)) {
        case 0: text.erase(at, 1); break;
        case 1: text.insert(at, 1, bytes[pick(sizeof bytes - 1)]); break;
        case 2: text[at] = bytes[pick(sizeof bytes - 1)]; break;
        default: text.insert(at, text.substr(at, pick(8))); break;
      }
    }
    return text;
  }

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

 private:
  std::string space() {
    static const char* const spaces[] = {"", "", "", " ", "\n", "\t", "\r\n "};
    return spaces[pick(7)];
  }
  std::string name() {
    static const char* const names[] = {"\"a\"", "\"b\"", "\"\\u0061\"", "\"ab\"", "\"a\\u0062\"", "\"\"",
                                        "\"alg\"", "\"\\u00e9\"", "\"\xC3\xA9\"", "\"\\/\"", "\"/\"",
                                        "\"\\ud83d\\ude00\"", "\"\xF0\x9F\x98\x80\"", "\"abcdefghij\""};
    return names[pick(14)];
  }
  std::string number() {
    static const char* const numbers[] = {"0", "-0", "1", "-12", "1.5", "1e5", "-2.5E-3", "1e400", "0.000",
                                          "123456789012345678901234", "9223372036854775808", "3.0e+2"};
    return numbers[pick(12)];
  }
  std::string string_literal() {
    static const char* const pieces[] = {"x", "hello", "\\n", "\\\"", "\\\\", "\\/", "\\u0041", "\\u00e9",
                                         "\\ud83d\\ude00", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                         "\\u0000", "\\ud800", "\\udc00", " ", "0123456789abcdef"};
    std::string out = "\"";
    const std::size_t n = pick(6);
    for (std::size_t i = 0; i < n; ++i) out += pieces[pick(i == 0 ? 17 : 13)];
    return out + "\"";
  }

  std::mt19937_64 rng_;
};

}  // namespace

// Random and damaged texts: keyward accepts exactly what Python's json accepts under the same stricter rules,
// and decodes top-level strings to the same bytes.
BOOST_AUTO_TEST_CASE(random_texts_agree_with_python) {
  for (const jwt::json_limits limits : {jwt::json_limits{}, jwt::json_limits{3, 3, 3}}) {
    text_maker maker(limits.max_depth);
    std::vector<std::string> texts;
    for (int i = 0; i < 2500; ++i) {
      std::string text = maker.value(0);
      if (maker.pick(2) == 0) text = maker.mutate(text);
      texts.push_back(text);
    }
    std::vector<std::string> hex;
    for (const std::string& t : texts) hex.push_back(keyward_test::to_hex(t));
    const std::vector<std::string> python = run_python("texts", hex, limits_args(limits));
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const auto parsed = jwt::parse_json(texts[i], limits);
      BOOST_TEST_CONTEXT("text " << hex[i]) {
        BOOST_TEST(python[i].substr(2, 1) == (parsed ? "1" : "0"));
        if (parsed && parsed->type() == jwt::json_type::string) {
          const std::string decoded = *parsed->string();
          BOOST_TEST(python[i].substr(4) == (decoded.empty() ? "=" : keyward_test::to_hex(decoded)));
        }
        if (parsed) walk(*parsed);
      }
      accepted += parsed ? 1 : 0;
    }
    BOOST_TEST(accepted > 500u);
    BOOST_TEST(accepted < 2300u);
  }
}

// The views: document order, sizes, lookups by decoded name, raw text, default-constructed views.
BOOST_AUTO_TEST_CASE(views) {
  const std::string text = " { \"b\" : [ 1 , \"x\" , { } , [ ] ] ,\n\"a\\u0062\":{\"k\":\"v\"}, \"n\":null } ";
  const auto object = jwt::parse_json_object(text);
  BOOST_TEST_REQUIRE(object.has_value());
  BOOST_TEST(object->raw() == text.substr(1, text.size() - 2));
  BOOST_TEST(object->size() == 3u);
  BOOST_TEST(!object->empty());
  std::vector<std::string> names;
  std::vector<std::string> raws;
  for (auto it = object->begin(); it != object->end(); it++) {
    names.push_back(*it->name.string());
    raws.push_back(std::string((*it).value.raw()));
  }
  BOOST_TEST((names == std::vector<std::string>{"b", "ab", "n"}));
  BOOST_TEST((raws == std::vector<std::string>{"[ 1 , \"x\" , { } , [ ] ]", "{\"k\":\"v\"}", "null"}));
  BOOST_TEST(object->find("ab")->object()->find("k")->string_equals("v"));
  BOOST_TEST(!object->find("a\\u0062").has_value());  // names compare decoded
  const auto array = *object->find("b")->array();
  BOOST_TEST(array.size() == 4u);
  std::vector<jwt::json_type> types;
  for (const jwt::json_value& v : array) types.push_back(v.type());
  BOOST_TEST((types == std::vector<jwt::json_type>{jwt::json_type::number, jwt::json_type::string,
                                                  jwt::json_type::object, jwt::json_type::array}));
  auto element = array.begin();
  element++;
  BOOST_TEST(element->string_equals("x"));
  ++element;
  BOOST_TEST(element->object()->empty());
  BOOST_TEST(element->object()->size() == 0u);
  BOOST_TEST((element->object()->begin() == element->object()->end()));
  ++element;
  BOOST_TEST(element->array()->empty());
  ++element;
  BOOST_TEST((element == array.end()));

  const jwt::json_value null_value;
  BOOST_TEST(null_value.is_null());
  BOOST_TEST(null_value.raw() == "null");
  const jwt::json_object no_members;
  BOOST_TEST(no_members.raw() == "{}");
  BOOST_TEST(no_members.size() == 0u);
  BOOST_TEST(!no_members.find("alg").has_value());
  const jwt::json_array no_elements;
  BOOST_TEST(no_elements.raw() == "[]");
  BOOST_TEST(no_elements.size() == 0u);
  BOOST_TEST(jwt::parse_json(" 12 ")->raw() == "12");
  BOOST_TEST(jwt::parse_json("[1]")->raw() == "[1]");
  BOOST_TEST((jwt::parse_json("-1")->type() == jwt::json_type::number));
  BOOST_TEST((jwt::parse_json("false")->type() == jwt::json_type::boolean));
  BOOST_TEST((jwt::parse_json("null")->type() == jwt::json_type::null));
}

// Parsing, lookups, reading numbers and writing strings into a buffer allocate nothing, on valid input and on
// every error path.
BOOST_AUTO_TEST_CASE(no_allocation) {
  const std::vector<std::string> texts = {
      "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"a\":1,\"\\u0061\":2}", "[1,2,", "\"\\ud800\"", "\"\xFF\"",
      repeat("[", 40) + repeat("]", 40), object_of(300), "{\"s\":\"" + std::string(300, 'x') + "\\n\",\"n\":1.5e3}"};
  std::size_t ok = 0;
  char out[512];
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  for (const std::string& text : texts) {
    const auto parsed = jwt::parse_json_object(text);
    if (!parsed) continue;
    ++ok;
    for (const jwt::json_member& m : *parsed) {
      ok += m.name.write_string(out, sizeof out).has_value() ? 1 : 0;
      ok += m.value.floor_integer().has_value() ? 1 : 0;
      ok += m.value.write_string(out, sizeof out).has_value() ? 1 : 0;
    }
    ok += parsed->find("n").has_value() ? 1 : 0;
  }
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  BOOST_TEST(ok == 1u + 4u + 1u + 2u + 3u);  // header (2 names + 2 strings), the last object (2+2+1, find)
}
