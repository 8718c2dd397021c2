/*
 * Pipes in the C library: each read, write and close is a request to the fork server,
 * which owns the pipe (pipe.h, pipesrv.c, docs/userland.md). The bytes travel in the
 * IPC buffer, straight between the caller's buffer and the server's ring: the kernel
 * checks the caller's buffer before anything moves, so a bad one gives EFAULT, and this
 * library never touches it. A process keeps only which pipes its descriptors name.
 *
 * fork needs nothing here: the server copies the parent's end counts to the child, and
 * the child's table is a copy of ours. exec hands the pipe descriptors over (fd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "fd.h"
#include "pipe.h"
#include "pthread_impl.h"
#include "syscall.h"

/* This process's view of a pipe: the server's id and how many of our descriptors name it. */
struct pipe {
	unsigned id;
	int ends; /* 0: this entry is free */
	/* O_NONBLOCK of each end (enum pipe_end), shared by our descriptors of that end. */
	uint8_t nonblock[2];
};

static struct pipe pipes[FD_MAX];

#define SEND_AGAIN INT64_MIN /* pipe_call: the request must be sent again */

/*
 * A request about one pipe: the server's answer (w0), or -errno. The call itself fails
 * with E_INTR when a signal handler ran on this thread and the call is not to run
 * again (signal.c decides: SA_RESTART). An answer of -EINTR instead comes from the
 * server when a signal went to another thread of ours (it ends every parked request of
 * the process, docs/signals.md): this thread sends the request again.
 */
static int64_t pipe_call(struct ipc_msg *m)
{
	long err = ipc_call(SLOT_PROC, m);
	if (err)
		return err == E_FAULT	 ? -EFAULT
		       : err == E_BADCAP ? -ENOSYS
		       : err == E_INTR	 ? -EINTR
					 : -EIO;
	return (int64_t)m->w[0] == -EINTR ? SEND_AGAIN : (int64_t)m->w[0];
}

static ssize_t result(int64_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (ssize_t)r;
}

/* A short read's bytes, from the reply's words (no memcpy: it moves a byte a step). */
static void copy_in(uint8_t *to, const uint64_t *words, size_t n)
{
	const uint8_t *from = (const uint8_t *)words;
	while (n--)
		*to++ = *from++;
}

/* At most one IPC buffer: a pipe read may return fewer bytes than asked for. */
ssize_t pipe_read(struct pipe *p, void *buf, size_t n)
{
	unsigned want = n < IPC_BUF_MAX ? (unsigned)n : IPC_BUF_MAX;
	struct ipc_msg m;
	int64_t r;
	if (n == 0)
		return 0;
	do {
		m = (struct ipc_msg){ .tag = ipc_tag(PIPE_READ, 3, 0, 0), .rbuf = buf };
		m.w[0] = p->id;
		m.w[1] = want;
		m.w[2] = p->nonblock[PIPE_END_READ] ? PIPE_NB : 0;
		m.rspec = ipc_recv_spec(want, IPC_RECV_SLOT_NONE);
		r = pipe_call(&m);
	} while (r == SEND_AGAIN);
	if (r > 0 && r <= PIPE_INLINE_MAX && ipc_tag_words(m.tag) > 1)
		copy_in(buf, &m.w[1], (size_t)r); /* the kernel checked buf at the call */
	return result(r);
}

/* One piece of at most a buffer: bytes the server took (0: woken, send again), or -errno. */
static int64_t write_piece(struct pipe *p, const uint8_t *b, size_t n)
{
	int64_t r;
	do {
		struct ipc_msg m = { .tag = ipc_tag(PIPE_WRITE, 2, (unsigned)n, 0), .sbuf = b };
		m.w[0] = p->id;
		m.w[1] = p->nonblock[PIPE_END_WRITE] ? PIPE_NB : 0;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		r = pipe_call(&m);
	} while (r == SEND_AGAIN);
	return r;
}

/*
 * Blocks until all n bytes went in. A failure part-way (EPIPE, EFAULT, EINTR, or EAGAIN
 * when the end is O_NONBLOCK and the pipe is full) returns what went in before; one
 * before any byte moved is -1 with errno, and EPIPE then comes with SIGPIPE to this
 * thread first (POSIX). Non-blocking, up to PIPE_BUF bytes go in whole or not at all.
 */
ssize_t pipe_write(struct pipe *p, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;
	while (done < n) {
		size_t piece = n - done < IPC_BUF_MAX ? n - done : IPC_BUF_MAX;
		int64_t r = write_piece(p, b + done, piece);
		if (r < 0 && done)
			return (ssize_t)done;
		if (r == -EPIPE)
			signals_pipe_broken(); /* ends us unless SIGPIPE is ignored or caught */
		if (r < 0)
			return result(r);
		done += (size_t)r;
	}
	return (ssize_t)n;
}

/* A close or a dup of one end at the server. */
static int64_t end_request(struct pipe *p, uint64_t label, int writer)
{
	struct ipc_msg m = { .tag = ipc_tag(label, 2, 0, 0) };
	m.w[0] = p->id;
	m.w[1] = writer ? PIPE_END_WRITE : PIPE_END_READ;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return pipe_call(&m);
}

void pipe_drop_end(struct pipe *p, int writer)
{
	end_request(p, PIPE_CLOSE, writer);
}

int pipe_count_end(struct pipe *p, int writer)
{
	return (int)result(end_request(p, PIPE_DUP, writer));
}

void pipe_close(struct pipe *p, int writer)
{
	pipe_drop_end(p, writer);
	p->ends--;
}

/* Our entry for pipe id: the one in use, else a free one (ends 0); or 0 if none is left. */
static struct pipe *entry_for(unsigned id)
{
	struct pipe *free_one = 0;
	for (int i = 0; i < FD_MAX; i++) {
		if (pipes[i].ends > 0 && pipes[i].id == id)
			return &pipes[i];
		if (pipes[i].ends <= 0 && !free_one)
			free_one = &pipes[i];
	}
	if (free_one)
		*free_one = (struct pipe){ .id = id, .ends = 0 };
	return free_one;
}

struct pipe *pipe_adopt(unsigned id)
{
	return entry_for(id);
}

unsigned pipe_id(const struct pipe *p)
{
	return p->id;
}

void pipe_add_ref(struct pipe *p)
{
	p->ends++;
}

void pipe_set_nonblock(struct pipe *p, int writer, int on)
{
	p->nonblock[writer ? PIPE_END_WRITE : PIPE_END_READ] = on != 0;
}

int pipe_nonblock(const struct pipe *p, int writer)
{
	return p->nonblock[writer ? PIPE_END_WRITE : PIPE_END_READ];
}

/* POSIX 2024's pipe2: O_NONBLOCK and O_CLOEXEC on both new descriptors. */
int pipe2(int fds[2], int flags)
{
	if (flags & ~(O_NONBLOCK | O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	if (pipe(fds) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		struct fd_entry *e = fd_get(fds[i]);
		e->cloexec = (flags & O_CLOEXEC) != 0;
		pipe_set_nonblock(e->pipe, i, flags & O_NONBLOCK);
	}
	return 0;
}

int pipe(int fds[2])
{
	uint64_t unused;
	int64_t id = proc_request(PROC_PIPE, 0, 0, &unused, 0, 0);
	if (id < 0)
		return (int)result(id);
	struct pipe *p = entry_for((unsigned)id);
	int r = p ? fd_alloc(FD_PIPE_READ, p) : -1;
	int w = r < 0 ? -1 : fd_alloc(FD_PIPE_WRITE, p);
	if (w < 0) {
		int saved = p ? errno : EMFILE;
		if (r >= 0)
			fd_get(r)->kind = FD_FREE;
		struct pipe tmp = { .id = (unsigned)id, .ends = 2 };
		pipe_close(&tmp, 0);
		pipe_close(&tmp, 1);
		errno = saved;
		return -1;
	}
	p->ends = 2;
	fds[0] = r;
	fds[1] = w;
	return 0;
}
