/*
 * Threads pinned to the highest harts while the low ones idle, and every hart entering
 * the kernel at once (with -smp 4; on fewer harts the pins wrap around):
 *  1. IPC ping-pong between threads pinned to the two last harts, with data checks. A
 *     wake-up must reach the hart the thread is pinned to, not the first idle one.
 *  2. One thread per hart making system calls back to back, so harts wait for the big
 *     kernel lock and sleep on it: every call must complete and none be lost.
 *  3. A thread that moves itself to another hart halfway through its work.
 * The free-frame count is exact again at the end.
 */
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>

#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

#define ROUNDS	    1000
#define CALLS_EACH  3000
#define MAX_THREADS 8

#define SETTLE_POLLS 50
#define SETTLE_NS    20000000UL /* 20 ms */

/*
 * Free frames once the kernel's deferred work is done: a task whose last capability
 * went a moment ago (an earlier test's) is reaped on a later tick, which frees its
 * frames after a count taken too soon. Polls until two looks agree (or want is reached).
 */
static uint64_t settled_frames(uint64_t want)
{
	struct memstat ms;
	memstat(&ms);
	uint64_t last = ms.free_frames;
	for (int i = 0; i < SETTLE_POLLS; i++) {
		SYSCALL(sleep, SETTLE_NS);
		memstat(&ms);
		if (ms.free_frames == want || (want == 0 && ms.free_frames == last))
			break;
		last = ms.free_frames;
	}
	return ms.free_frames;
}

static long ep;
static volatile int errors;
static int calls_done[MAX_THREADS];

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
		m.w[0] = got ^ 0x5a5a;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if ((i + 1 < ROUNDS ? ipc_reply_recv(ep, &m) : ipc_reply(&m)) != 0)
			errors++;
	}
}

static void client(void *unused)
{
	(void)unused;
	for (int i = 0; i < ROUNDS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(1, 1, 0, 0) };
		m.w[0] = (uint64_t)i * 11;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc_call(ep, &m) != 0 || m.w[0] != (((uint64_t)i * 11) ^ 0x5a5a))
			errors++;
	}
}

/* Back-to-back kernel entries: each takes the lock, so the harts contend for it. */
static void caller(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct memstat ms;
	for (int i = 0; i < CALLS_EACH; i++) {
		if (memstat(&ms) != 0 || ms.free_frames == 0)
			errors++;
		calls_done[me]++;
	}
}

static thread_t mover_self;
static volatile int mover_ready;
static volatile uint64_t mover_sum;

/* Work, move to another hart, work again: the sum must come out whole. */
static void mover(void *unused)
{
	uint64_t sum = 0;
	(void)unused;
	while (!mover_ready)
		SYSCALL(yield);
	for (uint64_t i = 1; i <= 100000; i++) {
		sum += i;
		if (i == 50000 && thread_pin(mover_self, thread_harts() - 1) != 0)
			errors++;
	}
	mover_sum = sum;
}

int main(void)
{
	int harts = thread_harts(), n = harts < MAX_THREADS ? harts : MAX_THREADS;
	thread_t s, c, t[MAX_THREADS];
	struct memstat before, after;

	/* Grow the heap to all the thread stacks first: the count below must not include it. */
	for (int i = 0; i < MAX_THREADS; i++)
		CHECK_EQ(thread_create(&t[i], caller, (void *)(intptr_t)i), 0);
	for (int i = 0; i < MAX_THREADS; i++)
		CHECK_EQ(thread_join(t[i]), 0);
	memset(calls_done, 0, sizeof(calls_done));
	memstat(&before);
	before.free_frames = settled_frames(0);

	ep = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0), 0);
	CHECK_EQ(thread_create(&s, server, 0), 0);
	CHECK_EQ(thread_pin(s, harts - 1), 0);
	CHECK_EQ(thread_create(&c, client, 0), 0);
	CHECK_EQ(thread_pin(c, harts > 1 ? harts - 2 : 0), 0);
	CHECK_EQ(thread_join(c), 0);
	CHECK_EQ(thread_join(s), 0);
	CHECK_EQ(errors, 0);

	for (int i = 0; i < n; i++) {
		CHECK_EQ(thread_create(&t[i], caller, (void *)(intptr_t)i), 0);
		CHECK_EQ(thread_pin(t[i], i), 0);
	}
	for (int i = 0; i < n; i++) {
		CHECK_EQ(thread_join(t[i]), 0);
		CHECK_EQ(calls_done[i], CALLS_EACH);
	}
	CHECK_EQ(errors, 0);

	CHECK_EQ(thread_create(&mover_self, mover, 0), 0);
	CHECK_EQ(thread_pin(mover_self, 0), 0);
	mover_ready = 1;
	CHECK_EQ(thread_join(mover_self), 0);
	CHECK_EQ(mover_sum, 100000ULL * 100001ULL / 2);
	CHECK_EQ(errors, 0);

	memstat(&after);
	after.free_frames = settled_frames(before.free_frames);
	CHECK_EQ(after.free_frames, before.free_frames);
	printf("  %d harts; ping-pong %d rounds; %d x %d calls; a thread moved hart\n", harts,
	       ROUNDS, n, CALLS_EACH);
	return test_status();
}
