/*
 * Host tests of the record lock table (userland/lib/fslock.c): fsl_range's arithmetic
 * and errors, then random lock and unlock calls by three owners on two nodes checked
 * against a model that keeps each owner's lock type byte by byte: the same bytes
 * covered, no two ranges of an owner overlapping or touching with the same type, the
 * same conflicts; and ENOLCK leaving a full table as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fslock.h"

#define CELLS  96 /* the model's bytes; the last stands for it and everything after */
#define OWNERS 3
#define NODES  2

static struct fsl_table t;
static uint8_t model[NODES][OWNERS][CELLS];

static void ranges(void)
{
	int64_t a, b;
	CHECK_EQ(fsl_range(0, 10, 5, &a, &b), 0);
	CHECK(a == 10 && b == 14);
	CHECK_EQ(fsl_range(100, -20, 0, &a, &b), 0);
	CHECK(a == 80 && b == FSL_EOF);
	CHECK_EQ(fsl_range(0, 10, -4, &a, &b), 0); /* the 4 bytes before 10 */
	CHECK(a == 6 && b == 9);
	CHECK_EQ(fsl_range(0, 3, -4, &a, &b), -EINVAL);
	CHECK_EQ(fsl_range(0, -1, 1, &a, &b), -EINVAL);
	CHECK_EQ(fsl_range(INT64_MAX, 1, 1, &a, &b), -EOVERFLOW);
	CHECK_EQ(fsl_range(0, INT64_MAX, 2, &a, &b), -EOVERFLOW);
	CHECK_EQ(fsl_range(0, INT64_MAX, 1, &a, &b), 0);
	CHECK_EQ(fsl_range(0, 0, INT64_MIN, &a, &b), -EINVAL);
}

/* What the table says owner holds at byte c of node (0 for nothing). */
static int table_at(int node, unsigned owner, int64_t c)
{
	int type = 0, hits = 0;
	for (unsigned i = 0; i < FSL_MAX; i++) {
		const struct fsl_lock *l = &t.l[i];
		if (l->node == node && l->owner == owner && l->start <= c && c <= l->end) {
			type = l->type;
			hits++;
		}
	}
	return hits > 1 ? -1 : type;
}

/* Ranges of one owner on one node, in no order: do two overlap or touch with one type? */
static int tidy(int node, unsigned owner)
{
	for (unsigned i = 0; i < FSL_MAX; i++)
		for (unsigned j = 0; j < FSL_MAX; j++) {
			const struct fsl_lock *a = &t.l[i], *b = &t.l[j];
			if (i == j || a->node != node || b->node != node || a->owner != owner ||
			    b->owner != owner)
				continue;
			if (a->start <= b->end && b->start <= a->end)
				return 0;
			if (a->type == b->type && a->end != FSL_EOF && a->end + 1 == b->start)
				return 0;
		}
	return 1;
}

static void one_op(unsigned round)
{
	int node = rand() % NODES, type = 1 + rand() % 3;
	unsigned owner = (unsigned)rand() % OWNERS;
	int64_t s = rand() % (CELLS - 1), e = rand() % 4 == 0 ? FSL_EOF : s + rand() % 20;
	if (e != FSL_EOF && e >= CELLS - 1)
		e = CELLS - 2;
	int conflict = fsl_conflict(&t, node, owner, type, s, e);
	int want = -1;
	for (unsigned o = 0; o < OWNERS && want < 0 && type != FSL_UNLOCK; o++)
		for (int64_t c = s; o != owner && c <= (e == FSL_EOF ? CELLS - 1 : e); c++)
			if (model[node][o][c] &&
			    (type == FSL_WRITE || model[node][o][c] == FSL_WRITE))
				want = 1;
	if (type != FSL_UNLOCK)
		CHECK_EQ(conflict >= 0, want > 0);
	if (conflict >= 0 && type != FSL_UNLOCK)
		return; /* the server would refuse it or wait */
	CHECK_EQ(fsl_set(&t, node, owner, round, type, s, e, 1), 0);
	for (int64_t c = s; c <= (e == FSL_EOF ? CELLS - 1 : e); c++)
		model[node][owner][c] = type == FSL_UNLOCK ? 0 : (uint8_t)type;
}

static void random_ops(void)
{
	unsigned bad = 0, untidy = 0;
	fsl_init(&t);
	memset(model, 0, sizeof(model));
	srand(11);
	for (unsigned round = 0; round < 6000; round++) {
		one_op(round);
		if (round % 7 == 0) {
			unsigned o = (unsigned)rand() % OWNERS;
			int n = rand() % NODES;
			fsl_release(&t, n, o);
			memset(model[n][o], 0, CELLS);
		}
		for (int n = 0; n < NODES; n++)
			for (unsigned o = 0; o < OWNERS; o++) {
				untidy += !tidy(n, o);
				for (int64_t c = 0; c < CELLS; c++)
					bad += table_at(n, o, c) != model[n][o][c];
				bad += model[n][o][CELLS - 1] != table_at(n, o, FSL_EOF);
				CHECK_EQ(fsl_holds(&t, n, o) != 0,
					 memchr(model[n][o], 1, CELLS) ||
						 memchr(model[n][o], 2, CELLS));
			}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(untidy, 0);
}

static void full(void)
{
	fsl_init(&t);
	for (unsigned i = 0; i < FSL_MAX; i++) /* every other byte: nothing merges */
		CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_WRITE, 2 * i, 2 * i, 1), 0);
	CHECK_EQ(fsl_count(&t), FSL_MAX);
	CHECK_EQ(fsl_set(&t, 1, 0, 1, FSL_READ, 0, 0, 1), -ENOLCK);
	CHECK_EQ(fsl_set(&t, 0, 1, 1, FSL_READ, 0, 9, 1), -ENOLCK); /* another owner */
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_WRITE, 1, 1, 0), 0);	    /* merges three into one */
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_WRITE, 1, 1, 1), 0);
	CHECK_EQ(fsl_count(&t), FSL_MAX - 1);
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_UNLOCK, 10, 10, 1), 0); /* one range less */
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_WRITE, 1000, 1100, 1), 0);
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_WRITE, 1200, 1300, 1), 0);
	CHECK_EQ(fsl_count(&t), FSL_MAX);
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_READ, 1050, 1060, 1), -ENOLCK); /* a split */
	CHECK_EQ(table_at(0, 0, 1055), FSL_WRITE);			  /* unchanged */
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_UNLOCK, 1050, 1100, 1), 0);	  /* a trim: fits */
	CHECK_EQ(table_at(0, 0, 1049), FSL_WRITE);
	CHECK_EQ(table_at(0, 0, 1050), 0);
	CHECK_EQ(fsl_set(&t, 0, 0, 1, FSL_UNLOCK, 0, FSL_EOF, 1), 0);
	CHECK_EQ(fsl_count(&t), 0);
}

int main(void)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	ranges();
	random_ops();
	full();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
