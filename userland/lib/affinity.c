/*
 * sched_setaffinity and sched_getaffinity (Linux's, declared in <sched.h>): a thread here
 * runs on one hart or on any (thread_ctl's affinity, docs/syscalls.md 31), so a set names
 * exactly one online hart or all of them. The kernel has no call that reads a thread's
 * affinity back: the C library keeps what the thread set. A forked child's thread
 * inherits the affinity (fork, docs/syscalls.md), as its copy of this variable does, and
 * so does a new thread of the process (thread_create), whose block gets the creator's.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "pthread_impl.h"
#include "syscall.h"
#include "threads.h"

/* The hart this thread pinned itself to, -1 for any. */
static __thread int pinned_hart = -1;

void affinity_inherit(char *tls)
{
	char *tp;
	__asm__("mv %0, tp" : "=r"(tp));
	/* Thread-local variables sit at the same offset from every thread's pointer. */
	*(int *)(tls + ((char *)&pinned_hart - tp)) = pinned_hart;
}

/* pid 0 or the caller's own pid name the calling thread; ESRCH for anyone else. */
static int self_only(pid_t pid)
{
	if (pid == 0 || pid == getpid())
		return 0;
	errno = pid < 0 ? EINVAL : ESRCH;
	return -1;
}

int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)
{
	int harts = thread_harts(), in = 0, one = -1;
	if (self_only(pid) != 0)
		return -1;
	if (!mask || cpusetsize == 0) {
		errno = mask ? EINVAL : EFAULT;
		return -1;
	}
	/* Only the bytes given count; harts past them are out of the set. */
	for (int h = 0; h < harts && (size_t)h / 8 < cpusetsize; h++)
		if (((const unsigned char *)mask)[h / 8] >> (h % 8) & 1) {
			in++;
			one = h;
		}
	int to = in == harts ? -1 : in == 1 ? one : -2;
	if (to == -2 || SYSCALL(thread_ctl, 0, THREAD_CTL_SELF | THREAD_CTL_AFFINITY, to) != 0) {
		errno = EINVAL; /* no online hart, or a set this kernel cannot keep */
		return -1;
	}
	pinned_hart = to;
	return 0;
}

int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)
{
	int harts = thread_harts();
	if (self_only(pid) != 0)
		return -1;
	if (!mask || cpusetsize < ((size_t)harts + 7) / 8) {
		errno = mask ? EINVAL : EFAULT;
		return -1;
	}
	memset(mask, 0, cpusetsize);
	int hart = pinned_hart;
	for (int h = 0; h < harts; h++)
		if (hart < 0 || h == hart)
			((unsigned char *)mask)[h / 8] |= (unsigned char)(1u << (h % 8));
	return 0;
}
