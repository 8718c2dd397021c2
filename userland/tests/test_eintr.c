/*
 * EINTR against SA_RESTART (POSIX 2.4.3 and read(), write(), wait()): a call blocked in
 * a pipe read, a pipe write, a console read or wait() returns -1 with EINTR when a
 * handler without SA_RESTART runs; with SA_RESTART it runs on. Each case is a child
 * that blocks with SIGUSR1 (with or without SA_RESTART) and SIGUSR2 (without) caught.
 * The parent sends SIGUSR1 until the child ends (or a while, with SA_RESTART), then
 * SIGUSR2 until it ends, then SIGKILL: the child checks that its call ended with EINTR
 * and whether SIGUSR2 had come by then (only with SA_RESTART). A pipe read and a wait()
 * blocked in another thread run on through a signal that the first thread handles: POSIX
 * interrupts only the thread that takes it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"
#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS    1000000L
#define STEP_MS	     20	 /* between signals */
#define RESTART_SENT 5	 /* SIGUSR1s a restarting call must live through */
#define PATIENCE     400 /* signals sent before giving up on the child */

enum call { PIPE_READ_CALL, PIPE_WRITE_CALL, CONSOLE_READ_CALL, WAIT_CALL };

static volatile int usr1, usr2;
static char full[PIPE_RING];

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2++;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, 0);
}

/* Block in the call: its result (errno kept). */
static ssize_t blocking_call(enum call c, pid_t *grandchild)
{
	int p[2];
	char b = 0;
	if (c == CONSOLE_READ_CALL)
		return read(STDIN_FILENO, &b, 1); /* nothing is typed during the tests */
	if (c == WAIT_CALL) {
		*grandchild = fork();
		if (*grandchild == 0)
			for (;;)
				pause();
		return waitpid(*grandchild, 0, 0);
	}
	if (pipe(p) != 0)
		return -2;
	if (c == PIPE_READ_CALL)
		return read(p[0], &b, 1); /* empty, and we hold the write end */
	if (write(p[1], full, sizeof(full)) != (ssize_t)sizeof(full))
		return -3;
	return write(p[1], "x", 1); /* full, and we hold the read end */
}

/* The child: 0 if its call ended as POSIX says. */
static int child(enum call c, int restart, int ready)
{
	pid_t grandchild = 0;
	set_handler(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
	set_handler(SIGUSR2, on_usr2, 0);
	write(ready, "r", 1);
	errno = 0;
	ssize_t r = blocking_call(c, &grandchild);
	int err = errno, seen1 = usr1, seen2 = usr2;
	if (grandchild > 0) {
		kill(grandchild, SIGKILL);
		waitpid(grandchild, 0, 0);
	}
	if (r != -1 || err != EINTR)
		return 10;
	if (seen1 == 0)
		return 11;
	if (restart && seen2 == 0)
		return 12; /* SIGUSR1 ended it despite SA_RESTART */
	if (!restart && seen2 != 0)
		return 13; /* SIGUSR1 did not end it */
	return 0;
}

/* Send sig to pid every step, at most n times, until it ends: 1 if it did. */
static int signal_until_gone(pid_t pid, int sig, int n, int *status)
{
	for (int i = 0; i < n; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		kill(pid, sig);
		nap(STEP_MS);
	}
	return waitpid(pid, status, WNOHANG) == pid;
}

/* The child's exit code (-1 if it had to be killed). */
static int run_case(enum call c, int restart)
{
	int ready[2], st = -1;
	char r;
	if (pipe(ready) != 0)
		return -2;
	pid_t kid = fork();
	if (kid == 0)
		_exit(child(c, restart, ready[1]));
	close(ready[1]);
	read(ready[0], &r, 1);
	close(ready[0]);
	nap(STEP_MS);
	if (!signal_until_gone(kid, SIGUSR1, restart ? RESTART_SENT : PATIENCE, &st) &&
	    !signal_until_gone(kid, SIGUSR2, PATIENCE, &st)) {
		kill(kid, SIGKILL);
		waitpid(kid, &st, 0);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* --- another thread's blocked call is not interrupted --- */

static int other_fd = -1;
static pid_t other_child;
static volatile long other_result;
static volatile int other_errno;

static void *other_read(void *arg)
{
	char c = 0;
	(void)arg;
	errno = 0;
	other_result = read(other_fd, &c, 1) == 1 && c == 'x' ? 1 : -1;
	other_errno = errno;
	return 0;
}

static void *other_wait(void *arg)
{
	(void)arg;
	errno = 0;
	other_result = waitpid(other_child, 0, 0) == other_child ? 1 : -1;
	other_errno = errno;
	return 0;
}

/* A child that sends us SIGUSR1 a little later (through the fork server), then ends. */
static pid_t usr1_later(void)
{
	pid_t k = fork();
	if (k == 0) {
		nap(5 * STEP_MS);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	return k;
}

/* Thread t blocks in its call; we take SIGUSR1 in sigsuspend; then release it with go. */
static void other_thread(void *(*t)(void *), int go)
{
	pthread_t th;
	other_result = 0;
	CHECK_EQ(pthread_create(&th, 0, t, 0), 0);
	sigset_t usr1_set, old;
	sigemptyset(&usr1_set);
	sigaddset(&usr1_set, SIGUSR1);
	nap(STEP_MS);
	/* Blocked until sigsuspend: one that comes early is kept, never lost to a hang. */
	sigprocmask(SIG_BLOCK, &usr1_set, &old);
	pid_t k = usr1_later();
	int seen = usr1;
	CHECK(sigsuspend(&old) == -1 && errno == EINTR); /* we are the oldest thread: ours */
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK(usr1 > seen);
	waitpid(k, 0, 0);
	CHECK_EQ(other_result, 0); /* still blocked */
	CHECK_EQ(write(go, "x", 1), 1);
	pthread_join(th, 0);
	CHECK_EQ(other_result, 1);
	CHECK_EQ(other_errno, 0);
}

static void other_threads_run_on(void)
{
	int p[2], q[2];
	set_handler(SIGUSR1, on_usr1, 0);
	CHECK_EQ(pipe(p), 0);
	other_fd = p[0];
	other_thread(other_read, p[1]);
	CHECK_EQ(pipe(q), 0);
	other_child = fork();
	if (other_child == 0) {
		char c;
		_exit(read(q[0], &c, 1) == 1 ? 0 : 1);
	}
	other_thread(other_wait, q[1]);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int main(void)
{
	static const char *names[] = { "pipe read", "pipe write", "console read", "wait" };
	memset(full, 'f', sizeof(full));
	for (int c = PIPE_READ_CALL; c <= WAIT_CALL; c++) {
		for (int restart = 0; restart < 2; restart++) {
			int code = run_case((enum call)c, restart);
			if (code != 0)
				printf("  %s, %s: child ended with %d\n", names[c],
				       restart ? "SA_RESTART" : "no SA_RESTART", code);
			CHECK_EQ(code, 0);
		}
	}
	other_threads_run_on();
	return test_status();
}
