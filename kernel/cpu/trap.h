/* Traps: the saved register frame and the dispatch entry points. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

/* Register numbers in trapframe.x[]. */
enum reg {
	REG_RA = 1,
	REG_SP = 2,
	REG_GP = 3,
	REG_TP = 4,
	REG_T0 = 5,
	REG_T1 = 6,
	REG_T2 = 7,
	REG_S0 = 8,
	REG_S1 = 9,
	REG_A0 = 10,
	REG_A1 = 11,
	REG_A2 = 12,
	REG_A3 = 13,
	REG_A4 = 14,
	REG_A5 = 15,
	REG_A6 = 16,
	REG_A7 = 17,
	REG_T3 = 28,
	REG_T4 = 29,
	REG_T5 = 30,
	REG_T6 = 31,
};

/*
 * Saved by trap_entry; offsets are fixed in trapvec.S (TF_*). A kernel trap pushes one on
 * the stack and fills it all. A thread's own frame (struct thread) gets only x[1..31] and
 * sepc from a user trap; its x[0] slot holds the hart it runs on while in user mode, and
 * sstatus, scause and stval are not used (trap_user gets scause as its argument).
 */
struct trapframe {
	uint64_t x[32]; /* x[2] is the interrupted sp */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};

void trap_kernel(struct trapframe *tf);
/*
 * A trap from user mode (the registers are saved in the running thread's frame): handle
 * it, pick who runs next, return that thread's frame.
 */
struct trapframe *trap_user(uint64_t scause);
/* The same for a system call (trapvec.S tells them apart). */
struct trapframe *trap_syscall(struct trapframe *tf);
/*
 * A store page fault from user mode, s0-s11 still in the registers: 0 if resolved (the
 * thread resumes with its registers), else the value to pass, with the frame complete,
 * to trap_store_fault_report(), which reports the fault and returns the frame to resume.
 */
int trap_store_fault(void);
struct trapframe *trap_store_fault_report(int f);
/*
 * Several harts, the big lock held: the frames of copy-on-write copies being made for
 * threads that died meanwhile (another hart copies without the lock) are back once this
 * returns; true if there were any. Part of the frame pool's settle hook (smp.c).
 */
bool trap_settle_copies(void);
/* Pick the next thread and prepare its frame for user_return. */
struct trapframe *trap_resume(void);
/* A hart's first entry to user mode, with a frame from trap_resume (trapvec.S). */
void user_return(struct trapframe *tf) __attribute__((noreturn));
/*
 * Return to user mode in the thread whose frame is to, with the message registers (tag,
 * words) loaded from the frame from, t6 = badge and a0 = 0 (trapvec.S): the end of a fast
 * IPC on one hart. Declared to return a frame so that the fast path can tail-call it.
 */
struct trapframe *ipc_return(struct trapframe *to, struct trapframe *from, uint64_t badge);
const char *trap_cause_name(uint64_t scause);

/*
 * Read 8 bytes at va, or return E_FAULT instead of trapping if it is not mapped.
 * The only place the kernel expects a fault of its own; used by self-tests.
 */
int probe_load(uint64_t va, uint64_t *out);

#endif
