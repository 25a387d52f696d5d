// keyward: the GCRA rate limiter of rate/gcra.hpp with its state in Redis, so that every process and host
// that shares a Redis server shares the limits. Each decision is one Lua script run, atomic inside Redis.
// Built on hiredis (0.14 or later); needs Redis 5 or later (a script that reads TIME and then writes needs
// effects replication, the default since 5.0). An optional adapter: include it yourself (keyward.hpp does
// not) and link -lhiredis.
//
//   keyward::rate::redis_options options;               // 127.0.0.1:6379, 200 ms connect and command timeouts
//   auto limiter = keyward::rate::redis_limiter::make(options);  // checks the options; one per thread
//   auto d = limiter->acquire("user:42", quota);
//   if (!d) {
//     // Redis is down, slow or refused the call: d.error() says which. The caller decides:
//     // fail open (serve the request unlimited: availability first) or fail closed (answer 503 with a
//     // Retry-After: protection first).
//   } else if (!d->allowed()) { /* 429 with rate::retry_after(*d) */ }
//
// What is guaranteed:
// - Deadline: every call returns within connect_timeout + command_timeout (steady_clock, to about a
//   millisecond), whatever the server does: a call that has to connect spends at most connect_timeout on
//   the connection and the script's loading, then its commands (a reload after NOSCRIPT and the retry
//   included) complete within command_timeout; connect() alone takes at most connect_timeout. The wait is
//   for the whole reply, not for each read, so a server that sends a byte at a time cannot stretch it. The
//   one exception is the name lookup of a host that is not an IP address (getaddrinfo, before the deadline
//   can apply): give an IP address for a hard bound.
// - One clock per decision: acquire(key, limit, cost) uses the Redis server's clock (TIME) for both the
//   arithmetic and the key's expiry, so application servers with skewed clocks agree; acquire(key, now,
//   limit, cost) uses the caller's `now` only and writes keys that never expire by themselves (see there).
// - Replies are checked: a reply that is not one the script can give for the request's quota and cost, or
//   bytes the server sends beyond the replies of the call, are errc::redis_protocol.
/// \file
/// The GCRA rate limiter with its state in Redis (needs hiredis).
#ifndef KEYWARD_RATE_REDIS_HPP
#define KEYWARD_RATE_REDIS_HPP

#include "../detail/rate_redis.hpp"
#include "../detail/redis_connection.hpp"
#include "../error.hpp"
#include "quota.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace keyward::rate {

/// The Lua script that makes one decision; redis_limiter loads it (SCRIPT LOAD) and runs it by its SHA1
/// (EVALSHA). It is the GCRA of rate/gcra.hpp: with the emission interval T = period / count and the window
/// W = burst * T, the state is the theoretical arrival time TAT; at time `now` the debt is
/// D = min(max(TAT - now, 0), W), and a request of `cost` is allowed when D + cost * T <= W (the same test as
/// max(TAT, now) + cost * T - now <= tau + T, with the tolerance tau = (burst - 1) * T), which sets
/// TAT = now + D + cost * T. Then remaining = floor((W - D') / T) for the debt D' left, reset_after = D'; a
/// denied request changes nothing and gets wait = D + cost * T - W; a cost above the burst is
/// verdict::never.
///
/// Exactness: Lua numbers are doubles, exact for integers below 2^53. Durations are held as pairs (ns, f)
/// meaning ns + f / count nanoseconds with 0 <= f < count, so T, W and cost * T are exact (the client
/// computes them from the quota in 64-bit integers) and every sum, product and comparison is exact (below
/// 2^53) while W < 2^51 ns (26 days) and burst * count < 2^51. Absolute times stay exact as microseconds
/// (below 2^53 until the year 2255) plus a nanosecond remainder. Reported waits are rounded up to whole
/// nanoseconds. rate/gcra.hpp counts time in units of at most 1 ns instead, so the two agree on every
/// verdict and remaining count except within 1 ns of a boundary, and on waits to within 1 ns (exactly when
/// T is a whole number of nanoseconds times a power of two, where its unit is 1 ns).
///
/// Clock: one per decision. Without ARGV 10-11 the time is Redis TIME (microseconds), and the state expires
/// (PX, on the same server clock) within 1 ms after its TAT has passed, when it is as good as absent. With
/// ARGV 10-11, `now` as microseconds and a nanosecond remainder since the Unix epoch, that time is the only
/// clock: the state is written without expiry (the server's clock must not decide when a state computed
/// on another clock is gone) and keeps the key until it is deleted or given a TTL by its owner.
///
/// ARGV: 1-2 T, 3-4 W, 5-6 cost * T (each a pair), 7 count, 8 burst, 9 cost, then optionally 10-11 `now`.
/// The state is "<TAT us> <TAT ns remainder> <TAT f>" (f in 1/count ns of the quota that wrote it: under a
/// lower count, the whole nanoseconds in it are carried over, so the reply stays one the new quota can give;
/// the error is below count_old / count_new ns). A debt beyond one window (a clock gone backwards) is
/// read as one window (rate/gcra.hpp allows two, for its reservations: the verdicts agree, such waits do
/// not). Reply: {verdict 0 allowed / 1 denied / 2 never, remaining, wait ns, reset_after ns, the time used in
/// microseconds, its nanosecond remainder (0 for Redis TIME)}.
inline constexpr std::string_view redis_gcra_script = R"lua(
local count = tonumber(ARGV[7])
local function divmod(a, b)
  local q = math.floor(a / b)
  local r = a - q * b
  if r < 0 then return q - 1, r + b end
  if r >= b then return q + 1, r - b end
  return q, r
end
local function add(a, af, b, bf)
  local f = af + bf
  if f >= count then return a + b + 1, f - count end
  return a + b, f
end
local function sub(a, af, b, bf)
  local f = af - bf
  if f < 0 then return a - b - 1, f + count end
  return a - b, f
end
local function le(a, af, b, bf) return a < b or (a == b and af <= bf) end
local function ceil_ns(a, af) if af > 0 then return a + 1 end return a end
local t, tf = tonumber(ARGV[1]), tonumber(ARGV[2])
local w, wf = tonumber(ARGV[3]), tonumber(ARGV[4])
local n, nf = tonumber(ARGV[5]), tonumber(ARGV[6])
local burst, cost = tonumber(ARGV[8]), tonumber(ARGV[9])
local function intervals(x, xf)
  local function fits(m)
    local q, r = divmod(m * tf, count)
    return le(m * t + q, r, x, xf)
  end
  local k = math.floor((x + xf / count) / (t + tf / count))
  while k > 0 and not fits(k) do k = k - 1 end
  while fits(k + 1) do k = k + 1 end
  return k
end
local supplied = ARGV[10] ~= nil
local now_us, now_ns
if supplied then
  now_us, now_ns = tonumber(ARGV[10]), tonumber(ARGV[11])
else
  local time = redis.call('TIME')
  now_us, now_ns = tonumber(time[1]) * 1000000 + tonumber(time[2]), 0
end
local d, df = 0, 0
local state = redis.call('GET', KEYS[1])
if state then
  local us, ns, f = string.match(state, '^(%-?%d+) (%d+) (%d+)$')
  if not us then return redis.error_reply('keyward: the key holds no GCRA state') end
  local ahead_us = tonumber(us) - now_us
  if ahead_us > w / 1000 + 1 then
    d, df = w, wf
  elseif ahead_us >= 0 then
    local sf = tonumber(f)
    local carry = math.floor(sf / count)  -- a fraction written under a larger count
    d, df = ahead_us * 1000 + tonumber(ns) - now_ns + carry, sf - carry * count
    if d < 0 then d, df = 0, 0 elseif not le(d, df, w, wf) then d, df = w, wf end
  end
end
if cost > burst then
  return {2, intervals(sub(w, wf, d, df)), 0, ceil_ns(d, df), now_us, now_ns}
end
local a, af = add(d, df, n, nf)
if not le(a, af, w, wf) then
  local r, rf = sub(a, af, w, wf)
  return {1, intervals(sub(w, wf, d, df)), ceil_ns(r, rf), ceil_ns(d, df), now_us, now_ns}
end
if cost > 0 then
  local carry, rest = divmod(a, 1000)
  rest = rest + now_ns
  if rest >= 1000 then carry, rest = carry + 1, rest - 1000 end
  local tat = string.format('%.0f %d %d', now_us + carry, rest, af)
  if supplied then
    redis.call('SET', KEYS[1], tat)
  else
    redis.call('SET', KEYS[1], tat, 'PX', string.format('%d', math.floor(a / 1000000) + 1))
  end
end
return {0, intervals(sub(w, wf, a, af)), 0, ceil_ns(a, af), now_us, now_ns}
)lua";

/// Where the Redis server is and how long to wait for it (checked by redis_limiter::make()). Both timeouts
/// are deadlines for a whole call, measured on std::chrono::steady_clock (see redis_limiter).
struct redis_options {
  std::string host = "127.0.0.1";  ///< an IP address or a host name (resolved without a bound): not empty, no NUL
  int port = 6379;                 ///< the TCP port: 1 to 65535
  /// The longest a call spends connecting, the script's loading included: above zero.
  std::chrono::milliseconds connect_timeout{200};
  /// The longest a call's commands take once connected, from the first byte sent to the last byte of the
  /// last reply (a reload after NOSCRIPT and the retry included): above zero.
  std::chrono::milliseconds command_timeout{200};
};

/// One request of a pipelined batch (redis_limiter::acquire_batch).
struct redis_acquire {
  std::string_view key;  ///< the Redis key holding this limit's state (any bytes)
  quota limit;           ///< the quota to enforce on it
  std::uint64_t cost = 1;  ///< the capacity it takes
};

/// A GCRA limiter whose state lives in Redis under caller-chosen keys; see redis_gcra_script for the
/// algorithm and its exactness, and rate/gcra.hpp for the in-process limiter it agrees with.
///
/// Deadline: connect() returns within connect_timeout; acquire() and acquire_batch() within
/// connect_timeout + command_timeout: when there is no usable connection, the call connects and loads the
/// script (SCRIPT LOAD) within connect_timeout, then sends its commands and reads every reply within
/// command_timeout; a NOSCRIPT reply (after SCRIPT FLUSH or a server restart) reloads the script and retries
/// within that same command_timeout. The socket is non-blocking and each wait is a poll(2) for the time
/// left before the call's deadline, so the bound holds whatever the server sends, and when, to about a
/// millisecond (poll's resolution) plus the time to format and parse. Not bounded: resolving a host name
/// (getaddrinfo, at each new connection; the system resolver's own timeouts apply), so give an IP address
/// where the bound must be hard. Past the deadline the call returns errc::redis_timeout and drops the
/// connection; the next call connects again, so a limiter made while Redis is down works once Redis is
/// back.
///
/// Clock: each decision uses one clock. acquire(key, limit, cost) and acquire_batch() take the Redis
/// server's TIME, for the arithmetic and for the key's expiry (PX) alike: every application server sharing
/// the Redis server shares its clock, whatever their own clocks say. acquire(key, now, limit, cost) uses the
/// given `now` for the arithmetic and sets no expiry (see there). decided_at() tells the time a decision
/// used, for headers such as X-RateLimit-Reset that must agree across the fleet.
///
/// Replies: a connection with unread bytes when a call starts (a reply nobody asked for, or the server's
/// close) is dropped and a new one made. A call reads exactly the replies to what it sent: bytes left
/// after them, a reply of the wrong shape, or values the script cannot give for the request's quota and
/// cost are errc::redis_protocol and drop the connection. What the script can give: reset_after at most
/// W rounded up, with remaining = floor((W - D') / T) for some debt D' within 1 ns below reset_after (so
/// remaining is at most the burst); allowed only when cost <= burst, with no wait, remaining at most
/// burst - cost and reset_after at least cost * T; denied only when 0 < cost <= burst, with remaining below
/// the cost and a wait in (0, cost * T] that is reset_after - (W - cost * T) to the nanosecond; never
/// exactly when cost > burst, with no wait (every bound rounded up to whole nanoseconds); and the time used:
/// the one given, or whole microseconds of Redis TIME between 1970 and 2255.
///
/// Errors: errc::redis_unavailable (no connection: refused, unreachable, name not found, or lost),
/// errc::redis_timeout (past the deadline), errc::redis_protocol (see Replies), errc::redis_error_reply
/// (Redis answered with an error, e.g. the key holds another type, out of memory, a read-only replica; see
/// last_error_detail(); the connection stays), errc::rate_invalid_quota and errc::redis_unsupported_quota
/// (from the quota, before anything is sent), errc::redis_unsupported_time (from a supplied `now`, before
/// anything is sent).
///
/// Thread safety: none. A hiredis connection serves one thread at a time: give each thread its own
/// redis_limiter (as many as you like share the same keys safely, since Redis runs each script atomically),
/// or guard one with a mutex. Commands are sent with MSG_NOSIGNAL (SO_NOSIGPIPE on macOS), so a server that
/// goes away cannot raise SIGPIPE (hiredis only connects and parses replies here).
class redis_limiter {
 public:
  /// The type of decided_at(): a system_clock time in nanoseconds.
  using time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

  /// A limiter for the server in `options`. Checks the options and does not connect (see the class; call
  /// connect() to check that Redis answers). errc::redis_invalid_options for options that cannot work: an
  /// empty host or one holding a NUL byte, a port outside 1-65535, or a connect or command timeout of zero
  /// or less.
  static result<redis_limiter> make(redis_options options) {
    detail::redis::endpoint where{std::move(options.host), options.port, options.connect_timeout,
                                  options.command_timeout};
    if (!detail::redis::endpoint_valid(where)) return errc::redis_invalid_options;
    return redis_limiter(std::move(where));
  }

  /// Connects, if there is no usable connection, and loads the script, within connect_timeout: a way to
  /// check Redis at start-up. The errors of acquire() about the connection.
  result<void> connect() noexcept {
    bool fresh = false;
    return ensure_ready(std::chrono::steady_clock::now(), fresh);
  }

  /// Takes `cost` (default 1) from the limit `limit` kept at `key`, at the Redis server's time (Redis TIME,
  /// which also times the key's expiry): the decision as rate::gcra::acquire() gives it at that time
  /// (allowed with remaining and reset_after; denied, taking nothing, with wait; never when cost > burst; a
  /// cost of 0 takes nothing), or an error (see the class), within connect_timeout + command_timeout.
  /// decided_at() then returns the server's time. The state does not record the quota: after a change, the
  /// stored TAT is read under the new one.
  result<decision> acquire(std::string_view key, const quota& limit, std::uint64_t cost = 1) noexcept {
    return run_one(key, limit, cost, nullptr);
  }

  /// acquire() at `now` instead of the server's clock, for tests and replays that need exact times: a
  /// std::chrono::system_clock time point of any precision (the script counts Unix time, as Redis TIME
  /// does), used to the nanosecond; decided_at() then returns it, floored to nanoseconds. `now` is the only
  /// clock of the decision: the key is written without expiry, since a state whose TAT has passed is
  /// absent for the arithmetic anyway, so keys written this way stay until you delete them or give them a
  /// TTL yourself. Do not mix the two overloads on one key: a later acquire() by the server's clock would
  /// read a TAT on the caller's clock, and sets an expiry again. `now` must lie within 2^53 microseconds of
  /// 1970 (from the year 1685 to 2255), where the script is exact: errc::redis_unsupported_time otherwise.
  template <class Duration>
  result<decision> acquire(std::string_view key, std::chrono::time_point<std::chrono::system_clock, Duration> now,
                           const quota& limit, std::uint64_t cost = 1) noexcept {
    const detail::rate_redis::script_time at = detail::rate_redis::script_time_of(now);
    return run_one(key, limit, cost, &at);
  }

  /// Runs `count` acquisitions (by the server's clock, as acquire(key, limit, cost)) in one round trip
  /// (pipelined), in order: several keys, or one key several times. decisions[i] receives the decision for
  /// requests[i]; decided_at() then returns the time of the last decision read. Within connect_timeout +
  /// command_timeout, like acquire(). On an error the decisions are not all valid, and some requests may
  /// have been counted: those before the failure were sent and run.
  result<void> acquire_batch(const redis_acquire* requests, std::size_t count, decision* decisions) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (const auto args = args_of(requests[i].limit, requests[i].cost); !args) return args.error();
      decisions[i] = decision{};  // limit 0: not decided yet (a decision's limit is the burst, at least 1)
    }
    const auto start = std::chrono::steady_clock::now();
    bool fresh = false;
    if (auto ready = ensure_ready(start, fresh); !ready) return ready;
    const auto deadline = connection_.command_deadline(start, fresh);
    for (int attempt = 0;; ++attempt) {
      bool script_missing = false;
      if (auto sent = run_batch(requests, count, decisions, deadline, script_missing); !sent) return sent;
      if (!script_missing) return {};
      if (attempt == 1) return errc::redis_error_reply;  // NOSCRIPT right after loading it
      if (auto loaded = connection_.load_script(redis_gcra_script, sha_, deadline); !loaded) return loaded;
    }
  }

  /// The time the last decision was made at: the Redis server's TIME (microseconds) it read, or the `now`
  /// it was given (nanoseconds). Set by every successful acquire() and by each decision of acquire_batch();
  /// the epoch before the first. Use it as the `now` of rate::x_ratelimit() so that reset times agree
  /// across application servers.
  time_point decided_at() const noexcept { return decided_at_; }

  /// Text about the last failure, for logs: Redis's error reply (which may name the script line, never a
  /// key), hiredis's description of a connection failure, or which deadline passed or which check a reply
  /// failed; empty when none. At most 127 bytes.
  std::string_view last_error_detail() const noexcept { return connection_.last_error_detail(); }

 private:
  using steady_time = detail::redis::steady_time;
  using reply_holder = detail::redis::reply_holder;

  explicit redis_limiter(detail::redis::endpoint where) noexcept : connection_(std::move(where)) {}

  static result<detail::rate_redis::redis_gcra_args> args_of(const quota& limit, std::uint64_t cost) noexcept {
    return detail::rate_redis::make_redis_gcra_args(limit.count, limit.period, limit.burst, cost);
  }

  // The argument vector of one EVALSHA call: the decimal text of each number, in place.
  struct script_call {
    script_call(const char* sha, std::string_view key, const quota& limit, std::uint64_t cost,
                const detail::rate_redis::redis_gcra_args& a, const detail::rate_redis::script_time* now) noexcept {
      argv[0] = "EVALSHA";
      lengths[0] = 7;
      argv[1] = sha;
      lengths[1] = 40;
      argv[2] = "1";
      lengths[2] = 1;
      argv[3] = key.data();
      lengths[3] = key.size();
      argc = 4;
      for (const std::uint64_t number : {a.interval.ns, a.interval.fraction, a.window.ns, a.window.fraction,
                                         a.need.ns, a.need.fraction, limit.count, limit.burst, cost})
        add(number);
      if (now != nullptr) {
        add(now->micros);
        add(now->nanos);
      }
    }
    template <class Integer>
    void add(Integer number) noexcept {
      char* digits = numbers[argc - 4];
      argv[argc] = digits;
      lengths[argc] = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof numbers[0], number).ptr - digits);
      ++argc;
    }
    char numbers[11][24] = {};
    const char* argv[15] = {};
    std::size_t lengths[15] = {};
    std::size_t argc = 0;
  };

  // Makes sure a connection without unread bytes is ready, connecting and loading the script within
  // connect_timeout of `start` when there is none; `fresh` tells whether it connected.
  result<void> ensure_ready(steady_time start, bool& fresh) noexcept {
    if (auto connected = connection_.ensure_connected(start, fresh); !connected || !fresh) return connected;
    return connection_.load_script(redis_gcra_script, sha_, connection_.connect_deadline(start));
  }

  result<decision> run_one(std::string_view key, const quota& limit, std::uint64_t cost,
                           const detail::rate_redis::script_time* now) noexcept {
    const auto args = args_of(limit, cost);
    if (!args) return args.error();
    if (now != nullptr && !detail::rate_redis::script_time_exact(*now)) return errc::redis_unsupported_time;
    const auto start = std::chrono::steady_clock::now();
    bool fresh = false;
    if (auto ready = ensure_ready(start, fresh); !ready) return ready.error();
    const auto deadline = connection_.command_deadline(start, fresh);
    for (int attempt = 0;; ++attempt) {
      const script_call call(sha_, key, limit, cost, *args, now);
      if (!connection_.append(call.argc, call.argv, call.lengths))
        return connection_.give_up(errc::redis_unavailable, "out of memory");
      reply_holder held;
      if (auto answered = connection_.exchange(deadline, held); !answered) return answered.error();
      if (attempt == 0 && detail::redis::is_noscript(held.reply)) {
        if (auto loaded = connection_.load_script(redis_gcra_script, sha_, deadline); !loaded) return loaded.error();
        continue;
      }
      return read_decision(held.reply, *args, now);
    }
  }

  // Appends a call for every request not decided yet, then reads every reply (all of them, even after an
  // error reply, so that the connection stays in step). A NOSCRIPT reply leaves its request undecided.
  result<void> run_batch(const redis_acquire* requests, std::size_t count, decision* decisions, steady_time deadline,
                         bool& script_missing) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (decisions[i].limit != 0) continue;
      const auto args = args_of(requests[i].limit, requests[i].cost);
      const script_call call(sha_, requests[i].key, requests[i].limit, requests[i].cost, *args, nullptr);
      if (!connection_.append(call.argc, call.argv, call.lengths))
        return connection_.give_up(errc::redis_unavailable, "out of memory");
    }
    if (auto sent = connection_.send_all(deadline); !sent) return sent;
    result<void> outcome;
    for (std::size_t i = 0; i < count; ++i) {
      if (decisions[i].limit != 0) continue;
      reply_holder held;
      if (auto received = connection_.receive(deadline, held); !received) return received;
      if (detail::redis::is_noscript(held.reply)) {
        script_missing = true;
        continue;
      }
      auto one = read_decision(held.reply, *args_of(requests[i].limit, requests[i].cost), nullptr);
      if (one) decisions[i] = *one;
      else if (one.error() == errc::redis_protocol) return one.error();  // the connection is gone
      else if (outcome) outcome = one.error();
    }
    if (auto drained = connection_.expect_drained(); !drained) return drained;
    return outcome;
  }

  // The decision in a script reply for `args`, with its time checked against `sent` (the time the call
  // gave, or null for the server's TIME).
  result<decision> read_decision(const redisReply* reply, const detail::rate_redis::redis_gcra_args& args,
                                 const detail::rate_redis::script_time* sent) noexcept {
    if (reply->type == REDIS_REPLY_ERROR) return connection_.error_reply(reply);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 6)
      return connection_.give_up(errc::redis_protocol, "a reply of the wrong shape");
    long long values[6];
    for (std::size_t i = 0; i < 6; ++i) {
      const redisReply* element = reply->element[i];
      if (element->type != REDIS_REPLY_INTEGER)
        return connection_.give_up(errc::redis_protocol, "a reply of the wrong shape");
      values[i] = element->integer;
    }
    for (std::size_t i = 0; i < 4; ++i)
      if (values[i] < 0) return connection_.give_up(errc::redis_protocol, "a negative count in a reply");
    detail::rate_redis::redis_reply_fields fields;
    fields.verdict = static_cast<std::uint64_t>(values[0]);
    fields.remaining = static_cast<std::uint64_t>(values[1]);
    fields.wait = static_cast<std::uint64_t>(values[2]);
    fields.reset_after = static_cast<std::uint64_t>(values[3]);
    if (!detail::rate_redis::redis_reply_possible(args, fields))
      return connection_.give_up(errc::redis_protocol, "a decision the quota does not allow");
    // The time: the one sent, or Redis TIME in whole microseconds where the script is exact.
    const bool time_ok = sent != nullptr ? values[4] == sent->micros && values[5] == sent->nanos
                                         : values[4] >= 0 && values[5] == 0 &&
                                               detail::rate_redis::script_time_exact({values[4], 0});
    if (!time_ok) return connection_.give_up(errc::redis_protocol, "a decision time other than the one used");
    decided_at_ = time_point(std::chrono::microseconds(values[4]) + std::chrono::nanoseconds(values[5]));
    decision d;
    d.limit = args.burst;
    d.outcome = values[0] == 0 ? verdict::allowed : values[0] == 1 ? verdict::denied : verdict::never;
    d.remaining = fields.remaining;
    d.wait = std::chrono::nanoseconds(values[2]);
    d.reset_after = std::chrono::nanoseconds(values[3]);
    return d;
  }

  detail::redis::connection connection_;
  time_point decided_at_{};
  char sha_[41] = {};
};

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_REDIS_HPP
