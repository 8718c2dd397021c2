/* picolibc's <stdio.h>, plus what it lacks: renameat (POSIX 2008, userland/lib/fileat.c),
 * popen and pclose (popen.c). */
#ifndef USER_STDIO_H
#define USER_STDIO_H

#include_next <stdio.h>

int renameat(int fromfd, const char *from, int tofd, const char *to);
FILE *popen(const char *command, const char *mode);
int pclose(FILE *stream);

#endif
