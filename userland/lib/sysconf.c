/*
 * sysconf: the limits and options this system has, for programs that probe before they
 * use something. An option we offer answers its version (the value <unistd.h> names);
 * one we do not, -1 with errno untouched; a name we do not know, -1 with EINVAL.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <mqueue.h>
#include <unistd.h>

#include "fd.h"
#include "proc.h"
#include "syscall.h"

#define POSIX_2008     200809L
#define TICKS_PER_S    CLOCKS_PER_SEC		  /* times() units (time.c) */
#define SC_NAME_END    (_SC_POSIX_26_VERSION + 1) /* picolibc's last _SC_ name, plus one */
#define HOST_NAME_LEN  64			  /* utsname's nodename, without its NUL */
#define TIMERS_OFFERED 32			  /* timer_create's slots (itimer.c) */
#define OVERRUNS_MAX   0x7fffffffL		  /* DELAYTIMER_MAX: an overrun count stops here */

static long harts(void)
{
	struct sysinfo si = { 0 };
	return SYSCALL(sysinfo, &si) == 0 && si.harts ? (long)si.harts : 1;
}

static long frames(int free_only)
{
	struct memstat ms = { 0 };
	if (SYSCALL(memstat, SLOT_SELF, &ms) != 0)
		return -1;
	return (long)(free_only ? ms.free_frames : ms.total_frames);
}

/* Options: POSIX_2008 if offered, 0 for "not offered". */
static long option(int name)
{
	switch (name) {
	case _SC_THREADS:
	case _SC_THREAD_SAFE_FUNCTIONS:
	case _SC_THREAD_ATTR_STACKSIZE:
	case _SC_THREAD_PROCESS_SHARED:
	case _SC_TIMERS:
	case _SC_SEMAPHORES:
	case _SC_MONOTONIC_CLOCK:
	case _SC_CLOCK_SELECTION:
	case _SC_BARRIERS:
	case _SC_SPIN_LOCKS:
	case _SC_READER_WRITER_LOCKS:
	case _SC_MEMORY_PROTECTION:
	case _SC_MAPPED_FILES:
	case _SC_SHARED_MEMORY_OBJECTS:
	case _SC_MESSAGE_PASSING:
	case _SC_FSYNC:
	case _SC_SYNCHRONIZED_IO:
	case _SC_SPAWN:
	case _SC_THREAD_ATTR_STACKADDR:
	case _SC_JOB_CONTROL:
	case _SC_REALTIME_SIGNALS:
	case _SC_CPUTIME:
	case _SC_THREAD_CPUTIME:
	case _SC_VERSION:
		return POSIX_2008;
	default:
		return 0;
	}
}

long sysconf(int name)
{
	switch (name) {
	case _SC_ARG_MAX:
		return IPC_BUF_MAX; /* exec's name, arguments and environment travel in one message */
	case _SC_CHILD_MAX:
		return PROC_MAX;
	case _SC_CLK_TCK:
		return TICKS_PER_S;
	case _SC_OPEN_MAX:
		return fd_open_max;
	case _SC_PAGESIZE:
		return PAGE_BYTES;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return harts();
	case _SC_PHYS_PAGES:
		return frames(0);
	case _SC_AVPHYS_PAGES:
		return frames(1);
	case _SC_SEM_VALUE_MAX:
		return SEM_VALUE_MAX;
	case _SC_MQ_OPEN_MAX:
		return MQ_OPEN_MAX;
	case _SC_MQ_PRIO_MAX:
		return MQ_PRIO_MAX;
	case _SC_THREAD_KEYS_MAX:
		return PTHREAD_KEYS_MAX;
	case _SC_THREAD_STACK_MIN:
		return PTHREAD_STACK_MIN;
	case _SC_THREAD_DESTRUCTOR_ITERATIONS:
		return PTHREAD_DESTRUCTOR_ITERATIONS;
	case _SC_NGROUPS_MAX:
		return 8; /* POSIX's least (_POSIX_NGROUPS_MAX); getgroups has none to give */
	case _SC_IOV_MAX:
		return IOV_MAX;
	case _SC_LINE_MAX:
		return LINE_MAX;
	case _SC_HOST_NAME_MAX:
		return HOST_NAME_LEN;
	case _SC_TIMER_MAX:
		return TIMERS_OFFERED;
	case _SC_DELAYTIMER_MAX:
		return OVERRUNS_MAX;
	case _SC_SYMLOOP_MAX:
		return SYMLOOP_MAX;
	case _SC_RTSIG_MAX:
		return RTSIG_MAX;
	case _SC_SIGQUEUE_MAX:
		return SIGQUEUE_MAX;
	}
	if (name < 0 || name >= SC_NAME_END) {
		errno = EINVAL;
		return -1;
	}
	long v = option(name);
	return v ? v : -1;
}

int getpagesize(void)
{
	return PAGE_BYTES;
}
