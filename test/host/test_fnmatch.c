/*
 * Host unit tests for fnmatch (userland/lib/fnmatch.c, built here as lib_fnmatch): a
 * table of patterns against POSIX's pattern matching notation (XCU 2.13) and fnmatch's
 * flags, character classes first (what picolibc's lacked), then each case again against
 * the host C library's fnmatch where POSIX leaves nothing open. Built with ASan and UBSan;
 * ends with "N passed, M failed".
 */
#include <fnmatch.h>
#include <stdio.h>

#include "check.h"

int lib_fnmatch(const char *pattern, const char *string, int flags);

#define NO FNM_NOMATCH
#define PN FNM_PATHNAME
#define PD FNM_PERIOD
#define NE FNM_NOESCAPE
#define CF FNM_CASEFOLD
#define LD FNM_LEADING_DIR

struct row {
	const char *pattern, *string;
	int flags, want;
	int host_differs; /* unspecified by POSIX, or a host extension: not compared */
};

static const struct row rows[] = {
	/* character classes, alone, negated, with others, in a longer pattern */
	{ "[[:digit:]]", "5", 0, 0, 0 },
	{ "[[:digit:]]", "a", 0, NO, 0 },
	{ "[[:alpha:]]", "q", 0, 0, 0 },
	{ "[![:space:]]", "q", 0, 0, 0 },
	{ "[![:space:]]", " ", 0, NO, 0 },
	{ "[^[:space:]]", "q", 0, 0, 0 },
	{ "[[:upper:][:digit:]]", "7", 0, 0, 0 },
	{ "[[:upper:][:digit:]]", "Q", 0, 0, 0 },
	{ "[[:upper:][:digit:]]", "q", 0, NO, 0 },
	{ "x[[:digit:]]*", "x9yz", 0, 0, 0 },
	{ "[a[:digit:]z]", "z", 0, 0, 0 },
	{ "[[:alnum:]_]*", "_a1", 0, 0, 0 },
	{ "[[:xdigit:]]", "F", 0, 0, 0 },
	{ "[[:punct:]]", "!", 0, 0, 0 },
	{ "[[:blank:]]", "\t", 0, 0, 0 },
	{ "[[:cntrl:]]", "\n", 0, 0, 0 },
	{ "[[:lower:]]", "a", 0, 0, 0 },
	{ "[[:print:]]", " ", 0, 0, 0 },
	{ "[[:graph:]]", " ", 0, NO, 0 },
	{ "[[:nosuch:]]", "a", 0, NO, 1 },
	{ "[[:digit:]", "5", 0, NO, 1 },
	{ "[[.a.]]", "a", 0, 0, 0 },
	{ "[[=a=]]", "a", 0, 0, 0 },
	{ "[[.a.]-c]", "b", 0, 0, 0 },
	/* the plain forms */
	{ "*.c", "a.c", 0, 0, 0 },
	{ "*.c", "a.h", 0, NO, 0 },
	{ "a?c", "abc", 0, 0, 0 },
	{ "a?c", "ac", 0, NO, 0 },
	{ "*", "", 0, 0, 0 },
	{ "?", "", 0, NO, 0 },
	{ "", "", 0, 0, 0 },
	{ "", "a", 0, NO, 0 },
	{ "a*b*c", "aXbYbZc", 0, 0, 0 },
	{ "a*b*c", "aXbYbZ", 0, NO, 0 },
	{ "*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, NO, 0 },
	{ "[!a]x", "bx", 0, 0, 0 },
	{ "[!a]x", "ax", 0, NO, 0 },
	{ "[a-c]", "b", 0, 0, 0 },
	{ "[a-c]", "d", 0, NO, 0 },
	{ "[c-a]", "b", 0, NO, 1 },
	{ "[a-]", "-", 0, 0, 0 },
	{ "[-a]", "-", 0, 0, 0 },
	{ "[]]", "]", 0, 0, 0 },
	{ "[!]]", "a", 0, 0, 0 },
	{ "[!]]", "]", 0, NO, 0 },
	{ "[]-a]", "^", 0, 0, 0 },
	{ "[", "[", 0, 0, 0 },
	{ "a[", "a[", 0, 0, 0 },
	{ "[ab", "[ab", 0, 0, 0 },
	{ "[ab", "a", 0, NO, 0 },
	{ "\\*", "*", 0, 0, 0 },
	{ "\\*", "a", 0, NO, 0 },
	{ "\\*", "\\*", NE, 0, 0 },
	{ "\\", "\\", 0, NO, 1 },
	{ "a\\", "a", 0, NO, 1 },
	{ "\\", "\\", NE, 0, 0 },
	{ "[\\]]", "]", 0, 0, 0 },
	{ "[\\!a]", "!", 0, 0, 0 },
	{ "[\\]", "\\", NE, 0, 0 },
	/* FNM_PATHNAME */
	{ "a/*", "a/b", PN, 0, 0 },
	{ "a/*", "a/b/c", PN, NO, 0 },
	{ "a/*", "a/b/c", 0, 0, 0 },
	{ "*/b", "a/b", PN, 0, 0 },
	{ "a?c", "a/c", PN, NO, 0 },
	{ "a?c", "a/c", 0, 0, 0 },
	{ "a[/]c", "a/c", PN, NO, 0 },
	{ "a[/]c", "a/c", 0, 0, 0 },
	{ "*", "a/b", PN, NO, 0 },
	{ "*/*", "a/b", PN, 0, 0 },
	{ "a\\/b", "a/b", PN, 0, 0 },
	{ "a/", "a/", PN, 0, 0 },
	{ "a//b", "a/b", PN, NO, 0 },
	/* FNM_PERIOD */
	{ "*", ".x", PD, NO, 0 },
	{ "*", ".x", 0, 0, 0 },
	{ "?x", ".x", PD, NO, 0 },
	{ "[.]x", ".x", PD, NO, 1 },
	{ "[!a]x", ".x", PD, NO, 0 },
	{ ".*", ".x", PD, 0, 0 },
	{ "*.c", ".a.c", PD, NO, 0 },
	{ "a*", "a.x", PD, 0, 0 },
	{ "a/*", "a/.x", PN | PD, NO, 0 },
	{ "a/.*", "a/.x", PN | PD, 0, 0 },
	{ "a*", "a/.x", PD, 0, 0 },
	{ "a/?x", "a/.x", PN | PD, NO, 0 },
	/* the extensions */
	{ "ABC", "abc", CF, 0, 0 },
	{ "[A-C]x", "bX", CF, 0, 0 },
	{ "[[:upper:]]", "a", CF, 0, 1 },
	{ "a", "a/b/c", LD, 0, 0 },
	{ "a/b", "a/b/c", PN | LD, 0, 0 },
	{ "a*", "abc/d", PN | LD, 0, 0 },
	{ "a", "ab/c", LD, NO, 0 },
	{ "a", "ab", LD, NO, 0 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int got = lib_fnmatch(r->pattern, r->string, r->flags);
		if (got != r->want)
			printf("row %zu: fnmatch(\"%s\", \"%s\", %#x)\n", i, r->pattern, r->string,
			       r->flags);
		CHECK_EQ(got, r->want);
		if (!r->host_differs) {
			int host = fnmatch(r->pattern, r->string, r->flags);
			if ((host == 0) != (got == 0))
				printf("row %zu: the host says %d\n", i, host);
			CHECK_EQ(host == 0, got == 0);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
