/*
 * env [-i] [name=value]... [utility [argument...]]: run utility with the environment
 * changed (-i: emptied first, then the assignments), or print the environment, one
 * name=value per line. POSIX exit statuses: the utility's own, 127 if it was not
 * found, 126 if it could not run, 1 for env's own errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATUS_NOT_FOUND 127
#define STATUS_NO_EXEC	 126

extern char **environ;

int main(int argc, char **argv)
{
	static char *empty[] = { 0 };
	int i = 1;
	if (i < argc && (strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "-") == 0)) {
		environ = empty;
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (; i < argc && strchr(argv[i], '=') && argv[i][0] != '='; i++) {
		if (putenv(argv[i]) != 0) {
			fprintf(stderr, "env: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
	}
	if (i == argc) {
		for (char **e = environ; e && *e; e++)
			printf("%s\n", *e);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fflush(stdout);
	execvp(argv[i], argv + i);
	int e = errno;
	fprintf(stderr, "env: %s: %s\n", argv[i], e == ENOENT ? "not found" : strerror(e));
	return e == ENOENT ? STATUS_NOT_FOUND : STATUS_NO_EXEC;
}
