/* Sv39 page tables: see pt.h. */
#include "vm/pt.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/riscv.h"
#include "vm/frame.h"
#include "vm/vm.h"

pte_t *kernel_root;

pte_t *pt_alloc(void)
{
	uint64_t pa;
	int zeroed = frame_alloc_zero(&kframes, &pa);
	if (zeroed < 0)
		return 0;
	uint64_t *t = phys_to_virt(pa);
	for (int i = 0; !zeroed && i < PT_ENTRIES; i += 8) {
		t[i] = t[i + 1] = t[i + 2] = t[i + 3] = 0;
		t[i + 4] = t[i + 5] = t[i + 6] = t[i + 7] = 0;
	}
	*pt_groups(&kframes, pa) = 0;
	return t;
}

/* Mark the group of entry e, in a table reached through the direct map. */
static void mark(pte_t *e)
{
	pt_mark(&kframes, virt_to_phys(e) & ~(PAGE_SIZE - 1), e);
}

pte_t *pt_walk(pte_t *root, uint64_t va, int level, int create)
{
	pte_t *table = root;
	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t *e = &table[pt_index(va, l)];
		if (pte_leaf(*e))
			return 0;
		if (!pte_valid(*e)) {
			pte_t *next = create ? pt_alloc() : 0;
			if (!next)
				return 0;
			/* Non-leaf entries carry only V; A/D/U are reserved there. */
			*e = pte_make(virt_to_phys(next), PTE_V);
			mark(e);
		}
		table = phys_to_virt(pte_pa(*e));
	}
	return &table[pt_index(va, level)];
}

pte_t *pt_lookup(pte_t *root, uint64_t va, int *level)
{
	pte_t *table = root;
	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		pte_t *e = &table[pt_index(va, l)];
		if (!pte_valid(*e))
			return 0;
		if (pte_leaf(*e)) {
			if (level)
				*level = l;
			return e;
		}
		table = phys_to_virt(pte_pa(*e));
	}
	return 0;
}

/* The largest level whose page fits at va/pa with at least that much left. */
static int pt_best_level(uint64_t va, uint64_t pa, uint64_t left)
{
	for (int l = PT_LEVELS - 1; l > 0; l--) {
		uint64_t sz = pt_level_size(l);
		if (((va | pa) & (sz - 1)) == 0 && left >= sz)
			return l;
	}
	return 0;
}

int pt_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if (((va | pa | size) & (PAGE_SIZE - 1)) || !pte_perm_ok(flags) || !(flags & PTE_PERM_MASK))
		return E_INVAL;
	/* Boards fault on a clear A or D instead of setting them: set both on every leaf. */
	flags |= PTE_V | PTE_A | PTE_D;
	while (size) {
		int level = pt_best_level(va, pa, size);
		pte_t *e = pt_walk(root, va, level, 1);
		if (!e)
			return E_NOMEM;
		if (pte_valid(*e))
			return E_BUSY;
		*e = pte_make(pa, flags);
		mark(e);
		sfence_vma_addr(va);
		va += pt_level_size(level);
		pa += pt_level_size(level);
		size -= pt_level_size(level);
	}
	return 0;
}

pte_t pt_unmap_page(pte_t *root, uint64_t va)
{
	pte_t *e = pt_walk(root, va, 0, 0);
	if (!e || !pte_valid(*e))
		return 0;
	pte_t old = *e;
	*e = 0;
	sfence_vma_addr(va);
	return old;
}
