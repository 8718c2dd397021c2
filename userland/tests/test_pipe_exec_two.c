/*
 * exec hands over every pipe, not just the first (issue 12, defect 3). With a = {3, 4}
 * and b = {5, 6}, a child that closes 3 and 6 and execs itself with "4" "5" writes to 4
 * and reads from 5: the parent sends "ping" down b and gets "pong" back up a.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static int echo(int wfd, int rfd)
{
	char buf[8] = { 0 };
	if (read(rfd, buf, sizeof(buf)) != 4 || memcmp(buf, "ping", 4) != 0)
		return 2;
	return write(wfd, "pong", 4) == 4 ? 0 : 3;
}

int main(int argc, char **argv)
{
	int a[2], b[2], st = -1;
	char buf[8] = { 0 };
	if (argc == 3)
		return echo(atoi(argv[1]), atoi(argv[2]));
	CHECK_EQ(pipe(a), 0);
	CHECK_EQ(pipe(b), 0);
	CHECK(a[0] == 3 && a[1] == 4 && b[0] == 5 && b[1] == 6);
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], "4", "5", 0 };
		close(3);
		close(6);
		execv("/bin/test_pipe_exec_two", args); /* a path: argv[0] is a bare name */
		_exit(127);
	}
	close(a[1]);
	close(b[0]);
	CHECK_EQ(write(b[1], "ping", 4), 4);
	CHECK_EQ(read(a[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "pong", 4) == 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(read(a[0], buf, sizeof(buf)), 0); /* the exec'd image's end went at its exit */
	close(a[0]);
	close(b[1]);
	return test_status();
}
