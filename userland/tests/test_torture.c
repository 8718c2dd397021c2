/*
 * The SMP torture test (issue 16): every hart at once, a bounded count of operations
 * (about 100,000 with the argument "full", which make test runs three times at -smp 4;
 * about 1,000 in the suite). A second argument, a mask of the parts below (bit 0 for
 * the first), runs only those, to find which one fails:
 *  1. a fork storm: fork, the child checks and writes pages it shares copy-on-write,
 *     every eighth child forks a grandchild, exit, wait;
 *  2. copy-on-write faults: after each fork, while the child lives, a writer on another
 *     hart rewrites the pages the child shares (a futex ping-pong with the forker), and
 *     checks that none of its stores was lost;
 *  3. IPC ping-pong between a client and a server pinned to two other harts, with data
 *     checks, both reading a range that (4) keeps changing the protection of;
 *  4. mprotect of that range (read-only, read-write) and munmap/mmap of pages beside the
 *     writer's, in its page table;
 *  5. thread create and exit, back to back;
 *  6. in a child process: threads that keep storing to a page their own process unmaps
 *     or write-protects under them; each such process must die of SIGSEGV.
 * It ends with the free-frame count exactly where it started. A watchdog fails it, saying
 * which part stalled and where each stood, if one part makes no progress for
 * STALL_S seconds; a deadlock inside the kernel is the kernel's own watchdog's (a hart
 * that waits too long for the big kernel lock panics with every hart's state).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "futex.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

#define PAGE	      4096
#define WORDS	      (PAGE / 8)
#define SCALE_SUITE   1
#define SCALE_FULL    100
#define STALL_S	      30 /* no progress this long is a failure: a normal op takes ms */
#define POLL_MS	      200
#define NS_PER_MS     1000000UL
#define SETTLE_POLLS  100 /* 2 s for the last frames to come home from other harts */
#define MAX_WARM      8	  /* threads alive at once, at most: their stacks come first */
#define GRANDCHILD_EV 8	  /* every this many forks, the child forks too */

/* The parts, and how many operations each does at scale 1. */
enum part { P_FORK, P_COW, P_IPC, P_CHURN, P_THREADS, P_VICTIMS, P_COUNT };
static const char *const part_name[P_COUNT] = {
	"fork", "cow", "ipc", "churn", "threads", "victims"
};
static const uint64_t part_ops[P_COUNT] = { 25, 25, 700, 150, 80, 2 };

/* In a shared page: the victim part runs in a child process and reports here too. */
struct progress {
	volatile uint64_t done[P_COUNT];
	volatile int finished[P_COUNT];
	volatile int errors[P_COUNT];
	volatile uint64_t finished_ms[P_COUNT];
};
static struct progress *pg;
static unsigned scale = SCALE_SUITE;

/* The region the writer and the churner share page tables in. */
#define REGION_PAGES 32
#define COW_PAGES    4
#define CHURN_FIRST  16
#define CHURN_PAGES  8
/* The range whose protection changes under its readers. */
#define PROT_PAGES   4

static volatile uint64_t *region;
/* Futex ping-pong between the forker and the writer: one pass per fork, child alive. */
static volatile uint32_t forks_begun, passes_done;
static volatile uint64_t *prot_range;
static long ep;

static unsigned parts = (1u << P_COUNT) - 1; /* which parts run: all but for a diagnosis */

static uint64_t target(enum part p)
{
	return (parts & (1u << p)) ? part_ops[p] * scale : 0;
}

static void fail(enum part p)
{
	__atomic_add_fetch(&pg->errors[p], 1, __ATOMIC_SEQ_CST);
}

static void step(enum part p)
{
	__atomic_add_fetch(&pg->done[p], 1, __ATOMIC_SEQ_CST);
}

static uint64_t now_ms(void);

static void finish(enum part p)
{
	pg->finished_ms[p] = now_ms();
	pg->finished[p] = 1;
}

static volatile uint64_t *cow_page(int i)
{
	return region + (uint64_t)i * WORDS;
}

/* The protect range's page i holds i + 1 in every word it is checked at. */
static int prot_ok(uint64_t n)
{
	int i = (int)(n % PROT_PAGES);
	return prot_range[(uint64_t)i * WORDS + n % WORDS] == (uint64_t)i + 1;
}

/* A prefix of v+1 and the rest v (or all one value): the writer was mid-pass at the fork. */
static int snapshot_ok(volatile uint64_t *p)
{
	uint64_t hi = p[0];
	int i = 0;
	while (i < WORDS && p[i] == hi)
		i++;
	uint64_t lo = i < WORDS ? p[i] : hi;
	if (i < WORDS && lo + 1 != hi)
		return 0;
	for (; i < WORDS; i++)
		if (p[i] != lo)
			return 0;
	return 1;
}

/* A forked child: its snapshot must be whole, and its own stores stay its own. */
static int child_work(int depth)
{
	int ok = 1;
	/* A grandchild sees pages 0 and 1 as its parent wrote them below. */
	for (int k = depth ? 2 : 0; k < COW_PAGES; k++)
		ok &= snapshot_ok(cow_page(k));
	ok &= prot_ok((uint64_t)depth);
	for (int k = 0; k < 2; k++) {
		volatile uint64_t *p = cow_page(k);
		for (int i = 0; i < WORDS; i += 64)
			p[i] = 0xc0ffee00UL + (uint64_t)depth;
		for (int i = 0; i < WORDS; i += 64)
			ok &= p[i] == 0xc0ffee00UL + (uint64_t)depth;
	}
	return ok;
}

/*
 * The child lives: let the writer make its pass over the pages it shares (copying faults,
 * racing the child's own) and wait for it, unless the writer has finished.
 */
static void await_pass(void)
{
	uint32_t want = __atomic_add_fetch(&forks_begun, 1, __ATOMIC_SEQ_CST);
	futex_wake(&forks_begun, 1);
	uint32_t got;
	while ((got = __atomic_load_n(&passes_done, __ATOMIC_SEQ_CST)) < want &&
	       !pg->finished[P_COW])
		futex_wait(&passes_done, got, FUTEX_FOREVER);
}

static int fork_one(int depth, int grandchild)
{
	int st = -1;
	pid_t c = fork();
	if (c == 0) {
		int ok = child_work(depth);
		if (grandchild)
			ok &= fork_one(depth + 1, 0);
		_exit(ok ? 0 : 1);
	}
	if (c < 0)
		return 0;
	if (depth == 0)
		await_pass();
	return waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void forker(void *unused)
{
	(void)unused;
	for (uint64_t n = 0; n < target(P_FORK); n++) {
		if (!fork_one(0, n % GRANDCHILD_EV == 0))
			fail(P_FORK);
		step(P_FORK);
	}
	finish(P_FORK);
	__atomic_add_fetch(&forks_begun, 1, __ATOMIC_SEQ_CST);
	futex_wake(&forks_begun, 1);
}

/*
 * After each fork, rewrite the pages the child shares (copy-on-write faults, racing the
 * child's own) and lose no store. It sleeps on a futex between forks, so it leaves its
 * hart to the others rather than spin.
 */
static void cow_writer(void *unused)
{
	uint32_t seen = 0;
	(void)unused;
	for (uint64_t v = 1; v <= target(P_COW) && !pg->finished[P_FORK]; v++) {
		while (__atomic_load_n(&forks_begun, __ATOMIC_SEQ_CST) == seen)
			futex_wait(&forks_begun, seen, FUTEX_FOREVER);
		seen = forks_begun;
		for (int k = 0; k < COW_PAGES; k++) {
			volatile uint64_t *p = cow_page(k);
			for (int i = 0; i < WORDS; i++)
				p[i] = v;
		}
		for (int k = 0; k < COW_PAGES; k++)
			if (cow_page(k)[WORDS - 1] != v || cow_page(k)[0] != v)
				fail(P_COW);
		step(P_COW);
		__atomic_add_fetch(&passes_done, 1, __ATOMIC_SEQ_CST);
		futex_wake(&passes_done, 1);
	}
	/* The forker may wait for a pass that will not come: change the word and wake it. */
	finish(P_COW);
	__atomic_add_fetch(&passes_done, 1, __ATOMIC_SEQ_CST);
	futex_wake(&passes_done, 1);
}

static void ipc_server(void *unused)
{
	struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
	uint64_t rounds = target(P_IPC);
	(void)unused;
	if (!rounds)
		return;
	if (ipc_recv(ep, &m) != 0)
		fail(P_IPC);
	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t got = m.w[0];
		if (!prot_ok(got))
			fail(P_IPC);
		memset(&m, 0, sizeof(m));
		m.tag = ipc_tag(1, 1, 0, 0);
		m.w[0] = got ^ 0x5a5a;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if ((i + 1 < rounds ? ipc_reply_recv(ep, &m) : ipc_reply(&m)) != 0)
			fail(P_IPC);
	}
}

static void ipc_client(void *unused)
{
	(void)unused;
	for (uint64_t i = 0; i < target(P_IPC); i++) {
		struct ipc_msg m = { .tag = ipc_tag(1, 1, 0, 0) };
		m.w[0] = i * 11;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc_call(ep, &m) != 0 || m.w[0] != ((i * 11) ^ 0x5a5a) || !prot_ok(i))
			fail(P_IPC);
		step(P_IPC);
	}
	finish(P_IPC);
}

/* Unmap a page beside the writer's and map it again: it comes back zeroed, and writable. */
static int remap_one(uint64_t n)
{
	volatile uint64_t *p = cow_page(CHURN_FIRST + (int)(n % CHURN_PAGES));
	if (munmap((void *)p, PAGE) != 0)
		return 0;
	void *q = mmap((void *)p, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != (void *)p || p[n % WORDS] != 0)
		return 0;
	p[n % WORDS] = n + 1;
	return p[n % WORDS] == n + 1;
}

static void churner(void *unused)
{
	(void)unused;
	for (uint64_t n = 0; n < target(P_CHURN); n++) {
		int prot = n % 2 ? PROT_READ | PROT_WRITE : PROT_READ;
		if (mprotect((void *)prot_range, PROT_PAGES * PAGE, prot) != 0 || !remap_one(n))
			fail(P_CHURN);
		step(P_CHURN);
	}
	/* Leave the range writable again, as it started. */
	if (mprotect((void *)prot_range, PROT_PAGES * PAGE, PROT_READ | PROT_WRITE) != 0)
		fail(P_CHURN);
	finish(P_CHURN);
}

static volatile uint64_t short_runs;

static void short_thread(void *arg)
{
	if (!prot_ok((uint64_t)(uintptr_t)arg))
		fail(P_THREADS);
	__atomic_add_fetch(&short_runs, 1, __ATOMIC_SEQ_CST);
}

static void spawner(void *unused)
{
	(void)unused;
	for (uint64_t n = 0; n < target(P_THREADS); n++) {
		thread_t t;
		if (thread_create(&t, short_thread, (void *)(uintptr_t)n) != 0 ||
		    thread_join(t) != 0)
			fail(P_THREADS);
		step(P_THREADS);
	}
	if (short_runs != target(P_THREADS))
		fail(P_THREADS);
	finish(P_THREADS);
}

/* The victim process's page and its toucher's start flag (the process's own memory). */
static volatile uint64_t *victim_page;
static volatile int toucher_started;

static void toucher(void *unused)
{
	(void)unused;
	toucher_started = 1;
	for (uint64_t v = 0;; v++)
		victim_page[v % WORDS] = v;
}

/* A process whose thread stores to a page it then loses: it must die of SIGSEGV. */
static void victim(uint64_t n)
{
	thread_t t;
	victim_page = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (victim_page == MAP_FAILED || thread_create(&t, toucher, 0) != 0)
		_exit(2);
	while (!toucher_started)
		SYSCALL(yield);
	if (n % 2)
		munmap((void *)victim_page, PAGE);
	else
		mprotect((void *)victim_page, PAGE, PROT_READ);
	thread_join(t); /* the toucher never returns: its fault ends the process */
	_exit(3);
}

/* The victims' part, in a child forked while this process had one thread. */
static void victims(void)
{
	for (uint64_t n = 0; n < target(P_VICTIMS); n++) {
		int st = -1;
		pid_t c = fork();
		if (c == 0)
			victim(n);
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
			fail(P_VICTIMS);
		step(P_VICTIMS);
	}
	finish(P_VICTIMS);
	_exit(0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

/* Where each part stands (and when it finished, in ms from t0). */
static void report(uint64_t t0)
{
	for (int p = 0; p < P_COUNT; p++) {
		printf("    %-8s %lu of %lu, %d errors", part_name[p], (unsigned long)pg->done[p],
		       (unsigned long)target(p), pg->errors[p]);
		if (pg->finished[p])
			printf(", finished at %lu ms", (unsigned long)(pg->finished_ms[p] - t0));
		printf("\n");
	}
}

/*
 * Watch until every part has finished: 0, or -1 (after saying which part stalled and
 * where each stood) if one made no progress for STALL_S seconds.
 */
static int watchdog(uint64_t t0)
{
	uint64_t last[P_COUNT] = { 0 }, since[P_COUNT];
	for (int p = 0; p < P_COUNT; p++)
		since[p] = now_ms();
	for (;;) {
		int all = 1;
		for (int p = 0; p < P_COUNT; p++) {
			if (pg->finished[p])
				continue;
			all = 0;
			if (pg->done[p] != last[p]) {
				last[p] = pg->done[p];
				since[p] = now_ms();
			} else if (now_ms() - since[p] > STALL_S * 1000UL) {
				printf("  watchdog: %s made no progress for %d s; where each part "
				       "is:\n",
				       part_name[p], STALL_S);
				report(t0);
				return -1;
			}
		}
		if (all)
			return 0;
		usleep(POLL_MS * 1000);
	}
}

/* Map and fill everything the parts use, so the frame count below already holds it. */
static int setup(void)
{
	pg = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	region = mmap(0, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	prot_range = mmap(0, PROT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (pg == MAP_FAILED || region == MAP_FAILED || prot_range == MAP_FAILED)
		return -1;
	memset((void *)pg, 0, sizeof(*pg));
	for (int i = 0; i < REGION_PAGES; i++)
		cow_page(i)[0] = 0;
	for (int i = 0; i < PROT_PAGES; i++)
		for (int w = 0; w < WORDS; w++)
			prot_range[(uint64_t)i * WORDS + (uint64_t)w] = (uint64_t)i + 1;
	/* Grow the heap to every thread stack first. */
	thread_t t[MAX_WARM];
	for (int i = 0; i < MAX_WARM; i++)
		if (thread_create(&t[i], short_thread, 0) != 0)
			return -1;
	for (int i = 0; i < MAX_WARM; i++)
		thread_join(t[i]);
	short_runs = 0;
	ep = slot_alloc();
	return SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0) == 0 ? 0 : -1;
}

/* Start a part on a thread pinned to hart (modulo the harts running), or on any if < 0. */
static void start(thread_t *t, void (*fn)(void *), int hart)
{
	CHECK_EQ(thread_create(t, fn, 0), 0);
	if (hart >= 0)
		CHECK_EQ(thread_pin(*t, hart), 0);
}

/*
 * The counts to compare against, once the kernel has done its deferred work: a task
 * whose last capability went shortly before is reaped on a later tick (cap_tick, within
 * 10 ticks), which frees its objects and maybe a slab frame after the count was taken.
 */
#define SETTLE_MS 200
static void settled(struct memstat *ms)
{
	struct memstat again;
	usleep(SETTLE_MS * 1000);
	memstat(ms);
	for (int i = 0; i < SETTLE_POLLS; i++) {
		usleep(POLL_MS * 100);
		memstat(&again);
		if (again.free_frames == ms->free_frames &&
		    again.kernel_objects == ms->kernel_objects)
			break;
		*ms = again;
	}
}

static void free_frames_back(const struct memstat *before)
{
	struct memstat after;
	memstat(&after);
	for (int i = 0; i < SETTLE_POLLS && after.free_frames != before->free_frames; i++) {
		usleep(POLL_MS * 100);
		memstat(&after);
	}
	CHECK_EQ(after.free_frames, before->free_frames);
	if (after.free_frames != before->free_frames)
		printf("  kernel objects %lu before, %lu after\n",
		       (unsigned long)before->kernel_objects, (unsigned long)after.kernel_objects);
}

int main(int argc, char **argv)
{
	thread_t t[6];
	struct memstat before;
	int st = -1;
	if (argc > 1 && strcmp(argv[1], "full") == 0)
		scale = SCALE_FULL;
	if (argc > 2) /* a mask of the parts to run, to find which one fails */
		parts = (unsigned)strtoul(argv[2], 0, 0);
	CHECK_EQ(setup(), 0);
	settled(&before);
	uint64_t t0 = now_ms();

	pid_t vic = fork(); /* while this process has one thread: the child may start more */
	if (vic == 0)
		victims();
	CHECK(vic > 0);
	start(&t[0], forker, 0);
	start(&t[1], cow_writer, 1);
	start(&t[2], ipc_server, 3);
	start(&t[3], ipc_client, 2);
	start(&t[4], churner, -1);
	start(&t[5], spawner, -1);
	if (watchdog(t0) != 0) {
		CHECK(!"every part progresses");
		printf("%d passed, %d failed\n", 0, 1);
		return 1; /* the stalled threads cannot be joined: leave them to the exit */
	}
	for (int i = 0; i < 6; i++)
		CHECK_EQ(thread_join(t[i]), 0);
	CHECK(waitpid(vic, &st, 0) == vic && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	uint64_t ops = 0;
	for (int p = 0; p < P_COUNT; p++) {
		ops += pg->done[p];
		CHECK_EQ(pg->errors[p], 0);
	}
	free_frames_back(&before);
	printf("  %d harts, %lu operations in %lu ms:\n", thread_harts(), (unsigned long)ops,
	       (unsigned long)(now_ms() - t0));
	report(t0);
	if (scale == SCALE_FULL)
		printf("%d passed, %d failed\n", !test_status(), test_status());
	return test_status();
}
