/*
 * A file's mappings and its times and end (POSIX mmap and msync): a mapping marks the
 * access time; a store through a shared mapping marks mtime and ctime by the next msync,
 * even after the descriptor is closed; the bytes past the end of the file in its last
 * page read as zeros, and a store there never reaches the file, nor a later mapping.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define NAME "/tmp/mmap_times"
#define HALF 2048

static int ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static void nap(void)
{
	struct timespec t = { 0, 2000000 };
	nanosleep(&t, 0);
}

int main(void)
{
	char buf[HALF];
	struct stat a, b;
	memset(buf, 'a', sizeof(buf));
	int fd = open(NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(write(fd, buf, HALF), HALF);
	CHECK_EQ(fstat(fd, &a), 0);
	nap();
	char *p = mmap(0, HALF, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(fstat(fd, &b), 0);
	CHECK(!ts_eq(a.st_atim, b.st_atim)); /* the mapping was an access */
	/* Past the end: zeros, and a store there stays out of the file. */
	int zeros = 1;
	for (int i = HALF; i < 4096; i++)
		zeros &= p[i] == 0;
	CHECK(zeros);
	p[HALF + 1] = 'b';
	/* A store, msync after the descriptor is gone: mtime and ctime move. */
	CHECK_EQ(close(fd), 0);
	nap();
	p[0] = 'z';
	CHECK_EQ(msync(p, HALF, MS_SYNC), 0);
	CHECK_EQ(stat(NAME, &a), 0);
	CHECK(!ts_eq(a.st_mtim, b.st_mtim) && !ts_eq(a.st_ctim, b.st_ctim));
	CHECK(a.st_size == HALF);
	nap();
	CHECK_EQ(msync(p, HALF, MS_INVALIDATE), 0); /* no write asked: times stay */
	CHECK_EQ(stat(NAME, &b), 0);
	CHECK(ts_eq(a.st_mtim, b.st_mtim));
	CHECK_EQ(munmap(p, HALF), 0);
	/* The next mapping sees zeros past the end; read sees the store at 0. */
	fd = open(NAME, O_RDWR);
	p = mmap(0, HALF, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK_EQ(p[HALF + 1], 0);
	CHECK_EQ(p[0], 'z');
	CHECK_EQ(pread(fd, buf, 16, HALF), 0); /* nothing past the end */
	CHECK_EQ(ftruncate(fd, 4096), 0);
	CHECK(pread(fd, buf, 4, HALF) == 4 && buf[1] == 0);
	CHECK_EQ(munmap(p, HALF), 0);
	CHECK_EQ(msync((void *)1, 10, MS_SYNC), -1); /* unaligned: EINVAL */
	close(fd);
	unlink(NAME);
	return test_status();
}
