/*
 * Unnamed semaphores: value is the count. sem_wait takes one with a compare-and-swap, and
 * sleeps in the kernel while it is 0; sem_post adds one and wakes a sleeper only if a
 * thread is inside a wait. A semaphore in a MAP_SHARED page works between processes
 * (the kernel keys the word by its physical address).
 */
#include <errno.h>
#include <semaphore.h>

#include "futex.h"
#include "pthread_impl.h"

static int fail(int err)
{
	errno = err;
	return -1;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
	(void)pshared;
	if (value > SEM_VALUE_MAX)
		return fail(EINVAL);
	s->value = value;
	s->waiters = 0;
	return 0;
}

int sem_destroy(sem_t *s)
{
	(void)s;
	return 0;
}

/* Take one if the count is above 0: 1 if taken. */
static int take(sem_t *s)
{
	uint32_t v = __atomic_load_n(&s->value, __ATOMIC_RELAXED);
	while (v > 0)
		if (__atomic_compare_exchange_n(&s->value, &v, v - 1, 1, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
	return 0;
}

/* A cancellation point: a cancel acts before or between waits, never after taking one. */
static int wait_until(sem_t *s, uint64_t deadline)
{
	int err = 0;
	cancel_point();
	while (!take(s)) {
		__atomic_add_fetch(&s->waiters, 1, __ATOMIC_SEQ_CST);
		err = futex_wait(&s->value, 0, deadline);
		__atomic_sub_fetch(&s->waiters, 1, __ATOMIC_SEQ_CST);
		if (err) {
			err = take(s) ? 0 : err;
			break;
		}
		cancel_point();
	}
	return err ? fail(err) : 0;
}

int sem_wait(sem_t *s)
{
	return wait_until(s, FUTEX_FOREVER);
}

int sem_trywait(sem_t *s)
{
	return take(s) ? 0 : fail(EAGAIN);
}

/* POSIX 2024: timedwait with the clock abstime is on (CLOCK_REALTIME or CLOCK_MONOTONIC). */
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	uint64_t deadline;
	if (take(s))
		return 0; /* POSIX: the time is not checked when the count is above 0 */
	int err = clock_deadline(clock, abstime, &deadline);
	return err ? fail(err) : wait_until(s, deadline);
}

int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
	return sem_clockwait(s, CLOCK_REALTIME, abstime);
}

int sem_post(sem_t *s)
{
	uint32_t v = __atomic_load_n(&s->value, __ATOMIC_RELAXED);
	do {
		if (v >= SEM_VALUE_MAX)
			return fail(EOVERFLOW);
	} while (!__atomic_compare_exchange_n(&s->value, &v, v + 1, 1, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	if (__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST))
		futex_wake(&s->value, 1);
	return 0;
}

int sem_getvalue(sem_t *s, int *value)
{
	*value = (int)__atomic_load_n(&s->value, __ATOMIC_RELAXED);
	return 0;
}
