/*
 * Quotas: a helper with a 256 KiB quota maps one page at a time until map_anon fails;
 * it must fail with E_QUOTA (not E_NOMEM) before 64 pages. We can still allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define QUOTA	  (256 * 1024UL)
#define GREEDY_VA 0x2800000000UL
#define FAR_VA	  0x3400000000UL
#define BAD_FIRST 0x100
#define FAR_SHIFT 16
#define MIB	  (1024 * 1024)

/*
 * Exit status: the pages mapped; BAD_FIRST if the first failure was not E_QUOTA; and
 * FAR_SHIFT up, minus the error of a map that also needed new page tables.
 */
static int greedy(void)
{
	unsigned pages = 0;
	long err;
	while ((err = SYSCALL(map_anon, SLOT_SELF, GREEDY_VA + pages * PAGE_BYTES, 1,
			      MAP_PROT_READ | MAP_PROT_WRITE)) == 0) {
		((volatile char *)GREEDY_VA)[pages * PAGE_BYTES] = 1;
		if (++pages >= BAD_FIRST - 1)
			break;
	}
	if (err != E_QUOTA || pages == 0)
		return (int)pages | BAD_FIRST;
	/* One page of quota back; a page in a fresh gigabyte also needs two tables. */
	SYSCALL(unmap, SLOT_SELF, GREEDY_VA + --pages * PAGE_BYTES, 1);
	err = SYSCALL(map_anon, SLOT_SELF, FAR_VA, 1, MAP_PROT_READ | MAP_PROT_WRITE);
	return (int)pages | (int)(-err << FAR_SHIFT);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "greedy") == 0)
		return greedy();
	struct tu_helper h;
	struct ipc_msg m;
	CHECK_EQ(tu_helper_create(&h, argv[0], "greedy", QUOTA), 0);
	struct memstat ms;
	CHECK_EQ(SYSCALL(memstat, h.s.task, &ms), 0);
	CHECK(ms.task_quota_left <= QUOTA);
	CHECK(tu_helper_start(&h) > 0);

	char *p = malloc(MIB);
	CHECK(p != NULL);
	if (p) {
		memset(p, 0x5a, MIB);
		CHECK(p[MIB - 1] == 0x5a);
		free(p);
	}

	CHECK_EQ(tu_helper_wait(&h, &m, 5000), 0);
	CHECK_EQ(ipc_tag_label(m.tag), LABEL_EXIT);
	uint64_t st = m.w[0], pages = st & (BAD_FIRST - 1);
	CHECK_EQ(st & BAD_FIRST, 0); /* map_anon failed with E_QUOTA */
	CHECK(pages > 0 && pages < QUOTA / PAGE_BYTES);
	/* Also when the quota runs out on a page table: E_QUOTA, not E_NOMEM. */
	CHECK_EQ(-(long)(st >> FAR_SHIFT), E_QUOTA);
	CHECK_EQ(SYSCALL(memstat, h.s.task, &ms), 0);
	CHECK(ms.task_quota_left <= PAGE_BYTES);
	tu_helper_kill(&h);
	return test_status();
}
