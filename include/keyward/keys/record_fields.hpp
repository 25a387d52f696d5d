// keyward: a key_record as a list of (field, value) text pairs, for a Redis hash, a key-value store or a SQL
// row (one column per field), and back. No third-party library: keys/redis_store.hpp stores records with it,
// and any other store may.
//
// The fields (record_field_name), each an ASCII text value:
//
//   format            "1", this format's version (record_format_version)
//   id                the key id, 12 base62 characters
//   revision          decimal, 0 to 2^64-1: bumped by every change, for compare-and-set (not in key_record)
//   digest            the digest's text form (keys/digest.hpp: "hmac-sha256:v3:..." or "sha256:...")
//   kind              "secret", "publishable", "restricted", "webhook_secret" or "custom"
//   environment       "live", "test" or "unspecified"
//   status            "active", "disabled" or "revoked"
//   scopes            decimal, the scope_set's 64 bits
//   not_before        optional: nanoseconds since 1970-01-01T00:00:00Z, decimal, '-' before 1970
//   expires_at        optional: the same
//   limit_count       optional, all three or none: rate::quota's count (decimal, at least 1),
//   limit_period      its period in nanoseconds (at least 1) and
//   limit_burst       its burst (at least 1)
//   credit_allowance  optional, both or none: credit_plan's allowance (decimal) and
//   credit_refill     its refill: "never", "daily" or "monthly"
//   credit_balance    optional: the key id whose credit balance the key spends
//   last_used         optional: seconds since 1970 (decimal, '-' before 1970)
//   prefix, owner, metadata   the strings, as they are (any bytes; may be empty)
//
// Decimals are canonical: digits only (a '-' first for a negative time), no leading zero, no "-0", no
// overflow. An optional field is written only when the record has a value for it, so a store that writes a
// whole record must first remove the fields it had (Redis: DEL then HSET, in one script).
/// \file
/// A key_record as (field, value) text pairs, for a Redis hash or a SQL row, and back.
#ifndef KEYWARD_KEYS_RECORD_FIELDS_HPP
#define KEYWARD_KEYS_RECORD_FIELDS_HPP

#include "../detail/keys_record_fields.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "../rate/quota.hpp"
#include "digest.hpp"
#include "prefix.hpp"
#include "record.hpp"
#include "scopes.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::keys {

/// The version written in the `format` field; parse_record_fields() accepts this one only.
inline constexpr std::uint64_t record_format_version = 1;

/// The fields of a stored record, in the order encoded_record lists them (see the top of this header).
enum class record_field_name : std::uint8_t {
  format, id, revision, digest, kind, environment, status, scopes, not_before, expires_at, limit_count,
  limit_period, limit_burst, credit_allowance, credit_refill, credit_balance, last_used, prefix, owner, metadata,
};

/// The number of record_field_name values: the most fields a record has.
inline constexpr std::size_t record_field_count = 20;

/// The text of `name` as stored ("format", "id", ... "metadata"); empty for a value outside the enum.
constexpr std::string_view field_name(record_field_name name) noexcept {
  constexpr std::string_view names[record_field_count] = {
      "format",      "id",           "revision",    "digest",           "kind",
      "environment", "status",       "scopes",      "not_before",       "expires_at",
      "limit_count", "limit_period", "limit_burst", "credit_allowance", "credit_refill",
      "credit_balance", "last_used", "prefix",      "owner",            "metadata"};
  const auto i = static_cast<std::size_t>(name);
  return i < record_field_count ? names[i] : std::string_view();
}

/// One (field, value) pair of a stored record: views, into the caller's data or an encoded_record.
struct record_field {
  std::string_view name;   ///< the field name, as field_name() spells it
  std::string_view value;  ///< its ASCII text value
};

/// A record read back from its fields, with the revision stored beside it.
struct stored_record {
  key_record record;           ///< the record decoded from the fields
  std::uint64_t revision = 0;  ///< bumped by every change of the stored record, for compare-and-set
};

/// True when `record` has a value for the field `name`: always for the required fields, when set for the
/// optional ones (a validity time, the limit, the credits, the balance id, a last use); false for a name
/// outside the enum.
inline bool has_record_field(const key_record& record, record_field_name name) noexcept {
  switch (name) {
    case record_field_name::not_before: return record.not_before.has_value();
    case record_field_name::expires_at: return record.expires_at.has_value();
    case record_field_name::limit_count:
    case record_field_name::limit_period:
    case record_field_name::limit_burst: return record.limit.has_value();
    case record_field_name::credit_allowance:
    case record_field_name::credit_refill: return record.credits.has_value();
    case record_field_name::credit_balance: return record.credit_balance.has_value();
    case record_field_name::last_used: return record.last_used.time().has_value();
    default: return static_cast<std::size_t>(name) < record_field_count;
  }
}

}  // namespace keyward::keys

namespace keyward::detail::keys_record_fields {

using ::keyward::keys::record_field_name;

/// Writes the value of field `name` (nothing for an optional field without a value); errc::key_invalid_record
/// for what the format cannot hold.
inline result<void> write_field(writer::counting_writer& text, const ::keyward::keys::key_record& r,
                                record_field_name name, std::uint64_t revision) noexcept {
  namespace keys = ::keyward::keys;
  if (static_cast<std::size_t>(name) >= keys::record_field_count) return errc::key_invalid_record;
  if (!keys::has_record_field(r, name)) return {};
  const auto pick = [&text](const auto& names, auto value) -> result<void> {
    const auto i = static_cast<std::size_t>(value);
    if (i >= sizeof names / sizeof names[0]) return errc::key_invalid_record;
    text.put(names[i]);
    return {};
  };
  switch (name) {
    case record_field_name::format: text.put_decimal(keys::record_format_version); return {};
    case record_field_name::id: text.put(r.id.view()); return {};
    case record_field_name::revision: text.put_decimal(revision); return {};
    case record_field_name::digest: {
      char digest[keys::max_digest_text_size];
      const result<std::size_t> written = keys::write_digest_text(r.digest, digest, sizeof digest);
      if (!written) return errc::key_invalid_record;
      text.put(std::string_view(digest, *written));
      return {};
    }
    case record_field_name::kind: return pick(kinds, r.kind);
    case record_field_name::environment: return pick(environments, r.environment);
    case record_field_name::status: return pick(statuses, r.status);
    case record_field_name::scopes: text.put_decimal(r.scopes.bits()); return {};
    case record_field_name::not_before: text.put_decimal(keys_record::unix_nanoseconds(*r.not_before)); return {};
    case record_field_name::expires_at: text.put_decimal(keys_record::unix_nanoseconds(*r.expires_at)); return {};
    case record_field_name::limit_count:
    case record_field_name::limit_period:
    case record_field_name::limit_burst:
      if (!r.limit->valid()) return errc::key_invalid_record;
      if (name == record_field_name::limit_count) text.put_decimal(r.limit->count);
      if (name == record_field_name::limit_period) text.put_decimal(r.limit->period.count());
      if (name == record_field_name::limit_burst) text.put_decimal(r.limit->burst);
      return {};
    case record_field_name::credit_allowance: text.put_decimal(r.credits->allowance); return {};
    case record_field_name::credit_refill: return pick(refills, r.credits->refill);
    case record_field_name::credit_balance: text.put(r.credit_balance->view()); return {};
    case record_field_name::last_used: text.put_decimal(r.last_used.time()->time_since_epoch().count()); return {};
    case record_field_name::prefix: text.put(r.prefix); return {};
    case record_field_name::owner: text.put(r.owner); return {};
    case record_field_name::metadata: text.put(r.metadata); return {};
  }
  return errc::key_invalid_record;
}

}  // namespace keyward::detail::keys_record_fields

namespace keyward::keys {

/// Writes the value of field `name` of `record` (whose stored revision is `revision`) into
/// `out[0, capacity)`: the characters written; 0 for an optional field the record has no value for.
/// errc::key_invalid_record when the record holds what the format cannot (an enum outside its range, a
/// digest of an unknown algorithm, a quota that is not valid(), a name outside the enum), else
/// errc::buffer_too_small; nothing is written on any error.
inline result<std::size_t> write_record_field(const key_record& record, record_field_name name,
                                              std::uint64_t revision, char* out, std::size_t capacity) noexcept {
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& text) {
    return detail::keys_record_fields::write_field(text, record, name, revision);
  });
}

/// The number of characters write_record_field() writes for these inputs; 0 when it fails.
inline std::size_t record_field_size(const key_record& record, record_field_name name,
                                     std::uint64_t revision) noexcept {
  const result<std::size_t> size = detail::writer::measure([&](detail::writer::counting_writer& text) {
    return detail::keys_record_fields::write_field(text, record, name, revision);
  });
  return size ? *size : 0;
}

/// The value of field `name` as a new string (write_record_field()); errc::key_invalid_record as there.
inline result<std::string> record_field_value(const key_record& record, record_field_name name,
                                              std::uint64_t revision) {
  return detail::writer::write_string([&](detail::writer::counting_writer& text) {
    return detail::keys_record_fields::write_field(text, record, name, revision);
  });
}

/// Every field a record has, ready to store (HSET, an INSERT): the required ones and the optional ones it has
/// a value for, in the enum's order. The strings (id, prefix, owner, metadata) are views into the record,
/// which must outlive this object and stay unchanged; the other values live inside it. Allocates nothing.
class encoded_record {
 public:
  /// The fields of `record` stored at `revision`. errc::key_invalid_record as write_record_field().
  static result<encoded_record> make(const key_record& record, std::uint64_t revision) noexcept {
    encoded_record encoded;
    for (std::size_t i = 0; i < record_field_count; ++i) {
      const auto name = static_cast<record_field_name>(i);
      if (!has_record_field(record, name)) continue;
      entry& e = encoded.entries_[encoded.count_++];
      e.name = name;
      if (name == record_field_name::id || name == record_field_name::prefix || name == record_field_name::owner ||
          name == record_field_name::metadata) {
        const std::string_view value = name == record_field_name::id       ? record.id.view()
                                       : name == record_field_name::prefix ? std::string_view(record.prefix)
                                       : name == record_field_name::owner  ? std::string_view(record.owner)
                                                                           : std::string_view(record.metadata);
        e.outside = value.data();
        e.size = value.size();
        continue;
      }
      const result<std::size_t> written = write_record_field(record, name, revision, encoded.buffer_ + encoded.used_,
                                                             sizeof encoded.buffer_ - encoded.used_);
      if (!written) return errc::key_invalid_record;
      e.offset = encoded.used_;
      e.size = *written;
      encoded.used_ += *written;
    }
    return encoded;
  }

  /// The number of fields (at most record_field_count).
  std::size_t size() const noexcept { return count_; }
  /// Field `i` (below size()): its name and value.
  record_field operator[](std::size_t i) const noexcept {
    const entry& e = entries_[i];
    return {field_name(e.name),
            std::string_view(e.outside != nullptr ? e.outside : buffer_ + e.offset, e.size)};
  }

 private:
  struct entry {
    record_field_name name = record_field_name::format;
    const char* outside = nullptr;  // the value's bytes in the record, or null: in buffer_ at offset
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  encoded_record() noexcept = default;

  std::array<entry, record_field_count> entries_{};
  std::size_t count_ = 0;
  std::size_t used_ = 0;
  // Every value that is not a view: 16 numbers of at most 20 characters and the digest text.
  char buffer_[16 * 20 + max_digest_text_size + 16] = {};
};

/// Reads a record from its `count` fields `fields` (in any order), strictly. Every error is
/// errc::key_invalid_record with the index in `fields` of the pair at fault: a name that is not a field, a
/// field given twice, a value that does not parse (a decimal that is not canonical or out of range, an enum
/// text not listed, an invalid digest text or id, a quota count, period or burst of 0, a format other than
/// record_format_version), or an optional group given in part (limit_*, credit_*: the index of its first
/// field present); a required field missing has the index `count`. Allocates only for the record's strings;
/// never throws on bad input.
inline result<stored_record> parse_record_fields(const record_field* fields, std::size_t count) {
  namespace f = detail::keys_record_fields;
  namespace step = detail::keys_record;
  stored_record out;
  key_record& r = out.record;
  std::array<std::size_t, record_field_count> at{};  // the index of each field seen, plus one
  std::uint64_t limit_count = 0, limit_period = 0, limit_burst = 0, allowance = 0;
  int refill = -1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view name = fields[i].name, value = fields[i].value;
    std::size_t which = 0;
    while (which < record_field_count && field_name(static_cast<record_field_name>(which)) != name) ++which;
    if (which == record_field_count || at[which] != 0) return keyward::error(errc::key_invalid_record, i);
    at[which] = i + 1;
    bool ok = true;
    std::uint64_t number = 0;
    std::int64_t signed_number = 0;
    int index = -1;
    bool negative = false;
    switch (static_cast<record_field_name>(which)) {
      case record_field_name::format:
        ok = f::read_unsigned(value, 0, number) && number == record_format_version;
        break;
      case record_field_name::id: {
        const result<key_id> id = key_id::make(value);
        ok = id.has_value();
        if (ok) r.id = *id;
        break;
      }
      case record_field_name::revision: ok = f::read_unsigned(value, 0, out.revision); break;
      case record_field_name::digest: {
        const result<key_digest> digest = parse_digest_text(value);
        ok = digest.has_value();
        if (ok) r.digest = *digest;
        break;
      }
      case record_field_name::kind:
        ok = (index = f::enum_index(f::kinds, value)) >= 0;
        if (ok) r.kind = static_cast<key_kind>(index);
        break;
      case record_field_name::environment:
        ok = (index = f::enum_index(f::environments, value)) >= 0;
        if (ok) r.environment = static_cast<key_environment>(index);
        break;
      case record_field_name::status:
        ok = (index = f::enum_index(f::statuses, value)) >= 0;
        if (ok) r.status = static_cast<key_status>(index);
        break;
      case record_field_name::scopes:
        ok = f::read_unsigned(value, 0, number);
        r.scopes = scope_set::from_bits(number);
        break;
      case record_field_name::not_before:
      case record_field_name::expires_at:
        ok = f::read_signed(value, signed_number);
        if (ok) {
          (which == static_cast<std::size_t>(record_field_name::not_before) ? r.not_before : r.expires_at) =
              step::system_time(signed_number);
        }
        break;
      case record_field_name::limit_count: ok = f::read_unsigned(value, 1, limit_count); break;
      case record_field_name::limit_period:
        ok = f::read_decimal(value, false, static_cast<std::uint64_t>((std::numeric_limits<std::int64_t>::max)()),
                             limit_period, negative) &&
             limit_period >= 1;
        break;
      case record_field_name::limit_burst: ok = f::read_unsigned(value, 1, limit_burst); break;
      case record_field_name::credit_allowance: ok = f::read_unsigned(value, 0, allowance); break;
      case record_field_name::credit_refill: ok = (refill = f::enum_index(f::refills, value)) >= 0; break;
      case record_field_name::credit_balance: {
        const result<key_id> id = key_id::make(value);
        ok = id.has_value();
        if (ok) r.credit_balance = *id;
        break;
      }
      case record_field_name::last_used:
        ok = f::read_signed(value, signed_number);
        if (ok) r.last_used.record(std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(
            std::chrono::seconds(signed_number)));
        break;
      case record_field_name::prefix: r.prefix.assign(value.data(), value.size()); break;
      case record_field_name::owner: r.owner.assign(value.data(), value.size()); break;
      case record_field_name::metadata: r.metadata.assign(value.data(), value.size()); break;
    }
    if (!ok) return keyward::error(errc::key_invalid_record, i);
  }
  // The groups: all of their fields or none (the index of the first one present otherwise).
  const auto group = [&at](record_field_name first, std::size_t size, std::size_t& bad) {
    std::size_t seen = 0;
    bad = 0;
    for (std::size_t k = 0; k < size; ++k) {
      const std::size_t where = at[static_cast<std::size_t>(first) + k];
      if (where == 0) continue;
      ++seen;
      if (bad == 0 || where < bad) bad = where;
    }
    return seen;
  };
  std::size_t bad = 0;
  const std::size_t limit_fields = group(record_field_name::limit_count, 3, bad);
  if (limit_fields != 0 && limit_fields != 3) return keyward::error(errc::key_invalid_record, bad - 1);
  if (limit_fields == 3) {
    r.limit = rate::quota{limit_count, std::chrono::nanoseconds(static_cast<std::int64_t>(limit_period)),
                          limit_burst};
  }
  const std::size_t credit_fields = group(record_field_name::credit_allowance, 2, bad);
  if (credit_fields == 1) return keyward::error(errc::key_invalid_record, bad - 1);
  if (credit_fields == 2) r.credits = credit_plan{allowance, static_cast<credit_refill>(refill)};
  for (const record_field_name required :
       {record_field_name::format, record_field_name::id, record_field_name::revision, record_field_name::digest,
        record_field_name::kind, record_field_name::environment, record_field_name::status,
        record_field_name::scopes, record_field_name::prefix, record_field_name::owner,
        record_field_name::metadata}) {
    if (at[static_cast<std::size_t>(required)] == 0) return keyward::error(errc::key_invalid_record, count);
  }
  return out;
}

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_RECORD_FIELDS_HPP
