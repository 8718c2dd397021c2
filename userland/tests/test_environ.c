/*
 * The environment init gives the programs it starts (PATH=/bin, HOME=/, PWD=/, and
 * nothing else), confstr(_CS_PATH), and execvp/execlp finding a program with PATH unset
 * (the default search path, confstr's) or set to a list without /bin (not found).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

extern char **environ;

static void from_init(void)
{
	const char *path = getenv("PATH"), *home = getenv("HOME"), *pwd = getenv("PWD");
	CHECK(path && strcmp(path, "/bin") == 0);
	CHECK(home && strcmp(home, "/") == 0);
	CHECK(pwd && strcmp(pwd, "/") == 0);
	int n = 0;
	while (environ[n])
		n++;
	CHECK_EQ(n, 3);
}

static void cs_path(void)
{
	char buf[16], small[3];
	CHECK_EQ(confstr(_CS_PATH, 0, 0), 5);
	CHECK_EQ(confstr(_CS_PATH, buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "/bin") == 0);
	CHECK_EQ(confstr(_CS_PATH, small, sizeof(small)), 5); /* cut, and still terminated */
	CHECK(strcmp(small, "/b") == 0);
	errno = 0;
	CHECK_EQ(confstr(12345, buf, sizeof(buf)), 0);
	CHECK_EQ(errno, EINVAL);
}

/* Exec name through execlp (or execvp) in a child with PATH as given (NULL: unset). */
static int run_with_path(const char *path, const char *name, int use_execvp)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (path)
			setenv("PATH", path, 1);
		else
			unsetenv("PATH");
		if (use_execvp) {
			char *argv[] = { (char *)name, "3", 0 };
			execvp(name, argv);
		} else {
			execlp(name, name, (char *)0);
		}
		_exit(errno == ENOENT ? 90 : 91);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

static void search(void)
{
	CHECK_EQ(run_with_path(0, "true", 0), 0);
	CHECK_EQ(run_with_path(0, "false", 1), 1);
	CHECK_EQ(run_with_path("/nowhere:/tmp", "true", 0), 90);
	CHECK_EQ(run_with_path("/nowhere:/bin", "false", 0), 1);
}

int main(void)
{
	from_init();
	cs_path();
	search();
	return test_status();
}
