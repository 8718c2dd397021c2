/*
 * Pipes in the C library, without kernel help. A pipe is a shared anonymous memory object
 * (a header page, then a 16 KiB ring) and two notification objects: "data" (readers
 * wait on it) and "space" (writers wait on it). fork keeps the object shared and copies
 * the notification capabilities into the same slots, so parent and child use one pipe.
 *
 * The header counts the pipe's open ends in every process; fork counts the child's ends
 * before the child exists (fd_fork_prepare), so EOF comes after the last writer's close
 * and EPIPE after the last reader's.
 *
 * Waking without losing a wakeup: a waiter adds itself to the side's waiter count, then
 * checks its condition, then blocks in notify_wait. Whoever changes the state (moves
 * data, closes an end) does so first and then signals once per counted waiter. All of it
 * is sequentially consistent, so either the waiter sees the new state or the changer sees
 * the waiter; a signal sent before the wait leaves a pending bit that ends the wait at
 * once. Extra signals only make a later wait return early, and every caller re-checks.
 * A wait ends only by a change of state; a peer killed without closing (by a signal)
 * leaves its end counted, which docs/userland.md lists as a limit.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fd.h"
#include "spawn.h"
#include "syscall.h"

#define PIPE_MAX      16	       /* pipes one process may hold */
#define PIPE_RING     (4 * PAGE_BYTES) /* bytes in flight */
#define PIPE_ATOMIC   512	       /* writes up to this size are never interleaved */
#define PIPE_MAP_SIZE (PAGE_BYTES + PIPE_RING)
#define SC	      __ATOMIC_SEQ_CST

/* The shared header, at the start of the object. */
struct pipe_shared {
	uint64_t head;		   /* bytes ever written */
	uint64_t tail;		   /* bytes ever read */
	uint32_t readers, writers; /* open ends, in all processes */
	uint32_t rwait, wwait;	   /* threads waiting for data, for space */
	uint32_t rlock, wlock;	   /* one reader, one writer moves bytes at a time */
};

/* This process's view of a pipe. */
struct pipe {
	struct pipe_shared *sh; /* 0: this entry is free */
	uint8_t *ring;
	long data_slot, space_slot; /* notifications */
	int ends;		    /* our descriptors naming it */
};

static struct pipe pipes[PIPE_MAX];

static uint64_t load(uint64_t *v)
{
	return __atomic_load_n(v, SC);
}

static uint32_t load32(uint32_t *v)
{
	return __atomic_load_n(v, SC);
}

static void lock(uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		SYSCALL(yield); /* held only while bytes are copied, never while waiting */
}

static void unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static void wake(uint32_t *waiting, long slot)
{
	for (uint32_t n = load32(waiting); n > 0; n--)
		SYSCALL(notify_signal, slot, 1);
}

static int readable(struct pipe *p, size_t need)
{
	(void)need;
	return load(&p->sh->head) != load(&p->sh->tail) || load32(&p->sh->writers) == 0;
}

static int writable(struct pipe *p, size_t need)
{
	uint64_t used = load(&p->sh->head) - load(&p->sh->tail);
	return PIPE_RING - used >= need || load32(&p->sh->readers) == 0;
}

/* Block until ready(p, need) may have become true (callers re-check). */
static void wait_for(struct pipe *p, int (*ready)(struct pipe *, size_t), size_t need,
		     uint32_t *waiting, long slot)
{
	__atomic_add_fetch(waiting, 1, SC);
	if (!ready(p, need))
		SYSCALL(notify_wait, slot);
	__atomic_sub_fetch(waiting, 1, SC);
}

/* Copy n bytes between the ring at position pos and buf, in at most two pieces. */
static void ring_copy(struct pipe *p, uint64_t pos, void *buf, size_t n, int to_ring)
{
	size_t off = pos % PIPE_RING, first = n < PIPE_RING - off ? n : PIPE_RING - off;
	uint8_t *b = buf;
	if (to_ring) {
		memcpy(p->ring + off, b, first);
		memcpy(p->ring, b + first, n - first);
	} else {
		memcpy(b, p->ring + off, first);
		memcpy(b + first, p->ring, n - first);
	}
}

/* Take up to n bytes: how many were taken. */
static size_t take(struct pipe *p, void *buf, size_t n)
{
	lock(&p->sh->rlock);
	uint64_t tail = load(&p->sh->tail), avail = load(&p->sh->head) - tail;
	size_t k = avail < n ? (size_t)avail : n;
	ring_copy(p, tail, buf, k, 0);
	__atomic_store_n(&p->sh->tail, tail + k, SC);
	unlock(&p->sh->rlock);
	return k;
}

/* Put up to n bytes if at least need fit: how many were put. */
static size_t give(struct pipe *p, const void *buf, size_t n, size_t need)
{
	lock(&p->sh->wlock);
	uint64_t head = load(&p->sh->head), space = PIPE_RING - (head - load(&p->sh->tail));
	size_t k = space < need ? 0 : space < n ? (size_t)space : n;
	ring_copy(p, head, (void *)buf, k, 1);
	__atomic_store_n(&p->sh->head, head + k, SC);
	unlock(&p->sh->wlock);
	return k;
}

ssize_t pipe_read(struct pipe *p, void *buf, size_t n)
{
	if (n == 0)
		return 0;
	for (;;) {
		size_t got = take(p, buf, n);
		if (got) {
			wake(&p->sh->wwait, p->space_slot);
			return (ssize_t)got;
		}
		if (load32(&p->sh->writers) == 0 && load(&p->sh->head) == load(&p->sh->tail))
			return 0; /* end of file */
		wait_for(p, readable, 1, &p->sh->rwait, p->data_slot);
	}
}

ssize_t pipe_write(struct pipe *p, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;
	while (done < n) {
		size_t need = n <= PIPE_ATOMIC ? n : 1; /* small writes go in whole */
		if (load32(&p->sh->readers) == 0) {
			errno = EPIPE;
			return done ? (ssize_t)done : -1;
		}
		size_t put = give(p, b + done, n - done, need);
		done += put;
		if (put)
			wake(&p->sh->rwait, p->data_slot);
		else
			wait_for(p, writable, need, &p->sh->wwait, p->space_slot);
	}
	return (ssize_t)n;
}

void pipe_add_end(struct pipe *p, int writer, int delta)
{
	uint32_t *count = writer ? &p->sh->writers : &p->sh->readers;
	__atomic_add_fetch(count, (uint32_t)delta, SC);
}

static void pipe_release(struct pipe *p)
{
	munmap(p->sh, PIPE_MAP_SIZE);
	slot_free(p->data_slot);
	slot_free(p->space_slot);
	*p = (struct pipe){ 0 };
}

void pipe_drop_end(struct pipe *p, int writer)
{
	pipe_add_end(p, writer, -1);
	if (writer)
		wake(&p->sh->rwait, p->data_slot); /* maybe end of file */
	else
		wake(&p->sh->wwait, p->space_slot); /* maybe EPIPE */
}

void pipe_close(struct pipe *p, int writer)
{
	pipe_drop_end(p, writer);
	if (--p->ends == 0)
		pipe_release(p);
}

static long new_notify(void)
{
	long slot = slot_alloc();
	if (slot >= 0 && SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, slot, 0) != 0) {
		slot_free(slot);
		slot = -1;
	}
	return slot;
}

/* A free entry with its object and notifications made, or 0 (errno set). */
static struct pipe *pipe_new(void)
{
	struct pipe *p = 0;
	for (int i = 0; i < PIPE_MAX && !p; i++)
		if (!pipes[i].sh)
			p = &pipes[i];
	if (!p) {
		errno = ENFILE;
		return 0;
	}
	void *m = mmap(0, PIPE_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	*p = (struct pipe){ .sh = m, .ring = (uint8_t *)m + PAGE_BYTES };
	p->data_slot = new_notify();
	p->space_slot = new_notify();
	if (p->data_slot < 0 || p->space_slot < 0) {
		pipe_release(p);
		errno = ENOMEM;
		return 0;
	}
	p->sh->readers = p->sh->writers = 1;
	return p;
}

int pipe(int fds[2])
{
	struct pipe *p = pipe_new();
	if (!p)
		return -1;
	int r = fd_alloc(FD_PIPE_READ, p);
	int w = r < 0 ? -1 : fd_alloc(FD_PIPE_WRITE, p);
	if (w < 0) {
		if (r >= 0)
			fd_get(r)->kind = FD_FREE;
		pipe_release(p);
		return -1;
	}
	p->ends = 2;
	fds[0] = r;
	fds[1] = w;
	return 0;
}
