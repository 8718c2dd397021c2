/*
 * A position-independent program loaded away from its link address has its relocations
 * applied, runs correctly, and costs only the pages its relocations write. pie_hello has
 * relocations on two pages: its pointer table, a page that would otherwise stay shared
 * with the file, and its last data page, which is private anyway (bss starts on it). So
 * moving it makes exactly one more page private, and takes no more frames than that
 * (plus page tables for the new place).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/memstat.h>

#include "spawn.h"
#include "syscall.h"
#include "testlib.h"

#define OTHER_BASE  0x40000000UL /* 1 GiB from where it was linked */
#define RELOC_PAGES 1		 /* pages private only because of relocations */
#define WAIT_POLLS  2000

struct run {
	unsigned reloc_pages;
	uint64_t frames; /* free frames the loaded, not yet started, program took */
	long status;	 /* its exit status, or -1 */
};

static long wait_exit(long ep)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
		if (ipc(SYS_recv | SYS_NONBLOCK, ep, &m) == 0)
			return ipc_tag_label(m.tag) == LABEL_EXIT ? (long)m.w[0] : -1;
		usleep(1000);
	}
	return -1;
}

static void run_at(uint64_t base, struct run *r)
{
	char *argv[] = { "pie_hello", 0 };
	long ep = slot_alloc(), sup = slot_alloc();
	struct spawned s;
	struct memstat a, b;
	struct spawn_req req = {
		.name = "pie_hello", .argv = argv, .supervisor = sup, .base = base
	};
	r->status = -1;
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0), 0);
	CHECK_EQ(SYSCALL(cap_mint, ep, sup, CAP_SEND, 1), 0);
	memstat(&a);
	int err = spawn_create(&req, &s);
	memstat(&b);
	CHECK_EQ(err, 0);
	if (err)
		return;
	r->reloc_pages = s.reloc_pages;
	r->frames = a.free_frames - b.free_frames;
	CHECK(spawn_start(&s) > 0);
	r->status = wait_exit(ep);
	SYSCALL(task_kill, s.task);
	slot_free(s.task);
	slot_free(sup);
	slot_free(ep);
}

int main(void)
{
	struct run home, away;
	run_at(0, &home); /* a first load makes what stays (slots, slabs): measure the second */
	run_at(0, &home);
	run_at(OTHER_BASE, &away);
	printf("  pie_hello: at its link address %lu frames, %u relocated pages; 1 GiB away %lu "
	       "frames, %u relocated pages\n",
	       (unsigned long)home.frames, home.reloc_pages, (unsigned long)away.frames,
	       away.reloc_pages);
	CHECK_EQ(home.status, 0);
	CHECK_EQ(away.status, 0);
	CHECK_EQ(home.reloc_pages, 0);
	CHECK_EQ(away.reloc_pages, RELOC_PAGES);
	/* Moving it costs the relocated pages and page tables for the new place, no more. */
	CHECK_EQ(away.frames, home.frames + RELOC_PAGES);
	return test_status();
}
