// A redis-server of its own for the Redis test and benchmark: started as a child process on a free
// loopback port (127.0.0.1 only, no persistence), ready once it answers PING, stopped when the object goes
// away. The child is also killed if this process dies first (PR_SET_PDEATHSIG), so a failed test leaves no
// server behind. POSIX (Linux) only, like the Redis adapter's tests.
#ifndef KEYWARD_TESTS_SUPPORT_REDIS_SERVER_HPP
#define KEYWARD_TESTS_SUPPORT_REDIS_SERVER_HPP

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace keyward_test {

/// The path of redis-server: $KEYWARD_REDIS_SERVER when set, else the first redis-server on $PATH; empty
/// when there is none (the callers then skip, exit status 77).
inline std::string find_redis_server() {
  if (const char* given = std::getenv("KEYWARD_REDIS_SERVER")) return access(given, X_OK) == 0 ? given : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/redis-server";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0); 0 on failure.
inline int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

/// True when a server on 127.0.0.1:`port` answers PING with PONG within `timeout`.
inline bool redis_answers_ping(int port, std::chrono::milliseconds timeout) {
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, limit);
  if (c == nullptr) return false;
  bool pong = false;
  if (c->err == 0 && redisSetTimeout(c, limit) == REDIS_OK) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
    if (reply != nullptr) {
      pong = reply->type == REDIS_REPLY_STATUS && std::string(reply->str, reply->len) == "PONG";
      freeReplyObject(reply);
    }
  }
  redisFree(c);
  return pong;
}

/// A redis-server child process.
class redis_server {
 public:
  /// Starts `executable` on a free loopback port and waits (at most 10 s) until it answers PING; running()
  /// tells whether that worked. Tries a few ports, in case another process takes the one chosen first.
  /// With `cpu` >= 0 the server runs on that CPU only (for benchmarks).
  explicit redis_server(std::string executable, int cpu = -1) : executable_(std::move(executable)), cpu_(cpu) {
    for (int attempt = 0; attempt < 5 && !running(); ++attempt) {
      const int port = free_loopback_port();
      if (port != 0) start(port);
    }
  }
  ~redis_server() { stop(); }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  /// True when the server was started and answered PING.
  bool running() const { return pid_ > 0; }
  /// Its port on 127.0.0.1.
  int port() const { return port_; }

  /// Starts it again on the same port after kill(); true once it answers PING.
  bool restart() {
    stop();
    return start(port_);
  }
  /// Stops it at once (SIGKILL), as a crash would.
  void kill_now() { stop(SIGKILL); }
  /// Freezes it (SIGSTOP): connections still open, nothing answered, as a server stuck in a long command.
  void suspend() const { if (pid_ > 0) ::kill(pid_, SIGSTOP); }
  /// Lets a suspended server go on (SIGCONT).
  void resume() const { if (pid_ > 0) ::kill(pid_, SIGCONT); }

  /// Stops it with `signal` (SIGTERM by default, then SIGKILL after 5 s) and reaps it.
  void stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }

 private:
  bool start(int port) {
    const std::string port_text = std::to_string(port);
    const pid_t child = fork();
    if (child < 0) return false;
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (cpu_ >= 0) {
        cpu_set_t only;
        CPU_ZERO(&only);
        CPU_SET(cpu_, &only);
        sched_setaffinity(0, sizeof only, &only);
      }
      const int null = open("/dev/null", O_RDWR);
      if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
      }
      execl(executable_.c_str(), executable_.c_str(), "--port", port_text.c_str(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    pid_ = child;
    port_ = port;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(child, nullptr, WNOHANG) == child) break;  // exited: the port was taken, or no server
      if (redis_answers_ping(port, std::chrono::milliseconds(200))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    pid_ = -1;
    return false;
  }

  std::string executable_;
  int cpu_ = -1;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace keyward_test

#endif  // KEYWARD_TESTS_SUPPORT_REDIS_SERVER_HPP
