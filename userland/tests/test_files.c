/*
 * The POSIX file calls against the file server: create, write, read back, seek, pread
 * and pwrite, O_APPEND, O_EXCL, O_TRUNC, ftruncate growing with zeros, stat and fstat,
 * rename, directories (mkdir, rmdir of a non-empty one, readdir), relative paths and
 * chdir, dup and dup2 sharing an offset, fcntl, the errors POSIX names, /bin read-only,
 * /dev/null and /dev/zero, stdio (fopen, fprintf, fgets, fclose) over these calls, and an
 * unlinked file still readable through an open descriptor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int test_failures;

static void basic_io(void)
{
	char buf[64] = { 0 };
	int fd = open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 3);
	CHECK_EQ(write(fd, "hello world", 11), 11);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "world", 5) == 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ(pwrite(fd, "W", 1, 6), 1);
	CHECK_EQ(pread(fd, buf, 5, 6), 5);
	CHECK(memcmp(buf, "World", 5) == 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11); /* pread and pwrite leave the offset */
	CHECK_EQ(lseek(fd, -1, SEEK_SET), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0644), -1);
	CHECK_EQ(errno, EEXIST);
	/* Growing leaves zeros, a hole reads back as zeros. */
	CHECK_EQ(ftruncate(fd, 8192), 0);
	CHECK_EQ(pread(fd, buf, 4, 8000), 4);
	CHECK(buf[0] == 0 && buf[3] == 0);
	CHECK_EQ(pwrite(fd, "x", 1, 20000), 1);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 20001);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(pread(fd, buf, 4, 12000), 4);
	CHECK(buf[0] == 0);
	CHECK_EQ(ftruncate(fd, 5), 0);
	CHECK_EQ(stat("/tmp/a", &st), 0);
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(close(fd), -1);
	CHECK_EQ(errno, EBADF);
	/* O_APPEND and O_TRUNC. */
	fd = open("/tmp/a", O_WRONLY | O_APPEND);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	CHECK_EQ(read(fd, buf, 1), -1);
	CHECK_EQ(errno, EBADF);
	close(fd);
	CHECK_EQ(stat("/tmp/a", &st), 0);
	CHECK_EQ(st.st_size, 6);
	fd = open("/tmp/a", O_RDWR | O_TRUNC);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	close(fd);
	CHECK_EQ(unlink("/tmp/a"), 0);
	CHECK_EQ(unlink("/tmp/a"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(open("/tmp/a", O_RDONLY), -1);
	CHECK_EQ(errno, ENOENT);
}

static void dup_and_fcntl(void)
{
	char c;
	int fd = open("/tmp/d", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(write(fd, "abc", 3), 3);
	int d = dup(fd);
	CHECK(d > fd);
	CHECK_EQ(lseek(d, 1, SEEK_SET), 1);
	CHECK_EQ(read(fd, &c, 1), 1); /* the offset is shared */
	CHECK_EQ(c, 'b');
	CHECK_EQ(dup2(fd, 20), 20);
	CHECK_EQ(fcntl(20, F_GETFD), 0);
	CHECK_EQ(fcntl(20, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(20, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_DUPFD, 25), 25);
	close(fd);
	close(d);
	close(25);
	CHECK_EQ(read(20, &c, 1), 1); /* still open through the last descriptor */
	CHECK_EQ(c, 'c');
	close(20);
	CHECK_EQ(dup(99), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(unlink("/tmp/d"), 0);
}

/* A forked child's descriptor is the same open file: the offset is shared. */
static void fork_offset(void)
{
	char c = 0;
	int fd = open("/tmp/fo", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char d[2];
		_exit(read(fd, d, 2) != 2 || d[0] != 'a');
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, 'c');
	/* The child's close does not close ours. */
	pid = fork();
	if (pid == 0)
		_exit(close(fd) != 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(read(fd, &c, 1), 1);
	CHECK_EQ(c, 'd');
	close(fd);
	CHECK_EQ(unlink("/tmp/fo"), 0);
}

static void dirs(void)
{
	char buf[64];
	struct stat st;
	CHECK_EQ(mkdir("/tmp/dir", 0755), 0);
	CHECK_EQ(mkdir("/tmp/dir", 0755), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(chdir("/tmp/dir"), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/tmp/dir") == 0);
	int fd = open("f", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat("/tmp/dir/f", &st), 0);
	CHECK_EQ(rename("f", "../g"), 0);
	CHECK_EQ(stat("/tmp/g", &st), 0);
	CHECK_EQ(rename("/tmp/g", "/tmp/dir/h"), 0);
	CHECK_EQ(rmdir("/tmp/dir"), -1);
	CHECK_EQ(errno, ENOTEMPTY);
	DIR *d = opendir(".");
	CHECK(d != 0);
	struct dirent *e = d ? readdir(d) : 0;
	CHECK(e && strcmp(e->d_name, "h") == 0 && e->d_type == DT_REG);
	CHECK(d && readdir(d) == 0);
	if (d)
		closedir(d);
	CHECK_EQ(open("/tmp/dir/h/x", O_RDONLY), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(open("/tmp/dir", O_WRONLY), -1);
	CHECK_EQ(errno, EISDIR);
	CHECK_EQ(open("/tmp/dir/h", O_RDONLY | O_DIRECTORY), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(unlink("h"), 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK_EQ(rmdir("dir"), 0);
	/* Rename over an existing file replaces it; the old name is gone. */
	close(open("/tmp/r1", O_WRONLY | O_CREAT, 0644));
	fd = open("/tmp/r2", O_WRONLY | O_CREAT, 0644);
	CHECK_EQ(write(fd, "22", 2), 2);
	close(fd);
	CHECK_EQ(rename("/tmp/r1", "/tmp/r2"), 0);
	CHECK_EQ(stat("/tmp/r2", &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(stat("/tmp/r1", &st), -1);
	CHECK_EQ(rename("/tmp/r2", "/tmp"), -1);
	CHECK_EQ(errno, EISDIR);
	CHECK_EQ(unlink("/tmp/r2"), 0);
	CHECK_EQ(unlink("/tmp"), -1);
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(chdir("/tmp/nothere"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(chdir("/"), 0);
}

static void special(void)
{
	char buf[16];
	struct stat st;
	int fd = open("/bin/hello", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, 4), 4);
	CHECK(memcmp(buf, "\177ELF", 4) == 0);
	close(fd);
	CHECK_EQ(open("/bin/hello", O_WRONLY), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(open("/bin/new", O_WRONLY | O_CREAT, 0644), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(unlink("/bin/hello"), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(access("/bin/hello", X_OK), 0);
	CHECK_EQ(access("/bin/hello", W_OK), -1);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK(buf[0] == 0 && buf[15] == 0);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	CHECK_EQ(write(fd, buf, 5), 5);
	CHECK_EQ(read(fd, buf, 5), 0);
	close(fd);
	fd = open("/dev/tty", O_WRONLY);
	CHECK(fd >= 0 && isatty(fd));
	CHECK(!isatty(-1));
	close(fd);
	CHECK_EQ(stat("/dev/null", &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(stat("/nothere/x", &st), -1);
	CHECK_EQ(errno, ENOENT);
}

static void unlinked_open(void)
{
	char buf[8] = { 0 };
	int fd = open("/tmp/u", O_RDWR | O_CREAT, 0644);
	CHECK_EQ(write(fd, "kept", 4), 4);
	CHECK_EQ(unlink("/tmp/u"), 0);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK(memcmp(buf, "kept", 4) == 0);
	CHECK_EQ(open("/tmp/u", O_RDONLY), -1);
	close(fd);
}

static void stdio(void)
{
	char line[32];
	FILE *f = fopen("/tmp/s", "w");
	CHECK(f != 0);
	if (!f)
		return;
	CHECK(fprintf(f, "line %d\nsecond\n", 1) > 0);
	CHECK_EQ(fclose(f), 0);
	f = fopen("/tmp/s", "r");
	CHECK(f != 0);
	if (!f)
		return;
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "line 1\n") == 0);
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "second\n") == 0);
	CHECK(fgets(line, sizeof(line), f) == 0);
	/* fileno: the standard streams' numbers, and a file stream's own descriptor. */
	struct stat a, b;
	int fd = fileno(f);
	CHECK(fd > 2 && fstat(fd, &a) == 0 && stat("/tmp/s", &b) == 0 && a.st_ino == b.st_ino);
	CHECK(fileno(stdin) == 0 && fileno(stdout) == 1 && fileno(stderr) == 2);
	fclose(f);
	CHECK_EQ(unlink("/tmp/s"), 0);
}

int main(void)
{
	basic_io();
	dup_and_fcntl();
	fork_offset();
	dirs();
	special();
	unlinked_open();
	stdio();
	return test_status();
}
