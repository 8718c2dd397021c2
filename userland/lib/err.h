/*
 * <err.h> (4.4BSD, glibc; not POSIX, and picolibc has none): formatted messages on
 * standard error, "progname: message" with ": strerror(errno)" for err/warn and without
 * for errx/warnx; err and errx then exit with the status given. progname is the last
 * component of the program's argv[0] (userland/lib/err.c).
 */
#ifndef USER_ERR_H
#define USER_ERR_H

#include <stdarg.h>

void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void vwarnx(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void err(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void errx(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void verr(int status, const char *fmt, va_list ap) __attribute__((noreturn, format(printf, 2, 0)));
void verrx(int status, const char *fmt, va_list ap) __attribute__((noreturn, format(printf, 2, 0)));

#endif
