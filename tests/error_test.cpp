// Tests for include/keyward/error.hpp: result<T> and result<void> access, error offsets, messages and the
// std::error_code interop.
#define BOOST_TEST_MODULE error
#include <boost/test/unit_test.hpp>

#include <keyward/error.hpp>

#include "support/test_support.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

using keyward::errc;
using keyward::error;
using keyward::result;

namespace {
const errc all_codes[] = {
    errc::buffer_too_small,
    errc::base64_invalid_character,
    errc::base64_invalid_padding,
    errc::base64_missing_padding,
    errc::base64_unexpected_padding,
    errc::base64_invalid_length,
    errc::base64_non_canonical,
    errc::http_empty_value,
    errc::http_invalid_character,
    errc::http_invalid_scheme,
    errc::http_invalid_token68,
    errc::http_invalid_parameter,
    errc::http_invalid_quoted_string,
    errc::http_duplicate_parameter,
    errc::http_too_long,
    errc::http_too_many_parameters,
    errc::http_unexpected_data,
    errc::http_wrong_scheme,
    errc::http_missing_token,
    errc::http_too_many_challenges,
    errc::http_invalid_parameter_value,
    errc::http_invalid_date,
    errc::basic_missing_colon,
    errc::basic_control_character,
    errc::basic_invalid_utf8,
    errc::basic_colon_in_user,
    errc::bearer_invalid_token,
    errc::random_unavailable,
    errc::crypto_mac_mismatch,
    errc::crypto_invalid_mac_length,
    errc::crypto_invalid_truncation,
    errc::key_unknown_prefix,
    errc::key_invalid_length,
    errc::key_invalid_character,
    errc::key_checksum_mismatch,
    errc::key_invalid_format,
    errc::key_invalid_digest,
    errc::key_unknown_pepper,
    errc::key_invalid_pepper,
    errc::key_env_missing,
    errc::key_env_empty,
    errc::key_env_whitespace,
    errc::key_env_placeholder,
    errc::key_wrong_environment,
    errc::key_wrong_kind,
    errc::key_not_found,
    errc::key_duplicate_id,
    errc::key_rotation_refused,
    errc::key_invalid_options,
    errc::key_invalid_scope,
    errc::key_store_conflict,
    errc::key_invalid_record,
    errc::jwt_too_large,
    errc::jwt_malformed,
    errc::jwt_encrypted,
    errc::jwt_invalid_base64,
    errc::jwt_json_syntax,
    errc::jwt_json_invalid_utf8,
    errc::jwt_json_too_deep,
    errc::jwt_json_too_many_members,
    errc::jwt_json_duplicate_member,
    errc::jwt_json_not_object,
    errc::jwt_json_wrong_type,
    errc::jwt_json_number_out_of_range,
    errc::jwt_invalid_header,
    errc::jwt_invalid_claim,
    errc::jwt_invalid_crit,
    errc::jwt_unsupported_crit,
    errc::jwt_missing_algorithm,
    errc::jwt_algorithm_none,
    errc::jwt_unknown_algorithm,
    errc::jwt_algorithm_not_allowed,
    errc::jwt_unknown_key,
    errc::jwt_invalid_signature_length,
    errc::jwt_invalid_signature,
    errc::jwt_key_too_short,
    errc::jwt_invalid_options,
    errc::jwt_missing_claim,
    errc::jwt_invalid_numeric_date,
    errc::jwt_expired,
    errc::jwt_not_yet_valid,
    errc::jwt_issued_in_future,
    errc::jwt_wrong_issuer,
    errc::jwt_wrong_audience,
    errc::jwt_wrong_subject,
    errc::jwt_wrong_type,
    errc::webhook_missing_header,
    errc::webhook_invalid_id,
    errc::webhook_invalid_timestamp,
    errc::webhook_timestamp_too_old,
    errc::webhook_timestamp_too_new,
    errc::webhook_invalid_signature_header,
    errc::webhook_too_many_signatures,
    errc::webhook_no_signature,
    errc::webhook_signature_mismatch,
    errc::webhook_invalid_secret,
    errc::webhook_invalid_options,
    errc::webhook_replayed,
    errc::rate_invalid_quota,
    errc::rate_capacity_exhausted,
    errc::rate_invalid_capacity,
    errc::rate_header_empty,
    errc::rate_header_invalid_integer,
    errc::rate_header_integer_overflow,
    errc::rate_header_invalid_list,
    errc::rate_header_invalid_string,
    errc::rate_header_value_out_of_range,
    errc::redis_unavailable,
    errc::redis_timeout,
    errc::redis_protocol,
    errc::redis_error_reply,
    errc::redis_unsupported_quota,
    errc::redis_invalid_options,
    errc::redis_unsupported_time,
    errc::http_invalid_retry_after,
    errc::retry_invalid_backoff,
};

result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return error(errc::base64_invalid_character, 0);
  return c - '0';
}
}  // namespace

BOOST_AUTO_TEST_CASE(result_holds_a_value) {
  const result<int> r = parse_digit('7');
  BOOST_TEST(r.has_value());
  BOOST_TEST(static_cast<bool>(r));
  BOOST_TEST(r.value() == 7);
  BOOST_TEST(*r == 7);
  BOOST_TEST(r.value_or(-1) == 7);
}

BOOST_AUTO_TEST_CASE(result_holds_an_error) {
  const result<int> r = parse_digit('x');
  BOOST_TEST(!r.has_value());
  BOOST_TEST(!r);
  BOOST_TEST(r.error() == errc::base64_invalid_character);
  BOOST_TEST(r.error().offset() == 0u);
  BOOST_TEST(r.value_or(-1) == -1);
}

BOOST_AUTO_TEST_CASE(result_of_move_only_and_class_types) {
  result<std::unique_ptr<int>> owned = std::make_unique<int>(5);
  BOOST_TEST(**owned == 5);
  std::unique_ptr<int> taken = std::move(owned).value();
  BOOST_TEST(*taken == 5);
  const result<std::string> text = std::string("abc");
  BOOST_TEST(text->size() == 3u);
  const result<std::string> failed = errc::buffer_too_small;
  BOOST_TEST(failed.value_or("fallback") == "fallback");
  BOOST_TEST(!failed.error().has_offset());
}

namespace {
/// Counts its copies and moves.
struct counted {
  explicit counted(int v) : value(v) {}
  counted(const counted& other) : value(other.value), copies(other.copies + 1), moves(other.moves) {}
  counted(counted&& other) noexcept : value(other.value), copies(other.copies), moves(other.moves + 1) {}
  int value;
  int copies = 0;
  int moves = 0;
};
}  // namespace

BOOST_AUTO_TEST_CASE(result_made_in_place) {
  const result<counted> made(std::in_place, 7);
  BOOST_TEST(made->value == 7);
  BOOST_TEST(made->copies == 0);
  BOOST_TEST(made->moves == 0);
  const result<counted> converted = counted(7);  // the converting constructor moves the value in
  BOOST_TEST(converted->moves == 1);
  const result<std::string> repeated(std::in_place, 3u, 'x');
  BOOST_TEST(*repeated == "xxx");
  constexpr result<std::pair<int, int>> pair(std::in_place, 1, 2);
  static_assert(pair->first == 1 && pair->second == 2);
}

BOOST_AUTO_TEST_CASE(result_void) {
  const result<void> ok;
  BOOST_TEST(ok.has_value());
  ok.value();
  const result<void> failed = error(errc::base64_invalid_length, 9);
  BOOST_TEST(!failed);
  BOOST_TEST(failed.error() == error(errc::base64_invalid_length, 9));
  BOOST_TEST(failed.error() != error(errc::base64_invalid_length, 8));
}

BOOST_AUTO_TEST_CASE(constexpr_use) {
  constexpr result<int> r = 3;
  static_assert(r.has_value() && r.value() == 3);
  constexpr result<int> e = errc::buffer_too_small;
  static_assert(!e.has_value() && e.error().code() == errc::buffer_too_small);
  static_assert(!error(errc::buffer_too_small).has_offset());
  static_assert(error(errc::buffer_too_small, 4).offset() == 4);
}

BOOST_AUTO_TEST_CASE(messages_are_distinct_and_known) {
  static_assert(std::is_same_v<decltype(keyward::to_string(errc::buffer_too_small)), const char*>);
  for (const errc a : all_codes) {
    BOOST_TEST(std::strcmp(keyward::to_string(a), "unknown keyward error") != 0);
    for (const errc b : all_codes) {
      if (a != b) BOOST_TEST(std::strcmp(keyward::to_string(a), keyward::to_string(b)) != 0);
    }
  }
  BOOST_TEST(std::strcmp(keyward::to_string(static_cast<errc>(9999)), "unknown keyward error") == 0);
}

BOOST_AUTO_TEST_CASE(std_error_code_interop) {
  const std::error_code ec = errc::base64_invalid_padding;  // through is_error_code_enum
  BOOST_TEST(static_cast<bool>(ec));
  BOOST_TEST(std::string(ec.category().name()) == "keyward");
  BOOST_TEST(ec.message() == keyward::to_string(errc::base64_invalid_padding));
  BOOST_TEST(ec.value() == static_cast<int>(errc::base64_invalid_padding));
  BOOST_TEST((ec == keyward::make_error_code(errc::base64_invalid_padding)));
  BOOST_TEST((ec != keyward::make_error_code(errc::base64_invalid_length)));
  BOOST_TEST((&ec.category() == &keyward::error_category()));
  // Values outside errc's range are unknown, not truncated onto a real code.
  BOOST_TEST(std::error_code(65536 + 100, keyward::error_category()).message() == "unknown keyward error");
  BOOST_TEST(std::error_code(-1, keyward::error_category()).message() == "unknown keyward error");
}
