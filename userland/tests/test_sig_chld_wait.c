/*
 * SIGCHLD at SIG_DFL is still made when a child ends (POSIX): a parent that blocks it
 * sees it pending (sigpending) and takes it with sigwaitinfo or sigtimedwait, with
 * si_pid, CLD_EXITED and the status; unblocked at SIG_DFL it is ignored.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define WAIT_S 30 /* a SIGCHLD that never comes ends the wait with EAGAIN after this */

int main(void)
{
	sigset_t chld, pend;
	siginfo_t si;
	int st = 0;
	struct timespec wait_long = { WAIT_S, 0 }, none = { 0, 0 };
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &chld, 0), 0);

	pid_t a = fork();
	if (a == 0)
		_exit(3);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigtimedwait(&chld, &si, &wait_long), SIGCHLD);
	CHECK(si.si_signo == SIGCHLD && si.si_pid == a && si.si_code == CLD_EXITED &&
	      si.si_status == 3);
	CHECK_EQ(waitpid(a, &st, 0), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	/* Reaped first: the SIGCHLD made at its end is pending all the same. */
	pid_t b = fork();
	if (b == 0)
		_exit(4);
	CHECK_EQ(waitpid(b, &st, 0), b);
	int seen = 0;
	for (int i = 0; i < 1000 && !seen; i++) { /* it may reach us just after the wait */
		sigpending(&pend);
		seen = sigismember(&pend, SIGCHLD);
		if (!seen)
			usleep(1000);
	}
	CHECK(seen);
	CHECK_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	CHECK_EQ(si.si_pid, b);
	errno = 0;
	CHECK(sigtimedwait(&chld, &si, &none) == -1 && errno == EAGAIN); /* taken */

	/* Unblocked at SIG_DFL: ignored, nothing pending. */
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &chld, 0), 0);
	pid_t c = fork();
	if (c == 0)
		_exit(5);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGCHLD));
	return test_status();
}
