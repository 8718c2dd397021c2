/*
 * The POSIX calls that name a file by path (stat, unlink, rename, mkdir, rmdir,
 * truncate, access, chdir, chmod, and link, symlink, mkfifo, mknod and readlink, which
 * no file system here keeps), fstat and fchmod, and directory streams. Paths are made absolute here,
 * against the working directory this process keeps (fd.c), and sent to the file server
 * on SLOT_FS (fs.h, fd_fs_slot); docs/files.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "syscall.h"

/* One path request: w0 of the reply (>= 0), or -1 with errno set. */
static int64_t path_call(uint64_t label, const char *path, uint64_t w0, uint64_t w1,
			 struct ipc_msg *m)
{
	char abs[FS_PATH_MAX];
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	*m = (struct ipc_msg){ 0 };
	m->tag = ipc_tag(label, 2, (unsigned)strlen(abs) + 1, 0);
	m->w[0] = w0;
	m->w[1] = w1;
	m->sbuf = abs;
	m->rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(fd_fs_slot(), m) ? -EIO : (int64_t)m->w[0];
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static void fill_ts(struct timespec *ts, const struct fs_ts *f)
{
	ts->tv_sec = (time_t)f->sec;
	ts->tv_nsec = (long)f->nsec;
}

/* The stat words of FS_STAT's or FS_FSTAT's answer, and its times (in the buffer). */
static void fill_stat(struct stat *st, const struct ipc_msg *m, const struct fs_times *t)
{
	int whole = ipc_tag_len(m->tag) >= sizeof(*t);
	memset(st, 0, sizeof(*st));
	if (whole) {
		fill_ts(&st->st_atim, &t->atim);
		fill_ts(&st->st_mtim, &t->mtim);
		fill_ts(&st->st_ctim, &t->ctim);
	}
	st->st_mode = (mode_t)m->w[1];
	st->st_size = (off_t)m->w[2];
	st->st_ino = (ino_t)m->w[3];
	st->st_nlink = (nlink_t)m->w[4];
	st->st_blksize = PAGE_BYTES;
	st->st_blocks = (blkcnt_t)((m->w[2] + 511) / 512);
	st->st_dev = 1;
}

/* FS_STAT or FS_LSTAT of path into st: 0, or -1 and errno. */
static int stat_call(uint64_t label, const char *restrict path, struct stat *restrict st)
{
	char abs[FS_PATH_MAX];
	struct fs_times t;
	struct ipc_msg m = { 0 };
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	m.tag = ipc_tag(label, 0, (unsigned)strlen(abs) + 1, 0);
	m.sbuf = abs;
	m.rbuf = &t;
	m.rspec = ipc_recv_spec(sizeof(t), IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(fd_fs_slot(), &m) ? -EIO : (int64_t)m.w[0];
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	fill_stat(st, &m, &t);
	return 0;
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return stat_call(FS_STAT, path, st);
}

/* A symbolic link named last is described itself (S_IFLNK, its text's length). */
int lstat(const char *restrict path, struct stat *restrict st)
{
	return stat_call(FS_LSTAT, path, st);
}

int fstat(int fd, struct stat *st)
{
	struct fs_times t;
	struct ipc_msg m = { .rbuf = &t, .rspec = ipc_recv_spec(sizeof(t), IPC_RECV_SLOT_NONE) };
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind != FD_FILE) {
		/* The console is a character device, a pipe a FIFO: a named one's inode. */
		unsigned perm = 0600;
		uint32_t ino = e->kind == FD_CONSOLE ? 0 : pipe_fifo(e->pipe, &perm);
		memset(st, 0, sizeof(*st));
		st->st_mode = e->kind == FD_CONSOLE ? S_IFCHR | 0666 : S_IFIFO | perm;
		st->st_ino = ino;
		st->st_dev = ino ? 1 : 0; /* the file system's, as stat gives it */
		st->st_nlink = 1;
		st->st_blksize = PAGE_BYTES;
		return 0;
	}
	int64_t r = fd_file_call(e->file, FS_FSTAT, &m, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	fill_stat(st, &m, &t);
	return 0;
}

int unlink(const char *path)
{
	struct ipc_msg m;
	return path_call(FS_UNLINK, path, 0, 0, &m) < 0 ? -1 : 0;
}

/* Does path's last component (trailing slashes aside) equal "."? */
static int last_is_dot(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	return n >= 1 && path[n - 1] == '.' && (n == 1 || path[n - 2] == '/');
}

/* POSIX: a last component of "." is EINVAL (the server would see a non-empty dir). */
int rmdir(const char *path)
{
	struct ipc_msg m;
	if (path && last_is_dot(path)) {
		errno = EINVAL;
		return -1;
	}
	return path_call(FS_RMDIR, path, 0, 0, &m) < 0 ? -1 : 0;
}

int mkdir(const char *path, mode_t mode)
{
	struct ipc_msg m;
	return path_call(FS_MKDIR, path, 0, mode & ~fd_umask(), &m) < 0 ? -1 : 0;
}

int truncate(const char *path, off_t len)
{
	struct ipc_msg m;
	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	return path_call(FS_TRUNCATE, path, (uint64_t)len, 0, &m) < 0 ? -1 : 0;
}

/*
 * A request whose buffer is first (first_len bytes, its NUL included) then path made
 * absolute, in buf (room for FS_PATH_MAX more): 0, or -1 and errno. FS_RENAME and FS_LINK
 * send two paths, FS_SYMLINK a link's text and a path.
 */
static int call_then_path(uint64_t label, char *buf, size_t first_len, const char *path)
{
	struct ipc_msg m = { 0 };
	if (fd_abs_path(path, buf + first_len, FS_PATH_MAX) < 0)
		return -1;
	m.tag = ipc_tag(label, 0, (unsigned)(first_len + strlen(buf + first_len) + 1), 0);
	m.sbuf = buf;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(fd_fs_slot(), &m) ? -EIO : (int64_t)m.w[0];
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

static int two_paths(uint64_t label, const char *from, const char *to)
{
	char abs[2 * FS_PATH_MAX];
	if (fd_abs_path(from, abs, FS_PATH_MAX) < 0)
		return -1;
	return call_then_path(label, abs, strlen(abs) + 1, to);
}

int rename(const char *from, const char *to)
{
	return two_paths(FS_RENAME, from, to);
}

/* No users: a file's permission bits are all that decide, and a read-only file system. */
/*
 * Every process runs as root (uid 0), so as POSIX gives root: reading and writing are
 * allowed whatever the mode, but not writing on a read-only file system (/bin: EROFS),
 * and executing a file needs an execute bit.
 */
int access(const char *path, int how)
{
	struct ipc_msg m;
	if (how & ~(R_OK | W_OK | X_OK)) {
		errno = EINVAL;
		return -1;
	}
	if (path_call(FS_STAT, path, 0, 0, &m) < 0)
		return -1;
	if ((how & W_OK) && m.w[5]) {
		errno = EROFS;
		return -1;
	}
	if ((how & X_OK) && !S_ISDIR(m.w[1]) && !(m.w[1] & 0111)) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

/* Only the permission bits count: a mode taken from st_mode (type bits and all), as a
 * copy made to match its source passes, changes those bits (as Linux does). */
#define PERM_BITS 07777

int chmod(const char *path, mode_t mode)
{
	struct ipc_msg m;
	return path_call(FS_CHMOD, path, 0, mode & PERM_BITS, &m) < 0 ? -1 : 0;
}

int fchmod(int fd, mode_t mode)
{
	struct fd_entry *e = fd_get(fd);
	struct ipc_msg m = { 0 };
	if (!e)
		return -1;
	if (e->kind != FD_FILE) {
		errno = EINVAL; /* a pipe or the console: POSIX lets us refuse */
		return -1;
	}
	m.w[0] = mode & PERM_BITS;
	int64_t r = fd_file_call(e->file, FS_FCHMOD, &m, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

/*
 * Hard and symbolic links, FIFOs and device nodes: no file system here keeps them. As
 * Linux says for a file system without them, EPERM, after the errors the names give.
 */
static int no_such_node(const char *path)
{
	char dir[FS_PATH_MAX];
	struct stat st;
	if (stat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT || fd_abs_path(path, dir, sizeof(dir)) < 0)
		return -1;
	char *last = strrchr(dir, '/');
	last[last == dir] = 0; /* the directory it would be in ("/" for a top-level name) */
	if (stat(dir, &st) < 0)
		return -1;
	errno = S_ISDIR(st.st_mode) ? EPERM : ENOTDIR;
	return -1;
}

/* A hard link: RAM files and FIFOs (docs/files.md, "Links"). */
int link(const char *from, const char *to)
{
	return two_paths(FS_LINK, from, to);
}

/* A symbolic link (docs/files.md, "Symbolic links"): any text, kept as given. */
int symlink(const char *target, const char *path)
{
	char buf[2 * FS_PATH_MAX];
	if (!target || !path) {
		errno = EFAULT;
		return -1;
	}
	size_t tl = strlen(target) + 1;
	if (tl > FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, target, tl);
	return call_then_path(FS_SYMLINK, buf, tl, path);
}

int mkfifo(const char *path, mode_t mode)
{
	struct ipc_msg m;
	return path_call(FS_MKFIFO, path, 0, mode & ~fd_umask(), &m) < 0 ? -1 : 0;
}

/* A FIFO (S_IFIFO) is mkfifo; device and other nodes cannot be made (EPERM, as for one
 * without privilege). */
int mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)dev;
	if (S_ISFIFO(mode))
		return mkfifo(path, mode & 07777);
	return no_such_node(path);
}

/* The link's text, cut to size, with no NUL (POSIX); EINVAL for what is not a link. */
ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	char abs[FS_PATH_MAX], text[FS_PATH_MAX];
	struct ipc_msg m = { 0 };
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	m.tag = ipc_tag(FS_READLINK, 0, (unsigned)strlen(abs) + 1, 0);
	m.sbuf = abs;
	m.rbuf = text;
	m.rspec = ipc_recv_spec(sizeof(text), IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(fd_fs_slot(), &m) ? -EIO : (int64_t)m.w[0];
	if (r < 0 || r >= FS_PATH_MAX) {
		errno = r < 0 ? (int)-r : EIO;
		return -1;
	}
	size_t n = (size_t)r < size ? (size_t)r : size;
	memcpy(buf, text, n);
	return (ssize_t)n;
}

int chdir(const char *path)
{
	char abs[FS_PATH_MAX];
	struct stat st;
	if (fd_abs_path(path, abs, sizeof(abs)) < 0 || stat(abs, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	/* The directory's own name, with ".." and symbolic links taken (getcwd's, POSIX). */
	char named[FS_PATH_MAX];
	if (realpath(abs, named))
		strcpy(abs, named);
	fd_set_cwd(abs);
	return 0;
}

DIR *fdopendir(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	DIR *d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return 0;
	}
	d->fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? 0 : fdopendir(fd);
	if (fd >= 0 && !d)
		close(fd);
	return d;
}

static unsigned char dtype(uint64_t mode)
{
	return S_ISDIR(mode)   ? DT_DIR
	       : S_ISCHR(mode) ? DT_CHR
	       : S_ISREG(mode) ? DT_REG
			       : DT_UNKNOWN;
}

struct dirent *readdir(DIR *d)
{
	struct ipc_msg m = { 0 };
	struct ofile *f = d ? fd_file(d->fd) : 0;
	if (!f)
		return 0;
	m.w[0] = d->next;
	m.rbuf = d->ent.d_name;
	m.rspec = ipc_recv_spec(sizeof(d->ent.d_name), IPC_RECV_SLOT_NONE);
	int64_t r = fd_file_call(f, FS_READDIR, &m, 0);
	if (r <= 0) {
		if (r < 0)
			errno = (int)-r;
		return 0;
	}
	d->next = (unsigned)m.w[3]; /* the server's cursor: stable under unlink and create */
	d->ent.d_name[sizeof(d->ent.d_name) - 1] = 0;
	d->ent.d_ino = (ino_t)m.w[1];
	d->ent.d_type = dtype(m.w[2]);
	return &d->ent;
}

void rewinddir(DIR *d)
{
	if (d)
		d->next = 0;
}

int dirfd(DIR *d)
{
	return d->fd;
}

int closedir(DIR *d)
{
	if (!d) {
		errno = EBADF;
		return -1;
	}
	int r = close(d->fd);
	free(d);
	return r;
}

/* POSIX shared memory: files in /dev/shm, by a name that starts with one slash. */
static int shm_path(const char *name, char *out)
{
	if (!name || name[0] != '/' || strchr(name + 1, '/') || !name[1]) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(name) + sizeof("/dev/shm") > FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(out, "/dev/shm");
	strcat(out, name);
	return 0;
}

int shm_open(const char *name, int flags, mode_t mode)
{
	char path[FS_PATH_MAX];
	if (shm_path(name, path) < 0)
		return -1;
	return open(path, flags | O_CLOEXEC, mode);
}

int shm_unlink(const char *name)
{
	char path[FS_PATH_MAX];
	return shm_path(name, path) < 0 ? -1 : unlink(path);
}

int fs_sync(void)
{
	struct ipc_msg m = { .tag = ipc_tag(FS_SYNC, 0, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (ipc_call(fd_fs_slot(), &m) != 0)
		return -EIO;
	return (int64_t)m.w[0] < 0 ? (int)(int64_t)m.w[0] : 0;
}

/* POSIX sync: the file server writes every change to /boot's disk (FS_SYNC). POSIX gives
 * sync no way to fail: sync(1) and init use fs_sync to say so. */
void sync(void)
{
	fs_sync();
}
