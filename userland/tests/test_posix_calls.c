/*
 * The smaller POSIX calls ported programs use (docs/userland.md): the *at calls on a
 * directory descriptor (which follows the directory when it is renamed, and fails once
 * it is removed), fchdir, realpath, readv and writev (a small vector is one write, a
 * large readv of a pipe reads once), dup3, fdatasync, getcwd(NULL), the scheduling
 * policy calls, pathconf, getrusage, mlock and posix_madvise.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "testlib.h"

static void at_calls(void)
{
	struct stat st;
	CHECK_EQ(mkdir("/tmp/at", 0755), 0);
	int d = open("/tmp/at", O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0);
	int f = openat(d, "f", O_CREAT | O_RDWR, 0600);
	CHECK(f >= 0);
	CHECK_EQ(write(f, "abc", 3), 3);
	CHECK_EQ(fstatat(d, "f", &st, 0), 0);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(fstatat(AT_FDCWD, "/tmp/at/f", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(fstatat(d, "f", &st, 0x4000) == -1 && errno == EINVAL);
	CHECK_EQ(mkdirat(d, "sub", 0755), 0);
	CHECK_EQ(faccessat(d, "sub", X_OK, 0), 0);
	CHECK_EQ(fchmodat(d, "f", 0640, 0), 0);
	CHECK_EQ(fstatat(d, "f", &st, 0), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	CHECK_EQ(renameat(d, "f", d, "sub/g"), 0);
	CHECK_EQ(stat("/tmp/at/sub/g", &st), 0);
	/* The descriptor follows its directory through a rename. */
	CHECK_EQ(rename("/tmp/at", "/tmp/at2"), 0);
	CHECK_EQ(fstatat(d, "sub/g", &st, 0), 0);
	CHECK(unlinkat(d, "sub", 0) == -1 && errno == EPERM); /* a directory: unlink says no */
	CHECK(unlinkat(d, "sub", AT_REMOVEDIR) == -1 && errno == ENOTEMPTY);
	CHECK_EQ(unlinkat(d, "sub/g", 0), 0);
	CHECK_EQ(unlinkat(d, "sub", AT_REMOVEDIR), 0);
	CHECK(openat(f, "x", O_RDONLY) == -1 && errno == ENOTDIR); /* not a directory */
	CHECK(openat(99, "x", O_RDONLY) == -1 && errno == EBADF);
	CHECK(openat(d, "", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(openat(99, "/tmp", O_RDONLY | O_DIRECTORY) >= 0); /* absolute: dirfd unused */
	/* fchdir, and a directory removed while open. */
	char here[PATH_MAX];
	CHECK_EQ(fchdir(d), 0);
	CHECK(getcwd(here, sizeof(here)) && strcmp(here, "/tmp/at2") == 0);
	CHECK(fchdir(f) == -1 && errno == ENOTDIR);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(rmdir("/tmp/at2"), 0);
	CHECK(fchdir(d) == -1 && errno == ENOENT);
	CHECK(openat(d, "y", O_CREAT | O_RDWR, 0600) == -1 && errno == ENOENT);
	close(f);
	close(d);
}

static void paths(void)
{
	char out[PATH_MAX];
	CHECK_EQ(chdir("/tmp"), 0);
	CHECK(realpath("../bin/./hello", out) && strcmp(out, "/bin/hello") == 0);
	char *a = realpath(".", 0);
	CHECK(a && strcmp(a, "/tmp") == 0);
	free(a);
	CHECK(realpath("nothing/here", out) == 0 && errno == ENOENT);
	char *cwd = getcwd(0, 0);
	CHECK(cwd && strcmp(cwd, "/tmp") == 0);
	free(cwd);
	CHECK(getcwd(out, 0) == 0 && errno == EINVAL);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(pathconf("/tmp", _PC_NAME_MAX), 59);
	CHECK_EQ(pathconf("/tmp", _PC_PATH_MAX), 256);
	CHECK_EQ(NAME_MAX, 59); /* <limits.h> says what the file server keeps */
	CHECK_EQ(PATH_MAX, 256);
	char longest[5 + NAME_MAX + 2] = "/tmp/";
	memset(longest + 5, 'n', NAME_MAX);
	longest[5 + NAME_MAX] = 0;
	int lfd = open(longest, O_CREAT | O_WRONLY, 0600); /* a name of NAME_MAX bytes is kept */
	CHECK(lfd >= 0);
	close(lfd);
	CHECK_EQ(unlink(longest), 0);
	strcat(longest, "n");
	CHECK(open(longest, O_CREAT | O_WRONLY, 0600) == -1 && errno == ENAMETOOLONG);
	CHECK_EQ(fpathconf(0, _PC_PIPE_BUF), PIPE_BUF);
	CHECK(pathconf("/none", _PC_NAME_MAX) == -1 && errno == ENOENT);
	CHECK(pathconf("/tmp", 12345) == -1 && errno == EINVAL);
}

static void vectors(void)
{
	int p[2];
	char a[3] = "ab", b[4] = "cde", got[16] = { 0 };
	struct iovec out[2] = { { a, 2 }, { b, 3 } };
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(writev(p[1], out, 2), 5);
	char x[2], y[8];
	struct iovec in[2] = { { x, 2 }, { y, 8 } };
	CHECK_EQ(readv(p[0], in, 2), 5); /* one read: what the pipe holds */
	CHECK(memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
	/* A large readv of a pipe reads once, into the first element, and does not block. */
	static char big[3][2048];
	struct iovec large[3] = { { big[0], 2048 }, { big[1], 2048 }, { big[2], 2048 } };
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(readv(p[0], large, 3), 5);
	CHECK(memcmp(big[0], "hello", 5) == 0);
	CHECK(writev(p[1], out, -1) == -1 && errno == EINVAL);
	CHECK(writev(p[1], out, IOV_MAX + 1) == -1 && errno == EINVAL);
	close(p[0]);
	close(p[1]);
	/* A file: large vectors element by element, all of it. */
	int f = open("/tmp/vec", O_CREAT | O_RDWR | O_TRUNC, 0600);
	memset(big, 'q', sizeof(big));
	big[2][2047] = 'Z';
	CHECK_EQ(writev(f, large, 3), 3 * 2048);
	CHECK_EQ(fdatasync(f), 0);
	memset(big, 0, sizeof(big));
	CHECK_EQ(lseek(f, 0, SEEK_SET), 0);
	CHECK_EQ(readv(f, large, 3), 3 * 2048);
	CHECK(big[1][0] == 'q' && big[2][2047] == 'Z');
	CHECK_EQ(pread(f, got, 1, 6143), 1);
	CHECK_EQ(got[0], 'Z');
	/* dup3 */
	CHECK_EQ(dup3(f, 20, O_CLOEXEC), 20);
	CHECK_EQ(fcntl(20, F_GETFD), FD_CLOEXEC);
	CHECK(dup3(f, f, 0) == -1 && errno == EINVAL);
	CHECK(dup3(f, 21, O_APPEND) == -1 && errno == EINVAL);
	close(20);
	close(f);
	unlink("/tmp/vec");
}

static void small_facts(void)
{
	struct sched_param sp = { .sched_priority = 0 };
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
	CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0);
	CHECK(sched_get_priority_max(77) == -1 && errno == EINVAL);
	CHECK_EQ(sched_getparam(getpid(), &sp), 0);
	CHECK_EQ(sp.sched_priority, 0);
	CHECK_EQ(sched_setscheduler(0, SCHED_OTHER, &sp), SCHED_OTHER);
	CHECK(sched_setscheduler(0, SCHED_FIFO, &sp) == -1 && errno == EPERM);
	CHECK(sched_getscheduler(999999) == -1 && errno == ESRCH);
	struct rusage ru;
	CHECK_EQ(getrusage(RUSAGE_SELF, &ru), 0);
	CHECK(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK(getrusage(5, &ru) == -1 && errno == EINVAL);
	static char page[4096] __attribute__((aligned(4096)));
	CHECK_EQ(mlock(page, sizeof(page)), 0);
	CHECK_EQ(munlock(page, sizeof(page)), 0);
	CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);
	CHECK(mlockall(0) == -1 && errno == EINVAL);
	CHECK_EQ(munlockall(), 0);
	CHECK_EQ(posix_madvise(page, sizeof(page), POSIX_MADV_SEQUENTIAL), 0);
	CHECK_EQ(posix_madvise(page, sizeof(page), 99), EINVAL);
}

int main(void)
{
	at_calls();
	paths();
	vectors();
	small_facts();
	return test_status();
}
