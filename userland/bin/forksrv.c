/*
 * The fork server: fork, exit, wait and the process table, in user space.
 *
 * It is the supervisor of every process: the kernel reports each exit and fault to it as
 * a message badged with the process's table entry. Processes ask it for fork, wait, getpid,
 * spawn, exec and kill through the badged capability in their SLOT_PROC. Spawn and
 * exec create the task here and have the loader server load it (spawn.c). docs/process.md
 * has the protocol and the life cycle.
 *
 * With several harts it receives on one thread per hart, each pinned to its hart, and
 * the kernel gives a message to a receiver on the sender's hart first: a
 * client is served where it runs, and clients on different harts do not queue behind
 * one thread. The threads share the table (and everything else here but the request
 * they are serving) under one lock, taken around each request.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fd.h"
#include "kernel/abi/fault.h"
#include "fs.h"
#include "futex.h"
#include "load.h"
#include "loader.h"
#include "pipe.h"
#include "proc.h"
#include "sigsrv.h"
#include "taskspawn.h"
#include "syscall.h"
#include "threads.h"
#include "timesrv.h"

/* We are the server the C library would tell where it takes signals (signal.c). */
const int signals_register_at_start = 0;

#define WAITERS	  8		      /* threads of one process that may block in wait() at once */
#define ALARM_OFF 0		      /* a process's alarm_at when it has no alarm */
#define ALARM_FAR (FUTEX_FOREVER - 1) /* an alarm too far off to come */

struct proc {
	int state;    /* enum proc_state */
	int32_t pgid; /* process group, inherited at fork and spawn (in padding: no bigger) */
	int64_t pid, ppid;
	int status;  /* wait() status once a zombie */
	int32_t sid; /* session, inherited likewise */
	long task;   /* our slot for its task, -1 for init */
	/* Threads blocked in wait(): their saved replies (0: none) and what each waits for. */
	long wait_reply[WAITERS];
	int64_t wait_pid[WAITERS];
	int nwaits;	     /* how many wait_reply are set: 0 skips a scan */
	uint16_t orphan;     /* its parent died: init adopted it */
	uint16_t sig_chld;   /* SIGSRV_CHLD_*: what its C library does with SIGCHLD */
	unsigned caps;	     /* enum proc_caps: what exec must give the new image */
	uint8_t wait_keep;   /* bit w: waiter w asked WNOWAIT (waitid): it leaves the zombie */
	uint8_t wait_stops;  /* bit w: waiter w asked WUNTRACED: a child's stop answers it */
	uint8_t wait_conts;  /* bit w: waiter w asked WCONTINUED: a child's continue does */
	uint8_t wait_noexit; /* bit w: waiter w did not ask WEXITED (waitid): no zombie for it */
	uint8_t job;	     /* enum job_state */
	uint8_t report;	     /* enum job_report: a stop or continue no wait has taken yet */
	uint8_t stopsig;     /* the signal that stopped it (report JOB_REPORT_STOPPED) */
	uint8_t execed; /* runs an image of its own (exec, spawn): setpgid by its parent fails */
	/* While PS_FORKING (do_fork), when task is the parent's task slot the kernel's fork
	 * reads: whether a request waits for the entry (wait_forked), and how to give back
	 * that slot if its process ended meanwhile (task_slot_release: SLOT_BACK_*, or 0). */
	uint8_t fork_waiters, fork_slot_left;
	long stop_reply;      /* the reply of its thread parked in PROC_STOP while stopped, or 0 */
	uint64_t run_ticks;   /* once a zombie: its run time (timebase ticks) */
	uint64_t child_ticks; /* its children's and their descendants' it has waited for */
	/* Its interval timers (enum proc_timer): when each goes off next (ALARM_OFF: never),
	 * ITIMER_REAL's in timebase ticks, the CPU-time ones in its run time's ticks, and the
	 * ticks between the ones after it (0: one shot). */
	uint64_t timer_at[PROC_TIMERS];
	uint64_t timer_every[PROC_TIMERS];
	uint16_t gen;	/* the generation its badge carries (badge_of) */
	uint32_t badge; /* its badge while it is not free, 0 when free (by_badge) */
};

/*
 * The server's own state beside enum proc_state (never listed): an entry a server thread
 * is forking, with the table lock let go while the kernel clones the parent (do_fork). It
 * is nobody's to see until then (visible): not found by pid, not a child to wait for or
 * reparent, not a target of a signal; a request of its own (the child, running already)
 * waits for it (wait_forked).
 */
#define PS_FORKING 3

/* How a task slot goes back (task_slot_release): to the spares (emptied) or freed. */
enum { SLOT_BACK_SPARE = 1, SLOT_BACK_FREE = 2 };

/*
 * Job control (docs/signals.md, "Stopping and continuing"). A stop signal posted makes a
 * process JOB_STOPPING; its C library, acting on the signal, asks PROC_STOP, and only
 * then (unless a SIGCONT came in between) is it JOB_STOPPED, its thread parked in that
 * request until SIGCONT or SIGKILL. What its parent's wait reports is kept apart (report).
 */
enum job_state { JOB_RUNNING = 0, JOB_STOPPING, JOB_STOPPED };
enum job_report { JOB_REPORT_NONE = 0, JOB_REPORT_STOPPED, JOB_REPORT_CONTINUED };
#define WAIT_KNOWN	    (WNOHANG | WUNTRACED | WCONTINUED | WEXITED | WNOWAIT)
#define STATUS_STOPPED(sig) (((sig) << 8) | 0x7f) /* what WIFSTOPPED and WSTOPSIG read */
#define STATUS_CONTINUED    0xffff		  /* what WIFCONTINUED reads */
#define STOP_SIGNALS	    ((1UL << SIGSTOP) | (1UL << SIGTSTP) | (1UL << SIGTTIN) | (1UL << SIGTTOU))

/* The boot capabilities a process holds besides SLOT_PROC: exec gives them again. */
enum proc_caps { HAS_ARCHIVE = 1, HAS_CONSOLE = 2, HAS_MACHINE = 4, HAS_DEVCTL = 8 };

static struct proc procs[PROC_MAX];
static int32_t console_fg = PID_INIT; /* the console's foreground process group */
static int procs_top = 1; /* entries from here up are free (scans stop here); 0 is init */
static int64_t next_pid = PID_INIT + 1;
/*
 * Each server thread's own: the buffer, the reply to its current request (sent with its
 * next receive), and where an exec request's file (a memory object) arrives. The buffer
 * is declared first: GCC lays them out in reverse, and the others then sit within
 * reach of one instruction from tp.
 */
static __thread char spawn_buf[IPC_BUF_MAX];
static __thread struct ipc_msg answer;
static __thread int answering;
static __thread long exec_obj;

/*
 * The lock over everything the server threads share: the table, the spare slots, the
 * slot allocator, the signal, file-holder and clock state. Taken only once a second
 * thread exists (threaded), so one hart pays nothing for it. A futex word lock (futex.h)
 * rather than a pthread mutex: an uncontended take and give are one atomic instruction
 * each, inline; the mutex's calls cost about 100 instructions a fork+exit+wait with
 * several harts.
 */
static volatile uint32_t table_word;
static int threaded;
static void table_enter(void);
static void table_leave(void);
static void table_wait(void);

static inline void table_take(void)
{
	if (!futex_lock_try(&table_word))
		table_wait();
}

static inline void table_give(void)
{
	if (futex_lock_give(&table_word))
		futex_wake(&table_word, 1);
}

/*
 * A process's badge is its table index + 1, with the entry's generation above
 * PROC_BADGE_INDEX_BITS (proc.h): the lookup on every request is one step. The
 * generation is new for every process an entry holds and at every exec, so a request
 * that waited for the table lock while its sender died (or exec'd) and the entry was
 * reused is stale, never another process's (init's badge, PID_INIT, is entry 0 at
 * generation 0).
 */
_Static_assert(PROC_MAX < PROC_BADGE_INDEX_MASK, "an index fits below the generation");

static uint32_t badge_at(const struct proc *p, uint16_t gen)
{
	return ((uint32_t)(p - procs) + 1) | (uint32_t)gen << PROC_BADGE_INDEX_BITS;
}

static uint64_t badge_of(const struct proc *p)
{
	return p->badge;
}

/* A free entry's badge is 0, which no request carries: one test for both. */
static struct proc *by_badge(uint64_t badge)
{
	uint64_t index = (badge & PROC_BADGE_INDEX_MASK) - 1;
	if (index >= PROC_MAX || procs[index].badge != badge)
		return 0;
	return &procs[index];
}

/* A process anyone may see: not free, and not being forked (PS_FORKING). */
static inline int visible(const struct proc *q)
{
	return q->state == PS_RUNNING || q->state == PS_ZOMBIE;
}

static struct proc *find(int64_t pid)
{
	for (int i = 0; i < procs_top; i++)
		if (procs[i].pid == pid && visible(&procs[i]))
			return &procs[i];
	return 0;
}

/* Field by field: a free entry has no waiters left, and a struct copy costs a memset. */
static struct proc *proc_new(const struct proc *parent)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];
		if (p->state != PS_FREE)
			continue;
		p->state = PS_RUNNING;
		p->badge = badge_at(p, ++p->gen); /* the last process's requests are stale */
		p->pid = next_pid++;
		p->ppid = parent->pid;
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		p->status = 0;
		p->task = -1;
		p->orphan = 0;
		p->sig_chld = 0;
		p->caps = 0;
		p->job = JOB_RUNNING;
		p->report = JOB_REPORT_NONE;
		p->stop_reply = 0;
		p->child_ticks = 0;
		p->execed = 0;
		/* POSIX: a child has no alarm or interval timer; exec keeps them */
		p->timer_at[PROC_TIMER_REAL] = p->timer_at[PROC_TIMER_VIRTUAL] =
			p->timer_at[PROC_TIMER_PROF] = ALARM_OFF;
		if (i >= procs_top)
			procs_top = i + 1;
		return p;
	}
	return 0;
}

/* Answer the current request: the answer goes out with our next receive (reply_recv). */
static void reply(int64_t w0, uint64_t w1)
{
	answer.tag = ipc_tag(0, 2, 0, 0);
	answer.w[0] = (uint64_t)w0;
	answer.w[1] = w1;
	answering = 1;
}

/*
 * Slots we know are empty but keep: a reply capability is one shot (a send that
 * succeeds empties its slot), and task_kill empties the slot of the task it kills. They
 * come back here and are used again without a cap_delete each.
 */
#define SPARE_SLOTS 8
static long spare_slots[SPARE_SLOTS];
static int nspare;

static long spare_get(void)
{
	return nspare ? spare_slots[--nspare] : slot_alloc();
}

static void spare_put(long slot)
{
	if (slot >= 0 && nspare < SPARE_SLOTS)
		spare_slots[nspare++] = slot;
	else
		slot_free(slot);
}

/* Forks whose kernel call is in flight without the table lock (do_fork): 0 skips a scan. */
static int forks_in_flight;

/*
 * A process's task slot goes back (how: SLOT_BACK_*) once its task is killed: unless a
 * fork of that process is in the kernel without the table lock, still naming the slot
 * (its entry's task while PS_FORKING), since a new task in it would be forked instead. Then that fork gives it
 * back when it returns (fork_settle_slot).
 */
static __attribute__((noinline)) struct proc *fork_naming(long slot)
{
	for (int i = 0; i < procs_top; i++)
		if (procs[i].state == PS_FORKING && procs[i].task == slot)
			return &procs[i];
	return 0;
}

static inline void task_slot_release(long slot, int how)
{
	struct proc *f = forks_in_flight ? fork_naming(slot) : 0;
	if (f)
		f->fork_slot_left = (uint8_t)how;
	else if (how == SLOT_BACK_SPARE)
		spare_put(slot);
	else
		slot_free(slot);
}

/* Answer through a saved reply capability. */
/* 0 if the answer reached its caller; E_DEAD if the caller stopped waiting (a signal). */
static int reply_saved(long slot, int64_t w0, uint64_t w1)
{
	static struct ipc_msg m; /* static: a struct initialiser here costs a memset */
	m.tag = ipc_tag(0, 2, 0, 0);
	m.w[0] = (uint64_t)w0;
	m.w[1] = w1;
	int err = (int)ipc_send(slot, &m);
	if (err == 0)
		spare_put(slot);
	else
		slot_free(slot);
	return err;
}

/* Is child one that parent's wait for want (waitpid's pid argument) is about? */
static int matches(const struct proc *child, const struct proc *parent, int64_t want)
{
	if (child->ppid != parent->pid || !visible(child))
		return 0;
	if (want > 0)
		return child->pid == want;
	/* -1: any; 0: any in the parent's process group; below -1: any in group -want. */
	return want == -1 || child->pgid == (want == 0 ? parent->pgid : -want);
}

/* POSIX's RUSAGE_CHILDREN: parent waited for child z, which is reaped now. */
static void count_child_time(struct proc *parent, const struct proc *z)
{
	parent->child_ticks += z->run_ticks + z->child_ticks;
}

static void reap(struct proc *p)
{
	p->state = PS_FREE;
	p->badge = 0;
	while (procs_top > 0 && procs[procs_top - 1].state == PS_FREE)
		procs_top--;
}

static void signal_proc(struct proc *t, int sig, int64_t sender);

static int has_child(const struct proc *parent, int64_t want)
{
	for (int i = 0; i < procs_top; i++)
		if (matches(&procs[i], parent, want))
			return 1;
	return 0;
}

/*
 * After a reap: parent's blocked waiters left with no child to wait for get ECHILD.
 * Out of line, and only called when parent has a wait parked: fork+exit+wait has none.
 */
__attribute__((noinline)) static void fail_hopeless_waiters(struct proc *parent)
{
	for (int w = 0; w < WAITERS; w++) {
		if (!parent->wait_reply[w] || has_child(parent, parent->wait_pid[w]))
			continue;
		reply_saved(parent->wait_reply[w], -ECHILD, 0);
		parent->wait_reply[w] = 0;
		parent->nwaits--;
	}
}

/* A parent that ignores SIGCHLD keeps no zombies: waits for no child left get ECHILD. */
static void reap_for_ignoring_parent(struct proc *p, struct proc *parent)
{
	reap(p);
	if (parent->nwaits)
		fail_hopeless_waiters(parent);
}

/*
 * A child became a zombie: hand it to a parent blocked in wait(), if one is, and send
 * the parent SIGCHLD if it catches it (docs/signals.md).
 */
static void notify_parent(struct proc *p)
{
	struct proc *parent = find(p->ppid);
	unsigned chld = parent ? parent->sig_chld : 0;
	if (chld & SIGSRV_CHLD_IGNORE) {
		reap_for_ignoring_parent(p, parent);
		return;
	}
	int handed = 0;
	/* nwaits 0 (fork+exit+wait: the child ends before the wait comes) skips the scan. */
	for (int w = 0; parent && parent->nwaits && w < WAITERS && !handed; w++) {
		if (parent->wait_reply[w] && !(parent->wait_noexit & (1u << w)) &&
		    matches(p, parent, parent->wait_pid[w])) {
			/* A waiter a signal took away is gone: the next one gets the child. */
			handed = reply_saved(parent->wait_reply[w], p->pid, (uint64_t)p->status) ==
				 0;
			parent->wait_reply[w] = 0;
			parent->nwaits--;
			if (parent->wait_keep & (1u << w))
				handed =
					0; /* WNOWAIT: told, but the zombie stays for a real wait */
			if (handed) {
				count_child_time(parent, p);
				reap(p);
				if (parent->nwaits)
					fail_hopeless_waiters(parent);
			}
		}
	}
	if (!handed && p->orphan)
		reap(p); /* adopted by init, which never waits for adoptees */
	if (chld & SIGSRV_CHLD_CATCH) {
		signal_proc(parent, SIGCHLD, p->pid); /* its other waits end with EINTR */
		/* siginfo: CLD_EXITED and the exit status, or CLD_KILLED and the signal. */
		int exited = WIFEXITED(p->status);
		sigsrv_note_fault(
			(unsigned)(parent - procs), parent->pid, SIGCHLD,
			exited ? CLD_EXITED : CLD_KILLED,
			(uint64_t)(exited ? WEXITSTATUS(p->status) : WTERMSIG(p->status)));
	}
}

static void reply_now(int64_t w0);

/* Some process was ever sent a stop signal: until then no exit can orphan a stopped
 * group, and exits skip the look (fork+exit+wait pays nothing for it). */
static int stops_seen;

/*
 * Would group pgid be orphaned without process gone (POSIX: no member has a parent in
 * another group of its session)? A parent that is init does not count, as on Linux:
 * here every session starts as init's, and adoption by init must orphan a group.
 */
static int orphaned_without(int64_t pgid, const struct proc *gone)
{
	for (int i = 0; i < procs_top; i++) {
		const struct proc *m = &procs[i];
		if (m->state != PS_RUNNING || m == gone || m->pgid != pgid)
			continue;
		const struct proc *parent = find(m->ppid);
		if (parent && parent->pid != PID_INIT && parent->pgid != pgid &&
		    parent->sid == m->sid)
			return 0;
	}
	return 1;
}

/*
 * POSIX _exit: a process group that gone's end orphans, and that has a stopped member,
 * gets SIGHUP and then SIGCONT, every member (nobody is left to continue it). The
 * groups to look at: gone's own, if its parent tied it to the session, and groups (room
 * for one more), its children's that gone tied.
 */
static void hangup_orphans(const struct proc *gone, int64_t *groups, int ngroups)
{
	const struct proc *parent = find(gone->ppid);
	if (parent && parent->pgid != gone->pgid && parent->sid == gone->sid)
		groups[ngroups++] = gone->pgid;
	for (int g = 0; g < ngroups; g++) {
		struct proc *members[PROC_MAX];
		int n = 0, stopped = 0;
		if (!orphaned_without(groups[g], gone))
			continue;
		for (int i = 0; i < procs_top; i++) {
			struct proc *m = &procs[i];
			if (m->state == PS_RUNNING && m->pgid == groups[g]) {
				members[n++] = m;
				stopped |= m->job != JOB_RUNNING;
			}
		}
		for (int i = 0; stopped && i < n; i++)
			if (members[i]->state == PS_RUNNING)
				signal_proc(members[i], SIGHUP, 0);
		for (int i = 0; stopped && i < n; i++)
			if (members[i]->state == PS_RUNNING)
				signal_proc(members[i], SIGCONT, 0);
	}
}

/*
 * p's children go to init; their zombies are reaped now, as init never waits for them.
 * With tied, the groups of the live ones that p tied to its session are noted there:
 * their number. Inlined twice, so that the usual exit does not pay for the noting.
 */
static inline __attribute__((always_inline)) int reparent(struct proc *p, int64_t *tied)
{
	int ntied = 0;
	for (int i = 0; i < procs_top; i++) {
		struct proc *c = &procs[i];
		if (c->ppid != p->pid || !visible(c))
			continue; /* one being forked: do_fork finds its parent gone */
		c->ppid = PID_INIT;
		c->orphan = 1;
		if (c->state == PS_ZOMBIE)
			reap(c);
		else if (tied && c->pgid != p->pgid && c->sid == p->sid)
			tied[ntied++] = c->pgid;
	}
	return ntied;
}

/* reparent, then hang up the stopped groups p's end orphans (hangup_orphans). */
__attribute__((noinline)) static void reparent_and_hang_up(struct proc *p)
{
	int64_t tied[PROC_MAX + 1];
	hangup_orphans(p, tied, reparent(p, tied));
}

/*
 * p ends with status, having run for run_ticks (the kernel's exit message says; -1:
 * ask the kernel, for a process ended by a signal or PROC_EXIT). With from_p, the
 * request being answered is the kernel's message from p's own (now dead) thread: our
 * task_kill drops it and the kernel's hold on that thread, so a waitpid (on any hart)
 * that learns of the death finds all of p's memory back, and there is nothing to answer.
 * Only if the kill failed does the answer still go: at once with several harts, with the
 * next receive on one.
 */
static void proc_end(struct proc *p, int status, int64_t run_ticks, int from_p)
{
	if (run_ticks < 0 && p->task >= 0)
		run_ticks = SYSCALL(cpu_time, p->task, 0);
	p->run_ticks = run_ticks < 0 ? 0 : (uint64_t)run_ticks;
	long killed = E_DEAD;
	if (p->task >= 0) {
		/* The kill empties the slot: a spare again. */
		killed = SYSCALL(task_kill, p->task);
		task_slot_release(p->task, killed == 0 ? SLOT_BACK_SPARE : SLOT_BACK_FREE);
		p->task = -1;
	}
	/* Our kill dropped p's call, and the dead thread's memory is back: nothing to answer
	 * (docs/syscalls.md, task_kill). */
	if (from_p && killed != 0 && threaded)
		reply_now(0);
	else if (from_p && killed != 0)
		reply(0, 0);
	fsholders_release((unsigned)(p - procs)); /* open files it did not close */
	for (int w = 0; p->nwaits && w < WAITERS; w++) {
		if (p->wait_reply[w]) {
			slot_free(p->wait_reply[w]); /* wakes nobody: the waiter is gone */
			p->nwaits--;
		}
		p->wait_reply[w] = 0;
	}
	if (p->stop_reply) {
		slot_free(p->stop_reply); /* its parked thread is gone with the task */
		p->stop_reply = 0;
	}
	p->job = JOB_RUNNING;
	p->report = JOB_REPORT_NONE;
	p->timer_at[PROC_TIMER_REAL] = p->timer_at[PROC_TIMER_VIRTUAL] =
		p->timer_at[PROC_TIMER_PROF] = ALARM_OFF;
	p->state = PS_ZOMBIE;
	p->status = status;
	if (stops_seen) /* no group can have a stopped member else */
		reparent_and_hang_up(p);
	else
		reparent(p, 0);
	notify_parent(p);
}

static void proc_exit(struct proc *p, int status)
{
	proc_end(p, status, -1, 0);
}

/* The signal a fault message stands for: out of memory kills, else by the cause's name. */
static int fault_signal(uint64_t label, uint64_t cause)
{
	if (label == LABEL_OOM)
		return SIGKILL;
	switch (cause & FAULT_CAUSE_MASK) {
	case EXC_ILLEGAL_INSN:
		return SIGILL;
	case EXC_BREAKPOINT:
		return SIGTRAP;
	case EXC_INSN_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
	case FAULT_PAGE_GONE: /* past the end of a truncated file (POSIX: SIGBUS) */
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/* POSIX's si_code for the fault a report's cause word names (its signal: fault_signal). */
static int fault_code(uint64_t cause)
{
	switch (cause & FAULT_CAUSE_MASK) {
	case EXC_ILLEGAL_INSN:
		return ILL_ILLOPC;
	case EXC_BREAKPOINT:
		return TRAP_BRKPT;
	case EXC_INSN_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		return BUS_ADRALN;
	case FAULT_PAGE_GONE:
		return BUS_ADRERR;
	default:
		return cause & FAULT_DENIED ? SEGV_ACCERR : SEGV_MAPERR;
	}
}

/*
 * POSIX's si_addr: the faulting instruction for SIGILL and SIGTRAP, the address accessed
 * (stval: the data address, or the fetch address of an instruction fault) for the rest.
 */
static uint64_t fault_addr(const struct ipc_msg *m)
{
	uint64_t cause = m->w[0] & FAULT_CAUSE_MASK;
	return cause == EXC_ILLEGAL_INSN || cause == EXC_BREAKPOINT ? m->w[2] : m->w[1];
}

/*
 * Give a process its identity (SLOT_PROC) and the boot capabilities named in caps: a
 * forked child has them already (the kernel copied them), a spawned or exec'd image not.
 */
static int give_caps(struct proc *c, unsigned caps)
{
	long s = slot_alloc();
	int err = (int)SYSCALL(cap_mint, SLOT_SERVER, s, CAP_SEND, badge_of(c));
	if (!err)
		err = (int)SYSCALL(task_cap_put, c->task, s, SLOT_PROC, CAP_SEND);
	slot_free(s);
	if (!err && caps)
		err = (int)SYSCALL(task_cap_put, c->task, SLOT_LOADER, SLOT_LOADER, CAP_SEND);

	if (!err && (caps & HAS_ARCHIVE))
		err = (int)SYSCALL(task_cap_put, c->task, SLOT_ARCHIVE, SLOT_ARCHIVE,
				   CAP_READ | CAP_EXEC | CAP_GRANT);
	if (!err && (caps & HAS_CONSOLE))
		err = (int)SYSCALL(task_cap_put, c->task, SLOT_CONSOLE, SLOT_CONSOLE, CAP_ALL);
	if (!err && (caps & HAS_MACHINE))
		err = (int)SYSCALL(task_cap_put, c->task, SLOT_MACHINE, SLOT_MACHINE, CAP_ALL);
	if (!err && (caps & HAS_DEVCTL))
		err = (int)SYSCALL(task_cap_put, c->task, SLOT_IRQCTL, SLOT_IRQCTL, CAP_ALL);
	return err;
}

/*
 * Programs init starts directly (the shell, the tests, drivers) may also power the machine
 * off and drive devices.
 */
static unsigned spawn_caps(const struct proc *c)
{
	return HAS_ARCHIVE | HAS_CONSOLE | (c->ppid == PID_INIT ? HAS_MACHINE | HAS_DEVCTL : 0);
}

/*
 * fork: the caller's thread waits on our reply; the kernel clones it, gives the child its
 * supervisor and SLOT_PROC capabilities (badged with its table entry) and answers the
 * child's copy of the call with 0. We answer the parent with the pid.
 */
/*
 * The fork's end, back under the table lock: a release of the parent's task slot handed to
 * this fork meanwhile (task_slot_release) is done now, or handed on to another fork still
 * naming the slot.
 */
static void fork_settle_slot(struct proc *c)
{
	long slot = c->task;
	int how = c->fork_slot_left;
	c->task = -1;
	c->fork_slot_left = 0;
	forks_in_flight--;
	if (how)
		task_slot_release(slot, how);
}

/* The entry is out of PS_FORKING: requests that waited for it look again. */
static void fork_published(struct proc *c, int state)
{
	c->state = state;
	if (c->fork_waiters) {
		c->fork_waiters = 0;
		futex_wake((volatile uint32_t *)&c->state, UINT32_MAX);
	}
}

/*
 * The kernel's fork of p into child entry c, with several server threads: without the
 * table lock, which it held for most of a fork's time, so that forks on other harts go on
 * meanwhile. c is PS_FORKING until then (nobody else's to see). The parent may end or
 * exec while the lock is let go: its slot then stays until this fork is back
 * (task_slot_release), and a child made for a parent that is gone (its badge changed) is
 * killed: the fork fails as if the end had come first. The child may run and ask before
 * that: its requests wait (wait_forked).
 */
static __attribute__((noinline)) long fork_unlocked(struct proc *p, struct proc *c, long task,
						    uint64_t mode, uint64_t badge)
{
	uint32_t parent = p->badge;
	c->state = PS_FORKING;
	c->task = p->task; /* the parent's, until the fork is back (task_slot_release) */
	c->caps = p->caps;
	forks_in_flight++;
	table_leave();
	long tid = SYSCALL(fork, c->task, task, mode, SLOT_SERVER, badge, SLOT_PROC);
	table_enter();
	fork_settle_slot(c);
	if (tid >= 0 && (p->badge != parent || p->state != PS_RUNNING)) {
		SYSCALL(task_kill, task); /* empties the slot, as a failed fork leaves it */
		tid = E_DEAD;
	}
	return tid;
}

/*
 * A request from a process another server thread is still forking (its child, running
 * already, or the kernel's message that it ended): it waits until the entry is published
 * or given up, then looks again. Only with several server threads.
 */
static struct proc *wait_forked(struct proc *p, uint64_t badge)
{
	while (p && p->state == PS_FORKING) {
		p->fork_waiters = 1;
		table_leave();
		futex_wait((volatile uint32_t *)&p->state, PS_FORKING, FUTEX_FOREVER);
		table_enter();
		p = by_badge(badge);
	}
	return p;
}

/*
 * A request whose process is not simply running, with several server threads: one being
 * forked is waited for (wait_forked); one that has ended is stale (NULL). A zombie has
 * no threads, but another server thread may have received a request from one of them
 * before the process ended: two threads that fault at once on two harts send two fault
 * reports, and the second, served after the first ended the process, ended it again
 * (its status, its parent's SIGCHLD twice). With one thread the kill takes every
 * pending request back first.
 */
static struct proc *settle_request(struct proc *p, uint64_t badge)
{
	p = wait_forked(p, badge);
	return p && p->state == PS_ZOMBIE ? 0 : p;
}

static void do_fork(struct proc *p, uint64_t mode)
{
	struct proc *c = proc_new(p);
	long task = c ? spare_get() : -1;
	/* With several harts the child may run as soon as it exists: count its files first. */
	if (c) {
		fsholders_fork((unsigned)(p - procs), (unsigned)(c - procs));
		/* Its handlers are its parent's copies: no PROC_SIGENTRY from every child. */
		sigsrv_fork((unsigned)(p - procs), p->pid, (unsigned)(c - procs), c->pid);
		c->sig_chld = p->sig_chld;
	}
	uint64_t badge = c ? badge_of(c) : 0;
	long tid;
	if (threaded)
		tid = task >= 0 ? fork_unlocked(p, c, task, mode, badge) : E_RANGE;
	else
		tid = task >= 0 ? SYSCALL(fork, p->task, task, mode, SLOT_SERVER, badge, SLOT_PROC)
				: E_RANGE;
	if (tid < 0) {
		if (c) {
			fsholders_release((unsigned)(c - procs));
			reap(c);
		}
		spare_put(task); /* still empty */
		if (c && threaded)
			fork_published(c, PS_FREE); /* reap's: waiting requests find it stale */
		reply(tid == E_NOMEM || tid == E_QUOTA ? -ENOMEM : -EAGAIN, 0);
		return;
	}
	c->task = task;
	if (threaded)
		fork_published(c, PS_RUNNING); /* caps set by fork_unlocked */
	else
		c->caps = p->caps;
	/*
	 * The parent's fork() returns the pid. A queued answer (IPC_TAG_QUEUE, with our next
	 * receive) puts the parent behind the child, so the child runs first: one that exits
	 * at once is a zombie before the parent's wait arrives, which then needs no saved
	 * reply.
	 */
	reply(c->pid, 0);
	answer.tag |= IPC_TAG_QUEUE;
}

/*
 * Answer p's wait with its zombie child z, and reap z unless the wait asked WNOWAIT. The
 * answer goes with our next receive, whichever thread serves: a request a server has
 * received cannot be cut short by a signal (the kernel's upcall waits for its answer,
 * docs/syscalls.md 40), so it misses only if p's thread has died, and then nobody is
 * left to want z's status. Several threads used to answer at once and reap only if it
 * arrived, from before the kernel waited so: a system call more a fork+exit+wait.
 */
static void wait_take_zombie(struct proc *p, struct proc *z, uint64_t options)
{
	reply(z->pid, (uint64_t)z->status);
	if (options & WNOWAIT)
		return; /* waitid: the zombie stays waitable */
	count_child_time(p, z);
	reap(z);
	if (p->nwaits)
		fail_hopeless_waiters(p);
}

/* What child c has for a wait with options, as a wait() status: its end, its stop or
 * its continue that no wait has taken yet; -1 if nothing. */
static int wait_event(const struct proc *c, uint64_t options)
{
	if (c->state == PS_ZOMBIE)
		return (options & WEXITED) ? c->status : -1;
	if (c->report == JOB_REPORT_STOPPED && (options & WUNTRACED))
		return STATUS_STOPPED(c->stopsig);
	if (c->report == JOB_REPORT_CONTINUED && (options & WCONTINUED))
		return STATUS_CONTINUED;
	return -1;
}

/* Answer p's wait with child c's stop or continue (status), which is then taken unless
 * the wait asked WNOWAIT; answered with our next receive, as wait_take_zombie. */
static void wait_take_report(struct proc *c, int status, uint64_t options)
{
	reply(c->pid, (uint64_t)status);
	if (!(options & WNOWAIT))
		c->report = JOB_REPORT_NONE;
}

/* Park p's wait in a free waiter entry: answered when a child has what it asks for. */
static void wait_park(struct proc *p, int64_t want, uint64_t options)
{
	int w = 0;
	while (w < WAITERS && p->wait_reply[w])
		w++;
	long s = w < WAITERS ? spare_get() : -1;
	if (s < 0 || SYSCALL(reply_save, s) != 0) {
		slot_free(s);
		reply(w < WAITERS ? -ENOMEM : -EAGAIN, 0);
		return;
	}
	uint8_t bit = (uint8_t)(1u << w);
	p->wait_reply[w] = s;
	p->nwaits++;
	p->wait_pid[w] = want;
	p->wait_keep = (uint8_t)((p->wait_keep & ~bit) | ((options & WNOWAIT) ? bit : 0));
	p->wait_stops = (uint8_t)((p->wait_stops & ~bit) | ((options & WUNTRACED) ? bit : 0));
	p->wait_conts = (uint8_t)((p->wait_conts & ~bit) | ((options & WCONTINUED) ? bit : 0));
	p->wait_noexit = (uint8_t)((p->wait_noexit & ~bit) | ((options & WEXITED) ? 0 : bit));
}

/* PROC_WAIT: options are waitpid's and waitid's (WEXITED: report ends; waitpid sends it). */
static void do_wait(struct proc *p, int64_t want, uint64_t options)
{
	int any = 0;
	if (options & ~(uint64_t)WAIT_KNOWN) {
		reply(-EINVAL, 0);
		return;
	}
	for (int i = 0; i < procs_top; i++) {
		if (!matches(&procs[i], p, want))
			continue;
		any = 1;
		int status = wait_event(&procs[i], options);
		if (status >= 0 && procs[i].state == PS_ZOMBIE) {
			wait_take_zombie(p, &procs[i], options);
			return;
		}
		if (status >= 0) {
			wait_take_report(&procs[i], status, options);
			return;
		}
	}
	if (!any)
		reply(-ECHILD, 0);
	else if (options & WNOHANG)
		reply(0, 0);
	else
		wait_park(p, want, options);
}

/* The request buffer's NUL-separated strings into list (NULL-terminated): how many. */
static int split_args(unsigned len, char **list)
{
	int n = 0;
	spawn_buf[len < sizeof(spawn_buf) ? len : sizeof(spawn_buf) - 1] = 0;
	for (unsigned at = 0; at < len && n < SPAWN_ARGS_MAX; at += strlen(spawn_buf + at) + 1)
		list[n++] = spawn_buf + at;
	list[n] = 0;
	return n;
}

static int64_t load_error(int err)
{
	return err == E_NOENT			  ? -ENOENT
	       : err == E_NOMEM || err == E_QUOTA ? -ENOMEM
	       : err == E_RANGE			  ? -E2BIG /* the arguments fill more than a page */
						  : -ENOEXEC;
}

/*
 * spawn: the buffer holds the program name, its arguments, then its environment,
 * NUL-separated; nargs strings are the arguments (0: all).
 */
static void do_spawn(struct proc *p, unsigned len, uint64_t nargs)
{
	char *argv[SPAWN_ARGS_MAX + 2];
	int argc = split_args(len, argv);
	char **envp = 0;
	if (nargs && nargs < (uint64_t)argc) {
		memmove(argv + nargs + 1, argv + nargs, (argc - nargs + 1) * sizeof(argv[0]));
		argv[nargs] = 0; /* the end of argv; the environment follows */
		envp = argv + nargs + 1;
		argc = (int)nargs;
	}
	struct proc *c = argc ? proc_new(p) : 0;
	long sup = slot_alloc();
	struct spawned s;
	int err = c ? (int)SYSCALL(cap_mint, SLOT_SERVER, sup, CAP_SEND, badge_of(c)) : -EINVAL;
	struct spawn_req req = { .name = argv[0], .argv = argv, .supervisor = sup, .envp = envp };
	if (!err)
		err = spawn_create(&req, &s);
	slot_free(sup);
	if (!err) {
		c->task = s.task;
		c->execed = 1;
		c->caps = spawn_caps(c);
		err = give_caps(c, c->caps);
		if (!err && spawn_start(&s) < 0)
			err = E_NOMEM;
		if (err)
			proc_exit(c, SIGKILL);
	} else if (c) {
		reap(c);
	}
	reply(err ? load_error(err) : c->pid, 0);
}

/*
 * exec's pipe ends. The list after the strings has one entry per pipe descriptor, fd |
 * end << 8 | slot << 16 (pipe.h). Each slot of the old task (SLOT_FIRST_FREE and up) that
 * holds an end of the kind named is copied into one of ours, taken[i], and described in
 * aux as (AUX_FD, entry); any other entry is left out, so the new image gets only pipe
 * ends, in the slots the old one had them. Returns the aux words.
 */
static int exec_take_pipes(const struct proc *p, const uint32_t *list, unsigned n, long *taken,
			   uint64_t *aux)
{
	int naux = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t slot = EXEC_FD_SLOT(list[i]);
		long type = EXEC_FD_END(list[i]) == PIPE_END_WRITE ? OBJ_PIPE_WRITE : OBJ_PIPE_READ;
		long mine = slot >= SLOT_FIRST_FREE && slot < CSPACE_SLOTS ? slot_alloc() : -1;
		taken[i] = -1;
		if (mine < 0 || SYSCALL(task_cap_get, p->task, slot, mine, CAP_ALL) != 0 ||
		    (SYSCALL(cap_info, mine) & 0xff) != type) {
			slot_free(mine);
			continue;
		}
		taken[i] = mine;
		aux[naux++] = AUX_FD;
		aux[naux++] = list[i];
	}
	return naux;
}

/* Put the ends taken into the new task's slots (0 or an error), and let ours go. */
static int exec_give_pipes(long task, const uint32_t *list, unsigned n, const long *taken)
{
	int err = 0;
	for (unsigned i = 0; i < n; i++) {
		if (taken[i] < 0)
			continue;
		long r = SYSCALL(task_cap_put, task, taken[i], EXEC_FD_SLOT(list[i]), CAP_ALL);
		if (r != 0 && r != E_BUSY) /* busy: two descriptors named one capability */
			err = (int)r;
		slot_free(taken[i]);
	}
	return err;
}

static void drop_pipes(unsigned n, const long *taken)
{
	for (unsigned i = 0; i < n; i++)
		slot_free(taken[i]);
}

/*
 * exec: a new task for the same process (pid, badge, parent, children), loaded from the
 * archive, with SLOT_PROC and the boot capabilities the process had, and the pipe ends
 * its descriptors name (the list after the strings). No other slot is carried over. The
 * old task is killed, which drops every frame and copy-on-write share it held, and the
 * capabilities it still had: the new image's copies keep the pipe ends open. On failure
 * the caller gets -errno and runs on.
 */
static void do_exec(struct proc *p, const struct ipc_msg *m)
{
	uint64_t argc = m->w[0], fdlen = m->w[1];
	unsigned len = ipc_tag_len(m->tag);
	int has_obj = (m->tag & IPC_TAG_CAP) != 0;
	uint32_t fds[FD_MAX];
	long taken[FD_MAX];
	uint64_t aux[2 * FD_MAX];
	char *list[SPAWN_ARGS_MAX + 1];
	_Static_assert(2 * FD_MAX <= LOAD_AUX_MAX, "every pipe descriptor fits the aux words");
	if (fdlen > len || fdlen % sizeof(fds[0]) || fdlen > sizeof(fds)) {
		reply(-EINVAL, 0);
		return;
	}
	memcpy(fds, spawn_buf + len - fdlen, fdlen);
	unsigned nfd = (unsigned)(fdlen / sizeof(fds[0]));
	int n = split_args(len - (unsigned)fdlen, list);
	if (n < 1 || argc >= (uint64_t)n) {
		reply(-EINVAL, 0);
		return;
	}
	int naux = exec_take_pipes(p, fds, nfd, taken, aux);
	char *argv[SPAWN_ARGS_MAX + 1];
	memcpy(argv, list + 1, argc * sizeof(char *));
	argv[argc] = 0;
	long sup = slot_alloc();
	struct spawned s;
	struct spawn_req req = { .name = list[0],
				 .argv = argv,
				 .supervisor = sup,
				 .envp = list + 1 + argc,
				 .aux = aux,
				 .naux = (unsigned)naux,
				 .object = has_obj ? exec_obj : 0,
				 .object_size = has_obj ? m->w[2] : 0 };
	/* The new image's badge has the next generation: the old one's requests go stale. */
	uint16_t gen = (uint16_t)(p->gen + 1);
	int err = (int)SYSCALL(cap_mint, SLOT_SERVER, sup, CAP_SEND, badge_at(p, gen));
	if (!err)
		err = spawn_create(&req, &s);
	slot_free(sup);
	if (err) {
		drop_pipes(nfd, taken);
		reply(load_error(err), 0);
		return;
	}
	err = exec_give_pipes(s.task, fds, nfd, taken);
	SYSCALL(task_kill, p->task);
	task_slot_release(p->task, SLOT_BACK_FREE);
	p->task = s.task;
	p->gen = gen;
	p->badge = badge_at(p, gen);
	p->execed = 1;
	/* The new image has no handlers yet; what is pending stays for it (POSIX), and what
	 * comes before it registers is held or dropped as its mask and ignored set say. */
	int sets = ipc_tag_words(m->tag) >= 5;
	sigsrv_exec((unsigned)(p - procs), p->pid, sets ? m->w[3] : 0, sets ? m->w[4] : 0);
	p->sig_chld = 0;
	if (err || give_caps(p, p->caps) || spawn_start(&s) < 0)
		proc_exit(p, SIGKILL);
	/* No answer: killing the old task dropped its thread's call (task_kill). */
}

/*
 * The file server's capability, given on first use rather than at spawn: a process that
 * never opens a file then has one slot less for every fork to copy. Asking again is
 * harmless (the slot is full: E_BUSY, which is success here); the C library asks again
 * for its lock key.
 */
static void do_fs(struct proc *p, const struct ipc_msg *m)
{
	long err = p->task < 0 ? 0
			       : SYSCALL(task_cap_put, p->task, FORKSRV_SLOT_FS, SLOT_FS, CAP_SEND);
	/* w1: its key for record locks (fs.h), which only it and the file server see; made
	 * only for a process that locks, so only those pay for one at fork and death. */
	int want_key = ipc_tag_words(m->tag) >= 1 && m->w[0] == PROC_FS_LOCK_KEY;
	reply(err == 0 || err == E_BUSY ? 0 : -ENOMEM,
	      want_key ? fsholders_key((unsigned)(p - procs), (uint32_t)p->pid) : 0);
}

/* Answer the current request at once: the caller may be diverted or killed next. */
static void reply_now(int64_t w0)
{
	reply(w0, 0);
	ipc_reply(&answer);
	answering = 0;
}

/* POSIX's default actions: these are ignored, and the stop signals stop a process
 * through its C library (job_signal); every other one ends the process. */
static int default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT ||
	       sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * Child c stopped or continued (its report says which): answer a wait of its parent's
 * that asked for that, and send the parent SIGCHLD with code (CLD_STOPPED or
 * CLD_CONTINUED) if it catches SIGCHLD without SA_NOCLDSTOP.
 */
static void notify_job(struct proc *c, int code)
{
	struct proc *parent = find(c->ppid);
	if (!parent || c->orphan)
		return; /* init, which adopted it, never waits for adoptees */
	int stopped = c->report == JOB_REPORT_STOPPED;
	uint8_t asked = stopped ? parent->wait_stops : parent->wait_conts;
	int status = wait_event(c, stopped ? WUNTRACED : WCONTINUED);
	for (int w = 0; parent->nwaits && w < WAITERS; w++) {
		if (!parent->wait_reply[w] || !(asked & (1u << w)) ||
		    !matches(c, parent, parent->wait_pid[w]))
			continue;
		int told = reply_saved(parent->wait_reply[w], c->pid, (uint64_t)status) == 0;
		parent->wait_reply[w] = 0;
		parent->nwaits--;
		if (told && !(parent->wait_keep & (1u << w)))
			c->report = JOB_REPORT_NONE;
		if (told)
			break;
	}
	unsigned chld = parent->sig_chld;
	if ((chld & SIGSRV_CHLD_CATCH) && !(chld & SIGSRV_CHLD_NOCLDSTOP)) {
		signal_proc(parent, SIGCHLD, c->pid);
		sigsrv_note_fault((unsigned)(parent - procs), parent->pid, SIGCHLD, code,
				  (uint64_t)(stopped ? c->stopsig : SIGCONT));
	}
}

/* SIGCONT: a stopped t goes on (its parked PROC_STOP is answered), and stop signals
 * not yet acted on are dropped (POSIX), whatever SIGCONT's disposition. */
static void job_continue(struct proc *t)
{
	sigsrv_discard((unsigned)(t - procs), t->pid, STOP_SIGNALS);
	if (t->job == JOB_STOPPED) {
		reply_saved(t->stop_reply, 0, 0);
		t->stop_reply = 0;
		t->job = JOB_RUNNING;
		t->report = JOB_REPORT_CONTINUED;
		notify_job(t, CLD_CONTINUED);
	}
	t->job = JOB_RUNNING;
}

/*
 * What job control does with sig sent to t before it is posted: SIGCONT continues t; a
 * stop signal drops a pending SIGCONT (POSIX) and makes t JOB_STOPPING, so that its C
 * library's PROC_STOP is honoured. 1 if sig is held pending instead: t is stopped, and
 * only SIGKILL and SIGCONT act on a stopped process.
 */
static int job_signal(struct proc *t, int sig, int64_t sender)
{
	unsigned idx = (unsigned)(t - procs);
	if (sig == SIGCONT) {
		job_continue(t);
		return 0;
	}
	if (STOP_SIGNALS & (1UL << sig)) {
		sigsrv_discard(idx, t->pid, 1UL << SIGCONT);
		if (t->job == JOB_RUNNING)
			t->job = JOB_STOPPING;
		stops_seen = 1;
	}
	return t->job == JOB_STOPPED && sig != SIGKILL && sigsrv_hold(idx, t->pid, sig, sender);
}

/*
 * PROC_STOP: p's C library acts on stop signal w0 (docs/signals.md). Unless a SIGCONT
 * came since the signal was sent, p is stopped: this request is parked until SIGCONT
 * answers it (or SIGKILL ends p), and p's parent is told.
 */
static void do_stop(struct proc *p, uint64_t sig)
{
	if (sig >= NSIG || !(STOP_SIGNALS & (1UL << sig))) {
		reply(-EINVAL, 0);
		return;
	}
	if (p->job != JOB_STOPPING || p->task < 0) {
		reply(0, 0); /* continued already */
		return;
	}
	long s = spare_get();
	if (s < 0 || SYSCALL(reply_save, s) != 0) {
		slot_free(s);
		reply(-ENOMEM, 0);
		return;
	}
	p->job = JOB_STOPPED;
	p->stop_reply = s;
	p->stopsig = (uint8_t)sig;
	p->report = JOB_REPORT_STOPPED;
	notify_job(p, CLD_STOPPED);
}

/*
 * Deliver sig to t: to its C library if it takes signals, else the default action.
 * SIGKILL is never caught. After the upcall, a wait() of t's still parked
 * here ends with EINTR: the diverted thread's own wait was cut short by the kernel (our
 * saved answer to it now misses), any other thread's gets -EINTR from us; so do its
 * reads and writes blocked on pipes. value: sigqueue's, or null for kill. asked: t's
 * own request (a kill of itself) is being answered, with 0; if t dies of sig, the
 * answer goes as it dies (proc_end's from_p), else after the delivery, which its upcall
 * then waits for: the signal is acted on before kill returns, as POSIX asks.
 */
static void signal_proc_value(struct proc *t, int sig, int64_t sender, const uint64_t *value,
			      int asked)
{
	unsigned idx = (unsigned)(t - procs);
	int taken = job_signal(t, sig, sender);
	if (!taken && sig != SIGKILL && t->task >= 0 &&
	    (value ? sigsrv_post_value(idx, t->pid, t->task, sig, sender, *value)
		   : sigsrv_post(idx, t->pid, t->task, sig, sender, 0))) {
		taken = 1;
		for (int w = 0; w < WAITERS; w++) {
			if (t->wait_reply[w]) {
				reply_saved(t->wait_reply[w], -EINTR, 0);
				t->wait_reply[w] = 0;
				t->nwaits--;
			}
		}
	}
	/* Exec'd, not registered yet: what its new image blocks waits for it, or is dropped. */
	if (!taken && sig != SIGKILL && t->task >= 0)
		taken = sigsrv_exec_hold(idx, t->pid, sig, sender);
	if (!taken && !default_ignores(sig))
		proc_end(t, sig, -1, asked);
	else if (asked)
		reply(0, 0);
}

static void signal_proc(struct proc *t, int sig, int64_t sender)
{
	signal_proc_value(t, sig, sender, 0, 0);
}

/*
 * A fault in a process that takes signals: divert the faulting thread, still stopped in
 * its report, to its C library with the fault's signal from sender 0. The kernel gives
 * it back the registers it faulted with, and the frame resumes the faulting instruction;
 * the report needs no answer. Were it answered first, the thread could run again on
 * another hart and fault anew before the diversion. 1 if done; 0 and the caller ends the
 * process, as for one that takes no signals.
 */
static int fault_to_handler(struct proc *p, const struct ipc_msg *m)
{
	unsigned idx = (unsigned)(p - procs);
	int sig = fault_signal(LABEL_FAULT, m->w[0]);
	if (p->task < 0 || !sigsrv_takes_signals(idx, p->pid))
		return 0;
	sigsrv_note_fault(idx, p->pid, sig, fault_code(m->w[0]), fault_addr(m));
	return sigsrv_post(idx, p->pid, p->task, sig, 0, m->w[3]);
}

/* kill(pid > 0), or a process group: pid 0 (the caller's), -1 (all but init), -pgid.
 * value: sigqueue's (one process only), or null. The caller, if a target, comes last
 * and is answered with its own signal (signal_proc_value's asked); a caller that is not
 * a target is answered once every target has been signalled. */
static void do_kill(struct proc *p, int64_t pid, uint64_t sig, const uint64_t *value)
{
	int64_t group = pid == 0 ? p->pgid : pid < -1 ? -pid : 0;
	struct proc *targets[PROC_MAX];
	int n = 0;
	if (sig >= NSIG) {
		reply(-EINVAL, 0);
		return;
	}
	if (sig == 0 && pid > 0) { /* only: does it exist (POSIX; a zombie or init too) */
		reply(find(pid) ? 0 : -ESRCH, 0);
		return;
	}
	int zombies = 0;
	for (int i = 0; i < procs_top; i++) {
		struct proc *q = &procs[i];
		if (!visible(q) || q->pid == PID_INIT ||
		    !(pid > 0 ? q->pid == pid : pid == -1 || q->pgid == group))
			continue;
		if (q->state == PS_RUNNING)
			targets[n++] = q;
		else
			zombies++;
	}
	/* A zombie is a process until it is waited for: a signal to it succeeds, and does
	 * nothing (POSIX; Linux and the BSDs answer 0 too). */
	if (n == 0) {
		reply(zombies ? 0 : -ESRCH, 0);
		return;
	}
	if (sig == 0) {
		reply(0, 0); /* only: does it exist */
		return;
	}
	int self = 0;
	for (int i = 0; i < n; i++)
		self |= targets[i] == p;
	/* Every other target is signalled before the answer goes: once kill returns, what
	 * the signal does (SIGCONT dropping a stop signal already taken) has been posted, so
	 * anything the caller does next (a pipe write) cannot overtake it. */
	for (int i = 0; i < n; i++)
		if (targets[i] != p && targets[i]->state == PS_RUNNING)
			signal_proc_value(targets[i], (int)sig, p->pid, value, 0);
	if (self)
		signal_proc_value(p, (int)sig, p->pid, value, 1);
	else
		reply(0, 0);
}

/* PROC_KILL_LIVE: signal 0 only, to one pid; a zombie no longer runs (ESRCH). */
static void reply_live(const struct ipc_msg *m)
{
	struct proc *q = m->w[1] == 0 && (int64_t)m->w[0] > 0 ? find((int64_t)m->w[0]) : 0;
	if (m->w[1] != 0 || (int64_t)m->w[0] <= 0)
		reply(-EINVAL, 0);
	else
		reply(q && q->state == PS_RUNNING ? 0 : -ESRCH, 0);
}

/* sigqueue: PROC_KILL with w2 = PROC_KILL_QUEUE, w3 = the value; one process only. */
static void reply_queue(struct proc *p, const struct ipc_msg *m)
{
	int64_t pid = (int64_t)m->w[0];
	uint64_t value = m->w[3];
	struct proc *q = pid > 0 ? find(pid) : 0;
	if (pid <= 0)
		reply(-ESRCH, 0);
	else if (q && q->state == PS_RUNNING && m->w[1] < NSIG &&
		 sigsrv_queue_full((unsigned)(q - procs), q->pid, (int)m->w[1]))
		reply(-EAGAIN, 0); /* SIGQUEUE_MAX instances wait for it already */
	else
		do_kill(p, pid, m->w[1], &value);
}

#define ANY_SESSION (-1)

/* Is a live process other than entry skip (PROC_MAX: none) in group pgid of session sid? */
static int group_exists(int64_t pgid, int64_t sid, int skip)
{
	for (int i = 0; i < procs_top; i++) {
		const struct proc *q = &procs[i];
		if (i != skip && q->state == PS_RUNNING && q->pgid == pgid &&
		    (sid == ANY_SESSION || q->sid == sid))
			return 1;
	}
	return 0;
}

/* setpgid(pid, pgid) as POSIX says, checked before anything changes (docs/process.md). */
static void do_setpgid(struct proc *p, int64_t pid, int64_t pgid)
{
	struct proc *t = pid == 0 ? p : find(pid);
	if (pgid < 0) {
		reply(-EINVAL, 0);
		return;
	}
	if (!t || t->state != PS_RUNNING || (t != p && t->ppid != p->pid)) {
		reply(-ESRCH, 0); /* only ourselves or a child of ours */
		return;
	}
	if (t != p && t->execed) {
		reply(-EACCES, 0); /* POSIX: a child that has exec'd is its own */
		return;
	}
	if (pgid == 0)
		pgid = t->pid;
	int leader = t->sid == t->pid;
	int other_session = t->sid != p->sid;
	int no_group = pgid != t->pid && !group_exists(pgid, p->sid, PROC_MAX);
	if (leader || other_session || no_group) {
		reply(-EPERM, 0);
		return;
	}
	t->pgid = (int32_t)pgid;
	reply(0, 0);
}

/* setsid: a new session and group led by the caller, unless it leads a group already. */
static void do_setsid(struct proc *p)
{
	if (p->pgid == p->pid || group_exists(p->pid, ANY_SESSION, (int)(p - procs))) {
		reply(-EPERM, 0);
		return;
	}
	p->pgid = p->sid = (int32_t)p->pid;
	reply(p->sid, 0);
}

static void do_getpgid(struct proc *p, int64_t pid)
{
	struct proc *t = pid == 0 ? p : find(pid);
	if (!t)
		reply(-ESRCH, 0);
	else
		reply(t->pgid, (uint64_t)(int64_t)t->sid);
}

/*
 * PROC_SIGTAKE. With several server threads the answer goes at once, and a signal
 * whose answer did not arrive is given back: a diversion may have cut the call short
 * while the request waited for the table lock (the diverted thread takes again).
 */
static void do_sigtake(struct proc *p, const struct ipc_msg *m)
{
	int64_t sender = 0;
	uint64_t rest = 0, value = 0, fault[2] = { 0, 0 };
	uint64_t skip = ipc_tag_words(m->tag) >= 1 ? m->w[0] : 0;
	int queued = 0;
	unsigned idx = (unsigned)(p - procs);
	int sig = sigsrv_take(idx, p->pid, skip, &sender, &rest, &queued, &value, fault);
	reply(sig, (uint64_t)sender);
	answer.tag = ipc_tag(0, 7, 0, 0);
	answer.w[2] = rest;
	answer.w[3] = (uint64_t)queued;
	answer.w[4] = value;
	answer.w[5] = fault[0];
	answer.w[6] = fault[1];
	if (!threaded)
		return; /* answered with our next receive */
	answering = 0;
	if (ipc_reply(&answer) != 0)
		sigsrv_untake(idx, p->pid, sig, sender, queued, value, fault);
}

static void do_list(uint64_t index)
{
	for (uint64_t i = index; i < PROC_MAX; i++) {
		struct proc *q = &procs[i];
		if (!visible(q))
			continue;
		reply(q->pid, (uint64_t)q->ppid);
		answer.tag = ipc_tag(0, 5, 0, 0);
		answer.w[2] = (uint64_t)q->state;
		answer.w[3] = (uint64_t)q->status;
		answer.w[4] = i + 1; /* where the next call should start */
		return;
	}
	reply(-1, 0);
}

/*
 * A request with fewer words than its label takes (proc.h) is refused: the words it did
 * not send would read as whatever our last answer, to another process, left there.
 */
static int too_short(const struct ipc_msg *m, unsigned words)
{
	if (ipc_tag_words(m->tag) >= words)
		return 0;
	reply(-EINVAL, 0);
	return 1;
}

/*
 * tcsetpgrp: the console's foreground group becomes pgid, which must be a group of the
 * caller's session with a live member (POSIX: EINVAL for a negative id, EPERM else).
 * Ctrl-C reaches that group (docs/signals.md).
 */
static void do_tcsetpgrp(struct proc *p, int64_t pgid)
{
	if (pgid <= 0 || pgid > INT32_MAX) {
		reply(-EINVAL, 0);
		return;
	}
	if (!group_exists(pgid, p->sid, PROC_MAX)) {
		reply(-EPERM, 0);
		return;
	}
	console_fg = (int32_t)pgid;
	reply(0, 0);
}

/*
 * ITIMER_REAL and alarm. Each process's alarm is here, not in its memory, so that exec
 * keeps it (POSIX: the new image inherits the time left) at no cost to programs that
 * never set one. One thread of ours, made at start, sleeps to the earliest
 * (alarm_next) and then asks a server thread for PROC_ALARM_DUE, which sends the
 * SIGALRMs due: the table stays the server threads' alone. Deadlines are timebase
 * ticks, which every hart reads alike (rdtime).
 */
static uint64_t alarm_next = FUTEX_FOREVER; /* the earliest alarm_at set: the thread's sleep */
static volatile uint32_t alarm_changed;	    /* bumped when alarm_next moves: it looks again */
static int alarm_thread_made;
/*
 * The shortest alarm and interval, and the shortest gap between two PROC_ALARM_DUE: a
 * millisecond in ticks. POSIX lets a timer round up to its resolution; without a floor a
 * process asking for a one-tick interval would keep this server, above every program's
 * priority, sending it signals, and many staggered alarms would do the same.
 */
#define ALARM_MIN_NS 1000000ULL
#define CPU_POLL_MS  10 /* how often set CPU-time timers are looked at: the kernel's tick */
static uint64_t alarm_min = 1;

static uint64_t now_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Tell the alarm thread its next wake-up. */
static void alarm_publish(uint64_t next)
{
	__atomic_store_n(&alarm_next, next, __ATOMIC_RELEASE);
	__atomic_add_fetch(&alarm_changed, 1, __ATOMIC_RELEASE);
	futex_wake(&alarm_changed, 1);
}

/* The alarm thread: sleep to the earliest alarm (but at least alarm_min after the last
 * round), then have a server thread send what is due. */
static void alarm_main(void *arg)
{
	long slot = (long)arg; /* a send capability to our own endpoint */
	uint64_t last = 0;
	for (;;) {
		uint32_t seen = __atomic_load_n(&alarm_changed, __ATOMIC_ACQUIRE);
		uint64_t next = __atomic_load_n(&alarm_next, __ATOMIC_ACQUIRE);
		if (next != FUTEX_FOREVER && next < last + alarm_min)
			next = last + alarm_min;
		if (next != FUTEX_FOREVER && now_ticks() >= next) {
			struct ipc_msg m = { .tag = ipc_tag(PROC_ALARM_DUE, 0, 0, 0) };
			m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
			ipc_call(slot, &m); /* it publishes the next deadline */
			last = now_ticks();
		} else {
			SYSCALL(futex_wait, (uintptr_t)&alarm_changed, seen, next);
		}
	}
}

/*
 * Make the alarm thread, at start: alarm() cannot fail, so what it needs is taken before
 * any process can ask (its stack is heap memory, mapped at once). Without it (no memory
 * at boot) PROC_ALARM answers -EAGAIN.
 */
static void alarm_start(void)
{
	thread_t t;
	struct sysinfo si = { 0 };
	if (SYSCALL(sysinfo, &si) == 0 && si.timebase_hz >= 1000)
		alarm_min = si.timebase_hz / (1000000000ULL / ALARM_MIN_NS);
	long s = slot_alloc();
	/* Badged as init, whose entry is never free: its requests are never stale. */
	if (s < 0 || SYSCALL(cap_mint, SLOT_SERVER, s, CAP_SEND, PID_INIT) != 0 ||
	    thread_create(&t, alarm_main, (void *)s) != 0) {
		slot_free(s);
		return;
	}
	thread_priority(t, SERVER_PRIO);
	alarm_thread_made = 1;
}

/* at + ticks, or ALARM_FAR if that is further (an alarm that never comes). */
static uint64_t alarm_after(uint64_t at, uint64_t ticks)
{
	return ticks >= ALARM_FAR - at ? ALARM_FAR : at + ticks;
}

/* Timer k of q went off at now: its next deadline (its interval on from the last,
 * expirations missed while late skipped: one signal stands for them), or ALARM_OFF. */
static uint64_t alarm_rearm(const struct proc *q, int k, uint64_t now)
{
	uint64_t every = q->timer_every[k], at = q->timer_at[k];
	if (!every || at == ALARM_FAR)
		return every ? ALARM_FAR : ALARM_OFF;
	uint64_t missed = (now - at) / every;
	return missed >= ALARM_FAR / every ? ALARM_FAR : alarm_after(at, (missed + 1) * every);
}

/* The signal each timer sends, as kill by the process itself (SI_USER). */
static const uint8_t timer_signal[PROC_TIMERS] = { SIGALRM, SIGVTALRM, SIGPROF };

/* Timer k of q, whose clock reads now: sent and rearmed if due. */
static void timer_check(struct proc *q, int k, uint64_t now)
{
	if (q->state != PS_RUNNING || q->timer_at[k] == ALARM_OFF || q->timer_at[k] > now)
		return;
	q->timer_at[k] = alarm_rearm(q, k, now);
	signal_proc(q, timer_signal[k], q->pid);
}

/* q's run time in timebase ticks (CPU_TIME_HZ samples; 0 for init or a lost task). */
static uint64_t run_time(const struct proc *q)
{
	long t = q->task >= 0 ? SYSCALL(cpu_time, q->task, 0) : 0;
	return t > 0 ? (uint64_t)t : 0;
}

/* The clock timer k of p runs on, now. */
static uint64_t timer_clock(const struct proc *p, int k)
{
	return k == PROC_TIMER_REAL ? now_ticks() : run_time(p);
}

/*
 * PROC_ALARM_DUE: send each process the timer signals now due, rearm the repeating ones.
 * The CPU-time timers are looked at on every round while one is set: the thread comes
 * back every CPU_POLL for them, as run time only moves at the kernel's ticks anyway.
 */
static void alarms_fire(void)
{
	uint64_t now = now_ticks(), next = FUTEX_FOREVER;
	int cpu_timers = 0;
	for (int i = 0; i < procs_top; i++) {
		struct proc *q = &procs[i];
		if (q->state != PS_RUNNING)
			continue;
		timer_check(q, PROC_TIMER_REAL, now);
		if (q->timer_at[PROC_TIMER_VIRTUAL] != ALARM_OFF ||
		    q->timer_at[PROC_TIMER_PROF] != ALARM_OFF) {
			uint64_t ran = run_time(q);
			timer_check(q, PROC_TIMER_VIRTUAL, ran);
			timer_check(q, PROC_TIMER_PROF, ran);
			cpu_timers |= q->state == PS_RUNNING;
		}
		uint64_t at = q->timer_at[PROC_TIMER_REAL];
		if (q->state == PS_RUNNING && at != ALARM_OFF && at < next)
			next = at;
	}
	if (cpu_timers && now + alarm_min * CPU_POLL_MS < next)
		next = now + alarm_min * CPU_POLL_MS;
	alarm_publish(next);
	reply(0, 0);
}

/* A time asked for, rounded up to the shortest we keep (0 stays 0: none). */
static uint64_t alarm_round(uint64_t ticks)
{
	return ticks && ticks < alarm_min ? alarm_min : ticks;
}

/*
 * PROC_ALARM (set) and PROC_ALARM_GET of timer k (enum proc_timer): answer with what
 * the old setting had left.
 */
static void do_alarm(struct proc *p, int k, uint64_t first, uint64_t every, int set)
{
	if (k < 0 || k >= PROC_TIMERS) {
		reply(-EINVAL, 0);
		return;
	}
	if (set && p->task < 0) {
		reply(-EPERM, 0); /* init takes no signals */
		return;
	}
	if (set && first && !alarm_thread_made) {
		reply(-EAGAIN, 0);
		return;
	}
	uint64_t now = timer_clock(p, k), at = p->timer_at[k];
	uint64_t left = at == ALARM_OFF ? 0 : at > now ? at - now : 1; /* due, not yet sent */
	uint64_t old_every = p->timer_every[k];
	if (set) {
		p->timer_at[k] = first ? alarm_after(now, alarm_round(first)) : ALARM_OFF;
		p->timer_every[k] = first ? alarm_round(every) : 0;
		/* the thread's next round: this deadline, or the next look at run times */
		uint64_t wake = k == PROC_TIMER_REAL ? p->timer_at[k]
						     : now_ticks() + alarm_min * CPU_POLL_MS;
		if (first && wake < __atomic_load_n(&alarm_next, __ATOMIC_RELAXED))
			alarm_publish(wake);
	}
	reply(left > INT64_MAX ? INT64_MAX : (int64_t)left, old_every);
}

/* Terminal and alarm requests (outside the switch: its jump table stays small). */
static void serve_other(struct proc *p, struct ipc_msg *m, uint64_t label)
{
	if (label == PROC_TCGETPGRP)
		reply(console_fg, 0);
	else if (label == PROC_TCSETPGRP && !too_short(m, 1))
		do_tcsetpgrp(p, (int64_t)m->w[0]);
	else if (label == PROC_ALARM && !too_short(m, 2))
		do_alarm(p, ipc_tag_words(m->tag) >= 3 ? (int)m->w[2] : PROC_TIMER_REAL, m->w[0],
			 m->w[1], 1);
	else if (label == PROC_ALARM_GET)
		do_alarm(p, ipc_tag_words(m->tag) >= 1 ? (int)m->w[0] : PROC_TIMER_REAL, 0, 0, 0);
	else if (label == PROC_ALARM_DUE)
		alarms_fire();
	else if (label != PROC_TCSETPGRP && label != PROC_ALARM)
		reply(-ENOSYS, 0);
}

static inline __attribute__((always_inline)) void serve(struct ipc_msg *m, int locked)
{
	struct proc *p = by_badge(m->badge);
	uint64_t label = ipc_tag_label(m->tag);
	if (locked && p && p->state != PS_RUNNING) /* only several threads see these */
		p = settle_request(p, m->badge);
	/*
	 * Every request is answered, even one whose answer misses (its sender is gone, or
	 * was diverted): the answer also releases the kernel's hold on the sender's thread,
	 * which would otherwise last until this server thread's next request, and a thread
	 * pinned to a quiet hart may not get one for a long time.
	 */
	if (!p) {
		reply(-ESRCH, 0); /* a stale request: its process is gone, or exec'd */
		return;
	}
	switch (label) {
	case LABEL_EXIT: /* w1: its run time */
		proc_end(p, (int)((m->w[0] & 0xff) << 8),
			 ipc_tag_words(m->tag) >= 2 ? (int64_t)(m->w[1] & INT64_MAX) : -1, 1);
		break;
	case LABEL_FAULT:
		/* A diversion answers the report itself (docs/syscalls.md 40): no reply. */
		if (!fault_to_handler(p, m))
			proc_end(p, fault_signal(label, m->w[0]), -1, 1);
		break;
	case LABEL_OOM:
		proc_end(p, fault_signal(label, m->w[0]), -1, 1);
		break;
	case PROC_FORK:
		if (!too_short(m, 1))
			do_fork(p, m->w[0]);
		break;
	case PROC_WAIT:
		if (!too_short(m, 2))
			do_wait(p, (int64_t)m->w[0], m->w[1]);
		break;
	case PROC_GETPID:
		reply(p->pid, (uint64_t)p->ppid);
		break;
	case PROC_SPAWN:
		do_spawn(p, ipc_tag_len(m->tag), ipc_tag_words(m->tag) ? m->w[0] : 0);
		break;
	case PROC_KILL:
		if (too_short(m, 2))
			break;
		if (ipc_tag_words(m->tag) >= 4 && m->w[2] == PROC_KILL_QUEUE)
			reply_queue(p, m);
		else if (ipc_tag_words(m->tag) >= 3 && m->w[2] == PROC_KILL_LIVE)
			reply_live(m);
		else
			do_kill(p, (int64_t)m->w[0], m->w[1], 0);
		break;
	case PROC_EXIT:
		if (too_short(m, 1))
			break;
		if (p->task < 0) {
			reply(-EPERM, 0); /* init ends by exiting */
			break;
		}
		proc_end(p, (int)((m->w[0] & 0xff) << 8), -1, 1);
		break;
	case PROC_SIGENTRY:
		if (too_short(m, 2))
			break;
		sigsrv_set_entry((unsigned)(p - procs), p->pid, m->w[0]);
		p->sig_chld = m->w[0] ? (uint16_t)(m->w[1] & SIGSRV_CHLD_ALL) : 0;
		reply(0, sigsrv_pending((unsigned)(p - procs), p->pid)); /* e.g. across exec */
		break;
	case PROC_SIGTAKE:
		do_sigtake(p, m);
		break;
	case PROC_STOP:
		if (!too_short(m, 1))
			do_stop(p, m->w[0]);
		break;
	case PROC_TIMES:
		reply((int64_t)(p->child_ticks & INT64_MAX), 0);
		break;
	case PROC_LIST:
		if (!too_short(m, 1))
			do_list(m->w[0]);
		break;
	case PROC_SETPGID:
		if (!too_short(m, 2))
			do_setpgid(p, (int64_t)m->w[0], (int64_t)m->w[1]);
		break;
	case PROC_GETPGID:
		if (!too_short(m, 1))
			do_getpgid(p, (int64_t)m->w[0]);
		break;
	case PROC_SETSID:
		do_setsid(p);
		break;
	case PROC_TIME: {
		int64_t off = 0;
		if (too_short(m, 2))
			break;
		int64_t r = timesrv_request(m->w[0], m->w[1], &off);
		reply(r, (uint64_t)off);
		break;
	}
	case PROC_FS:
		do_fs(p, m);
		break;

	case PROC_EXEC:
		if (too_short(m, 2))
			break;
		if (p->task >= 0)
			do_exec(p, m);
		else
			reply(-EPERM, 0); /* init has no task we hold */
		break;
	default:
		serve_other(p, m, label);
		break;
	}
}

/*
 * Take the table lock (several server threads). Its holder is another hart's thread (one
 * per hart), in the middle of a request: wait for it a while before sleeping in the
 * kernel, since a sleep costs a futex_wait and a futex_wake, the hart idles meanwhile,
 * and waking it takes an IPI. Where the harts run at once (sysinfo's parallel) the
 * holder is at work meanwhile, and the wait covers a whole request with a system call in
 * it (an exit's task_kill). Where they take turns (QEMU under icount) the holder cannot
 * move while this hart runs, so a poll can only fail: one try, then sleep. 256 tries
 * there cost about 1,300 instructions a fork with four busy harts (docs/benchmark.md).
 */
#define TABLE_SPINS	     1
#define TABLE_SPINS_PARALLEL 8192
static int table_spins = TABLE_SPINS;

static void table_wait(void)
{
	for (int i = 1; i < table_spins; i++)
		if (futex_lock_try(&table_word))
			return;
	futex_lock_wait(&table_word, FUTEX_FOREVER);
}

static void table_enter(void)
{
	if (threaded)
		table_take();
}

static void table_leave(void)
{
	if (threaded)
		table_give();
}

/*
 * One server thread's loop: receive, serve (under the lock when several threads serve),
 * answer with the next receive. Made twice, with the lock and without, so that one
 * thread (one hart) pays nothing for it.
 */
static inline __attribute__((always_inline)) void serve_loop(int locked)
{
	/* Where requests' bytes and objects arrive: ipc() only reads these, so once will do. */
	struct ipc_msg *m = &answer;
	m->rbuf = spawn_buf;
	m->rspec = ipc_recv_spec(sizeof(spawn_buf), (unsigned)exec_obj);
	for (;;) {
		/* One system call per request: the answer to this one, and the next request. */
		long err = answering ? ipc_reply_recv(SLOT_SERVER, m) : ipc_recv(SLOT_SERVER, m);
		answering = 0;
		int got_cap = err == 0 && (m->tag & IPC_TAG_CAP);
		if (err == 0) {
			if (locked)
				table_take();
			serve(m, locked);
			if (locked)
				table_give();
		}
		if (got_cap)
			SYSCALL(cap_delete, exec_obj); /* whatever came, it is not kept */
	}
}

static void serve_forever(void *unused)
{
	(void)unused;
	table_enter();
	exec_obj = slot_alloc();
	table_leave();
	if (threaded)
		serve_loop(1);
	serve_loop(0);
}

/*
 * A server thread for each hart, pinned to it, at our own priority (init gives its
 * servers SERVER_PRIO): 1 if every hart has one, and this thread may end. Exactly one
 * server thread per hart: a second one of equal priority, woken on a hart whose own
 * thread serves, waited there for the next tick while holding up the table lock. A
 * thread that cannot be made is left out, and this one serves on, on any hart.
 */
static int start_hart_servers(void)
{
	int harts = thread_harts(), made = 0;
	if (harts < 2)
		return 0;
	struct sysinfo si = { 0 };
	if (SYSCALL(sysinfo, &si) == 0 && si.parallel)
		table_spins = TABLE_SPINS_PARALLEL;
	threaded = 1;  /* before any thread runs: from now on the table is locked */
	table_enter(); /* held while making them: thread_create takes slots too */
	for (int h = 0; h < harts; h++) {
		thread_t t;
		if (thread_create(&t, serve_forever, 0) != 0)
			break;
		thread_priority(t, SERVER_PRIO);
		made += thread_pin(t, h) == 0;
	}
	table_leave();
	return made == harts;
}

/*
 * Take our whole capability space now: the kernel gives a task its slots in chunks as it
 * first uses them, and a chunk is a frame. Taken at start, a fork bomb or several server
 * threads' slots can never make us need one under memory pressure, and the suite's leak
 * check never sees us grow. Touching one slot in every SLOT_STRIDE is enough for any
 * chunk size from SLOT_STRIDE up.
 */
#define SLOT_STRIDE 16
static void reserve_cspace(void)
{
	for (long s = SLOT_FIRST_FREE; s < CSPACE_SLOTS; s += SLOT_STRIDE)
		if (SYSCALL(cap_copy, SLOT_SERVER, s, CAP_SEND) == 0)
			SYSCALL(cap_delete, s); /* it was empty: leave it so */
}

int main(void)
{
	own_data_pages();
	own_stack_pages(SERVER_STACK_OWNED);
	reserve_cspace();
	procs[0] = (struct proc){ .state = PS_RUNNING,
				  .pid = PID_INIT,
				  .pgid = PID_INIT,
				  .sid = PID_INIT,
				  .task = -1,
				  .badge = PID_INIT };
	timesrv_init();
	alarm_start();
	if (start_hart_servers())
		for (;;)
			SYSCALL(exit, 0, 0, 0); /* the hart servers serve: this thread ends */
	serve_forever(0);
}
