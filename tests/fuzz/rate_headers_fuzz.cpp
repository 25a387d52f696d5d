// libFuzzer target: the rate-limit field parsers (rate/ratelimit_fields.hpp, rate/x_ratelimit.hpp) take any
// bytes without crashing, and what they accept survives a round trip: each accepted RateLimit-Policy and
// RateLimit member, written back with the writers (whose size functions give the exact length), parses to
// the same names and numbers; X-RateLimit-* integers print back to the same digits (less leading zeros and
// whitespace); and numbers taken from the input, written, parse back unchanged. X-RateLimit-Reset, written
// by x_ratelimit() and parsed by parse_x_ratelimit_reset(), is checked against exact 128-bit arithmetic for
// a `now` anywhere in the int64 range of a system_clock counting nanoseconds, seconds or minutes (the
// minutes beyond the int64 seconds count as their first or last nanosecond), with no undefined behaviour
// (the target runs under UBSan).
//
// Input layout: the whole input is parsed as each field; its first 16 bytes, when present, also give two
// 64-bit numbers (little-endian) that are written and re-parsed, the first also read as the count of `now`
// and the second as a decision's reset_after in nanoseconds and, in decimal, as an X-RateLimit-Reset.
#include <keyward/rate/ratelimit_fields.hpp>
#include <keyward/rate/x_ratelimit.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <cstdlib>
#include <limits>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <vector>

namespace rate = keyward::rate;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

// Copies of what a view refers to, so that the members outlive the parse callback.
struct policy_copy {
  std::string name;
  std::uint64_t quota;
  std::optional<std::string> unit;
  std::optional<std::uint64_t> window;
};
struct limit_copy {
  std::string policy;
  std::uint64_t available;
  std::optional<std::uint64_t> window;
};

void round_trip_policies(std::string_view value) {
  std::vector<policy_copy> seen;
  const auto counts = rate::parse_ratelimit_policy(value, [&](const rate::quota_policy_view& p) {
    require(p.name.equals(p.name.str()));
    seen.push_back({p.name.str(), p.quota, p.quota_unit ? std::optional<std::string>(p.quota_unit->str()) : std::nullopt,
                    p.window_seconds});
  });
  if (!counts) {
    require(seen.empty());
    return;
  }
  require(counts->accepted == seen.size());
  if (seen.empty()) return;
  std::vector<rate::quota_policy> again(seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    again[i].name = seen[i].name;
    again[i].quota = seen[i].quota;
    if (seen[i].unit) again[i].quota_unit = *seen[i].unit;
    again[i].window_seconds = seen[i].window;
  }
  const auto written = rate::ratelimit_policy(again.data(), again.size());
  require(written.has_value() && written->size() == rate::ratelimit_policy_size(again.data(), again.size()));
  std::size_t index = 0;
  const auto reparsed = rate::parse_ratelimit_policy(*written, [&](const rate::quota_policy_view& p) {
    require(index < seen.size());
    require(p.name.equals(seen[index].name));
    require(p.quota == seen[index].quota);
    require(p.window_seconds == seen[index].window);
    require(p.quota_unit.has_value() == seen[index].unit.has_value());
    if (p.quota_unit) require(p.quota_unit->equals(*seen[index].unit));
    ++index;
  });
  require(reparsed.has_value() && reparsed->ignored == 0 && index == seen.size());
}

void round_trip_limits(std::string_view value) {
  std::vector<limit_copy> seen;
  const auto counts = rate::parse_ratelimit(value, [&](const rate::service_limit_view& l) {
    seen.push_back({l.policy.str(), l.available_quota, l.effective_window_seconds});
  });
  if (!counts) {
    require(seen.empty());
    return;
  }
  require(counts->accepted == seen.size());
  if (seen.empty()) return;
  std::vector<rate::service_limit> again(seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    again[i].policy = seen[i].policy;
    again[i].available_quota = seen[i].available;
    again[i].effective_window_seconds = seen[i].window;
  }
  const auto written = rate::ratelimit(again.data(), again.size());
  require(written.has_value() && written->size() == rate::ratelimit_size(again.data(), again.size()));
  std::size_t index = 0;
  const auto reparsed = rate::parse_ratelimit(*written, [&](const rate::service_limit_view& l) {
    require(index < seen.size());
    require(l.policy.equals(seen[index].policy));
    require(l.available_quota == seen[index].available);
    require(l.effective_window_seconds == seen[index].window);
    ++index;
  });
  require(reparsed.has_value() && reparsed->ignored == 0 && index == seen.size());
}

__extension__ typedef __int128 int128;

// The nanoseconds of a system_clock time point since 1970, exact, then held to the int64 seconds as
// keyward documents: from their first second to the last nanosecond of their last.
template <class Duration>
int128 held_nanoseconds(std::chrono::time_point<std::chrono::system_clock, Duration> now) {
  using ratio = std::ratio_divide<typename Duration::period, std::nano>;
  static_assert(ratio::den == 1, "whole nanoseconds only");
  const int128 ns = static_cast<int128>(now.time_since_epoch().count()) * ratio::num;
  const int128 billion = 1'000'000'000;
  const int128 first = static_cast<int128>(std::numeric_limits<std::int64_t>::min()) * billion;
  const int128 last = static_cast<int128>(std::numeric_limits<std::int64_t>::max()) * billion + billion - 1;
  return ns < first ? first : ns > last ? last : ns;
}

// x_ratelimit() and parse_x_ratelimit_reset() at `now` against exact arithmetic: Reset = ceil((now +
// max(0, reset_after)) / 1 s), 0 when not after 1970; the parsed delay of `value` is max(0, value s - now),
// at most 9223372036 s; in delay_seconds, ceil(reset_after / 1 s) and min(value, 9223372036) s.
template <class Duration>
void resets_at(std::string_view value, std::chrono::time_point<std::chrono::system_clock, Duration> now,
               std::int64_t reset_after) {
  const int128 billion = 1'000'000'000;
  const int128 now_ns = held_nanoseconds(now);
  rate::decision d;
  d.outcome = rate::verdict::allowed;
  d.limit = 3;
  d.remaining = 2;
  d.reset_after = std::chrono::nanoseconds(reset_after);
  const int128 after = reset_after > 0 ? reset_after : 0;
  const int128 end = now_ns + after;
  const int128 unix_reset = end <= 0 ? 0 : (end + billion - 1) / billion;
  const auto unix_values = rate::x_ratelimit(d, now, rate::reset_meaning::unix_seconds);
  require(unix_values.reset == static_cast<std::uint64_t>(unix_reset));
  require(unix_values.limit == 3 && unix_values.remaining == 2);
  const auto delay_values = rate::x_ratelimit(d, now, rate::reset_meaning::delay_seconds);
  require(delay_values.reset == static_cast<std::uint64_t>((after + billion - 1) / billion));

  const auto number = rate::parse_x_ratelimit(value);
  const auto unix_delay = rate::parse_x_ratelimit_reset(value, now, rate::reset_meaning::unix_seconds);
  const auto seconds_delay = rate::parse_x_ratelimit_reset(value, now, rate::reset_meaning::delay_seconds);
  require(unix_delay.has_value() == number.has_value() && seconds_delay.has_value() == number.has_value());
  if (!number) return;
  const int128 most = static_cast<int128>(9'223'372'036) * billion;
  int128 expected = static_cast<int128>(*number) * billion - now_ns;
  if (expected < 0) expected = 0;
  if (expected > most) expected = most;
  require(unix_delay->count() == static_cast<std::int64_t>(expected));
  const int128 plain = static_cast<int128>(*number) * billion;
  require(seconds_delay->count() == static_cast<std::int64_t>(plain < most ? plain : most));
}

void round_trip_integer(std::string_view value) {
  const auto number = rate::parse_x_ratelimit(value);
  if (!number) return;
  // The digits of the value, without surrounding whitespace or leading zeros, are those of the number.
  std::size_t begin = value.find_first_not_of(" \t");
  const std::size_t end = value.find_last_not_of(" \t") + 1;
  while (begin + 1 < end && value[begin] == '0') ++begin;
  require(value.substr(begin, end - begin) == std::to_string(*number));
}

void numbers_written_parse_back(std::uint64_t a, std::uint64_t b) {
  rate::service_limit limit;
  limit.policy = "p";
  limit.available_quota = a;
  limit.effective_window_seconds = b;
  const auto written = rate::ratelimit(limit);
  const bool representable = a <= rate::max_field_integer && b <= rate::max_field_integer;
  require(written.has_value() == representable);
  if (representable) {
    std::size_t calls = 0;
    const auto parsed = rate::parse_ratelimit(*written, [&](const rate::service_limit_view& l) {
      require(l.available_quota == a && l.effective_window_seconds == b);
      ++calls;
    });
    require(parsed.has_value() && calls == 1);
  }
  if (representable) require(written->size() == rate::ratelimit_size(limit));
  // A denial's Retry-After: the wait rounded up to whole seconds, at least 1, at most 2^31.
  rate::decision d;
  d.outcome = rate::verdict::denied;
  d.wait = std::chrono::nanoseconds(static_cast<std::int64_t>(a >> 1));
  const std::uint64_t ns = a >> 1;
  std::uint64_t expected = ns == 0 ? 1 : (ns + 999'999'999) / 1'000'000'000;
  if (expected > (std::uint64_t{1} << 31)) expected = std::uint64_t{1} << 31;
  const auto seconds = rate::parse_x_ratelimit(keyward::http::retry_after(*rate::retry_after(d)));
  require(seconds.has_value() && *seconds == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  round_trip_policies(value);
  round_trip_limits(value);
  round_trip_integer(value);
  std::uint64_t a = 0, b = 0;
  if (size >= 16) {
    for (int i = 7; i >= 0; --i) {
      a = a << 8 | data[i];
      b = b << 8 | data[8 + i];
    }
  }
  // Any `now` of a system_clock counting nanoseconds, seconds or minutes, the extremes included.
  using std::chrono::system_clock;
  const auto count = static_cast<std::int64_t>(a);
  const auto reset_after = static_cast<std::int64_t>(b);
  // The value parsed is the input itself, and the decimal digits of b (any reset a server could send).
  const std::string digits = std::to_string(b);
  for (const std::string_view text : {value, std::string_view(digits)}) {
    resets_at(text, std::chrono::time_point<system_clock, std::chrono::nanoseconds>(std::chrono::nanoseconds(count)),
              reset_after);
    resets_at(text, keyward::http::sys_seconds(std::chrono::seconds(count)), reset_after);
    resets_at(text, std::chrono::time_point<system_clock, std::chrono::minutes>(std::chrono::minutes(count)),
              reset_after);
  }
  if (size >= 16) numbers_written_parse_back(a, b);
  return 0;
}
