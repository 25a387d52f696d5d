// Stub <bcrypt.h> for tests/platforms: only what keyward's random.hpp uses (see windows.h here).
#ifndef KEYWARD_STUB_BCRYPT_H
#define KEYWARD_STUB_BCRYPT_H
#include <windows.h>
typedef void* BCRYPT_ALG_HANDLE;
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#define BCRYPT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)
#ifdef __cplusplus
extern "C" {
#endif
NTSTATUS BCryptGenRandom(BCRYPT_ALG_HANDLE algorithm, PUCHAR buffer, ULONG size, ULONG flags);
#ifdef __cplusplus
}
#endif
#endif
