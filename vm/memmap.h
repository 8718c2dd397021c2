/*
 * A small sorted set of physical ranges, used at boot to compute usable RAM:
 * add the /memory ranges, then remove firmware, kernel, device tree and metadata.
 * Pure logic: host unit tests run it too.
 */
#ifndef VM_MEMMAP_H
#define VM_MEMMAP_H

#include <stdint.h>

#define MEMMAP_MAX 32

struct memrange {
	uint64_t base;
	uint64_t end; /* exclusive */
};

struct memmap {
	struct memrange r[MEMMAP_MAX];
	int n;
};

void memmap_init(struct memmap *m);
/* Add [base, end), merging with neighbours; E_RANGE if the table is full, E_INVAL if empty. */
int memmap_add(struct memmap *m, uint64_t base, uint64_t end);
/* Remove [base, end), splitting ranges as needed; E_RANGE if a split overflows. */
int memmap_remove(struct memmap *m, uint64_t base, uint64_t end);
/* Total bytes covered. */
uint64_t memmap_bytes(const struct memmap *m);
/* Find size bytes at an align-aligned address inside the set; 0 or E_NOMEM. */
int memmap_find(const struct memmap *m, uint64_t size, uint64_t align, uint64_t *out);

#endif
