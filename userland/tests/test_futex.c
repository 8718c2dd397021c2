/*
 * The kernel's wait-on-address calls (docs/syscalls.md 38, 39): every error, a wake
 * between threads of one task, a deadline that passes, and a wake across two processes
 * through a MAP_SHARED page (keyed by physical address) while a private word of the
 * same address in parent and child stays apart.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "futex.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

static volatile uint32_t word;
static volatile int woke;

static uint64_t now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static void errors(void)
{
	CHECK_EQ(SYSCALL(futex_wait, (uintptr_t)&word + 1, 0, FUTEX_FOREVER), E_INVAL);
	CHECK_EQ(SYSCALL(futex_wake, (uintptr_t)&word + 2, 1), E_INVAL);
	CHECK_EQ(SYSCALL(futex_wait, 0, 0, FUTEX_FOREVER), E_FAULT);
	CHECK_EQ(SYSCALL(futex_wait, 0xffffffc000000000UL, 0, FUTEX_FOREVER), E_FAULT);
	CHECK_EQ(SYSCALL(futex_wake, 0x10, 1), E_FAULT);
	word = 5;
	CHECK_EQ(SYSCALL(futex_wait, (uintptr_t)&word, 4, FUTEX_FOREVER), E_AGAIN);
	CHECK_EQ(SYSCALL(futex_wait, (uintptr_t)&word, 5, 0), E_TIMEOUT);
	CHECK_EQ(SYSCALL(futex_wake, (uintptr_t)&word, 10), 0); /* nobody waits */
}

static void waiter(void *unused)
{
	(void)unused;
	while (word == 0)
		CHECK(SYSCALL(futex_wait, (uintptr_t)&word, 0, FUTEX_FOREVER) == 0 || word != 0);
	__atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
}

/* Two threads sleep on the word; one store and one wake of 2 lets both go. */
static void wake_threads(void)
{
	thread_t a, b;
	word = 0;
	CHECK_EQ(thread_create(&a, waiter, 0), 0);
	CHECK_EQ(thread_create(&b, waiter, 0), 0);
	for (int i = 0; i < 20; i++)
		SYSCALL(yield); /* let them sleep (a wake before the sleep is fine too) */
	CHECK_EQ(woke, 0);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	long n = 0;
	while (woke < 2)
		n += SYSCALL(futex_wake, (uintptr_t)&word, 2);
	CHECK(n <= 2);
	thread_join(a);
	thread_join(b);
	CHECK_EQ(woke, 2);
}

/* A deadline 20 ms ahead: E_TIMEOUT, and not before it. */
static void deadline(void)
{
	struct sysinfo si = { 0 };
	SYSCALL(sysinfo, &si);
	word = 7;
	uint64_t end = now() + si.timebase_hz / 50;
	CHECK_EQ(SYSCALL(futex_wait, (uintptr_t)&word, 7, end), E_TIMEOUT);
	CHECK(now() >= end);
}

/* Parent and child: a wake through the shared page reaches the other process. */
static void across_processes(void)
{
	volatile uint32_t *shared =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	if (shared == MAP_FAILED)
		return;
	shared[0] = 0;
	word = 0;
	pid_t pid = fork();
	if (pid == 0) {
		/* A private word at the same address: a wake on it must not reach the parent. */
		SYSCALL(futex_wake, (uintptr_t)&word, 10);
		while (shared[0] == 0)
			SYSCALL(futex_wait, (uintptr_t)&shared[0], 0, FUTEX_FOREVER);
		shared[1] = 1;
		_exit(0);
	}
	for (int i = 0; i < 20; i++)
		SYSCALL(yield);
	__atomic_store_n(&shared[0], 1, __ATOMIC_SEQ_CST);
	while (SYSCALL(futex_wake, (uintptr_t)&shared[0], 1) == 0 && shared[1] == 0)
		SYSCALL(yield);
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(shared[1], 1);
	munmap((void *)shared, 4096);
}

int main(void)
{
	errors();
	wake_threads();
	deadline();
	across_processes();
	return test_status();
}
