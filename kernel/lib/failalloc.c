/*
 * Fault injection (debug builds): see failalloc.h. Callers hold the kernel lock, but for
 * a fork's clone (kernel/core/fork.c): the count is atomic.
 */
#include "kernel/lib/failalloc.h"

#ifdef KDEBUG
static uint64_t counted; /* allocations asked for since the last arming */
static uint64_t target;	 /* the next one that fails; 0: none */
static uint64_t period;	 /* then every period-th one after it; 0: only that one */

bool failalloc_hit(void)
{
	if (__atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED) != target)
		return false;
	target += period;
	return true;
}

long failalloc_arm(uint64_t n, uint64_t every)
{
	long before = (long)counted;
	counted = 0;
	target = n;
	period = n ? every : 0;
	return before;
}
#endif
