/*
 * printf-style formatting for the kernel: %d %i %u %x %X %p %s %c %% with optional
 * '-', '0', width and l/ll/z for 64-bit integers. Pure: host tests run it.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_out)(char c, void *arg);

/* Emit through out; returns the number of characters produced. */
int kvformat(format_out out, void *arg, const char *fmt, va_list ap);
/* Like snprintf: always NUL-terminates when n > 0; returns the full length. */
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
