/*
 * Bad slots: an empty slot, a slot far out of range and a deleted slot give E_BADCAP;
 * a capability of the wrong kind gives E_TYPE. Nothing else happens.
 */
#include "testlib.h"
#include "testutil.h"

#define FAR_SLOT 100000

static long nb(long nr, long slot)
{
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return ipc(nr | SYS_NONBLOCK, slot, &m);
}

/* Every call that takes a slot, on a slot that holds nothing usable. */
static void all_badcap(long slot)
{
	long spare = slot_alloc();
	CHECK_EQ(nb(SYS_send, slot), E_BADCAP);
	CHECK_EQ(nb(SYS_recv, slot), E_BADCAP);
	CHECK_EQ(nb(SYS_call, slot), E_BADCAP);
	CHECK_EQ(nb(SYS_reply_recv, slot), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_copy, slot, spare, CAP_ALL), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_mint, slot, spare, CAP_ALL, 3), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_revoke, slot), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, slot), E_BADCAP);
	CHECK_EQ(SYSCALL(notify_signal, slot, 1), E_BADCAP);
	CHECK_EQ(SYSCALL_NB(notify_wait, slot), E_BADCAP);
	CHECK_EQ(SYSCALL(task_kill, slot), E_BADCAP);
	CHECK_EQ(SYSCALL(map_anon, slot, 0x2000000000UL, 1, MAP_PROT_READ), E_BADCAP);
	CHECK_EQ(SYSCALL(obj_create, slot, OBJ_ENDPOINT, spare, 0), E_BADCAP);
	CHECK_EQ(SYSCALL(thread_ctl, slot, THREAD_CTL_PRIORITY, 3), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, spare), E_BADCAP); /* nothing was made */
	slot_free(spare);
}

static void wrong_type(void)
{
	long ep = tu_obj(OBJ_ENDPOINT), n = tu_obj(OBJ_NOTIFY), spare = slot_alloc();
	CHECK_EQ(SYSCALL(notify_signal, ep, 1), E_TYPE);
	CHECK_EQ(SYSCALL_NB(notify_wait, ep), E_TYPE);
	CHECK_EQ(nb(SYS_send, n), E_TYPE);
	CHECK_EQ(nb(SYS_recv, n), E_TYPE);
	CHECK_EQ(nb(SYS_call, n), E_TYPE);
	CHECK_EQ(SYSCALL(task_kill, ep), E_TYPE);
	CHECK_EQ(SYSCALL(map_anon, n, 0x2000000000UL, 1, MAP_PROT_READ), E_TYPE);
	CHECK_EQ(SYSCALL(obj_create, ep, OBJ_ENDPOINT, spare, 0), E_TYPE);
	CHECK_EQ(SYSCALL(thread_ctl, ep, THREAD_CTL_PRIORITY, 3), E_TYPE);
	CHECK_EQ(SYSCALL(task_cap_put, n, ep, 20, CAP_ALL), E_TYPE);
	CHECK_EQ(SYSCALL(cap_info, spare), E_BADCAP);
	/* Both still work for what they are. */
	CHECK_EQ(nb(SYS_send, ep), E_AGAIN);
	CHECK_EQ(SYSCALL(notify_signal, n, 1), 0);
	slot_free(spare);
	slot_free(n);
	slot_free(ep);
}

int main(void)
{
	long empty = slot_alloc();
	all_badcap(empty);
	all_badcap(FAR_SLOT);
	all_badcap(CSPACE_SLOTS);
	all_badcap(-1);
	CHECK_EQ(SYSCALL(cap_delete, FAR_SLOT), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_delete, empty), 0);

	long ep = tu_obj(OBJ_ENDPOINT);
	CHECK(ep > 0);
	CHECK_EQ(nb(SYS_send, ep), E_AGAIN);
	CHECK_EQ(SYSCALL(cap_delete, ep), 0);
	all_badcap(ep);
	slot_free(ep);
	slot_free(empty);
	wrong_type();
	return test_status();
}
