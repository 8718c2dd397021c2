/*
 * Work pinned to different harts (with -smp 4; on fewer harts the pins wrap around): the
 * first thread pinning itself to each hart in turn (sched_getcpu then names it), IPC
 * ping-pong between two threads on two harts with data checks, then a fork storm
 * from one thread per hart at once, after which the free-frame count is exact again.
 */
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

#define ROUNDS	      500
#define FORKS_EACH    40
#define STORM_THREADS 4
#define SETTLE_POLLS  100
#define SETTLE_NS     20000000UL /* 20 ms */

/*
 * Free frames once they are back, up to 2 s: a child's frames can still be on their way
 * home from another hart (the kernel reaps some tasks on a later tick) when the last
 * join returns; seen at -smp 8.
 */
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

static long ep;
static volatile int errors;

static void server(void *unused)
{
	struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
	(void)unused;
	if (ipc_recv(ep, &m) != 0)
		errors++;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t got = m.w[0];
		memset(&m, 0, sizeof(m));
		m.tag = ipc_tag(1, 1, 0, 0);
		m.w[0] = got * 3 + 1;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		long err = i + 1 < ROUNDS ? ipc_reply_recv(ep, &m) : ipc_reply(&m);
		if (err)
			errors++;
	}
}

static void client(void *unused)
{
	(void)unused;
	for (int i = 0; i < ROUNDS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(1, 1, 0, 0) };
		m.w[0] = (uint64_t)i * 7;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc_call(ep, &m) != 0 || m.w[0] != (uint64_t)i * 21 + 1)
			errors++;
	}
}

static void forker(void *unused)
{
	(void)unused;
	for (int i = 0; i < FORKS_EACH; i++) {
		int st = -1;
		pid_t c = fork();
		if (c == 0)
			_exit(i & 0x3f);
		if (c < 0 || waitpid(c, &st, 0) != c || WEXITSTATUS(st) != (i & 0x3f))
			errors++;
	}
}

static void nothing(void *unused)
{
	(void)unused;
}

/* The first thread, which has no capability of its own, pins itself and moves at once. */
static void test_pin_self(void)
{
	int harts = thread_harts();
	for (int h = harts - 1; h >= 0; h--) {
		CHECK_EQ(thread_pin_self(h), 0);
		CHECK_EQ(sched_getcpu(), h);
	}
	CHECK_EQ(SYSCALL(thread_ctl, 0, THREAD_CTL_SELF | THREAD_CTL_AFFINITY, harts), E_INVAL);
	CHECK_EQ(SYSCALL(thread_ctl, 0, THREAD_CTL_SELF | THREAD_CTL_PRIORITY, THREAD_PRIO_MAX + 1),
		 E_INVAL);
	CHECK_EQ(SYSCALL(thread_ctl, 0, THREAD_CTL_SELF | 2, 0), E_INVAL); /* no such operation */
	CHECK_EQ(thread_pin_self(-1), 0);
}

int main(void)
{
	thread_t s, c, f[STORM_THREADS];
	test_pin_self();
	/* One hart never runs "at once" with another; with more, either answer is a fact. */
	struct sysinfo si = { 0 };
	CHECK_EQ(SYSCALL(sysinfo, &si), 0);
	CHECK(si.parallel <= 1 && (si.harts > 1 || si.parallel == 0));
	struct memstat before, after;
	ep = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0), 0);
	CHECK_EQ(thread_create(&s, server, 0), 0);
	CHECK_EQ(thread_create(&c, client, 0), 0);
	CHECK_EQ(thread_pin(s, 1), 0);
	CHECK_EQ(thread_pin(c, 2), 0);
	CHECK_EQ(thread_join(c), 0);
	CHECK_EQ(thread_join(s), 0);
	CHECK_EQ(errors, 0);

	/* Grow the heap to four thread stacks first: the count below must not include it. */
	for (int i = 0; i < STORM_THREADS; i++)
		CHECK_EQ(thread_create(&f[i], nothing, 0), 0);
	for (int i = 0; i < STORM_THREADS; i++)
		CHECK_EQ(thread_join(f[i]), 0);
	memstat(&before);
	for (int i = 0; i < STORM_THREADS; i++) {
		CHECK_EQ(thread_create(&f[i], forker, 0), 0);
		CHECK_EQ(thread_pin(f[i], i), 0);
	}
	for (int i = 0; i < STORM_THREADS; i++)
		CHECK_EQ(thread_join(f[i]), 0);
	after.free_frames = frames_back_to(before.free_frames);
	CHECK_EQ(errors, 0);
	CHECK_EQ(after.free_frames, before.free_frames);
	printf("  %d harts; ping-pong %d rounds; %d forks from %d threads\n", thread_harts(),
	       ROUNDS, FORKS_EACH * STORM_THREADS, STORM_THREADS);
	return test_status();
}
