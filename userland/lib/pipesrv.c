/*
 * The fork server's half of pipes (pipe.h, docs/userland.md). Every pipe is the
 * server's own memory: a page of state (each process's open ends, the totals, the
 * queues of blocked threads) and a 16 KiB ring, mapped at a window place of its own
 * and unmapped at the last close. Clients move bytes through IPC messages, so no client
 * can write anything another client reads, and nothing is left held when a client dies.
 *
 * A reader that finds the pipe empty waits on a saved reply: the next write answers it
 * with the bytes directly. A writer that finds no room waits the same way and is
 * answered with 0 ("send again") when room appears. A process's ends are counted per
 * process (the badge says who asks), copied to a child at fork, kept across exec as
 * the descriptors handed over, and cleared at death, with the same wake-ups as a close.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "pipe.h"
#include "taskspawn.h"
#include "syscall.h"

#define PIPE_VA	      0x3400000000UL /* pipe i at PIPE_VA + i * PIPE_STRIDE */
#define PIPE_STATE    PAGE_BYTES     /* the state page, then the ring */
#define PIPE_PAGES    ((PIPE_STATE + PIPE_RING) / PAGE_BYTES)
#define PIPE_STRIDE   (8 * PAGE_BYTES)		   /* 64 pipes per 2 MiB page table */
#define TABLE_BYTES   (512 * PAGE_BYTES)	   /* what one leaf page table maps */
#define WAITERS	      (PROC_MAX * PIPE_PROC_WAITS) /* blocked threads, system-wide */
#define NONE	      (-1)
#define SPARE_REPLIES 8
#define PLAN_MAX      64	/* exec entries */
#define FD_LIMIT      256	/* descriptors an exec entry may name (8 bits) */
#define BLOCKED	      INT64_MIN /* a request that is answered later */

/* A thread blocked on a pipe: its saved reply, its process, what it can take. */
struct waiter {
	long reply;
	uint16_t idx;
	uint16_t want; /* a reader's buffer size */
	int16_t next;
};

struct queue {
	int16_t head, tail;
};

/* A pipe's state: the first page of its window place. */
struct spipe {
	uint64_t head, tail;	   /* bytes ever written, ever read */
	int32_t total[2];	   /* open read and write ends, all processes */
	int32_t ends[PROC_MAX][2]; /* open ends of each process */
	struct queue readers, writers;
	uint32_t live_at; /* its index in live[] */
};

_Static_assert(sizeof(struct spipe) <= PIPE_STATE, "pipe state outgrew its page");
_Static_assert(IPC_BUF_MAX <= PIPE_RING, "a read must fit the ring");

static struct spipe *pipes[PIPE_SYS_MAX];
static uint16_t live[PIPE_SYS_MAX]; /* ids of the pipes in use, in any order */
static unsigned nlive;		    /* with none, fork and exit pay one compare */
static uint8_t held[PROC_MAX];	    /* pipes each process holds an end of */
static uint8_t waiting[PROC_MAX];   /* threads of each process blocked on a pipe */
static struct waiter waiters[WAITERS];
static int16_t free_waiters = NONE;
static long spare[SPARE_REPLIES]; /* empty slots kept for reply_save */
static unsigned nspare;
static uint8_t bounce[IPC_BUF_MAX]; /* a read that wraps around the ring */

/* The exec being planned: counts of ends per pipe it keeps. */
static unsigned plan_n;
static uint16_t plan_ids[PLAN_MAX];
static int32_t plan_ends[PLAN_MAX][2];

static uint8_t *ring(struct spipe *p)
{
	return (uint8_t *)p + PIPE_STATE;
}

static struct spipe *pipe_at(uint64_t id)
{
	return id < PIPE_SYS_MAX ? pipes[id] : 0;
}

/*
 * memcpy for the ring: eight bytes at a time where both sides allow it (the C library's
 * memcpy moves one byte per step, six instructions a byte).
 */
static void copy(uint8_t *to, const uint8_t *from, size_t n)
{
	if ((((uintptr_t)to ^ (uintptr_t)from) & 7) == 0) {
		for (; n && ((uintptr_t)to & 7); n--)
			*to++ = *from++;
		for (; n >= 8; n -= 8, to += 8, from += 8)
			*(uint64_t *)to = *(const uint64_t *)from;
	}
	while (n--)
		*to++ = *from++;
}

/* --- waiters ------------------------------------------------------------------------ */

static long spare_get(void)
{
	return nspare ? spare[--nspare] : slot_alloc();
}

/* A slot whose reply was spent (a send empties it) is kept for the next reply_save. */
static void spare_put(long slot)
{
	if (nspare < SPARE_REPLIES)
		spare[nspare++] = slot;
	else
		slot_free(slot);
}

/* Save the pending reply of process idx's caller on queue q: BLOCKED, or -errno. */
static int64_t block(struct queue *q, unsigned idx, unsigned want)
{
	int16_t w = free_waiters;
	if (w == NONE || waiting[idx] >= PIPE_PROC_WAITS)
		return -EAGAIN;
	long slot = spare_get();
	if (slot < 0 || SYSCALL(reply_save, slot) != 0) {
		if (slot >= 0)
			spare_put(slot);
		return -ENOMEM;
	}
	free_waiters = waiters[w].next;
	waiters[w] = (struct waiter){
		.reply = slot, .idx = (uint16_t)idx, .want = (uint16_t)want, .next = NONE
	};
	if (q->head == NONE)
		q->head = w;
	else
		waiters[q->tail].next = w;
	q->tail = w;
	waiting[idx]++;
	return BLOCKED;
}

/* The oldest waiter of q, taken off it (NONE if empty); the caller answers or drops it. */
static int16_t unqueue(struct queue *q)
{
	int16_t w = q->head;
	if (w != NONE) {
		q->head = waiters[w].next;
		waiters[w].next = free_waiters;
		free_waiters = w;
		waiting[waiters[w].idx]--;
	}
	return w;
}

/*
 * w0, then n bytes of data in m: in the words after w0 if they fit (PIPE_INLINE_MAX),
 * else in the buffer.
 */
static void fill(struct ipc_msg *m, int64_t w0, const void *data, unsigned n)
{
	m->w[0] = (uint64_t)w0;
	if (n <= PIPE_INLINE_MAX) {
		copy((uint8_t *)&m->w[1], data, n);
		m->tag = ipc_tag(0, 1 + (n + 7) / 8, 0, 0);
	} else {
		m->tag = ipc_tag(0, 1, n, 0);
		m->sbuf = data;
	}
}

/* Answer waiter w (already off its queue): w0, and n bytes from data. 0 if delivered. */
static long answer_waiter(int16_t w, int64_t w0, const void *data, unsigned n)
{
	static struct ipc_msg m; /* static: an initialiser costs a memset */
	fill(&m, w0, data, n);
	long err = ipc_send(waiters[w].reply, &m);
	if (err == 0)
		spare_put(waiters[w].reply);
	else
		slot_free(waiters[w].reply); /* the caller is gone */
	return err;
}

/* Answer every waiter of q with w0. */
static void answer_all(struct queue *q, int64_t w0)
{
	for (int16_t w; (w = unqueue(q)) != NONE;)
		answer_waiter(w, w0, 0, 0);
}

/*
 * Take process idx's waiters off q: dropped if their threads are dead (w0 0), else
 * answered with w0 (-EINTR: a signal came).
 */
static void take_waiters(struct queue *q, unsigned idx, int64_t w0)
{
	struct queue keep = { NONE, NONE };
	for (int16_t w; (w = q->head) != NONE;) {
		if (waiters[w].idx == idx) {
			unqueue(q);
			if (w0)
				answer_waiter(w, w0, 0, 0);
			else
				slot_free(waiters[w].reply);
			continue;
		}
		q->head = waiters[w].next;
		waiters[w].next = NONE;
		if (keep.head == NONE)
			keep.head = w;
		else
			waiters[keep.tail].next = w;
		keep.tail = w;
	}
	*q = keep;
}

/* --- the ring ----------------------------------------------------------------------- */

/* n bytes at the read position, contiguous: in the ring, or copied to bounce. */
static const void *peek(struct spipe *p, unsigned n)
{
	size_t off = p->tail % PIPE_RING, first = PIPE_RING - off;
	if (n <= first)
		return ring(p) + off;
	copy(bounce, ring(p) + off, first);
	copy(bounce + first, ring(p), n - first);
	return bounce;
}

static void put(struct spipe *p, const uint8_t *data, size_t n)
{
	size_t off = p->head % PIPE_RING, first = PIPE_RING - off;
	first = n < first ? n : first;
	copy(ring(p) + off, data, first);
	copy(ring(p), data + first, n - first);
	p->head += n;
}

static unsigned avail(const struct spipe *p, unsigned max)
{
	uint64_t n = p->head - p->tail;
	return n < max ? (unsigned)n : max;
}

/* Hand what the ring holds to blocked readers, oldest first; a gone reader takes none. */
static void feed_readers(struct spipe *p)
{
	unsigned n;
	while (p->readers.head != NONE && (n = avail(p, waiters[p->readers.head].want)) > 0) {
		int16_t w = unqueue(&p->readers);
		if (answer_waiter(w, n, peek(p, n), n) == 0)
			p->tail += n;
	}
}

/* --- life cycle --------------------------------------------------------------------- */

static void pipe_free(uint16_t id)
{
	struct spipe *p = pipes[id];
	live[p->live_at] = live[--nlive];
	pipes[live[p->live_at]]->live_at = p->live_at;
	pipes[id] = 0;
	SYSCALL(unmap, SLOT_SELF, p, PIPE_PAGES);
}

/*
 * Process idx now holds want[] ends of pipe id. Blocked readers see end of file once no
 * writer is left, blocked writers EPIPE once no reader is; the last close frees the pipe.
 */
static void set_ends(uint16_t id, unsigned idx, const int32_t want[2])
{
	struct spipe *p = pipes[id];
	int32_t *have = p->ends[idx];
	held[idx] += (want[0] || want[1]) - (have[0] || have[1]);
	p->total[PIPE_END_READ] += want[0] - have[0];
	p->total[PIPE_END_WRITE] += want[1] - have[1];
	have[0] = want[0];
	have[1] = want[1];
	if (p->total[PIPE_END_WRITE] <= 0)
		answer_all(&p->readers, 0); /* they waited on an empty pipe */
	if (p->total[PIPE_END_READ] <= 0)
		answer_all(&p->writers, -EPIPE);
	if (p->total[PIPE_END_READ] <= 0 && p->total[PIPE_END_WRITE] <= 0)
		pipe_free(id);
}

int64_t pipesrv_create(unsigned idx)
{
	unsigned id = 0;
	if (idx >= PROC_MAX || held[idx] >= PIPE_PROC_MAX)
		return -EMFILE;
	while (id < PIPE_SYS_MAX && pipes[id])
		id++;
	if (id == PIPE_SYS_MAX)
		return -ENFILE;
	uint64_t va = PIPE_VA + (uint64_t)id * PIPE_STRIDE;
	if (SYSCALL(map_anon, SLOT_SELF, va, PIPE_PAGES, MAP_PROT_READ | MAP_PROT_WRITE) != 0)
		return -ENOMEM;
	struct spipe *p = (struct spipe *)va; /* fresh pages: zeroed */
	p->readers = p->writers = (struct queue){ NONE, NONE };
	p->total[0] = p->total[1] = 1;
	p->ends[idx][0] = p->ends[idx][1] = 1;
	p->live_at = nlive;
	live[nlive++] = (uint16_t)id;
	pipes[id] = p;
	held[idx]++;
	return id;
}

void pipesrv_fork(unsigned parent, unsigned child)
{
	for (unsigned i = 0; i < nlive; i++) {
		struct spipe *p = pipes[live[i]];
		for (int e = 0; e < 2; e++) {
			p->ends[child][e] = p->ends[parent][e];
			p->total[e] += p->ends[parent][e];
		}
	}
	held[child] = held[parent];
}

/* Process idx's waiters everywhere are dropped and its ends become the plan's (or none). */
static void reset_process(unsigned idx, int use_plan)
{
	for (unsigned i = nlive; i-- > 0;) { /* set_ends may free live[i]: walk down */
		uint16_t id = live[i];
		int32_t want[2] = { 0, 0 };
		for (unsigned j = 0; use_plan && j < plan_n; j++)
			if (plan_ids[j] == id)
				memcpy(want, plan_ends[j], sizeof(want));
		take_waiters(&pipes[id]->readers, idx, 0);
		take_waiters(&pipes[id]->writers, idx, 0);
		set_ends(id, idx, want);
	}
}

void pipesrv_release(unsigned idx)
{
	if (nlive && idx < PROC_MAX)
		reset_process(idx, 0);
}

void pipesrv_interrupt(unsigned idx)
{
	for (unsigned i = 0; idx < PROC_MAX && waiting[idx] && i < nlive; i++) {
		take_waiters(&pipes[live[i]]->readers, idx, -EINTR);
		take_waiters(&pipes[live[i]]->writers, idx, -EINTR);
	}
}

void pipesrv_exec_commit(unsigned idx)
{
	if (nlive && idx < PROC_MAX)
		reset_process(idx, 1);
	plan_n = 0;
}

/* Where pipe id is in the plan, added if new; -1 if the plan is full. */
static int plan_slot(uint16_t id)
{
	unsigned j = 0;
	while (j < plan_n && plan_ids[j] != id)
		j++;
	if (j == plan_n) {
		if (plan_n == PLAN_MAX)
			return -1;
		plan_ids[plan_n] = id;
		plan_ends[plan_n][0] = plan_ends[plan_n][1] = 0;
		plan_n++;
	}
	return (int)j;
}

int pipesrv_exec_plan(unsigned idx, const uint32_t *list, unsigned n, uint64_t *aux, unsigned max)
{
	uint8_t fd_used[FD_LIMIT / 8] = { 0 };
	plan_n = 0;
	if (idx >= PROC_MAX)
		return -EBADF;
	if (2 * n > max || n > PLAN_MAX)
		return -E2BIG;
	for (unsigned k = 0; k < n; k++) {
		unsigned id = EXEC_FD_ID(list[k]), end = EXEC_FD_END(list[k]);
		unsigned fd = EXEC_FD_FD(list[k]);
		struct spipe *p = pipe_at(id);
		if (!p || end > PIPE_END_WRITE || (fd_used[fd / 8] & (1u << fd % 8)))
			return -EBADF;
		fd_used[fd / 8] |= (uint8_t)(1u << fd % 8);
		int j = plan_slot((uint16_t)id);
		/* Never more ends than the process holds: it cannot claim a pipe it lacks. */
		if (j < 0 || ++plan_ends[j][end] > p->ends[idx][end])
			return -EBADF;
		aux[2 * k] = AUX_FD;
		aux[2 * k + 1] = list[k];
	}
	return (int)(2 * n);
}

/* --- requests ----------------------------------------------------------------------- */

static int64_t do_read(unsigned idx, struct spipe *p, unsigned want, unsigned flags,
		       struct ipc_msg *answer)
{
	if (p->ends[idx][PIPE_END_READ] <= 0)
		return -EBADF;
	unsigned n = avail(p, want);
	if (n > 0 || want == 0) {
		fill(answer, n, peek(p, n), n);
		p->tail += n;
		answer_all(&p->writers, 0); /* room now: they send again */
		return n;
	}
	if (p->total[PIPE_END_WRITE] <= 0)
		return 0; /* end of file */
	if (flags & PIPE_NB)
		return -EAGAIN;
	return block(&p->readers, idx, want);
}

static int64_t do_write(unsigned idx, struct spipe *p, const uint8_t *data, unsigned n,
			unsigned flags)
{
	if (p->ends[idx][PIPE_END_WRITE] <= 0)
		return -EBADF;
	if (p->total[PIPE_END_READ] <= 0)
		return -EPIPE;
	uint64_t room = PIPE_RING - (p->head - p->tail);
	unsigned need = n <= PIPE_ATOMIC ? n : 1; /* small writes go in whole */
	if (room >= need) {
		n = room < n ? (unsigned)room : n;
		put(p, data, n);
		feed_readers(p);
		return n;
	}
	if (flags & PIPE_NB)
		return -EAGAIN;
	return block(&p->writers, idx, 0);
}

static int64_t do_close(unsigned idx, uint64_t id, uint64_t end)
{
	struct spipe *p = pipe_at(id);
	if (!p || end > PIPE_END_WRITE || p->ends[idx][end] <= 0)
		return -EBADF;
	int32_t want[2] = { p->ends[idx][0], p->ends[idx][1] };
	want[end]--;
	set_ends((uint16_t)id, idx, want);
	return 0;
}

/* dup: one more of an end the process holds (bounded: the counts must not overflow). */
static int64_t do_dup(unsigned idx, uint64_t id, uint64_t end)
{
	struct spipe *p = pipe_at(id);
	if (!p || end > PIPE_END_WRITE || p->ends[idx][end] <= 0)
		return -EBADF;
	if (p->ends[idx][end] >= PIPE_ENDS_MAX)
		return -EMFILE;
	int32_t want[2] = { p->ends[idx][0], p->ends[idx][1] };
	want[end]++;
	set_ends((uint16_t)id, idx, want);
	return 0;
}

/* One request; the answer goes in *answer (which may be *req: read req first). */
int pipesrv_request(unsigned idx, const struct ipc_msg *req, const void *data,
		    struct ipc_msg *answer)
{
	uint64_t label = ipc_tag_label(req->tag), w0 = req->w[0], w1 = req->w[1];
	uint64_t w2 = req->w[2];
	unsigned len = ipc_tag_len(req->tag);
	struct spipe *p = idx < PROC_MAX ? pipe_at(w0) : 0;
	int64_t r = -EBADF;
	answer->tag = ipc_tag(0, 1, 0, 0);
	if (p && label == PIPE_CLOSE)
		r = do_close(idx, w0, w1);
	else if (p && label == PIPE_DUP)
		r = do_dup(idx, w0, w1);
	else if (p && label == PIPE_READ)
		r = do_read(idx, p, w1 < IPC_BUF_MAX ? (unsigned)w1 : IPC_BUF_MAX, (unsigned)w2,
			    answer);
	else if (p && label == PIPE_WRITE)
		r = do_write(idx, p, data, len, (unsigned)w1);
	if (r == BLOCKED)
		return 0;
	if (label != PIPE_READ || r <= 0)
		answer->w[0] = (uint64_t)r; /* a read's bytes are in already */
	return 1;
}

void pipesrv_init(void)
{
	for (int w = WAITERS - 1; w >= 0; w--) {
		waiters[w].next = free_waiters;
		free_waiters = (int16_t)w;
	}
	/* The window's page tables now: they stay, so pipes made later leak no frame. */
	for (uint64_t va = PIPE_VA; va < PIPE_VA + PIPE_SYS_MAX * PIPE_STRIDE; va += TABLE_BYTES)
		if (SYSCALL(map_anon, SLOT_SELF, va, 1, MAP_PROT_READ) == 0)
			SYSCALL(unmap, SLOT_SELF, va, 1);
}
