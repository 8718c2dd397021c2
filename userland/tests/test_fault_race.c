/*
 * Threads of one process that fault at once, one per hart: each fault report reaches the
 * fork server's thread on its own hart (docs/process.md, "Several harts"), and the ones
 * served after the first has ended the process must not end it again. The parent sees
 * the process end once: one SIGCHLD, one wait status (SIGSEGV), and nothing more to wait
 * for.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "threads.h"

#define ROUNDS	 30
#define MAXHARTS 8

static volatile sig_atomic_t chld;
static volatile int ready, go;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

/* A store where nothing is mapped (the first page): SIGSEGV. */
static void store_to_nothing(void)
{
	volatile uintptr_t nothing = 8;
	*(volatile int *)nothing = 1;
}

static void pin(int hart)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(hart, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Wait on its hart for the go, then store where nothing is mapped. */
static void fault_on(void *arg)
{
	pin((int)(long)arg);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	store_to_nothing();
}

/* The child: a thread on every other hart, then all fault together. */
static void fault_together(int n)
{
	for (int i = 1; i < n; i++) {
		thread_t t;
		if (thread_create(&t, fault_on, (void *)(long)i) != 0)
			_exit(2);
	}
	pin(0);
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n - 1)
		sched_yield();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	store_to_nothing();
	_exit(3);
}

/* Sleep ms milliseconds of real time, whatever signals cut the sleeps short. */
static void settle(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&left, &left) != 0)
		;
}

int main(void)
{
	int harts = thread_harts(), n = harts < MAXHARTS ? harts : MAXHARTS;
	struct sigaction sa = { .sa_handler = on_chld };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGCHLD, &sa, 0), 0);
	for (int round = 0; round < ROUNDS; round++) {
		chld = 0;
		pid_t pid = fork();
		if (pid == 0)
			fault_together(n);
		CHECK(pid > 0);
		settle(20); /* every report is served before the wait: the zombie waits */
		int st = -1;
		pid_t got;
		while ((got = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
			; /* SIGCHLD came during the wait (a slow end): it is not restarted */
		CHECK_EQ(got, pid);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
		/* SIGCHLD follows the wait's answer when the end came during the wait. */
		for (int ms = 0; ms < 2000 && chld == 0; ms++)
			settle(1);
		settle(5); /* and a second one would come about as soon */
		CHECK_EQ(chld, 1);
		CHECK_FAILS(waitpid(-1, 0, WNOHANG), ECHILD);
	}
	return test_status();
}
