// A user's build: one translation unit that includes every public keyward header (all of include/keyward/
// except detail/ and the optional rate/redis.hpp) and instantiates or calls every public function template,
// class template and inline function, so that the strict warnings users turn on (-Wall -Wextra -Wpedantic
// -Wshadow -Wconversion -Werror, at -O2 and -O3, where GCC's flow-based warnings appear) see all of it
// through plain -I. tests/user_build/run.sh compiles it; it also fails when a public header is missing here.
// exercise() is never run: main() only calls it when argc is impossible; its results feed a volatile so
// nothing is optimised away before the warnings are computed. With KEYWARD_USER_BUILD_SINGLE_HEADER defined
// (the single_include/ builds), only the single header is included.
#ifdef KEYWARD_USER_BUILD_SINGLE_HEADER
#include <keyward/keyward.hpp>
#else
#include <keyward/base64.hpp>
#include <keyward/config.hpp>
#include <keyward/crypto/equal_length_hiding.hpp>
#include <keyward/crypto/hmac.hpp>
#include <keyward/crypto/sha2.hpp>
#include <keyward/crypto/siphash.hpp>
#include <keyward/ct.hpp>
#include <keyward/error.hpp>
#include <keyward/http/basic.hpp>
#include <keyward/http/bearer.hpp>
#include <keyward/http/challenge.hpp>
#include <keyward/http/classify.hpp>
#include <keyward/http/credentials.hpp>
#include <keyward/http/date.hpp>
#include <keyward/http/denial.hpp>
#include <keyward/http/retry_after.hpp>
#include <keyward/http/status.hpp>
#include <keyward/kernels.hpp>
#include <keyward/keyward.hpp>
#include <keyward/random.hpp>
#include <keyward/rate/gcra.hpp>
#include <keyward/rate/keyed.hpp>
#include <keyward/rate/quota.hpp>
#include <keyward/rate/ratelimit_fields.hpp>
#include <keyward/rate/x_ratelimit.hpp>
#include <keyward/retry/backoff.hpp>
#include <keyward/retry/run.hpp>
#include <keyward/secret.hpp>
#include <keyward/version.hpp>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace {

volatile std::size_t sink = 0;

void use(std::size_t value) { sink = sink + value; }
void use(bool value) { use(static_cast<std::size_t>(value)); }
void use(std::string_view value) { use(value.size()); }
void use(const char* value) { use(std::string_view(value)); }  // not the pointer-to-bool conversion
template <class T>
void use(const keyward::result<T>& value) { use(static_cast<bool>(value)); }
template <class T>
void use(const std::optional<T>& value) { use(value.has_value()); }

// A manual clock, as a test would use, with a const member now().
struct manual_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<manual_clock>;
  std::int64_t ticks = 0;
  time_point now() const noexcept { return time_point(duration(ticks)); }
};

// A clock with a static now().
struct static_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<static_clock>;
  static time_point now() noexcept { return time_point(duration(sink)); }
};

enum class small_enum : std::uint8_t { a = 1, b = 2 };

template <class Hash>
void hash_and_mac() {
  Hash h;
  h.update("abc", 3);
  h.update(std::string_view("def"));
  use(h.final().size());
  h.reset();
  use(Hash::hash("abc", 3).size());
  constexpr auto fixed = Hash::hash(std::string_view("abc"));
  use(fixed.size());
  use(Hash::digest_size + Hash::block_size);

  using mac_type = keyward::crypto::hmac<Hash>;
  mac_type mac(std::string_view("key"));
  mac_type mac2("key", 3);
  mac_type copy = mac;
  copy = mac2;
  auto stream = mac.start();
  stream.update("message", 7);
  stream.update(std::string_view("more"));
  auto stream_copy = stream;
  stream_copy = stream;
  const typename mac_type::tag tag = stream.final();
  use(stream_copy.final().size());
  const std::string_view tag_text(reinterpret_cast<const char*>(tag.data()), tag.size());
  use(mac.sign("message", 7).size());
  use(copy.sign(std::string_view("message")).size());
  use(mac.verify("message", tag_text));
  use(mac.verify("message", tag_text, 16));
  use(mac.check("message", tag_text));
  use(mac.check("message", tag_text, 16));
  use(mac_type::compute(std::string_view("k"), std::string_view("m")).size());
  use(mac_type::compute("k", 1, "m", 1).size());
  use(mac_type::tag_size + mac_type::block_size + mac_type::min_truncated_size);
}

template <class T>
void select_of() {
  const T a = static_cast<T>(1), b = static_cast<T>(2);
  use(keyward::ct::select(sink != 0, a, b) == a);
}

template <class Clock>
void limiter(const Clock& clock) {
  namespace rate = keyward::rate;
  namespace http = keyward::http;
  const rate::quota limit{10, std::chrono::seconds(1), 5};
  use(limit.valid());
  use(limit == rate::quota{});
  use(limit != rate::quota{});
  auto made = rate::gcra<Clock>::make(limit, clock);
  if (!made) return;
  rate::gcra<Clock> one(std::move(*made));
  const auto now = clock.now();
  const rate::decision d = one.acquire(now, 2);
  use(d.allowed());
  use(static_cast<bool>(one.acquire()));
  use(static_cast<bool>(one.acquire(3)));
  use(static_cast<bool>(one.peek(now)));
  use(static_cast<bool>(one.peek()));
  use(one.is_fresh(now));
  use(one.is_fresh());
  rate::reservation r1 = one.reserve(now, 1);
  rate::reservation r2 = one.reserve(now);
  rate::reservation r3 = one.reserve();
  use(r1.allowed() && static_cast<bool>(r2) && r3.allowed());
  use(static_cast<std::size_t>(r1.delay.count() + r1.wait.count()));
  use(one.cancel(r1));
  use(one.set_quota(limit, now));
  use(one.set_quota(limit));
  use(static_cast<std::size_t>(one.current_quota().count));

  auto keyed_made = rate::keyed<std::string, rate::keyed_hash, Clock>::make(limit, 100, {}, clock);
  if (!keyed_made) return;
  auto& many = *keyed_made;
  const std::string key = "client";
  use(many.acquire(key, now, 1));
  use(many.acquire(key, now));
  use(many.acquire(key));
  use(many.acquire(key, 2));
  use(static_cast<bool>(many.peek(key, now)));
  use(static_cast<bool>(many.peek(key)));
  use(many.set_quota(limit, now));
  use(many.set_quota(limit));
  use(static_cast<std::size_t>(many.current_quota().burst));
  use(many.size());
  use(many.capacity());
  use(many.memory_bytes());
  use(many.bytes_per_key() > 1.0);
  use(rate::keyed_hash::accepts<std::string> && rate::keyed_hash::accepts<std::uint64_t>);
  auto by_id = rate::keyed<std::uint64_t, rate::keyed_hash, Clock>::make(limit, 100, {}, clock);
  if (by_id) use(by_id->acquire(std::uint64_t{42}, now));
  auto by_view = rate::keyed<std::string_view>::make(limit, 100);
  if (by_view) use(by_view->acquire(std::string_view("client")));
  const auto user_keyed = [](const keyward::crypto::siphash_key& hash_key, const std::string& k) noexcept {
    return keyward::crypto::siphash24(hash_key, k);
  };
  auto by_user_hash = rate::keyed<std::string, decltype(user_keyed), Clock>::make(limit, 100, user_keyed, clock);
  if (by_user_hash) use(by_user_hash->acquire(key, now));
  auto by_std_hash = rate::keyed<std::string, std::hash<std::string>, Clock>::make(limit, 100, {}, clock);
  if (by_std_hash) use(by_std_hash->acquire(key, now));

  // The headers for that decision.
  char out[256];
  const std::optional<std::chrono::seconds> wait = rate::retry_after(d);
  use(wait);
  if (wait) use(http::write_retry_after(*wait, out, sizeof out));
  const auto wall = std::chrono::system_clock::now();
  const http::sys_seconds wall_s = std::chrono::floor<std::chrono::seconds>(wall);
  const rate::x_ratelimit_values x = rate::x_ratelimit(d, wall, rate::reset_meaning::unix_seconds);
  use(static_cast<std::size_t>(x.limit + x.remaining + x.reset));
  const rate::x_ratelimit_values y = rate::x_ratelimit(d, wall_s, rate::reset_meaning::delay_seconds);
  use(static_cast<std::size_t>(y.reset));
  use(rate::parse_x_ratelimit("10"));
  use(rate::parse_x_ratelimit_reset("10", wall, rate::reset_meaning::delay_seconds));
  use(rate::parse_x_ratelimit_reset("1700000000", wall_s, rate::reset_meaning::unix_seconds));
  const auto policy = rate::quota_policy_of("default", limit);
  if (!policy) return;
  use(static_cast<std::size_t>(rate::max_field_integer & 1u));
  use(rate::write_ratelimit_policy(*policy, out, sizeof out));
  use(rate::write_ratelimit_policy(&*policy, 1, out, sizeof out));
  use(rate::ratelimit_policy_size(*policy));
  use(rate::ratelimit_policy_size(&*policy, 1));
  use(rate::ratelimit_policy(*policy));
  use(rate::ratelimit_policy(&*policy, 1));
  rate::service_limit service = rate::service_limit_of("default", d);
  service.partition_key = std::string_view("user-1");
  use(rate::write_ratelimit(service, out, sizeof out));
  use(rate::write_ratelimit(&service, 1, out, sizeof out));
  use(rate::ratelimit_size(service));
  use(rate::ratelimit_size(&service, 1));
  use(rate::ratelimit(service));
  use(rate::ratelimit(&service, 1));
  const auto policies = rate::parse_ratelimit_policy(R"("default";q=10;w=1;qu="requests";pk=:YQ==:)",
                                                     [](const rate::quota_policy_view& p) {
                                                       use(p.name.escaped());
                                                       use(p.name.equals("default"));
                                                       use(std::string_view(p.name.str()));
                                                       use(p.quota_unit);
                                                       use(p.window_seconds);
                                                       use(p.partition_key);
                                                     });
  if (policies) use(policies->accepted + policies->ignored);
  use(rate::parse_ratelimit(R"("default";r=5;t=1)", [](const rate::service_limit_view& s) {
    use(s.policy.escaped());
    use(static_cast<std::size_t>(s.available_quota));
    use(s.effective_window_seconds);
    use(s.partition_key);
  }));
}

template <class Random>
void backoff_with(const keyward::retry::backoff& delays, Random& random) {
  using namespace std::chrono_literals;
  use(static_cast<std::size_t>(delays.delay(2, 100ms, random).count()));
  keyward::retry::backoff_sequence<Random> sequence(delays, random);
  use(static_cast<std::size_t>(sequence.next().count()));
  use(static_cast<std::size_t>(sequence.retries()));
  sequence.reset();
}

std::size_t exercise() {
  namespace kw = keyward;
  using namespace std::chrono_literals;

  // version, config, error
  use(kw::version_string);
  use(static_cast<std::size_t>(KEYWARD_VERSION + KEYWARD_X86_SIMD));
  use(static_cast<bool>(KEYWARD_LIKELY(sink != 0)));
  const kw::error failure(kw::errc::base64_invalid_character, 3);
  use(failure.has_offset());
  use(failure.offset());
  use(kw::error(kw::errc::buffer_too_small).offset() == kw::error::no_offset);
  use(failure.message());
  use(failure.code() == kw::errc::base64_invalid_character);
  use(failure == kw::errc::base64_invalid_character);
  use(failure != kw::errc::base64_invalid_padding);
  use(failure == kw::error(kw::errc::base64_invalid_padding));
  use(failure != kw::error(kw::errc::base64_invalid_padding));
  use(kw::to_string(failure.code()));
  use(std::string_view(kw::error_category().name()));
  use(std::string_view(kw::error_category().message(1)));
  const std::error_code code = kw::make_error_code(kw::errc::base64_invalid_padding);
  use(static_cast<bool>(code));
  const std::error_code implicit = kw::errc::buffer_too_small;
  use(static_cast<bool>(implicit));
  kw::result<int> number = 5;
  const kw::result<int>& number_ref = number;
  use(static_cast<std::size_t>(number.value() + *number + number.value_or(1) + *number_ref + number_ref.value()));
  kw::result<std::string> text = std::string("x");
  use(text->size());
  const kw::result<std::string>& text_ref = text;
  use(text_ref->size());
  use(std::string_view(text_ref.value()));
  use(std::string_view(*text));
  use(std::string_view(text.value_or("z")));
  use(std::string_view(kw::result<std::string>(std::string("w")).value()));
  use(std::string_view(*kw::result<std::string>(std::string("v"))));
  use(std::string_view(std::move(text).value_or(std::string("y"))));
  const kw::result<int> broken = kw::error(kw::errc::buffer_too_small);
  use(broken.error().code() == kw::errc::buffer_too_small);
  const kw::result<void> nothing = kw::errc::base64_invalid_padding;
  use(nothing.has_value());
  use(nothing.error().code() == kw::errc{});
  const kw::result<void> fine;
  fine.value();

  // base64
  char buffer[64];
  use(kw::base64::write_encoded("hello", 5, buffer, sizeof buffer));
  use(kw::base64::write_encoded(std::string_view("hello"), buffer, sizeof buffer, kw::base64::url));
  use(std::string_view(kw::base64::encode("hello")));
  use(kw::base64::write_decoded("aGVsbG8=", buffer, sizeof buffer));
  use(kw::base64::decode("aGVsbG8", kw::base64::options{kw::base64::alphabet::url, kw::base64::padding::optional,
                                                         kw::base64::whitespace::skip}));
  use(kw::base64::write_encoded("hello", 5, buffer, sizeof buffer, kw::base64::standard_ct));
  use(kw::base64::write_decoded("aGVsbG8=", buffer, sizeof buffer, kw::base64::standard_ct));
  use(kw::base64::decode("aGVsbG8", kw::base64::url_ct));
  use(std::string_view(kw::base64::encode("hello", kw::base64::options{kw::base64::alphabet::url,
      kw::base64::padding::forbidden, kw::base64::whitespace::reject, kw::base64::timing::constant})));
  use(kw::base64::encoded_size(5) + kw::base64::max_decoded_size(8) + kw::base64::decoded_size("aGVsbG8="));
  constexpr auto literal = kw::base64::encode_literal("user:pass");
  use(literal.view());
  constexpr auto literal_url = kw::base64::encode_literal("a?>", kw::base64::url);
  use(literal_url.view());
  constexpr auto one_char = kw::base64::encode_literal("a");
  use(one_char.view());

  // kernels
  namespace kernels = kw::kernels;
  const kernels::kernel simd = kernels::kernel::avx2 | kernels::kernel::avx512vbmi | kernels::kernel::sha_ni;
  use((kernels::available() & simd) == kernels::kernel::scalar);
  use(kernels::available(kernels::kernel::all));
  use(kernels::active() == kernels::kernel::all);
  const kernels::kernel before = kernels::force(kernels::kernel::scalar);
  {
    const kernels::scoped_force only_avx2(kernels::kernel::avx2);
    use(kernels::active() == kernels::kernel::avx2);
  }
  (void)kernels::force(before);

  // crypto, ct, random, secret
  hash_and_mac<kw::crypto::sha256>();
  hash_and_mac<kw::crypto::sha384>();
  hash_and_mac<kw::crypto::sha512>();
  use(kw::crypto::hmac_sha256::compute(std::string_view("k"), std::string_view("m")).size());
  use(kw::crypto::hmac_sha384::compute(std::string_view("k"), std::string_view("m")).size());
  use(kw::crypto::hmac_sha512::compute(std::string_view("k"), std::string_view("m")).size());
  constexpr kw::crypto::siphash_key sip_key = kw::crypto::siphash_key::from_bytes({1, 2, 3});
  constexpr std::uint64_t sip_fixed = kw::crypto::siphash24(sip_key, std::string_view("abc"));
  use(kw::crypto::siphash24(sip_key, "abc", 3) == sip_fixed);
  use(kw::ct::equal("a", "b", 1));
  use(kw::ct::equal(std::string_view("a"), std::string_view("a")));
  use(kw::crypto::equal_length_hiding("a", "bc"));
  select_of<int>();
  select_of<unsigned char>();
  select_of<signed char>();
  select_of<std::int16_t>();
  select_of<std::uint32_t>();
  select_of<long long>();
  select_of<std::size_t>();
  select_of<small_enum>();
  kw::ct::secure_zero(buffer, sizeof buffer);
  use(kw::random::fill(buffer, sizeof buffer));
  kw::random::os_generator generator;
  use(static_cast<std::size_t>(generator() & 1u));
  use(static_cast<std::size_t>((kw::random::os_generator::min)() + (kw::random::os_generator::max)() % 2));
  kw::secret key("s3cret");
  kw::secret from_view(std::string_view("view"));
  kw::secret from_bytes("bytes", 5);
  kw::secret other(std::string("other"));
  kw::secret moved = std::move(other);
  from_bytes = std::move(from_view);
  use(key == moved);
  use(key != key.clone());
  use(key.reveal());
  use(key.size());
  use(key.empty());
  use(kw::secret::redacted);
  std::ostringstream shown;
  shown << key;
  use(std::string_view(shown.str()));
  std::wostringstream wide;
  wide << key;
  use(wide.str().size());
  use(kw::to_string(key));
  key.clear();

  // http: Basic, Bearer, credentials
  namespace http = kw::http;
  http::basic_buffer<64> basic_space;
  use(http::basic_buffer<64>::capacity());
  use(basic_space.data() != nullptr);
  const auto basic = http::parse_basic("Basic dXNlcjpwYXNz", basic_space);
  if (basic) use(basic->user.size() + basic->password.size() + static_cast<std::size_t>(basic->transcoded));
  http::basic_options latin1;
  latin1.charset = http::basic_charset::latin1_fallback;
  latin1.limit.max_length = 100;
  use(http::parse_basic("Basic dXNlcjpwYXNz", buffer, sizeof buffer, latin1));
  use(http::parse_basic("Basic dXNlcjpwYXNz", basic_space, http::basic_options{http::basic_charset::raw, {}}));
  use(http::basic_buffer_size("Basic dXNlcjpwYXNz"));
  use(http::basic_buffer_size("Basic dXNlcjpwYXNz", http::basic_charset::latin1_fallback));
  use(http::basic_size(4, 4));
  use(http::write_basic("user", "pass", buffer, sizeof buffer));
  use(http::basic("user", "pass"));
  use(http::basic_api_key("key"));
  use(http::parse_bearer("Bearer abc"));
  const http::bearer_options lenient{http::bearer_charset::visible_ascii, {}};
  use(http::parse_bearer("Bearer a!c", lenient));
  use(http::bearer_size(3));
  use(http::write_bearer("abc", buffer, sizeof buffer));
  use(http::write_bearer("a!c", buffer, sizeof buffer, lenient));
  use(http::bearer("abc"));
  use(http::bearer("a!c", lenient));
  const auto credentials = http::parse_credentials(R"(Digest realm="x", nonce=abc)");
  if (credentials) {
    use(credentials->scheme_is("digest"));
    use(credentials->scheme);
    use(credentials->token68);
    for (const http::auth_param& param : credentials->params) {
      use(param.name());
      use(param.name_is("realm"));
      use(param.raw_value());
      use(param.quoted());
      use(param.value_size());
      use(param.value(buffer, sizeof buffer));
      use(std::string_view(param.value()));
    }
    use(credentials->params.size());
    use(credentials->params.empty());
    use(credentials->params.find("realm"));
    use(credentials->params.text());
  }
  http::limits strict;
  strict.max_length = 256;
  strict.max_parameters = 4;
  strict.max_challenges = 2;
  use(http::parse_credentials("Bearer abc", strict));
  const http::auth_param made_param("realm", "x", true);
  use(std::string_view(made_param.value()));
  const http::auth_params made_params("realm=x, b=c", 2);
  for (const http::auth_param& param : made_params) use(param.name());
  use(made_params.find("b"));

  // http: challenges
  const auto parsed_challenges =
      http::parse_challenges(R"(Bearer realm="api", error="invalid_token", Basic realm="x")");
  if (parsed_challenges) {
    for (const http::challenge& c : *parsed_challenges) {
      use(c.scheme_is("bearer"));
      use(c.token68);
      use(c.params.size());
    }
    use(parsed_challenges->size());
    use(parsed_challenges->empty());
    use(parsed_challenges->find("Basic"));
    use(parsed_challenges->text());
  }
  use(http::parse_challenges("Basic realm=\"x\"", strict));
  const http::challenge_list no_challenges;
  use(no_challenges.empty());
  const http::challenge_list made_list("Basic realm=\"x\", Bearer", 2);
  use(made_list.find("bearer"));
  auto bearer_challenge = http::challenge_builder::bearer("api");
  if (bearer_challenge) {
    bearer_challenge->scope("read").error("invalid_token").error_description("d").error_uri("https://x.invalid/")
        .param("p", "v");
    use(bearer_challenge->str());
    use(bearer_challenge->size());
    use(bearer_challenge->write(buffer, sizeof buffer));
  }
  use(http::challenge_builder::bearer());
  const auto basic_challenge = http::challenge_builder::basic("x");
  if (basic_challenge) use(basic_challenge->str());
  auto custom = http::challenge_builder::make("Custom");
  if (custom) {
    custom->token68("abc=").realm("r");
    use(custom->str());
  }
  use(http::challenges({"Basic realm=\"x\"", "Bearer"}));
  use(http::write_challenges({"Basic realm=\"x\"", "Bearer"}, buffer, sizeof buffer));
  use(http::challenges_size({"Basic realm=\"x\"", "Bearer"}));

  // http: dates, Retry-After, status
  const http::sys_seconds when{1700000000s};
  const auto wall = std::chrono::system_clock::now();
  use(http::parse_date("Sun, 06 Nov 1994 08:49:37 GMT", when));
  use(http::parse_date("Sunday, 06-Nov-94 08:49:37 GMT", wall));
  use(http::write_imf_fixdate(when, buffer, sizeof buffer));
  use(http::write_imf_fixdate(wall, buffer, sizeof buffer));
  use(http::imf_fixdate(when));
  use(http::imf_fixdate(wall));
  use(http::imf_fixdate_size);
  use(http::parse_retry_after("120", when));
  use(http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", wall));
  use(static_cast<std::size_t>(http::retry_after_delay(1500ms).count()));
  use(static_cast<std::size_t>(http::max_retry_after.count()));
  use(http::retry_after_size(120s));
  use(http::write_retry_after(120s, buffer, sizeof buffer));
  use(std::string_view(http::retry_after(120s)));
  use(http::classify_status(503) == http::status_class::try_later);

  // http: denials and classification
  auto scoped = http::denial::insufficient_scope("admin");
  if (!scoped) return sink;
  http::denial refusal = std::move(*scoped).with_message("no").with_detail("k", "v");
  refusal.with_message("again").with_detail("k", "w");
  use(refusal.status() == 403);
  use(refusal.reason() == http::denial_reason::insufficient_scope);
  use(refusal.rfc6750_error() == http::bearer_error::insufficient_scope);
  use(refusal.required_scope());
  use(refusal.retry_after());
  use(refusal.challenge());
  const auto basic_realm = http::challenge_options::make(http::challenge_scheme::basic, "api");
  if (basic_realm) {
    use(basic_realm->scheme() == http::challenge_scheme::basic);
    use(basic_realm->realm());
    use(refusal.challenge(*basic_realm));
  }
  use(http::challenge_options::make(http::challenge_scheme::bearer));
  use(refusal.challenge(http::challenge_options{}));
  use(refusal.json_size());
  use(refusal.json_size(http::json_style::errors_array));
  use(refusal.write_json(buffer, sizeof buffer));
  use(refusal.write_json(buffer, sizeof buffer, http::json_style::errors_array));
  use(std::string_view(refusal.json()));
  use(std::string_view(refusal.json(http::json_style::errors_array)));
  for (const http::denial& d : {http::denial::missing_credentials(), http::denial::malformed_credentials(),
                                http::denial::wrong_scheme(), http::denial::invalid_key(), http::denial::expired(),
                                http::denial::revoked(), http::denial::wrong_environment(),
                                http::denial::rate_limited(2s), http::denial::from_parse_error(failure)})
    use(std::string_view(d.json()));
  const http::classification seen = http::classify(401, "Bearer error=\"invalid_token\"", 3s);
  use(seen.action == http::client_action::refresh_token);
  use(seen.error == http::bearer_error::invalid_token);
  use(seen.scope);
  use(seen.retry_after);
  use(http::classify(200).action == http::client_action::proceed);

  // rate
  limiter(std::chrono::steady_clock());
  limiter(manual_clock());
  limiter(static_clock());
  const kw::rate::sf_string made_string("a\\\"b");
  use(made_string.equals("a\"b"));
  use(std::string_view(made_string.str()));
  use(kw::rate::sf_string().escaped());
  kw::rate::decision denied;
  use(static_cast<bool>(denied) || denied.outcome == kw::rate::verdict::never);

  // retry
  namespace retry = kw::retry;
  const retry::backoff default_backoff;
  const auto policy = retry::backoff::full_jitter(100ms, 10s);
  const auto policies = {retry::backoff::exponential(100ms, 10s), retry::backoff::exponential(100ms, 10s, 3.0),
                         retry::backoff::equal_jitter(100ms, 10s), retry::backoff::full_jitter(1ms, 1s, 1.5),
                         retry::backoff::decorrelated_jitter(100ms, 10s), retry::backoff::grpc(),
                         retry::backoff::grpc(1s, 1.6, 0.2, 120s)};
  for (const auto& p : policies) use(p);
  if (!policy) return sink;
  use(policy->kind() == retry::jitter::full);
  use(static_cast<std::size_t>(policy->base().count() + policy->cap().count()));
  use(policy->multiplier() + policy->jitter_fraction() > 0.0);
  use(static_cast<std::size_t>(policy->ceiling(3).count()));
  use(static_cast<std::size_t>(default_backoff.ceiling(1).count()));
  kw::random::os_generator random;
  backoff_with(*policy, random);
  std::mt19937 engine32(1);
  backoff_with(*policy, engine32);
  std::mt19937_64 engine64(1);
  backoff_with(default_backoff, engine64);
  retry::backoff_sequence<> delays(*policy, random);
  use(static_cast<std::size_t>(delays.next().count()));
  retry::retry_budget budget;
  retry::retry_budget small_budget(10, 2, 1);
  use(budget.try_spend());
  budget.record_success();
  use(static_cast<std::size_t>(budget.available() + budget.capacity() + budget.retry_cost() +
                               budget.success_refund() + small_budget.available()));
  retry::retry_options rules;
  rules.backoff = *policy;
  rules.max_attempts = 4;
  rules.time_budget = 30s;
  rules.max_server_delay = 10s;
  rules.retry_server_errors = false;
  rules.retry_transport_errors = true;
  const retry::report report = retry::run(rules, [](const retry::attempt& a) {
    retry::outcome o;
    o.status = a.number > 1 ? 200 : 503;
    o.retry_after = std::chrono::seconds(1);
    o.ratelimit_reset = std::chrono::seconds(2);
    use(static_cast<std::size_t>(a.elapsed.count() + a.remaining.count()));
    return a.number > 2 ? retry::outcome::no_response() : o;
  });
  use(report.succeeded());
  use(report.history_size());
  use(static_cast<std::size_t>(report.attempts + report.history[0].wait.count()));
  use(report.last.transport_error);
  use(retry::to_string(report.reason));
  use(retry::history_capacity);
  const retry::report with_all = retry::run<manual_clock>(
      rules, [](const retry::attempt&) { return retry::outcome{}; }, &budget, [](std::chrono::nanoseconds) {},
      kw::random::os_generator{}, manual_clock{});
  use(with_all.succeeded());
  std::mt19937 scripted(7);
  const retry::report with_engine = retry::run<static_clock>(
      rules, [](const retry::attempt&) { return retry::outcome::no_response(); }, nullptr, retry::thread_sleep{},
      scripted);
  use(with_engine.reason == retry::stop_reason::attempts_exhausted);
  return sink;
}

}  // namespace

int main(int argc, char**) {
  // Never true: exercise() is compiled, optimised and checked, but not run.
  if (argc < 0) return static_cast<int>(exercise() & 1u);
  return 0;
}
