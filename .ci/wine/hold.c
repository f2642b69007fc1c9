/* Test-only: holds a file open the way Word, an antivirus or a sync client does (reading, sharing read and write
 * but not delete), for some milliseconds, so that CI can check how casebook.exe replaces a file that is open.
 * Prints "held" once the file is open.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -municode -o hold.exe hold.c      Usage: hold.exe FILE MILLISECONDS
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 3) return 2;
    HANDLE h = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "cannot open: %lu\n", GetLastError());
        return 1;
    }
    printf("held\n");
    fflush(stdout);
    Sleep((DWORD)_wtoi(argv[2]));
    CloseHandle(h);
    return 0;
}
