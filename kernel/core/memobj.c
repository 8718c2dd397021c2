/* Memory objects: see memobj.h. */
#include "kernel/core/memobj.h"

#include "kernel/abi/error.h"
#include "kernel/core/irq.h"
#include "kernel/core/kalloc.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/vm.h"

uint64_t memobj_page(const struct memobj *m, uint64_t i)
{
	return m->pages ? m->pages[i] : m->base_pa + i * PAGE_SIZE;
}

struct memobj *memobj_new_phys(uint64_t pa, uint64_t npages)
{
	struct memobj *m = kobj_alloc(OBJ_MEMORY, sizeof(*m), 0);
	if (m) {
		m->base_pa = pa;
		m->npages = npages;
	}
	return m;
}

struct memobj *memobj_new_device(struct task *payer, uint64_t pa, uint64_t size, int *err)
{
	struct memobj *m = 0;
	if ((*err = device_range_check(pa, size)) != 0)
		return 0;
	if (!(m = kobj_alloc(OBJ_MEMORY, sizeof(*m), payer))) {
		*err = E_QUOTA;
		return 0;
	}
	m->base_pa = pa;
	m->npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	m->device = true;
	return m;
}

struct memobj *memobj_new_anon(struct task *payer, uint64_t npages, int *err)
{
	struct memobj *m;
	*err = E_RANGE;
	if (npages == 0 || npages > MEMOBJ_MAX_PAGES)
		return 0;
	*err = E_QUOTA;
	if (quota_take(payer, npages * PAGE_SIZE) != 0)
		return 0;
	if (!(m = kobj_alloc(OBJ_MEMORY, sizeof(*m), payer)) ||
	    !(m->pages = kzalloc(npages * sizeof(uint64_t)))) {
		quota_give(payer, npages * PAGE_SIZE);
		if (m)
			kobj_put(&m->hdr);
		*err = E_NOMEM;
		return 0;
	}
	m->pages_bytes = npages * sizeof(uint64_t);
	for (; m->npages < npages; m->npages++) {
		if (frame_alloc(&kframes, &m->pages[m->npages]) != 0) {
			kobj_put(&m->hdr); /* frees what was taken and refunds all */
			*err = E_NOMEM;
			return 0;
		}
		page_zero(m->pages[m->npages]);
	}
	return m;
}

void memobj_destroy(struct memobj *m)
{
	if (!m->pages)
		return;
	for (uint64_t i = 0; i < m->npages; i++)
		frame_drop(&kframes, m->pages[i]);
	quota_give(m->hdr.payer, m->pages_bytes / sizeof(uint64_t) * PAGE_SIZE);
	kfree(m->pages, m->pages_bytes);
}

/* The rights a mapping of this kind and prot needs on the object's capability. */
static uint32_t rights_needed(uint32_t flags)
{
	uint32_t r = 0;
	if (flags & MAP_PROT_READ)
		r |= CAP_READ;
	if (flags & MAP_PROT_EXEC)
		r |= CAP_EXEC;
	if ((flags & MAP_PROT_WRITE) && (flags & MAP_KIND_SHARED))
		r |= CAP_WRITE;
	return r;
}

/* PTE flags: shared mappings write the object; write-copy ones start COW. */
static uint64_t map_flags(uint32_t flags)
{
	uint64_t f = as_prot_flags(flags);
	if (flags & MAP_KIND_SHARED)
		return f | PTE_SHARED;
	return (f & PTE_W) ? (f & ~PTE_W) | PTE_COW : f;
}

int memobj_map(struct task *t, struct memobj *m, uint32_t rights, uint64_t va, uint64_t off,
	       uint64_t n, uint32_t flags)
{
	uint32_t kind = flags & (MAP_KIND_SHARED | MAP_KIND_COPY);
	if (!as_prot_flags(flags) || (kind != MAP_KIND_SHARED && kind != MAP_KIND_COPY))
		return E_INVAL;
	/* Registers are not memory: a private copy or running code from them means nothing. */
	if (m->device && (kind != MAP_KIND_SHARED || (flags & MAP_PROT_EXEC)))
		return E_INVAL;
	if ((rights & rights_needed(flags)) != rights_needed(flags))
		return E_RIGHTS;
	if (n == 0 || off > m->npages || n > m->npages - off || (va & (PAGE_SIZE - 1)) ||
	    va < USER_VA_MIN || va >= USER_VA_MAX || n > (USER_VA_MAX - va) / PAGE_SIZE)
		return E_INVAL;
	for (uint64_t i = 0; i < n; i++)
		if (as_pte(&t->as, va + i * PAGE_SIZE))
			return E_BUSY;
	uint64_t pte_flags = map_flags(flags);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pa = memobj_page(m, off + i);
		frame_share(&kframes, pa);
		int err = as_map(&t->as, va + i * PAGE_SIZE, pa, pte_flags);
		if (err) {
			as_unmap(&t->as, va, i);
			return err;
		}
	}
	return 0;
}
