/*
 * A process whose threads are running on other harts when it ends gives its memory back
 * before its parent's waitpid returns, with no delay to wait out. Three ways to end,
 * each with spinning threads pinned across the harts:
 * 1. SIGKILL from the parent;
 * 2. _exit from the main thread while the others spin;
 * 3. threads joined (thread_join and pthread_join) before _exit: a join returns once
 *    the thread is gone from the kernel, so the exit finds one thread left.
 * While they spin the threads store into pages the process shares copy-on-write with its
 * parent, so that copies made without the big lock are under way when it ends: their
 * frames must be back by then too.
 * On one hart it passes trivially and still checks the same things.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

#define PAGE	      4096
#define SPINNERS      3
#define OWN	      16 /* pages each spinner dirties: frames only the child holds */
#define ROUNDS	      4
#define WARMUPS	      8
#define COW_PAGES     512 /* pages the parent wrote before the fork: each first store copies */
/*
 * The child holds about 150 frames of its own (dirty pages, stacks, tables); a late
 * teardown shows as all of them missing (or, a round later, as a surplus). A server may
 * still take a frame for good during a round (a new chunk of slots for overlapping
 * requests): that much is allowed.
 */
#define SERVER_GROWTH 2

enum how { KILLED, EXITS, JOINS };

static volatile uint64_t *ready; /* shared with the parent: spinners running */
static volatile int stop;
static char cow[COW_PAGES * PAGE]; /* written by the parent: shared copy-on-write after fork */

static void spin(void *arg)
{
	volatile char *mem = arg, *shared = cow;
	for (int i = 0; i < OWN; i++)
		mem[i * PAGE] = 1;
	__atomic_add_fetch(ready, 1, __ATOMIC_SEQ_CST);
	for (uint64_t n = 0; !stop; n++) {
		mem[(n % OWN) * PAGE] = (char)n;
		shared[(n % COW_PAGES) * PAGE] = (char)n; /* a copy, the first time round */
	}
}

static void *spin_pthread(void *arg)
{
	spin(arg);
	return 0;
}

/* The child: spinners on the other harts, then end as how says. */
static void child(enum how how)
{
	thread_t t[SPINNERS];
	pthread_t pt = 0;
	int n = 0;
	for (; n < SPINNERS; n++) {
		char *mem = mmap(0, OWN * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
		if (mem == MAP_FAILED || thread_create(&t[n], spin, mem) != 0)
			_exit(20);
		thread_pin(t[n], n + 1);
	}
	char *mem = mmap(0, OWN * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || pthread_create(&pt, 0, spin_pthread, mem) != 0)
		_exit(21);
	while (*ready < SPINNERS + 1)
		usleep(1000);
	if (how == KILLED)
		for (;;)
			pause();
	if (how == JOINS) {
		stop = 1;
		for (int i = 0; i < n; i++)
			if (thread_join(t[i]) != 0)
				_exit(22);
		if (pthread_join(pt, 0) != 0)
			_exit(23);
	}
	_exit(7);
}

/* One round: 1 if the child ended as expected and its frames came back at once (a
 * warm-up round does not say so). */
static int round_of(enum how how, int check)
{
	struct memstat before, after;
	int st = -1;
	*ready = 0;
	memstat(&before);
	pid_t pid = fork();
	if (pid == 0)
		child(how);
	if (pid < 0)
		return 0;
	while (*ready < SPINNERS + 1)
		usleep(1000);
	if (how == KILLED)
		CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	memstat(&after); /* no settling: the frames must be back already */
	if (how == KILLED)
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	else
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	long gap = (long)before.free_frames - (long)after.free_frames;
	if (check && (gap < 0 || gap > SERVER_GROWTH))
		printf("  %s: %ld frames not back yet\n", how == KILLED ? "kill" : "exit", gap);
	return gap >= 0 && gap <= SERVER_GROWTH;
}

/*
 * Our stack grows on demand: take its pages now, or a round whose waitpid or usleep goes
 * deeper than any before takes a frame between its two counts.
 */
static void __attribute__((noinline)) own_stack(void)
{
	volatile char deep[8 * PAGE];
	for (size_t i = 0; i < sizeof(deep); i += PAGE / 2)
		deep[i] = 0;
}

int main(void)
{
	ready = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(ready != MAP_FAILED);
	if (ready == MAP_FAILED)
		return test_status();
	/*
	 * Warm-up rounds grow what legitimately stays (the servers' per-hart threads and
	 * tables, our stack and data pages) until a whole cycle gives every frame back.
	 */
	own_stack();
	for (size_t i = 0; i < sizeof(cow); i += PAGE)
		cow[i] = 1; /* ours before the first fork: every child shares them */
	for (int w = 0; w < WARMUPS; w++) {
		struct memstat a, b;
		memstat(&a);
		round_of(KILLED, 0);
		round_of(EXITS, 0);
		round_of(JOINS, 0);
		memstat(&b);
		if (a.free_frames == b.free_frames)
			break;
	}
	for (int r = 0; r < ROUNDS; r++) {
		CHECK(round_of(KILLED, 1));
		CHECK(round_of(EXITS, 1));
		CHECK(round_of(JOINS, 1));
	}
	printf("  %d harts: %d rounds of kill, exit and join with %d spinners\n", thread_harts(),
	       ROUNDS, SPINNERS + 1);
	return test_status();
}
