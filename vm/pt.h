/*
 * Page-table operations on Sv39 trees whose tables are frames from kframes,
 * reached through the direct map.
 */
#ifndef VM_PT_H
#define VM_PT_H

#include <stdint.h>

#include "vm/frame.h"
#include "vm/pte.h"

/* A zeroed frame for a page table (count 1), or 0 when memory is out. */
pte_t *pt_alloc(void);
/*
 * The PTE for va at level (0 = 4 KiB leaf), creating missing tables when create is
 * set. NULL if a table is missing (or cannot be made), or a larger leaf is in the way.
 */
pte_t *pt_walk(pte_t *root, uint64_t va, int level, int create);
/* The leaf PTE that maps va at any level, and its level; NULL if unmapped. */
pte_t *pt_lookup(pte_t *root, uint64_t va, int *level);
/*
 * Map [va, va+size) to [pa, pa+size) with flags (V, A and D are added), using the
 * largest pages that alignment allows. 0, E_INVAL (bad alignment or flags), E_NOMEM,
 * or E_BUSY if something is already mapped there.
 */
int pt_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/* Remove a 4 KiB leaf and flush it; returns its PTE (0 if none). */
pte_t pt_unmap_page(pte_t *root, uint64_t va);

/* The kernel's root table, in every address space's upper half. */
extern pte_t *kernel_root;

/*
 * Whole level-0 tables, for fork's shared tables (docs/vm-cow.md). Every valid entry of
 * a level-0 table is a 4 KiB leaf. Tables are mostly empty or mostly full: the loops skip
 * eight zero entries at a time.
 */
#define PT_GROUP 8

static inline bool pt_group_empty(const pte_t *p)
{
	return (p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]) == 0;
}

/*
 * Fork's one pass over a level-0 table. With protect, private writable leaves become
 * copy-on-write (*changed is set if any did). Returns the number of leaves; *groups gets
 * bit g for each group of eight entries (g = index / 8) that holds any.
 */
static inline unsigned pt_l0_scan(pte_t *t, bool protect, uint64_t *groups, bool *changed)
{
	unsigned n = 0;
	uint64_t mask = 0;
	for (int g = 0; g < PT_ENTRIES / PT_GROUP; g++) {
		pte_t *p = &t[g * PT_GROUP];
		if (pt_group_empty(p))
			continue;
		mask |= 1UL << g;
		for (int j = 0; j < PT_GROUP; j++) {
			n += p[j] & PTE_V;
			if (protect && (p[j] & (PTE_V | PTE_W | PTE_SHARED)) == (PTE_V | PTE_W)) {
				p[j] = (p[j] & ~PTE_W) | PTE_COW;
				*changed = true;
			}
		}
	}
	*groups = mask;
	return n;
}

/* The groups of src named in groups (from pt_l0_scan) into a zeroed dst, a reference each. */
static inline void pt_l0_copy_groups(pte_t *dst, const pte_t *src, uint64_t groups,
				     struct frame_pool *p)
{
	for (int g = 0; groups; g++, groups >>= 1) {
		if (!(groups & 1))
			continue;
		for (int i = g * PT_GROUP; i < (g + 1) * PT_GROUP; i++) {
			if (!(src[i] & PTE_V))
				continue;
			frame_share(p, pte_pa(src[i]));
			dst[i] = src[i];
		}
	}
}

/* dst becomes a copy of src, and every frame src maps gains a reference (dst's). */
static inline void pt_l0_copy(pte_t *dst, const pte_t *src, struct frame_pool *p)
{
	/* Eight loads, eight stores, and the emptiness test on the loaded values. */
	for (const pte_t *s = src, *end = src + PT_ENTRIES; s < end;
	     s += PT_GROUP, dst += PT_GROUP) {
		pte_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
		pte_t a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7];
		dst[0] = a0, dst[1] = a1, dst[2] = a2, dst[3] = a3;
		dst[4] = a4, dst[5] = a5, dst[6] = a6, dst[7] = a7;
		if ((a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7) == 0)
			continue;
		for (int j = 0; j < PT_GROUP; j++)
			if (s[j] & PTE_V)
				frame_share(p, pte_pa(s[j]));
	}
}

#endif
