/* Memory objects: anonymous sets of frames, a range of the boot image, or device registers. */
#ifndef KERNEL_MEMOBJ_H
#define KERNEL_MEMOBJ_H

#include "kernel/core/object.h"

#define MEMOBJ_MAX_PAGES 512 /* one page of frame addresses */

/* npages zeroed frames, charged to payer. */
struct memobj *memobj_new_anon(struct task *payer, uint64_t npages, int *err);
/* A view of physical [pa, pa + npages pages) that the frame pool never hands out. */
struct memobj *memobj_new_phys(uint64_t pa, uint64_t npages);
/*
 * The registers of a device at [pa, pa + size) (device_range_check decides which may be
 * given), charged to payer. Such an object maps only shared and never executable.
 */
struct memobj *memobj_new_device(struct task *payer, uint64_t pa, uint64_t size, int *err);
/* The frame of page i, or 0 for a page past an anonymous object's size. */
uint64_t memobj_page(const struct memobj *m, uint64_t i);
/* Map pages [off, off+n) of m at va in t; flags from the map call. Checks first. */
int memobj_map(struct task *t, struct memobj *m, uint32_t rights, uint64_t va, uint64_t off,
	       uint64_t n, uint32_t flags);

/*
 * Make an anonymous object's size n pages (rights: the caller's on its capability;
 * CAP_CONTROL, the owner's right, is needed). Shrinking takes pages [n, size) back from every mapping in every task (a
 * mapping copied privately by a store keeps its copy) and frees them; a later touch is a
 * bus error (FAULT_PAGE_GONE). Growing gives pages [size, n) fresh zeroed frames, which
 * the mappings that lost those pages map again. 0, E_INVAL (not anonymous), E_RIGHTS,
 * E_RANGE (n past the object) or E_NOMEM (nothing changed).
 */
int memobj_resize(struct memobj *m, uint32_t rights, uint64_t n);

#endif
