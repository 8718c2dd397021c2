/*
 * Mutexes and condition variables on futex_wait/futex_wake.
 *
 * A mutex word is 0 (free), 1 (held) or 2 (held, and a thread may be waiting). Locking
 * a free mutex is one compare-and-swap 0 -> 1 and unlocking one that nobody waits for is
 * one swap to 0: no system call. A thread that finds it held marks it 2 and sleeps in
 * the kernel while it stays 2; an unlock that swaps out a 2 wakes one sleeper, which
 * takes the lock as 2 again (others may still sleep).
 *
 * A condition variable counts signals in seq. A waiter reads seq, unlocks the mutex and
 * sleeps while seq is unchanged, so a signal between the unlock and the sleep is never
 * lost; waiters counts the threads inside a wait, so a signal to nobody is free.
 */
#include <errno.h>
#include <pthread.h>

#include "futex.h"
#include "pthread_impl.h"

enum { FREE, HELD, CONTENDED };

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->type = PTHREAD_MUTEX_DEFAULT;
	a->pshared = PTHREAD_PROCESS_PRIVATE;
	a->protocol = PTHREAD_PRIO_NONE;
	return 0;
}

/* One priority for every thread: priority inheritance and ceilings are not offered. */
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol)
{
	if (protocol == PTHREAD_PRIO_INHERIT || protocol == PTHREAD_PRIO_PROTECT)
		return ENOTSUP;
	if (protocol != PTHREAD_PRIO_NONE)
		return EINVAL;
	a->protocol = protocol;
	return 0;
}

int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol)
{
	*protocol = a->protocol;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	    type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->type;
	return 0;
}

/* Process-shared works as is: a word in a MAP_SHARED page is keyed physically. */
int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared)
{
	if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
		return EINVAL;
	a->pshared = pshared;
	return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared)
{
	*pshared = a->pshared;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	*m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	if (a)
		m->type = a->type;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->word != FREE ? EBUSY : 0;
}

static int try_word(pthread_mutex_t *m)
{
	uint32_t expect = FREE;
	return __atomic_compare_exchange_n(&m->word, &expect, HELD, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* The contended path: mark the word 2 and sleep until we swap a 0 out of it. */
static int lock_wait(pthread_mutex_t *m, uint64_t deadline)
{
	while (__atomic_exchange_n(&m->word, CONTENDED, __ATOMIC_ACQUIRE) != FREE)
		if (futex_wait(&m->word, CONTENDED, deadline) == ETIMEDOUT)
			return ETIMEDOUT;
	return 0;
}

/* Recursive and error-checking mutexes: ownership first, then the word. */
static int lock_owned(pthread_mutex_t *m, uint64_t deadline, int try)
{
	pthread_t self = pthread_self_fast();
	if (m->owner == self) {
		if (m->type == PTHREAD_MUTEX_ERRORCHECK)
			return try ? EBUSY : EDEADLK; /* POSIX: trylock never reports deadlock */
		if (m->count == UINT32_MAX)
			return EAGAIN;
		m->count++;
		return 0;
	}
	if (!try_word(m)) {
		int err = try ? EBUSY : lock_wait(m, deadline);
		if (err)
			return err;
	}
	m->owner = self;
	m->count = 1;
	return 0;
}

/* Everything but a free normal mutex: out of line, so the fast path needs no frame. */
static int __attribute__((noinline)) lock_slow(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL)
		return lock_wait(m, FUTEX_FOREVER);
	return lock_owned(m, FUTEX_FOREVER, 0);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL && try_word(m))
		return 0;
	return lock_slow(m);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL)
		return try_word(m) ? 0 : EBUSY;
	return lock_owned(m, 0, 1);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	uint64_t deadline;
	if (m->type == PTHREAD_MUTEX_NORMAL && try_word(m))
		return 0; /* POSIX: the time is not checked when the lock is free */
	int err = clock_deadline(CLOCK_REALTIME, abstime, &deadline);
	if (err)
		return err;
	if (m->type == PTHREAD_MUTEX_NORMAL)
		return lock_wait(m, deadline);
	return lock_owned(m, deadline, 0);
}

static void __attribute__((noinline)) wake_one(pthread_mutex_t *m)
{
	futex_wake(&m->word, 1);
}

static void unlock_word(pthread_mutex_t *m)
{
	if (__atomic_exchange_n(&m->word, FREE, __ATOMIC_RELEASE) == CONTENDED)
		wake_one(m);
}

static int __attribute__((noinline)) unlock_owned(pthread_mutex_t *m)
{
	if (m->owner != pthread_self_fast())
		return EPERM;
	if (--m->count)
		return 0;
	m->owner = 0;
	unlock_word(m);
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (m->type != PTHREAD_MUTEX_NORMAL)
		return unlock_owned(m);
	if (__atomic_exchange_n(&m->word, FREE, __ATOMIC_RELEASE) == CONTENDED)
		wake_one(m);
	return 0;
}

/* --- condition variables --- */

int pthread_condattr_init(pthread_condattr_t *a)
{
	a->clock = CLOCK_REALTIME;
	a->pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	a->clock = clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
	*clock = a->clock;
	return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *a, int pshared)
{
	if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
		return EINVAL;
	a->pshared = pshared;
	return 0;
}

int pthread_condattr_getpshared(const pthread_condattr_t *a, int *pshared)
{
	*pshared = a->pshared;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	*c = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	if (a)
		c->clock = a->clock;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	return c->waiters ? EBUSY : 0;
}

/*
 * Unlock m completely, sleep on the signal count, relock m as contended (threads woken
 * by a broadcast queue on the mutex, and each unlock must wake the next).
 */
static inline __attribute__((always_inline)) int cond_wait(pthread_cond_t *c, pthread_mutex_t *m,
							   uint64_t deadline)
{
	int typed = m->type != PTHREAD_MUTEX_NORMAL;
	pthread_t owner = m->owner;
	unsigned count = m->count;
	if (typed && owner != pthread_self_fast())
		return EPERM;
	__atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
	if (typed)
		m->owner = 0, m->count = 0;
	unlock_word(m);
	int err = futex_wait(&c->seq, seq, deadline);
	__atomic_sub_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	lock_wait(m, FUTEX_FOREVER);
	if (typed)
		m->owner = owner, m->count = count;
	return err;
}

/* A cancellation point: a cancel acts once m is locked again, as POSIX says. */
static int cond_wait_point(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
	cancel_point();
	int err = cond_wait(c, m, deadline);
	cancel_point();
	return err;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait_point(c, m, FUTEX_FOREVER);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	uint64_t deadline;
	int err = clock_deadline(c->clock, abstime, &deadline);
	return err ? err : cond_wait_point(c, m, deadline);
}

static int cond_wake(pthread_cond_t *c, uint32_t n)
{
	__atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST))
		futex_wake(&c->seq, n);
	return 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	return cond_wake(c, 1);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	return cond_wake(c, UINT32_MAX);
}
