// libFuzzer target: keys/record_fields.hpp's parser on arbitrary (field, value) pairs. The first byte of the
// input is a separator; the rest, split on it, gives names and values in turn (a last name alone gets an empty
// value). A refusal is errc::key_invalid_record with an index within the pairs (the count for a missing
// field); an accepted record encodes, its fields parse back to the same record and revision, and encoding that
// gives the same fields again; the writer trio agrees with the encoder on every field.
#include <keyward/keys/record_fields.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace keys = keyward::keys;

bool same(const keys::key_record& a, const keys::key_record& b) {
  return a.id == b.id && a.digest.algorithm == b.digest.algorithm &&
         a.digest.pepper_version == b.digest.pepper_version && a.digest.bytes == b.digest.bytes &&
         a.kind == b.kind && a.environment == b.environment && a.status == b.status && a.scopes == b.scopes &&
         a.not_before == b.not_before && a.expires_at == b.expires_at && a.limit == b.limit &&
         a.credits == b.credits && a.credit_balance == b.credit_balance &&
         a.last_used.time() == b.last_used.time() && a.prefix == b.prefix && a.owner == b.owner &&
         a.metadata == b.metadata;
}

std::vector<keys::record_field> fields_of(const keys::encoded_record& encoded) {
  std::vector<keys::record_field> out;
  for (std::size_t i = 0; i < encoded.size(); ++i) out.push_back(encoded[i]);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char separator = static_cast<char>(data[0]);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::vector<keys::record_field> pairs;
  for (std::size_t i = 0; i < parts.size(); i += 2) {
    pairs.push_back({parts[i], i + 1 < parts.size() ? parts[i + 1] : std::string_view()});
  }

  const auto parsed = keys::parse_record_fields(pairs.data(), pairs.size());
  if (!parsed) {
    FUZZ_CHECK(parsed.error() == keyward::errc::key_invalid_record && parsed.error().offset() <= pairs.size());
    return 0;
  }
  const auto encoded = keys::encoded_record::make(parsed->record, parsed->revision);
  FUZZ_CHECK(encoded.has_value());
  FUZZ_CHECK(encoded->size() == pairs.size());  // every field read is written back, and only those
  const std::vector<keys::record_field> again = fields_of(*encoded);
  const auto reparsed = keys::parse_record_fields(again.data(), again.size());
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(same(reparsed->record, parsed->record) && reparsed->revision == parsed->revision);
  const auto encoded_again = keys::encoded_record::make(reparsed->record, reparsed->revision);
  FUZZ_CHECK(encoded_again.has_value() && encoded_again->size() == encoded->size());
  for (std::size_t i = 0; i < encoded->size(); ++i) {
    FUZZ_CHECK((*encoded_again)[i].name == (*encoded)[i].name && (*encoded_again)[i].value == (*encoded)[i].value);
  }
  for (std::size_t i = 0; i < keys::record_field_count; ++i) {
    const auto name = static_cast<keys::record_field_name>(i);
    const auto value = keys::record_field_value(parsed->record, name, parsed->revision);
    FUZZ_CHECK(value.has_value() && value->size() == keys::record_field_size(parsed->record, name, parsed->revision));
  }
  return 0;
}
