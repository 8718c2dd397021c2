/*
 * Peer death: a call to a server task that exits without replying, and to one that is
 * killed, returns E_DEAD; a thread blocked in recv on an endpoint whose last
 * capability another thread deletes wakes with E_DEAD; a supervisor that kills the task
 * whose exit it received holds no reply afterwards.
 */
#include <string.h>
#include <sys/memstat.h>

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

/*
 * The kill drops the reply its caller held for the killed task's exit call (task_kill,
 * docs/syscalls.md): a reply after it finds nothing pending (E_BADCAP; E_DEAD while the
 * kernel still held the dead thread for it), and the thread and its task are freed by
 * the kill, not by a later answer.
 */
static void kill_drops_reply(const char *self)
{
	struct tu_helper h;
	struct ipc_msg m, r = { .tag = ipc_tag(0, 0, 0, 0) };
	struct memstat before = { 0 }, after = { 0 };
	CHECK_EQ(tu_helper_create(&h, self, "exit", 0), 0);
	CHECK(tu_helper_start(&h) > 0);
	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0); /* its exit: the reply is ours now */
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_EXIT);
	memstat(&before);
	CHECK_EQ(SYSCALL(task_kill, h.s.task), 0);
	memstat(&after);
	CHECK_EQ(ipc_reply(&r), E_BADCAP);
	/* At least the thread, its task and the task's first slot chunk went with the kill. */
	CHECK(before.kernel_objects >= after.kernel_objects + 3);
	tu_helper_kill(&h); /* the slot is empty: only our slots go */
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
	kill_drops_reply(argv[0]);
	return test_status();
}
