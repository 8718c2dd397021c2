/*
 * Spinlocks that also mask interrupts on this hart while held, so an interrupt
 * handler can never spin on a lock its own hart holds.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>

#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"

struct spinlock {
	volatile uint32_t locked;
	enum lock_class class; /* its place in the lock order (lockorder.h) */
};

#define SPINLOCK_INIT(cls)                  \
	{                                   \
		.locked = 0, .class = (cls) \
	}

/* Take the lock; returns the previous interrupt state for spin_unlock. */
static inline uint64_t spin_lock(struct spinlock *l)
{
	uint64_t s = csr_read(sstatus) & SSTATUS_SIE;
	irq_off();
	lock_order_take(l->class); /* before spinning: an inversion panics, not hangs */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	return s;
}

static inline void spin_unlock(struct spinlock *l, uint64_t saved)
{
	lock_order_drop(l->class);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (saved)
		irq_on();
}

#endif
