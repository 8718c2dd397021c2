/*
 * A task nobody can reach any more is freed: a task with no thread whose last outside
 * capability is deleted (its own SLOT_SELF would otherwise keep it forever), and a chain
 * of such tasks, each holding the only capability to the next, long enough that killing
 * them one inside another would overflow the kernel stack. A task that still has a
 * capability outside itself, or a thread, stays.
 */
#include <sys/memstat.h>

#include "testlib.h"
#include "testutil.h"

#define CHILD_QUOTA (64 * 1024)
#define CHAIN	    200
#define NEXT_SLOT   10 /* where each task of the chain holds the next one */

static long new_task(void)
{
	long slot = slot_alloc();
	long err = SYSCALL(task_create, SLOT_SELF, slot, CHILD_QUOTA, -1);
	CHECK_EQ(err, 0);
	return err ? -1 : slot;
}

static void drop(long slot)
{
	CHECK_EQ(SYSCALL(cap_delete, slot), 0);
	slot_free(slot);
}

static uint64_t free_frames(void)
{
	struct memstat ms;
	memstat(&ms);
	return ms.free_frames;
}

int main(void)
{
	long warm = new_task(); /* the first task may grow our own slot chunks: not a leak */
	drop(warm);
	uint64_t before = free_frames();

	/* One orphan. */
	long t = new_task();
	long copy = slot_alloc();
	CHECK_EQ(SYSCALL(cap_copy, t, copy, CAP_ALL), 0);
	drop(t);
	CHECK(free_frames() < before); /* a copy still names it: it stays */
	CHECK_EQ(SYSCALL(task_cap_put, copy, SLOT_CONSOLE, 1, CAP_ALL), 0); /* still alive */
	drop(copy);
	CHECK_EQ(free_frames(), before);

	/* A chain: we hold the first; each holds the only capability to the next. */
	long head = new_task(), prev = head;
	for (int i = 1; i < CHAIN && prev >= 0; i++) {
		long next = new_task();
		if (next < 0)
			break;
		CHECK_EQ(SYSCALL(task_cap_put, prev, next, NEXT_SLOT, CAP_ALL), 0);
		if (prev != head)
			drop(prev);
		prev = next;
	}
	if (prev != head)
		drop(prev);
	CHECK(free_frames() < before);
	drop(head);
	CHECK_EQ(free_frames(), before);
	return test_status();
}
