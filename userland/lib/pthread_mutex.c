/*
 * Mutexes and condition variables on futex_wait/futex_wake.
 *
 * A mutex word is 0 (free), 1 (held) or 2 (held, and a thread may be waiting). Locking
 * a free mutex is one compare-and-swap 0 -> 1 and unlocking one that nobody waits for is
 * one swap to 0: no system call. A thread that finds it held marks it 2 and sleeps in
 * the kernel while it stays 2; an unlock that swaps out a 2 wakes one sleeper, which
 * takes the lock as 2 again (others may still sleep).
 *
 * A robust mutex's word holds its owner's pid instead (and a waiters bit), so that a
 * waiter can see the owner's process end (proc_gone: a zombie counts). A thread that
 * ends holding robust mutexes marks each "owner dead" on its way out (pthread_exit).
 * Either way the next locker takes the mutex with EOWNERDEAD; unlocked without
 * pthread_mutex_consistent, it is not recoverable: every later lock fails.
 *
 * A condition variable counts signals in seq. A waiter reads seq, unlocks the mutex and
 * sleeps while seq is unchanged, so a signal between the unlock and the sleep is never
 * lost; waiters counts the threads inside a wait, so a signal to nobody is free.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "futex.h"
#include "proc.h"
#include "pthread_impl.h"

enum { FREE = FUTEX_LOCK_FREE, HELD = FUTEX_LOCK_HELD, CONTENDED = FUTEX_LOCK_WAITED };

/* pthread_mutex_t's type: the POSIX type in the low bits, then ours. */
#define MUTEX_KIND_MASK	   0x0f
#define MUTEX_ROBUST_FLAG  0x10 /* robust: the word holds the owner's pid */
#define MUTEX_PSHARED_FLAG 0x20 /* process-shared: ownership checks compare the pid too */

/* A robust mutex's word: 0 free, else the owner's pid with ROBUST_WAITERS. */
#define ROBUST_WAITERS	0x40000000u
#define ROBUST_PID_MASK 0x3fffffffu
#define ROBUST_DEAD	ROBUST_PID_MASK	      /* its owning thread ended holding it */
#define ROBUST_LOST	(ROBUST_PID_MASK - 1) /* not recoverable: every lock fails */
#define ROBUST_POLL_NS	10000000LL	      /* how often a waiter looks whether the owner lives */
#define NS_PER_S	1000000000LL

/* robust_state */
enum { ROBUST_CONSISTENT, ROBUST_INCONSISTENT, ROBUST_UNRECOVERABLE };

static int kind(const pthread_mutex_t *m)
{
	return m->type & MUTEX_KIND_MASK;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->type = PTHREAD_MUTEX_DEFAULT;
	a->pshared = PTHREAD_PROCESS_PRIVATE;
	a->protocol = PTHREAD_PRIO_NONE;
	a->robust = PTHREAD_MUTEX_STALLED;
	return 0;
}

int pthread_mutexattr_setrobust(pthread_mutexattr_t *a, int robust)
{
	if (robust != PTHREAD_MUTEX_STALLED && robust != PTHREAD_MUTEX_ROBUST)
		return EINVAL;
	a->robust = robust;
	return 0;
}

int pthread_mutexattr_getrobust(const pthread_mutexattr_t *a, int *robust)
{
	*robust = a->robust;
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
	if (!a)
		return 0;
	m->type = a->type;
	if (a->robust == PTHREAD_MUTEX_ROBUST)
		m->type |= MUTEX_ROBUST_FLAG;
	if (a->pshared == PTHREAD_PROCESS_SHARED)
		m->type |= MUTEX_PSHARED_FLAG;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->word != FREE && m->word != ROBUST_LOST ? EBUSY : 0;
}

/* ---- whose process: pthread_t values repeat across fork -------------------------- */

static pid_t cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

/* In a forked child: a new pid, and the robust mutexes the parent's thread held are
 * the parent's still. */
static void pid_after_fork(void)
{
	cached_pid = getpid();
	pthread_self_fast()->robust_held = 0;
}

static void pid_init(void)
{
	cached_pid = getpid();
	pthread_atfork(0, 0, pid_after_fork);
}

static pid_t my_pid(void)
{
	pthread_once(&pid_once, pid_init);
	return cached_pid;
}

/* Does the calling thread own m (a recursive, error-checking or robust one)? */
static int owned_here(const pthread_mutex_t *m, pthread_t self)
{
	if (m->owner != self)
		return 0;
	return !(m->type & (MUTEX_PSHARED_FLAG | MUTEX_ROBUST_FLAG)) || m->owner_pid == my_pid();
}

static void set_owner(pthread_mutex_t *m, pthread_t self)
{
	m->owner = self;
	m->owner_pid = m->type & (MUTEX_PSHARED_FLAG | MUTEX_ROBUST_FLAG) ? my_pid() : 0;
	m->count = 1;
}

/* ---- the plain word ------------------------------------------------------------- */

static int try_word(pthread_mutex_t *m)
{
	return futex_lock_try(&m->word);
}

/* The contended path: mark the word 2 and sleep until we swap a 0 out of it. */
static int lock_wait(pthread_mutex_t *m, uint64_t deadline)
{
	return futex_lock_wait(&m->word, deadline);
}

/* Ownership first, for recursive and error-checking mutexes: 0 to go on and lock, or
 * the call's answer in *ret. */
static int relock(pthread_mutex_t *m, pthread_t self, int try, int *ret)
{
	if (!owned_here(m, self))
		return 0;
	if (kind(m) == PTHREAD_MUTEX_RECURSIVE)
		*ret = m->count == UINT32_MAX ? EAGAIN : (m->count++, 0);
	else /* POSIX: trylock never reports deadlock */
		*ret = try ? EBUSY : EDEADLK;
	return 1;
}

/* Recursive and error-checking mutexes: ownership first, then the word. */
static int lock_owned(pthread_mutex_t *m, uint64_t deadline, int try)
{
	pthread_t self = pthread_self_fast();
	int ret;
	if (relock(m, self, try, &ret))
		return ret;
	if (!try_word(m)) {
		int err = try ? EBUSY : lock_wait(m, deadline);
		if (err)
			return err;
	}
	set_owner(m, self);
	return 0;
}

/* ---- robust mutexes ------------------------------------------------------------- */

/* Can the owner pid in a robust word no longer let it go? Our own process's threads
 * mark their mutexes as they end, so only other processes are asked about. */
static int owner_gone(uint32_t pid, pid_t me)
{
	if (pid == ROBUST_DEAD)
		return 1;
	if (pid == (uint32_t)me)
		return 0;
	return proc_gone((pid_t)pid);
}

/* Taken: record it, and keep it on our list for pthread_exit. err: 0 or EOWNERDEAD. */
static int robust_take(pthread_mutex_t *m, pthread_t self, int err)
{
	set_owner(m, self);
	if (err)
		m->robust_state = ROBUST_INCONSISTENT;
	m->robust_next = self->robust_held;
	self->robust_held = m;
	return err;
}

/* Sleep while the word holds w, until woken, the deadline, or the next look at the
 * owner: ETIMEDOUT only once the deadline has passed. */
static int robust_sleep(pthread_mutex_t *m, uint32_t w, uint64_t deadline)
{
	struct timespec now, at;
	uint64_t poll;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = (int64_t)now.tv_nsec + ROBUST_POLL_NS;
	at = (struct timespec){ now.tv_sec + ns / NS_PER_S, ns % NS_PER_S };
	if (clock_deadline(CLOCK_MONOTONIC, &at, &poll) != 0 || poll > deadline)
		poll = deadline;
	if (futex_wait(&m->word, w, poll) == ETIMEDOUT && poll == deadline)
		return ETIMEDOUT;
	return 0;
}

static int robust_lock(pthread_mutex_t *m, uint64_t deadline, int try)
{
	pthread_t self = pthread_self_fast();
	pid_t me = my_pid();
	int ret, waited = 0;
	if (relock(m, self, try, &ret))
		return ret;
	for (;;) {
		uint32_t w = __atomic_load_n(&m->word, __ATOMIC_ACQUIRE), pid = w & ROBUST_PID_MASK;
		uint32_t mine = (uint32_t)me | (waited ? ROBUST_WAITERS : 0);
		if (pid == ROBUST_LOST)
			return ENOTRECOVERABLE;
		if (w == FREE || owner_gone(pid, me)) {
			if (w != FREE)
				mine |= w & ROBUST_WAITERS;
			if (__atomic_compare_exchange_n(&m->word, &w, mine, 0, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return robust_take(m, self, w == FREE ? 0 : EOWNERDEAD);
			continue;
		}
		if (try)
			return EBUSY;
		if (!(w & ROBUST_WAITERS) &&
		    !__atomic_compare_exchange_n(&m->word, &w, w | ROBUST_WAITERS, 0,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			continue;
		waited = 1;
		if (robust_sleep(m, w | ROBUST_WAITERS, deadline) == ETIMEDOUT)
			return ETIMEDOUT;
	}
}

static void robust_forget(pthread_mutex_t *m, pthread_t self)
{
	pthread_mutex_t **link = &self->robust_held;
	while (*link && *link != m)
		link = (pthread_mutex_t **)&(*link)->robust_next;
	if (*link)
		*link = m->robust_next;
	m->robust_next = 0;
	m->owner = 0;
	m->count = 0;
}

/* Let the word go as next (free, or not recoverable), waking whoever must see it. */
static void robust_release(pthread_mutex_t *m, uint32_t next)
{
	uint32_t old = __atomic_exchange_n(&m->word, next, __ATOMIC_RELEASE);
	if (next != FREE)
		futex_wake(&m->word, UINT32_MAX);
	else if (old & ROBUST_WAITERS)
		futex_wake(&m->word, 1);
}

static int robust_unlock(pthread_mutex_t *m)
{
	pthread_t self = pthread_self_fast();
	if (!owned_here(m, self))
		return EPERM;
	if (--m->count)
		return 0;
	robust_forget(m, self);
	/* An owner's death never made good (pthread_mutex_consistent): lost for good. */
	if (m->robust_state == ROBUST_INCONSISTENT) {
		m->robust_state = ROBUST_UNRECOVERABLE;
		robust_release(m, ROBUST_LOST);
	} else {
		robust_release(m, FREE);
	}
	return 0;
}

void pthread_robust_exit(struct pthread *t)
{
	pthread_mutex_t *m;
	while ((m = t->robust_held) != 0) {
		robust_forget(m, t);
		robust_release(m, ROBUST_DEAD | ROBUST_WAITERS);
	}
}

int pthread_mutex_consistent(pthread_mutex_t *m)
{
	if (!(m->type & MUTEX_ROBUST_FLAG) || m->robust_state != ROBUST_INCONSISTENT ||
	    !owned_here(m, pthread_self_fast()))
		return EINVAL;
	m->robust_state = ROBUST_CONSISTENT;
	return 0;
}

/* ---- the calls ------------------------------------------------------------------ */

/* Everything but a free private normal mutex: out of line, so the fast path needs no
 * frame. */
static int __attribute__((noinline)) lock_slow(pthread_mutex_t *m, uint64_t deadline, int try)
{
	if (m->type & MUTEX_ROBUST_FLAG)
		return robust_lock(m, deadline, try);
	if (kind(m) != PTHREAD_MUTEX_NORMAL)
		return lock_owned(m, deadline, try);
	if (try_word(m))
		return 0;
	return try ? EBUSY : lock_wait(m, deadline);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL && try_word(m))
		return 0;
	return lock_slow(m, FUTEX_FOREVER, 0);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL)
		return try_word(m) ? 0 : EBUSY;
	return lock_slow(m, 0, 1);
}

/* POSIX 2024: timedlock with the clock abstime is on (CLOCK_REALTIME or CLOCK_MONOTONIC). */
int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	uint64_t deadline;
	if (m->type == PTHREAD_MUTEX_NORMAL && try_word(m))
		return 0; /* POSIX: the time is not checked when the lock is free */
	int err = lock_slow(m, 0, 1);
	if (err != EBUSY)
		return err;
	err = clock_deadline(clock, abstime, &deadline);
	return err ? err : lock_slow(m, deadline, 0);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	return pthread_mutex_clocklock(m, CLOCK_REALTIME, abstime);
}

static void __attribute__((noinline)) wake_one(pthread_mutex_t *m)
{
	futex_wake(&m->word, 1);
}

static void unlock_word(pthread_mutex_t *m)
{
	if (futex_lock_give(&m->word))
		wake_one(m);
}

static int __attribute__((noinline)) unlock_slow(pthread_mutex_t *m)
{
	if (m->type & MUTEX_ROBUST_FLAG)
		return robust_unlock(m);
	if (kind(m) == PTHREAD_MUTEX_NORMAL) {
		unlock_word(m);
		return 0;
	}
	if (!owned_here(m, pthread_self_fast()))
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
		return unlock_slow(m);
	unlock_word(m);
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
 * by a broadcast queue on the mutex, and each unlock must wake the next). A robust m is
 * relocked as pthread_mutex_lock would: its owner may have died meanwhile (EOWNERDEAD).
 */
static inline __attribute__((always_inline)) int cond_wait(pthread_cond_t *c, pthread_mutex_t *m,
							   uint64_t deadline)
{
	int robust = m->type & MUTEX_ROBUST_FLAG;
	int typed = kind(m) != PTHREAD_MUTEX_NORMAL || robust;
	pthread_t self = pthread_self_fast();
	unsigned count = m->count;
	if (typed && !owned_here(m, self))
		return EPERM;
	__atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
	if (robust) {
		robust_forget(m, self);
		robust_release(m, FREE);
	} else {
		if (typed)
			m->owner = 0, m->count = 0;
		unlock_word(m);
	}
	int err = futex_wait(&c->seq, seq, deadline);
	__atomic_sub_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	if (robust) {
		int lerr = robust_lock(m, FUTEX_FOREVER, 0);
		if (lerr == ENOTRECOVERABLE)
			return lerr;
		m->count = count;
		return lerr ? lerr : err;
	}
	lock_wait(m, FUTEX_FOREVER);
	if (typed)
		set_owner(m, self), m->count = count;
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
	return pthread_cond_clockwait(c, m, c->clock, abstime);
}

/* POSIX 2024: timedwait on the clock the call names, whatever the condition's attribute. */
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
			   const struct timespec *abstime)
{
	uint64_t deadline;
	int err = clock_deadline(clock, abstime, &deadline);
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
