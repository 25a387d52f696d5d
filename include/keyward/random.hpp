// keyward: bytes from the operating system's CSPRNG. getrandom(2) on Linux (with /dev/urandom where the
// kernel lacks it), arc4random_buf(3) on the BSDs and macOS, getentropy(3) elsewhere on POSIX, and
// BCryptGenRandom on Windows. Never std::random_device and never a user-space PRNG: failure is an error.
/// \file
/// Bytes from the operating system's CSPRNG: random::fill.
#ifndef KEYWARD_RANDOM_HPP
#define KEYWARD_RANDOM_HPP

#include "config.hpp"
#include "ct.hpp"
#include "error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <bcrypt.h>
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#elif defined(__linux__)
#include <cerrno>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__)
#include <stdlib.h>
#define KEYWARD_HAVE_ARC4RANDOM 1
#else
#include <cerrno>
#include <unistd.h>
#endif

#if defined(__linux__)
namespace keyward::detail::random {
/// Fills from /dev/urandom (opened with O_CLOEXEC), for kernels older than getrandom(2) (Linux 3.17).
inline result<void> fill_from_urandom(unsigned char* out, std::size_t size) noexcept {
  int fd = -1;
  do {
    fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errc::random_unavailable;
  while (size != 0) {
    const ::ssize_t got = ::read(fd, out, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      ::close(fd);
      return errc::random_unavailable;
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
  ::close(fd);
  return {};
}
}  // namespace keyward::detail::random
#endif

/// Bytes from the operating system's CSPRNG; failure is an error, never a fallback.
namespace keyward::random {

/// Fills the `size` bytes at `buffer` with cryptographically secure random bytes from the OS. Returns
/// errc::random_unavailable when the OS source fails (the buffer content is then unspecified); it never
/// substitutes a weaker source. May block only until the kernel's pool is first initialized at boot.
inline result<void> fill(void* buffer, std::size_t size) noexcept {
  auto* out = static_cast<unsigned char*>(buffer);
#if defined(_WIN32)
  while (size != 0) {
    const ULONG chunk = size > 0x40000000u ? 0x40000000u : static_cast<ULONG>(size);
    if (!BCRYPT_SUCCESS(::BCryptGenRandom(nullptr, out, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
      return errc::random_unavailable;
    out += chunk;
    size -= chunk;
  }
  return {};
#elif defined(__linux__) && !defined(SYS_getrandom)
  return detail::random::fill_from_urandom(out, size);  // headers older than getrandom(2)
#elif defined(__linux__)
  while (size != 0) {
    // At most 32 MiB - 1 per call, the most getrandom returns at once; longer requests loop.
    const std::size_t chunk = size < 33554431u ? size : 33554431u;
    const long got = ::syscall(SYS_getrandom, out, chunk, 0u);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSYS) return detail::random::fill_from_urandom(out, size);
      return errc::random_unavailable;
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
  return {};
#elif defined(KEYWARD_HAVE_ARC4RANDOM)
  ::arc4random_buf(out, size);  // cannot fail
  return {};
#else
  while (size != 0) {
    const std::size_t chunk = size < 256 ? size : 256;  // getentropy's per-call limit
    if (::getentropy(out, chunk) != 0) {
      if (errno == EINTR) continue;
      return errc::random_unavailable;
    }
    out += chunk;
    size -= chunk;
  }
  return {};
#endif
}

/// A UniformRandomBitGenerator ([rand.req.urng]) over fill(): 64-bit values from the OS CSPRNG, drawn in
/// batches of 32 and wiped from the object as they are handed out. The OS source failing is unrecoverable
/// here (operator() has no way to report it), so it aborts; call fill() directly to handle the error.
class os_generator {
 public:
  /// The generated type, as the standard requires.
  using result_type = std::uint64_t;
  /// The smallest value operator() returns: 0.
  static constexpr result_type(min)() noexcept { return 0; }  // parenthesized: immune to a min() macro
  /// The largest value operator() returns: 2^64 - 1.
  static constexpr result_type(max)() noexcept { return (std::numeric_limits<result_type>::max)(); }

  os_generator() noexcept = default;
  os_generator(const os_generator&) = delete;  // a copy would hand out the same values twice
  os_generator& operator=(const os_generator&) = delete;
  ~os_generator() { ct::secure_zero(pool_, sizeof pool_); }

  /// The next random value; aborts if the OS random source fails.
  result_type operator()() noexcept {
    if (next_ == pool_size) {
      if (!fill(pool_, sizeof pool_)) std::abort();
      next_ = 0;
    }
    const result_type value = pool_[next_];
    pool_[next_++] = 0;
    return value;
  }

 private:
  static constexpr std::size_t pool_size = 32;
  result_type pool_[pool_size] = {};
  std::size_t next_ = pool_size;
};

}  // namespace keyward::random

#undef KEYWARD_HAVE_ARC4RANDOM

#endif  // KEYWARD_RANDOM_HPP
