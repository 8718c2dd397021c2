/* The ASID pool: see asid.h. */
#include "vm/asid.h"

#include "vm/pt.h"

void asid_pool_init(struct asid_pool *p, unsigned bits)
{
	p->n = 1u << bits;
	p->shared = (uint16_t)(p->n - 1);
	p->next = 1;
	for (unsigned w = 0; w < ASID_WORDS; w++)
		p->used[w] = p->dirty[w] = 0;
	/* Past n, the kernel's 0 and the shared one are never free: the search skips them. */
	for (uint32_t a = p->n; a < ASID_WORDS * 64 && a % 64; a++)
		p->used[a / 64] |= ASID_BIT(a);
	p->used[0] |= ASID_BIT(0);
	p->used[p->shared / 64] |= ASID_BIT(p->shared);
}

/*
 * First free, clean ASID at or after next, wrapping once: one word per 64 ASIDs. Free
 * ones that are all dirty ask for the flush first; none free at all gives the shared one.
 */
uint32_t asid_search(struct asid_pool *p)
{
	uint32_t words = (p->n + 63) / 64, start = p->next / 64;
	uint64_t dirty = 0;
	for (uint32_t i = 0; i <= words; i++) {
		uint32_t w = (start + i) % words;
		uint64_t free = ~p->used[w];
		if (i == 0)
			free &= ~0UL << (p->next % 64); /* this round: from next on */
		dirty |= free & p->dirty[w];
		free &= ~p->dirty[w];
		if (free) {
			uint32_t a = w * 64 + pt_lowest_group(free); /* its lowest set bit */
			p->used[w] |= ASID_BIT(a);
			p->next = (uint16_t)(a + 1 < p->n ? a + 1 : 1);
			return a;
		}
	}
	return dirty ? ASID_FLUSH_FIRST : p->shared;
}

void asid_clean(struct asid_pool *p)
{
	for (unsigned w = 0; w < ASID_WORDS; w++)
		p->dirty[w] = 0;
}
