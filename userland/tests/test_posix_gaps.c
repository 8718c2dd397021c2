/*
 * POSIX calls a ported program expects that the library lacked (they did not link):
 * syslog and the rest of <syslog.h> (XSI), seen through LOG_PERROR on a pipe: the
 * "ident[pid]: " prefix, "%m" as the errno the call began with (which it keeps), "%%m"
 * left alone, setlogmask's levels, one newline; fexecve of /bin/true, of a "#!" script,
 * and its errors (EBADF, EACCES for a pipe and for a file with no execute bit); ctermid;
 * psiginfo's message; wordexp and wordfree (through the shell); quick_exit and
 * at_quick_exit; mkostemp; <err.h>'s warn and err.
 */
#define _GNU_SOURCE 1 /* mkostemp: picolibc declares it only so */
#include <err.h>
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
#include <wordexp.h>

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

/* wordexp's words joined by '|', or "<err N>" for its error N. */
static const char *expanded(const char *words, int flags)
{
	static char out[256];
	wordexp_t we;
	int r = wordexp(words, &we, flags);
	if (r != 0) {
		snprintf(out, sizeof(out), "<err %d>", r);
		return out;
	}
	size_t at = 0;
	out[0] = 0;
	for (size_t i = 0; i < we.we_wordc && at < sizeof(out); i++)
		at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%s", i ? "|" : "",
				       we.we_wordv[i]);
	CHECK(we.we_wordv[we.we_wordc] == 0);
	wordfree(&we);
	return out;
}

/*
 * wordexp: the shell's expansions (quotes, parameters and field splitting, command and
 * arithmetic substitution, tilde, pathnames), the errors POSIX names for characters the
 * shell would take as operators, command substitution under WRDE_NOCMD, an unset
 * variable under WRDE_UNDEF and bad syntax; WRDE_DOOFFS, WRDE_APPEND and WRDE_REUSE.
 */
static void words(void)
{
	setenv("TPG_W", "one two", 1);
	setenv("HOME", "/tmp/tpg_home", 1);
	CHECK(strcmp(expanded("a b  c", 0), "a|b|c") == 0);
	CHECK(strcmp(expanded("'a b' \"c d\" e\\ f", 0), "a b|c d|e f") == 0);
	CHECK(strcmp(expanded("$TPG_W \"$TPG_W\" ${TPG_W}x", 0), "one|two|one two|one|twox") == 0);
	CHECK(strcmp(expanded("$((6 * 7)) $(echo hi there)", 0), "42|hi|there") == 0);
	CHECK(strcmp(expanded("~/x", 0), "/tmp/tpg_home/x") == 0);
	CHECK(strcmp(expanded("/bin/tru[e]", 0), "/bin/true") == 0);
	CHECK(strcmp(expanded("", 0), "") == 0);
	CHECK(strcmp(expanded("$(echo x)", WRDE_NOCMD), "<err 4>") == 0); /* WRDE_CMDSUB */
	CHECK(strcmp(expanded("`echo x`", WRDE_NOCMD), "<err 4>") == 0);
	CHECK(strcmp(expanded("$((1 + 1))", WRDE_NOCMD), "2") == 0);
	CHECK_EQ(WRDE_CMDSUB, 4);
	CHECK_EQ(WRDE_BADCHAR, 2);
	const char *bad[] = { "a;b", "a|b", "a&", "a>b", "a<b", "(a)", "{a}", "a\nb" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(strcmp(expanded(bad[i], 0), "<err 2>") == 0);
	CHECK(strcmp(expanded("'a;b' \"c|d\" e\\&f $(echo '(x)')", 0), "a;b|c|d|e&f|(x)") == 0);
	CHECK(strcmp(expanded("$TPG_UNSET x", 0), "x") == 0);
	CHECK_EQ(WRDE_BADVAL, 3);
	CHECK(strcmp(expanded("$TPG_UNSET x", WRDE_UNDEF), "<err 3>") == 0);
	CHECK_EQ(WRDE_SYNTAX, 5);
	CHECK(strcmp(expanded("'open", 0), "<err 5>") == 0);

	wordexp_t we;
	we.we_offs = 2;
	CHECK_EQ(wordexp("a b", &we, WRDE_DOOFFS), 0);
	CHECK(we.we_wordc == 2 && !we.we_wordv[0] && !we.we_wordv[1]);
	CHECK(strcmp(we.we_wordv[2], "a") == 0 && strcmp(we.we_wordv[3], "b") == 0);
	CHECK_EQ(wordexp("c", &we, WRDE_DOOFFS | WRDE_APPEND), 0);
	CHECK(we.we_wordc == 3 && strcmp(we.we_wordv[4], "c") == 0 && !we.we_wordv[5]);
	CHECK_EQ(wordexp("d e", &we, WRDE_DOOFFS | WRDE_REUSE), 0);
	CHECK(we.we_wordc == 2 && strcmp(we.we_wordv[3], "e") == 0 && !we.we_wordv[4]);
	wordfree(&we);
	unsetenv("TPG_W");
}

static int quick_pipe = -1;

static void quick_one(void)
{
	write(quick_pipe, "1", 1);
}

static void quick_two(void)
{
	write(quick_pipe, "2", 1);
}

static void at_exit_handler(void)
{
	write(quick_pipe, "x", 1);
}

/*
 * C11's quick_exit runs the at_quick_exit handlers, the last registered first, and no
 * atexit handler, then ends with the status; mkostemp (POSIX 2024) makes a new 0600
 * file with the flags asked for (O_CLOEXEC here), and refuses a template without XXXXXX.
 */
static void quick_and_temp(void)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		quick_pipe = p[1];
		int regs = atexit(at_exit_handler) | at_quick_exit(quick_one) |
			   at_quick_exit(quick_two);
		quick_exit(regs == 0 ? 7 : 1);
	}
	close(p[1]);
	char got[8] = { 0 };
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK_EQ(read(p[0], got, sizeof(got) - 1), 2);
	CHECK(strcmp(got, "21") == 0);
	close(p[0]);
	char tmpl[] = "/tmp/tpg_oXXXXXX";
	int fd = mkostemp(tmpl, O_CLOEXEC);
	struct stat sb;
	CHECK(fd >= 0 && strncmp(tmpl, "/tmp/tpg_o", 10) == 0 && !strstr(tmpl, "XXXXXX"));
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600);
	close(fd);
	CHECK_EQ(unlink(tmpl), 0);
	char bad[] = "/tmp/tpg_oXXXX";
	CHECK_FAILS(mkostemp(bad, 0), EINVAL);
}

/*
 * <err.h> (BSD, common in ported programs): "progname: message[: strerror(errno)]" on
 * standard error, errno kept by warn and warnx, err and errx exiting with their status.
 */
static void err_family(void)
{
	char want[256];
	capture();
	pid_t pid = fork();
	if (pid == 0) {
		errno = ENOENT;
		warn("open %s", "x");
		int kept = errno == ENOENT;
		warnx("plain %d", 3);
		warn(0);
		err(kept ? 3 : 4, "bye");
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	const char *e = strerror(ENOENT);
	snprintf(want, sizeof(want),
		 "test_posix_gaps: open x: %s\ntest_posix_gaps: plain 3\ntest_posix_gaps: %s\n"
		 "test_posix_gaps: bye: %s\n",
		 e, e, e);
	const char *got = captured();
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("  got [%s]\n", got);
}

int main(void)
{
	logging();
	fexec();
	terminal_and_signals();
	words();
	quick_and_temp();
	err_family();
	return test_status();
}
