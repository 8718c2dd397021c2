/*
 * Touch about two thirds of free memory, then fork and exit, twice: with COW this
 * works; with EAGER the fork cannot get the frames and fails cleanly with ENOMEM.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "unistd_ext.h"

#define PAGE 4096

static int fork_exit(int mode)
{
	int st = -1;
	pid_t p = forkx(mode);
	if (p == 0)
		_exit(0);
	if (p < 0)
		return -errno;
	return waitpid(p, &st, 0) == p && WIFEXITED(st) ? 0 : -1000;
}

int main(void)
{
	struct memstat ms, after;
	memstat(&ms);
	/* Two thirds of what is free, within our quota (a fixed share of memory: with a
	 * bigger boot archive at 32 MiB, less than that), tables included. */
	size_t pages = ms.free_frames * 2 / 3, quota = ms.task_quota_left / PAGE * 9 / 10;
	if (pages > quota)
		pages = quota;
	char *mem =
		mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return test_status();
	for (size_t i = 0; i < pages; i++)
		mem[i * PAGE] = (char)i;
	errno = 0; /* the EAGER fork sets it: its page may be the file's until a first store */
	memstat(&ms);
	CHECK_EQ(fork_exit(FORK_COW), 0);
	CHECK_EQ(fork_exit(FORK_COW), 0);
	CHECK_EQ(fork_exit(FORK_EAGER), -ENOMEM);
	memstat(&after);
	CHECK_EQ(after.free_frames, ms.free_frames);
	CHECK_EQ(mem[5 * PAGE], 5);
	CHECK_EQ(munmap(mem, pages * PAGE), 0);
	return test_status();
}
