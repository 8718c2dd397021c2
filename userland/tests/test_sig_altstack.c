/*
 * sigaltstack (POSIX): its errors (ENOMEM below MINSIGSTKSZ, EINVAL for a bad flag,
 * EPERM while on it), SS_DISABLE and SS_ONSTACK as reported; an SA_ONSTACK handler runs
 * on the alternate stack, one without it on the interrupted stack; a SIGSEGV handler
 * with SA_ONSTACK runs after a stack overflow (the stack itself is full).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define OVERFLOW_EXIT 42

static char alt[SIGSTKSZ] __attribute__((aligned(16)));

static int inside_alt(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)alt && (uintptr_t)p < (uintptr_t)alt + sizeof(alt);
}

static volatile int h_on_alt, h_flags, h_eperm, h_ran;

static void on_usr(int sig)
{
	volatile char here = 0;
	stack_t now, again = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 };
	(void)sig;
	h_on_alt = inside_alt((const void *)&here);
	sigaltstack(0, &now);
	h_flags = now.ss_flags;
	errno = 0;
	h_eperm = h_on_alt && sigaltstack(&again, 0) == -1 && errno == EPERM;
	h_ran++;
}

/* Not a tail call: each frame holds its array until the inner call returns. */
static volatile uint64_t depth_limit = 1UL << 40; /* never reached: the stack runs out */
static __attribute__((noinline)) uint64_t deep(uint64_t n)
{
	volatile uint8_t frame[512];
	for (unsigned i = 0; i < sizeof(frame); i += 64)
		frame[i] = (uint8_t)(n + i);
	uint64_t below = n < depth_limit ? deep(n + 1) : 0;
	return below + frame[n % sizeof(frame)];
}

static void on_segv(int sig, siginfo_t *info, void *ctx)
{
	volatile char here = 0;
	(void)ctx;
	_exit(sig == SIGSEGV && info->si_signo == SIGSEGV && inside_alt((const void *)&here)
		      ? OVERFLOW_EXIT
		      : 1);
}

static void test_errors(void)
{
	stack_t ss, old;
	memset(&old, 0, sizeof(old));
	CHECK_EQ(sigaltstack(0, &old), 0);
	CHECK(old.ss_flags == SS_DISABLE);
	CHECK(MINSIGSTKSZ <= SIGSTKSZ);
	ss = (stack_t){ .ss_sp = alt, .ss_size = MINSIGSTKSZ - 1, .ss_flags = 0 };
	errno = 0;
	CHECK(sigaltstack(&ss, 0) == -1 && errno == ENOMEM);
	ss = (stack_t){ .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0x40 };
	errno = 0;
	CHECK(sigaltstack(&ss, 0) == -1 && errno == EINVAL);
	CHECK_EQ(sigaltstack(0, &old), 0);
	CHECK(old.ss_flags == SS_DISABLE); /* nothing changed */
}

static void test_handlers(void)
{
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 }, old;
	CHECK_EQ(sigaltstack(&ss, 0), 0);
	CHECK_EQ(sigaltstack(0, &old), 0);
	CHECK(old.ss_sp == alt && old.ss_size == sizeof(alt) && old.ss_flags == 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr;
	sa.sa_flags = SA_ONSTACK;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	sa.sa_flags = 0;
	CHECK_EQ(sigaction(SIGUSR2, &sa, 0), 0);

	h_ran = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(h_ran, 1);
	CHECK(h_on_alt && h_flags == SS_ONSTACK && h_eperm);

	CHECK_EQ(raise(SIGUSR2), 0);
	CHECK_EQ(h_ran, 2);
	CHECK(!h_on_alt && h_flags == 0 && !h_eperm);

	/* SS_DISABLE: SA_ONSTACK handlers run where they are. */
	ss.ss_flags = SS_DISABLE;
	CHECK_EQ(sigaltstack(&ss, &old), 0);
	CHECK(old.ss_sp == alt && old.ss_flags == 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK(h_ran == 3 && !h_on_alt && h_flags == SS_DISABLE);
	CHECK_EQ(sigaltstack(0, &old), 0);
	CHECK_EQ(old.ss_flags, SS_DISABLE);
}

/* A child overflows its stack: its SIGSEGV handler runs on the alternate stack. */
static void test_overflow(void)
{
	int st = 0;
	pid_t pid = fork();
	if (pid == 0) {
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0 };
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigaction(SIGSEGV, &sa, 0);
		sigaltstack(&ss, 0);
		_exit((int)deep(0) & 0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == OVERFLOW_EXIT);

	/* Without an alternate stack there is nowhere to run it: the child dies of it. */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigaction(SIGSEGV, &sa, 0);
		_exit((int)deep(0) & 0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

int main(void)
{
	test_errors();
	test_handlers();
	test_overflow();
	return test_status();
}
