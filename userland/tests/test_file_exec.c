/*
 * exec of a file written at run time: /bin/hello copied to /tmp/h through read and
 * write, then run twice from the copy with its standard output dup2'ed onto a file, so
 * the open file survives exec and both lines land in it (a close-on-exec one does not
 * survive: that line goes elsewhere); a file that is not a program
 * gives ENOEXEC, a missing one ENOENT, a directory or a file without an execute bit
 * EACCES; a "#!/bin/sh" script runs under the shell with its arguments, and execvp runs
 * a file that is not a program as a shell script (POSIX).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int test_failures;

static int copy(const char *from, const char *to)
{
	char buf[1000];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;
	long total = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			return -1;
		total += n;
	}
	close(in);
	close(out);
	return (int)total;
}

/* Run path with argument arg, its standard output on out (close-on-exec if cloexec). */
static pid_t start(const char *path, char *arg, int out, int cloexec)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "h", arg, 0 };
		dup2(out, 1);
		if (cloexec)
			fcntl(1, F_SETFD, FD_CLOEXEC);
		execv(path, argv);
		_exit(100 + errno);
	}
	return pid;
}

static int status_of(pid_t pid)
{
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Run path (execv, or execvp) with one argument; its exit status. */
static int run(const char *path, int use_path)
{
	char *argv[] = { "script", "arg1", 0 };
	pid_t pid = fork();
	if (pid == 0) {
		if (use_path)
			execvp(path, argv);
		else
			execv(path, argv);
		_exit(100 + errno);
	}
	return status_of(pid);
}

static void scripts(void)
{
	char buf[64] = { 0 };
	write_file("/tmp/s.sh", "#!/bin/sh\necho ran > /tmp/s.out\nexit 5\n", 0755);
	CHECK_EQ(run("/tmp/s.sh", 0), 5);
	int fd = open("/tmp/s.out", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 4 && strcmp(buf, "ran\n") == 0);
	close(fd);
	/* No "#!": execv refuses it, execvp hands it to the shell. */
	write_file("/tmp/p.sh", "exit 6\n", 0755);
	CHECK_EQ(run("/tmp/p.sh", 0), 100 + ENOEXEC);
	CHECK_EQ(run("/tmp/p.sh", 1), 6);
	/* An interpreter that is missing. */
	write_file("/tmp/m.sh", "#!/tmp/no-such-shell\n", 0755);
	CHECK_EQ(run("/tmp/m.sh", 0), 100 + ENOENT);
	CHECK_EQ(unlink("/tmp/s.sh"), 0);
	CHECK_EQ(unlink("/tmp/s.out"), 0);
	CHECK_EQ(unlink("/tmp/p.sh"), 0);
	CHECK_EQ(unlink("/tmp/m.sh"), 0);
}

int main(void)
{
	struct stat st;
	CHECK_EQ(stat("/bin/hello", &st), 0);
	CHECK_EQ(copy("/bin/hello", "/tmp/h"), st.st_size);
	/* The child's output goes to a file, so we can check it. */
	int out = open("/tmp/h.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	pid_t a = start("/tmp/h", "one", out, 0);
	CHECK_EQ(status_of(a), 0);
	pid_t b = start("/tmp/h", "two", out, 0);
	CHECK_EQ(status_of(b), 0);
	/* Close-on-exec: the program finds fd 1 closed, and its line goes to the console. */
	pid_t c = start("/bin/hello", "three", out, 1);
	CHECK_EQ(status_of(c), 0);
	char buf[64] = { 0 };
	CHECK(pread(out, buf, sizeof(buf) - 1, 0) > 0);
	CHECK(strstr(buf, "one") != 0 && strstr(buf, "two") != 0);
	CHECK(strstr(buf, "three") == 0);
	close(out);
	/* Not a program, missing, a directory, no execute bit (POSIX: EACCES for the last two). */
	int fd = open("/tmp/notelf", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK_EQ(write(fd, "\177ELG garbage\n", 14), 14);
	close(fd);
	char *argv[] = { "x", 0 };
	CHECK_EQ(execv("/tmp/notelf", argv), -1);
	CHECK_EQ(errno, ENOEXEC);
	CHECK_EQ(execv("/tmp/missing", argv), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(execv("/tmp", argv), -1);
	CHECK_EQ(errno, EACCES);
	CHECK_EQ(chmod("/tmp/notelf", 0644), 0);
	CHECK_EQ(execv("/tmp/notelf", argv), -1);
	CHECK_EQ(errno, EACCES);
	CHECK_EQ(unlink("/tmp/notelf"), 0);
	CHECK_EQ(unlink("/tmp/h"), 0);
	CHECK_EQ(unlink("/tmp/h.out"), 0);
	scripts();
	return test_status();
}
