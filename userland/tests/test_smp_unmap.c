/*
 * A thread unmaps a page another thread keeps reading (on another hart, with -smp 4).
 * The reader must fault promptly (its process dies of SIGSEGV) and must never see the
 * contents of a reused frame: after the unmap the parent's child fills fresh pages with
 * another pattern, which a stale translation would let the reader see.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testutil.h"

#define PAGE	4096
#define PATTERN 0x600d600d600d600dUL
#define OTHER	0xbadbadbadbadbad0UL
#define REFILL	256

static volatile uint64_t *victim;
static volatile uint64_t *shared; /* [0]: reader started, [1]: reader saw a wrong value */

static void reader(uint64_t unused)
{
	(void)unused;
	shared[0] = 1;
	for (;;)
		if (victim[0] != PATTERN)
			shared[1] = victim[0]; /* only possible through a stale translation */
}

/* The child: start the reader, unmap under it, reuse the memory; it must die. */
static void child(void)
{
	victim = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	victim[0] = PATTERN;
	tu_join_init();
	tu_thread(reader, 0, 1);
	while (!shared[0])
		usleep(100);
	usleep(2000);
	munmap((void *)victim, PAGE);
	for (int i = 0; i < REFILL; i++) {
		volatile uint64_t *p =
			mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			p[0] = OTHER;
	}
	usleep(100000); /* the reader has long faulted by now */
	_exit(0);
}

int main(void)
{
	int st = -1;
	shared = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	pid_t c = fork();
	if (c == 0)
		child();
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK_EQ(shared[1], 0);
	return test_status();
}
