/*
 * exec after fork: the child becomes another program with the same pid and parent, gets
 * its arguments and environment, and fork + exec copies no page beyond what the child
 * touched before exec (compared with spawning the same program directly). All frames
 * come back after wait. A failed exec returns -1 and leaves the caller running. A name
 * without a slash is a path relative to the working directory, not the archive's program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/memstat.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "testlib.h"

#define COPY_BOUND  4 /* pages the child may write between fork and exec (its stack) */
#define EXIT_NOEXEC 99

extern char **environ;

static struct memstat now(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return m;
}

/* The role after exec: the same pid and parent as before, and the environment. */
static int exec_role(char **argv)
{
	const char *v = getenv("EXEC_TEST");
	int ok = atol(argv[2]) == getpid() && atol(argv[3]) == getppid();
	return ok && v && strcmp(v, "yes") == 0 ? 0 : 1;
}

static int wait_exit(pid_t pid)
{
	int st = -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* fork, then exec hello in the child: hello's exit status. */
static int fork_exec_hello(void)
{
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = { "hello", "from", "exec", 0 };
		execv("/bin/hello", argv);
		_exit(EXIT_NOEXEC);
	}
	return c > 0 ? wait_exit(c) : -1;
}

static int spawn_hello(void)
{
	static const char buf[] = "hello\0from\0spawn";
	int64_t pid = proc_request(PROC_SPAWN, 0, 0, 0, buf, sizeof(buf));
	return pid > 0 ? wait_exit((pid_t)pid) : -1;
}

static void check_identity(const char *self)
{
	pid_t c = fork();
	if (c == 0) {
		char me[24], parent[24];
		snprintf(me, sizeof(me), "%ld", (long)getpid());
		snprintf(parent, sizeof(parent), "%ld", (long)getppid());
		char *argv[] = { (char *)self, "role", me, parent, 0 };
		char *envp[] = { "EXEC_TEST=yes", 0 };
		execve(self, argv, envp);
		_exit(EXIT_NOEXEC);
	}
	CHECK_EQ(wait_exit(c), 0);
}

static void check_copies(void)
{
	CHECK_EQ(fork_exec_hello(), 0); /* warm up: the server's slots and tables */
	CHECK_EQ(spawn_hello(), 0);
	struct memstat a = now();
	CHECK_EQ(spawn_hello(), 0);
	struct memstat b = now();
	CHECK_EQ(fork_exec_hello(), 0);
	struct memstat c = now();
	long spawned = (long)(b.cow_copies - a.cow_copies);
	long forked = (long)(c.cow_copies - b.cow_copies);
	printf("  exec: copies spawn %ld, fork+exec %ld; free frames %lu -> %lu\n", spawned, forked,
	       (unsigned long)a.free_frames, (unsigned long)c.free_frames);
	CHECK(forked - spawned <= COPY_BOUND);
	CHECK_EQ(c.free_frames, a.free_frames);
}

#define BARE_DIR    "/tmp/exec_bare"
#define EXIT_ENOENT 42
#define EXIT_OTHER  43
#define SCRIPT_EXIT 7 /* what the script below exits with */

/* In a child: chdir to dir, then exec name as execl does (no PATH search): its status,
 * EXIT_ENOENT for a failure with ENOENT. */
static int exec_in(const char *dir, const char *name, int spawn)
{
	pid_t c = fork();
	if (c == 0) {
		if (chdir(dir) != 0)
			_exit(EXIT_OTHER);
		char *argv[] = { (char *)name, 0 };
		if (spawn) {
			pid_t p;
			int err = posix_spawn(&p, name, 0, 0, argv, environ);
			_exit(err == ENOENT ? EXIT_ENOENT : err ? EXIT_OTHER : wait_exit(p));
		}
		execl(name, name, (char *)0);
		_exit(errno == ENOENT ? EXIT_ENOENT : EXIT_OTHER);
	}
	return c > 0 ? wait_exit(c) : -1;
}

/*
 * POSIX: execve's path is a pathname, so a name without a slash is a file in the working
 * directory (only execvp and execlp search PATH). From / there is no "true"; from /bin
 * it is the archive's; a script in a directory runs by its bare name, and one named like
 * a /bin program runs instead of that program. The library used to take any bare name as
 * the archive's program.
 */
static void bare_names(void)
{
	CHECK_EQ(exec_in("/", "true", 0), EXIT_ENOENT);
	CHECK_EQ(exec_in("/", "true", 1), EXIT_ENOENT);
	CHECK_EQ(exec_in("/bin", "true", 0), 0);
	CHECK_EQ(exec_in("/bin", "true", 1), 0);
	mkdir(BARE_DIR, 0755);
	put_file(BARE_DIR "/echo", "#!/bin/sh\nexit 7\n");
	CHECK_EQ(chmod(BARE_DIR "/echo", 0755), 0);
	CHECK_EQ(exec_in(BARE_DIR, "echo", 0), SCRIPT_EXIT);
	CHECK_EQ(exec_in(BARE_DIR, "echo", 1), SCRIPT_EXIT);
	CHECK_EQ(exec_in(BARE_DIR, "../exec_bare/echo", 0), SCRIPT_EXIT);
	pid_t c = fork();
	if (c == 0) { /* execlp searches PATH (unset: /bin), so it finds the archive's */
		chdir(BARE_DIR);
		execlp("true", "true", (char *)0);
		_exit(EXIT_OTHER);
	}
	CHECK_EQ(wait_exit(c), 0);
	CHECK_EQ(unlink(BARE_DIR "/echo"), 0);
	CHECK_EQ(rmdir(BARE_DIR), 0);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "role") == 0)
		return exec_role(argv);
	char *none[] = { "no_such_program", 0 };
	CHECK_FAILS(execv("/bin/no_such_program", none), ENOENT);
	check_identity("/bin/test_exec");
	bare_names(); /* a path: argv[0] is a bare name */
	check_copies();
	return test_status();
}
