/*
 * A shared anonymous memory object passed over IPC: the helper receives the capability
 * in a message, maps the object shared, and writes are seen both ways. A write-copy
 * mapping of the same object in the helper keeps its writes private.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define HELPER_EP  20 /* the helper's send capability to our endpoint */
#define HELPER_MEM 21 /* where the object's capability arrives */
#define SHARED_VA  0x2800000000UL
#define COPY_VA	   0x2900000000UL
#define PAGES	   2

/* Helper: receive the object, map it shared and write-copy, write, report. */
static int helper(void)
{
	struct ipc_msg m = { .tag = ipc_tag(1, 0, 0, 0) };
	m.rspec = ipc_recv_spec(0, HELPER_MEM);
	if (ipc_call(HELPER_EP, &m) != 0 || !(m.tag & IPC_TAG_CAP))
		return 1;
	uint32_t rw = MAP_PROT_READ | MAP_PROT_WRITE;
	if (SYSCALL(map, SLOT_SELF, HELPER_MEM, SHARED_VA, 0, PAGES, rw | MAP_KIND_SHARED) ||
	    SYSCALL(map, SLOT_SELF, HELPER_MEM, COPY_VA, 0, PAGES, rw | MAP_KIND_COPY))
		return 2;
	volatile uint64_t *shared = (uint64_t *)SHARED_VA, *copy = (uint64_t *)COPY_VA;
	if (shared[0] != 0xabc)
		return 3;     /* the parent's write is visible */
	copy[1] = 0xdead;     /* private: the object must not change */
	shared[512] = 0x1234; /* second page, seen by the parent */
	m.tag = ipc_tag(2, 0, 0, 0);
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (ipc_call(HELPER_EP, &m) != 0)
		return 4;
	return shared[2] == 0x5678 ? 0 : 5; /* the parent's second write, seen here */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "helper") == 0)
		return helper();
	long ep = tu_obj(OBJ_ENDPOINT), mem = slot_alloc();
	struct tu_helper h;
	struct ipc_msg m;
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, mem, PAGES), 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, mem, SHARED_VA, 0, PAGES,
			 MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED),
		 0);
	volatile uint64_t *shared = (uint64_t *)SHARED_VA;
	shared[0] = 0xabc;
	CHECK_EQ(tu_helper_create(&h, argv[0], "helper", 0), 0);
	CHECK_EQ(tu_helper_put(&h, ep, HELPER_EP, CAP_SEND), 0);
	CHECK(tu_helper_start(&h) > 0);

	memset(&m, 0, sizeof(m));
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_recv(ep, &m), 0);
	m.tag = ipc_tag(0, 0, 0, 1); /* answer with the object's capability */
	m.cap = mem;
	CHECK_EQ(ipc_reply(&m), 0);

	memset(&m, 0, sizeof(m));
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_recv(ep, &m), 0); /* the helper has written */
	CHECK_EQ(ipc_tag_label(m.tag), 2);
	CHECK_EQ(shared[512], 0x1234);
	CHECK_EQ(shared[1], 0); /* its write-copy write stayed private */
	shared[2] = 0x5678;
	m.tag = ipc_tag(0, 0, 0, 0);
	CHECK_EQ(ipc_reply(&m), 0);
	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_EXIT);
	CHECK_EQ(m.w[0], 0);
	tu_helper_kill(&h);
	SYSCALL(unmap, SLOT_SELF, SHARED_VA, PAGES);
	slot_free(mem);
	slot_free(ep);
	return test_status();
}
