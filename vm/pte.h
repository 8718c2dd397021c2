/*
 * Sv39 page-table entries: every bit named here and nowhere else.
 *
 * A virtual address splits into three 9-bit indices and a 12-bit offset:
 *
 *   38        30 29        21 20        12 11           0
 *  +------------+------------+------------+--------------+
 *  |   VPN[2]   |   VPN[1]   |   VPN[0]   |    offset    |
 *  +------------+------------+------------+--------------+
 *
 * and bits 63..39 must copy bit 38. A PTE holds a 44-bit physical page number:
 *
 *   63   54 53           10 9  8 7 6 5 4 3 2 1 0
 *  +-------+---------------+----+-+-+-+-+-+-+-+-+
 *  |   0   |      PPN      |RSW |D|A|G|U|X|W|R|V|
 *  +-------+---------------+----+-+-+-+-+-+-+-+-+
 *
 * RSW (bits 8-9) is ours: in a leaf, bit 8 marks a copy-on-write page, bit 9 a shared
 * mapping whose frame must never be copied (docs/vm-cow.md has the full state table); in
 * a level-1 entry, bit 8 says the level-0 table below may hold private writable leaves.
 */
#ifndef VM_PTE_H
#define VM_PTE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V		    (1UL << 0) /* valid */
#define PTE_R		    (1UL << 1) /* readable */
#define PTE_W		    (1UL << 2) /* writable */
#define PTE_X		    (1UL << 3) /* executable */
#define PTE_U		    (1UL << 4) /* user accessible */
#define PTE_G		    (1UL << 5) /* global: in every address space */
#define PTE_A		    (1UL << 6) /* accessed: set by us, boards fault instead of setting it */
#define PTE_D		    (1UL << 7) /* dirty: likewise */
#define PTE_COW		    (1UL << 8) /* RSW bit 0: copy on write */
#define PTE_SHARED	    (1UL << 9) /* RSW bit 1: shared mapping, writes go to the one frame */
/*
 * RSW bit 0 on a shared leaf, where copy-on-write never applies: the mapping was made
 * writable (its capability allowed it), so protect may give W back after taking it.
 */
#define PTE_SHARED_MAYWRITE PTE_COW
/*
 * In a level-1 entry (non-leaf; the MMU ignores RSW there): the level-0 table below may
 * hold private writable leaves, so fork must write-protect them before sharing it. Set by
 * every path that writes a leaf, cleared by fork (docs/vm-cow.md, "Shared page tables").
 * In a user root entry: the level-1 table below is the task's own and its entries may
 * have changed since the last fork, which must then visit them; set by every path that
 * stores a level-1 entry, cleared by fork, which shares a table whose mark is clear.
 */
#define PTE_TABLE_DIRTY	    (1UL << 8)

/*
 * A gone page: a page its memory object no longer holds (the object shrank). The entry
 * stays a valid leaf, so every path that copies, counts or frees leaves treats it as one,
 * but no user access passes it (U clear, read-only) and its PPN is no RAM: bit 43 marks
 * it, bits 0-8 are the object's page, 9-11 the page's R/W/X and 12-42 the object's id.
 * frame_share and frame_drop ignore it (outside every pool); the RSW bits are kept.
 */
#define PTE_GONE_MARK	    (1UL << 43)
#define PTE_GONE_PAGE_BITS  9
#define PTE_GONE_PERM_SHIFT PTE_GONE_PAGE_BITS
#define PTE_GONE_ID_SHIFT   12
#define PTE_R_SHIFT	    1 /* R, W, X are bits 1-3: shifted down they fit 3 bits */
#define PTE_GONE_ID_MASK    ((1UL << 31) - 1)

#define PTE_PPN_SHIFT 10
#define PTE_PPN_BITS  44
#define PTE_PPN_MASK  (((1UL << PTE_PPN_BITS) - 1) << PTE_PPN_SHIFT)
#define PTE_PERM_MASK (PTE_R | PTE_W | PTE_X)

#define PT_LEVELS     3
#define PT_INDEX_BITS 9
#define PT_ENTRIES    (1 << PT_INDEX_BITS)
#define PT_PAGE_SHIFT 12
#define SV39_VA_BITS  39

/* Page size mapped by a leaf at a level: 4 KiB, 2 MiB, 1 GiB. */
static inline uint64_t pt_level_size(int level)
{
	return 1UL << (PT_PAGE_SHIFT + PT_INDEX_BITS * level);
}

static inline unsigned pt_index(uint64_t va, int level)
{
	return (va >> (PT_PAGE_SHIFT + PT_INDEX_BITS * level)) & (PT_ENTRIES - 1);
}

/* A canonical Sv39 address: bits 63..38 all equal. */
static inline bool va_canonical(uint64_t va)
{
	int64_t s = (int64_t)(va << (64 - SV39_VA_BITS)) >> (64 - SV39_VA_BITS);
	return (uint64_t)s == va;
}

static inline pte_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | flags;
}

static inline uint64_t pte_pa(pte_t pte)
{
	return ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PT_PAGE_SHIFT;
}

static inline bool pte_valid(pte_t pte)
{
	return pte & PTE_V;
}

/* A valid entry with any of R/W/X is a leaf; with none it points to the next table. */
static inline bool pte_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & PTE_PERM_MASK);
}

static inline uint64_t pte_flags(pte_t pte)
{
	return pte & ~PTE_PPN_MASK;
}

/* The gone entry for page of object id, in place of the user leaf old. */
static inline pte_t pte_gone_make(uint64_t id, uint64_t page, pte_t old)
{
	uint64_t perm = (old & PTE_U) ? (old & PTE_PERM_MASK) >> PTE_R_SHIFT : 0;
	uint64_t ppn = PTE_GONE_MARK | ((id & PTE_GONE_ID_MASK) << PTE_GONE_ID_SHIFT) |
		       (perm << PTE_GONE_PERM_SHIFT) | page;
	return (ppn << PTE_PPN_SHIFT) | (old & (PTE_COW | PTE_SHARED)) | PTE_V | PTE_R | PTE_A |
	       PTE_D;
}

static inline bool pte_is_gone(pte_t e)
{
	return (e & (PTE_V | PTE_U)) == PTE_V && ((e >> PTE_PPN_SHIFT) & PTE_GONE_MARK);
}

/* The id and page a gone entry names, as one value (id << 9 | page). */
static inline uint64_t pte_gone_key(pte_t e)
{
	uint64_t ppn = (e & PTE_PPN_MASK) >> PTE_PPN_SHIFT;
	return ((ppn >> PTE_GONE_ID_SHIFT) & PTE_GONE_ID_MASK) << PTE_GONE_PAGE_BITS |
	       (ppn & ((1UL << PTE_GONE_PAGE_BITS) - 1));
}

/* The user leaf flags a gone entry stood for (V, U, A and D included; no U for no access). */
static inline uint64_t pte_gone_flags(pte_t e)
{
	uint64_t perm =
		((e >> (PTE_PPN_SHIFT + PTE_GONE_PERM_SHIFT)) << PTE_R_SHIFT) & PTE_PERM_MASK;
	uint64_t access = perm ? perm | PTE_U : PTE_R; /* 0: it was a no-access leaf */
	return access | (e & (PTE_COW | PTE_SHARED)) | PTE_V | PTE_A | PTE_D;
}

/*
 * A page mapped with no access (PROT_NONE): a user leaf with U clear. It keeps its frame,
 * its R/W/X (so a shared page can get back what it was mapped with) and its RSW bits, so
 * fork, unmap and the frame counts treat it as any leaf; the MMU lets no user access pass
 * it, and the kernel's own walkers (uaccess, as_translate) need U too. A gone entry has U
 * clear as well and is told apart by its mark. A gone entry made from a no-access leaf
 * keeps 0 as its R/W/X, and comes back as a no-access leaf.
 */
static inline bool pte_is_noaccess(pte_t e)
{
	return (e & (PTE_V | PTE_U)) == PTE_V && !((e >> PTE_PPN_SHIFT) & PTE_GONE_MARK);
}

/* W without R is reserved in Sv39, and W with X breaks W^X: both are refused. */
static inline bool pte_perm_ok(uint64_t flags)
{
	if ((flags & PTE_W) && !(flags & PTE_R))
		return false;
	return !((flags & PTE_W) && (flags & PTE_X));
}

#endif
