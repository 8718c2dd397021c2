/* picolibc's <utime.h> (struct utimbuf), plus utime, which it leaves to the system. */
#ifndef USER_UTIME_H
#define USER_UTIME_H

#include <sys/types.h>
#include_next <utime.h>

int utime(const char *path, const struct utimbuf *times);

#endif
