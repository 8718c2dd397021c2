/*
 * readv and writev over read and write. A small vector (at most GATHER_MAX bytes in
 * all) moves in one call, gathered into or scattered from a buffer on the stack: so a
 * writev of at most PIPE_BUF bytes to a pipe is as atomic as a write. A larger one goes
 * element by element and stops at the first short transfer; on a pipe or the console a
 * larger readv reads once, into the first non-empty element, so it never blocks twice
 * (a short read, which POSIX allows).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define GATHER_MAX 1024 /* on the stack: a thread's smallest stack is 4 KiB */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX /* picolibc's <limits.h> lacks it */
#endif

_Static_assert(GATHER_MAX >= PIPE_BUF, "a writev of PIPE_BUF bytes is one write");

/* The vector's total, or -1 with EINVAL (a bad count, or more than ssize_t holds). */
static ssize_t total_of(const struct iovec *iov, int iovcnt)
{
	size_t total = 0;
	if (iovcnt < 0 || iovcnt > IOV_MAX || (iovcnt && !iov)) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			errno = EINVAL;
			return -1;
		}
		total += iov[i].iov_len;
	}
	return (ssize_t)total;
}

/* Element by element, while each one moves whole. */
static ssize_t each(int fd, const struct iovec *iov, int iovcnt, int wr)
{
	ssize_t done = 0;
	for (int i = 0; i < iovcnt; i++) {
		ssize_t r = wr ? write(fd, iov[i].iov_base, iov[i].iov_len)
			       : read(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : -1;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	char gather[GATHER_MAX];
	ssize_t total = total_of(iov, iovcnt), done = 0;
	if (total < 0)
		return -1;
	if (total > GATHER_MAX)
		return each(fd, iov, iovcnt, 1);
	for (int i = 0; i < iovcnt; i++) {
		memcpy(gather + done, iov[i].iov_base, iov[i].iov_len);
		done += (ssize_t)iov[i].iov_len;
	}
	return write(fd, gather, (size_t)total);
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	char scatter[GATHER_MAX];
	struct stat st;
	ssize_t total = total_of(iov, iovcnt), done = 0;
	if (total < 0)
		return -1;
	if (total > GATHER_MAX) {
		if (fstat(fd, &st) < 0)
			return -1;
		if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
			return each(fd, iov, iovcnt, 0);
		while (iov->iov_len == 0) /* total > 0: some element is not empty */
			iov++;
		return read(fd, iov->iov_base, iov->iov_len);
	}
	ssize_t got = read(fd, scatter, (size_t)total);
	for (int i = 0; i < iovcnt && done < got; i++) {
		size_t n = iov[i].iov_len;
		if (n > (size_t)(got - done))
			n = (size_t)(got - done);
		memcpy(iov[i].iov_base, scatter + done, n);
		done += (ssize_t)n;
	}
	return got;
}
