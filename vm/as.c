/* User address spaces and copy-on-write: see as.h and docs/vm-cow.md. */
#include "vm/as.h"

#include "kernel/abi/error.h"
#include "kernel/hart.h"
#include "kernel/riscv.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/vm.h"

#define USER_ROOT_ENTRIES (PT_ENTRIES / 2) /* root slots 0..255: the lower half */

struct cow_stats cow_stats;
static unsigned asid_bits;
static uint16_t next_asid = 1;

void frame_get(uint64_t pa)
{
	if (frame_count(&kframes, pa) != FRAME_RESERVED)
		frame_ref(&kframes, pa);
}

void frame_put(uint64_t pa)
{
	if (frame_count(&kframes, pa) != FRAME_RESERVED)
		frame_unref(&kframes, pa);
}

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

static void as_flush_page(struct task *t, uint64_t va)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"((uint64_t)t->asid) : "memory");
	else
		sfence_vma_addr(va);
}

static void as_flush_all(struct task *t)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma zero, %0" ::"r"((uint64_t)t->asid) : "memory");
	else
		sfence_vma_all();
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
	/* The kernel half is shared: its root entries point at the kernel's own tables. */
	for (int i = USER_ROOT_ENTRIES; i < PT_ENTRIES; i++)
		t->root[i] = kernel_root[i];
	/* ASIDs wrap; a reused ASID is flushed before the new task runs. */
	if (asid_bits) {
		t->asid = next_asid;
		next_asid = (next_asid + 1) & ((1u << asid_bits) - 1);
		if (next_asid == 0)
			next_asid = 1;
	}
	as_flush_all(t);
	return 0;
}

void as_activate(struct task *t)
{
	this_hart()->as_active = t;
	csr_write(satp, SATP_MODE_SV39 | ((uint64_t)t->asid << SATP_ASID_SHIFT) |
				(virt_to_phys(t->root) >> PAGE_SHIFT));
	if (!asid_bits)
		sfence_vma_all();
}

/* Free a table and everything under it; leaves drop their frame. */
static void free_table(struct task *t, pte_t *table, int level)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		pte_t e = table[i];
		if (!pte_valid(e))
			continue;
		if (pte_leaf(e)) {
			frame_put(pte_pa(e));
			t->resident--;
			quota_give(t, PAGE_SIZE);
		} else {
			free_table(t, phys_to_virt(pte_pa(e)), level - 1);
		}
	}
	frame_unref(&kframes, virt_to_phys(table));
	quota_give(t, PAGE_SIZE);
}

void as_destroy(struct task *t)
{
	if (!t->root)
		return;
	for (int i = 0; i < USER_ROOT_ENTRIES; i++) {
		if (pte_valid(t->root[i]))
			free_table(t, phys_to_virt(pte_pa(t->root[i])), PT_LEVELS - 2);
		t->root[i] = 0;
	}
	if (this_hart()->as_active == t) {
		/* Never leave satp on a tree about to be freed. */
		csr_write(satp, SATP_MODE_SV39 | (virt_to_phys(kernel_root) >> PAGE_SHIFT));
		this_hart()->as_active = 0;
	}
	as_flush_all(t);
	frame_unref(&kframes, virt_to_phys(t->root));
	quota_give(t, PAGE_SIZE);
	t->root = 0;
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

/* The level-0 PTE for va, making tables (charged to t) when create is set. */
static pte_t *as_walk(struct task *t, uint64_t va, int create)
{
	pte_t *table = t->root;
	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t *e = &table[pt_index(va, l)];
		if (!pte_valid(*e)) {
			if (!create || quota_take(t, PAGE_SIZE) != 0)
				return 0;
			pte_t *next = pt_alloc();
			if (!next) {
				quota_give(t, PAGE_SIZE);
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
	else if (!(e = as_walk(t, va, 1)))
		err = E_NOMEM;
	else if (pte_valid(*e))
		err = E_BUSY;
	if (err) {
		if (err != E_INVAL && err != E_QUOTA)
			quota_give(t, PAGE_SIZE);
		frame_put(pa);
		return err;
	}
	*e = pte_make(pa, flags | PTE_V | PTE_U | PTE_A | PTE_D);
	t->resident++;
	return 0;
}

int as_unmap(struct task *t, uint64_t va, uint64_t npages)
{
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
		frame_put(pa);
		t->resident--;
		quota_give(t, PAGE_SIZE);
	}
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

static void copy_page(uint64_t dst_pa, uint64_t src_pa)
{
	uint64_t *d = phys_to_virt(dst_pa);
	const uint64_t *s = phys_to_virt(src_pa);
	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 8) {
		d[i] = s[i];
		d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2];
		d[i + 3] = s[i + 3];
		d[i + 4] = s[i + 4];
		d[i + 5] = s[i + 5];
		d[i + 6] = s[i + 6];
		d[i + 7] = s[i + 7];
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
	pte_t *e = as_pte(t, va & ~(PAGE_SIZE - 1));
	if (!e || !(*e & PTE_COW) || !(*e & PTE_U))
		return E_FAULT;
	uint64_t old_pa = pte_pa(*e), new_pa;
	pte_t flags = (pte_flags(*e) & ~PTE_COW) | PTE_W | PTE_D;

	cow_stats.faults++;
	if (frame_count(&kframes, old_pa) == 1) {
		*e = pte_make(old_pa, flags);
		cow_stats.reuses++;
	} else {
		if (frame_alloc(&kframes, &new_pa) != 0)
			return E_NOMEM;
		copy_page(new_pa, old_pa);
		*e = pte_make(new_pa, flags);
		frame_put(old_pa);
		cow_stats.copies++;
	}
	as_flush_page(t, va);
	return 0;
}

int as_translate(struct task *t, uint64_t va, int write, uint64_t *pa)
{
	pte_t *e = as_pte(t, va & ~(PAGE_SIZE - 1));
	if (!e || !(*e & PTE_U))
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

/* One parent leaf into the child: share (COW or as is) or copy (EAGER). */
static int clone_leaf(struct task *child, uint64_t va, pte_t *pe, int mode, int *wp)
{
	pte_t e = *pe;
	uint64_t pa = pte_pa(e);
	if (e & PTE_SHARED) {
		frame_get(pa);
		return as_map(child, va, pa, pte_flags(e) & ~(PTE_V | PTE_U | PTE_A | PTE_D));
	}
	if (mode == FORK_EAGER) {
		uint64_t np;
		if (frame_alloc(&kframes, &np) != 0)
			return E_NOMEM;
		copy_page(np, pa);
		pte_t f = pte_flags(e);
		if (f & PTE_COW)
			f = (f & ~PTE_COW) | PTE_W; /* the child's copy is its own */
		return as_map(child, va, np, f & ~(PTE_V | PTE_U | PTE_A | PTE_D));
	}
	if (e & PTE_W) {
		*pe = (e & ~PTE_W) | PTE_COW;
		*wp = 1;
	}
	frame_get(pa);
	return as_map(child, va, pa, pte_flags(*pe) & ~(PTE_V | PTE_U | PTE_A | PTE_D));
}

static int clone_table(struct task *child, pte_t *table, int level, uint64_t va_base, int mode,
		       int *wp)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		pte_t e = table[i];
		uint64_t va = va_base + ((uint64_t)i << (PT_PAGE_SHIFT + PT_INDEX_BITS * level));
		int err;
		if (!pte_valid(e))
			continue;
		if (level == 0)
			err = clone_leaf(child, va, &table[i], mode, wp);
		else
			err = clone_table(child, phys_to_virt(pte_pa(e)), level - 1, va, mode, wp);
		if (err)
			return err;
	}
	return 0;
}

int as_clone(struct task *parent, struct task *child, int mode)
{
	int wp = 0, err = 0;
	for (int i = 0; i < USER_ROOT_ENTRIES && !err; i++) {
		if (pte_valid(parent->root[i]))
			err = clone_table(
				child, phys_to_virt(pte_pa(parent->root[i])), PT_LEVELS - 2,
				(uint64_t)i << (PT_PAGE_SHIFT + PT_INDEX_BITS * 2), mode, &wp);
	}
	/* Pages the parent could write are read-only now: drop its cached translations. */
	if (wp)
		as_flush_all(parent);
	return err;
}
