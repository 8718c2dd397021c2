/*
 * An audit of everyday descriptor, file and pipe behaviour against POSIX.1-2017, as a
 * program ported from Linux expects it: open's flags and errors, lseek, read and write
 * at and past the end, pread/pwrite, dup/dup2/fcntl, shared offsets and status flags
 * (across fork too), ftruncate, stat/fstat, unlink and rename of open files, pipes
 * (EOF, EAGAIN, EPIPE and SIGPIPE, PIPE_BUF atomicity, fstat) and poll on them, a FIFO.
 * Each CHECK asserts what POSIX specifies (the comment names the rule), nothing
 * Linux-only. Files live under /tmp/pa_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define F1    "/tmp/pa_one"
#define F2    "/tmp/pa_two"
#define F3    "/tmp/pa_three"
#define FNEW  "/tmp/pa_new"
#define DIR1  "/tmp/pa_dir"
#define FIFO1 "/tmp/pa_fifo"

#define WRITERS	     4
#define BLOCKS_EACH  48
#define ATOMIC_BYTES 512 /* _POSIX_PIPE_BUF: the least PIPE_BUF may be */

static char big[WRITERS * BLOCKS_EACH * ATOMIC_BYTES];

static off_t size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_size : -1;
}

static off_t offset_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void open_flags(void)
{
	char b[64];
	int fd, fd2;

	unlink(FNEW);
	put_file(F1, "hello");
	/* open: O_CREAT and O_EXCL on an existing file -> EEXIST */
	CHECK_FAILS(open(F1, O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	/* O_CREAT|O_EXCL on a name not in use creates it */
	fd = open(FNEW, O_CREAT | O_EXCL | O_RDWR, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(unlink(FNEW), 0);
	/* O_CREAT alone on an existing file: "has no effect" beyond opening it */
	fd = open(F1, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(size_of(fd), 5);
	close(fd);
	/* O_TRUNC on a regular file opened for writing: length truncated to 0 */
	fd = open(F1, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	CHECK_EQ(size_of(fd), 0);
	close(fd);

	/* O_APPEND: "the file offset shall be set to the end of the file prior to each
	 * write", whatever lseek did before; afterwards the offset is the new end */
	put_file(F1, "hello");
	fd = open(F1, O_WRONLY | O_APPEND);
	fd2 = open(F1, O_WRONLY);
	CHECK(fd >= 0 && fd2 >= 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "XY", 2), 2);
	CHECK_EQ(offset_of(fd), 7);
	CHECK_EQ(write(fd2, "ab", 2), 2); /* another description, at offset 0 */
	CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
	CHECK_EQ(write(fd, "Z", 1), 1);
	CHECK_EQ(offset_of(fd), 8);
	close(fd);
	close(fd2);
	CHECK_EQ(get_file(F1, b, sizeof(b)), 8);
	CHECK(strcmp(b, "ablloXYZ") == 0);

	/* open: EISDIR "the named file is a directory and oflag includes O_WRONLY or O_RDWR" */
	CHECK_FAILS(open("/tmp", O_WRONLY), EISDIR);
	CHECK_FAILS(open("/tmp", O_RDWR), EISDIR);
	fd = open("/tmp", O_RDONLY); /* reading a directory's descriptor is allowed */
	CHECK(fd >= 0);
	close(fd);

	/* ENOENT: O_CREAT not set and the file does not exist; a missing directory in the
	 * prefix; an empty path */
	CHECK_FAILS(open("/tmp/pa_nosuch", O_RDONLY), ENOENT);
	CHECK_FAILS(open("/tmp/pa_nosuch/x", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_FAILS(open("", O_RDONLY), ENOENT);
	/* ENOTDIR: a component of the path prefix is not a directory */
	CHECK_FAILS(open(F1 "/x", O_RDONLY), ENOTDIR);
	CHECK_FAILS(open(F1 "/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	/* ENOTDIR: O_DIRECTORY and the file is not a directory */
	CHECK_FAILS(open(F1, O_RDONLY | O_DIRECTORY), ENOTDIR);
	/* ENOTDIR: the path ends in a slash and names an existing non-directory (open's
	 * ERRORS; XBD 4.13: such a pathname "shall not be resolved successfully") */
	errno = 0;
	fd = open(F1 "/", O_RDONLY);
	CHECK_EQ(fd, -1);
	CHECK_EQ(errno, ENOTDIR);
	if (fd >= 0)
		close(fd);
	struct stat st;
	CHECK_FAILS(stat(F1 "/", &st), ENOTDIR);
	/* XBD 4.13: "name/" resolves only to a directory (or one about to be made): open
	 * with O_CREAT makes a regular file, so it must fail and create nothing */
	fd = open(FNEW "/", O_CREAT | O_WRONLY, 0644);
	CHECK_EQ(fd, -1);
	if (fd >= 0)
		close(fd);
	CHECK_FAILS(stat(FNEW, &st), ENOENT);
	unlink(FNEW);

	/* open returns "the lowest numbered unused file descriptor" */
	int a = open(F1, O_RDONLY), c = open(F1, O_RDONLY), d = open(F1, O_RDONLY);
	CHECK(a >= 0 && c == a + 1 && d == c + 1);
	close(c);
	CHECK_EQ(open(F1, O_RDONLY), c);
	close(a);
	close(c);
	close(d);
}

static void seeking(void)
{
	char b[32];
	int p[2];
	int fd = open(F2, O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	/* SEEK_END: the size of the file plus offset; the result is returned */
	CHECK_EQ(lseek(fd, 0, SEEK_END), 10);
	CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
	CHECK_EQ(read(fd, b, sizeof(b)), 3); /* only what is there */
	CHECK(memcmp(b, "789", 3) == 0);
	/* read at or past the end of file: 0 */
	CHECK_EQ(read(fd, b, sizeof(b)), 0);
	CHECK_EQ(lseek(fd, 5, SEEK_CUR), 15);
	CHECK_EQ(read(fd, b, sizeof(b)), 0);
	/* lseek "shall not, by itself, extend the size of a file" */
	CHECK_EQ(lseek(fd, 10, SEEK_END), 20);
	CHECK_EQ(size_of(fd), 10);
	/* a write past the end: the gap "shall return bytes with the value 0" */
	CHECK_EQ(write(fd, "Z", 1), 1);
	CHECK_EQ(size_of(fd), 21);
	memset(b, 'x', sizeof(b));
	CHECK_EQ(pread(fd, b, 11, 10), 11);
	int zeros = 1;
	for (int i = 0; i < 10; i++)
		zeros &= b[i] == 0;
	CHECK(zeros);
	CHECK_EQ(b[10], 'Z');

	/* EINVAL: the resulting offset would be negative; the offset stays as it was */
	CHECK_EQ(lseek(fd, 4, SEEK_SET), 4);
	CHECK_FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_FAILS(lseek(fd, -5, SEEK_CUR), EINVAL);
	CHECK_FAILS(lseek(fd, -22, SEEK_END), EINVAL);
	CHECK_EQ(offset_of(fd), 4);
	/* EINVAL: whence is not a proper value */
	CHECK_FAILS(lseek(fd, 0, 12345), EINVAL);
	/* EOVERFLOW: "the resulting file offset would be a value which cannot be
	 * represented correctly in an object of type off_t" */
	CHECK_EQ(lseek(fd, INT64_MAX, SEEK_SET), INT64_MAX);
	CHECK_FAILS(lseek(fd, 1, SEEK_CUR), EOVERFLOW);
	CHECK_FAILS(lseek(fd, INT64_MAX, SEEK_END), EOVERFLOW);
	close(fd);

	/* ESPIPE: lseek, pread and pwrite on a pipe */
	CHECK_EQ(pipe(p), 0);
	CHECK_FAILS(lseek(p[0], 0, SEEK_CUR), ESPIPE);
	CHECK_FAILS(lseek(p[1], 0, SEEK_SET), ESPIPE);
	CHECK_FAILS(pread(p[0], b, 1, 0), ESPIPE);
	CHECK_FAILS(pwrite(p[1], "x", 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}

static void read_write(void)
{
	char b[32];
	int fd = open(F2, O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abcdef", 6), 6);
	/* write of 0 bytes to a regular file: returns 0, "no other results" */
	CHECK_EQ(write(fd, b, 0), 0);
	CHECK_EQ(size_of(fd), 6);
	CHECK_EQ(offset_of(fd), 6);
	/* read of 0 bytes: returns 0 */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, b, 0), 0);
	CHECK_EQ(offset_of(fd), 0);
	/* a read of more than is left returns the bytes left, and 0 at the end */
	CHECK_EQ(lseek(fd, 4, SEEK_SET), 4);
	CHECK_EQ(read(fd, b, sizeof(b)), 2);
	CHECK_EQ(read(fd, b, sizeof(b)), 0);

	/* pread/pwrite: at the given position, "the file offset shall not be changed" */
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(pread(fd, b, 3, 1), 3);
	CHECK(memcmp(b, "bcd", 3) == 0);
	CHECK_EQ(offset_of(fd), 2);
	CHECK_EQ(pwrite(fd, "XY", 2, 4), 2);
	CHECK_EQ(offset_of(fd), 2);
	CHECK_EQ(read(fd, b, 4), 4);
	CHECK(memcmp(b, "cdXY", 4) == 0);
	CHECK_EQ(pread(fd, b, 4, 100), 0);  /* at or past the end: 0 */
	CHECK_EQ(pwrite(fd, "Q", 1, 9), 1); /* past the end: a zero-filled gap */
	CHECK_EQ(size_of(fd), 10);
	CHECK_EQ(pread(fd, b, 4, 6), 4);
	CHECK(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 'Q');
	/* pread: EINVAL for a negative offset */
	CHECK_FAILS(pread(fd, b, 1, -1), EINVAL);
	close(fd);
	/* pwrite: "does not change the file offset (regardless of whether O_APPEND is set)" */
	fd = open(F2, O_RDWR | O_APPEND);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(pwrite(fd, "p", 1, 0), 1);
	CHECK_EQ(offset_of(fd), 3);
	close(fd);

	/* EBADF: read on a descriptor not open for reading, write on one not open for
	 * writing */
	fd = open(F2, O_WRONLY);
	CHECK_FAILS(read(fd, b, 1), EBADF);
	close(fd);
	fd = open(F2, O_RDONLY);
	CHECK_FAILS(write(fd, "x", 1), EBADF);
	close(fd);
	/* EBADF: not a valid open descriptor (closed, negative, too large) */
	CHECK_FAILS(close(fd), EBADF);
	CHECK_FAILS(close(-1), EBADF);
	CHECK_FAILS(close(1000), EBADF);
	CHECK_FAILS(read(fd, b, 1), EBADF);
	CHECK_FAILS(write(fd, "x", 1), EBADF);
	CHECK_FAILS(lseek(fd, 0, SEEK_SET), EBADF);
	struct stat st;
	CHECK_FAILS(fstat(fd, &st), EBADF);
}

static void duplicates(void)
{
	char b[16];
	int st = -1;
	put_file(F2, "0123456789");
	int fd = open(F2, O_RDWR);
	CHECK(fd >= 0);
	/* dup: the lowest free descriptor, the same open file description (one offset) */
	int d = dup(fd);
	CHECK_EQ(d, fd + 1);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(offset_of(d), 3);
	CHECK_EQ(read(d, b, 2), 2);
	CHECK_EQ(offset_of(fd), 5);
	/* FD_CLOEXEC belongs to the descriptor: dup's new one has it clear */
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_EQ(fcntl(d, F_GETFD) & FD_CLOEXEC, 0);
	int d2 = dup(fd);
	CHECK_EQ(fcntl(d2, F_GETFD) & FD_CLOEXEC, 0);
	close(d2);
	/* closing one descriptor leaves the other working */
	close(d);
	CHECK_EQ(read(fd, b, 1), 1);
	CHECK_EQ(b[0], '5');

	/* dup2: fildes2 == fildes returns it, unclosed (FD_CLOEXEC untouched) */
	CHECK_EQ(dup2(fd, fd), fd);
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	/* dup2 onto a closed number */
	CHECK_EQ(dup2(fd, 20), 20);
	CHECK_EQ(offset_of(20), 6);
	/* dup2 onto an open number: closed first; the new one has FD_CLOEXEC clear */
	int other = open(F1, O_RDONLY);
	CHECK(other >= 0);
	CHECK_EQ(fcntl(other, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(dup2(fd, other), other);
	CHECK_EQ(fcntl(other, F_GETFD) & FD_CLOEXEC, 0);
	CHECK_EQ(offset_of(other), 6); /* now F2's description, not F1 */
	close(other);
	close(20);
	/* dup2: EBADF for an invalid fildes, and for fildes2 < 0 or >= OPEN_MAX */
	CHECK_FAILS(dup2(25, 26), EBADF);
	CHECK_FAILS(dup2(fd, -1), EBADF);
	CHECK_FAILS(dup2(fd, (int)sysconf(_SC_OPEN_MAX)), EBADF);
	CHECK_FAILS(dup(25), EBADF);

	/* F_DUPFD: "the lowest numbered available file descriptor greater than or equal
	 * to" arg */
	CHECK_EQ(fcntl(fd, F_DUPFD, 10), 10);
	CHECK_EQ(fcntl(fd, F_DUPFD, 10), 11);
	CHECK_EQ(fcntl(10, F_GETFD) & FD_CLOEXEC, 0); /* F_DUPFD: FD_CLOEXEC clear */
	close(10);
	CHECK_EQ(fcntl(fd, F_DUPFD, 9), 9);
	CHECK_EQ(fcntl(fd, F_DUPFD, 9), 10);
	close(9);
	close(10);
	close(11);
	/* F_DUPFD_CLOEXEC sets FD_CLOEXEC on the new one */
	int dc = fcntl(fd, F_DUPFD_CLOEXEC, 12);
	CHECK_EQ(dc, 12);
	CHECK_EQ(fcntl(dc, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(dc);
	/* F_DUPFD: EINVAL for a negative arg */
	CHECK_FAILS(fcntl(fd, F_DUPFD, -1), EINVAL);
	/* fcntl: EBADF on a descriptor not open */
	CHECK_FAILS(fcntl(25, F_GETFD), EBADF);
	CHECK_EQ(fcntl(fd, F_SETFD, 0), 0);
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	/* F_GETFL: the access mode and the file status flags */
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_APPEND, 0);
	int ro = open(F2, O_RDONLY), wo = open(F2, O_WRONLY | O_APPEND);
	CHECK_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(wo, F_GETFL) & O_APPEND, O_APPEND);
	close(ro);
	close(wo);
	/* status flags belong to the description: F_SETFL through a dup is seen by both */
	d = dup(fd);
	CHECK_EQ(fcntl(d, F_SETFL, fcntl(d, F_GETFL) | O_APPEND), 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_APPEND, O_APPEND);
	CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
	CHECK_EQ(fcntl(d, F_GETFL) & O_APPEND, 0);
	close(d);
	/* F_SETFL: "bits corresponding to the file access mode ... shall be ignored" */
	CHECK_EQ(fcntl(fd, F_SETFL, O_WRONLY), 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	/* F_SETFL sets the file status flags from arg (O_NONBLOCK is one, XBD <fcntl.h>);
	 * F_GETFL gives them back */
	CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
	/* open: the file status flags are set from oflag (O_NONBLOCK on a regular file) */
	int nb = open(F2, O_RDONLY | O_NONBLOCK);
	CHECK(nb >= 0);
	CHECK_EQ(fcntl(nb, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	close(nb);

	/* fork: the child's descriptors "refer to the same open file description" as the
	 * parent's: one offset, one set of status flags; its close closes only its own */
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	pid_t kid = fork();
	if (kid == 0) {
		int ok = offset_of(fd) == 2 && write(fd, "ab", 2) == 2 &&
			 lseek(fd, 7, SEEK_SET) == 7 && fcntl(fd, F_SETFL, O_APPEND) == 0;
		close(fd);
		_exit(ok ? 0 : 1);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(offset_of(fd), 7);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_APPEND, O_APPEND);
	CHECK_EQ(pread(fd, b, 4, 0), 4);
	CHECK(memcmp(b, "01ab", 4) == 0);
	close(fd);

	/* A pipe end's O_NONBLOCK is not shared with a forked child: a documented limit
	 * (docs/userland.md, "Limits"), so not checked here. */
}

static void sizes_and_names(void)
{
	char b[32];
	struct stat s1, s2;
	put_file(F2, "abcdef");
	int fd = open(F2, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 4, SEEK_SET), 4);
	/* ftruncate grow: "extended, and the extended area shall appear as if it were
	 * zero-filled"; the offset does not change */
	CHECK_EQ(ftruncate(fd, 100), 0);
	CHECK_EQ(size_of(fd), 100);
	CHECK_EQ(offset_of(fd), 4);
	memset(b, 'x', sizeof(b));
	CHECK_EQ(pread(fd, b, 8, 4), 8);
	CHECK(b[0] == 'e' && b[1] == 'f' && b[2] == 0 && b[7] == 0);
	/* ftruncate shrink: the extra data is discarded */
	CHECK_EQ(ftruncate(fd, 3), 0);
	CHECK_EQ(size_of(fd), 3);
	CHECK_EQ(read(fd, b, sizeof(b)), 0); /* offset 4, past the end now */
	CHECK_EQ(ftruncate(fd, 6), 0);	     /* grown again: zeros, not the old bytes */
	CHECK_EQ(pread(fd, b, 6, 0), 6);
	CHECK(memcmp(b, "abc\0\0\0", 6) == 0);
	/* ftruncate: EINVAL for a negative length */
	CHECK_FAILS(ftruncate(fd, -1), EINVAL);
	/* stat and fstat describe the same file alike */
	CHECK_EQ(stat(F2, &s1), 0);
	CHECK_EQ(fstat(fd, &s2), 0);
	CHECK_EQ(s1.st_ino, s2.st_ino);
	CHECK_EQ(s1.st_dev, s2.st_dev);
	CHECK_EQ(s1.st_mode, s2.st_mode);
	CHECK(S_ISREG(s1.st_mode));
	CHECK_EQ(s1.st_size, 6);
	CHECK_EQ(s1.st_size, s2.st_size);
	CHECK_EQ(s1.st_nlink, 1);
	CHECK_EQ(s1.st_nlink, s2.st_nlink);
	CHECK_EQ(s1.st_mtim.tv_sec, s2.st_mtim.tv_sec);
	CHECK_EQ(s1.st_mtim.tv_nsec, s2.st_mtim.tv_nsec);
	close(fd);
	/* ftruncate: EBADF or EINVAL when not open for writing */
	fd = open(F2, O_RDONLY);
	errno = 0;
	CHECK_EQ(ftruncate(fd, 0), -1);
	CHECK(errno == EBADF || errno == EINVAL);
	close(fd);
	CHECK_FAILS(ftruncate(fd, 0), EBADF);
	/* truncate by name */
	CHECK_EQ(truncate(F2, 2), 0);
	CHECK_EQ(stat(F2, &s1), 0);
	CHECK_EQ(s1.st_size, 2);

	/* unlink of an open file: the name goes, the file stays "until all references to
	 * the file are closed" */
	put_file(F3, "keep");
	fd = open(F3, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &s1), 0);
	CHECK_EQ(unlink(F3), 0);
	CHECK_FAILS(stat(F3, &s2), ENOENT);
	CHECK_FAILS(open(F3, O_RDONLY), ENOENT);
	CHECK_EQ(read(fd, b, sizeof(b)), 4);
	CHECK(memcmp(b, "keep", 4) == 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	CHECK_EQ(fstat(fd, &s2), 0);
	CHECK_EQ(s2.st_nlink, 0); /* no names left */
	CHECK_EQ(s2.st_size, 5);
	int fresh = open(F3, O_CREAT | O_RDWR, 0644); /* a new, different file */
	CHECK(fresh >= 0);
	CHECK_EQ(size_of(fresh), 0);
	CHECK_EQ(fstat(fresh, &s2), 0);
	CHECK(s2.st_ino != s1.st_ino); /* both exist: st_ino and st_dev tell them apart */
	close(fresh);
	close(fd);
	unlink(F3);

	/* rename over an existing file: the new name names the old file; the replaced
	 * file stays while open */
	put_file(F1, "aaa");
	put_file(F3, "bbb");
	int old = open(F3, O_RDONLY);
	CHECK_EQ(rename(F1, F3), 0);
	CHECK_FAILS(stat(F1, &s1), ENOENT);
	CHECK_EQ(get_file(F3, b, sizeof(b)), 3);
	CHECK(strcmp(b, "aaa") == 0);
	CHECK_EQ(read(old, b, sizeof(b)), 3);
	CHECK(memcmp(b, "bbb", 3) == 0);
	close(old);
	/* rename of a file to itself (the same file): success, no change */
	CHECK_EQ(rename(F3, F3), 0);
	CHECK_EQ(stat(F3, &s1), 0);
	/* ENOENT: old does not exist */
	CHECK_FAILS(rename("/tmp/pa_nosuch", F1), ENOENT);
	/* EISDIR: new is a directory, old is not; ENOTDIR: old is a directory, new is not */
	rmdir(DIR1);
	CHECK_EQ(mkdir(DIR1, 0755), 0);
	CHECK_FAILS(rename(F3, DIR1), EISDIR);
	CHECK_FAILS(rename(DIR1, F3), ENOTDIR);
	/* rename of an empty directory over an empty directory replaces it */
	rmdir(DIR1 "b");
	CHECK_EQ(mkdir(DIR1 "b", 0755), 0);
	CHECK_EQ(rename(DIR1 "b", DIR1), 0);
	CHECK_FAILS(stat(DIR1 "b", &s1), ENOENT);
	/* ENOENT: a directory in new's prefix does not exist */
	CHECK_FAILS(rename(F3, "/tmp/pa_nosuch/x"), ENOENT);
	CHECK_EQ(rmdir(DIR1), 0);
	/* unlink: ENOENT for a name not there */
	CHECK_EQ(unlink(F3), 0);
	CHECK_FAILS(unlink(F3), ENOENT);
}

static volatile int pipe_hits;

static void on_pipe(int sig)
{
	if (sig == SIGPIPE)
		pipe_hits++;
}

static void sigpipe_cases(void)
{
	int p[2];
	sigset_t block, old, pend;
	struct sigaction ign = { 0 }, catch = { 0 }, was;

	/* blocked: write fails with EPIPE and SIGPIPE is left pending for the thread */
	CHECK_EQ(pipe(p), 0);
	close(p[0]);
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &block, &old), 0);
	CHECK_FAILS(write(p[1], "x", 1), EPIPE);
	sigemptyset(&pend);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK_EQ(sigismember(&pend, SIGPIPE), 1);
	ign.sa_handler = SIG_IGN; /* setting SIG_IGN discards the pending one */
	CHECK_EQ(sigaction(SIGPIPE, &ign, &was), 0);
	sigemptyset(&pend);
	sigpending(&pend);
	CHECK_EQ(sigismember(&pend, SIGPIPE), 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &old, 0), 0);
	/* ignored: EPIPE */
	CHECK_FAILS(write(p[1], "x", 1), EPIPE);
	/* caught: the handler runs once, then write fails with EPIPE */
	catch.sa_handler = on_pipe;
	CHECK_EQ(sigaction(SIGPIPE, &catch, 0), 0);
	pipe_hits = 0;
	CHECK_FAILS(write(p[1], "xy", 2), EPIPE);
	CHECK_EQ(pipe_hits, 1);
	/* O_NONBLOCK changes nothing: EPIPE, not EAGAIN */
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	CHECK_FAILS(write(p[1], "x", 1), EPIPE);
	CHECK_EQ(pipe_hits, 2);
	close(p[1]);
	/* default action: the writer is terminated by SIGPIPE */
	CHECK_EQ(pipe(p), 0);
	close(p[0]); /* before the fork: no reader anywhere */
	signal(SIGPIPE, SIG_DFL);
	pid_t kid = fork();
	if (kid == 0) {
		write(p[1], "x", 1);
		_exit(3);
	}
	close(p[1]);
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	sigaction(SIGPIPE, &was, 0);
}

/* WRITERS children each write BLOCKS_EACH blocks of PIPE_BUF bytes ('A' + i) at once. */
static void atomic_writes(void)
{
	int p[2], st;
	pid_t kids[WRITERS];
	CHECK_EQ(pipe(p), 0);
	for (int i = 0; i < WRITERS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char blk[ATOMIC_BYTES];
			close(p[0]);
			memset(blk, 'A' + i, sizeof(blk));
			for (int k = 0; k < BLOCKS_EACH; k++)
				if (write(p[1], blk, sizeof(blk)) != (ssize_t)sizeof(blk))
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	size_t got = 0;
	ssize_t r;
	size_t step = 700; /* odd sizes, so reads cut the blocks anywhere */
	while (got < sizeof(big) && (r = read(p[0], big + got, step)) > 0) {
		got += (size_t)r;
		step = step == 700 ? 129 : 700;
	}
	CHECK_EQ(got, sizeof(big));
	CHECK_EQ(read(p[0], big, 1), 0); /* every writer gone: end of file */
	/* "Write requests of {PIPE_BUF} bytes or less shall not be interleaved" */
	int torn = 0, count[WRITERS] = { 0 };
	for (size_t at = 0; at + ATOMIC_BYTES <= got; at += ATOMIC_BYTES) {
		char c = big[at];
		for (size_t k = 1; k < ATOMIC_BYTES; k++)
			torn += big[at + k] != c;
		if (c >= 'A' && c < 'A' + WRITERS)
			count[c - 'A']++;
	}
	CHECK_EQ(torn, 0);
	for (int i = 0; i < WRITERS; i++) {
		CHECK_EQ(count[i], BLOCKS_EACH);
		st = -1;
		CHECK_EQ(waitpid(kids[i], &st, 0), kids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(p[0]);
}

static void pipes(void)
{
	char b[1100];
	int p[2], st;
	struct stat s;

	/* PIPE_BUF is at least _POSIX_PIPE_BUF (512), and fpathconf agrees */
	CHECK(PIPE_BUF >= 512);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fpathconf(p[0], _PC_PIPE_BUF), PIPE_BUF);
	/* pipe: fstat shows a FIFO (XSH pipe(): "S_ISFIFO") */
	CHECK_EQ(fstat(p[0], &s), 0);
	CHECK(S_ISFIFO(s.st_mode));
	CHECK_EQ(fstat(p[1], &s), 0);
	CHECK(S_ISFIFO(s.st_mode));
	/* "p[0] is open for reading and p[1] for writing"; O_NONBLOCK clear */
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(fcntl(p[0], F_GETFD) & FD_CLOEXEC, 0);
	/* EBADF: reading the write end, writing the read end */
	CHECK_FAILS(read(p[1], b, 1), EBADF);
	CHECK_FAILS(write(p[0], "x", 1), EBADF);
	/* O_NONBLOCK, an empty pipe with a writer: EAGAIN */
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_FAILS(read(p[0], b, 1), EAGAIN);
	/* O_NONBLOCK is the description's: a dup of the end shares it */
	int rd2 = dup(p[0]);
	CHECK_EQ(fcntl(rd2, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	close(rd2);
	/* a read returns what is there (fewer bytes than asked) */
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(read(p[0], b, sizeof(b)), 5);
	/* a second writer (dup): closing one is not the end */
	int w2 = dup(p[1]);
	close(p[1]);
	CHECK_FAILS(read(p[0], b, 1), EAGAIN);
	/* no writer left, empty: 0 (end of file), O_NONBLOCK or not */
	close(w2);
	CHECK_EQ(read(p[0], b, 1), 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
	CHECK_EQ(read(p[0], b, 1), 0);
	close(p[0]);

	/* pipe2(O_NONBLOCK) */
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_FAILS(read(p[0], b, 1), EAGAIN);
	/* O_NONBLOCK write: a request of PIPE_BUF or fewer bytes goes whole or not at all
	 * (EAGAIN); a longer one writes what fits when at least one byte does */
	long filled = 0;
	ssize_t r;
	memset(b, 'f', sizeof(b));
	while ((r = write(p[1], b, ATOMIC_BYTES)) > 0)
		filled += r;
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK(filled > 0 && filled % ATOMIC_BYTES == 0);
	CHECK_EQ(read(p[0], b, 100), 100); /* 100 bytes of room */
	CHECK_FAILS(write(p[1], b, ATOMIC_BYTES), EAGAIN);
	r = write(p[1], b, sizeof(b)); /* > PIPE_BUF */
	CHECK(r > 0 && r <= 100);
	close(p[0]);
	close(p[1]);

	/* a writer in another process: EOF only once the last one, anywhere, closed */
	CHECK_EQ(pipe(p), 0);
	pid_t kid = fork();
	if (kid == 0) {
		close(p[0]);
		ms_sleep(30);
		write(p[1], "late", 4);
		_exit(0);
	}
	close(p[1]);
	size_t got = 0;
	while ((r = read(p[0], b + got, sizeof(b) - got)) > 0)
		got += (size_t)r;
	CHECK_EQ(r, 0);
	CHECK_EQ(got, 4);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	close(p[0]);

	sigpipe_cases();
	atomic_writes();
}

static void polling(void)
{
	int p[2], st;
	char b[ATOMIC_BYTES];
	CHECK_EQ(pipe(p), 0);
	struct pollfd f[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	/* an empty pipe: the read end not readable, the write end writable (POLLOUT:
	 * "normal data may be written without blocking") */
	CHECK_EQ(poll(f, 2, 0), 1);
	CHECK_EQ(f[0].revents, 0);
	CHECK_EQ(f[1].revents & POLLOUT, POLLOUT);
	/* data there: POLLIN */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(poll(f, 1, 0), 1);
	CHECK_EQ(f[0].revents & (POLLIN | POLLHUP), POLLIN);
	CHECK_EQ(read(p[0], b, 1), 1);
	/* a full pipe: no POLLOUT */
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	memset(b, 'y', sizeof(b));
	while (write(p[1], b, sizeof(b)) > 0)
		;
	f[1].revents = -1;
	CHECK_EQ(poll(&f[1], 1, 0), 0);
	CHECK_EQ(f[1].revents, 0);
	/* a timeout with nothing ready: 0 */
	int q[2];
	CHECK_EQ(pipe(q), 0);
	struct pollfd g = { q[0], POLLIN, 0 };
	CHECK_EQ(poll(&g, 1, 20), 0);
	CHECK_EQ(g.revents, 0);
	/* a writer in another process wakes a poll that waits for ever */
	pid_t kid = fork();
	if (kid == 0) {
		ms_sleep(20);
		write(q[1], "w", 1);
		_exit(0);
	}
	CHECK_EQ(poll(&g, 1, -1), 1);
	CHECK_EQ(g.revents & POLLIN, POLLIN);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	/* the last writer closed with data left: POLLIN and POLLHUP ("a pipe or FIFO has
	 * been closed by the last process that had it open for writing"); POLLHUP is
	 * reported even when not asked for */
	close(q[1]);
	CHECK_EQ(poll(&g, 1, 0), 1);
	CHECK_EQ(g.revents & (POLLIN | POLLHUP), POLLIN | POLLHUP);
	CHECK_EQ(read(q[0], b, 4), 1);
	g.events = 0;
	CHECK_EQ(poll(&g, 1, 0), 1);
	CHECK_EQ(g.revents & POLLHUP, POLLHUP);
	CHECK_EQ(read(q[0], b, 4), 0);
	close(q[0]);
	/* "POLLHUP and POLLOUT are mutually exclusive": a write end never shows both */
	close(p[0]);
	f[1].events = POLLOUT;
	poll(&f[1], 1, 0);
	CHECK((f[1].revents & (POLLHUP | POLLOUT)) != (POLLHUP | POLLOUT));
	close(p[1]);
	/* a closed descriptor: POLLNVAL; a negative fd: ignored, revents 0 */
	struct pollfd h[2] = { { p[1], POLLIN, 0 }, { -1, POLLIN, 0 } };
	CHECK_EQ(poll(h, 2, 0), 1);
	CHECK_EQ(h[0].revents, POLLNVAL);
	CHECK_EQ(h[1].revents, 0);
	/* "Regular files shall always poll TRUE for reading and writing" */
	int fd = open(F2, O_CREAT | O_RDWR, 0644);
	struct pollfd r = { fd, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&r, 1, 0), 1);
	CHECK_EQ(r.revents & (POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(fd);
}

static void fifos(void)
{
	char b[8];
	struct stat s;
	unlink(FIFO1);
	CHECK_EQ(mkfifo(FIFO1, 0644), 0);
	CHECK_EQ(stat(FIFO1, &s), 0);
	CHECK(S_ISFIFO(s.st_mode));
	/* open O_WRONLY|O_NONBLOCK with no reader: ENXIO */
	CHECK_FAILS(open(FIFO1, O_WRONLY | O_NONBLOCK), ENXIO);
	/* O_RDONLY|O_NONBLOCK "shall return without delay" */
	int rd = open(FIFO1, O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0);
	/* "If no process has the pipe open for writing, read() shall return 0" */
	CHECK_EQ(read(rd, b, 1), 0);
	int wr = open(FIFO1, O_WRONLY | O_NONBLOCK);
	CHECK(wr >= 0);
	CHECK_EQ(fstat(rd, &s), 0);
	CHECK(S_ISFIFO(s.st_mode));
	CHECK_FAILS(lseek(rd, 0, SEEK_CUR), ESPIPE);
	errno = 0;
	CHECK_EQ(read(rd, b, 1), -1); /* empty, a writer open */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(write(wr, "fi", 2), 2);
	CHECK_EQ(read(rd, b, sizeof(b)), 2);
	close(wr);
	CHECK_EQ(read(rd, b, sizeof(b)), 0); /* no writer: end of file */
	close(rd);
	CHECK_EQ(unlink(FIFO1), 0);
}

int main(void)
{
	open_flags();
	seeking();
	read_write();
	duplicates();
	sizes_and_names();
	pipes();
	polling();
	fifos();
	unlink(F1);
	unlink(F2);
	unlink(F3);
	return test_status();
}
