/*
 * Pipe ends survive exec: a child execs a program (this one, in a role) that writes to
 * or reads from the descriptor it inherited, under the same number. The reader gets the
 * data, then EOF once the last writer (the exec'd image) is gone, and not before: the
 * old image's death at exec closes nothing. Two execs in a row keep the end too, and a
 * program whose start-up edits its environment first keeps its ends and a file.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS 1000000L
#define LATE_MS	  50
#define MSG	  "written after exec"
#define SELF	  "/bin/test_pipe_exec" /* a path to exec: argv[0] is a bare name */

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static int child_ok(pid_t pid)
{
	int status = -1;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static size_t drain(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

/* The roles after exec: argv = self, role, fd. */
static int role(char **argv)
{
	int fd = atoi(argv[2]);
	char buf[64] = { 0 };
	if (strcmp(argv[1], "writer") == 0) {
		nap(LATE_MS); /* the parent is blocked in read by now */
		return write(fd, MSG, strlen(MSG)) == (ssize_t)strlen(MSG) ? 0 : 1;
	}
	if (strcmp(argv[1], "hop") == 0) { /* exec once more, still holding the end */
		char *next[] = { argv[0], "writer", argv[2], 0 };
		execv(argv[0], next);
		return 2;
	}
	if (strcmp(argv[1], "reader") == 0) /* everything, then EOF */
		return drain(fd, buf, sizeof(buf)) == strlen(MSG) && strcmp(buf, MSG) == 0 ? 0 : 1;
	return 3;
}

/* The child execs role with the pipe end fd (the other end closed): its pid. */
static pid_t exec_child(const char *self, const char *what, int keep, int other)
{
	pid_t pid = fork();
	if (pid == 0) {
		char num[12];
		snprintf(num, sizeof(num), "%d", keep);
		char *argv[] = { (char *)self, (char *)what, num, 0 };
		close(other);
		execv(self, argv);
		_exit(99);
	}
	return pid;
}

static void writer_execs(const char *self, const char *role_name)
{
	int fds[2];
	char got[64] = { 0 };
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = exec_child(self, role_name, fds[1], fds[0]);
	CHECK(pid > 0);
	close(fds[1]); /* the exec'd child holds the only write end */
	size_t n = drain(fds[0], got, sizeof(got) - 1);
	CHECK_EQ(n, strlen(MSG)); /* data first: no EOF when the old image died */
	CHECK(strcmp(got, MSG) == 0);
	CHECK_EQ(read(fds[0], got, 1), 0); /* EOF after the exec'd writer exited */
	CHECK(child_ok(pid));
	close(fds[0]);
}

static void reader_execs(const char *self)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = exec_child(self, "reader", fds[0], fds[1]);
	CHECK(pid > 0);
	close(fds[0]);
	nap(LATE_MS); /* the child has exec'd and waits for data */
	CHECK_EQ(write(fds[1], MSG, strlen(MSG)), strlen(MSG));
	close(fds[1]); /* its EOF */
	CHECK(child_ok(pid));
}

/*
 * A program whose own start-up takes something out of its environment before the pipe
 * ends are taken up (echo's signal constructor runs first: an ignored signal is in its
 * environment) keeps both the ends and a file on stdout. The ends' list after the
 * environment used to be missed then, and the file's slot clashed with an end's.
 */
static void ends_and_file(void)
{
	int a[2], b[2], st = -1;
	char got[16] = { 0 };
	CHECK_EQ(pipe(a), 0);
	CHECK_EQ(pipe(b), 0);
	signal(SIGUSR2, SIG_IGN);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/tmp/tpe_out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(2);
		close(fd);
		close(a[1]);
		close(b[0]);
		execl("/bin/echo", "echo", "to-file", (char *)0);
		_exit(3);
	}
	signal(SIGUSR2, SIG_DFL);
	close(a[0]);
	close(b[1]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(get_file("/tmp/tpe_out", got, sizeof(got)), 8);
	CHECK(strcmp(got, "to-file\n") == 0);
	char c;
	CHECK_EQ(read(b[0], &c, 1), 0); /* the image's end went with it: end of file */
	close(a[1]);
	close(b[0]);
	unlink("/tmp/tpe_out");
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return role(argv);
	writer_execs(SELF, "writer");
	writer_execs(SELF, "hop");
	reader_execs(SELF);
	ends_and_file();
	return test_status();
}
