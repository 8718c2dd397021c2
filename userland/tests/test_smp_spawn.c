/*
 * Spawn and exec from every hart at once (with -smp 4; on fewer harts the pins wrap
 * around), so the loader's server threads load in parallel: one process per hart, its
 * work in a thread pinned there, ROUNDS times spawns this program (posix_spawn), forks
 * and execs it, each time with an exit status in its arguments, and loads a copy of
 * `true` from a memory object of its own straight through the loader (a staged load: the
 * loader's shared sessions). Every child must exit with the status asked, every load
 * must succeed, and afterwards the free frame count is exact again.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

#define SELF	     "/bin/test_smp_spawn"
#define ROLE	     "exit" /* argv[1] of a child: exit with the status in argv[2] */
#define WORKERS	     4
#define ROUNDS	     10
#define STATUS_SPAN  100	    /* statuses asked: 1..STATUS_SPAN */
#define OBJECT_VIEW  0x2800000000UL /* our view of the object while we fill it */
#define WAIT_POLLS   5000
#define WAIT_US	     1000
#define SETTLE_POLLS 100
#define SETTLE_NS    20000000UL /* 20 ms */
#define PAGE	     4096UL

extern char **environ;

/* One worker's: a copy of `true` in a memory object, and what went wrong. */
struct worker {
	int index;
	long obj;
	uint64_t size;
	int errors;
};

static int status_of(pid_t pid)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void status_arg(char *buf, size_t n, int status)
{
	snprintf(buf, n, "%d", status);
}

/* posix_spawn of this program asking for status: 1 if it came back. */
static int spawn_round(int status)
{
	char arg[16];
	status_arg(arg, sizeof(arg), status);
	char *argv[] = { "test_smp_spawn", ROLE, arg, 0 };
	pid_t pid = -1;
	return posix_spawn(&pid, SELF, 0, 0, argv, environ) == 0 && status_of(pid) == status;
}

/* fork, and exec this program in the child asking for status: 1 if it came back. */
static int exec_round(int status)
{
	char arg[16];
	status_arg(arg, sizeof(arg), status);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "test_smp_spawn", ROLE, arg, 0 };
		execv(SELF, argv);
		_exit(0); /* not the status asked */
	}
	return pid > 0 && status_of(pid) == status;
}

/* The kernel's report of the task's end on ep: its exit status, or -1. */
static long exit_status(long ep)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
		if (ipc_recv_nb((uint64_t)ep, &m) == 0)
			return ipc_tag_label(m.tag) == LABEL_EXIT ? (long)m.w[0] : -1;
		usleep(WAIT_US);
	}
	return -1;
}

/* `true` from our object through the loader's session, started and ended: 1 if so. */
static int staged_round(const struct worker *w)
{
	static char *argv[] = { "true", 0 };
	long ep = slot_alloc(), sup = slot_alloc();
	struct spawn_req req = { .name = "true",
				 .argv = argv,
				 .supervisor = sup,
				 .object = w->obj,
				 .object_size = w->size };
	struct spawned s;
	int ok = SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0) == 0 &&
		 SYSCALL(cap_mint, ep, sup, CAP_SEND, 1) == 0 && spawn_create(&req, &s) == 0;
	if (ok) {
		ok = spawn_start(&s) > 0 && exit_status(ep) == 0;
		SYSCALL(task_kill, s.task);
		slot_free(s.task);
	}
	slot_free(sup);
	slot_free(ep);
	return ok;
}

/* A copy of the archive's `true` in a fresh memory object of ours: 0 or -1. */
static int make_object(struct worker *w)
{
	struct archive a;
	uint64_t off = 0;
	if (archive_open(&a) || archive_find(&a, "true", &off, &w->size))
		return -1;
	uint64_t pages = (w->size + PAGE - 1) / PAGE;
	w->obj = slot_alloc();
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, w->obj, pages) != 0 ||
	    SYSCALL(map, SLOT_SELF, w->obj, OBJECT_VIEW, 0, pages,
		    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) != 0)
		return -1;
	memcpy((void *)OBJECT_VIEW, a.base + off, w->size);
	SYSCALL(unmap, SLOT_SELF, OBJECT_VIEW, pages);
	return 0;
}

/* The rounds, on the worker's hart. */
static void rounds(void *arg)
{
	struct worker *w = arg;
	if (make_object(w) != 0) {
		w->errors++;
		return;
	}
	for (int r = 0; r < ROUNDS; r++) {
		int status = (w->index * ROUNDS + r) % STATUS_SPAN + 1;
		w->errors += !spawn_round(status);
		w->errors += !exec_round(STATUS_SPAN + 1 - status);
		w->errors += !staged_round(w);
	}
}

/* One worker process: its rounds in a thread pinned to hart index; exit 0 if all went. */
static void worker(int index)
{
	struct worker w = { .index = index };
	thread_t t;
	if (thread_create(&t, rounds, &w) != 0 || thread_pin(t, index) != 0 || thread_join(t) != 0)
		w.errors++;
	if (w.errors)
		printf("  worker %d: %d rounds failed\n", index, w.errors);
	_exit(w.errors ? 1 : 0);
}

/* WORKERS processes at once: how many ended well. */
static int storm(void)
{
	pid_t pid[WORKERS];
	int good = 0;
	fflush(stdout); /* or the children would print our buffered lines again */
	for (int i = 0; i < WORKERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			worker(i);
	}
	for (int i = 0; i < WORKERS; i++)
		good += pid[i] > 0 && status_of(pid[i]) == 0;
	return good;
}

/* Free frames once they are back, up to 2 s (a child's can still be on another hart). */
static uint64_t frames_back_to(uint64_t want)
{
	struct memstat ms;
	memstat(&ms);
	for (int i = 0; i < SETTLE_POLLS && ms.free_frames < want; i++) {
		SYSCALL(sleep, SETTLE_NS);
		memstat(&ms);
	}
	return ms.free_frames;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], ROLE) == 0)
		return atoi(argv[2]);
	struct memstat before;
	CHECK_EQ(storm(), WORKERS); /* the first also warms up: the servers' first use */
	memstat(&before);
	CHECK_EQ(storm(), WORKERS);
	CHECK_EQ(frames_back_to(before.free_frames), before.free_frames);
	printf("  %d harts: %d workers, %d spawns, %d fork+execs, %d staged loads each round\n",
	       thread_harts(), WORKERS, WORKERS * ROUNDS, WORKERS * ROUNDS, WORKERS * ROUNDS);
	return test_status();
}
