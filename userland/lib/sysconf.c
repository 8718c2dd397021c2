/*
 * sysconf and getpagesize: the limits programs probe before they use something. (The
 * wt-posix branch has a fuller sysconf.c at this path, with the options it adds: at a
 * merge, keep that one, with _SC_OPEN_MAX answering fd_open_max and _SC_MAPPED_FILES
 * offered.)
 */
#include <errno.h>
#include <unistd.h>

#include "fd.h"
#include "syscall.h"

#define TICKS_PER_S 100 /* the unit of times() and clock ticks POSIX asks about */
#define POSIX_2008  200809L

/* The machine facts the kernel gives (harts, page size), once. */
static const struct sysinfo *info(void)
{
	static struct sysinfo si;
	if (!si.page_size && SYSCALL(sysinfo, &si) != 0)
		si.page_size = PAGE_BYTES, si.harts = 1;
	return &si;
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return (long)info()->page_size;
	case _SC_NPROCESSORS_ONLN:
	case _SC_NPROCESSORS_CONF:
		return (long)info()->harts;
	case _SC_OPEN_MAX:
		return fd_open_max;
	case _SC_CLK_TCK:
		return TICKS_PER_S;
	case _SC_ARG_MAX:
		return IPC_BUF_MAX;
	case _SC_MAPPED_FILES:
	case _SC_MEMORY_PROTECTION:
	case _SC_SHARED_MEMORY_OBJECTS:
		return POSIX_2008;
	default:
		errno = EINVAL;
		return -1;
	}
}

int getpagesize(void)
{
	return (int)info()->page_size;
}
