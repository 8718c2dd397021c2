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

#define PAGE	  4096
#define REGION	  0x3000000000UL /* 2 MiB aligned: the region fills one level-0 table alone */
#define NPAGES	  64
#define MAX_FILL  64
#define STACK_PRE (24 * 1024)

static volatile uint64_t *flag;

static volatile uint64_t *page(int i)
{
	return (volatile uint64_t *)(REGION + (uint64_t)i * PAGE);
}

/* Copy the stack pages we will use while memory is out, so we need no frame then. */
static int touch_stack(void)
{
	volatile char buf[STACK_PRE];
	for (int i = 0; i < STACK_PRE; i += PAGE / 2)
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
		void *p = mmap(0, want * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED) {
			want /= 2;
			continue;
		}
		fill[n] = p;
		fill_pages[n++] = want;
	}
	return n;
}

/* The shared words: the victim is ready; the hog may fill; the hog is done; all done. */
enum { VICTIM_READY, HOG_GO, HOG_FULL, ALL_DONE, NFLAGS };

static void wait_for(int i)
{
	while (!flag[i])
		SYSCALL(yield);
}

/* Its store needs a table copy and a page copy, and there is no frame for either. */
static void victim(void)
{
	flag[VICTIM_READY] = 1;
	wait_for(HOG_FULL);
	*page(5) = 5; /* killed here */
	_exit(0);
}

/* A second task's quota takes the frames the parent's quota cannot. */
static void hog(void)
{
	wait_for(HOG_GO);
	fill_memory(1UL << 16);
	flag[HOG_FULL] = 1;
	wait_for(ALL_DONE);
	_exit(0);
}

int main(void)
{
	struct memstat start, full, end;
	int st = -1;
	flag = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(flag != MAP_FAILED);
	CHECK(mmap((void *)REGION, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == (void *)REGION);
	for (int i = 0; i < NPAGES; i++)
		*page(i) = 1000 + (uint64_t)i;
	for (int i = 0; i < NFLAGS; i++)
		flag[i] = 0;
	memstat(&start);

	pid_t v = fork();
	if (v == 0)
		victim();
	pid_t h = fork();
	if (h == 0)
		hog();
	CHECK(v > 0 && h > 0);
	wait_for(VICTIM_READY);
	/* Our own stores from here on must not need frames. */
	CHECK_EQ(touch_stack(), 1);
	errno = 0;
	full.free_frames = 0;
	int n = fill_memory(start.free_frames);
	flag[HOG_GO] = 1;
	wait_for(HOG_FULL);
	memstat(&full);
	CHECK(full.free_frames <= 1); /* a table copy and a page copy need two */
	CHECK(waitpid(v, &st, 0) == v);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	flag[ALL_DONE] = 1;
	CHECK(waitpid(h, &st, 0) == h && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(munmap(fill[i], fill_pages[i] * PAGE), 0);
	int bad = 0;
	for (int i = 0; i < NPAGES; i++)
		bad += *page(i) != 1000 + (uint64_t)i;
	CHECK_EQ(bad, 0);
	memstat(&end);
	CHECK_EQ(end.free_frames, start.free_frames);
	CHECK_EQ(munmap((void *)REGION, NPAGES * PAGE), 0);
	return test_status();
}
