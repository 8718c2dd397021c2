/*
 * Badges: two client threads call one server through two minted copies of its endpoint,
 * badged 11 and 22; the server sees each client's badge on each of its messages.
 */
#include "testlib.h"
#include "testutil.h"

#define CALLS 200

static long ep, cli_slot[2];
static const uint64_t badges[2] = { 11, 22 };

static void client(uint64_t id)
{
	int bad = 0;
	for (unsigned i = 0; i < CALLS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(0, 2, 0, 0), .w = { id, i } };
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		long err = ipc_call(cli_slot[id], &m);
		bad += !(err == 0 && m.w[0] == badges[id] && m.w[1] == i);
		if (i % 16 == 0)
			SYSCALL(yield);
	}
	CHECK_EQ(bad, 0);
}

static void serve(void)
{
	unsigned got[2] = { 0, 0 }, bad = 0;
	struct ipc_msg m = { 0 };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_recv(ep, &m);
	for (unsigned n = 0; n < 2 * CALLS; n++) {
		uint64_t id = m.w[0];
		if (err || id > 1 || m.badge != badges[id] || m.w[1] != got[id]) {
			bad++;
			id = 0;
		}
		got[id]++;
		m.tag = ipc_tag(0, 2, 0, 0);
		m.w[0] = m.badge; /* the client checks it too */
		if (n + 1 == 2 * CALLS) {
			CHECK_EQ(ipc_reply(&m), 0);
			break;
		}
		err = ipc_reply_recv(ep, &m);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(got[0], CALLS);
	CHECK_EQ(got[1], CALLS);
}

int main(void)
{
	ep = tu_obj(OBJ_ENDPOINT);
	cli_slot[0] = slot_alloc();
	cli_slot[1] = slot_alloc();
	CHECK(ep > 0);
	CHECK_EQ(SYSCALL(cap_mint, ep, cli_slot[0], CAP_SEND, badges[0]), 0);
	CHECK_EQ(SYSCALL(cap_mint, ep, cli_slot[1], CAP_SEND, badges[1]), 0);
	long badge = 0;
	CHECK_EQ(syscall6_a1(SYS_cap_info, cli_slot[1], 0, 0, 0, &badge),
		 OBJ_ENDPOINT | CAP_SEND << 8);
	CHECK_EQ(badge, 22);
	CHECK_EQ(tu_join_init(), 0);
	CHECK(tu_thread(client, 0, 1) > 0);
	CHECK(tu_thread(client, 1, 2) > 0);
	serve();
	tu_join(3);
	return test_status();
}
