/*
 * exec and posix_spawn take as many arguments as fit ARG_MAX, not a fixed few: 200
 * arguments reach the program (a shell glob of /bin gives about that many), and what does
 * not fit, too many strings or too many bytes for the new stack's page, is E2BIG with
 * the caller running on.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define MANY	 200
#define TOO_MANY 300

extern char **environ;

static char *args[TOO_MANY + 2];
static char words[TOO_MANY][8];

/* args = "sh" "-c" "exit $#" "zero" a1 ... an-4 : the child's exit status is $#. */
static void fill(int n)
{
	args[0] = "sh";
	args[1] = "-c";
	args[2] = "exit $#";
	args[3] = "zero";
	for (int i = 4; i < n; i++) {
		snprintf(words[i], sizeof(words[i]), "a%d", i);
		args[i] = words[i];
	}
	args[n] = 0;
}

static int exec_status(int n)
{
	int st = -1;
	fill(n);
	pid_t kid = fork();
	if (kid == 0) {
		execv("/bin/sh", args);
		_exit(errno == E2BIG ? 250 : 251);
	}
	waitpid(kid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	CHECK_EQ(exec_status(MANY), MANY - 4); /* $# counts what follows $0 */
	CHECK_EQ(exec_status(TOO_MANY), 250);
	pid_t pid;
	int st = -1;
	fill(MANY);
	CHECK_EQ(posix_spawn(&pid, "/bin/sh", 0, 0, args, environ), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == MANY - 4);
	/* 3.5 KiB of strings and the environment pass ARG_MAX (one 4 KiB message) */
	static char big[60][64];
	char *fat[64] = { "sh", "-c", "exit 0" };
	for (int i = 0; i < 55; i++) {
		memset(big[i], 'x', sizeof(big[i]) - 1);
		fat[3 + i] = big[i];
	}
	fat[58] = 0;
	CHECK_FAILS(execv("/bin/sh", fat), E2BIG);
	/* a shell glob over /bin hands every name to the program */
	pid_t kid = fork();
	if (kid == 0) {
		execl("/bin/sh", "sh", "-c", "set -- /bin/*; n=$#; ls /bin/* > /dev/null && exit 7",
		      (char *)0);
		_exit(99);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	return test_status();
}
