/* Fault injection (debug builds): see failalloc.h. Callers hold the kernel lock. */
#include "kernel/lib/failalloc.h"

#ifdef KDEBUG
static uint64_t counted; /* allocations asked for since the last arming */
static uint64_t target;	 /* the one that fails; 0: none */

bool failalloc_hit(void)
{
	return ++counted == target;
}

long failalloc_arm(uint64_t n)
{
	long before = (long)counted;
	counted = 0;
	target = n;
	return before;
}
#endif
