/*
 * <pthread.h>: 4 threads add to a mutex-protected counter to an exact total; a bounded
 * producer/consumer on condition variables, checked for order and count; keys with
 * destructors; error-checking and recursive mutexes; trylock and timedlock; once;
 * rwlocks; barriers; spin locks; semaphores; detach; attributes; stdio lines from
 * several threads; the cancel state and type calls.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define THREADS	   4
#define INCS	   5000
#define ITEMS	   2000
#define RING	   8
#define BAR_ROUNDS 50

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *adder(void *arg)
{
	for (int i = 0; i < INCS; i++) {
		pthread_mutex_lock(&counter_lock);
		long v = counter;
		if (i % 64 == 0)
			sched_yield(); /* hold the lock across a yield: others must block */
		counter = v + 1;
		pthread_mutex_unlock(&counter_lock);
	}
	return arg;
}

static void counter_total(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], 0, adder, (void *)i), 0);
	for (long i = 0; i < THREADS; i++) {
		void *ret = 0;
		CHECK_EQ(pthread_join(t[i], &ret), 0);
		CHECK_EQ((long)ret, i);
	}
	CHECK_EQ(counter, THREADS * INCS);
}

/* --- producer / consumer --- */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int ring[RING], head, tail, used;

static void *producer(void *unused)
{
	(void)unused;
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&ring_lock);
		while (used == RING)
			pthread_cond_wait(&not_full, &ring_lock);
		ring[head] = i;
		head = (head + 1) % RING;
		used++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&ring_lock);
	}
	return 0;
}

static void *consumer(void *unused)
{
	long bad = 0;
	(void)unused;
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&ring_lock);
		while (used == 0)
			pthread_cond_wait(&not_empty, &ring_lock);
		bad += ring[tail] != i; /* in order, none lost, none twice */
		tail = (tail + 1) % RING;
		used--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&ring_lock);
	}
	return (void *)bad;
}

static void producer_consumer(void)
{
	pthread_t p, c;
	void *bad = (void *)1;
	CHECK_EQ(pthread_create(&c, 0, consumer, 0), 0);
	CHECK_EQ(pthread_create(&p, 0, producer, 0), 0);
	CHECK_EQ(pthread_join(p, 0), 0);
	CHECK_EQ(pthread_join(c, &bad), 0);
	CHECK_EQ((long)bad, 0);
	CHECK_EQ(used, 0);
}

/* --- keys --- */
static pthread_key_t key;
static volatile int destroyed[THREADS];

static void destructor(void *v)
{
	destroyed[(long)v - 1]++;
}

static void *key_user(void *arg)
{
	CHECK(pthread_getspecific(key) == 0);
	CHECK_EQ(pthread_setspecific(key, arg), 0);
	sched_yield();
	CHECK(pthread_getspecific(key) == arg); /* each thread sees its own */
	return 0;
}

static void keys(void)
{
	pthread_t t[THREADS];
	CHECK_EQ(pthread_key_create(&key, destructor), 0);
	for (long i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], 0, key_user, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(destroyed[i], 1);
	CHECK(pthread_getspecific(key) == 0); /* the main thread never set it */
	CHECK_EQ(pthread_key_delete(key), 0);
	CHECK_EQ(pthread_key_delete(key), EINVAL);
	CHECK_EQ(pthread_setspecific(key, (void *)1), EINVAL);
}

/* --- mutex kinds --- */
static void *try_other(void *m)
{
	return (void *)(long)pthread_mutex_trylock(m);
}

static void *unlock_other(void *m)
{
	return (void *)(long)pthread_mutex_unlock(m);
}

static void mutex_kinds(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m, r;
	pthread_t t;
	void *ret;
	pthread_mutexattr_init(&a);
	CHECK_EQ(pthread_mutexattr_settype(&a, 99), EINVAL);
	CHECK_EQ(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK), 0);
	pthread_mutex_init(&m, &a);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM); /* not held */
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), EDEADLK);
	CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
	pthread_create(&t, 0, unlock_other, &m);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, EPERM); /* held by another thread */
	pthread_create(&t, 0, try_other, &m);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, EBUSY);
	CHECK_EQ(pthread_mutex_destroy(&m), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r, &a);
	CHECK_EQ(pthread_mutex_lock(&r), 0);
	CHECK_EQ(pthread_mutex_lock(&r), 0);
	CHECK_EQ(pthread_mutex_trylock(&r), 0);
	pthread_create(&t, 0, try_other, &r);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, EBUSY);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pthread_mutex_unlock(&r), 0);
	CHECK_EQ(pthread_mutex_unlock(&r), EPERM);
	pthread_create(&t, 0, try_other, &r);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, 0); /* free now: the other thread took it (and ended holding it) */

	/* timedlock on a held normal mutex times out, not before the time. */
	pthread_mutex_t n = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts, after;
	pthread_mutex_lock(&n);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000)
		ts.tv_sec++, ts.tv_nsec -= 1000000000;
	CHECK_EQ(pthread_mutex_timedlock(&n, &ts), ETIMEDOUT);
	clock_gettime(CLOCK_REALTIME, &after);
	CHECK(after.tv_sec > ts.tv_sec ||
	      (after.tv_sec == ts.tv_sec && after.tv_nsec >= ts.tv_nsec));
	ts.tv_sec -= 2; /* already past: ETIMEDOUT at once */
	CHECK_EQ(pthread_mutex_timedlock(&n, &ts), ETIMEDOUT);
	ts.tv_nsec = 1000000000;
	CHECK_EQ(pthread_mutex_timedlock(&n, &ts), EINVAL);
	CHECK_EQ(pthread_mutex_trylock(&n), EBUSY);
	pthread_mutex_unlock(&n);
	CHECK_EQ(pthread_mutex_timedlock(&n, &ts), 0); /* free: the time is not looked at */
	pthread_mutex_unlock(&n);
}

/* --- once, rwlock, barrier, spin, semaphores --- */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static volatile int once_runs;

static void once_fn(void)
{
	once_runs++;
	sched_yield();
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static pthread_spinlock_t spin;
static volatile long spin_count;
static volatile int inside, max_inside_writers;
static volatile int serial;

static void *mixed(void *arg)
{
	long id = (long)arg;
	pthread_once(&once, once_fn);
	for (int r = 0; r < BAR_ROUNDS; r++) {
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serial, 1, __ATOMIC_SEQ_CST);
		if ((r + id) % 3 == 0) {
			pthread_rwlock_wrlock(&rw);
			int n = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
			if (n > max_inside_writers)
				max_inside_writers = n;
			sched_yield();
			__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			sched_yield();
			pthread_rwlock_unlock(&rw);
		}
		pthread_spin_lock(&spin);
		spin_count++;
		pthread_spin_unlock(&spin);
	}
	return 0;
}

static void sync_objects(void)
{
	pthread_t t[THREADS];
	CHECK_EQ(pthread_barrier_init(&bar, 0, 0), EINVAL);
	CHECK_EQ(pthread_barrier_init(&bar, 0, THREADS), 0);
	pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
	for (long i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], 0, mixed, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	CHECK_EQ(once_runs, 1);
	CHECK_EQ(serial, BAR_ROUNDS); /* exactly one serial thread per round */
	CHECK_EQ(max_inside_writers, 1);
	CHECK_EQ(spin_count, THREADS * BAR_ROUNDS);
	CHECK_EQ(pthread_barrier_destroy(&bar), 0);
	/* rwlock errors */
	CHECK_EQ(pthread_rwlock_unlock(&rw), EPERM);
	CHECK_EQ(pthread_rwlock_wrlock(&rw), 0);
	CHECK_EQ(pthread_rwlock_wrlock(&rw), EDEADLK);
	CHECK_EQ(pthread_rwlock_tryrdlock(&rw), EDEADLK);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
	CHECK_EQ(pthread_rwlock_tryrdlock(&rw), 0);
	CHECK_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	CHECK_EQ(pthread_spin_trylock(&spin), 0);
	CHECK_EQ(pthread_spin_trylock(&spin), EBUSY);
	pthread_spin_unlock(&spin);
}

static sem_t sem;

static void *sem_poster(void *unused)
{
	(void)unused;
	for (int i = 0; i < ITEMS; i++)
		sem_post(&sem);
	return 0;
}

static void semaphores(void)
{
	pthread_t t;
	struct timespec ts;
	CHECK_EQ(sem_init(&sem, 0, 1), 0);
	CHECK_EQ(sem_trywait(&sem), 0);
	CHECK(sem_trywait(&sem) == -1 && errno == EAGAIN);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000)
		ts.tv_sec++, ts.tv_nsec -= 1000000000;
	CHECK(sem_timedwait(&sem, &ts) == -1 && errno == ETIMEDOUT);
	ts.tv_sec -= 2; /* already past: ETIMEDOUT at once */
	CHECK(sem_timedwait(&sem, &ts) == -1 && errno == ETIMEDOUT);
	pthread_create(&t, 0, sem_poster, 0);
	for (int i = 0; i < ITEMS; i++)
		CHECK_EQ(sem_wait(&sem), 0);
	pthread_join(t, 0);
	int v = -1;
	sem_getvalue(&sem, &v);
	CHECK_EQ(v, 0);
}

/* --- detach, attributes, self, cancel --- */
static volatile int detached_ran;
static pthread_t seen_self;

static void *detached_fn(void *unused)
{
	(void)unused;
	seen_self = pthread_self();
	detached_ran = 1;
	pthread_exit(0);
}

static void *small_stack(void *arg)
{
	char buf[1024];
	memset(buf, 1, sizeof(buf));
	return (void *)(long)(buf[100] + (long)arg);
}

static void detach_attrs(void)
{
	pthread_attr_t a;
	pthread_t t;
	size_t sz = 0;
	int st = -1;
	void *ret;
	pthread_attr_init(&a);
	CHECK_EQ(pthread_attr_setstacksize(&a, 16), EINVAL);
	CHECK_EQ(pthread_attr_setstacksize(&a, 16384), 0);
	pthread_attr_getstacksize(&a, &sz);
	CHECK_EQ(sz, 16384);
	CHECK_EQ(pthread_create(&t, &a, small_stack, (void *)41), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK_EQ((long)ret, 42);
	CHECK_EQ(pthread_attr_setdetachstate(&a, 7), EINVAL);
	CHECK_EQ(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED), 0);
	pthread_attr_getdetachstate(&a, &st);
	CHECK_EQ(st, PTHREAD_CREATE_DETACHED);
	CHECK_EQ(pthread_create(&t, &a, detached_fn, 0), 0);
	while (!detached_ran)
		sched_yield();
	CHECK(pthread_equal(seen_self, t));
	CHECK(!pthread_equal(pthread_self(), t));
	CHECK_EQ(pthread_join(pthread_self(), 0), EDEADLK);
	/* A thread detached after it started, and after it ended. */
	CHECK_EQ(pthread_create(&t, 0, small_stack, 0), 0);
	CHECK_EQ(pthread_detach(t), 0);
	CHECK_EQ(pthread_create(&t, 0, small_stack, 0), 0);
	usleep(5000);
	CHECK_EQ(pthread_detach(t), 0);
	/* A stack of our own, and the scheduling attributes there are. */
	static char own_stack[32768] __attribute__((aligned(16)));
	void *addr = 0;
	pthread_attr_t o;
	pthread_attr_init(&o);
	CHECK_EQ(pthread_attr_setstack(&o, own_stack, sizeof(own_stack)), 0);
	pthread_attr_getstack(&o, &addr, &sz);
	CHECK(addr == own_stack && sz == sizeof(own_stack));
	CHECK_EQ(pthread_create(&t, &o, small_stack, (void *)1), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK_EQ((long)ret, 2);
	CHECK_EQ(pthread_attr_setscope(&o, PTHREAD_SCOPE_PROCESS), ENOTSUP);
	CHECK_EQ(pthread_attr_setscope(&o, PTHREAD_SCOPE_SYSTEM), 0);
	CHECK_EQ(pthread_attr_setschedpolicy(&o, SCHED_FIFO), ENOTSUP);
	CHECK_EQ(pthread_attr_setschedpolicy(&o, SCHED_OTHER), 0);
	struct sched_param sp = { 0 };
	int pol = -1;
	CHECK_EQ(pthread_getschedparam(pthread_self(), &pol, &sp), 0);
	CHECK(pol == SCHED_OTHER && sp.sched_priority == 0);
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	CHECK_EQ(pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT), ENOTSUP);
	int old = -1;
	CHECK_EQ(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old), 0);
	CHECK_EQ(old, PTHREAD_CANCEL_ENABLE);
	CHECK_EQ(pthread_setcancelstate(5, &old), EINVAL);
	CHECK_EQ(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old), 0);
	CHECK_EQ(old, PTHREAD_CANCEL_DEFERRED);
	CHECK_EQ(pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, 0), 0);
	CHECK_EQ(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, 0), 0);
	/* Cancellation itself: test_pthread_cancel. */
#if !defined(_POSIX_THREADS) || !defined(_POSIX_SEMAPHORES) || !defined(_POSIX_TIMERS)
	CHECK(!"unistd.h names the options");
#endif
}

/* A thread that overflows its stack faults on the gap below it: the process dies of it. */
static long deep(long n)
{
	volatile char frame[512];
	frame[0] = (char)n;
	return n ? deep(n - 1) + frame[0] : 0;
}

static void *overflow(void *unused)
{
	(void)unused;
	return (void *)deep(1000); /* 512 KiB of frames on a 16 KiB stack */
}

static void stack_overflow(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pthread_attr_t a;
		pthread_t t;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 16384);
		pthread_create(&t, &a, overflow, 0);
		pthread_join(t, 0);
		_exit(0);
	}
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* stdio: every line one thread prints arrives whole (the runner's log shows them). */
static void *printer(void *arg)
{
	for (int i = 0; i < 5; i++)
		printf("  thread %ld line %d: abcdefghijklmnopqrstuvwxyz\n", (long)arg, i);
	return 0;
}

static void stdio_lines(void)
{
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], 0, printer, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], 0);
}

int main(void)
{
	counter_total();
	producer_consumer();
	keys();
	mutex_kinds();
	sync_objects();
	semaphores();
	detach_attrs();
	stack_overflow();
	stdio_lines();
	return test_status();
}
