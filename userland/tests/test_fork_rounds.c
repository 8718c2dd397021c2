/* 1,000 rounds of fork, exit and wait bring the free-frame count back to its start. */
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define SETTLE_POLLS 200
#define SETTLE_NS    10000000L /* 10 ms */

#define ROUNDS 1000

int main(void)
{
	struct memstat before, after;
	char *data = malloc(16 * 1024);
	int bad = 0;
	CHECK(data != NULL);
	memset(data, 1, 16 * 1024);
	/* The previous test's last frames may still be on their way home: 15 came back
	 * during the rounds once, at -smp 4 on a loaded host. */
	memstat_settled(&before);
	for (int i = 0; i < ROUNDS; i++) {
		int st = -1;
		pid_t c = fork();
		if (c == 0) {
			data[i % 4096] = 2; /* one copying fault per child */
			_exit(i & 0x7f);
		}
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (i & 0x7f))
			bad++;
	}
	/* The last child's task is reaped on a later tick, maybe on another hart (seen once at
	 * -smp 8): up to 2 s for its frames to come home. */
	memstat(&after);
	for (int i = 0; i < SETTLE_POLLS && after.free_frames < before.free_frames; i++) {
		SYSCALL(sleep, SETTLE_NS);
		memstat(&after);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(after.free_frames, before.free_frames);
	return test_status();
}
