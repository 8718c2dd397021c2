/*
 * posix_spawn, posix_spawnp, system, popen and pclose (docs/userland.md): a program
 * started with file actions (dup2, open, close) and attributes (signal mask, default
 * signals, process group), signals pending across exec and sent during it, the error of
 * a program that cannot run with no child left behind, system's status, and popen in
 * both directions.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SELF "/bin/test_posix_spawn"
#define OUT  "/tmp/pspawn_out"

extern char **environ;

static int status_of(pid_t pid)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Bytes the child wrote to the pipe's read end r, up to n-1, as a string. */
static void drain(int r, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t k;
	while (got < n - 1 && (k = read(r, buf + got, n - 1 - got)) > 0)
		got += (size_t)k;
	buf[got] = 0;
}

static void spawn_basics(void)
{
	pid_t pid = -1;
	char *true_argv[] = { "true", 0 };
	CHECK_EQ(posix_spawn(&pid, "/bin/true", 0, 0, true_argv, environ), 0);
	CHECK(pid > 0 && status_of(pid) == 0);
	/* A program that cannot run: its error, and no child to wait for. */
	CHECK_EQ(posix_spawn(&pid, "/bin/no_such_program", 0, 0, true_argv, environ), ENOENT);
	CHECK(waitpid(-1, 0, WNOHANG) == -1 && errno == ECHILD);
	CHECK_EQ(posix_spawnp(&pid, "no_such_program", 0, 0, true_argv, environ), ENOENT);

	/* posix_spawnp through PATH, its output on a pipe by adddup2. */
	int p[2];
	char buf[64];
	posix_spawn_file_actions_t fa;
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, p[1], 1), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, p[0]), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, p[1]), 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, -1), EBADF);
	char *echo_argv[] = { "echo", "spawned", "here", 0 };
	CHECK_EQ(posix_spawnp(&pid, "echo", &fa, 0, echo_argv, environ), 0);
	close(p[1]);
	drain(p[0], buf, sizeof(buf));
	close(p[0]);
	CHECK_EQ(status_of(pid), 0);
	CHECK(strcmp(buf, "spawned here\n") == 0);
	CHECK_EQ(posix_spawn_file_actions_destroy(&fa), 0);

	/* addopen: the output goes to a file. A failing action fails the spawn. */
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 1, OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644),
		 0);
	CHECK_EQ(posix_spawnp(&pid, "echo", &fa, 0, echo_argv, environ), 0);
	CHECK_EQ(status_of(pid), 0);
	int fd = open(OUT, O_RDONLY);
	drain(fd, buf, sizeof(buf));
	close(fd);
	CHECK(strcmp(buf, "spawned here\n") == 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(posix_spawn_file_actions_init(&fa), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 3, "/no/such/dir/x", O_RDONLY, 0), 0);
	CHECK_EQ(posix_spawnp(&pid, "echo", &fa, 0, echo_argv, environ), ENOENT);
	posix_spawn_file_actions_destroy(&fa);
	unlink(OUT);
}

/*
 * In the image exec_window starts: wait before the C library's constructors run (they
 * have no priority, so this one runs first), that is before the image registers where it
 * takes signals, so that the signals sent meanwhile reach the fork server in that state.
 */
#define WINDOW_ENV "TEST_EXEC_WINDOW"
__attribute__((constructor(101))) static void window_wait(void)
{
	struct timespec wait = { 0, 500 * 1000 * 1000 };
	if (getenv(WINDOW_ENV))
		nanosleep(&wait, 0);
}

/* The spawned image of this test: exit 0 if what argv[1] names holds. */
static int report(const char *what)
{
	sigset_t mask;
	sigprocmask(SIG_BLOCK, 0, &mask);
	if (strcmp(what, "masked") == 0)
		return sigismember(&mask, SIGUSR1) == 1 ? 0 : 1;
	if (strcmp(what, "usr2") == 0) { /* dies of SIGUSR2 unless it is ignored */
		kill(getpid(), SIGUSR2);
		return 0;
	}
	if (strcmp(what, "group") == 0)
		return getpgrp() == getpid() ? 0 : 1;
	if (strcmp(what, "pending") == 0) { /* dies of SIGUSR1 if it is really pending */
		sigset_t p, usr1;
		sigpending(&p);
		if (!sigismember(&p, SIGUSR1) || !sigismember(&p, SIGUSR2))
			return 1;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &usr1, 0);
		return 3;
	}
	if (strcmp(what, "window") == 0) { /* alive: SIGUSR1 held, SIGUSR2 dropped */
		sigset_t p;
		sigpending(&p);
		return sigismember(&p, SIGUSR1) == 1 && sigismember(&p, SIGUSR2) == 0 ? 0 : 5;
	}
	return 2;
}

/*
 * exec keeps what is pending (POSIX): SIGUSR1 raised (this thread's) and SIGUSR2 sent by
 * kill (the process's), both blocked. The new image sees both in sigpending and dies of
 * SIGUSR1 when it unblocks it.
 */
static void exec_keeps_pending(void)
{
	pid_t c = fork();
	if (c == 0) {
		sigset_t both;
		sigemptyset(&both);
		sigaddset(&both, SIGUSR1);
		sigaddset(&both, SIGUSR2);
		sigprocmask(SIG_BLOCK, &both, 0);
		raise(SIGUSR1);
		kill(getpid(), SIGUSR2);
		char *argv[] = { "test_posix_spawn", "pending", 0 };
		execv(SELF, argv);
		_exit(4);
	}
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
}

/*
 * A signal sent while exec is under way, after the old image is gone and before the new
 * one takes signals (docs/signals.md, "exec"): the fork server holds one the new image
 * blocks and drops one it ignores, where it used to apply the default action and end the
 * process. The new image waits in a constructor (window_wait) while the signals come; if
 * this host is slow enough that they come before or after that, the exit is the same.
 */
static void exec_window(void)
{
	pid_t c = fork();
	if (c == 0) {
		sigset_t usr1;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, 0);
		signal(SIGUSR2, SIG_IGN);
		setenv(WINDOW_ENV, "1", 1);
		char *argv[] = { "test_posix_spawn", "window", 0 };
		execv(SELF, argv);
		_exit(4);
	}
	usleep(100 * 1000); /* the new image is waiting by now, on any host we test on */
	CHECK_EQ(kill(c, SIGUSR1), 0);
	CHECK_EQ(kill(c, SIGUSR2), 0);
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void attributes(void)
{
	posix_spawnattr_t a;
	pid_t pid;
	int st = -1;
	sigset_t set;
	char *masked[] = { "test_posix_spawn", "masked", 0 };
	char *usr2[] = { "test_posix_spawn", "usr2", 0 };
	char *group[] = { "test_posix_spawn", "group", 0 };
	CHECK_EQ(posix_spawnattr_init(&a), 0);
	CHECK_EQ(posix_spawnattr_setflags(&a, 0x4000), EINVAL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_EQ(posix_spawnattr_setsigmask(&a, &set), 0);
	CHECK_EQ(posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSIGMASK), 0);
	CHECK_EQ(posix_spawn(&pid, SELF, 0, &a, masked, environ), 0);
	CHECK_EQ(status_of(pid), 0);
	/* SIG_IGN survives exec; POSIX_SPAWN_SETSIGDEF puts the default back. */
	signal(SIGUSR2, SIG_IGN);
	CHECK_EQ(posix_spawnattr_init(&a), 0);
	CHECK_EQ(posix_spawn(&pid, SELF, 0, &a, usr2, environ), 0);
	CHECK_EQ(status_of(pid), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_EQ(posix_spawnattr_setsigdefault(&a, &set), 0);
	CHECK_EQ(posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSIGDEF), 0);
	CHECK_EQ(posix_spawn(&pid, SELF, 0, &a, usr2, environ), 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2);
	signal(SIGUSR2, SIG_DFL);
	/* A process group of its own. */
	CHECK_EQ(posix_spawnattr_init(&a), 0);
	CHECK_EQ(posix_spawnattr_setpgroup(&a, 0), 0);
	CHECK_EQ(posix_spawnattr_setflags(&a, POSIX_SPAWN_SETPGROUP), 0);
	CHECK_EQ(posix_spawn(&pid, SELF, 0, &a, group, environ), 0);
	CHECK_EQ(status_of(pid), 0);
	short flags = 0;
	CHECK(posix_spawnattr_getflags(&a, &flags) == 0 && flags == POSIX_SPAWN_SETPGROUP);
	CHECK_EQ(posix_spawnattr_destroy(&a), 0);
}

static void system_and_popen(void)
{
	char line[64];
	CHECK(system(0) != 0);
	int st = system("exit 3");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK_EQ(system("true"), 0);
	FILE *f = popen("echo from the shell", "r");
	CHECK(f != 0);
	CHECK(f && fgets(line, sizeof(line), f) && strcmp(line, "from the shell\n") == 0);
	CHECK(f && fgets(line, sizeof(line), f) == 0); /* EOF once it is gone */
	CHECK_EQ(f ? pclose(f) : -1, 0);
	f = popen("cat > " OUT, "w");
	CHECK(f != 0);
	if (f) {
		fputs("into cat\n", f);
		CHECK_EQ(pclose(f), 0);
	}
	int fd = open(OUT, O_RDONLY);
	ssize_t n = read(fd, line, sizeof(line) - 1);
	close(fd);
	CHECK(n == 9 && memcmp(line, "into cat\n", 9) == 0);
	unlink(OUT);
	errno = 0;
	CHECK(popen("true", "x") == 0 && errno == EINVAL);
	CHECK(pclose(stdin) == -1 && errno == ECHILD);
	f = popen("exit 5", "r");
	st = f ? pclose(f) : -1;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return report(argv[1]);
	spawn_basics();
	attributes();
	exec_keeps_pending();
	exec_window();
	system_and_popen();
	return test_status();
}
