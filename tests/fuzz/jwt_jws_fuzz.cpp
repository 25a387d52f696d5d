// libFuzzer target for keyward::jwt::parse_jws. The first byte chooses the options (the size cap: default,
// 64 bytes or none; the JSON limits: default or tight) and what the rest is: the token itself, or a header
// JSON text and a payload (split at the first newline) that the target encodes into a token with a fixed
// signature, so that most inputs reach the header checks. Checks: nothing crashes; parse_jws accepts exactly
// when a reference written here from the documented rules accepts (its own splitting and strict base64url
// decoder, the header rules of jws.hpp in order, only the JSON reading shared), with the same error code,
// and an offset inside the token; an accepted token gives back its segments when its decoded parts are
// encoded again (canonical base64url), signing_input is the token up to its second dot, and alg, kid and
// typ are the decoded header members.
#include <keyward/jwt/jws.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace jwt = keyward::jwt;
using keyward::errc;

constexpr char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string reference_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(url_chars[(acc >> bits) & 63]);
    }
    acc &= 0xFF;
  }
  if (bits > 0) out.push_back(url_chars[(acc << (6 - bits)) & 63]);
  return out;
}

// Strict unpadded base64url (RFC 4648 section 5, RFC 7515 section 2): the alphabet only, no length of 1 mod 4,
// and zero unused bits at the end.
std::optional<std::string> reference_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const char* at = c == '\0' ? nullptr : std::char_traits<char>::find(url_chars, 64, c);
    if (at == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(at - url_chars);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
    acc &= 0xFF;
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

struct expected {
  bool accepted = false;
  errc code{};
  jwt::algorithm alg{};
  std::string kid, typ, payload, signature;
  std::vector<std::string_view> segments;
  std::string header;
};

bool is_none_any_case(const std::string& name) {
  if (name.size() != 4) return false;
  std::string lower;
  for (const char c : name) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  return lower == "none";
}

expected reject(errc code) {
  expected e;
  e.code = code;
  return e;
}

// The rules of parse_jws() as its comment lists them, in that order.
expected reference(std::string_view token, const jwt::jws_options& options) {
  if (token.size() > options.max_size) return reject(errc::jwt_too_large);
  expected e;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= token.size(); ++i) {
    if (i == token.size() || token[i] == '.') {
      e.segments.push_back(token.substr(start, i - start));
      start = i + 1;
    }
  }
  if (e.segments.size() == 5) return reject(errc::jwt_encrypted);
  if (e.segments.size() != 3) return reject(errc::jwt_malformed);
  std::optional<std::string> parts[3];
  for (int i = 0; i < 3; ++i) {
    parts[i] = reference_decode(e.segments[static_cast<std::size_t>(i)]);
    if (!parts[i]) return reject(errc::jwt_invalid_base64);
  }
  e.header = *parts[0];
  e.payload = *parts[1];
  e.signature = *parts[2];
  const keyward::result<jwt::json_object> header = jwt::parse_json_object(e.header, options.json);
  if (!header) return reject(header.error().code());
  const std::optional<jwt::json_value> alg = header->find("alg");
  if (!alg || alg->type() != jwt::json_type::string) return reject(errc::jwt_missing_algorithm);
  const std::string alg_name = *alg->string();
  if (is_none_any_case(alg_name)) return reject(errc::jwt_algorithm_none);
  const std::optional<jwt::algorithm> known = jwt::algorithm_from_name(alg_name);
  if (!known) return reject(errc::jwt_unknown_algorithm);
  e.alg = *known;
  std::string* const outputs[] = {&e.kid, &e.typ, nullptr};
  int index = 0;
  for (const char* name : {"kid", "typ", "cty"}) {
    if (const std::optional<jwt::json_value> v = header->find(name)) {
      if (v->type() != jwt::json_type::string) return reject(errc::jwt_invalid_header);
      if (outputs[index] != nullptr) *outputs[index] = *v->string();
    }
    ++index;
  }
  if (const std::optional<jwt::json_value> crit = header->find("crit")) {
    const keyward::result<jwt::json_array> list = crit->array();
    if (!list || list->size() == 0) return reject(errc::jwt_invalid_crit);
    std::vector<std::string> seen;
    for (const jwt::json_value& entry : *list) {
      if (entry.type() != jwt::json_type::string) return reject(errc::jwt_invalid_crit);
      const std::string name = *entry.string();
      for (const char* registered : {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
                                     "crit"}) {
        if (name == registered) return reject(errc::jwt_invalid_crit);
      }
      if (!header->find(name)) return reject(errc::jwt_invalid_crit);
      for (const std::string& earlier : seen) {
        if (earlier == name) return reject(errc::jwt_invalid_crit);
      }
      seen.push_back(name);
    }
    return reject(errc::jwt_unsupported_crit);
  }
  if (const std::optional<jwt::json_value> b64 = header->find("b64")) {
    if (b64->raw() != "true") return reject(errc::jwt_invalid_header);
  }
  e.accepted = true;
  return e;
}

jwt::token_buffer shared_buffer;  // reused across inputs, as a server reuses one

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  jwt::jws_options options;
  if ((mode & 6) == 2) options.max_size = 64;
  if ((mode & 6) == 4) options.max_size = SIZE_MAX;
  if (mode & 8) options.json = jwt::json_limits{3, 4, 4};
  std::string token;
  if (mode & 1) {
    const std::size_t newline = rest.find('\n');
    const std::string_view header = rest.substr(0, newline);
    const std::string_view payload = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    token = reference_encode(header) + "." + reference_encode(payload) + "." + reference_encode(std::string(32, 'S'));
  } else {
    token.assign(rest);
  }

  const keyward::result<jwt::jws_view> parsed = jwt::parse_jws(token, shared_buffer, options);
  const expected want = reference(token, options);
  FUZZ_CHECK(parsed.has_value() == want.accepted);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code() == want.code);
    FUZZ_CHECK(!parsed.error().has_offset() || parsed.error().offset() <= token.size());
    return 0;
  }
  const jwt::jws_view& v = *parsed;
  const std::size_t second_dot = want.segments[0].size() + 1 + want.segments[1].size();
  FUZZ_CHECK(v.signing_input.data() == token.data() && v.signing_input.size() == second_dot);
  FUZZ_CHECK(v.payload == want.payload && v.signature == want.signature);
  FUZZ_CHECK(reference_encode(v.payload) == want.segments[1]);
  FUZZ_CHECK(reference_encode(v.signature) == want.segments[2]);
  // The header object is the decoded header without the whitespace around it.
  const std::size_t first = want.header.find_first_not_of(" \t\r\n");
  const std::size_t last = want.header.find_last_not_of(" \t\r\n");
  FUZZ_CHECK(v.header.raw() == std::string_view(want.header).substr(first, last - first + 1));
  FUZZ_CHECK(reference_encode(want.header) == want.segments[0]);
  FUZZ_CHECK(v.alg == want.alg && v.kid == want.kid && v.typ == want.typ);
  return 0;
}
