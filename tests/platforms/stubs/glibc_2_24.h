// Forced first (-include) by tests/platforms: presents this machine's glibc as 2.24, older than
// explicit_bzero (2.25), so ct::secure_zero takes its portable volatile-store branch on Linux.
#include <features.h>
#undef __GLIBC_MINOR__
#define __GLIBC_MINOR__ 24
