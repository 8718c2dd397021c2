/*
 * Page tables freed by an exit are reused clean. Teardown zeroes the groups of entries a
 * table's mask marks and hands the table to the frame pool's stack of zeroed frames,
 * where the next pt_alloc takes it without clearing it (docs/vm-cow.md, "Teardown").
 * A child fills level-0 tables with a page in every group of eight entries, under two
 * level-1 tables, and exits; the parent then maps one page per 2 MiB at fresh places,
 * which takes those tables, and finds exactly that page mapped in each: every other
 * entry of each table is empty (mprotect of it fails, mapping it works). A missed mark
 * would instead leave the child's frames behind: the free count must come back.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE	  4096UL
#define SPAN	  (2UL << 20) /* one level-0 table */
#define GIB	  (1UL << 30) /* one level-1 table */
#define CHILD_VA  0x3000000000UL
#define PARENT_VA 0x3100000000UL
#define NSPANS	  6 /* over two level-1 tables: three spans under each */
#define GROUPS	  64
#define ENTRIES	  512

/* Span s: three under each of two gigabytes. */
static uint64_t span(uint64_t base, int s)
{
	return base + (uint64_t)(s / 3) * GIB + (uint64_t)(s % 3) * SPAN;
}

/* One page in each group of eight entries, at a different place in each group. */
static uint64_t child_page(int s, int g)
{
	return span(CHILD_VA, s) + (uint64_t)(g * 8 + g % 8) * PAGE;
}

static int map_page(uint64_t va)
{
	return mmap((void *)va, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == (void *)va;
}

static int child(void)
{
	for (int s = 0; s < NSPANS; s++)
		for (int g = 0; g < GROUPS; g++) {
			if (!map_page(child_page(s, g)))
				return 1;
			*(volatile uint64_t *)child_page(s, g) = ~0UL; /* resident, dirty */
		}
	return 0; /* the exit frees the tables zeroed */
}

int main(void)
{
	struct memstat before, after;
	int st = -1;
	memstat(&before);
	pid_t c = fork();
	if (c == 0)
		_exit(child());
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	memstat(&after);
	CHECK_EQ(after.free_frames, before.free_frames); /* every frame and table came back */

	/* New tables, most of them the child's old ones: only page 0 of each is mapped. */
	for (int s = 0; s < NSPANS; s++)
		CHECK(map_page(span(PARENT_VA, s)));
	int stray = 0, zero = 1;
	for (int s = 0; s < NSPANS; s++) {
		zero &= *(volatile uint64_t *)span(PARENT_VA, s) == 0;
		for (int i = 1; i < ENTRIES; i++)
			stray += mprotect((void *)(span(PARENT_VA, s) + i * PAGE), PAGE,
					  PROT_READ) == 0;
	}
	CHECK(zero);
	CHECK_EQ(stray, 0);
	/* The child's places are free in the parent too, table entries and all. */
	for (int s = 0; s < NSPANS; s++)
		CHECK(map_page(span(PARENT_VA, s) + 7 * PAGE) && map_page(child_page(s, 5)));
	for (int s = 0; s < NSPANS; s++) {
		CHECK_EQ(munmap((void *)span(PARENT_VA, s), 8 * PAGE), 0);
		CHECK_EQ(munmap((void *)child_page(s, 5), PAGE), 0);
	}
	return test_status();
}
