/*
 * Clocks and sleeping: CLOCK_MONOTONIC is the rdtime counter (time since boot);
 * CLOCK_REALTIME is the monotonic clock plus an offset the fork server keeps for every
 * process (PROC_TIME, timesrv.c: from the RTC at boot, else 0, i.e. 1970 plus the time
 * since boot). clock_settime changes that offset. Sleeps are the kernel's sleep call;
 * timed waits turn an absolute time on either clock into a timebase deadline.
 */
#include <errno.h>
#include <sched.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "futex.h"
#include "kernel/abi/upcall.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

#define NS_PER_S    1000000000ULL
#define NS_PER_US   1000ULL
#define TIMES_PER_S CLOCKS_PER_SEC	  /* times() units: sysconf(_SC_CLK_TCK) (sysconf.c) */
#define NS_LONGEST  ((uint64_t)INT64_MAX) /* ticks_to_ns's ceiling: still an int64_t */
#define SEC_LONGEST (INT64_MAX / (int64_t)NS_PER_S - 1) /* a time in ns: |tv_sec| below it */

static uint64_t timebase_hz;
static int64_t local_offset_ns; /* without a fork server (init): our own offset */

static uint64_t timebase(void)
{
	if (!timebase_hz) {
		struct sysinfo si = { 0 };
		timebase_hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
	return timebase_hz;
}

static uint64_t ticks_now(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Split to avoid overflow: whole seconds, then the rest; a count past what 63 bits of
 * nanoseconds hold (292 years) is taken as that much, which is "for ever" to any sleep. */
static uint64_t ticks_to_ns(uint64_t t)
{
	uint64_t hz = timebase();
	if (t / hz >= NS_LONGEST / NS_PER_S)
		return NS_LONGEST;
	return t / hz * NS_PER_S + t % hz * NS_PER_S / hz;
}

static int valid(const struct timespec *ts)
{
	return ts->tv_nsec >= 0 && (uint64_t)ts->tv_nsec < NS_PER_S;
}

/* A time clock_settime can keep: as nanoseconds it fits in 63 bits (until 2262). */
static int fits_ns(const struct timespec *ts)
{
	return ts->tv_sec < SEC_LONGEST && ts->tv_sec > -SEC_LONGEST;
}

static int64_t ts_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * (int64_t)NS_PER_S + ts->tv_nsec;
}

static void ns_to_ts(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / (int64_t)NS_PER_S);
	ts->tv_nsec = (long)(ns % (int64_t)NS_PER_S);
	if (ts->tv_nsec < 0) {
		ts->tv_sec--;
		ts->tv_nsec += (long)NS_PER_S;
	}
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, as the fork server holds it for everyone. */
static int64_t realtime_offset(void)
{
	uint64_t off = 0;
	if (proc_request(PROC_TIME, PROC_TIME_GET, 0, &off, 0, 0) != 0)
		return local_offset_ns;
	return (int64_t)off;
}

/*
 * CPU-time clocks: the kernel counts each thread's run time (cpu_time, docs/syscalls.md
 * 52). pthread_getcpuclockid's clock for another thread is THREAD_CLOCK | its kernel
 * id (0: the first thread, the task's oldest).
 */
#define THREAD_CLOCK ((clockid_t)1 << 40)

/* Run time in nanoseconds of our task (tid 0) or one of its threads; -1 if none. */
static int64_t cpu_ns(uint64_t tid)
{
	long t = SYSCALL(cpu_time, SLOT_SELF, tid);
	return t < 0 ? -1 : (int64_t)ticks_to_ns((uint64_t)t);
}

/* Nanoseconds on clock now, or -1 for a clock we do not have. */
static int64_t clock_ns(clockid_t id)
{
	if (id == CLOCK_PROCESS_CPUTIME_ID)
		return cpu_ns(0);
	if (id == CLOCK_THREAD_CPUTIME_ID)
		return cpu_ns(CPU_TIME_CALLER);
	if (id & THREAD_CLOCK) {
		uint64_t tid = id & ~THREAD_CLOCK;
		return tid >> 32 ? -1 : cpu_ns(tid ? tid : CPU_TIME_OLDEST);
	}
	if (id == CLOCK_MONOTONIC)
		return (int64_t)ticks_to_ns(ticks_now());
	if (id == CLOCK_REALTIME) {
		int64_t off = realtime_offset(); /* first: the IPC takes time */
		return (int64_t)ticks_to_ns(ticks_now()) + off;
	}
	return -1;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t ns = clock_ns(id);
	if (ns < 0) {
		errno = EINVAL;
		return -1;
	}
	ns_to_ts(ns, ts);
	return 0;
}

/* The CPU-time clocks are sampled once a tick (CPU_TIME_HZ); the others count the timebase. */
int clock_getres(clockid_t id, struct timespec *res)
{
	if (clock_ns(id) < 0) {
		errno = EINVAL;
		return -1;
	}
	int cpu = id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ||
		  (id & THREAD_CLOCK);
	uint64_t hz = cpu ? CPU_TIME_HZ : timebase();
	if (res)
		ns_to_ts((int64_t)((NS_PER_S + hz - 1) / hz), res);
	return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	if (id != CLOCK_REALTIME || !valid(ts) || !fits_ns(ts)) {
		errno = EINVAL; /* POSIX: CLOCK_MONOTONIC cannot be set */
		return -1;
	}
	int64_t off = ts_to_ns(ts) - (int64_t)ticks_to_ns(ticks_now());
	if (proc_request(PROC_TIME, PROC_TIME_SET, (uint64_t)off, 0, 0, 0) != 0)
		local_offset_ns = off;
	return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts = { 0, 0 };
	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
	}
	return 0;
}

uint64_t span_ticks(const struct timespec *span)
{
	uint64_t hz = timebase(), sec = (uint64_t)span->tv_sec,
		 part = ((uint64_t)span->tv_nsec * hz + NS_PER_S - 1) / NS_PER_S;
	if (sec > (UINT64_MAX - part) / hz)
		return UINT64_MAX;
	return sec * hz + part;
}

uint64_t ticks_after(uint64_t now, uint64_t span)
{
	return span >= FUTEX_FOREVER - now ? FUTEX_FOREVER : now + span;
}

void ticks_to_timespec(uint64_t t, struct timespec *ts)
{
	uint64_t hz = timebase();
	ts->tv_sec = (time_t)(t / hz);
	ts->tv_nsec = (long)(t % hz * NS_PER_S / hz);
}

/*
 * at - now into *left when at is later: 1, else 0. In seconds and nanoseconds apart, so
 * a time centuries away (any tv_sec) neither wraps nor overflows; one too far for
 * time_t's difference is as far as time_t goes.
 */
static int later_by(const struct timespec *at, const struct timespec *now, struct timespec *left)
{
	time_t sec;
	long nsec = at->tv_nsec - now->tv_nsec;
	if (__builtin_sub_overflow(at->tv_sec, now->tv_sec, &sec)) {
		if (at->tv_sec < 0)
			return 0;
		sec = INT64_MAX, nsec = 0;
	}
	if (nsec < 0) {
		sec--;
		nsec += (long)NS_PER_S;
	}
	if (sec < 0 || (sec == 0 && nsec == 0))
		return 0;
	*left = (struct timespec){ sec, nsec };
	return 1;
}

int clock_deadline(clockid_t clock, const struct timespec *abstime, uint64_t *ticks)
{
	if (!abstime) {
		*ticks = FUTEX_FOREVER;
		return 0;
	}
	if (!valid(abstime) || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	/* The offset first (a call to the fork server), then one reading for both sides. */
	int64_t off = clock == CLOCK_REALTIME ? realtime_offset() : 0;
	uint64_t now = ticks_now();
	struct timespec at_now, left;
	ns_to_ts((int64_t)ticks_to_ns(now) + off, &at_now);
	/* Already past: a wait on it times out at once. Too far ahead to count: for ever. */
	*ticks = later_by(abstime, &at_now, &left) ? ticks_after(now, span_ticks(&left)) : 0;
	return 0;
}

/* Sleep until the timebase reaches deadline: 0, or EINTR (a signal handler ran). */
static int sleep_until(uint64_t deadline)
{
	for (uint64_t now; (now = ticks_now()) < deadline;)
		if (SYSCALL(sleep, ticks_to_ns(deadline - now) + 1) == E_INTR)
			return EINTR;
	return 0;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	uint64_t deadline;
	if (!valid(req) || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
		return EINVAL;
	/* A relative time below zero has passed already (POSIX gives no error for it). */
	if (flags & TIMER_ABSTIME)
		clock_deadline(clock, req, &deadline);
	else
		deadline =
			req->tv_sec < 0 ? ticks_now() : ticks_after(ticks_now(), span_ticks(req));
	cancel_point(); /* sleep, usleep and nanosleep too */
	int err = sleep_until(deadline);
	if (rem && !(flags & TIMER_ABSTIME)) {
		uint64_t now = ticks_now();
		ticks_to_timespec(now < deadline ? deadline - now : 0, rem);
	}
	cancel_point();
	return err;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int usleep(useconds_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
	return nanosleep(&ts, 0);
}

/* What is left, in whole seconds rounded up, when a signal handler ends it early. */
unsigned sleep(unsigned s)
{
	struct timespec ts = { (time_t)s, 0 }, rem = { 0, 0 };
	if (nanosleep(&ts, &rem) == 0)
		return 0;
	return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
}

/* Timebase ticks in times() units, split so it cannot overflow. */
static clock_t ticks_to_times(uint64_t t)
{
	uint64_t hz = timebase();
	return (clock_t)(t / hz * TIMES_PER_S + t % hz * TIMES_PER_S / hz);
}

/*
 * The process's run time, all of it as user time (the kernel does not tell its own
 * part apart), and likewise its waited-for children's, which the fork server adds up
 * as it reaps them (PROC_TIMES).
 */
clock_t times(struct tms *t)
{
	uint64_t now = ticks_now();
	if (t) {
		long run = SYSCALL(cpu_time, SLOT_SELF, 0);
		int64_t children = proc_request(PROC_TIMES, 0, 0, 0, 0, 0);
		t->tms_utime = ticks_to_times(run < 0 ? 0 : (uint64_t)run);
		t->tms_cutime = ticks_to_times(children < 0 ? 0 : (uint64_t)children);
		t->tms_stime = t->tms_cstime = 0;
	}
	return ticks_to_times(now);
}

/* POSIX: our own process's clock; another's exists (EPERM to read) or not (ESRCH). */
int clock_getcpuclockid(pid_t pid, clockid_t *id)
{
	if (pid != 0 && pid != getpid())
		return kill(pid, 0) == 0 ? EPERM : ESRCH;
	*id = CLOCK_PROCESS_CPUTIME_ID;
	return 0;
}

int pthread_getcpuclockid(pthread_t t, clockid_t *id)
{
	if (!t || (t != pthread_self() && t->done))
		return ESRCH;
	*id = t == pthread_self() ? CLOCK_THREAD_CPUTIME_ID
				  : THREAD_CLOCK | (clockid_t)(uint64_t)t->kernel_id;
	return 0;
}

int sched_yield(void)
{
	SYSCALL(yield);
	return 0;
}
