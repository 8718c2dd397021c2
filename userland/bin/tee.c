/*
 * tee [-a] [file...]: copy standard input to standard output and to each file (made or
 * emptied; -a: appended to). Exit status 1 if a file could not be opened or written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEE_FILES_MAX 16
#define BUF_BYTES     4096

/* Write all of buf to fd: 0, or -1. */
static int put(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w, n -= w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, flags = O_WRONLY | O_CREAT | O_TRUNC, status = 0, nfd = 0;
	int fds[TEE_FILES_MAX];
	const char *names[TEE_FILES_MAX];
	char buf[BUF_BYTES];
	if (i < argc && strcmp(argv[i], "-a") == 0)
		flags = O_WRONLY | O_CREAT | O_APPEND, i++;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (; i < argc; i++) {
		int fd = nfd < TEE_FILES_MAX ? open(argv[i], flags, 0666) : -1;
		if (fd < 0) {
			fprintf(stderr, "tee: %s: %s\n", argv[i],
				nfd < TEE_FILES_MAX ? strerror(errno) : "too many files");
			status = 1;
			continue;
		}
		names[nfd] = argv[i];
		fds[nfd++] = fd;
	}
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tee: standard input: %s\n", strerror(errno));
			return 1;
		}
		if (put(STDOUT_FILENO, buf, n) != 0)
			status = 1;
		for (int f = 0; f < nfd; f++) {
			if (fds[f] >= 0 && put(fds[f], buf, n) != 0) {
				fprintf(stderr, "tee: %s: %s\n", names[f], strerror(errno));
				close(fds[f]);
				fds[f] = -1;
				status = 1;
			}
		}
	}
	for (int f = 0; f < nfd; f++)
		if (fds[f] >= 0 && close(fds[f]) != 0)
			status = 1;
	return status;
}
