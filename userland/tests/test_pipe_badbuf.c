/*
 * A bad buffer in read() or write() on a pipe gives EFAULT, never SIGSEGV, and takes
 * nothing out of the pipe: the bytes are still there for the next good read. A peer that
 * passes a bad buffer, or is killed while blocked inside read() or write(), leaves the
 * pipe working for everyone else (issue 12, defect 1: the old pipes wedged for good).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS  1000000L
#define LATE_MS	   50
#define LONG_MS	   100000
#define FILL_BYTES (64 * 1024) /* more than the ring holds */

static const char rodata[16] = "read-only bytes";
static char big[FILL_BYTES];

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static int exited_with(pid_t pid, int code)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static int killed(pid_t pid)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* In this process: EFAULT, and the bytes stay for a good read. */
static void bad_buffers_here(void)
{
	int p[2];
	char b[16] = { 0 };
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], "abcdefgh", 8), 8);
	CHECK_FAILS(read(p[0], NULL, 8), EFAULT);
	errno = 0;
	CHECK_EQ(read(p[0], (void *)rodata, 8), -1); /* not writable */
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(read(p[0], b, 16), 8);
	CHECK(memcmp(b, "abcdefgh", 8) == 0);
	CHECK_FAILS(write(p[1], NULL, 8), EFAULT);
	CHECK_EQ(write(p[1], "x", 1), 1); /* not wedged */
	CHECK_EQ(read(p[0], b, 16), 1);
	close(p[0]);
	close(p[1]);
}

/* The program: a child reads into NULL; the parent then reads the bytes. */
static void child_bad_read(void)
{
	int p[2];
	char b[16] = { 0 };
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], "abcdefgh", 8), 8);
	pid_t pid = fork();
	if (pid == 0)
		_exit(read(p[0], NULL, 8) == -1 && errno == EFAULT ? 0 : 1);
	CHECK(exited_with(pid, 0));
	CHECK_EQ(read(p[0], b, 16), 8);
	CHECK(memcmp(b, "abcdefgh", 8) == 0);
	pid = fork();
	if (pid == 0)
		_exit(write(p[1], NULL, 8) == -1 && errno == EFAULT ? 0 : 1);
	CHECK(exited_with(pid, 0));
	CHECK_EQ(write(p[1], "ij", 2), 2);
	CHECK_EQ(read(p[0], b, 16), 2);
	close(p[0]);
	close(p[1]);
}

/* A child killed while blocked in read: the pipe still moves bytes, then gives EOF. */
static void killed_in_read(void)
{
	int p[2];
	char b[8] = { 0 };
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		read(p[0], b, 1); /* blocks: nobody writes */
		_exit(1);
	}
	nap(LATE_MS);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK(killed(pid));
	CHECK_EQ(write(p[1], "ok", 2), 2);
	CHECK_EQ(read(p[0], b, 8), 2);
	CHECK(memcmp(b, "ok", 2) == 0);
	close(p[1]);
	CHECK_EQ(read(p[0], b, 8), 0); /* the dead child's write end is gone too */
	close(p[0]);
}

/* A child killed while blocked in write on a full pipe: the rest still works. */
static void killed_in_write(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		write(p[1], big, sizeof(big)); /* fills the ring, then blocks */
		_exit(1);
	}
	nap(LATE_MS);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK(killed(pid));
	size_t drained = 0;
	ssize_t n;
	char last = 0;
	CHECK_EQ(read(p[0], big, 4096), 4096); /* room for one more byte */
	drained = 4096;
	CHECK_EQ(write(p[1], "z", 1), 1); /* after what the child put in */
	close(p[1]);
	while ((n = read(p[0], big, sizeof(big))) > 0) {
		drained += (size_t)n;
		last = big[n - 1];
	}
	CHECK_EQ(n, 0);
	CHECK(drained > 1 && drained < sizeof(big));
	CHECK_EQ(last, 'z');
	close(p[0]);
}

int main(void)
{
	bad_buffers_here();
	child_bad_read();
	killed_in_read();
	killed_in_write();
	return test_status();
}
