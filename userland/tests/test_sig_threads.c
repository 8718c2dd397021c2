/*
 * Signals and threads (POSIX): a stopped process's threads all stop, none moving once
 * the parent's wait has reported the stop, and all go on after SIGCONT; a signal sent to the process goes to a thread that does not block it;
 * while every thread blocks it, it stays pending for the process, and the thread that
 * unblocks it first takes it; one sent to a thread (pthread_kill, raise) stays pending
 * for that thread alone.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define TRIES	 300 /* of TICK_US each: how long a running thread gets to show it */
#define TICK_US	 10000
#define QUIET_US 50000
#define SPINNERS 3 /* the main thread and two more */

static volatile unsigned long *counters; /* shared with the child */

/* Do all the child's spinning threads move their counters (within TRIES ticks)? */
static int all_move(void)
{
	unsigned long was[SPINNERS];
	int moved = 0;
	for (int i = 0; i < SPINNERS; i++)
		was[i] = counters[i];
	for (int t = 0; t < TRIES && moved != (1 << SPINNERS) - 1; t++) {
		for (int i = 0; i < SPINNERS; i++)
			if (counters[i] != was[i])
				moved |= 1 << i;
		usleep(TICK_US);
	}
	return moved == (1 << SPINNERS) - 1;
}

static void *spin(void *arg)
{
	volatile unsigned long *c = arg;
	for (;;)
		(*c)++;
	return 0;
}

static void test_stop_threads(void)
{
	int st = 0;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		for (int i = 1; i < SPINNERS; i++)
			pthread_create(&t, 0, spin, (void *)&counters[i]);
		spin((void *)&counters[0]);
	}
	CHECK(all_move());
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	/* Stopped means stopped: a thread that ran on another hart took its diversion before
	 * the stop was reported (the upcall call waits for that, docs/syscalls.md 40). */
	unsigned long at[SPINNERS];
	for (int i = 0; i < SPINNERS; i++)
		at[i] = counters[i];
	usleep(QUIET_US);
	for (int i = 0; i < SPINNERS; i++)
		CHECK_EQ(counters[i], at[i]);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK(all_move());
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static volatile pthread_t handled_on;
static volatile int handled_count;
static void on_usr1(int sig)
{
	(void)sig;
	handled_on = pthread_self();
	handled_count++;
}

static volatile int worker_go; /* 1: unblock SIGUSR1; 2: end */
static volatile int worker_ready;

static void *worker(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (arg) /* unblocked from the start */
		pthread_sigmask(SIG_UNBLOCK, &s, 0);
	worker_ready = 1;
	while (worker_go == 0)
		usleep(1000);
	if (worker_go == 1)
		pthread_sigmask(SIG_UNBLOCK, &s, 0);
	while (worker_go != 2)
		usleep(1000);
	return 0;
}

static int wait_handled(int count)
{
	for (int t = 0; t < TRIES; t++) {
		if (handled_count >= count)
			return 1;
		usleep(TICK_US);
	}
	return 0;
}

/* Main blocks SIGUSR1, the worker does not: a kill of the process reaches the worker. */
static void test_to_unblocking_thread(void)
{
	sigset_t s, pend;
	pthread_t w;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	worker_ready = worker_go = 0;
	handled_count = 0;
	CHECK_EQ(pthread_create(&w, 0, worker, (void *)1), 0);
	while (!worker_ready)
		usleep(1000);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK(wait_handled(1));
	CHECK(pthread_equal(handled_on, w));
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1));
	worker_go = 2;
	pthread_join(w, 0);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
}

/* Both block it: pending for the process until the worker unblocks it and takes it. */
static void test_pending_until_unblocked(void)
{
	sigset_t s, pend;
	pthread_t w;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	worker_ready = worker_go = 0;
	handled_count = 0;
	CHECK_EQ(pthread_create(&w, 0, worker, 0), 0);
	while (!worker_ready)
		usleep(1000);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	int seen = 0;
	for (int t = 0; t < TRIES && !seen; t++) {
		sigpending(&pend);
		seen = sigismember(&pend, SIGUSR1);
		if (!seen)
			usleep(TICK_US);
	}
	CHECK(seen);
	CHECK_EQ(handled_count, 0);
	worker_go = 1;
	CHECK(wait_handled(1));
	CHECK(pthread_equal(handled_on, w));
	worker_go = 2;
	pthread_join(w, 0);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	CHECK_EQ(handled_count, 1); /* once only */
}

/*
 * pthread_kill to a thread that blocks the signal: pending for that thread alone (POSIX).
 * Its sigpending shows it, ours does not; we unblock it and do not take it, nor can our
 * sigtimedwait; the thread's own unblocking runs the handler there, once. The same for
 * raise on that thread, and sigwait on it takes one sent to it.
 */
static volatile int directed_stage; /* what the directed thread is to do next */
static volatile int directed_seen;  /* its sigpending showed the signal */
static volatile int directed_waited;

/* Up to 20 s: a slow host running many harts on few cores must not fail the test. */
#define STAGE_TRIES 2000

static void await_stage(int stage)
{
	for (int t = 0; t < STAGE_TRIES && directed_stage < stage; t++)
		usleep(TICK_US);
}

static void *directed(void *arg)
{
	(void)arg;
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	directed_stage = 1; /* blocked: send */
	for (int t = 0; t < STAGE_TRIES && !directed_seen; t++) {
		sigpending(&pend);
		directed_seen = sigismember(&pend, SIGUSR1);
		if (!directed_seen)
			usleep(TICK_US);
	}
	directed_stage = 2; /* seen (or not): the main thread checks it cannot take it */
	await_stage(3);
	pthread_sigmask(SIG_UNBLOCK, &s, 0); /* the handler runs here */
	pthread_sigmask(SIG_BLOCK, &s, 0);
	raise(SIGUSR1); /* blocked: pending for this thread */
	sigpending(&pend);
	directed_seen += sigismember(&pend, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	directed_stage = 4; /* now sigwait for one more */
	int got = 0;
	if (sigwait(&s, &got) == 0 && got == SIGUSR1)
		directed_waited = 1;
	return 0;
}

static void test_pending_for_thread(void)
{
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	handled_count = 0;
	handled_on = 0;
	directed_stage = 0;
	pthread_t w;
	CHECK_EQ(pthread_create(&w, 0, directed, 0), 0);
	await_stage(1);
	CHECK_EQ(pthread_kill(w, SIGUSR1), 0);
	await_stage(2);
	CHECK_EQ(directed_seen, 1);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1)); /* not ours */
	struct timespec none = { 0, 0 };
	errno = 0;
	CHECK(sigtimedwait(&s, 0, &none) == -1 && errno == EAGAIN);
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	CHECK_EQ(handled_count, 0); /* unblocking here does not take it */
	directed_stage = 3;
	await_stage(4);
	CHECK_EQ(handled_count, 2); /* the pthread_kill's and the raise's, on w */
	CHECK(pthread_equal(handled_on, w));
	CHECK_EQ(directed_seen, 2);
	CHECK_EQ(pthread_kill(w, SIGUSR1), 0); /* for its sigwait */
	pthread_join(w, 0);
	CHECK_EQ(directed_waited, 1);
	CHECK_EQ(handled_count, 2);
}

int main(void)
{
	counters = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counters != MAP_FAILED);
	if (counters == MAP_FAILED)
		return test_status();
	test_stop_threads();
	signal(SIGUSR1, on_usr1);
	test_to_unblocking_thread();
	test_pending_until_unblocked();
	test_pending_for_thread();
	return test_status();
}
