/*
 * Forks from every hart at once, and a process that ends while its threads fork. With
 * several harts the fork server lets its table lock go while the kernel clones the parent
 * (docs/process.md, "Several harts"): each child is still reported once, to its own
 * parent, with its own status; a child made for a parent that ended meanwhile is killed
 * and leaves nothing behind (the suite's free-frame check); and the ending process is
 * reported with its status.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

#define FORKS	 40 /* per thread, in test_concurrent */
#define MAXHARTS 8
#define ROUNDS	 6 /* processes that end while forking */

struct worker {
	int hart, good;
};

/* Pin the calling thread to hart (no-op on one hart). */
static void pin(int hart)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(hart, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* fork+exit+wait FORKS times; counts the children reported with the status they chose. */
static void *fork_wait(void *arg)
{
	struct worker *w = arg;
	pin(w->hart);
	for (int i = 0; i < FORKS; i++) {
		int code = (i * 8 + w->hart) & 0x7f, st = -1;
		pid_t pid = fork();
		if (pid == 0)
			_exit(code);
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == code)
			w->good++;
	}
	return 0;
}

static void test_concurrent(int harts)
{
	pthread_t t[MAXHARTS];
	struct worker w[MAXHARTS] = { 0 };
	int n = harts < MAXHARTS ? harts : MAXHARTS, made = 0;
	for (int i = 0; i < n; i++) {
		w[i].hart = i;
		made += pthread_create(&t[made], 0, fork_wait, &w[i]) == 0;
	}
	CHECK_EQ(made, n);
	for (int i = 0; i < made; i++)
		CHECK_EQ(pthread_join(t[i], 0), 0);
	for (int i = 0; i < n; i++)
		CHECK_EQ(w[i].good, FORKS);
	CHECK_FAILS(waitpid(-1, 0, WNOHANG), ECHILD); /* nothing left over */
}

/* Fork without waiting until the process ends under it. */
static void *fork_on(void *arg)
{
	pin((int)(long)arg);
	for (int i = 0; i < 200; i++)
		if (fork() == 0)
			_exit(0);
	return 0;
}

static void test_end_while_forking(int harts)
{
	int n = harts < MAXHARTS ? harts : MAXHARTS;
	for (int round = 0; round < ROUNDS; round++) {
		pid_t p = fork();
		if (p == 0) {
			pthread_t t;
			for (int i = 0; i < n; i++)
				pthread_create(&t, 0, fork_on, (void *)(long)i);
			for (int i = 0; i < round * 4; i++)
				sched_yield();
			_exit(7); /* ends every thread, whatever fork it is in */
		}
		int st = -1;
		CHECK_EQ(waitpid(p, &st, 0), p);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	}
	CHECK_FAILS(waitpid(-1, 0, WNOHANG), ECHILD); /* its children went to init */
}

int main(void)
{
	int harts = thread_harts();
	test_concurrent(harts);
	test_end_while_forking(harts);
	return test_status();
}
