/*
 * mmap, munmap, mprotect and memstat. Private anonymous memory is fresh pages
 * (copy-on-write across fork like any private page); shared anonymous memory is a memory
 * object mapped shared, so a forked child sees the same frames. Addresses without
 * MAP_FIXED come from a region that grows up from USER_MMAP_BASE.
 */
#include <errno.h>
#include <sys/memstat.h>
#include <sys/mman.h>

#include "spawn.h"
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

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	size_t pages = (len + PAGE_BYTES - 1) / PAGE_BYTES;
	uintptr_t va = (flags & MAP_FIXED) ? (uintptr_t)addr : mmap_next;
	long err;
	(void)fd;
	if (!(flags & MAP_ANONYMOUS) || off != 0 || pages == 0 ||
	    !(flags & (MAP_SHARED | MAP_PRIVATE)) || (prot & ~PROT_KNOWN))
		return fail(E_INVAL);
	if (flags & MAP_SHARED)
		err = map_shared(va, pages, prot);
	else
		err = SYSCALL(map_anon, SLOT_SELF, va, pages, prot);
	if (err)
		return fail(err);
	if (!(flags & MAP_FIXED))
		mmap_next += (pages + 1) * PAGE_BYTES; /* and a gap, so overruns fault */
	return (void *)va;
}

int munmap(void *addr, size_t len)
{
	long err = SYSCALL(unmap, SLOT_SELF, addr, (len + PAGE_BYTES - 1) / PAGE_BYTES);
	if (err) {
		errno = to_errno(err);
		return -1;
	}
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	if (prot & ~PROT_KNOWN) { /* the kernel's other bits are not the caller's to set */
		errno = EINVAL;
		return -1;
	}
	long err = SYSCALL(protect, SLOT_SELF, addr, (len + PAGE_BYTES - 1) / PAGE_BYTES, prot);
	if (err) {
		errno = to_errno(err);
		return -1;
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
