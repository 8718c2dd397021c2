/*
 * A quota: how many bytes of frames and objects an owner may hold at once, and holds.
 * Kernel objects (object.c) and address spaces (vm/as.c) charge the same counters, so
 * the rule is written once, here; freestanding, so the host tests use it too.
 */
#ifndef LIB_QUOTA_H
#define LIB_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/abi/error.h"

struct quota {
	uint64_t limit;
	uint64_t used;
};

/* Charge bytes: 0, or E_QUOTA with nothing charged. */
static inline int quota_charge(struct quota *q, uint64_t bytes)
{
	if (q->used + bytes > q->limit)
		return E_QUOTA;
	q->used += bytes;
	return 0;
}

/* Give back bytes charged before. */
static inline void quota_refund(struct quota *q, uint64_t bytes)
{
	q->used -= bytes;
}

/* Charge bytes even past the limit (what is held already); true if now over it. */
static inline bool quota_charge_over(struct quota *q, uint64_t bytes)
{
	q->used += bytes;
	return q->used > q->limit;
}

#endif
