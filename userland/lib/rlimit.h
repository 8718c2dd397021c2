/* The resource limits' hooks for the rest of the C library (rlimit.c). */
#ifndef USER_RLIMIT_H
#define USER_RLIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* The soft limit of resource (RLIMIT_*, in range). */
rlim_t rlimit_cur(int resource);
/* How many of n bytes a file write at offset at may put in (RLIMIT_FSIZE); -1: none. */
ssize_t rlimit_fsize_room(uint64_t at, size_t n);
/* 1 if a file of size bytes passes RLIMIT_FSIZE: SIGXFSZ sent, errno = EFBIG. */
int rlimit_fsize_past(uint64_t size);
/* 1 (errno = ENOMEM) if bytes more of mapped memory would pass RLIMIT_AS. */
int rlimit_as_exceeded(uint64_t bytes);
/* The environment string that hands the limits to exec's new image, built in env; or 0. */
#define RLIMIT_EXEC_ENV_MAX 256
const char *rlimit_exec_env(char *env, size_t size);

#endif
