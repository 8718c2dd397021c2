/*
 * Read-write locks and barriers, built from a mutex and condition variables (so their
 * waiters sleep in the kernel too), and spin locks, which spin by definition but yield
 * the hart between tries.
 */
#include <errno.h>
#include <pthread.h>

#include "futex.h"
#include "pthread_impl.h"
#include "syscall.h"

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	a->pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
	(void)a;
	*l = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	return l->readers || l->writer ? EBUSY : 0;
}

/* Wait on cv for the lock's state to allow us: 0, ETIMEDOUT or EBUSY (try). */
static int rw_wait(pthread_rwlock_t *l, pthread_cond_t *cv, uint64_t deadline, int try)
{
	if (try)
		return EBUSY;
	int err = 0;
	int writer = cv == &l->writer_go;
	l->writers_waiting += writer;
	/* The condition variable by hand: the deadline is already in timebase ticks. */
	while (!err && (writer ? l->readers || l->writer : l->writer || l->writers_waiting)) {
		uint32_t seq = cv->seq;
		cv->waiters++;
		pthread_mutex_unlock(&l->lock);
		err = futex_wait(&cv->seq, seq, deadline);
		pthread_mutex_lock(&l->lock);
		cv->waiters--;
	}
	l->writers_waiting -= writer;
	if (err && (writer ? !l->readers && !l->writer : !l->writer && !l->writers_waiting))
		err = 0; /* the lock came free just as the time ran out: take it */
	return err;
}

static int rdlock(pthread_rwlock_t *l, uint64_t deadline, int try)
{
	pthread_mutex_lock(&l->lock);
	int err = l->writer == pthread_self_fast() ? EDEADLK : 0;
	if (!err && (l->writer || l->writers_waiting))
		err = rw_wait(l, &l->readers_go, deadline, try);
	if (!err)
		l->readers++;
	pthread_mutex_unlock(&l->lock);
	return err;
}

static int wrlock(pthread_rwlock_t *l, uint64_t deadline, int try)
{
	pthread_mutex_lock(&l->lock);
	int err = l->writer == pthread_self_fast() ? EDEADLK : 0;
	if (!err && (l->writer || l->readers))
		err = rw_wait(l, &l->writer_go, deadline, try);
	if (!err)
		l->writer = pthread_self_fast();
	pthread_mutex_unlock(&l->lock);
	return err;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return rdlock(l, FUTEX_FOREVER, 0);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return rdlock(l, 0, 1);
}

/* POSIX 2024: the timed locks with the clock abstime is on. */
int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *abstime)
{
	uint64_t deadline;
	int err = clock_deadline(clock, abstime, &deadline);
	return err ? err : rdlock(l, deadline, 0);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	return pthread_rwlock_clockrdlock(l, CLOCK_REALTIME, abstime);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return wrlock(l, FUTEX_FOREVER, 0);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return wrlock(l, 0, 1);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *abstime)
{
	uint64_t deadline;
	int err = clock_deadline(clock, abstime, &deadline);
	return err ? err : wrlock(l, deadline, 0);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	return pthread_rwlock_clockwrlock(l, CLOCK_REALTIME, abstime);
}

/* A writer's unlock lets a waiting writer in first, else every reader. */
int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	int err = 0;
	pthread_mutex_lock(&l->lock);
	if (l->writer == pthread_self_fast())
		l->writer = 0;
	else if (l->readers && !l->writer)
		l->readers--;
	else
		err = EPERM;
	if (!err && !l->readers && !l->writer) {
		if (l->writers_waiting)
			pthread_cond_signal(&l->writer_go);
		else
			pthread_cond_broadcast(&l->readers_go);
	}
	pthread_mutex_unlock(&l->lock);
	return err;
}

/* --- barriers --- */

int pthread_barrierattr_init(pthread_barrierattr_t *a)
{
	a->pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

/* Barriers and rwlocks keep all their state in themselves: shared pages work too. */
static int pshared_ok(int pshared)
{
	return pshared == PTHREAD_PROCESS_PRIVATE || pshared == PTHREAD_PROCESS_SHARED;
}

int pthread_barrierattr_setpshared(pthread_barrierattr_t *a, int pshared)
{
	if (!pshared_ok(pshared))
		return EINVAL;
	a->pshared = pshared;
	return 0;
}

int pthread_barrierattr_getpshared(const pthread_barrierattr_t *a, int *pshared)
{
	*pshared = a->pshared;
	return 0;
}

int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *a, int pshared)
{
	if (!pshared_ok(pshared))
		return EINVAL;
	a->pshared = pshared;
	return 0;
}

int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *a, int *pshared)
{
	*pshared = a->pshared;
	return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
	(void)a;
	if (count == 0)
		return EINVAL;
	pthread_mutex_init(&b->lock, 0);
	pthread_cond_init(&b->all_here, 0);
	b->count = count;
	b->waiting = 0;
	b->cycle = 0;
	return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	return b->waiting ? EBUSY : 0;
}

/* The last to arrive starts the next cycle and is the serial thread. */
int pthread_barrier_wait(pthread_barrier_t *b)
{
	pthread_mutex_lock(&b->lock);
	unsigned cycle = b->cycle;
	if (++b->waiting == b->count) {
		b->waiting = 0;
		b->cycle++;
		pthread_cond_broadcast(&b->all_here);
		pthread_mutex_unlock(&b->lock);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	while (b->cycle == cycle)
		pthread_cond_wait(&b->all_here, &b->lock);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* --- spin locks --- */

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
	(void)pshared;
	*s = 0;
	return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
	return *s ? EBUSY : 0;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
	return __atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

/* Spin on a plain load, and give the hart away between tries (the holder may need it). */
int pthread_spin_lock(pthread_spinlock_t *s)
{
	while (__atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(s, __ATOMIC_RELAXED))
			SYSCALL(yield);
	return 0;
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
	__atomic_store_n(s, 0, __ATOMIC_RELEASE);
	return 0;
}
