/*
 * Parent, child and grandchild write overlapping regions; each keeps its own values,
 * and once all are gone every copy has been freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define WORDS (8 * 4096 / 8) /* 8 pages */

static int fill_and_check(volatile uint64_t *buf, uint64_t tag, int from, int to)
{
	for (int i = from; i < to; i++)
		buf[i] = tag + i;
	for (int i = from; i < to; i++)
		if (buf[i] != tag + i)
			return 1;
	return 0;
}

static int grandchild(volatile uint64_t *buf)
{
	return fill_and_check(buf, 3000000, WORDS / 4, WORDS);
}

static int child(volatile uint64_t *buf)
{
	if (fill_and_check(buf, 2000000, WORDS / 8, WORDS / 2))
		return 1;
	pid_t g = fork();
	if (g == 0)
		_exit(grandchild(buf));
	int st = -1;
	if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
		return 2;
	/* The grandchild's writes must not show here. */
	for (int i = WORDS / 8; i < WORDS / 2; i++)
		if (buf[i] != 2000000 + (uint64_t)i)
			return 3;
	return 0;
}

int main(void)
{
	volatile uint64_t *buf = malloc(WORDS * 8);
	struct memstat before, after;
	int st = -1;
	CHECK(buf != NULL);
	if (!buf)
		return test_status();
	fill_and_check(buf, 1000000, 0, WORDS);
	memstat(&before);
	pid_t c = fork();
	if (c == 0)
		_exit(child(buf));
	CHECK(c > 0);
	CHECK_EQ(fill_and_check(buf, 1000000, 0, WORDS / 3), 0);
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < WORDS; i++)
		if (buf[i] != 1000000 + (uint64_t)i) {
			CHECK_EQ(buf[i], 1000000 + (uint64_t)i);
			break;
		}
	memstat(&after);
	/* Our own re-writes reused frames; every child copy went back to the pool. */
	CHECK_EQ(after.free_frames, before.free_frames);
	return test_status();
}
