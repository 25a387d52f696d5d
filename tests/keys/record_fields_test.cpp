// Tests for include/keyward/keys/record_fields.hpp: a key_record as (field, value) text pairs and back. The
// expected texts are written by hand from the format at the top of the header (each derivation beside it);
// every malformed input is refused with errc::key_invalid_record and the index of the pair at fault.
#define BOOST_TEST_MODULE keys_record_fields
#include <boost/test/unit_test.hpp>

#include <keyward/keys/record_fields.hpp>

#include "support/count_allocations.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keys = keyward::keys;
using keyward::errc;
using keyward::error;

namespace {

// The 32 bytes 0, 1, ..., 31 in base64url without padding (Python:
// base64.urlsafe_b64encode(bytes(range(32))).rstrip(b'=')).
constexpr std::string_view digest_text = "hmac-sha256:v3:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

// 2026-12-04T12:00:00Z is 1796385600 s after 1970 (Python: datetime(2026,12,4,12,tzinfo=timezone.utc)
// .timestamp()); in nanoseconds, the same followed by nine zeros.
const std::chrono::system_clock::time_point t0{std::chrono::seconds(1796385600)};

keys::key_record full_record() {
  keys::key_record r;
  r.id = *keys::key_id::make("Ab3dEf6hIj9k");
  r.digest = *keys::parse_digest_text(digest_text);
  r.kind = keys::key_kind::restricted;
  r.environment = keys::key_environment::test;
  r.status = keys::key_status::disabled;
  r.scopes = keys::scope_set::from_bits(0x8000000000000005u);  // 9223372036854775813
  r.not_before = t0;
  r.expires_at = t0 + std::chrono::hours(1);  // 1796389200 s
  r.limit = keyward::rate::quota{100, std::chrono::seconds(60), 10};
  r.credits = keys::credit_plan{5000, keys::credit_refill::monthly};
  r.credit_balance = *keys::key_id::make("000000000042");
  r.last_used.record(t0 - std::chrono::seconds(1));  // 1796385599
  r.prefix = "tk_test_";
  r.owner = "acct_1";
  r.metadata = std::string("{\"plan\":\"pro\"}\0\xff", 16);  // any bytes, a NUL and a non-UTF-8 byte included
  return r;
}

// The fields of full_record() at revision 7, by hand.
std::vector<std::pair<std::string, std::string>> full_fields() {
  return {{"format", "1"},
          {"id", "Ab3dEf6hIj9k"},
          {"revision", "7"},
          {"digest", std::string(digest_text)},
          {"kind", "restricted"},
          {"environment", "test"},
          {"status", "disabled"},
          {"scopes", "9223372036854775813"},
          {"not_before", "1796385600000000000"},
          {"expires_at", "1796389200000000000"},
          {"limit_count", "100"},
          {"limit_period", "60000000000"},
          {"limit_burst", "10"},
          {"credit_allowance", "5000"},
          {"credit_refill", "monthly"},
          {"credit_balance", "000000000042"},
          {"last_used", "1796385599"},
          {"prefix", "tk_test_"},
          {"owner", "acct_1"},
          {"metadata", std::string("{\"plan\":\"pro\"}\0\xff", 16)}};
}

std::vector<keys::record_field> views(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<keys::record_field> out;
  for (const auto& f : fields) out.push_back({f.first, f.second});
  return out;
}

keyward::result<keys::stored_record> parse(const std::vector<std::pair<std::string, std::string>>& fields) {
  const std::vector<keys::record_field> v = views(fields);
  return keys::parse_record_fields(v.data(), v.size());
}

bool same(const keys::key_record& a, const keys::key_record& b) {
  return a.id == b.id && a.digest.algorithm == b.digest.algorithm &&
         a.digest.pepper_version == b.digest.pepper_version && a.digest.bytes == b.digest.bytes &&
         a.kind == b.kind && a.environment == b.environment && a.status == b.status && a.scopes == b.scopes &&
         a.not_before == b.not_before && a.expires_at == b.expires_at && a.limit == b.limit &&
         a.credits == b.credits && a.credit_balance == b.credit_balance &&
         a.last_used.time() == b.last_used.time() && a.prefix == b.prefix && a.owner == b.owner &&
         a.metadata == b.metadata;
}

std::vector<std::pair<std::string, std::string>> encode(const keys::key_record& r, std::uint64_t revision) {
  const auto encoded = keys::encoded_record::make(r, revision);
  BOOST_TEST_REQUIRE(encoded.has_value());
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < encoded->size(); ++i) {
    out.emplace_back(std::string((*encoded)[i].name), std::string((*encoded)[i].value));
  }
  return out;
}

// A copy of `fields` with the value of `name` replaced by `value`.
std::vector<std::pair<std::string, std::string>> with(std::vector<std::pair<std::string, std::string>> fields,
                                                      std::string_view name, std::string value) {
  for (auto& f : fields) {
    if (f.first == name) f.second = std::move(value);
  }
  return fields;
}

// A copy of `fields` without `name`.
std::vector<std::pair<std::string, std::string>> without(std::vector<std::pair<std::string, std::string>> fields,
                                                         std::string_view name) {
  fields.erase(std::remove_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; }),
               fields.end());
  return fields;
}

std::size_t index_of(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view name) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].first == name) return i;
  }
  return fields.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(field_names_are_the_documented_ones) {
  BOOST_TEST(keys::record_field_count == 20u);
  BOOST_TEST(keys::field_name(keys::record_field_name::format) == "format");
  BOOST_TEST(keys::field_name(keys::record_field_name::revision) == "revision");
  BOOST_TEST(keys::field_name(keys::record_field_name::metadata) == "metadata");
  BOOST_TEST(keys::field_name(static_cast<keys::record_field_name>(20)).empty());
  const auto expected = full_fields();
  for (std::size_t i = 0; i < keys::record_field_count; ++i) {
    BOOST_TEST(keys::field_name(static_cast<keys::record_field_name>(i)) == expected[i].first);
  }
}

BOOST_AUTO_TEST_CASE(a_full_record_encodes_to_the_hand_written_fields) {
  const keys::key_record r = full_record();
  BOOST_TEST((encode(r, 7) == full_fields()));
}

BOOST_AUTO_TEST_CASE(a_minimal_record_has_the_required_fields_only) {
  keys::key_record r;  // id "000000000000", an all-zero HMAC digest of version 0, no optional value
  const auto fields = encode(r, 0);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"format", "1"},
      {"id", "000000000000"},
      {"revision", "0"},
      // 32 zero bytes: 43 'A' in base64url.
      {"digest", "hmac-sha256:v0:" + std::string(43, 'A')},
      {"kind", "secret"},
      {"environment", "live"},
      {"status", "active"},
      {"scopes", "0"},
      {"prefix", ""},
      {"owner", ""},
      {"metadata", ""}};
  BOOST_TEST((fields == expected));
  const auto back = parse(fields);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(same(back->record, r));
  BOOST_TEST(!back->record.last_used.time().has_value());
}

BOOST_AUTO_TEST_CASE(records_round_trip_in_any_field_order) {
  const keys::key_record r = full_record();
  auto fields = encode(r, 18446744073709551615u);
  BOOST_TEST(fields[2].second == "18446744073709551615");  // 2^64 - 1
  auto back = parse(fields);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(same(back->record, r));
  BOOST_TEST(back->revision == 18446744073709551615u);
  std::reverse(fields.begin(), fields.end());
  back = parse(fields);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(same(back->record, r));
  std::rotate(fields.begin(), fields.begin() + 7, fields.end());
  back = parse(fields);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(same(back->record, r));
}

BOOST_AUTO_TEST_CASE(times_before_1970_and_sha256_digests_round_trip) {
  keys::key_record r = full_record();
  r.not_before = std::chrono::system_clock::time_point(std::chrono::seconds(-86400));  // 1969-12-31
  r.expires_at.reset();
  r.last_used = keys::last_use();
  r.last_used.record(std::chrono::system_clock::time_point(std::chrono::seconds(-1)));
  r.digest = keys::sha256_digest("tk_test_something");
  r.kind = keys::key_kind::webhook_secret;
  r.environment = keys::key_environment::unspecified;
  r.status = keys::key_status::revoked;
  r.credits = keys::credit_plan{0, keys::credit_refill::never};
  r.credit_balance.reset();
  r.limit.reset();
  const auto fields = encode(r, 1);
  BOOST_TEST(fields[index_of(fields, "not_before")].second == "-86400000000000");
  BOOST_TEST(fields[index_of(fields, "last_used")].second == "-1");
  BOOST_TEST(fields[index_of(fields, "kind")].second == "webhook_secret");
  BOOST_TEST(fields[index_of(fields, "environment")].second == "unspecified");
  BOOST_TEST(fields[index_of(fields, "status")].second == "revoked");
  BOOST_TEST(fields[index_of(fields, "credit_allowance")].second == "0");
  BOOST_TEST(fields[index_of(fields, "credit_refill")].second == "never");
  BOOST_TEST(fields[index_of(fields, "digest")].second.substr(0, 7) == "sha256:");
  BOOST_TEST(index_of(fields, "expires_at") == fields.size());
  BOOST_TEST(index_of(fields, "limit_count") == fields.size());
  BOOST_TEST(index_of(fields, "credit_balance") == fields.size());
  const auto back = parse(fields);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(same(back->record, r));
}

BOOST_AUTO_TEST_CASE(every_enum_text_parses) {
  const auto base = full_fields();
  const std::pair<std::string_view, std::string_view> texts[] = {
      {"kind", "secret"},        {"kind", "publishable"},    {"kind", "restricted"}, {"kind", "webhook_secret"},
      {"kind", "custom"},        {"environment", "live"},    {"environment", "test"},
      {"environment", "unspecified"}, {"status", "active"},  {"status", "disabled"}, {"status", "revoked"},
      {"credit_refill", "never"}, {"credit_refill", "daily"}, {"credit_refill", "monthly"}};
  for (const auto& [name, text] : texts) {
    const auto fields = with(base, name, std::string(text));
    const auto back = parse(fields);
    BOOST_TEST_REQUIRE(back.has_value());
    // Written back, the same text.
    BOOST_TEST(encode(back->record, 7)[index_of(fields, name)].second == text);
  }
}

BOOST_AUTO_TEST_CASE(malformed_values_are_refused_at_their_index) {
  const auto base = full_fields();
  const std::pair<std::string_view, std::string_view> bad[] = {
      {"format", "2"},  {"format", "01"},  {"format", ""},  {"format", "v1"},
      {"id", "Ab3dEf6hIj9"},  {"id", "Ab3dEf6hIj9_"},  {"revision", "-1"},  {"revision", "18446744073709551616"},
      {"revision", "007"},  {"revision", "+7"},  {"revision", " 7"},  {"revision", "7 "},
      {"digest", "hmac-sha256:v3:"},  {"digest", "sha1:AAAA"},  {"digest", "HMAC-SHA256:v3:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
      {"kind", "Secret"},  {"kind", "0"},  {"kind", ""},  {"environment", "prod"},  {"status", "deleted"},
      {"scopes", "18446744073709551616"},  {"scopes", "-0"},  {"scopes", "0x5"},
      {"not_before", "-0"},  {"not_before", "-9223372036854775808"},  {"not_before", "9223372036854775808"},
      {"not_before", "1.5"},  {"expires_at", ""},  {"expires_at", "--1"},
      {"limit_count", "0"},  {"limit_period", "0"},  {"limit_period", "9223372036854775808"},  {"limit_burst", "0"},
      {"limit_burst", "-1"},  {"credit_allowance", "-1"},  {"credit_allowance", "1e3"},  {"credit_refill", "weekly"},
      {"credit_balance", "short"},  {"last_used", "-9223372036854775808"},  {"last_used", "01"},
  };
  for (const auto& [name, text] : bad) {
    const auto fields = with(base, name, std::string(text));
    const auto parsed = parse(fields);
    BOOST_TEST_INFO(std::string(name) + " = " + std::string(text));
    BOOST_TEST_REQUIRE(!parsed.has_value());
    BOOST_TEST(parsed.error() == error(errc::key_invalid_record, index_of(fields, name)));
  }
  // The extremes that are allowed.
  BOOST_TEST(parse(with(base, "not_before", "-9223372036854775807")).has_value());
  BOOST_TEST(parse(with(base, "not_before", "9223372036854775807")).has_value());
  BOOST_TEST(parse(with(base, "limit_period", "9223372036854775807")).has_value());
  BOOST_TEST(parse(with(base, "scopes", "18446744073709551615")).has_value());
  BOOST_TEST(parse(with(base, "not_before", "0")).has_value());
}

BOOST_AUTO_TEST_CASE(unknown_and_repeated_fields_are_refused) {
  auto fields = full_fields();
  fields.insert(fields.begin() + 3, {"Owner", "x"});  // names are case-sensitive
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 3));
  fields = full_fields();
  fields.push_back({"owner", "acct_1"});
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 20));
  fields = full_fields();
  fields.push_back({"", ""});
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 20));
  fields = full_fields();
  fields.insert(fields.begin(), {"revision ", "1"});
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 0));
}

BOOST_AUTO_TEST_CASE(missing_required_fields_and_partial_groups_are_refused) {
  const auto base = full_fields();
  for (const std::string_view name : {"format", "id", "revision", "digest", "kind", "environment", "status",
                                      "scopes", "prefix", "owner", "metadata"}) {
    const auto fields = without(base, name);
    BOOST_TEST_INFO(std::string(name));
    BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, fields.size()));  // one past the end
  }
  // Optional fields may go, groups whole.
  for (const std::string_view name : {"not_before", "expires_at", "credit_balance", "last_used"}) {
    BOOST_TEST(parse(without(base, name)).has_value());
  }
  BOOST_TEST(parse(without(without(without(base, "limit_count"), "limit_period"), "limit_burst")).has_value());
  BOOST_TEST(parse(without(without(base, "credit_allowance"), "credit_refill")).has_value());
  // A group in part: the index of its first field present.
  auto fields = without(base, "limit_period");  // limit_count at 10, limit_burst at 11
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 10));
  fields = without(base, "limit_count");  // limit_period at 10
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 10));
  fields = without(without(base, "limit_count"), "limit_period");  // limit_burst at 10
  std::swap(fields[0], fields[10]);  // limit_burst first
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 0));
  fields = without(base, "credit_allowance");  // credit_refill at 13
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 13));
  fields = without(base, "credit_refill");  // credit_allowance at 13
  BOOST_TEST(parse(fields).error() == error(errc::key_invalid_record, 13));
  // Nothing at all.
  BOOST_TEST(keys::parse_record_fields(nullptr, 0).error() == error(errc::key_invalid_record, 0));
}

BOOST_AUTO_TEST_CASE(records_the_format_cannot_hold_are_refused_by_the_writers) {
  keys::key_record r = full_record();
  r.kind = static_cast<keys::key_kind>(9);
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  BOOST_TEST(keys::record_field_value(r, keys::record_field_name::kind, 1).error() == errc::key_invalid_record);
  BOOST_TEST(keys::record_field_size(r, keys::record_field_name::kind, 1) == 0u);
  r = full_record();
  r.limit->burst = 0;
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  r = full_record();
  r.digest.algorithm = static_cast<keys::digest_algorithm>(5);
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  r = full_record();
  r.credits->refill = static_cast<keys::credit_refill>(3);
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  r = full_record();
  r.status = static_cast<keys::key_status>(3);
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  r = full_record();
  r.environment = static_cast<keys::key_environment>(3);
  BOOST_TEST(keys::encoded_record::make(r, 1).error() == errc::key_invalid_record);
  char out[8] = {};
  BOOST_TEST(keys::write_record_field(r, static_cast<keys::record_field_name>(20), 1, out, sizeof out).error() ==
             errc::key_invalid_record);
  BOOST_TEST(!keys::has_record_field(r, static_cast<keys::record_field_name>(20)));
}

BOOST_AUTO_TEST_CASE(the_writer_trio_agrees_and_writes_nothing_when_short) {
  const keys::key_record r = full_record();
  const auto expected = full_fields();
  for (std::size_t i = 0; i < keys::record_field_count; ++i) {
    const auto name = static_cast<keys::record_field_name>(i);
    BOOST_TEST(keys::has_record_field(r, name));
    BOOST_TEST(keys::record_field_size(r, name, 7) == expected[i].second.size());
    BOOST_TEST(*keys::record_field_value(r, name, 7) == expected[i].second);
    char out[80];
    std::memset(out, '#', sizeof out);
    const std::size_t size = expected[i].second.size();
    if (size > 0 && size <= sizeof out) {
      BOOST_TEST(keys::write_record_field(r, name, 7, out, size - 1).error() == errc::buffer_too_small);
      BOOST_TEST(out[0] == '#');
      BOOST_TEST(*keys::write_record_field(r, name, 7, out, sizeof out) == size);
      BOOST_TEST(std::string_view(out, size) == expected[i].second);
    }
  }
  // An optional field without a value: written as nothing.
  keys::key_record bare;
  BOOST_TEST(!keys::has_record_field(bare, keys::record_field_name::expires_at));
  BOOST_TEST(keys::record_field_size(bare, keys::record_field_name::expires_at, 0) == 0u);
  char out[4];
  BOOST_TEST(*keys::write_record_field(bare, keys::record_field_name::limit_count, 0, out, 0) == 0u);
}

BOOST_AUTO_TEST_CASE(encoding_allocates_nothing_and_copies_stay_valid) {
  const keys::key_record r = full_record();
  keyward_test::allocations = 0;
  keyward_test::counting = true;
  auto encoded = keys::encoded_record::make(r, 7);
  const keys::encoded_record copy = *encoded;
  keyward_test::counting = false;
  BOOST_TEST(keyward_test::allocations == 0u);
  encoded = keys::encoded_record::make(keys::key_record(), 0);  // the copy keeps its own values
  const auto expected = full_fields();
  BOOST_TEST_REQUIRE(copy.size() == expected.size());
  for (std::size_t i = 0; i < copy.size(); ++i) {
    BOOST_TEST(copy[i].name == expected[i].first);
    BOOST_TEST(copy[i].value == expected[i].second);
  }
}
