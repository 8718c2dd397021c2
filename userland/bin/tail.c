/*
 * tail [-n number | -c number] [file]: copy the last number lines (10 by default), or
 * bytes with -c, of file or standard input to standard output; "+number" starts from
 * that line (or byte) instead, counting from 1. The input is read into memory once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	      4096
#define DEFAULT_LINES 10

static int usage(void)
{
	fprintf(stderr, "usage: tail [-n number | -c number] [file]\n");
	return 1;
}

/* All of fd into a malloc'd buffer: its length, or -1 after saying why. */
static long slurp(int fd, const char *name, char **out)
{
	size_t len = 0, cap = 0;
	char *buf = 0;
	for (;;) {
		if (len + CHUNK > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 4 * CHUNK);
			if (!b) {
				fprintf(stderr, "tail: %s: %s\n", name, strerror(ENOMEM));
				free(buf);
				return -1;
			}
			buf = b;
		}
		ssize_t n = read(fd, buf + len, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tail: %s: %s\n", name, strerror(errno));
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	return (long)len;
}

/* Where the output starts in buf (len bytes): count lines or bytes, from the end or
 * (from_start) from the beginning. */
static long start_of(const char *buf, long len, long count, int bytes, int from_start)
{
	if (bytes)
		return from_start ? (count > 0 ? count - 1 : 0) : (count < len ? len - count : 0);
	if (from_start) {
		long at = 0;
		for (long line = 1; line < count && at < len; at++)
			line += buf[at] == '\n';
		return at;
	}
	long at = len;
	if (at > 0 && buf[at - 1] == '\n')
		at--; /* the last line's own newline */
	for (long seen = 0; at > 0; at--)
		if (buf[at - 1] == '\n' && ++seen == count)
			break;
	return count == 0 ? len : at;
}

int main(int argc, char **argv)
{
	int c, bytes = 0, from_start = 0;
	long count = DEFAULT_LINES;
	char *end;
	while ((c = getopt(argc, argv, "n:c:")) != -1) {
		if (c != 'n' && c != 'c')
			return usage();
		bytes = c == 'c';
		from_start = optarg[0] == '+';
		count = strtol(optarg + (optarg[0] == '+' || optarg[0] == '-'), &end, 10);
		if (*end || count < 0 || !optarg[0])
			return usage();
	}
	if (argc - optind > 1)
		return usage();
	const char *name = optind < argc ? argv[optind] : "-";
	int fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "tail: %s: %s\n", name, strerror(errno));
		return 1;
	}
	char *buf;
	long len = slurp(fd, name, &buf);
	if (len < 0)
		return 1;
	long at = start_of(buf, len, count, bytes, from_start);
	if (at < len)
		fwrite(buf + at, 1, (size_t)(len - at), stdout);
	free(buf);
	return 0;
}
