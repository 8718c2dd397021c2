/*
 * uname, the resource usage, the scheduling policy calls and pathconf: facts
 * about this system for POSIX programs.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "syscall.h"

/* The machine facts the kernel gives (harts, page size), once. */
static const struct sysinfo *info(void)
{
	static struct sysinfo si;
	if (!si.page_size && SYSCALL(sysinfo, &si) != 0)
		si.page_size = PAGE_BYTES, si.harts = 1;
	return &si;
}

static void put(char *to, const char *s)
{
	size_t n = strnlen(s, UTS_LEN - 1);
	memcpy(to, s, n);
	to[n] = 0;
}

int uname(struct utsname *u)
{
	if (!u) {
		errno = EFAULT;
		return -1;
	}
	put(u->sysname, "mukernel");
	put(u->nodename, "mukernel");
	put(u->release, "0.1");
	put(u->version, info()->model);
	put(u->machine, "riscv64");
	return 0;
}

/*
 * Scheduling policy: the kernel runs every thread of a process at one priority, round
 * robin within it (docs/architecture.md). So SCHED_OTHER at priority 0 is the only
 * setting; the real-time policies are not offered (EPERM, as for an unprivileged caller).
 */
static int known_pid(pid_t pid)
{
	if (pid < 0 || (pid && kill(pid, 0) != 0)) {
		errno = ESRCH;
		return 0;
	}
	return 1;
}

static int real_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR;
}

int sched_get_priority_max(int policy)
{
	if (!real_policy(policy)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int sched_get_priority_min(int policy)
{
	return sched_get_priority_max(policy);
}

int sched_getscheduler(pid_t pid)
{
	return known_pid(pid) ? SCHED_OTHER : -1;
}

int sched_getparam(pid_t pid, struct sched_param *p)
{
	if (!known_pid(pid))
		return -1;
	p->sched_priority = 0;
	return 0;
}

int sched_setscheduler(pid_t pid, int policy, const struct sched_param *p)
{
	if (!known_pid(pid))
		return -1;
	if (!real_policy(policy) || (policy == SCHED_OTHER && p->sched_priority != 0)) {
		errno = EINVAL;
		return -1;
	}
	if (policy != SCHED_OTHER) {
		errno = EPERM;
		return -1;
	}
	return SCHED_OTHER; /* the policy it had */
}

int sched_setparam(pid_t pid, const struct sched_param *p)
{
	return sched_setscheduler(pid, SCHED_OTHER, p) < 0 ? -1 : 0;
}

#define CONSOLE_INPUT_MAX 256 /* the kernel console's receive ring (kernel/io/console.c) */

_Static_assert(NAME_MAX == FS_NAME_MAX && PATH_MAX == FS_PATH_MAX, "limits.h out of step");

/* The limits of a file system here; every one is the same (docs/files.md). */
static long path_limit(int name)
{
	switch (name) {
	case _PC_LINK_MAX:
		return UINT16_MAX; /* a node's link count (fstree.h) */
	case _PC_SYMLINK_MAX:
		return FS_PATH_MAX - 1; /* a link's text */
	case _PC_2_SYMLINKS:
		return 1;
	case _PC_NAME_MAX:
		return FS_NAME_MAX;
	case _PC_PATH_MAX:
		return FS_PATH_MAX;
	case _PC_PIPE_BUF:
		return PIPE_BUF;
	case _PC_MAX_CANON:
	case _PC_MAX_INPUT:
		return CONSOLE_INPUT_MAX;
	case _PC_NO_TRUNC:
	case _PC_CHOWN_RESTRICTED:
		return 1;
	case _PC_FILESIZEBITS:
		return 64;
	case _PC_VDISABLE:
	case _PC_ASYNC_IO:
	case _PC_PRIO_IO:
	case _PC_SYNC_IO:
		return -1; /* no limit, or not offered: errno stays */
	default:
		errno = EINVAL;
		return -1;
	}
}

long pathconf(const char *path, int name)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : path_limit(name);
}

long fpathconf(int fd, int name)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : path_limit(name);
}

/* What times() reports (time.c): the process's run time, or its waited-for children's,
 * as user time. */
int getrusage(int who, struct rusage *r)
{
	struct tms t;
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN) {
		errno = EINVAL;
		return -1;
	}
	times(&t);
	memset(r, 0, sizeof(*r));
	long hz = sysconf(_SC_CLK_TCK);
	clock_t user = who == RUSAGE_SELF ? t.tms_utime : t.tms_cutime;
	r->ru_utime.tv_sec = (time_t)(user / hz);
	r->ru_utime.tv_usec = (suseconds_t)((user % hz) * 1000000 / hz);
	return 0;
}
