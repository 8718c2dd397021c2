/*
 * A position-independent program that uses the C library (built with ld.lld -pie, see
 * userland/build.mk): printf, snprintf, malloc, errno (thread-local, in the main thread
 * and in a second one), strftime (whose day and month names picolibc keeps in a table of
 * pointers in read-only data), and pointers the loader must relocate when it loads it
 * away from its link address: a whole page of them (code and data addresses), a constant
 * table (.data.rel.ro) and a pointer in ordinary data. It prints where it runs and exits
 * 0 if every check holds, else 1 after naming the first that failed.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "threads.h"

#define PAGE	    4096
#define TABLE_WORDS (PAGE / sizeof(void *))
#define BIG_BYTES   (3 * PAGE) /* more than a page: the heap must grow (sbrk) */
#define THREAD_ERR  EDOM       /* what the second thread leaves in its own errno */

static const char greeting[] = "pie_libc";
static int counter = 7;
static int *volatile counter_ptr = &counter; /* a relocation in .data */

static int twice(int x)
{
	return 2 * x;
}
static int thrice(int x)
{
	return 3 * x;
}

/* A constant table of pointers: .data.rel.ro, relocated like data, never written after. */
static int (*const volatile ops[])(int) = { twice, thrice };

/* A page of its own holding pointers only: relocated, and private only when moved. */
static const void *volatile table[TABLE_WORDS] __attribute__((aligned(PAGE))) = {
	[0] = greeting,
	[1] = (const void *)twice,
	[TABLE_WORDS - 1] = &counter,
};

static const char *pointers_wrong(void)
{
	if (*counter_ptr != 7)
		return "pointer in .data";
	if (table[0] != greeting || table[1] != (const void *)twice ||
	    table[TABLE_WORDS - 1] != &counter)
		return "page of pointers";
	if (ops[0](5) != 10 || ops[1](5) != 15)
		return "function pointers in .data.rel.ro";
	return 0;
}

static const char *heap_wrong(void)
{
	char *small = malloc(32), *big = malloc(BIG_BYTES);
	const char *bad = 0;
	if (!small || !big)
		return "malloc";
	memset(big, 0x5a, BIG_BYTES);
	snprintf(small, 32, "%s %d", greeting, twice(21));
	if (strcmp(small, "pie_libc 42") || big[BIG_BYTES - 1] != 0x5a)
		bad = "snprintf into the heap";
	free(big);
	free(small);
	return bad;
}

/* picolibc's names table is read-only data with absolute pointers: relocated too. */
static const char *time_wrong(void)
{
	char buf[32];
	struct tm t = { .tm_wday = 0, .tm_mon = 1 };
	if (strftime(buf, sizeof(buf), "%A %B", &t) == 0 || strcmp(buf, "Sunday February"))
		return "strftime";
	return 0;
}

static void thread_errno(void *arg)
{
	errno = THREAD_ERR;
	*(int *)arg = errno;
}

/* errno is thread-local (local-exec TLS at a link-time offset from tp): per thread. */
static const char *errno_wrong(void)
{
	int seen = 0;
	thread_t t;
	errno = 0;
	if (strtol("99999999999999999999999", 0, 10) != LONG_MAX || errno != ERANGE)
		return "errno from strtol";
	if (thread_create(&t, thread_errno, &seen) || thread_join(t))
		return "thread";
	if (seen != THREAD_ERR || errno != ERANGE)
		return "errno per thread";
	return 0;
}

int main(void)
{
	const char *bad = pointers_wrong();
	if (!bad)
		bad = heap_wrong();
	if (!bad)
		bad = time_wrong();
	if (!bad)
		bad = errno_wrong();
	if (bad) {
		printf("pie_libc: wrong: %s\n", bad);
		return 1;
	}
	printf("pie_libc: ok at %p\n", (void *)greeting);
	return 0;
}
