/*
 * An audit of threads and memory mappings against POSIX.1-2017, as a program ported
 * from Linux uses them. Threads: create, join and exit values, join misuse, self and
 * equal, once under contention, keys and their destructors, the three mutex types,
 * trylock and timedlock, condition variables (timed waits on either clock, broadcast),
 * read-write locks, barriers, semaphores, deferred cancellation with cleanup handlers,
 * per-thread signal masks, fork of a threaded process, thread-local storage, and the end
 * of the process with its last thread. Mappings: anonymous private and shared memory
 * across fork, shared and private file mappings, partial munmap, mprotect, MAP_FIXED,
 * the argument errors, and SIGBUS past the end of a file. Each CHECK asserts what POSIX
 * specifies (the comment names the rule), nothing Linux-only; where POSIX leaves a
 * misuse undefined and only recommends an error, the comment says so. Files live under
 * /tmp/pta_*. Nothing here asserts a timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE	   4096
#define MAPF	   "/tmp/pta_map"
#define NTHREADS   4
#define LIMIT_MS   3000 /* how long a poll waits for something that should come at once */
#define FILE_BYTES (2 * PAGE + 100)

/* --- helpers --------------------------------------------------------------------- */

/* Poll until *w == want, up to limit_ms: 1 if it got there. */
static int wait_for(volatile int *w, int want, int limit_ms)
{
	for (int i = 0; i < limit_ms; i++) {
		if (__atomic_load_n(w, __ATOMIC_SEQ_CST) == want)
			return 1;
		ms_sleep(1);
	}
	return __atomic_load_n(w, __ATOMIC_SEQ_CST) == want;
}

/* Now on clock c, plus ms; a negative ms gives a time past (no earlier than 0). */
static struct timespec ts_in(clockid_t c, long ms)
{
	struct timespec t;
	clock_gettime(c, &t);
	long long ns = (long long)t.tv_sec * 1000000000LL + t.tv_nsec + ms * 1000000LL;
	if (ns < 0)
		ns = 0; /* CLOCK_MONOTONIC starts near 0 at boot */
	t.tv_sec = (time_t)(ns / 1000000000LL);
	t.tv_nsec = (long)(ns % 1000000000LL);
	return t;
}

/* Has clock c reached at? */
static int reached(clockid_t c, struct timespec at)
{
	struct timespec now;
	clock_gettime(c, &now);
	return now.tv_sec > at.tv_sec || (now.tv_sec == at.tv_sec && now.tv_nsec >= at.tv_nsec);
}

/* Run fn(arg) in a forked child, which then exits 0: its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	pid_t p = fork();
	if (p == 0) {
		fn(arg);
		_exit(0);
	}
	int st = -1;
	if (p < 0 || waitpid(p, &st, 0) != p)
		return -1;
	return st;
}

static int died_of(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

/* The child ran to _exit(0). */
static int exited_ok(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void load_from(void *a)
{
	(void)*(volatile char *)a;
}

static void store_to(void *a)
{
	*(volatile char *)a = 1;
}

/* fn(arg) on a new thread: its result, or -999 if no thread could be made. */
static long in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *r = (void *)-999L;
	if (pthread_create(&t, 0, fn, arg) != 0)
		return -999;
	pthread_join(t, &r);
	return (long)r;
}

/* --- create, join, exit, self, equal --------------------------------------------- */

static pthread_t seen_self;

static void *ret_plus_one(void *a)
{
	seen_self = pthread_self();
	return (char *)a + 1;
}

static void exit_deep(void)
{
	pthread_exit((void *)0x5eed);
}

static void *exits_early(void *a)
{
	(void)a;
	exit_deep();
	return 0;
}

static sem_t hold_sem;

static void *waits_on_hold(void *a)
{
	(void)a;
	while (sem_wait(&hold_sem) != 0)
		;
	return 0;
}

/*
 * Misuse POSIX leaves undefined, in a child so that a crash stays there. XSH pthread_join
 * RATIONALE: an implementation that detects a thread that is not joinable should report
 * EINVAL, and one that detects an ID used after its lifetime (joined already) ESRCH.
 * Exit status bits: 1 join of a detached thread, 2 detach of a detached thread, 4 a
 * second join.
 */
static void join_misuse(void *unused)
{
	(void)unused;
	int bad = 0;
	pthread_attr_t a;
	pthread_t t, u;
	sem_init(&hold_sem, 0, 0);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, waits_on_hold, 0) != 0)
		_exit(100);
	if (pthread_join(t, 0) != EINVAL)
		bad |= 1;
	if (pthread_detach(t) != EINVAL)
		bad |= 2;
	sem_post(&hold_sem);
	/* A second join of a joined thread is undefined (its record is gone): not tried. */
	if (pthread_create(&u, 0, ret_plus_one, 0) != 0 || pthread_join(u, 0) != 0)
		_exit(101);
	_exit(bad);
}

static void create_join(void)
{
	pthread_t t;
	void *r = 0;
	CHECK_EQ(pthread_create(&t, 0, ret_plus_one, (void *)100), 0); /* 0 on success */
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == (void *)101);		 /* the start routine's return is the exit status */
	CHECK(pthread_equal(seen_self, t) != 0); /* pthread_self is the ID create stored */
	CHECK(pthread_equal(pthread_self(), t) == 0);
	CHECK(pthread_equal(pthread_self(), pthread_self()) != 0);
	CHECK_EQ(pthread_create(&t, 0, exits_early, 0), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == (void *)0x5eed); /* pthread_exit's value reaches the joiner */
	/* pthread_join: EDEADLK when thread is the calling thread (may fail; the rationale
	 * recommends it) */
	CHECK_EQ(pthread_join(pthread_self(), &r), EDEADLK);
	pthread_attr_t a;
	CHECK_EQ(pthread_attr_init(&a), 0);
	int ds = -1;
	CHECK_EQ(pthread_attr_getdetachstate(&a, &ds), 0);
	CHECK_EQ(ds, PTHREAD_CREATE_JOINABLE);			  /* the default detachstate */
	CHECK_EQ(pthread_attr_setdetachstate(&a, 12345), EINVAL); /* shall fail */
	CHECK_EQ(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN - 1), EINVAL); /* shall fail */
	CHECK_EQ(pthread_attr_destroy(&a), 0);

	int st = in_child(join_misuse, 0);
	CHECK(st != -1 && WIFEXITED(st));
	if (st != -1 && WIFEXITED(st)) {
		CHECK_EQ(WEXITSTATUS(st) & 1,
			 0); /* join of a detached thread: EINVAL (UB; advised) */
		CHECK_EQ(WEXITSTATUS(st) & 2,
			 0); /* detach of a detached one: EINVAL (UB; advised) */
		CHECK(WEXITSTATUS(st) < 100);
	}
}

/* --- once ------------------------------------------------------------------------ */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static volatile int once_runs, once_early;

static void once_init(void)
{
	ms_sleep(20); /* the others arrive meanwhile */
	__atomic_add_fetch(&once_runs, 1, __ATOMIC_SEQ_CST);
}

static void *once_caller(void *a)
{
	(void)a;
	CHECK_EQ(pthread_once(&once, once_init), 0);
	if (__atomic_load_n(&once_runs, __ATOMIC_SEQ_CST) != 1)
		__atomic_add_fetch(&once_early, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void once_test(void)
{
	pthread_t t[NTHREADS];
	int made = 0;
	for (int i = 0; i < NTHREADS; i++)
		made += pthread_create(&t[i], 0, once_caller, 0) == 0;
	CHECK_EQ(made, NTHREADS);
	once_caller(0);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], 0);
	CHECK_EQ(once_runs, 1);	 /* pthread_once: init_routine is called once only */
	CHECK_EQ(once_early, 0); /* and has completed when any pthread_once returns */
}

/* --- keys -------------------------------------------------------------------------- */

static pthread_key_t key_a, key_b;
static volatile int dtor_a_calls, dtor_b_calls, dtor_saw_null = -1;
static void *volatile dtor_a_value;
static int main_slot, thread_slot;

static void dtor_a(void *v)
{
	dtor_a_calls++;
	dtor_a_value = v;
	dtor_saw_null = pthread_getspecific(key_a) == 0;
}

static void dtor_b(void *v)
{
	(void)v;
	dtor_b_calls++;
}

static void *key_thread(void *a)
{
	(void)a;
	void *initial = pthread_getspecific(key_a);
	pthread_setspecific(key_a, &thread_slot);
	pthread_setspecific(key_b, 0);
	return initial;
}

static void keys_test(void)
{
	CHECK_EQ(pthread_key_create(&key_a, dtor_a), 0);
	CHECK_EQ(pthread_key_create(&key_b, dtor_b), 0);
	CHECK(pthread_getspecific(key_a) == 0); /* a new key is NULL in every thread */
	CHECK_EQ(pthread_setspecific(key_a, &main_slot), 0);
	CHECK(pthread_getspecific(key_a) == &main_slot);
	void *r = (void *)1;
	pthread_t t;
	CHECK_EQ(pthread_create(&t, 0, key_thread, 0), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == 0); /* a new thread's values start NULL */
	/* pthread_key_create: at thread exit a non-NULL value's destructor is called with it,
	 * the value set to NULL first; a NULL value's is not called */
	CHECK_EQ(dtor_a_calls, 1);
	CHECK(dtor_a_value == &thread_slot);
	CHECK_EQ(dtor_saw_null, 1);
	CHECK_EQ(dtor_b_calls, 0);
	CHECK(pthread_getspecific(key_a) == &main_slot); /* values are per thread */
	CHECK_EQ(pthread_key_delete(key_a), 0);
	CHECK_EQ(pthread_key_delete(key_b), 0);
	CHECK_EQ(dtor_a_calls, 1); /* key_delete calls no destructor */
}

/* --- mutexes ------------------------------------------------------------------------ */

/* trylock from another thread, letting go at once of a mutex it got. */
static void *try_other(void *a)
{
	int e = pthread_mutex_trylock((pthread_mutex_t *)a);
	if (e == 0)
		pthread_mutex_unlock((pthread_mutex_t *)a);
	return (void *)(long)e;
}

static void *unlock_other(void *a)
{
	return (void *)(long)pthread_mutex_unlock((pthread_mutex_t *)a);
}

/* timedlock from another thread, letting go at once of a mutex it got. */
static void *timedlock_past(void *a)
{
	struct timespec ts = ts_in(CLOCK_REALTIME, -1000);
	int e = pthread_mutex_timedlock((pthread_mutex_t *)a, &ts);
	if (e == 0)
		pthread_mutex_unlock((pthread_mutex_t *)a);
	return (void *)(long)e;
}

static void *timedlock_bad_ns(void *a)
{
	struct timespec ts = ts_in(CLOCK_REALTIME, 1000);
	ts.tv_nsec = 1000000000L;
	return (void *)(long)pthread_mutex_timedlock((pthread_mutex_t *)a, &ts);
}

static void mutex_test(void)
{
	pthread_mutexattr_t ma;
	pthread_mutex_t m;
	int type = -1;
	CHECK_EQ(pthread_mutexattr_init(&ma), 0);
	CHECK_EQ(pthread_mutexattr_gettype(&ma, &type), 0);
	CHECK_EQ(type, PTHREAD_MUTEX_DEFAULT); /* the default type attribute */
	CHECK_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_DEFAULT), 0);
	CHECK_EQ(pthread_mutexattr_settype(&ma, 12345), EINVAL); /* shall fail */

	/* PTHREAD_MUTEX_ERRORCHECK */
	CHECK_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK), 0);
	CHECK_EQ(pthread_mutexattr_gettype(&ma, &type), 0);
	CHECK_EQ(type, PTHREAD_MUTEX_ERRORCHECK);
	CHECK_EQ(pthread_mutex_init(&m, &ma), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), EDEADLK);    /* relock by the owner: EDEADLK */
	CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);   /* trylock of a locked mutex: EBUSY */
	CHECK_EQ(in_thread(unlock_other, &m), EPERM); /* unlock by a non-owner: EPERM */
	CHECK_EQ(in_thread(try_other, &m), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM); /* unlock of an unlocked one: EPERM */
	CHECK_EQ(in_thread(try_other, &m), 0);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);

	/* PTHREAD_MUTEX_RECURSIVE: a lock count; unlocked when it reaches zero */
	CHECK_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE), 0);
	CHECK_EQ(pthread_mutex_init(&m, &ma), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_trylock(&m), 0); /* the owner's trylock counts, too */
	CHECK_EQ(in_thread(try_other, &m), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(in_thread(try_other, &m), EBUSY); /* still held once */
	CHECK_EQ(in_thread(unlock_other, &m), EPERM);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM); /* not owned any more: EPERM */
	CHECK_EQ(in_thread(try_other, &m), 0);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
	CHECK_EQ(pthread_mutexattr_destroy(&ma), 0);

	/* The default type: trylock of a held mutex is EBUSY, whoever holds it */
	CHECK_EQ(pthread_mutex_init(&m, 0), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
	CHECK_EQ(in_thread(try_other, &m), EBUSY);
	/* pthread_mutex_timedlock: ETIMEDOUT for a time already past when it would block;
	 * EINVAL for tv_nsec >= 1000 million when it would block (both shall fail) */
	CHECK_EQ(in_thread(timedlock_past, &m), ETIMEDOUT);
	CHECK_EQ(in_thread(timedlock_bad_ns, &m), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(in_thread(try_other, &m), 0);
	CHECK_EQ(in_thread(timedlock_past, &m), 0); /* free: taken, whatever the time */
	CHECK_EQ(pthread_mutex_trylock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
}

/* --- condition variables --------------------------------------------------------- */

static pthread_mutex_t bc_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bc_c = PTHREAD_COND_INITIALIZER;
static int bc_waiting, bc_go, bc_woken, bc_timeouts;

static void *bc_waiter(void *a)
{
	(void)a;
	struct timespec dl = ts_in(CLOCK_REALTIME, LIMIT_MS);
	pthread_mutex_lock(&bc_m);
	bc_waiting++;
	while (!bc_go)
		if (pthread_cond_timedwait(&bc_c, &bc_m, &dl) == ETIMEDOUT) {
			bc_timeouts++;
			break;
		}
	bc_woken += bc_go;
	pthread_mutex_unlock(&bc_m);
	return 0;
}

static void cond_test(void)
{
	pthread_mutexattr_t ma;
	pthread_mutex_t m;
	pthread_cond_t c;
	pthread_condattr_t ca;
	clockid_t clk = -1;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	CHECK_EQ(pthread_mutex_init(&m, &ma), 0);
	CHECK_EQ(pthread_cond_init(&c, 0), 0);
	CHECK_EQ(pthread_cond_signal(&c), 0); /* no waiter: no effect */
	CHECK_EQ(pthread_cond_broadcast(&c), 0);

	/* A time already past: ETIMEDOUT, with the mutex locked and owned again */
	struct timespec at = ts_in(CLOCK_REALTIME, -1000);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &at), ETIMEDOUT);
	CHECK_EQ(pthread_mutex_unlock(&m), 0); /* owned: an error-checking unlock succeeds */
	/* A time ahead: ETIMEDOUT only once the time has passed on the CLOCK_REALTIME clock */
	at = ts_in(CLOCK_REALTIME, 30);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	int e;
	while ((e = pthread_cond_timedwait(&c, &m, &at)) == 0)
		; /* a spurious wake-up may happen */
	CHECK_EQ(e, ETIMEDOUT);
	CHECK(reached(CLOCK_REALTIME, at));
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	/* EPERM: an error-checking mutex the caller does not own (shall fail) */
	at = ts_in(CLOCK_REALTIME, -1000);
	e = pthread_cond_timedwait(&c, &m, &at);
	CHECK_EQ(e, EPERM);
	if (e == 0 || e == ETIMEDOUT)
		pthread_mutex_unlock(&m);
	CHECK_EQ(pthread_cond_destroy(&c), 0);

	/* pthread_condattr_setclock: the default clock is CLOCK_REALTIME; with
	 * CLOCK_MONOTONIC the time is measured on that clock */
	CHECK_EQ(pthread_condattr_init(&ca), 0);
	CHECK_EQ(pthread_condattr_getclock(&ca, &clk), 0);
	CHECK_EQ(clk, CLOCK_REALTIME);
	CHECK_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
	CHECK_EQ(pthread_condattr_getclock(&ca, &clk), 0);
	CHECK_EQ(clk, CLOCK_MONOTONIC);
	CHECK_EQ(pthread_cond_init(&c, &ca), 0);
	CHECK_EQ(pthread_condattr_destroy(&ca), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	at = ts_in(CLOCK_MONOTONIC, -1000);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &at), ETIMEDOUT);
	at = ts_in(CLOCK_MONOTONIC, 30);
	while ((e = pthread_cond_timedwait(&c, &m, &at)) == 0)
		;
	CHECK_EQ(e, ETIMEDOUT);
	CHECK(reached(CLOCK_MONOTONIC, at));
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_cond_destroy(&c), 0);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);

	/* pthread_cond_broadcast unblocks every thread blocked on the condition */
	pthread_t t[NTHREADS];
	int made = 0, all_in = 0;
	for (int i = 0; i < NTHREADS; i++)
		made += pthread_create(&t[i], 0, bc_waiter, 0) == 0;
	CHECK_EQ(made, NTHREADS);
	for (int i = 0; i < LIMIT_MS && !all_in; i++) {
		pthread_mutex_lock(&bc_m);
		all_in = bc_waiting == made; /* each is blocked once it let the mutex go */
		pthread_mutex_unlock(&bc_m);
		if (!all_in)
			ms_sleep(1);
	}
	CHECK(all_in);
	pthread_mutex_lock(&bc_m);
	bc_go = 1;
	CHECK_EQ(pthread_cond_broadcast(&bc_c), 0);
	pthread_mutex_unlock(&bc_m);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], 0);
	CHECK_EQ(bc_woken, made);
	CHECK_EQ(bc_timeouts, 0);
}

/* --- read-write locks -------------------------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile int rw_inside, rw_together, rw_lock_err;

static void *rw_reader(void *a)
{
	(void)a;
	struct timespec dl = ts_in(CLOCK_REALTIME, LIMIT_MS);
	int e = pthread_rwlock_timedrdlock(&rw, &dl);
	if (e) {
		__atomic_add_fetch(&rw_lock_err, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	__atomic_add_fetch(&rw_inside, 1, __ATOMIC_SEQ_CST);
	if (wait_for(&rw_inside, NTHREADS, LIMIT_MS)) /* every reader holds it at once */
		__atomic_add_fetch(&rw_together, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&rw);
	return 0;
}

struct rw_probe {
	int tryrd, trywr, timedwr;
};

static void *rw_probe(void *a)
{
	struct rw_probe *p = a;
	struct timespec past = ts_in(CLOCK_REALTIME, -1000);
	p->tryrd = pthread_rwlock_tryrdlock(&rw);
	if (p->tryrd == 0)
		pthread_rwlock_unlock(&rw);
	p->trywr = pthread_rwlock_trywrlock(&rw);
	if (p->trywr == 0)
		pthread_rwlock_unlock(&rw);
	p->timedwr = pthread_rwlock_timedwrlock(&rw, &past);
	if (p->timedwr == 0)
		pthread_rwlock_unlock(&rw);
	return 0;
}

static void rwlock_test(void)
{
	struct rw_probe p = { -1, -1, -1 };
	pthread_t t[NTHREADS];
	int made = 0;
	/* Read-held: another reader gets it at once; a writer does not (EBUSY, ETIMEDOUT) */
	CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
	CHECK_EQ(in_thread(rw_probe, &p), 0);
	CHECK_EQ(p.tryrd, 0);
	CHECK_EQ(p.trywr, EBUSY);
	CHECK_EQ(p.timedwr, ETIMEDOUT);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	/* Write-held: tryrdlock and trywrlock are EBUSY */
	p = (struct rw_probe){ -1, -1, -1 };
	CHECK_EQ(pthread_rwlock_wrlock(&rw), 0);
	CHECK_EQ(in_thread(rw_probe, &p), 0);
	CHECK_EQ(p.tryrd, EBUSY);
	CHECK_EQ(p.trywr, EBUSY);
	CHECK_EQ(p.timedwr, ETIMEDOUT);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	/* Free: a writer gets it */
	p = (struct rw_probe){ -1, -1, -1 };
	CHECK_EQ(in_thread(rw_probe, &p), 0);
	CHECK_EQ(p.trywr, 0);
	/* Several readers hold the lock at the same time */
	for (int i = 0; i < NTHREADS; i++)
		made += pthread_create(&t[i], 0, rw_reader, 0) == 0;
	CHECK_EQ(made, NTHREADS);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], 0);
	CHECK_EQ(rw_lock_err, 0);
	CHECK_EQ(rw_together, NTHREADS);
	CHECK_EQ(pthread_rwlock_destroy(&rw), 0);
}

/* --- barriers ---------------------------------------------------------------------- */

#define CYCLES 3
static pthread_barrier_t bar;
static volatile int serial[CYCLES], bar_bad;

static void *bar_thread(void *a)
{
	(void)a;
	for (int c = 0; c < CYCLES; c++) {
		int r = pthread_barrier_wait(&bar);
		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serial[c], 1, __ATOMIC_SEQ_CST);
		else if (r != 0)
			__atomic_add_fetch(&bar_bad, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

static void barrier_test(void)
{
	pthread_barrier_t b0;
	pthread_t t[NTHREADS];
	int made = 0;
	CHECK_EQ(pthread_barrier_init(&b0, 0, 0), EINVAL); /* count 0: shall fail */
	CHECK_EQ(pthread_barrier_init(&bar, 0, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++)
		made += pthread_create(&t[i], 0, bar_thread, 0) == 0;
	CHECK_EQ(made, NTHREADS);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], 0);
	/* pthread_barrier_wait: PTHREAD_BARRIER_SERIAL_THREAD to one unspecified thread,
	 * 0 to each of the others, every cycle */
	for (int c = 0; c < CYCLES; c++)
		CHECK_EQ(serial[c], 1);
	CHECK_EQ(bar_bad, 0);
	CHECK_EQ(pthread_barrier_destroy(&bar), 0);
}

/* --- semaphores ---------------------------------------------------------------------- */

static sem_t wake_sem;

static void *sem_waiter(void *a)
{
	(void)a;
	struct timespec dl = ts_in(CLOCK_REALTIME, LIMIT_MS);
	return (void *)(long)(sem_timedwait(&wake_sem, &dl) == 0 ? 0 : errno);
}

static void sem_test(void)
{
	sem_t s, s2;
	int v = -1;
	CHECK_EQ(sem_init(&s, 0, 2), 0);
	CHECK_EQ(sem_getvalue(&s, &v), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(sem_trywait(&s), 0);
	CHECK_EQ(sem_trywait(&s), 0);
	errno = 0;
	CHECK_EQ(sem_trywait(&s), -1); /* sem_trywait: EAGAIN when it is already locked */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(sem_getvalue(&s, &v), 0);
	CHECK_EQ(v, 0);
	struct timespec at = ts_in(CLOCK_REALTIME, -1000);
	errno = 0;
	CHECK_EQ(sem_timedwait(&s, &at), -1); /* sem_timedwait: ETIMEDOUT, time past */
	CHECK_EQ(errno, ETIMEDOUT);
	at = ts_in(CLOCK_REALTIME, 20);
	CHECK_FAILS(sem_timedwait(&s, &at), ETIMEDOUT);
	CHECK(reached(CLOCK_REALTIME, at)); /* not before the time */
	at.tv_nsec = 1000000000L;
	errno = 0;
	CHECK_EQ(sem_timedwait(&s, &at), -1); /* would block, bad tv_nsec: EINVAL (shall) */
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sem_post(&s), 0);
	CHECK_EQ(sem_getvalue(&s, &v), 0);
	CHECK_EQ(v, 1);
	at = ts_in(CLOCK_REALTIME, -1000);
	/* "Under no circumstance shall the function fail with a timeout if the semaphore
	 * can be locked immediately" */
	CHECK_EQ(sem_timedwait(&s, &at), 0);
	CHECK_EQ(sem_destroy(&s), 0);
	errno = 0;
	CHECK_EQ(sem_init(&s2, 0, (unsigned)SEM_VALUE_MAX + 1u), -1); /* EINVAL (shall) */
	CHECK_EQ(errno, EINVAL);
	/* sem_post wakes a thread blocked in sem_wait */
	CHECK_EQ(sem_init(&wake_sem, 0, 0), 0);
	pthread_t t;
	void *r = (void *)-1;
	CHECK_EQ(pthread_create(&t, 0, sem_waiter, 0), 0);
	ms_sleep(5);
	CHECK_EQ(sem_post(&wake_sem), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == 0);
	CHECK_EQ(sem_getvalue(&wake_sem, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(sem_destroy(&wake_sem), 0);
}

/* --- cancellation ------------------------------------------------------------------ */

static sem_t never_sem; /* never posted */
static pthread_key_t cancel_key;
static volatile int sem_ready, sem_cleanup, sem_after;
static volatile int def_ready, def_go, def_survived, def_after;
static volatile int dis_ready, dis_go, dis_old = -1, dis_survived, dis_after;
static volatile int cw_ready, cw_unlock_rc = -1;
static volatile int order[8], order_n;
static pthread_mutex_t cw_m;
static pthread_cond_t cw_c = PTHREAD_COND_INITIALIZER;

static void set_flag(void *a)
{
	*(volatile int *)a = 1;
}

static void note(void *a)
{
	if (order_n < 8)
		order[order_n++] = (int)(long)a;
}

static void *cancel_in_sem_wait(void *a)
{
	(void)a;
	pthread_cleanup_push(set_flag, (void *)&sem_cleanup);
	sem_ready = 1;
	sem_wait(&never_sem); /* a cancellation point */
	sem_after = 1;
	pthread_cleanup_pop(0);
	return 0;
}

static void *cancel_deferred(void *a)
{
	(void)a;
	pthread_setspecific(cancel_key, (void *)3);
	pthread_cleanup_push(note, (void *)1);
	pthread_cleanup_push(note, (void *)2);
	def_ready = 1;
	while (!def_go)
		sched_yield(); /* not a cancellation point */
	def_survived = 1;
	pthread_testcancel();
	def_after = 1;
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return 0;
}

static void *cancel_disabled(void *a)
{
	(void)a;
	int old = -1;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	dis_old = old;
	dis_ready = 1;
	while (!dis_go)
		sched_yield();
	pthread_testcancel(); /* disabled: the cancel stays pending */
	ms_sleep(1);
	dis_survived = 1;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, 0);
	pthread_testcancel();
	dis_after = 1;
	return 0;
}

static void cw_cleanup(void *a)
{
	(void)a;
	cw_unlock_rc = pthread_mutex_unlock(&cw_m); /* 0 only if this thread owns it */
}

static void *cancel_in_cond_wait(void *a)
{
	(void)a;
	pthread_mutex_lock(&cw_m);
	pthread_cleanup_push(cw_cleanup, 0);
	cw_ready = 1;
	for (;;)
		pthread_cond_wait(&cw_c, &cw_m);
	pthread_cleanup_pop(0);
	return 0;
}

static void cancel_test(void)
{
	pthread_t t;
	void *r = 0;
	int ok;
	CHECK_EQ(sem_init(&never_sem, 0, 0), 0);
	CHECK_EQ(pthread_key_create(&cancel_key, note), 0);

	/* Deferred (the default), blocked in a cancellation point: it acts, the cleanup
	 * handler runs, and the joiner gets PTHREAD_CANCELED */
	CHECK_EQ(pthread_create(&t, 0, cancel_in_sem_wait, 0), 0);
	CHECK(wait_for(&sem_ready, 1, LIMIT_MS));
	ms_sleep(5);
	CHECK_EQ(pthread_cancel(t), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == PTHREAD_CANCELED);
	CHECK_EQ(sem_cleanup, 1);
	CHECK_EQ(sem_after, 0);

	/* Deferred, away from any point: it runs on until pthread_testcancel; handlers
	 * run newest first, then the keys' destructors */
	CHECK_EQ(pthread_create(&t, 0, cancel_deferred, 0), 0);
	ok = wait_for(&def_ready, 1, LIMIT_MS);
	CHECK(ok);
	CHECK_EQ(pthread_cancel(t), 0);
	def_go = 1;
	r = 0;
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == PTHREAD_CANCELED);
	CHECK_EQ(def_survived, 1); /* deferred: no action before a cancellation point */
	CHECK_EQ(def_after, 0);
	CHECK_EQ(order_n, 3);
	CHECK_EQ(order[0], 2); /* pthread_cleanup_push: popped in reverse order of pushing */
	CHECK_EQ(order[1], 1);
	CHECK_EQ(order[2], 3); /* then the thread-specific data destructors */

	/* PTHREAD_CANCEL_DISABLE holds the request pending until enabled again */
	CHECK_EQ(pthread_create(&t, 0, cancel_disabled, 0), 0);
	CHECK(wait_for(&dis_ready, 1, LIMIT_MS));
	CHECK_EQ(pthread_cancel(t), 0);
	dis_go = 1;
	r = 0;
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == PTHREAD_CANCELED);
	CHECK_EQ(dis_old, PTHREAD_CANCEL_ENABLE); /* the default state */
	CHECK_EQ(dis_survived, 1);
	CHECK_EQ(dis_after, 0);

	/* pthread_cond_wait as a cancellation point: the mutex is locked again before
	 * the first cleanup handler runs */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&cw_m, &ma);
	CHECK_EQ(pthread_create(&t, 0, cancel_in_cond_wait, 0), 0);
	CHECK(wait_for(&cw_ready, 1, LIMIT_MS));
	pthread_mutex_lock(&cw_m); /* it is inside pthread_cond_wait once we get the mutex */
	pthread_mutex_unlock(&cw_m);
	CHECK_EQ(pthread_cancel(t), 0);
	r = 0;
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK(r == PTHREAD_CANCELED);
	CHECK_EQ(cw_unlock_rc, 0);
	CHECK_EQ(pthread_mutex_trylock(&cw_m), 0); /* and the handler let it go */
	pthread_mutex_unlock(&cw_m);

	CHECK_EQ(pthread_setcancelstate(12345, 0), EINVAL); /* shall fail */
	CHECK_EQ(pthread_setcanceltype(12345, 0), EINVAL);
	pthread_key_delete(cancel_key);
	sem_destroy(&never_sem);
}

/* --- signal masks -------------------------------------------------------------------- */

static volatile pthread_t usr1_thread;
static volatile int usr1_count;
static volatile int mk_ready, mk_inherited = -1, mk_unblocked = -1, mk_go;
static volatile int pk_ready, pk_pending = -1, pk_delivered = -1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_thread = pthread_self();
	__atomic_add_fetch(&usr1_count, 1, __ATOMIC_SEQ_CST);
}

static int usr1_in(int how)
{
	sigset_t s;
	sigemptyset(&s);
	if (how == 0)
		pthread_sigmask(SIG_BLOCK, 0, &s);
	else
		sigpending(&s);
	return sigismember(&s, SIGUSR1) == 1;
}

static void *mask_thread(void *a)
{
	(void)a;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	mk_inherited = usr1_in(0);
	mk_unblocked = pthread_sigmask(SIG_UNBLOCK, &s, 0) == 0 && !usr1_in(0);
	mk_ready = 1;
	for (int i = 0; i < LIMIT_MS && !mk_go && !usr1_count; i++)
		ms_sleep(1);
	return 0;
}

static void *pk_thread(void *a)
{
	(void)a;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pk_ready = 1; /* SIGUSR1 blocked: inherited */
	for (int i = 0; i < LIMIT_MS && !usr1_in(1); i++)
		ms_sleep(1);
	pk_pending = usr1_in(1) && usr1_count == 0;
	/* pthread_sigmask: a pending signal it unblocks is delivered before it returns */
	pthread_sigmask(SIG_UNBLOCK, &s, 0);
	pk_delivered = usr1_count == 1 && pthread_equal(usr1_thread, pthread_self());
	return 0;
}

static void sigmask_test(void)
{
	struct sigaction sa, old_sa;
	sigset_t s, old, now;
	pthread_t t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGUSR1, &sa, &old_sa), 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK_EQ(pthread_sigmask(SIG_BLOCK, &s, &old), 0);
	CHECK_EQ(pthread_sigmask(12345, &s, 0), EINVAL); /* returns the error number */

	/* A new thread inherits its creator's mask; its own changes are its own; a signal
	 * sent to the process goes to a thread that does not block it */
	CHECK_EQ(pthread_create(&t, 0, mask_thread, 0), 0);
	CHECK(wait_for(&mk_ready, 1, LIMIT_MS));
	CHECK_EQ(mk_inherited, 1);
	CHECK_EQ(mk_unblocked, 1);
	CHECK(usr1_in(0)); /* still blocked here */
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK(wait_for(&usr1_count, 1, LIMIT_MS));
	CHECK(pthread_equal(usr1_thread, t));
	mk_go = 1;
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK(!usr1_in(1)); /* delivered there, not pending here */

	/* pthread_kill: the signal is pending for that thread alone while it blocks it */
	usr1_count = 0;
	usr1_thread = 0;
	CHECK_EQ(pthread_create(&t, 0, pk_thread, 0), 0);
	CHECK(wait_for(&pk_ready, 1, LIMIT_MS));
	CHECK_EQ(pthread_kill(t, 0), 0); /* sig 0: checks only */
	CHECK_EQ(pthread_kill(t, NSIG + 5), EINVAL);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(pk_pending, 1);
	CHECK_EQ(pk_delivered, 1);
	CHECK(!usr1_in(1)); /* never pending for this thread */
	CHECK_EQ(pthread_sigmask(SIG_SETMASK, &old, &now), 0);
	CHECK_EQ(sigismember(&now, SIGUSR1), 1);
	sigaction(SIGUSR1, &old_sa, 0);
}

/* --- fork of a threaded process ------------------------------------------------------ */

static volatile long spin_count;
static volatile int spin_stop;
static pthread_mutex_t idle_m; /* error-checking; used by another thread, free at fork */

static void *spinner(void *a)
{
	(void)a;
	while (!spin_stop) {
		spin_count++;
		sched_yield();
	}
	return 0;
}

static void *lock_unlock(void *a)
{
	int e = pthread_mutex_lock((pthread_mutex_t *)a);
	return (void *)(long)(e ? e : pthread_mutex_unlock((pthread_mutex_t *)a));
}

/* Exit bits: 1 the mutex, 2 another thread ran on, 4 pthread_create/join. */
static void fork_child(void *a)
{
	(void)a;
	int bad = 0;
	void *r = 0;
	pthread_t t;
	if (pthread_mutex_trylock(&idle_m) != 0 || pthread_mutex_unlock(&idle_m) != 0)
		bad |= 1;
	long c = spin_count;
	ms_sleep(30);
	if (spin_count != c)
		bad |= 2;
	if (pthread_create(&t, 0, ret_plus_one, (void *)1) != 0 || pthread_join(t, &r) != 0 ||
	    r != (void *)2)
		bad |= 4;
	_exit(bad);
}

static void fork_test(void)
{
	pthread_mutexattr_t ma;
	pthread_t t;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	CHECK_EQ(pthread_mutex_init(&idle_m, &ma), 0);
	CHECK_EQ(in_thread(lock_unlock, &idle_m), 0);
	CHECK_EQ(pthread_create(&t, 0, spinner, 0), 0);
	for (int i = 0; i < LIMIT_MS && !spin_count; i++)
		ms_sleep(1);
	int st = in_child(fork_child, 0);
	CHECK(st != -1 && WIFEXITED(st));
	if (st != -1 && WIFEXITED(st)) {
		CHECK_EQ(WEXITSTATUS(st) & 1, 0); /* a mutex unlocked at fork can be locked */
		CHECK_EQ(WEXITSTATUS(st) & 2, 0); /* fork: the child has a single thread */
		CHECK_EQ(WEXITSTATUS(st) & 4, 0); /* which can make and join threads */
	}
	spin_stop = 1;
	CHECK_EQ(pthread_join(t, 0), 0);
}

/* --- thread-local storage ----------------------------------------------------------- */

static __thread int tls_val = 42;
static int *volatile tls_addr;

static void *tls_thread(void *a)
{
	(void)a;
	int first = tls_val;
	tls_val = 99;
	tls_addr = &tls_val;
	errno = EDOM; /* errno is per thread (XSH 2.3) */
	return (void *)(long)first;
}

static void tls_test(void)
{
	tls_val = 7;
	errno = 0;
	CHECK_EQ(in_thread(tls_thread, 0), 42); /* each thread starts from the initial value */
	CHECK_EQ(tls_val, 7);
	CHECK(tls_addr != &tls_val);
	CHECK_EQ(errno, 0);
}

/*
 * --- the end of the process with its last thread -------------------------------------
 * pthread_exit in the first thread ends that thread only; "the process shall exit with
 * an exit status of 0 after the last thread has been terminated. The behavior shall be
 * as if the implementation called exit() with a zero argument", so atexit handlers run.
 */
static int last_pipe[2];

static void at_exit_note(void)
{
	write(last_pipe[1], "A", 1);
}

static void *last_thread(void *a)
{
	(void)a;
	ms_sleep(20);
	write(last_pipe[1], "T", 1);
	return 0;
}

static void last_thread_test(void)
{
	char buf[8] = { 0 };
	int st = -1, n = 0;
	CHECK_EQ(pipe(last_pipe), 0);
	pid_t p = fork();
	if (p == 0) {
		pthread_t t;
		close(last_pipe[0]);
		atexit(at_exit_note);
		if (pthread_create(&t, 0, last_thread, 0) != 0)
			_exit(3);
		pthread_exit(0);
	}
	close(last_pipe[1]);
	for (ssize_t r; n < (int)sizeof(buf) - 1 && (r = read(last_pipe[0], buf + n, 1)) == 1;)
		n++;
	close(last_pipe[0]);
	CHECK(p > 0 && waitpid(p, &st, 0) == p);
	CHECK(exited_ok(st));
	CHECK(strchr(buf, 'T') != 0); /* the other thread ran on after the first's exit */
	CHECK(strchr(buf, 'A') != 0); /* as if exit(0): atexit handlers run */
}

/* --- anonymous mappings -------------------------------------------------------------- */

static void anon_test(void)
{
	size_t len = 3 * PAGE;
	unsigned char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK_EQ((uintptr_t)p % PAGE, 0); /* mmap: a multiple of the page size */
	int nonzero = 0;
	for (size_t i = 0; i < len; i++)
		nonzero += p[i] != 0;
	CHECK_EQ(nonzero, 0); /* anonymous memory is zero-filled */
	memset(p, 0x11, len);

	/* MAP_SHARED is seen by a forked child both ways, MAP_PRIVATE by neither */
	volatile int *sh = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	if (sh == MAP_FAILED)
		return;
	CHECK_EQ(sh[0], 0);
	sh[0] = 1;
	p[0] = 0x22;
	int go[2], st = -1;
	CHECK_EQ(pipe(go), 0);
	pid_t k = fork();
	if (k == 0) {
		char c;
		int bad = 0;
		read(go[0], &c, 1); /* the parent has stored after the fork */
		if (sh[0] != 2)
			bad |= 1;
		if (((volatile unsigned char *)p)[0] != 0x22)
			bad |= 2;
		sh[1] = 3;
		p[1] = 0x33;
		_exit(bad);
	}
	sh[0] = 2;
	p[0] = 0x44;
	CHECK_EQ(write(go[1], "x", 1), 1);
	CHECK(k > 0 && waitpid(k, &st, 0) == k);
	CHECK(st != -1 && WIFEXITED(st));
	if (st != -1 && WIFEXITED(st)) {
		CHECK_EQ(WEXITSTATUS(st) & 1, 0); /* MAP_SHARED: the parent's store is seen */
		CHECK_EQ(WEXITSTATUS(st) & 2, 0); /* MAP_PRIVATE: it is not */
	}
	CHECK_EQ(sh[1], 3);   /* MAP_SHARED: the child's store is seen */
	CHECK_EQ(p[1], 0x11); /* MAP_PRIVATE: it is not */
	close(go[0]);
	close(go[1]);

	/* munmap of the middle page: the rest stays usable; the hole is SIGSEGV */
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);
	CHECK_EQ(p[0], 0x44);
	CHECK_EQ(p[2 * PAGE], 0x11);
	p[2 * PAGE] = 0x55;
	CHECK_EQ(p[2 * PAGE], 0x55);
	CHECK(died_of(in_child(load_from, p + PAGE), SIGSEGV)); /* munmap: later refs SIGSEGV */
	CHECK_EQ(munmap(p + PAGE, PAGE), 0); /* no mapping there: no effect, no error */
	errno = 0;
	CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ), -1); /* a page not mapped: ENOMEM */
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK_EQ(msync(p + PAGE, PAGE, MS_SYNC), -1); /* msync: ENOMEM likewise */
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK_EQ(mprotect(0, PAGE, PROT_READ), -1); /* page 0, not mapped: ENOMEM (shall) */
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK_EQ(munmap(p, 0), -1); /* len 0: EINVAL (shall) */
	CHECK_EQ(errno, EINVAL);

	/* mprotect PROT_READ: the data stays, a store is SIGSEGV */
	CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
	CHECK_EQ(p[0], 0x44);
	CHECK(died_of(in_child(store_to, p), SIGSEGV));
	CHECK_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
	p[0] = 0x66;
	CHECK_EQ(p[0], 0x66);
	/* PROT_NONE: any access is SIGSEGV; the contents come back with access */
	CHECK_EQ(mprotect(p + 2 * PAGE, PAGE, PROT_NONE), 0);
	CHECK(died_of(in_child(load_from, p + 2 * PAGE), SIGSEGV));
	CHECK_EQ(mprotect(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(p[2 * PAGE], 0x55);
	CHECK_EQ(munmap(p, len), 0); /* over the hole too */

	/* mprotect may add PROT_WRITE to shared anonymous memory: no access permission of
	 * an underlying object forbids it (EACCES is only for such a violation) */
	volatile char *ro = mmap(0, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	if (ro != MAP_FAILED) {
		CHECK_EQ(ro[0], 0);
		int e = mprotect((void *)ro, PAGE, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
		CHECK_EQ(e, 0);
		if (e == 0) {
			ro[0] = 9;
			CHECK_EQ(ro[0], 9);
		}
		munmap((void *)ro, PAGE);
	}
	volatile char *none = mmap(0, PAGE, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED);
	if (none != MAP_FAILED) {
		int e = mprotect((void *)none, PAGE, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
		CHECK_EQ(e, 0);
		if (e == 0) {
			none[0] = 8;
			CHECK_EQ(none[0], 8);
		}
		munmap((void *)none, PAGE);
	}

	/* MAP_FIXED replaces what was mapped in the range, and only that */
	unsigned char *a =
		mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED);
	if (a != MAP_FAILED) {
		memset(a, 0xaa, 2 * PAGE);
		void *b = mmap(a, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		CHECK(b == a); /* MAP_FIXED: pa is addr exactly */
		CHECK_EQ(a[0], 0);
		CHECK_EQ(a[PAGE], 0xaa);
		errno = 0; /* MAP_FIXED with addr not a multiple of the page size: EINVAL */
		CHECK(mmap(a + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			   0) == MAP_FAILED);
		CHECK_EQ(errno, EINVAL);
		CHECK_EQ(a[PAGE], 0xaa); /* a failed call changes nothing */
		munmap(a, 2 * PAGE);
	}
	/* EINVAL: neither MAP_PRIVATE nor MAP_SHARED; len 0 (both shall fail) */
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
}

/* --- file mappings ------------------------------------------------------------------ */

static void file_test(void)
{
	static char buf[FILE_BYTES];
	char c = 0;
	int st;
	for (int i = 0; i < FILE_BYTES; i++)
		buf[i] = (char)('a' + i % 26);
	unlink(MAPF);
	int fd = open(MAPF, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, buf, FILE_BYTES), FILE_BYTES);
	char *p = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(memcmp(p, buf, FILE_BYTES) == 0);
	/* "The system shall always zero-fill any partial page at the end of an object" */
	CHECK_EQ(p[FILE_BYTES], 0);
	CHECK_EQ(p[3 * PAGE - 1], 0);
	/* MAP_SHARED: stores change the file; after msync read() sees them */
	p[10] = 'Q';
	CHECK_EQ(msync(p, 3 * PAGE, MS_SYNC), 0);
	CHECK_EQ(pread(fd, &c, 1, 10), 1);
	CHECK_EQ(c, 'Q');
	/* and a write() to the file is seen through the shared mapping */
	CHECK_EQ(pwrite(fd, "W", 1, 20), 1);
	CHECK_EQ(p[20], 'W');
	/* a forked child's store through it reaches the file too */
	pid_t k = fork();
	if (k == 0) {
		p[40] = 'C';
		_exit(0);
	}
	st = -1;
	CHECK(k > 0 && waitpid(k, &st, 0) == k && exited_ok(st));
	CHECK_EQ(pread(fd, &c, 1, 40), 1);
	CHECK_EQ(c, 'C');
	/* the bytes stored past the end, in the last page, are never written to the file */
	p[FILE_BYTES + 50] = 'X';
	CHECK_EQ(msync(p, 3 * PAGE, MS_SYNC), 0);
	struct stat sb;
	CHECK_EQ(fstat(fd, &sb), 0);
	CHECK_EQ(sb.st_size, FILE_BYTES);
	CHECK_EQ(pread(fd, &c, 1, FILE_BYTES + 50), 0);
	errno = 0; /* msync: both MS_SYNC and MS_ASYNC is an invalid flags value */
	CHECK_EQ(msync(p, PAGE, MS_SYNC | MS_ASYNC), -1);
	CHECK_EQ(errno, EINVAL);

	/* MAP_PRIVATE: stores are the process's own, never the file's */
	char *q = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		CHECK_EQ(q[10], 'Q');
		q[30] = 'P';
		CHECK_EQ(q[30], 'P');
		CHECK_EQ(pread(fd, &c, 1, 30), 1);
		CHECK_EQ(c, buf[30]);
		CHECK_EQ(p[30], buf[30]);
		CHECK_EQ(munmap(q, PAGE), 0);
		CHECK_EQ(pread(fd, &c, 1, 30), 1);
		CHECK_EQ(c, buf[30]);
	}
	/* A page-aligned offset maps from there; another offset is EINVAL (shall) */
	q = mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		CHECK_EQ(q[0], buf[PAGE]);
		munmap(q, PAGE);
	}
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);

	/* Whole pages past the end of the file: references are SIGBUS */
	char *big = mmap(0, 5 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(big != MAP_FAILED);
	if (big != MAP_FAILED) {
		CHECK_EQ(big[2 * PAGE + 50], buf[2 * PAGE + 50]);
		CHECK_EQ(big[2 * PAGE + 200], 0);
		CHECK(died_of(in_child(load_from, big + 3 * PAGE), SIGBUS));
		CHECK(died_of(in_child(load_from, big + 4 * PAGE + 7), SIGBUS));
		/* The descriptor is open for writing: mprotect may add PROT_WRITE to the
		 * MAP_SHARED mapping (EACCES only when the access permission is violated) */
		int e = mprotect(big, PAGE, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
		CHECK_EQ(e, 0);
		if (e == 0) {
			big[5] = 'M';
			CHECK_EQ(pread(fd, &c, 1, 5), 1);
			CHECK_EQ(c, 'M');
		}
		munmap(big, 5 * PAGE);
	}
	char *wbig = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(wbig != MAP_FAILED);
	if (wbig != MAP_FAILED) {
		CHECK(died_of(in_child(store_to, wbig + 3 * PAGE), SIGBUS));
		munmap(wbig, 4 * PAGE);
	}

	/* MAP_FIXED over anonymous memory with a file */
	char *a = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED);
	if (a != MAP_FAILED) {
		CHECK(mmap(a + PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == a + PAGE);
		CHECK_EQ(a[PAGE + 10], 'Q');
		munmap(a, 2 * PAGE);
	}

	/* close() does not unmap: the mapping keeps the file */
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(p[10], 'Q');
	p[11] = 'R';
	CHECK_EQ(msync(p, PAGE, MS_SYNC), 0);
	CHECK_EQ(munmap(p, FILE_BYTES), 0);

	/* EACCES: not open for reading; MAP_SHARED with PROT_WRITE on a read-only
	 * descriptor. MAP_PRIVATE with PROT_WRITE on it is fine */
	int ro = open(MAPF, O_RDONLY);
	CHECK(ro >= 0);
	CHECK_EQ(pread(ro, &c, 1, 11), 1);
	CHECK_EQ(c, 'R');
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	q = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		q[0] = 'z';
		CHECK_EQ(q[0], 'z');
		munmap(q, PAGE);
	}
	q = mmap(0, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		errno = 0; /* mprotect: PROT_WRITE on a read-only object is EACCES (shall) */
		CHECK_EQ(mprotect(q, PAGE, PROT_READ | PROT_WRITE), -1);
		CHECK_EQ(errno, EACCES);
		munmap(q, PAGE);
	}
	close(ro);
	int wo = open(MAPF, O_WRONLY);
	CHECK(wo >= 0);
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_WRITE, MAP_SHARED, wo, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	close(wo);
	/* EBADF: not a valid descriptor (without MAP_ANONYMOUS); ENODEV: a pipe */
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EBADF);
	int pp[2];
	CHECK_EQ(pipe(pp), 0);
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, pp[0], 0) == MAP_FAILED);
	CHECK_EQ(errno, ENODEV);
	close(pp[0]);
	close(pp[1]);
	unlink(MAPF);
}

int main(void)
{
	create_join();
	once_test();
	keys_test();
	mutex_test();
	cond_test();
	rwlock_test();
	barrier_test();
	sem_test();
	cancel_test();
	sigmask_test();
	fork_test();
	tls_test();
	last_thread_test();
	anon_test();
	file_test();
	return test_status();
}
