/*
 * The I/O calls POSIX names as cancellation points act on a deferred cancel: a thread
 * blocked in read of an empty pipe, write to a full one, poll and select with no
 * timeout, fcntl(F_SETLKW) behind another process's lock, pause, sigsuspend, sigwait,
 * sigtimedwait or waitpid for a child that lives on is cut short by
 * pthread_cancel, runs its cleanup handler, and its joiner sees PTHREAD_CANCELED. With
 * cancellation disabled the same read runs to its end. close acts only after the
 * descriptor is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define SETTLE_US 30000 /* long enough for the target to block */

static int pipe_fds[2], lock_fd = -1;
static volatile int reached, cleaned;

static void cleanup(void *arg)
{
	(void)arg;
	cleaned++;
}

static void *do_read(void *arg)
{
	char c;
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	read(pipe_fds[0], &c, 1);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_write(void *arg)
{
	static char block[4096];
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	for (;;) /* fills the pipe, then blocks */
		write(pipe_fds[1], block, sizeof(block));
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_poll(void *arg)
{
	struct pollfd p = { pipe_fds[0], POLLIN, 0 };
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	poll(&p, 1, -1);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_select(void *arg)
{
	fd_set rd;
	(void)arg;
	FD_ZERO(&rd);
	FD_SET(pipe_fds[0], &rd);
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	select(pipe_fds[0] + 1, &rd, 0, 0, 0);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_lock(void *arg)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	fcntl(lock_fd, F_SETLKW, &fl);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_pause(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	pause();
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_sigsuspend(void *arg)
{
	sigset_t none;
	(void)arg;
	sigemptyset(&none);
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	sigsuspend(&none);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_sigwait(void *arg)
{
	sigset_t usr2;
	int sig = 0;
	(void)arg;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	sigwait(&usr2, &sig);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *do_sigtimedwait(void *arg)
{
	sigset_t usr2;
	struct timespec long_time = { 100, 0 };
	(void)arg;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	sigtimedwait(&usr2, 0, &long_time);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static pid_t sleeper;

static void *do_waitpid(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, 0);
	reached = 1;
	waitpid(sleeper, 0, 0);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *read_disabled(void *arg)
{
	char c = 0;
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, 0);
	reached = 1;
	ssize_t n = read(pipe_fds[0], &c, 1); /* the cancel must not cut this */
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, 0);
	return (void *)(long)(n == 1 && c == 'x' ? 2 : 3);
}

static void *close_then_act(void *arg)
{
	(void)arg;
	while (!reached) /* wait for the cancel without reaching a point */
		sched_yield();
	close(pipe_fds[0]);
	return (void *)1;
}

/* Start fn, let it block, cancel it: its joiner sees PTHREAD_CANCELED after cleanup. */
static void cancel_blocked(void *(*fn)(void *))
{
	pthread_t t;
	void *ret = 0;
	reached = 0;
	cleaned = 0;
	CHECK_EQ(pipe(pipe_fds), 0);
	CHECK_EQ(pthread_create(&t, 0, fn, 0), 0);
	while (!reached)
		usleep(1000);
	usleep(SETTLE_US);
	CHECK_EQ(pthread_cancel(t), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == PTHREAD_CANCELED);
	CHECK_EQ(cleaned, 1);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/* A child holds a lock on byte 0 of a file until we are done. */
static pid_t hold_lock(const char *path, int *done)
{
	int ready[2];
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(done), 0);
	pid_t kid = fork();
	if (kid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1 };
		int fd = open(path, O_RDWR);
		char c;
		_exit(fd < 0 || fcntl(fd, F_SETLK, &fl) != 0 || write(ready[1], "r", 1) != 1 ||
				      read(done[0], &c, 1) < 0
			      ? 1
			      : 0);
	}
	char c = 0;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return kid;
}

static void cancel_lock_wait(void)
{
	const char *path = "/tmp/cancel_io_lock";
	int done[2], st = -1;
	lock_fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(lock_fd >= 0);
	pid_t kid = hold_lock(path, done);
	cancel_blocked(do_lock);
	CHECK_EQ(write(done[1], "d", 1), 1);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(done[0]);
	close(done[1]);
	close(lock_fd);
	unlink(path);
}

static void disabled_runs_on(void)
{
	pthread_t t;
	void *ret = 0;
	reached = 0;
	CHECK_EQ(pipe(pipe_fds), 0);
	CHECK_EQ(pthread_create(&t, 0, read_disabled, 0), 0);
	while (!reached)
		usleep(1000);
	usleep(SETTLE_US);
	CHECK_EQ(pthread_cancel(t), 0);
	usleep(SETTLE_US);
	CHECK_EQ(write(pipe_fds[1], "x", 1), 1);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == (void *)2); /* read got its byte; enabling alone is not a point */
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static void close_acts_after(void)
{
	pthread_t t;
	void *ret = 0;
	reached = 0;
	CHECK_EQ(pipe(pipe_fds), 0);
	CHECK_EQ(pthread_create(&t, 0, close_then_act, 0), 0);
	CHECK_EQ(pthread_cancel(t), 0);
	reached = 1;
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == PTHREAD_CANCELED);
	errno = 0;
	CHECK(fcntl(pipe_fds[0], F_GETFD) == -1 && errno == EBADF); /* closed before it acted */
	close(pipe_fds[1]);
}

int main(void)
{
	alarm(60); /* a cancel that never acts fails the test instead of hanging it */
	cancel_blocked(do_read);
	cancel_blocked(do_write);
	cancel_blocked(do_poll);
	cancel_blocked(do_select);
	cancel_lock_wait();
	cancel_blocked(do_pause);
	cancel_blocked(do_sigsuspend);
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, 0); /* for the sigwaits; new threads inherit it */
	cancel_blocked(do_sigwait);
	cancel_blocked(do_sigtimedwait);
	sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	cancel_blocked(do_waitpid);
	int st = -1;
	CHECK_EQ(kill(sleeper, SIGKILL), 0); /* the wait the cancel cut left it waitable */
	CHECK_EQ(waitpid(sleeper, &st, 0), sleeper);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	disabled_runs_on();
	close_acts_after();
	return test_status();
}
