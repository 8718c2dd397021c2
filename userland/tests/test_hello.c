/* The runner itself: a program that prints, allocates and exits 0 passes. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

int main(int argc, char **argv)
{
	CHECK(argc == 1);
	CHECK(strcmp(argv[0], "test_hello") == 0);
	char *p = malloc(64 * 1024);
	CHECK(p != NULL);
	if (p) {
		memset(p, 1, 64 * 1024);
		free(p);
	}
	return test_status();
}
