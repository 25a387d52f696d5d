// For suites that run once per kernel: KEYWARD_TEST_ISA=scalar|avx2|avx512vbmi restricts keyward's run-time
// dispatchers to that kernel for the whole process (keyward::kernels::force). A kernel this CPU (or this
// build: KEYWARD_NO_SIMD, not x86-64) lacks makes the program exit with 77, which meson reports as skipped,
// never as passed. Without the variable the dispatchers choose as they do in production.
#ifndef KEYWARD_TESTS_SUPPORT_FORCED_ISA_HPP
#define KEYWARD_TESTS_SUPPORT_FORCED_ISA_HPP

#include <keyward/kernels.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace keyward_test {

/// Applies KEYWARD_TEST_ISA (see above); returns the name of the kernel forced, or "default".
inline const char* force_kernel_from_environment() {
  using keyward::kernels::kernel;
  const char* name = std::getenv("KEYWARD_TEST_ISA");
  if (name == nullptr || *name == '\0') return "default";
  kernel wanted;
  if (std::strcmp(name, "scalar") == 0) {
    wanted = kernel::scalar;
  } else if (std::strcmp(name, "avx2") == 0) {
    wanted = kernel::avx2;
  } else if (std::strcmp(name, "avx512vbmi") == 0) {
    wanted = kernel::avx512vbmi;
  } else {
    std::fprintf(stderr, "KEYWARD_TEST_ISA=%s: expected scalar, avx2 or avx512vbmi\n", name);
    std::exit(2);
  }
  if (!keyward::kernels::available(wanted)) {
    std::printf("skipped: this CPU or build has no %s kernel\n", name);
    std::exit(77);
  }
  keyward::kernels::force(wanted);
  return name;
}

}  // namespace keyward_test

#endif  // KEYWARD_TESTS_SUPPORT_FORCED_ISA_HPP
