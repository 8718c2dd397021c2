/*
 * ppoll and pselect apply their signal mask and wait as one step (POSIX): a signal
 * blocked before the call, pending, and unblocked by the call's mask ends the call with
 * EINTR at once (its handler runs), instead of being delivered between the mask change
 * and the wait and leaving the call to wait out its timeout. The caller's mask is back
 * afterwards. Also: a signal sent while they wait ends them too.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define LONG_S 30 /* a wait the signal must cut short */

static volatile int handled;
static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* Block SIGUSR1 and make it pending. */
static void pend_usr1(sigset_t *blocked)
{
	sigemptyset(blocked);
	sigaddset(blocked, SIGUSR1);
	sigprocmask(SIG_BLOCK, blocked, 0);
	raise(SIGUSR1);
	sigset_t p;
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1));
}

static void check_mask_back(void)
{
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	CHECK(sigismember(&now, SIGUSR1));
}

int main(void)
{
	int p[2];
	sigset_t blocked, empty;
	struct timespec long_wait = { LONG_S, 0 };
	signal(SIGUSR1, on_usr1);
	sigemptyset(&empty);
	CHECK_EQ(pipe(p), 0); /* never written: never readable */

	pend_usr1(&blocked);
	handled = 0;
	struct pollfd fd = { .fd = p[0], .events = POLLIN };
	errno = 0;
	time_t t0 = time(0);
	CHECK(ppoll(&fd, 1, &long_wait, &empty) == -1 && errno == EINTR);
	CHECK(time(0) - t0 < LONG_S);
	CHECK_EQ(handled, 1);
	check_mask_back();

	pend_usr1(&blocked);
	handled = 0;
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	errno = 0;
	CHECK(pselect(p[0] + 1, &rd, 0, 0, &long_wait, &empty) == -1 && errno == EINTR);
	CHECK_EQ(handled, 1);
	check_mask_back();

	/* Sent by a child while we wait in ppoll with SIGUSR1 unblocked only there. */
	handled = 0;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	errno = 0;
	CHECK(ppoll(&fd, 1, &long_wait, &empty) == -1 && errno == EINTR);
	CHECK_EQ(handled, 1);
	check_mask_back();
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);

	/* Still blocked outside: a pending one stays pending after a ppoll without a mask. */
	raise(SIGUSR1);
	struct timespec none = { 0, 0 };
	handled = 0;
	CHECK_EQ(ppoll(&fd, 1, &none, 0), 0);
	CHECK_EQ(handled, 0);
	sigprocmask(SIG_UNBLOCK, &blocked, 0);
	CHECK_EQ(handled, 1);
	return test_status();
}
