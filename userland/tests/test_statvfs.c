/*
 * statvfs and fstatvfs (docs/files.md, "File systems"): each mount answers for itself
 * (/ and /tmp and /dev/shm the RAM file system, /bin the read-only archive, /dev the
 * devices, /boot the FAT volume when there is a disk); free blocks and nodes move with
 * what is written and removed; the errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "testlib.h"

#define RAM_NODES     512
#define NAME_MAX_HERE 59
#define CHUNK	      4096

static struct statvfs of(const char *path)
{
	struct statvfs v;
	memset(&v, 0xa5, sizeof(v));
	CHECK_EQ(statvfs(path, &v), 0);
	return v;
}

/* n bytes written to a new file at path: 0 or -1. */
static int write_file(const char *path, unsigned n)
{
	static char block[CHUNK];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	memset(block, 'x', sizeof(block));
	for (unsigned done = 0; done < n; done += CHUNK)
		if (write(fd, block, CHUNK) != CHUNK)
			return close(fd), -1;
	return close(fd);
}

static void ram(void)
{
	struct statvfs root = of("/"), tmp = of("/tmp"), shm = of("/dev/shm");
	CHECK_EQ(root.f_bsize, 4096);
	CHECK_EQ(root.f_frsize, 4096);
	CHECK(root.f_blocks > 0 && root.f_bfree <= root.f_blocks);
	CHECK_EQ(root.f_bavail, root.f_bfree);
	CHECK_EQ(root.f_files, RAM_NODES);
	CHECK(root.f_ffree > 0 && root.f_ffree < root.f_files);
	CHECK_EQ(root.f_favail, root.f_ffree);
	CHECK_EQ(root.f_flag & ST_RDONLY, 0);
	CHECK(root.f_flag & ST_NOSUID);
	CHECK_EQ(root.f_namemax, NAME_MAX_HERE);
	CHECK_EQ(tmp.f_fsid, root.f_fsid);
	CHECK_EQ(shm.f_fsid, root.f_fsid);
	CHECK_EQ(tmp.f_blocks, root.f_blocks);

	/* 64 KiB and one node taken, and given back at unlink */
	CHECK_EQ(write_file("/tmp/svfs_a", 16 * CHUNK), 0);
	struct statvfs full = of("/tmp/svfs_a");
	CHECK(full.f_bfree + 16 <= tmp.f_bfree);
	CHECK_EQ(full.f_ffree + 1, tmp.f_ffree);
	int fd = open("/tmp/svfs_a", O_RDONLY);
	CHECK(fd >= 0);
	struct statvfs f;
	CHECK_EQ(fstatvfs(fd, &f), 0);
	CHECK_EQ(f.f_fsid, root.f_fsid);
	CHECK_EQ(unlink("/tmp/svfs_a"), 0);
	CHECK_EQ(fstatvfs(fd, &f), 0); /* an unlinked file still has its file system */
	CHECK_EQ(f.f_fsid, root.f_fsid);
	CHECK_EQ(f.f_ffree, full.f_ffree); /* open: the node and its pages stay */
	close(fd);
	struct statvfs after = of("/tmp");
	CHECK_EQ(after.f_ffree, tmp.f_ffree);
	CHECK(after.f_bfree >= full.f_bfree + 16);
}

static void read_only(void)
{
	struct statvfs root = of("/"), bin = of("/bin"), sh = of("/bin/sh"), dev = of("/dev/null");
	CHECK(bin.f_fsid != root.f_fsid);
	CHECK(bin.f_flag & ST_RDONLY);
	CHECK(bin.f_blocks > 0);
	CHECK_EQ(bin.f_bfree, 0);
	CHECK_EQ(bin.f_bavail, 0);
	CHECK(bin.f_files > 1);
	CHECK_EQ(bin.f_ffree, 0);
	CHECK_EQ(sh.f_fsid, bin.f_fsid);
	CHECK_EQ(sh.f_blocks, bin.f_blocks);
	CHECK(dev.f_fsid != root.f_fsid && dev.f_fsid != bin.f_fsid);
	CHECK(dev.f_flag & ST_RDONLY);
	CHECK_EQ(dev.f_bfree, 0);
	CHECK_EQ(of("/dev").f_fsid, dev.f_fsid);
	int fd = open("/bin/sh", O_RDONLY);
	struct statvfs f;
	CHECK(fd >= 0);
	CHECK_EQ(fstatvfs(fd, &f), 0);
	CHECK_EQ(f.f_fsid, bin.f_fsid);
	CHECK(f.f_flag & ST_RDONLY);
	close(fd);
	CHECK_EQ(fstatvfs(STDOUT_FILENO, &f), isatty(STDOUT_FILENO) ? 0 : fstatvfs(1, &f));
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fstatvfs(p[0], &f), 0); /* a pipe: a file system of its own, empty */
	CHECK(f.f_fsid != root.f_fsid && f.f_fsid != bin.f_fsid && f.f_fsid != dev.f_fsid);
	close(p[0]);
	close(p[1]);
}

/* /boot, when there is a disk: the volume's clusters, and writes take them. */
static void boot(void)
{
	struct stat st;
	if (stat("/boot", &st) != 0)
		return;
	struct statvfs b = of("/boot");
	printf("  /boot: %llu of %llu blocks of %lu bytes free\n", (unsigned long long)b.f_bfree,
	       (unsigned long long)b.f_blocks, b.f_frsize);
	CHECK(b.f_fsid != of("/").f_fsid);
	CHECK(b.f_frsize >= 512 && b.f_bsize == b.f_frsize);
	CHECK(b.f_blocks > 0 && b.f_bfree <= b.f_blocks);
	CHECK_EQ(b.f_flag & ST_RDONLY, 0);
	unsigned bytes = 16 * CHUNK;
	if (b.f_bfree * b.f_frsize < 2 * bytes)
		return;
	CHECK_EQ(write_file("/boot/svfs.bin", bytes), 0);
	struct statvfs w = of("/boot/svfs.bin");
	CHECK(w.f_bfree + bytes / b.f_frsize <= b.f_bfree);
	CHECK_EQ(unlink("/boot/svfs.bin"), 0);
	CHECK_EQ(of("/boot").f_bfree, b.f_bfree);
}

static void errors(void)
{
	struct statvfs v;
	char longp[400];
	CHECK_FAILS(statvfs("/nope/x", &v), ENOENT);
	CHECK_EQ(statvfs("", &v), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(write_file("/tmp/svfs_f", 0), 0);
	CHECK_EQ(statvfs("/tmp/svfs_f/x", &v), -1);
	CHECK_EQ(errno, ENOTDIR);
	unlink("/tmp/svfs_f");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	CHECK_EQ(statvfs(longp, &v), -1);
	CHECK_EQ(errno, ENAMETOOLONG);
	CHECK_EQ(statvfs(0, &v), -1);
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(statvfs("/", 0), -1);
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(fstatvfs(-1, &v), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(fstatvfs(29, &v), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(fstatvfs(1000, &v), -1);
	CHECK_EQ(errno, EBADF);
	int fd = open("/tmp", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(fstatvfs(fd, &v), -1);
	CHECK_EQ(errno, EBADF);
}

int main(void)
{
	ram();
	read_only();
	boot();
	errors();
	return test_status();
}
