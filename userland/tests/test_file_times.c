/*
 * File times (docs/files.md, "Times"): a new file has all three times now and moves its
 * directory's modification and change times; a write moves mtime and ctime, not atime; a
 * read moves atime once (relatime: again only after a change); chmod moves ctime only;
 * truncate moves mtime and ctime only when the size changes, O_TRUNC always; unlink,
 * rename, mkdir and rmdir move the directories'; utimensat, futimens, utimes, futimes and
 * utime set times (UTIME_NOW, UTIME_OMIT) with POSIX's errors; the times agree with
 * time() and CLOCK_REALTIME. Every "now" is checked to lie between two clock readings
 * taken before and after the call, so nothing depends on how long a step takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "testlib.h"

int test_failures;

#define D_PATH "/tmp/ft"
#define F_PATH D_PATH "/f"
#define NS     1000000000LL
#define GAP                \
	(struct timespec)  \
	{                  \
		0, 2000000 \
	} /* a clock step between two calls */

static long long ns_of(struct timespec t)
{
	return (long long)t.tv_sec * NS + t.tv_nsec;
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return ns_of(t);
}

static void gap(void)
{
	struct timespec g = GAP;
	nanosleep(&g, 0);
}

static struct stat st_of(const char *path)
{
	struct stat st;
	memset(&st, 0xff, sizeof(st));
	CHECK_EQ(stat(path, &st), 0);
	return st;
}

#define IN(t, lo, hi) CHECK(ns_of(t) >= (lo) && ns_of(t) <= (hi))
#define SAME(a, b)    CHECK_EQ(ns_of(a), ns_of(b))

static void create_write_read(void)
{
	long long t0 = now_ns();
	int fd = open(F_PATH, O_RDWR | O_CREAT | O_EXCL, 0644);
	long long t1 = now_ns();
	CHECK(fd >= 0);
	struct stat f = st_of(F_PATH), d = st_of(D_PATH);
	IN(f.st_atim, t0, t1);
	IN(f.st_mtim, t0, t1);
	IN(f.st_ctim, t0, t1);
	IN(d.st_mtim, t0, t1);
	IN(d.st_ctim, t0, t1);
	gap();
	t0 = now_ns();
	CHECK_EQ(write(fd, "hello", 5), 5);
	t1 = now_ns();
	struct stat w = st_of(F_PATH);
	IN(w.st_mtim, t0, t1);
	IN(w.st_ctim, t0, t1);
	SAME(w.st_atim, f.st_atim);
	struct stat fw;
	CHECK_EQ(fstat(fd, &fw), 0);
	SAME(fw.st_mtim, w.st_mtim); /* fstat tells the same */
	gap();
	char b[8];
	t0 = now_ns();
	CHECK_EQ(pread(fd, b, sizeof(b), 0), 5);
	t1 = now_ns();
	struct stat r = st_of(F_PATH);
	IN(r.st_atim, t0, t1); /* it was older than the last change */
	SAME(r.st_mtim, w.st_mtim);
	gap();
	CHECK_EQ(pread(fd, b, sizeof(b), 0), 5);
	SAME(st_of(F_PATH).st_atim, r.st_atim); /* relatime: newer than the change, kept */
	CHECK_EQ(pread(fd, b, sizeof(b), 100), 0);
	SAME(st_of(F_PATH).st_atim, r.st_atim);
	CHECK_EQ(write(fd, "", 0), 0); /* writing nothing changes nothing */
	SAME(st_of(F_PATH).st_mtim, w.st_mtim);
	close(fd);
}

static void chmod_truncate(void)
{
	struct stat a = st_of(F_PATH);
	gap();
	long long t0 = now_ns();
	CHECK_EQ(chmod(F_PATH, 0600), 0);
	long long t1 = now_ns();
	struct stat b = st_of(F_PATH);
	IN(b.st_ctim, t0, t1);
	SAME(b.st_mtim, a.st_mtim);
	gap();
	CHECK_EQ(truncate(F_PATH, 5), 0); /* the same size: nothing moves */
	SAME(st_of(F_PATH).st_mtim, a.st_mtim);
	SAME(st_of(F_PATH).st_ctim, b.st_ctim);
	t0 = now_ns();
	CHECK_EQ(truncate(F_PATH, 2), 0);
	t1 = now_ns();
	struct stat c = st_of(F_PATH);
	IN(c.st_mtim, t0, t1);
	IN(c.st_ctim, t0, t1);
	gap();
	int fd = open(F_PATH, O_WRONLY);
	t0 = now_ns();
	CHECK_EQ(ftruncate(fd, 4096), 0);
	t1 = now_ns();
	IN(st_of(F_PATH).st_mtim, t0, t1);
	close(fd);
	gap();
	t0 = now_ns();
	fd = open(F_PATH, O_WRONLY | O_TRUNC);
	t1 = now_ns();
	CHECK(fd >= 0);
	IN(st_of(F_PATH).st_mtim, t0, t1);
	close(fd);
	gap();
	t0 = now_ns();
	fd = open(F_PATH, O_WRONLY | O_TRUNC); /* already empty: POSIX still moves them */
	t1 = now_ns();
	IN(st_of(F_PATH).st_mtim, t0, t1);
	close(fd);
}

static void names(void)
{
	gap();
	long long t0 = now_ns();
	CHECK_EQ(mkdir(D_PATH "/sub", 0755), 0);
	long long t1 = now_ns();
	IN(st_of(D_PATH).st_mtim, t0, t1);
	IN(st_of(D_PATH "/sub").st_mtim, t0, t1);
	gap();
	t0 = now_ns();
	CHECK_EQ(rename(F_PATH, D_PATH "/sub/g"), 0);
	t1 = now_ns();
	IN(st_of(D_PATH).st_mtim, t0, t1);
	IN(st_of(D_PATH "/sub").st_mtim, t0, t1);
	IN(st_of(D_PATH "/sub/g").st_ctim, t0, t1);
	int fd = open(D_PATH "/sub/g", O_RDONLY);
	gap();
	t0 = now_ns();
	CHECK_EQ(unlink(D_PATH "/sub/g"), 0);
	t1 = now_ns();
	IN(st_of(D_PATH "/sub").st_mtim, t0, t1);
	struct stat o;
	CHECK_EQ(fstat(fd, &o), 0);
	IN(o.st_ctim, t0, t1); /* its link count changed */
	close(fd);
	gap();
	t0 = now_ns();
	CHECK_EQ(rmdir(D_PATH "/sub"), 0);
	t1 = now_ns();
	IN(st_of(D_PATH).st_mtim, t0, t1);
}

static void setting(void)
{
	int fd = open(F_PATH, O_RDWR | O_CREAT, 0644);
	struct timespec ts[2] = { { 1000, 500 }, { 2000, 999999999 } };
	long long t0 = now_ns();
	CHECK_EQ(utimensat(AT_FDCWD, F_PATH, ts, 0), 0);
	long long t1 = now_ns();
	struct stat a = st_of(F_PATH);
	CHECK_EQ(a.st_atim.tv_sec, 1000);
	CHECK_EQ(a.st_atim.tv_nsec, 500);
	CHECK_EQ(a.st_mtim.tv_sec, 2000);
	CHECK_EQ(a.st_mtim.tv_nsec, 999999999);
	IN(a.st_ctim, t0, t1);
	struct timespec omit_now[2] = { { 5, UTIME_OMIT }, { 7, UTIME_NOW } };
	t0 = now_ns();
	CHECK_EQ(futimens(fd, omit_now), 0);
	t1 = now_ns();
	struct stat b = st_of(F_PATH);
	SAME(b.st_atim, a.st_atim);
	IN(b.st_mtim, t0, t1);
	gap();
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	CHECK_EQ(utimensat(AT_FDCWD, F_PATH, omit, AT_SYMLINK_NOFOLLOW), 0);
	SAME(st_of(F_PATH).st_ctim, b.st_ctim); /* both left: nothing changes */
	t0 = now_ns();
	CHECK_EQ(utimensat(AT_FDCWD, F_PATH, 0, 0), 0);
	t1 = now_ns();
	IN(st_of(F_PATH).st_atim, t0, t1);
	IN(st_of(F_PATH).st_mtim, t0, t1);
	struct timeval tv[2] = { { 3, 4 }, { 5, 6 } };
	CHECK_EQ(utimes(F_PATH, tv), 0);
	CHECK_EQ(st_of(F_PATH).st_atim.tv_nsec, 4000);
	CHECK_EQ(st_of(F_PATH).st_mtim.tv_sec, 5);
	CHECK_EQ(futimes(fd, tv), 0);
	struct utimbuf ub = { 1234567890, 1300000000 };
	CHECK_EQ(utime(F_PATH, &ub), 0);
	CHECK_EQ(st_of(F_PATH).st_atime, 1234567890);
	CHECK_EQ(st_of(F_PATH).st_mtime, 1300000000);
	CHECK_EQ(st_of(F_PATH).st_mtim.tv_nsec, 0);
	time_t s0 = time(0);
	CHECK_EQ(utime(F_PATH, 0), 0);
	time_t s1 = time(0);
	CHECK(st_of(F_PATH).st_mtime >= s0 && st_of(F_PATH).st_mtime <= s1); /* time()'s clock */
	int dfd = open(D_PATH, O_RDONLY | O_DIRECTORY);
	CHECK_EQ(utimensat(dfd, "f", ts, 0), 0);
	CHECK_EQ(st_of(F_PATH).st_mtime, 2000);
	close(dfd);
	close(fd);
}

static void errors(void)
{
	struct timespec bad[2] = { { 0, NS }, { 0, 0 } };
	CHECK_FAILS(utimensat(AT_FDCWD, F_PATH, bad, 0), EINVAL);
	struct timespec neg[2] = { { 0, 0 }, { 0, -3 } };
	CHECK_FAILS(utimensat(AT_FDCWD, F_PATH, neg, 0), EINVAL);
	CHECK_FAILS(utimensat(AT_FDCWD, F_PATH, 0, 0x100), EINVAL);
	CHECK_FAILS(utimensat(AT_FDCWD, D_PATH "/none", 0, 0), ENOENT);
	CHECK_FAILS(utimensat(AT_FDCWD, F_PATH "/x", 0, 0), ENOTDIR);
	CHECK_FAILS(utimensat(AT_FDCWD, "/bin/hello", 0, 0), EROFS);
	CHECK_FAILS(utimensat(99, "f", 0, 0), EBADF);
	CHECK_FAILS(futimens(-1, 0), EBADF);
	struct timeval tv[2] = { { 0, 1000000 }, { 0, 0 } };
	CHECK_FAILS(utimes(F_PATH, tv), EINVAL);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(futimens(p[0], 0), 0); /* a pipe keeps no times: as on Linux, fine */
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	mkdir(D_PATH, 0755);
	create_write_read();
	chmod_truncate();
	names();
	setting();
	errors();
	unlink(F_PATH);
	rmdir(D_PATH);
	return test_status();
}
