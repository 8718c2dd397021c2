/*
 * POSIX record locks: fcntl's F_GETLK, F_SETLK and F_SETLKW, and lockf on top. The file
 * server keeps every lock (fslock.h) per process and file; a request names our process
 * (its index at the fork server) and shows our lock key, a secret the fork server gives
 * us (PROC_FS's second word) and the file server checks, so no other process can take,
 * see as ours, or drop our locks. The key changes when we fork (the child has a copy of
 * our memory): the server's -ESTALE then has us ask for the new one and send again.
 * docs/files.md, "Record locks".
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fd.h"
#include "pthread_impl.h"
#include "fs.h"
#include "syscall.h"

/* We may hold locks: a close of one of several descriptors of a file then drops them. */
int fd_may_lock;
static uint64_t key; /* 0: not asked yet */

uint64_t fd_lock_key(int fresh)
{
	uint64_t k = 0;
	if ((fresh || !key) && proc_request(PROC_FS, PROC_FS_LOCK_KEY, 0, &k, 0, 0) == 0)
		key = k;
	return key;
}

/* One FS_LOCK request (words w0..w4 set), with our process and key: the answer's w0. */
static int64_t lock_once(struct ofile *f, struct ipc_msg *m, const uint64_t w[5], int fresh)
{
	for (int i = 0; i < 5; i++)
		m->w[i] = w[i]; /* an answer overwrote them */
	m->tag = ipc_tag(FS_LOCK, 7, 0, 0);
	m->w[5] = fd_proc_index();
	m->w[6] = fd_lock_key(fresh);
	m->cap = 0;
	m->rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_call((uint64_t)f->cap, m);
	return err == E_INTR ? -EINTR : err == E_DEAD ? -ECANCELED : err ? -EIO : (int64_t)m->w[0];
}

/*
 * With a fresh key after -ESTALE. An F_SETLKW the server dropped (another thread of ours
 * cancelled the same wait: E_DEAD) is sent again; one a signal ended (EINTR) is
 * cancelled, so the server neither keeps nor counts it (docs/files.md).
 */
static int64_t lock_call(struct ofile *f, struct ipc_msg *m)
{
	uint64_t w[5] = { m->w[0], m->w[1], m->w[2], m->w[3], m->w[4] };
	int64_t r = lock_once(f, m, w, 0);
	for (int tries = 0; r == -ECANCELED && w[0] == FS_LK_WAIT && tries < 16; tries++)
		r = lock_once(f, m, w, 0);
	if (r == -ESTALE)
		r = lock_once(f, m, w, 1);
	if (r == -EINTR && w[0] == FS_LK_WAIT) {
		uint64_t c[5] = { FS_LK_CANCEL, w[1], w[2], w[3], w[4] };
		struct ipc_msg cm = { 0 };
		lock_once(f, &cm, c, 0);
	}
	return r == -ECANCELED ? -EIO : r;
}

int fd_lock_release(struct ofile *f)
{
	struct ipc_msg m = { .w = { FS_LK_RELEASE } };
	return (int)lock_call(f, &m);
}

static int fail(int64_t r)
{
	errno = (int)-r;
	return -1;
}

/* fcntl(fd, F_GETLK, F_SETLK or F_SETLKW, fl). */
int fd_lock(int fd, int cmd, struct flock *fl)
{
	struct fd_entry *e = fd_get(fd);
	struct ipc_msg m = { 0 };
	if (!e)
		return -1;
	if (!fl)
		return fail(-EFAULT);
	if (e->kind != FD_FILE)
		return fail(-EINVAL); /* a pipe or the console: no locks */
	m.w[0] = cmd == F_GETLK ? FS_LK_GET : cmd == F_SETLK ? FS_LK_SET : FS_LK_WAIT;
	m.w[1] = (uint64_t)(int64_t)fl->l_type;
	m.w[2] = (uint64_t)(int64_t)fl->l_whence;
	m.w[3] = (uint64_t)(int64_t)fl->l_start;
	m.w[4] = (uint64_t)(int64_t)fl->l_len;
	if (cmd != F_GETLK && fl->l_type != F_UNLCK)
		fd_may_lock = 1;
	if (cmd == F_SETLKW)
		cancel_point(); /* F_SETLKW is a cancellation point, before and after its wait */
	int64_t r = lock_call(e->file, &m);
	if (r == -EINTR && cmd == F_SETLKW)
		cancel_point();
	if (r < 0)
		return fail(r);
	if (cmd == F_GETLK) {
		fl->l_type = (short)m.w[1];
		if (fl->l_type != F_UNLCK) {
			fl->l_whence = SEEK_SET;
			fl->l_start = (long)m.w[2];
			fl->l_len = (long)m.w[3];
			fl->l_pid = (short)m.w[4];
		}
	}
	return 0;
}

/*
 * lockf over len bytes from the current offset (0: to the end and on; negative: the
 * bytes before it): F_LOCK a write lock, waiting; F_TLOCK without waiting (EAGAIN, as
 * fcntl, which POSIX allows besides EACCES); F_ULOCK; F_TEST, 0 or EACCES when another
 * process holds part of the range. The descriptor must be open for writing for a lock
 * (EBADF).
 */
int lockf(int fd, int cmd, off_t len)
{
	struct flock fl = { .l_whence = SEEK_CUR, .l_start = 0, .l_len = (long)len };
	switch (cmd) {
	case F_ULOCK:
		fl.l_type = F_UNLCK;
		return fcntl(fd, F_SETLK, &fl);
	case F_LOCK:
	case F_TLOCK:
		fl.l_type = F_WRLCK;
		return fcntl(fd, cmd == F_LOCK ? F_SETLKW : F_SETLK, &fl);
	case F_TEST:
		fl.l_type = F_WRLCK;
		if (fcntl(fd, F_GETLK, &fl) < 0)
			return -1;
		if (fl.l_type == F_UNLCK)
			return 0;
		errno = EACCES;
		return -1;
	default:
		errno = EINVAL;
		return -1;
	}
}
