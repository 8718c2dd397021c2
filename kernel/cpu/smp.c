/* Hart bring-up, the big kernel lock and idle wake-ups: see smp.h. */
#include "kernel/cpu/smp.h"

#include "drivers/plic.h"
#include "drivers/timer.h"
#include "kernel/boot/boot.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/trap.h"
#include "kernel/io/printk.h"
#include "sbi/sbi.h"
#include "vm/pt.h"
#include "vm/vm.h"

#define HART_STACK (16 * 1024)

unsigned harts_online = 1;
static volatile uint32_t big_lock; /* 0 free, else the holder's index + 1 */
int lock_on;			   /* set when a second hart starts: one hart needs no lock */
static uint8_t stacks[MAX_HARTS][HART_STACK] __attribute__((aligned(16)));
extern char secondary_entry[];

/* A shootdown asked of this hart: it runs no user code now, so flushing it all is safe. */
static void flush_if_asked(struct hart *h)
{
	uint64_t req = __atomic_load_n(&h->flush_req, __ATOMIC_ACQUIRE);
	if (h->flush_ack != req) {
		sfence_vma_all();
		__atomic_store_n(&h->flush_ack, req, __ATOMIC_RELEASE);
	}
}

/* Harts (by index) asleep in bkl_lock until the holder lets go: it wakes them by IPI. */
static uint64_t lock_sleepers;

/* Polls of the lock before a waiting hart sleeps: a kernel entry is short. */
#define LOCK_SPINS 64

/*
 * Sleep in wfi until the lock may be free. The bit is set before the lock is looked at
 * again, and bkl_unlock_smp frees the lock before it reads the bits, so one of the two
 * sees the other: no wake-up is lost. An IPI that comes before the wfi stays pending and
 * ends it at once. Any interrupt ends it too (they are taken later); the caller looks again.
 */
static int sleep_on_lock(struct hart *h)
{
	uint64_t bit = 1UL << h->index;
	__atomic_fetch_or(&lock_sleepers, bit, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&big_lock, __ATOMIC_SEQ_CST))
		wfi();
	__atomic_fetch_and(&lock_sleepers, ~bit, __ATOMIC_SEQ_CST);
	return 1;
}

/*
 * Waiting harts answer shootdowns while they wait: the holder may be waiting for them,
 * and they cannot take an interrupt here. After a short spin a waiter sleeps in wfi, so a
 * hart never burns its time (or, under QEMU's round robin, the holder's) on the lock.
 */
void bkl_lock_smp(void)
{
	struct hart *h = this_hart();
	uint32_t me = h->index + 1, free = 0;
	int slept = 0;
	/* Uncontended, nobody can be waiting for this hart's acknowledgement. */
	if (__atomic_compare_exchange_n(&big_lock, &free, me, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	free = 0;
	while (!__atomic_compare_exchange_n(&big_lock, &free, me, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		for (int spins = 0; __atomic_load_n(&big_lock, __ATOMIC_RELAXED); spins++) {
			flush_if_asked(h);
			if (spins >= LOCK_SPINS)
				slept = sleep_on_lock(h);
		}
	}
	/* The wake-up IPI has done its work: it must not trap once interrupts are on. */
	if (slept)
		csr_clear(sip, SIE_SSIE);
	flush_if_asked(h);
}

/*
 * The fallback for firmware without RFENCE: every hart in mask gets an IPI, which brings
 * it into bkl_lock, where it flushes everything and acknowledges.
 */
static void shootdown_by_ipi(uint64_t mask)
{
	uint64_t want[MAX_HARTS] = { 0 };
	uint64_t ipi = 0;
	for (unsigned i = 0; i < harts_online; i++) {
		struct hart *o = &harts[i];
		if (o == this_hart() || o->hartid >= 64 || !(mask & (1UL << o->hartid)))
			continue;
		want[i] = __atomic_add_fetch(&o->flush_req, 1, __ATOMIC_ACQ_REL);
		ipi |= 1UL << o->hartid;
	}
	if (!ipi)
		return;
	sbi_send_ipi(ipi);
	for (unsigned i = 0; i < harts_online; i++)
		while (want[i] && (int64_t)(__atomic_load_n(&harts[i].flush_ack, __ATOMIC_ACQUIRE) -
					    want[i]) < 0)
			;
}

/*
 * TLB shootdown (the caller holds the lock): the harts in mask (by hart id, never this
 * one) drop their translations of [va, va + size) for asid before this returns. SBI
 * RFENCE does it in the firmware's M-mode IPI handler, which runs whatever the target is
 * doing (user code, spinning on the lock with interrupts off, wfi), so no hart has to
 * cooperate and none can deadlock against the lock we hold.
 */
void smp_shootdown(uint64_t mask, uint64_t va, uint64_t size, long asid)
{
	mask &= ~(this_hart()->hartid < 64 ? 1UL << this_hart()->hartid : 0);
	if (!mask)
		return;
	long err = SBI_ERR_NOT_SUPPORTED;
	if (sbi_has(SBI_HAS_RFENCE))
		err = asid == SMP_ALL_ASIDS ? sbi_remote_sfence_vma(mask, va, size)
					    : sbi_remote_sfence_vma_asid(mask, va, size, asid);
	if (err != SBI_SUCCESS)
		shootdown_by_ipi(mask);
}

/* Free the lock, then wake the harts that sleep waiting for it (see sleep_on_lock). */
void bkl_unlock_smp(void)
{
	__atomic_store_n(&big_lock, 0, __ATOMIC_SEQ_CST);
	uint64_t sleepers = __atomic_load_n(&lock_sleepers, __ATOMIC_SEQ_CST);
	if (!sleepers)
		return;
	uint64_t ipi = 0;
	for (unsigned i = 0; i < harts_online; i++)
		if ((sleepers & (1UL << i)) && harts[i].hartid < 64)
			ipi |= 1UL << harts[i].hartid;
	sbi_send_ipi(ipi);
}

int bkl_held(void)
{
	return lock_on && __atomic_load_n(&big_lock, __ATOMIC_RELAXED) == this_hart()->index + 1;
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
	sbi_send_ipi(1UL << h->hartid);
	return 1;
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
	bkl_lock();
	h->online = 1;
	struct trapframe *tf = trap_resume();
	bkl_unlock();
	user_return(tf);
}

static int start_one(const struct dt_hart *dh, unsigned index)
{
	struct hart *h = &harts[index];
	h->self = h;
	h->hartid = dh->hartid;
	h->index = index;
	h->plic_ctx = dh->plic_s_context;
	h->kernel_sp = (uint64_t)&stacks[index][HART_STACK];
	long err = sbi_hart_start(dh->hartid, kmem_image_pa(secondary_entry), (uint64_t)h);
	if (err)
		printk("smp: hart %u did not start (SBI error %ld)\n", dh->hartid, err);
	return err == 0;
}

unsigned smp_start(void)
{
	if (!sbi_has(SBI_HAS_HSM)) {
		printk("smp: firmware has no HSM: running on the boot hart alone\n");
		return 1;
	}
	csr_set(sie, SIE_SSIE);
	/* From the first other hart on, the kernel is serialised: take the lock first. */
	for (int i = 0; i < boot.dt.nharts && !lock_on; i++)
		lock_on = boot.dt.harts[i].skip == DT_HART_OK &&
			  boot.dt.harts[i].hartid != this_hart()->hartid;
	bkl_lock();
	for (int i = 0; i < boot.dt.nharts && harts_online < MAX_HARTS; i++) {
		const struct dt_hart *dh = &boot.dt.harts[i];
		if (dh->skip != DT_HART_OK || dh->hartid == this_hart()->hartid)
			continue;
		if (start_one(dh, harts_online))
			harts_online++;
	}
	return harts_online;
}
