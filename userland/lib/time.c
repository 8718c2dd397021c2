/* sleep, usleep and clock_gettime: the kernel's sleep call and the rdtime counter. */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "syscall.h"

#define NS_PER_S  1000000000ULL
#define NS_PER_US 1000ULL

static uint64_t timebase_hz;

static uint64_t timebase(void)
{
	if (!timebase_hz) {
		struct sysinfo si = { 0 };
		timebase_hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
	return timebase_hz;
}

int usleep(useconds_t us)
{
	SYSCALL(sleep, (uint64_t)us * NS_PER_US);
	return 0;
}

unsigned sleep(unsigned s)
{
	SYSCALL(sleep, (uint64_t)s * NS_PER_S);
	return 0;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t t, hz = timebase();
	(void)id; /* one clock: time since boot, for CLOCK_MONOTONIC and CLOCK_REALTIME alike */
	__asm__ volatile("rdtime %0" : "=r"(t));
	ts->tv_sec = (time_t)(t / hz);
	ts->tv_nsec = (long)((t % hz) * NS_PER_S / hz);
	return 0;
}
