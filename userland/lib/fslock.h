/*
 * POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW; lockf) as the file server keeps
 * them: one table of byte ranges, each held by one process (its fork-server index) on one
 * node, read or write. A process's ranges on a node never overlap: setting a range
 * replaces what the process held there (splitting a range it cuts through) and merges
 * with touching ranges of the same type. Plain C with no system call: the host test
 * (test/host/test_fslock.c) runs it under ASan and UBSan. docs/files.md, "Record locks".
 */
#ifndef USER_FSLOCK_H
#define USER_FSLOCK_H

#include <stdint.h>

#define FSL_MAX	 256	   /* ranges locked in the whole system: ENOLCK past it */
#define FSL_EOF	 INT64_MAX /* a range's end when it runs to the end of the file, and on */
#define FSL_FREE (-1)

enum fsl_type { FSL_READ = 1, FSL_WRITE = 2, FSL_UNLOCK = 3 };

struct fsl_lock {
	int16_t node;	    /* FSL_FREE: an unused entry */
	uint8_t type;	    /* FSL_READ or FSL_WRITE */
	uint8_t owner;	    /* the process's index */
	uint32_t gen;	    /* the owner's generation when it locked: a later process at its index
			* is someone else (fs.h, lock_gen) */
	int64_t start, end; /* bytes start..end, both included */
};

struct fsl_table {
	struct fsl_lock l[FSL_MAX];
};

void fsl_init(struct fsl_table *t);
/*
 * The range a struct flock names: base (0, the offset or the size, as l_whence says) +
 * l_start, l_len bytes (0: to the end of the file and on; negative: the bytes before
 * l_start). 0 and *start, *end; -EINVAL (it starts before 0), -EOVERFLOW (past INT64_MAX).
 */
int fsl_range(int64_t base, int64_t start, int64_t len, int64_t *first, int64_t *last);
/* The first range of another owner that a type lock over start..end of node by owner
 * would conflict with (one of them writes): its index, or -1. */
int fsl_conflict(const struct fsl_table *t, int node, unsigned owner, int type, int64_t start,
		 int64_t end);
/*
 * Owner's ranges on node now cover start..end with type (FSL_UNLOCK: not at all),
 * splitting and merging its own ranges; conflicts are the caller's business. 0, or
 * -ENOLCK with nothing changed when the table has no room for the pieces. With apply 0
 * it only says whether it would fit.
 */
int fsl_set(struct fsl_table *t, int node, unsigned owner, uint32_t gen, int type, int64_t start,
	    int64_t end, int apply);
/* Drop every range owner holds on node (node < 0: on every node). */
void fsl_release(struct fsl_table *t, int node, unsigned owner);
/* Does owner hold any range on node? */
int fsl_holds(const struct fsl_table *t, int node, unsigned owner);
/* How many entries are in use. */
unsigned fsl_count(const struct fsl_table *t);

#endif
