/*
 * Program entry. The loader (or, for init, the kernel) leaves the usual block at sp:
 * argc, argv[0..argc-1], NULL, envp..., NULL, then the strings. a0 is not used.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	tp, __tls_first		/* picolibc keeps errno thread-local (user.ld) */
	/* The loader maps bss zeroed; clear it anyway, a doubleword at a time (user.ld). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	ld	a0, 0(sp)		/* argc */
	addi	a1, sp, 8		/* argv */
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		/* envp: after argv's NULL */
	andi	sp, sp, -16
	call	__user_start		/* libc_glue.c: init, main, exit */
3:	j	3b
