/*
 * A user load from a kernel address faults: the helper's supervisor (this test) gets
 * LABEL_FAULT with scause 13 (load page fault) and the address, and kills the helper.
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define KERNEL_VA	0xffffffff80200000UL
#define LOAD_PAGE_FAULT 13

static int kload(void)
{
	volatile uint64_t *p = (volatile uint64_t *)KERNEL_VA;
	uint64_t v = *p;
	printf("  kload: read %#lx from the kernel\n", (unsigned long)v);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "kload") == 0)
		return kload();
	struct tu_helper h;
	struct ipc_msg m;
	CHECK_EQ(tu_helper_create(&h, argv[0], "kload", 0), 0);
	long tid = tu_helper_start(&h);
	CHECK(tid > 0);
	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_FAULT);
	CHECK_EQ(ipc_tag_words(m.tag), 4);
	CHECK_EQ(m.w[0], LOAD_PAGE_FAULT);
	CHECK_EQ(m.w[1], KERNEL_VA);
	CHECK(m.w[2] >= USER_LINK_BASE && m.w[2] < USER_MMAP_BASE); /* pc in the text */
	CHECK_EQ(m.w[3], tid);
	CHECK(m.badge != 0);
	tu_helper_kill(&h);
	/* We keep running, and so does the kernel. */
	CHECK_EQ(SYSCALL(yield), 0);
	CHECK_EQ(SYSCALL(cap_info, SLOT_SELF), OBJ_TASK | CAP_ALL << 8);
	return test_status();
}
