/*
 * Kernel objects. Every object starts with a struct kobj: its type, a reference count
 * (capabilities plus internal references), and the task whose quota paid for it.
 * When the count reaches zero the object is destroyed and its charge refunded.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/ipc.h"
#include "kernel/cpu/trap.h"
#include "kernel/lib/quota.h"
#include "vm/as.h"
#include "vm/pte.h"

struct task;
struct thread;

#define CAPS_PER_PAGE 64 /* slots per cspace chunk */
#define CSPACE_PAGES  (CSPACE_SLOTS / CAPS_PER_PAGE)

struct kobj {
	uint32_t type; /* enum obj_type */
	uint32_t refs;
	struct task *payer; /* holds a reference on the payer, released on destroy */
	uint32_t charge;    /* bytes drawn from the payer's quota */
};

/* A capability slot. Derivation links let revoke find everything copied from a cap. */
struct cap {
	struct kobj *obj; /* NULL: empty slot */
	uint32_t rights;
	uint64_t badge;
	struct cap *parent, *child, *sibling_next, *sibling_prev;
};

enum thread_state {
	TS_INACTIVE = 0, /* created, or stopped after a fault */
	TS_READY,
	TS_RUNNING,
	TS_BLOCKED_SEND,  /* in an endpoint's send queue (send or call) */
	TS_BLOCKED_RECV,  /* in an endpoint's receive queue */
	TS_BLOCKED_REPLY, /* called, waiting for the answer */
	TS_BLOCKED_NOTIFY,
	TS_SLEEPING,
	TS_BLOCKED_IO,	   /* console input */
	TS_BLOCKED_PIPE,   /* on its ecall in a pipe's wait queue (pipe.c) */
	TS_BLOCKED_UPCALL, /* until a thread it diverted on another hart takes it (upcall.c) */
	TS_DEAD,
};

/* The registers a fault report borrows: a1 (tag), a2-a5 (its four words), t2. */
#define REPORT_REGS 6

struct thread {
	struct kobj hdr;
	struct trapframe tf; /* user registers while not running */
	struct task *task;
	struct thread *task_next;   /* the task's thread list */
	struct thread *next, *prev; /* run queue or wait queue */
	void *wait_obj;		    /* endpoint or notification blocked on */
	uint32_t state;
	uint32_t prio;
	int affinity;	    /* hart index, -1 for any */
	uint16_t last_hart; /* the hart it ran on last (with several harts) */
	uint16_t rq_hart;   /* while ready: the hart whose run queue holds it */
	uint64_t id;
	uint64_t wake_at; /* sleep deadline in timebase ticks */
	/* futex_wait: the word slept on, as its task and address (futex.c); 0 when not. */
	struct task *futex_task; /* NULL for a word in a shared mapping: the key is physical */
	uint64_t futex_addr;
	/* IPC (the small fields first: they share one word) */
	bool ipc_call;		 /* the queued send is a call */
	bool in_report;		 /* in a fault report: report_regs hold what it overwrote */
	bool upcall_pending;	 /* an upcall waits for it: on another hart, or an answer */
	bool reply_parked;	 /* its call's answer was saved (reply_save) to come later */
	uint32_t reply_gen;	 /* bumped on each answer: stale replies miss */
	uint64_t ipc_badge;	 /* badge of the capability the send used */
	struct thread *reply_to; /* the caller this thread must answer (holds a ref) */
	uint32_t reply_to_gen;
	/* upcall_stack: where an upcall writes its frame when the thread's own stack cannot
	 * hold it, as top >> UPCALL_STACK_SHIFT (0: nowhere; upcall.c). */
	uint32_t upcall_stack;
	uint64_t upcall_pc, upcall_arg0, upcall_arg1;
	/* A fault report's tag, words and receive spec displace these user registers (ipc.c). */
	uint64_t report_regs[REPORT_REGS];
	uint64_t run_ticks; /* timebase ticks it ran, sampled at each tick (sched.c) */
};

/* The thread whose frame tf is (trapvec.S passes a system call the running one's). */
static inline struct thread *thread_of_frame(struct trapframe *tf)
{
	return (struct thread *)((char *)tf - offsetof(struct thread, tf));
}
/* Every fork allocates one: a larger class would cost each fork more to clear. */
_Static_assert(sizeof(struct thread) <= 512, "struct thread fits the 512-byte class");

struct endpoint {
	struct kobj hdr;
	struct thread *sendq, *recvq; /* circular lists, head = oldest */
};

struct reply {
	struct kobj hdr;
	struct thread *caller; /* holds a ref; NULL once used */
	uint32_t gen;
};

struct notify {
	struct kobj hdr;
	uint64_t bits;
	struct thread *waitq;
};

struct memobj {
	struct kobj hdr;
	uint64_t npages;
	uint64_t base_pa; /* boot image range or device registers: contiguous, never freed */
	uint64_t *pages;  /* anonymous: one frame per page (a reference each), 0 past size */
	uint32_t pages_bytes;
	uint32_t id;   /* anonymous: names it in gone entries (vm/pte.h), never 0 */
	uint16_t size; /* anonymous: pages [0, size) hold frames (memobj_resize moves it) */
	bool device;   /* device registers: shared mappings only, never executable */
	bool gone;     /* gone entries may name it: growing must look for them */
		       /* 64 bytes: one allocation class. */
};

struct task {
	struct kobj hdr;
	struct as as; /* its address space (vm/as.h) */
	bool dead;
	bool orphan_queued; /* on the orphan list (these two fill the padding after dead) */
	uint32_t task_caps; /* capabilities naming this task, its own SLOT_SELF included */
	struct quota quota; /* bytes of frames and objects it may hold at once, and holds */
	struct cap *cspace[CSPACE_PAGES]; /* made on first use */
	uint32_t cspace_top;	/* cap_slot never handed out a slot from here up (cap.c) */
	struct thread *threads; /* live threads */
	struct cap supervisor;	/* endpoint told about faults and exit (not in cspace) */
	uint64_t exit_status;
	struct task *orphan_next; /* on the orphan list (task.c), or NULL */
	uint64_t ended_ticks;	  /* the run time of its threads that ended (cpu_time) */
};

/* Take and drop references. kobj_put destroys at zero. */
static inline void kobj_get(struct kobj *o)
{
	o->refs++;
}
/* The last reference goes (or there was none: a panic). */
void kobj_put_last(struct kobj *o);
/* Inline: most puts only count down, and there are many per system call. */
static inline void kobj_put(struct kobj *o)
{
	if (o->refs > 1)
		o->refs--;
	else
		kobj_put_last(o);
}
/* Allocate size bytes for a new object of type, charged to payer (may be NULL at boot). */
void *kobj_alloc(uint32_t type, uint32_t size, struct task *payer);
/* The same, zeroed only from byte from on (kzalloc_from): the caller writes the rest. */
void *kobj_alloc_from(uint32_t type, uint32_t size, struct task *payer, uint32_t from);
/* Charge or refund bytes on a task's quota: 0, or E_QUOTA. */
int quota_take(struct task *t, uint64_t bytes);
void quota_give(struct task *t, uint64_t bytes);

/* Capability spaces (cap.c). */
/*
 * The slot, NULL if out of range or never used. Only obj says whether a slot is empty
 * (cap_install writes every other field), and only the slots below cspace_top are ever
 * read: those are the ones a chunk keeps cleared. Slots above are not touched until
 * cap_slot hands one out, so a new chunk costs a few stores rather than clearing 3.5 KiB.
 * Inline: every system call on a capability starts here, the fast IPC paths included.
 */
static inline struct cap *cap_lookup(struct task *t, uint64_t slot)
{
	if (slot >= t->cspace_top || !t->cspace[slot / CAPS_PER_PAGE])
		return 0;
	return &t->cspace[slot / CAPS_PER_PAGE][slot % CAPS_PER_PAGE];
}
/* The slot, making its chunk (charged to t) if needed; NULL with E_BADCAP or E_QUOTA. */
struct cap *cap_slot(struct task *t, uint64_t slot, int *err);
/* How many slots of chunk p lie below cspace_top: the only ones that can be in use. */
static inline unsigned cspace_chunk_span(const struct task *t, unsigned p)
{
	uint32_t base = p * CAPS_PER_PAGE;
	return t->cspace_top <= base		       ? 0
	       : t->cspace_top - base >= CAPS_PER_PAGE ? CAPS_PER_PAGE
						       : t->cspace_top - base;
}
/* Copy from's slots into to (fork): all but SLOT_SELF, skip, replies and threads. */
int cspace_copy(struct task *from, struct task *to, uint64_t skip);
/* Delete every slot and free the chunks. */
void cspace_clear(struct task *t);
struct cap *cap_get(struct task *t, uint64_t slot, uint32_t type, uint32_t rights, int *err);
void cap_install(struct cap *dst, struct kobj *obj, uint32_t rights, uint64_t badge,
		 struct cap *parent);
void cap_delete(struct cap *c);
void cap_revoke(struct cap *c);
/* From the timer tick: judge again the tasks nobody else names whose thread could still
 * run when they were judged (cap.c, "Unreachable tasks"). */
void cap_tick(void);

/* Object destructors, called by kobj_put. */
void task_destroy(struct task *t);
void thread_destroy(struct thread *t);
void endpoint_destroy(struct endpoint *ep);
void reply_destroy(struct reply *r);
void notify_destroy(struct notify *n);
void memobj_destroy(struct memobj *m);

#endif
