/*
 * No frame is handed out before the fence that removes its last translation (docs/vm-cow.md,
 * "No frame is free before its fence"). A writer thread on one hart stores a pattern all
 * over a page while its process's main thread, on another, unmaps the page; other
 * processes fork over and over on the next harts, and each child checks the stack page its
 * fork copied for it without the big lock. A frame freed by the unmap before the writer's
 * hart was fenced could be taken for that copy (or for a page table of the child) and then
 * written by the writer through its stale translation: the child finds the pattern, or
 * dies. A window this narrow is not hit every run; with fewer than three harts there is
 * none, and the test says so and passes.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

#define PAGE	    4096
#define WORDS	    (PAGE / 8)
#define ROUNDS	    1000
#define PATTERN	    0x5707e5707e5707e5UL /* what the writer stores */
#define STACKPAT    0x0123456789abcdefUL /* what the forking parent leaves on its stack */
#define CHECKED	    384			 /* words of the forker's stack the child checks */
#define MAX_FORKERS 2

/* Shared by the two processes: [0] stop, [1] forks made, [2] bad children, [3] a bad word. */
static volatile uint64_t *shared;

/* The unmapping process: the page the writer stores to, and its generation. */
static volatile uint64_t *volatile victim;
static volatile uint64_t gen, writing;
static sigjmp_buf writer_jump;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(writer_jump, 1);
}

/* Store the pattern over each new page until its store faults; then wait for the next. */
static void writer(void *unused)
{
	(void)unused;
	volatile uint64_t seen = 0;
	thread_pin_self(1);
	sigsetjmp(writer_jump, 1);
	while (!shared[0]) {
		uint64_t g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
		volatile uint64_t *p = victim;
		if (g == seen || !p)
			continue;
		seen = g;
		__atomic_store_n(&writing, g, __ATOMIC_RELEASE);
		for (;;) /* until the unmap makes it fault: then on_segv jumps back */
			for (unsigned i = 0; i < WORDS; i++)
				p[i] = PATTERN;
	}
}

/* Map, let the writer start storing, unmap under it: ROUNDS times. */
static void unmapper(void)
{
	struct sigaction sa = { 0 };
	thread_t t;
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, 0);
	thread_pin_self(0);
	CHECK(thread_create(&t, writer, 0) == 0);
	for (uint64_t g = 1; g <= ROUNDS; g++) {
		volatile uint64_t *p =
			mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		p[0] = 0; /* a frame of its own */
		victim = p;
		__atomic_store_n(&gen, g, __ATOMIC_RELEASE);
		while (__atomic_load_n(&writing, __ATOMIC_ACQUIRE) != g)
			;
		munmap((void *)p, PAGE);
	}
	shared[0] = 1;
	victim = 0;
	__atomic_store_n(&gen, ROUNDS + 1, __ATOMIC_RELEASE);
	thread_join(t);
	_exit(test_status());
}

/* The child: its copy of the forker's stack must be what the forker left there. */
static void check_stack(volatile uint64_t *words)
{
	for (unsigned i = 0; i < CHECKED; i++)
		if (words[i] != STACKPAT) {
			__atomic_fetch_add(&shared[2], 1, __ATOMIC_SEQ_CST);
			shared[3] = words[i];
			_exit(1);
		}
	_exit(0);
}

/* Fork on hart until the unmapper is done; every child must check out and exit 0. */
static void forker(int hart)
{
	volatile uint64_t words[CHECKED];
	thread_pin_self(hart);
	for (unsigned i = 0; i < CHECKED; i++)
		words[i] = STACKPAT;
	while (!shared[0]) {
		int st = -1;
		pid_t c = fork();
		if (c == 0)
			check_stack(words);
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			__atomic_fetch_add(&shared[2], 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&shared[1], 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

int main(void)
{
	int st = -1;
	shared = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	if (thread_harts() < 3) {
		printf("test_smp_unmap_reuse: %d hart(s), nothing to race\n", thread_harts());
		return test_status();
	}
	/* A forker on each hart from 2 up to 3: more forks, more chances to take the frame. */
	int forkers = thread_harts() < MAX_FORKERS + 2 ? thread_harts() - 2 : MAX_FORKERS;
	pid_t f[MAX_FORKERS];
	for (int i = 0; i < forkers; i++)
		if ((f[i] = fork()) == 0)
			forker(2 + i);
	pid_t u = fork();
	if (u == 0)
		unmapper();
	CHECK(waitpid(u, &st, 0) == u && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	shared[0] = 1;
	for (int i = 0; i < forkers; i++)
		CHECK(waitpid(f[i], &st, 0) == f[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(shared[2], 0);
	CHECK_EQ(shared[3], 0);
	printf("test_smp_unmap_reuse: %lu forks during %d unmaps\n", (unsigned long)shared[1],
	       ROUNDS);
	return test_status();
}
