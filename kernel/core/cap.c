/*
 * Capability spaces. A slot holds an object reference plus rights and a badge. Every
 * copy is linked under the capability it came from, so revoke can find and delete
 * the whole subtree; deleting a capability hands its children to its parent.
 */
#include "kernel/abi/error.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/object.h"
#include "kernel/core/task.h"

#define CHUNK_BYTES (CAPS_PER_PAGE * sizeof(struct cap))

/*
 * Only obj says whether a slot is empty (cap_install writes every other field), and only
 * the slots below cspace_top are ever read: those are the ones a chunk keeps cleared.
 * Slots above are not touched until cap_slot hands one out, so a new chunk costs a few
 * stores rather than clearing 3.5 KiB.
 */
struct cap *cap_lookup(struct task *t, uint64_t slot)
{
	if (slot >= t->cspace_top || !t->cspace[slot / CAPS_PER_PAGE])
		return 0;
	return &t->cspace[slot / CAPS_PER_PAGE][slot % CAPS_PER_PAGE];
}

/* Mark slots [from, to) empty, in the chunks that exist. */
static void clear_slots(struct task *t, uint64_t from, uint64_t to)
{
	for (uint64_t s = from; s < to; s++) {
		struct cap *chunk = t->cspace[s / CAPS_PER_PAGE];
		if (chunk)
			chunk[s % CAPS_PER_PAGE].obj = 0;
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
 * A task with no thread whose only capability left is its own SLOT_SELF can never run
 * again, and that capability keeps it alive: nobody could ever kill it. Such orphans
 * are killed here. They are queued and killed one after another by the outermost
 * delete, because killing one deletes its slots, which may orphan the next: a chain of
 * them must not recurse down the kernel stack. (A task whose threads wait forever, or
 * that copied its own capability into another of its slots, is not found this way.)
 */
static struct task *orphans;
static bool reaping;

/* After gone is deleted: is t's SLOT_SELF (another slot) the only capability left? */
static bool orphaned(struct task *t, const struct cap *gone)
{
	struct cap *self = cap_lookup(t, SLOT_SELF);
	return !t->dead && !t->threads && t->task_caps == 1 && !t->orphan_queued && self &&
	       self != gone && self->obj == &t->hdr;
}

static void note_task_cap_gone(struct task *t, const struct cap *gone)
{
	t->task_caps--;
	if (!orphaned(t, gone))
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
		task_kill(t);
		kobj_put(&t->hdr);
	}
	reaping = false;
}

void cap_delete(struct cap *c)
{
	if (!c->obj)
		return;
	struct kobj *obj = c->obj;
	if (obj->type == OBJ_TASK)
		note_task_cap_gone((struct task *)obj, c);
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
