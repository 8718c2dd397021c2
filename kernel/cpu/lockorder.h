/*
 * The kernel's lock order, checked at run time in debug builds (make KDEBUG=1). Every
 * lock has a class; a hart may take a lock only while every lock it holds has a lower
 * class, so no two harts can each wait for a lock the other holds. Taking a lock of a
 * class it already holds (one hart twice, or two locks of one class) is an error too.
 * docs/architecture.md ("Lock order") says what each lock protects.
 */
#ifndef KERNEL_LOCKORDER_H
#define KERNEL_LOCKORDER_H

#include <stdint.h>

/* In the order they must be taken. */
enum lock_class {
	LOCK_NONE = 0,	  /* unchecked */
	LOCK_BKL,	  /* the big kernel lock: all kernel state (kernel/cpu/smp.c) */
	LOCK_AS,	  /* a fork's clone mark on two address spaces (vm/as.h) */
	LOCK_FRAME_CACHE, /* a hart's cache of free frames (vm/frame.h) */
	LOCK_FRAMES,	  /* the frame pool's free stacks (vm/frame.h) */
	LOCK_CONSOLE_RX,  /* the console's receive ring (kernel/io/console.c) */
	LOCK_PRINT,	  /* printk's output, so lines do not interleave (kernel/io/printk.c) */
	LOCK_CLASSES
};

#ifdef KDEBUG
/* This hart is about to take a lock of class c: panic if it breaks the order. */
void lock_order_take(enum lock_class c);
/* This hart has let go of it. */
void lock_order_drop(enum lock_class c);
/* This hart must hold no lock now (on its way to user mode, or to idle): panic if it does. */
void lock_order_none(const char *where);
#else
static inline void lock_order_take(enum lock_class c)
{
	(void)c;
}
static inline void lock_order_drop(enum lock_class c)
{
	(void)c;
}
static inline void lock_order_none(const char *where)
{
	(void)where;
}
#endif

#endif
