/*
 * One level-0 table shared by three tasks: parent, child and grandchild (the child
 * forks before writing). Each writes its own page of the region, the grandchild first,
 * then the child, then the parent, and each sees only its own write. The grandchild and
 * the child each copy the table (someone else still shares it) and one page; the
 * parent, last holder of the original table, writes its page in place. Once all are
 * gone the free frames are back where they were before the first fork.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE   4096
#define REGION 0x3000000000UL /* 2 MiB aligned: the region fills one level-0 table alone */
#define NPAGES 128	      /* twice the kernel's threshold for sharing a dirty table */

static volatile uint64_t *page(int i)
{
	return (volatile uint64_t *)(REGION + (uint64_t)i * PAGE);
}

/* Page mine holds who's value, every other page the original. */
static int region_ok(int mine, uint64_t who)
{
	for (int i = 0; i < NPAGES; i++)
		if (*page(i) != (i == mine ? who : 1) * 1000 + (uint64_t)i)
			return 0;
	return 1;
}

/* Free frames used by writing who's value to page i. */
static long store(int i, uint64_t who)
{
	struct memstat ms[2];
	ms[0].free_frames = ms[1].free_frames = 0; /* copy our stack page before measuring */
	memstat(&ms[0]);
	*page(i) = who * 1000 + (uint64_t)i;
	memstat(&ms[1]);
	return (long)(ms[0].free_frames - ms[1].free_frames);
}

static int grandchild(void)
{
	if (store(3, 4) != 2)
		return 1;
	return region_ok(3, 4) ? 0 : 2;
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
	if (!region_ok(-1, 0))
		return 4; /* the grandchild's write showed here */
	if (store(2, 3) != 2)
		return 5; /* the parent still shares the table: it must be copied */
	return region_ok(2, 3) ? 0 : 6;
}

int main(void)
{
	struct memstat start, end;
	int st = -1;
	CHECK(mmap((void *)REGION, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == (void *)REGION);
	for (int i = 0; i < NPAGES; i++)
		*page(i) = 1000 + (uint64_t)i;
	memstat(&start);
	pid_t c = fork();
	if (c == 0)
		_exit(child());
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(region_ok(-1, 0));
	/* Both copies are gone with their tasks: the table and the page are ours alone. */
	CHECK_EQ(store(1, 2), 0);
	CHECK(region_ok(1, 2));
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)REGION, NPAGES * PAGE), 0);
	return test_status();
}
