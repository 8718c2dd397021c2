/*
 * rmdir [-p] dir...: remove each directory, which must be empty. -p then removes each
 * parent named in the operand too (a/b/c: a/b/c, a/b, a). Exit status 1 on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PATH_MAX_ 256

/* Remove path, then with -p its parents as named: 0, or -1 after printing why. */
static int remove_dir(const char *path, int parents)
{
	char buf[PATH_MAX_];
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		if (rmdir(buf) != 0) {
			fprintf(stderr, "rmdir: %s: %s\n", buf, strerror(errno));
			return -1;
		}
		char *slash = strrchr(buf, '/');
		while (slash && slash > buf && slash[1] == 0) /* trailing slashes */
			*slash = 0, slash = strrchr(buf, '/');
		if (!parents || !slash || slash == buf)
			return 0;
		*slash = 0;
	}
}

int main(int argc, char **argv)
{
	int i = 1, parents = 0, status = 0;
	if (i < argc && strcmp(argv[i], "-p") == 0)
		parents = 1, i++;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i == argc) {
		fprintf(stderr, "usage: rmdir [-p] dir...\n");
		return 1;
	}
	for (; i < argc; i++)
		status |= remove_dir(argv[i], parents) != 0;
	return status;
}
