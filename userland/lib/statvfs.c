/*
 * statvfs and fstatvfs: the file server answers for the file system that holds a path or
 * an open file (FS_STATVFS, FS_FSTATVFS; docs/files.md, "File systems"). A pipe is the
 * kernel's and has no file system behind it: it reports an empty one of its own.
 */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fd.h"
#include "fs.h"
#include "syscall.h"

#define PIPE_FSID 5 /* after enum fs_fsid: the kernel's pipes */

_Static_assert(ST_RDONLY == FS_VFS_RDONLY && ST_NOSUID == FS_VFS_NOSUID, "one flag layout");

static void fill(struct statvfs *out, const struct fs_statvfs *v)
{
	*out = (struct statvfs){
		.f_bsize = v->bsize,
		.f_frsize = v->frsize,
		.f_blocks = v->blocks,
		.f_bfree = v->bfree,
		.f_bavail = v->bavail,
		.f_files = (fsfilcnt_t)v->files,
		.f_ffree = (fsfilcnt_t)v->ffree,
		.f_favail = (fsfilcnt_t)v->favail,
		.f_fsid = v->fsid,
		.f_flag = v->flag,
		.f_namemax = v->namemax,
	};
}

/* One request whose answer is a struct fs_statvfs: 0, or -1 with errno. */
static int ask(uint64_t cap, uint64_t label, const char *abs, struct statvfs *out)
{
	struct fs_statvfs v = { 0 };
	struct ipc_msg m = { 0 };
	m.tag = ipc_tag(label, 0, abs ? (unsigned)strlen(abs) + 1 : 0, 0);
	m.sbuf = abs;
	m.rbuf = &v;
	m.rspec = ipc_recv_spec(sizeof(v), IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(cap, &m) ? -EIO : (int64_t)m.w[0];
	if (r >= 0 && ipc_tag_len(m.tag) < sizeof(v))
		r = -EIO;
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	fill(out, &v);
	return 0;
}

int statvfs(const char *restrict path, struct statvfs *restrict buf)
{
	char abs[FS_PATH_MAX];
	if (!buf) {
		errno = EFAULT;
		return -1;
	}
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	return ask(fd_fs_slot(), FS_STATVFS, abs, buf);
}

int fstatvfs(int fd, struct statvfs *buf)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (!buf) {
		errno = EFAULT;
		return -1;
	}
	if (e->kind == FD_FILE)
		return ask((uint64_t)e->file->cap, FS_FSTATVFS, 0, buf);
	if (e->kind == FD_CONSOLE)
		return statvfs("/dev/console", buf);
	*buf = (struct statvfs){ .f_bsize = PAGE_BYTES,
				 .f_frsize = PAGE_BYTES,
				 .f_fsid = PIPE_FSID,
				 .f_flag = ST_NOSUID,
				 .f_namemax = FS_NAME_MAX };
	return 0;
}
