/*
 * The frame the upcall call (docs/syscalls.md 40) writes on a thread's user stack, and
 * upcall_return (39) reads back. Shared with user space (userland/lib/signal.c).
 */
#ifndef ABI_UPCALL_H
#define ABI_UPCALL_H

#include <stdint.h>

#define UPCALL_REGS 32

/*
 * upcall_stack (docs/syscalls.md 51) keeps a stack top to 64 bytes: every user address
 * (below 2^38) then fits the kernel's 32-bit field.
 */
#define UPCALL_STACK_SHIFT 6

/* cpu_time's a1 (docs/syscalls.md 52), besides 0 (the whole task) and a thread id. */
#define CPU_TIME_CALLER UINT64_MAX	 /* the calling thread */
#define CPU_TIME_OLDEST (UINT64_MAX - 1) /* the task's oldest live thread */
#define CPU_TIME_HZ	100		 /* its resolution: sampled at each timer tick */

/* flags */
#define UPCALL_INTERRUPTED 1 /* a blocking call was cut short: it returns E_INTR */
#define UPCALL_PARKED	   2 /* that call was one its server had parked (reply_save) */

struct upcall_frame {
	uint64_t regs[UPCALL_REGS]; /* x1..x31 at their index; regs[0] holds the pc */
	uint64_t flags;
	uint64_t restart_a0; /* INTERRUPTED: the call's a0, to run it again from pc - 4 */
};

#endif
