/*
 * Size-class slabs: see kalloc.h. Each slab is one frame with a header in its first
 * 64 bytes; a slab whose chunks are all free goes straight back to the frame pool, so
 * the free-frame count tells the truth about leaks. Requests above 1 KiB take a frame.
 */
#include "kernel/kalloc.h"

#include <stdint.h>

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

static struct slab *partial[SLAB_SHIFTS];

static int size_class(size_t size)
{
	int c = 0;
	while (((size_t)1 << (MIN_SHIFT + c)) < size)
		c++;
	return c;
}

size_t kalloc_charge(size_t size)
{
	return size_class(size) < SLAB_SHIFTS ? (size_t)1 << (MIN_SHIFT + size_class(size))
					      : PAGE_SIZE;
}

static void zero(void *p, size_t n)
{
	uint64_t *w = p;
	for (size_t i = 0; i < n / 8; i++)
		w[i] = 0;
}

static void slab_unlink(int c, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[c] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void slab_link(int c, struct slab *s)
{
	s->prev = NULL;
	s->next = partial[c];
	if (s->next)
		s->next->prev = s;
	partial[c] = s;
}

static struct slab *slab_new(int c)
{
	uint64_t pa;
	size_t sz = (size_t)1 << (MIN_SHIFT + c);
	if (frame_alloc(&kframes, &pa) != 0)
		return NULL;
	struct slab *s = phys_to_virt(pa);
	char *base = (char *)s;
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

void *kzalloc(size_t size)
{
	int c = size_class(size);
	if (size == 0 || size > PAGE_SIZE)
		return NULL;
	if (c >= SLAB_SHIFTS) {
		uint64_t pa;
		if (frame_alloc(&kframes, &pa) != 0)
			return NULL;
		zero(phys_to_virt(pa), PAGE_SIZE);
		return phys_to_virt(pa);
	}
	struct slab *s = partial[c] ? partial[c] : slab_new(c);
	if (!s)
		return NULL;
	struct chunk *ch = s->free;
	s->free = ch->next;
	if (++s->used && !s->free)
		slab_unlink(c, s); /* full: off the partial list */
	zero(ch, (size_t)1 << (MIN_SHIFT + c));
	return ch;
}

void kfree(void *p, size_t size)
{
	int c = size_class(size);
	if (!p)
		return;
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
		frame_unref(&kframes, virt_to_phys(s));
	}
}
