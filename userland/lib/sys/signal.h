/*
 * POSIX signals for this system (userland/lib/signal.c, docs/signals.md). It stands in
 * for picolibc's <sys/signal.h>, whose configuration lacks sa_sigaction, siginfo_t's
 * si_pid and the SA_ flags; <signal.h> (picolibc's) includes it and adds SIG_DFL,
 * SIG_IGN, SIG_ERR, signal and raise. The numbers are picolibc's, so code built against
 * either header agrees.
 */
#ifndef _SYS_SIGNAL_H
#define _SYS_SIGNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <sys/cdefs.h>
#include <sys/features.h>
#include <sys/types.h>

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif

#define SIGHUP	  1
#define SIGINT	  2
#define SIGQUIT	  3
#define SIGILL	  4
#define SIGTRAP	  5
#define SIGIOT	  6
#define SIGABRT	  6
#define SIGEMT	  7
#define SIGFPE	  8
#define SIGKILL	  9
#define SIGBUS	  10
#define SIGSEGV	  11
#define SIGSYS	  12
#define SIGPIPE	  13
#define SIGALRM	  14
#define SIGTERM	  15
#define SIGURG	  16
#define SIGSTOP	  17
#define SIGTSTP	  18
#define SIGCONT	  19
#define SIGCHLD	  20
#define SIGCLD	  20
#define SIGTTIN	  21
#define SIGTTOU	  22
#define SIGIO	  23
#define SIGPOLL	  SIGIO
#define SIGXCPU	  24
#define SIGXFSZ	  25
#define SIGVTALRM 26
#define SIGPROF	  27
#define SIGWINCH  28
#define SIGLOST	  29
#define SIGUSR1	  30
#define SIGUSR2	  31
/*
 * The realtime signals (POSIX): SIGRTMIN to SIGRTMAX, with no meaning of their own;
 * their default action ends the process. docs/signals.md, "Realtime signals".
 */
#define SIGRTMIN  32
#define SIGRTMAX  47
#define NSIG	  48 /* signal 0 is not a signal */

union sigval {
	int sival_int;
	void *sival_ptr;
};

struct sigevent {
	int sigev_notify;
	int sigev_signo;
	union sigval sigev_value;
	void (*sigev_notify_function)(union sigval); /* SIGEV_THREAD */
	void *sigev_notify_attributes;		     /* SIGEV_THREAD: ignored, the defaults */
};
#define SIGEV_NONE   1
#define SIGEV_SIGNAL 2
#define SIGEV_THREAD 3

typedef struct {
	int si_signo;
	int si_code;
	int si_errno;
	pid_t si_pid; /* the sender (kill, raise) */
	uid_t si_uid; /* always 0 */
	void *si_addr;
	int si_status;
	union sigval si_value;
} siginfo_t;

/* POSIX: psignal's message for info's signal (signame.c). */
void psiginfo(const siginfo_t *info, const char *message);

#define SI_USER	   1 /* kill, raise, killpg, pthread_kill */
#define SI_QUEUE   2
#define SI_TIMER   3
#define SI_ASYNCIO 4
#define SI_MESGQ   5

/*
 * si_code for a signal the hardware raised (a fault: si_pid is 0, si_addr is set). They
 * start above the SI_ values so that no fault's code reads as SI_USER.
 */
#define ILL_ILLOPC    16 /* illegal opcode (also floating point: FP is off for user mode) */
#define ILL_ILLOPN    17
#define ILL_ILLADR    18
#define ILL_ILLTRP    19
#define ILL_PRVOPC    20
#define ILL_PRVREG    21
#define ILL_COPROC    22
#define ILL_BADSTK    23
#define FPE_INTDIV    16
#define FPE_INTOVF    17
#define FPE_FLTDIV    18
#define FPE_FLTOVF    19
#define FPE_FLTUND    20
#define FPE_FLTRES    21
#define FPE_FLTINV    22
#define FPE_FLTSUB    23
#define SEGV_MAPERR   16 /* nothing is mapped at si_addr */
#define SEGV_ACCERR   17 /* mapped, but its protection forbids the access */
#define BUS_ADRALN    16 /* a misaligned access */
#define BUS_ADRERR    17 /* a page its memory object no longer holds (a truncated file) */
#define BUS_OBJERR    18
#define TRAP_BRKPT    16 /* ebreak */
#define TRAP_TRACE    17
#define CLD_EXITED    16
#define CLD_KILLED    17
#define CLD_DUMPED    18
#define CLD_TRAPPED   19
#define CLD_STOPPED   20
#define CLD_CONTINUED 21

typedef void (*_sig_func_ptr)(int);

struct sigaction {
	union {
		_sig_func_ptr _handler;
		void (*_sigaction)(int, siginfo_t *, void *);
	} _signal_handlers;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler   _signal_handlers._handler
#define sa_sigaction _signal_handlers._sigaction

#define SA_NOCLDSTOP 0x1
#define SA_SIGINFO   0x2
#define SA_ONSTACK   0x4 /* run on the sigaltstack stack */
#define SA_RESTART   0x8
#define SA_NODEFER   0x10
#define SA_RESETHAND 0x20
#define SA_NOCLDWAIT 0x40

/* The C library's signal entry runs on the alternate stack too (the upcall frame alone
 * is 272 bytes): a smaller one is ENOMEM. */
#define MINSIGSTKSZ 4096
#define SIGSTKSZ    16384
#define SS_ONSTACK  0x1
#define SS_DISABLE  0x2
typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SIG_SETMASK 0
#define SIG_BLOCK   1
#define SIG_UNBLOCK 2

int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigfillset(sigset_t *set);
int sigemptyset(sigset_t *set);
int sigpending(sigset_t *set);
int sigaltstack(const stack_t *__restrict ss, stack_t *__restrict old);
int sigsuspend(const sigset_t *mask);
int sigqueue(pid_t pid, int sig, const union sigval value);
/* POSIX.1-2024: a signal's name without "SIG" (signame.c), and back (a number also). */
#define SIG2STR_MAX 16
int sig2str(int sig, char *str);
int str2sig(const char *restrict str, int *restrict sig);
struct timespec;
int sigwait(const sigset_t *__restrict set, int *__restrict sig);
int sigwaitinfo(const sigset_t *__restrict set, siginfo_t *__restrict info);
int sigtimedwait(const sigset_t *__restrict set, siginfo_t *__restrict info,
		 const struct timespec *__restrict timeout);
struct pthread;
int pthread_kill(struct pthread *t, int sig);

#ifndef _SIGNAL_H_
#include <signal.h>
#endif

#endif
