// keyward: the HTTP fields that tell a client about rate limits, written by servers and parsed by clients:
// Retry-After (RFC 9110 section 10.2.3), the IETF RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers-11, Structured Field Lists of RFC 9651), and the de-facto
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset fields.
//
// Writers fill a caller buffer (pointer and capacity; nothing is written when it is too small) or return a
// std::string. Parsers return views into the input, or hand each list member to a callback: no allocation.
#ifndef KEYWARD_RATE_HEADERS_HPP
#define KEYWARD_RATE_HEADERS_HPP

#include "../base64.hpp"
#include "../detail/rate_headers_sf.hpp"
#include "../error.hpp"
#include "quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::detail {

/// Writes into a caller buffer when there is room and counts every character either way, so that one pass
/// with no buffer measures what a second pass writes.
class bounded_writer {
 public:
  constexpr bounded_writer(char* out, std::size_t capacity) noexcept : out_(out), capacity_(capacity) {}

  constexpr void put(char c) noexcept {
    if (size_ < capacity_) out_[size_] = c;
    ++size_;
  }
  constexpr void put(std::string_view text) noexcept {
    for (const char c : text) put(c);
  }
  /// The decimal digits of `value`.
  constexpr void put_decimal(std::uint64_t value) noexcept {
    char digits[20] = {};
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n != 0) put(digits[--n]);
  }
  /// `bytes` in standard Base64 with padding (RFC 4648 section 4).
  void put_base64(std::string_view bytes) noexcept {
    const std::size_t length = base64::encoded_size(bytes.size());
    if (size_ + length <= capacity_) (void)base64::encode(bytes, out_ + size_, length);
    size_ += length;
  }

  /// Characters written, or that would have been.
  constexpr std::size_t size() const noexcept { return size_; }

 private:
  char* out_;
  std::size_t capacity_;
  std::size_t size_ = 0;
};

/// Runs `write(bounded_writer&) -> result<void>` once to validate and measure, then, when the result fits
/// in `capacity`, again to write it into `out`.
template <class Write>
result<std::size_t> write_measured(char* out, std::size_t capacity, Write&& write) noexcept {
  bounded_writer measure(nullptr, 0);
  if (auto valid = write(measure); !valid) return valid.error();
  if (measure.size() > capacity) return errc::buffer_too_small;
  bounded_writer writer(out, capacity);
  (void)write(writer);
  return writer.size();
}

/// The same, into a new string.
template <class Write>
result<std::string> write_string(Write&& write) {
  bounded_writer measure(nullptr, 0);
  if (auto valid = write(measure); !valid) return valid.error();
  std::string text(measure.size(), '\0');
  bounded_writer writer(text.data(), text.size());
  (void)write(writer);
  return text;
}

/// A String item (RFC 9651 section 4.1.6): quoted, '"' and '\' escaped; rate_header_invalid_string for a
/// byte outside printable ASCII.
constexpr result<void> put_sf_string(bounded_writer& w, std::string_view text) noexcept {
  w.put('"');
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return errc::rate_header_invalid_string;
    if (c == '"' || c == '\\') w.put('\\');
    w.put(c);
  }
  w.put('"');
  return {};
}

/// An Integer (RFC 9651 section 4.1.4); rate_header_value_out_of_range above 15 digits.
constexpr result<void> put_sf_integer(bounded_writer& w, std::uint64_t value) noexcept {
  if (value > static_cast<std::uint64_t>(sf::max_integer)) return errc::rate_header_value_out_of_range;
  w.put_decimal(value);
  return {};
}

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

}  // namespace keyward::detail

namespace keyward::rate {

// ---------------------------------------------------------------------------------------------------------
// Retry-After (RFC 9110 section 10.2.3), delay-seconds form.

/// `delay` in whole seconds, rounded up (1 ns gives 1, 1 s gives 1, 1.000000001 s gives 2); 0 for a delay
/// of zero or less.
constexpr std::uint64_t delay_seconds(std::chrono::nanoseconds delay) noexcept {
  if (delay.count() <= 0) return 0;
  const auto ns = static_cast<std::uint64_t>(delay.count());
  return ns / 1'000'000'000u + (ns % 1'000'000'000u != 0 ? 1 : 0);
}

/// The Retry-After delay-seconds for `d`: when denied, its retry_after rounded up and never 0; when allowed,
/// 0; for verdict::never also 0, since no wait helps (send no Retry-After then).
constexpr std::uint64_t retry_after_seconds(const decision& d) noexcept {
  if (d.outcome != verdict::denied) return 0;
  const std::uint64_t seconds = delay_seconds(d.retry_after);
  return seconds == 0 ? 1 : seconds;
}

/// Writes the Retry-After value for `d` (retry_after_seconds(d) in decimal) into `out`, which has room for
/// `capacity` characters (20 always suffice). Returns the number of characters written, or
/// errc::buffer_too_small (nothing written).
inline result<std::size_t> write_retry_after(const decision& d, char* out, std::size_t capacity) noexcept {
  return detail::write_measured(out, capacity, [&](detail::bounded_writer& w) noexcept -> result<void> {
    w.put_decimal(retry_after_seconds(d));
    return {};
  });
}

/// The Retry-After value for `d` as a new string (see write_retry_after()).
inline std::string retry_after(const decision& d) {
  char digits[20];
  return std::string(digits, write_retry_after(d, digits, sizeof digits).value());
}

// A client reads Retry-After, in both its forms, with retry::parse_retry_after() (retry/retry_after.hpp).

// ---------------------------------------------------------------------------------------------------------
// X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset: no specification, one integer each. Limit is
// the request quota, Remaining what is left of it. Reset means different things in different APIs: GitHub
// (and others) send the Unix time in seconds at which the quota is restored, many others the number of
// seconds to wait (as the early IETF drafts' RateLimit-Reset did). A client must know which its server
// sends; reset_meaning names the two.

/// What an X-RateLimit-Reset integer counts.
enum class reset_meaning : std::uint8_t {
  delay_seconds,  ///< seconds from now until the quota is restored
  unix_seconds,   ///< the Unix time (seconds since 1970-01-01T00:00:00Z) at which it is restored (GitHub)
};

/// The three X-RateLimit-* values, as integers.
struct x_ratelimit_values {
  std::uint64_t limit = 0;      ///< X-RateLimit-Limit
  std::uint64_t remaining = 0;  ///< X-RateLimit-Remaining
  std::uint64_t reset = 0;      ///< X-RateLimit-Reset, in the reset_meaning chosen
};

/// The X-RateLimit-* values for `d`: Limit is the burst (decision::limit), Remaining decision::remaining,
/// Reset decision::reset_after rounded up to whole seconds, as a delay or added to `now` as a Unix time.
inline x_ratelimit_values x_ratelimit(const decision& d, reset_meaning meaning,
                                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) noexcept {
  std::chrono::nanoseconds until = d.reset_after;
  if (meaning == reset_meaning::unix_seconds) {
    const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
    until = until < std::chrono::nanoseconds::max() - since_epoch ? until + since_epoch : std::chrono::nanoseconds::max();
  }
  return {d.limit, d.remaining, delay_seconds(until)};  // rounded up: the reset is never announced early
}

/// Parses one X-RateLimit-* value strictly: 1*DIGIT, with the surrounding spaces and tabs of a field
/// value allowed; no sign, fraction or exponent. Errors: rate_header_empty; rate_header_invalid_integer at
/// the first byte that is not a digit; rate_header_integer_overflow (at the digit) above 2^64 - 1.
constexpr result<std::uint64_t> parse_x_ratelimit(std::string_view value) noexcept;

/// The delay until the reset that an X-RateLimit-Reset value announces, read with `meaning`: the value as
/// seconds, or the Unix time minus `now` (zero when that time has passed). Errors as parse_x_ratelimit().
inline result<std::chrono::nanoseconds> parse_x_ratelimit_reset(
    std::string_view value, reset_meaning meaning,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) noexcept;

// ---------------------------------------------------------------------------------------------------------
// RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11, sections 3 and 4; its syntax is
// that of -10). Each field is a Structured Field List (RFC 9651 section 3.1) of Items whose value is a
// String naming a policy, with parameters. A field split over several lines must be joined with ", "
// before parsing (RFC 9651 section 4.2).

/// The largest integer the fields can carry (RFC 9651 section 3.3.1).
inline constexpr std::uint64_t max_field_integer = static_cast<std::uint64_t>(detail::sf::max_integer);

/// One quota policy to write in RateLimit-Policy (section 3.1).
struct quota_policy {
  std::string_view name;                          ///< the policy's identifier: printable ASCII
  std::uint64_t quota = 0;                        ///< q: quota units allowed per window (section 3.1.1)
  std::optional<std::string_view> quota_unit;     ///< qu: e.g. "content-bytes"; "requests" when omitted
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

/// The service limit that reports `d` under policy `name`: r is decision::remaining; t is
/// decision::retry_after rounded up when denied (so that a Retry-After sent with it is not earlier than the
/// end of the effective window, section 6), else decision::reset_after rounded up.
constexpr service_limit service_limit_of(std::string_view name, const decision& d) noexcept {
  service_limit limit;
  limit.policy = name;
  limit.available_quota = d.remaining;
  limit.effective_window_seconds =
      d.outcome == verdict::denied ? retry_after_seconds(d) : delay_seconds(d.reset_after);
  return limit;
}

/// Writes the RateLimit-Policy value listing `count` policies into `out` (room for `capacity` characters),
/// e.g. `"burst";q=100;w=60, "daily";q=1000;w=86400`. Returns the number of characters written. Errors
/// (nothing written): rate_header_invalid_string for a name or unit that is not printable ASCII;
/// rate_header_value_out_of_range for a value above max_field_integer or a window of 0;
/// rate_header_empty when count is 0 (the field is a non-empty list); buffer_too_small.
inline result<std::size_t> write_ratelimit_policy(const quota_policy* policies, std::size_t count, char* out,
                                                  std::size_t capacity) noexcept;
/// The RateLimit-Policy value for one policy (see the list form).
inline result<std::size_t> write_ratelimit_policy(const quota_policy& policy, char* out, std::size_t capacity) noexcept {
  return write_ratelimit_policy(&policy, 1, out, capacity);
}
/// The RateLimit-Policy value as a new string (see write_ratelimit_policy()).
inline result<std::string> ratelimit_policy(const quota_policy* policies, std::size_t count);
inline result<std::string> ratelimit_policy(const quota_policy& policy) { return ratelimit_policy(&policy, 1); }

/// Writes the RateLimit value listing `count` service limits into `out`, e.g. `"default";r=50;t=30`.
/// Returns the number of characters written. Errors as write_ratelimit_policy().
inline result<std::size_t> write_ratelimit(const service_limit* limits, std::size_t count, char* out,
                                           std::size_t capacity) noexcept;
/// The RateLimit value for one service limit (see the list form).
inline result<std::size_t> write_ratelimit(const service_limit& limit, char* out, std::size_t capacity) noexcept {
  return write_ratelimit(&limit, 1, out, capacity);
}
/// The RateLimit value as a new string (see write_ratelimit()).
inline result<std::string> ratelimit(const service_limit* limits, std::size_t count);
inline result<std::string> ratelimit(const service_limit& limit) { return ratelimit(&limit, 1); }

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
  std::size_t accepted = 0;
  std::size_t ignored = 0;
};

}  // namespace keyward::rate

namespace keyward::detail {

/// The `on_member` calls of parse_ratelimit_policy and parse_ratelimit: validates the whole field as a
/// List first, so that a syntax error reports nothing but the error, then passes each member to `use`,
/// which returns whether the member was well-formed for the field.
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

}  // namespace keyward::detail

namespace keyward::rate {

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
  namespace sf = detail::sf;
  return detail::for_each_member(value, [&](const sf::member& m) {
    if (m.inner_list || m.item.type != sf::item_type::string) return false;
    quota_policy_view policy;
    policy.name = sf_string(m.item.text);
    std::optional<std::uint64_t> quota;
    if (!detail::read_count_parameter(m.parameters, "q", quota) || !quota) return false;
    policy.quota = *quota;
    if (!detail::read_count_parameter(m.parameters, "w", policy.window_seconds)) return false;
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
  namespace sf = detail::sf;
  return detail::for_each_member(value, [&](const sf::member& m) {
    if (m.inner_list || m.item.type != sf::item_type::string) return false;
    service_limit_view limit;
    limit.policy = sf_string(m.item.text);
    std::optional<std::uint64_t> available;
    if (!detail::read_count_parameter(m.parameters, "r", available) || !available) return false;
    limit.available_quota = *available;
    if (!detail::read_count_parameter(m.parameters, "t", limit.effective_window_seconds)) return false;
    if (const auto key = sf::find_parameter(m.parameters, "pk")) {
      if (key->type != sf::item_type::byte_sequence) return false;
      limit.partition_key = key->text;
    }
    visit(static_cast<const service_limit_view&>(limit));
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Definitions.

constexpr result<std::uint64_t> parse_x_ratelimit(std::string_view value) noexcept {
  std::size_t begin = 0, end = value.size();
  while (begin < end && (value[begin] == ' ' || value[begin] == '\t')) ++begin;
  while (end > begin && (value[end - 1] == ' ' || value[end - 1] == '\t')) --end;
  if (begin == end) return errc::rate_header_empty;
  std::uint64_t number = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = value[i];
    if (c < '0' || c > '9') return error(errc::rate_header_invalid_integer, i);
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (number > (UINT64_MAX - digit) / 10) return error(errc::rate_header_integer_overflow, i);
    number = number * 10 + digit;
  }
  return number;
}

inline result<std::chrono::nanoseconds> parse_x_ratelimit_reset(std::string_view value, reset_meaning meaning,
                                                                 std::chrono::system_clock::time_point now) noexcept {
  const auto number = parse_x_ratelimit(value);
  if (!number) return number.error();
  // Seconds beyond what nanoseconds hold (292 years) are clamped: no reset is that far in any real API.
  constexpr std::uint64_t max_seconds = static_cast<std::uint64_t>(INT64_MAX / 1'000'000'000);
  const std::uint64_t seconds = *number < max_seconds ? *number : max_seconds;
  const std::chrono::nanoseconds given{static_cast<std::int64_t>(seconds) * 1'000'000'000};
  if (meaning == reset_meaning::delay_seconds) return given;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  return given > since_epoch ? given - since_epoch : std::chrono::nanoseconds{0};
}

}  // namespace keyward::rate

namespace keyward::detail {

/// One member of RateLimit-Policy (draft section 3.1), parameters in the order of the draft's examples.
inline result<void> put_quota_policy(bounded_writer& w, const rate::quota_policy& p) noexcept {
  if (auto name = put_sf_string(w, p.name); !name) return name;
  w.put(";q=");
  if (auto q = put_sf_integer(w, p.quota); !q) return q;
  if (p.quota_unit) {
    w.put(";qu=");
    if (auto unit = put_sf_string(w, *p.quota_unit); !unit) return unit;
  }
  if (p.window_seconds) {
    if (*p.window_seconds == 0) return errc::rate_header_value_out_of_range;
    w.put(";w=");
    if (auto window = put_sf_integer(w, *p.window_seconds); !window) return window;
  }
  if (p.partition_key) {
    w.put(";pk=:");
    w.put_base64(*p.partition_key);
    w.put(':');
  }
  return {};
}

/// One member of RateLimit (draft section 4.1).
inline result<void> put_service_limit(bounded_writer& w, const rate::service_limit& s) noexcept {
  if (auto name = put_sf_string(w, s.policy); !name) return name;
  w.put(";r=");
  if (auto r = put_sf_integer(w, s.available_quota); !r) return r;
  if (s.effective_window_seconds) {
    w.put(";t=");
    if (auto t = put_sf_integer(w, *s.effective_window_seconds); !t) return t;
  }
  if (s.partition_key) {
    w.put(";pk=:");
    w.put_base64(*s.partition_key);
    w.put(':');
  }
  return {};
}

/// A List of `count` members (RFC 9651 section 4.1.1: joined by ", "), each written by `put`.
template <class Member, class Put>
result<void> put_list(bounded_writer& w, const Member* members, std::size_t count, Put put) noexcept {
  if (count == 0) return errc::rate_header_empty;
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) w.put(", ");
    if (auto one = put(w, members[i]); !one) return one;
  }
  return {};
}

}  // namespace keyward::detail

namespace keyward::rate {

inline result<std::size_t> write_ratelimit_policy(const quota_policy* policies, std::size_t count, char* out,
                                                  std::size_t capacity) noexcept {
  return detail::write_measured(out, capacity, [&](detail::bounded_writer& w) noexcept {
    return detail::put_list(w, policies, count, detail::put_quota_policy);
  });
}

inline result<std::string> ratelimit_policy(const quota_policy* policies, std::size_t count) {
  return detail::write_string([&](detail::bounded_writer& w) noexcept {
    return detail::put_list(w, policies, count, detail::put_quota_policy);
  });
}

inline result<std::size_t> write_ratelimit(const service_limit* limits, std::size_t count, char* out,
                                           std::size_t capacity) noexcept {
  return detail::write_measured(out, capacity, [&](detail::bounded_writer& w) noexcept {
    return detail::put_list(w, limits, count, detail::put_service_limit);
  });
}

inline result<std::string> ratelimit(const service_limit* limits, std::size_t count) {
  return detail::write_string([&](detail::bounded_writer& w) noexcept {
    return detail::put_list(w, limits, count, detail::put_service_limit);
  });
}

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_HEADERS_HPP
