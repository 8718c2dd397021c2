/*
 * SIGPIPE both ways (POSIX write()): a write to a pipe with no read end open sends
 * SIGPIPE to the writing thread. By default it ends the process (WTERMSIG is SIGPIPE),
 * also in one that has made other signal calls; ignored or caught (the handler runs
 * once per write), the write fails with EPIPE; blocked, the signal stays pending (and a
 * later raise's sender is its own once that one is discarded). A
 * writer blocked on a full pipe whose last reader goes gets it too. A write that moved
 * some bytes before the reader went returns that count, and no signal for that call.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipe.h"
#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS   1000000L
#define LATE_MS	    50 /* long enough for the writer to block (not asserted) */
#define EXTRA_BYTES 4000

static char big[PIPE_RING + EXTRA_BYTES];
static volatile int hits;

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static void on_pipe(int sig)
{
	if (sig == SIGPIPE)
		hits++;
	errno = 0; /* the write's errno must still be EPIPE */
}

static void catch_pipe(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, 0);
}

/* A pipe whose read end is closed already: the write end. */
static int broken_pipe(void)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	close(p[0]);
	return p[1];
}

/* Run role in a child: its wait() status. */
static int in_child(void (*role)(void))
{
	int st = -1;
	pid_t kid = fork();
	if (kid == 0) {
		role();
		_exit(test_status() ? 1 : 0);
	}
	if (kid < 0 || waitpid(kid, &st, 0) != kid)
		return -1;
	return st;
}

static int died_of_sigpipe(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE;
}

static void write_default(void)
{
	int w = broken_pipe();
	write(w, "x", 1);
	_exit(2); /* not reached: SIGPIPE ended us */
}

/* A process that takes other signals still dies of SIGPIPE left at SIG_DFL. */
static void write_default_registered(void)
{
	signal(SIGUSR1, SIG_IGN);
	write_default();
}

static void write_ignored(void)
{
	int w = broken_pipe();
	signal(SIGPIPE, SIG_IGN);
	CHECK_FAILS(write(w, "x", 1), EPIPE);
}

static void write_caught(void)
{
	int w = broken_pipe();
	catch_pipe();
	CHECK_EQ(write(w, "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(hits, 1);
	CHECK_EQ(write(w, "yz", 2), -1); /* once per write */
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(hits, 2);
}

/* Blocked: the write fails with EPIPE, the signal waits; unblocked, the handler runs. */
static void write_blocked(void)
{
	int w = broken_pipe();
	sigset_t set, pending;
	catch_pipe();
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, 0);
	CHECK_EQ(write(w, "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(hits, 0);
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGPIPE) == 1);
	sigprocmask(SIG_UNBLOCK, &set, 0);
	CHECK_EQ(hits, 1);
}

/*
 * A writer that fills the pipe and then blocks on one more byte; the only reader, a
 * child, ends without reading. With caught set the writer catches SIGPIPE.
 */
/*
 * A blocked SIGPIPE (no sender) discarded by SIG_IGN, then raise of it blocked: the one
 * pending now is raise's, and sigtimedwait says it came from us.
 */
static void sender_after_discard(void)
{
	int w = broken_pipe();
	sigset_t set;
	siginfo_t info;
	struct timespec none = { 0, 0 };
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, 0);
	CHECK_EQ(write(w, "x", 1), -1);
	signal(SIGPIPE, SIG_IGN); /* discards it */
	catch_pipe();
	CHECK_EQ(raise(SIGPIPE), 0);
	CHECK_EQ(sigtimedwait(&set, &info, &none), SIGPIPE);
	CHECK_EQ(info.si_pid, getpid());
}

static int blocked_writer(int caught)
{
	int p[2], st = -1;
	if (pipe(p) != 0)
		return -1;
	pid_t reader = fork();
	if (reader == 0) {
		close(p[1]);
		nap(4 * LATE_MS);
		_exit(0); /* closes the last read end, unread */
	}
	close(p[0]);
	pid_t writer = fork();
	if (writer == 0) {
		if (caught)
			catch_pipe();
		CHECK_EQ(write(p[1], big, PIPE_RING), PIPE_RING); /* exactly full */
		CHECK_EQ(write(p[1], "x", 1), -1);		  /* blocks, then the reader goes */
		CHECK_EQ(errno, EPIPE);
		CHECK_EQ(hits, 1);
		_exit(test_status() ? 1 : 0);
	}
	close(p[1]);
	waitpid(writer, &st, 0);
	int rst = -1;
	CHECK_EQ(waitpid(reader, &rst, 0), reader);
	CHECK(WIFEXITED(rst) && WEXITSTATUS(rst) == 0);
	return st;
}

/* Bytes moved before the reader went: the count, and no signal for that write. */
static void partial_write(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t reader = fork();
	if (reader == 0) {
		close(p[1]);
		nap(4 * LATE_MS);
		_exit(0);
	}
	close(p[0]);
	catch_pipe();
	CHECK_EQ(write(p[1], big, sizeof(big)), PIPE_RING); /* the rest found no reader */
	CHECK_EQ(hits, 0);
	CHECK_EQ(write(p[1], big, 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(hits, 1);
	waitpid(reader, 0, 0);
}

static int exited_ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	memset(big, 'b', sizeof(big));
	CHECK(died_of_sigpipe(in_child(write_default)));
	CHECK(died_of_sigpipe(in_child(write_default_registered)));
	CHECK(exited_ok(in_child(write_ignored)));
	CHECK(exited_ok(in_child(write_caught)));
	CHECK(exited_ok(in_child(write_blocked)));
	CHECK(exited_ok(in_child(sender_after_discard)));
	CHECK(exited_ok(in_child(partial_write)));
	CHECK(exited_ok(blocked_writer(1)));
	CHECK(died_of_sigpipe(blocked_writer(0)));
	return test_status();
}
