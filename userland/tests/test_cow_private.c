/*
 * Parent and child each write after fork and each see only their own writes; after the
 * child exits, the parent's next write is a reuse, not a copy (read from the counters).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGES 16
#define PAGE  4096

static int child_view(volatile uint64_t *buf)
{
	/* The child sees the values from before the fork, writes its own, sees those. */
	if (buf[0] != 100 || buf[PAGE / 8] != 101)
		return 1;
	buf[0] = 200;
	buf[PAGE / 8 * 2] = 202;
	return buf[0] == 200 && buf[PAGE / 8 * 2] == 202 ? 0 : 2;
}

int main(void)
{
	volatile uint64_t *buf = malloc(PAGES * PAGE);
	struct memstat a, b;
	int status = -1;
	CHECK(buf != NULL);
	if (!buf)
		return test_status();
	memset((void *)buf, 0, PAGES * PAGE);
	buf[0] = 100;
	buf[PAGE / 8] = 101;
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_view(buf));
	CHECK(pid > 0);
	buf[PAGE / 8] = 301; /* the parent writes a page the child reads */
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(buf[0], 100);
	CHECK_EQ(buf[PAGE / 8], 301);
	CHECK_EQ(buf[PAGE / 8 * 2], 0);
	/* The child is gone: the frames it shared have one owner now. */
	memstat(&a);
	buf[PAGE / 8 * 3] = 7;
	memstat(&b);
	CHECK_EQ(b.cow_reuses - a.cow_reuses, 1);
	CHECK_EQ(b.cow_copies - a.cow_copies, 0);
	return test_status();
}
