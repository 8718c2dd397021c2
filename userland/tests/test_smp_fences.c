/*
 * TLB shootdowns go only where they are needed, once per hart (docs/vm-cow.md,
 * "Shootdowns"), counted by memstat's tlb_fences:
 *  1. fork+exit+wait in a process that runs on one hart at a time sends none;
 *  2. munmap of a range, while this process's other threads run on every other hart,
 *     sends at most one fence per other hart, not one per page;
 *  3. so does mprotect of a range.
 * With one hart nothing is ever sent.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

#define PAGE	    4096
#define FORKS	    20
#define RANGE_PAGES 64 /* a fence per page would be this many per hart */
#define MAX_THREADS 8

static volatile int started, stop;

static uint64_t fences(void)
{
	struct memstat ms;
	CHECK(memstat(&ms) == 0);
	return ms.tlb_fences;
}

/* Run this process's tree on a hart until told to stop: that hart must be fenced. */
static void spin(void *unused)
{
	(void)unused;
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		;
}

static void forks_send_none(void)
{
	uint64_t before = fences();
	for (int i = 0; i < FORKS; i++) {
		int st = -1;
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		CHECK(c > 0 && waitpid(c, &st, 0) == c);
	}
	CHECK_EQ(fences() - before, 0);
}

/* munmap and mprotect of RANGE_PAGES pages: each at most one fence per other hart. */
static void ranges_fence_once(int harts)
{
	long most = harts - 1;
	uint8_t *r = mmap(0, RANGE_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r != MAP_FAILED);
	if (r == MAP_FAILED)
		return;
	for (int i = 0; i < RANGE_PAGES; i++)
		r[i * PAGE] = (uint8_t)i; /* every page mapped: each needs its flush */
	uint64_t before = fences();
	CHECK(mprotect(r, RANGE_PAGES * PAGE, PROT_READ) == 0);
	uint64_t sent = fences() - before;
	CHECK(sent <= (uint64_t)most);
	CHECK_EQ(r[5 * PAGE], 5); /* still readable */
	before = fences();
	CHECK(munmap(r, RANGE_PAGES * PAGE) == 0);
	sent = fences() - before;
	CHECK(sent <= (uint64_t)most);
}

int main(void)
{
	int harts = thread_harts();
	thread_t t[MAX_THREADS];
	int n = 0;
	forks_send_none(); /* first: no thread yet, so one hart at a time runs us */
	for (int h = 1; h < harts && h < MAX_THREADS; h++) {
		if (thread_create(&t[n], spin, 0) != 0)
			break;
		CHECK(thread_pin(t[n], h) == 0);
		n++;
	}
	CHECK_EQ(n, harts > MAX_THREADS ? MAX_THREADS - 1 : harts - 1);
	while (started < n)
		usleep(100);
	ranges_fence_once(harts);
	if (harts == 1)
		CHECK_EQ(fences(), 0);
	stop = 1;
	for (int i = 0; i < n; i++)
		CHECK(thread_join(t[i]) == 0);
	return test_status();
}
