/* picolibc's <sys/stat.h>, plus lstat and mknod, which it declares only for some systems. */
#ifndef USER_SYS_STAT_H
#define USER_SYS_STAT_H

#include_next <sys/stat.h>

int lstat(const char *__restrict path, struct stat *__restrict buf);
int mknod(const char *path, mode_t mode, dev_t dev);

#endif
