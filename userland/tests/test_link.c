/*
 * Hard links (docs/files.md, "Links"): link gives a RAM file or FIFO a further name with
 * the same inode and data; the link count follows; the file lives while any name or open
 * description does; unlink and rename act on one name; and every error POSIX names.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static int nlink_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)st.st_nlink : -1;
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* How many entries of dir have inode ino. */
static int names_of(const char *dir, ino_t ino)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) != 0)
		n += e->d_ino == ino;
	if (d)
		closedir(d);
	return n;
}

static void two_names(void)
{
	char buf[16] = { 0 };
	int fd = open("/tmp/ln_a", O_CREAT | O_TRUNC | O_RDWR, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "data", 4), 4);
	close(fd);
	CHECK_EQ(link("/tmp/ln_a", "/tmp/ln_b"), 0);
	CHECK(ino_of("/tmp/ln_a") != 0 && ino_of("/tmp/ln_a") == ino_of("/tmp/ln_b"));
	CHECK_EQ(nlink_of("/tmp/ln_a"), 2);
	CHECK_EQ(nlink_of("/tmp/ln_b"), 2);
	CHECK_EQ(names_of("/tmp", ino_of("/tmp/ln_a")), 2);
	fd = open("/tmp/ln_b", O_RDWR | O_APPEND);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "data", 4) == 0);
	CHECK_EQ(write(fd, "more", 4), 4); /* one file: seen through the other name */
	close(fd);
	struct stat st;
	CHECK_EQ(stat("/tmp/ln_a", &st), 0);
	CHECK_EQ(st.st_size, 8);

	/* rename between two names of one file: nothing happens, both stay */
	CHECK_EQ(rename("/tmp/ln_a", "/tmp/ln_b"), 0);
	CHECK_EQ(nlink_of("/tmp/ln_a"), 2);

	/* the first name goes: the other keeps the file */
	CHECK_EQ(unlink("/tmp/ln_a"), 0);
	CHECK_EQ(nlink_of("/tmp/ln_a"), -1);
	CHECK_EQ(nlink_of("/tmp/ln_b"), 1);
	fd = open("/tmp/ln_b", O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, "datamore", 8) == 0);

	/* the last name goes while open: readable still, st_nlink 0 */
	CHECK_EQ(unlink("/tmp/ln_b"), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(pread(fd, buf, 4, 0), 4);
	CHECK_EQ(close(fd), 0);
}

/* A name made through a directory descriptor, a FIFO's link, a link moved by rename. */
static void relatives(void)
{
	CHECK_EQ(mkdir("/tmp/ln_d", 0755), 0);
	int fd = open("/tmp/ln_d/f", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	int dfd = open("/tmp/ln_d", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK_EQ(linkat(dfd, "f", AT_FDCWD, "/tmp/ln_g", 0), 0);
	CHECK_EQ(nlink_of("/tmp/ln_d/f"), 2);
	CHECK_EQ(linkat(dfd, "f", dfd, "f2", 0), 0);
	CHECK_EQ(nlink_of("/tmp/ln_g"), 3);
	close(dfd);
	CHECK_EQ(rename("/tmp/ln_g", "/tmp/ln_d/g"), 0); /* moves that name only */
	CHECK_EQ(nlink_of("/tmp/ln_g"), -1);
	CHECK_EQ(nlink_of("/tmp/ln_d/g"), 3);
	CHECK_EQ(rmdir("/tmp/ln_d"), -1);
	CHECK_EQ(errno, ENOTEMPTY);
	CHECK_EQ(unlink("/tmp/ln_d/f"), 0);
	CHECK_EQ(unlink("/tmp/ln_d/f2"), 0);
	CHECK_EQ(nlink_of("/tmp/ln_d/g"), 1);
	CHECK_EQ(unlink("/tmp/ln_d/g"), 0);
	CHECK_EQ(rmdir("/tmp/ln_d"), 0);

	CHECK_EQ(mkfifo("/tmp/ln_p", 0600), 0);
	CHECK_EQ(link("/tmp/ln_p", "/tmp/ln_q"), 0);
	struct stat st;
	CHECK_EQ(stat("/tmp/ln_q", &st), 0);
	CHECK(S_ISFIFO(st.st_mode) && st.st_nlink == 2);
	CHECK_EQ(unlink("/tmp/ln_p"), 0);
	CHECK_EQ(unlink("/tmp/ln_q"), 0);
}

static void errors(void)
{
	int fd = open("/tmp/ln_e", O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_EQ(link("/tmp/ln_none", "/tmp/ln_x"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(link("/tmp/ln_e", "/tmp/ln_e"), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(link("/tmp/ln_e", "/tmp"), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(link("/tmp/ln_e", "/tmp/none/x"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(link("/tmp/ln_e/x", "/tmp/ln_x"), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(link("/tmp", "/tmp/ln_x"), -1); /* a directory */
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(link("/dev/null", "/tmp/ln_x"), -1); /* a device */
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(link("/bin/hello", "/tmp/ln_x"), -1); /* the boot archive's own file system */
	CHECK_EQ(errno, EXDEV);
	CHECK_EQ(link("/tmp/ln_e", "/bin/ln_x"), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(linkat(AT_FDCWD, "/tmp/ln_e", AT_FDCWD, "/tmp/ln_x", 0x7000), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(nlink_of("/tmp/ln_x"), -1); /* no failure made a name */
	CHECK_EQ(nlink_of("/tmp/ln_e"), 1);
	CHECK_EQ(unlink("/tmp/ln_e"), 0);
}

int main(void)
{
	two_names();
	relatives();
	errors();
	return test_status();
}
