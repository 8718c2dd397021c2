/*
 * Page-table operations on Sv39 trees whose tables are frames from kframes,
 * reached through the direct map.
 */
#ifndef VM_PT_H
#define VM_PT_H

#include <stdint.h>

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

#endif
