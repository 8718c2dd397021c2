/*
 * A wait() that finds a zombie while signals keep arriving never loses the child's
 * status. The fork server reaps a zombie as it answers the wait with its next receive,
 * on any number of server threads (docs/process.md, "Several harts"): right only because
 * a signal cannot cut short a request the server has received (docs/syscalls.md 40), so
 * the answer cannot miss a caller that lives. Each round a child exits with a known code
 * and the parent waits for it, while a second child sends the parent SIGUSR1 (caught,
 * without SA_RESTART) as fast as it can: a wait that ends in EINTR is made again, and
 * must then return the child with its code, never ECHILD.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define ROUNDS 200

int test_failures;
static volatile int hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

/* waitpid, made again while a signal cuts it short. */
static pid_t wait_through(pid_t c, int *st)
{
	pid_t r;
	while ((r = waitpid(c, st, 0)) == -1 && errno == EINTR)
		;
	return r;
}

int main(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1; /* no SA_RESTART: a wait the handler interrupts fails */
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	volatile int *stop =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(stop != MAP_FAILED);
	if (stop == MAP_FAILED)
		return test_status();
	*stop = 0;
	pid_t me = getpid();
	pid_t sender = fork();
	if (sender == 0) {
		while (!*stop) {
			kill(me, SIGUSR1);
			sched_yield();
		}
		_exit(0);
	}
	CHECK(sender > 0);
	int lost = 0, wrong = 0;
	for (int i = 0; i < ROUNDS; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(i & 0x7f);
		if (c < 0) {
			lost++;
			continue;
		}
		int st = 0;
		pid_t r = wait_through(c, &st);
		lost += r != c;
		wrong += r == c && !(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f));
	}
	*stop = 1;
	int st;
	CHECK_EQ(wait_through(sender, &st), sender);
	CHECK_EQ(lost, 0);
	CHECK_EQ(wrong, 0);
	CHECK(hits > 0); /* the signals did come */
	munmap((void *)stop, 4096);
	return test_status();
}
