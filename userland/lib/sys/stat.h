/* picolibc's <sys/stat.h>, plus lstat and mknod, which it declares only for some systems,
 * and UTIME_NOW and UTIME_OMIT (fs.h's FS_UTIME_NOW and FS_UTIME_OMIT, Linux's values). */
#ifndef USER_SYS_STAT_H
#define USER_SYS_STAT_H

#include_next <sys/stat.h>

#ifndef UTIME_NOW
#define UTIME_NOW  ((1L << 30) - 1L)
#define UTIME_OMIT ((1L << 30) - 2L)
#endif

int lstat(const char *__restrict path, struct stat *__restrict buf);
int mknod(const char *path, mode_t mode, dev_t dev);

#endif
