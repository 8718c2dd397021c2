/*
 * Wait on an address (futex_wait, futex_wake): the kernel half of user-level locks.
 * A waiter sleeps only while a 32-bit word still holds the value it last saw, so a lock
 * that is never contended needs no system call at all.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <stdint.h>

struct task;
struct thread;

#define FUTEX_NO_DEADLINE UINT64_MAX /* a deadline that never comes */

/*
 * Block t while the word at va still holds val, until a wake or the timebase reaches
 * deadline: 0 if t now sleeps (its a0 is set when it wakes), else E_INVAL (misaligned),
 * E_FAULT (not readable), E_AGAIN (the word differs) or E_TIMEOUT (deadline passed).
 */
int futex_wait(struct thread *t, uint64_t va, uint32_t val, uint64_t deadline);
/* Wake up to n threads waiting on the word at va in task: how many, or E_INVAL / E_FAULT. */
long futex_wake(struct task *task, uint64_t va, uint64_t n);

#endif
