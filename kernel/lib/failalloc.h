/*
 * Fault injection at every kernel allocation, in debug builds only (make KDEBUG=1).
 *
 * Every allocation of a frame (user page, page table, slab) and every kernel-object or
 * other small kernel allocation asks failalloc_hit() first. Once armed with n, the nth
 * such request from then on fails as if memory had run out (one shot: the ones after it
 * succeed again, unless a period is given), so a test can walk n over every allocation a
 * workload makes and check that each failure is rolled back. Armed from the command line (failalloc=N) or by the
 * failalloc system call (docs/syscalls.md). In an ordinary build the hook is a constant
 * false, and arming answers E_NOSYS.
 */
#ifndef KERNEL_LIB_FAILALLOC_H
#define KERNEL_LIB_FAILALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/abi/error.h"

#ifdef KDEBUG
/* Count one allocation; true if it is the one that must fail. */
bool failalloc_hit(void);
/*
 * Fail the nth allocation from now (0: none), then every one in `every` after it (0: just
 * the one); returns the count since the last arming.
 */
long failalloc_arm(uint64_t n, uint64_t every);
#else
static inline bool failalloc_hit(void)
{
	return false;
}
static inline long failalloc_arm(uint64_t n, uint64_t every)
{
	(void)n;
	(void)every;
	return E_NOSYS;
}
#endif

#endif
