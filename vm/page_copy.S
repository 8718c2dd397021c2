/*
 * page_copy(dst, src): copy the 4 KiB page at the kernel address src to dst (vm/vm.h).
 *
 * The one copy behind a COW store fault, fork's stack page and EAGER fork. 1,024 memory
 * instructions are the floor without a vector unit; what C added around them was the
 * loop (three instructions per 128 bytes: 96 a page) and the saves of the s-registers its
 * sixteen live values needed (about 30). Here a round copies 1 KiB through eight
 * caller-saved registers, all offsets fit the 12-bit immediate, and nothing is saved:
 * 1,024 + 4 rounds x 3 + 3 = 1,039 instructions, about 1 KiB of code.
 */
#include "kernel/cpu/asm.h"

#define ROUND_BYTES 1024

/* Eight doublewords from off(a1) to off(a0): all loads, then all stores. */
.macro COPY8 off
	ld	a3, \off + 0(a1)
	ld	a4, \off + 8(a1)
	ld	a5, \off + 16(a1)
	ld	a6, \off + 24(a1)
	ld	a7, \off + 32(a1)
	ld	t0, \off + 40(a1)
	ld	t1, \off + 48(a1)
	ld	t2, \off + 56(a1)
	sd	a3, \off + 0(a0)
	sd	a4, \off + 8(a0)
	sd	a5, \off + 16(a0)
	sd	a6, \off + 24(a0)
	sd	a7, \off + 32(a0)
	sd	t0, \off + 40(a0)
	sd	t1, \off + 48(a0)
	sd	t2, \off + 56(a0)
.endm

	.section .text
	.balign 4
	.globl page_copy
page_copy:
	li	a2, PAGE_SIZE
	add	a2, a1, a2		/* a2: the end of src */
1:
	.irp off, 0, 64, 128, 192, 256, 320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960
	COPY8	\off
	.endr
	addi	a1, a1, ROUND_BYTES
	addi	a0, a0, ROUND_BYTES
	bne	a1, a2, 1b
	ret
