/* Synchronous IPC, one-shot replies and notifications (the calls in syscall.c). */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include "kernel/abi/syscall.h"
#include "kernel/core/object.h"
#include "kernel/core/syscall.h"

/* Each returns 0 if the caller goes on running, or after blocking with its result set. */
int ipc_send(struct thread *t, struct endpoint *ep, uint64_t badge, bool call, bool block);
int ipc_recv(struct thread *t, struct endpoint *ep, bool block);
int ipc_reply(struct thread *t);
/* Move t's pending reply into a reply object installed in slot dst. */
int ipc_reply_save(struct thread *t, struct cap *dst);
/* Answer through a saved reply capability (send on an OBJ_REPLY slot). */
int ipc_reply_cap(struct thread *t, struct cap *c);
/* Does caller still wait for the reply of generation gen (not answered, not failed)? */
static inline bool ipc_awaits(const struct thread *caller, uint32_t gen)
{
	return caller->state == TS_BLOCKED_REPLY && caller->reply_gen == gen;
}
/* t's pending caller if it is a thread of task from still waiting for the answer, or NULL. */
static inline struct thread *ipc_waiting_caller(struct thread *t, struct task *from)
{
	struct thread *c = t->reply_to;
	return c && c->task == from && ipc_awaits(c, t->reply_to_gen) ? c : 0;
}
/*
 * fork's clone: a copy of caller's registers, its call answered at once as a words-only
 * reply of IPC_WORDS words would be: a0 = 0, every word 0, no badge, label 0.
 */
void ipc_answer_clone(struct thread *clone, const struct thread *caller);
/* Check a send's buffer and capability before anything changes. */
int ipc_check_send(struct thread *t);
int ipc_check_recv(struct thread *t);
int ipc_check_call_recv(struct thread *t); /* call: the receive buffer must be writable */

int notify_signal(struct notify *n, uint64_t bits);
int notify_wait(struct thread *t, struct notify *n, bool block);

/* The two fast paths (ipc.c): the call or reply_recv done, or handed to syscall_dispatch. */
struct trapframe *ipc_fast_call(struct thread *t);
struct trapframe *ipc_fast_reply_recv(struct thread *t);

/*
 * t's system call (its sepc already past the ecall), first stop: a call or reply_recv
 * between threads waiting for each other is done here, switching to the partner; all
 * else, unchanged, goes on to the one dispatcher, syscall_dispatch(). Returns the frame
 * to resume. Inline, so that trap_syscall reaches a fast path by one jump.
 */
static inline struct trapframe *ipc_fast_path(struct thread *t)
{
	uint64_t nr = t->tf.x[REG_A7];
	if (nr == SYS_call)
		return ipc_fast_call(t);
	if (nr == SYS_reply_recv)
		return ipc_fast_reply_recv(t);
	return syscall_dispatch(t);
}

/* Take t off the endpoint, notification or pipe queue it waits in: false if in none. */
bool ipc_unqueue(struct thread *t);
/* End t's part in any IPC: unlink from queues, fail its pending caller with E_DEAD. */
void ipc_cancel(struct thread *t);
/* t will never answer the call it received: its caller wakes with E_DEAD. */
void ipc_drop_reply(struct thread *t);
/* Wake a blocked thread with an error in a0. */
void ipc_fail(struct thread *t, int err);

/* Deliver a kernel-made message (fault, exit) from t to its task's supervisor. */
int ipc_kernel_message(struct thread *t, uint64_t label, const uint64_t *words, unsigned n);
/* The same for a fault (LABEL_FAULT, LABEL_OOM) of REPORT_WORDS words, keeping the user
 * registers it overwrites for when the thread resumes. */
#define REPORT_WORDS 4
int ipc_fault_report(struct thread *t, uint64_t label, const uint64_t *words);
/* t leaves its fault report: the registers it trapped with come back. */
void ipc_report_restore(struct thread *t);

#endif
