/*
 * POSIX signals, the C library's part (docs/signals.md). The fork server holds what was
 * sent and not yet taken; this file holds the dispositions (sigaction), each thread's
 * mask, and the signals taken but blocked. The first signal call registers sig_upcall
 * with the server (PROC_SIGENTRY); from then on every signal sent to the process
 * diverts one of its threads there (the kernel's upcall), which takes the pending
 * signals (PROC_SIGTAKE) and acts on each, then resumes the thread (upcall_return).
 *
 * A blocking call that the diversion cut short returns EINTR when a handler ran, and
 * runs again otherwise, or when every handler that ran had SA_RESTART and the call can
 * be run again (a console read, a wait(), a pipe read or write, F_SETLKW; nanosleep() cannot:
 * POSIX).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "futex.h"
#include "kernel/abi/upcall.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

#define SIG_BIT(s)   (1UL << (s))
#define UNBLOCKABLE  (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define STOP_SIGNALS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
#define RT_SIGNALS   ((SIG_BIT(SIGRTMAX + 1) - 1) & ~(SIG_BIT(SIGRTMIN) - 1))
#define REG_PC	     0
#define REG_A0	     10
#define REG_A1	     11
#define REG_A2	     12 /* a call's first message word */
#define REG_A7	     17
#define ECALL_BYTES  4
#define NS_PER_S     1000000000L

static struct sigaction actions[NSIG];
static volatile uint64_t taken_blocked; /* taken from the server while blocked */
/*
 * A fork request of this thread under way (signals_fork_begin to signals_fork_end): the
 * server's diversions take nothing meanwhile, and the fork's end takes what they left.
 */
static __thread volatile int fork_window, fork_deferred;
/*
 * Signals sent to this thread alone (pthread_kill, raise, SIGPIPE) while it blocked them:
 * POSIX keeps them pending for this thread, so only it takes them, by unblocking or by
 * sigwait, and only its sigpending shows them. The set changes only on this thread and
 * in its own diversions, hence atomically.
 */
static __thread volatile uint64_t thread_kept;
/* Their senders: this process (thread_kept_by: pthread_kill, raise), or none for those in
 * thread_kept_anon (SIGPIPE). Two words, not one per signal: each thread's TLS is copied
 * at every program start and thread creation. */
static __thread pid_t thread_kept_by;
static __thread uint64_t thread_kept_anon;
/* A realtime signal's instances kept for this thread (POSIX queues each): counts, 8 bits
 * each (struct sigset_counted). Changed atomically, as thread_kept is. */
static __thread volatile uint64_t thread_kept_more[2];
static __thread sigset_t waiting_here; /* what this thread's sigwait waits for */
static pid_t taken_sender[NSIG];
int signals_registered; /* process.c: a forked child registers again */
static __thread sigset_t thread_mask;
static __thread volatile uint32_t handled; /* handlers run on this thread: sigsuspend waits on it */
static __thread int ran_handler, ran_without_restart;
/*
 * The si_code and si_addr (a fault's) or si_status (SIGCHLD's) of the signal this thread
 * is taking (PROC_SIGTAKE's w5 and w6), from take_all to the handler it runs; code 0 when
 * there are none. kept_info holds them for a signal kept while blocked.
 */
struct taken_info {
	int code;
	void *addr;
};
static __thread struct taken_info fault_taken;
/* Faults and SIGCHLD are standard signals: a realtime one never has any (kept_of). */
static struct taken_info kept_info[SIGRTMIN];

static struct taken_info kept_of(int sig)
{
	return sig < SIGRTMIN ? kept_info[sig] : (struct taken_info){ 0, 0 };
}

static int bad_signal(int sig)
{
	return sig <= 0 || sig >= NSIG;
}

/* thread_mask changed: the other threads read it in our record (hand_to_other). */
static void mask_publish(void)
{
	if (pthread_cur)
		pthread_cur->sigmask = thread_mask;
}

/* --- the alternate stack --- */

/* This thread's alternate signal stack (sigaltstack); alt_size 0: none. */
static __thread char *alt_base;
static __thread size_t alt_size;

/* Is this thread running on its alternate stack now? */
static int on_alt_stack(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return alt_size && sp >= (uintptr_t)alt_base && sp <= (uintptr_t)alt_base + alt_size;
}

/* Tell the kernel where this thread's upcall frames go when its stack is full (an
 * overflow): the alternate stack's top, or 0. */
static int alt_tell_kernel(void)
{
	uintptr_t top = alt_size ? (uintptr_t)alt_base + alt_size : 0;
	return SYSCALL(upcall_stack, top) == 0 ? 0 : -1;
}

/* Call fn(sig, info, context) with the stack pointer at top, and come back. */
void sig_call_on_stack(uintptr_t top, void *fn, long sig, void *info, void *context);
__asm__(".text\n"
	".globl sig_call_on_stack\n"
	"sig_call_on_stack:\n"
	"	andi a0, a0, -16\n"
	"	addi a0, a0, -16\n"
	"	sd ra, 8(a0)\n"
	"	sd sp, 0(a0)\n"
	"	mv sp, a0\n"
	"	mv t0, a1\n"
	"	mv a0, a2\n"
	"	mv a1, a3\n"
	"	mv a2, a4\n"
	"	jalr t0\n"
	"	ld ra, 8(sp)\n"
	"	ld sp, 0(sp)\n"
	"	ret\n");

static void sig_register(void);

/*
 * sigaltstack (POSIX): per thread. EPERM while running on it, EINVAL for a flag other
 * than SS_DISABLE, ENOMEM below MINSIGSTKSZ. SA_ONSTACK handlers run on it
 * (run_handler), and the kernel writes a signal's frame there when the thread's own stack
 * is full (upcall_stack, docs/syscalls.md 51): a SIGSEGV handler runs after an overflow.
 */
int sigaltstack(const stack_t *restrict ss, stack_t *restrict old)
{
	int on = on_alt_stack();
	if (ss && on) {
		errno = EPERM;
		return -1;
	}
	if (ss && (ss->ss_flags & ~SS_DISABLE)) {
		errno = EINVAL;
		return -1;
	}
	if (ss && !(ss->ss_flags & SS_DISABLE) && ss->ss_size < MINSIGSTKSZ) {
		errno = ENOMEM;
		return -1;
	}
	stack_t was = { .ss_sp = alt_base,
			.ss_size = alt_size,
			.ss_flags = on	       ? SS_ONSTACK
				    : alt_size ? 0
					       : SS_DISABLE };
	if (ss) {
		int off = ss->ss_flags & SS_DISABLE;
		alt_base = off ? 0 : ss->ss_sp;
		alt_size = off ? 0 : ss->ss_size;
		if (alt_tell_kernel() != 0) { /* outside user space */
			alt_base = was.ss_sp, alt_size = was.ss_size;
			errno = EINVAL;
			return -1;
		}
		sig_register(); /* so that fork tells the kernel again in the child */
	}
	if (old)
		*old = was;
	return 0;
}

/* --- sets --- */

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = ~(sigset_t)0 & ~(sigset_t)1; /* bit 0 is no signal */
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set |= SIG_BIT(sig);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set &= ~SIG_BIT(sig);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (bad_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	return (*set & SIG_BIT(sig)) != 0;
}

/* --- delivery --- */

void sig_upcall(long a0, long a1, struct upcall_frame *f);

static volatile uint64_t waited; /* the signals some thread waits for (sigwait, below) */

/*
 * What the fork server must do with SIGCHLD for us (sigsrv.h's bits). It sends SIGCHLD
 * only to a process that can see it: one with a handler, or (POSIX: SIGCHLD is made even
 * at SIG_DFL) one where this thread blocks it, for sigpending, or a thread waits for it.
 */
static uint64_t chld_flags(void)
{
	const struct sigaction *a = &actions[SIGCHLD];
	uint64_t f = 0;
	int seen = a->sa_handler == SIG_DFL && ((thread_mask | waited) & SIG_BIT(SIGCHLD));
	if ((a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN) || seen)
		f |= 1; /* SIGSRV_CHLD_CATCH */
	if (a->sa_handler == SIG_IGN || (a->sa_flags & SA_NOCLDWAIT))
		f |= 2; /* SIGSRV_CHLD_IGNORE: no zombies */
	if (a->sa_flags & SA_NOCLDSTOP)
		f |= 4; /* SIGSRV_CHLD_NOCLDSTOP: not told of stops and continues */
	return f;
}

/*
 * Where we take signals, and what we do with SIGCHLD, to the server: 0 if it took them.
 * Its answer's w1, in *held when asked for, is the signals it holds for us (sent during
 * an exec: signals_inherit takes them).
 */
static int64_t sig_entry_to_server(uint64_t *held)
{
	return proc_request(PROC_SIGENTRY, (uintptr_t)sig_upcall, chld_flags(), held, 0, 0);
}

static void sig_tell_server(void)
{
	if (sig_entry_to_server(0) == 0)
		signals_registered = 1;
}

/*
 * exec keeps the calling thread's signal mask, the signals set to SIG_IGN (POSIX; caught
 * ones go back to SIG_DFL, as they cannot be anything else in a new image) and the
 * signals pending for the process and the calling thread (those we kept while blocked;
 * the fork server keeps the ones it still holds). They reach the new image in the
 * environment (SIG_EXEC_ENV=mask.ignored.pending, in hex), as the umask does (fd.c), and
 * signals_inherit takes them back before main. 0 if there are none: the usual case costs
 * the exec nothing.
 */
const char *signals_exec_env(char *env, size_t size, uint64_t *blocked, uint64_t *ignored)
{
	*ignored = 0;
	for (int sig = 1; sig < NSIG; sig++)
		if (actions[sig].sa_handler == SIG_IGN)
			*ignored |= SIG_BIT(sig);
	*blocked = thread_mask;
	uint64_t pending = (taken_blocked | thread_kept) & ~*ignored;
	if (!*blocked && !*ignored && !pending)
		return 0;
	int n = snprintf(env, size, "%s%lx.%lx.%lx", SIG_EXEC_ENV, (unsigned long)*blocked,
			 (unsigned long)*ignored, (unsigned long)pending);
	return n > 0 && (size_t)n < size ? env : 0;
}

/*
 * Every process tells the server where it takes signals before main (the fork server,
 * which would ask itself, defines this 0): the stop signals stop a process through its
 * C library (stop_process), even one that never made a signal call. That alone does not
 * set signals_registered, which makes fork pay for the signal state (process.c): the
 * server knows our entry when either is set.
 */
__attribute__((weak)) const int signals_register_at_start = 1;
static int entry_at_start;

static int server_has_entry(void)
{
	return signals_registered || entry_at_start;
}

/*
 * Before main: what exec kept (signals_exec_env) back in place, and our entry with the
 * server. Its answer's w1 says whether it holds signals for us (sent before the exec
 * and not yet taken): we take them now, as we would have at a diversion, and act on
 * those pending here that our mask does not block (by their default action: a new image
 * has no handlers).
 */
__attribute__((constructor)) static void signals_inherit(void)
{
	const char *v = fd_take_env(SIG_EXEC_ENV);
	uint64_t held = 0;
	if (!v) {
		/* Nothing inherited: no handler, mask or SIGCHLD flag yet (chld_flags() is 0). */
		if (signals_register_at_start && sig_entry_to_server(&held) == 0)
			entry_at_start = 1;
	} else {
		uint64_t mask = fd_get_hex(&v), ignored = fd_get_hex(&v), pending = fd_get_hex(&v);
		for (int sig = 1; sig < NSIG; sig++)
			if ((ignored & SIG_BIT(sig)) && !(UNBLOCKABLE & SIG_BIT(sig)))
				actions[sig].sa_handler = SIG_IGN;
		thread_mask = mask & ~UNBLOCKABLE & ~(sigset_t)1;
		/* Our own environment, but any program may set it: signals only. */
		taken_blocked = pending & (SIG_BIT(NSIG) - 1) & ~UNBLOCKABLE & ~(sigset_t)1;
		/* so that the server hands us what we ignore or block */
		if (sig_entry_to_server(&held) == 0)
			signals_registered = 1;
	}
	if ((held || taken_blocked) && server_has_entry())
		signals_take_now();
}

static void sig_register(void)
{
	if (!signals_registered)
		sig_tell_server();
}

/* fork: the child is a new process to the server; its handlers are ours (POSIX). */
void itimer_after_fork(void);

/*
 * The value of the last POSIX timer signal sent (itimer.c), per signal, until a
 * handler takes it: so an SA_SIGINFO handler sees SI_TIMER and the timer's
 * sigev_value. A kill of the same signal from elsewhere while one is unclaimed would be
 * taken for the timer's.
 */
static uint64_t timer_noted; /* bit n: signal n has an unclaimed note */
static union sigval timer_value[NSIG];

static int timer_claim(int sig, union sigval *value);

/* The same for a sigqueue signal, as the server gives it with the signal (PROC_SIGTAKE):
 * a plain kill after it took its place, and clears the note. */
static uint64_t queue_noted;
static union sigval queue_value[NSIG];

static void note_queue(int sig, int queued, uint64_t value)
{
	if (!queued) {
		__atomic_and_fetch(&queue_noted, ~SIG_BIT(sig), __ATOMIC_ACQ_REL);
		return;
	}
	memcpy(&queue_value[sig], &value, sizeof(queue_value[sig]));
	__atomic_or_fetch(&queue_noted, SIG_BIT(sig), __ATOMIC_ACQ_REL);
}

static int queue_claim(int sig, union sigval *value)
{
	if (!(__atomic_fetch_and(&queue_noted, ~SIG_BIT(sig), __ATOMIC_ACQ_REL) & SIG_BIT(sig)))
		return 0;
	*value = queue_value[sig];
	return 1;
}

/* What a signal's siginfo_t says: the sender; SI_QUEUE and sigqueue's value; or
 * SI_TIMER and the timer's value. */
static void info_fill(int sig, pid_t sender, siginfo_t *info)
{
	*info = (siginfo_t){ .si_signo = sig, .si_code = sender ? SI_USER : 0, .si_pid = sender };
	if (queue_claim(sig, &info->si_value))
		info->si_code = SI_QUEUE;
	else if (sender && timer_claim(sig, &info->si_value)) /* one of our timers sent it */
		info->si_code = SI_TIMER, info->si_pid = 0;
	else if (!sender && fault_taken.code) /* a fault's, from the server (PROC_SIGTAKE) */
		info->si_code = fault_taken.code, info->si_addr = fault_taken.addr;
	else if (sig == SIGCHLD && fault_taken.code) /* the child's end: code and status */
		info->si_code = fault_taken.code,
		info->si_status = (int)(uintptr_t)fault_taken.addr;
}

void signals_note_timer(int sig, union sigval value)
{
	timer_value[sig] = value;
	__atomic_or_fetch(&timer_noted, SIG_BIT(sig), __ATOMIC_ACQ_REL);
}

static int timer_claim(int sig, union sigval *value)
{
	if (!(__atomic_load_n(&timer_noted, __ATOMIC_ACQUIRE) & SIG_BIT(sig)))
		return 0;
	*value = timer_value[sig];
	__atomic_and_fetch(&timer_noted, ~SIG_BIT(sig), __ATOMIC_ACQ_REL);
	return 1;
}

static void take_all(void *context);
static void act_on_unblocked(void *context);
static void take_mailbox(void *context, pid_t me);

void signals_fork_begin(void)
{
	fork_window = 1;
}

/*
 * POSIX starts a child with nothing pending. A signal the parent kept (taken while
 * blocked) before the server copied it is the parent's, so the child drops every kept
 * one: none of its own can be among them, since a diversion of this thread inside the
 * fork (fork_window, in the parent before the copy, or in the child from its very first
 * instruction: the server can divert it before fork has returned in it) takes nothing
 * from the server and only marks fork_deferred. Both sides then take what the server
 * holds for them, the child after its drop. The fork server already takes the child's
 * signals where the parent did (its copy of our handlers is at the same address). Stores
 * here would each cost the child a copy of a page shared with its parent, so there are
 * none when there is nothing to clear.
 */
void signals_fork_end(int child)
{
	if (child) {
		itimer_after_fork(); /* POSIX: a child has no timers (the server's are off too) */
		if (alt_size)
			alt_tell_kernel(); /* the kernel's record of it is the parent thread's */
		if (taken_blocked)
			taken_blocked = 0;
		if (thread_kept) {
			thread_kept = 0; /* the forking thread's, which the child's thread is not */
			thread_kept_more[0] = thread_kept_more[1] = 0;
		}
		/* Likewise the mailbox. A thread whose record was never made (no pthread_self)
		 * has had no pthread_kill: nobody had its name. */
		struct pthread *self = pthread_cur;
		if (self && self->mailbox) {
			self->mailbox = 0;
			self->mailbox_rt[0] = self->mailbox_rt[1] = 0;
		}
	}
	fork_window = 0; /* after the drop: a diversion from here on keeps for us */
	if (fork_deferred) {
		int errno_saved = errno;
		fork_deferred = 0;
		take_all(0);
		act_on_unblocked(0);
		errno = errno_saved;
	}
}

/* POSIX's default action: ignore these (the stop signals' is stop_process). */
static int default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static int is_stop_signal(int sig)
{
	return (STOP_SIGNALS & SIG_BIT(sig)) != 0;
}

/* SIGCONTs acted on: a stop signal taken before one that another diversion of this
 * thread acted on first (take_all) is dropped, as the server drops those still held. */
static volatile uint32_t conts_taken;

/*
 * While one thread stops the process (stop_process), the others are diverted to
 * sig_upcall with PARK_ARG and wait there until it is continued: a stopped process's
 * threads do not run. stop_parked is 1 meanwhile.
 */
#define PARK_ARG (-1L)
static volatile uint32_t stop_parked;

static void divert_to_park(struct pthread *t, void *unused)
{
	(void)unused;
	if (!t->done)
		SYSCALL(upcall, SLOT_SELF, (uintptr_t)sig_upcall, PARK_ARG, 0, t->kernel_id);
}

static void park_other_threads(void)
{
	if (!pthread_threaded)
		return;
	__atomic_store_n(&stop_parked, 1, __ATOMIC_SEQ_CST);
	while (pthread_each_other(divert_to_park, 0) != 0)
		SYSCALL(yield); /* a thread is being made or ending: the list is busy */
}

static void release_other_threads(void)
{
	if (!__atomic_load_n(&stop_parked, __ATOMIC_SEQ_CST))
		return;
	__atomic_store_n(&stop_parked, 0, __ATOMIC_SEQ_CST);
	futex_wake(&stop_parked, UINT32_MAX);
}

/* A diverted thread's part in a stop: wait until the process is continued. */
static void park_here(void)
{
	while (__atomic_load_n(&stop_parked, __ATOMIC_SEQ_CST))
		futex_wait(&stop_parked, 1, FUTEX_FOREVER);
}

/*
 * A signal sent to the process that the thread taking it blocks is kept (keep); POSIX
 * gives it to a thread that does not block it, if there is one: divert that one, which
 * then finds it kept and unblocked for it (act_on_unblocked).
 */
struct hand_over {
	int sig;
	int done;
};

void sig_upcall(long a0, long a1, struct upcall_frame *f);

static void divert_if_unblocked(struct pthread *t, void *arg)
{
	struct hand_over *h = arg;
	if (h->done || t->done || (t->sigmask & SIG_BIT(h->sig)))
		return;
	if (SYSCALL(upcall, SLOT_SELF, (uintptr_t)sig_upcall, 0, 0, t->kernel_id) == 0)
		h->done = 1;
}

static void hand_to_other(int sig)
{
	struct hand_over h = { .sig = sig, .done = 0 };
	if (pthread_threaded)
		pthread_each_other(divert_if_unblocked, &h); /* list busy: kept as before */
}

/*
 * Stop the process for stop signal sig (SIGSTOP, or another at SIG_DFL): the other
 * threads park (below), and this one asks the fork server to stop us (PROC_STOP), which
 * answers once SIGCONT continues us, or at once if one came since sig was sent. SIGKILL
 * ends us meanwhile. Signals sent while we are stopped stay with the server until then.
 */
static void stop_process(int sig)
{
	park_other_threads();
	proc_request(PROC_STOP, (uint64_t)sig, 0, 0, 0, 0);
	release_other_threads();
}

/* End the process of sig: the server does it once we no longer take signals. */
static void die_of(int sig)
{
	proc_request(PROC_SIGENTRY, 0, 0, 0, 0, 0);
	signals_registered = entry_at_start = 0;
	kill(getpid(), sig);
	for (;;)
		_exit(128 + sig); /* only if the server is gone */
}

static void run_handler(int sig, pid_t sender, void *context)
{
	struct sigaction act = actions[sig];
	sigset_t saved = thread_mask;
	if (act.sa_flags & SA_RESETHAND) {
		actions[sig].sa_handler = SIG_DFL;
		actions[sig].sa_flags &= ~SA_SIGINFO;
	}
	thread_mask |= act.sa_mask;
	if (!(act.sa_flags & (SA_NODEFER | SA_RESETHAND)))
		thread_mask |= SIG_BIT(sig);
	thread_mask &= ~UNBLOCKABLE;
	mask_publish();
	siginfo_t info;
	info_fill(sig, sender, &info); /* claims this signal's notes either way */
	void *fn = (act.sa_flags & SA_SIGINFO) ? (void *)act.sa_sigaction : (void *)act.sa_handler;
	if ((act.sa_flags & SA_ONSTACK) && alt_size && !on_alt_stack())
		sig_call_on_stack((uintptr_t)alt_base + alt_size, fn, sig, &info, context);
	else if (act.sa_flags & SA_SIGINFO)
		act.sa_sigaction(sig, &info, context);
	else
		act.sa_handler(sig);
	thread_mask = saved;
	mask_publish();
	ran_handler = 1;
	if (!(act.sa_flags & SA_RESTART))
		ran_without_restart = 1;
	handled++;
	/* The handler's return unblocks what its mask held: one raised meanwhile runs now. */
	if ((thread_kept | taken_blocked) & ~thread_mask)
		act_on_unblocked(context);
}

/* A signal for a fault (sender 0: the kernel): ignoring or blocking it cannot work. */
static int from_fault(int sig, pid_t sender)
{
	return sender == 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE);
}

/*
 * sigwait and its kin (below): the signals some thread waits for (waited, above), and a
 * count that moves whenever a signal is kept in taken_blocked, which the waiters sleep on.
 */
static volatile uint32_t taken_seq;
static uint16_t wait_count[NSIG]; /* threads waiting: far fewer than 65,536 */
static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;

/* Keep sig for whoever unblocks it or waits for it, and wake the waiters. */
static void keep(int sig, pid_t sender)
{
	taken_sender[sig] = sender;
	if (sig < SIGRTMIN)
		kept_info[sig] = fault_taken;
	__atomic_or_fetch(&taken_blocked, SIG_BIT(sig), __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&taken_seq, 1, __ATOMIC_SEQ_CST);
	if (waited)
		futex_wake(&taken_seq, UINT32_MAX);
}

/* The sender of sig kept for this thread, which it takes now. */
static pid_t thread_sender(int sig)
{
	pid_t by = (thread_kept_anon & SIG_BIT(sig)) ? 0 : thread_kept_by;
	thread_kept_anon &= ~SIG_BIT(sig);
	return by;
}

/*
 * A set of pending signals that other code may add to while one thread takes from it
 * (pthread_kill's mailbox, what a thread keeps for itself): a bit a signal, and for a
 * realtime signal a count of its instances, 8 bits each in two words (small: the
 * thread-local ones are in every program's first thread). For a realtime signal the
 * count is the truth and the bit only says "look": a post counts first and sets the bit
 * after, and a take that empties the count clears the bit and then looks again, so no
 * order of posts and takes hides an instance behind a clear bit.
 */
#define RT_COUNT_BITS  8
#define RT_COUNT_WORDS (64 / RT_COUNT_BITS) /* counts a word */
#define RT_COUNT_MASK  ((1u << RT_COUNT_BITS) - 1)
_Static_assert(SIGRTMAX - SIGRTMIN + 1 <= 2 * RT_COUNT_WORDS, "two words hold every count");

struct sigset_counted {
	volatile uint64_t *bits;
	volatile uint64_t *counts; /* two words */
	unsigned max;		   /* instances of one realtime signal at most */
};

static volatile uint64_t *count_word(const struct sigset_counted *q, int sig, unsigned *shift)
{
	unsigned i = (unsigned)(sig - SIGRTMIN);
	*shift = i % RT_COUNT_WORDS * RT_COUNT_BITS;
	return &q->counts[i / RT_COUNT_WORDS];
}

static unsigned count_of(const struct sigset_counted *q, int sig)
{
	unsigned shift;
	return (unsigned)(__atomic_load_n(count_word(q, sig, &shift), __ATOMIC_SEQ_CST) >> shift) &
	       RT_COUNT_MASK;
}

/* Add delta (+1 or -1) to sig's count, within 0..q->max: 1 if it changed. */
static int count_add(const struct sigset_counted *q, int sig, int delta)
{
	unsigned shift, n;
	volatile uint64_t *w = count_word(q, sig, &shift);
	uint64_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
	do {
		n = (unsigned)(old >> shift) & RT_COUNT_MASK;
		if ((delta < 0 && n == 0) || (delta > 0 && n >= q->max))
			return 0;
	} while (!__atomic_compare_exchange_n(w, &old, old + ((uint64_t)(int64_t)delta << shift), 0,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 1;
}

/* One more instance of sig (a standard signal merges with one pending; a realtime one
 * past q->max is dropped). */
static void counted_post(const struct sigset_counted *q, int sig)
{
	if (sig >= SIGRTMIN && !count_add(q, sig, 1))
		return;
	__atomic_or_fetch(q->bits, SIG_BIT(sig), __ATOMIC_SEQ_CST);
}

/* Take one instance of sig: 1 if there was one. */
static int counted_take(const struct sigset_counted *q, int sig)
{
	if (sig < SIGRTMIN)
		return (__atomic_fetch_and(q->bits, ~SIG_BIT(sig), __ATOMIC_SEQ_CST) &
			SIG_BIT(sig)) != 0;
	int took = count_add(q, sig, -1);
	if (count_of(q, sig) == 0) {
		__atomic_and_fetch(q->bits, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
		if (count_of(q, sig) != 0) /* posted meanwhile: its bit may be the one cleared */
			__atomic_or_fetch(q->bits, SIG_BIT(sig), __ATOMIC_SEQ_CST);
	}
	return took;
}

/* What this thread keeps for itself (thread_kept), up to SIGQUEUE_MAX of each. */
static struct sigset_counted kept_here(void)
{
	return (struct sigset_counted){ &thread_kept, thread_kept_more, SIGQUEUE_MAX };
}

static void thread_keep(int sig)
{
	struct sigset_counted q = kept_here();
	counted_post(&q, sig);
}

static int thread_take(int sig)
{
	struct sigset_counted q = kept_here();
	return counted_take(&q, sig);
}

/* Drop every instance of sig kept for this thread (it is ignored now). */
static void thread_drop(int sig)
{
	struct sigset_counted q = kept_here();
	while (counted_take(&q, sig))
		;
}

/*
 * Keep sig, sent to this thread alone, for this thread. The count moves too: a sigwait of
 * this thread that the diversion cut short runs its futex_wait again, and must not sleep.
 */
static void keep_here(int sig, pid_t sender)
{
	if (sender) {
		thread_kept_by = sender;
		thread_kept_anon &= ~SIG_BIT(sig);
	} else {
		thread_kept_anon |= SIG_BIT(sig);
	}
	thread_keep(sig);
	__atomic_add_fetch(&taken_seq, 1, __ATOMIC_SEQ_CST);
}

/*
 * Act on one signal taken for this thread: keep it if blocked here or some thread waits
 * for it (POSIX: a thread in sigwait takes it), else its disposition. One sent to this
 * thread alone (directed) is kept for it alone, and only its own sigwait takes it.
 */
static void act_on_as(int sig, pid_t sender, void *context, int directed)
{
	if (from_fault(sig, sender) &&
	    ((thread_mask & SIG_BIT(sig)) || actions[sig].sa_handler == SIG_IGN))
		die_of(sig); /* the faulting instruction would only fault again */
	/* POSIX: SIGCONT drops the stop signals pending, a stop signal a pending SIGCONT. */
	if (sig == SIGCONT) {
		__atomic_add_fetch(&conts_taken, 1, __ATOMIC_SEQ_CST);
		__atomic_and_fetch(&taken_blocked, ~STOP_SIGNALS, __ATOMIC_SEQ_CST);
	} else if (is_stop_signal(sig))
		__atomic_and_fetch(&taken_blocked, ~SIG_BIT(SIGCONT), __ATOMIC_SEQ_CST);
	if (sig == SIGSTOP) {
		stop_process(sig); /* never caught, ignored or blocked */
		return;
	}
	if (directed && ((thread_mask | waiting_here) & SIG_BIT(sig))) {
		keep_here(sig, sender);
		return;
	}
	if (!directed && ((thread_mask | waited) & SIG_BIT(sig))) {
		keep(sig, sender);
		return;
	}
	_sig_func_ptr h = actions[sig].sa_handler;
	if (h == SIG_IGN || (h == SIG_DFL && default_ignores(sig))) {
		union sigval unused;
		queue_claim(sig, &unused); /* gone with it */
		return;
	}
	if (h == SIG_DFL && is_stop_signal(sig))
		stop_process(sig);
	else if (h == SIG_DFL)
		die_of(sig);
	else
		run_handler(sig, sender, context);
}

/* A signal sent to the process: any thread of it may take it. */
static void act_on(int sig, pid_t sender, void *context)
{
	act_on_as(sig, sender, context, 0);
}

/*
 * A kept instance of each realtime signal in done has been acted on or waited for: the
 * server held back the next ones (take_all's skip), so take what it has now.
 */
static void take_next_instances(uint64_t done, void *context)
{
	if ((done & RT_SIGNALS) && server_has_entry() && !fork_window)
		take_all(context);
}

/* Signals taken earlier while blocked and unblocked now (those a sigwait waits for stay
 * for it). */
static void act_on_unblocked(void *context)
{
	uint64_t ready, rt_done;
	take_mailbox(context, 0); /* pthread_kill's whose upcall has not come yet: pending here */
	while ((ready = thread_kept & ~thread_mask & ~waiting_here) != 0) {
		int sig = __builtin_ctzl(ready);
		if (thread_take(sig))
			act_on_as(sig, thread_sender(sig), context, 1);
	}
	do {
		rt_done = 0;
		while ((ready = taken_blocked & ~thread_mask & ~waited) != 0) {
			int sig = __builtin_ctzl(ready);
			__atomic_and_fetch(&taken_blocked, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
			rt_done |= SIG_BIT(sig) & RT_SIGNALS;
			fault_taken = kept_of(sig);
			act_on(sig, taken_sender[sig], context);
			fault_taken.code = 0;
		}
		take_next_instances(rt_done, context);
	} while (rt_done);
}

/*
 * Realtime signals are taken by one take_all at a time in the process (rt_taker): two at
 * once (two threads diverted, or a diversion inside another's request) could each be
 * handed an instance of a signal they then both keep, and one would be lost. Another
 * takes the rest and says so first (rt_wanted); the taker looks again once it is done.
 * The taker lets go before it acts on a signal it does not keep: a handler may never
 * return (siglongjmp).
 */
static volatile int rt_taker, rt_wanted;

static void rt_let_go(void)
{
	__atomic_store_n(&rt_wanted, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rt_taker, 0, __ATOMIC_SEQ_CST);
}

/*
 * What the server holds for us: one signal per request, until none is left. A realtime
 * signal of which we keep an instance (blocked) stays with the server, so that its later
 * instances stay queued rather than merge here (take_next_instances); unless rt (we are
 * the taker), every realtime signal stays there. The taker returns having let go.
 */
static void take_some(void *context, int rt)
{
	for (;;) {
		uint32_t conts = conts_taken;
		struct ipc_msg m = { .tag = ipc_tag(PROC_SIGTAKE, 1, 0, 0) };
		m.w[0] = rt ? taken_blocked & RT_SIGNALS : RT_SIGNALS;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc_call(SLOT_PROC, &m) != 0)
			break;
		int64_t sig = (int64_t)m.w[0];
		fault_taken.code = (int)m.w[5];
		fault_taken.addr = (void *)(uintptr_t)m.w[6];
		if (sig > 0 && sig < NSIG) {
			uint64_t bit = SIG_BIT(sig), kept_before = taken_blocked & bit;
			int last = 0;
			if (rt && !((thread_mask | waited) & bit)) {
				rt_let_go(); /* not kept: acted on below, perhaps never to return */
				rt = 0, last = 1;
			}
			note_queue((int)sig, m.w[3] == 1, m.w[4]);
			act_on((int)sig, (pid_t)m.w[1], context);
			if (is_stop_signal((int)sig) && conts_taken != conts)
				__atomic_and_fetch(&taken_blocked, ~STOP_SIGNALS, __ATOMIC_SEQ_CST);
			if (!kept_before && (taken_blocked & bit) && !(waited & bit))
				hand_to_other((int)sig); /* we block it: another thread may not */
			if (last) {
				fault_taken.code = 0;
				return; /* take_all takes the rest (rt_wanted) */
			}
		}
		fault_taken.code = 0;
		if (sig <= 0 || sig >= NSIG || m.w[2] == 0)
			break; /* w2: what is still pending */
	}
	if (rt)
		__atomic_store_n(&rt_taker, 0, __ATOMIC_SEQ_CST);
}

/* Everything the server holds for us. */
static void take_all(void *context)
{
	__atomic_store_n(&rt_wanted, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&rt_wanted, __ATOMIC_SEQ_CST)) {
		if (__atomic_exchange_n(&rt_taker, 1, __ATOMIC_SEQ_CST)) {
			take_some(context, 0); /* the taker sees rt_wanted when it is done */
			return;
		}
		__atomic_store_n(&rt_wanted, 0, __ATOMIC_SEQ_CST);
		take_some(context, 1);
	}
}

/*
 * A call cut short by the diversion: run it again, or let it return EINTR. A request to
 * the fork server runs again unless it is one the server parks (a wait(): others are
 * answered at once, so running them again is safe), and so does a request to another
 * server unless it is an F_SETLKW or a FIFO's open the file server holds; a parked request, a console
 * read or a pipe read or write (the kernel's, which moved nothing when it was cut short)
 * runs again when every handler had SA_RESTART (or none ran); anything else returns
 * EINTR after a handler.
 */
static void settle_interrupted(struct upcall_frame *f)
{
	if (!(f->flags & UPCALL_INTERRUPTED))
		return;
	uint64_t nr = f->regs[REG_A7] & ~(uint64_t)SYS_NONBLOCK;
	uint64_t label = ipc_tag_label(f->regs[REG_A1]);
	/* An F_SETLKW the file server holds (not a request on SLOT_PROC): as a wait(). Any
	 * other lock request (F_SETLK, F_GETLK) is answered at once, and never fails with
	 * EINTR (POSIX names EINTR for F_SETLKW alone). */
	int lock_wait = nr == SYS_call && label == FS_LOCK && f->regs[REG_A2] == FS_LK_WAIT &&
			f->restart_a0 != SLOT_PROC;
	/* An open of a FIFO waiting for its other side: the only FS_OPEN the server parks
	 * (one cut short while still queued runs again, as any queued request). */
	int fifo_wait = nr == SYS_call && label == FS_OPEN && f->restart_a0 == SLOT_FS &&
			(f->flags & UPCALL_PARKED);
	int parked = nr == SYS_call && (label == PROC_WAIT || lock_wait || fifo_wait);
	int always = nr == SYS_call && !parked;
	int restartable =
		nr == SYS_console_read || nr == SYS_pipe_read || nr == SYS_pipe_write || parked;
	if (!ran_handler || always || (restartable && !ran_without_restart)) {
		f->regs[REG_PC] -= ECALL_BYTES;
		f->regs[REG_A0] = f->restart_a0;
	}
}

/*
 * pthread_kill's mailbox (struct pthread): a signal for one thread goes there first and
 * the upcall only makes the thread look, so that an upcall replaced by a later one (the
 * kernel keeps one pending a thread) loses nothing. Up to 255 instances of a realtime
 * signal wait there.
 */
static struct sigset_counted mailbox_of(struct pthread *t)
{
	return (struct sigset_counted){ &t->mailbox, t->mailbox_rt, RT_COUNT_MASK };
}

static void mailbox_post(struct pthread *t, int sig)
{
	struct sigset_counted q = mailbox_of(t);
	counted_post(&q, sig);
}

static int mailbox_take(struct pthread *t, int sig)
{
	struct sigset_counted q = mailbox_of(t);
	return counted_take(&q, sig);
}

/* Act on everything in this thread's mailbox, as sent to this thread alone by this
 * process (pid me; 0: asked for only if there is something). */
static void take_mailbox(void *context, pid_t me)
{
	struct pthread *self = pthread_cur; /* none made: nobody could name us to pthread_kill */
	uint64_t in;
	while (self && (in = self->mailbox) != 0) {
		int sig = __builtin_ctzl(in);
		if (!me)
			me = getpid();
		if (mailbox_take(self, sig))
			act_on_as(sig, me, context, 1);
	}
}

void signals_take_mailbox(void)
{
	int errno_saved = errno;
	take_mailbox(0, 0);
	errno = errno_saved;
}

/*
 * Where the kernel diverts a thread (a2 = the frame its registers are in): a0 = 0 from
 * the fork server (take what it holds), or a signal pthread_kill put in this thread's
 * mailbox.
 */
void sig_upcall(long a0, long a1, struct upcall_frame *f)
{
	int errno_saved = errno;
	ran_handler = ran_without_restart = 0;
	if (a0 == PARK_ARG)
		park_here();
	/* pthread_kill's (a0 its signal, a1 our pid), even if a later upcall replaced its own */
	take_mailbox(f, a0 > 0 && a0 < NSIG ? (pid_t)a1 : 0);
	if (fork_window) {
		fork_deferred = 1; /* signals_fork_end takes them */
	} else {
		take_all(f);
		act_on_unblocked(f);
	}
	settle_interrupted(f);
	errno = errno_saved;
	SYSCALL(upcall_return, (uintptr_t)f);
	for (;;) /* a frame we cannot read: nothing to go back to */
		_exit(128 + SIGSEGV);
}

/*
 * kill() to ourselves, not blocked here: delivered on this thread before kill returns,
 * as POSIX asks, without a round trip through the server. 1 if done so; -1 if it is
 * ours but must go through the server, and be taken when it answers: a stop signal or
 * SIGCONT, which the server's job control must see.
 */
int signals_kill_self(pid_t pid, int sig)
{
	if (!server_has_entry() || pid <= 0 || bad_signal(sig) || (thread_mask & SIG_BIT(sig)) ||
	    pid != getpid())
		return 0;
	if (is_stop_signal(sig) || sig == SIGCONT)
		return -1;
	if (!signals_registered)
		return 0; /* the server's way: it knows what to do with us */
	act_on(sig, pid, 0);
	return 1;
}

int signals_blocked_here(int sig)
{
	return signals_registered && !bad_signal(sig) && (thread_mask & SIG_BIT(sig));
}

/*
 * A kill of a group we may be in (pid 0, -1 or -pgid) went through the fork server,
 * which answered us before diverting us: on several harts that diversion can land
 * after kill has returned. POSIX wants a signal to ourselves delivered before kill
 * returns when no other thread could take it, so a process without threads takes what
 * the server holds for it now; the diversion then finds nothing.
 */
void signals_take_now(void)
{
	if (!server_has_entry())
		return;
	int errno_saved = errno;
	take_all(0);
	act_on_unblocked(0);
	errno = errno_saved;
}

/*
 * A write found the pipe with no reader (pipe.c): SIGPIPE to the calling thread, as
 * POSIX asks, from no process (sender 0), acted on before the write returns EPIPE. In
 * a process that never made a signal call the disposition is SIG_DFL: it dies of it.
 */
void signals_pipe_broken(void)
{
	if (!signals_registered)
		die_of(SIGPIPE);
	act_on_as(SIGPIPE, 0, 0, 1);
}

/* --- the calls --- */

/*
 * Drop what we keep of sig for the process. A realtime signal's later instances wait in
 * the server, which hands out the next only once the one kept here is gone: each is
 * taken now (kept again, if blocked) and dropped in turn.
 */
static void discard_kept(int sig)
{
	for (;;) {
		__atomic_and_fetch(&taken_blocked, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
		if (!(SIG_BIT(sig) & RT_SIGNALS))
			return;
		signals_take_now();
		if (!(taken_blocked & SIG_BIT(sig)))
			return;
	}
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (bad_signal(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
		errno = EINVAL;
		return -1;
	}
	sig_register();
	if (old)
		*old = actions[sig];
	if (act)
		actions[sig] = *act;
	/* POSIX: an action that ignores the signal discards it if pending, blocked or not. */
	if (act &&
	    (act->sa_handler == SIG_IGN || (act->sa_handler == SIG_DFL && default_ignores(sig)))) {
		thread_drop(sig); /* ours */
		discard_kept(sig);
	}
	if (act && sig == SIGCHLD)
		sig_tell_server();
	return 0;
}

_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t was = thread_mask;
	int chld_was = signals_registered && (was & SIG_BIT(SIGCHLD));
	if (set) {
		if (how == SIG_BLOCK)
			thread_mask |= *set;
		else if (how == SIG_UNBLOCK)
			thread_mask &= ~*set;
		else if (how == SIG_SETMASK)
			thread_mask = *set;
		else
			return EINVAL;
		thread_mask &= ~UNBLOCKABLE & ~(sigset_t)1;
		mask_publish();
		if (chld_was != ((thread_mask & SIG_BIT(SIGCHLD)) != 0))
			sig_tell_server(); /* SIGCHLD blocked or not: see chld_flags */
		else
			sig_register();
	}
	if (old)
		*old = was;
	act_on_unblocked(0); /* POSIX: one unblocked now is delivered before we return */
	return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int err = pthread_sigmask(how, set, old);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

uint64_t signals_thread_mask(void)
{
	return thread_mask;
}

/* A thread created by pthread_create starts with its creator's mask (POSIX). */
void signals_thread_start(uint64_t mask)
{
	thread_mask = mask;
	mask_publish();
}

int sigpending(sigset_t *set)
{
	/* the mailbox's too: sent to this thread by pthread_kill, its upcall still coming */
	uint64_t mailbox = pthread_cur ? pthread_cur->mailbox : 0;
	*set = (taken_blocked | thread_kept | mailbox) & thread_mask;
	return 0;
}

volatile uint32_t *signals_handled_word(void)
{
	return &handled;
}

/* A cancellation point (as pause is): a cancel ends the wait with the old mask back. */
int sigsuspend(const sigset_t *mask)
{
	cancel_point();
	sigset_t saved = thread_mask;
	uint32_t seen = handled;
	sig_register();
	thread_mask = *mask & ~UNBLOCKABLE;
	mask_publish();
	act_on_unblocked(0);
	while (handled == seen && !cancel_due())
		SYSCALL(futex_wait, (uintptr_t)&handled, seen, FUTEX_FOREVER);
	thread_mask = saved;
	mask_publish();
	act_on_unblocked(0);
	cancel_point();
	errno = EINTR;
	return -1;
}

/* Count us among the waiters for the signals of want (on 1), or no longer (on 0). */
static void wait_mark(sigset_t want, int on)
{
	pthread_mutex_lock(&wait_lock);
	for (int sig = 1; sig < NSIG; sig++) {
		if (!(want & SIG_BIT(sig)))
			continue;
		wait_count[sig] = (uint16_t)(wait_count[sig] + (on ? 1 : -1));
		if (wait_count[sig])
			__atomic_or_fetch(&waited, SIG_BIT(sig), __ATOMIC_SEQ_CST);
		else
			__atomic_and_fetch(&waited, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&wait_lock);
	if ((want & SIG_BIT(SIGCHLD)) && actions[SIGCHLD].sa_handler == SIG_DFL)
		sig_tell_server(); /* a sigwait for SIGCHLD: see chld_flags */
}

/* Take one kept signal of want, lowest first, this thread's own before the process's:
 * its number (and *own set if it was this thread's), or 0. */
static int take_kept(sigset_t want, int *own)
{
	uint64_t ready;
	*own = 1;
	take_mailbox(0, 0); /* what pthread_kill sent us is ours before its upcall comes */
	while ((ready = thread_kept & want) != 0) {
		int sig = __builtin_ctzl(ready);
		if (thread_take(sig))
			return sig;
	}
	*own = 0;
	while ((ready = taken_blocked & want) != 0) {
		int sig = __builtin_ctzl(ready);
		if (__atomic_fetch_and(&taken_blocked, ~SIG_BIT(sig), __ATOMIC_SEQ_CST) &
		    SIG_BIT(sig))
			return sig;
	}
	return 0;
}

/*
 * Wait until a signal of set is pending for us, take it and return it; 0 with *err =
 * EAGAIN at the deadline (a timebase tick count) or EINTR once a handler ran on this
 * thread. The signals come as any signal does (sig_upcall on some thread, which keeps
 * them for us as act_on says); we sleep on taken_seq in between.
 */
static int wait_signal(const sigset_t *set, siginfo_t *info, uint64_t deadline, int *err)
{
	sigset_t want = *set & ~UNBLOCKABLE & ~(sigset_t)1;
	uint32_t seen = handled;
	int sig = 0, own = 0;
	cancel_point(); /* sigwait, sigwaitinfo and sigtimedwait are cancellation points */
	sig_register();
	wait_mark(want, 1);
	waiting_here = want;
	for (;;) {
		uint32_t seq = __atomic_load_n(&taken_seq, __ATOMIC_SEQ_CST);
		if ((sig = take_kept(want, &own)) != 0)
			break;
		if (cancel_due()) { /* no longer a waiter, then act (below) */
			*err = EINTR;
			break;
		}
		if (handled != seen) {
			*err = EINTR;
			break;
		}
		if (futex_wait(&taken_seq, seq, deadline) == ETIMEDOUT &&
		    (sig = take_kept(want, &own)) == 0) {
			*err = EAGAIN;
			break;
		}
	}
	waiting_here = 0;
	wait_mark(want, 0);
	if (!sig)
		cancel_point();
	if (sig) {
		siginfo_t mine;
		fault_taken = own ? (struct taken_info){ 0, 0 } : kept_of(sig);
		info_fill(sig, own ? thread_sender(sig) : taken_sender[sig], info ? info : &mine);
		fault_taken.code = 0;
		if (!own)
			take_next_instances(SIG_BIT(sig), 0);
	}
	return sig;
}

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
		 const struct timespec *restrict timeout)
{
	uint64_t deadline = FUTEX_FOREVER;
	int err = 0;
	if (timeout) {
		if (timeout->tv_nsec < 0 || timeout->tv_nsec >= NS_PER_S || timeout->tv_sec < 0) {
			errno = EINVAL;
			return -1;
		}
		/* Saturating: a timeout of centuries waits for ever instead of wrapping short. */
		deadline = ticks_after(timebase_ticks(), span_ticks(timeout));
	}
	int sig = wait_signal(set, info, deadline, &err);
	if (!sig)
		errno = err;
	return sig ? sig : -1;
}

int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict info)
{
	return sigtimedwait(set, info, 0);
}

/* sigwait never fails with EINTR (POSIX): a handler that ran meanwhile does not end it. */
int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	int err = 0, got;
	while ((got = wait_signal(set, 0, FUTEX_FOREVER, &err)) == 0)
		;
	*sig = got;
	return 0;
}

int pause(void)
{
	sigset_t now = thread_mask;
	return sigsuspend(&now);
}

/*
 * pthread_kill: to ourselves, delivered here and now; to another thread of the process,
 * that thread is diverted to sig_upcall with the signal (the kernel's upcall on our own
 * task, by its thread id). The signal is not queued: a second one sent before the
 * first arrives on another hart replaces it.
 */
int pthread_kill(pthread_t t, int sig)
{
	if (sig < 0 || sig >= NSIG)
		return EINVAL;
	if (!t || (t != pthread_self() && t->done))
		return ESRCH;
	if (sig == 0)
		return 0;
	/* Job control stops or continues the whole process: the fork server must see it. */
	if ((is_stop_signal(sig) && actions[sig].sa_handler == SIG_DFL) || sig == SIGCONT)
		return kill(getpid(), sig) == 0 ? 0 : errno;
	sig_register();
	pid_t me = getpid();
	if (t == pthread_self()) {
		act_on_as(sig, me, 0, 1);
		return 0;
	}
	mailbox_post(t, sig);
	if (!pthread_started(t))
		return 0; /* it takes its mailbox as it starts */
	long err = SYSCALL(upcall, SLOT_SELF, (uintptr_t)sig_upcall, sig, me, t->kernel_id);
	/*
	 * The upcall only makes it look: the signal is in its mailbox already. A thread that
	 * saw it there first (sigpending, an unblock), took it and ended before the upcall
	 * came is gone by then (E_DEAD, or E_AGAIN while the process ends), and the signal
	 * was sent all the same.
	 */
	return err == 0 || err == E_DEAD || err == E_AGAIN ? 0 : ESRCH;
}

/*
 * sigqueue: kill with a value, to one process (the fork server keeps the value with the
 * pending signal: SI_QUEUE). Standard signals do not queue: a second one before the
 * first is taken is one signal, with the last value. To ourselves without threads, ours
 * before we return, as kill does.
 */
int sigqueue(pid_t pid, int sig, const union sigval value)
{
	uint64_t v = 0;
	memcpy(&v, &value, sizeof(value));
	struct ipc_msg m = { .tag = ipc_tag(PROC_KILL, 4, 0, 0),
			     .w = { (uint64_t)(int64_t)pid, (uint64_t)sig, PROC_KILL_QUEUE, v } };
	if (bad_signal(sig) && sig != 0) {
		errno = EINVAL;
		return -1;
	}
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	int64_t r = ipc_call(SLOT_PROC, &m) ? -EIO : (int64_t)m.w[0];
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	if (sig && pid == getpid() && !pthread_threaded)
		signals_take_now();
	return 0;
}

/*
 * abort (POSIX): SIGABRT, blocked or ignored or not; a handler for it runs, and if it
 * returns the process ends of SIGABRT all the same. picolibc's own raised SIGABRT and
 * then called _exit(1): blocked, ignored or caught, the process exited normally.
 */
void abort(void)
{
	sigset_t abrt = SIG_BIT(SIGABRT);
	pthread_sigmask(SIG_UNBLOCK, &abrt, 0);
	raise(SIGABRT);
	die_of(SIGABRT);
	for (;;)
		_exit(128 + SIGABRT);
}

/* POSIX: pthread_kill(pthread_self(), sig), so that a blocked one waits for this thread. */
int raise(int sig)
{
	int err = pthread_kill(pthread_self(), sig);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp <= 1) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgrp, sig);
}

void siglongjmp(sigjmp_buf b, int val)
{
	if (b->save_mask)
		pthread_sigmask(SIG_SETMASK, &b->mask, 0);
	longjmp(b->env, val ? val : 1);
}
