/* Test-only stand-in for Windows' bcryptprimitives.dll, for running casebook.exe under Wine 8.0 in CI.
 *
 * Rust's standard library (since 1.78) gets random bytes from ProcessPrng in bcryptprimitives.dll, which
 * Wine 8.0 does not have, so every Rust .exe stops at start with "bcryptprimitives.dll ... not found". This DLL,
 * placed beside the .exe under Wine only, exports ProcessPrng and forwards to RtlGenRandom (SystemFunction036
 * in advapi32). It is never shipped: real Windows (8 and later) has the DLL.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll shim.c
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *RtlGenRandomFn)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static RtlGenRandomFn gen = NULL;
    if (!gen) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (!advapi) return FALSE;
        gen = (RtlGenRandomFn)(void *)GetProcAddress(advapi, "SystemFunction036");
        if (!gen) return FALSE;
    }
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!gen(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
