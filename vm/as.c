/* User address spaces and copy-on-write: see as.h and docs/vm-cow.md. */
#include "vm/as.h"

#include "kernel/abi/error.h"
#include "kernel/hart.h"
#include "kernel/smp.h"
#include "sbi/sbi.h"
#include "kernel/riscv.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/vm.h"

#define USER_ROOT_ENTRIES (PT_ENTRIES / 2) /* root slots 0..255: the lower half */

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
 * Page tables are mostly empty: fork and teardown skip eight entries at a time when
 * all eight are zero, which is most of the cost of walking a sparse tree.
 */
#define PTE_GROUP 8

static inline int group_empty(const pte_t *p)
{
	return (p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]) == 0;
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
	 * handful are in use (the direct map's gigabytes and the image), so copy just those;
	 * pt_alloc zeroed the rest.
	 */
	for (int i = USER_ROOT_ENTRIES; i < PT_ENTRIES; i += PTE_GROUP)
		if (!group_empty(&kernel_root[i]))
			for (int j = i; j < i + PTE_GROUP; j++)
				t->root[j] = kernel_root[j];
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

/* Free a table and everything under it; leaves drop their frame. */
static void free_table(struct task *t, pte_t *table, int level)
{
	uint64_t leaves = 0;
	for (int i = 0; i < PT_ENTRIES; i++) {
		if ((i % PTE_GROUP) == 0 && group_empty(&table[i])) {
			i += PTE_GROUP - 1;
			continue;
		}
		pte_t e = table[i];
		if (!pte_valid(e))
			continue;
		if (pte_leaf(e)) {
			frame_drop(&kframes, pte_pa(e));
			leaves++;
		} else {
			free_table(t, phys_to_virt(pte_pa(e)), level - 1);
		}
	}
	t->resident -= leaves;
	quota_give(t, (leaves + 1) * PAGE_SIZE); /* the leaves and the table itself */
	frame_unref(&kframes, virt_to_phys(table));
}

static void as_free_tables(struct task *t)
{
	for (int i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (pte_valid(t->root[i]))
			free_table(t, phys_to_virt(pte_pa(t->root[i])), PT_LEVELS - 2);
		t->root[i] = 0;
	}
	as_flush_all(t);
	frame_unref(&kframes, virt_to_phys(t->root));
	quota_give(t, PAGE_SIZE);
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

/*
 * The level-0 PTE for va, making tables (charged to t) when err is not NULL; on failure
 * *err says why: E_QUOTA or E_NOMEM.
 */
static pte_t *as_walk(struct task *t, uint64_t va, int *err)
{
	pte_t *table = t->root;
	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t *e = &table[pt_index(va, l)];
		if (!pte_valid(*e)) {
			if (!err)
				return 0;
			if (quota_take(t, PAGE_SIZE) != 0) {
				*err = E_QUOTA;
				return 0;
			}
			pte_t *next = pt_alloc();
			if (!next) {
				quota_give(t, PAGE_SIZE);
				*err = E_NOMEM;
				return 0;
			}
			*e = pte_make(virt_to_phys(next), PTE_V);
		}
		table = phys_to_virt(pte_pa(*e));
	}
	return &table[pt_index(va, 0)];
}

pte_t *as_pte(struct task *t, uint64_t va)
{
	if (va >= USER_VA_MAX)
		return 0;
	pte_t *e = as_walk(t, va, 0);
	return e && pte_valid(*e) ? e : 0;
}

int as_map(struct task *t, uint64_t va, uint64_t pa, uint64_t flags)
{
	int err = 0;
	pte_t *e = 0;
	if (!user_va_ok(va, 1))
		err = E_INVAL;
	else if (quota_take(t, PAGE_SIZE) != 0)
		err = E_QUOTA;
	else if (!(e = as_walk(t, va, &err)))
		quota_give(t, PAGE_SIZE);
	else if (pte_valid(*e))
		err = E_BUSY;
	if (err) {
		if (err == E_BUSY)
			quota_give(t, PAGE_SIZE);
		frame_drop(&kframes, pa);
		return err;
	}
	*e = pte_make(pa, flags | PTE_V | PTE_U | PTE_A | PTE_D);
	t->resident++;
	return 0;
}

static int table_empty(const pte_t *table)
{
	for (int i = 0; i < PT_ENTRIES; i += PTE_GROUP)
		if (!group_empty(&table[i]))
			return 0;
	return 1;
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
		frame_unref(&kframes, table);
	}
}

int as_unmap(struct task *t, uint64_t va, uint64_t npages)
{
	uint64_t start = va;
	if (!user_va_ok(va, npages))
		return E_INVAL;
	for (uint64_t i = 0; i < npages; i++, va += PAGE_SIZE) {
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
	for (uint64_t i = 0; i < npages; i++) {
		pte_t *e = as_pte(t, va + i * PAGE_SIZE);
		if (e)
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
	pte_t *e = va < USER_VA_MAX ? as_walk(t, va, 0) : 0;
	if (!e || (*e & (PTE_V | PTE_U | PTE_COW)) != (PTE_V | PTE_U | PTE_COW))
		return E_FAULT;
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
	pte_t *e = need && va < USER_VA_MAX ? as_walk(t, va, 0) : 0;
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
 * The leaves of one parent table into the child's table. COW: a writable private page
 * loses W and gains COW in the parent, the child gets the same entry, the frame one more
 * reference. This loop is the per-page cost of fork, so it stays this small.
 */
static int clone_leaves(pte_t *pt, pte_t *ct, int mode, int *wp, uint64_t *pages)
{
	uint64_t n = 0;
	int err = 0;
	for (int i = 0; i < PT_ENTRIES && !err; i++) {
		if ((i % PTE_GROUP) == 0 && group_empty(&pt[i])) {
			i += PTE_GROUP - 1;
			continue;
		}
		pte_t e = pt[i];
		if (!(e & PTE_V))
			continue;
		n++;
		if (mode == FORK_EAGER && !(e & PTE_SHARED)) {
			err = copy_leaf(e, &ct[i]);
			n -= err != 0;
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
	*pages += n;
	return err;
}

/* Mirror one level of tables, making the child's tables as we go (charged to it). */
static int clone_tables(struct task *child, pte_t *pt, pte_t *ct, int level, int mode, int *wp,
			uint64_t *pages)
{
	/* At the root only the lower half is the user's: the upper half is the kernel. */
	int entries = level == PT_LEVELS - 1 ? USER_ROOT_ENTRIES : PT_ENTRIES;
	for (int i = 0; i < entries; i++) {
		if ((i % PTE_GROUP) == 0 && group_empty(&pt[i])) {
			i += PTE_GROUP - 1;
			continue;
		}
		if (!pte_valid(pt[i]))
			continue;
		if (quota_take(child, PAGE_SIZE) != 0)
			return E_QUOTA;
		pte_t *next = pt_alloc();
		if (!next) {
			quota_give(child, PAGE_SIZE);
			return E_NOMEM;
		}
		ct[i] = pte_make(virt_to_phys(next), PTE_V);
		pte_t *child_pt = phys_to_virt(pte_pa(pt[i]));
		int err = level == 1
				  ? clone_leaves(child_pt, next, mode, wp, pages)
				  : clone_tables(child, child_pt, next, level - 1, mode, wp, pages);
		if (err)
			return err;
	}
	return 0;
}

int as_clone(struct task *parent, struct task *child, int mode)
{
	int wp = 0;
	uint64_t pages = 0;
	int err = clone_tables(child, parent->root, child->root, PT_LEVELS - 1, mode, &wp, &pages);
	/*
	 * The pages are charged after the walk, even past the limit, so that destroying a
	 * child whose clone failed refunds exactly what it holds.
	 */
	child->resident += pages;
	child->quota_used += pages * PAGE_SIZE;
	if (!err && child->quota_used > child->quota_limit)
		err = E_QUOTA;
	/* Pages the parent could write are read-only now: drop its cached translations. */
	if (wp)
		as_flush_all(parent);
	return err;
}
