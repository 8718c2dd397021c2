/*
 * cp [-f] source target, cp [-f] source... directory: copy each source file's bytes to
 * target (made with the source's permissions, or truncated if it exists), or to a file
 * of the same name in the directory. -f: if the target cannot be opened, remove it and
 * try once more. Directories are not copied (there is no -R). Exit status 1 if any
 * source could not be copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "into_target.h"

#define CHUNK 4096

static int opt_f;

/* Copy from in to out: 0, or -1 (errno set). */
static int copy_fd(int in, int out)
{
	static char buf[CHUNK];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			done += w;
		}
	}
}

static int fail(const char *path)
{
	fprintf(stderr, "cp: %s: %s\n", path, strerror(errno));
	return 1;
}

/* Copy the file src to the file dst: 0, or 1 after printing why not. */
static int copy_file(const char *src, const char *dst)
{
	struct stat ss, ds;
	int in = open(src, O_RDONLY), out, r;
	if (in < 0)
		return fail(src);
	if (fstat(in, &ss) != 0 || S_ISDIR(ss.st_mode)) {
		if (S_ISDIR(ss.st_mode))
			fprintf(stderr, "cp: %s: is a directory (not copied)\n", src);
		close(in);
		return S_ISDIR(ss.st_mode) ? 1 : fail(src);
	}
	if (stat(dst, &ds) == 0 && ds.st_dev == ss.st_dev && ds.st_ino == ss.st_ino) {
		fprintf(stderr, "cp: %s and %s are the same file\n", src, dst);
		close(in);
		return 1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, ss.st_mode & 0777);
	if (out < 0 && opt_f && unlink(dst) == 0)
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, ss.st_mode & 0777);
	if (out < 0) {
		close(in);
		return fail(dst);
	}
	r = copy_fd(in, out);
	int e = errno;
	close(in);
	if (close(out) != 0 && r == 0)
		r = -1, e = errno;
	errno = e;
	return r == 0 ? 0 : fail(dst);
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "f")) != -1) {
		if (c != 'f')
			goto usage;
		opt_f = 1;
	}
	if (argc - optind < 2)
		goto usage;
	return into_target("cp", argc, argv, optind, copy_file);
usage:
	fprintf(stderr, "usage: cp [-f] source target, cp [-f] source... directory\n");
	return 1;
}
