/*
 * A frame another hart keeps in its cache is still memory anyone can have
 * (docs/architecture.md, "Lock order"). A process pinned to hart 1 touches and unmaps 64
 * pages, which leaves free frames in hart 1's cache; then this process, on hart 0, takes
 * memory objects until the kernel refuses one. The allocation that found the pool dry
 * must have emptied hart 1's cache first: what memstat still calls free afterwards is at
 * most the few frames the refused object would have needed beyond its page, not a
 * cache's worth. With one hart there is no other cache, and the test says so and passes.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "taskspawn.h"
#include "testlib.h"
#include "threads.h"

#define PAGE	     4096
#define CHURN	     64	  /* pages the process on hart 1 frees */
#define BIG	     256  /* pages of the first objects (their page list takes a frame) */
#define MAX_OBJS     1024 /* slots for objects: 128 MiB in 256-page objects, then 1-page ones */
#define LEFT_AT_MOST 4	  /* free frames the refused 1-page object may leave: page, list, slab */

static uint64_t free_frames(void)
{
	struct memstat m;
	memstat(&m);
	return m.free_frames;
}

/* On hart 1: map, touch and unmap CHURN pages, so their frames go into its cache. */
static void churn(void)
{
	thread_pin_self(1);
	volatile char *p =
		mmap(0, CHURN * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (int i = 0; i < CHURN; i++)
		p[i * PAGE] = 1;
	munmap((void *)p, CHURN * PAGE);
	_exit(0);
}

static long refused; /* why the kernel refused the last object */

/* Objects of pages each into slots until the kernel refuses one: how many it made. */
static int take_all(long *slots, int n, int max, uint64_t pages)
{
	for (; n < max; n++) {
		if ((slots[n] = slot_alloc()) < 0)
			break;
		refused = SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, slots[n], pages);
		if (refused != 0)
			break;
	}
	return n;
}

/* Objects until the kernel refuses one, big ones first: how many (slots[0..n) hold them). */
static int fill(long *slots)
{
	return take_all(slots, take_all(slots, 0, MAX_OBJS, BIG), MAX_OBJS, 1);
}

/* The shared page: the holder's state and error, the taker's error and findings. */
enum { HOLDER, HOLDER_ERR, TAKER_ERR, TAKER_LEFT, TAKER_OBJS, WORDS };

/*
 * A task's quota is less than the machine's memory: a second process holds what the
 * taker may not take. It fills, says why it stopped, and holds on until told to go.
 */
static void holder(volatile uint64_t *shared)
{
	static long slots[MAX_OBJS];
	thread_pin_self(0);
	fill(slots);
	shared[HOLDER_ERR] = (uint64_t)refused;
	__atomic_store_n(&shared[HOLDER], 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&shared[HOLDER], __ATOMIC_ACQUIRE) != 2)
		SYSCALL(sleep, 1000000UL);
	_exit(0);
}

/*
 * Takes the rest until the kernel refuses, counts what memstat still calls free, and
 * gives it all back. Nothing here writes a page it shares copy-on-write once memory is
 * gone (that fault would find no frame): its findings go to the shared page.
 */
static void taker(volatile uint64_t *shared)
{
	static long slots[MAX_OBJS];
	struct memstat m;
	thread_pin_self(0);
	memstat(&m); /* its stack page is its own before memory runs out */
	int all = fill(slots);
	memstat(&m);
	shared[TAKER_LEFT] = m.free_frames;
	shared[TAKER_ERR] = (uint64_t)refused;
	shared[TAKER_OBJS] = (uint64_t)all;
	for (int i = 0; i < all; i++)
		SYSCALL(cap_delete, slots[i]);
	_exit(0);
}

int main(void)
{
	int st = -1;
	if (thread_harts() < 2) {
		printf("test_smp_frame_caches: %d hart(s), no other cache\n", thread_harts());
		return test_status();
	}
	volatile uint64_t *shared =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	thread_pin_self(0);
	pid_t c = fork();
	if (c == 0)
		churn();
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uint64_t before = free_frames();
	pid_t h = fork();
	if (h == 0)
		holder(shared);
	while (__atomic_load_n(&shared[HOLDER], __ATOMIC_ACQUIRE) != 1)
		SYSCALL(sleep, 1000000UL);
	pid_t t = fork();
	if (t == 0)
		taker(shared);
	CHECK(waitpid(t, &st, 0) == t && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	__atomic_store_n(&shared[HOLDER], 2, __ATOMIC_RELEASE);
	CHECK(waitpid(h, &st, 0) == h && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("test_smp_frame_caches: %lu free; the holder stopped at %ld, the taker at %ld "
	       "after %lu objects; %lu left\n",
	       (unsigned long)before, (long)shared[HOLDER_ERR], (long)shared[TAKER_ERR],
	       (unsigned long)shared[TAKER_OBJS], (unsigned long)shared[TAKER_LEFT]);
	CHECK(shared[TAKER_OBJS] < MAX_OBJS);	    /* refused: memory ran out, not its slots */
	CHECK_EQ((long)shared[TAKER_ERR], E_NOMEM); /* not the quota */
	CHECK(shared[TAKER_LEFT] <= LEFT_AT_MOST);
	CHECK(free_frames() > before / 2); /* given back (the exact check is the runner's) */
	return test_status();
}
