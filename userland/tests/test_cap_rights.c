/*
 * Rights: a send-only copy cannot receive, a receive-only copy cannot send, cap_info
 * reports type and rights, a copy cannot add rights, and a badged cap cannot be minted.
 */
#include "testlib.h"
#include "testutil.h"

static long info(long slot, long *badge)
{
	long b = 0;
	long r = syscall6_a1(SYS_cap_info, slot, 0, 0, 0, &b);
	if (badge)
		*badge = b;
	return r;
}

static long nb(long nr, long slot)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return ipc(nr | SYS_NONBLOCK, slot, &m);
}

static void endpoint_rights(void)
{
	long ep = tu_obj(OBJ_ENDPOINT), s = slot_alloc(), r = slot_alloc(), x = slot_alloc();
	CHECK(ep > 0);
	CHECK_EQ(info(ep, 0), OBJ_ENDPOINT | CAP_ALL << 8);
	CHECK_EQ(SYSCALL(cap_copy, ep, s, CAP_SEND), 0);
	CHECK_EQ(SYSCALL(cap_copy, ep, r, CAP_RECV), 0);
	CHECK_EQ(info(s, 0), OBJ_ENDPOINT | CAP_SEND << 8);
	CHECK_EQ(info(r, 0), OBJ_ENDPOINT | CAP_RECV << 8);
	/* The copies still name the endpoint: the allowed direction only finds no partner. */
	CHECK_EQ(nb(SYS_send, s), E_AGAIN);
	CHECK_EQ(nb(SYS_recv, r), E_AGAIN);
	CHECK_EQ(nb(SYS_recv, s), E_RIGHTS);
	CHECK_EQ(nb(SYS_reply_recv, s), E_RIGHTS);
	CHECK_EQ(nb(SYS_send, r), E_RIGHTS);
	CHECK_EQ(nb(SYS_call, r), E_RIGHTS);
	/* A copy of the send-only copy asked for everything still has only SEND. */
	CHECK_EQ(SYSCALL(cap_copy, s, x, CAP_ALL), 0);
	CHECK_EQ(info(x, 0), OBJ_ENDPOINT | CAP_SEND << 8);
	CHECK_EQ(nb(SYS_recv, x), E_RIGHTS);
	/* Copying into a full slot fails. */
	CHECK_EQ(SYSCALL(cap_copy, ep, x, CAP_SEND), E_BUSY);
	slot_free(x);
	slot_free(r);
	slot_free(s);
	slot_free(ep);
}

static void mint_rules(void)
{
	long ep = tu_obj(OBJ_ENDPOINT), b = slot_alloc(), c = slot_alloc(), badge = 0;
	CHECK_EQ(SYSCALL(cap_mint, ep, b, CAP_SEND | CAP_RECV, 77), 0);
	CHECK_EQ(info(b, &badge), OBJ_ENDPOINT | (CAP_SEND | CAP_RECV) << 8);
	CHECK_EQ(badge, 77);
	CHECK_EQ(SYSCALL(cap_mint, b, c, CAP_SEND, 78), E_INVAL);
	CHECK_EQ(info(c, 0), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_mint, ep, c, CAP_SEND, 0), E_INVAL);
	CHECK_EQ(SYSCALL(cap_mint, SLOT_SELF, c, CAP_SEND, 5), E_TYPE);
	CHECK_EQ(info(c, 0), E_BADCAP);
	/* A plain copy keeps the badge. */
	CHECK_EQ(SYSCALL(cap_copy, b, c, CAP_SEND), 0);
	CHECK_EQ(info(c, &badge), OBJ_ENDPOINT | CAP_SEND << 8);
	CHECK_EQ(badge, 77);
	slot_free(c);
	slot_free(b);
	slot_free(ep);
}

static void notify_rights(void)
{
	long n = tu_obj(OBJ_NOTIFY), s = slot_alloc(), w = slot_alloc();
	CHECK_EQ(info(n, 0), OBJ_NOTIFY | CAP_ALL << 8);
	CHECK_EQ(SYSCALL(cap_copy, n, s, CAP_SEND), 0);
	CHECK_EQ(SYSCALL(cap_copy, n, w, CAP_RECV), 0);
	CHECK_EQ(SYSCALL_NB(notify_wait, s), E_RIGHTS);
	CHECK_EQ(SYSCALL(notify_signal, w, 1), E_RIGHTS);
	CHECK_EQ(SYSCALL(notify_signal, s, 4), 0);
	long bits = 0;
	CHECK_EQ(syscall6_a1(SYS_notify_wait | SYS_NONBLOCK, w, 0, 0, 0, &bits), 0);
	CHECK_EQ(bits, 4);
	slot_free(w);
	slot_free(s);
	slot_free(n);
}

int main(void)
{
	endpoint_rights();
	mint_rules();
	notify_rights();
	return test_status();
}
