/* picolibc's <fcntl.h>, plus posix_fadvise and posix_fallocate (userland/lib/misc.c). */
#ifndef USER_FCNTL_H
#define USER_FCNTL_H

#include_next <fcntl.h>

#include <sys/types.h>

#ifndef POSIX_FADV_NORMAL /* a host C library's own, when a host test includes this */
#define POSIX_FADV_NORMAL     0
#define POSIX_FADV_RANDOM     1
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED   3
#define POSIX_FADV_DONTNEED   4
#define POSIX_FADV_NOREUSE    5
#endif

int posix_fadvise(int fd, off_t off, off_t len, int advice);
int posix_fallocate(int fd, off_t off, off_t len);

#endif
