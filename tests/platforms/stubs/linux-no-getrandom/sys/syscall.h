// Stub <sys/syscall.h> for tests/platforms: kernel headers older than getrandom(2) (Linux < 3.17), which
// define no SYS_getrandom, so random.hpp must fall back to /dev/urandom.
#ifndef KEYWARD_STUB_SYS_SYSCALL_H
#define KEYWARD_STUB_SYS_SYSCALL_H
#endif
