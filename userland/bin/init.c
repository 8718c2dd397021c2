/*
 * init: the first task. With "test" among its arguments it runs every program in the
 * boot archive whose name starts with "test_", one task per test, with a free-frame
 * check around the suite, and powers off with the result. Otherwise it greets and runs
 * "hello" (the shell comes with the loader work).
 */
#include <stdio.h>
#include <string.h>

#include "spawn.h"
#include "syscall.h"

#define TEST_PREFIX    "test_"
#define TEST_TIMEOUT_S 60
#define POLL_TICKS_DIV 50 /* poll the supervisor endpoint 50 times a second */

static long sup_ep; /* where the kernel reports our children's exits and faults */
#define NS_PER_S 1000000000L

static const char *label_name(uint64_t label)
{
	return label == LABEL_EXIT ? "exit" : label == LABEL_OOM ? "out of memory" : "fault";
}

/* Wait for the child with this badge to report, up to the timeout. */
static long wait_child(uint64_t badge, struct ipc_msg *m)
{
	for (unsigned polls = 0; polls < TEST_TIMEOUT_S * POLL_TICKS_DIV; polls++) {
		memset(m, 0, sizeof(*m));
		m->rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		long err = ipc(SYS_recv | SYS_NONBLOCK, sup_ep, m);
		if (err == 0 && m->badge == badge)
			return 0;
		if (err == 0)
			continue; /* a straggler from an earlier test: its task is gone already */
		SYSCALL(sleep, NS_PER_S / POLL_TICKS_DIV);
	}
	return E_AGAIN;
}

/* One test program in its own task; 1 if it passed. */
static int run_test(const char *name, uint64_t badge)
{
	char *argv[] = { (char *)name, 0 };
	long sup = slot_alloc();
	struct spawned s;
	struct ipc_msg m;
	int err = (int)SYSCALL(cap_mint, sup_ep, sup, CAP_SEND, badge);
	struct spawn_req req = { .name = name, .argv = argv, .supervisor = sup };
	if (!err)
		err = spawn_create(&req, &s);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_ARCHIVE, SLOT_ARCHIVE,
				   CAP_READ | CAP_EXEC | CAP_GRANT);
	if (!err && spawn_start(&s) < 0)
		err = E_NOMEM;
	if (!err)
		err = (int)wait_child(badge, &m);
	int ok = !err && ipc_tag_label(m.tag) == LABEL_EXIT && m.w[0] == 0;
	if (err)
		printf("test %-24s FAIL: %s\n", name, err == E_AGAIN ? "timeout" : err_name(err));
	else if (!ok)
		printf("test %-24s FAIL: %s %ld (scause %lu, addr %#lx, pc %#lx)\n", name,
		       label_name(ipc_tag_label(m.tag)), (long)m.w[0], m.w[0], m.w[1], m.w[2]);
	else
		printf("test %-24s ok\n", name);
	if (s.task > 0) {
		SYSCALL(task_kill, s.task);
		slot_free(s.task);
	}
	slot_free(sup);
	return ok;
}

static int run_suite(void)
{
	struct archive a;
	struct memstat before, after;
	int passed = 0, failed = 0;
	if (archive_open(&a) || (sup_ep = slot_alloc()) < 0 ||
	    SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, sup_ep, 0)) {
		printf("init: cannot set up the test runner\n");
		return 1;
	}
	const struct archive_header *h = (const void *)a.base;
	const struct archive_entry *e = (const void *)(h + 1);
	SYSCALL(memstat, SLOT_SELF, &before);
	for (uint32_t i = 0; i < h->count; i++) {
		if (strncmp(e[i].name, TEST_PREFIX, strlen(TEST_PREFIX)) != 0)
			continue;
		run_test(e[i].name, i + 1) ? passed++ : failed++;
	}
	SYSCALL(memstat, SLOT_SELF, &after);
	if (after.free_frames != before.free_frames) {
		printf("test %-24s FAIL: %lu free frames after, %lu before\n", "frame_leak",
		       (unsigned long)after.free_frames, (unsigned long)before.free_frames);
		failed++;
	} else {
		printf("test %-24s ok\n", "frame_leak");
		passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "test") == 0)
			return run_suite();
	printf("init: hello from user space\n");
	char *hargv[] = { "hello", "world", 0 };
	struct spawn_req req = { .name = "hello", .argv = hargv, .supervisor = -1 };
	long t = spawn(&req);
	printf("init: spawned hello: %ld\n", t);
	SYSCALL(sleep, NS_PER_S / 10);
	return 0;
}
