/*
 * An audit of directory and file-metadata behaviour against POSIX.1-2017, as a program
 * ported from Linux expects it: mkdir/rmdir/unlink/rename of directories, directory
 * streams (readdir while the directory changes, rewinddir, telldir/seekdir, fdopendir),
 * the working directory (getcwd, chdir, fchdir), stat's fields and the times the calls
 * mark for update, access/chmod/umask/utimensat, symbolic and hard links, realpath, and
 * pathconf with NAME_MAX/PATH_MAX. Each CHECK asserts what POSIX specifies (the comment
 * names the rule), nothing Linux-only; where POSIX leaves a choice, the check accepts
 * every allowed answer. Files live under /tmp/pda_*.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define T "/tmp/pda_"

/* The permission bits of path (stat), or -1. */
static long perm_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)(st.st_mode & 07777) : -1;
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

/* Is a later than b? */
static int ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static int ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static struct stat st_of(const char *path)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	CHECK_EQ(stat(path, &st), 0);
	return st;
}

/* ---- mkdir, rmdir, unlink of a directory ---- */

static void make_remove(void)
{
	struct stat st;
	mode_t old = umask(022);

	/* mkdir: "The file permission bits of the new directory shall be initialized from
	 * mode ... modified by the process' file mode creation mask." */
	CHECK_EQ(mkdir(T "d", 0777), 0);
	CHECK_EQ(stat(T "d", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0755);
	umask(027);
	CHECK_EQ(mkdir(T "d/m", 0777), 0);
	CHECK_EQ(perm_of(T "d/m"), 0750);
	umask(022);

	/* mkdir [EEXIST]: "The named file exists." */
	CHECK_FAILS(mkdir(T "d", 0755), EEXIST);
	/* mkdir [ENOENT]: "A component of the path prefix ... does not name an existing file" */
	CHECK_FAILS(mkdir(T "nodir/sub", 0755), ENOENT);
	/* [ENOTDIR]: "A component of the path prefix names an existing file that is neither a
	 * directory nor a symbolic link to a directory." */
	put_file(T "f", "x");
	CHECK_FAILS(mkdir(T "f/sub", 0755), ENOTDIR);
	/* mkdir: "If path names a symbolic link, mkdir() shall fail and set errno to [EEXIST]."
	 * (a dangling one too) */
	CHECK_EQ(symlink(T "nowhere", T "dangle"), 0);
	CHECK_FAILS(mkdir(T "dangle", 0755), EEXIST);
	CHECK_EQ(unlink(T "dangle"), 0);

	/* rmdir [EEXIST] or [ENOTEMPTY]: "The path argument names a directory that is not an
	 * empty directory" */
	errno = 0;
	CHECK_EQ(rmdir(T "d"), -1);
	CHECK(errno == ENOTEMPTY || errno == EEXIST);
	/* rmdir [ENOTDIR]: a file */
	CHECK_FAILS(rmdir(T "f"), ENOTDIR);
	/* rmdir [EINVAL]: "The path argument contains a last component that is dot."
	 * ([EBUSY] for a directory in use is allowed too.) */
	errno = 0;
	CHECK_EQ(rmdir(T "d/m/."), -1);
	CHECK(errno == EINVAL || errno == EBUSY);
	CHECK_EQ(stat(T "d/m", &st), 0);
	/* rmdir: "If path names a symbolic link, then rmdir() shall fail and set errno to
	 * [ENOTDIR]." */
	CHECK_EQ(symlink(T "d/m", T "dlink"), 0);
	CHECK_FAILS(rmdir(T "dlink"), ENOTDIR);
	CHECK_EQ(stat(T "d/m", &st), 0);
	CHECK_EQ(unlink(T "dlink"), 0);
	/* rmdir [ENOENT] */
	CHECK_FAILS(rmdir(T "nodir"), ENOENT);

	/* unlink [EPERM]: "The file named by path is a directory, and either the calling
	 * process does not have appropriate privileges, or the implementation prohibits
	 * using unlink() on directories." (or, if it allows it, success) */
	errno = 0;
	int r = unlink(T "d/m");
	CHECK(r == 0 || errno == EPERM);
	if (r == 0)
		mkdir(T "d/m", 0755);

	/* An empty directory goes. */
	CHECK_EQ(rmdir(T "d/m"), 0);
	CHECK_FAILS(stat(T "d/m", &st), ENOENT);
	CHECK_EQ(rmdir(T "d"), 0);
	/* Trailing slashes name a directory (XBD 4.13): mkdir and rmdir take them, and a
	 * file so named is [ENOTDIR] */
	CHECK_EQ(mkdir(T "d2/", 0755), 0);
	CHECK_EQ(stat(T "d2", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(rmdir(T "d2/"), 0);
	CHECK_FAILS(unlink(T "f/"), ENOTDIR);
	CHECK_EQ(stat(T "f", &st), 0);
	CHECK_EQ(unlink(T "f"), 0);
	/* mkdir [EROFS]: "The parent directory resides on a read-only file system." (/bin,
	 * docs/files.md) */
	CHECK_FAILS(mkdir("/bin/pda_x", 0755), EROFS);
	umask(old);
}

/* ---- rename of directories ---- */

static void renames(void)
{
	struct stat st;
	CHECK_EQ(mkdir(T "ra", 0755), 0);
	CHECK_EQ(mkdir(T "ra/sub", 0755), 0);
	CHECK_EQ(mkdir(T "rb", 0755), 0);
	put_file(T "rb/f", "x");
	CHECK_EQ(mkdir(T "rc", 0755), 0);
	put_file(T "rf", "file");

	/* rename [EINVAL]: "The new directory pathname contains a path prefix that names the
	 * old directory." */
	CHECK_FAILS(rename(T "ra", T "ra/sub/x"), EINVAL);
	CHECK_FAILS(rename(T "ra", T "ra/sub"), EINVAL);
	/* [EEXIST] or [ENOTEMPTY]: "The link named by new is a directory that is not an empty
	 * directory." */
	errno = 0;
	CHECK_EQ(rename(T "rc", T "rb"), -1);
	CHECK(errno == EEXIST || errno == ENOTEMPTY);
	CHECK_EQ(stat(T "rb/f", &st), 0);
	/* [ENOTDIR]: "old names a directory and new names an existing non-directory file." */
	CHECK_FAILS(rename(T "rc", T "rf"), ENOTDIR);
	/* [EISDIR]: "The new argument points to a directory and the old argument points to a
	 * file that is not a directory." */
	CHECK_FAILS(rename(T "rf", T "rc"), EISDIR);
	/* [ENOENT]: the new name's directory does not exist. */
	CHECK_FAILS(rename(T "rf", T "nodir/x"), ENOENT);
	/* [EINVAL]: "either pathname argument contains a final component that is dot or
	 * dot-dot" */
	CHECK_FAILS(rename(T "rc/.", T "rq"), EINVAL);
	CHECK_FAILS(rename(T "rc", T "rb/.."), EINVAL);
	/* a trailing slash on new: a directory may take it ... */
	CHECK_EQ(rename(T "rc", T "rq/"), 0);
	CHECK_EQ(stat(T "rq", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(rename(T "rq", T "rc"), 0);
	/* ... a file not: [ENOTDIR] (XBD 4.13, a trailing slash resolves only to a
	 * directory) */
	CHECK_FAILS(rename(T "rf", T "rq/"), ENOTDIR);
	/* A directory onto an empty directory replaces it ("If new names an existing directory,
	 * it shall be required to be an empty directory"), with its entries. */
	ino_t a = ino_of(T "ra");
	CHECK_EQ(rename(T "ra", T "rc"), 0);
	CHECK_EQ(ino_of(T "rc"), (long)a);
	CHECK_EQ(stat(T "rc/sub", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_FAILS(stat(T "ra", &st), ENOENT);
	/* "If the old argument and the new argument resolve to ... different directory entries
	 * for the same existing file, rename() shall return successfully and perform no other
	 * action." */
	CHECK_EQ(link(T "rf", T "rf2"), 0);
	CHECK_EQ(rename(T "rf", T "rf2"), 0);
	CHECK_EQ(stat(T "rf", &st), 0);
	CHECK_EQ(stat(T "rf2", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	/* A symbolic link is renamed itself ("If old names a symbolic link, the link is
	 * renamed") */
	CHECK_EQ(symlink(T "rc", T "rl"), 0);
	CHECK_EQ(rename(T "rl", T "rl2"), 0);
	CHECK_EQ(lstat(T "rl2", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(stat(T "rc/sub", &st), 0);

	unlink(T "rl2");
	unlink(T "rf");
	unlink(T "rf2");
	unlink(T "rb/f");
	CHECK_EQ(rmdir(T "rb"), 0);
	CHECK_EQ(rmdir(T "rc/sub"), 0);
	CHECK_EQ(rmdir(T "rc"), 0);
}

/* ---- directory streams ---- */

#define NFILES 5

/* Read d to its end: counts of each name in names[] (seen[]), of ".", of "..", of others. */
static void read_all(DIR *d, const char *const *names, int n, int *seen, int *dot, int *dotdot,
		     int *other)
{
	struct dirent *e;
	for (int i = 0; i < n; i++)
		seen[i] = 0;
	*dot = *dotdot = *other = 0;
	while ((e = readdir(d)) != 0) {
		int hit = 0;
		if (strcmp(e->d_name, ".") == 0) {
			++*dot;
			continue;
		}
		if (strcmp(e->d_name, "..") == 0) {
			++*dotdot;
			continue;
		}
		for (int i = 0; i < n; i++)
			if (strcmp(e->d_name, names[i]) == 0) {
				seen[i]++;
				hit = 1;
			}
		*other += !hit;
	}
}

static void streams(void)
{
	static const char *const names[] = { "f0",  "f1",  "f2",   "f3",  "f4",
					     "sub", "lnk", "hard", "late" };
	char path[128];
	int seen[9], dot, dotdot, other;
	struct dirent *e;
	struct stat st;

	CHECK_EQ(mkdir(T "ds", 0755), 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), T "ds/%s", names[i]);
		put_file(path, "x");
	}
	CHECK_EQ(mkdir(T "ds/sub", 0755), 0);
	CHECK_EQ(symlink("f0", T "ds/lnk"), 0);
	CHECK_EQ(link(T "ds/f1", T "ds/hard"), 0);

	DIR *d = opendir(T "ds");
	CHECK(d != 0);
	if (!d)
		return;
	/* readdir: "The type DIR ... represents a directory stream, which is an ordered
	 * sequence of all the directory entries"; "If entries for dot or dot-dot exist, one
	 * entry shall be returned for dot and one entry shall be returned for dot-dot;
	 * otherwise, they shall not be returned." */
	read_all(d, names, 8, seen, &dot, &dotdot, &other);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(seen[i], 1);
	CHECK(dot <= 1 && dotdot <= 1 && dot == dotdot);
	CHECK_EQ(other, 0);
	/* "When the end of the directory is encountered, a null pointer shall be returned and
	 * errno is not changed." */
	errno = EINTR;
	CHECK(readdir(d) == 0);
	CHECK_EQ(errno, EINTR);

	/* d_ino: "File serial number" (st_ino of the entry's file, link or not) */
	rewinddir(d);
	while ((e = readdir(d)) != 0) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), T "ds/%s", e->d_name);
		CHECK_EQ(lstat(path, &st), 0);
		CHECK_EQ(e->d_ino, st.st_ino);
	}

	/* rewinddir: "It shall also cause the directory stream to refer to the current state of
	 * the corresponding directory, as a call to opendir() would have done." */
	put_file(T "ds/late", "x");
	rewinddir(d);
	read_all(d, names, 9, seen, &dot, &dotdot, &other);
	for (int i = 0; i < 9; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_EQ(other, 0);

	/* seekdir/telldir: "The new position reverts to the one associated with the directory
	 * stream when the telldir() operation was performed." */
	rewinddir(d);
	CHECK(readdir(d) != 0);
	long pos = telldir(d);
	char want[64] = "";
	e = readdir(d);
	CHECK(e != 0);
	if (e)
		strcpy(want, e->d_name);
	CHECK(readdir(d) != 0);
	seekdir(d, pos);
	e = readdir(d);
	CHECK(e != 0 && strcmp(e->d_name, want) == 0);
	CHECK_EQ(closedir(d), 0);

	/* fdopendir/dirfd: the stream is on fd; closedir closes it. */
	int fd = open(T "ds", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	d = fdopendir(fd);
	CHECK(d != 0);
	if (d) {
		CHECK_EQ(dirfd(d), fd);
		read_all(d, names, 9, seen, &dot, &dotdot, &other);
		for (int i = 0; i < 9; i++)
			CHECK_EQ(seen[i], 1);
		CHECK_EQ(closedir(d), 0);
		/* closedir: "shall close the directory stream ... and the file descriptor" */
		CHECK_FAILS(fcntl(fd, F_GETFD), EBADF);
	}
	/* fdopendir [ENOTDIR]: "The file descriptor fd is not associated with a directory." */
	fd = open(T "ds/f0", O_RDONLY);
	errno = 0;
	CHECK(fdopendir(fd) == 0);
	CHECK_EQ(errno, ENOTDIR);
	close(fd);
	/* fdopendir [EBADF] */
	errno = 0;
	CHECK(fdopendir(-1) == 0);
	CHECK_EQ(errno, EBADF);
	/* opendir [ENOTDIR], [ENOENT] */
	errno = 0;
	CHECK(opendir(T "ds/f0") == 0);
	CHECK_EQ(errno, ENOTDIR);
	errno = 0;
	CHECK(opendir(T "ds/none") == 0);
	CHECK_EQ(errno, ENOENT);

	for (int i = 0; i < 9; i++) {
		snprintf(path, sizeof(path), T "ds/%s", names[i]);
		if (strcmp(names[i], "sub") == 0)
			CHECK_EQ(rmdir(path), 0);
		else
			CHECK_EQ(unlink(path), 0);
	}
	CHECK_EQ(rmdir(T "ds"), 0);
}

/*
 * readdir while the directory changes. Only for "a file ... removed from or added to the
 * directory after the most recent call to opendir() or rewinddir()" is it unspecified
 * whether readdir returns it; every other entry of "an ordered sequence of all the
 * directory entries" comes exactly once. The usual Linux loop that removes each entry it
 * reads (rm -r) depends on that.
 */
static void streams_changing(void)
{
	static const char *const names[] = { "e0", "e1", "e2", "e3", "e4", "e5" };
	char path[128];
	int seen[6], count = 0;
	struct dirent *e;

	/* Removing each entry just read: every entry is still read. */
	CHECK_EQ(mkdir(T "dr", 0755), 0);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), T "dr/%s", names[i]);
		put_file(path, "x");
	}
	DIR *d = opendir(T "dr");
	CHECK(d != 0);
	while (d && (e = readdir(d)) != 0) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), T "dr/%s", e->d_name);
		CHECK_EQ(unlink(path), 0);
		count++;
	}
	if (d)
		closedir(d);
	CHECK_EQ(count, 6);
	for (int i = 0; i < 6; i++) { /* what the loop missed */
		snprintf(path, sizeof(path), T "dr/%s", names[i]);
		unlink(path);
	}
	CHECK_EQ(rmdir(T "dr"), 0);

	/* Adding an entry part-way: the others come exactly once each. A file made and
	 * removed first leaves a free place before them (wherever entries are kept). */
	put_file(T "filler", "x");
	CHECK_EQ(mkdir(T "dx", 0755), 0);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), T "dx/%s", names[i]);
		put_file(path, "x");
	}
	CHECK_EQ(unlink(T "filler"), 0);
	for (int i = 0; i < 6; i++)
		seen[i] = 0;
	d = opendir(T "dx");
	CHECK(d != 0);
	count = 0;
	while (d && (e = readdir(d)) != 0) {
		for (int i = 0; i < 6; i++)
			seen[i] += strcmp(e->d_name, names[i]) == 0;
		if (++count == 3)
			put_file(T "dx/new", "x");
	}
	if (d)
		closedir(d);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(seen[i], 1);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), T "dx/%s", names[i]);
		unlink(path);
	}
	unlink(T "dx/new");
	CHECK_EQ(rmdir(T "dx"), 0);
}

/* ---- the working directory ---- */

static void cwd(void)
{
	char save[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	CHECK(getcwd(save, sizeof(save)) != 0);
	CHECK_EQ(mkdir(T "cw", 0755), 0);
	CHECK_EQ(mkdir(T "cw/sub", 0755), 0);
	CHECK_EQ(symlink(T "cw/sub", T "cwlink"), 0);
	put_file(T "cwfile", "x");

	CHECK_EQ(chdir(T "cw"), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw") == 0);
	/* getcwd [ERANGE]: "The size argument is greater than 0, but is smaller than the length
	 * of the string +1." */
	errno = 0;
	CHECK(getcwd(buf, strlen(T "cw")) == 0);
	CHECK_EQ(errno, ERANGE);
	CHECK(getcwd(buf, strlen(T "cw") + 1) != 0);
	/* [EINVAL]: "The size argument is 0." */
	errno = 0;
	CHECK(getcwd(buf, 0) == 0);
	CHECK_EQ(errno, EINVAL);

	CHECK_EQ(chdir("sub"), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw/sub") == 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw") == 0);
	/* getcwd: "The pathname shall contain no components that are dot or dot-dot, or are
	 * symbolic links." */
	CHECK_EQ(chdir(T "cwlink"), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw/sub") == 0);
	/* ".." is the parent of the directory itself (XBD 4.13), not of the link */
	CHECK_EQ(chdir(".."), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw") == 0);

	/* chdir [ENOENT], [ENOTDIR], and "" ([ENOENT], XBD 4.13: a null pathname) */
	CHECK_FAILS(chdir(T "none"), ENOENT);
	CHECK_FAILS(chdir(T "cwfile"), ENOTDIR);
	CHECK_FAILS(chdir(""), ENOENT);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw") == 0);

	/* A relative path starts at the working directory (XBD 4.13). */
	put_file("rel", "x");
	CHECK_EQ(stat(T "cw/rel", &st), 0);
	CHECK_EQ(unlink(T "cw/rel"), 0);

	/* fchdir: "the directory named by fildes shall become the current working directory" */
	int fd = open(T "cw/sub", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(fchdir(fd), 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, T "cw/sub") == 0);
	close(fd);
	/* fchdir [ENOTDIR], [EBADF] */
	fd = open(T "cwfile", O_RDONLY);
	CHECK_FAILS(fchdir(fd), ENOTDIR);
	close(fd);
	CHECK_FAILS(fchdir(fd), EBADF);

	/*
	 * Not checked, a documented limit (docs/userland.md): the working directory is kept
	 * as its path, so renaming it leaves getcwd, "." and relative paths on the old name.
	 */
	CHECK_EQ(rename(T "cw/sub", T "cw/moved"), 0);

	CHECK_EQ(chdir(save), 0);
	unlink(T "cw/moved/rel2");
	unlink(T "cw/sub/rel2");
	CHECK_EQ(rmdir(T "cw/moved"), 0);
	CHECK_EQ(rmdir(T "cw"), 0);
	unlink(T "cwlink");
	unlink(T "cwfile");
}

/* ---- stat's fields ---- */

static void stat_fields(void)
{
	struct stat st, st2;
	put_file(T "sf", "hello");
	CHECK_EQ(stat(T "sf", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(st.st_nlink, 1);
	/* fstat gives what stat gives for the same file */
	int fd = open(T "sf", O_RDONLY);
	CHECK_EQ(fstat(fd, &st2), 0);
	CHECK_EQ(st2.st_ino, st.st_ino);
	CHECK_EQ(st2.st_dev, st.st_dev);
	CHECK_EQ(st2.st_size, 5);
	close(fd);

	/* link: "the link count of the file shall be incremented by one"; both names are one
	 * file: the same st_dev and st_ino (XBD <sys/stat.h>: "uniquely identify the file") */
	CHECK_EQ(link(T "sf", T "sf2"), 0);
	CHECK_EQ(stat(T "sf", &st), 0);
	CHECK_EQ(stat(T "sf2", &st2), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(st2.st_nlink, 2);
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_EQ(st.st_dev, st2.st_dev);
	/* unlink: "decrement the link count of the file referenced by the link" */
	CHECK_EQ(unlink(T "sf"), 0);
	CHECK_EQ(stat(T "sf2", &st2), 0);
	CHECK_EQ(st2.st_nlink, 1);
	CHECK_EQ(st2.st_ino, st.st_ino);
	CHECK_EQ(st2.st_size, 5);

	/* Distinct files have distinct serial numbers. */
	put_file(T "sf3", "");
	CHECK(ino_of(T "sf3") != ino_of(T "sf2"));

	/* File types: S_ISDIR, S_ISFIFO, S_ISLNK (lstat) */
	CHECK_EQ(mkdir(T "sd", 0755), 0);
	CHECK_EQ(stat(T "sd", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK(!S_ISREG(st.st_mode));
	CHECK_EQ(mkfifo(T "sfifo", 0644), 0);
	CHECK_EQ(stat(T "sfifo", &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(lstat(T "sfifo", &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	/* lstat of a link: "the information returned shall be about the link"; "the value of
	 * the st_size member shall be set to the length of the pathname contained in the
	 * symbolic link not including any terminating null byte." */
	CHECK_EQ(symlink("pda_sf2", T "slink"), 0);
	CHECK_EQ(lstat(T "slink", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, (long)strlen("pda_sf2"));
	CHECK(st.st_ino != st2.st_ino);
	/* stat follows it */
	CHECK_EQ(stat(T "slink", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_EQ(st.st_size, 5);
	/* a trailing slash names a directory (XBD 4.13): a file so named is [ENOTDIR] */
	CHECK_FAILS(stat(T "sf2/", &st), ENOTDIR);

	/* fstat of a FIFO's descriptor describes the FIFO: "shall obtain information about an
	 * open file associated with the file descriptor" -- its type, mode and serial number
	 * (st_dev and st_ino "uniquely identify the file") */
	CHECK_EQ(stat(T "sfifo", &st2), 0);
	fd = open(T "sfifo", O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	/* Its serial number and mode are not checked: a documented limit (docs/files.md,
	 * "FIFOs": fstat of an open FIFO describes the pipe). */
	close(fd);
	/* fstat of a directory */
	fd = open(T "sd", O_RDONLY);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_ino, ino_of(T "sd"));
	close(fd);
	/* lstat of "link/": the trailing slash makes it follow the link (XBD 4.13) */
	CHECK_EQ(symlink("pda_sd", T "sdl"), 0);
	CHECK_EQ(lstat(T "sdl/", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	unlink(T "sdl");
	/* stat [ELOOP]: "A loop exists in symbolic links encountered during resolution" */
	CHECK_EQ(symlink("pda_loop2", T "loop1"), 0);
	CHECK_EQ(symlink("pda_loop1", T "loop2"), 0);
	CHECK_FAILS(stat(T "loop1", &st), ELOOP);
	unlink(T "loop1");
	unlink(T "loop2");

	unlink(T "slink");
	unlink(T "sfifo");
	unlink(T "sf2");
	unlink(T "sf3");
	rmdir(T "sd");
}

/* ---- the times the calls mark for update ---- */

static void times_marked(void)
{
	struct stat st, before;
	/* Times before any "now": a board without a real-time clock (sifive_u) counts from
	 * 1970 at boot, and a test may run within its first second. */
	struct timespec old[2] = { { 0, 111 }, { 0, 222 } };
	char c;

	put_file(T "tf", "abc");
	/* utimensat with explicit times: "the access and modification times shall be set to
	 * the values"; the file system keeps nanoseconds (docs/files.md, "Times") */
	CHECK_EQ(utimensat(AT_FDCWD, T "tf", old, 0), 0);
	st = st_of(T "tf");
	CHECK(ts_eq(st.st_atim, old[0]));
	CHECK(ts_eq(st.st_mtim, old[1]));
	/* "Upon completion, ... shall mark the last file status change timestamp for update" */
	CHECK(ts_after(st.st_ctim, old[1]));

	/* UTIME_OMIT: "the file's relevant timestamp shall not be changed" */
	struct timespec t2[2] = { { 0, UTIME_OMIT }, { 1100000000, 5 } };
	CHECK_EQ(utimensat(AT_FDCWD, T "tf", t2, 0), 0);
	st = st_of(T "tf");
	CHECK(ts_eq(st.st_atim, old[0]));
	CHECK(ts_eq(st.st_mtim, t2[1]));
	/* UTIME_NOW: "the file's relevant timestamp shall be set to the greatest value
	 * supported by the file system that is not greater than the current time" */
	time_t now0 = time(0);
	struct timespec t3[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	CHECK_EQ(utimensat(AT_FDCWD, T "tf", t3, 0), 0);
	st = st_of(T "tf");
	CHECK(ts_eq(st.st_atim, old[0]));
	CHECK(st.st_mtim.tv_sec >= now0 - 1);
	/* [EINVAL]: "a tv_nsec ... has a value less than zero or greater than or equal to 1000
	 * million, and not equal to UTIME_NOW or UTIME_OMIT" */
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, UTIME_OMIT } };
	CHECK_FAILS(utimensat(AT_FDCWD, T "tf", bad, 0), EINVAL);
	/* a null times: both set to the current time */
	CHECK_EQ(utimensat(AT_FDCWD, T "tf", 0, 0), 0);
	st = st_of(T "tf");
	CHECK(st.st_atim.tv_sec >= now0 - 1 && st.st_mtim.tv_sec >= now0 - 1);

	/* futimens, with explicit times, on a descriptor open for reading */
	int fd = open(T "tf", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(futimens(fd, old), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(ts_eq(st.st_atim, old[0]));
	CHECK(ts_eq(st.st_mtim, old[1]));
	close(fd);

	/* Not checked, a documented limit (docs/files.md): utimensat with
	 * AT_SYMLINK_NOFOLLOW changes what the link names, not the link. */

	/* write: "shall mark for update the last data modification and last file status change
	 * timestamps" (the clock has nanoseconds: a wait of 20 ms is a change) */
	fd = open(T "tf", O_RDWR);
	before = st_of(T "tf");
	ms_sleep(20);
	CHECK_EQ(write(fd, "z", 1), 1);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_mtim, before.st_mtim));
	CHECK(ts_after(st.st_ctim, before.st_ctim));

	/* read (of at least a byte) marks atime; here atime is older than mtime, so the
	 * documented relatime rule moves it too */
	CHECK_EQ(futimens(fd, (struct timespec[2]){ { 0, 5 }, { 0, UTIME_OMIT } }), 0);
	CHECK_EQ(pread(fd, &c, 1, 0), 1);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_atim, (struct timespec){ 0, 5 }));

	/* ftruncate: "if the file size is changed, ... shall mark for update the last data
	 * modification and last file status change timestamps" */
	CHECK_EQ(futimens(fd, old), 0);
	before = st_of(T "tf");
	ms_sleep(20);
	CHECK_EQ(ftruncate(fd, 1), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_mtim, before.st_mtim));
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	/* truncate, likewise */
	before = st;
	ms_sleep(20);
	CHECK_EQ(truncate(T "tf", 10), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_mtim, before.st_mtim));
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	/* open with O_TRUNC of an existing file: "shall mark for update the last data
	 * modification and last file status change timestamps" */
	before = st;
	ms_sleep(20);
	int fd2 = open(T "tf", O_WRONLY | O_TRUNC);
	CHECK(fd2 >= 0);
	close(fd2);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_mtim, before.st_mtim));
	CHECK(ts_after(st.st_ctim, before.st_ctim));

	/* chmod/fchmod: "shall mark for update the last file status change timestamp" */
	before = st;
	ms_sleep(20);
	CHECK_EQ(chmod(T "tf", 0600), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	before = st;
	ms_sleep(20);
	CHECK_EQ(fchmod(fd, 0644), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	close(fd);

	/* link: "shall mark for update the last file status change timestamp of the file.
	 * Also, the last data modification and last file status change timestamps of the
	 * directory that contains the new entry shall be marked for update." */
	CHECK_EQ(mkdir(T "td", 0755), 0);
	before = st_of(T "tf");
	struct stat dbefore = st_of(T "td");
	ms_sleep(20);
	CHECK_EQ(link(T "tf", T "td/l"), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	struct stat dst = st_of(T "td");
	CHECK(ts_after(dst.st_mtim, dbefore.st_mtim));
	CHECK(ts_after(dst.st_ctim, dbefore.st_ctim));
	/* unlink: the file's ctime (it still has a link) and the directory's mtime, ctime */
	before = st;
	dbefore = dst;
	ms_sleep(20);
	CHECK_EQ(unlink(T "td/l"), 0);
	st = st_of(T "tf");
	CHECK(ts_after(st.st_ctim, before.st_ctim));
	dst = st_of(T "td");
	CHECK(ts_after(dst.st_mtim, dbefore.st_mtim));
	CHECK(ts_after(dst.st_ctim, dbefore.st_ctim));
	/* a new file (open O_CREAT), mkdir, rmdir, rename: the directory's mtime and ctime */
	const char *ops[] = { "creat", "mkdir", "rmdir", "rename-in", "rename-out" };
	struct stat made_after = st_of(T "td");
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		dbefore = st_of(T "td");
		ms_sleep(20);
		if (i == 0) {
			made_after = dbefore;
			put_file(T "td/new", "");
		} else if (i == 1)
			CHECK_EQ(mkdir(T "td/sub", 0755), 0);
		else if (i == 2)
			CHECK_EQ(rmdir(T "td/sub"), 0);
		else if (i == 3)
			CHECK_EQ(rename(T "tf", T "td/tf"), 0);
		else
			CHECK_EQ(rename(T "td/tf", T "tf"), 0);
		dst = st_of(T "td");
		if (!ts_after(dst.st_mtim, dbefore.st_mtim) ||
		    !ts_after(dst.st_ctim, dbefore.st_ctim))
			printf("  directory times unchanged by %s\n", ops[i]);
		CHECK(ts_after(dst.st_mtim, dbefore.st_mtim));
		CHECK(ts_after(dst.st_ctim, dbefore.st_ctim));
	}
	/* a new file's own times: "shall mark for update the last data access, last data
	 * modification, and last file status change timestamps of the file" -- so none is
	 * before the directory's change */
	st = st_of(T "td/new");
	CHECK(ts_after(st.st_mtim, made_after.st_mtim));
	CHECK(ts_after(st.st_ctim, made_after.st_ctim));
	CHECK(ts_after(st.st_atim, made_after.st_mtim));
	unlink(T "td/new");
	rmdir(T "td");
	unlink(T "tf");
}

/* ---- access, chmod, umask ---- */

static void modes(void)
{
	struct stat st;
	put_file(T "af", "x");
	/* chmod: the file's permission bits become mode's, the type stays */
	CHECK_EQ(chmod(T "af", 0), 0);
	CHECK_EQ(stat(T "af", &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0);
	CHECK(S_ISREG(st.st_mode));
	/* XBD 4.5, with appropriate privileges (every process is root, docs/files.md): "If
	 * read, write, or directory search permission is requested, access shall be granted.
	 * If execute permission is requested, access shall be granted if execute permission is
	 * granted to at least one user by the file permission bits" */
	CHECK_EQ(access(T "af", F_OK), 0);
	CHECK_EQ(access(T "af", R_OK), 0);
	CHECK_EQ(access(T "af", W_OK), 0);
	CHECK_EQ(access(T "af", R_OK | W_OK), 0);
	CHECK_FAILS(access(T "af", X_OK), EACCES);
	CHECK_EQ(chmod(T "af", 0010), 0);
	CHECK_EQ(access(T "af", X_OK), 0);
	CHECK_EQ(chmod(T "af", 04751), 0);
	CHECK_EQ(perm_of(T "af"), 04751);
	/* a directory without any bit: search is granted */
	CHECK_EQ(mkdir(T "ad", 0), 0);
	CHECK_EQ(perm_of(T "ad"), 0);
	CHECK_EQ(access(T "ad", X_OK), 0);
	CHECK_EQ(chmod(T "ad", 0755), 0);
	CHECK_EQ(perm_of(T "ad"), 0755);
	/* access [ENOENT], [ENOTDIR] */
	CHECK_FAILS(access(T "none", F_OK), ENOENT);
	CHECK_FAILS(access(T "af/x", F_OK), ENOTDIR);
	/* access follows a symbolic link: a dangling one is [ENOENT] */
	CHECK_EQ(symlink(T "none", T "adangle"), 0);
	CHECK_FAILS(access(T "adangle", F_OK), ENOENT);
	unlink(T "adangle");
	/* access [EROFS]: "Write access is requested for a file on a read-only file system."
	 * (/bin, docs/files.md) -- reading is still granted */
	CHECK_FAILS(access("/bin/hello", W_OK), EROFS);
	CHECK_EQ(access("/bin/hello", R_OK), 0);

	/* fchmod */
	int fd = open(T "af", O_RDONLY);
	CHECK_EQ(fchmod(fd, 0604), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0604);
	close(fd);
	/* chmod of a symbolic link changes the file it names */
	CHECK_EQ(symlink("pda_af", T "al"), 0);
	CHECK_EQ(chmod(T "al", 0640), 0);
	CHECK_EQ(perm_of(T "af"), 0640);
	unlink(T "al");
	/* chmod of a FIFO: "shall change S_ISUID, S_ISGID, S_ISVTX, and the file permission
	 * bits of the file named by the pathname" -- any file type */
	CHECK_EQ(mkfifo(T "afifo", 0644), 0);
	errno = 0;
	CHECK_EQ(chmod(T "afifo", 0600), 0);
	if (errno)
		printf("  chmod of a FIFO: errno %d\n", errno);
	CHECK_EQ(perm_of(T "afifo"), 0600);
	unlink(T "afifo");

	/* umask: "shall return the previous value of the mask"; its effect on open(O_CREAT),
	 * mkdir, mkfifo: the mode's bits that are set in the mask are cleared */
	mode_t old = umask(027);
	CHECK_EQ(umask(027), 027);
	fd = open(T "au", O_CREAT | O_WRONLY | O_EXCL, 0666);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(perm_of(T "au"), 0640);
	CHECK_EQ(mkdir(T "aud", 0777), 0);
	CHECK_EQ(perm_of(T "aud"), 0750);
	CHECK_EQ(mkfifo(T "auf", 0666), 0);
	CHECK_EQ(perm_of(T "auf"), 0640);
	/* "only the file permission bits of cmask are used" */
	CHECK_EQ(umask(old | 0170000), 027);
	CHECK_EQ(umask(old), old);
	/* open of an existing file: the mode argument changes nothing */
	fd = open(T "au", O_CREAT | O_WRONLY, 0777);
	close(fd);
	CHECK_EQ(perm_of(T "au"), 0640);

	unlink(T "au");
	unlink(T "auf");
	rmdir(T "aud");
	rmdir(T "ad");
	unlink(T "af");
}

/* ---- symbolic links, realpath ---- */

static void symlinks(void)
{
	char buf[PATH_MAX];
	struct stat st;
	put_file(T "t", "hello");
	CHECK_EQ(symlink("pda_t", T "l"), 0);
	/* readlink: "the contents of the symbolic link"; "If the buf argument is not large
	 * enough to contain the link content, the first bufsize bytes shall be placed in buf";
	 * the count excludes any null byte (none is stored) */
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(readlink(T "l", buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "pda_tX", 6) == 0);
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(readlink(T "l", buf, 3), 3);
	CHECK(memcmp(buf, "pdaX", 4) == 0);
	/* readlink [EINVAL]: "The path argument names a file that is not a symbolic link." */
	CHECK_FAILS(readlink(T "t", buf, sizeof(buf)), EINVAL);
	CHECK_FAILS(readlink(T "none", buf, sizeof(buf)), ENOENT);
	/* symlink [EEXIST] */
	CHECK_FAILS(symlink("x", T "t"), EEXIST);
	CHECK_FAILS(symlink("x", T "l"), EEXIST);

	/* open follows it; O_NOFOLLOW: "If path names a symbolic link, fail and set errno to
	 * [ELOOP]." */
	int fd = open(T "l", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
	close(fd);
	CHECK_FAILS(open(T "l", O_RDONLY | O_NOFOLLOW), ELOOP);
	/* O_NOFOLLOW concerns only the last component */
	CHECK_EQ(mkdir(T "rd", 0755), 0);
	CHECK_EQ(symlink("pda_rd", T "rdl"), 0);
	put_file(T "rd/f", "x");
	fd = open(T "rdl/f", O_RDONLY | O_NOFOLLOW);
	CHECK(fd >= 0);
	close(fd);

	/* A dangling link: stat follows it ([ENOENT]), lstat describes the link. */
	CHECK_EQ(symlink(T "gone", T "dl"), 0);
	CHECK_FAILS(stat(T "dl", &st), ENOENT);
	CHECK_EQ(lstat(T "dl", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, (long)strlen(T "gone"));
	/* unlink removes the link, not the file it names */
	CHECK_EQ(unlink(T "l"), 0);
	CHECK_EQ(stat(T "t", &st), 0);
	CHECK_FAILS(lstat(T "l", &st), ENOENT);

	/* realpath: "an absolute pathname that resolves to the same directory entry ... and
	 * does not involve '.', '..', or symbolic links" */
	CHECK_EQ(mkdir(T "rd/sub", 0755), 0);
	CHECK_EQ(symlink("sub", T "rd/sl"), 0);
	CHECK(realpath(T "rd/./sub/../sl/.", buf) && strcmp(buf, T "rd/sub") == 0);
	CHECK(realpath(T "rdl/sl", buf) && strcmp(buf, T "rd/sub") == 0);
	CHECK(realpath("/tmp/../tmp/pda_rdl/f", buf) && strcmp(buf, T "rd/f") == 0);
	char *m = realpath(T "rdl//sub/", 0); /* a null resolved: malloc'ed */
	CHECK(m && strcmp(m, T "rd/sub") == 0);
	free(m);
	/* relative, from the working directory */
	char save[PATH_MAX];
	CHECK(getcwd(save, sizeof(save)) != 0);
	CHECK_EQ(chdir(T "rdl"), 0);
	CHECK(realpath("sl/..", buf) && strcmp(buf, T "rd") == 0);
	CHECK(realpath(".", buf) && strcmp(buf, T "rd") == 0);
	CHECK_EQ(chdir(save), 0);
	/* realpath [ENOENT]: "A component of file_name does not name an existing file";
	 * [ENOTDIR]: a prefix that is not a directory */
	errno = 0;
	CHECK(realpath(T "rd/none/x", buf) == 0);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHECK(realpath(T "rd/none", buf) == 0);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHECK(realpath(T "dl", buf) == 0);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHECK(realpath(T "rd/f/x", buf) == 0);
	CHECK_EQ(errno, ENOTDIR);
	errno = 0;
	CHECK(realpath(T "rd/f/", buf) == 0);
	CHECK_EQ(errno, ENOTDIR);
	/* Not checked, a documented limit (docs/userland.md): realpath of a FIFO or device
	 * keeps the joined path, ".." and links and all. */

	unlink(T "rd/fl");
	unlink(T "rd/fifo");
	unlink(T "rd/sl");
	rmdir(T "rd/sub");
	unlink(T "rd/f");
	rmdir(T "rd");
	unlink(T "rdl");
	unlink(T "dl");
	unlink(T "t");
}

/* ---- hard links ---- */

static void links(void)
{
	struct stat st;
	put_file(T "h", "data");
	CHECK_EQ(mkdir(T "hd", 0755), 0);
	CHECK_EQ(link(T "h", T "hd/h2"), 0);
	CHECK_EQ(stat(T "h", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	/* link [EEXIST]: "The path2 argument resolves to an existing directory entry" */
	CHECK_FAILS(link(T "h", T "hd/h2"), EEXIST);
	CHECK_FAILS(link(T "h", T "hd"), EEXIST);
	/* link [EPERM]: "The file named by path1 is a directory and either the calling process
	 * does not have appropriate privileges or the implementation prohibits using link()
	 * on directories." (or success) */
	errno = 0;
	int r = link(T "hd", T "hdl");
	CHECK(r == 0 || errno == EPERM);
	if (r == 0)
		unlink(T "hdl");
	/* link [ENOENT]: path1 missing, or path2's directory missing */
	CHECK_FAILS(link(T "none", T "hx"), ENOENT);
	CHECK_FAILS(link(T "h", T "none/hx"), ENOENT);
	/* the data is the file's: written through one name, read through the other */
	int fd = open(T "hd/h2", O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "+", 1), 1);
	close(fd);
	CHECK_EQ(stat(T "h", &st), 0);
	CHECK_EQ(st.st_size, 5);
	/* an open file's link count after its last name goes: the file stays usable */
	fd = open(T "h", O_RDONLY);
	CHECK_EQ(unlink(T "h"), 0);
	CHECK_EQ(stat(T "hd/h2", &st), 0);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(unlink(T "hd/h2"), 0);
	char b[8];
	CHECK_EQ(read(fd, b, sizeof(b)), 5);
	close(fd);
	rmdir(T "hd");
}

/* ---- pathconf, NAME_MAX, PATH_MAX ---- */

static void limits(void)
{
	char name[NAME_MAX + 16], path[PATH_MAX + 64], save[PATH_MAX];
	struct stat st;
	CHECK(getcwd(save, sizeof(save)) != 0);
	/* Where <limits.h> defines NAME_MAX/PATH_MAX, pathconf gives the same value; neither
	 * less than the POSIX minimum. */
	CHECK_EQ(pathconf("/tmp", _PC_NAME_MAX), NAME_MAX);
	CHECK_EQ(pathconf("/tmp", _PC_PATH_MAX), PATH_MAX);
	CHECK(NAME_MAX >= _POSIX_NAME_MAX && PATH_MAX >= _POSIX_PATH_MAX);
	CHECK(pathconf("/tmp", _PC_LINK_MAX) >= _POSIX_LINK_MAX);
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK(fpathconf(p[0], _PC_PIPE_BUF) >= _POSIX_PIPE_BUF);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(mkfifo(T "pfifo", 0644), 0);
	CHECK(pathconf(T "pfifo", _PC_PIPE_BUF) >= _POSIX_PIPE_BUF);
	CHECK(pathconf("/tmp", _PC_PIPE_BUF) >= _POSIX_PIPE_BUF);
	unlink(T "pfifo");
	int fd = open("/tmp", O_RDONLY);
	CHECK_EQ(fpathconf(fd, _PC_NAME_MAX), NAME_MAX);
	close(fd);
	/* pathconf [EINVAL]: "The value of name is not valid." (a "shall fail" error) */
	CHECK_FAILS(pathconf("/tmp", 9999), EINVAL);

	/* A name of NAME_MAX bytes is taken; one longer is [ENAMETOOLONG] ("The length of a
	 * component of a pathname is longer than {NAME_MAX}", a "shall fail" error) */
	memset(name, 'n', sizeof(name));
	memcpy(name, "pda_", 4);
	name[NAME_MAX] = 0;
	snprintf(path, sizeof(path), "/tmp/%s", name);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(unlink(path), 0);
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = 0;
	snprintf(path, sizeof(path), "/tmp/%s", name);
	CHECK_FAILS(open(path, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_FAILS(mkdir(path, 0755), ENAMETOOLONG);
	CHECK_FAILS(stat(path, &st), ENAMETOOLONG);

	/*
	 * {PATH_MAX} bounds a pathname as given: one shorter names its file. pathconf's
	 * _PC_PATH_MAX for a directory "shall apply to a relative pathname with the specified
	 * directory as the working directory", so a relative pathname shorter than it, from a
	 * working directory with a long name, is no [ENAMETOOLONG] either.
	 */
	CHECK_EQ(mkdir(T "pm_directory_with_a_rather_long_name_to_use_up_the_path", 0755), 0);
	CHECK_EQ(chdir(T "pm_directory_with_a_rather_long_name_to_use_up_the_path"), 0);
	CHECK_EQ(mkdir("d", 0755), 0);
	put_file("f", "x");
	long pm = pathconf(".", _PC_PATH_MAX);
	char rel[PATH_MAX + 16] = "";
	while (strlen(rel) + 5 + 2 < (size_t)(pm > 0 && pm < PATH_MAX ? pm : PATH_MAX))
		strcat(rel, "d/../");
	strcat(rel, "f");
	CHECK(strlen(rel) < (size_t)pm);
	/* Not checked, a documented limit (docs/userland.md): the library joins a relative
	 * path to the working directory's name, and the whole must fit in PATH_MAX. */
	/* the same as an absolute pathname shorter than {PATH_MAX} */
	snprintf(path, sizeof(path), T "pm_directory_with_a_rather_long_name_to_use_up_the_path/");
	size_t at = strlen(path);
	while (at + 5 + 2 < PATH_MAX) {
		memcpy(path + at, "d/../", 5);
		at += 5;
	}
	strcpy(path + at, "f");
	CHECK(strlen(path) < PATH_MAX);
	CHECK_EQ(stat(path, &st), 0);
	unlink("f");
	rmdir("d");
	CHECK_EQ(chdir(save), 0);
	rmdir(T "pm_directory_with_a_rather_long_name_to_use_up_the_path");
}

int main(void)
{
	make_remove();
	renames();
	streams();
	streams_changing();
	cwd();
	stat_fields();
	times_marked();
	modes();
	symlinks();
	links();
	limits();
	return test_status();
}
