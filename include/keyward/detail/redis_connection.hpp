// keyward (private): one connection to a Redis server, on hiredis, whose every wait has a deadline: the
// connection handling of rate::redis_limiter (rate/redis.hpp), shared by the Redis adapters. hiredis connects
// and parses replies; commands are written here into one buffer and sent with MSG_NOSIGNAL (SO_NOSIGPIPE on
// macOS), and each wait is a poll(2) for the time left before the caller's deadline.
// No stability promise; not for users.
#ifndef KEYWARD_DETAIL_REDIS_CONNECTION_HPP
#define KEYWARD_DETAIL_REDIS_CONNECTION_HPP

#include "../error.hpp"

#include <hiredis/hiredis.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace keyward::detail::redis {

/// A point on the clock of every deadline here.
using steady_time = std::chrono::steady_clock::time_point;

/// Where a Redis server is and how long to wait for it; checked by endpoint_valid().
struct endpoint {
  std::string host;  ///< an IP address or a host name (resolved by getaddrinfo, without a bound)
  int port = 6379;   ///< the TCP port
  std::chrono::milliseconds connect_timeout{200};  ///< connecting, and what the caller loads on a fresh connection
  std::chrono::milliseconds command_timeout{200};  ///< a call's commands, from the first byte sent to the last reply
};

/// True when `e` can work: a host neither empty nor holding a NUL byte, a port in 1-65535, and both timeouts
/// above zero.
inline bool endpoint_valid(const endpoint& e) noexcept {
  return !e.host.empty() && e.host.find('\0') == std::string::npos && e.port > 0 && e.port <= 65535 &&
         e.connect_timeout.count() > 0 && e.command_timeout.count() > 0;
}

/// The time `timeout` after `start`, or the clock's last time point when that lies beyond it: never
/// overflows, whatever the timeout (timeouts above 2^62 ns, 146 years, count as that).
inline steady_time deadline_after(steady_time start, std::chrono::milliseconds timeout) noexcept {
  using clock = std::chrono::steady_clock;
  constexpr auto longest = std::chrono::duration_cast<std::chrono::milliseconds>(clock::duration::max() / 2);
  const auto ahead = std::chrono::duration_cast<clock::duration>(timeout < longest ? timeout : longest);
  if (start > steady_time::max() - ahead) return steady_time::max();
  return start + ahead;
}

/// Waits with poll(2) until `fd` reports one of `events` or `deadline` passes: returns the events reported
/// (POLLERR, POLLHUP and POLLNVAL included, never 0), 0 when the deadline came first, or -1 when poll fails
/// (errno says why). A deadline already past polls without waiting. Resumes after EINTR with the time left.
/// poll counts whole milliseconds: the time left is rounded up, so it returns at most 1 ms (plus scheduling)
/// after the deadline and never before it.
inline int wait_for(int fd, short events, steady_time deadline) noexcept {
  using clock = std::chrono::steady_clock;
  for (;;) {
    const steady_time now = clock::now();
    int wait_ms = 0;
    if (now < deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      wait_ms = left < INT_MAX ? static_cast<int>(left) : INT_MAX;
    }
    pollfd watched{};
    watched.fd = fd;
    watched.events = events;
    const int ready = poll(&watched, 1, wait_ms);
    if (ready > 0) return watched.revents;
    if (ready == 0 && (wait_ms == 0 || clock::now() >= deadline)) return 0;
    if (ready < 0 && errno != EINTR) return -1;
  }
}

/// Commands in the Redis protocol (RESP: an array of bulk strings per command), in one buffer kept from call
/// to call, so that a call allocates nothing once the buffer has grown to its size (it is released after a
/// call that needed more than 64 KiB).
class command_buffer {
 public:
  command_buffer() noexcept = default;
  ~command_buffer() { std::free(data_); }
  command_buffer(command_buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  command_buffer& operator=(command_buffer&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  command_buffer(const command_buffer&) = delete;
  command_buffer& operator=(const command_buffer&) = delete;

  /// Appends the command of `count` arguments argv[i] of lengths[i] bytes; false (nothing appended) when
  /// memory runs out.
  bool append(std::size_t count, const char* const* argv, const std::size_t* lengths) noexcept {
    constexpr std::size_t frame = 1 + 20 + 2;  // '*' or '$', at most 20 digits, CRLF
    std::size_t need = frame;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t room = SIZE_MAX - size_ - need;
      if (room < frame + 2 || lengths[i] > room - frame - 2) return false;
      need += frame + lengths[i] + 2;
    }
    if (!reserve(size_ + need)) return false;
    char* out = data_ + size_;
    out = put_header('*', count, out);
    for (std::size_t i = 0; i < count; ++i) {
      out = put_header('$', lengths[i], out);
      if (lengths[i] != 0) std::memcpy(out, argv[i], lengths[i]);
      out += lengths[i];
      *out++ = '\r';
      *out++ = '\n';
    }
    size_ = static_cast<std::size_t>(out - data_);
    return true;
  }
  /// The bytes appended since the last clear().
  const char* data() const noexcept { return data_; }
  /// Their number.
  std::size_t size() const noexcept { return size_; }
  /// Empties the buffer, and releases its memory when it had grown beyond 64 KiB.
  void clear() noexcept {
    size_ = 0;
    if (capacity_ > (std::size_t{64} << 10)) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
    }
  }

 private:
  static char* put_header(char marker, std::size_t number, char* out) noexcept {
    *out++ = marker;
    out = std::to_chars(out, out + 20, number).ptr;
    *out++ = '\r';
    *out++ = '\n';
    return out;
  }
  bool reserve(std::size_t total) noexcept {
    if (total <= capacity_) return true;
    std::size_t grown = capacity_ < 256 ? 256 : capacity_;
    while (grown < total) grown = grown > SIZE_MAX / 2 ? total : grown * 2;
    void* moved = std::realloc(data_, grown);
    if (moved == nullptr) return false;
    data_ = static_cast<char*>(moved);
    capacity_ = grown;
    return true;
  }

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// A reply owned until the holder goes away or holds another one.
struct reply_holder {
  redisReply* reply = nullptr;  ///< the reply, or null

  reply_holder() noexcept = default;
  ~reply_holder() { reset(); }
  reply_holder(reply_holder&& other) noexcept : reply(std::exchange(other.reply, nullptr)) {}
  reply_holder& operator=(reply_holder&& other) noexcept {
    if (this != &other) reset(std::exchange(other.reply, nullptr));
    return *this;
  }
  reply_holder(const reply_holder&) = delete;
  reply_holder& operator=(const reply_holder&) = delete;

  /// Frees the reply held, if any, and holds `next` instead.
  void reset(redisReply* next = nullptr) noexcept {
    if (reply != nullptr) freeReplyObject(reply);
    reply = next;
  }
};

/// True when `reply` is Redis's NOSCRIPT error: EVALSHA named a script the server does not hold (after
/// SCRIPT FLUSH or a restart).
inline bool is_noscript(const redisReply* reply) noexcept {
  return reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str, reply->len).substr(0, 8) == "NOSCRIPT";
}

/// One connection to the server of an endpoint, made when a call needs it and dropped on any failure that
/// could leave it out of step, so that the next call connects again. The socket is non-blocking: every wait
/// is a poll(2) for the time left before a deadline the caller gives (connect_deadline(), command_deadline()),
/// for a whole reply rather than for each read, so no server can stretch a call, to about a millisecond.
/// Not bounded: resolving a host name that is not an IP address (getaddrinfo, at each new connection).
///
/// Errors (each call says which it returns): errc::redis_unavailable (no connection: refused, unreachable,
/// name not found, lost, out of memory, or none made yet), errc::redis_timeout (past the deadline),
/// errc::redis_protocol (bytes that are not a reply, or beyond the replies of a call), errc::redis_error_reply
/// (an error reply, through error_reply(): the connection stays). Every failure sets last_error_detail(), and
/// every one but an error reply drops the connection.
///
/// A request-response user appends its commands, then exchange()s (one command) or send_all()s and
/// receive()s each reply and ends with expect_drained(), so that no byte is left for the next call. A
/// subscriber sends its SUBSCRIBE the same way, then polls fd() itself and calls read_available() and
/// take_buffered().
///
/// Thread safety: none (one thread at a time). Movable, not copyable.
class connection {
 public:
  /// A connection to `where` (checked by the caller with endpoint_valid()); does not connect.
  explicit connection(endpoint where) noexcept : endpoint_(std::move(where)) {}
  ~connection() { disconnect(); }
  connection(connection&& other) noexcept
      : endpoint_(std::move(other.endpoint_)),
        context_(std::exchange(other.context_, nullptr)),
        output_(std::move(other.output_)) {
    std::memcpy(detail_, other.detail_, sizeof detail_);
  }
  connection& operator=(connection&& other) noexcept {
    if (this != &other) {
      disconnect();
      endpoint_ = std::move(other.endpoint_);
      context_ = std::exchange(other.context_, nullptr);
      output_ = std::move(other.output_);
      std::memcpy(detail_, other.detail_, sizeof detail_);
    }
    return *this;
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Makes sure a connection without unread bytes is ready: keeps the one there is when nothing is waiting
  /// to be read (in the socket or in hiredis's reader), or else drops it (a reply nobody asked for, or the
  /// server's close, would be taken for the next call's replies) and connects, before connect_deadline(start),
  /// with TCP_NODELAY (and SO_NOSIGPIPE where MSG_NOSIGNAL is missing). Sets `fresh` to true when it
  /// connected (leaves it alone otherwise): the caller then loads its scripts before connect_deadline(start),
  /// and times its commands with command_deadline(start, true). A subscriber, whose messages are unread bytes,
  /// calls it only when !connected(). errc::redis_unavailable or errc::redis_timeout when it cannot connect.
  result<void> ensure_connected(steady_time start, bool& fresh) noexcept {
    if (context_ != nullptr && !has_unread_bytes()) return {};
    disconnect();
    fresh = true;
    const steady_time deadline = connect_deadline(start);
    errno = 0;
    context_ = redisConnectNonBlock(endpoint_.host.c_str(), endpoint_.port);
    if (context_ == nullptr) {
      set_detail("hiredis could not allocate a context");
      return errc::redis_unavailable;
    }
    if (context_->err != 0) return connection_failure();
    const int ready = wait_for(context_->fd, POLLOUT, deadline);
    if (ready == 0) return give_up(errc::redis_timeout, "no connection within connect_timeout");
    int failure = 0;
    socklen_t length = sizeof failure;
    if (ready < 0 || getsockopt(context_->fd, SOL_SOCKET, SO_ERROR, &failure, &length) != 0)
      return give_up(errc::redis_unavailable, "the connection could not be checked");
    if (failure != 0)
      return give_up(failure == ETIMEDOUT ? errc::redis_timeout : errc::redis_unavailable,
                     failure == ECONNREFUSED ? "connection refused" : "connection failed");
    const int on = 1;  // no Nagle delay for the end of a batch sent in several writes (hiredis 1.x leaves it on)
    (void)setsockopt(context_->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
#ifndef MSG_NOSIGNAL  // macOS: the socket itself is told not to raise SIGPIPE
    (void)setsockopt(context_->fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    return {};
  }

  /// The deadline of connecting (and of loading scripts on the fresh connection) for a call started at
  /// `start`: connect_timeout after it.
  steady_time connect_deadline(steady_time start) const noexcept {
    return deadline_after(start, endpoint_.connect_timeout);
  }

  /// The deadline of a call's commands: command_timeout from the call's `start`, or from now when the call
  /// had to connect first (`fresh`).
  steady_time command_deadline(steady_time start, bool fresh) const noexcept {
    return deadline_after(fresh ? std::chrono::steady_clock::now() : start, endpoint_.command_timeout);
  }

  /// Appends the command of `argc` arguments argv[i] of lengths[i] bytes to what send_all() sends next (after
  /// ensure_connected(), which empties the buffer when it connects); false (nothing appended) when memory
  /// runs out: the caller then gives up with errc::redis_unavailable.
  bool append(std::size_t argc, const char* const* argv, const std::size_t* lengths) noexcept {
    return output_.append(argc, argv, lengths);
  }

  /// Sends every command appended before `deadline`, with MSG_NOSIGNAL: a server gone away is an error,
  /// never a SIGPIPE. Replies that arrive meanwhile are read into hiredis's reader, so that a server that
  /// answers while it reads a large batch cannot stall on its output. errc::redis_timeout past the
  /// deadline, errc::redis_unavailable when the connection fails (or there is none), errc::redis_protocol for
  /// bytes that are not a reply.
  result<void> send_all(steady_time deadline) noexcept {
    if (context_ == nullptr) return not_connected();
    std::size_t sent = 0;
    while (sent < output_.size()) {
      const ssize_t n = send(context_->fd, output_.data() + sent, output_.size() - sent, no_sigpipe);
      if (n >= 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return give_up(errc::redis_unavailable, "connection lost");
      const int ready = wait_for(context_->fd, POLLOUT | POLLIN, deadline);
      if (ready == 0) return give_up(errc::redis_timeout, "commands not sent within command_timeout");
      if (ready < 0) return give_up(errc::redis_unavailable, "poll failed");
      if ((ready & POLLIN) != 0 && redisBufferRead(context_) != REDIS_OK) return connection_failure();
    }
    output_.clear();
    return {};
  }

  /// Reads the next whole reply into `held` (freeing what it held) before `deadline`. errc::redis_timeout
  /// past the deadline, errc::redis_unavailable when the connection fails (or there is none),
  /// errc::redis_protocol for bytes that are not a reply. An error reply is a success here (see error_reply()).
  result<void> receive(steady_time deadline, reply_holder& held) noexcept {
    for (;;) {
      auto taken = take_buffered(held);
      if (!taken) return taken.error();
      if (*taken) return {};
      const int ready = wait_for(context_->fd, POLLIN, deadline);
      if (ready == 0) return give_up(errc::redis_timeout, "no reply within command_timeout");
      if (ready < 0) return give_up(errc::redis_unavailable, "poll failed");
      if (redisBufferRead(context_) != REDIS_OK) return connection_failure();
    }
  }

  /// After the last reply of a call: errc::redis_protocol (the connection dropped) when any byte was read
  /// beyond it, since it is no reply to the call; errc::redis_unavailable when there is no connection.
  result<void> expect_drained() noexcept {
    if (context_ == nullptr) return not_connected();
    if (context_->reader->pos == context_->reader->len) return {};
    return give_up(errc::redis_protocol, "bytes beyond the replies of the call");
  }

  /// Sends the one command appended and reads its one reply into `held`, before `deadline`, with nothing
  /// left after it: send_all(), receive() and expect_drained(), with their errors.
  result<void> exchange(steady_time deadline, reply_holder& held) noexcept {
    if (auto sent = send_all(deadline); !sent) return sent;
    if (auto received = receive(deadline, held); !received) return received;
    return expect_drained();
  }

  /// Loads `script` (SCRIPT LOAD, with nothing else appended) before `deadline` and writes its SHA1, 40 hex
  /// digits and a NUL, into `sha`. The errors of exchange(); errc::redis_error_reply when Redis refuses it
  /// (see error_reply()); errc::redis_protocol when the reply is not a SHA1. `sha` is unchanged on failure.
  result<void> load_script(std::string_view script, char (&sha)[41], steady_time deadline) noexcept {
    const char* const argv[3] = {"SCRIPT", "LOAD", script.data()};
    const std::size_t lengths[3] = {6, 4, script.size()};
    if (!append(3, argv, lengths)) return give_up(errc::redis_unavailable, "out of memory");
    reply_holder held;
    if (auto answered = exchange(deadline, held); !answered) return answered;
    if (held.reply->type == REDIS_REPLY_ERROR) return error_reply(held.reply);
    if (held.reply->type != REDIS_REPLY_STRING || held.reply->len != 40)
      return give_up(errc::redis_protocol, "SCRIPT LOAD did not answer a SHA1");
    std::memcpy(sha, held.reply->str, 40);
    sha[40] = '\0';
    return {};
  }

  /// For a subscriber, once poll(2) reports fd() readable: reads what one read(2) gives (at most hiredis's
  /// 16 KiB; poll again for more) into hiredis's reader, without waiting (nothing when no byte is there).
  /// errc::redis_unavailable when the connection fails or the server closed it (or there is none),
  /// errc::redis_protocol for bytes that are not a reply.
  result<void> read_available() noexcept {
    if (context_ == nullptr) return not_connected();
    if (redisBufferRead(context_) != REDIS_OK) return connection_failure();
    return {};
  }

  /// Takes the next whole reply already read into hiredis's reader, without reading the socket: true when
  /// one was taken into `held` (freeing what it held), false when none is whole yet. errc::redis_protocol
  /// for bytes that are not a reply, errc::redis_unavailable when there is no connection.
  result<bool> take_buffered(reply_holder& held) noexcept {
    if (context_ == nullptr) return not_connected();
    void* reply = nullptr;
    if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) return connection_failure();
    if (reply == nullptr) return false;
    held.reset(static_cast<redisReply*>(reply));
    return true;
  }

  /// The socket of the connection, to poll(2) for POLLIN; -1 when there is none.
  int fd() const noexcept { return context_ != nullptr ? context_->fd : -1; }

  /// True while there is a connection (which may have failed since without a call noticing).
  bool connected() const noexcept { return context_ != nullptr; }

  /// Closes the connection, if any, and forgets what was appended; the next ensure_connected() connects.
  void disconnect() noexcept {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
    output_.clear();
  }

  /// Drops the connection and returns `code`, with `why` as last_error_detail(): for a caller that finds a
  /// reply it cannot accept, which leaves the connection out of step.
  keyward::error give_up(errc code, std::string_view why) noexcept {
    set_detail(why);
    disconnect();
    return code;
  }

  /// errc::redis_error_reply with Redis's text in `reply` (an error reply) as last_error_detail(); the
  /// connection stays, in step.
  keyward::error error_reply(const redisReply* reply) noexcept {
    set_detail(std::string_view(reply->str, reply->len));
    return errc::redis_error_reply;
  }

  /// Text about the last failure, for logs: Redis's error reply, hiredis's description of a connection
  /// failure, or which deadline passed or which check failed; empty when none. At most 127 bytes.
  std::string_view last_error_detail() const noexcept { return detail_; }

 private:
#ifdef MSG_NOSIGNAL
  static constexpr int no_sigpipe = MSG_NOSIGNAL;
#else
  static constexpr int no_sigpipe = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif

  // True when something is waiting to be read: the server sent something nobody asked for yet (a reply, or
  // its close; a failing poll counts too), or hiredis's reader holds bytes not taken.
  bool has_unread_bytes() const noexcept {
    if (context_->reader->pos != context_->reader->len) return true;
    pollfd watched{};
    watched.fd = context_->fd;
    watched.events = POLLIN;
    int ready;
    do ready = poll(&watched, 1, 0);
    while (ready < 0 && errno == EINTR);
    return ready != 0;
  }

  // The error for a failed hiredis call, classified while errno still holds the cause; the connection is
  // dropped so that the next call starts a new one.
  keyward::error connection_failure() noexcept {
    const int cause = errno;
    errc code = errc::redis_unavailable;
    if (context_->err == REDIS_ERR_PROTOCOL) code = errc::redis_protocol;
    if (context_->err == REDIS_ERR_IO && cause == ETIMEDOUT) code = errc::redis_timeout;
    set_detail(context_->errstr);
    disconnect();
    return code;
  }

  keyward::error not_connected() noexcept { return give_up(errc::redis_unavailable, "not connected"); }

  void set_detail(std::string_view text) noexcept {
    const std::size_t n = text.size() < sizeof detail_ - 1 ? text.size() : sizeof detail_ - 1;
    std::memcpy(detail_, text.data(), n);
    detail_[n] = '\0';
  }

  endpoint endpoint_;
  redisContext* context_ = nullptr;
  command_buffer output_;
  char detail_[128] = {};
};

}  // namespace keyward::detail::redis

#endif  // KEYWARD_DETAIL_REDIS_CONNECTION_HPP
