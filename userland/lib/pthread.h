/*
 * POSIX threads on the kernel's threads (userland/lib/pthread.c, docs/userland.md
 * "Threads"). Locks are a 32-bit word changed with atomics; only a thread that must wait
 * enters the kernel (futex_wait), and only an unlock that saw a waiter wakes one
 * (futex_wake). Cancellation: pthread_cancel.c.
 */
#ifndef USER_PTHREAD_H
#define USER_PTHREAD_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct pthread;
typedef struct pthread *pthread_t;

typedef struct {
	size_t stacksize;
	int detachstate;
	void *stackaddr;  /* pthread_attr_setstack: the caller's stack, or NULL */
	size_t guardsize; /* kept; the guard is always mmap's one-page gap */
	int inheritsched, schedpolicy;
	struct sched_param schedparam;
} pthread_attr_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1
#define PTHREAD_STACK_MIN	4096
#define PTHREAD_STACK_DEFAULT	(64 * 1024)

#define PTHREAD_MUTEX_NORMAL	 0
#define PTHREAD_MUTEX_RECURSIVE	 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT	 PTHREAD_MUTEX_NORMAL

#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED	1

/* Scheduling: one policy (SCHED_OTHER, priority 0), every thread in system scope. */
#define PTHREAD_SCOPE_SYSTEM   0
#define PTHREAD_SCOPE_PROCESS  1
#define PTHREAD_INHERIT_SCHED  0
#define PTHREAD_EXPLICIT_SCHED 1
#define PTHREAD_PRIO_NONE      0
#define PTHREAD_PRIO_INHERIT   1
#define PTHREAD_PRIO_PROTECT   2

/* Robustness (pthread_mutexattr_setrobust): a robust mutex whose owner dies gives the
 * next locker EOWNERDEAD (docs/userland.md, "Robust mutexes"). */
#define PTHREAD_MUTEX_STALLED 0
#define PTHREAD_MUTEX_ROBUST  1

/*
 * word: 0 free, 1 held, 2 held and someone may wait; for a robust mutex the owner's pid
 * (pthread_mutex.c). owner, owner_pid, count: recursive, errorcheck and robust ones.
 */
typedef struct {
	int type; /* PTHREAD_MUTEX_*, with MUTEX_ROBUST_FLAG for a robust one */
	volatile uint32_t word;
	pthread_t owner;
	unsigned count;
	int owner_pid;	   /* pthread_t values repeat across fork: the owner's process too */
	int robust_state;  /* 0, or an owner died (EOWNERDEAD given), or not recoverable */
	void *robust_next; /* the owning thread's list of robust mutexes it holds */
} pthread_mutex_t;

typedef struct {
	int type;
	int pshared;
	int protocol;
	int robust;
} pthread_mutexattr_t;

#define PTHREAD_MUTEX_INITIALIZER            \
	{                                    \
		.type = PTHREAD_MUTEX_NORMAL \
	}
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP  \
	{                                       \
		.type = PTHREAD_MUTEX_RECURSIVE \
	}
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP  \
	{                                        \
		.type = PTHREAD_MUTEX_ERRORCHECK \
	}

/* seq: bumped by every signal; waiters: threads inside a wait (a signal to none is free). */
typedef struct {
	volatile uint32_t seq;
	volatile uint32_t waiters;
	clockid_t clock;
} pthread_cond_t;

typedef struct {
	clockid_t clock;
	int pshared;
} pthread_condattr_t;

#define PTHREAD_COND_INITIALIZER     \
	{                            \
		0, 0, CLOCK_REALTIME \
	}

typedef struct {
	volatile uint32_t state; /* 0 not run, 1 running, 2 done */
} pthread_once_t;
#define PTHREAD_ONCE_INIT \
	{                 \
		0         \
	}

typedef unsigned pthread_key_t;
#define PTHREAD_KEYS_MAX	      128
#define PTHREAD_DESTRUCTOR_ITERATIONS 4

/* Writers first: a waiting writer holds new readers back. */
typedef struct {
	pthread_mutex_t lock;
	pthread_cond_t readers_go, writer_go;
	unsigned readers; /* holding a read lock */
	unsigned writers_waiting;
	pthread_t writer; /* holding the write lock, or NULL */
} pthread_rwlock_t;
typedef struct {
	int pshared;
} pthread_rwlockattr_t;
#define PTHREAD_RWLOCK_INITIALIZER                                                                \
	{                                                                                         \
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, \
			0, 0                                                                      \
	}

typedef struct {
	pthread_mutex_t lock;
	pthread_cond_t all_here;
	unsigned count, waiting, cycle;
} pthread_barrier_t;
typedef struct {
	int pshared;
} pthread_barrierattr_t;
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

typedef volatile uint32_t pthread_spinlock_t;

#define PTHREAD_CANCEL_ENABLE	    0
#define PTHREAD_CANCEL_DISABLE	    1
#define PTHREAD_CANCEL_DEFERRED	    0
#define PTHREAD_CANCEL_ASYNCHRONOUS 1
#define PTHREAD_CANCELED	    ((void *)-1)

#include <sys/types.h>
/* The CPU-time clock of thread t (time.c; clock_gettime reads it). */
int pthread_getcpuclockid(pthread_t t, clockid_t *clock_id);
int pthread_attr_init(pthread_attr_t *a);
int pthread_attr_destroy(pthread_attr_t *a);
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *a, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state);
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size);
int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size);
int pthread_attr_setguardsize(pthread_attr_t *a, size_t size);
int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size);
int pthread_attr_setscope(pthread_attr_t *a, int scope);
int pthread_attr_getscope(const pthread_attr_t *a, int *scope);
int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit);
int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit);
int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy);
int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy);
int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p);
int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p);
int pthread_setschedparam(pthread_t t, int policy, const struct sched_param *p);
int pthread_setschedprio(pthread_t t, int prio);
int pthread_getschedparam(pthread_t t, int *policy, struct sched_param *p);
int pthread_setconcurrency(int level);
int pthread_getconcurrency(void);

int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t t, void **ret);
int pthread_detach(pthread_t t);
void pthread_exit(void *ret) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
int pthread_cancel(pthread_t t);
int pthread_setcancelstate(int state, int *old);
int pthread_setcanceltype(int type, int *old);
void pthread_testcancel(void);
int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));

int pthread_mutexattr_init(pthread_mutexattr_t *a);
int pthread_mutexattr_destroy(pthread_mutexattr_t *a);
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared);
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol);
int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol);
int pthread_mutexattr_setrobust(pthread_mutexattr_t *a, int robust);
int pthread_mutexattr_getrobust(const pthread_mutexattr_t *a, int *robust);
int pthread_mutex_consistent(pthread_mutex_t *m);
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime);
/* POSIX 2024: the timed calls with the clock abstime is on (REALTIME or MONOTONIC). */
int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime);
int pthread_mutex_unlock(pthread_mutex_t *m);

int pthread_condattr_init(pthread_condattr_t *a);
int pthread_condattr_destroy(pthread_condattr_t *a);
int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock);
int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock);
int pthread_condattr_setpshared(pthread_condattr_t *a, int pshared);
int pthread_condattr_getpshared(const pthread_condattr_t *a, int *pshared);
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime);
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
			   const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);

int pthread_once(pthread_once_t *o, void (*fn)(void));
int pthread_key_create(pthread_key_t *k, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t k);
void *pthread_getspecific(pthread_key_t k);
int pthread_setspecific(pthread_key_t k, const void *v);

int pthread_rwlockattr_init(pthread_rwlockattr_t *a);
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a);
int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *a, int pshared);
int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *a, int *pshared);
int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a);
int pthread_rwlock_destroy(pthread_rwlock_t *l);
int pthread_rwlock_rdlock(pthread_rwlock_t *l);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l);
int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime);
int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
			       const struct timespec *abstime);
int pthread_rwlock_wrlock(pthread_rwlock_t *l);
int pthread_rwlock_trywrlock(pthread_rwlock_t *l);
int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime);
int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
			       const struct timespec *abstime);
int pthread_rwlock_unlock(pthread_rwlock_t *l);

int pthread_barrierattr_init(pthread_barrierattr_t *a);
int pthread_barrierattr_destroy(pthread_barrierattr_t *a);
int pthread_barrierattr_setpshared(pthread_barrierattr_t *a, int pshared);
int pthread_barrierattr_getpshared(const pthread_barrierattr_t *a, int *pshared);
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count);
int pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b);

int pthread_spin_init(pthread_spinlock_t *s, int pshared);
int pthread_spin_destroy(pthread_spinlock_t *s);
int pthread_spin_lock(pthread_spinlock_t *s);
int pthread_spin_trylock(pthread_spinlock_t *s);
int pthread_spin_unlock(pthread_spinlock_t *s);

/*
 * Cleanup handlers (pthread_cleanup.c): push and pop are one lexical block, as POSIX
 * requires; pthread_exit, and so a cancel, runs the thread's handlers still pushed,
 * newest first.
 */
struct pthread_cleanup_frame {
	void (*routine)(void *);
	void *arg;
	struct pthread_cleanup_frame *prev;
};
void pthread_cleanup_enter(struct pthread_cleanup_frame *f, void (*routine)(void *), void *arg);
void pthread_cleanup_leave(struct pthread_cleanup_frame *f, int execute);
#define pthread_cleanup_push(routine, arg)                   \
	do {                                                 \
		struct pthread_cleanup_frame cleanup_frame_; \
		pthread_cleanup_enter(&cleanup_frame_, (routine), (arg));
#define pthread_cleanup_pop(execute)                       \
	pthread_cleanup_leave(&cleanup_frame_, (execute)); \
	}                                                  \
	while (0)

#endif
