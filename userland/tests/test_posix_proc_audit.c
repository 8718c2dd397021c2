/*
 * An audit of process and signal behaviour against POSIX.1-2017, as a program ported
 * from Linux expects it: fork, wait, waitpid and waitid (WNOHANG, ECHILD, WNOWAIT, the
 * siginfo_t codes, stops and continues), exit statuses, exit against _exit, re-parenting,
 * exec (its errors, argv and envp, close-on-exec, the signal state), sigaction
 * (SA_RESTART, SA_RESETHAND, SA_NODEFER, sa_mask), sigprocmask, sigpending, sigsuspend,
 * raise and kill to oneself, SIGCHLD, alarm, and process groups and sessions. Each CHECK
 * asserts what POSIX specifies (the comment names the rule), nothing Linux-only. The
 * test runs itself through exec with a mode in argv[1] (SELF). Files live under /tmp/ppa_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SELF	 "/bin/test_posix_proc_audit"
#define TEXT	 "/tmp/ppa_text"
#define COPY	 "/tmp/ppa_true"
#define DATA	 "/tmp/ppa_data"
#define OUT	 "/tmp/ppa_out"
#define MISSING	 "/tmp/ppa_missing"
#define PATIENCE 300 /* polls of 10 ms before giving up on an event */

extern char **environ;

/* Reap pid (again after a handler cut the wait short): its wait status, or -1. */
static int wait_status(pid_t pid)
{
	int st = -1;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? st : -1;
}

static int exit_code(pid_t pid)
{
	int st = wait_status(pid);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run fn in a child, whose CHECKs count there: its exit status says whether all held. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		test_failures = 0;
		fn();
		_exit(test_failures ? 1 : 0);
	}
	CHECK(pid > 0);
	CHECK_EQ(exit_code(pid), 0);
}

/* Everything fd gives until EOF (at most n - 1 bytes), as a string. */
static void drain(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t k;
	while (got < n - 1 &&
	       ((k = read(fd, buf + got, n - 1 - got)) > 0 || (k < 0 && errno == EINTR)))
		if (k > 0)
			got += (size_t)k;
	buf[got] = 0;
}

/* Read fd until EOF or an error other than EINTR. */
static void wait_eof(int fd)
{
	char c;
	ssize_t k;
	while ((k = read(fd, &c, 1)) > 0 || (k < 0 && errno == EINTR))
		;
}

static void put_file_mode(const char *path, const char *text, mode_t mode)
{
	put_file(path, text);
	CHECK_EQ(chmod(path, mode), 0);
}

static void drain_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	buf[0] = 0;
	if (fd >= 0) {
		drain(fd, buf, n);
		close(fd);
	}
}

static void set_action(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(sig, &sa, 0), 0);
}

static sigset_t just(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static sigset_t mask_now(void)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, 0, &s);
	return s;
}

static int is_pending(int sig)
{
	sigset_t p;
	sigemptyset(&p);
	sigpending(&p);
	return sigismember(&p, sig) == 1;
}

/* Poll (sleeping, so that a diversion on another hart lands) until sig is pending. */
static int await_pending(int sig)
{
	for (int i = 0; i < PATIENCE && !is_pending(sig); i++)
		ms_sleep(10);
	return is_pending(sig);
}

/* ---------------------------------------------------------------- wait and exit --- */

static void wait_basics(void)
{
	int go[2], st = 12345;
	char c = 0;
	siginfo_t info;
	CHECK_EQ(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(go[1]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0x1ff);
	}
	close(go[0]);
	/* waitpid: WNOHANG returns 0 while the child has no status to report */
	CHECK_EQ(waitpid(kid, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
	/* waitid: with WNOHANG and nothing to report, 0 with si_signo and si_pid zero */
	memset(&info, 0x55, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WEXITED | WNOHANG), 0);
	CHECK_EQ(info.si_pid, 0);
	CHECK_EQ(info.si_signo, 0);
	/* waitpid: ECHILD when pid names no child of the caller (init, ourselves) */
	CHECK_FAILS(waitpid(1, &st, WNOHANG), ECHILD);
	CHECK_FAILS(waitpid(getpid(), &st, 0), ECHILD);
	/* waitpid: EINVAL for an options bit it does not define */
	CHECK_FAILS(waitpid(kid, &st, 0x100), EINVAL);
	/* waitid: EINVAL when options names none of WEXITED, WSTOPPED, WCONTINUED */
	CHECK_FAILS(waitid(P_ALL, 0, &info, WNOHANG), EINVAL);
	CHECK_EQ(write(go[1], "x", 1), 1);
	close(go[1]);
	st = wait_status(kid);
	/* _exit: only status & 0377 is available from wait and waitpid */
	CHECK(WIFEXITED(st));
	CHECK(!WIFSIGNALED(st) && !WIFSTOPPED(st));
	CHECK_EQ(WEXITSTATUS(st), 0xff);
	/* reaped: no longer a child */
	CHECK_FAILS(waitpid(kid, &st, WNOHANG), ECHILD);
	errno = 0;
	CHECK_EQ(waitpid(-1, &st, WNOHANG), -1); /* no children at all */
	CHECK_EQ(errno, ECHILD);

	/* waitpid(-1): any child, each reported once; exit() truncates as _exit does */
	pid_t a = fork();
	if (a == 0)
		exit(0x101);
	pid_t b = fork();
	if (b == 0)
		_exit(0x202);
	int s1 = -1, s2 = -1;
	pid_t r1 = waitpid(-1, &s1, 0), r2 = waitpid(-1, &s2, 0);
	CHECK((r1 == a && r2 == b) || (r1 == b && r2 == a));
	CHECK(WIFEXITED(s1) && WEXITSTATUS(s1) == (r1 == a ? 1 : 2));
	CHECK(WIFEXITED(s2) && WEXITSTATUS(s2) == (r2 == a ? 1 : 2));
	errno = 0;
	CHECK_EQ(wait(&st), -1); /* wait: ECHILD with no child left */
	CHECK_EQ(errno, ECHILD);

	/* A grandchild is not a child: ECHILD */
	int pid_pipe[2], hold[2];
	CHECK_EQ(pipe(pid_pipe), 0);
	CHECK_EQ(pipe(hold), 0);
	pid_t mid = fork();
	if (mid == 0) {
		close(hold[1]);
		pid_t g = fork();
		if (g == 0) {
			while (read(hold[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		write(pid_pipe[1], &g, sizeof(g));
		_exit(exit_code(g) == 0 ? 0 : 1);
	}
	close(hold[0]);
	pid_t g = 0;
	CHECK_EQ(read(pid_pipe[0], &g, sizeof(g)), (long)sizeof(g));
	CHECK_FAILS(waitpid(g, &st, WNOHANG), ECHILD);
	close(hold[1]);
	CHECK_EQ(exit_code(mid), 0);
	close(pid_pipe[0]);
	close(pid_pipe[1]);
}

static void waitid_and_signals(void)
{
	siginfo_t info;
	int st;
	pid_t kid = fork();
	if (kid == 0)
		_exit(42);
	/* waitid: WNOWAIT leaves the child waitable; si_signo SIGCHLD, si_code CLD_EXITED,
	 * si_pid, si_status the exit status */
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WEXITED | WNOWAIT), 0);
	CHECK_EQ(info.si_signo, SIGCHLD);
	CHECK_EQ(info.si_code, CLD_EXITED);
	CHECK_EQ(info.si_pid, kid);
	CHECK_EQ(info.si_status, 42);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_ALL, 0, &info, WEXITED), 0);
	CHECK_EQ(info.si_pid, kid);
	CHECK_EQ(info.si_status, 42);
	CHECK_FAILS(waitid(P_PID, (id_t)kid, &info, WEXITED), ECHILD);

	/* Killed: waitid's CLD_KILLED with the signal; WIFSIGNALED and WTERMSIG */
	int go[2];
	CHECK_EQ(pipe(go), 0);
	kid = fork();
	if (kid == 0) {
		char c;
		close(go[1]);
		for (;;)
			read(go[0], &c, 1);
	}
	close(go[0]);
	CHECK_EQ(kill(kid, SIGKILL), 0);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WEXITED), 0);
	CHECK_EQ(info.si_code, CLD_KILLED);
	CHECK_EQ(info.si_status, SIGKILL);
	CHECK_EQ(info.si_pid, kid);
	close(go[1]);

	kid = fork();
	if (kid == 0) {
		kill(getpid(), SIGTERM); /* SIG_DFL: ends the process */
		_exit(0);
	}
	st = wait_status(kid);
	CHECK(WIFSIGNALED(st) && !WIFEXITED(st));
	CHECK_EQ(WTERMSIG(st), SIGTERM);
	kid = fork();
	if (kid == 0)
		abort(); /* abort: abnormal termination by SIGABRT */
	st = wait_status(kid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGABRT);
}

/* Stop and continue a child: waitpid WUNTRACED/WCONTINUED, waitid WSTOPPED/WCONTINUED. */
static void stop_continue(void)
{
	int go[2], st = 0;
	siginfo_t info;
	CHECK_EQ(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		char c = 0;
		ssize_t n;
		close(go[1]);
		while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? 3 : 4);
	}
	close(go[0]);
	CHECK_EQ(kill(kid, SIGSTOP), 0);
	/* WUNTRACED: a stopped child's status; WIFSTOPPED, WSTOPSIG */
	CHECK_EQ(waitpid(kid, &st, WUNTRACED), kid);
	CHECK(WIFSTOPPED(st) && !WIFEXITED(st) && !WIFSIGNALED(st));
	CHECK_EQ(WSTOPSIG(st), SIGSTOP);
	/* reported once; without WUNTRACED a stop is not reported at all */
	CHECK_EQ(waitpid(kid, &st, WUNTRACED | WNOHANG), 0);
	CHECK_EQ(kill(kid, SIGCONT), 0);
	/* WCONTINUED: a continued child's status; WIFCONTINUED */
	CHECK_EQ(waitpid(kid, &st, WCONTINUED), kid);
	CHECK(WIFCONTINUED(st) && !WIFSTOPPED(st));
	CHECK_EQ(waitpid(kid, &st, WCONTINUED | WNOHANG), 0);

	CHECK_EQ(kill(kid, SIGSTOP), 0);
	/* waitid WSTOPPED: CLD_STOPPED, si_status the stop signal */
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WSTOPPED), 0);
	CHECK_EQ(info.si_signo, SIGCHLD);
	CHECK_EQ(info.si_code, CLD_STOPPED);
	CHECK_EQ(info.si_status, SIGSTOP);
	CHECK_EQ(info.si_pid, kid);
	CHECK_EQ(kill(kid, SIGCONT), 0);
	/* waitid WCONTINUED: CLD_CONTINUED, si_status SIGCONT */
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WCONTINUED), 0);
	CHECK_EQ(info.si_code, CLD_CONTINUED);
	CHECK_EQ(info.si_status, SIGCONT);
	CHECK_EQ(info.si_pid, kid);
	/* the blocked read it was stopped in goes on after SIGCONT */
	CHECK_EQ(write(go[1], "x", 1), 1);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(waitid(P_PID, (id_t)kid, &info, WEXITED), 0);
	CHECK_EQ(info.si_code, CLD_EXITED);
	CHECK_EQ(info.si_status, 3);
	close(go[1]);
}

/* The new parent of a child whose parent ended: not the dead one (POSIX: an
 * implementation-defined system process). */
static void reparent(void)
{
	int go[2], res[2];
	char c;
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(pipe(res), 0);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			close(go[1]);
			close(res[0]);
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			pid_t pp = getppid();
			write(res[1], &pp, sizeof(pp));
			_exit(0);
		}
		_exit(g > 0 ? 0 : 1);
	}
	close(go[0]);
	close(res[1]);
	CHECK_EQ(exit_code(mid), 0);
	CHECK_EQ(write(go[1], "x", 1), 1);
	pid_t pp = 0;
	CHECK_EQ(read(res[0], &pp, sizeof(pp)), (long)sizeof(pp));
	CHECK(pp > 0);
	CHECK(pp != mid);
	close(go[1]);
	close(res[0]);
}

static int mark_fd = -1;
static void at_exit_mark(void)
{
	write(mark_fd, "A", 1);
}

/* A child with stdout on a pipe and a file open through stdio ends with exit or _exit:
 * what reached the pipe and the file. */
static void end_child(int use_exit, char *piped, char *filed, size_t n)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(p[0]);
		dup2(p[1], STDOUT_FILENO);
		mark_fd = p[1];
		atexit(at_exit_mark);
		FILE *f = fopen(OUT, "w");
		if (f)
			fputs("file", f);
		printf("out"); /* no new line: still in the buffer */
		if (use_exit)
			exit(f ? 0 : 5);
		_exit(f ? 0 : 5);
	}
	close(p[1]);
	drain(p[0], piped, n);
	close(p[0]);
	CHECK_EQ(exit_code(kid), 0); /* 5: fopen failed */
	drain_file(OUT, filed, n);
	unlink(OUT);
}

static void exit_vs_underscore_exit(void)
{
	char piped[32], filed[32];
	end_child(1, piped, filed, sizeof(piped));
	/* exit: the atexit functions first, then every open stream flushed */
	CHECK(strcmp(piped, "Aout") == 0);
	CHECK(strcmp(filed, "file") == 0);
	end_child(0, piped, filed, sizeof(piped));
	/* _exit: no atexit function runs, and open streams are not flushed */
	CHECK(strchr(piped, 'A') == 0);
	CHECK(strcmp(piped, "") == 0);
	CHECK(strcmp(filed, "") == 0);
}

/* ------------------------------------------------------------------------ exec --- */

static void copy_file(const char *from, const char *to, mode_t mode)
{
	static char buf[4096];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, mode);
	ssize_t n;
	CHECK(in >= 0 && out >= 0);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	CHECK_EQ(chmod(to, mode), 0);
}

static void exec_errors(void)
{
	char *argv[] = { "ppa", 0 };
	/* ENOENT: the file does not exist, or path is empty */
	CHECK_FAILS(execve(MISSING, argv, environ), ENOENT);
	CHECK_FAILS(execve("/bin/ppa_missing", argv, environ), ENOENT);
	CHECK_FAILS(execve("", argv, environ), ENOENT);
	/* EACCES: not a regular file, or no execute permission (docs/files.md promises it) */
	CHECK_FAILS(execve("/tmp", argv, environ), EACCES);
	put_file_mode(TEXT, "exit 7\n", 0644);
	CHECK_FAILS(execve(TEXT, argv, environ), EACCES);
	/* ENOEXEC: executable, but not in a format the system runs */
	CHECK_EQ(chmod(TEXT, 0755), 0);
	CHECK_FAILS(execve(TEXT, argv, environ), ENOEXEC);
	/* ENOTDIR: a component of the path prefix is not a directory */
	CHECK_FAILS(execve(TEXT "/x", argv, environ), ENOTDIR);
	/* execvp: a file that fails with ENOEXEC is run by the shell */
	pid_t kid = fork();
	if (kid == 0) {
		execvp(TEXT, argv);
		_exit(99);
	}
	CHECK_EQ(exit_code(kid), 7);

	/* A program file anywhere runs by its path: a copy of /bin/true in /tmp, relative
	 * to the working directory too ("./name" has a slash) */
	copy_file("/bin/true", COPY, 0755);
	kid = fork();
	if (kid == 0) {
		char *av[] = { "ppa_true", 0 };
		if (chdir("/tmp") == 0)
			execv("./ppa_true", av);
		_exit(errno == ENOENT ? 98 : 99);
	}
	CHECK_EQ(exit_code(kid), 0);
	/*
	 * Not checked, documented limits: exec of a name without a slash runs the boot
	 * archive's program of that name, not one in the working directory (docs/loader.md),
	 * and a failed exec has already closed the close-on-exec files (docs/files.md).
	 */
}

/* The exec'd image's side: argv and envp exactly as execve gave them. */
static int image_args(int argc, char **argv)
{
	CHECK_EQ(argc, 5);
	if (argc == 5) {
		CHECK(strcmp(argv[0], "ppa-argv0") == 0);
		CHECK(strcmp(argv[2], "two words") == 0);
		CHECK(strcmp(argv[3], "") == 0);
		CHECK(strcmp(argv[4], "tail") == 0);
	}
	CHECK(argv[argc] == 0);
	int n = 0;
	while (environ && environ[n])
		n++;
	CHECK_EQ(n, 2); /* envp's strings are the new image's whole environment */
	CHECK(getenv("PPA_ONE") && strcmp(getenv("PPA_ONE"), "1") == 0);
	CHECK(getenv("PPA_EMPTY") && strcmp(getenv("PPA_EMPTY"), "") == 0);
	CHECK(getenv("PATH") == 0);
	return test_status();
}

static void exec_args(void)
{
	pid_t kid = fork();
	if (kid == 0) {
		char *av[] = { "ppa-argv0", "args", "two words", "", "tail", 0 };
		char *ev[] = { "PPA_ONE=1", "PPA_EMPTY=", 0 };
		execve(SELF, av, ev);
		_exit(99);
	}
	CHECK_EQ(exit_code(kid), 0);
}

/* The image's side: argv[2..] = fd kept, three fds closed, fd kept (a dup), pipe end kept. */
static int image_fds(int argc, char **argv)
{
	if (argc != 8)
		return 2;
	int keep = atoi(argv[2]), ce1 = atoi(argv[3]), ce2 = atoi(argv[4]), ce3 = atoi(argv[5]);
	int dupd = atoi(argv[6]), pw = atoi(argv[7]);
	/* exec: descriptors open in the caller stay open, with FD_CLOEXEC clear, sharing the
	 * open file description (its offset) */
	CHECK_EQ(fcntl(keep, F_GETFD), 0);
	CHECK_EQ(lseek(keep, 0, SEEK_CUR), 3);
	CHECK_EQ(fcntl(dupd, F_GETFD), 0);
	CHECK_EQ(fcntl(pw, F_GETFD), 0);
	CHECK_EQ(write(pw, "ok", 2), 2);
	/* exec: those with FD_CLOEXEC set are closed */
	CHECK_FAILS(fcntl(ce1, F_GETFD), EBADF);
	CHECK_FAILS(fcntl(ce2, F_GETFD), EBADF);
	CHECK_FAILS(fcntl(ce3, F_GETFD), EBADF);
	return test_status();
}

static void exec_fds(void)
{
	int kept[2], ce_pipe[2];
	char buf[16];
	CHECK_EQ(pipe(kept), 0);
	CHECK_EQ(pipe(ce_pipe), 0);
	pid_t kid = fork();
	if (kid == 0) {
		char a[6][12];
		close(kept[0]);
		close(ce_pipe[0]);
		int keep = open(DATA, O_CREAT | O_RDWR | O_TRUNC, 0644);
		write(keep, "abc", 3);
		int ce1 = open(DATA, O_RDONLY | O_CLOEXEC);
		int ce2 = open(DATA, O_RDONLY);
		fcntl(ce2, F_SETFD, FD_CLOEXEC);
		int dupd = dup(ce1); /* dup: the new descriptor has FD_CLOEXEC clear */
		fcntl(ce_pipe[1], F_SETFD, FD_CLOEXEC);
		snprintf(a[0], sizeof(a[0]), "%d", keep);
		snprintf(a[1], sizeof(a[1]), "%d", ce1);
		snprintf(a[2], sizeof(a[2]), "%d", ce2);
		snprintf(a[3], sizeof(a[3]), "%d", ce_pipe[1]);
		snprintf(a[4], sizeof(a[4]), "%d", dupd);
		snprintf(a[5], sizeof(a[5]), "%d", kept[1]);
		char *av[] = { "ppa", "fds", a[0], a[1], a[2], a[3], a[4], a[5], 0 };
		execv(SELF, av);
		_exit(99);
	}
	close(kept[1]);
	close(ce_pipe[1]);
	drain(kept[0], buf, sizeof(buf));
	CHECK(strcmp(buf, "ok") == 0);
	CHECK_EQ(exit_code(kid), 0);
	close(kept[0]);
	close(ce_pipe[0]);
	unlink(DATA);
}

static void on_usr1_plain(int sig)
{
	(void)sig;
}

/* The image's side: caught signals back at SIG_DFL, ignored ones still ignored, the mask
 * kept (exec). */
static int image_sigs(void)
{
	struct sigaction old;
	CHECK_EQ(sigaction(SIGUSR1, 0, &old), 0);
	CHECK(old.sa_handler == SIG_DFL);
	CHECK_EQ(sigaction(SIGUSR2, 0, &old), 0);
	CHECK(old.sa_handler == SIG_IGN);
	sigset_t m = mask_now();
	CHECK_EQ(sigismember(&m, SIGTERM), 1);
	CHECK_EQ(sigismember(&m, SIGUSR1), 0);
	return test_status();
}

static void exec_sigs(void)
{
	pid_t kid = fork();
	if (kid == 0) {
		set_action(SIGUSR1, on_usr1_plain, 0);
		set_action(SIGUSR2, SIG_IGN, 0);
		sigset_t term = just(SIGTERM);
		sigprocmask(SIG_BLOCK, &term, 0);
		char *av[] = { "ppa", "sigs", 0 };
		execv(SELF, av);
		_exit(99);
	}
	CHECK_EQ(exit_code(kid), 0);
}

static void alarm_calls(void)
{
	/* alarm: 0 when no alarm was set; else the seconds the previous one had left */
	CHECK_EQ(alarm(0), 0);
	CHECK_EQ(alarm(100), 0);
	unsigned left = alarm(50);
	CHECK(left > 0 && left <= 100);
	/* fork clears pending alarms in the child */
	pid_t kid = fork();
	if (kid == 0)
		_exit(alarm(0) == 0 ? 0 : 1);
	CHECK_EQ(exit_code(kid), 0);
	/* Not checked: an alarm does not survive exec here, a documented limit
	 * (docs/signals.md, "Timers"). */
	left = alarm(0);
	CHECK(left > 0 && left <= 50);
}

/* --------------------------------------------------------------------- signals --- */

static volatile int usr1_count, usr2_count, depth, max_depth, usr2_inside, raise_inside;
static volatile int mask_had_usr1, mask_had_usr2, mask_had_term;
static volatile int info_code, info_pid, info_signo;

static void record_mask(void)
{
	sigset_t m = mask_now();
	mask_had_usr1 = sigismember(&m, SIGUSR1) == 1;
	mask_had_usr2 = sigismember(&m, SIGUSR2) == 1;
	mask_had_term = sigismember(&m, SIGTERM) == 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
	record_mask();
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void on_usr1_info(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	usr1_count++;
	info_signo = sig;
	info_code = info->si_code;
	info_pid = info->si_pid;
}

static void sig_errors(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	/* sigaction: EINVAL for an invalid signal number, or catching or ignoring SIGKILL
	 * or SIGSTOP */
	int bad[] = { 0, -1, NSIG, 1000 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_FAILS(sigaction(bad[i], &sa, 0), EINVAL);
	}
	CHECK_FAILS(sigaction(SIGKILL, &sa, 0), EINVAL);
	CHECK_FAILS(sigaction(SIGSTOP, &sa, 0), EINVAL);
	sa.sa_handler = SIG_IGN;
	CHECK_FAILS(sigaction(SIGKILL, &sa, 0), EINVAL);
	CHECK_FAILS(sigaction(SIGSTOP, &sa, 0), EINVAL);
	errno = 0;
	CHECK(signal(SIGKILL, on_usr1) == SIG_ERR);
	CHECK_EQ(errno, EINVAL);
	/* kill and raise: EINVAL for an invalid signal number */
	CHECK_FAILS(kill(getpid(), NSIG), EINVAL);
	CHECK_FAILS(kill(getpid(), -1), EINVAL);
	CHECK_FAILS(raise(NSIG), EINVAL);
	/* kill: ESRCH when no process has that pid (one that was reaped) */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	CHECK_EQ(exit_code(gone), 0);
	CHECK_FAILS(kill(gone, SIGUSR1), ESRCH);
	/* sigprocmask: EINVAL for an unknown how (with a set) */
	sigset_t s = just(SIGUSR1), orig;
	CHECK_FAILS(sigprocmask(12345, &s, 0), EINVAL);
	/* SIGKILL and SIGSTOP cannot be blocked, silently */
	sigfillset(&s);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &s, &orig), 0);
	sigset_t now = mask_now();
	CHECK_EQ(sigismember(&now, SIGKILL), 0);
	CHECK_EQ(sigismember(&now, SIGSTOP), 0);
	CHECK_EQ(sigismember(&now, SIGUSR1), 1);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
}

static void mask_calls(void)
{
	sigset_t none, u1 = just(SIGUSR1), u2 = just(SIGUSR2), old, now, orig;
	sigemptyset(&none);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &none, &orig), 0);
	/* SIG_BLOCK adds, SIG_UNBLOCK removes, SIG_SETMASK replaces; each gives the old set */
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u1, &old), 0);
	CHECK_EQ(sigismember(&old, SIGUSR1), 0);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u2, &old), 0);
	CHECK_EQ(sigismember(&old, SIGUSR1), 1);
	CHECK_EQ(sigismember(&old, SIGUSR2), 0);
	now = mask_now();
	CHECK(sigismember(&now, SIGUSR1) == 1 && sigismember(&now, SIGUSR2) == 1);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &u1, &old), 0);
	CHECK(sigismember(&old, SIGUSR1) == 1 && sigismember(&old, SIGUSR2) == 1);
	now = mask_now();
	CHECK(sigismember(&now, SIGUSR1) == 0 && sigismember(&now, SIGUSR2) == 1);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &u1, &old), 0);
	CHECK(sigismember(&old, SIGUSR1) == 0 && sigismember(&old, SIGUSR2) == 1);
	now = mask_now();
	CHECK(sigismember(&now, SIGUSR1) == 1 && sigismember(&now, SIGUSR2) == 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
}

static void pending_and_self(void)
{
	sigset_t u1 = just(SIGUSR1), orig;
	set_action(SIGUSR1, on_usr1, 0);
	usr1_count = 0;
	/* kill to ourselves, not blocked: delivered before kill returns */
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(usr1_count, 1);
	/* raise: the handler has run when raise returns */
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(usr1_count, 2);
	/* blocked: pending (sigpending), delivered when unblocked, before sigprocmask
	 * returns */
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u1, &orig), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(usr1_count, 2);
	CHECK(is_pending(SIGUSR1));
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &u1, 0), 0);
	CHECK_EQ(usr1_count, 3);
	CHECK(!is_pending(SIGUSR1));
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u1, 0), 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK(is_pending(SIGUSR1));
	CHECK_EQ(usr1_count, 3);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
	CHECK_EQ(usr1_count, 4);
	/* a pending signal whose action becomes SIG_IGN is discarded */
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u1, 0), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	set_action(SIGUSR1, SIG_IGN, 0);
	CHECK(!is_pending(SIGUSR1));
	set_action(SIGUSR1, on_usr1, 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
	CHECK_EQ(usr1_count, 4);

	/* SA_SIGINFO for kill: si_signo, si_code SI_USER, si_pid the sender */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	info_code = info_pid = info_signo = 0;
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(info_signo, SIGUSR1);
	CHECK_EQ(info_code, SI_USER);
	CHECK_EQ(info_pid, getpid());
	/* the child of fork starts with no signal pending, the parent's mask and actions */
	CHECK_EQ(sigprocmask(SIG_BLOCK, &u1, 0), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	pid_t kid = fork();
	if (kid == 0) {
		sigset_t m = mask_now();
		struct sigaction cur;
		sigaction(SIGUSR1, 0, &cur);
		_exit((!is_pending(SIGUSR1) ? 0 : 1) | (sigismember(&m, SIGUSR1) == 1 ? 0 : 2) |
		      (cur.sa_sigaction == on_usr1_info ? 0 : 4));
	}
	CHECK_EQ(exit_code(kid), 0);
	set_action(SIGUSR1, SIG_DFL, 0); /* discards nothing: SIGUSR1's default is to end */
	set_action(SIGUSR1, SIG_IGN, 0); /* discards the pending one */
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
	set_action(SIGUSR1, SIG_DFL, 0);
}

/* kill of our own process group (pid 0, killpg): also delivered before it returns, as
 * no other thread could take it (kill) */
static void group_kill_self(void)
{
	CHECK_EQ(setpgid(0, 0), 0);
	set_action(SIGUSR1, on_usr1, 0);
	usr1_count = 0;
	CHECK_EQ(kill(0, SIGUSR1), 0);
	CHECK_EQ(usr1_count, 1);
	CHECK_EQ(killpg(getpgrp(), SIGUSR1), 0);
	CHECK_EQ(usr1_count, 2);
	CHECK_EQ(kill(-getpgrp(), SIGUSR1), 0);
	CHECK_EQ(usr1_count, 3);
}

/* SIGUSR1's handler with sa_mask = {SIGUSR2}: SIGUSR2 raised inside waits for its end. */
static void on_usr1_raising_usr2(int sig)
{
	(void)sig;
	usr1_count++;
	record_mask();
	raise(SIGUSR2);
	usr2_inside = usr2_count;
}

/* SIGUSR1's handler that raises SIGUSR1 again, once: nested only with SA_NODEFER. */
static void on_usr1_nesting(int sig)
{
	(void)sig;
	usr1_count++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (usr1_count == 1) {
		record_mask();
		raise(SIGUSR1);
		raise_inside = usr1_count;
	}
	depth--;
}

static void handler_flags(void)
{
	struct sigaction sa, old;
	sigset_t orig, none;
	sigemptyset(&none);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &none, &orig), 0);
	set_action(SIGUSR2, on_usr2, 0);

	/* sa_mask and the signal itself are blocked while the handler runs, and the mask
	 * is back as it was after it returns */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1_raising_usr2;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	usr1_count = usr2_count = 0;
	usr2_inside = -1;
	CHECK_EQ(raise(SIGUSR1), 0);
	/* 2.4.1: a blocked signal stays pending only until it is unblocked; the handler's
	 * return unblocked SIGUSR2 (checked before any other signal call, each of which
	 * delivers what is pending and unblocked) */
	CHECK_EQ(usr2_count, 1);
	CHECK_EQ(usr1_count, 1);
	CHECK(mask_had_usr1 && mask_had_usr2);
	CHECK_EQ(usr2_inside, 0); /* SIGUSR2 was blocked inside: pending */
	sigset_t m = mask_now();
	CHECK(sigismember(&m, SIGUSR1) == 0 && sigismember(&m, SIGUSR2) == 0);
	CHECK(!is_pending(SIGUSR2));
	CHECK_EQ(usr2_count, 1); /* by now at the latest */

	/* without SA_NODEFER the same signal raised in its handler waits for the handler */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1_nesting;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	usr1_count = depth = max_depth = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(usr1_count, 2); /* 2.4.1, as above: delivered once the handler returned */
	CHECK(mask_had_usr1);
	CHECK_EQ(raise_inside, 1);
	CHECK_EQ(max_depth, 1);
	m = mask_now(); /* delivers it, if it was still pending */
	CHECK_EQ(usr1_count, 2);

	/* SA_NODEFER: the signal is not added to the mask; the nested one runs at once */
	sa.sa_flags = SA_NODEFER;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	usr1_count = depth = max_depth = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK(!mask_had_usr1);
	CHECK_EQ(raise_inside, 2);
	CHECK_EQ(max_depth, 2);
	CHECK_EQ(usr1_count, 2);

	/* SA_RESETHAND: the action is SIG_DFL (and SA_SIGINFO clear) once the handler is
	 * entered */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_info;
	sa.sa_flags = SA_RESETHAND | SA_SIGINFO;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	usr1_count = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(usr1_count, 1);
	CHECK_EQ(sigaction(SIGUSR1, 0, &old), 0);
	CHECK(old.sa_handler == SIG_DFL);
	CHECK_EQ(old.sa_flags & SA_SIGINFO, 0);

	set_action(SIGUSR1, SIG_DFL, 0);
	set_action(SIGUSR2, SIG_DFL, 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
}

static void suspend(void)
{
	sigset_t both, wait_mask = just(SIGUSR2), orig, now;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	set_action(SIGUSR1, on_usr1, 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &both, &orig), 0);
	usr1_count = 0;
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK(is_pending(SIGUSR1));
	if (is_pending(SIGUSR1)) {
		/* sigsuspend: the mask is replaced while it waits (the handler runs with it
		 * and its signal), -1 with EINTR after the handler, the old mask back */
		CHECK_FAILS(sigsuspend(&wait_mask), EINTR);
		CHECK_EQ(usr1_count, 1);
		CHECK(mask_had_usr1 && mask_had_usr2);
	}
	now = mask_now();
	CHECK(sigismember(&now, SIGUSR1) == 1 && sigismember(&now, SIGUSR2) == 1);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);
	set_action(SIGUSR1, SIG_DFL, 0);
}

/*
 * A pipe read blocked while SIGUSR1 comes from a child: -1 with EINTR without
 * SA_RESTART; restarted with it (2.4.3, read). The child signals every 5 ms until told
 * to stop (ack), or three times and then writes a byte.
 */
static void restart_or_eintr(int restart)
{
	int data[2], ack[2];
	char c = 0;
	CHECK_EQ(pipe(data), 0);
	CHECK_EQ(pipe(ack), 0);
	set_action(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
	usr1_count = 0;
	pid_t parent = getpid();
	pid_t kid = fork();
	if (kid == 0) {
		close(data[0]);
		close(ack[1]);
		fcntl(ack[0], F_SETFL, O_NONBLOCK);
		for (int i = 0; i < (restart ? 3 : 2000); i++) {
			if (kill(parent, SIGUSR1) != 0 || read(ack[0], &c, 1) != -1)
				break;
			ms_sleep(5);
		}
		if (restart)
			write(data[1], "x", 1);
		_exit(0);
	}
	close(data[1]); /* ack[0] stays open here: the ack never meets EPIPE */
	errno = 0;
	ssize_t n = read(data[0], &c, 1);
	int err = errno;
	while (write(ack[1], "s", 1) < 0 && errno == EINTR)
		;
	if (restart) {
		CHECK_EQ(n, 1);
		CHECK_EQ(c, 'x');
	} else {
		CHECK_EQ(n, -1);
		CHECK_EQ(err, EINTR);
	}
	CHECK(usr1_count >= 1);
	CHECK_EQ(exit_code(kid), 0);
	close(data[0]);
	close(ack[0]);
	close(ack[1]);
	set_action(SIGUSR1, SIG_DFL, 0);
}

static volatile int chld_count, chld_code, chld_status, chld_pid, chld_signo;

static void on_chld(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	chld_count++;
	chld_signo = sig;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_pid = info->si_pid;
}

/* With SIGCHLD blocked: wait until it is pending, then take it in sigsuspend. */
static int take_chld(void)
{
	sigset_t open_mask = mask_now();
	sigdelset(&open_mask, SIGCHLD);
	if (!await_pending(SIGCHLD))
		return 0;
	chld_count = 0;
	sigsuspend(&open_mask);
	return chld_count;
}

static void sigchld(void)
{
	sigset_t chld = just(SIGCHLD), orig;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigprocmask(SIG_BLOCK, &chld, &orig), 0);
	CHECK_EQ(sigaction(SIGCHLD, &sa, &old), 0);

	/* SIGCHLD when a child ends: si_code CLD_EXITED, si_pid, si_status */
	pid_t kid = fork();
	if (kid == 0)
		_exit(9);
	CHECK_EQ(take_chld(), 1);
	CHECK_EQ(chld_signo, SIGCHLD);
	CHECK_EQ(chld_code, CLD_EXITED);
	CHECK_EQ(chld_pid, kid);
	CHECK_EQ(chld_status, 9);
	CHECK_EQ(exit_code(kid), 9); /* caught SIGCHLD: the zombie stays for wait */

	/* and when it stops and continues (no SA_NOCLDSTOP): CLD_STOPPED, CLD_CONTINUED */
	int go[2], st;
	CHECK_EQ(pipe(go), 0);
	kid = fork();
	if (kid == 0) {
		char c;
		close(go[1]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[0]);
	CHECK_EQ(kill(kid, SIGSTOP), 0);
	CHECK_EQ(waitpid(kid, &st, WUNTRACED), kid);
	CHECK_EQ(take_chld(), 1);
	CHECK_EQ(chld_code, CLD_STOPPED);
	CHECK_EQ(chld_status, SIGSTOP);
	CHECK_EQ(chld_pid, kid);
	CHECK_EQ(kill(kid, SIGCONT), 0);
	CHECK_EQ(waitpid(kid, &st, WCONTINUED), kid);
	CHECK_EQ(take_chld(), 1);
	CHECK_EQ(chld_code, CLD_CONTINUED);
	CHECK_EQ(chld_status, SIGCONT);
	close(go[1]);
	CHECK_EQ(exit_code(kid), 0);
	await_pending(SIGCHLD);
	CHECK_EQ(sigaction(SIGCHLD, &old, 0), 0); /* SIG_DFL: the pending one is discarded */
	CHECK_EQ(sigprocmask(SIG_SETMASK, &orig, 0), 0);

	/* SIGCHLD set to SIG_IGN: children leave no zombie, and wait fails with ECHILD
	 * once they have ended (wait, 2.4.3) */
	struct sigaction ign;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	CHECK_EQ(sigaction(SIGCHLD, &ign, &old), 0);
	kid = fork();
	if (kid == 0)
		_exit(0);
	CHECK_FAILS(waitpid(kid, &st, 0), ECHILD);
	kid = fork();
	if (kid == 0) {
		ms_sleep(20);
		_exit(0);
	}
	errno = 0;
	CHECK_EQ(wait(&st), -1); /* blocks until it ends, then ECHILD */
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(sigaction(SIGCHLD, &old, 0), 0);
}

/* ---------------------------------------------------- process groups, sessions --- */

/* The image's side: say we run (fd argv[2]), then hold until fd argv[3] ends. */
static int image_hold(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	write(atoi(argv[2]), "r", 1);
	wait_eof(atoi(argv[3]));
	return 0;
}

static void setsid_leader(void)
{
	/* setsid: EPERM for a process group leader */
	CHECK_EQ(setpgid(0, 0), 0);
	CHECK_EQ(getpgrp(), getpid());
	CHECK_FAILS(setsid(), EPERM);
}

static void groups(void)
{
	pid_t me = getpid();
	char c = 0;
	int st;
	CHECK_EQ(getpgrp(), getpgid(0));
	CHECK_EQ(getpgid(me), getpgrp());
	CHECK(getsid(0) > 0);
	CHECK_EQ(getsid(0), getsid(me));
	/* setpgid: EINVAL for a negative pgid; ESRCH for a pid that is neither the caller
	 * nor a child of it */
	CHECK_FAILS(setpgid(0, -1), EINVAL);
	CHECK_FAILS(setpgid(1, 1), ESRCH);
	/* getpgid and getsid: ESRCH for no such process */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	CHECK_EQ(exit_code(gone), 0);
	CHECK_FAILS(getpgid(gone), ESRCH);
	CHECK_FAILS(getsid(gone), ESRCH);

	/* A child moved to a group of its own and back */
	int go[2];
	CHECK_EQ(pipe(go), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(go[1]);
		wait_eof(go[0]);
		_exit(0);
	}
	close(go[0]);
	CHECK_EQ(setpgid(kid, kid), 0);
	CHECK_EQ(getpgid(kid), kid);
	/* waitpid(0): only children in the caller's group; (-pgid): those in that group */
	CHECK_FAILS(waitpid(0, &st, WNOHANG), ECHILD);
	CHECK_EQ(waitpid(-kid, &st, WNOHANG), 0);
	/* setpgid: EPERM for a group no process of the caller's session is in */
	CHECK_FAILS(setpgid(kid, gone), EPERM);
	CHECK_EQ(setpgid(kid, getpgrp()), 0);
	CHECK_EQ(getpgid(kid), getpgrp());
	close(go[1]);
	CHECK_EQ(exit_code(kid), 0);

	/* setsid in a child: a new session and group led by it; a session leader can
	 * neither setsid again nor change its group; its parent cannot move it */
	int ready[2], hold[2];
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(hold), 0);
	kid = fork();
	if (kid == 0) {
		pid_t self = getpid();
		close(ready[0]);
		close(hold[1]);
		int bad = 0;
		if (setsid() != self || getsid(0) != self || getpgrp() != self)
			bad |= 1;
		errno = 0;
		if (setsid() != -1 || errno != EPERM)
			bad |= 2;
		errno = 0;
		if (setpgid(0, 0) != -1 || errno != EPERM)
			bad |= 4;
		c = (char)('0' + bad);
		write(ready[1], &c, 1);
		wait_eof(hold[0]);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(c, '0');
	CHECK_EQ(getsid(kid), kid);
	errno = 0;
	CHECK_EQ(setpgid(kid, kid), -1); /* EPERM: a session leader */
	CHECK_EQ(errno, EPERM);
	errno = 0;
	CHECK_EQ(setpgid(kid, getpgrp()), -1); /* EPERM: a child in another session */
	CHECK_EQ(errno, EPERM);
	close(hold[1]);
	close(ready[0]);
	CHECK_EQ(exit_code(kid), 0);

	in_child(setsid_leader);

	/* setpgid: EACCES for a child that has executed one of the exec functions */
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(hold), 0);
	kid = fork();
	if (kid == 0) {
		char a1[12], a2[12];
		close(ready[0]);
		close(hold[1]);
		snprintf(a1, sizeof(a1), "%d", ready[1]);
		snprintf(a2, sizeof(a2), "%d", hold[0]);
		char *av[] = { "ppa", "hold", a1, a2, 0 };
		execv(SELF, av);
		_exit(99);
	}
	close(ready[1]);
	close(hold[0]);
	CHECK_EQ(read(ready[0], &c, 1), 1); /* the new image runs */
	CHECK_FAILS(setpgid(kid, kid), EACCES);
	close(hold[1]);
	close(ready[0]);
	CHECK_EQ(exit_code(kid), 0);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "args") == 0)
		return image_args(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "fds") == 0)
		return image_fds(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "sigs") == 0)
		return image_sigs();
	if (argc >= 2 && strcmp(argv[1], "hold") == 0)
		return image_hold(argc, argv);

	wait_basics();
	waitid_and_signals();
	stop_continue();
	reparent();
	exit_vs_underscore_exit();
	exec_errors();
	exec_args();
	exec_fds();
	exec_sigs();
	sig_errors();
	mask_calls();
	pending_and_self();
	in_child(group_kill_self);
	handler_flags();
	suspend();
	restart_or_eintr(0);
	restart_or_eintr(1);
	sigchld();
	groups();
	in_child(alarm_calls); /* its timer thread stays in that child */
	unlink(TEXT);
	unlink(COPY);
	return test_status();
}
