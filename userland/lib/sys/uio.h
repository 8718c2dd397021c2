/* Vectored I/O (POSIX <sys/uio.h>), which picolibc lacks: readv and writev (userland/lib/uio.c). */
#ifndef USER_SYS_UIO_H
#define USER_SYS_UIO_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#endif
