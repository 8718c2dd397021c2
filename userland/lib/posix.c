/* uname and the resource limits: facts about this system for POSIX programs. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fd.h"
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

int getrlimit(int resource, struct rlimit *r)
{
	if (resource != RLIMIT_NOFILE) {
		errno = EINVAL;
		return -1;
	}
	r->rlim_cur = (rlim_t)fd_open_max;
	r->rlim_max = FD_MAX;
	return 0;
}

int setrlimit(int resource, const struct rlimit *r)
{
	if (resource != RLIMIT_NOFILE || r->rlim_cur > r->rlim_max) {
		errno = EINVAL;
		return -1;
	}
	if (r->rlim_max > FD_MAX) {
		errno = EPERM;
		return -1;
	}
	fd_open_max = (int)r->rlim_cur;
	return 0;
}
