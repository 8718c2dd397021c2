/*
 * A position-independent program (built with ld.lld -pie, see userland/build.mk). It uses
 * no C library, so nothing thread-local comes in, and it holds pointers in its data the
 * loader must relocate when it loads it away from its link address: one page of them,
 * plus a pointer in ordinary data. It exits 0 if every pointer is right.
 */
#include "syscall.h"

#define PAGE 4096

static const char greeting[] = "pie: relocated pointers ok\n";
static int counter = 5;
static int *volatile ptr = &counter; /* an R_RISCV_RELATIVE in .data */
/* A page of pointers, each another relocation on the same page. */
static const char *volatile table[PAGE / sizeof(char *)] __attribute__((aligned(PAGE))) = {
	[0] = greeting,
	[PAGE / sizeof(char *) - 1] = greeting + 5,
};

void _start(void) __attribute__((noreturn, section(".text.entry")));
void _start(void)
{
	int ok = *ptr == 5 && table[0] == greeting && table[PAGE / sizeof(char *) - 1][0] == 'r';
	if (ok)
		SYSCALL(debug_write, table[0], sizeof(greeting) - 1);
	for (;;)
		SYSCALL(exit, ok ? 0 : 1, 0, 0);
}
