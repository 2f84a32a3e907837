/* d3dhelper.dll: stand-in for a signed graphics helper DLL that the vendor
 * ships unchanged between releases. */
#include <windows.h>

__declspec(dllexport) int d3dhelper_init(int width, int height)
{
    return width > 0 && height > 0 ? 0 : -1;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
