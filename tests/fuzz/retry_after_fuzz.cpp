// libFuzzer target for keyward::http::parse_retry_after. The first 8 input bytes are `now` (seconds since
// 1970, little-endian, any int64), the rest is the field value. Checks against a reference read straight
// from RFC 9110 section 10.2.3: after trimming SP and HTAB, a run of DIGITs is that many seconds (compared
// as a decimal string with 2^31, so no arithmetic can overflow), anything else must be an HTTP-date
// (http::parse_date, fuzzed on its own by http_date_fuzz), whose distance from `now` is computed in 128
// bits and clamped to [0, 2^31]; errors point inside the value.
#include <keyward/http/retry_after.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

namespace {

namespace http = keyward::http;

constexpr std::int64_t cap = std::int64_t{1} << 31;

std::optional<std::int64_t> reference(std::string_view value, http::sys_seconds now) {
  const auto ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && ows(value.front())) value.remove_prefix(1);
  while (!value.empty() && ows(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool all_digits = true;
  for (const char c : value) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    while (value.size() > 1 && value.front() == '0') value.remove_prefix(1);
    const std::string_view limit = "2147483648";
    if (value.size() > limit.size() || (value.size() == limit.size() && value >= limit)) return cap;
    std::int64_t n = 0;
    for (const char c : value) n = n * 10 + (c - '0');
    return n;
  }
  const auto date = http::parse_date(value, now);
  if (!date) return std::nullopt;
  __extension__ typedef __int128 wide;  // clang, the fuzzers' compiler, has it on every fuzzing target
  const wide until = static_cast<wide>(date->time_since_epoch().count()) - now.time_since_epoch().count();
  return static_cast<std::int64_t>(until < 0 ? 0 : until > cap ? cap : until);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint64_t raw = 0;
  const std::size_t now_bytes = size < 8 ? size : 8;
  for (std::size_t i = 0; i < now_bytes; ++i) raw |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const http::sys_seconds now{std::chrono::seconds(static_cast<std::int64_t>(raw))};
  const std::size_t length = size - now_bytes;
  const std::unique_ptr<char[]> copy(new char[length + 1]);  // exactly the value, so overreads are caught
  if (length != 0) std::memcpy(copy.get(), data + now_bytes, length);
  const std::string_view value(copy.get(), length);

  const auto delay = keyward::http::parse_retry_after(value, now);
  const auto expected = reference(value, now);
  FUZZ_CHECK(delay.has_value() == expected.has_value());
  if (delay) {
    FUZZ_CHECK(delay->count() == *expected);
    FUZZ_CHECK(delay->count() >= 0 && *delay <= keyward::http::max_retry_after);
  } else {
    FUZZ_CHECK(delay.error() == keyward::errc::http_invalid_retry_after);
    FUZZ_CHECK(delay.error().has_offset() && delay.error().offset() <= value.size());
  }
  return 0;
}
