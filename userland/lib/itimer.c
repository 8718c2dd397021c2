/*
 * Timers. setitimer's three (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) and alarm are the
 * fork server's (PROC_ALARM, docs/process.md), so that exec keeps them as POSIX asks;
 * here they only convert times. The POSIX
 * per-process timers (timer_create and the rest) on CLOCK_REALTIME and CLOCK_MONOTONIC
 * are the process's own: one thread of it (made on first use) sleeps in futex_wait until
 * the earliest deadline of any timer, then acts for each one due: sends the process its
 * signal through the fork server, so it arrives like any other (docs/signals.md), or
 * starts a thread for SIGEV_THREAD; and rearms it with its interval. Setting a timer
 * wakes the thread to take the new deadline. Deadlines are in timebase ticks: a
 * CLOCK_REALTIME deadline given as an absolute time is converted once, when it is set.
 * A forked child has no timers (POSIX), and no timer thread until it sets one; exec
 * ends these with the image.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "futex.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

#define NS_PER_S      1000000000ULL
#define NS_PER_US     1000ULL
#define DISARMED      FUTEX_FOREVER
#define LATEST	      (DISARMED - 1) /* the latest armed deadline: a time too far to count */
#define TIMERS_MAX    33 /* slot 0 is never used (no timer_t is 0); timer_create hands out 32 */
#define NO_TIMER      0
#define OVERRUN_MAX   0x7fffffff /* DELAYTIMER_MAX: a count past it stays there */
#define TIMER_STACK   16384
#define SIGNO_INVALID 0

struct ptimer {
	int used;
	int notify; /* SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD */
	int signo;
	clockid_t clock; /* what an absolute time (TIMER_ABSTIME) is on */
	union sigval value;
	void (*fn)(union sigval); /* SIGEV_THREAD */
	uint64_t deadline;	  /* ticks, or DISARMED */
	uint64_t interval;	  /* ticks, 0: one shot */
	int overrun;		  /* expirations that the last notice stood for, less one */
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptimer timers[TIMERS_MAX] = { [NO_TIMER] = { .used = 1, .deadline = DISARMED } };
static volatile uint32_t changed; /* bumped by every change: the thread re-reads */
static int thread_made, created;  /* created: timer_create was ever called */
static uint64_t hz;

static uint64_t now_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static void need_hz(void)
{
	if (!hz) {
		struct sysinfo si = { 0 };
		hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
}

/* A due timer's notice, taken under the lock and given after it. */
struct notice {
	int notify, signo;
	union sigval value;
	void (*fn)(union sigval);
};

/*
 * deadline + skipped + interval, the next deadline after an expiry, kept armed: an
 * interval of centuries (saturated to 64 bits of ticks) must not wrap round to a time
 * that is due at once. skipped (missed intervals) is at most now - deadline: no overflow.
 */
static uint64_t later(uint64_t deadline, uint64_t skipped, uint64_t interval)
{
	uint64_t next = ticks_after(ticks_after(deadline, skipped), interval);
	return next > LATEST ? LATEST : next;
}

/* Take timer t's expiry at now: its notice, and its next deadline. */
static struct notice expire(struct ptimer *t, uint64_t now)
{
	uint64_t missed = t->interval ? (now - t->deadline) / t->interval : 0;
	t->overrun = missed > OVERRUN_MAX ? OVERRUN_MAX : (int)missed;
	t->deadline =
		t->interval ? later(t->deadline, missed * t->interval, t->interval) : DISARMED;
	return (struct notice){ t->notify, t->signo, t->value, t->fn };
}

static void *notify_thread(void *arg)
{
	struct notice *n = arg;
	struct notice copy = *n;
	free(n);
	copy.fn(copy.value);
	return 0;
}

static void give(const struct notice *n)
{
	if (n->notify == SIGEV_SIGNAL) {
		signals_note_timer(n->signo, n->value);
		proc_request(PROC_KILL, (uint64_t)getpid(), (uint64_t)n->signo, 0, 0, 0);
	} else if (n->notify == SIGEV_THREAD) {
		pthread_t t;
		pthread_attr_t a;
		struct notice *copy = malloc(sizeof(*copy));
		if (!copy)
			return; /* out of memory: this expiry's call is lost */
		*copy = *n;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		if (pthread_create_quiet(&t, &a, notify_thread, copy) != 0)
			free(copy);
	}
}

/* The timer thread: sleep to the earliest deadline, act for every timer due, again. */
static void *timer_main(void *unused)
{
	(void)unused;
	for (;;) {
		struct notice due[TIMERS_MAX];
		int ndue = 0;
		pthread_mutex_lock(&timer_lock);
		uint32_t seen = changed;
		uint64_t now = now_ticks(), next = DISARMED;
		for (int i = 0; i < TIMERS_MAX; i++) {
			struct ptimer *t = &timers[i];
			if (!t->used || t->deadline == DISARMED)
				continue;
			if (t->deadline <= now)
				due[ndue++] = expire(t, now);
			if (t->deadline < next)
				next = t->deadline;
		}
		pthread_mutex_unlock(&timer_lock);
		for (int i = 0; i < ndue; i++)
			give(&due[i]);
		if (!ndue)
			SYSCALL(futex_wait, (uintptr_t)&changed, seen, next);
	}
	return 0;
}

/* After fork (signal.c): the child's timers are gone and its thread does not exist. */
void itimer_after_fork(void)
{
	if (!thread_made && !created)
		return; /* never used: storing would copy these pages from the parent */
	for (int i = 0; i < TIMERS_MAX; i++) {
		timers[i].deadline = DISARMED;
		timers[i].interval = 0;
		timers[i].used = i == NO_TIMER;
	}
	thread_made = created = 0;
	pthread_mutex_init(&timer_lock, 0);
}

static int start_thread(void)
{
	pthread_t t;
	pthread_attr_t a;
	if (thread_made)
		return 0;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, TIMER_STACK);
	if (pthread_create_quiet(&t, &a, timer_main, 0) != 0)
		return -1;
	thread_made = 1;
	return 0;
}

/* Arm (deadline in ticks, or DISARMED) timer t under the lock: 0, or EAGAIN. */
static int arm_locked(struct ptimer *t, uint64_t deadline, uint64_t interval)
{
	if (deadline != DISARMED && start_thread() != 0)
		return EAGAIN;
	t->deadline = deadline;
	t->interval = deadline == DISARMED ? 0 : interval;
	t->overrun = 0;
	changed++;
	return 0;
}

/* Timer id's slot, or 0 with EINVAL for an id not made by timer_create. */
static struct ptimer *timer_of(timer_t id)
{
	if (id == 0 || id >= TIMERS_MAX || !timers[id].used) {
		errno = EINVAL;
		return 0;
	}
	return &timers[id];
}

/*
 * Arm timer id with deadline and interval, and wake the thread to take it: 0, or -1
 * with errno (EINVAL for an id timer_create did not give).
 */
static int arm(timer_t id, uint64_t deadline, uint64_t interval)
{
	pthread_mutex_lock(&timer_lock);
	struct ptimer *t = timer_of(id);
	int err = t ? arm_locked(t, deadline, interval) : EINVAL;
	pthread_mutex_unlock(&timer_lock);
	if (err) {
		errno = err;
		return -1;
	}
	futex_wake(&changed, 1);
	return 0;
}

/* What is left of t's time and its interval, in ticks (1 if due and not yet taken). */
static void left_locked(const struct ptimer *t, uint64_t *left, uint64_t *interval)
{
	uint64_t now = now_ticks();
	*left = t->deadline == DISARMED ? 0 : t->deadline > now ? t->deadline - now : 1;
	*interval = t->interval;
}

/* ---- setitimer, getitimer, alarm ------------------------------------------------ */

#define US_PER_S 1000000ULL

/* Seconds and microseconds in ticks, rounded up; a time too long for 64 bits of ticks is
 * taken as the longest there is (the server's "never"). Not through nanoseconds: those
 * overflow past 584 years, a value setitimer must take. */
static uint64_t tv_to_ticks(const struct timeval *tv)
{
	uint64_t sec = (uint64_t)tv->tv_sec,
		 part = ((uint64_t)tv->tv_usec * hz + US_PER_S - 1) / US_PER_S;
	if (sec > (UINT64_MAX - part) / hz)
		return UINT64_MAX;
	return sec * hz + part;
}

static void ticks_to_tv(uint64_t t, struct timeval *tv)
{
	tv->tv_sec = (time_t)(t / hz);
	tv->tv_usec = (suseconds_t)(t % hz * US_PER_S / hz);
}

/* setitimer's timers, as the fork server numbers them (enum proc_timer); -1 if none. */
static int timer_number(int which)
{
	return which == ITIMER_REAL	 ? PROC_TIMER_REAL
	       : which == ITIMER_VIRTUAL ? PROC_TIMER_VIRTUAL
	       : which == ITIMER_PROF	 ? PROC_TIMER_PROF
					 : -1;
}

/*
 * The fork server's interval timer k: set it (PROC_ALARM, first and every in ticks) or
 * only read it (PROC_ALARM_GET), and what the old setting had left: 0 or -1 with errno.
 */
static int alarm_request(uint64_t label, int k, uint64_t first, uint64_t every,
			 struct itimerval *old)
{
	struct ipc_msg m = { .tag = ipc_tag(label, label == PROC_ALARM ? 3 : 1, 0, 0) };
	if (label == PROC_ALARM) {
		m.w[0] = first;
		m.w[1] = every;
		m.w[2] = (uint64_t)k;
	} else {
		m.w[0] = (uint64_t)k;
	}
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_call(SLOT_PROC, &m);
	int64_t left = err ? (err == E_INTR ? -EINTR : -EIO) : (int64_t)m.w[0];
	if (left < 0) {
		errno = (int)-left;
		return -1;
	}
	if (old) {
		ticks_to_tv((uint64_t)left, &old->it_value);
		ticks_to_tv(m.w[1], &old->it_interval);
	}
	return 0;
}

int getitimer(int which, struct itimerval *v)
{
	int k = timer_number(which);
	if (k < 0) {
		errno = EINVAL;
		return -1;
	}
	need_hz();
	return alarm_request(PROC_ALARM_GET, k, 0, 0, v);
}

/* The signal timer k sends. */
static int timer_signal(int k)
{
	return k == PROC_TIMER_REAL ? SIGALRM : k == PROC_TIMER_VIRTUAL ? SIGVTALRM : SIGPROF;
}

int setitimer(int which, const struct itimerval *restrict v, struct itimerval *restrict old)
{
	int k = timer_number(which);
	if (k < 0 || v->it_value.tv_usec < 0 || v->it_value.tv_usec >= 1000000 ||
	    v->it_interval.tv_usec < 0 || v->it_interval.tv_usec >= 1000000 ||
	    v->it_value.tv_sec < 0 || v->it_interval.tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	need_hz();
	int on = v->it_value.tv_sec || v->it_value.tv_usec;
	struct sigaction cur;
	sigaction(timer_signal(k), 0, &cur); /* registers us with the server: it must reach us */
	return alarm_request(PROC_ALARM, k, on ? tv_to_ticks(&v->it_value) : 0,
			     tv_to_ticks(&v->it_interval), old);
}

unsigned alarm(unsigned secs)
{
	struct itimerval v = { { 0, 0 }, { (time_t)secs, 0 } }, old;
	if (setitimer(ITIMER_REAL, &v, &old) != 0)
		return 0;
	return (unsigned)old.it_value.tv_sec + (old.it_value.tv_usec > 0);
}

/* ---- timer_create and the rest (POSIX per-process timers) ------------------------- */

int timer_create(clockid_t clock, struct sigevent *restrict ev, timer_t *restrict id)
{
	struct sigevent plain = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
		errno = EINVAL;
		return -1;
	}
	if (!ev)
		ev = &plain; /* POSIX: SIGALRM, with the timer's id as the value */
	int sigok = ev->sigev_signo > 0 && ev->sigev_signo < NSIG;
	if ((ev->sigev_notify == SIGEV_SIGNAL && !sigok) ||
	    (ev->sigev_notify == SIGEV_THREAD && !ev->sigev_notify_function) ||
	    (ev->sigev_notify != SIGEV_SIGNAL && ev->sigev_notify != SIGEV_THREAD &&
	     ev->sigev_notify != SIGEV_NONE)) {
		errno = EINVAL;
		return -1;
	}
	if (ev->sigev_notify == SIGEV_SIGNAL) {
		struct sigaction cur;
		sigaction(ev->sigev_signo, 0, &cur); /* registers us: the signal must reach us */
	}
	need_hz();
	pthread_mutex_lock(&timer_lock);
	timer_t i = 1;
	while (i < TIMERS_MAX && timers[i].used)
		i++;
	if (i < TIMERS_MAX) {
		created = 1;
		timers[i] =
			(struct ptimer){ .used = 1,
					 .clock = clock,
					 .notify = ev->sigev_notify,
					 .signo = ev->sigev_notify == SIGEV_SIGNAL ? ev->sigev_signo
										   : SIGNO_INVALID,
					 .value = ev->sigev_value,
					 .fn = ev->sigev_notify_function,
					 .deadline = DISARMED };
		if (ev == &plain)
			timers[i].value.sival_int = (int)i;
	}
	pthread_mutex_unlock(&timer_lock);
	if (i == TIMERS_MAX) {
		errno = EAGAIN;
		return -1;
	}
	*id = i;
	return 0;
}

int timer_delete(timer_t id)
{
	pthread_mutex_lock(&timer_lock);
	struct ptimer *t = timer_of(id);
	if (t) {
		*t = (struct ptimer){ .deadline = DISARMED };
		changed++;
	}
	pthread_mutex_unlock(&timer_lock);
	return t ? 0 : -1;
}

static int valid_ts(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && (uint64_t)ts->tv_nsec < NS_PER_S;
}

int timer_gettime(timer_t id, struct itimerspec *v)
{
	uint64_t left = 0, interval = 0;
	pthread_mutex_lock(&timer_lock);
	struct ptimer *t = timer_of(id);
	if (t)
		left_locked(t, &left, &interval);
	pthread_mutex_unlock(&timer_lock);
	if (!t)
		return -1;
	ticks_to_timespec(left, &v->it_value);
	ticks_to_timespec(interval, &v->it_interval);
	return 0;
}

int timer_settime(timer_t id, int flags, const struct itimerspec *restrict v,
		  struct itimerspec *restrict old)
{
	uint64_t deadline = DISARMED;
	int on = v->it_value.tv_sec || v->it_value.tv_nsec;
	if (!valid_ts(&v->it_value) || !valid_ts(&v->it_interval)) {
		errno = EINVAL;
		return -1;
	}
	if (old && timer_gettime(id, old) != 0)
		return -1;
	need_hz();
	/* An absolute time on the timer's clock; clock_deadline asks the fork server for
	 * CLOCK_REALTIME's offset, so before the lock. A time already past is due now. */
	if (on && (flags & TIMER_ABSTIME)) {
		pthread_mutex_lock(&timer_lock);
		struct ptimer *t = timer_of(id);
		clockid_t clock = t ? t->clock : CLOCK_MONOTONIC;
		pthread_mutex_unlock(&timer_lock);
		if (!t)
			return -1;
		if (clock_deadline(clock, &v->it_value, &deadline) != 0) {
			errno = EINVAL;
			return -1;
		}
		if (deadline == 0)
			deadline = now_ticks();
	} else if (on) {
		deadline = ticks_after(now_ticks(), span_ticks(&v->it_value));
	}
	/* Centuries away (any tv_sec: no nanosecond count to wrap) stays armed, far off. */
	if (deadline > LATEST && on)
		deadline = LATEST;
	return arm(id, deadline, span_ticks(&v->it_interval));
}

int timer_getoverrun(timer_t id)
{
	pthread_mutex_lock(&timer_lock);
	struct ptimer *t = timer_of(id);
	int n = t ? t->overrun : -1;
	pthread_mutex_unlock(&timer_lock);
	return n;
}
