/*
 * A reader blocked on an empty pipe that takes many signals still reads the byte that
 * comes after them: each signal cuts the kernel's wait short (E_INTR), the handler runs,
 * and with SA_RESTART the read runs again, leaving no stale wait behind.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SIGNALS 12

static volatile int hits;
static int ack_fd = -1; /* the handler's answer: one byte per signal taken */

/*
 * Each signal is answered before the next is sent: two sent while the child waited for
 * a hart (a loaded host, several harts) merged into one pending signal, and the count
 * came out short.
 */
static void on_usr1(int sig)
{
	(void)sig;
	hits++;
	write(ack_fd, "a", 1);
}

int main(void)
{
	int p[2], ready[2], ack[2], st = -1;
	struct timespec pause = { 0, 20 * 1000000L };
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(ack), 0);
	pid_t kid = fork();
	if (kid == 0) {
		struct sigaction sa = { 0 };
		char c = 0;
		sa.sa_handler = on_usr1;
		sa.sa_flags = SA_RESTART;
		ack_fd = ack[1];
		sigaction(SIGUSR1, &sa, 0);
		close(p[1]);
		write(ready[1], "r", 1);
		ssize_t n = read(p[0], &c, 1);
		_exit(n == 1 && c == 'x' && hits == SIGNALS ? 0 : 10 + (int)n);
	}
	char r = 0, a = 0;
	close(p[0]);
	close(ack[1]);
	CHECK_EQ(read(ready[0], &r, 1), 1);
	for (int i = 0; i < SIGNALS; i++) {
		nanosleep(&pause, 0); /* most signals find it blocked in read (not asserted) */
		CHECK_EQ(kill(kid, SIGUSR1), 0);
		CHECK_EQ(read(ack[0], &a, 1), 1);
	}
	nanosleep(&pause, 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[1]);
	close(ready[0]);
	close(ready[1]);
	close(ack[0]);
	return test_status();
}
