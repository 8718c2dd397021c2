/*
 * User address spaces: the lower half of an Sv39 tree. The page table is the only
 * record of what is mapped; the RSW bits say how a store must be treated
 * (docs/vm-cow.md has the state table). User frames are reference counted: a frame is
 * freed when its last mapping and its last memory object let go.
 *
 * vm knows nothing of tasks: a task holds a struct as, and pays for its page tables and
 * pages through the owner's interface at the end of this header. That, the frame pool
 * and vm/tlb.h are all as.c stands on, so the host unit tests (test/host/test_as.c) run
 * it as it is.
 */
#ifndef VM_AS_H
#define VM_AS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/lib/quota.h"
#include "vm/pte.h"

/* Words of struct as's l1_used: a bit for each of the root's 256 user entries. */
#define AS_L1_WORDS 4

/* One address space: what vm keeps for it, and nothing else. */
struct as {
	pte_t *root;	     /* the Sv39 root; its upper half is the kernel's */
	struct quota *quota; /* the owner's: page tables and mapped pages are charged to it */
	uint64_t resident;   /* user frames mapped */
	uint64_t tables;     /* level-1 and level-0 tables in its tree, shared or not */
	uint64_t l1_used[AS_L1_WORDS]; /* bit i: user root entry i (of 256) names a level-1 table */
	uint64_t active_harts;	       /* by hart id: harts whose satp holds this tree now */
	uint64_t tlb_harts;	       /* by hart id: harts that may cache its translations */
	uint64_t stale_harts; /* by hart id: must flush this ASID before running it again */
	/*
	 * The satp value that selects this tree with its ASID (tlb_new_asid), for the
	 * scheduler's inline switch; 0 while it holds the shared ASID, since a switch to it
	 * must flush then (as_activate).
	 */
	uint64_t satp;
	uint16_t asid;
	/*
	 * Set while a fork clones this space (as parent or child) without the big lock
	 * (as_clone_begin): every other look at the tree waits for it (as_settle).
	 */
	uint8_t cloning;
	/*
	 * Its place in the table of every address space (as_rewrite_all; AS_MAX fits in 12
	 * bits) and the size of its stack reserve in pages (as_stack_reserve; up to
	 * USER_STACK_MAX): both in one word.
	 */
	uint32_t all_index : 12;
	uint32_t stack_pages : 20;
	uint32_t *owner_refs; /* the owner's reference count, set by the owner (as_hold) */
};

/*
 * Copy-on-write faults since boot, by outcome: each fault that got past its checks is
 * counted once (its total is the sum, so the fault path adds to one counter only).
 */
struct cow_stats {
	uint64_t copies, reuses, no_frame;
};
extern struct cow_stats cow_stats;

/* One more in a counter: atomic, since a fork's clone counts without the big lock. */
static inline void cow_count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* Work out how many ASID bits the hart has (0 on JH7110), using at most max_bits; once. */
void as_probe_asids(unsigned max_bits);
/* An empty address space (the kernel half shared) charged to quota: 0, E_QUOTA or E_NOMEM. */
int as_init(struct as *as, struct quota *quota);
/*
 * Unmap everything and free the tables, now. Returns the other harts (by hart id) that
 * ran as: they have left its tree and wait for the kernel lock, still naming as their
 * active tree until as_let_go (their threads of it must be dead).
 */
uint64_t as_destroy(struct as *as);
/* Install as (NULL: the kernel's tree alone) in this hart's satp. */
void as_activate(struct as *as);
struct hart;
/* Hart h (parked by as_destroy) no longer names its active tree, nor holds its owner. */
void as_let_go(struct hart *h);

/*
 * PTE flags for a user mapping of prot (MAP_PROT_*, MAP_KIND_* ignored; none of R/W/X: a
 * no-access leaf, vm/pte.h); 0 if prot is not allowed (W+X, W only, an unknown bit).
 */
uint64_t as_prot_flags(uint32_t prot);
/*
 * Map the frame at pa (the caller hands over one reference) at va with flags.
 * 0, E_INVAL (va), E_BUSY (mapped), E_QUOTA or E_NOMEM (the reference is then dropped).
 */
int as_map(struct as *as, uint64_t va, uint64_t pa, uint64_t flags);
/* The same for a gone entry (vm/pte.h): a page past its object's end, a bus error. */
int as_map_gone(struct as *as, uint64_t va, pte_t gone);
/* Fresh zeroed private pages. Partial work is undone on failure. */
int as_map_anon(struct as *as, uint64_t va, uint64_t npages, uint32_t prot);
int as_unmap(struct as *as, uint64_t va, uint64_t npages);
int as_protect(struct as *as, uint64_t va, uint64_t npages, uint32_t prot);
/* The leaf PTE for a user va, or NULL. */
pte_t *as_pte(struct as *as, uint64_t va);

/*
 * The stack reserve: [USER_STACK_TOP - npages pages, USER_STACK_TOP) becomes demand-zero
 * (a fault on an unmapped page there maps a fresh zeroed private read-write page), and
 * replaces the old reserve; pages already mapped stay. 0, or E_INVAL past USER_STACK_MAX.
 */
int as_stack_reserve(struct as *as, uint64_t npages);
/*
 * Map the zeroed page for va if it lies in the stack reserve and nothing is mapped there:
 * 0, E_FAULT (not such a page), E_NOMEM or E_QUOTA.
 */
int as_stack_fault(struct as *as, uint64_t va);

/* Resolve a store fault at va: 0 if resolved, E_FAULT if real, E_NOMEM if no frame. */
int as_cow_fault(struct as *as, uint64_t va);

/* What as_user_fault found. */
enum as_fault {
	AS_FAULT_RESOLVED = 0, /* the access is retried */
	AS_FAULT_REAL = 1,     /* the thread faulted: its supervisor is told */
	AS_FAULT_NOMEM = 2,    /* a copy-on-write store found no frame */
	AS_FAULT_GONE = 3,     /* the page's memory object no longer holds it (a bus error) */
	AS_FAULT_DENIED = 4,   /* a real fault on a mapped page its protection forbids */
	AS_FAULT_COPY = 5,     /* as_user_fault_begin only: the caller makes the copy */
};
/*
 * The one entry for an exception a user thread took at va (cause: enum exc_cause): a
 * store to a copy-on-write page is resolved, and so is a fault that came from a stale
 * translation (with several harts, one this hart cached before another hart changed the
 * PTE: a COW page another thread already copied, a page just mapped), which is flushed,
 * and a load or store on an unmapped page of the stack reserve, which maps it.
 */
enum as_fault as_user_fault(struct as *as, uint64_t va, uint64_t cause);
/* as_user_fault where no clone can be under way (one hart): the store-fault fast path. */
enum as_fault as_user_fault_alone(struct as *as, uint64_t va, uint64_t cause);

/*
 * A copy-on-write store fault in steps, so that several harts need not hold the big lock
 * for the copy (kernel/cpu/trap.c): as_user_fault_begin is as_user_fault, but where the
 * page must be copied it allocates the copy, holds the old frame and returns
 * AS_FAULT_COPY; the caller lets its lock go, copies (as_cow_copy), takes it again and
 * either installs the copy (as_cow_end, which checks that the PTE is still the one the
 * copy was made of) or throws it away (as_cow_drop: the thread died meanwhile).
 */
struct cow_copy {
	uint64_t va;
	pte_t old; /* the PTE the copy was made from */
	uint64_t new_pa;
	bool held; /* a reference on the old frame is held (a frame that can be freed) */
};
enum as_fault as_user_fault_begin(struct as *as, uint64_t va, uint64_t cause, struct cow_copy *c);
void as_cow_copy(const struct cow_copy *c);
enum as_fault as_cow_end(struct as *as, const struct cow_copy *c);
void as_cow_drop(const struct cow_copy *c);
/*
 * The physical address for a user access, breaking COW for a write and mapping a stack
 * reserve page not touched yet; 0 or E_FAULT/E_NOMEM.
 */
int as_translate(struct as *as, uint64_t va, int write, uint64_t *pa);

/*
 * Offer every user leaf of every address space to fn, which may rewrite the entry in
 * place (keeping it a leaf) and says whether it did; then, if any did, every address
 * space is flushed on every hart before this returns. A leaf in a table shared at fork
 * is offered once per holder, so fn must leave a rewritten entry unmatched. For rare
 * changes to pages mapped anywhere (a memory object shrinking or growing): it walks
 * every table in the system. Returns how many address spaces changed.
 */
uint64_t as_rewrite_all(bool (*fn)(pte_t *e, void *ctx), void *ctx);

/*
 * Clone parent's user half into child (FORK_COW or FORK_EAGER). hot: an address both
 * tasks store to as soon as the clone returns (the calling thread's stack pointer, or
 * AS_CLONE_NO_HOT): a COW clone copies its level-0 table when that is sparse, gives the
 * child its own copy of the page there at once (the parent keeps its frame), and shares
 * every other table (docs/vm-cow.md, "Shared page tables").
 */
int as_clone_tree(struct as *parent, struct as *child, int mode, uint64_t hot, bool *wp);
static inline int as_clone(struct as *parent, struct as *child, int mode, uint64_t hot)
{
	return as_clone_tree(parent, child, mode, hot, 0); /* flushes the parent itself */
}

/*
 * The clone in three steps, so that several harts need not hold the big lock for it
 * (kernel/core/fork.c): as_clone_begin, under the lock, marks both spaces (after waiting
 * for a clone of the parent that is under way); as_clone_tree, without the lock, is
 * as_clone but for the flush, and sets *wp if the parent lost write access to a page, so
 * its translations must go (tlb_flush_all, under the lock again; wp NULL: as_clone,
 * which flushes itself); as_clone_end unmarks.
 * While marked, nothing else reads or changes either tree: every as_ function that does
 * waits in as_settle first, and a mark is only ever set under the lock, so a holder that
 * has waited once is safe for the rest of its hold.
 */
void as_clone_begin(struct as *parent, struct as *child);
void as_clone_end(struct as *parent, struct as *child);

void as_clone_wait(struct as *as);
static inline void as_settle(struct as *as)
{
	if (__atomic_load_n(&as->cloning, __ATOMIC_ACQUIRE))
		as_clone_wait(as);
}
#define AS_CLONE_NO_HOT ((uint64_t)-1) /* as_clone's hot: no such address */

/*
 * What vm asks of an address space's owner besides its quota: the kernel's task
 * (kernel/core/task.c). Keep the owner (and so as) alive while a hart has as in its satp
 * (vm/tlb.c), and let go: one more or one fewer in the owner's count (owner_refs), inline
 * since a switch between tasks on several harts takes one and drops one (as calls, with
 * the registers they made the switch save, about 30 instructions a switch). The last
 * reference is the owner's to drop (as_release_last). Under the big lock, as every
 * change of an owner's count.
 */
void as_release_last(struct as *as);

static inline void as_hold(struct as *as)
{
	(*as->owner_refs)++;
}

static inline void as_release(struct as *as)
{
	if (*as->owner_refs > 1)
		(*as->owner_refs)--;
	else
		as_release_last(as);
}

#endif
