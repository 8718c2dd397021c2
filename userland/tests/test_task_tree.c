/*
 * A tree of tasks killed from outside returns every frame and kernel object. Each node is
 * this program in role "node D": it holds a copy of its own task capability in a second
 * slot, starts a child node (D - 1) that only it can name, waits for the child to say it
 * is ready, tells its own parent, then waits forever on a notification nobody else holds
 * (the middle nodes also park a second thread on a private endpoint). Once we kill the
 * root, nobody can reach the nodes below it: the kernel finds and frees them
 * (kernel/core/cap.c, docs/ipc-caps.md).
 *
 * A task whose last outside capability goes while its thread still runs is collected
 * too, once that thread blocks for good: the node "late" spins for a while first.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>

#include "loader.h"
#include "testlib.h"
#include "testutil.h"

#define DEPTH	      3
#define NODE_QUOTA    (4 * 1024 * 1024UL)
#define REPORT_SLOT   300 /* where a node holds its parent's endpoint */
#define LABEL_READY   0x7ead
#define WAIT_MS	      20000
#define SETTLE_POLLS  200
#define POLL_NS	      (10 * TU_NS_PER_MS)
#define EXIT_BAD_NODE 3
#define LATE_SPIN_DIV 10 /* the late node runs 1/10 s, then blocks */

static void park(uint64_t slot)
{
	for (;;) {
		struct ipc_msg m = { 0 };
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		ipc_recv(slot, &m);
	}
}

/* Start a child node of depth d that only we can name; 0 once it is ready. */
static int start_child(struct tu_helper *h, const char *self, int d)
{
	char role[16];
	struct ipc_msg m;
	strcpy(role, "node0");
	role[4] = (char)('0' + d);
	if (tu_helper_create(h, self, role, NODE_QUOTA) != 0 ||
	    tu_helper_put(h, h->sup, REPORT_SLOT, CAP_SEND) != 0)
		return -1;
	tu_helper_put(h, SLOT_LOADER, SLOT_LOADER, CAP_SEND); /* may be there already */
	if (tu_helper_start(h) <= 0 || tu_helper_wait(h, &m, WAIT_MS) != 0)
		return -1;
	return ipc_tag_label(m.tag) == LABEL_READY ? 0 : -1;
}

static int node(const char *self, int d)
{
	struct tu_helper h;
	long note = tu_obj(OBJ_NOTIFY), self_copy = slot_alloc();
	if (note < 0 || SYSCALL(cap_copy, SLOT_SELF, self_copy, CAP_ALL) != 0)
		return EXIT_BAD_NODE;
	if (d > 0 && start_child(&h, self, d - 1) != 0)
		return EXIT_BAD_NODE;
	if (d > 0 && d < DEPTH - 1) {
		long ep = tu_obj(OBJ_ENDPOINT);
		if (ep < 0 || tu_thread(park, (uint64_t)ep, 1) <= 0)
			return EXIT_BAD_NODE;
	}
	struct ipc_msg m = { .tag = ipc_tag(LABEL_READY, 0, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	ipc_send(REPORT_SLOT, &m);
	for (;;) {
		long bits = 0;
		syscall6_a1(SYS_notify_wait, note, 0, 0, 0, &bits);
	}
}

static uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Run for a while (we are ready or running when our last outside capability goes), then
 * block for good on a notification nobody else holds. */
static void late_node(void)
{
	long note = tu_obj(OBJ_NOTIFY);
	struct sysinfo si = { 0 };
	SYSCALL(sysinfo, &si);
	uint64_t t0 = rdtime();
	while (rdtime() - t0 < si.timebase_hz / LATE_SPIN_DIV)
		SYSCALL(yield);
	for (;;) {
		long bits = 0;
		syscall6_a1(SYS_notify_wait, note, 0, 0, 0, &bits);
	}
}

static struct memstat now(void)
{
	struct memstat ms = { 0 };
	memstat(&ms);
	return ms;
}

/* Build a tree, kill its root: 1 if every frame and object came back. */
static int tree_round(const char *self)
{
	struct memstat before = now(), after;
	struct tu_helper root;
	CHECK_EQ(start_child(&root, self, DEPTH - 1), 0);
	after = now();
	CHECK(after.free_frames < before.free_frames); /* the tree holds memory */
	tu_helper_kill(&root);
	for (int i = 0; i < SETTLE_POLLS; i++) {
		after = now();
		if (after.free_frames == before.free_frames &&
		    after.kernel_objects == before.kernel_objects)
			return 1;
		SYSCALL(sleep, POLL_NS);
	}
	printf("  %ld frames and %ld kernel objects not back\n",
	       (long)(before.free_frames - after.free_frames),
	       (long)(after.kernel_objects - before.kernel_objects));
	return 0;
}

/* Start a late node and drop every capability to it at once: 1 if it is collected. */
static int late_round(const char *self)
{
	struct memstat before = now(), after;
	struct tu_helper h;
	int back = 0;
	CHECK_EQ(tu_helper_create(&h, self, "late", NODE_QUOTA), 0);
	CHECK(tu_helper_start(&h) > 0);
	slot_free(h.s.task); /* its thread is ready or running now: judged later */
	h.s.task = -1;
	for (int i = 0; i < SETTLE_POLLS && !back; i++) {
		after = now();
		/* Only our endpoint for its reports (one object) is left once it is gone. */
		back = after.free_frames == before.free_frames &&
		       after.kernel_objects == before.kernel_objects + 1;
		if (!back)
			SYSCALL(sleep, POLL_NS);
	}
	if (!back)
		printf("  late: %ld frames and %ld kernel objects not back\n",
		       (long)(before.free_frames - after.free_frames),
		       (long)(after.kernel_objects - before.kernel_objects - 1));
	tu_helper_kill(&h);
	after = now();
	CHECK_EQ(after.kernel_objects, before.kernel_objects);
	return back;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "late") == 0)
		late_node(); /* never returns */
	if (argc > 1 && strncmp(argv[1], "node", 4) == 0)
		return node(argv[0], argv[1][4] - '0');
	tree_round(argv[0]); /* warms up what a first round leaves (our slots) */
	CHECK(tree_round(argv[0]));
	CHECK(tree_round(argv[0]));
	CHECK(late_round(argv[0]));
	return test_status();
}
