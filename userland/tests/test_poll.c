/*
 * poll, ppoll, select and pselect (docs/userland.md): pipes report POLLIN when bytes are
 * there, POLLOUT while there is room, POLLHUP when the writers are gone and POLLERR when
 * the readers are; a closed descriptor is POLLNVAL (select: EBADF); a file is always
 * ready; a poll that waits is woken by another process's write; a handler ends a wait
 * with EINTR; timeouts of 0 and of some milliseconds end with nothing ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static void on_alarm(int sig)
{
	(void)sig;
}

static void pipes(void)
{
	int p[2];
	char buf[512];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f[3] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { -1, POLLIN, 7 } };
	CHECK_EQ(poll(f, 3, 0), 1); /* only the write end: room */
	CHECK(f[0].revents == 0 && (f[1].revents & POLLOUT) && f[2].revents == 0);
	CHECK_EQ(poll(f, 1, 20), 0); /* nothing comes: the timeout ends it */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(f, 1, -1), 1);
	CHECK(f[0].revents == POLLIN);
	CHECK_EQ(read(p[0], buf, 1), 1);
	/* Full: no POLLOUT. */
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	memset(buf, 'f', sizeof(buf));
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	CHECK_EQ(poll(&f[1], 1, 0), 0);
	while (read(p[0], buf, sizeof(buf)) == sizeof(buf) && poll(&f[1], 1, 0) == 0)
		;
	CHECK(f[1].revents & POLLOUT); /* room again once it drained */
	/* The writer goes: POLLHUP (asked or not) once it is empty. */
	close(p[1]);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	f[0].events = POLLIN;
	CHECK_EQ(poll(f, 1, 0), 1);
	CHECK(f[0].revents & POLLHUP);
	close(p[0]);
	CHECK_EQ(poll(f, 1, 0), 1);
	CHECK_EQ(f[0].revents, POLLNVAL);
	/* The reader goes: POLLERR on the write end. */
	CHECK_EQ(pipe(p), 0);
	close(p[0]);
	f[1].fd = p[1];
	CHECK_EQ(poll(&f[1], 1, 0), 1);
	CHECK(f[1].revents & POLLERR);
	close(p[1]);
}

static void woken_and_interrupted(void)
{
	int p[2], st = -1;
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t = { 0, 30000000 };
		nanosleep(&t, 0);
		_exit(write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	struct pollfd f = { p[0], POLLIN, 0 };
	CHECK_EQ(poll(&f, 1, 5000), 1); /* the child's write, not the timeout */
	CHECK(f.revents & POLLIN);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	/* A handler ends the wait. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, 0);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, 0);
	errno = 0;
	CHECK(poll(&f, 1, -1) == -1 && errno == EINTR);
	close(p[0]);
	close(p[1]);
}

static void files_and_select(void)
{
	int fd = open("/tmp/poll_f", O_RDWR | O_CREAT | O_TRUNC, 0644), p[2];
	struct pollfd f = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&f, 1, 0), 1);
	CHECK_EQ(f.revents, POLLIN | POLLOUT);
	CHECK_EQ(pipe(p), 0);
	fd_set rd, wr;
	struct timeval zero = { 0, 0 };
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(fd, &rd);
	FD_SET(p[1], &wr);
	CHECK_EQ(select(p[1] + 1 > fd + 1 ? p[1] + 1 : fd + 1, &rd, &wr, 0, &zero), 2);
	CHECK(!FD_ISSET(p[0], &rd) && FD_ISSET(fd, &rd) && FD_ISSET(p[1], &wr));
	CHECK_EQ(write(p[1], "s", 1), 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timespec ts = { 1, 0 };
	sigset_t none;
	sigemptyset(&none);
	CHECK_EQ(pselect(p[0] + 1, &rd, 0, 0, &ts, &none), 1);
	CHECK(FD_ISSET(p[0], &rd));
	FD_ZERO(&rd);
	FD_SET(30, &rd); /* not open */
	errno = 0;
	CHECK(select(31, &rd, 0, 0, &zero) == -1 && errno == EBADF);
	CHECK(select(-1, 0, 0, 0, &zero) == -1 && errno == EINVAL);
	struct timeval bad = { 0, 2000000 };
	CHECK(select(1, 0, 0, 0, &bad) == -1 && errno == EINVAL);
	struct timeval some = { 0, 10000 };
	CHECK_EQ(select(0, 0, 0, 0, &some), 0); /* a plain sleep */
	struct pollfd q = { p[0], POLLIN, 0 };
	CHECK_EQ(ppoll(&q, 1, &ts, 0), 1);
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink("/tmp/poll_f");
}

int main(void)
{
	pipes();
	woken_and_interrupted();
	files_and_select();
	return test_status();
}
