/*
 * Two threads wait for the same child (issue 12, defect 5): one gets its pid and
 * status, the other ECHILD once the child is reaped (POSIX), instead of blocking for
 * ever. Whichever order the waits reach the fork server in, that is the outcome.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"
#include "threads.h"

#define NS_PER_MS 1000000L
#define LATE_MS	  50
#define WAITERS	  2

struct waiter {
	pid_t kid, got;
	int status, err;
};

static void wait_for(void *arg)
{
	struct waiter *w = arg;
	errno = 0;
	w->got = waitpid(w->kid, &w->status, 0);
	w->err = errno;
}

int main(void)
{
	int go[2];
	char c = 0;
	struct waiter w[WAITERS] = { 0 };
	thread_t t[WAITERS];
	CHECK_EQ(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		read(go[0], &c, 1);
		_exit(5);
	}
	for (int i = 0; i < WAITERS; i++) {
		w[i].kid = kid;
		CHECK_EQ(thread_create(&t[i], wait_for, &w[i]), 0);
	}
	SYSCALL(sleep, LATE_MS * NS_PER_MS); /* both are blocked in waitpid by now */
	CHECK_EQ(write(go[1], "x", 1), 1);
	for (int i = 0; i < WAITERS; i++)
		CHECK_EQ(thread_join(t[i]), 0);
	int reaped = (w[0].got == kid) + (w[1].got == kid);
	int refused =
		(w[0].got == -1 && w[0].err == ECHILD) + (w[1].got == -1 && w[1].err == ECHILD);
	CHECK_EQ(reaped, 1);
	CHECK_EQ(refused, 1);
	struct waiter *r = w[0].got == kid ? &w[0] : &w[1];
	CHECK(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 5);
	close(go[0]);
	close(go[1]);
	return test_status();
}
