/*
 * Symbolic links (docs/files.md, "Symbolic links"): made with any text, read back with
 * readlink and lstat, followed by every call that takes a path but those that act on a
 * name (lstat, unlink, rename, readlink, mkdir and the like), relative to the link's own
 * directory; O_NOFOLLOW and O_CREAT|O_EXCL; loops (ELOOP); a dangling link that O_CREAT
 * fills; realpath; and every error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

static int got(const char *path, const char *want)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n == (ssize_t)strlen(want) && strcmp(buf, want) == 0;
}

static void basics(void)
{
	struct stat st;
	char buf[64];
	put("/tmp/sl_f", "hello");
	CHECK_EQ(symlink("sl_f", "/tmp/sl_l"), 0); /* relative: from /tmp */
	CHECK_EQ(lstat("/tmp/sl_l", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(stat("/tmp/sl_l", &st), 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == 5);
	CHECK_EQ(readlink("/tmp/sl_l", buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "sl_f", 4) == 0);
	CHECK_EQ(readlink("/tmp/sl_l", buf, 2), 2); /* cut to the buffer, no NUL */
	CHECK(memcmp(buf, "sl", 2) == 0);
	CHECK(got("/tmp/sl_l", "hello"));
	int fd = open("/tmp/sl_l", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	close(fd);
	CHECK(got("/tmp/sl_f", "hello!"));

	CHECK_EQ(open("/tmp/sl_l", O_RDONLY | O_NOFOLLOW), -1);
	CHECK_EQ(errno, ELOOP);
	CHECK_EQ(open("/tmp/sl_l", O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(readlink("/tmp/sl_f", buf, sizeof(buf)), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(readlink("/tmp/sl_none", buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ENOENT);

	/* rename and unlink act on the link itself */
	CHECK_EQ(rename("/tmp/sl_l", "/tmp/sl_m"), 0);
	CHECK(got("/tmp/sl_m", "hello!"));
	CHECK_EQ(unlink("/tmp/sl_m"), 0);
	CHECK(got("/tmp/sl_f", "hello!"));
	CHECK_EQ(unlink("/tmp/sl_f"), 0);
}

static void directories(void)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	struct stat st;
	CHECK_EQ(mkdir("/tmp/sl_d", 0755), 0);
	CHECK_EQ(mkdir("/tmp/sl_d/sub", 0755), 0);
	put("/tmp/sl_d/sub/x", "xx");
	CHECK_EQ(symlink("/tmp/sl_d/sub", "/tmp/sl_dl"), 0);
	CHECK(got("/tmp/sl_dl/x", "xx"));
	CHECK(got("/tmp/sl_dl/../sub/x", "xx")); /* ".." is the parent of where it leads */
	DIR *d = opendir("/tmp/sl_dl");
	int seen = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != 0)
		seen += strcmp(e->d_name, "x") == 0;
	CHECK(d != 0 && seen == 1);
	if (d)
		closedir(d);
	CHECK(realpath("/tmp/sl_dl/x", real) != 0 && strcmp(real, "/tmp/sl_d/sub/x") == 0);
	CHECK(realpath("/tmp/sl_dl", real) != 0 && strcmp(real, "/tmp/sl_d/sub") == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != 0);
	CHECK_EQ(chdir("/tmp/sl_dl"), 0);
	CHECK(got("x", "xx"));
	CHECK_EQ(chdir(cwd), 0);
	CHECK_EQ(mkdir("/tmp/sl_dl", 0755), -1); /* a name in use, even a link's */
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(rmdir("/tmp/sl_dl"), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(rmdir("/tmp/sl_d/sub/."), -1); /* POSIX: a last "." or ".." */
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(rmdir("/tmp/sl_d/sub/.."), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(rename("/tmp/sl_d/sub/.", "/tmp/sl_moved"), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(rename("/tmp/sl_d/sub", "/tmp/sl_d/.."), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(chdir("/tmp/sl_dl/.."), 0); /* the physical parent: getcwd names it */
	CHECK(getcwd(real, sizeof(real)) != 0 && strcmp(real, "/tmp/sl_d") == 0);
	CHECK_EQ(chdir(cwd), 0);
	CHECK_EQ(lstat("/tmp/sl_dl", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(unlink("/tmp/sl_dl"), 0);
	CHECK_EQ(unlink("/tmp/sl_d/sub/x"), 0);
	CHECK_EQ(rmdir("/tmp/sl_d/sub"), 0);
	CHECK_EQ(rmdir("/tmp/sl_d"), 0);
}

static void loops_and_dangling(void)
{
	struct stat st;
	CHECK_EQ(symlink("/tmp/sl_b", "/tmp/sl_a"), 0);
	CHECK_EQ(symlink("sl_a", "/tmp/sl_b"), 0);
	CHECK_EQ(open("/tmp/sl_a", O_RDONLY), -1);
	CHECK_EQ(errno, ELOOP);
	CHECK_EQ(stat("/tmp/sl_b/x", &st), -1);
	CHECK_EQ(errno, ELOOP);
	CHECK_EQ(lstat("/tmp/sl_a", &st), 0);
	CHECK_EQ(unlink("/tmp/sl_a"), 0);
	CHECK_EQ(unlink("/tmp/sl_b"), 0);

	CHECK_EQ(symlink("/tmp/sl_target", "/tmp/sl_dang"), 0);
	CHECK_EQ(stat("/tmp/sl_dang", &st), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(access("/tmp/sl_dang", F_OK), -1);
	int fd = open("/tmp/sl_dang", O_CREAT | O_WRONLY, 0600); /* makes what it names */
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat("/tmp/sl_target", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(unlink("/tmp/sl_dang"), 0);
	CHECK_EQ(unlink("/tmp/sl_target"), 0);
}

/* execve through a link: to an archive program, and to a copy in /tmp by a relative text. */
static void exec_through(void)
{
	CHECK_EQ(symlink("/bin/false", "/tmp/sl_x"), 0);
	for (int i = 0; i < 2; i++) {
		pid_t c = fork();
		if (c == 0) {
			execl("/tmp/sl_x", "false", (char *)0);
			_exit(99);
		}
		int st = -1;
		CHECK_EQ(waitpid(c, &st, 0), c);
		CHECK_EQ(st, 1 << 8); /* false ran, not our _exit */
		unlink("/tmp/sl_x");
		if (i == 0) {
			CHECK_EQ(system("cp /bin/false /tmp/sl_prog"), 0);
			CHECK_EQ(symlink("sl_prog", "/tmp/sl_x"), 0);
		}
	}
	unlink("/tmp/sl_prog");
}

static void errors(void)
{
	char longtext[PATH_MAX + 8];
	put("/tmp/sl_e", "e");
	CHECK_EQ(symlink("x", "/tmp/sl_e"), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(symlink("x", "/tmp/sl_none/l"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(symlink("x", "/tmp/sl_e/l"), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(symlink("x", "/bin/sl_l"), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(symlink("", "/tmp/sl_l"), -1);
	CHECK_EQ(errno, ENOENT);
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = 0;
	CHECK_EQ(symlink(longtext, "/tmp/sl_l"), -1);
	CHECK_EQ(errno, ENAMETOOLONG);
	CHECK_EQ(access("/tmp/sl_l", F_OK), -1);      /* no failure made a name */
	CHECK_EQ(link("/tmp/sl_e", "/tmp/sl_e2"), 0); /* a link to a file with links */
	CHECK_EQ(symlink("sl_e2", "/tmp/sl_l"), 0);
	CHECK(got("/tmp/sl_l", "e"));
	CHECK_EQ(unlink("/tmp/sl_l"), 0);
	CHECK_EQ(unlink("/tmp/sl_e2"), 0);
	CHECK_EQ(unlink("/tmp/sl_e"), 0);
	CHECK_EQ(sysconf(_SC_SYMLOOP_MAX), SYMLOOP_MAX);
	CHECK_EQ(pathconf("/tmp", _PC_2_SYMLINKS), 1);
	CHECK_EQ(pathconf("/tmp", _PC_SYMLINK_MAX), pathconf("/tmp", _PC_PATH_MAX) - 1);
	CHECK(pathconf("/tmp", _PC_LINK_MAX) > 1);
}

int main(void)
{
	basics();
	directories();
	loops_and_dangling();
	exec_through();
	errors();
	return test_status();
}
