/*
 * touch [-c] file...: set each file's access and modification times to now, making a
 * file that does not exist, empty (-c: do not make it). Exit status 1 if a file could
 * not be made or its times set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One operand: 0, or 1 after saying why it failed. */
static int touch(const char *path, int create)
{
	if (utimensat(AT_FDCWD, path, 0, 0) == 0)
		return 0;
	if (errno == ENOENT && !create)
		return 0;
	if (errno == ENOENT) {
		int fd = open(path, O_WRONLY | O_CREAT, 0666); /* new: its times are now */
		if (fd >= 0) {
			close(fd);
			return 0;
		}
	}
	fprintf(stderr, "touch: %s: %s\n", path, strerror(errno));
	return 1;
}

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
	for (; i < argc; i++)
		status |= touch(argv[i], create);
	return status;
}
