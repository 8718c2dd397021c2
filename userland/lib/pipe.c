/*
 * Pipes in the C library: the pipe is the kernel's (pipe.h, docs/userland.md). Each
 * descriptor names a struct pipe, our capability to one end, counted by the descriptors
 * that name it (dup shares it); the last close deletes the capability. The kernel moves
 * the bytes between the caller's buffer and the ring: a bad buffer gives EFAULT and
 * moves nothing, and this library never touches the buffer.
 *
 * fork needs nothing here: the kernel copies the capabilities into the same slots and
 * the child's table is a copy of ours. exec hands them over (fd.c, the fork server).
 * O_NONBLOCK is the kernel end's, which is the open file description: a forked child or
 * an exec'd image that shares the end shares the flag (POSIX).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "fd.h"
#include "pipe.h"
#include "pthread_impl.h"
#include "taskspawn.h"
#include "syscall.h"

/* One capability to a pipe end and how many of our descriptors name it (0: free entry). */
struct pipe {
	long slot;
	int refs;
	uint8_t writer;	    /* enum pipe_end */
	uint16_t fifo_perm; /* a FIFO's: its permission bits when opened */
	uint32_t fifo_ino;  /* a FIFO's end: the FIFO's inode number; 0 for pipe() */
};
_Static_assert(sizeof(struct pipe) == 24, "the FIFO's identity fits the padding");

static struct pipe pipes[FD_MAX];

/* A kernel error as the POSIX -1 with errno (E_DEAD: no reader, EPIPE). A wait cut short
 * (E_INTR) may have been cut by pthread_cancel: read and write are cancellation points. */
static ssize_t fail(long err)
{
	if (err == E_INTR)
		cancel_point();
	errno = err == E_FAULT	  ? EFAULT
		: err == E_AGAIN  ? EAGAIN
		: err == E_INTR	  ? EINTR
		: err == E_DEAD	  ? EPIPE
		: err == E_NOMEM  ? ENOMEM
		: err == E_BADCAP ? EBADF
		: err == E_TYPE	  ? EBADF
		: err == E_RIGHTS ? EBADF
				  : EIO;
	return -1;
}

/* The kernel's call on our end: it blocks unless the end is O_NONBLOCK (the kernel's). */
static long end_call(const struct pipe *p, long nr, const void *buf, size_t n)
{
	return syscall6(nr, p->slot, (long)(uintptr_t)buf, (long)n, 0, 0, 0);
}

/* What is there, at least a byte, at most PIPE_RING (short reads are normal); 0 at EOF. */
ssize_t pipe_read(struct pipe *p, void *buf, size_t n)
{
	long r = end_call(p, SYS_pipe_read, buf, n);
	return r < 0 ? fail(r) : (ssize_t)r;
}

/*
 * Blocks until all n bytes went in. A failure part-way (EPIPE, EFAULT, EINTR, or EAGAIN
 * when the end is O_NONBLOCK and the pipe is full) returns what went in before; one
 * before any byte moved is -1 with errno, and EPIPE then comes with SIGPIPE to this
 * thread first (POSIX). Up to PIPE_BUF bytes go in whole or not at all (the kernel).
 */
ssize_t pipe_write(struct pipe *p, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;
	while (done < n) {
		long r = end_call(p, SYS_pipe_write, b + done, n - done);
		if (r < 0 && done)
			return (ssize_t)done;
		if (r == E_DEAD)
			signals_pipe_broken(); /* ends us unless SIGPIPE is ignored or caught */
		if (r < 0)
			return fail(r);
		done += (size_t)r;
	}
	return (ssize_t)n;
}

void pipe_close(struct pipe *p)
{
	if (--p->refs > 0)
		return;
	slot_free(p->slot); /* the last capability to an end gone: the kernel tells the peers */
	p->slot = 0;
}

void pipe_add_ref(struct pipe *p)
{
	p->refs++;
}

long pipe_slot(const struct pipe *p)
{
	return p->slot;
}

int pipe_set_nonblock(struct pipe *p, int on)
{
	long r = SYSCALL(pipe_nonblock, p->slot, on != 0);
	return r < 0 ? (int)fail(r) : 0;
}

void pipe_set_fifo(struct pipe *p, uint32_t ino, unsigned perm)
{
	p->fifo_ino = ino;
	p->fifo_perm = (uint16_t)perm;
}

uint32_t pipe_fifo(const struct pipe *p, unsigned *perm)
{
	*perm = p->fifo_perm;
	return p->fifo_ino;
}

int pipe_nonblock(const struct pipe *p)
{
	long s = SYSCALL(pipe_state, p->slot);
	return s >= 0 && (s & PIPE_STATE_NONBLOCK);
}

/*
 * The entry for our capability in slot: the one in use, else a free one (refs 0 until a
 * descriptor names it); or 0 if none is left.
 */
struct pipe *pipe_adopt(long slot, int writer)
{
	struct pipe *free_one = 0;
	for (int i = 0; i < FD_MAX; i++) {
		if (pipes[i].refs > 0 && pipes[i].slot == slot)
			return &pipes[i];
		if (pipes[i].refs == 0 && pipes[i].slot == 0 && !free_one)
			free_one = &pipes[i];
	}
	if (free_one)
		*free_one = (struct pipe){ .slot = slot, .refs = 0, .writer = (uint8_t)writer };
	return free_one;
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
		if (flags & O_NONBLOCK)
			pipe_set_nonblock(e->pipe, 1);
	}
	return 0;
}

/* Two descriptors and two capabilities, or none (EMFILE, ENOMEM). */
int pipe(int fds[2])
{
	long rs = slot_alloc(), ws = rs < 0 ? -1 : slot_alloc();
	long err = ws < 0 ? E_RANGE : SYSCALL(pipe_create, SLOT_SELF, rs, ws);
	struct pipe *r = err ? 0 : pipe_adopt(rs, PIPE_END_READ);
	struct pipe *w = r ? pipe_adopt(ws, PIPE_END_WRITE) : 0;
	int rfd = w ? fd_alloc(FD_PIPE_READ, r) : -1;
	int wfd = rfd < 0 ? -1 : fd_alloc(FD_PIPE_WRITE, w);
	if (wfd < 0) {
		if (rfd >= 0)
			fd_get(rfd)->kind = FD_FREE;
		if (r)
			r->slot = 0;
		if (w)
			w->slot = 0;
		slot_free(rs); /* deletes the ends, if they were made */
		slot_free(ws);
		errno = err == E_QUOTA || err == E_NOMEM ? ENOMEM : EMFILE;
		return -1;
	}
	r->refs = w->refs = 1;
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
}
