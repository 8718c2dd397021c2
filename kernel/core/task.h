/* Tasks and threads: creation, faults, exit and teardown. */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include "kernel/core/object.h"

/* A new empty task (no memory mapped, no threads) with its own task cap in SLOT_SELF. */
struct task *task_new(struct task *creator, uint64_t quota);
/* A new thread in task with zeroed registers, not yet runnable (TS_INACTIVE). */
struct thread *thread_make(struct task *task, struct task *payer);
/* The same with its registers unwritten: the caller fills them at once (a fork). */
struct thread *thread_make_clone(struct task *task, struct task *payer);
/* A new thread in task, ready to run at pc with sp and a0 = arg, on hart affinity (-1: any). */
struct thread *thread_new(struct task *task, struct task *payer, uint64_t pc, uint64_t sp,
			  uint64_t arg, int affinity);
/* Stop every thread, release memory and slots. The object lives while caps name it. */
void task_kill(struct task *t);
/*
 * The calling thread ends; the last one tells the supervisor (or ends the task). Any
 * other first stores done_val to the word at done_va (if not 0) and, once it has ended,
 * wakes the word's futex waiters (a joiner). 0, or E_NOMEM with t still running (the
 * store needed a frame: the word is in a copy-on-write page).
 */
int thread_exit(struct thread *t, uint64_t status, uint64_t done_va, uint32_t done_val);
/* An unresolved user fault: stop t and report it (docs/ipc-caps.md). */
void thread_fault(struct thread *t, uint64_t label, uint64_t scause, uint64_t stval);

extern struct task *init_task;

#endif
