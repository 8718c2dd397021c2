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
	/*
	 * bss is not cleared here: every image starts with it zeroed by its loader (the
	 * kernel's for init, load.c's zeroed pages for the rest; docs/loader.md).
	 */
	ld	a0, 0(sp)		/* argc */
	addi	a1, sp, 8		/* argv */
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		/* envp: after argv's NULL */
	andi	sp, sp, -16
	call	__user_start		/* libc_glue.c: init, main, exit */
3:	j	3b
