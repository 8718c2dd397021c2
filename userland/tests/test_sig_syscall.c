/*
 * A signal never makes a system call vanish or run twice. A child writes a numbered byte
 * at a time into a pipe (a kernel object: each write is one system call) while its
 * parent, reading the other end, sends it SIGUSR1 after every read. With several harts
 * the child often runs elsewhere when a signal comes, so the kernel leaves it pending and
 * diverts the child at its next trap: when that trap is a write, the handler runs first
 * and the write after it returns (docs/signals.md). Each write must return 1 (or fail
 * with EINTR, then be retried), and the parent must read every byte once, in order.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/abi/pipe.h"
#include "testlib.h"

/* More than a pipe holds (PIPE_RING), so the child blocks and is still there to signal. */
#define BYTES 40000

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* The child: every byte written exactly once; its exit status says how many were not. */
static void writer(int fd)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, 0) != 0)
		_exit(100);
	int bad = 0;
	for (int i = 0; i < BYTES; i++) {
		unsigned char b = (unsigned char)i;
		ssize_t r;
		do
			r = write(fd, &b, 1);
		while (r < 0 && errno == EINTR);
		bad += r != 1;
	}
	_exit(bad > 99 ? 99 : bad);
}

int main(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t c = fork();
	CHECK(c >= 0);
	if (c < 0)
		return test_status();
	if (c == 0) {
		close(p[0]);
		writer(p[1]);
	}
	close(p[1]);
	/* The first byte comes after the child's sigaction: signals are safe from then on. */
	unsigned char buf[64];
	int got = 0, out_of_order = 0, signals = 0;
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n; k++, got++)
			out_of_order += buf[k] != (unsigned char)got;
		if (got < BYTES && kill(c, SIGUSR1) == 0)
			signals++;
	}
	int st = 0;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0); /* every write returned 1 */
	CHECK_EQ(got, BYTES);	      /* none lost, none twice */
	CHECK_EQ(out_of_order, 0);
	_Static_assert(BYTES > 2 * PIPE_RING, "the child must fill the pipe twice");
	CHECK(signals > 0);
	close(p[0]);
	return test_status();
}
