/*
 * The descriptor table and the POSIX calls on descriptors. Each call looks the
 * descriptor up and hands it to the console (libc_glue.c), a pipe end (pipe.c) or the
 * file server (fs.h), through the capability of the open file. The table is inherited
 * across fork (it is private memory; the kernel copies the capabilities) and exec (the
 * fork server hands the pipe ends over; fd_inherit rebuilds the table in the new image).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "fstree.h"
#include "pipe.h"
#include "pthread_impl.h"
#include "rlimit.h"
#include "taskspawn.h"
#include "syscall.h"

static struct fd_entry fds[FD_MAX] = {
	[STDIN_FILENO] = { FD_CONSOLE, 0, 0, 0 },
	[STDOUT_FILENO] = { FD_CONSOLE, 0, 0, 0 },
	[STDERR_FILENO] = { FD_CONSOLE, 0, 0, 0 },
};
static struct ofile ofiles[FD_MAX];
static char cwd[FS_PATH_MAX] = "/";
int fd_open_max = FD_MAX;

static int is_pipe(const struct fd_entry *e)
{
	return e->kind == FD_PIPE_READ || e->kind == FD_PIPE_WRITE;
}

/* A system call's -errno as the POSIX -1 with errno set. */
static long fail(long negerr)
{
	errno = (int)-negerr;
	return -1;
}

struct fd_entry *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX || fds[fd].kind == FD_FREE) {
		errno = EBADF;
		return 0;
	}
	return &fds[fd];
}

static int lowest_free(int from)
{
	for (int fd = from < 0 ? 0 : from; fd < fd_open_max && fd < FD_MAX; fd++)
		if (fds[fd].kind == FD_FREE)
			return fd;
	return -1;
}

int fd_alloc(enum fd_kind kind, struct pipe *p)
{
	int fd = lowest_free(0);
	if (fd < 0)
		return (int)fail(-EMFILE);
	fds[fd] = (struct fd_entry){ kind, p, 0, 0 };
	return fd;
}

unsigned fd_proc_index(void)
{
	long badge = 0;
	long info = syscall6_a1(SYS_cap_info, SLOT_PROC, 0, 0, 0, &badge);
	uint64_t entry = (uint64_t)badge & PROC_BADGE_INDEX_MASK; /* index + 1 */
	return info >= 0 && entry > 0 && entry <= PROC_MAX ? (unsigned)(entry - 1) : 0;
}

/*
 * SLOT_FS, asked of the fork server the first time (PROC_FS): a process that never
 * touches a file holds no capability to the file server, so its forks copy one slot
 * less. A forked child inherits both the slot and this flag.
 */
long fd_fs_slot(void)
{
	static int have;
	if (!have) {
		long info = SYSCALL(cap_info, SLOT_FS);
		have = info >= 0 && (info & 0xff) == OBJ_ENDPOINT;
		if (!have)
			have = proc_request(PROC_FS, 0, 0, 0, 0, 0) == 0;
	}
	return SLOT_FS;
}

int fd_abs_path(const char *path, char *out, unsigned max)
{
	if (!path)
		return (int)fail(-EFAULT);
	int err = fs_path_join(cwd, path, out, max);
	return err ? (int)fail(err) : 0;
}

/* One request on an open file's capability; the reply's words in m. */
static int64_t file_call(const struct ofile *f, uint64_t label, struct ipc_msg *m, unsigned len)
{
	m->tag = ipc_tag(label, 2, len, 0);
	m->cap = 0;
	if (!m->rbuf)
		m->rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_call((uint64_t)f->cap, m);
	return err ? -EIO : (int64_t)m->w[0];
}

/* A whole read or write, in FS_IO_MAX pieces; off = -1 for the description's offset. */
static ssize_t file_io(struct ofile *f, uint64_t label, void *buf, size_t n, int64_t off)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done < FS_IO_MAX ? n - done : FS_IO_MAX;
		struct ipc_msg m = { 0 };
		int wr = label == FS_WRITE;
		m.w[wr ? 0 : 1] = off < 0 ? (uint64_t)-1 : (uint64_t)off + done;
		m.w[0] = wr ? m.w[0] : chunk;
		if (wr)
			m.sbuf = (char *)buf + done;
		else {
			m.rbuf = (char *)buf + done;
			m.rspec = ipc_recv_spec((unsigned)chunk, IPC_RECV_SLOT_NONE);
		}
		int64_t r = file_call(f, label, &m, wr ? (unsigned)chunk : 0);
		if (r < 0)
			return done ? (ssize_t)done : (ssize_t)fail(r);
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	return (ssize_t)done;
}

static inline ssize_t read_any(int fd, void *buf, size_t n)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind == FD_CONSOLE)
		return console_fd_read(buf, n);
	if (e->kind == FD_PIPE_READ)
		return pipe_read(e->pipe, buf, n);
	if (e->kind == FD_FILE)
		return file_io(e->file, FS_READ, buf, n, -1);
	return fail(-EBADF); /* the write end of a pipe */
}

/* read and write are cancellation points: here before they start, and where their waits
 * end early (pipe.c, libc_glue.c), so that the usual call pays one test. */
/* The cancellation point, out of line: read and write stay leaf tail calls without it. */
static __attribute__((noinline)) ssize_t read_at_point(int fd, void *buf, size_t n)
{
	cancel_point_slow();
	return read_any(fd, buf, n);
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (__builtin_expect(cancel_requested, 0))
		return read_at_point(fd, buf, n);
	return read_any(fd, buf, n);
}

/*
 * A file write of n bytes at off (-1: the description's offset) under RLIMIT_FSIZE: the
 * bytes that may go (rlimit.c), or -1 (errno set). Asks where the write lands only when
 * a limit is set.
 */
static ssize_t fsize_room(int fd, const struct ofile *f, int64_t off, size_t n)
{
	struct stat st;
	if (rlimit_cur(RLIMIT_FSIZE) == RLIM_INFINITY)
		return (ssize_t)n;
	if (off < 0 && (f->flags & O_APPEND))
		off = fstat(fd, &st) == 0 ? st.st_size : -1;
	else if (off < 0)
		off = lseek(fd, 0, SEEK_CUR);
	return off < 0 ? -1 : rlimit_fsize_room((uint64_t)off, n);
}

static inline ssize_t write_any(int fd, const void *buf, size_t n)
{
	struct fd_entry *e = fd_get(fd);
	ssize_t room;
	if (!e)
		return -1;
	if (e->kind == FD_CONSOLE)
		return console_fd_write(buf, n);
	if (e->kind == FD_PIPE_WRITE)
		return pipe_write(e->pipe, buf, n);
	if (e->kind == FD_FILE)
		return (room = fsize_room(fd, e->file, -1, n)) < 0
			       ? -1
			       : file_io(e->file, FS_WRITE, (void *)buf, (size_t)room, -1);
	return fail(-EBADF); /* the read end of a pipe */
}

static __attribute__((noinline)) ssize_t write_at_point(int fd, const void *buf, size_t n)
{
	cancel_point_slow();
	return write_any(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (__builtin_expect(cancel_requested, 0))
		return write_at_point(fd, buf, n);
	return write_any(fd, buf, n);
}

/* An open file descriptor (not a pipe or the console), or 0 with errno = err. */
static struct ofile *file_of(int fd, int err)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return 0;
	if (e->kind != FD_FILE) {
		errno = err;
		return 0;
	}
	return e->file;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	cancel_point();
	struct ofile *f = file_of(fd, ESPIPE);
	if (!f)
		return -1;
	return off < 0 ? fail(-EINVAL) : file_io(f, FS_READ, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	cancel_point();
	struct ofile *f = file_of(fd, ESPIPE);
	ssize_t room;
	if (!f)
		return -1;
	if (off < 0)
		return fail(-EINVAL);
	room = fsize_room(fd, f, off, n);
	return room < 0 ? -1 : file_io(f, FS_WRITE, (void *)buf, (size_t)room, off);
}

off_t lseek(int fd, off_t off, int whence)
{
	struct ofile *f = file_of(fd, ESPIPE);
	struct ipc_msg m = { 0 };
	if (!f)
		return -1;
	m.w[0] = (uint64_t)off;
	m.w[1] = (uint64_t)whence;
	int64_t r = file_call(f, FS_SEEK, &m, 0);
	return r < 0 ? fail(r) : r;
}

/* One descriptor less names f: the last lets the server know and drops the capability. */
/*
 * POSIX: a close of any descriptor of a file drops every record lock we hold on it. The
 * last one of a description says so with FS_CLOSE (our key proves it is us when we hold
 * locks); another one, only if we may hold locks at all.
 */
static void file_unref(struct ofile *f)
{
	struct ipc_msg m = { 0 };
	if (--f->refs > 0) {
		if (fd_may_lock)
			fd_lock_release(f);
		return;
	}
	m.w[0] = fd_proc_index();
	m.w[1] = fd_may_lock ? fd_lock_key(0) : 0;
	if (file_call(f, FS_CLOSE, &m, 0) == -ESTALE) {
		m = (struct ipc_msg){ .w = { fd_proc_index(), fd_lock_key(1) } };
		file_call(f, FS_CLOSE, &m, 0);
	}
	slot_free(f->cap);
	f->cap = 0;
}

void fd_file_hold(struct ofile *f)
{
	f->refs++;
}

/* A mapping's reference going: not a close of a descriptor, so no lock is released. */
void fd_file_drop(struct ofile *f)
{
	if (f->refs > 1)
		f->refs--;
	else
		file_unref(f);
}

static void release(struct fd_entry *e)
{
	if (is_pipe(e))
		pipe_close(e->pipe);
	else if (e->kind == FD_FILE)
		file_unref(e->file);
	*e = (struct fd_entry){ FD_FREE, 0, 0, 0 };
}

/* A cancellation point after the descriptor is gone, so a cancel never leaks it. */
int close(int fd)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	release(e);
	cancel_point();
	return 0;
}

static struct ofile *ofile_new(void)
{
	for (int i = 0; i < FD_MAX; i++)
		if (ofiles[i].cap == 0)
			return &ofiles[i];
	return 0;
}

/* FS_OPEN for path: the reply's kind, or -errno; the description's capability in *f. */
static int64_t open_call(const char *path, int flags, unsigned mode, struct ofile *f)
{
	long slot = slot_alloc();
	struct ipc_msg m = { 0 };
	if (slot < 0)
		return -EMFILE;
	m.tag = ipc_tag(FS_OPEN, 3, (unsigned)strlen(path) + 1, 0);
	m.w[0] = (uint64_t)flags;
	m.w[1] = mode;
	m.w[2] = fd_proc_index();
	m.sbuf = path;
	m.rspec = ipc_recv_spec(0, (unsigned)slot);
	long err = ipc_call(fd_fs_slot(), &m);
	/* E_INTR: a FIFO's open cut short while it waited for the other side (signal.c) */
	int64_t r = err == E_INTR ? -EINTR : err ? -EIO : (int64_t)m.w[0];
	if (r < 0 || !(m.tag & IPC_TAG_CAP)) {
		slot_free(slot);
		return r < 0 ? r : (int64_t)m.w[1];
	}
	*f = (struct ofile){ slot, 1, (int)m.w[1], flags, m.w[3], m.w[2] };
	return (int64_t)m.w[1];
}

/*
 * An open FIFO is a pipe descriptor: the file server answered with a capability to one
 * end of its pipe (docs/files.md, "FIFOs"), which f held for a moment. fd is free.
 */
static int fifo_fd(int fd, struct ofile *f, int flags)
{
	long slot = f->cap;
	int writer = (flags & O_ACCMODE) == O_WRONLY;
	uint64_t ino = f->token, perm = f->badge; /* the answer's w2, w3 for a FIFO */
	*f = (struct ofile){ 0 };		  /* no description: f is free again */
	/*
	 * The server sent us a copy of the end and deletes its own just after; one more
	 * request (it serves one at a time) returns once it has. Else a close of our last
	 * end could leave the server's open for a moment: a reader would miss its EOF.
	 */
	struct ipc_msg m = { .tag = ipc_tag(FS_SWEEP, 0, 0, 0) };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	ipc_call(fd_fs_slot(), &m);
	struct pipe *p = pipe_adopt(slot, writer ? PIPE_END_WRITE : PIPE_END_READ);
	if (!p) {
		slot_free(slot);
		return (int)fail(-EMFILE);
	}
	pipe_add_ref(p);
	if (flags & O_NONBLOCK) /* a new end (description) starts blocking */
		pipe_set_nonblock(p, 1);
	pipe_set_fifo(p, (uint32_t)ino, (unsigned)perm);
	fds[fd] = (struct fd_entry){ writer ? FD_PIPE_WRITE : FD_PIPE_READ, p, 0,
				     (flags & O_CLOEXEC) != 0 };
	return fd;
}

int open(const char *path, int flags, ...)
{
	char abs[FS_PATH_MAX];
	unsigned mode = 0;
	cancel_point();
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	int fd = lowest_free(0);
	struct ofile *f = ofile_new();
	if (fd < 0 || !f)
		return (int)fail(-EMFILE);
	int64_t kind = open_call(abs, flags, mode & ~fd_umask(), f);
	if (kind < 0)
		return (int)fail(kind);
	if (kind == FS_KIND_FIFO)
		return fifo_fd(fd, f, flags);
	fds[fd] = (struct fd_entry){ FD_FILE, 0, f, (flags & O_CLOEXEC) != 0 };
	if (kind == FS_KIND_CONSOLE)
		fds[fd] = (struct fd_entry){ FD_CONSOLE, 0, 0, (flags & O_CLOEXEC) != 0 };
	return fd;
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* Make newfd name what e names (newfd is free): the same capability or open file. */
static int dup_into(const struct fd_entry *e, int newfd, int cloexec)
{
	fds[newfd] = *e;
	fds[newfd].cloexec = cloexec;
	if (is_pipe(e))
		pipe_add_ref(e->pipe);
	else if (e->kind == FD_FILE)
		e->file->refs++;
	return newfd;
}

static int dup_from(int fd, int from, int cloexec)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (from < 0 || from >= FD_MAX)
		return (int)fail(-EINVAL);
	int to = lowest_free(from);
	return to < 0 ? (int)fail(-EMFILE) : dup_into(e, to, cloexec);
}

int dup(int fd)
{
	return dup_from(fd, 0, 0);
}

int dup2(int fd, int to)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (to < 0 || to >= FD_MAX)
		return (int)fail(-EBADF);
	if (to == fd)
		return to;
	if (fds[to].kind != FD_FREE)
		release(&fds[to]);
	return dup_into(e, to, 0);
}

/* POSIX 2024's dup3: dup2 with O_CLOEXEC, and an error (not a no-op) when fd == to. */
int dup3(int fd, int to, int flags)
{
	if (flags & ~O_CLOEXEC)
		return (int)fail(-EINVAL);
	if (fd == to)
		return (int)fail(fd_get(fd) ? -EINVAL : -EBADF);
	int r = dup2(fd, to);
	if (r >= 0)
		fds[r].cloexec = (flags & O_CLOEXEC) != 0;
	return r;
}

/* F_GETFL: the access mode and O_APPEND. */
static int get_fl(const struct fd_entry *e)
{
	struct ipc_msg m = { 0 };
	if (e->kind == FD_CONSOLE)
		return O_RDWR;
	if (is_pipe(e))
		return (e->kind == FD_PIPE_READ ? O_RDONLY : O_WRONLY) |
		       (pipe_nonblock(e->pipe) ? O_NONBLOCK : 0);
	int64_t r = file_call(e->file, FS_GETFL, &m, 0);
	return r < 0 ? (int)fail(r) : (int)(r & (O_ACCMODE | O_APPEND | O_NONBLOCK));
}

/*
 * F_SETFL: O_APPEND and O_NONBLOCK for a file (kept by its description; a file never
 * blocks, so only F_GETFL shows the second), O_NONBLOCK for a pipe end; the console
 * ignores both.
 */
static int set_fl(const struct fd_entry *e, int flags)
{
	struct ipc_msg m = { 0 };
	if (is_pipe(e))
		return pipe_set_nonblock(e->pipe, flags & O_NONBLOCK);
	if (e->kind != FD_FILE)
		return 0;
	m.w[0] = (uint64_t)(flags & (O_APPEND | O_NONBLOCK));
	int64_t r = file_call(e->file, FS_SETFL, &m, 0);
	return r < 0 ? (int)fail(r) : 0;
}

int fcntl(int fd, int cmd, ...)
{
	struct fd_entry *e = fd_get(fd);
	va_list ap;
	va_start(ap, cmd);
	if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW) {
		struct flock *fl = va_arg(ap, struct flock *);
		va_end(ap);
		return fd_lock(fd, cmd, fl);
	}
	int arg = cmd == F_GETFD || cmd == F_GETFL ? 0 : va_arg(ap, int);
	va_end(ap);
	if (!e)
		return -1;
	switch (cmd) {
	case F_DUPFD:
		return dup_from(fd, arg, 0);
	case F_DUPFD_CLOEXEC:
		return dup_from(fd, arg, 1);
	case F_GETFD:
		return e->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		e->cloexec = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		return get_fl(e);
	case F_SETFL:
		return set_fl(e, arg);
	default:
		return (int)fail(-EINVAL);
	}
}

int isatty(int fd)
{
	struct fd_entry *e = fd_get(fd);
	if (e && e->kind != FD_CONSOLE)
		errno = ENOTTY;
	return e && e->kind == FD_CONSOLE;
}

int fsync(int fd)
{
	cancel_point();
	struct fd_entry *e = fd_get(fd);
	struct ipc_msg m = { 0 };
	if (!e)
		return -1;
	if (e->kind != FD_FILE)
		return (int)fail(-EINVAL);
	int64_t r = file_call(e->file, FS_FSYNC, &m, 0);
	return r < 0 ? (int)fail(r) : 0;
}

/* Data and metadata go to the disk together: fdatasync is fsync. */
int fdatasync(int fd)
{
	return fsync(fd);
}

int ftruncate(int fd, off_t len)
{
	struct fd_entry *e = fd_get(fd);
	struct ipc_msg m = { 0 };
	if (!e)
		return -1;
	if (e->kind != FD_FILE)
		return (int)fail(-EINVAL);
	if (len > 0 && rlimit_fsize_past((uint64_t)len))
		return -1;
	m.w[0] = (uint64_t)len;
	int64_t r = file_call(e->file, FS_FTRUNCATE, &m, 0);
	return r < 0 ? (int)fail(r) : 0;
}

/* fstat's and readdir's way in: the open file fd names, or 0 (errno set). */
struct ofile *fd_file(int fd)
{
	return file_of(fd, EINVAL);
}

/* One request on fd's open file, for the other parts of the library (fs calls, mmap). */
int64_t fd_file_call(struct ofile *f, uint64_t label, struct ipc_msg *m, unsigned len)
{
	return file_call(f, label, m, len);
}

/* A null buf is allocated, of size bytes or (size 0) as many as needed (POSIX 2024). */
char *getcwd(char *buf, size_t size)
{
	size_t n = strlen(cwd) + 1;
	if (buf && size == 0) {
		errno = EINVAL;
		return 0;
	}
	if (size && n > size) {
		errno = ERANGE;
		return 0;
	}
	if (!buf && !(buf = malloc(size ? size : n))) {
		errno = ENOMEM;
		return 0;
	}
	memcpy(buf, cwd, n);
	return buf;
}

/* chdir's last step, once the path is known to name a directory. */
void fd_set_cwd(const char *abs)
{
	strncpy(cwd, abs, sizeof(cwd) - 1);
	cwd[sizeof(cwd) - 1] = 0;
}

/* Append the number v in hex to out at *at, then c. */
static void put_hex(char *out, unsigned *at, uint64_t v, char c)
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		out[(*at)++] = tmp[--n];
	out[(*at)++] = c;
}

/*
 * Is f's description gone from this process once exec closes the close-on-exec
 * descriptors: every descriptor naming it is one? Asked at f's first such descriptor,
 * so that a description is named once.
 */
static int dropped_at_exec(int first, const struct ofile *f)
{
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd].kind != FD_FILE || fds[fd].file != f)
			continue;
		if (!fds[fd].cloexec || (fd < first))
			return 0;
	}
	return 1;
}

const char *fd_exec_files(char *env)
{
	unsigned at = sizeof(FD_EXEC_ENV) - 1, any = 0;
	memcpy(env, FD_EXEC_ENV, at);
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd].kind != FD_FILE)
			continue;
		/* Closed by the new image (inherit_files): this one runs on if exec fails. */
		if (fds[fd].cloexec && !dropped_at_exec(fd, fds[fd].file))
			continue;
		put_hex(env, &at, fds[fd].cloexec ? FD_EXEC_DROP : (uint64_t)fd, '.');
		put_hex(env, &at, fds[fd].file->badge, '.');
		put_hex(env, &at, fds[fd].file->token, ',');
		any = 1;
	}
	env[at] = 0;
	return any ? env : 0;
}

/* The next hex number of *s, which then points past the character after it. */
uint64_t fd_get_hex(const char **s)
{
	uint64_t v = 0;
	for (; **s; (*s)++) {
		char c = **s;
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
						    : 16;
		if (d == 16)
			break;
		v = v << 4 | d;
	}
	if (**s)
		(*s)++;
	return v;
}

/* One open file kept across exec: a new capability for it, shared with earlier dups. */
static void inherit_file(unsigned fd, uint64_t badge, uint64_t token)
{
	struct ipc_msg m = { .tag = ipc_tag(FS_REOPEN, 3, 0, 0) };
	if (fd >= FD_MAX || fds[fd].kind == FD_PIPE_READ || fds[fd].kind == FD_PIPE_WRITE)
		return;
	for (int i = 0; i < FD_MAX; i++) {
		if (ofiles[i].cap && ofiles[i].badge == badge) {
			ofiles[i].refs++;
			fds[fd] = (struct fd_entry){ FD_FILE, 0, &ofiles[i], 0 };
			return;
		}
	}
	struct ofile *f = ofile_new();
	long slot = f ? slot_alloc() : -1;
	m.w[0] = badge;
	m.w[1] = token;
	m.w[2] = fd_proc_index();
	m.rspec = ipc_recv_spec(0, (unsigned)(slot < 0 ? IPC_RECV_SLOT_NONE : slot));
	if (slot < 0 || ipc_call(fd_fs_slot(), &m) != 0 || (int64_t)m.w[0] < 0 ||
	    !(m.tag & IPC_TAG_CAP)) {
		slot_free(slot);
		return;
	}
	*f = (struct ofile){ slot, 1, (int)m.w[1], O_RDWR, badge, token };
	fds[fd] = (struct fd_entry){ FD_FILE, 0, f, 0 };
	fd_may_lock |= m.w[2] != 0; /* the image before exec locked this file */
}

/* Does the environment hold any FD_EXEC_PREFIX entry? Looked at once, at start. */
static int env_has_ours(void)
{
	extern char **environ;
	static int known, has;
	if (!known) {
		for (char **e = environ; e && *e && !has; e++)
			has = strncmp(*e, FD_EXEC_PREFIX, sizeof(FD_EXEC_PREFIX) - 1) == 0;
		known = 1;
	}
	return has;
}

const char *fd_take_env(const char *prefix)
{
	extern char **environ;
	size_t n = strlen(prefix);
	if (!env_has_ours())
		return 0; /* the usual case: one pass over the environment, not one per name */
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, prefix, n) != 0)
			continue;
		const char *v = *e + n;
		do
			e[0] = e[1];
		while (*e++);
		return v;
	}
	return 0;
}

/*
 * A description the old image held only through close-on-exec descriptors: closed now,
 * as exec's close would have (our holding of it ends, and so do our record locks on its
 * file), by way of a descriptor made for the purpose.
 */
static void drop_file(uint64_t badge, uint64_t token)
{
	int fd = fd_alloc(FD_FREE, 0); /* a number, not yet taken: inherit_file fills it */
	if (fd < 0)
		return;
	inherit_file((unsigned)fd, badge, token);
	release(&fds[fd]);
}

/* The files exec kept (FD_EXEC_ENV), taken out of the environment, and those it closes. */
static void inherit_files(void)
{
	const char *s = fd_take_env(FD_EXEC_ENV);
	while (s && *s) {
		uint64_t fd = fd_get_hex(&s);
		uint64_t badge = fd_get_hex(&s), token = fd_get_hex(&s);
		if (fd == FD_EXEC_DROP)
			drop_file(badge, token);
		else
			inherit_file((unsigned)fd, badge, token);
	}
}

const char *fd_exec_cwd(char *env)
{
	size_t n = sizeof(FD_EXEC_CWD) - 1, len = strlen(cwd);
	if (strcmp(cwd, "/") == 0 || n + len + 1 > FD_EXEC_CWD_MAX)
		return 0;
	memcpy(env, FD_EXEC_CWD, n);
	memcpy(env + n, cwd, len + 1);
	return env;
}

#define DEFAULT_UMASK 022 /* as most systems start their first process */
static mode_t creation_mask = DEFAULT_UMASK;

mode_t umask(mode_t mask)
{
	mode_t old = creation_mask;
	creation_mask = mask & 0777;
	return old;
}

mode_t fd_umask(void)
{
	return creation_mask;
}

const char *fd_exec_umask(char *env)
{
	if (creation_mask == DEFAULT_UMASK)
		return 0;
	size_t n = sizeof(FD_EXEC_UMASK) - 1;
	memcpy(env, FD_EXEC_UMASK, n);
	for (int shift = 6; shift >= 0; shift -= 3) /* three octal digits */
		env[n++] = (char)('0' + ((creation_mask >> shift) & 7));
	env[n] = 0;
	return env;
}

/* POSIX: exec keeps the mask too (FD_EXEC_UMASK, taken out of the environment). */
static void inherit_umask(void)
{
	const char *v = fd_take_env(FD_EXEC_UMASK);
	mode_t mask = 0;
	for (; v && *v >= '0' && *v <= '7'; v++)
		mask = (mode_t)(mask << 3 | (mode_t)(*v - '0'));
	if (v)
		creation_mask = mask & 0777;
}

/* POSIX: exec keeps the working directory (FD_EXEC_CWD, taken out of the environment). */
static void inherit_cwd(void)
{
	const char *dir = fd_take_env(FD_EXEC_CWD);
	if (dir && dir[0] == '/' && strlen(dir) < FS_PATH_MAX)
		fd_set_cwd(dir);
}

unsigned fd_exec_list(uint32_t *list, unsigned max)
{
	unsigned n = 0;
	for (int fd = 0; fd < FD_MAX && n < max; fd++)
		if (is_pipe(&fds[fd]) && !fds[fd].cloexec)
			list[n++] =
				EXEC_FD(fd, fds[fd].kind == FD_PIPE_WRITE, pipe_slot(fds[fd].pipe));
	return n;
}

/*
 * One AUX_FD pair: descriptor fd names the pipe end whose capability the fork server put
 * in our slot (the same slot as in the old image). The slot is checked to hold an end of
 * that kind, and kept from the slot allocator.
 */
static void inherit_fd(uint64_t v)
{
	unsigned fd = EXEC_FD_FD(v), end = EXEC_FD_END(v);
	long slot = (long)EXEC_FD_SLOT(v);
	int type = end == PIPE_END_WRITE ? OBJ_PIPE_WRITE : OBJ_PIPE_READ;
	/* fds 0-2 may still be the console: a shell pipeline's stage reads or writes a pipe there. */
	if (fd >= FD_MAX || (fds[fd].kind != FD_FREE && fds[fd].kind != FD_CONSOLE))
		return;
	long info = SYSCALL(cap_info, slot);
	if (info < 0 || (info & 0xff) != type || slot_reserve(slot) < 0)
		return;
	struct pipe *p = pipe_adopt(slot, end == PIPE_END_WRITE);
	if (!p)
		return;
	fds[fd] =
		(struct fd_entry){ type == OBJ_PIPE_WRITE ? FD_PIPE_WRITE : FD_PIPE_READ, p, 0, 0 };
	pipe_add_ref(p);
}

/*
 * Before main, in an image that exec started: the (AUX_FD, value) pairs the fork server
 * put after envp name the pipe descriptors it handed over and the slots of their
 * capabilities. The kernel starts init with no such pairs: the first key that is not
 * AUX_FD ends the list.
 */
__attribute__((constructor)) static void fd_inherit(void)
{
	extern const uint64_t *user_auxv; /* libc_glue.c: found before any constructor ran */
	for (const uint64_t *aux = user_auxv; aux && aux[0] == AUX_FD; aux += 2)
		inherit_fd(aux[1]);
	inherit_files();
	inherit_cwd();
	inherit_umask();
}
