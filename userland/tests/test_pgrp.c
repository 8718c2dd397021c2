/*
 * Process groups and sessions (the fork server's PROC_SETPGID, PROC_GETPGID,
 * PROC_SETSID): setsid makes a new session and group, a child inherits them, setpgid
 * moves a child between groups of the session, and every refusal POSIX names comes back:
 * EINVAL, ESRCH (not us or our child, no such process), EPERM (a session leader, another
 * session, a group that does not exist, setsid by a group leader).
 */
#include <errno.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int main(void)
{
	pid_t me = getpid();
	CHECK(getpgrp() > 0);
	CHECK_EQ(getpgid(0), getpgrp());
	CHECK_EQ(setsid(), me);
	CHECK_EQ(getpgrp(), me);
	CHECK_EQ(getsid(0), me);
	CHECK(setsid() == -1 && errno == EPERM); /* a group leader now */
	CHECK(getpgid(999999) == -1 && errno == ESRCH);
	CHECK(setpgid(0, -1) == -1 && errno == EINVAL);
	CHECK(setpgid(1, 0) == -1 && errno == ESRCH); /* init is not our child */
	CHECK(setpgid(0, 0) == -1 && errno == EPERM); /* a session leader cannot move */

	int go[2];
	CHECK_EQ(pipe(go), 0);
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(go[1]);
		read(go[0], &b, 1); /* wait for the parent's checks */
		_exit(0);
	}
	CHECK(c > 0);
	CHECK_EQ(getpgid(c), me); /* inherited */
	CHECK_EQ(getsid(c), me);
	CHECK_EQ(setpgid(c, 0), 0); /* its own group */
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(setpgid(c, me), 0); /* and back */
	CHECK_EQ(getpgid(c), me);
	CHECK(setpgid(c, 424242) == -1 && errno == EPERM); /* no such group here */
	close(go[0]);
	close(go[1]);
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);

	/* A child that makes its own session: the parent can no longer move it. */
	CHECK_EQ(pipe(go), 0);
	c = fork();
	if (c == 0) {
		char b;
		close(go[1]);
		pid_t s = setsid();
		read(go[0], &b, 1);
		_exit(s == getpid() ? 0 : 1);
	}
	for (int i = 0; i < 1000 && getsid(c) != c; i++)
		sched_yield();
	CHECK_EQ(getsid(c), c);
	CHECK_EQ(getpgid(c), c);
	CHECK(setpgid(c, me) == -1 && errno == EPERM);
	close(go[0]);
	close(go[1]);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return test_status();
}
