/*
 * munmap and mprotect in a child, on a range inside a level-0 table it shares with its
 * parent, change the child's mappings only. The first child unmaps some pages, makes
 * others read-only and reads what is left; the second unmaps the table's whole span,
 * which only lets go of the table (and copies the level-1 table above it, shared too);
 * the third makes a page read-only and writes it, and must die of SIGSEGV. The parent's
 * whole region is intact and writable afterwards, and the free frames are back where
 * they were before the forks.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testutil.h"

#define SPAN (2UL << 20) /* what one level-0 table maps */

static int child_unmap_protect(void)
{
	if (munmap((void *)tu_region_page(0), 8 * TU_PAGE) ||
	    mprotect((void *)tu_region_page(8), 8 * TU_PAGE, PROT_READ))
		return 1;
	for (int i = 8; i < TU_REGION_PAGES; i++)
		if (*tu_region_page(i) != tu_region_value(i, 1))
			return 2;
	*tu_region_page(20) = 7; /* still writable here */
	/* Everything else of the region, table and all, goes too. */
	if (munmap((void *)tu_region_page(8), (TU_REGION_PAGES - 8) * TU_PAGE))
		return 3;
	return 0;
}

/*
 * munmap of the table's whole 2 MiB only lets go of the shared table: no frame is freed,
 * and resident and quota drop by exactly the pages and the table. The parent has not
 * written the region since the first fork, so this child shares its level-1 table too:
 * the one frame taken is this child's copy of that table, whose entry changes.
 */
static int child_unmap_span(void)
{
	struct memstat ms[2];
	ms[0].free_frames = ms[1].free_frames = 0; /* copy our stack page before measuring */
	memstat(&ms[0]);
	if (munmap((void *)TU_REGION, SPAN))
		return 1;
	memstat(&ms[1]);
	if (ms[0].free_frames - ms[1].free_frames != 1)
		return 2;
	if (ms[0].task_resident - ms[1].task_resident != TU_REGION_PAGES)
		return 3;
	if (ms[1].task_quota_left - ms[0].task_quota_left != (TU_REGION_PAGES + 1) * TU_PAGE)
		return 4;
	return 0;
}

static void child_protect_write(void)
{
	mprotect((void *)tu_region_page(30), TU_PAGE, PROT_READ);
	*tu_region_page(30) = 1; /* must fault */
	_exit(0);
}

int main(void)
{
	struct memstat start, end;
	int st = -1;
	CHECK_EQ(tu_region_map(), 0);
	memstat(&start);

	pid_t c = fork();
	if (c == 0)
		_exit(child_unmap_protect());
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);

	c = fork();
	if (c == 0)
		_exit(child_unmap_span());
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);

	c = fork();
	if (c == 0)
		child_protect_write();
	CHECK(c > 0 && waitpid(c, &st, 0) == c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

	/* Ours: every page still there with its value, and writable (in place: no sharer). */
	int bad = 0;
	for (int i = 0; i < TU_REGION_PAGES; i++)
		bad += *tu_region_page(i) != tu_region_value(i, 1);
	CHECK_EQ(bad, 0);
	for (int i = 0; i < TU_REGION_PAGES; i++)
		*tu_region_page(i) = 2000 + (uint64_t)i;
	for (int i = 0; i < TU_REGION_PAGES; i++)
		bad += *tu_region_page(i) != 2000 + (uint64_t)i;
	CHECK_EQ(bad, 0);
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)TU_REGION, TU_REGION_PAGES * TU_PAGE), 0);
	return test_status();
}
