/*
 * TLB maintenance for address spaces (vm/tlb.c): the one place that knows harts, ASIDs
 * and SBI remote fences. as.c and pt.c call only these, so the host unit tests can stand
 * in for them and count the flushes.
 */
#ifndef VM_TLB_H
#define VM_TLB_H

#include <stdint.h>

#include "vm/as.h"

/*
 * The shootdown rule: a translation of as that lost permission or changed frame is
 * flushed on this hart and on every other hart that may cache it, which confirm before
 * this returns. Only then may the old frame be freed or the store that needed it go on.
 */
void tlb_flush_page(struct as *as, uint64_t va);
/* The same for every translation of as (a non-leaf entry changed, or a table went). */
void tlb_flush_all(struct as *as);
/*
 * as's tree is about to be freed, and no hart runs it any more (as_destroy): flush what
 * could still reach it. Nothing, for a space with an ASID of its own (tlb.c says why).
 */
void tlb_space_gone(struct as *as);
/*
 * A batch of changes to as (munmap or mprotect of a range): tlb_flush_page and
 * tlb_flush_all fence this hart at once, and the other harts that may cache as once, at
 * tlb_batch_end, instead of once per page or emptied table. Safe because the caller
 * holds the big kernel lock throughout and allocates no frame inside the batch, and the
 * frames it frees while other harts run as are held back until that fence (frame.h,
 * frame_hold_begin): none can be handed out before every hart has dropped its
 * translations (no hart writes a page table: A and D are always set). A thread
 * elsewhere that uses an old translation meanwhile only acts as if it had come before
 * the call, which has not returned.
 */
void tlb_batch_begin(struct as *as);
void tlb_batch_end(struct as *as);
/* tlb_flush_page inside a batch: past a few pages, one flush of as at the batch's end. */
void tlb_batch_page(struct as *as, uint64_t va);
/* This hart's entry for va only: a stale translation whose PTE now allows the access. */
void tlb_flush_here(uint64_t va);
/* The kernel's own tree changed at va (boot-time mappings): this hart. */
void tlb_flush_kernel(uint64_t va);
/* Give a new address space an ASID that no hart caches translations for (asid.h). */
void tlb_new_asid(struct as *as);

struct hart;
/* Free the trees this hart detached under the big lock (it holds no lock now). */
void tlb_reap(struct hart *h);
/* Load the satp (and flush) as_activate left for after the big lock; nothing if none. */
void tlb_switch_pending(struct hart *h);
/* What the big lock's holder left for after it (bkl_unlock_smp): the switch, the reaps. */
void tlb_after_lock(struct hart *h);
/*
 * Other harts are about to start: teardowns wait for the lock's release from now on, and
 * the frame pool brings frames still on their way back with settle (frame.h), which
 * calls tlb_reap_settle among others.
 */
void tlb_smp_start(bool (*settle)(void));
/* The frames of every teardown begun so far back (under the big lock); true if any were not. */
bool tlb_reap_settle(void);

/* The tables of as freed at once (as.c): as_destroy's work once no hart holds as. */
void as_free_tables(struct as *as);
/*
 * as_free_tables in two halves, so that the second can wait for the big lock to be let
 * go: as_detach refunds the owner, forgets the tree (as is empty after it) and returns
 * its root, which no hart may reach any more; as_free_tree frees a detached tree whose
 * root entries in use are the bits of l1_used, touching nothing but the frame pool.
 */
pte_t *as_detach(struct as *as);
void as_free_tree(pte_t *root, const uint64_t l1_used[AS_L1_WORDS]);

#endif
