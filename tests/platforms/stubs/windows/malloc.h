// Stub additions to <malloc.h> for tests/platforms: clang's <mm_malloc.h> calls the Windows CRT's
// _aligned_malloc/_aligned_free when _WIN32 is defined.
#ifndef KEYWARD_STUB_MALLOC_H
#define KEYWARD_STUB_MALLOC_H
#include_next <malloc.h>
#ifdef __cplusplus
extern "C" {
#endif
void* _aligned_malloc(size_t size, size_t alignment);
void _aligned_free(void* ptr);
#ifdef __cplusplus
}
#endif
#endif
