/*
 * waitid (POSIX): P_PID, P_PGID and P_ALL, siginfo_t's CLD_EXITED/CLD_KILLED and status,
 * WNOHANG with nothing yet (si_pid 0), WNOWAIT leaving the zombie for a later wait, its
 * errors, and the new <sys/wait.h> names. waitpid of a process group (0, -pgid).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static pid_t child_exiting(int code, int stall)
{
	int p[2];
	char c;
	if (stall && pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (stall) { /* until the parent closes its end */
			close(p[1]);
			read(p[0], &c, 1);
		}
		_exit(code);
	}
	if (stall) {
		close(p[0]);
		return pid | (p[1] << 24); /* both in one value: tests stay short */
	}
	return pid;
}

int main(void)
{
	siginfo_t si;
	int st = -1;
	errno = 0;
	CHECK(waitid(P_PID, 1, 0, WEXITED) == -1 && errno == EINVAL);
	CHECK(waitid(P_PID, 1, &si, 0) == -1 && errno == EINVAL);
	CHECK(waitid(P_PID, 0, &si, WEXITED) == -1 && errno == EINVAL);
	CHECK(waitid((idtype_t)7, 0, &si, WEXITED) == -1 && errno == EINVAL);
	CHECK(waitid(P_ALL, 0, &si, WEXITED | 0x40000) == -1 && errno == EINVAL);
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == -1 && errno == ECHILD);

	/* P_PID with WNOWAIT: seen twice, then really reaped by waitpid. */
	pid_t a = child_exiting(7, 0);
	CHECK_EQ(waitid(P_PID, (id_t)a, &si, WEXITED | WNOWAIT), 0);
	CHECK(si.si_pid == a && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
	      si.si_status == 7);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0);
	CHECK_EQ(si.si_pid, a);
	CHECK_EQ(waitpid(a, &st, 0), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);

	/* WNOHANG before the child is done: 0 and si_pid 0; then a blocked WNOWAIT waiter. */
	pid_t both = child_exiting(3, 1);
	pid_t b = both & 0xffffff;
	int wr = both >> 24;
	si.si_pid = 99;
	CHECK_EQ(waitid(P_PID, (id_t)b, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);
	CHECK_EQ(waitid(P_ALL, 0, &si, WSTOPPED | WCONTINUED | WNOHANG), 0); /* it runs */
	close(wr); /* the child goes on and exits */
	CHECK_EQ(waitid(P_PGID, 0, &si, WEXITED | WNOWAIT), 0);
	CHECK(si.si_pid == b && si.si_status == 3);
	CHECK_EQ(waitid(P_PGID, (id_t)getpgrp(), &si, WEXITED), 0); /* reaps it */
	CHECK_EQ(si.si_pid, b);
	CHECK(waitpid(b, &st, WNOHANG) == -1 && errno == ECHILD);

	/* Killed: CLD_KILLED and the signal. */
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(kill(c, SIGTERM), 0);
	CHECK_EQ(waitid(P_PID, (id_t)c, &si, WEXITED), 0);
	CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM && si.si_pid == c);
	CHECK(!WIFCONTINUED(0) && !WCOREDUMP(0));

	/* waitpid by process group: 0 is ours, -g is group g. */
	pid_t d = fork();
	if (d == 0) {
		setpgid(0, 0);
		_exit(4);
	}
	setpgid(d, d);					    /* whichever of us comes first */
	CHECK(waitpid(0, &st, 0) == -1 && errno == ECHILD); /* none left in our group */
	CHECK_EQ(waitpid(-d, &st, 0), d);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	return test_status();
}
