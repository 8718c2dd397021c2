/* User address spaces and copy-on-write: see as.h and docs/vm-cow.md. */
#include "vm/as.h"

#include "kernel/abi/error.h"
#include "kernel/abi/fault.h"
#include "kernel/abi/ipc.h"
#include "kernel/cpu/lockorder.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/tlb.h"
#include "vm/vm.h"

#define USER_ROOT_ENTRIES (PT_ENTRIES / 2) /* root slots 0..255: the lower half */
/* The root's groups of eight entries that are the user's (the lower half). */
#define USER_ROOT_GROUPS  ((1UL << (USER_ROOT_ENTRIES / PT_GROUP)) - 1)
_Static_assert(sizeof(((struct as *)0)->l1_used) * 8 == USER_ROOT_ENTRIES,
	       "one bit per user root entry");

struct cow_stats cow_stats;
/*
 * Every address space with tables, for as_rewrite_all: one dense array (a removal moves
 * the last entry into the hole), so adding and removing one costs a few instructions on
 * the fork and exit paths and never allocates. Past AS_MAX, as_init fails with E_NOMEM.
 */
#define AS_MAX 4096
static struct as *as_table[AS_MAX];
_Static_assert(AS_MAX <= (1u << 12), "all_index is a 12-bit field (vm/as.h)");
_Static_assert(USER_STACK_MAX / PAGE_SIZE < (1u << 20), "stack_pages is a 20-bit field");
static uint64_t as_count;

/* Enter as in the table: 0, or E_NOMEM when it is full. */
static inline int as_register(struct as *as)
{
	uint64_t n = as_count;
	if (n >= AS_MAX)
		return E_NOMEM;
	as_table[n] = as;
	as->all_index = (uint32_t)n;
	as_count = n + 1;
	return 0;
}

/* Take as out: the last entry fills its place. */
static inline void as_unregister(struct as *as)
{
	struct as *moved = as_table[--as_count];
	as_table[as->all_index] = moved;
	moved->all_index = as->all_index;
}

/*
 * Page tables are mostly empty: fork and teardown visit only the groups of eight
 * entries that a table's mask marks (pt_groups in pt.h), and teardown leaves every table
 * zeroed for the next pt_alloc, so neither end of a fork scans or clears whole tables.
 */

/* The group mask of one of our tables. */
static inline uint64_t *groups_of(const pte_t *table)
{
	return pt_groups(&kframes, virt_to_phys(table));
}

/* Entry e of a table was just set non-zero. */
static inline void mark(pte_t *e)
{
	pt_mark(&kframes, virt_to_phys(e) & ~(PAGE_SIZE - 1), e);
}

/*
 * Entry e of a level-1 table was just cleared: if its whole group is zero now, the mask
 * forgets it, so neither fork (which gives a child its parent's level-1 mask) nor exit
 * keeps visiting a group that an unmap emptied.
 */
static inline void unmark_if_empty(pte_t *e)
{
	pte_t *g = (pte_t *)((uint64_t)e & ~(PT_GROUP * sizeof(pte_t) - 1));
	if (pt_group_empty(g))
		*groups_of((pte_t *)((uint64_t)e & ~(PAGE_SIZE - 1))) &= ~(1UL << pt_group_of(e));
}

/* Eight zero entries from p: the group is cleared for the zeroed-frame stack. */
static inline void group_zero(pte_t *p)
{
	p[0] = p[1] = p[2] = p[3] = p[4] = p[5] = p[6] = p[7] = 0;
}

/* Eight entries from s to d, straight: a loop spent six instructions on each. */
static inline void group_copy(pte_t *d, const pte_t *s)
{
	pte_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6],
	      a7 = s[7];
	d[0] = a0, d[1] = a1, d[2] = a2, d[3] = a3, d[4] = a4, d[5] = a5, d[6] = a6, d[7] = a7;
}

int as_init(struct as *as, struct quota *quota)
{
	as->quota = quota;
	as->stack_pages = 0;
	as->tables = 0;
	for (unsigned w = 0; w < USER_ROOT_ENTRIES / 64; w++)
		as->l1_used[w] = 0;
	if (quota_charge(as->quota, PAGE_SIZE) != 0)
		return E_QUOTA;
	as->root = pt_alloc();
	if (!as->root || as_register(as) != 0) {
		if (as->root)
			frame_unref_zeroed(&kframes, virt_to_phys(as->root));
		as->root = 0;
		quota_refund(as->quota, PAGE_SIZE);
		return E_NOMEM;
	}
	/*
	 * The kernel half is shared: its root entries point at the kernel's own tables. Only a
	 * handful are in use (the direct map's gigabytes and the image): copy the groups the
	 * kernel root's mask marks; pt_alloc zeroed the rest.
	 */
	uint64_t kgroups = *groups_of(kernel_root) & ~USER_ROOT_GROUPS;
	for (uint64_t m = kgroups; m; m &= m - 1) {
		unsigned j = pt_lowest_group(m) * PT_GROUP;
		group_copy(&as->root[j], &kernel_root[j]);
	}
	*groups_of(as->root) = kgroups;
	tlb_new_asid(as);
	return 0;
}

/* The table a valid non-leaf entry points at. */
static inline pte_t *table_of(pte_t e)
{
	return phys_to_virt(pte_pa(e));
}

/* The entry for va at level in the table the non-leaf entry e points at. */
static inline pte_t *entry_below(pte_t e, uint64_t va, int level)
{
	return &table_of(e)[pt_index(va, level)];
}

/* True if a page table is also in another task's tree (shared at fork). */
static inline bool table_shared(uint64_t table_pa)
{
	return kframes.ref[(table_pa - kframes.base) >> FRAME_SHIFT] > 1;
}

static inline void free_table(pte_t *table, int level);

/*
 * The leaves of a level-0 table's groups in mask each lose the table's reference, and the
 * groups are left zero: free_groups() for level 0, where every valid entry is a leaf. The
 * pool's base, size and counts are held in registers across the loop, and the frames that
 * stop being shared are counted once at the end (frame_drop() reloads them per leaf,
 * since its stores may alias them): about 9 instructions less per leaf, at every exit.
 */
static void free_leaves(pte_t *table, uint64_t mask)
{
	struct frame_pool *p = &kframes;
	uint64_t base = p->base, nframes = p->nframes, unshared = 0;
	uint32_t *ref = p->ref;
	for (; mask; mask &= mask - 1) {
		pte_t *g = &table[pt_lowest_group(mask) * PT_GROUP];
		for (int j = 0; j < PT_GROUP; j++) {
			if (!pte_valid(g[j]))
				continue;
			uint64_t i = (pte_pa(g[j]) - base) >> FRAME_SHIFT;
			if (i >= nframes || ref[i] == FRAME_RESERVED || ref[i] == 0)
				continue;
			uint32_t c = frame_count_put(&ref[i]);
			if (c == 1)
				unshared++;
			else if (c == 0)
				frame_drop_last(p, i);
		}
		group_zero(g);
	}
	if (unshared)
		frame_shared_add(p, -(int64_t)unshared);
}

/*
 * The entries of the groups in mask, at level: each leaf's frame or lower table let go,
 * and the groups left zero.
 */
static void free_groups(pte_t *table, uint64_t mask, int level)
{
	for (; mask; mask &= mask - 1) {
		pte_t *p = &table[pt_lowest_group(mask) * PT_GROUP];
		for (int j = 0; j < PT_GROUP; j++) {
			pte_t e = p[j];
			if (!pte_valid(e))
				continue;
			if (pte_leaf(e))
				frame_drop(&kframes, pte_pa(e));
			else
				free_table(table_of(e), level - 1);
		}
		group_zero(p);
	}
}

/* The last reference to table (frame i) is gone: what it maps goes, and then the table. */
static __attribute__((noinline)) void free_table_last(pte_t *table, uint64_t i, int level)
{
	if (level == 0)
		free_leaves(table, kframes.groups[i]);
	else
		free_groups(table, kframes.groups[i], level);
	frame_drop_last_zeroed(&kframes, i);
}

/*
 * Let go of one reference to a table (level 1 or 0). A shared table only loses it: what
 * it maps is the table's, and whoever lets go of the last reference lets go of that too
 * (with several harts that may be a holder that was sure another kept it, since a
 * teardown elsewhere runs without the big lock). A table freed is left zeroed, and goes
 * on the pool's stack of zeroed frames. Quota is refunded by the caller. Inline, and the
 * free apart: a shared table, the common case at exit, then costs no frame.
 */
static inline void free_table(pte_t *table, int level)
{
	uint64_t i = (virt_to_phys(table) - kframes.base) >> FRAME_SHIFT;
	uint32_t c = frame_count_put(&kframes.ref[i]);
	if (c == 0)
		free_table_last(table, i, level);
	else if (c == 1) /* no longer shared (table_shared): no range test, no free */
		frame_shared_add(&kframes, -1);
}

/*
 * The root's user entries in use are few and far apart (text and data, mmap, stack):
 * struct as keeps a bit for each, so fork and exit visit those alone, not eight root
 * entries for each (about 100 instructions at each end of a fork).
 */
static inline void l1_note(struct as *as, const pte_t *re)
{
	uint64_t i = (uint64_t)(re - as->root);
	as->l1_used[i / 64] |= 1UL << (i % 64);
}

/* The user half of a root whose entries in use are the bits of l1_used, let go and zeroed. */
static inline void free_user_half(pte_t *root, const uint64_t *l1_used)
{
	for (unsigned w = 0; w < AS_L1_WORDS; w++)
		for (uint64_t m = l1_used[w]; m; m &= m - 1) {
			pte_t *re = &root[w * 64 + pt_lowest_group(m)];
			free_table(table_of(*re), PT_LEVELS - 2);
			*re = 0; /* the root goes back zeroed */
		}
}

void as_free_tree(pte_t *root, const uint64_t l1_used[AS_L1_WORDS])
{
	free_user_half(root, l1_used);
	frame_unref_zeroed(&kframes, virt_to_phys(root));
}

static inline pte_t *detach(struct as *as)
{
	/* The kernel half's entries are the kernel's tables: only cleared. */
	for (uint64_t mask = *groups_of(as->root) & ~USER_ROOT_GROUPS; mask; mask &= mask - 1)
		group_zero(&as->root[pt_lowest_group(mask) * PT_GROUP]);
	tlb_space_gone(as);
	as_unregister(as);
	/* The root, its tables and one page per leaf, shared or not: all counted. */
	quota_refund(as->quota, (as->resident + as->tables + 1) * PAGE_SIZE);
	as->resident = 0;
	as->tables = 0;
	for (unsigned w = 0; w < AS_L1_WORDS; w++)
		as->l1_used[w] = 0;
	pte_t *root = as->root;
	as->root = 0;
	return root;
}

pte_t *as_detach(struct as *as)
{
	return detach(as);
}

void as_free_tables(struct as *as)
{
	free_user_half(as->root, as->l1_used);
	frame_unref_zeroed(&kframes, virt_to_phys(detach(as)));
}

uint64_t as_prot_flags(uint32_t prot)
{
	uint64_t f = PTE_U;
	if (prot & ~(MAP_PROT_ALL | MAP_KIND_SHARED | MAP_KIND_COPY))
		return 0; /* a bit nobody defined */
	if (prot & MAP_PROT_READ)
		f |= PTE_R;
	if (prot & MAP_PROT_WRITE)
		f |= PTE_W;
	if (prot & MAP_PROT_EXEC)
		f |= PTE_X;
	if (!(f & PTE_PERM_MASK))
		return PTE_R; /* no access: a leaf only the kernel's walkers see (vm/pte.h) */
	return pte_perm_ok(f) ? f : 0;
}

static int user_va_ok(uint64_t va, uint64_t npages)
{
	return !(va & (PAGE_SIZE - 1)) && va >= USER_VA_MIN && va < USER_VA_MAX &&
	       npages <= (USER_VA_MAX - va) / PAGE_SIZE;
}

/* A new zeroed table for *e, charged to as; 0, E_QUOTA or E_NOMEM. */
static int table_make(struct as *as, pte_t *e, uint64_t bits)
{
	if (quota_charge(as->quota, PAGE_SIZE) != 0)
		return E_QUOTA;
	pte_t *next = pt_alloc();
	if (!next) {
		quota_refund(as->quota, PAGE_SIZE);
		return E_NOMEM;
	}
	*e = pte_make(virt_to_phys(next), PTE_V | bits);
	mark(e);
	as->tables++;
	return 0;
}

/*
 * The level-1 entry above va's level-0 table, or NULL if there is no level-1 table: for
 * reading only, since the table may be shared with other tasks (l1_for_write stores).
 */
static inline pte_t *as_walk_l1(struct as *as, uint64_t va)
{
	pte_t *e = &as->root[pt_index(va, PT_LEVELS - 1)];
	return pte_valid(*e) ? entry_below(*e, va, 1) : 0;
}

/*
 * The level-0 PTE for va, or NULL if there is no table: for reading only, since it may
 * be in a table shared with other tasks (leaf_for_write is the way to store). Inline:
 * every copy between the kernel and user memory walks here (as_translate).
 */
static inline __attribute__((always_inline)) pte_t *as_walk(struct as *as, uint64_t va)
{
	pte_t *l1e = as_walk_l1(as, va);
	if (!l1e || !pte_valid(*l1e))
		return 0;
	return entry_below(*l1e, va, 0);
}

/*
 * Give as its own copy of the table *e points at (a level-0 table behind a level-1 entry,
 * or a level-1 table behind a root entry), which other tasks share. Each entry of the
 * copy gains a reference on what it maps (a page, or a level-0 table); the shared table
 * loses as's. The copy's entries need no change: a shared table holds no writable
 * private leaf and no dirty entry. as's cached walks may still lead to the old table:
 * they are flushed on every hart before any entry of the copy can change. Quota is
 * unchanged (as was charged for the table). *e is marked dirty. 0, or E_NOMEM with
 * nothing changed.
 */
static int table_unshare(struct as *as, pte_t *e, int level)
{
	uint64_t new_pa, old_pa = pte_pa(*e), groups = *pt_groups(&kframes, old_pa);
	int zeroed = frame_alloc_zero(&kframes, &new_pa);
	if (zeroed < 0)
		return E_NOMEM;
	/* Into a zeroed frame only the marked groups need copying; else all 512 entries. */
	if (zeroed)
		pt_l0_copy_groups(phys_to_virt(new_pa), phys_to_virt(old_pa), groups, &kframes);
	else
		pt_l0_copy(phys_to_virt(new_pa), phys_to_virt(old_pa), &kframes);
	*pt_groups(&kframes, new_pa) = groups;
	*e = pte_make(new_pa, PTE_V | PTE_TABLE_DIRTY);
	tlb_flush_all(as);
	free_table(phys_to_virt(old_pa), level); /* the last reference if the other holder died */
	return 0;
}

/*
 * Make the level-1 table behind the root entry *re as's alone, and mark the root entry
 * dirty: its level-1 entries may change from now on, so the next fork cannot share the
 * table whole. A dirty root entry proves the table is as's. 0 or E_NOMEM.
 */
static inline int l1_own(struct as *as, pte_t *re)
{
	if (*re & PTE_TABLE_DIRTY)
		return 0;
	if (table_shared(pte_pa(*re)))
		return table_unshare(as, re, 1); /* the copy is marked dirty */
	*re |= PTE_TABLE_DIRTY;			 /* RSW of a non-leaf entry: the MMU ignores it */
	return 0;
}

/*
 * The level-1 entry above va's level-0 table, in a level-1 table as alone holds (made,
 * charged to as, if missing): the one way to a level-1 entry that will be stored to.
 * NULL with *err = E_QUOTA or E_NOMEM, and nothing visible changed.
 */
static inline pte_t *l1_for_write(struct as *as, uint64_t va, int *err)
{
	pte_t *re = &as->root[pt_index(va, PT_LEVELS - 1)];
	if (pte_valid(*re))
		*err = l1_own(as, re);
	else if ((*err = table_make(as, re, PTE_TABLE_DIRTY)) == 0)
		l1_note(as, re);
	return *err ? 0 : entry_below(*re, va, 1);
}

/*
 * Make the level-0 table behind as's level-1 entry *l1e as's alone, and mark it dirty. A
 * dirty table is never shared (fork clears the mark before it shares), which keeps the
 * common case, a store fault in a table written before, to one test. *l1e must be in a
 * level-1 table as holds alone (l1_for_write). 0 or E_NOMEM.
 */
static inline int table_own(struct as *as, pte_t *l1e)
{
	if (*l1e & PTE_TABLE_DIRTY)
		return 0;
	if (table_shared(pte_pa(*l1e)))
		return table_unshare(as, l1e, 0); /* the copy is marked dirty */
	*l1e |= PTE_TABLE_DIRTY;		  /* RSW of a non-leaf entry: the MMU ignores it */
	return 0;
}

/* leaf_for_write when a table on the way is missing, shared or not yet dirty. */
static __attribute__((noinline)) pte_t *leaf_for_write_slow(struct as *as, uint64_t va, int *err)
{
	pte_t *l1e = l1_for_write(as, va, err);
	if (!l1e)
		return 0;
	if (!pte_valid(*l1e))
		*err = table_make(as, l1e, PTE_TABLE_DIRTY);
	else
		*err = table_own(as, l1e);
	if (*err)
		return 0;
	return entry_below(*l1e, va, 0);
}

/*
 * The level-0 PTE for va in a table as alone holds, unsharing it first: the one way to a
 * leaf that will be stored to (the rule: no task changes an entry of a shared table).
 * Marks the table dirty for the next fork. Missing tables are made (charged to as).
 * NULL with *err = E_QUOTA or E_NOMEM, and nothing visible changed; *err is left alone
 * on success. A dirty root entry and a dirty level-1 entry prove both tables are as's:
 * the common case, every page of a load or an mmap after the first, costs two tests.
 */
static inline pte_t *leaf_for_write(struct as *as, uint64_t va, int *err)
{
	const pte_t own = PTE_V | PTE_TABLE_DIRTY;
	pte_t r = as->root[pt_index(va, PT_LEVELS - 1)];
	if ((r & own) == own) {
		pte_t *l1e = entry_below(r, va, 1);
		if ((*l1e & own) == own)
			return entry_below(*l1e, va, 0);
	}
	return leaf_for_write_slow(as, va, err);
}

/* as_pte for the functions here, which have settled as already. */
static inline pte_t *pte_at(struct as *as, uint64_t va)
{
	if (va >= USER_VA_MAX)
		return 0;
	pte_t *e = as_walk(as, va);
	return e && pte_valid(*e) ? e : 0;
}

pte_t *as_pte(struct as *as, uint64_t va)
{
	as_settle(as);
	return pte_at(as, va);
}

/* Install the leaf e at va (pa: the frame it maps, whose reference it holds). */
static int map_leaf(struct as *as, uint64_t va, uint64_t pa, pte_t leaf)
{
	int err = 0;
	pte_t *e = 0;
	if (!user_va_ok(va, 1))
		err = E_INVAL;
	else if (pte_at(as, va))
		err = E_BUSY; /* before any table is made or unshared */
	else if (quota_charge(as->quota, PAGE_SIZE) != 0)
		err = E_QUOTA;
	else if (!(e = leaf_for_write(as, va, &err)))
		quota_refund(as->quota, PAGE_SIZE);
	if (err) {
		frame_drop(&kframes, pa);
		return err;
	}
	*e = leaf;
	mark(e);
	as->resident++;
	return 0;
}

int as_map(struct as *as, uint64_t va, uint64_t pa, uint64_t flags)
{
	as_settle(as);
	return map_leaf(as, va, pa, pte_make(pa, flags | PTE_V | PTE_A | PTE_D));
}

int as_map_gone(struct as *as, uint64_t va, pte_t gone)
{
	as_settle(as);
	return map_leaf(as, va, pte_pa(gone), gone);
}

/* True if the table holds no entry; its mask is made exact on the way. */
static int table_empty(const pte_t *table)
{
	uint64_t *mask = groups_of(table);
	for (uint64_t m = *mask; m; m &= m - 1) {
		unsigned g = pt_lowest_group(m);
		if (pt_group_empty(&table[g * PT_GROUP]))
			*mask &= ~(1UL << g);
	}
	return *mask == 0;
}

/*
 * Free the level-0 tables that [va, end) left empty, so a process that maps and unmaps
 * at fresh addresses does not collect tables until it exits. (Upper levels stay: there
 * are few of them.)
 */
static void as_prune(struct as *as, uint64_t va, uint64_t end)
{
	uint64_t span = pt_level_size(1);
	for (uint64_t b = va & ~(span - 1); b < end; b += span) {
		pte_t *l1 = &as->root[pt_index(b, 2)];
		/* A level-1 table shared with another task keeps its entries (nothing lost). */
		if (!pte_valid(*l1) || table_shared(pte_pa(*l1)))
			continue;
		pte_t *l1e = entry_below(*l1, b, 1);
		if (!pte_valid(*l1e) || pte_leaf(*l1e) || !table_empty(table_of(*l1e)))
			continue;
		uint64_t table = pte_pa(*l1e);
		*l1e = 0;
		unmark_if_empty(l1e);
		/* A non-leaf entry changed: an address-scoped fence does not cover cached walks,
		 * and the walk cache must forget the table before the frame is reused. */
		tlb_flush_all(as);
		as->tables--;
		quota_refund(as->quota, PAGE_SIZE);
		frame_unref_zeroed(&kframes, table); /* it is empty */
	}
}

/*
 * The level-1 entry of a shared level-0 table whose whole 2 MiB lies in the next left
 * pages from va, or NULL. Unmapping such a span only lets go of the table.
 */
static pte_t *shared_span(struct as *as, uint64_t va, uint64_t left)
{
	if ((va & (pt_level_size(1) - 1)) || left < PT_ENTRIES)
		return 0;
	pte_t *l1e = as_walk_l1(as, va);
	return l1e && pte_valid(*l1e) && table_shared(pte_pa(*l1e)) ? l1e : 0;
}

/*
 * Unmap the whole span of a shared level-0 table: as drops its reference on the table,
 * and the pages stay mapped by the other holders, so nothing is copied and nothing can
 * fail. Its leaves are counted to refund resident and quota exactly.
 */
static void table_release(struct as *as, pte_t *l1e)
{
	uint64_t pa = pte_pa(*l1e), groups;
	bool changed;
	unsigned n =
		pt_l0_scan(phys_to_virt(pa), *pt_groups(&kframes, pa), false, &groups, &changed);
	*l1e = 0;
	unmark_if_empty(l1e);
	tlb_flush_all(as); /* a level-1 entry went: cached walks must forget the table */
	free_table(phys_to_virt(pa), 0); /* the last reference if the other holder died */
	as->resident -= n;
	as->tables--;
	quota_refund(as->quota, (n + 1) * PAGE_SIZE);
}

/*
 * If no page table maps va: how many of the next left pages (at least 1) lie in the same
 * hole, up to the end of its 2 MiB or, without a level-1 table, its 1 GiB. Otherwise 0.
 * Walking a hole a table at a time keeps a call over all of user space (64 Mi pages)
 * from holding the kernel for seconds.
 */
static uint64_t table_hole(struct as *as, uint64_t va, uint64_t left)
{
	pte_t *root = &as->root[pt_index(va, PT_LEVELS - 1)];
	pte_t *l1e = pte_valid(*root) ? as_walk_l1(as, va) : 0;
	if (l1e && pte_valid(*l1e))
		return 0;
	uint64_t span = pt_level_size(l1e ? 1 : 2);
	uint64_t pages = (span - (va & (span - 1))) / PAGE_SIZE;
	return pages < left ? pages : left;
}

/*
 * Make every table that maps a page of [va, va + npages pages) as's own, so the caller
 * can then change the range, level-1 entries included, without failing half-way; with
 * whole_ok, a shared level-0 table the range covers whole is left shared (as_unmap
 * releases it instead). 0 or E_NOMEM; unsharing changes nothing as or anyone else can
 * see.
 */
static int as_own_range(struct as *as, uint64_t va, uint64_t npages, bool whole_ok)
{
	int err = 0;
	uint64_t gib = pt_level_size(2), end = va + npages * PAGE_SIZE;
	for (uint64_t b = va & ~(gib - 1); b < end; b += gib) {
		pte_t *re = &as->root[pt_index(b, PT_LEVELS - 1)];
		if (pte_valid(*re) && (err = l1_own(as, re)) != 0)
			return err;
	}
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		if (whole_ok && shared_span(as, va, npages - i)) {
			i += PT_ENTRIES - 1;
			va += (PT_ENTRIES - 1) * PAGE_SIZE;
			continue;
		}
		uint64_t hole = table_hole(as, va, npages - i);
		if (hole) {
			i += hole - 1; /* the loop adds the last page */
			va += (hole - 1) * PAGE_SIZE;
			continue;
		}
		if (pte_at(as, va) && !leaf_for_write(as, va, &err))
			return err;
	}
	return 0;
}

int as_unmap(struct as *as, uint64_t va, uint64_t npages)
{
	as_settle(as);
	uint64_t start = va;
	if (!user_va_ok(va, npages))
		return E_INVAL;
	int err = as_own_range(as, va, npages, true);
	if (err)
		return err;
	/* Other harts are fenced once, at the end: the frames freed before it are held back
	 * until then (tlb_batch_begin), and nothing is allocated meanwhile. */
	tlb_batch_begin(as);
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		uint64_t hole = table_hole(as, va, npages - i);
		if (hole) {
			i += hole - 1;
			va += (hole - 1) * PAGE_SIZE;
			continue;
		}
		pte_t *l1e = shared_span(as, va, npages - i);
		if (l1e) {
			table_release(as, l1e);
			i += PT_ENTRIES - 1;
			va += (PT_ENTRIES - 1) * PAGE_SIZE;
			continue;
		}
		pte_t *e = pte_at(as, va);
		if (!e)
			continue;
		uint64_t pa = pte_pa(*e);
		*e = 0;
		/* The frame may be reused as soon as it is free: no stale translation may
		 * outlive this (other harts' at the batch's end, the frame held until then). */
		tlb_batch_page(as, va);
		frame_drop(&kframes, pa);
		as->resident--;
		quota_refund(as->quota, PAGE_SIZE);
	}
	as_prune(as, start, va);
	tlb_batch_end(as);
	return 0;
}

int as_map_anon(struct as *as, uint64_t va, uint64_t npages, uint32_t prot)
{
	as_settle(as);
	uint64_t flags = as_prot_flags(prot);
	if (!flags || (prot & ~MAP_PROT_ALL) || !user_va_ok(va, npages) || npages == 0)
		return E_INVAL;
	for (uint64_t i = 0, hole; i < npages; i++) {
		if ((hole = table_hole(as, va + i * PAGE_SIZE, npages - i)) != 0)
			i += hole - 1; /* nothing mapped there */
		else if (pte_at(as, va + i * PAGE_SIZE))
			return E_BUSY; /* checked first: nothing changes on a clash */
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pa;
		int err = frame_alloc(&kframes, &pa);
		if (!err) {
			page_zero(pa);
			err = as_map(as, va + i * PAGE_SIZE, pa, flags);
		}
		if (err) {
			as_unmap(as, va, i);
			return err;
		}
	}
	return 0;
}

/* What protect may give a shared leaf: its R/W/X now, and W if it was mapped writable. */
static uint64_t shared_ceiling(pte_t e)
{
	return (e & PTE_PERM_MASK) | ((e & PTE_SHARED_MAYWRITE) ? PTE_W : 0);
}

/*
 * New protection for mapped pages. A page that is COW, or shared read-only without
 * PTE_SHARED (text), and asked to be writable becomes COW: no frame is allocated here,
 * the first store copies. Lowering permission flushes the page.
 */
/* protect's MAP_PROT_QUERY: 0 if every page of the range has a leaf, else E_FAULT. */
static int range_mapped(struct as *as, uint64_t va, uint64_t npages)
{
	if (!user_va_ok(va, npages))
		return E_INVAL;
	for (uint64_t i = 0; i < npages; i++)
		if (!pte_at(as, va + i * PAGE_SIZE))
			return E_FAULT;
	return 0;
}

int as_protect(struct as *as, uint64_t va, uint64_t npages, uint32_t prot)
{
	as_settle(as);
	if (prot == MAP_PROT_QUERY)
		return range_mapped(as, va, npages);
	uint64_t flags = as_prot_flags(prot);
	if (!flags || (prot & ~MAP_PROT_ALL) || !user_va_ok(va, npages))
		return E_INVAL;
	for (uint64_t i = 0; i < npages; i++) {
		pte_t *e = pte_at(as, va + i * PAGE_SIZE);
		if (!e)
			return E_FAULT;
		/* A shared mapping never gains more than its capability allowed at map time. */
		if ((*e & PTE_SHARED) && (flags & ~shared_ceiling(*e) & (PTE_W | PTE_X)))
			return E_RIGHTS;
	}
	/* Before the count-1 test below: a count-1 frame in a shared table has two users. */
	int err = as_own_range(as, va, npages, false);
	if (err)
		return err;
	tlb_batch_begin(as); /* other harts are fenced once, below (nothing is allocated) */
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		pte_t *e = pte_at(as, va);
		if (pte_is_gone(*e))
			continue; /* stays a bus error whatever the protection */
		pte_t old = *e, keep = old & ~(PTE_PERM_MASK | PTE_U);
		if (!(old & PTE_SHARED))
			keep &= ~PTE_COW; /* recomputed below; a shared leaf keeps its MAYWRITE */
		uint64_t perm = flags & PTE_PERM_MASK;
		int private_frame = !(old & PTE_SHARED) && frame_count(&kframes, pte_pa(old)) == 1;
		if (!(flags & PTE_U)) {
			/* No access: only U goes; frame, R/W/X and COW stay for later (vm/pte.h). */
			keep = old & ~PTE_U;
			perm = 0;
		} else if ((perm & PTE_W) && !(old & PTE_SHARED) && !private_frame) {
			perm &= ~PTE_W; /* logically writable: the first store copies */
			keep |= PTE_COW;
		}
		*e = keep | perm | (flags & PTE_U);
		tlb_batch_page(as, va);
	}
	tlb_batch_end(as);
	return 0;
}

/*
 * The level-1 entry above va's level-0 table once both tables are as's own (the level-0
 * one marked dirty), or NULL for E_NOMEM: cow_fault's way when the table is not dirty
 * yet and either table may have to be copied or marked. Out of line, so that the common
 * fault saves no more registers.
 */
static __attribute__((noinline)) pte_t *cow_own_slow(struct as *as, uint64_t va)
{
	int err;
	pte_t *l1e = l1_for_write(as, va, &err);
	return l1e && table_own(as, l1e) == 0 ? l1e : 0;
}

/*
 * cow_fault's way when the level-0 table behind *l1e is not dirty yet. The usual case,
 * after a fork: the level-1 table is already as's (its root entry dirty) and the level-0
 * table too (a count of 1): it is only marked.
 */
static inline pte_t *cow_own(struct as *as, uint64_t va, pte_t *l1e)
{
	if ((as->root[pt_index(va, PT_LEVELS - 1)] & PTE_TABLE_DIRTY) &&
	    !table_shared(pte_pa(*l1e))) {
		*l1e |= PTE_TABLE_DIRTY;
		return l1e;
	}
	return cow_own_slow(as, va);
}

/*
 * Steps 1 and 2 of a store fault (below): the copy-on-write leaf at va, its tables made
 * as's own. NULL, with *f AS_FAULT_REAL if it is no such leaf or AS_FAULT_NOMEM.
 */
static inline __attribute__((always_inline)) pte_t *cow_leaf(struct as *as, uint64_t va,
							     enum as_fault *f)
{
	pte_t *l1e = va < USER_VA_MAX ? as_walk_l1(as, va) : 0;
	*f = AS_FAULT_REAL;
	if (!l1e || !pte_valid(*l1e))
		return 0;
	pte_t *e = entry_below(*l1e, va, 0);
	if ((*e & (PTE_V | PTE_U | PTE_COW | PTE_SHARED)) != (PTE_V | PTE_U | PTE_COW))
		return 0; /* on a shared leaf the bit is PTE_SHARED_MAYWRITE */
	/*
	 * A table not yet dirty may be shared, and so may the level-1 table above it: each is
	 * copied first (a count-1 frame in a shared table is still mapped twice), and e is
	 * found again in the copy. A dirty one, the common case, is the task's own already,
	 * and so is its level-1 table (only a dirty root entry's table holds dirty entries).
	 */
	if (!(*l1e & PTE_TABLE_DIRTY)) {
		*f = AS_FAULT_NOMEM;
		if (!(l1e = cow_own(as, va, l1e)))
			return 0;
		e = entry_below(*l1e, va, 0);
	}
	return e;
}

/* The leaf e made writable and its own over the frame at pa: no longer copy-on-write. */
static inline pte_t cow_writable(pte_t e, uint64_t pa)
{
	return pte_make(pa, (pte_flags(e) & ~PTE_COW) | PTE_W | PTE_D);
}

/*
 * Step 5: the copy at new_pa replaces the leaf *e, and the flush of va follows; only then
 * does the old frame (old_pa) lose that reference. Freed before the fence, it could be
 * handed out (a fork's clone on another hart allocates without the big lock) while
 * another hart that runs the space could still read it.
 */
static inline __attribute__((always_inline)) void cow_install(struct as *as, uint64_t va, pte_t *e,
							      uint64_t old_pa, uint64_t new_pa)
{
	*e = cow_writable(*e, new_pa);
	tlb_flush_page(as, va);
	frame_drop(&kframes, old_pa);
	cow_count(&cow_stats.copies);
}

/*
 * A copy left for the caller to make without its lock: the old frame is held (if it can
 * be freed at all), so it stays what the noted PTE maps while the lock is let go.
 */
static __attribute__((noinline)) enum as_fault cow_defer(struct cow_copy *c, uint64_t va, pte_t old,
							 uint64_t new_pa)
{
	c->va = va;
	c->old = old;
	c->new_pa = new_pa;
	c->held = frame_ref(&kframes, pte_pa(old)) == 0;
	return AS_FAULT_COPY;
}

/*
 * The store/AMO page fault (EXC_STORE_PAGE_FAULT) on a user address:
 *   1. Find the PTE.
 *   2. If it is not COW, this is a real protection fault: the caller delivers it.
 *      If its level-0 table is shared with another task, copy the table first.
 *   3. If the frame's count is 1, nobody else sees it: make it writable in place,
 *      clear COW, count a reuse.
 *   4. Otherwise allocate a frame and copy the 4 KiB (page_copy).
 *   5. Install the copy writable, drop the old frame's reference, and flush this one
 *      address (the old translation was read-only, but it must not survive).
 *   6. Return: the store is retried.
 * No frame: AS_FAULT_NOMEM, and nothing has changed. Inlined in as_user_fault, the
 * trap's way in, so that a COW fault pays for no further call.
 */
static inline __attribute__((always_inline)) enum as_fault cow_fault(struct as *as, uint64_t va,
								     struct cow_copy *defer)
{
	enum as_fault f;
	pte_t *e = cow_leaf(as, va, &f);
	if (!e)
		return f;
	uint64_t old_pa = pte_pa(*e), new_pa;
	uint64_t fi = (old_pa - kframes.base) >> FRAME_SHIFT;

	if (fi < kframes.nframes && kframes.ref[fi] == 1) {
		*e = cow_writable(*e, old_pa);
		cow_count(&cow_stats.reuses);
		tlb_flush_page(as, va);
	} else {
		if (frame_alloc(&kframes, &new_pa) != 0) {
			cow_count(&cow_stats.no_frame);
			return AS_FAULT_NOMEM;
		}
		if (defer) /* several harts: the caller copies without its lock (as_cow_end) */
			return cow_defer(defer, va, *e, new_pa);
		page_copy(phys_to_virt(new_pa), phys_to_virt(old_pa));
		cow_install(as, va, e, old_pa, new_pa);
	}
	return AS_FAULT_RESOLVED;
}

int as_cow_fault(struct as *as, uint64_t va)
{
	as_settle(as);
	enum as_fault f = cow_fault(as, va, 0);
	return f == AS_FAULT_RESOLVED ? 0 : f == AS_FAULT_NOMEM ? E_NOMEM : E_FAULT;
}

/* The PTE bits an access of cause needs, or 0 if cause is no page fault. */
static uint64_t fault_needs(uint64_t cause)
{
	switch (cause) {
	case EXC_STORE_PAGE_FAULT:
		return PTE_W;
	case EXC_LOAD_PAGE_FAULT:
		return PTE_R;
	case EXC_INSN_PAGE_FAULT:
		return PTE_X;
	default:
		return 0;
	}
}

int as_stack_reserve(struct as *as, uint64_t npages)
{
	as_settle(as);
	if (npages > USER_STACK_MAX / PAGE_SIZE)
		return E_INVAL;
	as->stack_pages = (uint32_t)npages;
	return 0;
}

/* Is va in the stack reserve? */
static bool in_stack_reserve(const struct as *as, uint64_t va)
{
	return va < USER_STACK_TOP && va >= USER_STACK_TOP - (uint64_t)as->stack_pages * PAGE_SIZE;
}

/*
 * The stack grows on demand: no page table describes the reserve, only its size, so a
 * fork or an exec pays nothing for the megabytes a process never touches.
 */
int as_stack_fault(struct as *as, uint64_t va)
{
	as_settle(as);
	uint64_t pa;
	if (!in_stack_reserve(as, va) || pte_at(as, va))
		return E_FAULT;
	if (frame_alloc(&kframes, &pa) != 0)
		return E_NOMEM;
	page_zero(pa);
	return as_map(as, va & ~(PAGE_SIZE - 1), pa, as_prot_flags(MAP_PROT_READ | MAP_PROT_WRITE));
}

/* A load or store on nothing: resolved if the stack reserve takes it, else a real fault. */
static enum as_fault stack_demand(struct as *as, uint64_t va, uint64_t cause)
{
	if (cause != EXC_LOAD_PAGE_FAULT && cause != EXC_STORE_PAGE_FAULT)
		return AS_FAULT_REAL;
	int err = as_stack_fault(as, va);
	return err == 0 ? AS_FAULT_RESOLVED : err == E_FAULT ? AS_FAULT_REAL : AS_FAULT_NOMEM;
}

/*
 * A fault from a translation this hart cached before another hart changed the PTE: if
 * the PTE now allows the access, this hart's entry is flushed and the access retried.
 */
static bool fault_stale(struct as *as, uint64_t va, uint64_t cause)
{
	uint64_t need = fault_needs(cause);
	pte_t *e = need && va < USER_VA_MAX ? as_walk(as, va) : 0;
	if (!e || (*e & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
		return false;
	tlb_flush_here(va & ~(PAGE_SIZE - 1));
	return true;
}

/*
 * A real fault on a gone page (its object shrank) is a bus error, not a bad address; one
 * on a page that is mapped but not for this access is told apart from one on nothing.
 */
static __attribute__((noinline)) enum as_fault fault_real(struct as *as, uint64_t va,
							  uint64_t cause)
{
	pte_t *e = fault_needs(cause) && va < USER_VA_MAX ? as_walk(as, va) : 0;
	if (!e || !(*e & PTE_V))
		return stack_demand(as, va, cause);
	return pte_is_gone(*e) ? AS_FAULT_GONE : AS_FAULT_DENIED;
}

/* The one fault entry's body; defer: see as_user_fault_begin. */
static inline __attribute__((always_inline)) enum as_fault
user_fault(struct as *as, uint64_t va, uint64_t cause, struct cow_copy *defer)
{
	if (cause == EXC_STORE_PAGE_FAULT) {
		enum as_fault f = cow_fault(as, va, defer);
		if (f != AS_FAULT_REAL)
			return f;
	}
	return fault_stale(as, va, cause) ? AS_FAULT_RESOLVED : fault_real(as, va, cause);
}

enum as_fault as_user_fault_alone(struct as *as, uint64_t va, uint64_t cause)
{
	return user_fault(as, va, cause, 0);
}

enum as_fault as_user_fault(struct as *as, uint64_t va, uint64_t cause)
{
	as_settle(as);
	return user_fault(as, va, cause, 0);
}

enum as_fault as_user_fault_begin(struct as *as, uint64_t va, uint64_t cause, struct cow_copy *c)
{
	as_settle(as);
	return user_fault(as, va, cause, c);
}

void as_cow_copy(const struct cow_copy *c)
{
	page_copy(phys_to_virt(c->new_pa), phys_to_virt(pte_pa(c->old)));
}

void as_cow_drop(const struct cow_copy *c)
{
	frame_drop(&kframes, c->new_pa);
	if (c->held)
		frame_drop(&kframes, pte_pa(c->old));
}

/*
 * The copy goes in only if the PTE is still the one noted: anything may have happened to
 * the tree meanwhile (an unmap, another thread's fault on the page, a fork that shares
 * its tables again, which cow_own undoes as in a fault). Otherwise the copy is dropped
 * and the store retried, which faults again if it still must.
 */
enum as_fault as_cow_end(struct as *as, const struct cow_copy *c)
{
	as_settle(as);
	enum as_fault f;
	pte_t *e = cow_leaf(as, c->va, &f);
	if (!e || *e != c->old) {
		as_cow_drop(c);
		/* f says why only when there is no leaf: a table copy found no frame, or
		 * the page is no COW leaf now (a retried store faults again if it must). */
		return !e && f == AS_FAULT_NOMEM ? f : AS_FAULT_RESOLVED;
	}
	cow_install(as, c->va, e, pte_pa(c->old), c->new_pa);
	if (c->held)
		frame_drop(&kframes, pte_pa(c->old));
	return AS_FAULT_RESOLVED;
}

/*
 * A kernel write to a page that is not writable: break its copy-on-write share as a user
 * store would, then translate again (the fault may have copied the table). Out of line,
 * so that as_translate's common case saves no registers.
 */
static __attribute__((noinline)) int translate_cow(struct as *as, uint64_t va, uint64_t *pa)
{
	int err = as_cow_fault(as, va);
	if (err)
		return err;
	*pa = pte_pa(*pte_at(as, va & ~(PAGE_SIZE - 1))) + (va & (PAGE_SIZE - 1));
	return 0;
}

/* A kernel copy to or from a stack page not touched yet maps it, as a user access would. */
static __attribute__((noinline)) int translate_stack(struct as *as, uint64_t va, uint64_t *pa)
{
	int err = as_stack_fault(as, va);
	if (err)
		return err == E_QUOTA ? E_NOMEM : err;
	*pa = pte_pa(*pte_at(as, va & ~(PAGE_SIZE - 1))) + (va & (PAGE_SIZE - 1));
	return 0;
}

int as_translate(struct as *as, uint64_t va, int write, uint64_t *pa)
{
	as_settle(as);
	pte_t *e = va < USER_VA_MAX ? as_walk(as, va & ~(PAGE_SIZE - 1)) : 0;
	if (!e || !pte_valid(*e))
		return translate_stack(as, va, pa);
	/* Only RAM is in the kernel's direct map: device registers are never copied through. */
	if (!(*e & PTE_U) || !frame_in_pool(&kframes, pte_pa(*e)))
		return E_FAULT;
	if (write && !(*e & PTE_W))
		return translate_cow(as, va, pa);
	if (!(*e & PTE_R))
		return E_FAULT;
	*pa = pte_pa(*e) + (va & (PAGE_SIZE - 1));
	return 0;
}

/* EAGER: a private copy of one page for the child; 0 or E_NOMEM. */
static int copy_leaf(pte_t e, pte_t *ce)
{
	uint64_t np;
	if (frame_alloc(&kframes, &np) != 0)
		return E_NOMEM;
	page_copy(phys_to_virt(np), phys_to_virt(pte_pa(e)));
	pte_t f = pte_flags(e);
	if (f & PTE_COW)
		f = (f & ~PTE_COW) | PTE_W; /* the child's copy is its own */
	*ce = pte_make(np, f);
	return 0;
}

/*
 * The leaves of one parent table into the child's own table. COW: a writable private
 * page loses W and gains COW in the parent, the child gets the same entry, the frame one
 * more reference. EAGER: private pages are copied, and the parent's table is only read.
 * Not inlined in clone_l0: its loop runs once per page and keeps every register it needs.
 */
static __attribute__((noinline)) int clone_leaves(pte_t *pt, pte_t *ct, int mode, int *wp)
{
	int err = 0;
	uint64_t mask = *groups_of(pt);
	*groups_of(ct) = mask; /* before any entry: a failed clone frees what it has */
	for (int i = 0; i < PT_ENTRIES && !err; i++) {
		if ((i % PT_GROUP) == 0 && !(mask & (1UL << (i / PT_GROUP)))) {
			i += PT_GROUP - 1;
			continue;
		}
		pte_t e = pt[i];
		if (!(e & PTE_V))
			continue;
		if (mode == FORK_EAGER && (e & (PTE_SHARED | PTE_U)) == PTE_U) {
			err = copy_leaf(e, &ct[i]);
			continue;
		}
		if ((e & (PTE_W | PTE_SHARED)) == PTE_W) {
			e = (e & ~PTE_W) | PTE_COW;
			pt[i] = e;
			*wp = 1;
		}
		frame_share(&kframes, pte_pa(e));
		ct[i] = e;
	}
	return err;
}

/*
 * A COW fork shares every level-0 table but one: the table of the address both tasks
 * store to as soon as the call returns (the calling thread's stack), when it is dirty and
 * holds fewer than this many leaves. That one is copied during the scan fork makes of it
 * anyway, since sharing it would only have the first store copy it (and flush). Any other
 * dirty table (data, heap) is write-protected and shared: a child that exits or execs
 * soon never pays for a copy, and whichever task stores there first copies the table in
 * its fault (docs/vm-cow.md, "Shared page tables"; docs/benchmark.md has the figures).
 */
#define SHARE_MIN_LEAVES 64

/* What one clone carries down the walk. */
struct clone {
	struct as *child;
	const pte_t *hot;    /* the parent's level-1 entry above the hot address, or NULL */
	const pte_t *hot_re; /* the parent's root entry above it, or NULL */
	uint64_t hot_va;     /* the hot address */
	int mode;	     /* FORK_COW or FORK_EAGER */
	int wp;		     /* set when a parent's page lost W: its translations must go */
};

/*
 * Both tasks store to the hot page (the stack's) as soon as the clone returns: in the
 * hot table's copy (*ce, the child's level-1 entry) the child gets its own copy of the
 * page now, and the parent, left the last holder of its frame, keeps writing it in place.
 * That is what a store fault would do in each, without the two faults or the parent's
 * flush. No frame: both stay copy-on-write, and the first store faults as usual.
 */
static void clone_hot_page(struct clone *cl, pte_t *pe, pte_t *ce)
{
	unsigned i = pt_index(cl->hot_va, 0);
	pte_t *pl = &table_of(*pe)[i], *cl_leaf = &table_of(*ce)[i], e = *pl;
	uint64_t old = pte_pa(e), copy;
	if ((e & (PTE_V | PTE_U | PTE_COW | PTE_SHARED)) != (PTE_V | PTE_U | PTE_COW) ||
	    frame_alloc(&kframes, &copy) != 0)
		return;
	page_copy(phys_to_virt(copy), phys_to_virt(old));
	*cl_leaf = cow_writable(e, copy);
	*ce |= PTE_TABLE_DIRTY; /* a private writable page: the child's next fork must look */
	cow_count(&cow_stats.copies);
	/* The parent's table and the child's copy held the frame: now the parent alone? */
	bool last = frame_count(&kframes, old) == 2;
	frame_drop(&kframes, old);
	if (last) {
		*pl = cow_writable(e, old);
		*pe |= PTE_TABLE_DIRTY;
		cow_count(&cow_stats.reuses);
	}
}

/*
 * COW: the dirty level-0 table behind the parent's level-1 entry *pe scanned once, its
 * private writable pages made copy-on-write (no clean table holds one), and the entry
 * left clean. Returns its leaves; *groups gets its exact group mask.
 */
static inline __attribute__((always_inline)) unsigned l0_protect(struct clone *cl, pte_t *pe,
								 uint64_t *groups)
{
	pte_t *pt = table_of(*pe);
	bool changed = false;
	unsigned n = pt_l0_scan(pt, *groups_of(pt), true, groups, &changed);
	*groups_of(pt) = *groups; /* exact now */
	*pe &= ~PTE_TABLE_DIRTY;  /* RSW of a non-leaf entry: no flush */
	cl->wp |= changed;
	return n;
}

/*
 * One level-0 table for the child, behind the parent's level-1 entry *pe. COW: a dirty
 * table is scanned once, to write-protect the parent's private writable pages (no clean
 * table holds one) and count its leaves; then the child shares the table (one more
 * reference on it, none on its frames) or, if it is the hot one, dirty and sparse, gets
 * a copy. EAGER: a copy, with every private page copied.
 */
static int clone_l0(struct clone *cl, pte_t *pe, pte_t *ce)
{
	pte_t *pt = table_of(*pe);
	uint64_t groups = 0;
	if (cl->mode == FORK_COW) {
		unsigned n = SHARE_MIN_LEAVES;
		if (*pe & PTE_TABLE_DIRTY)
			n = l0_protect(cl, pe, &groups);
		if (n >= SHARE_MIN_LEAVES || pe != cl->hot) {
			/* A table is a pool frame the parent holds: no range or reserved test. */
			if (frame_count_get(
				    &kframes.ref[(pte_pa(*pe) - kframes.base) >> FRAME_SHIFT]) == 1)
				frame_shared_add(&kframes, 1);
			*ce = pte_make(pte_pa(*pe), PTE_V); /* clone_l1 marked its group */
			return 0; /* charged after the walk: sharing allocates nothing */
		}
	}
	if (quota_charge(cl->child->quota, PAGE_SIZE) != 0)
		return E_QUOTA; /* before the frame: a copy is charged when it is made */
	pte_t *next = pt_alloc();
	if (!next) {
		quota_refund(cl->child->quota, PAGE_SIZE);
		return E_NOMEM;
	}
	cl->child->tables++; /* made and charged: the walk's end charges only shared ones */
	/* An EAGER child's copies are private and writable: its next fork must look. */
	*ce = pte_make(virt_to_phys(next), PTE_V | (cl->mode == FORK_EAGER ? PTE_TABLE_DIRTY : 0));
	if (cl->mode == FORK_COW) {
		/* Only the hot table is copied in COW mode. */
		pt_l0_copy_groups(next, pt, groups, &kframes); /* nothing left to protect */
		*groups_of(next) = groups;
		clone_hot_page(cl, pe, ce);
		return 0;
	}
	return clone_leaves(pt, next, cl->mode, &cl->wp);
}

/*
 * The child's own level-1 table for the parent's root entry *pe (made, charged to the
 * child), its entries cloned one by one (clone_l0): in COW mode only the dirty hot table,
 * the one above the forking thread's stack. Both tasks store there as soon as the clone
 * returns (clone_hot_page), so both root entries stay dirty rather than be marked again
 * at once; every level-0 entry of the parent's table is clean after it. An EAGER child's
 * level-0 tables are its own dirty copies: its root entry is dirty too.
 */
static int clone_l1(struct clone *cl, pte_t *pe, pte_t *ce)
{
	pte_t *pt = table_of(*pe);
	int err = table_make(cl->child, ce, PTE_TABLE_DIRTY);
	if (err)
		return err;
	l1_note(cl->child, ce);
	pte_t *ct = table_of(*ce);
	/* The child's table gets the parent's groups at once, not per entry (clone_l0 fills
	 * them; a mask may say more than a table holds if the clone stops part-way). */
	uint64_t mask = *groups_of(pt);
	*groups_of(ct) = mask;
	for (; mask; mask &= mask - 1) {
		unsigned g = pt_lowest_group(mask);
		for (unsigned i = g * PT_GROUP; i < (g + 1) * PT_GROUP; i++)
			if (pte_valid(pt[i]) && (err = clone_l0(cl, &pt[i], &ct[i])) != 0)
				return err;
	}
	return 0;
}

/*
 * A dirty level-1 table that the hot address is not under, made clean in place: its dirty
 * level-0 tables write-protected (l0_protect), its root entry *pe unmarked. The child then
 * shares it whole like any clean one, where a copy cost a table (about 110 instructions),
 * a walk of its entries at fork and another at the child's exit. If both tasks live on, the
 * first of them to change an entry below copies it then (l1_own), as the fork did before.
 */
static void l1_clean(struct clone *cl, pte_t *pe)
{
	pte_t *pt = table_of(*pe);
	uint64_t groups;
	for (uint64_t mask = *groups_of(pt); mask; mask &= mask - 1) {
		unsigned g = pt_lowest_group(mask);
		for (unsigned i = g * PT_GROUP; i < (g + 1) * PT_GROUP; i++)
			if (pt[i] & PTE_TABLE_DIRTY) /* only a valid table entry has the mark */
				l0_protect(cl, &pt[i], &groups);
	}
	*pe &= ~PTE_TABLE_DIRTY; /* RSW of a non-leaf entry: no flush */
}

/*
 * A clean level-1 table (its root entry *pe not dirty: every entry clean, every level-0
 * table below sharable as it is) is shared whole by the child: one reference, whatever
 * it spans. Neither task may change its entries from now on without a copy (l1_own).
 */
static inline void l1_share(struct as *child, pte_t *pe, pte_t *ce)
{
	/* A table is a pool frame the parent holds: no range or reserved test. */
	if (frame_count_get(&kframes.ref[(pte_pa(*pe) - kframes.base) >> FRAME_SHIFT]) == 1)
		frame_shared_add(&kframes, 1);
	*ce = pte_make(pte_pa(*pe), PTE_V);
	mark(ce);
	l1_note(child, ce);
}

/*
 * Mirror the parent's user half: a COW clone shares each level-1 table whole (cleaned
 * first if dirty) but the hot one when dirty, and gives the child its own copy of that
 * one (charged to it); an EAGER clone copies them all.
 */
static int clone_root(struct clone *cl, struct as *parent)
{
	pte_t *pt = parent->root, *ct = cl->child->root;
	for (unsigned w = 0; w < USER_ROOT_ENTRIES / 64; w++)
		for (uint64_t m = parent->l1_used[w]; m; m &= m - 1) {
			unsigned i = w * 64 + pt_lowest_group(m);
			if (cl->mode == FORK_COW &&
			    (&pt[i] != cl->hot_re || !(pt[i] & PTE_TABLE_DIRTY))) {
				if (pt[i] & PTE_TABLE_DIRTY)
					l1_clean(cl, &pt[i]);
				l1_share(cl->child, &pt[i], &ct[i]);
			} else {
				int err = clone_l1(cl, &pt[i], &ct[i]);
				if (err)
					return err;
			}
		}
	return 0;
}

/*
 * The leaves in as's tree, counted, and its tables in *tables: only for a clone that
 * stopped part-way.
 */
static uint64_t tree_leaves(struct as *as, uint64_t *tables)
{
	uint64_t n = 0;
	*tables = 0;
	for (int i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (!pte_valid(as->root[i]))
			continue;
		pte_t *l1 = table_of(as->root[i]);
		++*tables;
		for (int j = 0; j < PT_ENTRIES; j++)
			if (pte_valid(l1[j])) {
				uint64_t groups;
				bool changed;
				++*tables;
				n += pt_l0_scan(table_of(l1[j]),
						*pt_groups(&kframes, pte_pa(l1[j])), false, &groups,
						&changed);
			}
	}
	return n;
}

int as_clone_tree(struct as *parent, struct as *child, int mode, uint64_t hot, bool *wp)
{
	struct clone cl = { .child = child, .mode = mode };
	child->stack_pages = parent->stack_pages;
	cl.hot = hot < USER_VA_MAX ? as_walk_l1(parent, hot) : 0;
	cl.hot_re = cl.hot ? &parent->root[pt_index(hot, PT_LEVELS - 1)] : 0;
	cl.hot_va = hot;
	int err = clone_root(&cl, parent);
	/*
	 * A finished clone maps exactly the parent's leaves through as many tables. The pages
	 * and the shared tables (each task is charged for every table in its tree, shared or
	 * not; child->tables counts those the clone made and charged) are charged after the
	 * walk, even past the limit, so that destroying a child whose clone failed refunds
	 * exactly what it holds.
	 */
	uint64_t made = child->tables, tables = parent->tables;
	uint64_t pages = err ? tree_leaves(child, &tables) : parent->resident;
	child->resident += pages;
	child->tables = tables;
	if (quota_charge_over(child->quota, (pages + tables - made) * PAGE_SIZE) && !err)
		err = E_QUOTA;
	if (wp)
		*wp = cl.wp;
	else if (cl.wp) /* the parent's pages are read-only now: its translations go */
		tlb_flush_all(parent);
	return err;
}

void as_clone_begin(struct as *parent, struct as *child)
{
	as_settle(parent); /* another thread's fork of the same parent, under way */
	parent->cloning = 1;
	child->cloning = 1;
}

/* The release orders the clone's writes before the marks: as_settle's load acquires. */
void as_clone_end(struct as *parent, struct as *child)
{
	__atomic_store_n(&child->cloning, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&parent->cloning, 0, __ATOMIC_RELEASE);
}

/*
 * A holder of the big lock waits for a clone made without it. The cloner needs nothing
 * this hart holds (only the frame pool's lock, and no hart waits inside that), so the
 * wait ends; it is one fork's clone at most, since no other can begin meanwhile.
 */
void as_clone_wait(struct as *as)
{
	lock_order_take(LOCK_AS);
	while (__atomic_load_n(&as->cloning, __ATOMIC_ACQUIRE))
		__asm__ volatile("nop");
	lock_order_drop(LOCK_AS);
}

/* Offer the leaves of one level-0 table to fn; true if any was rewritten. */
static bool rewrite_l0(pte_t *t, bool (*fn)(pte_t *e, void *ctx), void *ctx)
{
	bool changed = false;
	for (uint64_t m = *groups_of(t); m; m &= m - 1)
		for (unsigned j = pt_lowest_group(m) * PT_GROUP, k = 0; k < PT_GROUP; k++)
			if (pte_leaf(t[j + k]))
				changed |= fn(&t[j + k], ctx);
	return changed;
}

/* The level-0 tables of one address space's user half. */
static bool rewrite_as(struct as *as, bool (*fn)(pte_t *e, void *ctx), void *ctx)
{
	bool changed = false;
	for (uint64_t m = *groups_of(as->root) & USER_ROOT_GROUPS; m; m &= m - 1)
		for (unsigned i = pt_lowest_group(m) * PT_GROUP, k = 0; k < PT_GROUP; k++) {
			pte_t r = as->root[i + k];
			if (!pte_valid(r) || pte_leaf(r))
				continue;
			pte_t *l1 = table_of(r);
			for (uint64_t m1 = *groups_of(l1); m1; m1 &= m1 - 1)
				for (unsigned j = pt_lowest_group(m1) * PT_GROUP, q = 0;
				     q < PT_GROUP; q++)
					if (pte_valid(l1[j + q]) && !pte_leaf(l1[j + q]))
						changed |= rewrite_l0(table_of(l1[j + q]), fn, ctx);
		}
	return changed;
}

uint64_t as_rewrite_all(bool (*fn)(pte_t *e, void *ctx), void *ctx)
{
	uint64_t changed = 0;
	for (uint64_t i = 0; i < as_count; i++) {
		as_settle(as_table[i]);
		changed += rewrite_as(as_table[i], fn, ctx);
	}
	/* A table shared at fork changed under holders visited later: flush them all. */
	for (uint64_t i = 0; changed && i < as_count; i++)
		tlb_flush_all(as_table[i]);
	return changed;
}
