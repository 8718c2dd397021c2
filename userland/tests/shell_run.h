/*
 * For the shell's in-guest tests: run `sh -c SCRIPT` with its standard output (and, on
 * request, its standard error) in a file, and compare what it wrote and its exit status.
 * Included by test_shell_lang.c and test_shell_bin.c; each defines OUT_FILE first.
 */
#ifndef TESTS_SHELL_RUN_H
#define TESTS_SHELL_RUN_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define OUT_MAX 512

/* Run sh -c script, stdout (and stderr with err) into OUT_FILE, that into out: the wait status. */
static int sh_run(const char *script, char *out, int err)
{
	int status = -1, fd = open(OUT_FILE, O_RDWR | O_CREAT | O_TRUNC, 0666);
	ssize_t len = 0;
	out[0] = 0;
	if (fd < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		if (err)
			dup2(fd, STDERR_FILENO);
		close(fd);
		execl("/bin/sh", "sh", "-c", script, (char *)0);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	len = pread(fd, out, OUT_MAX - 1, 0);
	out[len > 0 ? len : 0] = 0;
	close(fd);
	unlink(OUT_FILE);
	return status;
}

/* Check that script prints exactly want (on stdout, and stderr too with err) and exits with code. */
static void expect(const char *script, const char *want, int code, int err)
{
	char out[OUT_MAX];
	int st = sh_run(script, out, err);
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == code && strcmp(out, want) == 0;
	CHECK(ok);
	if (!ok)
		printf("  script %s: status %#x, output [%s], wanted [%s] and exit %d\n", script,
		       st, out, want, code);
}

#endif
