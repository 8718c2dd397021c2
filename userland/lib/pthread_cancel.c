/*
 * Thread cancellation (POSIX): pthread_cancel, the cancel state and type, and
 * pthread_testcancel.
 *
 * A cancel is a flag in the target's record, set once. The target acts on it itself: at a
 * cancellation point (pthread_impl.h's cancel_point_* calls) when its type is deferred,
 * or at once when it is asynchronous; acting is pthread_exit(PTHREAD_CANCELED), so the
 * cleanup handlers and the keys' destructors run. A target blocked inside a point must
 * be woken to see the flag: pthread_cancel diverts it to cancel_upcall (the kernel's
 * upcall, docs/syscalls.md 40), which lets a blocking wait end early (EINTR, as a signal
 * would), and otherwise resumes it untouched. The handler answers in cancel_ack; a target
 * that was not blocked yet is diverted again a little later, until it blocks, reaches a
 * point or ends. A point tests the flag first, so only one that tested it just before
 * the cancel and blocks just after needs a second diversion.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "fs.h"
#include "futex.h"
#include "kernel/abi/ipc.h"
#include "kernel/abi/upcall.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

/* The upcall frame holds x1..x31 at their index and the pc in slot 0 (upcall.h). */
#define FRAME_PC    0
#define FRAME_A0    10
#define FRAME_A1    11
#define FRAME_A7    17
#define ECALL_BYTES 4

enum { ACK_NONE, ACK_SETTLED, ACK_AGAIN };

#define CANCEL_TRIES	   200	   /* diversions of a running target, then it is left */
#define CANCEL_ACK_WAIT_NS 2000000 /* how long one diversion may take to be answered */
#define HANDLER_YIELDS	   10000   /* yields a retry waits for the last handler to end */
#define NS_PER_S	   1000000000L

volatile uint32_t cancel_requested;

static void cancel_act(struct pthread *t)
{
	if (t->cancel_state != PTHREAD_CANCEL_ENABLE)
		return;
	t->cancel_state = PTHREAD_CANCEL_DISABLE; /* handlers that reach a point run on */
	pthread_exit(PTHREAD_CANCELED);
}

void cancel_point_slow(void)
{
	struct pthread *t = pthread_cur;
	if (t && __atomic_load_n(&t->cancel_pending, __ATOMIC_SEQ_CST))
		cancel_act(t);
}

/*
 * May the call a cancel cut short end with EINTR? The waits that end early for a signal
 * handler without SA_RESTART do (signal.c): futex waits, sleeps, console and pipe reads
 * and writes, and a parked wait() or F_SETLKW. Other server calls are answered at once
 * and run again.
 */
static int may_cut(const struct upcall_frame *f)
{
	uint64_t nr = f->regs[FRAME_A7] & ~(uint64_t)SYS_NONBLOCK;
	uint64_t label = ipc_tag_label(f->regs[FRAME_A1]);
	if (nr == SYS_call)
		return label == PROC_WAIT || (label == FS_LOCK && f->restart_a0 != SLOT_PROC);
	return nr == SYS_futex_wait || nr == SYS_sleep || nr == SYS_console_read ||
	       nr == SYS_pipe_read || nr == SYS_pipe_write;
}

/*
 * Settle the diverted thread's interrupted call; 1 if the thread will see the cancel
 * without more help. With cancellation enabled, a wait that may end early does: every
 * such wait in the C library is in a cancellation point, or (a mutex's) sleeps again
 * after a wake-up that finds nothing. Disabled, the thread sees the flag at its first
 * point after it enables cancellation. Otherwise the call runs again, and the thread is
 * diverted again once it has had time to block.
 */
static int settle(struct pthread *t, struct upcall_frame *f)
{
	int interrupted = (f->flags & UPCALL_INTERRUPTED) != 0;
	int enabled = t->cancel_state == PTHREAD_CANCEL_ENABLE;
	if (interrupted && enabled && may_cut(f))
		return 1; /* the wait returns E_INTR, and the point acts as it returns */
	if (interrupted) {
		f->regs[FRAME_PC] -= ECALL_BYTES;
		f->regs[FRAME_A0] = f->restart_a0;
	}
	return !enabled;
}

/* Where pthread_cancel diverts its target (a2 = the frame its registers are in). */
void cancel_upcall(long a0, long a1, struct upcall_frame *f);
void cancel_upcall(long a0, long a1, struct upcall_frame *f)
{
	(void)a0;
	(void)a1;
	int errno_saved = errno;
	struct pthread *t = pthread_self();
	__atomic_store_n(&t->in_cancel_upcall, 1, __ATOMIC_SEQ_CST);
	if (t->cancel_state == PTHREAD_CANCEL_ENABLE &&
	    t->cancel_type == PTHREAD_CANCEL_ASYNCHRONOUS)
		cancel_act(t); /* anywhere: only async-cancel-safe code runs like this */
	int settled = settle(t, f);
	__atomic_store_n(&t->cancel_ack, settled ? ACK_SETTLED : ACK_AGAIN, __ATOMIC_SEQ_CST);
	futex_wake(&t->cancel_ack, 1);
	/* This diversion may have replaced the fork server's own (one is pending at most):
	 * take whatever signals it holds for us. */
	signals_take_now(); /* if the server knows where we take signals */
	errno = errno_saved;
	/* Nothing traps from here but upcall_return, which the kernel makes before it
	 * applies another upcall: a diversion sent now does not nest below this frame. */
	__atomic_store_n(&t->in_cancel_upcall, 0, __ATOMIC_SEQ_CST);
	SYSCALL(upcall_return, (uintptr_t)f);
	for (;;) /* a frame we cannot read: nothing to go back to */
		SYSCALL(exit, 0, 0, 0);
}

/* When a diversion's answer is overdue (the target has not run yet). */
static uint64_t ack_deadline(void)
{
	struct timespec at;
	uint64_t ticks;
	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_nsec += CANCEL_ACK_WAIT_NS;
	if (at.tv_nsec >= NS_PER_S) {
		at.tv_sec++;
		at.tv_nsec -= NS_PER_S;
	}
	return clock_deadline(CLOCK_MONOTONIC, &at, &ticks) == 0 ? ticks : FUTEX_FOREVER;
}

/* Divert t until its handler says it will see the cancel, or it ends. */
static void wake_target(struct pthread *t)
{
	for (int i = 0; i < CANCEL_TRIES && !__atomic_load_n(&t->done, __ATOMIC_ACQUIRE); i++) {
		__atomic_store_n(&t->cancel_ack, ACK_NONE, __ATOMIC_SEQ_CST);
		if (SYSCALL(upcall, SLOT_SELF, (uintptr_t)cancel_upcall, 0, 0, t->kernel_id) != 0)
			return; /* it has ended */
		uint64_t deadline = ack_deadline();
		while (__atomic_load_n(&t->cancel_ack, __ATOMIC_SEQ_CST) == ACK_NONE &&
		       futex_wait(&t->cancel_ack, ACK_NONE, deadline) == 0)
			;
		if (__atomic_load_n(&t->cancel_ack, __ATOMIC_SEQ_CST) == ACK_SETTLED)
			return;
		sched_yield(); /* not blocked yet: let it get there, then divert it again */
		/* Not while it is still in the handler: every call the handler makes could take
		 * the next diversion, whose frame would go below this one's, and a retry each
		 * time would overflow its stack. */
		for (int y = 0; y < HANDLER_YIELDS &&
				__atomic_load_n(&t->in_cancel_upcall, __ATOMIC_SEQ_CST) &&
				!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE);
		     y++)
			sched_yield();
	}
}

int pthread_cancel(pthread_t t)
{
	if (!t)
		return ESRCH;
	__atomic_store_n(&cancel_requested, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->cancel_pending, 1, __ATOMIC_SEQ_CST);
	if (t == pthread_self()) {
		if (t->cancel_type == PTHREAD_CANCEL_ASYNCHRONOUS)
			cancel_act(t);
		return 0; /* deferred: at our next cancellation point */
	}
	/* One that has not started cannot be diverted (no gp or tp yet), nor needs to be:
	 * its first cancellation point sees the flag. The first thread is always running. */
	int started = t->kernel_id == 0 || __atomic_load_n(&t->started, __ATOMIC_SEQ_CST);
	if (started && !__atomic_load_n(&t->done, __ATOMIC_ACQUIRE))
		wake_target(t);
	return 0;
}

/* Enabling cancellation with the type asynchronous acts on a cancel already pending. */
static void act_if_async(struct pthread *t)
{
	if (t->cancel_type == PTHREAD_CANCEL_ASYNCHRONOUS &&
	    __atomic_load_n(&t->cancel_pending, __ATOMIC_SEQ_CST))
		cancel_act(t);
}

int pthread_setcancelstate(int state, int *old)
{
	struct pthread *t = pthread_self();
	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	if (old)
		*old = t->cancel_state;
	t->cancel_state = state;
	act_if_async(t);
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	struct pthread *t = pthread_self();
	if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	if (old)
		*old = t->cancel_type;
	t->cancel_type = type;
	act_if_async(t);
	return 0;
}

void pthread_testcancel(void)
{
	pthread_self(); /* the first thread's record, so a cancel of it can be seen */
	cancel_point();
}
