/* Memory objects: see memobj.h. */
#include "kernel/core/memobj.h"

#include "kernel/abi/error.h"
#include "kernel/core/irq.h"
#include "kernel/core/kalloc.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/vm.h"

_Static_assert(MEMOBJ_MAX_PAGES <= UINT16_MAX, "struct memobj's size is 16 bits");

static uint32_t next_id = 1; /* the id of the next anonymous object: 31 bits, never 0 */

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
	m->id = next_id;
	next_id = next_id >= PTE_GONE_ID_MASK ? 1 : next_id + 1;
	for (; m->npages < npages; m->npages++, m->size++) {
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
	for (uint64_t i = 0; i < m->size; i++)
		frame_drop(&kframes, m->pages[i]);
	quota_give(m->hdr.payer, m->pages_bytes / sizeof(uint64_t) * PAGE_SIZE);
	kfree(m->pages, m->pages_bytes);
}

/* The rights a mapping of this kind and prot needs on the object's capability. */
static uint32_t rights_needed(uint32_t flags)
{
	uint32_t r = 0;
	/* No access needs the read right too: protect may make the page readable later. */
	if ((flags & MAP_PROT_READ) || !(flags & (MAP_PROT_READ | MAP_PROT_WRITE | MAP_PROT_EXEC)))
		r |= CAP_READ;
	if (flags & MAP_PROT_EXEC)
		r |= CAP_EXEC;
	if ((flags & MAP_PROT_WRITE) && (flags & MAP_KIND_SHARED))
		r |= CAP_WRITE;
	return r;
}

/*
 * PTE flags: shared mappings write the object; write-copy ones start COW. A shared page
 * may be made writable later (protect) if the capability it was mapped through writes.
 */
static uint64_t map_flags(uint32_t flags, uint32_t rights)
{
	uint64_t f = as_prot_flags(flags);
	if (flags & MAP_KIND_SHARED)
		return f | PTE_SHARED | ((rights & CAP_WRITE) ? PTE_SHARED_MAYWRITE : 0);
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
	uint64_t pte_flags = map_flags(flags, rights);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t page = off + i, pa = memobj_page(m, page);
		int err;
		if (m->pages && page >= m->size) { /* past the end: a bus error from the start */
			m->gone = true;
			err = as_map_gone(&t->as, va + i * PAGE_SIZE,
					  pte_gone_make(m->id, page, pte_make(0, pte_flags)));
		} else {
			frame_share(&kframes, pa);
			err = as_map(&t->as, va + i * PAGE_SIZE, pa, pte_flags);
		}
		if (err) {
			as_unmap(&t->as, va, i);
			return err;
		}
	}
	return 0;
}

/* What a rewrite over every address space looks for: pages of one object. */
struct resize_ctx {
	const struct memobj *m;
	const uint64_t *sorted; /* shrink: frame | page, sorted; NULL to grow */
	uint64_t lo, hi;	/* the pages that go or come back */
};

/* Shrink: the frame of a user leaf, if it is one of the going pages, and its page. */
static bool going_page(const struct resize_ctx *c, uint64_t pa, uint64_t *page)
{
	uint64_t a = 0, b = c->hi - c->lo;
	while (a < b) {
		uint64_t mid = (a + b) / 2, v = c->sorted[mid] & ~(PAGE_SIZE - 1);
		if (v == pa) {
			*page = c->sorted[mid] & (PAGE_SIZE - 1);
			return true;
		}
		if (v < pa)
			a = mid + 1;
		else
			b = mid;
	}
	return false;
}

/* Shrink: a user leaf mapping a going page becomes that page's gone entry. */
static bool revoke_leaf(pte_t *e, void *ctx)
{
	const struct resize_ctx *c = ctx;
	uint64_t page;
	if (!(*e & PTE_V) || pte_is_gone(*e) || !going_page(c, pte_pa(*e), &page))
		return false;
	uint64_t pa = pte_pa(*e);
	*e = pte_gone_make(c->m->id, page, *e);
	frame_drop(&kframes, pa); /* never the last: the object holds it until the flush */
	return true;
}

/* Grow: a gone entry of a page that came back maps its new frame. */
static bool restore_leaf(pte_t *e, void *ctx)
{
	const struct resize_ctx *c = ctx;
	if (!pte_is_gone(*e))
		return false;
	uint64_t key = pte_gone_key(*e), page = key & ((1UL << PTE_GONE_PAGE_BITS) - 1);
	if (key >> PTE_GONE_PAGE_BITS != c->m->id || page < c->lo || page >= c->hi)
		return false;
	frame_share(&kframes, c->m->pages[page]);
	*e = pte_make(c->m->pages[page], pte_gone_flags(*e));
	return true;
}

/* Pages [lo, hi) as frame | page, sorted in place (few, mostly in order): insertion. */
static void sort_going(uint64_t *p, uint64_t lo, uint64_t hi)
{
	for (uint64_t i = lo; i < hi; i++)
		p[i] |= i;
	for (uint64_t i = lo + 1; i < hi; i++) {
		uint64_t v = p[i], j = i;
		for (; j > lo && p[j - 1] > v; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

/* Pages [m->size, n) get zeroed frames: 0, or E_NOMEM with none taken. */
static int take_frames(struct memobj *m, uint64_t n)
{
	for (uint64_t i = m->size; i < n; i++) {
		int zeroed = frame_alloc_zero(&kframes, &m->pages[i]);
		if (zeroed < 0) {
			while (i-- > m->size) {
				frame_drop(&kframes, m->pages[i]);
				m->pages[i] = 0;
			}
			return E_NOMEM;
		}
		uint64_t *w = phys_to_virt(m->pages[i]);
		for (unsigned k = 0; !zeroed && k < PAGE_SIZE / 8; k++)
			w[k] = 0;
	}
	return 0;
}

/* True if a page from n on has a reference besides the object's: someone maps it. */
static bool mapped_anywhere(const struct memobj *m, uint64_t n)
{
	for (uint64_t i = n; i < m->size; i++)
		if (frame_count(&kframes, m->pages[i] & ~(PAGE_SIZE - 1)) > 1)
			return true;
	return false;
}

int memobj_resize(struct memobj *m, uint32_t rights, uint64_t n)
{
	if (!m->pages || m->device)
		return E_INVAL;
	if (!(rights & CAP_CONTROL))
		return E_RIGHTS; /* the owner's right: mappers get read/write/exec copies */
	if (n > m->npages)
		return E_RANGE;
	struct resize_ctx c = { m, 0, n, m->size };
	if (n < m->size) {
		/* The object keeps its references until every hart has flushed the old PTEs. */
		sort_going(m->pages, n, m->size);
		c.sorted = &m->pages[n];
		if (mapped_anywhere(m, n) && as_rewrite_all(revoke_leaf, &c))
			m->gone = true;
		for (uint64_t i = n; i < m->size; i++) {
			frame_drop(&kframes, m->pages[i] & ~(PAGE_SIZE - 1));
			m->pages[i] = 0;
		}
	} else if (n > m->size) {
		if (take_frames(m, n) != 0)
			return E_NOMEM;
		c.lo = m->size;
		c.hi = n;
		if (m->gone)
			as_rewrite_all(restore_leaf, &c);
		m->gone = m->gone && n < m->npages; /* all back: no gone entry names it */
	}
	m->size = (uint16_t)n;
	return 0;
}
