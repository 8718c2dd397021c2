/*
 * ITIMER_REAL and alarm (the fork server's, PROC_ALARM): setitimer with sigsuspend and
 * pause (SIGALRM comes, not before its time), a repeating timer, alarm reporting what
 * was left, bad arguments, times rounded up to 1 ms; ITIMER_PROF and ITIMER_VIRTUAL on
 * the process's run time; a forked child has no alarm, and exec keeps it (POSIX: the
 * new image inherits the time left, and a SIGALRM ignored stays ignored).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
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
	/* A very long time (past 64 bits of nanoseconds) is kept long, not wrapped short. */
	struct itimerval far = { { 0, 0 }, { (time_t)1 << 40, 0 } };
	CHECK_EQ(setitimer(ITIMER_REAL, &far, 0), 0);
	CHECK_EQ(getitimer(ITIMER_REAL, &g), 0);
	CHECK(g.it_value.tv_sec > (time_t)1 << 39);
	CHECK_EQ(setitimer(ITIMER_REAL, &off, &g), 0);
	CHECK(g.it_value.tv_sec > (time_t)1 << 39);
	/* Rounded up to the timer's 1 ms (POSIX): a 1 us interval is no flood of signals. */
	struct itimerval tiny = { { 0, 1 }, { 0, 1 } };
	CHECK_EQ(setitimer(ITIMER_REAL, &tiny, 0), 0);
	CHECK_EQ(getitimer(ITIMER_REAL, &g), 0);
	CHECK(g.it_interval.tv_sec == 0 && g.it_interval.tv_usec >= 1000);
	CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec <= 1000);
	alarms = 0;
	ms_sleep(50); /* about 50 alarms, not thousands (they also merge while pending) */
	setitimer(ITIMER_REAL, &off, 0);
	CHECK(alarms <= 60);
	signal(SIGALRM, SIG_DFL);
}

/* POSIX fork: the child's alarm is off; the parent's runs on. */
static void none_in_child(void)
{
	CHECK_EQ(alarm(100), 0);
	pid_t kid = fork();
	if (kid == 0)
		_exit(alarm(0) == 0 ? 0 : 1);
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unsigned left = alarm(0);
	CHECK(left >= 99 && left <= 100);
}

#define EXEC_FIRST_US 200000 /* the alarm the exec'd image inherits */
#define EXEC_EVERY_US 300000

/*
 * A child sets an alarm (ignoring SIGALRM if ignore) and execs this test as "alarmed",
 * which reports what it inherited and waits: its exit status, or the signal it died of.
 */
static int run_alarmed(int ignore, long long *took_ns)
{
	long long t0 = mono_ns();
	pid_t kid = fork();
	if (kid == 0) {
		struct itimerval v = { { 0, EXEC_EVERY_US }, { 0, EXEC_FIRST_US } };
		if (ignore)
			signal(SIGALRM, SIG_IGN);
		setitimer(ITIMER_REAL, &v, 0);
		execl("/bin/test_alarm", "test_alarm", "alarmed", (char *)0);
		_exit(3);
	}
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	*took_ns = mono_ns() - t0;
	return st;
}

/* The new image's side: the time left came along; wait for SIGALRM or 3 intervals. */
static int alarmed(void)
{
	struct itimerval g;
	if (getitimer(ITIMER_REAL, &g) != 0)
		return 10;
	if (g.it_value.tv_sec != 0 || g.it_value.tv_usec <= 0 || g.it_value.tv_usec > EXEC_FIRST_US)
		return 11; /* no time left, or more than was set */
	if (g.it_interval.tv_sec != 0 || g.it_interval.tv_usec != EXEC_EVERY_US)
		return 12;
	long long end = mono_ns() + 3LL * EXEC_EVERY_US * 1000;
	while (mono_ns() < end)
		ms_sleep(10); /* SIGALRM ends us here unless it is ignored */
	return 0;
}

static void kept_across_exec(void)
{
	long long took = 0;
	int st = run_alarmed(0, &took);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
	if (!WIFSIGNALED(st))
		printf("  the exec'd image exited %d\n", WEXITSTATUS(st));
	CHECK(took >= EXEC_FIRST_US * 1000LL);
	st = run_alarmed(1, &took); /* ignored before exec: stays ignored, the image lives */
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (WIFEXITED(st) && WEXITSTATUS(st))
		printf("  the exec'd image exited %d\n", WEXITSTATUS(st));
}

static volatile int cpu_sig;

static void on_cpu_timer(int sig)
{
	cpu_sig = sig;
}

static long long cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Spin until timer which sends sig (or 3 s of real time): the CPU time it took, or -1. */
static long long spin_for(int which, int sig, long usec)
{
	struct itimerval v = { { 0, 0 }, { 0, usec } }, g;
	signal(sig, on_cpu_timer);
	cpu_sig = 0;
	long long c0 = cpu_ns(), t0 = mono_ns();
	CHECK_EQ(setitimer(which, &v, 0), 0);
	CHECK_EQ(getitimer(which, &g), 0);
	CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec > 0 && g.it_value.tv_usec <= usec);
	while (!cpu_sig && mono_ns() - t0 < 3000000000LL)
		;
	signal(sig, SIG_DFL);
	return cpu_sig == sig ? cpu_ns() - c0 : -1;
}

/*
 * ITIMER_PROF and ITIMER_VIRTUAL count the process's run time (both count user and
 * system time alike here): a spinning process gets its signal after at least that much
 * CPU time (less one 10 ms tick of sampling); a sleeping one does not.
 */
static void cpu_timers(void)
{
	long long took = spin_for(ITIMER_PROF, SIGPROF, 50000);
	CHECK(took >= 40000000LL);
	took = spin_for(ITIMER_VIRTUAL, SIGVTALRM, 30000);
	CHECK(took >= 20000000LL);
	struct itimerval v = { { 0, 0 }, { 0, 30000 } }, g, off = { { 0, 0 }, { 0, 0 } };
	signal(SIGPROF, on_cpu_timer);
	cpu_sig = 0;
	CHECK_EQ(setitimer(ITIMER_PROF, &v, 0), 0);
	ms_sleep(200); /* asleep: its run time hardly moves */
	CHECK_EQ(cpu_sig, 0);
	CHECK_EQ(getitimer(ITIMER_PROF, &g), 0);
	CHECK(g.it_value.tv_usec > 0);
	pid_t kid = fork(); /* POSIX: the child's interval timers are off */
	if (kid == 0) {
		struct itimerval c;
		_exit(getitimer(ITIMER_PROF, &c) == 0 && c.it_value.tv_sec == 0 &&
				      c.it_value.tv_usec == 0
			      ? 0
			      : 1);
	}
	int st = -1;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(setitimer(ITIMER_PROF, &off, &g), 0); /* the old value comes back */
	CHECK(g.it_value.tv_usec > 0);
	signal(SIGPROF, SIG_DFL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "alarmed") == 0)
		return alarmed();
	timers();
	none_in_child();
	kept_across_exec();
	cpu_timers();
	return test_status();
}
