/*
 * bigtext: a program with 72 KiB of text, for the loader's sharing tests.
 *   bigtext             sleep until killed;
 *   bigtext data MS     check the initialized global, write it, sleep MS, check it again;
 *   bigtext patch MS    make answer()'s text page writable, patch it to return 7, call it,
 *                       and keep checking for MS;
 *   bigtext check MS    check answer() returns 42, for MS.
 * The exit status is 0 when every check held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE	  4096
#define DATA_INIT 0x5eed1234
#define DATA_MINE 0x0bad0bad
#define STEP_MS	  10
#define IDLE_MS	  1000
#define LI_A0_7	  0x00700513u /* addi a0, zero, 7 */
#define RET	  0x00008067u /* jalr zero, 0(ra) */
#define ANSWER	  42
#define PATCHED	  7
#define US_PER_MS 1000

volatile uint32_t initialized = DATA_INIT;

/* 72 KiB of straight-line text: never called, only mapped. */
__asm__(".text\n"
	".globl bigtext_body\n"
	"bigtext_body:\n"
	".option push\n"
	".option norvc\n"
	".rept 18432\n"
	"addi x0, x0, 0\n"
	".endr\n"
	"ret\n"
	".option pop\n");

void bigtext_body(void);

/* Alone on its page, so patching it touches nothing else. */
__attribute__((noipa, aligned(PAGE))) int answer(void)
{
	return ANSWER;
}

static void nap(void)
{
	usleep(STEP_MS * US_PER_MS);
}

static int data_role(long ms)
{
	int ok = initialized == DATA_INIT;
	initialized = DATA_MINE;
	for (long t = 0; t < ms; t += STEP_MS)
		nap();
	return ok && initialized == DATA_MINE ? 0 : 1;
}

static int patch_role(long ms)
{
	uintptr_t page = (uintptr_t)answer & ~(uintptr_t)(PAGE - 1);
	uint32_t code[2] = { LI_A0_7, RET };
	if (mprotect((void *)page, PAGE, PROT_READ | PROT_WRITE))
		return 2;
	memcpy((void *)answer, code, sizeof(code));
	if (mprotect((void *)page, PAGE, PROT_READ | PROT_EXEC))
		return 3;
	__asm__ volatile("fence.i" ::: "memory");
	for (long t = 0; t < ms; t += STEP_MS, nap())
		if (answer() != PATCHED)
			return 4;
	return answer() == PATCHED ? 0 : 5;
}

static int check_role(long ms)
{
	for (long t = 0; t < ms; t += STEP_MS, nap())
		if (answer() != ANSWER)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long ms = argc > 2 ? atol(argv[2]) : 0;
	__asm__ volatile("" ::"r"(bigtext_body)); /* keep the body: --gc-sections */
	if (argc > 1 && strcmp(argv[1], "data") == 0)
		return data_role(ms);
	if (argc > 1 && strcmp(argv[1], "patch") == 0)
		return patch_role(ms);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return check_role(ms);
	for (;;)
		usleep(IDLE_MS * US_PER_MS);
}
