/*
 * The file server: one namespace for every process (docs/files.md). "/" is a RAM file
 * system; /bin holds the boot archive's programs, read-only, served from the archive's
 * own frames; /dev holds console and tty (the client reads those itself), null, zero and
 * shm/ for shm_open; /tmp is writable.
 *
 * A regular file's bytes are in memory objects this server creates and maps: extent k
 * holds pages [ext_first(k), ext_first(k) + ext_pages(k)), sizes 1, 1, 2, 4 ... 512, then
 * 512 each, so a file is contiguous in our address space (at file_va) and needs few
 * objects. read and write copy from and to those frames; mmap hands the client the same
 * objects, so there is one copy of each page: the page cache.
 *
 * The server is one loop: receive, decode and check, act, reply. It holds every
 * capability it needs from the start and never blocks on a client, and nothing a client
 * sends is trusted: a bad request gets a negative errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fs.h"
#include "futex.h"
#include "kernel/abi/pipe.h"
#include "fs/bootfs.h"
#include "fs/fatmount.h"
#include "fslock.h"
#include "fstree.h"
#include "taskspawn.h"
#include "syscall.h"
#include "threads.h"

#define PAGE		   4096UL
#define FILE_VA		   0x2000000000UL /* file i's bytes at FILE_VA + i * FILE_SPAN */
#define FILE_SPAN	   (FS_FILE_PAGES * PAGE)
#define EXT_MAX		   17  /* extents of the largest file */
#define EXT_BIG		   512 /* pages of every extent from 10 on: the largest object */
#define SLOT_PROBE	   16  /* slots between the capability-space chunks we touch at start */
#define ACCMODE(f)	   ((f)&O_ACCMODE)
#define CAN_READ(f)	   (ACCMODE(f) != O_WRONLY)
#define CAN_WRITE(f)	   (ACCMODE(f) != O_RDONLY)
#define GIB		   (1UL << 30)
#define EXEC_VA		   0x3700000000UL /* where an exec object is filled */
#define DATA_PAGES_MAX	   8192		  /* file data: a quarter of free memory, at most 32 MiB */
#define BOOT_CACHE_SECTORS 2560 /* /boot's sector cache: 1.25 MiB, a 1 MiB file stays warm */
#define NS_PER_S	   1000000000LL
#define RELATIME_S	   86400 /* a read moves an access time older than this (Linux's relatime) */
#define DAY_S		   86400

struct ofd {
	int16_t node; /* -1: free */
	uint16_t gen;
	uint32_t flags; /* O_ flags it was opened with; O_APPEND may change */
	uint64_t off;
	uint64_t token; /* what FS_REOPEN must show: only holders of the description know it */
};

static struct fst tree;
static int16_t ext_slot[FS_NODES][EXT_MAX];  /* 0: not made */
static uint16_t ext_held[FS_NODES][EXT_MAX]; /* pages the extent's object holds */
/* A file as one object for exec, kept until the file changes: copies share its frames. */
static int16_t exec_slot[FS_NODES];
static uint64_t exec_pages[FS_NODES];
static struct ofd ofds[FS_OFD_MAX];
static struct fs_holders *const holders = (struct fs_holders *)FS_HOLDERS_VA;
static char buf[IPC_BUF_MAX + 1] __attribute__((aligned(16))); /* copy_in goes by words */
static const char zeros[FS_IO_MAX];
static struct archive archive;
static uint64_t pages_used, pages_limit;
static long cap_out;	     /* the capability the last reply carried, dropped before the next */
static uint64_t token_state; /* the token generator's state */
/* The description the current answer gives a hold on: undone if the answer cannot go. */
static int undo_ofd = -1;
static unsigned undo_proc;
/* /boot: the disk's FAT volume, its names in the tree (bootfs.h). A /boot file's bytes are
 * in the page cache while it is open (loaded); a writable shared mapping's stores reach
 * the volume only when we copy them there (mapped_wr: at fsync, close and sync). */
static struct bootfs boot;
static struct fatmount boot_mount;
static uint8_t loaded[FS_NODES], mapped_wr[FS_NODES];
static uint64_t timebase_hz; /* the rdtime counter's rate, from sysinfo */
/* Record locks (fslock.h) and the F_SETLKW requests waiting for one: each keeps its
 * caller's reply, answered when the range is free. */
static struct fsl_table locks;
static struct lock_wait {
	long reply; /* 0: a free entry */
	int16_t node;
	uint8_t owner, type;
	uint32_t gen;
	int64_t start, end;
} lwait[FS_LOCK_WAITERS];
static int no_answer;		      /* the current request's reply was kept: answer nothing now */
static int boot_stamped;	      /* the nodes made at start have had the fork server's clock */
static int bin_dir, dev_dir, shm_dir; /* /bin, /dev and /dev/shm: where the file systems meet */

/* Which of a node's times a change moves (touch). */
enum { T_ACCESS = 1, T_MODIFY = 2, T_CHANGE = 4, T_ALL = 7 };

/*
 * CLOCK_REALTIME now, as time() reads it: the monotonic counter plus the offset the fork
 * server keeps (it writes it into the holders page at start and at every clock_settime).
 */
static struct fs_ts clock_now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	int64_t ns =
		(int64_t)(t / timebase_hz * NS_PER_S + t % timebase_hz * NS_PER_S / timebase_hz);
	ns += __atomic_load_n(&holders->realtime_offset_ns, __ATOMIC_RELAXED);
	struct fs_ts ts = { ns / NS_PER_S, ns % NS_PER_S };
	if (ts.nsec < 0) {
		ts.sec--;
		ts.nsec += NS_PER_S;
	}
	return ts;
}

/*
 * A change to node (a write, a new or removed name in a directory, chmod...): the times
 * POSIX says it moves, now. A /boot name keeps its times in its FAT entry too, as FAT can
 * (bootfs_set_times: its status change time is its modification time).
 */
static void touch(int node, unsigned what)
{
	struct fs_times *t = &tree.n[node].times;
	struct fs_ts now = clock_now();
	if (what & T_ACCESS)
		t->atim = now;
	if (what & T_MODIFY)
		t->mtim = now;
	if (what & T_CHANGE)
		t->ctim = now;
	bootfs_set_times(&boot, &tree, node, what & T_ACCESS ? &t->atim.sec : 0,
			 what & T_MODIFY ? &t->mtim.sec : 0);
}

/* A read: the access time moves only when it is not after the last change or is a day
 * old (Linux's relatime), so reading costs no write to a disk, and /bin (read-only) keeps
 * its times. */
static void touch_read(int node)
{
	const struct fst_node *n = &tree.n[node];
	struct fs_ts now = clock_now();
	const struct fs_ts *a = &n->times.atim;
	int stale = a->sec < n->times.mtim.sec ||
		    (a->sec == n->times.mtim.sec && a->nsec <= n->times.mtim.nsec) ||
		    a->sec < n->times.ctim.sec ||
		    (a->sec == n->times.ctim.sec && a->nsec <= n->times.ctim.nsec) ||
		    now.sec - a->sec >= RELATIME_S;
	/* FAT keeps the access day only: today's stays as it is, with no look at the disk. */
	if (bootfs_has(&boot, node) && a->sec / DAY_S == now.sec / DAY_S)
		return;
	if (stale && !n->readonly)
		touch(node, T_ACCESS);
}

/* The nodes made before the fork server started its clock get its time at the first
 * request (the fork server has published the offset before any process can ask). */
static void stamp_start(void)
{
	boot_stamped = 1;
	for (int i = 0; i < FS_NODES; i++)
		if (tree.n[i].type != FST_FREE && (!bootfs_has(&boot, i) || i == boot.root))
			touch(i, T_ALL);
}

/* A token nobody can guess from the ones they saw. */
static uint64_t token_new(void)
{
	return fs_unguessable(&token_state, 17);
}

static uint64_t ext_first(unsigned k)
{
	return k == 0 ? 0 : k <= 10 ? 1UL << (k - 1) : EXT_BIG * (k - 9UL);
}

static uint64_t ext_pages(unsigned k)
{
	return k == 0 ? 1 : k <= 10 ? 1UL << (k - 1) : EXT_BIG;
}

/* The extent holding file page p. */
static unsigned ext_of(uint64_t p)
{
	if (p < 2 * EXT_BIG)
		return p == 0 ? 0 : 64 - (unsigned)__builtin_clzl(p);
	return 9 + (unsigned)(p / EXT_BIG);
}

static uint8_t *file_va(int node)
{
	return (uint8_t *)(FILE_VA + (uint64_t)node * FILE_SPAN);
}

/* Where extent k of node lies in our address space. */
static uint64_t ext_va(int node, unsigned k)
{
	return (uint64_t)(file_va(node) + ext_first(k) * PAGE);
}

/* Of a file holding `pages` pages, how many are in extent k. */
static uint64_t ext_want(unsigned k, uint64_t pages)
{
	uint64_t f = ext_first(k), n = ext_pages(k);
	return pages <= f ? 0 : pages - f < n ? pages - f : n;
}

static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE - 1) / PAGE;
}

/*
 * Extent k of node holds `want` pages. The object keeps its full length; the kernel
 * takes the pages past want from every mapping (a later touch is SIGBUS) and gives them
 * back as zero pages when they are wanted again (memobj_resize). We map only the pages
 * the object holds, and unmap ours before a shrink, so when no client maps them the
 * kernel has no mapping to look for. 0 or -ENOSPC (nothing changed).
 */
static int ext_hold(int node, unsigned k, uint64_t want)
{
	uint64_t had = ext_held[node][k];
	if (want > had && pages_used + (want - had) > pages_limit)
		return -ENOSPC;
	if (want < had)
		SYSCALL(unmap, SLOT_SELF, ext_va(node, k) + want * PAGE, had - want);
	if (want != had && SYSCALL(memobj_resize, ext_slot[node][k], want) != 0)
		return -ENOSPC; /* growing found no frame: still `had` pages */
	if (want > had &&
	    SYSCALL(map, SLOT_SELF, ext_slot[node][k], ext_va(node, k) + had * PAGE, had,
		    want - had, MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) != 0) {
		SYSCALL(memobj_resize, ext_slot[node][k], had);
		return -ENOSPC;
	}
	pages_used = pages_used + want - had;
	ext_held[node][k] = (uint16_t)want;
	return 0;
}

/* Make extent k of node, holding `want` pages: 0 or -ENOSPC. */
static int ext_make(int node, unsigned k, uint64_t want)
{
	uint64_t n = ext_pages(k);
	long s = pages_used + n <= pages_limit ? slot_alloc() : -1;
	long err = s < 0 ? E_NOMEM : SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, s, n);
	if (err) {
		slot_free(s);
		return -ENOSPC;
	}
	/* Made whole (obj_create takes every frame), given back before anyone maps it. */
	ext_slot[node][k] = (int16_t)s;
	ext_held[node][k] = 0;
	SYSCALL(memobj_resize, s, 0);
	return ext_hold(node, k, want);
}

/*
 * Node's extents hold exactly its first `pages` pages, made as needed: the page cache
 * past a file's end holds nothing, so a mapping there gets SIGBUS. 0, or -ENOSPC with
 * the extents holding `keep` pages again.
 */
static int cache_hold(int node, uint64_t pages, uint64_t keep)
{
	int err = 0;
	for (unsigned k = 0; k < EXT_MAX && !err; k++) {
		uint64_t want = ext_want(k, pages);
		if (ext_slot[node][k])
			err = ext_hold(node, k, want);
		else if (want)
			err = ext_make(node, k, want);
	}
	if (err && pages > keep)
		cache_hold(node, keep, keep); /* only gives back: cannot fail */
	return err;
}

/* Let go of node's extents (its file is gone). */
static void drop_extents(int node)
{
	for (unsigned k = 0; k < EXT_MAX; k++) {
		if (!ext_slot[node][k])
			continue;
		SYSCALL(unmap, SLOT_SELF, ext_va(node, k), ext_held[node][k]);
		slot_free(ext_slot[node][k]);
		ext_slot[node][k] = 0;
		pages_used -= ext_held[node][k];
		ext_held[node][k] = 0;
	}
}

/*
 * Copy n bytes from the request buffer into a file. picolibc's memcpy is built for size
 * and moves a byte at a time (six instructions a byte); a 4 KiB write spent 25,000
 * instructions here. Words when source and destination agree modulo 8.
 */
static void copy_in(uint8_t *d, const uint8_t *s, size_t n)
{
	while (n && ((uintptr_t)d & 7)) {
		*d++ = *s++;
		n--;
	}
	if (((uintptr_t)s & 7) == 0) {
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			const uint64_t *sw = (const uint64_t *)s;
			uint64_t *dw = (uint64_t *)d;
			dw[0] = sw[0];
			dw[1] = sw[1];
			dw[2] = sw[2];
			dw[3] = sw[3];
		}
	}
	while (n--)
		*d++ = *s++;
}

/* Zero n bytes of a file: by words, for the reason copy_in gives. */
static void zero(uint8_t *d, size_t n)
{
	while (n && ((uintptr_t)d & 7)) {
		*d++ = 0;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = 0;
	while (n--)
		*d++ = 0;
}

/* The file changed: the next exec takes a fresh copy (running ones keep theirs). */
static void exec_forget(int node)
{
	if (!exec_slot[node])
		return;
	slot_free(exec_slot[node]);
	exec_slot[node] = 0;
	pages_used -= exec_pages[node];
	exec_pages[node] = 0;
}

/*
 * A file's new size. Shrinking gives back the pages wholly past the end (every mapping
 * of them loses them: SIGBUS) and zeroes the rest of the last page, so a mapping reads
 * zeros past the end, as POSIX says; growing zero-fills. 0 or -errno.
 */
static int resize(int node, uint64_t size)
{
	struct fst_node *n = &tree.n[node];
	uint64_t had = pages_of(n->size);
	if (size > FILE_SPAN)
		return -EFBIG;
	exec_forget(node);
	if (size > n->size) {
		int err = cache_hold(node, pages_of(size), had);
		if (err)
			return err;
		zero(file_va(node) + n->size, size - n->size);
	} else if (size < n->size) {
		cache_hold(node, pages_of(size), had); /* only gives back: cannot fail */
		zero(file_va(node) + size, pages_of(size) * PAGE - size);
	}
	n->size = size;
	return 0;
}

/*
 * A /boot file's bytes into the page cache, when it is opened and is not there yet: then
 * read, write, mmap and exec treat it as any other file. 0 or -errno (-EIO from the disk,
 * -EFBIG past the largest file we cache, -ENOMEM when file memory is used up).
 */
static int boot_load(int node)
{
	const struct fst_node *n = &tree.n[node];
	if (!bootfs_has(&boot, node) || n->type != FST_FILE || loaded[node])
		return 0;
	if (n->size > FILE_SPAN)
		return -EFBIG;
	if (n->size && cache_hold(node, pages_of(n->size), 0) != 0) {
		drop_extents(node);
		return -ENOMEM;
	}
	long r = n->size ? bootfs_read(&boot, node, 0, file_va(node), n->size) : 0;
	if (r != (long)n->size) {
		drop_extents(node);
		return r < 0 ? (int)r : -EIO;
	}
	loaded[node] = 1;
	return 0;
}

/* Stores through writable shared mappings of a /boot file onto the volume: 0 or -errno. */
static int boot_writeback(int node)
{
	if (!bootfs_has(&boot, node) || !loaded[node] || !mapped_wr[node] || !tree.n[node].size)
		return 0;
	long r = bootfs_write(&boot, node, 0, file_va(node), tree.n[node].size);
	return r < 0 ? (int)r : 0;
}

/* Every change to /boot on the disk (FS_SYNC, and fsync): 0 or the first -errno. */
static int boot_sync(void)
{
	int err = 0;
	for (int i = 0; i < FS_NODES; i++) {
		int e = boot_writeback(i);
		err = err ? err : e;
	}
	int e = bootfs_sync(&boot);
	return err ? err : e;
}

/*
 * A file's new size (truncate, O_TRUNC), on the volume too for a /boot file. The step
 * that can fail goes first: growing takes memory before the volume grows (and shrinks
 * back if the volume is full), shrinking asks the volume first and cannot fail after.
 */
static int set_size(int node, uint64_t size)
{
	uint64_t old = tree.n[node].size;
	int err;
	if (!bootfs_has(&boot, node))
		return resize(node, size);
	if (size > FILE_SPAN)
		return -EFBIG;
	if (!loaded[node]) {
		exec_forget(node);
		err = bootfs_truncate(&boot, node, size);
		if (!err)
			tree.n[node].size = size;
		return err;
	}
	if (size < old && (err = bootfs_truncate(&boot, node, size)) != 0)
		return err;
	if ((err = resize(node, size)) != 0)
		return err;
	if (size > old && (err = bootfs_truncate(&boot, node, size)) != 0)
		resize(node, old);
	return err;
}

/* The request's path: NUL-terminated within the message, absolute. */
static const char *path_arg(unsigned len)
{
	if (len == 0 || len > FS_PATH_MAX || memchr(buf, 0, len) == 0)
		return 0;
	return buf[0] == '/' ? buf : 0;
}

static uint64_t mode_of(const struct fst_node *n)
{
	uint32_t perm = n->readonly ? n->mode & ~0222u : n->mode;
	switch (n->type) {
	case FST_DIR:
		return S_IFDIR | perm;
	case FST_NULL:
	case FST_ZERO:
	case FST_CONSOLE:
		return S_IFCHR | 0666;
	case FST_FIFO:
		return S_IFIFO | perm;
	case FST_SYMLINK:
		return S_IFLNK | 0777;
	default:
		return S_IFREG | perm;
	}
}

/* The stat words of a node into m: w1 mode, w2 size, w3 inode, w4 links, w5 read-only. */
static void stat_words(struct ipc_msg *m, int node)
{
	const struct fst_node *n = &tree.n[node];
	m->w[1] = mode_of(n);
	m->w[2] = n->size;
	m->w[3] = (uint64_t)node + 1;
	m->w[4] = fst_nlink(&tree, node);
	m->w[5] = n->readonly;
	m->sbuf = &n->times;
	m->tag = ipc_tag(0, 0, sizeof(n->times), 0);
}

/*
 * FIFOs (mkfifo): each has a kernel pipe made at its first open (fifo_create), kept in
 * fifo_pipe[node]. We hold no end of it: each open gets a capability to one end
 * (fifo_open), so end of file and EPIPE come as for any pipe, and pipe_state tells us
 * which ends some process holds. An open that must wait for the other side (POSIX) keeps
 * its reply in fifo_waits until that side opens.
 */
#define FIFO_WAITERS 32
static long fifo_pipe[FS_NODES];
static struct fifo_wait {
	long reply; /* 0: a free entry */
	int16_t node;
	uint8_t side; /* FIFO_READ or FIFO_WRITE */
} fifo_waits[FIFO_WAITERS];

/* 1 if the opener got it; 0 if it went meanwhile (a signal, or death). */
static int fifo_answer(struct fifo_wait *w, int64_t err, long cap)
{
	/* w2, w3: the FIFO's inode number and permission bits, for the opener's fstat */
	struct ipc_msg m = { .tag = ipc_tag(0, 4, 0, cap != 0),
			     .w = { (uint64_t)err, FS_KIND_FIFO, (uint64_t)w->node + 1,
				    mode_of(&tree.n[w->node]) & 07777 },
			     .cap = (uint64_t)cap };
	int got = ipc_send((uint64_t)w->reply, &m) == 0;
	slot_free(w->reply);
	w->reply = 0;
	return got;
}

/* node's pipe, made now if it has none: its slot, or -errno. */
static long fifo_pipe_of(int node)
{
	if (fifo_pipe[node])
		return fifo_pipe[node];
	long s = slot_alloc();
	long err = s < 0 ? E_NOMEM : SYSCALL(fifo_create, SLOT_SELF, s);
	if (err) {
		slot_free(s);
		return err == E_QUOTA || err == E_NOMEM ? -ENOMEM : -ENFILE;
	}
	return fifo_pipe[node] = s;
}

/* A new capability to one end of node's pipe, in a slot of ours: the slot, or -errno. */
static long fifo_end(int node, unsigned side)
{
	long s = slot_alloc();
	if (s < 0 || SYSCALL(fifo_open, fifo_pipe[node], side, s) != 0) {
		slot_free(s);
		return -ENFILE;
	}
	return s;
}

/*
 * The opens of node waiting for this side to come get their ends (of the other side):
 * how many of them took theirs.
 */
static int fifo_wake(int node, unsigned side)
{
	int woke = 0;
	for (unsigned k = 0; k < FIFO_WAITERS; k++) {
		struct fifo_wait *w = &fifo_waits[k];
		if (!w->reply || w->node != node || w->side == side)
			continue;
		long s = fifo_end(node, w->side);
		woke += fifo_answer(w, s < 0 ? s : 0, s < 0 ? 0 : s) && s >= 0;
		slot_free(s); /* the opener has its copy */
	}
	return woke;
}

/* This open waits for the other side: its reply is kept. 0, or -ENFILE (table full). */
static int64_t fifo_park(int node, unsigned side)
{
	for (unsigned k = 0; k < FIFO_WAITERS; k++) {
		struct fifo_wait *w = &fifo_waits[k];
		if (w->reply)
			continue;
		long slot = slot_alloc();
		if (slot < 0 || SYSCALL(reply_save, slot) != 0) {
			slot_free(slot);
			return -ENFILE;
		}
		*w = (struct fifo_wait){ slot, (int16_t)node, (uint8_t)side };
		no_answer = 1;
		return 0;
	}
	return -ENFILE;
}

/*
 * FS_OPEN of a FIFO (POSIX open): the answer carries an end of its pipe, not a
 * description. Reading waits until some process opens it for writing and writing until
 * some process opens it for reading, unless O_NONBLOCK: a reader then has its end at
 * once, a writer ENXIO. O_RDWR is EINVAL (POSIX leaves it undefined). The opener's end
 * is made first and the waiting opens of the other side are answered next: none of them
 * can then see its peer missing (a reader end of file) before this open returns. The
 * other side is there if a waiting opener took its end (even one that has closed it
 * again since), or if the kernel says some process holds an end of it (pipe_state): a
 * waiting open whose opener gave up (a signal, or death) counts for nothing.
 */
static int64_t fifo_open_req(int node, uint64_t flags)
{
	if (ACCMODE(flags) == O_RDWR)
		return -EINVAL;
	unsigned side = ACCMODE(flags) == O_RDONLY ? FIFO_READ : FIFO_WRITE;
	long pipe = fifo_pipe_of(node);
	if (pipe < 0)
		return pipe;
	long s = fifo_end(node, side);
	if (s < 0)
		return s;
	/* An opener just woken counts even if it has closed its end again already. */
	int woke = fifo_wake(node, side);
	long st = SYSCALL(pipe_state, pipe);
	if (!woke && !(st & (side == FIFO_READ ? PIPE_STATE_WRITERS : PIPE_STATE_READERS)) &&
	    !(side == FIFO_READ && (flags & O_NONBLOCK))) {
		slot_free(s); /* nobody on the other side: this end closes again */
		return flags & O_NONBLOCK ? -ENXIO : fifo_park(node, side);
	}
	/*
	 * Answered here, not by the loop, which drops the capability it sent only when the
	 * next request comes: our copy would keep the end open until then (a reader would
	 * see no end of file after the last writer closed).
	 */
	struct fifo_wait now = { .reply = slot_alloc(), .node = (int16_t)node };
	if (now.reply < 0 || SYSCALL(reply_save, now.reply) != 0) {
		slot_free(now.reply);
		slot_free(s);
		return -ENFILE;
	}
	fifo_answer(&now, 0, s);
	slot_free(s);
	no_answer = 1;
	return 0;
}

/* A FIFO gone from the namespace: its pipe lives on in the ends given out. */
static void fifo_gone(int node)
{
	for (unsigned k = 0; k < FIFO_WAITERS; k++)
		if (fifo_waits[k].reply && fifo_waits[k].node == node)
			fifo_answer(&fifo_waits[k], -ENOENT, 0);
	slot_free(fifo_pipe[node]);
	fifo_pipe[node] = 0;
}

/* A node is gone (unlinked and closed): its bytes go with it. */
static void node_gone(int node)
{
	if (fifo_pipe[node])
		fifo_gone(node);
	exec_forget(node);
	drop_extents(node);
	tree.n[node].size = 0;
	loaded[node] = mapped_wr[node] = 0;
}

/*
 * A /boot file's description closed: its changes go to the disk (POSIX asks no more of
 * close, but a card is pulled without warning). The last close lets go of its pages
 * unless a writable shared mapping may still store into them.
 */
static void boot_closed(int node)
{
	boot_writeback(node);
	bootfs_sync(&boot);
	if (tree.n[node].opens == 0 && !mapped_wr[node] && loaded[node]) {
		drop_extents(node);
		loaded[node] = 0;
	}
}

static struct ofd *ofd_of(uint64_t badge)
{
	uint64_t i = FS_BADGE_INDEX(badge);
	if (i == 0 || i > FS_OFD_MAX)
		return 0;
	struct ofd *o = &ofds[i - 1];
	return o->node >= 0 && o->gen == FS_BADGE_GEN(badge) ? o : 0;
}

static int held(unsigned i)
{
	for (unsigned p = 0; p < PROC_MAX; p++)
		if (__atomic_load_n(&holders->bits[p][i / 64], __ATOMIC_RELAXED) &
		    (1UL << (i % 64)))
			return 1;
	return 0;
}

static void ofd_free(struct ofd *o)
{
	int node = o->node;
	if (fst_release(&tree, node))
		node_gone(node);
	else if (bootfs_has(&boot, node))
		boot_closed(node);
	o->node = -1;
	o->gen++;
}

/* ---- record locks (docs/files.md, "Record locks") ---- */

/* Does the request come from process proc: does it show proc's key? */
static int key_ok(uint64_t proc, uint64_t key)
{
	return proc < PROC_MAX && key &&
	       __atomic_load_n(&holders->lock_key[proc], __ATOMIC_ACQUIRE) == key;
}

static uint32_t gen_of(unsigned proc)
{
	return __atomic_load_n(&holders->lock_gen[proc], __ATOMIC_ACQUIRE);
}

static void lwait_drop(struct lock_wait *w)
{
	slot_free(w->reply); /* a kept reply nobody will answer: the caller gets E_DEAD */
	w->reply = 0;
}

/*
 * Would owner, waiting for type over start..end of node, wait for target? Each holder
 * of a conflicting range is waited for, and so is whatever that holder waits for in
 * turn (seen: the processes already followed, so a cycle elsewhere ends the walk).
 */
static int waits_for(unsigned owner, int node, int type, int64_t start, int64_t end,
		     unsigned target, uint64_t *seen)
{
	for (unsigned i = 0; i < FSL_MAX; i++) {
		const struct fsl_lock *l = &locks.l[i];
		if (l->node != node || l->owner == owner || l->start > end || start > l->end ||
		    (type != FSL_WRITE && l->type != FSL_WRITE))
			continue;
		if (l->owner == target)
			return 1;
		if (*seen & (1UL << l->owner))
			continue;
		*seen |= 1UL << l->owner;
		for (unsigned k = 0; k < FS_LOCK_WAITERS; k++) {
			const struct lock_wait *w = &lwait[k];
			if (w->reply && w->owner == l->owner && w->gen == gen_of(w->owner) &&
			    waits_for(w->owner, w->node, w->type, w->start, w->end, target, seen))
				return 1;
		}
	}
	return 0;
}

/*
 * Answer every waiting request whose range is free now, in the order they came. The
 * answer goes first and the lock is set only if it was taken: a caller that stopped
 * waiting (a signal cut its call short, or it died) is given nothing.
 */
static void lwait_wake(void)
{
	for (unsigned k = 0; k < FS_LOCK_WAITERS; k++) {
		struct lock_wait *w = &lwait[k];
		if (!w->reply)
			continue;
		if (w->gen != gen_of(w->owner)) {
			lwait_drop(w);
			continue;
		}
		if (fsl_conflict(&locks, w->node, w->owner, w->type, w->start, w->end) >= 0)
			continue;
		int err = fsl_set(&locks, w->node, w->owner, w->gen, w->type, w->start, w->end, 0);
		struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 0), .w = { (uint64_t)(int64_t)err } };
		if (ipc_send((uint64_t)w->reply, &m) == 0 && !err)
			fsl_set(&locks, w->node, w->owner, w->gen, w->type, w->start, w->end, 1);
		lwait_drop(w);
	}
}

/* Locks of processes that died since (their generation moved on) go, and waits too. */
static void locks_sweep(void)
{
	for (unsigned i = 0; i < FSL_MAX; i++)
		if (locks.l[i].node != FSL_FREE && locks.l[i].gen != gen_of(locks.l[i].owner))
			locks.l[i].node = FSL_FREE;
	lwait_wake();
}

/* Every lock proc holds on node goes (a descriptor of the file was closed). */
static void locks_release(int node, unsigned proc)
{
	fsl_release(&locks, node, proc);
	lwait_wake();
}

/* A wait for a range another process holds: proc's reply is kept. 0, or -errno. */
static int64_t lwait_add(int node, unsigned proc, int type, int64_t start, int64_t end)
{
	uint64_t seen = 0;
	if (waits_for(proc, node, type, start, end, proc, &seen))
		return -EDEADLK; /* someone it waits for waits (maybe through others) for it */
	for (unsigned k = 0; k < FS_LOCK_WAITERS; k++) {
		struct lock_wait *w = &lwait[k];
		if (w->reply)
			continue;
		long slot = slot_alloc();
		if (slot < 0 || SYSCALL(reply_save, slot) != 0) {
			slot_free(slot);
			return -ENOLCK;
		}
		*w = (struct lock_wait){
			slot, (int16_t)node, (uint8_t)proc, (uint8_t)type, gen_of(proc), start, end
		};
		no_answer = 1;
		return 0;
	}
	return -ENOLCK;
}

/* The waits of proc for exactly this lock go unanswered (its caller gave up: EINTR). A
 * thread of proc waiting for the same lock gets E_DEAD, and its C library asks again. */
static void lwait_cancel(int node, unsigned proc, int type, int64_t start, int64_t end)
{
	for (unsigned k = 0; k < FS_LOCK_WAITERS; k++) {
		struct lock_wait *w = &lwait[k];
		if (w->reply && w->node == node && w->owner == proc && w->type == type &&
		    w->start == start && w->end == end)
			lwait_drop(w);
	}
}

/* F_GETLK's answer: the first lock in the way, or F_UNLCK. */
static int64_t lock_get(struct ipc_msg *m, int node, unsigned proc, int type, int64_t start,
			int64_t end)
{
	int c = fsl_conflict(&locks, node, proc, type, start, end);
	if (c < 0) {
		m->w[1] = F_UNLCK;
		return 0;
	}
	const struct fsl_lock *l = &locks.l[c];
	m->w[1] = l->type == FSL_WRITE ? F_WRLCK : F_RDLCK;
	m->w[2] = (uint64_t)l->start;
	m->w[3] = l->end == FSL_EOF ? 0 : (uint64_t)(l->end - l->start + 1);
	m->w[4] = __atomic_load_n(&holders->lock_pid[l->owner], __ATOMIC_RELAXED);
	return 0;
}

/* The struct flock fields of a request as a range of o's file: 0 or -errno. */
static int lock_range(const struct ofd *o, const struct ipc_msg *m, int64_t *start, int64_t *end)
{
	int64_t base = m->w[2] == SEEK_SET   ? 0
		       : m->w[2] == SEEK_CUR ? (int64_t)o->off
		       : m->w[2] == SEEK_END ? (int64_t)tree.n[o->node].size
					     : -1;
	if (base < 0)
		return -EINVAL;
	return fsl_range(base, (int64_t)m->w[3], (int64_t)m->w[4], start, end);
}

/*
 * FS_LOCK: fcntl's F_GETLK, F_SETLK and F_SETLKW, and the release a close of a dup asks
 * for. Every argument is checked, then that the caller is the process it names (its key)
 * and holds this description, before anything changes.
 */
static int64_t do_lock(struct ofd *o, struct ipc_msg *m)
{
	uint64_t cmd = m->w[0], proc = m->w[5];
	int node = o->node, type = m->w[1] == F_RDLCK	? FSL_READ
				   : m->w[1] == F_WRLCK ? FSL_WRITE
				   : m->w[1] == F_UNLCK ? FSL_UNLOCK
							: 0;
	int64_t start, end;
	if (proc >= PROC_MAX)
		return -EINVAL;
	if (cmd == FS_LK_RELEASE) {
		if (!fsl_holds(&locks, node, (unsigned)proc))
			return 0;
		if (!key_ok(proc, m->w[6]))
			return -ESTALE;
		locks_release(node, (unsigned)proc);
		return 0;
	}
	if (cmd > FS_LK_CANCEL || !type || (cmd == FS_LK_GET && type == FSL_UNLOCK))
		return -EINVAL;
	int err = lock_range(o, m, &start, &end);
	if (err)
		return err;
	if (cmd != FS_LK_GET && ((type == FSL_READ && !CAN_READ(o->flags)) ||
				 (type == FSL_WRITE && !CAN_WRITE(o->flags))))
		return -EBADF;
	unsigned i = (unsigned)(o - ofds);
	if (!key_ok(proc, m->w[6]) ||
	    !(__atomic_load_n(&holders->bits[proc][i / 64], __ATOMIC_RELAXED) & (1UL << (i % 64))))
		return -ESTALE;
	if (cmd == FS_LK_GET)
		return lock_get(m, node, (unsigned)proc, type, start, end);
	if (cmd == FS_LK_CANCEL) {
		lwait_cancel(node, (unsigned)proc, type, start, end);
		return 0;
	}
	if (type != FSL_UNLOCK && fsl_conflict(&locks, node, (unsigned)proc, type, start, end) >= 0)
		return cmd == FS_LK_SET ? -EAGAIN
					: lwait_add(node, (unsigned)proc, type, start, end);
	err = fsl_set(&locks, node, (unsigned)proc, gen_of((unsigned)proc), type, start, end, 1);
	if (!err)
		lwait_wake(); /* an unlock or a downgrade may free a range someone waits for */
	return err;
}

/* The fork server cleared a dead process's row: free what nobody holds, and its locks. */
static void sweep(void)
{
	if (!__atomic_exchange_n(&holders->dirty, 0, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < FS_OFD_MAX; i++)
		if (ofds[i].node >= 0 && !held(i))
			ofd_free(&ofds[i]);
	locks_sweep();
}

static void hold(unsigned proc, unsigned i, int on)
{
	uint64_t bit = 1UL << (i % 64), *w = &holders->bits[proc][i / 64];
	if (on)
		__atomic_fetch_or(w, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(w, ~bit, __ATOMIC_RELAXED);
}

/* Which kinds of node open may give, and with which access. 0 or -errno. */
static int open_check(const struct fst_node *n, uint64_t flags)
{
	int wr = CAN_WRITE(flags) || (flags & O_TRUNC);
	if ((flags & O_DIRECTORY) && n->type != FST_DIR)
		return -ENOTDIR;
	if (n->type == FST_DIR && CAN_WRITE(flags))
		return -EISDIR;
	if (ACCMODE(flags) == O_ACCMODE)
		return -EINVAL;
	return wr && n->readonly ? -EROFS : 0;
}

/* Find or create the node open names (a new RAM file gets mode): its index or -errno. */
static int open_node(const char *path, uint64_t flags, uint64_t mode)
{
	int node, dir;
	const char *last;
	/* O_NOFOLLOW, and O_CREAT with O_EXCL (POSIX), do not follow a last-named link. */
	int excl = (flags & O_CREAT) && (flags & O_EXCL);
	int err = excl || (flags & O_NOFOLLOW) ? fst_walk_nofollow(&tree, path, &node, &dir, &last)
					       : fst_walk(&tree, path, &node, &dir, &last);
	if (err)
		return err;
	if (node >= 0 && excl)
		return -EEXIST;
	if (node >= 0 && tree.n[node].type == FST_SYMLINK)
		return -ELOOP;
	if (node >= 0)
		return node;
	if (!(flags & O_CREAT))
		return -ENOENT;
	if (fst_last_dir_only(last))
		return -EISDIR; /* "name/" would be a directory; open makes files */
	if (tree.n[dir].readonly)
		return -EROFS;
	if (bootfs_has(&boot, dir))
		node = bootfs_create(&boot, &tree, dir, last, (unsigned)strcspn(last, "/"), 0);
	else
		node = fst_add(&tree, dir, last, (unsigned)strcspn(last, "/"), FST_FILE);
	if (node >= 0 && !bootfs_has(&boot, node)) {
		tree.n[node].mode = (uint32_t)mode & 07777;
		touch(node, T_ALL);
	}
	if (node >= 0)
		touch(dir, T_MODIFY | T_CHANGE);
	return node;
}

/* FS_OPEN: w0 = flags, w2 = the caller's process index. */
static int64_t do_open(struct ipc_msg *m, const char *path)
{
	uint64_t flags = m->w[0], mode = m->w[1], proc = m->w[2];
	unsigned i = 0;
	if (proc >= PROC_MAX)
		return -EINVAL;
	while (i < FS_OFD_MAX && ofds[i].node >= 0)
		i++;
	int node = open_node(path, flags, mode);
	if (node < 0)
		return node;
	struct fst_node *n = &tree.n[node];
	int err = open_check(n, flags);
	if (err)
		return err;
	if (n->type == FST_CONSOLE) {
		m->w[1] = FS_KIND_CONSOLE;
		return 0;
	}
	if (n->type == FST_FIFO)
		return fifo_open_req(node, flags);
	if (i == FS_OFD_MAX)
		return -ENFILE;
	/* Truncated first: a /boot file is then not read in only to be thrown away. */
	if ((flags & O_TRUNC) && n->type == FST_FILE) {
		if ((err = set_size(node, 0)) != 0)
			return err;
		touch(node, T_MODIFY | T_CHANGE); /* POSIX: even when it was empty */
	}
	if ((err = boot_load(node)) != 0)
		return err;
	long s = slot_alloc();
	struct ofd *o = &ofds[i];
	if (s < 0 ||
	    SYSCALL(cap_mint, SLOT_FS_EP, s, CAP_SEND | CAP_GRANT, FS_BADGE(i, o->gen)) != 0) {
		slot_free(s);
		return -ENFILE;
	}
	o->node = (int16_t)node;
	o->flags = (uint32_t)flags;
	o->off = 0;
	o->token = token_new();
	n->opens++;
	hold((unsigned)proc, i, 1);
	undo_ofd = (int)i;
	undo_proc = (unsigned)proc;
	cap_out = s;
	m->w[2] = o->token;
	m->w[3] = FS_BADGE(i, o->gen);
	m->w[1] = n->type == FST_DIR	? FS_KIND_DIR
		  : n->type == FST_FILE ? FS_KIND_FILE
					: FS_KIND_DEV;
	return 0;
}

static int64_t walk_to(const char *path)
{
	int node;
	int err = fst_walk(&tree, path, &node, 0, 0);
	return err ? err : node;
}

/* The entry path names: a link itself, not its file (unlink and rename act on names).
 * "." and ".." and the root name directories: the node. */
static int64_t entry_of(const char *path)
{
	int node, dir;
	const char *last;
	int err = fst_walk_nofollow(&tree, path, &node, &dir, &last);
	if (err || node < 0)
		return err ? err : -ENOENT;
	int e = last ? fst_entry(&tree, dir, last, (unsigned)strcspn(last, "/")) : -1;
	return e >= 0 && fst_resolve(&tree, e) == node ? e : node;
}

/* Is the last name of path "." or ".."? (rmdir refuses them: EINVAL.) */
static int dots_last(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t i = n;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return (n - i == 1 && path[i] == '.') ||
	       (n - i == 2 && path[i] == '.' && path[i + 1] == '.');
}

static int64_t do_unlink(const char *path, int dir)
{
	if (dir && dots_last(path))
		return -EINVAL;
	int64_t entry = entry_of(path);
	int node = (int)entry;
	if (entry < 0)
		return entry;
	int parent = tree.n[entry].parent;
	int err = bootfs_has(&boot, (int)entry) ? bootfs_unlink(&boot, &tree, (int)entry, dir)
						: fst_unlink(&tree, (int)entry, dir, &node);
	if (err)
		return err;
	touch(parent, T_MODIFY | T_CHANGE);
	if (tree.n[node].type == FST_FREE)
		node_gone((int)node);
	else
		touch((int)node, T_CHANGE); /* its link count changed; still open */
	return 0;
}

/*
 * FS_MKDIR, FS_MKFIFO: a new directory or FIFO named path, with mode (FAT keeps no mode,
 * and holds no FIFO: EPERM under /boot). 0 or -errno.
 */
static int64_t make_node(const char *path, enum fst_type type, uint64_t mode)
{
	int node, dir;
	const char *last;
	int err = fst_walk_nofollow(&tree, path, &node, &dir, &last);
	if (err)
		return err;
	if (node >= 0)
		return -EEXIST;
	if (type != FST_DIR && fst_last_dir_only(last))
		return -ENOTDIR;
	if (tree.n[dir].readonly)
		return -EROFS;
	unsigned len = (unsigned)strcspn(last, "/");
	if (bootfs_has(&boot, dir) && type != FST_DIR)
		return -EPERM;
	if (bootfs_has(&boot, dir)) {
		node = bootfs_create(&boot, &tree, dir, last, len, 1);
	} else {
		node = fst_add(&tree, dir, last, len, type);
		if (node >= 0) {
			tree.n[node].mode = (uint32_t)mode & 07777;
			touch(node, T_ALL);
		}
	}
	if (node < 0)
		return node;
	touch(dir, T_MODIFY | T_CHANGE);
	return 0;
}

/*
 * FS_CHMOD, FS_FCHMOD: a RAM file's or directory's permission bits. /bin is read-only
 * (EROFS); FAT keeps no modes and the devices have fixed ones (EPERM, as Linux's vfat).
 */
static int64_t do_chmod(int node, uint64_t mode)
{
	struct fst_node *n = &tree.n[node];
	if (mode & ~(uint64_t)07777)
		return -EINVAL;
	if (n->readonly)
		return -EROFS;
	/* A FIFO keeps its mode like a file (docs/files.md); symbolic links were followed. */
	if (bootfs_has(&boot, node) ||
	    (n->type != FST_FILE && n->type != FST_DIR && n->type != FST_FIFO))
		return -EPERM;
	n->mode = (uint32_t)mode;
	touch(node, T_CHANGE);
	return 0;
}

/* A utimes word pair's nanoseconds: a time, or UTIME_NOW, or UTIME_OMIT. */
static int nsec_ok(int64_t ns)
{
	return (ns >= 0 && ns < NS_PER_S) || ns == FS_UTIME_NOW || ns == FS_UTIME_OMIT;
}

/*
 * FS_UTIMES, FS_FUTIMES: w0, w1 = the access time, w2, w3 = the modification time, a
 * nanosecond word may say now or leave it. The status change time moves unless both are
 * left (POSIX). Everyone is root, so any time may be set; /bin and /dev are read-only.
 */
static int64_t do_utimes(int node, const struct ipc_msg *m)
{
	struct fst_node *n = &tree.n[node];
	int64_t an = (int64_t)m->w[1], mn = (int64_t)m->w[3];
	if (!nsec_ok(an) || !nsec_ok(mn))
		return -EINVAL;
	if (n->readonly)
		return -EROFS;
	if (an == FS_UTIME_OMIT && mn == FS_UTIME_OMIT)
		return 0;
	struct fs_ts now = clock_now();
	struct fs_times *t = &n->times;
	if (an != FS_UTIME_OMIT)
		t->atim = an == FS_UTIME_NOW ? now : (struct fs_ts){ (int64_t)m->w[0], an };
	if (mn != FS_UTIME_OMIT)
		t->mtim = mn == FS_UTIME_NOW ? now : (struct fs_ts){ (int64_t)m->w[2], mn };
	t->ctim = now;
	return bootfs_set_times(&boot, &tree, node, an != FS_UTIME_OMIT ? &t->atim.sec : 0,
				mn != FS_UTIME_OMIT ? &t->mtim.sec : 0);
}

/* FS_RENAME: buffer = old \0 new \0. */
static int64_t do_rename(unsigned len)
{
	size_t a = strlen(buf);
	if (a + 1 >= len || memchr(buf + a + 1, 0, len - a - 1) == 0 || buf[a + 1] != '/')
		return -EINVAL;
	if (dots_last(buf) || dots_last(buf + a + 1))
		return -EINVAL; /* POSIX: a last "." or ".." on either side */
	int64_t entry = entry_of(buf);
	int to, dir, replaced;
	const char *last;
	if (entry < 0)
		return entry;
	int64_t node = fst_resolve(&tree, (int)entry);
	int err = fst_walk_nofollow(&tree, buf + a + 1, &to, &dir, &last);
	if (err)
		return err;
	if (!last || (boot.root >= 0 && (to == boot.root || node == boot.root)))
		return -EBUSY; /* onto the root, or onto a mount point */
	if (to < 0 && tree.n[node].type != FST_DIR && fst_last_dir_only(last))
		return -ENOTDIR; /* a file cannot take a name "new/" */
	unsigned nlen = (unsigned)strcspn(last, "/");
	if (bootfs_has(&boot, (int)node) != bootfs_has(&boot, dir))
		return -EXDEV; /* between /boot's disk and memory */
	int from = tree.n[entry].parent;
	if (bootfs_has(&boot, (int)node))
		err = to == node
			      ? 0
			      : bootfs_rename(&boot, &tree, (int)node, dir, last, nlen, &replaced);
	else
		err = fst_rename(&tree, (int)entry, dir, last, nlen, &replaced);
	if (!err && replaced >= 0 && tree.n[replaced].type == FST_FREE)
		node_gone(replaced);
	else if (!err && replaced >= 0)
		touch(replaced, T_CHANGE);
	if (!err && to != node) {
		touch(from, T_MODIFY | T_CHANGE);
		touch(dir, T_MODIFY | T_CHANGE);
		touch((int)node, T_CHANGE);
	}
	return err;
}

/* FS_SYMLINK: buffer = target \0 path \0; a symbolic link at path (RAM only). */
static int64_t do_symlink(unsigned len)
{
	size_t a = strlen(buf);
	if (a + 1 >= len || memchr(buf + a + 1, 0, len - a - 1) == 0 || buf[a + 1] != '/')
		return -EINVAL;
	int node, dir;
	const char *last;
	int err = fst_walk_nofollow(&tree, buf + a + 1, &node, &dir, &last);
	if (err)
		return err;
	if (node >= 0 || !last)
		return -EEXIST;
	if (fst_last_dir_only(last))
		return -ENOTDIR; /* a link is not a directory */
	if (tree.n[dir].readonly)
		return -EROFS;
	if (bootfs_has(&boot, dir))
		return -EPERM; /* FAT holds no links */
	node = fst_symlink(&tree, dir, last, (unsigned)strcspn(last, "/"), buf);
	if (node < 0)
		return node;
	touch(node, T_ALL);
	touch(dir, T_MODIFY | T_CHANGE);
	return 0;
}

/* FS_READLINK: the text of the link path names, in the answer's buffer. */
static int64_t do_readlink(struct ipc_msg *m, const char *path)
{
	int node;
	int err = fst_walk_nofollow(&tree, path, &node, 0, 0);
	if (err)
		return err;
	if (tree.n[node].type != FST_SYMLINK || !tree.text[node])
		return -EINVAL;
	touch_read(node);
	m->sbuf = tree.text[node];
	m->tag = ipc_tag(0, 0, (unsigned)tree.n[node].size, 0);
	return (int64_t)tree.n[node].size;
}

/* FS_LINK: buffer = existing \0 new \0; a further name of a RAM file or FIFO. */
static int64_t do_link(unsigned len)
{
	size_t a = strlen(buf);
	if (a + 1 >= len || memchr(buf + a + 1, 0, len - a - 1) == 0 || buf[a + 1] != '/')
		return -EINVAL;
	int64_t node = walk_to(buf);
	int to, dir;
	const char *last;
	if (node < 0)
		return node;
	int err = fst_walk_nofollow(&tree, buf + a + 1, &to, &dir, &last);
	if (err)
		return err;
	if (to >= 0 || !last)
		return -EEXIST;
	if (fst_last_dir_only(last))
		return -ENOTDIR; /* a further name of a file or FIFO cannot be "new/" */
	if (bootfs_has(&boot, (int)node) || bootfs_has(&boot, dir))
		return bootfs_has(&boot, (int)node) && bootfs_has(&boot, dir) ? -EPERM : -EXDEV;
	if (tree.n[node].readonly)
		return -EXDEV; /* /bin is the boot archive's own file system */
	err = fst_link(&tree, (int)node, dir, last, (unsigned)strcspn(last, "/"));
	if (err < 0)
		return err;
	touch(dir, T_MODIFY | T_CHANGE);
	touch((int)node, T_CHANGE);
	return 0;
}

static int64_t do_truncate(int node, uint64_t len)
{
	const struct fst_node *n = &tree.n[node];
	if ((int64_t)len < 0)
		return -EINVAL;
	if (n->type == FST_DIR)
		return -EISDIR;
	if (n->readonly)
		return -EROFS;
	if (n->type != FST_FILE || len == n->size)
		return 0; /* POSIX moves the times only when the size changes */
	int err = set_size(node, len);
	if (!err)
		touch(node, T_MODIFY | T_CHANGE);
	return err;
}

/* FS_READ: the bytes go back in the reply's buffer. */
static int64_t do_read(struct ofd *o, struct ipc_msg *m)
{
	const struct fst_node *n = &tree.n[o->node];
	uint64_t want = m->w[0] < FS_IO_MAX ? m->w[0] : FS_IO_MAX;
	uint64_t off = m->w[1] == (uint64_t)-1 ? o->off : m->w[1];
	if (!CAN_READ(o->flags))
		return -EBADF;
	if (n->type == FST_DIR)
		return -EISDIR;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (n->type == FST_ZERO) {
		m->sbuf = zeros;
		return (int64_t)want;
	}
	uint64_t got = off < n->size ? n->size - off : 0;
	got = got < want ? got : want;
	if (n->type == FST_FILE)
		m->sbuf = file_va(o->node) + off;
	else if (n->type == FST_BIN)
		m->sbuf = archive.base + n->data + off;
	if (m->w[1] == (uint64_t)-1)
		o->off = off + got;
	if (got && n->type == FST_FILE)
		touch_read(o->node);
	return (int64_t)got;
}

/* FS_WRITE: as much as fits, from the request's buffer. */
static int64_t do_write(struct ofd *o, struct ipc_msg *m, unsigned len)
{
	struct fst_node *n = &tree.n[o->node];
	uint64_t off = m->w[0] == (uint64_t)-1 ? o->off : m->w[0];
	if (!CAN_WRITE(o->flags))
		return -EBADF;
	if (n->type != FST_FILE)
		return n->type == FST_NULL || n->type == FST_ZERO ? (int64_t)len : -EINVAL;
	if ((o->flags & O_APPEND) && m->w[0] == (uint64_t)-1)
		off = n->size;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (off >= FILE_SPAN)
		return -EFBIG;
	if (off + len > FILE_SPAN)
		len = (unsigned)(FILE_SPAN - off);
	/* Grow page by page: a write that runs out of memory still writes what fits. */
	uint64_t end = off + len;
	uint64_t had = pages_of(n->size);
	while (end > off && pages_of(end) > had && cache_hold(o->node, pages_of(end), had) != 0)
		end = (end - 1) & ~(PAGE - 1);
	if (end <= off)
		return -ENOSPC;
	if (bootfs_has(&boot, o->node)) { /* the volume first: it may take less, or fail */
		long w = bootfs_write(&boot, o->node, off, buf, end - off);
		if (w <= 0)
			return w < 0 ? w : -ENOSPC;
		end = off + (uint64_t)w;
	}
	exec_forget(o->node);
	if (off > n->size)
		zero(file_va(o->node) + n->size, off - n->size);
	copy_in(file_va(o->node) + off, (const uint8_t *)buf, end - off);
	if (end > n->size)
		n->size = end;
	touch(o->node, T_MODIFY | T_CHANGE);
	if (m->w[0] == (uint64_t)-1)
		o->off = end;
	return (int64_t)(end - off);
}

static int64_t do_seek(struct ofd *o, int64_t off, uint64_t whence)
{
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)o->off
		       : whence == SEEK_END ? (int64_t)tree.n[o->node].size
					    : -1;
	if (base < 0)
		return -EINVAL; /* whence */
	if (off > 0 && base > INT64_MAX - off)
		return -EOVERFLOW; /* past what off_t holds (POSIX) */
	if (base + off < 0)
		return -EINVAL;
	o->off = (uint64_t)(base + off);
	return (int64_t)o->off;
}

static int64_t do_readdir(struct ofd *o, struct ipc_msg *m)
{
	if (tree.n[o->node].type != FST_DIR)
		return -ENOTDIR;
	int c = m->w[0] < FS_NODES ? fst_child_from(&tree, o->node, (unsigned)m->w[0]) : -1;
	if (m->w[0] == 0)
		touch_read(o->node); /* a listing from its start reads the directory */
	if (c < 0)
		return 0;
	int node = fst_resolve(&tree, c); /* a link: its own name, its file's inode and mode */
	m->sbuf = tree.n[c].name;
	m->tag = ipc_tag(0, 0, (unsigned)strlen(tree.n[c].name) + 1, 0);
	m->w[1] = (uint64_t)node + 1;
	m->w[2] = mode_of(&tree.n[node]);
	m->w[3] = (uint64_t)c + 1; /* the cursor after it (fst_child_from) */
	return 1;
}

/* FS_GETPATH: the path the description's node has now, in the answer's buffer. */
static int64_t do_getpath(struct ofd *o, struct ipc_msg *m)
{
	static char path[FS_PATH_MAX];
	int len = fst_path(&tree, o->node, path, sizeof(path));
	if (len < 0)
		return len;
	m->sbuf = path;
	m->tag = ipc_tag(0, 0, (unsigned)len + 1, 0);
	return len;
}

/*
 * A mapping shows whole pages: the bytes past the end of the file in its last page must
 * read as zeros, and stores there through an earlier mapping never reach the file
 * (POSIX). They are cleared whenever a mapping of that page is handed out.
 */
static void map_tail_clean(int node, unsigned k)
{
	uint64_t size = tree.n[node].size, last = size / PAGE;
	if (size % PAGE && last >= ext_first(k) && last < ext_first(k) + ext_pages(k))
		zero(file_va(node) + size, PAGE - size % PAGE);
}

/* FS_MAP: the object holding file page w0, for the client to map itself. */
static int64_t do_map(struct ofd *o, struct ipc_msg *m)
{
	const struct fst_node *n = &tree.n[o->node];
	uint64_t p = m->w[0];
	int wr = m->w[1] != 0;
	if (!CAN_READ(o->flags) || (wr && !CAN_WRITE(o->flags)))
		return -EACCES;
	if (n->type != FST_FILE && n->type != FST_BIN)
		return -ENODEV;
	if (p >= FS_FILE_PAGES)
		return -EINVAL;
	long s = slot_alloc();
	if (s < 0)
		return -ENOMEM;
	long err;
	if (n->type == FST_BIN) {
		err = SYSCALL(cap_copy, SLOT_ARCHIVE, s, CAP_READ | CAP_EXEC | CAP_GRANT);
		m->w[1] = 0;
		m->w[2] = (n->size + PAGE - 1) / PAGE;
		m->w[3] = n->data / PAGE;
	} else {
		/* Past the end the extent is made holding nothing: those pages give SIGBUS. */
		unsigned k = ext_of(p);
		if (wr && bootfs_has(&boot, o->node))
			mapped_wr[o->node] = 1;
		err = !ext_slot[o->node][k] && ext_make(o->node, k, ext_want(k, pages_of(n->size)))
			      ? E_NOMEM
			      : SYSCALL(cap_copy, ext_slot[o->node][k], s,
					CAP_READ | CAP_EXEC | CAP_GRANT | (wr ? CAP_WRITE : 0));
		m->w[1] = ext_first(k);
		m->w[2] = ext_pages(k);
		m->w[3] = 0;
		if (!err)
			map_tail_clean(o->node, k);
	}
	if (err) {
		slot_free(s);
		return -ENOMEM;
	}
	touch_read(o->node); /* POSIX: a mapping marks the access time, as a read does */
	cap_out = s;
	return 0;
}

/* The file's bytes copied into a new object of its own. */
static long exec_make(int node)
{
	uint64_t size = tree.n[node].size, pages = (size + PAGE - 1) / PAGE;
	long s = pages_used + pages <= pages_limit ? slot_alloc() : -1;
	long err = s < 0 ? E_NOMEM : SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, s, pages);
	if (!err)
		err = SYSCALL(map, SLOT_SELF, s, EXEC_VA, 0, pages,
			      MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (err) {
		slot_free(s);
		return -ENOMEM;
	}
	copy_in((uint8_t *)EXEC_VA, file_va(node), size);
	SYSCALL(unmap, SLOT_SELF, EXEC_VA, pages);
	exec_slot[node] = (int16_t)s;
	exec_pages[node] = pages;
	pages_used += pages;
	return 0;
}

/*
 * FS_EXEC: the file as one read-only memory object, for the loader (through the fork
 * server). The object is kept until the file changes, so every process running the file
 * maps the same frames, as programs of the archive do.
 */
static int64_t do_exec_obj(struct ofd *o, struct ipc_msg *m)
{
	const struct fst_node *n = &tree.n[o->node];
	if (!CAN_READ(o->flags) || n->type != FST_FILE)
		return n->type == FST_DIR ? -EISDIR : -EACCES;
	if (n->size == 0 || n->size > FS_EXEC_PAGES * PAGE)
		return -ENOEXEC;
	long s = slot_alloc();
	if (s < 0 || (!exec_slot[o->node] && exec_make(o->node) != 0) ||
	    SYSCALL(cap_copy, exec_slot[o->node], s, CAP_READ | CAP_EXEC | CAP_GRANT) != 0) {
		slot_free(s);
		return -ENOMEM;
	}
	cap_out = s;
	m->w[1] = n->size;
	return 0;
}

/* FS_CLOSE: the caller's process no longer holds it; freed once no process does. */
static int64_t do_close(struct ofd *o, uint64_t proc, uint64_t key)
{
	unsigned i = (unsigned)(o - ofds);
	if (proc >= PROC_MAX)
		return -EINVAL;
	if (fsl_holds(&locks, o->node, (unsigned)proc)) {
		if (!key_ok(proc, key))
			return -ESTALE; /* show the key: only the process may drop its locks */
		locks_release(o->node, (unsigned)proc);
	}
	hold((unsigned)proc, i, 0);
	if (!held(i))
		ofd_free(o);
	return 0;
}

/* Which file system holds node: /boot's volume, /bin's archive, /dev's devices (not
 * /dev/shm, a RAM directory), or the RAM file system with everything else. */
static enum fs_fsid fs_of(int node)
{
	if (boot.root >= 0 && fst_is_within(&tree, node, boot.root))
		return FS_FSID_BOOT;
	if (fst_is_within(&tree, node, bin_dir))
		return FS_FSID_BIN;
	if (fst_is_within(&tree, node, dev_dir) && !fst_is_within(&tree, node, shm_dir))
		return FS_FSID_DEV;
	return FS_FSID_RAM;
}

/* Nodes of the tree: all of them and the free ones (a file system's f_files, f_ffree). */
static uint64_t nodes_free(void)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < FS_NODES; i++)
		n += tree.n[i].type == FST_FREE;
	return n;
}

/* Nodes and pages under dir (read-only trees: /bin, /dev less /dev/shm). */
static void count_under(int dir, uint64_t *nodes, uint64_t *pages)
{
	*nodes = *pages = 0;
	for (unsigned i = 0; i < FS_NODES; i++)
		if (tree.n[i].type != FST_FREE && fs_of((int)i) == fs_of(dir)) {
			++*nodes;
			*pages += pages_of(tree.n[i].size);
		}
}

/* Pages a file write could still take: our budget, and no more than the free frames. */
static uint64_t ram_pages_free(void)
{
	struct memstat st;
	uint64_t left = pages_limit - pages_used;
	if (SYSCALL(memstat, SLOT_SELF, &st) == 0 && st.free_frames < left)
		left = st.free_frames;
	return left;
}

/*
 * FS_STATVFS, FS_FSTATVFS: what the file system holding node has and has left, truthfully:
 * RAM pages and table nodes, the archive (full, read-only), the devices (no space), the
 * FAT volume's clusters (counted in its FAT) with our table's nodes for names.
 */
static int64_t do_statvfs(struct ipc_msg *m, int node)
{
	static struct fs_statvfs v;
	enum fs_fsid id = fs_of(node);
	v = (struct fs_statvfs){ .bsize = PAGE,
				 .frsize = PAGE,
				 .fsid = id,
				 .namemax = FS_NAME_MAX,
				 .flag = FS_VFS_NOSUID };
	if (id == FS_FSID_BOOT) {
		long freec = fat_free_clusters(boot.vol);
		if (freec < 0)
			return -EIO;
		v.bsize = v.frsize = boot.vol->cluster_bytes;
		v.blocks = boot.vol->clusters;
		v.bfree = v.bavail = (uint64_t)freec;
	} else if (id == FS_FSID_RAM) {
		v.blocks = pages_limit;
		v.bfree = v.bavail = ram_pages_free();
	} else {
		count_under(id == FS_FSID_BIN ? bin_dir : dev_dir, &v.files, &v.blocks);
		v.flag |= FS_VFS_RDONLY;
		if (id == FS_FSID_DEV)
			v.blocks = 0;
	}
	if (id == FS_FSID_BOOT || id == FS_FSID_RAM) {
		v.files = FS_NODES;
		v.ffree = v.favail = nodes_free();
	}
	m->sbuf = &v;
	m->tag = ipc_tag(0, 0, sizeof(v), 0);
	return 0;
}

/* A request on a description's capability. */
static int64_t serve_ofd(struct ofd *o, struct ipc_msg *m, uint64_t label, unsigned len)
{
	switch (label) {
	case FS_READ:
		return do_read(o, m);
	case FS_WRITE:
		return do_write(o, m, len);
	case FS_SEEK:
		return do_seek(o, (int64_t)m->w[0], m->w[1]);
	case FS_FTRUNCATE:
		return CAN_WRITE(o->flags) ? do_truncate(o->node, m->w[0]) : -EINVAL;
	case FS_FSTAT:
		stat_words(m, o->node);
		return 0;
	case FS_READDIR:
		return do_readdir(o, m);
	case FS_CLOSE:
		return do_close(o, m->w[0], m->w[1]);
	case FS_GETFL:
		return o->flags;
	case FS_SETFL: {
		/* The status flags a description keeps; O_NONBLOCK changes nothing for a file,
		 * which never blocks, but F_GETFL shows it, as POSIX asks. */
		const uint32_t status = O_APPEND | O_NONBLOCK;
		o->flags = (o->flags & ~status) | ((uint32_t)m->w[0] & status);
		return 0;
	}
	case FS_MAP:
		return do_map(o, m);
	case FS_FSYNC: {
		int err = boot_writeback(o->node);
		int e = bootfs_sync(&boot);
		return err ? err : e;
	}
	case FS_EXEC:
		return do_exec_obj(o, m);
	case FS_FCHMOD:
		return do_chmod(o->node, m->w[0]);
	case FS_GETPATH:
		return do_getpath(o, m);
	case FS_FUTIMES:
		return do_utimes(o->node, m);
	case FS_LOCK:
		return do_lock(o, m);
	case FS_FSTATVFS:
		return do_statvfs(m, o->node);
	default:
		return -ENOSYS;
	}
}

/*
 * FS_REOPEN: a new capability to a description whose token the caller shows; the
 * process it says it is now holds it (exec keeps open files so: docs/files.md).
 */
static int64_t do_reopen(struct ipc_msg *m)
{
	struct ofd *o = ofd_of(m->w[0]);
	uint64_t proc = m->w[2];
	if (!o || o->token != m->w[1])
		return -EBADF;
	if (proc >= PROC_MAX)
		return -EINVAL;
	long s = slot_alloc();
	if (s < 0 || SYSCALL(cap_mint, SLOT_FS_EP, s, CAP_SEND | CAP_GRANT, m->w[0]) != 0) {
		slot_free(s);
		return -ENFILE;
	}
	hold((unsigned)proc, (unsigned)(o - ofds), 1);
	undo_ofd = (int)(o - ofds);
	undo_proc = (unsigned)proc;
	cap_out = s;
	const struct fst_node *n = &tree.n[o->node];
	m->w[1] = n->type == FST_DIR	? FS_KIND_DIR
		  : n->type == FST_FILE ? FS_KIND_FILE
					: FS_KIND_DEV;
	m->w[2] = (uint64_t)fsl_holds(&locks, o->node, (unsigned)proc); /* locks survive exec */
	return 0;
}

/* A request on SLOT_FS: it names a path. */
static int64_t serve_path(struct ipc_msg *m, uint64_t label, unsigned len)
{
	if (label == FS_RENAME)
		return do_rename(len);
	if (label == FS_LINK)
		return do_link(len);
	if (label == FS_SYMLINK)
		return do_symlink(len);
	if (label == FS_REOPEN)
		return do_reopen(m);
	if (label == FS_SYNC)
		return boot_sync();
	if (label == FS_SWEEP)
		return 0; /* the sweep ran before this request */
	if ((label < FS_OPEN || label > FS_TRUNCATE) && label != FS_CHMOD && label != FS_UTIMES &&
	    label != FS_STATVFS && label != FS_MKFIFO && label != FS_READLINK && label != FS_LSTAT)
		return -ENOSYS;
	const char *path = path_arg(len);
	if (!path)
		return len > FS_PATH_MAX ? -ENAMETOOLONG : -EINVAL;
	int64_t node;
	switch (label) {
	case FS_OPEN:
		return do_open(m, path);
	case FS_STAT:
		node = walk_to(path);
		if (node >= 0)
			stat_words(m, (int)node);
		return node < 0 ? node : 0;
	case FS_LSTAT: {
		int n;
		int err = fst_walk_nofollow(&tree, path, &n, 0, 0);
		if (!err)
			stat_words(m, n);
		return err;
	}
	case FS_READLINK:
		return do_readlink(m, path);
	case FS_UNLINK:
		return do_unlink(path, 0);
	case FS_RMDIR:
		return do_unlink(path, 1);
	case FS_MKDIR:
		return make_node(path, FST_DIR, m->w[1]);
	case FS_MKFIFO:
		return make_node(path, FST_FIFO, m->w[1]);
	case FS_TRUNCATE:
		node = walk_to(path);
		return node < 0 ? node : do_truncate((int)node, m->w[0]);
	case FS_CHMOD:
		node = walk_to(path);
		return node < 0 ? node : do_chmod((int)node, m->w[1]);
	case FS_UTIMES:
		node = walk_to(path);
		return node < 0 ? node : do_utimes((int)node, m);
	case FS_STATVFS:
		node = walk_to(path);
		return node < 0 ? node : do_statvfs(m, (int)node);
	default:
		return -ENOSYS;
	}
}

static void serve(struct ipc_msg *m)
{
	uint64_t label = ipc_tag_label(m->tag);
	unsigned len = ipc_tag_len(m->tag);
	int64_t r;
	m->tag = ipc_tag(0, 0, 0, 0);
	m->sbuf = 0;
	if (!boot_stamped)
		stamp_start();
	if (boot.root >= 0)
		boot.vol->now = clock_now().sec; /* what FAT stamps a write or a new name with */
	if (m->badge == 0) {
		r = serve_path(m, label, len);
	} else {
		struct ofd *o = ofd_of(m->badge);
		r = o ? serve_ofd(o, m, label, len) : -EBADF;
	}
	unsigned out = ipc_tag_len(m->tag);
	if (m->sbuf && label == FS_READ && r > 0)
		out = (unsigned)r;
	m->tag = ipc_tag(0, 6, m->sbuf ? out : 0, cap_out != 0);
	m->w[0] = (uint64_t)r;
	m->cap = (uint64_t)cap_out;
}

/* /dir/name as a node of type t: its index (the table has room at start). */
static int add(int dir, const char *name, enum fst_type t, int readonly)
{
	int n = fst_add(&tree, dir, name, (unsigned)strlen(name), t);
	if (n >= 0)
		tree.n[n].readonly = (uint8_t)readonly;
	return n;
}

/* /bin: one node per archive program, its bytes where the archive has them. */
static void add_bin(int bin)
{
	const struct archive_header *h = (const void *)archive.base;
	const struct archive_entry *e = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->count; i++) {
		char name[FS_NAME_MAX + 1];
		memcpy(name, e[i].name, sizeof(name) - 1);
		name[FS_NAME_MAX] = 0;
		int n = add(bin, name, FST_BIN, 1);
		if (n >= 0) {
			tree.n[n].data = e[i].offset;
			tree.n[n].size = e[i].size;
			tree.n[n].mode = 0755;
		}
	}
}

/*
 * Everything this server will ever need for its own bookkeeping, made now: our tables
 * touched, the page-table levels above file_va built, the capability-space chunks made.
 * Later requests then take frames only for file data, which go back when the files do,
 * and memory pressure cannot stop the server.
 */
static void prepare(void)
{
	struct memstat st;
	memset(ext_slot, 0, sizeof(ext_slot));
	memset(ext_held, 0, sizeof(ext_held));
	memset(exec_slot, 0, sizeof(exec_slot));
	memset(exec_pages, 0, sizeof(exec_pages));
	if (SYSCALL(map_anon, SLOT_SELF, EXEC_VA, 1, MAP_PROT_READ) == 0)
		SYSCALL(unmap, SLOT_SELF, EXEC_VA, 1);
	memset(buf, 0, sizeof(buf));
	for (unsigned i = 0; i < FS_OFD_MAX; i++)
		ofds[i].node = -1;
	for (uint64_t va = FILE_VA; va < FILE_VA + FS_NODES * FILE_SPAN; va += GIB)
		if (SYSCALL(map_anon, SLOT_SELF, va, 1, MAP_PROT_READ) == 0)
			SYSCALL(unmap, SLOT_SELF, va, 1);
	for (long s = SLOT_FIRST_FREE; s < CSPACE_SLOTS; s += SLOT_PROBE)
		if (SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, s, 0) == 0)
			SYSCALL(cap_delete, s);
	struct sysinfo si = { 0 };
	timebase_hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	SYSCALL(memstat, SLOT_SELF, &st);
	pages_limit = st.free_frames / 4 < DATA_PAGES_MAX ? st.free_frames / 4 : DATA_PAGES_MAX;
}

/* The answer could not be sent (the kernel refused it, e.g. the caller would take no
 * capability): the caller still waits, so it gets a plain -EIO instead, and an open that
 * answer would have completed is undone. */
static void answer_failed(void)
{
	struct ipc_msg m = { 0 };
	if (undo_ofd >= 0) {
		hold(undo_proc, (unsigned)undo_ofd, 0);
		if (!held((unsigned)undo_ofd))
			ofd_free(&ofds[undo_ofd]);
	}
	m.tag = ipc_tag(0, 1, 0, 0);
	m.w[0] = (uint64_t)-EIO;
	ipc_reply(&m);
}

/* One line on the console, without the C library's descriptors (we serve those). */
static void say(const char *what, int err)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "fs: %s (%d)\n", what, err);
	SYSCALL(debug_write, line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
}

/*
 * /boot, when a disk holds a FAT volume: mounted, its names added to the tree. With no
 * disk (or "noboot" from init, for fatfs to have the disk) there is no /boot at all; a
 * disk we cannot mount is said on the console, and there is no /boot either.
 */
static void mount_boot(int argc, char **argv)
{
	boot.root = -1;
	if (argc > 1 && strcmp(argv[1], "noboot") == 0)
		return;
	int err = fatmount_start(&boot_mount, "0", BOOT_CACHE_SECTORS);
	int node = err ? err : add(FST_ROOT, "boot", FST_DIR, 0);
	if (node >= 0)
		bootfs_attach(&boot, &tree, node, &boot_mount.vol);
	else if (!err)
		fatmount_stop(&boot_mount);
	if (err && err != -ENODEV)
		say("no /boot: the disk's FAT volume cannot be mounted", err);
}

/*
 * A process that held record locks died: the fork server sets the holders page's dirty
 * word and wakes this thread, which sends us a request, so the sweep that drops its
 * locks (and answers whoever waited for them) runs now, not at some later request.
 */
static void sweeper(void *arg)
{
	(void)arg;
	for (;;) {
		struct ipc_msg m = { .tag = ipc_tag(FS_SWEEP, 0, 0, 0) };
		SYSCALL(futex_wait, (uintptr_t)&holders->dirty, 0, FUTEX_FOREVER);
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		ipc_call(SLOT_FS_EP, &m);
	}
}

int main(int argc, char **argv)
{
	own_data_pages();
	own_stack_pages(SERVER_STACK_OWNED);
	fst_init(&tree);
	fsl_init(&locks);
	prepare();
	if (archive_open(&archive) != 0)
		return 1;
	bin_dir = add(FST_ROOT, "bin", FST_DIR, 1);
	add_bin(bin_dir);
	int dev = dev_dir = add(FST_ROOT, "dev", FST_DIR, 1);
	add(dev, "console", FST_CONSOLE, 0);
	add(dev, "tty", FST_CONSOLE, 0);
	add(dev, "null", FST_NULL, 0);
	add(dev, "zero", FST_ZERO, 0);
	shm_dir = add(dev, "shm", FST_DIR, 0);
	add(FST_ROOT, "tmp", FST_DIR, 0);
	tree.n[fst_walk(&tree, "/tmp", &dev, 0, 0) == 0 ? dev : 0].mode = 01777;
	mount_boot(argc, argv);
	thread_t sweep_thread;
	if (thread_create(&sweep_thread, sweeper, 0) != 0)
		say("no sweeper thread: a dead process's locks go at the next request", -errno);
	struct ipc_msg m = { 0 };
	int answering = 0;
	for (;;) {
		m.rbuf = buf;
		m.rspec = ipc_recv_spec(IPC_BUF_MAX, IPC_RECV_SLOT_NONE);
		long err = answering ? ipc_reply_recv(SLOT_FS_EP, &m) : ipc_recv(SLOT_FS_EP, &m);
		if (err && answering)
			answer_failed();
		undo_ofd = -1;
		if (cap_out) {
			slot_free(cap_out);
			cap_out = 0;
		}
		answering = err == 0;
		if (!answering)
			continue;
		sweep();
		serve(&m);
		if (no_answer) /* its reply is kept (a lock wait): answer nothing now */
			answering = no_answer = 0;
	}
}
