// Forced first (-include) by tests/platforms for the targets whose C library is not glibc (macOS, the BSDs,
// other POSIX systems): reads glibc's <features.h> once, then forgets that the C library is glibc, so that
// keyward's `defined(__GLIBC__)` tests take their non-glibc branches. Everything else still comes from
// this machine's headers.
#include <features.h>
#undef __GLIBC__
#undef __GLIBC_MINOR__
