/* The fork server's signal bookkeeping (sigsrv.c, docs/signals.md). */
#ifndef USER_SIGSRV_H
#define USER_SIGSRV_H

#include <stdint.h>

/* PROC_SIGENTRY's w1: what the C library does with SIGCHLD (forksrv keeps it per process). */
#define SIGSRV_CHLD_CATCH     1 /* a SIGCHLD handler: send SIGCHLD when a child ends */
#define SIGSRV_CHLD_IGNORE    2 /* SIG_IGN or SA_NOCLDWAIT: no zombies */
#define SIGSRV_CHLD_NOCLDSTOP 4 /* SA_NOCLDSTOP: no SIGCHLD when a child stops or continues */
#define SIGSRV_CHLD_ALL	      (SIGSRV_CHLD_CATCH | SIGSRV_CHLD_IGNORE | SIGSRV_CHLD_NOCLDSTOP)

/* Where process idx's C library takes signals (PROC_SIGENTRY), 0 for nowhere. */
void sigsrv_set_entry(unsigned idx, int64_t pid, uint64_t entry);
/* fork: the child (cidx, cpid) takes signals where its parent does, none pending (POSIX). */
void sigsrv_fork(unsigned pidx, int64_t ppid, unsigned cidx, int64_t cpid);
/* Has process idx (pid) registered where it takes signals? */
int sigsrv_takes_signals(unsigned idx, int64_t pid);
/* Forget process idx's entry (it exec'd); its pending signals stay for the new image,
 * as POSIX asks, but for those it ignores. Until the new image registers, blocked and
 * ignored (its old image's, from the exec request) decide what a signal sent to it does
 * (sigsrv_exec_hold). State is kept per pid: a process that ends needs no call, the
 * next one in its entry starts empty. */
void sigsrv_exec(unsigned idx, int64_t pid, uint64_t blocked, uint64_t ignored);
/*
 * sig from sender for process idx, which exec'd and has not registered yet: 1 if it is
 * held pending (the new image blocks it; PROC_SIGENTRY's answer hands it over) or
 * dropped (it ignores it); 0 if the caller applies the default action as usual.
 */
int sigsrv_exec_hold(unsigned idx, int64_t pid, int sig, int64_t sender);
/* The signals pending for process idx (PROC_SIGENTRY's answer: it takes them). */
uint64_t sigsrv_pending(unsigned idx, int64_t pid);
/*
 * Post sig from sender (0: the kernel, a fault) to process idx, whose task we hold in
 * task, diverting thread tid (0: its oldest): 1 if its C library takes it (pending now,
 * the thread diverted to its entry), 0 if the caller must apply the default action.
 */
int sigsrv_post(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t tid);
/*
 * A fault's si_code and si_addr for the sig about to be posted with sender 0 (the
 * kernel), or SIGCHLD's code and status just after it was posted: PROC_SIGTAKE hands
 * them over with the signal (a later post of sig with a sender clears them).
 */
void sigsrv_note_fault(unsigned idx, int64_t pid, int sig, int code, uint64_t addr);
/* Drop the signals of mask pending for process idx (SIGCONT drops the stop signals). */
void sigsrv_discard(unsigned idx, int64_t pid, uint64_t mask);
/* Make sig from sender pending for process idx without diverting a thread (it is
 * stopped): 1 if its C library takes signals, 0 if not (nothing done). */
int sigsrv_hold(unsigned idx, int64_t pid, int sig, int64_t sender);
/* The same as sigsrv_post for sigqueue: the signal carries value (SI_QUEUE), until a
 * plain one replaces it (standard signals do not queue; realtime ones do: sigsrv.c). */
int sigsrv_post_value(unsigned idx, int64_t pid, long task, int sig, int64_t sender,
		      uint64_t value);
/*
 * PROC_SIGTAKE: the lowest pending signal (0: none) but the realtime ones in skip (the C
 * library keeps an instance of each already), its sender, and what is left but those;
 * *queued = 1 and *value when sigqueue sent it; for a fault its si_code and si_addr in
 * fault[0] and fault[1] (both 0 otherwise). A realtime signal's next instance, if one
 * waits, is pending in its place.
 */
int sigsrv_take(unsigned idx, int64_t pid, uint64_t skip, int64_t *sender, uint64_t *rest,
		int *queued, uint64_t *value, uint64_t fault[2]);
/*
 * Give back a signal sigsrv_take handed out whose answer never arrived (the taker was
 * diverted meanwhile, and takes again): pending as it was, first of its kind, with
 * sender, queued, value and fault as sigsrv_take gave them.
 */
void sigsrv_untake(unsigned idx, int64_t pid, int sig, int64_t sender, int queued, uint64_t value,
		   const uint64_t fault[2]);
/* Would sigqueue of realtime signal sig to process idx find no room (EAGAIN)? */
int sigsrv_queue_full(unsigned idx, int64_t pid, int sig);

#endif
