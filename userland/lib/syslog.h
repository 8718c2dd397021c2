/*
 * <syslog.h> (POSIX XSI; picolibc has none): openlog, syslog, closelog, setlogmask, and
 * vsyslog. The values are glibc's, so code built for either agrees. Where messages go:
 * userland/lib/syslog.c.
 */
#ifndef USER_SYSLOG_H
#define USER_SYSLOG_H

#include <stdarg.h>

/* openlog's options */
#define LOG_PID	   0x01 /* the process id in every message */
#define LOG_CONS   0x02 /* the console when the log cannot be written (it is the console) */
#define LOG_ODELAY 0x04 /* open at the first message (nothing to open here) */
#define LOG_NDELAY 0x08 /* open at once (nothing to open here) */
#define LOG_NOWAIT 0x10 /* wait for no child (none is made) */
#define LOG_PERROR 0x20 /* also to standard error (BSD and glibc) */

/* Facilities, the priority's upper bits */
#define LOG_KERN   (0 << 3)
#define LOG_USER   (1 << 3)
#define LOG_MAIL   (2 << 3)
#define LOG_DAEMON (3 << 3)
#define LOG_AUTH   (4 << 3)
#define LOG_SYSLOG (5 << 3)
#define LOG_LPR	   (6 << 3)
#define LOG_NEWS   (7 << 3)
#define LOG_UUCP   (8 << 3)
#define LOG_CRON   (9 << 3)
#define LOG_LOCAL0 (16 << 3)
#define LOG_LOCAL1 (17 << 3)
#define LOG_LOCAL2 (18 << 3)
#define LOG_LOCAL3 (19 << 3)
#define LOG_LOCAL4 (20 << 3)
#define LOG_LOCAL5 (21 << 3)
#define LOG_LOCAL6 (22 << 3)
#define LOG_LOCAL7 (23 << 3)

/* Levels, the priority's lower three bits */
#define LOG_EMERG   0
#define LOG_ALERT   1
#define LOG_CRIT    2
#define LOG_ERR	    3
#define LOG_WARNING 4
#define LOG_NOTICE  5
#define LOG_INFO    6
#define LOG_DEBUG   7

#define LOG_PRIMASK	  0x07
#define LOG_FACMASK	  0x03f8
#define LOG_PRI(p)	  ((p)&LOG_PRIMASK)
#define LOG_FAC(p)	  (((p)&LOG_FACMASK) >> 3)
#define LOG_MAKEPRI(f, p) ((f) | (p))
#define LOG_MASK(pri)	  (1 << (pri))		   /* setlogmask's bit for one level */
#define LOG_UPTO(pri)	  ((1 << ((pri) + 1)) - 1) /* every level up to pri */

void openlog(const char *ident, int option, int facility);
void syslog(int priority, const char *format, ...) __attribute__((format(printf, 2, 3)));
void vsyslog(int priority, const char *format, va_list ap);
void closelog(void);
int setlogmask(int mask);

#endif
