/*
 * Thread cancellation (POSIX; docs/userland.md): a deferred cancel acts only at a
 * cancellation point (pthread_testcancel, sleep, pthread_cond_wait with the mutex locked
 * again before the cleanup handlers run, sem_wait, pthread_join), and the joiner sees
 * PTHREAD_CANCELED (and mq_receive, which takes no message when cancelled); cleanup handlers run newest first, then the keys' destructors; a
 * thread with cancellation disabled runs on and acts once it enables it and reaches a
 * point; an asynchronous cancel stops a loop that reaches no point; a cancel sent before
 * the thread has started acts at its first point; pthread_kill right after
 * pthread_create reaches the new thread's handler; pthread_cancel of a thread that has
 * ended is not an error; bad arguments give EINVAL; a thread on the smallest stack that is
 * diverted again and again while it spins does not overflow it.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <unistd.h>

#include "testlib.h"

int test_failures;

#define SETTLE_US 20000 /* long enough for the target to block in its point */

static volatile int order[4], order_n;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int reached, lock_held_in_cleanup;
static sem_t sem;
static pthread_key_t key;
static volatile int destructed;

static void note(void *arg)
{
	order[order_n++] = (int)(long)arg;
}

static void *spin_with_points(void *arg)
{
	(void)arg;
	reached = 1;
	for (;;)
		pthread_testcancel();
	return 0;
}

static void *sleep_with_cleanup(void *arg)
{
	(void)arg;
	pthread_setspecific(key, (void *)1);
	pthread_cleanup_push(note, (void *)1);
	pthread_cleanup_push(note, (void *)2);
	reached = 1;
	for (;;)
		sleep(1);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return 0;
}

static void check_lock_held(void *arg)
{
	(void)arg;
	lock_held_in_cleanup = pthread_mutex_trylock(&lock) == EBUSY;
	pthread_mutex_unlock(&lock);
}

static void *wait_on_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	pthread_cleanup_push(check_lock_held, 0);
	reached = 1;
	for (;;)
		pthread_cond_wait(&cond, &lock);
	pthread_cleanup_pop(0);
	return 0;
}

static void *wait_on_sem(void *arg)
{
	(void)arg;
	reached = 1;
	sem_wait(&sem);
	return (void *)1; /* not reached: the cancel comes first */
}

static void *receive_forever(void *arg)
{
	char buf[64];
	reached = 1;
	mq_receive((mqd_t)(long)arg, buf, sizeof(buf), 0);
	return (void *)1; /* not reached: the queue stays empty */
}

static void *join_forever(void *arg)
{
	reached = 1;
	pthread_join((pthread_t)arg, 0);
	return 0;
}

static volatile int disabled_ran_on;

static void *disabled_then_enabled(void *arg)
{
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, 0);
	reached = 1;
	usleep(2 * SETTLE_US); /* a point, but cancellation is off: it runs on */
	disabled_ran_on = 1;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, 0);
	pthread_testcancel();
	return 0;
}

static volatile unsigned long spins;

static void *async_loop(void *arg)
{
	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, 0);
	reached = 1;
	for (;;)
		spins++;
	return 0;
}

static void *returns_seven(void *arg)
{
	(void)arg;
	return (void *)7;
}

static volatile int usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

static void *wait_for_usr1(void *arg)
{
	(void)arg;
	while (!usr1_seen)
		sched_yield();
	return 0;
}

static void on_key_exit(void *v)
{
	(void)v;
	destructed++;
}

/* Start fn, wait until it reaches its point, cancel it and join: its result. */
static void *cancel_when_reached(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *ret = 0;
	reached = 0;
	CHECK_EQ(pthread_create(&t, 0, fn, arg), 0);
	while (!reached)
		sched_yield();
	usleep(SETTLE_US);
	CHECK_EQ(pthread_cancel(t), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	return ret;
}

static void deferred_points(void)
{
	CHECK(cancel_when_reached(spin_with_points, 0) == PTHREAD_CANCELED);
	CHECK_EQ(pthread_key_create(&key, on_key_exit), 0);
	CHECK(cancel_when_reached(sleep_with_cleanup, 0) == PTHREAD_CANCELED);
	CHECK_EQ(order_n, 2);
	CHECK(order[0] == 2 && order[1] == 1); /* newest first */
	CHECK_EQ(destructed, 1);
	CHECK(cancel_when_reached(wait_on_cond, 0) == PTHREAD_CANCELED);
	CHECK_EQ(lock_held_in_cleanup, 1);
	CHECK_EQ(pthread_mutex_trylock(&lock), 0); /* the cleanup handler unlocked it */
	pthread_mutex_unlock(&lock);
	CHECK_EQ(sem_init(&sem, 0, 0), 0);
	CHECK(cancel_when_reached(wait_on_sem, 0) == PTHREAD_CANCELED);
	int v = -1;
	CHECK(sem_getvalue(&sem, &v) == 0 && v == 0);
	CHECK(cancel_when_reached(join_forever, (void *)pthread_self()) == PTHREAD_CANCELED);
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 64 };
	mqd_t q = mq_open("/tpc_q", O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	CHECK(q != (mqd_t)-1);
	CHECK(cancel_when_reached(receive_forever, (void *)(long)q) == PTHREAD_CANCELED);
	char buf[64];
	CHECK_EQ(mq_send(q, "m", 1, 0), 0); /* the cancelled receive took nothing */
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 1);
	CHECK_EQ(mq_close(q), 0);
	CHECK_EQ(mq_unlink("/tpc_q"), 0);
}

static void state_and_type(void)
{
	disabled_ran_on = 0;
	CHECK(cancel_when_reached(disabled_then_enabled, 0) == PTHREAD_CANCELED);
	CHECK_EQ(disabled_ran_on, 1);
	CHECK(cancel_when_reached(async_loop, 0) == PTHREAD_CANCELED);
	CHECK(spins > 0);
	CHECK_EQ(pthread_setcancelstate(7, 0), EINVAL);
	CHECK_EQ(pthread_setcanceltype(7, 0), EINVAL);
	int old = -1;
	CHECK_EQ(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old), 0);
	CHECK_EQ(old, PTHREAD_CANCEL_ENABLE);
	CHECK_EQ(pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old), 0);
	CHECK_EQ(old, PTHREAD_CANCEL_DEFERRED);
}

/*
 * A thread that spins through points on the smallest stack, cancelled again and again: a
 * cancel that reached it inside the handler of the one before must not nest its frame
 * below that one's, or a few dozen retries overflow the stack (SIGSEGV).
 */
#define SMALL_STACK_ROUNDS 200
static void small_stack_rounds(void)
{
	pthread_attr_t a;
	CHECK_EQ(pthread_attr_init(&a), 0);
	CHECK_EQ(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN), 0);
	for (int i = 0; i < SMALL_STACK_ROUNDS; i++) {
		pthread_t t;
		void *ret = 0;
		reached = 0;
		CHECK_EQ(pthread_create(&t, &a, spin_with_points, 0), 0);
		while (!reached)
			sched_yield();
		CHECK_EQ(pthread_cancel(t), 0);
		CHECK_EQ(pthread_join(t, &ret), 0);
		CHECK(ret == PTHREAD_CANCELED);
	}
	pthread_attr_destroy(&a);
}

static void before_start_and_after_end(void)
{
	pthread_t t;
	void *ret = 0;
	/* Cancelled at once: it may not have run yet, and acts at its first point. */
	CHECK_EQ(pthread_create(&t, 0, spin_with_points, 0), 0);
	CHECK_EQ(pthread_cancel(t), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == PTHREAD_CANCELED);
	/* One that has ended but is not joined yet: no error, and its value stands. */
	CHECK_EQ(pthread_create(&t, 0, returns_seven, 0), 0);
	usleep(SETTLE_US);
	CHECK_EQ(pthread_cancel(t), 0);
	CHECK_EQ(pthread_join(t, &ret), 0);
	CHECK(ret == (void *)7 || ret == PTHREAD_CANCELED);
	/* A signal aimed at a thread before it has run reaches its handler. */
	signal(SIGUSR1, on_usr1);
	CHECK_EQ(pthread_create(&t, 0, wait_for_usr1, 0), 0);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(usr1_seen, 1);
}

int main(void)
{
	deferred_points();
	state_and_type();
	before_start_and_after_end();
	small_stack_rounds();
	return test_status();
}
