/*
 * Shared page tables at fork: a region dense enough for its level-0 table to be shared
 * (docs/vm-cow.md). Parent and child each write one page of it and see only their own
 * write; memstat shows one new frame per written page plus one table copy, made by
 * whichever task writes first while the other still shares the table. Once the child
 * is gone the free frames are back where they were before the fork.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define PAGE	 4096
#define REGION	 0x3000000000UL /* 2 MiB aligned: the region fills one level-0 table alone */
#define NPAGES	 128		/* twice the kernel's threshold for sharing a dirty table */
#define WORDS_PP (PAGE / 8)

static volatile uint64_t *flag; /* a shared page: 1 = parent has written, 2 = child too */

static uint64_t *page(int i)
{
	return (uint64_t *)(REGION + (uint64_t)i * PAGE);
}

static uint64_t value(int i, uint64_t who)
{
	return who * 1000 + (uint64_t)i;
}

/* Every page holds its original value, except page mine, which holds who's. */
static int region_ok(int mine, uint64_t who)
{
	for (int i = 0; i < NPAGES; i++)
		if (*(volatile uint64_t *)page(i) != value(i, i == mine ? who : 1))
			return 0;
	return 1;
}

/* Free frames used by one store to page i (the memstat buffers are written first). */
static long frames_for_store(int i, uint64_t v)
{
	struct memstat ms[2];
	ms[0].free_frames = ms[1].free_frames = 0; /* copy our stack page before measuring */
	memstat(&ms[0]);
	*(volatile uint64_t *)page(i) = v;
	memstat(&ms[1]);
	return (long)(ms[0].free_frames - ms[1].free_frames);
}

static int child(void)
{
	while (*flag != 1)
		SYSCALL(yield);
	/* The parent has its own table now: this one is ours alone, only the page is copied. */
	long used = frames_for_store(2, value(2, 3));
	*flag = 2;
	if (used != 1)
		return 10 + (int)used;
	return region_ok(2, 3) ? 0 : 2;
}

int main(void)
{
	struct memstat start, end;
	int st = -1;
	flag = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *r = mmap((void *)REGION, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(flag != MAP_FAILED && r == (uint64_t *)REGION);
	if (flag == MAP_FAILED || r != (uint64_t *)REGION)
		return test_status();
	for (int i = 0; i < NPAGES; i++)
		*page(i) = value(i, 1);
	*flag = 0;
	memstat(&start);

	pid_t c = fork();
	if (c == 0)
		_exit(child());
	CHECK(c > 0);
	/* The child still shares the table: one frame for the table, one for the page. */
	CHECK_EQ(frames_for_store(1, value(1, 2)), 2);
	*flag = 1;
	while (*flag != 2)
		SYSCALL(yield);
	CHECK(region_ok(1, 2));
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(region_ok(1, 2)); /* the child's exit took nothing of ours */
	/* Our copied table and page replaced frames the child's exit freed. */
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap(r, NPAGES * PAGE), 0);
	CHECK_EQ(munmap((void *)flag, PAGE), 0);
	return test_status();
}
