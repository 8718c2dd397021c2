/*
 * Upcalls: divert a thread of a task to a handler in its own address space, its
 * registers saved on its user stack, and resume them later (upcall.c). The mechanism
 * under POSIX signals (docs/signals.md); the kernel knows nothing of signals.
 */
#ifndef KERNEL_UPCALL_H
#define KERNEL_UPCALL_H

#include <stdint.h>

struct task;
struct thread;

#define UPCALL_SELF  1 /* upcall_send diverted the caller itself */
#define UPCALL_WAITS 2 /* the caller waits until another hart's thread has taken it */

/*
 * Divert thread tid of task (0: its oldest) to pc with a0 = arg0, a1 = arg1, a2 = the
 * frame: 0, UPCALL_SELF (the thread was caller, which now runs the handler),
 * UPCALL_WAITS (the thread runs on another hart: caller is blocked until that hart has
 * taken the upcall, and its call then returns 0), E_DEAD (no thread can take it) or
 * E_FAULT (its stack cannot hold the frame).
 */
int upcall_send(struct thread *caller, struct task *task, uint64_t tid, uint64_t pc, uint64_t arg0,
		uint64_t arg1);
/* Restore t's registers from the frame at va: 0 (t resumes there) or E_FAULT. */
int upcall_return(struct thread *t, uint64_t va);
/* upcall_stack: where t's frames go when its stack cannot hold one; E_INVAL for an
 * address outside user space. */
int upcall_set_stack(struct thread *t, uint64_t top);
/* With several harts: apply an upcall left for t while it ran; 1 if one was applied. */
int upcall_apply_pending(struct thread *t);
/*
 * t is being killed: a caller waiting for it to take an upcall goes on, and if t is such
 * a caller it waits no more. Inline, since every thread's end asks, and nearly always
 * nobody waits (upcall_waiters, upcall.c).
 */
extern struct thread *upcall_waiters;
void upcall_forget_waits(struct thread *t);
static inline void upcall_forget(struct thread *t)
{
	if (upcall_waiters)
		upcall_forget_waits(t);
}
/*
 * t's call was parked by its server (reply_save): from now on an upcall may cut it
 * short, and one that waited for the answer does so at once.
 */
void upcall_parked(struct thread *t);

#endif
