/*
 * syslog and the rest (POSIX XSI). There is no log daemon: a message goes to the
 * console, where a system logger would show it, as one line "ident[pid]: message" (the
 * ident and "[pid]" as openlog asked), written at once with debug_write. No descriptor
 * is used, so a program that closes every descriptor or makes itself a daemon still
 * logs, and exec or fork have nothing to carry. LOG_PERROR (an extension) also writes
 * the line to standard error. As POSIX says, "%m" in the format is the text of the
 * errno the call began with, and setlogmask's mask filters by level (the facility only
 * labels). A message longer than SYSLOG_LINE_MAX is cut.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "syscall.h"

#define SYSLOG_LINE_MAX 1024
#define ALL_LEVELS	LOG_UPTO(LOG_DEBUG)

static const char *log_ident; /* openlog's own pointer: POSIX lets us keep it */
static int log_option;
static int log_mask = ALL_LEVELS;

void openlog(const char *ident, int option, int facility)
{
	(void)facility; /* only a label: no daemon sorts by it */
	log_ident = ident;
	log_option = option;
}

void closelog(void)
{
	log_ident = 0;
	log_option = 0;
}

/* POSIX: the new mask, and the old one back; 0 leaves it as it is. */
int setlogmask(int mask)
{
	int old = log_mask;
	if (mask)
		log_mask = mask;
	return old;
}

/*
 * format with each "%m" replaced by text (and a '%' in text doubled, so printf prints
 * it), into out of size n; "%%" stays as it is, so "%%m" is a literal "%m".
 */
static void expand_m(const char *format, const char *text, char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = format; *p && o + 1 < n; p++) {
		if (p[0] == '%' && p[1] == 'm') {
			for (const char *t = text; *t && o + 2 < n; t++) {
				if (*t == '%')
					out[o++] = '%';
				out[o++] = *t;
			}
			p++;
			continue;
		}
		out[o++] = *p;
		if (p[0] == '%' && p[1] == '%' && o + 1 < n)
			out[o++] = *++p;
	}
	out[o] = 0;
}

void vsyslog(int priority, const char *format, va_list ap)
{
	int err = errno;
	if (!(log_mask & LOG_MASK(LOG_PRI(priority))))
		return;
	char fmt[SYSLOG_LINE_MAX], line[SYSLOG_LINE_MAX];
	expand_m(format, strerror(err), fmt, sizeof(fmt));
	int n = 0;
	if (log_ident && (log_option & LOG_PID))
		n = snprintf(line, sizeof(line), "%s[%ld]: ", log_ident, (long)getpid());
	else if (log_ident)
		n = snprintf(line, sizeof(line), "%s: ", log_ident);
	else if (log_option & LOG_PID)
		n = snprintf(line, sizeof(line), "[%ld]: ", (long)getpid());
	if (n < 0 || n >= (int)sizeof(line) - 1)
		n = 0;
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = m < 0 ? n : n + m >= (int)sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	SYSCALL(debug_write, line, n);
	if (log_option & LOG_PERROR)
		write(STDERR_FILENO, line, (size_t)n);
	errno = err;
}

void syslog(int priority, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	vsyslog(priority, format, ap);
	va_end(ap);
}
