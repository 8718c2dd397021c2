/*
 * Capability transfer: a server thread receives a notification and an endpoint in a
 * message and uses them; a capability without CAP_GRANT is refused with E_RIGHTS before
 * anything is sent; a receiver that refuses capabilities gets the message without one.
 */
#include "testlib.h"
#include "testutil.h"

static long ep, note, ep2, nogrant, rslot[3];

static long info(long slot)
{
	return SYSCALL(cap_info, slot);
}

static void recv_with(struct ipc_msg *m, unsigned slot, uint64_t expect)
{
	m->rspec = ipc_recv_spec(0, slot);
	CHECK_EQ(ipc_recv(ep, m), 0);
	CHECK_EQ(m->w[0], expect);
}

static void server(uint64_t arg)
{
	struct ipc_msg m = { 0 };
	(void)arg;
	/* 1: a notification; signal it through our new slot. */
	recv_with(&m, rslot[0], 1);
	CHECK(m.tag & IPC_TAG_CAP);
	CHECK_EQ(info(rslot[0]), OBJ_NOTIFY | CAP_ALL << 8);
	CHECK_EQ(SYSCALL(notify_signal, rslot[0], 0x40), 0);
	m.tag = ipc_tag(0, 0, 0, 0);
	CHECK_EQ(ipc_reply(&m), 0);
	/* 2: an endpoint with fewer rights; then serve one call on it. */
	recv_with(&m, rslot[1], 2);
	CHECK(m.tag & IPC_TAG_CAP);
	CHECK_EQ(info(rslot[1]), OBJ_ENDPOINT | (CAP_RECV | CAP_GRANT) << 8);
	CHECK_EQ(ipc_reply(&m), 0);
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_recv(rslot[1], &m), 0);
	CHECK_EQ(m.w[0], 0xe2);
	m.w[0] = 0xe3;
	m.tag = ipc_tag(0, 1, 0, 0);
	CHECK_EQ(ipc_reply(&m), 0);
	/* 3: the call without GRANT never arrived; this one refuses the capability. */
	recv_with(&m, IPC_RECV_SLOT_NONE, 3);
	CHECK(!(m.tag & IPC_TAG_CAP));
	CHECK_EQ(ipc_tag_words(m.tag), 2);
	CHECK_EQ(m.w[1], 33);
	CHECK_EQ(ipc_reply(&m), 0);
	/* 4: a capability for a slot that is in use is not installed either. */
	recv_with(&m, rslot[0], 4);
	CHECK(!(m.tag & IPC_TAG_CAP));
	CHECK_EQ(info(rslot[0]), OBJ_NOTIFY | CAP_ALL << 8);
	CHECK_EQ(ipc_reply(&m), 0);
}

static long call_cap(uint64_t step, long cap, int attach)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 2, 0, attach), .w = { step, 33 } };
	m.cap = (uint64_t)cap;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return ipc_call(ep, &m);
}

static void client(void)
{
	long bits = 0;
	CHECK_EQ(call_cap(1, note, 1), 0);
	CHECK_EQ(syscall6_a1(SYS_notify_wait | SYS_NONBLOCK, note, 0, 0, 0, &bits), 0);
	CHECK_EQ(bits, 0x40);

	long recv_copy = slot_alloc();
	CHECK_EQ(SYSCALL(cap_copy, ep2, recv_copy, CAP_RECV | CAP_GRANT), 0);
	CHECK_EQ(call_cap(2, recv_copy, 1), 0);
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0), .w = { 0xe2 } };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_call(ep2, &m), 0);
	CHECK_EQ(m.w[0], 0xe3);
	slot_free(recv_copy);

	CHECK_EQ(SYSCALL(cap_copy, note, nogrant, CAP_SEND | CAP_RECV), 0);
	CHECK_EQ(call_cap(99, nogrant, 1), E_RIGHTS);
	CHECK_EQ(call_cap(99, SLOT_FIRST_FREE + 300, 1), E_BADCAP);
	CHECK_EQ(call_cap(3, note, 1), 0);
	CHECK_EQ(call_cap(4, ep2, 1), 0);
}

int main(void)
{
	ep = tu_obj(OBJ_ENDPOINT);
	note = tu_obj(OBJ_NOTIFY);
	ep2 = tu_obj(OBJ_ENDPOINT);
	nogrant = slot_alloc();
	for (int i = 0; i < 3; i++)
		rslot[i] = slot_alloc();
	CHECK(ep > 0 && note > 0 && ep2 > 0 && rslot[2] > 0);
	CHECK_EQ(tu_join_init(), 0);
	CHECK(tu_thread(server, 0, 1) > 0);
	client();
	tu_join(1);
	/* The sender keeps its own capabilities. */
	CHECK_EQ(info(note), OBJ_NOTIFY | CAP_ALL << 8);
	CHECK_EQ(info(ep2), OBJ_ENDPOINT | CAP_ALL << 8);
	CHECK_EQ(info(rslot[2]), E_BADCAP);
	return test_status();
}
