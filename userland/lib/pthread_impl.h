/* What the pthread files share: the thread record and the C library's own locks. */
#ifndef USER_PTHREAD_IMPL_H
#define USER_PTHREAD_IMPL_H

#include <pthread.h>
#include <stdint.h>

struct pthread {
	char *tls; /* first: the entry stub loads tp from here */
	void *(*fn)(void *);
	void *arg;
	void *ret;
	char *mem; /* stack, then the thread-local block: one mapping */
	size_t mem_len;
	volatile uint32_t done; /* set by the thread's last instructions; joiners wait on it */
	int detached;		/* under threads_lock */
	int exiting;		/* under threads_lock: past its last use of the lock */
	int cancel_state, cancel_type;	    /* this thread's own, read by its upcall handler */
	volatile uint32_t cancel_pending;   /* set by pthread_cancel, never cleared */
	volatile uint32_t cancel_ack;	    /* the handler's answer to pthread_cancel */
	volatile uint32_t in_cancel_upcall; /* inside cancel_upcall: not to be diverted again */
	volatile uint32_t started;	    /* its gp and tp are set: it may be diverted */
	/* pthread_kill's mailbox (signal.c): signals sent to this thread not yet acted on, and
	 * a realtime signal's instances, 8 bits each. The upcall that follows only
	 * says to look: the kernel keeps one pending upcall a thread, so a later one may
	 * replace it, and what it carried must not be lost with it. */
	volatile uint64_t mailbox;
	volatile uint64_t mailbox_rt[2];
	long kernel_id; /* thread_create's id: pthread_kill diverts this thread (0: the first) */
	struct pthread *reap_next;
	/* Its creator's signal mask, which it starts with (POSIX); then its own mask as
	 * signal.c sets it, read by other threads looking for one to take a signal. */
	volatile uint64_t sigmask;
	struct pthread *live_next;    /* the live threads' list, under threads_lock */
	pthread_mutex_t *robust_held; /* robust mutexes it holds, linked by robust_next */
};

/*
 * Call fn(t, arg) for every live thread t but the caller that has started (it may be
 * diverted): 0, or -1 if the thread list is busy (a thread being made or ending) and
 * nothing was called. Safe from a signal handler: it never waits for the lock.
 */
int pthread_each_other(void (*fn)(struct pthread *t, void *arg), void *arg);

extern __thread struct pthread *pthread_cur;

/* The calling thread, cheaply: the first thread's record is made on first use. */
static inline pthread_t pthread_self_fast(void)
{
	struct pthread *t = pthread_cur;
	return t ? t : pthread_self();
}

/* Set by the first pthread_create: from then on fork takes the C library's lock. */
extern int pthread_threaded;
/* pthread_atfork handlers registered: fork must run them. */
extern unsigned pthread_atfork_count;

/* Set once the process takes signals (signal.c): a forked child registers again. */
extern int signals_registered;
void signals_fork_begin(void);
void signals_fork_end(int child);
/*
 * This thread's count of handlers run (signal.c): a wait that must end with EINTR when a
 * handler runs (poll, select) sleeps on it with futex_wait and compares.
 */
volatile uint32_t *signals_handled_word(void);
/* pthread_exit's first step: the cleanup handlers still pushed (pthread_cleanup.c). */
void pthread_cleanup_run(void);
/* pthread_exit's last: each robust mutex t still holds is marked its owner's death. */
void pthread_robust_exit(struct pthread *t);
/*
 * exec's hand-over of the signal mask, ignored and pending signals (signal.c), built in
 * env, or 0 if there are none; *blocked and *ignored get the calling thread's mask and
 * the signals set to SIG_IGN, which exec also tells the fork server: it holds or drops
 * what comes for them until the new image takes signals (docs/signals.md).
 */
#define SIG_EXEC_ENV	 "MUKERNEL_SIGS="
#define SIG_EXEC_ENV_MAX (sizeof(SIG_EXEC_ENV) + 3 * 17)
const char *signals_exec_env(char *env, size_t size, uint64_t *blocked, uint64_t *ignored);
/* A thread's thread-local block made from the program's image (libc_glue.c); zeroed:
 * the memory is known to be zero already (fresh anonymous pages). */
void tls_block_init(char *tls, int zeroed);
/* A new thread's block (its thread pointer tls) takes this thread's affinity record, as
 * the kernel gives the thread this one's pin (affinity.c, thread_create). */
void affinity_inherit(char *tls);
/* Threads of threads.h running now (threads.c): pthread_exit's last-thread test. */
extern volatile int uthreads_live;
/* The calling thread's signal mask, and a new thread's first act: set it. */
uint64_t signals_thread_mask(void);
void signals_thread_start(uint64_t mask);
/* kill(): a signal to ourselves is delivered at once, on this thread (1 if so; -1: it is
 * ours, but goes through the server and is taken when it answers). */
int signals_kill_self(pid_t pid, int sig);
/* A POSIX timer (itimer.c) is about to send sig: its handler gets SI_TIMER and value. */
void signals_note_timer(int sig, union sigval value);
/* After a kill of a group we may be in: act on what the server holds for us now. */
void signals_take_now(void);
/* pthread_create of a thread of the library's own, which blocks every signal (pthread.c). */
int pthread_create_quiet(pthread_t *out, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
/* Does this thread block sig (in a process that takes signals)? */
int signals_blocked_here(int sig);
/* A pipe write found no reader (pipe.c): SIGPIPE to this thread, before EPIPE. */
void signals_pipe_broken(void);

/*
 * Cancellation points (pthread_cancel.c) call cancel_point on entry, after each wait
 * they loop on, and last, once their own state is put right (a condition wait has its
 * mutex again). It acts on a pending cancel when cancellation is enabled: the thread
 * exits with PTHREAD_CANCELED. pthread_cancel cuts the target's blocking wait short so
 * that it gets there.
 */
extern volatile uint32_t cancel_requested; /* set by the process's first pthread_cancel */
void cancel_point_slow(void);
/* Would cancel_point act now? For a wait that must tidy up before it does. */
static inline int cancel_due(void)
{
	return __builtin_expect(cancel_requested, 0) && pthread_cur &&
	       pthread_cur->cancel_pending && pthread_cur->cancel_state == PTHREAD_CANCEL_ENABLE;
}
static inline void cancel_point(void)
{
	if (__builtin_expect(cancel_requested, 0)) /* one load, for processes that never cancel */
		cancel_point_slow();
}

/*
 * Has t started (its gp and tp set: it can run a handler)? One that has not takes its
 * mailbox as it starts (signals_take_mailbox).
 */
int pthread_started(struct pthread *t);
/* The calling thread's mailbox: what pthread_kill sent it, acted on now (signal.c). */
void signals_take_mailbox(void);

/* fork (process.c): pthread_atfork handlers and the C library's locks around it. */
void pthread_fork_prepare(void);
void pthread_fork_after(int in_child);

enum { FORK_PHASE_PREPARE, FORK_PHASE_PARENT, FORK_PHASE_CHILD };
/* picolibc's own lock (malloc, environment, ...) is held across fork (libc_lock.c). */
void libc_lock_fork(int phase);
/* So is the list of streams exit flushes (streams.c), taken before that one. */
void streams_fork(int phase);

#endif
