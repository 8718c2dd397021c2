/*
 * Upcalls: see upcall.h. Steps of upcall_send:
 *
 *   1. Pick the thread asked for, or the task's oldest, if it can take it: not stopped,
 *      not dead, and not inside a message the kernel makes for it (its exit, or a fault
 *      report not yet received), which the supervisor must see as it is.
 *   2. If it is running on another hart, leave the upcall with it and interrupt that
 *      hart: it is applied at that thread's next trap (trap_user_smp), before anything
 *      else, so the frame holds exactly the registers it had in user mode. The caller
 *      waits until then (TS_BLOCKED_UPCALL): once its call returns, the thread runs
 *      none of its own code (a stop relies on it, docs/signals.md).
 *   3. Otherwise check its stack can hold the frame, cut short the call it is blocked
 *      in (the call returns E_INTR, and the frame says how to run it again), write the
 *      frame below its stack pointer, and point its registers at the handler. A thread
 *      whose fault report was received gets its own registers back instead, and the
 *      frame resumes the faulting instruction; the report's answer then misses.
 *
 * Nothing in a frame is trusted on the way back: upcall_return loads only the user
 * registers and pc, which the thread could have set itself; sstatus never comes from
 * user memory, so a forged frame can only make its own thread jump or fault.
 */
#include "kernel/core/upcall.h"

#include "kernel/abi/error.h"
#include "kernel/abi/upcall.h"
#include "kernel/core/ipc.h"
#include "kernel/core/object.h"
#include "kernel/core/sched.h"
#include "kernel/core/uaccess.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/console.h"
#include "sbi/sbi.h"

#define FRAME_ALIGN 16 /* the RISC-V psABI's stack alignment */

/*
 * Is t inside a message the kernel made for it (exit, fault) that its supervisor must
 * see first? A fault report the supervisor has taken (t awaits the answer) may be
 * diverted: that is how a fault becomes a signal without letting the thread run first.
 */
static bool in_kernel_message(const struct thread *t)
{
	if (t->state != TS_BLOCKED_SEND && t->state != TS_BLOCKED_REPLY)
		return false;
	if (t->in_report)
		return t->state == TS_BLOCKED_SEND;
	uint64_t label = ipc_tag_label(t->tf.x[REG_A1]);
	return label == LABEL_EXIT || label == LABEL_FAULT || label == LABEL_OOM;
}

/* Thread tid of task, or with tid 0 its oldest (threads are listed newest first), if it
 * can be diverted. */
static struct thread *pick(struct task *task, uint64_t tid)
{
	struct thread *found = 0;
	for (struct thread *t = task->threads; t; t = t->task_next)
		if (t->state != TS_INACTIVE && t->state != TS_DEAD && !in_kernel_message(t) &&
		    (tid == 0 || t->id == tid))
			found = t;
	return found;
}

/* Is task ending: a thread of it (its last) inside its exit message? */
static bool ending(const struct task *task)
{
	for (const struct thread *t = task->threads; t; t = t->task_next)
		if ((t->state == TS_BLOCKED_SEND || t->state == TS_BLOCKED_REPLY) &&
		    !t->in_report && ipc_tag_label(t->tf.x[REG_A1]) == LABEL_EXIT)
			return true;
	return false;
}

static bool blocked(const struct thread *t)
{
	return t->state != TS_READY && t->state != TS_RUNNING;
}

/* Take t out of whatever it waits on; the call's result will be the frame's a0. */
static void cut_short(struct thread *t)
{
	sched_unsleep(t);
	console_cancel(t);
	if (!ipc_unqueue(t) && t->state == TS_BLOCKED_REPLY)
		t->reply_gen++; /* the answer, when it comes, misses */
	t->reply_parked = false;
	t->wait_obj = 0;
}

/* How the thread to divert stands. */
enum divert {
	DIVERT_OTHER,	  /* another thread, ready or blocked */
	DIVERT_SELF_CALL, /* the caller, inside this upcall call: it returns 0 afterwards */
	DIVERT_AT_TRAP,	  /* a thread that just trapped: its frame is its user state */
};

/*
 * Where t's frame goes: below its stack pointer, or, when that cannot hold it (a stack
 * overflow: the fault is on the stack's guard page), below the top t set with
 * upcall_stack (the C library's sigaltstack). 0 if neither will do.
 */
static uint64_t frame_place(const struct thread *t)
{
	uint64_t size = sizeof(struct upcall_frame);
	uint64_t sp = (t->tf.x[REG_SP] - size) & ~(uint64_t)(FRAME_ALIGN - 1);
	if (!user_check(t->task, sp, size, 1))
		return sp;
	if (!t->upcall_stack)
		return 0;
	sp = (((uint64_t)t->upcall_stack << UPCALL_STACK_SHIFT) - size) &
	     ~(uint64_t)(FRAME_ALIGN - 1);
	return user_check(t->task, sp, size, 1) ? 0 : sp;
}

/* upcall_stack: the calling thread's fallback stack top (0: none). */
int upcall_set_stack(struct thread *t, uint64_t top)
{
	if (top >= USER_VA_MAX || (top && top < USER_VA_MIN))
		return E_INVAL;
	t->upcall_stack = (uint32_t)(top >> UPCALL_STACK_SHIFT);
	return 0;
}

/* Divert t now (it is not running elsewhere). */
static int deliver(struct thread *t, enum divert how, uint64_t pc, uint64_t arg0, uint64_t arg1)
{
	struct upcall_frame f = { .flags = 0 };
	uint64_t sp = frame_place(t);
	if (!sp)
		return E_FAULT;
	bool was_blocked = how == DIVERT_OTHER && blocked(t);
	bool report = was_blocked && t->in_report;
	if (report) {
		/* The frame resumes the faulting instruction, with the registers it had. */
		ipc_report_restore(t);
		cut_short(t);
	}
	for (int i = 1; i < UPCALL_REGS; i++)
		f.regs[i] = t->tf.x[i];
	f.regs[0] = t->tf.sepc;
	if (how == DIVERT_SELF_CALL) {
		f.regs[REG_A0] = 0; /* this call's own result, seen when the handler returns */
	} else if (was_blocked && !report) {
		/* A console read or a pipe call waits on its ecall (it runs again when woken):
		 * step past it. */
		if (t->state == TS_BLOCKED_IO || t->state == TS_BLOCKED_PIPE)
			f.regs[0] += 4;
		f.flags = UPCALL_INTERRUPTED;
		if (t->state == TS_BLOCKED_REPLY && t->reply_parked)
			f.flags |= UPCALL_PARKED; /* not merely queued: the server held it */
		f.restart_a0 = t->tf.x[REG_A0];
		f.regs[REG_A0] = (uint64_t)(int64_t)E_INTR;
		cut_short(t);
	}
	int err = user_copy_out(t->task, sp, &f, sizeof(f));
	if (!err) {
		t->tf.x[REG_SP] = sp;
		t->tf.sepc = pc;
		t->tf.x[REG_A0] = arg0;
		t->tf.x[REG_A1] = arg1;
		t->tf.x[REG_A2] = sp;
	} else if (was_blocked && !report) {
		t->tf.x[REG_A0] = (uint64_t)(int64_t)E_INTR; /* no frame: the call just fails */
	}
	if (was_blocked)
		sched_ready(t);
	return err ? E_FAULT : 0;
}

/* The upcall waits with t until it can be applied (upcall_apply_pending). */
static void keep_for_later(struct thread *t, uint64_t pc, uint64_t arg0, uint64_t arg1)
{
	t->upcall_pending = true;
	t->upcall_pc = pc;
	t->upcall_arg0 = arg0;
	t->upcall_arg1 = arg1;
}

/* t runs on another hart: leave the upcall with it and make that hart trap. */
static void leave_pending(struct thread *t, uint64_t pc, uint64_t arg0, uint64_t arg1)
{
	keep_for_later(t, pc, arg0, arg1);
	for (unsigned i = 0; i < harts_online; i++)
		if (harts[i].current == t && harts[i].hartid < 64)
			smp_ipi(1UL << harts[i].hartid);
}

/*
 * Callers waiting until a thread running on another hart has taken their upcall
 * (TS_BLOCKED_UPCALL, wait_obj the thread), on a queue through their run-queue links,
 * which a blocked thread does not use. A handful at most: one per thread diverting.
 */
struct thread *upcall_waiters;

static void wait_until_taken(struct thread *caller, struct thread *t)
{
	caller->wait_obj = t;
	caller->tf.x[REG_A0] = 0; /* the call's result once it goes on */
	caller->state = TS_BLOCKED_UPCALL;
	tq_push(&upcall_waiters, caller);
}

/* The first caller waiting for t to take its upcall, or NULL. */
static struct thread *waiting_on(const struct thread *t)
{
	struct thread *w = upcall_waiters;
	if (!w)
		return 0;
	do {
		if (w->wait_obj == t)
			return w;
		w = w->next;
	} while (w != upcall_waiters);
	return 0;
}

/*
 * t took its upcall, or is gone: the callers waiting for that go on. An upcall left for
 * one of them meanwhile (upcall_send) is applied now, as at a trap: its frame resumes
 * the caller after its call, which returns 0.
 */
static void release_waiters(struct thread *t)
{
	struct thread *w;
	while ((w = waiting_on(t)) != 0) {
		tq_remove(&upcall_waiters, w);
		w->wait_obj = 0;
		sched_ready(w);
		upcall_apply_pending(w);
	}
}

void upcall_forget_waits(struct thread *t)
{
	if (t->state == TS_BLOCKED_UPCALL)
		tq_remove(&upcall_waiters, t);
	release_waiters(t);
}

/*
 * A call a server has taken and is working on: cut short, its answer would miss, and a
 * request that changed something (a write, an unlink) could not be told from one that
 * did not, nor safely run again. Only a queued call, or one whose answer the server
 * parked (reply_save: a wait, a lock wait), may be cut short; this one's upcall waits
 * for the answer (ipc.c's call_ended). A fault report the supervisor took is apart
 * (in_report: diverting it is how a fault becomes a signal).
 */
static bool call_in_hand(const struct thread *t)
{
	return t->state == TS_BLOCKED_REPLY && !t->reply_parked && !t->in_report;
}

int upcall_send(struct thread *caller, struct task *task, uint64_t tid, uint64_t pc, uint64_t arg0,
		uint64_t arg1)
{
	struct thread *t = pick(task, tid);
	if (!t)
		return ending(task) ? E_AGAIN : E_DEAD;
	/* A call in hand, or a wait for another thread's upcall: diverted once it ends. */
	if (t != caller && (call_in_hand(t) || t->state == TS_BLOCKED_UPCALL)) {
		keep_for_later(t, pc, arg0, arg1);
		return 0;
	}
	if (t->state == TS_RUNNING && t != caller) {
		leave_pending(t, pc, arg0, arg1);
		wait_until_taken(caller, t);
		return UPCALL_WAITS;
	}
	if (t != caller) {
		/* A fault report the caller holds unanswered is answered by the diversion:
		 * the caller's hold on t ends here, not at its next reply, so t's end, if it
		 * dies of the signal, is not delayed until then. */
		bool held = t->in_report && caller->reply_to == t;
		int err = deliver(t, DIVERT_OTHER, pc, arg0, arg1);
		if (held && !t->in_report)
			ipc_drop_reply(caller); /* t awaits it no more: only the hold goes */
		return err;
	}
	int err = deliver(t, DIVERT_SELF_CALL, pc, arg0, arg1);
	return err ? err : UPCALL_SELF;
}

void upcall_parked(struct thread *t)
{
	t->reply_parked = true;
	if (!t->upcall_pending)
		return;
	t->upcall_pending = false; /* it waited for this: the call is cut short now */
	deliver(t, DIVERT_OTHER, t->upcall_pc, t->upcall_arg0, t->upcall_arg1);
}

int upcall_apply_pending(struct thread *t)
{
	if (!t->upcall_pending)
		return 0;
	t->upcall_pending = false;
	/* No frame (a bad stack): the upcall is lost, as it would be for a blocked one. */
	deliver(t, DIVERT_AT_TRAP, t->upcall_pc, t->upcall_arg0, t->upcall_arg1);
	if (upcall_waiters)
		release_waiters(t);
	return 1;
}

int upcall_return(struct thread *t, uint64_t va)
{
	struct upcall_frame f;
	if (user_copy_in(t->task, &f, va, sizeof(f)))
		return E_FAULT;
	for (int i = 1; i < UPCALL_REGS; i++)
		t->tf.x[i] = f.regs[i];
	t->tf.sepc = f.regs[0];
	return 0;
}
