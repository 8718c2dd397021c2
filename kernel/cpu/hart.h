/*
 * Per-hart state. In the kernel, tp always holds this hart's struct hart; in user mode
 * tp is the user's, and the trap vector finds the hart through the running thread's frame
 * (kernel/cpu/trapvec.S). Nothing per hart is kept in globals, so more harts need no rewrite.
 */
#ifndef KERNEL_HART_H
#define KERNEL_HART_H

#include <stdint.h>

struct thread;
struct task;
struct as;
struct trapframe;
struct frame_cache;

#define MAX_HARTS 8

struct hart {
	struct hart *self;	     /* points to itself */
	uint64_t kernel_sp;	     /* offset 8: stack to switch to on a trap from user mode */
	uint64_t hartid;	     /* the firmware's id (any number) */
	unsigned index;		     /* 0..nharts-1, our own dense number */
	int plic_ctx;		     /* S-mode PLIC context, -1 if none */
	uint64_t ticks;		     /* timer interrupts taken */
	uint64_t next_tick;	     /* time of the next timer interrupt */
	uint64_t probe_fixup;	     /* where a faulting probe_load resumes, 0 if none */
	struct thread *current;	     /* the thread this hart runs, NULL when idle */
	uint64_t run_since;	     /* the last tick, when run time was last charged (sched.c) */
	struct as *as_active;	     /* whose address space satp holds, NULL for the kernel's */
	int online;		     /* running the kernel */
	volatile int idle;	     /* waiting in wfi for work: wake it with an IPI */
	int preempt;		     /* asked to run queued work above its thread's priority */
	volatile uint64_t flush_req; /* TLB shootdowns asked of this hart */
	volatile uint64_t flush_ack; /* and done by it */
	/* With a shootdown: a tree to leave, if satp holds it (smp_shootdown_leave). */
	volatile uint64_t leave_satp, leave_for;
	volatile uint64_t lock_wait_since; /* time it began to wait for the big lock, or 0 */
	uint32_t locks_held;		   /* debug builds: a bit per lock class held */
	int lock_order_off;		   /* debug builds: the check has fired (lockorder.h) */
	int sswi;			   /* its register in the ACLINT SSWI, -1 if none */
	uint32_t flush_next;		   /* with satp_next: flush (FLUSH_ASID or FLUSH_ALL) */
	uint32_t asid_gen;		   /* the ASID pool's generation it last flushed all for */
	uint64_t *reap;			   /* detached trees to free without the lock (vm/tlb.c) */
	uint64_t lock_instret;		   /* instructions retired holding the big lock (smp.c) */
	uint64_t lock_instret_at;	   /* instret when it last took the big lock */
	uint64_t satp_next; /* several harts: satp to load once the big lock is let go, or 0 */
	uint64_t satp_now;  /* several harts: what its satp holds (as_destroy reads it) */
	struct cow_apart *cow_apart;	 /* a COW copy it makes without the big lock (trap.c) */
	struct frame_cache *frame_cache; /* several harts: its cache in kframes (vm/frame.h) */
};

/* Several harts: h's satp now holds satp (a release store: as_destroy reads it). */
static inline void tlb_satp_now(struct hart *h, uint64_t satp)
{
	__atomic_store_n(&h->satp_now, satp, __ATOMIC_RELEASE);
}

extern unsigned harts_online;

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

#endif
