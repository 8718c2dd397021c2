/* sync: every change to /boot onto its disk (the file server's FS_SYNC; docs/storage.md). */
#include <unistd.h>

int main(void)
{
	sync();
	return 0;
}
