/*
 * A helper task spinning forever at our priority does not starve us: we can sleep and
 * yield and finish, then kill it.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define YIELDS 100

static volatile uint64_t spins;

static int spin(void)
{
	for (;;)
		spins++;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		return spin();
	struct tu_helper h;
	struct memstat ms;
	CHECK_EQ(tu_helper_create(&h, argv[0], "spin", 0), 0);
	CHECK(tu_helper_start(&h) > 0);
	CHECK_EQ(SYSCALL(sleep, 10 * TU_NS_PER_MS), 0);
	for (int i = 0; i < YIELDS; i++)
		CHECK_EQ(SYSCALL(yield), 0);
	/* The helper is still running: no exit and no fault was reported. */
	CHECK_EQ(ipc(SYS_recv | SYS_NONBLOCK, h.ep, &(struct ipc_msg){ 0 }), E_AGAIN);
	CHECK_EQ(SYSCALL(memstat, h.s.task, &ms), 0);
	CHECK(ms.task_resident > 0);
	tu_helper_kill(&h);
	CHECK_EQ(SYSCALL(sleep, TU_NS_PER_MS), 0);
	return test_status();
}
