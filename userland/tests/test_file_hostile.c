/*
 * A client that misbehaves towards the file server: unknown labels, paths without their
 * NUL or too long, link and symbolic link requests with one path, no NUL or a long text, out-of-range words, reads and maps far past the end, forged and stale
 * badges (FS_REOPEN with a wrong token, a closed description's capability), close with a
 * process index that is not ours, and random words on every label. Each gets an error,
 * the server keeps answering, and a file another process wrote is unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

int test_failures;

static char big[IPC_BUF_MAX];

/* One raw request: the answer's w0, or a large value if the call itself failed. */
static int64_t raw(long slot, uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2,
		   const void *buf, unsigned len, long recv_slot)
{
	static char rbuf[IPC_BUF_MAX];
	struct ipc_msg m = { .tag = ipc_tag(label, 3, len, 0), .sbuf = buf, .rbuf = rbuf };
	m.w[0] = w0;
	m.w[1] = w1;
	m.w[2] = w2;
	m.rspec = ipc_recv_spec(sizeof(rbuf),
				recv_slot < 0 ? IPC_RECV_SLOT_NONE : (unsigned)recv_slot);
	long err = ipc_call((uint64_t)slot, &m);
	if (recv_slot >= 0)
		SYSCALL(cap_delete, recv_slot);
	return err ? 1L << 40 : (int64_t)m.w[0];
}

static uint64_t rnd = 0x1234567;
static uint64_t next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

static void path_abuse(long fs)
{
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	CHECK_EQ(raw(fs, FS_OPEN, O_RDONLY, 0, 0, big, sizeof(big), -1), -ENAMETOOLONG);
	CHECK_EQ(raw(fs, FS_STAT, 0, 0, 0, "/tmp", 4, -1), -EINVAL); /* no NUL */
	CHECK_EQ(raw(fs, FS_STAT, 0, 0, 0, "tmp", 4, -1), -EINVAL);  /* not absolute */
	CHECK_EQ(raw(fs, FS_STAT, 0, 0, 0, 0, 0, -1), -EINVAL);
	CHECK_EQ(raw(fs, FS_OPEN, O_RDONLY, 0, 999, "/tmp", 5, -1), -EINVAL); /* index */
	CHECK_EQ(raw(fs, FS_RENAME, 0, 0, 0, "/tmp", 5, -1), -EINVAL);
	CHECK_EQ(raw(fs, FS_RENAME, 0, 0, 0, "/tmp\0x", 6, -1), -EINVAL);
	CHECK_EQ(raw(fs, FS_LINK, 0, 0, 0, "/tmp", 5, -1), -EINVAL);	  /* one path only */
	CHECK_EQ(raw(fs, FS_LINK, 0, 0, 0, "/tmp\0/x", 7, -1), -EINVAL);  /* no NUL */
	CHECK_EQ(raw(fs, FS_SYMLINK, 0, 0, 0, "x\0rel", 6, -1), -EINVAL); /* not absolute */
	CHECK_EQ(raw(fs, FS_SYMLINK, 0, 0, 0, big, sizeof(big), -1), -EINVAL);
	CHECK_EQ(raw(fs, FS_READLINK, 0, 0, 0, "/tmp", 5, -1), -EINVAL); /* not a link */
	CHECK_EQ(raw(fs, FS_LSTAT, 0, 0, 0, "/tmp", 4, -1), -EINVAL);	 /* no NUL */
	memcpy(big + FS_PATH_MAX + 8, "\0/tmp/hx_long", 14); /* a text longer than a path */
	CHECK_EQ(raw(fs, FS_SYMLINK, 0, 0, 0, big, FS_PATH_MAX + 8 + 14, -1), -ENAMETOOLONG);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	CHECK_EQ(raw(fs, 999, 0, 0, 0, 0, 0, -1), -ENOSYS);
	CHECK_EQ(raw(fs, FS_READ, 10, 0, 0, 0, 0, -1), -ENOSYS); /* not on SLOT_FS */
	CHECK_EQ(raw(fs, FS_REOPEN, FS_BADGE(3, 0), 12345, 0, 0, 0, slot_alloc()), -EBADF);
	CHECK_EQ(raw(fs, FS_TRUNCATE, (uint64_t)-5, 0, 0, "/tmp", 5, -1), -EINVAL);
}

static void ofd_abuse(long fs)
{
	long slot = slot_alloc();
	char path[] = "/tmp/hx";
	struct ipc_msg m = { .tag = ipc_tag(FS_OPEN, 3, sizeof(path), 0), .sbuf = path };
	m.w[0] = O_RDWR | O_CREAT;
	m.w[2] = fd_proc_index();
	m.rspec = ipc_recv_spec(0, (unsigned)slot);
	CHECK(ipc_call((uint64_t)fs, &m) == 0 && m.w[0] == 0 && (m.tag & IPC_TAG_CAP));
	CHECK_EQ(raw(slot, FS_READ, 1UL << 40, (uint64_t)-2, 0, 0, 0, -1), -EINVAL);
	CHECK_EQ(raw(slot, FS_READ, 100, 1UL << 50, 0, 0, 0, -1), 0);
	CHECK_EQ(raw(slot, FS_WRITE, 1UL << 50, 0, 0, "x", 1, -1), -EFBIG);
	CHECK_EQ(raw(slot, FS_WRITE, (uint64_t)-7, 0, 0, "x", 1, -1), -EINVAL);
	CHECK_EQ(raw(slot, FS_SEEK, (uint64_t)INT64_MAX, SEEK_CUR, 0, 0, 0, -1) >= 0, 1);
	CHECK_EQ(raw(slot, FS_SEEK, (uint64_t)INT64_MAX, SEEK_CUR, 0, 0, 0, -1), -EOVERFLOW);
	CHECK_EQ(raw(slot, FS_SEEK, 0, 77, 0, 0, 0, -1), -EINVAL);
	CHECK_EQ(raw(slot, FS_FTRUNCATE, 1UL << 60, 0, 0, 0, 0, -1), -EFBIG);
	CHECK_EQ(raw(slot, FS_MAP, 1UL << 40, 0, 0, 0, 0, slot_alloc()), -EINVAL);
	CHECK_EQ(raw(slot, FS_READDIR, 0, 0, 0, 0, 0, -1), -ENOTDIR);
	CHECK_EQ(raw(slot, FS_CLOSE, 5000, 0, 0, 0, 0, -1), -EINVAL);
	CHECK_EQ(raw(slot, 12345, 0, 0, 0, 0, 0, -1), -ENOSYS);
	/* Random words on every label: whatever comes back, the server stays. */
	for (int i = 0; i < 400; i++) {
		uint64_t label = FS_READ + next() % 12;
		if (label == FS_CLOSE)
			continue;
		long r = slot_alloc();
		raw(slot, label, next() % 3 ? next() % 100000 : next(),
		    next() % 2 ? (uint64_t)-1 : next(), next(), big, (unsigned)(next() % 64), r);
		slot_free(r);
	}
	for (int i = 0; i < 200; i++) {
		/* Not mkdir or rename: their junk would outlive the test. */
		static const uint64_t labels[] = { FS_OPEN,  FS_STAT,	  FS_UNLINK,
						   FS_RMDIR, FS_TRUNCATE, FS_REOPEN };
		uint64_t label = labels[next() % 6];
		big[next() % 64] = (char)next();
		raw(fs, label, next() & ~(uint64_t)O_CREAT, next(), next() % 70, big,
		    (unsigned)(next() % 80), -1);
	}
	/* Closed: the capability is stale now. */
	CHECK_EQ(raw(slot, FS_CLOSE, fd_proc_index(), 0, 0, 0, 0, -1), 0);
	CHECK_EQ(raw(slot, FS_READ, 1, 0, 0, 0, 0, -1), -EBADF);
	slot_free(slot);
	unlink(path);
}

int main(void)
{
	int fd = open("/tmp/victim", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(write(fd, "precious", 8), 8);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		long fs = fd_fs_slot();
		path_abuse(fs);
		ofd_abuse(fs);
		_exit(test_status());
	}
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char buf[16] = { 0 };
	fd = open("/tmp/victim", O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, "precious", 8) == 0);
	close(fd);
	CHECK_EQ(unlink("/tmp/victim"), 0);
	struct stat;
	CHECK_EQ(access("/tmp", F_OK), 0); /* still answering */
	return test_status();
}
