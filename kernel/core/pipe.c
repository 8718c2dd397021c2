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
 *      may not block; else check the buffer (E_FAULT now rather than after the wait) and
 *      sleep on the ecall in the wait queue.
 *   3. Copy what is there, up to n bytes, then move tail and wake the waiting writers.
 */
#include "kernel/core/pipe.h"

#include "kernel/abi/error.h"
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

static void end_init(struct pipe *p, enum pipe_side side, uint32_t type)
{
	p->end[side].hdr.type = type;
	p->end[side].hdr.refs = 1; /* until the capability is installed */
	p->end[side].pipe = p;
}

int pipe_create(struct task *payer, struct cap *rd, struct cap *wr)
{
	struct pipe *p = kobj_alloc(OBJ_PIPE, sizeof(*p), payer);
	if (!p)
		return E_QUOTA;
	int err = make_ring(p);
	if (err) {
		kobj_put(&p->hdr);
		return err;
	}
	p->hdr.refs = 2; /* one for each end */
	end_init(p, PIPE_READER, OBJ_PIPE_READ);
	end_init(p, PIPE_WRITER, OBJ_PIPE_WRITE);
	cap_install(rd, &p->end[PIPE_READER].hdr, CAP_READ | CAP_GRANT, 0, 0);
	cap_install(wr, &p->end[PIPE_WRITER].hdr, CAP_WRITE | CAP_GRANT, 0, 0);
	p->end[PIPE_READER].hdr.refs--;
	p->end[PIPE_WRITER].hdr.refs--;
	return 0;
}

static bool side_open(const struct pipe *p, enum pipe_side side)
{
	return p->end[side].hdr.refs > 0;
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
		if (!block)
			return E_AGAIN;
		int err = user_check(t->task, va, want, 1);
		if (err)
			return err;
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
		if (!block)
			return E_AGAIN;
		int err = user_check(t->task, va, want, 0);
		if (err)
			return err;
		wait_on(t, p);
		return 0;
	}
	uint32_t len = want < room ? want : room;
	int err = ring_copy(p, p->head, t->task, va, len, false);
	if (err)
		return err;
	p->head += len;
	wake_all(p);
	return len;
}

void pipe_end_destroy(struct pipe_end *e)
{
	struct pipe *p = e->pipe;
	wake_all(p); /* end of file, E_DEAD, or E_BADCAP for one whose slot went */
	kobj_put(&p->hdr);
}

/* A ring is made whole or not at all: its first page says whether it was charged. */
void pipe_destroy(struct pipe *p)
{
	wake_all(p);
	if (p->ring[0])
		quota_give(p->hdr.payer, PIPE_RING);
	free_ring(p);
}
