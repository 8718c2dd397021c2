/* sleep time: wait time seconds (a non-negative whole number), then exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long s = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	if (argc != 2 || !argv[1][0] || *end || argv[1][0] == '-') {
		fprintf(stderr, "usage: sleep seconds\n");
		return 1;
	}
	sleep((unsigned)s);
	return 0;
}
