/*
 * mprotect and copy-on-write: making a COW page writable allocates no page (the first
 * mprotect may copy the two page tables fork shared, the level-1 and the level-0 one;
 * later ones allocate nothing),
 * the first write allocates exactly one frame, and the other task sees no change. A page
 * made read-only and then written kills the writer with SIGSEGV. W+X is refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE 4096

static int child_protect_and_write(volatile uint64_t *p)
{
	struct memstat a, b, c;
	memstat(&a);
	if (mprotect((void *)p, PAGE, PROT_READ) ||
	    mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE))
		return 1;
	memstat(&b);
	if (a.free_frames - b.free_frames > 2)
		return 2; /* more than the shared tables' copies (docs/vm-cow.md) */
	if (mprotect((void *)p, PAGE, PROT_READ) ||
	    mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE))
		return 1;
	memstat(&a);
	if (a.free_frames != b.free_frames)
		return 4; /* protect allocated */
	memstat(&b);
	p[0] = 99;
	memstat(&c);
	return b.free_frames - c.free_frames == 1 && p[0] == 99 ? 0 : 3;
}

static void child_ro_write(volatile uint64_t *p)
{
	mprotect((void *)p, PAGE, PROT_READ);
	p[0] = 1; /* must fault */
	_exit(0);
}

int main(void)
{
	volatile uint64_t *p =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st = -1;
	CHECK(p != MAP_FAILED);
	p[0] = 42;
	pid_t c = fork();
	if (c == 0)
		_exit(child_protect_and_write(p));
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(p[0], 42);

	c = fork();
	if (c == 0)
		child_ro_write(p);
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK_EQ(p[0], 42);

	CHECK_FAILS(mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC), EINVAL);
	return test_status();
}
