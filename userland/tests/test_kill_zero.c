/*
 * kill(pid, 0) only checks that the process exists (POSIX; issue 12: it used to kill
 * the target, which then reported exit 0). An unknown signal number is EINVAL, a
 * process that does not exist ESRCH. A zombie exists until it is waited for: a signal
 * to it, or to a group of zombies only, succeeds and changes nothing.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int main(void)
{
	int go[2], st = -1;
	char c = 0;
	CHECK_EQ(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		read(go[0], &c, 1);
		_exit(7);
	}
	CHECK_EQ(kill(kid, 0), 0);
	CHECK_EQ(kill(1, 0), 0); /* init exists */
	CHECK_FAILS(kill(kid, NSIG), EINVAL);
	CHECK_EQ(write(go[1], "x", 1), 1); /* still alive: it reads this and exits 7 */
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	errno = 0;
	CHECK_EQ(kill(kid, 0), -1); /* reaped: gone */
	CHECK_EQ(errno, ESRCH);
	pid_t self = fork(); /* asks about itself: it must live on to exit 3 */
	if (self == 0)
		_exit(kill(getpid(), 0) == 0 ? 3 : 4);
	CHECK_EQ(waitpid(self, &st, 0), self);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	pid_t z = fork(); /* in a group of its own, and a zombie once it has ended */
	if (z == 0) {
		setpgid(0, 0);
		_exit(5);
	}
	CHECK_EQ(setpgid(z, z) == 0 || errno == EACCES || errno == ESRCH, 1);
	siginfo_t info = { 0 };
	while (waitid(P_PID, (id_t)z, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0)
		usleep(1000); /* until it has ended, without reaping it */
	CHECK_EQ(info.si_pid, z);
	CHECK_EQ(kill(z, SIGTERM), 0);
	CHECK_EQ(kill(-z, SIGKILL), 0);
	CHECK_EQ(waitpid(z, &st, 0), z);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5); /* the signals did nothing */
	errno = 0;
	CHECK_EQ(kill(z, SIGTERM), -1); /* reaped: gone */
	CHECK_EQ(errno, ESRCH);
	close(go[0]);
	close(go[1]);
	return test_status();
}
