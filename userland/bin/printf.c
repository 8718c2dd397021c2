/*
 * printf format [argument...]: write the arguments as format says (POSIX's utility):
 * the escapes \\ \a \b \f \n \r \t \v \ooo, and the conversions %d %i %o %u %x %X (a
 * number, or 'c for a character's value), %c, %s, %b (a string with escapes, \c ends all
 * output), %e %E %f %F %g %G and %%, with flags, width and precision. The format is used
 * again while arguments are left; missing ones are empty or zero. Exit status 1 if an
 * argument was not a valid number (what was read of it is used).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_MAX 32

static int status, stop;

/* One escape at *p (after the backslash): its byte, *p moved past it. octal_zero: %b's
 * \0ooo form. Returns -1 for \c (%b: stop everything). */
static int escape(const char **p, int octal_zero)
{
	static const char from[] = "\\abfnrtv", to[] = "\\\a\b\f\n\r\t\v";
	const char *s = *p, *e = strchr(from, *s);
	if (*s && e) {
		*p = s + 1;
		return to[e - from];
	}
	if (*s == 'c' && octal_zero) {
		*p = s + 1;
		return -1;
	}
	if (*s >= '0' && *s <= '7') {
		int v = 0, n = 0, max = octal_zero && *s == '0' ? 4 : 3;
		for (; n < max && *s >= '0' && *s <= '7'; n++, s++)
			v = v * 8 + (*s - '0');
		*p = s;
		return v & 0xff;
	}
	*p = s;
	return '\\'; /* not an escape: the backslash stays */
}

/* A numeric argument: 'c or "c gives c's value; else strtoll/strtoull in base 0. */
static long long number(const char *a, int is_unsigned)
{
	char *end;
	if (*a == '\'' || *a == '"')
		return (unsigned char)a[1];
	errno = 0;
	long long v = is_unsigned ? (long long)strtoull(a, &end, 0) : strtoll(a, &end, 0);
	if (!*a || *end || errno) {
		fprintf(stderr, "printf: %s: %s\n", a, errno ? strerror(errno) : "not a number");
		status = 1;
	}
	return v;
}

static void put_b(const char *s)
{
	while (*s && !stop) {
		if (*s != '\\') {
			putchar(*s++);
			continue;
		}
		s++;
		int c = escape(&s, 1);
		if (c < 0)
			stop = 1;
		else
			putchar(c);
	}
}

/* One conversion at *f (after its %): printed from *arg (advanced if used). */
static void convert(const char **f, char ***arg)
{
	char spec[SPEC_MAX] = "%";
	size_t n = 1;
	const char *s = *f;
	while (*s && strchr("-+ #0123456789.", *s) && n < SPEC_MAX - 4)
		spec[n++] = *s++;
	char c = *s ? *s++ : 0;
	*f = s;
	const char *a = **arg ? *(*arg)++ : 0;
	switch (c) {
	case 'd':
	case 'i':
		strcpy(spec + n, "lld");
		printf(spec, a ? number(a, 0) : 0LL);
		break;
	case 'o':
	case 'u':
	case 'x':
	case 'X':
		spec[n] = 'l', spec[n + 1] = 'l', spec[n + 2] = c, spec[n + 3] = 0;
		printf(spec, a ? (unsigned long long)number(a, 1) : 0ULL);
		break;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G': {
		char *end;
		double v = a ? strtod(a, &end) : 0;
		if (a && (!*a || *end)) {
			fprintf(stderr, "printf: %s: not a number\n", a);
			status = 1;
		}
		spec[n] = c, spec[n + 1] = 0;
		printf(spec, v);
		break;
	}
	case 'c':
		if (a && *a)
			putchar(*a);
		break;
	case 's':
		spec[n] = 's', spec[n + 1] = 0;
		printf(spec, a ? a : "");
		break;
	case 'b':
		put_b(a ? a : "");
		break;
	default: /* %% (which takes no argument), or an unknown conversion: as written */
		if (a)
			(*arg)--;
		if (c == '%')
			putchar('%');
		else {
			fprintf(stderr, "printf: %%%c: invalid conversion\n", c);
			status = 1;
			stop = 1;
		}
	}
}

/* The format once: whether it took any argument. */
static int once(const char *f, char ***arg)
{
	char **before = *arg;
	while (*f && !stop) {
		if (*f == '\\') {
			f++;
			int c = escape(&f, 0);
			putchar(c);
		} else if (*f == '%') {
			f++;
			convert(&f, arg);
		} else {
			putchar(*f++);
		}
	}
	return *arg != before;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: printf format [argument...]\n");
		return 1;
	}
	const char *format = argv[i];
	char **arg = argv + i + 1;
	while (once(format, &arg) && *arg && !stop)
		;
	fflush(stdout);
	return status;
}
