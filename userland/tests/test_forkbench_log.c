/*
 * forkbench's log=PATH (docs/benchmark.md, "On a board"): two runs append their @ lines
 * to one file (on a board, /boot/forkbench.log, read later with forkbench_report.py),
 * each with its header, its result and @done, the same lines standard output got. And
 * busy=N: a throughput case runs only the phase with N busy harts (one line, not one per
 * count of harts); an N that is no phase is dropped, and every phase runs.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define LOG "/tmp/forkbench_test.log"

int test_failures;

/* Run forkbench only=name log=LOG [extra] with its output dropped: its exit status. */
static int bench(const char *name, const char *extra)
{
	char only[64] = "only=";
	strncat(only, name, sizeof(only) - 6);
	pid_t c = fork();
	if (c == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		execl("/bin/forkbench", "forkbench", "iters=20", only, "log=" LOG, extra,
		      (char *)0);
		_exit(127);
	}
	int st = -1;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* How many lines of text start with prefix. */
static int lines_with(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : 0)
		n += strncmp(p, prefix, len) == 0;
	return n;
}

/* The log's text into text (size bytes with the NUL), then the log removed: 0 or -1. */
static int take_log(char *text, size_t size)
{
	int fd = open(LOG, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, text, size - 1) : -1;
	text[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	unlink(LOG);
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	static char text[8192];
	unlink(LOG);
	CHECK_EQ(bench("mutex_uncontended", 0), 0);
	CHECK_EQ(bench("signal_self", 0), 0);
	CHECK_EQ(take_log(text, sizeof(text)), 0);
	CHECK_EQ(lines_with(text, "@forkbench v1 "), 2);
	CHECK_EQ(lines_with(text, "@result test=mutex_uncontended "), 1);
	CHECK_EQ(lines_with(text, "@result test=signal_self "), 1);
	CHECK_EQ(lines_with(text, "@done"), 2);
	CHECK_EQ(lines_with(text, "forkbench:"), 0); /* only the @ lines */

	/* busy=1: one phase (iters=20: 10 forks), one line, whatever the number of harts. */
	CHECK_EQ(bench("fork_throughput_procs", "busy=1"), 0);
	CHECK_EQ(take_log(text, sizeof(text)), 0);
	CHECK_EQ(lines_with(text, "@throughput test=fork_throughput_procs "), 1);
	CHECK_EQ(lines_with(text, "@throughput test=fork_throughput_procs harts_busy=1 "), 1);

	/* busy=3 is a phase at no number of harts (1, 2, 4, all): dropped, every phase runs. */
	CHECK_EQ(bench("fork_throughput_procs", "busy=3"), 0);
	CHECK_EQ(take_log(text, sizeof(text)), 0);
	CHECK_EQ(lines_with(text, "@throughput test=fork_throughput_procs harts_busy=1 "), 1);
	CHECK_EQ(lines_with(text, "@throughput test=fork_throughput_procs harts_busy=3 "), 0);
	return test_status();
}
