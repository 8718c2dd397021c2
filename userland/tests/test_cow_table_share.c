/*
 * Shared page tables at fork: a region dense enough for its level-0 table to be shared
 * (docs/vm-cow.md). Parent and child each write one page of it and see only their own
 * write; memstat shows one new frame per written page plus a copy of each table, the
 * level-1 table (fork shares it whole once its level-0 tables are write-protected) and
 * the level-0 table, made by whichever task writes first while the other still shares
 * them. Once the child is gone the free frames are back where they were before the fork.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"
#include "testutil.h"

static volatile uint64_t *flag; /* a shared page: 1 = parent has written, 2 = child too */

static int child(void)
{
	while (*flag != 1)
		SYSCALL(yield);
	/* The parent has its own tables now: these are ours alone, only the page is copied. */
	long used = tu_region_store(2, tu_region_value(2, 3));
	*flag = 2;
	if (used != 1)
		return 10 + (int)used;
	return tu_region_ok(2, 3) ? 0 : 2;
}

int main(void)
{
	struct memstat start, end;
	int st = -1;
	flag = mmap(0, TU_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int mapped = tu_region_map();
	CHECK(flag != MAP_FAILED && mapped == 0);
	if (flag == MAP_FAILED || mapped != 0)
		return test_status();
	*flag = 0;
	memstat(&start);

	pid_t c = fork();
	if (c == 0)
		_exit(child());
	CHECK(c > 0);
	/* The child still shares both tables: a frame for each, and one for the page. */
	CHECK_EQ(tu_region_store(1, tu_region_value(1, 2)), 3);
	*flag = 1;
	while (*flag != 2)
		SYSCALL(yield);
	CHECK(tu_region_ok(1, 2));
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(tu_region_ok(1, 2)); /* the child's exit took nothing of ours */
	/* Our copied tables and page replaced frames the child's exit freed. */
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)TU_REGION, TU_REGION_PAGES * TU_PAGE), 0);
	CHECK_EQ(munmap((void *)flag, TU_PAGE), 0);
	return test_status();
}
