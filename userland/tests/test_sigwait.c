/*
 * sigwait, sigwaitinfo and sigtimedwait (docs/signals.md): a blocked signal already
 * pending is taken at once and is no longer pending; one sent by another process is
 * waited for and reported with its sender (SI_USER); a POSIX timer's with SI_TIMER and
 * the timer's value; sigtimedwait gives EAGAIN when its time passes (at once for a zero
 * time) and EINVAL for a bad one; a handled signal that is not waited for ends the wait
 * with EINTR; with threads, a signal sent to the process goes to the thread in sigwait,
 * even when another thread leaves it unblocked with a handler; a thread starts with its
 * creator's mask. sigqueue: SI_QUEUE and the value, from another process to sigwaitinfo
 * and to ourselves to an SA_SIGINFO handler before it returns; a kill after it is SI_USER
 * again; ESRCH and EINVAL.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

int test_failures;

#define NS_PER_MS 1000000L
#define STEP_MS	  10

static volatile int usr1_handled, usr2_handled;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_handled++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_handled++;
}

static sigset_t just(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

/* A child that sends sig to us every few ms until killed: its pid. */
static pid_t pester(int sig)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		for (;;) {
			kill(parent, sig);
			SYSCALL(sleep, STEP_MS * NS_PER_MS);
		}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, 0, 0);
}

static void already_pending(void)
{
	sigset_t s = just(SIGUSR1), pend;
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR1) == 1);
	int sig = 0;
	CHECK_EQ(sigwait(&s, &sig), 0);
	CHECK_EQ(sig, SIGUSR1);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK(sigismember(&pend, SIGUSR1) == 0);
	struct timespec zero = { 0, 0 };
	errno = 0;
	CHECK_EQ(sigtimedwait(&s, 0, &zero), -1); /* nothing left: at once */
	CHECK_EQ(errno, EAGAIN);
	struct timespec bad = { 0, 1000000000L };
	CHECK_FAILS(sigtimedwait(&s, 0, &bad), EINVAL);
	struct timespec short_wait = { 0, 20 * NS_PER_MS };
	CHECK_FAILS(sigtimedwait(&s, 0, &short_wait), EAGAIN);
	CHECK_EQ(usr1_handled, 0); /* taken by the waits, never handled */
}

static void from_another(void)
{
	sigset_t s = just(SIGUSR2);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	pid_t pid = pester(SIGUSR2);
	siginfo_t info = { 0 };
	CHECK_EQ(sigwaitinfo(&s, &info), SIGUSR2);
	CHECK_EQ(info.si_signo, SIGUSR2);
	CHECK_EQ(info.si_code, SI_USER);
	CHECK_EQ(info.si_pid, pid);
	struct timespec t = { 5, 0 };
	CHECK_EQ(sigtimedwait(&s, &info, &t), SIGUSR2); /* the next one */
	stop(pid);
	CHECK_EQ(usr2_handled, 0);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &s, 0), 0);
	sigset_t pend;
	sigpending(&pend);
	if (sigismember(&pend, SIGUSR2) == 1) /* one more may have come: handled now */
		CHECK(usr2_handled > 0);
}

static void from_timer(void)
{
	sigset_t s = just(SIGALRM);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	ev.sigev_value.sival_int = 4321;
	timer_t tm;
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &tm), 0);
	struct itimerspec its = { .it_value = { 0, 5 * NS_PER_MS } };
	CHECK_EQ(timer_settime(tm, 0, &its, 0), 0);
	siginfo_t info = { 0 };
	CHECK_EQ(sigwaitinfo(&s, &info), SIGALRM);
	CHECK_EQ(info.si_code, SI_TIMER);
	CHECK_EQ(info.si_value.sival_int, 4321);
	CHECK_EQ(timer_delete(tm), 0);
}

static void interrupted(void)
{
	sigset_t s = just(SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	usr2_handled = 0;
	pid_t pid = pester(SIGUSR2); /* unblocked, with a handler, not waited for */
	struct timespec t = { 30, 0 };
	CHECK_FAILS(sigtimedwait(&s, 0, &t), EINTR);
	CHECK(usr2_handled > 0);
	stop(pid);
}

static volatile int waited_sig;

static void *waiter(void *arg)
{
	sigset_t *s = arg, mine;
	pthread_sigmask(SIG_BLOCK, 0, &mine);
	CHECK(sigismember(&mine, SIGUSR2) == 1); /* the creator's mask */
	int sig = 0;
	CHECK_EQ(sigwait(s, &sig), 0);
	waited_sig = sig;
	return 0;
}

/* With threads: the signal goes to the thread in sigwait, not to a handler elsewhere. */
static void threads(void)
{
	sigset_t s = just(SIGUSR1), both = just(SIGUSR2);
	sigaddset(&both, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &both, 0), 0);
	pthread_t t;
	waited_sig = 0;
	CHECK_EQ(pthread_create(&t, 0, waiter, &s), 0);
	pid_t pid = pester(SIGUSR1); /* blocked here: the waiting thread takes it */
	CHECK_EQ(pthread_join(t, 0), 0);
	stop(pid);
	CHECK_EQ(waited_sig, SIGUSR1);
	/* Unblocked here, with a handler: a thread waiting for it still takes it. */
	usr1_handled = 0;
	waited_sig = 0;
	CHECK_EQ(pthread_create(&t, 0, waiter, &s), 0);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &s, 0), 0);
	while (!waited_sig) {
		kill(getpid(), SIGUSR1);
		SYSCALL(sleep, STEP_MS * NS_PER_MS);
	}
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK_EQ(waited_sig, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0); /* before the thread began to wait, the */
	(void)usr1_handled;			    /* handler may have run: either is POSIX */
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &both, 0), 0);
}

/* A child that sigqueues sig with value v to us every few ms until killed: its pid. */
static pid_t pester_queue(int sig, int v)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		for (union sigval val = { .sival_int = v };;) {
			sigqueue(parent, sig, val);
			SYSCALL(sleep, STEP_MS * NS_PER_MS);
		}
	return pid;
}

static volatile int info_code, info_value, info_pid;

static void on_info(int sig, siginfo_t *info, void *ctx)
{
	(void)sig;
	(void)ctx;
	info_code = info->si_code;
	info_value = info->si_value.sival_int;
	info_pid = info->si_pid;
}

static void queued(void)
{
	sigset_t s = just(SIGUSR2);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &s, 0), 0);
	pid_t pid = pester_queue(SIGUSR2, 77);
	siginfo_t info = { 0 };
	CHECK_EQ(sigwaitinfo(&s, &info), SIGUSR2);
	CHECK_EQ(info.si_code, SI_QUEUE);
	CHECK_EQ(info.si_value.sival_int, 77);
	CHECK_EQ(info.si_pid, pid);
	stop(pid);
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&s, 0, &zero) > 0) /* what came before it was stopped */
		;
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &s, 0), 0);
	struct sigaction sa = { 0 }, old;
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGUSR2, &sa, &old), 0);
	union sigval v = { .sival_int = 99 };
	info_code = 0;
	CHECK_EQ(sigqueue(getpid(), SIGUSR2, v), 0);
	CHECK_EQ(info_code, SI_QUEUE); /* handled before sigqueue returned */
	CHECK_EQ(info_value, 99);
	CHECK_EQ(info_pid, getpid());
	info_code = 0;
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	CHECK_EQ(info_code, SI_USER);
	CHECK_EQ(sigqueue(getpid(), 0, v), 0); /* only: do we exist */
	CHECK_FAILS(sigqueue(getpid(), 99, v), EINVAL);
	CHECK_FAILS(sigqueue(-3, SIGUSR2, v), ESRCH);
	CHECK_FAILS(sigqueue(30000, SIGUSR2, v), ESRCH);
	CHECK_EQ(sigaction(SIGUSR2, &old, 0), 0);
}

int main(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	sa.sa_handler = on_usr2;
	CHECK_EQ(sigaction(SIGUSR2, &sa, 0), 0);
	already_pending();
	from_another();
	queued(); /* before from_timer: no thread yet, so ours before sigqueue returns */
	from_timer();
	interrupted();
	threads();
	return test_status();
}
