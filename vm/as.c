/* User address spaces and copy-on-write: see as.h and docs/vm-cow.md. */
#include "vm/as.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "sbi/sbi.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/vm.h"

#define USER_ROOT_ENTRIES (PT_ENTRIES / 2) /* root slots 0..255: the lower half */
/* The root's groups of eight entries that are the user's (the lower half). */
#define USER_ROOT_GROUPS  ((1UL << (USER_ROOT_ENTRIES / PT_GROUP)) - 1)

struct cow_stats cow_stats;
static unsigned asid_bits;
static uint16_t next_asid = 1;

void as_probe_asids(void)
{
	uint64_t old = csr_read(satp);
	csr_write(satp, old | (SATP_ASID_MASK << SATP_ASID_SHIFT));
	uint64_t got = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(satp, old);
	sfence_vma_all();
	while (got & 1) {
		asid_bits++;
		got >>= 1;
	}
}

static uint64_t my_bit(void)
{
	return this_hart()->hartid < 64 ? 1UL << this_hart()->hartid : 0;
}

/*
 * The shootdown rule: a translation that lost permission or changed frame is flushed on
 * this hart, and on every other hart that has run this task since it was created
 * (tlb_harts), which must confirm before this returns (smp_shootdown). Only then may the
 * old frame be freed or the store that needed the change go on. Single-hart tasks, the
 * common case, never pay for it.
 */
static void remote_flush(struct task *t, uint64_t va, uint64_t size)
{
	if (!smp_on())
		return; /* one hart: nobody else can hold a translation */
	uint64_t running = t->active_harts & ~my_bit();
	/* Harts that ran it before but not now flush when they next switch to it. */
	t->stale_harts |= t->tlb_harts & ~t->active_harts & ~my_bit();
	t->tlb_harts &= t->active_harts | my_bit();
	if (running)
		smp_shootdown(running, va, size, asid_bits ? (long)t->asid : SMP_ALL_ASIDS);
}

static void as_flush_page(struct task *t, uint64_t va)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"((uint64_t)t->asid) : "memory");
	else
		sfence_vma_addr(va);
	remote_flush(t, va, PAGE_SIZE);
}

static void as_flush_all(struct task *t)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma zero, %0" ::"r"((uint64_t)t->asid) : "memory");
	else
		sfence_vma_all();
	remote_flush(t, 0, SBI_RFENCE_ALL);
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

/* Eight zero entries from p: the group is cleared for the zeroed-frame stack. */
static inline void group_zero(pte_t *p)
{
	p[0] = p[1] = p[2] = p[3] = p[4] = p[5] = p[6] = p[7] = 0;
}

int as_init(struct task *t)
{
	if (quota_take(t, PAGE_SIZE) != 0)
		return E_QUOTA;
	t->root = pt_alloc();
	if (!t->root) {
		quota_give(t, PAGE_SIZE);
		return E_NOMEM;
	}
	/*
	 * The kernel half is shared: its root entries point at the kernel's own tables. Only a
	 * handful are in use (the direct map's gigabytes and the image): copy the groups the
	 * kernel root's mask marks; pt_alloc zeroed the rest.
	 */
	uint64_t kgroups = *groups_of(kernel_root) & ~USER_ROOT_GROUPS;
	for (uint64_t m = kgroups; m; m &= m - 1) {
		unsigned g = pt_lowest_group(m);
		for (unsigned j = g * PT_GROUP; j < (g + 1) * PT_GROUP; j++)
			t->root[j] = kernel_root[j];
	}
	*groups_of(t->root) = kgroups;
	/* ASIDs wrap; a reused ASID is flushed before the new task runs. */
	if (asid_bits) {
		t->asid = next_asid;
		next_asid = (next_asid + 1) & ((1u << asid_bits) - 1);
		if (next_asid == 0)
			next_asid = 1;
	}
	as_flush_all(t);
	/* Its ASID may have been another task's: every other hart flushes it on first use. */
	t->stale_harts = ~my_bit();
	return 0;
}

static void as_free_tables(struct task *t);

/*
 * With several harts: which harts use or may cache a tree. The tree and its task outlive
 * this hart's use of them (a reference), and the last hart out of a destroyed tree frees
 * it. A hart told its entries for t's ASID may be stale flushes them before running t.
 */
static void as_track(struct task *t, struct task *old, uint64_t asid)
{
	uint64_t me = my_bit();
	if (t) {
		kobj_get(&t->hdr);
		t->active_harts |= me;
		t->tlb_harts |= me;
		if (t->stale_harts & me) {
			t->stale_harts &= ~me;
			__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
		}
	}
	if (old) {
		old->active_harts &= ~me;
		if (old->as_doomed && !old->active_harts)
			as_free_tables(old);
		kobj_put(&old->hdr);
	}
}

/* Put t's tree (NULL: the kernel's alone) in this hart's satp. */
void as_activate(struct task *t)
{
	struct hart *h = this_hart();
	struct task *old = h->as_active;
	pte_t *root = t ? t->root : kernel_root;
	uint64_t asid = t ? t->asid : 0;
	csr_write(satp,
		  SATP_MODE_SV39 | (asid << SATP_ASID_SHIFT) | (virt_to_phys(root) >> PAGE_SHIFT));
	if (!asid_bits)
		sfence_vma_all();
	h->as_active = t;
	if (smp_on())
		as_track(t, old, asid);
}

/* True if a page table is also in another task's tree (shared at fork). */
static inline bool table_shared(uint64_t table_pa)
{
	return kframes.ref[(table_pa - kframes.base) >> FRAME_SHIFT] > 1;
}

static void free_table(struct task *t, pte_t *table, int level);

/*
 * The entries of the groups in mask, at level: each leaf's frame or lower table let go,
 * and the groups left zero.
 */
static void free_groups(struct task *t, pte_t *table, uint64_t mask, int level)
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
				free_table(t, phys_to_virt(pte_pa(e)), level - 1);
		}
		group_zero(p);
	}
}

/*
 * Let go of one table and everything under it. A shared level-0 table only loses this
 * task's reference: its leaves are the table's, and the last holder drops them. A table
 * freed is left zeroed, and goes on the pool's stack of zeroed frames.
 */
static void free_table(struct task *t, pte_t *table, int level)
{
	uint64_t pa = virt_to_phys(table);
	quota_give(t, PAGE_SIZE);
	if (level == 0 && table_shared(pa)) {
		frame_drop(&kframes, pa);
		return;
	}
	free_groups(t, table, *pt_groups(&kframes, pa), level);
	frame_unref_zeroed(&kframes, pa);
}

static void as_free_tables(struct task *t)
{
	uint64_t mask = *groups_of(t->root);
	free_groups(t, t->root, mask & USER_ROOT_GROUPS, PT_LEVELS - 1);
	/* The kernel half's entries are the kernel's tables: only cleared. */
	for (mask &= ~USER_ROOT_GROUPS; mask; mask &= mask - 1)
		group_zero(&t->root[pt_lowest_group(mask) * PT_GROUP]);
	as_flush_all(t);
	frame_unref_zeroed(&kframes, virt_to_phys(t->root));
	/* The root, and one page per leaf: resident counts them, shared tables or not. */
	quota_give(t, (t->resident + 1) * PAGE_SIZE);
	t->resident = 0;
	t->root = 0;
	t->as_doomed = false;
}

/*
 * Tear down t's address space. Never while a hart's satp holds it: this hart moves to
 * the kernel's tree; other harts are sent an IPI, and the last of them to move away frees
 * the tree (as_leave). Until then its frames stay allocated, so no stale translation can
 * reach a frame that was reused.
 */
void as_destroy(struct task *t)
{
	if (!t->root || t->as_doomed)
		return;
	if (this_hart()->as_active == t)
		as_activate(0);
	if (t->active_harts) {
		t->as_doomed = true;
		sbi_send_ipi(t->active_harts);
		return;
	}
	as_free_tables(t);
}

uint64_t as_prot_flags(uint32_t prot)
{
	uint64_t f = PTE_U;
	if (prot & MAP_PROT_READ)
		f |= PTE_R;
	if (prot & MAP_PROT_WRITE)
		f |= PTE_W;
	if (prot & MAP_PROT_EXEC)
		f |= PTE_X;
	return (f & PTE_PERM_MASK) && pte_perm_ok(f) ? f : 0;
}

static int user_va_ok(uint64_t va, uint64_t npages)
{
	return !(va & (PAGE_SIZE - 1)) && va >= USER_VA_MIN && va < USER_VA_MAX &&
	       npages <= (USER_VA_MAX - va) / PAGE_SIZE;
}

/* A new zeroed table for *e, charged to t; 0, E_QUOTA or E_NOMEM. */
static int table_make(struct task *t, pte_t *e, uint64_t bits)
{
	if (quota_take(t, PAGE_SIZE) != 0)
		return E_QUOTA;
	pte_t *next = pt_alloc();
	if (!next) {
		quota_give(t, PAGE_SIZE);
		return E_NOMEM;
	}
	*e = pte_make(virt_to_phys(next), PTE_V | bits);
	mark(e);
	return 0;
}

/*
 * The level-1 entry above va's level-0 table, making the level-1 table (charged to t)
 * when err is not NULL; on failure *err says why: E_QUOTA or E_NOMEM.
 */
static pte_t *as_walk_l1(struct task *t, uint64_t va, int *err)
{
	pte_t *e = &t->root[pt_index(va, PT_LEVELS - 1)];
	if (!pte_valid(*e) && (!err || (*err = table_make(t, e, 0)) != 0))
		return 0;
	return &((pte_t *)phys_to_virt(pte_pa(*e)))[pt_index(va, 1)];
}

/*
 * The level-0 PTE for va, or NULL if there is no table: for reading only, since it may
 * be in a table shared with other tasks (leaf_for_write is the way to store).
 */
static pte_t *as_walk(struct task *t, uint64_t va)
{
	pte_t *l1e = as_walk_l1(t, va, 0);
	if (!l1e || !pte_valid(*l1e))
		return 0;
	return &((pte_t *)phys_to_virt(pte_pa(*l1e)))[pt_index(va, 0)];
}

/*
 * Give t its own copy of the level-0 table *l1e points at, which other tasks share. The
 * copy maps the same frames, so each gains a reference; the shared table loses t's. t's
 * cached walks may still lead to the old table: they are flushed on every hart before
 * any entry of the copy can change. Quota is unchanged (t was charged for the table).
 * 0, or E_NOMEM with nothing changed.
 */
static int table_unshare(struct task *t, pte_t *l1e)
{
	uint64_t new_pa, old_pa = pte_pa(*l1e), groups = *pt_groups(&kframes, old_pa);
	int zeroed = frame_alloc_zero(&kframes, &new_pa);
	if (zeroed < 0)
		return E_NOMEM;
	/* Into a zeroed frame only the marked groups need copying; else all 512 entries. */
	if (zeroed)
		pt_l0_copy_groups(phys_to_virt(new_pa), phys_to_virt(old_pa), groups, &kframes);
	else
		pt_l0_copy(phys_to_virt(new_pa), phys_to_virt(old_pa), &kframes);
	*pt_groups(&kframes, new_pa) = groups;
	*l1e = pte_make(new_pa, PTE_V | PTE_TABLE_DIRTY);
	frame_drop(&kframes, old_pa); /* never the last reference: another task holds it */
	as_flush_all(t);
	return 0;
}

/*
 * Make the level-0 table behind t's level-1 entry *l1e t's alone, and mark it dirty. A
 * dirty table is never shared (fork clears the mark before it shares), which keeps the
 * common case, a store fault in a table written before, to one test. 0 or E_NOMEM.
 */
static inline int table_own(struct task *t, pte_t *l1e)
{
	if (*l1e & PTE_TABLE_DIRTY)
		return 0;
	if (table_shared(pte_pa(*l1e)))
		return table_unshare(t, l1e); /* the copy is marked dirty */
	*l1e |= PTE_TABLE_DIRTY;	      /* RSW of a non-leaf entry: the MMU ignores it */
	return 0;
}

/*
 * The level-0 PTE for va in a table t alone holds, unsharing it first: the one way to a
 * leaf that will be stored to (the rule: no task changes an entry of a shared table).
 * Marks the table dirty for the next fork. Missing tables are made (charged to t).
 * NULL with *err = E_QUOTA or E_NOMEM, and nothing visible changed.
 */
static pte_t *leaf_for_write(struct task *t, uint64_t va, int *err)
{
	pte_t *l1e = as_walk_l1(t, va, err);
	if (!l1e)
		return 0;
	if (!pte_valid(*l1e))
		*err = table_make(t, l1e, PTE_TABLE_DIRTY);
	else
		*err = table_own(t, l1e);
	if (*err)
		return 0;
	return &((pte_t *)phys_to_virt(pte_pa(*l1e)))[pt_index(va, 0)];
}

pte_t *as_pte(struct task *t, uint64_t va)
{
	if (va >= USER_VA_MAX)
		return 0;
	pte_t *e = as_walk(t, va);
	return e && pte_valid(*e) ? e : 0;
}

int as_map(struct task *t, uint64_t va, uint64_t pa, uint64_t flags)
{
	int err = 0;
	pte_t *e = 0;
	if (!user_va_ok(va, 1))
		err = E_INVAL;
	else if (as_pte(t, va))
		err = E_BUSY; /* before any table is made or unshared */
	else if (quota_take(t, PAGE_SIZE) != 0)
		err = E_QUOTA;
	else if (!(e = leaf_for_write(t, va, &err)))
		quota_give(t, PAGE_SIZE);
	if (err) {
		frame_drop(&kframes, pa);
		return err;
	}
	*e = pte_make(pa, flags | PTE_V | PTE_U | PTE_A | PTE_D);
	mark(e);
	t->resident++;
	return 0;
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
static void as_prune(struct task *t, uint64_t va, uint64_t end)
{
	uint64_t span = pt_level_size(1);
	for (uint64_t b = va & ~(span - 1); b < end; b += span) {
		pte_t *l1 = &t->root[pt_index(b, 2)];
		if (!pte_valid(*l1))
			continue;
		pte_t *l1e = &((pte_t *)phys_to_virt(pte_pa(*l1)))[pt_index(b, 1)];
		if (!pte_valid(*l1e) || pte_leaf(*l1e) || !table_empty(phys_to_virt(pte_pa(*l1e))))
			continue;
		uint64_t table = pte_pa(*l1e);
		*l1e = 0;
		/* A non-leaf entry changed: an address-scoped fence does not cover cached walks,
		 * and the walk cache must forget the table before the frame is reused. */
		as_flush_all(t);
		quota_give(t, PAGE_SIZE);
		frame_unref_zeroed(&kframes, table); /* it is empty */
	}
}

/*
 * The level-1 entry of a shared level-0 table whose whole 2 MiB lies in the next left
 * pages from va, or NULL. Unmapping such a span only lets go of the table.
 */
static pte_t *shared_span(struct task *t, uint64_t va, uint64_t left)
{
	if ((va & (pt_level_size(1) - 1)) || left < PT_ENTRIES)
		return 0;
	pte_t *l1e = as_walk_l1(t, va, 0);
	return l1e && pte_valid(*l1e) && table_shared(pte_pa(*l1e)) ? l1e : 0;
}

/*
 * Unmap the whole span of a shared level-0 table: t drops its reference on the table,
 * and the pages stay mapped by the other holders, so nothing is copied and nothing can
 * fail. Its leaves are counted to refund resident and quota exactly.
 */
static void table_release(struct task *t, pte_t *l1e)
{
	uint64_t pa = pte_pa(*l1e), groups;
	bool changed;
	unsigned n =
		pt_l0_scan(phys_to_virt(pa), *pt_groups(&kframes, pa), false, &groups, &changed);
	*l1e = 0;
	as_flush_all(t);	  /* a level-1 entry went: cached walks must forget the table */
	frame_drop(&kframes, pa); /* never the last reference: another task holds it */
	t->resident -= n;
	quota_give(t, (n + 1) * PAGE_SIZE);
}

/*
 * If no page table maps va: how many of the next left pages (at least 1) lie in the same
 * hole, up to the end of its 2 MiB or, without a level-1 table, its 1 GiB. Otherwise 0.
 * Walking a hole a table at a time keeps a call over all of user space (64 Mi pages)
 * from holding the kernel for seconds.
 */
static uint64_t table_hole(struct task *t, uint64_t va, uint64_t left)
{
	pte_t *root = &t->root[pt_index(va, PT_LEVELS - 1)];
	pte_t *l1e = pte_valid(*root) ? as_walk_l1(t, va, 0) : 0;
	if (l1e && pte_valid(*l1e))
		return 0;
	uint64_t span = pt_level_size(l1e ? 1 : 2);
	uint64_t pages = (span - (va & (span - 1))) / PAGE_SIZE;
	return pages < left ? pages : left;
}

/*
 * Make every level-0 table that maps a page of [va, va + npages pages) t's own, so the
 * caller can then change the range without failing half-way; with whole_ok, a shared
 * table the range covers whole is left shared (as_unmap releases it instead). 0 or
 * E_NOMEM; unsharing changes nothing t or anyone else can see.
 */
static int as_own_range(struct task *t, uint64_t va, uint64_t npages, bool whole_ok)
{
	int err = 0;
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		if (whole_ok && shared_span(t, va, npages - i)) {
			i += PT_ENTRIES - 1;
			va += (PT_ENTRIES - 1) * PAGE_SIZE;
			continue;
		}
		uint64_t hole = table_hole(t, va, npages - i);
		if (hole) {
			i += hole - 1; /* the loop adds the last page */
			va += (hole - 1) * PAGE_SIZE;
			continue;
		}
		if (as_pte(t, va) && !leaf_for_write(t, va, &err))
			return err;
	}
	return 0;
}

int as_unmap(struct task *t, uint64_t va, uint64_t npages)
{
	uint64_t start = va;
	if (!user_va_ok(va, npages))
		return E_INVAL;
	int err = as_own_range(t, va, npages, true);
	if (err)
		return err;
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		uint64_t hole = table_hole(t, va, npages - i);
		if (hole) {
			i += hole - 1;
			va += (hole - 1) * PAGE_SIZE;
			continue;
		}
		pte_t *l1e = shared_span(t, va, npages - i);
		if (l1e) {
			table_release(t, l1e);
			i += PT_ENTRIES - 1;
			va += (PT_ENTRIES - 1) * PAGE_SIZE;
			continue;
		}
		pte_t *e = as_pte(t, va);
		if (!e)
			continue;
		uint64_t pa = pte_pa(*e);
		*e = 0;
		/* The frame may be reused at once: no stale translation may outlive this. */
		as_flush_page(t, va);
		frame_drop(&kframes, pa);
		t->resident--;
		quota_give(t, PAGE_SIZE);
	}
	as_prune(t, start, va);
	return 0;
}

int as_map_anon(struct task *t, uint64_t va, uint64_t npages, uint32_t prot)
{
	uint64_t flags = as_prot_flags(prot);
	if (!flags || !user_va_ok(va, npages) || npages == 0)
		return E_INVAL;
	for (uint64_t i = 0, hole; i < npages; i++) {
		if ((hole = table_hole(t, va + i * PAGE_SIZE, npages - i)) != 0)
			i += hole - 1; /* nothing mapped there */
		else if (as_pte(t, va + i * PAGE_SIZE))
			return E_BUSY; /* checked first: nothing changes on a clash */
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pa;
		int err = frame_alloc(&kframes, &pa);
		if (!err) {
			uint64_t *w = phys_to_virt(pa);
			for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
				w[k] = 0;
			err = as_map(t, va + i * PAGE_SIZE, pa, flags);
		}
		if (err) {
			as_unmap(t, va, i);
			return err;
		}
	}
	return 0;
}

/*
 * New protection for mapped pages. A page that is COW, or shared read-only without
 * PTE_SHARED (text), and asked to be writable becomes COW: no frame is allocated here,
 * the first store copies. Lowering permission flushes the page.
 */
int as_protect(struct task *t, uint64_t va, uint64_t npages, uint32_t prot)
{
	uint64_t flags = as_prot_flags(prot);
	if (!flags || !user_va_ok(va, npages))
		return E_INVAL;
	for (uint64_t i = 0; i < npages; i++) {
		pte_t *e = as_pte(t, va + i * PAGE_SIZE);
		if (!e)
			return E_FAULT;
		/* A shared mapping never gains W or X: the object's capability decided those. */
		if ((*e & PTE_SHARED) && (flags & ~*e & (PTE_W | PTE_X)))
			return E_RIGHTS;
	}
	/* Before the count-1 test below: a count-1 frame in a shared table has two users. */
	int err = as_own_range(t, va, npages, false);
	if (err)
		return err;
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
		pte_t *e = as_pte(t, va);
		pte_t old = *e, keep = old & ~(PTE_PERM_MASK | PTE_COW);
		uint64_t perm = flags & PTE_PERM_MASK;
		int private_frame = !(old & PTE_SHARED) && frame_count(&kframes, pte_pa(old)) == 1;
		if ((perm & PTE_W) && !(old & PTE_SHARED) && !private_frame) {
			perm &= ~PTE_W; /* logically writable: the first store copies */
			keep |= PTE_COW;
		}
		*e = keep | perm;
		as_flush_page(t, va);
	}
	return 0;
}

/*
 * 4 KiB, sixteen doublewords per round: 32 rounds of 16 loads, 16 stores and the loop's
 * three instructions. Without a vector unit, 1,024 memory instructions are the floor.
 */
static void copy_page(uint64_t dst_pa, uint64_t src_pa)
{
	uint64_t *d = phys_to_virt(dst_pa);
	const uint64_t *s = phys_to_virt(src_pa), *end = s + PAGE_SIZE / 8;
	for (; s < end; s += 16, d += 16) {
		uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5];
		uint64_t a6 = s[6], a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11];
		uint64_t a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15];
		d[0] = a0, d[1] = a1, d[2] = a2, d[3] = a3, d[4] = a4, d[5] = a5, d[6] = a6;
		d[7] = a7, d[8] = a8, d[9] = a9, d[10] = a10, d[11] = a11, d[12] = a12;
		d[13] = a13, d[14] = a14, d[15] = a15;
	}
}

/*
 * The store/AMO page fault (scause 15) on a user address:
 *   1. Find the PTE.
 *   2. If it is not COW, this is a real protection fault: the caller delivers it.
 *      If its level-0 table is shared with another task, copy the table first.
 *   3. If the frame's count is 1, nobody else sees it: make it writable in place,
 *      clear COW, count a reuse.
 *   4. Otherwise allocate a frame and copy the 4 KiB, a word at a time, unrolled.
 *   5. Install the copy writable, drop the old frame's reference, and flush this one
 *      address (the old translation was read-only, but it must not survive).
 *   6. Return: the store is retried.
 * No frame: E_NOMEM, and nothing has changed.
 */
int as_cow_fault(struct task *t, uint64_t va)
{
	pte_t *l1e = va < USER_VA_MAX ? as_walk_l1(t, va, 0) : 0;
	if (!l1e || !pte_valid(*l1e))
		return E_FAULT;
	pte_t *e = &((pte_t *)phys_to_virt(pte_pa(*l1e)))[pt_index(va, 0)];
	if ((*e & (PTE_V | PTE_U | PTE_COW)) != (PTE_V | PTE_U | PTE_COW))
		return E_FAULT;
	/* A shared table is copied first: its count-1 frames are still mapped twice. */
	int err = table_own(t, l1e);
	if (err)
		return err;
	e = &((pte_t *)phys_to_virt(pte_pa(*l1e)))[pt_index(va, 0)];
	uint64_t old_pa = pte_pa(*e), new_pa;
	pte_t flags = (pte_flags(*e) & ~PTE_COW) | PTE_W | PTE_D;
	uint64_t fi = (old_pa - kframes.base) >> FRAME_SHIFT;

	cow_stats.faults++;
	if (fi < kframes.nframes && kframes.ref[fi] == 1) {
		*e = pte_make(old_pa, flags);
		cow_stats.reuses++;
	} else {
		if (frame_alloc(&kframes, &new_pa) != 0)
			return E_NOMEM;
		copy_page(new_pa, old_pa);
		*e = pte_make(new_pa, flags);
		frame_drop(&kframes, old_pa);
		cow_stats.copies++;
	}
	as_flush_page(t, va);
	return 0;
}

int as_fault_stale(struct task *t, uint64_t va, uint64_t scause)
{
	uint64_t need = scause == EXC_STORE_PAGE_FAULT	? PTE_W
			: scause == EXC_LOAD_PAGE_FAULT ? PTE_R
			: scause == EXC_INSN_PAGE_FAULT ? PTE_X
							: 0;
	pte_t *e = need && va < USER_VA_MAX ? as_walk(t, va) : 0;
	if (!e || (*e & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
		return 0;
	sfence_vma_addr(va & ~(PAGE_SIZE - 1));
	return 1;
}

int as_translate(struct task *t, uint64_t va, int write, uint64_t *pa)
{
	pte_t *e = as_pte(t, va & ~(PAGE_SIZE - 1));
	/* Only RAM is in the kernel's direct map: device registers are never copied through. */
	if (!e || !(*e & PTE_U) || !frame_in_pool(&kframes, pte_pa(*e)))
		return E_FAULT;
	if (write && !(*e & PTE_W)) {
		int err = as_cow_fault(t, va); /* kernel writes break COW like user ones */
		if (err)
			return err;
		e = as_pte(t, va & ~(PAGE_SIZE - 1)); /* the fault may have copied the table */
	} else if (!(*e & PTE_R)) {
		return E_FAULT;
	}
	*pa = pte_pa(*e) + (va & (PAGE_SIZE - 1));
	return 0;
}

/* EAGER: a private copy of one page for the child; 0 or E_NOMEM. */
static int copy_leaf(pte_t e, pte_t *ce)
{
	uint64_t np;
	if (frame_alloc(&kframes, &np) != 0)
		return E_NOMEM;
	copy_page(np, pte_pa(e));
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
 */
static int clone_leaves(pte_t *pt, pte_t *ct, int mode, int *wp)
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
		if (mode == FORK_EAGER && !(e & PTE_SHARED)) {
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
 * A COW fork shares a level-0 table that its parent has not written since its last fork
 * (the table is clean) or that holds at least this many leaves. A sparse dirty table, a
 * stack or data segment in use, is copied during the scan fork makes of it anyway: one
 * of the two tasks is about to write it, and copying it now is cheaper than sharing and
 * unsharing it (docs/benchmark.md has the measurements).
 */
#define SHARE_MIN_LEAVES 64

/*
 * One level-0 table for the child, behind the parent's level-1 entry *pe. COW: a dirty
 * table is scanned once, to write-protect the parent's private writable pages (no clean
 * table holds one) and count its leaves; then the child shares the table (one more
 * reference on it, none on its frames) or, if dirty and sparse, gets a copy. EAGER: a
 * copy, with every private page copied.
 */
static int clone_l0(struct task *child, pte_t *pe, pte_t *ce, int mode, int *wp)
{
	pte_t *pt = phys_to_virt(pte_pa(*pe));
	uint64_t groups = 0;
	if (quota_take(child, PAGE_SIZE) != 0)
		return E_QUOTA; /* shared or not, each task is charged for each of its tables */
	if (mode == FORK_COW) {
		bool changed = false;
		unsigned n = SHARE_MIN_LEAVES;
		if (*pe & PTE_TABLE_DIRTY) {
			n = pt_l0_scan(pt, *groups_of(pt), true, &groups, &changed);
			*groups_of(pt) = groups; /* exact now */
			*pe &= ~PTE_TABLE_DIRTY; /* RSW of a non-leaf entry: no flush */
			*wp |= changed;
		}
		if (n >= SHARE_MIN_LEAVES) {
			frame_share(&kframes, pte_pa(*pe));
			*ce = pte_make(pte_pa(*pe), PTE_V);
			mark(ce);
			return 0;
		}
	}
	pte_t *next = pt_alloc();
	if (!next) {
		quota_give(child, PAGE_SIZE);
		return E_NOMEM;
	}
	/* An EAGER child's copies are private and writable: its next fork must look. */
	*ce = pte_make(virt_to_phys(next), PTE_V | (mode == FORK_EAGER ? PTE_TABLE_DIRTY : 0));
	mark(ce);
	if (mode == FORK_COW) {
		pt_l0_copy_groups(next, pt, groups, &kframes); /* nothing left to protect */
		*groups_of(next) = groups;
		return 0;
	}
	return clone_leaves(pt, next, mode, wp);
}

/* Mirror one level of tables, making the child's tables as we go (charged to it). */
static int clone_tables(struct task *child, pte_t *pt, pte_t *ct, int level, int mode, int *wp)
{
	/* At the root only the lower half is the user's: the upper half is the kernel. */
	uint64_t mask = *groups_of(pt) & (level == PT_LEVELS - 1 ? USER_ROOT_GROUPS : ~0UL);
	for (; mask; mask &= mask - 1) {
		unsigned g = pt_lowest_group(mask);
		for (unsigned i = g * PT_GROUP; i < (g + 1) * PT_GROUP; i++) {
			if (!pte_valid(pt[i]))
				continue;
			int err = level == 1 ? clone_l0(child, &pt[i], &ct[i], mode, wp)
					     : table_make(child, &ct[i], 0);
			if (!err && level > 1)
				err = clone_tables(child, phys_to_virt(pte_pa(pt[i])),
						   phys_to_virt(pte_pa(ct[i])), level - 1, mode,
						   wp);
			if (err)
				return err;
		}
	}
	return 0;
}

/* The leaves in t's tree, counted: only for a clone that stopped part-way. */
static uint64_t tree_leaves(struct task *t)
{
	uint64_t n = 0;
	for (int i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (!pte_valid(t->root[i]))
			continue;
		pte_t *l1 = phys_to_virt(pte_pa(t->root[i]));
		for (int j = 0; j < PT_ENTRIES; j++)
			if (pte_valid(l1[j])) {
				uint64_t groups;
				bool changed;
				n += pt_l0_scan(phys_to_virt(pte_pa(l1[j])),
						*pt_groups(&kframes, pte_pa(l1[j])), false, &groups,
						&changed);
			}
	}
	return n;
}

int as_clone(struct task *parent, struct task *child, int mode)
{
	int wp = 0;
	int err = clone_tables(child, parent->root, child->root, PT_LEVELS - 1, mode, &wp);
	/*
	 * A finished clone maps exactly the parent's leaves. The pages are charged after the
	 * walk, even past the limit, so that destroying a child whose clone failed refunds
	 * exactly what it holds.
	 */
	uint64_t pages = err ? tree_leaves(child) : parent->resident;
	child->resident += pages;
	child->quota_used += pages * PAGE_SIZE;
	if (!err && child->quota_used > child->quota_limit)
		err = E_QUOTA;
	/* Pages the parent could write are read-only now: drop its cached translations. */
	if (wp)
		as_flush_all(parent);
	return err;
}
