/*
 * Size-class slabs: see kalloc.h. Each slab is one frame with a header in its first
 * 64 bytes; a slab whose chunks are all free goes straight back to the frame pool, so
 * the free-frame count tells the truth about leaks. Requests above 1 KiB take a frame.
 */
#include "kernel/core/kalloc.h"

#include <stdint.h>

#include "kernel/lib/failalloc.h"
#include "vm/frame.h"
#include "vm/vm.h"

#define MIN_SHIFT   6 /* 64-byte chunks */
#define SLAB_SHIFTS 5 /* 64, 128, 256, 512, 1024 */
#define HEADER	    64

struct chunk {
	struct chunk *next;
};

struct slab {
	struct slab *next, *prev; /* partial slabs of this class */
	struct chunk *free;
	unsigned used;
};

/* The partial lists and the live count side by side: one base address serves both. */
static struct {
	struct slab *partial[SLAB_SHIFTS];
	uint64_t live;	 /* chunks and frames handed out and not yet freed */
	uint64_t frames; /* frames the slabs hold now */
} slabs;

/* The smallest class that holds size; SLAB_SHIFTS means a whole frame. */
static int size_class(size_t size)
{
	int c = 0;
	while (c < SLAB_SHIFTS && ((size_t)1 << (MIN_SHIFT + c)) < size)
		c++;
	return c;
}

/* Bytes a class reserves: a chunk, or the whole frame above the largest slab class. */
static size_t class_bytes(int c)
{
	return c < SLAB_SHIFTS ? (size_t)1 << (MIN_SHIFT + c) : PAGE_SIZE;
}

size_t kalloc_charge(size_t size)
{
	return class_bytes(size_class(size));
}

/*
 * n is a multiple of 64: eight stores a round, so zeroing costs about one instruction
 * per doubleword instead of three.
 */
static void zero(void *p, size_t n)
{
	uint64_t *w = p, *end = w + n / sizeof(*w);
	for (; w < end; w += 8) {
		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
		w[4] = 0;
		w[5] = 0;
		w[6] = 0;
		w[7] = 0;
	}
}

static void slab_unlink(int c, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		slabs.partial[c] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void slab_link(int c, struct slab *s)
{
	s->prev = NULL;
	s->next = slabs.partial[c];
	if (s->next)
		s->next->prev = s;
	slabs.partial[c] = s;
}

static struct slab *slab_new(int c)
{
	uint64_t pa;
	size_t sz = (size_t)1 << (MIN_SHIFT + c);
	if (frame_alloc(&kframes, &pa) != 0)
		return NULL;
	struct slab *s = phys_to_virt(pa);
	char *base = (char *)s;
	slabs.frames++;
	s->free = NULL;
	s->used = 0;
	for (size_t off = HEADER > sz ? HEADER : sz; off + sz <= PAGE_SIZE; off += sz) {
		struct chunk *ch = (struct chunk *)(base + off);
		ch->next = s->free;
		s->free = ch;
	}
	slab_link(c, s);
	return s;
}

static void *alloc_frame(void)
{
	uint64_t pa;
	return frame_alloc(&kframes, &pa) == 0 ? phys_to_virt(pa) : NULL;
}

static void *alloc_chunk(int c)
{
	struct slab *s = slabs.partial[c] ? slabs.partial[c] : slab_new(c);
	if (!s)
		return NULL;
	struct chunk *ch = s->free;
	s->free = ch->next;
	if (++s->used && !s->free)
		slab_unlink(c, s); /* full: off the partial list */
	return ch;
}

/* Every request counts for fault injection, even one a partial slab could serve. */
static void *alloc_class(int c)
{
	if (c < SLAB_SHIFTS && failalloc_hit())
		return NULL;
	void *p = c < SLAB_SHIFTS ? alloc_chunk(c) : alloc_frame();
	if (p)
		slabs.live++;
	return p;
}

void *kalloc(size_t size)
{
	if (size == 0 || size > PAGE_SIZE)
		return NULL;
	return alloc_class(size_class(size));
}

/*
 * kzalloc and kzalloc_from, each with its zeroing inlined. What the caller asked for is
 * zeroed, from the 64-byte round holding from, in rounds of 64 bytes: the rest of the
 * chunk is never read (a task, 312 bytes, in a 512-byte chunk: 24 stores fewer at every
 * fork).
 */
static inline __attribute__((always_inline)) void *zalloc(size_t size, size_t from)
{
	if (size == 0 || size > PAGE_SIZE || from > size)
		return NULL;
	char *p = alloc_class(size_class(size));
	size_t start = from & ~(size_t)63;
	if (p)
		zero(p + start, ((size + 63) & ~(size_t)63) - start);
	return p;
}

void *kzalloc(size_t size)
{
	return zalloc(size, 0);
}

void *kzalloc_from(size_t size, size_t from)
{
	return zalloc(size, from);
}

void kfree(void *p, size_t size)
{
	int c = size_class(size);
	if (!p)
		return;
	slabs.live--;
	if (c >= SLAB_SHIFTS) {
		frame_unref(&kframes, virt_to_phys(p));
		return;
	}
	struct slab *s = (struct slab *)((uint64_t)p & ~(PAGE_SIZE - 1));
	struct chunk *ch = p;
	if (!s->free)
		slab_link(c, s); /* was full: partial again */
	ch->next = s->free;
	s->free = ch;
	if (--s->used == 0) {
		slab_unlink(c, s);
		slabs.frames--;
		frame_unref(&kframes, virt_to_phys(s));
	}
}

uint64_t kalloc_live(void)
{
	return slabs.live;
}

uint64_t kalloc_slab_frames(void)
{
	return slabs.frames;
}
