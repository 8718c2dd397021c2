/*
 * Address-space identifiers (satp.ASID) for live address spaces: no two live spaces
 * share one, however many came and went. A hart caches translations tagged with the
 * ASID and keeps them across satp writes, so two live spaces with one ASID would use
 * each other's translations. (A counter that wrapped did exactly that after 2^bits - 1
 * spaces while an older one still lived.)
 *
 * The pool is a bitmap of the ASIDs in use and one of those given back since every
 * hart last flushed all its translations (dirty: some hart may still cache entries
 * tagged with it). A new space gets a clean one, which needs no flush before use; when
 * only dirty ones are free the caller flushes every hart and calls asid_clean (once
 * per 65,534 spaces with 16 bits). ASID 0 is the kernel's tree's and never handed out.
 * When every other ASID is taken, a new space gets the pool's shared ASID, the
 * highest, which any number of spaces may hold: switching to a space that holds it
 * flushes it (tlb.c). With no ASID bits at all every space is 0, the shared one.
 * Pure logic: the host unit tests run it as it is.
 */
#ifndef VM_ASID_H
#define VM_ASID_H

#include <stdint.h>

#define ASID_BITS_MAX 16 /* satp.ASID in Sv39 */
#define ASID_WORDS    ((1u << ASID_BITS_MAX) / 64)

struct asid_pool {
	uint32_t n;		    /* ASIDs the hart has: 1 << bits */
	uint16_t shared;	    /* the one every space gets once the rest are taken */
	uint16_t next;		    /* where the search for a free one starts */
	uint64_t used[ASID_WORDS];  /* bit a: ASID a is held (0, shared and past n: always) */
	uint64_t dirty[ASID_WORDS]; /* bit a: given back, and maybe still cached by a hart */
};

#define ASID_BIT(a) (1UL << ((a) % 64))

/* A pool for a hart with bits ASID bits (0 to ASID_BITS_MAX). */
void asid_pool_init(struct asid_pool *p, unsigned bits);
/* asid_take's answer when the only free ASIDs are dirty: flush every hart, asid_clean. */
#define ASID_FLUSH_FIRST 0x10000u

/* asid_take's search, when next is held or dirty. */
uint32_t asid_search(struct asid_pool *p);
/* Every hart has flushed all its translations: the dirty ASIDs are clean again. */
void asid_clean(struct asid_pool *p);

/*
 * A free, clean ASID, now held; the shared one if none is free; ASID_FLUSH_FIRST if the
 * free ones are all dirty. Inline for fork: next is nearly always free and clean (ASIDs
 * go round in order). It is never past the shared one, which is held, so next + 1 needs
 * no wrap here: the search does that.
 */
static inline uint32_t asid_take(struct asid_pool *p)
{
	uint16_t a = p->next;
	uint64_t *w = &p->used[a / 64];
	if ((*w | p->dirty[a / 64]) & ASID_BIT(a))
		return asid_search(p);
	*w |= ASID_BIT(a);
	p->next = (uint16_t)(a + 1);
	return a;
}

/*
 * asid, from asid_take, is free again (the kernel's 0 and the shared one stay held), but
 * dirty: harts that ran its space may cache its translations until they flush them all.
 */
static inline void asid_give(struct asid_pool *p, uint16_t asid)
{
	if (asid != 0 && asid < p->shared) {
		p->used[asid / 64] &= ~ASID_BIT(asid);
		p->dirty[asid / 64] |= ASID_BIT(asid);
	}
}

#endif
