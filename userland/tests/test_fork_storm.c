/*
 * Under memory pressure the kernel stays up and nothing leaks:
 * 1. a fork bomb: fork until fork fails cleanly (ENOMEM or EAGAIN); every child waits,
 *    then all are reaped;
 * 2. a COW-fault storm: children sharing a large region each try to write all of it at
 *    once and hold their copies, more than memory holds; those that find no frame die
 *    with SIGKILL, the rest finish; another process keeps working meanwhile.
 * Free frames return to their starting value after each.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE	   4096
#define BOMB_MAX   48 /* the process table holds 64 */
#define STORM_KIDS 4
#define NS_PER_MS  1000000UL

static int bomb(void)
{
	pid_t kids[BOMB_MAX];
	int n = 0, st, err = 0;
	volatile uint64_t *go =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*go = 0;
	for (; n < BOMB_MAX; n++) {
		kids[n] = fork();
		if (kids[n] == 0) {
			while (!*go)
				usleep(1000);
			_exit(7);
		}
		if (kids[n] < 0) {
			err = errno;
			break;
		}
	}
	*go = 1;
	int reaped = 0;
	for (int i = 0; i < n; i++)
		reaped += waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) &&
			  WEXITSTATUS(st) == 7;
	munmap((void *)go, PAGE);
	printf("  fork bomb: %d children, then %s\n", n, n == BOMB_MAX ? "stopped" : "fork failed");
	CHECK(n == BOMB_MAX || err == ENOMEM || err == EAGAIN);
	return reaped == n;
}

/* The storm's shared control words. */
enum { STORM_GO, STORM_WRITTEN, STORM_RELEASE, STORM_WORDS };

/*
 * Write every page, then hold the copies until the parent says so: children that
 * finished early cannot give their frames back to the others, so the storm needs more
 * than memory holds however the children are scheduled.
 */
static void storm_child(char *mem, size_t pages, volatile uint64_t *ctl)
{
	while (!ctl[STORM_GO])
		usleep(1000);
	for (size_t i = 0; i < pages; i++)
		mem[i * PAGE] = 2; /* a copying fault each: too many for memory */
	__atomic_add_fetch(&ctl[STORM_WRITTEN], 1, __ATOMIC_SEQ_CST);
	while (!ctl[STORM_RELEASE])
		usleep(1000);
	_exit(0);
}

/*
 * The parent's own stack is shared copy-on-write with the children too, so its first
 * store to a stack page after the forks needs a frame. Take those frames before the
 * storm starts, or the parent may be the one that finds memory gone.
 */
static void __attribute__((noinline)) own_stack(void)
{
	volatile char deep[4 * PAGE];
	for (size_t i = 0; i < sizeof(deep); i += PAGE / 2)
		deep[i] = 0;
}

/* How one child ended: 1 killed for lack of memory, 2 finished, 0 anything else. */
static int fate(int st)
{
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 2 : 0;
}

/* Reap the killed children while the others hold their copies, then release those. */
static void storm_wait(pid_t *kids, volatile uint64_t *ctl, int *killed, int *finished)
{
	int ended[STORM_KIDS] = { 0 }, dead = 0, st;
	while (dead + (int)ctl[STORM_WRITTEN] < STORM_KIDS) {
		for (int i = 0; i < STORM_KIDS; i++)
			if (!ended[i] && waitpid(kids[i], &st, WNOHANG) == kids[i]) {
				ended[i] = 1 + fate(st);
				dead++;
			}
		usleep(1000);
	}
	ctl[STORM_RELEASE] = 1;
	for (int i = 0; i < STORM_KIDS; i++)
		if (!ended[i] && waitpid(kids[i], &st, 0) == kids[i])
			ended[i] = 1 + fate(st);
	for (int i = 0; i < STORM_KIDS; i++) {
		*killed += ended[i] == 2;
		*finished += ended[i] == 3;
	}
}

static int storm(void)
{
	struct memstat ms;
	memstat(&ms);
	size_t pages = ms.free_frames / 3; /* four writers of a third each cannot all fit */
	char *mem =
		mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t *ctl =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kids[STORM_KIDS];
	int killed = 0, finished = 0, st;
	CHECK(mem != MAP_FAILED && ctl != MAP_FAILED);
	if (mem == MAP_FAILED || ctl == MAP_FAILED)
		return 0;
	for (size_t i = 0; i < pages; i++)
		mem[i * PAGE] = 1;
	for (int w = 0; w < STORM_WORDS; w++)
		ctl[w] = 0;
	for (int i = 0; i < STORM_KIDS; i++) {
		if ((kids[i] = fork()) == 0)
			storm_child(mem, pages, ctl);
		CHECK(kids[i] > 0);
		if (kids[i] < 0)
			return 0;
	}
	own_stack();
	waitpid(-1, &st, WNOHANG); /* the wait and sleep paths' pages too */
	usleep(1000);
	ctl[STORM_GO] = 1;
	storm_wait(kids, ctl, &killed, &finished);
	printf("  COW storm over %lu pages: %d finished, %d killed for lack of memory\n",
	       (unsigned long)pages, finished, killed);
	CHECK(killed >= 1);
	CHECK_EQ(killed + finished, STORM_KIDS);
	CHECK_EQ(mem[(pages - 1) * PAGE], 1); /* the parent's copy is untouched */
	munmap(mem, pages * PAGE);
	munmap((void *)ctl, PAGE);
	return 1;
}

int main(void)
{
	struct memstat before, after;
	/*
	 * A first round grows what legitimately stays (the fork server's slot chunks and
	 * process table); the second must then end exactly where it started.
	 */
	CHECK(bomb());
	CHECK(storm());
	/* Counts that hold still: a task can still be on its way out. (CI's 32 MiB suite once
	 * counted 16 frames more free after than before: a sleep an earlier test left
	 * running, since fixed, ended meanwhile.) */
	memstat_settled(&before);
	CHECK(bomb());
	memstat_settled(&after);
	CHECK_EQ(after.free_frames, before.free_frames);
	CHECK(storm());
	memstat_settled(&after);
	CHECK_EQ(after.free_frames, before.free_frames);
	/* Still able to fork and run after both. */
	int st = -1;
	pid_t p = fork();
	if (p == 0)
		_exit(3);
	CHECK(p > 0 && waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 3);
	return test_status();
}
