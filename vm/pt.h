/*
 * Page-table operations on Sv39 trees whose tables are frames from kframes,
 * reached through the direct map.
 */
#ifndef VM_PT_H
#define VM_PT_H

#include <stdint.h>

#include "vm/frame.h"
#include "vm/pte.h"

/* A zeroed frame for a page table (count 1, group mask 0), or 0 when memory is out. */
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
 * Group masks. Every frame used as a page table has a 64-bit mask in its pool
 * (p->groups): bit g clear means entries 8g..8g+7 are all zero; set, they may not be.
 * Whoever stores a non-zero entry marks its group (pt_mark), so walks of a whole table
 * (fork, teardown, pruning) visit only the marked groups instead of testing all 64. A
 * mask may say more than the table holds (entries cleared later), never less.
 */
static inline uint64_t *pt_groups(struct frame_pool *p, uint64_t table_pa)
{
	return &p->groups[(table_pa - p->base) >> FRAME_SHIFT];
}

/* The group of entry e of a table: bits 6..11 of its address (8 entries of 8 bytes). */
static inline unsigned pt_group_of(const pte_t *e)
{
	return ((uint64_t)e >> 6) & (PT_ENTRIES / PT_GROUP - 1);
}

/* Entry e, at table_pa + its offset, was just set non-zero: mark its group. */
static inline void pt_mark(struct frame_pool *p, uint64_t table_pa, const pte_t *e)
{
	*pt_groups(p, table_pa) |= 1UL << pt_group_of(e);
}

/*
 * The lowest set bit of a non-zero mask, by a de Bruijn multiply: the ISA has no
 * count-trailing-zeros (no Zbb) and the kernel links no libgcc.
 */
static inline unsigned pt_lowest_group(uint64_t m)
{
	static const unsigned char pos[64] = {
		0,  1,	48, 2,	57, 49, 28, 3,	61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,	13, 8,	7,  6,
	};
	return pos[((m & -m) * 0x03f79d71b4cb0a89UL) >> 58];
}

/*
 * Fork's one pass over a level-0 table, looking only at the groups in look (its mask).
 * With protect, private writable leaves become copy-on-write (*changed is set if any
 * did). Returns the number of leaves; *groups gets bit g for each group of eight entries
 * (g = index / 8) that holds any: the table's exact mask. A group's entries are loaded
 * once, and its emptiness and every leaf's test read the loaded values: a loop that
 * loaded them again spent about 80 instructions a group, this about 40 (and a caller
 * that ignores the count, inlined, pays nothing for it).
 */
static inline __attribute__((always_inline)) unsigned
pt_l0_scan(pte_t *t, uint64_t look, bool protect, uint64_t *groups, bool *changed)
{
	unsigned n = 0;
	uint64_t mask = 0;
	bool wp = false;
	for (; look; look &= look - 1) {
		unsigned g = pt_lowest_group(look);
		pte_t *p = &t[g * PT_GROUP], e[PT_GROUP], any = 0;
#pragma GCC unroll 8
		for (int j = 0; j < PT_GROUP; j++)
			any |= e[j] = p[j];
		if (!any)
			continue;
		mask |= 1UL << g;
#pragma GCC unroll 8
		for (int j = 0; j < PT_GROUP; j++) {
			n += e[j] & PTE_V;
			if (protect && (e[j] & (PTE_V | PTE_W | PTE_SHARED)) == (PTE_V | PTE_W)) {
				p[j] = (e[j] & ~PTE_W) | PTE_COW;
				wp = true;
			}
		}
	}
	*groups = mask;
	if (wp)
		*changed = true;
	return n;
}

/*
 * The groups of src named in groups (from pt_l0_scan) into a zeroed dst, a reference each.
 * frame_share() by hand: the pool's base, size and counts stay in registers, and the
 * frames that become shared are counted once at the end (a store through ref may alias
 * the pool's fields, so frame_share() reloads them for every leaf).
 */
static inline void pt_l0_copy_groups(pte_t *dst, const pte_t *src, uint64_t groups,
				     struct frame_pool *p)
{
	uint64_t base = p->base, nframes = p->nframes, shared = 0;
	uint32_t *ref = p->ref;
	for (; groups; groups &= groups - 1) {
		unsigned g = pt_lowest_group(groups);
		for (unsigned i = g * PT_GROUP; i < (g + 1) * PT_GROUP; i++) {
			pte_t e = src[i];
			if (!(e & PTE_V))
				continue;
			uint64_t f = (pte_pa(e) - base) >> FRAME_SHIFT;
			if (f < nframes && ref[f] != FRAME_RESERVED &&
			    frame_count_get(&ref[f]) == 1)
				shared++;
			dst[i] = e;
		}
	}
	if (shared)
		frame_shared_add(p, (int64_t)shared);
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
