/*
 * The printf and scanf conversions picolibc, as Debian builds it, leaves out, added in
 * front of it (streams.c's vfprintf and vfscanf wrappers): printf's %n, and the long
 * double (L) conversions of both. A long double goes through double: it is printed and
 * read with double's precision and range (17 significant digits; beyond the range it is
 * an infinity). Formats without them go straight to picolibc: the only cost is the
 * look (fmtext_printf_needed, fmtext_scanf_needed). Pure logic, so the host tests run
 * it too (test/host/test_fmtext.c).
 */
#ifndef USER_FMTEXT_H
#define USER_FMTEXT_H

#include <stdarg.h>

#define FMTEXT_ARGS_MAX 64 /* printf arguments a format may name (NL_ARGMAX is 9) */
#define FMTEXT_SCAN_MAX 32 /* scanf conversions that assign, in one format */

/* Prints fmt with exactly one value (or none) of the type the format names. */
typedef int (*fmtext_emit)(void *ctx, const char *fmt, ...);
/* Scans with fmt, handed FMTEXT_SCAN_MAX pointers (those past what fmt uses are NULL). */
typedef int (*fmtext_scan)(void *ctx, const char *fmt, ...);

/* Does fmt hold a %n or an L conversion (which picolibc cannot do)? */
int fmtext_printf_needed(const char *fmt);
/*
 * printf(fmt, ap) one conversion at a time through emit, doing %n and L itself; numbered
 * arguments (%2$d, *3$) too. The characters printed, or -1 with errno (EINVAL: a format
 * that mixes numbered and unnumbered arguments, skips a number or names more than
 * FMTEXT_ARGS_MAX; or emit's failure).
 */
int fmtext_printf(fmtext_emit emit, void *ctx, const char *fmt, va_list ap);

/* Does fmt hold an L floating conversion (%Lf, %Le, %Lg, %La)? */
int fmtext_scanf_needed(const char *fmt);
/*
 * scanf(fmt, ap) through scan with each L floating conversion read into a double and
 * stored as a long double once assigned. scan's result (assignments, or EOF); -1 with
 * EINVAL if fmt has more than FMTEXT_SCAN_MAX assigning conversions or is too long.
 */
int fmtext_scanf(fmtext_scan scan, void *ctx, const char *fmt, va_list ap);

#endif
