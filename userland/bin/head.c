/*
 * head [-n number] [file...]: copy the first number lines (10 by default) of each file,
 * or of standard input for "-" or no file, to standard output. With more than one
 * file, each is preceded by "==> name <==" (and a blank line between them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	      4096
#define DEFAULT_LINES 10

/* Copy the first lines lines of fd: 0, or 1 after printing why not. */
static int head(int fd, const char *name, unsigned long lines)
{
	static char buf[CHUNK];
	while (lines) {
		ssize_t n = read(fd, buf, sizeof(buf)), take = 0;
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "head: %s: %s\n", name, strerror(errno));
			return 1;
		}
		while (take < n && lines)
			lines -= buf[take++] == '\n';
		fwrite(buf, 1, (size_t)take, stdout);
	}
	return 0;
}

/* The value of -n's argument, or -1 if it is not a number. */
static long number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return *s && !*end && v >= 0 && !errno ? v : -1;
}

int main(int argc, char **argv)
{
	long lines = DEFAULT_LINES;
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		const char *v = strncmp(argv[i], "-n", 2) == 0
					? (argv[i][2] ? argv[i] + 2 : argv[++i])
					: argv[i] + 1; /* -N, as of old */
		if (!v || (lines = number(v)) < 0) {
			fprintf(stderr, "usage: head [-n number] [file...]\n");
			return 1;
		}
	}
	if (i == argc)
		return head(STDIN_FILENO, "stdin", (unsigned long)lines);
	for (int first = i; i < argc; i++) {
		int stdin_ = strcmp(argv[i], "-") == 0;
		int fd = stdin_ ? STDIN_FILENO : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (argc - first > 1)
			printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
		status |= head(fd, argv[i], (unsigned long)lines);
		fflush(stdout);
		if (!stdin_)
			close(fd);
	}
	return status;
}
