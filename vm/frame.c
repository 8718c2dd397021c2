/* Reference-counted physical frames: see frame.h. */
#include "vm/frame.h"

#include "kernel/abi/error.h"
#include "kernel/lib/failalloc.h"

uint64_t frame_meta_bytes(uint64_t nframes)
{
	uint64_t bytes = nframes * (sizeof(uint32_t) * 2 + sizeof(uint64_t));
	return (bytes + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
}

void frame_pool_init(struct frame_pool *p, uint64_t base, uint64_t nframes, void *meta)
{
	p->base = base;
	p->nframes = nframes;
	p->ref = meta;
	p->stack = p->ref + nframes;
	p->groups = (uint64_t *)(p->stack + nframes); /* 8 * nframes bytes in: aligned */
	p->nfree = 0;
	p->nzeroed = 0;
	p->nusable = 0;
	p->nshared = 0;
	for (uint64_t i = 0; i < nframes; i++)
		p->ref[i] = FRAME_RESERVED;
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
		p->stack[p->nfree++ - p->nzeroed] = (uint32_t)i;
		p->nusable++;
		n++;
	}
	return n;
}

/* Pop the top of the ordinary stack (zeroed: the zeroed stack); both must be non-empty. */
static uint64_t pop(struct frame_pool *p, bool zeroed)
{
	uint32_t i =
		zeroed ? p->stack[p->nframes - p->nzeroed--] : p->stack[p->nfree - p->nzeroed - 1];
	p->nfree--;
	p->ref[i] = 1;
	return p->base + ((uint64_t)i << FRAME_SHIFT);
}

int frame_alloc(struct frame_pool *p, uint64_t *pa)
{
	if (p->nfree == 0 || failalloc_hit())
		return E_NOMEM;
	*pa = pop(p, p->nfree == p->nzeroed); /* zeroed frames only when nothing else is left */
	return 0;
}

int frame_alloc_zero(struct frame_pool *p, uint64_t *pa)
{
	if (p->nfree == 0 || failalloc_hit())
		return E_NOMEM;
	bool zeroed = p->nzeroed != 0;
	*pa = pop(p, zeroed);
	return zeroed;
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

/* One reference fewer; a frame that reaches 0 goes on the ordinary or the zeroed stack. */
static int64_t unref(struct frame_pool *p, uint64_t pa, bool zeroed)
{
	int64_t i = frame_used_index(p, pa);
	if (i < 0)
		return E_INVAL;
	uint32_t c = --p->ref[i];
	if (c == 1)
		p->nshared--;
	if (c == 0 && zeroed) {
		p->nfree++;
		p->stack[p->nframes - ++p->nzeroed] = (uint32_t)i;
	} else if (c == 0) {
		p->stack[p->nfree++ - p->nzeroed] = (uint32_t)i;
	}
	return c;
}

int64_t frame_unref(struct frame_pool *p, uint64_t pa)
{
	return unref(p, pa, false);
}

int64_t frame_unref_zeroed(struct frame_pool *p, uint64_t pa)
{
	return unref(p, pa, true);
}

uint32_t frame_count(const struct frame_pool *p, uint64_t pa)
{
	if (!frame_in_pool(p, pa))
		return FRAME_RESERVED;
	return p->ref[(pa - p->base) >> FRAME_SHIFT];
}
