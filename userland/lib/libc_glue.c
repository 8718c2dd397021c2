/*
 * What picolibc needs from us: the three standard streams, the program break for
 * malloc, and _exit. Output is buffered a line at a time and written with debug_write.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "syscall.h"

#define OUT_BUF 256

static char out_buf[OUT_BUF];
static unsigned out_len;

static int out_flush(FILE *f)
{
	(void)f;
	if (out_len)
		SYSCALL(debug_write, out_buf, out_len);
	out_len = 0;
	return 0;
}

static int out_put(char c, FILE *f)
{
	out_buf[out_len++] = c;
	if (c == '\n' || out_len == OUT_BUF)
		out_flush(f);
	return (unsigned char)c;
}

/* Console input: only tasks holding the console capability (init, the shell) can read. */
static int in_get(FILE *f)
{
	char c = 0;
	(void)f;
	long n = SYSCALL(console_read, SLOT_CONSOLE, &c, 1);
	return n == 1 ? (unsigned char)c : _FDEV_EOF;
}

static FILE stdio_stream = FDEV_SETUP_STREAM(out_put, in_get, out_flush, _FDEV_SETUP_RW);
FILE *const stdin = &stdio_stream;
FILE *const stdout = &stdio_stream;
FILE *const stderr = &stdio_stream;

extern char _end[];
static uintptr_t brk_cur, brk_mapped; /* the break, and the end of its mapped pages */

void *sbrk(ptrdiff_t incr)
{
	if (!brk_cur)
		brk_cur = brk_mapped = (uintptr_t)_end;
	uintptr_t old = brk_cur, want = brk_cur + incr;
	if (incr < 0 || want < old) {
		errno = ENOMEM; /* shrinking is not worth its complexity here */
		return (void *)-1;
	}
	if (want > brk_mapped) {
		uintptr_t top = (want + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1);
		if (SYSCALL(map_anon, SLOT_SELF, brk_mapped, (top - brk_mapped) / PAGE_BYTES,
			    MAP_PROT_READ | MAP_PROT_WRITE) != 0) {
			errno = ENOMEM;
			return (void *)-1;
		}
		brk_mapped = top;
	}
	brk_cur = want;
	return (void *)old;
}

void _exit(int status)
{
	out_flush(stdout);
	for (;;)
		SYSCALL(exit, status);
}

int main(int argc, char **argv, char **envp);
extern void __libc_init_array(void);
char **environ;

void __user_start(int argc, char **argv, char **envp)
{
	environ = envp;
	__libc_init_array();
	exit(main(argc, argv, envp));
}
