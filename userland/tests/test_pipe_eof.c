/*
 * Pipe ends across fork: EOF comes only after the last writer closes (a child and a
 * grandchild both write); a reader blocked on an empty pipe wakes at EOF; a writer with
 * no reader gets EPIPE, also when it was blocked on a full pipe; data read into a
 * copy-on-write buffer in the child leaves the parent's copy untouched; and descriptors
 * that are not open, or the wrong end, give EBADF.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS    1000000L
#define COW_BYTES    8192
#define LATE_MS	     50
#define FILL_BYTES   (64 * 1024) /* more than the ring holds */
#define FIRST_PIPEFD 3

static char cow_buf[COW_BYTES];
static char big[FILL_BYTES];

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static int child_ok(pid_t pid)
{
	int status = -1;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Read everything until EOF into buf: the count. */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

/* The child writes 'c' at once, the grandchild 'g' later: EOF only after both. */
static void eof_after_last_writer(void)
{
	int fds[2];
	char got[8] = { 0 };
	CHECK_EQ(pipe(fds), 0);
	CHECK(fds[0] >= FIRST_PIPEFD && fds[1] >= FIRST_PIPEFD);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (fork() == 0) {
			nap(LATE_MS); /* the child has exited by now */
			_exit(write(fds[1], "g", 1) == 1 ? 0 : 1);
		}
		_exit(write(fds[1], "c", 1) == 1 ? 0 : 1);
	}
	close(fds[1]);
	CHECK(child_ok(pid));
	size_t n = drain(fds[0], got, sizeof(got));
	CHECK_EQ(n, 2);
	CHECK(memchr(got, 'c', n) && memchr(got, 'g', n));
	CHECK_EQ(read(fds[0], got, 1), 0); /* still EOF */
	close(fds[0]);
}

/* The parent keeps a write end while the child exits: no EOF until the parent closes. */
static void eof_with_parent_copy(void)
{
	int fds[2];
	char got[8] = { 0 };
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(write(fds[1], "x", 1) == 1 ? 0 : 1); /* _exit closes both ends */
	CHECK(child_ok(pid));
	CHECK_EQ(read(fds[0], got, sizeof(got)), 1);
	CHECK_EQ(got[0], 'x');
	pid = fork();
	if (pid == 0) {
		nap(LATE_MS); /* the parent is blocked in read by now */
		_exit(write(fds[1], "y", 1) == 1 ? 0 : 1);
	}
	CHECK_EQ(read(fds[0], got, sizeof(got)), 1); /* blocked, woken by the child */
	CHECK_EQ(got[0], 'y');
	CHECK(child_ok(pid));
	close(fds[1]);
	CHECK_EQ(read(fds[0], got, sizeof(got)), 0);
	close(fds[0]);
}

/* The child reads into a buffer it shares copy-on-write with the parent. */
static void cow_buffer(void)
{
	int fds[2];
	memset(cow_buf, 'P', sizeof(cow_buf));
	memset(big, 'C', sizeof(cow_buf));
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		size_t n = drain(fds[0], cow_buf, sizeof(cow_buf));
		int ok = n == sizeof(cow_buf) && cow_buf[0] == 'C' && cow_buf[COW_BYTES - 1] == 'C';
		_exit(ok ? 0 : 1);
	}
	close(fds[0]);
	CHECK_EQ(write(fds[1], big, sizeof(cow_buf)), sizeof(cow_buf));
	close(fds[1]);
	CHECK(child_ok(pid));
	for (size_t i = 0; i < sizeof(cow_buf); i++)
		if (cow_buf[i] != 'P') {
			CHECK(cow_buf[i] == 'P');
			break;
		}
}

static void epipe(void)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	close(fds[0]);
	CHECK_FAILS(write(fds[1], "z", 1), EPIPE);
	close(fds[1]);
}

/* A writer blocked on a full pipe wakes when the last reader goes. */
static void epipe_while_blocked(void)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		nap(LATE_MS);
		_exit(0); /* closes the last read end, unread */
	}
	close(fds[0]);
	ssize_t n = write(fds[1], big, sizeof(big));
	CHECK(n > 0 && n < (ssize_t)sizeof(big)); /* what fit before the reader went */
	CHECK_FAILS(write(fds[1], big, 1), EPIPE);
	CHECK(child_ok(pid));
	close(fds[1]);
}

static void bad_fds(void)
{
	int fds[2];
	char c;
	CHECK_EQ(pipe(fds), 0);
	CHECK_FAILS(read(fds[1], &c, 1), EBADF);
	CHECK_EQ(write(fds[0], &c, 1), -1);
	CHECK_EQ(close(fds[0]), 0);
	CHECK_EQ(close(fds[0]), -1);
	CHECK_EQ(close(fds[1]), 0);
	CHECK_EQ(read(99, &c, 1), -1);
	CHECK_EQ(write(-1, &c, 1), -1);
	CHECK_EQ(write(STDOUT_FILENO, "", 0), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* the EPIPE checks (test_sigpipe has the signal) */
	eof_after_last_writer();
	eof_with_parent_copy();
	cow_buffer();
	epipe();
	epipe_while_blocked();
	bad_fds();
	return test_status();
}
