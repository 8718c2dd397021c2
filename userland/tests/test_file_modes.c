/*
 * Permission bits and descriptor flags (docs/files.md): open's and mkdir's modes less
 * the umask, which fork and exec keep; chmod and fchmod (EROFS on /bin, ENOENT, EINVAL
 * on a pipe); access as root (writing a 0444 file is allowed, /bin is EROFS); link,
 * symlink, mkfifo and mknod give EEXIST for a name in use, and a device mknod EPERM
 * (a FIFO is test_fifo's, links test_link's and test_symlink's); readlink of a file
 * EINVAL; O_NONBLOCK on pipe ends (F_SETFL, F_GETFL, pipe2): EAGAIN on an empty or full
 * pipe, blocking again once cleared, and a dup sharing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static unsigned mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffff;
}

static void creation_modes(void)
{
	CHECK_EQ(umask(0), 022); /* the default */
	int fd = open("/tmp/m_a", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(mode_of("/tmp/m_a"), 0600);
	close(fd);
	CHECK_EQ(umask(027), 0);
	fd = open("/tmp/m_b", O_CREAT | O_WRONLY, 0777);
	CHECK_EQ(mode_of("/tmp/m_b"), 0750);
	close(fd);
	CHECK_EQ(mkdir("/tmp/m_d", 0777), 0);
	CHECK_EQ(mode_of("/tmp/m_d"), 0750);
	pid_t c = fork();
	if (c == 0)
		_exit(umask(0) == 027 ? 0 : 1); /* fork keeps it */
	int st = -1;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	c = fork();
	if (c == 0) { /* exec keeps it too */
		execl("/bin/test_file_modes", "test_file_modes", "umask", (char *)0);
		_exit(2);
	}
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 027);
	umask(022);
}

static void changing_modes(void)
{
	CHECK_EQ(chmod("/tmp/m_a", S_IFREG | 0640), 0); /* a whole st_mode: its bits count */
	CHECK_EQ(mode_of("/tmp/m_a"), 0640);
	CHECK_EQ(chmod("/tmp/m_a", 0444), 0);
	CHECK_EQ(mode_of("/tmp/m_a"), 0444);
	CHECK_EQ(access("/tmp/m_a", W_OK), 0); /* root writes it anyway */
	int fd = open("/tmp/m_a", O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(fchmod(fd, 04755), 0);
	CHECK_EQ(mode_of("/tmp/m_a"), 04755);
	CHECK_EQ(access("/tmp/m_a", X_OK), 0);
	CHECK_EQ(fchmod(fd, 0644), 0);
	CHECK(access("/tmp/m_a", X_OK) == -1 && errno == EACCES);
	close(fd);
	CHECK(chmod("/bin/hello", 0700) == -1 && errno == EROFS);
	CHECK(access("/bin/hello", W_OK) == -1 && errno == EROFS);
	CHECK(chmod("/tmp/m_none", 0600) == -1 && errno == ENOENT);
	CHECK(chmod("/tmp/m_a/x", 0600) == -1 && errno == ENOTDIR);
	CHECK(chmod("/dev/null", 0600) == -1 && errno == EPERM);
	CHECK(fchmod(99, 0600) == -1 && errno == EBADF);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK(fchmod(p[0], 0600) == -1 && errno == EINVAL);
	close(p[0]);
	close(p[1]);
}

static void no_links(void)
{
	char buf[8];
	CHECK(link("/tmp/m_none", "/tmp/m_l") == -1 && errno == ENOENT);
	CHECK(link("/tmp/m_a", "/tmp/m_b") == -1 && errno == EEXIST);
	CHECK(symlink("x", "/tmp/m_b") == -1 && errno == EEXIST);
	CHECK(mkfifo("/tmp/m_b", 0600) == -1 && errno == EEXIST);
	CHECK(mkfifo("/tmp/m_none/f", 0600) == -1 && errno == ENOENT);
	CHECK(mknod("/tmp/m_n", S_IFCHR | 0600, 0) == -1 && errno == EPERM);
	CHECK(readlink("/tmp/m_a", buf, sizeof(buf)) == -1 && errno == EINVAL);
	CHECK(readlink("/tmp/m_none", buf, sizeof(buf)) == -1 && errno == ENOENT);
	CHECK(access("/tmp/m_l", F_OK) == -1 && access("/tmp/m_n", F_OK) == -1);
}

static void nonblocking_pipes(void)
{
	int p[2], q;
	char buf[512];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY); /* the other end's description */
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	q = dup(p[0]); /* a dup shares the description, and so the flag */
	CHECK(read(q, buf, 1) == -1 && errno == EAGAIN);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);
	/* Fill it without blocking: then EAGAIN, and a write of at most PIPE_BUF is whole. */
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	memset(buf, 'z', sizeof(buf));
	long total = 0, r;
	while ((r = write(p[1], buf, sizeof(buf))) > 0 && total < (1L << 20))
		total += r;
	CHECK(r == -1 && errno == EAGAIN);
	CHECK(total > 0 && total % (long)sizeof(buf) == 0);
	CHECK_EQ(read(p[0], buf, 100), 100);
	CHECK(write(p[1], buf, sizeof(buf)) == -1 && errno == EAGAIN); /* 100 free: not whole */
	CHECK_EQ(write(p[1], buf, 100), 100);
	/* Blocking again: the read end drains, then EOF once the writer is gone. */
	CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
	close(p[1]);
	long left = 0;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		left += r;
	CHECK_EQ(r, 0);
	CHECK_EQ(left, total);
	close(p[0]);
	close(q);
	/* pipe2 sets both flags on both ends. */
	CHECK_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	CHECK(pipe2(p, O_APPEND) == -1 && errno == EINVAL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "umask") == 0)
		return (int)umask(0); /* the exec'd image reports what it was given */
	creation_modes();
	changing_modes();
	no_links();
	nonblocking_pipes();
	unlink("/tmp/m_a");
	unlink("/tmp/m_b");
	rmdir("/tmp/m_d");
	return test_status();
}
