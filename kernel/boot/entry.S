/*
 * The kernel's first instructions, and the RISC-V Linux Image header that U-Boot's
 * booti checks. Firmware enters here in S-mode with the MMU off:
 *   a0 = boot hart id (any number), a1 = physical address of the device tree.
 *
 * The image is linked at KERNEL_VBASE + 0x200000 but runs here at its load address,
 * which is 0x200000 above a 1 GiB-aligned RAM base on every supported board. Until the
 * MMU is on, only PC-relative addressing is used. A boot page table made of three
 * 1 GiB pages gets us to the linked address; kmain then builds the real one.
 */
#include "kernel/cpu/asm.h"

	.section .text.head, "ax"
	.option push
	.option norvc	/* the header's fields sit at fixed offsets: no 2-byte instructions */
	.globl _start
_start:
	j	real_start		/* 0x00 code0 */
	.word	0			/* 0x04 code1 */
	.dword	IMAGE_TEXT_OFFSET	/* 0x08 text_offset */
	.dword	__image_size		/* 0x10 image_size: file plus bss */
	.dword	0			/* 0x18 flags: little endian */
	.word	IMAGE_VERSION		/* 0x20 version 0.2 */
	.word	0			/* 0x24 res1 */
	.dword	0			/* 0x28 res2 */
	.ascii	"RISCV\0\0\0"		/* 0x30 magic (deprecated) */
	.ascii	"RSC\x05"		/* 0x38 magic2, the one booti checks */
	.word	0			/* 0x3c res3 (no PE header) */

real_start:
	/* Only the first hart here boots; a later one was started by the kernel (see below). */
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, secondary_entry
	csrw	sie, zero
	csrw	sip, zero
	csrw	sscratch, zero
	mv	s0, a0			/* hart id */
	mv	s1, a1			/* dtb physical address */
	la	s2, _start		/* where we were loaded */

	/* Refuse a load address the boot mapping cannot express: hang where a debugger sees it. */
	li	t0, GIGA_MASK
	and	t1, s2, t0
	li	t2, IMAGE_TEXT_OFFSET
1:	bne	t1, t2, 1b

	/* Zero bss (it holds the boot page table and stack). */
	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	la	s3, boot_root_pt
	/* Identity gigapage over the kernel (R|X): it covers the instruction after csrw satp. */
	srli	t0, s2, GIGA_SHIFT
	slli	t1, t0, GIGA_PTE_PPN_SHIFT
	ori	t2, t1, BOOT_PTE_RX
	slli	t3, t0, 3
	add	t3, t3, s3
	sd	t2, 0(t3)
	/* The kernel's linked address, KERNEL_VBASE, to the same gigabyte. */
	ori	t2, t1, BOOT_PTE_RWX
	li	t3, KERNEL_VBASE_PT_INDEX * 8
	add	t3, t3, s3
	sd	t2, 0(t3)
	/* Direct map of the kernel's gigabyte... */
	mv	a0, s2
	call	boot_direct_gig
	/* ...and of the device tree's. */
	mv	a0, s1
	call	boot_direct_gig

	srli	t0, s3, PAGE_SHIFT
	li	t1, SATP_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma

	ld	t0, high_entry_addr	/* an absolute, linked address */
	jr	t0

/* a0 = any physical address: direct-map its gigabyte R|W in boot_root_pt (s3). */
boot_direct_gig:
	srli	t0, a0, GIGA_SHIFT
	slli	t1, t0, GIGA_PTE_PPN_SHIFT
	ori	t1, t1, BOOT_PTE_RW
	addi	t0, t0, DIRECT_MAP_PT_INDEX
	slli	t0, t0, 3
	add	t0, t0, s3
	sd	t1, 0(t0)
	ret

	.balign 8
high_entry_addr:
	.dword	high_entry

high_entry:
	la	sp, boot_stack_top	/* PC-relative, and the PC is now virtual */
	la	t0, trap_entry
	csrw	stvec, t0
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	kmain
4:	wfi
	j	4b
	.option pop

/*
 * Other harts start here (SBI HSM hart_start): MMU off, a0 = hart id. They borrow the
 * boot page table to reach the linked addresses, then switch to the kernel's own in C.
 *
 * Only a0 is trusted. OpenSBI 1.1 (Debian bookworm's) marks a hart START_PENDING before
 * it stores the start address and argument, so a hart that wakes in between starts
 * with the previous ones: the kernel's own entry and the device tree. Such a hart comes
 * here from _start, and either way finds its struct hart by its id, which the boot hart
 * wrote before asking for the start. A hart the kernel did not ask for parks.
 */
	.section .text
	.option push
	.option norvc
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	la	t0, boot_root_pt
	srli	t0, t0, PAGE_SHIFT
	li	t1, SATP_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, secondary_high_addr
	jr	t0
	.balign 8
secondary_high_addr:
	.dword	secondary_high
secondary_high:
	fence	r, r			/* the boot hart's writes to harts[] before its start call */
	la	tp, harts
	li	t1, HART_SLOTS
1:	ld	t2, 0(tp)		/* self: set for every hart the kernel starts */
	beqz	t2, 2f
	ld	t2, HART_HARTID(tp)
	beq	t2, a0, 3f
2:	addi	tp, tp, HART_SIZE
	addi	t1, t1, -1
	bnez	t1, 1b
4:	wfi				/* not a hart the kernel started */
	j	4b
3:	ld	sp, HART_KERNEL_SP(tp)
	la	t0, trap_entry
	csrw	stvec, t0
	mv	a0, tp
	call	smp_secondary_main
5:	wfi
	j	5b
	.option pop

	.section .data
	.balign 4
boot_claimed:				/* set by the boot hart as it enters */
	.word	0

	.section .bss
	.balign PAGE_SIZE
	.globl boot_root_pt
boot_root_pt:
	.space	PAGE_SIZE
	.globl boot_stack
boot_stack:
	.space	BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
