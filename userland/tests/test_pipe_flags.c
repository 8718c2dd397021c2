/*
 * A pipe end's O_NONBLOCK belongs to its open file description (POSIX fcntl F_SETFL):
 * descriptors that share the description (dup, fork, exec) see one flag, and a separate
 * open of the same FIFO has a flag of its own. docs/files.md, "Pipes and FIFOs".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define FIFO_PATH "/tmp/tpf_fifo"

static int is_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK) != 0;
}

/* A child's fcntl reaches the parent's descriptor, and the parent's read stops waiting. */
static void shared_across_fork(void)
{
	int p[2];
	char c;
	CHECK_EQ(pipe(p), 0);
	pid_t kid = fork();
	if (kid == 0)
		_exit(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 ? 0 : 1);
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(is_nonblock(p[0]));
	CHECK_FAILS(read(p[0], &c, 1), EAGAIN); /* the write end is open: it would wait */
	CHECK(!is_nonblock(p[1]));		/* the other end is another description */
	/* dup shares it too, and clearing it through one clears it for both */
	int d = dup(p[0]);
	CHECK(d >= 0);
	CHECK(is_nonblock(d));
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
	CHECK(!is_nonblock(d));
	close(d);
	close(p[0]);
	close(p[1]);
}

/* The exec'd image's side: descriptor fd is non-blocking and an empty read says so. */
static int exec_side(int fd)
{
	char c;
	if (!is_nonblock(fd))
		return 10;
	if (read(fd, &c, 1) != -1 || errno != EAGAIN)
		return 11;
	return 0;
}

static void kept_across_exec(void)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	pid_t kid = fork();
	if (kid == 0) {
		char arg[16];
		snprintf(arg, sizeof(arg), "%d", p[0]);
		execl("/bin/test_pipe_flags", "test_pipe_flags", "exec_side", arg, (char *)0);
		_exit(3);
	}
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (WIFEXITED(st) && WEXITSTATUS(st))
		printf("  the exec'd image exited %d\n", WEXITSTATUS(st));
	close(p[0]);
	close(p[1]);
}

/* Two opens of one FIFO are two descriptions: one's O_NONBLOCK is not the other's. */
static void fifo_opens_apart(void)
{
	char c;
	unlink(FIFO_PATH);
	CHECK_EQ(mkfifo(FIFO_PATH, 0644), 0);
	int r1 = open(FIFO_PATH, O_RDONLY | O_NONBLOCK); /* no writer: does not wait */
	int w = open(FIFO_PATH, O_WRONLY);		 /* a reader is there */
	int r2 = open(FIFO_PATH, O_RDONLY);		 /* a writer is there */
	CHECK(r1 >= 0 && w >= 0 && r2 >= 0);
	CHECK(is_nonblock(r1));
	CHECK(!is_nonblock(r2));
	CHECK(!is_nonblock(w));
	CHECK_FAILS(read(r1, &c, 1), EAGAIN);
	/* a forked child's change to r2 is the parent's too (one description) */
	pid_t kid = fork();
	if (kid == 0)
		_exit(fcntl(r2, F_SETFL, O_NONBLOCK) == 0 ? 0 : 1);
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(is_nonblock(r2));
	CHECK_FAILS(read(r2, &c, 1), EAGAIN);
	CHECK_EQ(fcntl(r1, F_SETFL, 0), 0); /* r1's own: r2 keeps its flag */
	CHECK(is_nonblock(r2));
	CHECK_EQ(write(w, "z", 1), 1);
	CHECK_EQ(read(r1, &c, 1), 1); /* the bytes are the FIFO's, whichever end reads */
	CHECK_EQ(c, 'z');
	close(r1);
	close(r2);
	close(w);
	unlink(FIFO_PATH);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "exec_side") == 0)
		return exec_side(atoi(argv[2]));
	shared_across_fork();
	kept_across_exec();
	fifo_opens_apart();
	return test_status();
}
