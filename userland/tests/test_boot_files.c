/*
 * /boot through the POSIX calls, when a disk is attached (test/qemu/test_storage.py runs
 * it so): in a scratch directory /boot/tb it creates, writes, appends, truncates down and
 * up, renames, maps (a shared writable mapping's stores reach the file after close),
 * lists, unlinks an open file (still readable) and removes everything again, so the
 * volume is as it was; the refusals (EXDEV, EBUSY, ENOTEMPTY, EEXIST, ENOENT, EPERM)
 * are checked too. With /boot/bin/hello present it runs a copy of it twice; with
 * /boot/bin/bigtext, four running instances of a copy must share its text frames. In the suite's boots
 * there is no disk: then /boot must not exist at all (docs/files.md), and that is all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "testlib.h"

int test_failures;

#define BIG	   10000 /* bytes: more than two pages and not a whole number of them */
#define INSTANCES  4
#define SETTLE_US  50000
#define STEADY_US  20000
#define STEADY_MAX 100
#define MIN_TEXT   16 /* bigtext's text pages are at least this many */
#define SLACK	   1  /* a page table more or less */

static char pattern[BIG], got[BIG];

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -errno;
}

/* Create, write, append, read back, truncate down and up. */
static void bytes(void)
{
	for (int i = 0; i < BIG; i++)
		pattern[i] = (char)('a' + i % 23);
	int fd = open("/boot/tb/f.bin", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, pattern, BIG), BIG);
	close(fd);
	fd = open("/boot/tb/f.bin", O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "tail", 4), 4);
	close(fd);
	CHECK_EQ(file_size("/boot/tb/f.bin"), BIG + 4);
	fd = open("/boot/tb/f.bin", O_RDONLY);
	CHECK_EQ(read(fd, got, BIG), BIG);
	CHECK(memcmp(got, pattern, BIG) == 0);
	CHECK_EQ(read(fd, got, 10), 4);
	CHECK(memcmp(got, "tail", 4) == 0);
	close(fd);
	CHECK_EQ(truncate("/boot/tb/f.bin", 100), 0);
	CHECK_EQ(truncate("/boot/tb/f.bin", 5000), 0);
	fd = open("/boot/tb/f.bin", O_RDONLY);
	CHECK_EQ(pread(fd, got, BIG, 0), 5000);
	CHECK(memcmp(got, pattern, 100) == 0);
	int zeros = 1;
	for (int i = 100; i < 5000; i++)
		zeros &= got[i] == 0;
	CHECK(zeros);
	close(fd);
	CHECK_EQ(open("/boot/tb/f.bin", O_RDWR | O_CREAT | O_EXCL, 0644), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(open("/boot/tb/missing", O_RDONLY), -1);
	CHECK_EQ(errno, ENOENT);
}

/* A shared writable mapping: its stores are in the file once it is closed. */
static void mapping(void)
{
	int fd = open("/boot/tb/f.bin", O_RDWR);
	char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(memcmp(p, pattern, 100) == 0);
	memcpy(p + 200, "mapped", 6);
	CHECK_EQ(fsync(fd), 0);
	munmap(p, 8192);
	close(fd);
	fd = open("/boot/tb/f.bin", O_RDONLY);
	CHECK_EQ(pread(fd, got, 6, 200), 6);
	CHECK(memcmp(got, "mapped", 6) == 0);
	close(fd);
}

/* Names: rename, readdir, the refusals. */
static void names(void)
{
	CHECK_EQ(rename("/boot/tb/f.bin", "/boot/tb/sub/g.bin"), 0);
	CHECK_EQ(file_size("/boot/tb/f.bin"), -ENOENT);
	CHECK_EQ(file_size("/boot/tb/sub/g.bin"), 5000);
	CHECK_EQ(rename("/boot/tb/sub/g.bin", "/tmp/g.bin"), -1);
	CHECK_EQ(errno, EXDEV);
	CHECK_EQ(rename("/boot", "/tmp/b"), -1);
	CHECK_EQ(errno, EBUSY);
	CHECK_EQ(rmdir("/boot"), -1);
	CHECK_EQ(errno, EBUSY);
	CHECK_EQ(rmdir("/boot/tb/sub"), -1);
	CHECK_EQ(errno, ENOTEMPTY);
	CHECK_EQ(mkdir("/boot/tb/sub", 0755), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(unlink("/boot/tb/sub"), -1);
	CHECK_EQ(errno, EPERM);
	int fd = open("/boot/tb/long name with spaces.txt", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x\n", 2), 2);
	close(fd);
	DIR *d = opendir("/boot/tb");
	int seen = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != 0)
		seen += strcmp(e->d_name, "sub") == 0 ||
			strcmp(e->d_name, "long name with spaces.txt") == 0;
	if (d)
		closedir(d);
	CHECK_EQ(seen, 2);
}

/* An unlinked open file stays readable; then everything goes. */
static void removal(void)
{
	int fd = open("/boot/tb/sub/g.bin", O_RDONLY);
	CHECK_EQ(unlink("/boot/tb/sub/g.bin"), 0);
	CHECK_EQ(pread(fd, got, 100, 0), 100);
	CHECK(memcmp(got, pattern, 100) == 0);
	close(fd);
	CHECK_EQ(unlink("/boot/tb/long name with spaces.txt"), 0);
	unlink("/boot/tb/hello");
	unlink("/boot/tb/bigtext");
	CHECK_EQ(rmdir("/boot/tb/sub"), 0);
	CHECK_EQ(rmdir("/boot/tb"), 0);
	CHECK_EQ(file_size("/boot/tb"), -ENOENT);
}

/*
 * from copied to to, through read and write: its size, or -1. The programs run from such
 * copies, which go at the end: the server keeps a file's exec object until the file
 * changes, and the suite counts free frames around every test.
 */
static long copy(const char *from, const char *to)
{
	static char buf[4096];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long total = 0;
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			total = -1;
		else if (total >= 0)
			total += n;
	}
	if (in < 0 || out < 0)
		total = -1;
	close(in);
	close(out);
	return total;
}

/* A program on the disk, twice (the second shares the first's exec object). */
static void programs(void)
{
	long size = file_size("/boot/bin/hello");
	if (size <= 0)
		return;
	CHECK_EQ(copy("/boot/bin/hello", "/boot/tb/hello"), size);
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { "hello", 0 };
			execv("/boot/tb/hello", argv);
			_exit(100 + errno);
		}
		int st = -1;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

/*
 * FAT keeps a modification time in two-second steps and an access date (docs/files.md,
 * "Times"): what stat shows is what the entry holds, so it survives a remount.
 */
#define DAY	    86400
#define T_2020	    1592224497L /* 2020-06-15 12:34:57 UTC */
#define T_2020_FAT  1592224496L /* ... as FAT keeps it */
#define T_2020_DAY  1592179200L /* 2020-06-15 00:00 */
#define T_FAT_FIRST 315532800L	/* 1980-01-01 */
#define T_FAT_LAST  4354819198L /* 2107-12-31 23:59:58 */
#define T_2200	    7258118400L
#define T_LOG	    1614834368L /* 2021-03-04 05:06:08: test_storage.py reads it back */

/* A time as FAT can keep it: before its first day (a board with no RTC starts at
 * 1970), its first moment. */
static time_t fat_clamp(time_t t)
{
	return t < T_FAT_FIRST ? T_FAT_FIRST : t;
}

static void times(void)
{
	struct stat st, dir;
	time_t t0 = fat_clamp(time(0) - 2);
	int fd = open("/boot/tb/t.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK_EQ(write(fd, "x", 1), 1);
	time_t t1 = fat_clamp(time(0));
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(st.st_mtime >= t0 && st.st_mtime <= t1);
	CHECK_EQ(st.st_mtime % 2, 0);
	CHECK_EQ(st.st_mtim.tv_nsec, 0);
	CHECK_EQ(st.st_ctime, st.st_mtime); /* FAT keeps no other */
	CHECK_EQ(st.st_atime % DAY, 0);	    /* a date */
	CHECK(st.st_atime <= st.st_mtime && st.st_mtime < st.st_atime + DAY);
	CHECK_EQ(stat("/boot/tb", &dir), 0); /* a name was added to it */
	CHECK(dir.st_mtime >= t0 && dir.st_mtime <= t1);
	struct utimbuf ub = { T_2020, T_2020 };
	CHECK_EQ(utime("/boot/tb/t.txt", &ub), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mtime, T_2020_FAT);
	CHECK_EQ(st.st_atime, T_2020_DAY);
	char c;
	CHECK_EQ(pread(fd, &c, 1, 0), 1); /* the access date was old: it moves to today */
	CHECK_EQ(fstat(fd, &st), 0);
	if (time(0) > T_2020_DAY + DAY) /* a wall clock: today is after that day */
		CHECK(st.st_atime > T_2020_DAY && st.st_atime <= time(0));
	CHECK_EQ(st.st_mtime, T_2020_FAT);
	ub = (struct utimbuf){ 0, 100 }; /* before FAT's first day: its first moment */
	CHECK_EQ(utime("/boot/tb/t.txt", &ub), 0);
	CHECK_EQ(stat("/boot/tb/t.txt", &st), 0);
	CHECK_EQ(st.st_mtime, T_FAT_FIRST);
	ub = (struct utimbuf){ T_2200, T_2200 }; /* after its last: its last */
	CHECK_EQ(utime("/boot/tb/t.txt", &ub), 0);
	CHECK_EQ(stat("/boot/tb/t.txt", &st), 0);
	CHECK_EQ(st.st_mtime, T_FAT_LAST);
	close(fd);
	CHECK_EQ(unlink("/boot/tb/t.txt"), 0);
	ub = (struct utimbuf){ T_LOG, T_LOG };
	if (stat("/boot/log.txt", &st) == 0)
		CHECK_EQ(utime("/boot/log.txt", &ub), 0);
}

static long free_frames(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return (long)m.free_frames;
}

/* Start path (it runs until killed) and let it settle: its pid; *cost: frames it took. */
static pid_t start_measured(const char *path, long *cost)
{
	long before = free_frames();
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "bigtext", 0 };
		execv(path, argv);
		_exit(100 + errno);
	}
	usleep(SETTLE_US);
	/* The exec reads from the card for a while on a loaded host: wait for the count to
	 * stand still (two readings STEADY_US apart agree), or a later instance pays for
	 * this one's last pages. */
	long now = free_frames(), prev = now + 1;
	for (int i = 0; i < STEADY_MAX && now != prev; i++) {
		usleep(STEADY_US);
		prev = now;
		now = free_frames();
	}
	*cost = before - now;
	return pid;
}

/*
 * Instances of /boot/bin/bigtext (72 KiB of text) share its text frames: the first pays
 * for the file's exec object, each later one costs no text frame, so at least MIN_TEXT
 * frames less than the first. Without sharing every instance would pay the same.
 */
static void shared_text(void)
{
	pid_t pid[INSTANCES];
	long cost[INSTANCES];
	long size = file_size("/boot/bin/bigtext");
	if (size <= 0)
		return;
	CHECK_EQ(copy("/boot/bin/bigtext", "/boot/tb/bigtext"), size);
	for (int i = 0; i < INSTANCES; i++)
		pid[i] = start_measured("/boot/tb/bigtext", &cost[i]);
	printf("  frames per /boot/tb/bigtext instance: %ld %ld %ld %ld\n", cost[0], cost[1],
	       cost[2], cost[3]);
	for (int i = 1; i < INSTANCES; i++) {
		CHECK(cost[i] + MIN_TEXT <= cost[0]);
		CHECK(cost[i] <= cost[1] + SLACK);
	}
	for (int i = 0; i < INSTANCES; i++) {
		int st = 0;
		CHECK(pid[i] > 0);
		CHECK_EQ(kill(pid[i], SIGKILL), 0);
		CHECK_EQ(waitpid(pid[i], &st, 0), pid[i]);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
}

int main(void)
{
	struct stat st;
	if (stat("/boot", &st) != 0) {
		CHECK_EQ(errno, ENOENT); /* no disk: no /boot */
		printf("test_boot_files: no /boot\n");
		return test_status();
	}
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(mkdir("/boot/tb", 0755), 0);
	CHECK_EQ(mkdir("/boot/tb/sub", 0755), 0);
	bytes();
	times();
	mapping();
	names();
	programs();
	shared_text();
	removal();
	sync();
	printf("test_boot_files: /boot checked\n");
	return test_status();
}
