/* Exit statuses, WNOHANG, ECHILD, reparenting to init and getppid. */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define NS_PER_MS 1000000UL

static void sleep_ms(unsigned ms)
{
	usleep(ms * 1000);
}

/* The middle process forks a grandchild and exits at once; the grandchild reports its new parent. */
static void middle(int fd_status_page)
{
	(void)fd_status_page;
	pid_t g = fork();
	if (g == 0) {
		sleep_ms(50);
		_exit(getppid() == 1 ? 0 : 1);
	}
	_exit(g > 0 ? 0 : 2);
}

int main(void)
{
	int st = -1;
	pid_t me = getpid();
	CHECK(me > 1);
	pid_t c = fork();
	if (c == 0)
		_exit(getppid() == me ? 37 : 1);
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 37);

	c = fork();
	if (c == 0) {
		sleep_ms(30);
		_exit(5);
	}
	CHECK_EQ(waitpid(c, &st, WNOHANG), 0);
	CHECK_EQ(wait(&st), c);
	CHECK_EQ(WEXITSTATUS(st), 5);

	CHECK_FAILS(wait(&st), ECHILD);

	c = fork();
	if (c == 0)
		middle(0);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	sleep_ms(150); /* the orphan finishes; init reaps it */
	errno = 0;
	CHECK_EQ(waitpid(-1, &st, WNOHANG), -1); /* it is not our child any more */
	CHECK_EQ(errno, ECHILD);
	return test_status();
}
