/*
 * A text page made writable and patched by the child is the child's alone: the parent
 * still runs the original code on that page.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE	4096
#define LI_A0_7 0x00700513u /* addi a0, zero, 7 */
#define RET	0x00008067u /* jalr zero, 0(ra) */

/* Alone on its page, so patching it touches nothing else. */
__attribute__((noipa, aligned(PAGE))) int answer(void)
{
	return 42;
}

static int patch_and_call(void)
{
	uintptr_t page = (uintptr_t)answer & ~(uintptr_t)(PAGE - 1);
	uint32_t code[2] = { LI_A0_7, RET };
	if (mprotect((void *)page, PAGE, PROT_READ | PROT_WRITE))
		return 1;
	memcpy((void *)answer, code, sizeof(code));
	if (mprotect((void *)page, PAGE, PROT_READ | PROT_EXEC))
		return 2;
	__asm__ volatile("fence.i" ::: "memory");
	return answer() == 7 ? 0 : 3;
}

int main(void)
{
	int st = -1;
	CHECK_EQ(answer(), 42);
	pid_t c = fork();
	if (c == 0)
		_exit(patch_and_call());
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	__asm__ volatile("fence.i" ::: "memory");
	CHECK_EQ(answer(), 42);
	return test_status();
}
