/* Reference-counted physical frames: see frame.h. */
#include "vm/frame.h"

#include "kernel/abi/error.h"

uint64_t frame_meta_bytes(uint64_t nframes)
{
	uint64_t bytes = nframes * (sizeof(uint32_t) * 2);
	return (bytes + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
}

void frame_pool_init(struct frame_pool *p, uint64_t base, uint64_t nframes, void *meta)
{
	p->base = base;
	p->nframes = nframes;
	p->ref = meta;
	p->stack = p->ref + nframes;
	p->nfree = 0;
	p->nusable = 0;
	p->nshared = 0;
	for (uint64_t i = 0; i < nframes; i++)
		p->ref[i] = FRAME_RESERVED;
}

bool frame_in_pool(const struct frame_pool *p, uint64_t pa)
{
	return pa >= p->base && ((pa - p->base) >> FRAME_SHIFT) < p->nframes &&
	       (pa & (FRAME_SIZE - 1)) == 0;
}

uint64_t frame_pool_release(struct frame_pool *p, uint64_t pa, uint64_t size)
{
	uint64_t first = (pa + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	uint64_t end = (pa + size) & ~(FRAME_SIZE - 1);
	uint64_t n = 0;

	for (uint64_t f = first; f < end; f += FRAME_SIZE) {
		uint64_t i = (f - p->base) >> FRAME_SHIFT;
		/* Only frames still reserved: releasing twice must not duplicate a stack entry. */
		if (!frame_in_pool(p, f) || p->ref[i] != FRAME_RESERVED)
			continue;
		p->ref[i] = 0;
		p->stack[p->nfree++] = (uint32_t)i;
		p->nusable++;
		n++;
	}
	return n;
}

int frame_alloc(struct frame_pool *p, uint64_t *pa)
{
	if (p->nfree == 0)
		return E_NOMEM;
	uint32_t i = p->stack[--p->nfree];
	p->ref[i] = 1;
	*pa = p->base + ((uint64_t)i << FRAME_SHIFT);
	return 0;
}

/* The index of an in-use frame, or -1. */
static int64_t frame_used_index(const struct frame_pool *p, uint64_t pa)
{
	if (!frame_in_pool(p, pa))
		return -1;
	uint64_t i = (pa - p->base) >> FRAME_SHIFT;
	uint32_t c = p->ref[i];
	return (c == 0 || c == FRAME_RESERVED) ? -1 : (int64_t)i;
}

int frame_ref(struct frame_pool *p, uint64_t pa)
{
	int64_t i = frame_used_index(p, pa);
	if (i < 0 || p->ref[i] >= FRAME_REF_MAX)
		return E_INVAL;
	if (p->ref[i]++ == 1)
		p->nshared++;
	return 0;
}

int64_t frame_unref(struct frame_pool *p, uint64_t pa)
{
	int64_t i = frame_used_index(p, pa);
	if (i < 0)
		return E_INVAL;
	uint32_t c = --p->ref[i];
	if (c == 1)
		p->nshared--;
	if (c == 0)
		p->stack[p->nfree++] = (uint32_t)i;
	return c;
}

uint32_t frame_count(const struct frame_pool *p, uint64_t pa)
{
	if (!frame_in_pool(p, pa))
		return FRAME_RESERVED;
	return p->ref[(pa - p->base) >> FRAME_SHIFT];
}
