/*
 * A child killed by a misaligned atomic reports SIGBUS under <signal.h>'s number (issue
 * 12, defect 4: the fork server said 7, which is SIGEMT in picolibc, not SIGBUS), and a
 * bad store reports SIGSEGV, an illegal instruction SIGILL.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static volatile uint32_t words[4];
static volatile uintptr_t nowhere = 0x10; /* nothing is mapped in the first page */

static int dies_of(void (*what)(void))
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		what();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
		return -1;
	return WTERMSIG(st);
}

static void misaligned_amo(void)
{
	uintptr_t odd = (uintptr_t)&words[1] + 1;
	int old;
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(odd), "r"(1) : "memory");
	(void)old;
}

static void bad_store(void)
{
	*(volatile int *)nowhere = 1;
}

static void illegal(void)
{
	__asm__ volatile(".word 0");
}

int main(void)
{
	CHECK_EQ(dies_of(misaligned_amo), SIGBUS);
	CHECK_EQ(dies_of(bad_store), SIGSEGV);
	CHECK_EQ(dies_of(illegal), SIGILL);
	return test_status();
}
