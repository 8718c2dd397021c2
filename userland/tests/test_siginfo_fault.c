/*
 * A fault's siginfo_t (docs/signals.md): si_code and si_addr as POSIX gives them.
 * SIGSEGV says SEGV_MAPERR for an address nothing is mapped at and SEGV_ACCERR for a
 * mapped page its protection forbids, with the address accessed; SIGBUS says BUS_ADRALN
 * for a misaligned atomic; SIGILL (ILL_ILLOPC) and SIGTRAP (TRAP_BRKPT, from ebreak) give
 * the faulting instruction's address. A signal sent by kill still says SI_USER.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static sigjmp_buf back;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile pid_t got_pid;
static volatile uint32_t words[4];
static volatile uintptr_t nowhere = 0x18; /* nothing is mapped in the first page */

static void on_fault(int sig, siginfo_t *info, void *context)
{
	(void)context;
	got_sig = info->si_signo == sig ? sig : -1;
	got_code = info->si_code;
	got_addr = info->si_addr;
	got_pid = info->si_pid;
	siglongjmp(back, 1);
}

/* Runs what, which must fault: 1 if the handler ran (got_* then say what it saw). */
static int faults(void (*what)(void *), void *arg)
{
	got_sig = got_code = 0;
	got_addr = 0;
	got_pid = -1;
	if (sigsetjmp(back, 1) == 0) {
		what(arg);
		return 0;
	}
	return 1;
}

static void load(void *p)
{
	(void)*(volatile int *)p;
}

static void store(void *p)
{
	*(volatile int *)p = 1;
}

static void call(void *p)
{
	((void (*)(void))p)();
}

static void misaligned_amo(void *p)
{
	int old;
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(1) : "memory");
	(void)old;
}

extern char illegal_at[], ebreak_at[];

static __attribute__((noinline)) void illegal(void *p)
{
	(void)p;
	__asm__ volatile(".globl illegal_at\nillegal_at: .word 0");
}

static __attribute__((noinline)) void breakpoint(void *p)
{
	(void)p;
	__asm__ volatile(".globl ebreak_at\nebreak_at: ebreak");
}

static void segv_cases(void)
{
	char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	page[0] = 1;

	CHECK(faults(load, (void *)nowhere));
	CHECK_EQ(got_sig, SIGSEGV);
	CHECK_EQ(got_code, SEGV_MAPERR);
	CHECK(got_addr == (void *)nowhere);
	CHECK_EQ(got_pid, 0);

	CHECK(faults(store, (void *)nowhere));
	CHECK_EQ(got_code, SEGV_MAPERR);
	CHECK(got_addr == (void *)nowhere);

	CHECK_EQ(mprotect(page, 4096, PROT_READ), 0);
	CHECK(faults(store, page + 100));
	CHECK_EQ(got_sig, SIGSEGV);
	CHECK_EQ(got_code, SEGV_ACCERR);
	CHECK(got_addr == page + 100);
	CHECK_EQ(page[0], 1); /* the store never happened */

	/* A jump into a page mapped without execute: the fetch address. */
	CHECK(faults(call, page + 64));
	CHECK_EQ(got_sig, SIGSEGV);
	CHECK_EQ(got_code, SEGV_ACCERR);
	CHECK(got_addr == page + 64);

	CHECK_EQ(munmap(page, 4096), 0);
	CHECK(faults(load, page + 8));
	CHECK_EQ(got_code, SEGV_MAPERR);
	CHECK(got_addr == page + 8);
}

static void other_cases(void)
{
	char *odd = (char *)&words[1] + 1;
	CHECK(faults(misaligned_amo, odd));
	CHECK_EQ(got_sig, SIGBUS);
	CHECK_EQ(got_code, BUS_ADRALN);
	CHECK(got_addr == odd);

	CHECK(faults(illegal, 0));
	CHECK_EQ(got_sig, SIGILL);
	CHECK_EQ(got_code, ILL_ILLOPC);
	CHECK(got_addr == illegal_at);

	CHECK(faults(breakpoint, 0));
	CHECK_EQ(got_sig, SIGTRAP);
	CHECK_EQ(got_code, TRAP_BRKPT);
	CHECK(got_addr == ebreak_at);
}

/* kill of SIGSEGV is no fault: SI_USER and the sender, and no fault's address. */
static void sent_case(void)
{
	got_sig = got_code = 0;
	got_addr = (void *)1;
	if (sigsetjmp(back, 1) == 0) {
		kill(getpid(), SIGSEGV);
		CHECK(!"the handler did not run");
	}
	CHECK_EQ(got_sig, SIGSEGV);
	CHECK_EQ(got_code, SI_USER);
	CHECK_EQ(got_pid, getpid());
	CHECK(got_addr == 0);
}

/* With no handler, ebreak kills with SIGTRAP. */
static void default_trap(void)
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTRAP, SIG_DFL);
		breakpoint(0);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGSEGV, &sa, 0), 0);
	CHECK_EQ(sigaction(SIGBUS, &sa, 0), 0);
	CHECK_EQ(sigaction(SIGILL, &sa, 0), 0);
	CHECK_EQ(sigaction(SIGTRAP, &sa, 0), 0);
	segv_cases();
	other_cases();
	sent_case();
	default_trap();
	return test_status();
}
