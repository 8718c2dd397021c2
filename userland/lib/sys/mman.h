/* Memory mappings: the POSIX subset this system offers (userland/lib/mman.c). */
#ifndef USER_SYS_MMAN_H
#define USER_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_FAILED    ((void *)-1)

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);
/* Locking and advice (mman.c): pages are never paged out, so these only check. */
#define MCL_CURRENT 1
#define MCL_FUTURE  2
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
int mlockall(int flags);
int munlockall(void);
#define POSIX_MADV_NORMAL     0
#define POSIX_MADV_RANDOM     1
#define POSIX_MADV_SEQUENTIAL 2
#define POSIX_MADV_WILLNEED   3
#define POSIX_MADV_DONTNEED   4
int posix_madvise(void *addr, size_t len, int advice);
/* POSIX shared memory objects: files in /dev/shm (userland/lib/fileops.c). */
int shm_open(const char *name, int flags, mode_t mode);
int shm_unlink(const char *name);

#endif
