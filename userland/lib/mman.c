/*
 * mmap, munmap, mprotect and memstat. Private anonymous memory is fresh pages
 * (copy-on-write across fork like any private page); shared anonymous memory is a memory
 * object mapped shared, so a forked child sees the same frames. Addresses without
 * MAP_FIXED come from a region that grows up from USER_MMAP_BASE.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fd.h"
#include "fs.h"
#include "pthread_impl.h"
#include "rlimit.h"
#include "taskspawn.h"
#include "syscall.h"

#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC)

static uintptr_t mmap_next = USER_MMAP_BASE;

static int to_errno(long err)
{
	switch (err) {
	case E_NOMEM:
	case E_QUOTA:
	case E_FAULT:
		return ENOMEM;
	case E_RIGHTS:
		return EACCES;
	case E_BUSY:
		return EEXIST;
	default:
		return EINVAL;
	}
}

static void *fail(long err)
{
	errno = to_errno(err);
	return MAP_FAILED;
}

/* A shared anonymous object: created, mapped, and our capability dropped again. */
static long map_shared(uintptr_t va, size_t pages, int prot)
{
	long slot = slot_alloc();
	long err = slot < 0 ? E_RANGE : SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, slot, pages);
	if (!err)
		err = SYSCALL(map, SLOT_SELF, slot, va, 0, pages, (unsigned)prot | MAP_KIND_SHARED);
	slot_free(slot);
	return err;
}

/*
 * Map pages [first, first + pages) of the open file f at va. The file server hands over
 * the memory object holding each run of pages (the page cache: the same frames read and
 * write use), and we map it: shared, or write-copy for MAP_PRIVATE, where the first store
 * copies the page through the kernel's copy-on-write path. -errno on failure, with
 * nothing left mapped.
 */
static int map_file(struct ofile *f, uintptr_t va, uint64_t first, size_t pages, int prot,
		    int shared)
{
	/* A shared mapping of a read-write description may be made writable later (mprotect,
	 * POSIX): the object comes with the write right whatever prot is now. */
	int writes = shared && ((prot & PROT_WRITE) || (f->flags & O_ACCMODE) == O_RDWR);
	uint64_t p = first, end = first + pages;
	long slot = slot_alloc();
	if (slot < 0)
		return -EMFILE;
	while (p < end) {
		struct ipc_msg m = { 0 };
		m.w[0] = p;
		m.w[1] = writes;
		m.rspec = ipc_recv_spec(0, (unsigned)slot);
		m.tag = ipc_tag(FS_MAP, 2, 0, 0);
		m.cap = 0;
		int64_t r = ipc_call((uint64_t)f->cap, &m) ? -EIO : (int64_t)m.w[0];
		uint64_t from = m.w[1], n = m.w[2], obj = m.w[3];
		if (r == 0 && (p < from || p >= from + n))
			r = -EIO;
		uint64_t run = r ? 0 : (from + n < end ? from + n : end) - p;
		long err = r ? 0
			     : SYSCALL(map, SLOT_SELF, slot, va + (p - first) * PAGE_BYTES,
				       obj + (p - from), run,
				       (unsigned)prot | (shared ? MAP_KIND_SHARED : MAP_KIND_COPY));
		SYSCALL(cap_delete, slot);
		if (r || err) {
			SYSCALL(unmap, SLOT_SELF, va, p - first);
			slot_free(slot);
			return r ? (int)r : -to_errno(err);
		}
		p += run;
	}
	slot_free(slot);
	return 0;
}

/*
 * Shared writable mappings of files: msync marks each file it covers modified (POSIX:
 * st_mtime and st_ctime between a store through the mapping and the next msync). Each
 * keeps its open file as a descriptor does, so closing the descriptor after mmap leaves
 * the file open until munmap. Past WRITE_MAPS_MAX such mappings a file is marked
 * modified at mmap instead.
 */
#define WRITE_MAPS_MAX 16
static struct {
	uintptr_t va, end; /* end 0: a free entry */
	struct ofile *f;
} write_maps[WRITE_MAPS_MAX];
static volatile uint32_t write_maps_lock; /* mmap is safe from several threads at once */
/* How many entries are in use: munmap looks no further (and stores nothing: a forked
 * child's store would copy the page) when it is 0, as in nearly every process. */
static volatile int write_maps_used;

static void maps_lock(void)
{
	while (__atomic_exchange_n(&write_maps_lock, 1, __ATOMIC_ACQUIRE))
		SYSCALL(yield);
}

static void maps_unlock(void)
{
	__atomic_store_n(&write_maps_lock, 0, __ATOMIC_RELEASE);
}

/* Mark f's file modified now (mtime and ctime; the access time stays). */
static void mark_modified(struct ofile *f)
{
	struct ipc_msg m = { 0 };
	m.w[0] = 0;
	m.w[1] = FS_UTIME_OMIT;
	m.w[2] = 0;
	m.w[3] = FS_UTIME_NOW;
	fd_file_call(f, FS_FUTIMES, &m, 0);
}

static void track_write_map(uintptr_t va, size_t pages, struct ofile *f)
{
	maps_lock();
	for (int i = 0; i < WRITE_MAPS_MAX; i++) {
		if (!write_maps[i].end) {
			fd_file_hold(f);
			write_maps_used++;
			write_maps[i].va = va;
			write_maps[i].end = va + pages * PAGE_BYTES;
			write_maps[i].f = f;
			maps_unlock();
			return;
		}
	}
	maps_unlock();
	mark_modified(f); /* no room to follow it: now rather than never */
}

/* [va, end) is unmapped: mappings wholly inside it let their files go. */
static void untrack_write_maps(uintptr_t va, uintptr_t end)
{
	if (!write_maps_used)
		return;
	maps_lock();
	for (int i = 0; i < WRITE_MAPS_MAX; i++) {
		if (!write_maps[i].end || write_maps[i].va < va || write_maps[i].end > end)
			continue;
		fd_file_drop(write_maps[i].f);
		write_maps[i].end = 0;
		write_maps_used--;
	}
	maps_unlock();
}

/*
 * MAP_FIXED replaces whatever is mapped in the range (POSIX): called once the request is
 * checked, so a call that fails for a bad argument changes nothing.
 */
static void clear_fixed(uintptr_t va, size_t pages, int flags)
{
	if (flags & MAP_FIXED) {
		SYSCALL(unmap, SLOT_SELF, va, pages);
		untrack_write_maps(va, va + pages * PAGE_BYTES);
	}
}

/* mmap of a descriptor: checked here, mapped by map_file. */
static long mmap_fd(uintptr_t va, size_t pages, int prot, int flags, int fd, off_t off)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -EBADF;
	if (e->kind != FD_FILE)
		return -ENODEV;
	if (off < 0 || off % PAGE_BYTES)
		return -EINVAL;
	int acc = e->file->flags & O_ACCMODE;
	if (acc == O_WRONLY || ((flags & MAP_SHARED) && (prot & PROT_WRITE) && acc == O_RDONLY))
		return -EACCES;
	clear_fixed(va, pages, flags);
	int err = map_file(e->file, va, (uint64_t)off / PAGE_BYTES, pages, prot,
			   (flags & MAP_SHARED) != 0);
	if (!err && (flags & MAP_SHARED) && (prot & PROT_WRITE))
		track_write_map(va, pages, e->file);
	return err;
}

/* Is fd open on /dev/zero? Asked only when a device refused to be mapped. */
static int is_dev_zero(int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat("/dev/zero", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Fresh zeroed pages at va: private, or one object that fork's children share. */
static long map_zero(uintptr_t va, size_t pages, int prot, int flags)
{
	clear_fixed(va, pages, flags);
	return (flags & MAP_SHARED) ? map_shared(va, pages, prot)
				    : SYSCALL(map_anon, SLOT_SELF, va, pages, prot);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	size_t pages = (len + PAGE_BYTES - 1) / PAGE_BYTES;
	uintptr_t va = (uintptr_t)addr;
	long err;
	int kind = flags & (MAP_SHARED | MAP_PRIVATE);
	if (len == 0 || (kind != MAP_SHARED && kind != MAP_PRIVATE) || (prot & ~PROT_KNOWN) ||
	    ((flags & MAP_FIXED) && (va % PAGE_BYTES)))
		return fail(E_INVAL);
	/* POSIX's ENOMEM: more than user space holds, or than RLIMIT_AS allows. */
	if (len > USER_VA_MAX ||
	    ((flags & MAP_FIXED) && (va > USER_VA_MAX || len > USER_VA_MAX - va)) ||
	    rlimit_as_exceeded(pages * PAGE_BYTES))
		return fail(E_NOMEM);
	/* Threads may map at once: each takes its own range (and a gap, so overruns fault). */
	if (!(flags & MAP_FIXED))
		va = __atomic_fetch_add(&mmap_next, (pages + 1) * PAGE_BYTES, __ATOMIC_RELAXED);
	if (!(flags & MAP_ANONYMOUS)) {
		err = mmap_fd(va, pages, prot, flags, fd, off);
		if (err == -ENODEV &&
		    is_dev_zero(fd)) { /* the old way to ask for anonymous memory */
			flags |= MAP_ANONYMOUS;
			err = map_zero(va, pages, prot, flags);
		}
	} else if (off != 0)
		err = E_INVAL;
	else
		err = map_zero(va, pages, prot, flags);
	if (err) {
		/* Give the range back if no other thread took one after it: a failed mmap
		 * moves nothing (addresses further on would need page tables of their own). */
		uintptr_t after = va + (pages + 1) * PAGE_BYTES;
		if (!(flags & MAP_FIXED))
			__atomic_compare_exchange_n(&mmap_next, &after, va, 0, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		if (!(flags & MAP_ANONYMOUS)) {
			errno = (int)-err;
			return MAP_FAILED;
		}
		return fail(err);
	}
	return (void *)va;
}

int munmap(void *addr, size_t len)
{
	if (len == 0) { /* POSIX */
		errno = EINVAL;
		return -1;
	}
	size_t pages = (len + PAGE_BYTES - 1) / PAGE_BYTES;
	long err = SYSCALL(unmap, SLOT_SELF, addr, pages);
	if (err) {
		errno = to_errno(err);
		return -1;
	}
	untrack_write_maps((uintptr_t)addr, (uintptr_t)addr + pages * PAGE_BYTES);
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	if (prot & ~PROT_KNOWN) { /* the kernel's other bits are not the caller's to set */
		errno = EINVAL;
		return -1;
	}
	uint64_t npages = (len + PAGE_BYTES - 1) / PAGE_BYTES;
	long err = SYSCALL(protect, SLOT_SELF, addr, npages, prot);
	/* E_INVAL is a bad protection (W+X, say) or an aligned range outside user space,
	 * which POSIX calls ENOMEM: the query (MAP_PROT_QUERY) tells them apart. */
	if (err == E_INVAL && !((uintptr_t)addr & (PAGE_BYTES - 1)) &&
	    SYSCALL(protect, SLOT_SELF, addr, npages, MAP_PROT_QUERY) == E_INVAL) {
		errno = ENOMEM;
		return -1;
	}
	if (err) {
		errno = to_errno(err);
		return -1;
	}
	return 0;
}

/*
 * Shared file mappings are the page cache itself, so there is nothing to write back:
 * msync checks its arguments, and with MS_SYNC or MS_ASYNC marks the files of the shared
 * writable mappings it covers modified.
 */
/* Is every page of [addr, addr + len) mapped? 1, or 0 with errno = ENOMEM (POSIX). */
static int range_mapped(const void *addr, size_t len)
{
	uintptr_t va = (uintptr_t)addr & ~(uintptr_t)(PAGE_BYTES - 1);
	uintptr_t end = (uintptr_t)addr + len;
	if (end < va || SYSCALL(protect, SLOT_SELF, va, (end - va + PAGE_BYTES - 1) / PAGE_BYTES,
				MAP_PROT_QUERY) != 0) {
		errno = ENOMEM; /* wraps, leaves user space, or a page is not mapped */
		return 0;
	}
	return 1;
}

int msync(void *addr, size_t len, int flags)
{
	uintptr_t va = (uintptr_t)addr, end = va + len;
	struct ofile *files[WRITE_MAPS_MAX];
	int n = 0;
	cancel_point();
	if ((va % PAGE_BYTES) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC))) {
		errno = EINVAL;
		return -1;
	}
	if (len && !range_mapped(addr, len)) /* a range that wraps too: ENOMEM */
		return -1;
	if (!(flags & (MS_SYNC | MS_ASYNC)) || !write_maps_used)
		return 0;
	maps_lock();
	for (int i = 0; i < WRITE_MAPS_MAX; i++)
		if (write_maps[i].end && write_maps[i].va < end && va < write_maps[i].end) {
			fd_file_hold(write_maps[i].f); /* kept while we use it unlocked */
			files[n++] = write_maps[i].f;
		}
	maps_unlock();
	for (int i = 0; i < n; i++) {
		mark_modified(files[i]);
		fd_file_drop(files[i]);
	}
	return 0;
}

int memstat(struct memstat *ms)
{
	long err = SYSCALL(memstat, SLOT_SELF, ms);
	if (err) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

/*
 * Memory locking: no page is ever paged out here (a frame stays until it is unmapped),
 * so every mapped page is already locked. These check that the range is mapped
 * (ENOMEM) and succeed.
 */
int mlock(const void *addr, size_t len)
{
	return !len || range_mapped(addr, len) ? 0 : -1;
}

int munlock(const void *addr, size_t len)
{
	return !len || range_mapped(addr, len) ? 0 : -1;
}

int mlockall(int flags)
{
	if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int munlockall(void)
{
	return 0;
}

/* Advice changes nothing here: pages are made on first touch and kept (POSIX allows
 * ignoring it). It returns the error number, as POSIX says, rather than setting errno. */
int posix_madvise(void *addr, size_t len, int advice)
{
	switch (advice) {
	case POSIX_MADV_NORMAL:
	case POSIX_MADV_SEQUENTIAL:
	case POSIX_MADV_RANDOM:
	case POSIX_MADV_WILLNEED:
	case POSIX_MADV_DONTNEED: {
		int saved = errno, mapped = !len || range_mapped(addr, len);
		errno = saved; /* the answer is the error number; errno stays */
		return mapped ? 0 : ENOMEM;
	}
	default:
		return EINVAL;
	}
}
