/*
 * Harts, ASIDs and TLB maintenance for address spaces: see tlb.h. Everything in vm that
 * touches satp, sfence.vma or another hart is here.
 */
#include "vm/tlb.h"

#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/printk.h"
#include "sbi/sbi.h"
#include "vm/asid.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/vm.h"

static unsigned asid_bits;
/* hart.flush_next: what a pending switch flushes besides writing satp. */
#define FLUSH_ASID 1	       /* the new space's ASID: stale here, or the shared one */
#define FLUSH_ALL  2	       /* everything: the hart is behind an ASID rollover */
static struct asid_pool asids; /* which ASIDs live address spaces hold (asid.h) */

/*
 * Each hart's open batch (tlb_batch_begin): the address space whose other harts it will
 * fence once at the end, whether any change since asks for that fence, and, if other
 * harts run the space, the frames freed meanwhile, held back until that fence is done.
 */
static struct {
	struct as *as;
	bool remote_due;
	bool hold;
	bool flush_all; /* past BATCH_PAGES: this space's whole flush at the end, here too */
	unsigned pages; /* pages flushed one by one so far */
	uint64_t held;	/* the pool's list (frame_hold_begin) */
} batch[MAX_HARTS];

/*
 * A batch flushes this hart's entries page by page up to this many pages, then the whole
 * space once at its end: under QEMU every sfence.vma empties the hart's whole translation
 * cache, and an unmap of 250 MB (test_cow_table_oom) held the big lock for seconds on
 * sifive_u, past the SMP watchdog once the host was busy; on a board a range this long
 * is cheaper to flush whole too (Linux's threshold is 64 pages). Until the end this hart
 * runs no user code, and the kernel never reaches user memory through its translations.
 */
#define BATCH_PAGES 32

void as_probe_asids(unsigned max_bits)
{
	uint64_t old = csr_read(satp);
	csr_write(satp, old | (SATP_ASID_MASK << SATP_ASID_SHIFT));
	uint64_t got = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(satp, old);
	sfence_vma_all();
	while (got & 1) {
		asid_bits++;
		got >>= 1;
	}
	if (asid_bits > max_bits) {
		printk("asid_bits=%u: %u of the hart's %u ASID bits used\n", max_bits, max_bits,
		       asid_bits);
		asid_bits = max_bits;
	}
	asid_pool_init(&asids, asid_bits);
}

static uint64_t my_bit(void)
{
	return this_hart()->hartid < 64 ? 1UL << this_hart()->hartid : 0;
}

/*
 * The shootdown rule (tlb.h): the other harts that may cache as are those that have run
 * it since it was created (tlb_harts); those running it now (active_harts) must confirm
 * (smp_shootdown). Single-hart tasks, the common case, never pay for it.
 */
static void remote_flush(struct as *as, uint64_t va, uint64_t size)
{
	if (!smp_on())
		return; /* one hart: nobody else can hold a translation */
	uint64_t me = my_bit();
	if (!(as->tlb_harts & ~me))
		return; /* no other hart has run it (active_harts is within tlb_harts) */
	uint64_t running = as->active_harts & ~me;
	/* Harts that ran it before but not now flush when they next switch to it. */
	as->stale_harts |= as->tlb_harts & ~as->active_harts & ~me;
	as->tlb_harts &= as->active_harts | me;
	if (running)
		smp_shootdown(running, va, size, asid_bits ? (long)as->asid : SMP_ALL_ASIDS);
}

/* The fence on the other harts: now, or at the end of this hart's batch on as. */
static void remote_now_or_batched(struct as *as, uint64_t va, uint64_t size)
{
	if (!smp_on())
		return;
	if (batch[this_hart()->index].as == as)
		batch[this_hart()->index].remote_due = true;
	else
		remote_flush(as, va, size);
}

/* Flush this hart's entries for asid (every entry without ASIDs). */
static inline void flush_asid(uint64_t asid)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
	else
		sfence_vma_all();
}

/* Flush this hart's entry for va in as (every space's without ASIDs). */
static inline void flush_page_here(const struct as *as, uint64_t va)
{
	if (asid_bits)
		__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"((uint64_t)as->asid) : "memory");
	else
		sfence_vma_addr(va);
}

/*
 * With several harts, this hart's own entries for a space it does not run are flushed
 * when it next switches to it (activate_smp finds it stale), after the big lock: nothing
 * reaches them before (the kernel never goes through user addresses). Under QEMU every
 * sfence.vma empties the hart's whole translation cache, which the rest of the locked
 * work then refilled: a fork flushed its parent's and its child's spaces so. Apart, so
 * that one hart's flush pays one test for it.
 */
static __attribute__((noinline)) void flush_smp(struct as *as, uint64_t va, uint64_t size)
{
	if (this_hart()->as_active != as)
		as->stale_harts |= my_bit();
	else if (size != PAGE_SIZE)
		flush_asid(as->asid);
	else
		flush_page_here(as, va);
	remote_now_or_batched(as, va, size);
}

void tlb_flush_page(struct as *as, uint64_t va)
{
	if (smp_on())
		flush_smp(as, va, PAGE_SIZE);
	else
		flush_page_here(as, va);
}

void tlb_batch_page(struct as *as, uint64_t va)
{
	unsigned i = this_hart()->index;
	if (batch[i].pages < BATCH_PAGES) {
		batch[i].pages++;
		tlb_flush_page(as, va);
	} else {
		batch[i].flush_all = true;
	}
}

void tlb_flush_all(struct as *as)
{
	if (smp_on())
		flush_smp(as, 0, SBI_RFENCE_ALL);
	else
		flush_asid(as->asid);
}

/*
 * A hart uses cached translations only of the ASID its satp holds (and global ones, which
 * user trees have none of), and an ASID given back stays dirty until every hart has
 * flushed all its translations (asid.h): entries of a private ASID whose space no hart
 * runs can never be used again, whatever becomes of its tables. Only the ASID spaces
 * share (every space's, without ASID bits) must be flushed. Under QEMU each flush empties
 * the hart's whole translation cache, which the teardown of every fork's child paid.
 */
void tlb_space_gone(struct as *as)
{
	if (as->asid == asids.shared)
		tlb_flush_all(as);
}

/*
 * A batch frees frames (an unmap's pages and emptied tables) before its one fence at the
 * end: until then the other harts that run the space may still reach them, and a fork's
 * clone on another hart allocates without the big lock, so they are held back
 * (frame_hold_begin) and freed after the fence. Without other harts nothing is held.
 */
void tlb_batch_begin(struct as *as)
{
	struct hart *h = this_hart();
	batch[h->index].as = as;
	batch[h->index].remote_due = false;
	batch[h->index].flush_all = false;
	batch[h->index].pages = 0;
	batch[h->index].hold = smp_on() && (as->active_harts & ~my_bit());
	if (batch[h->index].hold)
		frame_hold_begin(&kframes);
}

void tlb_batch_end(struct as *as)
{
	struct hart *h = this_hart();
	bool due = batch[h->index].remote_due;
	batch[h->index].as = 0;
	if (batch[h->index].flush_all)
		tlb_flush_all(as); /* here, and (the batch closed) on the other harts */
	else if (due)
		remote_flush(as, 0, SBI_RFENCE_ALL);
	if (batch[h->index].hold) {
		batch[h->index].hold = false;
		frame_hold_end(&kframes, &batch[h->index].held);
	}
}

/* The frame pool's hold hook: this hart's batch list while it holds frames back. */
static uint64_t *frames_held(void)
{
	unsigned i = this_hart()->index;
	return batch[i].hold ? &batch[i].held : 0;
}

void tlb_flush_here(uint64_t va)
{
	sfence_vma_addr(va);
}

void tlb_flush_kernel(uint64_t va)
{
	sfence_vma_addr(va);
}

/* The satp value that selects root with asid. */
static inline uint64_t satp_of(const pte_t *root, uint64_t asid)
{
	return SATP_MODE_SV39 | (asid << SATP_ASID_SHIFT) | (virt_to_phys(root) >> PAGE_SHIFT);
}

/*
 * The dirty ASIDs are clean again once every hart has dropped all its translations: once
 * in 2^bits - 2 new spaces (asid.h). This hart now; with several, each other one when it
 * next switches to a space (as_activate sees a newer asid_gen), since a stale entry for
 * an ASID can only be used by a hart whose satp holds that ASID. No IPI, no wait.
 */
static uint32_t asid_gen;

static void flush_everywhere(void)
{
	sfence_vma_all();
	asid_clean(&asids);
	this_hart()->asid_gen = ++asid_gen;
}

void tlb_new_asid(struct as *as)
{
	/* One no live space holds, and no hart caches (asid.h); or the shared one. */
	uint32_t a = asid_take(&asids);
	if (a == ASID_FLUSH_FIRST) {
		flush_everywhere();
		a = asid_take(&asids);
	}
	as->asid = (uint16_t)a;
	as->satp = as->asid == asids.shared ? 0 : satp_of(as->root, as->asid);
	/* So nothing to flush, on any hart: a switch to the shared one flushes it anyway
	 * (as_activate), and a clean one has no translations anywhere (a hart still behind
	 * the last flush_everywhere catches up before it switches to it). */
	as->stale_harts = 0;
}

/*
 * The switch as_activate decided, with several harts: made once the big lock is let go
 * (bkl_unlock_smp), or at once by as_destroy. The kernel never reaches user memory through
 * satp (it copies through the direct map), so until this hart returns to user mode its
 * satp only has to hold a live tree with the kernel's half: the one it had does, since
 * a tree leaves every hart before it is freed. Under QEMU a satp write that changes the
 * ASID, and every sfence.vma, throws away the hart's whole translation cache, and the
 * kernel's work after the switch refilled it while holding the lock.
 */
static inline void switch_pending(struct hart *h)
{
	uint64_t satp = h->satp_next;
	if (!satp)
		return;
	csr_write(satp, satp);
	if (h->flush_next == FLUSH_ALL)
		sfence_vma_all();
	else if (h->flush_next)
		flush_asid((satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK);
	h->flush_next = 0;
	h->satp_next = 0;
	tlb_satp_now(h, satp);
}

void tlb_switch_pending(struct hart *h)
{
	switch_pending(h);
}

/* One call from the unlock for both: the switch inline here, the reaps rarely due. */
void tlb_after_lock(struct hart *h)
{
	switch_pending(h);
	if (h->reap)
		tlb_reap(h);
}

/*
 * as_activate with several harts: the switch is made after the lock (tlb_switch_pending).
 * Meanwhile the spaces learn which harts use or may cache them: as is held (its owner
 * outlives this hart's use of it, as_hold) and old let go; a hart told its entries for
 * as's ASID may be stale flushes them before running it, and so does a hart behind the
 * last flush_everywhere, everything. One function with the bookkeeping inline: as_track
 * apart, with its calls, cost about 50 instructions a switch, 6 switches a fork.
 */
static __attribute__((noinline)) void activate_smp(struct hart *h, struct as *as, struct as *old,
						   uint64_t satp)
{
	uint64_t me = h->hartid < 64 ? 1UL << h->hartid : 0;
	uint32_t flush =
		((satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK) == asids.shared ? FLUSH_ASID : 0;
	/* A second switch under one hold: the first is made now, since its space's stale
	 * mark is used up and its flush would be lost with it. */
	if (h->satp_next)
		tlb_switch_pending(h);
	if (as) {
		as_hold(as);
		as->active_harts |= me;
		as->tlb_harts |= me;
		if (as->stale_harts & me) {
			as->stale_harts &= ~me;
			flush = FLUSH_ASID;
		}
	}
	if (old) {
		old->active_harts &= ~me;
		as_release(old);
	}
	if (h->asid_gen != asid_gen) {
		h->asid_gen = asid_gen;
		flush = FLUSH_ALL;
	}
	h->flush_next = flush;
	h->satp_next = satp;
}

void as_activate(struct as *as)
{
	struct hart *h = this_hart();
	struct as *old = h->as_active;
	pte_t *root = as ? as->root : kernel_root;
	uint64_t asid = as ? as->asid : 0;
	h->as_active = as;
	if (smp_on()) {
		activate_smp(h, as, old, satp_of(root, asid));
		return;
	}
	csr_write(satp, satp_of(root, asid));
	/* Spaces that share an ASID (asid.h; all of them without ASIDs) flush at each switch. */
	if (asid == asids.shared)
		flush_asid(asids.shared); /* it may hold another space's entries */
}

/*
 * Teardowns left for after the big lock (several harts). Freeing a tree touches nothing
 * but the frame pool, whose counts and stacks take any number of harts at once
 * (vm/frame.h), so a hart frees the trees it detached once it has let the lock go
 * (tlb_reap, from bkl_unlock_smp), while the others go on: at exit that is about a
 * tenth of a fork+exit+wait. Each hart keeps a list of detached roots, linked through the
 * root's first kernel-half entry, with the root's l1_used bits in the next ones: the
 * kernel half was cleared (as_detach) and no hart walks the tree any more, so nothing is
 * allocated for it. reaps_pending counts the trees queued or being freed on every hart.
 */
#define REAP_LINK (PT_ENTRIES / 2)
static uint64_t reaps_pending;

static void reap_queue(struct as *as)
{
	uint64_t l1_used[AS_L1_WORDS];
	for (unsigned w = 0; w < AS_L1_WORDS; w++)
		l1_used[w] = as->l1_used[w];
	pte_t *root = as_detach(as);
	struct hart *h = this_hart();
	root[REAP_LINK] = (pte_t)h->reap;
	for (unsigned w = 0; w < AS_L1_WORDS; w++)
		root[REAP_LINK + 1 + w] = l1_used[w];
	h->reap = root;
	__atomic_fetch_add(&reaps_pending, 1, __ATOMIC_RELAXED);
}

void tlb_reap(struct hart *h)
{
	while (h->reap) {
		pte_t *root = h->reap;
		uint64_t l1_used[AS_L1_WORDS];
		h->reap = (pte_t *)root[REAP_LINK];
		for (unsigned w = 0; w <= AS_L1_WORDS; w++) {
			if (w < AS_L1_WORDS)
				l1_used[w] = root[REAP_LINK + 1 + w];
			root[REAP_LINK + w] = 0; /* the root goes back zeroed */
		}
		as_free_tree(root, l1_used);
		__atomic_fetch_sub(&reaps_pending, 1, __ATOMIC_RELEASE);
	}
}

/*
 * Part of the frame pool's settle hook (smp.c): the frames of every teardown begun so far
 * are back once this returns. This hart's own queue is freed here (it holds the big lock,
 * so no other hart can queue one now); the others' are being freed without the lock, and
 * it waits for them: only when the pool ran dry, or for memstat's count.
 */
bool tlb_reap_settle(void)
{
	if (!__atomic_load_n(&reaps_pending, __ATOMIC_ACQUIRE))
		return false;
	/* Without the lock (a fork's clone, kernel/core/fork.c) a queued teardown may be a
	 * holder's that waits for that very clone: the clone fails, and is made again under
	 * the lock (which settles then). */
	if (!bkl_held())
		return false;
	tlb_reap(this_hart());
	while (__atomic_load_n(&reaps_pending, __ATOMIC_ACQUIRE))
		__asm__ volatile("nop");
	return true;
}

void tlb_smp_start(bool (*settle)(void))
{
	_Static_assert(MAX_HARTS <= FRAME_CACHES, "a frame cache for every hart");
	kframes.settle = settle;
	kframes.hold = frames_held;
	for (unsigned i = 0; i < MAX_HARTS; i++)
		harts[i].frame_cache = &kframes.cache[i];
	kframes.locking = true;
}

/*
 * The other harts whose satp holds the tree at root_ppn (hart.satp_now). Those running
 * the space are in its active_harts; these may also be harts that let the lock go after
 * as_activate took them off the space, and have not made the switch yet
 * (switch_pending, after the lock). Such a hart must be asked to leave a tree that is
 * destroyed meanwhile like the harts that run it: otherwise its kernel half was cleared
 * (as_detach) and then freed under the hart, and the first kernel page it had not cached
 * faulted (an instruction page fault in the -smp 8 suite, once the hot path's text was
 * packed and the rest rarely cached). The window is a few instructions long, or an IPI's
 * SBI call.
 */
static uint64_t harts_on_tree(uint64_t root_ppn)
{
	uint64_t mask = 0;
	for (unsigned i = 0; i < harts_online; i++)
		if (&harts[i] != this_hart() && harts[i].hartid < 64 &&
		    (__atomic_load_n(&harts[i].satp_now, __ATOMIC_ACQUIRE) & SATP_PPN_MASK) ==
			    root_ppn)
			mask |= 1UL << harts[i].hartid;
	return mask;
}

/*
 * Tear down an address space. Never while a hart's satp holds it: this hart moves to the
 * kernel's tree, and so does every other hart that runs it (the threads there are dead:
 * they run no more user code), before the tables are freed: at once with one hart, with
 * several once this hart lets the big lock go (above). Either way the frames are back
 * before whoever learns of the death next can count them (a waitpid's memstat, an
 * allocation that finds the pool empty: tlb_reap_settle), and no stale translation can reach
 * a frame that is reused.
 */
uint64_t as_destroy(struct as *as)
{
	uint64_t others = 0;
	if (!as->root)
		return 0;
	if (this_hart()->as_active == as)
		as_activate(0);
	/* Off the tree now: its kernel half goes (as_detach) while the lock is still held. */
	tlb_switch_pending(this_hart());
	if (smp_on()) {
		/* Only the harts that run it are returned (their threads here are dead). */
		others = as->active_harts & ~my_bit();
		uint64_t ppn = virt_to_phys(as->root) >> PAGE_SHIFT;
		uint64_t leave = (others | harts_on_tree(ppn)) & ~my_bit();
		if (leave)
			smp_shootdown_leave(leave, ppn, satp_of(kernel_root, 0));
		as->active_harts &= ~others; /* they flushed it all: as_free_tables need not */
	}
	if (smp_on()) {
		as_settle(as); /* a fork's walk of it, made without the lock, ends first */
		reap_queue(as);
	} else {
		as_free_tables(as);
	}
	asid_give(&asids, as->asid); /* dirty: not handed out before every hart flushes */
	return others;
}

void as_let_go(struct hart *h)
{
	struct as *as = h->as_active;
	if (!as)
		return;
	as->active_harts &= ~(h->hartid < 64 ? 1UL << h->hartid : 0);
	h->as_active = 0;
	as_release(as);
}
