// keyward: the IETF RateLimit-Policy and RateLimit response fields (draft-ietf-httpapi-ratelimit-headers-11,
// sections 3 and 4; its syntax is that of -10), written by servers and parsed by clients. Each field is a
// Structured Field List (RFC 9651 section 3.1) of Items whose value is a String naming a policy, with
// parameters. A field split over several lines must be joined with ", " before parsing (RFC 9651 section
// 4.2). Writers come as trios (write_x into a caller buffer, x_size, x as a new string); parsers return
// views into the input and hand each list member to a callback: no allocation.
/// \file
/// The RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers): writing and parsing.
#ifndef KEYWARD_RATE_RATELIMIT_FIELDS_HPP
#define KEYWARD_RATE_RATELIMIT_FIELDS_HPP

#include "../base64.hpp"
#include "../detail/arith.hpp"
#include "../detail/structured_fields.hpp"
#include "../detail/writer.hpp"
#include "../error.hpp"
#include "../http/retry_after.hpp"
#include "quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::rate {

/// The largest integer the fields can carry (RFC 9651 section 3.3.1).
inline constexpr std::uint64_t max_field_integer =
    static_cast<std::uint64_t>(detail::structured_fields::max_integer);

/// One quota policy to write in RateLimit-Policy (section 3.1).
struct quota_policy {
  std::string_view name;                          ///< the policy's identifier: printable ASCII
  std::uint64_t quota = 0;                        ///< q: quota units allowed per window (section 3.1.1)
  std::optional<std::string_view> quota_unit;     ///< qu: such as "content-bytes"; "requests" when omitted
  std::optional<std::uint64_t> window_seconds;    ///< w: the time window in seconds, not 0 (section 3.1.3)
  std::optional<std::string_view> partition_key;  ///< pk: raw bytes, sent as a Byte Sequence (3.1.4)
};

/// One service limit to write in RateLimit (section 4.1).
struct service_limit {
  std::string_view policy;                                ///< the identifier of its quota policy
  std::uint64_t available_quota = 0;                      ///< r: quota units available (section 4.1.1)
  std::optional<std::uint64_t> effective_window_seconds;  ///< t: the effective window (section 4.1.2)
  std::optional<std::string_view> partition_key;          ///< pk: raw bytes, sent as a Byte Sequence
};

/// The policy `name` that describes `limit` as RateLimit-Policy can: the sustained rate as q units per w
/// seconds, with w the smallest whole number of seconds that is a whole number of periods (5 per 500 ms
/// gives q=10;w=1). The burst has no parameter in the draft and is not described. Errors:
/// rate_header_value_out_of_range for an invalid quota or when q or w exceed max_field_integer.
constexpr result<quota_policy> quota_policy_of(std::string_view name, const quota& limit) noexcept {
  if (!limit.valid()) return errc::rate_header_value_out_of_range;
  constexpr std::uint64_t second = 1'000'000'000;
  auto period = static_cast<std::uint64_t>(limit.period.count());
  std::uint64_t a = period, b = second;  // gcd(period, 1 s)
  while (b != 0) {
    const std::uint64_t r = a % b;
    a = b;
    b = r;
  }
  const std::uint64_t periods_per_window = second / a;  // k periods make w = period / gcd seconds
  const std::uint64_t window = period / a;
  if (window > max_field_integer || limit.count > max_field_integer / periods_per_window)
    return errc::rate_header_value_out_of_range;
  quota_policy policy;
  policy.name = name;
  policy.quota = limit.count * periods_per_window;
  policy.window_seconds = window;
  return policy;
}

/// The service limit that reports `d` under policy `name`: r is decision::remaining; t is the Retry-After
/// delay of decision::wait (http::retry_after_delay(): rounded up, at least 1 s) when denied, so that a
/// Retry-After sent with it is not earlier than the end of the effective window (section 6), else
/// decision::reset_after rounded up to whole seconds. Never fails.
constexpr service_limit service_limit_of(std::string_view name, const decision& d) noexcept {
  service_limit limit;
  limit.policy = name;
  limit.available_quota = d.remaining;
  limit.effective_window_seconds =
      d.outcome == verdict::denied ? static_cast<std::uint64_t>(http::retry_after_delay(d.wait).count())
                                   : detail::rate_quota::seconds_rounded_up(d.reset_after);
  return limit;
}

/// A String as received (RFC 9651 section 3.3.3): a view of the characters between the quotes, escapes
/// still in place, so that nothing is copied. Policy names almost never hold escapes.
class sf_string {
 public:
  constexpr sf_string() noexcept = default;
  /// The String whose escaped content (between the quotes, already validated) is `escaped`.
  constexpr explicit sf_string(std::string_view escaped) noexcept : escaped_(escaped) {}

  /// The content as sent, backslash escapes included.
  constexpr std::string_view escaped() const noexcept { return escaped_; }
  /// True when the unescaped content equals `text`.
  constexpr bool equals(std::string_view text) const noexcept {
    std::size_t j = 0;
    for (std::size_t i = 0; i < escaped_.size(); ++i, ++j) {
      if (escaped_[i] == '\\') ++i;
      if (j == text.size() || text[j] != escaped_[i]) return false;
    }
    return j == text.size();
  }
  /// The unescaped content as a new string.
  std::string str() const {
    std::string text;
    text.reserve(escaped_.size());
    for (std::size_t i = 0; i < escaped_.size(); ++i) {
      if (escaped_[i] == '\\') ++i;
      text.push_back(escaped_[i]);
    }
    return text;
  }

 private:
  std::string_view escaped_;
};

/// One well-formed member of a received RateLimit-Policy field, as views into the field value.
struct quota_policy_view {
  sf_string name;                                 ///< the policy's identifier
  std::uint64_t quota = 0;                        ///< q
  std::optional<sf_string> quota_unit;            ///< qu, when present
  std::optional<std::uint64_t> window_seconds;    ///< w, when present (never 0)
  std::optional<std::string_view> partition_key;  ///< pk as sent: the Base64 text between the colons
};

/// One well-formed member of a received RateLimit field, as views into the field value.
struct service_limit_view {
  sf_string policy;                                       ///< the identifier of its quota policy
  std::uint64_t available_quota = 0;                      ///< r
  std::optional<std::uint64_t> effective_window_seconds;  ///< t, when present
  std::optional<std::string_view> partition_key;          ///< pk as sent: the Base64 text between the colons
};

/// How many members of a parsed list were passed on, and how many were ignored as malformed.
struct member_counts {
  std::size_t accepted = 0;  ///< well-formed members, each passed to the visitor
  std::size_t ignored = 0;   ///< malformed members, skipped as the draft requires (section 7)
};

}  // namespace keyward::rate

namespace keyward::detail::rate_ratelimit_fields {

namespace sf = structured_fields;

/// A non-negative Integer parameter value: the integer, or nothing when the parameter is absent, and false
/// when it is present with another type or a negative value.
constexpr bool read_count_parameter(std::string_view parameters, std::string_view key,
                                    std::optional<std::uint64_t>& value) noexcept {
  const auto item = sf::find_parameter(parameters, key);
  if (!item) return true;
  if (item->type != sf::item_type::integer || item->integer < 0) return false;
  value = static_cast<std::uint64_t>(item->integer);
  return true;
}

/// The `visit` calls of parse_ratelimit_policy and parse_ratelimit: validates the whole field as a List
/// first, so that a syntax error reports nothing but the error, then passes each member to `use`, which
/// returns whether the member was well-formed for the field.
template <class Use>
result<rate::member_counts> for_each_member(std::string_view value, Use&& use) {
  std::size_t first = 0;
  while (first < value.size() && (value[first] == ' ' || value[first] == '\t')) ++first;
  if (first == value.size()) return errc::rate_header_empty;
  sf::parser check(value);
  if (!check.parse_list_field([](const sf::member&) noexcept {}))
    return error(errc::rate_header_invalid_list, check.pos());
  rate::member_counts counts;
  sf::parser run(value);
  (void)run.parse_list_field([&](const sf::member& m) { use(m) ? ++counts.accepted : ++counts.ignored; });
  return counts;
}

/// `;pk=:<bytes in standard Base64>:` (a Byte Sequence, RFC 9651 section 4.1.8), encoded straight into the
/// output.
inline void put_partition_key(writer::counting_writer& w, std::string_view bytes) noexcept {
  w.put(";pk=:");
  const std::size_t length = keyward::base64::encoded_size(bytes.size());
  if (char* at = w.claim(length)) (void)keyward::base64::write_encoded(bytes, at, length);
  w.put(':');
}

/// The bytes put_partition_key() writes for `size` bytes.
constexpr std::size_t partition_key_size(std::size_t size) noexcept {
  return detail::arith::add_saturated(keyward::base64::encoded_size(size), 6);
}

/// One member of RateLimit-Policy (draft section 3.1), parameters in the order of the draft's examples.
inline result<void> put_quota_policy(writer::counting_writer& w, const rate::quota_policy& p) noexcept {
  if (auto name = sf::put_string(w, p.name); !name) return name;
  w.put(";q=");
  if (auto q = sf::put_integer(w, p.quota); !q) return q;
  if (p.quota_unit) {
    w.put(";qu=");
    if (auto unit = sf::put_string(w, *p.quota_unit); !unit) return unit;
  }
  if (p.window_seconds) {
    if (*p.window_seconds == 0) return errc::rate_header_value_out_of_range;
    w.put(";w=");
    if (auto window = sf::put_integer(w, *p.window_seconds); !window) return window;
  }
  if (p.partition_key) put_partition_key(w, *p.partition_key);
  return {};
}

/// The bytes put_quota_policy() writes for a valid `p`.
constexpr std::size_t quota_policy_size(const rate::quota_policy& p) noexcept {
  std::size_t size = detail::arith::add_saturated(sf::string_size(p.name), 3 + detail::writer::decimal_size(p.quota));
  if (p.quota_unit) size = detail::arith::add_saturated(size, detail::arith::add_saturated(sf::string_size(*p.quota_unit), 4));
  if (p.window_seconds) size = detail::arith::add_saturated(size, 3 + detail::writer::decimal_size(*p.window_seconds));
  if (p.partition_key) size = detail::arith::add_saturated(size, partition_key_size(p.partition_key->size()));
  return size;
}

/// One member of RateLimit (draft section 4.1).
inline result<void> put_service_limit(writer::counting_writer& w, const rate::service_limit& s) noexcept {
  if (auto name = sf::put_string(w, s.policy); !name) return name;
  w.put(";r=");
  if (auto r = sf::put_integer(w, s.available_quota); !r) return r;
  if (s.effective_window_seconds) {
    w.put(";t=");
    if (auto t = sf::put_integer(w, *s.effective_window_seconds); !t) return t;
  }
  if (s.partition_key) put_partition_key(w, *s.partition_key);
  return {};
}

/// The bytes put_service_limit() writes for a valid `s`.
constexpr std::size_t service_limit_size(const rate::service_limit& s) noexcept {
  std::size_t size = detail::arith::add_saturated(sf::string_size(s.policy), 3 + detail::writer::decimal_size(s.available_quota));
  if (s.effective_window_seconds) size = detail::arith::add_saturated(size, 3 + detail::writer::decimal_size(*s.effective_window_seconds));
  if (s.partition_key) size = detail::arith::add_saturated(size, partition_key_size(s.partition_key->size()));
  return size;
}

/// A List of `count` members (RFC 9651 section 4.1.1: joined by ", "), each written by `put`;
/// errc::rate_header_empty for none (the fields are non-empty lists).
template <class Member, class Put>
result<void> put_list(writer::counting_writer& w, const Member* members, std::size_t count, Put put) noexcept {
  if (count == 0) return errc::rate_header_empty;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) w.put(", ");
    if (auto one = put(w, members[i]); !one) return one;
  }
  return {};
}

/// The bytes put_list() writes for `count` valid members whose sizes `size_of` gives.
template <class Member, class SizeOf>
constexpr std::size_t list_size(const Member* members, std::size_t count, SizeOf size_of) noexcept {
  std::size_t size = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) size = detail::arith::add_saturated(size, 2);
    size = detail::arith::add_saturated(size, size_of(members[i]));
  }
  return size;
}

}  // namespace keyward::detail::rate_ratelimit_fields

namespace keyward::rate {

/// Writes the RateLimit-Policy value listing `count` policies into `out[0, capacity)`, e.g.
/// `"burst";q=100;w=60, "daily";q=1000;w=86400` (draft section 3). Returns the number of characters
/// written. Errors (nothing written): rate_header_invalid_string for a name or unit that is not printable
/// ASCII; rate_header_value_out_of_range for a value above max_field_integer or a window of 0;
/// rate_header_empty when count is 0 (the field is a non-empty list); buffer_too_small (input errors first).
inline result<std::size_t> write_ratelimit_policy(const quota_policy* policies, std::size_t count, char* out,
                                                  std::size_t capacity) noexcept {
  namespace fields = detail::rate_ratelimit_fields;
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& w) noexcept {
    return fields::put_list(w, policies, count, fields::put_quota_policy);
  });
}
/// The RateLimit-Policy value for one policy (see the list form).
inline result<std::size_t> write_ratelimit_policy(const quota_policy& policy, char* out,
                                                  std::size_t capacity) noexcept {
  return write_ratelimit_policy(&policy, 1, out, capacity);
}

/// The number of characters write_ratelimit_policy() writes for `count` valid policies (SIZE_MAX when that
/// does not fit in std::size_t).
constexpr std::size_t ratelimit_policy_size(const quota_policy* policies, std::size_t count) noexcept {
  namespace fields = detail::rate_ratelimit_fields;
  return fields::list_size(policies, count, fields::quota_policy_size);
}
/// The number of characters write_ratelimit_policy() writes for one valid policy.
constexpr std::size_t ratelimit_policy_size(const quota_policy& policy) noexcept {
  return ratelimit_policy_size(&policy, 1);
}

/// The RateLimit-Policy value as a new string; errors as write_ratelimit_policy() (never buffer_too_small).
inline result<std::string> ratelimit_policy(const quota_policy* policies, std::size_t count) {
  namespace fields = detail::rate_ratelimit_fields;
  return detail::writer::write_string([&](detail::writer::counting_writer& w) noexcept {
    return fields::put_list(w, policies, count, fields::put_quota_policy);
  });
}
/// The RateLimit-Policy value for one policy as a new string (see the list form).
inline result<std::string> ratelimit_policy(const quota_policy& policy) { return ratelimit_policy(&policy, 1); }

/// Writes the RateLimit value listing `count` service limits into `out[0, capacity)`, e.g.
/// `"default";r=50;t=30` (draft section 4). Returns the number of characters written. Errors as
/// write_ratelimit_policy() (nothing written).
inline result<std::size_t> write_ratelimit(const service_limit* limits, std::size_t count, char* out,
                                           std::size_t capacity) noexcept {
  namespace fields = detail::rate_ratelimit_fields;
  return detail::writer::write_into(out, capacity, [&](detail::writer::counting_writer& w) noexcept {
    return fields::put_list(w, limits, count, fields::put_service_limit);
  });
}
/// The RateLimit value for one service limit (see the list form).
inline result<std::size_t> write_ratelimit(const service_limit& limit, char* out, std::size_t capacity) noexcept {
  return write_ratelimit(&limit, 1, out, capacity);
}

/// The number of characters write_ratelimit() writes for `count` valid service limits (SIZE_MAX when that
/// does not fit in std::size_t).
constexpr std::size_t ratelimit_size(const service_limit* limits, std::size_t count) noexcept {
  namespace fields = detail::rate_ratelimit_fields;
  return fields::list_size(limits, count, fields::service_limit_size);
}
/// The number of characters write_ratelimit() writes for one valid service limit.
constexpr std::size_t ratelimit_size(const service_limit& limit) noexcept { return ratelimit_size(&limit, 1); }

/// The RateLimit value as a new string; errors as write_ratelimit() (never buffer_too_small).
inline result<std::string> ratelimit(const service_limit* limits, std::size_t count) {
  namespace fields = detail::rate_ratelimit_fields;
  return detail::writer::write_string([&](detail::writer::counting_writer& w) noexcept {
    return fields::put_list(w, limits, count, fields::put_service_limit);
  });
}
/// The RateLimit value for one service limit as a new string (see the list form).
inline result<std::string> ratelimit(const service_limit& limit) { return ratelimit(&limit, 1); }

/// Parses a RateLimit-Policy value and calls `visit(const quota_policy_view&)` for each well-formed member,
/// in order. The draft says malformed fields MUST be ignored (section 7): a value that is not a Structured
/// Field List fails as a whole (rate_header_invalid_list, at the offending byte; visit is not called, as
/// RFC 9651 section 4.2 discards the whole field) and rate_header_empty reports an empty value. Within a
/// valid list, a member the draft does not allow is ignored and counted, the others still used: an Inner
/// List, an Item that is not a String (section 3), q missing or not a non-negative Integer (3.1.1), qu not
/// a String (3.1.2), w not a positive Integer (3.1.3), pk not a Byte Sequence (3.1.4). A parameter given
/// twice takes its last value (RFC 9651 section 4.2.3.2); unknown parameters are ignored (section 3.1).
/// A caller that reads "malformed" strictly treats ignored != 0 as a malformed field.
template <class Visitor>
result<member_counts> parse_ratelimit_policy(std::string_view value, Visitor&& visit) {
  namespace sf = detail::structured_fields;
  namespace fields = detail::rate_ratelimit_fields;
  return fields::for_each_member(value, [&](const sf::member& m) {
    if (m.inner_list || m.item.type != sf::item_type::string) return false;
    quota_policy_view policy;
    policy.name = sf_string(m.item.text);
    std::optional<std::uint64_t> quota;
    if (!fields::read_count_parameter(m.parameters, "q", quota) || !quota) return false;
    policy.quota = *quota;
    if (!fields::read_count_parameter(m.parameters, "w", policy.window_seconds)) return false;
    if (policy.window_seconds == std::uint64_t{0}) return false;
    if (const auto unit = sf::find_parameter(m.parameters, "qu")) {
      if (unit->type != sf::item_type::string) return false;
      policy.quota_unit = sf_string(unit->text);
    }
    if (const auto key = sf::find_parameter(m.parameters, "pk")) {
      if (key->type != sf::item_type::byte_sequence) return false;
      policy.partition_key = key->text;
    }
    visit(static_cast<const quota_policy_view&>(policy));
    return true;
  });
}

/// Parses a RateLimit value and calls `visit(const service_limit_view&)` for each well-formed member, in
/// order; errors and ignored members as parse_ratelimit_policy(), with r required as a non-negative Integer
/// (section 4.1.1), t a non-negative Integer (4.1.2) and pk a Byte Sequence (4.1.3). The Item must be a
/// String: it names a quota policy, whose identifier section 3 requires to be one.
template <class Visitor>
result<member_counts> parse_ratelimit(std::string_view value, Visitor&& visit) {
  namespace sf = detail::structured_fields;
  namespace fields = detail::rate_ratelimit_fields;
  return fields::for_each_member(value, [&](const sf::member& m) {
    if (m.inner_list || m.item.type != sf::item_type::string) return false;
    service_limit_view limit;
    limit.policy = sf_string(m.item.text);
    std::optional<std::uint64_t> available;
    if (!fields::read_count_parameter(m.parameters, "r", available) || !available) return false;
    limit.available_quota = *available;
    if (!fields::read_count_parameter(m.parameters, "t", limit.effective_window_seconds)) return false;
    if (const auto key = sf::find_parameter(m.parameters, "pk")) {
      if (key->type != sf::item_type::byte_sequence) return false;
      limit.partition_key = key->text;
    }
    visit(static_cast<const service_limit_view&>(limit));
    return true;
  });
}

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_RATELIMIT_FIELDS_HPP
