/*
 * ITIMER_REAL and alarm: a thread of the process (made on first use) sleeps in
 * futex_wait until the timer's deadline and then sends the process SIGALRM through the
 * fork server, so the signal reaches the process like any other (docs/signals.md).
 * Setting the timer wakes the thread to take the new deadline. A forked child has no
 * timer (POSIX), and no timer thread until it sets one.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "futex.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

#define NS_PER_S  1000000000ULL
#define NS_PER_US 1000ULL
#define DISARMED  FUTEX_FOREVER

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t deadline = DISARMED; /* timebase ticks */
static uint64_t interval;	     /* ticks, 0: one shot */
static volatile uint32_t changed;    /* bumped by every setitimer: the thread re-reads */
static int thread_made;
static uint64_t hz;

static uint64_t now_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t tv_to_ticks(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * hz + (uint64_t)tv->tv_usec * NS_PER_US * hz / NS_PER_S;
}

static void ticks_to_tv(uint64_t t, struct timeval *tv)
{
	tv->tv_sec = (time_t)(t / hz);
	tv->tv_usec = (suseconds_t)(t % hz * NS_PER_S / hz / NS_PER_US);
}

/* The timer thread: sleep to the deadline, send SIGALRM, rearm with the interval. */
static void *timer_main(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&timer_lock);
		uint32_t seen = changed;
		uint64_t when = deadline;
		int due = when != DISARMED && now_ticks() >= when;
		if (due)
			deadline = interval ? when + interval : DISARMED;
		pthread_mutex_unlock(&timer_lock);
		if (due)
			proc_request(PROC_KILL, (uint64_t)getpid(), SIGALRM, 0, 0, 0);
		else
			SYSCALL(futex_wait, (uintptr_t)&changed, seen, when);
	}
	return 0;
}

/* After fork (signal.c): the child's timer is off and its thread does not exist. */
void itimer_after_fork(void)
{
	if (deadline == DISARMED && !interval && !thread_made)
		return; /* never armed: storing would copy this page from the parent */
	deadline = DISARMED;
	interval = 0;
	thread_made = 0;
}

static int start_thread(void)
{
	pthread_t t;
	pthread_attr_t a;
	if (thread_made)
		return 0;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 16384);
	if (pthread_create(&t, &a, timer_main, 0) != 0)
		return -1;
	thread_made = 1;
	return 0;
}

int getitimer(int which, struct itimerval *v)
{
	if (which != ITIMER_REAL) {
		errno = EINVAL;
		return -1;
	}
	if (!hz) {
		struct sysinfo si = { 0 };
		hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
	pthread_mutex_lock(&timer_lock);
	uint64_t now = now_ticks();
	ticks_to_tv(deadline == DISARMED ? 0 : deadline > now ? deadline - now : 1, &v->it_value);
	ticks_to_tv(interval, &v->it_interval);
	pthread_mutex_unlock(&timer_lock);
	return 0;
}

int setitimer(int which, const struct itimerval *restrict v, struct itimerval *restrict old)
{
	if (which != ITIMER_REAL || v->it_value.tv_usec < 0 || v->it_value.tv_usec >= 1000000 ||
	    v->it_interval.tv_usec < 0 || v->it_interval.tv_usec >= 1000000) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		getitimer(which, old);
	else
		getitimer(which, &(struct itimerval){ 0 }); /* sets hz */
	int arm = v->it_value.tv_sec || v->it_value.tv_usec;
	struct sigaction cur;
	sigaction(SIGALRM, 0, &cur); /* registers us with the server: SIGALRM must reach us */
	pthread_mutex_lock(&timer_lock);
	int err = arm ? start_thread() : 0;
	if (!err) {
		deadline = arm ? now_ticks() + tv_to_ticks(&v->it_value) : DISARMED;
		interval = arm ? tv_to_ticks(&v->it_interval) : 0;
		changed++;
	}
	pthread_mutex_unlock(&timer_lock);
	if (err) {
		errno = EAGAIN;
		return -1;
	}
	futex_wake(&changed, 1);
	return 0;
}

unsigned alarm(unsigned secs)
{
	struct itimerval v = { { 0, 0 }, { (time_t)secs, 0 } }, old;
	if (setitimer(ITIMER_REAL, &v, &old) != 0)
		return 0;
	return (unsigned)old.it_value.tv_sec + (old.it_value.tv_usec > 0);
}
