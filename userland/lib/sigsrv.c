/*
 * The fork server's part of signals (docs/signals.md): per process, the address where
 * its C library takes signals and the set of signals sent but not yet taken, with who
 * sent each. Posting a signal sets its bit and diverts a thread of the process to that
 * address with the kernel's upcall; the C library then takes the pending signals one by
 * one (PROC_SIGTAKE) and decides: handler, ignore, block, or its default action. A
 * process that never registered an address gets the default action from the server.
 */
#include "sigsrv.h"

#include <limits.h>
#include <signal.h>

#include "proc.h"
#include "syscall.h"

/*
 * By table entry; valid only for the pid that set it, so a new process in a reused entry
 * starts with none, and exit and fork spend nothing on it.
 */
struct sig_state {
	int64_t owner; /* the pid that registered */
	uint64_t entry;
	uint64_t pending; /* bit n: signal n */
	/* After an exec, until the new image registers: the signals it blocks and ignores. */
	uint64_t exec_blocked, exec_ignored;
	uint64_t queued; /* bit n: signal n came from sigqueue, with value[n] */
	int64_t sender[NSIG];
	/* A fault's si_code and si_addr, by signal; the code is 0 for a signal sent. */
	uint32_t fault_code[NSIG];
	uint64_t fault_addr[NSIG];
	uint64_t value[NSIG];
};

static struct sig_state sigs[PROC_MAX];

/*
 * Realtime signals queue (POSIX): every instance sent is taken on its own, lowest signal
 * first and each signal's in the order sent. A pending realtime signal's first instance
 * is in sig_state as any signal's; the others wait here, per process, in sending order.
 * At most SIGQUEUE_MAX instances are pending at once (the first ones included): sigqueue
 * then fails with EAGAIN, and a kill of a realtime signal already pending is merged.
 */
#define RT_MASK (((1UL << (SIGRTMAX + 1)) - 1) & ~((1UL << SIGRTMIN) - 1))
struct rt_instance {
	int64_t sender;
	uint64_t value;
	uint8_t sig, queued;
};
struct rt_queue {
	int64_t owner; /* the pid whose instances these are */
	unsigned len;
	struct rt_instance q[SIGQUEUE_MAX];
};
static struct rt_queue rtqs[PROC_MAX];

static int is_rt(int sig)
{
	return sig >= SIGRTMIN && sig <= SIGRTMAX;
}

/* Process idx's waiting instances if pid owns them; emptied for pid otherwise. */
static struct rt_queue *rtq_of(unsigned idx, int64_t pid)
{
	struct rt_queue *r = &rtqs[idx];
	if (r->owner != pid) {
		r->owner = pid;
		r->len = 0;
	}
	return r;
}

/* Instances pending for s: one per pending realtime signal, and those waiting. */
static unsigned rt_count(const struct sig_state *s, const struct rt_queue *r)
{
	return (unsigned)__builtin_popcountl(s->pending & RT_MASK) + r->len;
}

/* Drop the waiting instances of the signals in mask. */
static void rtq_drop(struct rt_queue *r, uint64_t mask)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < r->len; i++)
		if (!(mask & (1UL << r->q[i].sig)))
			r->q[kept++] = r->q[i];
	r->len = kept;
}

/* Process idx's state if pid owns it; otherwise it is made empty for pid. */
static struct sig_state *state_of(unsigned idx, int64_t pid)
{
	struct sig_state *s = &sigs[idx];
	if (s->owner != pid) {
		s->owner = pid;
		s->entry = 0;
		s->pending = 0;
		s->exec_blocked = s->exec_ignored = 0;
	}
	return s;
}

/*
 * sig from sender is pending now, with sigqueue's value if queued (a plain one: any
 * sigqueue value is replaced). A realtime signal already pending gets another instance
 * instead, while there is room; 0 if there was none (the instance is merged).
 */
static int make_pending_value(unsigned idx, struct sig_state *s, int sig, int64_t sender,
			      int queued, uint64_t value)
{
	if (is_rt(sig) && (s->pending & (1UL << sig))) {
		struct rt_queue *r = rtq_of(idx, s->owner);
		if (rt_count(s, r) >= SIGQUEUE_MAX)
			return 0;
		r->q[r->len++] =
			(struct rt_instance){ sender, value, (uint8_t)sig, (uint8_t)queued };
		return 1;
	}
	s->pending |= 1UL << sig;
	s->queued = (s->queued & ~(1UL << sig)) | ((uint64_t)(queued != 0) << sig);
	s->sender[sig] = sender;
	s->value[sig] = value;
	return 1;
}

static void make_pending(unsigned idx, struct sig_state *s, int sig, int64_t sender)
{
	make_pending_value(idx, s, sig, sender, 0, 0);
}

/* The next waiting instance of realtime signal sig, if any, becomes its pending one. */
static void rt_next(unsigned idx, struct sig_state *s, int sig)
{
	struct rt_queue *r = rtq_of(idx, s->owner);
	for (unsigned i = 0; i < r->len; i++) {
		if (r->q[i].sig != sig)
			continue;
		struct rt_instance in = r->q[i];
		for (unsigned j = i + 1; j < r->len; j++)
			r->q[j - 1] = r->q[j];
		r->len--;
		make_pending_value(idx, s, sig, in.sender, in.queued, in.value);
		return;
	}
}

void sigsrv_set_entry(unsigned idx, int64_t pid, uint64_t entry)
{
	struct sig_state *s = state_of(idx, pid);
	s->entry = entry;
	s->exec_blocked = s->exec_ignored = 0; /* its C library decides from now on */
}

void sigsrv_fork(unsigned pidx, int64_t ppid, unsigned cidx, int64_t cpid)
{
	uint64_t entry = state_of(pidx, ppid)->entry;
	if (entry)
		state_of(cidx, cpid)->entry = entry;
}

int sigsrv_takes_signals(unsigned idx, int64_t pid)
{
	return state_of(idx, pid)->entry != 0;
}

void sigsrv_exec(unsigned idx, int64_t pid, uint64_t blocked, uint64_t ignored)
{
	struct sig_state *s = state_of(idx, pid);
	/* SIGKILL and SIGSTOP can be neither blocked nor ignored, whatever the request says. */
	uint64_t may = ((1UL << NSIG) - 1) & ~(1UL << SIGKILL | 1UL << SIGSTOP | 1UL);
	s->entry = 0;
	s->exec_blocked = blocked & may;
	s->exec_ignored = ignored & may & ~s->exec_blocked;
	s->pending &= ~s->exec_ignored; /* POSIX: setting SIG_IGN discards a pending one */
	rtq_drop(rtq_of(idx, pid), s->exec_ignored);
}

int sigsrv_exec_hold(unsigned idx, int64_t pid, int sig, int64_t sender)
{
	struct sig_state *s = state_of(idx, pid);
	uint64_t bit = 1UL << sig;
	if (s->entry || !((s->exec_blocked | s->exec_ignored) & bit))
		return 0;
	if (s->exec_blocked & bit) {
		s->fault_code[sig] = 0;
		make_pending(idx, s, sig, sender);
	}
	return 1;
}

uint64_t sigsrv_pending(unsigned idx, int64_t pid)
{
	return state_of(idx, pid)->pending;
}

void sigsrv_discard(unsigned idx, int64_t pid, uint64_t mask)
{
	struct sig_state *s = state_of(idx, pid);
	s->pending &= ~mask;
	s->queued &= ~mask;
	if (mask & RT_MASK)
		rtq_drop(rtq_of(idx, pid), mask);
}

int sigsrv_hold(unsigned idx, int64_t pid, int sig, int64_t sender)
{
	struct sig_state *s = state_of(idx, pid);
	if (!s->entry)
		return 0;
	s->fault_code[sig] = 0;
	make_pending(idx, s, sig, sender);
	return 1;
}

/* sigsrv_post, with sigqueue's value if queued. */
static int post(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t tid,
		int queued, uint64_t value)
{
	struct sig_state *s = state_of(idx, pid);
	if (!s->entry || task < 0)
		return 0;
	if (sender != 0)
		s->fault_code[sig] = 0; /* sent, not a fault (only faults post with sender 0) */
	int behind = is_rt(sig) && (s->pending & (1UL << sig));
	/* Merged, or queued behind a pending instance: that one's diversion is on its way,
	 * or the C library holds back this signal until it has taken the one it keeps. */
	if (!make_pending_value(idx, s, sig, sender, queued, value) || behind)
		return 1;
	/* Its last thread is in its exit (E_AGAIN): the process has ended as far as POSIX
	 * goes, and its exit status stands; the signal stays pending until it is gone. */
	long err = SYSCALL(upcall, task, s->entry, 0, 0, tid);
	if (err == E_AGAIN)
		return 1;
	/* No thread can take it (all stopped), or no room on its stack: the default then. */
	if (err != 0) {
		s->pending &= ~(1UL << sig);
		return 0;
	}
	return 1;
}

int sigsrv_post(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t tid)
{
	return post(idx, pid, task, sig, sender, tid, 0, 0);
}

void sigsrv_note_fault(unsigned idx, int64_t pid, int sig, int code, uint64_t addr)
{
	struct sig_state *s = state_of(idx, pid);
	s->fault_code[sig] = (uint32_t)code;
	s->fault_addr[sig] = addr;
}

int sigsrv_post_value(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t value)
{
	return post(idx, pid, task, sig, sender, 0, 1, value);
}

int sigsrv_queue_full(unsigned idx, int64_t pid, int sig)
{
	struct sig_state *s = state_of(idx, pid);
	return is_rt(sig) && s->entry && (s->pending & (1UL << sig)) &&
	       rt_count(s, rtq_of(idx, pid)) >= SIGQUEUE_MAX;
}

int sigsrv_take(unsigned idx, int64_t pid, uint64_t skip, int64_t *sender, uint64_t *rest,
		int *queued, uint64_t *value, uint64_t fault[2])
{
	struct sig_state *s = state_of(idx, pid);
	uint64_t offer = s->pending & ~(skip & RT_MASK);
	int sig = 0;
	*queued = 0;
	if (offer) {
		sig = __builtin_ctzl(offer);
		s->pending &= ~(1UL << sig);
		*sender = s->sender[sig];
		if (s->fault_code[sig]) { /* a fault's (sender 0), or SIGCHLD's own */
			fault[0] = s->fault_code[sig];
			fault[1] = s->fault_addr[sig];
		}
		s->fault_code[sig] = 0;
		*queued = (s->queued >> sig) & 1;
		*value = s->value[sig];
		s->queued &= ~(1UL << sig);
		if (is_rt(sig))
			rt_next(idx, s, sig);
	}
	*rest = s->pending & ~(skip & RT_MASK);
	return sig;
}

void sigsrv_untake(unsigned idx, int64_t pid, int sig, int64_t sender, int queued, uint64_t value,
		   const uint64_t fault[2])
{
	struct sig_state *s = state_of(idx, pid);
	if (sig <= 0 || sig >= NSIG)
		return;
	if (is_rt(sig) && (s->pending & (1UL << sig))) {
		/* its next instance moved up: back behind this one, at the queue's head */
		struct rt_queue *r = rtq_of(idx, pid);
		if (r->len < SIGQUEUE_MAX) {
			for (unsigned j = r->len; j > 0; j--)
				r->q[j] = r->q[j - 1];
			r->q[0] = (struct rt_instance){ s->sender[sig], s->value[sig], (uint8_t)sig,
							(uint8_t)((s->queued >> sig) & 1) };
			r->len++;
		}
	}
	s->pending |= 1UL << sig;
	s->sender[sig] = sender;
	s->value[sig] = value;
	s->queued = (s->queued & ~(1UL << sig)) | ((uint64_t)(queued != 0) << sig);
	s->fault_code[sig] = (uint32_t)fault[0];
	s->fault_addr[sig] = fault[1];
}
