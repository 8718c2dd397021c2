/*
 * The fork server's part of signals (docs/signals.md): per process, the address where
 * its C library takes signals and the set of signals sent but not yet taken, with who
 * sent each. Posting a signal sets its bit and diverts a thread of the process to that
 * address with the kernel's upcall; the C library then takes the pending signals one by
 * one (PROC_SIGTAKE) and decides: handler, ignore, block, or its default action. A
 * process that never registered an address gets the default action from the server.
 */
#include "sigsrv.h"

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

/* sig from sender is pending now (a plain one: any sigqueue value is replaced). */
static void make_pending(struct sig_state *s, int sig, int64_t sender)
{
	s->pending |= 1UL << sig;
	s->queued &= ~(1UL << sig);
	s->sender[sig] = sender;
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
}

int sigsrv_exec_hold(unsigned idx, int64_t pid, int sig, int64_t sender)
{
	struct sig_state *s = state_of(idx, pid);
	uint64_t bit = 1UL << sig;
	if (s->entry || !((s->exec_blocked | s->exec_ignored) & bit))
		return 0;
	if (s->exec_blocked & bit) {
		s->fault_code[sig] = 0;
		make_pending(s, sig, sender);
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
}

int sigsrv_hold(unsigned idx, int64_t pid, int sig, int64_t sender)
{
	struct sig_state *s = state_of(idx, pid);
	if (!s->entry)
		return 0;
	s->fault_code[sig] = 0;
	make_pending(s, sig, sender);
	return 1;
}

int sigsrv_post(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t tid)
{
	struct sig_state *s = state_of(idx, pid);
	if (!s->entry || task < 0)
		return 0;
	if (sender != 0)
		s->fault_code[sig] = 0; /* sent, not a fault (only faults post with sender 0) */
	make_pending(s, sig, sender);
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

void sigsrv_note_fault(unsigned idx, int64_t pid, int sig, int code, uint64_t addr)
{
	struct sig_state *s = state_of(idx, pid);
	s->fault_code[sig] = (uint32_t)code;
	s->fault_addr[sig] = addr;
}

int sigsrv_post_value(unsigned idx, int64_t pid, long task, int sig, int64_t sender, uint64_t value)
{
	struct sig_state *s = state_of(idx, pid);
	if (!sigsrv_post(idx, pid, task, sig, sender, 0))
		return 0;
	s->queued |= 1UL << sig;
	s->value[sig] = value;
	return 1;
}

int sigsrv_take(unsigned idx, int64_t pid, int64_t *sender, uint64_t *rest, int *queued,
		uint64_t *value, uint64_t fault[2])
{
	struct sig_state *s = state_of(idx, pid);
	int sig = 0;
	*queued = 0;
	if (s->pending) {
		sig = __builtin_ctzl(s->pending);
		s->pending &= s->pending - 1;
		*sender = s->sender[sig];
		if (s->fault_code[sig]) { /* a fault's (sender 0), or SIGCHLD's own */
			fault[0] = s->fault_code[sig];
			fault[1] = s->fault_addr[sig];
		}
		s->fault_code[sig] = 0;
		*queued = (s->queued >> sig) & 1;
		*value = s->value[sig];
		s->queued &= ~(1UL << sig);
	}
	*rest = s->pending;
	return sig;
}

void sigsrv_untake(unsigned idx, int64_t pid, int sig, int queued, const uint64_t fault[2])
{
	struct sig_state *s = state_of(idx, pid);
	if (sig <= 0 || sig >= NSIG)
		return;
	s->pending |= 1UL << sig;
	s->queued |= (uint64_t)(queued != 0) << sig;
	s->fault_code[sig] = (uint32_t)fault[0];
	s->fault_addr[sig] = fault[1];
}
