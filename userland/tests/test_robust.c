/*
 * Robust mutexes (docs/userland.md, "Robust mutexes"): a thread or a process that dies
 * holding one gives the next locker EOWNERDEAD; pthread_mutex_consistent makes it good,
 * and an unlock without it leaves the mutex unrecoverable. Also process-shared
 * error-checking mutexes across fork, whose owners' pthread_t values are alike.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static pthread_mutex_t *shared_mutex(int type, int robust)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	pthread_mutexattr_setrobust(&a, robust);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return m;
}

static void attributes(void)
{
	pthread_mutexattr_t a;
	int r = -1;
	CHECK_EQ(pthread_mutexattr_init(&a), 0);
	CHECK_EQ(pthread_mutexattr_getrobust(&a, &r), 0);
	CHECK_EQ(r, PTHREAD_MUTEX_STALLED);
	CHECK_EQ(pthread_mutexattr_setrobust(&a, 7), EINVAL);
	CHECK_EQ(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0);
	CHECK_EQ(pthread_mutexattr_getrobust(&a, &r), 0);
	CHECK_EQ(r, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_t m, plain = PTHREAD_MUTEX_INITIALIZER;
	CHECK_EQ(pthread_mutex_init(&m, &a), 0);
	CHECK_EQ(pthread_mutex_consistent(&m), EINVAL); /* nothing to make good */
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
	CHECK_EQ(pthread_mutex_consistent(&m), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM); /* robust: the owner is checked */
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
	CHECK_EQ(pthread_mutex_consistent(&plain), EINVAL); /* not robust */
	pthread_mutexattr_destroy(&a);
}

static void *hold_and_end(void *arg)
{
	pthread_mutex_lock(arg);
	return 0; /* ends holding it */
}

static void *lock_in_thread(void *arg)
{
	return (void *)(long)pthread_mutex_lock(arg);
}

/* A thread of ours ends holding it: EOWNERDEAD, made good, then usable as ever. */
static void thread_dies(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t;
	void *ret;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	CHECK_EQ(pthread_create(&t, 0, hold_and_end, &m), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(pthread_mutex_lock(&m), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);

	/* Again, not made good: the unlock leaves it unrecoverable, for waiters too. */
	CHECK_EQ(pthread_create(&t, 0, hold_and_end, &m), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(pthread_mutex_trylock(&m), EOWNERDEAD);
	pthread_t waiter;
	CHECK_EQ(pthread_create(&waiter, 0, lock_in_thread, &m), 0);
	struct timespec pause = { 0, 20000000 };
	nanosleep(&pause, 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_join(waiter, &ret), 0);
	CHECK_EQ((long)ret, ENOTRECOVERABLE);
	CHECK_EQ(pthread_mutex_lock(&m), ENOTRECOVERABLE);
	CHECK_EQ(pthread_mutex_trylock(&m), ENOTRECOVERABLE);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
	CHECK_EQ(pthread_mutex_init(&m, &a), 0); /* a fresh start */
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	pthread_mutexattr_destroy(&a);
}

/* A recursive robust mutex held twice by a thread that ends: one EOWNERDEAD. */
static void recursive_dies(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM);
	CHECK_EQ(pthread_create(&t, 0, hold_and_end, &m), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(pthread_mutex_lock(&m), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0); /* recursion still counts */
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_trylock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	pthread_mutexattr_destroy(&a);
}

/*
 * Another process holds it and dies, by _exit or by SIGKILL, while we wait for it: our
 * lock returns EOWNERDEAD. A timed lock meanwhile times out.
 */
static void process_dies(int by_kill)
{
	pthread_mutex_t *m = shared_mutex(PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ROBUST);
	int ready[2];
	char c;
	CHECK(m != 0 && pipe(ready) == 0);
	pid_t child = fork();
	if (child == 0) {
		int err = pthread_mutex_lock(m);
		if (write(ready[1], "x", 1) != 1 || err)
			_exit(1);
		if (by_kill)
			for (;;)
				pause();
		struct timespec hold = { 0, 50000000 };
		nanosleep(&hold, 0);
		_exit(0);
	}
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(pthread_mutex_trylock(m), EBUSY);
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 20000000;
	if (soon.tv_nsec >= 1000000000) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000;
	}
	CHECK_EQ(pthread_mutex_timedlock(m, &soon), ETIMEDOUT);
	if (by_kill)
		kill(child, SIGKILL);
	CHECK_EQ(pthread_mutex_lock(m), EOWNERDEAD); /* waits for the death */
	CHECK_EQ(pthread_mutex_consistent(m), 0);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
	int st = 0;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(by_kill ? WIFSIGNALED(st) : WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(pthread_mutex_lock(m), 0);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
	close(ready[0]);
	close(ready[1]);
	munmap(m, 4096);
}

/*
 * A process-shared error-checking mutex that the parent holds: the child's lock must
 * wait for it, not call it a deadlock (both processes' first threads have one pthread_t).
 */
static void shared_errorcheck(void)
{
	pthread_mutex_t *m = shared_mutex(PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_STALLED);
	CHECK(m != 0);
	CHECK_EQ(pthread_mutex_lock(m), 0);
	pid_t child = fork();
	if (child == 0) {
		if (pthread_mutex_trylock(m) != EBUSY || pthread_mutex_unlock(m) != EPERM)
			_exit(1);
		_exit(pthread_mutex_lock(m) == 0 && pthread_mutex_unlock(m) == 0 ? 0 : 2);
	}
	struct timespec pause = { 0, 20000000 };
	nanosleep(&pause, 0);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
	int st = -1;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(pthread_mutex_lock(m), 0);
	CHECK_EQ(pthread_mutex_lock(m), EDEADLK);
	CHECK_EQ(pthread_mutex_unlock(m), 0);
	munmap(m, 4096);
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

/* A condition wait on a robust mutex gives it back and takes it again. */
static void *signal_later(void *arg)
{
	pthread_mutex_lock(arg);
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(arg);
	return 0;
}

static void cond_wait_robust(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_create(&t, 0, signal_later, &m), 0);
	CHECK_EQ(pthread_cond_wait(&cond, &m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(pthread_cond_wait(&cond, &m), EPERM); /* not ours */
	pthread_mutexattr_destroy(&a);
}

int main(void)
{
	attributes();
	thread_dies();
	recursive_dies();
	process_dies(0);
	process_dies(1);
	shared_errorcheck();
	cond_wait_robust();
	return test_status();
}
