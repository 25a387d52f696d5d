// libFuzzer target: WWW-Authenticate parsing and challenge building.
//
// 1. The whole input is parsed as a field value (default limits and tight ones). On success the list is
//    iterated fully and checked: size() agrees with iteration and the ceilings, schemes are tokens, every view
//    lies within the list, a challenge has a token68 or parameters but not both, every value unescapes into a
//    buffer of value_size() bytes, find() finds each scheme, and the input held no forbidden byte. On failure the offset lies within the input. The
//    duplicate-name check is compared with a quadratic reference written here (every name of a challenge
//    against every earlier one): a parsed challenge has no two equal names, and a value refused with
//    http_duplicate_parameter at offset o parses up to o, its last challenge holding an earlier parameter
//    named as the one at o. The input is also parsed with no limits but the ceilings.
// 2. The input also describes a challenge to build: byte 0 = scheme length, byte 1 = realm length, byte 2 =
//    parameter name length, byte 3 bit 0: build a token68 challenge (the realm bytes as token68) instead;
//    then scheme, realm, name, and the rest as the parameter value. The builder must succeed exactly when an
//    independent check of the inputs says they are sendable, and what it builds must parse back to exactly
//    the same scheme and unescaped values, alone and joined with another challenge.
#include <keyward/http/challenge.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = keyward::http;

void require(bool condition) {
  if (!condition) std::abort();
}

// Independent of keyward's tables: RFC 9110 section 5.6.2 tchar, written out.
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// RFC 9110 section 11.2 token68, written out: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_token68(std::string_view text) {
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("-._~+/").find(c) == std::string_view::npos) break;
  }
  if (i == 0) return false;
  while (i < text.size() && text[i] == '=') ++i;
  return i == text.size();
}

// True when `part` is empty or lies within `whole`.
bool within(std::string_view whole, std::string_view part) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool has_ctl(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The quadratic reference: true when two parameters of `challenge` have names equal but for ASCII case.
bool has_duplicate_reference(const http::challenge& challenge) {
  std::vector<std::string_view> names;
  for (const http::auth_param& param : challenge.params) names.push_back(param.name());
  for (std::size_t k = 0; k < names.size(); ++k) {
    for (std::size_t earlier = 0; earlier < k; ++earlier) {
      if (ascii_iequal(names[k], names[earlier])) return true;
    }
  }
  return false;
}

// `value` was refused with http_duplicate_parameter at `offset`: everything before the offset parses (no
// earlier error), and the last challenge there has a parameter named as the token at `offset`.
void check_duplicate(std::string_view value, std::size_t offset, const http::limits& limit) {
  std::size_t name_end = offset;
  while (name_end < value.size() && is_token(value.substr(name_end, 1))) ++name_end;
  const std::string_view name = value.substr(offset, name_end - offset);
  require(!name.empty());
  const auto before = http::parse_challenges(value.substr(0, offset), limit);
  require(before.has_value());
  const http::challenge* last = nullptr;
  http::challenge current;
  for (const http::challenge& challenge : *before) {
    current = challenge;
    last = &current;
  }
  require(last != nullptr);
  bool found = false;
  for (const http::auth_param& param : last->params) found = found || ascii_iequal(param.name(), name);
  require(found);
}

void check_parse(std::string_view value, const http::limits& limit) {
  const auto parsed = http::parse_challenges(value, limit);
  if (!parsed) {
    const keyward::error failure = parsed.error();
    if (failure.code() == keyward::errc::http_duplicate_parameter) check_duplicate(value, failure.offset(), limit);
    if (failure.code() == keyward::errc::http_too_long) {
      require(value.size() > limit.max_length && failure.offset() == limit.max_length);
    } else if (failure.has_offset()) {
      require(failure.offset() <= value.size());
    } else {
      require(failure.code() == keyward::errc::http_empty_value);
    }
    return;
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    require(byte == '\t' || (byte >= 0x20 && byte != 0x7F));
  }
  char buffer[256];
  std::size_t count = 0;
  for (const http::challenge& challenge : *parsed) {
    ++count;
    require(is_token(challenge.scheme));
    require(within(parsed->text(), challenge.scheme) && within(parsed->text(), challenge.token68) &&
            within(parsed->text(), challenge.params.text()));
    require(challenge.token68.empty() || challenge.params.empty());
    require(challenge.token68.empty() || is_token68(challenge.token68));
    const auto found = parsed->find(challenge.scheme);
    require(found.has_value() && ascii_iequal(found->scheme, challenge.scheme));
    std::size_t params = 0;
    for (const http::auth_param& param : challenge.params) {
      ++params;
      require(is_token(param.name()));
      const std::size_t size = param.value_size();
      const auto written = param.value(buffer, sizeof buffer);
      require(size > sizeof buffer ? !written.has_value() : written.has_value() && *written == size);
      require(param.value().size() == size);
      require(challenge.params.find(param.name()).has_value());
    }
    require(params == challenge.params.size());
    require(params <= limit.max_parameters && params <= http::limits::max_parameters_ceiling);
    require(!has_duplicate_reference(challenge));
  }
  require(count == parsed->size() && count >= 1 && count <= limit.max_challenges &&
          count <= http::limits::max_challenges_ceiling);
}

// The one challenge in `text` has `scheme` and, unescaped, the given values (or the token68).
void check_round_trip(std::string_view text, std::string_view scheme, std::string_view realm_or_token68,
                      bool token68, std::string_view name, std::string_view value) {
  http::limits unbounded;
  unbounded.max_length = static_cast<std::size_t>(-1);
  const auto parsed = http::parse_challenges(text, unbounded);
  require(parsed.has_value() && parsed->size() == 1);
  const http::challenge challenge = *parsed->begin();
  require(challenge.scheme == scheme);
  if (token68) {
    require(challenge.token68 == realm_or_token68 && challenge.params.empty());
    return;
  }
  require(challenge.token68.empty() && challenge.params.size() == 2);
  auto param = challenge.params.begin();
  require(param->name() == "realm" && param->value() == realm_or_token68);
  ++param;
  require(param->name() == name && param->value() == value);
}

void check_build(std::string_view scheme, std::string_view realm, std::string_view name, std::string_view value,
                 bool token68) {
  auto made = http::challenge_builder::make(scheme);
  require(made.has_value() == is_token(scheme));
  if (!made) return;
  if (token68) {
    const auto built = made->token68(realm).str();
    require(built.has_value() == is_token68(realm));
    if (built) check_round_trip(*built, scheme, realm, true, name, value);
    return;
  }
  const auto built = made->realm(realm).param(name, value).str();
  const bool sendable = !has_ctl(realm) && is_token(name) && !ascii_iequal(name, "realm") && !has_ctl(value);
  require(built.has_value() == sendable);
  // size() and write() agree with str(), and write() needs exactly size() bytes.
  std::vector<char> out(made->size() + 1, '#');
  const auto written = made->write(out.data(), out.size());
  require(written.has_value() == sendable);
  if (!built) return;
  require(made->size() == built->size() && *written == built->size() &&
          std::string_view(out.data(), *written) == *built && out[*written] == '#');
  require(made->write(out.data(), built->size() - 1).error() == keyward::errc::buffer_too_small);
  check_round_trip(*built, scheme, realm, false, name, value);

  const auto joined = http::challenges({*built, "Basic", *built});
  require(joined.has_value() && joined->size() == http::challenges_size({*built, "Basic", *built}));
  std::vector<char> room(joined->size());
  const auto joined_size = http::write_challenges({*built, "Basic", *built}, room.data(), room.size());
  require(joined_size.has_value() && std::string_view(room.data(), *joined_size) == *joined);
  http::limits unbounded;
  unbounded.max_length = static_cast<std::size_t>(-1);
  const auto parsed = http::parse_challenges(*joined, unbounded);
  require(parsed.has_value() && parsed->size() == 3);
  auto second = parsed->begin();
  ++second;
  require(second->scheme == "Basic" && second->params.empty() && second->token68.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_parse(input, http::limits{});
  http::limits tight;
  tight.max_length = 64;
  tight.max_parameters = 2;
  tight.max_challenges = 2;
  check_parse(input, tight);
  http::limits raised;
  raised.max_length = static_cast<std::size_t>(-1);
  raised.max_parameters = static_cast<std::size_t>(-1);
  raised.max_challenges = static_cast<std::size_t>(-1);
  check_parse(input, raised);

  constexpr std::size_t header = 4;
  if (size < header) return 0;
  const std::size_t scheme_size = data[0];
  const std::size_t realm_size = data[1];
  const std::size_t name_size = data[2];
  const bool token68 = (data[3] & 1u) != 0;
  if (size < header + scheme_size + realm_size + name_size) return 0;
  const std::string_view rest = input.substr(header);
  check_build(rest.substr(0, scheme_size), rest.substr(scheme_size, realm_size),
              rest.substr(scheme_size + realm_size, name_size), rest.substr(scheme_size + realm_size + name_size),
              token68);
  return 0;
}
