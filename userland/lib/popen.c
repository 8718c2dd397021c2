/*
 * system, popen and pclose (docs/userland.md): each runs `/bin/sh -c command` in a
 * child. system waits for it with SIGINT and SIGQUIT ignored and SIGCHLD blocked, as
 * POSIX asks; popen connects the child's standard output (mode "r") or input ("w") to
 * a pipe and hands back a stream over our end, and pclose closes it and waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pthread_impl.h"

#define SHELL	     "/bin/sh"
#define POPEN_MAX    16 /* streams popen may have open at once (EMFILE past it) */
#define EXIT_NO_EXEC 127

static struct {
	FILE *stream;
	pid_t pid;
	int fd;
} popened[POPEN_MAX];

/* waitpid that goes on through EINTR: the child's status, or -1. */
static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

int system(const char *command)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigset_t chld, old_mask;
	if (!command)
		return access(SHELL, X_OK) == 0; /* is there a shell to run commands? */
	cancel_point(); /* system is a cancellation point (its waitpid is one too) */
	sigemptyset(&ignore.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, 0);
		sigaction(SIGQUIT, &old_quit, 0);
		sigprocmask(SIG_SETMASK, &old_mask, 0);
		execl(SHELL, "sh", "-c", command, (char *)0);
		_exit(EXIT_NO_EXEC);
	}
	int status = pid < 0 ? -1 : reap(pid);
	int err = errno;
	sigaction(SIGINT, &old_int, 0);
	sigaction(SIGQUIT, &old_quit, 0);
	sigprocmask(SIG_SETMASK, &old_mask, 0);
	errno = err;
	return status;
}

/* Mode "r" or "w", optionally with 'e' (close on exec): 0 or 1 for the child's end, -1. */
static int child_end(const char *mode, int *cloexec)
{
	if (!mode || (mode[0] != 'r' && mode[0] != 'w') || (mode[1] && strcmp(mode + 1, "e")))
		return -1;
	*cloexec = mode[1] == 'e';
	return mode[0] == 'r' ? STDOUT_FILENO : STDIN_FILENO;
}

FILE *popen(const char *command, const char *mode)
{
	int ends[2], cloexec, slot = -1;
	int target = child_end(mode, &cloexec);
	if (target < 0 || !command) {
		errno = EINVAL;
		return 0;
	}
	for (int i = 0; i < POPEN_MAX && slot < 0; i++)
		if (!popened[i].stream)
			slot = i;
	if (slot < 0) {
		errno = EMFILE;
		return 0;
	}
	if (pipe2(ends, O_CLOEXEC) != 0)
		return 0;
	int ours = target == STDOUT_FILENO ? ends[0] : ends[1];
	int theirs = target == STDOUT_FILENO ? ends[1] : ends[0];
	pid_t pid = fork();
	if (pid == 0) {
		/* POSIX: the streams of earlier popen calls are not the child's. */
		for (int i = 0; i < POPEN_MAX; i++)
			if (popened[i].stream)
				close(popened[i].fd);
		if (dup2(theirs, target) < 0)
			_exit(EXIT_NO_EXEC);
		execl(SHELL, "sh", "-c", command, (char *)0);
		_exit(EXIT_NO_EXEC);
	}
	close(theirs);
	FILE *f = pid < 0 ? 0 : fdopen(ours, mode[0] == 'r' ? "r" : "w");
	if (!f) {
		int err = errno;
		close(ours);
		if (pid > 0)
			reap(pid);
		errno = err;
		return 0;
	}
	if (!cloexec)
		fcntl(ours, F_SETFD, 0);
	popened[slot].stream = f;
	popened[slot].pid = pid;
	popened[slot].fd = ours;
	return f;
}

int pclose(FILE *stream)
{
	for (int i = 0; i < POPEN_MAX; i++) {
		if (!stream || popened[i].stream != stream)
			continue;
		pid_t pid = popened[i].pid;
		popened[i].stream = 0;
		fclose(stream);
		return reap(pid);
	}
	errno = ECHILD; /* not a stream popen gave us */
	return -1;
}
