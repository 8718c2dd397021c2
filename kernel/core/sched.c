/* The scheduler: see sched.h. */
#include "kernel/core/sched.h"

#include "drivers/timer.h"
#include "kernel/abi/error.h"
#include "kernel/abi/upcall.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/printk.h"
#include "vm/as.h"

#define NPRIO (THREAD_PRIO_MAX + 1)

/*
 * One ready queue per hart (docs/architecture.md, "Scheduling"): a circular list per
 * priority level, and a byte of levels that are not empty. Still under the big kernel
 * lock: a hart reads the others' queues only to steal.
 */
struct runq {
	struct thread *level[NPRIO];
};
static struct runq runqs[MAX_HARTS];
/*
 * Every hart's byte of non-empty levels (bit p of byte h: runqs[h].level[p] holds
 * threads), side by side in one word: a pick learns whether any other hart has something
 * worth stealing with one load and one test, however many harts there are (find_smp).
 */
static union {
	uint8_t hart[MAX_HARTS];
	uint64_t all;
} levels;
_Static_assert(MAX_HARTS <= 8 && NPRIO <= 8, "every hart's levels fit one byte of one word");
#define EVERY_BYTE 0x0101010101010101UL /* times a byte: that byte in each hart's place */
static struct thread *sleepers;		/* unsorted: few sleep at once */

/*
 * The hart whose queue t joins: the one it is pinned to; else the hart it last ran on if
 * that one idles (its cache may still hold t's working set), else any idle hart, else
 * the last one again, whose next pick or a stealing hart will find it.
 */
static unsigned place(const struct thread *t)
{
	if (t->affinity >= 0)
		return (unsigned)t->affinity;
	if (!smp_on() || harts[t->last_hart].idle)
		return t->last_hart;
	for (unsigned i = 0; i < harts_online; i++)
		if (harts[i].idle)
			return i;
	return t->last_hart;
}

/*
 * t was queued on hart: wake it if it idles; if it runs a thread of lower priority,
 * interrupt it, so that it picks again at once (sched_next) rather than at its next tick.
 * Without that a server thread pinned to a busy hart waited up to a tick for its turn.
 */
static void wake_hart(unsigned hart, const struct thread *t)
{
	struct hart *h = &harts[hart];
	smp_kick((int)hart);
	if (h != this_hart() && !h->idle && h->current && h->current->prio < t->prio &&
	    !h->preempt) {
		h->preempt = 1;
		smp_interrupt(hart);
	}
}

/* Queue t on hart's run queue. */
static inline __attribute__((always_inline)) void enqueue(struct thread *t, unsigned hart)
{
	struct runq *rq = &runqs[hart];
	t->state = TS_READY;
	t->wait_obj = 0;
	t->rq_hart = (uint16_t)hart;
	tq_push(&rq->level[t->prio], t);
	levels.hart[hart] |= (uint8_t)(1u << t->prio);
}

/* sched_ready with several harts: placed (place), and its hart woken if need be. */
static __attribute__((noinline)) void ready_smp(struct thread *t)
{
	unsigned hart = place(t);
	enqueue(t, hart);
	if (hart != this_hart()->index) /* this hart picks at its next switch: nothing to wake */
		wake_hart(hart, t);
}

/*
 * One hart has one queue (a pinned thread's hart and the last one are both 0 then) and
 * nobody to kick: the several-hart work is apart (ready_smp), so this saves no registers.
 */
void sched_ready(struct thread *t)
{
	if (smp_on())
		ready_smp(t);
	else
		enqueue(t, t->last_hart);
}

static inline __attribute__((always_inline)) void dequeue(struct thread *t)
{
	struct runq *rq = &runqs[t->rq_hart];
	tq_remove(&rq->level[t->prio], t);
	if (!rq->level[t->prio])
		levels.hart[t->rq_hart] &= (uint8_t) ~(1u << t->prio);
}

void sched_remove(struct thread *t)
{
	if (t->state == TS_READY)
		dequeue(t);
}

/*
 * A queued thread must move: left on the queue of a hart it may no longer run on, it
 * waited there until its own hart happened to look (its next tick, 10 ms). Every pin
 * of a new thread (thread_create, then thread_ctl) met that when the thread was
 * already queued elsewhere.
 */
void sched_set_affinity(struct thread *t, int hart)
{
	bool ready = t->state == TS_READY;
	sched_remove(t);
	t->affinity = hart;
	if (ready)
		sched_ready(t);
}

struct thread *sched_current(void)
{
	return this_hart()->current;
}

void sched_sleep_until(struct thread *t, uint64_t when)
{
	t->state = TS_SLEEPING;
	t->wake_at = when;
	tq_push(&sleepers, t);
}

void sched_unsleep(struct thread *t)
{
	if (t->state == TS_SLEEPING)
		tq_remove(&sleepers, t);
	t->futex_addr = 0;
}

struct thread *sched_sleepers(void)
{
	return sleepers;
}

static struct thread *first_due(uint64_t now)
{
	struct thread *it = sleepers;
	if (!it)
		return 0;
	do {
		if (it->wake_at <= now)
			return it;
		it = it->next;
	} while (it != sleepers);
	return 0;
}

static void wake_sleepers(void)
{
	uint64_t now = rdtime();
	struct thread *t;
	while ((t = first_due(now)) != 0) {
		tq_remove(&sleepers, t);
		/* A sleep ends with 0, a futex wait that reached its deadline with E_TIMEOUT. */
		t->tf.x[REG_A0] = t->futex_addr ? (uint64_t)(int64_t)E_TIMEOUT : 0;
		t->futex_addr = 0;
		sched_ready(t);
	}
}

void sched_yield(void)
{
	struct thread *cur = sched_current();
	if (cur && cur->state == TS_RUNNING)
		sched_ready(cur);
}

/*
 * The receiver a message from this hart goes to when the first in line is pinned to
 * another hart: the first pinned to this hart, else the first unpinned, else NULL. A
 * server that keeps a receiving thread pinned to each hart (the fork server) thus serves
 * every client on the client's own hart, by a direct switch; the kernel knows nothing of
 * who serves what.
 */
struct thread *sched_nearest(struct thread *q)
{
	int me = (int)this_hart()->index;
	struct thread *t = q, *unpinned = 0;
	do {
		if (t->affinity == me)
			return t;
		if (!unpinned && t->affinity < 0)
			unpinned = t;
		t = t->next;
	} while (t != q);
	return unpinned;
}

/* The first thread at level p of rq that may run on this hart. */
static struct thread *eligible(const struct runq *rq, int p)
{
	struct thread *t = rq->level[p];
	if (!t)
		return 0;
	do {
		if (sched_allowed_here(t))
			return t;
		t = t->next;
	} while (t != rq->level[p]);
	return 0;
}

/* The highest level set in a mask of NPRIO bits: three steps, as RV64IMAC has no clz. */
static inline int top_level(unsigned mask)
{
	int p = 0;
	_Static_assert(NPRIO <= 8, "three halvings cover the levels");
	if (mask >> 4) {
		p = 4;
		mask >>= 4;
	}
	if (mask >> 2) {
		p += 2;
		mask >>= 2;
	}
	return p + (int)(mask >> 1);
}

/* The best thread of rq this hart may run at priority min or above, or NULL: only the
 * levels that hold threads are looked at, highest first. */
static struct thread *best_in(unsigned hart, int min)
{
	for (unsigned left = levels.hart[hart] & ~((1u << min) - 1); left;) {
		int p = top_level(left);
		struct thread *t = eligible(&runqs[hart], p);
		if (t)
			return t;
		left &= ~(1u << p);
	}
	return 0;
}

/* The levels at or above least, in every hart's byte of a levels word. */
static inline uint64_t levels_from(int least)
{
	return (uint64_t)(uint8_t) ~((1u << least) - 1) * EVERY_BYTE;
}

/*
 * What a pick steals: the best thread above least in the queues of the harts whose
 * bytes are in wanted (levels of interest only), or NULL. Apart from find_smp, which
 * then needs no registers for the loop when there is nothing to steal (nearly always).
 */
static __attribute__((noinline)) struct thread *steal(uint64_t wanted, int least)
{
	struct thread *best = 0;
	for (unsigned i = 0; wanted; i++, wanted >>= 8) {
		if (!(wanted & 0xff))
			continue;
		struct thread *t = best_in(i, least);
		if (t) {
			best = t;
			least = (int)t->prio + 1;
			wanted &= levels_from(least);
		}
	}
	return best;
}

/* The first thread of this hart's highest level at or above min, or NULL: every thread
 * on a hart's queue may run there (place() puts a pinned one on its own hart's). */
static inline struct thread *best_here(unsigned me, int min)
{
	unsigned left = levels.hart[me] & ~((1u << min) - 1);
	return left ? runqs[me].level[top_level(left)] : 0;
}

/*
 * find() with several harts: the best of this hart's queue, unless another hart's queue
 * holds one of higher priority that may run here.
 */
static inline struct thread *find_smp(int min)
{
	unsigned me = this_hart()->index;
	struct thread *best = best_here(me, min), *stolen;
	int least = best ? (int)best->prio + 1 : min;
	uint64_t wanted = levels.all & ~(0xffUL << (8 * me)) & levels_from(least);
	if (wanted && (stolen = steal(wanted, least)) != 0)
		return stolen;
	return best;
}

/*
 * The thread this hart should run next, at priority min or above: the best of its own
 * queue, unless another hart's queue holds one of higher priority that may run here
 * (stolen: that hart is busy, or it would have taken it). NULL if none.
 */
static inline __attribute__((always_inline)) struct thread *find(int min)
{
	if (!smp_on()) /* one hart: none to steal */
		return best_here(this_hart()->index, min);
	return find_smp(min);
}

/*
 * Is there work this hart may run at priority min or above? Threads pinned to other harts
 * do not count: preempting for them only requeues the current thread and picks it again.
 */
static int ready_here(uint32_t min)
{
	return find((int)min) != 0;
}

/*
 * CPU time (cpu_time, docs/syscalls.md 52) is sampled, as in classic Unix: at each tick
 * the thread the hart runs is charged the time since the last one, and an idle hart
 * charges nobody. Nothing is added to a context switch, so IPC and fork pay nothing;
 * the price is a resolution of one tick (CPU_TIME_HZ).
 */
static void charge_tick(struct hart *h, struct thread *cur)
{
	uint64_t now = rdtime();
	if (cur && h->run_since)
		cur->run_ticks += now - h->run_since;
	h->run_since = now;
}

_Static_assert(TICK_HZ == CPU_TIME_HZ, "cpu_time's resolution is the tick");

void sched_tick(void)
{
	wake_sleepers();
	struct thread *cur = sched_current();
	charge_tick(this_hart(), cur);
	if (!cur || cur->state != TS_RUNNING)
		return;
	/*
	 * Preempt for equal or higher priority work this hart may run, or move a thread
	 * whose affinity has changed to exclude this hart (sched_ready kicks its hart).
	 */
	if (!sched_allowed_here(cur) || ready_here(cur->prio))
		sched_ready(cur);
}

/* Only the levels that hold threads are looked at, highest first. */
static struct thread *pick(void)
{
	struct thread *t = find(0);
	if (t)
		dequeue(t);
	return t;
}

/* This hart stops running cur: drop the reference that running held. */
static void leave(struct hart *h)
{
	struct thread *cur = h->current;
	h->current = 0;
	if (cur && smp_on()) {
		cur->last_hart = (uint16_t)h->index; /* where sched_ready places it next */
		kobj_put(&cur->hdr);
	}
}

/* With several harts, a thread killed elsewhere stays intact while it runs here. */
static void hold(struct thread *next)
{
	if (smp_on())
		kobj_get(&next->hdr);
}

void sched_switch_refs(struct thread *next)
{
	leave(this_hart());
	hold(next);
}

void sched_let_go(uint64_t mask)
{
	for (unsigned i = 0; i < harts_online; i++) {
		struct hart *h = &harts[i];
		if (h != this_hart() && h->hartid < 64 && (mask & (1UL << h->hartid))) {
			leave(h);
			as_let_go(h);
		}
	}
}

/*
 * Nothing to run: idle until there is. Apart from sched_next, so that a switch with work
 * waiting (every blocking call's) pays for none of its registers.
 */
static __attribute__((noinline)) struct thread *idle_until_work(struct hart *h)
{
	struct thread *next;
	while (!(next = pick())) {
		/* An idle hart holds no task's tree: a destroyed one can then be freed. */
		if (h->as_active)
			as_activate(0);
		/*
		 * Idle: without the lock, in wfi until an interrupt is pending, then take it (a
		 * kernel trap) with interrupts on for a moment. The wfi comes with them still
		 * off: an IPI sent once h->idle is seen (sched_ready's kick) then stays pending
		 * and ends the wfi at once. With them on before the wfi, such an IPI was taken
		 * and cleared first, and the wfi slept on with work queued until the next tick.
		 */
		h->idle = 1;
		bkl_unlock();
		lock_order_none("idles holding");
		wfi();
		irq_on();
		irq_off();
		bkl_lock();
		h->idle = 0;
		wake_sleepers();
	}
	return next;
}

/*
 * Another hart queued work of higher priority than cur for us (wake_hart): cur goes back
 * on a queue if such work is still there. True if it did.
 */
static __attribute__((noinline)) bool yield_to_higher(struct hart *h, struct thread *cur)
{
	h->preempt = 0;
	if (!ready_here(cur->prio + 1))
		return false;
	sched_ready(cur);
	return true;
}

struct trapframe *sched_next(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current, *next;

	if (cur && cur->state == TS_RUNNING && (!h->preempt || !yield_to_higher(h, cur)))
		return &cur->tf;
	leave(h);
	h->preempt = 0; /* the pick below takes the best: left set, it kept wake_hart quiet */
	if (!(next = pick()))
		next = idle_until_work(h);
	hold(next);
	sched_enter(h, next);
	return &next->tf;
}

/* One queue for the watchdog: its threads, at most REPORT_MAX of them. */
#define REPORT_MAX 16
static void report_queue(const char *name, struct thread *q)
{
	struct thread *t = q;
	int n = 0;
	if (!t)
		return;
	printk("  %s:", name);
	do {
		printk(" %lu(p%u,a%d)", t->id, t->prio, t->affinity);
		t = t->next;
	} while (t && t != q && ++n < REPORT_MAX);
	printk("%s\n", t && t != q ? " ..." : "");
}

void sched_report(void)
{
	for (unsigned i = 0; i < harts_online; i++) {
		printk("  hart %u's run queue: levels 0x%x\n", i, levels.hart[i]);
		for (int p = THREAD_PRIO_MAX; p >= 0; p--)
			report_queue("ready", runqs[i].level[p]);
	}
	report_queue("sleeping", sleepers);
}
