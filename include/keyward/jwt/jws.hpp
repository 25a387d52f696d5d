// keyward: parsing a compact JWS (RFC 7515 section 7.1), the form of a signed JWT (RFC 7519 section 7.2):
// `BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)`. parse_jws() splits the token,
// decodes its three segments (canonical unpadded base64url only), reads the protected header with the strict
// JSON reader of json.hpp and checks it: "alg" names a known algorithm and never "none", "kid", "typ" and
// "cty" are strings, and "crit" is well formed, which makes it always rejected, since keyward implements no
// extension (RFC 7515 section 4.1.11). It verifies nothing: jwt::verifier checks the signature over
// signing_input, then the claims.
//
// Nothing is copied or allocated for a token up to the default size cap: the decoded parts live in a
// token_buffer the caller owns, and the result holds views into it and into the token.
/// \file
/// Parsing a compact JWS (RFC 7515 section 7.1): parse_jws.
#ifndef KEYWARD_JWT_JWS_HPP
#define KEYWARD_JWT_JWS_HPP

#include "../base64.hpp"
#include "../config.hpp"
#include "../ct.hpp"
#include "../detail/jwt_jws.hpp"
#include "../error.hpp"
#include "algorithm.hpp"
#include "json.hpp"

#include <cstddef>
#include <new>
#include <optional>
#include <string_view>

/// JSON Web Tokens (RFC 7519) in compact JWS form (RFC 7515): parsing, signing, and verification of
/// HS256/384/512 by the book, with a plug-in point for other algorithms.
namespace keyward::jwt {

/// Options of parse_jws().
struct jws_options {
  /// The longest token accepted, in bytes; a longer one fails with jwt_too_large before anything is decoded.
  std::size_t max_size = 8192;
  /// Limits of the JSON reader for the header (and for the claims, which jwt::verifier reads).
  json_limits json;
};

class token_buffer;

}  // namespace keyward::jwt

namespace keyward::detail::jwt_jws {
struct buffer_access;
}  // namespace keyward::detail::jwt_jws

namespace keyward::jwt {

/// Storage for a decoded token: the decoded header, payload and signature, and spare room for the strings of
/// the header and the claims that have to be unescaped. Holds tokens of up to 8 KiB (the default max_size)
/// in its inline_capacity without allocating; a longer token makes parse_jws() allocate a larger block on the
/// heap, kept for later tokens. Not copyable or movable (the views of a jws_view point into it). The bytes it
/// held are wiped on destruction (ct::secure_zero). Each parse_jws() reuses it from the start, ending the
/// life of the views of the previous one.
class token_buffer {
 public:
  /// Bytes held without allocating: enough for any token of 8192 bytes (its decoded segments, at most 3/4 of
  /// its size, plus as much again for unescaped strings).
  static constexpr std::size_t inline_capacity = 12288;

  /// An empty buffer using its inline storage.
  token_buffer() noexcept = default;
  token_buffer(const token_buffer&) = delete;
  token_buffer& operator=(const token_buffer&) = delete;
  /// Wipes the bytes it held and frees its heap block, if any.
  ~token_buffer() { release(); }

  /// Takes `size` more bytes after those in use (by the last parse_jws() and the reserve() calls since) and
  /// returns where they start, or nullptr, taking nothing, when fewer than `size` bytes remain. For readers
  /// of a parsed token that unescape its strings (jwt::check_claims); parse_jws() leaves room for every
  /// string of the header and the payload.
  char* reserve(std::size_t size) noexcept {
    if (size > capacity_ - used_) return nullptr;
    char* const at = data_ + used_;
    used_ += size;
    if (used_ > high_) high_ = used_;
    return at;
  }
  /// Bytes that reserve() can still take.
  std::size_t available() const noexcept { return capacity_ - used_; }

 private:
  friend struct detail::jwt_jws::buffer_access;

  // Starts over with at least `size` bytes of room: false when a larger block is needed and cannot be had.
  bool prepare(std::size_t size) noexcept {
    used_ = 0;
    if (size <= capacity_) return true;
    char* const bigger = new (std::nothrow) char[size];
    if (bigger == nullptr) return false;
    release();
    data_ = bigger;
    capacity_ = size;
    return true;
  }
  // Wipes what the storage held and frees a heap block.
  void release() noexcept {
    ct::secure_zero(data_, high_);
    high_ = 0;
    if (data_ != inline_) delete[] data_;
  }

  char* data_ = inline_;
  std::size_t capacity_ = inline_capacity;
  std::size_t used_ = 0;
  std::size_t high_ = 0;  // the most bytes of data_ ever in use: what release() wipes
  char inline_[inline_capacity];
};

/// A compact JWS split, decoded and its header checked by parse_jws(), NOT yet verified. The views point into
/// the token and into the token_buffer, which must both outlive them.
struct jws_view {
  algorithm alg;                    ///< the "alg" header parameter (RFC 7515 section 4.1.1)
  std::string_view kid;             ///< the "kid" header parameter, decoded; empty when absent (section 4.1.4)
  std::string_view typ;             ///< the "typ" header parameter, decoded; empty when absent (section 4.1.9)
  json_object header;               ///< the whole protected header (section 4), for other parameters
  std::string_view payload;         ///< the decoded payload bytes (for a JWT, the claims JSON)
  std::string_view signature;       ///< the decoded signature bytes
  std::string_view signing_input;   ///< the exact received ASCII `header.payload` (RFC 7515 section 5.2 step 8)
};

}  // namespace keyward::jwt

namespace keyward::detail::jwt_jws {

/// parse_jws()'s access to token_buffer::prepare(), which users do not call.
struct buffer_access {
  /// token_buffer::prepare(size): starts over with room for at least `size` bytes; false when it cannot.
  static bool prepare(::keyward::jwt::token_buffer& buffer, std::size_t size) noexcept {
    return buffer.prepare(size);
  }
};

/// Decodes the segment `text`, which starts at `begin` in the token, into `buffer`: its bytes, or
/// jwt_invalid_base64 at the offset in the token of the first character that is not canonical unpadded
/// base64url (RFC 7515 section 2).
inline result<std::string_view> decode_segment(std::string_view text, std::size_t begin,
                                               ::keyward::jwt::token_buffer& buffer) noexcept {
  const std::size_t size = ::keyward::base64::max_decoded_size(text.size());
  char* const at = buffer.reserve(size);
  const result<std::size_t> decoded = ::keyward::base64::write_decoded(text, at, size, ::keyward::base64::url);
  if (KEYWARD_LIKELY(decoded.has_value())) return std::string_view(at, *decoded);
  const keyward::error failure = decoded.error();
  return keyward::error(errc::jwt_invalid_base64, begin + (failure.has_offset() ? failure.offset() : 0));
}

}  // namespace keyward::detail::jwt_jws

namespace keyward::jwt {

/// Parses the compact JWS `token` (RFC 7515 section 7.1) into `buffer`, in this order:
/// - jwt_too_large when it is longer than options.max_size (before anything else is read);
/// - jwt_encrypted for five segments (a JWE, RFC 7516 section 7.1), jwt_malformed unless exactly three;
/// - jwt_invalid_base64 for a segment that is not canonical unpadded base64url (RFC 7515 section 2: no '=',
///   no '+' or '/', no whitespace, no set unused bits); an empty payload or signature is allowed here;
/// - the errors of parse_json_object() for the decoded header, read with options.json (RFC 7515 section
///   4: a JSON object; duplicate names rejected, as section 4 allows);
/// - jwt_missing_algorithm when "alg" is absent or not a string, jwt_algorithm_none for "none" (in any
///   casing: RFC 8725 section 3.2), jwt_unknown_algorithm for a name algorithm_from_name() does not know;
/// - jwt_invalid_header when "kid", "typ" or "cty" is not a string (sections 4.1.4, 4.1.9, 4.1.10);
/// - jwt_invalid_crit for a "crit" that is not a non-empty array of distinct names, each present in the
///   header and none defined by RFC 7515; then jwt_unsupported_crit for any "crit" (section 4.1.11: keyward
///   implements no extension);
/// - jwt_invalid_header for a "b64" (RFC 7797 section 3) other than true: unencoded payloads are unsupported;
/// - buffer_too_small when a token longer than 8 KiB needs a heap block that cannot be allocated.
/// Errors carry the offset in the token where one applies: of the offending character, dot or segment;
/// for a JSON error or a header value, of the first base64url character carrying bits of the offending
/// decoded byte. Other header parameters are ignored. Allocates nothing for a token of up to 8192 bytes.
/// The result views `token` and `buffer`.
inline result<jws_view> parse_jws(std::string_view token, token_buffer& buffer,
                                  const jws_options& options = {}) noexcept {
  namespace impl = ::keyward::detail::jwt_jws;
  if (token.size() > options.max_size) return errc::jwt_too_large;
  const result<impl::segments> dots = impl::split(token);
  if (!dots) return dots.error();
  const std::size_t payload_begin = dots->first_dot + 1;
  const std::size_t signature_begin = dots->second_dot + 1;
  const std::string_view header_text = token.substr(0, dots->first_dot);
  const std::string_view payload_text = token.substr(payload_begin, dots->second_dot - payload_begin);
  const std::string_view signature_text = token.substr(signature_begin);
  if (!impl::buffer_access::prepare(buffer, impl::buffer_size(base64::max_decoded_size(header_text.size()),
                                                              base64::max_decoded_size(payload_text.size()),
                                                              base64::max_decoded_size(signature_text.size())))) {
    return errc::buffer_too_small;
  }
  const result<std::string_view> header_json = impl::decode_segment(header_text, 0, buffer);
  if (!header_json) return header_json.error();
  const result<std::string_view> payload = impl::decode_segment(payload_text, payload_begin, buffer);
  if (!payload) return payload.error();
  const result<std::string_view> signature = impl::decode_segment(signature_text, signature_begin, buffer);
  if (!signature) return signature.error();

  const auto in_token = [&](const keyward::error& failure) noexcept {
    if (!failure.has_offset()) return failure;
    return keyward::error(failure.code(), impl::token_offset(0, header_text.size(), failure.offset()));
  };
  const result<json_object> header = parse_json_object(*header_json, options.json);
  if (!header) return in_token(header.error());

  const impl::parameters<json_value> found = impl::find_parameters<json_value>(*header);
  const impl::header_reader<json_value, json_object, token_buffer> reader(*header_json, buffer);
  const result<std::string_view> alg_name = reader.algorithm_name(found.alg);
  if (!alg_name) return in_token(alg_name.error());
  const std::optional<algorithm> algo = algorithm_from_name(*alg_name);
  if (!algo) return in_token(reader.at(errc::jwt_unknown_algorithm, *found.alg));
  const result<std::string_view> kid_text = reader.optional_string(found.kid);
  if (!kid_text) return in_token(kid_text.error());
  const result<std::string_view> typ_text = reader.optional_string(found.typ);
  if (!typ_text) return in_token(typ_text.error());
  if (const result<std::string_view> cty_text = reader.optional_string(found.cty); !cty_text) {
    return in_token(cty_text.error());
  }
  if (found.crit) {
    const result<void> checked = reader.check_crit(*found.crit, *header);
    if (!checked) return in_token(checked.error());
  }
  if (found.b64 && !found.b64->boolean().value_or(false)) {
    return in_token(reader.at(errc::jwt_invalid_header, *found.b64));
  }
  return jws_view{*algo, *kid_text, *typ_text, *header, *payload, *signature, token.substr(0, dots->second_dot)};
}

}  // namespace keyward::jwt

#endif  // KEYWARD_JWT_JWS_HPP
