/*
 * One bigtext instance makes its text page writable and patches answer(); instances
 * started before and after it keep running the original code, and the archive's file
 * never changes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "taskspawn.h"
#include "testlib.h"

#define PATCHED_US 100000

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
	static const char before[] = "bigtext\0check\0"
				     "600",
			  patch[] = "bigtext\0patch\0"
				    "400",
			  after[] = "bigtext\0check\0"
				    "200";
	struct archive a;
	uint64_t off = 0, size = 0;
	CHECK_EQ(archive_open(&a), 0);
	CHECK_EQ(archive_find(&a, "bigtext", &off, &size), 0);
	unsigned char *copy = malloc(size);
	CHECK(copy != 0);
	if (!copy || !size)
		return test_status();
	memcpy(copy, a.base + off, size);
	long b = spawn_buf(before, sizeof(before)), p = spawn_buf(patch, sizeof(patch));
	usleep(PATCHED_US);
	long c = spawn_buf(after, sizeof(after));
	CHECK_EQ(exit_of(p), 0);
	CHECK_EQ(exit_of(b), 0);
	CHECK_EQ(exit_of(c), 0);
	CHECK_EQ(memcmp(copy, a.base + off, size), 0);
	free(copy);
	return test_status();
}
