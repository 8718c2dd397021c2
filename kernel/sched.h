/*
 * The scheduler: round-robin within 8 priority levels, preemptive on the timer tick.
 * The kernel runs with interrupts off, on one stack per hart, and never blocks inside a
 * call: a thread that must wait records why (its state) and the scheduler runs another.
 * Kernel state is only touched with interrupts off; a second hart will need one lock
 * around kernel entry (docs/architecture.md).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "kernel/object.h"

/* Make t runnable (from any state but running). */
void sched_ready(struct thread *t);
/* Take t off the run queue, if it is on it. */
void sched_remove(struct thread *t);
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
/* Run t next on this hart at once (it is runnable and on no queue): IPC's direct switch. */
struct trapframe *sched_switch_to(struct thread *t);
/* Remove t from the sleeper list if it is on it. */
void sched_unsleep(struct thread *t);

/* Circular doubly linked queues of threads (run queues, endpoint queues). */
void tq_push(struct thread **q, struct thread *t);
struct thread *tq_pop(struct thread **q);
void tq_remove(struct thread **q, struct thread *t);

#endif
