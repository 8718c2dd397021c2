/*
 * execvp, execvpe and execlp: exec a program by name through $PATH (the directories between
 * colons, confstr(_CS_PATH)'s list when PATH is unset, an empty entry meaning "."). A name with a '/' is
 * used as it is. And execl, execve with the arguments listed. POSIX: a file found that is
 * not a program (ENOEXEC) is run as a shell script, by /bin/sh; when every candidate
 * fails, errno tells the most useful reason: a program found that would not run
 * (EACCES...) before "not found" (ENOENT).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXECVP_PATH_MAX 256
#define EXECLP_ARGS_MAX 64
#define SHELL_PATH	"/bin/sh"

extern char **environ;

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* execve, or for a file that is not a program, the shell with it: "sh path args...". */
static int exec_or_script(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return -1;
	int argc = 0;
	while (argc < EXECLP_ARGS_MAX && argv[argc])
		argc++;
	char *sh_argv[EXECLP_ARGS_MAX + 3];
	sh_argv[0] = argc ? argv[0] : (char *)SHELL_PATH;
	sh_argv[1] = (char *)path;
	for (int i = 1; i <= argc; i++)
		sh_argv[i + 1] = argv[i];
	sh_argv[argc + 1 + (argc == 0)] = 0;
	execve(SHELL_PATH, sh_argv, envp);
	errno = ENOEXEC; /* the shell itself would not run: the file's own reason */
	return -1;
}

/* execvp with the new image's environment given (the search still uses our PATH). */
int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char path[EXECVP_PATH_MAX], standard[EXECVP_PATH_MAX];
	int err = ENOENT;
	if (!file || !*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/'))
		return exec_or_script(file, argv, envp);
	const char *dirs = getenv("PATH");
	if (!dirs) { /* POSIX leaves it to us: the standard utilities' own path */
		size_t n = confstr(_CS_PATH, standard, sizeof(standard));
		dirs = n && n <= sizeof(standard) ? standard : "/bin";
	}
	for (const char *d = dirs; d;) {
		const char *colon = strchr(d, ':');
		int n = colon ? (int)(colon - d) : (int)strlen(d);
		int len = snprintf(path, sizeof(path), "%.*s/%s", n, n ? d : ".", file);
		if (len > 0 && len < (int)sizeof(path)) {
			exec_or_script(path, argv, envp);
			if (errno != ENOENT && errno != ENOTDIR)
				err = errno; /* found, but it would not run: say so */
		} else {
			err = err == ENOENT ? ENAMETOOLONG : err;
		}
		d = colon ? colon + 1 : 0;
	}
	errno = err;
	return -1;
}

/* Gather execl's variable arguments into argv (NULL-terminated): 0, or -1 (E2BIG). */
static int gather(char **argv, const char *arg0, va_list ap)
{
	int n = 0;
	argv[n++] = (char *)arg0;
	while (argv[n - 1] && n <= EXECLP_ARGS_MAX)
		argv[n++] = va_arg(ap, char *);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

int execlp(const char *file, const char *arg0, ...)
{
	char *argv[EXECLP_ARGS_MAX + 1];
	va_list ap;
	va_start(ap, arg0);
	int r = gather(argv, arg0, ap);
	va_end(ap);
	return r < 0 ? -1 : execvp(file, argv);
}

int execl(const char *path, const char *arg0, ...)
{
	char *argv[EXECLP_ARGS_MAX + 1];
	va_list ap;
	va_start(ap, arg0);
	int r = gather(argv, arg0, ap);
	va_end(ap);
	return r < 0 ? -1 : execve(path, argv, environ);
}
