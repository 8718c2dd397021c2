/*
 * Paths relative to a directory descriptor: the POSIX *at calls (openat, fstatat,
 * mkdirat, unlinkat, renameat, faccessat, fchmodat, readlinkat, utimensat), fchdir, and
 * realpath.
 * A relative path is joined to the directory's path as the file server names it now
 * (FS_GETPATH), so a directory renamed while open is followed, and one removed gives
 * ENOENT; AT_FDCWD means the working directory, as for the plain calls. fstatat takes
 * AT_SYMLINK_NOFOLLOW (lstat); utimensat and fchmodat accept it and act on what the link
 * names (a link has no times or mode of its own to change). docs/files.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "fstree.h"
#include "syscall.h"

/* The path directory descriptor fd names now, into out: 0, or -1 with errno set. */
static int dir_path(int fd, char *out)
{
	struct ipc_msg m = { 0 };
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	struct ofile *f = e->kind == FD_FILE ? e->file : 0;
	if (!f || f->kind != FS_KIND_DIR) {
		errno = ENOTDIR;
		return -1;
	}
	m.rbuf = out;
	m.rspec = ipc_recv_spec(FS_PATH_MAX, IPC_RECV_SLOT_NONE);
	int64_t r = fd_file_call(f, FS_GETPATH, &m, 0);
	if (r < 0 || r >= FS_PATH_MAX) {
		errno = r < 0 ? (int)-r : ENAMETOOLONG;
		return -1;
	}
	out[r] = 0;
	return 0;
}

/*
 * The path an *at call means: path itself when it is absolute or dirfd is AT_FDCWD
 * (the plain call then joins it to the working directory), else path under dirfd's
 * directory, made absolute in buf. 0 (path or buf), or -1 with errno set.
 */
static const char *at_path(int dirfd, const char *path, char *buf)
{
	char dir[FS_PATH_MAX];
	if (!path) {
		errno = EFAULT;
		return 0;
	}
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return path;
	if (!path[0]) {
		errno = ENOENT;
		return 0;
	}
	if (dir_path(dirfd, dir) < 0)
		return 0;
	int err = fs_path_join(dir, path, buf, FS_PATH_MAX);
	if (err) {
		errno = -err;
		return 0;
	}
	return buf;
}

/* Flags an *at call takes: anything else is EINVAL (POSIX). */
static int flags_ok(int flags, int allowed)
{
	if (flags & ~allowed) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	char buf[FS_PATH_MAX];
	unsigned mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	const char *p = at_path(dirfd, path, buf);
	return p ? open(p, flags, mode) : -1;
}

int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
	char buf[FS_PATH_MAX];
	const char *p = flags_ok(flags, AT_SYMLINK_NOFOLLOW) ? at_path(dirfd, path, buf) : 0;
	if (!p)
		return -1;
	return flags & AT_SYMLINK_NOFOLLOW ? lstat(p, st) : stat(p, st);
}

/* AT_SYMLINK_NOFOLLOW is taken; the times changed are those of what a link names. */
int utimensat(int dirfd, const char *path, const struct timespec t[2], int flags)
{
	char buf[FS_PATH_MAX];
	const char *p = flags_ok(flags, AT_SYMLINK_NOFOLLOW) ? at_path(dirfd, path, buf) : 0;
	return p ? fs_utimes_path(p, t) : -1;
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	char buf[FS_PATH_MAX];
	const char *p = at_path(dirfd, path, buf);
	return p ? mkdir(p, mode) : -1;
}

int unlinkat(int dirfd, const char *path, int flags)
{
	char buf[FS_PATH_MAX];
	const char *p = flags_ok(flags, AT_REMOVEDIR) ? at_path(dirfd, path, buf) : 0;
	if (!p)
		return -1;
	return flags & AT_REMOVEDIR ? rmdir(p) : unlink(p);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	char a[FS_PATH_MAX], b[FS_PATH_MAX];
	const char *p = at_path(fromfd, from, a), *q = p ? at_path(tofd, to, b) : 0;
	return q ? rename(p, q) : -1;
}

int faccessat(int dirfd, const char *path, int how, int flags)
{
	char buf[FS_PATH_MAX];
	/* Everyone is root with one identity: the effective and real checks agree. */
	const char *p =
		flags_ok(flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW) ? at_path(dirfd, path, buf) : 0;
	return p ? access(p, how) : -1;
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	char buf[FS_PATH_MAX];
	const char *p = flags_ok(flags, AT_SYMLINK_NOFOLLOW) ? at_path(dirfd, path, buf) : 0;
	return p ? chmod(p, mode) : -1;
}

ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict out, size_t size)
{
	char buf[FS_PATH_MAX];
	const char *p = at_path(dirfd, path, buf);
	return p ? readlink(p, out, size) : -1;
}

int fchdir(int fd)
{
	char dir[FS_PATH_MAX];
	if (dir_path(fd, dir) < 0)
		return -1;
	fd_set_cwd(dir);
	return 0;
}

/*
 * With no symbolic links, the absolute form of path with "." and ".." resolved is its
 * real path, once every component is known to exist (stat: ENOENT, ENOTDIR). A null
 * resolved is allocated (POSIX 2008).
 */
char *realpath(const char *restrict path, char *restrict resolved)
{
	char abs[FS_PATH_MAX];
	struct stat st;
	if (!path) {
		errno = EINVAL;
		return 0;
	}
	if (fd_abs_path(path, abs, sizeof(abs)) < 0 || stat(path, &st) < 0)
		return 0;
	/* Symbolic links resolved: the name the file server gives what path opens. A FIFO
	 * (its open would wait) or a device keeps the joined path. */
	int fd = S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		char named[FS_PATH_MAX];
		struct fd_entry *e = fd_get(fd);
		struct ipc_msg m = { .rbuf = named };
		m.rspec = ipc_recv_spec(FS_PATH_MAX, IPC_RECV_SLOT_NONE);
		int64_t r = e && e->kind == FD_FILE ? fd_file_call(e->file, FS_GETPATH, &m, 0) : -1;
		if (r > 0 && r < FS_PATH_MAX) {
			named[r] = 0;
			strcpy(abs, named);
		}
		close(fd);
	}
	char *out = resolved ? resolved : malloc(FS_PATH_MAX);
	if (!out) {
		errno = ENOMEM;
		return 0;
	}
	return strcpy(out, abs);
}

/* link relative to directories (no symbolic links: AT_SYMLINK_FOLLOW changes nothing). */
int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	char fbuf[FS_PATH_MAX], tbuf[FS_PATH_MAX];
	const char *f = flags_ok(flags, AT_SYMLINK_FOLLOW) ? at_path(fromfd, from, fbuf) : 0;
	const char *t = f ? at_path(tofd, to, tbuf) : 0;
	return t ? link(f, t) : -1;
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	char buf[FS_PATH_MAX];
	const char *p = at_path(dirfd, path, buf);
	return p ? symlink(target, p) : -1;
}

int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	char buf[FS_PATH_MAX];
	const char *p = at_path(dirfd, path, buf);
	return p ? mkfifo(p, mode) : -1;
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	char buf[FS_PATH_MAX];
	const char *p = at_path(dirfd, path, buf);
	return p ? mknod(p, mode, dev) : -1;
}
