// A user's build: one translation unit that includes every public keyward header (all of include/keyward/
// except detail/ and the optional rate/redis.hpp, keys/redis_limits.hpp and keys/redis_store.hpp) and
// instantiates or calls every public function template, class template and inline function (exercise(),
// exercise_keys() for the API-key module, exercise_tokens() for JWTs and webhooks), so that the strict warnings users turn on (-Wall -Wextra -Wpedantic
// -Wshadow -Wconversion -Werror, at -O2 and -O3, where GCC's flow-based warnings appear) see all of it through
// plain -I.
// tests/user_build/run.sh compiles it; it also fails when a public header is missing here. exercise() and
// exercise_keys() are never run: main() only calls them when argc is impossible; its results feed a volatile so
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
#include <keyward/jwt/algorithm.hpp>
#include <keyward/jwt/claims.hpp>
#include <keyward/jwt/json.hpp>
#include <keyward/jwt/jws.hpp>
#include <keyward/jwt/sign.hpp>
#include <keyward/jwt/verifier.hpp>
#include <keyward/kernels.hpp>
#include <keyward/keys/callback.hpp>
#include <keyward/keys/credits.hpp>
#include <keyward/keys/digest.hpp>
#include <keyward/keys/env.hpp>
#include <keyward/keys/format.hpp>
#include <keyward/keys/limits.hpp>
#include <keyward/keys/memory_store.hpp>
#include <keyward/keys/prefix.hpp>
#include <keyward/keys/record.hpp>
#include <keyward/keys/record_fields.hpp>
#include <keyward/keys/scan.hpp>
#include <keyward/keys/scopes.hpp>
#include <keyward/keys/verifier.hpp>
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
#include <keyward/webhook/github.hpp>
#include <keyward/webhook/keyring.hpp>
#include <keyward/webhook/slack.hpp>
#include <keyward/webhook/standard.hpp>
#include <keyward/webhook/stripe.hpp>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// ---- keys: the stores, limiters, clocks and environments a user plugs into the API-key module ----------

// A store returning copies (a database row), with record_use: a second Store shape for the verifier, and a
// store for the life-cycle functions (find, insert, modify).
struct copying_store {
  std::map<std::string, keyward::keys::key_record, std::less<>> rows;
  std::size_t uses = 0;
  std::optional<keyward::keys::key_record> find(std::string_view id) const {
    const auto found = rows.find(id);
    if (found == rows.end()) return std::nullopt;
    return found->second;
  }
  keyward::result<void> insert(keyward::keys::key_record record) {
    std::string id(record.id.view());
    if (!rows.emplace(std::move(id), std::move(record)).second) return keyward::errc::key_duplicate_id;
    return {};
  }
  template <class Change>
  keyward::result<void> modify(std::string_view id, Change&& change) {
    const auto found = rows.find(id);
    if (found == rows.end()) return keyward::errc::key_not_found;
    keyward::keys::key_record copy = found->second;
    if (const keyward::result<void> changed = change(copy); !changed) return changed;
    found->second = std::move(copy);
    return {};
  }
  void record_use(std::string_view, keyward::keys::sys_nanoseconds) { ++uses; }
};

// A store of one record, found through a raw pointer: a third Store shape.
struct pointer_store {
  const keyward::keys::key_record* only = nullptr;
  const keyward::keys::key_record* find(std::string_view id) const noexcept {
    return only != nullptr && only->id.view() == id ? only : nullptr;
  }
};

// A Limiter of the user's own, that always errs (the verifier then fails closed or open).
struct failing_limiter {
  std::size_t calls = 0;
  keyward::result<keyward::rate::decision> acquire(std::string_view, const keyward::rate::quota&,
                                                   keyward::keys::sys_nanoseconds) {
    ++calls;
    return keyward::errc::rate_capacity_exhausted;
  }
};

// Wall clocks for the verifier: a const now() returning the system_clock's time_point, and a static now()
// returning a time point of nanoseconds.
struct manual_wall_clock {
  std::chrono::system_clock::time_point at{};
  std::chrono::system_clock::time_point now() const noexcept { return at; }
};
struct static_wall_clock {
  static keyward::keys::sys_nanoseconds now() noexcept {
    return keyward::keys::sys_nanoseconds(std::chrono::nanoseconds(sink));
  }
};

// An environment of the user's for keys::from_env: a function object from a name to a value.
struct fixed_environment {
  const char* operator()(const char* name) const noexcept {
    return std::string_view(name) == "ACME_API_KEY" ? "sk_live_0123456789" : nullptr;
  }
};

// Everything an authentication and its principal give.
template <class Verifier>
void authenticate_with(Verifier& verify, std::string_view authorization) {
  namespace keys = keyward::keys;
  const keys::scope_requirement read = keys::scopes::all_of(keys::scopes::read);
  const auto who = verify.authenticate(authorization, read, std::chrono::system_clock::now());
  use(who.has_value());
  use(static_cast<bool>(who));
  use(who.rate());
  if (who) {
    const auto& principal = *who;
    use(principal.id());
    use(principal.owner());
    use(keys::to_string(principal.kind()));
    use(keys::to_string(principal.environment()));
    use(static_cast<std::size_t>(principal.scopes().bits()));
    use(principal.metadata());
    use(principal.rate());
    use(principal.limiter_failed());
    use(std::string_view(principal.record().owner));
    use(who->id());
    use(who.value().owner());
  } else {
    const keyward::http::denial& why = who.error();
    use(static_cast<std::size_t>(why.status()));
    use(why.challenge());
    use(std::string_view(why.json()));
  }
  const auto by_clock = verify.authenticate(authorization, keys::scopes::none);
  use(by_clock.has_value());
  const auto at_second = verify.authenticate(authorization, keys::scopes::any_of(keys::scopes::read, keys::scopes::admin),
                                             std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  use(at_second.rate());
  const auto at_nanosecond = verify.authenticate(authorization, read, static_wall_clock::now());
  use(static_cast<bool>(at_nanosecond));
  use(verify.all_of("read write"));
  use(verify.any_of("read deploy"));
  use(verify.scopes().named_count());
  use(verify.options().prefixes.size());
  use(static_cast<std::size_t>(verify.peppers().current_version()));
  use(sizeof(verify.limiter()));
}

// mint, rotate, revoke and disable over any store.
template <class Store>
void life_cycle(Store& store, const keyward::keys::pepper_set& peppers) {
  namespace keys = keyward::keys;
  keys::key_record blueprint;
  blueprint.owner = "acme";
  blueprint.scopes = keys::scopes::read | keys::scopes::write;
  blueprint.limit = keyward::rate::quota{10, std::chrono::seconds(1), 5};
  blueprint.expires_at = std::chrono::system_clock::now() + std::chrono::hours(24);
  blueprint.not_before = std::chrono::system_clock::now();
  blueprint.metadata = R"({"plan":"pro"})";
  const keys::prefix_entry& entry = keys::stripe_prefixes.entries()[0];
  const auto minted = keys::mint(store, blueprint, entry, peppers);
  use(keys::mint(store, blueprint, entry, peppers, keys::max_secret_length));
  if (!minted) return;
  use(minted->key.reveal());
  use(minted->id.view());
  const auto rotated =
      keys::rotate(store, minted->id.view(), std::chrono::hours(1), std::chrono::system_clock::now(),
                   keys::stripe_prefixes, peppers);
  use(rotated);
  const keys::prefix_set prefixes = keys::stripe_prefixes;
  use(keys::rotate(store, minted->id.view(), std::chrono::minutes(30),
                   std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), prefixes, peppers));
  use(keys::rotate(store, minted->id.view(), std::chrono::duration<std::int32_t>(0), static_wall_clock::now(),
                   prefixes, peppers));
  use(static_cast<std::size_t>(keys::max_rotation_grace.count()));
  use(keys::disable(store, minted->id.view()));
  use(keys::revoke(store, minted->id.view()));
}

std::size_t exercise_keys() {
  namespace kw = keyward;
  namespace keys = kw::keys;
  namespace http = kw::http;
  using namespace std::chrono_literals;
  char buffer[256];

  // keys/prefix.hpp
  use(keys::to_string(keys::key_kind::webhook_secret));
  use(keys::to_string(keys::key_environment::test));
  use(keys::max_prefix_length);
  static constexpr keys::prefix_entry entries[] = {
      {"acme_sk_live_", "acme", keys::key_kind::secret, keys::key_environment::live},
      {"acme_sk_test_", "acme", keys::key_kind::secret, keys::key_environment::test},
      {"acme_ci_", "acme", keys::key_kind::custom, keys::key_environment::unspecified, "ci"},
  };
  static constexpr auto acme = keys::make_prefix_table(entries);
  constexpr bool classified_at_compile_time = static_cast<bool>(acme.classify("acme_sk_live_x"));
  use(classified_at_compile_time);
  use(acme.classify("acme_ci_x"));
  use(keys::kind_name_of(entries[2]));
  use(keys::find_prefix_problem("sk_") == keys::prefix_problem::none);
  std::size_t problem_at = 0;
  use(keys::find_prefix_problem(entries, &problem_at) == keys::prefix_problem::duplicate_prefix);
  use(keys::find_prefix_problem(entries) == keys::prefix_problem::empty_prefix);
  const auto built = keys::prefix_table<3>::make(entries);
  use(built);
  use(keys::prefix_table<3>::size() + acme.entries().size());
  const keys::prefix_set acme_set = acme;
  const keys::prefix_set empty_set;
  use(acme.set().classify("acme_sk_test_x"));
  use(acme_set.classify("acme_sk_test_x"));
  use(empty_set.classify("x"));
  use(acme_set.size() + empty_set.size());
  for (const keys::prefix_entry& e : acme_set) use(e.vendor);
  use(acme_set.begin() != acme_set.end());
  use(keys::stripe_prefixes.classify("sk_live_x"));
  use(keys::live_test_prefixes.classify("live_x"));
  use(keys::leaked_token_prefixes.classify("ghp_x"));

  // keys/format.hpp
  use(keys::id_length + keys::checksum_length + keys::min_secret_length + keys::max_secret_length +
      keys::default_secret_length + keys::max_key_length + keys::token_random_length);
  const keys::prefix_entry& live = keys::stripe_prefixes.entries()[0];
  const kw::result<kw::secret> generated = keys::generate_key(live);
  use(keys::generate_key(live, 40));
  std::mt19937 engine32(1);
  std::mt19937_64 engine64(1);
  kw::random::os_generator os;
  use(keys::generate_key(live, keys::default_secret_length, engine32));
  use(keys::generate_key(live, keys::max_secret_length, engine64));
  use(keys::generate_key(live, keys::min_secret_length, os));
  const std::string_view whole = generated ? generated->reveal() : std::string_view("sk_live_x");
  const auto parsed = keys::parse_key(whole, keys::stripe_prefixes);
  if (parsed) {
    use(parsed->handle());
    use(parsed->secret_part());
    use(parsed->id.size() + parsed->secret.size() + parsed->checksum.size() + parsed->prefix.size());
    use(parsed->classification.vendor);
    use(parsed->whole);
  }
  use(keys::parse_key(whole, acme_set));
  use(keys::redacted_size(whole, keys::stripe_prefixes));
  use(keys::write_redacted(whole, keys::stripe_prefixes, buffer, sizeof buffer));
  use(std::string_view(keys::redact(whole, acme)));
  const auto token = keys::check_github_token("ghp_0123456789abcdefghijABCDEFGHIJ000000");
  if (token) {
    use(token->classification.vendor);
    use(token->whole.size() + token->prefix.size() + token->random.size() + token->checksum.size());
    use(token->checksum_verified);
  }
  use(keys::check_crc32_token("npm_0123456789abcdefghijABCDEFGHIJ000000", keys::leaked_token_prefixes));

  // keys/digest.hpp
  use(keys::digest_size + keys::min_pepper_size + keys::max_peppers + keys::max_digest_text_size);
  const keys::key_digest plain = keys::sha256_digest(whole);
  use(plain.algorithm == keys::digest_algorithm::sha256);
  use(keys::import_sha256_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  use(keys::import_sha256_base64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
  constexpr keys::key_digest zero_digest{};
  constexpr std::size_t zero_text_size = keys::digest_text_size(zero_digest);
  use(zero_text_size);
  use(keys::write_digest_text(plain, buffer, sizeof buffer));
  const std::string stored_text = keys::digest_text(plain);
  use(std::string_view(stored_text));
  use(keys::parse_digest_text(stored_text));
  auto made_peppers = keys::pepper_set::make(2, "0123456789abcdef0123456789abcdef");
  if (!made_peppers) return sink;
  keys::pepper_set peppers = std::move(*made_peppers);
  use(peppers.add_previous(1, "fedcba9876543210fedcba9876543210"));
  const keys::pepper_set peppers_copy = peppers;
  use(static_cast<std::size_t>(peppers_copy.current_version()));
  use(peppers.has_version(1));
  use(peppers.size());
  const keys::key_digest peppered = peppers.digest(whole);
  use(static_cast<std::size_t>(peppered.pepper_version) + peppered.bytes.size());
  use(peppers.matches(whole, peppered));
  const keys::presented_digest presented = peppers.present(whole);
  use(peppers.matches(whole, presented, peppered));
  use(peppers.verify(whole, plain));
  use(peppers.matches_nothing(whole));
  use(peppers.matches_nothing(whole, keys::digest_algorithm::sha256));
  use(peppers.is_current(peppered));

  // keys/scopes.hpp
  constexpr keys::scope_set read_write = keys::scopes::read | keys::scopes::write;
  keys::scope_set granted = keys::scope_set::from_bits(0x5) & read_write;
  granted |= keys::scope_set::bit(4);
  use(static_cast<std::size_t>(granted.bits()));
  use(granted.empty() || granted.contains(keys::scopes::read) || granted.intersects(keys::scopes::admin));
  use(granted == read_write || granted != keys::scopes::webhook);
  use(keys::scopes::builtin_count + keys::scopes::builtin_names[0].size());
  constexpr keys::scope_requirement nothing_required = keys::scopes::all_of();
  constexpr keys::scope_requirement both = keys::scopes::all_of(keys::scopes::read, keys::scopes::write);
  constexpr keys::scope_requirement either = keys::scopes::any_of(keys::scopes::admin, keys::scopes::webhook);
  use(nothing_required.satisfied_by(granted) && keys::scopes::none.satisfied_by(granted));
  use(both.satisfied_by(granted) || either.match == keys::scope_match::any_of);
  use(keys::scopes::any_of().satisfied_by(granted));
  const std::string_view named[] = {"deploy", "billing:read"};
  const auto table_from_array = keys::scope_table::make(named, 2);
  use(table_from_array);
  const auto made_table = keys::scope_table::make({"deploy", "billing:read"});
  if (!made_table) return sink;
  const keys::scope_table& table = *made_table;
  use(keys::scope_table::max_named + keys::scope_table::max_name_length + table.named_count());
  use(table.name_of(4));
  use(table.find("deploy"));
  use(table.parse("read deploy"));
  use(table.all_of("read deploy"));
  use(table.any_of("admin billing:read"));
  use(table.names_size(granted));
  use(table.write_names(granted, buffer, sizeof buffer));
  use(std::string_view(table.names(granted)));
  const keys::scope_table builtin_only;
  use(builtin_only.named_count());

  // keys/record.hpp
  constexpr keys::key_id zeros;
  const auto id = keys::key_id::make("AbCdEfGhIjKl");
  if (!id) return sink;
  use(id->view());
  use(id->chars().size());
  use(*id == zeros || *id != zeros || *id < zeros);
  keys::last_use used;
  used.record(std::chrono::system_clock::now());
  used.record(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  keys::last_use used_copy = used;
  used_copy = used;
  use(used_copy.time());
  keys::key_record record;
  record.id = *id;
  record.prefix = "sk_live_";
  record.digest = peppered;
  record.status = keys::key_status::disabled;
  record.limit = kw::rate::quota{10, 1s, 5};
  use(static_cast<std::size_t>(record.status) + static_cast<std::size_t>(record.kind) +
      static_cast<std::size_t>(record.environment));
  record.last_used.record(static_wall_clock::now());

  // keys/credits.hpp
  record.credits = keys::credit_plan{100, keys::credit_refill::monthly};
  use(record.credits == keys::credit_plan{} || record.credits != keys::credit_plan{});
  const keys::sys_nanoseconds spent_at = static_wall_clock::now();
  std::optional<keys::credit_balance> balance;
  const keys::credit_decision spent = keys::spend_credits(balance, *record.credits, 1, spent_at);
  use(spent.allowed && spent.remaining != 0);
  use(spent.refills_at);
  use(balance.has_value() && (*balance == keys::credit_balance{} || *balance != keys::credit_balance{}));
  const std::int64_t period = keys::credit_period(keys::credit_refill::daily, spent_at);
  use(keys::credit_period_start(keys::credit_refill::daily, period) <= spent_at);
  use(keys::credit_refills_at(keys::credit_refill::monthly, period));

  // keys/record_fields.hpp
  use(keys::field_name(keys::record_field_name::owner));
  use(keys::has_record_field(record, keys::record_field_name::credit_allowance));
  use(keys::record_field_size(record, keys::record_field_name::scopes, 7));
  use(keys::record_field_value(record, keys::record_field_name::digest, 7));
  char field_buffer[128];
  use(keys::write_record_field(record, keys::record_field_name::revision, 7, field_buffer, sizeof field_buffer));
  const auto encoded = keys::encoded_record::make(record, 7);
  if (encoded) {
    std::vector<keys::record_field> fields;
    for (std::size_t i = 0; i < encoded->size(); ++i) fields.push_back((*encoded)[i]);
    const kw::result<keys::stored_record> stored = keys::parse_record_fields(fields.data(), fields.size());
    use(stored && stored->revision == 7 && stored->record.id == record.id);
  }

  // keys/memory_store.hpp, and the life-cycle functions over it and over a store of copies
  auto made_store = keys::memory_store::make();
  if (!made_store) return sink;
  keys::memory_store store = std::move(*made_store);
  keys::memory_store other_store = std::move(store);
  store = std::move(other_store);
  use(store.insert(record));
  store.prefetch(record.id.view());
  const keys::memory_store::handle found = store.find(record.id.view());
  use(found != nullptr);
  use(store.modify(record.id.view(), [](keys::key_record& r) -> kw::result<void> {
    r.status = keys::key_status::active;
    return {};
  }));
  use(store.keys_of("acme").size());
  use(store.size());
  life_cycle(store, peppers);
  copying_store copies;
  life_cycle(copies, peppers);
  use(store.erase(record.id.view()));

  // keys/limits.hpp
  const kw::rate::quota tiers[] = {{10, 1s, 5}, {100, 1s, 50}};
  auto made_limiter = keys::tiered_limiter::make(tiers, 2, 1000);
  use(made_limiter);
  auto made_tiers = keys::tiered_limiter::make({kw::rate::quota{10, 1s, 5}}, 1000);
  if (!made_tiers) return sink;
  keys::tiered_limiter tiered = std::move(*made_tiers);
  use(tiered.acquire(record.id.view(), tiers[0], static_wall_clock::now()));
  use(tiered.tier_count());
  const keys::no_limiter unlimited;
  use(unlimited.acquire(record.id.view(), tiers[0], static_wall_clock::now()));

  // keys/verifier.hpp: every Store shape, clock shape and limiter
  keys::verifier_options options;
  options.forms.bearer = true;
  options.forms.basic_key_as_user = true;
  options.forms.basic_id_secret_pair = true;
  options.prefixes = keys::stripe_prefixes;
  options.environment = keys::key_environment::live;
  options.kinds.publishable = true;
  use(options.kinds.accepts(keys::key_kind::webhook_secret));
  options.uniform_key_denials = false;
  options.challenge = http::challenge_options{};
  options.scope_names = {"deploy", "billing:read"};
  options.on_limiter_failure = keys::limiter_failure::fail_open;
  options.unavailable_retry_after = 10s;
  options.limit.max_length = 512;
  const std::string bearer_value = http::bearer(whole).value_or("Bearer x");
  auto plain_verifier = keys::verifier<keys::memory_store>::make(store, options, peppers);
  if (plain_verifier) authenticate_with(*plain_verifier, bearer_value);
  auto tiered_verifier = keys::verifier<keys::memory_store, manual_wall_clock, keys::tiered_limiter>::make(
      store, options, peppers, std::move(tiered), manual_wall_clock{});
  if (tiered_verifier) authenticate_with(*tiered_verifier, "Basic c2tfbGl2ZV94Og==");
  auto copying_verifier =
      keys::verifier<copying_store, static_wall_clock, failing_limiter>::make(copies, options, peppers);
  if (copying_verifier) authenticate_with(*copying_verifier, "");
  pointer_store one{&record};
  auto pointer_verifier = keys::verifier<pointer_store, std::chrono::system_clock, keys::no_limiter>::make(
      one, options, peppers, keys::no_limiter{}, std::chrono::system_clock{});
  if (pointer_verifier) authenticate_with(*pointer_verifier, bearer_value);
  using handle = keys::memory_store::handle;
  keys::principal<handle> made_principal(found, keys::key_kind::secret, keys::key_environment::live, std::nullopt,
                                         false);
  const keys::authentication<handle> success(std::move(made_principal));
  const keys::authentication<handle> refused(http::denial::rate_limited(1s), kw::rate::decision{});
  const keys::authentication<handle> denied(http::denial::invalid_key());
  use(success.has_value() && !refused && static_cast<bool>(denied.rate()));
  use(refused.error().retry_after());

  // keys/env.hpp
  keys::env_options wanted;
  wanted.prefixes = keys::stripe_prefixes;
  wanted.required_environment = keys::key_environment::live;
  wanted.required_kind = keys::key_kind::secret;
  wanted.require_keyward_format = true;
  use(keys::check_key_text(whole));
  use(keys::check_key_text(whole, wanted));
  use(keys::process_environment()("ACME_API_KEY") != nullptr);
  keys::env_result from_list = keys::from_env({"ACME_API_KEY", "ACME_KEY"});
  const keys::env_result from_list_checked = keys::from_env({"ACME_API_KEY", nullptr}, wanted);
  const keys::env_result from_fixed = keys::from_env({"ACME_API_KEY"}, wanted, fixed_environment{});
  const keys::env_result from_name = keys::from_env("ACME_API_KEY");
  const auto lambda_environment = [](const char*) noexcept -> const char* { return nullptr; };
  const keys::env_result from_lambda = keys::from_env("ACME_API_KEY", {}, lambda_environment);
  use(from_list.has_value() && static_cast<bool>(from_list_checked) && from_fixed.has_value() &&
      from_name.has_value() && from_lambda.has_value());
  if (from_list) {
    use(from_list.value().size());
    use(from_list->reveal());
    use((*from_list).empty());
    const keys::env_result& const_list = from_list;
    use(const_list.value().size() + const_list->size() + (*const_list).size());
    const kw::secret taken = std::move(from_list).value();
    use(taken.size());
  } else {
    const keys::env_failure& failure = from_list.error();
    use(failure.code() == kw::errc::key_env_missing);
    use(failure == kw::errc::key_env_missing || failure != kw::errc::key_env_empty);
    use(failure.cause().has_offset());
    use(failure.offset());
    use(failure.variable());
    use(failure.redacted());
    use(failure.length());
    use(failure.hint());
    use(std::string_view(failure.message()));
  }
  const keys::env_result made_failure(keys::env_failure(kw::error(kw::errc::key_env_whitespace, 3), "ACME_API_KEY",
                                                        "sk_live_...", 40, "a line break (LF)"));
  const keys::env_result made_key(kw::secret("sk_live_x"));
  use(made_failure.error().message().size() + made_key->size());

  // keys/callback.hpp
  const auto callback = keys::static_callback_auth::make("acme-callback-auth", "0123456789abcdef");
  if (callback) {
    use(callback->header_name());
    use(callback->is_header("ACME-Callback-Auth"));
    const keys::callback_authentication checked = callback->check(" 0123456789abcdef ");
    use(checked.has_value() || static_cast<bool>(checked));
    if (!checked) use(static_cast<std::size_t>(checked.error().status()));
  }
  const keys::callback_authentication accepted = keys::callback_authentication::success();
  const keys::callback_authentication rejected = keys::callback_authentication::failure(http::denial::invalid_key());
  use(accepted.has_value() && rejected.error().status() == 401);

  // keys/scan.hpp
  keys::scanner_options scan_options;
  scan_options.keys = keys::stripe_prefixes;
  scan_options.patterns.assign(std::begin(keys::stripe_scan_patterns), std::end(keys::stripe_scan_patterns));
  auto made_scanner = keys::scanner::make(scan_options);
  if (!made_scanner) return sink;
  const keys::scanner key_scanner = std::move(*made_scanner);
  std::string leaky = "token sk_live_0123456789abcdefghijklmnop here";
  for (const keys::scan_match& m : key_scanner.scan(leaky)) {
    use(m.offset + m.length + m.public_length + m.pattern);
    use(std::string_view(keys::to_string(m.source)));
    use(m.classification.vendor);
  }
  key_scanner.scan(leaky, [](const keys::scan_match& m) { use(m.length); });
  use(key_scanner.redact_in_place(leaky));
  use(key_scanner.redact_in_place(&leaky[0], leaky.size()));
  use(key_scanner.max_match_length());
  keys::stream_scanner stream(key_scanner);
  stream.feed(leaky, [](const keys::scan_match& m) { use(m.offset); });
  stream.finish([](const keys::scan_match& m) { use(m.offset); });
  use(stream.consumed());
  keys::stream_redactor redactor(key_scanner);
  std::string redacted;
  use(redactor.write(leaky, redacted));
  use(redactor.write(leaky, [](std::string_view piece) { use(piece); }));
  use(redactor.finish(redacted));
  use(redactor.finish([](std::string_view piece) { use(piece); }));
  return sink;
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
  if (parsed_challenges) {
    for (auto it = parsed_challenges->begin(); it != parsed_challenges->end(); it++) {
      for (auto param = it->params.begin(); param != it->params.end(); param++) use(param->name());
    }
  }
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


// An asymmetric Backend of the user's for jwt::verifier (what examples/jwt_openssl_backend.cpp does on OpenSSL).
struct accepting_backend {
  std::size_t signature_size(const keyward::jwt::key& key) const noexcept {
    return key.alg() == keyward::jwt::algorithm::es256 ? 64 : 256;
  }
  bool verify(const keyward::jwt::key&, std::string_view signing_input, std::string_view signature) const noexcept {
    return signing_input.size() > signature.size();
  }
};

template <class Duration>
void tokens_at(std::chrono::time_point<std::chrono::system_clock, Duration> now) {
  namespace jwt = keyward::jwt;
  namespace webhook = keyward::webhook;
  const std::string secret(64, 'k');
  const auto signer = jwt::signer::make(jwt::algorithm::hs512, secret, "k1");
  if (!signer) return;
  const auto claims = jwt::claims_builder().issuer("i").subject("s").audience("a").audience("b").jwt_id("j")
                          .expires_at(now).not_before(now).issued_at(now).string_claim("scope", "read")
                          .integer_claim("n", 7).boolean_claim("admin", false).json();
  if (!claims) return;
  const auto token = signer->token(*claims);
  char out[1024];
  use(signer->write_token(*claims, out, sizeof out));
  use(signer->token_size(*claims));
  std::vector<jwt::key> keys;
  keys.push_back(*jwt::key::hmac(jwt::algorithm::hs512, secret, "k1"));
  keys.push_back(*jwt::key::asymmetric(jwt::algorithm::es256, "e1"));
  jwt::verifier_options options;
  options.claims.audiences = {"a"};
  const auto verifier = jwt::verifier<accepting_backend>::make(std::move(keys), options);
  jwt::token_buffer buffer;
  if (verifier && token) {
    const auto verified = verifier->verify(*token, now, buffer);
    if (verified) {
      use(verified->claims().subject());
      use(verified->claims().has_audience("a"));
      use(verified->jws().kid);
    }
    const auto who = verifier->authenticate("Bearer " + *token, now, buffer);
    use(who ? std::size_t{200} : static_cast<std::size_t>(who.error().status()));
    use(jwt::check_claims(*claims, now, options.claims, buffer));
  }
  const auto parsed = jwt::parse_jws(token ? std::string_view(*token) : std::string_view(), buffer);
  if (parsed) {
    use(jwt::name(parsed->alg));
    use(parsed->header.find("alg").has_value());
  }
  const auto object = jwt::parse_json_object(R"({"a":[1,2.5e1,"x"],"b":{"c":null}})");
  if (object) {
    for (const jwt::json_member& member : *object) use(member.name.string_size());
    const auto a = object->find("a");
    const auto elements = a ? a->array() : keyward::result<jwt::json_array>(keyward::errc::jwt_json_wrong_type);
    if (elements) {
      for (const jwt::json_value& value : *elements) use(value.floor_integer());
    }
  }
  const auto hooks = webhook::standard_verifier::make({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
  const auto sender = webhook::standard_signer::make("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const auto stamp = webhook::timestamp(now);
  char field[64];
  use(webhook::write_timestamp(now, field, sizeof field));
  use(webhook::timestamp_size(now));
  if (hooks && sender && stamp) {
    const auto signature = sender->signature("msg_1", "{}", now);
    use(sender->write_signature("msg_1", "{}", now, field, sizeof field));
    if (signature) {
      const webhook::standard_headers headers{"msg_1", *stamp, *signature};
      use(hooks->verify(headers, "{}", now));
      use(hooks->verify(headers, "{}", now, [](std::string_view id, webhook::sys_seconds) { return !id.empty(); }));
    }
  }
  const auto stripe = webhook::stripe_verifier::make({"whsec_stripe"});
  if (stripe) use(stripe->verify("t=1,v1=00", "{}", now));
  const auto slack = webhook::slack_verifier::make({"slack secret"});
  if (slack) use(slack->verify({"1", "v0=00"}, "{}", now));
  const auto github = webhook::github_verifier::make({"github secret"});
  if (github) use(github->verify("sha256=00", "{}"));
}

std::size_t exercise_tokens() {
  tokens_at(std::chrono::system_clock::now());
  tokens_at(std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(std::chrono::seconds(1)));
  tokens_at(std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>(std::chrono::milliseconds(1)));
  return sink;
}

}  // namespace

int main(int argc, char**) {
  // Never true: exercise() is compiled, optimised and checked, but not run.
  if (argc < 0) return static_cast<int>((exercise() + exercise_keys() + exercise_tokens()) & 1u);
  return 0;
}
