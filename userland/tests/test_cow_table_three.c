/*
 * One level-0 table shared by three tasks: parent, child and grandchild (the child
 * forks before writing). Each writes its own page of the region, the grandchild first,
 * then the child, then the parent, and each sees only its own write. The child forks
 * without having written the region's level-1 table, so the grandchild shares that one
 * too, and its store copies the level-1 table, the level-0 table and the page; the
 * child then copies both tables (the parent still shares them: the first fork shared
 * the region's level-1 table whole too) and one page; the parent, last holder of the
 * original tables, writes its page in place. Once all are
 * gone the free frames are back where they were before the first fork.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testutil.h"

/* Free frames used by writing who's value to page i. */
static long store(int i, uint64_t who)
{
	return tu_region_store(i, tu_region_value(i, who));
}

static int grandchild(void)
{
	if (store(3, 4) != 3)
		return 1;
	return tu_region_ok(3, 4) ? 0 : 2;
}

static int child(void)
{
	int st = -1;
	pid_t g = fork();
	if (g == 0)
		_exit(grandchild());
	if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st))
		return 3;
	if (WEXITSTATUS(st))
		return 10 + WEXITSTATUS(st);
	if (!tu_region_ok(-1, 0))
		return 4; /* the grandchild's write showed here */
	if (store(2, 3) != 3)
		return 5; /* the parent still shares both tables: they must be copied */
	return tu_region_ok(2, 3) ? 0 : 6;
}

int main(void)
{
	struct memstat start, end;
	int st = -1;
	CHECK_EQ(tu_region_map(), 0);
	memstat(&start);
	pid_t c = fork();
	if (c == 0)
		_exit(child());
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(tu_region_ok(-1, 0));
	/* Both copies are gone with their tasks: the table and the page are ours alone. */
	CHECK_EQ(store(1, 2), 0);
	CHECK(tu_region_ok(1, 2));
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)TU_REGION, TU_REGION_PAGES * TU_PAGE), 0);
	return test_status();
}
