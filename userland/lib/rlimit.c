/*
 * getrlimit and setrlimit (docs/userland.md, "Resource limits"). The limits live in the
 * C library: fork copies them with the rest of the process, and exec hands the ones that
 * differ from the defaults to the new image in the environment (RLIMIT_EXEC_ENV, taken
 * out again at start, as the umask is).
 *
 * Enforced here: RLIMIT_NOFILE (the descriptor table), RLIMIT_FSIZE (a write, pwrite or
 * ftruncate of a file past it: EFBIG and SIGXFSZ), RLIMIT_DATA (sbrk) and RLIMIT_AS
 * (mmap and sbrk: the pages the task has mapped, as the kernel counts them). RLIMIT_CORE
 * holds by itself: no core file is ever written. The others are kept and reported only.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fd.h"
#include "rlimit.h"
#include "syscall.h"

#define RLIMIT_EXEC_ENV "MUKERNEL_RLIMIT="

/* What a process starts with: no limits but the descriptor table and the stack's 8 MiB. */
static const struct rlimit defaults[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_STACK] = { USER_STACK_DEFAULT, RLIM_INFINITY },
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },
	[RLIMIT_RSS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NPROC] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NOFILE] = { FD_MAX, FD_MAX },
	[RLIMIT_MEMLOCK] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },
};

/*
 * A resource's limit is in limits only once set (bit r of set): a process that sets none,
 * nearly all of them, has nothing to copy at start and nothing to hand to exec.
 */
static struct rlimit limits[RLIM_NLIMITS];
static unsigned set;

static const struct rlimit *limit_of(int resource)
{
	return (set & (1u << resource)) ? &limits[resource] : &defaults[resource];
}

int getrlimit(int resource, struct rlimit *r)
{
	if (resource < 0 || resource >= RLIM_NLIMITS) {
		errno = EINVAL;
		return -1;
	}
	*r = *limit_of(resource);
	return 0;
}

/*
 * The stack may grow down to RLIMIT_STACK's soft limit below USER_STACK_TOP, at most
 * USER_STACK_MAX (which "unlimited" means): the kernel's demand-zero reserve is set to
 * that, so a store past it is a fault, SIGSEGV. Pages already in use stay.
 */
static int stack_reserve(rlim_t bytes)
{
	uint64_t pages = bytes >= USER_STACK_MAX ? USER_STACK_MAX / PAGE_BYTES
						 : (bytes + PAGE_BYTES - 1) / PAGE_BYTES;
	return (int)SYSCALL(map_anon, SLOT_SELF, USER_STACK_TOP - pages * PAGE_BYTES, pages,
			    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_STACK);
}

/*
 * Every process is root here (docs/files.md), so a hard limit may be raised as well as
 * lowered, except past the descriptor table (FD_MAX, EPERM).
 */
int setrlimit(int resource, const struct rlimit *r)
{
	if (resource < 0 || resource >= RLIM_NLIMITS || r->rlim_cur > r->rlim_max) {
		errno = EINVAL;
		return -1;
	}
	if (resource == RLIMIT_NOFILE && r->rlim_max > FD_MAX) {
		errno = EPERM;
		return -1;
	}
	if (resource == RLIMIT_STACK && stack_reserve(r->rlim_cur) != 0) {
		errno = EINVAL; /* the kernel refused: nothing changed */
		return -1;
	}
	limits[resource] = *r;
	set |= 1u << resource;
	if (resource == RLIMIT_NOFILE)
		fd_open_max = (int)r->rlim_cur;
	return 0;
}

rlim_t rlimit_cur(int resource)
{
	return limit_of(resource)->rlim_cur;
}

/*
 * How much of a file write of n bytes at offset at may go in under RLIMIT_FSIZE: n when
 * there is no limit; fewer when it ends past the limit; -1 with EFBIG and SIGXFSZ sent
 * to the calling thread (POSIX) when not one byte may.
 */
ssize_t rlimit_fsize_room(uint64_t at, size_t n)
{
	rlim_t max = rlimit_cur(RLIMIT_FSIZE);
	if (max == RLIM_INFINITY || n == 0 || at + n <= max)
		return (ssize_t)n;
	if (at < max)
		return (ssize_t)(max - at);
	return rlimit_fsize_past(at + n) ? -1 : (ssize_t)n;
}

int rlimit_fsize_past(uint64_t size)
{
	rlim_t max = rlimit_cur(RLIMIT_FSIZE);
	if (max == RLIM_INFINITY || size <= max)
		return 0;
	raise(SIGXFSZ);
	errno = EFBIG;
	return 1;
}

/* Would bytes more of mapped memory go past RLIMIT_AS? 1 and errno = ENOMEM if so. */
int rlimit_as_exceeded(uint64_t bytes)
{
	rlim_t max = rlimit_cur(RLIMIT_AS);
	struct memstat ms;
	if (max == RLIM_INFINITY || memstat(&ms) != 0)
		return 0;
	if (bytes > max || ms.task_resident * PAGE_BYTES > max - bytes) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

/* "MUKERNEL_RLIMIT=r.cur.max,..." (hex) for the limits not at their defaults, in env; or 0. */
const char *rlimit_exec_env(char *env, size_t size)
{
	if (!set)
		return 0;
	size_t n = (size_t)snprintf(env, size, "%s", RLIMIT_EXEC_ENV);
	int any = 0;
	for (int r = 0; r < RLIM_NLIMITS && n < size; r++) {
		if (!(set & (1u << r)) || memcmp(&limits[r], &defaults[r], sizeof(limits[r])) == 0)
			continue;
		n += (size_t)snprintf(env + n, size - n, "%s%x.%lx.%lx", any ? "," : "", r,
				      limits[r].rlim_cur, limits[r].rlim_max);
		any = 1;
	}
	return any && n < size ? env : 0;
}

/* The limits exec handed over, taken out of the environment before main runs. */
__attribute__((constructor)) static void rlimit_inherit(void)
{
	const char *v = fd_take_env(RLIMIT_EXEC_ENV);
	while (v && *v) {
		struct rlimit lim;
		uint64_t r = fd_get_hex(&v);
		lim.rlim_cur = fd_get_hex(&v);
		lim.rlim_max = fd_get_hex(&v);
		if (r >= RLIM_NLIMITS || setrlimit((int)r, &lim) != 0)
			return; /* not a list we wrote: the rest stays at the defaults */
	}
}
