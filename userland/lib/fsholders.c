/*
 * The fork server's side of the file server's holders page (fs.h): which processes hold
 * each open file description. A forked child holds what its parent holds (its
 * capabilities are copies), so its row starts as the parent's; a dead process, or one
 * whose image exec replaced, holds nothing, and the file server frees, at its next
 * request, every description no process holds any more. init maps the page into both
 * servers at FS_HOLDERS_VA. docs/files.md.
 */
#include "fs.h"
#include "syscall.h"

static struct fs_holders *const holders = (struct fs_holders *)FS_HOLDERS_VA;
static uint64_t key_state; /* the key generator's: only this server sees it */

/* A new lock key, never 0. */
static uint64_t key_new(void)
{
	uint64_t z = fs_unguessable(&key_state, 23);
	return z ? z : 1;
}

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
	/* The child has a copy of our memory, the key included: a new one for the parent. */
	if (__atomic_load_n(&holders->lock_key[parent], __ATOMIC_RELAXED))
		__atomic_store_n(&holders->lock_key[parent], key_new(), __ATOMIC_RELAXED);
	if (!holds_any(parent))
		return; /* the child's row is clear: its last owner's death cleared it */
	for (unsigned w = 0; w < FS_HOLDER_WORDS; w++)
		__atomic_store_n(&holders->bits[child][w],
				 __atomic_load_n(&holders->bits[parent][w], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

void fsholders_release(unsigned idx)
{
	/* Only a process with a key can have locked: the others' deaths store nothing here. */
	if (__atomic_load_n(&holders->lock_key[idx], __ATOMIC_RELAXED)) {
		__atomic_store_n(&holders->lock_key[idx], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&holders->lock_gen[idx], holders->lock_gen[idx] + 1,
				 __ATOMIC_RELEASE);
		/* its locks go now: someone may wait for them */
		__atomic_store_n(&holders->dirty, 1, __ATOMIC_RELEASE);
		SYSCALL(futex_wake, (uintptr_t)&holders->dirty, 1);
	}
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

uint64_t fsholders_key(unsigned idx, uint32_t pid)
{
	__atomic_store_n(&holders->lock_pid[idx], pid, __ATOMIC_RELAXED);
	if (!holders->lock_key[idx])
		__atomic_store_n(&holders->lock_key[idx], key_new(), __ATOMIC_RELEASE);
	return holders->lock_key[idx];
}
