/*
 * Job control (POSIX, docs/signals.md "Stopping and continuing"): SIGSTOP stops a child
 * whose threads then do not run; waitpid's WUNTRACED reports the stop once, WCONTINUED
 * the continue; SIGKILL ends a stopped child; SIGTSTP stops at SIG_DFL and not when
 * caught; raise(SIGSTOP) stops the caller before raise returns; signals sent to a
 * stopped child wait until SIGCONT; SIGCONT drops a stop signal still pending; SIGCHLD
 * with CLD_STOPPED unless SA_NOCLDSTOP; waitid with WSTOPPED, WCONTINUED, WNOWAIT;
 * unknown waitpid options are EINVAL; a group orphaned with a stopped member gets SIGHUP
 * and SIGCONT.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define TRIES	 300 /* of TICK_US each: how long a running child gets to show it */
#define TICK_US	 10000
#define QUIET_US 50000 /* how long a stopped child must show nothing */

static volatile unsigned long *counter; /* shared with the spinning children */

/* Does the spinning child move the counter (within TRIES ticks)? */
static int counter_moves(void)
{
	unsigned long was = *counter;
	for (int i = 0; i < TRIES; i++) {
		if (*counter != was)
			return 1;
		usleep(TICK_US);
	}
	return 0;
}

static pid_t spinner(void)
{
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			(*counter)++;
	return pid;
}

/* Stop pid with sig, and see the stop reported once (sig: WSTOPSIG). */
static void stop_and_see(pid_t pid, int sig)
{
	int st = 0;
	CHECK_EQ(kill(pid, sig), 0);
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == sig);
	CHECK(!WIFEXITED(st) && !WIFSIGNALED(st) && !WIFCONTINUED(st));
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0); /* once per stop */
}

static void continue_and_see(pid_t pid)
{
	int st = 0;
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
	CHECK(WIFCONTINUED(st) && !WIFSTOPPED(st) && !WIFEXITED(st) && !WIFSIGNALED(st));
	CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);
}

static void kill_and_reap(pid_t pid)
{
	int st = 0;
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* SIGSTOP, SIGCONT and SIGKILL on a child that made no signal call and only spins. */
static void test_stop_spinner(void)
{
	pid_t pid = spinner();
	CHECK(counter_moves());
	stop_and_see(pid, SIGSTOP);
	unsigned long at = *counter;
	usleep(QUIET_US);
	CHECK_EQ(*counter, at); /* a stopped process's threads do not run */
	continue_and_see(pid);
	CHECK(counter_moves());
	stop_and_see(pid, SIGSTOP);
	kill_and_reap(pid); /* SIGKILL ends a stopped process */
}

static void on_tstp(int sig)
{
	(void)sig;
}

/* SIGTSTP, SIGTTIN, SIGTTOU: stop at SIG_DFL; SIGTSTP caught does not. */
static void test_tstp(void)
{
	pid_t pid = spinner();
	CHECK(counter_moves());
	stop_and_see(pid, SIGTSTP);
	continue_and_see(pid);
	stop_and_see(pid, SIGTTIN); /* the other two stop at SIG_DFL too */
	continue_and_see(pid);
	stop_and_see(pid, SIGTTOU);
	continue_and_see(pid);
	kill_and_reap(pid);

	signal(SIGTSTP, on_tstp); /* the child inherits the handler */
	pid = spinner();
	signal(SIGTSTP, SIG_DFL);
	CHECK(counter_moves());
	int st = 0;
	CHECK_EQ(kill(pid, SIGTSTP), 0);
	CHECK(counter_moves()); /* still running */
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	kill_and_reap(pid);
}

static int report_fd;
static void on_usr1(int sig)
{
	(void)sig;
	write(report_fd, "u", 1);
}

/* raise(SIGSTOP) stops before it returns; SIGUSR1 to a stopped child waits for SIGCONT. */
static void test_raise_and_held(void)
{
	int p[2];
	char c = 0;
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		signal(SIGUSR1, on_usr1);
		raise(SIGSTOP);
		write(p[1], "r", 1); /* only once continued */
		for (;;)
			pause();
	}
	close(p[1]);
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK(read(p[0], &c, 1) == -1 && errno == EAGAIN);
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	usleep(QUIET_US);
	CHECK(read(p[0], &c, 1) == -1 && errno == EAGAIN); /* held while stopped */
	fcntl(p[0], F_SETFL, 0);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	char got[2] = { 0, 0 };
	CHECK_EQ(read(p[0], &got[0], 1), 1);
	CHECK_EQ(read(p[0], &got[1], 1), 1);
	/* Both come once continued: the handler's 'u' and raise's return 'r', in any order. */
	CHECK((got[0] == 'u' && got[1] == 'r') || (got[0] == 'r' && got[1] == 'u'));
	close(p[0]);
	kill_and_reap(pid);
}

/* SIGCONT drops a SIGTSTP the child holds blocked: unblocking it later does not stop it. */
static void test_cont_drops_stop(void)
{
	int ready[2], go[2];
	char c = 0;
	CHECK_EQ(pipe(ready), 0);
	CHECK_EQ(pipe(go), 0);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t s, pend;
		sigemptyset(&s);
		sigaddset(&s, SIGTSTP);
		sigprocmask(SIG_BLOCK, &s, 0);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		sigpending(&pend);
		char r = sigismember(&pend, SIGTSTP) ? 'p' : 'n';
		sigprocmask(SIG_UNBLOCK, &s, 0);
		write(ready[1], &r, 1);
		for (;;)
			pause();
	}
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(kill(pid, SIGTSTP), 0);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(write(go[1], "g", 1), 1);
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(c, 'n');
	int st = 0;
	getpid(); /* a round trip: a stop would have been reported by now */
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	kill_and_reap(pid);
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}

static volatile int chld_code, chld_status, chld_count;
static void on_chld(int sig, siginfo_t *info, void *ctx)
{
	(void)sig, (void)ctx;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_count++;
}

/* SIGCHLD with CLD_STOPPED and CLD_CONTINUED; none of those with SA_NOCLDSTOP. */
static void test_sigchld(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	CHECK_EQ(sigaction(SIGCHLD, &sa, 0), 0);
	pid_t pid = spinner();
	CHECK(counter_moves());
	stop_and_see(pid, SIGSTOP);
	getpid(); /* a trap: an upcall left for us is applied by now */
	CHECK(chld_count >= 1 && chld_code == CLD_STOPPED && chld_status == SIGSTOP);
	continue_and_see(pid);
	getpid();
	CHECK(chld_code == CLD_CONTINUED && chld_status == SIGCONT);

	sa.sa_flags |= SA_NOCLDSTOP;
	CHECK_EQ(sigaction(SIGCHLD, &sa, 0), 0);
	chld_code = 0;
	stop_and_see(pid, SIGSTOP);
	getpid();
	CHECK_EQ(chld_code, 0);
	continue_and_see(pid);
	getpid();
	CHECK_EQ(chld_code, 0);
	kill_and_reap(pid);
	getpid();
	CHECK_EQ(chld_code, CLD_KILLED); /* exits are still told */
	signal(SIGCHLD, SIG_DFL);
}

/* waitid: WSTOPPED and WCONTINUED, with WNOWAIT leaving the report for a later wait. */
static void test_waitid_jobs(void)
{
	siginfo_t si;
	int st = 0;
	pid_t pid = spinner();
	CHECK(counter_moves());
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOWAIT), 0);
	CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP &&
	      si.si_signo == SIGCHLD);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_ALL, 0, &si, WSTOPPED | WEXITED | WNOHANG), 0);
	CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG), 0);
	CHECK_EQ(si.si_pid, 0);				       /* taken */
	CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), 0); /* a stop is not an exit */
	CHECK_EQ(si.si_pid, 0);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WCONTINUED), 0);
	CHECK(si.si_pid == pid && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	CHECK_EQ(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);
	kill_and_reap(pid);
}

static int hup_fd;

static void on_hup(int sig)
{
	(void)sig;
	char c = 'H';
	write(hup_fd, &c, 1);
	_exit(0);
}

/*
 * POSIX _exit: a process group the exit orphans that has a stopped member gets SIGHUP
 * then SIGCONT. A leads a group of its own in our session; its child B stops; A exits,
 * B's group is orphaned (init adopts B, and init ties no group: as on Linux), and B,
 * continued, runs its SIGHUP handler.
 */
static void test_orphaned_group(void)
{
	int report[2], st = -1;
	pid_t b = -1;
	CHECK_EQ(pipe(report), 0);
	pid_t a = fork();
	if (a == 0) {
		close(report[0]);
		setpgid(0, 0); /* a group of its own, in our session: we tie it to the session */
		pid_t kid = fork();
		if (kid == 0) {
			hup_fd = report[1];
			signal(SIGHUP, on_hup);
			raise(SIGSTOP);
			_exit(2); /* continued without SIGHUP */
		}
		int kst;
		if (waitpid(kid, &kst, WUNTRACED) != kid || !WIFSTOPPED(kst))
			_exit(1);
		write(report[1], &kid, sizeof(kid));
		_exit(0); /* B's group, A's, is orphaned now */
	}
	close(report[1]);
	CHECK_EQ(read(report[0], &b, sizeof(b)), (long)sizeof(b));
	CHECK_EQ(waitpid(a, &st, 0), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct pollfd pf = { report[0], POLLIN, 0 };
	char c = 0;
	CHECK_EQ(poll(&pf, 1, 3000), 1); /* not stopped for good */
	if (pf.revents & POLLIN)
		CHECK_EQ(read(report[0], &c, 1), 1);
	CHECK_EQ(c, 'H');
	if (b > 0 && c != 'H')
		kill(b, SIGKILL);
	close(report[0]);
}

int main(void)
{
	int st = 0;
	counter = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED);
	if (counter == MAP_FAILED)
		return test_status();
	errno = 0;
	CHECK(waitpid(-1, &st, 0x40) == -1 && errno == EINVAL);
	CHECK(waitpid(-1, &st, WNOWAIT) == -1 && errno == EINVAL); /* waitid's, not waitpid's */
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	test_stop_spinner();
	test_tstp();
	test_raise_and_held();
	test_cont_drops_stop();
	test_sigchld();
	test_waitid_jobs();
	test_orphaned_group();
	return test_status();
}
