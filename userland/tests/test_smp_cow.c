/*
 * Copy-on-write across harts. Two threads keep rewriting their own page, pass after
 * pass, while a third forks in a loop. Each child checks its snapshot: every word of a
 * page holds pass v+1 up to some point and pass v after it (the writer was part-way
 * through a pass at the fork); any other pattern means a store reached the child after
 * the fork, through a translation that should have been shot down. Each writer checks
 * after every pass that none of its own stores was lost. Run with -smp 4; it passes
 * trivially, and still checks the same things, on one hart.
 *
 * It runs twice: with each page alone in its own mapping, and with both inside a dense
 * region whose level-0 table every fork shares (docs/vm-cow.md), so that the first store
 * after a fork makes the parent copy the table (a shootdown of the other writer's hart)
 * before it copies the page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testutil.h"

#define PAGE	4096
#define WORDS	(PAGE / 8)
#define WRITERS 2
#define FORKS	100

static volatile uint64_t *pages[WRITERS];
static volatile int stop;
static volatile int lost;

static void writer(uint64_t k)
{
	volatile uint64_t *p = pages[k];
	for (uint64_t v = 1; !stop; v++) {
		for (int i = 0; i < WORDS; i++)
			p[i] = v;
		for (int i = 0; i < WORDS; i++)
			if (p[i] != v)
				lost = 1; /* a store went to a frame this thread no longer maps */
	}
}

/* A prefix of v+1 and the rest v (or all one value). */
static int snapshot_ok(volatile uint64_t *p)
{
	uint64_t hi = p[0];
	int i = 0;
	while (i < WORDS && p[i] == hi)
		i++;
	uint64_t lo = i < WORDS ? p[i] : hi;
	if (i < WORDS && lo + 1 != hi)
		return 0;
	for (; i < WORDS; i++)
		if (p[i] != lo)
			return 0;
	return 1;
}

static void forker(uint64_t unused)
{
	(void)unused;
	for (int n = 0; n < FORKS; n++) {
		int st = -1;
		pid_t c = fork();
		if (c == 0) {
			int ok = 1;
			for (int k = 0; k < WRITERS; k++)
				ok &= snapshot_ok(pages[k]);
			/* Look again later: a late store would show up as a change. */
			usleep(1000);
			for (int k = 0; k < WRITERS; k++)
				ok &= snapshot_ok(pages[k]);
			_exit(ok ? 0 : 1);
		}
		CHECK(c > 0);
		CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	stop = 1;
}

static void run(void)
{
	stop = 0;
	for (int k = 0; k < WRITERS; k++)
		CHECK(tu_thread(writer, (uint64_t)k, 1UL << k) > 0);
	CHECK(tu_thread(forker, 0, 1UL << WRITERS) > 0);
	tu_join((1UL << (WRITERS + 1)) - 1);
	CHECK_EQ(lost, 0);
}

/* Both pages inside one dense private region: its table is shared at every fork. */
static int in_shared_table(void)
{
	volatile uint64_t *r =
		mmap((void *)TU_REGION, TU_REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(r == (volatile uint64_t *)TU_REGION);
	if (r != (volatile uint64_t *)TU_REGION)
		return 0;
	for (int i = 0; i < TU_REGION_PAGES; i++)
		r[i * WORDS] = 0; /* every page present: the table is dense enough to share */
	for (int k = 0; k < WRITERS; k++)
		pages[k] = r + (uint64_t)(k * 17 + 5) * WORDS;
	return 1;
}

int main(void)
{
	CHECK_EQ(tu_join_init(), 0);
	for (int k = 0; k < WRITERS; k++) {
		pages[k] =
			mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(pages[k] != MAP_FAILED);
	}
	run();
	if (in_shared_table())
		run();
	return test_status();
}
