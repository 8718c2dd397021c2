/*
 * The path calls' POSIX edge cases: rename of a directory into itself (EINVAL), over a
 * non-empty directory, a file over a directory (EISDIR) and back (ENOTDIR), onto itself
 * (nothing happens), a directory over an empty one; rmdir of "." (EINVAL) and of a file
 * (ENOTDIR); a path through a file (ENOTDIR); read and write on the wrong access mode
 * (EBADF); a write past the end leaves a hole that reads as zeros.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static void make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	close(fd);
}

int main(void)
{
	struct stat st;
	char c = 1;
	CHECK_EQ(mkdir("/tmp/fe_a", 0755), 0);
	CHECK_EQ(mkdir("/tmp/fe_a/sub", 0755), 0);
	CHECK_EQ(mkdir("/tmp/fe_b", 0755), 0);
	make_file("/tmp/fe_b/x");
	make_file("/tmp/fe_f");
	errno = 0;
	CHECK(rename("/tmp/fe_a", "/tmp/fe_a/sub/in") == -1 && errno == EINVAL);
	errno = 0;
	CHECK(rename("/tmp/fe_a", "/tmp/fe_b") == -1 && (errno == ENOTEMPTY || errno == EEXIST));
	errno = 0;
	CHECK(rename("/tmp/fe_f", "/tmp/fe_a") == -1 && errno == EISDIR);
	errno = 0;
	CHECK(rename("/tmp/fe_a", "/tmp/fe_f") == -1 && errno == ENOTDIR);
	CHECK_EQ(rename("/tmp/fe_f", "/tmp/fe_f"), 0);
	CHECK_EQ(mkdir("/tmp/fe_c", 0755), 0);
	CHECK_EQ(rename("/tmp/fe_a", "/tmp/fe_c"), 0); /* over an empty directory */
	CHECK(stat("/tmp/fe_c/sub", &st) == 0 && S_ISDIR(st.st_mode));
	errno = 0;
	CHECK(rmdir("/tmp/fe_c/.") == -1 && errno == EINVAL);
	errno = 0;
	CHECK(rmdir("/tmp/fe_c/sub/./") == -1 && errno == EINVAL);
	errno = 0;
	CHECK(rmdir("/tmp/fe_f") == -1 && errno == ENOTDIR);
	errno = 0;
	CHECK(open("/tmp/fe_f/x", O_RDONLY) == -1 && errno == ENOTDIR);
	int fd = open("/tmp/fe_f", O_WRONLY);
	errno = 0;
	CHECK(read(fd, &c, 1) == -1 && errno == EBADF);
	close(fd);
	fd = open("/tmp/fe_f", O_RDONLY);
	errno = 0;
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
	close(fd);
	fd = open("/tmp/fe_f", O_RDWR);
	CHECK_EQ(lseek(fd, 100, SEEK_END), 100);
	CHECK_EQ(write(fd, "z", 1), 1);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 101);
	CHECK(pread(fd, &c, 1, 50) == 1 && c == 0);
	close(fd);
	CHECK_EQ(unlink("/tmp/fe_f"), 0);
	CHECK_EQ(unlink("/tmp/fe_b/x"), 0);
	CHECK_EQ(rmdir("/tmp/fe_b"), 0);
	CHECK_EQ(rmdir("/tmp/fe_c/sub"), 0);
	CHECK_EQ(rmdir("/tmp/fe_c"), 0);
	return test_status();
}
