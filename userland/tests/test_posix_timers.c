/*
 * POSIX per-process timers (docs/signals.md, "Timers"): a one-shot SIGEV_SIGNAL timer
 * on CLOCK_MONOTONIC fires once and not early, its handler seeing SI_TIMER and the
 * timer's sigev_value; a periodic one fires again and again
 * until deleted; TIMER_ABSTIME on CLOCK_REALTIME; SIGEV_NONE only counts down;
 * SIGEV_THREAD calls its function in a thread with the timer's value; timer_gettime and
 * disarming; times past 64 bits of nanoseconds stay far off (they wrapped short); a
 * forked child has none; the errors (EINVAL for a bad clock, signal,
 * time or id); and the library's timer thread takes none of the program's signals.
 */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define MS 1000000L

static volatile int hits;

static volatile int seen_code, seen_value;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	seen_code = si->si_code;
	seen_value = si->si_value.sival_int;
	hits++;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / MS;
}

static timer_t make(clockid_t clock, int notify, int signo)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = notify;
	ev.sigev_signo = signo;
	ev.sigev_value.sival_int = 42;
	timer_t id = 0;
	CHECK_EQ(timer_create(clock, &ev, &id), 0);
	return id;
}

/* Wait (in sigsuspend, SIGUSR1 blocked otherwise) until at least n hits. */
static void wait_hits(int n)
{
	sigset_t none;
	sigemptyset(&none);
	while (hits < n)
		sigsuspend(&none);
}

static void one_shot_and_periodic(void)
{
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, 0);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	timer_t t = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1);
	struct itimerspec v = { .it_value = { 0, 30 * MS } }, cur;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hits = 0;
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
	      cur.it_value.tv_nsec <= 30 * MS);
	wait_hits(1);
	CHECK(ms_since(&t0) >= 30); /* never early */
	CHECK_EQ(seen_code, SI_TIMER);
	CHECK_EQ(seen_value, 42); /* the timer's sigev_value */
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0); /* one shot: disarmed */
	/* Periodic: 10 ms, five times, then deleted: no more. */
	hits = 0;
	v.it_value.tv_nsec = 10 * MS;
	v.it_interval.tv_nsec = 10 * MS;
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	wait_hits(5);
	CHECK(timer_getoverrun(t) >= 0);
	CHECK_EQ(timer_delete(t), 0);
	int seen = hits;
	usleep(50000);
	sigprocmask(SIG_SETMASK, &old, 0); /* one may have been pending at the delete */
	CHECK(hits <= seen + 1);
	raise(SIGUSR1); /* a plain one after them is not taken for the timer's */
	CHECK_EQ(seen_code, SI_USER);
	CHECK(timer_gettime(t, &cur) == -1 && errno == EINVAL);
	CHECK(timer_delete(t) == -1 && errno == EINVAL);
}

static void absolute_realtime(void)
{
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	timer_t t = make(CLOCK_REALTIME, SIGEV_SIGNAL, SIGUSR1);
	struct itimerspec v = { 0 };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &v.it_value);
	v.it_value.tv_nsec += 40 * MS;
	if (v.it_value.tv_nsec >= 1000 * MS) {
		v.it_value.tv_sec++;
		v.it_value.tv_nsec -= 1000 * MS;
	}
	hits = 0;
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &v, 0), 0);
	wait_hits(1);
	CHECK(ms_since(&t0) >= 39);
	/* A time already past is due at once. */
	clock_gettime(CLOCK_REALTIME, &v.it_value);
	v.it_value.tv_sec -= 5;
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &v, 0), 0);
	wait_hits(2);
	CHECK_EQ(timer_delete(t), 0);
	sigprocmask(SIG_SETMASK, &old, 0);
}

static void counting_only(void)
{
	timer_t t = make(CLOCK_MONOTONIC, SIGEV_NONE, 0);
	struct itimerspec v = { .it_value = { 5, 0 } }, a, b;
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	CHECK_EQ(timer_gettime(t, &a), 0);
	usleep(20000);
	CHECK_EQ(timer_gettime(t, &b), 0);
	CHECK(a.it_value.tv_sec <= 5 &&
	      (b.it_value.tv_sec < a.it_value.tv_sec || (b.it_value.tv_sec == a.it_value.tv_sec &&
							 b.it_value.tv_nsec < a.it_value.tv_nsec)));
	/* Disarming with a zero value: the old setting comes back. */
	struct itimerspec zero = { 0 }, was;
	CHECK_EQ(timer_settime(t, 0, &zero, &was), 0);
	CHECK(was.it_value.tv_sec <= 4);
	CHECK_EQ(timer_gettime(t, &a), 0);
	CHECK(a.it_value.tv_sec == 0 && a.it_value.tv_nsec == 0);
	CHECK_EQ(timer_delete(t), 0);
}

#define FAR_S  ((time_t)1 << 40) /* 35,000 years: past 64 bits of nanoseconds */
#define WRAP_S 18446744074L	 /* just past 2^64 ns: wrapped through them, 0.29 s */

/*
 * Times past 64 bits of nanoseconds stay far off, as setitimer's do: relative, the
 * largest there is (saturated, still armed), absolute on CLOCK_REALTIME; and an interval
 * of for ever after a first expiry is one expiry, not a flood. They wrapped short when
 * timer_settime converted through a nanosecond count.
 */
static void far_times(void)
{
	timer_t t = make(CLOCK_MONOTONIC, SIGEV_NONE, 0);
	struct itimerspec v = { .it_interval = { FAR_S, 0 }, .it_value = { WRAP_S, 0 } }, cur, was;
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec >= WRAP_S - 60 && cur.it_value.tv_sec <= WRAP_S);
	CHECK_EQ(cur.it_interval.tv_sec, FAR_S);
	struct itimerspec most = { { INT64_MAX, 999999999 }, { INT64_MAX, 999999999 } };
	CHECK_EQ(timer_settime(t, 0, &most, &was), 0);
	CHECK(was.it_value.tv_sec >= WRAP_S - 60);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec >= FAR_S && cur.it_interval.tv_sec >= FAR_S);
	CHECK_EQ(timer_delete(t), 0);

	t = make(CLOCK_REALTIME, SIGEV_NONE, 0);
	struct itimerspec at = { .it_value = { FAR_S, 0 } };
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &at, 0), 0);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec > FAR_S / 2);
	at.it_value.tv_sec = INT64_MAX;
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &at, 0), 0);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec > FAR_S / 2);
	CHECK_EQ(timer_delete(t), 0);

	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	t = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1);
	most.it_value = (struct timespec){ 0, 10 * MS };
	hits = 0;
	CHECK_EQ(timer_settime(t, 0, &most, 0), 0);
	wait_hits(1);
	ms_sleep(30); /* a wrapped next deadline would be due at once, again and again */
	sigprocmask(SIG_UNBLOCK, &usr1, 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(timer_gettime(t, &cur), 0);
	CHECK(cur.it_value.tv_sec >= FAR_S);
	CHECK_EQ(timer_delete(t), 0);
	sigprocmask(SIG_SETMASK, &old, 0);
}

static sem_t fired;
static volatile int fired_value;

static void in_thread(union sigval v)
{
	fired_value = v.sival_int;
	sem_post(&fired);
}

static void thread_notify(void)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = in_thread;
	ev.sigev_value.sival_int = 77;
	timer_t t;
	CHECK_EQ(sem_init(&fired, 0, 0), 0);
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	struct itimerspec v = { .it_value = { 0, 10 * MS } };
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	CHECK_EQ(sem_wait(&fired), 0);
	CHECK_EQ(fired_value, 77);
	CHECK_EQ(timer_delete(t), 0);
}

static void errors_and_fork(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
	timer_t t;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	ev.sigev_signo = SIGUSR1;
	CHECK(timer_create(99, &ev, &t) == -1 && errno == EINVAL);
	ev.sigev_notify = 99;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	ev.sigev_notify = SIGEV_THREAD; /* without a function */
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, 0, &t), 0); /* SIGALRM by default */
	struct itimerspec bad = { .it_value = { 0, 1000 * MS } }, v = { .it_value = { 9, 0 } };
	CHECK(timer_settime(t, 0, &bad, 0) == -1 && errno == EINVAL);
	CHECK(timer_settime(12345, 0, &v, 0) == -1 && errno == EINVAL);
	CHECK_EQ(timer_settime(t, 0, &v, 0), 0);
	pid_t c = fork();
	if (c == 0) { /* the child has no timers */
		struct itimerspec cur;
		_exit(timer_gettime(t, &cur) == -1 && errno == EINVAL ? 0 : 1);
	}
	int st = -1;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(timer_delete(t), 0);
}

/*
 * The library's timer thread takes no signal of the program's: with SIGUSR2 at its
 * default action and blocked by our only thread after the timer thread exists, one sent
 * to us stays pending (it ended the process when that thread, which did not block it,
 * was diverted to take it).
 */
static void helper_takes_none(void)
{
	timer_t t;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0); /* the timer thread runs now */
	struct itimerspec its = { { 0, 0 }, { 60, 0 } };
	CHECK_EQ(timer_settime(t, 0, &its, 0), 0);
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	int st = -1;
	pid_t me = getpid(), kid = fork();
	if (kid == 0)
		_exit(kill(me, SIGUSR2) == 0 ? 0 : 1);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	struct timespec pause = { 0, 50 * MS };
	nanosleep(&pause, 0); /* the diversion, wherever it goes, has happened */
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR2) == 1);
	int got = 0;
	CHECK_EQ(sigwait(&s, &got), 0);
	CHECK_EQ(got, SIGUSR2);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &s, 0), 0);
	timer_delete(t);
}

int main(void)
{
	helper_takes_none();
	one_shot_and_periodic();
	absolute_realtime();
	counting_only();
	far_times();
	thread_notify();
	errors_and_fork();
	return test_status();
}
