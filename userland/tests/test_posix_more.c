/*
 * Smaller POSIX calls (docs/userland.md): pthread cleanup handlers (pop with and without
 * running, pthread_exit running the rest newest first), the one-user databases and the
 * id calls, chown's checks, getline/getdelim, dprintf, fgetpos/fsetpos, the stream
 * locks, the *at forms of link/symlink/mkfifo/mknod, and the pshared attributes. And
 * calls a ported program expects that the library lacked (they did not link):
 * syslog and the rest of <syslog.h> (XSI), seen through LOG_PERROR on a pipe: the
 * "ident[pid]: " prefix, "%m" as the errno the call began with (which it keeps), "%%m"
 * left alone, setlogmask's levels, one newline; fexecve of /bin/true, of a "#!" script,
 * and its errors (EBADF, EACCES for a pipe and for a file with no execute bit); ctermid;
 * psiginfo's message; wordexp and wordfree (through the shell); quick_exit and
 * at_quick_exit; mkostemp; <err.h>'s warn and err.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <err.h>
#include <signal.h>
#include <syslog.h>
#include <wordexp.h>

#include "testlib.h"

#define FILE_NAME "/tmp/pmore"

static char order[8];
static int norder;

static void note(void *c)
{
	order[norder++] = *(char *)c;
}

static void *cleanup_thread(void *arg)
{
	static char a = 'a', b = 'b', c = 'c';
	(void)arg;
	pthread_cleanup_push(note, &a);
	pthread_cleanup_push(note, &b);
	pthread_cleanup_push(note, &c);
	pthread_cleanup_pop(0); /* c: taken off, not run */
	pthread_exit(0);	/* runs b then a */
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	return 0;
}

static void cleanup(void)
{
	static char x = 'x';
	pthread_t t;
	norder = 0;
	pthread_cleanup_push(note, &x);
	pthread_cleanup_pop(1);
	CHECK(norder == 1 && order[0] == 'x');
	norder = 0;
	CHECK_EQ(pthread_create(&t, 0, cleanup_thread, 0), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK(norder == 2 && order[0] == 'b' && order[1] == 'a');
}

static void users(void)
{
	struct passwd *pw = getpwnam("root"), pwbuf, *pr;
	struct group *gr = getgrgid(0), grbuf, *grr;
	char buf[256] __attribute__((aligned(8)));
	CHECK(pw && pw->pw_uid == 0 && strcmp(pw->pw_dir, "/") == 0);
	CHECK(getpwuid(0) == pw && getpwuid(1000) == 0 && getpwnam("nobody") == 0);
	CHECK(getpwuid_r(0, &pwbuf, buf, sizeof(buf), &pr) == 0 && pr == &pwbuf &&
	      strcmp(pr->pw_name, "root") == 0);
	CHECK(getpwuid_r(0, &pwbuf, buf, 4, &pr) == ERANGE && pr == 0);
	CHECK(getpwnam_r("x", &pwbuf, buf, sizeof(buf), &pr) == 0 && pr == 0);
	CHECK(gr && strcmp(gr->gr_name, "root") == 0 && gr->gr_mem[0] == 0);
	CHECK(getgrnam_r("root", &grbuf, buf, sizeof(buf), &grr) == 0 && grr && grr->gr_gid == 0);
	setpwent();
	CHECK(getpwent() == pw && getpwent() == 0);
	endpwent();
	CHECK(strcmp(getlogin(), "root") == 0);
	CHECK_EQ(getgroups(0, 0), 0);
	CHECK_EQ(setuid(0), 0);
	CHECK(setuid(1000) == -1 && errno == EINVAL);
	CHECK(seteuid(5) == -1 && errno == EINVAL);
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(chown(FILE_NAME, 0, 0), 0);
	CHECK_EQ(chown(FILE_NAME, (uid_t)-1, (gid_t)-1), 0);
	CHECK(chown(FILE_NAME, 1000, 0) == -1 && errno == EINVAL);
	CHECK(chown("/tmp/no_such_file", 0, 0) == -1 && errno == ENOENT);
	CHECK_EQ(fchown(fd, 0, 0), 0);
	CHECK(fchown(-1, 0, 0) == -1 && errno == EBADF);
	close(fd);
}

static void streams(void)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(dprintf(fd, "one %d\ntwo\n%s", 1, "three"), 15);
	close(fd);
	FILE *f = fopen(FILE_NAME, "r");
	char *line = 0;
	size_t size = 0;
	CHECK(f != 0);
	CHECK_EQ(getline(&line, &size, f), 6);
	CHECK(strcmp(line, "one 1\n") == 0 && size >= 7);
	fpos_t pos;
	CHECK_EQ(fgetpos(f, &pos), 0);
	CHECK_EQ(getdelim(&line, &size, 'o', f), 3); /* "two" ends at its o */
	CHECK(strcmp(line, "two") == 0);
	CHECK_EQ(fsetpos(f, &pos), 0);
	CHECK_EQ(getline(&line, &size, f), 4);
	CHECK_EQ(getline(&line, &size, f), 5); /* the last line has no newline */
	CHECK(strcmp(line, "three") == 0);
	CHECK_EQ(getline(&line, &size, f), -1);
	flockfile(f);
	CHECK_EQ(ftrylockfile(f), 0); /* recursive: the same thread again */
	funlockfile(f);
	funlockfile(f);
	CHECK(getline(0, &size, f) == -1 && errno == EINVAL);
	free(line);
	fclose(f);
	unlink(FILE_NAME);
}

static void at_calls_and_attrs(void)
{
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	struct stat st;
	CHECK(mkfifoat(dir, "pmore_fifo", 0644) == 0); /* a FIFO, relative to dir */
	CHECK(stat("/tmp/pmore_fifo", &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(unlinkat(dir, "pmore_fifo", 0) == 0);
	CHECK(symlinkat("pmore_x", dir, "pmore_link") == 0); /* relative to dir */
	char text[16] = { 0 };
	CHECK(readlinkat(dir, "pmore_link", text, sizeof(text)) == 7 &&
	      strcmp(text, "pmore_x") == 0);
	CHECK(fstatat(dir, "pmore_link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(fstatat(dir, "pmore_link", &st, 0) == -1 && errno == ENOENT); /* names nothing */
	CHECK(unlinkat(dir, "pmore_link", 0) == 0);
	CHECK(linkat(dir, "no_such", dir, "x", 0) == -1 && errno == ENOENT);
	CHECK(linkat(dir, "x", dir, "y", 0x4000) == -1 && errno == EINVAL);
	close(dir);
	pthread_rwlockattr_t rw;
	pthread_barrierattr_t ba;
	int v = -1;
	CHECK_EQ(pthread_rwlockattr_init(&rw), 0);
	CHECK_EQ(pthread_rwlockattr_setpshared(&rw, PTHREAD_PROCESS_SHARED), 0);
	CHECK(pthread_rwlockattr_getpshared(&rw, &v) == 0 && v == PTHREAD_PROCESS_SHARED);
	CHECK_EQ(pthread_rwlockattr_setpshared(&rw, 7), EINVAL);
	CHECK_EQ(pthread_barrierattr_init(&ba), 0);
	CHECK_EQ(pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED), 0);
	CHECK(pthread_barrierattr_getpshared(&ba, &v) == 0 && v == PTHREAD_PROCESS_SHARED);
	CHECK_EQ(pthread_setschedprio(pthread_self(), 0), 0);
	CHECK_EQ(pthread_setschedprio(pthread_self(), 5), EINVAL);
}

static void thin_calls(void)
{
	char buf[64];
	struct timespec q;
	int st = -1;
	CHECK(gethostname(buf, sizeof(buf)) == 0 && buf[0]);
	CHECK(gethostname(buf, 1) == -1 && errno == ENAMETOOLONG);
	CHECK(confstr(_CS_PATH, buf, sizeof(buf)) == 5 && strcmp(buf, "/bin") == 0);
	CHECK(confstr(_CS_PATH, buf, 3) == 5 && strcmp(buf, "/b") == 0);
	CHECK(confstr(12345, buf, sizeof(buf)) == 0 && errno == EINVAL);
	CHECK_EQ(nice(0), 0);
	CHECK_EQ(nice(5), 5);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 5);
	CHECK_EQ(setpriority(PRIO_PROCESS, (id_t)getpid(), -3), 0);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), -3);
	CHECK(getpriority(PRIO_PROCESS, 99999) == -1 && errno == ESRCH);
	CHECK(getpriority(9, 0) == -1 && errno == EINVAL);
	setpriority(PRIO_PROCESS, 0, 0);
	CHECK(sched_rr_get_interval(0, &q) == 0 && q.tv_sec == 0 && q.tv_nsec > 0);
	if (isatty(1))
		CHECK(ttyname(1) && strcmp(ttyname(1), "/dev/console") == 0);
	CHECK(ttyname_r(-1, buf, sizeof(buf)) == EBADF);
	char tmpl[] = "/tmp/pmoreXXXXXX";
	struct stat sb;
	CHECK(mkdtemp(tmpl) == tmpl && stat(tmpl, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK_EQ(rmdir(tmpl), 0);
	char bad[] = "/tmp/pmoreXX";
	CHECK(mkdtemp(bad) == 0 && errno == EINVAL);
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
	CHECK_EQ(posix_fadvise(fd, 0, 0, 99), EINVAL);
	CHECK_EQ(posix_fallocate(fd, 100, 900), 0);
	CHECK(fstat(fd, &sb) == 0 && sb.st_size == 1000);
	CHECK_EQ(posix_fallocate(fd, 0, 10), 0); /* never shrinks */
	CHECK(fstat(fd, &sb) == 0 && sb.st_size == 1000);
	CHECK_EQ(posix_fallocate(fd, 0, 0), EINVAL);
	close(fd);
	unlink(FILE_NAME);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(setpgrp() == 0 && getpgrp() == getpid() ? 0 : 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char *env[] = { "PMORE=yes", 0 };
	pid = fork();
	if (pid == 0) {
		execle("/bin/test_posix_more", "test_posix_more", "env", (char *)0, env);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#define SCRIPT	   "/tmp/tpg_script"
#define PLAIN	   "/tmp/tpg_plain"
#define SCRIPT_RET 5 /* what SCRIPT exits with */

extern char **environ;
int mkostemp(char *template, int flags); /* <stdlib.h>: only for _GNU_SOURCE */

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
		 "test_posix_more: open x: %s\ntest_posix_more: plain 3\ntest_posix_more: %s\n"
		 "test_posix_more: bye: %s\n",
		 e, e, e);
	const char *got = captured();
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("  got [%s]\n", got);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) /* execle's image: was it given its environment? */
		return getenv("PMORE") && strcmp(getenv("PMORE"), "yes") == 0 ? 0 : 1;
	thin_calls();
	cleanup();
	users();
	streams();
	at_calls_and_attrs();
	logging();
	fexec();
	terminal_and_signals();
	words();
	quick_and_temp();
	err_family();
	return test_status();
}
