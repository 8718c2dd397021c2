/*
 * The kernel's pipe calls (docs/syscalls.md, pipe_create, pipe_read, pipe_write,
 * task_cap_get) through raw system calls: each error and the state it leaves. Bad slots,
 * the wrong end, missing rights; a bad or half-bad buffer gives E_FAULT and moves
 * nothing; end of file after the data once the write end goes, E_DEAD once the read end
 * goes; non-blocking calls, whole writes of up to PIPE_ATOMIC bytes and partial longer
 * ones; a quota too small; a thread blocked in a read woken by a write and by the last
 * write end's deletion; every frame and kernel object back at the end; and a task that
 * waits on a pipe only it holds, freed once nobody else names it. Named pipes
 * (fifo_create, fifo_open) too.
 */
#include <pthread.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pipe.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "testutil.h"

#define FAR_SLOT     600
#define BAD_BUF	     16		   /* nothing maps it */
#define SMALL_QUOTA  (16 * 1024UL) /* its page table and slots fit; a ring does not */
#define TINY_ROOM    100
#define ONE_MS	     1000000L
#define SETTLE_POLLS 200

static char big[PIPE_RING];
static char got[PIPE_RING];

struct ends {
	long r, w;
};

static struct ends make(void)
{
	struct ends e = { slot_alloc(), slot_alloc() };
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, e.r, e.w), 0);
	return e;
}

static void drop(struct ends e)
{
	slot_free(e.r);
	slot_free(e.w);
}

static long rd(long s, void *buf, uint64_t n)
{
	return SYSCALL_NB(pipe_read, s, (uintptr_t)buf, n);
}

static long wr(long s, const void *buf, uint64_t n)
{
	return SYSCALL_NB(pipe_write, s, (uintptr_t)buf, n);
}

static void create_errors(void)
{
	long a = slot_alloc(), b = slot_alloc(), ep = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0), 0);
	CHECK_EQ(SYSCALL(pipe_create, a, a, b), E_BADCAP);	  /* no task there */
	CHECK_EQ(SYSCALL(pipe_create, ep, a, b), E_TYPE);	  /* not a task */
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, ep, b), E_BUSY); /* full */
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, a, ep), E_BUSY); /* full */
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, a, a), E_BUSY);  /* one slot twice */
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, FAR_SLOT, b), E_BADCAP);
	CHECK_EQ(SYSCALL(cap_info, a), E_BADCAP); /* nothing was made */
	CHECK_EQ(SYSCALL(cap_info, b), E_BADCAP);
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, a, b), 0);
	CHECK_EQ(SYSCALL(cap_info, a), OBJ_PIPE_READ | (CAP_READ | CAP_GRANT) << 8);
	CHECK_EQ(SYSCALL(cap_info, b), OBJ_PIPE_WRITE | (CAP_WRITE | CAP_GRANT) << 8);
	slot_free(a);
	slot_free(b);
	slot_free(ep);
}

static void wrong_end_and_rights(void)
{
	struct ends e = make();
	long weak = slot_alloc(), empty = slot_alloc();
	char c = 'x';
	CHECK_EQ(rd(e.w, &c, 1), E_TYPE);
	CHECK_EQ(wr(e.r, &c, 1), E_TYPE);
	CHECK_EQ(rd(empty, &c, 1), E_BADCAP);
	CHECK_EQ(wr(FAR_SLOT, &c, 1), E_BADCAP);
	CHECK_EQ(rd(SLOT_SELF, &c, 1), E_TYPE);
	CHECK_EQ(SYSCALL(cap_copy, e.w, weak, CAP_GRANT), 0); /* no CAP_WRITE */
	CHECK_EQ(wr(weak, &c, 1), E_RIGHTS);
	slot_free(weak);
	CHECK_EQ(rd(e.r, &c, 1), E_AGAIN); /* nothing was written */
	slot_free(empty);
	drop(e);
}

static void zero_and_nonblocking(void)
{
	struct ends e = make();
	CHECK_EQ(rd(e.r, got, 0), 0);
	CHECK_EQ(wr(e.w, big, 0), 0);
	CHECK_EQ(rd(e.r, got, 1), E_AGAIN);
	CHECK_EQ(wr(e.w, big, PIPE_RING), PIPE_RING); /* exactly full */
	CHECK_EQ(wr(e.w, big, 1), E_AGAIN);
	CHECK_EQ(rd(e.r, got, TINY_ROOM), TINY_ROOM);	    /* room for TINY_ROOM */
	CHECK_EQ(wr(e.w, big, PIPE_ATOMIC), E_AGAIN);	    /* whole or not at all */
	CHECK_EQ(wr(e.w, big, PIPE_ATOMIC + 1), TINY_ROOM); /* longer: what fits */
	CHECK_EQ(rd(e.r, got, ~0UL), PIPE_RING);	    /* a huge count reads what is there */
	drop(e);
}

/* A buffer whose second page is unmapped (main makes it): a copy fails part-way. */
static void bad_buffers(char *two)
{
	struct ends e = make();
	CHECK_EQ(wr(e.w, (void *)BAD_BUF, 8), E_FAULT);
	CHECK_EQ(wr(e.w, two + 4096 - 8, 16), E_FAULT); /* nothing went in */
	CHECK_EQ(rd(e.r, got, 1), E_AGAIN);
	CHECK_EQ(wr(e.w, "abcdefghijklmnop", 16), 16);
	CHECK_EQ(rd(e.r, (void *)BAD_BUF, 16), E_FAULT);
	CHECK_EQ(rd(e.r, two + 4096 - 8, 16), E_FAULT); /* half-written: still nothing taken */
	CHECK_EQ(rd(e.r, (void *)"read-only text", 4), E_FAULT);
	CHECK_EQ(rd(e.r, got, sizeof(got)), 16);
	CHECK(memcmp(got, "abcdefghijklmnop", 16) == 0);
	drop(e);
}

static void eof_and_broken(void)
{
	struct ends e = make();
	char c;
	CHECK_EQ(wr(e.w, "zz", 2), 2);
	slot_free(e.w);
	CHECK_EQ(SYSCALL(pipe_read, e.r, (uintptr_t)got, 1), 1); /* the data first */
	CHECK_EQ(SYSCALL(pipe_read, e.r, (uintptr_t)got, 8), 1);
	CHECK_EQ(SYSCALL(pipe_read, e.r, (uintptr_t)got, 8), 0); /* then end of file */
	CHECK_EQ(rd(e.r, got, 8), 0);
	slot_free(e.r);
	e = make();
	slot_free(e.r);
	CHECK_EQ(SYSCALL(pipe_write, e.w, (uintptr_t) "x", 1), E_DEAD);
	CHECK_EQ(wr(e.w, &c, 0), 0);
	slot_free(e.w);
}

/* A small task pays: the ring does not fit its quota. Another task's slots: task_cap_get. */
static void quota_and_other_tasks(void)
{
	long task = slot_alloc(), a = slot_alloc(), b = slot_alloc(), back = slot_alloc();
	CHECK_EQ(SYSCALL(task_create, SLOT_SELF, task, SMALL_QUOTA, -1), 0);
	CHECK_EQ(SYSCALL(pipe_create, task, a, b), E_QUOTA);
	CHECK_EQ(SYSCALL(cap_info, a), E_BADCAP);
	struct ends e = make();
	CHECK_EQ(SYSCALL(task_cap_put, task, e.w, 20, CAP_ALL), 0);
	CHECK_EQ(SYSCALL(task_cap_get, task, 21, back, CAP_ALL), E_BADCAP); /* empty */
	CHECK_EQ(SYSCALL(task_cap_get, task, 20, e.r, CAP_ALL), E_BUSY);
	CHECK_EQ(SYSCALL(task_cap_get, e.r, 20, back, CAP_ALL), E_TYPE);
	CHECK_EQ(SYSCALL(task_cap_get, task, 20, back, CAP_ALL), 0);
	slot_free(e.w); /* the task's copy and ours in back keep the end */
	CHECK_EQ(wr(back, "k", 1), 1);
	CHECK_EQ(rd(e.r, got, 4), 1);
	slot_free(back);
	CHECK_EQ(rd(e.r, got, 4), E_AGAIN); /* the task still holds a write end */
	CHECK_EQ(SYSCALL(task_kill, task), 0);
	CHECK_EQ(rd(e.r, got, 4), 0); /* its death was the last write end's */
	CHECK_EQ(SYSCALL(task_cap_get, task, 20, back, CAP_ALL), E_BADCAP); /* kill took the slot */
	slot_free(e.r);
	slot_free(a);
	slot_free(b);
	slot_free(task);
}

static long reader_slot;
static volatile long reader_got[2];

static void *reader(void *arg)
{
	char c;
	(void)arg;
	reader_got[0] = SYSCALL(pipe_read, reader_slot, (uintptr_t)&c, 1);
	reader_got[1] = SYSCALL(pipe_read, reader_slot, (uintptr_t)&c, 1);
	return 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * ONE_MS };
	nanosleep(&ts, 0);
}

/* A blocked reader: a write wakes it with the byte, the write end's deletion with EOF. */
static void blocked_reader(void)
{
	struct ends e = make();
	pthread_t th;
	reader_slot = e.r;
	reader_got[0] = reader_got[1] = -100;
	CHECK_EQ(pthread_create(&th, 0, reader, 0), 0);
	pause_ms(20);
	CHECK_EQ(reader_got[0], -100); /* still waiting */
	CHECK_EQ(SYSCALL(pipe_write, e.w, (uintptr_t) "w", 1), 1);
	pause_ms(20);
	CHECK_EQ(reader_got[0], 1);
	slot_free(e.w);
	CHECK_EQ(pthread_join(th, 0), 0);
	CHECK_EQ(reader_got[1], 0);
	slot_free(e.r);
}

/* The helper's role: read its own pipe, whose write end only it holds: for ever. */
static int self_reader(void)
{
	long r = slot_alloc(), w = slot_alloc();
	char c;
	if (SYSCALL(pipe_create, SLOT_SELF, r, w) != 0)
		return 1;
	SYSCALL(pipe_read, r, (uintptr_t)&c, 1);
	return 2;
}

static uint64_t free_frames(void)
{
	struct memstat ms;
	memstat(&ms);
	return ms.free_frames;
}

/*
 * A task nobody else names whose thread waits on a pipe only it holds can never run
 * again: once our last capability to it goes, the kernel frees it (docs/ipc-caps.md),
 * its pipe's ring included.
 */
static void unreachable_reader(const char *self)
{
	struct tu_helper h;
	CHECK_EQ(tu_helper_create(&h, self, "self_reader", 0), 0);
	CHECK(tu_helper_start(&h) > 0);
	pause_ms(50);
	uint64_t held = free_frames();
	CHECK_EQ(SYSCALL(cap_delete, h.s.task), 0);
	slot_free(h.s.task);
	h.s.task = -1;
	for (int i = 0; i < SETTLE_POLLS && free_frames() < held + PIPE_RING / 4096; i++)
		pause_ms(10);
	CHECK(free_frames() >= held + PIPE_RING / 4096);
	tu_helper_kill(&h);
}

/*
 * Named pipes (fifo_create, fifo_open): no end open at first; ends opened, closed and
 * opened again; end of file and E_DEAD as for any pipe; the bytes dropped once both
 * ends were closed, kept while one stays open; the errors.
 */
static void named_pipes(void)
{
	long f = slot_alloc(), r = slot_alloc(), w = slot_alloc(), e = slot_alloc();
	char c = 0;
	CHECK_EQ(SYSCALL(fifo_create, SLOT_SELF, FAR_SLOT), E_BADCAP);
	CHECK_EQ(SYSCALL(fifo_create, SLOT_CONSOLE, f), E_TYPE);
	CHECK_EQ(SYSCALL(fifo_create, SLOT_SELF, f), 0);
	CHECK_EQ(SYSCALL(fifo_create, SLOT_SELF, f), E_BUSY);
	CHECK_EQ(SYSCALL(pipe_state, f), 0); /* nothing open, nothing held */
	CHECK_EQ(SYSCALL(fifo_open, f, 2, r), E_INVAL);
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_READ, f), E_BUSY);
	CHECK_EQ(SYSCALL(fifo_open, SLOT_CONSOLE, FIFO_READ, r), E_TYPE);
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_READ, r), 0);
	CHECK_EQ(SYSCALL(fifo_open, r, FIFO_READ, e), E_TYPE); /* an end is not the pipe */
	CHECK_EQ(SYSCALL(cap_copy, f, e, 0), 0);
	CHECK_EQ(SYSCALL(fifo_open, e, FIFO_READ, w), E_RIGHTS);
	CHECK_EQ(SYSCALL(pipe_state, e), E_RIGHTS);
	slot_free(e);
	CHECK_EQ(SYSCALL(pipe_state, f), PIPE_STATE_READERS);
	CHECK_EQ(rd(r, &c, 1), 0); /* no writer: end of file */
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_WRITE, w), 0);
	CHECK_EQ(SYSCALL(pipe_state, f), PIPE_STATE_READERS | PIPE_STATE_WRITERS);
	CHECK_EQ(wr(w, "xy", 2), 2);
	CHECK_EQ(SYSCALL(pipe_state, f) >> PIPE_STATE_BYTES, 2);
	slot_free(w); /* the writer goes: the bytes stay for the reader, then end of file */
	CHECK_EQ(SYSCALL(pipe_state, f), PIPE_STATE_READERS | 2L << PIPE_STATE_BYTES);
	w = slot_alloc();
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_WRITE, w), 0); /* a reader stays: nothing dropped */
	CHECK_EQ(rd(r, &c, 1), 1);
	CHECK_EQ(c, 'x');
	slot_free(r); /* no reader: a write is E_DEAD, and the 'y' stays while w is open */
	CHECK_EQ(wr(w, "z", 1), E_DEAD);
	CHECK_EQ(SYSCALL(pipe_state, f), PIPE_STATE_WRITERS | 1L << PIPE_STATE_BYTES);
	r = slot_alloc();
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_READ, r), 0);
	CHECK_EQ(rd(r, &c, 1), 1);
	CHECK_EQ(c, 'y');
	CHECK_EQ(wr(w, "q", 1), 1);
	slot_free(w);
	slot_free(r); /* both closed: the 'q' goes at the next open */
	r = slot_alloc();
	CHECK_EQ(SYSCALL(fifo_open, f, FIFO_READ, r), 0);
	CHECK_EQ(SYSCALL(pipe_state, f), PIPE_STATE_READERS);
	CHECK_EQ(rd(r, &c, 1), 0);
	slot_free(f); /* the pipe lives on while an end is open */
	CHECK_EQ(SYSCALL(pipe_state, r), PIPE_STATE_PEER_GONE);
	slot_free(r);
}

int main(int argc, char **argv)
{
	struct memstat before, after;
	if (argc > 1)
		return self_reader();
	memset(big, 'b', sizeof(big));
	drop(make()); /* warm up: whatever the first pipe grows stays */
	char *two = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	CHECK_EQ(munmap(two + 4096, 4096), 0);
	memset(two, 'q', 4096);
	memstat(&before);
	create_errors();
	wrong_end_and_rights();
	zero_and_nonblocking();
	bad_buffers(two);
	eof_and_broken();
	quota_and_other_tasks();
	named_pipes();
	memstat(&after);
	CHECK_EQ(after.free_frames, before.free_frames);
	CHECK_EQ(after.kernel_objects, before.kernel_objects);
	blocked_reader(); /* a thread's stack stays with the library */
	unreachable_reader(argv[0]);
	return test_status();
}
