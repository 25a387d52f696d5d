// Tests for include/keyward/rate/ratelimit_fields.hpp: RateLimit-Policy and RateLimit
// (draft-ietf-httpapi-ratelimit-headers-11), parsed and written.
#define BOOST_TEST_MODULE rate_ratelimit_fields
#include <boost/test/unit_test.hpp>

#include <keyward/rate/ratelimit_fields.hpp>

#include "support/count_allocations.hpp"
#include "support/make_decision.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Optional values are compared whole; Boost.Test cannot print them.
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::uint64_t>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::string>)

using keyward::errc;
using keyward_test::make_decision;
using namespace std::chrono_literals;
namespace rate = keyward::rate;

using keyward_test::allocations;
using keyward_test::counting;

namespace {

// The members a parse passed on, copied out of the views so that they can be compared.
struct policy_seen {
  std::string name;
  std::uint64_t quota;
  std::optional<std::string> unit;
  std::optional<std::uint64_t> window;
  std::optional<std::string> partition_key;
};
struct limit_seen {
  std::string policy;
  std::uint64_t available;
  std::optional<std::uint64_t> window;
  std::optional<std::string> partition_key;
};

struct policies_parsed {
  keyward::result<rate::member_counts> counts;
  std::vector<policy_seen> members;
};
struct limits_parsed {
  keyward::result<rate::member_counts> counts;
  std::vector<limit_seen> members;
};

policies_parsed parse_policies(std::string_view value) {
  std::vector<policy_seen> seen;
  auto counts = rate::parse_ratelimit_policy(value, [&](const rate::quota_policy_view& p) {
    policy_seen s{p.name.str(), p.quota, std::nullopt, p.window_seconds, std::nullopt};
    if (p.quota_unit) s.unit = p.quota_unit->str();
    if (p.partition_key) s.partition_key = std::string(*p.partition_key);
    seen.push_back(s);
  });
  return {counts, seen};
}

limits_parsed parse_limits(std::string_view value) {
  std::vector<limit_seen> seen;
  auto counts = rate::parse_ratelimit(value, [&](const rate::service_limit_view& l) {
    limit_seen s{l.policy.str(), l.available_quota, l.effective_window_seconds, std::nullopt};
    if (l.partition_key) s.partition_key = std::string(*l.partition_key);
    seen.push_back(s);
  });
  return {counts, seen};
}

}  // namespace

// ---- RateLimit-Policy and RateLimit: the draft's own examples ----------------------------------------

BOOST_AUTO_TEST_CASE(draft_policy_examples) {
  // draft-ietf-httpapi-ratelimit-headers-11 section 3.
  auto p = parse_policies(R"("burst";q=100;w=60,"daily";q=1000;w=86400)");
  BOOST_TEST_REQUIRE(p.counts.has_value());
  BOOST_TEST(p.counts->accepted == 2u);
  BOOST_TEST(p.counts->ignored == 0u);
  BOOST_TEST_REQUIRE(p.members.size() == 2u);
  BOOST_TEST(p.members[0].name == "burst");
  BOOST_TEST(p.members[0].quota == 100u);
  BOOST_TEST(p.members[0].window == 60u);
  BOOST_TEST(!p.members[0].unit.has_value());
  BOOST_TEST(p.members[1].name == "daily");
  BOOST_TEST(p.members[1].quota == 1000u);
  BOOST_TEST(p.members[1].window == 86400u);

  // Section 3.2.
  p = parse_policies(R"("default";q=100;w=10)");
  BOOST_TEST_REQUIRE(p.members.size() == 1u);
  BOOST_TEST(p.members[0].name == "default");
  BOOST_TEST(p.members[0].quota == 100u);
  BOOST_TEST(p.members[0].window == 10u);

  p = parse_policies(R"("permin";q=50;w=60,"perhr";q=1000;w=3600)");
  BOOST_TEST_REQUIRE(p.members.size() == 2u);
  BOOST_TEST(p.members[0].name == "permin");
  BOOST_TEST(p.members[0].quota == 50u);
  BOOST_TEST(p.members[1].name == "perhr");
  BOOST_TEST(p.members[1].window == 3600u);

  // The draft's partition keys have non-zero pad bits ("4" and "H" before "=="), which RFC 9651 section 4.2.7
  // says parsers should accept.
  p = parse_policies(R"("peruser";q=100;w=60;pk=:cHsdsRa894==:)");
  BOOST_TEST_REQUIRE(p.members.size() == 1u);
  BOOST_TEST(p.members[0].partition_key == std::string("cHsdsRa894=="));

  p = parse_policies(R"("peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:)");
  BOOST_TEST_REQUIRE(p.members.size() == 1u);
  BOOST_TEST(p.members[0].quota == 65535u);
  BOOST_TEST(p.members[0].unit == std::string("content-bytes"));
  BOOST_TEST(p.members[0].window == 10u);
  BOOST_TEST(p.members[0].partition_key == std::string("sdfjLJUOUH=="));

  // Appendix B.3.1: a space after the comma.
  p = parse_policies(R"("hour";q=1000;w=3600, "day";q=5000;w=86400)");
  BOOST_TEST_REQUIRE(p.members.size() == 2u);
  BOOST_TEST(p.members[1].name == "day");
  BOOST_TEST(p.members[1].quota == 5000u);

  // FAQ 8: an unknown parameter is a comment.
  p = parse_policies(R"("sliding";q=100;w=60;burst=1000)");
  BOOST_TEST_REQUIRE(p.members.size() == 1u);
  BOOST_TEST(p.members[0].quota == 100u);
}

BOOST_AUTO_TEST_CASE(draft_ratelimit_examples) {
  // Section 4.2.
  auto l = parse_limits(R"("default";r=50;t=30)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].policy == "default");
  BOOST_TEST(l.members[0].available == 50u);
  BOOST_TEST(l.members[0].window == 30u);

  l = parse_limits(R"("default";r=999;pk=:dHJpYWwxMjEzMjM=:)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].available == 999u);
  BOOST_TEST(!l.members[0].window.has_value());
  BOOST_TEST_REQUIRE(l.members[0].partition_key.has_value());
  BOOST_TEST(*keyward::base64::decode(*l.members[0].partition_key) == "trial121323");

  l = parse_limits(R"("default";r=300000000;t=60;pk=:QXBwLTk5OQ==:)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].available == 300'000'000u);
  BOOST_TEST(*keyward::base64::decode(*l.members[0].partition_key) == "App-999");

  // Section 6, appendix B.
  l = parse_limits(R"("problemPolicy";r=0;t=10)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].policy == "problemPolicy");
  BOOST_TEST(l.members[0].available == 0u);
  l = parse_limits(R"("dayLimit";r=100;t=36000)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].window == 36000u);

  // "RateLimit-Policy: ...; RateLimit: "sliding";q=12;r=6;t=1" (web usage section): q is no RateLimit
  // parameter, so it is a comment.
  l = parse_limits(R"("sliding";q=12;r=6;t=1)");
  BOOST_TEST_REQUIRE(l.members.size() == 1u);
  BOOST_TEST(l.members[0].available == 6u);
  BOOST_TEST(l.members[0].window == 1u);
}

// ---- Malformed values ------------------------------------------------------------------------------------

namespace {

// How a RateLimit value must come out: a whole-field error at an offset, or accepted/ignored counts and
// the r of the first accepted member.
struct limit_case {
  std::string_view value;
  std::optional<std::size_t> error_offset;  // rate_header_invalid_list here, when set
  std::size_t accepted;
  std::size_t ignored;
  std::uint64_t first_r;
  const char* why;
};

}  // namespace

BOOST_AUTO_TEST_CASE(malformed_ratelimit_values) {
  const std::optional<std::size_t> valid;
  const limit_case cases[] = {
      // Member-level problems: the draft's rules, the member is ignored and the others used.
      {R"("a";r=-1)", valid, 0, 1, 0, "negative r (section 4.1.1: non-negative Integer)"},
      {R"("a";r=1.5)", valid, 0, 1, 0, "a Decimal r"},
      {R"("a";r="1")", valid, 0, 1, 0, "a String r"},
      {R"("a";r)", valid, 0, 1, 0, "r without a value is the Boolean true (RFC 9651 4.2.3.2 step 2.5)"},
      {R"("a";t=5)", valid, 0, 1, 0, "r missing"},
      {R"("a";r=5;t=-1)", valid, 0, 1, 0, "negative t"},
      {R"("a";r=5;t=?1)", valid, 0, 1, 0, "a Boolean t"},
      {R"(a;r=5)", valid, 0, 1, 0, "policy as a Token: no quotes"},
      {R"(5;r=5)", valid, 0, 1, 0, "policy as an Integer"},
      {R"(("a" "b");r=5, "c";r=7)", valid, 1, 1, 7, "an Inner List member is skipped whole"},
      {R"("a";r=5;pk=abc, "b";r=6)", valid, 1, 1, 6, "pk as a Token, not a Byte Sequence"},
      {R"("a";r=1;r=2)", valid, 1, 0, 2, "a repeated parameter: the last value wins (RFC 9651 4.2.3.2 2.7)"},
      {R"("a";r=1;r=x)", valid, 0, 1, 0, "the last r is a Token"},
      {R"("a";r=x;r=3)", valid, 1, 0, 3, "an earlier bad r is overwritten"},
      {R"("a";r=5;foo=bar;acme-burst="y";x=?0)", valid, 1, 0, 5, "unknown parameters are comments"},
      {R"("a";r=5;x=@1700000000;y=%"caf%c3%a9")", valid, 1, 0, 5, "a Date and a Display String parameter"},
      {R"("a";r=999999999999999)", valid, 1, 0, 999'999'999'999'999, "the largest Integer (15 digits)"},
      {R"("a";r=007)", valid, 1, 0, 7, "leading zeros are digits"},
      {R"("a";r=-0)", valid, 1, 0, 0, "-0 is the Integer 0"},
      {R"(  "a";r=5  )", valid, 1, 0, 5, "leading and trailing SP"},
      {"\"a\";r=5,\t\"b\";r=6", valid, 2, 0, 5, "OWS (a tab) after a comma"},
      {R"("a\"b\\c";r=5)", valid, 1, 0, 5, "escapes in the policy name"},
      {R"("a";r=1;pk=:YWJj:)", valid, 1, 0, 1, "a Byte Sequence"},
      {R"("a";r=1;pk=:YWI:)", valid, 1, 0, 1, "Base64 without its padding (RFC 9651 4.2.7: accept)"},
      {R"("a";r=1;pk=::)", valid, 1, 0, 1, "an empty Byte Sequence"},
      // Structured Field syntax errors: the whole field is discarded (RFC 9651 section 4.2).
      {R"("a;r=1)", 6, 0, 0, 0, "unterminated String (4.2.5 step 5)"},
      {R"("a\x";r=1)", 3, 0, 0, 0, "an escape other than \" or \\ (4.2.5 step 4.2)"},
      {"\"\xc3\xa9\";r=1", 1, 0, 0, 0, "a non-ASCII byte in a String (4.2.5 step 4.4)"},
      {"\"a\x01\";r=1", 2, 0, 0, 0, "a control character in a String"},
      {R"("a";R=1)", 4, 0, 0, 0, "a key must start with lcalpha or '*' (4.2.3.3 step 1)"},
      {R"("a";r=1234567890123456)", 21, 0, 0, 0, "16 digits (4.2.4 step 5.5)"},
      {R"("a";r=1;x=1.2345)", 15, 0, 0, 0, "four fraction digits (4.2.4 step 7.2)"},
      {R"("a";r=1;x=1.)", 11, 0, 0, 0, "a Decimal ending in '.' (4.2.4 step 7.1)"},
      {R"("a";r=1;x=1234567890123.5)", 23, 0, 0, 0, "13 integer digits before '.' (4.2.4 step 5.3.1)"},
      {R"("a";r=1;x=-)", 11, 0, 0, 0, "a lone '-' (4.2.4 step 3)"},
      {R"("a";r=1;x=@1.5)", 12, 0, 0, 0, "a Decimal Date (4.2.9 step 4)"},
      {R"("a";r=1;x=%"%c3")", 15, 0, 0, 0, "a Display String that is not UTF-8 (4.2.10 step 4.4.1)"},
      {R"("a";r=1;x=%"%C3%A9")", 13, 0, 0, 0, "upper-case hex in a Display String (4.2.10 step 4.3.2)"},
      {R"("a";r=1;x=?2)", 11, 0, 0, 0, "a Boolean other than ?0 or ?1 (4.2.8)"},
      {R"("a";r=1;pk=:Y:)", 13, 0, 0, 0, "Base64 with a lone final character cannot decode (4.2.7 step 7)"},
      {R"("a";r=1;pk=:Y=Q=:)", 14, 0, 0, 0, "data after '=' in the Base64"},
      {R"("a";r=1;pk=:YWJj)", 16, 0, 0, 0, "no closing ':' (4.2.7 step 3)"},
      {R"("a";r=1;pk=:YW.j:)", 14, 0, 0, 0, "a byte outside Base64 (4.2.7 step 6)"},
      {R"("a";r=1,)", 8, 0, 0, 0, "a trailing comma (4.2.1 step 2.6)"},
      {R"("a";r=1,,"b";r=2)", 8, 0, 0, 0, "an empty member"},
      {R"("a";r=1 "b";r=2)", 8, 0, 0, 0, "no comma between members (4.2.1 step 2.4)"},
      {R"("a" ;r=1)", 4, 0, 0, 0, "a space before ';'"},
      {R"("a";r =1)", 6, 0, 0, 0, "a space before '='"},
      {R"("a";r= 1)", 6, 0, 0, 0, "a space after '='"},
      {"\t\"a\";r=1", 0, 0, 0, 0, "a leading tab (only SP is discarded, 4.2 step 2)"},
      {R"(("a" "b";r=5)", 12, 0, 0, 0, "an unterminated Inner List (4.2.1.2 step 4)"},
      {R"(("a""b");r=5)", 4, 0, 0, 0, "Inner List items need a space between them (4.2.1.2 step 3.4)"},
      {R"([a];r=5)", 0, 0, 0, 0, "not a bare item (4.2.3.1)"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.why << ": " << c.value) {
      const auto parsed = parse_limits(c.value);
      if (c.error_offset) {
        BOOST_TEST_REQUIRE(!parsed.counts.has_value());
        BOOST_TEST(parsed.counts.error() == keyward::error(errc::rate_header_invalid_list, *c.error_offset));
        BOOST_TEST(parsed.members.empty());  // nothing reported from a field that fails
      } else {
        BOOST_TEST_REQUIRE(parsed.counts.has_value());
        BOOST_TEST(parsed.counts->accepted == c.accepted);
        BOOST_TEST(parsed.counts->ignored == c.ignored);
        BOOST_TEST_REQUIRE(parsed.members.size() == c.accepted);
        if (c.accepted != 0) BOOST_TEST(parsed.members[0].available == c.first_r);
      }
    }
  }
  BOOST_TEST(parse_limits("").counts.error() == errc::rate_header_empty);
  BOOST_TEST(parse_limits("   ").counts.error() == errc::rate_header_empty);
  BOOST_TEST(parse_policies("").counts.error() == errc::rate_header_empty);
}

BOOST_AUTO_TEST_CASE(malformed_policy_members) {
  struct policy_case {
    std::string_view value;
    std::size_t accepted;
    const char* why;
  };
  const policy_case cases[] = {
      {R"("a";q=0)", 1, "q=0 is a non-negative Integer"},
      {R"("a";q=10;w=0)", 0, "w=0 (section 3.1.3: non-zero)"},
      {R"("a";q=10;w=-5)", 0, "negative w"},
      {R"("a";q=10;w=1.5)", 0, "sub-second w is not supported"},
      {R"("a";w=10)", 0, "q missing (section 3.1: REQUIRED)"},
      {R"("a";q=-1)", 0, "negative q"},
      {R"("a";q=10;qu=requests)", 0, "qu as a Token (section 3.1.2: a String)"},
      {R"("a";q=10;pk="abc")", 0, "pk as a String (section 3.1.4: a Byte Sequence)"},
      {R"(a;q=10)", 0, "the policy as a Token (section 3: a String)"},
      {R"("a";q=10;qu="concurrent-requests";w=1, b;q=1, "c";q=3)", 2, "the bad member in the middle only"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.why << ": " << c.value) {
      const auto parsed = parse_policies(c.value);
      BOOST_TEST_REQUIRE(parsed.counts.has_value());
      BOOST_TEST(parsed.counts->accepted == c.accepted);
      BOOST_TEST(parsed.members.size() == c.accepted);
    }
  }
}

BOOST_AUTO_TEST_CASE(escaped_names) {
  const auto parsed = parse_limits(R"("a\"b\\c";r=5)");
  BOOST_TEST_REQUIRE(parsed.members.size() == 1u);
  BOOST_TEST(parsed.members[0].policy == "a\"b\\c");
  bool equal = false, unequal = true;
  (void)rate::parse_ratelimit(R"("a\"b\\c";r=5)", [&](const rate::service_limit_view& l) {
    BOOST_TEST(l.policy.escaped() == R"(a\"b\\c)");
    equal = l.policy.equals("a\"b\\c");
    unequal = l.policy.equals("a\"b\\") || l.policy.equals("a\"b\\cd") || l.policy.equals(R"(a\"b\\c)");
  });
  BOOST_TEST(equal);
  BOOST_TEST(!unequal);
}

// ---- Writing ----------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(write_the_draft_examples) {
  // The draft's section 3 example, written back exactly (with ", " between members, RFC 9651 4.1.1).
  rate::quota_policy policies[2];
  policies[0].name = "burst";
  policies[0].quota = 100;
  policies[0].window_seconds = 60;
  policies[1].name = "daily";
  policies[1].quota = 1000;
  policies[1].window_seconds = 86400;
  BOOST_TEST(*rate::ratelimit_policy(policies, 2) == R"("burst";q=100;w=60, "daily";q=1000;w=86400)");

  // Section 3.2 with a unit and a partition key: pk is written from raw bytes, in canonical Base64.
  rate::quota_policy per_user;
  per_user.name = "peruser";
  per_user.quota = 65535;
  per_user.quota_unit = "content-bytes";
  per_user.window_seconds = 10;
  per_user.partition_key = "trial121323";
  BOOST_TEST(*rate::ratelimit_policy(per_user) ==
             R"("peruser";q=65535;qu="content-bytes";w=10;pk=:dHJpYWwxMjEzMjM=:)");

  rate::service_limit limit;
  limit.policy = "default";
  limit.available_quota = 50;
  limit.effective_window_seconds = 30;
  BOOST_TEST(*rate::ratelimit(limit) == R"("default";r=50;t=30)");
  limit.effective_window_seconds.reset();
  limit.available_quota = 300000000;
  limit.partition_key = "App-999";
  BOOST_TEST(*rate::ratelimit(limit) == R"("default";r=300000000;pk=:QXBwLTk5OQ==:)");

  char out[64];
  auto n = rate::write_ratelimit(limit, out, sizeof out);
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(std::string_view(out, *n) == R"("default";r=300000000;pk=:QXBwLTk5OQ==:)");
}

BOOST_AUTO_TEST_CASE(write_errors) {
  rate::service_limit limit;
  limit.policy = "default";
  limit.available_quota = 5;
  char out[32];
  std::fill(std::begin(out), std::end(out), '#');
  // "default";r=5 is 13 characters: 12 do not hold it, and nothing is written.
  BOOST_TEST(rate::write_ratelimit(limit, out, 12).error() == errc::buffer_too_small);
  BOOST_TEST(out[0] == '#');
  BOOST_TEST(*rate::write_ratelimit(limit, out, 13) == 13u);

  limit.available_quota = 1'000'000'000'000'000;  // 16 digits
  BOOST_TEST(rate::ratelimit(limit).error() == errc::rate_header_value_out_of_range);
  limit.available_quota = 999'999'999'999'999;
  BOOST_TEST(rate::ratelimit(limit).has_value());
  limit.policy = "line\nbreak";
  BOOST_TEST(rate::ratelimit(limit).error() == errc::rate_header_invalid_string);
  limit.policy = "caf\xc3\xa9";
  BOOST_TEST(rate::ratelimit(limit).error() == errc::rate_header_invalid_string);
  BOOST_TEST(rate::ratelimit(nullptr, 0).error() == errc::rate_header_empty);

  rate::quota_policy policy;
  policy.name = "p";
  policy.quota = 1;
  policy.window_seconds = 0;
  BOOST_TEST(rate::ratelimit_policy(policy).error() == errc::rate_header_value_out_of_range);
  policy.window_seconds = 1;
  policy.quota_unit = "tab\there";
  BOOST_TEST(rate::ratelimit_policy(policy).error() == errc::rate_header_invalid_string);
}

BOOST_AUTO_TEST_CASE(sizes_match_what_is_written) {
  // `"default";r=50;t=30` is 19 characters (the draft's section 4.2 example), known at compile time.
  static_assert(rate::ratelimit_size(rate::service_limit{"default", 50, 30, std::nullopt}) == 19);
  // `"a\"b";q=7;qu="x";w=1;pk=:YWJj:`: 2 quotes + 4 (one escape) + ";q=7" + ";qu=\"x\"" + ";w=1" + ";pk=:YWJj:".
  static_assert(rate::ratelimit_policy_size(rate::quota_policy{"a\"b", 7, "x", 1, "abc"}) == 6 + 4 + 7 + 4 + 10);

  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  rate::quota_policy policies[3];
  policies[0].name = "with \"escapes\" and \\";
  policies[0].quota = 0;
  policies[1].name = "";
  policies[1].quota = 999'999'999'999'999;
  policies[1].window_seconds = 86400;
  policies[1].quota_unit = "content-bytes";
  policies[2].name = "key";
  policies[2].quota = 7;
  policies[2].partition_key = every_byte;  // 256 bytes, every value: the SIMD encoders, then a padded tail
  for (std::size_t count = 1; count <= 3; ++count) {
    const auto written = rate::ratelimit_policy(policies, count);
    BOOST_TEST_REQUIRE(written.has_value());
    BOOST_TEST(rate::ratelimit_policy_size(policies, count) == written->size());
  }
  BOOST_TEST(rate::ratelimit_policy_size(policies[2]) == rate::ratelimit_policy(policies[2])->size());

  rate::service_limit limits[2];
  limits[0].policy = "p";
  limits[0].available_quota = 0;
  limits[1].policy = "q\\";
  limits[1].available_quota = 123456;
  limits[1].effective_window_seconds = 0;
  limits[1].partition_key = "App-999";
  BOOST_TEST(rate::ratelimit_size(limits, 2) == rate::ratelimit(limits, 2)->size());
  char out[64];
  const std::size_t size = rate::ratelimit_size(limits, 2);
  BOOST_TEST(*rate::write_ratelimit(limits, 2, out, size) == size);
  BOOST_TEST(rate::write_ratelimit(limits, 2, out, size - 1).error() == errc::buffer_too_small);
}

BOOST_AUTO_TEST_CASE(round_trips) {
  // Names with every printable ASCII byte, escapes included, and partition keys of every byte.
  std::string every_printable;
  for (char c = 0x20; c < 0x7f; ++c) every_printable.push_back(c);
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));

  rate::quota_policy policies[3];
  policies[0].name = every_printable;
  policies[0].quota = 0;
  policies[1].name = "";
  policies[1].quota = 999'999'999'999'999;
  policies[1].window_seconds = 1;
  policies[1].quota_unit = "content-bytes";
  policies[2].name = "with key";
  policies[2].quota = 7;
  policies[2].partition_key = every_byte;
  const auto written = rate::ratelimit_policy(policies, 3);
  BOOST_TEST_REQUIRE(written.has_value());
  const auto parsed = parse_policies(*written);
  BOOST_TEST_REQUIRE(parsed.counts.has_value());
  BOOST_TEST_REQUIRE(parsed.members.size() == 3u);
  BOOST_TEST(parsed.members[0].name == every_printable);
  BOOST_TEST(parsed.members[0].quota == 0u);
  BOOST_TEST(!parsed.members[0].window.has_value());
  BOOST_TEST(parsed.members[1].name == "");
  BOOST_TEST(parsed.members[1].quota == 999'999'999'999'999u);
  BOOST_TEST(parsed.members[1].window == 1u);
  BOOST_TEST(parsed.members[1].unit == std::string("content-bytes"));
  BOOST_TEST_REQUIRE(parsed.members[2].partition_key.has_value());
  BOOST_TEST(*keyward::base64::decode(*parsed.members[2].partition_key) == every_byte);

  for (const std::uint64_t r : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}, rate::max_field_integer}) {
    rate::service_limit limit;
    limit.policy = "p";
    limit.available_quota = r;
    limit.effective_window_seconds = r;
    const auto parsed_limit = parse_limits(*rate::ratelimit(limit));
    BOOST_TEST_REQUIRE(parsed_limit.members.size() == 1u);
    BOOST_TEST(parsed_limit.members[0].available == r);
    BOOST_TEST(parsed_limit.members[0].window == r);
  }
}

// ---- From the limiter's types ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(policy_of_a_quota) {
  struct expectation {
    std::uint64_t count;
    std::chrono::nanoseconds period;
    std::uint64_t q, w;
    const char* derivation;
  };
  const expectation cases[] = {
      {100, 60s, 100, 60, "a whole number of seconds: q=count, w=period"},
      {5, 500ms, 10, 1, "gcd(500 ms, 1 s) = 500 ms: 2 periods make w = 1 s, q = 2 * 5"},
      {1, 300ms, 10, 3, "gcd(300 ms, 1 s) = 100 ms: 10 periods make w = 3 s, q = 10 * 1"},
      {7, 1500ms, 14, 3, "gcd(1.5 s, 1 s) = 500 ms: 2 periods make w = 3 s, q = 14"},
      {3, 1ns, 3'000'000'000, 1, "gcd(1 ns, 1 s) = 1 ns: 10^9 periods make w = 1 s, q = 3 * 10^9"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.derivation) {
      rate::quota limit;
      limit.count = c.count;
      limit.period = c.period;
      limit.burst = 3;
      const auto policy = rate::quota_policy_of("p", limit);
      BOOST_TEST_REQUIRE(policy.has_value());
      BOOST_TEST(policy->quota == c.q);
      BOOST_TEST(policy->window_seconds == c.w);
      BOOST_TEST(policy->name == "p");
    }
  }
  rate::quota invalid;
  invalid.count = 0;
  BOOST_TEST(rate::quota_policy_of("p", invalid).error() == errc::rate_header_value_out_of_range);
  rate::quota huge;
  huge.count = 1'000'000'000;  // per 1 ns: q would be 10^18
  huge.period = 1ns;
  BOOST_TEST(rate::quota_policy_of("p", huge).error() == errc::rate_header_value_out_of_range);
}

BOOST_AUTO_TEST_CASE(service_limit_of_a_decision) {
  using rate::verdict;
  const auto allowed = rate::service_limit_of("api", make_decision(verdict::allowed, 10, 4, 0ns, 2500ms));
  BOOST_TEST(allowed.policy == "api");
  BOOST_TEST(allowed.available_quota == 4u);
  BOOST_TEST(allowed.effective_window_seconds == 3u);  // ceil(2.5 s) until the burst is whole again
  BOOST_TEST(*rate::ratelimit(allowed) == R"("api";r=4;t=3)");

  // Denied: t is the retry delay, so that a Retry-After sent with it is not earlier (draft section 6).
  const auto denied_decision = make_decision(verdict::denied, 10, 0, 200ms, 9s);
  const auto denied = rate::service_limit_of("api", denied_decision);
  BOOST_TEST(denied.available_quota == 0u);
  BOOST_TEST(denied.effective_window_seconds == 1u);
  BOOST_TEST(*denied.effective_window_seconds <=
             static_cast<std::uint64_t>(rate::retry_after(denied_decision)->count()));
}

BOOST_AUTO_TEST_CASE(parsers_and_writers_allocate_nothing) {
  // Valid and malformed values, long ones included (no small-string optimisation hides a copy).
  const std::string long_name = "\"" + std::string(3000, 'n') + "\";r=5;t=1";
  const std::string values[] = {
      R"("burst";q=100;w=60,"daily";q=1000;w=86400)", R"("a\"b";r=1;r=2, ("x" "y");r=3, tok;r=4)",
      R"("a";r=1;x=@1700000000;y=%"caf%c3%a9";z=1.234)", R"("a";r=1;pk=:Y:)", R"("a;r=1)", "", "  ", long_name,
      "18446744073709551616", " 60 "};
  std::size_t seen = 0;
  char out[256];
  rate::service_limit limit;
  limit.policy = "default";
  limit.available_quota = 50;
  limit.effective_window_seconds = 30;
  limit.partition_key = "App-999";
  rate::quota_policy policy;
  policy.name = "peruser";
  policy.quota = 100;
  policy.quota_unit = "requests";
  policy.window_seconds = 60;

  allocations = 0;
  counting = true;
  for (const std::string& value : values) {
    (void)rate::parse_ratelimit(value, [&](const rate::service_limit_view& l) { seen += l.available_quota; });
    (void)rate::parse_ratelimit_policy(value, [&](const rate::quota_policy_view& p) { seen += p.quota; });
  }
  const bool written = rate::write_ratelimit(limit, out, sizeof out).has_value() &&
                       rate::write_ratelimit_policy(policy, out, sizeof out).has_value();
  counting = false;
  BOOST_TEST(allocations == 0u);
  BOOST_TEST(written);
  BOOST_TEST(seen > 0u);
}
