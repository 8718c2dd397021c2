/*
 * For in-guest test programs: CHECK prints the failing expression and counts it; a test
 * returns test_status() from main, and init's runner reports ok or FAIL.
 */
#ifndef USER_TESTLIB_H
#define USER_TESTLIB_H

#include <errno.h>
#include <stdio.h>

extern int test_failures;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			printf("  check failed: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                  \
		}                                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long a_ = (long)(a), b_ = (long)(b);                                       \
		if (a_ != b_) {                                                            \
			printf("  check failed: %s:%d: %s == %s (%ld != %ld)\n", __FILE__, \
			       __LINE__, #a, #b, a_, b_);                                  \
			test_failures++;                                                   \
		}                                                                          \
	} while (0)

/* Small helpers the tests share (testlib.c). */
void ms_sleep(long ms);
/* path now holds exactly text (mode 0644 if it is made); a failed step is a failed check. */
void put_file(const char *path, const char *text);
/* The whole of path (at most max - 1 bytes) as a string in out: its length, or -1. */
long get_file(const char *path, char *out, unsigned long max);
/*
 * memstat into *ms once the free-frame count has held still for three polls 10 ms apart
 * (2 s at most): a task of an earlier test, or of an earlier round, may still be on its
 * way out (reaped on a later tick, maybe on another hart), and its frames come home then.
 */
struct memstat;
void memstat_settled(struct memstat *ms);

/* expr fails: it returns -1 and sets errno to err (cleared first, so a stale value
 * cannot pass). */
#define CHECK_FAILS(expr, err)          \
	do {                            \
		errno = 0;              \
		CHECK_EQ((expr), -1);   \
		CHECK_EQ(errno, (err)); \
	} while (0)

static inline int test_status(void)
{
	return test_failures ? 1 : 0;
}

#endif
