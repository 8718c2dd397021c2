/*
 * User address spaces: the lower half of a task's Sv39 tree. The page table is the only
 * record of what is mapped; the RSW bits say how a store must be treated
 * (docs/vm-cow.md has the state table). User frames are reference counted: a frame is
 * freed when its last mapping and its last memory object let go.
 */
#ifndef VM_AS_H
#define VM_AS_H

#include <stdint.h>

#include "kernel/core/object.h"
#include "vm/pte.h"

struct cow_stats {
	uint64_t faults, copies, reuses;
};
extern struct cow_stats cow_stats;

/* Work out how many ASID bits the hart has (0 on JH7110); call once at boot. */
void as_probe_asids(void);
int as_init(struct task *t);
/* Unmap everything and free the tables. */
void as_destroy(struct task *t);
/* Install satp for t on this hart. */
void as_activate(struct task *t);

/* PTE flags for a user mapping of prot (MAP_PROT_*); 0 if prot is not allowed (W+X, W only). */
uint64_t as_prot_flags(uint32_t prot);
/*
 * Map the frame at pa (the caller hands over one reference) at va with flags.
 * 0, E_INVAL (va), E_BUSY (mapped), E_QUOTA or E_NOMEM (the reference is then dropped).
 */
int as_map(struct task *t, uint64_t va, uint64_t pa, uint64_t flags);
/* Fresh zeroed private pages. Partial work is undone on failure. */
int as_map_anon(struct task *t, uint64_t va, uint64_t npages, uint32_t prot);
int as_unmap(struct task *t, uint64_t va, uint64_t npages);
int as_protect(struct task *t, uint64_t va, uint64_t npages, uint32_t prot);
/* The leaf PTE for a user va, or NULL. */
pte_t *as_pte(struct task *t, uint64_t va);

/* Resolve a store fault at va: 0 if resolved, E_FAULT if real, E_NOMEM if no frame. */
int as_cow_fault(struct task *t, uint64_t va);
/*
 * With several harts, a fault can come from a translation this hart cached before another
 * hart changed the PTE (a COW page another thread already copied, a page just mapped).
 * If the PTE now allows the access, flush this hart's entry and return 1: the access is
 * retried. 0 means the fault is real.
 */
int as_fault_stale(struct task *t, uint64_t va, uint64_t scause);
/* The physical address for a user access, breaking COW for a write; 0 or E_FAULT/E_NOMEM. */
int as_translate(struct task *t, uint64_t va, int write, uint64_t *pa);

/* Clone parent's user half into child (FORK_COW or FORK_EAGER). */
int as_clone(struct task *parent, struct task *child, int mode);

#endif
