/* Reference-counted physical frames: see frame.h. */
#include "vm/frame.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/lockorder.h"
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
	p->locking = false;
	p->lock = 0;
	p->settle = 0;
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
		frame_push(p, i, false);
		p->nusable++;
		n++;
	}
	return n;
}

/* Pop the top of the ordinary stack (zeroed: the zeroed stack); both must be non-empty. */
static inline __attribute__((always_inline)) uint64_t pop(struct frame_pool *p, bool zeroed)
{
	uint32_t i =
		zeroed ? p->stack[p->nframes - p->nzeroed--] : p->stack[p->nfree - p->nzeroed - 1];
	p->nfree--;
	p->ref[i] = 1;
	return p->base + ((uint64_t)i << FRAME_SHIFT);
}

/* The free stacks are this hart's until pool_unlock (several harts). */
static void pool_lock(struct frame_pool *p)
{
	lock_order_take(LOCK_FRAMES);
	while (__atomic_exchange_n(&p->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&p->lock, __ATOMIC_RELAXED))
			;
}

static void pool_unlock(struct frame_pool *p)
{
	lock_order_drop(LOCK_FRAMES);
	__atomic_store_n(&p->lock, 0, __ATOMIC_RELEASE);
}

/* Whether an allocation may take a frame now (the injected failure asked only then). */
static inline bool can_take(struct frame_pool *p)
{
	return p->nfree != 0 && !failalloc_hit();
}

/* Which stack to pop: zeroed if wanted and any, else ordinary ones first. */
static inline bool pick_zeroed(const struct frame_pool *p, bool want_zeroed)
{
	return want_zeroed ? p->nzeroed != 0 : p->nfree == p->nzeroed;
}

/* take_locked's pop, the lock held: whether the frame is zeroed, or E_NOMEM. */
static inline int pop_locked(struct frame_pool *p, bool want_zeroed, uint64_t *pa)
{
	if (!can_take(p))
		return E_NOMEM;
	bool zeroed = pick_zeroed(p, want_zeroed);
	*pa = pop(p, zeroed);
	return zeroed;
}

/* take_locked when the pool was empty: settle frames on their way back, then try again. */
static __attribute__((noinline)) int take_settled(struct frame_pool *p, bool want_zeroed,
						  uint64_t *pa)
{
	frame_pool_settle(p);
	pool_lock(p);
	int r = pop_locked(p, want_zeroed, pa);
	pool_unlock(p);
	return r;
}

/*
 * An allocation from a pool several harts share: under its lock, and when it is empty,
 * after the kernel has settled frames still on their way back (p->settle). Returns
 * whether the frame is zeroed, or E_NOMEM. Out of line: one hart pays a test for it; and
 * a leaf, with the empty pool's way apart (a tail call), so that it saves no registers.
 */
static __attribute__((noinline)) int take_locked(struct frame_pool *p, bool want_zeroed,
						 uint64_t *pa)
{
	pool_lock(p);
	if (p->nfree == 0) {
		pool_unlock(p);
		return take_settled(p, want_zeroed, pa);
	}
	int r = pop_locked(p, want_zeroed, pa);
	pool_unlock(p);
	return r;
}

void frame_push_locked(struct frame_pool *p, uint64_t i, bool zeroed)
{
	pool_lock(p);
	frame_push(p, i, zeroed);
	pool_unlock(p);
}

int frame_alloc(struct frame_pool *p, uint64_t *pa)
{
	if (p->locking) {
		int r = take_locked(p, false, pa);
		return r < 0 ? r : 0;
	}
	if (!can_take(p))
		return E_NOMEM;
	*pa = pop(p, pick_zeroed(p, false));
	return 0;
}

int frame_alloc_zero(struct frame_pool *p, uint64_t *pa)
{
	if (p->locking)
		return take_locked(p, true, pa);
	if (!can_take(p))
		return E_NOMEM;
	bool zeroed = pick_zeroed(p, true);
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
	if (frame_count_get(&p->ref[i]) == 1)
		frame_shared_add(p, 1);
	return 0;
}

/* One reference fewer; a frame that reaches 0 goes on the ordinary or the zeroed stack. */
static int64_t unref(struct frame_pool *p, uint64_t pa, bool zeroed)
{
	int64_t i = frame_used_index(p, pa);
	if (i < 0)
		return E_INVAL;
	uint32_t c = frame_count_put(&p->ref[i]);
	if (c == 1)
		frame_shared_add(p, -1);
	if (c == 0 && zeroed)
		frame_drop_last_zeroed(p, (uint64_t)i);
	else if (c == 0)
		frame_drop_last(p, (uint64_t)i);
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
