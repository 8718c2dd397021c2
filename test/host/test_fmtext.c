/*
 * Host unit tests for printf's %n and L conversions and scanf's L conversions
 * (userland/lib/fmtext.c), with the host's vsnprintf and vsscanf standing in for
 * picolibc's: each result is checked against the host printing the same values as double
 * (what fmtext promises), %n counts against the text, star widths and precisions
 * (negative ones too), numbered arguments, the formats it refuses, and scanf's
 * assignment count deciding which long doubles are stored. Built with ASan and UBSan;
 * ends with "N passed, M failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fmtext.h"

/* The output so far: emit appends here, as picolibc's vfprintf would print. */
struct sink {
	char buf[512];
	size_t len;
};

static int emit(void *ctx, const char *fmt, ...)
{
	struct sink *s = ctx;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->buf + s->len, sizeof(s->buf) - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
	return n;
}

static int emit_fails(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
	return -1;
}

/* fmtext_printf into a fresh sink: its return, the text in *out. */
static int fmt(const char **out, const char *f, ...)
{
	static struct sink s;
	va_list ap;
	memset(&s, 0, sizeof(s));
	va_start(ap, f);
	int r = fmtext_printf(emit, &s, f, ap);
	va_end(ap);
	*out = s.buf;
	return r;
}

static void expect(const char *got, int r, const char *want)
{
	CHECK(strcmp(got, want) == 0);
	CHECK_EQ(r, (long long)strlen(want));
	if (strcmp(got, want) != 0)
		printf("  got '%s', want '%s'\n", got, want);
}

static void long_doubles(void)
{
	const char *o;
	char want[128];
	int r = fmt(&o, "%Lf|%10.3Le|%-8Lg|%La", 1.5L, -2.25L, 1e-5L, 0.5L);
	snprintf(want, sizeof(want), "%f|%10.3e|%-8g|%a", 1.5, -2.25, 1e-5, 0.5);
	expect(o, r, want);
	r = fmt(&o, "a %d b %Lf c %s", 7, 3.125L, "end");
	expect(o, r, "a 7 b 3.125000 c end");
	r = fmt(&o, "%+08.2Lf", 3.14159L);
	expect(o, r, "+0003.14");
}

static void counts(void)
{
	const char *o;
	int n = -1;
	signed char hh = -1;
	short h = -1;
	long l = -1;
	long long ll = -1;
	intmax_t j = -1;
	size_t z = 99;
	ptrdiff_t t = -1;
	int r = fmt(&o, "ab%ncd", &n);
	expect(o, r, "abcd");
	CHECK_EQ(n, 2);
	r = fmt(&o, "%hhn1%hn22%ln333%lln4444%jn%zn%tn", &hh, &h, &l, &ll, &j, &z, &t);
	expect(o, r, "1223334444");
	CHECK_EQ(hh, 0);
	CHECK_EQ(h, 1);
	CHECK_EQ(l, 3);
	CHECK_EQ(ll, 6);
	CHECK_EQ(j, 10);
	CHECK_EQ(z, 10);
	CHECK_EQ(t, 10);
	r = fmt(&o, "%5d%n|%s", 42, &n, "x"); /* the count includes padding */
	expect(o, r, "   42|x");
	CHECK_EQ(n, 5);
}

static void stars_and_numbers(void)
{
	const char *o;
	int n = 0;
	int r = fmt(&o, "[%*d][%-*d][%.*Lf]%n", 4, 1, 3, 2, 2, 1.0L, &n);
	expect(o, r, "[   1][2  ][1.00]");
	CHECK_EQ(n, 17);
	r = fmt(&o, "[%*d][%.*Lf]%n", -4, 5, -1, 2.5L, &n); /* negative: '-', no precision */
	expect(o, r, "[5   ][2.500000]");
	r = fmt(&o, "%2$Lf %1$d%3$n", 7, 2.5L, &n);
	expect(o, r, "2.500000 7");
	CHECK_EQ(n, 10);
	r = fmt(&o, "%1$*2$.*3$Lf|%1$Lg%4$n", 1.25L, 8, 1, &n);
	expect(o, r, "     1.2|1.25");
	r = fmt(&o, "100%% %Lf%%", 1.0L);
	expect(o, r, "100% 1.000000%");
}

static void refused(void)
{
	const char *o;
	int n;
	errno = 0;
	CHECK_EQ(fmt(&o, "%1$d %Lf", 1, 2.0L), -1); /* numbered and not, mixed */
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(fmt(&o, "%3$Lf %1$d%n", 1, 2.0L, &n), -1); /* 2$ never named */
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(fmt(&o, "%65$n", &n), -1); /* past FMTEXT_ARGS_MAX */
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(fmt(&o, "%Lf %", 1.0L), -1); /* a format that ends inside a conversion */
	CHECK_EQ(fmt(&o, "%Lq", 1.0L), -1);   /* no such conversion */
	CHECK_EQ(fmt(&o, "%Lf", 1.0L), 8);
	CHECK(fmtext_printf_needed("%n") && fmtext_printf_needed("x%5.2Lf"));
	CHECK(fmtext_printf_needed("%2$n"));
	CHECK(!fmtext_printf_needed("%d %s %% %lld %5.2f"));
	CHECK(!fmtext_printf_needed("%%n"));
}

static int fails_through(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = fmtext_printf(emit_fails, 0, f, ap);
	va_end(ap);
	return r;
}

static int host_scan(void *ctx, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = vsscanf(ctx, f, ap);
	va_end(ap);
	return r;
}

static int scan(const char *in, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = fmtext_scanf(host_scan, (void *)in, f, ap);
	va_end(ap);
	return r;
}

static void scans(void)
{
	long double a = -1, b = -1;
	int d = -1, n = -1;
	char word[16];
	CHECK_EQ(scan("2.25 7", "%Lf %d", &a, &d), 2);
	CHECK(a == 2.25L && d == 7);
	CHECK_EQ(scan("1e3,x", "%Lg,%n", &a, &n), 1);
	CHECK(a == 1000.0L && n == 4);
	a = b = -1;
	CHECK_EQ(scan("5 x", "%d %Lf", &d, &a), 1); /* not assigned: left alone */
	CHECK(d == 5 && a == -1);
	CHECK_EQ(scan("1.5 2.5", "%*Lf %Le", &b), 1); /* a suppressed one takes no pointer */
	CHECK(b == 2.5L);
	CHECK_EQ(scan("ab]c,0.75", "%[^,],%La", word, &a), 2); /* scansets kept whole */
	CHECK(strcmp(word, "ab]c") == 0 && a == 0.75L);
	CHECK_EQ(scan("", "%Lf", &a), EOF);
	CHECK(fmtext_scanf_needed("%Lf") && fmtext_scanf_needed("x %*5LG"));
	CHECK(!fmtext_scanf_needed("%lf %d %[L]f %%Lf"));
	errno = 0;
	CHECK_EQ(scan("1", "%1$Lf", &a), -1); /* numbered: not done here */
	CHECK_EQ(errno, EINVAL);
}

int main(void)
{
	long_doubles();
	counts();
	stars_and_numbers();
	refused();
	CHECK_EQ(fails_through("x%Lf", 1.0L), -1);
	scans();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
