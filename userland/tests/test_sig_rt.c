/*
 * The realtime signals (POSIX, docs/signals.md "Realtime signals"): SIGRTMIN..SIGRTMAX
 * and their limits; their default action ends the process; every instance sent queues
 * (sigqueue's and kill's alike), and they are taken lowest signal first, each signal's in
 * the order sent, with their own values, by sigwaitinfo and by a handler when unblocked,
 * also when another process sends them; at SIGQUEUE_MAX waiting instances sigqueue
 * fails with EAGAIN; SIG_IGN drops the queued ones; a forked child inherits none; a POSIX
 * timer may send one; sig2str and str2sig name them; pthread_kill's instances queue for
 * the thread that blocks them.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SENT 5

static volatile int got_n;
static volatile int got_sig[SENT * 2];
static volatile int got_val[SENT * 2];

static void on_rt(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (got_n < SENT * 2) {
		got_sig[got_n] = sig;
		got_val[got_n] = info->si_code == SI_QUEUE ? info->si_value.sival_int : -1;
	}
	got_n++;
}

/* on_rt takes sig from now on (the old action in *old), its count at 0. */
static void catch_rt(int sig, struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(sig, &sa, old), 0);
	got_n = 0;
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	CHECK_EQ(sigprocmask(how, &s, 0), 0);
}

static int queue(pid_t pid, int sig, int v)
{
	union sigval val = { .sival_int = v };
	return sigqueue(pid, sig, val);
}

/* Take one of sig now (sigtimedwait with no time): its number, value in *v, or -1. */
static int take_now(int sig, siginfo_t *info)
{
	sigset_t s;
	struct timespec zero = { 0, 0 };
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, info, &zero);
}

static void limits(void)
{
	CHECK(SIGRTMIN > 0 && SIGRTMIN <= SIGRTMAX && SIGRTMAX < NSIG);
	CHECK(SIGRTMAX - SIGRTMIN + 1 >= _POSIX_RTSIG_MAX);
	CHECK(sysconf(_SC_RTSIG_MAX) >= _POSIX_RTSIG_MAX);
	CHECK(sysconf(_SC_SIGQUEUE_MAX) >= _POSIX_SIGQUEUE_MAX);
	CHECK(sysconf(_SC_REALTIME_SIGNALS) > 0);
	CHECK(_POSIX_REALTIME_SIGNALS > 0);
	sigset_t s;
	sigemptyset(&s);
	CHECK_EQ(sigaddset(&s, SIGRTMAX), 0);
	CHECK(sigismember(&s, SIGRTMAX) == 1);
	CHECK_EQ(sigaddset(&s, SIGRTMAX + 1 < NSIG ? NSIG : SIGRTMAX + 1), -1);
}

static void names(void)
{
	char b[SIG2STR_MAX];
	int sig = 0;
	CHECK(sig2str(SIGRTMIN, b) == 0 && strcmp(b, "RTMIN") == 0);
	CHECK(sig2str(SIGRTMIN + 1, b) == 0 && strcmp(b, "RTMIN+1") == 0);
	CHECK(sig2str(SIGRTMAX, b) == 0 && strcmp(b, "RTMAX") == 0);
	CHECK(sig2str(SIGRTMAX - 2, b) == 0 && strcmp(b, "RTMAX-2") == 0);
	CHECK(str2sig("RTMIN+3", &sig) == 0 && sig == SIGRTMIN + 3);
	CHECK(str2sig("RTMAX-1", &sig) == 0 && sig == SIGRTMAX - 1);
	CHECK(str2sig("RTMIN", &sig) == 0 && sig == SIGRTMIN);
	CHECK_EQ(str2sig("RTMIN+99", &sig), -1);
	CHECK_EQ(str2sig("RTMIN-1", &sig), -1);
	/* every realtime signal's name reads back as it */
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		CHECK(sig2str(s, b) == 0 && str2sig(b, &sig) == 0 && sig == s);
}

static void default_ends(void)
{
	int st = -1;
	pid_t kid = fork();
	if (kid == 0) {
		raise(SIGRTMIN + 3);
		_exit(0);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGRTMIN + 3);
}

/* Blocked, then taken by sigtimedwait: lowest signal first, each in order, kill's too. */
static void queue_to_sigwait(void)
{
	int a = SIGRTMIN, b = SIGRTMIN + 1;
	siginfo_t info;
	block(a, SIG_BLOCK);
	block(b, SIG_BLOCK);
	CHECK_EQ(queue(getpid(), b, 100), 0);
	for (int i = 1; i <= 3; i++)
		CHECK_EQ(queue(getpid(), a, i), 0);
	CHECK_EQ(kill(getpid(), a), 0);
	sigset_t pend;
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, a) == 1 && sigismember(&pend, b) == 1);
	for (int i = 1; i <= 3; i++) {
		memset(&info, 0, sizeof(info));
		CHECK_EQ(take_now(a, &info), a);
		CHECK_EQ(info.si_code, SI_QUEUE);
		CHECK_EQ(info.si_value.sival_int, i);
		CHECK_EQ(info.si_pid, getpid());
	}
	memset(&info, 0, sizeof(info));
	CHECK_EQ(take_now(a, &info), a);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_FAILS(take_now(a, &info), EAGAIN);
	CHECK_EQ(take_now(b, &info), b);
	CHECK_EQ(info.si_value.sival_int, 100);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, a) == 0 && sigismember(&pend, b) == 0);
	block(a, SIG_UNBLOCK);
	block(b, SIG_UNBLOCK);
}

/* Queued while blocked, then unblocked: the handler runs once per instance, in order. */
static void queue_to_handler(void)
{
	int sig = SIGRTMIN + 2;
	struct sigaction old;
	catch_rt(sig, &old);
	block(sig, SIG_BLOCK);
	for (int i = 0; i < SENT; i++)
		CHECK_EQ(queue(getpid(), sig, 10 + i), 0);
	CHECK_EQ(got_n, 0);
	block(sig, SIG_UNBLOCK);
	CHECK_EQ(got_n, SENT);
	for (int i = 0; i < SENT && i < got_n; i++) {
		CHECK_EQ(got_sig[i], sig);
		CHECK_EQ(got_val[i], 10 + i);
	}
	/* unblocked: each is delivered as it is sent */
	got_n = 0;
	CHECK_EQ(queue(getpid(), sig, 7), 0);
	CHECK_EQ(queue(getpid(), sig, 8), 0);
	CHECK_EQ(got_n, 2);
	CHECK(got_val[0] == 7 && got_val[1] == 8);
	sigaction(sig, &old, 0);
}

/* Another process queues them while we block them: none is lost, none reordered. */
static void queue_from_child(void)
{
	int sig = SIGRTMIN + 6, st = -1, n = SENT * 2;
	pid_t me = getpid();
	block(sig, SIG_BLOCK);
	pid_t kid = fork();
	if (kid == 0) {
		int bad = 0;
		for (int i = 0; i < n; i++)
			bad |= queue(me, sig, 1000 + i) != 0;
		_exit(bad);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < n; i++) {
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		CHECK_EQ(take_now(sig, &info), sig);
		CHECK_EQ(info.si_value.sival_int, 1000 + i);
		CHECK_EQ(info.si_pid, kid);
	}
	siginfo_t info;
	CHECK_EQ(take_now(sig, &info), -1);
	block(sig, SIG_UNBLOCK);
}

/* SIGQUEUE_MAX instances wait at most: then EAGAIN, and those queued all arrive. */
static void queue_limit(void)
{
	int sig = SIGRTMIN + 4, sent = 0;
	block(sig, SIG_BLOCK);
	while (sent < 1000 && queue(getpid(), sig, sent) == 0)
		sent++;
	CHECK_EQ(errno, EAGAIN);
	CHECK(sent >= _POSIX_SIGQUEUE_MAX && sent < 1000);
	CHECK(sent <= sysconf(_SC_SIGQUEUE_MAX) + 1); /* the library may hold one of them */
	int took = 0;
	siginfo_t info;
	while (take_now(sig, &info) == sig) {
		CHECK_EQ(info.si_value.sival_int, took);
		took++;
	}
	CHECK_EQ(took, sent);
	CHECK_EQ(queue(getpid(), sig, 0), 0); /* room again */
	CHECK_EQ(take_now(sig, &info), sig);
	block(sig, SIG_UNBLOCK);
}

/* SIG_IGN discards the pending instances; a forked child inherits none. */
static void ignore_and_fork(void)
{
	int sig = SIGRTMIN + 5, st = -1;
	siginfo_t info;
	block(sig, SIG_BLOCK);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(queue(getpid(), sig, i), 0);
	pid_t kid = fork();
	if (kid == 0) {
		sigset_t pend;
		sigpending(&pend);
		_exit(sigismember(&pend, sig) ? 1 : 0);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(signal(sig, SIG_IGN) != SIG_ERR);
	CHECK(signal(sig, SIG_DFL) != SIG_ERR);
	CHECK_FAILS(take_now(sig, &info), EAGAIN);
	block(sig, SIG_UNBLOCK);
}

/*
 * A process that dies with instances queued for it leaves none behind: the next process
 * in its table entry (a fork just after the reap takes the same one) starts with none,
 * and one queued to it arrives alone.
 */
static void dead_queue_forgotten(void)
{
	int sig = SIGRTMIN + 1, st = -1, p[2];
	char c;
	CHECK_EQ(pipe(p), 0);
	block(sig, SIG_BLOCK); /* both children start blocking it */
	pid_t a = fork();
	if (a == 0) {
		close(p[0]);
		write(p[1], "a", 1);
		for (;;)
			pause(); /* killed with its instances still queued */
	}
	CHECK_EQ(read(p[0], &c, 1), 1);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(queue(a, sig, i), 0);
	kill(a, SIGKILL);
	CHECK_EQ(waitpid(a, &st, 0), a);
	pid_t b = fork();
	if (b == 0) {
		siginfo_t info;
		sigset_t pend;
		int bad = sigpending(&pend) != 0 || sigismember(&pend, sig);
		bad |= take_now(sig, &info) != -1; /* nothing of a's */
		write(p[1], "b", 1);
		struct timespec limit = { 5, 0 };
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig);
		bad |= sigtimedwait(&s, &info, &limit) != sig || info.si_value.sival_int != 77;
		bad |= take_now(sig, &info) != -1;
		_exit(bad);
	}
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(queue(b, sig, 77), 0); /* b has looked */
	CHECK_EQ(waitpid(b, &st, 0), b);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
	block(sig, SIG_UNBLOCK);
}

/* A POSIX timer sends a realtime signal: SI_TIMER and the timer's value. */
static void timer_sends(void)
{
	int sig = SIGRTMAX;
	timer_t t;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = 77;
	block(sig, SIG_BLOCK);
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	struct itimerspec its = { { 0, 0 }, { 0, 5 * 1000000L } };
	CHECK_EQ(timer_settime(t, 0, &its, 0), 0);
	sigset_t s;
	siginfo_t info;
	struct timespec limit = { 5, 0 };
	sigemptyset(&s);
	sigaddset(&s, sig);
	memset(&info, 0, sizeof(info));
	CHECK_EQ(sigtimedwait(&s, &info, &limit), sig);
	CHECK_EQ(info.si_code, SI_TIMER);
	CHECK_EQ(info.si_value.sival_int, 77);
	timer_delete(t);
	block(sig, SIG_UNBLOCK);
}

/*
 * With threads: every thread blocks the signal, one waits in sigwaitinfo while another
 * process queues instances as fast as it can; the other threads' diversions take signals
 * too. Each instance arrives once, in order.
 */
#define FLOOD 24
static int flood_sig;
static volatile int flood_seen[FLOOD];
static volatile int flood_bad;

static void *flood_waiter(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, flood_sig);
	for (int i = 0; i < FLOOD; i++) {
		siginfo_t info;
		struct timespec limit = { 10, 0 };
		if (sigtimedwait(&s, &info, &limit) != flood_sig) {
			flood_bad = 1;
			break;
		}
		int v = info.si_value.sival_int;
		if (v != i)
			flood_bad = 1;
		if (v >= 0 && v < FLOOD)
			flood_seen[v]++;
	}
	return 0;
}

static void *flood_idle(void *arg)
{
	volatile int *stop = arg;
	while (!*stop)
		sched_yield();
	return 0;
}

static void queue_with_threads(void)
{
	int st = -1;
	volatile int stop = 0;
	pthread_t waiter, idle;
	flood_sig = SIGRTMIN + 7;
	block(flood_sig, SIG_BLOCK); /* the threads start with this mask */
	CHECK_EQ(pthread_create(&idle, 0, flood_idle, (void *)&stop), 0);
	CHECK_EQ(pthread_create(&waiter, 0, flood_waiter, 0), 0);
	pid_t me = getpid(), kid = fork();
	if (kid == 0) {
		int bad = 0;
		for (int i = 0; i < FLOOD; i++)
			bad |= queue(me, flood_sig, i) != 0;
		_exit(bad);
	}
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(pthread_join(waiter, 0), 0);
	stop = 1;
	CHECK_EQ(pthread_join(idle, 0), 0);
	CHECK_EQ(flood_bad, 0);
	for (int i = 0; i < FLOOD; i++)
		CHECK_EQ(flood_seen[i], 1);
	block(flood_sig, SIG_UNBLOCK);
}

static pthread_t directed_target;

static void *directed_sender(void *arg)
{
	int sig = *(int *)arg;
	for (int i = 0; i < SENT; i++)
		if (pthread_kill(directed_target, sig) != 0)
			return (void *)1;
	return 0;
}

/*
 * pthread_kill of a realtime signal the target thread blocks: each instance stays
 * pending for that thread, and unblocking it runs the handler once for each.
 */
static void directed_queue(void)
{
	int sig = SIGRTMIN + 3;
	struct sigaction old;
	pthread_t sender;
	void *bad = (void *)1;
	catch_rt(sig, &old);
	block(sig, SIG_BLOCK);
	directed_target = pthread_self();
	CHECK_EQ(pthread_create(&sender, 0, directed_sender, &sig), 0);
	CHECK_EQ(pthread_join(sender, &bad), 0);
	CHECK(bad == 0);
	sigset_t pend;
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, sig));
	CHECK_EQ(got_n, 0);
	block(sig, SIG_UNBLOCK);
	CHECK_EQ(got_n, SENT);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(!sigismember(&pend, sig));
	sigaction(sig, &old, 0);
}

static volatile int run_ready, run_go, run_counts[NSIG];

static void on_count(int sig)
{
	run_counts[sig]++;
}

/* Blocks the three, says so, spins without a system call until told, unblocks them. */
static void *running_target(void *arg)
{
	sigset_t *set = arg;
	pthread_sigmask(SIG_BLOCK, set, 0);
	run_ready = 1;
	while (!run_go)
		;
	pthread_sigmask(SIG_UNBLOCK, set, 0);
	return 0;
}

/*
 * Back to back at a thread running on another hart (the kernel keeps one pending upcall
 * a thread, and a later one replaces it): two standard signals and SENT instances of a
 * realtime one all arrive, none replaced by the next.
 */
static void directed_while_running(void)
{
	int rt = SIGRTMIN + 4;
	sigset_t set;
	pthread_t t;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, rt);
	signal(SIGUSR1, on_count);
	signal(SIGUSR2, on_count);
	signal(rt, on_count);
	CHECK_EQ(pthread_create(&t, 0, running_target, &set), 0);
	while (!run_ready)
		sched_yield();
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
	CHECK_EQ(pthread_kill(t, SIGUSR2), 0);
	for (int i = 0; i < SENT; i++)
		CHECK_EQ(pthread_kill(t, rt), 0);
	run_go = 1;
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(run_counts[SIGUSR1], 1);
	CHECK_EQ(run_counts[SIGUSR2], 1);
	CHECK_EQ(run_counts[rt], SENT);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	signal(rt, SIG_DFL);
}

int main(void)
{
	limits();
	names();
	default_ends();
	queue_to_sigwait();
	queue_to_handler();
	queue_from_child();
	queue_limit();
	ignore_and_fork();
	dead_queue_forgotten();
	timer_sends();
	queue_with_threads();
	directed_queue();
	directed_while_running();
	return test_status();
}
