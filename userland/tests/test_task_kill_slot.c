/*
 * task_kill empties the slot it was given, and only that one: a copy of the capability
 * still names the dead task, on which a second task_kill fails with E_DEAD and leaves the
 * copy in place. Nothing is left behind once the copy is deleted too.
 */
#include <sys/memstat.h>

#include "testlib.h"
#include "testutil.h"

#define QUOTA (64 * 4096) /* a root table and a slot chunk fit easily */

int main(void)
{
	struct memstat a, b;
	long task = slot_alloc(), copy = slot_alloc();
	memstat(&a);
	CHECK_EQ(SYSCALL(task_create, SLOT_SELF, task, QUOTA, -1), 0);
	CHECK_EQ(SYSCALL(cap_copy, task, copy, CAP_ALL), 0);
	CHECK_EQ(SYSCALL(task_kill, task), 0);
	CHECK_EQ(SYSCALL(cap_info, task), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, copy) & 0xff, OBJ_TASK);
	CHECK_EQ(SYSCALL(task_kill, copy), E_DEAD);
	CHECK_EQ(SYSCALL(cap_info, copy) & 0xff, OBJ_TASK);
	CHECK_EQ(SYSCALL(task_kill, task), E_BADCAP);
	slot_free(copy);
	memstat(&b);
	CHECK_EQ(b.free_frames, a.free_frames);
	slot_free(task);
	return test_status();
}
