/* init (first version): proves user space, picolibc and the heap work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	printf("init: hello from user space, argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("init: argv[%d] = %s\n", i, argv[i]);
	char *p = malloc(100 * 1024);
	if (!p)
		return 2;
	memset(p, 0x5a, 100 * 1024);
	free(p);
	printf("init: malloc ok\n");
	return 0;
}
