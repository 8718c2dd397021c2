/* The scheduler: see sched.h. */
#include "kernel/core/sched.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/printk.h"
#include "vm/as.h"

#define NPRIO (THREAD_PRIO_MAX + 1)

static struct thread *runq[NPRIO];
static unsigned runq_mask;	/* bit p set: runq[p] is not empty */
static struct thread *sleepers; /* unsorted: few sleep at once */

void sched_ready(struct thread *t)
{
	t->state = TS_READY;
	t->wait_obj = 0;
	tq_push(&runq[t->prio], t);
	runq_mask |= 1u << t->prio;
	smp_kick(t->affinity);
}

void sched_remove(struct thread *t)
{
	if (t->state == TS_READY) {
		tq_remove(&runq[t->prio], t);
		if (!runq[t->prio])
			runq_mask &= ~(1u << t->prio);
	}
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

/* t may run on this hart (its affinity allows it). */
static int allowed_here(const struct thread *t)
{
	return t->affinity < 0 || t->affinity == (int)this_hart()->index;
}

/* The first thread at level p that may run on this hart. */
static struct thread *eligible(int p)
{
	struct thread *t = runq[p];
	if (!t)
		return 0;
	do {
		if (allowed_here(t))
			return t;
		t = t->next;
	} while (t != runq[p]);
	return 0;
}

/*
 * Is there work this hart may run at priority min or above? Threads pinned to other harts
 * do not count: preempting for them only requeues the current thread and picks it again.
 */
static int ready_here(uint32_t min)
{
	for (int p = THREAD_PRIO_MAX; p >= (int)min; p--)
		if ((runq_mask & (1u << p)) && eligible(p))
			return 1;
	return 0;
}

void sched_tick(void)
{
	wake_sleepers();
	struct thread *cur = sched_current();
	if (!cur || cur->state != TS_RUNNING)
		return;
	/*
	 * Preempt for equal or higher priority work this hart may run, or move a thread
	 * whose affinity has changed to exclude this hart (sched_ready kicks its hart).
	 */
	if (!allowed_here(cur) || ready_here(cur->prio))
		sched_ready(cur);
}

static struct thread *pick(void)
{
	for (int p = THREAD_PRIO_MAX; p >= 0; p--) {
		struct thread *t = (runq_mask & (1u << p)) ? eligible(p) : 0;
		if (!t)
			continue;
		tq_remove(&runq[p], t);
		if (!runq[p])
			runq_mask &= ~(1u << p);
		return t;
	}
	return 0;
}

/* This hart stops running cur: drop the reference that running held. */
static void leave(struct hart *h)
{
	struct thread *cur = h->current;
	h->current = 0;
	if (cur && smp_on())
		kobj_put(&cur->hdr);
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

struct trapframe *sched_next(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current, *next;

	if (cur && cur->state == TS_RUNNING)
		return &cur->tf;
	leave(h);
	while (!(next = pick())) {
		/* An idle hart holds no task's tree: a destroyed one can then be freed. */
		if (h->as_active)
			as_activate(0);
		/* Idle: without the lock, interrupts on (taken as kernel traps) until work comes. */
		h->idle = 1;
		bkl_unlock();
		lock_order_none("idles holding");
		irq_on();
		wfi();
		irq_off();
		bkl_lock();
		h->idle = 0;
		wake_sleepers();
	}
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
	printk("  run queue mask 0x%x\n", runq_mask);
	for (int p = THREAD_PRIO_MAX; p >= 0; p--)
		report_queue("ready", runq[p]);
	report_queue("sleeping", sleepers);
}
