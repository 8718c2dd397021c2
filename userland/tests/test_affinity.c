/*
 * sched_setaffinity and sched_getaffinity (Linux's) and the CPU_* set macros: the calling
 * thread pinned to each hart in turn runs there (sched_getcpu) and reads its set back;
 * every hart at once unpins it; sets this kernel cannot keep, other processes and bad
 * arguments are refused; a forked child's thread keeps its parent's pin, and so does a
 * new thread of the process (pthread_create).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

/* Every online hart: a set with bits 0..harts-1. */
static void all_harts(cpu_set_t *set, int harts)
{
	CPU_ZERO(set);
	for (int h = 0; h < harts; h++)
		CPU_SET(h, set);
}

static void test_macros(void)
{
	cpu_set_t a, b;
	CPU_ZERO(&a);
	CHECK_EQ(CPU_COUNT(&a), 0);
	CPU_SET(0, &a);
	CPU_SET(70, &a);
	CPU_SET(CPU_SETSIZE, &a); /* out of range: ignored */
	CHECK(CPU_ISSET(70, &a) && CPU_ISSET(0, &a) && !CPU_ISSET(1, &a));
	CHECK_EQ(CPU_COUNT(&a), 2);
	CPU_CLR(70, &a);
	CPU_ZERO(&b);
	CPU_SET(0, &b);
	CHECK(CPU_EQUAL(&a, &b));
}

static void test_pin_each(int harts)
{
	cpu_set_t set, got;
	for (int h = harts - 1; h >= 0; h--) {
		CPU_ZERO(&set);
		CPU_SET(h, &set);
		CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
		CHECK_EQ(sched_getcpu(), h);
		CHECK_EQ(sched_getaffinity(getpid(), sizeof(got), &got), 0);
		CHECK(CPU_EQUAL(&set, &got));
	}
	all_harts(&set, harts);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0); /* any hart again */
	CHECK_EQ(sched_getaffinity(0, sizeof(got), &got), 0);
	CHECK(CPU_EQUAL(&set, &got));
}

static void test_refused(int harts)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CHECK_FAILS(sched_setaffinity(0, sizeof(set), &set), EINVAL); /* no hart */
	CPU_SET(harts, &set);
	CHECK_FAILS(sched_setaffinity(0, sizeof(set), &set), EINVAL); /* none online */
	if (harts >= 3) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		CPU_SET(1, &set);
		CHECK_FAILS(sched_setaffinity(0, sizeof(set), &set), EINVAL); /* two of three */
	}
	CHECK_FAILS(sched_setaffinity(-1, sizeof(set), &set), EINVAL);
	CHECK_FAILS(sched_getaffinity(0, 0, &set), EINVAL);
	CHECK_FAILS(sched_getaffinity(0, sizeof(set), 0), EFAULT);
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	CHECK_FAILS(sched_setaffinity(child, sizeof(set), &set), ESRCH);
	CHECK_EQ(waitpid(child, 0, 0), child);
}

/* A forked child is pinned where its parent was: exit status 0, 1 or 2. */
static int child_pinned(int hart)
{
	cpu_set_t set, want;
	CPU_ZERO(&want);
	CPU_SET(hart, &want);
	if (sched_getaffinity(0, sizeof(set), &set) != 0 || !CPU_EQUAL(&set, &want))
		return 1;
	for (int i = 0; i < 100; i++) { /* the kernel's pin, not only the C library's record */
		if (sched_getcpu() != hart)
			return 2;
		sched_yield();
	}
	return 0;
}

/* Linux's fork keeps the affinity: the child of a pinned thread runs on its hart only. */
static void test_fork(int harts)
{
	cpu_set_t set, all;
	for (int h = harts - 1; h >= 0; h -= harts > 1 ? harts - 1 : 1) {
		CPU_ZERO(&set);
		CPU_SET(h, &set);
		CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
		pid_t child = fork();
		if (child == 0)
			_exit(child_pinned(h));
		int st = -1;
		CHECK_EQ(waitpid(child, &st, 0), child);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), 0);
	}
	all_harts(&all, harts);
	CHECK_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
	pid_t child = fork(); /* unpinned again: so is the child */
	if (child == 0)
		_exit(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_EQUAL(&set, &all) ? 0
											    : 1);
	int st = -1;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void *thread_pinned(void *arg)
{
	return (void *)(long)child_pinned((int)(long)arg);
}

static void *thread_any(void *all)
{
	cpu_set_t set;
	return (void *)(long)(sched_getaffinity(0, sizeof(set), &set) != 0 ||
			      !CPU_EQUAL(&set, (cpu_set_t *)all));
}

/* Linux's new threads keep their creator's affinity mask: the kernel's pin and the set. */
static void test_thread(int harts)
{
	cpu_set_t set, all;
	int h = harts - 1;
	void *got = (void *)-1L;
	pthread_t t;
	CPU_ZERO(&set);
	CPU_SET(h, &set);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	CHECK_EQ(pthread_create(&t, 0, thread_pinned, (void *)(long)h), 0);
	CHECK_EQ(pthread_join(t, &got), 0);
	CHECK_EQ((long)got, 0);
	all_harts(&all, harts);
	CHECK_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
	CHECK_EQ(pthread_create(&t, 0, thread_any, &all), 0); /* unpinned: so is the new one */
	CHECK_EQ(pthread_join(t, &got), 0);
	CHECK_EQ((long)got, 0);
}

int main(void)
{
	int harts = thread_harts();
	test_macros();
	test_pin_each(harts);
	test_refused(harts);
	test_fork(harts);
	test_thread(harts);
	return test_status();
}
