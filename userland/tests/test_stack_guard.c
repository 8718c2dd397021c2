/*
 * The page below the stack reserve (RLIMIT_STACK's default, 8 MiB, demand-zero) is never
 * mapped: deep recursion grows the stack page by page down to it, stores into it, and the
 * supervisor gets LABEL_FAULT with scause 15 (store page fault) and that address.
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define STORE_PAGE_FAULT 15
#define STACK_BOTTOM	 (USER_STACK_TOP - USER_STACK_DEFAULT)

static volatile uint64_t depth_limit = 1UL << 40; /* never reached: 8 MiB runs out */

/* Not a tail call: the frame and its array live until the inner call returns. */
static __attribute__((noinline)) uint64_t deep(uint64_t n)
{
	volatile uint8_t frame[1024];
	for (unsigned i = 0; i < sizeof(frame); i += 64)
		frame[i] = (uint8_t)(n + i);
	uint64_t below = n < depth_limit ? deep(n + 1) : 0;
	return below + frame[n % sizeof(frame)];
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "recurse") == 0)
		return (int)deep(0);
	struct tu_helper h;
	struct ipc_msg m;
	CHECK_EQ(tu_helper_create(&h, argv[0], "recurse", 0), 0);
	CHECK(tu_helper_start(&h) > 0);
	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_FAULT);
	CHECK_EQ(m.w[0], STORE_PAGE_FAULT);
	CHECK(m.w[1] < STACK_BOTTOM && m.w[1] >= STACK_BOTTOM - PAGE_BYTES);
	if (m.w[1] >= STACK_BOTTOM || m.w[1] < STACK_BOTTOM - PAGE_BYTES)
		printf("  fault address %#lx\n", (unsigned long)m.w[1]);
	tu_helper_kill(&h);
	return test_status();
}
