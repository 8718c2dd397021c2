/*
 * Host unit tests for glob (userland/lib/glob.c) over a real directory tree made in a
 * temporary directory: wildcards in one and in several components, bracket classes,
 * leading dots, escapes and GLOB_NOESCAPE, a trailing '/', GLOB_MARK, GLOB_NOCHECK,
 * GLOB_APPEND with GLOB_DOOFFS, sorting, absolute patterns, GLOB_NOMATCH, and errfunc
 * with GLOB_ERR on a path that is not a directory. Built with ASan and UBSan (leaks
 * included); ends with "N passed, M failed".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "glob.h"

static void touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
}

/* The matches, joined by spaces: one string to compare. */
static const char *joined(const glob_t *g)
{
	static char out[1024];
	out[0] = 0;
	for (size_t i = 0; i < g->gl_pathc; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, g->gl_pathv[g->gl_offs + i]);
	}
	return out;
}

static int expect(const char *pattern, int flags, const char *want)
{
	glob_t g;
	int r = glob(pattern, flags, 0, &g);
	int ok = r == 0 && strcmp(joined(&g), want) == 0 && g.gl_pathv[g.gl_offs + g.gl_pathc] == 0;
	if (!ok)
		printf("  glob(\"%s\") = %d: \"%s\", want \"%s\"\n", pattern, r,
		       r ? "" : joined(&g), want);
	globfree(&g);
	return ok;
}

static int errors_seen;
static int count_error(const char *path, int err)
{
	(void)path;
	(void)err;
	errors_seen++;
	return 0;
}

int main(void)
{
	char top[] = "/tmp/globtestXXXXXX";
	CHECK(mkdtemp(top) != 0);
	CHECK(chdir(top) == 0);
	touch("b.c");
	touch("a.c");
	touch("c.h");
	touch(".hidden.c");
	touch("a*b");
	touch("a\\xb");
	CHECK(mkdir("dir1", 0755) == 0 && mkdir("dir2", 0755) == 0 && mkdir("dz", 0755) == 0);
	touch("dir1/x1");
	touch("dir2/x2");
	touch("dir2/y2");

	CHECK(expect("*.c", 0, "a.c b.c"));
	CHECK(expect(".*.c", 0, ".hidden.c"));
	CHECK(expect("[ab].c", 0, "a.c b.c"));
	CHECK(expect("[!a].?", 0, "b.c c.h"));
	CHECK(expect("d*/x?", 0, "dir1/x1 dir2/x2"));
	CHECK(expect("dir2/*", 0, "dir2/x2 dir2/y2"));
	CHECK(expect("d*/", 0, "dir1/ dir2/ dz/"));
	CHECK(expect("di*", GLOB_MARK, "dir1/ dir2/"));
	CHECK(expect("a\\*b", 0, "a*b"));		/* an escaped star is a star */
	CHECK(expect("a\\*b", GLOB_NOESCAPE, "a\\xb")); /* a backslash, then any name */
	CHECK(expect("a.c", 0, "a.c"));			/* no wildcard: it must exist */
	CHECK(expect("dir1//x1", 0, "dir1/x1"));

	char abs[256];
	snprintf(abs, sizeof(abs), "%s/dir?/y*", top);
	glob_t g;
	CHECK(glob(abs, 0, 0, &g) == 0 && g.gl_pathc == 1 && strstr(g.gl_pathv[0], "/dir2/y2"));
	globfree(&g);

	/* Nothing matches: GLOB_NOMATCH, or the pattern itself with GLOB_NOCHECK. */
	CHECK(glob("*.zz", 0, 0, &g) == GLOB_NOMATCH);
	globfree(&g);
	CHECK(glob("none", 0, 0, &g) == GLOB_NOMATCH);
	globfree(&g);
	CHECK(expect("*.zz", GLOB_NOCHECK, "*.zz"));

	/* Offsets and appending: the new matches go after the old, each call sorted. */
	g.gl_offs = 2;
	CHECK(glob("*.h", GLOB_DOOFFS, 0, &g) == 0);
	CHECK(g.gl_pathv[0] == 0 && g.gl_pathv[1] == 0 && strcmp(g.gl_pathv[2], "c.h") == 0);
	CHECK(glob("*.c", GLOB_DOOFFS | GLOB_APPEND, 0, &g) == 0);
	CHECK(g.gl_pathc == 3 && strcmp(joined(&g), "c.h a.c b.c") == 0 && g.gl_pathv[5] == 0);
	globfree(&g);
	CHECK(g.gl_pathv == 0 && g.gl_pathc == 0);

	/* A file where a directory should be is no match, not an error. */
	CHECK(glob("a.c/*", GLOB_ERR, count_error, &g) == GLOB_NOMATCH && errors_seen == 0);
	globfree(&g);
	CHECK(glob("", 0, 0, &g) == GLOB_NOMATCH);
	globfree(&g);

	const char *rm[] = { "dir1/x1", "dir2/x2",   "dir2/y2", "b.c",	"a.c",
			     "c.h",	".hidden.c", "a*b",	"a\\xb" };
	for (size_t i = 0; i < sizeof(rm) / sizeof(rm[0]); i++)
		unlink(rm[i]);
	rmdir("dir1");
	rmdir("dir2");
	rmdir("dz");
	CHECK(chdir("/") == 0 && rmdir(top) == 0);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
