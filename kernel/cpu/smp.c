/* Hart bring-up, the big kernel lock and idle wake-ups: see smp.h. */
#include "kernel/cpu/smp.h"

#include "drivers/aclint_sswi.h"
#include "drivers/plic.h"
#include "drivers/timer.h"
#include "kernel/boot/boot.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "kernel/core/object.h"
#include "kernel/core/sched.h"
#include "kernel/cpu/trap.h"
#include "kernel/io/printk.h"
#include "sbi/sbi.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/tlb.h"
#include "vm/vm.h"

#define HART_STACK (16 * 1024)

unsigned harts_online = 1;
/*
 * The big kernel lock (smp.h, struct big_lock). Free harts race for it, so a hart that
 * leaves the kernel and comes back at once usually gets it again without waking anyone;
 * but a hart that has waited STARVE_MS is handed it directly at the next unlock.
 * Without that a hart could take it again between its own system calls while another
 * waited 10 s (under QEMU's round robin at -icount shift=7, where the waiter only ran while
 * the holder was inside the kernel); the torture test's watchdog caught it.
 */
struct big_lock bkl;
#define STARVE_MS 100
int lock_on; /* set when a second hart starts: one hart needs no lock */
static uint8_t stacks[MAX_HARTS][HART_STACK] __attribute__((aligned(16)));
extern char _start[], secondary_entry[];

/* Shootdown requests sent, one per hart asked: under the lock, read by memstat. */
static uint64_t fences_sent;

uint64_t smp_fences_sent(void)
{
	return fences_sent;
}

/*
 * hart.lock_instret: the instructions a hart has retired while holding the big lock, the
 * share of the work the lock serialises, which bounds what more harts can add (sysinfo;
 * docs/benchmark.md). hart.lock_instret_at is its instret when it last took the lock.
 */
uint64_t smp_lock_instret(void)
{
	return this_hart()->lock_instret;
}

/* IPIs go through the ACLINT SSWI (smp_start decides): every running hart has a register. */
static bool ipi_by_sswi;

/*
 * Interrupt the harts in mask (by hart id): a store each to the ACLINT SSWI when the
 * machine has one, else one SBI call (an ecall, and an M-mode interrupt on each target).
 * Either way the target finds sip.SSIP set.
 */
void smp_ipi(uint64_t mask)
{
	if (!ipi_by_sswi) {
		sbi_send_ipi(mask);
		return;
	}
	for (unsigned i = 0; i < harts_online; i++)
		if (harts[i].hartid < 64 && (mask & (1UL << harts[i].hartid)))
			sswi_send((unsigned)harts[i].sswi);
}

const char *smp_ipi_way(void)
{
	return ipi_by_sswi ? "ACLINT SSWI" : "SBI";
}

/* The hart (index + 1) waiting in shootdown_by_ipi for acknowledgements, 0 if none. */
static volatile uint32_t shootdown_waiter;

/*
 * A shootdown asked of this hart: it runs no user code now, so flushing it all is safe.
 * The asking hart sleeps until the last acknowledgement: wake it.
 */
static void flush_if_asked(struct hart *h)
{
	uint64_t req = __atomic_load_n(&h->flush_req, __ATOMIC_ACQUIRE);
	if (h->flush_ack == req)
		return;
	/* Asked to leave a tree that is about to be freed: the kernel's serves until the
	 * next switch, since this hart runs no user code of it before then. */
	if (h->leave_satp && (csr_read(satp) & SATP_PPN_MASK) == h->leave_for) {
		csr_write(satp, h->leave_satp);
		tlb_satp_now(h, h->leave_satp);
	}
	sfence_vma_all();
	__atomic_store_n(&h->flush_ack, req, __ATOMIC_SEQ_CST);
	uint32_t waiter = __atomic_load_n(&shootdown_waiter, __ATOMIC_SEQ_CST);
	if (waiter && harts[waiter - 1].hartid < 64)
		smp_ipi(1UL << harts[waiter - 1].hartid);
}

/*
 * The watchdog. The kernel never blocks inside a call, so the lock is held for one system
 * call or fault; a hart that has waited WATCHDOG_S seconds for it (or for a shootdown's
 * acknowledgements) is in a deadlock or a livelock. It reports every hart's state, the
 * lock's holder and the run queue, and panics, rather than hang the machine.
 */
#define WATCHDOG_S 10

static int overdue(uint64_t since)
{
	return rdtime() - since > WATCHDOG_S * timer_timebase();
}

static void report_hart(const struct hart *o, uint64_t now)
{
	const struct thread *t = o->current;
	printk("  hart %u (id %lu)%s: ", o->index, o->hartid, o == this_hart() ? ", this one" : "");
	if (t)
		printk("thread %lu (prio %u, affinity %d, state %u)", t->id, t->prio, t->affinity,
		       t->state);
	else
		printk("no thread%s", o->idle ? ", idle" : "");
	if (o->lock_wait_since)
		printk(", waiting for the lock for %lu ms",
		       (now - o->lock_wait_since) * 1000 / timer_timebase());
	printk(", %lu ticks\n", o->ticks);
}

static void __attribute__((noreturn)) watchdog_fire(const char *what, uint64_t since)
{
	static uint32_t fired;
	uint64_t now = rdtime();
	uint32_t holder = bkl.word;
	if (__atomic_exchange_n(&fired, 1, __ATOMIC_SEQ_CST))
		for (;;) /* another hart reports: one report, not interleaved copies */
			wfi();
	printk("\nwatchdog: hart %u has waited %lu ms for %s\n", this_hart()->index,
	       (now - since) * 1000 / timer_timebase(), what);
	for (unsigned i = 0; i < harts_online; i++)
		report_hart(&harts[i], now);
	if (holder)
		printk("  big kernel lock: held by hart %u for %lu ms, taken at %p\n", holder - 1,
		       (now - bkl.since) * 1000 / timer_timebase(), (void *)bkl.pc);
	else
		printk("  big kernel lock: free\n");
	sched_report();
	panic("watchdog: no progress for %d s (%s)", WATCHDOG_S, what);
}

/*
 * Polls of the lock before a waiting hart sleeps. A sleeper costs the holder an IPI to
 * wake it: through the firmware an SBI call and an M-mode trap on the sleeper (about
 * 3,000 instructions on QEMU), worth 64 polls; through the ACLINT SSWI one store, and a
 * few polls are enough where the harts take turns on one CPU (QEMU's round robin under
 * icount), since there every poll takes the holder's turn. Where they really run at once
 * (a board, QEMU's thread per hart: harts_parallel) the sleeper's wake-up is the cost: a
 * kernel entry holds the lock for microseconds, and two busy harts that slept at once
 * made fewer forks a second than one (docs/benchmark.md), so a waiter polls for about as
 * long as a hold.
 */
#define LOCK_SPINS	    64
#define LOCK_SPINS_SSWI	    4
#define LOCK_SPINS_PARALLEL 2048

/*
 * Whether the harts run at once, probed at boot (probe_parallel): hart 1 counts in a loop
 * while hart 0 watches the count for PROBE_LOOKS reads. Harts that take turns show it
 * move at most at a turn's end; parallel ones show it move all the time.
 */
static bool harts_parallel;
#define PROBE_LOOKS	100000
#define PROBE_MOVES	64	  /* moves seen that mean parallel */
#define PROBE_COUNT_MAX 100000000 /* hart 1 stops counting by itself after this */
#define PROBE_WAIT_MS	100	  /* for hart 1 to arrive */
static volatile uint64_t probe_count;
static volatile int probe_ready, probe_done;

/* Hart 1's side: count until hart 0 has seen enough (or for a bounded time). */
static void probe_count_up(void)
{
	probe_ready = 1;
	for (uint64_t n = 0; !probe_done && n < PROBE_COUNT_MAX; n++)
		probe_count = n;
}

/* Hart 0's side, once the others are started: true if hart 1 counted alongside. */
static bool probe_parallel(void)
{
	uint64_t since = rdtime(), wait = timer_timebase() / 1000 * PROBE_WAIT_MS;
	while (!probe_ready && rdtime() - since < wait)
		;
	unsigned moves = 0;
	uint64_t last = probe_count;
	for (unsigned i = 0; probe_ready && i < PROBE_LOOKS; i++) {
		uint64_t c = probe_count;
		moves += c != last;
		last = c;
	}
	probe_done = 1;
	return moves >= PROBE_MOVES;
}

/* The polls a waiter makes before it sleeps (above). */
static unsigned lock_spins(void)
{
	return harts_parallel ? LOCK_SPINS_PARALLEL : ipi_by_sswi ? LOCK_SPINS_SSWI : LOCK_SPINS;
}

/*
 * Sleep in wfi until the lock may be free. The bit is set before the lock is looked at
 * again, and bkl_unlock_smp frees the lock before it reads the bits, so one of the two
 * sees the other: no wake-up is lost. An IPI that comes before the wfi stays pending and
 * ends it at once. Any interrupt ends it too (they are taken later); the caller looks again.
 */
static int sleep_on_lock(struct hart *h)
{
	uint64_t bit = 1UL << h->index;
	uint32_t me = h->index + 1;
	__atomic_fetch_or(&bkl.sleepers, bit, __ATOMIC_SEQ_CST);
	uint32_t v = __atomic_load_n(&bkl.word, __ATOMIC_SEQ_CST);
	if (v && v != me)
		wfi();
	__atomic_fetch_and(&bkl.sleepers, ~bit, __ATOMIC_SEQ_CST);
	return 1;
}

/* Take the lock if it is free, or if the last holder handed it to us. */
static int got_lock(uint32_t me)
{
	uint32_t v = __atomic_load_n(&bkl.word, __ATOMIC_ACQUIRE);
	if (v == me)
		return 1;
	return !v && __atomic_compare_exchange_n(&bkl.word, &v, me, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED);
}

/*
 * The hart (index + 1) that has waited longest, if over STARVE_MS; else 0. Nobody can
 * have waited that long in the first STARVE_MS since the timer started: the bound would
 * wrap around below zero, and made every waiter an heir, so that each unlock handed the
 * lock to a sleeping hart (four busy harts under icount, whose fork benchmark runs in
 * those first 100 ms of guest time, went a third slower: docs/benchmark.md).
 */
static uint64_t starve_ticks; /* STARVE_MS in timer ticks, worked out once (smp_start) */
/*
 * No waiter can be starving before this time: the earliest wait's start plus STARVE_MS,
 * or earlier. A hart that begins to wait lowers it (starve_note); a look at every
 * hart's wait (starving) sets it again. So an unlock looks at the harts only once one
 * may starve: the look cost about 45 instructions an unlock, and where harts take turns
 * (QEMU's round robin) nearly every unlock has a hart waiting for its turn.
 */
static uint64_t starve_at = UINT64_MAX;

static void starve_note(uint64_t since)
{
	uint64_t at = since + starve_ticks, old = __atomic_load_n(&starve_at, __ATOMIC_RELAXED);
	while (at < old && !__atomic_compare_exchange_n(&starve_at, &old, at, 0, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
		;
}

static uint32_t starving(void)
{
	uint64_t now = rdtime(), seen = __atomic_load_n(&starve_at, __ATOMIC_RELAXED);
	if (now < seen)
		return 0;
	uint64_t oldest = now - starve_ticks, first = UINT64_MAX; /* seen: no wrap below 0 */
	uint32_t heir = 0;
	for (unsigned i = 0; i < harts_online; i++) {
		uint64_t since = harts[i].lock_wait_since;
		if (!since)
			continue;
		if (since < first)
			first = since;
		if (since < oldest) {
			oldest = since;
			heir = i + 1;
		}
	}
	/* A hart that began to wait meanwhile has lowered it: then its value stays. */
	uint64_t next = first == UINT64_MAX ? UINT64_MAX : first + starve_ticks;
	__atomic_compare_exchange_n(&starve_at, &seen, next, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return heir;
}

/*
 * Waiting harts answer shootdowns while they wait: the holder may be waiting for them,
 * and they cannot take an interrupt here. After a short spin a waiter sleeps in wfi, so a
 * hart never burns its time (or, under QEMU's round robin, the holder's) on the lock.
 */
void bkl_wait(struct hart *h)
{
	uint32_t me = h->index + 1;
	int slept = 0;
	bool snoozed = false;
	h->lock_wait_since = rdtime();
	starve_note(h->lock_wait_since);
	__atomic_fetch_or(&bkl.waiters, 1UL << h->index, __ATOMIC_RELAXED);
	unsigned limit = lock_spins();
	for (unsigned spins = 0; !got_lock(me); spins++) {
		flush_if_asked(h);
		if (spins < limit)
			continue;
		snoozed |= timer_snooze(); /* a due tick would end every wfi at once */
		slept = sleep_on_lock(h);
		if (overdue(h->lock_wait_since))
			watchdog_fire("the big kernel lock", h->lock_wait_since);
	}
	h->lock_wait_since = 0;
	__atomic_fetch_and(&bkl.waiters, ~(1UL << h->index), __ATOMIC_RELAXED);
	if (snoozed)
		timer_unsnooze();
	/* The wake-up IPI has done its work: it must not trap once interrupts are on. Cleared
	 * before the mark, so an IPI sent meanwhile stays pending for the next wait. */
	if (slept)
		csr_clear(sip, SIE_SSIE);
	__atomic_fetch_and(&bkl.kicked, ~(1UL << h->index), __ATOMIC_RELAXED);
	flush_if_asked(h);
}

/* Every hart in want (by index) has acknowledged its request. */
static int all_acked(const uint64_t *want)
{
	for (unsigned i = 0; i < harts_online; i++)
		if (want[i] &&
		    (int64_t)(__atomic_load_n(&harts[i].flush_ack, __ATOMIC_ACQUIRE) - want[i]) < 0)
			return 0;
	return 1;
}

/*
 * Every hart in mask gets an IPI, which brings it into bkl_lock (we hold the lock), where
 * it flushes everything, acknowledges and wakes us. We sleep in wfi meanwhile rather than
 * spin: a spinning hart would take the host time (or, under QEMU's round robin, the turn)
 * that the targets need to answer. SSIP is cleared before each look, so an IPI that comes
 * after the look ends the wfi at once.
 */
static void shootdown_by_ipi(uint64_t mask, uint64_t leave_ppn, uint64_t to)
{
	uint64_t want[MAX_HARTS] = { 0 };
	uint64_t ipi = 0;
	for (unsigned i = 0; i < harts_online; i++) {
		struct hart *o = &harts[i];
		if (o == this_hart() || o->hartid >= 64 || !(mask & (1UL << o->hartid)))
			continue;
		o->leave_for = leave_ppn;
		o->leave_satp = to; /* published by the increment's release */
		want[i] = __atomic_add_fetch(&o->flush_req, 1, __ATOMIC_ACQ_REL);
		ipi |= 1UL << o->hartid;
		fences_sent++;
	}
	if (!ipi)
		return;
	uint64_t since = rdtime();
	bool snoozed = false;
	__atomic_store_n(&shootdown_waiter, this_hart()->index + 1, __ATOMIC_SEQ_CST);
	smp_ipi(ipi);
	for (;;) {
		csr_clear(sip, SIE_SSIE);
		if (all_acked(want))
			break;
		snoozed |= timer_snooze(); /* a due tick would end every wfi at once */
		wfi();
		if (overdue(since))
			watchdog_fire("TLB shootdown acknowledgements", since);
	}
	__atomic_store_n(&shootdown_waiter, 0, __ATOMIC_SEQ_CST);
	if (snoozed)
		timer_unsnooze();
	/* Asked and done: a later shootdown must not move a hart off a tree whose root
	 * frame has been reused by then. */
	for (unsigned i = 0; i < harts_online; i++)
		if (want[i])
			harts[i].leave_satp = 0;
}

/*
 * TLB shootdown (the caller holds the lock): the harts in mask (by hart id, never this
 * one) drop their translations (all of them: va, size and asid only bound what the
 * caller needs) before this returns. Not SBI RFENCE: OpenSBI spins in M-mode until every
 * target has fenced, and a spinning hart holds back the targets it waits for whenever
 * they share host CPUs with it (QEMU's round robin under -icount ran the spinner to the
 * end of its turn, a whole tick, for every fence). Our own IPI lets the sender sleep.
 */
void smp_shootdown(uint64_t mask, uint64_t va, uint64_t size, long asid)
{
	(void)va;
	(void)size;
	(void)asid;
	mask &= ~(this_hart()->hartid < 64 ? 1UL << this_hart()->hartid : 0);
	if (mask)
		shootdown_by_ipi(mask, 0, 0);
}

void smp_shootdown_leave(uint64_t mask, uint64_t root_ppn, uint64_t to)
{
	mask &= ~(this_hart()->hartid < 64 ? 1UL << this_hart()->hartid : 0);
	if (mask)
		shootdown_by_ipi(mask, root_ppn, to);
}

/*
 * The sleeper (by index, of those in sleepers) to wake for a free lock: the heir it was
 * handed to, else the one that has waited longest. -1 if the heir is not among them.
 */
static int next_sleeper(uint64_t sleepers, uint32_t heir)
{
	int pick = -1;
	if (heir)
		return (sleepers & (1UL << (heir - 1))) ? (int)heir - 1 : -1;
	for (unsigned i = 0; i < harts_online; i++)
		if ((sleepers & (1UL << i)) &&
		    (pick < 0 || harts[i].lock_wait_since < harts[pick].lock_wait_since))
			pick = (int)i;
	return pick;
}

/*
 * Has h been sent its wake-up already in this wait? Then the IPI is pending there (a
 * waiter clears it only once it has the lock, and then this mark), and another would
 * only cost this hart its sending: where harts take turns (QEMU's round robin under
 * icount) a sleeper waits for its turn, and every unlock meanwhile sent it one more.
 */
static bool kicked_already(struct hart *h)
{
	return __atomic_fetch_or(&bkl.kicked, 1UL << h->index, __ATOMIC_RELAXED) &
	       (1UL << h->index);
}

/* Wake sleeper wake (an index), unless its wake-up is pending already. */
static void wake(int wake)
{
	if (wake >= 0 && harts[wake].hartid < 64 && !kicked_already(&harts[wake]))
		smp_ipi(1UL << harts[wake].hartid);
}

/*
 * bkl_unlock_smp with a hart waiting: free the lock, or hand it to a starving waiter,
 * then wake one hart that sleeps waiting for it (see sleep_on_lock). One is enough: a
 * woken hart's IPI stays pending until it has the lock, so it polls from then on, and
 * whoever holds the lock next wakes the next sleeper at its unlock.
 * Waking them all cost an IPI per sleeper per unlock (an SBI call, and an M-mode trap on
 * each target, about 3,000 instructions under QEMU), and all but one slept again.
 */
void bkl_unlock_waited(struct hart *h)
{
	(void)h;
	uint32_t heir = starving();
	__atomic_store_n(&bkl.word, heir, __ATOMIC_SEQ_CST);
	uint64_t sleepers = __atomic_load_n(&bkl.sleepers, __ATOMIC_SEQ_CST);
	/*
	 * Only sleepers not sent their wake-up yet are looked at: one was sent already
	 * polls from then on (its IPI pending). Picking among all of them left the oldest,
	 * sent its wake-up and waiting for its turn (QEMU's round robin), picked at every
	 * unlock, each a search for nothing (about 45 instructions, 8 a fork with four busy
	 * harts); now each sleeper is sent one once, and then nothing is looked for.
	 */
	uint64_t unsent = sleepers & ~__atomic_load_n(&bkl.kicked, __ATOMIC_RELAXED);
	if (unsent)
		wake(next_sleeper(unsent, heir));
}

void bkl_wake_sleeper(void)
{
	uint64_t sleepers = __atomic_load_n(&bkl.sleepers, __ATOMIC_SEQ_CST);
	uint64_t unsent = sleepers & ~__atomic_load_n(&bkl.kicked, __ATOMIC_RELAXED);
	if (unsent)
		wake(next_sleeper(unsent, 0));
}

int bkl_held(void)
{
	return lock_on && __atomic_load_n(&bkl.word, __ATOMIC_RELAXED) == this_hart()->index + 1;
}

uint64_t smp_others(void)
{
	uint64_t mask = 0;
	for (unsigned i = 0; i < harts_online; i++)
		if (&harts[i] != this_hart() && harts[i].hartid < 64)
			mask |= 1UL << harts[i].hartid;
	return mask;
}

/* Send hart h an IPI if it idles in wfi (a busy hart finds the work at its next pick). */
static int kick_if_idle(struct hart *h)
{
	if (!h->idle || h == this_hart() || h->hartid >= 64)
		return 0;
	smp_ipi(1UL << h->hartid);
	return 1;
}

void smp_interrupt(unsigned hart)
{
	if (hart < harts_online && &harts[hart] != this_hart() && harts[hart].hartid < 64)
		smp_ipi(1UL << harts[hart].hartid);
}

void smp_kick(int hart)
{
	if (hart >= 0) {
		if ((unsigned)hart < harts_online)
			kick_if_idle(&harts[hart]);
		return;
	}
	for (unsigned i = 0; i < harts_online; i++)
		if (kick_if_idle(&harts[i]))
			return;
}

/* A second hart arrives here from entry.S, on its own stack, with tp set, MMU on. */
void smp_secondary_main(struct hart *h)
{
	csr_write(satp, SATP_MODE_SV39 | (virt_to_phys(kernel_root) >> PAGE_SHIFT));
	sfence_vma_all();
	csr_write(scounteren, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
	/* Device interrupts a user-level driver binds while running here arrive here. */
	if (h->plic_ctx >= 0) {
		plic_context_init(h->plic_ctx);
		csr_set(sie, SIE_SEIE);
	}
	csr_set(sie, SIE_SSIE);
	timer_start();
	if (h->index == 1)
		probe_count_up();
	bkl_lock();
	h->online = 1;
	struct trapframe *tf = trap_resume();
	bkl_unlock();
	user_return(tf);
}

static int start_one(const struct dt_hart *dh, unsigned index, int stale)
{
	uint64_t entry = kmem_image_pa(stale && index % 2 ? _start : secondary_entry);
	uint64_t arg = stale ? boot.mem.dtb_pa : (uint64_t)&harts[index];
	struct hart *h = &harts[index];
	h->self = h;
	h->hartid = dh->hartid;
	h->index = index;
	h->plic_ctx = dh->plic_s_context;
	h->sswi = dh->sswi_index;
	h->kernel_sp = (uint64_t)&stacks[index][HART_STACK];
	/* The new hart finds this struct by its id (entry.S): publish it before the start. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	long err = sbi_hart_start(dh->hartid, entry, arg);
	if (err)
		printk("smp: hart %u did not start (SBI error %ld)\n", dh->hartid, err);
	return err == 0;
}

/*
 * The SSWI can carry every IPI only if each hart that will run has a register in it,
 * within the device's reg range: an IPI lost would leave a hart asleep in wfi.
 */
static bool sswi_all_harts(void)
{
	if (!sswi_covers(this_hart()->sswi))
		return false;
	for (int i = 0; i < boot.dt.nharts; i++)
		if (boot.dt.harts[i].skip == DT_HART_OK &&
		    !sswi_covers(boot.dt.harts[i].sswi_index))
			return false;
	return true;
}

/*
 * The frame pool's settle hook with several harts: frames still on their way back are
 * the trees of teardowns queued for after the lock (vm/tlb.c) and the copies other harts
 * make without it for tasks that died meanwhile (trap.c). Both are tried.
 */
static bool settle_frames(void)
{
	bool reaped = tlb_reap_settle();
	return trap_settle_copies() || reaped;
}

/*
 * The frame pool's lock waiter, past its polls (vm/frame.h): mark this hart and wait in
 * wfi while the lock is still held and marked (its holder then wakes the marked harts).
 * The wake-up IPI is left pending, as any other that came meanwhile (a shootdown's, a
 * kick): it ends later waits at once, and is taken once interrupts are on. Where harts
 * take turns the wfi gives the holder its turn.
 */
static void frames_sleep(struct frame_pool *p)
{
	uint64_t bit = 1UL << this_hart()->index;
	__atomic_fetch_or(&p->lock_sleepers, bit, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->lock, __ATOMIC_SEQ_CST) == POOL_LOCK_WAITED)
		wfi();
	__atomic_fetch_and(&p->lock_sleepers, ~bit, __ATOMIC_SEQ_CST);
}

/* The frame pool's holder wakes the sleepers (by index) as it lets go. */
static void frames_wake(uint64_t sleepers)
{
	uint64_t mask = 0;
	for (unsigned i = 0; i < harts_online; i++)
		if ((sleepers & (1UL << i)) && harts[i].hartid < 64)
			mask |= 1UL << harts[i].hartid;
	if (mask)
		smp_ipi(mask);
}

unsigned smp_start(int stale_starts)
{
	if (!sbi_has(SBI_HAS_HSM)) {
		printk("smp: firmware has no HSM: running on the boot hart alone\n");
		return 1;
	}
	csr_set(sie, SIE_SSIE);
	ipi_by_sswi = sswi_all_harts();
	starve_ticks = STARVE_MS * timer_timebase() / 1000;
	/* From the first other hart on, the kernel is serialised: take the lock first. */
	for (int i = 0; i < boot.dt.nharts && !lock_on; i++)
		lock_on = boot.dt.harts[i].skip == DT_HART_OK &&
			  boot.dt.harts[i].hartid != this_hart()->hartid;
	if (lock_on) {
		kframes.lock_sleep = frames_sleep;
		kframes.lock_wake = frames_wake;
		tlb_smp_start(settle_frames);
	}
	bkl_lock();
	for (int i = 0; i < boot.dt.nharts && harts_online < MAX_HARTS; i++) {
		const struct dt_hart *dh = &boot.dt.harts[i];
		if (dh->skip != DT_HART_OK || dh->hartid == this_hart()->hartid)
			continue;
		if (start_one(dh, harts_online, stale_starts))
			harts_online++;
	}
	if (harts_online > 1)
		harts_parallel = probe_parallel();
	return harts_online;
}

bool smp_parallel(void)
{
	return harts_parallel;
}
