/*
 * Pipes: see pipe.h. The bytes move straight between the caller's buffer and the ring
 * through the one checked user-copy path, and head or tail moves only once the copy has
 * succeeded: a bad buffer (E_FAULT) or a copy-on-write page with no frame for it
 * (E_NOMEM) leaves the pipe as it was. Everything runs under the kernel lock, so a
 * caller killed at any instant has either moved its bytes or not.
 *
 * Steps of a read (a write is the mirror image):
 *   1. Nothing asked for: 0.
 *   2. The ring is empty: 0 (end of file) with no write end left; E_AGAIN when the call
 *      may not block; else sleep on the ecall in the wait queue. The buffer is checked
 *      when bytes are there to move (as Linux does): a bad one gives E_FAULT then.
 *   3. Copy what is there, up to n bytes, then move tail and wake the waiting writers.
 * A write that brings bytes to waiting readers does their reads for them (give_direct,
 * wake_readers): the round trip of two processes over two pipes is then one system call
 * a side less, and a small write to a waiting reader is copied once, not through the ring.
 */
#include "kernel/core/pipe.h"

#include "kernel/abi/error.h"
#include "kernel/abi/syscall.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/sched.h"
#include "kernel/core/uaccess.h"

/* Free the ring pages made so far (the pipe's own header goes with kobj_put). */
static void free_ring(struct pipe *p)
{
	for (unsigned i = 0; i < PIPE_PAGES; i++) {
		if (p->ring[i])
			kfree(p->ring[i], PAGE_SIZE);
		p->ring[i] = 0;
	}
}

/* The ring's frames, charged to the pipe's payer: 0, or E_QUOTA or E_NOMEM with none. */
static int make_ring(struct pipe *p)
{
	if (quota_take(p->hdr.payer, PIPE_RING) != 0)
		return E_QUOTA;
	for (unsigned i = 0; i < PIPE_PAGES; i++) {
		if ((p->ring[i] = kalloc(PAGE_SIZE)) == 0) {
			free_ring(p);
			quota_give(p->hdr.payer, PIPE_RING);
			return E_NOMEM;
		}
	}
	return 0;
}

static uint32_t end_type(enum pipe_side side)
{
	return side == PIPE_READER ? OBJ_PIPE_READ : OBJ_PIPE_WRITE;
}

static void end_init(struct pipe_end *e, struct pipe *p, enum pipe_side side)
{
	e->pipe = p;
	e->side = (uint8_t)side;
	e->nonblock = 0;
}

/* The rights of a new capability to an end: its one data right, and passing it on. */
static uint32_t end_rights(enum pipe_side side)
{
	return (side == PIPE_READER ? CAP_READ : CAP_WRITE) | CAP_GRANT;
}

/* A pipe with its ring, charged to payer, its ends made: the pipe, or NULL and *err. */
static struct pipe *pipe_new(struct task *payer, int *err)
{
	struct pipe *p = kobj_alloc(OBJ_PIPE, sizeof(*p), payer);
	if (!p) {
		*err = E_QUOTA;
		return 0;
	}
	if ((*err = make_ring(p)) != 0) {
		kobj_put(&p->hdr);
		return 0;
	}
	return p;
}

int pipe_create(struct task *payer, struct cap *rd, struct cap *wr)
{
	int err = 0;
	struct pipe *p = pipe_new(payer, &err);
	if (!p)
		return err;
	p->hdr.refs = 2; /* one for each end */
	for (int side = PIPE_READER; side <= PIPE_WRITER; side++) {
		struct pipe_end *e = &p->end[side];
		e->hdr.type = end_type(side);
		e->hdr.refs = 1; /* until the capability is installed */
		end_init(e, p, side);
		p->ends[side] = 1;
		cap_install(side == PIPE_READER ? rd : wr, &e->hdr, end_rights(side), 0, 0);
		e->hdr.refs--;
	}
	return 0;
}

static bool side_open(const struct pipe *p, enum pipe_side side)
{
	return p->ends[side] > 0;
}

/*
 * A named pipe (a FIFO): no end open, the one capability names the pipe itself. Its
 * holder (the file server) opens ends with fifo_open, one for each open (POSIX: each is
 * an open file description of its own, with its own O_NONBLOCK).
 */
int fifo_create(struct task *payer, struct cap *dst)
{
	int err = 0;
	struct pipe *p = pipe_new(payer, &err);
	if (!p)
		return err;
	p->hdr.refs = 0; /* the capability's, taken by cap_install */
	p->fifo = true;
	cap_install(dst, &p->hdr, CAP_CONTROL, 0, 0);
	return 0;
}

/*
 * A new end of p's side in dst, holding the pipe. If no end was open, what the last ones
 * left in the ring goes (POSIX: a FIFO's data lasts only while it is open).
 */
int fifo_open(struct task *payer, struct pipe *p, enum pipe_side side, struct cap *dst)
{
	struct pipe_end *e = kobj_alloc(end_type(side), sizeof(*e), payer);
	if (!e)
		return E_QUOTA;
	if (!side_open(p, PIPE_READER) && !side_open(p, PIPE_WRITER))
		p->tail = p->head;
	end_init(e, p, side);
	p->ends[side]++;
	kobj_get(&p->hdr); /* the end's hold on the pipe */
	cap_install(dst, &e->hdr, end_rights(side), 0, 0);
	e->hdr.refs--; /* kobj_alloc's: the capability holds it now */
	return 0;
}

long fifo_state(const struct pipe *p)
{
	long s = (long)(p->head - p->tail) << PIPE_STATE_BYTES;
	if (side_open(p, PIPE_READER))
		s |= PIPE_STATE_READERS;
	if (side_open(p, PIPE_WRITER))
		s |= PIPE_STATE_WRITERS;
	return s;
}

long pipe_state(const struct pipe_end *e)
{
	const struct pipe *p = e->pipe;
	uint32_t used = p->head - p->tail;
	bool reader = e->side == PIPE_READER;
	long s = (long)used << PIPE_STATE_BYTES;
	if (e->nonblock)
		s |= PIPE_STATE_NONBLOCK;
	if (!side_open(p, reader ? PIPE_WRITER : PIPE_READER))
		s |= PIPE_STATE_PEER_GONE;
	if (reader ? used > 0 : PIPE_RING - used >= PIPE_ATOMIC)
		s |= PIPE_STATE_READY;
	return s;
}

/* Every waiter runs its call again: the pipe changed under it. */
static void wake_all(struct pipe *p)
{
	struct thread *w;
	while ((w = tq_pop(&p->waitq)) != 0)
		sched_ready(w);
}

/* Sleep on the ecall: the call runs again, with the same registers, when woken. */
static void wait_on(struct thread *t, struct pipe *p)
{
	t->tf.sepc -= 4;
	t->state = TS_BLOCKED_PIPE;
	t->wait_obj = p;
	tq_push(&p->waitq, t);
}

void pipe_unqueue(struct thread *t)
{
	tq_remove(&((struct pipe *)t->wait_obj)->waitq, t);
}

/*
 * len bytes between the ring, from byte pos on, and task's memory at va, a ring page at a
 * time: 0, or the user access's error (what was copied before it does not count).
 */
static int ring_copy(struct pipe *p, uint32_t pos, struct task *task, uint64_t va, uint32_t len,
		     bool to_user)
{
	while (len) {
		uint32_t off = pos % PIPE_RING, in_page = PAGE_SIZE - off % PAGE_SIZE;
		uint32_t n = len < in_page ? len : in_page;
		char *k = p->ring[off / PAGE_SIZE] + off % PAGE_SIZE;
		int err = to_user ? user_copy_out(task, va, k, n) : user_copy_in(task, k, va, n);
		if (err)
			return err;
		pos += n;
		va += n;
		len -= n;
	}
	return 0;
}

long pipe_read(struct thread *t, struct pipe_end *e, uint64_t va, uint64_t n, bool block)
{
	struct pipe *p = e->pipe;
	uint32_t have = p->head - p->tail;
	uint32_t want = n < PIPE_RING ? (uint32_t)n : PIPE_RING;
	if (want == 0)
		return 0;
	if (have == 0) {
		if (!side_open(p, PIPE_WRITER))
			return 0;
		if (!block || e->nonblock)
			return E_AGAIN;
		wait_on(t, p);
		return 0;
	}
	uint32_t len = want < have ? want : have;
	int err = ring_copy(p, p->tail, t->task, va, len, true);
	if (err)
		return err;
	p->tail += len;
	wake_all(p);
	return len;
}

/* Is w, waiting on its ecall, in a pipe_read? */
static bool waits_to_read(const struct thread *w)
{
	return (w->tf.x[REG_A7] & ~(uint64_t)SYS_NONBLOCK) == SYS_pipe_read;
}

/*
 * Do the read reader r waits to run again, as that run would (its a1 = buffer, a2 =
 * count, the ring not empty): its result in a0 and its pc past the ecall. false if the
 * copy failed: then it runs the call again itself and gets the error.
 */
static bool serve_reader(struct pipe *p, struct thread *r)
{
	uint64_t n = r->tf.x[REG_A2];
	uint32_t have = p->head - p->tail, want = n < PIPE_RING ? (uint32_t)n : PIPE_RING;
	uint32_t len = want < have ? want : have;
	if (len == 0 || ring_copy(p, p->tail, r->task, r->tf.x[REG_A1], len, true) != 0)
		return false;
	p->tail += len;
	r->tf.x[REG_A0] = len;
	r->tf.sepc += 4;
	return true;
}

/*
 * The ring is empty and reader r, the oldest waiter, asked for at least len bytes: they
 * go straight from the writer's buffer to r's, and r's read is done as serve_reader does
 * it. false if there is no such reader or the copy failed (then nothing counts as moved:
 * the write takes the ring's way, which gives the writer its own error if any).
 */
static bool give_direct(struct pipe *p, struct thread *t, uint64_t va, uint32_t len)
{
	struct thread *r = p->waitq;
	if (!r || p->head != p->tail || !waits_to_read(r) || r->tf.x[REG_A2] < len)
		return false;
	if (user_copy_between(r->task, r->tf.x[REG_A1], t->task, va, len) != 0)
		return false;
	tq_remove(&p->waitq, r);
	r->tf.x[REG_A0] = len;
	r->tf.sepc += 4;
	sched_ready(r);
	return true;
}

/*
 * Bytes came: the readers waiting are served in turn while bytes are left (each is
 * spared running its call again), the rest run theirs again.
 */
static void wake_readers(struct pipe *p)
{
	struct thread *w;
	while ((w = tq_pop(&p->waitq)) != 0) {
		if (p->head != p->tail && waits_to_read(w))
			serve_reader(p, w);
		sched_ready(w);
	}
}

long pipe_write(struct thread *t, struct pipe_end *e, uint64_t va, uint64_t n, bool block)
{
	struct pipe *p = e->pipe;
	uint32_t room = PIPE_RING - (p->head - p->tail);
	uint32_t want = n < PIPE_RING ? (uint32_t)n : PIPE_RING;
	/* Up to PIPE_ATOMIC bytes go in whole; a longer write may go in part. */
	uint32_t need = n <= PIPE_ATOMIC ? (uint32_t)n : 1;
	if (want == 0)
		return 0;
	if (!side_open(p, PIPE_READER))
		return E_DEAD;
	if (room < need) {
		if (!block || e->nonblock)
			return E_AGAIN;
		int err = user_check(t->task, va, want, 0);
		if (err)
			return err;
		wait_on(t, p);
		return 0;
	}
	uint32_t len = want < room ? want : room;
	if (give_direct(p, t, va, len))
		return len;
	int err = ring_copy(p, p->head, t->task, va, len, false);
	if (err)
		return err;
	p->head += len;
	wake_readers(p);
	return len;
}

bool pipe_end_destroy(struct pipe_end *e)
{
	struct pipe *p = e->pipe;
	bool inside = e == &p->end[e->side];
	p->ends[e->side]--;
	wake_all(p); /* end of file, E_DEAD, or E_BADCAP for one whose slot went */
	kobj_put(&p->hdr);
	return inside;
}

/* A ring is made whole or not at all: its first page says whether it was charged. */
void pipe_destroy(struct pipe *p)
{
	wake_all(p);
	if (p->ring[0])
		quota_give(p->hdr.payer, PIPE_RING);
	free_ring(p);
}
