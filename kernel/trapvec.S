/*
 * The trap vector: save every register, call the C dispatcher, restore, sret.
 * sscratch is 0 while the kernel runs; a trap from user mode (a later issue) finds the
 * hart pointer there instead, so the first instruction tells the two apart.
 */
#include "kernel/asm.h"

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

/* From user mode: tp = this hart, sscratch = the user's tp. Save into the thread. */
from_user:
	sd	t0, HART_USER_SP(tp)	/* a free slot while we find the frame */
	ld	t0, HART_CUR_TF(tp)
	sd	x1, 1 * 8(t0)
	sd	x2, 2 * 8(t0)
	sd	x3, 3 * 8(t0)
	.irp n, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sd	x\n, \n * 8(t0)
	.endr
	ld	t1, HART_USER_SP(tp)
	sd	t1, 5 * 8(t0)
	csrr	t1, sscratch
	sd	t1, 4 * 8(t0)
	csrw	sscratch, zero		/* in the kernel now */
	csrr	t1, sepc
	sd	t1, TF_SEPC(t0)
	csrr	t1, scause
	sd	t1, TF_SCAUSE(t0)
	csrr	t1, stval
	sd	t1, TF_STVAL(t0)
	ld	sp, HART_KERNEL_SP(tp)
	mv	a0, t0
	call	trap_user		/* returns the frame to resume */

/* Enter user mode with the registers in the frame at a0 (sstatus prepared by C). */
	.globl user_return
user_return:
	csrw	sscratch, tp
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(a0)
	csrw	sstatus, t0
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
