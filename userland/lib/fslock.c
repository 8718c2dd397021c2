/* POSIX record locks: ranges, conflicts, splitting and merging; see fslock.h. */
#include "fslock.h"

#include <errno.h>

void fsl_init(struct fsl_table *t)
{
	for (unsigned i = 0; i < FSL_MAX; i++)
		t->l[i].node = FSL_FREE;
}

int fsl_range(int64_t base, int64_t start, int64_t len, int64_t *first, int64_t *last)
{
	int64_t s;
	if (__builtin_add_overflow(base, start, &s))
		return -EOVERFLOW;
	if (len < 0) { /* l_start + l_len .. l_start - 1 */
		if (s < 0 || __builtin_add_overflow(s, len, first) || *first < 0)
			return -EINVAL;
		*last = s - 1;
		return 0;
	}
	if (s < 0)
		return -EINVAL;
	*first = s;
	if (len == 0) {
		*last = FSL_EOF;
		return 0;
	}
	if (len - 1 > FSL_EOF - s)
		return -EOVERFLOW;
	*last = s + (len - 1);
	return 0;
}

static int overlaps(const struct fsl_lock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* Does l end just before start, or begin just after end (a merge of equals)? */
static int touches(const struct fsl_lock *l, int64_t start, int64_t end)
{
	return (l->end != FSL_EOF && l->end + 1 == start) ||
	       (end != FSL_EOF && end + 1 == l->start);
}

int fsl_conflict(const struct fsl_table *t, int node, unsigned owner, int type, int64_t start,
		 int64_t end)
{
	for (unsigned i = 0; i < FSL_MAX; i++) {
		const struct fsl_lock *l = &t->l[i];
		if (l->node == node && l->owner != owner && overlaps(l, start, end) &&
		    (type == FSL_WRITE || l->type == FSL_WRITE))
			return (int)i;
	}
	return -1;
}

/*
 * What owner's range l becomes under a new range start..end of type: merged into it
 * (the new range grows to cover l: *start, *end move), kept, or cut to what lies
 * outside (one or two pieces). The number of entries it leaves (0, 1 or 2); piece[]
 * gets them.
 */
static unsigned cut(const struct fsl_lock *l, int type, int64_t *start, int64_t *end,
		    struct fsl_lock piece[2])
{
	int same = type == l->type;
	if (same && (overlaps(l, *start, *end) || touches(l, *start, *end))) {
		*start = l->start < *start ? l->start : *start;
		*end = l->end > *end ? l->end : *end;
		return 0;
	}
	if (!overlaps(l, *start, *end)) {
		piece[0] = *l;
		return 1;
	}
	unsigned n = 0;
	if (l->start < *start) {
		piece[n] = *l;
		piece[n++].end = *start - 1;
	}
	if (l->end > *end) {
		piece[n] = *l;
		piece[n++].start = *end + 1;
	}
	return n;
}

/*
 * The new range may grow by merging, and a grown range can reach owner ranges it did
 * not touch before: so the pass repeats until the range stops growing (each pass that
 * grows it takes in another range, so at most FSL_MAX + 1 passes).
 */
static void grow(const struct fsl_table *t, int node, unsigned owner, int type, int64_t *start,
		 int64_t *end)
{
	for (int changed = 1; changed && type != FSL_UNLOCK;) {
		changed = 0;
		for (unsigned i = 0; i < FSL_MAX; i++) {
			const struct fsl_lock *l = &t->l[i];
			struct fsl_lock p[2];
			int64_t s = *start, e = *end;
			if (l->node != node || l->owner != owner)
				continue;
			cut(l, type, &s, &e, p);
			changed |= s != *start || e != *end;
			*start = s;
			*end = e;
		}
	}
}

/* Is owner's range l untouched by the (grown) new range? */
static int untouched(const struct fsl_lock *l, int type, int64_t start, int64_t end)
{
	return !overlaps(l, start, end) && !(type == l->type && touches(l, start, end));
}

/*
 * l into the first free entry. The count fsl_set made says there is one: a range is cut
 * in two only when the new range lies inside it, and then nothing else of the owner's
 * is cut or merged, so the table never holds more than the result at any step.
 */
static void put(struct fsl_table *t, const struct fsl_lock *l)
{
	for (unsigned j = 0; j < FSL_MAX; j++)
		if (t->l[j].node == FSL_FREE) {
			t->l[j] = *l;
			return;
		}
}

int fsl_set(struct fsl_table *t, int node, unsigned owner, uint32_t gen, int type, int64_t start,
	    int64_t end, int apply)
{
	unsigned used = fsl_count(t), mine = 0, after = type == FSL_UNLOCK ? 0 : 1;
	grow(t, node, owner, type, &start, &end);
	for (unsigned i = 0; i < FSL_MAX; i++) {
		struct fsl_lock p[2];
		int64_t s = start, e = end;
		if (t->l[i].node != node || t->l[i].owner != owner)
			continue;
		mine++;
		after += cut(&t->l[i], type, &s, &e, p);
	}
	if (used - mine + after > FSL_MAX)
		return -ENOLCK;
	if (!apply)
		return 0;
	/* Room is known. A piece goes to the first free entry, which is at or before the
	 * one it came from whenever that one was freed first, so the walk never meets a
	 * piece twice as a range to cut (a second piece may be met again: it is untouched). */
	for (unsigned i = 0; i < FSL_MAX; i++) {
		struct fsl_lock *l = &t->l[i], p[2];
		int64_t s = start, e = end;
		if (l->node != node || l->owner != owner || untouched(l, type, start, end))
			continue;
		unsigned n = cut(l, type, &s, &e, p);
		l->node = FSL_FREE;
		for (unsigned k = 0; k < n; k++)
			put(t, &p[k]);
	}
	if (type != FSL_UNLOCK) {
		struct fsl_lock nl = {
			(int16_t)node, (uint8_t)type, (uint8_t)owner, gen, start, end
		};
		put(t, &nl);
	}
	return 0;
}

void fsl_release(struct fsl_table *t, int node, unsigned owner)
{
	for (unsigned i = 0; i < FSL_MAX; i++)
		if (t->l[i].node != FSL_FREE && t->l[i].owner == owner &&
		    (node < 0 || t->l[i].node == node))
			t->l[i].node = FSL_FREE;
}

int fsl_holds(const struct fsl_table *t, int node, unsigned owner)
{
	for (unsigned i = 0; i < FSL_MAX; i++)
		if (t->l[i].node == node && t->l[i].owner == owner)
			return 1;
	return 0;
}

unsigned fsl_count(const struct fsl_table *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FSL_MAX; i++)
		n += t->l[i].node != FSL_FREE;
	return n;
}
