/*
 * The fork server's side of the file server's holders page (fs.h): which processes hold
 * each open file description. A forked child holds what its parent holds (its
 * capabilities are copies), so its row starts as the parent's; a dead process, or one
 * whose image exec replaced, holds nothing, and the file server frees, at its next
 * request, every description no process holds any more. init maps the page into both
 * servers at FS_HOLDERS_VA. docs/files.md.
 */
#include "fs.h"

static struct fs_holders *const holders = (struct fs_holders *)FS_HOLDERS_VA;

/* Does process idx hold anything? Most processes hold no file: fork and exit then cost
 * these loads only. */
static int holds_any(unsigned idx)
{
	const volatile uint64_t *row = holders->bits[idx];
	return (row[0] | row[1] | row[2] | row[3]) != 0;
}

_Static_assert(FS_HOLDER_WORDS == 4, "holds_any reads the whole row");
_Static_assert(sizeof(struct fs_holders) <= 4096, "the holders page is one page");

void fsholders_fork(unsigned parent, unsigned child)
{
	if (!holds_any(parent))
		return; /* the child's row is clear: its last owner's death cleared it */
	for (unsigned w = 0; w < FS_HOLDER_WORDS; w++)
		__atomic_store_n(&holders->bits[child][w],
				 __atomic_load_n(&holders->bits[parent][w], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

void fsholders_release(unsigned idx)
{
	if (!holds_any(idx))
		return;
	for (unsigned w = 0; w < FS_HOLDER_WORDS; w++)
		__atomic_store_n(&holders->bits[idx][w], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&holders->dirty, 1, __ATOMIC_RELEASE);
}

/* The file server stamps files with CLOCK_REALTIME: it reads the offset we keep here. */
void fsholders_clock(int64_t offset_ns)
{
	__atomic_store_n(&holders->realtime_offset_ns, offset_ns, __ATOMIC_RELAXED);
}
