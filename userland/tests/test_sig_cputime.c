/*
 * CPU-time clocks (POSIX _POSIX_CPUTIME, _POSIX_THREAD_CPUTIME): CLOCK_PROCESS_CPUTIME_ID
 * and CLOCK_THREAD_CPUTIME_ID count run time, not wall time (a sleep adds nothing);
 * clock_getres for them; clock_getcpuclockid and pthread_getcpuclockid with their errors;
 * another thread's clock; times() and getrusage(RUSAGE_SELF) report the run time; a
 * forked child starts from nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define NS_PER_MS 1000000LL
#define NS_PER_S  1000000000LL
#define SPIN_MS	  60  /* run time each spinner collects */
#define SLEEP_MS  100 /* a sleep: adds no run time */
#define GIVE_UP_S 20  /* a spinner that cannot collect SPIN_MS of run time in this long */

static int64_t ns_of(clockid_t id)
{
	struct timespec ts = { -1, -1 };
	if (clock_gettime(id, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Run until this thread's CPU clock has moved by ms (or the wall clock by GIVE_UP_S). */
static int spin_ms(int ms)
{
	int64_t start = ns_of(CLOCK_THREAD_CPUTIME_ID), wall = ns_of(CLOCK_MONOTONIC);
	while (ns_of(CLOCK_THREAD_CPUTIME_ID) - start < ms * NS_PER_MS)
		if (ns_of(CLOCK_MONOTONIC) - wall > GIVE_UP_S * NS_PER_S)
			return 0;
	return 1;
}

static volatile int worker_done, worker_end;
static void *worker(void *arg)
{
	(void)arg;
	worker_done = spin_ms(SPIN_MS) ? 1 : -1;
	while (!worker_end)
		usleep(1000);
	return 0;
}

static void test_clocks(void)
{
	struct timespec res = { 0, 0 };
	CHECK(_POSIX_CPUTIME > 0 && _POSIX_THREAD_CPUTIME > 0);
	CHECK(sysconf(_SC_CPUTIME) > 0 && sysconf(_SC_THREAD_CPUTIME) > 0);
	CHECK_EQ(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res), 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0);
	CHECK_EQ(clock_getres(CLOCK_THREAD_CPUTIME_ID, &res), 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0);

	int64_t t0 = ns_of(CLOCK_THREAD_CPUTIME_ID), p0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(p0 >= 0 && t0 >= 0 && t0 <= p0);
	CHECK(spin_ms(SPIN_MS));
	int64_t t1 = ns_of(CLOCK_THREAD_CPUTIME_ID), p1 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(t1 - t0 >= SPIN_MS * NS_PER_MS && p1 - p0 >= SPIN_MS * NS_PER_MS);
	CHECK(t1 <= p1);
	usleep(SLEEP_MS * 1000);
	int64_t t2 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	CHECK(t2 >= t1 && t2 - t1 < SLEEP_MS * NS_PER_MS); /* sleeping is not running */

	struct tms tm;
	CHECK(times(&tm) != (clock_t)-1);
	CHECK((int64_t)tm.tms_utime * (NS_PER_S / sysconf(_SC_CLK_TCK)) + 10 * NS_PER_MS >=
	      SPIN_MS * NS_PER_MS);
	struct rusage ru;
	CHECK_EQ(getrusage(RUSAGE_SELF, &ru), 0);
	CHECK((int64_t)ru.ru_utime.tv_sec * NS_PER_S + ru.ru_utime.tv_usec * 1000LL +
		      10 * NS_PER_MS >=
	      SPIN_MS * NS_PER_MS);
}

static void test_cpuclockid(void)
{
	clockid_t id = 0;
	CHECK_EQ(clock_getcpuclockid(0, &id), 0);
	CHECK(id == CLOCK_PROCESS_CPUTIME_ID);
	CHECK_EQ(clock_getcpuclockid(getpid(), &id), 0);
	CHECK(id == CLOCK_PROCESS_CPUTIME_ID);

	pid_t child = fork();
	if (child == 0) {
		/* A new process's clock starts from nothing, not from its parent's. */
		_exit(ns_of(CLOCK_PROCESS_CPUTIME_ID) < SPIN_MS * NS_PER_MS ? 0 : 1);
	}
	int st = 0;
	CHECK_EQ(clock_getcpuclockid(child, &id), EPERM); /* alive or a zombie: it exists */
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(clock_getcpuclockid(child, &id), ESRCH);

	CHECK_EQ(pthread_getcpuclockid(pthread_self(), &id), 0);
	CHECK(id == CLOCK_THREAD_CPUTIME_ID);
	pthread_t w;
	worker_done = worker_end = 0;
	CHECK_EQ(pthread_create(&w, 0, worker, 0), 0);
	clockid_t wid = 0;
	CHECK_EQ(pthread_getcpuclockid(w, &wid), 0);
	CHECK(wid != CLOCK_THREAD_CPUTIME_ID && wid != CLOCK_PROCESS_CPUTIME_ID);
	int64_t mine0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	while (!worker_done)
		usleep(1000);
	CHECK_EQ(worker_done, 1);
	int64_t theirs = ns_of(wid), mine = ns_of(CLOCK_THREAD_CPUTIME_ID);
	CHECK(theirs >= SPIN_MS * NS_PER_MS);
	CHECK(mine - mine0 < SPIN_MS * NS_PER_MS); /* we slept while it spun */
	CHECK(ns_of(CLOCK_PROCESS_CPUTIME_ID) >= theirs + mine);
	worker_end = 1;
	CHECK_EQ(pthread_join(w, 0), 0);
	/* Its clock goes with it: a join returns once the thread is gone from the kernel,
	 * on whichever hart it ran (exit's done word, docs/syscalls.md). */
	int64_t gone = ns_of(wid);
	CHECK(gone == -1 && errno == EINVAL);
}

static int64_t children_ns(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return -1;
	return (int64_t)ru.ru_utime.tv_sec * NS_PER_S + ru.ru_utime.tv_usec * 1000LL;
}

/* times()'s tms_cutime and RUSAGE_CHILDREN: children waited for, exited or killed. */
static void test_children(void)
{
	int p[2], st = 0;
	char c;
	int64_t before = children_ns();
	CHECK(before >= 0);
	pid_t a = fork();
	if (a == 0)
		_exit(spin_ms(SPIN_MS) ? 0 : 1);
	CHECK_EQ(waitpid(a, &st, 0), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int64_t after_a = children_ns();
	CHECK(after_a - before >= SPIN_MS * NS_PER_MS);
	struct tms tm;
	times(&tm);
	CHECK((int64_t)tm.tms_cutime * (NS_PER_S / sysconf(_SC_CLK_TCK)) >= after_a - NS_PER_MS);

	CHECK_EQ(pipe(p), 0);
	pid_t b = fork();
	if (b == 0) {
		spin_ms(SPIN_MS);
		write(p[1], "s", 1);
		for (;;)
			;
	}
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK(children_ns() == after_a); /* not counted until waited for */
	CHECK_EQ(kill(b, SIGKILL), 0);
	CHECK_EQ(waitpid(b, &st, 0), b);
	CHECK(children_ns() - after_a >= SPIN_MS * NS_PER_MS);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_clocks();
	test_cpuclockid();
	test_children();
	return test_status();
}
