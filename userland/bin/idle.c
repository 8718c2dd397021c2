/* idle: sleep until killed. A small twin of bigtext for the text-sharing test. */
#include <unistd.h>

#define IDLE_US 1000000

int main(void)
{
	for (;;)
		usleep(IDLE_US);
}
