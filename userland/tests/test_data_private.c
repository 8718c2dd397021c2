/*
 * Initialized data is write-copy: two bigtext instances each write their copy of a
 * global while a third, started after those writes, still sees the initial value; the
 * archive's file never changes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "taskspawn.h"
#include "testlib.h"

#define HOLD_MS	   "300"
#define WRITTEN_US 100000

static long spawn_buf(const char *buf, unsigned len)
{
	return (long)proc_request(PROC_SPAWN, 0, 0, 0, buf, len);
}

static int exit_of(long pid)
{
	int st = -1;
	if (pid <= 0 || waitpid((pid_t)pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	static const char hold[] = "bigtext\0data\0" HOLD_MS, now[] = "bigtext\0data\0"
								      "0";
	struct archive a;
	uint64_t off = 0, size = 0;
	CHECK_EQ(archive_open(&a), 0);
	CHECK_EQ(archive_find(&a, "bigtext", &off, &size), 0);
	unsigned char *copy = malloc(size);
	CHECK(copy != 0);
	if (!copy || !size)
		return test_status();
	memcpy(copy, a.base + off, size);
	long first = spawn_buf(hold, sizeof(hold)), second = spawn_buf(hold, sizeof(hold));
	usleep(WRITTEN_US);
	long third = spawn_buf(now, sizeof(now));
	CHECK_EQ(exit_of(third), 0);
	CHECK_EQ(exit_of(first), 0);
	CHECK_EQ(exit_of(second), 0);
	CHECK_EQ(memcmp(copy, a.base + off, size), 0);
	free(copy);
	return test_status();
}
