/* The run-time lock-order check of debug builds: see lockorder.h. */
#include "kernel/cpu/lockorder.h"

#ifdef KDEBUG
#include "kernel/cpu/hart.h"
#include "kernel/io/printk.h"

static const char *const class_name[LOCK_CLASSES] = {
	[LOCK_NONE] = "unchecked",
	[LOCK_BKL] = "the big kernel lock",
	[LOCK_AS] = "an address space's clone mark",
	[LOCK_FRAME_CACHE] = "a hart's frame cache lock",
	[LOCK_FRAMES] = "the frame pool lock",
	[LOCK_CONSOLE_RX] = "the console receive lock",
	[LOCK_PRINT] = "the printk lock",
};

/*
 * Report and stop. The printk lock is let go first if this hart holds it (panic prints
 * through it); the check is off from here, so the panic's own locking passes.
 */
static void __attribute__((noreturn)) order_broken(enum lock_class c, const char *what)
{
	struct hart *h = this_hart();
	uint32_t held = h->locks_held;
	h->locks_held = 0;
	h->lock_order_off = 1;
	if (held & (1u << LOCK_PRINT))
		printk_force_unlock();
	printk("\nlock order: hart %u %s %s (class %d) while it holds:", h->index, what,
	       class_name[c], c);
	for (int k = 1; k < LOCK_CLASSES; k++)
		if (held & (1u << k))
			printk(" %s (class %d)", class_name[k], k);
	printk("\n  the order is: the big kernel lock, then a clone mark, then a frame cache "
	       "lock, then the frame pool lock, then the console receive lock, then the printk "
	       "lock "
	       "(docs/architecture.md)\n");
	panic("lock order broken");
}

void lock_order_take(enum lock_class c)
{
	struct hart *h = this_hart();
	if (c == LOCK_NONE || h->lock_order_off)
		return;
	if (h->locks_held >> c) /* a lock of this class or a later one is held */
		order_broken(c, "takes");
	h->locks_held |= 1u << c;
}

void lock_order_drop(enum lock_class c)
{
	struct hart *h = this_hart();
	if (c == LOCK_NONE || h->lock_order_off)
		return;
	if (!(h->locks_held & (1u << c)))
		order_broken(c, "lets go of");
	h->locks_held &= ~(1u << c);
}

void lock_order_none(const char *where)
{
	struct hart *h = this_hart();
	if (h->lock_order_off || !h->locks_held)
		return;
	int c = 1;
	while (!(h->locks_held & (1u << c)))
		c++;
	order_broken((enum lock_class)c, where);
}
#endif
