/* picolibc's <stdio.h>, plus renameat (POSIX 2008, userland/lib/fileat.c), which it lacks. */
#ifndef USER_STDIO_H
#define USER_STDIO_H

#include_next <stdio.h>

int renameat(int fromfd, const char *from, int tofd, const char *to);

#endif
