/*
 * A process that dies without closing its pipe ends does not leave them open: its task's
 * death deletes its capabilities to them. A writer that faults (after a fork, so its
 * capabilities are copies of its parent's) gives a blocked reader EOF, not a hang; a writer killed
 * with kill() does too; a reader that faults wakes a writer blocked on a full pipe,
 * whose next write fails with EPIPE.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS  1000000L
#define LATE_MS	   50
#define LONG_MS	   100000
#define FILL_BYTES (64 * 1024) /* more than the ring holds */

static char big[FILL_BYTES];
static volatile uintptr_t nowhere = 0x10; /* nothing is mapped in the first page */

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static void fault(void)
{
	*(volatile int *)nowhere = 1;
}

static int died_of(pid_t pid, int sig)
{
	int status = 0;
	return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void writer_faults(void)
{
	int fds[2];
	char c = 0;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		write(fds[1], "a", 1);
		nap(LATE_MS); /* the parent is blocked in its second read by now */
		fault();
		_exit(0);
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'a');
	CHECK_EQ(read(fds[0], &c, 1), 0); /* woken by the death: EOF */
	CHECK(died_of(pid, SIGSEGV));
	close(fds[0]);
}

static void writer_killed(void)
{
	int fds[2];
	char c = 0;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		nap(LONG_MS); /* holds both ends until killed */
		_exit(0);
	}
	close(fds[1]);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK(died_of(pid, SIGKILL));
	CHECK_EQ(read(fds[0], &c, 1), 0);
	close(fds[0]);
}

static void reader_faults(void)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		nap(LATE_MS); /* the parent is blocked on the full ring by now */
		fault();
		_exit(0);
	}
	close(fds[0]);
	ssize_t n = write(fds[1], big, sizeof(big));
	CHECK(n > 0 && n < (ssize_t)sizeof(big)); /* what fit before the reader died */
	CHECK_FAILS(write(fds[1], big, 1), EPIPE);
	CHECK(died_of(pid, SIGSEGV));
	close(fds[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* the EPIPE checks (test_sigpipe has the signal) */
	writer_faults();
	writer_killed();
	reader_faults();
	return test_status();
}
