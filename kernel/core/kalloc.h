/*
 * Small kernel allocations (kernel objects) from size-class slabs carved out of frames.
 * Each class keeps a free list threaded through its free chunks. Allocations are
 * charged to a task's quota by the caller, not here.
 */
#ifndef KERNEL_KALLOC_H
#define KERNEL_KALLOC_H

#include <stddef.h>
#include <stdint.h>

/* A zeroed chunk of at least size bytes (size <= 4096), or NULL. */
void *kzalloc(size_t size);
/*
 * kzalloc that zeroes only from byte from (rounded down to 64) on: the caller writes the
 * bytes before it itself (a forked thread's registers, copied at once).
 */
void *kzalloc_from(size_t size, size_t from);
/* The same without the zeroing, for a caller that initialises every byte it reads. */
void *kalloc(size_t size);
void kfree(void *p, size_t size);
/* The bytes actually reserved for a request of size: what quotas are charged. */
size_t kalloc_charge(size_t size);
/* Allocations handed out and not yet freed (memstat's kernel_objects): a leak check. */
uint64_t kalloc_live(void);
/* Frames the slabs hold now (memstat's kernel_slab_frames): which objects share them is
 * the allocator's business, so a count of frames a piece of work took can leave them out. */
uint64_t kalloc_slab_frames(void);

#endif
