/*
 * err, errx, warn, warnx and their v forms (<err.h>, BSD): "progname: ", the message
 * (when fmt is not null), and for err and warn ": " and the text of the errno they were
 * called with, then a newline, on standard error; err and errx exit with status. The
 * line is made whole first and written with one fputs, so it does not mix with another
 * thread's. progname is argv[0]'s last component (libc_glue.c keeps argv[0]).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_LINE_MAX 512

extern const char *user_progname; /* libc_glue.c: argv[0] */

/* The last component of argv[0]: the program's name as the messages give it. */
static const char *progname(void)
{
	const char *p = user_progname ? user_progname : "", *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

/* The message with errno's text when with_errno (err saved: the errno on entry). */
static void message(int with_errno, int err, const char *fmt, va_list ap)
{
	char line[ERR_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%s: ", progname());
	if (fmt && n >= 0 && (size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s", fmt ? ": " : "",
			      strerror(err));
	fflush(stdout);
	fputs(line, stderr);
	fputc('\n', stderr);
}

void vwarn(const char *fmt, va_list ap)
{
	int e = errno;
	message(1, e, fmt, ap);
	errno = e;
}

void vwarnx(const char *fmt, va_list ap)
{
	int e = errno;
	message(0, e, fmt, ap);
	errno = e;
}

void verr(int status, const char *fmt, va_list ap)
{
	message(1, errno, fmt, ap);
	exit(status);
}

void verrx(int status, const char *fmt, va_list ap)
{
	message(0, errno, fmt, ap);
	exit(status);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

void err(int status, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	message(1, e, fmt, ap);
	va_end(ap);
	exit(status);
}

void errx(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(0, 0, fmt, ap);
	va_end(ap);
	exit(status);
}
