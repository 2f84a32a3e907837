/* ExamplePhone: stand-in for a desktop softphone that ships its own media
 * and graphics helper DLLs, linked at load time like the real product. */
#include <stdio.h>

__declspec(dllimport) int media_open(const char *device);
__declspec(dllimport) int media_decode_frame(const unsigned char *data, int size);
__declspec(dllimport) int d3dhelper_init(int width, int height);

int main(void)
{
    static const unsigned char frame[] = {0x00, 0x01, 0x02, 0x03};

    if (d3dhelper_init(640, 480) != 0 || media_open("default") != 0) {
        puts("ExamplePhone: start-up failed");
        return 1;
    }
    printf("ExamplePhone: decoded %d bytes\n", media_decode_frame(frame, sizeof frame));
    return 0;
}
