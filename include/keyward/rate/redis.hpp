// keyward: the GCRA rate limiter of rate/gcra.hpp with its state in Redis, so that every process and host
// that shares a Redis server shares the limits. Each decision is one Lua script run, atomic inside Redis,
// timed by the server's clock (Redis TIME), so clients with skewed clocks agree. Built on hiredis (0.14 or
// later); needs Redis 5 or later (a script that reads TIME and then writes needs effects replication, the
// default since 5.0). An optional adapter: include it yourself (keyward.hpp does not) and link -lhiredis.
//
//   keyward::rate::redis_options options;               // 127.0.0.1:6379, 200 ms connect and command timeouts
//   auto limiter = keyward::rate::redis_limiter::make(options);  // checks the options; one per thread
//   auto d = limiter->acquire("user:42", quota);
//   if (!d) {
//     // Redis is down, slow or refused the call: d.error() says which. The caller decides:
//     // fail open (serve the request unlimited: availability first) or fail closed (answer 503 with a
//     // Retry-After: protection first). Nothing hangs longer than the timeouts.
//   } else if (!d->allowed()) { /* 429 with rate::retry_after(*d) */ }
#ifndef KEYWARD_RATE_REDIS_HPP
#define KEYWARD_RATE_REDIS_HPP

#include "../detail/rate_redis.hpp"
#include "../error.hpp"
#include "quota.hpp"

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
/// verdict and remaining count except within 1 ns of a boundary, and on waits to within 1 ns.
///
/// ARGV: 1-2 T, 3-4 W, 5-6 cost * T (each a pair), 7 count, 8 burst, 9 cost, and optionally 10-11 `now`
/// as microseconds and a nanosecond remainder since the Unix epoch (else Redis TIME, in microseconds). The
/// state, "<TAT us> <TAT ns remainder> <TAT f>", expires (PX) within 1 ms after the TAT has passed, since
/// the key is then as good as absent. A debt beyond one window (a clock gone backwards) is read as one
/// window (rate/gcra.hpp allows two, for its reservations: the verdicts agree, such waits do not). Reply:
/// {verdict 0 allowed / 1 denied / 2 never, remaining, wait ns, reset_after ns}.
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
local now_us, now_ns
if ARGV[10] then
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
    d, df = ahead_us * 1000 + tonumber(ns) - now_ns, tonumber(f)
    if d < 0 then d, df = 0, 0 elseif not le(d, df, w, wf) then d, df = w, wf end
  end
end
if cost > burst then
  return {2, intervals(sub(w, wf, d, df)), 0, ceil_ns(d, df)}
end
local a, af = add(d, df, n, nf)
if not le(a, af, w, wf) then
  local r, rf = sub(a, af, w, wf)
  return {1, intervals(sub(w, wf, d, df)), ceil_ns(r, rf), ceil_ns(d, df)}
end
if cost > 0 then
  local carry, rest = divmod(a, 1000)
  rest = rest + now_ns
  if rest >= 1000 then carry, rest = carry + 1, rest - 1000 end
  redis.call('SET', KEYS[1], string.format('%.0f %d %d', now_us + carry, rest, af),
             'PX', string.format('%d', math.floor(a / 1000000) + 1))
end
return {0, intervals(sub(w, wf, a, af)), 0, ceil_ns(a, af)}
)lua";

/// Where the Redis server is and how long to wait for it (checked by redis_limiter::make()).
struct redis_options {
  std::string host = "127.0.0.1";                  ///< a host name or an IP address: not empty, no NUL byte
  int port = 6379;                                 ///< the TCP port: 1 to 65535
  std::chrono::milliseconds connect_timeout{200};  ///< the longest a connection attempt takes: above zero
  std::chrono::milliseconds command_timeout{200};  ///< the longest a reply may take to arrive: above zero
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
/// Connection: made by make()'s limiter on first use (or by connect()) within redis_options::connect_timeout,
/// and again on the next call after any failure, so a limiter made while Redis is down works once Redis is
/// back; every command waits at most redis_options::command_timeout for its reply.
/// Errors: errc::redis_unavailable (no connection, refused, or lost), errc::redis_timeout (no connection or
/// no reply in time), errc::redis_protocol (a reply of the wrong shape), errc::redis_error_reply (Redis
/// answered with an error, e.g. the key holds another type, out of memory, a read-only replica; see
/// last_error_detail()), errc::rate_invalid_quota and errc::redis_unsupported_quota (from the quota, before
/// anything is sent). The script is loaded once per connection (SCRIPT LOAD) and run by its SHA1 (EVALSHA);
/// after a SCRIPT FLUSH or a server restart, the NOSCRIPT reply makes it load the script again and retry.
///
/// Thread safety: none. A hiredis connection serves one thread at a time: give each thread its own
/// redis_limiter (as many as you like share the same keys safely, since Redis runs each script atomically),
/// or guard one with a mutex. SIGPIPE is blocked in the calling thread during each call, so a server that
/// goes away cannot kill the process.
class redis_limiter {
 public:
  /// A limiter for the server in `options`. Checks the options and does not connect (see the class; call
  /// connect() to check that Redis answers). errc::redis_invalid_options for options that cannot work: an
  /// empty host or one holding a NUL byte, a port outside 1-65535, or a connect or command timeout of zero
  /// or less.
  static result<redis_limiter> make(redis_options options) {
    const bool valid = !options.host.empty() && options.host.find('\0') == std::string::npos && options.port > 0 &&
                       options.port <= 65535 && options.connect_timeout.count() > 0 &&
                       options.command_timeout.count() > 0;
    if (!valid) return errc::redis_invalid_options;
    return redis_limiter(std::move(options));
  }
  ~redis_limiter() { disconnect(); }
  redis_limiter(redis_limiter&& other) noexcept
      : options_(std::move(other.options_)), context_(std::exchange(other.context_, nullptr)) {
    std::memcpy(sha_, other.sha_, sizeof sha_);
    std::memcpy(detail_, other.detail_, sizeof detail_);
  }
  redis_limiter& operator=(redis_limiter&& other) noexcept {
    if (this != &other) {
      disconnect();
      options_ = std::move(other.options_);
      context_ = std::exchange(other.context_, nullptr);
      std::memcpy(sha_, other.sha_, sizeof sha_);
      std::memcpy(detail_, other.detail_, sizeof detail_);
    }
    return *this;
  }
  redis_limiter(const redis_limiter&) = delete;
  redis_limiter& operator=(const redis_limiter&) = delete;

  /// Connects, if not connected, and loads the script: a way to check Redis at start-up. The errors of
  /// acquire() about the connection.
  result<void> connect() noexcept {
    const detail::rate_redis::sigpipe_blocker blocker;
    return ensure_connected();
  }

  /// Takes `cost` (default 1) from the limit `limit` kept at `key`, at the Redis server's time (Redis TIME):
  /// the decision as rate::gcra::acquire() gives it (allowed with remaining and reset_after; denied, taking
  /// nothing, with wait; never when cost > burst; a cost of 0 takes nothing), or an error (see the class).
  /// Pass the same quota for a key every time: the state does not record it.
  result<decision> acquire(std::string_view key, const quota& limit, std::uint64_t cost = 1) noexcept {
    return run_one(key, limit, cost, nullptr);
  }

  /// acquire() at `now` instead of the server's clock: a std::chrono::system_clock time point of any
  /// precision (the script counts Unix time, as Redis TIME does), used to the nanosecond; for tests and
  /// replays that need exact times. Mixing it with the server's clock on one key mixes two clocks. `now`
  /// must lie within 2^53 microseconds of 1970 (until the year 2255), where the script is exact.
  template <class Duration>
  result<decision> acquire(std::string_view key, std::chrono::time_point<std::chrono::system_clock, Duration> now,
                           const quota& limit, std::uint64_t cost = 1) noexcept {
    const detail::rate_redis::script_time at = detail::rate_redis::script_time_of(now);
    return run_one(key, limit, cost, &at);
  }

  /// Runs `count` acquisitions in one round trip (pipelined), in order: several keys, or one key several
  /// times. decisions[i] receives the decision for requests[i]. On an error the decisions are not all
  /// valid, and some requests may have been counted: those before the failure were sent and run.
  result<void> acquire_batch(const redis_acquire* requests, std::size_t count, decision* decisions) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (const auto args = args_of(requests[i].limit, requests[i].cost); !args) return args.error();
      decisions[i] = decision{};  // limit 0: not decided yet (a decision's limit is the burst, at least 1)
    }
    const detail::rate_redis::sigpipe_blocker blocker;
    if (auto connected = ensure_connected(); !connected) return connected;
    for (int attempt = 0;; ++attempt) {
      bool script_missing = false;
      if (auto sent = run_batch(requests, count, decisions, script_missing); !sent) return sent;
      if (!script_missing) return {};
      if (attempt == 1) return errc::redis_error_reply;  // NOSCRIPT right after loading it
      if (auto loaded = load_script(); !loaded) return loaded;
    }
  }

  /// Text about the last failure, for logs: Redis's error reply (which may name the script line, never a
  /// key) or hiredis's description of a connection failure; empty when none. At most 127 bytes.
  std::string_view last_error_detail() const noexcept { return detail_; }

 private:
  // A reply owned until the end of the scope.
  struct reply_holder {
    redisReply* reply = nullptr;
    ~reply_holder() {
      if (reply != nullptr) freeReplyObject(reply);
    }
  };

  explicit redis_limiter(redis_options options) noexcept : options_(std::move(options)) {}

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
    int argc = 0;
  };

  result<decision> run_one(std::string_view key, const quota& limit, std::uint64_t cost,
                           const detail::rate_redis::script_time* now) noexcept {
    const auto args = args_of(limit, cost);
    if (!args) return args.error();
    const detail::rate_redis::sigpipe_blocker blocker;
    if (auto connected = ensure_connected(); !connected) return connected.error();
    for (int attempt = 0;; ++attempt) {
      script_call call(sha_, key, limit, cost, *args, now);
      reply_holder held;
      held.reply = static_cast<redisReply*>(redisCommandArgv(context_, call.argc, call.argv, call.lengths));
      if (held.reply == nullptr) return connection_failure();
      if (attempt == 0 && is_noscript(held.reply)) {
        if (auto loaded = load_script(); !loaded) return loaded.error();
        continue;
      }
      return read_decision(held.reply, limit);
    }
  }

  // Appends a call for every request not decided yet, then reads every reply (all of them, even after an
  // error reply, so that the connection stays in step). A NOSCRIPT reply leaves its request undecided.
  result<void> run_batch(const redis_acquire* requests, std::size_t count, decision* decisions,
                         bool& script_missing) noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (decisions[i].limit != 0) continue;
      const auto args = args_of(requests[i].limit, requests[i].cost);
      script_call call(sha_, requests[i].key, requests[i].limit, requests[i].cost, *args, nullptr);
      if (redisAppendCommandArgv(context_, call.argc, call.argv, call.lengths) != REDIS_OK)
        return connection_failure();
    }
    result<void> outcome;
    for (std::size_t i = 0; i < count; ++i) {
      if (decisions[i].limit != 0) continue;
      reply_holder held;
      void* reply = nullptr;
      if (redisGetReply(context_, &reply) != REDIS_OK) return connection_failure();
      held.reply = static_cast<redisReply*>(reply);
      if (is_noscript(held.reply)) {
        script_missing = true;
        continue;
      }
      auto one = read_decision(held.reply, requests[i].limit);
      if (one) decisions[i] = *one;
      else if (outcome) outcome = one.error();
    }
    return outcome;
  }

  result<void> ensure_connected() noexcept {
    if (context_ != nullptr && context_->err == 0) return {};
    disconnect();
    const timeval connect_limit = to_timeval(options_.connect_timeout);
    errno = 0;
    context_ = redisConnectWithTimeout(options_.host.c_str(), options_.port, connect_limit);
    if (context_ == nullptr) {
      set_detail("hiredis could not allocate a context");
      return errc::redis_unavailable;
    }
    if (context_->err != 0) return connection_failure();
    if (redisSetTimeout(context_, to_timeval(options_.command_timeout)) != REDIS_OK) return connection_failure();
    return load_script();
  }

  result<void> load_script() noexcept {
    const char* argv[3] = {"SCRIPT", "LOAD", redis_gcra_script.data()};
    const std::size_t lengths[3] = {6, 4, redis_gcra_script.size()};
    reply_holder held;
    held.reply = static_cast<redisReply*>(redisCommandArgv(context_, 3, argv, lengths));
    if (held.reply == nullptr) return connection_failure();
    if (held.reply->type == REDIS_REPLY_ERROR) {
      set_detail(std::string_view(held.reply->str, held.reply->len));
      return errc::redis_error_reply;
    }
    if (held.reply->type != REDIS_REPLY_STRING || held.reply->len != 40) return errc::redis_protocol;
    std::memcpy(sha_, held.reply->str, 40);
    sha_[40] = '\0';
    return {};
  }

  result<decision> read_decision(const redisReply* reply, const quota& limit) noexcept {
    if (reply->type == REDIS_REPLY_ERROR) {
      set_detail(std::string_view(reply->str, reply->len));
      return errc::redis_error_reply;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) return errc::redis_protocol;
    long long values[4];
    for (std::size_t i = 0; i < 4; ++i) {
      const redisReply* element = reply->element[i];
      if (element->type != REDIS_REPLY_INTEGER || element->integer < 0) return errc::redis_protocol;
      values[i] = element->integer;
    }
    if (values[0] > 2) return errc::redis_protocol;
    decision d;
    d.limit = limit.burst;
    d.outcome = values[0] == 0 ? verdict::allowed : values[0] == 1 ? verdict::denied : verdict::never;
    d.remaining = static_cast<std::uint64_t>(values[1]);
    d.wait = std::chrono::nanoseconds(values[2]);
    d.reset_after = std::chrono::nanoseconds(values[3]);
    return d;
  }

  static bool is_noscript(const redisReply* reply) noexcept {
    return reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str, reply->len).substr(0, 8) == "NOSCRIPT";
  }

  // The error for a failed hiredis call, classified while errno still holds the cause; the connection is
  // dropped so that the next call starts a new one.
  keyward::error connection_failure() noexcept {
    const int cause = errno;
    bool timed_out = false;
    if (context_ != nullptr) {
#ifdef REDIS_ERR_TIMEOUT  // hiredis 1.0 and later name timeouts
      timed_out = context_->err == REDIS_ERR_TIMEOUT;
#endif
      if (context_->err == REDIS_ERR_IO)
        timed_out = cause == EAGAIN || cause == EWOULDBLOCK || cause == ETIMEDOUT || cause == EINPROGRESS;
      set_detail(context_->errstr);
    }
    disconnect();
    return timed_out ? errc::redis_timeout : errc::redis_unavailable;
  }

  void disconnect() noexcept {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
  }

  void set_detail(std::string_view text) noexcept {
    const std::size_t n = text.size() < sizeof detail_ - 1 ? text.size() : sizeof detail_ - 1;
    std::memcpy(detail_, text.data(), n);
    detail_[n] = '\0';
  }

  static timeval to_timeval(std::chrono::milliseconds duration) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(duration.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>(duration.count() % 1000 * 1000);
    return tv;
  }

  redis_options options_;
  redisContext* context_ = nullptr;
  char sha_[41] = {};
  char detail_[128] = {};
};

}  // namespace keyward::rate

#endif  // KEYWARD_RATE_REDIS_HPP
