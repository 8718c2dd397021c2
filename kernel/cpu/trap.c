/* Trap dispatch: one switch over named causes, one exit. */
#include "kernel/cpu/trap.h"

#include <stddef.h>

#include "drivers/plic.h"
#include "drivers/timer.h"
#include "kernel/abi/error.h"
#include "kernel/abi/syscall.h"
#include "kernel/core/ipc.h"
#include "kernel/core/irq.h"
#include "kernel/core/sched.h"
#include "kernel/core/task.h"
#include "kernel/core/upcall.h"
#include "kernel/cpu/asm.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/console.h"
#include "kernel/io/printk.h"
#include "vm/as.h"

_Static_assert(offsetof(struct hart, kernel_sp) == HART_KERNEL_SP, "asm.h out of step");
_Static_assert(offsetof(struct hart, probe_fixup) == HART_PROBE_FIXUP, "asm.h out of step");
_Static_assert(offsetof(struct hart, hartid) == HART_HARTID, "asm.h out of step");
_Static_assert(sizeof(struct hart) == HART_SIZE && MAX_HARTS == HART_SLOTS, "asm.h out of step");
_Static_assert(E_FAULT == E_FAULT_VALUE, "asm.h out of step");
_Static_assert(EXC_ECALL_U == EXC_ECALL_U_VALUE, "asm.h out of step");
_Static_assert(EXC_STORE_PAGE_FAULT == EXC_STORE_PAGE_FAULT_VALUE, "asm.h out of step");
_Static_assert(USER_SSTATUS_CLEAR == (SSTATUS_SIE | SSTATUS_SPP | SSTATUS_FS | SSTATUS_SUM),
	       "asm.h out of step");
_Static_assert(sizeof(struct trapframe) == 36 * 8, "trapvec.S out of step");

extern char probe_load_insn[];

const char *trap_cause_name(uint64_t scause)
{
	static const char *const exc[] = {
		[EXC_INSN_MISALIGNED] = "instruction address misaligned",
		[EXC_INSN_ACCESS] = "instruction access fault",
		[EXC_ILLEGAL_INSN] = "illegal instruction",
		[EXC_BREAKPOINT] = "breakpoint",
		[EXC_LOAD_MISALIGNED] = "load address misaligned",
		[EXC_LOAD_ACCESS] = "load access fault",
		[EXC_STORE_MISALIGNED] = "store address misaligned",
		[EXC_STORE_ACCESS] = "store access fault",
		[EXC_ECALL_U] = "ecall from U-mode",
		[EXC_ECALL_S] = "ecall from S-mode",
		[EXC_INSN_PAGE_FAULT] = "instruction page fault",
		[EXC_LOAD_PAGE_FAULT] = "load page fault",
		[EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
	};
	if (scause & SCAUSE_INTR)
		return "interrupt";
	if (scause < sizeof(exc) / sizeof(exc[0]) && exc[scause])
		return exc[scause];
	return "reserved cause";
}

/* Claim every pending source on this hart's context and hand each to its driver. */
static void external_interrupt(void)
{
	int ctx = this_hart()->plic_ctx;
	uint32_t irq;

	if (ctx < 0 || !plic_present())
		return;
	while ((irq = plic_claim(ctx)) != 0) {
		if (irq == console_irq())
			console_interrupt();
		else
			irq_deliver(ctx, irq); /* a user-level driver's, or silenced */
		plic_complete(ctx, irq);
	}
}

/* A kernel load fault at the probe instruction resumes at its fixup; nothing else may fault. */
static int probe_fault(struct trapframe *tf)
{
	struct hart *h = this_hart();
	if (!h->probe_fixup || tf->sepc != (uint64_t)probe_load_insn)
		return 0;
	tf->sepc = h->probe_fixup;
	return 1;
}

static void trap_kernel_locked(struct trapframe *tf);

/* The interrupts, the same from kernel (idle) and user mode. */
static void interrupt(uint64_t scause)
{
	switch (scause) {
	case SCAUSE_INTR | IRQ_S_TIMER:
		timer_interrupt();
		sched_tick();
		cap_tick();
		break;
	case SCAUSE_INTR | IRQ_S_EXT:
		external_interrupt();
		break;
	default: /* the software interrupt: an IPI, whose work is done by taking the lock */
		csr_clear(sip, SIE_SSIE);
		break;
	}
}

void trap_kernel(struct trapframe *tf)
{
	/* Interrupts reach the kernel only while idle, without the lock; faults may hold it. */
	int locked = !bkl_held();
	if (locked)
		bkl_lock();
	trap_kernel_locked(tf);
	if (locked)
		bkl_unlock();
}

static void trap_kernel_locked(struct trapframe *tf)
{
	switch (tf->scause) {
	case SCAUSE_INTR | IRQ_S_TIMER:
	case SCAUSE_INTR | IRQ_S_EXT:
	case SCAUSE_INTR | IRQ_S_SOFT:
		interrupt(tf->scause);
		break;
	case EXC_LOAD_PAGE_FAULT:
	case EXC_LOAD_ACCESS:
		if (probe_fault(tf))
			break;
		panic_trap(tf);
	default:
		panic_trap(tf);
	}
}

/* trap_store_fault(): several harts, the fault not looked at (no enum as_fault value). */
#define STORE_FAULT_SMP (-1)

/* The cause word of a report: what vm found decides a bus error or a denied access. */
static uint64_t fault_cause(uint64_t scause, enum as_fault f)
{
	return f == AS_FAULT_GONE     ? FAULT_PAGE_GONE
	       : f == AS_FAULT_DENIED ? scause | FAULT_DENIED
				      : scause;
}

/* An exception: vm resolves it (copy-on-write, a stale translation) or it is reported. */
static void user_fault_report(struct thread *t, uint64_t scause, uint64_t stval, enum as_fault f)
{
	if (f != AS_FAULT_RESOLVED)
		thread_fault(t, f == AS_FAULT_NOMEM ? LABEL_OOM : LABEL_FAULT,
			     fault_cause(scause, f), stval);
}

static void user_fault(struct thread *t, uint64_t scause, uint64_t stval)
{
	user_fault_report(t, scause, stval, as_user_fault(&t->task->as, stval, scause));
}

/*
 * A copy made without the big lock, noted in the hart (struct hart.cow_apart) so that the
 * frame pool's settle can take its frames back if its thread dies meanwhile: the copy and
 * the old frame it holds are then the dead task's, and must be back before whoever learns
 * of the death counts frames (vm/tlb.c, as_destroy). The state says who drops them.
 */
enum { APART_COPYING, APART_COPIED, APART_TAKEN };
struct cow_apart {
	struct cow_copy c;
	struct thread *thread; /* the faulting thread: dead once its hart lets go of it */
	uint32_t state;	       /* APART_: COPIED with a release once the hart needs c no more */
};

/*
 * Several harts: a store fault whose page must be copied makes the copy without the big
 * lock (vm/as.h, as_user_fault_begin). Nothing is held for it: if the thread was killed
 * in between (its hart may even have let go of it, and its task be gone), the copy is
 * thrown away unreported, here or by trap_settle_copies if someone counted frames first.
 */
static void store_fault_smp(struct thread *t, uint64_t stval)
{
	struct cow_apart a = { .thread = t, .state = APART_COPYING };
	enum as_fault f = as_user_fault_begin(&t->task->as, stval, EXC_STORE_PAGE_FAULT, &a.c);
	if (f == AS_FAULT_COPY) {
		struct hart *h = this_hart();
		h->cow_apart = &a; /* set and cleared under the lock: settle reads it under it */
		bkl_unlock_smp();
		as_cow_copy(&a.c);
		__atomic_store_n(&a.state, APART_COPIED, __ATOMIC_RELEASE);
		bkl_lock_smp();
		h->cow_apart = 0;
		if (a.state == APART_TAKEN || !sched_still_running(t)) {
			if (a.state != APART_TAKEN)
				as_cow_drop(&a.c);
			return;
		}
		f = as_cow_end(&t->task->as, &a.c);
	}
	user_fault_report(t, EXC_STORE_PAGE_FAULT, stval, f);
}

/* Is the thread of a copy apart on hart h dead? A hart still running it holds it. */
static bool copy_orphaned(const struct hart *h, const struct cow_apart *a)
{
	return h->current != a->thread || a->thread->state == TS_DEAD;
}

bool trap_settle_copies(void)
{
	bool took = false;
	if (!bkl_held())
		return false; /* a clone's allocation: the hart may wait for this very one */
	for (unsigned i = 0; i < harts_online; i++) {
		struct cow_apart *a = harts[i].cow_apart;
		if (!a || &harts[i] == this_hart() || !copy_orphaned(&harts[i], a))
			continue;
		while (__atomic_load_n(&a->state, __ATOMIC_ACQUIRE) == APART_COPYING)
			__asm__ volatile("nop"); /* one page's copy, made without any lock */
		as_cow_drop(&a->c);
		a->state = APART_TAKEN; /* its hart reads it once it has the lock again */
		harts[i].cow_apart = 0; /* taken once: the next settle must not drop it again */
		took = true;
	}
	return took;
}

/*
 * Interrupts and exceptions from user mode: every trap but a system call. Not inlined
 * (nor is trap_user_smp), so that the system-call path carries none of their frame.
 */
static __attribute__((noinline)) struct trapframe *user_exception(struct thread *t, uint64_t scause)
{
	uint64_t stval = csr_read(stval); /* nothing has trapped since: still this trap's */
	switch (scause) {
	case SCAUSE_INTR | IRQ_S_TIMER:
	case SCAUSE_INTR | IRQ_S_EXT:
	case SCAUSE_INTR | IRQ_S_SOFT:
		interrupt(scause);
		break;
	case EXC_STORE_PAGE_FAULT: /* copy-on-write, the common one: its own test, first */
		if (smp_on())
			store_fault_smp(t, stval);
		else
			user_fault(t, EXC_STORE_PAGE_FAULT, stval);
		break;
	default:
		user_fault(t, scause, stval);
		break;
	}
	return trap_resume();
}

/* Every trap from user mode, with the kernel serialised (the lock held, or one hart). */
static struct trapframe *trap_user_locked(struct thread *t, uint64_t scause)
{
	if (scause == EXC_ECALL_U)
		return ipc_fast_path(t); /* see trap_syscall */
	return user_exception(t, scause);
}

/*
 * A handler's last call, upcall_return, is made before a new upcall is applied: the new
 * frame then goes where the frame it leaves was, not below it, so a thread diverted again
 * each time it leaves a handler (pthread_cancel's retries) does not pile frames up its
 * stack until it overflows. False if the trap is no such call, or its frame is bad.
 */
static bool upcall_return_first(struct thread *t, uint64_t scause)
{
	return scause == EXC_ECALL_U && t->tf.x[REG_A7] == SYS_upcall_return &&
	       upcall_return(t, t->tf.x[REG_A0]) == 0;
}

/*
 * An upcall was left for t while it ran (upcall.c): divert it first, so the frame holds
 * its user state. An interrupt is still handled; a system call or fault is not, since
 * the instruction that trapped runs again when the handler returns (but upcall_return,
 * above, which is made first).
 */
static struct trapframe *trap_after_upcall(struct thread *t, uint64_t scause)
{
	if (scause == EXC_ECALL_U && !upcall_return_first(t, scause))
		t->tf.sepc -= 4; /* trapvec.S moved it past the ecall, which must run again */
	upcall_apply_pending(t);
	if (scause & SCAUSE_INTR)
		return user_exception(t, scause);
	return trap_resume();
}

/* With several harts: take the lock, and mind a thread killed while it ran here. */
static __attribute__((noinline)) struct trapframe *trap_user_smp(struct thread *t, uint64_t scause)
{
	struct trapframe *next;
	bkl_lock_smp();
	/* Killed from another hart while it ran here, which may have let go of it too
	 * (sched_let_go): then t may be gone, and the hart runs nothing. */
	t = this_hart()->current;
	if (!t || t->state == TS_DEAD)
		next = trap_resume();
	else if (t->upcall_pending)
		next = trap_after_upcall(t, scause);
	else
		next = trap_user_locked(t, scause);
	bkl_unlock_smp();
	lock_order_none("returns to user mode holding");
	return next;
}

/* The running thread's registers are in its own frame already (trapvec.S). */
struct trapframe *trap_user(uint64_t scause)
{
	struct thread *t = this_hart()->current;
	/* One test for "several harts": a single hart needs no lock. */
	if (smp_on())
		return trap_user_smp(t, scause);
	return user_exception(t, scause);
}

/*
 * A system call: trapvec.S has told it from every other trap already, and passes the
 * running thread's frame (whose sepc is past the ecall). It goes one way: to
 * ipc_fast_path() (inline), which switches straight to the partner of a call or
 * reply_recv it can finish, or hands the call on to the one dispatcher (syscall_dispatch()
 * in syscall.c). Both are tail calls: nothing returns here.
 */
struct trapframe *trap_syscall(struct trapframe *tf)
{
	struct thread *t = thread_of_frame(tf);
	if (smp_on())
		return trap_user_smp(t, EXC_ECALL_U);
	return ipc_fast_path(t);
}

/*
 * A store page fault, with s0-s11 not yet in the frame (trapvec.S): resolve it if it is
 * copy-on-write or stale and this is the one hart (no lock, no other hart to kill the
 * thread or leave it an upcall). 0 if resolved and the thread goes on; otherwise nothing
 * has changed and trap_store_fault_report() gets the value back.
 */
int trap_store_fault(void)
{
	if (smp_on())
		return STORE_FAULT_SMP;
	return as_user_fault_alone(&this_hart()->current->task->as, csr_read(stval),
				   EXC_STORE_PAGE_FAULT);
}

/* The rest of a store fault, with the whole frame saved: f is trap_store_fault()'s. */
struct trapframe *trap_store_fault_report(int f)
{
	struct thread *t = this_hart()->current;
	if (f == STORE_FAULT_SMP)
		return trap_user_smp(t, EXC_STORE_PAGE_FAULT);
	user_fault_report(t, EXC_STORE_PAGE_FAULT, csr_read(stval), (enum as_fault)f);
	return trap_resume();
}

struct trapframe *trap_resume(void)
{
	struct hart *h = this_hart();
	/* Most traps return to the thread that took them: its frame is ready as it is. */
	if (h->current && h->current->state == TS_RUNNING)
		return &h->current->tf;
	return sched_next();
}
