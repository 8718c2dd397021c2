/* 1,000 rounds of fork, exit and wait bring the free-frame count back to its start. */
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define ROUNDS 1000

int main(void)
{
	struct memstat before, after;
	char *data = malloc(16 * 1024);
	int bad = 0;
	CHECK(data != NULL);
	memset(data, 1, 16 * 1024);
	memstat(&before);
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
	memstat(&after);
	CHECK_EQ(bad, 0);
	CHECK_EQ(after.free_frames, before.free_frames);
	return test_status();
}
