/*
 * ITIMER_REAL and alarm (userland/lib/itimer.c): setitimer with sigsuspend and pause
 * (SIGALRM comes, not before its time), a repeating timer, alarm reporting what was left,
 * bad arguments.
 */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

/* setitimer with sigsuspend and pause: SIGALRM comes, not before its time; alarm reports what was left. */
static volatile int alarms;

static void alarm_handler(int sig)
{
	(void)sig;
	alarms++;
}

static long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void timers(void)
{
	signal(SIGALRM, alarm_handler);
	struct itimerval v = { { 0, 0 }, { 0, 20000 } }, g;
	sigset_t alrm, old;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	/* Blocked but inside sigsuspend: the one alarm cannot fall between test and wait. */
	sigprocmask(SIG_BLOCK, &alrm, &old);
	long long t0 = mono_ns();
	alarms = 0;
	CHECK_EQ(setitimer(ITIMER_REAL, &v, 0), 0);
	while (!alarms)
		CHECK(sigsuspend(&old) == -1 && errno == EINTR);
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK(mono_ns() - t0 >= 20000000LL);
	CHECK_EQ(alarms, 1);
	CHECK_EQ(getitimer(ITIMER_REAL, &g), 0);
	CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0); /* one shot: disarmed */
	/* A repeating timer: three alarms, then off. */
	struct itimerval rep = { { 0, 10000 }, { 0, 10000 } };
	setitimer(ITIMER_REAL, &rep, 0);
	while (alarms < 4)
		pause();
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, 0);
	CHECK_EQ(alarm(100), 0);
	unsigned left = alarm(0);
	CHECK(left >= 99 && left <= 100);
	CHECK(setitimer(5, &off, 0) == -1 && errno == EINVAL);
	signal(SIGALRM, SIG_DFL);
}

int main(void)
{
	timers();
	return test_status();
}
