/* Reference-counted physical frames: see frame.h. */
#include "vm/frame.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/lib/failalloc.h"
#ifdef __riscv
#include "kernel/cpu/hart.h"
#else
unsigned frame_host_hart;
#endif

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
	p->lock = POOL_LOCK_FREE;
	p->lock_sleepers = 0;
	p->lock_sleep = 0;
	p->lock_wake = 0;
	p->settle = 0;
	p->holding = 0;
	p->hold = 0;
	for (unsigned h = 0; h < FRAME_CACHES; h++) {
		for (unsigned k = 0; k < 2; k++) {
			p->cache[h].kind[k].n = 0;
			p->cache[h].kind[k].lock = POOL_LOCK_FREE;
		}
	}
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

/*
 * The pool's lock (several harts). The ways in and out that meet nobody are inline, in
 * callers that stay leaves: whatever must call out (a wait, a wake-up) is reached by a
 * tail call, since a call of its own made every allocation save registers for it.
 */
#define POOL_SPINS 64 /* polls of a taken lock before a waiter marks it and sleeps */

static inline bool pool_try(struct frame_pool *p)
{
	uint32_t free = POOL_LOCK_FREE;
	return __atomic_compare_exchange_n(&p->lock, &free, POOL_LOCK_HELD, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* The lock was taken: poll it; then mark it waited-for and sleep until it is let go. */
static void pool_wait(struct frame_pool *p)
{
	for (unsigned spins = 0; spins < POOL_SPINS || !p->lock_sleep; spins++)
		if (__atomic_load_n(&p->lock, __ATOMIC_RELAXED) == POOL_LOCK_FREE && pool_try(p))
			return;
	/* Taken once it was free; left marked, so its unlock wakes whoever else sleeps. */
	while (__atomic_exchange_n(&p->lock, POOL_LOCK_WAITED, __ATOMIC_ACQUIRE) != POOL_LOCK_FREE)
		p->lock_sleep(p);
}

static inline void pool_lock(struct frame_pool *p)
{
	lock_order_take(LOCK_FRAMES);
	if (!pool_try(p))
		pool_wait(p);
}

/*
 * Let go: true if a waiter may sleep, whom the caller then wakes (pool_wake). The
 * sleepers are read after the lock is freed (both sequentially consistent), and a
 * sleeper marks itself before it looks at the lock again, so one of the two sees the
 * other.
 */
static inline bool pool_release(struct frame_pool *p)
{
	lock_order_drop(LOCK_FRAMES);
	return __atomic_exchange_n(&p->lock, POOL_LOCK_FREE, __ATOMIC_SEQ_CST) == POOL_LOCK_WAITED;
}

static void pool_wake(struct frame_pool *p)
{
	uint64_t sleepers = __atomic_load_n(&p->lock_sleepers, __ATOMIC_SEQ_CST);
	if (sleepers)
		p->lock_wake(sleepers);
}

static inline void pool_unlock(struct frame_pool *p)
{
	if (pool_release(p))
		pool_wake(p);
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

/*
 * The calling hart's cache. The kernel's one locking pool is kframes, and each hart keeps
 * a pointer to its cache there (set with `locking`, vm/tlb.c): one load, not an index
 * scaled and added.
 */
static inline struct frame_cache *my_cache(struct frame_pool *p)
{
#ifdef __riscv
	(void)p;
	return this_hart()->frame_cache;
#else
	return &p->cache[frame_host_hart];
#endif
}

_Static_assert(sizeof(struct frame_stack) == 1u << FRAME_STACK_SHIFT, "a stack is a line");

/* c's stack of kind k (1: zeroed), by a shift rather than an index (k is 0 or 1). */
static inline struct frame_stack *stack_of(struct frame_cache *c, bool k)
{
	return (struct frame_stack *)((char *)c + ((uintptr_t)k << FRAME_STACK_SHIFT));
}

/*
 * A cache's lock: its own hart takes it free, so a spin is all a rare meeting needs (a
 * hart emptying caches for an allocation that found the pool dry).
 */
static inline void cache_lock(struct frame_cache *c)
{
	lock_order_take(LOCK_FRAME_CACHE);
	uint32_t *lock = &c->kind[0].lock;
	while (__atomic_exchange_n(lock, POOL_LOCK_HELD, __ATOMIC_ACQUIRE) != POOL_LOCK_FREE)
		while (__atomic_load_n(lock, __ATOMIC_RELAXED) != POOL_LOCK_FREE)
			;
}

static inline void cache_unlock(struct frame_cache *c)
{
	lock_order_drop(LOCK_FRAME_CACHE);
#ifdef __riscv
	/* One instruction with release order (the compiler's release store is a fence and
	 * an AMO). */
	__asm__ volatile("amoswap.w.rl zero, zero, %0" : "+A"(c->kind[0].lock) : : "memory");
#else
	__atomic_store_n(&c->kind[0].lock, POOL_LOCK_FREE, __ATOMIC_RELEASE);
#endif
}

/* Every cache's frames back to the pool (it ran dry): one cache lock at a time. */
static void caches_empty(struct frame_pool *p)
{
	for (unsigned h = 0; h < FRAME_CACHES; h++) {
		struct frame_cache *c = &p->cache[h];
		if (!__atomic_load_n(&c->kind[0].n, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&c->kind[1].n, __ATOMIC_RELAXED))
			continue;
		cache_lock(c);
		pool_lock(p);
		for (unsigned k = 0; k < 2; k++)
			while (c->kind[k].n)
				frame_push(p, c->kind[k].frame[--c->kind[k].n], k);
		pool_unlock(p);
		cache_unlock(c);
	}
}

/* The pool is dry: bring back the frames on their way (p->settle) and the cached ones. */
static void pool_refill(struct frame_pool *p)
{
	frame_pool_settle(p);
	caches_empty(p);
}

/* take_pool's pop, the lock held: whether the frame is zeroed, or E_NOMEM. */
static inline int pop_locked(struct frame_pool *p, bool want_zeroed, uint64_t *pa)
{
	if (!can_take(p))
		return E_NOMEM;
	bool zeroed = pick_zeroed(p, want_zeroed);
	*pa = pop(p, zeroed);
	return zeroed;
}

/*
 * take_pool's ways out of line: the lock was taken, or the pool was empty (refill it
 * first), or its unlock must wake a sleeper (woken: r, the result). Each reached by a
 * tail call.
 */
static __attribute__((noinline)) int take_waited(struct frame_pool *p, bool want_zeroed,
						 uint64_t *pa)
{
	pool_wait(p);
	if (p->nfree == 0) {
		pool_unlock(p);
		pool_refill(p);
		pool_lock(p);
	}
	int r = pop_locked(p, want_zeroed, pa);
	pool_unlock(p);
	return r;
}

static __attribute__((noinline)) int take_refilled(struct frame_pool *p, bool want_zeroed,
						   uint64_t *pa, bool woken)
{
	if (woken)
		pool_wake(p);
	pool_refill(p);
	pool_lock(p);
	int r = pop_locked(p, want_zeroed, pa);
	pool_unlock(p);
	return r;
}

static __attribute__((noinline)) int take_woken(struct frame_pool *p, int r)
{
	pool_wake(p);
	return r;
}

/*
 * An allocation from the pool itself, under its lock: this hart's cache had none of the
 * kind. Returns whether the frame is zeroed, or E_NOMEM. Inline in take_locked, which
 * stays a leaf: every other way is apart (tail calls), so it saves no registers.
 */
static inline __attribute__((always_inline)) int take_pool(struct frame_pool *p, bool want_zeroed,
							   uint64_t *pa)
{
	lock_order_take(LOCK_FRAMES);
	if (!pool_try(p))
		return take_waited(p, want_zeroed, pa);
	if (p->nfree == 0)
		return take_refilled(p, want_zeroed, pa, pool_release(p));
	int r = pop_locked(p, want_zeroed, pa);
	if (pool_release(p))
		return take_woken(p, r);
	return r;
}

/*
 * An allocation from a pool several harts share: from this hart's cache if it holds a
 * frame of the kind wanted, else from the pool. The cache's count is read before its
 * lock as a hint: only its hart adds to it, so a cache that looks empty is, and the pool
 * is asked without taking the cache's lock. Returns whether the frame is zeroed, or
 * E_NOMEM.
 */
static __attribute__((noinline)) int take_locked(struct frame_pool *p, bool want_zeroed,
						 uint64_t *pa)
{
	struct frame_cache *c = my_cache(p);
	struct frame_stack *s = stack_of(c, want_zeroed);
	if (!__atomic_load_n(&s->n, __ATOMIC_RELAXED))
		return take_pool(p, want_zeroed, pa);
	cache_lock(c);
	uint32_t n = s->n;
	if (!n) { /* emptied by a hart that found the pool dry meanwhile */
		cache_unlock(c);
		return take_pool(p, want_zeroed, pa);
	}
	if (failalloc_hit()) { /* asked once a frame is there, as can_take does */
		cache_unlock(c);
		return E_NOMEM;
	}
	s->n = --n;
	uint32_t i = s->frame[n];
	p->ref[i] = 1;
	*pa = p->base + ((uint64_t)i << FRAME_SHIFT);
	cache_unlock(c);
	return want_zeroed;
}

uint64_t frame_free_count_smp(const struct frame_pool *p)
{
	uint64_t n = __atomic_load_n(&p->nfree, __ATOMIC_RELAXED);
	for (unsigned h = 0; h < FRAME_CACHES; h++)
		n += __atomic_load_n(&p->cache[h].kind[0].n, __ATOMIC_RELAXED) +
		     __atomic_load_n(&p->cache[h].kind[1].n, __ATOMIC_RELAXED);
	return n;
}

void frame_hold_begin(struct frame_pool *p)
{
	__atomic_fetch_add(&p->holding, 1, __ATOMIC_RELAXED);
}

bool frame_hold_end(struct frame_pool *p, uint64_t *list)
{
	uint64_t next = *list;
	__atomic_fetch_sub(&p->holding, 1, __ATOMIC_RELAXED);
	if (!next)
		return false;
	*list = 0;
	pool_lock(p);
	while (next) {
		uint64_t i = next - 1, link = p->groups[i];
		p->groups[i] = 0;
		frame_push(p, i, link & 1);
		next = link >> 1;
	}
	pool_unlock(p);
	return true;
}

static __attribute__((noinline)) void push_waited(struct frame_pool *p, uint64_t i, bool zeroed)
{
	pool_wait(p);
	frame_push(p, i, zeroed);
	pool_unlock(p);
}

/* A free onto the pool itself, under its lock (this hart's cache is full of the kind). */
static inline __attribute__((always_inline)) void push_pool(struct frame_pool *p, uint64_t i,
							    bool zeroed)
{
	lock_order_take(LOCK_FRAMES);
	if (!pool_try(p)) {
		push_waited(p, i, zeroed);
		return;
	}
	frame_push(p, i, zeroed);
	if (pool_release(p))
		pool_wake(p);
}

/* frame_push_locked while some hart holds frames back: onto this hart's list if it does. */
static __attribute__((noinline)) void push_or_hold(struct frame_pool *p, uint64_t i, bool zeroed)
{
	uint64_t *list = p->hold ? p->hold() : 0;
	if (!list) {
		push_pool(p, i, zeroed);
		return;
	}
	p->groups[i] = *list << 1 | zeroed;
	*list = i + 1;
}

/* Into this hart's cache unless it is full of the kind (only its hart adds to it). */
void frame_push_locked(struct frame_pool *p, uint64_t i, bool zeroed)
{
	if (__atomic_load_n(&p->holding, __ATOMIC_RELAXED)) {
		push_or_hold(p, i, zeroed);
		return;
	}
	struct frame_cache *c = my_cache(p);
	struct frame_stack *s = stack_of(c, zeroed);
	if (__atomic_load_n(&s->n, __ATOMIC_RELAXED) == FRAME_CACHE_MAX) {
		push_pool(p, i, zeroed);
		return;
	}
	cache_lock(c);
	s->frame[s->n++] = (uint32_t)i; /* others only take from it: there is room */
	cache_unlock(c);
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
