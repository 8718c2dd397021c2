/*
 * The trap vector: save every register, call the C dispatcher, restore, sret.
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

/*
 * From user mode: tp = the thread's frame, sscratch = the user's tp. Every user register
 * goes into the frame; scause goes to C as the argument (stval, needed by faults only,
 * is read there). trap_user(scause) returns the frame to resume, which may be another
 * thread's.
 */
from_user:
	sd	x1, 1 * 8(tp)
	sd	x2, 2 * 8(tp)
	sd	x3, 3 * 8(tp)
	.irp n, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sd	x\n, \n * 8(tp)
	.endr
	csrrw	t0, sscratch, zero	/* the user's tp; sscratch 0: in the kernel now */
	sd	t0, 4 * 8(tp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(tp)
	csrr	a0, scause
	ld	tp, TF_HART(tp)
	ld	sp, HART_KERNEL_SP(tp)
	jal	trap_user		/* one instruction; the link fails if ever out of reach */

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
