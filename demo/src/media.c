/* media.dll: stand-in for the bundled ffmpeg.dll. Built with
 * MEDIA_SILENT_CHANGE for release 1.1, it gains one export and dynamic symbol
 * lookup (LoadLibraryA/GetProcAddress) while its version resource stays the
 * same: the kind of unannounced change the demo should surface. The lookup
 * itself is harmless (GetTickCount from kernel32). */
#include <windows.h>

__declspec(dllexport) int media_open(const char *device)
{
    return device ? 0 : -1;
}

__declspec(dllexport) int media_decode_frame(const unsigned char *data, int size)
{
    int sum = 0;
    for (int i = 0; i < size; i++)
        sum += data[i];
    return sum >= 0 ? size : 0;
}

#ifdef MEDIA_SILENT_CHANGE
__declspec(dllexport) unsigned long media_clock(void)
{
    HMODULE kernel = LoadLibraryA("kernel32.dll");
    FARPROC tick = kernel ? GetProcAddress(kernel, "GetTickCount") : NULL;
    return tick ? ((DWORD(WINAPI *)(void))(void (*)(void))tick)() : 0;
}
#endif

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
