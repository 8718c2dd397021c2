/*
 * Clocks: CLOCK_MONOTONIC never goes back over 1,000 reads; nanosleep(20 ms) takes at
 * least 20 ms on it; bad arguments get EINVAL; CLOCK_REALTIME starts from the RTC when
 * the device tree names one (after 2020) and from 1970 when it does not; clock_settime
 * moves CLOCK_REALTIME (and gettimeofday, time) for every process but not
 * CLOCK_MONOTONIC; an absolute clock_nanosleep and a pthread_cond_timedwait on each
 * clock end no earlier than asked; waits of centuries (past 64 bits of nanoseconds) are
 * long, not wrapped short; the clock-named waits of POSIX 2024. Also the ids (all 0) and what sysconf answers.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

#define NS 1000000000L

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * NS + t->tv_nsec;
}

static long long now_ns(clockid_t c)
{
	struct timespec t = { 0, 0 };
	CHECK_EQ(clock_gettime(c, &t), 0);
	return ns_of(&t);
}

static void monotonic(void)
{
	long long prev = now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 1000; i++) {
		long long n = now_ns(CLOCK_MONOTONIC);
		CHECK(n >= prev);
		prev = n;
	}
	struct timespec res = { 0, 0 }, t;
	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0);
	CHECK(clock_gettime((clockid_t)99, &t) == -1 && errno == EINVAL);
}

static void sleeps(void)
{
	struct timespec req = { 0, 20 * 1000 * 1000 }, rem = { 5, 5 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(nanosleep(&req, &rem), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 20 * 1000 * 1000);
	CHECK(rem.tv_sec == 0 && rem.tv_nsec == 0);
	req.tv_nsec = NS;
	CHECK(nanosleep(&req, 0) == -1 && errno == EINVAL);
	req.tv_nsec = -1;
	CHECK(nanosleep(&req, 0) == -1 && errno == EINVAL);
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_EQ(usleep(10000), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 10 * 1000 * 1000);
	/* absolute, on the monotonic clock */
	long long until = now_ns(CLOCK_MONOTONIC) + 15 * 1000 * 1000;
	struct timespec abs = { (time_t)(until / NS), (long)(until % NS) };
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0), 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >= until);
	CHECK_EQ(clock_nanosleep((clockid_t)99, 0, &abs, 0), EINVAL);
}

#define YEAR_2020 1577836800LL

/* Does the device tree name the RTC the fork server reads? -1: we cannot ask. */
static int have_rtc(void)
{
	static const char compat[] = "google,goldfish-rtc";
	long s = slot_alloc();
	long r = SYSCALL(device_get, SLOT_IRQCTL, s, (long)compat, (long)strlen(compat), 0);
	slot_free(s);
	return r >= 0 ? 1 : r == E_NOENT ? 0 : -1;
}

static void realtime(void)
{
	struct timespec set = { 1700000000, 0 }, bad = { 1, NS };
	long long mono0 = now_ns(CLOCK_MONOTONIC), rt0 = now_ns(CLOCK_REALTIME);
	int rtc = have_rtc();
	if (rtc == 1)
		CHECK(rt0 > YEAR_2020 * NS);
	if (rtc == 0)
		CHECK(rt0 < YEAR_2020 * NS && rt0 >= mono0);
	CHECK_EQ(clock_settime(CLOCK_REALTIME, &set), 0);
	long long rt = now_ns(CLOCK_REALTIME);
	CHECK(rt >= 1700000000LL * NS && rt < 1700000010LL * NS);
	CHECK(now_ns(CLOCK_MONOTONIC) >= mono0); /* not moved */
	CHECK(clock_settime(CLOCK_MONOTONIC, &set) == -1 && errno == EINVAL);
	CHECK(clock_settime(CLOCK_REALTIME, &bad) == -1 && errno == EINVAL);
	struct timeval tv;
	CHECK_EQ(gettimeofday(&tv, 0), 0);
	CHECK(tv.tv_sec >= 1700000000 && tv.tv_sec < 1700000010);
	time_t t = time(0);
	CHECK(t >= 1700000000 && t < 1700000010);
	/* Another process sees the change, and its own change reaches us. */
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec later = { 1800000000, 0 };
		int ok = time(0) >= 1700000000 && time(0) < 1700000010;
		_exit(ok && clock_settime(CLOCK_REALTIME, &later) == 0 ? 0 : 1);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(time(0) >= 1800000000 && time(0) < 1800000010);
	struct tms tm;
	CHECK(times(&tm) != (clock_t)-1);
	CHECK(clock() != (clock_t)-1);
	/* Put the clock back where it would be. */
	long long back = rt0 + (now_ns(CLOCK_MONOTONIC) - mono0);
	struct timespec restore = { (time_t)(back / NS), (long)(back % NS) };
	CHECK_EQ(clock_settime(CLOCK_REALTIME, &restore), 0);
}

/* A timed wait nobody signals ends with ETIMEDOUT, not before its time, on either clock. */
static void timed_waits(void)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	clockid_t clocks[2] = { CLOCK_REALTIME, CLOCK_MONOTONIC };
	for (int i = 0; i < 2; i++) {
		pthread_condattr_t a;
		pthread_cond_t c;
		pthread_condattr_init(&a);
		CHECK_EQ(pthread_condattr_setclock(&a, clocks[i]), 0);
		pthread_cond_init(&c, &a);
		long long until = now_ns(clocks[i]) + 20 * 1000 * 1000;
		struct timespec abs = { (time_t)(until / NS), (long)(until % NS) };
		pthread_mutex_lock(&m);
		CHECK_EQ(pthread_cond_timedwait(&c, &m, &abs), ETIMEDOUT);
		CHECK(now_ns(clocks[i]) >= until);
		/* A time already past times out at once (it once waited for ever). */
		struct timespec past = { (time_t)(until / NS) - 1, 0 };
		CHECK_EQ(pthread_cond_timedwait(&c, &m, &past), ETIMEDOUT);
		abs.tv_nsec = -5;
		CHECK_EQ(pthread_cond_timedwait(&c, &m, &abs), EINVAL);
		CHECK_EQ(pthread_mutex_trylock(&m), EBUSY); /* still held by us */
		pthread_mutex_unlock(&m);
	}
}

#define FAR_S ((time_t)1 << 40) /* 35,000 years: past 64 bits of nanoseconds */
#define MS    1000000L

static void on_alrm(int sig)
{
	(void)sig;
}

static void *post_later(void *sem)
{
	ms_sleep(20);
	sem_post(sem);
	return 0;
}

/* An interval timer's SIGALRM in 20 ms, caught without SA_RESTART: it ends a wait. */
static void alarm_soon(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	CHECK_EQ(setitimer(ITIMER_REAL, &it, 0), 0);
}

/*
 * Waits of centuries wait (until a signal or a post ends them) rather than wrapping
 * short through a 64-bit nanosecond count: a relative nanosleep keeps its remainder, an
 * absolute sem_timedwait, sigtimedwait, and select and ppoll whose nanoseconds came to
 * a few (2^64 ns and a bit) or nothing.
 */
static void far_waits(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	CHECK_EQ(sigaction(SIGALRM, &sa, 0), 0);
	struct timespec wrap = { 18446744074L, 0 }, rem = { 0, 0 };
	alarm_soon();
	CHECK(nanosleep(&wrap, &rem) == -1 && errno == EINTR);
	CHECK(rem.tv_sec >= wrap.tv_sec - 60 && rem.tv_sec <= wrap.tv_sec);

	sem_t s;
	pthread_t th;
	CHECK_EQ(sem_init(&s, 0, 0), 0);
	CHECK_EQ(pthread_create(&th, 0, post_later, &s), 0);
	struct timespec far = { FAR_S, 0 };
	CHECK_EQ(sem_timedwait(&s, &far), 0);
	CHECK_EQ(pthread_join(th, 0), 0);
	sem_destroy(&s);

	sigset_t alrm, old;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &alrm, &old), 0);
	alarm_soon();
	CHECK_EQ(sigtimedwait(&alrm, 0, &far), SIGALRM);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &old, 0), 0);

	struct timeval tv = { 18446744073L, 709552 }; /* 2^64 ns + 384 ns */
	alarm_soon();
	CHECK(select(0, 0, 0, 0, &tv) == -1 && errno == EINTR);
	struct timespec ts = { 18446744073L, 709551616 }; /* 2^64 ns */
	alarm_soon();
	CHECK(ppoll(0, 0, &ts, 0) == -1 && errno == EINTR);
	/* A relative time below zero has passed: no wait, no error. */
	struct timespec neg = { -1, 0 };
	CHECK_EQ(nanosleep(&neg, 0), 0);
	signal(SIGALRM, SIG_DFL);
}

/* A monotonic deadline ms from now, as an absolute time; *at: the same in ns. */
static struct timespec mono_after(long ms, long long *at)
{
	*at = now_ns(CLOCK_MONOTONIC) + ms * MS;
	return (struct timespec){ (time_t)(*at / NS), (long)(*at % NS) };
}

/*
 * POSIX 2024's waits on a named clock: on CLOCK_MONOTONIC (far behind CLOCK_REALTIME, so
 * a time taken on the wrong clock would be long past) each ends with ETIMEDOUT no earlier
 * than its monotonic deadline, whatever clock the condition variable was made with;
 * sem_clockwait is woken by a post; a clock they do not take is EINVAL.
 */
static void clock_waits(void)
{
	long long at;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER; /* its own clock: CLOCK_REALTIME */
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	sem_t s;
	struct timespec abs = mono_after(20, &at);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_cond_clockwait(&c, &m, CLOCK_MONOTONIC, &abs), ETIMEDOUT);
	CHECK(now_ns(CLOCK_MONOTONIC) >= at);
	abs = mono_after(20, &at);
	CHECK_EQ(pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &abs), ETIMEDOUT); /* held */
	CHECK(now_ns(CLOCK_MONOTONIC) >= at);
	CHECK_EQ(pthread_mutex_clocklock(&m, CLOCK_THREAD_CPUTIME_ID, &abs), EINVAL);
	CHECK_EQ(pthread_cond_clockwait(&c, &m, CLOCK_PROCESS_CPUTIME_ID, &abs), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
	abs = mono_after(20, &at);
	CHECK_EQ(pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &abs), ETIMEDOUT);
	CHECK(now_ns(CLOCK_MONOTONIC) >= at);
	CHECK_EQ(pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &abs), 0);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	CHECK_EQ(sem_init(&s, 0, 0), 0);
	abs = mono_after(20, &at);
	CHECK(sem_clockwait(&s, CLOCK_MONOTONIC, &abs) == -1 && errno == ETIMEDOUT);
	CHECK(now_ns(CLOCK_MONOTONIC) >= at);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, 0, post_later, &s), 0);
	abs = mono_after(60 * 1000, &at);
	CHECK_EQ(sem_clockwait(&s, CLOCK_MONOTONIC, &abs), 0);
	CHECK_EQ(pthread_join(th, 0), 0);
	CHECK(sem_clockwait(&s, 99, &abs) == -1 && errno == EINVAL);
	sem_destroy(&s);
}

int main(void)
{
	monotonic();
	sleeps();
	realtime();
	timed_waits();
	far_waits();
	clock_waits();
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	/* What programs probe for before they use it. */
	CHECK_EQ(sysconf(_SC_CLK_TCK), CLOCKS_PER_SEC);
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
	CHECK_EQ(getpagesize(), 4096);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	CHECK(sysconf(_SC_PHYS_PAGES) > 0);
	CHECK(sysconf(_SC_THREADS) > 0 && sysconf(_SC_SEMAPHORES) > 0 && sysconf(_SC_TIMERS) > 0);
	CHECK(sysconf(_SC_MONOTONIC_CLOCK) > 0);
	CHECK(sysconf(_SC_THREAD_KEYS_MAX) >= 128);
	errno = 0;
	CHECK(sysconf(_SC_SPORADIC_SERVER) == -1 && errno == 0); /* not offered */
	CHECK(sysconf(-5) == -1 && errno == EINVAL);
	CHECK_EQ(sched_yield(), 0);
	return test_status();
}
