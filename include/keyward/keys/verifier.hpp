// keyward: one call from an Authorization field value to a decision about an API key: who is calling (a
// principal), or the denial to send (status, WWW-Authenticate challenge, Retry-After and JSON body).
//
// The steps, in order: parse the field (Bearer; Basic with the key as the user-id and an empty password;
// Basic with the key's prefix and id as the user-id and the rest as the password, as configured), classify
// the prefix, check the format and checksum (keys failing these never reach the store), look the id up in
// the store, compare digests in constant time, then check the environment, the status (disabled, revoked),
// the validity period (not-before, expiry), the scopes the request requires, the key's rate limit, and its
// usage credits.
//
// The store is any object with find(std::string_view id) returning something contextually bool that
// dereferences to a key_record: keys::memory_store (a std::shared_ptr<const key_record>), a pointer, or a
// std::optional<key_record> read from a database; or a keyward::result of one, for a store that can fail
// (keys::redis_store): an error then means the store could not answer, and the verifier denies with 503
// (http::denial::unavailable, fail closed), while "no such key" is a success holding a null handle. The
// verifier keeps the handle alive in the principal, so the views a principal gives stay valid as long as it
// lives. When a key's record has credits (key_record::credits), the store must have
// consume_credits(std::string_view balance_id, const credit_plan&, std::uint64_t cost, keys::sys_nanoseconds
// now) -> result<credit_decision>, which spends by the rule of keys::spend_credits() (memory_store and
// redis_store do): a store without it cannot meter the key, and the verifier answers 503 (to a request of
// cost above 0; cost 0 never asks the store). When the store also has
// record_use(std::string_view id, keys::sys_nanoseconds now), the verifier calls it on every success (for a
// store whose records are copies, such as a database row); it always updates key_record::last_used too.
// When the store has prefetch(std::string_view id) (a hint, such as memory_store's), the verifier calls it
// once the key has passed the format and checksum checks, then computes the key's HMAC, then calls find(id):
// the store's memory arrives while the HMAC runs.
/// \file
/// From an Authorization field value to a decision about an API key: keys::verifier.
#ifndef KEYWARD_KEYS_VERIFIER_HPP
#define KEYWARD_KEYS_VERIFIER_HPP

#include "../ct.hpp"
#include "../error.hpp"
#include "../http/basic.hpp"
#include "../http/bearer.hpp"
#include "../http/credentials.hpp"
#include "../http/denial.hpp"
#include "../rate/quota.hpp"
#include "credits.hpp"
#include "digest.hpp"
#include "format.hpp"
#include "limits.hpp"
#include "prefix.hpp"
#include "record.hpp"
#include "scopes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

/// API keys: prefix classifiers, a checksummed key format, peppered storage digests, records and stores,
/// scopes, usage credits, finding and redacting keys in text, loading keys from the environment, and the verifier that
/// turns an Authorization value into a decision.
namespace keyward::keys {

/// The ways a client may send its key in the Authorization field; make() wants at least one.
struct accepted_forms {
  bool bearer = true;  ///< `Bearer <key>` (RFC 6750 section 2.1)
  /// `Basic base64(<key>:)`: the key as the user-id, an empty password (RFC 7617; http::basic_api_key).
  bool basic_key_as_user = false;
  /// `Basic base64(<prefix><id>:<secret><checksum>)`: the key's handle as the user-id and the rest as the
  /// password (key_view::handle() and secret_part()), for clients that send an id and a secret as a pair.
  bool basic_id_secret_pair = false;
};

/// The kinds of key that may authenticate a request; a key of another kind gets INVALID_API_KEY.
struct accepted_kinds {
  bool secret = true;           ///< key_kind::secret
  bool publishable = false;     ///< key_kind::publishable: meant for browsers, usually not for an API server
  bool restricted = true;       ///< key_kind::restricted
  bool webhook_secret = false;  ///< key_kind::webhook_secret: signs webhooks, never sent as a credential
  bool custom = true;           ///< key_kind::custom

  /// True when keys of `kind` are accepted.
  constexpr bool accepts(key_kind kind) const noexcept {
    switch (kind) {
      case key_kind::secret: return secret;
      case key_kind::publishable: return publishable;
      case key_kind::restricted: return restricted;
      case key_kind::webhook_secret: return webhook_secret;
      case key_kind::custom: return custom;
    }
    return false;
  }
};

/// What the verifier does when the limiter cannot decide (its backend is down, a quota it does not know).
enum class limiter_failure : std::uint8_t {
  fail_closed,  ///< deny with 503 Service Unavailable and a Retry-After (the default)
  fail_open,    ///< let the request through unlimited; principal::limiter_failed() tells
};

/// How a verifier works; checked by verifier::make().
struct verifier_options {
  accepted_forms forms;  ///< how keys may be sent
  /// The prefixes keys may have (a keys::prefix_table converts to this view; it must outlive the verifier).
  prefix_set prefixes;
  /// The environment this server is: a key of another one gets WRONG_ENVIRONMENT (a test key on a live
  /// server). key_environment::unspecified accepts every environment; keys whose prefix has none are
  /// accepted everywhere.
  key_environment environment = key_environment::live;
  accepted_kinds kinds;  ///< which kinds of key may authenticate
  /// No oracle: every failure of a key (unknown, wrong, expired, revoked, disabled, other environment) gets
  /// INVALID_API_KEY, so that nothing tells an attacker that a key exists or once did. Scope and rate
  /// denials still come as such, since they need a valid key.
  bool uniform_key_denials = false;
  /// The scheme and realm of the challenges of the denials (denial::challenge() uses them).
  http::challenge_options challenge;
  /// The server's own scopes, on bits 4, 5, ... in this order (scope_table::make(); copied by make()).
  std::vector<std::string_view> scope_names;
  limiter_failure on_limiter_failure = limiter_failure::fail_closed;  ///< when the limiter errs
  /// The Retry-After of the 503 sent when the limiter errs and the verifier fails closed: 1 s to 1 day.
  std::chrono::seconds unavailable_retry_after{5};
  /// Bounds on the Authorization field value (limit.max_length; longer values get 400).
  http::limits limit;
};

/// Who is calling: the key's record (kept alive by the store's handle, so every view below lives as long as
/// the principal) and the rate decision, all that a handler and the RateLimit headers need.
template <class Handle>
class principal {
 public:
  /// The key's public id (12 characters).
  std::string_view id() const noexcept { return record().id.view(); }
  /// The key's owner (account, user, project).
  std::string_view owner() const noexcept { return record().owner; }
  /// The kind, from the key's prefix (authenticated by the digest).
  key_kind kind() const noexcept { return kind_; }
  /// The environment, from the key's prefix (authenticated by the digest).
  key_environment environment() const noexcept { return environment_; }
  /// The scopes granted.
  scope_set scopes() const noexcept { return record().scopes; }
  /// The record's metadata, as stored.
  std::string_view metadata() const noexcept { return record().metadata; }
  /// The rate decision for this request, for the RateLimit headers (rate::ratelimit, rate::x_ratelimit);
  /// nullopt when the key was not limited (no limiter, no quota in its record, or the limiter failed open).
  const std::optional<rate::decision>& rate() const noexcept { return rate_; }
  /// True when the limiter failed and the request went through unlimited (limiter_failure::fail_open).
  bool limiter_failed() const noexcept { return limiter_failed_; }
  /// The credits this request spent, for the server's own headers or logs: allowed, the credits remaining
  /// after this call and when they refill; nullopt when the key has no credit plan (unmetered) or the
  /// request cost 0 (the balance was not read).
  const std::optional<credit_decision>& credits() const noexcept { return credits_; }
  /// The whole record, as the store returned it.
  const key_record& record() const noexcept { return *handle_; }

  /// A principal for `handle` (not null) and what the verifier found.
  principal(Handle handle, key_kind kind, key_environment environment, std::optional<rate::decision> rate,
            bool limiter_failed, std::optional<credit_decision> credits = std::nullopt)
      noexcept(std::is_nothrow_move_constructible_v<Handle>)
      : handle_(std::move(handle)), rate_(rate), credits_(credits), kind_(kind), environment_(environment),
        limiter_failed_(limiter_failed) {}

 private:
  Handle handle_;
  std::optional<rate::decision> rate_;
  std::optional<credit_decision> credits_;
  key_kind kind_;
  key_environment environment_;
  bool limiter_failed_;
};

/// What verifier::authenticate() returns: a principal, or the http::denial to answer with, read like a
/// keyward::result: `if (!who) { status = who.error().status(); ... }`. Reading the wrong side aborts.
template <class Handle>
class authentication {
 public:
  /// A success.
  explicit authentication(principal<Handle> who) noexcept(std::is_nothrow_move_constructible_v<Handle>)
      : outcome_(std::in_place_index<0>, std::move(who)) {}
  /// A failure, with the rate decision when the limiter refused the request, and the credit decision when
  /// the key's credits did.
  explicit authentication(http::denial why, std::optional<rate::decision> rate = std::nullopt,
                          std::optional<credit_decision> credits = std::nullopt) noexcept
      : outcome_(std::in_place_index<1>, std::move(why)), rate_(rate), credits_(credits) {}

  /// True when a principal is held.
  ///@{
  bool has_value() const noexcept { return outcome_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  ///@}
  /// The principal; aborts on a denial.
  ///@{
  const principal<Handle>& value() const noexcept {
    if (!has_value()) detail::bad_result_access();
    return *std::get_if<0>(&outcome_);
  }
  const principal<Handle>& operator*() const noexcept { return value(); }
  const principal<Handle>* operator->() const noexcept { return &value(); }
  ///@}
  /// The denial (its challenge() uses the verifier's scheme and realm); aborts on a success.
  const http::denial& error() const noexcept {
    if (has_value()) detail::bad_result_access();
    return *std::get_if<1>(&outcome_);
  }
  /// The rate decision: the principal's on success, the limiter's refusal on a 429 (for the RateLimit
  /// headers sent with it), the limiter's allowance on a 402 (the request was counted before its credits
  /// were refused), nullopt otherwise.
  std::optional<rate::decision> rate() const noexcept { return has_value() ? value().rate() : rate_; }
  /// The credit decision: the principal's on success, the store's refusal on a 402 (remaining credits and
  /// refills_at), nullopt otherwise.
  std::optional<credit_decision> credits() const noexcept { return has_value() ? value().credits() : credits_; }

 private:
  std::variant<principal<Handle>, http::denial> outcome_;
  std::optional<rate::decision> rate_;
  std::optional<credit_decision> credits_;
};

}  // namespace keyward::keys

namespace keyward::detail::keys_verifier {

/// Whether Store has record_use(std::string_view, keys::sys_nanoseconds).
template <class Store, class = void>
struct has_record_use : std::false_type {};
template <class Store>
struct has_record_use<Store, std::void_t<decltype(std::declval<Store&>().record_use(
                                 std::string_view(), std::declval<::keyward::keys::sys_nanoseconds>()))>>
    : std::true_type {};

/// Whether Store has consume_credits(std::string_view, const keys::credit_plan&, std::uint64_t,
/// keys::sys_nanoseconds).
template <class Store, class = void>
struct has_consume_credits : std::false_type {};
template <class Store>
struct has_consume_credits<Store, std::void_t<decltype(std::declval<Store&>().consume_credits(
                                      std::string_view(), std::declval<const ::keyward::keys::credit_plan&>(),
                                      std::uint64_t(), std::declval<::keyward::keys::sys_nanoseconds>()))>>
    : std::true_type {};

/// Whether Store has prefetch(std::string_view id), a hint that find(id) follows.
template <class Store, class = void>
struct has_prefetch : std::false_type {};
template <class Store>
struct has_prefetch<Store, std::void_t<decltype(std::declval<Store&>().prefetch(std::string_view()))>>
    : std::true_type {};

/// The Basic buffer: room for any user-pass a key can make (the longest key, a ':' and some slack); longer
/// credentials cannot hold a key and are answered as an invalid key without being decoded.
inline constexpr std::size_t basic_capacity = 2 * ::keyward::keys::max_key_length + 8;

/// Wipes a stack buffer that held a key when it goes out of scope.
struct wipe_on_exit {
  explicit wipe_on_exit(char* buffer) noexcept : data(buffer) {}
  char* data;
  std::size_t size = 0;
  wipe_on_exit(const wipe_on_exit&) = delete;
  wipe_on_exit& operator=(const wipe_on_exit&) = delete;
  ~wipe_on_exit() { ::keyward::ct::secure_zero(data, size); }
};

}  // namespace keyward::detail::keys_verifier

namespace keyward::keys {

/// Verifies API keys against a Store (see the top of this header), reading time from a Clock and limiting
/// each key through a Limiter (keys/limits.hpp). Built by make(); authenticate() is the one call per request.
/// Thread-safe when the store and the limiter are (memory_store and tiered_limiter are); holds a reference
/// to the store, which must outlive it.
///
/// Timing: a bad checksum, an unknown id and a wrong secret all give INVALID_API_KEY, and an unknown id
/// runs the same digest and comparison as a wrong secret for a key whose digest is current (an HMAC under
/// the current pepper), against a dummy digest, so it is not measurably faster. A key whose stored digest
/// is outdated (an older pepper, an imported SHA-256) costs one more hash until it is digested again
/// (pepper_set::is_current() after a success, then store.modify): re-digest keys after a pepper rotation or
/// a migration, or an attacker holding such a key's id can tell that it exists. The record itself is read
/// only for a known id (one more cache line at most). Keys that fail the format or checksum are answered
/// before the store is asked (faster, but that tells nothing about which keys exist). The secret part of a
/// key goes through the constant-time checksum, HMAC and comparison only; sent with Bearer its bytes are
/// also checked against RFC 6750's b64token by a scan that is not constant-time (Basic decodes in constant
/// time).
///
/// Clock: std::chrono::system_clock, or any type whose now() (static or const) returns a
/// std::chrono::time_point of std::chrono::system_clock with an integer duration (tests use a manual one).
template <class Store, class Clock = std::chrono::system_clock, class Limiter = no_limiter>
class verifier {
 public:
  /// What Store::find returns (unwrapped from a keyward::result), kept in the principal.
  using handle_type = detail::keys_record::handle_of<Store>;
  /// The principal of a success.
  using principal_type = principal<handle_type>;
  /// What authenticate() returns.
  using outcome_type = authentication<handle_type>;
  /// What the clock returns.
  using time_point = std::decay_t<decltype(std::declval<const Clock&>().now())>;

  static_assert(std::is_constructible_v<bool, const handle_type&>,
                "keys::verifier: Store::find(id) must return something contextually bool (a pointer, a "
                "std::shared_ptr, a std::optional), or a keyward::result of one");
  static_assert(std::is_convertible_v<decltype(*std::declval<const handle_type&>()), const key_record&>,
                "keys::verifier: Store::find(id) must dereference to a keys::key_record");
  static_assert(std::is_same_v<typename time_point::clock, std::chrono::system_clock>,
                "keys::verifier: Clock::now() must return a std::chrono::system_clock time point");

  /// A verifier over `store` (referenced, not copied) with `options`, `peppers` (the digests' keys), a
  /// limiter and a clock. errc::key_invalid_options when no form is accepted, no prefix of the set has an
  /// accepted kind (the set is empty, or options.kinds refuses every kind in it: no key could pass), or
  /// unavailable_retry_after is outside 1 s to 1 day; errc::key_invalid_scope (offset: the index of the name)
  /// as scope_table::make().
  static result<verifier> make(Store& store, verifier_options options, pepper_set peppers,
                               Limiter limiter = Limiter(), Clock clock = Clock()) {
    const accepted_forms& forms = options.forms;
    if (!forms.bearer && !forms.basic_key_as_user && !forms.basic_id_secret_pair) return errc::key_invalid_options;
    bool some_kind_accepted = false;
    for (const prefix_entry& entry : options.prefixes) {
      some_kind_accepted = some_kind_accepted || options.kinds.accepts(entry.kind);
    }
    if (!some_kind_accepted) return errc::key_invalid_options;
    if (options.unavailable_retry_after < std::chrono::seconds(1) ||
        options.unavailable_retry_after > std::chrono::hours(24)) {
      return errc::key_invalid_options;
    }
    result<scope_table> table = scope_table::make(options.scope_names.data(), options.scope_names.size());
    if (!table) return table.error();
    options.scope_names.clear();  // the table holds its own copy; the views may dangle later
    // The unknown-id path compares against this digest, made with the current pepper like the real ones.
    const key_digest dummy = peppers.digest("keyward: the digest an unknown key id is compared with");
    return verifier(store, std::move(options), std::move(peppers), std::move(*table), dummy, std::move(limiter),
                    std::move(clock));
  }

  /// Authenticates the Authorization field value `authorization` (empty when the request has none) for a
  /// request requiring `required` (scopes::none for none), at `now`, spending `cost` of the key's usage
  /// credits when its record has a credit plan: the principal, or the denial, which is one of (see
  /// http::denial for the statuses, challenges and bodies) missing_credentials (empty value),
  /// malformed_credentials (a value that does not parse), wrong_scheme (a scheme not accepted),
  /// invalid_key (a key that does not parse, has a wrong checksum, an unknown prefix or id, a wrong secret,
  /// a kind not accepted, is sent in a form not accepted, or is before its not-before time; every key
  /// failure with uniform_key_denials), wrong_environment, revoked, disabled, expired (at or after its
  /// expires_at), insufficient_scope (with the names of the required scopes in the challenge),
  /// rate_limited (with the decision in rate()), credits_exhausted (402, the cost does not fit in the
  /// remaining credits; Retry-After until the refill when one is scheduled and the cost fits in the plan's
  /// allowance, none when it never can; the store's decision in credits()) and unavailable (503: the store's
  /// find() or consume_credits() failed, the limiter failed while failing closed, or the key has credits,
  /// the cost is above 0 and the store has no consume_credits()).
  ///
  /// Credits are checked last, after the rate limit (a request refused by the limiter spends none; a request
  /// refused with 402 has used a token of the rate limit, and its rate decision is in rate()), and always
  /// fail closed, whatever on_limiter_failure says: credits are money, and a store that cannot count them
  /// lets nothing through. `cost` 0 checks nothing and spends nothing: the store is not asked (it is allowed
  /// even when no credit is left, or the store cannot count credits), and principal::credits() is nullopt.
  /// Allocates nothing on success with memory_store and tiered_limiter (the denials with a scope do, and so
  /// does the first spend of a credit balance, which creates its entry).
  template <class Duration>
  outcome_type authenticate(std::string_view authorization, const scope_requirement& required,
                            std::chrono::time_point<std::chrono::system_clock, Duration> now,
                            std::uint64_t cost = 1) const {
    http::basic_buffer<detail::keys_verifier::basic_capacity> buffer;  // wiped when it goes
    char joined[max_key_length];
    detail::keys_verifier::wipe_on_exit wipe{joined};
    std::string_view key;
    std::size_t pair_user_size = 0;  // the user-id's size in the pair form, 0 otherwise
    if (std::optional<http::denial> unread = read_key(authorization, buffer, joined, wipe.size, key, pair_user_size)) {
      return deny(std::move(*unread));
    }

    // Format and checksum: nothing that fails them reaches the store.
    const result<key_view> parsed = parse_key(key, options_.prefixes);
    if (!parsed) return deny(http::denial::invalid_key());
    if (pair_user_size != 0 && pair_user_size != parsed->prefix.size() + parsed->id.size()) {
      return deny(http::denial::invalid_key());
    }
    const prefix_entry& prefix = parsed->classification;
    if (!options_.kinds.accepts(prefix.kind)) return deny(http::denial::invalid_key());

    // Digest and look-up: the HMAC under the current pepper needs no record, so it runs first, while the
    // store's memory arrives (the prefetch hint); an unknown id then does the work of a wrong secret.
    if constexpr (detail::keys_verifier::has_prefetch<Store>::value) store_->prefetch(parsed->id);
    const presented_digest presented = peppers_.present(parsed->whole);
    result<handle_type> looked_up = detail::keys_record::find_record(*store_, parsed->id);
    if (!looked_up) return deny(http::denial::unavailable(options_.unavailable_retry_after));  // fail closed
    handle_type& found = *looked_up;
    const bool exists = static_cast<bool>(found);
    const key_digest& expected = exists ? static_cast<const key_record&>(*found).digest : dummy_;
    const bool matched = peppers_.matches(parsed->whole, presented, expected);
    if (!exists || !matched) return deny(http::denial::invalid_key());
    const key_record& record = *found;

    const key_environment environment = prefix.environment;
    if (options_.environment != key_environment::unspecified && environment != key_environment::unspecified &&
        environment != options_.environment) {
      return deny(key_failure(http::denial::wrong_environment()));
    }
    if (record.status == key_status::revoked) return deny(key_failure(http::denial::revoked()));
    if (record.status != key_status::active) return deny(key_failure(http::denial::disabled()));
    const std::int64_t now_ns = detail::keys_record::unix_nanoseconds(now);
    if (record.not_before.has_value() && now_ns < detail::keys_record::unix_nanoseconds(*record.not_before)) {
      return deny(http::denial::invalid_key());
    }
    if (detail::keys_record::expired_at(record, now_ns)) return deny(key_failure(http::denial::expired()));
    if (!required.satisfied_by(record.scopes)) return deny(scope_denial(required));

    std::optional<rate::decision> decision;
    bool limiter_failed = false;
    const sys_nanoseconds at{std::chrono::nanoseconds(now_ns)};
    if constexpr (!std::is_same_v<Limiter, no_limiter>) {
      if (record.limit.has_value()) {
        const result<rate::decision> taken = limiter_.acquire(parsed->id, *record.limit, at);
        if (!taken) {
          if (options_.on_limiter_failure == limiter_failure::fail_closed) {
            return deny(http::denial::unavailable(options_.unavailable_retry_after));
          }
          limiter_failed = true;
        } else if (!taken->allowed()) {
          return deny(http::denial::rate_limited(taken->wait), *taken);
        } else {
          decision = *taken;
        }
      }
    }

    std::optional<credit_decision> credits;
    if (record.credits.has_value() && cost != 0) {  // cost 0 checks nothing and spends nothing
      if constexpr (detail::keys_verifier::has_consume_credits<Store>::value) {
        const std::string_view balance = record.credit_balance ? record.credit_balance->view() : record.id.view();
        const result<credit_decision> spent = store_->consume_credits(balance, *record.credits, cost, at);
        if (!spent) return deny(http::denial::unavailable(options_.unavailable_retry_after));  // fail closed
        if (!spent->allowed) {
          // The request has used a token of the key's rate limit (taken above, so that a rate-limited request
          // never spends credits). A Retry-After only when a refill can let the cost through: none when the
          // cost exceeds the whole allowance (0 included), whatever refills.
          std::optional<std::chrono::nanoseconds> until_refill;
          if (spent->refills_at.has_value() && cost <= record.credits->allowance) {
            const sys_nanoseconds refill{
                std::chrono::nanoseconds(detail::keys_record::unix_nanoseconds(*spent->refills_at))};
            until_refill = std::chrono::nanoseconds(detail::time_convert::nanoseconds_between(at, refill));
          }
          return deny(http::denial::credits_exhausted(until_refill), decision, *spent);
        }
        credits = *spent;
      } else {
        // A store that cannot count credits cannot let a metered key through.
        return deny(http::denial::unavailable(options_.unavailable_retry_after));
      }
    }

    record.last_used.record(now);
    if constexpr (detail::keys_verifier::has_record_use<Store>::value) store_->record_use(parsed->id, at);
    return outcome_type(
        principal_type(std::move(found), prefix.kind, environment, decision, limiter_failed, credits));
  }

  /// authenticate() at the clock's present time.
  outcome_type authenticate(std::string_view authorization, const scope_requirement& required,
                            std::uint64_t cost = 1) const {
    return authenticate(authorization, required, clock_.now(), cost);
  }

  /// The requirement that a key hold every scope named in `names` (space-separated, built-in or from
  /// options.scope_names): make it once, at start-up. errc::key_invalid_scope at the offset of an unknown
  /// name.
  result<scope_requirement> all_of(std::string_view names) const noexcept { return scopes_.all_of(names); }
  /// The requirement that a key hold at least one scope named in `names`; errors as all_of().
  result<scope_requirement> any_of(std::string_view names) const noexcept { return scopes_.any_of(names); }
  /// The server's scope names.
  const scope_table& scopes() const noexcept { return scopes_; }
  /// The options (scope_names emptied: see scopes()).
  const verifier_options& options() const noexcept { return options_; }
  /// The peppers, for minting and rotating keys (keys/record.hpp).
  const pepper_set& peppers() const noexcept { return peppers_; }
  /// The limiter.
  Limiter& limiter() noexcept { return limiter_; }

 private:
  verifier(Store& store, verifier_options options, pepper_set peppers, scope_table scopes, const key_digest& dummy,
           Limiter limiter, Clock clock)
      : store_(&store), options_(std::move(options)), peppers_(std::move(peppers)), scopes_(std::move(scopes)),
        dummy_(dummy), limiter_(std::move(limiter)), clock_(std::move(clock)) {}

  // The key in the field value, per the accepted forms: nullopt and `key` set, or the denial. A key sent as
  // a pair is joined into `joined` (wiped by the caller), `joined_size` and `pair_user_size` set.
  std::optional<http::denial> read_key(std::string_view authorization,
                                       http::basic_buffer<detail::keys_verifier::basic_capacity>& buffer,
                                       char* joined, std::size_t& joined_size, std::string_view& key,
                                       std::size_t& pair_user_size) const noexcept {
    const accepted_forms& forms = options_.forms;
    const bool basic = forms.basic_key_as_user || forms.basic_id_secret_pair;
    if (forms.bearer) {
      http::bearer_options bearer_settings;
      bearer_settings.limit = options_.limit;
      const result<std::string_view> token = http::parse_bearer(authorization, bearer_settings);
      if (token) {
        key = *token;
        return std::nullopt;
      }
      if (!basic || token.error() != errc::http_wrong_scheme) return http::denial::from_parse_error(token.error());
    }
    http::basic_options basic_settings;
    basic_settings.limit = options_.limit;
    const result<http::basic_credentials> credentials = http::parse_basic(authorization, buffer, basic_settings);
    if (!credentials) {
      if (credentials.error() == errc::buffer_too_small) return http::denial::invalid_key();
      return http::denial::from_parse_error(credentials.error());
    }
    const std::string_view user = credentials->user;
    const std::string_view password = credentials->password;
    if (password.empty()) {
      if (!forms.basic_key_as_user) return http::denial::invalid_key();
      key = user;
      return std::nullopt;
    }
    if (!forms.basic_id_secret_pair || user.empty() || user.size() + password.size() > max_key_length) {
      return http::denial::invalid_key();
    }
    std::memcpy(joined, user.data(), user.size());
    std::memcpy(joined + user.size(), password.data(), password.size());
    joined_size = user.size() + password.size();
    pair_user_size = user.size();
    key = std::string_view(joined, joined_size);
    return std::nullopt;
  }

  // `specific` for a key failure, or invalid_key when the verifier gives no oracle.
  http::denial key_failure(http::denial specific) const noexcept {
    return options_.uniform_key_denials ? http::denial::invalid_key() : std::move(specific);
  }

  // insufficient_scope naming the required scopes (valid scope-tokens, so it cannot fail).
  http::denial scope_denial(const scope_requirement& required) const {
    result<http::denial> made = http::denial::insufficient_scope(scopes_.names(required.required));
    if (made) return std::move(*made);
    return std::move(*http::denial::insufficient_scope(std::string()));
  }

  outcome_type deny(http::denial why, std::optional<rate::decision> rate = std::nullopt,
                    std::optional<credit_decision> credits = std::nullopt) const noexcept {
    why.with_challenge(options_.challenge);
    return outcome_type(std::move(why), rate, credits);
  }

  Store* store_;
  verifier_options options_;
  pepper_set peppers_;
  scope_table scopes_;
  key_digest dummy_;
  mutable Limiter limiter_;
  Clock clock_;
};

}  // namespace keyward::keys

#endif  // KEYWARD_KEYS_VERIFIER_HPP
