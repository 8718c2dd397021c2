/*
 * The fork server's half of pipes (pipe.h): it makes each pipe's objects, keeps a
 * capability to each and the header mapped, and keeps the per-process end counts true
 * across fork, exec and death. A dead process's ends are closed here, with the same
 * wake-up rule as a close in pipe.c (change the counts first, then signal once per
 * counted waiter), so a reader sees EOF and a writer EPIPE however the peer died.
 */
#include <errno.h>
#include <string.h>

#include "pipe.h"
#include "spawn.h"
#include "syscall.h"

#define PAGE	    4096UL
#define PIPE_HDR_VA 0x3400000000UL /* header i at PIPE_HDR_VA + i pages */
#define SC	    __ATOMIC_SEQ_CST
#define SLOTS_EACH  3 /* memory, data, space */
/* At most this many signals per wake: the header is writable by every holder, and a
 * forged waiter count must not keep us busy (a waiter missed re-checks on its next wake). */
#define WAKE_MAX    (PROC_MAX * 8)

struct spipe {
	struct pipe_shared *sh; /* 0: free */
	long obj, data, space;
};

static struct spipe pipes[PIPE_SERVER_MAX];
static unsigned live; /* pipes in use: with none, fork and exit pay one compare */

/* The exec being planned: which pipes, in order, and how many ends of each it keeps. */
static unsigned plan_n, plan_ids[PIPE_SERVER_MAX];
static int32_t plan_ends[PIPE_SERVER_MAX][2];

static void drop(struct spipe *p)
{
	if (p->sh)
		SYSCALL(unmap, SLOT_SELF, p->sh, 1);
	slot_free(p->obj);
	slot_free(p->data);
	slot_free(p->space);
	live -= p->sh != 0;
	*p = (struct spipe){ 0 };
}

static long obj(uint32_t type, uint64_t pages)
{
	long s = slot_alloc();
	if (s >= 0 && SYSCALL(obj_create, SLOT_SELF, type, s, pages) != 0) {
		slot_free(s);
		s = -1;
	}
	return s;
}

static int bad_slot(uint64_t s)
{
	return s < SLOT_FIRST_FREE || s >= CSPACE_SLOTS;
}

int64_t pipesrv_create(long task, unsigned idx, const uint64_t slots[3])
{
	struct spipe *p = 0;
	for (unsigned i = 0; i < PIPE_SERVER_MAX && !p; i++)
		if (!pipes[i].sh)
			p = &pipes[i];
	if (task < 0 || idx >= PROC_MAX || bad_slot(slots[0]) || bad_slot(slots[1]) ||
	    bad_slot(slots[2]))
		return task < 0 ? -EPERM : -EINVAL;
	if (!p)
		return -ENFILE;
	uint64_t va = PIPE_HDR_VA + (uint64_t)(p - pipes) * PAGE;
	p->obj = obj(OBJ_MEMORY, PIPE_PAGES);
	p->data = obj(OBJ_NOTIFY, 0);
	p->space = obj(OBJ_NOTIFY, 0);
	long err = p->obj < 0 || p->data < 0 || p->space < 0 ? E_NOMEM : 0;
	if (!err)
		err = SYSCALL(map, SLOT_SELF, p->obj, va, 0, 1,
			      MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (!err) {
		p->sh = (struct pipe_shared *)va;
		live++;
	}
	if (!err)
		err = SYSCALL(task_cap_put, task, p->obj, slots[0], CAP_READ | CAP_WRITE);
	if (!err)
		err = SYSCALL(task_cap_put, task, p->data, slots[1], CAP_SEND | CAP_RECV);
	if (!err)
		err = SYSCALL(task_cap_put, task, p->space, slots[2], CAP_SEND | CAP_RECV);
	if (err) {
		drop(p); /* what we put in the task stays there, but names nothing we track */
		return err == E_BUSY ? -EBUSY : -ENOMEM;
	}
	p->sh->ends[idx][PIPE_END_READ] = p->sh->ends[idx][PIPE_END_WRITE] = 1;
	return p - pipes;
}

void pipesrv_fork(unsigned parent, unsigned child)
{
	for (unsigned i = 0; live && i < PIPE_SERVER_MAX; i++) {
		if (!pipes[i].sh)
			continue;
		for (int e = 0; e < 2; e++) {
			int32_t n = __atomic_load_n(&pipes[i].sh->ends[parent][e], SC);
			__atomic_add_fetch(&pipes[i].sh->ends[child][e], n, SC);
		}
	}
}

static int64_t total(const struct pipe_shared *sh, int end)
{
	int64_t n = 0;
	for (unsigned i = 0; i < PROC_MAX; i++)
		n += __atomic_load_n(&sh->ends[i][end], SC);
	return n;
}

static void wake(uint32_t *waiting, long slot)
{
	uint32_t n = __atomic_load_n(waiting, SC);
	for (n = n < WAKE_MAX ? n : WAKE_MAX; n > 0; n--)
		SYSCALL(notify_signal, slot, 1);
}

/* Set idx's counts of pipe p to want; wake whoever may now see EOF or EPIPE. */
static void set_ends(struct spipe *p, unsigned idx, const int32_t want[2])
{
	int32_t r = __atomic_exchange_n(&p->sh->ends[idx][PIPE_END_READ], want[0], SC);
	int32_t w = __atomic_exchange_n(&p->sh->ends[idx][PIPE_END_WRITE], want[1], SC);
	if (w != want[1])
		wake(&p->sh->rwait, p->data);
	if (r != want[0])
		wake(&p->sh->wwait, p->space);
}

/* Pipes no process holds an end of any more are dropped. */
static void collect(void)
{
	for (unsigned i = 0; i < PIPE_SERVER_MAX; i++)
		if (pipes[i].sh && total(pipes[i].sh, PIPE_END_READ) <= 0 &&
		    total(pipes[i].sh, PIPE_END_WRITE) <= 0)
			drop(&pipes[i]);
}

void pipesrv_release(unsigned idx)
{
	static const int32_t none[2] = { 0, 0 };
	if (!live)
		return;
	for (unsigned i = 0; i < PIPE_SERVER_MAX && idx < PROC_MAX; i++)
		if (pipes[i].sh)
			set_ends(&pipes[i], idx, none);
	collect();
}

int pipesrv_exec_plan(unsigned idx, const uint32_t *list, unsigned n, uint64_t *aux, unsigned max)
{
	unsigned words = 0;
	plan_n = 0;
	memset(plan_ends, 0, sizeof(plan_ends));
	for (unsigned k = 0; k < n; k++) {
		unsigned id = EXEC_FD_ID(list[k]), end = EXEC_FD_END(list[k]), j = 0;
		if (id >= PIPE_SERVER_MAX || !pipes[id].sh || end > PIPE_END_WRITE ||
		    idx >= PROC_MAX)
			return -EBADF;
		while (j < plan_n && plan_ids[j] != id)
			j++;
		if (j == plan_n) {
			if (words + 2 > max)
				return -E2BIG;
			plan_ids[plan_n++] = id;
			aux[words++] = AUX_PIPE;
			aux[words++] = id | (uint64_t)(SLOT_FIRST_FREE + SLOTS_EACH * j) << 16;
		}
		/* Never more ends than the process holds: it cannot claim a pipe it lacks. */
		if (++plan_ends[j][end] > __atomic_load_n(&pipes[id].sh->ends[idx][end], SC))
			return -EBADF;
		if (words + 2 > max)
			return -E2BIG;
		aux[words++] = AUX_FD;
		aux[words++] = EXEC_FD_FD(list[k]) | (uint64_t)end << 8 | (uint64_t)j << 16;
	}
	return (int)words;
}

int pipesrv_exec_install(long task)
{
	int err = 0;
	for (unsigned j = 0; j < plan_n && !err; j++) {
		struct spipe *p = &pipes[plan_ids[j]];
		long s = SLOT_FIRST_FREE + SLOTS_EACH * j;
		err = (int)SYSCALL(task_cap_put, task, p->obj, s, CAP_READ | CAP_WRITE);
		if (!err)
			err = (int)SYSCALL(task_cap_put, task, p->data, s + 1, CAP_SEND | CAP_RECV);
		if (!err)
			err = (int)SYSCALL(task_cap_put, task, p->space, s + 2,
					   CAP_SEND | CAP_RECV);
	}
	return err;
}

void pipesrv_exec_commit(unsigned idx)
{
	for (unsigned i = 0; live && i < PIPE_SERVER_MAX && idx < PROC_MAX; i++) {
		int32_t want[2] = { 0, 0 };
		for (unsigned j = 0; j < plan_n; j++)
			if (plan_ids[j] == i)
				memcpy(want, plan_ends[j], sizeof(want));
		if (pipes[i].sh)
			set_ends(&pipes[i], idx, want);
	}
	plan_n = 0;
	if (live)
		collect();
}

void pipesrv_init(void)
{
	/* The window's page tables now: they stay, so pipes made later leak no frame. */
	if (SYSCALL(map_anon, SLOT_SELF, PIPE_HDR_VA, 1, MAP_PROT_READ) == 0)
		SYSCALL(unmap, SLOT_SELF, PIPE_HDR_VA, 1);
}
