/*
 * File mappings through the page cache. MAP_PRIVATE: a child's store to its write-copy
 * mapping changes neither the file nor the parent's mapping of it; MAP_SHARED: a child's
 * store reaches the file (the parent's read sees it) and a write() is seen through an
 * existing mapping; shm_open objects are shared the same way; and the errors POSIX
 * names: EBADF, ENODEV (a pipe), EACCES (a shared writable map of a read-only
 * descriptor), EINVAL (an unaligned offset).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int test_failures;

#define SIZE (3 * 4096)

static int make_file(const char *path)
{
	char page[4096];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < SIZE / 4096; i++) {
		memset(page, 'a' + i, sizeof(page));
		CHECK_EQ(write(fd, page, sizeof(page)), 4096);
	}
	return fd;
}

static int wait_ok(pid_t pid)
{
	int st = 0;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void private_isolation(void)
{
	int fd = make_file("/tmp/mp");
	char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(p[0] == 'a' && p[4096] == 'b' && p[SIZE - 1] == 'c');
	pid_t pid = fork();
	if (pid == 0) {
		p[1] = 'X'; /* the child's own copy */
		char c;
		_exit(p[1] != 'X' || pread(fd, &c, 1, 1) != 1 || c != 'a');
	}
	CHECK(wait_ok(pid));
	CHECK_EQ(p[1], 'a');
	p[4097] = 'Y'; /* our own copy now: the file keeps 'b' */
	char c = 0;
	CHECK_EQ(pread(fd, &c, 1, 4097), 1);
	CHECK_EQ(c, 'b');
	/* A write to the file is seen by pages we have not copied. */
	CHECK_EQ(pwrite(fd, "Z", 1, 8192), 1);
	CHECK_EQ(p[8192], 'Z');
	CHECK_EQ(munmap(p, SIZE), 0);
	close(fd);
	unlink("/tmp/mp");
}

static void shared_visibility(void)
{
	int fd = make_file("/tmp/ms");
	char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int f2 = open("/tmp/ms", O_RDWR);
		char *q = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
		if (q == MAP_FAILED)
			_exit(2);
		q[5] = 'S'; /* another process's own mapping */
		_exit(msync(q, SIZE, MS_SYNC) != 0);
	}
	CHECK(wait_ok(pid));
	char c = 0;
	CHECK_EQ(pread(fd, &c, 1, 5), 1);
	CHECK_EQ(c, 'S');
	CHECK_EQ(p[5], 'S');
	CHECK_EQ(pwrite(fd, "W", 1, 4100), 1);
	CHECK_EQ(p[4100], 'W');
	p[9000] = 'M';
	CHECK_EQ(pread(fd, &c, 1, 9000), 1);
	CHECK_EQ(c, 'M');
	CHECK_EQ(msync(p, SIZE, MS_ASYNC | MS_SYNC), -1);
	CHECK_EQ(errno, EINVAL);
	munmap(p, SIZE);
	close(fd);
	unlink("/tmp/ms");
}

static void shm(void)
{
	int fd = shm_open("/seg", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 4096), 0);
	int *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int f = shm_open("/seg", O_RDWR, 0);
		int *q = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
		if (q == MAP_FAILED)
			_exit(2);
		q[10] = 1234;
		_exit(0);
	}
	CHECK(wait_ok(pid));
	CHECK_EQ(p[10], 1234);
	CHECK_EQ(shm_unlink("/seg"), 0);
	CHECK_EQ(shm_open("/seg", O_RDWR, 0), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(shm_open("bad", O_RDWR, 0), -1);
	CHECK_EQ(errno, EINVAL);
	munmap(p, 4096);
	close(fd);
}

static void errors(void)
{
	int fds[2];
	CHECK(mmap(0, 4096, PROT_READ, MAP_PRIVATE, 77, 0) == MAP_FAILED);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(pipe(fds), 0);
	CHECK(mmap(0, 4096, PROT_READ, MAP_SHARED, fds[0], 0) == MAP_FAILED);
	CHECK_EQ(errno, ENODEV);
	close(fds[0]);
	close(fds[1]);
	int fd = make_file("/tmp/me");
	close(fd);
	fd = open("/tmp/me", O_RDONLY);
	CHECK(mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	CHECK(mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	/* A read-only descriptor still gives a write-copy mapping. */
	char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK_EQ(p[0], 'b');
		p[0] = 'q';
		munmap(p, 4096);
	}
	/* /bin files map from the archive's own frames. */
	int b = open("/bin/hello", O_RDONLY);
	char *h = mmap(0, 4096, PROT_READ, MAP_PRIVATE, b, 0);
	CHECK(h != MAP_FAILED && memcmp(h, "\177ELF", 4) == 0);
	close(b);
	close(fd);
	unlink("/tmp/me");
}

int main(void)
{
	private_isolation();
	shared_visibility();
	shm();
	errors();
	return test_status();
}
