/*
 * Revoke: copies of an endpoint capability, in this task and in a helper task, stop
 * working after cap_revoke of the original; the original still works.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define HELPER_SLOT 20

static long nb_send(long slot)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return ipc(SYS_send | SYS_NONBLOCK, slot, &m);
}

/* Helper: call once through our copy (it works), then, answered, try it again. */
static int helper(void)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0), .w = { 0x77 } };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long first = ipc_call(HELPER_SLOT, &m);
	long again = nb_send(HELPER_SLOT);
	long inf = SYSCALL(cap_info, HELPER_SLOT);
	return (first == 0 ? 0 : 1) | (again == E_BADCAP ? 0 : 2) | (inf == E_BADCAP ? 0 : 4);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "helper") == 0)
		return helper();
	long ep = tu_obj(OBJ_ENDPOINT), c1 = slot_alloc(), c2 = slot_alloc();
	struct tu_helper h;
	struct ipc_msg m;
	CHECK_EQ(SYSCALL(cap_copy, ep, c1, CAP_SEND), 0);
	CHECK_EQ(SYSCALL(cap_mint, ep, c2, CAP_SEND, 5), 0);
	CHECK_EQ(tu_helper_create(&h, argv[0], "helper", 0), 0);
	CHECK_EQ(tu_helper_put(&h, c1, HELPER_SLOT, CAP_SEND), 0);
	CHECK(tu_helper_start(&h) > 0);

	memset(&m, 0, sizeof(m));
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_recv(ep, &m), 0); /* the helper's copy works */
	CHECK_EQ(m.w[0], 0x77);
	CHECK_EQ(nb_send(c1), E_AGAIN);
	CHECK_EQ(nb_send(c2), E_AGAIN);

	CHECK_EQ(SYSCALL(cap_revoke, ep), 0);
	CHECK_EQ(nb_send(c1), E_BADCAP);
	CHECK_EQ(nb_send(c2), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, c1), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, ep), OBJ_ENDPOINT | CAP_ALL << 8);
	CHECK_EQ(nb_send(ep), E_AGAIN); /* the original still names a live endpoint */

	m.tag = ipc_tag(0, 0, 0, 0);
	CHECK_EQ(ipc_reply(&m), 0); /* the reply does not depend on the revoked copy */
	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_EXIT);
	CHECK_EQ(m.w[0], 0);
	tu_helper_kill(&h);

	/* New copies work again. */
	CHECK_EQ(SYSCALL(cap_copy, ep, c1, CAP_SEND), 0);
	CHECK_EQ(nb_send(c1), E_AGAIN);
	slot_free(c1);
	slot_free(c2);
	slot_free(ep);
	return test_status();
}
