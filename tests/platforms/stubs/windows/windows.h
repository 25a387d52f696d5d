// Stub <windows.h> for tests/platforms: declares only what keyward's _WIN32 branches use, so that a Linux
// compiler can check those branches. Not a Windows SDK; never linked.
#ifndef KEYWARD_STUB_WINDOWS_H
#define KEYWARD_STUB_WINDOWS_H
#include <stddef.h>
typedef unsigned long ULONG;
typedef long NTSTATUS;
typedef unsigned char UCHAR;
typedef UCHAR* PUCHAR;
typedef void* PVOID;
typedef size_t SIZE_T;
#ifdef __cplusplus
extern "C" {
#endif
PVOID SecureZeroMemory(PVOID ptr, SIZE_T count);
#ifdef __cplusplus
}
#endif
#endif
