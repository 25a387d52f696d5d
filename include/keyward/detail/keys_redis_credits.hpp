// keyward (private): the credit balances of keys::redis_store in Redis. A balance is the hash
// `<namespace>{<balance id>}:credits` (fields `refill`, `period` and `remaining`), spent by one Lua script run (atomic
// inside Redis, so every process and thread sharing the server spends one balance exactly), and reset by
// deleting it. This header holds the script, its call, the check of its replies and their conversion to a
// keys::credit_decision; redis_store.hpp picks the connection and calls it. No stability promise; not for
// users.
#ifndef KEYWARD_DETAIL_KEYS_REDIS_CREDITS_HPP
#define KEYWARD_DETAIL_KEYS_REDIS_CREDITS_HPP

#include "../error.hpp"
#include "redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace keyward::detail::keys_redis_credits {

/// The script that spends credits; run by its SHA1 (script_sha1, EVALSHA), loaded (SCRIPT LOAD) when Redis
/// answers NOSCRIPT. KEYS[1] is the balance hash; ARGV: 1 the cost, 2 the plan's allowance, 3 the plan's refill
/// kind (0 never, 1 daily, 2 monthly: keys::credit_refill's values), 4 and 5 the daily and the monthly period
/// of the caller's `now` (keys::credit_period, keys/credits.hpp), each a decimal integer.
///
/// The rule of every store (keys::spend_credits): the stored balance is (refill, period, remaining), its
/// period counted in the units of its own refill kind. It is kept when it is of the plan's kind and of the
/// period of `now` or a later one (a caller whose clock is late), or when it is of a finer kind than the
/// plan's (daily, then monthly, then never) and its own period, in its own units, is the one of `now` or a
/// later one; kept, it keeps its kind and period, and its remaining credits are capped at the allowance, so
/// that a lowered allowance applies at once. Otherwise (none stored, an earlier period, another kind that
/// is coarser or whose period has ended, or a hash without `refill`, written by an older version, whose
/// period's units are unknown) the balance is the allowance in the plan's kind and period. Then a cost up to
/// the remaining credits is taken (allowed), and a larger one takes nothing (denied); cost 0 is allowed and
/// takes nothing. The hash is written only when credits are taken: a refill that nothing spends is the same
/// as none.
///
/// Exactness: Lua numbers are doubles, exact for integers below 2^53, so the caller refuses an allowance or
/// a cost above max_exact (2^53 - 1) and a period outside it; every value the script computes then lies in
/// [0, allowance] or is a period given or stored, all exact. Stored values are read only when they are
/// decimal integers of at most 16 characters within (-2^53, 2^53) and a refill kind of "0", "1" or "2" (or
/// none), and are written with '%.0f' and '%d' (exact digits); a hash holding anything else is refused with
/// an error reply (not a balance this script wrote).
///
/// Reply: {1 allowed / 0 denied, the remaining credits (after the call; before it, when denied), the period
/// of the balance used, its refill kind}.
inline constexpr std::string_view script = R"lua(
local cost = tonumber(ARGV[1])
local allowance = tonumber(ARGV[2])
local refill = tonumber(ARGV[3])
local now = {[0] = 0, [1] = tonumber(ARGV[4]), [2] = tonumber(ARGV[5])}
local rank = {[0] = 2, [1] = 0, [2] = 1}
local k, p, remaining = refill, now[refill], allowance
local stored = redis.call('HMGET', KEYS[1], 'refill', 'period', 'remaining')
if stored[1] or stored[2] or stored[3] then
  local sk, sp, sr = stored[1], stored[2], stored[3]
  if not (sp and sr and #sp <= 16 and #sr <= 16 and string.match(sp, '^%-?%d+$') and string.match(sr, '^%d+$')) or
      (sk and sk ~= '0' and sk ~= '1' and sk ~= '2') then
    return redis.error_reply('keyward: the key holds no credit balance')
  end
  sp, sr = tonumber(sp), tonumber(sr)
  if sp >= 2^53 or sp <= -2^53 or sr >= 2^53 then
    return redis.error_reply('keyward: the key holds no credit balance')
  end
  if sk then
    sk = tonumber(sk)
    local keep
    if sk == refill then
      keep = sp >= p
    else
      keep = rank[sk] < rank[refill] and sp >= now[sk]
    end
    if keep then
      k, p = sk, sp
      if sr < allowance then remaining = sr end
    end
  end
end
if cost > remaining then return {0, remaining, p, k} end
if cost > 0 then
  remaining = remaining - cost
  redis.call('HSET', KEYS[1], 'refill', string.format('%d', k), 'period', string.format('%.0f', p),
    'remaining', string.format('%.0f', remaining))
end
return {1, remaining, p, k}
)lua";

/// The SHA1 of `script` (hex, lower case), the name EVALSHA calls it by; a reload that answers another name
/// is errc::redis_protocol. The test checks it against the name SCRIPT LOAD gives.
inline constexpr std::string_view script_sha1 = "9448dc30b9dfb770fe6628e7a2e56dfc3ac0b7e7";

/// The largest allowance and cost the script computes with exactly: 2^53 - 1. Periods must lie within
/// (-2^53, 2^53) too (every period of a 64-bit nanosecond time does, by far).
inline constexpr std::uint64_t max_exact = (std::uint64_t{1} << 53) - 1;

/// The longest key namespace and balance id (bytes) a balance key is made of.
inline constexpr std::size_t max_namespace = 64;
inline constexpr std::size_t max_id = 64;

/// The suffix of a balance key after the hash tag.
inline constexpr std::string_view key_suffix = ":credits";

/// The size of the longest balance key: namespace, '{', id, '}', ":credits".
inline constexpr std::size_t max_key_size = max_namespace + 1 + max_id + 1 + key_suffix.size();

/// The bytes of balance_key(key_namespace, id), `<key_namespace>{<id>}:credits`: the hash tag is the id, so
/// that a key's record (`<key_namespace>{<id>}`) and its balance share a cluster slot.
/// errc::key_invalid_options for a namespace longer than max_namespace, errc::key_invalid_length for an id
/// that is empty or longer than max_id; `out` must hold max_key_size bytes. The one place the name is made.
inline result<std::size_t> write_balance_key(std::string_view key_namespace, std::string_view id,
                                             char (&out)[max_key_size]) noexcept {
  if (key_namespace.size() > max_namespace) return errc::key_invalid_options;
  if (id.empty() || id.size() > max_id) return errc::key_invalid_length;
  char* at = out;
  if (!key_namespace.empty()) std::memcpy(at, key_namespace.data(), key_namespace.size());
  at += key_namespace.size();
  *at++ = '{';
  std::memcpy(at, id.data(), id.size());
  at += id.size();
  *at++ = '}';
  std::memcpy(at, key_suffix.data(), key_suffix.size());
  at += key_suffix.size();
  return static_cast<std::size_t>(at - out);
}

/// The balance key of `id` under `key_namespace` as a string (see write_balance_key, whose errors it returns).
inline result<std::string> balance_key(std::string_view key_namespace, std::string_view id) {
  char bytes[max_key_size];
  const result<std::size_t> size = write_balance_key(key_namespace, id, bytes);
  if (!size) return size.error();
  return std::string(bytes, *size);
}

/// The refill kinds as the script numbers them: keys::credit_refill's values (redis_store.hpp checks).
inline constexpr std::uint8_t refill_never = 0;
inline constexpr std::uint8_t refill_daily = 1;
inline constexpr std::uint8_t refill_monthly = 2;

/// How fine a refill kind's periods are: daily 0, monthly 1, never 2 (as keys::spend_credits ranks them).
constexpr int refill_rank(std::uint8_t refill) noexcept {
  return refill == refill_daily ? 0 : refill == refill_monthly ? 1 : 2;
}

/// What one call sends: the cost, the plan's allowance and refill kind, the daily and monthly periods of now.
struct request {
  std::uint64_t cost = 0;
  std::uint64_t allowance = 0;
  std::uint8_t refill = refill_never;
  std::int64_t day = 0;    ///< keys::credit_period(daily, now)
  std::int64_t month = 0;  ///< keys::credit_period(monthly, now)

  /// The period of now in the units of `kind` (0 for never).
  constexpr std::int64_t period_of(std::uint8_t kind) const noexcept {
    return kind == refill_daily ? day : kind == refill_monthly ? month : 0;
  }
};

/// A request, checked: errc::key_invalid_options when the cost or the allowance exceeds max_exact, the refill
/// kind is not 0, 1 or 2, or a period lies outside (-2^53, 2^53), where the script's doubles would round them.
constexpr result<request> make_request(std::uint64_t cost, std::uint64_t allowance, std::uint8_t refill,
                                       std::int64_t day, std::int64_t month) noexcept {
  constexpr auto period_limit = static_cast<std::int64_t>(max_exact);
  if (cost > max_exact || allowance > max_exact || refill > refill_monthly || day > period_limit ||
      day < -period_limit || month > period_limit || month < -period_limit)
    return errc::key_invalid_options;
  return request{cost, allowance, refill, day, month};
}

/// A reply of the script, checked against its request.
struct reply {
  bool allowed = false;
  std::uint64_t remaining = 0;
  std::int64_t period = 0;  ///< the period of the balance used, in the units of `refill`
  std::uint8_t refill = refill_never;  ///< the refill kind of the balance used: the plan's, or a finer one kept
};

/// True when `r` is a reply the script can give to `sent`: remaining at most the allowance; a balance of the
/// plan's kind and a period no earlier than the one sent (a later one is a balance written by a caller with a
/// later clock), or of a finer kind and a period no earlier than now's in its units; allowed with remaining
/// <= allowance - cost (so cost <= allowance); denied only for a cost above 0 and above the remaining
/// credits. Nothing more can be said: a stored balance kept may hold any count up to the allowance.
constexpr bool reply_possible(const request& sent, const reply& r) noexcept {
  if (r.refill > refill_monthly || r.remaining > sent.allowance) return false;
  if (r.refill != sent.refill && refill_rank(r.refill) >= refill_rank(sent.refill)) return false;
  if (r.period < sent.period_of(r.refill)) return false;
  if (r.allowed) return sent.cost <= sent.allowance && r.remaining <= sent.allowance - sent.cost;
  return sent.cost > 0 && r.remaining < sent.cost;
}

/// The reply in `value` (a whole reply of hiredis) to `sent`: errc::redis_error_reply for an error reply
/// (the script refusing a hash it did not write, a key of another type, out of memory...), and
/// errc::redis_protocol for anything but an array of four integers that reply_possible() accepts, with
/// `why` set to a short reason (never a value from the reply).
inline result<reply> decode_reply(const redisReply* value, const request& sent, std::string_view& why) noexcept {
  if (value->type == REDIS_REPLY_ERROR) {
    why = "an error reply";
    return errc::redis_error_reply;
  }
  why = "a reply of the wrong shape";
  if (value->type != REDIS_REPLY_ARRAY || value->elements != 4) return errc::redis_protocol;
  long long numbers[4];
  for (std::size_t i = 0; i < 4; ++i) {
    const redisReply* element = value->element[i];
    if (element == nullptr || element->type != REDIS_REPLY_INTEGER) return errc::redis_protocol;
    numbers[i] = element->integer;
  }
  constexpr auto period_limit = static_cast<long long>(max_exact);
  if ((numbers[0] != 0 && numbers[0] != 1) || numbers[1] < 0 || numbers[2] > period_limit ||
      numbers[2] < -period_limit || numbers[3] < refill_never || numbers[3] > refill_monthly)
    return errc::redis_protocol;
  reply r;
  r.allowed = numbers[0] == 1;
  r.remaining = static_cast<std::uint64_t>(numbers[1]);
  r.period = static_cast<std::int64_t>(numbers[2]);
  r.refill = static_cast<std::uint8_t>(numbers[3]);
  why = "a credit balance the request cannot give";
  if (!reply_possible(sent, r)) return errc::redis_protocol;
  why = {};
  return r;
}

/// The argument vector of one EVALSHA call of the script on `key`: the numbers' digits in place, nothing
/// allocated. `key` must outlive it.
struct script_call {
  script_call(std::string_view key, const request& sent) noexcept {
    argv[0] = "EVALSHA";
    lengths[0] = 7;
    argv[1] = script_sha1.data();
    lengths[1] = script_sha1.size();
    argv[2] = "1";
    lengths[2] = 1;
    argv[3] = key.data();
    lengths[3] = key.size();
    add(0, sent.cost);
    add(1, sent.allowance);
    add(2, static_cast<unsigned>(sent.refill));
    add(3, sent.day);
    add(4, sent.month);
  }
  template <class Integer>
  void add(std::size_t i, Integer number) noexcept {
    char* digits = numbers[i];
    argv[4 + i] = digits;
    lengths[4 + i] = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof numbers[i], number).ptr - digits);
  }
  static constexpr std::size_t argc = 9;
  char numbers[5][24] = {};
  const char* argv[argc] = {};
  std::size_t lengths[argc] = {};
};

/// Runs the script for `sent` on the balance `key` over `connection`: connects when needed (within the
/// connection's connect_timeout), then sends and reads within its command_timeout, a reload after
/// NOSCRIPT (SCRIPT FLUSH, a restarted server) and the retry included. Errors: those of the connection
/// (errc::redis_unavailable, errc::redis_timeout, errc::redis_protocol), errc::redis_error_reply (Redis's
/// text in the connection's last_error_detail(); the connection stays), errc::redis_protocol for a reply
/// the script cannot give (decode_reply) or a reload answering another SHA1 (the connection is dropped).
inline result<reply> consume(redis::connection& connection, std::string_view key, const request& sent) noexcept {
  const auto start = std::chrono::steady_clock::now();
  bool fresh = false;
  if (auto connected = connection.ensure_connected(start, fresh); !connected) return connected.error();
  const auto deadline = connection.command_deadline(start, fresh);
  const script_call call(key, sent);
  for (int attempt = 0;; ++attempt) {
    if (!connection.append(call.argc, call.argv, call.lengths))
      return connection.give_up(errc::redis_unavailable, "out of memory");
    redis::reply_holder held;
    if (auto answered = connection.exchange(deadline, held); !answered) return answered.error();
    if (attempt == 0 && redis::is_noscript(held.reply)) {
      char sha[41] = {};
      if (auto loaded = connection.load_script(script, sha, deadline); !loaded) return loaded.error();
      if (std::string_view(sha, 40) != script_sha1)
        return connection.give_up(errc::redis_protocol, "SCRIPT LOAD answered another SHA1");
      continue;
    }
    std::string_view why;
    result<reply> decoded = decode_reply(held.reply, sent, why);
    if (decoded) return decoded;
    if (decoded.error() == errc::redis_error_reply) return connection.error_reply(held.reply);
    return connection.give_up(errc::redis_protocol, why);
  }
}

/// Deletes the balance `key` (DEL), so that the next call starts from a full allowance; deleting a balance
/// that does not exist succeeds. Deadlines and errors as consume(), and errc::redis_protocol for a reply
/// other than an integer.
inline result<void> reset(redis::connection& connection, std::string_view key) noexcept {
  const auto start = std::chrono::steady_clock::now();
  bool fresh = false;
  if (auto connected = connection.ensure_connected(start, fresh); !connected) return connected.error();
  const char* const argv[2] = {"DEL", key.data()};
  const std::size_t lengths[2] = {3, key.size()};
  if (!connection.append(2, argv, lengths)) return connection.give_up(errc::redis_unavailable, "out of memory");
  redis::reply_holder held;
  if (auto answered = connection.exchange(connection.command_deadline(start, fresh), held); !answered)
    return answered.error();
  if (held.reply->type == REDIS_REPLY_ERROR) return connection.error_reply(held.reply);
  if (held.reply->type != REDIS_REPLY_INTEGER || held.reply->integer < 0 || held.reply->integer > 1)
    return connection.give_up(errc::redis_protocol, "DEL did not answer a count");
  return {};
}

/// The keys::credit_decision of a checked reply: `Decision` is keys::credit_decision, `Refill`
/// keys::credit_refill and `refill_time` keys::credit_refills_at (all in keys/credits.hpp, which a private
/// header does not include), which gives the start of the period after the one of the balance used, in its
/// own kind (none for credit_refill::never). In redis_store.hpp:
///   const auto sent = make_request(cost, plan.allowance, static_cast<std::uint8_t>(plan.refill), day, month);
///   ... consume(connection, key, *sent) ...
///   return to_decision<keys::credit_decision, keys::credit_refill>(*r, &keys::credit_refills_at);
template <class Decision, class Refill, class RefillTime>
Decision to_decision(const reply& r, RefillTime refill_time) noexcept {
  Decision d;
  d.allowed = r.allowed;
  d.remaining = r.remaining;
  d.refills_at = refill_time(static_cast<Refill>(r.refill), r.period);
  return d;
}

}  // namespace keyward::detail::keys_redis_credits

#endif  // KEYWARD_DETAIL_KEYS_REDIS_CREDITS_HPP
