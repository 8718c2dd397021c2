/*
 * POSIX calls a ported program expects that the library lacked (they did not link):
 * syslog and the rest of <syslog.h> (XSI), seen through LOG_PERROR on a pipe: the
 * "ident[pid]: " prefix, "%m" as the errno the call began with (which it keeps), "%%m"
 * left alone, setlogmask's levels, one newline; fexecve of /bin/true, of a "#!" script,
 * and its errors (EBADF, EACCES for a pipe and for a file with no execute bit); ctermid;
 * psiginfo's message.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "testlib.h"

#define SCRIPT	   "/tmp/tpg_script"
#define PLAIN	   "/tmp/tpg_plain"
#define SCRIPT_RET 5 /* what SCRIPT exits with */

extern char **environ;

static int saved_err = -1, pipe_fds[2];

/* Standard error into a pipe, until captured() gives back what came. */
static void capture(void)
{
	CHECK_EQ(pipe(pipe_fds), 0);
	saved_err = dup(STDERR_FILENO);
	CHECK_EQ(dup2(pipe_fds[1], STDERR_FILENO), STDERR_FILENO);
	close(pipe_fds[1]);
}

static const char *captured(void)
{
	static char buf[512];
	CHECK_EQ(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
	close(saved_err);
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(pipe_fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(pipe_fds[0]);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void logging(void)
{
	char want[256];
	capture();
	openlog("tpg", LOG_PID | LOG_PERROR, LOG_USER);
	errno = ENOENT;
	syslog(LOG_ERR, "open %s: %m (100%%, %%m)", "x");
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(setlogmask(LOG_UPTO(LOG_WARNING)), LOG_UPTO(LOG_DEBUG));
	syslog(LOG_DEBUG, "hidden");
	syslog(LOG_WARNING | LOG_DAEMON, "shown");
	CHECK_EQ(setlogmask(0), LOG_UPTO(LOG_WARNING));
	setlogmask(LOG_UPTO(LOG_DEBUG));
	closelog();
	openlog(0, LOG_PERROR, 0);
	syslog(LOG_INFO, "plain\n");
	closelog();
	snprintf(want, sizeof(want), "tpg[%d]: open x: %s (100%%, %%m)\ntpg[%d]: shown\nplain\n",
		 (int)getpid(), strerror(ENOENT), (int)getpid());
	const char *got = captured();
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("  got [%s]\n  want [%s]\n", got, want);
}

/* fexecve(fd) in a child: its exit status, or 100 + errno when fexecve returns. */
static int fexec_status(int fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "prog", 0 };
		fexecve(fd, argv, environ);
		_exit(100 + errno);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void fexec(void)
{
	int fd = open("/bin/true", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(fexec_status(fd), 0);
	close(fd);
	put_file(SCRIPT, "#!/bin/sh\nexit 5\n");
	CHECK_EQ(chmod(SCRIPT, 0755), 0);
	fd = open(SCRIPT, O_RDONLY);
	CHECK_EQ(fexec_status(fd), SCRIPT_RET);
	close(fd);
	put_file(PLAIN, "#!/bin/sh\nexit 5\n");
	CHECK_EQ(chmod(PLAIN, 0644), 0);
	fd = open(PLAIN, O_RDONLY);
	CHECK_EQ(fexec_status(fd), 100 + EACCES);
	close(fd);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fexec_status(p[0]), 100 + EACCES);
	close(p[0]);
	close(p[1]);
	char *argv[] = { "prog", 0 };
	CHECK_FAILS(fexecve(-1, argv, environ), EBADF);
	unlink(SCRIPT);
	unlink(PLAIN);
}

static void terminal_and_signals(void)
{
	char buf[L_ctermid];
	CHECK(strcmp(ctermid(0), "/dev/tty") == 0);
	CHECK(ctermid(buf) == buf && strcmp(buf, "/dev/tty") == 0);
	int fd = open(ctermid(0), O_RDWR);
	CHECK(fd >= 0 && isatty(fd));
	close(fd);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGINT;
	char want[128];
	snprintf(want, sizeof(want), "tpg: %s\n", strsignal(SIGINT));
	capture();
	psiginfo(&si, "tpg");
	CHECK(strcmp(captured(), want) == 0);
}

int main(void)
{
	logging();
	fexec();
	terminal_and_signals();
	return test_status();
}
