/*
 * Pipes in the C library, without kernel help. A pipe is a shared memory object (a
 * header page, then a 16 KiB ring) and two notification objects: "data" (readers wait
 * on it) and "space" (writers wait on it). The fork server makes them (PROC_PIPE) and
 * keeps the end counts true across fork, exec and death (pipe.h, pipesrv.c). fork keeps
 * the object shared and copies the notification capabilities into the same slots, so
 * parent and child use one pipe; exec hands them to the new image (fd.c).
 *
 * The header counts each process's open ends; the readers or writers are the sum, so
 * EOF comes after the last writer's close or death, EPIPE after the last reader's.
 *
 * Waking without losing a wakeup: a waiter adds itself to the side's waiter count, then
 * checks its condition, then blocks in notify_wait. Whoever changes the state (moves
 * data, closes an end) does so first and then signals once per counted waiter. All of it
 * is sequentially consistent, so either the waiter sees the new state or the changer sees
 * the waiter; a signal sent before the wait leaves a pending bit that ends the wait at
 * once. Extra signals only make a later wait return early, and every caller re-checks.
 * A wait ends only by a change of state.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fd.h"
#include "pipe.h"
#include "proc.h"
#include "spawn.h"
#include "syscall.h"

#define PIPE_RING     ((PIPE_PAGES - 1) * PAGE_BYTES) /* bytes in flight */
#define PIPE_ATOMIC   512			      /* writes up to this size go in whole */
#define PIPE_MAP_SIZE (PIPE_PAGES * PAGE_BYTES)
#define PIPE_VA	      0x3500000000UL		   /* pipe i mapped at PIPE_VA + i * PIPE_STRIDE */
#define PIPE_STRIDE   (PIPE_MAP_SIZE + PAGE_BYTES) /* and a gap, so overruns fault */
#define SC	      __ATOMIC_SEQ_CST

/* This process's view of a pipe. */
struct pipe {
	struct pipe_shared *sh; /* 0: this entry is free */
	uint8_t *ring;
	long data_slot, space_slot; /* notifications */
	int ends;		    /* our descriptors naming it */
	unsigned id;		    /* the fork server's name for it */
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

/* Open ends of one kind, in every process: the sum of each process's own count. */
static int64_t open_ends(struct pipe *p, int end)
{
	int64_t n = 0;
	for (int i = 0; i < PROC_MAX; i++)
		n += __atomic_load_n(&p->sh->ends[i][end], SC);
	return n;
}

static int no_writers(struct pipe *p)
{
	return open_ends(p, PIPE_END_WRITE) <= 0;
}

static int no_readers(struct pipe *p)
{
	return open_ends(p, PIPE_END_READ) <= 0;
}

static int readable(struct pipe *p, size_t need)
{
	(void)need;
	return load(&p->sh->head) != load(&p->sh->tail) || no_writers(p);
}

static int writable(struct pipe *p, size_t need)
{
	uint64_t used = load(&p->sh->head) - load(&p->sh->tail);
	return PIPE_RING - used >= need || no_readers(p);
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
		if (no_writers(p) && load(&p->sh->head) == load(&p->sh->tail))
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
		if (no_readers(p)) {
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

/* Our table index at the fork server: the badge of our SLOT_PROC capability, less one. */
static int self_index(void)
{
	long badge = 0;
	long info = syscall6_a1(SYS_cap_info, SLOT_PROC, 0, 0, 0, &badge);
	return info < 0 || badge < 1 || badge > PROC_MAX ? -1 : (int)badge - 1;
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
	int me = self_index();
	if (me >= 0)
		__atomic_sub_fetch(&p->sh->ends[me][writer ? PIPE_END_WRITE : PIPE_END_READ], 1,
				   SC);
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

static struct pipe *free_entry(void)
{
	for (int i = 0; i < PIPE_MAX; i++)
		if (!pipes[i].sh)
			return &pipes[i];
	return 0;
}

/* Map the pipe's object (in slot obj) at entry p's place; our capability goes. */
static int pipe_map(struct pipe *p, long obj)
{
	uint64_t va = PIPE_VA + (uint64_t)(p - pipes) * PIPE_STRIDE;
	long err = SYSCALL(map, SLOT_SELF, obj, va, 0, PIPE_PAGES,
			   MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	slot_free(obj);
	if (err)
		return -1;
	p->sh = (struct pipe_shared *)va;
	p->ring = (uint8_t *)va + PAGE_BYTES;
	return 0;
}

/* A new pipe from the fork server, with one read and one write end counted as ours. */
static struct pipe *pipe_new(void)
{
	struct pipe *p = free_entry();
	if (!p) {
		errno = ENFILE;
		return 0;
	}
	long obj = slot_alloc(), data = slot_alloc(), space = slot_alloc();
	struct ipc_msg m = { .tag = ipc_tag(PROC_PIPE, 3, 0, 0) };
	m.w[0] = (uint64_t)obj;
	m.w[1] = (uint64_t)data;
	m.w[2] = (uint64_t)space;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = obj < 0 || data < 0 || space < 0 ? -ENFILE : ipc_call(SLOT_PROC, &m);
	if (!err)
		err = (long)m.w[0] < 0 ? (long)m.w[0] : 0;
	else if (err != -ENFILE)
		err = -ENOSYS;
	if (!err) {
		p->id = (unsigned)m.w[0];
		p->data_slot = data;
		p->space_slot = space;
		if (pipe_map(p, obj) == 0)
			return p;
		/* Out of memory for the mapping: our counts go when we die. */
		obj = -1;
		err = -ENOMEM;
	}
	slot_free(obj);
	slot_free(data);
	slot_free(space);
	*p = (struct pipe){ 0 };
	errno = (int)-err;
	return 0;
}

struct pipe *pipe_adopt(unsigned id, long first_slot)
{
	struct pipe *p = free_entry();
	if (!p)
		return 0;
	p->id = id;
	p->data_slot = first_slot + 1;
	p->space_slot = first_slot + 2;
	return pipe_map(p, first_slot) == 0 ? p : 0;
}

unsigned pipe_id(const struct pipe *p)
{
	return p->id;
}

void pipe_add_ref(struct pipe *p)
{
	p->ends++;
}

void pipe_count_end(struct pipe *p, int writer)
{
	int me = self_index();
	if (me >= 0)
		__atomic_add_fetch(&p->sh->ends[me][writer ? PIPE_END_WRITE : PIPE_END_READ], 1,
				   __ATOMIC_SEQ_CST);
}

int pipe(int fds[2])
{
	struct pipe *p = pipe_new();
	if (!p)
		return -1;
	int r = fd_alloc(FD_PIPE_READ, p);
	int w = r < 0 ? -1 : fd_alloc(FD_PIPE_WRITE, p);
	p->ends = 2;
	if (w < 0) {
		if (r >= 0)
			fd_get(r)->kind = FD_FREE;
		pipe_close(p, 0);
		pipe_close(p, 1);
		return -1;
	}
	fds[0] = r;
	fds[1] = w;
	return 0;
}
