/*
 * Peer death: a call to a server task that exits without replying, and to one that is
 * killed, returns E_DEAD; a thread blocked in recv on an endpoint whose last
 * capability another thread deletes wakes with E_DEAD.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define SERVER_SLOT 20

static long ep, lonely;
static volatile long call_result, recv_result, receiver_ready;

/* Helper: take one call and exit without answering it. */
static int server(int keep)
{
	struct ipc_msg m = { 0 };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (ipc_recv(SERVER_SLOT, &m) != 0 || m.w[0] != 0x5e)
		return 1;
	while (keep)
		SYSCALL(sleep, 1000 * TU_NS_PER_MS);
	return 0;
}

static void caller(uint64_t arg)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0), .w = { 0x5e } };
	(void)arg;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	call_result = ipc_call(ep, &m);
}

static void receiver(uint64_t arg)
{
	struct ipc_msg m = { 0 };
	(void)arg;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	receiver_ready = 1;
	recv_result = ipc_recv(lonely, &m);
}

/* A server helper and a client thread; the server ends (exits or is killed). */
static void dead_server(const char *self, int killed, uint64_t bit)
{
	struct tu_helper h;
	struct ipc_msg m;
	call_result = 1;
	CHECK_EQ(tu_helper_create(&h, self, killed ? "keep" : "exit", 0), 0);
	CHECK_EQ(tu_helper_put(&h, ep, SERVER_SLOT, CAP_RECV), 0);
	CHECK(tu_helper_start(&h) > 0);
	CHECK(tu_thread(caller, 0, bit) > 0);
	if (!killed) {
		CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
		CHECK_EQ(ipc_tag_label(m.tag), LABEL_EXIT);
		CHECK_EQ(m.w[0], 0);
	} else {
		for (int i = 0; i < 20; i++)
			SYSCALL(sleep, TU_NS_PER_MS);
		CHECK_EQ(tu_helper_wait(&h, &m, 0), E_AGAIN);
	}
	tu_helper_kill(&h);
	tu_join(bit);
	CHECK_EQ(call_result, E_DEAD);
}

static void deleted_endpoint(void)
{
	lonely = tu_obj(OBJ_ENDPOINT);
	recv_result = 1;
	receiver_ready = 0;
	CHECK(tu_thread(receiver, 0, 4) > 0);
	/*
	 * The receiver must be blocked in recv before the delete, or it finds the slot empty
	 * (E_BADCAP). Yields alone do not ensure it when it runs on another hart: wait until it
	 * is one instruction away from the call, then give it far longer than it needs.
	 */
	for (int i = 0; i < 1000 && !receiver_ready; i++)
		SYSCALL(sleep, TU_NS_PER_MS);
	for (int i = 0; i < 20; i++)
		SYSCALL(sleep, TU_NS_PER_MS);
	CHECK_EQ(receiver_ready, 1);
	CHECK_EQ(recv_result, 1); /* still waiting */
	CHECK_EQ(SYSCALL(cap_delete, lonely), 0);
	tu_join(4);
	CHECK_EQ(recv_result, E_DEAD);
	slot_free(lonely);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return server(strcmp(argv[1], "keep") == 0);
	ep = tu_obj(OBJ_ENDPOINT);
	CHECK(ep > 0);
	CHECK_EQ(tu_join_init(), 0);
	dead_server(argv[0], 0, 1);
	dead_server(argv[0], 1, 2);
	deleted_endpoint();
	return test_status();
}
