/*
 * Physical frames with reference counts. A pool covers one span of physical
 * addresses; every frame in it is either reserved (firmware, kernel image, device
 * tree, the pool's own metadata), free (on the free stack, count 0), or in use with a
 * count of its references (page-table mappings, kernel objects).
 *
 * The metadata lives outside the frames themselves (a count, a stack slot and a
 * page-table group mask per frame, 16 bytes per 4 KiB), so allocation never touches the
 * frame it hands out and the same code runs in host unit tests on fake addresses.
 *
 * Free frames sit on one of two stacks in the same array: ordinary ones from the bottom,
 * frames known to hold only zeros (page tables emptied as they were freed) from the top.
 * frame_alloc takes ordinary ones first, frame_alloc_zero zeroed ones, so a new page
 * table is usually had without clearing 4 KiB.
 *
 * With several harts an address space's teardown runs without the big kernel lock
 * (vm/tlb.c, as_destroy), so two harts may change one frame's count at once: every
 * change of a count is one atomic instruction (the same number of instructions as a
 * load, add and store, or fewer), the stacks are under the pool's own spinlock
 * (class LOCK_FRAMES), and each hart has a cache in front of them (class
 * LOCK_FRAME_CACHE, below), which only a pool with `locking` set uses.
 */
#ifndef VM_FRAME_H
#define VM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SIZE     4096UL
#define FRAME_SHIFT    12
#define FRAME_RESERVED UINT32_MAX /* count of a frame that is never handed out */
#define FRAME_REF_MAX  (UINT32_MAX - 1)

/* frame_pool.lock (and frame_cache.lock: free or held) */
#define POOL_LOCK_FREE	 0
#define POOL_LOCK_HELD	 1
#define POOL_LOCK_WAITED 2

/*
 * Several harts: each keeps up to 14 free frames of each kind in a cache of its own, in
 * front of the pool: a free goes there unless it is full, an allocation comes from there
 * unless it is empty, and only then the pool is used, a frame at a time. So work that
 * frees about what it allocates (fork and exit) touches neither the pool's lock nor its
 * stacks, which every hart would otherwise pass back and forth (on a board, cache lines;
 * under QEMU, host cache lines), and work that allocates or frees many at once (an eager
 * fork, a big munmap) costs what it did. A cache is under a lock of its own, which its
 * hart takes uncontended; another hart takes it only to empty the cache into the pool
 * when the pool has run dry (frame_alloc never fails while any cache holds a frame). Its
 * frames count as free (frame_free_count).
 */
#define FRAME_CACHES	  8  /* harts with a cache (MAX_HARTS, kernel/cpu/hart.h) */
#define FRAME_CACHE_MAX	  14 /* frames of each kind one cache holds at most */
#define FRAME_STACK_SHIFT 6  /* a cache's stack of one kind: 64 bytes, a line */

struct frame_stack {
	uint32_t n; /* frames on it */
	uint32_t frame[FRAME_CACHE_MAX];
	uint32_t lock; /* kind[0]'s is the cache's: POOL_LOCK_FREE or POOL_LOCK_HELD */
};

struct frame_cache {
	struct frame_stack kind[2]; /* [0] ordinary frames, [1] zeroed ones */
} __attribute__((aligned(64)));	    /* its own hart's lines alone */

struct frame_pool {
	uint64_t base; /* physical address of frame 0 */
	uint64_t nframes;
	uint32_t *ref;	  /* nframes counts */
	uint32_t *stack;  /* free frame numbers: ordinary from 0 up, zeroed from nframes - 1 down */
	uint64_t *groups; /* per frame used as a page table: its group mask (vm/pt.h) */
	uint64_t nfree;	  /* on both stacks */
	uint64_t nzeroed; /* on the stack of zeroed frames */
	uint64_t nusable; /* frames that are not reserved */
	uint64_t nshared; /* frames with a count above 1 */
	/* Several harts: the stacks and their counts are under lock (set once, at boot). */
	bool locking;
	uint32_t lock; /* POOL_LOCK_: free, held, or held with a waiter that may sleep */
	/*
	 * Several harts: a waiter that has polled the lock a while marks it and sleeps
	 * (lock_sleep, the kernel's: it marks its hart in lock_sleepers and waits in wfi),
	 * and a holder that finds the mark as it lets go wakes the marked harts
	 * (lock_wake). Where harts take turns (QEMU's round robin) a holder whose turn ended
	 * with the lock held left the others polling it for whole turns of their own,
	 * millions of instructions each.
	 */
	uint64_t lock_sleepers;
	void (*lock_sleep)(struct frame_pool *p);
	void (*lock_wake)(uint64_t sleepers);
	/*
	 * Frames may still come back (teardowns queued or running on some hart): the
	 * kernel's hook that brings them back before an allocation is refused, or NULL.
	 * True if it may have freed any.
	 */
	bool (*settle)(void);
	/*
	 * Several harts: frames freed while another hart may still hold a translation of
	 * them, until the fence that removes it is done, are held back rather than freed, so
	 * nobody can be handed one meanwhile (a fork's clone allocates without the big lock).
	 * A hart that owes such a fence counts itself in holding (frame_hold_begin), and hold,
	 * the kernel's hook, names the list of the calling hart's held frames, or NULL if it
	 * owes none: then the frame is freed at once.
	 */
	uint32_t holding;
	uint64_t *(*hold)(void);
	struct frame_cache cache[FRAME_CACHES]; /* several harts: one per hart, by index */
};

#ifndef __riscv
/* Host tests: the index of the "hart" that calls (the kernel's is its own, in tp). */
extern unsigned frame_host_hart;
#endif

/* Bytes of metadata a pool of nframes needs (ref + stack), page-rounded. */
uint64_t frame_meta_bytes(uint64_t nframes);
/* Start a pool with every frame reserved; meta must hold frame_meta_bytes(). */
void frame_pool_init(struct frame_pool *p, uint64_t base, uint64_t nframes, void *meta);
/* Hand the whole frames inside [pa, pa+size) to the free stack; returns how many. */
uint64_t frame_pool_release(struct frame_pool *p, uint64_t pa, uint64_t size);

/* Free frames: on the pool's stacks and in the harts' caches (several harts). */
uint64_t frame_free_count_smp(const struct frame_pool *p);
static inline uint64_t frame_free_count(const struct frame_pool *p)
{
	return p->locking ? frame_free_count_smp(p) : p->nfree;
}
/* Take a free frame (count 1) into *pa, an ordinary one if any; 0 or E_NOMEM. */
int frame_alloc(struct frame_pool *p, uint64_t *pa);
/*
 * The same, a zeroed frame if any: 1 if *pa is known to hold only zeros, 0 if the caller
 * must clear it, or E_NOMEM.
 */
int frame_alloc_zero(struct frame_pool *p, uint64_t *pa);
/*
 * frame_unref for a frame whose 4 KiB the caller has left all zero: freed at 0, it goes
 * on the stack of zeroed frames. Returns the remaining count, or E_INVAL.
 */
int64_t frame_unref_zeroed(struct frame_pool *p, uint64_t pa);
/* One more reference to an in-use frame; 0, or E_INVAL for a bad or unused frame. */
int frame_ref(struct frame_pool *p, uint64_t pa);
/* One reference fewer: returns the remaining count (0 = freed), or E_INVAL. */
int64_t frame_unref(struct frame_pool *p, uint64_t pa);
/* The count of a frame; FRAME_RESERVED for reserved or outside the pool. */
uint32_t frame_count(const struct frame_pool *p, uint64_t pa);
/*
 * Count changes, for every hart at once: frame_count_get returns the count before, and
 * frame_count_put the count after (acquire and release: whoever takes a frame's count to
 * zero sees every store its other holders made before they let go).
 */
static inline uint32_t frame_count_get(uint32_t *ref)
{
	return __atomic_fetch_add(ref, 1, __ATOMIC_RELAXED);
}

static inline uint32_t frame_count_put(uint32_t *ref)
{
#ifdef __riscv
	/* One instruction with both orderings (the compiler's way is a fence and the AMO). */
	int32_t old;
	__asm__ volatile("amoadd.w.aqrl %0, %2, %1" : "=r"(old), "+A"(*ref) : "r"(-1) : "memory");
	return (uint32_t)old - 1;
#else
	return __atomic_sub_fetch(ref, 1, __ATOMIC_ACQ_REL);
#endif
}

/* nshared moves by n: a statistic, but one every count change may touch. */
static inline void frame_shared_add(struct frame_pool *p, int64_t n)
{
	__atomic_fetch_add(&p->nshared, (uint64_t)n, __ATOMIC_RELAXED);
}

/*
 * Put free frame i on the ordinary stack, or on the zeroed one (the caller left it all
 * zero). A locking pool's caller holds its lock.
 */
static inline void frame_push(struct frame_pool *p, uint64_t i, bool zeroed)
{
	if (zeroed) {
		p->nfree++;
		p->stack[p->nframes - ++p->nzeroed] = (uint32_t)i;
	} else {
		p->stack[p->nfree++ - p->nzeroed] = (uint32_t)i;
	}
}

/* A locking pool's free: into this hart's cache, or onto the list p->hold names. */
void frame_push_locked(struct frame_pool *p, uint64_t i, bool zeroed);

/*
 * A hart begins to owe a fence: from now on the frames it frees go on its list (p->hold)
 * instead of the stacks, until frame_hold_end, once the fence is done, gives them back
 * under one lock. A held frame is linked through its group mask (p->groups, which only a
 * page table uses, and pt_alloc sets): bit 0 says it went back zeroed, the rest is the
 * next frame's number plus one. frame_hold_end returns true if there were any.
 */
void frame_hold_begin(struct frame_pool *p);
bool frame_hold_end(struct frame_pool *p, uint64_t *list);

/* Bring back frames still on their way (p->settle); true if there were any. */
static inline bool frame_pool_settle(struct frame_pool *p)
{
	return p->settle && p->settle();
}

/* Inline: every copy between the kernel and user memory asks it (as_translate). */
static inline bool frame_in_pool(const struct frame_pool *p, uint64_t pa)
{
	return pa >= p->base && ((pa - p->base) >> FRAME_SHIFT) < p->nframes &&
	       (pa & (FRAME_SIZE - 1)) == 0;
}

/*
 * The hot-path pair used by fork and teardown: one more reference, one fewer, for a
 * frame the caller knows is in use (reserved frames, such as the boot image, are left
 * alone). No argument checks beyond the pool's bounds: the callers took pa from a PTE.
 */
static inline void frame_share(struct frame_pool *p, uint64_t pa)
{
	uint64_t i = (pa - p->base) >> FRAME_SHIFT;
	if (i < p->nframes && p->ref[i] != FRAME_RESERVED && frame_count_get(&p->ref[i]) == 1)
		frame_shared_add(p, 1);
}

/* Frame i's count has just dropped to zero: it goes on the stack of ordinary free frames. */
static inline void frame_drop_last(struct frame_pool *p, uint64_t i)
{
	if (p->locking)
		frame_push_locked(p, i, false);
	else
		frame_push(p, i, false);
}

/* The same for a frame the caller left all zero: the stack of zeroed frames. */
static inline void frame_drop_last_zeroed(struct frame_pool *p, uint64_t i)
{
	if (p->locking)
		frame_push_locked(p, i, true);
	else
		frame_push(p, i, true);
}

static inline void frame_drop(struct frame_pool *p, uint64_t pa)
{
	uint64_t i = (pa - p->base) >> FRAME_SHIFT;
	if (i >= p->nframes || p->ref[i] == FRAME_RESERVED || p->ref[i] == 0)
		return;
	uint32_t c = frame_count_put(&p->ref[i]);
	if (c == 1)
		frame_shared_add(p, -1);
	else if (c == 0)
		frame_drop_last(p, i);
}

/* The kernel's pool (kernel only). */
extern struct frame_pool kframes;

#endif
