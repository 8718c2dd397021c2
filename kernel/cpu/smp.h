/*
 * More harts. Every application hart the device tree calls usable (an MMU, status okay)
 * is started with SBI HSM and runs threads from the one run queue. The kernel is
 * serialised by one big lock, taken on every entry from user mode and by idle harts
 * when they wake; docs/architecture.md explains why that is enough and what it costs.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "vm/tlb.h"

/* Set once, at boot, if other harts run: single-hart systems skip the lock and the
 * references that keep objects alive while another hart uses them. */
extern int lock_on;
static inline int smp_on(void)
{
	return lock_on;
}

/*
 * The big kernel lock (smp.c). Its state is here only for the uncontended way in and out,
 * inline, since every entry from user mode takes it: a call each way cost about a third
 * of the lock's instructions (docs/benchmark.md).
 */
struct big_lock {
	volatile uint32_t word;	     /* 0 free, else the holder's index + 1 */
	uint64_t waiters;	     /* harts (by index) in the lock's wait, asleep or polling */
	uint64_t sleepers;	     /* harts (by index) asleep until an unlock wakes them */
	uint64_t kicked;	     /* waiters (by index) sent their wake-up in this wait */
	volatile uint64_t pc, since; /* where and when the holder took it (the watchdog) */
};
extern struct big_lock bkl;

/* The ways out of the inline paths, in smp.c. */
void bkl_wait(struct hart *h);		/* the lock was taken: wait for it */
void bkl_unlock_waited(struct hart *h); /* some hart waits: maybe hand it on, wake one */
void bkl_wake_sleeper(void);		/* a hart fell asleep as the lock was let go */

static inline void bkl_lock_smp(void)
{
	struct hart *h = this_hart();
	uint32_t free = 0;
	lock_order_take(LOCK_BKL);
	if (!__atomic_compare_exchange_n(&bkl.word, &free, h->index + 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		bkl_wait(h);
	bkl.pc = (uint64_t)__builtin_return_address(0);
	bkl.since = rdtime();
	h->lock_instret_at = rdinstret();
}

/*
 * Free the lock. A hart that began to wait meanwhile may have gone to sleep on it: the
 * sleepers are read after the lock is freed, and a sleeper marks itself before it looks
 * at the lock, so one of the two sees the other (smp.c, sleep_on_lock).
 */
static inline void bkl_unlock_smp(void)
{
	struct hart *h = this_hart();
	lock_order_drop(LOCK_BKL);
	h->lock_instret += rdinstret() - h->lock_instret_at;
	if (__atomic_load_n(&bkl.waiters, __ATOMIC_RELAXED)) {
		bkl_unlock_waited(h);
	} else {
		__atomic_store_n(&bkl.word, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&bkl.sleepers, __ATOMIC_SEQ_CST))
			bkl_wake_sleeper();
	}
	if (h->satp_next || h->reap)
		tlb_after_lock(h); /* the switch and teardowns left for after the lock */
}

/* The big kernel lock: free of cost when only one hart runs. */
static inline void bkl_lock(void)
{
	if (lock_on)
		bkl_lock_smp();
}

static inline void bkl_unlock(void)
{
	if (lock_on)
		bkl_unlock_smp();
}
/* True if this hart holds the lock (a panic inside the kernel must not wait for it). */
int bkl_held(void);
/* asid for smp_shootdown on harts without ASIDs: every address space. */
#define SMP_ALL_ASIDS (-1L)
/*
 * Make every hart in mask (by hart id) drop its translations of [va, va + size) for asid:
 * an IPI that brings each into the lock, where it flushes and acknowledges. Returns when
 * all have; a hart that waits WATCHDOG_S seconds for that panics with every hart's state.
 */
void smp_shootdown(uint64_t mask, uint64_t va, uint64_t size, long asid);
/*
 * smp_shootdown of everything, where each hart whose satp holds the tree with root
 * page number root_ppn also moves to satp value to (the kernel's tree) before it
 * acknowledges: once this returns, no hart can reach the tree, and it can be freed.
 */
void smp_shootdown_leave(uint64_t mask, uint64_t root_ppn, uint64_t to);
/* Shootdown requests sent since boot, one per hart asked (memstat's tlb_fences). */
uint64_t smp_fences_sent(void);
/* Instructions this hart retired holding the big lock since boot (sysinfo's lock_instret). */
uint64_t smp_lock_instret(void);
/*
 * Start the other usable harts, taking the lock first; returns how many run now.
 * stale_starts: start them as OpenSBI 1.1's hart_start race can (entry.S), alternately
 * at the kernel's first entry and at the secondary entry, each with the device tree for
 * its argument; the "hsmstale" test.
 */
unsigned smp_start(int stale_starts);
/*
 * Work was queued for hart (an index), or for any hart if hart is negative: wake that
 * hart, or the first idle one, if it idles. A thread pinned to a hart must wake that hart:
 * another one would find nothing it may run and go back to sleep.
 */
void smp_kick(int hart);
/* Interrupt busy hart (an index, not this one): it enters the kernel and picks again. */
void smp_interrupt(unsigned hart);
/* Send an IPI to the harts in mask (by hart id): by ACLINT SSWI if every hart has it, else SBI. */
void smp_ipi(uint64_t mask);
/* True if the harts were seen to run at once at boot (the lock's waiters poll longer). */
bool smp_parallel(void);
/* How IPIs go: "ACLINT SSWI" or "SBI" (for the boot banner). */
const char *smp_ipi_way(void);
/* The mask of online harts by hart id, except this one. */
uint64_t smp_others(void);

#endif
