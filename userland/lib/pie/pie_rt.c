/*
 * Linked into every position-independent program (userland/build.mk), before the
 * libraries, for what picolibc's libc.a, which is not position-independent, would get
 * wrong away from the link address. Its code takes every address PC-relatively (auipc +
 * addi), which is right at any base only for a symbol that moves with the program:
 *
 * - Undefined weak symbols it tests before calling (`if (_init) _init();`): here they get
 *   do-nothing definitions.
 * - The linker script's absolute symbols (sizes, not addresses), which its _init_tls
 *   reads as addresses: ld.lld accepts a PC-relative reference to a script-defined
 *   absolute symbol without a word, so at base B it would copy B + size bytes. Thread-
 *   local blocks are made by libc_glue.c's tls_block_init instead, built -fPIE (the
 *   values come from the GOT, unrelocated), and picolibc's _init_tls is never pulled in.
 *   No other part of libc.a or libgcc refers to those symbols (checked with nm;
 *   picolibc's own sbrk, which reads __heap_start, is replaced by libc_glue.c's).
 *
 * The weak symbols in detail: with the symbol undefined, the linker makes the offset
 * reach 0 from where the code was linked; loaded elsewhere, the same instructions give
 * the load base, not 0, the test passes, and the call lands on itself (ld.lld 14 resolves a call
 * (auipc + addi), so when the symbol is undefined the linker makes the offset reach 0
 * from where the code was linked; loaded elsewhere, the same instructions give the load
 * base, not 0, the test passes, and the call lands on itself (ld.lld 14 resolves a call
 * to an undefined weak symbol to the calling instruction): the program hangs. Defined
 * here, the address is right at any base and the call does nothing, which is what a
 * missing one means. They are weak, so a real definition (atexit's __call_exitprocs,
 * which comes with atexit) still wins. build.mk refuses a PIE that keeps any other
 * undefined weak symbol.
 */
#include <string.h>

void _init(void) __attribute__((weak));
void _fini(void) __attribute__((weak));
void __call_exitprocs(int code, void *arg) __attribute__((weak));

void _init(void)
{
}

void _fini(void)
{
}

void __call_exitprocs(int code, void *arg)
{
	(void)code;
	(void)arg;
}
