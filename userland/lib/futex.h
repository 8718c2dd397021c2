/*
 * The C library's side of the kernel's futex_wait and futex_wake (docs/syscalls.md 38,
 * 39), and the conversion of an absolute timeout on a POSIX clock to the kernel's
 * deadline in timebase ticks (time.c).
 */
#ifndef USER_FUTEX_H
#define USER_FUTEX_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "syscall.h"

/* No deadline: futex_wait waits until woken. */
#define FUTEX_FOREVER UINT64_MAX

/*
 * The timebase deadline for abstime on clock: 0 and *ticks, or EINVAL (a bad clock or
 * tv_nsec). A time already past gives a deadline in the past (the wait times out at once).
 * NULL abstime gives FUTEX_FOREVER.
 */
int clock_deadline(clockid_t clock, const struct timespec *abstime, uint64_t *ticks);

/*
 * Timebase conversions that saturate rather than wrap (time.c). span_ticks: a span of
 * time (tv_sec >= 0, tv_nsec valid) in ticks, rounded up so a deadline made from it is
 * never early, and UINT64_MAX when it does not fit; it converts seconds and nanoseconds
 * apart, since a count of nanoseconds wraps past 584 years, a span POSIX lets a caller
 * give. ticks_after: the deadline span ticks after now, FUTEX_FOREVER when past what the
 * timebase counts. ticks_to_timespec: ticks as seconds and nanoseconds, likewise apart.
 */
uint64_t span_ticks(const struct timespec *span);
uint64_t ticks_after(uint64_t now, uint64_t span);
void ticks_to_timespec(uint64_t t, struct timespec *ts);

/* The timebase now (rdtime): what a deadline is counted in. */
static inline uint64_t timebase_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Sleep while *w == val, until woken or the deadline: 0 (woken, or *w differed) or ETIMEDOUT. */
static inline int futex_wait(volatile uint32_t *w, uint32_t val, uint64_t deadline)
{
	long r = SYSCALL(futex_wait, (uintptr_t)w, val, deadline);
	return r == E_TIMEOUT ? ETIMEDOUT : 0;
}

/* Wake up to n threads sleeping on w. */
static inline void futex_wake(volatile uint32_t *w, uint32_t n)
{
	SYSCALL(futex_wake, (uintptr_t)w, n);
}

/*
 * A lock in one futex word: free, held, or held with a waiter that may sleep on it. Taking
 * a free one is a compare-and-swap, giving it back a swap: both inline. A taker that
 * finds it held marks it and sleeps until it swaps a free word out (futex_lock_wait); a
 * giver that swaps a marked word out wakes one sleeper. pthread mutexes' plain word
 * (pthread_mutex.c) and the fork server's table lock.
 */
enum { FUTEX_LOCK_FREE, FUTEX_LOCK_HELD, FUTEX_LOCK_WAITED };

static inline int futex_lock_try(volatile uint32_t *w)
{
	uint32_t free = FUTEX_LOCK_FREE;
	return __atomic_compare_exchange_n(w, &free, FUTEX_LOCK_HELD, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* The taken lock's wait: 0 once it is ours (left marked), or ETIMEDOUT at the deadline. */
static inline int futex_lock_wait(volatile uint32_t *w, uint64_t deadline)
{
	while (__atomic_exchange_n(w, FUTEX_LOCK_WAITED, __ATOMIC_ACQUIRE) != FUTEX_LOCK_FREE)
		if (futex_wait(w, FUTEX_LOCK_WAITED, deadline) == ETIMEDOUT)
			return ETIMEDOUT;
	return 0;
}

/* Give the lock back: true if it was marked, and the caller must wake one (futex_wake). */
static inline int futex_lock_give(volatile uint32_t *w)
{
	return __atomic_exchange_n(w, FUTEX_LOCK_FREE, __ATOMIC_RELEASE) == FUTEX_LOCK_WAITED;
}

#endif
