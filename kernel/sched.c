/* The scheduler: see sched.h. */
#include "kernel/sched.h"

#include "kernel/hart.h"
#include "kernel/riscv.h"
#include "vm/as.h"

#define NPRIO (THREAD_PRIO_MAX + 1)

static struct thread *runq[NPRIO];
static unsigned runq_mask;	/* bit p set: runq[p] is not empty */
static struct thread *sleepers; /* unsorted: few sleep at once */

void tq_push(struct thread **q, struct thread *t)
{
	if (!*q) {
		t->next = t->prev = t;
		*q = t;
		return;
	}
	struct thread *head = *q, *tail = head->prev;
	t->next = head;
	t->prev = tail;
	tail->next = t;
	head->prev = t;
}

void tq_remove(struct thread **q, struct thread *t)
{
	if (!t->next)
		return;
	if (t->next == t)
		*q = 0;
	else {
		t->prev->next = t->next;
		t->next->prev = t->prev;
		if (*q == t)
			*q = t->next;
	}
	t->next = t->prev = 0;
}

struct thread *tq_pop(struct thread **q)
{
	struct thread *t = *q;
	if (t)
		tq_remove(q, t);
	return t;
}

void sched_init(void)
{
}

void sched_ready(struct thread *t)
{
	t->state = TS_READY;
	t->wait_obj = 0;
	tq_push(&runq[t->prio], t);
	runq_mask |= 1u << t->prio;
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
		t->tf.x[REG_A0] = 0;
		sched_ready(t);
	}
}

void sched_yield(void)
{
	struct thread *cur = sched_current();
	if (cur && cur->state == TS_RUNNING)
		sched_ready(cur);
}

void sched_tick(void)
{
	wake_sleepers();
	struct thread *cur = sched_current();
	if (!cur || cur->state != TS_RUNNING)
		return;
	/* Preempt only for equal or higher priority work. */
	if (runq_mask >> cur->prio)
		sched_ready(cur);
}

static struct thread *pick(void)
{
	if (!runq_mask)
		return 0;
	int p = THREAD_PRIO_MAX;
	while (!(runq_mask & (1u << p))) /* the highest non-empty level; 8 at most */
		p--;
	struct thread *t = tq_pop(&runq[p]);
	if (!runq[p])
		runq_mask &= ~(1u << p);
	return t;
}

struct trapframe *sched_switch_to(struct thread *next)
{
	struct hart *h = this_hart();
	next->state = TS_RUNNING;
	if (h->as_active != next->task)
		as_activate(next->task);
	h->current = next;
	return &next->tf;
}

struct trapframe *sched_next(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current, *next;

	if (cur && cur->state == TS_RUNNING)
		return &cur->tf;
	while (!(next = pick())) {
		h->current = 0;
		/* Idle: let interrupts in (they are taken as kernel traps) until work comes. */
		irq_on();
		wfi();
		irq_off();
		wake_sleepers();
	}
	next->state = TS_RUNNING;
	if (h->as_active != next->task)
		as_activate(next->task);
	h->current = next;
	return &next->tf;
}
