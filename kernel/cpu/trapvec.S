/*
 * The trap vector: save the registers, call the C dispatcher, restore, sret (a resolved
 * user store fault skips s0-s11 both ways: see store_fault).
 *
 * sscratch tells the two kinds of trap apart. While the kernel runs it is 0. While a
 * thread runs in user mode it holds that thread's register frame (trap_return puts it
 * there), and the frame's x0 slot, which no register needs, holds the hart. So the first
 * instruction swaps tp and sscratch: 0 means a kernel trap; anything else is the frame
 * to save the user's registers into, with no register spilled first.
 */
#include "kernel/cpu/asm.h"

#define TF_HART (0 * 8) /* x0 has no value to keep: the hart, while in user mode */
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE (34 * 8)
#define TF_STVAL (35 * 8)
#define TF_SIZE (36 * 8)

	.section .text
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	bnez	tp, from_user
	csrrw	tp, sscratch, tp	/* from the kernel: tp back, sscratch 0 again */
	addi	sp, sp, -TF_SIZE
	sd	x1, 1 * 8(sp)
	.irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sd	x\n, \n * 8(sp)
	.endr
	addi	t0, sp, TF_SIZE
	sd	t0, 2 * 8(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	mv	a0, sp
	call	trap_kernel
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, 1 * 8(sp)
	.irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	x\n, \n * 8(sp)
	.endr
	addi	sp, sp, TF_SIZE
	sret

/*
 * The first entry to user mode on a hart (from C), with the registers in the frame at a0.
 * sret must go to U-mode (SPP clear, whatever boot left), with no FPU (FS off: its
 * registers are not switched), no SUM and interrupts off until sret. After this only
 * trap_return enters user mode, and it need not write sstatus: a trap from U-mode leaves
 * SPP clear, the kernel never sets FS or SUM and runs with interrupts off, and a kernel
 * trap's sret leaves SPP clear again. SPIE needs no care: S-mode interrupts are always
 * taken in U-mode, whatever SIE says there.
 */
	.globl user_return
user_return:
	li	t0, USER_SSTATUS_CLEAR
	csrc	sstatus, t0
	j	trap_return

/* The frame's s0-s11 (at f), which the store-fault way leaves in the registers. */
.macro SAVE_CALLEE f
	.irp n, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
	sd	x\n, \n * 8(\f)
	.endr
.endm

/*
 * From user mode: tp = the thread's frame, sscratch = the user's tp. Every user register
 * goes into the frame, a system call's sepc already past its ecall (a call that must run
 * again, or a thread diverted before its call ran, rewinds it). A system call goes to
 * trap_syscall(frame), any other trap to
 * trap_user(scause) (stval, needed by faults only, is read there); both return the frame
 * to resume, which may be another thread's.
 *
 * A store page fault, nearly always copy-on-write, first tries a shorter way
 * (store_fault, below): the callee-saved registers s0-s11 are not saved, since C keeps
 * them, and trap_store_fault() resolves the fault if it can.
 */
from_user:
	sd	x1, 1 * 8(tp)
	sd	x2, 2 * 8(tp)
	sd	x3, 3 * 8(tp)
	.irp n, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
	sd	x\n, \n * 8(tp)
	.endr
	csrrw	t0, sscratch, zero	/* the user's tp; sscratch 0: in the kernel now */
	sd	t0, 4 * 8(tp)
	csrr	a0, scause
	csrr	t0, sepc
	li	t1, EXC_ECALL_U_VALUE
	bne	a0, t1, not_syscall
	addi	t0, t0, 4		/* a system call resumes past its ecall (unless rewound) */
	sd	t0, TF_SEPC(tp)
	SAVE_CALLEE tp
	mv	a0, tp			/* trap_syscall(the frame) */
	ld	tp, TF_HART(tp)
	ld	sp, HART_KERNEL_SP(tp)
	jal	trap_syscall		/* one instruction; the link fails if ever out of reach */

/* Back to user mode with the registers in the frame at a0: every one is loaded from it. */
trap_return:
	sd	tp, TF_HART(a0)		/* the next trap finds this hart through the frame */
	csrw	sscratch, a0
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	x1, 1 * 8(a0)
	ld	x2, 2 * 8(a0)
	ld	x3, 3 * 8(a0)
	.irp n, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	x\n, \n * 8(a0)
	.endr
	ld	a0, 10 * 8(a0)
	sret

/*
 * The end of a fast IPC on one hart (ipc.c): the partner's registers come from its frame
 * at a0, but the message (a1 = tag, a2-a6 and t3-t5 = the words) straight from the
 * sender's frame at a1, t6 = the badge (a2) and a0 = 0. So each word is moved once, from
 * the sender's frame into its register, not copied frame to frame first. The partner's
 * frame keeps its old message slots, which nothing reads: while it runs in user mode its
 * frame is not its state, and its next trap saves every register again.
 */
	.globl ipc_return
ipc_return:
	sd	tp, TF_HART(a0)
	csrw	sscratch, a0
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	mv	t6, a2
	.irp n, 12, 13, 14, 15, 16, 28, 29, 30
	ld	x\n, \n * 8(a1)
	.endr
	ld	a1, 11 * 8(a1)
	.irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
	ld	x\n, \n * 8(a0)
	.endr
	li	a0, 0
	sret

/* Interrupts and exceptions: scause in a0, every register but s0-s11 in the frame at tp. */
not_syscall:
	sd	t0, TF_SEPC(tp)
	li	t1, EXC_STORE_PAGE_FAULT_VALUE
	beq	a0, t1, store_fault
	SAVE_CALLEE tp
	ld	tp, TF_HART(tp)
	ld	sp, HART_KERNEL_SP(tp)
	call	trap_user
	j	trap_return

/*
 * A store page fault. trap_store_fault() returns 0 if it resolved the fault (one hart:
 * no lock to take, and the same thread runs on): then only what C may have changed is
 * loaded back, and s0-s11 still hold the user's values. Otherwise s0-s11 join the frame
 * before anything that may read it or switch threads (a fault report, a signal) runs:
 * trap_store_fault_report() gets what trap_store_fault() returned.
 */
store_fault:
	mv	t0, tp
	ld	tp, TF_HART(t0)
	ld	sp, HART_KERNEL_SP(tp)
	addi	sp, sp, -16		/* the frame, kept across the call */
	sd	t0, 0(sp)
	call	trap_store_fault
	ld	t0, 0(sp)
	addi	sp, sp, 16
	bnez	a0, 1f
	csrw	sscratch, t0		/* resolved: back to the same thread */
	ld	t1, TF_SEPC(t0)
	csrw	sepc, t1
	ld	x1, 1 * 8(t0)
	ld	x2, 2 * 8(t0)
	ld	x3, 3 * 8(t0)
	.irp n, 4, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
	ld	x\n, \n * 8(t0)
	.endr
	ld	t0, 5 * 8(t0)
	sret
1:	SAVE_CALLEE t0
	call	trap_store_fault_report
	j	trap_return

/* int probe_load(uint64_t va, uint64_t *out) */
	.globl probe_load
	.globl probe_load_insn
	.globl probe_load_fixup
probe_load:
	la	t0, probe_load_fixup
	sd	t0, HART_PROBE_FIXUP(tp)
probe_load_insn:
	ld	t1, 0(a0)
	sd	t1, 0(a1)
	sd	zero, HART_PROBE_FIXUP(tp)
	li	a0, 0
	ret
probe_load_fixup:
	sd	zero, HART_PROBE_FIXUP(tp)
	li	a0, E_FAULT_VALUE
	ret
