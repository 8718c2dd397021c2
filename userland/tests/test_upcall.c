/*
 * The kernel's upcall and upcall_return (docs/syscalls.md 40, 41), used directly: a
 * thread diverts itself and gets its registers back; a blocked futex_wait is cut short
 * with E_INTR and a frame that says how to run it again (and running it again works);
 * a bad frame pointer is E_FAULT; a forged frame kills only its own process.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "futex.h"
#include "kernel/abi/upcall.h"
#include "syscall.h"
#include "testlib.h"
#include "threads.h"

static volatile long got0, got1, runs;
static volatile uint64_t got_flags, got_restart, got_sp_ok;
static volatile uint64_t intr_flags, intr_restart; /* the first upcall that cut a call short */
static volatile int restart_it;
static volatile uint32_t word;

/* Entered with a0, a1 from the upcall and a2 = the frame, on the stack below it. */
static void handler(long a0, long a1, struct upcall_frame *f)
{
	/* The first upcall of a round is the one checked: with several harts the sender may
	 * send another before it sees runs, which finds us later (in thread_join, say). */
	if (!runs) {
		got0 = a0;
		got1 = a1;
		got_flags = f->flags;
		got_restart = f->restart_a0;
		got_sp_ok = f->regs[2] > (uint64_t)f; /* the frame is below the interrupted sp */
	}
	if ((f->flags & UPCALL_INTERRUPTED) && !intr_flags) {
		intr_flags = f->flags;
		intr_restart = f->restart_a0;
	}
	if (restart_it && (f->flags & UPCALL_INTERRUPTED)) {
		f->regs[0] -= 4; /* back onto the ecall, with its first argument */
		f->regs[10] = f->restart_a0;
	}
	runs++;
	SYSCALL(upcall_return, (uintptr_t)f);
	for (;;) /* not reached: upcall_return does not come back on success */
		;
}

static void self_upcall(void)
{
	long callee_saved = 0x5eed;
	__asm__ volatile("" : "+r"(callee_saved));
	long r = SYSCALL(upcall, SLOT_SELF, (uintptr_t)handler, 7, 8, 0);
	CHECK_EQ(r, 0);
	CHECK_EQ(runs, 1);
	CHECK(got0 == 7 && got1 == 8 && got_flags == 0 && got_sp_ok);
	CHECK_EQ(callee_saved, 0x5eed);
}

static void sender(void *unused)
{
	(void)unused;
	while (!runs) {
		SYSCALL(upcall, SLOT_SELF, (uintptr_t)handler, 21, 22, 0);
		for (int i = 0; i < 50 && !runs; i++)
			SYSCALL(yield);
	}
}

static uint64_t soon(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t + 200000; /* 20 ms at 10 MHz */
}

/*
 * The oldest thread (this one) waits; a second one diverts it. On one hart it is always
 * asleep by then (E_INTR); with several it may be running, and the handler runs first.
 * Then the sender may divert it again before it sees runs, and that one may cut the
 * wait short: what a wait cut short is checked against is the upcall that cut it.
 */
static void interrupted_wait(int restart)
{
	thread_t s;
	runs = 0;
	intr_flags = intr_restart = 0;
	restart_it = restart;
	word = 0;
	CHECK_EQ(thread_create(&s, sender, 0), 0);
	long r = 0;
	int intr = 0;
	while (!runs) {
		r = SYSCALL(futex_wait, (uintptr_t)&word, 0, soon());
		intr |= r == E_INTR;
	}
	thread_join(s);
	CHECK(got0 == 21 && got1 == 22);
	if (intr || intr_flags) {
		CHECK(intr_flags == UPCALL_INTERRUPTED);
		CHECK_EQ(intr_restart, (uintptr_t)&word);
		CHECK(restart ? !intr : intr); /* restarted: the wait ran on to its deadline */
	}
	if (got_flags & UPCALL_INTERRUPTED) /* the first upcall cut the wait short */
		CHECK_EQ(got_restart, (uintptr_t)&word);
}

static void bad_frames(void)
{
	CHECK_EQ(SYSCALL(upcall_return, 0), E_FAULT);
	CHECK_EQ(SYSCALL(upcall_return, 0xffffffc000000000UL), E_FAULT);
	CHECK_EQ(SYSCALL(upcall, 400, (uintptr_t)handler, 0, 0, 0), E_BADCAP);
	/* A forged frame: pc in the kernel, sp nowhere. Only this child may die of it. */
	pid_t pid = fork();
	if (pid == 0) {
		static struct upcall_frame f;
		memset(&f, 0x41, sizeof(f));
		f.regs[0] = 0xffffffff80200000UL;
		SYSCALL(upcall_return, (uintptr_t)&f);
		_exit(0); /* not reached */
	}
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

int main(void)
{
	self_upcall();
	interrupted_wait(0);
	interrupted_wait(1);
	bad_frames();
	return test_status();
}
