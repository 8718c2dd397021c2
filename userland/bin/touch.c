/*
 * touch [-c] file...: make each file that does not exist, empty (-c: do not). An
 * existing file is opened for writing and closed, so it must be writable; its contents
 * do not change. Exit status 1 if a file could not be made or opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i = 1, create = 1, status = 0;
	if (i < argc && strcmp(argv[i], "-c") == 0)
		create = 0, i++;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i == argc) {
		fprintf(stderr, "usage: touch [-c] file...\n");
		return 1;
	}
	for (; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | (create ? O_CREAT : 0), 0666);
		if (fd < 0 && !(errno == ENOENT && !create)) {
			fprintf(stderr, "touch: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}
