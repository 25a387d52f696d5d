// libFuzzer target: the rate-limit field parsers (rate/ratelimit_fields.hpp, rate/x_ratelimit.hpp) take any
// bytes without crashing, and what they accept survives a round trip: each accepted RateLimit-Policy and
// RateLimit member, written back with the writers (whose size functions give the exact length), parses to
// the same names and numbers; X-RateLimit-* integers print back to the same digits (less leading zeros and
// whitespace); and numbers taken from the input, written, parse back unchanged.
//
// Input layout: the whole input is parsed as each field; its first 16 bytes, when present, also give two
// 64-bit numbers (little-endian) that are written and re-parsed, the first also read as a Unix time `now`.
#include <keyward/rate/ratelimit_fields.hpp>
#include <keyward/rate/x_ratelimit.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
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
  // Any Unix time, the extremes of a sys_seconds included.
  const keyward::http::sys_seconds now{std::chrono::seconds(static_cast<std::int64_t>(a))};
  const auto reset = rate::parse_x_ratelimit_reset(value, now, rate::reset_meaning::unix_seconds);
  require(!reset || reset->count() >= 0);
  if (size >= 16) numbers_written_parse_back(a, b);
  return 0;
}
