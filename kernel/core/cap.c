/*
 * Capability spaces. A slot holds an object reference plus rights and a badge. Every
 * copy is linked under the capability it came from, so revoke can find and delete
 * the whole subtree; deleting a capability hands its children to its parent.
 */
#include "kernel/abi/error.h"
#include "kernel/core/irq.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/object.h"
#include "kernel/core/pipe.h"
#include "kernel/core/task.h"

#define CHUNK_BYTES (CAPS_PER_PAGE * sizeof(struct cap))

static bool reaping; /* unreachable tasks are judged later (see reap_orphans) */
static void reap_orphans(void);

/*
 * Mark slots [from, to) empty, in the chunks that exist: a chunk at a time, so each slot
 * costs one store (fork's first copy into a chunk clears up to 64; slot by slot, with the
 * chunk looked up for each, that cost a fork+exit+wait about 200).
 */
static void clear_slots(struct task *t, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint64_t p = from / CAPS_PER_PAGE, end = (p + 1) * CAPS_PER_PAGE;
		struct cap *chunk = t->cspace[p];
		if (end > to)
			end = to;
		if (chunk)
			for (struct cap *c = chunk + from % CAPS_PER_PAGE; from < end; from++)
				(c++)->obj = 0;
		from = end;
	}
}

static int chunk_new(struct task *t, unsigned p)
{
	if (quota_take(t, kalloc_charge(CHUNK_BYTES)) != 0)
		return E_QUOTA;
	if (!(t->cspace[p] = kalloc(CHUNK_BYTES))) {
		quota_give(t, kalloc_charge(CHUNK_BYTES));
		return E_NOMEM;
	}
	uint64_t base = (uint64_t)p * CAPS_PER_PAGE;
	clear_slots(t, base, base + cspace_chunk_span(t, p));
	return 0;
}

struct cap *cap_slot(struct task *t, uint64_t slot, int *err)
{
	unsigned p = (unsigned)(slot / CAPS_PER_PAGE);
	if (slot >= CSPACE_SLOTS) {
		*err = E_BADCAP;
		return 0;
	}
	if (!t->cspace[p] && (*err = chunk_new(t, p)) != 0)
		return 0;
	if (slot >= t->cspace_top) {
		clear_slots(t, t->cspace_top, slot + 1);
		t->cspace_top = (uint32_t)slot + 1;
	}
	return &t->cspace[p][slot % CAPS_PER_PAGE];
}

void cspace_clear(struct task *t)
{
	bool outermost = !reaping;
	reaping = true; /* judge the tasks it names once every slot is gone */
	for (unsigned p = 0; p < CSPACE_PAGES; p++) {
		if (!t->cspace[p])
			continue;
		struct cap *c = t->cspace[p], *end = c + cspace_chunk_span(t, p);
		for (; c < end; c++)
			if (c->obj) /* most slots are empty: skip the call */
				cap_delete(c);
		kfree(t->cspace[p], CHUNK_BYTES);
		quota_give(t, kalloc_charge(CHUNK_BYTES));
		t->cspace[p] = 0;
	}
	t->cspace_top = 0;
	if (outermost)
		reap_orphans();
}

/*
 * Copy each slot of from into the same slot of to, derived from from's, except its
 * identity (SLOT_SELF and the slot skip) and per-thread or one-shot capabilities.
 * 0, or E_QUOTA / E_NOMEM for a chunk of to (what was copied stays: to is being built).
 */
int cspace_copy(struct task *from, struct task *to, uint64_t skip)
{
	int err;
	/* Chunks from the one holding cspace_top up were never used: they hold nothing. */
	for (unsigned p = 0; p * CAPS_PER_PAGE < from->cspace_top; p++) {
		struct cap *chunk = from->cspace[p], *dst = 0;
		unsigned n = chunk ? cspace_chunk_span(from, p) : 0; /* never used: empty */
		for (unsigned j = 0; j < n; j++) {
			unsigned i = p * CAPS_PER_PAGE + j;
			struct cap *src = &chunk[j];
			if (!src->obj || i == SLOT_SELF || i == skip ||
			    src->obj->type == OBJ_REPLY || src->obj->type == OBJ_THREAD)
				continue;
			/*
			 * At the chunk's first copy, one cap_slot for from's last slot in it makes
			 * to's chunk with every slot up to there empty (SLOT_SELF, filled already,
			 * is below to's top and kept).
			 */
			if (!dst && !cap_slot(to, p * CAPS_PER_PAGE + n - 1, &err))
				return err;
			dst = to->cspace[p];
			cap_install(&dst[j], src->obj, src->rights, src->badge, src);
		}
	}
	return 0;
}

/* The slot if it holds an object of type (OBJ_NONE: any) with all of rights. */
struct cap *cap_get(struct task *t, uint64_t slot, uint32_t type, uint32_t rights, int *err)
{
	struct cap *c = cap_lookup(t, slot);
	if (!c || !c->obj)
		*err = E_BADCAP;
	else if (type != OBJ_NONE && c->obj->type != type)
		*err = E_TYPE;
	else if ((c->rights & rights) != rights)
		*err = E_RIGHTS;
	else
		return c;
	return 0;
}

static void link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->sibling_prev = 0;
	c->sibling_next = parent ? parent->child : 0;
	if (c->sibling_next)
		c->sibling_next->sibling_prev = c;
	if (parent)
		parent->child = c;
}

static void unlink(struct cap *c)
{
	if (c->sibling_prev)
		c->sibling_prev->sibling_next = c->sibling_next;
	else if (c->parent)
		c->parent->child = c->sibling_next;
	if (c->sibling_next)
		c->sibling_next->sibling_prev = c->sibling_prev;
	c->parent = c->sibling_next = c->sibling_prev = 0;
}

/* dst must be empty; takes a new reference on obj. */
void cap_install(struct cap *dst, struct kobj *obj, uint32_t rights, uint64_t badge,
		 struct cap *parent)
{
	kobj_get(obj);
	if (obj->type == OBJ_TASK)
		((struct task *)obj)->task_caps++;
	dst->obj = obj;
	dst->rights = rights;
	dst->badge = badge;
	dst->child = 0;
	link_child(parent, dst);
}

/*
 * Unreachable tasks. A task keeps itself alive through SLOT_SELF, so one that nobody else
 * can name and that can never run again would stay forever: nobody could kill it. That
 * is a task such that
 *   1. every capability naming it lies in its own slots (SLOT_SELF, and any copy it made),
 *   2. and each of its threads is stopped for good: inactive, or waiting on an endpoint,
 *      notification or pipe whose every reference (for a pipe: to either end) is one of
 *      its own slots (no other task, no supervisor link and no interrupt can wake it).
 * Whenever a capability naming a live task goes, the task becomes a candidate; candidates
 * are judged once the outermost delete (or a whole cspace_clear) is done, so the other
 * slots a dying task held are gone first, and the unreachable ones are killed one after
 * another: killing one deletes its slots, which may make the next unreachable, and a chain
 * of them must not recurse down the kernel stack. Cycles that span several tasks (each
 * waiting on an object only the other holds) are not found; their memory stays charged
 * to the tasks that paid for it (docs/ipc-caps.md).
 *
 * Condition 1 can hold while a thread still runs: it is about to block for good, or it
 * runs on another hart at that moment. Such a task is a suspect, judged again every
 * RECHECK_TICKS timer ticks until it is unreachable, named from outside again, or dead;
 * otherwise it would escape for ever once its thread stopped.
 */
#define RECHECK_TICKS 10 /* 100 ms at TICK_HZ 100 */
static struct task *orphans;
static struct task *suspects; /* linked through orphan_next; orphan_queued stays set */
static unsigned ticks_since_check;

/* How many of t's own slots name o: a scan, made only for a candidate. */
static unsigned caps_in(struct task *t, const struct kobj *o)
{
	unsigned n = 0;
	for (unsigned p = 0; p < CSPACE_PAGES; p++) {
		const struct cap *chunk = t->cspace[p];
		unsigned span = chunk ? cspace_chunk_span(t, p) : 0;
		for (unsigned j = 0; j < span; j++)
			n += chunk[j].obj == o;
	}
	return n;
}

/* Step 2: can th never run again unless t itself wakes it? */
static bool thread_stuck(struct task *t, const struct thread *th)
{
	const struct kobj *o = th->wait_obj;
	switch (th->state) {
	case TS_INACTIVE:
	case TS_DEAD:
		return true;
	case TS_BLOCKED_NOTIFY:
		if (!o || irq_bound(th->wait_obj))
			return false;
		return o->refs == caps_in(t, o);
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV:
		return o && o->refs == caps_in(t, o);
	case TS_BLOCKED_PIPE: { /* only t holds the ends that could wake it */
		const struct pipe *p = th->wait_obj;
		if (p->fifo)
			return false; /* whoever holds the named pipe may open another end */
		return p->end[PIPE_READER].hdr.refs == caps_in(t, &p->end[PIPE_READER].hdr) &&
		       p->end[PIPE_WRITER].hdr.refs == caps_in(t, &p->end[PIPE_WRITER].hdr);
	}
	default: /* running, ready, sleeping, console input, waiting for an answer */
		return false;
	}
}

/* Condition 1: nothing outside t names it. */
static bool named_only_by_itself(struct task *t)
{
	return !t->dead && t->task_caps == caps_in(t, &t->hdr);
}

/* Condition 2: no thread of t can run again. */
static bool all_threads_stuck(struct task *t)
{
	for (const struct thread *th = t->threads; th; th = th->task_next)
		if (!thread_stuck(t, th))
			return false;
	return true;
}

static void note_task_cap_gone(struct task *t)
{
	t->task_caps--;
	if (t->dead || t->orphan_queued)
		return;
	kobj_get(&t->hdr); /* the list's reference */
	t->orphan_queued = true;
	t->orphan_next = orphans;
	orphans = t;
}

static void reap_orphans(void)
{
	reaping = true;
	while (orphans) {
		struct task *t = orphans;
		orphans = t->orphan_next;
		t->orphan_next = 0;
		bool alone = named_only_by_itself(t);
		if (alone && !all_threads_stuck(t)) {
			t->orphan_next = suspects; /* keeps the list's reference */
			suspects = t;
			continue;
		}
		t->orphan_queued = false;
		if (alone)
			task_kill(t);
		kobj_put(&t->hdr);
	}
	reaping = false;
}

void cap_tick(void)
{
	if (!suspects || reaping || ++ticks_since_check < RECHECK_TICKS)
		return;
	ticks_since_check = 0;
	while (suspects) {
		struct task *t = suspects;
		suspects = t->orphan_next;
		t->orphan_next = orphans;
		orphans = t;
	}
	reap_orphans();
}

void cap_delete(struct cap *c)
{
	if (!c->obj)
		return;
	struct kobj *obj = c->obj;
	if (obj->type == OBJ_TASK)
		note_task_cap_gone((struct task *)obj);
	/* Children move up to our parent: deleting a copy must not revoke its copies. */
	while (c->child) {
		struct cap *ch = c->child;
		unlink(ch);
		link_child(c->parent, ch);
	}
	unlink(c);
	c->obj = 0;
	c->rights = 0;
	c->badge = 0;
	kobj_put(obj); /* last: destruction may touch other slots */
	if (orphans && !reaping)
		reap_orphans();
}

/* Delete leaves first, without recursion: a long chain of copies cannot blow the stack. */
void cap_revoke(struct cap *c)
{
	while (c->child) {
		struct cap *d = c->child;
		while (d->child)
			d = d->child;
		cap_delete(d);
	}
}
