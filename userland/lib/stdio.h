/* picolibc's <stdio.h>, plus what it lacks: renameat (POSIX 2008, userland/lib/fileat.c),
 * popen and pclose (popen.c), and getline, getdelim, dprintf, the stream locks and the
 * _unlocked character calls (stdio_more.c), open_memstream (memstream.c, which also
 * replaces picolibc's fmemopen), and ctermid (misc.c). */
#ifndef USER_STDIO_H
#define USER_STDIO_H

#include_next <stdio.h>

int renameat(int fromfd, const char *from, int tofd, const char *to);
FILE *popen(const char *command, const char *mode);
int pclose(FILE *stream);
#include <stdarg.h>
#include <sys/types.h>
ssize_t getdelim(char **line, size_t *size, int delim, FILE *f);
ssize_t getline(char **line, size_t *size, FILE *f);
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
void flockfile(FILE *f);
int ftrylockfile(FILE *f);
void funlockfile(FILE *f);
int getc_unlocked(FILE *f);
int getchar_unlocked(void);
int putc_unlocked(int c, FILE *f);
int putchar_unlocked(int c);
FILE *open_memstream(char **bufp, size_t *sizep);

/* ctermid (misc.c): "/dev/tty", the console as every process's controlling terminal. */
#define L_ctermid 9 /* "/dev/tty" and its NUL */
char *ctermid(char *s);

#endif
