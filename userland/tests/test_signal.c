/*
 * Signals (docs/signals.md): a handler with SA_SIGINFO sees si_signo and si_pid (from
 * raise and from another process); a blocked signal stays pending, shows in sigpending
 * and is delivered exactly once when unblocked; SIG_IGN, which discards one pending;
 * default actions (end the process, or ignore SIGCHLD); abort ends the process of
 * SIGABRT, blocked, ignored or caught, unless its handler does not return; SA_RESETHAND;
 * the handler's own signal is blocked unless SA_NODEFER; a child signalled at birth keeps
 * that signal, and none of its parent's; sigsetjmp/siglongjmp out of a handler;
 * sigsuspend and pause end with EINTR after a handler; nanosleep and wait() are cut short
 * with EINTR, and wait() runs on with SA_RESTART; 200 waits cut short by a stream of
 * signals and made again each return their child and its code; SIGKILL cannot be caught;
 * kill(pid, 0) and killpg; a store to a read-only page and a bad instruction reach a
 * SIGSEGV/SIGILL handler that siglongjmps out, and with SIG_DFL or SIG_IGN the process
 * dies of the fault; a SIGSEGV handler that mends the page and returns sees the store
 * done with every register intact; SIGCHLD carries the child's pid, and SIG_IGN on it
 * leaves no zombie; killpg of our own group has run the handler when it returns (no
 * threads yet), on any number of harts; pthread_kill reaches the thread it names, and
 * with a stop signal stops the process.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static volatile int hits, last_sig, last_code;
static volatile pid_t last_pid;
static volatile int blocked_inside;

static void info_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	sigset_t now;
	hits++;
	last_sig = si->si_signo;
	last_pid = si->si_pid;
	last_code = si->si_code;
	sigprocmask(SIG_BLOCK, 0, &now);
	blocked_inside = sigismember(&now, sig);
}

static void plain_handler(int sig)
{
	(void)sig;
	hits++;
}

static void install(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(sig, &sa, 0), 0);
}

static void siginfo_and_mask(void)
{
	install(SIGUSR1, 0);
	hits = 0;
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK(last_sig == SIGUSR1 && last_pid == getpid() && last_code == SI_USER);
	CHECK_EQ(blocked_inside, 1); /* its own signal is blocked while it runs */
	install(SIGUSR1, SA_NODEFER);
	raise(SIGUSR1);
	CHECK_EQ(blocked_inside, 0);

	/* Blocked: pending, then delivered once on unblocking. */
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &set, 0), 0);
	hits = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK_EQ(hits, 0);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, 0), 0);
	CHECK_EQ(hits, 1);
	sigpending(&pend);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 0);

	/* Errors. */
	CHECK(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = plain_handler }, 0) == -1 &&
	      errno == EINVAL);
	CHECK(sigaction(0, 0, 0) == -1 && errno == EINVAL);
	CHECK(sigaction(NSIG, 0, 0) == -1 && errno == EINVAL);
	CHECK(sigaddset(&set, 99) == -1 && errno == EINVAL);
	CHECK(sigprocmask(99, &set, 0) == -1 && errno == EINVAL);
	CHECK_EQ(kill(getpid(), 0), 0);
	CHECK(kill(999999, SIGUSR1) == -1 && errno == ESRCH);
}

/* A child signals us while we wait in sigsuspend: the handler sees its pid. */
static void from_another_process(void)
{
	sigset_t block, old, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	install(SIGUSR2, 0);
	sigprocmask(SIG_BLOCK, &block, &old);
	hits = 0;
	pid_t me = getpid(), c = fork();
	if (c == 0) {
		kill(me, SIGUSR2);
		_exit(0);
	}
	wait_mask = old;
	sigdelset(&wait_mask, SIGUSR2);
	CHECK(sigsuspend(&wait_mask) == -1 && errno == EINTR);
	CHECK_EQ(hits, 1);
	CHECK(last_sig == SIGUSR2 && last_pid == c);
	sigprocmask(SIG_SETMASK, &old, 0);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c);
}

/*
 * A forked child takes signals where its parent did, without asking: the fork server
 * copies the registration at fork. A signal from outside runs the child's handler; if the
 * server did not know, it would apply the default action and the child would die of it.
 */
static void child_keeps_handlers(void)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	install(SIGUSR1, 0);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t c = fork();
	if (c == 0) {
		hits = 0;
		sigset_t open = old;
		sigdelset(&open, SIGUSR1);
		sigsuspend(&open); /* the parent's kill may already be pending */
		_exit(hits == 1 && last_sig == SIGUSR1 ? 0 : 1);
	}
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK(c > 0);
	CHECK_EQ(kill(c, SIGUSR1), 0);
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * A child signalled the moment it exists: on several harts the diversion can land at its
 * first instruction, before fork has returned in it. That signal is the child's, kept
 * while blocked, and must survive the child's dropping of what its parent held: even one
 * of the same number, pending in the parent (every other round). Each side runs its
 * handler once for its own signal; a lost one leaves the child waiting until its alarm.
 */
static void child_signalled_at_birth(void)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	install(SIGUSR1, 0);
	sigprocmask(SIG_BLOCK, &block, &old);
	int bad = 0;
	for (int round = 0; round < 100; round++) {
		if (round & 1)
			raise(SIGUSR1); /* blocked: pending in the parent across the fork */
		pid_t c = fork();
		if (c == 0) {
			hits = 0;
			alarm(10); /* SIGALRM at SIG_DFL ends a child whose signal was lost */
			sigset_t open = old;
			sigdelset(&open, SIGUSR1);
			sigsuspend(&open);
			_exit(hits == 1 && last_sig == SIGUSR1 ? 0 : 1);
		}
		if (c < 0) {
			bad++;
			break;
		}
		kill(c, SIGUSR1);
		int st = -1;
		waitpid(c, &st, 0);
		bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		hits = 0;
		sigprocmask(SIG_SETMASK, &old, 0); /* the parent's own, if it raised one */
		bad += hits != (round & 1);
		sigprocmask(SIG_BLOCK, &block, 0);
	}
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK_EQ(bad, 0);
}

/* POSIX: a child starts with no signal pending, though it keeps the blocked mask. */
static void child_none_pending(void)
{
	sigset_t block, old, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	install(SIGUSR1, 0);
	install(SIGUSR2, 0);
	sigprocmask(SIG_BLOCK, &block, &old);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1) &&
	      sigismember(&pending, SIGUSR2));
	pid_t c = fork();
	if (c == 0) {
		sigset_t mask, p;
		sigprocmask(SIG_BLOCK, 0, &mask);
		int ok = sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGUSR2);
		ok = ok && sigpending(&p) == 0 && !sigismember(&p, SIGUSR1) &&
		     !sigismember(&p, SIGUSR2);
		_exit(ok ? 0 : 1);
	}
	int st = -1;
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	hits = 0;
	sigprocmask(SIG_SETMASK, &old, 0); /* ours are still pending: both run now */
	CHECK_EQ(hits, 2);
}

/* Default actions, SIG_IGN, SA_RESETHAND, SIGKILL: each in a child. */
static int child_status(void (*body)(void))
{
	pid_t c = fork();
	if (c == 0) {
		body();
		_exit(0);
	}
	int st = -1;
	waitpid(c, &st, 0);
	return st;
}

static void dies_of_usr1(void)
{
	signal(SIGUSR1, SIG_DFL);
	raise(SIGUSR1);
	_exit(3);
}

static void ignores(void)
{
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	raise(SIGCHLD); /* default: ignored */
	_exit(7);
}

/* POSIX: setting SIG_IGN discards a pending signal, blocked or not. */
static void ignore_discards_pending(void)
{
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	install(SIGUSR2, 0);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &set, 0), 0);
	raise(SIGUSR2);
	CHECK_EQ(sigpending(&pending), 0);
	CHECK(sigismember(&pending, SIGUSR2));
	signal(SIGUSR2, SIG_IGN);
	CHECK_EQ(sigpending(&pending), 0);
	CHECK(!sigismember(&pending, SIGUSR2));
	int before = hits;
	install(SIGUSR2, 0);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, 0), 0);
	CHECK_EQ(hits, before); /* nothing was left to deliver */
	signal(SIGUSR2, SIG_DFL);
}

static void resethand(void)
{
	install(SIGUSR1, SA_RESETHAND);
	raise(SIGUSR1); /* handled, then back to the default */
	raise(SIGUSR1); /* ends us */
	_exit(4);
}

/* abort: SIGABRT's default however it is blocked or ignored, or its handler returns;
 * a handler that does not return (here: exits) keeps the process. */
static void abrt_returns(int sig)
{
	(void)sig;
}

static void abrt_exits(int sig)
{
	(void)sig;
	_exit(42);
}

static void aborts_blocked(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGABRT);
	sigprocmask(SIG_BLOCK, &s, 0);
	abort();
}

static void aborts_ignored(void)
{
	signal(SIGABRT, SIG_IGN);
	abort();
}

static void aborts_caught(void)
{
	signal(SIGABRT, abrt_returns);
	abort();
}

static void aborts_into_exit(void)
{
	signal(SIGABRT, abrt_exits);
	abort();
}

/* pthread_kill of a stop signal at SIG_DFL stops the whole process (job control). */
static void thread_stops(void)
{
	pthread_kill(pthread_self(), SIGTSTP);
	_exit(0);
}

static void stop_by_thread_kill(void)
{
	pid_t c = fork();
	if (c == 0)
		thread_stops();
	int st = -1;
	CHECK_EQ(waitpid(c, &st, WUNTRACED), c);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	kill(c, SIGCONT);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void aborts(void)
{
	int st = child_status(abort);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = child_status(aborts_blocked);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = child_status(aborts_ignored);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = child_status(aborts_caught);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = child_status(aborts_into_exit);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
}

static void defaults(void)
{
	int st = child_status(dies_of_usr1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	st = child_status(ignores);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = child_status(resethand);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
}

/* siglongjmp out of a handler, the mask back as sigsetjmp saved it. */
static sigjmp_buf jump;

static void jumper(int sig)
{
	siglongjmp(jump, sig);
}

static void long_jump(void)
{
	signal(SIGUSR1, jumper);
	int r = sigsetjmp(jump, 1);
	if (r == 0) {
		raise(SIGUSR1);
		CHECK(!"not reached");
	}
	CHECK_EQ(r, SIGUSR1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	CHECK_EQ(sigismember(&now, SIGUSR1), 0);
}

/* Faults a handler can take: a store to a read-only page, a bad instruction. */
static sigjmp_buf fault_jump;
static volatile int fault_sig, fault_code;
static volatile pid_t fault_pid;

static void fault_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	fault_sig = sig;
	fault_pid = si->si_pid;
	fault_code = si->si_code;
	siglongjmp(fault_jump, 1);
}

static int *volatile unmapped = (int *)0x10; /* the first page is never mapped */

static void segv_default_dies(void)
{
	signal(SIGUSR1, plain_handler); /* takes signals, SIGSEGV left at SIG_DFL */
	*unmapped = 1;
	_exit(5);
}

static void segv_ignored_dies(void)
{
	signal(SIGSEGV, SIG_IGN); /* cannot ignore a fault: it would only come back */
	*unmapped = 1;
	_exit(6);
}

static void faults(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGILL, &sa, 0);
	volatile int *ro =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	ro[0] = 42;
	CHECK_EQ(mprotect((void *)ro, 4096, PROT_READ), 0);
	fault_sig = 0;
	if (sigsetjmp(fault_jump, 1) == 0) {
		ro[0] = 43; /* faults */
		CHECK(!"not reached");
	}
	CHECK_EQ(fault_sig, SIGSEGV);
	CHECK_EQ(fault_pid, 0);
	CHECK_EQ(ro[0], 42);
	fault_sig = 0;
	if (sigsetjmp(fault_jump, 1) == 0) {
		__asm__ volatile(".word 0"); /* an illegal instruction */
		CHECK(!"not reached");
	}
	CHECK_EQ(fault_sig, SIGILL);
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	CHECK_EQ(sigismember(&now, SIGILL), 0); /* siglongjmp put the mask back */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	int st = child_status(segv_default_dies);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = child_status(segv_ignored_dies);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* A SIGSEGV handler that mends the fault and returns: the store runs again, and every
 * register holds what it held at the fault (the kernel's report borrowed some of them). */
static volatile char *mend_page;

static void mending_handler(int sig)
{
	(void)sig;
	mprotect((void *)mend_page, 4096, PROT_READ | PROT_WRITE);
}

static void handler_returns(void)
{
	mend_page = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mend_page != MAP_FAILED);
	if (mend_page == MAP_FAILED)
		return;
	signal(SIGSEGV, mending_handler);
	register long a0 __asm__("a0") = (long)mend_page, a1 __asm__("a1") = 0x11;
	register long a2 __asm__("a2") = 0x22, a3 __asm__("a3") = 0x33, a4 __asm__("a4") = 0x44;
	register long a5 __asm__("a5") = 0x55, t2 __asm__("t2") = 0x72, t6 __asm__("t6") = 0x76;
	register long t0 __asm__("t0") = 'M';
	__asm__ volatile("sb t0, 0(a0)"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(t2),
			   "+r"(t6), "+r"(t0)
			 :
			 : "memory");
	CHECK_EQ(a0, (long)mend_page);
	CHECK(a1 == 0x11 && a2 == 0x22 && a3 == 0x33 && a4 == 0x44 && a5 == 0x55);
	CHECK(t2 == 0x72 && t6 == 0x76 && t0 == 'M');
	CHECK_EQ(mend_page[0], 'M');
	signal(SIGSEGV, SIG_DFL);
	munmap((void *)mend_page, 4096);
}

/* A nanosleep and a wait() that a signal from a child cuts short. */
static void interrupted_calls(void)
{
	signal(SIGUSR2, plain_handler);
	struct sigaction sa;
	sigaction(SIGUSR2, 0, &sa);
	sa.sa_flags &= ~SA_RESTART;
	sigaction(SIGUSR2, &sa, 0);
	pid_t me = getpid();
	/* The child signals every 20 ms until told to stop, however slow the host. */
	volatile int *stop =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(stop != MAP_FAILED);
	if (stop == MAP_FAILED)
		return;
	*stop = 0;
	pid_t c = fork();
	if (c == 0) {
		while (!*stop) {
			usleep(20000);
			kill(me, SIGUSR2);
		}
		_exit(0);
	}
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	hits = 0;
	CHECK(nanosleep(&req, &rem) == -1 && errno == EINTR);
	CHECK(rem.tv_sec > 0 && rem.tv_sec <= 5);
	CHECK(hits >= 1);
	int st;
	pid_t r = waitpid(c, &st, 0);
	CHECK(r == -1 && errno == EINTR);
	*stop = 1;
	while ((r = waitpid(c, &st, 0)) == -1 && errno == EINTR)
		;
	CHECK_EQ(r, c);
	munmap((void *)stop, 4096);

	/* With SA_RESTART the wait runs on through the signal and returns the child. */
	sa.sa_flags |= SA_RESTART;
	sigaction(SIGUSR2, &sa, 0);
	hits = 0;
	c = fork();
	if (c == 0) {
		usleep(20000);
		kill(me, SIGUSR2);
		usleep(20000);
		_exit(0);
	}
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK_EQ(hits, 1);
}

/* waitpid, made again while a signal cuts it short. */
static pid_t wait_through(pid_t c, int *st)
{
	pid_t r;
	while ((r = waitpid(c, st, 0)) == -1 && errno == EINTR)
		;
	return r;
}

/*
 * A wait that finds a zombie under a stream of signals never loses the child. The fork
 * server reaps a zombie as it answers the wait (docs/process.md, "Several harts"), right
 * only because a signal cannot cut short a request the server has received: each of 200
 * waits, cut short by SIGUSR1 (caught, no SA_RESTART) from a child that sends it without
 * pause, is made again and must return its child with the child's code, never ECHILD.
 */
#define STREAM_ROUNDS 200
static void wait_under_signal_stream(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plain_handler; /* no SA_RESTART: a wait the handler cuts short fails */
	CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
	volatile int *stop =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(stop != MAP_FAILED);
	if (stop == MAP_FAILED)
		return;
	*stop = 0;
	hits = 0;
	pid_t me = getpid(), sender = fork();
	if (sender == 0) {
		while (!*stop) {
			kill(me, SIGUSR1);
			sched_yield();
		}
		_exit(0);
	}
	CHECK(sender > 0);
	int lost = 0, wrong = 0, st;
	for (int i = 0; i < STREAM_ROUNDS; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(i & 0x7f);
		if (c < 0) {
			lost++;
			continue;
		}
		st = 0;
		pid_t r = wait_through(c, &st);
		lost += r != c;
		wrong += r == c && !(WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f));
	}
	*stop = 1;
	CHECK_EQ(wait_through(sender, &st), sender);
	CHECK_EQ(lost, 0);
	CHECK_EQ(wrong, 0);
	CHECK(hits > 0); /* the signals did come */
	signal(SIGUSR1, SIG_DFL);
	munmap((void *)stop, 4096);
}

/* SIGCHLD to the parent with the child's pid; SIG_IGN on it means no zombies. */
static volatile pid_t chld_from;
static volatile int chld_code, chld_status;

static void chld_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_from = si->si_pid;
}

static void sigchld(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = chld_handler;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGCHLD, &sa, 0), 0);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old); /* so it cannot come before we wait for it */
	chld_from = 0;
	pid_t c = fork();
	if (c == 0)
		_exit(5);
	while (!chld_from)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK_EQ(chld_from, c);
	CHECK_EQ(chld_code, CLD_EXITED); /* POSIX's SIGCHLD siginfo */
	CHECK_EQ(chld_status, 5);
	int st;
	CHECK_EQ(waitpid(c, &st, 0), c); /* still a zombie to wait for */

	signal(SIGCHLD, SIG_IGN);
	c = fork();
	if (c == 0)
		_exit(0);
	errno = 0;
	CHECK(waitpid(c, &st, 0) == -1 && errno == ECHILD); /* reaped already, or at its exit */
	signal(SIGCHLD, SIG_DFL);
	c = fork();
	if (c == 0)
		_exit(9);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
}

/*
 * Our own process group: killpg reaches us, and in a process without threads the
 * handler has run when killpg returns, every time, on any number of harts.
 */
static void own_group(void)
{
	CHECK_EQ(setpgid(0, 0), 0);
	install(SIGUSR1, 0);
	hits = 0;
	CHECK_EQ(killpg(getpgrp(), 0), 0);
	CHECK_EQ(killpg(getpgrp(), SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	int late = 0;
	for (int i = 0; i < 200; i++) {
		hits = 0;
		killpg(getpgrp(), SIGUSR1);
		late += hits != 1;
	}
	CHECK_EQ(late, 0);
}

/* pthread_kill: the handler runs on the thread aimed at. */
static volatile pthread_t ran_on;
static volatile int target_ready;

static void where_handler(int sig)
{
	(void)sig;
	ran_on = pthread_self();
}

/*
 * SIGUSR2 stays blocked but inside sigsuspend: one that came between the test of ran_on
 * and the call would otherwise run its handler there, and leave the thread waiting for a
 * second signal that never comes.
 */
static void *target(void *unused)
{
	(void)unused;
	sigset_t none, usr2;
	sigemptyset(&none);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, 0);
	target_ready = 1;
	while (!ran_on)
		sigsuspend(&none);
	return 0;
}

static void thread_kill(void)
{
	pthread_t t;
	signal(SIGUSR2, where_handler);
	ran_on = 0;
	CHECK_EQ(pthread_kill(pthread_self(), SIGUSR2), 0);
	CHECK(ran_on == pthread_self());
	ran_on = 0;
	CHECK_EQ(pthread_create(&t, 0, target, 0), 0);
	while (!target_ready)
		sched_yield();
	CHECK_EQ(pthread_kill(t, 0), 0);
	CHECK_EQ(pthread_kill(t, SIGUSR2), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK(ran_on == t);
	CHECK_EQ(pthread_kill(pthread_self(), 99), EINVAL);
}

int main(void)
{
	siginfo_and_mask();
	from_another_process();
	child_keeps_handlers();
	child_signalled_at_birth();
	child_none_pending();
	defaults();
	aborts();
	stop_by_thread_kill();
	ignore_discards_pending();
	long_jump();
	faults();
	handler_returns();
	sigchld();
	interrupted_calls();
	wait_under_signal_stream();
	own_group(); /* before thread_kill: a process without threads */
	thread_kill();
	return test_status();
}
