/*
 * Out of memory while a task must copy a shared level-0 table: the parent shares a
 * dense region with a victim child, then it and a second child take every free frame
 * (one task's quota alone cannot). The victim's store into the region needs a table copy
 * and a page copy and gets neither: it is killed (SIGKILL), and nothing leaks or
 * changes: the parent's region keeps its values and, once the filler is gone, the free
 * frames are back where they were before the forks.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"
#include "testutil.h"

#define MAX_FILL  64
#define STACK_PRE (24 * 1024)

static volatile uint64_t *flag;

/* Copy the stack pages we will use while memory is out, so we need no frame then. */
static int touch_stack(void)
{
	volatile char buf[STACK_PRE];
	for (int i = 0; i < STACK_PRE; i += TU_PAGE / 2)
		buf[i] = 1;
	return buf[0];
}

static void *fill[MAX_FILL];
static size_t fill_pages[MAX_FILL];

/* Map private pages, in halving chunks, until not even one more fits. */
static int fill_memory(uint64_t free_frames)
{
	int n = 0;
	for (size_t want = free_frames; want > 0 && n < MAX_FILL;) {
		void *p = mmap(0, want * TU_PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			want /= 2;
			continue;
		}
		fill[n] = p;
		fill_pages[n++] = want;
	}
	return n;
}

/*
 * The shared words: the victim is ready; fill round n asked of the hog; round n done;
 * the victim may store; all done.
 */
enum { VICTIM_READY, HOG_GO, HOG_FULL, VICTIM_GO, ALL_DONE, NFLAGS };
#define MAX_ROUNDS 8 /* with several harts, frames of tasks that ended may come back late */

static void wait_for(int i, uint64_t v)
{
	while (flag[i] < v)
		SYSCALL(yield);
}

/* Its store needs a table copy and a page copy, and there is no frame for either. */
static void victim(void)
{
	flag[VICTIM_READY] = 1;
	wait_for(VICTIM_GO, 1);
	*tu_region_page(5) = 5; /* killed here */
	_exit(0);
}

/* A second task's quota takes the frames the parent's quota cannot, in rounds. */
static void hog(void)
{
	for (uint64_t round = 1; !flag[ALL_DONE]; round++) {
		while (flag[HOG_GO] < round && !flag[ALL_DONE])
			SYSCALL(yield);
		fill_memory(1UL << 16);
		flag[HOG_FULL] = round;
	}
	_exit(0);
}

int main(void)
{
	struct memstat start, full, end;
	int st = -1;
	flag = mmap(0, TU_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(flag != MAP_FAILED);
	CHECK_EQ(tu_region_map(), 0);
	for (int i = 0; i < NFLAGS; i++)
		flag[i] = 0;
	errno = 0;     /* its page may still be the program file's until a first store */
	touch_stack(); /* the stack grows on first touch: its pages are ours before the count */
	memstat(&start);

	pid_t v = fork();
	if (v == 0)
		victim();
	pid_t h = fork();
	if (h == 0)
		hog();
	CHECK(v > 0 && h > 0);
	wait_for(VICTIM_READY, 1);
	/* Our own stores from here on must not need frames. */
	CHECK_EQ(touch_stack(), 1);
	errno = 0;
	full.free_frames = 0;
	int n = fill_memory(start.free_frames);
	for (uint64_t round = 1; round <= MAX_ROUNDS; round++) {
		flag[HOG_GO] = round;
		wait_for(HOG_FULL, round);
		memstat(&full);
		if (full.free_frames <= 1)
			break;
	}
	CHECK(full.free_frames <= 1); /* a table copy and a page copy need two */
	flag[VICTIM_GO] = 1;
	CHECK(waitpid(v, &st, 0) == v);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	flag[ALL_DONE] = 1;
	CHECK(waitpid(h, &st, 0) == h && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(munmap(fill[i], fill_pages[i] * TU_PAGE), 0);
	int bad = 0;
	for (int i = 0; i < TU_REGION_PAGES; i++)
		bad += *tu_region_page(i) != tu_region_value(i, 1);
	CHECK_EQ(bad, 0);
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)TU_REGION, TU_REGION_PAGES * TU_PAGE), 0);
	return test_status();
}
