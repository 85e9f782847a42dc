/*
 * Stand-in bcryptprimitives.dll for running Rust-built Windows programs under Wine 8.
 *
 * Rust's std for Windows (1.78+) imports ProcessPrng from bcryptprimitives.dll, which
 * Windows 10+ has and Wine 8.0 does not: such a program exits with status 53 before
 * main. This DLL exports just that function, filled from RtlGenRandom
 * (advapi32!SystemFunction036), which Wine does provide. It is only for running tests
 * under Wine; real Windows uses its own DLL and never sees this file.
 *
 * Built by scripts/wine-runner.sh:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom's real export name; declared here to avoid pulling in ntsecapi.h. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: feed larger requests in pieces. */
    while (len > 0) {
        ULONG part = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, part))
            return FALSE;
        data += part;
        len -= part;
    }
    /* The real ProcessPrng is documented to always return TRUE. */
    return TRUE;
}
