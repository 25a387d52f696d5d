// libFuzzer target for keyward::jwt::parse_json (include/keyward/jwt/json.hpp). The first byte chooses the
// limits (depth 0-7 or 16, members and elements 0-6 or 64/256); the rest is the JSON text, read in place so that
// AddressSanitizer catches a read past its end. Checks: nothing crashes; the result equals that of a plain
// recursive reference parser written here from the header's rules (acceptance, and for a rejection the same
// errc and offset); for accepted text, every value reached through the views has the reference's type and raw
// text, strings decode to the reference's bytes through string(), write_string(), string_size(),
// string_equals() and plain_string(), members come in document order and find() returns them (by decoded
// name), and numbers floor exactly (checked in 128 bits where the value is small enough).
#include <keyward/jwt/json.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace jwt = keyward::jwt;
using keyward::errc;
__extension__ typedef __int128 int128;

// The reference's tree of a value: its kind, where its text is, its decoded string, its children.
struct node {
  jwt::json_type type = jwt::json_type::null;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string decoded;              // strings
  std::vector<std::string> names;   // objects: the decoded member names, in order
  std::vector<node> children;       // object values or array elements, in order
};

// A plain recursive descent over RFC 8259 with the header's extra rules, one byte at a time.
class reference {
 public:
  reference(std::string_view text, const jwt::json_limits& limits) : t_(text), limits_(limits) {}

  bool parse(node& root) {
    skip();
    if (!value(root, 0)) return false;
    skip();
    if (i_ != t_.size()) return syntax(i_);
    return true;
  }
  errc code = errc::jwt_json_syntax;
  std::size_t offset = 0;

 private:
  bool fail(errc c, std::size_t at) {
    code = c;
    offset = at;
    return false;
  }
  unsigned char byte(std::size_t at) const { return static_cast<unsigned char>(t_[at]); }
  // The length of the well-formed UTF-8 sequence at `at` (Unicode table 3-7), 0 if there is none.
  std::size_t utf8_at(std::size_t at) const {
    const unsigned char b = byte(at);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    if (b >= 0xE0 && b <= 0xEF) n = 3;
    if (b >= 0xF0 && b <= 0xF4) n = 4;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    if (n == 0 || at + n > t_.size()) return 0;
    if (byte(at + 1) < lo || byte(at + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
      if (byte(at + k) < 0x80 || byte(at + k) > 0xBF) return 0;
    }
    return n;
  }
  bool syntax(std::size_t at) {
    if (at < t_.size() && byte(at) >= 0x80 && utf8_at(at) == 0) return fail(errc::jwt_json_invalid_utf8, at);
    return fail(errc::jwt_json_syntax, at);
  }
  void skip() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  bool is(char c) const { return i_ < t_.size() && t_[i_] == c; }
  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool value(node& out, std::size_t depth) {
    out.begin = i_;
    if (i_ >= t_.size()) return syntax(i_);
    const char c = t_[i_];
    bool ok = false;
    if (c == '{') {
      ok = object(out, depth + 1);
    } else if (c == '[') {
      ok = array(out, depth + 1);
    } else if (c == '"') {
      out.type = jwt::json_type::string;
      ok = string(out.decoded);
    } else if (c == 't' || c == 'f' || c == 'n') {
      const std::string word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      for (std::size_t k = 0; k < word.size(); ++k) {
        if (i_ + k >= t_.size() || t_[i_ + k] != word[k]) return syntax(i_ + k);
      }
      i_ += word.size();
      out.type = c == 'n' ? jwt::json_type::null : jwt::json_type::boolean;
      ok = true;
    } else {
      out.type = jwt::json_type::number;
      ok = number();
    }
    out.end = i_;
    return ok;
  }

  bool number() {
    if (is('-')) ++i_;
    if (is('0')) {
      ++i_;
    } else {
      if (i_ >= t_.size() || !digit(t_[i_])) return syntax(i_);
      while (i_ < t_.size() && digit(t_[i_])) ++i_;
    }
    if (is('.')) {
      ++i_;
      if (i_ >= t_.size() || !digit(t_[i_])) return syntax(i_);
      while (i_ < t_.size() && digit(t_[i_])) ++i_;
    }
    if (is('e') || is('E')) {
      ++i_;
      if (is('+') || is('-')) ++i_;
      if (i_ >= t_.size() || !digit(t_[i_])) return syntax(i_);
      while (i_ < t_.size() && digit(t_[i_])) ++i_;
    }
    return true;
  }

  // Four hex digits at `at`; -1 with the error set when one is missing or not hex.
  long hex4(std::size_t at) {
    long v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      if (k >= t_.size()) {
        fail(errc::jwt_json_syntax, t_.size());
        return -1;
      }
      const char c = t_[k];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) {
        fail(errc::jwt_json_syntax, k);
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  static void put(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool string(std::string& out) {
    ++i_;
    for (;;) {
      if (i_ >= t_.size()) return fail(errc::jwt_json_syntax, t_.size());
      const unsigned char c = byte(i_);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return fail(errc::jwt_json_syntax, i_);
      if (c >= 0x80) {
        const std::size_t n = utf8_at(i_);
        if (n == 0) return fail(errc::jwt_json_invalid_utf8, i_);
        out.append(t_.substr(i_, n));
        i_ += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++i_;
        continue;
      }
      if (i_ + 1 >= t_.size()) return fail(errc::jwt_json_syntax, t_.size());
      const char e = t_[i_ + 1];
      const std::string_view simple = "\"\\/bfnrt";
      const std::string_view meaning = "\"\\/\b\f\n\r\t";
      if (simple.find(e) != std::string_view::npos) {
        out += meaning[simple.find(e)];
        i_ += 2;
        continue;
      }
      if (e != 'u') return fail(errc::jwt_json_syntax, i_ + 1);
      const long cp = hex4(i_ + 2);
      if (cp < 0) return false;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(errc::jwt_json_syntax, i_);
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // Anything but "\u" and a low surrogate after a high one is reported at the high one's '\'.
        if (i_ + 7 >= t_.size() || t_[i_ + 6] != '\\' || t_[i_ + 7] != 'u') return fail(errc::jwt_json_syntax, i_);
        const long low = hex4(i_ + 8);
        if (low < 0xDC00 || low > 0xDFFF) return fail(errc::jwt_json_syntax, i_);
        const auto high_bits = static_cast<unsigned long>(cp) - 0xD800;
        put(out, 0x10000 + (high_bits << 10) + (static_cast<unsigned long>(low) - 0xDC00));
        i_ += 12;
        continue;
      }
      put(out, static_cast<unsigned long>(cp));
      i_ += 6;
    }
  }

  bool array(node& out, std::size_t depth) {
    out.type = jwt::json_type::array;
    if (depth > limits_.max_depth) return fail(errc::jwt_json_too_deep, i_);
    ++i_;
    skip();
    if (is(']')) {
      ++i_;
      return true;
    }
    for (;;) {
      if (out.children.size() + 1 > limits_.max_elements) return fail(errc::jwt_json_too_many_members, i_);
      out.children.emplace_back();
      if (!value(out.children.back(), depth)) return false;
      skip();
      if (is(',')) {
        ++i_;
        skip();
        continue;
      }
      if (is(']')) {
        ++i_;
        return true;
      }
      return syntax(i_);
    }
  }

  bool object(node& out, std::size_t depth) {
    out.type = jwt::json_type::object;
    if (depth > limits_.max_depth) return fail(errc::jwt_json_too_deep, i_);
    ++i_;
    skip();
    if (is('}')) {
      ++i_;
      return true;
    }
    for (;;) {
      if (!is('"')) return syntax(i_);
      if (out.names.size() + 1 > limits_.max_members) return fail(errc::jwt_json_too_many_members, i_);
      const std::size_t at = i_;
      std::string name;
      if (!string(name)) return false;
      for (const std::string& earlier : out.names) {
        if (earlier == name) return fail(errc::jwt_json_duplicate_member, at);
      }
      out.names.push_back(name);
      skip();
      if (!is(':')) return syntax(i_);
      ++i_;
      skip();
      out.children.emplace_back();
      if (!value(out.children.back(), depth)) return false;
      skip();
      if (is(',')) {
        ++i_;
        skip();
        continue;
      }
      if (is('}')) {
        ++i_;
        return true;
      }
      return syntax(i_);
    }
  }

  std::string_view t_;
  jwt::json_limits limits_;
  std::size_t i_ = 0;
};

// The floor of a number whose digits and exponent are small, exactly in 128 bits; false when too large here.
bool small_floor(std::string_view text, int128& floor) {
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  int128 digits = 0;
  int count = 0;
  int scale = 0;
  bool point = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      point = true;
      continue;
    }
    if (++count > 30) return false;
    digits = digits * 10 + (text[i] - '0');
    if (point) --scale;
  }
  if (i < text.size()) {  // the exponent
    ++i;
    const bool minus = text[i] == '-';
    if (text[i] == '+' || text[i] == '-') ++i;
    if (text.size() - i > 3) return false;  // up to 3 digits only
    int e = 0;
    for (; i < text.size(); ++i) e = e * 10 + (text[i] - '0');
    scale += minus ? -e : e;
  }
  if (scale > 0) {
    for (int k = 0; k < scale; ++k) {
      if (digits > (static_cast<int128>(1) << 100)) return false;
      digits *= 10;
    }
    floor = negative ? -digits : digits;
    return true;
  }
  if (scale < -36) return false;
  int128 divisor = 1;
  for (int k = 0; k < -scale; ++k) divisor *= 10;
  const int128 whole = digits / divisor;
  const bool fraction = digits % divisor != 0;
  floor = negative ? -whole - (fraction ? 1 : 0) : whole;
  return true;
}

void check_number(const jwt::json_value& value) {
  const auto floor = value.floor_integer();
  const auto integer = value.integer();
  FUZZ_CHECK(floor || floor.error() == errc::jwt_json_number_out_of_range);
  FUZZ_CHECK(integer || integer.error() == errc::jwt_json_number_out_of_range);
  if (integer) FUZZ_CHECK(floor && *floor == *integer);
  int128 exact = 0;
  if (small_floor(value.raw(), exact)) {
    const bool fits = exact >= INT64_MIN && exact <= INT64_MAX;
    FUZZ_CHECK(fits == floor.has_value());
    if (fits) FUZZ_CHECK(*floor == static_cast<std::int64_t>(exact));
  }
}

void check_string(const jwt::json_value& value, const std::string& decoded) {
  FUZZ_CHECK(value.string_size() == decoded.size());
  const auto whole = value.string();
  FUZZ_CHECK(whole && *whole == decoded);
  FUZZ_CHECK(value.string_equals(decoded));
  FUZZ_CHECK(!value.string_equals(decoded + "x"));
  if (!decoded.empty()) FUZZ_CHECK(!value.string_equals(decoded.substr(1)));
  std::unique_ptr<char[]> out(new char[decoded.size() + 1]);
  const auto written = value.write_string(out.get(), decoded.size());
  FUZZ_CHECK(written && *written == decoded.size() && std::string_view(out.get(), decoded.size()) == decoded);
  if (!decoded.empty()) {
    FUZZ_CHECK(value.write_string(out.get(), decoded.size() - 1).error() == errc::buffer_too_small);
  }
  const bool escaped = value.raw().find('\\') != std::string_view::npos;
  FUZZ_CHECK(value.plain_string().has_value() == !escaped);
  if (!escaped) FUZZ_CHECK(*value.plain_string() == decoded);
}

void check_tree(std::string_view text, const jwt::json_value& value, const node& want) {
  FUZZ_CHECK(value.type() == want.type);
  FUZZ_CHECK(value.raw().data() == text.data() + want.begin);
  FUZZ_CHECK(value.raw().size() == want.end - want.begin);
  switch (want.type) {
    case jwt::json_type::string: check_string(value, want.decoded); break;
    case jwt::json_type::number: check_number(value); break;
    case jwt::json_type::boolean: FUZZ_CHECK(*value.boolean() == (text[want.begin] == 't')); break;
    case jwt::json_type::null: FUZZ_CHECK(value.is_null()); break;
    case jwt::json_type::array: {
      const auto array = value.array();
      FUZZ_CHECK(array && array->size() == want.children.size());
      std::size_t k = 0;
      for (const jwt::json_value& element : *array) check_tree(text, element, want.children[k++]);
      FUZZ_CHECK(k == want.children.size());
      break;
    }
    case jwt::json_type::object: {
      const auto object = value.object();
      FUZZ_CHECK(object && object->size() == want.children.size());
      std::size_t k = 0;
      for (const jwt::json_member& member : *object) {
        FUZZ_CHECK(member.name.string_equals(want.names[k]));
        const auto found = object->find(want.names[k]);
        FUZZ_CHECK(found && found->raw().data() == member.value.raw().data());
        check_tree(text, member.value, want.children[k++]);
      }
      FUZZ_CHECK(k == want.children.size());
      FUZZ_CHECK(!object->find("\xFF").has_value());  // no decoded name is ill-formed UTF-8
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t choice = data[0];
  jwt::json_limits limits;
  if ((choice & 0x80) == 0) {  // small limits, to reach each of them
    limits.max_depth = choice & 7u;
    limits.max_members = (choice >> 3) & 7u;
    limits.max_elements = (choice >> 3) & 7u;
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const auto parsed = jwt::parse_json(text, limits);
  reference ref(text, limits);
  node root;
  const bool accepted = ref.parse(root);
  FUZZ_CHECK(parsed.has_value() == accepted);
  if (!accepted) {
    FUZZ_CHECK(parsed.error() == keyward::error(ref.code, ref.offset));
    return 0;
  }
  check_tree(text, *parsed, root);
  const auto object = jwt::parse_json_object(text, limits);
  FUZZ_CHECK(object.has_value() == (root.type == jwt::json_type::object));
  if (!object) {
    FUZZ_CHECK(object.error() == keyward::error(errc::jwt_json_not_object, root.begin));
  }
  return 0;
}
