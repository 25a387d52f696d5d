// Replaces the global operator new and delete of the test program that includes this header (include it in
// one translation unit only) and counts the allocations made while keyward_test::counting is set: how the
// no-allocation checks see that a parse path allocates nothing.
#ifndef KEYWARD_TESTS_SUPPORT_COUNT_ALLOCATIONS_HPP
#define KEYWARD_TESTS_SUPPORT_COUNT_ALLOCATIONS_HPP

#include <cstddef>
#include <cstdlib>
#include <new>

namespace keyward_test {
inline bool counting = false;        ///< count allocations while true
inline std::size_t allocations = 0;  ///< allocations counted so far
// Out of line, so that g++ does not see a pointer from operator new reach free() (-Wmismatched-new-delete).
[[gnu::noinline]] inline void release(void* p) noexcept { std::free(p); }
}  // namespace keyward_test

void* operator new(std::size_t size) {
  if (keyward_test::counting) ++keyward_test::allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  std::abort();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { keyward_test::release(p); }
void operator delete[](void* p) noexcept { keyward_test::release(p); }
void operator delete(void* p, std::size_t) noexcept { keyward_test::release(p); }
void operator delete[](void* p, std::size_t) noexcept { keyward_test::release(p); }
// The nothrow forms (jwt::token_buffer takes its heap block with one), counted and freed the same way.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (keyward_test::counting) ++keyward_test::allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return operator new(size, std::nothrow); }
void operator delete(void* p, const std::nothrow_t&) noexcept { keyward_test::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { keyward_test::release(p); }

#endif  // KEYWARD_TESTS_SUPPORT_COUNT_ALLOCATIONS_HPP
