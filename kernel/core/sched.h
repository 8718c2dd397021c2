/*
 * The scheduler: round-robin within 8 priority levels, preemptive on the timer tick.
 * The kernel runs with interrupts off, on one stack per hart, and never blocks inside a
 * call: a thread that must wait records why (its state) and the scheduler runs another.
 * Kernel state is only touched with interrupts off; with several harts one lock around
 * kernel entry serialises it (docs/architecture.md).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>

#include "kernel/core/object.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "vm/as.h"

/* Make t runnable (from any state but running). */
void sched_ready(struct thread *t);
/* Take t off the run queue, if it is on it. */
void sched_remove(struct thread *t);
/* Pin t to hart (an index), or unpin it with -1; a queued t moves to that hart's queue. */
void sched_set_affinity(struct thread *t, int hart);
/* The thread running on this hart (NULL when idle). */
struct thread *sched_current(void);
/* The timer tick: wake sleepers, and let the current thread be preempted. */
void sched_tick(void);
void sched_yield(void);
/* Put the current thread to sleep until the timebase reaches when. */
void sched_sleep_until(struct thread *t, uint64_t when);
/* Pick the next thread, idling until there is one, switch to its address space, and
 * return its register frame for trap return. */
struct trapframe *sched_next(void);
/* Remove t from the sleeper list if it is on it. */
void sched_unsleep(struct thread *t);
/* The sleeper list (circular, oldest first; futex waiters sleep on it too), or NULL. */
struct thread *sched_sleepers(void);
/* Print the run queue and the sleepers (the SMP watchdog's report, read without the lock). */
void sched_report(void);

/*
 * Run next on this hart from now on, in its address space. With several harts the caller
 * has already moved the running reference to it.
 */
static inline void sched_enter(struct hart *h, struct thread *next)
{
	struct as *as = &next->task->as;
	next->state = TS_RUNNING;
	h->current = next;
	if (h->as_active == as)
		return;
	/* One hart and an ASID of its own: as_activate's work is a satp write. */
	if (as->satp && !smp_on()) {
		csr_write(satp, as->satp);
		h->as_active = as;
	} else {
		as_activate(as);
	}
}

/* With several harts, the running reference moves from this hart's thread to next. */
void sched_switch_refs(struct thread *next);
/*
 * The harts in mask (by hart id), parked in the lock by as_destroy, give up the dead
 * threads they ran and their trees: the memory comes back now, not at their next switch.
 */
void sched_let_go(uint64_t mask);

/*
 * Run next on this hart at once (it is runnable and on no queue) and return its frame for
 * trap return: IPC's direct switch. Inline, with one test for several harts, because it
 * is half of every fast IPC.
 */
static inline struct trapframe *sched_switch_to(struct thread *next)
{
	if (smp_on())
		sched_switch_refs(next);
	sched_enter(this_hart(), next);
	return &next->tf;
}

/*
 * Circular doubly linked queues of threads (run queues, endpoint queues): inline, as the
 * IPC fast path uses them.
 */
static inline void tq_push(struct thread **q, struct thread *t)
{
	if (!*q) {
		t->next = t->prev = t;
		*q = t;
		return;
	}
	struct thread *head = *q, *tail = head->prev;
	t->next = head;
	t->prev = tail;
	tail->next = t;
	head->prev = t;
}

/* A thread on no queue (next is NULL) is left alone. */
static inline void tq_remove(struct thread **q, struct thread *t)
{
	if (!t->next)
		return;
	if (t->next == t)
		*q = 0;
	else {
		t->prev->next = t->next;
		t->next->prev = t->prev;
		if (*q == t)
			*q = t->next;
	}
	t->next = t->prev = 0;
}

static inline struct thread *tq_pop(struct thread **q)
{
	struct thread *t = *q;
	if (t)
		tq_remove(q, t);
	return t;
}

/* t may run on this hart (its affinity allows it). */
static inline bool sched_allowed_here(const struct thread *t)
{
	return t->affinity < 0 || t->affinity == (int)this_hart()->index;
}

/*
 * After this hart let the big lock go and took it again inside t's call (a fork's clone,
 * a COW fault's copy): does it still run t, alive? If not, t was killed meanwhile and
 * the hart may have let go of it (sched_let_go), so t must not be touched.
 */
static inline bool sched_still_running(const struct thread *t)
{
	return this_hart()->current == t && t->state != TS_DEAD;
}

/* Of threads waiting on a queue, the first pinned to this hart, else the first that may
 * run on any hart; NULL if all are pinned to others (sched.c). */
struct thread *sched_nearest(struct thread *q);

/*
 * Of the threads waiting to receive on an endpoint (queue q), the one to give a message
 * sent from this hart: the first if it may run here (always, with one hart), else the
 * nearest, which then runs here without waking another hart, else the first. The queue
 * is left as it is.
 */
static inline struct thread *tq_nearest(struct thread *q)
{
	struct thread *t;
	if (!q || sched_allowed_here(q))
		return q;
	return (t = sched_nearest(q)) != 0 ? t : q;
}

/* tq_nearest, taken off the queue. */
static inline struct thread *tq_pop_nearest(struct thread **q)
{
	struct thread *t = tq_nearest(*q);
	if (t)
		tq_remove(q, t);
	return t;
}

#endif
