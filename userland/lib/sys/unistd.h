/*
 * picolibc's <sys/unistd.h> (which <unistd.h> includes), plus the POSIX options this
 * system has: memory protection (mprotect) and mapped files (mmap of a descriptor), and
 * pipe2 and dup3 (POSIX 2024), which picolibc declares only for _GNU_SOURCE.
 */
#ifndef USER_SYS_UNISTD_H
#define USER_SYS_UNISTD_H

#include_next <sys/unistd.h>

int pipe2(int fds[2], int flags);
int dup3(int fd, int to, int flags);
int execvpe(const char *file, char *const argv[], char *const envp[]);

/* confstr (userland/lib/misc.c): picolibc names these only for Cygwin and RTEMS. */
#ifndef _CS_PATH
#define _CS_PATH 0
#endif

#ifndef _POSIX_MEMORY_PROTECTION
#define _POSIX_MEMORY_PROTECTION 200809L
#endif
#ifndef _POSIX_MAPPED_FILES
#define _POSIX_MAPPED_FILES 200809L
#endif
#ifndef _POSIX_SHARED_MEMORY_OBJECTS
#define _POSIX_SHARED_MEMORY_OBJECTS 200809L
#endif
#ifndef _POSIX_SYNCHRONIZED_IO
#define _POSIX_SYNCHRONIZED_IO 200809L
#endif

#endif
